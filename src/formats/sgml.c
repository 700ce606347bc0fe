/* Placeholder until the sgml parser lands. */
#include "ingest_private.h"

int nx_parse_sgml(const nx_input *in, nx_article_cb cb, void *ctx, nx_error *err)
{
	(void)in; (void)cb; (void)ctx;
	return nx_error_set(err, NX_EFORMAT, "sgml input is not supported yet");
}

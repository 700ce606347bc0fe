/* Placeholder until the nitf parser lands. */
#include "ingest_private.h"

int nx_parse_nitf(const nx_input *in, nx_article_cb cb, void *ctx, nx_error *err)
{
	(void)in; (void)cb; (void)ctx;
	return nx_error_set(err, NX_EFORMAT, "nitf input is not supported yet");
}

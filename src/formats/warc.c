/* Placeholder until the warc parser lands. */
#include "ingest_private.h"

int nx_parse_warc(const nx_input *in, nx_article_cb cb, void *ctx, nx_error *err)
{
	(void)in; (void)cb; (void)ctx;
	return nx_error_set(err, NX_EFORMAT, "warc input is not supported yet");
}

/* Placeholder until the html parser lands. */
#include "ingest_private.h"

int nx_parse_html(const nx_input *in, nx_article_cb cb, void *ctx, nx_error *err)
{
	(void)in; (void)cb; (void)ctx;
	return nx_error_set(err, NX_EFORMAT, "html input is not supported yet");
}

/* Placeholder until the jsonl parser lands. */
#include "ingest_private.h"

int nx_parse_jsonl(const nx_input *in, nx_article_cb cb, void *ctx, nx_error *err)
{
	(void)in; (void)cb; (void)ctx;
	return nx_error_set(err, NX_EFORMAT, "jsonl input is not supported yet");
}

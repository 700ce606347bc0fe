/*
 * query_common.c - nx_query_only_common(), the public face of the
 * tokenizer's stop-word test for front ends (newsidx/query.h).
 */
#include "newsidx/query.h"

#include "index/tokenizer.h"

int nx_query_only_common(const char *text)
{
	if (text == NULL)
		return 0;
	return nx_tokenizer_only_dropped(text);
}

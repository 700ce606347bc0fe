/*
 * fuzz_feed.c - fuzz target: RSS and Atom feeds (src/formats/feed.c).
 */
#include "fuzz_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	return fuzz_parse(nx_parse_feed, data, size);
}

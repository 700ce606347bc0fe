/*
 * fuzz_warc.c - fuzz target: WARC files, plain and per-record gzip (src/formats/warc.c).
 */
#include "fuzz_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	return fuzz_parse(nx_parse_warc, data, size);
}

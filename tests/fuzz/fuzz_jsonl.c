/*
 * fuzz_jsonl.c - fuzz target: JSON Lines and JSON arrays of articles (src/formats/jsonl.c).
 */
#include "fuzz_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	return fuzz_parse(nx_parse_jsonl, data, size);
}

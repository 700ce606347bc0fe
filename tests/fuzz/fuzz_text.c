/*
 * fuzz_text.c - fuzz target: plain-text scrapes (src/formats/plaintext.c).
 */
#include "fuzz_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	return fuzz_parse(nx_parse_text, data, size);
}

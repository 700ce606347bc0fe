/*
 * fuzz_newsml.c - fuzz target: NewsML-G2 and NewsML 1.x (src/formats/newsml.c, wire_common.c).
 */
#include "fuzz_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	return fuzz_parse(nx_parse_newsml, data, size);
}

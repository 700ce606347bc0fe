/*
 * fuzz_nitf.c - fuzz target: NITF wire stories (src/formats/nitf.c, wire_common.c).
 */
#include "fuzz_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	return fuzz_parse(nx_parse_nitf, data, size);
}

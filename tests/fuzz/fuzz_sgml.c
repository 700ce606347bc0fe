/*
 * fuzz_sgml.c - fuzz target: Reuters-21578 SGML (src/formats/sgml.c).
 */
#include "fuzz_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	return fuzz_parse(nx_parse_sgml, data, size);
}

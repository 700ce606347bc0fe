/*
 * fuzz_jlite.c - differential fuzz target: src/formats/jlite.c against
 * jansson's json_loadb.
 *
 * Each input is parsed by both under the four combinations of
 * JSON_DECODE_ANY and JSON_DISABLE_EOF_CHECK (jsonl.c uses none for a line
 * and both for an array element); any difference in what is accepted, in
 * the values read or in the end offset aborts with a description.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "jlite_diff.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const size_t flags[] = { 0, JSON_DECODE_ANY, JSON_DISABLE_EOF_CHECK,
					JSON_DISABLE_EOF_CHECK | JSON_DECODE_ANY };
	nx_jlite jl = NX_JLITE_INIT;
	char why[256];
	size_t i = 0;

	for (i = 0; i < sizeof(flags) / sizeof(flags[0]); i++) {
		if (jlite_diff(&jl, (const char *)data, size, flags[i], why, sizeof(why)) != NULL) {
			fprintf(stderr, "fuzz: jlite and jansson disagree (flags 0x%zx): %s\n", flags[i], why);
			abort();
		}
	}
	nx_jlite_free(&jl);
	return 0;
}

/*
 * fuzz_detect.c - fuzz target: format detection (nx_detect, nx_is_gzip).
 * Detection reads only the first bytes of a document; it must never read
 * past len, whatever the prefix looks like.
 */
#include "fuzz_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	nx_format f = nx_detect((const char *)data, size);
	const char *name = nx_format_name(f);

	if (name == NULL || (size == 0 && f != NX_FMT_UNKNOWN))
		fuzz_fail("detection", name);
	(void)nx_is_gzip((const char *)data, size);
	return 0;
}

/*
 * fuzz_ingest.c - fuzz target: the whole ingest path a file takes
 * (nx_ingest_buffer): gzip members, UTF-16, detection, dispatch to every
 * parser and nested documents (WARC -> HTML, feeds -> HTML fragments).
 */
#include "fuzz_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	nx_ingest_opts opts = NX_INGEST_OPTS_INIT;
	nx_error err = NX_ERROR_INIT;

	opts.max_inflated = NX_FUZZ_MAX_INFLATED;
	opts.now = 1625708520;
	if (nx_ingest_buffer((const char *)data, size, "fuzz-input", &opts, fuzz_check_article, NULL,
			     &err) < 0) {
		if (err.msg[0] == '\0')
			fuzz_fail("failure without a message", "");
		fuzz_check_str("error message", err.msg);
		if (strchr(err.msg, '\n') != NULL)
			fuzz_fail("error message is more than one line", err.msg);
	}
	return 0;
}

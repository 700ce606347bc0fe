/*
 * fuzz_zdict.c - fuzz target: the zlib dictionary trainer (nx_zdict_train).
 *
 * The trainer reads article bodies, which come from anyone's files.  The
 * input is cut into samples at NUL bytes; its first byte picks the
 * capacity.  Checks: the dictionary fits the capacity, the same samples
 * give the same bytes, and every sample compressed with the dictionary
 * comes back whole.
 */
#include "fuzz_common.h"
#include "index/zdict.h"

#include <zlib.h>

#define FUZZ_MAX_SAMPLES 256

static void roundtrip(const unsigned char *dict, size_t dlen, const unsigned char *s, size_t n)
{
	z_stream zs;
	unsigned char out[4096 + 64], back[4096];
	size_t zlen = 0;
	int rc = 0;

	if (n > sizeof(back))
		n = sizeof(back);
	memset(&zs, 0, sizeof(zs));
	if (deflateInit(&zs, 5) != Z_OK)
		return;
	if (dlen > 0 && deflateSetDictionary(&zs, dict, (uInt)dlen) != Z_OK)
		fuzz_fail("deflateSetDictionary refused the dictionary", "");
	zs.next_in = (Bytef *)(uintptr_t)s;
	zs.avail_in = (uInt)n;
	zs.next_out = out;
	zs.avail_out = sizeof(out);
	if (deflate(&zs, Z_FINISH) != Z_STREAM_END)
		fuzz_fail("deflate did not finish", "");
	zlen = zs.total_out;
	deflateEnd(&zs);
	memset(&zs, 0, sizeof(zs));
	if (inflateInit(&zs) != Z_OK)
		return;
	zs.next_in = out;
	zs.avail_in = (uInt)zlen;
	zs.next_out = back;
	zs.avail_out = sizeof(back);
	rc = inflate(&zs, Z_FINISH);
	if (rc == Z_NEED_DICT) {
		if (inflateSetDictionary(&zs, dict, (uInt)dlen) != Z_OK)
			fuzz_fail("inflateSetDictionary refused the dictionary", "");
		rc = inflate(&zs, Z_FINISH);
	}
	if (rc != Z_STREAM_END || zs.total_out != n || (n > 0 && memcmp(back, s, n) != 0))
		fuzz_fail("sample does not come back through the dictionary", "");
	inflateEnd(&zs);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *samples[FUZZ_MAX_SAMPLES];
	size_t lens[FUZZ_MAX_SAMPLES], n = 0, cap = 0, len = 0, again = 0, i = 0, start = 1;
	unsigned char *dict = NULL, *dict2 = NULL;

	if (size < 1)
		return 0;
	/* capacities from tiny to the whole 32 kB */
	cap = data[0] < 128 ? data[0] : (size_t)(data[0] - 127) * 256;
	for (i = 1; i <= size && n < FUZZ_MAX_SAMPLES; i++) {
		if (i == size || data[i] == 0) {
			samples[n] = (const char *)data + start;
			lens[n++] = i - start;
			start = i + 1;
		}
	}
	dict = malloc(cap > 0 ? cap : 1);
	dict2 = malloc(cap > 0 ? cap : 1);
	if (dict == NULL || dict2 == NULL)
		goto done;
	len = nx_zdict_train(samples, lens, n, dict, cap);
	if (len > cap || len > NX_ZDICT_TRAIN_MAX)
		fuzz_fail("dictionary larger than its capacity", "");
	again = nx_zdict_train(samples, lens, n, dict2, cap);
	if (again != len || (len > 0 && memcmp(dict, dict2, len) != 0))
		fuzz_fail("the same samples gave another dictionary", "");
	for (i = 0; i < n && i < 8; i++)
		roundtrip(dict, len, (const unsigned char *)samples[i], lens[i]);
done:
	free(dict);
	free(dict2);
	return 0;
}

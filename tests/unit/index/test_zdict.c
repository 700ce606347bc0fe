/*
 * test_zdict.c - the zlib preset dictionary trainer (src/index/zdict.c).
 *
 * On real news (the BBC collection of NX_SHARED_DATA; skipped when absent)
 * a trained dictionary must make held-out articles compress smaller, with
 * deflateSetDictionary as the store uses it, than the dictionary the store
 * used to make (the first 256 bytes of 128 bodies).  Then determinism and
 * hostile input: no samples, empty and tiny ones, a small cap, identical
 * samples, binary junk, samples beyond the documented caps.  Every sample
 * is a heap block of exactly its length, so a read past lens[i] shows up
 * under AddressSanitizer.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "index/zdict.h"

#define DICT_MAX 32768

typedef struct texts {
	char **p;
	size_t *len;
	size_t n;
} texts;

static void texts_add(texts *t, const void *data, size_t len)
{
	t->p = realloc(t->p, (t->n + 1) * sizeof(*t->p));
	t->len = realloc(t->len, (t->n + 1) * sizeof(*t->len));
	assert_non_null(t->p);
	assert_non_null(t->len);
	/* exactly len bytes (one when empty: malloc(0) may return NULL) */
	t->p[t->n] = malloc(len > 0 ? len : 1);
	assert_non_null(t->p[t->n]);
	if (len > 0)
		memcpy(t->p[t->n], data, len);
	t->len[t->n] = len;
	t->n++;
}

static void texts_free(texts *t)
{
	size_t i = 0;

	for (i = 0; i < t->n; i++)
		free(t->p[i]);
	free(t->p);
	free(t->len);
	memset(t, 0, sizeof(*t));
}

static size_t train(const texts *t, size_t from, size_t n, unsigned char *out, size_t cap)
{
	return nx_zdict_train((const char *const *)t->p + from, t->len + from, n, out, cap);
}

/* Deterministic pseudo-random numbers (64-bit LCG), the same on every host. */
static uint32_t rnd(uint64_t *s)
{
	*s = *s * UINT64_C(6364136223846793005) + UINT64_C(1442695040888963407);
	return (uint32_t)(*s >> 33);
}

/* Synthetic "articles": words from a small vocabulary, so samples share phrases. */
static void make_prose(texts *t, size_t n, size_t len, uint64_t seed)
{
	static const char *const words[] = {
		"the", "government", "said", "on", "Tuesday", "that", "prices", "would", "rise",
		"in", "the", "coming", "months", "according", "to", "a", "spokesman", "for",
		"ministry", "of", "finance", "reported", "shares", "fell", "percent", "market",
	};
	char *buf = malloc(len + 16);
	size_t i = 0;

	assert_non_null(buf);
	for (i = 0; i < n; i++) {
		size_t k = 0;

		while (k < len) {
			const char *w = words[rnd(&seed) % (sizeof(words) / sizeof(words[0]))];
			size_t wl = strlen(w);

			if (k + wl + 1 > len)
				break;
			memcpy(buf + k, w, wl);
			k += wl;
			buf[k++] = rnd(&seed) % 9 == 0 ? '\n' : ' ';
		}
		texts_add(t, buf, k);
	}
	free(buf);
}

/* ---- real news ---- */

static int load_file(texts *t, const char *path)
{
	FILE *f = fopen(path, "rb");
	char buf[65536];
	size_t n = 0;

	if (f == NULL)
		return -1;
	n = fread(buf, 1, sizeof(buf), f);
	fclose(f);
	texts_add(t, buf, n);
	return 0;
}

/*
 * Articles of the five BBC categories interleaved (001 of each, then 002
 * ...; entertainment, the smallest, has 386); train gets numbers 1-120,
 * test 281-380.
 * Returns 0 when the collection is absent.
 */
static int load_bbc(texts *train_set, texts *test_set)
{
	static const char *const cats[] = { "business", "entertainment", "politics", "sport", "tech" };
	char path[512];
	size_t i = 0, c = 0;

	snprintf(path, sizeof(path), "%s/collections/bbc/business/001.txt", NX_SHARED_DATA);
	if (load_file(test_set, path) < 0)
		return 0;
	texts_free(test_set);
	for (i = 1; i <= 380; i++) {
		for (c = 0; c < sizeof(cats) / sizeof(cats[0]); c++) {
			texts *t = i <= 120 ? train_set : i > 280 ? test_set : NULL;

			if (t == NULL)
				continue;
			snprintf(path, sizeof(path), "%s/collections/bbc/%s/%03zu.txt", NX_SHARED_DATA, cats[c], i);
			assert_int_equal(load_file(t, path), 0);
		}
	}
	return 1;
}

/* Total deflated size of the texts, each alone, as the store compresses bodies. */
static size_t deflated(const texts *t, const unsigned char *dict, size_t dlen, int level)
{
	unsigned char *out = NULL;
	size_t total = 0, i = 0;

	for (i = 0; i < t->n; i++) {
		z_stream z;
		uLong bound = 0;

		memset(&z, 0, sizeof(z));
		assert_int_equal(deflateInit2(&z, level, Z_DEFLATED, 15, 7, Z_DEFAULT_STRATEGY), Z_OK);
		if (dlen > 0)
			assert_int_equal(deflateSetDictionary(&z, dict, (uInt)dlen), Z_OK);
		bound = deflateBound(&z, (uLong)t->len[i]);
		out = malloc(bound);
		assert_non_null(out);
		z.next_in = (Bytef *)t->p[i];
		z.avail_in = (uInt)t->len[i];
		z.next_out = out;
		z.avail_out = (uInt)bound;
		assert_int_equal(deflate(&z, Z_FINISH), Z_STREAM_END);
		total += z.total_out;
		deflateEnd(&z);
		free(out);
	}
	return total;
}

/* The store's old dictionary: the first 256 bytes of each of the first 128 bodies of 64 bytes or more. */
static size_t naive_dict(const texts *t, unsigned char *out)
{
	size_t len = 0, taken = 0, i = 0;

	for (i = 0; i < t->n && taken < 128 && len < DICT_MAX; i++) {
		size_t k = t->len[i] < 256 ? t->len[i] : 256;

		if (t->len[i] < 64)
			continue;
		if (k > DICT_MAX - len)
			k = DICT_MAX - len;
		memcpy(out + len, t->p[i], k);
		len += k;
		taken++;
	}
	return len;
}

static void test_real_news_beats_naive(void **state)
{
	texts tr = { 0 }, te = { 0 };
	unsigned char *naive = malloc(DICT_MAX), *dict = malloc(DICT_MAX);
	size_t nlen = 0, dlen = 0, raw = 0, none = 0, zn = 0, zd = 0, i = 0;
	int level = 0;

	(void)state;
	assert_non_null(naive);
	assert_non_null(dict);
	if (!load_bbc(&tr, &te)) {
		free(naive);
		free(dict);
		skip();
	}
	assert_int_equal(tr.n, 600);
	assert_int_equal(te.n, 500);
	nlen = naive_dict(&tr, naive);
	dlen = train(&tr, 0, tr.n, dict, DICT_MAX);
	assert_true(dlen > DICT_MAX / 2);
	assert_true(dlen <= DICT_MAX);
	for (i = 0; i < te.n; i++)
		raw += te.len[i];
	for (level = 3; level <= 6; level++) {
		none = deflated(&te, NULL, 0, level);
		zn = deflated(&te, naive, nlen, level);
		zd = deflated(&te, dict, dlen, level);
		print_message("level %d: none %.4f naive %.4f trained %.4f of %zu bytes\n", level,
			      (double)none / (double)raw, (double)zn / (double)raw, (double)zd / (double)raw, raw);
		/* both help; the trained one takes at least 4% off the naive output (6-7% measured) */
		assert_true(zn < none);
		assert_true(zd < zn);
		assert_true((double)zd <= 0.96 * (double)zn);
	}
	texts_free(&tr);
	texts_free(&te);
	free(naive);
	free(dict);
}

/* ---- determinism ---- */

static void test_deterministic(void **state)
{
	texts a = { 0 }, b = { 0 };
	unsigned char *d1 = malloc(DICT_MAX), *d2 = malloc(DICT_MAX);
	size_t n1 = 0, n2 = 0, i = 0;

	(void)state;
	assert_non_null(d1);
	assert_non_null(d2);
	make_prose(&a, 300, 900, 42);
	/* the same bytes at other addresses, allocated in reverse order */
	for (i = a.n; i-- > 0;)
		texts_add(&b, a.p[i], a.len[i]);
	for (i = 0; i < b.n / 2; i++) {
		char *p = b.p[i];
		size_t l = b.len[i];

		b.p[i] = b.p[b.n - 1 - i];
		b.len[i] = b.len[b.n - 1 - i];
		b.p[b.n - 1 - i] = p;
		b.len[b.n - 1 - i] = l;
	}
	memset(d1, 0xAA, DICT_MAX);
	memset(d2, 0x55, DICT_MAX);
	n1 = train(&a, 0, a.n, d1, DICT_MAX);
	n2 = train(&b, 0, b.n, d2, DICT_MAX);
	assert_true(n1 > 0);
	assert_int_equal(n1, n2);
	assert_memory_equal(d1, d2, n1);
	/* and again on the same buffers */
	n2 = train(&a, 0, a.n, d2, DICT_MAX);
	assert_int_equal(n1, n2);
	assert_memory_equal(d1, d2, n1);
	texts_free(&a);
	texts_free(&b);
	free(d1);
	free(d2);
}

/* ---- edge cases ---- */

/* Train into a buffer with guard bytes after cap; returns the length, checked against cap. */
static size_t train_guarded(const texts *t, size_t n, size_t cap)
{
	size_t room = (cap < DICT_MAX ? cap : DICT_MAX) + 64, len = 0, i = 0;
	unsigned char *out = malloc(room);

	assert_non_null(out);
	memset(out, 0xC3, room);
	len = train(t, 0, n, out, cap);
	assert_true(len <= cap);
	assert_true(len <= DICT_MAX);
	for (i = cap < DICT_MAX ? cap : DICT_MAX; i < room; i++)
		assert_int_equal(out[i], 0xC3);
	free(out);
	return len;
}

static void test_nothing(void **state)
{
	texts t = { 0 };
	unsigned char out[64];
	const char *none = NULL;
	size_t zero = 0;

	(void)state;
	assert_int_equal(nx_zdict_train(NULL, NULL, 0, out, sizeof(out)), 0);
	assert_int_equal(nx_zdict_train(&none, &zero, 0, out, sizeof(out)), 0);
	/* a NULL sample is empty, whatever its length says */
	zero = 1000;
	assert_int_equal(nx_zdict_train(&none, &zero, 1, out, sizeof(out)), 0);
	make_prose(&t, 10, 500, 1);
	assert_int_equal(train(&t, 0, 0, out, sizeof(out)), 0);
	assert_int_equal(nx_zdict_train((const char *const *)t.p, t.len, t.n, NULL, 100), 0);
	texts_free(&t);
}

static void test_empty_and_tiny(void **state)
{
	texts t = { 0 };
	size_t i = 0;

	(void)state;
	for (i = 0; i < 50; i++)
		texts_add(&t, "", 0);
	assert_int_equal(train_guarded(&t, t.n, DICT_MAX), 0);
	/* shorter than a k-mer, and around it: nothing or a few bytes */
	for (i = 1; i <= 12; i++)
		texts_add(&t, "abcdefghijkl", i);
	for (i = 1; i <= 12; i++)
		texts_add(&t, "abcdefghijkl", i);
	assert_true(train_guarded(&t, t.n, DICT_MAX) <= 64);
	texts_free(&t);
}

static void test_small_cap(void **state)
{
	texts t = { 0 };
	size_t cap = 0;

	(void)state;
	make_prose(&t, 200, 800, 7);
	for (cap = 0; cap <= 70; cap++)
		train_guarded(&t, t.n, cap);
	assert_int_equal(train_guarded(&t, t.n, 1000), 1000);
	assert_int_equal(train_guarded(&t, t.n, 4096), 4096);
	/* more than zlib can use: at most 32 KiB written */
	assert_true(train_guarded(&t, t.n, 1u << 20) <= DICT_MAX);
	texts_free(&t);
}

static void test_identical(void **state)
{
	texts t = { 0 }, one = { 0 };
	unsigned char *dict = malloc(DICT_MAX);
	size_t len = 0, i = 0, z = 0;

	(void)state;
	assert_non_null(dict);
	make_prose(&one, 1, 3000, 99);
	for (i = 0; i < 100; i++)
		texts_add(&t, one.p[0], one.len[0]);
	len = train(&t, 0, t.n, dict, DICT_MAX);
	/* the text once, not 100 times, in windows that may overlap by a few bytes */
	assert_true(len > one.len[0] / 2);
	assert_true(len <= one.len[0] + one.len[0] / 4);
	/* and the text compresses to almost nothing against it */
	z = deflated(&one, dict, len, 5);
	assert_true(z < one.len[0] / 10);
	texts_free(&t);
	texts_free(&one);
	free(dict);
}

static void test_binary_junk(void **state)
{
	texts t = { 0 };
	unsigned char buf[4096];
	uint64_t seed = 12345;
	size_t i = 0, j = 0;

	(void)state;
	for (i = 0; i < 300; i++) {
		size_t n = rnd(&seed) % sizeof(buf);

		for (j = 0; j < n; j++)
			buf[j] = (unsigned char)rnd(&seed);
		/* some NULs, invalid UTF-8 and runs */
		if (n > 100)
			memset(buf + 10, i % 2 == 0 ? 0x00 : 0xFF, 40);
		texts_add(&t, buf, n);
	}
	train_guarded(&t, t.n, DICT_MAX);
	train_guarded(&t, t.n, 100);
	texts_free(&t);
}

static void test_beyond_caps(void **state)
{
	texts t = { 0 }, big = { 0 };
	char *huge = NULL;
	size_t i = 0, len = 0;

	(void)state;
	/* one huge sample, repetitive, then ordinary ones */
	make_prose(&big, 1, 1000, 5);
	huge = malloc(3u << 20);
	assert_non_null(huge);
	for (i = 0; i < (3u << 20); i++)
		huge[i] = big.p[0][i % big.len[0]];
	texts_add(&t, huge, 3u << 20);
	free(huge);
	make_prose(&t, 50, 700, 6);
	len = train_guarded(&t, t.n, DICT_MAX);
	assert_true(len > 0);
	texts_free(&t);
	/* more samples and more bytes than are read */
	make_prose(&t, 9000, 300, 8);
	make_prose(&t, 200, 20000, 9);
	len = train_guarded(&t, t.n, DICT_MAX);
	assert_true(len > 0);
	texts_free(&t);
	texts_free(&big);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_real_news_beats_naive),
		cmocka_unit_test(test_deterministic),
		cmocka_unit_test(test_nothing),
		cmocka_unit_test(test_empty_and_tiny),
		cmocka_unit_test(test_small_cap),
		cmocka_unit_test(test_identical),
		cmocka_unit_test(test_binary_junk),
		cmocka_unit_test(test_beyond_caps),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

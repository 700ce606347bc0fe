/*
 * test_ingest.c - format detection, gzip, reading files and walking folders
 * (src/ingest/ingest.c).
 *
 * Detection fixtures live in tests/data/ingest/detect/, named
 * "<expected format>--<description>.<ext>"; the extension is deliberately
 * not always the format's (detection reads content, never names).  gzip
 * inputs and the folder trees are built at test time in a temp folder.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <dirent.h>
#include <errno.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include "util/buf.h"
#include "formats/format.h"
#include "util/gunzip.h"
#include "util/text.h"

#define DETECT_DIR NX_TEST_DATA "/ingest/detect"
#define ARTICLE_TXT NX_TEST_DATA "/ingest/article.txt"

/* ---- helpers ---- */

static char *exact(const char *s, size_t len)
{
	char *p = malloc(len > 0 ? len : 1);

	assert_non_null(p);
	memcpy(p, s, len);
	return p;
}

static char *slurp(const char *path, size_t *len)
{
	FILE *fp = fopen(path, "rb");
	char *buf = NULL;
	long n = 0;

	if (fp == NULL)
		fail_msg("cannot open %s: %s", path, strerror(errno));
	fseek(fp, 0, SEEK_END);
	n = ftell(fp);
	fseek(fp, 0, SEEK_SET);
	buf = malloc((size_t)n + 1);
	assert_non_null(buf);
	assert_int_equal(fread(buf, 1, (size_t)n, fp), (size_t)n);
	fclose(fp);
	*len = (size_t)n;
	return buf;
}

static void spit(const char *path, const void *data, size_t len)
{
	FILE *fp = fopen(path, "wb");

	assert_non_null(fp);
	if (len > 0)
		assert_int_equal(fwrite(data, 1, len, fp), len);
	fclose(fp);
}

/* Append one gzip member holding data[0..len) to out. */
static void gz_add(nx_buf *out, const void *data, size_t len)
{
	z_stream zs;
	size_t bound = 0;

	memset(&zs, 0, sizeof(zs));
	assert_int_equal(deflateInit2(&zs, 9, Z_DEFLATED, 15 + 16, 9, Z_DEFAULT_STRATEGY), Z_OK);
	bound = deflateBound(&zs, (uLong)len) + 64;
	assert_int_equal(nx_buf_grow(out, bound), 0);
	zs.next_in = (Bytef *)data;
	zs.avail_in = (uInt)len;
	zs.next_out = (Bytef *)out->buf + out->len;
	zs.avail_out = (uInt)bound;
	assert_int_equal(deflate(&zs, Z_FINISH), Z_STREAM_END);
	out->len += bound - zs.avail_out;
	out->buf[out->len] = '\0';
	deflateEnd(&zs);
}

static char tmpdir[64];

static int rm_entry(const char *p, const struct stat *sb, int flag, struct FTW *ftw)
{
	(void)sb;
	(void)flag;
	(void)ftw;
	chmod(p, 0700);
	return remove(p);
}

static int group_setup(void **state)
{
	(void)state;
	snprintf(tmpdir, sizeof(tmpdir), "/tmp/nx-test-ingest-XXXXXX");
	return mkdtemp(tmpdir) == NULL ? -1 : 0;
}

static int group_teardown(void **state)
{
	(void)state;
	/* make everything removable first (chmod 000 entries) */
	nftw(tmpdir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
	return 0;
}

/* What an ingest callback saw. */
typedef struct collect {
	int n;
	int stop_at; /* return NX_EINVAL from the callback number stop_at (1-based), 0: never */
	char title[4][256];
	char id[4][17];
	char format[4][16];
	char path[4][256];
	char *body0;
	int64_t offset0;
} collect;

static int on_article(nx_article *a, void *ctx)
{
	collect *c = ctx;
	int i = c->n;

	c->n++;
	if (i < 4) {
		snprintf(c->title[i], sizeof(c->title[i]), "%s", a->title != NULL ? a->title : "");
		snprintf(c->id[i], sizeof(c->id[i]), "%s", a->id != NULL ? a->id : "");
		snprintf(c->format[i], sizeof(c->format[i]), "%s", a->origin.format != NULL ? a->origin.format : "");
		snprintf(c->path[i], sizeof(c->path[i]), "%s", a->origin.path != NULL ? a->origin.path : "");
	}
	if (i == 0) {
		c->body0 = nx_article_body(a);
		c->offset0 = a->origin.offset;
		/* every article handed over is finished */
		assert_non_null(a->id);
		assert_true(a->captured.set);
	}
	if (c->stop_at != 0 && c->n == c->stop_at)
		return NX_EINVAL;
	return 0;
}

static void collect_free(collect *c)
{
	free(c->body0);
	c->body0 = NULL;
}

/* ---- nx_detect ---- */

static nx_format format_by_name(const char *name)
{
	int f = 0;

	for (f = NX_FMT_UNKNOWN; f <= NX_FMT_ANPA; f++)
		if (strcmp(nx_format_name((nx_format)f), name) == 0)
			return (nx_format)f;
	fail_msg("no format named '%s'", name);
	return NX_FMT_UNKNOWN;
}

static void test_format_names(void **state)
{
	static const char *names[] = { "unknown", "text", "html", "rss", "atom", "nitf", "newsml",
				       "warc", "jsonl", "sgml", "binary", "anpa" };
	int f = 0;

	(void)state;
	for (f = NX_FMT_UNKNOWN; f <= NX_FMT_ANPA; f++)
		assert_string_equal(nx_format_name((nx_format)f), names[f]);
	assert_string_equal(nx_format_name((nx_format)99), "unknown");
}

static void test_detect_fixtures(void **state)
{
	DIR *d = opendir(DETECT_DIR);
	struct dirent *de = NULL;
	int n = 0, bad = 0;
	int seen[NX_FMT_ANPA + 1];

	(void)state;
	memset(seen, 0, sizeof(seen));
	assert_non_null(d);
	while ((de = readdir(d)) != NULL) {
		char path[512], want[32];
		const char *sep = strstr(de->d_name, "--");
		char *data = NULL, *copy = NULL;
		size_t len = 0;
		nx_format f = NX_FMT_UNKNOWN, w = NX_FMT_UNKNOWN;

		if (de->d_name[0] == '.' || sep == NULL)
			continue;
		snprintf(want, sizeof(want), "%.*s", (int)(sep - de->d_name), de->d_name);
		w = format_by_name(want);
		snprintf(path, sizeof(path), "%s/%s", DETECT_DIR, de->d_name);
		data = slurp(path, &len);
		copy = exact(data, len);
		f = nx_detect(copy, len);
		if (f != w) {
			print_error("%s: detected as %s\n", de->d_name, nx_format_name(f));
			bad++;
		}
		seen[w]++;
		n++;
		free(copy);
		free(data);
	}
	closedir(d);
	assert_true(n >= 20);
	/* every real format has at least one fixture */
	assert_true(seen[NX_FMT_TEXT] && seen[NX_FMT_HTML] && seen[NX_FMT_RSS] && seen[NX_FMT_ATOM] &&
		    seen[NX_FMT_NITF] && seen[NX_FMT_NEWSML] && seen[NX_FMT_WARC] && seen[NX_FMT_JSONL] &&
		    seen[NX_FMT_SGML]);
	if (bad > 0)
		fail_msg("%d of %d fixtures detected wrongly", bad, n);
}

/* Every prefix of every fixture: no read past the end (run under ASan). */
static void test_detect_prefixes(void **state)
{
	DIR *d = opendir(DETECT_DIR);
	struct dirent *de = NULL;

	(void)state;
	assert_non_null(d);
	while ((de = readdir(d)) != NULL) {
		char path[512];
		char *data = NULL;
		size_t len = 0, k = 0;

		if (de->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s", DETECT_DIR, de->d_name);
		data = slurp(path, &len);
		for (k = 0; k <= len; k++) {
			char *p = exact(data, k);
			nx_format f = nx_detect(p, k);

			assert_true(f >= NX_FMT_UNKNOWN && f <= NX_FMT_ANPA);
			if (k == 0)
				assert_int_equal(f, NX_FMT_UNKNOWN);
			free(p);
		}
		free(data);
	}
	closedir(d);
}

static void test_detect_small_inputs(void **state)
{
	static const struct {
		const char *in;
		size_t len;
		nx_format want;
	} cases[] = {
		{ "", 0, NX_FMT_UNKNOWN },
		{ "WARC/1.1\r\n", 10, NX_FMT_WARC },
		{ "<rss/>", 6, NX_FMT_RSS },
		{ "<feed/>", 7, NX_FMT_ATOM },
		{ "<nitf>", 6, NX_FMT_NITF },
		{ "<html>", 6, NX_FMT_HTML },
		{ "\xEF\xBB\xBF<rss>", 8, NX_FMT_RSS },
		{ "\xEF\xBB\xBF<feed>", 9, NX_FMT_ATOM },
		{ "\xEF\xBB\xBF<!DOCTYPE html><html>", 24, NX_FMT_HTML },
		{ "  \n\t<rss>", 9, NX_FMT_RSS },
		{ "<!-- c --><!-- d --><feed>", 26, NX_FMT_ATOM },
		{ "<!DOCTYPE nitf SYSTEM \"nitf.dtd\"><nitf>", 39, NX_FMT_NITF },
		{ "{\"title\":\"x\"}\n", 14, NX_FMT_JSONL },
		{ "Title\n\nBody text.\n", 18, NX_FMT_TEXT },
		{ "x", 1, NX_FMT_TEXT },
		{ "Caf\xC3\xA9 au lait\n", 14, NX_FMT_TEXT },
		/* Latin-1 text is still text, not binary */
		{ "Caf\xE9 au lait, cr\xE8me br\xFBl\xE9" "e et g\xE2teau. Une journ\xE9" "e d'\xE9t\xE9 "
		  "ensoleill\xE9" "e \xE0 la campagne.\n", 83, NX_FMT_TEXT },
	};
	size_t i = 0;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *p = exact(cases[i].in, cases[i].len);
		nx_format f = nx_detect(p, cases[i].len);

		if (f != cases[i].want)
			fail_msg("case %zu: got %s, want %s", i, nx_format_name(f), nx_format_name(cases[i].want));
		free(p);
	}
}

static void test_detect_binary(void **state)
{
	static const unsigned char png[] = { 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n', 0, 0, 0, 13,
					     'I', 'H', 'D', 'R', 0, 0, 1, 0, 0, 0, 1, 0, 8, 6, 0, 0, 0 };
	unsigned char junk[4096];
	unsigned seed = 99;
	size_t i = 0;
	char *p = NULL;

	(void)state;
	p = exact((const char *)png, sizeof(png));
	assert_int_equal(nx_detect(p, sizeof(png)), NX_FMT_BINARY);
	free(p);
	for (i = 0; i < sizeof(junk); i++) {
		seed = seed * 1103515245u + 12345u;
		junk[i] = (unsigned char)(seed >> 16);
	}
	p = exact((const char *)junk, sizeof(junk));
	assert_int_equal(nx_detect(p, sizeof(junk)), NX_FMT_BINARY);
	free(p);
	/* control-heavy junk without NUL bytes */
	for (i = 0; i < sizeof(junk); i++)
		junk[i] = (unsigned char)(1 + i % 8);
	p = exact((const char *)junk, sizeof(junk));
	assert_int_equal(nx_detect(p, sizeof(junk)), NX_FMT_BINARY);
	free(p);
	/* a NUL byte early in otherwise text-like data */
	p = exact("Title\0\0\0binary", 14);
	assert_int_equal(nx_detect(p, 14), NX_FMT_BINARY);
	free(p);
}

static void test_detect_broken_markup(void **state)
{
	static const char *cases[] = {
		"<", "<!", "<!-", "<!--", "<!-- never closed", "<!--->", "<?", "<?xml", "<?xml version=\"1.0\"",
		"<!DOCTYPE", "<!DOCTYPE ", "<!DOCTYPE html", "<!DOCTYPE x [", "<!DOCTYPE x [ ]]]]> <rss>",
		"\xEF\xBB", "\xEF\xBB\xBF", "\xEF\xBB\xBF<", "<<<<<<", "<rss", "<a:", "<:rss>",
	};
	size_t i = 0;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		size_t len = strlen(cases[i]);
		char *p = exact(cases[i], len);
		nx_format f = nx_detect(p, len);

		assert_true(f >= NX_FMT_UNKNOWN && f <= NX_FMT_ANPA);
		assert_int_not_equal(f, NX_FMT_BINARY);
		free(p);
	}
	/* deep nesting of comments and declarations is bounded */
	{
		nx_buf b = NX_BUF_INIT;
		int k = 0;

		for (k = 0; k < 5000; k++)
			nx_buf_adds(&b, "<!-- x --><?pi?>");
		nx_buf_adds(&b, "<rss>");
		(void)nx_detect(b.buf, b.len);
		nx_buf_free(&b);
	}
}

/* ---- nx_gunzip ---- */

static void test_gunzip_single(void **state)
{
	nx_buf z = NX_BUF_INIT;
	char *out = NULL, *in = NULL;
	size_t outlen = 0;
	nx_error err = NX_ERROR_INIT;
	const char *text = "The quick brown fox jumps over the lazy dog.\n";

	(void)state;
	gz_add(&z, text, strlen(text));
	assert_true(nx_is_gzip(z.buf, z.len));
	in = exact(z.buf, z.len);
	assert_int_equal(nx_gunzip(&out, &outlen, in, z.len, 1 << 20, &err), NX_OK);
	assert_int_equal(outlen, strlen(text));
	assert_memory_equal(out, text, outlen);
	assert_int_equal(out[outlen], '\0');
	free(out);
	free(in);
	nx_buf_free(&z);
}

static void test_gunzip_empty_member(void **state)
{
	nx_buf z = NX_BUF_INIT;
	char *out = NULL;
	size_t outlen = 99;
	nx_error err = NX_ERROR_INIT;

	(void)state;
	gz_add(&z, "", 0);
	assert_int_equal(nx_gunzip(&out, &outlen, z.buf, z.len, 1 << 20, &err), NX_OK);
	assert_int_equal(outlen, 0);
	assert_non_null(out);
	free(out);
	nx_buf_free(&z);
}

static void test_gunzip_multi_member(void **state)
{
	nx_buf z = NX_BUF_INIT;
	char *out = NULL, *in = NULL;
	size_t outlen = 0;
	nx_error err = NX_ERROR_INIT;
	nx_buf big = NX_BUF_INIT;
	int i = 0;

	(void)state;
	gz_add(&z, "part one, ", 10);
	gz_add(&z, "", 0);
	gz_add(&z, "part two, ", 10);
	for (i = 0; i < 20000; i++)
		nx_buf_addf(&big, "line %d of a larger member\n", i);
	gz_add(&z, big.buf, big.len);
	gz_add(&z, "end", 3);
	in = exact(z.buf, z.len);
	assert_int_equal(nx_gunzip(&out, &outlen, in, z.len, 64 << 20, &err), NX_OK);
	assert_int_equal(outlen, 20 + big.len + 3);
	assert_memory_equal(out, "part one, part two, ", 20);
	assert_memory_equal(out + 20, big.buf, big.len);
	assert_memory_equal(out + 20 + big.len, "end", 3);
	free(out);
	free(in);
	/* zero padding after the last member (tape blocks) is fine */
	nx_buf_reset(&z);
	gz_add(&z, "padded", 6);
	nx_buf_add(&z, "\0\0\0\0\0\0\0\0", 8);
	assert_int_equal(nx_gunzip(&out, &outlen, z.buf, z.len, 1 << 20, &err), NX_OK);
	assert_int_equal(outlen, 6);
	assert_memory_equal(out, "padded", 6);
	free(out);
	nx_buf_free(&big);
	nx_buf_free(&z);
}

static void test_gunzip_truncated(void **state)
{
	nx_buf z = NX_BUF_INIT, text = NX_BUF_INIT;
	char *out = NULL, *in = NULL;
	size_t outlen = 0, cut = 0;
	nx_error err = NX_ERROR_INIT;
	unsigned seed = 7;
	int i = 0;

	(void)state;
	/* incompressible-ish text so that half the stream is half the text */
	for (i = 0; i < 200000; i++) {
		seed = seed * 1103515245u + 12345u;
		nx_buf_addch(&text, 'a' + (int)((seed >> 16) % 26));
	}
	gz_add(&z, text.buf, text.len);
	cut = z.len / 2;
	in = exact(z.buf, cut);
	assert_int_equal(nx_gunzip(&out, &outlen, in, cut, 64 << 20, &err), NX_EFORMAT);
	assert_int_equal(err.code, NX_EFORMAT);
	assert_non_null(strstr(err.msg, "truncated"));
	/* the partial output is a real prefix of the text */
	assert_non_null(out);
	assert_true(outlen > text.len / 4);
	assert_true(outlen < text.len);
	assert_memory_equal(out, text.buf, outlen);
	free(out);
	free(in);
	/* cut inside the trailer (CRC/size missing) */
	in = exact(z.buf, z.len - 4);
	assert_int_equal(nx_gunzip(&out, &outlen, in, z.len - 4, 64 << 20, &err), NX_EFORMAT);
	assert_int_equal(outlen, text.len);
	free(out);
	free(in);
	/* header only */
	in = exact(z.buf, 10);
	assert_int_equal(nx_gunzip(&out, &outlen, in, 10, 64 << 20, &err), NX_EFORMAT);
	assert_int_equal(outlen, 0);
	free(out);
	free(in);
	/* every short cut terminates with an error, never OK, never a crash */
	for (cut = 0; cut < 200; cut++) {
		in = exact(z.buf, cut);
		assert_int_equal(nx_gunzip(&out, &outlen, in, cut, 64 << 20, &err), NX_EFORMAT);
		free(out);
		free(in);
	}
	nx_buf_free(&z);
	nx_buf_free(&text);
}

/* Append one gzip member with stored (uncompressed) deflate blocks. */
static void gz_add_stored(nx_buf *out, const void *data, size_t len)
{
	z_stream zs;
	size_t bound = 0;

	memset(&zs, 0, sizeof(zs));
	assert_int_equal(deflateInit2(&zs, 0, Z_DEFLATED, 15 + 16, 9, Z_DEFAULT_STRATEGY), Z_OK);
	bound = deflateBound(&zs, (uLong)len) + 64;
	assert_int_equal(nx_buf_grow(out, bound), 0);
	zs.next_in = (Bytef *)data;
	zs.avail_in = (uInt)len;
	zs.next_out = (Bytef *)out->buf + out->len;
	zs.avail_out = (uInt)bound;
	assert_int_equal(deflate(&zs, Z_FINISH), Z_STREAM_END);
	out->len += bound - zs.avail_out;
	deflateEnd(&zs);
}

/*
 * Stored blocks make output grow one byte per input byte, so some cut in
 * this range stops the input exactly when 64 KiB of output are ready: it
 * is still a truncation and must be reported as one.
 */
static void test_gunzip_truncated_at_chunk_boundary(void **state)
{
	nx_buf z = NX_BUF_INIT;
	char *text = malloc(200000);
	size_t i = 0, cut = 0;

	(void)state;
	for (i = 0; i < 200000; i++)
		text[i] = (char)('a' + i % 23);
	gz_add_stored(&z, text, 200000);
	for (cut = 65400; cut < 65700; cut++) {
		char *out = NULL;
		size_t outlen = 0;
		nx_error err = NX_ERROR_INIT;
		int rc = nx_gunzip(&out, &outlen, z.buf, cut, 64 << 20, &err);
		char msg[NX_ERROR_MSG_MAX];
		int prefix_ok = out != NULL && memcmp(out, text, outlen) == 0;

		snprintf(msg, sizeof(msg), "%s", err.msg);
		free(out);
		if (rc != NX_EFORMAT || strstr(msg, "truncated") == NULL || !prefix_ok) {
			free(text);
			nx_buf_free(&z);
			fail_msg("cut at %zu (%zu bytes out): rc %d, '%s'", cut, outlen, rc, msg);
		}
	}
	free(text);
	nx_buf_free(&z);
}

static void test_gunzip_bomb(void **state)
{
	nx_buf z = NX_BUF_INIT;
	char *zeros = calloc(1, 16 << 20);
	char *out = (char *)0x1;
	size_t outlen = 0;
	nx_error err = NX_ERROR_INIT;

	(void)state;
	assert_non_null(zeros);
	gz_add(&z, zeros, 16 << 20);
	assert_true(z.len < 64 * 1024);
	assert_int_equal(nx_gunzip(&out, &outlen, z.buf, z.len, 1 << 20, &err), NX_ETOOBIG);
	assert_null(out);
	assert_int_equal(outlen, 0);
	assert_int_equal(err.code, NX_ETOOBIG);
	assert_true(strlen(err.msg) > 0);
	/* exactly at the limit is fine */
	nx_buf_reset(&z);
	gz_add(&z, zeros, 1 << 20);
	assert_int_equal(nx_gunzip(&out, &outlen, z.buf, z.len, 1 << 20, &err), NX_OK);
	assert_int_equal(outlen, 1 << 20);
	free(out);
	/* the limit counts all members together */
	nx_buf_reset(&z);
	gz_add(&z, zeros, 600 << 10);
	gz_add(&z, zeros, 600 << 10);
	assert_int_equal(nx_gunzip(&out, &outlen, z.buf, z.len, 1 << 20, &err), NX_ETOOBIG);
	assert_null(out);
	free(zeros);
	nx_buf_free(&z);
}

static void test_gunzip_garbage_after_member(void **state)
{
	nx_buf z = NX_BUF_INIT;
	char *out = NULL, *in = NULL;
	size_t outlen = 0;
	nx_error err = NX_ERROR_INIT;
	int rc = 0;

	(void)state;
	gz_add(&z, "hello", 5);
	nx_buf_adds(&z, "GARBAGE AFTER THE MEMBER\n");
	in = exact(z.buf, z.len);
	rc = nx_gunzip(&out, &outlen, in, z.len, 1 << 20, &err);
	assert_true(rc == NX_OK || rc == NX_EFORMAT);
	assert_non_null(out);
	assert_int_equal(outlen, 5);
	assert_memory_equal(out, "hello", 5);
	free(out);
	free(in);
	/* garbage that starts like another member: the first member is kept */
	nx_buf_reset(&z);
	gz_add(&z, "hello", 5);
	nx_buf_add(&z, "\x1f\x8b\x08\x00junkjunkjunkjunk", 20);
	in = exact(z.buf, z.len);
	assert_int_equal(nx_gunzip(&out, &outlen, in, z.len, 1 << 20, &err), NX_EFORMAT);
	assert_int_equal(outlen, 5);
	assert_memory_equal(out, "hello", 5);
	free(out);
	free(in);
	/* a lone magic number after a member */
	nx_buf_reset(&z);
	gz_add(&z, "hello", 5);
	nx_buf_add(&z, "\x1f\x8b", 2);
	in = exact(z.buf, z.len);
	assert_int_equal(nx_gunzip(&out, &outlen, in, z.len, 1 << 20, &err), NX_EFORMAT);
	assert_int_equal(outlen, 5);
	free(out);
	free(in);
	nx_buf_free(&z);
}

static void test_gunzip_corrupt(void **state)
{
	nx_buf z = NX_BUF_INIT;
	char *out = NULL, *in = NULL;
	size_t outlen = 0, i = 0;
	nx_error err = NX_ERROR_INIT;
	const char *text = "Some text that will be compressed and then damaged in various ways.";

	(void)state;
	/* not gzip at all */
	assert_int_equal(nx_gunzip(&out, &outlen, "plain text", 10, 1 << 20, &err), NX_EFORMAT);
	free(out);
	assert_false(nx_is_gzip("plain", 5));
	assert_false(nx_is_gzip("\x1f", 1));
	assert_false(nx_is_gzip("", 0));
	/* a bad CRC in the trailer */
	gz_add(&z, text, strlen(text));
	in = exact(z.buf, z.len);
	in[z.len - 8] ^= 0x55;
	assert_int_equal(nx_gunzip(&out, &outlen, in, z.len, 1 << 20, &err), NX_EFORMAT);
	assert_true(strlen(err.msg) > 0);
	free(out);
	/* flip every byte in turn: never a crash, never a wrong success length */
	for (i = 0; i < z.len; i++) {
		int rc = 0;

		memcpy(in, z.buf, z.len);
		in[i] = (char)~in[i];
		rc = nx_gunzip(&out, &outlen, in, z.len, 1 << 20, &err);
		assert_true(rc == NX_OK || rc == NX_EFORMAT);
		if (rc == NX_OK && outlen != strlen(text))
			fail_msg("flipping byte %zu gave a %zu-byte success", i, outlen);
		free(out);
	}
	free(in);
	nx_buf_free(&z);
}

/* ---- nx_ingest_buffer ---- */

static void test_ingest_gzip_text(void **state)
{
	nx_buf z = NX_BUF_INIT;
	char *plain = NULL, *in = NULL;
	size_t len = 0;
	collect c, d;
	nx_error err = NX_ERROR_INIT;
	nx_ingest_opts opts = NX_INGEST_OPTS_INIT;

	(void)state;
	memset(&c, 0, sizeof(c));
	memset(&d, 0, sizeof(d));
	opts.now = 1700000000;
	plain = slurp(ARTICLE_TXT, &len);
	gz_add(&z, plain, len);
	in = exact(z.buf, z.len);
	assert_int_equal(nx_ingest_buffer(in, z.len, "/archive/article.txt.gz", &opts, on_article, &c, &err), NX_OK);
	assert_int_equal(c.n, 1);
	assert_string_equal(c.title[0], "Harbour Authority Approves Breakwater Extension");
	assert_string_equal(c.format[0], "text");
	assert_string_equal(c.path[0], "/archive/article.txt.gz");
	assert_non_null(c.body0);
	assert_non_null(strstr(c.body0, "eastern breakwater"));
	/* the same text uncompressed gives the same article */
	assert_int_equal(nx_ingest_buffer(plain, len, "/archive/article.txt", &opts, on_article, &d, &err), NX_OK);
	assert_int_equal(d.n, 1);
	assert_string_equal(c.id[0], d.id[0]);
	assert_string_equal(c.body0, d.body0);
	collect_free(&c);
	collect_free(&d);
	free(in);
	free(plain);
	nx_buf_free(&z);
}

static void test_ingest_gzip_truncated_text(void **state)
{
	nx_buf z = NX_BUF_INIT, text = NX_BUF_INIT;
	collect c;
	nx_error err = NX_ERROR_INIT;
	unsigned seed = 3;
	int i = 0;
	char *in = NULL;

	(void)state;
	memset(&c, 0, sizeof(c));
	nx_buf_adds(&text, "Truncated Archive Headline\n01:42 GMT 08.07.2021\n\n");
	for (i = 0; i < 3000; i++) {
		seed = seed * 1103515245u + 12345u;
		nx_buf_addf(&text, "Paragraph %u with some words %u.\n", seed >> 8, seed >> 20);
	}
	gz_add(&z, text.buf, text.len);
	in = exact(z.buf, z.len * 2 / 3);
	/* what could be inflated is parsed, and the damage is still reported */
	assert_int_equal(nx_ingest_buffer(in, z.len * 2 / 3, NULL, NULL, on_article, &c, &err), NX_EFORMAT);
	assert_int_equal(c.n, 1);
	assert_string_equal(c.title[0], "Truncated Archive Headline");
	assert_non_null(strstr(err.msg, "truncated"));
	collect_free(&c);
	free(in);
	nx_buf_free(&z);
	nx_buf_free(&text);
}

static void test_ingest_buffer_errors(void **state)
{
	nx_buf z = NX_BUF_INIT;
	collect c;
	nx_error err = NX_ERROR_INIT;
	nx_ingest_opts opts = NX_INGEST_OPTS_INIT;
	char *zeros = calloc(1, 4 << 20);
	char junk[512];
	size_t i = 0;

	(void)state;
	memset(&c, 0, sizeof(c));
	/* empty */
	assert_int_equal(nx_ingest_buffer("", 0, NULL, NULL, on_article, &c, &err), NX_EFORMAT);
	assert_non_null(strstr(err.msg, "empty"));
	/* gzip of nothing */
	gz_add(&z, "", 0);
	nx_error_clear(&err);
	assert_int_equal(nx_ingest_buffer(z.buf, z.len, NULL, NULL, on_article, &c, &err), NX_EFORMAT);
	assert_non_null(strstr(err.msg, "empty"));
	/* binary */
	for (i = 0; i < sizeof(junk); i++)
		junk[i] = (char)(i * 7 + (i >> 3));
	nx_error_clear(&err);
	assert_int_equal(nx_ingest_buffer(junk, sizeof(junk), NULL, NULL, on_article, &c, &err), NX_EFORMAT);
	assert_non_null(strstr(err.msg, "binary"));
	/* a bomb, with a small limit */
	nx_buf_reset(&z);
	gz_add(&z, zeros, 4 << 20);
	opts.max_inflated = 1 << 20;
	nx_error_clear(&err);
	assert_int_equal(nx_ingest_buffer(z.buf, z.len, NULL, &opts, on_article, &c, &err), NX_ETOOBIG);
	assert_int_equal(err.code, NX_ETOOBIG);
	assert_int_equal(c.n, 0);
	free(zeros);
	nx_buf_free(&z);
}

static void test_ingest_callback_stops(void **state)
{
	collect c;
	nx_error err = NX_ERROR_INIT;
	char *plain = NULL;
	size_t len = 0;

	(void)state;
	memset(&c, 0, sizeof(c));
	plain = slurp(ARTICLE_TXT, &len);
	c.stop_at = 1;
	/* the callback's error comes back from the ingest call */
	assert_int_equal(nx_ingest_buffer(plain, len, NULL, NULL, on_article, &c, &err), NX_EINVAL);
	assert_int_equal(c.n, 1);
	collect_free(&c);
	free(plain);
}

/* ---- nx_ingest_file ---- */

static void test_ingest_file_ok(void **state)
{
	collect c, d;
	nx_error err = NX_ERROR_INIT;
	nx_buf z = NX_BUF_INIT;
	char *plain = NULL;
	size_t len = 0;
	char gzpath[128];

	(void)state;
	memset(&c, 0, sizeof(c));
	memset(&d, 0, sizeof(d));
	assert_int_equal(nx_ingest_file(ARTICLE_TXT, NULL, on_article, &c, &err), NX_OK);
	assert_int_equal(c.n, 1);
	assert_string_equal(c.path[0], ARTICLE_TXT);
	assert_string_equal(c.format[0], "text");
	plain = slurp(ARTICLE_TXT, &len);
	gz_add(&z, plain, len);
	snprintf(gzpath, sizeof(gzpath), "%s/article.txt.gz", tmpdir);
	spit(gzpath, z.buf, z.len);
	assert_int_equal(nx_ingest_file(gzpath, NULL, on_article, &d, &err), NX_OK);
	assert_int_equal(d.n, 1);
	assert_string_equal(d.id[0], c.id[0]);
	assert_string_equal(d.path[0], gzpath);
	collect_free(&c);
	collect_free(&d);
	free(plain);
	nx_buf_free(&z);
}

static void test_ingest_file_missing(void **state)
{
	collect c;
	nx_error err = NX_ERROR_INIT;
	char path[128];

	(void)state;
	memset(&c, 0, sizeof(c));
	snprintf(path, sizeof(path), "%s/does-not-exist.txt", tmpdir);
	assert_int_equal(nx_ingest_file(path, NULL, on_article, &c, &err), NX_EIO);
	assert_int_equal(err.code, NX_EIO);
	assert_true(strlen(err.msg) > 0);
	assert_null(strstr(err.msg, "does-not-exist")); /* the CLI adds the name */
	assert_int_equal(c.n, 0);
}

static void test_ingest_file_directory(void **state)
{
	collect c;
	nx_error err = NX_ERROR_INIT;

	(void)state;
	memset(&c, 0, sizeof(c));
	assert_int_equal(nx_ingest_file(tmpdir, NULL, on_article, &c, &err), NX_EIO);
	assert_non_null(strstr(err.msg, "directory"));
	assert_int_equal(c.n, 0);
}

static void test_ingest_file_fifo(void **state)
{
	collect c;
	nx_error err = NX_ERROR_INIT;
	char path[128];
	int rc = 0;

	(void)state;
	memset(&c, 0, sizeof(c));
	snprintf(path, sizeof(path), "%s/a-fifo", tmpdir);
	assert_int_equal(mkfifo(path, 0600), 0);
	alarm(5); /* a hang kills the test instead of blocking ctest */
	rc = nx_ingest_file(path, NULL, on_article, &c, &err);
	alarm(0);
	assert_true(rc < 0);
	assert_true(strlen(err.msg) > 0);
	assert_int_equal(c.n, 0);
	unlink(path);
}

static void test_ingest_file_empty(void **state)
{
	collect c;
	nx_error err = NX_ERROR_INIT;
	char path[128];

	(void)state;
	memset(&c, 0, sizeof(c));
	snprintf(path, sizeof(path), "%s/empty.txt", tmpdir);
	spit(path, "", 0);
	assert_int_equal(nx_ingest_file(path, NULL, on_article, &c, &err), NX_EFORMAT);
	assert_string_equal(err.msg, "empty file");
	assert_int_equal(c.n, 0);
}

static void test_ingest_file_too_big(void **state)
{
	collect c;
	nx_error err = NX_ERROR_INIT;
	nx_ingest_opts opts = NX_INGEST_OPTS_INIT;

	(void)state;
	memset(&c, 0, sizeof(c));
	opts.max_file = 100;
	assert_int_equal(nx_ingest_file(ARTICLE_TXT, &opts, on_article, &c, &err), NX_ETOOBIG);
	assert_int_equal(c.n, 0);
	assert_true(strlen(err.msg) > 0);
}

/* ---- nx_walk ---- */

typedef struct walk_log {
	char root[160];
	char lines[64][192];
	int n;
	int stop_at; /* stop (return 1) at this 1-based call, 0: never */
} walk_log;

static int on_walk(const char *path, const struct stat *st, int errnum, const char *msg, void *ctx)
{
	walk_log *w = ctx;
	const char *rel = path;
	size_t rl = strlen(w->root);

	if (strncmp(path, w->root, rl) == 0)
		rel = path[rl] == '/' ? path + rl + 1 : path + rl;
	if (errnum == 0) {
		assert_non_null(st);
		assert_true(S_ISREG(st->st_mode));
		assert_null(msg);
	} else {
		assert_null(st);
		assert_non_null(msg);
		assert_true(strlen(msg) > 0);
	}
	if (w->n < 64)
		snprintf(w->lines[w->n], sizeof(w->lines[w->n]), "%s %s",
			 errnum == 0 ? "file" : errnum == ELOOP ? "loop" : errnum == EACCES ? "denied" :
			 errnum == NX_WALK_SKIP ? "skip" : "error", rel);
	w->n++;
	if (w->stop_at != 0 && w->n == w->stop_at)
		return 1;
	return 0;
}

static void make_file(const char *root, const char *rel, const char *text)
{
	char path[320];

	snprintf(path, sizeof(path), "%s/%s", root, rel);
	spit(path, text, strlen(text));
}

static void make_dir(const char *root, const char *rel)
{
	char path[320];

	snprintf(path, sizeof(path), "%s/%s", root, rel);
	assert_int_equal(mkdir(path, 0755), 0);
}

static void make_link(const char *root, const char *rel, const char *target)
{
	char path[320];

	snprintf(path, sizeof(path), "%s/%s", root, rel);
	assert_int_equal(symlink(target, path), 0);
}

static void test_walk_tree(void **state)
{
	walk_log w;
	nx_error err = NX_ERROR_INIT;
	char fifo[320];
	int as_root = geteuid() == 0;
	const char *want_root[] = {
		"file Sub2/x.txt", "file a.txt", "file b.txt", "skip fifo", "file link-to-file", "loop self",
		"file sub/deeper/y.txt", "loop sub/loop", "file sub/z.txt",
	};
	const char *want_user[] = {
		"file Sub2/x.txt", "file a.txt", "file b.txt", "skip fifo", "file link-to-file",
		"denied secret.txt", "loop self", "file sub/deeper/y.txt", "loop sub/loop", "file sub/z.txt",
	};
	const char **want = as_root ? want_root : want_user;
	int nwant = as_root ? 9 : 10, i = 0, loops = 0;

	(void)state;
	memset(&w, 0, sizeof(w));
	snprintf(w.root, sizeof(w.root), "%s/tree", tmpdir);
	assert_int_equal(mkdir(w.root, 0755), 0);
	make_file(w.root, "b.txt", "b");
	make_file(w.root, "a.txt", "a");
	make_dir(w.root, "sub");
	make_file(w.root, "sub/z.txt", "z");
	make_dir(w.root, "sub/deeper");
	make_file(w.root, "sub/deeper/y.txt", "y");
	make_dir(w.root, "Sub2");
	make_file(w.root, "Sub2/x.txt", "x");
	make_link(w.root, "sub/loop", "..");       /* back to the root: a loop */
	make_link(w.root, "link-to-file", "a.txt"); /* followed */
	make_link(w.root, "self", "self");          /* loops on itself */
	snprintf(fifo, sizeof(fifo), "%s/fifo", w.root);
	assert_int_equal(mkfifo(fifo, 0600), 0);     /* skipped with a note, never opened */
	if (!as_root) {
		make_file(w.root, "secret.txt", "s");
		snprintf(fifo, sizeof(fifo), "%s/secret.txt", w.root);
		chmod(fifo, 0);
	}
	alarm(10);
	assert_int_equal(nx_walk(w.root, on_walk, &w, &err), 0);
	alarm(0);
	for (i = 0; i < w.n && i < 64; i++)
		print_message("  walk: %s\n", w.lines[i]);
	for (i = 0; i < w.n && i < 64; i++)
		if (strncmp(w.lines[i], "loop ", 5) == 0)
			loops++;
	assert_int_equal(loops, 2); /* each loop reported once */
	assert_int_equal(w.n, nwant);
	for (i = 0; i < nwant; i++)
		assert_string_equal(w.lines[i], want[i]);
	/* the root given with a trailing slash gives the same paths */
	{
		walk_log w2;
		char root2[200];

		memset(&w2, 0, sizeof(w2));
		snprintf(w2.root, sizeof(w2.root), "%s", w.root);
		snprintf(root2, sizeof(root2), "%s/", w.root);
		assert_int_equal(nx_walk(root2, on_walk, &w2, &err), 0);
		assert_int_equal(w2.n, nwant);
		for (i = 0; i < nwant; i++)
			assert_string_equal(w2.lines[i], want[i]);
	}
}

static void test_walk_stop_and_single(void **state)
{
	walk_log w;
	nx_error err = NX_ERROR_INIT;
	char path[200];

	(void)state;
	memset(&w, 0, sizeof(w));
	snprintf(w.root, sizeof(w.root), "%s/tree2", tmpdir);
	assert_int_equal(mkdir(w.root, 0755), 0);
	make_file(w.root, "1.txt", "1");
	make_file(w.root, "2.txt", "2");
	make_file(w.root, "3.txt", "3");
	/* the callback's non-zero return stops the walk and is returned */
	w.stop_at = 2;
	assert_int_equal(nx_walk(w.root, on_walk, &w, &err), 1);
	assert_int_equal(w.n, 2);
	/* a single file */
	memset(&w.lines, 0, sizeof(w.lines));
	w.n = 0;
	w.stop_at = 0;
	snprintf(path, sizeof(path), "%s/2.txt", w.root);
	assert_int_equal(nx_walk(path, on_walk, &w, &err), 0);
	assert_int_equal(w.n, 1);
	assert_string_equal(w.lines[0], "file 2.txt");
	/* a missing path is reported through the callback, not fatal */
	w.n = 0;
	snprintf(path, sizeof(path), "%s/missing", w.root);
	assert_int_equal(nx_walk(path, on_walk, &w, &err), 0);
	assert_int_equal(w.n, 1);
	assert_string_equal(w.lines[0], "error missing");
}

/* Symbolic links leading out of the folder given are not followed (issue 16 item 10). */
static void test_walk_symlink_out(void **state)
{
	walk_log w;
	nx_ingest_opts opts = NX_INGEST_OPTS_INIT;
	nx_error err = NX_ERROR_INIT;
	char path[200];
	int i = 0;

	(void)state;
	memset(&w, 0, sizeof(w));
	snprintf(path, sizeof(path), "%s/outside", tmpdir);
	assert_int_equal(mkdir(path, 0755), 0);
	make_file(path, "secret.txt", "s");
	snprintf(w.root, sizeof(w.root), "%s/arch", tmpdir);
	assert_int_equal(mkdir(w.root, 0755), 0);
	make_file(w.root, "in.txt", "i");
	make_dir(w.root, "d");
	make_file(w.root, "d/deep.txt", "d");
	make_link(w.root, "in-link", "in.txt");        /* inside: followed */
	make_link(w.root, "d-link", "d");              /* inside: followed */
	make_link(w.root, "out-dir", "../outside");    /* leaves: skipped */
	snprintf(path, sizeof(path), "%s/outside/secret.txt", tmpdir);
	make_link(w.root, "out-file", path);           /* leaves: skipped */
	make_link(w.root, "passwd", "/etc/passwd");    /* leaves: skipped */
	make_link(w.root, "d/up", "../in.txt");        /* inside: followed */
	assert_int_equal(nx_walk(w.root, on_walk, &w, &err), 0);
	for (i = 0; i < w.n && i < 64; i++)
		print_message("  walk: %s\n", w.lines[i]);
	assert_int_equal(w.n, 9);
	assert_string_equal(w.lines[0], "file d/deep.txt");
	assert_string_equal(w.lines[1], "file d/up");
	assert_string_equal(w.lines[2], "file d-link/deep.txt");
	assert_string_equal(w.lines[3], "file d-link/up");
	assert_string_equal(w.lines[4], "file in-link");
	assert_string_equal(w.lines[5], "file in.txt");
	assert_string_equal(w.lines[6], "skip out-dir");
	assert_string_equal(w.lines[7], "skip out-file");
	assert_string_equal(w.lines[8], "skip passwd");
	memset(&w.lines, 0, sizeof(w.lines));
	w.n = 0;
	opts.follow_symlinks = 1;
	assert_int_equal(nx_walk_with(w.root, &opts, on_walk, &w, &err), 0);
	assert_int_equal(w.n, 9);
	assert_string_equal(w.lines[6], "file out-dir/secret.txt");
	assert_string_equal(w.lines[7], "file out-file");
	assert_string_equal(w.lines[8], "file passwd");
}

/* A FIFO given as the path is noted, never opened (it would block). */
static void test_walk_fifo_arg(void **state)
{
	walk_log w;
	nx_error err = NX_ERROR_INIT;
	char path[320];

	(void)state;
	memset(&w, 0, sizeof(w));
	snprintf(path, sizeof(path), "%s/walk-fifo", tmpdir);
	assert_int_equal(mkfifo(path, 0600), 0);
	snprintf(w.root, sizeof(w.root), "%s", tmpdir);
	alarm(10);
	assert_int_equal(nx_walk(path, on_walk, &w, &err), 0);
	alarm(0);
	assert_int_equal(w.n, 1);
	assert_string_equal(w.lines[0], "skip walk-fifo");
}

/* Last in the list: under UBSan a failure here aborts the process. */
static void test_walk_empty_dir(void **state)
{
	walk_log w;
	nx_error err = NX_ERROR_INIT;

	(void)state;
	memset(&w, 0, sizeof(w));
	snprintf(w.root, sizeof(w.root), "%s/emptydir", tmpdir);
	assert_int_equal(mkdir(w.root, 0755), 0);
	assert_int_equal(nx_walk(w.root, on_walk, &w, &err), 0);
	assert_int_equal(w.n, 0);
}

static void test_walk_unreadable_dir(void **state)
{
	walk_log w;
	nx_error err = NX_ERROR_INIT;
	char path[200];

	(void)state;
	if (geteuid() == 0) {
		skip(); /* root reads everything */
		return;
	}
	memset(&w, 0, sizeof(w));
	snprintf(w.root, sizeof(w.root), "%s/tree3", tmpdir);
	assert_int_equal(mkdir(w.root, 0755), 0);
	make_dir(w.root, "locked");
	make_file(w.root, "locked/in.txt", "x");
	make_file(w.root, "open.txt", "o");
	snprintf(path, sizeof(path), "%s/locked", w.root);
	chmod(path, 0);
	assert_int_equal(nx_walk(w.root, on_walk, &w, &err), 0);
	assert_int_equal(w.n, 2);
	assert_string_equal(w.lines[0], "denied locked");
	assert_string_equal(w.lines[1], "file open.txt");
	chmod(path, 0755);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_format_names),
		cmocka_unit_test(test_detect_fixtures),
		cmocka_unit_test(test_detect_prefixes),
		cmocka_unit_test(test_detect_small_inputs),
		cmocka_unit_test(test_detect_binary),
		cmocka_unit_test(test_detect_broken_markup),
		cmocka_unit_test(test_gunzip_single),
		cmocka_unit_test(test_gunzip_empty_member),
		cmocka_unit_test(test_gunzip_multi_member),
		cmocka_unit_test(test_gunzip_truncated),
		cmocka_unit_test(test_gunzip_truncated_at_chunk_boundary),
		cmocka_unit_test(test_gunzip_bomb),
		cmocka_unit_test(test_gunzip_garbage_after_member),
		cmocka_unit_test(test_gunzip_corrupt),
		cmocka_unit_test(test_ingest_gzip_text),
		cmocka_unit_test(test_ingest_gzip_truncated_text),
		cmocka_unit_test(test_ingest_buffer_errors),
		cmocka_unit_test(test_ingest_callback_stops),
		cmocka_unit_test(test_ingest_file_ok),
		cmocka_unit_test(test_ingest_file_missing),
		cmocka_unit_test(test_ingest_file_directory),
		cmocka_unit_test(test_ingest_file_fifo),
		cmocka_unit_test(test_ingest_file_empty),
		cmocka_unit_test(test_ingest_file_too_big),
		cmocka_unit_test(test_walk_tree),
		cmocka_unit_test(test_walk_stop_and_single),
		cmocka_unit_test(test_walk_symlink_out),
		cmocka_unit_test(test_walk_fifo_arg),
		cmocka_unit_test(test_walk_unreadable_dir),
		cmocka_unit_test(test_walk_empty_dir),
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}

/*
 * test_warc.c - unit tests for src/formats/warc.c.
 *
 * A capturing callback records what each dispatched document became
 * (title, url, record id, offset, capture time), so record iteration,
 * offsets and ids are checked on text/plain payloads (the plain-text parser
 * is finished) and on the HTML of corpus/sample.warc.gz.  Hostile input is
 * built in memory: Content-Length past the end, negative or huge numbers,
 * chunk sizes that overflow, a gzip bomb in a record and in an HTTP body,
 * NUL bytes, every prefix of a good file (each copied to an exact-size
 * buffer so sanitizers see any over-read).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "buf.h"
#include "ingest_private.h"
#include "newsidx/newsidx.h"

#define MAXCAP 32

typedef struct cap {
	size_t n;
	char *title[MAXCAP];
	char *url[MAXCAP];
	char *rid[MAXCAP];
	int64_t offset[MAXCAP];
	int64_t captured[MAXCAP];
	size_t nparas[MAXCAP];
} cap;

static char *dup_or_null(const char *s)
{
	return s != NULL ? strdup(s) : NULL;
}

static int on_article(nx_article *a, void *ctx)
{
	cap *c = ctx;

	if (c->n < MAXCAP) {
		c->title[c->n] = dup_or_null(a->title);
		c->url[c->n] = dup_or_null(a->url);
		c->rid[c->n] = dup_or_null(a->origin.record_id);
		c->offset[c->n] = a->origin.offset;
		c->captured[c->n] = a->captured.set ? a->captured.utc : -1;
		c->nparas[c->n] = a->nparas;
	}
	c->n++;
	return 0;
}

static void cap_free(cap *c)
{
	size_t i = 0;

	for (i = 0; i < MAXCAP && i < c->n; i++) {
		free(c->title[i]);
		free(c->url[i]);
		free(c->rid[i]);
	}
	memset(c, 0, sizeof(*c));
}

static char *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *buf = NULL;
	long n = 0;

	if (f == NULL)
		return NULL;
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	fseek(f, 0, SEEK_SET);
	buf = malloc((size_t)n + 1);
	if (buf != NULL && fread(buf, 1, (size_t)n, f) != (size_t)n) {
		free(buf);
		buf = NULL;
	}
	fclose(f);
	*len = (size_t)n;
	return buf;
}

/* gzip data into a malloc'd member */
static char *gzip_member(const char *data, size_t len, size_t *outlen)
{
	z_stream zs;
	size_t cap_ = compressBound((uLong)len) + 64;
	char *out = malloc(cap_);

	memset(&zs, 0, sizeof(zs));
	assert_int_equal(deflateInit2(&zs, 9, Z_DEFLATED, 31, 9, Z_DEFAULT_STRATEGY), Z_OK);
	zs.next_in = (Bytef *)data;
	zs.avail_in = (uInt)len;
	zs.next_out = (Bytef *)out;
	zs.avail_out = (uInt)cap_;
	assert_int_equal(deflate(&zs, Z_FINISH), Z_STREAM_END);
	*outlen = zs.total_out;
	deflateEnd(&zs);
	return out;
}

static void add_member(nx_buf *b, const char *data, size_t len)
{
	size_t n = 0;
	char *m = gzip_member(data, len, &n);

	nx_buf_add(b, m, n);
	free(m);
}

/* A WARC record with a text/plain HTTP response. */
static void text_record(nx_buf *b, const char *id, const char *uri, const char *text)
{
	nx_buf http = NX_BUF_INIT;

	nx_buf_addf(&http, "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n\r\n%s", text);
	nx_buf_addf(b, "WARC/1.0\r\nWARC-Type: response\r\nWARC-Record-ID: <urn:uuid:%s>\r\n"
		       "WARC-Date: 2023-05-02T10:00:00Z\r\nWARC-Target-URI: %s\r\n"
		       "Content-Type: application/http; msgtype=response\r\nContent-Length: %zu\r\n\r\n",
		    id, uri, http.len);
	nx_buf_add(b, http.buf, http.len);
	nx_buf_adds(b, "\r\n\r\n");
	nx_buf_free(&http);
}

/* Run nx_parse_warc on an exact-size copy of data. */
static int parse(const char *data, size_t len, size_t max_inflated, cap *c, nx_error *err)
{
	nx_ingest_opts opts = NX_INGEST_OPTS_INIT;
	nx_input in;
	char *copy = malloc(len > 0 ? len : 1);
	int rc = 0;

	memcpy(copy, data, len);
	opts.now = 1700000000;
	if (max_inflated > 0)
		opts.max_inflated = max_inflated;
	memset(&in, 0, sizeof(in));
	in.data = copy;
	in.len = len;
	in.offset = -1;
	in.opts = &opts;
	in.path = "test.warc";
	rc = nx_parse_warc(&in, on_article, c, err);
	free(copy);
	return rc;
}

/* Position of needle in d (it must be there). */
static size_t find(const char *d, size_t len, const char *needle)
{
	size_t i = 0, n = strlen(needle);

	for (i = 0; i + n <= len; i++)
		if (memcmp(d + i, needle, n) == 0)
			return i;
	fail_msg("'%s' not found", needle);
	return 0;
}

/* Offset of the record whose WARC-Record-ID contains id, in a plain WARC. */
static int64_t record_offset(const char *d, size_t len, const char *id)
{
	const char *p = NULL;
	size_t i = 0, n = strlen(id);

	for (i = 0; i + n <= len; i++)
		if (memcmp(d + i, id, n) == 0) {
			p = d + i;
			break;
		}
	assert_non_null(p);
	while (p > d && memcmp(p, "WARC/1.", 7) != 0)
		p--;
	return (int64_t)(p - d);
}

static const char *const ids[3] = {
	"10000000-0000-4000-8000-000000000002",
	"10000000-0000-4000-8000-000000000006",
	"10000000-0000-4000-8000-000000000008",
};

static void check_text_records(const cap *c)
{
	assert_int_equal(c->n, 3);
	assert_string_equal(c->title[0], "Ferry fares to rise in July");
	assert_string_equal(c->url[0], "https://news.example.net/ferry-fares");
	assert_string_equal(c->rid[0], "<urn:uuid:10000000-0000-4000-8000-000000000002>");
	/* 2023-05-02T10:00:01Z */
	assert_int_equal(c->captured[0], 1683021601);
	/* chunked + gzip Content-Encoding decoded */
	assert_string_equal(c->title[1], "Council approves new swimming pool");
	assert_string_equal(c->url[1], "https://news.example.net/pool");
	assert_int_equal(c->nparas[1], 2);
	/* a resource record */
	assert_string_equal(c->title[2], "Museum extends opening hours");
	assert_string_equal(c->rid[2], "<urn:uuid:10000000-0000-4000-8000-000000000008>");
}

static void test_plain_records(void **state)
{
	size_t len = 0, i = 0;
	char *d = slurp(NX_TEST_DATA "/warc/text.warc", &len);
	cap c;
	nx_error err = NX_ERROR_INIT;

	(void)state;
	memset(&c, 0, sizeof(c));
	assert_non_null(d);
	assert_int_equal(nx_ingest_buffer(d, len, "text.warc", NULL, on_article, &c, &err), NX_OK);
	check_text_records(&c);
	for (i = 0; i < 3; i++)
		assert_int_equal(c.offset[i], record_offset(d, len, ids[i]));
	cap_free(&c);
	free(d);
}

/* The offsets of the gzip members of a .warc.gz. */
static size_t member_offsets(const char *d, size_t len, int64_t *out, size_t max)
{
	size_t pos = 0, n = 0;

	while (pos < len && n < max) {
		z_stream zs;
		char sink[4096];
		int zrc = Z_OK;

		memset(&zs, 0, sizeof(zs));
		assert_int_equal(inflateInit2(&zs, 31), Z_OK);
		zs.next_in = (Bytef *)(d + pos);
		zs.avail_in = (uInt)(len - pos);
		do {
			zs.next_out = (Bytef *)sink;
			zs.avail_out = sizeof(sink);
			zrc = inflate(&zs, Z_NO_FLUSH);
		} while (zrc == Z_OK);
		assert_int_equal(zrc, Z_STREAM_END);
		out[n++] = (int64_t)pos;
		pos += zs.total_in;
		inflateEnd(&zs);
	}
	return n;
}

static void test_gzip_records(void **state)
{
	size_t len = 0, n = 0;
	char *d = slurp(NX_TEST_DATA "/warc/text.warc.gz", &len);
	int64_t offs[16];
	cap c;
	nx_error err = NX_ERROR_INIT;

	(void)state;
	memset(&c, 0, sizeof(c));
	assert_non_null(d);
	n = member_offsets(d, len, offs, 16);
	assert_int_equal(n, 10);
	assert_int_equal(nx_ingest_buffer(d, len, "text.warc.gz", NULL, on_article, &c, &err), NX_OK);
	check_text_records(&c);
	/* records 2, 6 and 8 of 10 (1-based) */
	assert_int_equal(c.offset[0], offs[1]);
	assert_int_equal(c.offset[1], offs[5]);
	assert_int_equal(c.offset[2], offs[7]);
	cap_free(&c);
	free(d);
}

static void test_corpus_sample(void **state)
{
	size_t len = 0;
	char *d = slurp(NX_CORPUS "/sample.warc.gz", &len);
	cap c;
	nx_error err = NX_ERROR_INIT;
	int rc = 0;

	(void)state;
	memset(&c, 0, sizeof(c));
	assert_non_null(d);
	rc = nx_ingest_buffer(d, len, "sample.warc.gz", NULL, on_article, &c, &err);
	if (rc == NX_EFORMAT && strstr(err.msg, "not supported yet") != NULL) {
		/* the HTML parser has not landed: both documents were dispatched */
		assert_non_null(strstr(err.msg, "2 of 2 documents"));
		goto done;
	}
	assert_int_equal(rc, NX_OK);
	/* request and revisit skipped; two HTML responses (one gzip + chunked) */
	assert_int_equal(c.n, 2);
	assert_non_null(strstr(c.url[0], "tram-harbour"));
	assert_non_null(strstr(c.title[0], "Tram line to the harbour opens"));
	assert_string_equal(c.rid[0], "<urn:uuid:00000000-0000-4000-8000-000000000003>");
	assert_non_null(strstr(c.url[1], "frost"));
	assert_non_null(strstr(c.title[1], "Night frost"));
	assert_true(c.nparas[1] >= 2);
	assert_true(c.offset[0] > 0 && c.offset[1] > c.offset[0]);
done:
	cap_free(&c);
	free(d);
}

static void test_truncated(void **state)
{
	size_t len = 0;
	char *d = slurp(NX_TEST_DATA "/warc/text.warc", &len);
	int64_t res = 0;
	cap c;
	nx_error err = NX_ERROR_INIT;
	char want[64];

	(void)state;
	memset(&c, 0, sizeof(c));
	assert_non_null(d);
	res = record_offset(d, len, ids[2]);
	/* cut inside the resource record's block */
	assert_int_equal(parse(d, find(d, len, "Museum extends") + 10, 0, &c, &err),
			 NX_EFORMAT);
	assert_int_equal(c.n, 2);
	snprintf(want, sizeof(want), "truncated WARC record at offset %lld", (long long)res);
	assert_string_equal(err.msg, want);
	cap_free(&c);
	free(d);
}

/* Every prefix and some byte flips of both files: never crash, never hang. */
static void test_every_prefix(void **state)
{
	const char *files[2] = { NX_TEST_DATA "/warc/text.warc", NX_TEST_DATA "/warc/text.warc.gz" };
	size_t f = 0, n = 0, len = 0;

	(void)state;
	for (f = 0; f < 2; f++) {
		char *d = slurp(files[f], &len);

		assert_non_null(d);
		for (n = 0; n <= len; n++) {
			cap c;
			nx_error err = NX_ERROR_INIT;
			int rc = 0;

			memset(&c, 0, sizeof(c));
			rc = parse(d, n, 0, &c, &err);
			assert_true(rc == NX_OK || rc == NX_EFORMAT);
			assert_true(c.n <= 3);
			if (n == len)
				assert_int_equal(c.n, 3);
			cap_free(&c);
		}
		for (n = 0; n < len; n += 7) {
			cap c;
			nx_error err = NX_ERROR_INIT;
			int rc = 0;

			memset(&c, 0, sizeof(c));
			d[n] ^= 0x5a;
			rc = parse(d, len, 0, &c, &err);
			d[n] ^= 0x5a;
			assert_true(rc == NX_OK || rc == NX_EFORMAT);
			cap_free(&c);
		}
		free(d);
	}
}

static void test_bad_content_length(void **state)
{
	static const char *const bad[] = { "-5", "99999999999999999999", "18446744073709551615", "0x10",
					    "12abc", "", " " };
	size_t i = 0;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		nx_buf b = NX_BUF_INIT;
		cap c;
		nx_error err = NX_ERROR_INIT;

		memset(&c, 0, sizeof(c));
		text_record(&b, "a", "http://x.example/a", "First story\n\nSome text here.\n");
		nx_buf_addf(&b, "WARC/1.0\r\nWARC-Type: resource\r\nContent-Type: text/plain\r\n"
			       "Content-Length: %s\r\n\r\nHello\n", bad[i]);
		assert_int_equal(parse(b.buf, b.len, 0, &c, &err), NX_EFORMAT);
		assert_int_equal(c.n, 1);
		assert_non_null(strstr(err.msg, "bad WARC record header at offset"));
		cap_free(&c);
		nx_buf_free(&b);
	}
	{
		/* larger than the file */
		nx_buf b = NX_BUF_INIT;
		cap c;
		nx_error err = NX_ERROR_INIT;

		memset(&c, 0, sizeof(c));
		nx_buf_adds(&b, "WARC/1.0\r\nWARC-Type: resource\r\nContent-Type: text/plain\r\n"
				"Content-Length: 9223372036854775807\r\n\r\nHello\n");
		assert_int_equal(parse(b.buf, b.len, 0, &c, &err), NX_EFORMAT);
		assert_int_equal(c.n, 0);
		nx_buf_reset(&b);
		nx_buf_adds(&b, "WARC/1.0\r\nWARC-Type: resource\r\nContent-Type: text/plain\r\n"
				"Content-Length: 1000\r\n\r\nHello\n");
		assert_int_equal(parse(b.buf, b.len, 0, &c, &err), NX_EFORMAT);
		assert_string_equal(err.msg, "truncated WARC record at offset 0");
		/* no Content-Length at all */
		nx_buf_reset(&b);
		nx_buf_adds(&b, "WARC/1.0\r\nWARC-Type: resource\r\n\r\nHello\n");
		assert_int_equal(parse(b.buf, b.len, 0, &c, &err), NX_EFORMAT);
		assert_non_null(strstr(err.msg, "no Content-Length"));
		cap_free(&c);
		nx_buf_free(&b);
	}
}

static void chunked_response(nx_buf *b, const char *body)
{
	nx_buf http = NX_BUF_INIT;

	nx_buf_addf(&http, "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nTransfer-Encoding: chunked\r\n\r\n%s",
		    body);
	nx_buf_addf(b, "WARC/1.0\r\nWARC-Type: response\r\nWARC-Target-URI: http://x.example/c\r\n"
		       "Content-Length: %zu\r\n\r\n", http.len);
	nx_buf_add(b, http.buf, http.len);
	nx_buf_adds(b, "\r\n\r\n");
	nx_buf_free(&http);
}

static void test_chunks(void **state)
{
	static const char *const bodies[] = {
		"FFFFFFFFFFFFFFFFFFFFFFFF\r\nOverflow story\n\nText.\r\n0\r\n\r\n",
		"7fffffffffffffff\r\nShort chunk story\n\nText.\r\n",
		"ffffffffffffffff;ext=1\r\nAnother story\r\n",
		"10\r\nChunked story\n\n\r\n8\r\nBody tex\r\n3\r\nt.\n\r\n0\r\n\r\n",
		"Not chunked at all\n\nThe header lied.\n",
		"5\r\nab",
		"",
	};
	size_t i = 0;

	(void)state;
	for (i = 0; i < sizeof(bodies) / sizeof(bodies[0]); i++) {
		nx_buf b = NX_BUF_INIT;
		cap c;
		nx_error err = NX_ERROR_INIT;
		int rc = 0;

		memset(&c, 0, sizeof(c));
		chunked_response(&b, bodies[i]);
		rc = parse(b.buf, b.len, 0, &c, &err);
		assert_true(rc == NX_OK || rc == NX_EFORMAT);
		if (i == 3) {
			assert_int_equal(rc, NX_OK);
			assert_int_equal(c.n, 1);
			assert_string_equal(c.title[0], "Chunked story");
		}
		if (i == 4) {
			assert_int_equal(c.n, 1);
			assert_string_equal(c.title[0], "Not chunked at all");
		}
		cap_free(&c);
		nx_buf_free(&b);
	}
}

static void test_gzip_bomb(void **state)
{
	nx_buf b = NX_BUF_INIT, rec = NX_BUF_INIT;
	size_t big = 4u << 20, i = 0;
	char *zeros = malloc(big);
	cap c;
	nx_error err = NX_ERROR_INIT;

	(void)state;
	memset(&c, 0, sizeof(c));
	memset(zeros, 'a', big);
	text_record(&rec, "one", "http://x.example/1", "Before the bomb\n\nText one.\n");
	add_member(&b, rec.buf, rec.len);
	nx_buf_reset(&rec);
	nx_buf_addf(&rec, "WARC/1.0\r\nWARC-Type: resource\r\nContent-Type: text/plain\r\n"
			  "Content-Length: %zu\r\n\r\n", big);
	nx_buf_add(&rec, zeros, big);
	add_member(&b, rec.buf, rec.len);
	nx_buf_reset(&rec);
	text_record(&rec, "three", "http://x.example/3", "After the bomb\n\nText three.\n");
	add_member(&b, rec.buf, rec.len);
	assert_true(b.len < 64 * 1024);
	assert_int_equal(parse(b.buf, b.len, 1u << 20, &c, &err), NX_EFORMAT);
	assert_int_equal(c.n, 2);
	assert_string_equal(c.title[0], "Before the bomb");
	assert_string_equal(c.title[1], "After the bomb");
	assert_non_null(strstr(err.msg, "inflates to more than 1 MB"));
	cap_free(&c);

	/* a bomb in the HTTP Content-Encoding of a plain record */
	nx_buf_reset(&b);
	{
		size_t zn = 0;
		char *z = gzip_member(zeros, big, &zn);
		nx_buf http = NX_BUF_INIT;

		nx_buf_adds(&http, "HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Encoding: gzip\r\n\r\n");
		nx_buf_add(&http, z, zn);
		nx_buf_addf(&b, "WARC/1.0\r\nWARC-Type: response\r\nContent-Length: %zu\r\n\r\n", http.len);
		nx_buf_add(&b, http.buf, http.len);
		nx_buf_adds(&b, "\r\n\r\n");
		text_record(&b, "after", "http://x.example/4", "After the HTTP bomb\n\nText.\n");
		free(z);
		nx_buf_free(&http);
	}
	assert_int_equal(parse(b.buf, b.len, 1u << 20, &c, &err), NX_EFORMAT);
	assert_int_equal(c.n, 1);
	assert_string_equal(c.title[0], "After the HTTP bomb");
	assert_non_null(strstr(err.msg, "1 of 1 documents could not be read"));
	assert_non_null(strstr(err.msg, "inflates to more than 1 MB"));
	cap_free(&c);
	for (i = 0; i < 1; i++)
		nx_buf_free(&b);
	nx_buf_free(&rec);
	free(zeros);
}

static void test_split_member_and_corrupt(void **state)
{
	nx_buf b = NX_BUF_INIT, rec = NX_BUF_INIT;
	cap c;
	nx_error err = NX_ERROR_INIT;
	size_t first = 0, half = 0;

	(void)state;
	memset(&c, 0, sizeof(c));
	/* one record split over two gzip members (warcio's wrong-chunks case) */
	text_record(&rec, "split", "http://x.example/s", "Split story\n\nIts text.\n");
	half = rec.len / 2;
	add_member(&b, rec.buf, half);
	add_member(&b, rec.buf + half, rec.len - half);
	first = b.len;
	nx_buf_reset(&rec);
	text_record(&rec, "next", "http://x.example/n", "Next story\n\nMore text.\n");
	add_member(&b, rec.buf, rec.len);
	assert_int_equal(parse(b.buf, b.len, 0, &c, &err), NX_OK);
	assert_int_equal(c.n, 2);
	assert_string_equal(c.title[0], "Split story");
	assert_int_equal(c.offset[0], 0);
	assert_int_equal(c.offset[1], (int64_t)first);
	cap_free(&c);

	/* corrupt the first member's deflate data: the next record is still read */
	b.buf[20] ^= 0xff;
	b.buf[21] ^= 0xff;
	memset(&c, 0, sizeof(c));
	assert_int_equal(parse(b.buf, b.len, 0, &c, &err), NX_EFORMAT);
	assert_int_equal(c.n, 1);
	assert_string_equal(c.title[0], "Next story");
	cap_free(&c);
	nx_buf_free(&b);
	nx_buf_free(&rec);
}

static void test_nul_and_junk(void **state)
{
	nx_buf b = NX_BUF_INIT;
	cap c;
	nx_error err = NX_ERROR_INIT;
	static const char hdr[] = "WARC/1.0\r\nWARC-Type: resource\r\nWARC-Target-URI: http://x.example/\0nul\r\n"
				  "Content-Type: text/plain\r\nContent-Length: 24\r\n\r\n"
				  "Title\0with NUL\n\nBody\0.\n\r\n\r\n";

	(void)state;
	memset(&c, 0, sizeof(c));
	nx_buf_add(&b, hdr, sizeof(hdr) - 1);
	assert_true(parse(b.buf, b.len, 0, &c, &err) <= NX_OK);
	cap_free(&c);
	/* junk after a good record */
	nx_buf_reset(&b);
	text_record(&b, "ok", "http://x.example/ok", "Good story\n\nText.\n");
	nx_buf_adds(&b, "GARBAGE\r\n");
	assert_int_equal(parse(b.buf, b.len, 0, &c, &err), NX_EFORMAT);
	assert_int_equal(c.n, 1);
	assert_non_null(strstr(err.msg, "bad WARC record header at offset"));
	cap_free(&c);
	/* ARC */
	nx_buf_reset(&b);
	nx_buf_adds(&b, "filedesc://x.arc 127.0.0.1 20140216050221 text/plain 75\n");
	assert_int_equal(parse(b.buf, b.len, 0, &c, &err), NX_EFORMAT);
	assert_non_null(strstr(err.msg, "ARC files"));
	/* huge header block without an end */
	nx_buf_reset(&b);
	nx_buf_adds(&b, "WARC/1.0\r\n");
	while (b.len < 300 * 1024)
		nx_buf_adds(&b, "X-Filler: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\r\n");
	assert_int_equal(parse(b.buf, b.len, 0, &c, &err), NX_EFORMAT);
	assert_non_null(strstr(err.msg, "longer than"));
	cap_free(&c);
	nx_buf_free(&b);
}

static void test_skipped_status_and_types(void **state)
{
	nx_buf b = NX_BUF_INIT;
	cap c;
	nx_error err = NX_ERROR_INIT;
	static const char *const http[] = {
		"HTTP/1.1 301 Moved\r\nLocation: /x\r\nContent-Type: text/html\r\n\r\n<html><body>moved</body></html>",
		"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n\r\n{\"title\": \"no\"}",
		"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Encoding: br\r\n\r\n\x0b\x02\x80",
		"HTTP/1.1 200",
	};
	size_t i = 0;

	(void)state;
	memset(&c, 0, sizeof(c));
	for (i = 0; i < sizeof(http) / sizeof(http[0]); i++) {
		nx_buf_addf(&b, "WARC/1.0\r\nWARC-Type: response\r\nContent-Length: %zu\r\n\r\n%s\r\n\r\n",
			    strlen(http[i]), http[i]);
	}
	nx_buf_addf(&b, "WARC/1.0\r\nWARC-Type: request\r\nContent-Length: 5\r\n\r\nGET /\r\n\r\n");
	assert_int_equal(parse(b.buf, b.len, 0, &c, &err), NX_EFORMAT);
	assert_int_equal(c.n, 0);
	/* only the undecodable text/plain record and the headless one count */
	assert_non_null(strstr(err.msg, "2 of 2 documents"));
	cap_free(&c);
	nx_buf_free(&b);
}

static void test_real_warcio(void **state)
{
	static const char *const files[] = {
		"example.warc", "example.warc.gz", "example-iana.org-chunked.warc", "example-trunc.warc",
		"example-resource.warc.gz", "example-wrong-chunks.warc.gz", "example-bad.warc.gz.bad",
		"example-bad-non-chunked.warc.gz", "example-digest.warc", "post-test.warc.gz",
		"example-space-in-target-uri.warc.gz", "example-wget-bad-target-uri.warc.gz",
	};
	size_t i = 0;
	FILE *f = fopen(NX_SHARED_DATA "/warc/warcio/example.warc", "rb");

	(void)state;
	if (f == NULL)
		skip();
	fclose(f);
	for (i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		char path[512];
		cap c;
		nx_error err = NX_ERROR_INIT;
		int rc = 0;

		memset(&c, 0, sizeof(c));
		snprintf(path, sizeof(path), "%s/warc/warcio/%s", NX_SHARED_DATA, files[i]);
		rc = nx_ingest_file(path, NULL, on_article, &c, &err);
		assert_true(rc == NX_OK || rc == NX_EFORMAT);
		if (strcmp(files[i], "example-digest.warc") == 0 || strcmp(files[i], "post-test.warc.gz") == 0) {
			/* requests only / JSON responses only */
			assert_int_equal(rc, NX_OK);
			assert_int_equal(c.n, 0);
		}
		if (rc == NX_OK && strcmp(files[i], "example-iana.org-chunked.warc") == 0) {
			assert_int_equal(c.n, 1);
			/* the page's canonical link may win over WARC-Target-URI */
			assert_non_null(strstr(c.url[0], "iana.org"));
			assert_string_equal(c.rid[0], "<urn:uuid:a96ae1a5-931d-4c45-96f3-98576d155f8b>");
			assert_int_equal(c.offset[0], 405);
		}
		if (rc == NX_OK && strcmp(files[i], "example-wget-bad-target-uri.warc.gz") == 0) {
			/* <http://example.com/> loses its brackets; wget's metadata:// logs are skipped */
			assert_int_equal(c.n, 1);
			assert_string_equal(c.url[0], "http://example.com/");
		}
		cap_free(&c);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_plain_records),
		cmocka_unit_test(test_gzip_records),
		cmocka_unit_test(test_corpus_sample),
		cmocka_unit_test(test_truncated),
		cmocka_unit_test(test_every_prefix),
		cmocka_unit_test(test_bad_content_length),
		cmocka_unit_test(test_chunks),
		cmocka_unit_test(test_gzip_bomb),
		cmocka_unit_test(test_split_member_and_corrupt),
		cmocka_unit_test(test_nul_and_junk),
		cmocka_unit_test(test_skipped_status_and_types),
		cmocka_unit_test(test_real_warcio),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

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
 *
 * The streaming reader (nx_parse_warc_fd, used by nx_ingest_file for WARC
 * files) must give what the buffer gives: the same articles, offsets,
 * record ids, result and message, on every sample and real file, every
 * prefix and byte flip, and a large generated file whose records cross
 * the reader's 1 MB windows (a video passed over, records split over gzip
 * members, plain records then gzip members); bombs stay bounded.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include "util/buf.h"
#include "formats/format.h"
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

/* ---- the streaming reader ---- */

/* What one parse gave: articles, result and message. */
typedef struct run {
	cap c;
	int rc;
	char msg[NX_ERROR_MSG_MAX];
} run;

static void run_free(run *r)
{
	cap_free(&r->c);
}

static void opts_for(nx_ingest_opts *opts, size_t max_inflated)
{
	nx_ingest_opts init = NX_INGEST_OPTS_INIT;

	*opts = init;
	opts->now = 1700000000;
	if (max_inflated > 0)
		opts->max_inflated = max_inflated;
}

/* nx_parse_warc on an exact-size copy of data. */
static void run_buffer(run *r, const char *data, size_t len, size_t max_inflated)
{
	nx_error err = NX_ERROR_INIT;

	memset(r, 0, sizeof(*r));
	r->rc = parse(data, len, max_inflated, &r->c, &err);
	if (r->rc < 0)
		snprintf(r->msg, sizeof(r->msg), "%s", err.msg);
}

/* A temporary file holding data[0..len); returns its path (static). */
static const char *temp_file(const char *data, size_t len)
{
	static char path[64];
	int fd = -1;
	size_t done = 0;

	snprintf(path, sizeof(path), "/tmp/nx-test-warc-XXXXXX");
	fd = mkstemp(path);
	assert_true(fd >= 0);
	while (done < len) {
		ssize_t n = write(fd, data + done, len - done);

		assert_true(n > 0);
		done += (size_t)n;
	}
	close(fd);
	return path;
}

/* nx_parse_warc_fd on data written to a file. */
static void run_fd(run *r, const char *data, size_t len, size_t max_inflated)
{
	nx_ingest_opts opts;
	nx_error err = NX_ERROR_INIT;
	const char *path = temp_file(data, len);
	int fd = open(path, O_RDONLY);

	unlink(path); /* gone even when an assertion fails */
	assert_true(fd >= 0);
	opts_for(&opts, max_inflated);
	memset(r, 0, sizeof(*r));
	r->rc = nx_parse_warc_fd(fd, "test.warc", &opts, on_article, &r->c, &err);
	if (r->rc < 0)
		snprintf(r->msg, sizeof(r->msg), "%s", err.msg);
	close(fd);
}

/*
 * A bomb under the size limit (issue 16 item 7): 48 MB of spaces from
 * 48 KB, in a .warc.gz member and in an HTTP Content-Encoding, with the
 * default 1 GB limit.  The 500:1 guard of nx_gunzip stops both at 32 MB.
 */
static void test_ratio_bomb(void **state)
{
	nx_buf b = NX_BUF_INIT, rec = NX_BUF_INIT, http = NX_BUF_INIT;
	size_t big = 48u << 20, zn = 0;
	char *spaces = malloc(big), *z = NULL;
	cap c;
	nx_error err = NX_ERROR_INIT;
	run r;

	(void)state;
	assert_non_null(spaces);
	memset(&c, 0, sizeof(c));
	memset(spaces, ' ', big);
	memcpy(spaces, "<html><body><p>x", 16);
	nx_buf_addf(&rec, "WARC/1.0\r\nWARC-Type: resource\r\nContent-Type: text/html\r\n"
			  "Content-Length: %zu\r\n\r\n", big);
	nx_buf_add(&rec, spaces, big);
	add_member(&b, rec.buf, rec.len);
	nx_buf_reset(&rec);
	text_record(&rec, "after", "http://x.example/2", "After the bomb\n\nText.\n");
	add_member(&b, rec.buf, rec.len);
	assert_true(b.len < 256 * 1024);
	assert_int_equal(parse(b.buf, b.len, 0, &c, &err), NX_EFORMAT);
	assert_int_equal(c.n, 1);
	assert_string_equal(c.title[0], "After the bomb");
	assert_non_null(strstr(err.msg, "gzip bomb"));
	cap_free(&c);
	run_fd(&r, b.buf, b.len, 0);
	assert_int_equal(r.rc, NX_EFORMAT);
	assert_int_equal(r.c.n, 1);
	assert_non_null(strstr(r.msg, "gzip bomb"));
	run_free(&r);

	nx_buf_reset(&b);
	z = gzip_member(spaces, big, &zn);
	nx_buf_adds(&http, "HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Encoding: gzip\r\n\r\n");
	nx_buf_add(&http, z, zn);
	nx_buf_addf(&b, "WARC/1.0\r\nWARC-Type: response\r\nContent-Length: %zu\r\n\r\n", http.len);
	nx_buf_add(&b, http.buf, http.len);
	nx_buf_adds(&b, "\r\n\r\n");
	text_record(&b, "after", "http://x.example/4", "After the HTTP bomb\n\nText.\n");
	assert_int_equal(parse(b.buf, b.len, 0, &c, &err), NX_EFORMAT);
	assert_int_equal(c.n, 1);
	assert_string_equal(c.title[0], "After the HTTP bomb");
	assert_non_null(strstr(err.msg, "gzip bomb"));
	cap_free(&c);
	free(z);
	nx_buf_free(&http);
	nx_buf_free(&b);
	nx_buf_free(&rec);
	free(spaces);
}

static int str_same(const char *a, const char *b)
{
	return (a == NULL && b == NULL) || (a != NULL && b != NULL && strcmp(a, b) == 0);
}

/* The two runs gave the same: print the first difference. */
static void assert_same(const run *a, const run *b, const char *what)
{
	size_t i = 0;

	if (a->rc != b->rc || strcmp(a->msg, b->msg) != 0 || a->c.n != b->c.n)
		fail_msg("%s: buffer gave %d '%s' and %zu articles, the stream %d '%s' and %zu", what, a->rc,
			 a->msg, a->c.n, b->rc, b->msg, b->c.n);
	for (i = 0; i < a->c.n && i < MAXCAP; i++) {
		if (!str_same(a->c.title[i], b->c.title[i]) || !str_same(a->c.url[i], b->c.url[i]) ||
		    !str_same(a->c.rid[i], b->c.rid[i]) || a->c.offset[i] != b->c.offset[i] ||
		    a->c.captured[i] != b->c.captured[i] || a->c.nparas[i] != b->c.nparas[i])
			fail_msg("%s: article %zu differs: '%s' %s %lld / '%s' %s %lld", what, i,
				 a->c.title[i] != NULL ? a->c.title[i] : "", a->c.rid[i] != NULL ? a->c.rid[i] : "-",
				 (long long)a->c.offset[i], b->c.title[i] != NULL ? b->c.title[i] : "",
				 b->c.rid[i] != NULL ? b->c.rid[i] : "-", (long long)b->c.offset[i]);
	}
}

static void same_both_ways(const char *data, size_t len, size_t max_inflated, const char *what)
{
	run a, b;

	run_buffer(&a, data, len, max_inflated);
	run_fd(&b, data, len, max_inflated);
	assert_same(&a, &b, what);
	run_free(&a);
	run_free(&b);
}

/* nx_ingest_file (which streams WARC files) against nx_ingest_buffer on the whole file. */
static void same_file_and_buffer(const char *path)
{
	size_t len = 0;
	char *d = slurp(path, &len);
	nx_ingest_opts opts;
	nx_error err = NX_ERROR_INIT;
	run a, b;

	assert_non_null(d);
	opts_for(&opts, 0);
	memset(&a, 0, sizeof(a));
	memset(&b, 0, sizeof(b));
	a.rc = nx_ingest_buffer(d, len, path, &opts, on_article, &a.c, &err);
	if (a.rc < 0)
		snprintf(a.msg, sizeof(a.msg), "%s", err.msg);
	nx_error_clear(&err);
	b.rc = nx_ingest_file(path, &opts, on_article, &b.c, &err);
	if (b.rc < 0)
		snprintf(b.msg, sizeof(b.msg), "%s", err.msg);
	assert_same(&a, &b, path);
	/* and the parser on its own, for files that are WARCs */
	if (len > 0)
		same_both_ways(d, len, 0, path);
	run_free(&a);
	run_free(&b);
	free(d);
}

/* Every regular file of dir; 0 when dir cannot be opened. */
static size_t each_file(const char *dir, void (*fn)(const char *path))
{
	DIR *dh = opendir(dir);
	struct dirent *de = NULL;
	size_t n = 0;

	if (dh == NULL)
		return 0;
	while ((de = readdir(dh)) != NULL) {
		char path[1024];
		struct stat st;

		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		if (stat(path, &st) != 0 || !S_ISREG(st.st_mode))
			continue;
		fn(path);
		n++;
	}
	closedir(dh);
	return n;
}

static void test_stream_same_on_files(void **state)
{
	(void)state;
	assert_true(each_file(NX_TEST_DATA "/warc", same_file_and_buffer) >= 2);
	same_file_and_buffer(NX_CORPUS "/sample.warc.gz");
	if (each_file(NX_SHARED_DATA "/warc/warcio", same_file_and_buffer) == 0)
		skip();
}

/* Every prefix, and a byte flip every 5 bytes, of both samples: the stream gives what the buffer gives. */
static void test_stream_same_on_prefixes(void **state)
{
	const char *files[2] = { NX_TEST_DATA "/warc/text.warc", NX_TEST_DATA "/warc/text.warc.gz" };
	size_t f = 0, n = 0, len = 0;
	char what[64];

	(void)state;
	for (f = 0; f < 2; f++) {
		char *d = slurp(files[f], &len);

		assert_non_null(d);
		for (n = 1; n <= len; n++) {
			snprintf(what, sizeof(what), "file %zu, %zu bytes", f, n);
			same_both_ways(d, n, 0, what);
		}
		for (n = 0; n < len; n += 5) {
			d[n] ^= 0x5a;
			snprintf(what, sizeof(what), "file %zu, flip at %zu", f, n);
			same_both_ways(d, len, 0, what);
			d[n] ^= 0x5a;
		}
		free(d);
	}
}

/* A record of type type with a block of len bytes of text (a title line, then paragraphs). */
static void big_record(nx_buf *b, const char *type, const char *ctype, const char *id, size_t len)
{
	size_t start = 0, i = 0;

	nx_buf_addf(b, "WARC/1.0\r\nWARC-Type: %s\r\nWARC-Record-ID: <urn:uuid:%s>\r\n"
		       "WARC-Date: 2023-05-02T10:00:00Z\r\nWARC-Target-URI: http://x.example/%s\r\n"
		       "Content-Type: %s\r\nContent-Length: %zu\r\n\r\n",
		    type, id, id, ctype, len);
	start = b->len;
	nx_buf_addf(b, "Story %s\n\n", id);
	for (i = 0; b->len - start < len; i++)
		nx_buf_addf(b, "Paragraph %zu of story %s, long enough to be a paragraph.\n\n", i, id);
	nx_buf_truncate(b, start + len);
	nx_buf_adds(b, "\r\n\r\n");
}

/*
 * Records crossing the 1 MB windows of the stream: a 1.3 MB story, a
 * 3 MB video passed over, a 1.2 MB request; then the same again as gzip
 * members, one record split over three members.
 */
static void big_warc(nx_buf *out)
{
	nx_buf plain = NX_BUF_INIT, rec = NX_BUF_INIT;
	char id[32];
	size_t i = 0, a = 0, third = 0;

	for (i = 0; i < 12; i++) {
		size_t len = i == 3 ? (1u << 20) + 300000 : i == 7 ? (1u << 20) + 17 : 1000 + i * 70001;

		snprintf(id, sizeof(id), "p%zu", i);
		if (i == 5)
			big_record(&plain, "resource", "video/mp4", id, 3u << 20);
		else if (i == 9)
			big_record(&plain, "request", "application/http", id, 1200000);
		else
			big_record(&plain, "resource", "text/plain", id, len);
	}
	nx_buf_add(out, plain.buf, plain.len);
	for (i = 0; i < 12; i++) {
		nx_buf_reset(&rec);
		snprintf(id, sizeof(id), "g%zu", i);
		if (i == 5)
			big_record(&rec, "resource", "video/mp4", id, 3u << 20);
		else
			big_record(&rec, "resource", "text/plain", id, i == 4 ? (1u << 20) + 100000 : 500 + i * 90001);
		if (i == 2 || i == 4) {
			third = rec.len / 3;
			for (a = 0; a < 3; a++)
				add_member(out, rec.buf + a * third, a < 2 ? third : rec.len - 2 * third);
		} else {
			add_member(out, rec.buf, rec.len);
		}
	}
	nx_buf_free(&plain);
	nx_buf_free(&rec);
}

static void test_stream_big_file(void **state)
{
	nx_buf b = NX_BUF_INIT;
	run a, s;
	size_t i = 0;

	(void)state;
	big_warc(&b);
	assert_true(nx_buf_ok(&b));
	assert_true(b.len > (8u << 20));
	run_buffer(&a, b.buf, b.len, 0);
	run_fd(&s, b.buf, b.len, 0);
	assert_same(&a, &s, "big file");
	/* 10 plain stories and 11 gzip ones; the videos and the request are passed over */
	assert_int_equal(a.rc, NX_OK);
	assert_int_equal(a.c.n, 21);
	assert_string_equal(s.c.title[3], "Story p3");
	assert_true(s.c.nparas[3] > 10000);
	assert_string_equal(s.c.rid[10], "<urn:uuid:g0>");
	for (i = 1; i < s.c.n; i++)
		assert_true(s.c.offset[i] > s.c.offset[i - 1]);
	run_free(&a);
	run_free(&s);
	/* cut in the middle of the 2.5 MB story, of the video, of a split record */
	{
		size_t cuts[3] = { 0, 0, b.len - 20 };

		cuts[0] = find(b.buf, b.len, "Paragraph 15000 of story p3");
		cuts[1] = find(b.buf, b.len, "WARC-Record-ID: <urn:uuid:p5>") + (2u << 20);
		for (i = 0; i < 3; i++) {
			run_buffer(&a, b.buf, cuts[i], 0);
			run_fd(&s, b.buf, cuts[i], 0);
			assert_same(&a, &s, "big file cut");
			assert_int_equal(s.rc, NX_EFORMAT);
			assert_non_null(strstr(s.msg, "truncated WARC record at offset"));
			run_free(&a);
			run_free(&s);
		}
	}
	/* a limit below the big records: they are noted, the others read */
	run_buffer(&a, b.buf, b.len, 1u << 20);
	run_fd(&s, b.buf, b.len, 1u << 20);
	assert_same(&a, &s, "big file, 1 MB limit");
	assert_int_equal(s.rc, NX_EFORMAT);
	assert_int_equal(s.c.n, 18);
	assert_non_null(strstr(s.msg, "first: record at offset"));
	assert_non_null(strstr(s.msg, "record is larger than 1 MB (limit)"));
	run_free(&a);
	run_free(&s);
	nx_buf_free(&b);
}

static void test_stream_truncated(void **state)
{
	size_t len = 0;
	char *d = slurp(NX_TEST_DATA "/warc/text.warc", &len);
	char want[64];
	run s;

	(void)state;
	assert_non_null(d);
	run_fd(&s, d, find(d, len, "Museum extends") + 10, 0);
	assert_int_equal(s.rc, NX_EFORMAT);
	assert_int_equal(s.c.n, 2);
	snprintf(want, sizeof(want), "truncated WARC record at offset %lld",
		 (long long)record_offset(d, len, ids[2]));
	assert_string_equal(s.msg, want);
	run_free(&s);
	free(d);
	/* a .warc.gz cut in its last member: the records before it are kept */
	d = slurp(NX_TEST_DATA "/warc/text.warc.gz", &len);
	assert_non_null(d);
	run_fd(&s, d, len - 30, 0);
	assert_int_equal(s.rc, NX_EFORMAT);
	assert_int_equal(s.c.n, 3);
	assert_non_null(strstr(s.msg, "truncated WARC record at offset"));
	run_free(&s);
	free(d);
}

static void test_stream_bombs(void **state)
{
	nx_buf b = NX_BUF_INIT, rec = NX_BUF_INIT;
	size_t big = 8u << 20;
	char *zeros = malloc(big);
	run a, s;

	(void)state;
	assert_non_null(zeros);
	memset(zeros, 'a', big);
	/* a record that is a bomb, between two good ones */
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
	run_buffer(&a, b.buf, b.len, 1u << 20);
	run_fd(&s, b.buf, b.len, 1u << 20);
	assert_same(&a, &s, "bomb");
	assert_int_equal(s.c.n, 2);
	assert_string_equal(s.c.title[1], "After the bomb");
	assert_non_null(strstr(s.msg, "inflates to more than 1 MB"));
	run_free(&a);
	run_free(&s);
	/* the whole file one gzip member that inflates past the limit */
	nx_buf_reset(&b);
	nx_buf_reset(&rec);
	text_record(&rec, "one", "http://x.example/1", "First story\n\nText one.\n");
	while (rec.len < (3u << 20))
		text_record(&rec, "more", "http://x.example/m", "Another story\n\nMore text.\n");
	add_member(&b, rec.buf, rec.len);
	run_buffer(&a, b.buf, b.len, 1u << 20);
	run_fd(&s, b.buf, b.len, 1u << 20);
	assert_same(&a, &s, "one big member");
	assert_int_equal(s.rc, NX_EFORMAT);
	assert_true(s.c.n > 0);
	assert_non_null(strstr(s.msg, "inflates to more than 1 MB"));
	run_free(&a);
	run_free(&s);
	/* a bomb in an HTTP body */
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
	run_buffer(&a, b.buf, b.len, 1u << 20);
	run_fd(&s, b.buf, b.len, 1u << 20);
	assert_same(&a, &s, "HTTP bomb");
	assert_int_equal(s.c.n, 1);
	assert_non_null(strstr(s.msg, "1 of 1 documents could not be read"));
	run_free(&a);
	run_free(&s);
	nx_buf_free(&b);
	nx_buf_free(&rec);
	free(zeros);
}

/* A streamed WARC is not held by max_file; other formats still are. */
static void test_stream_no_file_limit(void **state)
{
	nx_ingest_opts opts;
	nx_error err = NX_ERROR_INIT;
	cap c;

	(void)state;
	opts_for(&opts, 0);
	opts.max_file = 100;
	memset(&c, 0, sizeof(c));
	assert_int_equal(nx_ingest_file(NX_TEST_DATA "/warc/text.warc", &opts, on_article, &c, &err), NX_OK);
	check_text_records(&c);
	cap_free(&c);
	assert_int_equal(nx_ingest_file(NX_TEST_DATA "/warc/text.warc.gz", &opts, on_article, &c, &err), NX_OK);
	check_text_records(&c);
	cap_free(&c);
	assert_int_equal(nx_ingest_file(NX_CORPUS "/sample.jsonl", &opts, on_article, &c, &err), NX_ETOOBIG);
	assert_int_equal(c.n, 0);
	cap_free(&c);
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
		cmocka_unit_test(test_ratio_bomb),
		cmocka_unit_test(test_split_member_and_corrupt),
		cmocka_unit_test(test_nul_and_junk),
		cmocka_unit_test(test_skipped_status_and_types),
		cmocka_unit_test(test_real_warcio),
		cmocka_unit_test(test_stream_same_on_files),
		cmocka_unit_test(test_stream_same_on_prefixes),
		cmocka_unit_test(test_stream_big_file),
		cmocka_unit_test(test_stream_truncated),
		cmocka_unit_test(test_stream_bombs),
		cmocka_unit_test(test_stream_no_file_limit),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

/*
 * test_sgml.c - unit tests for src/formats/sgml.c (Reuters-21578).
 *
 * Small files written for the test: a full record (entities, odd 8-bit
 * bytes, a NUL, the " Reuter &#3;" signature, wrapped and indented
 * paragraphs, authors), a BRIEF record (title only), a record with neither
 * title nor body (skipped) and an UNPROC record; then unterminated tags and
 * records, every prefix of the small file, and the real reut2-000.sgm when
 * the shared data is there (1000 records, a known story's title and date).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "formats/format.h"
#include "newsidx/newsidx.h"
#include "util/text.h"

#define MAXCAP 16

typedef struct cap {
	size_t n;
	nx_article *a[MAXCAP];
	size_t bahia; /* index+1 of the BAHIA COCOA REVIEW story */
	int64_t bahia_utc;
	size_t bahia_paras;
	int all_valid; /* every title and paragraph valid UTF-8 */
} cap;

static int on_article(nx_article *a, void *ctx)
{
	cap *c = ctx;
	size_t i = 0;

	if (a->title != NULL && !nx_utf8_valid(a->title, strlen(a->title)))
		c->all_valid = 0;
	for (i = 0; i < a->nparas; i++)
		if (!nx_utf8_valid(a->paras[i], strlen(a->paras[i])))
			c->all_valid = 0;
	if (a->title != NULL && strcmp(a->title, "BAHIA COCOA REVIEW") == 0) {
		c->bahia = c->n + 1;
		c->bahia_utc = a->published.utc;
		c->bahia_paras = a->nparas;
	}
	if (c->n < MAXCAP) {
		char *json = nx_article_to_json(a, 0);
		nx_article *copy = NULL;

		assert_non_null(json);
		assert_int_equal(nx_article_from_json(&copy, json, strlen(json), NULL), NX_OK);
		copy->origin.offset = a->origin.offset;
		copy->origin.record_id = a->origin.record_id != NULL ? strdup(a->origin.record_id) : NULL;
		c->a[c->n] = copy;
		free(json);
	}
	c->n++;
	return 0;
}

static void cap_init(cap *c)
{
	memset(c, 0, sizeof(*c));
	c->all_valid = 1;
}

static void cap_free(cap *c)
{
	size_t i = 0;

	for (i = 0; i < MAXCAP && i < c->n; i++)
		nx_article_free(c->a[i]);
	cap_init(c);
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

static int parse(const char *data, size_t len, cap *c, nx_error *err)
{
	nx_ingest_opts opts = NX_INGEST_OPTS_INIT;
	nx_input in;
	char *copy = malloc(len > 0 ? len : 1);
	int rc = 0;

	memcpy(copy, data, len);
	opts.now = 1700000000;
	memset(&in, 0, sizeof(in));
	in.data = copy;
	in.len = len;
	in.offset = -1;
	in.opts = &opts;
	rc = nx_parse_sgml(&in, on_article, c, err);
	free(copy);
	return rc;
}

static size_t find(const char *d, size_t len, const char *needle)
{
	size_t i = 0, n = strlen(needle);

	for (i = 0; i + n <= len; i++)
		if (memcmp(d + i, needle, n) == 0)
			return i;
	fail_msg("'%s' not found", needle);
	return 0;
}

static void test_small(void **state)
{
	size_t len = 0;
	char *d = slurp(NX_TEST_DATA "/sgml/small.sgm", &len);
	char buf[32];
	nx_article *a = NULL;
	cap c;
	nx_error err = NX_ERROR_INIT;

	(void)state;
	cap_init(&c);
	assert_non_null(d);
	/* detected through the DOCTYPE, as the CLI sees it */
	assert_int_equal(nx_detect(d, len), NX_FMT_SGML);
	assert_int_equal(nx_ingest_buffer(d, len, "small.sgm", NULL, on_article, &c, &err), NX_OK);
	assert_int_equal(c.n, 3);
	assert_true(c.all_valid);
	a = c.a[0];
	assert_string_equal(a->title, "FIRST & FOREMOST <ABC> STORY");
	assert_string_equal(a->source, "Reuters");
	assert_string_equal(a->section, "cocoa");
	assert_string_equal(a->origin.record_id, "1");
	assert_int_equal(a->origin.offset, (int64_t)find(d, len, "<REUTERS TOPICS=\"YES\" NEWID=\"1\""));
	nx_date_format_utc(buf, a->published.utc);
	assert_string_equal(buf, "1987-02-26T15:01:01Z");
	assert_int_equal(a->nauthors, 2);
	assert_string_equal(a->authors[0], "Jane Doe");
	assert_string_equal(a->authors[1], "John Roe");
	assert_int_equal(a->nparas, 3);
	assert_string_equal(a->paras[0], "First paragraph is wrapped over two lines.");
	/* latin-1 byte repaired, &#233; decoded, NUL dropped */
	assert_string_equal(a->paras[1], "Second paragraph has odd bytes: caf\xEF\xBF\xBD and \xC3\xA9 and a NUL here.");
	assert_string_equal(a->paras[2], "Third."); /* " Reuter &#3;" gone */

	assert_string_equal(c.a[1]->title, "BRIEF ITEM WITH TITLE ONLY");
	assert_int_equal(c.a[1]->nparas, 0);
	assert_string_equal(c.a[1]->origin.record_id, "2");

	/* NEWID 3 has neither title nor body: skipped; NEWID 4 is UNPROC */
	assert_string_equal(c.a[2]->title, "WEEKLY TABLE REPORT - FEB 26");
	assert_string_equal(c.a[2]->origin.record_id, "4");
	assert_int_equal(c.a[2]->nparas, 2);
	cap_free(&c);
	free(d);
}

static void test_broken(void **state)
{
	size_t len = 0;
	char *d = slurp(NX_TEST_DATA "/sgml/broken.sgm", &len);
	char want[96];
	cap c;
	nx_error err = NX_ERROR_INIT;

	(void)state;
	cap_init(&c);
	assert_non_null(d);
	assert_int_equal(parse(d, len, &c, &err), NX_EFORMAT);
	assert_int_equal(c.n, 3);
	assert_string_equal(c.a[0]->title, "UNCLOSED BODY");
	assert_int_equal(c.a[0]->nparas, 0); /* never reads past its record */
	assert_string_equal(c.a[1]->title, "NO CLOSING RECORD TAG");
	assert_int_equal(c.a[1]->nparas, 1);
	assert_string_equal(c.a[2]->title, "BROKEN START TAG");
	snprintf(want, sizeof(want), "3 REUTERS records are unterminated; first at offset %zu",
		 find(d, len, "<REUTERS NEWID=\"11\""));
	assert_string_equal(err.msg, want);
	cap_free(&c);
	free(d);
}

static void test_hostile(void **state)
{
	static const char *const odd[] = {
		"", "<REUTERS", "<REUTERS>", "<REUTERS NEWID=\"", "<REUTERS NEWID=\"1>",
		"<REUTERS><TEXT><TITLE></TITLE><BODY></BODY></TEXT></REUTERS>",
		"<REUTERS><TITLE>&#99999999999999999999; &#x; &#; &#xD800; &#0; &amp</TITLE></REUTERS>",
		"<REUTERS><BODY> Reuter\n&#3;</BODY></REUTERS>",
		"<REUTERS><DATE>99-XYZ-1987 99:99</DATE><TITLE>T</TITLE><TOPICS><D>x</TOPICS></REUTERS>",
		"<!DOCTYPE lewis>\n<lewis>no records</lewis>",
	};
	size_t i = 0;
	cap c;
	nx_error err = NX_ERROR_INIT;

	(void)state;
	cap_init(&c);
	for (i = 0; i < sizeof(odd) / sizeof(odd[0]); i++) {
		int rc = parse(odd[i], strlen(odd[i]), &c, &err);

		assert_true(rc == NX_OK || rc == NX_EFORMAT);
		assert_true(c.all_valid);
		cap_free(&c);
	}
	assert_int_equal(parse(odd[9], strlen(odd[9]), &c, &err), NX_EFORMAT);
	assert_string_equal(err.msg, "no <REUTERS> record found");
	cap_free(&c);
	/* the title with bad character references still comes through */
	assert_int_equal(parse(odd[6], strlen(odd[6]), &c, &err), NX_OK);
	assert_int_equal(c.n, 1);
	assert_non_null(strstr(c.a[0]->title, "&#x;"));
	cap_free(&c);
}

static void test_every_prefix(void **state)
{
	size_t len = 0, n = 0;
	char *d = slurp(NX_TEST_DATA "/sgml/small.sgm", &len);

	(void)state;
	assert_non_null(d);
	for (n = 0; n <= len; n++) {
		cap c;
		nx_error err = NX_ERROR_INIT;
		int rc = 0;

		cap_init(&c);
		rc = parse(d, n, &c, &err);
		assert_true(rc == NX_OK || rc == NX_EFORMAT);
		assert_true(c.n <= 3);
		cap_free(&c);
	}
	free(d);
}

static void test_corpus_sample(void **state)
{
	size_t len = 0;
	char *d = slurp(NX_CORPUS "/sample-reuters.sgm", &len);
	cap c;
	nx_error err = NX_ERROR_INIT;

	(void)state;
	cap_init(&c);
	assert_non_null(d);
	assert_int_equal(nx_ingest_buffer(d, len, "sample-reuters.sgm", NULL, on_article, &c, &err), NX_OK);
	assert_int_equal(c.n, 2);
	assert_string_equal(c.a[0]->title, "KESTREL RIVER GRAIN BARGE TRAFFIC RESUMES");
	assert_int_equal(c.a[0]->nparas, 3);
	assert_string_equal(c.a[1]->title, "EXAMPLE HOLDINGS <EXH.L> SEES HIGHER 1987 PROFIT");
	cap_free(&c);
	free(d);
}

static void test_real_reut2_000(void **state)
{
	size_t len = 0;
	char *d = slurp(NX_SHARED_DATA "/collections/reuters21578/reut2-000.sgm", &len);
	char buf[32];
	cap c;
	nx_error err = NX_ERROR_INIT;

	(void)state;
	if (d == NULL)
		skip();
	cap_init(&c);
	assert_int_equal(nx_ingest_buffer(d, len, "reut2-000.sgm", NULL, on_article, &c, &err), NX_OK);
	/* 1000 records; only those with neither title nor text are dropped */
	assert_true(c.n >= 990 && c.n <= 1000);
	assert_true(c.all_valid);
	assert_int_equal(c.bahia, 1);
	nx_date_format_utc(buf, c.bahia_utc);
	assert_string_equal(buf, "1987-02-26T15:01:01Z");
	assert_true(c.bahia_paras >= 10);
	assert_string_equal(c.a[0]->origin.record_id, "1");
	cap_free(&c);
	free(d);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_small),
		cmocka_unit_test(test_broken),
		cmocka_unit_test(test_hostile),
		cmocka_unit_test(test_every_prefix),
		cmocka_unit_test(test_corpus_sample),
		cmocka_unit_test(test_real_reut2_000),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

/*
 * test_ninjs.c - unit tests for src/formats/ninjs.c and its place in the
 * JSON reader (jsonl.c): a pretty-printed ninjs document is one article,
 * the same on one line gives the same article, ninjs 2's arrays, API
 * answers that wrap items, pictures and their credits, and a JSON document
 * without ninjs keys read by the JSON Lines mapping.  Every document here
 * is written for the test.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "formats/format.h"
#include "newsidx/newsidx.h"

#define MAXCAP 4

typedef struct cap {
	size_t n;
	nx_article *a[MAXCAP];
	const char *format[MAXCAP];
} cap;

static int on_article(nx_article *a, void *ctx)
{
	cap *c = ctx;

	if (c->n < MAXCAP) {
		c->format[c->n] = a->origin.format;
		c->a[c->n] = nx_article_move(a);
		assert_non_null(c->a[c->n]);
	}
	c->n++;
	return 0;
}

static void cap_free(cap *c)
{
	size_t i = 0;

	for (i = 0; i < MAXCAP && i < c->n; i++)
		nx_article_free(c->a[i]);
	memset(c, 0, sizeof(*c));
}

/* Detect and parse doc as `add` does; returns the status. */
static int parse(const char *doc, cap *c, nx_error *err)
{
	nx_ingest_opts opts = NX_INGEST_OPTS_INIT;
	nx_input in;

	opts.now = 1700000000;
	memset(&in, 0, sizeof(in));
	in.data = doc;
	in.len = strlen(doc);
	in.offset = -1;
	in.opts = &opts;
	return nx_format__dispatch(&in, on_article, c, err);
}

static const char *text_item =
	"{\n"
	"  \"uri\": \"https://news.example.org/items/ship-trial\",\n"
	"  \"type\": \"text\",\n"
	"  \"guid\": \"urn:example:ship-trial\",\n"
	"  \"firstcreated\": \"2013-07-09T10:37:00Z\",\n"
	"  \"versioncreated\": \"2013-07-09T12:05:00+0000\",\n"
	"  \"language\": \"en-GB\",\n"
	"  \"source\": \"Example Wire\",\n"
	"  \"service\": [ { \"code\": \"w\", \"name\": \"World\" } ],\n"
	"  \"byline\": \"By Ann Lee and Bo Park\",\n"
	"  \"headline\": \"Captain goes on trial\",\n"
	"  \"body_html\": \"<p>The trial began on Tuesday.</p>\\n<p>It was postponed at once.</p>\",\n"
	"  \"body_text\": \"The trial began on Tuesday. It was postponed at once.\",\n"
	"  \"associations\": {\n"
	"    \"featuremedia\": {\n"
	"      \"type\": \"picture\",\n"
	"      \"headline\": \"Courtroom\",\n"
	"      \"byline\": \"Cara Diaz\",\n"
	"      \"description_text\": \"The theatre used as a courtroom.\",\n"
	"      \"copyrightholder\": \"Reuters\",\n"
	"      \"renditions\": {\n"
	"        \"thumbnail\": { \"href\": \"https://img.example.org/t.jpg\" },\n"
	"        \"original\": { \"href\": \"https://img.example.org/o.jpg\" }\n"
	"      }\n"
	"    },\n"
	"    \"related\": { \"type\": \"text\", \"headline\": \"Earlier story\" }\n"
	"  }\n"
	"}\n";

static void check_text_item(const nx_article *a)
{
	assert_string_equal(a->title, "Captain goes on trial");
	assert_string_equal(a->url, "https://news.example.org/items/ship-trial");
	assert_string_equal(a->origin.record_id, "urn:example:ship-trial");
	assert_int_equal(a->nparas, 2);
	assert_string_equal(a->paras[0], "The trial began on Tuesday.");
	assert_string_equal(a->paras[1], "It was postponed at once.");
	assert_int_equal(a->nauthors, 2);
	assert_string_equal(a->authors[0], "Ann Lee");
	assert_string_equal(a->authors[1], "Bo Park");
	assert_string_equal(a->source, "Example Wire");
	assert_string_equal(a->lang, "en");
	assert_string_equal(a->section, "World");
	assert_true(a->published.set);
	assert_int_equal(a->published.utc, 1373366220); /* 2013-07-09T10:37:00Z */
	assert_true(a->updated.set);
	assert_int_equal(a->updated.utc, 1373366220 + 5280);
	/* the picture, not the related text story */
	assert_int_equal(a->nphotos, 1);
	assert_string_equal(a->photos[0].url, "https://img.example.org/o.jpg");
	assert_string_equal(a->photos[0].caption, "The theatre used as a courtroom.");
	assert_string_equal(a->photos[0].photographer, "Cara Diaz");
	assert_string_equal(a->photos[0].agency, "Reuters");
}

static void test_pretty_printed(void **state)
{
	cap c = { 0 };
	nx_error err = NX_ERROR_INIT;

	(void)state;
	assert_int_equal(parse(text_item, &c, &err), NX_OK);
	assert_int_equal(c.n, 1);
	assert_string_equal(c.format[0], "ninjs");
	check_text_item(c.a[0]);
	cap_free(&c);
}

static void test_one_line(void **state)
{
	cap c = { 0 };
	nx_error err = NX_ERROR_INIT;
	char *line = strdup(text_item);
	size_t i = 0, k = 0;

	(void)state;
	/* the same document with its newlines taken out (inside strings there are none) */
	for (i = 0; line[i] != '\0'; i++)
		if (line[i] != '\n')
			line[k++] = line[i];
	line[k] = '\0';
	assert_int_equal(parse(line, &c, &err), NX_OK);
	assert_int_equal(c.n, 1);
	assert_string_equal(c.format[0], "ninjs");
	check_text_item(c.a[0]);
	cap_free(&c);
	free(line);
}

static void test_ninjs2_arrays(void **state)
{
	static const char *doc =
		"{\n \"uri\": \"urn:x:2\",\n \"firstcreated\": \"2021-03-01T08:00:00Z\",\n"
		" \"headlines\": [ { \"value\": \"Short one\", \"role\": \"short\" } ],\n"
		" \"bodies\": [ { \"value\": \"Plain words.\", \"contenttype\": \"text/plain\" },\n"
		"              { \"value\": \"<p>Rich words.</p>\", \"contenttype\": \"text/html\" } ],\n"
		" \"bylines\": [ { \"byline\": \"Dee Ray\" } ],\n"
		" \"associations\": [ { \"name\": \"pic\", \"type\": \"picture\", \"byline\": \"Eve Sun\",\n"
		"   \"description_text\": \"A harbour.\", \"uri\": \"https://img.example.org/h.jpg\" } ]\n}\n";
	cap c = { 0 };
	nx_error err = NX_ERROR_INIT;

	(void)state;
	assert_int_equal(parse(doc, &c, &err), NX_OK);
	assert_int_equal(c.n, 1);
	assert_string_equal(c.a[0]->title, "Short one");
	assert_int_equal(c.a[0]->nparas, 1);
	assert_string_equal(c.a[0]->paras[0], "Rich words.");
	assert_int_equal(c.a[0]->nauthors, 1);
	assert_string_equal(c.a[0]->authors[0], "Dee Ray");
	assert_null(c.a[0]->url); /* a urn is an identifier, not an address */
	assert_string_equal(c.a[0]->origin.record_id, "urn:x:2");
	assert_false(c.a[0]->updated.set);
	assert_int_equal(c.a[0]->nphotos, 1);
	assert_string_equal(c.a[0]->photos[0].url, "https://img.example.org/h.jpg");
	assert_string_equal(c.a[0]->photos[0].caption, "A harbour.");
	assert_string_equal(c.a[0]->photos[0].photographer, "Eve Sun");
	cap_free(&c);
}

static void test_wrapped(void **state)
{
	static const char *api =
		"{\n \"api_version\": \"1\",\n \"data\": {\n  \"item\": {\n"
		"   \"type\": \"picture\", \"versioncreated\": \"2019-06-19T10:22:14Z\",\n"
		"   \"headline\": \"Poet on stage\",\n"
		"   \"photographer\": { \"name\": \"Fay Gold\" },\n"
		"   \"description_caption\": \"The poet reads on Sunday.\",\n"
		"   \"description_creditline\": \"FAY GOLD/AP\",\n"
		"   \"renditions\": { \"main\": { \"href\": \"https://img.example.org/p.jpg\" } }\n"
		"  }\n }\n}\n";
	static const char *list =
		"{ \"total\": 2,\n  \"item\": [\n"
		"  { \"headline\": \"First\", \"body_text\": \"One.\", \"versioncreated\": \"2018-05-28T16:40:08\" },\n"
		"  { \"headline\": \"Second\", \"body_text\": \"Two.\", \"versioncreated\": \"2018-05-29T16:40:08\" }\n"
		" ]\n}\n";
	cap c = { 0 };
	nx_error err = NX_ERROR_INIT;

	(void)state;
	assert_int_equal(parse(api, &c, &err), NX_OK);
	assert_int_equal(c.n, 1);
	assert_string_equal(c.a[0]->title, "Poet on stage");
	assert_int_equal(c.a[0]->nparas, 1); /* a picture's caption is its text */
	assert_int_equal(c.a[0]->nauthors, 1);
	assert_string_equal(c.a[0]->authors[0], "Fay Gold");
	assert_int_equal(c.a[0]->nphotos, 1);
	assert_string_equal(c.a[0]->photos[0].agency, "AP");
	assert_string_equal(c.a[0]->photos[0].photographer, "Fay Gold");
	assert_string_equal(c.a[0]->photos[0].caption, "The poet reads on Sunday.");
	cap_free(&c);

	assert_int_equal(parse(list, &c, &err), NX_OK);
	assert_int_equal(c.n, 2);
	assert_string_equal(c.a[0]->title, "First");
	assert_string_equal(c.a[1]->title, "Second");
	assert_string_equal(c.format[1], "ninjs");
	cap_free(&c);
}

static void test_copyright_notice(void **state)
{
	static const char *licence =
		"{ \"type\": \"picture\", \"firstcreated\": \"2022-06-21T07:42:38+0000\",\n"
		"  \"headline\": \"Kegs\", \"description_text\": \"Kegs in a yard.\",\n"
		"  \"copyrightnotice\": \"CC-BY 4.0\" }\n";
	static const char *notice =
		"{ \"type\": \"picture\", \"firstcreated\": \"2022-06-21T07:42:38+0000\",\n"
		"  \"headline\": \"Kegs\", \"description_text\": \"Kegs in a yard.\",\n"
		"  \"copyrightnotice\": \"Copyright 2019 The Associated Press. All rights reserved.\" }\n";
	cap c = { 0 };
	nx_error err = NX_ERROR_INIT;

	(void)state;
	assert_int_equal(parse(licence, &c, &err), NX_OK);
	assert_int_equal(c.n, 1);
	assert_int_equal(c.a[0]->nphotos, 1);
	assert_null(c.a[0]->photos[0].agency);
	assert_null(c.a[0]->photos[0].photographer);
	cap_free(&c);
	assert_int_equal(parse(notice, &c, &err), NX_OK);
	assert_int_equal(c.n, 1);
	assert_int_equal(c.a[0]->nphotos, 1);
	assert_non_null(c.a[0]->photos[0].agency);
	assert_string_equal(c.a[0]->photos[0].agency, "AP");
	cap_free(&c);
}

/* Without ninjs keys a pretty-printed document is one JSON Lines article. */
static void test_plain_json_document(void **state)
{
	static const char *doc = "{\n  \"title\": \"A scrape\",\n  \"text\": \"Words here.\",\n"
				 "  \"date_publish\": \"2020-01-02 03:04:05\"\n}\n";
	static const char *lines = "{\"title\": \"One\", \"text\": \"a\"}\n"
				   "{\"headline\": \"Two\", \"body_text\": \"b\", \"versioncreated\": \"2020-01-01T00:00:00Z\"}\n";
	cap c = { 0 };
	nx_error err = NX_ERROR_INIT;

	(void)state;
	assert_int_equal(parse(doc, &c, &err), NX_OK);
	assert_int_equal(c.n, 1);
	assert_string_equal(c.format[0], "jsonl");
	assert_string_equal(c.a[0]->title, "A scrape");
	assert_true(c.a[0]->published.set);
	cap_free(&c);
	/* JSON Lines stay line by line; a ninjs line is read as ninjs */
	assert_int_equal(parse(lines, &c, &err), NX_OK);
	assert_int_equal(c.n, 2);
	assert_string_equal(c.format[0], "jsonl");
	assert_string_equal(c.format[1], "ninjs");
	assert_string_equal(c.a[1]->title, "Two");
	cap_free(&c);
}

/* A broken pretty-printed document: one line-numbered error, no crash. */
static void test_truncated(void **state)
{
	cap c = { 0 };
	nx_error err = NX_ERROR_INIT;
	size_t n = strlen(text_item), cut = 0;
	char *d = malloc(n + 1);

	(void)state;
	for (cut = 1; cut < n - 2; cut += 7) {
		memcpy(d, text_item, cut);
		d[cut] = '\0';
		(void)parse(d, &c, &err);
		cap_free(&c);
	}
	memcpy(d, text_item, n / 2);
	d[n / 2] = '\0';
	assert_int_not_equal(parse(d, &c, &err), NX_OK);
	assert_int_equal(c.n, 0);
	cap_free(&c);
	free(d);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_pretty_printed),
		cmocka_unit_test(test_one_line),
		cmocka_unit_test(test_ninjs2_arrays),
		cmocka_unit_test(test_wrapped),
		cmocka_unit_test(test_copyright_notice),
		cmocka_unit_test(test_plain_json_document),
		cmocka_unit_test(test_truncated),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

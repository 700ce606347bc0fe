/*
 * test_newsml.c - NewsML-G2 items, messages and pictures, NewsML 1.2,
 * nested NITF and XHTML bodies, hostile and broken input.
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
#include "util/buf.h"
#include "newsidx/newsidx.h"

#include "wire_test.h"

#define DIR NX_TEST_DATA "/newsml"

static void test_detect(void **state)
{
	size_t len = 0;
	char *data = slurp(DIR, "message.xml", &len);

	(void)state;
	assert_int_equal(nx_detect(data, len), NX_FMT_NEWSML);
	free(data);
}

static void test_text_item_with_nitf(void **state)
{
	got g = { { NULL }, 0 };
	nx_error err = NX_ERROR_INIT;
	nx_article *a = NULL;

	(void)state;
	assert_int_equal(ingest(&g, &err, DIR, "text-nitf.xml"), NX_OK);
	assert_int_equal(g.n, 1);
	a = g.a[0];
	/* contentMeta/headline wins over the nested hl1 */
	assert_string_equal(a->title, "Harbour bridge to close for repairs");
	assert_utc(&a->published, "2021-07-08T01:42:00Z"); /* firstCreated over contentCreated */
	assert_utc(&a->updated, "2021-07-08T13:20:00Z");
	assert_string_equal(a->lang, "en");
	assert_string_equal(a->source, "Northwind News Agency");
	/* <by> and the nested NITF byline, without duplicates */
	assert_int_equal(a->nauthors, 2);
	assert_string_equal(a->authors[0], "Jane Doe");
	assert_string_equal(a->authors[1], "Sam Writer");
	assert_int_equal(a->nparas, 2);
	assert_true(has_para(a, "Engineers will replace the expansion joints."));
	assert_false(body_contains(a, "closes on Monday")); /* summary not used when there is a body */
	assert_null(a->url);
	assert_string_equal(a->origin.record_id, "urn:newsml:northwind.example:20210708:bridge");
	assert_string_equal(a->origin.format, "newsml");
	assert_non_null(a->id);
	got_free(&g);
}

static void test_picture_item(void **state)
{
	got g = { { NULL }, 0 };
	nx_error err = NX_ERROR_INIT;
	nx_article *a = NULL;

	(void)state;
	assert_int_equal(ingest(&g, &err, DIR, "picture.xml"), NX_OK);
	assert_int_equal(g.n, 1);
	a = g.a[0];
	assert_string_equal(a->title, "Traffic crosses the harbour bridge");
	assert_string_equal(a->source, "Reuters"); /* provider literal "reuters.com" */
	assert_utc(&a->published, "2021-07-08T08:02:00Z"); /* contentCreated */
	assert_utc(&a->updated, "2021-07-08T11:14:13Z");
	assert_int_equal(a->nphotos, 1);
	assert_string_equal(a->photos[0].url, "https://img.example.org/PIX0042.jpg"); /* highRes, not thumbnail */
	assert_string_equal(a->photos[0].agency, "Reuters");
	assert_string_equal(a->photos[0].photographer, "Marko Example");
	assert_string_equal(a->photos[0].caption, "Traffic crosses the harbour bridge in Portsmouth, July 8, 2021.");
	/* the caption is the body: there is no other text */
	assert_int_equal(a->nparas, 1);
	assert_string_equal(a->paras[0], a->photos[0].caption);
	assert_int_equal(a->nauthors, 0);
	assert_string_equal(a->origin.record_id, "tag:northwind.example,2021:PIX0042");
	got_free(&g);
}

static void test_message_two_items(void **state)
{
	got g = { { NULL }, 0 };
	nx_error err = NX_ERROR_INIT;
	nx_article *a = NULL, *b = NULL;

	(void)state;
	assert_int_equal(ingest(&g, &err, DIR, "message.xml"), NX_OK);
	assert_int_equal(g.n, 2); /* the packageItem only points at them */
	a = g.a[0];
	b = g.a[1];
	assert_string_equal(a->title, "Br\xC3\xBC" "cke wird drei Wochen gesperrt");
	assert_string_equal(a->lang, "de"); /* xml:lang of the item */
	assert_string_equal(a->source, "dpa");
	assert_utc(&a->published, "2021-07-08T07:00:00Z");
	assert_utc(&a->updated, "2021-07-08T08:30:00Z");
	/* XHTML body: header/h1 and head/title skipped, figure is a photo */
	assert_int_equal(a->nparas, 2);
	assert_string_equal(a->paras[1], "Busse werden umgeleitet.");
	assert_false(body_contains(a, "ignored"));
	assert_int_equal(a->nphotos, 1);
	assert_string_equal(a->photos[0].url, "https://img.example.org/bruecke.jpg");
	assert_string_equal(a->photos[0].caption, "Die Hafenbr\xC3\xBC" "cke.");
	assert_string_equal(a->photos[0].photographer, "Max Muster");
	assert_string_equal(a->photos[0].agency, "dpa");
	/* inlineData: blank-line separated paragraphs; versionCreated only */
	assert_string_equal(b->title, "Silta suljetaan");
	assert_string_equal(b->lang, "fi");
	assert_string_equal(b->source, "STT");
	assert_utc(&b->published, "2021-07-08T05:00:00Z");
	assert_int_equal(b->nparas, 2);
	assert_string_equal(b->paras[1], "Bussit kiert\xC3\xA4v\xC3\xA4t.");
	assert_string_not_equal(a->id, b->id);
	got_free(&g);
}

static void test_newsml1(void **state)
{
	got g = { { NULL }, 0 };
	nx_error err = NX_ERROR_INIT;
	nx_article *a = NULL;

	(void)state;
	assert_int_equal(ingest(&g, &err, DIR, "newsml1.xml"), NX_OK);
	assert_int_equal(g.n, 1);
	a = g.a[0];
	assert_string_equal(a->title, "Le pont du port ferm\xC3\xA9 trois semaines");
	assert_utc(&a->published, "2021-07-08T01:42:00Z");
	assert_utc(&a->updated, "2021-07-08T13:20:00Z");
	assert_string_equal(a->source, "AFP");
	assert_string_equal(a->lang, "fr");
	assert_int_equal(a->nauthors, 1);
	assert_string_equal(a->authors[0], "Jeanne Exemple");
	assert_int_equal(a->nparas, 2);
	assert_string_equal(a->origin.record_id, "urn:newsml:northwind.example:20210708:bridge:1");
	got_free(&g);
}

static void test_truncated_message(void **state)
{
	got g = { { NULL }, 0 };
	nx_error err = NX_ERROR_INIT;

	(void)state;
	/* cut inside the second item: the first is complete and handed over */
	assert_int_equal(ingest(&g, &err, DIR, "truncated.xml"), NX_EFORMAT);
	assert_int_equal(g.n, 1);
	assert_string_equal(g.a[0]->title, "Br\xC3\xBC" "cke wird drei Wochen gesperrt");
	assert_non_null(strstr(err.msg, "truncated XML"));
	assert_non_null(strstr(err.msg, "</newsMessage>"));
	got_free(&g);
}

static void test_package_only(void **state)
{
	got g = { { NULL }, 0 };
	nx_error err = NX_ERROR_INIT;

	(void)state;
	assert_int_equal(ingest(&g, &err, DIR, "package-only.xml"), NX_EFORMAT);
	assert_int_equal(g.n, 0);
	assert_non_null(strstr(err.msg, "package"));
}

static void test_hostile(void **state)
{
	got g = { { NULL }, 0 };
	nx_error err = NX_ERROR_INIT;
	static const char xxe[] =
		"<?xml version=\"1.0\"?>\n<!DOCTYPE newsItem [<!ENTITY x SYSTEM \"file:///etc/passwd\">]>\n"
		"<newsItem guid=\"g\"><contentMeta><headline>Leak &x; here</headline></contentMeta>"
		"<contentSet><inlineData>&x;</inlineData></contentSet></newsItem>";
	static const char bomb_head[] = "<?xml version=\"1.0\"?>\n<!DOCTYPE newsItem [\n"
					"<!ENTITY a0 \"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\">\n";
	nx_buf b = NX_BUF_INIT;
	int rc = 0, i = 0, k = 0;

	(void)state;
	assert_int_equal(nx_ingest_buffer(xxe, sizeof(xxe) - 1, NULL, NULL, on_article, &g, &err), NX_OK);
	assert_int_equal(g.n, 1);
	assert_null(strstr(g.a[0]->title, "root:"));
	assert_int_equal(g.a[0]->nparas, 0);
	got_free(&g);
	/* quadratic + exponential blow-up: bounded by the XML reader */
	nx_buf_adds(&b, bomb_head);
	for (i = 1; i < 12; i++) {
		nx_buf_addf(&b, "<!ENTITY a%d \"", i);
		for (k = 0; k < 10; k++)
			nx_buf_addf(&b, "&a%d;", i - 1);
		nx_buf_adds(&b, "\">\n");
	}
	nx_buf_adds(&b, "]>\n<newsItem guid=\"b\"><contentMeta><headline>Bomb &a11;</headline></contentMeta>"
		       "<contentSet><inlineData>&a11;</inlineData></contentSet></newsItem>");
	assert_true(nx_buf_ok(&b));
	rc = nx_ingest_buffer(b.buf, b.len, NULL, NULL, on_article, &g, &err);
	assert_true(rc == NX_OK || rc == NX_EFORMAT);
	if (g.n > 0)
		assert_true(strlen(g.a[0]->title) < 10000 && g.a[0]->nparas <= 1);
	got_free(&g);
	nx_buf_free(&b);
}

static void test_broken(void **state)
{
	got g = { { NULL }, 0 };
	nx_error err = NX_ERROR_INIT;
	nx_input in;
	static const char junk[] = "<newsItem guid=\"x\"><contentMeta><headline>Half";
	static const char shell[] = "<newsMessage><itemSet><newsItem guid=\"N1\"> ..... </newsItem></itemSet></newsMessage>";
	static const char notxml[] = "\x01\x02 not <xml";

	(void)state;
	assert_int_equal(nx_ingest_buffer(junk, sizeof(junk) - 1, NULL, NULL, on_article, &g, &err), NX_EFORMAT);
	assert_non_null(strstr(err.msg, "truncated"));
	assert_int_equal(g.n, 0);
	assert_int_equal(nx_ingest_buffer(shell, sizeof(shell) - 1, NULL, NULL, on_article, &g, &err), NX_EFORMAT);
	assert_non_null(strstr(err.msg, "no headline"));
	memset(&in, 0, sizeof(in));
	in.offset = -1;
	in.data = notxml;
	in.len = sizeof(notxml) - 1;
	assert_int_equal(nx_parse_newsml(&in, on_article, &g, &err), NX_EFORMAT);
	assert_true(err.msg[0] != '\0');
	assert_int_equal(g.n, 0);
}

static void test_corpus_sample(void **state)
{
	got g = { { NULL }, 0 };
	nx_error err = NX_ERROR_INIT;

	(void)state;
	assert_int_equal(ingest(&g, &err, NX_CORPUS, "sample-newsml.xml"), NX_OK);
	assert_int_equal(g.n, 2);
	assert_true(g.a[0]->nparas >= 3);
	assert_int_equal(g.a[1]->nphotos, 1);
	assert_string_equal(g.a[1]->photos[0].agency, "Reuters");
	assert_string_equal(g.a[1]->photos[0].photographer, "Jane Fielding");
	got_free(&g);
}

static void test_real_reuters_picture(void **state)
{
	got g = { { NULL }, 0 };
	nx_error err = NX_ERROR_INIT;
	char *probe = NULL;
	size_t len = 0;

	(void)state;
	probe = slurp(NX_SHARED_DATA "/wire/agency", "picture.xml", &len);
	if (probe == NULL)
		skip();
	free(probe);
	assert_int_equal(ingest(&g, &err, NX_SHARED_DATA "/wire/agency", "picture.xml"), NX_OK);
	assert_int_equal(g.n, 1);
	assert_int_equal(g.a[0]->nphotos, 1);
	assert_string_equal(g.a[0]->photos[0].agency, "Reuters");
	assert_string_equal(g.a[0]->photos[0].photographer, "Marko Djurica");
	assert_null(strstr(g.a[0]->photos[0].caption, "REUTERS/"));
	assert_utc(&g.a[0]->published, "2013-03-04T11:14:13Z");
	got_free(&g);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_detect),
		cmocka_unit_test(test_text_item_with_nitf),
		cmocka_unit_test(test_picture_item),
		cmocka_unit_test(test_message_two_items),
		cmocka_unit_test(test_newsml1),
		cmocka_unit_test(test_truncated_message),
		cmocka_unit_test(test_package_only),
		cmocka_unit_test(test_hostile),
		cmocka_unit_test(test_broken),
		cmocka_unit_test(test_corpus_sample),
		cmocka_unit_test(test_real_reuters_picture),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

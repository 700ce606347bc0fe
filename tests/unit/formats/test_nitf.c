/*
 * test_nitf.c - NITF documents: every field mapped, dates, credits,
 * hostile XML (external entities, entity bombs), broken input.
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

#include "wire_test.h"

static void test_detect(void **state)
{
	size_t len = 0;
	char *data = slurp(NX_TEST_DATA "/nitf", "full.xml", &len);

	(void)state;
	assert_int_equal(nx_detect(data, len), NX_FMT_NITF);
	free(data);
}

static void test_fields(void **state)
{
	got g = { { NULL }, 0 };
	nx_error err = NX_ERROR_INIT;
	nx_article *a = NULL;

	(void)state;
	assert_int_equal(ingest(&g, &err, NX_TEST_DATA "/nitf", "full.xml"), NX_OK);
	assert_int_equal(g.n, 1);
	a = g.a[0];
	/* hl1 wins over head/title */
	assert_string_equal(a->title, "Harbour bridge to close for three weeks of repairs");
	/* copyright holder, "All rights reserved" cut */
	assert_string_equal(a->source, "Northwind News Agency");
	/* "By JANE DOE and John Roe" + byttl: capitals folded, title dropped */
	assert_int_equal(a->nauthors, 2);
	assert_string_equal(a->authors[0], "Jane Doe");
	assert_string_equal(a->authors[1], "John Roe");
	/* date.release preferred over date.issue and story.date */
	assert_utc(&a->published, "2021-07-08T01:42:00Z");
	assert_false(a->updated.set);
	assert_string_equal(a->lang, "en");
	assert_string_equal(a->section, "Economy");
	assert_string_equal(a->origin.record_id, "NNA.2021.0708.0142");
	assert_string_equal(a->origin.format, "nitf");
	assert_null(a->url);
	/* paragraphs: <br/> is a space, hl2 is a paragraph, table rows, list items */
	assert_true(has_para(a, "PORTSMOUTH (NNA) \xE2\x80\x94 The harbour bridge will close for three weeks "
			     "from Monday while engineers replace corroded expansion joints, the city council said."));
	assert_true(has_para(a, "Detours"));
	assert_true(has_para(a, "Buses will be diverted along Quay Street."));
	assert_true(has_para(a, "Route Extra minutes"));
	assert_true(has_para(a, "Quay Street 12"));
	assert_true(has_para(a, "Parking is free at the park-and-ride."));
	assert_false(has_para(a, "___"));
	assert_int_equal(a->nparas, 8);
	/* photos: trailing credit split from the caption; media-producer; no video */
	assert_int_equal(a->nphotos, 2);
	assert_string_equal(a->photos[0].url, "https://img.example.org/bridge.jpg");
	assert_string_equal(a->photos[0].caption, "Traffic crosses the harbour bridge on Wednesday.");
	assert_string_equal(a->photos[0].agency, "AP");
	assert_string_equal(a->photos[0].photographer, "Evan Vucci");
	assert_string_equal(a->photos[1].url, "https://img.example.org/joints.jpg");
	assert_string_equal(a->photos[1].caption, "A worn expansion joint.");
	assert_string_equal(a->photos[1].agency, "Reuters");
	assert_string_equal(a->photos[1].photographer, "Jane Smith");
	assert_false(body_contains(a, "AP Photo"));
	assert_false(body_contains(a, "worn expansion"));
	assert_non_null(a->id);
	got_free(&g);
}

static void test_persons_and_fallback_dates(void **state)
{
	got g = { { NULL }, 0 };
	nx_error err = NX_ERROR_INIT;
	nx_article *a = NULL;

	(void)state;
	assert_int_equal(ingest(&g, &err, NX_TEST_DATA "/nitf", "persons.xml"), NX_OK);
	assert_int_equal(g.n, 1);
	a = g.a[0];
	assert_string_equal(a->title, "Council approves budget"); /* head/title without hl1 */
	assert_int_equal(a->nauthors, 2);
	assert_string_equal(a->authors[0], "Mia Example");
	assert_string_equal(a->authors[1], "Jordan Press");
	assert_string_equal(a->source, "The Northwind Press");
	/* date.release is a template: date.issue is used, with its offset */
	assert_utc(&a->published, "2021-07-08T01:42:00Z");
	assert_int_equal(a->published.offset, 180);
	assert_string_equal(a->section, "Local News");
	assert_string_equal(a->lang, "fr");
	assert_int_equal(a->nparas, 1);
	got_free(&g);
}

static void test_truncated(void **state)
{
	got g = { { NULL }, 0 };
	nx_error err = NX_ERROR_INIT;

	(void)state;
	assert_int_equal(ingest(&g, &err, NX_TEST_DATA "/nitf", "truncated.xml"), NX_EFORMAT);
	assert_int_equal(g.n, 0);
	assert_non_null(strstr(err.msg, "truncated XML"));
	assert_non_null(strstr(err.msg, "</nitf>"));
	got_free(&g);
}

static void test_xxe_not_resolved(void **state)
{
	got g = { { NULL }, 0 };
	nx_error err = NX_ERROR_INIT;
	nx_article *a = NULL;

	(void)state;
	assert_int_equal(ingest(&g, &err, NX_TEST_DATA "/nitf", "xxe.xml"), NX_OK);
	assert_int_equal(g.n, 1);
	a = g.a[0];
	assert_non_null(a->title);
	assert_true(strncmp(a->title, "Secret", 6) == 0);
	assert_null(strstr(a->title, "root:"));
	assert_false(body_contains(a, "root:"));
	assert_true(body_contains(a, "Before"));
	got_free(&g);
}

static void test_entity_bomb_bounded(void **state)
{
	got g = { { NULL }, 0 };
	nx_error err = NX_ERROR_INIT;
	int rc = 0;

	(void)state;
	rc = ingest(&g, &err, NX_TEST_DATA "/nitf", "bomb.xml");
	assert_true(rc == NX_OK || rc == NX_EFORMAT);
	if (rc == NX_EFORMAT)
		assert_true(err.msg[0] != '\0');
	if (g.n > 0) {
		char *body = nx_article_body(g.a[0]);

		assert_non_null(body);
		assert_true(g.a[0]->title == NULL || strlen(g.a[0]->title) < 10000);
		assert_true(strlen(body) < 100000);
		free(body);
	}
	got_free(&g);
}

static void test_encodings(void **state)
{
	got g = { { NULL }, 0 };
	nx_error err = NX_ERROR_INIT;

	(void)state;
	/* UTF-8 bytes declared as ISO-8859-1: read as UTF-8, not "DÃ©cÃ¨s" */
	assert_int_equal(ingest(&g, &err, NX_TEST_DATA "/nitf", "mislabelled.xml"), NX_OK);
	assert_int_equal(g.n, 1);
	assert_string_equal(g.a[0]->title, "D\xC3\xA9" "c\xC3\xA8s \xC3\xA0 Strasbourg");
	got_free(&g);
	/* real Latin-1 still decodes */
	assert_int_equal(ingest(&g, &err, NX_TEST_DATA "/nitf", "latin1.xml"), NX_OK);
	assert_int_equal(g.n, 1);
	assert_string_equal(g.a[0]->title, "D\xC3\xA9" "c\xC3\xA8s \xC3\xA0 Strasbourg");
	assert_string_equal(g.a[0]->paras[0], "L'op\xC3\xA9ratrice a \xC3\xA9t\xC3\xA9 condamn\xC3\xA9" "e.");
	got_free(&g);
}

static void test_broken(void **state)
{
	got g = { { NULL }, 0 };
	nx_error err = NX_ERROR_INIT;
	nx_input in;
	static const char garbage[] = "garbage <nitf";
	static const char other[] = "<?xml version=\"1.0\"?><rss><channel/></rss>";
	static const char cut[] = "<nitf><head><title>Cut he";

	(void)state;
	memset(&in, 0, sizeof(in));
	in.offset = -1;
	/* not XML at all */
	in.data = garbage;
	in.len = sizeof(garbage) - 1;
	assert_int_equal(nx_parse_nitf(&in, on_article, &g, &err), NX_EFORMAT);
	assert_true(err.msg[0] != '\0');
	assert_int_equal(g.n, 0);
	/* another XML vocabulary */
	in.data = other;
	in.len = sizeof(other) - 1;
	assert_int_equal(nx_parse_nitf(&in, on_article, &g, &err), NX_EFORMAT);
	assert_non_null(strstr(err.msg, "<rss>"));
	/* cut in the middle of a tag (not NUL-terminated input) */
	assert_int_equal(nx_ingest_buffer(cut, sizeof(cut) - 1, NULL, NULL, on_article, &g, &err), NX_EFORMAT);
	assert_non_null(strstr(err.msg, "truncated"));
	assert_int_equal(g.n, 0);
	/* a document with neither headline nor text */
	assert_int_equal(ingest(&g, &err, NX_TEST_DATA "/nitf", "empty.xml"), NX_EFORMAT);
	assert_non_null(strstr(err.msg, "NITF document has neither a title nor text"));
	got_free(&g);
}

static void test_corpus_sample(void **state)
{
	got g = { { NULL }, 0 };
	nx_error err = NX_ERROR_INIT;
	nx_article *a = NULL;

	(void)state;
	assert_int_equal(ingest(&g, &err, NX_CORPUS, "sample-nitf.xml"), NX_OK);
	assert_int_equal(g.n, 1);
	a = g.a[0];
	assert_non_null(a->title);
	assert_true(a->published.set);
	assert_true(a->nauthors >= 1);
	assert_true(a->nparas >= 3);
	assert_true(a->nphotos >= 1);
	assert_non_null(a->photos[0].agency);
	assert_non_null(a->photos[0].photographer);
	got_free(&g);
}

static void test_real_ap(void **state)
{
	got g = { { NULL }, 0 };
	nx_error err = NX_ERROR_INIT;
	char *probe = NULL;
	size_t len = 0;

	(void)state;
	probe = slurp(NX_SHARED_DATA "/wire/agency", "ap-nitf.xml", &len);
	if (probe == NULL)
		skip();
	free(probe);
	assert_int_equal(ingest(&g, &err, NX_SHARED_DATA "/wire/agency", "ap-nitf.xml"), NX_OK);
	assert_int_equal(g.n, 1);
	assert_string_equal(g.a[0]->title, "Can trading pollution like stocks help fight climate change?");
	assert_string_equal(g.a[0]->source, "AP");
	assert_int_equal(g.a[0]->nauthors, 1);
	assert_string_equal(g.a[0]->authors[0], "Bernard Condon");
	assert_utc(&g.a[0]->published, "2015-12-10T19:10:44Z");
	got_free(&g);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_detect),
		cmocka_unit_test(test_fields),
		cmocka_unit_test(test_persons_and_fallback_dates),
		cmocka_unit_test(test_truncated),
		cmocka_unit_test(test_xxe_not_resolved),
		cmocka_unit_test(test_entity_bomb_bounded),
		cmocka_unit_test(test_encodings),
		cmocka_unit_test(test_broken),
		cmocka_unit_test(test_corpus_sample),
		cmocka_unit_test(test_real_ap),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

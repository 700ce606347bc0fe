/*
 * test_html.c - unit tests for src/extract/extract.c, src/extract/meta.c and the page
 * parser src/formats/html_page.c.
 *
 * Pages go through nx_ingest_buffer() like any file; the article handed
 * to the callback is serialised (nx_article_to_json) and checked field by
 * field.  Small pages live in tests/data/html/; robustness cases (empty
 * <html>, 10000 nested tables, bytes that are not UTF-8) are built here.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "util/buf.h"
#include "extract/extract.h"
#include "newsidx/article.h"
#include "newsidx/ingest.h"

typedef struct got {
	json_t *first;
	int count;
} got;

static int on_article(nx_article *a, void *ctx)
{
	got *g = ctx;
	char *js = NULL;

	g->count++;
	if (g->first != NULL)
		return 0;
	js = nx_article_to_json(a, 0);
	if (js == NULL)
		return NX_ENOMEM;
	g->first = json_loads(js, 0, NULL);
	free(js);
	return 0;
}

/* The first article of html[0..len), or NULL; *rc gets the ingest status. */
static json_t *ingest(const char *html, size_t len, int *rc)
{
	got g = { NULL, 0 };
	nx_error err = NX_ERROR_INIT;
	nx_ingest_opts opts = NX_INGEST_OPTS_INIT;
	int r = 0;

	opts.now = 1700000000;
	r = nx_ingest_buffer(html, len, "test.html", &opts, on_article, &g, &err);
	if (rc != NULL)
		*rc = r;
	return g.first;
}

static char *read_data(const char *name, size_t *len)
{
	char path[1024];
	FILE *f = NULL;
	char *buf = NULL;
	long n = 0;

	snprintf(path, sizeof(path), "%s/html/%s", NX_TEST_DATA, name);
	f = fopen(path, "rb");
	assert_non_null(f);
	assert_int_equal(fseek(f, 0, SEEK_END), 0);
	n = ftell(f);
	assert_true(n > 0);
	rewind(f);
	buf = malloc((size_t)n);
	assert_non_null(buf);
	assert_int_equal(fread(buf, 1, (size_t)n, f), (size_t)n);
	fclose(f);
	*len = (size_t)n;
	return buf;
}

static json_t *ingest_file(const char *name)
{
	size_t len = 0;
	char *buf = read_data(name, &len);
	int rc = 0;
	json_t *o = ingest(buf, len, &rc);

	free(buf);
	assert_int_equal(rc, NX_OK);
	assert_non_null(o);
	return o;
}

static const char *str(json_t *o, const char *key)
{
	json_t *v = json_object_get(o, key);

	return json_is_string(v) ? json_string_value(v) : NULL;
}

static void assert_str(json_t *o, const char *key, const char *want)
{
	const char *v = str(o, key);

	if (want == NULL) {
		assert_null(v);
		return;
	}
	assert_non_null(v);
	assert_string_equal(v, want);
}

static int body_has(json_t *o, const char *needle)
{
	const char *b = str(o, "body");

	return b != NULL && strstr(b, needle) != NULL;
}

static json_t *photo(json_t *o, size_t i)
{
	json_t *p = json_array_get(json_object_get(o, "photos"), i);

	assert_non_null(p);
	return p;
}

/* ---- metadata ------------------------------------------------------------ */

static void test_jsonld(void **state)
{
	json_t *o = ingest_file("jsonld.html");
	json_t *au = json_object_get(o, "authors");

	(void)state;
	assert_str(o, "title", "Harbour bridge reopens after repairs");
	assert_str(o, "source", "The Coastal Courier");
	assert_str(o, "url", "https://courier.example/news/harbour-bridge");
	assert_str(o, "published", "2021-07-08T01:42:00Z");
	assert_str(o, "published_local", "2021-07-08T04:42:00+03:00");
	assert_str(o, "updated", "2022-08-06T13:20:00Z");
	assert_str(o, "lang", "en");
	assert_str(o, "section", "Local");
	/* persons only: the organisation author is not a byline */
	assert_int_equal(json_array_size(au), 2);
	assert_string_equal(json_string_value(json_array_get(au, 0)), "Jane Doe");
	assert_string_equal(json_string_value(json_array_get(au, 1)), "John Roe");
	/* the JSON-LD image with caption and credit */
	assert_str(photo(o, 0), "caption", "Traffic crosses the bridge at dawn");
	assert_str(photo(o, 0), "agency", "Reuters");
	assert_str(photo(o, 0), "photographer", "Ann Smith");
	assert_true(body_has(o, "three months after engineers closed it"));
	assert_true(body_has(o, "another thirty years."));
	assert_false(body_has(o, "All rights reserved"));
	assert_false(body_has(o, "Home"));
	/* the <h1> repeating the title is not a paragraph */
	assert_false(strncmp(str(o, "body"), "Harbour bridge", 14) == 0);
	json_decref(o);
}

static void test_opengraph_only(void **state)
{
	json_t *o = ingest_file("og.html");

	(void)state;
	assert_str(o, "title", "Library extends opening hours");
	assert_str(o, "source", "Riverside Gazette");
	assert_str(o, "url", "https://gazette.example/library-hours");
	assert_str(o, "published_local", "2020-03-27T18:05:00+01:00");
	assert_str(o, "section", "Culture");
	assert_str(o, "lang", "de");
	assert_string_equal(json_string_value(json_array_get(json_object_get(o, "authors"), 0)),
			    "Maria Muster");
	assert_true(body_has(o, "reading rooms were full"));
	json_decref(o);
}

static void test_microdata(void **state)
{
	json_t *o = ingest_file("microdata.html");

	(void)state;
	assert_str(o, "title", "Council approves new cycle lanes");
	assert_str(o, "published", "2019-11-18T00:00:00Z");
	assert_string_equal(json_string_value(json_array_get(json_object_get(o, "authors"), 0)),
			    "Alex Example");
	assert_true(body_has(o, "seventeen votes to nine"));
	assert_true(body_has(o, "a spokesperson for the mayor said."));
	json_decref(o);
}

static void test_title_suffix(void **state)
{
	static const char page[] =
		"<html><head><title>Farmers protest new water rules | Valley Times</title></head>"
		"<body><p>Some text of the article that is long enough to be a paragraph, with "
		"commas, and more words.</p></body></html>";
	json_t *o = ingest(page, sizeof(page) - 1, NULL);

	(void)state;
	assert_non_null(o);
	assert_str(o, "title", "Farmers protest new water rules");
	json_decref(o);
}

static void test_visible_dateline(void **state)
{
	json_t *o = ingest_file("dateline.html");

	(void)state;
	assert_str(o, "published", "2021-07-08T01:42:00Z");
	assert_str(o, "updated", "2022-08-06T13:20:00Z");
	/* the dateline is not body text */
	assert_false(body_has(o, "GMT"));
	assert_true(body_has(o, "two thousand workers"));
	json_decref(o);
}

static void test_foreign_dateline(void **state)
{
	static const char page[] =
		"<html lang=\"de\"><head><meta charset=\"utf-8\"><title>Neue Brücke</title></head><body>"
		"<h1>Neue Brücke</h1><p class=\"postmeta\">3. August 2015</p>"
		"<p>Die neue Brücke über den Fluss wurde am Montag eröffnet, nach drei Jahren Bauzeit, "
		"wie die Stadt mitteilte.</p></body></html>";
	static const char page2[] =
		"<html lang=\"fr\"><head><meta charset=\"utf-8\"><title>Un pont</title></head><body>"
		"<div class=\"date\">Publié le 17/02/2022 à 10h</div>"
		"<p>Le nouveau pont a été inauguré lundi, après trois ans de travaux, a annoncé la ville, "
		"qui attendait ce moment.</p></body></html>";
	json_t *o = ingest(page, sizeof(page) - 1, NULL);

	(void)state;
	assert_non_null(o);
	assert_str(o, "published", "2015-08-03T00:00:00Z");
	json_decref(o);
	o = ingest(page2, sizeof(page2) - 1, NULL);
	assert_non_null(o);
	assert_str(o, "published", "2022-02-17T00:00:00Z");
	json_decref(o);
}

#define PARA "<p>Die neue Brücke über den Fluss wurde am Montag eröffnet, nach drei Jahren " \
	"Bauzeit, wie die Stadt mitteilte, und viele kamen.</p>"

/* The published day of page (a string literal), or fail. */
static void assert_published(const char *page, size_t len, const char *key, const char *want)
{
	json_t *o = ingest(page, len, NULL);

	assert_non_null(o);
	assert_str(o, key, want);
	json_decref(o);
}

/* A UTC time that the page also shows with its local offset keeps that offset. */
static void test_date_local_offset(void **state)
{
	static const char page[] =
		"<html lang=\"en\"><head><meta charset=\"utf-8\"><title>Two stabbed</title>"
		"<meta property=\"article:published_time\" content=\"2023-11-09T02:11:03+00:00\">"
		"</head><body><h1>Two stabbed</h1>"
		"<time datetime=\"2023-11-08T21:11:03-05:00\">November 8, 2023</time>" PARA "</body></html>";

	(void)state;
	assert_published(page, sizeof(page) - 1, "published_local", "2023-11-08T21:11:03-05:00");
}

/* Dates in comments and related stories are not the story's. */
static void test_date_side_blocks(void **state)
{
	static const char page[] =
		"<html lang=\"de\"><head><meta charset=\"utf-8\"><title>Folge 158</title></head><body>"
		"<h1>Folge 158</h1>" PARA "<p>Veröffentlicht am 16.08.2019</p>"
		"<div class=\"related-posts\"><time datetime=\"2019-08-01\">1. August 2019</time></div>"
		"<ol class=\"comment-list\"><li><div class=\"comment-metadata\">"
		"<time datetime=\"2019-08-24T03:36:11+02:00\">24. August 2019 um 03:36 Uhr</time>"
		"</div><p>Toll!</p></li></ol></body></html>";

	(void)state;
	assert_published(page, sizeof(page) - 1, "published", "2019-08-16T00:00:00Z");
}

/* "Letzte Änderung: <date> Erschienen am: <date>": the second is the publication. */
static void test_date_update_label(void **state)
{
	static const char page[] =
		"<html lang=\"de\"><head><meta charset=\"utf-8\"><title>Rezension</title></head><body>"
		"<h1>Rezension</h1>" PARA "<p class=\"footerFrstLn\">Letzte Änderung: 31.10.2023 - 14:49:39"
		"<br>Erschienen am: 01.11.2023</p></body></html>";

	(void)state;
	assert_published(page, sizeof(page) - 1, "published", "2023-11-01T00:00:00Z");
}

/* DD.MM.YY in a dateline; "submitted" (Drupal) is a dateline too. */
static void test_date_short_year(void **state)
{
	static const char page[] =
		"<html lang=\"de\"><head><meta charset=\"utf-8\"><title>Halloween</title></head><body>"
		"<div class=\"date\"> Party, 30.10.23 </div><h1>Halloween</h1>" PARA
		"<p><a href=\"/x\">Wochenende in Wien 12.10. - 15.10.2023</a></p></body></html>";
	static const char page2[] =
		"<html lang=\"de\"><head><meta charset=\"utf-8\"><title>Faircoin</title></head><body>"
		"<h1>Faircoin</h1><p>Wir fahren am 23.-26.8.2017 hin.</p>" PARA
		"<div class=\"submitted\">Gespeichert von rasos am 24. Juli 2017 - 18:55</div></body></html>";

	(void)state;
	assert_published(page, sizeof(page) - 1, "published", "2023-10-30T00:00:00Z");
	assert_published(page2, sizeof(page2) - 1, "published", "2017-07-24T18:55:00Z");
}

/* With no visible date, a publication key in a JSON blob, then a comment. */
static void test_date_hidden(void **state)
{
	static const char page[] =
		"<html lang=\"en\"><head><meta charset=\"utf-8\"><title>Review</title></head><body>"
		"<h1>Review</h1>" PARA "<script type=\"application/json\">"
		"{\"publishedDate\":\"2016-11-04T20:37:27Z\",\"updatedDate\":null}</script></body></html>";
	static const char page2[] =
		"<html lang=\"ar\"><head><meta charset=\"utf-8\"><title>Page</title></head><body>"
		"<h1>Page</h1>" PARA "</body></html><!-- brought from cache 2020-04-24 21:36:31 -->";

	(void)state;
	assert_published(page, sizeof(page) - 1, "published", "2016-11-04T20:37:27Z");
	/* a cache stamp in a comment is when the page was cached, not published
	   (issue 19 item 11) */
	assert_published(page2, sizeof(page2) - 1, "published", NULL);
}

/* The URL's day replaces a time one day off only when a time zone can explain it. */
static void test_date_url_day(void **state)
{
	static const char page[] =
		"<html lang=\"en\"><head><meta charset=\"utf-8\"><title>Workers</title>"
		"<link rel=\"canonical\" href=\"https://example.com/politics/2020/07/08/workers/\">"
		"<meta property=\"article:published_time\" content=\"%s\"></head><body>"
		"<h1>Workers</h1>" PARA "</body></html>";
	char buf[1024];

	(void)state;
	snprintf(buf, sizeof(buf), page, "2020-07-09T10:04:04Z");
	assert_published(buf, strlen(buf), "published", "2020-07-09T10:04:04Z");
	snprintf(buf, sizeof(buf), page, "2020-07-09T02:30:00Z");
	assert_published(buf, strlen(buf), "published", "2020-07-08T00:00:00Z");
}

/* ---- character sets -------------------------------------------------------- */

static void test_windows1252_no_charset(void **state)
{
	json_t *o = ingest_file("cp1252.html");

	(void)state;
	assert_str(o, "title", "Caf\xc3\xa9 reopens");
	assert_true(body_has(o, "cr\xc3\xa8me br\xc3\xbbl\xc3\xa9\x65"));
	json_decref(o);
}

static void test_latin1_meta(void **state)
{
	json_t *o = ingest_file("latin1-meta.html");

	(void)state;
	assert_str(o, "title", "Stra\xc3\x9f\x65 gesperrt");
	assert_true(body_has(o, "bis M\xc3\xa4rz gesperrt"));
	json_decref(o);
}

static void test_bom_and_bad_utf8(void **state)
{
	/* declared UTF-8 with one stray byte: the rest stays UTF-8 */
	static const char page[] =
		"\xEF\xBB\xBF<html><head><meta charset=\"utf-8\"><title>Gr\xc3\xbc\xc3\x9f\x65</title></head>"
		"<body><p>Caf\xc3\xa9 text with one bad byte \xff here, and enough words to be kept as a "
		"paragraph.</p></body></html>";
	json_t *o = ingest(page, sizeof(page) - 1, NULL);

	(void)state;
	assert_non_null(o);
	assert_str(o, "title", "Gr\xc3\xbc\xc3\x9f\x65");
	assert_true(body_has(o, "Caf\xc3\xa9 text"));
	assert_true(body_has(o, "\xef\xbf\xbd"));
	json_decref(o);
}

/* ---- body and figures -------------------------------------------------------- */

static void test_figure_credits(void **state)
{
	json_t *o = ingest_file("figures.html");

	(void)state;
	assert_int_equal(json_array_size(json_object_get(o, "photos")), 6);
	/* credit element inside the figcaption */
	assert_str(photo(o, 0), "caption", "Waves crash over the sea wall.");
	assert_str(photo(o, 0), "agency", "Reuters");
	assert_str(photo(o, 0), "photographer", "Jane Doe");
	assert_str(photo(o, 0), "url", "https://img.example/1.jpg");
	/* trailing "(AP Photo/Name)" */
	assert_str(photo(o, 1), "caption", "A man clears debris from a street on Monday.");
	assert_str(photo(o, 1), "agency", "AP");
	assert_str(photo(o, 1), "photographer", "Evan Vucci");
	/* trailing "Photograph: Name/Getty Images" */
	assert_str(photo(o, 2), "caption", "Fishing boats in the harbour.");
	assert_str(photo(o, 2), "agency", "Getty Images");
	assert_str(photo(o, 2), "photographer", "John Roe");
	/* "© Agency / Name" alone; lazy image address */
	assert_null(str(photo(o, 3), "caption"));
	assert_str(photo(o, 3), "agency", "Sputnik");
	assert_str(photo(o, 3), "photographer", "Ivan Ivanov");
	assert_str(photo(o, 3), "url", "https://img.example/4.jpg");
	/* alt text as the caption */
	assert_str(photo(o, 4), "caption", "Volunteers fill sandbags");
	/* WordPress caption block */
	assert_str(photo(o, 5), "caption", "The old lighthouse, closed since 1990.");
	/* captions and credits never stay in the body */
	assert_false(body_has(o, "Waves crash"));
	assert_false(body_has(o, "Vucci"));
	assert_false(body_has(o, "Getty"));
	assert_false(body_has(o, "Sputnik"));
	assert_false(body_has(o, "lighthouse"));
	assert_true(body_has(o, "more than two hundred calls"));
	assert_true(body_has(o, "flooding possible."));
	json_decref(o);
}

static void test_boilerplate_removed(void **state)
{
	json_t *o = ingest_file("boilerplate.html");
	static const char *const junk[] = { "cookies", "Politics", "Share on", "newsletter",
					    "Read more", "Related", "Water prices", "Most read",
					    "cat that learned", "Great article", "All rights reserved" };
	size_t i = 0;

	(void)state;
	assert_str(o, "title", "Farmers protest new water rules");
	assert_true(body_has(o, "Hundreds of farmers drove their tractors"));
	assert_true(body_has(o, "take effect in June"));
	assert_true(body_has(o, "promised compensation."));
	for (i = 0; i < sizeof(junk) / sizeof(junk[0]); i++) {
		if (body_has(o, junk[i]))
			fail_msg("boilerplate '%s' left in the body", junk[i]);
	}
	json_decref(o);
}

static void test_broken_markup(void **state)
{
	json_t *o = ingest_file("broken.html");

	(void)state;
	assert_true(body_has(o, "First paragraph of a badly written page"));
	assert_true(body_has(o, "Second paragraph & an unescaped ampersand"));
	json_decref(o);
}

/* ---- robustness ------------------------------------------------------------ */

static void test_empty_html(void **state)
{
	static const char *const pages[] = { "<html></html>", "<html><body></body></html>",
					     "<html><head><title></title></head><body> </body></html>",
					     "<!DOCTYPE html>" };
	size_t i = 0;
	int rc = 0;

	(void)state;
	for (i = 0; i < sizeof(pages) / sizeof(pages[0]); i++) {
		json_t *o = ingest(pages[i], strlen(pages[i]), &rc);

		assert_null(o);
		assert_true(rc == NX_OK || rc == NX_EFORMAT);
	}
}

static void test_deep_nesting(void **state)
{
	nx_buf b = NX_BUF_INIT;
	clock_t t0 = clock();
	json_t *o = NULL;
	int rc = 0, i = 0;

	(void)state;
	nx_buf_adds(&b, "<html><head><title>Deep</title></head><body>");
	for (i = 0; i < 10000; i++)
		nx_buf_adds(&b, "<table><tr><td>");
	nx_buf_adds(&b, "deep text");
	for (i = 0; i < 10000; i++)
		nx_buf_adds(&b, "</td></tr></table>");
	for (i = 0; i < 10000; i++)
		nx_buf_adds(&b, "<div>");
	nx_buf_adds(&b, "</body></html>");
	assert_true(nx_buf_ok(&b));
	o = ingest(b.buf, b.len, &rc);
	assert_true(rc == NX_OK || rc == NX_EFORMAT);
	json_decref(o);
	/* the same inside a feed item's fragment */
	{
		nx_article *a = nx_article_new();
		nx_error err = NX_ERROR_INIT;

		assert_non_null(a);
		assert_int_equal(nx_html_fragment(a, b.buf, b.len, &err), NX_OK);
		nx_article_free(a);
	}
	assert_true((double)(clock() - t0) / CLOCKS_PER_SEC < 5.0);
	nx_buf_free(&b);
}

static void test_not_nul_terminated(void **state)
{
	/* the page ends where len says, even with more bytes after it */
	static const char page[] =
		"<html><head><title>Cut here</title></head><body><p>Kept paragraph with enough words "
		"to be a paragraph, and a comma.</p></body></html>GARBAGE<p>not part of it</p>";
	size_t len = strlen(page) - strlen("GARBAGE<p>not part of it</p>");
	char *copy = malloc(len);
	json_t *o = NULL;

	(void)state;
	assert_non_null(copy);
	memcpy(copy, page, len);
	o = ingest(copy, len, NULL);
	free(copy);
	assert_non_null(o);
	assert_true(body_has(o, "Kept paragraph"));
	assert_false(body_has(o, "GARBAGE"));
	json_decref(o);
}

/* ---- fragments and text ------------------------------------------------------ */

static void test_fragment(void **state)
{
	static const char frag[] =
		"<p>First paragraph of the feed item.</p><div class=\"share\"><a href=\"#\">Share</a></div>"
		"<figure><img src=\"https://img.example/f.jpg\"><figcaption>A crowd gathers. "
		"(AP Photo/Jane Doe)</figcaption></figure><p>Second &amp; last paragraph.</p>"
		"<p><a href=\"/x\">Read more</a></p>";
	nx_article *a = nx_article_new();
	nx_error err = NX_ERROR_INIT;

	(void)state;
	assert_non_null(a);
	assert_int_equal(nx_html_fragment(a, frag, sizeof(frag) - 1, &err), NX_OK);
	assert_int_equal(a->nparas, 2);
	assert_string_equal(a->paras[0], "First paragraph of the feed item.");
	assert_string_equal(a->paras[1], "Second & last paragraph.");
	assert_int_equal(a->nphotos, 1);
	assert_string_equal(a->photos[0].caption, "A crowd gathers.");
	assert_string_equal(a->photos[0].agency, "AP");
	assert_string_equal(a->photos[0].photographer, "Jane Doe");
	assert_string_equal(a->photos[0].url, "https://img.example/f.jpg");
	/* empty fragment: nothing, no error */
	assert_int_equal(nx_html_fragment(a, "", 0, &err), NX_OK);
	assert_int_equal(a->nparas, 2);
	nx_article_free(a);
}

static void test_to_text(void **state)
{
	static const struct {
		const char *in, *want;
	} cases[] = {
		{ "Tom &amp; Jerry<br>", "Tom & Jerry" },
		{ "plain text, no markup", "plain text, no markup" },
		{ "<p>one</p><p>two</p>", "one two" },
		{ "caf&eacute; &#8212; &#x2019;s", "caf\xc3\xa9 \xe2\x80\x94 \xe2\x80\x99s" },
		{ "<b>bold</b>  and\n\t<i>italic</i><script>var x = 1;</script>", "bold and italic" },
		{ "", "" },
	};
	size_t i = 0;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		nx_buf b = NX_BUF_INIT;

		assert_int_equal(nx_html_to_text(&b, cases[i].in, strlen(cases[i].in)), NX_OK);
		assert_string_equal(b.buf, cases[i].want);
		nx_buf_free(&b);
	}
}

static void test_corpus_sample(void **state)
{
	char path[1024];
	FILE *f = NULL;
	char *buf = NULL;
	size_t n = 0;
	json_t *o = NULL;

	(void)state;
	snprintf(path, sizeof(path), "%s/harbour-cranes.html", NX_CORPUS);
	f = fopen(path, "rb");
	if (f == NULL)
		skip();
	buf = malloc(1 << 20);
	assert_non_null(buf);
	n = fread(buf, 1, 1 << 20, f);
	fclose(f);
	o = ingest(buf, n, NULL);
	free(buf);
	assert_non_null(o);
	assert_non_null(str(o, "title"));
	assert_non_null(str(o, "published"));
	assert_true(json_array_size(json_object_get(o, "photos")) >= 1);
	json_decref(o);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_jsonld),
		cmocka_unit_test(test_opengraph_only),
		cmocka_unit_test(test_microdata),
		cmocka_unit_test(test_title_suffix),
		cmocka_unit_test(test_visible_dateline),
		cmocka_unit_test(test_foreign_dateline),
		cmocka_unit_test(test_date_local_offset),
		cmocka_unit_test(test_date_side_blocks),
		cmocka_unit_test(test_date_update_label),
		cmocka_unit_test(test_date_short_year),
		cmocka_unit_test(test_date_hidden),
		cmocka_unit_test(test_date_url_day),
		cmocka_unit_test(test_windows1252_no_charset),
		cmocka_unit_test(test_latin1_meta),
		cmocka_unit_test(test_bom_and_bad_utf8),
		cmocka_unit_test(test_figure_credits),
		cmocka_unit_test(test_boilerplate_removed),
		cmocka_unit_test(test_broken_markup),
		cmocka_unit_test(test_empty_html),
		cmocka_unit_test(test_deep_nesting),
		cmocka_unit_test(test_not_nul_terminated),
		cmocka_unit_test(test_fragment),
		cmocka_unit_test(test_to_text),
		cmocka_unit_test(test_corpus_sample),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

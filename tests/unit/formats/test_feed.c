/*
 * test_feed.c - the RSS/Atom parser (src/formats/feed.c): small feeds
 * written for these tests (tests/data/feed), the corpus samples, hostile
 * input (external entities, an entity bomb, truncation at every point) and,
 * when ../shared/data is there, the Guardian feed with its photo credits.
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
#include <sys/stat.h>
#include <time.h>

#include "newsidx/newsidx.h"

#define MAX_ARTICLES 256

/* What the callback saw: every article as JSON, plus its raw bytes. */
typedef struct got {
	size_t count;
	json_t *articles[MAX_ARTICLES];
	char *raw[MAX_ARTICLES];
	const char *format[MAX_ARTICLES];
} got;

static int keep(nx_article *a, void *ctx)
{
	got *g = ctx;
	char *s = NULL;
	json_error_t jerr;

	if (g->count >= MAX_ARTICLES)
		return 0;
	s = nx_article_to_json(a, NX_JSON_ORIGIN);
	if (s == NULL)
		return NX_ENOMEM;
	g->articles[g->count] = json_loads(s, 0, &jerr);
	free(s);
	if (a->origin.raw != NULL) {
		g->raw[g->count] = malloc(a->origin.rawlen + 1);
		if (g->raw[g->count] != NULL) {
			memcpy(g->raw[g->count], a->origin.raw, a->origin.rawlen);
			g->raw[g->count][a->origin.rawlen] = '\0';
		}
	}
	g->format[g->count] = a->origin.format;
	g->count++;
	return 0;
}

static void got_free(got *g)
{
	size_t i = 0;

	for (i = 0; i < g->count; i++) {
		json_decref(g->articles[i]);
		free(g->raw[i]);
	}
	memset(g, 0, sizeof(*g));
}

static int ingest(got *g, const char *path, nx_error *err)
{
	memset(g, 0, sizeof(*g));
	return nx_ingest_file(path, NULL, keep, g, err);
}

/* String field of article i ("" for null, so comparisons read well). */
static const char *str(const got *g, size_t i, const char *key)
{
	json_t *v = NULL;

	assert_true(i < g->count);
	v = json_object_get(g->articles[i], key);
	return json_is_string(v) ? json_string_value(v) : "";
}

static const char *origin_str(const got *g, size_t i, const char *key)
{
	json_t *o = json_object_get(g->articles[i], "origin");
	json_t *v = json_object_get(o, key);

	return json_is_string(v) ? json_string_value(v) : "";
}

static size_t count_of(const got *g, size_t i, const char *key)
{
	return json_array_size(json_object_get(g->articles[i], key));
}

static const char *author(const got *g, size_t i, size_t k)
{
	json_t *v = json_array_get(json_object_get(g->articles[i], "authors"), k);

	return json_is_string(v) ? json_string_value(v) : "";
}

static const char *photo(const got *g, size_t i, size_t k, const char *key)
{
	json_t *p = json_array_get(json_object_get(g->articles[i], "photos"), k);
	json_t *v = json_object_get(p, key);

	assert_non_null(p);
	return json_is_string(v) ? json_string_value(v) : "";
}

/* Index of the article with this title. */
static size_t by_title(const got *g, const char *title)
{
	size_t i = 0;

	for (i = 0; i < g->count; i++)
		if (strcmp(str(g, i, "title"), title) == 0)
			return i;
	fail_msg("no article titled '%s'", title);
	return 0;
}

static void test_rss2_media(void **state)
{
	nx_error err = NX_ERROR_INIT;
	got g;
	size_t i = 0;

	(void)state;
	assert_int_equal(ingest(&g, NX_TEST_DATA "/feed/rss2-media.rss", &err), NX_OK);
	/* the fourth item has neither title nor link */
	assert_int_equal(g.count, 3);

	i = by_title(&g, "Ferry service resumes after storm");
	assert_string_equal(str(&g, i, "url"), "https://gazette.example.com/2021/07/08/ferry-resumes");
	assert_string_equal(origin_str(&g, i, "record"), "gazette-2021-0708-ferry");
	assert_string_equal(origin_str(&g, i, "format"), "rss");
	assert_string_equal(str(&g, i, "source"), "The Harbour Gazette");
	assert_string_equal(str(&g, i, "lang"), "en");
	assert_string_equal(str(&g, i, "section"), "Transport");
	assert_int_equal(count_of(&g, i, "authors"), 2);
	assert_string_equal(author(&g, i, 0), "Jane Doe");
	assert_string_equal(author(&g, i, 1), "John Roe");
	assert_string_equal(str(&g, i, "published"), "2021-07-08T01:42:00Z");
	assert_string_equal(str(&g, i, "published_local"), "2021-07-08T04:42:00+03:00");
	/* content:encoded wins over the description */
	assert_non_null(strstr(str(&g, i, "body"), "The harbour ferry sailed again"));
	assert_non_null(strstr(str(&g, i, "body"), "clear the slipway"));
	assert_null(strstr(str(&g, i, "body"), "teaser"));
	/* two sizes of one image are one photo (the larger kept); the same
	   url twice is one photo; the video is no photo */
	assert_int_equal(count_of(&g, i, "photos"), 2);
	assert_string_equal(photo(&g, i, 0, "url"), "https://img.example.com/ferry.jpg?w=960");
	assert_string_equal(photo(&g, i, 0, "photographer"), "Ann Lens");
	assert_string_equal(photo(&g, i, 0, "agency"), "");
	assert_string_equal(photo(&g, i, 0, "caption"), "The ferry leaves the harbour at dawn.");
	assert_string_equal(photo(&g, i, 1, "url"), "https://img.example.com/slipway.jpg");
	assert_string_equal(photo(&g, i, 1, "agency"), "Reuters");
	assert_string_equal(photo(&g, i, 1, "photographer"), "Ben Shutter");
	assert_string_equal(photo(&g, i, 1, "caption"), "Crews on the slipway");
	/* the raw bytes are the item's own */
	assert_non_null(g.raw[i]);
	assert_non_null(strstr(g.raw[i], "<item"));
	assert_non_null(strstr(g.raw[i], "Ferry service resumes"));
	assert_null(strstr(g.raw[i], "Harbour festival"));

	i = by_title(&g, "Harbour festival draws record crowd");
	assert_string_equal(origin_str(&g, i, "record"), "https://gazette.example.com/2021/07/09/festival");
	assert_int_equal(count_of(&g, i, "authors"), 1);
	assert_string_equal(author(&g, i, 0), "Mary Major");
	assert_non_null(strstr(str(&g, i, "body"), "for the annual festival"));
	assert_null(strstr(str(&g, i, "body"), "<b>"));
	/* group credit and description; image enclosure with the item's
	   copyright as agency; the audio enclosure is no photo */
	assert_int_equal(count_of(&g, i, "photos"), 2);
	assert_string_equal(photo(&g, i, 0, "url"), "https://img.example.com/festival-small.jpg");
	assert_string_equal(photo(&g, i, 0, "agency"), "AP");
	assert_string_equal(photo(&g, i, 0, "photographer"), "Carl Camera");
	assert_string_equal(photo(&g, i, 0, "caption"), "Dancers on the quay.");
	assert_string_equal(photo(&g, i, 1, "url"), "https://img.example.com/festival-poster.png");
	assert_string_equal(photo(&g, i, 1, "agency"), "Harbour Gazette Ltd");

	i = by_title(&g, "Tide tables for the weekend");
	/* a permalink guid and no link: the guid is the url */
	assert_string_equal(str(&g, i, "url"), "https://gazette.example.com/2021/07/10/tide");
	assert_string_equal(str(&g, i, "published"), "2021-07-10T05:00:00Z");
	assert_int_equal(count_of(&g, i, "authors"), 2);
	assert_string_equal(author(&g, i, 1), "John Roe");
	assert_int_equal(count_of(&g, i, "photos"), 1);
	assert_string_equal(photo(&g, i, 0, "url"), "https://img.example.com/tide.jpg");
	assert_string_equal(photo(&g, i, 0, "agency"), "Getty Images");
	got_free(&g);
}

static void test_atom_xhtml_authors(void **state)
{
	nx_error err = NX_ERROR_INIT;
	got g;
	size_t i = 0;

	(void)state;
	assert_int_equal(ingest(&g, NX_TEST_DATA "/feed/atom-xhtml.atom", &err), NX_OK);
	assert_int_equal(g.count, 3);

	i = by_title(&g, "Neue Fähre & neuer Fahrplan");
	assert_string_equal(origin_str(&g, i, "format"), "atom");
	/* rel=alternate text/html beats self, the PDF alternate and the enclosure */
	assert_string_equal(str(&g, i, "url"), "https://bote.example.org/2021/neue-faehre");
	assert_string_equal(origin_str(&g, i, "record"), "tag:bote.example.org,2021:1");
	assert_string_equal(str(&g, i, "source"), "Der Hafenbote");
	assert_string_equal(str(&g, i, "lang"), "de");
	assert_string_equal(str(&g, i, "section"), "Verkehr");
	/* two authors, e-mail dropped, the contributor is no author */
	assert_int_equal(count_of(&g, i, "authors"), 2);
	assert_string_equal(author(&g, i, 0), "Erika Mustermann");
	assert_string_equal(author(&g, i, 1), "Max Mustermann");
	assert_string_equal(str(&g, i, "published"), "2021-07-08T07:30:00Z");
	assert_string_equal(str(&g, i, "updated"), "2021-07-08T09:00:00Z");
	/* xhtml content: both paragraphs, the summary unused */
	assert_non_null(strstr(str(&g, i, "body"), "zum ersten Mal aus."));
	assert_non_null(strstr(str(&g, i, "body"), "ab August."));
	assert_null(strstr(str(&g, i, "body"), "Kurzfassung"));
	assert_null(strstr(str(&g, i, "body"), "<p>"));
	assert_int_equal(count_of(&g, i, "photos"), 1);
	assert_string_equal(photo(&g, i, 0, "url"), "https://bote.example.org/img/faehre.jpg");

	i = by_title(&g, "Only updated here");
	/* a link without rel is the alternate */
	assert_string_equal(str(&g, i, "url"), "https://bote.example.org/2021/only-updated");
	assert_string_equal(str(&g, i, "lang"), "en");
	/* only <updated>: it is the publication time, and updated stays unset */
	assert_string_equal(str(&g, i, "published"), "2021-07-07T08:00:00Z");
	assert_string_equal(str(&g, i, "updated"), "");
	/* the entry inherits the feed's author */
	assert_int_equal(count_of(&g, i, "authors"), 1);
	assert_string_equal(author(&g, i, 0), "Redaktion Hafenbote");
	/* type=text: "<" is text, blank lines separate paragraphs */
	assert_string_equal(str(&g, i, "body"), "First line of plain text <not a tag>.\n\nSecond paragraph.");

	i = by_title(&g, "Source-less entry");
	assert_string_equal(str(&g, i, "url"), "");
	assert_string_equal(str(&g, i, "published"), ""); /* "not a date" is not guessed */
	assert_string_equal(str(&g, i, "updated"), "");
	assert_string_equal(str(&g, i, "body"), "Escaped HTML content.");
	got_free(&g);
}

static void test_rdf(void **state)
{
	nx_error err = NX_ERROR_INIT;
	got g;
	size_t i = 0;

	(void)state;
	assert_int_equal(ingest(&g, NX_TEST_DATA "/feed/rdf.rdf", &err), NX_OK);
	assert_int_equal(g.count, 2);
	i = by_title(&g, "La rivière monte");
	assert_string_equal(origin_str(&g, i, "format"), "rss");
	assert_string_equal(str(&g, i, "url"), "https://rivers.example.net/a");
	assert_string_equal(origin_str(&g, i, "record"), "https://rivers.example.net/a");
	assert_string_equal(str(&g, i, "source"), "River News");
	assert_string_equal(str(&g, i, "lang"), "fr");
	assert_string_equal(str(&g, i, "section"), "Environnement");
	assert_string_equal(author(&g, i, 0), "Jean Dupont");
	assert_string_equal(str(&g, i, "published"), "2021-07-08T01:42:00Z");
	assert_string_equal(str(&g, i, "body"), "Le niveau a monté de deux mètres.");
	i = by_title(&g, "The river falls");
	assert_string_equal(str(&g, i, "lang"), "en"); /* the item's dc:language */
	assert_string_equal(str(&g, i, "published"), "2021-07-09T00:00:00Z");
	got_free(&g);
}

static void test_dates(void **state)
{
	static const struct {
		const char *title, *published, *published_local, *updated;
	} want[] = {
		{ "rfc822 gmt", "2021-07-08T01:42:00Z", "", "" },
		{ "rfc822 offset", "2021-07-08T01:42:00Z", "2021-07-08T04:42:00+03:00", "" },
		{ "iso in pubDate", "2021-07-08T01:42:00Z", "", "" },
		{ "words", "2021-07-08T00:00:00Z", "", "" },
		{ "invalid then dc", "2021-02-28T10:00:00Z", "", "" },
		{ "invalid only", "", "", "" },
		{ "updated only", "2021-07-08T01:42:00Z", "", "" },
		{ "both", "2021-07-08T01:42:00Z", "", "2022-08-06T13:20:00Z" },
		{ "named zone", "2021-07-08T05:42:00Z", "2021-07-08T01:42:00-04:00", "" },
	};
	nx_error err = NX_ERROR_INIT;
	got g;
	size_t i = 0, k = 0;

	(void)state;
	assert_int_equal(ingest(&g, NX_TEST_DATA "/feed/dates.rss", &err), NX_OK);
	assert_int_equal(g.count, sizeof(want) / sizeof(want[0]));
	for (k = 0; k < sizeof(want) / sizeof(want[0]); k++) {
		i = by_title(&g, want[k].title);
		if (strcmp(str(&g, i, "published"), want[k].published) != 0 ||
		    strcmp(str(&g, i, "updated"), want[k].updated) != 0 ||
		    (want[k].published_local[0] != '\0' &&
		     strcmp(str(&g, i, "published_local"), want[k].published_local) != 0))
			fail_msg("%s: published '%s' (local '%s'), updated '%s'", want[k].title,
				 str(&g, i, "published"), str(&g, i, "published_local"), str(&g, i, "updated"));
	}
	got_free(&g);
}

static void test_xxe(void **state)
{
	nx_error err = NX_ERROR_INIT;
	got g;
	char *dump = NULL;

	(void)state;
	assert_int_equal(ingest(&g, NX_TEST_DATA "/feed/xxe.rss", &err), NX_OK);
	assert_int_equal(g.count, 1);
	dump = json_dumps(g.articles[0], 0);
	assert_non_null(dump);
	assert_null(strstr(dump, "root:"));
	assert_null(strstr(dump, "/bin/"));
	assert_null(strstr(dump, "nologin"));
	assert_string_equal(str(&g, 0, "title"), "Leak attempt");
	assert_string_equal(str(&g, 0, "source"), "XXE Probe");
	/* a short internal entity is fine */
	assert_string_equal(str(&g, 0, "body"), "Before after, harmless text.");
	assert_null(strstr(g.raw[0], "root:"));
	free(dump);
	got_free(&g);
}

static void test_entity_bomb(void **state)
{
	nx_error err = NX_ERROR_INIT;
	got g;
	clock_t start = clock();
	size_t i = 0;
	int rc = 0;

	(void)state;
	rc = ingest(&g, NX_TEST_DATA "/feed/bomb.rss", &err);
	/* fails fast with a reason; never a billion "lol"s */
	assert_int_equal(rc, NX_EFORMAT);
	assert_non_null(strstr(err.msg, "items could be read"));
	assert_true((double)(clock() - start) / CLOCKS_PER_SEC < 2.0);
	for (i = 0; i < g.count; i++)
		assert_true(strlen(str(&g, i, "body")) < 10000 && strlen(str(&g, i, "title")) < 1000);
	got_free(&g);
}

static void test_truncated(void **state)
{
	nx_error err = NX_ERROR_INIT;
	got g;

	(void)state;
	/* the items before the break, then the error */
	assert_int_equal(ingest(&g, NX_TEST_DATA "/feed/truncated.rss", &err), NX_EFORMAT);
	assert_string_equal(err.msg, "truncated feed (2 items read)");
	assert_int_equal(g.count, 2);
	assert_string_equal(str(&g, 0, "title"), "First complete item");
	assert_string_equal(str(&g, 0, "body"), "All of it is here.");
	assert_string_equal(str(&g, 1, "title"), "Second complete item");
	got_free(&g);
}

static char *slurp(const char *path, size_t *len)
{
	FILE *fp = fopen(path, "rb");
	char *buf = NULL;
	long n = 0;

	assert_non_null(fp);
	assert_int_equal(fseek(fp, 0, SEEK_END), 0);
	n = ftell(fp);
	assert_true(n > 0);
	rewind(fp);
	buf = malloc((size_t)n);
	assert_non_null(buf);
	assert_int_equal(fread(buf, 1, (size_t)n, fp), (size_t)n);
	fclose(fp);
	*len = (size_t)n;
	return buf;
}

/* Cut a feed at every few bytes: never a crash, never more items than the
 * feed holds, and an error whenever the root element was cut off. */
static void cut_everywhere(const char *path, size_t items, size_t step)
{
	size_t len = 0, cut = 0, i = 0, root_close = 0;
	char *data = slurp(path, &len);
	char *copy = NULL;
	got g;
	int rc = 0;

	/* where the root's end tag starts: the last "</" of the file */
	for (i = 0; i + 2 <= len; i++)
		if (memcmp(data + i, "</", 2) == 0)
			root_close = i;
	for (cut = 1; cut < len; cut += step) {
		nx_error err = NX_ERROR_INIT;

		/* an exact-size copy so that ASan sees any read past the end */
		copy = malloc(cut);
		assert_non_null(copy);
		memcpy(copy, data, cut);
		memset(&g, 0, sizeof(g));
		rc = nx_ingest_buffer(copy, cut, NULL, NULL, keep, &g, &err);
		assert_true(g.count <= items);
		for (i = 0; i < g.count; i++)
			assert_non_null(g.articles[i]);
		/* the root element was cut off: an error, with a reason */
		if (cut < root_close + 3)
			assert_int_not_equal(rc, NX_OK);
		if (rc != NX_OK)
			assert_true(err.msg[0] != '\0');
		got_free(&g);
		free(copy);
	}
	free(data);
}

static void test_truncated_everywhere(void **state)
{
	(void)state;
	cut_everywhere(NX_TEST_DATA "/feed/rss2-media.rss", 3, 7);
	cut_everywhere(NX_TEST_DATA "/feed/atom-xhtml.atom", 3, 7);
}

static void test_empty_channel(void **state)
{
	nx_error err = NX_ERROR_INIT;
	got g;

	(void)state;
	/* a feed with no items is a valid feed with nothing in it */
	assert_int_equal(ingest(&g, NX_TEST_DATA "/feed/empty.rss", &err), NX_OK);
	assert_int_equal(g.count, 0);
	got_free(&g);
}

static void test_odd(void **state)
{
	nx_error err = NX_ERROR_INIT;
	got g;
	size_t i = 0;

	(void)state;
	assert_int_equal(ingest(&g, NX_TEST_DATA "/feed/odd.rss", &err), NX_OK);
	assert_int_equal(g.count, 5);
	/* double-escaped title; undeclared content: and media: prefixes */
	i = by_title(&g, "Tom & Jerry return");
	assert_string_equal(str(&g, i, "url"), "http://odd.example.com/tom-jerry");
	assert_string_equal(str(&g, i, "lang"), "en");
	assert_string_equal(str(&g, i, "source"), "Odd & Broken Feed");
	assert_string_equal(str(&g, i, "body"), "Unbound prefix, still the body.");
	assert_int_equal(count_of(&g, i, "photos"), 1);
	assert_string_equal(photo(&g, i, 0, "agency"), "Sputnik");
	assert_string_equal(photo(&g, i, 0, "photographer"), "Ivan Ivanov");
	/* markup left unescaped in a description is still the body */
	i = by_title(&g, "Naked markup only");
	assert_string_equal(str(&g, i, "body"), "First naked paragraph & more.\n\nSecond one.");
	assert_string_equal(origin_str(&g, i, "record"), "odd-2");
	assert_string_equal(str(&g, i, "url"), ""); /* isPermaLink="false" */
	assert_int_equal(count_of(&g, i, "authors"), 0); /* a bare address is no name */
	/* a relative link resolved against the channel link */
	i = by_title(&g, "Relative");
	assert_string_equal(str(&g, i, "url"), "http://odd.example.com/relative/only.html");
	/* an aggregated item's <source> is its outlet */
	assert_string_equal(str(&g, i, "source"), "Wire Service");
	/* Dublin Core title and description when there is nothing else */
	i = by_title(&g, "Dublin Core title");
	assert_string_equal(str(&g, i, "body"), "Only Dublin Core here.");
	/* no title but a permalink guid: kept */
	for (i = 0; i < g.count; i++)
		if (strcmp(str(&g, i, "url"), "http://odd.example.com/permalink-only") == 0)
			break;
	assert_true(i < g.count);
	got_free(&g);
}

static void test_corpus_samples(void **state)
{
	nx_error err = NX_ERROR_INIT;
	got g;
	size_t i = 0, k = 0, credited = 0;

	(void)state;
	assert_int_equal(ingest(&g, NX_CORPUS "/sample-feed.rss", &err), NX_OK);
	assert_int_equal(g.count, 3);
	for (i = 0; i < g.count; i++) {
		assert_string_equal(str(&g, i, "source"), "Northwind Herald");
		assert_true(count_of(&g, i, "photos") >= 1);
		for (k = 0; k < count_of(&g, i, "photos"); k++)
			if (photo(&g, i, k, "agency")[0] != '\0' || photo(&g, i, k, "photographer")[0] != '\0')
				credited++;
	}
	assert_int_equal(credited, 4);
	i = by_title(&g, "Wildfire forces evacuations in hill villages");
	assert_string_equal(author(&g, i, 0), "Marco Bellini");
	assert_string_equal(author(&g, i, 1), "Hana Sato");
	assert_string_equal(photo(&g, i, 1, "photographer"), "Nikos Lamprou");
	assert_string_equal(photo(&g, i, 1, "agency"), "AFP");
	got_free(&g);

	assert_int_equal(ingest(&g, NX_CORPUS "/sample-atom.xml", &err), NX_OK);
	assert_int_equal(g.count, 2);
	i = by_title(&g, "Drainage board plans new pumping station");
	assert_int_equal(count_of(&g, i, "authors"), 2);
	assert_string_equal(str(&g, i, "lang"), "en");
	got_free(&g);
}

/* The Guardian feed from rss-parser: 55 items, 110 media:credit (each
 * image in two sizes). */
static void test_guardian(void **state)
{
	const char *path = NX_SHARED_DATA "/feeds/rss-parser/input/guardian.rss";
	nx_error err = NX_ERROR_INIT;
	struct stat st;
	got g;
	size_t i = 0, k = 0, photos = 0, credited = 0;

	(void)state;
	if (stat(path, &st) != 0)
		skip();
	assert_int_equal(ingest(&g, path, &err), NX_OK);
	assert_int_equal(g.count, 55);
	for (i = 0; i < g.count; i++) {
		assert_string_equal(str(&g, i, "source"), "The Guardian");
		assert_string_equal(str(&g, i, "lang"), "en");
		assert_true(str(&g, i, "published")[0] != '\0');
		assert_true(strncmp(str(&g, i, "url"), "https://www.theguardian.com/", 28) == 0);
		for (k = 0; k < count_of(&g, i, "photos"); k++) {
			photos++;
			if (photo(&g, i, k, "agency")[0] != '\0' || photo(&g, i, k, "photographer")[0] != '\0')
				credited++;
		}
	}
	print_message("guardian.rss: %zu photos, %zu credited\n", photos, credited);
	assert_true(photos <= 60); /* the two sizes of each image are one photo */
	assert_true(credited >= 50);
	got_free(&g);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rss2_media),
		cmocka_unit_test(test_atom_xhtml_authors),
		cmocka_unit_test(test_rdf),
		cmocka_unit_test(test_dates),
		cmocka_unit_test(test_xxe),
		cmocka_unit_test(test_entity_bomb),
		cmocka_unit_test(test_truncated),
		cmocka_unit_test(test_truncated_everywhere),
		cmocka_unit_test(test_empty_channel),
		cmocka_unit_test(test_odd),
		cmocka_unit_test(test_corpus_samples),
		cmocka_unit_test(test_guardian),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

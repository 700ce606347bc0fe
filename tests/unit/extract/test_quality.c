/*
 * test_quality.c - the failure classes of real pages from sites nobody
 * tuned for (issue 19), each on a minimal page written for the test:
 * pages whose head was cut off, and the like.
 *
 * Pages go through nx_ingest_buffer() like any file; the article is
 * serialised (nx_article_to_json) and checked field by field.
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

#include "newsidx/article.h"
#include "newsidx/ingest.h"

static int on_article(nx_article *a, void *ctx)
{
	json_t **first = ctx;
	char *js = NULL;

	if (*first != NULL)
		return 0;
	js = nx_article_to_json(a, 0);
	if (js == NULL)
		return NX_ENOMEM;
	*first = json_loads(js, 0, NULL);
	free(js);
	return 0;
}

/* The first article of the page (NULL when none); *rc the ingest status. */
static json_t *ingest(const char *html, int *rc)
{
	json_t *first = NULL;
	nx_error err = NX_ERROR_INIT;
	nx_ingest_opts opts = NX_INGEST_OPTS_INIT;
	int r = 0;

	opts.now = 1700000000;
	r = nx_ingest_buffer(html, strlen(html), "page.html", &opts, on_article, &first, &err);
	if (rc != NULL)
		*rc = r;
	nx_error_clear(&err);
	return first;
}

static const char *str(json_t *o, const char *key)
{
	return json_string_value(json_object_get(o, key));
}

/* The body's paragraphs joined by "\n". */
static char *body_of(json_t *o)
{
	json_t *paras = json_object_get(o, "paras");
	size_t i = 0, n = 0;
	char *out = NULL;

	if (json_is_string(json_object_get(o, "body")))
		return strdup(str(o, "body"));
	for (i = 0; i < json_array_size(paras); i++)
		n += strlen(json_string_value(json_array_get(paras, i))) + 1;
	out = calloc(1, n + 1);
	assert_non_null(out);
	for (i = 0; i < json_array_size(paras); i++) {
		strcat(out, json_string_value(json_array_get(paras, i)));
		strcat(out, "\n");
	}
	return out;
}

#define STORY \
	"<p>The harbour board voted on Tuesday to close the old ferry pier for good, " \
	"ending ninety years of crossings to the island.</p>" \
	"<p>Repairs would have cost more than a new pier, the board said, and the " \
	"island council has agreed to a temporary landing stage until then.</p>"

/* The head of the page was lost (a cut-off doctype runs into a script):
   no <title>, no <h1>, the headline in an <h2>.  Before: no article. */
static void test_head_cut_off_h2_headline(void **state)
{
	const char *page =
		"<!doctype html public \"-//W3C//DTD HTML 4.0 Transitional//EN\" \"http://www.w3.org/TR/REC-h "
		"type=\"text/javascript\"></script>\n<!--end library-->\n"
		"<div class=\"nav\"><a href=\"/\">Home</a></div>"
		"<h2>Harbour board closes the old ferry pier</h2>" STORY;
	int rc = 0;
	json_t *o = ingest(page, &rc);
	char *body = NULL;

	(void)state;
	assert_int_equal(rc, 0);
	assert_non_null(o);
	assert_string_equal(str(o, "title"), "Harbour board closes the old ferry pier");
	body = body_of(o);
	assert_non_null(strstr(body, "ninety years of crossings"));
	free(body);
	json_decref(o);
}

/* No <title>, no <h1>: an element of a "headline" class names the story
   (it comes before a sidebar <h2>). */
static void test_head_cut_off_headline_class(void **state)
{
	const char *page =
		"<body><div class=\"StoryHeadline\">Harbour board closes the old ferry pier</div>"
		"<div>" STORY "</div><h2>Most read</h2></body>";
	json_t *o = ingest(page, NULL);

	(void)state;
	assert_non_null(o);
	assert_string_equal(str(o, "title"), "Harbour board closes the old ferry pier");
	json_decref(o);
}

/* No headline anywhere (head and headings lost): the title is the start
   of the first paragraph, so the story is kept.  Before: no article. */
static void test_no_headline_anywhere(void **state)
{
	const char *page =
		"<!DOCTYPEw.example.org/rss/feed.xml\" >\n<div id=\"main\"><div>" STORY "</div></div>";
	int rc = 0;
	json_t *o = ingest(page, &rc);

	(void)state;
	assert_int_equal(rc, 0);
	assert_non_null(o);
	assert_string_equal(str(o, "title"),
			    "The harbour board voted on Tuesday to close the old ferry pier\xE2\x80\xA6");
	json_decref(o);
}

/* An <html> tag whose attribute runs into the next tag: libxml2 leaves an
   empty first root and the page in a second one.  Before: no article. */
static void test_broken_html_tag(void **state)
{
	const char *page =
		"<!DOCTYPE html PUBLIC \"-//W3C//DTD XHTML 1.0 Transitional//EN\">\n"
		"<html xmlogo.png\" alt=\"Logo\" width=\"145\" /></a></td><td><table><tr><td>"
		"<h1>Harbour board closes the old ferry pier</h1>" STORY "</td></tr></table>";
	int rc = 0;
	json_t *o = ingest(page, &rc);
	char *body = NULL;

	(void)state;
	assert_int_equal(rc, 0);
	assert_non_null(o);
	assert_string_equal(str(o, "title"), "Harbour board closes the old ferry pier");
	body = body_of(o);
	assert_non_null(strstr(body, "temporary landing stage"));
	free(body);
	json_decref(o);
}

/* The page's headline and story, as every test below checks them. */
static void assert_pier_story(json_t *o, const char *title)
{
	char *body = NULL;

	assert_non_null(o);
	assert_string_equal(str(o, "title"), title);
	body = body_of(o);
	assert_non_null(strstr(body, "ninety years of crossings"));
	assert_null(strstr(body, "<p>"));
	assert_null(strstr(body, "harbour-board-junk"));
	free(body);
}

/* The page is read as that headline and the story. */
static void check_page(const char *html, const char *title)
{
	json_t *o = ingest(html, NULL);

	assert_pier_story(o, title);
	json_decref(o);
}

#define PIER_HEAD "<title>Pier closes</title></head><body><h1>Pier closes</h1>"

/* Item 5: junk before <html>: before, the page was read as plain text
   (its markup the body). */
static void test_junk_before_html(void **state)
{
	(void)state;
	check_page("harbour-board-junk 0 0\n<html><head>" PIER_HEAD STORY "</body></html>", "Pier closes");
}

/* A byte order mark saved through windows-1252 and back ("ï»¿"). */
static void test_mangled_bom(void **state)
{
	(void)state;
	check_page("\xC3\xAF\xC2\xBB\xC2\xBF\xC3\xAF\xC2\xBB\xC2\xBF<html><head>" PIER_HEAD STORY "</body></html>",
		   "Pier closes");
}

/* A doctype cut off inside its quoted identifier runs into <html>:
   libxml2 read the whole page as the doctype. */
static void test_doctype_cut_off_into_html(void **state)
{
	(void)state;
	check_page("harbour-board-junk <!DOCTYPE html PUBLIC \"-//W3C//DTD <html><head>" PIER_HEAD STORY
		   "</body></html>", "Pier closes");
}

/* A <title> never closed (a template cut it off) swallowed the page as
   title text: no body. */
static void test_title_never_closed(void **state)
{
	(void)state;
	check_page("<html><head><title>Pier closes - Ne(OAS_version >= 11)\n"
		   "document.write('<SCRIPT SR' + 'C=\"x\">');\n</SCRIPT>\n"
		   "<div class=\"story\"><h1>Pier closes</h1>" STORY "</div></html>", "Pier closes");
}

/* A stray </script>, a head never closed, a frameset with the story in
   <noframes>: the story is read all the same. */
static void test_stray_script_end_unclosed_head_frameset(void **state)
{
	(void)state;
	check_page("<html><head><title>Pier closes</title></script><meta name=x content=y>"
		   "<body><h1>Pier closes</h1>" STORY "</body></html>", "Pier closes");
	check_page("<html><head><title>Pier closes</title></head><frameset><frame src=\"a.html\">"
		   "</frameset><noframes><body><h1>Pier closes</h1>" STORY "</body></noframes></html>",
		   "Pier closes");
}

#define CAFE_UTF8 "Caf\xC3\xA9 \xE2\x80\x9Cpier\xE2\x80\x9D"
#define CAFE_1252 "Caf\xE9 \x93pier\x94"

/* Item 6: valid UTF-8 under a windows-1252 or ISO-8859-1 label, or no
   label, is UTF-8; invalid UTF-8 under a UTF-8 label is windows-1252. */
static void test_charset_utf8_labelled_latin1(void **state)
{
	(void)state;
	check_page("<html><head><meta charset=\"iso-8859-1\"><title>" CAFE_UTF8 "</title></head><body>" STORY
		   "</body></html>", CAFE_UTF8);
	check_page("<html><head><meta http-equiv=\"Content-Type\" content=\"text/html; charset=windows-1252\">"
		   "<title>" CAFE_UTF8 "</title></head><body>" STORY "</body></html>", CAFE_UTF8);
}

static void test_charset_unlabelled(void **state)
{
	(void)state;
	check_page("<html><head><title>" CAFE_UTF8 "</title></head><body>" STORY "</body></html>", CAFE_UTF8);
	/* unlabelled and not UTF-8: windows-1252 */
	check_page("<html><head><title>" CAFE_1252 "</title></head><body>" STORY "</body></html>", CAFE_UTF8);
}

static void test_charset_invalid_utf8_labelled_utf8(void **state)
{
	(void)state;
	check_page("<html><head><meta charset=\"utf-8\"><title>" CAFE_1252 "</title></head><body>" STORY
		   "</body></html>", CAFE_UTF8);
}

/* ---- item 11: dates ---------------------------------------------------- */

/* The publication time of the page as it states it ("" when none). */
static char *published_of(const char *html)
{
	json_t *o = ingest(html, NULL);
	const char *v = NULL;
	char *out = NULL;

	assert_non_null(o);
	v = str(o, "published_local");
	if (v == NULL)
		v = str(o, "published");
	out = strdup(v != NULL ? v : "");
	json_decref(o);
	return out;
}

static void check_published(const char *head, const char *body, const char *want)
{
	char page[4096];
	char *got = NULL;

	snprintf(page, sizeof(page), "<html><head><title>Pier closes</title>%s</head><body>"
		 "<h1>Pier closes</h1>%s" STORY "</body></html>", head, body);
	got = published_of(page);
	assert_string_equal(got, want);
	free(got);
}

/* Digits of other scripts in a meta value: Arabic-Indic, Persian,
   Devanagari.  Before: no date. */
static void test_date_other_script_digits(void **state)
{
	(void)state;
	check_published("<meta property=\"article:published_time\" content=\""
			"\xD9\xA2\xD9\xA0\xD9\xA2\xD9\xA0-\xD9\xA0\xD9\xA7-\xD9\xA1\xD9\xA2\">", "",
			"2020-07-12T00:00:00Z");
	check_published("<meta property=\"article:published_time\" content=\""
			"\xDB\xB2\xDB\xB0\xDB\xB2\xDB\xB0-\xDB\xB0\xDB\xB7-\xDB\xB1\xDB\xB2\">", "",
			"2020-07-12T00:00:00Z");
	check_published("<meta name=\"publish-date\" content=\"\xE0\xA5\xA8\xE0\xA5\xA6\xE0\xA5\xA8\xE0\xA5\xA6-"
			"\xE0\xA5\xA6\xE0\xA5\xAD-\xE0\xA5\xA7\xE0\xA5\xA8\">", "", "2020-07-12T00:00:00Z");
}

/* A 12-hour local time with a zone abbreviation is kept with its offset
   (before: IST unknown, the time read as UTC). */
static void test_date_12_hour_zone(void **state)
{
	(void)state;
	check_published("", "<div class=\"dateline\">Jul 12, 2020, 01:38:07 PM IST</div>",
			"2020-07-12T13:38:07+05:30");
	check_published("", "<div class=\"dateline\">Posted 11:05 pm AEST, July 12 2020</div>",
			"2020-07-12T23:05:00+10:00");
	/* "ist" in German prose after a time is not a zone */
	check_published("", "<div class=\"dateline\">12.07.2020 um 23:30 ist es passiert</div>",
			"2020-07-12T23:30:00Z");
}

/* A date in an HTML comment is when the page was made or cached; a date
   in a related story's image address is that story's.  Before: the
   comment's date was the publication. */
static void test_date_comment_and_related_image(void **state)
{
	(void)state;
	check_published("", "<!-- cached 2020-04-24 21:36:31 -->", "");
	check_published("", "<!-- page generated 24/04/2020 -->", "");
	check_published("", "<div class=\"related\"><a href=\"/x\"><img src=\"/images/2019/03/04/t.jpg\">"
			"</a></div>", "");
	/* a publication key in a comment (an RDF trackback) still counts */
	check_published("", "<!-- <rdf:Description dc:date=\"2020-07-12T22:00:00+09:00\" /> -->",
			"2020-07-12T22:00:00+09:00");
	/* ... and outranks a date in the text (the first day of a range) */
	check_published("", "<!-- <rdf:Description dc:date=\"2020-07-12T22:00:00+09:00\" /> -->"
			"<p>Winners of the races of 2020/07/11-12.</p>", "2020-07-12T22:00:00+09:00");
}

/* Old dates: metadata may be as old as archives go; an old date in the
   address counts when the title repeats its year; a date in free text
   before 1990 does not without such evidence.  Before: nothing before
   1990 (1995 in the address). */
static void test_date_old_pages(void **state)
{
	char *got = NULL;

	(void)state;
	check_published("<meta name=\"date\" content=\"1963-02-15\">", "", "1963-02-15T00:00:00Z");
	check_published("<script type=\"application/ld+json\">{\"@type\":\"NewsArticle\","
			"\"datePublished\":\"1892-03-04\"}</script>", "", "1892-03-04T00:00:00Z");
	got = published_of("<html><head><title>The Evening Star, March 4, 1892</title>"
			   "<link rel=\"canonical\" href=\"https://archive.example.org/1892/03/04/page-2/\">"
			   "</head><body><h1>Pier closes</h1>" STORY "</body></html>");
	assert_string_equal(got, "1892-03-04T00:00:00Z");
	free(got);
	got = published_of("<html><head><title>Pier closes</title>"
			   "<link rel=\"canonical\" href=\"https://archive.example.org/1892/03/04/page-2/\">"
			   "</head><body><h1>Pier closes</h1>" STORY "</body></html>");
	assert_string_equal(got, "");
	free(got);
	check_published("", "<p>The pier opened on July 20, 1969, the day of the moon landing.</p>", "");
}

/* A date beside another story's headline is that story's: in a list
   item with a headline link to another page, in a short <article> card
   without the page's <h1>, inside a teaser link.  A list item linking to
   the page itself dates the page.  Before: the first <time> (or the first
   "pubdate" one) on the page, whoever's it was. */
static void test_date_of_teaser_not_page(void **state)
{
	const char *canon = "<link rel=\"canonical\" href=\"https://example.org/blog/pier-closes\">";

	(void)state;
	check_published(canon, "<ul><li><a href=\"/blog/ferry-timetable-changes\">Ferry timetable changes "
			"again</a> <span><time datetime=\"2019-07-30\">30 July</time> by <a rel=\"author\" "
			"href=\"/jane\">Jane</a></span></li></ul><p class=\"when\"><time datetime=\"2019-06-27\">"
			"27 June</time></p>", "2019-06-27T00:00:00Z");
	check_published(canon, "<ul><li><a href=\"/blog/ferry-timetable-changes\">Ferry timetable changes "
			"again</a> <time datetime=\"2019-07-30\">30 July</time></li><li><a href=\"/blog/pier-closes"
			"\">Pier closes for the winter</a> <time datetime=\"2019-06-27\">27 June</time></li></ul>",
			"2019-06-27T00:00:00Z");
	check_published(canon, "<p>Le <time datetime=\"2019-06-28T13:49:45Z\">28 juin</time></p>"
			"<div class=\"more\"><article class=\"entry\"><a href=\"blog/ferry-timetable-changes\">"
			"<strong>Ferry timetable changes again</strong></a><p><time pubdate datetime=\""
			"2019-09-24T13:34:33Z\">24/09</time></p></article></div>", "2019-06-28T13:49:45Z");
	check_published(canon, "<p>Le <time datetime=\"2019-06-28T13:49:45Z\">28 juin</time></p>"
			"<div class=\"more\"><a href=\"blog/ferry-timetable-changes?c=2\">I disagree with the "
			"pier's owners <p><time pubdate datetime=\"2019-09-22T07:30:29Z\">22/09</time></p></a>"
			"</div>", "2019-06-28T13:49:45Z");
	/* a permalink around the page's own date is not a teaser */
	check_published(canon, "<p><a href=\"https://example.org/blog/pier-closes/\" rel=\"bookmark\">"
			"<time class=\"entry-date published\" datetime=\"2019-06-28T10:00:00Z\">28 June</time>"
			"</a></p>", "2019-06-28T10:00:00Z");
}

/* "pubdate" on times of different days singles out none of them: the
   first time on the page is taken.  Before: the first "pubdate" one. */
static void test_date_pubdate_on_many_days(void **state)
{
	(void)state;
	check_published("", "<p><time datetime=\"2019-06-28\">28 June</time></p><div><span><time pubdate "
			"datetime=\"2019-09-24\">24 Sep</time></span><span><time pubdate datetime=\"2019-09-20\">"
			"20 Sep</time></span></div>", "2019-06-28T00:00:00Z");
	check_published("", "<p><time datetime=\"2019-06-28\">28 June</time></p><div><span><time pubdate "
			"datetime=\"2019-09-24\">24 Sep</time></span></div>", "2019-09-24T00:00:00Z");
}

/* ---- item 10: metadata ------------------------------------------------- */

/* The authors joined by "; " ("" when none), and the source. */
static void check_meta(const char *head, const char *body, const char *authors, const char *source)
{
	char page[4096], got[512];
	json_t *o = NULL, *au = NULL;
	size_t i = 0;

	snprintf(page, sizeof(page), "<html><head>%s</head><body><h1>Pier closes</h1>%s" STORY
		 "</body></html>", head, body);
	o = ingest(page, NULL);
	assert_non_null(o);
	got[0] = '\0';
	au = json_object_get(o, "authors");
	for (i = 0; i < json_array_size(au); i++) {
		if (i > 0)
			strcat(got, "; ");
		strcat(got, json_string_value(json_array_get(au, i)));
	}
	assert_string_equal(got, authors);
	if (source == NULL)
		assert_null(str(o, "source"));
	else
		assert_string_equal(str(o, "source"), source);
	json_decref(o);
}

/* A title and a body the page encoded twice.  Before: "&#8216;" kept. */
static void test_double_encoded_entities(void **state)
{
	json_t *o = ingest("<html><head><title>Pier &amp;#8216;closes&amp;#8217; &amp;#038; more</title></head>"
			   "<body><h1>Pier &amp;#8216;closes&amp;#8217; &amp;#038; more</h1>"
			   "<p>The harbour board voted on Tuesday to close the old ferry pier for good, ending "
			   "&amp;ldquo;ninety years&amp;rdquo; of crossings to the island.</p></body></html>", NULL);
	char *body = NULL;

	(void)state;
	assert_non_null(o);
	assert_string_equal(str(o, "title"), "Pier \xE2\x80\x98" "closes\xE2\x80\x99 & more");
	body = body_of(o);
	assert_non_null(strstr(body, "ending \xE2\x80\x9Cninety years\xE2\x80\x9D of"));
	free(body);
	json_decref(o);
}

/* Bylines with a dateline glued, an agency after the name, a job title
   beside the name or alone.  Before: all of it was the author. */
static void test_byline_cleaned(void **state)
{
	(void)state;
	check_meta("<title>Pier closes</title>",
		   "<div class=\"byline\">Jane Roe Associated Press Published 10:02 PM EST Nov 3, 2019</div>",
		   "Jane Roe", NULL);
	check_meta("<title>Pier closes</title><meta name=\"author\" content=\"Jane Roe, Political Correspondent\">",
		   "", "Jane Roe", NULL);
	check_meta("<title>Pier closes</title>", "<div class=\"byline\">By Jane Roe Senior Political Correspondent</div>",
		   "Jane Roe", NULL);
	check_meta("<title>Pier closes</title><script type=\"application/ld+json\">{\"@type\":\"NewsArticle\","
		   "\"headline\":\"Pier closes\",\"author\":[{\"@type\":\"Person\",\"name\":\"Jane Roe\"},"
		   "{\"@type\":\"Person\",\"name\":\"Political Correspondent\"},"
		   "{\"@type\":\"Person\",\"name\":\"John Doe | Updated 3 Nov 2019\"}]}</script>", "",
		   "Jane Roe; John Doe", NULL);
	/* names are not cut short: two authors, a name with a comma-free suffix */
	check_meta("<title>Pier closes</title><meta name=\"author\" content=\"Jane Roe, John Doe\">", "",
		   "Jane Roe, John Doe", NULL);
}

/* Bylines under the classes templates give them ("article__author",
   "post-author", "author", "FeatureByline") and "by" in other languages.
   Before: none of these was read; "Par" stayed in the name. */
static void test_byline_classes_and_languages(void **state)
{
	(void)state;
	check_meta("<title>Pier closes</title>", "<div class=\"article__author\">By\n\t\tJane Roe\t</div>",
		   "Jane Roe", NULL);
	check_meta("<title>Pier closes</title>", "<div class=\"FeatureByline\"> By <b>Jane Roe</b><br>"
		   "March 25, 2015</div>", "Jane Roe", NULL);
	check_meta("<title>Pier closes</title>", "<span class=\"author\">Par<span class=\"authorname\"> "
		   "Jeanne Rousseau</span></span>", "Jeanne Rousseau", NULL);
	check_meta("<title>Pier closes</title>", "<p class=\"post-author\">Von Hans Meier</p>", "Hans Meier", NULL);
	/* "Von" that is part of a name stays */
	check_meta("<title>Pier closes</title>", "<p class=\"post-author\">Von Miller</p>", "Von Miller", NULL);
	/* an "about the author" box and a commenter are not the byline */
	check_meta("<title>Pier closes</title>", "<div class=\"about-author\">Jane Roe</div>"
		   "<div class=\"comments\"><span class=\"comment-author\">John Doe</span></div>", "", NULL);
}

/* The publisher by its "@id" in an @graph: its name, never the @id.
   Before: the source was "#Publisher". */
static void test_publisher_id_not_source(void **state)
{
	(void)state;
	check_meta("<title>Pier closes</title><script type=\"application/ld+json\">{\"@graph\":["
		   "{\"@type\":\"NewsArticle\",\"headline\":\"Pier closes\",\"publisher\":{\"@id\":\"#Publisher\"}},"
		   "{\"@type\":\"Organization\",\"@id\":\"#Publisher\",\"name\":\"The Harbour Gazette\"}]}</script>",
		   "", "", "The Harbour Gazette");
	check_meta("<title>Pier closes</title><script type=\"application/ld+json\">{\"@type\":\"NewsArticle\","
		   "\"headline\":\"Pier closes\",\"publisher\":{\"@id\":\"#Publisher\"}}</script>", "", "", NULL);
	check_meta("<title>Pier closes</title><script type=\"application/ld+json\">{\"@type\":\"NewsArticle\","
		   "\"headline\":\"Pier closes\",\"publisher\":\"#Publisher\"}</script>"
		   "<meta property=\"og:site_name\" content=\"Harbour Gazette\">", "", "", "Harbour Gazette");
}

/* JSON-LD wrapped in <![CDATA[ ... ]]> (as XHTML templates write it) is
   read: authors, several of them, and the publication time.  Before: the
   wrapper's "[" was taken for the data's start and nothing was read. */
static void test_json_ld_in_cdata(void **state)
{
	json_t *o = NULL;

	(void)state;
	check_meta("<title>Pier closes</title><script type=\"application/ld+json\">\n  <![CDATA[\n"
		   "  {\"@type\":\"BlogPosting\",\"headline\":\"Pier closes\",\"author\":[{\"@type\":"
		   "\"Person\",\"name\":\"Jane Roe\"},{\"@type\":\"Person\",\"name\":\"John Doe\"}],"
		   "\"datePublished\":\"2024-06-25\"}\n  ]]>\n</script>", "", "Jane Roe; John Doe", NULL);
	o = ingest("<html><head><title>Pier closes</title><script type=\"application/ld+json\">//<![CDATA["
		   "\n{\"@type\":\"NewsArticle\",\"headline\":\"Pier closes\",\"datePublished\":"
		   "\"2024-06-25T10:00:00Z\"}\n//]]></script></head><body><h1>Pier closes</h1>" STORY
		   "</body></html>", NULL);
	assert_non_null(o);
	assert_string_equal(str(o, "published"), "2024-06-25T10:00:00Z");
	json_decref(o);
	/* "<![CDATA[" inside a string of the data is not a wrapper */
	check_meta("<title>Pier closes</title><script type=\"application/ld+json\">{\"@type\":\"NewsArticle\","
		   "\"headline\":\"Pier closes\",\"description\":\"x <![CDATA[ y ]]> z\",\"author\":"
		   "\"Jane Roe\"}</script>", "", "Jane Roe", NULL);
}

/* A JSON-LD headline that the <title> mostly lacks is a tagline or a
   description, not the title.  Before: "country in Oceania" titled the
   page "New Zealand - Encyclopedia". */
static void test_json_ld_headline_not_title(void **state)
{
	json_t *o = ingest("<html><head><title>New Zealand - Encyclopedia</title>"
			   "<script type=\"application/ld+json\">{\"@type\":\"Article\",\"name\":\"New Zealand\","
			   "\"headline\":\"island country in Oceania\"}</script></head><body><h1>New Zealand</h1>"
			   STORY "</body></html>", NULL);

	(void)state;
	assert_non_null(o);
	assert_string_equal(str(o, "title"), "New Zealand");
	json_decref(o);
	/* a headline worded a little apart from the <title> is still taken */
	o = ingest("<html><head><title>Vision Pro hands-on: the display moment for headsets | Site</title>"
		   "<script type=\"application/ld+json\">{\"@type\":\"NewsArticle\",\"headline\":"
		   "\"Vision Pro is the display moment for headsets\"}</script></head><body><h1>Vision Pro</h1>"
		   STORY "</body></html>", NULL);
	assert_non_null(o);
	assert_string_equal(str(o, "title"), "Vision Pro is the display moment for headsets");
	json_decref(o);
}

/* ---- round 14: titles and bylines that generalize ---------------------- */

/* The title newsidx gives the page with head and body (STORY after body). */
static void check_title(const char *head, const char *body, const char *title)
{
	char page[4096];
	json_t *o = NULL;

	snprintf(page, sizeof(page), "<html><head>%s</head><body>%s" STORY "</body></html>", head, body);
	o = ingest(page, NULL);
	assert_non_null(o);
	assert_string_equal(str(o, "title"), title);
	json_decref(o);
}

/* An <h1> that only links to the site's front page is the masthead, not
   the headline.  Before: "Harbour Gazette Online" was the title. */
static void test_masthead_h1_not_title(void **state)
{
	(void)state;
	check_title("<title>Pier closes after ninety years | Harbour Gazette Online</title>",
		    "<h1 class=\"site-title\"><a href=\"/\">Harbour Gazette Online</a></h1>",
		    "Pier closes after ninety years");
	check_title("<title>Pier closes after ninety years [The Harbour Gazette Online]</title>",
		    "<h1><a href=\"https://gazette.example/\"><img alt=\"Harbour Gazette\" src=\"l.png\">"
		    "<span>The Harbour Gazette Online</span></a></h1><h2>Pier closes after ninety years</h2>",
		    "Pier closes after ninety years [The Harbour Gazette Online]");
	/* the story's own <h1> after the masthead is the title */
	check_title("<title>Pier closes after ninety years - Harbour Gazette Online</title>",
		    "<h1><a href=\"index.html\">Harbour Gazette Online</a></h1>"
		    "<h1>Pier closes after ninety years</h1>", "Pier closes after ninety years");
	/* a headline linked to its own page, or with text beside the link, stays */
	check_title("<title>Harbour Gazette</title>",
		    "<h1><a href=\"/2019/11/pier-closes\">Pier closes after ninety years</a></h1>",
		    "Pier closes after ninety years");
	check_title("<title>Harbour Gazette</title>",
		    "<h1>Pier closes after <a href=\"/\">ninety years</a></h1>", "Pier closes after ninety years");
	check_title("<title>Harbour Gazette</title>",
		    "<h1><a href=\"#\">Pier closes after ninety years</a></h1>", "Pier closes after ninety years");
	check_title("<title>Harbour Gazette</title>",
		    "<h1><a href=\"\">Pier closes after ninety years</a></h1>", "Pier closes after ninety years");
}

/* A section name in an <h1> that the <title> holds only in its site part
   is not the title; a short headline the <title> starts with is.  Before:
   "Football" and "National News" were titles. */
static void test_section_h1_not_title(void **state)
{
	(void)state;
	check_title("<title>Ferry pier closes after ninety years - Football News Story</title>",
		    "<h1>Football</h1><h1>Ferry pier closes after ninety years</h1>",
		    "Ferry pier closes after ninety years");
	check_title("<title>Ferry pier closes after ninety years - National News</title>",
		    "<h1>National News</h1><div><h1>Ferry pier closes after ninety years</h1></div>",
		    "Ferry pier closes after ninety years");
	check_title("<title>Ferry pier closes after ninety years - National News</title>",
		    "<h1>National News</h1><h1>Sport</h1>", "Ferry pier closes after ninety years");
	check_title("<title>Ferry - Harbour Encyclopedia</title>", "<h1>Ferry</h1><h1>Contents</h1>", "Ferry");
}

/* A byline in reader comments or a menu is not the story's.  Before: the
   commenter "John Doe" was the author. */
static void test_byline_in_comments_not_author(void **state)
{
	(void)state;
	check_meta("<title>Pier closes</title>",
		   "<ul class=\"comments-list\"><li class=\"comment\"><div class=\"byline\">John Doe</div>"
		   "<p>Good riddance.</p></li></ul><div class=\"author-name\">Jane Roe</div>", "Jane Roe", NULL);
	check_meta("<title>Pier closes</title>",
		   "<nav><ul><li><a href=\"/other\">Other story</a> <p class=\"byline\">by <a href=\"/x\">"
		   "John Doe</a></p></li></ul></nav><p class=\"byline\">by <a rel=\"author\" href=\"/a/jr\">"
		   "Jane Roe</a></p>", "Jane Roe", NULL);
	/* a story beside a sidebar keeps its byline */
	check_meta("<title>Pier closes</title>",
		   "<div id=\"content-sidebar-wrap\"><div class=\"post-info\">by <a rel=\"author\" "
		   "href=\"/a/jr\">Jane Roe</a></div></div>", "Jane Roe", NULL);
}

/* Several authors, one meta tag each; an author under og:article:author.
   Before: only the first; none. */
static void test_authors_in_repeated_meta(void **state)
{
	(void)state;
	check_meta("<title>Pier closes</title><meta name=\"DC.Creator\" content=\"Roe, Jane\">"
		   "<meta name=\"DC.Creator\" content=\"Doe, John\">", "", "Roe, Jane; Doe, John", NULL);
	check_meta("<title>Pier closes</title><meta name=\"author\" content=\"Jane Roe\">"
		   "<meta name=\"author\" content=\"Jane Roe\">", "", "Jane Roe", NULL);
	check_meta("<title>Pier closes</title><meta property=\"og:article:author\" content=\"Jane Roe\">",
		   "", "Jane Roe", NULL);
}

/* A user name as the structured author gives way to the name the byline
   shows; a time after a bullet is not part of the name.  Before:
   "CC7567"; "Jane Roe • 8h". */
static void test_user_handle_gives_way_to_byline(void **state)
{
	(void)state;
	check_meta("<title>Pier closes</title><script type=\"application/ld+json\">{\"@type\":\"NewsArticle\","
		   "\"headline\":\"Pier closes\",\"author\":\"CC7567\"}</script>",
		   "<div class=\"byline\"><a href=\"/u/CC7567\"><span class=\"fn\">Jane Roe</span></a></div>",
		   "Jane Roe", NULL);
	check_meta("<title>Pier closes</title><meta name=\"author\" content=\"jane_roe\">",
		   "<p class=\"byline\">Jane Roe \xE2\x80\xA2 8h</p>", "Jane Roe", NULL);
	/* with no byline, or a byline of one word, the handle stays */
	check_meta("<title>Pier closes</title><meta name=\"author\" content=\"jane_roe\">", "", "jane_roe", NULL);
	check_meta("<title>Pier closes</title><meta name=\"author\" content=\"jane_roe\">",
		   "<p class=\"byline\">Admin</p>", "jane_roe", NULL);
	/* a label before the name goes; a label before a date leaves no author */
	check_meta("<title>Pier closes</title>", "<p class=\"byline\">Autor: Jane Roe</p>", "Jane Roe", NULL);
	check_meta("<title>Pier closes</title>", "<p class=\"byline\">Published: January 9, 2008</p>", "", NULL);
	check_meta("<title>Pier closes</title>", "<p class=\"byline\">Dec 29, 2007</p><p class=\"author\">"
		   "Jane Roe</p>", "Jane Roe", NULL);
	check_meta("<title>Pier closes</title>", "<p class=\"byline\">November 12, 2012 by Jane Roe 7</p>",
		   "Jane Roe", NULL);
	check_meta("<title>Pier closes</title>", "<p class=\"byline\">8. Januar 2020 \xC2\xB7 von Jane Roe "
		   "\xC2\xB7 in Politik</p>", "Jane Roe", NULL);
	/* names that start with a month stay */
	check_meta("<title>Pier closes</title><meta name=\"author\" content=\"April Ryan\">", "", "April Ryan", NULL);
	check_meta("<title>Pier closes</title><meta name=\"author\" content=\"May 2, 2019\">", "", "", NULL);
	check_meta("<title>Pier closes</title><meta name=\"author\" content=\"June Carter, August Wilson\">", "",
		   "June Carter, August Wilson", NULL);
	/* a name in capitals is not a handle */
	check_meta("<title>Pier closes</title><meta name=\"author\" content=\"Madonna\">",
		   "<p class=\"byline\">Jane Roe</p>", "Madonna", NULL);
}

/* ---- item 7: the lead paragraph is not a caption ----------------------- */

#define LEAD "WASHINGTON (XYZ) The harbour board voted on Tuesday to close the old ferry pier for good."

/* The body starts with the lead; no photo has it as its caption. */
static void check_lead_kept(const char *article)
{
	char page[4096];
	json_t *o = NULL, *photos = NULL;
	char *body = NULL;
	size_t i = 0;

	snprintf(page, sizeof(page), "<html><head><title>Pier closes</title></head><body><article>"
		 "<h1>Pier closes</h1>%s</article></body></html>", article);
	o = ingest(page, NULL);
	assert_non_null(o);
	body = body_of(o);
	assert_memory_equal(body, LEAD, strlen(LEAD));
	assert_non_null(strstr(body, "temporary landing stage"));
	photos = json_object_get(o, "photos");
	for (i = 0; i < json_array_size(photos); i++) {
		const char *cap = json_string_value(json_object_get(json_array_get(photos, i), "caption"));

		assert_true(cap == NULL || strstr(cap, "harbour board voted") == NULL);
	}
	free(body);
	json_decref(o);
}

#define REST "<p>Repairs would have cost more than a new pier, the board said, and the island " \
	"council has agreed to a temporary landing stage until then.</p>"

/* Before: the lead inside a media container, or written where a caption
   goes, was a caption or dropped; the body started at the second one. */
static void test_lead_in_media_container(void **state)
{
	(void)state;
	check_lead_kept("<figure class=\"media\"><img src=\"/lead.jpg\"><p>" LEAD "</p></figure>" REST);
	check_lead_kept("<div class=\"lead-image\"><img src=\"/lead.jpg\"><div class=\"caption\"><p>" LEAD
			"</p></div></div>" REST);
	check_lead_kept("<p><cite>WASHINGTON (XYZ)</cite> The harbour board voted on Tuesday to close the old "
			"ferry pier for good.</p>" REST "<figure><img src=\"/pier.jpg\"><figcaption>The old pier.</figcaption></figure>");
}

/* A caption never holds the only text: a page whose one paragraph is in
   a <figcaption> keeps it as its body.  Before: no body. */
static void test_caption_not_the_only_text(void **state)
{
	json_t *o = ingest("<html><head><title>Pier closes</title></head><body><article><h1>Pier closes</h1>"
			   "<figure><img src=\"/lead.jpg\"><figcaption>The harbour board voted on Tuesday to close "
			   "the old ferry pier for good.</figcaption></figure></article></body></html>", NULL);
	char *body = NULL;

	(void)state;
	assert_non_null(o);
	body = body_of(o);
	assert_non_null(strstr(body, "harbour board voted"));
	free(body);
	json_decref(o);
	/* a real caption stays a caption */
	o = ingest("<html><head><title>Pier closes</title></head><body><article><h1>Pier closes</h1>"
		   "<figure><img src=\"/lead.jpg\"><figcaption>The old pier at dawn. Photo: Jane Roe/Reuters"
		   "</figcaption></figure>" STORY "</article></body></html>", NULL);
	assert_non_null(o);
	assert_string_equal(json_string_value(json_object_get(json_array_get(json_object_get(o, "photos"), 0),
							      "caption")), "The old pier at dawn.");
	json_decref(o);
}

/* ---- item 12: credits on pages ----------------------------------------- */

/* "Photograph by Name/Agency/Agency"; related-story thumbnails are not
   the article's photos. */
static void test_credits_on_page(void **state)
{
	json_t *o = ingest("<html><head><title>Pier closes</title></head><body><article><h1>Pier closes</h1>"
			   "<figure><img src=\"/lead.jpg\"><figcaption>The old pier at dawn. Photograph by Jane Roe/AFP/"
			   "Getty Images</figcaption></figure>" STORY "<div class=\"related-stories\"><ul><li><figure>"
			   "<a href=\"/news/other\"><img src=\"/thumb.jpg\"></a><figcaption>Ferry timetable changes. "
			   "Photo: John Doe/Reuters</figcaption></figure></li></ul></div></article></body></html>", NULL);
	json_t *ph = NULL;

	(void)state;
	assert_non_null(o);
	assert_int_equal(json_array_size(json_object_get(o, "photos")), 1);
	ph = json_array_get(json_object_get(o, "photos"), 0);
	assert_string_equal(str(ph, "photographer"), "Jane Roe");
	assert_string_equal(str(ph, "agency"), "AFP/Getty Images");
	assert_string_equal(str(ph, "caption"), "The old pier at dawn.");
	json_decref(o);
}

/* A template that gives every story the site's front page as og:url or
   canonical link would file them all as revisions of one article: such an
   address is not the article's. */
static void test_front_page_url_not_article(void **state)
{
	static const char *roots[] = { "https://blog.example.com/", "https://blog.example.com",
				       "http://blog.example.com:8080/#top", "https://blog.example.com/?" };
	char html[1024];
	json_t *o = NULL;
	size_t i = 0;

	(void)state;
	for (i = 0; i < sizeof(roots) / sizeof(roots[0]); i++) {
		snprintf(html, sizeof(html),
			 "<html><head><title>Pier closes</title><meta property=\"og:url\" content=\"%s\">"
			 "<link rel=\"canonical\" href=\"%s\"></head><body><h1>Pier closes</h1>" STORY
			 "</body></html>", roots[i], roots[i]);
		o = ingest(html, NULL);
		assert_non_null(o);
		assert_null(str(o, "url"));
		json_decref(o);
	}
	/* a story's own address is kept, whichever of the two gives it */
	o = ingest("<html><head><title>Pier closes</title><meta property=\"og:url\" content=\"https://blog."
		   "example.com/\"><link rel=\"canonical\" href=\"https://blog.example.com/2012/05/pier\">"
		   "</head><body><h1>Pier closes</h1>" STORY "</body></html>", NULL);
	assert_non_null(o);
	assert_string_equal(str(o, "url"), "https://blog.example.com/2012/05/pier");
	json_decref(o);
	/* a front page fetched from a front page (a crawl's record) keeps its canonical address */
	{
		static const char page[] = "<html><head><title>Pier closes</title><link rel=\"canonical\" "
					   "href=\"https://example.com/\"></head><body><h1>Pier closes</h1>" STORY
					   "</body></html>";
		static const char http[] = "HTTP/1.1 200 OK\r\nContent-Type: text/html\r\n\r\n";
		char warc[4096];
		nx_error err = NX_ERROR_INIT;
		nx_ingest_opts opts = NX_INGEST_OPTS_INIT;
		int n = snprintf(warc, sizeof(warc),
				 "WARC/1.0\r\nWARC-Type: response\r\nWARC-Record-ID: <urn:uuid:f1>\r\n"
				 "WARC-Date: 2023-05-02T10:00:00Z\r\nWARC-Target-URI: https://www.example.com/\r\n"
				 "Content-Type: application/http; msgtype=response\r\nContent-Length: %zu\r\n\r\n"
				 "%s%s\r\n\r\n", strlen(http) + strlen(page), http, page);

		assert_true(n > 0 && (size_t)n < sizeof(warc));
		o = NULL;
		opts.now = 1700000000;
		assert_int_equal(nx_ingest_buffer(warc, (size_t)n, "crawl.warc", &opts, on_article, &o, &err), NX_OK);
		nx_error_clear(&err);
		assert_non_null(o);
		assert_string_equal(str(o, "url"), "https://example.com/");
		json_decref(o);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_head_cut_off_h2_headline),
		cmocka_unit_test(test_head_cut_off_headline_class),
		cmocka_unit_test(test_no_headline_anywhere),
		cmocka_unit_test(test_broken_html_tag),
		cmocka_unit_test(test_junk_before_html),
		cmocka_unit_test(test_mangled_bom),
		cmocka_unit_test(test_doctype_cut_off_into_html),
		cmocka_unit_test(test_title_never_closed),
		cmocka_unit_test(test_stray_script_end_unclosed_head_frameset),
		cmocka_unit_test(test_charset_utf8_labelled_latin1),
		cmocka_unit_test(test_charset_unlabelled),
		cmocka_unit_test(test_charset_invalid_utf8_labelled_utf8),
		cmocka_unit_test(test_date_other_script_digits),
		cmocka_unit_test(test_date_12_hour_zone),
		cmocka_unit_test(test_date_comment_and_related_image),
		cmocka_unit_test(test_date_old_pages),
		cmocka_unit_test(test_date_of_teaser_not_page),
		cmocka_unit_test(test_date_pubdate_on_many_days),
		cmocka_unit_test(test_double_encoded_entities),
		cmocka_unit_test(test_byline_cleaned),
		cmocka_unit_test(test_byline_classes_and_languages),
		cmocka_unit_test(test_publisher_id_not_source),
		cmocka_unit_test(test_json_ld_in_cdata),
		cmocka_unit_test(test_json_ld_headline_not_title),
		cmocka_unit_test(test_masthead_h1_not_title),
		cmocka_unit_test(test_section_h1_not_title),
		cmocka_unit_test(test_byline_in_comments_not_author),
		cmocka_unit_test(test_authors_in_repeated_meta),
		cmocka_unit_test(test_user_handle_gives_way_to_byline),
		cmocka_unit_test(test_front_page_url_not_article),
		cmocka_unit_test(test_lead_in_media_container),
		cmocka_unit_test(test_caption_not_the_only_text),
		cmocka_unit_test(test_credits_on_page),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

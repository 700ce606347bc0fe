/*
 * test_blocks.c - unit tests for src/extract/blocks.c: how a page is cut
 * into text blocks, the features of a block (the same ones the training
 * tool writes), and the learned classifier's use at run time (a story
 * with a comment list and related headlines: the story is the body, the
 * comments and headlines are not; a page never loses its only text).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "extract/blocks.h"
#include "extract/extract_private.h"
#include "newsidx/article.h"

static const char story[] =
	"<html><head><title>Council votes on the bridge</title></head><body>"
	"<div class=\"site-header\"><a href=\"/\">Home</a> <a href=\"/news\">News</a> "
	"<a href=\"/sport\">Sport</a></div>"
	"<div class=\"article-body\"><h1>Council votes on the bridge</h1>"
	"<p>The city council voted on Tuesday to rebuild the old bridge over the river, "
	"ending a debate that had lasted for more than ten years.</p>"
	"<p>The new bridge, which will carry cars, bicycles and a tram line, is expected to "
	"open in the spring of 2029, the mayor said after the vote.</p>"
	"<p>Opponents, who had asked for a tunnel instead, said they would take the decision "
	"to court, arguing that the cost had been underestimated.</p></div>"
	"<div class=\"related-stories\"><h3>Related</h3><ul>"
	"<li><a href=\"/a\">Mayor opens the new library in the old town</a></li>"
	"<li><a href=\"/b\">Tram line to reach the airport by 2030</a></li></ul></div>"
	"<div id=\"comments\" class=\"comment-list\">"
	"<div class=\"comment\"><p>Great news, finally! I cross that bridge every day.</p></div>"
	"<div class=\"comment\"><p>What a waste of money, the tunnel was the better idea.</p></div>"
	"</div><div class=\"footer-copyright\">&copy; 2026 The Daily Example. "
	"All rights reserved.</div></body></html>";

static htmlDocPtr parse(const char *html)
{
	nx_error err = NX_ERROR_INIT;
	htmlDocPtr doc = nx_html__read(html, strlen(html), "text/html; charset=utf-8", &err);

	assert_non_null(doc);
	return doc;
}

static size_t feature(const char *name)
{
	const char *const *names = nx_blocks__names();
	size_t i = 0;

	for (i = 0; names[i] != NULL; i++)
		if (strcmp(names[i], name) == 0)
			return i;
	fail_msg("no feature %s", name);
	return 0;
}

static const nx_block *find(const nx_blocks *bs, const char *start)
{
	size_t i = 0;

	for (i = 0; i < bs->n; i++)
		if (strncmp(bs->v[i].text, start, strlen(start)) == 0)
			return &bs->v[i];
	fail_msg("no block starting %s", start);
	return NULL;
}

/* Blocks, their text and the features that describe them. */
static void test_features(void **state)
{
	htmlDocPtr doc = parse(story);
	nx_article *rules = nx_article_new();
	nx_blocks bs;
	const nx_block *b = NULL;
	const char *const *names = nx_blocks__names();
	size_t n = 0;

	(void)state;
	for (n = 0; names[n] != NULL; n++)
		;
	assert_true(n > 50 && n <= NX_BLOCK_NFEAT);
	assert_int_equal(nx_html__body_rules(rules, doc), NX_OK);
	assert_int_equal(nx_blocks__build(&bs, doc, rules), NX_OK);
	assert_int_equal(bs.nfeat, n);
	/* one block per paragraph, list item, heading; navigation links run together */
	b = find(&bs, "The city council voted");
	assert_int_equal(b->kept, 1);
	assert_true(b->x[feature("kept")] == 1);
	assert_true(b->x[feature("own_p")] == 1);
	assert_true(b->x[feature("near_article")] == 1);
	assert_true(b->x[feature("near_body")] == 1);
	assert_true(b->x[feature("near_comment")] == 0);
	assert_true(b->x[feature("ld")] == 0);
	assert_true(b->x[feature("ends")] == 1);
	assert_true(b->x[feature("stops")] > 0.2);
	assert_true(b->x[feature("next_kept")] == 1);
	b = find(&bs, "Tram line to reach");
	assert_true(b->x[feature("ld")] == 1);
	assert_true(b->x[feature("own_li")] == 1);
	assert_true(b->x[feature("in_list")] == 1);
	assert_true(b->x[feature("near_related")] == 1);
	b = find(&bs, "What a waste of money");
	assert_true(b->x[feature("near_comment")] == 1);
	assert_true(b->x[feature("after_last_kept")] == 1);
	assert_true(b->x[feature("kept_before")] == 1);
	b = find(&bs, "\xc2\xa9 2026");
	assert_true(b->x[feature("copyright")] == 1);
	assert_true(b->x[feature("near_footer")] == 1);
	b = find(&bs, "Home News Sport");
	assert_true(b->x[feature("ld")] == 1);
	assert_int_equal(b->kept, 0);
	assert_true(b->x[feature("before_first_kept")] == 1);
	nx_blocks__free(&bs);
	nx_article_free(rules);
	xmlFreeDoc(doc);
}

/* Scripts, figures, captions and hidden parts are never blocks. */
static void test_skipped(void **state)
{
	htmlDocPtr doc = parse("<html><body><p>Visible text of the story, long enough.</p>"
			       "<script>var x = 'script text';</script>"
			       "<figure><img src=a.jpg><figcaption>A caption</figcaption></figure>"
			       "<div style=\"display: none\">Hidden text</div>"
			       "<div class=\"wp-caption-text\">Another caption</div>"
			       "<p>Second<br>line</p></body></html>");
	nx_blocks bs;

	(void)state;
	assert_int_equal(nx_blocks__build(&bs, doc, NULL), NX_OK);
	assert_int_equal(bs.n, 3);
	assert_string_equal(bs.v[0].text, "Visible text of the story, long enough.");
	assert_string_equal(bs.v[1].text, "Second");
	assert_string_equal(bs.v[2].text, "line");
	assert_int_equal(bs.v[0].kept, 0);
	nx_blocks__free(&bs);
	xmlFreeDoc(doc);
}

/* The body at run time: the story, not the comments, headlines or footer. */
static void test_body(void **state)
{
	htmlDocPtr doc = parse(story);
	nx_article *a = nx_article_new();
	char *body = NULL;

	(void)state;
	assert_int_equal(nx_html__body(a, doc), NX_OK);
	body = nx_article_body(a);
	assert_non_null(body);
	assert_non_null(strstr(body, "The city council voted on Tuesday"));
	assert_non_null(strstr(body, "open in the spring of 2029"));
	assert_non_null(strstr(body, "take the decision to court"));
	assert_null(strstr(body, "I cross that bridge"));
	assert_null(strstr(body, "tunnel was the better idea"));
	assert_null(strstr(body, "Tram line to reach"));
	assert_null(strstr(body, "All rights reserved"));
	assert_null(strstr(body, "Home News"));
	free(body);
	nx_article_free(a);
	xmlFreeDoc(doc);
}

/* A page whose only text is one short line keeps it. */
static void test_only_text(void **state)
{
	htmlDocPtr doc = parse("<html><body><div class=\"share-tools\">"
			       "<a href=\"/x\">Share this story</a></div></body></html>");
	nx_article *a = nx_article_new();
	nx_article *r = nx_article_new();

	(void)state;
	assert_int_equal(nx_html__body_rules(r, doc), NX_OK);
	assert_int_equal(nx_html__body(a, doc), NX_OK);
	/* whatever the hand rules kept stays when the model keeps nothing */
	assert_true(a->nparas >= r->nparas);
	nx_article_free(a);
	nx_article_free(r);
	xmlFreeDoc(doc);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_features),
		cmocka_unit_test(test_skipped),
		cmocka_unit_test(test_body),
		cmocka_unit_test(test_only_text),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

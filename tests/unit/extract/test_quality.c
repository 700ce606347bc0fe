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

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_head_cut_off_h2_headline),
		cmocka_unit_test(test_head_cut_off_headline_class),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

/*
 * test_anpa.c - unit tests for src/formats/anpa.c: detection by the
 * control codes, headline, byline, notes left out, paragraphs, the time and
 * agency of the trailer, two messages in one file, a story without a
 * heading, and truncated input.  The messages are written for the test.
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
} cap;

static int keep(nx_article *a, void *ctx)
{
	cap *c = ctx;

	if (c->n < MAXCAP)
		c->a[c->n] = nx_article_move(a);
	c->n++;
	return 0;
}

static void release(cap *c)
{
	while (c->n > 0) {
		c->n--;
		if (c->n < MAXCAP)
			nx_article_free(c->a[c->n]);
	}
}

static int parse(const char *doc, size_t len, cap *c, nx_error *err)
{
	nx_ingest_opts opts = NX_INGEST_OPTS_INIT;
	nx_input in;

	opts.now = 1700000000;
	memset(&in, 0, sizeof(in));
	in.data = doc;
	in.len = len;
	in.offset = -1;
	in.opts = &opts;
	return nx_format__dispatch(&in, keep, c, err);
}

#define STORY                                                                                       \
	"\x16\x16\x01W1234\x1f" "asian\n"                                                           \
	"r a\x13\x11 BC-EU--Harbour-Strike 1stLd-Writethru   03-04 0412\n"                          \
	"\x02^BC-EU--Harbour Strike, 1st Ld-Writethru,410<\n"                                      \
	"^Dockers end strike at the harbour<\n"                                                     \
	"^AP Photo XYZ101<\n"                                                                       \
	"^Eds: Adds quote in 3rd paragraph.<\n"                                                     \
	"^By ANNA LEE and BO PARK=\n"                                                               \
	"^Associated Press=\n"                                                                      \
	"\t   ROTTERDAM, Netherlands (AP) _ Dockers ended their strike on Monday.\n"                 \
	" \n"                                                                                       \
	"\t   ``We are glad,'' a union leader said.\n"                                              \
	"\x03" "AP-WF-03-04-24 1510GMT<\n\n\x0c\n\x04"

static void test_story(void **state)
{
	static const char doc[] = STORY;
	cap c = { 0 };
	nx_error err = NX_ERROR_INIT;
	const nx_article *a = NULL;

	(void)state;
	assert_int_equal(nx_detect(doc, sizeof(doc) - 1), NX_FMT_ANPA);
	assert_int_equal(parse(doc, sizeof(doc) - 1, &c, &err), NX_OK);
	assert_int_equal(c.n, 1);
	a = c.a[0];
	assert_string_equal(a->title, "Dockers end strike at the harbour");
	assert_int_equal(a->nauthors, 2);
	assert_string_equal(a->source, "AP");
	assert_true(a->published.set);
	assert_int_equal(a->published.utc, 1709565000); /* 2024-03-04T15:10:00Z */
	assert_int_equal(a->nparas, 2);
	assert_string_equal(a->paras[0], "ROTTERDAM, Netherlands (AP) \xE2\x80\x94 Dockers ended their strike on Monday.");
	assert_string_equal(a->paras[1], "\xE2\x80\x9CWe are glad,\xE2\x80\x9D a union leader said.");
	assert_string_equal(a->origin.format, "anpa");
	release(&c);
}

static void test_two_messages_and_no_heading(void **state)
{
	static const char doc[] = STORY
		"\x16\x16\x01W1235\x1f" "asian\n"
		"b a\x13\x11 BC-US--APNewsAlert     03-04 0020\n"
		"\x02^BC-US--APNewsAlert,17<\n"
		"\t   WASHINGTON (AP) _ The Senate passed the budget bill late on Monday night.\n"
		"\x03" "AP-WF-03-04-24 2350GMT<\n\x04";
	cap c = { 0 };
	nx_error err = NX_ERROR_INIT;

	(void)state;
	assert_int_equal(parse(doc, sizeof(doc) - 1, &c, &err), NX_OK);
	assert_int_equal(c.n, 2);
	assert_string_equal(c.a[0]->title, "Dockers end strike at the harbour");
	assert_non_null(c.a[1]->title);
	assert_non_null(strstr(c.a[1]->title, "The Senate passed the budget bill"));
	assert_int_equal(c.a[1]->nparas, 1);
	release(&c);
}

/* dpa's form: no '^', a flash flag, the headline ending '=', hard-wrapped paragraphs. */
static void test_wrapped_paragraphs(void **state)
{
	static const char doc[] = "\x01" "eca0124 3 i 93  dpa 1888\r\n\nPort/strike/\r\n"
				  "\x02" "EXTRA\nDockers end strike in Hamburg =\r\n\n"
				  "Hamburg (dpa) - Dockers in Hamburg ended their strike\r\non Monday after two weeks.\r\n\r\n"
				  "Ships queued in the river.\r\n\r\n\x03" "212101 GMT Nov 18\r\n\x04";
	cap c = { 0 };
	nx_error err = NX_ERROR_INIT;

	(void)state;
	assert_int_equal(nx_detect(doc, sizeof(doc) - 1), NX_FMT_ANPA);
	assert_int_equal(parse(doc, sizeof(doc) - 1, &c, &err), NX_OK);
	assert_int_equal(c.n, 1);
	assert_string_equal(c.a[0]->title, "Dockers end strike in Hamburg");
	assert_int_equal(c.a[0]->nparas, 2);
	assert_string_equal(c.a[0]->paras[0], "Hamburg (dpa) - Dockers in Hamburg ended their strike on Monday after two weeks.");
	assert_true(c.a[0]->published.set);
	assert_int_equal(c.a[0]->published.utc, 1542834060); /* 2018-11-21T21:01:00Z */
	release(&c);
}

static void test_truncated(void **state)
{
	static const char doc[] = STORY;
	cap c = { 0 };
	nx_error err = NX_ERROR_INIT;
	size_t cut = 0;
	char *d = malloc(sizeof(doc));

	(void)state;
	for (cut = 1; cut < sizeof(doc) - 1; cut++) {
		memcpy(d, doc, cut); /* an exact-size copy: reading past it is ASan's to catch */
		(void)parse(d, cut, &c, &err);
		release(&c);
	}
	/* only the header: no story */
	assert_int_equal(parse(doc, 40, &c, &err), NX_EFORMAT);
	assert_int_equal(c.n, 0);
	free(d);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_story),
		cmocka_unit_test(test_two_messages_and_no_heading),
		cmocka_unit_test(test_wrapped_paragraphs),
		cmocka_unit_test(test_truncated),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

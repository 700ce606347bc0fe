/*
 * test_filter.c - unit tests for nx_filter_match (src/article/filter.c):
 * each kind of restriction on an article in hand, alone and together, with
 * the meaning a search gives it (missing times fail a range, source and
 * author match as case-insensitive substrings, lang exactly).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "newsidx/article.h"
#include "newsidx/filter.h"

static int setup(void **state)
{
	nx_article *a = nx_article_new();

	if (a == NULL)
		return -1;
	nx_article_set(&a->source, "The Northern Herald", -1);
	nx_article_set(&a->lang, "en", -1);
	nx_article_add_author(a, "Jane Roe", -1);
	nx_article_add_author(a, "Per Hansen", -1);
	a->published.set = 1;
	a->published.utc = 1625731200; /* 2021-07-08T08:00:00Z */
	*state = a;
	return 0;
}

static int teardown(void **state)
{
	nx_article_free(*state);
	return 0;
}

static void test_empty_filter(void **state)
{
	nx_filter f = NX_FILTER_INIT;

	assert_true(nx_filter_match(NULL, *state));
	assert_true(nx_filter_match(&f, *state));
}

static void test_dates(void **state)
{
	nx_article *a = *state;
	nx_filter f = NX_FILTER_INIT;

	assert_int_equal(nx_filter_set_dates(&f, 'p', "2021-07..", NULL), NX_OK);
	assert_true(nx_filter_match(&f, a));
	nx_filter_clear(&f);
	assert_int_equal(nx_filter_set_dates(&f, 'p', "2021-07-09..", NULL), NX_OK);
	assert_false(nx_filter_match(&f, a));
	nx_filter_clear(&f);
	/* the upper bound is exclusive of the next day: the 8th itself is in */
	assert_int_equal(nx_filter_set_dates(&f, 'p', "..2021-07-08", NULL), NX_OK);
	assert_true(nx_filter_match(&f, a));
	nx_filter_clear(&f);
	assert_int_equal(nx_filter_set_dates(&f, 'p', "<2021-07-08", NULL), NX_OK);
	assert_false(nx_filter_match(&f, a));
	nx_filter_clear(&f);
	/* no updated time: any range on it fails, as in SQL */
	assert_int_equal(nx_filter_set_dates(&f, 'u', "2000..", NULL), NX_OK);
	assert_false(nx_filter_match(&f, a));
	a->updated.set = 1;
	a->updated.utc = a->published.utc + 3600;
	assert_true(nx_filter_match(&f, a));
	nx_filter_clear(&f);
}

static void test_changed(void **state)
{
	nx_article *a = *state;
	nx_filter f = NX_FILTER_INIT;

	f.set = NX_F_CHANGED;
	f.changed_min = 86400;
	assert_false(nx_filter_match(&f, a)); /* never updated */
	a->updated.set = 1;
	a->updated.utc = a->published.utc + 86400;
	assert_false(nx_filter_match(&f, a)); /* strictly more than a day */
	a->updated.utc++;
	assert_true(nx_filter_match(&f, a));
}

static void test_strings(void **state)
{
	nx_article *a = *state;
	nx_filter f = NX_FILTER_INIT;

	assert_int_equal(nx_filter_set_str(&f.source, "northern HER"), NX_OK);
	assert_true(nx_filter_match(&f, a));
	assert_int_equal(nx_filter_set_str(&f.source, "southern"), NX_OK);
	assert_false(nx_filter_match(&f, a));
	assert_int_equal(nx_filter_set_str(&f.source, NULL), NX_OK);
	assert_int_equal(nx_filter_set_str(&f.author, "hansen"), NX_OK);
	assert_true(nx_filter_match(&f, a));
	assert_int_equal(nx_filter_set_str(&f.author, "doe"), NX_OK);
	assert_false(nx_filter_match(&f, a));
	assert_int_equal(nx_filter_set_str(&f.author, NULL), NX_OK);
	assert_int_equal(nx_filter_set_str(&f.lang, "en"), NX_OK);
	assert_true(nx_filter_match(&f, a));
	assert_int_equal(nx_filter_set_str(&f.lang, "e"), NX_OK);
	assert_false(nx_filter_match(&f, a));
	free(a->lang);
	a->lang = NULL;
	assert_false(nx_filter_match(&f, a));
	nx_filter_clear(&f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_empty_filter, setup, teardown),
		cmocka_unit_test_setup_teardown(test_dates, setup, teardown),
		cmocka_unit_test_setup_teardown(test_changed, setup, teardown),
		cmocka_unit_test_setup_teardown(test_strings, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

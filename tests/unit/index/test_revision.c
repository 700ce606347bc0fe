/*
 * test_revision.c - versions of an article in the store, and the word diff.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "newsidx/revision.h"

static nx_article *make(const char *title, const char *const *paras, int64_t updated)
{
	nx_article *a = nx_article_new();
	size_t i = 0;

	assert_non_null(a);
	assert_int_equal(nx_article_set(&a->url, "https://news.example/flood", -1), NX_OK);
	assert_int_equal(nx_article_set(&a->title, title, -1), NX_OK);
	for (i = 0; paras[i] != NULL; i++)
		assert_int_equal(nx_article_add_para(a, paras[i], -1), NX_OK);
	a->published.set = a->published.has_time = 1;
	a->published.utc = 1625700000;
	a->updated.set = a->updated.has_time = 1;
	a->updated.utc = updated;
	a->captured.set = a->captured.has_time = 1;
	a->captured.utc = updated + 60;
	assert_int_equal(nx_article_identify(a, NULL), NX_OK);
	return a;
}

static const char *const v1[] = { "The river rose overnight.", "Roads were closed.", NULL };
static const char *const v2[] = { "The river rose sharply overnight.", "Roads were closed.",
				  "Schools will reopen on Monday.", NULL };

static void test_word_diff(void **state)
{
	nx_article *a = make("Flood waters rise in the valley", v1, 1625701000);
	nx_article *b = make("Flood waters recede in the valley", v2, 1625709000);
	char *out = NULL;
	int changed = 0;

	(void)state;
	assert_int_equal(nx_revision_diff(&out, &changed, a, b, 0, NULL), NX_OK);
	assert_int_equal(changed, 1);
	assert_non_null(strstr(out, "title: Flood waters [-rise-] {+recede+} in the valley\n"));
	assert_non_null(strstr(out, "\xC2\xB6" "1: The river rose {+sharply+} overnight.\n"));
	assert_non_null(strstr(out, "\xC2\xB6" "3 (added): {+Schools will reopen on Monday.+}\n"));
	assert_null(strstr(out, "Roads were closed"));
	assert_non_null(strstr(out, "updated: 2021-07-07T23:36:40Z -> 2021-07-08T01:50:00Z\n"));
	free(out);
	/* the same version: no change, empty text */
	assert_int_equal(nx_revision_diff(&out, &changed, b, b, 0, NULL), NX_OK);
	assert_int_equal(changed, 0);
	assert_string_equal(out, "");
	free(out);
	nx_article_free(a);
	nx_article_free(b);
}

static void test_long_body_bounded(void **state)
{
	const size_t n = 3000;
	nx_article *a = make("Long", v1, 1), *b = make("Long", v1, 2);
	char para[64], *out = NULL;
	size_t i = 0;
	int changed = 0;

	(void)state;
	for (i = 0; i < n; i++) {
		snprintf(para, sizeof(para), "Paragraph number %zu of a long report.", i);
		assert_int_equal(nx_article_add_para(a, para, -1), NX_OK);
		if (i == n / 2)
			snprintf(para, sizeof(para), "Paragraph number %zu of a short report.", i);
		assert_int_equal(nx_article_add_para(b, para, -1), NX_OK);
	}
	assert_int_equal(nx_revision_diff(&out, &changed, a, b, 0, NULL), NX_OK);
	assert_int_equal(changed, 1);
	assert_non_null(strstr(out, "of a [-long-] {+short+} report."));
	free(out);
	nx_article_free(a);
	nx_article_free(b);
}

static void test_store_versions(void **state)
{
	nx_store *st = NULL;
	nx_error err = NX_ERROR_INIT;
	nx_article *a = make("Flood waters rise in the valley", v1, 1625701000);
	nx_article *b = make("Flood waters recede in the valley", v2, 1625709000);
	nx_article *got = NULL;
	nx_revision *v = NULL;
	size_t n = 0;
	int status = 0;

	(void)state;
	assert_int_equal(nx_store_open(&st, ":memory:", NX_STORE_WRITE, &err), NX_OK);
	assert_int_equal(nx_store_put(st, a, &status, &err), NX_OK);
	assert_int_equal(status, NX_PUT_ADDED);
	assert_int_equal(nx_store_put(st, b, &status, &err), NX_OK);
	assert_int_equal(status, NX_PUT_UPDATED);
	assert_int_equal(nx_revision_list(&v, &n, st, a->id, &err), NX_OK);
	assert_int_equal(n, 2);
	assert_false(v[0].current);
	assert_true(v[1].current);
	assert_true(v[0].updated.set);
	assert_int_equal(v[0].updated.utc, 1625701000);
	assert_int_equal(nx_revision_load(&got, st, a->id, v[0].rev, &err), NX_OK);
	assert_string_equal(got->title, "Flood waters rise in the valley");
	assert_int_equal(got->nparas, 2);
	nx_article_free(got);
	assert_int_equal(nx_revision_load(&got, st, a->id, v[1].rev, &err), NX_OK);
	assert_string_equal(got->title, "Flood waters recede in the valley");
	nx_article_free(got);
	assert_int_equal(nx_revision_load(&got, st, a->id, 999, &err), NX_ENOTFOUND);
	assert_null(got);
	free(v);
	assert_int_equal(nx_revision_list(&v, &n, st, "ffffffffffff", &err), NX_ENOTFOUND);
	nx_store_close(st);
	nx_article_free(a);
	nx_article_free(b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_word_diff),
		cmocka_unit_test(test_long_body_bounded),
		cmocka_unit_test(test_store_versions),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

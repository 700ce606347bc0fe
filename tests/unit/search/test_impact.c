/*
 * test_impact.c - impact lists (src/search/impact.c, src/index/impact.c):
 * a search for one frequent word reads its list and must give what the
 * walk gives (ids, scores, order, total), ties included; a page deeper
 * than the list, an article added, replaced or removed since the lists
 * were made: the walk again, the same results.  A small index made here:
 * made-up words from most rows to a few, every 7th article a copy of the
 * one before (equal scores), lists made for words in 300 rows or more,
 * 32 rows each.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "newsidx/search.h"
#include "newsidx/store.h"
#include "index/impact.h"
#include "search/search_private.h"

#include "tmpdir.h"

#define NART 2400
#define NWORD 10
#define MIN_DF 300
#define ROWS 32
#define T0 1625708520

typedef struct fixture {
	char dir[64];
	char path[128];
	nx_store *st;
} fixture;

static uint32_t lcg(uint32_t *s)
{
	*s = *s * 1664525u + 1013904223u;
	return *s >> 8;
}

static void word(char out[8], int i)
{
	snprintf(out, 8, "zor%c%c", 'b' + i / 5, "aeiou"[i % 5]);
}

/* Article text: word i with a chance falling with i, up to 3 times; filler of varied length. */
static void make_text(uint32_t *s, char *title, size_t tn, char *body, size_t bn)
{
	int i = 0, r = 0, fill = (int)(lcg(s) % 60);
	char w[8];

	snprintf(title, tn, "Report");
	snprintf(body, bn, "Opening");
	for (i = 0; i < NWORD; i++) {
		if ((int)(lcg(s) % 1000) >= 900 / (1 + i * i / 3))
			continue;
		word(w, i);
		for (r = (int)(lcg(s) % 3); r >= 0; r--)
			snprintf(body + strlen(body), bn - strlen(body), " %s", w);
		if (lcg(s) % 9 == 0)
			snprintf(title + strlen(title), tn - strlen(title), " %s", w);
	}
	for (i = 0; i < fill; i++)
		snprintf(body + strlen(body), bn - strlen(body), " filler%c", 'a' + (int)(lcg(s) % 20));
	snprintf(body + strlen(body), bn - strlen(body), ".");
}

/* Article n (url n) with the text of seed s, in the open transaction. */
static void put_article(nx_store *st, int n, const char *title, const char *body)
{
	nx_error err = NX_ERROR_INIT;
	nx_article *a = nx_article_new();
	char url[64];
	int status = 0;

	snprintf(url, sizeof(url), "https://example.com/%d", n);
	nx_article_set(&a->url, url, -1);
	nx_article_set(&a->title, title, -1);
	nx_article_set(&a->source, "Example Wire", -1);
	nx_article_add_para(a, body, -1);
	a->published.set = 1;
	a->published.has_time = 1;
	a->published.utc = T0 + n;
	assert_int_equal(nx_article_identify(a, &err), NX_OK);
	assert_int_equal(nx_store_put(st, a, &status, &err), NX_OK);
	nx_article_free(a);
}

static int setup(void **state)
{
	fixture *f = calloc(1, sizeof(*f));
	nx_error err = NX_ERROR_INIT;
	char title[256], body[2048];
	uint32_t seed = 4242;
	int n = 0;

	if (f == NULL)
		return -1;
	*state = f;
	snprintf(f->dir, sizeof(f->dir), "/tmp/nx-test-impact-XXXXXX");
	if (mkdtemp(f->dir) == NULL)
		return -1;
	snprintf(f->path, sizeof(f->path), "%s/index.db", f->dir);
	if (nx_store_open(&f->st, f->path, NX_STORE_WRITE, &err) != NX_OK || nx_store_begin(f->st, &err) != NX_OK)
		return -1;
	for (n = 0; n < NART; n++) {
		if (n % 7 != 6)
			make_text(&seed, title, sizeof(title), body, sizeof(body));
		put_article(f->st, n, title, body);
	}
	return nx_store_commit(f->st, &err) == NX_OK ? 0 : -1;
}

static int teardown(void **state)
{
	fixture *f = *state;

	nx_store_close(f->st);
	tmpdir_remove(f->dir);
	free(f);
	return 0;
}

/* What a search gave: its total and hits. */
typedef struct seen {
	int64_t total;
	size_t n;
	char id[64][17];
	double score[64];
} seen;

static void search(nx_store *st, const char *q, int limit, int offset, seen *out)
{
	nx_search_opts o = NX_SEARCH_OPTS_INIT;
	nx_error err = NX_ERROR_INIT;
	nx_results *r = NULL;
	size_t i = 0;

	o.limit = limit;
	o.offset = offset;
	o.fast_paths = NX_FAST_PATHS_CHECK;
	assert_int_equal(nx_search(&r, st, q, &o, &err), NX_OK);
	memset(out, 0, sizeof(*out));
	out->total = r->total;
	out->n = r->nhits;
	assert_true(r->nhits <= 64);
	for (i = 0; i < r->nhits; i++) {
		snprintf(out->id[i], sizeof(out->id[i]), "%s", r->hits[i].id);
		out->score[i] = r->hits[i].score;
	}
	nx_results_free(r);
}

static void assert_same(const seen *a, const seen *b)
{
	size_t i = 0;

	assert_int_equal(a->total, b->total);
	assert_int_equal(a->n, b->n);
	for (i = 0; i < a->n; i++) {
		assert_string_equal(a->id[i], b->id[i]);
		assert_true(a->score[i] == b->score[i]); /* to the bit */
	}
}

/* Pages of the searches compared: limit, offset (collapse asks 3 (offset + limit) + 10 rows). */
static const int pages[][2] = { { 1, 0 }, { 5, 0 }, { 3, 4 }, { 10, 0 }, { 20, 0 } };
#define NPAGES (sizeof(pages) / sizeof(pages[0]))

/* Every word, every page: the walk's results into want[word][page]. */
static void search_all(nx_store *st, seen want[NWORD][NPAGES])
{
	char w[8];
	size_t i = 0, p = 0;

	for (i = 0; i < NWORD; i++)
		for (p = 0; p < NPAGES; p++) {
			word(w, (int)i);
			search(st, w, pages[p][0], pages[p][1], &want[i][p]);
		}
}

/* 1 when the list of word i serves k rows */
static int served(nx_store *st, int i, size_t k)
{
	nx_query *q = NULL;
	nx_error err = NX_ERROR_INIT;
	nx_topk_hit *h = NULL;
	size_t n = 0;
	int64_t total = 0;
	char w[8];
	int rc = 0;

	word(w, i);
	assert_int_equal(nx_query_compile(&q, w, &err), NX_OK);
	rc = nx_search__impact_hits(st, q->fts, k, &h, &n, &total);
	assert_true(rc >= 0);
	if (rc == 1)
		assert_true(n == k || (int64_t)n == total);
	free(h);
	nx_query_free(q);
	return rc;
}

static void build(nx_store *st)
{
	nx_error err = NX_ERROR_INIT;

	assert_int_equal(nx_search__impact_build(st, MIN_DF, ROWS, &err), NX_OK);
}

static void check_all(nx_store *st, seen want[NWORD][NPAGES])
{
	static seen got[NWORD][NPAGES];
	size_t i = 0, p = 0;

	search_all(st, got);
	for (i = 0; i < NWORD; i++)
		for (p = 0; p < NPAGES; p++)
			assert_same(&want[i][p], &got[i][p]);
}

/* The lists give the walk's results, ties and totals included; deeper pages walk. */
static void test_same_as_walk(void **state)
{
	fixture *f = *state;
	static seen want[NWORD][NPAGES];
	int i = 0, with = 0;

	search_all(f->st, want);
	assert_int_equal(served(f->st, 0, 1), 0); /* no lists yet */
	build(f->st);
	for (i = 0; i < NWORD; i++) {
		/* a list exactly for the words in MIN_DF rows or more */
		int has = want[i][0].total >= MIN_DF;

		assert_int_equal(served(f->st, i, 1), has);
		assert_int_equal(served(f->st, i, ROWS), has);
		assert_int_equal(served(f->st, i, ROWS + 1), 0); /* deeper than the list: the walk */
		with += has;
	}
	assert_true(with >= 2 && with < NWORD);
	check_all(f->st, want);
}

/* An article added, replaced or removed since: no list is used until they are made again. */
static void test_changes_turn_lists_off(void **state)
{
	fixture *f = *state;
	nx_error err = NX_ERROR_INIT;
	static seen want[NWORD][NPAGES];
	char id[17];
	int step = 0;

	for (step = 0; step < 3; step++) {
		build(f->st);
		assert_int_equal(served(f->st, 0, 1), 1);
		assert_int_equal(nx_store_begin(f->st, &err), NX_OK);
		if (step == 0) /* added: the best row of word 0 by far */
			put_article(f->st, NART + 1, "zorba zorba zorba", "zorba zorba zorba zorba.");
		else if (step == 1) /* replaced, as many words in each field: only the trigger tells */
			put_article(f->st, NART + 1, "fillera fillerb fillerc", "fillerd fillere fillerf fillerg.");
		else /* removed */
			assert_int_equal(nx_store_remove(f->st, "https://example.com/3", id, &err), NX_OK);
		assert_int_equal(nx_store_commit(f->st, &err), NX_OK);
		assert_int_equal(served(f->st, 0, 1), 0);
		/* the walk's results, then the lists made again: the same */
		search_all(f->st, want);
		build(f->st);
		assert_int_equal(served(f->st, 0, 1), 1);
		check_all(f->st, want);
	}
}

/* A small load: the lists stay.  Too few articles for any list: none made, any earlier ones dropped. */
static void test_small_index_none(void **state)
{
	fixture *f = *state;
	nx_error err = NX_ERROR_INIT;
	int64_t left = -1;

	build(f->st);
	assert_int_equal(served(f->st, 0, 1), 1);
	/* a load of a few articles into a larger index: the lists are left as they are */
	assert_int_equal(nx_search_impact_build(f->st, 10, &err), NX_OK);
	assert_int_equal(served(f->st, 0, 1), 1);
	assert_int_equal(nx_search_impact_build(f->st, -1, &err), NX_OK); /* 50,000 rows a word */
	assert_int_equal(served(f->st, 0, 1), 0);
	assert_int_equal(nx_store__query_int(f->st, "SELECT count(*) FROM sqlite_master WHERE name LIKE 'impact%'",
					     &left),
			 0);
	assert_int_equal(left, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_same_as_walk),
		cmocka_unit_test(test_changes_turn_lists_off),
		cmocka_unit_test(test_small_index_none),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}

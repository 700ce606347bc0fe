/*
 * test_impact_and.c - queries of several frequent words from their impact
 * lists and sets of rows (src/search/impact_and.c, src/index/impact.c):
 * the AND's total, its best rows (ids, scores to the bit, ties by rowid)
 * and the relaxed query's count must be the walk's, at every depth, for
 * pairs and a triple, also after an article is added since the sets
 * were made; one removed: the walk again.  A small index of made-up words (madeup.h),
 * lists and sets for words in 300 rows or more.
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
#include "index/store_private.h"
#include "search/search_private.h"

#define NART 2400
#define NWORD 10
#define MIN_DF 300
#define ROWS 32
#define T0 1625708520

#define MADEUP_SEARCH
#define MADEUP_REMOVE
#include "madeup.h" /* after NWORD */

static int setup(void **state)
{
	return madeup_setup(state, "impact-and", 777);
}

/* Queries of several words, the first ones in most rows, the last with a word without a set. */
static const char *const queries[] = { "zorba zorbe", "zorbe zorbi", "zorba zorbe zorbi", "zorbi zorba",
				       "zorba zorba zorbe", "zorba zorco" };
#define NQ (sizeof(queries) / sizeof(queries[0]))

static const int pages[][2] = { { 0, 0 }, { 1, 0 }, { 5, 0 }, { 3, 4 }, { 10, 0 }, { 20, 30 } };
#define NPAGES (sizeof(pages) / sizeof(pages[0]))

static void search_all(nx_store *st, seen want[NQ][NPAGES])
{
	size_t i = 0, p = 0;

	for (i = 0; i < NQ; i++)
		for (p = 0; p < NPAGES; p++)
			search(st, queries[i], pages[p][0], pages[p][1], &want[i][p]);
}

static void check_all(nx_store *st, seen want[NQ][NPAGES])
{
	static seen got[NQ][NPAGES];
	size_t i = 0, p = 0;

	search_all(st, got);
	for (i = 0; i < NQ; i++)
		for (p = 0; p < NPAGES; p++)
			assert_same(&want[i][p], &got[i][p]);
}

static void build(nx_store *st)
{
	nx_error err = NX_ERROR_INIT;

	assert_int_equal(nx_search__impact_build(st, MIN_DF, ROWS, &err), NX_OK);
}

/* The best k rows of query q by the sets (1 when served, hits into h) and by the walk (into w). */
static int both(nx_store *st, const char *q, size_t k, nx_topk_hit **h, size_t *nh, int64_t *th, nx_topk_hit **w,
		size_t *nw, int64_t *tw)
{
	nx_error err = NX_ERROR_INIT;
	nx_impact_sets *cache = NULL;
	nx_query *cq = NULL;
	double cw[NX_TOPK_MAX_WEIGHTS];
	int ncw = 0, rc = 0;

	assert_int_equal(nx_query_compile(&cq, q, &err), NX_OK);
	assert_int_equal(nx_search__register(st), SQLITE_OK);
	assert_true(nx_topk__weights(st->db, cw, &ncw));
	rc = nx_search__impact_and(st, &cache, cq->fts, NULL, cw, ncw, k, h, nh, th);
	assert_int_equal(nx_topk__run(st->db, NULL, cq->fts, cw, ncw, -1, NULL, 0, NULL, k, w, nw, tw, NULL, NULL),
			 SQLITE_OK);
	nx_search__impact_sets_free(cache);
	nx_query_free(cq);
	return rc;
}

/* Every depth from 1 to past the total: the same rows, scores and total as the walk's. */
static void every_depth(nx_store *st)
{
	nx_topk_hit *h = NULL, *w = NULL;
	size_t nh = 0, nw = 0, k = 0, i = 0, q = 0;
	int64_t th = 0, tw = 0;

	for (q = 0; q < 3; q++) {
		for (k = 1; k < 400; k += k < 50 ? 1 : 37) {
			assert_int_equal(both(st, queries[q], k, &h, &nh, &th, &w, &nw, &tw), 1);
			assert_int_equal(th, tw);
			assert_int_equal(nh, nw);
			for (i = 0; i < nh; i++) {
				assert_true(h[i].rowid == w[i].rowid);
				assert_true(h[i].score == w[i].score);
			}
			free(h);
			free(w);
		}
	}
}

static void test_every_depth(void **state)
{
	fixture *f = *state;
	nx_topk_hit *h = NULL, *w = NULL;
	size_t nh = 0, nw = 0;
	int64_t th = 0, tw = 0;

	build(f->st);
	every_depth(f->st);
	/* a word without a set: not served */
	assert_int_equal(both(f->st, "zorba zorco", 10, &h, &nh, &th, &w, &nw, &tw), 0);
	free(h);
	free(w);
}

/*
 * Articles made before the sets removed (best rows of the frequent words
 * among them), others added, more removed: the sets less the removed rows
 * and with the added, every depth the walk's (rows, scores, totals).
 */
static void test_removals_every_depth(void **state)
{
	fixture *f = *state;
	nx_topk_hit *h = NULL, *w = NULL;
	size_t nh = 0, nw = 0;
	int64_t th = 0, tw = 0;
	int round = 0;

	build(f->st);
	for (round = 0; round < 3; round++) {
		/* added before the removals: above the mark (the mark's own row may go, its rowid not given again) */
		if (round < 2) {
			nx_error err = NX_ERROR_INIT;

			assert_int_equal(nx_store_begin(f->st, &err), NX_OK);
			assert_int_equal(put_article(f->st, NART + 100 + round, "zorba zorbe", "zorba zorbe zorba zorbe."), 0);
			assert_int_equal(nx_store_commit(f->st, &err), NX_OK);
		}
		assert_true(madeup_remove_listed(f->st, 3, round + 1) >= 3);
		every_depth(f->st);
		assert_int_equal(both(f->st, queries[0], 10, &h, &nh, &th, &w, &nw, &tw), 1);
		free(h);
		free(w);
	}
}

/*
 * Searches through nx_search: the walk's results before the sets are
 * made, after, and after changes (the same with the sets made again).
 */
static void test_same_as_walk(void **state)
{
	fixture *f = *state;
	nx_error err = NX_ERROR_INIT;
	static seen want[NQ][NPAGES];
	nx_topk_hit *h = NULL, *w = NULL;
	size_t nh = 0, nw = 0;
	int64_t th = 0, tw = 0;
	char id[17];
	int step = 0;

	search_all(f->st, want);
	build(f->st);
	check_all(f->st, want);
	for (step = 0; step < 2; step++) {
		assert_int_equal(nx_store_begin(f->st, &err), NX_OK);
		if (step == 0) /* added: the best row of both words */
			assert_int_equal(put_article(f->st, NART + 1, "zorba zorbe", "zorba zorbe zorba zorbe."), 0);
		else
			assert_int_equal(nx_store_remove(f->st, "https://example.com/5", id, &err), NX_OK);
		assert_int_equal(nx_store_commit(f->st, &err), NX_OK);
		/* added: the sets made before and the added row; removed: the sets less the row; every depth the walk's */
		every_depth(f->st);
		assert_int_equal(both(f->st, queries[0], 10, &h, &nh, &th, &w, &nw, &tw), 1);
		free(h);
		free(w);
		search_all(f->st, want);
		build(f->st);
		assert_int_equal(both(f->st, queries[0], 10, &h, &nh, &th, &w, &nw, &tw), 1);
		free(h);
		free(w);
		check_all(f->st, want);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_every_depth),
		cmocka_unit_test(test_same_as_walk),
		cmocka_unit_test(test_removals_every_depth),
	};

	return cmocka_run_group_tests(tests, setup, madeup_teardown);
}

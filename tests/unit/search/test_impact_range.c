/*
 * test_impact_range.c - one frequent word in a filter of rows from its
 * impact list (src/search/impact_range.c).
 *
 * Whenever it serves, it must give the walk's hits (rows, scores to the
 * bit, order) and total (nx_topk__run with the same filter); it must
 * serve a wide filter and a small k, including every filter when the
 * list holds all the word's rows, and decline a sparse filter with a k
 * its list cannot decide, a filter that is not rowid bits, and a list
 * made before articles were added.  Through nx_search, a word with a
 * list and no set in a range of published days is served there, with the
 * results of the search without fast paths.  Made-up words (madeup.h),
 * their dates spread out of rowid order.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "newsidx/query.h"
#include "newsidx/search.h"
#include "newsidx/store.h"
#include "index/impact.h"
#include "search/search_private.h"
#include "search/topk_private.h"

#define NART 1200
#define NWORD 10
#define MIN_DF 60
#define ROWS 128
#define T0 1625708520
#define DAY 86400

#define MADEUP_WHEN(n) ((int64_t)(((n) * 7919) % NART) * DAY)
#define MADEUP_SEARCH
#define MADEUP_HITS
#define MADEUP_ADD
#include "madeup.h" /* after NWORD */

static int setup(void **state)
{
	nx_error err = NX_ERROR_INIT;
	fixture *f = NULL;

	if (madeup_setup(state, "impact-range", 2718) != 0)
		return -1;
	f = *state;
	return nx_search__impact_build(f->st, MIN_DF, ROWS, &err) == NX_OK ? 0 : -1;
}

static int teardown(void **state)
{
	return madeup_teardown(state);
}

/* zorba, zorbi: lists of 128 rows of many; zorbu: a list of about as many as its rows; zorca, zorce: every row listed */
static const char *const words[] = { "zorba", "zorbi", "zorbu", "zorca", "zorce" };
#define NWORDS (sizeof(words) / sizeof(words[0]))
static const size_t ks[] = { 1, 2, 3, 5, 8, 10, 12, 20, 40, 100 };
#define NKS (sizeof(ks) / sizeof(ks[0]))

/* Filter j: every 2nd, 3rd, 9th or 61st row, or the rows 300..899. */
static void filter_bits(uint64_t *bits, size_t nwords, int j)
{
	size_t i = 0;

	memset(bits, 0, nwords * sizeof(*bits));
	for (i = 0; i < nwords * 64; i++) {
		int on = j == 4 ? i >= 300 && i < 900 : i % (size_t)(j == 0 ? 2 : j == 1 ? 3 : j == 2 ? 9 : 61) == 0;

		if (on)
			bits[i / 64] |= (uint64_t)1 << (i % 64);
	}
}

static void test_same_as_walk(void **state)
{
	fixture *f = *state;
	nx_error err = NX_ERROR_INIT;
	uint64_t bits[(NART + 64) / 64 + 1];
	nx_topk_filter flt = { bits, (int64_t)sizeof(bits) * 8, NULL, NULL };
	double cw[NX_TOPK_MAX_WEIGHTS];
	size_t q = 0, kk = 0, served[NWORDS] = { 0 }, declined = 0;
	int ncw = 0, j = 0;

	assert_int_equal(nx_search__register(f->st), SQLITE_OK);
	assert_true(nx_topk__weights(f->st->db, cw, &ncw));
	for (q = 0; q < NWORDS; q++) {
		nx_query *cq = NULL;

		assert_int_equal(nx_query_compile(&cq, words[q], &err), NX_OK);
		for (j = 0; j < 5; j++) {
			filter_bits(bits, sizeof(bits) / sizeof(bits[0]), j);
			for (kk = 0; kk < NKS; kk++) {
				nx_topk_hit *h = NULL, *wk = NULL;
				size_t nh = 0, nw = 0;
				int64_t th = -1, tw = -1;
				int r = nx_search__impact_range(f->st, cq->fts, NULL, &flt, ks[kk], &h, &nh, &th);

				assert_true(r == 0 || r == 1);
				if (r == 0) {
					assert_null(h);
					declined++;
					continue;
				}
				served[q]++;
				assert_int_equal(nx_topk__run(f->st->db, NULL, cq->fts, cw, ncw, -1, NULL, 0, &flt, ks[kk],
							      &wk, &nw, &tw, NULL, NULL),
						 SQLITE_OK);
				same_hits(h, nh, th, wk, nw, tw);
			}
		}
		nx_query_free(cq);
	}
	for (q = 0; q < NWORDS; q++)
		print_message("%s: served %zu of %zu\n", words[q], served[q], 5 * NKS);
	/* every word served somewhere; those whose list holds every row, always */
	for (q = 0; q < NWORDS; q++)
		assert_true(served[q] > 0);
	assert_int_equal(served[3], 5 * NKS);
	assert_int_equal(served[4], 5 * NKS);
	/* and the long lists not always: a sparse filter with a large k */
	assert_true(served[0] < 5 * NKS && declined > 0);
}

/* Pair q against the walk for every filter and k: *listed when it has a list, *served the searches it answered. */
static void pair_same_as_walk(nx_store *st, const char *pair, size_t *listed, size_t *served)
{
	nx_error err = NX_ERROR_INIT;
	uint64_t bits[4200 / 64 + 1]; /* (the added rows too) */
	nx_topk_filter flt = { bits, (int64_t)sizeof(bits) * 8, NULL, NULL };
	double cw[NX_TOPK_MAX_WEIGHTS];
	nx_query *cq = NULL;
	sqlite3_stmt *s = NULL;
	size_t kk = 0;
	int ncw = 0, j = 0;
	int64_t df = 0;

	assert_true(nx_topk__weights(st->db, cw, &ncw));
	assert_int_equal(nx_query_compile(&cq, pair, &err), NX_OK);
	assert_int_equal(nx_impact__df_prepare(st->db, &s), SQLITE_OK);
	*listed += nx_impact__df(s, cq->fts, &df) == 1;
	sqlite3_finalize(s);
	for (j = 0; j < 5; j++) {
		filter_bits(bits, sizeof(bits) / sizeof(bits[0]), j);
		for (kk = 0; kk < NKS; kk++) {
			nx_topk_hit *h = NULL, *wk = NULL;
			size_t nh = 0, nw = 0;
			int64_t th = -1, tw = -1;
			int r = nx_search__impact_range(st, cq->fts, NULL, &flt, ks[kk], &h, &nh, &th);

			assert_true(r == 0 || r == 1);
			if (r == 0)
				continue;
			(*served)++;
			assert_int_equal(nx_topk__run(st->db, NULL, cq->fts, cw, ncw, -1, NULL, 0, &flt, ks[kk], &wk, &nw,
						      &tw, NULL, NULL),
					 SQLITE_OK);
			same_hits(h, nh, th, wk, nw, tw);
		}
	}
	nx_query_free(cq);
}

/*
 * Pairs of words (lists made by the build when in MIN_DF rows or more):
 * the same as the walk, counted from the pages; again with more articles
 * added in transactions of their own (several FTS5 segments) and the
 * lists made again.
 */
static void test_pairs_same_as_walk(void **state)
{
	fixture *f = *state;
	nx_error err = NX_ERROR_INIT;
	static const char *const pairs[] = { "\"zorba zorba\"", "\"zorba zorbe\"", "\"zorbe zorbi\"", "\"zorbi zorbo\"",
					     "\"zorba zorca\"" };
	size_t q = 0, served = 0, listed = 0;
	int64_t nseg = 0;

	assert_int_equal(nx_search__register(f->st), SQLITE_OK);
	for (q = 0; q < sizeof(pairs) / sizeof(pairs[0]); q++)
		pair_same_as_walk(f->st, pairs[q], &listed, &served);
	madeup_add(f->st, 3000, 50, 11u);
	madeup_add(f->st, 4000, 50, 12u);
	assert_int_equal(nx_search__impact_build(f->st, MIN_DF, ROWS, &err), NX_OK);
	assert_int_equal(nx_store__query_int(f->st, "SELECT count(DISTINCT id >> 37) FROM fts_data WHERE id > 10", &nseg),
			 0);
	assert_true(nseg >= 2);
	for (q = 0; q < sizeof(pairs) / sizeof(pairs[0]); q++)
		pair_same_as_walk(f->st, pairs[q], &listed, &served);
	print_message("pairs: %zu listed, %zu searches served, %lld segments\n", listed, served, (long long)nseg);
	assert_true(listed >= 4);
	assert_true(served >= 40);
}

static void test_declines(void **state)
{
	fixture *f = *state;
	nx_error err = NX_ERROR_INIT;
	uint64_t bits[(NART + 64) / 64 + 1];
	nx_topk_filter flt = { bits, (int64_t)sizeof(bits) * 8, NULL, NULL }, none = { NULL, 0, NULL, NULL };
	nx_topk_hit *h = NULL;
	size_t nh = 0;
	int64_t th = -1;
	nx_query *cq = NULL, *two = NULL;

	filter_bits(bits, sizeof(bits) / sizeof(bits[0]), 0);
	assert_int_equal(nx_query_compile(&cq, "zorca", &err), NX_OK);
	assert_int_equal(nx_query_compile(&two, "zorca zorba", &err), NX_OK);
	assert_int_equal(nx_search__impact_range(f->st, cq->fts, NULL, &flt, 10, &h, &nh, &th), 1);
	free(h);
	h = NULL;
	/* not rowid bits, no k, too deep, two words, a word with no list */
	assert_int_equal(nx_search__impact_range(f->st, cq->fts, NULL, &none, 10, &h, &nh, &th), 0);
	assert_int_equal(nx_search__impact_range(f->st, cq->fts, NULL, NULL, 10, &h, &nh, &th), 0);
	assert_int_equal(nx_search__impact_range(f->st, cq->fts, NULL, &flt, 0, &h, &nh, &th), 0);
	assert_int_equal(nx_search__impact_range(f->st, cq->fts, NULL, &flt, NX_IMPACT_ROWS + 1, &h, &nh, &th), 0);
	assert_int_equal(nx_search__impact_range(f->st, two->fts, NULL, &flt, 10, &h, &nh, &th), 0);
	nx_query_free(two);
	assert_int_equal(nx_query_compile(&two, "zorde", &err), NX_OK);
	assert_int_equal(nx_search__impact_range(f->st, two->fts, NULL, &flt, 10, &h, &nh, &th), 0);
	assert_null(h);
	/* a list made before articles were added: the walk */
	assert_int_equal(nx_store_begin(f->st, &err), NX_OK);
	assert_int_equal(put_article(f->st, 5000, "Added", "zorca added."), 0);
	assert_int_equal(nx_store_commit(f->st, &err), NX_OK);
	assert_int_equal(nx_search__impact_range(f->st, cq->fts, NULL, &flt, 10, &h, &nh, &th), 0);
	assert_null(h);
	nx_query_free(cq);
	nx_query_free(two);
}

/* Through nx_search: zorca (a list, no set) and a pair in ranges of days, as the search without fast paths gives them. */
static void test_search(void **state)
{
	fixture *f = *state;
	static const int64_t r[][2] = { { 0, 1200 }, { 100, 900 }, { 0, 30 }, { 400, 401 } };
	static const int pages[][2] = { { 10, 0 }, { 3, 4 }, { 40, 0 } };
	static const char *const qs[] = { "zorca", "\"zorba zorbe\"", "\"Zorba the zorbe\"" };
	size_t i = 0, p = 0, w = 0;
	int before = nx_search__range_lists;

	for (w = 0; w < sizeof(qs) / sizeof(qs[0]); w++) {
		for (i = 0; i < sizeof(r) / sizeof(r[0]); i++)
			for (p = 0; p < sizeof(pages) / sizeof(pages[0]); p++) {
				nx_search_opts o = NX_SEARCH_OPTS_INIT;
				seen a, b;

				o.limit = pages[p][0];
				o.offset = pages[p][1];
				o.filter.set = NX_F_PUB_MIN | NX_F_PUB_MAX;
				o.filter.pub_min = T0 + r[i][0] * DAY;
				o.filter.pub_max = T0 + r[i][1] * DAY;
				o.fast_paths = NX_FAST_PATHS_OFF;
				search_opts(f->st, qs[w], &o, &a);
				o.fast_paths = NX_FAST_PATHS_ON;
				search_opts(f->st, qs[w], &o, &b);
				assert_same(&a, &b);
				assert_true(a.total > 0 || i == 3);
			}
	}
	assert_true(nx_search__range_lists > before);
	/* (no filter: its list alone, checked against SQL) */
	before = nx_search__range_lists;
	{
		seen a;

		search(f->st, "zorca", 10, 0, &a);
		assert_true(a.total > 60 && a.n == 10);
	}
	assert_int_equal(nx_search__range_lists, before);
}

/*
 * A phrase with a word the index drops ("zorba the zorbe" is FTS5's
 * "zorba zorbe"): with no filter, its list is the pair's (impact.c), the
 * same rows and scores as its walk; the keys of lists.  (In a filter of
 * rows such a phrase walks: test_search, its results the same.)
 */
static void test_stop_words(void **state)
{
	fixture *f = *state;
	nx_error err = NX_ERROR_INIT;
	double cw[NX_TOPK_MAX_WEIGHTS];
	nx_topk_hit *h = NULL, *w = NULL;
	size_t nh = 0, nw = 0, i = 0;
	int64_t th = 0, tw = 0;
	nx_query *cq = NULL;
	int ncw = 0;
	static const char *const keys[][2] = { { "\"Zorba THE zorbe\"", "\"zorba zorbe\"" },
					       { "\"the zorba of\"", "\"zorba\"" },
					       { "\"the of\"", "\"the of\"" },
					       { "\"The OF\"", "\"the of\"" },
					       { "\"zorba-the zorbe\"", "\"zorba-the zorbe\"" },
					       { "\"Zorba\"", "\"zorba\"" } };

	for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		char *k = nx_search__list_key(f->st, keys[i][0]);

		assert_string_equal(k, keys[i][1]);
		free(k);
	}
	assert_int_equal(nx_search__register(f->st), SQLITE_OK);
	assert_true(nx_topk__weights(f->st->db, cw, &ncw));
	assert_int_equal(nx_query_compile(&cq, "\"zorba the zorbe\"", &err), NX_OK);
	assert_int_equal(nx_search__impact_hits(f->st, cq->fts, cw, ncw, 10, &h, &nh, &th), 1);
	assert_int_equal(nx_topk__run(f->st->db, NULL, cq->fts, cw, ncw, -1, NULL, 0, NULL, 10, &w, &nw, &tw, NULL, NULL),
			 SQLITE_OK);
	assert_true(tw > 60);
	same_hits(h, nh, th, w, nw, tw);
	nx_query_free(cq);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_same_as_walk, setup, teardown),
		cmocka_unit_test_setup_teardown(test_search, setup, teardown),
		cmocka_unit_test_setup_teardown(test_pairs_same_as_walk, setup, teardown),
		cmocka_unit_test_setup_teardown(test_declines, setup, teardown),
		cmocka_unit_test_setup_teardown(test_stop_words, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

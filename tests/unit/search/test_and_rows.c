/*
 * test_and_rows.c - an AND of words some of which have no set of rows,
 * scored row by row from the pages (src/search/and_rows.c, through
 * impact_and.c's nx_search__impact_and and nx_search__impact_or_count).
 *
 * Whenever it serves, the AND's total and best rows (ids, scores to the
 * bit, ties by rowid) must be the walk's (nx_topk__run), at every depth,
 * whether each row is looked up alone or the lists are read through, on
 * one thread or two (also when the second reads a newer index); the
 * relaxed count must be the walk's count of the OR.  It must serve words
 * with a list and no set, words with no list, and stop words beside them,
 * and decline when no word has a set, when a word has no row, and when
 * the sets were made before articles were added.  Through nx_search with
 * NX_FAST_PATHS_CHECK the results are those of the search without fast
 * paths.  Made-up words (madeup.h): zorba..zorbu with sets, zorca..zorci
 * with lists only, zorco and zorcu with neither.
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
#include "index/store_private.h"
#include "search/search_private.h"
#include "search/topk_private.h"

#define NART 2400
#define NWORD 10
#define MIN_DF 100
#define ROWS 32
#define T0 1625708520

#define MADEUP_SEARCH
#define MADEUP_HITS
#include "madeup.h" /* after NWORD */

static int setup(void **state)
{
	nx_error err = NX_ERROR_INIT;
	fixture *f = NULL;

	if (madeup_setup(state, "and-rows", 4242) != 0)
		return -1;
	f = *state;
	return nx_search__impact_build(f->st, MIN_DF, ROWS, &err) == NX_OK ? 0 : -1;
}

/* Served here: a word with a set beside words with a list only, with none, and stop words; words with lists alone. */
static const char *const queries[] = { "zorba zorca", "zorbe zorce zorci", "zorba zorbi zorco", "zorbu zorcu zorca",
				       "zorca zorbo", "the zorba of zorce", "zorca zorce", "zorci zorca" };
#define NQ (sizeof(queries) / sizeof(queries[0]))

/* The query's compiled expression for the fast paths (malloc'd). */
static char *fts_of(const char *q)
{
	nx_error err = NX_ERROR_INIT;
	nx_query *cq = NULL;
	char *e = NULL;

	assert_int_equal(nx_query_compile(&cq, q, &err), NX_OK);
	assert_non_null(e = strdup(cq->fts));
	nx_query_free(cq);
	return e;
}

/* The best k rows of q from the sets and pages (1 when served, into h) and by the walk (into w). */
static int both(nx_store *st, sqlite3 *db2, const char *q, size_t k, nx_topk_hit **h, size_t *nh, int64_t *th,
		nx_topk_hit **w, size_t *nw, int64_t *tw)
{
	nx_impact_sets *cache = NULL;
	double cw[NX_TOPK_MAX_WEIGHTS];
	char *e = fts_of(q);
	int ncw = 0, rc = 0;

	*h = NULL;
	*nh = 0;
	*th = 0;
	assert_int_equal(nx_search__register(st), SQLITE_OK);
	assert_true(nx_topk__weights(st->db, cw, &ncw));
	rc = nx_search__impact_and(st, db2, &cache, e, NULL, cw, ncw, k, h, nh, th);
	assert_int_equal(nx_topk__run(st->db, NULL, e, cw, ncw, -1, NULL, 0, NULL, k, w, nw, tw, NULL, NULL), SQLITE_OK);
	nx_search__impact_sets_free(cache);
	free(e);
	return rc;
}

/* Every query at every depth, served and the walk's. */
static void every_depth(nx_store *st, sqlite3 *db2)
{
	nx_topk_hit *h = NULL, *w = NULL;
	size_t nh = 0, nw = 0, k = 0, q = 0;
	int64_t th = 0, tw = 0;

	for (q = 0; q < NQ; q++) {
		for (k = 1; k < 300; k += k < 40 ? 1 : 29) {
			assert_int_equal(both(st, db2, queries[q], k, &h, &nh, &th, &w, &nw, &tw), 1);
			assert_true(tw > 0);
			same_hits(h, nh, th, w, nw, tw);
		}
	}
}

/* Looked up row by row, read through, and as it costs less: the walk's each time. */
static void test_every_depth(void **state)
{
	fixture *f = *state;
	int mode = 0;

	for (mode = 0; mode <= 2; mode++) {
		nx_search__and_rows_seek(mode);
		every_depth(f->st, NULL);
	}
	nx_search__and_rows_seek(0);
}

/*
 * Not served: no word with a set and one without a list, a word without a
 * row, a rare word beside a frequent one without a set (its walk is
 * shorter than the reading of the other's rows).
 */
static void test_declines(void **state)
{
	fixture *f = *state;
	static const char *const no[] = { "zorco zorcu", "zorca zorqxy", "zorba zorbazz", "zorba zorqxy zorca" };
	nx_topk_hit *h = NULL, *w = NULL;
	size_t nh = 0, nw = 0, i = 0;
	int64_t th = 0, tw = 0;

	nx_error err = NX_ERROR_INIT;

	/* a word in one row: the walk of it beside zorca, none of whose rows are read */
	assert_int_equal(nx_store_begin(f->st, &err), NX_OK);
	assert_int_equal(put_article(f->st, NART + 500, "Report", "zorqxy zorca zorba."), 0);
	assert_int_equal(nx_store_commit(f->st, &err), NX_OK);
	assert_int_equal(nx_search__impact_build(f->st, MIN_DF, ROWS, &err), NX_OK);
	for (i = 0; i < sizeof(no) / sizeof(no[0]); i++) {
		assert_int_equal(both(f->st, NULL, no[i], 10, &h, &nh, &th, &w, &nw, &tw), 0);
		assert_null(h);
		free(w);
	}
	/* the same word beside zorba alone (its set is read, not its rows): served */
	assert_int_equal(both(f->st, NULL, "zorba zorqxy", 10, &h, &nh, &th, &w, &nw, &tw), 1);
	assert_int_equal(tw, 1);
	same_hits(h, nh, th, w, nw, tw);
	/* no row holds every word: served, none */
	assert_int_equal(both(f->st, NULL, "zorci zorca zorce", 10, &h, &nh, &th, &w, &nw, &tw), 1);
	assert_int_equal(tw, 0);
	same_hits(h, nh, th, w, nw, tw);
}

/* The relaxed query's count (an OR of the words) from the sets and the pages: the walk's count. */
static void test_or_count(void **state)
{
	fixture *f = *state;
	static const char *const ors[] = { "zorba OR zorca", "zorce OR zorbu OR zorco", "zorbe OR zorci" };
	nx_impact_sets *cache = NULL;
	size_t i = 0;

	assert_int_equal(nx_search__register(f->st), SQLITE_OK);
	for (i = 0; i < sizeof(ors) / sizeof(ors[0]); i++) {
		char *e = fts_of(ors[i]);
		int64_t got = -1, want = -2;

		assert_int_equal(nx_search__impact_or_count(f->st, &cache, e, &got), 1);
		assert_int_equal(nx_topk__or_count(f->st->db, NULL, e, NULL, &want, NULL), SQLITE_OK);
		assert_true(want > 0);
		assert_int_equal(got, want);
		nx_search__impact_sets_free(cache);
		cache = NULL;
		free(e);
	}
}

/* On two threads, also when the second reads an index a writer changed since the first's snapshot. */
static void test_two_threads(void **state)
{
	fixture *f = *state;
	nx_error err = NX_ERROR_INIT;
	nx_topk_hit *h = NULL, *w = NULL;
	size_t nh = 0, nw = 0, apart = 0;
	int64_t th = 0, tw = 0;
	nx_store *rd = NULL;
	sqlite3 *db2 = NULL;
	int began = 0, mode = 0;

	assert_int_equal(nx_store_open(&rd, f->path, NX_STORE_READ, &err), NX_OK);
	assert_non_null(db2 = nx_store__db2(rd));
	for (mode = 1; mode <= 2; mode++) {
		nx_search__and_rows_seek(mode);
		apart = nx_search__two_ways_apart();
		every_depth(rd, db2);
		assert_int_equal(nx_search__two_ways_apart(), apart);
	}
	/* a writer commits once the reader's snapshot is taken: the second thread reads none */
	assert_int_equal(nx_search__read_begin(rd, &began, &err), 0);
	assert_int_equal(both(rd, NULL, queries[1], 10, &h, &nh, &th, &w, &nw, &tw), 1);
	free(h);
	free(w);
	assert_int_equal(nx_store_begin(f->st, &err), NX_OK);
	assert_int_equal(put_article(f->st, NART + 300, "Report", "zorbe zorce zorci zorbe zorce zorci."), 0);
	assert_int_equal(nx_store_commit(f->st, &err), NX_OK);
	apart = nx_search__two_ways_apart();
	assert_int_equal(both(rd, db2, queries[1], 10, &h, &nh, &th, &w, &nw, &tw), 1);
	assert_true(nx_search__two_ways_apart() > apart);
	same_hits(h, nh, th, w, nw, tw);
	nx_search__read_end(rd, &began);
	nx_search__and_rows_seek(0);
	nx_store_close(rd);
	/* the sets now made before an article was added: not served here (the walk) */
	assert_int_equal(both(f->st, NULL, queries[1], 10, &h, &nh, &th, &w, &nw, &tw), 0);
	free(h);
	free(w);
}

/* Through nx_search, fast paths checked against the search without them, after the lists are made again. */
static void test_search(void **state)
{
	fixture *f = *state;
	nx_error err = NX_ERROR_INIT;
	nx_search_opts o = NX_SEARCH_OPTS_INIT;
	seen fast, slow;
	size_t q = 0;
	int lim = 0;

	assert_int_equal(nx_search__impact_build(f->st, MIN_DF, ROWS, &err), NX_OK);
	for (q = 0; q < NQ; q++) {
		for (lim = 1; lim <= 40; lim += 13) {
			search(f->st, queries[q], lim, 0, &fast); /* (NX_FAST_PATHS_CHECK) */
			o.limit = lim;
			o.fast_paths = NX_FAST_PATHS_OFF;
			search_opts(f->st, queries[q], &o, &slow);
			assert_true(fast.n > 0);
			assert_same(&fast, &slow);
		}
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_every_depth),
		cmocka_unit_test(test_declines),
		cmocka_unit_test(test_or_count),
		cmocka_unit_test(test_two_threads),
		cmocka_unit_test(test_search),
	};

	return cmocka_run_group_tests(tests, setup, madeup_teardown);
}

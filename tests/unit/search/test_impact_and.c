/*
 * test_impact_and.c - queries of several frequent words from their impact
 * lists and sets of rows (src/search/impact_and.c, src/index/impact.c):
 * the AND's total, its best rows (ids, scores to the bit, ties by rowid)
 * and the relaxed query's count must be the walk's, at every depth, for
 * pairs and a triple, also after an article is added since the sets
 * were made; one removed: the walk again.  A word without a set beside
 * them: the rows scored from the pages (and_rows.c, tested there).  Sets kept as they are (dense
 * ones) and deflated read the same.  A small index of made-up words
 * (madeup.h), lists and sets for words in 300 rows or more.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

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
#define MADEUP_HITS
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

/*
 * The best k rows of query q by the sets (1 when served, hits into h; the
 * blocks probed on two threads when db2) and by the walk (into w).
 */
static int both2(nx_store *st, sqlite3 *db2, const char *q, size_t k, nx_topk_hit **h, size_t *nh, int64_t *th, nx_topk_hit **w,
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
	rc = nx_search__impact_and(st, db2, &cache, cq->fts, NULL, cw, ncw, k, h, nh, th);
	assert_int_equal(nx_topk__run(st->db, NULL, cq->fts, cw, ncw, -1, NULL, 0, NULL, k, w, nw, tw, NULL, NULL),
			 SQLITE_OK);
	nx_search__impact_sets_free(cache);
	nx_query_free(cq);
	return rc;
}

static int both(nx_store *st, const char *q, size_t k, nx_topk_hit **h, size_t *nh, int64_t *th, nx_topk_hit **w,
		size_t *nw, int64_t *tw)
{
	return both2(st, NULL, q, k, h, nh, th, w, nw, tw);
}

/* Every depth from 1 to past the total: the same rows, scores and total as the walk's (db2: two threads). */
static void every_depth2(nx_store *st, sqlite3 *db2)
{
	nx_topk_hit *h = NULL, *w = NULL;
	size_t nh = 0, nw = 0, k = 0, q = 0;
	int64_t th = 0, tw = 0;

	for (q = 0; q < 3; q++) {
		for (k = 1; k < 400; k += k < 50 ? 1 : 37) {
			assert_int_equal(both2(st, db2, queries[q], k, &h, &nh, &th, &w, &nw, &tw), 1);
			same_hits(h, nh, th, w, nw, tw);
		}
	}
}

static void every_depth(nx_store *st)
{
	every_depth2(st, NULL);
}

static void test_every_depth(void **state)
{
	fixture *f = *state;
	nx_topk_hit *h = NULL, *w = NULL;
	size_t nh = 0, nw = 0;
	int64_t th = 0, tw = 0;

	build(f->st);
	every_depth(f->st);
	/* a word without a set: its rows read from the pages, each row scored from them (and_rows.c), the walk's */
	assert_int_equal(both(f->st, "zorba zorco", 10, &h, &nh, &th, &w, &nw, &tw), 1);
	same_hits(h, nh, th, w, nw, tw);
	/* no word with a set: not served */
	assert_int_equal(both(f->st, "zorco zorcu", 10, &h, &nh, &th, &w, &nw, &tw), 0);
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

/* The words of the set of expr as nx_impact__get_set reads it (malloc'd, *nw of them). */
static uint64_t *read_set(nx_store *st, const char *expr, size_t *nw)
{
	uint64_t *w = NULL;
	double *max = NULL;

	assert_int_equal(nx_impact__get_set(st->db, expr, &w, nw, &max), 1);
	free(max);
	return w;
}

/*
 * The set of expr stored from w (n words, no bound) and read back: the
 * same words; the first byte of its blob, or -1 when a blob of that first
 * byte has not the length of its form (raw: 1 + 8 n bytes).
 */
static int round_trip(nx_store *st, const char *expr, const uint64_t *w, size_t n)
{
	double *max = calloc(n, sizeof(*max));
	sqlite3_stmt *s = NULL;
	uint64_t *got = NULL;
	size_t ngot = 0;
	int first = -1;

	assert_non_null(max);
	assert_int_equal(nx_impact__put_set(st->db, expr, w, n, max), SQLITE_OK);
	got = read_set(st, expr, &ngot);
	assert_int_equal(ngot, n);
	assert_memory_equal(got, w, n * sizeof(*w));
	assert_int_equal(sqlite3_prepare_v2(st->db, "SELECT bits FROM impact_set WHERE expr = ?1", -1, &s, NULL), SQLITE_OK);
	sqlite3_bind_text(s, 1, expr, -1, SQLITE_STATIC);
	assert_int_equal(sqlite3_step(s), SQLITE_ROW);
	if (sqlite3_column_bytes(s, 0) > 0) {
		first = ((const unsigned char *)sqlite3_column_blob(s, 0))[0];
		if ((first == NX_IMPACT_SET_RAW) != ((size_t)sqlite3_column_bytes(s, 0) == 8 * n + 1))
			first = -1;
	}
	sqlite3_finalize(s);
	free(got);
	free(max);
	return first;
}

/*
 * A set deflating saves little from is kept as it is (NX_IMPACT_SET_RAW
 * and its bytes), others deflated, both read back the same; every set of
 * a build read the same in the other form (the raw ones deflated here,
 * the deflated ones stored raw), and the searches then the walk's.
 */
static void test_raw_sets(void **state)
{
	fixture *f = *state;
	sqlite3_stmt *s = NULL, *up = NULL;
	uint64_t w[64], x = 88172645463325252ULL;
	size_t i = 0;

	build(f->st);
	/* random bits (xorshift): kept raw; a few bits: deflated (a zlib stream: method 8) */
	for (i = 0; i < 64; i++) {
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		w[i] = x;
	}
	assert_int_equal(round_trip(f->st, "\"zorba\"", w, 64), NX_IMPACT_SET_RAW);
	memset(w, 0, sizeof(w));
	w[3] = 5;
	w[60] = (uint64_t)1 << 63;
	assert_int_equal(round_trip(f->st, "\"zorba\"", w, 64) & 0x0f, 8);
	build(f->st);
	assert_int_equal(sqlite3_prepare_v2(f->st->db, "SELECT expr, nbits, bits FROM impact_set", -1, &s, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_prepare_v2(f->st->db, "UPDATE impact_set SET bits = ?2 WHERE expr = ?1", -1, &up, NULL),
			 SQLITE_OK);
	while (sqlite3_step(s) == SQLITE_ROW) {
		char *expr = strdup((const char *)sqlite3_column_text(s, 0));
		sqlite3_int64 nbits = sqlite3_column_int64(s, 1);
		const unsigned char *z = sqlite3_column_blob(s, 2);
		size_t zn = (size_t)sqlite3_column_bytes(s, 2), nb = (size_t)nbits / 8, n0 = 0, n1 = 0;
		unsigned char *other = malloc(compressBound((uLong)nb) + nb + 1);
		uLongf olen = (uLongf)(compressBound((uLong)nb) + nb);
		uint64_t *w0 = NULL, *w1 = NULL;

		assert_non_null(expr);
		assert_non_null(other);
		if (zn == nb + 1 && z[0] == NX_IMPACT_SET_RAW) {
			assert_int_equal(compress2(other, &olen, z + 1, (uLong)nb, 9), Z_OK);
			/* kept raw because deflating saved too little */
			assert_true(olen >= nb - nb / NX_IMPACT_SET_DEFLATE_GAIN);
		} else {
			assert_int_equal(z[0] & 0x0f, 8);
			other[0] = NX_IMPACT_SET_RAW;
			olen = (uLongf)nb;
			assert_int_equal(uncompress(other + 1, &olen, z, (uLong)zn), Z_OK);
			assert_int_equal(olen, nb);
			olen++;
		}
		w0 = read_set(f->st, expr, &n0);
		sqlite3_reset(up);
		sqlite3_bind_text(up, 1, expr, -1, SQLITE_STATIC);
		sqlite3_bind_blob(up, 2, other, (int)olen, SQLITE_STATIC);
		assert_int_equal(sqlite3_step(up), SQLITE_DONE);
		w1 = read_set(f->st, expr, &n1);
		assert_int_equal(n0, n1);
		assert_int_equal(n0 * 64, (size_t)nbits);
		assert_memory_equal(w0, w1, n0 * sizeof(*w0));
		free(w0);
		free(w1);
		free(other);
		free(expr);
	}
	sqlite3_finalize(s);
	sqlite3_finalize(up);
	/* every set now in the other form: the walk's results */
	every_depth(f->st);
}

/*
 * Sets read together (nx_impact__get_sets: inflated on two threads), raw
 * and deflated: each the set nx_impact__get_set reads alone; with a word
 * of no set, none when all are wanted, the others as alone when not.
 */
static void test_get_sets(void **state)
{
	fixture *f = *state;
	static const char *const ex[] = { "\"zorba\"", "\"zorbe\"", "\"zorbi\"", "\"zorco\"" };
	uint64_t *w[4], *w1 = NULL;
	size_t nw[4], n1 = 0, i = 0;
	double *max[4], *max1 = NULL;
	int rc[4], all = 0, few = 0;

	build(f->st);
	for (few = 0; few < 2; few++) {
		if (few) {
			/* two sets of a few bits: deflated, both inflated on their own thread */
			uint64_t few[64];

			memset(few, 0, sizeof(few));
			few[7] = 0x90;
			assert_int_equal(round_trip(f->st, ex[0], few, 64) & 0x0f, 8);
			few[40] = 3;
			assert_int_equal(round_trip(f->st, ex[1], few, 64) & 0x0f, 8);
		}
		for (all = 0; all < 2; all++) {
			nx_impact__get_sets(f->st->db, ex, 4, w, nw, max, rc, NX_IMPACT_SETS_TWO | (all ? NX_IMPACT_SETS_ALL : 0));
			for (i = 0; i < 4; i++) {
				int alone = nx_impact__get_set(f->st->db, ex[i], &w1, &n1, &max1);

				assert_int_equal(rc[i], all ? 0 : alone);
				if (rc[i] == 1) {
					assert_int_equal(nw[i], n1);
					assert_memory_equal(w[i], w1, n1 * sizeof(*w1));
					assert_memory_equal(max[i], max1, n1 * sizeof(*max1));
				}
				free(w1);
				free(max1);
				free(w[i]);
				free(max[i]);
			}
			/* the three with sets */
			nx_impact__get_sets(f->st->db, ex, 3, w, nw, max, rc, all ? NX_IMPACT_SETS_ALL : 0);
			for (i = 0; i < 3; i++) {
				assert_int_equal(rc[i], 1);
				assert_int_equal(nx_impact__get_set(f->st->db, ex[i], &w1, &n1, &max1), 1);
				assert_int_equal(nw[i], n1);
				assert_memory_equal(w[i], w1, n1 * sizeof(*w1));
				free(w1);
				free(max1);
				free(w[i]);
				free(max[i]);
			}
		}
	}
}

/*
 * The blocks probed on two threads and connections (a reader's: it has
 * the second), the second taking blocks as they come and taking the
 * first: the walk's rows and scores at every depth, with a filter too.
 * A writer committing between the reader's snapshot and the second's:
 * the second read another index, the blocks are probed again on the
 * first alone, and the results are the walk's in the reader's snapshot.
 */
static void test_two_threads(void **state)
{
	fixture *f = *state;
	nx_error err = NX_ERROR_INIT;
	nx_topk_hit *h = NULL, *w = NULL;
	size_t nh = 0, nw = 0, again = 0;
	int64_t th = 0, tw = 0;
	nx_store *rd = NULL;
	sqlite3 *db2 = NULL;
	int mode = 0, began = 0;

	build(f->st);
	assert_int_equal(nx_store_open(&rd, f->path, NX_STORE_READ, &err), NX_OK);
	assert_non_null(db2 = nx_store__db2(rd));
	for (mode = 0; mode <= 2; mode += 2) {
		nx_search__impact_and_split(mode);
		every_depth2(rd, db2);
	}
	/* a writer commits once the reader's snapshot is taken: the second thread (first to probe) sees it */
	assert_int_equal(nx_search__read_begin(rd, &began, &err), 0);
	assert_int_equal(both2(rd, NULL, queries[0], 10, &h, &nh, &th, &w, &nw, &tw), 1);
	free(h);
	free(w);
	assert_int_equal(nx_store_begin(f->st, &err), NX_OK);
	assert_int_equal(put_article(f->st, NART + 200, "zorba zorbe", "zorba zorbe zorba zorbe."), 0);
	assert_int_equal(nx_store_commit(f->st, &err), NX_OK);
	again = nx_search__impact_and_again();
	assert_int_equal(both2(rd, db2, queries[0], 10, &h, &nh, &th, &w, &nw, &tw), 1);
	assert_int_equal(nx_search__impact_and_again(), again + 1);
	same_hits(h, nh, th, w, nw, tw);
	nx_search__read_end(rd, &began);
	nx_search__impact_and_split(0);
	nx_store_close(rd);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_every_depth),
		cmocka_unit_test(test_same_as_walk),
		cmocka_unit_test(test_removals_every_depth),
		cmocka_unit_test(test_raw_sets),
		cmocka_unit_test(test_get_sets),
		cmocka_unit_test(test_two_threads),
	};

	return cmocka_run_group_tests(tests, setup, madeup_teardown);
}

/*
 * test_impact_set.c - the sets of rows of frequent words
 * (src/index/impact_set.c): stored and read back bit for bit, deflated or
 * kept as they are, one at a time or several on two threads, and the memo
 * of inflated sets: a set read again comes from it, the same bits; a set
 * stored again with other bits is read as stored, never as remembered;
 * a budget of 0 keeps none; the sets found longest ago go first.  The
 * tables are made here with the columns the reads select.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include "index/impact.h"

#define NW 4096 /* words of a set: 262,144 rows */

static const char *schema =
	"CREATE TABLE impact(expr TEXT PRIMARY KEY, twin TEXT, df INTEGER);"
	"CREATE TABLE impact_set(expr TEXT PRIMARY KEY, nbits INTEGER, bits BLOB, maxes BLOB);"
	"CREATE TABLE impact_state(id INTEGER PRIMARY KEY, totals BLOB);"
	"CREATE TABLE fts_data(id INTEGER PRIMARY KEY, block BLOB);"
	"INSERT INTO impact_state VALUES (2, x'0102'), (4, NULL);"
	"INSERT INTO fts_data VALUES (1, x'0102');";

static int setup(void **state)
{
	sqlite3 *db = NULL;

	if (sqlite3_open(":memory:", &db) != SQLITE_OK || sqlite3_exec(db, schema, NULL, NULL, NULL) != SQLITE_OK)
		return -1;
	nx_impact__set_memo_budget(NX_IMPACT_SET_MEMO_BYTES);
	*state = db;
	return 0;
}

static int teardown(void **state)
{
	sqlite3_close(*state);
	nx_impact__set_memo_budget(NX_IMPACT_SET_MEMO_BYTES);
	return 0;
}

/* A set of rows: every step-th from first (sparse: deflated), or seeded noise in half the bits (kept raw). */
static void make_set(uint64_t *w, double *max, int first, int step, unsigned seed)
{
	size_t i = 0;
	int r = 0;

	memset(w, 0, NW * sizeof(*w));
	if (step > 0) {
		for (r = first; r < NW * 64; r += step)
			w[r / 64] |= (uint64_t)1 << (r % 64);
	} else {
		for (i = 0; i < NW; i++) {
			seed = seed * 1103515245u + 12345u;
			w[i] = (uint64_t)seed << 32;
			seed = seed * 1103515245u + 12345u;
			w[i] |= seed;
		}
	}
	for (i = 0; i < NW; i++)
		max[i] = w[i] != 0 ? 1.0 + (double)(i % 7) : 0;
}

static void put(sqlite3 *db, const char *expr, const uint64_t *w, const double *max)
{
	char sql[128];

	snprintf(sql, sizeof(sql), "INSERT OR IGNORE INTO impact(expr, df) VALUES ('%s', 10)", expr);
	assert_int_equal(sqlite3_exec(db, sql, NULL, NULL, NULL), SQLITE_OK);
	assert_int_equal(nx_impact__put_set(db, expr, w, NW, max), SQLITE_OK);
}

/* The set of expr read back: exactly w, its bounds no less than max. */
static void check(sqlite3 *db, const char *expr, const uint64_t *want, const double *max)
{
	uint64_t *w = NULL;
	double *m = NULL;
	size_t nw = 0, i = 0;

	assert_int_equal(nx_impact__get_set(db, expr, &w, &nw, &m), 1);
	assert_int_equal(nw, NW);
	assert_memory_equal(w, want, NW * sizeof(*w));
	for (i = 0; i < NW; i++)
		assert_true(m[i] >= max[i]);
	free(w);
	free(m);
}

static void stats(int64_t *hits, int64_t *misses)
{
	size_t bytes = 0;

	nx_impact__set_memo_stats(hits, misses, &bytes);
}

/* A deflated set read twice: inflated once, then from the memo, the same bits both times. */
static void test_read_again_from_memo(void **state)
{
	sqlite3 *db = *state;
	static uint64_t w[NW];
	static double max[NW];
	int64_t hits = 0, misses = 0;

	make_set(w, max, 3, 97, 0);
	put(db, "\"alpha\"", w, max);
	check(db, "\"alpha\"", w, max);
	stats(&hits, &misses);
	assert_int_equal(hits, 0);
	assert_int_equal(misses, 1);
	check(db, "\"alpha\"", w, max);
	stats(&hits, &misses);
	assert_int_equal(hits, 1);
	assert_int_equal(misses, 1);
}

/* A set stored again with other rows is read as stored, not as the memo held it. */
static void test_stored_again(void **state)
{
	sqlite3 *db = *state;
	static uint64_t a[NW], b[NW];
	static double ma[NW], mb[NW];

	make_set(a, ma, 3, 97, 0);
	make_set(b, mb, 5, 97, 0); /* the same density: a deflated stream of about the same length */
	put(db, "\"alpha\"", a, ma);
	check(db, "\"alpha\"", a, ma);
	check(db, "\"alpha\"", a, ma);
	put(db, "\"alpha\"", b, mb);
	check(db, "\"alpha\"", b, mb);
	put(db, "\"alpha\"", a, ma);
	check(db, "\"alpha\"", a, ma);
}

/* Two words with the same rows share what was inflated; each is read right. */
static void test_two_words_same_rows(void **state)
{
	sqlite3 *db = *state;
	static uint64_t w[NW];
	static double max[NW];
	int64_t hits = 0, misses = 0;

	make_set(w, max, 11, 131, 0);
	put(db, "\"beta\"", w, max);
	put(db, "\"gamma\"", w, max);
	check(db, "\"beta\"", w, max);
	check(db, "\"gamma\"", w, max);
	stats(&hits, &misses);
	assert_int_equal(hits, 1);
}

/* Sets kept as they are (noise) are read without inflating, and not kept. */
static void test_raw_not_kept(void **state)
{
	sqlite3 *db = *state;
	static uint64_t w[NW];
	static double max[NW];
	int64_t hits = 0, misses = 0;
	size_t bytes = 0;

	make_set(w, max, 0, 0, 77);
	put(db, "\"delta\"", w, max);
	check(db, "\"delta\"", w, max);
	check(db, "\"delta\"", w, max);
	nx_impact__set_memo_stats(&hits, &misses, &bytes);
	assert_int_equal(hits + misses, 0);
	assert_int_equal(bytes, 0);
}

/* Budget 0: nothing kept, every read inflates. */
static void test_no_budget(void **state)
{
	sqlite3 *db = *state;
	static uint64_t w[NW];
	static double max[NW];
	int64_t hits = 0, misses = 0;
	size_t bytes = 0;

	nx_impact__set_memo_budget(0);
	make_set(w, max, 1, 61, 0);
	put(db, "\"alpha\"", w, max);
	check(db, "\"alpha\"", w, max);
	check(db, "\"alpha\"", w, max);
	nx_impact__set_memo_stats(&hits, &misses, &bytes);
	assert_int_equal(hits, 0);
	assert_int_equal(misses, 2);
	assert_int_equal(bytes, 0);
}

/* A budget of four sets: a fifth lets go of the one found longest ago. */
static void test_oldest_goes(void **state)
{
	sqlite3 *db = *state;
	static uint64_t w[5][NW];
	static double max[5][NW];
	const char *expr[5] = { "\"alpha\"", "\"beta\"", "\"gamma\"", "\"delta\"", "\"epsilon\"" };
	const size_t set = NW * sizeof(uint64_t);
	int64_t hits = 0, misses = 0;
	size_t bytes = 0;
	int i = 0;

	for (i = 0; i < 5; i++) {
		make_set(w[i], max[i], i, 70 + i, 0);
		put(db, expr[i], w[i], max[i]);
	}
	nx_impact__set_memo_budget(4 * set);
	for (i = 0; i < 4; i++)
		check(db, expr[i], w[i], max[i]); /* all four kept */
	check(db, expr[0], w[0], max[0]);         /* found: alpha newest, beta oldest */
	check(db, expr[4], w[4], max[4]);         /* beta let go */
	nx_impact__set_memo_stats(&hits, &misses, &bytes);
	assert_int_equal(hits, 1);
	assert_int_equal(misses, 5);
	assert_int_equal(bytes, 4 * set);
	check(db, expr[0], w[0], max[0]); /* still there */
	check(db, expr[2], w[2], max[2]); /* still there: delta oldest now */
	check(db, expr[1], w[1], max[1]); /* gone: inflated again, delta let go */
	check(db, expr[3], w[3], max[3]); /* gone */
	nx_impact__set_memo_stats(&hits, &misses, &bytes);
	assert_int_equal(hits, 3);
	assert_int_equal(misses, 7);
	assert_int_equal(bytes, 4 * set);
	/* a budget under four sets keeps none (one set may take a quarter at most) */
	nx_impact__set_memo_budget(4 * set - 1);
	check(db, expr[0], w[0], max[0]);
	check(db, expr[0], w[0], max[0]);
	nx_impact__set_memo_stats(&hits, &misses, &bytes);
	assert_int_equal(hits, 0);
	assert_int_equal(bytes, 0);
}

/* Several read at once on two threads: each as stored, from the memo or not. */
static void test_get_sets_two_threads(void **state)
{
	sqlite3 *db = *state;
	static uint64_t want[4][NW];
	static double wmax[4][NW];
	const char *expr[4] = { "\"alpha\"", "\"beta\"", "\"gamma\"", "\"delta\"" };
	uint64_t *w[4];
	size_t nw[4];
	double *max[4];
	int rc[4], i = 0, round = 0;

	for (i = 0; i < 4; i++) {
		make_set(want[i], wmax[i], i, i == 3 ? 0 : 50 + i, 5u + (unsigned)i);
		put(db, expr[i], want[i], wmax[i]);
	}
	for (round = 0; round < 2; round++) {
		nx_impact__get_sets(db, expr, 4, w, nw, max, rc, NX_IMPACT_SETS_ALL | NX_IMPACT_SETS_TWO);
		for (i = 0; i < 4; i++) {
			assert_int_equal(rc[i], 1);
			assert_int_equal(nw[i], NW);
			assert_memory_equal(w[i], want[i], NW * sizeof(uint64_t));
			free(w[i]);
			free(max[i]);
		}
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_read_again_from_memo, setup, teardown),
		cmocka_unit_test_setup_teardown(test_stored_again, setup, teardown),
		cmocka_unit_test_setup_teardown(test_two_words_same_rows, setup, teardown),
		cmocka_unit_test_setup_teardown(test_raw_not_kept, setup, teardown),
		cmocka_unit_test_setup_teardown(test_no_budget, setup, teardown),
		cmocka_unit_test_setup_teardown(test_oldest_goes, setup, teardown),
		cmocka_unit_test_setup_teardown(test_get_sets_two_threads, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

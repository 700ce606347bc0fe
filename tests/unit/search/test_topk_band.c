/*
 * test_topk_band.c - where nx_topk__run walks (src/search/topk_band.c):
 * the band of rowids a filter's bits lie in, the rowid a split of a band
 * falls at, and which count is left for the walk to take.  The walks
 * themselves, banded and whole, are compared in test_pub_range.c.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "search/topk_private.h"

/* An index of rowids 1..last, as far as nx_topk__last_rowid looks: fts_docsize's ids. */
static sqlite3 *index_of(int64_t last)
{
	sqlite3 *db = NULL;
	char sql[128];

	assert_int_equal(sqlite3_open(":memory:", &db), SQLITE_OK);
	assert_int_equal(sqlite3_exec(db, "CREATE TABLE fts_docsize(id INTEGER PRIMARY KEY, sz BLOB)", NULL, NULL, NULL),
			 SQLITE_OK);
	snprintf(sql, sizeof(sql), "INSERT INTO fts_docsize(id) VALUES (1), (%lld)", (long long)last);
	assert_int_equal(sqlite3_exec(db, sql, NULL, NULL, NULL), SQLITE_OK);
	return db;
}

static void set_bit(uint64_t *b, int64_t r)
{
	b[r / 64] |= (uint64_t)1 << (r % 64);
}

static void test_band_edges(void **state)
{
	sqlite3 *db = index_of(1000);
	uint64_t bits[20];
	nx_topk_filter flt = { bits, 20 * 64, NULL, NULL };
	int64_t lo = -7, hi = -7;

	(void)state;
	memset(bits, 0, sizeof(bits));
	assert_int_equal(nx_topk__last_rowid(db), 1000);
	/* no filter, or one of no bits: the whole walk */
	assert_int_equal(nx_topk__filter_band(db, NULL, &lo, &hi), 0);
	flt.bits = NULL;
	assert_int_equal(nx_topk__filter_band(db, &flt, &lo, &hi), 0);
	flt.bits = bits;
	/* no row passes */
	assert_int_equal(nx_topk__filter_band(db, &flt, &lo, &hi), -1);
	/* a row past nbits is not the filter's */
	set_bit(bits, 1270);
	flt.nbits = 1200;
	assert_int_equal(nx_topk__filter_band(db, &flt, &lo, &hi), -1);
	memset(bits, 0, sizeof(bits));
	flt.nbits = 20 * 64;
	/* rows 130..630: wider than half the index, walked whole, [lo, hi] untouched */
	set_bit(bits, 130);
	set_bit(bits, 630);
	assert_int_equal(nx_topk__filter_band(db, &flt, &lo, &hi), 0);
	assert_int_equal(lo, -7);
	assert_int_equal(hi, -7);
	/* rows 130..629 of 1000: half, a band; its edges to the bit, across words */
	bits[630 / 64] = 0;
	set_bit(bits, 629);
	set_bit(bits, 300);
	assert_int_equal(nx_topk__filter_band(db, &flt, &lo, &hi), 1);
	assert_int_equal(lo, 130);
	assert_int_equal(hi, 629);
	/* one row */
	memset(bits, 0, sizeof(bits));
	set_bit(bits, 64);
	assert_int_equal(nx_topk__filter_band(db, &flt, &lo, &hi), 1);
	assert_int_equal(lo, 64);
	assert_int_equal(hi, 64);
	sqlite3_close(db);
	/* an empty index: no band */
	db = index_of(0);
	sqlite3_exec(db, "DELETE FROM fts_docsize", NULL, NULL, NULL);
	assert_int_equal(nx_topk__filter_band(db, &flt, &lo, &hi), 0);
	sqlite3_close(db);
}

/* The rows of a one-phrase walk of a band: stored, or counted for one word; none for a phrase of several. */
static void test_band_rows(void **state)
{
	sqlite3 *db = NULL;
	const int64_t known[2] = { 321, 5 }, unknown[1] = { -1 };

	(void)state;
	assert_int_equal(sqlite3_open(":memory:", &db), SQLITE_OK);
	assert_int_equal(sqlite3_exec(db,
				      "CREATE VIRTUAL TABLE fts USING fts5(t);"
				      "INSERT INTO fts(t) VALUES ('oil price'), ('oil'), ('price of oil'), ('gas');",
				      NULL, NULL, NULL),
			 SQLITE_OK);
	assert_int_equal(nx_topk__band_rows(db, "\"oil\"", known, 2), 321);
	assert_int_equal(nx_topk__band_rows(db, "\"oil\"", unknown, 1), 3);
	assert_int_equal(nx_topk__band_rows(db, "\"oil\"", NULL, 0), 3);
	assert_int_equal(nx_topk__band_rows(db, "\"coal\"", NULL, 0), 0);
	/* positions needed: not counted */
	assert_int_equal(nx_topk__band_rows(db, "\"oil price\"", unknown, 1), 0);
	assert_int_equal(nx_topk__band_rows(db, "\"oil\" \"price\"", NULL, 0), 0);
	assert_int_equal(nx_topk__band_rows(db, "\"oil price\"", known, 1), 321);
	sqlite3_close(db);
}

static void test_band_mid(void **state)
{
	const int64_t s[] = { 10, 74, 138, 202, 266, 330, 394 };
	int64_t mid = -1;

	(void)state;
	assert_int_equal(nx_topk__band_mid(s, 7, 0, 5, &mid), 0);
	assert_int_equal(mid, -1);
	assert_int_equal(nx_topk__band_mid(s, 7, 400, 900, &mid), 0);
	assert_int_equal(nx_topk__band_mid(s, 7, 74, 330, &mid), 5);
	assert_int_equal(mid, 202);
	assert_int_equal(nx_topk__band_mid(s, 7, 75, 266, &mid), 3);
	assert_int_equal(mid, 202);
	assert_int_equal(nx_topk__band_mid(s, 7, 0, 1000, &mid), 7);
	assert_int_equal(mid, 202);
	assert_int_equal(nx_topk__band_mid(s, 7, 300, 1000, &mid), 2);
	assert_int_equal(mid, 394);
	assert_int_equal(nx_topk__band_mid(s, 0, 0, 1000, &mid), 0);
}

static void test_sample_rarest(void **state)
{
	const int64_t all[4] = { 500, 40, NX_TOPK_NO_TOKEN, 90 }, some[3] = { 500, -1, 90 };
	const int64_t stops[2] = { NX_TOPK_NO_TOKEN, NX_TOPK_NO_TOKEN };
	int64_t kn[NX_TOPK_MAX_PHRASES];

	(void)state;
	/* every count known: the fewest left to count */
	assert_int_equal(nx_topk__sample_rarest(all, 4, kn), 1);
	assert_int_equal(kn[0], 500);
	assert_int_equal(kn[1], -1);
	assert_int_equal(kn[2], NX_TOPK_NO_TOKEN);
	assert_int_equal(kn[3], 90);
	/* one to count already, only stop words, none, too many: nothing to do */
	assert_int_equal(nx_topk__sample_rarest(some, 3, kn), 0);
	assert_int_equal(nx_topk__sample_rarest(stops, 2, kn), 0);
	assert_int_equal(nx_topk__sample_rarest(NULL, 0, kn), 0);
	assert_int_equal(nx_topk__sample_rarest(all, NX_TOPK_MAX_PHRASES + 1, kn), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_band_edges),
		cmocka_unit_test(test_band_rows),
		cmocka_unit_test(test_band_mid),
		cmocka_unit_test(test_sample_rarest),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

/*
 * test_impact_src.c - the articles of each outlet and language
 * (src/index/impact_src.c) and searches restricted to them
 * (src/search/candidates.c): the rows read for an outlet's pattern or a
 * language are exactly those SQL finds, through additions and removals;
 * a replacement of an older article, or a build of an older program (no
 * row 6), sets them aside; a search by outlet, language or both, in a
 * published range or not, gives the SQL path's results and takes the
 * stored rows when they can be read.  A small index made here: made-up
 * articles from seven outlets whose names share words, a %, a _ and a \,
 * in three languages and none.
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
#define T0 1625708520
#define DAY 86400

static const char *const outlets[] = { "Alpha Wire", "Beta News", "alpha-times.com", "100% News_Net",
				       "Gamma\\Post", "News 100", "Beta News Weekend" };
#define NOUT (sizeof(outlets) / sizeof(outlets[0]))
/* every outlet, unevenly; article n published n days after T0 */
#define MADEUP_SOURCE(n) (outlets[((n) * 7 / 3 + (n) / 11) % NOUT])
#define MADEUP_WHEN(n) ((int64_t)(n) * DAY)
/*
 * Languages at random (a hash of n): none in a sixth of the articles,
 * "fr" in a few (varints that do not deflate), "en" and "de" in the rest
 * (bitmaps that do not deflate).
 */
static const char *lang_of(int n)
{
	static const char *const langs[] = { "en", "de", NULL, "fr" };
	uint32_t x = (uint32_t)n * 0x9E3779B9u;

	x ^= x >> 16;
	x *= 0x85EBCA6Bu;
	x ^= x >> 13;
	x *= 0xC2B2AE35u;
	x ^= x >> 16;
	return langs[x % 6 == 0 ? 2 : x % 83 == 1 ? 3 : (int)(x >> 31)];
}
#define MADEUP_LANG(n) lang_of(n)
#define MADEUP_SEARCH
#define MADEUP_ADD
#include "madeup.h" /* after NWORD */

static int setup(void **state)
{
	(void)search; /* (madeup.h's; the searches here set more options) */
	return madeup_setup(state, "impact-src", 777);
}

/* What the searches filter by, as typed (substrings, any case). */
static const char *const typed[] = { "alpha", "beta news", "100% news_net", "gamma\\post", "news", "zzz", "BETA" };
#define NTYPED (sizeof(typed) / sizeof(typed[0]))

/* The rows read for `match` (col: an outlet's pattern, or a language) equal SQL's, or (want 0) none can be read. */
static void check_rows(nx_store *st, int col, const char *match, int want)
{
	uint64_t *bits = NULL;
	size_t cap = 0, n = 0;
	sqlite3_stmt *s = NULL;
	int64_t id = 0, set = 0;
	size_t i = 0;

	assert_int_equal(nx_impact__src_bits(st->db, col, match, &bits, &cap), want);
	if (!want) {
		free(bits);
		return;
	}
	assert_int_equal(sqlite3_prepare_v2(st->db,
					    col == NX_IMPACT_SRC_LANG ? "SELECT id FROM article WHERE lang = ?1"
								      : "SELECT id FROM article WHERE source LIKE ?1 ESCAPE '\\'",
					    -1, &s, NULL),
			 SQLITE_OK);
	sqlite3_bind_text(s, 1, match, -1, SQLITE_STATIC);
	while (sqlite3_step(s) == SQLITE_ROW) {
		id = sqlite3_column_int64(s, 0);
		assert_true((size_t)(id >> 6) < cap);
		assert_true((bits[id >> 6] >> (id & 63)) & 1);
		n++;
	}
	sqlite3_finalize(s);
	for (i = 0; i < cap; i++)
		set += __builtin_popcountll(bits[i]);
	assert_int_equal(set, (int64_t)n); /* no other row */
	free(bits);
}

static void check_all_rows(nx_store *st, int want)
{
	size_t t = 0;

	for (t = 0; t < NTYPED; t++) {
		char *like = nx_search__like(typed[t]);

		assert_non_null(like);
		check_rows(st, NX_IMPACT_SRC_SOURCE, like, want);
		free(like);
	}
	check_rows(st, NX_IMPACT_SRC_LANG, "en", want);
	check_rows(st, NX_IMPACT_SRC_LANG, "de", want);
	check_rows(st, NX_IMPACT_SRC_LANG, "fr", want);
	check_rows(st, NX_IMPACT_SRC_LANG, "xx", want);
}

static void build(nx_store *st)
{
	nx_error err = NX_ERROR_INIT;

	assert_int_equal(nx_search__impact_build(st, MIN_DF, 32, &err), NX_OK);
}

/* The rows of each pattern, as built, after additions, after removals; set aside by a replacement or an older build. */
static void test_rows(void **state)
{
	fixture *f = *state;
	nx_error err = NX_ERROR_INIT;
	char id[17];
	int64_t n = 0;

	check_all_rows(f->st, 0); /* none made yet */
	build(f->st);
	assert_int_equal(nx_store__query_int(f->st, "SELECT count(*) FROM impact_src", &n), 0);
	assert_int_equal(n, (int64_t)NOUT + 3); /* the outlets and the three languages */
	/* every form stored: varints (a rare outlet), a bitmap (a language of many rows), deflated or not */
	assert_int_equal(nx_store__query_int(f->st, "SELECT count(DISTINCT hex(substr(ids, 1, 1))) FROM impact_src", &n), 0);
	assert_true(n >= 3);
	check_all_rows(f->st, 1);
	madeup_add(f->st, 10000, 50, 5u); /* added since: read from the articles */
	check_all_rows(f->st, 1);
	assert_int_equal(nx_store_begin(f->st, &err), NX_OK);
	assert_int_equal(nx_store_remove(f->st, "https://example.com/3", id, &err), NX_OK);
	assert_int_equal(nx_store_remove(f->st, "https://example.com/10010", id, &err), NX_OK);
	assert_int_equal(nx_store_commit(f->st, &err), NX_OK);
	check_all_rows(f->st, 1); /* removed since: left out */
	/* an article made before replaced (its outlet may change): set aside */
	assert_int_equal(nx_store_begin(f->st, &err), NX_OK);
	assert_int_equal(put_article(f->st, 5, "Changed", "Changed text."), 0);
	assert_int_equal(nx_store_commit(f->st, &err), NX_OK);
	check_all_rows(f->st, 0);
	build(f->st);
	check_all_rows(f->st, 1);
	/* a build of an older program deletes every row of impact_state and writes its own, without 6 */
	assert_int_equal(sqlite3_exec(f->st->db, "DELETE FROM impact_state WHERE id = 6", NULL, NULL, NULL), SQLITE_OK);
	check_all_rows(f->st, 0);
}

/* Searches by outlet, in a range of days or not: the SQL path's results, the outlets' rows read once they are made. */
static void test_search(void **state)
{
	fixture *f = *state;
	static const char *const qs[] = { "zorba", "zorba zorbe", "zorbe -zorba", "zorbi OR zorco", "\"zorba zorbe\"",
					  "zorbo zorbu zorca zorce zorci zorco zorcu" };
	static const int pages[][2] = { { 10, 0 }, { 5, 7 }, { 0, 0 } };
	size_t q = 0, t = 0, p = 0;
	int round = 0, range = 0, nonzero = 0;

	for (round = 0; round < 3; round++) {
		if (round == 1)
			build(f->st);
		if (round == 2)
			madeup_add(f->st, 20000, 40, 9u);
		for (q = 0; q < sizeof(qs) / sizeof(qs[0]); q++)
			for (t = 0; t < NTYPED; t++)
				for (range = 0; range < 6; range++)
					for (p = 0; p < sizeof(pages) / sizeof(pages[0]); p++) {
						nx_search_opts o = NX_SEARCH_OPTS_INIT;
						seen a, b;
						int runs = nx_search__src_filter_runs;

						if (range >= 2 && t % 3 != 0)
							continue; /* the language with a few outlets */

						o.limit = pages[p][0];
						o.offset = pages[p][1];
						o.relax = (int)(q % 2);
						/* the outlet, the language (range 2, 3) or both (4, 5) */
						o.filter.source = range < 2 || range > 3 ? (char *)typed[t] : NULL;
						o.filter.lang = range >= 2 ? (char *)(t % 6 ? "de" : "en") : NULL;
						if (range % 2) {
							o.filter.set = NX_F_PUB_MIN | NX_F_PUB_MAX;
							o.filter.pub_min = T0 + 300 * DAY;
							o.filter.pub_max = T0 + 1700 * DAY;
						}
						o.fast_paths = NX_FAST_PATHS_OFF;
						search_opts(f->st, qs[q], &o, &a);
						o.fast_paths = NX_FAST_PATHS_CHECK;
						search_opts(f->st, qs[q], &o, &b);
						assert_same(&a, &b);
						/* the outlets' rows read when made (and the filter asked for at all) */
						if (round == 0)
							assert_int_equal(nx_search__src_filter_runs, runs);
						nonzero += a.total > 0;
					}
		assert_true(nx_search__src_filter_runs > 0 || round == 0);
	}
	assert_true(nonzero > 200);
}

/*
 * Stored rows that are corrupt (an unknown form, a row past the mark, a
 * bitmap or a deflated size longer than the rows, bytes that do not
 * inflate): an error at once, no bits grown past the rows, and a search
 * with the filter still the SQL path's.
 */
static void test_corrupt(void **state)
{
	fixture *f = *state;
	static const char *const bad[] = { "09", "01FFFFFFFFFFFFFFFF7F", "0180FFFFFF7F", "01FF", "00" /* + a long bitmap */,
					   "05FFFFFFFF0F789C", "0508789C0000", "04", "00" /* empty: no rows, no error */ };
	char sql[160];
	size_t i = 0;

	build(f->st);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		nx_search_opts o = NX_SEARCH_OPTS_INIT;
		uint64_t *bits = NULL;
		size_t cap = 0;
		seen a, b;

		if (i == 4)
			snprintf(sql, sizeof(sql), "UPDATE impact_src SET ids = x'00' || zeroblob(%d) WHERE val = 'Alpha Wire'",
				 NART);
		else
			snprintf(sql, sizeof(sql), "UPDATE impact_src SET ids = x'%s' WHERE val = 'Alpha Wire'", bad[i]);
		assert_int_equal(sqlite3_exec(f->st->db, sql, NULL, NULL, NULL), SQLITE_OK);
		assert_int_equal(nx_impact__src_bits(f->st->db, NX_IMPACT_SRC_SOURCE, "%alpha wire%", &bits, &cap),
				 i == 8 ? 1 : -1);
		assert_true(cap <= 1024); /* (nx_impact__bit_set starts at 1,024 words, enough for the rows) */
		free(bits);
		if (i == 8)
			continue; /* (well-formed: the rows it says, whatever the articles) */
		o.filter.source = (char *)"alpha";
		o.fast_paths = NX_FAST_PATHS_OFF;
		search_opts(f->st, "zorba", &o, &a);
		o.fast_paths = NX_FAST_PATHS_ON;
		search_opts(f->st, "zorba", &o, &b);
		assert_same(&a, &b);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_rows, setup, madeup_teardown),
		cmocka_unit_test_setup_teardown(test_search, setup, madeup_teardown),
		cmocka_unit_test_setup_teardown(test_corrupt, setup, madeup_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

/*
 * test_exclude.c - strict queries with exclusions, and strict ORs, on
 * the fast path (src/search/exclude.c, candidates.c): which expressions
 * split into the words walked and the parts excluded; the filter that
 * results (the given filter's rows, or every row, less what FTS5 matches
 * for each excluded part, from a frequent word's set or through FTS5);
 * nx_topk__rank's bm25 mode against FTS5's bm25() (rows and scores to the
 * bit); and nx_search with both, fast path against the SQL path (rows,
 * scores to the bit, totals), with and without a range of days, an outlet
 * and sets of rows; and phrases in one column ("title:zorba") and NEAR
 * groups the same.
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
#include "search/search_private.h"

#define NART 900
#define NWORD 10
#define MIN_DF 100
#define T0 1625708520
#define DAY 86400
#define MADEUP_WHEN(n) ((int64_t)((n) * 7919 % NART) * DAY)
#define MADEUP_SEARCH
#include "madeup.h" /* after NWORD */

static int setup(void **state)
{
	return madeup_setup(state, "exclude", 99);
}

/* 1 when rowid r matches the FTS5 expression expr. */
static int matches(sqlite3 *db, const char *expr, int64_t r)
{
	sqlite3_stmt *s = NULL;
	int m = 0;

	assert_int_equal(sqlite3_prepare_v2(db, "SELECT 1 FROM fts WHERE fts MATCH ?1 AND rowid = ?2", -1, &s, NULL),
			 SQLITE_OK);
	sqlite3_bind_text(s, 1, expr, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 2, r);
	m = sqlite3_step(s) == SQLITE_ROW;
	sqlite3_finalize(s);
	return m;
}

/* The shapes taken, the words walked and the rows that pass, against FTS5 row by row. */
static void check_shapes(nx_store *st)
{
	static const struct {
		const char *expr, *pos, *excluded; /* pos NULL: not such a query */
	} cases[] = {
		{ "\"zorba\" NOT \"zorbe\"", "\"zorba\"", "\"zorbe\"" },
		{ "(\"zorba\" \"zorbi\") NOT \"zorco\" NOT \"zorcu\"", "\"zorba\" \"zorbi\"", "\"zorco\" OR \"zorcu\"" },
		{ "\"zorba\" NOT (\"zorco\" OR \"zorbo\")", "\"zorba\"", "\"zorco\" OR \"zorbo\"" },
		{ "\"zorba\" NOT \"zorc\"*", "\"zorba\"", "\"zorc\"*" },
		{ "\"zorba zorbe\" NOT \"zorbe zorba\"", "\"zorba zorbe\"", "\"zorbe zorba\"" },
		{ "\"zorbe\" NOT \"not\"", "\"zorbe\"", "\"not\"" },
		{ "\"zorba\" NOT (\"zorbe\" NOT \"zorco\")", "\"zorba\"", "\"zorbe\" NOT \"zorco\"" },
		{ "(\"zorba\" OR \"zorbe\") NOT \"zorco\"", "(\"zorba\" OR \"zorbe\")", "\"zorco\"" },
		{ "(\"zorba\" OR \"zorbe\") AND (\"zorbi\" OR \"zorco\") NOT \"zorbo\"", NULL, NULL },
		{ "((\"zorba\" NOT \"zorbe\") OR \"zorco\")", NULL, NULL },
		{ "\"zorba\" \"zorbe\"", NULL, NULL },
		{ "\"zqxjvw\" NOT \"zorba\"", NULL, NULL }, /* no row holds the word: FTS5 answers at once */
		{ "\"zorba\" NOT \"zor", NULL, NULL },
		{ "(\"zorba\" NOT \"zorbe\"", NULL, NULL },
	};
	static uint64_t fbits[(NART + 64) / 64];
	nx_topk_filter range = { fbits, (int64_t)sizeof(fbits) * 8, NULL, NULL };
	size_t c = 0;
	int64_t r = 0;
	int f = 0, passing = 0, excluded = 0;

	/* a filter: every third row */
	for (r = 0; r < (int64_t)sizeof(fbits) * 8; r += 3)
		fbits[r / 64] |= (uint64_t)1 << (r % 64);
	for (c = 0; c < sizeof(cases) / sizeof(cases[0]); c++)
		for (f = 0; f < 2; f++) {
			nx_exclusion x;
			const nx_topk_filter *flt = f ? &range : NULL;
			int got = nx_search__exclusion(st->db, cases[c].expr, flt, &x);

			if (cases[c].pos == NULL) {
				assert_int_equal(got, 0);
				assert_null(x.pos);
				assert_null(x.bits);
				continue;
			}
			assert_int_equal(got, 1);
			assert_string_equal(x.pos, cases[c].pos);
			assert_true(x.flt.bits == x.bits);
			assert_true(x.flt.nbits >= NART);
			for (r = 0; r <= NART + 1; r++) {
				int want = (!f || ((fbits[r / 64] >> (r % 64)) & 1)) && !matches(st->db, cases[c].excluded, r);
				int pass = r < x.flt.nbits && ((x.bits[r / 64] >> (r % 64)) & 1);

				if (r == 0 || r > NART) /* no article: as no row matches, whatever the bit */
					continue;
				if (want != pass)
					fail_msg("%s, filter %d, row %lld: %d, want %d", cases[c].expr, f, (long long)r,
						 pass, want);
				passing += pass;
				excluded += !pass;
			}
			nx_search__exclusion_free(&x);
			assert_null(x.pos);
		}
	assert_true(passing > 100);
	assert_true(excluded > 100);
}

static void test_shapes(void **state)
{
	fixture *f = *state;
	nx_error err = NX_ERROR_INIT;

	assert_int_equal(nx_search__register(f->st), SQLITE_OK);
	check_shapes(f->st);
	/* the frequent words' sets of rows: taken out from them, the same rows */
	assert_int_equal(nx_search__impact_build(f->st, MIN_DF, 32, &err), NX_OK);
	check_shapes(f->st);
}

/* Article n from another outlet, in the open transaction. */
static void put_other(nx_store *st, int n, const char *body)
{
	nx_error err = NX_ERROR_INIT;
	nx_article *a = nx_article_new();
	char url[64];
	int status = 0;

	snprintf(url, sizeof(url), "https://other.example.org/%d", n);
	nx_article_set(&a->url, url, -1);
	nx_article_set(&a->title, "Other report", -1);
	nx_article_set(&a->source, "Other Wire", -1);
	nx_article_add_para(a, body, -1);
	a->published.set = 1;
	a->published.has_time = 1;
	a->published.utc = T0 + (int64_t)(n % 500) * DAY;
	assert_int_equal(nx_article_identify(a, &err), NX_OK);
	assert_int_equal(nx_store_put(st, a, &status, &err), NX_OK);
	nx_article_free(a);
}

/*
 * nx_search with exclusions: the fast path (which took them out as a
 * filter) gives the SQL path's results, alone, in a range of days and for
 * one outlet (a filter by lookup, which the exclusions' bits keep).
 */
/* A page (limit, offset; every other page collapsed) and a filter: 1 a range of days, 2 the outlet source. */
static void page_opts(nx_search_opts *o, const int page[2], int filter, const char *source)
{
	o->limit = page[0];
	o->offset = page[1];
	o->collapse = page[0] == 5 || page[0] == 0;
	if (filter == 1) {
		o->filter.set = NX_F_PUB_MIN | NX_F_PUB_MAX;
		o->filter.pub_min = T0 + 100 * DAY;
		o->filter.pub_max = T0 + 400 * DAY;
	} else if (filter == 2) {
		o->filter.source = (char *)source;
	}
}

static void test_search(void **state)
{
	fixture *f = *state;
	nx_error err = NX_ERROR_INIT;
	int i = 0;
	/* the query, and whether it has exclusions (1), is an OR (2) or both (3) */
	static const struct {
		const char *q;
		int kind;
	} qs[] = { { "zorba -zorbe", 1 }, { "zorba zorbi -zorco -zorcu", 1 }, { "zorbe -(zorco OR zorbo)", 1 },
		   { "zorba -zorc*", 1 }, { "\"zorba zorbe\" -zorbi", 1 }, { "zorbo -zorba", 1 },
		   { "zorba -zqxjvw", 1 }, { "zorcu -zorcu", 1 }, { "zorba NOT zorbe", 1 }, { "zorbo OR zorcu", 2 },
		   { "zorba OR zorbe OR zorco", 2 }, { "(zorbi OR zorcu) -zorba", 3 }, { "zorco OR zqxjvw", 2 },
		   { "\"zorba zorbe\" OR zorcu", 2 } };
	static const int pages[][2] = { { 10, 0 }, { 5, 7 }, { 40, 0 }, { 0, 0 } };
	size_t q = 0, p = 0;
	int round = 0, filter = 0, runs = 0, ors = 0, nonzero = 0;

	assert_int_equal(nx_store_begin(f->st, &err), NX_OK);
	for (i = 0; i < 60; i++)
		put_other(f->st, i, i % 3 == 0 ? "zorba zorbe zorco." : i % 3 == 1 ? "zorba zorbi zorbi." : "zorbe zorbo.");
	assert_int_equal(nx_store_commit(f->st, &err), NX_OK);
	for (round = 0; round < 2; round++) {
		if (round == 1)
			assert_int_equal(nx_search__impact_build(f->st, MIN_DF, 32, &err), NX_OK);
		for (q = 0; q < sizeof(qs) / sizeof(qs[0]); q++)
			for (filter = 0; filter < 3; filter++)
				for (p = 0; p < sizeof(pages) / sizeof(pages[0]); p++) {
					nx_search_opts o = NX_SEARCH_OPTS_INIT;
					seen a, b;

					page_opts(&o, pages[p], filter, "Other Wire");
					o.relax = (int)(q % 2);
					o.fast_paths = NX_FAST_PATHS_OFF;
					search_opts(f->st, qs[q].q, &o, &a);
					o.fast_paths = NX_FAST_PATHS_CHECK;
					runs = nx_search__exclusion_runs;
					ors = nx_search__strict_or_runs;
					search_opts(f->st, qs[q].q, &o, &b);
					if (qs[q].kind & 1)
						assert_true(nx_search__exclusion_runs > runs);
					/* (an OR with a filter by lookup alone is left to SQL) */
					if ((qs[q].kind & 2) && filter != 2)
						assert_true(nx_search__strict_or_runs > ors);
					assert_same(&a, &b);
					nonzero += a.total > 0;
				}
	}
	assert_true(nonzero > 100);
	/* the default options too */
	{
		seen c;

		search(f->st, "zorba -zorbe", 10, 0, &c);
		assert_true(c.total > 0 && c.n == 10);
	}
}

/* nx_topk__rank's bm25 mode: FTS5's own ranking of an OR of phrases, rows and scores to the bit, and its total. */
static void test_or_bm25(void **state)
{
	fixture *f = *state;
	static const char *const ors[] = { "(\"zorba\" OR \"zorco\")", "(\"zorbo\" OR \"zorcu\" OR \"zorca\")",
					   "(\"zorba zorbe\" OR \"zorci\")", "(\"zorcu\")", "(\"zorbe\" OR \"zqxjvw\")" };
	static const size_t ks[] = { 1, 10, 40, 200 };
	double w[NX_TOPK_MAX_WEIGHTS], colw[8];
	int nw = 0, i = 0, checked = 0;
	size_t q = 0, kk = 0;

	assert_int_equal(nx_search__register(f->st), SQLITE_OK);
	assert_true(nx_topk__weights(f->st->db, w, &nw));
	for (i = 0; i < 8; i++)
		colw[i] = i < nw ? w[i] : 1.0;
	for (q = 0; q < sizeof(ors) / sizeof(ors[0]); q++)
		for (kk = 0; kk < sizeof(ks) / sizeof(ks[0]); kk++) {
			nx_topk_tune tune = NX_TOPK_TUNE_INIT;
			nx_topk_cache *c = NULL;
			nx_topk_hit *h = NULL;
			size_t nh = 0, j = 0;
			int64_t total = -1, count = 0;
			sqlite3_stmt *s = NULL;
			char sql[160];

			tune.bm25 = 1;
			assert_int_equal(nx_topk__rank(f->st->db, &c, ors[q], colw, 8, NULL, 0, NULL, 0, &h, &nh, &total,
						       NULL, &tune),
					 SQLITE_OK);
			free(h);
			assert_int_equal(nx_topk__rank(f->st->db, &c, ors[q], colw, 8, NULL, 0, NULL, ks[kk], &h, &nh,
						       NULL, NULL, &tune),
					 SQLITE_OK);
			nx_topk__cache_free(c);
			snprintf(sql, sizeof(sql), "SELECT rowid, -rank FROM fts WHERE fts MATCH ?1 ORDER BY rank, rowid LIMIT %zu",
				 ks[kk]);
			assert_int_equal(sqlite3_prepare_v2(f->st->db, sql, -1, &s, NULL), SQLITE_OK);
			sqlite3_bind_text(s, 1, ors[q], -1, SQLITE_STATIC);
			for (j = 0; sqlite3_step(s) == SQLITE_ROW; j++) {
				assert_true(j < nh);
				if (h[j].rowid != sqlite3_column_int64(s, 0) || h[j].score != sqlite3_column_double(s, 1))
					fail_msg("%s, k %zu, row %zu: %lld %.17g, FTS5 %lld %.17g", ors[q], ks[kk], j,
						 (long long)h[j].rowid, h[j].score, (long long)sqlite3_column_int64(s, 0),
						 sqlite3_column_double(s, 1));
				checked++;
			}
			sqlite3_finalize(s);
			assert_int_equal(j, nh);
			free(h);
			snprintf(sql, sizeof(sql), "SELECT count(*) FROM fts WHERE fts MATCH '%s'", ors[q]);
			assert_int_equal(nx_store__query_int(f->st, sql, &count), 0);
			assert_int_equal(total, count);
		}
	assert_true(checked > 500);
	/* a merge that keeps every bound above a floor stops at max_keep of them: SQLITE_FULL, nothing returned */
	{
		int full = 0;

		for (q = 0; q < sizeof(ors) / sizeof(ors[0]); q++) {
			nx_topk_tune tune = NX_TOPK_TUNE_INIT;
			nx_topk_cache *c = NULL;
			nx_topk_hit *h = NULL;
			size_t nh = 0;
			int rc = 0;

			tune.bm25 = 1;
			tune.rank_keep = 1; /* k bounds kept first: the merge runs again, keeping all above the floor */
			tune.max_keep = 2;
			rc = nx_topk__rank(f->st->db, &c, ors[q], colw, 8, NULL, 0, NULL, 10, &h, &nh, NULL, NULL, &tune);
			assert_true(rc == SQLITE_OK || (rc == SQLITE_FULL && h == NULL && nh == 0));
			full += rc == SQLITE_FULL;
			free(h);
			nx_topk__cache_free(c);
		}
		assert_true(full > 0);
	}
}

/*
 * Phrases in one column ("title:zorba") and NEAR groups, alone or ANDed
 * with other phrases: walked on the fast path (FTS5 keeping the instances
 * that match alone), the SQL path's rows, scores and totals, with and
 * without a range of days and an outlet, small pages and deep ones.
 */
static void test_column(void **state)
{
	fixture *f = *state;
	static const char *const qs[] = { "title:zorba", "title:\"zorba zorbe\"", "body:zorbi", "title:zqxjvw",
					  "title:zorco", "body:\"zorbe zorbi\"", "title:zorba zorbe",
					  "NEAR(zorba zorbi, 3)", "zorbe NEAR(zorba zorbi)", "\"zorba zorbe\" title:zorbi",
					  "NEAR(zorba zorbe zorbi, 1)" };
	static const int pages[][2] = { { 10, 0 }, { 5, 7 }, { 40, 0 }, { 0, 0 } };
	size_t q = 0, p = 0;
	int filter = 0, runs = 0, nonzero = 0;

	for (q = 0; q < sizeof(qs) / sizeof(qs[0]); q++)
		for (filter = 0; filter < 3; filter++)
			for (p = 0; p < sizeof(pages) / sizeof(pages[0]); p++) {
				nx_search_opts o = NX_SEARCH_OPTS_INIT;
				seen a, b;

				page_opts(&o, pages[p], filter, "Example");
				o.fast_paths = NX_FAST_PATHS_OFF;
				search_opts(f->st, qs[q], &o, &a);
				o.fast_paths = NX_FAST_PATHS_CHECK;
				runs = nx_search__column_runs;
				search_opts(f->st, qs[q], &o, &b);
				assert_int_equal(nx_search__column_runs, runs + 1);
				assert_same(&a, &b);
				nonzero += a.total > 0 && a.n > 0;
			}
	assert_true(nonzero > 60);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_or_bm25),
		cmocka_unit_test(test_shapes),
		cmocka_unit_test(test_search),
		cmocka_unit_test(test_column),
	};

	return cmocka_run_group_tests(tests, setup, madeup_teardown);
}

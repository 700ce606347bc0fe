/*
 * test_stems.c - a strict walk's MATCH text with the words' stems alone
 * (src/search/stems.c): made for a word whose typed form differs from its
 * stem and has no row ("zorbe", stem "zorb"), in words, phrases and ANDs,
 * the walk through it must give the walk of the query as written (rows,
 * scores to the bit, totals) at every depth, with and without a filter,
 * and searches the SQL path's; not made when nothing changes, for a form
 * other than a plain AND, or once the typed form has a row.  A small
 * index of made-up words (madeup.h).
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
#include "index/store_private.h"
#include "index/tokenizer.h"
#include "search/search_private.h"
#include "search/topk.h"

#define NART 900
#define NWORD 10
#define T0 1625708520

#define MADEUP_SEARCH
#include "madeup.h" /* after NWORD */

static int setup(void **state)
{
	return madeup_setup(state, "stems", 4711);
}

/* Queries with a word whose typed form has no row ("zorbe", "zorbes": stem "zorb"), and one without ("zorba"). */
static const char *const changed[] = { "zorbe", "zorba zorbe", "\"zorba zorbe\"", "zorbe zorbi zorbo", "zorbes zorba",
				       "\"zorbe zorbi\" zorba" };
#define NCHANGED (sizeof(changed) / sizeof(changed[0]))

/* The MATCH text of query q (its fts expression into *fts, malloc'd) with stems alone, or NULL. */
static char *stems_of(nx_store *st, const char *q, char **fts)
{
	nx_error err = NX_ERROR_INIT;
	nx_query *cq = NULL;
	char *s = NULL;

	assert_int_equal(nx_query_compile(&cq, q, &err), NX_OK);
	*fts = strdup(cq->fts);
	assert_non_null(*fts);
	s = nx_search__stems_only(st, cq->fts);
	nx_query_free(cq);
	return s;
}

/* Every third rowid: a filter as rowid bits. */
static uint64_t thirds[(NART + 64) / 64];

/* The walk of a and of b at depth k (filtered or not): the same rows, scores and total. */
static void same_walk(nx_store *st, const char *a, const char *b, size_t k, int filtered)
{
	nx_topk_filter flt = { thirds, (int64_t)(sizeof(thirds) / sizeof(thirds[0])) * 64, NULL, NULL };
	double cw[NX_TOPK_MAX_WEIGHTS];
	nx_topk_hit *ha = NULL, *hb = NULL;
	size_t na = 0, nb = 0, i = 0;
	int64_t ta = 0, tb = 0;
	int ncw = 0;

	assert_true(nx_topk__weights(st->db, cw, &ncw));
	assert_int_equal(nx_topk__run(st->db, NULL, a, cw, ncw, -1, NULL, 0, filtered ? &flt : NULL, k, &ha, &na, &ta,
				      NULL, NULL),
			 SQLITE_OK);
	assert_int_equal(nx_topk__run(st->db, NULL, b, cw, ncw, -1, NULL, 0, filtered ? &flt : NULL, k, &hb, &nb, &tb,
				      NULL, NULL),
			 SQLITE_OK);
	assert_true(ta > 0);
	assert_int_equal(ta, tb);
	assert_int_equal(na, nb);
	for (i = 0; i < na; i++) {
		assert_int_equal(ha[i].rowid, hb[i].rowid);
		assert_true(ha[i].score == hb[i].score); /* to the bit */
	}
	free(ha);
	free(hb);
}

static void test_same_as_written(void **state)
{
	fixture *f = *state;
	size_t q = 0, k = 0, i = 0;
	int filtered = 0;

	for (i = 0; i < NART; i += 3)
		thirds[i / 64] |= (uint64_t)1 << (i % 64);
	assert_int_equal(nx_search__register(f->st), SQLITE_OK);
	for (q = 0; q < NCHANGED; q++) {
		char *fts = NULL, *s = stems_of(f->st, changed[q], &fts);

		assert_non_null(s);
		assert_true(strcmp(s, fts) != 0);
		assert_non_null(strchr(s, NX_LANG_MARK));
		assert_int_equal(nx_topk__plain(s), nx_topk__plain(fts));
		for (filtered = 0; filtered < 2; filtered++)
			for (k = 1; k < 500; k += k < 12 ? 1 : 97)
				same_walk(f->st, fts, s, k, filtered);
		free(s);
		free(fts);
	}
}

/* Searches by the fast paths (the walk with stems alone) and by SQL alone (as written): the same. */
static void test_searches_as_sql(void **state)
{
	fixture *f = *state;
	nx_search_opts o = NX_SEARCH_OPTS_INIT;
	seen fast, sql;
	size_t q = 0;

	for (q = 0; q < NCHANGED; q++) {
		search(f->st, changed[q], 20, 0, &fast);
		o.limit = 20;
		o.fast_paths = NX_FAST_PATHS_OFF;
		search_opts(f->st, changed[q], &o, &sql);
		assert_same(&fast, &sql);
		search(f->st, changed[q], 5, 7, &fast);
		o.limit = 5;
		o.offset = 7;
		search_opts(f->st, changed[q], &o, &sql);
		assert_same(&fast, &sql);
		o.offset = 0;
	}
}

/* Nothing to change: words whose typed form is their stem, another form than a plain AND, none. */
static void test_none(void **state)
{
	fixture *f = *state;
	char *fts = NULL;

	assert_null(stems_of(f->st, "zorba", &fts));
	free(fts);
	assert_null(stems_of(f->st, "zorba zorbi", &fts));
	free(fts);
	assert_null(nx_search__stems_only(f->st, "(\"zorbe\" OR \"zorba\")"));
	assert_null(nx_search__stems_only(f->st, "\"zorbe\" AND \"zorba\""));
	assert_null(nx_search__stems_only(f->st, NULL));
}

/*
 * A row whose text holds the typed form (a language without a stemmer
 * indexes words as typed): the typed form has a row, so it is kept; a
 * phrase of another word still changes.  (Last: it writes to the index.)
 */
static void test_typed_form_with_a_row(void **state)
{
	fixture *f = *state;
	char *fts = NULL, *s = NULL, sql[128];

	snprintf(sql, sizeof(sql), "INSERT INTO fts(rowid, body, title, captions, credits) VALUES (%d, '%cja%czorbe', '', '', '')",
		 NART + 50, NX_LANG_MARK, NX_LANG_MARK);
	assert_int_equal(sqlite3_exec(f->st->db, sql, NULL, NULL, NULL), SQLITE_OK);
	assert_null(stems_of(f->st, "zorbe", &fts));
	free(fts);
	assert_null(stems_of(f->st, "\"zorba zorbe\"", &fts));
	free(fts);
	s = stems_of(f->st, "zorbe zorbes", &fts);
	assert_non_null(s); /* "zorbes" has no row: its phrase changes, "zorbe"'s not */
	assert_non_null(strstr(s, "\"zorbe\""));
	free(s);
	free(fts);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_same_as_written),
		cmocka_unit_test(test_searches_as_sql),
		cmocka_unit_test(test_none),
		cmocka_unit_test(test_typed_form_with_a_row),
	};

	return cmocka_run_group_tests(tests, setup, madeup_teardown);
}

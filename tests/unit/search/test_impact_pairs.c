/*
 * test_impact_pairs.c - impact lists of word pairs (src/search/impact_pairs.c,
 * src/search/impact.c): the build finds exactly the pairs of frequent
 * words side by side in MIN_DF articles or more when it reads every
 * article, and the clear ones when it reads a sample; a search for such a
 * pair in quotes, in any case, reads its list and gives what the walk
 * gives (ids, scores, order, total), before and after articles are added;
 * a pair in fewer articles has no list.  A small index made here: made-up
 * words in most rows to a few, each written one to three times, in order,
 * then filler words (madeup.h), so pairs of all counts stand side by side.
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
#define MADEUP_ADD
#include "madeup.h" /* after NWORD */

/* The words paired: the made-up ones, the fillers and the opening word. */
#define NCAND (NWORD + 20 + 1)

static void pair_word(char out[16], int i)
{
	if (i < NWORD)
		word(out, i);
	else if (i < NWORD + 20)
		snprintf(out, 16, "filler%c", 'a' + i - NWORD);
	else
		snprintf(out, 16, "opening");
}

static int setup(void **state)
{
	nx_search__impact_pair_sample(0);
	return madeup_setup(state, "impact-pairs", 2424);
}

static int teardown(void **state)
{
	nx_search__impact_pair_sample(0);
	return madeup_teardown(state);
}

/* The rows FTS5 matches for the phrase "a b", and their sum (*sig: two phrases of the same tokens have the same). */
static int64_t phrase_sig(nx_store *st, const char *a, const char *b, int64_t *sig)
{
	char sql[200];
	int64_t n = -1;

	snprintf(sql, sizeof(sql), "SELECT count(*) * 100000000 + coalesce(sum(rowid), 0) FROM fts WHERE fts MATCH '\"%s %s\"'", a, b);
	assert_int_equal(nx_store__query_int(st, sql, &n), 0);
	*sig = n;
	return n / 100000000;
}

static int64_t phrase_rows(nx_store *st, const char *a, const char *b)
{
	int64_t sig = 0;

	return phrase_sig(st, a, b, &sig);
}

/* The pairs the build would walk, read from a sample of n articles (0: the build's own). */
static void frequent_pairs(nx_store *st, size_t n, char ***out, size_t *nout)
{
	fts5_tokenizer tk;
	Fts5Tokenizer *tok = NULL;
	char **w = NULL;
	size_t nw = 0, i = 0;
	sqlite3_stmt *s = NULL;

	assert_int_equal(sqlite3_prepare_v2(st->db, "SELECT w FROM vocab WHERE n >= ?1", -1, &s, NULL), SQLITE_OK);
	sqlite3_bind_int(s, 1, MIN_DF);
	w = calloc(256, sizeof(*w));
	assert_non_null(w);
	while (sqlite3_step(s) == SQLITE_ROW && nw < 256)
		w[nw++] = strdup((const char *)sqlite3_column_text(s, 0));
	sqlite3_finalize(s);
	assert_true(nw > NWORD / 2);
	assert_int_equal(nx_search__tokenizer(st, &tk, &tok), SQLITE_OK);
	assert_int_equal(nx_search__frequent_pairs(st, &tk, tok, w, nw, NART, MIN_DF, n ? n : NART, 10000, out, nout),
			 SQLITE_OK);
	tk.xDelete(tok);
	for (i = 0; i < nw; i++)
		free(w[i]);
	free(w);
}

static int listed(char **ph, size_t n, const char *a, const char *b)
{
	char want[64];
	size_t i = 0;

	snprintf(want, sizeof(want), "\"%s %s\"", a, b);
	for (i = 0; i < n; i++)
		if (strcmp(ph[i], want) == 0)
			return 1;
	return 0;
}

static void free_pairs(char **ph, size_t n)
{
	size_t i = 0;

	for (i = 0; i < n; i++)
		free(ph[i]);
	free(ph);
}

/*
 * Every article read: the pairs are exactly those FTS5 finds in MIN_DF
 * rows or more, counted by their tokens ("fillere" and "fillers" are one
 * stem: the phrases of either find the same rows), each in one form or
 * more.
 */
static void test_exact_when_all_read(void **state)
{
	fixture *f = *state;
	char **ph = NULL, a[16], b[16];
	int64_t sig[NCAND * NCAND], rows[NCAND * NCAND];
	size_t n = 0;
	int i = 0, j = 0, above = 0, below = 0, forms = 0, two = 0;

	frequent_pairs(f->st, 0, &ph, &n);
	for (i = 0; i < NCAND * NCAND; i++) {
		pair_word(a, i / NCAND);
		pair_word(b, i % NCAND);
		rows[i] = phrase_sig(f->st, a, b, &sig[i]);
	}
	for (i = 0; i < NCAND * NCAND; i++) {
		int first = 1, in = 0;

		/* the phrases of one pair of tokens: listed once when in MIN_DF rows or more, else never */
		for (j = 0; j < i && first; j++)
			first = sig[j] != sig[i];
		if (!first)
			continue;
		for (j = i; j < NCAND * NCAND; j++)
			if (sig[j] == sig[i]) {
				pair_word(a, j / NCAND);
				pair_word(b, j % NCAND);
				in += listed(ph, n, a, b);
			}
		assert_int_equal(in > 0, rows[i] >= MIN_DF);
		assert_true(in <= 4); /* NX_PAIR_FORMS */
		above += rows[i] >= MIN_DF;
		below += rows[i] > 0 && rows[i] < MIN_DF;
		forms += in;
		two += in > 1;
	}
	assert_int_equal((int)n, forms);
	assert_true(two >= 1); /* "fillera fillere", "fillera fillers" */
	/* pairs on both sides of the line, and the most frequent first */
	assert_true(above >= 3 && below >= 10);
	for (i = 1; i < (int)n; i++) {
		char x[16], y[16], z[16], t[16];

		assert_int_equal(sscanf(ph[i - 1], "\"%15s %15[^\"]\"", x, y), 2);
		assert_int_equal(sscanf(ph[i], "\"%15s %15[^\"]\"", z, t), 2);
		assert_true(phrase_rows(f->st, x, y) >= phrase_rows(f->st, z, t));
	}
	free_pairs(ph, n);
}

/* A quarter of the articles read: the pairs in twice MIN_DF rows or more are found, those in half of it or fewer are not. */
static void test_sample(void **state)
{
	fixture *f = *state;
	char **ph = NULL, a[16], b[16];
	size_t n = 0;
	int i = 0, j = 0, clear = 0;

	frequent_pairs(f->st, NART / 4, &ph, &n);
	for (i = 0; i < NCAND; i++)
		for (j = 0; j < NCAND; j++) {
			int64_t rows = 0;

			pair_word(a, i);
			pair_word(b, j);
			rows = phrase_rows(f->st, a, b);
			if (rows >= 2 * MIN_DF) {
				assert_true(listed(ph, n, a, b));
				clear++;
			} else if (rows <= MIN_DF / 2) {
				assert_false(listed(ph, n, a, b));
			}
		}
	assert_true(clear >= 2);
	free_pairs(ph, n);
}

/* Pages of the searches compared: limit, offset. */
static const int pages[][2] = { { 1, 0 }, { 5, 0 }, { 3, 4 }, { 10, 0 } };
#define NPAGES (sizeof(pages) / sizeof(pages[0]))
#define NPAIRS (NWORD * NWORD)

/* The query of pair i of made-up words, "\"zorba zorbe\"" (upper: "\"Zorba Zorbe\""). */
static void pair_query(char q[48], int i, int upper)
{
	char a[16], b[16];

	word(a, i / NWORD);
	word(b, i % NWORD);
	if (upper) {
		a[0] = 'Z';
		b[0] = 'Z';
	}
	snprintf(q, 48, "\"%s %s\"", a, b);
}

/* Each pair of made-up words (upper: as "Zorba Zorbe"), every page, into want[pair][page]. */
static void search_pairs(nx_store *st, int upper, seen want[NPAIRS][NPAGES])
{
	char q[48];
	size_t p = 0;
	int i = 0;

	for (i = 0; i < NPAIRS; i++) {
		pair_query(q, i, upper);
		for (p = 0; p < NPAGES; p++)
			search(st, q, pages[p][0], pages[p][1], &want[i][p]);
	}
}

/* 1 when the list of pair i (upper: written "Zorba Zorbe") serves k rows. */
static int served_as(nx_store *st, int i, size_t k, int upper)
{
	double cw[NX_TOPK_MAX_WEIGHTS];
	nx_topk_hit *h = NULL;
	char q[48];
	size_t n = 0;
	int64_t total = 0;
	int ncw = 0, rc = 0;

	pair_query(q, i, upper);
	assert_true(nx_topk__weights(st->db, cw, &ncw));
	rc = nx_search__impact_hits(st, q, cw, ncw, k, &h, &n, &total);
	assert_true(rc >= 0);
	free(h);
	return rc;
}

static int served(nx_store *st, int i, size_t k)
{
	return served_as(st, i, k, 0);
}

static void same_all(seen a[NPAIRS][NPAGES], seen b[NPAIRS][NPAGES])
{
	size_t i = 0, p = 0;

	for (i = 0; i < NPAIRS; i++)
		for (p = 0; p < NPAGES; p++)
			assert_same(&a[i][p], &b[i][p]);
}

/* A search for a listed pair reads the list and gives the walk's results; any case; after additions too. */
static void test_served_same_as_walk(void **state)
{
	fixture *f = *state;
	nx_error err = NX_ERROR_INIT;
	static seen want[NPAIRS][NPAGES], got[NPAIRS][NPAGES], upper[NPAIRS][NPAGES];
	int64_t twins = 0;
	int i = 0, with = 0;

	search_pairs(f->st, 0, want);
	assert_int_equal(served(f->st, 0, 1), 0); /* no lists yet */
	assert_int_equal(nx_search__impact_build(f->st, MIN_DF, ROWS, &err), NX_OK);
	for (i = 0; i < NPAIRS; i++) {
		int has = want[i][0].total >= MIN_DF;

		assert_int_equal(served(f->st, i, 1), has);
		assert_int_equal(served(f->st, i, ROWS), has);
		assert_int_equal(served(f->st, i, ROWS + 1), 0); /* deeper than the list: the walk */
		assert_int_equal(served_as(f->st, i, ROWS, 1), has); /* any case: the tokenizer folds it */
		with += has;
	}
	assert_true(with >= 2 && with < NPAIRS / 2);
	/* a second form of a pair ("fillera fillers" beside "fillera fillere"): its twin, no bytes of its own */
	assert_int_equal(nx_store__query_int(f->st,
					     "SELECT count(*) FROM impact WHERE expr LIKE '\"% %\"' AND twin LIKE '\"% %\"'"
					     " AND length(hits) = 0",
					     &twins),
			 0);
	assert_true(twins >= 1);
	search_pairs(f->st, 0, got);
	same_all(want, got);
	search_pairs(f->st, 1, upper);
	same_all(want, upper);
	/* articles added since: the lists rescored and the added rows walked, still the walk's results */
	madeup_add(f->st, 50000, 120, 99u);
	assert_int_equal(sqlite3_exec(f->st->db, "BEGIN; DELETE FROM impact_state WHERE id = 4", NULL, NULL, NULL),
			 SQLITE_OK);
	assert_int_equal(served(f->st, 0, 1), 0);
	search_pairs(f->st, 0, want);
	assert_int_equal(sqlite3_exec(f->st->db, "ROLLBACK", NULL, NULL, NULL), SQLITE_OK);
	for (i = 0, with = 0; i < NPAIRS; i++)
		with += served(f->st, i, 1);
	assert_true(with >= 2);
	search_pairs(f->st, 0, got);
	same_all(want, got);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_exact_when_all_read, setup, teardown),
		cmocka_unit_test_setup_teardown(test_sample, setup, teardown),
		cmocka_unit_test_setup_teardown(test_served_same_as_walk, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

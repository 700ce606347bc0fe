/*
 * test_topk_forms.c - a query's phrase whose words the tokenizer makes
 * several tokens of read combination by combination (src/search/
 * topk_forms.c): a word and its English stem ("zorbe": "zorbe" or
 * "zorb"), and phrases of two such words ("zorbe zorce": "zorbe zorce",
 * "zorb zorc", ...), each combination walked alone, must give the rows
 * FTS5 gives for the phrase; the relaxed count (nx_topk__or_count) the
 * rows SQL counts; and the ranking (lazy lists, and lists read whole with
 * their positions) the hits, scores and totals of FTS5's reads of the
 * phrases, to the bit, every row (k 5000) included.  A small index made
 * here: made-up words in English articles (stemmed) and in articles of a
 * language without a stemmer (the words kept as written), some holding
 * both forms side by side, lists made for words in 100 rows or more.
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
#include "search/topk.h"
#include "search/topk_private.h"
#include "search/topk_rank_private.h"
#include "search/fts_rows.h"

#define NART 1600
#define NWORD 12
#define MIN_DF 100
#define T0 1625708520
#define NEXPR 20
#define NK 4

#include "madeup.h" /* after NWORD */

static const double colw[4] = { 1.0, 8.0, 0.6, 0.4 };
static const size_t ks[NK] = { 1, 10, 40, 5000 };

/*
 * Article n in a language without a stemmer ("zxx": its words indexed as
 * written), in the open transaction: the body given, "zorbe" or its stem
 * "zorb" in the title of some, both in the caption and credits of others
 * (columns of weights 0.6 and 0.4, whose sums depend on their order).
 */
static int put_kept(nx_store *st, int n, const char *body)
{
	nx_error err = NX_ERROR_INIT;
	nx_article *a = nx_article_new();
	nx_photo *ph = NULL;
	char url[64], caption[64];
	int status = 0, rc = 0;

	snprintf(url, sizeof(url), "https://example.com/kept/%d", n);
	nx_article_set(&a->url, url, -1);
	nx_article_set(&a->title, n % 2 == 0 ? "Kept zorbe" : n % 5 == 0 ? "Kept zorb zorce" : "Kept", -1);
	nx_article_set(&a->source, "Example Wire", -1);
	nx_article_set(&a->lang, "zxx", -1);
	nx_article_add_para(a, body, -1);
	if (n % 4 == 0 && (ph = nx_article_add_photo(a)) != NULL) {
		snprintf(caption, sizeof(caption), "%s zorbe zorb zorce zorb zorc", n % 8 == 0 ? "zorb" : "zorbe");
		nx_article_set(&ph->caption, caption, -1);
		nx_article_set(&ph->photographer, n % 8 == 0 ? "Zorb Zorbe Zorc" : "Zorbe", -1);
		nx_article_set(&ph->agency, "Zorce Zorb", -1);
	}
	a->published.set = 1;
	a->published.has_time = 1;
	a->published.utc = T0 + n;
	if (nx_article_identify(a, &err) != NX_OK || nx_store_put(st, a, &status, &err) != NX_OK)
		rc = -1;
	nx_article_free(a);
	return rc;
}

static int setup(void **state)
{
	nx_error err = NX_ERROR_INIT;
	fixture *f = NULL;
	char body[256], w[8], v[8];
	int n = 0;

	if (madeup_setup(state, "forms", 4242) != 0)
		return -1;
	f = *state;
	if (nx_store_begin(f->st, &err) != NX_OK)
		return -1;
	/* the words as written in 150 rows; in one of three another word and "zorb" (the stem of "zorbe") beside them */
	for (n = 0; n < 150; n++) {
		word(w, n % NWORD);
		word(v, (n * 7) % NWORD);
		if (n % 3 == 0)
			snprintf(body, sizeof(body), "Kept %s filler %s zorb zorbe zorc.", w, v);
		else if (n % 3 == 1)
			snprintf(body, sizeof(body), "Kept %s filler zorbe zorce zorb zorbe zorb zorc zorce zorb.", w);
		else
			snprintf(body, sizeof(body), "Kept %s filler.", w);
		if (put_kept(f->st, n, body) < 0)
			return -1;
	}
	if (nx_store_commit(f->st, &err) != NX_OK)
		return -1;
	return nx_search__impact_build(f->st, MIN_DF, NX_IMPACT_ROWS, &err) == NX_OK ? 0 : -1;
}

static int teardown(void **state)
{
	return madeup_teardown(state);
}

/* The rows FTS5 gives for expr, ascending, into r (room for NART + 200): how many. */
static size_t match_rows(sqlite3 *db, const char *expr, int64_t *r)
{
	sqlite3_stmt *s = NULL;
	size_t n = 0;

	assert_int_equal(sqlite3_prepare_v2(db, "SELECT rowid FROM fts WHERE fts MATCH ?1 ORDER BY rowid", -1, &s, NULL),
			 SQLITE_OK);
	sqlite3_bind_text(s, 1, expr, -1, SQLITE_STATIC);
	while (sqlite3_step(s) == SQLITE_ROW) {
		assert_true(n < NART + 200);
		r[n++] = sqlite3_column_int64(s, 0);
	}
	sqlite3_finalize(s);
	return n;
}

/* Phrases read combination by combination where they can, then as FTS5 reads them. */
static const char *const phrases[] = {
	"\"zorbe zorce\"", "\"zorbe zorc\"", "\"zorb zorbe\"", "\"zorba zorbe\"", "\"zorce zorb\"",
	"\"zorba zorbo\"", "\"zorbeq\"", "\"zorbe zorbeq\"",
};

/* Each word's and phrase's rows combination by combination: those FTS5 gives for its phrase. */
static void test_forms_rows_same(void **state)
{
	fixture *f = *state;
	int64_t *r = malloc((NART + 200) * sizeof(*r));
	char w[8], phrase[64];
	int i = 0, walked = 0, both = 0, pairs = 0, ones = 0;
	size_t read0 = 0, read1 = 0, gave0 = 0, gave1 = 0;

	assert_non_null(r);
	nx_fts_rows__counts(&read0, &gave0);
	for (i = 0; i < NWORD + (int)(sizeof(phrases) / sizeof(phrases[0])); i++) {
		nx_topk_forms forms;
		uint64_t *bits = NULL;
		size_t nbits = 0, n = 0, j = 0, k = 0, set = 0;
		int got = 0;

		if (i < NWORD) {
			word(w, i);
			snprintf(phrase, sizeof(phrase), "\"%s\"", w);
		} else {
			snprintf(phrase, sizeof(phrase), "%s", phrases[i - NWORD]);
		}
		/* a word of several tokens, or of one (read from the pages too) */
		if ((got = nx_topk__forms(f->st->db, phrase, strlen(phrase), &forms)) == 0 &&
		    (got = nx_topk__forms_one(f->st->db, phrase, strlen(phrase), &forms)) == 1) {
			assert_int_equal(forms.n, 1);
			assert_int_equal(forms.ntok, 1);
			ones++;
		}
		if (got)
			assert_int_equal(nx_topk__forms_rows(f->st->db, &forms, &bits, &nbits), SQLITE_OK);
		n = match_rows(f->st->db, phrase, r);
		if (!got) {
			assert_null(bits);
			continue;
		}
		walked++;
		pairs += i >= NWORD && n > 0;
		for (j = 0; j < nbits; j++)
			for (k = 0; k < 64; k++)
				if (bits[j] >> k & 1) {
					int64_t rowid = (int64_t)(j * 64 + k);

					if (set >= n || r[set] != rowid)
						fail_msg("%s: row %lld combination by combination, FTS5's %zu-th row %lld", phrase,
							 (long long)rowid, set, set < n ? (long long)r[set] : -1LL);
					set++;
				}
		assert_int_equal(set, n);
		free(bits);
		/* rows of the word as written (the kept articles) and of its stem: both forms found */
		if (i < NWORD) {
			snprintf(phrase, sizeof(phrase), "\"\x1Fzxx\x1F%s\"", w);
			both += match_rows(f->st->db, phrase, r) > 0 && match_rows(f->st->db, phrase, r) < n;
		}
	}
	assert_true(walked >= 6);
	assert_true(both >= 3);
	assert_true(pairs >= 3);
	assert_true(ones >= 1);
	/* the words of one place were read from the pages, none given up (one segment or several, no delete) */
	nx_fts_rows__counts(&read1, &gave1);
	assert_true(read1 - read0 >= 6);
	assert_int_equal(gave1, gave0);
	free(r);
}

/* Expression e: an OR of 2 to 6 words, odd ones with a phrase of two; the last four of phrases[]. */
static void make_expr(int e, char *expr, size_t n, double *pw, int *npw)
{
	char w[8], v[8];
	int i = 0, nw = 2 + e % 5;

	if (e >= NEXPR - 4) { /* phrases of two words of several tokens, with words */
		snprintf(expr, n, "(\"zorbe\" OR %s OR %s OR \"zorce\" OR %s)", phrases[e % 5], phrases[(e + 1) % 5],
			 phrases[(e + 2) % 5]);
		for (i = 0; i < 5; i++)
			pw[i] = i == 1 ? 0.4 : 1.0;
		*npw = 5;
		return;
	}
	snprintf(expr, n, "(");
	for (i = 0; i < nw; i++) {
		word(w, (e + i * (1 + e % 4)) % NWORD);
		snprintf(expr + strlen(expr), n - strlen(expr), "%s\"%s\"", i ? " OR " : "", w);
		pw[i] = (i + e) % 5 == 0 ? 2.0 : 1.0;
	}
	if (e % 2 == 1) {
		word(w, e % 5);
		word(v, (e + 3) % NWORD);
		snprintf(expr + strlen(expr), n - strlen(expr), " OR \"%s %s\"", w, v);
		pw[nw++] = 1.0;
	}
	snprintf(expr + strlen(expr), n - strlen(expr), ")");
	*npw = nw;
}

/* The relaxed count, words of several tokens walked token by token: the rows SQL counts. */
static void test_or_count_same(void **state)
{
	fixture *f = *state;
	char expr[512];
	double pw[16];
	int npw = 0, e = 0;

	for (e = 0; e < NEXPR; e++) {
		int64_t got = -1, want = -2;

		make_expr(e, expr, sizeof(expr), pw, &npw);
		assert_int_equal(nx_topk__or_count(f->st->db, NULL, expr, NULL, &got, NULL), SQLITE_OK);
		{
			sqlite3_stmt *s = NULL;

			assert_int_equal(sqlite3_prepare_v2(f->st->db, "SELECT count(*) FROM fts WHERE fts MATCH ?1", -1, &s,
							    NULL),
					 SQLITE_OK);
			sqlite3_bind_text(s, 1, expr, -1, SQLITE_STATIC);
			assert_int_equal(sqlite3_step(s), SQLITE_ROW);
			want = sqlite3_column_int64(s, 0);
			sqlite3_finalize(s);
		}
		if (got != want)
			fail_msg("expression %d (%s): %lld counted, %lld by SQL", e, expr, (long long)got, (long long)want);
	}
}

/* Rows of fts MATCH expr as SQL counts them on db. */
static int64_t sql_count(sqlite3 *db, const char *expr)
{
	sqlite3_stmt *s = NULL;
	int64_t n = -1;

	assert_int_equal(sqlite3_prepare_v2(db, "SELECT count(*) FROM fts WHERE fts MATCH ?1", -1, &s, NULL), SQLITE_OK);
	sqlite3_bind_text(s, 1, expr, -1, SQLITE_STATIC);
	assert_int_equal(sqlite3_step(s), SQLITE_ROW);
	n = sqlite3_column_int64(s, 0);
	sqlite3_finalize(s);
	return n;
}

/*
 * The relaxed count with its forms and walks shared by a thread on the
 * second connection: the rows SQL counts; and when a writer commits after
 * the reader's snapshot was taken, the thread's share is done again and
 * the count is the snapshot's.
 */
static void test_or_count_two_threads(void **state)
{
	fixture *f = *state;
	nx_error err = NX_ERROR_INIT;
	nx_store *rd = NULL;
	sqlite3 *db2 = NULL;
	char expr[512];
	double pw[16];
	int npw = 0, e = 0, began = 0;
	int64_t got = 0, want = 0;
	size_t again = 0;

	assert_int_equal(nx_store_open(&rd, f->path, NX_STORE_READ, &err), NX_OK);
	assert_non_null(db2 = nx_store__db2(rd));
	again = nx_topk__count_again();
	for (e = 0; e < 2 * NEXPR; e++) {
		/* the second time round, the thread takes every form and walk */
		nx_topk__count_side_first(e >= NEXPR);
		make_expr(e % NEXPR, expr, sizeof(expr), pw, &npw);
		assert_int_equal(nx_topk__or_count(rd->db, db2, expr, NULL, &got, NULL), SQLITE_OK);
		if (got != (want = sql_count(rd->db, expr)))
			fail_msg("expression %d (%s): %lld counted on two threads, %lld by SQL", e, expr, (long long)got,
				 (long long)want);
	}
	nx_topk__count_side_first(0);
	assert_int_equal(nx_topk__count_again(), again);
	/* a writer commits once the reader's snapshot is taken (words of several tokens in the expression) */
	make_expr(NEXPR - 4, expr, sizeof(expr), pw, &npw);
	assert_int_equal(nx_search__read_begin(rd, &began, &err), 0);
	want = sql_count(rd->db, expr);
	assert_int_equal(nx_store_begin(f->st, &err), NX_OK);
	assert_int_equal(put_kept(f->st, 900, "Kept zorbe zorb zorce filler."), 0);
	assert_int_equal(nx_store_commit(f->st, &err), NX_OK);
	nx_topk__count_side_first(1); /* the thread takes every form and walk: all done again here */
	assert_int_equal(nx_topk__or_count(rd->db, db2, expr, NULL, &got, NULL), SQLITE_OK);
	nx_topk__count_side_first(0);
	assert_int_equal(got, want);
	assert_int_equal(nx_topk__count_again(), again + 1);
	nx_search__read_end(rd, &began);
	assert_int_equal(nx_topk__or_count(rd->db, db2, expr, NULL, &got, NULL), SQLITE_OK);
	assert_int_equal(got, sql_count(rd->db, expr));
	nx_store_close(rd);
}

typedef struct ranked {
	int64_t total;
	size_t n[NK];
	nx_topk_hit *h[NK];
	int lazy; /* lists read lazily */
} ranked;

/* Expression e counted (as a search counts the relaxed query), then ranked at every k with the same cache. */
static void rank_all(nx_store *st, int e, ranked *out)
{
	char expr[512];
	double pw[16];
	int npw = 0, kk = 0;
	size_t i = 0;
	nx_topk_cache *c = NULL;
	nx_topk_tune tune = NX_TOPK_TUNE_INIT;
	nx_topk_hit *none = NULL;
	size_t nnone = 0;

	make_expr(e, expr, sizeof(expr), pw, &npw);
	tune.count_reads = e % 2;
	assert_int_equal(nx_topk__rank(st->db, &c, expr, colw, 4, pw, npw, NULL, 0, &none, &nnone, &out->total, NULL,
				       &tune),
			 SQLITE_OK);
	free(none);
	for (kk = 0; kk < NK; kk++)
		assert_int_equal(nx_topk__rank(st->db, &c, expr, colw, 4, pw, npw, NULL, ks[kk], &out->h[kk], &out->n[kk],
					       NULL, NULL, &tune),
				 SQLITE_OK);
	out->lazy = 0;
	for (i = 0; c != NULL && i < c->n; i++)
		out->lazy += c->l[i].lazy;
	nx_topk__cache_free(c);
}

/* Each expression ranked with words of several tokens read token by token (on) and as FTS5 reads them (off). */
static void assert_same_as_off(nx_store *st, const char *what)
{
	ranked on[NEXPR], off;
	size_t i = 0;
	int e = 0, kk = 0, nlazy = 0;

	for (e = 0; e < NEXPR; e++) {
		rank_all(st, e, &on[e]);
		nlazy += on[e].lazy;
	}
	nx_topk__forms_set_off(1);
	for (e = 0; e < NEXPR; e++) {
		rank_all(st, e, &off);
		assert_int_equal(on[e].total, off.total);
		for (kk = 0; kk < NK; kk++) {
			if (on[e].n[kk] != off.n[kk])
				fail_msg("%s, expression %d, k %zu: %zu hits as FTS5 reads them, %zu token by token", what,
					 e, ks[kk], off.n[kk], on[e].n[kk]);
			for (i = 0; i < on[e].n[kk]; i++)
				if (on[e].h[kk][i].rowid != off.h[kk][i].rowid || on[e].h[kk][i].score != off.h[kk][i].score)
					fail_msg("%s, expression %d, k %zu, hit %zu: FTS5 %lld %.17g, token by token %lld %.17g",
						 what, e, ks[kk], i, (long long)off.h[kk][i].rowid, off.h[kk][i].score,
						 (long long)on[e].h[kk][i].rowid, on[e].h[kk][i].score);
			free(on[e].h[kk]);
			free(off.h[kk]);
		}
	}
	nx_topk__forms_set_off(0);
	print_message("%s: %d lazy lists\n", what, nlazy);
}

/*
 * Lazy lists whose rows not probed yet are read at once at the first
 * probe (the limit 0), and at the second (from the index's pages): the
 * hits, scores and totals of every row probed one by one through FTS5
 * (no limit).
 */
static void test_rank_filled_same(void **state)
{
	fixture *f = *state;
	ranked one[NEXPR], at[2];
	size_t i = 0;
	int e = 0, kk = 0, lim = 0, nlazy = 0;
	size_t inst0 = 0, look0 = 0;
	int64_t was = nx_topk__probe_limit_set(INT64_MAX);

	look0 = nx_fts_rows__lookups();
	for (e = 0; e < NEXPR; e++) {
		rank_all(f->st, e, &one[e]);
		nlazy += one[e].lazy;
	}
	assert_true(nlazy >= 4);
	/* the rows probed one by one were looked up in the index's pages */
	assert_true(nx_fts_rows__lookups() > look0);
	inst0 = nx_fts_rows__inst_reads();
	for (lim = 0; lim < 2; lim++) {
		nx_topk__probe_limit_set(lim);
		for (e = 0; e < NEXPR; e++) {
			rank_all(f->st, e, &at[lim]);
			assert_int_equal(one[e].total, at[lim].total);
			for (kk = 0; kk < NK; kk++) {
				if (one[e].n[kk] != at[lim].n[kk])
					fail_msg("limit %d, expression %d, k %zu: %zu hits probed, %zu read at once", lim, e,
						 ks[kk], one[e].n[kk], at[lim].n[kk]);
				for (i = 0; i < one[e].n[kk]; i++)
					if (one[e].h[kk][i].rowid != at[lim].h[kk][i].rowid ||
					    one[e].h[kk][i].score != at[lim].h[kk][i].score)
						fail_msg("limit %d, expression %d, k %zu, hit %zu: probed %lld %.17g, at once "
							 "%lld %.17g",
							 lim, e, ks[kk], i, (long long)one[e].h[kk][i].rowid, one[e].h[kk][i].score,
							 (long long)at[lim].h[kk][i].rowid, at[lim].h[kk][i].score);
				free(at[lim].h[kk]);
			}
		}
	}
	/* the lists of one token, or of tokens known, were read at once from the index's pages */
	assert_true(nx_fts_rows__inst_reads() >= inst0 + 4);
	for (e = 0; e < NEXPR; e++)
		for (kk = 0; kk < NK; kk++)
			free(one[e].h[kk]);
	nx_topk__probe_limit_set(was);
}

/* Lazy lists (no sets: read from FTS5), then every list read whole: the same hits, scores and totals either way. */
static void test_rank_same_as_fts5(void **state)
{
	fixture *f = *state;
	int64_t n = 0;

	assert_int_equal(nx_store__query_int(f->st, "DELETE FROM impact_set", &n), 0);
	assert_same_as_off(f->st, "lazy lists");
	assert_int_equal(nx_impact__drop(f->st->db), SQLITE_OK);
	assert_same_as_off(f->st, "whole lists");
}

/*
 * Where a walk of several words splits: the marks of the word of fewest
 * rows (its tokens' leaves, each a row of it, ascending), none for a
 * phrase of two words, a count not known, or counts that are not the
 * expression's.
 */
static void test_split_marks(void **state)
{
	fixture *f = *state;
	const char *expr = "\"filler\" \"zorbe\" \"the\"", *two = "\"filler\" \"zorbe zorce\"";
	const int64_t known[3] = { 5000, 40, NX_TOPK_NO_TOKEN }, some[3] = { 5000, -1, NX_TOPK_NO_TOKEN },
		      pair[2] = { 5000, 40 };
	int64_t *r = malloc((NART + 200) * sizeof(*r)), *m = NULL;
	size_t nr = 0, n = 0, i = 0, j = 0;

	assert_non_null(r);
	nr = match_rows(f->st->db, "\"zorbe\"", r);
	assert_true(nr > 100);
	assert_int_equal(nx_topk__split_marks(f->st->db, expr, known, 3, &m, &n), 1);
	assert_true(n >= 2 && n <= nr);
	for (i = 0; i < n; i++) {
		while (j < nr && r[j] < m[i])
			j++;
		if (j == nr || r[j] != m[i])
			fail_msg("mark %lld is not a row of zorbe", (long long)m[i]);
		assert_true(i == 0 || m[i] >= m[i - 1]);
	}
	free(m);
	m = NULL;
	assert_int_equal(nx_topk__split_marks(f->st->db, expr, some, 3, &m, &n), 0);
	assert_null(m);
	assert_int_equal(nx_topk__split_marks(f->st->db, two, pair, 2, &m, &n), 0);
	assert_int_equal(nx_topk__split_marks(f->st->db, expr, pair, 2, &m, &n), 0);
	assert_int_equal(nx_topk__split_marks(f->st->db, expr, NULL, 0, &m, &n), 0);
	assert_null(m);
	free(r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_forms_rows_same),
		cmocka_unit_test(test_or_count_same),
		cmocka_unit_test(test_or_count_two_threads),
		cmocka_unit_test(test_rank_filled_same),
		cmocka_unit_test(test_rank_same_as_fts5),
		cmocka_unit_test(test_split_marks),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}

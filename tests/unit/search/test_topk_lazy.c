/*
 * test_topk_lazy.c - lazy lists of nx_topk__rank (src/search/topk_rank.c):
 * a count reads each word's rowids alone; a ranking reads the words with
 * an impact list without their positions, bounds their rows by the
 * list's scores and reads a row's count through FTS5 only when it can
 * still win.  The hits, scores, order and totals must be those of the
 * index without impact lists (every list read whole), to the bit, ties
 * included, counted first or not, pruned or exhaustive.  A small index
 * made here: made-up words from most rows to a few, lists made for
 * words in 300 rows or more (5 of them), NX_IMPACT_ROWS rows each, and
 * their sets of rows (counts, and lazy lists, read from them).  And the
 * count of a term's rows up to a limit that feedback words are scored by,
 * walked or as the impact lists stored it.
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


#define NART 2400
#define NWORD 12
#define MIN_DF 300
#define T0 1625708520
#define NEXPR 24
#define NK 4

#define MADEUP_REMOVE
#include "madeup.h" /* after NWORD */

static const double colw[4] = { 1.0, 8.0, 0.6, 0.4 };
static const size_t ks[NK] = { 1, 5, 40, 5000 };

static int setup(void **state)
{
	return madeup_setup(state, "lazy", 777);
}

/* Expression e: an OR of 2 to 7 words, most of them frequent; odd ones with a phrase of two, weights varied. */
static void make_expr(int e, char *expr, size_t n, double *pw, int *npw)
{
	char w[8], v[8];
	int i = 0, nw = 2 + e % 6;

	snprintf(expr, n, "(");
	for (i = 0; i < nw; i++) {
		word(w, (e + i * (1 + e % 4)) % NWORD);
		snprintf(expr + strlen(expr), n - strlen(expr), "%s\"%s\"", i ? " OR " : "", w);
		pw[i] = (i + e) % 5 == 0 ? 2.0 : (i + e) % 7 == 0 ? 0.4 : 1.0;
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

typedef struct ranked {
	int64_t total;
	size_t n[NK];
	nx_topk_hit *h[NK];
} ranked;

/*
 * Expression e ranked at every k: with one cache, counted first when
 * count_first (as a search counts the relaxed query, then ranks it),
 * exhaustive or pruned.
 */
static void rank_shared(nx_store *st, sqlite3 *db2, int e, int count_first, int exhaustive, ranked *out,
			nx_topk_stats *sum, int *handed, int *lazy);

static void rank_all(nx_store *st, int e, int count_first, int exhaustive, ranked *out, nx_topk_stats *sum)
{
	rank_shared(st, NULL, e, count_first, exhaustive, out, sum, NULL, NULL);
}

/* rank_all, the lists not read by the count read first by two threads (db2: the second's) when db2. */
static void rank_shared(nx_store *st, sqlite3 *db2, int e, int count_first, int exhaustive, ranked *out,
			nx_topk_stats *sum, int *handed, int *lazy)
{
	char expr[512];
	double pw[16];
	int npw = 0, kk = 0;
	nx_topk_cache *c = NULL;
	nx_topk_tune tune = NX_TOPK_TUNE_INIT;
	nx_topk_hit *none = NULL;
	size_t nnone = 0;

	tune.exhaustive = exhaustive;
	make_expr(e, expr, sizeof(expr), pw, &npw);
	out->total = -1;
	if (count_first) {
		nx_topk_cache *c2 = NULL;
		int64_t merged = -1;

		assert_int_equal(nx_topk__rank(st->db, &c, expr, colw, 4, pw, npw, NULL, 0, &none, &nnone, &out->total,
					       NULL, &tune),
				 SQLITE_OK);
		free(none);
		/* the count from bitmaps, as the merge counts while ranking */
		assert_int_equal(nx_topk__rank(st->db, &c2, expr, colw, 4, pw, npw, NULL, 3, &none, &nnone, &merged,
					       NULL, &tune),
				 SQLITE_OK);
		free(none);
		nx_topk__cache_free(c2);
		assert_int_equal(out->total, merged);
	}
	if (db2 != NULL) {
		int h = 0;
		size_t i = 0;

		assert_int_equal(nx_topk__read_shared(st->db, db2, &c, expr, colw, 4, &h), SQLITE_OK);
		*handed += h;
		for (i = 0; c != NULL && i < c->n; i++)
			*lazy += c->l[i].done && c->l[i].lazy;
	}
	for (kk = 0; kk < NK; kk++) {
		nx_topk_stats s;

		memset(&s, 0, sizeof(s));
		assert_int_equal(nx_topk__rank(st->db, &c, expr, colw, 4, pw, npw, NULL, ks[kk], &out->h[kk], &out->n[kk],
					       NULL, &s, &tune),
				 SQLITE_OK);
		sum->probes += s.probes;
		sum->lengths += s.lengths;
		sum->sunk += s.sunk;
	}
	nx_topk__cache_free(c);
}

static void ranked_free(ranked *r)
{
	int kk = 0;

	for (kk = 0; kk < NK; kk++)
		free(r->h[kk]);
}

static void assert_same(int e, const ranked *a, const ranked *b)
{
	size_t i = 0;
	int kk = 0;

	if (a->total >= 0 && b->total >= 0)
		assert_int_equal(a->total, b->total);
	for (kk = 0; kk < NK; kk++) {
		if (a->n[kk] != b->n[kk])
			fail_msg("expression %d, k %zu: %zu hits read whole, %zu lazy", e, ks[kk], a->n[kk], b->n[kk]);
		for (i = 0; i < a->n[kk]; i++)
			if (a->h[kk][i].rowid != b->h[kk][i].rowid || a->h[kk][i].score != b->h[kk][i].score)
				fail_msg("expression %d, k %zu, hit %zu: whole %lld %.17g, lazy %lld %.17g", e, ks[kk], i,
					 (long long)a->h[kk][i].rowid, a->h[kk][i].score, (long long)b->h[kk][i].rowid,
					 b->h[kk][i].score);
	}
}

/* Every expression, every k, counted first or not, pruned or not: the same with lazy lists as without. */
static void test_lazy_same_as_whole(void **state)
{
	fixture *f = *state;
	static ranked want[NEXPR][2];
	nx_error err = NX_ERROR_INIT;
	nx_topk_stats before, after;
	int64_t nlists = 0;
	int e = 0, cf = 0, ex = 0;

	memset(&before, 0, sizeof(before));
	memset(&after, 0, sizeof(after));
	assert_int_equal(f->st->fcol[NX_F_BODY], 0); /* schema 2: colw above */
	for (e = 0; e < NEXPR; e++)
		for (cf = 0; cf < 2; cf++)
			rank_all(f->st, e, cf, 1, &want[e][cf], &before);
	assert_int_equal(before.probes, 0); /* no impact list yet: every list read whole */
	assert_int_equal(nx_search__impact_build(f->st, MIN_DF, NX_IMPACT_ROWS, &err), NX_OK);
	assert_int_equal(nx_store__query_int(f->st, "SELECT count(*) FROM impact", &nlists), 0);
	assert_true(nlists >= 4);
	/* and sets of rows: lazy lists and counts of these words read from them (topk_lists.c) */
	assert_int_equal(nx_store__query_int(f->st, "SELECT count(*) FROM impact_set", &nlists), 0);
	assert_true(nlists >= 2);
	for (e = 0; e < NEXPR; e++) {
		for (cf = 0; cf < 2; cf++) {
			for (ex = 0; ex < 4; ex++) {
				ranked got;
				/* and the candidates' places in the lists searched for each time, no table */
				size_t was = nx_topk__pos_max_set(ex >= 2 ? 0 : SIZE_MAX);

				memset(&got, 0, sizeof(got));
				rank_all(f->st, e, cf, ex & 1, &got, &after);
				nx_topk__pos_max_set(was);
				assert_same(e, &want[e][cf], &got);
				ranked_free(&got);
			}
		}
	}
	for (e = 0; e < NEXPR; e++)
		for (cf = 0; cf < 2; cf++)
			ranked_free(&want[e][cf]);
	print_message("lazy rows probed: %lld; lengths read %lld whole, %lld lazy (4 runs to 2); %lld bounds lowered"
		      " as rows were read\n", (long long)after.probes, (long long)before.lengths, (long long)after.lengths,
		      (long long)after.sunk);
	/* the lazy lists were used: rows of them probed */
	assert_true(after.probes > 100);
	/* and their rows' bounds lowered as they were probed, the same hits for it (best_by_length) */
	assert_true(after.sunk > 0);
}

/*
 * The lists read by two threads first (nx_topk__read_shared, as a
 * search reads an expansion's feedback words), lazy ones among them:
 * every expression, every k, counted first or not, pruned or not, the
 * same as the ranking reading them itself.  (After test_lazy_same_as_whole:
 * the impact lists exist.)
 */
static void test_shared_read_same(void **state)
{
	fixture *f = *state;
	nx_error err = NX_ERROR_INIT;
	nx_topk_stats s1, s2;
	nx_store *rd = NULL;
	sqlite3 *db2 = NULL;
	int e = 0, cf = 0, ex = 0, handed = 0, lazy = 0;

	memset(&s1, 0, sizeof(s1));
	memset(&s2, 0, sizeof(s2));
	/* read-only, as searches open it: a second connection */
	assert_int_equal(nx_store_open(&rd, f->path, NX_STORE_READ, &err), NX_OK);
	assert_non_null(db2 = nx_store__db2(rd));
	for (e = 0; e < NEXPR; e++)
		for (cf = 0; cf < 2; cf++)
			for (ex = 0; ex < 2; ex++) {
				ranked want, got;

				memset(&want, 0, sizeof(want));
				memset(&got, 0, sizeof(got));
				rank_all(rd, e, cf, ex, &want, &s1);
				rank_shared(rd, db2, e, cf, ex, &got, &s2, &handed, &lazy);
				assert_same(e, &want, &got);
				ranked_free(&want);
				ranked_free(&got);
			}
	nx_store_close(rd);
	/* lists were handed over from both threads' reads, lazy ones too, and probed after */
	assert_true(handed > NEXPR);
	assert_true(lazy > NEXPR);
	assert_int_equal(s2.probes, s1.probes);
}

/* The tokenizer, the vocabulary and the two counts of feedback terms, for test_stored_df. */
typedef struct counters {
	fts5_tokenizer tk;
	Fts5Tokenizer *tok;
	sqlite3_stmt *up, *df, *stored;
} counters;

static void counters_open(nx_store *st, counters *c)
{
	memset(c, 0, sizeof(*c));
	assert_int_equal(nx_search__tokenizer(st, &c->tk, &c->tok), SQLITE_OK);
	assert_int_equal(nx_search__upto_prepare(st, &c->up), SQLITE_OK);
	assert_int_equal(nx_search__vocab_prepare(st, &c->df), SQLITE_OK);
	assert_int_equal(nx_impact__df_prepare(st->db, &c->stored), SQLITE_OK);
}

static void counters_close(counters *c)
{
	c->tk.xDelete(c->tok);
	sqlite3_finalize(c->up);
	sqlite3_finalize(c->df);
	sqlite3_finalize(c->stored);
}

/* Articles n0.. (n of them): made-up texts, each with fill more filler words (avgdl moves). */
static void add_filled(nx_store *st, int n0, int n, int fill, uint32_t seed)
{
	nx_error err = NX_ERROR_INIT;
	char title[256], body[8192];
	int j = 0, r = 0;

	assert_int_equal(nx_store_begin(st, &err), NX_OK);
	for (j = 0; j < n; j++) {
		make_text(&seed, title, sizeof(title), body, sizeof(body) / 2);
		for (r = 0; r < fill; r++)
			snprintf(body + strlen(body), sizeof(body) - strlen(body), " filler%c", 'a' + (int)(lcg(&seed) % 20));
		assert_int_equal(put_article(st, n0 + j, title, body), 0);
	}
	assert_int_equal(nx_store_commit(st, &err), NX_OK);
}

/* Every expression, counted first or not, pruned or not, as the index without impact lists ranks it. */
static void same_as_whole(nx_store *st, nx_topk_stats *lazy)
{
	static ranked want[NEXPR][2];
	nx_topk_stats none;
	int e = 0, cf = 0, ex = 0;

	memset(&none, 0, sizeof(none));
	/* the lists (and mark) set aside inside a savepoint, put back after */
	assert_int_equal(sqlite3_exec(st->db, "SAVEPOINT whole; DELETE FROM impact_state", NULL, NULL, NULL), SQLITE_OK);
	for (e = 0; e < NEXPR; e++)
		for (cf = 0; cf < 2; cf++)
			rank_all(st, e, cf, 1, &want[e][cf], &none);
	assert_int_equal(sqlite3_exec(st->db, "ROLLBACK TO whole; RELEASE whole", NULL, NULL, NULL), SQLITE_OK);
	assert_int_equal(none.probes, 0);
	for (e = 0; e < NEXPR; e++) {
		for (cf = 0; cf < 2; cf++) {
			for (ex = 0; ex < 2; ex++) {
				ranked got;

				memset(&got, 0, sizeof(got));
				rank_all(st, e, cf, ex, &got, lazy);
				assert_same(e, &want[e][cf], &got);
				ranked_free(&got);
			}
			ranked_free(&want[e][cf]);
		}
	}
}

/* Each word's count stored with its list, where there is one, against its rows walked: how many had one. */
static int stored_counts_walked(nx_store *st)
{
	counters c;
	char w[8];
	int r = 0, served = 0;

	counters_open(st, &c);
	for (r = 0; r < NWORD; r++) {
		int64_t got = 0;

		word(w, r);
		if ((got = nx_search__stored_df(c.stored, &c.tk, c.tok, w)) < 0)
			continue;
		served++;
		assert_int_equal(got, nx_search__count_upto(c.up, w, -1));
	}
	counters_close(&c);
	return served;
}

/*
 * Articles added after the lists were made, longer than most (avgdl up),
 * then shorter (down), with the frequent words (their idf moves), then
 * one with the best rows of two words by far: the lazy lists are still
 * used (rows probed), their bounds raised (topk_lists.c, impact_fresh.c),
 * the added rows read exactly, with the same results as every list read
 * whole.  The counts stored with the lists are not used.
 */
static void test_additions_lazy_same_as_whole(void **state)
{
	fixture *f = *state;
	nx_error err = NX_ERROR_INIT;
	nx_topk_stats s;
	char body[512], w0[8], w1[8];
	int round = 0, r = 0;

	assert_int_equal(nx_search__impact_build(f->st, MIN_DF, NX_IMPACT_ROWS, &err), NX_OK);
	for (round = 0; round < 3; round++) {
		memset(&s, 0, sizeof(s));
		if (round < 2) {
			add_filled(f->st, NART + 10000 + 1000 * round, 120, round == 0 ? 500 : 0, 31u + (uint32_t)round);
		} else {
			word(w0, 0);
			word(w1, 1);
			snprintf(body, sizeof(body), "Opening");
			for (r = 0; r < 20; r++)
				snprintf(body + strlen(body), sizeof(body) - strlen(body), " %s %s", w0, w1);
			assert_int_equal(nx_store_begin(f->st, &err), NX_OK);
			assert_int_equal(put_article(f->st, NART + 13000, "Report", body), 0);
			assert_int_equal(nx_store_commit(f->st, &err), NX_OK);
		}
		same_as_whole(f->st, &s);
		print_message("round %d after additions: lazy rows probed %lld\n", round, (long long)s.probes);
		assert_true(s.probes > 100);
	}
	/* the counts stored with the lists, and the added rows: each term's count walked */
	assert_true(stored_counts_walked(f->st) >= 2);
}

/*
 * Articles made before the lists removed (best rows of the frequent
 * words among them), 120 long ones added, more removed: the lazy lists
 * are still used (rows probed), a removed row never read (FTS5 and the
 * sets less it), with the same results as every list read whole; the
 * counts stored with the lists less the removed rows: each term's count
 * walked.
 */
static void test_removals_lazy_same_as_whole(void **state)
{
	fixture *f = *state;
	nx_error err = NX_ERROR_INIT;
	nx_topk_stats s;
	int round = 0, served = 0;

	assert_int_equal(nx_search__impact_build(f->st, MIN_DF, NX_IMPACT_ROWS, &err), NX_OK);
	for (round = 0; round < 3; round++) {
		memset(&s, 0, sizeof(s));
		if (round == 1)
			add_filled(f->st, NART + 20000, 120, 500, 41u);
		assert_true(madeup_remove_listed(f->st, 4, round + 2) >= 3);
		same_as_whole(f->st, &s);
		print_message("round %d after removals: lazy rows probed %lld\n", round, (long long)s.probes);
		assert_true(s.probes > 100);
		served += stored_counts_walked(f->st);
	}
	assert_true(served >= 6);
}

/* An article at or below the mark replaced: the lists no longer hold, every list is read whole again. */
static void test_stale_lists_not_used(void **state)
{
	fixture *f = *state;
	nx_error err = NX_ERROR_INIT;
	counters c;
	char w[8];
	ranked got;
	nx_topk_stats s;
	int e = 0;

	assert_int_equal(nx_search__impact_build(f->st, MIN_DF, NX_IMPACT_ROWS, &err), NX_OK);
	assert_int_equal(nx_store_begin(f->st, &err), NX_OK);
	assert_int_equal(put_article(f->st, 5, "Replaced", "Replaced text."), 0);
	assert_int_equal(nx_store_commit(f->st, &err), NX_OK);
	for (e = 0; e < 6; e++) {
		memset(&got, 0, sizeof(got));
		memset(&s, 0, sizeof(s));
		rank_all(f->st, e, 1, 0, &got, &s);
		assert_int_equal(s.probes, 0);
		ranked_free(&got);
	}
	/* nor the counts stored with them */
	counters_open(f->st, &c);
	for (e = 0; e < NWORD; e++) {
		word(w, e);
		assert_int_equal(nx_search__stored_df(c.stored, &c.tk, c.tok, w), -1);
	}
	counters_close(&c);
}

/* Counts of the relaxed query alone (nx_topk__or_count): from the words' sets as from their lists walked. */
static void test_or_count_from_sets(void **state)
{
	fixture *f = *state;
	nx_error err = NX_ERROR_INIT;
	int64_t want[NEXPR], got = 0, nsets = 0;
	char expr[512];
	double pw[16];
	int npw = 0, e = 0;

	assert_int_equal(nx_store__query_int(f->st, "DELETE FROM impact_set", &nsets), 0);
	for (e = 0; e < NEXPR; e++) {
		make_expr(e, expr, sizeof(expr), pw, &npw);
		assert_int_equal(nx_topk__or_count(f->st->db, NULL, expr, NULL, &want[e], NULL), SQLITE_OK);
		assert_true(want[e] > 0);
	}
	assert_int_equal(nx_search__impact_build(f->st, MIN_DF, NX_IMPACT_ROWS, &err), NX_OK);
	assert_int_equal(nx_store__query_int(f->st, "SELECT count(*) FROM impact_set", &nsets), 0);
	assert_true(nsets >= 2);
	for (e = 0; e < NEXPR; e++) {
		make_expr(e, expr, sizeof(expr), pw, &npw);
		assert_int_equal(nx_topk__or_count(f->st->db, NULL, expr, NULL, &got, NULL), SQLITE_OK);
		if (got != want[e])
			fail_msg("expression %d (%s): %lld rows walked, %lld from sets", e, expr, (long long)want[e],
				 (long long)got);
	}
}

/* Every expression counted with the walks on one thread and shared with a second: the same counts. */
static void same_counts(nx_store *rd, sqlite3 *db2)
{
	int64_t one = 0, two = 0;
	char expr[512];
	double pw[16];
	int npw = 0, e = 0;

	for (e = 0; e < NEXPR; e++) {
		make_expr(e, expr, sizeof(expr), pw, &npw);
		assert_int_equal(nx_topk__or_count(rd->db, NULL, expr, NULL, &one, NULL), SQLITE_OK);
		assert_int_equal(nx_topk__or_count(rd->db, db2, expr, NULL, &two, NULL), SQLITE_OK);
		if (one != two)
			fail_msg("expression %d (%s): %lld rows on one thread, %lld on two", e, expr, (long long)one,
				 (long long)two);
	}
}

/*
 * The relaxed count's walks shared with a thread on the second connection:
 * the counts of one thread, every list walked (no sets) and with sets;
 * and when a writer commits after the reader's snapshot was taken, the
 * second thread (its own snapshot, newer) is not believed: what it took
 * is walked again, and the count is the snapshot's.
 */
static void test_or_count_two_threads(void **state)
{
	fixture *f = *state;
	nx_error err = NX_ERROR_INIT;
	nx_store *rd = NULL;
	sqlite3 *db2 = NULL;
	int64_t nsets = 0, before = 0, after = 0, two = 0;
	size_t again = 0;
	char expr[512], w[8], body[64];
	double pw[16];
	int npw = 0, began = 0;

	assert_int_equal(nx_store__query_int(f->st, "DELETE FROM impact_set", &nsets), 0);
	assert_int_equal(nx_store_open(&rd, f->path, NX_STORE_READ, &err), NX_OK);
	assert_non_null(db2 = nx_store__db2(rd));
	again = nx_topk__count_again();
	same_counts(rd, db2);
	assert_int_equal(nx_search__impact_build(f->st, MIN_DF, NX_IMPACT_ROWS, &err), NX_OK);
	same_counts(rd, db2);
	assert_int_equal(nx_topk__count_again(), again);
	/* a writer commits once the reader's snapshot is taken */
	make_expr(5, expr, sizeof(expr), pw, &npw);
	assert_int_equal(nx_search__read_begin(rd, &began, &err), 0);
	assert_int_equal(nx_topk__or_count(rd->db, NULL, expr, NULL, &before, NULL), SQLITE_OK);
	assert_int_equal(nx_store_begin(f->st, &err), NX_OK);
	word(w, 5); /* a word of expression 5 */
	snprintf(body, sizeof(body), "%s, and nothing else.", w);
	assert_int_equal(put_article(f->st, NART + 300, "zorba zorbe", body), 0);
	assert_int_equal(nx_store_commit(f->st, &err), NX_OK);
	assert_int_equal(nx_topk__or_count(rd->db, db2, expr, NULL, &two, NULL), SQLITE_OK);
	assert_int_equal(two, before);
	assert_int_equal(nx_topk__count_again(), again + 1);
	nx_search__read_end(rd, &began);
	/* and a new snapshot sees the article */
	assert_int_equal(nx_topk__or_count(rd->db, db2, expr, NULL, &after, NULL), SQLITE_OK);
	assert_int_equal(nx_topk__or_count(rd->db, NULL, expr, NULL, &two, NULL), SQLITE_OK);
	assert_int_equal(after, two);
	assert_int_equal(after, before + 1);
	nx_store_close(rd);
}

/* A term's rows counted up to a limit (pseudo-relevance feedback): its document count, cut at the limit. */
static void test_count_upto(void **state)
{
	fixture *f = *state;
	sqlite3_stmt *up = NULL, *df = NULL;
	static const int64_t lims[] = { 1, 2, 299, 300, 301, 2399, 5000, -1 };
	char w[8];
	size_t j = 0;
	int i = 0, held = 0;

	assert_int_equal(nx_search__upto_prepare(f->st, &up), SQLITE_OK);
	assert_int_equal(nx_search__vocab_prepare(f->st, &df), SQLITE_OK);
	for (i = 0; i < NWORD + 1; i++) {
		int64_t n = 0;

		/* the terms as indexed: a word the stemmer leaves alone ("zorba", not "zorbe"); the last none */
		if (i < NWORD)
			word(w, i);
		else
			snprintf(w, sizeof(w), "zzzzq");
		n = nx_search__vocab_df(df, w, strlen(w));
		held += n > 0;
		for (j = 0; j < sizeof(lims) / sizeof(lims[0]); j++)
			assert_int_equal(nx_search__count_upto(up, w, lims[j]), lims[j] >= 0 && n > lims[j] ? lims[j] : n);
		assert_int_equal(nx_search__count_upto(up, w, 0), 0);
	}
	assert_true(held >= 4);
	sqlite3_finalize(up);
	sqlite3_finalize(df);
}

/*
 * A feedback term's documents from the count stored with its impact list:
 * the number its list walked gives, for each term that has one (a stem
 * too: the build makes lists for the stems of frequent words); none for
 * a word the stemmer changes ("zorbe": its phrase finds "zorb" too), a
 * word without a list, or lists made before the index changed.
 */
static void test_stored_df(void **state)
{
	fixture *f = *state;
	nx_error err = NX_ERROR_INIT;
	counters c;
	char w[8];
	int64_t listed = 0;
	int i = 0, served = 0;

	assert_int_equal(nx_search__impact_build(f->st, MIN_DF, NX_IMPACT_ROWS, &err), NX_OK);
	counters_open(f->st, &c);
	for (i = 0; i < NWORD; i++) {
		int64_t n = 0, got = 0;

		word(w, i);
		n = nx_search__vocab_df(c.df, w, strlen(w));
		got = nx_search__stored_df(c.stored, &c.tk, c.tok, w);
		if (got < 0)
			continue;
		served++;
		assert_true(n >= MIN_DF);
		assert_int_equal(got, n);
		assert_int_equal(got, nx_search__count_upto(c.up, w, -1));
	}
	assert_true(served >= 2);
	/* "zorbe" has a list, of the rows of "zorbe" or "zorb": not a term's count */
	assert_int_equal(nx_impact__df(c.stored, "\"zorbe\"", &listed), 1);
	assert_true(listed >= MIN_DF);
	assert_int_equal(nx_search__stored_df(c.stored, &c.tk, c.tok, "zorbe"), -1);
	/* its stem "zorb" (a feedback word writes it) got a list of its own at the build, the twin of "zorbe"'s */
	assert_int_equal(nx_search__stored_df(c.stored, &c.tk, c.tok, "zorb"), nx_search__vocab_df(c.df, "zorb", 4));
	assert_int_equal(nx_store__query_int(f->st, "SELECT count(*) FROM impact WHERE expr = '\"zorb\"' AND twin = '\"zorbe\"'",
					     &listed),
			 0);
	assert_int_equal(listed, 1);
	assert_int_equal(nx_search__stored_df(c.stored, &c.tk, c.tok, "zzzzq"), -1);
	counters_close(&c);
}

/* The rows of phrase s (up to e) of an FTS5 expression, counted by SQL. */
static int64_t phrase_rows(sqlite3 *db, const char *s, const char *e)
{
	sqlite3_stmt *st = NULL;
	int64_t n = -1;

	assert_int_equal(sqlite3_prepare_v2(db, "SELECT count(*) FROM fts WHERE fts MATCH ?1", -1, &st, NULL), SQLITE_OK);
	sqlite3_bind_text(st, 1, s, (int)(e - s), SQLITE_STATIC);
	assert_int_equal(sqlite3_step(st), SQLITE_ROW);
	n = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return n;
}

/*
 * A strict walk told every row of expr (nx_topk_tune's rows, as
 * count_strict hands them over): with every count known, each row scored
 * alone gives a's rows, scores and total ta (na of k); told fewer rows,
 * only those (so the path was taken); with a count unknown, the walk's.
 */
static void rows_alone(sqlite3 *db, const char *expr, const double *cw, int ncw, const int64_t *known, int n, size_t k,
		       const nx_topk_hit *a, size_t na, int64_t ta)
{
	nx_topk_tune tune = NX_TOPK_TUNE_INIT;
	int64_t all[NX_TOPK_MAX_PHRASES], *rows = NULL, tb = -1;
	nx_topk_hit *b = NULL;
	sqlite3_stmt *st = NULL;
	const char *s = expr, *e = NULL;
	size_t nrows = 0, nb = 0, i = 0;
	int j = 0, pass = 0;

	/* every count: the stored ones, the others counted */
	for (j = 0; j < n && (e = skip_phrase(s)) != NULL; j++) {
		all[j] = known[j] != -1 ? known[j] : phrase_rows(db, s, e);
		s = e + (*e == ' ');
	}
	assert_int_equal(j, n);
	assert_non_null(rows = malloc((size_t)(ta + 1) * sizeof(*rows)));
	assert_int_equal(sqlite3_prepare_v2(db, "SELECT rowid FROM fts WHERE fts MATCH ?1", -1, &st, NULL), SQLITE_OK);
	sqlite3_bind_text(st, 1, expr, -1, SQLITE_STATIC);
	while (sqlite3_step(st) == SQLITE_ROW && nrows <= (size_t)ta)
		rows[nrows++] = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	assert_int_equal(nrows, ta);
	for (pass = 0; pass < 3; pass++) {
		tune.rows = rows;
		tune.nrows = pass == 1 && nrows > 1 ? 1 : nrows;
		assert_int_equal(nx_topk__run(db, NULL, expr, cw, ncw, -1, pass == 2 ? known : all, n, NULL, k, &b, &nb, &tb,
					      NULL, &tune),
				 SQLITE_OK);
		if (pass == 1 && nrows > 1) {
			/* told one row: that one alone */
			assert_int_equal(tb, 1);
			assert_int_equal(nb, k > 0 ? 1 : 0);
			if (nb > 0)
				assert_int_equal(b[0].rowid, rows[0]);
		} else {
			assert_int_equal(tb, ta);
			assert_int_equal(nb, na);
			for (i = 0; i < na; i++)
				if (a[i].rowid != b[i].rowid || a[i].score != b[i].score)
					fail_msg("%s, k %zu, hit %zu (pass %d): walked %lld %.17g, rows alone %lld %.17g", expr, k,
						 i, pass, (long long)a[i].rowid, a[i].score, (long long)b[i].rowid, b[i].score);
		}
		free(b);
		b = NULL;
	}
	free(rows);
}

/*
 * A strict walk whose idf takes the counts stored with the impact lists
 * (nx_search__impact_counts, as a search hands them over) instead of
 * counting: the same rows, scores, order and totals as counted, at every
 * k, with a stop word among the words (its phrase left out by FTS5,
 * marked NX_TOPK_NO_TOKEN) or not, every count stored or some walked.
 */
static void test_strict_stored_counts(void **state)
{
	static const char *const qs[] = { "zorba zorbe", "zorba the zorbi", "zorbu zorba zorca", "the zorbe of zorbo zorca",
					  "zorce zorba zorbi" };
	fixture *f = *state;
	nx_error err = NX_ERROR_INIT;
	double cw[NX_TOPK_MAX_WEIGHTS];
	int ncw = 0, stored = 0, none = 0;
	size_t q = 0, i = 0;

	assert_int_equal(nx_search__impact_build(f->st, MIN_DF, NX_IMPACT_ROWS, &err), NX_OK);
	assert_int_equal(nx_search__register(f->st), SQLITE_OK);
	assert_true(nx_topk__weights(f->st->db, cw, &ncw));
	for (q = 0; q < sizeof(qs) / sizeof(qs[0]); q++) {
		nx_query *cq = NULL;
		int64_t known[NX_TOPK_MAX_PHRASES];
		int n = 0, j = 0, kk = 0;

		assert_int_equal(nx_query_compile(&cq, qs[q], &err), NX_OK);
		n = nx_topk__plain(cq->fts);
		assert_true(n >= 2);
		for (j = 0; j < n; j++)
			known[j] = -1;
		nx_search__impact_counts(f->st, cq->fts, known, n, 0);
		for (j = 0; j < n; j++) {
			stored += known[j] >= 0;
			none += known[j] == NX_TOPK_NO_TOKEN;
		}
		for (kk = 0; kk < NK; kk++) {
			nx_topk_hit *a = NULL, *b = NULL;
			size_t na = 0, nb = 0;
			int64_t ta = -1, tb = -2;

			assert_int_equal(nx_topk__run(f->st->db, NULL, cq->fts, cw, ncw, -1, NULL, 0, NULL, ks[kk], &a, &na,
						      &ta, NULL, NULL),
					 SQLITE_OK);
			assert_int_equal(nx_topk__run(f->st->db, NULL, cq->fts, cw, ncw, -1, known, n, NULL, ks[kk], &b, &nb,
						      &tb, NULL, NULL),
					 SQLITE_OK);
			assert_int_equal(ta, tb);
			assert_int_equal(na, nb);
			for (i = 0; i < na; i++)
				if (a[i].rowid != b[i].rowid || a[i].score != b[i].score)
					fail_msg("%s, k %zu, hit %zu: counted %lld %.17g, stored %lld %.17g", qs[q], ks[kk], i,
						 (long long)a[i].rowid, a[i].score, (long long)b[i].rowid, b[i].score);
			free(b);
			rows_alone(f->st->db, cq->fts, cw, ncw, known, n, ks[kk], a, na, ta);
			free(a);
		}
		nx_query_free(cq);
	}
	assert_true(stored >= 5);
	assert_int_equal(none, 3);
}

/*
 * A rarer form of a frequent word ("zorbes", in a dozen rows, whose
 * phrase finds the stem "zorb" of "zorbe"): its list is the stem's,
 * stored as a twin without a walk, and a search of it alone served from
 * there gives the walk's rows, scores and total.
 */
static void test_form_twins(void **state)
{
	fixture *f = *state;
	nx_error err = NX_ERROR_INIT;
	nx_topk_hit *a = NULL, *b = NULL;
	size_t na = 0, nb = 0, i = 0;
	int64_t ta = -1, tb = -2, n = 0;
	double cw[NX_TOPK_MAX_WEIGHTS];
	int ncw = 0, j = 0;

	assert_int_equal(nx_store_begin(f->st, &err), NX_OK);
	for (j = 1; j <= 12; j++)
		assert_int_equal(put_article(f->st, NART + j, "Report zorbes", "Opening zorbes filler zorbi."), 0);
	assert_int_equal(nx_store_commit(f->st, &err), NX_OK);
	assert_int_equal(nx_search__impact_build(f->st, MIN_DF, NX_IMPACT_ROWS, &err), NX_OK);
	assert_int_equal(nx_store__query_int(f->st,
					     "SELECT count(*) FROM impact WHERE expr = '\"zorbes\"' AND twin = '\"zorbe\"'"
					     " AND hits = x''",
					     &n),
			 0);
	assert_int_equal(n, 1);
	assert_int_equal(nx_search__register(f->st), SQLITE_OK);
	assert_true(nx_topk__weights(f->st->db, cw, &ncw));
	for (j = 0; j < NK - 1; j++) {
		assert_int_equal(nx_search__impact_hits(f->st, "\"zorbes\"", cw, ncw, ks[j], &a, &na, &ta), 1);
		assert_int_equal(nx_topk__run(f->st->db, NULL, "\"zorbes\"", cw, ncw, -1, NULL, 0, NULL, ks[j], &b, &nb, &tb,
					      NULL, NULL),
				 SQLITE_OK);
		assert_int_equal(ta, tb);
		assert_int_equal(na, nb);
		for (i = 0; i < na; i++)
			if (a[i].rowid != b[i].rowid || a[i].score != b[i].score)
				fail_msg("k %zu, hit %zu: twin %lld %.17g, walk %lld %.17g", ks[j], i, (long long)a[i].rowid,
					 a[i].score, (long long)b[i].rowid, b[i].score);
		free(a);
		free(b);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_lazy_same_as_whole),
		cmocka_unit_test(test_shared_read_same),
		cmocka_unit_test(test_or_count_from_sets),
		cmocka_unit_test(test_or_count_two_threads),
		cmocka_unit_test(test_count_upto),
		cmocka_unit_test(test_stored_df),
		cmocka_unit_test(test_strict_stored_counts),
		cmocka_unit_test(test_form_twins),
		cmocka_unit_test(test_additions_lazy_same_as_whole),
		cmocka_unit_test(test_stale_lists_not_used),
		cmocka_unit_test(test_removals_lazy_same_as_whole),
	};

	return cmocka_run_group_tests(tests, setup, madeup_teardown);
}

/*
 * test_topk_prefetch.c - word pairs read ahead on the second connection
 * (src/search/topk_prefetch.c) and handed to nx_topk__rank's cache: the
 * same lists (rowids, weighted counts, extents) as the ranking reads
 * itself, so the same hits, scores to the bit, order and totals; and
 * none of the thread's lists handed over when a writer committed between
 * its read and the ranking's snapshot.  On an index of real articles
 * (NX_SHARED_DATA; skipped when absent).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "newsidx/ingest.h"
#include "newsidx/store.h"
#include "index/store_private.h"
#include "search/topk.h"
#include "search/topk_rank_private.h"

#include "real_index.h"

#define NQ 40
#define MAXW 10

static const double colw[4] = { 1.0, 8.0, 0.6, 0.4 };

/* A question of the test: its ranking expression, weights and word pairs. */
typedef struct pq {
	char expr[2600];
	char words[1040]; /* "(words)", the relaxed count's expression */
	double w[3 * MAXW];
	int nw;
	char *pairs[MAXW];
	int np;
} pq;

typedef struct fixture {
	real_index ri;
	nx_store *st; /* ri.st, NULL when ../shared/data is absent */
	pq q[NQ];
	int nq;
} fixture;

/*
 * "(words) AND (words OR pairs)" of a title's words (3 letters or more),
 * as an expansion ranks it: the first group only selects (weight 0), the
 * words weigh 1, their adjacent pairs 0.3.
 */
static void make_question(pq *q, const char *title)
{
	char w[MAXW][32], g[1024], h[1536];
	size_t nw = 0, i = 0;

	memset(q, 0, sizeof(*q));
	nw = real_index_title_words(title, w, MAXW);
	g[0] = h[0] = '\0';
	for (i = 0; i < nw; i++) {
		snprintf(g + strlen(g), sizeof(g) - strlen(g), "%s\"%s\"", i ? " OR " : "", w[i]);
		q->w[i] = 0;
		q->w[nw + i] = 1.0;
	}
	q->nw = 2 * (int)nw;
	snprintf(h, sizeof(h), "%s", g);
	for (i = 1; i < nw; i++) {
		char pair[72];

		snprintf(pair, sizeof(pair), "\"%.31s %.31s\"", w[i - 1], w[i]);
		q->pairs[q->np] = strdup(pair);
		assert_non_null(q->pairs[q->np]);
		q->np++;
		snprintf(h + strlen(h), sizeof(h) - strlen(h), " OR %s", pair);
		q->w[q->nw++] = 0.3;
	}
	snprintf(q->expr, sizeof(q->expr), "(%s) AND (%s)", g, h);
	snprintf(q->words, sizeof(q->words), "(%s)", g);
}

static int setup(void **state)
{
	fixture *f = calloc(1, sizeof(*f));
	sqlite3_stmt *s = NULL;
	int rc = 0, i = 0;

	if (f == NULL)
		return -1;
	*state = f;
	rc = real_index_build(&f->ri, "/tmp/nx-prefetch-XXXXXX");
	if (rc <= 0)
		return rc; /* 0: no shared data, the tests skip */
	f->st = f->ri.st;
	/* every 97th long title: Reuters and BBC */
	if (sqlite3_prepare_v2(f->st->db, "SELECT title FROM article WHERE length(title) > 30 ORDER BY id", -1, &s,
			       NULL) != SQLITE_OK)
		return -1;
	while (sqlite3_step(s) == SQLITE_ROW && f->nq < NQ)
		if (i++ % 97 == 0) {
			make_question(&f->q[f->nq], (const char *)sqlite3_column_text(s, 0));
			f->nq += f->q[f->nq].np >= 2;
		}
	sqlite3_finalize(s);
	return f->nq >= 10 ? 0 : -1;
}

static int teardown(void **state)
{
	fixture *f = *state;
	int i = 0, j = 0;

	real_index_free(&f->ri);
	for (i = 0; i < NQ; i++)
		for (j = 0; j < f->q[i].np; j++)
			free(f->q[i].pairs[j]);
	free(f);
	return 0;
}

/* The list of phrase text in c, or NULL. */
static const topk_list *find_list(const nx_topk_cache *c, const char *text)
{
	size_t i = 0;

	for (i = 0; c != NULL && i < c->n; i++)
		if (strcmp(c->l[i].text, text) == 0)
			return &c->l[i];
	return NULL;
}

/*
 * The pairs of q in b (all that hold a row when every, else those there)
 * read as into a: rowids, counts (to the bit) and extents.  Returns how
 * many hold a row, *in: how many of those b holds.
 */
static int same_lists(const pq *q, const nx_topk_cache *a, const nx_topk_cache *b, int every, int *in)
{
	int j = 0, some = 0;
	size_t r = 0;

	for (j = 0; j < q->np; j++) {
		const topk_list *la = find_list(a, q->pairs[j]), *lb = find_list(b, q->pairs[j]);

		assert_non_null(la);
		assert_true(la->done && !la->lazy);
		if (la->n == 0)
			continue; /* no row: the read ahead has nothing to hand over */
		some++;
		if ((lb == NULL || !lb->done) && every)
			fail_msg("'%s': pair %s not handed over", q->expr, q->pairs[j]);
		if (lb == NULL || !lb->done)
			continue;
		(*in)++;
		assert_int_equal(lb->n, la->n);
		for (r = 0; r < la->n; r++) {
			assert_int_equal(lb->rowid[r], la->rowid[r]);
			assert_memory_equal(&lb->freq[r], &la->freq[r], sizeof(double));
			assert_memory_equal(&lb->ext[r * (size_t)a->ncol], &la->ext[r * (size_t)a->ncol],
					    (size_t)a->ncol * sizeof(int32_t));
		}
	}
	return some;
}

static void same_hits(const char *expr, const nx_topk_hit *a, size_t na, int64_t ta, const nx_topk_hit *b, size_t nb,
		      int64_t tb)
{
	size_t i = 0;

	assert_int_equal(nb, na);
	assert_int_equal(tb, ta);
	for (i = 0; i < na; i++)
		if (a[i].rowid != b[i].rowid || memcmp(&a[i].score, &b[i].score, sizeof(double)) != 0)
			fail_msg("'%s', hit %zu: %lld %.17g read ahead, %lld %.17g read by the ranking", expr, i,
				 (long long)b[i].rowid, b[i].score, (long long)a[i].rowid, a[i].score);
}

/* The pairs of q read ahead on db2, handed to *c (counted first, as a search does, when count): *handed. */
static void read_ahead(sqlite3 *db, sqlite3 *db2, const pq *q, nx_topk_cache **c, int count, int *handed,
		       int *set_aside, unsigned delay_us)
{
	nx_topk_tune rd = NX_TOPK_TUNE_INIT;
	nx_topk_prefetch *pf = NULL;
	nx_topk_hit *none = NULL;
	size_t nnone = 0;
	int64_t t = 0;

	assert_int_equal(nx_topk__prefetch_start(&pf, db2, colw, 4, q->pairs, q->np), SQLITE_OK);
	assert_non_null(pf);
	if (count) { /* the relaxed count meanwhile, reading the words' lists (and the totals) into the same cache */
		rd.count_reads = 1;
		assert_int_equal(nx_topk__rank(db, c, q->words, colw, 4, NULL, 0, NULL, 0, &none, &nnone, &t, NULL, &rd),
				 SQLITE_OK);
		free(none);
	}
	if (delay_us > 0)
		usleep(delay_us); /* the thread likely done: it, not the caller, read the pairs */
	assert_int_equal(nx_topk__prefetch_finish(pf, db, c, handed, set_aside), SQLITE_OK);
	nx_topk__prefetch_free(pf);
}

/*
 * Every question at k 1, 10 and 40, with and without a total, counted
 * first (its words, as a search does: the cache then has the totals to
 * check the thread's by) or not: the pairs read ahead are the lists the
 * ranking reads, and the ranking from them gives its hits, scores, order
 * and totals.
 */
static void test_read_ahead_same_as_read(void **state)
{
	fixture *f = *state;
	static const size_t ks[3] = { 1, 10, 40 };
	sqlite3 *db2 = NULL;
	int i = 0, kk = 0, handed = 0, set_aside = 0, count = 0, compared = 0, in = 0;

	if (f->st == NULL)
		skip();
	assert_non_null(db2 = nx_store__db2(f->st));
	for (i = 0; i < f->nq; i++)
		for (kk = 0; kk < 3; kk++)
			for (count = 0; count < 2; count++) {
				const pq *q = &f->q[i];
				nx_topk_cache *ca = NULL, *cb = NULL;
				nx_topk_hit *ha = NULL, *hb = NULL;
				size_t nha = 0, nhb = 0;
				int64_t ta = -1, tb = -1;
				int64_t *tot = count ? &ta : NULL, *totb = count ? &tb : NULL;

				assert_int_equal(nx_topk__rank(f->st->db, &ca, q->expr, colw, 4, q->w, q->nw, NULL, ks[kk],
							       &ha, &nha, tot, NULL, NULL),
						 SQLITE_OK);
				read_ahead(f->st->db, db2, q, &cb, count, &handed, &set_aside, kk == 0 ? 20000 : 0);
				/*
				 * No writer between: every list either side read is handed
				 * over, counted first (the cache has totals to check the
				 * thread's by) or not (the thread's checked by the structure
				 * record the caller read, whichever side took which phrase).
				 */
				in = 0;
				assert_int_equal(set_aside, 0);
				assert_int_equal(handed, same_lists(q, ca, cb, 1, &in));
				assert_int_equal(in, handed);
				assert_int_equal(nx_topk__rank(f->st->db, &cb, q->expr, colw, 4, q->w, q->nw, NULL, ks[kk],
							       &hb, &nhb, totb, NULL, NULL),
						 SQLITE_OK);
				same_hits(q->expr, ha, nha, ta, hb, nhb, tb);
				compared += count && handed > 0 && nha > 0;
				free(ha);
				free(hb);
				nx_topk__cache_free(ca);
				nx_topk__cache_free(cb);
			}
	assert_true(compared >= f->nq); /* pairs that hold rows were handed over and ranked with (3 k each) */
}

/* A read ahead taken back (freed) before its end: the thread stops and nothing leaks. */
static void test_read_ahead_dropped(void **state)
{
	fixture *f = *state;
	nx_topk_prefetch *pf = NULL;
	sqlite3 *db2 = NULL;

	if (f->st == NULL)
		skip();
	assert_non_null(db2 = nx_store__db2(f->st));
	assert_int_equal(nx_topk__prefetch_start(&pf, db2, colw, 4, f->q[0].pairs, f->q[0].np), SQLITE_OK);
	nx_topk__prefetch_free(pf);
	nx_topk__prefetch_free(NULL);
	assert_int_equal(nx_topk__prefetch_start(&pf, db2, colw, 4, f->q[0].pairs, 0), SQLITE_OK);
	assert_null(pf); /* nothing to read */
}

static int add_file(nx_article *a, void *ctx)
{
	return real_index__article(a, ctx);
}

/*
 * The ranking's connection in a read transaction, a writer adding 1,000
 * articles, then the read ahead (its own transaction sees them): none of
 * the thread's lists handed over, the ranking's the same as before the
 * write.  (Last: the index grows.)
 */
static void test_writer_between(void **state)
{
	fixture *f = *state;
	nx_error err = NX_ERROR_INIT;
	nx_store *w = NULL;
	sqlite3 *db = NULL, *db2 = NULL;
	char p[512];
	int i = 0, handed = 0, set_aside = 0, aside = 0, in = 0;
	nx_topk_cache *ca[NQ];
	nx_topk_hit *ha[NQ];
	size_t nha[NQ];
	int64_t ta[NQ];

	if (f->st == NULL)
		skip();
	db = f->st->db;
	assert_non_null(db2 = nx_store__db2(f->st));
	assert_int_equal(sqlite3_exec(db, "BEGIN", NULL, NULL, NULL), SQLITE_OK);
	for (i = 0; i < f->nq; i++) {
		ca[i] = NULL;
		assert_int_equal(nx_topk__rank(db, &ca[i], f->q[i].expr, colw, 4, f->q[i].w, f->q[i].nw, NULL, 10, &ha[i],
					       &nha[i], &ta[i], NULL, NULL),
				 SQLITE_OK);
	}
	snprintf(p, sizeof(p), "%s/collections/reuters21578/reut2-%03d.sgm", NX_SHARED_DATA, NX_REAL_REUTERS);
	assert_int_equal(nx_store_open(&w, f->ri.path, NX_STORE_WRITE, &err), NX_OK);
	assert_int_equal(nx_store_begin(w, &err), NX_OK);
	assert_true(nx_ingest_file(p, NULL, add_file, w, &err) >= 0);
	assert_int_equal(nx_store_commit(w, &err), NX_OK);
	nx_store_close(w);
	for (i = 0; i < f->nq; i++) {
		nx_topk_cache *cb = NULL;
		nx_topk_hit *hb = NULL;
		size_t nhb = 0;
		int64_t tb = -1;

		read_ahead(db, db2, &f->q[i], &cb, 1, &handed, &set_aside, 20000);
		aside += set_aside;
		/* the lists handed over are the caller's, read in its snapshot: the same as before the write */
		in = 0;
		assert_int_equal(handed + set_aside, same_lists(&f->q[i], ca[i], cb, 0, &in));
		assert_int_equal(in, handed);
		assert_int_equal(nx_topk__rank(db, &cb, f->q[i].expr, colw, 4, f->q[i].w, f->q[i].nw, NULL, 10, &hb, &nhb,
					       &tb, NULL, NULL),
				 SQLITE_OK);
		same_hits(f->q[i].expr, ha[i], nha[i], ta[i], hb, nhb, tb);
		free(hb);
		free(ha[i]);
		nx_topk__cache_free(cb);
		nx_topk__cache_free(ca[i]);
	}
	assert_int_equal(sqlite3_exec(db, "COMMIT", NULL, NULL, NULL), SQLITE_OK);
	assert_true(aside > 0); /* the thread read the new index, and its lists were set aside */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_read_ahead_same_as_read),
		cmocka_unit_test(test_read_ahead_dropped),
		cmocka_unit_test(test_writer_between),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}

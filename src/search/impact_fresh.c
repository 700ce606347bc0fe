/*
 * impact_fresh.c - a word's impact list after articles were added.
 *
 * A list (impact.c) holds a frequent word's best rows scored when it was
 * made: N rows in the index, avgdl A tokens a row, the word in df of
 * them.  Articles added since take rowids above the largest then (the
 * mark, index/impact.c; a replacement sets every list aside, a removal
 * is recorded), so the word's rows now are those it had then less the
 * removed ones and the new ones above the mark: these are walked in FTS5
 * (rowid > mark, a few rows at the end of its list) and scored exactly,
 * and df' = df - the removed rows it had (from its set, or its list when
 * that held every row; else the search walks) + their count.  A removed
 * listed row is passed over; the others' lengths and counts are as then.
 * An old row's score s = idf * T(f, d, A), with
 *
 *   T(f, d, A) = f (k1 + 1) / (f + L),  L = k1 (1 - b + b d / A)
 *
 * (topk.c), moves with idf and A alone.  With r = L' / L, which lies
 * between 1 and A / A' whatever d (it is 1 at d = 0 and tends to A / A'),
 * so r >= rho = min(1, A / A'), and f = T L / (k1 + 1 - T):
 *
 *   T' / T = (f + L) / (f + L') = (k1 + 1) / (T + (k1 + 1 - T) r)
 *          <= (k1 + 1) / (T + (k1 + 1 - T) rho)
 *
 * and, T = s / idf being known, s' <= idf' T (k1 + 1) / (T + (k1 + 1 - T)
 * rho), times 1 + 1e-9 for rounding: a bound that grows with s, near s
 * idf' / idf for a row of many instances (T near k1 + 1), at most s idf' /
 * idf * max(1, A' / A).  The listed rows are scored exactly (the
 * word's weighted count and the row's length read from FTS5 as the walk
 * reads them, the walk's operations) in the order of their old scores
 * until the bound of the next is below the k-th best exact score so far:
 * no row after it can enter, nor a row past the list (its old score is no
 * more than the list's last).  When the list ends first, the search
 * walks.  The result is the walk's: the same rows, scores to the bit, ties
 * by rowid, and the total.
 *
 * A listed row is looked up in FTS5's pages (fresh_seek: each token of
 * the word, its forms, looked up with nx_fts_seek_row, a few us, its
 * instances by column summed as the walk sums a place's, the row's length
 * from fts_docsize), not with one FTS5 query of the word at that rowid
 * each (FTS5 seeks each segment's list from its start: at 1M articles a
 * frequent word alone took 2.5-2.9 ms after a sync against 0.9).  The
 * score is computed from the same counts with the same operations as
 * fresh_row's; a row the pages do not answer goes through FTS5.
 */
#include "search/search_private.h"
#include "search/topk_private.h"
#include "search/topk_rank_private.h"

#include <stdlib.h>
#include <string.h>

#include "index/impact.h"
#include "search/fts_rows.h"

/* What nx_impact_fresh scores: each row FTS5 gives it, by bm25 with idf 1 (as a deferred walk). */
typedef struct fresh_state {
	const double *cw;
	int ncw;
	int64_t nrow, ntok; /* the totals the mark found: FTS5's must be the same */
	double avgdl;
	int checked;
	nx_topk_hit *h;
	size_t n, cap;
	int rc;
} fresh_state;

static int fresh_row(fresh_state *t, const Fts5ExtensionApi *api, Fts5Context *fctx)
{
	static const double one = 1.0;
	int colmax[NX_IMPACT_MAX_COLS];
	double freq = 0;
	int rc = SQLITE_OK, ncol = api->xColumnCount(fctx), ntok = 0;

	if (!t->checked) {
		sqlite3_int64 nrow = 0, ntoks = 0;

		if ((rc = api->xRowCount(fctx, &nrow)) != SQLITE_OK ||
		    (rc = api->xColumnTotalSize(fctx, -1, &ntoks)) != SQLITE_OK)
			return rc;
		if (nrow != t->nrow || ntoks != t->ntok)
			return SQLITE_MISMATCH;
		t->checked = 1;
	}
	if (api->xPhraseCount(fctx) != 1 || ncol < 1 || ncol > NX_IMPACT_MAX_COLS)
		return SQLITE_MISMATCH;
	if ((rc = nx_phrase_freqs(api, fctx, 1, t->cw, t->ncw, ncol, &freq, colmax)) != SQLITE_OK ||
	    (rc = api->xColumnSize(fctx, -1, &ntok)) != SQLITE_OK)
		return rc;
	if (t->n == t->cap) {
		size_t cap = t->cap ? 2 * t->cap : 64;
		nx_topk_hit *h = realloc(t->h, cap * sizeof(*h));

		if (h == NULL)
			return SQLITE_NOMEM;
		t->h = h;
		t->cap = cap;
	}
	t->h[t->n].rowid = api->xRowid(fctx);
	t->h[t->n].score = nx_bm25(&one, &freq, 1, (double)ntok, t->avgdl);
	t->n++;
	return SQLITE_OK;
}

/* nx_impact_fresh(fts, state): called on each row of the match */
static void aux_fresh(const Fts5ExtensionApi *api, Fts5Context *fctx, sqlite3_context *ctx, int nval,
		      sqlite3_value **vals)
{
	fresh_state *t = nx_topk__aux_state(ctx, nval, vals, "nx_impact_fresh");

	if (t == NULL)
		return;
	if (t->rc == SQLITE_OK)
		t->rc = fresh_row(t, api, fctx);
	nx_topk__aux_result(ctx, t->rc);
}

void nx_search__fresh_bound_init(nx_fresh_bound *b, int64_t nrow0, int64_t ntok0, int64_t nrow, int64_t ntok,
				 int64_t df0, int64_t df1)
{
	double avgdl0 = (double)ntok0 / (double)nrow0, avgdl = (double)ntok / (double)nrow;

	b->idf0 = nx_bm25_idf(nrow0, df0);
	b->idf1 = nx_bm25_idf(nrow, df1);
	b->rho = avgdl > avgdl0 ? avgdl0 / avgdl : 1.0;
}

double nx_search__fresh_term(const nx_fresh_bound *b, double s)
{
	const double k = NX_BM25_K1 + 1.0;
	double t = s / b->idf0, tc = t < k ? t : k;

	return t * (k / (tc + (k - tc) * b->rho)) * (1.0 + 1e-9);
}

double nx_search__fresh_bound(const nx_fresh_bound *b, double s)
{
	return b->idf1 * nx_search__fresh_term(b, s);
}

int nx_search__fresh_list(sqlite3 *db, const char *expr, nx_impact_mark *m, int64_t **rowid, double **old,
			  size_t *n, int64_t *df)
{
	int rc = nx_impact__get_made(db, expr, rowid, old, n, df);

	memset(m, 0, sizeof(*m));
	if (rc == 1 && (rc = nx_impact__mark(db, m)) == 1 && *df > 0 && *n > 0)
		return 1;
	nx_impact__mark_free(m);
	free(*rowid);
	free(*old);
	*rowid = NULL;
	*old = NULL;
	*n = 0;
	return rc < 0 ? -1 : 0;
}

int nx_search__fresh_set(sqlite3 *db, const char *expr, nx_impact_mark *m, uint64_t **w, size_t *nw, double **max,
			 int64_t *df, int64_t *gone)
{
	size_t i = 0;
	int rc = nx_impact__mark(db, m);

	*w = NULL;
	*max = NULL;
	*nw = 0;
	*df = 0;
	*gone = 0;
	if (rc == 1 && (rc = nx_impact__get_set_made(db, expr, w, nw, max, df)) == 1 && *df > 0) {
		/* rows above the mark are read as they are now, not from the set */
		for (i = 0; i < *nw; i++)
			if ((int64_t)i * 64 + 63 > m->last)
				(*w)[i] &= (int64_t)i * 64 > m->last ? 0 : ~(uint64_t)0 >> (63 - (m->last - (int64_t)i * 64));
		/* and the rows removed since are no more */
		*gone = nx_impact__clear_gone(m, *w, *nw);
		return 1;
	}
	nx_impact__mark_free(m);
	free(*w);
	free(*max);
	*w = NULL;
	*max = NULL;
	*nw = 0;
	return rc < 0 ? -1 : 0;
}

int64_t nx_search__rows_above(sqlite3 *db, const char *expr, int64_t last, int (*fn)(void *ud, int64_t rowid),
			      void *ud)
{
	sqlite3_stmt *s = NULL;
	int64_t n = 0;
	int step = SQLITE_DONE;

	if (sqlite3_prepare_v2(db, "SELECT rowid FROM fts WHERE fts MATCH ?1 AND rowid > ?2 ORDER BY rowid", -1, &s,
			       NULL) != SQLITE_OK)
		return -1;
	sqlite3_bind_text(s, 1, expr, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 2, last);
	while ((step = sqlite3_step(s)) == SQLITE_ROW && fn(ud, sqlite3_column_int64(s, 0)) == 0)
		n++;
	sqlite3_finalize(s);
	return step == SQLITE_DONE ? n : -1;
}

/* The rows of the word s matches with lo <= rowid <= hi scored into t: SQLITE_OK or an error code. */
static int score_range(sqlite3_stmt *s, fresh_state *t, int64_t lo, int64_t hi)
{
	int rc = SQLITE_OK;

	sqlite3_reset(s);
	sqlite3_bind_int64(s, 3, lo);
	sqlite3_bind_int64(s, 4, hi);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW)
		;
	return t->rc != SQLITE_OK ? t->rc : rc == SQLITE_DONE ? SQLITE_OK : rc;
}

/* The word's tokens opened for lookups of its listed rows, and the rows' lengths. */
typedef struct fresh_seek {
	nx_fts_seek *sk[NX_TOPK_FORMS];
	int ntok, ncol;
	sqlite3_stmt *len;
} fresh_seek;

static void fresh_seek_free(fresh_seek *q)
{
	int j = 0;

	for (j = 0; j < q->ntok; j++)
		nx_fts_seek_free(q->sk[j]);
	sqlite3_finalize(q->len);
	memset(q, 0, sizeof(*q));
}

/*
 * expr's tokens opened on db: 1, or 0 when the pages cannot answer here
 * (another tokenization, a reader that gives up, totals other than the
 * mark's: each row then goes through FTS5).  The lookups hold their read
 * transaction open, so the totals read after them are theirs.
 */
static int fresh_seek_open(sqlite3 *db, const char *expr, const nx_impact_mark *m, fresh_seek *q)
{
	nx_topk_forms f;
	int64_t nrow = 0, ntok = 0;
	int j = 0;

	memset(q, 0, sizeof(*q));
	if (!(nx_topk__forms(db, expr, strlen(expr), &f) || nx_topk__forms_one(db, expr, strlen(expr), &f)) ||
	    f.ntok < 1 || f.ntok > NX_TOPK_FORMS)
		return 0;
	for (j = 0; j < f.ntok; j++) {
		if (nx_fts_seek_open(db, f.tok[j], strlen(f.tok[j]), NX_FTS_ROWS_COLS, &q->sk[j]) != SQLITE_OK ||
		    q->sk[j] == NULL)
			break;
		q->ntok++;
	}
	if (q->ntok != f.ntok || !nx_search__fts_totals(db, &nrow, &ntok, &q->ncol) || nrow != m->nrow ||
	    ntok != m->ntok || q->ncol > NX_FTS_ROWS_COLS ||
	    sqlite3_prepare_v2(db, "SELECT sz FROM fts_docsize WHERE id = ?1", -1, &q->len, NULL) != SQLITE_OK) {
		fresh_seek_free(q);
		return 0;
	}
	return 1;
}

/*
 * Row rowid's score as fresh_row gives it (bm25 at idf 1) into *score: 1,
 * 0 when the row does not hold the word, -1 when the pages do not answer
 * or fail (the row then goes through FTS5, which reports a real error).
 */
static int fresh_seek_row(fresh_seek *q, int64_t rowid, const double *cw, int ncw, double avgdl, double *score)
{
	static const double one = 1.0;
	int32_t cnt[NX_FTS_ROWS_COLS], ext[NX_FTS_ROWS_COLS], sum[NX_FTS_ROWS_COLS];
	double freq = 0.0;
	int64_t len = 0, places = 0;
	int j = 0, c = 0, found = 0;

	memset(sum, 0, sizeof(sum));
	for (j = 0; j < q->ntok; j++) {
		if (nx_fts_seek_row(q->sk[j], rowid, &found, cnt, ext) != SQLITE_OK || found < 0)
			return -1;
		for (c = 0; found && c < q->ncol; c++)
			sum[c] += cnt[c];
	}
	/* as nx_phrase_freqs adds them: in (column, offset) order */
	for (c = 0; c < q->ncol; c++) {
		for (j = 0; j < sum[c]; j++)
			freq += ncw > c ? cw[c] : 1.0;
		places += sum[c];
	}
	if (places == 0)
		return 0;
	if (nx_search__row_length(q->len, q->ncol, rowid, &len) != SQLITE_OK)
		return -1;
	*score = nx_bm25(&one, &freq, 1, (double)len, avgdl);
	return 1;
}

/* h into the heap of the k best (worst at [0], *n of them). */
static void keep(nx_topk_hit *heap, size_t k, size_t *n, const nx_topk_hit *h)
{
	if (*n < k) {
		heap[*n] = *h;
		sift_up(heap, (*n)++);
	} else if (k > 0 && worse(&heap[0], h)) {
		heap[0] = *h;
		heap_down(heap, *n, 0, 0);
	}
}

int nx_search__impact_fresh(nx_store *st, const char *expr, const double *cw, int ncw, size_t k, nx_topk_hit **out,
			    size_t *nout, int64_t *total)
{
	nx_impact_mark m;
	fresh_state t;
	sqlite3_stmt *s = NULL;
	nx_topk_hit *heap = NULL;
	int64_t *rowid = NULL, df = 0, df1 = 0, gone = 0;
	double *old = NULL;
	nx_fresh_bound b;
	fresh_seek q;
	size_t nlist = 0, i = 0, nh = 0, nnew = 0;
	int rc = 0, done = 0, seek = 0;

	*out = NULL;
	*nout = 0;
	memset(&t, 0, sizeof(t));
	memset(&m, 0, sizeof(m));
	memset(&q, 0, sizeof(q));
	/* the bound needs counts that only grow with the instances */
	for (i = 0; (int)i < ncw; i++)
		if (!(cw[i] >= 0))
			return 0;
	if ((rc = nx_search__fresh_list(st->db, expr, &m, &rowid, &old, &nlist, &df)) != 1)
		goto done;
	/* the listed rows removed since: how many the word had (else the count is not known: the walk) */
	if ((rc = nx_impact__gone_df(st->db, expr, &m, &gone)) != 1)
		goto done;
	rc = -1;
	if ((heap = malloc((k ? k : 1) * sizeof(*heap))) == NULL ||
	    nx_topk__aux(st->db, "nx_impact_fresh", aux_fresh) != SQLITE_OK ||
	    sqlite3_prepare_v2(st->db,
			       "SELECT nx_impact_fresh(fts, ?2) FROM fts WHERE fts MATCH ?1 AND rowid BETWEEN ?3 AND ?4",
			       -1, &s, NULL) != SQLITE_OK)
		goto done;
	sqlite3_bind_text(s, 1, expr, -1, SQLITE_STATIC);
	sqlite3_bind_pointer(s, 2, &t, "nx_impact_fresh", NULL);
	t.cw = cw;
	t.ncw = ncw;
	t.nrow = m.nrow;
	t.ntok = m.ntok;
	t.avgdl = (double)m.ntok / (double)m.nrow; /* as FTS5's xRowCount and xColumnTotalSize give it */
	/* the rows added: scored exactly once their count (the idf) is known */
	if ((rc = score_range(s, &t, m.last + 1, INT64_MAX)) != SQLITE_OK)
		goto walked;
	nnew = t.n;
	df1 = df - gone + (int64_t)nnew;
	nx_search__fresh_bound_init(&b, m.nrow0, m.ntok0, m.nrow, m.ntok, df, df1);
	for (i = 0; i < nnew; i++) {
		t.h[i].score = 0.0 + b.idf1 * t.h[i].score;
		keep(heap, k, &nh, &t.h[i]);
	}
	/* the listed rows by their old scores, while one can still enter: looked up in the pages */
	seek = nlist > 0 && fresh_seek_open(st->db, expr, &m, &q);
	done = k == 0;
	for (i = 0; i < nlist && !done; i++) {
		if (nh == k && nx_search__fresh_bound(&b, old[i]) < heap[0].score) {
			done = 1;
			break;
		}
		if (rowid[i] > m.last)
			goto walked; /* a list that is not of rows then */
		if (m.ngone > 0 && nx_impact__gone(&m, rowid[i]))
			continue; /* removed since: no longer a row */
		if (seek) {
			nx_topk_hit h = { rowid[i], 0.0 };
			int got = fresh_seek_row(&q, rowid[i], cw, ncw, t.avgdl, &h.score);

			if (got == 0)
				goto walked; /* the row no longer holds the word: not the index the list was made of */
			if (got == 1) {
				h.score = 0.0 + b.idf1 * h.score;
				keep(heap, k, &nh, &h);
				continue;
			}
		}
		t.n = 0;
		if ((rc = score_range(s, &t, rowid[i], rowid[i])) != SQLITE_OK)
			goto walked;
		if (t.n != 1)
			goto walked; /* the row no longer holds the word: not the index the list was made of */
		t.h[0].score = 0.0 + b.idf1 * t.h[0].score;
		keep(heap, k, &nh, &t.h[0]);
	}
	/* the list ran out: done when it held every row, or no row past it can enter */
	if (!done)
		done = (int64_t)nlist == df || (nh == k && nlist > 0 && nx_search__fresh_bound(&b, old[nlist - 1]) < heap[0].score);
	rc = 0;
	if (done) {
		if (nh > 0)
			qsort(heap, nh, sizeof(*heap), cmp_hit);
		*out = heap;
		*nout = nh;
		*total = df1;
		heap = NULL;
		rc = 1;
	}
	goto done;
walked:
	/* an error of the list's own (not the index as it is): the walk, which reports any real one */
	rc = 0;
done:
	fresh_seek_free(&q);
	sqlite3_finalize(s);
	nx_impact__mark_free(&m);
	free(t.h);
	free(heap);
	free(rowid);
	free(old);
	return rc;
}

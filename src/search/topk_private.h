/*
 * topk_private.h - what topk.c (bm25 walks) and topk_rank.c (nx_rank over
 * an OR of phrases) share: the order of hits, their heaps, the filter test
 * and the phrase syntax.  Static inline: the heaps are on the hot path.
 */
#ifndef NX_TOPK_PRIVATE_H
#define NX_TOPK_PRIVATE_H

#include <math.h>
#include <string.h>

#include "search/topk.h"
#include "index/tokenizer.h"

/* Registers the FTS5 auxiliary function name on db unless it already is (topk.c). */
int nx_topk__aux(sqlite3 *db, const char *name, fts5_extension_function fn);
/* The state pointer of type an auxiliary function was given (its one
   argument), or NULL with "TYPE: no state" set as its error. */
void *nx_topk__aux_state(sqlite3_context *ctx, int nval, sqlite3_value **vals, const char *type);

/*
 * A deferred ranking of one phrase fed by a caller's walk of its rows
 * (topk.c): nx_topk__feed_row for each row in rowid order with its bm25
 * at idf 1 (nx_bm25 of the row's weighted count and length), then
 * nx_topk__feed_end for the best k, scored, sorted and counted as
 * nx_topk__run ranks the phrase alone (nrow: the rows of the table; *out
 * the caller's to free).  SQLite codes.
 */
typedef struct nx_topk_feed nx_topk_feed;
nx_topk_feed *nx_topk__feed_new(size_t k);
int nx_topk__feed_row(nx_topk_feed *f, int64_t rowid, double x);
int nx_topk__feed_end(nx_topk_feed *f, int64_t nrow, nx_topk_hit **out, size_t *nout, int64_t *total);
void nx_topk__feed_free(nx_topk_feed *f);

/* The largest rowid of the full-text index (0: none or unknown): where a walk of one phrase is halved (topk_band.c). */
int64_t nx_topk__last_rowid(sqlite3 *db);

/*
 * The first and last rowids a filter's bits let through: 1 with them in
 * [*lo, *hi], 0 when it has no bits (any row may pass), -1 when no row
 * passes.  No row outside the band passes.
 */
int nx_topk__bits_band(const nx_topk_filter *flt, int64_t *lo, int64_t *hi);
/* The first rowid at or after from whose bit flt (with bits) sets, -1 when none. */
int64_t nx_topk__next_bit(const nx_topk_filter *flt, int64_t from);

/*
 * A filter of rowid bits whose rows lie in a narrow band of rowids has
 * nx_topk__run walk only the band (topk_band.c): 1 with the band in
 * [*lo, *hi], 0 when the walk is whole (no bits, or a band too wide),
 * -1 when no row passes.
 */
int nx_topk__filter_band(sqlite3 *db, const nx_topk_filter *flt, int64_t *lo, int64_t *hi);

/*
 * A one-phrase walk takes its idf from the rows it reads; walking a band,
 * it needs the phrase's rows in all: known[0] when > 0 (a count stored
 * with an impact list), else, for a phrase of one word, its rows counted
 * by FTS5 without their positions.  0 when neither: the walk is whole.
 */
int64_t nx_topk__band_rows(sqlite3 *db, const char *expr, const int64_t *known, int nknown);

/*
 * The two above for nx_topk__run: the band (1, [*lo, *hi] set), the
 * whole walk (0) or no row (-1); for one phrase (one: its expression; NULL
 * for several, or a count alone), a band only with its rows into *rows_all.
 */
int nx_topk__band(sqlite3 *db, const nx_topk_filter *flt, const char *one, const int64_t *known, int nknown,
		  int64_t *lo, int64_t *hi, int64_t *rows_all);

/*
 * known[0..n-1] (every count known: >= 0 or NX_TOPK_NO_TOKEN) into kn,
 * the phrase of fewest rows made unknown (-1), so that the walk's probe
 * counts it and samples the rowids a split follows: 1, else 0 (kn unused).
 */
int nx_topk__sample_rarest(const int64_t *known, int n, int64_t *kn);

/*
 * Where the rows of the phrase of fewest rows of expr (every count known
 * in known[0..nknown-1]: >= 0 or NX_TOPK_NO_TOKEN) lie, read from its tokens' doclist indexes
 * (nx_fts_seek_marks) rather than counted: 1 with *out (malloc'd, *nout
 * ascending rowids, two at least), 0 when they cannot be read so (a
 * phrase of several words, a count not known, pages that do not answer),
 * -1 out of memory or on an error.
 */
int nx_topk__split_marks(sqlite3 *db, const char *expr, const int64_t *known, int nknown, int64_t **out,
			 size_t *nout);

/* The middle of the n ascending samples within [lo, hi] into *mid, and how many lie there (0: *mid untouched). */
size_t nx_topk__band_mid(const int64_t *sample, size_t n, int64_t lo, int64_t hi, int64_t *mid);

/* The end of an auxiliary function's call: NULL as its value when rc is SQLITE_OK, else rc as its error. */
void nx_topk__aux_result(sqlite3_context *ctx, int rc);

/*
 * FTS5's bm25 (fts5Bm25Function), the same operations in the same order,
 * so that every fast path gives its scores to the bit: a phrase's idf in
 * nrow rows of which nhit hold it, and the sum over n phrases for a row
 * of d tokens with weighted counts freq[] (avgdl: tokens per row).
 */
static inline double nx_bm25_idf(int64_t nrow, int64_t nhit)
{
	double idf = log((nrow - nhit + 0.5) / (nhit + 0.5));

	return idf <= 0.0 ? 1e-6 : idf;
}

#define NX_BM25_K1 1.2
#define NX_BM25_B 0.75

static inline double nx_bm25(const double *idf, const double *freq, int n, double d, double avgdl)
{
	const double k1 = NX_BM25_K1;
	const double b = NX_BM25_B;
	double score = 0.0;
	int i = 0;

	for (i = 0; i < n; i++)
		score += idf[i] * ((freq[i] * (k1 + 1.0)) / (freq[i] + k1 * (1 - b + b * d / avgdl)));
	return score;
}

/*
 * The weighted count of each of the n phrases in the row FTS5 stands on
 * (column weights w[0..nw-1], 1.0 past nw) into freq[], each phrase's
 * instances in (column, offset) order as xInst lists them, and one past
 * the last instance in each column into colmax[0..ncol-1] (the row is at
 * least that long).  SQLITE_OK or an error code.
 */
static inline int nx_phrase_freqs(const Fts5ExtensionApi *api, Fts5Context *fctx, int n, const double *w, int nw,
				  int ncol, double *freq, int *colmax)
{
	int rc = SQLITE_OK, ip = 0, ic = 0, io = 0;

	memset(freq, 0, (size_t)n * sizeof(*freq));
	memset(colmax, 0, (size_t)ncol * sizeof(*colmax));
	for (ip = 0; rc == SQLITE_OK && ip < n; ip++) {
		Fts5PhraseIter it;

		rc = api->xPhraseFirst(fctx, ip, &it, &ic, &io);
		while (rc == SQLITE_OK && ic >= 0) {
			freq[ip] += nw > ic ? w[ic] : 1.0;
			if (ic < ncol && io + 1 > colmax[ic])
				colmax[ic] = io + 1;
			api->xPhraseNext(fctx, &it, &ic, &io);
		}
	}
	return rc;
}

/* After the closing quote of the phrase s starts (at its '"'); NULL when s is no phrase. */
static inline const char *skip_phrase(const char *s)
{
	if (*s != '"')
		return NULL;
	for (s++;; s++) {
		if (*s == '\0')
			return NULL;
		if (*s == '"' && s[1] == '"') {
			s++;
			continue;
		}
		if (*s == '"')
			return s + 1;
	}
}

/* a ranks below b: lower score, or the same score and a later rowid */
static inline int worse(const nx_topk_hit *a, const nx_topk_hit *b)
{
	return a->score < b->score || (a->score == b->score && a->rowid > b->rowid);
}

/*
 * Restore a heap below i: the worst hit on top (best 0: the heap of the
 * k best so far) or the best (best 1: the bounds still to look at).
 */
static inline void heap_down(nx_topk_hit *h, size_t n, size_t i, int best)
{
	for (;;) {
		size_t l = 2 * i + 1, r = l + 1, m = i;
		nx_topk_hit t;

		if (l < n && (best ? worse(&h[m], &h[l]) : worse(&h[l], &h[m])))
			m = l;
		if (r < n && (best ? worse(&h[m], &h[r]) : worse(&h[r], &h[m])))
			m = r;
		if (m == i)
			return;
		t = h[i];
		h[i] = h[m];
		h[m] = t;
		i = m;
	}
}

static inline void sift_up(nx_topk_hit *h, size_t i)
{
	while (i > 0) {
		size_t up = (i - 1) / 2;
		nx_topk_hit t;

		if (!worse(&h[i], &h[up]))
			return;
		t = h[i];
		h[i] = h[up];
		h[up] = t;
		i = up;
	}
}

/* 1 when the row passes flt, 0 when it does not, -1 on an error of keep() */
static inline int passes(const nx_topk_filter *flt, int64_t rowid, nx_topk_stats *st)
{
	int keep = 0;

	if (flt == NULL)
		return 1;
	if (flt->bits != NULL &&
	    (rowid < 0 || rowid >= flt->nbits || ((flt->bits[rowid >> 6] >> (rowid & 63)) & 1) == 0))
		return 0;
	if (flt->keep == NULL)
		return 1;
	st->tests++;
	keep = flt->keep(flt->ctx, rowid);
	return keep < 0 ? -1 : keep != 0;
}

/* qsort's order of rowids (int64_t), ascending */
static inline int cmp_rowids(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

	return (x > y) - (x < y);
}

/* The first of the n ascending rowids r[] that is no less than rowid (n when none). */
static inline size_t nx_rowid_lower_bound(const int64_t *r, size_t n, int64_t rowid)
{
	size_t lo = 0, hi = n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (r[mid] < rowid)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

static inline int cmp_hit(const void *a, const void *b)
{
	const nx_topk_hit *x = a, *y = b;

	if (worse(x, y))
		return 1;
	if (worse(y, x))
		return -1;
	return 0;
}

#endif

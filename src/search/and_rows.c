/*
 * and_rows.c - the best k rows of a plain AND whose rows are known (the
 * words' sets ANDed, impact_and.c), scored from the words' pages.
 *
 * impact_and.c probes the blocks of 64 rowids in the order of a bound of
 * their scores, made of each word's best score in the block.  A word
 * without a set of its own (in fewer than an eighth of the rows) has no
 * such bound but its list's last score, too high for most blocks: the
 * probes would reach every block.  Here instead each row of the AND is
 * scored once:
 *
 *  - each word's tokens (those of its phrase as FTS5 walks it) are read
 *    from the pages with their places, only for the rows of the AND
 *    (nx_fts_rows_pos: the others are passed over, about 5 ns a row);
 *  - a row's weighted count of each word is its places' column weights
 *    added in (column, offset) order, and its least length the sum over
 *    the columns of one past its last place there, as nx_phrase_freqs
 *    has them from FTS5's API;
 *  - bm25 falls as the length grows, so the score at the least length
 *    bounds the row's; the rows are taken in the order of that bound and
 *    their real length (fts_docsize) read until the k-th best beats the
 *    next bound.
 *
 * The scores are those of topk.c's walk, operation for operation (idf
 * from the rows each word matches, avgdl from FTS5's totals record, the
 * same sums in the same order), ties by ascending rowid.  A row the pages
 * hand over twice for one token, or an AND row some word's tokens do not
 * hold, means the pages are not what the sets say: the caller walks.
 */
#include "search/search_private.h"
#include "search/topk_private.h"
#include "search/topk_rank_private.h"
#include "search/fts_rows.h"
#include "index/impact.h"

#include <stdlib.h>
#include <string.h>
#include <stdio.h>
#include <time.h>

/* The most columns scored here (FTS5's table has four). */
#define AND_ROWS_COLS 16

/* The reading of one token: where each row of the AND keeps its counts. */
typedef struct rows_read {
	const int64_t *row; /* the AND's rows, ascending */
	size_t n;
	size_t at;          /* where the last row handed over was */
	int32_t *cnt;       /* per row: nphrase * ncol places */
	int32_t *ext;       /* per row: ncol, one past the last place */
	uint32_t *stamp;    /* per row: the last token that handed it over */
	uint32_t token;
	int phrase, nphrase, ncol;
} rows_read;

/* The index of rowid in r->row, from the last one on (the rows of a segment ascend): -1 when absent. */
static ptrdiff_t find_row(rows_read *r, int64_t rowid)
{
	size_t lo = r->at, hi = r->n;

	if (lo >= r->n || r->row[lo] > rowid)
		lo = 0;
	else if (lo + 8 < r->n && r->row[lo + 8] < rowid)
		lo += 8;
	else
		while (lo < r->n && r->row[lo] < rowid)
			lo++;
	while (lo < hi && r->row[lo] < rowid) {
		size_t mid = lo + (hi - lo) / 2;

		if (r->row[mid] < rowid)
			lo = mid + 1;
		else
			hi = mid;
	}
	r->at = lo;
	return lo < r->n && r->row[lo] == rowid ? (ptrdiff_t)lo : -1;
}

/* One row of the token: its places counted for the phrase being read. */
static int take_row(void *ud, int64_t rowid, const unsigned char *pos, size_t n)
{
	rows_read *r = ud;
	const unsigned char *p = pos, *end = pos + n;
	ptrdiff_t at = find_row(r, rowid);
	uint64_t col = 0, off = 0;
	int32_t *cnt = NULL, *ext = NULL;
	int got = 0;

	if (at < 0)
		return SQLITE_OK; /* (a kept bit past the rows: none) */
	if (r->stamp[at] == r->token)
		return SQLITE_ABORT; /* twice for one token: segments that overlap */
	r->stamp[at] = r->token;
	cnt = r->cnt + ((size_t)at * (size_t)r->nphrase + (size_t)r->phrase) * (size_t)r->ncol;
	ext = r->ext + (size_t)at * (size_t)r->ncol;
	while ((got = nx_fts_pos_next(&p, end, &col, &off)) == 1) {
		if (col >= (uint64_t)r->ncol)
			return SQLITE_ABORT;
		cnt[col]++;
		if ((int32_t)off + 1 > ext[col])
			ext[col] = (int32_t)off + 1;
	}
	return got == 0 ? SQLITE_OK : SQLITE_ABORT;
}

/* FTS5's totals record (fts_data id 1): its rows, its tokens and its columns; 1, or 0 when it does not parse. */
static int read_totals(sqlite3 *db, int64_t *nrow, int64_t *ntok, int *ncol)
{
	sqlite3_stmt *s = NULL;
	const unsigned char *p = NULL, *end = NULL;
	uint64_t v = 0;
	int k = 0, ok = 0;

	*nrow = *ntok = 0;
	*ncol = 0;
	if (sqlite3_prepare_v2(db, "SELECT block FROM fts_data WHERE id = 1", -1, &s, NULL) != SQLITE_OK)
		return 0;
	if (sqlite3_step(s) == SQLITE_ROW && (p = sqlite3_column_blob(s, 0)) != NULL) {
		end = p + sqlite3_column_bytes(s, 0);
		if ((k = nx_impact__sqlite_varint(p, end, &v)) > 0 && v > 0 && v < INT64_MAX) {
			*nrow = (int64_t)v;
			for (p += k; p < end && (k = nx_impact__sqlite_varint(p, end, &v)) > 0 && v < INT64_MAX / 2; p += k) {
				*ntok += (int64_t)v;
				++*ncol;
			}
			ok = p == end && *ncol >= 1 && *ncol <= AND_ROWS_COLS && *ntok > 0;
		}
	}
	sqlite3_finalize(s);
	return ok;
}

/* The rowids of the bits set in and (nand words), ascending, into *out (malloc'd): their count, -1 out of memory. */
static ptrdiff_t and_rowids(const uint64_t *and, size_t nand, int64_t total, int64_t **out)
{
	size_t b = 0, n = 0;

	if ((*out = malloc((size_t)(total > 0 ? total : 1) * sizeof(**out))) == NULL)
		return -1;
	for (b = 0; b < nand; b++) {
		uint64_t v = and[b];

		while (v != 0 && n < (size_t)total) {
			(*out)[n++] = (int64_t)(b * 64 + (size_t)__builtin_ctzll(v));
			v &= v - 1;
		}
	}
	return (ptrdiff_t)n;
}

/* Best bound first, then ascending rowid. */
static int cmp_bound(const void *a, const void *b)
{
	return cmp_hit(a, b);
}

/* A row's length from fts_docsize (xColumnSize(-1): the sum over its columns): SQLITE_OK, or an error. */
static int row_length(sqlite3_stmt *s, int ncol, int64_t rowid, int64_t *out)
{
	const unsigned char *p = NULL, *end = NULL;
	uint64_t v = 0;
	int i = 0, k = 0, rc = SQLITE_OK;

	*out = 0;
	sqlite3_reset(s);
	sqlite3_bind_int64(s, 1, rowid);
	if ((rc = sqlite3_step(s)) != SQLITE_ROW)
		return rc == SQLITE_DONE ? SQLITE_CORRUPT : rc;
	p = sqlite3_column_blob(s, 0);
	end = p + sqlite3_column_bytes(s, 0);
	for (i = 0; i < ncol; i++, p += k) {
		if (p == NULL || (k = nx_impact__sqlite_varint(p, end, &v)) == 0)
			return SQLITE_CORRUPT;
		*out += (int64_t)(uint32_t)v; /* (FTS5 reads each as a 32-bit int) */
	}
	return SQLITE_OK;
}

/*
 * The rows' scores at their least lengths into b (rowid, bound), each
 * row's weighted counts into freq (nphrase a row): 1, or 0 when a row
 * lacks a word (the pages and the sets disagree).
 */
static int bound_rows(const rows_read *r, const double *idf, double avgdl, const double *w, int nw, nx_topk_hit *b,
		      double *freq)
{
	size_t i = 0;
	int ip = 0, ic = 0, j = 0;

	for (i = 0; i < r->n; i++) {
		const int32_t *cnt = r->cnt + i * (size_t)r->nphrase * (size_t)r->ncol;
		const int32_t *ext = r->ext + i * (size_t)r->ncol;
		double *f = freq + i * (size_t)r->nphrase;
		int64_t lb = 0;

		for (ip = 0; ip < r->nphrase; ip++) {
			int32_t places = 0;

			f[ip] = 0.0;
			for (ic = 0; ic < r->ncol; ic++) {
				for (j = 0; j < cnt[ip * r->ncol + ic]; j++)
					f[ip] += nw > ic ? w[ic] : 1.0;
				places += cnt[ip * r->ncol + ic];
			}
			if (places == 0)
				return 0;
		}
		for (ic = 0; ic < r->ncol; ic++)
			lb += ext[ic];
		b[i].rowid = (int64_t)i; /* (its index, for its counts: rowids ascend with it) */
		b[i].score = nx_bm25(idf, f, r->nphrase, (double)lb, avgdl);
	}
	return 1;
}

int nx_search__and_rows_top(sqlite3 *db, const char *expr, const int64_t *df, const uint64_t *and, size_t nand,
			    int64_t total, const double *w, int nw, size_t k, nx_topk_hit **out, size_t *nout)
{
	const char *s = expr, *e = NULL;
	rows_read r;
	nx_topk_forms f[NX_TOPK_MAX_PHRASES];
	double idf[NX_TOPK_MAX_PHRASES], avgdl = 0.0, *freq = NULL;
	nx_topk_hit *b = NULL, *best = NULL;
	int64_t *row = NULL, nrow = 0, ntok = 0, nread = 0;
	sqlite3_stmt *len = NULL;
	size_t nb = 0, nbest = 0;
	ptrdiff_t m = 0;
	int n = 0, j = 0, ok = 0, rc = SQLITE_OK;

	*out = NULL;
	*nout = 0;
	memset(&r, 0, sizeof(r));
	if (k < 1 || total < 1 || total > NX_AND_ROWS_MAX || !read_totals(db, &nrow, &ntok, &r.ncol))
		return 0;
	/* each phrase one place of known tokens, as impact_range.c reads a word */
	for (n = 0; s != NULL && *s != '\0'; n++) {
		if (n == NX_TOPK_MAX_PHRASES || (e = skip_phrase(s)) == NULL)
			return 0;
		if ((!nx_topk__forms(db, s, (size_t)(e - s), &f[n]) && !nx_topk__forms_one(db, s, (size_t)(e - s), &f[n])) ||
		    f[n].ntok != f[n].n || f[n].ntok < 1)
			return 0;
		s = *e == ' ' ? e + 1 : e;
	}
	if (n < 1)
		return 0;
	if ((m = and_rowids(and, nand, total, &row)) != (ptrdiff_t)total)
		goto done;
	r.row = row;
	r.n = (size_t)m;
	r.nphrase = n;
	r.cnt = calloc(r.n * (size_t)n * (size_t)r.ncol, sizeof(*r.cnt));
	r.ext = calloc(r.n * (size_t)r.ncol, sizeof(*r.ext));
	r.stamp = calloc(r.n, sizeof(*r.stamp));
	freq = malloc(r.n * (size_t)n * sizeof(*freq));
	b = malloc(r.n * sizeof(*b));
	best = malloc(k * sizeof(*best));
	if (r.cnt == NULL || r.ext == NULL || r.stamp == NULL || freq == NULL || b == NULL || best == NULL)
		goto done;
	for (r.phrase = 0; r.phrase < n; r.phrase++) {
		for (j = 0; j < f[r.phrase].ntok; j++) {
			r.token++;
			r.at = 0;
			struct timespec t0_, t1_; clock_gettime(CLOCK_MONOTONIC, &t0_);
			rc = nx_fts_rows_pos(db, f[r.phrase].tok[j], strlen(f[r.phrase].tok[j]), and, nand, take_row, &r, &nread);
			clock_gettime(CLOCK_MONOTONIC, &t1_);
			if (getenv("NX_DBG")) fprintf(stderr, "  tok %s rows %lld %.2f ms\n", f[r.phrase].tok[j], (long long)nread, (t1_.tv_sec-t0_.tv_sec)*1e3+(t1_.tv_nsec-t0_.tv_nsec)/1e6);
			if (rc != SQLITE_OK || nread < 0)
				goto done;
		}
	}
	avgdl = (double)ntok / (double)nrow;
	for (j = 0; j < n; j++)
		idf[j] = nx_bm25_idf(nrow, df[j]);
	if (!bound_rows(&r, idf, avgdl, w, nw, b, freq))
		goto done;
	/* the rows by their bound, best first: a row's real score is no better */
	qsort(b, r.n, sizeof(*b), cmp_bound);
	if (sqlite3_prepare_v2(db, "SELECT sz FROM fts_docsize WHERE id = ?1", -1, &len, NULL) != SQLITE_OK)
		goto done;
	for (nb = 0; nb < r.n; nb++) {
		nx_topk_hit h;
		int64_t d = 0;

		h.rowid = row[b[nb].rowid];
		h.score = b[nb].score;
		if (nbest == k && worse(&h, &best[0]))
			break; /* every row left is worse */
		if (row_length(len, r.ncol, h.rowid, &d) != SQLITE_OK)
			goto done;
		h.score = nx_bm25(idf, freq + (size_t)b[nb].rowid * (size_t)n, n, (double)d, avgdl);
		if (nbest < k) {
			best[nbest] = h;
			sift_up(best, nbest++);
		} else if (worse(&best[0], &h)) {
			best[0] = h;
			heap_down(best, nbest, 0, 0);
		}
	}
	qsort(best, nbest, sizeof(*best), cmp_hit);
	*out = best;
	*nout = nbest;
	best = NULL;
	ok = 1;
done:
	sqlite3_finalize(len);
	free(row);
	free(r.cnt);
	free(r.ext);
	free(r.stamp);
	free(freq);
	free(b);
	free(best);
	return ok;
}

/*
 * topk_band.c - where nx_topk__run walks (topk.c): the band of rowids a
 * filter's rows lie in, the rowid a walk is split at, and which phrase
 * it counts for the samples a split follows.  See topk_private.h.
 */
#include "search/topk_private.h"
#include "search/fts_rows.h"
#include "search/topk_rank_private.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int64_t nx_topk__last_rowid(sqlite3 *db)
{
	sqlite3_stmt *s = NULL;
	int64_t last = 0;

	if (sqlite3_prepare_v2(db, "SELECT max(id) FROM fts_docsize", -1, &s, NULL) == SQLITE_OK &&
	    sqlite3_step(s) == SQLITE_ROW)
		last = sqlite3_column_int64(s, 0);
	sqlite3_finalize(s);
	return last;
}

/*
 * An archive added as its news came in has the rows of a year or a week
 * side by side.  A walk of a published range then seeks to the band's
 * first row and stops past its last (FTS5 finds a rowid through the
 * doclist index, not by reading the rows before it; an AND of several
 * phrases first walks to its first match, then seeks), where it used to
 * read every row of the lists and test each against the bits.  A band of
 * more than 1/NX_TOPK_BAND_SHARE of the rowids is walked whole: seeking
 * gains little there.
 */
#define NX_TOPK_BAND_SHARE 2

int nx_topk__bits_band(const nx_topk_filter *flt, int64_t *lo, int64_t *hi)
{
	size_t nw = 0, first = 0, last = 0;
	int64_t a = 0, b = 0;

	if (flt == NULL || flt->bits == NULL || flt->nbits <= 0)
		return 0;
	nw = (size_t)((flt->nbits + 63) / 64);
	for (first = 0; first < nw && flt->bits[first] == 0; first++)
		;
	if (first == nw)
		return -1;
	for (last = nw - 1; flt->bits[last] == 0; last--)
		;
	a = (int64_t)(first * 64) + __builtin_ctzll(flt->bits[first]);
	b = (int64_t)(last * 64) + 63 - __builtin_clzll(flt->bits[last]);
	if (a >= flt->nbits)
		return -1; /* (bits past nbits are not the filter's) */
	if (b >= flt->nbits)
		b = flt->nbits - 1;
	*lo = a;
	*hi = b;
	return 1;
}

int64_t nx_topk__next_bit(const nx_topk_filter *flt, int64_t from)
{
	size_t w = 0, nw = 0;
	uint64_t v = 0;

	if (from < 0)
		from = 0;
	if (from >= flt->nbits)
		return -1;
	nw = (size_t)((flt->nbits + 63) / 64);
	w = (size_t)(from >> 6);
	v = flt->bits[w] & (~(uint64_t)0 << (from & 63));
	while (v == 0) {
		if (++w == nw)
			return -1;
		v = flt->bits[w];
	}
	from = (int64_t)(w * 64) + __builtin_ctzll(v);
	return from < flt->nbits ? from : -1;
}

int nx_topk__filter_band(sqlite3 *db, const nx_topk_filter *flt, int64_t *lo, int64_t *hi)
{
	int64_t span = 0, a = 0, b = 0;
	int band = nx_topk__bits_band(flt, &a, &b);

	if (band <= 0)
		return band;
	span = nx_topk__last_rowid(db);
	if (span <= 0 || b - a + 1 > span / NX_TOPK_BAND_SHARE)
		return 0;
	*lo = a;
	*hi = b;
	return 1;
}

/* 1 when expr is one phrase of one word (its forms, if any, at one place): counted without positions. */
static int one_word(const char *expr)
{
	size_t n = strlen(expr);

	return n >= 3 && expr[0] == '"' && expr[n - 1] == '"' && memchr(expr + 1, '"', n - 2) == NULL &&
	       memchr(expr + 1, ' ', n - 2) == NULL;
}

int64_t nx_topk__band_rows(sqlite3 *db, const char *expr, const int64_t *known, int nknown)
{
	sqlite3_stmt *s = NULL;
	int64_t n = 0;

	if (known != NULL && nknown >= 1 && known[0] > 0)
		return known[0];
	if (!one_word(expr) ||
	    sqlite3_prepare_v2(db, "SELECT count(*) FROM fts WHERE fts MATCH ?1", -1, &s, NULL) != SQLITE_OK)
		return 0;
	sqlite3_bind_text(s, 1, expr, -1, SQLITE_STATIC);
	if (sqlite3_step(s) == SQLITE_ROW)
		n = sqlite3_column_int64(s, 0);
	sqlite3_finalize(s);
	return n;
}

int nx_topk__sample_rarest(const int64_t *known, int n, int64_t *kn)
{
	int i = 0, least = -1;

	if (known == NULL || n < 1 || n > NX_TOPK_MAX_PHRASES)
		return 0;
	for (i = 0; i < n; i++) {
		if (known[i] < 0 && known[i] != NX_TOPK_NO_TOKEN)
			return 0;
		if (known[i] >= 0 && (least < 0 || known[i] < known[least]))
			least = i;
		kn[i] = known[i];
	}
	if (least < 0)
		return 0;
	kn[least] = -1;
	return 1;
}

/* Token tok's marks (nx_fts_seek_marks) added to *v (*n of them): 1, 0 when its pages do not answer, < 0 on an error. */
static int add_marks(sqlite3 *db, const char *tok, int64_t **v, size_t *n)
{
	nx_fts_seek *sk = NULL;
	int64_t *m = NULL, *all = NULL;
	size_t nm = 0;
	int rc = nx_fts_seek_open(db, tok, strlen(tok), 1, &sk);

	if (rc != SQLITE_OK || sk == NULL)
		return rc != SQLITE_OK ? -1 : 0;
	rc = nx_fts_seek_marks(sk, &m, &nm);
	nx_fts_seek_free(sk);
	if (rc != SQLITE_OK)
		return -1;
	if (nm == 0)
		return 1;
	if ((all = realloc(*v, (*n + nm) * sizeof(*all))) == NULL) {
		free(m);
		return -1;
	}
	memcpy(all + *n, m, nm * sizeof(*m));
	free(m);
	*v = all;
	*n += nm;
	return 1;
}

int nx_topk__split_marks(sqlite3 *db, const char *expr, const int64_t *known, int nknown, int64_t **out,
			 size_t *nout)
{
	nx_topk_forms f;
	const char *s = expr, *e = NULL;
	int i = 0, least = -1, ok = 1;

	*out = NULL;
	*nout = 0;
	if (known == NULL || nknown < 1 || nknown > NX_TOPK_MAX_PHRASES || nx_topk__plain(expr) != nknown)
		return 0;
	for (i = 0; i < nknown; i++) {
		if (known[i] < 0 && known[i] != NX_TOPK_NO_TOKEN)
			return 0;
		if (known[i] >= 0 && (least < 0 || known[i] < known[least]))
			least = i;
	}
	for (i = 0; i <= least; i++) {
		if ((e = skip_phrase(s)) == NULL)
			return 0;
		if (i < least)
			s = e + 1;
	}
	if (!(nx_topk__forms(db, s, (size_t)(e - s), &f) || nx_topk__forms_one(db, s, (size_t)(e - s), &f)) ||
	    f.ntok != f.n || f.ntok < 1)
		return 0;
	for (i = 0; i < f.ntok && ok == 1; i++)
		ok = add_marks(db, f.tok[i], out, nout);
	if (ok != 1 || *nout < 2) {
		free(*out);
		*out = NULL;
		*nout = 0;
		return ok < 0 ? -1 : 0;
	}
	qsort(*out, *nout, sizeof(**out), cmp_rowids);
	return 1;
}

size_t nx_topk__band_mid(const int64_t *sample, size_t n, int64_t lo, int64_t hi, int64_t *mid)
{
	size_t i = 0, a = n, b = 0;

	for (i = 0; i < n; i++) {
		if (sample[i] >= lo && sample[i] <= hi) {
			if (a == n)
				a = i;
			b = i + 1;
		}
	}
	if (a == n)
		return 0;
	*mid = sample[a + (b - a) / 2];
	return b - a;
}

int nx_topk__band(sqlite3 *db, const nx_topk_filter *flt, const char *one, const int64_t *known, int nknown,
		  int64_t *lo, int64_t *hi, int64_t *rows_all)
{
	int64_t a = 0, b = 0, n = 0;
	int band = nx_topk__filter_band(db, flt, &a, &b);

	if (band <= 0 || (one != NULL && (n = nx_topk__band_rows(db, one, known, nknown)) <= 0))
		return band < 0 ? -1 : 0;
	*lo = a;
	*hi = b;
	if (one != NULL)
		*rows_all = n;
	return 1;
}

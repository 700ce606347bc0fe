/*
 * topk.c - the best k rows of an FTS5 MATCH by bm25: see topk.h.
 *
 * bm25 as SQLite's fts5_aux.c computes it (fts5Bm25Function), for each
 * phrase i of the query:
 *
 *   idf[i]  = log((N - nHit + 0.5) / (nHit + 0.5)), 1e-6 when <= 0
 *   freq[i] = sum of the column weights of the phrase's instances in the row
 *   score  += idf[i] * (freq[i] * (k1 + 1)) / (freq[i] + k1 * (1 - b + b * D / avgdl))
 *
 * with k1 1.2, b 0.75, N the rows of the table, avgdl its tokens per row
 * and D the row's tokens in all columns.  The terms fall as D grows, so a
 * row's score is at most the same sum with D replaced by any smaller
 * length; the row's instances give one for free (an instance at offset o
 * of a column means that column holds more than o tokens).  Floating-point
 * rounding keeps that order (every step is monotonic), so the bound holds
 * on the computed values too, and a row whose bound is below the k-th
 * best score so far cannot enter the top k: its length is never read.
 */
#include "topk.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define NX_TOPK_K1 1.2
#define NX_TOPK_B 0.75
#define NX_TOPK_MAX_COLS 64

typedef struct topk_state {
	const double *w;
	int nw;
	int64_t nhit;
	size_t k;
	nx_topk_hit *heap; /* the best so far, worst at [0] */
	size_t n;
	int ready;
	int nphrase;
	int ncol;
	int rc;
	double avgdl;
	double idf[NX_TOPK_MAX_PHRASES];
	nx_topk_stats st;
} topk_state;

int nx_topk__plain(const char *expr)
{
	const char *s = expr;
	int n = 0;

	if (s == NULL)
		return 0;
	for (;;) {
		if (*s != '"')
			return 0;
		s++;
		for (;;) {
			if (*s == '\0')
				return 0;
			if (*s == '"' && s[1] == '"') {
				s += 2;
				continue;
			}
			if (*s == '"')
				break;
			s++;
		}
		s++;
		n++;
		if (*s == '\0')
			return n;
		if (*s != ' ' || s[1] != '"')
			return 0;
		s++;
	}
}

int nx_topk__weights(sqlite3 *db, double *w, int *nw)
{
	sqlite3_stmt *s = NULL;
	const char *v = NULL, *p = NULL;
	char *sql = NULL;
	size_t len = 0;
	int ok = 0, i = 0;

	*nw = 0;
	if (sqlite3_prepare_v2(db, "SELECT v FROM fts_config WHERE k = 'rank'", -1, &s, NULL) != SQLITE_OK)
		goto done;
	if (sqlite3_step(s) != SQLITE_ROW) {
		ok = 1; /* no rank setting: FTS5's default, bm25() */
		goto done;
	}
	v = (const char *)sqlite3_column_text(s, 0);
	if (v == NULL)
		goto done;
	while (*v == ' ')
		v++;
	if (strncmp(v, "bm25(", 5) != 0)
		goto done;
	v += 5;
	len = strlen(v);
	while (len > 0 && v[len - 1] == ' ')
		len--;
	if (len == 0 || v[len - 1] != ')')
		goto done;
	len--;
	/* numbers only: FTS5 evaluates them as "SELECT <args>" */
	for (p = v; p < v + len; p++) {
		if (strchr("0123456789.,+-eE ", *p) == NULL)
			goto done;
	}
	for (p = v; p < v + len && *p == ' '; p++)
		;
	if (p == v + len) {
		ok = 1;
		goto done;
	}
	sql = sqlite3_mprintf("SELECT %.*s", (int)len, v);
	sqlite3_finalize(s);
	s = NULL;
	if (sql == NULL || sqlite3_prepare_v2(db, sql, -1, &s, NULL) != SQLITE_OK)
		goto done;
	if (sqlite3_column_count(s) > NX_TOPK_MAX_WEIGHTS || sqlite3_step(s) != SQLITE_ROW)
		goto done;
	for (i = 0; i < sqlite3_column_count(s); i++) {
		if (sqlite3_column_type(s, i) != SQLITE_FLOAT && sqlite3_column_type(s, i) != SQLITE_INTEGER)
			goto done;
		w[i] = sqlite3_column_double(s, i);
	}
	*nw = i;
	ok = 1;
done:
	sqlite3_free(sql);
	sqlite3_finalize(s);
	return ok;
}

/* a ranks below b: lower score, or the same score and a later rowid */
static int worse(const nx_topk_hit *a, const nx_topk_hit *b)
{
	return a->score < b->score || (a->score == b->score && a->rowid > b->rowid);
}

static void sift_down(nx_topk_hit *h, size_t n, size_t i)
{
	for (;;) {
		size_t l = 2 * i + 1, r = l + 1, m = i;
		nx_topk_hit t;

		if (l < n && worse(&h[l], &h[m]))
			m = l;
		if (r < n && worse(&h[r], &h[m]))
			m = r;
		if (m == i)
			return;
		t = h[i];
		h[i] = h[m];
		h[m] = t;
		i = m;
	}
}

static void sift_up(nx_topk_hit *h, size_t i)
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

static int count_cb(const Fts5ExtensionApi *api, Fts5Context *fctx, void *ud)
{
	(void)api;
	(void)fctx;
	(*(sqlite3_int64 *)ud)++;
	return SQLITE_OK;
}

/* Once per query: avgdl and idf exactly as fts5Bm25GetData. */
static int prepare(topk_state *t, const Fts5ExtensionApi *api, Fts5Context *fctx)
{
	sqlite3_int64 nrow = 0, ntok = 0;
	int rc = SQLITE_OK, i = 0;

	t->nphrase = api->xPhraseCount(fctx);
	t->ncol = api->xColumnCount(fctx);
	if (t->nphrase > NX_TOPK_MAX_PHRASES || t->ncol > NX_TOPK_MAX_COLS || t->ncol < 1)
		return SQLITE_RANGE;
	rc = api->xRowCount(fctx, &nrow);
	if (rc == SQLITE_OK)
		rc = api->xColumnTotalSize(fctx, -1, &ntok);
	if (rc == SQLITE_OK)
		t->avgdl = (double)ntok / (double)nrow;
	for (i = 0; rc == SQLITE_OK && i < t->nphrase; i++) {
		sqlite3_int64 nhit = 0;
		double idf = 0;

		if (t->nphrase == 1 && t->nhit >= 0)
			nhit = t->nhit;
		else
			rc = api->xQueryPhrase(fctx, i, &nhit, count_cb);
		if (rc == SQLITE_OK) {
			idf = log((nrow - nhit + 0.5) / (nhit + 0.5));
			if (idf <= 0.0)
				idf = 1e-6;
			t->idf[i] = idf;
		}
	}
	return rc;
}

/* bm25's sum for a row of length d (the same operations in the same order) */
static double bm25(const topk_state *t, const double *freq, double d)
{
	const double k1 = NX_TOPK_K1;
	const double b = NX_TOPK_B;
	double score = 0.0;
	int i = 0;

	for (i = 0; i < t->nphrase; i++)
		score += t->idf[i] * ((freq[i] * (k1 + 1.0)) / (freq[i] + k1 * (1 - b + b * d / t->avgdl)));
	return score;
}

/* nx_topk(fts, state): called for each matching row, keeps the best k in state */
static void aux_topk(const Fts5ExtensionApi *api, Fts5Context *fctx, sqlite3_context *ctx, int nval,
		     sqlite3_value **vals)
{
	topk_state *t = nval == 1 ? sqlite3_value_pointer(vals[0], "nx_topk") : NULL;
	double freq[NX_TOPK_MAX_PHRASES];
	int colmax[NX_TOPK_MAX_COLS];
	nx_topk_hit h;
	int rc = SQLITE_OK, k = 0, ip = 0, ic = 0, io = 0, ntok = 0, lb = 0;

	if (t == NULL) {
		sqlite3_result_error(ctx, "nx_topk: no state", -1);
		return;
	}
	if (t->rc != SQLITE_OK)
		goto fail;
	if (!t->ready) {
		if ((t->rc = prepare(t, api, fctx)) != SQLITE_OK)
			goto fail;
		t->ready = 1;
	}
	t->st.rows++;
	memset(freq, 0, (size_t)t->nphrase * sizeof(*freq));
	memset(colmax, 0, (size_t)t->ncol * sizeof(*colmax));
	/* each phrase's instances in (column, offset) order, as xInst lists them */
	for (ip = 0; rc == SQLITE_OK && ip < t->nphrase; ip++) {
		Fts5PhraseIter it;

		rc = api->xPhraseFirst(fctx, ip, &it, &ic, &io);
		while (rc == SQLITE_OK && ic >= 0) {
			freq[ip] += t->nw > ic ? t->w[ic] : 1.0;
			if (ic < t->ncol && io + 1 > colmax[ic])
				colmax[ic] = io + 1;
			api->xPhraseNext(fctx, &it, &ic, &io);
		}
	}
	if (rc != SQLITE_OK) {
		t->rc = rc;
		goto fail;
	}
	h.rowid = api->xRowid(fctx);
	if (t->n == t->k) {
		/* full: skip the row when even its shortest possible length loses */
		for (k = 0; k < t->ncol; k++)
			lb += colmax[k];
		h.score = bm25(t, freq, (double)lb);
		if (worse(&h, &t->heap[0]))
			goto done;
	}
	if ((rc = api->xColumnSize(fctx, -1, &ntok)) != SQLITE_OK) {
		t->rc = rc;
		goto fail;
	}
	t->st.lengths++;
	h.score = bm25(t, freq, (double)ntok);
	if (t->n < t->k) {
		t->heap[t->n] = h;
		sift_up(t->heap, t->n++);
	} else if (worse(&t->heap[0], &h)) {
		t->heap[0] = h;
		sift_down(t->heap, t->n, 0);
	}
done:
	sqlite3_result_null(ctx);
	return;
fail:
	sqlite3_result_error_code(ctx, t->rc);
}

static int cmp_hit(const void *a, const void *b)
{
	const nx_topk_hit *x = a, *y = b;

	if (worse(x, y))
		return 1;
	if (worse(y, x))
		return -1;
	return 0;
}

static int register_aux(sqlite3 *db)
{
	fts5_api *api = NULL;
	sqlite3_stmt *s = NULL;

	if (sqlite3_prepare_v2(db, "SELECT fts5(?1)", -1, &s, NULL) != SQLITE_OK)
		return SQLITE_ERROR;
	sqlite3_bind_pointer(s, 1, (void *)&api, "fts5_api_ptr", NULL);
	sqlite3_step(s);
	sqlite3_finalize(s);
	if (api == NULL)
		return SQLITE_ERROR;
	return api->xCreateFunction(api, "nx_topk", NULL, aux_topk, NULL);
}

int nx_topk__run(sqlite3 *db, const char *expr, const double *w, int nw, int64_t nhit, size_t k,
		 nx_topk_hit **out, size_t *nout, nx_topk_stats *stats)
{
	sqlite3_stmt *s = NULL;
	topk_state t;
	int rc = SQLITE_OK;

	*out = NULL;
	*nout = 0;
	memset(&t, 0, sizeof(t));
	t.w = w;
	t.nw = nw;
	t.nhit = nhit;
	t.k = k;
	if (k == 0)
		goto done;
	if ((t.heap = malloc(k * sizeof(*t.heap))) == NULL) {
		rc = SQLITE_NOMEM;
		goto done;
	}
	if ((rc = register_aux(db)) != SQLITE_OK)
		goto done;
	rc = sqlite3_prepare_v2(db, "SELECT count(*) FROM fts WHERE fts MATCH ?1 AND nx_topk(fts, ?2) IS NOT NULL", -1, &s, NULL);
	if (rc != SQLITE_OK)
		goto done;
	sqlite3_bind_text(s, 1, expr, -1, SQLITE_STATIC);
	sqlite3_bind_pointer(s, 2, &t, "nx_topk", NULL);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW)
		rc = SQLITE_OK;
	else if (t.rc != SQLITE_OK)
		rc = t.rc;
	else if (rc == SQLITE_DONE)
		rc = SQLITE_ERROR;
	if (rc != SQLITE_OK)
		goto done;
	qsort(t.heap, t.n, sizeof(*t.heap), cmp_hit);
	*out = t.heap;
	*nout = t.n;
	t.heap = NULL;
done:
	sqlite3_finalize(s);
	free(t.heap);
	if (stats != NULL)
		*stats = t.st;
	return rc;
}

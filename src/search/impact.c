/*
 * impact.c - impact lists, made and read (the tables: index/impact.c).
 *
 * A search for one word in most articles ("said", "government") walks
 * the word's whole list in FTS5 to rank it: at a million articles that
 * is most of a million rows for ten hits.  The best rows of such a word
 * do not change until the index does, so optimize, and the end of a load
 * that wrote half the index or more (a new archive's first add), ranks
 * each word in NX_IMPACT_MIN_DF articles or more once, by
 * the same walk a search does, and keeps its best NX_IMPACT_ROWS rows
 * with their scores and its count of rows.  A search for that word alone,
 * with no filter, then reads them: the same rows, scores, order and total,
 * as long as the index holds the same articles (index/impact.c tells), or
 * those and articles added since (impact_fresh.c rescores the list and
 * walks the added rows).  Otherwise (another word, a filter, a page
 * deeper than the list, an article removed or replaced since, an older
 * index) the search walks as before.  A smaller
 * load leaves the lists off until the next optimize: making them walks
 * every frequent word (5 CPU seconds at a million articles), more than a
 * sync of a few thousand articles costs.
 */
#include "search/search_private.h"
#include "search/topk_private.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "index/impact.h"
#include "index/tokenizer.h"

int nx_search__impact_hits(nx_store *st, const char *expr, const double *cw, int ncw, size_t k, nx_topk_hit **out,
			   size_t *nout, int64_t *total)
{
	int64_t *rowid = malloc((k ? k : 1) * sizeof(*rowid));
	double *score = malloc((k ? k : 1) * sizeof(*score));
	nx_topk_hit *h = malloc((k ? k : 1) * sizeof(*h));
	size_t n = 0, i = 0;
	int rc = 0;

	*out = NULL;
	*nout = 0;
	if (rowid == NULL || score == NULL || h == NULL)
		rc = -1;
	else if ((rc = nx_impact__get(st->db, expr, k, rowid, score, &n, total)) == 1) {
		for (i = 0; i < n; i++) {
			h[i].rowid = rowid[i];
			h[i].score = score[i];
		}
		*out = h;
		*nout = n;
		h = NULL;
	}
	free(rowid);
	free(score);
	free(h);
	/* made before articles were added: its rows, rescored, and the added ones (impact_fresh.c) */
	if (rc == 0)
		rc = nx_search__impact_fresh(st, expr, cw, ncw, k, out, nout, total);
	return rc;
}

/* The words of the index in limit articles or more (their occurrences, an upper bound, first). */
static int frequent_words(nx_store *st, int64_t limit, char ***out, size_t *nout)
{
	sqlite3_stmt *s = NULL;
	char **w = NULL;
	size_t n = 0, cap = 0;
	int rc = sqlite3_prepare_v2(st->db, "SELECT w FROM vocab WHERE n >= ?1", -1, &s, NULL);

	*out = NULL;
	*nout = 0;
	if (rc != SQLITE_OK)
		return rc;
	sqlite3_bind_int64(s, 1, limit);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		const char *t = (const char *)sqlite3_column_text(s, 0);

		if (t == NULL)
			continue;
		if (n == cap) {
			char **nw = realloc(w, (cap = cap ? cap * 2 : 64) * sizeof(*w));

			if (nw == NULL)
				break;
			w = nw;
		}
		if ((w[n] = strdup(t)) == NULL)
			break;
		n++;
	}
	sqlite3_finalize(s);
	*out = w;
	*nout = n;
	return rc == SQLITE_DONE ? SQLITE_OK : rc == SQLITE_ROW ? SQLITE_NOMEM : rc;
}

/* Every row's length in tokens (all columns), by rowid, read once for the sets of rows. */
typedef struct row_lengths {
	int32_t *len;
	size_t n;
	int tried;
} row_lengths;

/* l from fts_docsize: SQLITE_OK (l->len NULL: no such table, no sets) or an error code. */
static int read_lengths(nx_store *st, row_lengths *l)
{
	sqlite3_stmt *s = NULL;
	int rc = SQLITE_OK;

	l->tried = 1;
	if (sqlite3_prepare_v2(st->db, "SELECT id, sz FROM fts_docsize ORDER BY id", -1, &s, NULL) != SQLITE_OK)
		return SQLITE_OK;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		int64_t id = sqlite3_column_int64(s, 0);
		const unsigned char *p = sqlite3_column_blob(s, 1), *end = p + sqlite3_column_bytes(s, 1);
		uint64_t v = 0, sum = 0;
		int used = 0;

		if (id < 0 || id >= ((int64_t)1 << 33)) {
			rc = SQLITE_RANGE;
			break;
		}
		if ((size_t)id >= l->n) {
			size_t n = l->n ? l->n : 65536;
			int32_t *len = NULL;

			while (n <= (size_t)id)
				n *= 2;
			if ((len = realloc(l->len, n * sizeof(*len))) == NULL) {
				rc = SQLITE_NOMEM;
				break;
			}
			memset(len + l->n, 0, (n - l->n) * sizeof(*len));
			l->len = len;
			l->n = n;
		}
		for (; p != NULL && p < end && (used = nx_impact__sqlite_varint(p, end, &v)) > 0; p += used)
			sum += v;
		l->len[id] = sum > INT32_MAX ? INT32_MAX : (int32_t)sum;
	}
	sqlite3_finalize(s);
	if (rc == SQLITE_DONE)
		return SQLITE_OK;
	free(l->len);
	l->len = NULL;
	l->n = 0;
	return rc == SQLITE_RANGE ? SQLITE_OK : rc; /* rowids too large for a bitmap: no sets */
}

/* What nx_impact_rowset marks and scores, row by row. */
typedef struct rowset_state {
	const row_lengths *l;
	const double *cw;
	int ncw;
	int64_t df;
	double idf, avgdl;
	int ready;
	int64_t rows;
	uint64_t *w; /* the rows */
	size_t nw;
	double *max; /* per 64 rowids (a word of w): the best score */
	int rc;
} rowset_state;

static int rowset_grow(rowset_state *t, int64_t rowid)
{
	size_t nw = t->nw ? t->nw : 1024, at = (size_t)(rowid >> 6);
	uint64_t *w = NULL;
	double *max = NULL;

	while (nw <= at)
		nw *= 2;
	if ((w = realloc(t->w, nw * sizeof(*w))) == NULL)
		return SQLITE_NOMEM;
	t->w = w;
	if ((max = realloc(t->max, nw * sizeof(*max))) == NULL)
		return SQLITE_NOMEM;
	t->max = max;
	memset(w + t->nw, 0, (nw - t->nw) * sizeof(*w));
	memset(max + t->nw, 0, (nw - t->nw) * sizeof(*max));
	t->nw = nw;
	return SQLITE_OK;
}

/* One row of the word: marked, and its bm25 (as the walk scores it) raised into its block's best. */
static int rowset_row(rowset_state *t, const Fts5ExtensionApi *api, Fts5Context *fctx)
{
	static const double one = 1.0;
	int64_t rowid = api->xRowid(fctx);
	double freq = 0, d = 0, x = 0, score = 0;
	int rc = SQLITE_OK, ic = 0, io = 0, ntok = 0;
	Fts5PhraseIter it;

	if (!t->ready) {
		sqlite3_int64 nrow = 0, ntoks = 0;

		if ((rc = api->xRowCount(fctx, &nrow)) != SQLITE_OK ||
		    (rc = api->xColumnTotalSize(fctx, -1, &ntoks)) != SQLITE_OK)
			return rc;
		t->avgdl = (double)ntoks / (double)nrow;
		t->idf = nx_bm25_idf(nrow, t->df);
		t->ready = 1;
	}
	if (rowid < 0 || (size_t)rowid >= t->l->n)
		return SQLITE_RANGE;
	if ((size_t)(rowid >> 6) >= t->nw && (rc = rowset_grow(t, rowid)) != SQLITE_OK)
		return rc;
	t->w[rowid >> 6] |= (uint64_t)1 << (rowid & 63);
	/* every 1024th row: the length read is FTS5's own, or no set */
	if (t->rows++ % 1024 == 0 &&
	    ((rc = api->xColumnSize(fctx, -1, &ntok)) != SQLITE_OK || ntok != t->l->len[rowid]))
		return rc != SQLITE_OK ? rc : SQLITE_MISMATCH;
	for (rc = api->xPhraseFirst(fctx, 0, &it, &ic, &io); rc == SQLITE_OK && ic >= 0;
	     api->xPhraseNext(fctx, &it, &ic, &io))
		freq += t->ncw > ic ? t->cw[ic] : 1.0;
	/* as the walk of the word alone scores it: bm25 with idf 1, times idf (topk.c's finish_defer) */
	d = (double)t->l->len[rowid];
	x = nx_bm25(&one, &freq, 1, d, t->avgdl);
	score = 0.0 + t->idf * x;
	if (score > t->max[rowid >> 6])
		t->max[rowid >> 6] = score;
	return rc;
}

/* xQueryPhrase callback: one row of the word */
static int rowset_cb(const Fts5ExtensionApi *api, Fts5Context *fctx, void *ud)
{
	return rowset_row(ud, api, fctx);
}

/* nx_impact_rowset(fts, state): on the first row, every row of the word, read inside FTS5 */
static void aux_rowset(const Fts5ExtensionApi *api, Fts5Context *fctx, sqlite3_context *ctx, int nval,
		       sqlite3_value **vals)
{
	rowset_state *t = nx_topk__aux_state(ctx, nval, vals, "nx_impact_rowset");

	if (t == NULL)
		return;
	if (t->rc == SQLITE_OK && t->rows == 0)
		t->rc = api->xQueryPhrase(fctx, 0, t, rowset_cb);
	if (t->rc != SQLITE_OK)
		sqlite3_result_error_code(ctx, t->rc);
	else
		sqlite3_result_null(ctx);
}

/* The set of rows of the phrase expr (df of them) and its blocks' best scores, stored beside its list. */
static int build_set(nx_store *st, const char *expr, int64_t df, const double *cw, int ncw, row_lengths *l)
{
	fts5_api *api = nx_fts5_api(st->db);
	sqlite3_stmt *s = NULL;
	rowset_state t;
	int rc = SQLITE_OK;

	if (!l->tried && (rc = read_lengths(st, l)) != SQLITE_OK)
		return rc;
	if (l->len == NULL || api == NULL)
		return SQLITE_OK; /* no lengths to be had: no sets, the counts walk */
	memset(&t, 0, sizeof(t));
	t.l = l;
	t.cw = cw;
	t.ncw = ncw;
	t.df = df;
	if (nx_topk__aux(st->db, "nx_impact_rowset", aux_rowset) != SQLITE_OK)
		return SQLITE_ERROR;
	rc = sqlite3_prepare_v2(st->db, "SELECT nx_impact_rowset(fts, ?2) FROM fts WHERE fts MATCH ?1 LIMIT 1", -1,
				&s, NULL);
	if (rc == SQLITE_OK) {
		sqlite3_bind_text(s, 1, expr, -1, SQLITE_STATIC);
		sqlite3_bind_pointer(s, 2, &t, "nx_impact_rowset", NULL);
		rc = sqlite3_step(s);
		rc = t.rc != SQLITE_OK ? t.rc : rc == SQLITE_ROW || rc == SQLITE_DONE ? SQLITE_OK : rc;
	}
	sqlite3_finalize(s);
	if (rc == SQLITE_OK && t.w != NULL)
		rc = nx_impact__put_set(st->db, expr, t.w, t.nw, t.max);
	else if (rc == SQLITE_MISMATCH || rc == SQLITE_RANGE)
		rc = SQLITE_OK; /* lengths not FTS5's, or past them: no set, the counts walk */
	free(t.w);
	free(t.max);
	return rc;
}

/* The list of the word w (its expression as a search writes it), when it has one; seen: done already. */
static int build_one(nx_store *st, const char *w, const double *cw, int ncw, int64_t min_df, size_t rows,
		     int64_t nrow, row_lengths *l, nx_buf *seen)
{
	nx_error err = NX_ERROR_INIT;
	nx_query *q = NULL;
	nx_topk_hit *h = NULL;
	int64_t *rowid = NULL, total = 0;
	double *score = NULL;
	size_t n = 0, i = 0, len = 0;
	int rc = SQLITE_OK;

	if (nx_query_compile(&q, w, &err) < 0 || q->fts == NULL || nx_topk__plain(q->fts) != 1)
		goto done; /* a stop word, or not one plain phrase */
	len = strlen(q->fts);
	for (i = 0; i + len < seen->len; i += strlen(seen->buf + i) + 1)
		if (strcmp(seen->buf + i, q->fts) == 0)
			goto done;
	nx_buf_add(seen, q->fts, len + 1);
	if ((rc = nx_topk__run(st->db, NULL, q->fts, cw, ncw, -1, NULL, 0, NULL, rows, &h, &n, &total, NULL,
			       NULL)) != SQLITE_OK || total < min_df)
		goto done;
	rowid = malloc((n ? n : 1) * sizeof(*rowid));
	score = malloc((n ? n : 1) * sizeof(*score));
	if (rowid == NULL || score == NULL) {
		rc = SQLITE_NOMEM;
		goto done;
	}
	for (i = 0; i < n; i++) {
		rowid[i] = h[i].rowid;
		score[i] = h[i].score;
	}
	if ((rc = nx_impact__put(st->db, q->fts, total, rowid, score, n)) == SQLITE_OK &&
	    total * NX_IMPACT_SET_SHARE >= nrow)
		rc = build_set(st, q->fts, total, cw, ncw, l);
done:
	free(rowid);
	free(score);
	free(h);
	nx_query_free(q);
	nx_error_clear(&err);
	return rc;
}

int nx_search__impact_build(nx_store *st, int64_t min_df, size_t rows, nx_error *err)
{
	double cw[NX_TOPK_MAX_WEIGHTS];
	nx_buf seen = NX_BUF_INIT;
	row_lengths lengths = { NULL, 0, 0 };
	char **w = NULL;
	size_t nw = 0, i = 0;
	int64_t last = 0;
	int ncw = 0, rc = SQLITE_OK;

	if (nx_store__query_int(st, "SELECT coalesce(max(id), 0) FROM article", &last) != 0)
		return nx_store__dberr(st, err, "cannot make the lists of frequent words");
	if ((rc = nx_store_begin(st, err)) < 0)
		return rc;
	if (last < min_df) {
		/* too few articles for any word to need a list */
		rc = nx_impact__drop(st->db);
		goto end;
	}
	if (nx_search__register(st) != SQLITE_OK || !nx_topk__weights(st->db, cw, &ncw)) {
		rc = nx_impact__drop(st->db); /* a ranking the lists cannot stand for */
		goto end;
	}
	if ((rc = nx_impact__reset(st->db)) != SQLITE_OK || (rc = frequent_words(st, min_df, &w, &nw)) != SQLITE_OK)
		goto end;
	for (i = 0; i < nw && rc == SQLITE_OK; i++)
		rc = build_one(st, w[i], cw, ncw, min_df, rows, last, &lengths, &seen);
	if (rc == SQLITE_OK)
		rc = nx_impact__put_pub(st->db);
	if (rc == SQLITE_OK)
		rc = nx_impact__seal(st->db);
end:
	for (i = 0; i < nw; i++)
		free(w[i]);
	free(w);
	nx_buf_free(&seen);
	free(lengths.len);
	if (rc != SQLITE_OK) {
		int e = nx_store__dberr(st, err, "cannot make the lists of frequent words");

		nx_store_rollback(st);
		return e;
	}
	return nx_store_commit(st, err);
}

int nx_search_impact_build(nx_store *st, int64_t written, nx_error *err)
{
	int64_t last = 0;

	if (written >= 0) {
		/* a load of a few articles into a large index: not worth a walk of every frequent word */
		if (nx_store__query_int(st, "SELECT coalesce(max(id), 0) FROM article", &last) != 0)
			return nx_store__dberr(st, err, "cannot make the lists of frequent words");
		if (written == 0 || written * 2 < last)
			return NX_OK;
	}
	return nx_search__impact_build(st, NX_IMPACT_MIN_DF, NX_IMPACT_ROWS, err);
}

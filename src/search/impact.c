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

void nx_search__impact_counts(nx_store *st, const char *expr, int64_t *known, int n)
{
	sqlite3_stmt *s = NULL;
	nx_buf ph = NX_BUF_INIT;
	const char *at = expr, *e = NULL;
	int i = 0, filled = 0, unknown = 0, least = -1;

	if (n < 2 || nx_impact__df_prepare(st->db, &s) != SQLITE_OK)
		goto done;
	for (i = 0; i < n && at != NULL && (e = skip_phrase(at)) != NULL; i++) {
		int64_t df = 0;

		if (known[i] < 0 && e - at > 2 && memchr(at + 1, '"', (size_t)(e - at - 2)) == NULL &&
		    memchr(at + 1, ' ', (size_t)(e - at - 2)) == NULL &&
		    nx_tokenizer_dropped(at + 1, (size_t)(e - at - 2), nx_store__stoplist(st))) {
			known[i] = NX_TOPK_NO_TOKEN; /* a stop word the index drops: FTS5 leaves the phrase out */
		} else if (known[i] < 0) {
			nx_buf_reset(&ph);
			nx_buf_add(&ph, at, (size_t)(e - at));
			nx_buf_addch(&ph, '\0');
			if (nx_buf_ok(&ph) && nx_impact__df(s, ph.buf, &df) == 1) {
				known[i] = df;
				filled++;
				if (least < 0 || df < known[least])
					least = i;
			} else {
				unknown++;
			}
		}
		at = *e == ' ' ? e + 1 : NULL;
	}
	/* every count stored: the phrase of fewest rows is still walked, for the rowids a split follows */
	if (filled > 0 && unknown == 0 && least >= 0)
		known[least] = -1;
done:
	sqlite3_finalize(s);
	nx_buf_free(&ph);
}

/* The words of the index in limit articles or more, fewer than below (their occurrences, an upper bound, first). */
static int frequent_words(nx_store *st, int64_t limit, int64_t below, char ***out, size_t *nout)
{
	sqlite3_stmt *s = NULL;
	char **w = NULL;
	size_t n = 0, cap = 0;
	int rc = sqlite3_prepare_v2(st->db, "SELECT w FROM vocab WHERE n >= ?1 AND n < ?2", -1, &s, NULL);

	*out = NULL;
	*nout = 0;
	if (rc != SQLITE_OK)
		return rc;
	sqlite3_bind_int64(s, 1, limit);
	sqlite3_bind_int64(s, 2, below);
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
	nx_topk__aux_result(ctx, t->rc);
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
	/* (a twin's set would be its twin's: not walked for) */
	if ((rc = nx_impact__put(st->db, q->fts, total, rowid, score, n)) == SQLITE_OK &&
	    total * NX_IMPACT_SET_SHARE >= nrow && !nx_impact__is_twin(st->db, q->fts))
		rc = build_set(st, q->fts, total, cw, ncw, l);
done:
	free(rowid);
	free(score);
	free(h);
	nx_query_free(q);
	nx_error_clear(&err);
	return rc;
}

/*
 * The lists of word w and of each stem a query's phrase of it also finds
 * ("expected": "expect"): a question or a feedback word writes the stem
 * ("expect", "peopl"), which finds no list under the word.  A stem's list
 * is mostly the word's rows again, stored as its twin.
 */
static int build_forms(nx_store *st, const char *w, const double *cw, int ncw, int64_t min_df, size_t rows,
		       int64_t nrow, row_lengths *l, nx_buf *seen, fts5_tokenizer *tk, Fts5Tokenizer *tok)
{
	word_forms f;
	int i = 0, rc = build_one(st, w, cw, ncw, min_df, rows, nrow, l, seen);

	if (rc != SQLITE_OK || tok == NULL || nx_search__word_forms(tk, tok, w, &f) != SQLITE_OK)
		return rc;
	for (i = 0; i < f.n && rc == SQLITE_OK; i++)
		if (strcmp(f.f[i], w) != 0)
			rc = build_one(st, f.f[i], cw, ncw, min_df, rows, nrow, l, seen);
	return rc;
}

/*
 * Less frequent words whose phrase finds a frequent stem ("profits":
 * "profit", "quarterly": "quarter"), in min_df / NX_IMPACT_FORM_SHARE
 * rows or more: when the word itself is no term of the index (every
 * article stemmed it), its phrase matches the stem's rows at the stem's
 * places, so its list is the stem's, stored as its twin without a walk.
 */
#define NX_IMPACT_FORM_SHARE 50

static int build_twins(nx_store *st, int64_t min_df, nx_buf *seen, fts5_tokenizer *tk, Fts5Tokenizer *tok)
{
	nx_error err = NX_ERROR_INIT;
	sqlite3_stmt *upto = NULL;
	nx_buf stem = NX_BUF_INIT;
	char **w = NULL;
	size_t nw = 0, i = 0, k = 0;
	int rc = frequent_words(st, min_df / NX_IMPACT_FORM_SHARE, min_df, &w, &nw);

	if (rc == SQLITE_OK && nx_search__upto_prepare(st, &upto) != SQLITE_OK)
		nw = 0; /* no count of a term: no twins */
	for (i = 0; i < nw && rc == SQLITE_OK; i++) {
		nx_query *q = NULL;
		word_forms f, g;
		size_t len = 0;
		int got = 0;

		if (nx_search__word_forms(tk, tok, w[i], &f) != SQLITE_OK || f.more || f.n != 2 ||
		    strcmp(f.f[0], w[i]) != 0 || nx_query_compile(&q, w[i], &err) < 0 || q->fts == NULL ||
		    nx_topk__plain(q->fts) != 1)
			goto next;
		/* the stem's own phrase must find the stem alone (a stem of the stem would add its rows) */
		if (nx_search__word_forms(tk, tok, f.f[1], &g) != SQLITE_OK || g.more || g.n != 1 ||
		    strcmp(g.f[0], f.f[1]) != 0)
			goto next;
		len = strlen(q->fts);
		for (k = 0; k + len < seen->len; k += strlen(seen->buf + k) + 1)
			if (strcmp(seen->buf + k, q->fts) == 0)
				goto next;
		nx_buf_reset(&stem);
		nx_fts5_quote(&stem, f.f[1], strlen(f.f[1]));
		nx_buf_addch(&stem, '\0');
		/* the word as a term of its own (an article in a language that keeps it) would add rows */
		if (!nx_buf_ok(&stem) || nx_search__count_upto(upto, w[i], 1) != 0)
			goto next;
		if ((got = nx_impact__put_twin(st->db, q->fts, stem.buf)) < 0)
			rc = -got;
		else if (got > 0)
			nx_buf_add(seen, q->fts, len + 1);
	next:
		nx_query_free(q);
		nx_error_clear(&err);
	}
	for (i = 0; i < nw; i++)
		free(w[i]);
	free(w);
	nx_buf_free(&stem);
	sqlite3_finalize(upto);
	return rc;
}

int nx_search__impact_build(nx_store *st, int64_t min_df, size_t rows, nx_error *err)
{
	fts5_tokenizer tk;
	Fts5Tokenizer *tok = NULL;
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
	if ((rc = nx_impact__reset(st->db)) != SQLITE_OK || (rc = frequent_words(st, min_df, INT64_MAX, &w, &nw)) != SQLITE_OK)
		goto end;
	if (nx_search__tokenizer(st, &tk, &tok) != SQLITE_OK)
		tok = NULL; /* the words' lists alone */
	for (i = 0; i < nw && rc == SQLITE_OK; i++)
		rc = build_forms(st, w[i], cw, ncw, min_df, rows, last, &lengths, &seen, &tk, tok);
	if (rc == SQLITE_OK && tok != NULL)
		rc = build_twins(st, min_df, &seen, &tk, tok);
	if (rc == SQLITE_OK)
		rc = nx_impact__put_pub(st->db);
	if (rc == SQLITE_OK)
		rc = nx_impact__seal(st->db);
end:
	if (tok != NULL)
		tk.xDelete(tok);
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

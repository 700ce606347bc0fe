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
 * as long as the index holds the same articles (index/impact.c tells).
 * Otherwise (another word, a filter, a page deeper than the list, an index
 * changed since, an older index) the search walks as before.  A smaller
 * load leaves the lists off until the next optimize: making them walks
 * every frequent word (5 CPU seconds at a million articles), more than a
 * sync of a few thousand articles costs.
 */
#include "search/search_private.h"

#include <stdlib.h>
#include <string.h>

#include "index/impact.h"

int nx_search__impact_hits(nx_store *st, const char *expr, size_t k, nx_topk_hit **out, size_t *nout,
			   int64_t *total)
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

/* The set of rows of the phrase expr, stored beside its list. */
static int build_set(nx_store *st, const char *expr)
{
	uint64_t *w = NULL;
	size_t nw = 0;
	int rc = nx_topk__phrase_rows(st->db, expr, &w, &nw);

	if (rc == SQLITE_OK && w != NULL)
		rc = nx_impact__put_set(st->db, expr, w, nw);
	else if (rc == SQLITE_RANGE)
		rc = SQLITE_OK; /* rowids too large for a bitmap: the count walks */
	free(w);
	return rc;
}

/* The list of the word w (its expression as a search writes it), when it has one; seen: done already. */
static int build_one(nx_store *st, const char *w, const double *cw, int ncw, int64_t min_df, size_t rows,
		     int64_t nrow, nx_buf *seen)
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
		rc = build_set(st, q->fts);
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
		rc = build_one(st, w[i], cw, ncw, min_df, rows, last, &seen);
	if (rc == SQLITE_OK)
		rc = nx_impact__seal(st->db);
end:
	for (i = 0; i < nw; i++)
		free(w[i]);
	free(w);
	nx_buf_free(&seen);
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

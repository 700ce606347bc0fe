/*
 * count.c - counting: the matches of a search (its total), rows of an
 * expression up to a limit, and a term's documents in the vocabulary.
 */
#include "search/search_private.h"
#include "search/topk_private.h"

#include <stdlib.h>
#include <string.h>

#include "article/lang.h"
#include "index/impact.h"
#include "index/tokenizer.h"

/* Count matches of expr (NULL: filters only), current and optionally revisions. */
int nx_search__count(nx_store *st, plan *p, const char *expr, int revisions, int64_t *out, nx_error *err)
{
	sq q;
	sqlite3_stmt *s = NULL;
	int rc = NX_OK;

	memset(&q, 0, sizeof(q));
	nx_buf_init(&q.sql);
	nx_buf_adds(&q.sql, "SELECT (SELECT count(*)");
	if (expr != NULL && !nx_search__plan_filters(p)) {
		/* no metadata needed: FTS5 alone counts */
		nx_buf_adds(&q.sql, " FROM fts WHERE fts MATCH ");
		nx_search__sq_text(&q, expr);
	} else {
		nx_search__add_from(&q, p, expr);
	}
	nx_buf_adds(&q.sql, ")");
	if (revisions && expr != NULL) {
		nx_buf_adds(&q.sql, " + (SELECT count(*)");
		nx_search__add_from_revisions(&q, p, expr);
		nx_buf_adds(&q.sql, ")");
	}
	if ((rc = nx_search__sq_prepare(st, &q, &s, err)) == NX_OK) {
		if (sqlite3_step(s) == SQLITE_ROW)
			*out = sqlite3_column_int64(s, 0);
		else
			rc = nx_store__dberr(st, err, "cannot search the index");
	}
	sqlite3_finalize(s);
	nx_buf_free(&q.sql);
	return rc;
}

/* The statement of nx_search__vocab_df, over a temporary fts5vocab table. */
int nx_search__vocab_prepare(nx_store *st, sqlite3_stmt **df)
{
	int rc = sqlite3_exec(st->db, "CREATE VIRTUAL TABLE IF NOT EXISTS temp.nx_vocab USING fts5vocab(main, 'fts', 'row')",
			      NULL, NULL, NULL);

	*df = NULL;
	if (rc == SQLITE_OK)
		rc = sqlite3_prepare_v2(st->db, "SELECT doc FROM temp.nx_vocab WHERE term = ?1", -1, df, NULL);
	return rc;
}

/* Document frequency of term in the index vocabulary (0 when absent). */
int64_t nx_search__vocab_df(sqlite3_stmt *df, const char *t, size_t n)
{
	int64_t v = 0;

	sqlite3_reset(df);
	sqlite3_bind_text(df, 1, t, (int)n, SQLITE_TRANSIENT);
	if (sqlite3_step(df) == SQLITE_ROW)
		v = sqlite3_column_int64(df, 0);
	return v;
}

/* What nx_count_upto counts into: the rows of the matched phrase, up to lim (< 0: all). */
typedef struct upto_state {
	int64_t lim, n;
	int called, rc;
} upto_state;

/* xQueryPhrase callback: one row more, and SQLITE_DONE (the walk stops) at the limit */
static int upto_row(const Fts5ExtensionApi *api, Fts5Context *fctx, void *ud)
{
	upto_state *u = ud;

	(void)api;
	(void)fctx;
	return ++u->n == u->lim ? SQLITE_DONE : SQLITE_OK;
}

/* nx_count_upto(fts, state): on the first row, the phrase's rows walked from its start, up to the limit */
static void aux_upto(const Fts5ExtensionApi *api, Fts5Context *fctx, sqlite3_context *ctx, int nval,
		     sqlite3_value **vals)
{
	upto_state *u = nx_topk__aux_state(ctx, nval, vals, "nx_count_upto");

	if (u == NULL)
		return;
	if (!u->called) {
		u->called = 1;
		u->rc = api->xQueryPhrase(fctx, 0, u, upto_row);
	}
	if (u->rc != SQLITE_OK)
		sqlite3_result_error_code(ctx, u->rc);
	else
		sqlite3_result_null(ctx);
}

int nx_search__upto_prepare(nx_store *st, sqlite3_stmt **s)
{
	int rc = nx_topk__aux(st->db, "nx_count_upto", aux_upto);

	*s = NULL;
	if (rc == SQLITE_OK)
		rc = sqlite3_prepare_v2(st->db, "SELECT nx_count_upto(fts, ?2) FROM fts WHERE fts MATCH ?1 LIMIT 1", -1,
					s, NULL);
	return rc;
}

/*
 * Documents holding the indexed term t, counted up to limit: a walk of
 * its list that stops there, where fts5vocab reads the whole list (7 ms
 * for "said" at 200k articles), inside FTS5 (xQueryPhrase), a third of
 * the time of an SQL count of its rows.  The phrase carries the marker
 * of a language without a stemmer ("zxx", no linguistic content), so the
 * tokenizer hands the term over as it is.  Returns the count (limit when
 * there are at least that many), or -1.
 */
int64_t nx_search__count_upto(sqlite3_stmt *s, const char *t, int64_t limit)
{
	nx_buf m = NX_BUF_INIT, q = NX_BUF_INIT;
	upto_state u;
	int rc = SQLITE_OK;

	if (limit == 0)
		return 0; /* as LIMIT 0 */
	memset(&u, 0, sizeof(u));
	u.lim = limit;
	nx_buf_addch(&m, NX_LANG_MARK);
	nx_buf_adds(&m, "zxx");
	nx_buf_addch(&m, NX_LANG_MARK);
	nx_buf_adds(&m, t);
	nx_fts5_quote(&q, m.buf, m.len);
	nx_buf_free(&m);
	if (!nx_buf_ok(&q)) {
		nx_buf_free(&q);
		return -1;
	}
	sqlite3_reset(s);
	sqlite3_bind_text(s, 1, q.buf, -1, SQLITE_STATIC);
	sqlite3_bind_pointer(s, 2, &u, "nx_count_upto", NULL);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW)
		;
	sqlite3_reset(s);
	nx_buf_free(&q);
	return rc == SQLITE_DONE && u.rc == SQLITE_OK ? u.n : -1;
}

/*
 * Documents holding the indexed term t as the impact lists stored them,
 * no list walked: when the phrase "t" a query writes is the term t alone
 * (no other form, no stem in another language: the rows it matches are
 * those nx_search__count_upto walks) and a list for it was made from the
 * index as it is (a term in NX_IMPACT_MIN_DF rows or more).  -1 otherwise.
 */
int64_t nx_search__stored_df(sqlite3_stmt *s, fts5_tokenizer *tk, Fts5Tokenizer *tok, const char *t)
{
	word_forms f;
	nx_buf q = NX_BUF_INIT;
	int64_t df = -1;

	if (s == NULL || tok == NULL || *t == '\0' || nx_search__word_forms(tk, tok, t, &f) != SQLITE_OK || f.more ||
	    f.n != 1 || strcmp(f.f[0], t) != 0)
		return -1;
	nx_fts5_quote(&q, t, strlen(t));
	if (!nx_buf_ok(&q) || nx_impact__df(s, q.buf, &df) != 1)
		df = -1;
	nx_buf_free(&q);
	return df;
}

/* Rows of the full-text index matching expr, counted up to limit; -1 on an error. */
int64_t nx_search__strict_upto(nx_store *st, const char *expr, int64_t limit, int64_t **rows)
{
	sqlite3_stmt *s = NULL;
	int64_t n = 0, *r = NULL;
	int step = SQLITE_ERROR;

	*rows = NULL;
	if (limit <= 0 || (r = malloc((size_t)limit * sizeof(*r))) == NULL ||
	    sqlite3_prepare_v2(st->db, NX_MATCH_ROWS_SQL, -1, &s, NULL) != SQLITE_OK) {
		free(r);
		return -1;
	}
	sqlite3_bind_text(s, 1, expr, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 2, limit);
	while ((step = sqlite3_step(s)) == SQLITE_ROW)
		r[n++] = sqlite3_column_int64(s, 0);
	sqlite3_finalize(s);
	if (step != SQLITE_DONE) {
		free(r);
		return -1;
	}
	if (n > 0 && n < limit)
		*rows = r;
	else
		free(r);
	return n;
}

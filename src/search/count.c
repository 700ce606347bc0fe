/*
 * count.c - counting: the matches of a search (its total), rows of an
 * expression up to a limit, and a term's documents in the vocabulary.
 */
#include "search/search_private.h"

#include <string.h>

#include "article/lang.h"
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

/* Rows matching expr counted with s (NX_MATCH_UPTO_SQL), up to limit; -1 on an error. */
int64_t nx_search__match_upto(sqlite3_stmt *s, const char *expr, int64_t limit)
{
	int64_t v = -1;

	sqlite3_reset(s);
	sqlite3_bind_text(s, 1, expr, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 2, limit);
	if (sqlite3_step(s) == SQLITE_ROW)
		v = sqlite3_column_int64(s, 0);
	sqlite3_reset(s);
	return v;
}

/*
 * Documents holding the indexed term t, counted up to limit: a walk of
 * its list that stops there, where fts5vocab reads the whole list (7 ms
 * for "said" at 200k articles).  The phrase carries the marker of a
 * language without a stemmer ("zxx", no linguistic content), so the
 * tokenizer hands the term over as it is.  Returns the count (limit when
 * there are at least that many), or -1.
 */
int64_t nx_search__count_upto(sqlite3_stmt *s, const char *t, int64_t limit)
{
	nx_buf m = NX_BUF_INIT, q = NX_BUF_INIT;
	int64_t v = -1;

	nx_buf_addch(&m, NX_LANG_MARK);
	nx_buf_adds(&m, "zxx");
	nx_buf_addch(&m, NX_LANG_MARK);
	nx_buf_adds(&m, t);
	nx_fts5_quote(&q, m.buf, m.len);
	nx_buf_free(&m);
	if (nx_buf_ok(&q))
		v = nx_search__match_upto(s, q.buf, limit);
	nx_buf_free(&q);
	return v;
}

/* Rows of the full-text index matching expr, counted up to limit; -1 on an error. */
int64_t nx_search__strict_upto(nx_store *st, const char *expr, int64_t limit)
{
	sqlite3_stmt *s = NULL;
	int64_t n = -1;

	if (sqlite3_prepare_v2(st->db, NX_MATCH_UPTO_SQL, -1, &s, NULL) == SQLITE_OK)
		n = nx_search__match_upto(s, expr, limit);
	sqlite3_finalize(s);
	return n;
}

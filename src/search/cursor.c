/*
 * cursor.c - nx_cursor: the current articles one after another, by row id,
 * from one statement held open (a single read snapshot), each loaded with
 * nx_store__load; the optional query selects rows through FTS5 and the
 * filters are tested on the loaded article (nx_filter_match).  A reader
 * maps the index file (mmap_size), and a walk would touch every page of
 * it, so that the mapped pages -- counted as the process's memory -- grew
 * with the archive: the walk reads through the page cache instead, and
 * gives the mapping back when it ends.
 */
#include "newsidx/cursor.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "index/store_private.h"
#include "newsidx/query.h"

struct nx_cursor {
	nx_store *st;
	sqlite3_stmt *rows; /* the row ids, ascending */
	nx_query *q;        /* compiled query (its filter applies), or NULL */
	nx_filter filter;   /* a copy of the caller's filter */
	int64_t count;
	int done;
	int64_t mmap_was;   /* the connection's mmap_size before the walk, -1: unknown */
};

static const char cursor_all_sql[] = "SELECT id FROM article ORDER BY id";
static const char cursor_match_sql[] = "SELECT rowid FROM fts WHERE fts MATCH ?1 ORDER BY rowid";

static const char ids_recent_sql[] = "SELECT nx_uid(uid), title FROM article ORDER BY id DESC LIMIT ?2";
static const char ids_prefix_sql[] =
	"SELECT nx_uid(uid), title FROM article WHERE uid BETWEEN nx_uid_key(?1, '0') AND nx_uid_key(?1, 'f')"
	" ORDER BY uid LIMIT ?2";

static int64_t mmap_size(sqlite3 *db)
{
	sqlite3_stmt *s = NULL;
	int64_t v = -1;

	if (sqlite3_prepare_v2(db, "PRAGMA mmap_size", -1, &s, NULL) == SQLITE_OK && sqlite3_step(s) == SQLITE_ROW)
		v = sqlite3_column_int64(s, 0);
	sqlite3_finalize(s);
	return v;
}

static void set_mmap_size(sqlite3 *db, int64_t v)
{
	char sql[64];

	snprintf(sql, sizeof(sql), "PRAGMA mmap_size = %lld", (long long)v);
	sqlite3_exec(db, sql, NULL, NULL, NULL);
}

static int copy_filter(nx_filter *dst, const nx_filter *src)
{
	*dst = *src;
	dst->source = dst->author = dst->lang = NULL;
	if (nx_filter_set_str(&dst->source, src->source) < 0 || nx_filter_set_str(&dst->author, src->author) < 0 ||
	    nx_filter_set_str(&dst->lang, src->lang) < 0)
		return NX_ENOMEM;
	return NX_OK;
}

int nx_cursor_open(nx_cursor **out, nx_store *st, const char *query, const nx_filter *filter, nx_error *err)
{
	nx_cursor *w = NULL;
	const char *fts = NULL;
	int rc = NX_OK;

	*out = NULL;
	if ((w = calloc(1, sizeof(*w))) == NULL)
		return nx_error_set(err, NX_ENOMEM, "out of memory");
	w->st = st;
	w->mmap_was = mmap_size(st->db);
	if (w->mmap_was > 0)
		set_mmap_size(st->db, 0);
	if (filter != NULL && copy_filter(&w->filter, filter) < 0) {
		rc = nx_error_set(err, NX_ENOMEM, "out of memory");
		goto fail;
	}
	if (query != NULL && *query != '\0') {
		if ((rc = nx_query_compile(&w->q, query, err)) < 0)
			goto fail;
		fts = w->q->fts;
		if (fts == NULL && w->q->has_negative) {
			rc = nx_error_set(err, NX_EINVAL, "query '%s' only excludes: give a word it must match", query);
			goto fail;
		}
	}
	if (sqlite3_prepare_v2(st->db, fts != NULL ? cursor_match_sql : cursor_all_sql, -1, &w->rows, NULL) !=
	    SQLITE_OK) {
		rc = nx_store__dberr(st, err, "cannot read the list of articles");
		goto fail;
	}
	if (fts != NULL)
		sqlite3_bind_text(w->rows, 1, fts, -1, SQLITE_STATIC);
	*out = w;
	return NX_OK;
fail:
	nx_cursor_free(w);
	return rc;
}

int nx_cursor_next(nx_article **out, nx_cursor *w, nx_error *err)
{
	nx_article *a = NULL;
	int step = 0, rc = NX_OK;

	*out = NULL;
	while (!w->done) {
		step = sqlite3_step(w->rows);
		if (step == SQLITE_DONE) {
			w->done = 1;
			break;
		}
		if (step != SQLITE_ROW)
			return nx_store__dberr(w->st, err, "cannot read the list of articles");
		rc = nx_store__load(&a, w->st, sqlite3_column_int64(w->rows, 0), err);
		if (rc == NX_ENOTFOUND)
			continue; /* an FTS row without its article: check's business, not ours */
		if (rc < 0)
			return rc;
		if ((w->q == NULL || nx_filter_match(&w->q->filter, a)) && nx_filter_match(&w->filter, a)) {
			*out = a;
			w->count++;
			return 1;
		}
		nx_article_free(a);
		a = NULL;
	}
	return 0;
}

int64_t nx_cursor_count(const nx_cursor *w)
{
	return w->count;
}

void nx_cursor_free(nx_cursor *w)
{
	if (w == NULL)
		return;
	sqlite3_finalize(w->rows);
	if (w->mmap_was > 0)
		set_mmap_size(w->st->db, w->mmap_was);
	nx_query_free(w->q);
	nx_filter_clear(&w->filter);
	free(w);
}

int nx_cursor_ids(nx_store *st, const char *prefix, int limit, nx_cursor_id_cb cb, void *ctx, nx_error *err)
{
	sqlite3_stmt *s = NULL;
	size_t n = strlen(prefix);
	int step = 0;

	if (n > 16 || strspn(prefix, "0123456789abcdefABCDEF") != n)
		return NX_OK;
	if (sqlite3_prepare_v2(st->db, n == 0 ? ids_recent_sql : ids_prefix_sql, -1, &s, NULL) != SQLITE_OK)
		return nx_store__dberr(st, err, "cannot read the list of articles");
	sqlite3_bind_text(s, 1, prefix, -1, SQLITE_STATIC);
	sqlite3_bind_int(s, 2, limit);
	while ((step = sqlite3_step(s)) == SQLITE_ROW)
		cb((const char *)sqlite3_column_text(s, 0), (const char *)sqlite3_column_text(s, 1), ctx);
	sqlite3_finalize(s);
	if (step != SQLITE_DONE)
		return nx_store__dberr(st, err, "cannot read the list of articles");
	return NX_OK;
}

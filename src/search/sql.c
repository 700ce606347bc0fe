/*
 * sql.c - SQL statements of a search built with their bindings: the
 * filters (published:, source:, --since ...) as WHERE clauses over the
 * article table, and the FROM clauses of current and earlier versions.
 */
#include "search/search_private.h"

#include <stdlib.h>
#include <string.h>

void nx_search__sq_int(sq *q, int64_t v)
{
	if (q->nbind >= 128)
		return;
	q->bind[q->nbind].is_text = 0;
	q->bind[q->nbind].i = v;
	q->nbind++;
	nx_buf_addf(&q->sql, "?%d", q->nbind);
}

void nx_search__sq_text(sq *q, const char *s)
{
	if (q->nbind >= 128)
		return;
	q->bind[q->nbind].is_text = 1;
	q->bind[q->nbind].s = s;
	q->nbind++;
	nx_buf_addf(&q->sql, "?%d", q->nbind);
}

int nx_search__sq_prepare(nx_store *st, sq *q, sqlite3_stmt **out, nx_error *err)
{
	int i = 0;

	*out = NULL;
	if (!nx_buf_ok(&q->sql) || q->nbind >= 128)
		return nx_error_set(err, NX_ENOMEM, "out of memory");
	if (sqlite3_prepare_v2(st->db, q->sql.buf, (int)q->sql.len, out, NULL) != SQLITE_OK)
		return nx_store__dberr(st, err, "cannot search the index");
	for (i = 0; i < q->nbind; i++) {
		if (q->bind[i].is_text)
			sqlite3_bind_text(*out, i + 1, q->bind[i].s, -1, SQLITE_STATIC);
		else
			sqlite3_bind_int64(*out, i + 1, q->bind[i].i);
	}
	return NX_OK;
}

char *nx_search__like(const char *s)
{
	nx_buf b = NX_BUF_INIT;

	nx_buf_addch(&b, '%');
	for (; *s != '\0'; s++) {
		if (*s == '%' || *s == '_' || *s == '\\')
			nx_buf_addch(&b, '\\');
		nx_buf_addch(&b, *s);
	}
	nx_buf_addch(&b, '%');
	return nx_buf_detach(&b);
}

void nx_search__add_filters(sq *q, plan *p, const char *a)
{
	int k = 0;

	for (k = 0; k < 2; k++) {
		const nx_filter *f = p->f[k];

		if (f == NULL)
			continue;
		if (f->set & NX_F_PUB_MIN) {
			nx_buf_addf(&q->sql, " AND %s.published >= ", a);
			nx_search__sq_int(q, f->pub_min);
		}
		if (f->set & NX_F_PUB_MAX) {
			nx_buf_addf(&q->sql, " AND %s.published < ", a);
			nx_search__sq_int(q, f->pub_max);
		}
		if (f->set & NX_F_UPD_MIN) {
			nx_buf_addf(&q->sql, " AND %s.updated >= ", a);
			nx_search__sq_int(q, f->upd_min);
		}
		if (f->set & NX_F_UPD_MAX) {
			nx_buf_addf(&q->sql, " AND %s.updated < ", a);
			nx_search__sq_int(q, f->upd_max);
		}
		if (f->set & NX_F_CHANGED) {
			nx_buf_addf(&q->sql, " AND %s.updated - %s.published > ", a, a);
			nx_search__sq_int(q, f->changed_min);
		}
		if (f->lang != NULL) {
			nx_buf_addf(&q->sql, " AND %s.lang = ", a);
			nx_search__sq_text(q, f->lang);
		}
		if (f->source != NULL) {
			if (p->like_source[k] == NULL)
				p->like_source[k] = nx_search__like(f->source);
			nx_buf_addf(&q->sql, " AND %s.source LIKE ", a);
			nx_search__sq_text(q, p->like_source[k]);
			nx_buf_adds(&q->sql, " ESCAPE '\\'");
		}
		if (f->author != NULL) {
			if (p->like_author[k] == NULL)
				p->like_author[k] = nx_search__like(f->author);
			nx_buf_addf(&q->sql, " AND %s.authors LIKE ", a);
			nx_search__sq_text(q, p->like_author[k]);
			nx_buf_adds(&q->sql, " ESCAPE '\\'");
		}
	}
	if (p->exclude_id > 0) {
		nx_buf_addf(&q->sql, " AND %s.id <> ", a);
		nx_search__sq_int(q, p->exclude_id);
	}
	if (p->exclude_hash != NULL) {
		/* text in schema 1, a blob in schema 2 */
		nx_buf_addf(&q->sql, " AND %s.body_hash NOT IN (", a);
		nx_search__sq_text(q, p->exclude_hash);
		if (strspn(p->exclude_hash, "0123456789abcdef") == 64 && p->exclude_hash[64] == '\0')
			nx_buf_addf(&q->sql, ", X'%s', X'%.16s'", p->exclude_hash, p->exclude_hash);
		nx_buf_adds(&q->sql, ")");
	}
}

/* 1 when the search must look at article metadata to filter. */
int nx_search__plan_filters(const plan *p)
{
	return nx_filter_active(p->f[0]) || nx_filter_active(p->f[1]) || p->exclude_id > 0 ||
	       p->exclude_hash != NULL;
}

/* FROM ... WHERE ... of the current articles matching expr (NULL: all). */
void nx_search__add_from(sq *q, plan *p, const char *expr)
{
	if (expr != NULL) {
		nx_buf_adds(&q->sql, " FROM fts f JOIN article a ON a.id = f.rowid WHERE fts MATCH ");
		nx_search__sq_text(q, expr);
	} else {
		nx_buf_adds(&q->sql, " FROM article a WHERE 1");
	}
	nx_search__add_filters(q, p, "a");
}

/* The same over earlier revisions (rev_fts), for --all-revisions. */
void nx_search__add_from_revisions(sq *q, plan *p, const char *expr)
{
	nx_buf_adds(&q->sql, " FROM rev_fts rf JOIN revision r ON r.rowid = rf.rowid"
			     " JOIN article a ON a.id = r.article_id WHERE rev_fts MATCH ");
	nx_search__sq_text(q, expr);
	nx_search__add_filters(q, p, "a");
}

void nx_search__plan_free(plan *p)
{
	int i = 0;

	nx_topk__prefetch_free(p->prefetch); /* first: its thread reads the second connection */
	p->prefetch = NULL;
	nx_search__impact_sets_free(p->isets);
	p->isets = NULL;
	/* the statement binds the patterns: it goes first */
	sqlite3_finalize(p->keep);
	p->keep = NULL;
	for (i = 0; i < 2; i++) {
		free(p->like_source[i]);
		free(p->like_author[i]);
	}
	free(p->bits);
	free(p->qw);
	p->qw = NULL;
	p->nqw = 0;
	free(p->pre);
	free(p->all_rows);
	nx_topk__cache_free(p->cache);
}

char *nx_search__col_dup(sqlite3_stmt *s, int i)
{
	const unsigned char *v = sqlite3_column_text(s, i);

	return v != NULL && *v != '\0' ? strdup((const char *)v) : NULL;
}

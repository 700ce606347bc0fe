/*
 * hit.c - the hits shown: each one's metadata and highlighted text read
 * from the index (the snippet itself is cut in snippet.c), and freeing
 * the results.
 */
#include "search/search_private.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void nx_results_free(nx_results *r)
{
	size_t i = 0, j = 0;

	if (r == NULL)
		return;
	for (i = 0; i < r->nhits; i++) {
		nx_hit *h = &r->hits[i];

		free(h->id);
		free(h->title);
		free(h->url);
		free(h->source);
		free(h->snippet);
		free(h->highlights);
		free(h->title_highlights);
		for (j = 0; j < h->nalso; j++) {
			free(h->also_in[j]);
			free(h->also_ids[j]);
		}
		free(h->also_in);
		free(h->also_ids);
	}
	for (i = 0; i < r->nfacets; i++) {
		for (j = 0; j < r->facets[i].nvalues; j++)
			free(r->facets[i].values[j].value);
		free(r->facets[i].values);
	}
	free(r->facets);
	free(r->hits);
	free(r->query);
	free(r->fts);
	free(r->suggestion);
	for (i = 0; i < r->nsuggestions; i++)
		free(r->suggestions[i]);
	free(r);
}

/*
 * Fill h from its candidate c: metadata, highlighted title and snippet.
 * stmt[4] keeps the statements of one search's hits (current, revision,
 * no query, no snippet), prepared at the first hit that needs each: preparing a
 * statement over the FTS table costs about as much as reading the hit.
 * Returns NX_OK, 1 when the hit is no longer in the index (h untouched),
 * or an error.
 */
int nx_search__fill_hit(nx_store *st, nx_hit *h, const cand *c, const char *expr, const nx_search_opts *o,
		    sqlite3_stmt *stmt[4], nx_error *err)
{
	/* %d: the FTS5 columns of title, body, captions, credits (store_private.h) */
	static const char sql_cur_fmt[] =
		"SELECT nx_uid(a.uid), a.title, a.url, a.source, a.published, a.published_tz, a.published_flags,"
		" a.updated, a.updated_tz, a.updated_flags,"
		" nx_highlight(fts, %d), nx_highlight(fts, %d),"
		" nx_highlight(fts, %d), nx_highlight(fts, %d)"
		" FROM fts JOIN article a ON a.id = fts.rowid WHERE fts MATCH ?1 AND fts.rowid = ?2";
	static const char sql_rev_fmt[] =
		"SELECT nx_uid(a.uid), nx_highlight(rev_fts, %d), a.url, a.source, a.published, a.published_tz,"
		" a.published_flags, r.updated, NULL, 1,"
		" nx_highlight(rev_fts, %d), nx_highlight(rev_fts, %d),"
		" nx_highlight(rev_fts, %d), nx_highlight(rev_fts, %d)"
		" FROM rev_fts JOIN revision r ON r.rowid = rev_fts.rowid JOIN article a ON a.id = r.article_id"
		" WHERE rev_fts MATCH ?1 AND rev_fts.rowid = ?2";
	char sql_cur[sizeof(sql_cur_fmt) + 16], sql_rev[sizeof(sql_rev_fmt) + 16];
	const int *fc = st->fcol;
	static const char sql_plain[] =
		"SELECT nx_uid(a.uid), a.title, a.url, a.source, a.published, a.published_tz, a.published_flags,"
		" a.updated, a.updated_tz, a.updated_flags, a.title, nx_inflate(a.body_z), a.captions, a.credits"
		" FROM article a WHERE a.id = ?2 AND ?1 IS NULL";
	/* o->snippets 0: metadata only, the text neither read nor decompressed */
	static const char sql_bare[] =
		"SELECT nx_uid(a.uid), a.title, a.url, a.source, a.published, a.published_tz, a.published_flags,"
		" a.updated, a.updated_tz, a.updated_flags, NULL, NULL, NULL, NULL"
		" FROM article a WHERE a.id = ?2 AND ?1 IS NULL";
	static const char *const plain_sql[2] = { sql_plain, sql_bare };
	sqlite3_stmt *s = NULL;
	int bare = !o->snippets && !c->rev;
	int rc = NX_OK, step = 0, which = bare ? 3 : expr == NULL ? 2 : c->rev ? 1 : 0;

	if (stmt[which] == NULL) {
		snprintf(sql_cur, sizeof(sql_cur), sql_cur_fmt, fc[NX_F_TITLE], fc[NX_F_BODY], fc[NX_F_CAPTIONS],
			 fc[NX_F_CREDITS]);
		snprintf(sql_rev, sizeof(sql_rev), sql_rev_fmt, fc[NX_F_TITLE], fc[NX_F_TITLE], fc[NX_F_BODY],
			 fc[NX_F_CAPTIONS], fc[NX_F_CREDITS]);
		if (sqlite3_prepare_v2(st->db, which >= 2 ? plain_sql[which - 2] : which == 1 ? sql_rev : sql_cur, -1, &stmt[which],
				       NULL) != SQLITE_OK) {
			rc = nx_store__dberr(st, err, "cannot read a search hit");
			goto done;
		}
	}
	s = stmt[which];
	if (expr != NULL && which < 2)
		sqlite3_bind_text(s, 1, expr, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 2, c->rev ? c->revrow : c->id);
	if ((step = sqlite3_step(s)) == SQLITE_DONE) {
		rc = 1; /* gone (removed or updated since it was chosen): skipped */
		goto done;
	}
	if (step != SQLITE_ROW) {
		rc = nx_store__dberr(st, err, "cannot read a search hit");
		goto done;
	}
	h->id = nx_search__col_dup(s, 0);
	h->url = nx_search__col_dup(s, 2);
	h->source = nx_search__col_dup(s, 3);
	nx_store__col_time(s, 4, &h->published);
	nx_store__col_time(s, 7, &h->updated);
	h->score = c->score;
	h->revision = c->rev;
	if (h->id == NULL)
		goto oom;
	if (bare) {
		h->title = nx_search__col_dup(s, 1);
		h->snippet = strdup("");
		h->snippet_field = "body";
		if (h->snippet == NULL)
			goto oom;
		goto done;
	}
	if (nx_search__title(h, (const char *)sqlite3_column_text(s, 10)) < 0 ||
	    nx_search__snippet(h, (const char *)sqlite3_column_text(s, 11), (const char *)sqlite3_column_text(s, 12),
			       (const char *)sqlite3_column_text(s, 13), o) < 0)
		goto oom;
	goto done;
oom:
	rc = nx_error_set(err, NX_ENOMEM, "out of memory");
done:
	if (s != NULL) {
		sqlite3_reset(s);
		sqlite3_clear_bindings(s);
	}
	return rc;
}

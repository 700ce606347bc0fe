#include "newsidx/search.h"

#include <stdlib.h>
#include <string.h>

#include "newsidx/query.h"
#include "store_private.h"
#include "text.h"
#include "tokenizer.h"

/* Markers FTS5 puts around matches; cleaned article text never holds them. */
#define HL_OPEN "\x01"
#define HL_CLOSE "\x02"

static const char sql_hits[] =
	"SELECT rowid, -rank FROM fts WHERE fts MATCH ?1 ORDER BY rank LIMIT ?2 OFFSET ?3";
static const char sql_count[] = "SELECT count(*) FROM fts WHERE fts MATCH ?1";
static const char sql_detail[] =
	"SELECT a.uid, a.title, a.url, a.source, a.published, a.published_tz, a.published_flags,"
	" a.updated, a.updated_tz, a.updated_flags,"
	" snippet(fts, 1, X'01', X'02', '…', ?3), snippet(fts, 2, X'01', X'02', '…', ?3),"
	" snippet(fts, 3, X'01', X'02', '…', ?3), highlight(fts, 0, X'01', X'02')"
	" FROM fts JOIN article a ON a.id = fts.rowid WHERE fts MATCH ?1 AND fts.rowid = ?2";

void nx_results_free(nx_results *r)
{
	size_t i = 0;

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
	}
	free(r->hits);
	free(r->query);
	free(r->fts);
	free(r);
}

/* Strip the markers from s, recording the spans they enclosed. */
static int strip_marks(const char *s, char **out, nx_span **spans, size_t *nspans)
{
	nx_buf b = NX_BUF_INIT;
	nx_span *sp = NULL;
	size_t n = 0, cap = 0, open_at = 0;
	int in = 0;

	*out = NULL;
	*spans = NULL;
	*nspans = 0;
	for (; *s != '\0'; s++) {
		if (*s == NX_LANG_MARK) {
			/* the language marker the tokenizer reads: never shown */
			size_t m = nx_lang_mark_len(s, strlen(s));

			if (m > 0)
				s += m - 1;
			continue;
		}
		if (*s == HL_OPEN[0]) {
			open_at = b.len;
			in = 1;
		} else if (*s == HL_CLOSE[0]) {
			if (in && b.len > open_at) {
				if (n == cap) {
					nx_span *p = realloc(sp, (cap = cap ? cap * 2 : 8) * sizeof(*sp));

					if (p == NULL)
						goto oom;
					sp = p;
				}
				/* merge adjacent highlights separated by nothing */
				sp[n].start = open_at;
				sp[n].end = b.len;
				n++;
			}
			in = 0;
		} else if (*s == '\n') {
			/* paragraph breaks read as one space in a snippet */
			if (b.len > 0 && b.buf[b.len - 1] != ' ')
				nx_buf_addch(&b, ' ');
		} else {
			nx_buf_addch(&b, *s);
		}
	}
	if (!nx_buf_ok(&b))
		goto oom;
	*out = nx_buf_detach(&b);
	*spans = sp;
	*nspans = n;
	return NX_OK;
oom:
	free(sp);
	nx_buf_free(&b);
	return NX_ENOMEM;
}

static int has_mark(const unsigned char *s)
{
	return s != NULL && strchr((const char *)s, HL_OPEN[0]) != NULL;
}

static void col_time(sqlite3_stmt *s, int i, nx_time *t)
{
	memset(t, 0, sizeof(*t));
	if (sqlite3_column_type(s, i) == SQLITE_NULL)
		return;
	t->set = 1;
	t->utc = sqlite3_column_int64(s, i);
	t->has_offset = sqlite3_column_type(s, i + 1) != SQLITE_NULL;
	t->offset = sqlite3_column_int(s, i + 1);
	t->has_time = sqlite3_column_int(s, i + 2) != 0;
}

static char *col_dup(sqlite3_stmt *s, int i)
{
	const unsigned char *v = sqlite3_column_text(s, i);

	return v != NULL && *v != '\0' ? strdup((const char *)v) : NULL;
}

/* Fill one hit from the detail row. */
static int fill_hit(nx_hit *h, sqlite3_stmt *d)
{
	const unsigned char *body = sqlite3_column_text(d, 10);
	const unsigned char *cap = sqlite3_column_text(d, 11);
	const unsigned char *cred = sqlite3_column_text(d, 12);
	const unsigned char *title = sqlite3_column_text(d, 13);
	const unsigned char *snip = body;
	char *tmp = NULL;

	h->id = col_dup(d, 0);
	h->url = col_dup(d, 2);
	h->source = col_dup(d, 3);
	col_time(d, 4, &h->published);
	col_time(d, 7, &h->updated);
	h->snippet_field = "body";
	if (!has_mark(body)) {
		if (has_mark(cap)) {
			snip = cap;
			h->snippet_field = "caption";
		} else if (has_mark(cred)) {
			snip = cred;
			h->snippet_field = "credit";
		}
	}
	if (strip_marks(snip != NULL ? (const char *)snip : "", &h->snippet, &h->highlights,
			&h->nhighlights) < 0)
		return NX_ENOMEM;
	if (strip_marks(title != NULL ? (const char *)title : "", &tmp, &h->title_highlights,
			&h->ntitle_highlights) < 0)
		return NX_ENOMEM;
	h->title = tmp;
	if (h->id == NULL)
		return NX_ENOMEM;
	return NX_OK;
}

int nx_search(nx_results **out, nx_store *st, const char *query,
	      const nx_search_opts *opts, nx_error *err)
{
	nx_search_opts defaults = NX_SEARCH_OPTS_INIT;
	nx_results *r = NULL;
	nx_query *q = NULL;
	sqlite3_stmt *hits = NULL, *count = NULL, *detail = NULL;
	int rc = NX_OK, step = 0, tokens = 0;

	*out = NULL;
	if (opts == NULL)
		opts = &defaults;
	tokens = opts->snippet_tokens < 4 ? 4 : opts->snippet_tokens > 64 ? 64 : opts->snippet_tokens;
	r = calloc(1, sizeof(*r));
	if (r == NULL || (r->query = strdup(query)) == NULL)
		goto oom;
	if ((rc = nx_query_compile(&q, query, err)) < 0)
		goto done;
	if (q->fts == NULL)
		goto finish; /* nothing searchable: zero hits */
	if ((r->fts = strdup(q->fts)) == NULL)
		goto oom;
	if (sqlite3_prepare_v2(st->db, sql_count, -1, &count, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(st->db, sql_hits, -1, &hits, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(st->db, sql_detail, -1, &detail, NULL) != SQLITE_OK) {
		rc = nx_store__dberr(st, err, "cannot search the index");
		goto done;
	}
	sqlite3_bind_text(count, 1, q->fts, -1, SQLITE_STATIC);
	step = sqlite3_step(count);
	if (step != SQLITE_ROW) {
		rc = nx_store__dberr(st, err, "cannot search the index");
		goto done;
	}
	r->total = sqlite3_column_int64(count, 0);
	if (r->total == 0 || opts->limit <= 0)
		goto finish;
	r->hits = calloc((size_t)opts->limit, sizeof(*r->hits));
	if (r->hits == NULL)
		goto oom;
	sqlite3_bind_text(hits, 1, q->fts, -1, SQLITE_STATIC);
	sqlite3_bind_int(hits, 2, opts->limit);
	sqlite3_bind_int(hits, 3, opts->offset < 0 ? 0 : opts->offset);
	while ((step = sqlite3_step(hits)) == SQLITE_ROW) {
		nx_hit *h = &r->hits[r->nhits];

		sqlite3_reset(detail);
		sqlite3_bind_text(detail, 1, q->fts, -1, SQLITE_STATIC);
		sqlite3_bind_int64(detail, 2, sqlite3_column_int64(hits, 0));
		sqlite3_bind_int(detail, 3, tokens);
		if (sqlite3_step(detail) != SQLITE_ROW) {
			rc = nx_store__dberr(st, err, "cannot read a search hit");
			goto done;
		}
		r->nhits++;
		h->score = sqlite3_column_double(hits, 1);
		if (fill_hit(h, detail) < 0)
			goto oom;
	}
	if (step != SQLITE_DONE) {
		rc = nx_store__dberr(st, err, "cannot search the index");
		goto done;
	}
finish:
	*out = r;
	r = NULL;
	goto done;
oom:
	rc = nx_error_set(err, NX_ENOMEM, "out of memory");
done:
	sqlite3_finalize(count);
	sqlite3_finalize(hits);
	sqlite3_finalize(detail);
	nx_query_free(q);
	nx_results_free(r);
	return rc;
}

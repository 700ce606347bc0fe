/*
 * facet.c - facet counts (source, month, credit, author) over the whole
 * result set of a search.
 */
#include "search/search_private.h"

#include <stdlib.h>
#include <string.h>

/* Facet counts over the whole result set. */
static int facet(nx_store *st, plan *p, const char *expr, const char *name, nx_facet *out, nx_error *err)
{
	sq q;
	sqlite3_stmt *s = NULL;
	int rc = NX_OK, step = 0;

	memset(&q, 0, sizeof(q));
	nx_buf_init(&q.sql);
	out->name = name;
	if (strcmp(name, "source") == 0) {
		nx_buf_adds(&q.sql, "SELECT a.source AS v, count(*)");
		nx_search__add_from(&q, p, expr);
		nx_buf_adds(&q.sql, " AND a.source IS NOT NULL GROUP BY v ORDER BY 2 DESC, 1 LIMIT 20");
	} else if (strcmp(name, "month") == 0) {
		nx_buf_adds(&q.sql, "SELECT strftime('%Y-%m', a.published, 'unixepoch') AS v, count(*)");
		nx_search__add_from(&q, p, expr);
		nx_buf_adds(&q.sql, " AND a.published IS NOT NULL GROUP BY v ORDER BY 1 DESC LIMIT 240");
	} else if (strcmp(name, "credit") == 0) {
		nx_buf_adds(&q.sql, "SELECT c.v, count(DISTINCT a.id)");
		nx_search__add_from(&q, p, expr);
		/* splice the join in front of WHERE */
		{
			const char *w = strstr(q.sql.buf, " WHERE ");
			size_t at = (size_t)(w - q.sql.buf);
			nx_buf tail = NX_BUF_INIT;

			nx_buf_add(&tail, q.sql.buf + at, q.sql.len - at);
			nx_buf_truncate(&q.sql, at);
			nx_buf_adds(&q.sql, " JOIN (SELECT article_id, photographer AS v FROM photo WHERE photographer"
					    " IS NOT NULL UNION SELECT article_id, agency FROM photo WHERE agency IS NOT"
					    " NULL) c ON c.article_id = a.id");
			nx_buf_add(&q.sql, tail.buf, tail.len);
			nx_buf_free(&tail);
		}
		nx_buf_adds(&q.sql, " GROUP BY c.v ORDER BY 2 DESC, 1 LIMIT 20");
	} else {
		nx_buf_adds(&q.sql, "WITH RECURSIVE m(rest) AS (SELECT a.authors || char(10)");
		nx_search__add_from(&q, p, expr);
		nx_buf_adds(&q.sql, " AND a.authors IS NOT NULL),"
				    " s(name, rest) AS (SELECT '', rest FROM m UNION ALL SELECT"
				    " substr(rest, 1, instr(rest, char(10)) - 1), substr(rest, instr(rest, char(10)) + 1)"
				    " FROM s WHERE rest <> '')"
				    " SELECT name, count(*) FROM s WHERE name <> '' GROUP BY name ORDER BY 2 DESC, 1 LIMIT 20");
	}
	if ((rc = nx_search__sq_prepare(st, &q, &s, err)) < 0)
		goto done;
	while ((step = sqlite3_step(s)) == SQLITE_ROW) {
		nx_facet_value *v = realloc(out->values, (out->nvalues + 1) * sizeof(*v));

		if (v == NULL) {
			rc = nx_error_set(err, NX_ENOMEM, "out of memory");
			goto done;
		}
		out->values = v;
		v[out->nvalues].value = nx_search__col_dup(s, 0);
		v[out->nvalues].count = sqlite3_column_int64(s, 1);
		if (v[out->nvalues].value == NULL)
			v[out->nvalues].value = strdup("");
		out->nvalues++;
	}
	if (step != SQLITE_DONE)
		rc = nx_store__dberr(st, err, "cannot count facets");
done:
	sqlite3_finalize(s);
	nx_buf_free(&q.sql);
	return rc;
}

/* The facets o asks for, over the whole result set of expr. */
int nx_search__facets(nx_results *r, nx_store *st, plan *p, const char *expr, const nx_search_opts *o,
		      nx_error *err)
{
	static const struct {
		unsigned bit;
		const char *name;
	} facets[] = { { NX_FACET_SOURCE, "source" }, { NX_FACET_MONTH, "month" },
		       { NX_FACET_CREDIT, "credit" }, { NX_FACET_AUTHOR, "author" } };
	size_t i = 0;
	int rc = NX_OK;

	r->facets = calloc(4, sizeof(*r->facets));
	if (r->facets == NULL)
		return nx_error_set(err, NX_ENOMEM, "out of memory");
	for (i = 0; i < 4; i++) {
		if (!(o->facets & facets[i].bit))
			continue;
		if ((rc = facet(st, p, expr, facets[i].name, &r->facets[r->nfacets++], err)) < 0)
			return rc;
	}
	return NX_OK;
}

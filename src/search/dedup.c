/*
 * dedup.c - syndicated copies: candidates that are copies of a better
 * ranked one fold into it, and the hit shown names them ("also in").
 */
#include "search/search_private.h"

#include <stdlib.h>
#include <string.h>

/*
 * Syndicated copies: the same body, or the same title within three days,
 * of an earlier (better ranked) candidate of the same version kind.
 */
void nx_search__collapse(cand *c, size_t n)
{
	size_t i = 0, j = 0;

	for (i = 0; i < n; i++) {
		for (j = 0; j < i && !c[i].folded; j++) {
			int64_t dt = 0;

			if (c[j].folded || c[j].rev != 0 || c[i].rev != 0)
				continue;
			if (c[i].id == c[j].id)
				continue;
			/* 16 hex digits: all schema 2 keeps (schema 1 rows have 64); not the empty body */
			if (c[i].body_hash != NULL && c[j].body_hash != NULL && strlen(c[i].body_hash) >= 16 &&
			    strncmp(c[i].body_hash, c[j].body_hash, 16) == 0 &&
			    strncmp(c[i].body_hash, "e3b0c44298fc1c14", 16) != 0) {
				c[i].folded = 1;
			} else if (c[i].title_key != NULL && c[j].title_key != NULL && strlen(c[i].title_key) >= 12 &&
				   strcmp(c[i].title_key, c[j].title_key) == 0) {
				dt = c[i].published - c[j].published;
				if (c[i].published != INT64_MIN && c[j].published != INT64_MIN && dt < 3 * 86400 &&
				    dt > -3 * 86400)
					c[i].folded = 1;
			}
			if (c[i].folded)
				c[i].into = (int)j;
		}
	}
}

static int add_also(nx_hit *h, const char *source, const char *id)
{
	char **a = realloc(h->also_in, (h->nalso + 1) * sizeof(*a));
	char **b = NULL;

	if (a == NULL)
		return NX_ENOMEM;
	h->also_in = a;
	b = realloc(h->also_ids, (h->nalso + 1) * sizeof(*b));
	if (b == NULL)
		return NX_ENOMEM;
	h->also_ids = b;
	h->also_in[h->nalso] = strdup(source != NULL ? source : "unknown outlet");
	h->also_ids[h->nalso] = strdup(id != NULL ? id : "");
	if (h->also_in[h->nalso] == NULL || h->also_ids[h->nalso] == NULL) {
		free(h->also_in[h->nalso]);
		free(h->also_ids[h->nalso]);
		return NX_ENOMEM;
	}
	h->nalso++;
	return NX_OK;
}

int nx_search__add_copies(nx_store *st, nx_hit *h, const cand *c, size_t nc, size_t i, nx_error *err)
{
	size_t j = 0;
	int rc = NX_OK;

	for (j = i + 1; j < nc; j++) {
		sqlite3_stmt *s = NULL;

		if (!c[j].folded || (size_t)c[j].into != i)
			continue;
		if (sqlite3_prepare_v2(st->db, "SELECT nx_uid(uid), source FROM article WHERE id = ?1", -1, &s, NULL) ==
		    SQLITE_OK) {
			sqlite3_bind_int64(s, 1, c[j].id);
			if (sqlite3_step(s) == SQLITE_ROW)
				rc = add_also(h, (const char *)sqlite3_column_text(s, 1),
					      (const char *)sqlite3_column_text(s, 0));
		}
		sqlite3_finalize(s);
		if (rc < 0)
			return nx_error_set(err, NX_ENOMEM, "out of memory");
	}
	return NX_OK;
}

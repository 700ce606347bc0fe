/*
 * newsidx/query.h - turn what a user typed into a safe FTS5 expression.
 *
 * Any string is a valid query.  User text never reaches MATCH raw: every
 * word becomes a quoted FTS5 string, so FTS5 operators and syntax in the
 * input (`AND`, `:`, `^`, `"`, `*`, `(`) cannot change the meaning or cause
 * a syntax error.  The grammar understood:
 *
 *   word              must appear (words are ANDed)
 *   "a phrase"        the words in order; an unbalanced quote closes at the end
 *   a OR b            either (upper-case OR between two terms)
 *   -word, NOT word   must not appear (needs at least one positive term)
 *   word*             prefix
 *   title:word        limit a term to a column: title, body, caption(s), credit(s)
 *
 * Terms that contain no letter or digit (`-`, `:`, `&&`) are dropped.
 */
#ifndef NEWSIDX_QUERY_H
#define NEWSIDX_QUERY_H

#include <stddef.h>

#include "newsidx/error.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct nx_query {
	char *fts;    /* FTS5 MATCH expression, or NULL when nothing searchable */
	char **terms; /* the positive words and phrase words, lower-cased, for
			 highlighting and suggestions */
	size_t nterms;
	int has_negative; /* the query excluded something */
} nx_query;

/*
 * Compile the user's query.  On success *out is a new nx_query that the
 * caller frees with nx_query_free(); out->fts is NULL when the query has
 * nothing to search for (for example "-" or only negative terms).
 * Returns NX_OK, NX_ENOMEM or NX_ETOOBIG (query longer than 64 KiB).
 */
int nx_query_compile(nx_query **out, const char *text, nx_error *err);

/* Free a compiled query; NULL is fine. */
void nx_query_free(nx_query *q);

#ifdef __cplusplus
}
#endif
#endif

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
 *   a OR b            either (upper-case OR between two terms; in a query
 *                     written all in capitals, OR, AND and NOT are words)
 *   -word, NOT word   must not appear (needs at least one positive term)
 *   word*             prefix
 *   title:word        limit a term to a column: title, body, caption(s), credit(s)
 *   NEAR(a b, 10)     the words within 10 words of each other (default 10)
 *
 * Metadata operators narrow the search without matching text (see filter.h):
 *
 *   published:2021-07  published:2021-07-01..2021-07-31  published:<2020
 *   updated:>2022-01-01  date:2021 (same as published:)
 *   changed:>30d      updated more than 30 days after publication (h, d, w, m, y)
 *   source:reuters  author:"jane doe"  lang:de
 *
 * A date or duration operator whose value does not parse or is out of
 * range (published:soon, published:<9999, published:1987-3) is an error:
 * nx_query_compile returns NX_EQUERY, with a message that says what is
 * accepted (years 1800 to 2200, as --since and --until).  Another
 * operator with an empty value (source:) is a plain word.
 *
 * Terms that contain no letter or digit (`-`, `:`, `&&`) are dropped.
 */
#ifndef NEWSIDX_QUERY_H
#define NEWSIDX_QUERY_H

#include <stddef.h>

#include "newsidx/error.h"
#include "newsidx/filter.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct nx_query {
	char *fts;    /* FTS5 MATCH expression, or NULL when nothing searchable */
	char **terms; /* the positive words and phrase words, lower-cased, for
			 highlighting and suggestions */
	size_t nterms;
	int has_negative; /* the query excluded something */
	nx_filter filter; /* metadata operators (published:, source:, ...) */
	char *relaxed;    /* the positive items ORed (stop words left out),
			     exclusions kept: for partial matches; NULL when
			     the query has fewer than two such items */
	size_t nunits;    /* items in relaxed */
	char *relaxed_pos; /* relaxed without its exclusions: "(a OR b)" */
	char *negs;        /* the top-level exclusions: " NOT x NOT y", or "" */
	size_t nprefix;    /* prefix terms (word*) in the query */
} nx_query;

/*
 * Compile the user's query.  On success *out is a new nx_query that the
 * caller frees with nx_query_free(); out->fts is NULL when the query has
 * nothing to search for (for example "-" or only negative terms).
 * Returns NX_OK, NX_ENOMEM, NX_ETOOBIG (query longer than 64 KiB) or
 * NX_EQUERY (a malformed date or duration in an operator).
 */
int nx_query_compile(nx_query **out, const char *text, nx_error *err);

/* Free a compiled query; NULL is fine. */
void nx_query_free(nx_query *q);

/*
 * 1 when every word of the query text is one the index leaves out (too
 * common to be indexed, like "the" or "of"), so a search for it finds
 * nothing however large the archive; 0 otherwise, and for a query with no
 * words.  Lets a front end explain an empty result ("add a rarer word").
 */
int nx_query_only_common(const char *text);

#ifdef __cplusplus
}
#endif
#endif

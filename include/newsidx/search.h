/*
 * newsidx/search.h - ranked full-text search with highlighted snippets.
 *
 *	nx_search_opts o = NX_SEARCH_OPTS_INIT;
 *	nx_results *r = NULL;
 *	if (nx_search(&r, st, "cyberattack RNC", &o, &err) < 0) ...
 *	for (size_t i = 0; i < r->nhits; i++) puts(r->hits[i].title);
 *	nx_results_free(r);
 *
 * Ranking is FTS5's bm25 with the title weighted above the body, and the
 * body above captions and credits.
 */
#ifndef NEWSIDX_SEARCH_H
#define NEWSIDX_SEARCH_H

#include <stddef.h>
#include <stdint.h>

#include "newsidx/date.h"
#include "newsidx/error.h"
#include "newsidx/store.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct nx_search_opts {
	int limit;          /* hits wanted (default 10) */
	int offset;         /* hits skipped, for paging */
	int snippet_tokens; /* words per snippet fragment (default 24) */
} nx_search_opts;

#define NX_SEARCH_OPTS_INIT { 10, 0, 24 }

/* A byte range [start, end) inside a string. */
typedef struct nx_span {
	size_t start;
	size_t end;
} nx_span;

typedef struct nx_hit {
	char *id;
	char *title;
	char *url;      /* may be NULL */
	char *source;   /* may be NULL */
	nx_time published;
	nx_time updated;
	double score;   /* higher is better */
	char *snippet;  /* plain UTF-8, "…" where text was cut */
	const char *snippet_field; /* "body", "caption", "credit" (static) */
	nx_span *highlights; /* matched words inside snippet */
	size_t nhighlights;
	nx_span *title_highlights; /* matched words inside title */
	size_t ntitle_highlights;
} nx_hit;

typedef struct nx_results {
	char *query;   /* as the user typed it */
	char *fts;     /* the FTS5 expression run, NULL when nothing searchable */
	int64_t total; /* all matching articles, not just this page */
	nx_hit *hits;
	size_t nhits;
} nx_results;

/*
 * Run a query (see newsidx/query.h for the syntax).  Any string is a valid
 * query: a query with nothing to search for returns zero hits.  *out is
 * owned by the caller: free with nx_results_free().
 */
int nx_search(nx_results **out, nx_store *st, const char *query,
	      const nx_search_opts *opts, nx_error *err);

/* Free results; every string of every hit goes with them.  NULL is fine. */
void nx_results_free(nx_results *r);

#ifdef __cplusplus
}
#endif
#endif

/*
 * newsidx/search.h - ranked full-text search with highlighted snippets,
 * filters, facets and suggestions.
 *
 *	nx_search_opts o = NX_SEARCH_OPTS_INIT;
 *	nx_results *r = NULL;
 *	if (nx_search(&r, st, "cyberattack RNC", &o, &err) < 0) ...
 *	for (size_t i = 0; i < r->nhits; i++) puts(r->hits[i].title);
 *	nx_results_free(r);
 *
 * Ranking is FTS5's bm25 with the title weighted above the body, and the
 * body above captions and credits.  When the strict query (every word)
 * finds fewer hits than asked for, the search goes on with the best partial
 * matches ("relaxed"): every article holding one of the query's words (stop
 * words aside), ranked by BM25 over them (doc/ranking.md).
 */
#ifndef NEWSIDX_SEARCH_H
#define NEWSIDX_SEARCH_H

#include <stddef.h>
#include <stdint.h>

#include "newsidx/date.h"
#include "newsidx/error.h"
#include "newsidx/filter.h"
#include "newsidx/store.h"

#ifdef __cplusplus
extern "C" {
#endif

enum { NX_SORT_RELEVANCE = 0, NX_SORT_NEWEST, NX_SORT_OLDEST };

#define NX_FACET_SOURCE 0x1u
#define NX_FACET_MONTH 0x2u
#define NX_FACET_CREDIT 0x4u
#define NX_FACET_AUTHOR 0x8u

typedef struct nx_search_opts {
	int limit;          /* hits wanted (default 10) */
	int offset;         /* hits skipped, for paging */
	int snippet_tokens; /* words per snippet fragment (default 24) */
	int fragments;      /* snippet fragments per hit (default 1) */
	int sort;           /* NX_SORT_* */
	int recent;         /* boost recent articles (see nx_search) */
	int relax;          /* go on with partial matches (default 1) */
	int collapse;       /* fold syndicated copies into one hit (default 1) */
	int all_revisions;  /* search earlier versions too */
	unsigned facets;    /* NX_FACET_* to count over the whole result set */
	const char *credit; /* photographer or agency (as credit:"...") */
	nx_filter filter;   /* more restrictions (--since, --source, ...) */
	/*
	 * The budget of one search: past it, nx_search and nx_search_similar
	 * stop and return NX_ELIMIT (no results).  Work counts SQLite's own
	 * steps, not those inside FTS5 (a prefix's expansion): the time limit
	 * and the number of prefixes bound those.  A query of a few words on
	 * 5,000 articles takes 10 to 300 thousand steps.
	 */
	int time_limit_ms;  /* wall time (default NX_SEARCH_TIME_LIMIT_MS; 0: none) */
	int64_t work_limit; /* SQLite VM steps, in thousands (default NX_SEARCH_WORK_LIMIT; 0: none) */
	int max_prefixes;   /* prefix searches (word*) in a query (default NX_SEARCH_MAX_PREFIXES; 0: any) */
	/* For tests and benchmarks only; 0 (NX_FAST_PATHS_ON) otherwise. */
	int fast_paths;     /* NX_FAST_PATHS_*: the rankings without SQL */
	int snippets;       /* 0: hits without snippet or highlights, the text not
			       read (scripts, deep lists); default 1 */
	int one_thread;     /* 1: a long walk is not split over a second thread (a
			       server already answering other requests: the CPUs
			       are taken); default 0 */
} nx_search_opts;

#define NX_SEARCH_TIME_LIMIT_MS 30000
#define NX_SEARCH_WORK_LIMIT 1000000
#define NX_SEARCH_MAX_PREFIXES 8

/*
 * opts->fast_paths, for tests and benchmarks: the results are the same
 * every way, only the time differs.  ON (default): the rankings of topk
 * where they apply, the SQL paths where not or when they fail; OFF: the
 * SQL paths only (FTS5 scores every match); CHECK: as ON, but a fast path
 * that fails is an error (a test then knows it ran).
 */
enum { NX_FAST_PATHS_ON = 0, NX_FAST_PATHS_OFF, NX_FAST_PATHS_CHECK };

#define NX_SEARCH_OPTS_INIT { 10, 0, 24, 1, NX_SORT_RELEVANCE, 0, 1, 1, 0, 0, NULL, NX_FILTER_INIT, \
			      NX_SEARCH_TIME_LIMIT_MS, NX_SEARCH_WORK_LIMIT, NX_SEARCH_MAX_PREFIXES, NX_FAST_PATHS_ON, 1, 0 }

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
	int revision;   /* 0: current version; else the earlier revision matched */
	char **also_in; /* outlets of syndicated copies folded into this hit */
	size_t nalso;
	char **also_ids;
	int some;       /* 0: holds every word; 1: a closest match, holding some */
} nx_hit;

typedef struct nx_facet_value {
	char *value;
	int64_t count;
} nx_facet_value;

typedef struct nx_facet {
	const char *name; /* "source", "month", "credit", "author" */
	nx_facet_value *values;
	size_t nvalues;
} nx_facet;

/* Corrected queries a search offers at most (nx_results.suggestions). */
#define NX_SUGGEST_TOP 3

typedef struct nx_results {
	char *query;   /* as the user typed it */
	char *fts;     /* the FTS5 expression run, NULL when nothing searchable */
	int64_t total; /* the articles holding every word, not just this page
			  (whatever the limit) */
	int64_t total_some; /* the closest matches: articles holding some of the
			       words but not all (0 when opts->relax is 0) */
	int relaxed;   /* this page holds closest matches (hits[i].some) */
	int more;      /* hits follow this page (--offset offset + nhits) */
	nx_hit *hits;
	size_t nhits;
	nx_facet *facets;
	size_t nfacets;
	char *suggestion; /* "did you mean" query, or NULL */
	/* the query with the likeliest corrections, best first (suggestions[0]
	   is suggestion); the k-th takes each misspelled word's k-th candidate */
	char *suggestions[NX_SUGGEST_TOP];
	size_t nsuggestions;
} nx_results;

/*
 * Run a query (see newsidx/query.h for the syntax).  Any string is a valid
 * query: a query with nothing to search for returns zero hits.  *out is
 * owned by the caller: free with nx_results_free().
 *
 * opts->recent multiplies relevance by 1 + 2^(-age/30 days), age counted
 * back from the newest article in the index: an article published the
 * same day as the newest weighs twice one published months before.
 */
int nx_search(nx_results **out, nx_store *st, const char *query,
	      const nx_search_opts *opts, nx_error *err);

/*
 * Articles most like the one ref names (id, prefix or URL): its most
 * distinctive words, weighted by tf-idf, searched with OR; the article
 * itself and exact copies of it are left out.
 */
int nx_search_similar(nx_results **out, nx_store *st, const char *ref,
		      const nx_search_opts *opts, nx_error *err);

/*
 * Make the impact lists of the index (see doc/architecture.md): for each
 * word in 50,000 articles or more, its best rows, which a search for the
 * word alone then reads instead of ranking every article holding it,
 * while no article is added, replaced or removed; with them the articles
 * of each outlet and language, for filters.  written < 0 (optimize):
 * always, and the lists of the pairs of such words side by side in
 * 50,000 articles or more ("interest rates"); else the articles a load
 * just added, updated or removed: the lists of words are made when that
 * is half the index or more (a new archive's load), else left off until
 * the next optimize.  An index of fewer articles has none (any it had
 * are dropped).  Opens and commits its own transaction.
 */
int nx_search_impact_build(nx_store *st, int64_t written, nx_error *err);

/* Free results; every string of every hit goes with them.  NULL is fine. */
void nx_results_free(nx_results *r);

#ifdef __cplusplus
}
#endif
#endif

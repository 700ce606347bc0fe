/*
 * newsidx/cursor.h - every current article of an index, one at a time, in
 * constant memory: for code that hands the whole archive (or a selection)
 * on, like `newsidx export`.
 *
 *	nx_cursor *w = NULL;
 *	nx_article *a = NULL;
 *	if (nx_cursor_open(&w, st, "lang:de", NULL, &err) < 0) ...
 *	while ((rc = nx_cursor_next(&a, w, &err)) > 0) {
 *		... use a ...
 *		nx_article_free(a);
 *	}
 *	nx_cursor_free(w);
 *
 * Articles come in the order they were first added (the row id), so two
 * walks over an unchanged index give the same sequence.  The walk reads
 * one snapshot of the index: a writer that commits meanwhile is not seen.
 */
#ifndef NEWSIDX_CURSOR_H
#define NEWSIDX_CURSOR_H

#include "newsidx/article.h"
#include "newsidx/error.h"
#include "newsidx/filter.h"
#include "newsidx/store.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct nx_cursor nx_cursor;

/*
 * Start a walk over the current articles of st.  query (NULL or "": all
 * articles) is in the language of newsidx/query.h: the articles that
 * contain all its words (no partial matches), narrowed by its metadata
 * operators; filter (NULL: none) narrows further.  The walk keeps
 * pointers to st but copies query and filter.  On failure *out is NULL.
 * Returns NX_OK, NX_ENOMEM, NX_ETOOBIG (query too long), NX_EINVAL (a
 * query with only exclusions) or NX_EDB.
 */
int nx_cursor_open(nx_cursor **out, nx_store *st, const char *query, const nx_filter *filter, nx_error *err);

/*
 * The next article: returns 1 with *out a new article the caller frees
 * (origin from the first file it came from, as nx_store_get), 0 at the
 * end (*out NULL), or a negative error code (*out NULL).
 */
int nx_cursor_next(nx_article **out, nx_cursor *w, nx_error *err);

/* Articles returned so far. */
int64_t nx_cursor_count(const nx_cursor *w);

/* End the walk; NULL is fine. */
void nx_cursor_free(nx_cursor *w);

/* Called by nx_cursor_ids for each id; title may be NULL. */
typedef void (*nx_cursor_id_cb)(const char *id, const char *title, void *ctx);

/*
 * Up to limit ids of current articles that begin with prefix (hex digits,
 * any case), in id order; with an empty prefix, the articles added last,
 * newest first.  For shell completion: an index range, no text is read.
 * A prefix that is not hex digits matches nothing.  Returns NX_OK or NX_EDB.
 */
int nx_cursor_ids(nx_store *st, const char *prefix, int limit, nx_cursor_id_cb cb, void *ctx, nx_error *err);

#ifdef __cplusplus
}
#endif
#endif

/*
 * newsidx/revision.h - earlier versions of an article and what changed.
 *
 * When a newer version of an article arrives, nx_store_put indexes it and
 * keeps the one it replaces, compressed, as a revision (an older version
 * arriving late is kept as a revision only).  Each version has a number
 * (rev) that is unique within the article; the indexed one is "current".
 *
 *	nx_revision *v = NULL;
 *	size_t n = 0;
 *	if (nx_revision_list(&v, &n, st, "87ec169d", &err) == NX_OK)
 *		for (i = 0; i < n; i++) printf("%lld\n", (long long)v[i].rev);
 *	free(v);
 */
#ifndef NEWSIDX_REVISION_H
#define NEWSIDX_REVISION_H

#include <stddef.h>
#include <stdint.h>

#include "newsidx/article.h"
#include "newsidx/error.h"
#include "newsidx/store.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct nx_revision {
	int64_t rev;
	nx_time captured;  /* when this version was fetched or ingested */
	nx_time updated;   /* its own updated time, when it gave one */
	char hash[65];     /* nx_article_hash of the version */
	int current;       /* 1 for the indexed version */
} nx_revision;

/*
 * All versions of the article ref (id, id prefix or URL), oldest first (by
 * updated time, else capture time), the current one last.  *out is one
 * malloc'd array the caller frees with free(); *n its length (>= 1).
 * Returns NX_OK, NX_ENOTFOUND, NX_EAMBIGUOUS or NX_EDB.
 */
int nx_revision_list(nx_revision **out, size_t *n, nx_store *st, const char *ref, nx_error *err);

/*
 * Load version rev of the article ref (the current version when rev is its
 * number or 0).  *out is a new article the caller frees.  Returns NX_OK,
 * NX_ENOTFOUND (no such article or revision) or NX_EDB (corrupt revision).
 */
int nx_revision_load(nx_article **out, nx_store *st, const char *ref, int64_t rev, nx_error *err);

#define NX_DIFF_COLOR 1u /* ANSI colours around the [-removed-] and {+added+} words */

/*
 * Word diff from version a to version b: changed metadata as "field: OLD
 * -> NEW" lines, then the title, each changed body paragraph ("¶N: ...")
 * and each changed photo, with removed words as [-...-] and added words as
 * {+...+}.  Unchanged paragraphs are left out.  Memory is bounded: long
 * bodies are first matched paragraph by paragraph, and an over-long
 * paragraph pair falls back to "all removed, all added".  *out is a
 * malloc'd string ("" when the versions are the same); *changed is 1 when
 * they differ.  Returns NX_OK or NX_ENOMEM.
 */
int nx_revision_diff(char **out, int *changed, const nx_article *a, const nx_article *b,
		     unsigned flags, nx_error *err);

#ifdef __cplusplus
}
#endif
#endif

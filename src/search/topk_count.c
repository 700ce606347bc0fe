/*
 * topk_count.c - nx_topk__or_count: the rows of an OR of phrases counted
 * from their rowids alone (see topk.h).
 *
 * nx_topk__rank reads each phrase's list with its positions (the weighted
 * count and the extent of every row) because its ranking needs them.  When
 * the strict query fills the page no ranking of the relaxed query follows,
 * and its total is all that is asked: then a bit per rowid is enough.
 * nx_topk__rank asked for a count alone (k 0) does just that
 * (nx_topk__count_lists in topk_lists.c: each phrase's rows marked in the
 * bitmap of its group, from the word's impact set when it has one, and
 * the rows in both groups that pass the filter counted a 64-bit word at a
 * time), into a cache of lists thrown away here.
 */
#include "search/topk_private.h"

#include <stdlib.h>

int nx_topk__or_count(sqlite3 *db, const char *expr, const nx_topk_filter *flt, int64_t *total,
		      nx_topk_stats *stats)
{
	static const double nocolw[1] = { 0 }; /* counts need no column weights */
	nx_topk_cache *c = NULL;
	nx_topk_hit *none = NULL;
	size_t nnone = 0;
	int ng1 = 0, rc = SQLITE_OK;

	*total = 0;
	if (nx_topk__or_shape(expr, &ng1) < 1)
		return SQLITE_RANGE;
	rc = nx_topk__rank(db, &c, expr, nocolw, 0, nocolw, 0, flt, 0, &none, &nnone, total, stats, NULL);
	free(none);
	nx_topk__cache_free(c);
	if (rc != SQLITE_OK)
		*total = 0;
	return rc;
}

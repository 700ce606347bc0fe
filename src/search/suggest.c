/*
 * suggest.c - "did you mean": the closest word the index knows for each
 * query word it does not.
 */
#include "search/search_private.h"

#include <stdio.h>
#include <string.h>

#include "util/text.h"


/* Levenshtein distance, bounded: returns max+1 when over max. */
static int edit_distance(const char *a, size_t na, const char *b, size_t nb, int max)
{
	int row[66], prev = 0, tmp = 0;
	size_t i = 0, j = 0;

	if (na > 64 || nb > 64)
		return max + 1;
	if ((na > nb ? na - nb : nb - na) > (size_t)max)
		return max + 1;
	for (j = 0; j <= nb; j++)
		row[j] = (int)j;
	for (i = 1; i <= na; i++) {
		int best = max + 1;

		prev = row[0];
		row[0] = (int)i;
		for (j = 1; j <= nb; j++) {
			tmp = row[j];
			row[j] = a[i - 1] == b[j - 1] ? prev : 1 + (prev < row[j] ? (prev < row[j - 1] ? prev : row[j - 1]) :
								     (row[j] < row[j - 1] ? row[j] : row[j - 1]));
			prev = tmp;
			if (row[j] < best)
				best = row[j];
		}
		if (best > max)
			return max + 1;
	}
	return row[nb];
}


/*
 * "Did you mean": for each query word the index does not know (neither it
 * nor a stem-like prefix of it), the closest known word by edit distance,
 * most frequent first.  Returns NULL when nothing would change.
 */
char *nx_search__suggest(nx_store *st, const nx_query *q, const char *query)
{
	sqlite3_stmt *df = NULL, *near = NULL;
	nx_buf out = NX_BUF_INIT;
	size_t i = 0, n = 0, k = 0;
	int changed = 0;
	char *result = NULL;
	const char *rest = query;

	if (nx_search__vocab_prepare(st, &df) != SQLITE_OK ||
	    sqlite3_prepare_v2(st->db, "SELECT term, doc FROM temp.nx_vocab WHERE term >= ?1 AND term < ?2", -1,
			       &near, NULL) != SQLITE_OK)
		goto done;
	for (i = 0; i < q->nterms; i++) {
		const char *t = q->terms[i];
		char lo[8], hi[8], best[72];
		int64_t bestdf = 0;
		int bestd = 3, known = 0;

		n = strlen(t);
		if (n < 4 || n > 64 || !nx_isalpha((unsigned char)t[0]))
			continue;
		for (k = n; k + 3 >= n && k >= 3 && !known; k--)
			known = nx_search__vocab_df(df, t, k) > 0;
		if (known)
			continue;
		/* candidates share the first letter */
		snprintf(lo, sizeof(lo), "%c", t[0]);
		snprintf(hi, sizeof(hi), "%c", t[0] + 1);
		sqlite3_reset(near);
		sqlite3_bind_text(near, 1, lo, -1, SQLITE_TRANSIENT);
		sqlite3_bind_text(near, 2, hi, -1, SQLITE_TRANSIENT);
		best[0] = '\0';
		while (sqlite3_step(near) == SQLITE_ROW) {
			const char *c = (const char *)sqlite3_column_text(near, 0);
			size_t cn = (size_t)sqlite3_column_bytes(near, 0);
			int64_t cdf = sqlite3_column_int64(near, 1);
			int d = 0, maxd = n <= 5 ? 1 : 2;

			if (c == NULL || cn > 64)
				continue;
			d = edit_distance(t, n, c, cn, maxd);
			if (d <= maxd && (d < bestd || (d == bestd && cdf > bestdf))) {
				bestd = d;
				bestdf = cdf;
				memcpy(best, c, cn);
				best[cn] = '\0';
			}
		}
		if (best[0] == '\0')
			continue;
		/* replace the word in the query text, case-insensitively */
		{
			const char *at = nx_memcasemem(rest, strlen(rest), t);

			if (at == NULL)
				continue;
			nx_buf_add(&out, rest, (size_t)(at - rest));
			nx_buf_adds(&out, best);
			rest = at + n;
			changed = 1;
		}
	}
	if (changed) {
		nx_buf_adds(&out, rest);
		if (nx_buf_ok(&out))
			result = nx_buf_detach(&out);
	}
done:
	nx_buf_free(&out);
	sqlite3_finalize(df);
	sqlite3_finalize(near);
	return result;
}

/*
 * impact_range.c - one frequent word in a filter of rows (a range of
 * published days, an outlet) from its impact list, no walk.
 *
 * A filter given as rowid bits ranks the word's rows in it as the walk of
 * the word alone ranks all of them: the same bm25 with the idf of all its
 * rows (topk_band.c walks the band with rows_all), ties by rowid.  So the
 * best k rows in the filter are the first k of the word's ranking that
 * lie in it, and the impact list holds that ranking's first
 * NX_IMPACT_ROWS rows with their scores, in its order (score, then
 * rowid): a row past the list comes after every listed one, a tie
 * included.  So when k of the listed rows are in the filter, they are
 * the hits, scores and order of the walk; when the list holds every row
 * of the word, its rows in the filter are all there are.  Otherwise (a
 * narrow range with too few listed rows in it, a list made before the
 * index changed) the search walks.
 *
 * The total, the word's rows in the filter, is its rows read from FTS5's
 * pages (nx_topk__forms_rows) ANDed with the filter's bits: about 5 ns a
 * row where the walk of a decade's band of a word in a tenth of ten
 * million articles took 40-60 ms.  A phrase of several words is left to
 * the walk: its rows would be walked through FTS5 to be counted.
 */
#include "search/search_private.h"
#include "search/topk_private.h"
#include "search/topk_rank_private.h"

#include <stdlib.h>
#include <string.h>

#include "index/impact.h"
#include "util/text.h"

static int in_filter(const nx_topk_filter *flt, int64_t r)
{
	return r >= 0 && r < flt->nbits && (flt->bits[r >> 6] >> (r & 63) & 1);
}

/* The rows of f (a word whose tokens it has) in flt's bits: their count, or -1 when they cannot be read. */
static int64_t rows_in(sqlite3 *db, const nx_topk_forms *f, const nx_topk_filter *flt)
{
	uint64_t *w = NULL;
	size_t nw = 0, i = 0, nf = (size_t)((flt->nbits + 63) / 64);
	int64_t n = 0;

	if (nx_topk__forms_rows(db, f, &w, &nw) != SQLITE_OK)
		return -1;
	for (i = 0; i < nw && i < nf; i++) {
		uint64_t v = w[i] & flt->bits[i];

		if (i + 1 == nf && (flt->nbits & 63) != 0)
			v &= ((uint64_t)1 << (flt->nbits & 63)) - 1; /* (bits past nbits are not the filter's) */
		n += __builtin_popcountll(v);
	}
	free(w);
	return n;
}

int nx_search__impact_range(nx_store *st, const char *expr, const nx_topk_filter *flt, size_t k, nx_topk_hit **out,
			    size_t *nout, int64_t *total)
{
	nx_topk_forms f;
	int64_t rowid[NX_IMPACT_ROWS], df = 0, in = 0;
	double score[NX_IMPACT_ROWS];
	nx_topk_hit *h = NULL;
	char *low = NULL;
	size_t n = 0, i = 0, kept = 0;
	int rc = 0;

	*out = NULL;
	*nout = 0;
	if (expr == NULL || flt == NULL || flt->bits == NULL || flt->keep != NULL || flt->nbits <= 0 || k < 1 ||
	    k > NX_IMPACT_ROWS || nx_topk__plain(expr) != 1)
		return 0;
	/* a word whose tokens are known, so that its rows are read from the pages (a phrase's would be walked) */
	if (!(nx_topk__forms(st->db, expr, strlen(expr), &f) || nx_topk__forms_one(st->db, expr, strlen(expr), &f)) ||
	    f.ntok != f.n || f.ntok < 1)
		return 0;
	/* the lists are under the words in lower case (the tokenizer folds case) */
	if ((low = nx_strndup(expr, strlen(expr))) == NULL)
		return -1;
	for (i = 0; low[i] != '\0'; i++)
		low[i] = (char)nx_tolower((unsigned char)low[i]);
	if ((rc = nx_impact__get_upto(st->db, low, NX_IMPACT_ROWS, rowid, score, &n, &df)) != 1 || n == 0)
		goto done;
	rc = 0;
	if ((h = malloc(k * sizeof(*h))) == NULL) {
		rc = -1;
		goto done;
	}
	for (i = 0; i < n && kept < k; i++) {
		if (in_filter(flt, rowid[i])) {
			h[kept].rowid = rowid[i];
			h[kept].score = score[i];
			kept++;
		}
	}
	/* decided: the list is every row, or k of its rows are in the filter */
	if ((int64_t)n < df && kept < k)
		goto done;
	if ((in = rows_in(st->db, &f, flt)) < 0 || in < (int64_t)kept)
		goto done;
	*out = h;
	*nout = kept;
	*total = in;
	h = NULL;
	rc = 1;
done:
	free(h);
	free(low);
	return rc;
}

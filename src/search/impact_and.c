/*
 * impact_and.c - queries of several frequent words ("said year") from
 * their impact lists and sets of rows (index/impact.c), no walk.
 *
 * The walk of an AND of two words each in most articles reads both whole
 * lists through FTS5 to count the rows holding both and to rank them: at
 * a million articles most of two million rows for ten hits, and again for
 * the relaxed query's count (the rows holding either).  When every word
 * of the query has an impact list and a set of rows, made for the index
 * as it is now, and there is no filter:
 *
 *  - the counts are the sets ANDed (and ORed for the relaxed query's
 *    groups) and their bits counted;
 *  - the best k rows come from the lists by the threshold algorithm: the
 *    lists are read a row deep at a time, each row met is scored exactly
 *    by bm25 over the whole query (FTS5 seeks to the one rowid: the row
 *    holds every word or gives nothing), and the reading stops as soon as
 *    the k-th best score beats the sum of the scores at the depth reached
 *    (no row not met yet can score more: its score for each word is at
 *    most that word's score there, since a list is best first).  bm25 of
 *    the query is the sum over its words, in their order, of each word's
 *    own bm25 (the score its list keeps), so that sum bounds it, rounding
 *    included (each addition is monotonic).  Lists read to the end
 *    without the bound met: the walk runs as before.
 *
 * The scores are bm25's as topk.c computes it (the same operations in the
 * same order, idf from the rows each word matches), ties by ascending
 * rowid: the hits are the walk's to the bit.
 */
#include "search/search_private.h"
#include "search/topk_private.h"
#include "index/impact.h"
#include "index/tokenizer.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define NX_AND_K1 1.2
#define NX_AND_B 0.75
#define NX_AND_MAX_COLS 64

/* The phrases of expr (up to max) as strings of their own; their count, 0 past max or out of memory. */
static int split_phrases(const char *expr, char **ph, int max)
{
	const char *s = expr, *e = NULL;
	int n = 0;

	while (s != NULL && *s != '\0') {
		if (*s != '"') {
			s++;
			continue;
		}
		if ((e = skip_phrase(s)) == NULL || n == max || (ph[n] = malloc((size_t)(e - s) + 1)) == NULL)
			goto fail;
		memcpy(ph[n], s, (size_t)(e - s));
		ph[n++][e - s] = '\0';
		s = e;
	}
	return n;
fail:
	while (n > 0)
		free(ph[--n]);
	return 0;
}

static void free_phrases(char **ph, int n)
{
	while (n > 0)
		free(ph[--n]);
}

/* The sets of rows of the n phrases, into set[i] / nset[i]: 1 when every one has one, else 0. */
static int load_sets(nx_store *st, char **ph, int n, uint64_t **set, size_t *nset)
{
	int i = 0;

	for (i = 0; i < n; i++)
		if (nx_impact__get_set(st->db, ph[i], &set[i], &nset[i]) != 1)
			return 0;
	return 1;
}

static void free_sets(uint64_t **set, int n)
{
	while (n > 0)
		free(set[--n]);
}

/*
 * The rows in some set of each group (phrases [0, ng1) and [ng1, n); ng1
 * == n: one group).  All the sets are loaded.
 */
static int64_t count_sets(uint64_t **set, const size_t *nset, int n, int ng1)
{
	size_t most = 0, at = 0;
	int64_t total = 0;
	int i = 0;

	for (i = 0; i < n; i++)
		most = nset[i] > most ? nset[i] : most;
	for (at = 0; at < most; at++) {
		uint64_t g1 = 0, g2 = ng1 < n ? 0 : ~(uint64_t)0;

		for (i = 0; i < n; i++) {
			uint64_t v = at < nset[i] ? set[i][at] : 0;

			if (i < ng1)
				g1 |= v;
			else
				g2 |= v;
		}
		total += __builtin_popcountll(g1 & g2);
	}
	return total;
}

/* The rows in every one of the n sets. */
static int64_t count_and(uint64_t **set, const size_t *nset, int n)
{
	size_t least = SIZE_MAX, at = 0;
	int64_t total = 0;
	int i = 0;

	for (i = 0; i < n; i++)
		least = nset[i] < least ? nset[i] : least;
	for (at = 0; at < least; at++) {
		uint64_t v = ~(uint64_t)0;

		for (i = 0; i < n; i++)
			v &= set[i][at];
		total += __builtin_popcountll(v);
	}
	return total;
}

int nx_search__impact_or_count(nx_store *st, const char *expr, int64_t *total)
{
	char *ph[NX_TOPK_MAX_RANK_PHRASES];
	uint64_t *set[NX_TOPK_MAX_RANK_PHRASES] = { NULL };
	size_t nset[NX_TOPK_MAX_RANK_PHRASES] = { 0 };
	int ng1 = 0, n = nx_topk__or_shape(expr, &ng1), ok = 0;

	*total = 0;
	if (n < 1 || n > NX_TOPK_MAX_RANK_PHRASES || split_phrases(expr, ph, n) != n)
		return 0;
	if ((ok = load_sets(st, ph, n, set, nset)) == 1)
		*total = count_sets(set, nset, n, ng1);
	free_sets(set, n);
	free_phrases(ph, n);
	return ok;
}

/* What the probe of one row (nx_impact_probe) needs and gives. */
typedef struct probe_state {
	int nphrase;
	const int64_t *df; /* rows each phrase matches */
	const double *w;   /* column weights */
	int nw;
	int ready;
	double idf[NX_TOPK_MAX_PHRASES];
	double avgdl;
	double score; /* of the row probed */
	int found;
	int rc;
} probe_state;

/* idf and avgdl exactly as topk.c's prepare has them. */
static int probe_prepare(probe_state *t, const Fts5ExtensionApi *api, Fts5Context *fctx)
{
	sqlite3_int64 nrow = 0, ntok = 0;
	int i = 0, rc = SQLITE_OK;

	if (api->xPhraseCount(fctx) != t->nphrase || api->xColumnCount(fctx) > NX_AND_MAX_COLS)
		return SQLITE_RANGE;
	if ((rc = api->xRowCount(fctx, &nrow)) != SQLITE_OK || (rc = api->xColumnTotalSize(fctx, -1, &ntok)) != SQLITE_OK)
		return rc;
	t->avgdl = (double)ntok / (double)nrow;
	for (i = 0; i < t->nphrase; i++) {
		double idf = log((nrow - t->df[i] + 0.5) / (t->df[i] + 0.5));

		t->idf[i] = idf <= 0.0 ? 1e-6 : idf;
	}
	t->ready = 1;
	return SQLITE_OK;
}

/* bm25 of the row FTS5 stands on (topk.c's score_row and bm25, the same operations in the same order) */
static int probe_score(probe_state *t, const Fts5ExtensionApi *api, Fts5Context *fctx)
{
	const double k1 = NX_AND_K1;
	const double b = NX_AND_B;
	double freq[NX_TOPK_MAX_PHRASES], score = 0.0, d = 0;
	int rc = SQLITE_OK, ip = 0, ic = 0, io = 0, ntok = 0;

	if (!t->ready && (rc = probe_prepare(t, api, fctx)) != SQLITE_OK)
		return rc;
	for (ip = 0; rc == SQLITE_OK && ip < t->nphrase; ip++) {
		Fts5PhraseIter it;

		freq[ip] = 0;
		rc = api->xPhraseFirst(fctx, ip, &it, &ic, &io);
		while (rc == SQLITE_OK && ic >= 0) {
			freq[ip] += t->nw > ic ? t->w[ic] : 1.0;
			api->xPhraseNext(fctx, &it, &ic, &io);
		}
	}
	if (rc != SQLITE_OK || (rc = api->xColumnSize(fctx, -1, &ntok)) != SQLITE_OK)
		return rc;
	d = (double)ntok;
	for (ip = 0; ip < t->nphrase; ip++)
		score += t->idf[ip] * ((freq[ip] * (k1 + 1.0)) / (freq[ip] + k1 * (1 - b + b * d / t->avgdl)));
	t->score = score;
	t->found = 1;
	return SQLITE_OK;
}

/* nx_impact_probe(fts, state): the one row of "MATCH expr AND rowid = r" scored into state */
static void aux_probe(const Fts5ExtensionApi *api, Fts5Context *fctx, sqlite3_context *ctx, int nval,
		      sqlite3_value **vals)
{
	probe_state *t = nval == 1 ? sqlite3_value_pointer(vals[0], "nx_impact_probe") : NULL;

	if (t == NULL) {
		sqlite3_result_error(ctx, "nx_impact_probe: no state", -1);
		return;
	}
	if (t->rc == SQLITE_OK)
		t->rc = probe_score(t, api, fctx);
	if (t->rc != SQLITE_OK)
		sqlite3_result_error_code(ctx, t->rc);
	else
		sqlite3_result_null(ctx);
}

/* The best k rows, as the threshold algorithm finds them (see the top). */
typedef struct ta_state {
	sqlite3_stmt *probe;
	probe_state ps;
	int64_t *seen; /* rowids probed, in the order met */
	size_t nseen;
	nx_topk_hit *heap; /* the best so far, worst at [0] */
	size_t n, k;
} ta_state;

/* Score rowid (once) and keep it when among the best k: SQLITE_OK or an error code. */
static int ta_meet(ta_state *a, int64_t rowid)
{
	nx_topk_hit h;
	size_t i = 0;
	int step = 0;

	for (i = 0; i < a->nseen; i++)
		if (a->seen[i] == rowid)
			return SQLITE_OK;
	a->seen[a->nseen++] = rowid;
	a->ps.found = 0;
	sqlite3_reset(a->probe);
	sqlite3_bind_int64(a->probe, 3, rowid);
	while ((step = sqlite3_step(a->probe)) == SQLITE_ROW)
		;
	if (a->ps.rc != SQLITE_OK)
		return a->ps.rc;
	if (step != SQLITE_DONE)
		return step;
	if (!a->ps.found)
		return SQLITE_OK; /* the row lacks a word */
	h.rowid = rowid;
	h.score = a->ps.score;
	if (a->n < a->k) {
		a->heap[a->n] = h;
		sift_up(a->heap, a->n++);
	} else if (worse(&a->heap[0], &h)) {
		a->heap[0] = h;
		heap_down(a->heap, a->n, 0, 0);
	}
	return SQLITE_OK;
}

/*
 * Read the lists (list[i]: len[i] rows of the phrase's df[i]) a row deep
 * at a time: 1 when the best k are found, 0 when the lists end first,
 * -1 on an error.
 */
static int ta_run(ta_state *a, nx_topk_hit **list, const size_t *len, const int64_t *df, int n)
{
	size_t depth = 0, most = 0;
	int i = 0, rc = SQLITE_OK;

	for (i = 0; i < n; i++)
		most = len[i] > most ? len[i] : most;
	for (depth = 0; depth < most; depth++) {
		double bound = 0.0;
		int all = 0;

		for (i = 0; i < n; i++) {
			if (depth < len[i] && (rc = ta_meet(a, list[i][depth].rowid)) != SQLITE_OK)
				return -1;
			/* a whole list read: every row holding its word (every hit) was met */
			if ((int64_t)len[i] == df[i] && depth + 1 >= len[i])
				all = 1;
		}
		if (all)
			return 1;
		for (i = 0; i < n; i++)
			bound += list[i][depth < len[i] ? depth : len[i] - 1].score;
		if (a->n == a->k && a->k > 0 && a->heap[0].score > bound)
			return 1;
	}
	return 0;
}

/* The lists of the n phrases (whole: NX_IMPACT_ROWS rows, or all of a shorter word's): 1 when all are had. */
static int load_lists(nx_store *st, char **ph, int n, nx_topk_hit **list, size_t *len, int64_t *df)
{
	int i = 0;

	for (i = 0; i < n; i++)
		if (nx_search__impact_hits(st, ph[i], NX_IMPACT_ROWS, &list[i], &len[i], &df[i]) != 1 || len[i] == 0)
			return 0;
	return 1;
}

static int ta_top(nx_store *st, const char *expr, char **ph, int n, const double *w, int nw, size_t k,
		  nx_topk_hit **out, size_t *nout)
{
	nx_topk_hit *list[NX_TOPK_MAX_PHRASES] = { NULL };
	size_t len[NX_TOPK_MAX_PHRASES] = { 0 }, lens = 0;
	int64_t df[NX_TOPK_MAX_PHRASES] = { 0 };
	fts5_api *api = nx_fts5_api(st->db);
	ta_state a;
	int i = 0, ok = 0;

	memset(&a, 0, sizeof(a));
	if (!load_lists(st, ph, n, list, len, df) || api == NULL ||
	    api->xCreateFunction(api, "nx_impact_probe", NULL, aux_probe, NULL) != SQLITE_OK)
		goto done;
	for (i = 0; i < n; i++)
		lens += len[i];
	a.k = k;
	a.ps.nphrase = n;
	a.ps.df = df;
	a.ps.w = w;
	a.ps.nw = nw;
	if ((a.seen = malloc(lens * sizeof(*a.seen))) == NULL || (a.heap = malloc((k ? k : 1) * sizeof(*a.heap))) == NULL)
		goto done;
	if (sqlite3_prepare_v2(st->db, "SELECT nx_impact_probe(fts, ?2) FROM fts WHERE fts MATCH ?1 AND rowid = ?3", -1,
			       &a.probe, NULL) != SQLITE_OK)
		goto done;
	sqlite3_bind_text(a.probe, 1, expr, -1, SQLITE_STATIC);
	sqlite3_bind_pointer(a.probe, 2, &a.ps, "nx_impact_probe", NULL);
	if ((ok = ta_run(&a, list, len, df, n)) == 1) {
		qsort(a.heap, a.n, sizeof(*a.heap), cmp_hit);
		*out = a.heap;
		*nout = a.n;
		a.heap = NULL;
	}
done:
	sqlite3_finalize(a.probe);
	free(a.seen);
	free(a.heap);
	for (i = 0; i < n; i++)
		free(list[i]);
	return ok == 1;
}

int nx_search__impact_and(nx_store *st, const char *expr, const double *w, int nw, size_t k, nx_topk_hit **out,
			  size_t *nout, int64_t *total)
{
	char *ph[NX_TOPK_MAX_PHRASES];
	uint64_t *set[NX_TOPK_MAX_PHRASES] = { NULL };
	size_t nset[NX_TOPK_MAX_PHRASES] = { 0 };
	int n = nx_topk__plain(expr), ok = 0;

	*out = NULL;
	*nout = 0;
	if (n < 2 || n > NX_TOPK_MAX_PHRASES || split_phrases(expr, ph, n) != n)
		return 0;
	if (load_sets(st, ph, n, set, nset)) {
		*total = count_and(set, nset, n);
		/* fewer rows than asked for: the walk lists them all */
		ok = (int64_t)k <= *total && (k == 0 || ta_top(st, expr, ph, n, w, nw, k, out, nout));
	}
	free_sets(set, n);
	free_phrases(ph, n);
	return ok;
}

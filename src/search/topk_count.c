/*
 * topk_count.c - nx_topk__or_count: the rows of an OR of phrases counted
 * from their rowids alone (see topk.h).
 *
 * nx_topk__rank reads each phrase's list with its positions (the weighted
 * count and the extent of every row) because its ranking needs them.  When
 * the strict query fills the page no ranking of the relaxed query follows,
 * and its total is all that is asked: then a bit per rowid is enough.  Each
 * phrase's rows are marked in the bitmap of its group, and the rows marked
 * in both groups (one group: in it) that pass the filter are counted, a
 * 64-bit word at a time.
 */
#include "search/topk_private.h"
#include "index/tokenizer.h"

#include <stdlib.h>
#include <string.h>

/* Past this rowid the bitmaps would be too large: the caller ranks instead. */
#define NX_COUNT_MAX_ROWID ((int64_t)1 << 33)

typedef struct bitmap {
	uint64_t *w;
	size_t nw; /* words */
} bitmap;

typedef struct count_state {
	bitmap b[2];     /* the rows of group 1, of group 2 */
	int ngroup1;     /* phrases of group 1 (all of them: one group) */
	int nphrase;
	bitmap *cur;     /* the bitmap the phrase being read marks */
	int called;
	int rc;
} count_state;

static int mark(bitmap *b, int64_t rowid)
{
	size_t at = 0;

	if (rowid < 0 || rowid >= NX_COUNT_MAX_ROWID)
		return SQLITE_RANGE;
	at = (size_t)(rowid >> 6);
	if (at >= b->nw) {
		size_t nw = b->nw ? b->nw : 1024;
		uint64_t *w = NULL;

		while (nw <= at)
			nw *= 2;
		if ((w = realloc(b->w, nw * sizeof(*w))) == NULL)
			return SQLITE_NOMEM;
		memset(w + b->nw, 0, (nw - b->nw) * sizeof(*w));
		b->w = w;
		b->nw = nw;
	}
	b->w[at] |= (uint64_t)1 << (rowid & 63);
	return SQLITE_OK;
}

/* xQueryPhrase callback: one row of the phrase being read */
static int mark_row(const Fts5ExtensionApi *api, Fts5Context *fctx, void *ud)
{
	count_state *t = ud;

	return mark(t->cur, api->xRowid(fctx));
}

/* nx_topk_orcount(fts, state): on the first row, marks the rows of every phrase */
static void aux_orcount(const Fts5ExtensionApi *api, Fts5Context *fctx, sqlite3_context *ctx, int nval,
			sqlite3_value **vals)
{
	count_state *t = nval == 1 ? sqlite3_value_pointer(vals[0], "nx_topk_orcount") : NULL;
	int i = 0;

	if (t == NULL) {
		sqlite3_result_error(ctx, "nx_topk_orcount: no state", -1);
		return;
	}
	if (!t->called && t->rc == SQLITE_OK) {
		t->called = 1;
		if (api->xPhraseCount(fctx) != t->nphrase)
			t->rc = SQLITE_RANGE;
		for (i = 0; t->rc == SQLITE_OK && i < t->nphrase; i++) {
			t->cur = &t->b[i < t->ngroup1 ? 0 : 1];
			t->rc = api->xQueryPhrase(fctx, i, t, mark_row);
		}
	}
	if (t->rc != SQLITE_OK)
		sqlite3_result_error_code(ctx, t->rc);
	else
		sqlite3_result_null(ctx);
}

/* The rows set in the word at of both bitmaps (b2 NULL: of b1) that pass flt; -1 on an error of keep(). */
static int64_t count_word(const count_state *t, const bitmap *b2, size_t at, const nx_topk_filter *flt,
			  nx_topk_stats *st)
{
	uint64_t v = t->b[0].w[at] & (b2 != NULL ? (at < b2->nw ? b2->w[at] : 0) : ~(uint64_t)0);
	int64_t n = 0;
	int pass = 0;

	st->rows += __builtin_popcountll(v);
	if (flt != NULL && flt->bits != NULL) {
		int64_t base = (int64_t)at << 6;

		v &= base >= flt->nbits ? 0 : base + 64 <= flt->nbits ? flt->bits[at] :
		     flt->bits[at] & ((~(uint64_t)0) >> (64 - (flt->nbits - base)));
	}
	if (flt == NULL || flt->keep == NULL)
		return __builtin_popcountll(v);
	for (; v != 0; v &= v - 1) {
		if ((pass = passes(flt, ((int64_t)at << 6) + __builtin_ctzll(v), st)) < 0)
			return -1;
		n += pass;
	}
	return n;
}

int nx_topk__or_count(sqlite3 *db, const char *expr, const nx_topk_filter *flt, int64_t *total,
		      nx_topk_stats *stats)
{
	fts5_api *api = nx_fts5_api(db);
	sqlite3_stmt *s = NULL;
	count_state t;
	nx_topk_stats st;
	size_t at = 0;
	int rc = SQLITE_OK;

	*total = 0;
	memset(&t, 0, sizeof(t));
	memset(&st, 0, sizeof(st));
	if ((t.nphrase = nx_topk__or_shape(expr, &t.ngroup1)) < 1)
		return SQLITE_RANGE;
	if (api == NULL || api->xCreateFunction(api, "nx_topk_orcount", NULL, aux_orcount, NULL) != SQLITE_OK)
		return SQLITE_ERROR;
	rc = sqlite3_prepare_v2(db, "SELECT nx_topk_orcount(fts, ?2) FROM fts WHERE fts MATCH ?1 LIMIT 1", -1, &s,
				NULL);
	if (rc == SQLITE_OK) {
		sqlite3_bind_text(s, 1, expr, -1, SQLITE_STATIC);
		sqlite3_bind_pointer(s, 2, &t, "nx_topk_orcount", NULL);
		rc = sqlite3_step(s);
		rc = t.rc != SQLITE_OK ? t.rc : rc == SQLITE_ROW || rc == SQLITE_DONE ? SQLITE_OK : rc;
	}
	sqlite3_finalize(s);
	for (at = 0; rc == SQLITE_OK && at < t.b[0].nw; at++) {
		int64_t n = count_word(&t, t.ngroup1 < t.nphrase ? &t.b[1] : NULL, at, flt, &st);

		if (n < 0)
			rc = SQLITE_ERROR;
		else
			*total += n;
	}
	free(t.b[0].w);
	free(t.b[1].w);
	if (stats != NULL)
		*stats = st;
	if (rc != SQLITE_OK)
		*total = 0;
	return rc;
}

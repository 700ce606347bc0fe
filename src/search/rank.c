/*
 * rank.c - the SQL functions a search ranks with: nx_rank() for relaxed
 * and expanded queries, nx_decay() for the recency boost.
 */
#include "search/search_private.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "index/tokenizer.h"

/*
 * nx_rank(fts, w0, w1, ...): BM25 (k1 1.2, b 0.75, the idf of Lucene,
 * always positive) with the same column weights as the index's rank, each
 * phrase i weighted by wi (1 when not given), multiplied by
 * 1 + NX_RANK_COVERAGE_GAIN * (share of the weight-1 phrases the row holds).
 * Used for relaxed queries and their expansion with feedback terms; the
 * fast path (topk.h) computes the same scores without SQL.
 */
typedef struct rank_data {
	int nphrase;
	double avgdl;
	double idf[];
} rank_data;

static int count_row(const Fts5ExtensionApi *api, Fts5Context *fctx, void *ud)
{
	(void)api;
	(void)fctx;
	(*(int64_t *)ud)++;
	return SQLITE_OK;
}

static rank_data *rank_data_get(const Fts5ExtensionApi *api, Fts5Context *fctx)
{
	rank_data *d = api->xGetAuxdata(fctx, 0);
	sqlite3_int64 nrow = 0, ntok = 0;
	int n = 0, i = 0;

	if (d != NULL)
		return d;
	n = api->xPhraseCount(fctx);
	d = calloc(1, sizeof(*d) + (size_t)(n > 0 ? n : 1) * sizeof(double));
	if (d == NULL)
		return NULL;
	d->nphrase = n;
	if (api->xRowCount(fctx, &nrow) != SQLITE_OK || nrow <= 0)
		nrow = 1;
	if (api->xColumnTotalSize(fctx, -1, &ntok) != SQLITE_OK)
		ntok = 0;
	d->avgdl = (double)ntok / (double)nrow;
	if (d->avgdl <= 0)
		d->avgdl = 1;
	for (i = 0; i < n; i++) {
		int64_t hits = 0;

		api->xQueryPhrase(fctx, i, &hits, count_row);
		d->idf[i] = nx_topk__rank_idf(nrow, hits);
	}
	if (api->xSetAuxdata(fctx, d, free) != SQLITE_OK)
		return NULL; /* freed by FTS5 */
	return d;
}

static const double rank_w_v1[4] = { 8.0, 1.0, 0.6, 0.4 }; /* title, body, ... */
static const double rank_w_v2[4] = { 1.0, 8.0, 0.6, 0.4 }; /* body, title, ... */

const double *nx_search__colw(const nx_store *st)
{
	return st->fcol[NX_F_TITLE] == 0 ? rank_w_v1 : rank_w_v2;
}

static void aux_rank(const Fts5ExtensionApi *api, Fts5Context *fctx, sqlite3_context *ctx,
		     int nval, sqlite3_value **vals)
{
	/* the index's column weights, in its column order (store.h) */
	const double *colw = nx_search__colw(api->xUserData(fctx));
	rank_data *d = rank_data_get(api, fctx);
	double freq[64], w[64];
	int ninst = 0, k = 0, ip = 0, ic = 0, io = 0, i = 0, n = 0, dl = 0;

	if (d == NULL) {
		sqlite3_result_error_nomem(ctx);
		return;
	}
	n = d->nphrase < 64 ? d->nphrase : 64;
	memset(freq, 0, sizeof(freq));
	if (api->xInstCount(fctx, &ninst) != SQLITE_OK)
		ninst = 0;
	for (k = 0; k < ninst; k++) {
		if (api->xInst(fctx, k, &ip, &ic, &io) == SQLITE_OK && ip >= 0 && ip < n && ic >= 0 && ic < 4)
			freq[ip] += colw[ic];
	}
	if (api->xColumnSize(fctx, -1, &dl) != SQLITE_OK)
		dl = 0;
	for (i = 0; i < n; i++)
		w[i] = i < nval ? sqlite3_value_double(vals[i]) : 1.0;
	/* topk.c ranks relaxed queries with the same function, without SQL */
	sqlite3_result_double(ctx, nx_topk__rank_score(d->idf, w, freq, n, (double)dl, d->avgdl));
}

/* nx_decay(seconds): 2^(-age / 30 days) */
static void sql_decay(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
	double age = sqlite3_value_double(argv[0]);

	(void)argc;
	if (age < 0)
		age = 0;
	sqlite3_result_double(ctx, pow(2.0, -age / (30.0 * 86400.0)));
}

int nx_search__register(nx_store *st)
{
	fts5_api *api = NULL;
	sqlite3_stmt *probe = NULL;
	int rc = SQLITE_OK;

	/*
	 * Once per connection (nx_decay comes last): registering again fails
	 * while a statement of the connection is active, and FTS5 would keep
	 * every registration.
	 */
	if (sqlite3_prepare_v2(st->db, "SELECT nx_decay(0)", -1, &probe, NULL) == SQLITE_OK) {
		sqlite3_finalize(probe);
		return SQLITE_OK;
	}
	if ((api = nx_fts5_api(st->db)) == NULL)
		return SQLITE_ERROR;
	rc = api->xCreateFunction(api, "nx_rank", st, aux_rank, NULL);
	if (rc == SQLITE_OK)
		rc = nx_search__register_highlight(api);
	if (rc == SQLITE_OK)
		rc = sqlite3_create_function(st->db, "nx_decay", 1, SQLITE_UTF8 | SQLITE_DETERMINISTIC, NULL,
					     sql_decay, NULL, NULL);
	return rc;
}

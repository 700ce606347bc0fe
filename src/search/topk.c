/*
 * topk.c - the best k rows of an FTS5 MATCH by bm25: see topk.h.
 *
 * bm25 as SQLite's fts5_aux.c computes it (fts5Bm25Function), for each
 * phrase i of the query:
 *
 *   idf[i]  = log((N - nHit + 0.5) / (nHit + 0.5)), 1e-6 when <= 0
 *   freq[i] = sum of the column weights of the phrase's instances in the row
 *   score  += idf[i] * (freq[i] * (k1 + 1)) / (freq[i] + k1 * (1 - b + b * D / avgdl))
 *
 * with k1 1.2, b 0.75, N the rows of the table, avgdl its tokens per row
 * and D the row's tokens in all columns.  The terms fall as D grows, so a
 * row's score is at most the same sum with D replaced by any smaller
 * length; the row's instances give one for free (an instance at offset o
 * of a column means that column holds more than o tokens).  Floating-point
 * rounding keeps that order (every step is monotonic), so the bound holds
 * on the computed values too, and a row whose bound is below the k-th
 * best score so far cannot enter the top k: its length is never read.
 *
 * nx_rank (search.c) is BM25 with Lucene's idf, per-phrase weights and a
 * coverage factor that does not depend on the length: the same argument
 * bounds it.  For an OR, FTS5 would call the function on every row that
 * holds any phrase; nx_topk__rank instead reads each phrase's matches once
 * (xQueryPhrase: rowid, weighted count, last offset in each column) and
 * merges the lists in C, so only the rows whose bound can still win cost
 * a length read, in the order of decreasing bound.
 */
#include "search/topk_private.h"
#include "index/tokenizer.h"

#include <math.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define NX_TOPK_MAX_COLS 64

typedef struct topk_state {
	const double *w;
	int nw;
	int64_t nhit;
	const int64_t *known; /* rows of each phrase as written, -1: count them (see map_known) */
	int nknown;
	int64_t kn[NX_TOPK_MAX_PHRASES]; /* of each phrase of FTS5's, -1: count it */
	const nx_topk_filter *flt;
	int64_t total;
	size_t k;
	nx_topk_hit *heap; /* the best so far, worst at [0] */
	size_t n;
	int ready;
	int nphrase;
	int ncol;
	int rc;
	double avgdl;
	double idf[NX_TOPK_MAX_PHRASES];
	nx_topk_stats st;
	int probe;           /* only prepare, at the first row, and stop */
	int check;           /* prepared by a probe: check the walk reads the same index */
	int stale;           /* it does not (a writer committed between): walk again */
	sqlite3_int64 nrow, ntok;
	int64_t minhit;      /* the fewest rows any phrase matches */
	int64_t *sample;     /* every NX_TOPK_SAMPLE-th rowid of that phrase */
	size_t nsample;
	atomic_int *next;    /* probes sharing the counting: the next phrase to count */
	unsigned char counted[NX_TOPK_MAX_PHRASES]; /* this probe counted phrase i */
	int defer;           /* one phrase: rank by bm25 / idf, idf from the rows walked */
	int64_t lo, hi;      /* a walk by nx_topk_phrase: the rowids it takes */
	int64_t rows_all;    /* > 0: a deferred walk of a band (topk_band.c): the phrase's rows in all, for idf */
	nx_topk_hit *near;   /* deferred: rows just below the k-th (see near_tie) */
	size_t nnear, capnear;
} topk_state;


#define NX_TOPK_SAMPLE 64

/* What count_cb counts, and the rowids it samples. */
typedef struct count_state {
	sqlite3_int64 n;
	int64_t *sample;
	size_t nsample, cap;
	int want_sample;
	sqlite3_int64 stop; /* > 0: stop counting there */
} count_state;

int nx_topk__plain(const char *expr)
{
	const char *s = expr;
	int n = 0;

	if (s == NULL)
		return 0;
	for (;;) {
		if ((s = skip_phrase(s)) == NULL)
			return 0;
		n++;
		if (*s == '\0')
			return n;
		if (*s != ' ' || s[1] != '"')
			return 0;
		s++;
	}
}

char *nx_topk__any_of(const char *expr)
{
	const char *s = expr, *e = NULL;
	int n = nx_topk__plain(expr);
	size_t at = 1, len = 0;
	char *any = NULL;

	if (n < 1 || (any = malloc(strlen(expr) + 3 * (size_t)n + 2)) == NULL)
		return NULL;
	any[0] = '(';
	for (; s != NULL && (e = skip_phrase(s)) != NULL; s = *e == ' ' ? e + 1 : NULL) {
		if (at > 1) {
			memcpy(any + at, " OR ", 4);
			at += 4;
		}
		len = (size_t)(e - s);
		memcpy(any + at, s, len);
		at += len;
	}
	memcpy(any + at, ")", 2);
	return any;
}

static int count_cb(const Fts5ExtensionApi *api, Fts5Context *fctx, void *ud)
{
	count_state *c = ud;

	if (c->want_sample && c->n % NX_TOPK_SAMPLE == 0) {
		if (c->nsample == c->cap) {
			size_t cap = c->cap == 0 ? 256 : 2 * c->cap;
			int64_t *p = realloc(c->sample, cap * sizeof(*p));

			if (p == NULL)
				return SQLITE_NOMEM;
			c->sample = p;
			c->cap = cap;
		}
		c->sample[c->nsample++] = api->xRowid(fctx);
	}
	c->n++;
	return c->stop > 0 && c->n >= c->stop ? SQLITE_DONE : SQLITE_OK;
}

/*
 * t->kn from t->known: the counts of the phrases as written, when FTS5's
 * phrases can be told apart.  FTS5 leaves out a phrase with no token (a
 * stop word the index drops): when it has as many phrases as written, they
 * are the same; when the phrases it left out are as many as those marked
 * NX_TOPK_NO_TOKEN, those are they, and the others follow in order; when
 * they are as many as those of unknown count, those are they (a phrase of
 * known count has rows: it has tokens), and the others follow in order;
 * else nothing is known.
 */
static void map_known(topk_state *t)
{
	int i = 0, j = 0, unknown = 0, none = 0, gone = t->nknown - t->nphrase;

	for (i = 0; i < t->nphrase; i++)
		t->kn[i] = -1;
	for (i = 0; t->known != NULL && i < t->nknown; i++) {
		unknown += t->known[i] < 0;
		none += t->known[i] == NX_TOPK_NO_TOKEN;
	}
	if (t->known == NULL || (gone != 0 && gone != none && gone != unknown))
		return;
	for (i = 0; i < t->nknown && j < t->nphrase; i++) {
		if (gone == 0)
			t->kn[j++] = t->known[i] < 0 ? -1 : t->known[i];
		else if (gone == none ? t->known[i] != NX_TOPK_NO_TOKEN : t->known[i] >= 0)
			t->kn[j++] = t->known[i] < 0 ? -1 : t->known[i];
	}
}

/* Once per query: avgdl and idf exactly as fts5Bm25GetData. */
static int prepare(topk_state *t, const Fts5ExtensionApi *api, Fts5Context *fctx)
{
	sqlite3_int64 nrow = 0, ntok = 0;
	int rc = SQLITE_OK, i = 0, seq = 0;

	t->nphrase = api->xPhraseCount(fctx);
	t->ncol = api->xColumnCount(fctx);
	if (t->nphrase > NX_TOPK_MAX_PHRASES || t->ncol > NX_TOPK_MAX_COLS || t->ncol < 1)
		return SQLITE_RANGE;
	rc = api->xRowCount(fctx, &nrow);
	if (rc == SQLITE_OK)
		rc = api->xColumnTotalSize(fctx, -1, &ntok);
	if (rc == SQLITE_OK)
		t->avgdl = (double)ntok / (double)nrow;
	t->nrow = nrow;
	t->ntok = ntok;
	t->minhit = INT64_MAX;
	map_known(t);
	for (;;) {
		count_state c;
		sqlite3_int64 nhit = 0;

		/* two probes on two threads take the phrases in turn */
		i = t->next != NULL ? atomic_fetch_add(t->next, 1) : seq++;
		if (rc != SQLITE_OK || i >= t->nphrase)
			break;
		t->counted[i] = 1;
		memset(&c, 0, sizeof(c));
		c.want_sample = t->probe;
		if (t->defer) {
			t->idf[i] = 1.0; /* the walk ranks by bm25 / idf: see finish_defer */
			continue;
		}
		if (t->nphrase == 1 && t->nhit >= 0) {
			nhit = t->nhit;
		} else if (t->kn[i] >= 0) {
			nhit = t->kn[i]; /* (no sample: such a walk is not split) */
		} else {
			/*
			 * A phrase in half the rows or more gets idf 1e-6 however
			 * many more it is in ("said"): counting stops there.  Its
			 * count is then too low, but the phrase with the fewest
			 * rows (whose sample splits the walk) is one counted whole
			 * unless every phrase is that common.
			 */
			c.stop = (nrow + 1) / 2;
			rc = api->xQueryPhrase(fctx, i, &c, count_cb);
			nhit = c.n;
		}
		/* a split follows the rows of the phrase with the fewest */
		if (rc == SQLITE_OK && nhit < t->minhit) {
			t->minhit = nhit;
			free(t->sample);
			t->sample = c.sample;
			t->nsample = c.nsample;
			c.sample = NULL;
		}
		free(c.sample);
		if (rc == SQLITE_OK) {
			t->idf[i] = nx_bm25_idf(nrow, nhit);
		}
	}
	return rc;
}

/* bm25's sum for a row of length d (the same operations in the same order) */
static double bm25(const topk_state *t, const double *freq, double d)
{
	return nx_bm25(t->idf, freq, t->nphrase, d, t->avgdl);
}

/*
 * A one-phrase query's bm25 is idf times a term that does not depend on
 * idf, and idf needs the number of matching rows: counting them first is
 * a second walk of the list.  So a deferred walk ranks by that term alone
 * and multiplies by idf at the end (0.0 + idf * x, the same double bm25
 * gives).  Multiplying keeps the order but rounding can merge two terms a
 * few ulps apart into one score, which FTS5 then orders by rowid: so the
 * rows just below the k-th are kept aside, in case they tie with it.
 */
static int near_tie(double x, double top)
{
	return x < top && x >= top - fabs(top) * 0x1p-40;
}

static int keep_near(topk_state *t, const nx_topk_hit *h)
{
	size_t i = 0, j = 0;

	if (t->nnear == t->capnear) {
		/* drop those the k-th has risen away from before growing */
		for (i = 0; i < t->nnear; i++)
			if (near_tie(t->near[i].score, t->heap[0].score))
				t->near[j++] = t->near[i];
		t->nnear = j;
	}
	if (t->nnear == t->capnear) {
		size_t cap = t->capnear == 0 ? 16 : 2 * t->capnear;
		nx_topk_hit *p = realloc(t->near, cap * sizeof(*p));

		if (p == NULL)
			return -1;
		t->near = p;
		t->capnear = cap;
	}
	t->near[t->nnear++] = *h;
	return 0;
}

static int keep_row(topk_state *t, const nx_topk_hit *hp);

/* One matching row: count it, and keep it when it is among the best k so far. */
static int score_row(topk_state *t, const Fts5ExtensionApi *api, Fts5Context *fctx, int64_t rowid)
{
	double freq[NX_TOPK_MAX_PHRASES];
	int colmax[NX_TOPK_MAX_COLS];
	nx_topk_hit h;
	int rc = SQLITE_OK, k = 0, ntok = 0, lb = 0, pass = 0;

	t->st.rows++;
	h.rowid = rowid;
	if ((pass = passes(t->flt, h.rowid, &t->st)) < 0)
		return SQLITE_ERROR;
	if (pass == 0)
		return SQLITE_OK;
	t->total++;
	if (t->k == 0)
		return SQLITE_OK;
	if (!t->ready) {
		if ((rc = prepare(t, api, fctx)) != SQLITE_OK)
			return rc;
		t->ready = 1;
	}
	if ((rc = nx_phrase_freqs(api, fctx, t->nphrase, t->w, t->nw, t->ncol, freq, colmax)) != SQLITE_OK)
		return rc;
	if (t->n == t->k) {
		/* full: skip the row when even its shortest possible length loses */
		for (k = 0; k < t->ncol; k++)
			lb += colmax[k];
		h.score = bm25(t, freq, (double)lb);
		if (worse(&h, &t->heap[0]) && !(t->defer && near_tie(h.score, t->heap[0].score)))
			return SQLITE_OK;
	}
	if ((rc = api->xColumnSize(fctx, -1, &ntok)) != SQLITE_OK)
		return rc;
	t->st.lengths++;
	h.score = bm25(t, freq, (double)ntok);
	return keep_row(t, &h);
}

/* h, scored, into the best k so far (or beside them, a near tie of a deferred walk's k-th). */
static int keep_row(topk_state *t, const nx_topk_hit *hp)
{
	nx_topk_hit h = *hp;

	if (t->n < t->k) {
		t->heap[t->n] = h;
		sift_up(t->heap, t->n++);
	} else if (worse(&t->heap[0], &h)) {
		nx_topk_hit out = t->heap[0];

		t->heap[0] = h;
		heap_down(t->heap, t->n, 0, 0);
		if (t->defer && near_tie(out.score, t->heap[0].score) && keep_near(t, &out) < 0)
			return SQLITE_NOMEM;
	} else if (t->defer && near_tie(h.score, t->heap[0].score) && keep_near(t, &h) < 0) {
		return SQLITE_NOMEM;
	}
	return SQLITE_OK;
}

void *nx_topk__aux_state(sqlite3_context *ctx, int nval, sqlite3_value **vals, const char *type)
{
	void *p = nval == 1 ? sqlite3_value_pointer(vals[0], type) : NULL;
	char *msg = NULL;

	if (p == NULL) {
		msg = sqlite3_mprintf("%s: no state", type);
		sqlite3_result_error(ctx, msg != NULL ? msg : "no state", -1);
		sqlite3_free(msg);
	}
	return p;
}

void nx_topk__aux_result(sqlite3_context *ctx, int rc)
{
	if (rc != SQLITE_OK)
		sqlite3_result_error_code(ctx, rc);
	else
		sqlite3_result_null(ctx);
}

static topk_state *state_of(sqlite3_context *ctx, int nval, sqlite3_value **vals)
{
	return nx_topk__aux_state(ctx, nval, vals, "nx_topk");
}

/*
 * Before the first row of a walk: the statistics the probe had (t->check)
 * must be those this walk reads, else a writer committed between.
 */
static int check_same(topk_state *t, const Fts5ExtensionApi *api, Fts5Context *fctx)
{
	sqlite3_int64 nrow = 0, ntok = 0;
	int rc = SQLITE_OK;

	if (!t->check)
		return SQLITE_OK;
	t->check = 0;
	if ((rc = api->xRowCount(fctx, &nrow)) == SQLITE_OK)
		rc = api->xColumnTotalSize(fctx, -1, &ntok);
	if (rc == SQLITE_OK && (nrow != t->nrow || ntok != t->ntok)) {
		t->stale = 1;
		rc = SQLITE_ABORT;
	}
	return rc;
}

/* nx_topk(fts, state): called for each matching row, keeps the best k in state */
static void aux_topk(const Fts5ExtensionApi *api, Fts5Context *fctx, sqlite3_context *ctx, int nval,
		     sqlite3_value **vals)
{
	topk_state *t = state_of(ctx, nval, vals);

	if (t == NULL)
		return;
	if (t->rc != SQLITE_OK)
		goto fail;
	if (t->probe) {
		if (!t->ready && (t->rc = prepare(t, api, fctx)) != SQLITE_OK)
			goto fail;
		t->ready = 1;
		goto done;
	}
	if ((t->rc = check_same(t, api, fctx)) != SQLITE_OK ||
	    (t->rc = score_row(t, api, fctx, api->xRowid(fctx))) != SQLITE_OK)
		goto fail;
done:
	sqlite3_result_null(ctx);
	return;
fail:
	sqlite3_result_error_code(ctx, t->rc);
}

/* xQueryPhrase callback of nx_topk_phrase: rows up to t->hi, past t->lo */
static int phrase_row(const Fts5ExtensionApi *api, Fts5Context *fctx, void *ud)
{
	topk_state *t = ud;
	int64_t rowid = api->xRowid(fctx);

	if (rowid > t->hi)
		return SQLITE_DONE; /* ends the walk: rows come in rowid order */
	if (rowid < t->lo)
		return SQLITE_OK;
	return score_row(t, api, fctx, rowid);
}

/*
 * nx_topk_phrase(fts, state), called once (LIMIT 1): the rows of a query of
 * one phrase walked inside FTS5 by xQueryPhrase, without a statement step
 * and a function call per row.
 */
static void aux_topk_phrase(const Fts5ExtensionApi *api, Fts5Context *fctx, sqlite3_context *ctx, int nval,
			    sqlite3_value **vals)
{
	topk_state *t = state_of(ctx, nval, vals);

	if (t == NULL)
		return;
	if (t->rc == SQLITE_OK)
		t->rc = check_same(t, api, fctx);
	if (t->rc == SQLITE_OK)
		t->rc = api->xQueryPhrase(fctx, 0, t, phrase_row);
	nx_topk__aux_result(ctx, t->rc);
}

/*
 * Once per connection: FTS5 keeps every registration in a list it walks
 * by name for each query, so registering on every search would grow it
 * for as long as a server runs.  Registering also overloads name as an
 * SQL function, which is how a later call finds it there.
 */
int nx_topk__aux(sqlite3 *db, const char *name, fts5_extension_function fn)
{
	char sql[64];
	sqlite3_stmt *probe = NULL;
	fts5_api *api = NULL;

	snprintf(sql, sizeof(sql), "SELECT %s(0)", name);
	if (sqlite3_prepare_v2(db, sql, -1, &probe, NULL) == SQLITE_OK) {
		sqlite3_finalize(probe);
		return SQLITE_OK;
	}
	if ((api = nx_fts5_api(db)) == NULL)
		return SQLITE_ERROR;
	return api->xCreateFunction(api, name, NULL, fn, NULL);
}

static int register_aux(sqlite3 *db)
{
	int rc = nx_topk__aux(db, "nx_topk", aux_topk);

	return rc == SQLITE_OK ? nx_topk__aux(db, "nx_topk_phrase", aux_topk_phrase) : rc;
}

/*
 * One walk of the matches of expr through nx_topk into t: all of them, or
 * (ranged) those with lo <= rowid <= hi, which FTS5 seeks to.
 */
static int walk(sqlite3 *db, const char *expr, topk_state *t, int ranged, int64_t lo, int64_t hi)
{
	static const char *const sql[3] = {
		"SELECT count(*) FROM fts WHERE fts MATCH ?1 AND nx_topk(fts, ?2) IS NOT NULL",
		"SELECT count(*) FROM fts WHERE fts MATCH ?1 AND rowid BETWEEN ?3 AND ?4 AND nx_topk(fts, ?2) IS NOT NULL",
		"SELECT nx_topk_phrase(fts, ?2) FROM fts WHERE fts MATCH ?1 AND rowid BETWEEN ?3 AND ?4 LIMIT 1",
	};
	sqlite3_stmt *s = NULL;
	int rc = register_aux(db);

	if (!ranged) {
		lo = INT64_MIN;
		hi = INT64_MAX;
	}
	t->lo = lo;
	t->hi = hi;
	/*
	 * xQueryPhrase reads a phrase from its first row: a deferred walk that
	 * starts past it (the upper half of a split) has FTS5 seek there and
	 * calls nx_topk on each row instead.
	 */
	if (rc == SQLITE_OK)
		rc = sqlite3_prepare_v2(db, sql[t->defer && lo == INT64_MIN ? 2 : ranged != 0], -1, &s, NULL);
	if (rc != SQLITE_OK)
		goto done;
	sqlite3_bind_text(s, 1, expr, -1, SQLITE_STATIC);
	sqlite3_bind_pointer(s, 2, t, "nx_topk", NULL);
	if (ranged || t->defer) {
		sqlite3_bind_int64(s, 3, lo);
		sqlite3_bind_int64(s, 4, hi);
	}
	rc = sqlite3_step(s);
	if (t->rc != SQLITE_OK)
		rc = t->rc;
	else if (rc == SQLITE_ROW || (rc == SQLITE_DONE && t->defer))
		rc = SQLITE_OK; /* DONE: no row in the range */
	else if (rc == SQLITE_DONE)
		rc = SQLITE_ERROR;
done:
	sqlite3_finalize(s);
	return rc;
}

/*
 * The rows of a query of several phrases when the caller saw them all
 * (nx_topk_tune's rows), each scored alone by a walk of an OR of the
 * phrases with tokens at its rowid: every phrase matches there, so its
 * positions are the AND's, and FTS5 seeks each phrase to the row where
 * the AND would walk to its first match.  1 when done, 0 when a phrase's
 * count is not known (> 0, or NX_TOPK_NO_TOKEN: which phrases FTS5 keeps),
 * < 0 (minus an SQLite code) on an error.
 */
static int walk_rows(sqlite3 *db, const char *expr, topk_state *t, const int64_t *rows, size_t nrows)
{
	const int64_t *known = t->known;
	int64_t kept[NX_TOPK_MAX_PHRASES];
	const char *s = expr, *e = NULL;
	size_t at = 1, r = 0;
	char *any = NULL;
	int i = 0, n = 0, nknown = t->nknown, rc = SQLITE_OK;

	if (known == NULL || (any = malloc(strlen(expr) + 5 * (size_t)nknown + 3)) == NULL)
		return known == NULL ? 0 : -SQLITE_NOMEM;
	any[0] = '(';
	for (i = 0; s != NULL && (e = skip_phrase(s)) != NULL; i++) {
		if (i >= nknown || known[i] == -1 || known[i] == 0) {
			free(any);
			return 0;
		}
		if (known[i] != NX_TOPK_NO_TOKEN) {
			if (n > 0) {
				memcpy(any + at, " OR ", 4);
				at += 4;
			}
			memcpy(any + at, s, (size_t)(e - s));
			at += (size_t)(e - s);
			kept[n++] = known[i];
		}
		s = *e == ' ' ? e + 1 : NULL;
	}
	if (i != nknown || n == 0 || s != NULL) {
		free(any);
		return 0;
	}
	memcpy(any + at, ")", 2);
	t->known = kept;
	t->nknown = n;
	for (r = 0; r < nrows && rc == SQLITE_OK; r++)
		rc = walk(db, any, t, 1, rows[r], rows[r]);
	t->known = known;
	t->nknown = nknown;
	free(any);
	return rc == SQLITE_OK ? 1 : -rc;
}

/* The statistics bm25 needs (and a sample of rowids), from the first match; t->ready stays 0 when none. */
static int probe(sqlite3 *db, const char *expr, topk_state *t)
{
	sqlite3_stmt *s = NULL;
	int rc = SQLITE_OK;

	t->probe = 1;
	rc = register_aux(db);
	if (rc == SQLITE_OK)
		rc = sqlite3_prepare_v2(db, "SELECT nx_topk(fts, ?2) FROM fts WHERE fts MATCH ?1 LIMIT 1", -1, &s, NULL);
	if (rc == SQLITE_OK) {
		sqlite3_bind_text(s, 1, expr, -1, SQLITE_STATIC);
		sqlite3_bind_pointer(s, 2, t, "nx_topk", NULL);
		rc = sqlite3_step(s);
		rc = rc == SQLITE_ROW || rc == SQLITE_DONE ? t->rc : rc;
	}
	sqlite3_finalize(s);
	t->probe = 0;
	return rc;
}

typedef struct probe_arg {
	sqlite3 *db;
	const char *expr;
	topk_state *t;
	int rc;
} probe_arg;

static void *probe_thread(void *arg)
{
	probe_arg *a = arg;

	a->rc = probe(a->db, a->expr, a->t);
	return NULL;
}

/*
 * The probe of a query of several phrases with the counting shared by two
 * threads, each on its connection taking the next phrase not yet counted;
 * the counts merge into t.  When the two did not read the same index (a
 * writer committed between), t is probed again alone.
 */
static int probe_pair(sqlite3 *db, sqlite3 *db2, const char *expr, topk_state *t)
{
	topk_state u = *t;
	probe_arg a = { db2, expr, &u, SQLITE_OK };
	atomic_int next = 0;
	pthread_t th;
	int rc = SQLITE_OK, i = 0, threaded = 0;

	u.heap = NULL;
	u.sample = NULL;
	u.near = NULL;
	t->next = u.next = &next;
	threaded = pthread_create(&th, NULL, probe_thread, &a) == 0;
	rc = probe(db, expr, t);
	if (threaded)
		pthread_join(th, NULL);
	else
		probe_thread(&a);
	t->next = NULL;
	if (rc == SQLITE_OK)
		rc = a.rc;
	if (rc != SQLITE_OK || (!t->ready && !u.ready))
		goto done;
	if (t->ready != u.ready || t->nrow != u.nrow || t->ntok != u.ntok) {
		memset(t->counted, 0, sizeof(t->counted));
		free(t->sample);
		t->sample = NULL;
		t->nsample = 0;
		t->ready = 0;
		rc = probe(db, expr, t);
		goto done;
	}
	for (i = 0; i < t->nphrase; i++)
		if (u.counted[i])
			t->idf[i] = u.idf[i];
	if (u.minhit < t->minhit) {
		free(t->sample);
		t->sample = u.sample;
		t->nsample = u.nsample;
		t->minhit = u.minhit;
		u.sample = NULL;
	}
done:
	free(u.sample);
	return rc;
}

typedef struct split_half {
	sqlite3 *db;
	const char *expr;
	topk_state *t;
	int64_t lo, hi;
	int rc;
} split_half;

static void *walk_half(void *arg)
{
	split_half *h = arg;
	h->rc = walk(h->db, h->expr, h->t, 1, h->lo, h->hi);
	return NULL;
}

/* Append n hits to *dst (of *ndst, room for *cap); -1 when out of memory. */
static int append_hits(nx_topk_hit **dst, size_t *ndst, size_t *cap, const nx_topk_hit *h, size_t n)
{
	if (*ndst + n > *cap) {
		size_t c = *ndst + n + 16;
		nx_topk_hit *p = realloc(*dst, c * sizeof(*p));

		if (p == NULL)
			return -1;
		*dst = p;
		*cap = c;
	}
	if (n > 0)
		memcpy(*dst + *ndst, h, n * sizeof(*h));
	*ndst += n;
	return 0;
}

/*
 * The best k of t's hits and of b[0..nb-1] into t's heap, sorted, every
 * score first made 0.0 + idf * score when idf > 0: 0, or -1 out of memory.
 */
static int best_of_two(topk_state *t, const nx_topk_hit *b, size_t nb, double idf)
{
	nx_topk_hit *all = NULL;
	size_t n = 0, cap = 0, i = 0;

	if (append_hits(&all, &n, &cap, t->heap, t->n) < 0 || append_hits(&all, &n, &cap, b, nb) < 0) {
		free(all);
		return -1;
	}
	for (i = 0; idf > 0 && i < n; i++)
		all[i].score = 0.0 + idf * all[i].score;
	if (n > 0)
		qsort(all, n, sizeof(*all), cmp_hit);
	t->n = n < t->k ? n : t->k;
	if (t->n > 0)
		memcpy(t->heap, all, t->n * sizeof(*all));
	free(all);
	return 0;
}

/*
 * A deferred walk done: idf from the rows walked (as fts5Bm25GetData
 * counts them), every kept row's score times idf, and the best k of the
 * heap and of the near ties.
 */
static int finish_defer(topk_state *t)
{
	sqlite3_int64 nhit = t->rows_all > 0 ? t->rows_all : t->st.rows;
	double idf = nx_bm25_idf(t->nrow, nhit);

	if (best_of_two(t, t->near, t->nnear, idf) < 0)
		return SQLITE_NOMEM;
	t->nnear = 0;
	return SQLITE_OK;
}

/*
 * The rows of [lo, hi] up to mid walked into t on db, those past it into u
 * on db2 by a second thread (both halves on this one when no thread can
 * be had).  SQLITE_OK, or the first half's error.
 */
static int walk_halves(sqlite3 *db, sqlite3 *db2, const char *expr, topk_state *t, topk_state *u, int64_t lo,
		       int64_t mid, int64_t hi)
{
	split_half lower = { db, expr, t, lo, mid, SQLITE_OK };
	split_half upper = { db2, expr, u, mid + 1, hi, SQLITE_OK };
	pthread_t th;

	if (pthread_create(&th, NULL, walk_half, &upper) != 0) {
		walk_half(&upper);
		walk_half(&lower);
	} else {
		walk_half(&lower);
		pthread_join(th, NULL);
	}
	return lower.rc != SQLITE_OK ? lower.rc : upper.rc;
}

/* The best k of t's and u's hits into t's, with u's counts: 1, or -SQLITE_NOMEM. */
static int merge_halves(topk_state *t, const topk_state *u)
{
	if (best_of_two(t, u->heap, u->n, 0.0) < 0)
		return -SQLITE_NOMEM;
	t->total += u->total;
	t->st.lengths += u->st.lengths;
	t->st.tests += u->st.tests;
	return 1;
}

/*
 * A walk of many rows of a query of several phrases in two halves by
 * rowid, the upper half (past mid) on db2 in a second thread, both with
 * the probe's statistics, so every score is the one a single walk gives;
 * the two best-k lists merge into t's.  1 when done, 0 when a half did
 * not read the index the probe read (a writer committed between: the
 * caller walks again), < 0 (minus an SQLite code) on an error.
 */
static int split_walk(sqlite3 *db, sqlite3 *db2, const char *expr, topk_state *t, int64_t lo, int64_t mid,
		      int64_t hi)
{
	topk_state u = *t;
	int rc = 1;

	u.sample = NULL;
	if ((u.heap = malloc(t->k * sizeof(*u.heap))) == NULL)
		return -SQLITE_NOMEM;
	/* both halves check they read the index the probe read */
	t->check = u.check = 1;
	rc = walk_halves(db, db2, expr, t, &u, lo, mid, hi);
	if (t->stale || u.stale)
		rc = 0;
	else if (rc != SQLITE_OK)
		rc = -rc;
	else if ((rc = merge_halves(t, &u)) > 0)
		t->st.rows += u.st.rows;
	free(u.heap);
	return rc;
}

/*
 * A deferred walk (one phrase) in two halves by rowid, the upper half
 * (past mid) on db2 in a second thread, each inside FTS5 ranking by bm25 /
 * idf with its own near ties.  The halves' rows add up to the phrase's
 * count, so each half is finished with the idf of the whole (exactly its
 * best k by bm25, as finish_defer makes them) and the two best-k lists
 * merge into t's: the single walk's result.  1 when done (t finished), 0
 * when the halves did not read the same index (the caller walks again),
 * < 0 (minus an SQLite code) on an error.
 */
static int split_defer(sqlite3 *db, sqlite3 *db2, const char *expr, topk_state *t, int64_t lo, int64_t mid,
		       int64_t hi)
{
	topk_state u = *t;
	int rc = 1;

	u.sample = NULL;
	u.near = NULL;
	u.nnear = u.capnear = 0;
	if ((u.heap = malloc(t->k * sizeof(*u.heap))) == NULL)
		return -SQLITE_NOMEM;
	if ((rc = walk_halves(db, db2, expr, t, &u, lo, mid, hi)) != SQLITE_OK) {
		rc = -rc;
		goto done;
	}
	rc = 1;
	if (t->ready && u.ready && (t->nrow != u.nrow || t->ntok != u.ntok)) {
		rc = 0; /* a writer committed between the two */
		goto done;
	}
	if (!t->ready && u.ready) {
		t->nrow = u.nrow;
		t->ntok = u.ntok;
		t->avgdl = u.avgdl;
		t->nphrase = u.nphrase;
		t->ncol = u.ncol;
	}
	/* the rows of both halves: the phrase's count, for the idf of each */
	t->st.rows = u.st.rows = t->st.rows + u.st.rows;
	u.nrow = t->nrow;
	if ((t->ready && finish_defer(t) != SQLITE_OK) || (u.ready && finish_defer(&u) != SQLITE_OK)) {
		rc = -SQLITE_NOMEM;
		goto done;
	}
	rc = merge_halves(t, &u);
	t->ready = t->ready || u.ready;
done:
	free(u.heap);
	free(u.near);
	return rc;
}

/* Back to the state before any walk, keeping the probe's statistics when keep. */
static void reset_walk(topk_state *t, int keep)
{
	t->n = 0;
	t->total = 0;
	t->nnear = 0;
	memset(&t->st, 0, sizeof(t->st));
	t->ready = keep && t->ready && !t->defer;
	t->check = t->ready;
	t->stale = 0;
	t->rc = SQLITE_OK;
}

int nx_topk__run(sqlite3 *db, sqlite3 *db2, const char *expr, const double *w, int nw, int64_t nhit,
		 const int64_t *known, int nknown, const nx_topk_filter *flt, size_t k, nx_topk_hit **out, size_t *nout, int64_t *total,
		 nx_topk_stats *stats, const nx_topk_tune *tune)
{
	static const nx_topk_tune defaults = NX_TOPK_TUNE_INIT;
	const nx_topk_tune *tn = tune != NULL ? tune : &defaults;
	topk_state t;
	int64_t mid = 0, lo = INT64_MIN, hi = INT64_MAX, kn[NX_TOPK_MAX_PHRASES], *marks = NULL;
	size_t nmarks = 0;
	int rc = SQLITE_OK, split = 0, many = 0, band = 0;

	*out = NULL;
	*nout = 0;
	memset(&t, 0, sizeof(t));
	t.w = w;
	t.nw = nw;
	t.nhit = nhit;
	t.known = known;
	t.nknown = nknown;
	t.flt = flt;
	t.k = k;
	t.defer = nhit < 0 && nx_topk__plain(expr) == 1;
	if (k > 0 && (t.heap = malloc(k * sizeof(*t.heap))) == NULL) {
		rc = SQLITE_NOMEM;
		goto done;
	}
	if ((rc = register_aux(db)) != SQLITE_OK)
		goto done;
	/* every row known: each scored alone */
	if (tune != NULL && tune->rows != NULL && !t.defer && nhit < 0 &&
	    (split = walk_rows(db, expr, &t, tune->rows, tune->nrows)) != 0) {
		if (split < 0)
			rc = -split;
		else
			goto sorted;
		goto done;
	}
	/* the filter's rows in a band: only the band walked (one phrase: with the idf of its rows in all) */
	if (tn->band && (band = nx_topk__band(db, flt, t.defer && k > 0 ? expr : NULL, known, nknown, &lo, &hi,
					      &t.rows_all)) < 0)
		goto sorted; /* no row passes */
	/* every count known, a walk that may split: at the middle of the rarest phrase's leaves, else of a count of it */
	if (!band && !t.defer && nhit < 0 && db2 != NULL && k > 0 && (flt == NULL || flt->keep == NULL) &&
	    nx_topk__split_marks(db, expr, known, nknown, &marks, &nmarks) != 1 &&
	    nx_topk__sample_rarest(known, nknown, kn) > 0) {
		t.known = kn;
		t.nknown = nknown;
	}
	/* two threads only for long walks; a filter's keep() reads through db */
	if (db2 != NULL && k > 0 && (flt == NULL || flt->keep == NULL)) {
		if (t.defer) {
			/* inside FTS5 (see nx_topk_phrase), in two halves of the rowids of a large index (or band) */
			mid = band ? lo + (hi - lo) / 2 : nx_topk__last_rowid(db) / 2;
			many = (band ? (hi - lo) / 2 : mid) >= tn->split_min;
		} else if (nhit < 0) {
			if ((rc = probe_pair(db, db2, expr, &t)) != SQLITE_OK)
				goto done;
			if (!t.ready)
				goto sorted; /* nothing matches */
			if (marks != NULL) { /* (the probe sampled no phrase) */
				free(t.sample);
				t.sample = marks;
				t.nsample = nmarks;
				marks = NULL;
			}
			if (!band) {
				many = t.minhit >= tn->split_min && t.nsample >= 2;
				mid = many ? t.sample[t.nsample / 2] : 0;
			} else if (t.nsample == 0) { /* every count known: at the band's middle */
				mid = lo + (hi - lo) / 2;
				many = (hi - lo) / 2 >= tn->split_min;
			} else { /* every NX_TOPK_SAMPLE-th row of the rarest phrase: so many in the band */
				size_t in = nx_topk__band_mid(t.sample, t.nsample, lo, hi, &mid);

				many = in >= 2 && in * NX_TOPK_SAMPLE >= (size_t)tn->split_min;
			}
		}
	}
	if (many && (split = (t.defer ? split_defer : split_walk)(db, db2, expr, &t, lo, mid, hi)) < 0) {
		rc = -split;
		goto done;
	}
	if (split == 0) {
		/* one thread, with the probe's statistics while the index is the same */
		reset_walk(&t, 1);
		if ((rc = walk(db, expr, &t, band, lo, hi)) == SQLITE_ABORT && t.stale) {
			reset_walk(&t, 0);
			rc = walk(db, expr, &t, band, lo, hi);
		}
	}
	if (rc == SQLITE_OK && t.defer && t.ready && split == 0)
		rc = finish_defer(&t); /* (split_defer finished its halves) */
	if (rc != SQLITE_OK)
		goto done;
sorted:
	if (t.n > 0)
		qsort(t.heap, t.n, sizeof(*t.heap), cmp_hit);
	*out = t.heap;
	*nout = t.n;
	t.heap = NULL;
	if (total != NULL)
		*total = t.total;
done:
	free(marks);
	free(t.heap);
	free(t.sample);
	free(t.near);
	if (stats != NULL)
		*stats = t.st;
	return rc;
}

/*
 * A deferred walk of one phrase whose rows a caller's own walk reads
 * (impact.c's set of rows): each row's bm25 with idf 1 (the term
 * finish_defer multiplies) given to it in rowid order, then the best k
 * as nx_topk__run would give them for the same rows.
 */
struct nx_topk_feed {
	topk_state t;
};

nx_topk_feed *nx_topk__feed_new(size_t k)
{
	nx_topk_feed *f = calloc(1, sizeof(*f));

	if (f == NULL)
		return NULL;
	f->t.k = k;
	f->t.defer = 1;
	if (k > 0 && (f->t.heap = malloc(k * sizeof(*f->t.heap))) == NULL) {
		free(f);
		return NULL;
	}
	return f;
}

int nx_topk__feed_row(nx_topk_feed *f, int64_t rowid, double x)
{
	nx_topk_hit h;

	f->t.st.rows++;
	f->t.total++;
	if (f->t.k == 0)
		return SQLITE_OK;
	h.rowid = rowid;
	h.score = x;
	/* (score_row's bound only spares the length: every row scored whole keeps the same ones) */
	return keep_row(&f->t, &h);
}

int nx_topk__feed_end(nx_topk_feed *f, int64_t nrow, nx_topk_hit **out, size_t *nout, int64_t *total)
{
	*out = NULL;
	*nout = 0;
	*total = f->t.total;
	f->t.nrow = nrow;
	if (f->t.total > 0 && finish_defer(&f->t) != SQLITE_OK)
		return SQLITE_NOMEM;
	if (f->t.n > 0)
		qsort(f->t.heap, f->t.n, sizeof(*f->t.heap), cmp_hit);
	*out = f->t.heap;
	*nout = f->t.n;
	f->t.heap = NULL;
	return SQLITE_OK;
}

void nx_topk__feed_free(nx_topk_feed *f)
{
	if (f == NULL)
		return;
	free(f->t.heap);
	free(f->t.near);
	free(f);
}

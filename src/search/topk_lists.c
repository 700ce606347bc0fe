/*
 * topk_lists.c - the phrase lists of nx_topk__rank read from FTS5: whole
 * (rowid, weighted count and extents of every row), lazily for a word
 * with an impact list (rowids and a bound of each row's score; a row's
 * count probed only when it can still win), or only counted.
 */
#include "search/topk_rank_private.h"
#include "search/search_private.h"
#include "index/impact.h"
#include "index/tokenizer.h"
#include "search/fts_rows.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void aux_collect(const Fts5ExtensionApi *api, Fts5Context *fctx, sqlite3_context *ctx, int nval,
			sqlite3_value **vals);

static void aux_probe(const Fts5ExtensionApi *api, Fts5Context *fctx, sqlite3_context *ctx, int nval,
		      sqlite3_value **vals);

static void aux_above(const Fts5ExtensionApi *api, Fts5Context *fctx, sqlite3_context *ctx, int nval,
		      sqlite3_value **vals);

static int lazy_from_set(sqlite3 *db, nx_topk_cache *c, topk_list *l);

static int register_collect(sqlite3 *db)
{
	int rc = nx_topk__aux(db, "nx_topk_collect", aux_collect);

	if (rc == SQLITE_OK)
		rc = nx_topk__aux(db, "nx_topk_probe", aux_probe);
	return rc == SQLITE_OK ? nx_topk__aux(db, "nx_topk_above", aux_above) : rc;
}

/*
 * Room for more rows in l (want at least, or twice as many), of ncol
 * extents each: a lazy list keeps no extents (its rows' are zeros, a
 * lower bound).
 */
static int list_grow(topk_list *l, int ncol, size_t want)
{
	size_t cap = l->cap ? l->cap * 2 : 1024;
	int64_t *r = NULL;
	double *f = NULL;
	int32_t *e = NULL;

	if (cap < want)
		cap = want;

	if ((r = realloc(l->rowid, cap * sizeof(*r))) == NULL)
		return SQLITE_NOMEM;
	l->rowid = r;
	if ((f = realloc(l->freq, cap * sizeof(*f))) == NULL)
		return SQLITE_NOMEM;
	l->freq = f;
	if (!l->lazy) {
		if ((e = realloc(l->ext, cap * (size_t)ncol * sizeof(*e))) == NULL)
			return SQLITE_NOMEM;
		l->ext = e;
	}
	l->cap = cap;
	return SQLITE_OK;
}

typedef struct collect_one {
	nx_topk_cache *c;
	topk_list *l;
	size_t h; /* lazy: the next row of l->head */
} collect_one;

/* Instances of phrase 0 of the row fctx is on: nx_rank's weighted count, the extents into ext. */
static int row_freq(const Fts5ExtensionApi *api, Fts5Context *fctx, const nx_topk_cache *c, int phrase,
		    double *out, int32_t *ext)
{
	Fts5PhraseIter it;
	double freq = 0;
	int rc = SQLITE_OK, ic = 0, io = 0;

	memset(ext, 0, (size_t)c->ncol * sizeof(*ext));
	rc = api->xPhraseFirst(fctx, phrase, &it, &ic, &io);
	while (rc == SQLITE_OK && ic >= 0) {
		/* nx_rank: freq[phrase] += colw[column], instance by instance */
		if (ic < c->ncolw)
			freq += c->colw[ic];
		if (ic < c->ncol && io + 1 > ext[ic])
			ext[ic] = io + 1;
		api->xPhraseNext(fctx, &it, &ic, &io);
	}
	*out = freq;
	return rc;
}

/* xQueryPhrase callback: one row of the phrase */
static int collect_row(const Fts5ExtensionApi *api, Fts5Context *fctx, void *ud)
{
	collect_one *co = ud;
	topk_list *l = co->l;
	int rc = SQLITE_OK;

	if (l->n == l->cap && (rc = list_grow(l, co->c->ncol, 0)) != SQLITE_OK)
		return rc;
	if ((rc = row_freq(api, fctx, co->c, 0, &l->freq[l->n], &l->ext[l->n * (size_t)co->c->ncol])) != SQLITE_OK)
		return rc;
	l->rowid[l->n] = api->xRowid(fctx);
	l->n++;
	return SQLITE_OK;
}

/* xQueryPhrase callback of a lazy list: the rowid and the bound of its score as -1 - score, no positions */
static int collect_lazy(const Fts5ExtensionApi *api, Fts5Context *fctx, void *ud)
{
	collect_one *co = ud;
	topk_list *l = co->l;
	int64_t rowid = api->xRowid(fctx);
	int rc = SQLITE_OK;

	if (l->n == l->cap && (rc = list_grow(l, co->c->ncol, 0)) != SQLITE_OK)
		return rc;
	if (l->fresh && rowid > l->mark) { /* added after the list was made: no bound, read as collect_row does */
		int32_t ext[NX_TOPK_EXT_COLS];

		if ((rc = row_freq(api, fctx, co->c, 0, &l->freq[l->n], ext)) != SQLITE_OK)
			return rc;
		l->rowid[l->n++] = rowid;
		return SQLITE_OK;
	}
	while (co->h < l->nhead && l->head[co->h] < rowid)
		co->h++;
	l->freq[l->n] = -1.0 - (co->h < l->nhead && l->head[co->h] == rowid ? l->hscore[co->h] : l->tail);
	l->rowid[l->n++] = rowid;
	return SQLITE_OK;
}

/* nx_topk_collect(fts, state): on the first row, reads the missing lists */
/* The table's columns, rows and tokens into c, once. */
int nx_topk__read_totals(const Fts5ExtensionApi *api, Fts5Context *fctx, nx_topk_cache *c)
{
	int rc = SQLITE_OK;

	if (c->have_totals)
		return SQLITE_OK;
	c->ncol = api->xColumnCount(fctx);
	if (c->ncol > NX_TOPK_EXT_COLS || c->ncol < 1)
		rc = SQLITE_RANGE;
	/* as nx_rank's rank_data_get */
	if (rc == SQLITE_OK && (api->xRowCount(fctx, &c->nrow) != SQLITE_OK || c->nrow <= 0))
		c->nrow = 1;
	if (rc == SQLITE_OK && api->xColumnTotalSize(fctx, -1, &c->ntok) != SQLITE_OK)
		c->ntok = 0;
	c->have_totals = rc == SQLITE_OK;
	return rc;
}

static void aux_collect(const Fts5ExtensionApi *api, Fts5Context *fctx, sqlite3_context *ctx, int nval,
			sqlite3_value **vals)
{
	collect_state *t = nx_topk__aux_state(ctx, nval, vals, "nx_topk_collect");
	nx_topk_cache *c = NULL;
	size_t want = 0;
	int i = 0, rc = SQLITE_OK;

	if (t == NULL)
		return;
	if (t->called || t->rc != SQLITE_OK)
		goto done;
	t->called = 1;
	c = t->c;
	rc = nx_topk__read_totals(api, fctx, c);
	if (rc == SQLITE_OK && api->xPhraseCount(fctx) != t->nphrase)
		rc = SQLITE_RANGE; /* FTS5 parsed other phrases: phrase i would fill another's list; ranked otherwise */
	for (i = 0; rc == SQLITE_OK && i < t->nphrase; i++) {
		topk_list *l = &c->l[t->which[i]];
		collect_one co;

		if (l->done || (t->later != NULL && t->later[i]))
			continue; /* read already, or read token by token after this pass */
		co.c = c;
		co.l = l;
		co.h = 0;
		/* a list counted already is read into arrays of its size: no copies as they grow */
		want = l->counted ? l->n : 0;
		l->n = 0;
		if (l->cap > 0 || (rc = list_grow(l, c->ncol, want)) == SQLITE_OK)
			rc = api->xQueryPhrase(fctx, i, &co, l->lazy ? collect_lazy : collect_row);
		l->done = rc == SQLITE_OK;
	}
	t->rc = rc;
done:
	nx_topk__aux_result(ctx, t->rc);
}

/* -- a word's list in a band of rowids ---------------------------------------- */

/* What aux_band fills: the rows of one word's list in the band. */
typedef struct band_state {
	nx_topk_cache *c;
	topk_list *l;
	size_t h; /* lazy: the next row of l->head */
	int rc;
} band_state;

/* nx_topk_band(fts, state): the row fctx is on into the list, as collect_row reads it */
static void aux_band(const Fts5ExtensionApi *api, Fts5Context *fctx, sqlite3_context *ctx, int nval,
		     sqlite3_value **vals)
{
	band_state *t = nx_topk__aux_state(ctx, nval, vals, "nx_topk_band");
	topk_list *l = NULL;
	int rc = SQLITE_OK;

	if (t == NULL)
		return;
	l = t->l;
	if (t->rc != SQLITE_OK)
		goto done;
	if ((rc = nx_topk__read_totals(api, fctx, t->c)) == SQLITE_OK && api->xPhraseCount(fctx) != 1)
		rc = SQLITE_RANGE; /* FTS5 parsed the word as several phrases: read whole */
	if (rc == SQLITE_OK && l->n == l->cap)
		rc = list_grow(l, t->c->ncol, 0);
	if (rc == SQLITE_OK && l->lazy) { /* the bound of its score, as collect_lazy gives it */
		int64_t rowid = api->xRowid(fctx);

		while (t->h < l->nhead && l->head[t->h] < rowid)
			t->h++;
		l->freq[l->n] = -1.0 - (t->h < l->nhead && l->head[t->h] == rowid ? l->hscore[t->h] : l->tail);
		l->rowid[l->n++] = rowid;
	} else if (rc == SQLITE_OK &&
		   (rc = row_freq(api, fctx, t->c, 0, &l->freq[l->n], &l->ext[l->n * (size_t)t->c->ncol])) == SQLITE_OK) {
		l->rowid[l->n++] = api->xRowid(fctx);
	}
	t->rc = rc;
done:
	nx_topk__aux_result(ctx, t->rc);
}

int nx_topk__read_band(sqlite3 *db, nx_topk_cache *c, topk_list *l, int64_t lo, int64_t hi)
{
	sqlite3_stmt *s = NULL;
	band_state t;
	int64_t all = 0;
	int rc = SQLITE_OK;

	if (l->done)
		return SQLITE_NOTFOUND;
	if (l->lazy && (rc = lazy_from_set(db, c, l)) != SQLITE_NOTFOUND)
		return rc; /* (its rows in the band: see lazy_from_bits) */
	if (l->lazy ? l->fresh || (all = l->df) <= 0 : (all = nx_topk__band_rows(db, l->text, NULL, 0)) <= 0)
		return SQLITE_NOTFOUND;
	if ((rc = nx_topk__aux(db, "nx_topk_band", aux_band)) != SQLITE_OK ||
	    (rc = sqlite3_prepare_v2(db, "SELECT nx_topk_band(fts, ?4) FROM fts WHERE fts MATCH ?1 AND rowid BETWEEN ?2 AND ?3",
				     -1, &s, NULL)) != SQLITE_OK)
		return rc;
	t.c = c;
	t.l = l;
	t.h = 0;
	t.rc = SQLITE_OK;
	l->n = 0;
	sqlite3_bind_text(s, 1, l->text, (int)l->len, SQLITE_STATIC);
	sqlite3_bind_int64(s, 2, lo);
	sqlite3_bind_int64(s, 3, hi);
	sqlite3_bind_pointer(s, 4, &t, "nx_topk_band", NULL);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW)
		;
	sqlite3_finalize(s);
	rc = t.rc != SQLITE_OK ? t.rc : rc == SQLITE_DONE ? SQLITE_OK : rc;
	if (rc != SQLITE_OK) {
		l->n = 0;
		return rc == SQLITE_RANGE ? SQLITE_NOTFOUND : rc;
	}
	l->all = all;
	l->done = 1;
	return SQLITE_OK;
}

/* -- lazy lists: words in many rows, their positions read only where a row may win -- */

/* What aux_probe fills: the row's weighted count and extents of the phrase. */
typedef struct probe_state {
	const nx_topk_cache *c;
	double freq;
	int32_t ext[NX_TOPK_EXT_COLS];
	int found;
	int rc;
} probe_state;

/* nx_topk_probe(fts, state): the row's instances of phrase 0, as collect_row reads them */
static void aux_probe(const Fts5ExtensionApi *api, Fts5Context *fctx, sqlite3_context *ctx, int nval,
		      sqlite3_value **vals)
{
	probe_state *t = nx_topk__aux_state(ctx, nval, vals, "nx_topk_probe");

	if (t == NULL)
		return;
	t->found = 1;
	t->rc = row_freq(api, fctx, t->c, 0, &t->freq, t->ext);
	nx_topk__aux_result(ctx, t->rc);
}

/* What aux_fill fills: the rows of a lazy list not probed yet, their weighted counts as a probe reads them. */
typedef struct fill_state {
	const nx_topk_cache *c;
	topk_list *l;
	size_t at;   /* the next row of l */
	int rc;
} fill_state;

/* xQueryPhrase callback: one row of the phrase; its count into l where l holds the row and has a bound */
static int fill_row(const Fts5ExtensionApi *api, Fts5Context *fctx, void *ud)
{
	fill_state *f = ud;
	topk_list *l = f->l;
	int64_t rowid = api->xRowid(fctx);
	int32_t ext[NX_TOPK_EXT_COLS];

	while (f->at < l->n && l->rowid[f->at] < rowid)
		f->at++;
	if (f->at < l->n && l->rowid[f->at] == rowid && l->freq[f->at] < 0)
		return row_freq(api, fctx, f->c, 0, &l->freq[f->at], ext);
	return SQLITE_OK;
}

/* nx_topk_fill(fts, state): on the first row, the lazy list's rows not probed yet read */
static void aux_fill(const Fts5ExtensionApi *api, Fts5Context *fctx, sqlite3_context *ctx, int nval,
		     sqlite3_value **vals)
{
	fill_state *f = nx_topk__aux_state(ctx, nval, vals, "nx_topk_fill");

	if (f == NULL)
		return;
	if (f->rc == SQLITE_OK)
		f->rc = api->xPhraseCount(fctx) == 1 ? api->xQueryPhrase(fctx, 0, f, fill_row) : SQLITE_RANGE;
	nx_topk__aux_result(ctx, f->rc);
}

/* nx_topk_fillrow(fts, state): the row fctx is on, as fill_row reads it (a list read in a band) */
static void aux_fillrow(const Fts5ExtensionApi *api, Fts5Context *fctx, sqlite3_context *ctx, int nval,
			sqlite3_value **vals)
{
	fill_state *f = nx_topk__aux_state(ctx, nval, vals, "nx_topk_fillrow");

	if (f == NULL)
		return;
	if (f->rc == SQLITE_OK)
		f->rc = api->xPhraseCount(fctx) == 1 ? fill_row(api, fctx, f) : SQLITE_RANGE;
	nx_topk__aux_result(ctx, f->rc);
}

/*
 * A lazy list's counts read from the index's pages, token by token: each
 * row's instances in each column, 16 bits a column (four at most), summed
 * over the tokens (a place holds one token).
 */
typedef struct page_fill {
	const nx_topk_cache *c;
	topk_list *l;
	uint64_t *cnt; /* l->n; NULL: a word of one token, whose counts go to l->freq at once */
	size_t at;     /* where the next row of the token is looked for */
} page_fill;

#define PAGE_FILL_COLS 4

static int page_fill_row(void *ud, int64_t rowid, const int32_t *cnt, const int32_t *ext)
{
	page_fill *f = ud;
	const topk_list *l = f->l;
	int col = 0;

	(void)ext;
	/* the rows of a segment ascend; those of the next start again */
	if (f->at > 0 && f->at <= l->n && l->rowid[f->at - 1] >= rowid)
		f->at = nx_rowid_lower_bound(l->rowid, l->n, rowid);
	while (f->at < l->n && l->rowid[f->at] < rowid)
		f->at++;
	if (f->at == l->n || l->rowid[f->at] != rowid)
		return SQLITE_OK; /* (the list holds every row of its tokens) */
	if (f->cnt == NULL) { /* one token: its count final as read (not a probed row's) */
		if (l->freq[f->at] < 0)
			l->freq[f->at] = nx_topk__count_freq(cnt, f->c->ncol, f->c->colw, f->c->ncolw);
		f->at++;
		return SQLITE_OK;
	}
	for (col = 0; col < PAGE_FILL_COLS; col++) {
		uint64_t sum = ((f->cnt[f->at] >> (16 * col)) & 0xFFFF) + (uint64_t)cnt[col];

		if (sum > 0xFFFF)
			return SQLITE_TOOBIG; /* the walk goes through the API */
		f->cnt[f->at] = (f->cnt[f->at] & ~((uint64_t)0xFFFF << (16 * col))) | sum << (16 * col);
	}
	f->at++;
	return SQLITE_OK;
}

/* 1 with f when the lazy list l can be read from the pages (its tokens known, not a band's), else 0; l->pages set. */
static int page_forms(sqlite3 *db, const nx_topk_cache *c, topk_list *l, nx_topk_forms *f)
{
	int ok = c->ncol <= PAGE_FILL_COLS && l->all == 0 && l->pages >= 0 &&
		 (nx_topk__forms(db, l->text, l->len, f) || nx_topk__forms_one(db, l->text, l->len, f)) &&
		 f->ntok == f->n;

	l->pages = ok ? 1 : -1;
	return ok;
}

/*
 * lazy_fill from the index's pages when the word's tokens are known and
 * the pages can be read (nx_fts_rows_each): SQLITE_OK when every row not
 * probed has its count, SQLITE_NOTFOUND when the walk must go through
 * the API, or an SQLite code.  The count is row_freq's: colw[c] added
 * for each instance, column by column.
 */
static int lazy_fill_pages(sqlite3 *db, nx_topk_cache *c, topk_list *l)
{
	nx_topk_forms f;
	page_fill pf;
	size_t i = 0;
	int k = 0, col = 0, rc = SQLITE_OK;

	if (l->n == 0 || !page_forms(db, c, l, &f))
		return SQLITE_NOTFOUND;
	memset(&pf, 0, sizeof(pf));
	pf.c = c;
	pf.l = l;
	/* (a word of one token: its counts final as read; a give-up leaves exact ones, which the API's walk keeps) */
	if (f.n > 1 && (pf.cnt = calloc(l->n, sizeof(*pf.cnt))) == NULL)
		return SQLITE_NOMEM;
	for (k = 0; k < f.n && rc == SQLITE_OK; k++) {
		int64_t rows = -1;

		pf.at = 0;
		if ((rc = nx_fts_rows_each(db, f.tok[k], strlen(f.tok[k]), c->ncol, page_fill_row, &pf, &rows)) ==
			    SQLITE_OK &&
		    rows < 0)
			rc = SQLITE_NOTFOUND;
	}
	if (rc == SQLITE_TOOBIG)
		rc = SQLITE_NOTFOUND;
	for (i = 0; i < l->n && rc == SQLITE_OK && pf.cnt != NULL; i++) {
		int32_t cnt[PAGE_FILL_COLS];

		if (l->freq[i] >= 0)
			continue; /* probed */
		for (col = 0; col < PAGE_FILL_COLS; col++)
			cnt[col] = (int32_t)((pf.cnt[i] >> (16 * col)) & 0xFFFF);
		l->freq[i] = nx_topk__count_freq(cnt, c->ncol, c->colw, c->ncolw);
	}
	free(pf.cnt);
	return rc;
}

/*
 * Every row of the lazy list l not probed yet read in one walk of its
 * phrase (combination by combination when it has several tokens), the
 * weighted count a probe would read (the same instances, the same
 * additions): an SQLite code.  A list of a band's rows (l->all) walks
 * from its first row to its last, FTS5 seeking there, row by row as a
 * probe reads one.
 */
static int lazy_fill(sqlite3 *db, nx_topk_cache *c, topk_list *l)
{
	nx_topk_forms f;
	sqlite3_stmt *s = NULL;
	fill_state t;
	int rc = SQLITE_OK, band = l->all > 0 && l->n > 0;

	if (band) {
		if ((rc = nx_topk__aux(db, "nx_topk_fillrow", aux_fillrow)) != SQLITE_OK ||
		    (rc = sqlite3_prepare_v2(db,
					     "SELECT nx_topk_fillrow(fts, ?2) FROM fts WHERE fts MATCH ?1 AND rowid BETWEEN ?3 AND ?4",
					     -1, &s, NULL)) != SQLITE_OK)
			return rc;
		sqlite3_bind_int64(s, 3, l->rowid[0]);
		sqlite3_bind_int64(s, 4, l->rowid[l->n - 1]);
	} else if ((rc = lazy_fill_pages(db, c, l)) != SQLITE_NOTFOUND) {
		return rc;
	} else if (nx_topk__forms(db, l->text, l->len, &f)) {
		nx_topk_forms_list r;
		size_t i = 0, at = 0;

		if ((rc = nx_topk__forms_read(db, &f, c->ncol, c->colw, c->ncolw, &r)) != SQLITE_OK)
			return rc;
		for (i = 0; i < r.n; i++) {
			while (at < l->n && l->rowid[at] < r.rowid[i])
				at++;
			if (at < l->n && l->rowid[at] == r.rowid[i] && l->freq[at] < 0)
				l->freq[at] = r.freq[i];
		}
		nx_topk__forms_list_free(&r);
		return SQLITE_OK;
	}
	if (!band && ((rc = nx_topk__aux(db, "nx_topk_fill", aux_fill)) != SQLITE_OK ||
		      (rc = sqlite3_prepare_v2(db, "SELECT nx_topk_fill(fts, ?2) FROM fts WHERE fts MATCH ?1 LIMIT 1", -1,
					       &s, NULL)) != SQLITE_OK))
		return rc;
	memset(&t, 0, sizeof(t));
	t.c = c;
	t.l = l;
	sqlite3_bind_text(s, 1, l->text, (int)l->len, SQLITE_STATIC);
	sqlite3_bind_pointer(s, 2, &t, band ? "nx_topk_fillrow" : "nx_topk_fill", NULL);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW)
		;
	sqlite3_finalize(s);
	return t.rc != SQLITE_OK ? t.rc : rc == SQLITE_DONE ? SQLITE_OK : rc;
}

/* The probes of a list before the rest is read at once; < 0: NX_TOPK_PROBES + n / NX_TOPK_PROBE_SHARE. */
static int64_t probe_limit = -1;

int64_t nx_topk__probe_limit_set(int64_t limit)
{
	int64_t was = probe_limit;

	probe_limit = limit;
	return was;
}

/*
 * Row p of the lazy list l read from the index's pages, its tokens looked
 * up there (opened at its first probe): 1 with l->freq[p] row_freq's count
 * (colw[c] added for each instance, column by column, the tokens'
 * instances summed: a place holds one token), 0 when the pages do not
 * answer (the probe goes through FTS5), or an SQLite code (< 0: -code).
 */
static int probe_pages(sqlite3 *db, nx_topk_cache *c, topk_list *l, size_t p)
{
	int32_t sum[NX_FTS_ROWS_COLS], cnt[NX_FTS_ROWS_COLS], ext[NX_FTS_ROWS_COLS];
	nx_topk_forms f;
	int k = 0, col = 0, found = 0, any = 0, rc = SQLITE_OK;

	if (l->nseek < 0 || l->pages < 0 || c->ncol > NX_FTS_ROWS_COLS)
		return 0;
	if (l->nseek == 0) {
		if (!page_forms(db, c, l, &f))
			return 0;
		/* every token opened, or none used (a token the pages do not serve: FTS5 probes the word) */
		for (k = 0; k < f.n && rc == SQLITE_OK && l->nseek == k; k++)
			if ((rc = nx_fts_seek_open(db, f.tok[k], strlen(f.tok[k]), c->ncol, &l->seek[k])) == SQLITE_OK &&
			    l->seek[k] != NULL)
				l->nseek = k + 1;
		if (rc != SQLITE_OK || l->nseek < f.n) {
			for (k = 0; k < l->nseek; k++)
				nx_fts_seek_free(l->seek[k]);
			l->nseek = -1;
			return rc == SQLITE_OK ? 0 : -rc;
		}
	}
	memset(sum, 0, sizeof(sum));
	for (k = 0; k < l->nseek; k++) {
		if ((rc = nx_fts_seek_row(l->seek[k], l->rowid[p], &found, cnt, ext)) != SQLITE_OK)
			return -rc;
		if (found < 0)
			return 0;
		for (col = 0; found && col < c->ncol; col++)
			sum[col] += cnt[col];
		any |= found;
	}
	if (!any)
		return 0; /* (FTS5 says what a list holding a row it does not means) */
	l->freq[p] = nx_topk__count_freq(sum, c->ncol, c->colw, c->ncolw);
	return 1;
}

/* Row p of the lazy list l read exactly (its weighted count and extents), through FTS5 at its rowid. */
int nx_topk__probe_row(sqlite3 *db, nx_topk_cache *c, topk_list *l, size_t p)
{
	probe_state t;
	nx_topk_forms f;
	int64_t limit = probe_limit;
	int rc = SQLITE_OK;

	if (limit < 0 && l->pages == 0)
		page_forms(db, c, l, &f); /* (once) */
	if (limit < 0)
		limit = NX_TOPK_PROBES +
			(int64_t)(l->n / (l->pages > 0 ? NX_TOPK_PROBE_SHARE_PAGES : NX_TOPK_PROBE_SHARE));

	/* many rows of the list may win: the rest read in one walk (a fresh list's rows all stand in FTS5 too) */
	if ((int64_t)l->nprobe >= limit && l->nprobe != SIZE_MAX) {
		l->nprobe = SIZE_MAX; /* once */
		if ((rc = lazy_fill(db, c, l)) != SQLITE_OK)
			return rc;
		if (l->freq[p] >= 0)
			return SQLITE_OK;
	}
	if (l->nprobe != SIZE_MAX)
		l->nprobe++;
	if ((rc = probe_pages(db, c, l, p)) != 0)
		return rc > 0 ? SQLITE_OK : -rc;

	if (c->probe == NULL &&
	    (rc = sqlite3_prepare_v2(db, "SELECT nx_topk_probe(fts, ?3) FROM fts WHERE fts MATCH ?1 AND rowid = ?2",
				     -1, &c->probe, NULL)) != SQLITE_OK)
		return rc;
	memset(&t, 0, sizeof(t));
	t.c = c;
	sqlite3_reset(c->probe);
	sqlite3_bind_text(c->probe, 1, l->text, (int)l->len, SQLITE_STATIC);
	sqlite3_bind_int64(c->probe, 2, l->rowid[p]);
	sqlite3_bind_pointer(c->probe, 3, &t, "nx_topk_probe", NULL);
	rc = sqlite3_step(c->probe);
	sqlite3_reset(c->probe);
	if (t.rc != SQLITE_OK)
		return t.rc;
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return rc;
	if (!t.found)
		return SQLITE_CORRUPT; /* the list holds the row: the index changed under the read transaction */
	l->freq[p] = t.freq; /* its extents stay zeros (a lazy list keeps none) */
	return SQLITE_OK;
}

/* 1 when the impact lists' bm25 counts each column at least as nx_rank does here (their scores bound ours). */
static int lazy_fits(sqlite3 *db, const nx_topk_cache *c)
{
	double bw[NX_TOPK_EXT_COLS];
	int nbw = 0, i = 0;

	if (!nx_topk__weights(db, bw, &nbw))
		return 0;
	for (i = 0; i < c->ncolw; i++)
		if ((i < nbw ? bw[i] : 1.0) < c->colw[i])
			return 0;
	for (i = c->ncolw; i < nbw && i < NX_TOPK_EXT_COLS; i++)
		if (bw[i] < 0)
			return 0;
	return 1;
}

/* Order of (rowid, score) pairs by rowid. */
typedef struct head_row {
	int64_t rowid;
	double score;
} head_row;

static int cmp_head(const void *a, const void *b)
{
	int64_t x = ((const head_row *)a)->rowid, y = ((const head_row *)b)->rowid;

	return x < y ? -1 : x > y;
}

/* The rows of a list (rowid[], score[] best first, n > 0) into l's head by rowid: SQLITE_OK or SQLITE_NOMEM. */
static int lazy_head(topk_list *l, const int64_t *rowid, const double *score, size_t n)
{
	head_row *h = NULL;
	size_t i = 0;

	if ((h = malloc(n * sizeof(*h))) == NULL || (l->head = malloc(n * sizeof(*l->head))) == NULL ||
	    (l->hscore = malloc(n * sizeof(*l->hscore))) == NULL) {
		free(h);
		return SQLITE_NOMEM;
	}
	for (i = 0; i < n; i++) {
		h[i].rowid = rowid[i];
		h[i].score = score[i];
	}
	l->tail = score[n - 1]; /* best first: a row not in the list scores at most this */
	qsort(h, n, sizeof(*h), cmp_head);
	for (i = 0; i < n; i++) {
		l->head[i] = h[i].rowid;
		l->hscore[i] = h[i].score;
	}
	free(h);
	l->nhead = n;
	l->lazy = 1;
	return SQLITE_OK;
}

/*
 * l read lazily from its word's list made before articles were added
 * (impact_fresh.c): each listed row's score then raised to the bound of
 * its term now, the list's last for the other rows at or below the mark,
 * the rows above it read exactly (collect_lazy).  Read whole (SQLITE_OK,
 * l not lazy) when there is no such list or the impact lists' weights
 * are not all at least 0 (the bound needs counts that grow with the
 * instances).
 */
static int lazy_prepare_fresh(sqlite3 *db, topk_list *l)
{
	double bw[NX_TOPK_EXT_COLS], *old = NULL;
	int64_t *rowid = NULL, df = 0;
	nx_impact_mark m;
	nx_fresh_bound b;
	size_t n = 0, i = 0;
	int nbw = 0, rc = SQLITE_OK;

	if (!nx_topk__weights(db, bw, &nbw))
		return SQLITE_OK;
	for (i = 0; i < (size_t)nbw && i < NX_TOPK_EXT_COLS; i++)
		if (!(bw[i] >= 0))
			return SQLITE_OK;
	if (nx_search__fresh_list(db, l->text, &m, &rowid, &old, &n, &df) != 1)
		return SQLITE_OK; /* read whole */
	/* (the rows removed since stay in the head: FTS5 no longer gives them, nor a set read here) */
	nx_impact__mark_free(&m);
	nx_search__fresh_bound_init(&b, m.nrow0, m.ntok0, m.nrow, m.ntok, df, df);
	for (i = 0; i < n; i++)
		old[i] = nx_search__fresh_term(&b, old[i]); /* grows with the score: still best first */
	if ((rc = lazy_head(l, rowid, old, n)) == SQLITE_OK) {
		l->fresh = 1;
		l->mark = m.last;
		l->nrow = m.nrow;
		l->ntok = m.ntok;
	}
	free(rowid);
	free(old);
	return rc;
}

/* l read lazily when its word has an impact list (valid for the index as it is): its rows kept by rowid. */
int nx_topk__lazy_prepare(sqlite3 *db, nx_topk_cache *c, topk_list *l)
{
	int64_t rowid[NX_IMPACT_ROWS], df = 0;
	double score[NX_IMPACT_ROWS];
	size_t n = 0;
	int rc = 0;

	if (c->lazy_ok == 0)
		c->lazy_ok = lazy_fits(db, c) ? 1 : -1;
	if (c->lazy_ok < 0)
		return SQLITE_OK; /* read whole */
	if ((rc = nx_impact__get(db, l->text, NX_IMPACT_ROWS, rowid, score, &n, &df)) == 0)
		return lazy_prepare_fresh(db, l);
	if (rc != 1 || n == 0)
		return SQLITE_OK; /* read whole */
	l->df = df;
	return lazy_head(l, rowid, score, n);
}

/* After the read: the scale from a bm25 score of the word to its row's (k1 + 1) f / (f + norm). */
void nx_topk__lazy_finish(const nx_topk_cache *c, topk_list *l)
{
	double df = (double)nx_topk__list_rows(l), idf = log(((double)c->nrow - df + 0.5) / (df + 0.5));

	if (idf <= 0.0)
		idf = 1e-6; /* as bm25 */
	l->xscale = (1.0 + 1e-9) / idf; /* a margin for the rounding of the score */
	/*
	 * Fresh: bounds of the term already (with their margin) for the totals
	 * the mark found; were FTS5's others, no bound: every row the largest
	 * term (lazy_bound's cap), so each that may win is probed.
	 */
	if (l->fresh)
		l->xscale = c->nrow == l->nrow && c->ntok == l->ntok ? 1.0 : HUGE_VAL;
	free(l->head);
	free(l->hscore);
	l->head = NULL;
	l->hscore = NULL;
	l->nhead = 0;
}

/* -- impact sets: the rows of a frequent word as a bitmap, no walk of its list -- */

/*
 * The rows l's word matches from its impact set into *w, *nw words of 64
 * rows (malloc'd): 1, 0 when it has none (or its text is no phrase of
 * one word the set could be keyed by).  *above: INT64_MAX when the set
 * is valid for the index as it is; else, the set made before articles
 * were added, the mark (nx_search__fresh_set): the rows above it are not
 * in *w, the caller reads them.
 */
int nx_topk__list_set(sqlite3 *db, const topk_list *l, uint64_t **w, size_t *nw, int64_t *above)
{
	nx_impact_mark m;
	double *max = NULL;
	int64_t df = 0, gone = 0;
	int rc = 0;

	*w = NULL;
	*nw = 0;
	*above = INT64_MAX;
	if (l->len < 3 || l->text[0] != '"' || l->text[l->len] != '\0')
		return 0;
	if ((rc = nx_impact__get_set(db, l->text, w, nw, &max)) == 0) {
		free(*w);
		free(max);
		max = NULL;
		if ((rc = nx_search__fresh_set(db, l->text, &m, w, nw, &max, &df, &gone)) == 1) {
			*above = m.last; /* (the rows removed since are out of the set) */
			nx_impact__mark_free(&m);
		}
	}
	free(max);
	if (rc != 1) {
		free(*w);
		*w = NULL;
		*nw = 0;
		return 0;
	}
	return 1;
}

size_t nx_topk__bits_count(const uint64_t *w, size_t nw)
{
	size_t i = 0, n = 0;

	for (i = 0; i < nw; i++)
		n += (size_t)__builtin_popcountll(w[i]);
	return n;
}

/* What aux_above fills: the rows of l above the mark, as collect_lazy reads them. */
typedef struct above_state {
	const nx_topk_cache *c;
	topk_list *l;
	int rc;
} above_state;

/* nx_topk_above(fts, state): one row of the phrase above the mark, its count read exactly */
static void aux_above(const Fts5ExtensionApi *api, Fts5Context *fctx, sqlite3_context *ctx, int nval,
		      sqlite3_value **vals)
{
	above_state *t = nx_topk__aux_state(ctx, nval, vals, "nx_topk_above");
	int32_t ext[NX_TOPK_EXT_COLS];
	topk_list *l = NULL;

	if (t == NULL)
		return;
	l = t->l;
	if (t->rc == SQLITE_OK && l->n == l->cap)
		t->rc = list_grow(l, t->c->ncol, 0);
	if (t->rc == SQLITE_OK && (t->rc = row_freq(api, fctx, t->c, 0, &l->freq[l->n], ext)) == SQLITE_OK)
		l->rowid[l->n++] = api->xRowid(fctx);
	nx_topk__aux_result(ctx, t->rc);
}

/* The rows of the fresh lazy list l above its mark appended, read exactly: an SQLite code. */
static int lazy_above(sqlite3 *db, const nx_topk_cache *c, topk_list *l)
{
	above_state t;
	sqlite3_stmt *s = NULL;
	int rc = sqlite3_prepare_v2(
		db, "SELECT nx_topk_above(fts, ?3) FROM fts WHERE fts MATCH ?1 AND rowid > ?2 ORDER BY rowid", -1, &s, NULL);

	if (rc != SQLITE_OK)
		return rc;
	memset(&t, 0, sizeof(t));
	t.c = c;
	t.l = l;
	sqlite3_bind_text(s, 1, l->text, (int)l->len, SQLITE_STATIC);
	sqlite3_bind_int64(s, 2, l->mark);
	sqlite3_bind_pointer(s, 3, &t, "nx_topk_above", NULL);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW)
		;
	sqlite3_finalize(s);
	return t.rc != SQLITE_OK ? t.rc : rc == SQLITE_DONE ? SQLITE_OK : rc;
}

/*
 * The rows of the bitmap w (nw 64-bit words, bit r of w[r / 64] for
 * rowid r; freed here) into the lazy list l, ascending, each with the
 * bound of its score as collect_lazy gives it (its impact list's score,
 * else the list's last).  SQLITE_OK or SQLITE_NOMEM.
 */
static int lazy_from_bits(const nx_topk_cache *c, topk_list *l, uint64_t *w, size_t nw)
{
	size_t i = 0, h = 0, from = 0, to = nw;
	int rc = SQLITE_OK;

	l->n = 0;
	l->all = 0;
	/* in a band, its rows alone; the others counted (the band's edge words masked below) */
	if (c->band) {
		from = (size_t)(c->band_lo >> 6) < nw ? (size_t)(c->band_lo >> 6) : nw;
		to = (size_t)(c->band_hi >> 6) + 1 < nw ? (size_t)(c->band_hi >> 6) + 1 : nw;
		l->all = (int64_t)nx_topk__bits_count(w, nw);
	}
	if ((rc = list_grow(l, c->ncol, nx_topk__bits_count(w + from, to - from))) != SQLITE_OK) {
		free(w);
		return rc;
	}
	if (c->band && from < to) {
		w[from] &= ~(uint64_t)0 << (c->band_lo & 63);
		w[to - 1] &= ~(uint64_t)0 >> (63 - (c->band_hi & 63));
	}
	for (i = from; i < to; i++) {
		uint64_t v = w[i];

		for (; v != 0; v &= v - 1) {
			int64_t rowid = ((int64_t)i << 6) + __builtin_ctzll(v);

			while (h < l->nhead && l->head[h] < rowid)
				h++;
			l->freq[l->n] = -1.0 - (h < l->nhead && l->head[h] == rowid ? l->hscore[h] : l->tail);
			l->rowid[l->n++] = rowid;
		}
	}
	free(w);
	return SQLITE_OK;
}

/*
 * The lazy list l read from its impact set instead of FTS5: the same
 * rowids, and the same bound of each row's score as collect_lazy gives
 * (its impact list's score, else the list's last); for a list made
 * before articles were added, the set then and the rows above its mark
 * read exactly, as collect_lazy reads them.  SQLITE_OK with l done,
 * SQLITE_NOTFOUND when the word has no set fit for l (read it from FTS5).
 */
static int lazy_from_set(sqlite3 *db, nx_topk_cache *c, topk_list *l)
{
	uint64_t *w = NULL;
	size_t nw = 0;
	int64_t above = INT64_MAX;
	size_t nbits = 0;
	int rc = SQLITE_OK;

	if (!nx_topk__list_set(db, l, &w, &nw, &above))
		return SQLITE_NOTFOUND;
	if (above != (l->fresh ? l->mark : INT64_MAX)) {
		free(w); /* a set of another state than the list's: read from FTS5 */
		return SQLITE_NOTFOUND;
	}
	if ((rc = lazy_from_bits(c, l, w, nw)) != SQLITE_OK)
		return rc;
	nbits = l->n;
	if (l->fresh && (rc = lazy_above(db, c, l)) != SQLITE_OK)
		return rc;
	if (l->all > 0) /* the rows above the mark read whole: all of them counted */
		l->all += (int64_t)(l->n - nbits);
	l->done = 1;
	return SQLITE_OK;
}

/*
 * The lazy list l read from the rows of its word's tokens, each walked
 * alone (nx_topk__forms_rows: a word of several tokens, which FTS5
 * would walk merging their positions), when it was made for the index as it is:
 * the same rowids and bounds as collect_lazy gives.  SQLITE_OK with l
 * done, SQLITE_NOTFOUND when it is no such word (read it from FTS5).
 */
static int lazy_from_forms(sqlite3 *db, nx_topk_cache *c, topk_list *l)
{
	uint64_t *w = NULL;
	size_t nw = 0;
	int rc = SQLITE_OK;

	nx_topk_forms f;

	if (l->fresh || !(nx_topk__forms(db, l->text, l->len, &f) || nx_topk__forms_one(db, l->text, l->len, &f)))
		return SQLITE_NOTFOUND;
	if ((rc = nx_topk__forms_rows(db, &f, &w, &nw)) == SQLITE_RANGE)
		return SQLITE_NOTFOUND; /* a rowid too large for a bitmap: read from FTS5 */
	if (rc != SQLITE_OK)
		return rc;
	if ((rc = lazy_from_bits(c, l, w, nw)) != SQLITE_OK)
		return rc;
	l->done = 1;
	return SQLITE_OK;
}

/*
 * Read the lists of the phrases not in the cache yet (and the table's
 * totals) in one pass over the matches of expr; *called is 0 when no row
 * matches.
 */
/*
 * The first row of "fts MATCH expr" given to the auxiliary function fn
 * with state (its pointer type the function's name), which does its work
 * there; *state_rc: what it reported.  Returns an SQLite code.
 */
int nx_topk__run_aux(sqlite3 *db, const char *fn, const char *expr, void *state, const int *state_rc)
{
	sqlite3_stmt *s = NULL;
	char sql[128];
	int rc = SQLITE_OK;

	snprintf(sql, sizeof(sql), "SELECT %s(fts, ?2) FROM fts WHERE fts MATCH ?1 LIMIT 1", fn);
	if ((rc = sqlite3_prepare_v2(db, sql, -1, &s, NULL)) != SQLITE_OK)
		return rc;
	sqlite3_bind_text(s, 1, expr, -1, SQLITE_STATIC);
	sqlite3_bind_pointer(s, 2, state, fn, NULL);
	rc = sqlite3_step(s);
	sqlite3_finalize(s);
	return *state_rc != SQLITE_OK ? *state_rc : rc == SQLITE_ROW || rc == SQLITE_DONE ? SQLITE_OK : rc;
}

/*
 * The whole list l read token by token (nx_topk__forms_read), after the
 * pass over the matches of the expression it is a phrase of, which read
 * the table's totals into c.
 */
static int read_forms(sqlite3 *db, nx_topk_cache *c, topk_list *l, const nx_topk_forms *f)
{
	nx_topk_forms_list r;
	int rc = SQLITE_OK;

	if ((rc = nx_topk__forms_read(db, f, c->ncol, c->colw, c->ncolw, &r)) != SQLITE_OK)
		return rc;
	free(l->rowid);
	free(l->freq);
	free(l->ext);
	l->rowid = r.rowid;
	l->freq = r.freq;
	l->ext = r.ext;
	l->n = l->cap = r.n;
	l->done = 1;
	return SQLITE_OK;
}

int nx_topk__read_lists(sqlite3 *db, nx_topk_cache *c, const char *expr, int n, const int *which, int *called)
{
	collect_state cs;
	nx_topk_forms f, *forms = NULL;
	unsigned char later[NX_TOPK_MAX_RANK_PHRASES];
	int i = 0, rc = SQLITE_OK, nlater = 0;

	memset(&cs, 0, sizeof(cs));
	*called = 0;
	if ((rc = register_collect(db)) != SQLITE_OK)
		return rc;
	/* lazy lists of words with a set of rows: read from it, not walked */
	for (i = 0; i < n; i++) {
		topk_list *l = &c->l[which[i]];

		if (!l->done && l->lazy && (rc = lazy_from_set(db, c, l)) != SQLITE_OK && rc != SQLITE_NOTFOUND)
			return rc;
		/* and of words of several tokens: token by token */
		if (!l->done && l->lazy && (rc = lazy_from_forms(db, c, l)) != SQLITE_OK && rc != SQLITE_NOTFOUND)
			return rc;
	}
	/*
	 * whole lists of words of several tokens, or of one: read after the
	 * pass, token by token (from the index's pages when they can be)
	 */
	for (i = 0; i < n && n <= NX_TOPK_MAX_RANK_PHRASES; i++) {
		topk_list *l = &c->l[which[i]];

		later[i] = !l->done && !l->lazy &&
			   (nx_topk__forms(db, l->text, l->len, &f) || nx_topk__forms_one(db, l->text, l->len, &f)) &&
			   (forms != NULL || (forms = calloc((size_t)n, sizeof(*forms))) != NULL);
		if (later[i])
			forms[i] = f;
		nlater += later[i];
	}
	cs.c = c;
	cs.nphrase = n;
	cs.which = which;
	cs.later = nlater > 0 ? later : NULL;
	rc = nx_topk__run_aux(db, "nx_topk_collect", expr, &cs, &cs.rc);
	*called = cs.called;
	/* (no row matched expr: its lists stay unread, as the pass leaves them) */
	for (i = 0; i < n && rc == SQLITE_OK && nlater > 0 && cs.called; i++) {
		topk_list *l = &c->l[which[i]];

		if (later[i] && !l->done)
			rc = read_forms(db, c, l, &forms[i]);
	}
	free(forms);
	return rc;
}

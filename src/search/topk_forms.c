/*
 * topk_forms.c - a query's word of several tokens read token by token
 * (see topk_rank_private.h): its rows alone (nx_topk__forms_rows), or
 * with each row's instances by column (nx_topk__forms_read).
 *
 * A query's phrase of one word is the word and its stems in the query's
 * languages, colocated ("profits": "profits" or "profit"), and FTS5
 * merges the tokens' positions at every row of such a phrase: about
 * 1,000 instructions a row against 330 for one token alone.  Its rows are
 * those holding any of the tokens, so each token is walked alone, as a
 * phrase with the marker of a language without a stemmer ("zxx"), which
 * the tokenizer hands over as it is (nx_search__count_upto), and a row's
 * instances are the sum of its tokens' (a document's place holds one
 * token: only queries colocate them).
 */
#include "search/topk_rank_private.h"
#include "index/tokenizer.h"
#include "search/fts_rows.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A query's phrase by place: the distinct tokens of each (the word itself first, then its stems). */
typedef struct phrase_places {
	char f[NX_TOPK_PLACES][NX_TOPK_FORMS][72];
	int nf[NX_TOPK_PLACES];
	int n;      /* places */
	int more;   /* a place or a token left out (too many, too long) */
} phrase_places;

static int add_place(void *ctx, int tflags, const char *tok, int n, int s, int e)
{
	phrase_places *p = ctx;
	int i = 0, at = 0;

	(void)s;
	(void)e;
	if ((tflags & FTS5_TOKEN_COLOCATED) == 0) {
		if (p->n == NX_TOPK_PLACES) {
			p->more = 1;
			return SQLITE_OK;
		}
		p->n++;
	}
	at = p->n - 1;
	if (at < 0 || n <= 0 || n >= (int)sizeof(p->f[0][0]) || p->nf[at] == NX_TOPK_FORMS) {
		p->more = 1;
		return SQLITE_OK;
	}
	for (i = 0; i < p->nf[at]; i++)
		if (strncmp(p->f[at][i], tok, (size_t)n) == 0 && p->f[at][i][n] == '\0')
			return SQLITE_OK;
	memcpy(p->f[at][p->nf[at]], tok, (size_t)n);
	p->f[at][p->nf[at]++][n] = '\0';
	return SQLITE_OK;
}

/* The tokens of text (NUL-terminated, len bytes) as a query's phrase gives them to FTS5, by place. */
static int places_of(fts5_tokenizer *api, Fts5Tokenizer *tk, const char *text, size_t len, phrase_places *out)
{
	memset(out, 0, sizeof(*out));
	return api->xTokenize(tk, out, FTS5_TOKENIZE_QUERY, text, (int)len, add_place);
}

/* Off (the phrases walked as they are), for the tests that compare the two. */
static int forms_off;

void nx_topk__forms_set_off(int off)
{
	forms_off = off;
}

/* The places of a phrase's text (len bytes: one quoted FTS5 string) into *p, with the tokenizer's: 0, or -1. */
static int phrase_of(sqlite3 *db, const char *text, size_t len, phrase_places *p, fts5_tokenizer *api,
		     Fts5Tokenizer **tk)
{
	nx_buf word = NX_BUF_INIT;
	size_t i = 0;
	int rc = -1;

	if (forms_off || len < 3 || text[0] != '"' || text[len - 1] != '"')
		return -1;
	/* the phrase's text unquoted: one string of FTS5's syntax, "" a quote */
	for (i = 1; i + 1 < len; i++) {
		if (text[i] == '"' && (i + 2 >= len || text[++i] != '"'))
			goto done; /* more than one string */
		nx_buf_addch(&word, text[i]);
	}
	if (nx_buf_ok(&word) && nx_tokenizer_kept(db, tk, api) == SQLITE_OK &&
	    places_of(api, *tk, word.buf, word.len, p) == SQLITE_OK && !p->more && p->n >= 1)
		rc = 0;
done:
	nx_buf_free(&word);
	return rc;
}

int nx_topk__forms_one(sqlite3 *db, const char *text, size_t len, nx_topk_forms *out)
{
	fts5_tokenizer api;
	Fts5Tokenizer *tk = NULL;
	phrase_places p;

	memset(out, 0, sizeof(*out));
	if (len >= sizeof(out->q[0]) || phrase_of(db, text, len, &p, &api, &tk) != 0 || p.n != 1 || p.nf[0] != 1)
		return 0;
	out->n = 1;
	memcpy(out->q[0], text, len);
	out->ntok = 1;
	memcpy(out->tok[0], p.f[0][0], sizeof(out->tok[0]));
	return 1;
}

int nx_topk__places(sqlite3 *db, const char *text, size_t len, char tok[][72], int max)
{
	fts5_tokenizer api;
	Fts5Tokenizer *tk = NULL;
	phrase_places p;
	int j = 0;

	if (phrase_of(db, text, len, &p, &api, &tk) != 0 || p.n > max)
		return 0;
	for (j = 0; j < p.n; j++) {
		if (p.nf[j] != 1)
			return 0;
		memcpy(tok[j], p.f[j][0], sizeof(p.f[j][0]));
	}
	return p.n;
}

int nx_topk__forms(sqlite3 *db, const char *text, size_t len, nx_topk_forms *out)
{
	fts5_tokenizer api;
	Fts5Tokenizer *tk = NULL;
	phrase_places p, one;
	nx_buf m = NX_BUF_INIT;
	int k = 0, j = 0, ncombo = 1, ok = 0, pick[NX_TOPK_PLACES];

	memset(out, 0, sizeof(*out));
	if (phrase_of(db, text, len, &p, &api, &tk) != 0)
		return 0;
	for (j = 0; j < p.n && ncombo <= NX_TOPK_FORMS; j++)
		ncombo *= p.nf[j];
	if (ncombo < 2 || ncombo > NX_TOPK_FORMS)
		goto done; /* one token a place: read as it is; too many combinations: as well */
	/* combination k: at each place the token of k's digit there (in the base of the places' counts) */
	for (k = 0; k < ncombo; k++) {
		int r = k;

		nx_buf_reset(&m);
		nx_buf_addch(&m, NX_LANG_MARK);
		nx_buf_adds(&m, "zxx");
		nx_buf_addch(&m, NX_LANG_MARK);
		for (j = p.n - 1; j >= 0; j--) {
			pick[j] = r % p.nf[j];
			r /= p.nf[j];
		}
		for (j = 0; j < p.n; j++) {
			if (j > 0)
				nx_buf_addch(&m, ' ');
			nx_buf_adds(&m, p.f[j][pick[j]]);
		}
		/* the combination's own phrase must find its tokens alone, one a place */
		if (!nx_buf_ok(&m) || places_of(&api, tk, m.buf, m.len, &one) != SQLITE_OK || one.more || one.n != p.n ||
		    m.len + 3 > sizeof(out->q[k]) || memchr(m.buf, '"', m.len) != NULL)
			goto done;
		for (j = 0; j < p.n; j++)
			if (one.nf[j] != 1 || strcmp(one.f[j][0], p.f[j][pick[j]]) != 0)
				goto done;
		out->q[k][0] = '"';
		memcpy(out->q[k] + 1, m.buf, m.len);
		memcpy(out->q[k] + 1 + m.len, "\"", 2); /* (no quote in it to double) */
		if (p.n == 1) /* one place: combination k is its token */
			memcpy(out->tok[out->ntok++], p.f[0][k], sizeof(out->tok[0]));
	}
	out->n = ncombo;
	ok = 1;
done:
	if (!ok)
		memset(out, 0, sizeof(*out));
	nx_buf_free(&m);
	return ok;
}

/*
 * Each token's phrase of f given to the auxiliary function fn (name, its
 * state type too) on its first row, which walks the token's rows there
 * (xQueryPhrase); *state_rc: what it reported.  An SQLite code.
 */
static int walk_forms(sqlite3 *db, const nx_topk_forms *f, const char *name, fts5_extension_function fn, void *state,
		      const int *state_rc)
{
	sqlite3_stmt *s = NULL;
	char sql[128];
	int k = 0, rc = SQLITE_OK;

	snprintf(sql, sizeof(sql), "SELECT %s(fts, ?2) FROM fts WHERE fts MATCH ?1 LIMIT 1", name);
	if ((rc = nx_topk__aux(db, name, fn)) != SQLITE_OK || (rc = sqlite3_prepare_v2(db, sql, -1, &s, NULL)) != SQLITE_OK)
		return rc;
	for (k = 0; k < f->n && rc == SQLITE_OK; k++) {
		sqlite3_reset(s);
		sqlite3_bind_text(s, 1, f->q[k], -1, SQLITE_STATIC);
		sqlite3_bind_pointer(s, 2, state, name, NULL);
		while ((rc = sqlite3_step(s)) == SQLITE_ROW)
			;
		rc = *state_rc != SQLITE_OK ? *state_rc : rc == SQLITE_DONE ? SQLITE_OK : rc;
	}
	sqlite3_finalize(s);
	return rc;
}

/* -- the rows alone, into a bitmap -- */

typedef struct form_rows {
	uint64_t *w;
	size_t nw;
	int rc;
} form_rows;

static int form_row(const Fts5ExtensionApi *api, Fts5Context *fctx, void *ud)
{
	form_rows *f = ud;
	int64_t rowid = api->xRowid(fctx);
	size_t at = 0;

	if (rowid < 0 || rowid >= NX_COUNT_MAX_ROWID)
		return SQLITE_RANGE;
	at = (size_t)(rowid >> 6);
	if (nx_topk__bits_room(&f->w, &f->nw, at) != SQLITE_OK)
		return SQLITE_NOMEM;
	f->w[at] |= (uint64_t)1 << (rowid & 63);
	return SQLITE_OK;
}

/* nx_topk_countform(fts, state): on the first row, every row of the query's one phrase marked */
static void aux_countform(const Fts5ExtensionApi *api, Fts5Context *fctx, sqlite3_context *ctx, int nval,
			  sqlite3_value **vals)
{
	form_rows *f = nx_topk__aux_state(ctx, nval, vals, "nx_topk_countform");

	if (f == NULL)
		return;
	if (f->rc == SQLITE_OK)
		f->rc = api->xPhraseCount(fctx) == 1 ? api->xQueryPhrase(fctx, 0, f, form_row) : SQLITE_RANGE;
	nx_topk__aux_result(ctx, f->rc);
}

int nx_topk__forms_rows(sqlite3 *db, const nx_topk_forms *f, uint64_t **w, size_t *nw)
{
	form_rows r;
	int k = 0, rc = SQLITE_OK;

	memset(&r, 0, sizeof(r));
	/* each token from the index's pages, when it can be read so */
	for (k = 0; f->ntok == f->n && k < f->n; k++) {
		int64_t rows = 0;

		if ((rc = nx_fts_rows(db, f->tok[k], strlen(f->tok[k]), &r.w, &r.nw, &rows)) != SQLITE_OK || rows < 0)
			break;
	}
	if (f->ntok == f->n && k == f->n && rc == SQLITE_OK) {
		*w = r.w;
		*nw = r.nw;
		return SQLITE_OK;
	}
	free(r.w);
	memset(&r, 0, sizeof(r));
	if (rc == SQLITE_RANGE || (rc = walk_forms(db, f, "nx_topk_countform", aux_countform, &r, &r.rc)) != SQLITE_OK) {
		free(r.w);
		r.w = NULL;
		r.nw = 0;
	}
	*w = r.w;
	*nw = r.nw;
	return rc;
}

/* -- the rows with their instances, as collect_row reads them -- */

/* Each row of the tokens walked: its instances and last offset + 1 in each column (ncol a row). */
typedef struct form_list {
	int64_t *rowid;
	int32_t *cnt, *ext;
	size_t n, cap;
	int ncol;
	int rc;
} form_list;

/* Room in f for one more row: SQLITE_OK, or SQLITE_NOMEM. */
static int form_grow(form_list *f)
{
	if (f->n == f->cap) {
		size_t cap = f->cap ? f->cap * 2 : 1024;
		int64_t *r = realloc(f->rowid, cap * sizeof(*r));
		int32_t *c = NULL, *e = NULL;

		if (r != NULL)
			f->rowid = r;
		if (r == NULL || (c = realloc(f->cnt, cap * (size_t)f->ncol * sizeof(*c))) == NULL)
			return SQLITE_NOMEM;
		f->cnt = c;
		if ((e = realloc(f->ext, cap * (size_t)f->ncol * sizeof(*e))) == NULL)
			return SQLITE_NOMEM;
		f->ext = e;
		f->cap = cap;
	}
	return SQLITE_OK;
}

/* xQueryPhrase callback: one row of a token, its instances counted by column */
static int form_inst(const Fts5ExtensionApi *api, Fts5Context *fctx, void *ud)
{
	form_list *f = ud;
	Fts5PhraseIter it;
	int32_t *cnt = NULL, *ext = NULL;
	int ic = 0, io = 0, rc = SQLITE_OK;

	if ((rc = form_grow(f)) != SQLITE_OK)
		return rc;
	cnt = f->cnt + f->n * (size_t)f->ncol;
	ext = f->ext + f->n * (size_t)f->ncol;
	memset(cnt, 0, (size_t)f->ncol * sizeof(*cnt));
	memset(ext, 0, (size_t)f->ncol * sizeof(*ext));
	rc = api->xPhraseFirst(fctx, 0, &it, &ic, &io);
	while (rc == SQLITE_OK && ic >= 0) {
		if (ic < f->ncol) {
			cnt[ic]++;
			if (io + 1 > ext[ic])
				ext[ic] = io + 1;
		}
		api->xPhraseNext(fctx, &it, &ic, &io);
	}
	f->rowid[f->n++] = api->xRowid(fctx);
	return rc;
}

/* nx_topk_readform(fts, state): on the first row, every row of the query's one phrase with its instances */
static void aux_readform(const Fts5ExtensionApi *api, Fts5Context *fctx, sqlite3_context *ctx, int nval,
			 sqlite3_value **vals)
{
	form_list *f = nx_topk__aux_state(ctx, nval, vals, "nx_topk_readform");

	if (f == NULL)
		return;
	if (f->rc == SQLITE_OK && (api->xPhraseCount(fctx) != 1 || api->xColumnCount(fctx) != f->ncol))
		f->rc = SQLITE_RANGE;
	if (f->rc == SQLITE_OK)
		f->rc = api->xQueryPhrase(fctx, 0, f, form_inst);
	nx_topk__aux_result(ctx, f->rc);
}

/* nx_fts_rows_each's callback: one row of a token read from the pages, as form_inst reads it (rc: not ascending) */
static int form_page(void *ud, int64_t rowid, const int32_t *cnt, const int32_t *ext)
{
	form_list *f = ud;
	int rc = SQLITE_OK;

	if (f->n > 0 && rowid <= f->rowid[f->n - 1])
		return f->rc = SQLITE_NOTFOUND; /* segments whose rows interleave: walked through FTS5 */
	if ((rc = form_grow(f)) != SQLITE_OK)
		return rc;
	memcpy(f->cnt + f->n * (size_t)f->ncol, cnt, (size_t)f->ncol * sizeof(*cnt));
	memcpy(f->ext + f->n * (size_t)f->ncol, ext, (size_t)f->ncol * sizeof(*ext));
	f->rowid[f->n++] = rowid;
	return SQLITE_OK;
}

static void form_list_free(form_list *f)
{
	free(f->rowid);
	free(f->cnt);
	free(f->ext);
}

int nx_topk__forms_read(sqlite3 *db, const nx_topk_forms *f, int ncol, const double *colw, int ncolw,
			nx_topk_forms_list *out)
{
	form_list t[NX_TOPK_FORMS];
	size_t at[NX_TOPK_FORMS], total = 0, n = 0;
	int k = 0, rc = SQLITE_OK;

	memset(out, 0, sizeof(*out));
	memset(t, 0, sizeof(t));
	memset(at, 0, sizeof(at));
	if (ncol < 1 || ncol > NX_TOPK_EXT_COLS)
		return SQLITE_RANGE;
	/* each token's rows, ascending: from the index's pages when f has its tokens, else one walk each */
	for (k = 0; k < f->n && rc == SQLITE_OK; k++) {
		nx_topk_forms one;
		int64_t rows = -1;

		t[k].ncol = ncol;
		if (f->ntok == f->n && ncol <= NX_FTS_ROWS_COLS) {
			rc = nx_fts_rows_each(db, f->tok[k], strlen(f->tok[k]), ncol, form_page, &t[k], &rows);
			if (rc == SQLITE_NOTFOUND && t[k].rc == SQLITE_NOTFOUND)
				rc = SQLITE_OK, rows = -1;
			if (rc == SQLITE_OK && rows >= 0) {
				total += t[k].n;
				continue;
			}
			t[k].n = 0; /* (the rows read before it gave up) */
			t[k].rc = SQLITE_OK;
		}
		memset(&one, 0, sizeof(one));
		one.n = 1;
		memcpy(one.q[0], f->q[k], sizeof(one.q[0]));
		if (rc == SQLITE_OK)
			rc = walk_forms(db, &one, "nx_topk_readform", aux_readform, &t[k], &t[k].rc);
		total += t[k].n;
	}
	/* one token: its rows as they are, the counts summed (the merge below, without the copies) */
	if (rc == SQLITE_OK && f->n == 1 && total > 0) {
		if ((out->freq = malloc(total * sizeof(*out->freq))) == NULL) {
			form_list_free(&t[0]);
			return SQLITE_NOMEM;
		}
		for (n = 0; n < total; n++)
			out->freq[n] = nx_topk__count_freq(t[0].cnt + n * (size_t)ncol, ncol, colw, ncolw);
		out->rowid = t[0].rowid;
		out->ext = t[0].ext;
		out->n = total;
		free(t[0].cnt);
		return SQLITE_OK;
	}
	if (rc == SQLITE_OK && total > 0 &&
	    ((out->rowid = malloc(total * sizeof(*out->rowid))) == NULL ||
	     (out->freq = malloc(total * sizeof(*out->freq))) == NULL ||
	     (out->ext = calloc(total * (size_t)ncol, sizeof(*out->ext))) == NULL))
		rc = SQLITE_NOMEM;
	/* merged by rowid: a row's instances in the tokens' columns summed (a place holds one token) */
	while (rc == SQLITE_OK) {
		int32_t cnt[NX_TOPK_EXT_COLS], *ext = NULL;
		int64_t row = INT64_MAX;
		int c = 0;

		for (k = 0; k < f->n; k++)
			if (at[k] < t[k].n && t[k].rowid[at[k]] < row)
				row = t[k].rowid[at[k]];
		if (row == INT64_MAX)
			break;
		memset(cnt, 0, sizeof(cnt));
		ext = out->ext + n * (size_t)ncol;
		for (k = 0; k < f->n; k++) {
			if (at[k] >= t[k].n || t[k].rowid[at[k]] != row)
				continue;
			for (c = 0; c < ncol; c++) {
				cnt[c] += t[k].cnt[at[k] * (size_t)ncol + (size_t)c];
				if (t[k].ext[at[k] * (size_t)ncol + (size_t)c] > ext[c])
					ext[c] = t[k].ext[at[k] * (size_t)ncol + (size_t)c];
			}
			at[k]++;
		}
		out->rowid[n] = row;
		out->freq[n++] = nx_topk__count_freq(cnt, ncol, colw, ncolw);
	}
	for (k = 0; k < f->n; k++)
		form_list_free(&t[k]);
	if (rc != SQLITE_OK) {
		nx_topk__forms_list_free(out);
		return rc;
	}
	out->n = n;
	return SQLITE_OK;
}

void nx_topk__forms_list_free(nx_topk_forms_list *l)
{
	free(l->rowid);
	free(l->freq);
	free(l->ext);
	memset(l, 0, sizeof(*l));
}

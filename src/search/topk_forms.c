/*
 * topk_forms.c - nx_topk__forms_rows: the rows of a query's word of
 * several tokens, each token walked alone (see topk_rank_private.h).
 *
 * A query's phrase of one word is the word and its stems in the query's
 * languages, colocated ("profits": "profits" or "profit"), and FTS5
 * merges the tokens' positions at every row of such a phrase: about
 * 1,000 instructions a row against 330 for one token alone.  Its rows are
 * those holding any of the tokens, so a count walks each token alone, as
 * a phrase with the marker of a language without a stemmer ("zxx"),
 * which the tokenizer hands over as it is (nx_search__count_upto).
 */
#include "search/topk_rank_private.h"
#include "search/search_private.h"
#include "index/tokenizer.h"

#include <stdlib.h>
#include <string.h>

/* What the query tokenizer makes of a phrase's text: its tokens, and how many are not colocated. */
typedef struct phrase_tokens {
	char f[NX_WORD_FORMS][72];
	int n;
	int words;  /* tokens at positions of their own */
	int more;   /* a token left out (too long, or too many) */
} phrase_tokens;

static int add_token(void *ctx, int tflags, const char *tok, int n, int s, int e)
{
	phrase_tokens *p = ctx;
	int i = 0;

	(void)s;
	(void)e;
	p->words += (tflags & FTS5_TOKEN_COLOCATED) == 0;
	if (n <= 0 || n >= (int)sizeof(p->f[0]) || p->n == NX_WORD_FORMS) {
		p->more = 1;
		return SQLITE_OK;
	}
	for (i = 0; i < p->n; i++)
		if (strncmp(p->f[i], tok, (size_t)n) == 0 && p->f[i][n] == '\0')
			return SQLITE_OK;
	memcpy(p->f[p->n], tok, (size_t)n);
	p->f[p->n++][n] = '\0';
	return SQLITE_OK;
}

/* The tokens of text (len bytes) as a query's phrase gives them to FTS5: an SQLite code. */
static int phrase_tokenize(fts5_tokenizer *api, Fts5Tokenizer *tk, const char *text, size_t len, phrase_tokens *out)
{
	memset(out, 0, sizeof(*out));
	return api->xTokenize(tk, out, FTS5_TOKENIZE_QUERY, text, (int)len, add_token);
}

/* The rows of one token walked into a bitmap (forms_walk's state). */
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
	if (at >= f->nw) {
		size_t nw = f->nw ? f->nw : 1024;
		uint64_t *w = NULL;

		while (nw <= at)
			nw *= 2;
		if ((w = realloc(f->w, nw * sizeof(*w))) == NULL)
			return SQLITE_NOMEM;
		memset(w + f->nw, 0, (nw - f->nw) * sizeof(*w));
		f->w = w;
		f->nw = nw;
	}
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
	if (f->rc == SQLITE_OK && api->xPhraseCount(fctx) == 1)
		f->rc = api->xQueryPhrase(fctx, 0, f, form_row);
	else if (f->rc == SQLITE_OK)
		f->rc = SQLITE_RANGE;
	nx_topk__aux_result(ctx, f->rc);
}

int nx_topk__forms_rows(sqlite3 *db, const char *text, size_t len, uint64_t **w, size_t *nw)
{
	fts5_tokenizer api;
	Fts5Tokenizer *tk = NULL;
	phrase_tokens p, one;
	sqlite3_stmt *s = NULL;
	nx_buf word = NX_BUF_INIT, m = NX_BUF_INIT, q = NX_BUF_INIT;
	form_rows f;
	size_t i = 0;
	int k = 0, ok = 0;

	*w = NULL;
	*nw = 0;
	memset(&f, 0, sizeof(f));
	if (len < 3 || text[0] != '"' || text[len - 1] != '"')
		return 0;
	/* the phrase's text unquoted: one string of FTS5's syntax, "" a quote */
	for (i = 1; i + 1 < len; i++) {
		if (text[i] == '"' && (i + 2 >= len || text[++i] != '"'))
			goto done; /* more than one string */
		nx_buf_addch(&word, text[i]);
	}
	if (!nx_buf_ok(&word) || nx_tokenizer_kept(db, &tk, &api) != SQLITE_OK ||
	    phrase_tokenize(&api, tk, word.buf, word.len, &p) != SQLITE_OK || p.more || p.words != 1 || p.n < 2)
		goto done;
	if (nx_topk__aux(db, "nx_topk_countform", aux_countform) != SQLITE_OK ||
	    sqlite3_prepare_v2(db, "SELECT nx_topk_countform(fts, ?2) FROM fts WHERE fts MATCH ?1 LIMIT 1", -1, &s,
			       NULL) != SQLITE_OK)
		goto done;
	for (k = 0; k < p.n; k++) {
		nx_buf_reset(&m);
		nx_buf_reset(&q);
		nx_buf_addch(&m, NX_LANG_MARK);
		nx_buf_adds(&m, "zxx");
		nx_buf_addch(&m, NX_LANG_MARK);
		nx_buf_adds(&m, p.f[k]);
		nx_fts5_quote(&q, m.buf, m.len);
		/* the token's own phrase must find the token alone */
		if (!nx_buf_ok(&q) || phrase_tokenize(&api, tk, m.buf, m.len, &one) != SQLITE_OK || one.more ||
		    one.words != 1 || one.n != 1 || strcmp(one.f[0], p.f[k]) != 0)
			goto done;
		sqlite3_reset(s);
		sqlite3_bind_text(s, 1, q.buf, (int)q.len, SQLITE_STATIC);
		sqlite3_bind_pointer(s, 2, &f, "nx_topk_countform", NULL);
		while (sqlite3_step(s) == SQLITE_ROW)
			;
		if (sqlite3_reset(s) != SQLITE_OK || f.rc != SQLITE_OK)
			goto done;
	}
	ok = 1;
	*w = f.w;
	*nw = f.nw;
	f.w = NULL;
done:
	sqlite3_finalize(s);
	free(f.w);
	nx_buf_free(&word);
	nx_buf_free(&m);
	nx_buf_free(&q);
	return ok;
}

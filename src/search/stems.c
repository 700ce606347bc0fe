/*
 * stems.c - the MATCH text of a strict walk without the words' typed
 * forms the index holds no row of (internal: search_private.h).
 *
 * A query's word reaches FTS5 as the word as typed and, colocated, its
 * stem (index/tokenizer.c: the typed form is indexed only for languages
 * without a stemmer).  FTS5 then reads the word as a synonym list on
 * every row it walks or seeks to, even when the typed form has no row at
 * all: at 1M articles "minister" in 1987 costs 144 M instructions where
 * "minist" costs 103 M (doc/performance.md, round 15), and a block probe
 * of "government" 2.5x one of "market".  A phrase written with the query
 * language's mark ('"\x1Fen\x1Fminister"') is tokenized with that
 * language's stems alone.  The rewrite is used only when it is proven to
 * give FTS5 the same tokens less typed forms without rows: each phrase is
 * tokenized both ways by the index's tokenizer, every position must hold
 * one token, or the typed form and one stem (one query language), the
 * marked phrase must give exactly the stems in the same order, and every
 * typed form left out must have no document in the index's vocabulary.
 * The rows, the instances and so the scores are then FTS5's for the
 * phrase as written.
 */
#include "search/search_private.h"
#include "search/topk_private.h"
#include "index/tokenizer.h"
#include "util/buf.h"

#include <stdlib.h>
#include <string.h>

#define STEMS_MAX_TOKENS 64
#define STEMS_MAX_LEN 72

/* The tokens of one phrase, in order, colocated ones marked. */
typedef struct stem_toks {
	char tok[STEMS_MAX_TOKENS][STEMS_MAX_LEN];
	int len[STEMS_MAX_TOKENS];
	int colocated[STEMS_MAX_TOKENS];
	int n;
	int over; /* more tokens, or a longer one, than kept: not rewritten */
} stem_toks;

static int stem_tok(void *ctx, int flags, const char *tok, int ntok, int start, int end)
{
	stem_toks *t = ctx;

	(void)start;
	(void)end;
	if (t->n == STEMS_MAX_TOKENS || ntok < 0 || ntok >= STEMS_MAX_LEN) {
		t->over = 1;
		return SQLITE_OK;
	}
	memcpy(t->tok[t->n], tok, (size_t)ntok);
	t->len[t->n] = ntok;
	t->colocated[t->n++] = (flags & FTS5_TOKEN_COLOCATED) != 0;
	return SQLITE_OK;
}

/*
 * 1 when the phrase text s (n bytes, no quote in it) marked with lang
 * gives the tokens of s less typed forms without rows (written to out as
 * the marked phrase), 0 when it does not or needs nothing, -1 on an error.
 */
static int stems_of(Fts5Tokenizer *tk, fts5_tokenizer *api, sqlite3_stmt *df, const char *s, size_t n, const char *lang,
		    nx_buf *out)
{
	stem_toks *plain = calloc(2, sizeof(*plain)), *marked = plain != NULL ? plain + 1 : NULL;
	nx_buf m = NX_BUF_INIT;
	int i = 0, j = 0, rc = -1, typed = 0;

	if (plain == NULL)
		return -1;
	nx_buf_addch(&m, NX_LANG_MARK);
	nx_buf_adds(&m, lang);
	nx_buf_addch(&m, NX_LANG_MARK);
	nx_buf_add(&m, s, n);
	if (!nx_buf_ok(&m) || api->xTokenize(tk, plain, FTS5_TOKENIZE_QUERY, s, (int)n, stem_tok) != SQLITE_OK ||
	    api->xTokenize(tk, marked, FTS5_TOKENIZE_QUERY, m.buf, (int)m.len, stem_tok) != SQLITE_OK)
		goto done;
	rc = 0;
	if (plain->over || marked->over || plain->n == 0 || (plain->n > 0 && plain->colocated[0]))
		goto done;
	/* position by position: one token, or the typed form and one stem; the marked phrase the last of each */
	for (i = 0; i < plain->n; i = j) {
		for (j = i + 1; j < plain->n && plain->colocated[j]; j++)
			;
		if (j - i > 2)
			goto done;
		typed += j - i == 2;
	}
	if (typed == 0)
		goto done; /* no typed form: nothing to leave out */
	for (i = 0, j = 0; i < plain->n; i++) {
		int last = i + 1 == plain->n || !plain->colocated[i + 1];

		if (!last)
			continue;
		if (j >= marked->n || marked->colocated[j] || marked->len[j] != plain->len[i] ||
		    memcmp(marked->tok[j], plain->tok[i], (size_t)plain->len[i]) != 0)
			goto done;
		j++;
	}
	if (j != marked->n)
		goto done;
	/* the typed forms left out: no row holds them */
	for (i = 0; i + 1 < plain->n; i++)
		if (!plain->colocated[i] && plain->colocated[i + 1] &&
		    nx_search__vocab_df(df, plain->tok[i], (size_t)plain->len[i]) != 0)
			goto done;
	nx_buf_addch(out, '"');
	nx_buf_add(out, m.buf, m.len);
	nx_buf_addch(out, '"');
	rc = 1;
done:
	nx_buf_free(&m);
	free(plain);
	return rc;
}

char *nx_search__stems_only(nx_store *st, const char *expr)
{
	const char *s = expr, *e = NULL;
	sqlite3_stmt *df = NULL;
	fts5_tokenizer api;
	Fts5Tokenizer *tk = NULL;
	nx_buf out = NX_BUF_INIT;
	int changed = 0, rc = 0;

	if (expr == NULL || nx_topk__plain(expr) < 1 || nx_tokenizer_kept(st->db, &tk, &api) != SQLITE_OK ||
	    nx_search__vocab_prepare(st, &df) != SQLITE_OK)
		goto fail;
	for (; s != NULL && (e = skip_phrase(s)) != NULL; s = *e == ' ' ? e + 1 : NULL) {
		if (out.len > 0)
			nx_buf_addch(&out, ' ');
		/* (a quote doubled inside: kept as written) */
		rc = memchr(s + 1, '"', (size_t)(e - s) - 2) == NULL ?
			     stems_of(tk, &api, df, s + 1, (size_t)(e - s) - 2, NX_STEMS_LANG, &out) :
			     0;
		if (rc < 0)
			goto fail;
		if (rc == 0)
			nx_buf_add(&out, s, (size_t)(e - s));
		changed |= rc;
	}
	if (!changed || !nx_buf_ok(&out) || nx_topk__plain(out.buf) != nx_topk__plain(expr))
		goto fail;
	sqlite3_finalize(df);
	return nx_buf_detach(&out);
fail:
	sqlite3_finalize(df);
	nx_buf_free(&out);
	return NULL;
}

/*
 * terms.c - the words of a text as the index's tokenizer sees them,
 * counted (stop words, numbers and very short words aside): for similar
 * articles and for query expansion.
 */
#include "search/search_private.h"

#include <stdlib.h>
#include <string.h>

#include "article/lang.h"
#include "index/tokenizer.h"
#include "util/text.h"

int nx_search__collect_token(void *ctx, int tflags, const char *tok, int n, int s, int e)
{
	tc_ctx *c = ctx;
	size_t i = 0;

	(void)s;
	(void)e;
	if ((tflags & FTS5_TOKEN_COLOCATED) || n < 3 || n > 40 || nx_isdigit((unsigned char)tok[0]))
		return SQLITE_OK;
	if (nx_is_stopword(tok, (size_t)n, NULL))
		return SQLITE_OK;
	for (i = 0; i < c->n; i++) {
		if (strlen(c->t[i].term) == (size_t)n && memcmp(c->t[i].term, tok, (size_t)n) == 0) {
			c->t[i].tf++;
			return SQLITE_OK;
		}
	}
	if (c->n == c->cap) {
		term_count *p = realloc(c->t, (c->cap = c->cap ? c->cap * 2 : 128) * sizeof(*p));

		if (p == NULL) {
			c->oom = 1;
			return SQLITE_NOMEM;
		}
		c->t = p;
	}
	c->t[c->n].term = nx_strndup(tok, (size_t)n);
	if (c->t[c->n].term == NULL) {
		c->oom = 1;
		return SQLITE_NOMEM;
	}
	c->t[c->n].tf = 1;
	c->t[c->n].w = 0;
	c->n++;
	return SQLITE_OK;
}

int nx_search__tokenizer(nx_store *st, fts5_tokenizer *tk, Fts5Tokenizer **tok)
{
	fts5_api *api = nx_fts5_api(st->db);
	void *ud = NULL;

	*tok = NULL;
	if (api == NULL || api->xFindTokenizer(api, "nx", &ud, tk) != SQLITE_OK ||
	    tk->xCreate(ud, NULL, 0, tok) != SQLITE_OK)
		return SQLITE_ERROR;
	return SQLITE_OK;
}

int nx_search__tokenize(fts5_tokenizer *tk, Fts5Tokenizer *tok, const char *lang, const char *text, tc_ctx *tc)
{
	nx_buf b = NX_BUF_INIT;

	nx_lang_mark(&b, lang, text, strlen(text));
	if (!nx_buf_ok(&b))
		return NX_ENOMEM;
	tk->xTokenize(tok, tc, FTS5_TOKENIZE_DOCUMENT, b.buf, (int)b.len, nx_search__collect_token);
	nx_buf_free(&b);
	return tc->oom ? NX_ENOMEM : NX_OK;
}

static int add_form(void *ctx, int tflags, const char *tok, int n, int s, int e)
{
	word_forms *w = ctx;
	int i = 0;

	(void)tflags;
	(void)s;
	(void)e;
	if (n <= 0 || n >= (int)sizeof(w->f[0]) || w->n == NX_WORD_FORMS) {
		w->more = 1;
		return SQLITE_OK;
	}
	for (i = 0; i < w->n; i++)
		if (strncmp(w->f[i], tok, (size_t)n) == 0 && w->f[i][n] == '\0')
			return SQLITE_OK;
	memcpy(w->f[w->n], tok, (size_t)n);
	w->f[w->n++][n] = '\0';
	return SQLITE_OK;
}

int nx_search__word_forms(fts5_tokenizer *tk, Fts5Tokenizer *tok, const char *w, word_forms *out)
{
	memset(out, 0, sizeof(*out));
	return tk->xTokenize(tok, out, FTS5_TOKENIZE_QUERY, w, (int)strlen(w), add_form);
}

void nx_search__tc_free(tc_ctx *tc)
{
	size_t i = 0;

	for (i = 0; i < tc->n; i++)
		free(tc->t[i].term);
	free(tc->t);
	tc->t = NULL;
	tc->n = tc->cap = 0;
}


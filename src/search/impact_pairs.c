/*
 * impact_pairs.c - the word pairs that get impact lists of their own.
 *
 * A quoted phrase of two frequent words ("interest rates", "last year")
 * is walked in FTS5 through both words' positions: at ten million
 * articles, 70-400 ms for ten hits, where a frequent word alone reads its
 * list (impact.c) in a millisecond.  A phrase's best rows do not change
 * until the index does either, so the build lists the pairs of words that
 * stand side by side in NX_IMPACT_MIN_DF articles or more, as it lists
 * the words, and a search for the phrase reads them the same way.
 *
 * Which pairs those are cannot be known without reading every article.
 * Both words of such a pair are frequent words (each is in every article
 * the pair is in), so only they are paired, and NX_PAIR_SAMPLE articles
 * spread evenly over the rowids tell each pair's share of the articles
 * (every article when there are no more).  A pair whose share in the
 * sample reaches NX_PAIR_MARGIN of min_df's share is walked: the walk
 * counts its rows exactly, and a pair in fewer than min_df of them is
 * not stored, like a word.  At most `max` pairs are taken, the most
 * frequent first: a more frequent pair costs a search more to walk.
 *
 * A pair is two tokens the index's tokenizer gives one after the other,
 * with nothing but spaces and punctuation between them in the text (a
 * stop word the index drops between them would make them a pair of
 * FTS5's that no one types).  Its articles are counted by its tokens
 * (stems: "interest rate" and "interest rates" find the same rows), and
 * it is listed under the words most often written for them, typed in
 * quotes, in lower case ("\"interest rates\"": a search looks lists up in
 * lower case, see nx_search__impact_hits), and under any other words
 * written for them at least 1/NX_PAIR_FORM_SHARE as often ("\"interest
 * rate\"": the same rows, stored as a twin of the first, at the cost of a
 * walk).
 */
#include "search/search_private.h"

#include <stdlib.h>
#include <string.h>

#include "index/tokenizer.h"
#include "util/buf.h"
#include "util/strtab.h"
#include "util/text.h"

/* A pair's share in the sample that gets it walked, against min_df's share of the rows: 3/4. */
#define NX_PAIR_MARGIN_NUM 3
#define NX_PAIR_MARGIN_DEN 4

/* The longest word paired, in bytes (longer ones are not frequent words of the vocabulary). */
#define NX_PAIR_WORD_MAX 64

/* The forms of words written for one pair of tokens that are counted ("interest rates", "interest rate"). */
#define NX_PAIR_FORMS 4
/* A form other than the commonest is listed too when written at least 1/NX_PAIR_FORM_SHARE as often. */
#define NX_PAIR_FORM_SHARE 10

typedef struct pair_entry {
	char *key;        /* the two tokens FTS5 indexes, "t1 t2" */
	char *form[NX_PAIR_FORMS]; /* the words written for them, "w1 w2", lower case (the first ones seen) */
	uint32_t written[NX_PAIR_FORMS]; /* how often each */
	int nform;
	uint32_t count;   /* articles of the sample */
	uint32_t last;    /* the last article counted (1-based) */
} pair_entry;

typedef struct pair_state {
	nx_strtab words;        /* the frequent words, index + 1 into words[] */
	char **word;
	nx_strtab pairs;        /* index + 1 into e[] */
	pair_entry *e;
	size_t n, cap;
	uint32_t doc;           /* the article being read, 1-based */
	const char *text;       /* the column being tokenized */
	int prev_end;           /* where the last token ended in it, or -1 */
	char prev[NX_PAIR_WORD_MAX + 1]; /* its word, lower case ("": not a frequent word) */
	char prevtok[NX_PAIR_WORD_MAX + 1]; /* its token */
	int oom;
} pair_state;

static const char *word_name(const void *ctx, uint32_t i)
{
	return ((const pair_state *)ctx)->word[i];
}

static const char *pair_name(const void *ctx, uint32_t i)
{
	return ((const pair_state *)ctx)->e[i].key;
}

/* "a b" into out (room for 2 NX_PAIR_WORD_MAX + 2 bytes): its length. */
static size_t join(char *out, const char *a, const char *b, size_t bn)
{
	size_t an = strlen(a);

	memcpy(out, a, an);
	out[an] = ' ';
	memcpy(out + an + 1, b, bn);
	out[an + 1 + bn] = '\0';
	return an + 1 + bn;
}

/* The pair of tokens prevtok + tok (written prev + w) counted once for the article being read. */
static void count_pair(pair_state *p, const char *tok, size_t tn, const char *w, size_t wn)
{
	char key[2 * NX_PAIR_WORD_MAX + 2], ph[2 * NX_PAIR_WORD_MAX + 2];
	size_t kn = join(key, p->prevtok, tok, tn), pn = join(ph, p->prev, w, wn);
	pair_entry *e = NULL;
	long at = 0;
	int i = 0;

	if (nx_strtab_reserve(&p->pairs, pair_name, p) < 0) {
		p->oom = 1;
		return;
	}
	if ((at = nx_strtab_find(&p->pairs, key, kn, pair_name, p)) < 0) {
		if (p->n == p->cap) {
			pair_entry *ne = realloc(p->e, (p->cap = p->cap ? p->cap * 2 : 1024) * sizeof(*ne));

			if (ne == NULL) {
				p->oom = 1;
				return;
			}
			p->e = ne;
		}
		e = &p->e[p->n];
		memset(e, 0, sizeof(*e));
		if ((e->key = nx_strndup(key, kn)) == NULL) {
			p->oom = 1;
			return;
		}
		nx_strtab_put(&p->pairs, at, (uint32_t)p->n++);
	} else {
		e = &p->e[at];
	}
	if (e->last != p->doc) {
		e->count++;
		e->last = p->doc;
	}
	/* the words written for these tokens ("interest rates", "interest rate") */
	for (i = 0; i < e->nform && strcmp(e->form[i], ph) != 0; i++)
		;
	if (i < e->nform) {
		e->written[i]++;
	} else if (e->nform < NX_PAIR_FORMS) {
		if ((e->form[e->nform] = nx_strndup(ph, pn)) == NULL) {
			p->oom = 1;
			return;
		}
		e->written[e->nform++] = 1;
	}
}

/* Each token the tokenizer gives: paired with the one before when both are frequent words side by side. */
static int pair_token(void *ctx, int tflags, const char *tok, int n, int s, int e)
{
	pair_state *p = ctx;
	char low[NX_PAIR_WORD_MAX + 1];
	size_t wn = (size_t)(e - s), i = 0;
	int side = p->prev_end >= 0 && p->prev[0] != '\0';

	if ((tflags & FTS5_TOKEN_COLOCATED) || p->oom || p->words.used == 0)
		return SQLITE_OK;
	/* only spaces and punctuation since the last token: no word dropped between */
	for (i = (size_t)(p->prev_end >= 0 ? p->prev_end : 0); side && i < (size_t)s; i++)
		if (nx_isalnum((unsigned char)p->text[i]) || (unsigned char)p->text[i] >= 0x80)
			side = 0;
	p->prev_end = e;
	if (wn == 0 || wn > NX_PAIR_WORD_MAX || n <= 0 || n > NX_PAIR_WORD_MAX) {
		p->prev[0] = '\0';
		return SQLITE_OK;
	}
	for (i = 0; i < wn; i++)
		low[i] = (char)nx_tolower((unsigned char)p->text[s + (int)i]);
	low[wn] = '\0';
	if (nx_strtab_find(&p->words, low, wn, word_name, p) < 0) {
		p->prev[0] = '\0'; /* not a frequent word */
		return SQLITE_OK;
	}
	if (side)
		count_pair(p, tok, (size_t)n, low, wn);
	memcpy(p->prev, low, wn + 1);
	memcpy(p->prevtok, tok, (size_t)n);
	p->prevtok[n] = '\0';
	return SQLITE_OK;
}

static int by_count(const void *a, const void *b)
{
	const pair_entry *x = a, *y = b;

	if (x->count != y->count)
		return x->count > y->count ? -1 : 1;
	return strcmp(x->key, y->key);
}

/* s in double quotes as a query phrase (malloc'd), or NULL. */
static char *quoted(const char *s)
{
	nx_buf b = NX_BUF_INIT;

	nx_fts5_quote(&b, s, strlen(s));
	nx_buf_addch(&b, '\0');
	if (!nx_buf_ok(&b)) {
		nx_buf_free(&b);
		return NULL;
	}
	return b.buf;
}

int nx_search__frequent_pairs(nx_store *st, fts5_tokenizer *tk, Fts5Tokenizer *tok, char **words, size_t nwords,
			      int64_t nrow, int64_t min_df, size_t sample, size_t max, char ***out, size_t *nout)
{
	sqlite3_stmt *s = NULL;
	pair_state p;
	char **ph = NULL;
	size_t i = 0, k = 0, nph = 0, nread = 0;
	int64_t next = 0, last = 0, need = 0;
	int rc = SQLITE_OK, c = 0;

	*out = NULL;
	*nout = 0;
	memset(&p, 0, sizeof(p));
	p.word = words;
	if (nwords == 0 || sample == 0 || max == 0 || nrow < 1)
		return SQLITE_OK;
	for (i = 0; i < nwords && rc == SQLITE_OK; i++) {
		size_t wn = strlen(words[i]);
		long at = 0;

		if (wn == 0 || wn > NX_PAIR_WORD_MAX)
			continue;
		if (nx_strtab_reserve(&p.words, word_name, &p) < 0)
			rc = SQLITE_NOMEM;
		else if ((at = nx_strtab_find(&p.words, words[i], wn, word_name, &p)) < 0)
			nx_strtab_put(&p.words, at, (uint32_t)i);
	}
	if (rc == SQLITE_OK)
		rc = sqlite3_prepare_v2(st->db, "SELECT id, title, body FROM fts_src WHERE id >= ?1 ORDER BY id LIMIT 1",
					-1, &s, NULL);
	/* the articles at rowids spread evenly up to the last one (every one when there are no more than sample) */
	for (k = 0; rc == SQLITE_OK && k < sample && !p.oom; k++) {
		int64_t at = 1 + (int64_t)((double)k * (double)nrow / (double)sample);

		if (at < next)
			at = next;
		sqlite3_reset(s);
		sqlite3_bind_int64(s, 1, at);
		if ((rc = sqlite3_step(s)) == SQLITE_DONE) {
			rc = SQLITE_OK;
			break;
		}
		if (rc != SQLITE_ROW)
			break;
		rc = SQLITE_OK;
		last = sqlite3_column_int64(s, 0);
		next = last + 1;
		p.doc = (uint32_t)++nread;
		for (c = 1; c <= 2 && rc == SQLITE_OK; c++) {
			const char *t = (const char *)sqlite3_column_text(s, c);

			if (t == NULL)
				continue;
			p.text = t;
			p.prev_end = -1;
			p.prev[0] = '\0';
			rc = tk->xTokenize(tok, &p, FTS5_TOKENIZE_DOCUMENT, t, sqlite3_column_bytes(s, c), pair_token);
		}
	}
	sqlite3_finalize(s);
	if (rc == SQLITE_OK && p.oom)
		rc = SQLITE_NOMEM;
	if (rc != SQLITE_OK || nread == 0)
		goto done;
	/* the share that gets a pair walked: min_df's own when every article was read */
	if ((int64_t)nread >= nrow)
		need = min_df;
	else
		need = (int64_t)((double)min_df * (double)nread / (double)nrow * NX_PAIR_MARGIN_NUM / NX_PAIR_MARGIN_DEN);
	if (need < 2)
		need = 2;
	qsort(p.e, p.n, sizeof(*p.e), by_count);
	if ((ph = calloc(max, sizeof(*ph))) == NULL)
		rc = SQLITE_NOMEM;
	/* each pair's forms, the commonest first, and those written at least 1/NX_PAIR_FORM_SHARE as often */
	for (i = 0; i < p.n && nph < max && p.e[i].count >= (uint64_t)need && rc == SQLITE_OK; i++) {
		pair_entry *e = &p.e[i];
		uint32_t most = 0;
		int f = 0, g = 0;

		for (f = 0; f < e->nform; f++)
			most = e->written[f] > most ? e->written[f] : most;
		for (g = 0; g < e->nform && nph < max && rc == SQLITE_OK; g++) {
			/* in order of how often written (ties: the first seen) */
			uint32_t best = 0;
			int at = -1;

			for (f = 0; f < e->nform; f++)
				if (e->written[f] > best) {
					best = e->written[f];
					at = f;
				}
			if (at < 0 || (uint64_t)best * NX_PAIR_FORM_SHARE < most)
				break;
			e->written[at] = 0;
			if ((ph[nph] = quoted(e->form[at])) == NULL)
				rc = SQLITE_NOMEM;
			else
				nph++;
		}
	}
	if (rc == SQLITE_OK) {
		*out = ph;
		*nout = nph;
		ph = NULL;
	}
done:
	for (i = 0; ph != NULL && i < nph; i++)
		free(ph[i]);
	free(ph);
	for (i = 0; i < p.n; i++) {
		int f = 0;

		free(p.e[i].key);
		for (f = 0; f < p.e[i].nform; f++)
			free(p.e[i].form[f]);
	}
	free(p.e);
	nx_strtab_free(&p.words);
	nx_strtab_free(&p.pairs);
	return rc;
}

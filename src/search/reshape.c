/*
 * reshape.c - the words of a relaxed query, as nx_rank weighs them: one
 * phrase per stem, weighted by its count in the query ("a word the user
 * repeats counts more"), question filler left out when asked, and a long
 * query (a pasted abstract) cut to its most informative words by idf.
 * Parameters in tune.c; the choice of each is in doc/ranking.md.
 */
#include "search/search_private.h"

#include <stdlib.h>
#include <string.h>

#include "util/text.h"

/* Words that say what the user wants, not what it is about. */
static const char *const filler_words[] = {
	"describe", "described", "describes", "describing", "description", "discuss", "discussed",
	"discusses", "discussing", "discussion", "document", "documents", "article", "articles",
	"paper", "papers", "interested", "interest", "find", "want", "wish", "looking", "please",
	"relating", "concerning", "regarding", "pertaining", "related", "anything", "something",
	"give", "provide", "know", "known", "also", "particularly", "especially", "specific",
	NULL
};

typedef struct rword {
	char *word; /* as quoted in relaxed_pos, lower-cased */
	char *stem; /* as the index's tokenizer makes it in English; the word when it makes none */
	double w;   /* 1 + qtf times its repeats */
	double idf; /* < 0: not looked up yet */
	int keep;
} rword;

static int is_filler(const char *w)
{
	size_t i = 0;

	for (i = 0; filler_words[i] != NULL; i++)
		if (strcmp(filler_words[i], w) == 0)
			return 1;
	return 0;
}

static void rwords_free(rword *rw, size_t n)
{
	size_t i = 0;

	for (i = 0; i < n; i++) {
		free(rw[i].word);
		free(rw[i].stem);
	}
	free(rw);
}

/*
 * The words of relaxed_pos when it is "(\"a\" OR \"b\" ...)" of single
 * words, into *out (n of them); 0 when it has another shape (phrases,
 * columns, prefixes: left as they are), 1 when read, -1 out of memory.
 */
static int read_words(const char *s, rword **out, size_t *n)
{
	rword *rw = NULL;
	size_t cap = 0, i = 0;
	const char *e = NULL;

	*out = NULL;
	*n = 0;
	if (s == NULL || *s++ != '(')
		return 0;
	for (;;) {
		if (*s != '"' || (e = strchr(s + 1, '"')) == NULL || e == s + 1 || e[1] == '"' ||
		    memchr(s + 1, ' ', (size_t)(e - s - 1)) != NULL)
			goto other;
		if (*n == cap) {
			rword *nr = realloc(rw, (cap = cap ? cap * 2 : 16) * sizeof(*rw));

			if (nr == NULL)
				goto oom;
			rw = nr;
		}
		memset(&rw[*n], 0, sizeof(rw[*n]));
		if ((rw[*n].word = nx_strndup(s + 1, (size_t)(e - s - 1))) == NULL)
			goto oom;
		for (i = 0; rw[*n].word[i] != '\0'; i++)
			rw[*n].word[i] = (char)nx_tolower((unsigned char)rw[*n].word[i]);
		rw[*n].w = 1.0;
		rw[*n].idf = -1;
		rw[*n].keep = 1;
		(*n)++;
		s = e + 1;
		if (strncmp(s, " OR ", 4) == 0)
			s += 4;
		else if (strcmp(s, ")") == 0)
			break;
		else
			goto other;
	}
	*out = rw;
	return 1;
other:
	rwords_free(rw, *n);
	*n = 0;
	return 0;
oom:
	rwords_free(rw, *n);
	*n = 0;
	return -1;
}

/* Each word's stem (the word itself when the tokenizer keeps nothing of it). */
static int stem_words(nx_store *st, rword *rw, size_t n)
{
	fts5_tokenizer tk;
	Fts5Tokenizer *tok = NULL;
	size_t i = 0;
	int rc = NX_OK;

	if (nx_search__tokenizer(st, &tk, &tok) != SQLITE_OK)
		tok = NULL; /* words compared as they are */
	for (i = 0; i < n && rc == NX_OK; i++) {
		tc_ctx tc;

		memset(&tc, 0, sizeof(tc));
		if (tok != NULL && (rc = nx_search__tokenize(&tk, tok, "en", rw[i].word, &tc)) == NX_OK && tc.n > 0) {
			rw[i].stem = tc.t[0].term;
			tc.t[0].term = NULL;
		}
		nx_search__tc_free(&tc);
		if (rc == NX_OK && rw[i].stem == NULL && (rw[i].stem = strdup(rw[i].word)) == NULL)
			rc = NX_ENOMEM;
	}
	if (tok != NULL)
		tk.xDelete(tok);
	return rc;
}

/* Keep the max best words by idf times weight (ties: the earlier word). */
static void prune(nx_store *st, rword *rw, size_t n, size_t *nkeep, size_t max)
{
	sqlite3_stmt *df = NULL, *cnt = NULL;
	int64_t ndocs = 1;
	size_t i = 0;

	if (nx_search__vocab_prepare(st, &df) != SQLITE_OK ||
	    sqlite3_prepare_v2(st->db, "SELECT count(*) FROM article", -1, &cnt, NULL) != SQLITE_OK)
		goto done; /* the query stays whole */
	if (sqlite3_step(cnt) == SQLITE_ROW)
		ndocs = sqlite3_column_int64(cnt, 0);
	for (i = 0; i < n; i++) {
		int64_t d = rw[i].keep ? nx_search__vocab_df(df, rw[i].stem, strlen(rw[i].stem)) : 0;

		/* a word no article holds ranks nothing: it goes first */
		rw[i].idf = d > 0 ? nx_topk__rank_idf(ndocs, d) : 0;
	}
	while (*nkeep > max) {
		size_t worst = n;

		for (i = n; i-- > 0;)
			if (rw[i].keep && (worst == n || rw[i].idf * rw[i].w < rw[worst].idf * rw[worst].w))
				worst = i;
		rw[worst].keep = 0;
		(*nkeep)--;
	}
done:
	sqlite3_finalize(df);
	sqlite3_finalize(cnt);
}

int nx_search__reshape(nx_store *st, nx_query *q, plan *p)
{
	const nx_rank_params *t = nx_rank__params();
	rword *rw = NULL;
	size_t n = 0, i = 0, j = 0, nkeep = 0, left = 0;
	nx_buf e = NX_BUF_INIT;
	char *pos = NULL, *rel = NULL;
	int rc = read_words(q->relaxed_pos, &rw, &n);

	if (rc <= 0)
		return rc < 0 ? NX_ENOMEM : NX_OK;
	if ((rc = stem_words(st, rw, n)) < 0)
		goto done;
	for (i = 0; i < n; i++)
		left += !is_filler(rw[i].word);
	for (i = 0; i < n && t->filler && left >= 2; i++)
		rw[i].keep = !is_filler(rw[i].word);
	/* a repeated word (same stem) is one phrase that weighs more */
	for (i = 0; i < n; i++) {
		for (j = 0; j < i && rw[i].keep; j++) {
			if (rw[j].keep && strcmp(rw[j].stem, rw[i].stem) == 0) {
				rw[j].w += t->qtf;
				rw[i].keep = 0;
			}
		}
		nkeep += rw[i].keep;
	}
	if (t->max_words > 0 && nkeep > (size_t)t->max_words)
		prune(st, rw, n, &nkeep, (size_t)t->max_words);
	if (nkeep < 2)
		goto done; /* the query as it was */
	if ((p->qw = calloc(nkeep, sizeof(*p->qw))) == NULL)
		goto oom;
	nx_buf_addch(&e, '(');
	for (i = 0; i < n; i++) {
		if (!rw[i].keep)
			continue;
		if (p->nqw > 0)
			nx_buf_adds(&e, " OR ");
		nx_fts5_quote(&e, rw[i].word, strlen(rw[i].word));
		p->qw[p->nqw++] = rw[i].w;
	}
	nx_buf_addch(&e, ')');
	pos = nx_strndup(e.buf != NULL ? e.buf : "", e.len);
	nx_buf_adds(&e, q->negs != NULL ? q->negs : "");
	if (!nx_buf_ok(&e) || pos == NULL)
		goto oom;
	rel = nx_buf_detach(&e);
	free(q->relaxed_pos);
	free(q->relaxed);
	q->relaxed_pos = pos;
	q->relaxed = rel;
	q->nunits = nkeep;
	pos = NULL;
	goto done;
oom:
	rc = NX_ENOMEM;
	free(p->qw);
	p->qw = NULL;
	p->nqw = 0;
done:
	free(pos);
	nx_buf_free(&e);
	rwords_free(rw, n);
	return rc;
}

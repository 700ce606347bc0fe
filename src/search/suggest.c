/*
 * suggest.c - "did you mean": for each query word the index does not
 * know, the likeliest word it does, as written in the articles (table
 * vocab, index/vocab.c: surface forms, never stems).
 *
 * Candidates are the index's words within Damerau-Levenshtein distance 2
 * (1 for words of four letters or fewer) that begin with the query word's
 * first letter, or its second (the first two swapped): one range of the
 * table's primary key per letter, so a look-up reads about 1/26 of the
 * vocabulary, not all of it.  A misspelled first letter is not corrected
 * (about 3% of the misspellings of doc/ranking.md's list).  They are ranked
 * by how often the index holds them, each edit dividing that by
 * NX_SUGGEST_EDIT_COST; a word the user wrote with a capital prefers
 * words the articles write with one (names: "Thacher" is thatcher, not
 * teacher).  A word the index holds counts as known unless a word one
 * edit away is NX_SUGGEST_RARE times as frequent (a typo in an article).
 * The suggestion shown is checked against the full-text index, so a word
 * whose articles were removed is not suggested.
 */
#include "search/search_private.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/text.h"

/* One edit weighs as much as this factor of frequency. */
#define NX_SUGGEST_EDIT_COST 300.0
/* A word of the index this many times rarer than a word one edit away is taken for a typo. */
#define NX_SUGGEST_RARE 100
/* Words of a query typed, not pasted: beyond, a word the index holds is taken as right. */
#define NX_SUGGEST_TYPED 8
/* The longest word considered, in bytes. */
#define NX_SUGGEST_MAXLEN 40

static int is_vowel(int c)
{
	return c == 'a' || c == 'e' || c == 'i' || c == 'o' || c == 'u' || c == 'y';
}

/* Half edits to drop a[i] (a letter beside its own double costs half: "comming"). */
static int drop_cost(const char *a, size_t na, size_t i)
{
	return (i > 0 && a[i - 1] == a[i]) || (i + 1 < na && a[i + 1] == a[i]) ? 1 : 2;
}

int nx_search__edit_cost(const char *a, size_t na, const char *b, size_t nb, int max)
{
	int d[NX_SUGGEST_MAXLEN + 1][NX_SUGGEST_MAXLEN + 1];
	size_t i = 0, j = 0;

	if (na > NX_SUGGEST_MAXLEN || nb > NX_SUGGEST_MAXLEN || (na > nb ? na - nb : nb - na) > (size_t)max)
		return max + 1;
	d[0][0] = 0;
	for (i = 1; i <= na; i++)
		d[i][0] = d[i - 1][0] + drop_cost(a, na, i - 1);
	for (j = 1; j <= nb; j++)
		d[0][j] = d[0][j - 1] + drop_cost(b, nb, j - 1);
	for (i = 1; i <= na; i++) {
		int best = max + 1;

		for (j = 1; j <= nb; j++) {
			int x = (unsigned char)a[i - 1], y = (unsigned char)b[j - 1];
			int v = d[i - 1][j - 1] + (x == y ? 0 : is_vowel(x) && is_vowel(y) ? 1 : 2);

			if (d[i - 1][j] + drop_cost(a, na, i - 1) < v)
				v = d[i - 1][j] + drop_cost(a, na, i - 1);
			if (d[i][j - 1] + drop_cost(b, nb, j - 1) < v)
				v = d[i][j - 1] + drop_cost(b, nb, j - 1);
			/* two neighbours swapped: one edit */
			if (i > 1 && j > 1 && x == b[j - 2] && a[i - 2] == y && d[i - 2][j - 2] + 2 < v)
				v = d[i - 2][j - 2] + 2;
			d[i][j] = v;
			if (v < best)
				best = v;
		}
		if (best > max)
			return max + 1;
	}
	return d[na][nb] > max ? max + 1 : d[na][nb];
}

typedef struct cand_word {
	char w[NX_SUGGEST_MAXLEN + 1];
	double score;
	int dist;  /* in half edits */
	int64_t n;
} cand_word;

/* Keep the NX_SUGGEST_TOP best of c in top (sorted, best first). */
static void top_insert(cand_word *top, size_t *ntop, const cand_word *c)
{
	size_t i = *ntop;

	if (i == NX_SUGGEST_TOP && c->score <= top[i - 1].score)
		return;
	if (i < NX_SUGGEST_TOP)
		(*ntop)++;
	else
		i--;
	while (i > 0 && top[i - 1].score < c->score) {
		top[i] = top[i - 1];
		i--;
	}
	top[i] = *c;
}

/*
 * The best candidates for word t (lower case, n bytes) from the statement
 * near (w, n, cap of the vocabulary between ?1 and ?2); capital: the user
 * wrote it Xxxx.
 */
static size_t candidates(sqlite3_stmt *near, const char *t, size_t n, int capital, cand_word *top)
{
	char lo[2][8], hi[2][8];
	int maxd = n <= 4 ? 2 : 4, r = 0, nr = n > 1 && t[1] != t[0] ? 2 : 1; /* half edits */
	size_t ntop = 0;

	for (r = 0; r < nr; r++) {
		unsigned char c0 = (unsigned char)t[r];

		snprintf(lo[r], sizeof(lo[r]), "%c", c0);
		snprintf(hi[r], sizeof(hi[r]), "%c", c0 + 1);
		sqlite3_reset(near);
		sqlite3_bind_text(near, 1, lo[r], -1, SQLITE_STATIC);
		sqlite3_bind_text(near, 2, hi[r], -1, SQLITE_STATIC);
		while (sqlite3_step(near) == SQLITE_ROW) {
			const char *w = (const char *)sqlite3_column_text(near, 0);
			size_t wn = (size_t)sqlite3_column_bytes(near, 0);
			int64_t cnt = sqlite3_column_int64(near, 1), cap = sqlite3_column_int64(near, 2);
			cand_word c;
			double freq = 0;

			if (w == NULL || wn > NX_SUGGEST_MAXLEN || (wn > n ? wn - n : n - wn) > (size_t)maxd)
				continue;
			if (wn == n && memcmp(w, t, n) == 0)
				continue;
			if ((c.dist = nx_search__edit_cost(t, n, w, wn, maxd)) > maxd)
				continue;
			memcpy(c.w, w, wn);
			c.w[wn] = '\0';
			c.n = cnt;
			/* how often the word is written; written Xxxx, when the user wrote it so */
			freq = capital ? (double)(cap + 1) * (double)(cap + 1) / (double)(cnt + 1) : (double)(cnt + 1);
			c.score = log(freq) - 0.5 * c.dist * log(NX_SUGGEST_EDIT_COST);
			top_insert(top, &ntop, &c);
		}
	}
	sqlite3_reset(near);
	return ntop;
}

/* 1 when the full-text index finds word w, or leaves it out as a stop word. */
static int indexed(nx_store *st, sqlite3_stmt *chk, const char *w)
{
	char expr[NX_SUGGEST_MAXLEN + 8];
	int found = 0;

	if (nx_tokenizer_dropped(w, strlen(w), nx_store__stoplist(st)))
		return 1;

	snprintf(expr, sizeof(expr), "\"%s\"", w);
	sqlite3_reset(chk);
	sqlite3_bind_text(chk, 1, expr, -1, SQLITE_TRANSIENT);
	found = sqlite3_step(chk) == SQLITE_ROW;
	sqlite3_reset(chk);
	return found;
}

/* Where word t (n bytes) is in the query text, case aside, from *from on; NULL: nowhere. */
static const char *find_word(const char *from, const char *t, size_t n)
{
	const char *at = from;

	while ((at = nx_memcasemem(at, strlen(at), t)) != NULL) {
		int before = at > from && (nx_isalnum((unsigned char)at[-1]) || (unsigned char)at[-1] >= 0x80);
		int after = nx_isalnum((unsigned char)at[n]) || (unsigned char)at[n] >= 0x80;

		if (!before && !after)
			return at;
		at++;
	}
	return NULL;
}

/* A word of the query to replace: where, how long, and its candidates. */
typedef struct fix {
	const char *at;
	size_t n;
	cand_word top[NX_SUGGEST_TOP];
	size_t ntop;
} fix;

/* The query text with each fix's k-th candidate (its best when it has fewer). */
static char *rewrite(const char *query, const fix *f, size_t nf, size_t k)
{
	nx_buf out = NX_BUF_INIT;
	const char *rest = query;
	size_t i = 0;

	for (i = 0; i < nf; i++) {
		nx_buf_add(&out, rest, (size_t)(f[i].at - rest));
		nx_buf_adds(&out, f[i].top[k < f[i].ntop ? k : 0].w);
		rest = f[i].at + f[i].n;
	}
	nx_buf_adds(&out, rest);
	if (!nx_buf_ok(&out)) {
		nx_buf_free(&out);
		return NULL;
	}
	return nx_buf_detach(&out);
}

/* How often the index holds word t (n bytes) as written. */
static int64_t vocab_count(sqlite3_stmt *one, const char *t, size_t n)
{
	int64_t c = 0;

	sqlite3_reset(one);
	sqlite3_bind_text(one, 1, t, (int)n, SQLITE_STATIC);
	if (sqlite3_step(one) == SQLITE_ROW)
		c = sqlite3_column_int64(one, 0);
	sqlite3_reset(one);
	return c;
}

/*
 * Fill f with the query words to correct, in the order they appear: the
 * words the index does not hold, and, when the search found few articles
 * (few), those it holds rarely beside a far commoner word one edit away.
 */
static size_t find_fixes(nx_store *st, sqlite3_stmt *stmt[3], const nx_query *q, const char *query, int few,
			 fix *f, size_t maxf)
{
	size_t i = 0, nf = 0;
	const char *from = query;

	for (i = 0; i < q->nterms && nf < maxf; i++) {
		const char *t = q->terms[i];
		size_t n = strlen(t), j = 0, k = 0;
		int64_t known = 0;
		const char *at = NULL;

		if (n < 3 || n > NX_SUGGEST_MAXLEN || !nx_isalpha((unsigned char)t[0]))
			continue;
		for (j = 0; j < n && nx_isalpha((unsigned char)t[j]); j++)
			;
		/* a word the index holds: a typo only in a typed query (not a pasted text) that found little */
		if (j < n || ((known = vocab_count(stmt[0], t, n)) > 0 && (!few || q->nterms > NX_SUGGEST_TYPED)) ||
		    (at = find_word(from, t, n)) == NULL)
			continue;
		f[nf].ntop = candidates(stmt[1], t, n, nx_isupper((unsigned char)*at), f[nf].top);
		/* the ones the full-text index no longer finds go */
		for (j = 0, k = 0; j < f[nf].ntop; j++)
			if (indexed(st, stmt[2], f[nf].top[j].w))
				f[nf].top[k++] = f[nf].top[j];
		f[nf].ntop = k;
		if (k == 0 || (known > 0 && (f[nf].top[0].dist > 2 || f[nf].top[0].n < known * NX_SUGGEST_RARE)))
			continue;
		f[nf].at = at;
		f[nf].n = n;
		from = at + n;
		nf++;
	}
	return nf;
}

int nx_search__suggest(nx_results *r, nx_store *st, const nx_query *q, int few)
{
	static const char *const sql[3] = {
		"SELECT n FROM vocab WHERE w = ?1",
		"SELECT w, n, cap FROM vocab WHERE w >= ?1 AND w < ?2",
		"SELECT 1 FROM fts WHERE fts MATCH ?1 LIMIT 1",
	};
	sqlite3_stmt *stmt[3] = { NULL, NULL, NULL };
	fix f[8];
	size_t nf = 0, k = 0;
	int rc = NX_OK;

	if (!nx_store__vocab_ready(st))
		return NX_OK; /* an index made before the table, not opened by a writer since */
	for (k = 0; k < 3; k++)
		if (sqlite3_prepare_v2(st->db, sql[k], -1, &stmt[k], NULL) != SQLITE_OK)
			goto done; /* no suggestion is no failure */
	if ((nf = find_fixes(st, stmt, q, r->query, few, f, sizeof(f) / sizeof(f[0]))) == 0)
		goto done;
	for (k = 0; k < NX_SUGGEST_TOP; k++) {
		size_t i = 0;
		int more = k == 0;

		for (i = 0; i < nf; i++)
			more |= k < f[i].ntop;
		if (!more)
			break;
		if ((r->suggestions[k] = rewrite(r->query, f, nf, k)) == NULL) {
			rc = NX_ENOMEM;
			goto done;
		}
		r->nsuggestions = k + 1;
	}
	if ((r->suggestion = strdup(r->suggestions[0])) == NULL)
		rc = NX_ENOMEM;
done:
	for (k = 0; k < 3; k++)
		sqlite3_finalize(stmt[k]);
	return rc;
}

/*
 * exclude.c - a strict query with exclusions ("oil -opec", compiled as
 * "oil" NOT "opec") on the fast path: the words it asks for walked as a
 * plain query (or ranked as an OR of phrases), the rows of what it
 * excludes taken out of the filter.
 *
 * FTS5's bm25 of "P NOT N" sums over all the expression's phrases, and a
 * phrase under NOT has no instance in a row that matches: each adds 0 to
 * the sum, after P's phrases.  So a row's score is P's alone, to the bit,
 * and the rows are P's less N's: what the walk of P gives with N's rows
 * left out of the filter.  The SQL path instead scored every row of P
 * that N leaves (at 10M, "oil -opec": 898,588 rows, a second).
 */
#include "search/search_private.h"
#include "search/topk_private.h"
#include "index/impact.h"

#include <stdlib.h>
#include <string.h>

int nx_search__exclusion_runs;

/*
 * Where the top-level " NOT " of expr are (outside phrases and
 * parentheses): their offsets into at[], up to max; how many, or -1 when
 * expr is not well formed.
 */
static int top_nots(const char *expr, size_t *at, int max)
{
	const char *s = expr;
	int depth = 0, n = 0;

	while (*s != '\0') {
		if (*s == '"') {
			if ((s = skip_phrase(s)) == NULL)
				return -1;
			continue;
		}
		if (*s == '(')
			depth++;
		else if (*s == ')' && --depth < 0)
			return -1;
		else if (depth == 0 && strncmp(s, " NOT ", 5) == 0) {
			if (n == max)
				return -1;
			at[n++] = (size_t)(s - expr);
			s += 5;
			continue;
		}
		s++;
	}
	return depth == 0 ? n : -1;
}

/*
 * The positive part expr[0, len): a plain query (its one pair of
 * enclosing parentheses taken off), or an OR of phrases in its
 * parentheses; NULL if neither.
 */
static char *plain_part(const char *expr, size_t len)
{
	char *p = NULL;
	size_t at[1], skip = len >= 2 && expr[0] == '(' && expr[len - 1] == ')';
	int ng1 = 0, n = 0;

	if ((p = malloc(len + 1)) == NULL)
		return NULL;
	memcpy(p, expr + skip, len - 2 * skip);
	p[len - 2 * skip] = '\0';
	/* ("a" "b") OR "c": the parentheses enclosed one operand only */
	if ((n = nx_topk__plain(p)) >= 1 && n <= NX_TOPK_MAX_PHRASES && top_nots(p, at, 0) == 0)
		return p;
	memcpy(p, expr, len);
	p[len] = '\0';
	if ((n = nx_topk__or_shape(p, &ng1)) >= 1 && ng1 == n)
		return p;
	free(p);
	return NULL;
}

/* A frequent word's set of rows (valid for the index as it is) taken out of bits: 1, 0 when it has none. */
static int clear_set(sqlite3 *db, const char *neg, size_t len, uint64_t *bits, int64_t nbits)
{
	uint64_t *w = NULL;
	double *max = NULL;
	size_t nw = 0, i = 0, n = (size_t)((nbits + 63) / 64);
	char *word = NULL;
	int rc = 0;

	if (skip_phrase(neg) != neg + len || (word = malloc(len + 1)) == NULL)
		return 0;
	memcpy(word, neg, len);
	word[len] = '\0';
	if ((rc = nx_impact__get_set(db, word, &w, &nw, &max)) == 1)
		for (i = 0; i < nw && i < n; i++)
			bits[i] &= ~w[i];
	free(w);
	free(max);
	free(word);
	return rc == 1;
}

/* Clear the bits of the rows matching the FTS5 expression neg[0, len): an SQLite code. */
static int clear_rows(sqlite3 *db, const char *neg, size_t len, uint64_t *bits, int64_t nbits)
{
	sqlite3_stmt *s = NULL;
	int rc = SQLITE_OK;

	if (clear_set(db, neg, len, bits, nbits))
		return SQLITE_OK;
	if ((rc = sqlite3_prepare_v2(db, "SELECT rowid FROM fts WHERE fts MATCH ?1", -1, &s, NULL)) != SQLITE_OK)
		return rc;
	sqlite3_bind_text(s, 1, neg, (int)len, SQLITE_STATIC);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		int64_t r = sqlite3_column_int64(s, 0);

		if (r >= 0 && r < nbits)
			bits[r >> 6] &= ~((uint64_t)1 << (r & 63));
	}
	sqlite3_finalize(s);
	return rc == SQLITE_DONE ? SQLITE_OK : rc;
}

/* 1 when the FTS5 expression expr matches a row (0 none or an error: FTS5 alone answers then). */
static int any_row(sqlite3 *db, const char *expr)
{
	sqlite3_stmt *s = NULL;
	int any = 0;

	if (sqlite3_prepare_v2(db, "SELECT rowid FROM fts WHERE fts MATCH ?1 LIMIT 1", -1, &s, NULL) != SQLITE_OK)
		return 0;
	sqlite3_bind_text(s, 1, expr, -1, SQLITE_STATIC);
	any = sqlite3_step(s) == SQLITE_ROW;
	sqlite3_finalize(s);
	return any;
}

int nx_search__exclusion(sqlite3 *db, const char *expr, const nx_topk_filter *flt, nx_exclusion *x)
{
	size_t at[16], nw = 0, i = 0;
	int64_t nbits = 0, last = 0;
	int n = 0, rc = SQLITE_OK;

	memset(x, 0, sizeof(*x));
	if (expr == NULL || (n = top_nots(expr, at, (int)(sizeof(at) / sizeof(at[0])))) < 1)
		return 0;
	if ((x->pos = plain_part(expr, at[0])) == NULL)
		return 0;
	/* words no row holds (a typo): FTS5 answers at once, no excluded row need be read */
	if (!any_row(db, x->pos)) {
		nx_search__exclusion_free(x);
		return 0;
	}
	/* the rows that pass: the filter's bits, or every row of the index */
	if (flt != NULL && flt->bits != NULL) {
		nbits = flt->nbits;
	} else {
		last = nx_topk__last_rowid(db);
		nbits = last + 1;
	}
	nw = (size_t)((nbits + 63) / 64);
	if ((x->bits = malloc((nw > 0 ? nw : 1) * sizeof(*x->bits))) == NULL) {
		nx_search__exclusion_free(x);
		return -1;
	}
	if (flt != NULL && flt->bits != NULL) {
		memcpy(x->bits, flt->bits, nw * sizeof(*x->bits));
	} else {
		memset(x->bits, 0xff, nw * sizeof(*x->bits));
		if (nbits % 64 != 0)
			x->bits[nw - 1] = ((uint64_t)1 << (nbits % 64)) - 1;
	}
	/* less the rows of each excluded part, as FTS5 matches it */
	for (i = 0; i < (size_t)n && rc == SQLITE_OK; i++) {
		size_t from = at[i] + 5, to = i + 1 < (size_t)n ? at[i + 1] : strlen(expr);

		rc = clear_rows(db, expr + from, to - from, x->bits, nbits);
	}
	if (rc != SQLITE_OK) {
		nx_search__exclusion_free(x);
		return -1;
	}
	x->flt.bits = x->bits;
	x->flt.nbits = nbits;
	x->flt.keep = flt != NULL ? flt->keep : NULL;
	x->flt.ctx = flt != NULL ? flt->ctx : NULL;
	nx_search__exclusion_runs++;
	return 1;
}

void nx_search__exclusion_free(nx_exclusion *x)
{
	free(x->pos);
	free(x->bits);
	memset(x, 0, sizeof(*x));
}

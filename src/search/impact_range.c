/*
 * impact_range.c - one frequent word, or a pair of words with a list, in
 * a filter of rows (a range of published days, an outlet) from its impact
 * list, no walk.
 *
 * A filter given as rowid bits ranks the word's rows in it as the walk of
 * the word alone ranks all of them: the same bm25 with the idf of all its
 * rows (topk_band.c walks the band with rows_all), ties by rowid.  So the
 * best k rows in the filter are the first k of the word's ranking that
 * lie in it, and the impact list holds that ranking's first
 * NX_IMPACT_ROWS rows with their scores, in its order (score, then
 * rowid): a row past the list comes after every listed one, a tie
 * included.  So when k of the listed rows are in the filter, they are
 * the hits, scores and order of the walk; when the list holds every row
 * of the word, its rows in the filter are all there are.  Otherwise (a
 * narrow range with too few listed rows in it, a list made before the
 * index changed) the search walks.
 *
 * The total, the word's rows in the filter, is its rows read from FTS5's
 * pages (nx_topk__forms_rows) ANDed with the filter's bits: about 5 ns a
 * row where the walk of a decade's band of a word in a tenth of ten
 * million articles took 40-60 ms.  A pair of words (those have lists
 * too: impact_pairs.c) of one token each is counted the same way: the
 * first word's rows in the filter read with their places, then the
 * second word's among them, a row counted when one of its places follows
 * one of the first's in the same column (FTS5's phrase match).  Other
 * phrases are left to the walk.
 */
#include "search/search_private.h"
#include "search/topk_private.h"
#include "search/topk_rank_private.h"
#include "search/fts_rows.h"

#include <stdlib.h>
#include <string.h>

#include "index/impact.h"
#include "util/text.h"

static int in_filter(const nx_topk_filter *flt, int64_t r)
{
	return r >= 0 && r < flt->nbits && (flt->bits[r >> 6] >> (r & 63) & 1);
}

/* The rows of f (a word whose tokens it has) in flt's bits: their count, or -1 when they cannot be read. */
static int64_t rows_in(sqlite3 *db, const nx_topk_forms *f, const nx_topk_filter *flt)
{
	uint64_t *w = NULL;
	size_t nw = 0, i = 0, nf = (size_t)((flt->nbits + 63) / 64);
	int64_t n = 0;

	if (nx_topk__forms_rows(db, f, &w, &nw) != SQLITE_OK)
		return -1;
	for (i = 0; i < nw && i < nf; i++) {
		uint64_t v = w[i] & flt->bits[i];

		if (i + 1 == nf && (flt->nbits & 63) != 0)
			v &= ((uint64_t)1 << (flt->nbits & 63)) - 1; /* (bits past nbits are not the filter's) */
		n += __builtin_popcountll(v);
	}
	free(w);
	return n;
}

/* The most places and rows of a pair's first word a count keeps (past them: the walk). */
#define PAIR_MAX_PLACES ((size_t)8 << 20)
#define PAIR_MAX_ROWS ((size_t)2 << 20)

/* A row of the pair's first word: its places pl[start..end), each col << 32 | offset. */
typedef struct pair_row {
	int64_t row;
	size_t start, end;
} pair_row;

typedef struct pair_count {
	pair_row *r;
	size_t n, cap;
	uint64_t *pl; /* the first word's places, then (past npl0) the second's of the row at hand */
	size_t npl, cappl, npl0;
	size_t at; /* where the last row of the second word was found in r */
	int64_t nbits; /* the filter's rows are below it (bits past it are not the filter's) */
	int64_t found;
} pair_count;

/* FTS5's positions a[0..n) (see nx_fts_pos_fn) appended to c->pl as places: SQLITE_OK, SQLITE_NOMEM, or SQLITE_CORRUPT when they do not parse. */
static int add_places(pair_count *c, const unsigned char *a, size_t n)
{
	const unsigned char *p = a, *end = a + n;
	uint64_t col = 0, off = 0;
	int got = 0;

	while ((got = nx_fts_pos_next(&p, end, &col, &off)) == 1) {
		if (c->npl == c->cappl) {
			size_t cap = c->cappl ? c->cappl * 2 : 4096;
			uint64_t *q = NULL;

			if (c->npl >= PAIR_MAX_PLACES + 4096 || (q = realloc(c->pl, cap * sizeof(*q))) == NULL)
				return SQLITE_NOMEM;
			c->pl = q;
			c->cappl = cap;
		}
		c->pl[c->npl++] = col << 32 | off;
	}
	return got == 0 ? SQLITE_OK : SQLITE_CORRUPT;
}

/* A row of the first word: kept with its places. */
static int first_row(void *ud, int64_t rowid, const unsigned char *a, size_t n)
{
	pair_count *c = ud;
	size_t start = c->npl;
	int rc = SQLITE_OK;

	if (rowid >= c->nbits)
		return SQLITE_OK;
	if (c->n == c->cap) {
		size_t cap = c->cap ? c->cap * 2 : 1024;
		pair_row *q = NULL;

		if (c->n >= PAIR_MAX_ROWS || (q = realloc(c->r, cap * sizeof(*q))) == NULL)
			return SQLITE_NOMEM;
		c->r = q;
		c->cap = cap;
	}
	if ((rc = add_places(c, a, n)) != SQLITE_OK || c->npl > PAIR_MAX_PLACES)
		return rc != SQLITE_OK ? rc : SQLITE_NOMEM;
	c->r[c->n].row = rowid;
	c->r[c->n].start = start;
	c->r[c->n++].end = c->npl;
	return SQLITE_OK;
}

static int cmp_pair_row(const void *a, const void *b)
{
	return cmp_rowids(&((const pair_row *)a)->row, &((const pair_row *)b)->row);
}

/* A row of the second word (only those of the first are read): counted when one of its places follows one of the first's. */
static int second_row(void *ud, int64_t rowid, const unsigned char *a, size_t n)
{
	pair_count *c = ud;
	size_t lo = 0, hi = c->n, i = 0, j = 0;
	int rc = SQLITE_OK;

	/* the rows of a segment ascend: on from the last one found, within a few steps; else a binary search */
	for (lo = c->at; lo < c->n && lo < c->at + 8 && c->r[lo].row < rowid; lo++)
		;
	if (lo == c->n || c->r[lo].row < rowid || (lo > 0 && c->r[lo - 1].row >= rowid)) {
		lo = 0;
		while (lo < hi) {
			size_t mid = lo + (hi - lo) / 2;

			if (c->r[mid].row < rowid)
				lo = mid + 1;
			else
				hi = mid;
		}
	}
	c->at = lo;
	if (lo == c->n || c->r[lo].row != rowid)
		return SQLITE_OK; /* (a row of the second word alone) */
	c->npl = c->npl0;
	if ((rc = add_places(c, a, n)) != SQLITE_OK)
		return rc;
	/* both ascend: a place q of the second word after the first's q - 1 (same column: offsets start at 0) */
	for (i = c->r[lo].start, j = c->npl0; i < c->r[lo].end && j < c->npl;) {
		uint64_t want = c->pl[i] + 1;

		if (c->pl[j] < want) {
			j++;
		} else if (c->pl[j] > want) {
			i++;
		} else {
			c->found++;
			break;
		}
	}
	return SQLITE_OK;
}

/*
 * The filter's rows that hold both words of the quoted pair key ("a b",
 * lower case; tok: the token read for each) by their sets of rows (made
 * for the index as it is), into *out (malloc'd, as many 64-bit words as
 * flt's bits): 1, or 0 when a word has no set or its token is not one
 * FTS5 matches for the word alone.  A word's set is the rows FTS5 matches
 * for the word alone, the rows of each of those tokens: no row of the
 * pair is left out, and the first word's places are read only in these.
 */
static int pair_keep(sqlite3 *db, const char *key, char tok[2][72], const nx_topk_filter *flt, uint64_t **out)
{
	const char *sp = strchr(key, ' ');
	char *ph[2] = { NULL, NULL };
	uint64_t *w[2] = { NULL, NULL };
	double *max[2] = { NULL, NULL };
	size_t nw[2] = { 0, 0 }, n = (size_t)((flt->nbits + 63) / 64), i = 0;
	int j = 0, ok = 0;

	*out = NULL;
	if (sp == NULL || strchr(sp + 1, ' ') != NULL || key[0] != '"' || sp - key < 2)
		return 0;
	if ((ph[0] = malloc((size_t)(sp - key) + 2)) == NULL || (ph[1] = malloc(strlen(sp) + 2)) == NULL)
		goto done;
	memcpy(ph[0], key, (size_t)(sp - key));
	memcpy(ph[0] + (sp - key), "\"", 2);
	ph[1][0] = '"';
	memcpy(ph[1] + 1, sp + 1, strlen(sp + 1) + 1);
	for (j = 0; j < 2; j++) {
		nx_topk_forms f;
		int t = 0, has = 0;

		/* the place's token among those FTS5 matches for the word alone: its set holds the token's rows */
		if (!nx_topk__forms(db, ph[j], strlen(ph[j]), &f) && !nx_topk__forms_one(db, ph[j], strlen(ph[j]), &f))
			goto done;
		for (t = 0; t < f.ntok && t < NX_TOPK_FORMS; t++)
			has |= strcmp(f.tok[t], tok[j]) == 0;
		if (!has || nx_impact__get_set(db, ph[j], &w[j], &nw[j], &max[j]) != 1)
			goto done;
	}
	if ((*out = calloc(n ? n : 1, sizeof(**out))) == NULL)
		goto done;
	for (i = 0; i < n && i < nw[0] && i < nw[1]; i++)
		(*out)[i] = flt->bits[i] & w[0][i] & w[1][i];
	ok = 1;
done:
	for (j = 0; j < 2; j++) {
		free(ph[j]);
		free(w[j]);
		free(max[j]);
	}
	return ok;
}

/*
 * The rows of the phrase of two places tok[0] tok[1] in flt's bits: the
 * first word's rows in the filter read with their places, then the
 * second's among them: their count, or -1 when they cannot be read so.
 * both (NULL: none): the filter's rows holding both words (pair_keep),
 * the rows the first word's places are read in.
 */
static int64_t pair_rows_in(sqlite3 *db, char tok[2][72], const nx_topk_filter *flt, const uint64_t *both)
{
	pair_count c;
	uint64_t *keep = NULL;
	size_t nw = (size_t)((flt->nbits + 63) / 64), i = 0;
	int64_t rows = 0, n = -1;

	memset(&c, 0, sizeof(c));
	c.nbits = flt->nbits;
	if (nx_fts_rows_pos(db, tok[0], strlen(tok[0]), both != NULL ? both : flt->bits, nw, first_row, &c, &rows) !=
		    SQLITE_OK ||
	    rows < 0)
		goto done;
	for (i = 1; i < c.n && c.r[i].row > c.r[i - 1].row; i++)
		;
	if (i < c.n) { /* (the rows of several segments interleave) */
		qsort(c.r, c.n, sizeof(*c.r), cmp_pair_row);
		for (i = 1; i < c.n; i++)
			if (c.r[i].row == c.r[i - 1].row)
				goto done; /* a row in two segments: FTS5 reads the newer (not here) */
	}
	if ((keep = calloc(nw ? nw : 1, sizeof(*keep))) == NULL)
		goto done;
	for (i = 0; i < c.n; i++)
		keep[c.r[i].row >> 6] |= (uint64_t)1 << (c.r[i].row & 63);
	c.npl0 = c.npl;
	if (nx_fts_rows_pos(db, tok[1], strlen(tok[1]), keep, nw, second_row, &c, &rows) != SQLITE_OK || rows < 0)
		goto done;
	n = c.found;
done:
	free(keep);
	free(c.r);
	free(c.pl);
	return n;
}

int nx_search__impact_range(nx_store *st, const char *expr, const char *rows_expr, const nx_topk_filter *flt, size_t k,
			    nx_topk_hit **out, size_t *nout, int64_t *total)
{
	nx_topk_forms f;
	char pair[2][72];
	int64_t rowid[NX_IMPACT_ROWS], df = 0, in = 0;
	int places = 0;
	double score[NX_IMPACT_ROWS];
	nx_topk_hit *h = NULL;
	uint64_t *both = NULL;
	char *low = NULL;
	size_t n = 0, i = 0, kept = 0;
	int rc = 0;

	*out = NULL;
	*nout = 0;
	if (expr == NULL || flt == NULL || flt->bits == NULL || flt->keep != NULL || flt->nbits <= 0 || k < 1 ||
	    k > NX_IMPACT_ROWS || nx_topk__plain(expr) != 1)
		return 0;
	/* a word whose tokens are known, or a pair of words of one token each: their rows read from the pages */
	if (rows_expr == NULL)
		rows_expr = expr;
	if ((!(nx_topk__forms(st->db, rows_expr, strlen(rows_expr), &f) ||
	       nx_topk__forms_one(st->db, rows_expr, strlen(rows_expr), &f)) ||
	     f.ntok != f.n || f.ntok < 1) &&
	    (places = nx_topk__places(st->db, rows_expr, strlen(rows_expr), pair, 2)) != 2)
		return 0;
	/* the lists are under the words in lower case (the tokenizer folds case) */
	if ((low = nx_strndup(expr, strlen(expr))) == NULL)
		return -1;
	for (i = 0; low[i] != '\0'; i++)
		low[i] = (char)nx_tolower((unsigned char)low[i]);
	if ((rc = nx_impact__get_upto(st->db, low, NX_IMPACT_ROWS, rowid, score, &n, &df)) != 1 || n == 0)
		goto done;
	rc = 0;
	if ((h = malloc(k * sizeof(*h))) == NULL) {
		rc = -1;
		goto done;
	}
	for (i = 0; i < n && kept < k; i++) {
		if (in_filter(flt, rowid[i])) {
			h[kept].rowid = rowid[i];
			h[kept].score = score[i];
			kept++;
		}
	}
	/* decided: the list is every row, or k of its rows are in the filter */
	if ((int64_t)n < df && kept < k)
		goto done;
	/* a pair whose words have sets: the first word's places read only where both words are */
	if (places == 2 && !pair_keep(st->db, low, pair, flt, &both))
		both = NULL;
	if ((in = places == 2 ? pair_rows_in(st->db, pair, flt, both) : rows_in(st->db, &f, flt)) < 0 || in < (int64_t)kept)
		goto done;
	*out = h;
	*nout = kept;
	*total = in;
	h = NULL;
	rc = 1;
done:
	free(both);
	free(h);
	free(low);
	return rc;
}

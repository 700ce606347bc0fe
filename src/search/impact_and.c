/*
 * impact_and.c - queries of several frequent words ("said year") from
 * their impact lists and sets of rows (index/impact.c), no walk.
 *
 * The walk of an AND of two words each in most articles reads both whole
 * lists through FTS5 to count the rows holding both and to rank them: at
 * a million articles most of two million rows for ten hits, and again for
 * the relaxed query's count (the rows holding either).  When every word
 * of the query has an impact list and a set of rows, made for the index
 * as it is now, and there is no filter:
 *
 *  - the counts are the sets ANDed (and ORed for the relaxed query's
 *    groups) and their bits counted;
 *  - the best k rows: bm25 of the query is the sum over its words, in
 *    their order, of each word's own bm25, so the sum of the words' best
 *    scores in a block of rowids (kept with the sets) bounds every row of
 *    the block, rounding included (each addition is monotonic).  The
 *    blocks (64 rowids) holding a row of every word are walked (FTS5
 *    seeks to the block's first rowid) in the order of decreasing bound,
 *    each row scored exactly, until the k-th best score beats the bound
 *    of the next block: a few hundred blocks instead of the whole lists.
 *
 * A filter given as rowid bits (a published range: candidates.c) is one
 * more set ANDed: the total is the rows in it too, the blocks walked are
 * those holding such a row, and only those rows are scored (a block's
 * bound, of all its rows, bounds those too).  With a filter a single
 * word is served the same way ("said" in one week of a million articles:
 * the week's rows of its set, not its whole list of 800,000 rows).
 *
 * Given a second connection, a second thread probes blocks too, taking
 * the next best bound as the first does, the rows kept in one heap of
 * the best k (block_top); the words' sets are inflated on two threads
 * (nx_impact__get_sets).  Each probe seeks FTS5 afresh from the word's
 * first page (about 1 M instructions at 10M articles): the two threads
 * halve the wait, not the work.
 *
 * The scores are bm25's as topk.c computes it (the same operations in the
 * same order, idf from the rows each word matches), ties by ascending
 * rowid: the hits are the walk's to the bit.
 *
 * Words without a set of their own (in fewer than an eighth of the rows,
 * "inflation" beside "interest rates") beside at least one with a set:
 * their rows are read from FTS5's pages (load_derived, on two threads
 * given a second connection), so the AND's rows and the relaxed count are
 * bitmaps still.  Such a word has no bound by block, so the AND's rows
 * are then scored one by one from the words' places (and_rows.c), not by
 * blocks.  The stop words the index drops ("what", "the") are left out
 * of the phrases: FTS5 leaves them out too, and each adds +0.0 to a
 * score, which changes no sum.
 */
#include "search/search_private.h"
#include "search/topk_private.h"
#include "search/topk_rank_private.h"
#include "index/impact.h"
#include "index/tokenizer.h"

#include <math.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define NX_AND_MAX_COLS 64

/* The phrases of expr (up to max) as strings of their own; their count, 0 past max or out of memory. */
static int split_phrases(const char *expr, char **ph, int max)
{
	const char *s = expr, *e = NULL;
	int n = 0;

	while (s != NULL && *s != '\0') {
		if (*s != '"') {
			s++;
			continue;
		}
		if ((e = skip_phrase(s)) == NULL || n == max || (ph[n] = malloc((size_t)(e - s) + 1)) == NULL)
			goto fail;
		memcpy(ph[n], s, (size_t)(e - s));
		ph[n++][e - s] = '\0';
		s = e;
	}
	return n;
fail:
	while (n > 0)
		free(ph[--n]);
	return 0;
}

static void free_phrases(char **ph, int n)
{
	while (n > 0)
		free(ph[--n]);
}

/*
 * The phrases of ph[0..n) that are not one word of the stop list the
 * index drops (FTS5 leaves such a phrase out: it matches every row, its
 * bm25 term is +0.0): their count, the others freed; when some were left
 * out, *kept the expression of those left (malloc'd; NULL out of memory).
 */
static int drop_stopped(nx_store *st, char **ph, int n, char **kept)
{
	size_t len = 0;
	int i = 0, m = 0;

	*kept = NULL;
	for (i = 0; i < n; i++) {
		size_t l = strlen(ph[i]);

		if (l > 2 && strpbrk(ph[i] + 1, "\" ") == ph[i] + l - 1 &&
		    nx_tokenizer_dropped(ph[i] + 1, l - 2, nx_store__stoplist(st))) {
			free(ph[i]);
			continue;
		}
		len += l + 1;
		ph[m++] = ph[i];
	}
	if (m == n || m == 0 || (*kept = malloc(len)) == NULL)
		return m;
	for (i = 0, len = 0; i < m; i++) {
		size_t l = strlen(ph[i]);

		if (i > 0)
			(*kept)[len++] = ' ';
		memcpy(*kept + len, ph[i], l);
		len += l;
	}
	(*kept)[len] = '\0';
	return m;
}

/* One word's set of rows and its blocks' bounds, as read, and the rows it matches. */
typedef struct loaded {
	char *phrase;
	uint64_t *w;
	size_t nw;
	double *max;
	int64_t df;
	int fresh; /* made before articles were added: its bounds hold for weights no less than 0 */
	int read;  /* read by nx_impact__get_sets, not yet checked (its result) */
	int pending;
	int derive; /* no set: 0 not tried yet, 1 made from the pages (load_derived), -1 cannot be */
} loaded;

/* The sets read by one search (the strict query's, then the relaxed query's count). */
struct nx_impact_sets {
	loaded l[NX_TOPK_MAX_RANK_PHRASES];
	int n;
	uint64_t *and; /* the rows holding every word of the strict query */
	size_t nand;
};

void nx_search__impact_sets_free(nx_impact_sets *c)
{
	int i = 0;

	if (c == NULL)
		return;
	for (i = 0; i < c->n; i++) {
		free(c->l[i].phrase);
		free(c->l[i].w);
		free(c->l[i].max);
	}
	free(c->and);
	free(c);
}

/* The sets of the n phrases of one query (borrowed from the search's cache). */
typedef struct sets {
	const uint64_t *w[NX_TOPK_MAX_RANK_PHRASES];
	size_t nw[NX_TOPK_MAX_RANK_PHRASES];
	const double *max[NX_TOPK_MAX_RANK_PHRASES];
	int64_t df[NX_TOPK_MAX_RANK_PHRASES];
	int fresh;
	int derived; /* how many were made by load_derived */
	int n;
} sets;

/* Bit r of l's set, the set grown to hold it: 0, or -1 out of memory. */
static int set_bit(void *ud, int64_t r)
{
	loaded *l = ud;
	size_t at = (size_t)(r >> 6), nw = l->nw ? l->nw : 64;
	uint64_t *w = NULL;
	double *max = NULL;

	if (at >= l->nw) {
		while (nw <= at)
			nw *= 2;
		if ((w = realloc(l->w, nw * sizeof(*w))) == NULL)
			return -1;
		l->w = w;
		if ((max = realloc(l->max, nw * sizeof(*max))) == NULL)
			return -1;
		l->max = max;
		memset(w + l->nw, 0, (nw - l->nw) * sizeof(*w));
		memset(max + l->nw, 0, (nw - l->nw) * sizeof(*max));
		l->nw = nw;
	}
	l->w[at] |= (uint64_t)1 << (r & 63);
	return 0;
}

/*
 * The set of phrase as made before articles were added or removed (see
 * index/impact.c's mark) brought up to now: the rows removed since out of
 * it and its count, the rows added since that
 * hold it (walked in FTS5 above the mark) in it and its count, their
 * blocks' bounds infinite (walked first), the others' raised as
 * impact_fresh.c raises a list's scores.  1, 0 when it cannot be.
 */
static int load_fresh(nx_store *st, loaded *l)
{
	nx_impact_mark m;
	nx_fresh_bound bd;
	int64_t df = 0, nnew = 0, gone = 0;
	size_t b = 0;

	if (nx_search__fresh_set(st->db, l->phrase, &m, &l->w, &l->nw, &l->max, &df, &gone) != 1)
		return 0;
	nx_impact__mark_free(&m);
	if ((nnew = nx_search__rows_above(st->db, l->phrase, m.last, set_bit, l)) < 0)
		return 0;
	nx_search__fresh_bound_init(&bd, m.nrow0, m.ntok0, m.nrow, m.ntok, df, df - gone + nnew);
	for (b = 0; b < l->nw; b++)
		l->max[b] = (int64_t)b * 64 + 63 > m.last ? HUGE_VAL : nx_search__fresh_bound(&bd, l->max[b]);
	l->df = df - gone + nnew;
	l->fresh = 1;
	return 1;
}

/* The entry of phrase in c, NULL when it has none. */
static loaded *find_loaded(nx_impact_sets *c, const char *phrase)
{
	int i = 0;

	for (i = 0; i < c->n; i++)
		if (strcmp(c->l[i].phrase, phrase) == 0)
			return &c->l[i];
	return NULL;
}

/*
 * The sets of the phrases of ph not in *cache yet read into it at once
 * (inflated on two threads when two: nx_impact__get_sets) when each has one, left
 * for load_one to check; else nothing (load_one reads them in turn and
 * stops at the first without).
 */
static void read_new(nx_store *st, nx_impact_sets **cache, char **ph, int n, int two)
{
	const char *ex[NX_IMPACT_MAX_GET_SETS];
	uint64_t *w[NX_IMPACT_MAX_GET_SETS];
	size_t nw[NX_IMPACT_MAX_GET_SETS];
	double *max[NX_IMPACT_MAX_GET_SETS];
	int rc[NX_IMPACT_MAX_GET_SETS];
	nx_impact_sets *c = *cache;
	int i = 0, j = 0, m = 0, ok = 1;

	if (c == NULL && (c = *cache = calloc(1, sizeof(*c))) == NULL)
		return;
	for (i = 0; i < n && m < NX_IMPACT_MAX_GET_SETS && c->n + m < NX_TOPK_MAX_RANK_PHRASES; i++) {
		for (j = 0; j < m && strcmp(ex[j], ph[i]) != 0; j++)
			;
		if (j == m && find_loaded(c, ph[i]) == NULL)
			ex[m++] = ph[i];
	}
	if (m < 2)
		return; /* one: read by load_one */
	nx_impact__get_sets(st->db, ex, m, w, nw, max, rc, NX_IMPACT_SETS_ALL | (two ? NX_IMPACT_SETS_TWO : 0));
	for (i = 0; i < m; i++)
		ok &= rc[i] == 1;
	for (i = 0; i < m; i++) {
		loaded *l = &c->l[c->n];

		if (ok && (l->phrase = strdup(ex[i])) != NULL) {
			l->w = w[i];
			l->nw = nw[i];
			l->max = max[i];
			l->read = 1;
			l->pending = 1;
			c->n++;
		} else {
			free(w[i]);
			free(max[i]);
		}
	}
}

/* The set of phrase, from *cache or read into it: its entry, NULL when it has none. */
static const loaded *load_one(nx_store *st, nx_impact_sets **cache, const char *phrase)
{
	nx_impact_sets *c = *cache;
	loaded *l = NULL;

	if (c == NULL && (c = *cache = calloc(1, sizeof(*c))) == NULL)
		return NULL;
	if ((l = find_loaded(c, phrase)) != NULL && !l->pending)
		return l->w != NULL ? l : NULL;
	if (l == NULL) {
		if (c->n == NX_TOPK_MAX_RANK_PHRASES || (c->l[c->n].phrase = strdup(phrase)) == NULL)
			return NULL;
		l = &c->l[c->n++];
		l->read = nx_impact__get_set(st->db, phrase, &l->w, &l->nw, &l->max);
	}
	l->pending = 0;
	if (l->read == 1) {
		size_t none = 0;

		if (nx_impact__get(st->db, phrase, 0, NULL, NULL, &none, &l->df) == 1)
			return l;
	} else if (load_fresh(st, l) == 1) {
		return l;
	}
	/* none (kept as none) */
	free(l->w);
	free(l->max);
	l->w = NULL;
	l->max = NULL;
	return NULL;
}

/*
 * A word without a set of rows of its own (in fewer than an eighth of the
 * rows): its rows read from FTS5's pages (nx_topk__forms_rows, about 5 ns
 * a row), the rows FTS5 matches for the phrase (the tokens of each of its
 * forms).  Its count is theirs; when it has an impact list made of the
 * index as it is, the count must be the list's and the listed rows among
 * them (else the pages are not what was listed: none).  No bound of its
 * scores by block: such a set is scored by and_rows.c, not by blocks.
 * 1, or 0 when it cannot be made so.
 */
static int load_derived(sqlite3 *db, loaded *l)
{
	int64_t rowid[NX_IMPACT_ROWS], df = 0, got = 0;
	double score[NX_IMPACT_ROWS];
	nx_topk_forms f;
	size_t n = 0, i = 0, len = strlen(l->phrase);
	int listed = 0;

	if (!(nx_topk__forms(db, l->phrase, len, &f) || nx_topk__forms_one(db, l->phrase, len, &f)) ||
	    f.ntok != f.n || f.ntok < 1)
		return 0;
	if ((listed = nx_impact__get_upto(db, l->phrase, NX_IMPACT_ROWS, rowid, score, &n, &df)) < 0)
		return 0;
	if (nx_topk__forms_rows(db, &f, &l->w, &l->nw) != SQLITE_OK)
		return 0;
	for (i = 0; i < l->nw; i++)
		got += __builtin_popcountll(l->w[i]);
	if (got < 1 || (listed == 1 && got != df))
		goto fail;
	for (i = 0; listed == 1 && i < n; i++)
		if (rowid[i] < 0 || (size_t)(rowid[i] >> 6) >= l->nw || ((l->w[rowid[i] >> 6] >> (rowid[i] & 63)) & 1) == 0)
			goto fail; /* a listed row the pages do not hold */
	l->df = got;
	return 1;
fail:
	free(l->w);
	l->w = NULL;
	l->nw = 0;
	return 0;
}

/* The entries load_derived makes, one a thread at a time (nx_search__two_ways). */
typedef struct derive_job {
	loaded *l[NX_TOPK_MAX_RANK_PHRASES];
} derive_job;

static int derive_one(sqlite3 *db, int i, void *ud)
{
	loaded *l = ((derive_job *)ud)->l[i];

	l->derive = load_derived(db, l) == 1 ? 1 : -1;
	return SQLITE_OK;
}

/* The entries of phrases ph[miss[0..nmiss)] not made yet made by load_derived (on two threads given db2). */
static void derive_all(nx_store *st, sqlite3 *db2, nx_impact_sets *c, char **ph, const int *miss, int nmiss)
{
	derive_job job;
	loaded *l = NULL;
	int i = 0, nj = 0;

	for (i = 0; i < nmiss; i++)
		if ((l = find_loaded(c, ph[miss[i]])) != NULL && l->derive == 0 && l->w == NULL)
			job.l[nj++] = l;
	if (nj > 0)
		nx_search__two_ways(st->db, db2, nj, derive_one, &job);
}

/*
 * Whether the rows of the phrases without a set (ph[miss[i]]) are worth
 * reading from the pages, and if so read (load_derived): 1, else 0.  The
 * walk of the AND goes along its rarest word's rows and seeks each other
 * word there (about 50 ns a row and word); a list is read through at
 * about 4 ns a row.  So they are read when the rows read number no more
 * than NX_AND_READ_SHARE times the rarest word's rows times the other
 * words.  A word without a list (in fewer rows than NX_IMPACT_MIN_DF) is
 * read first to know its count, when some word has a set (the lists were
 * made for the index); with no set, every word must have a list.
 */
#define NX_AND_READ_SHARE 12
static int worth_reading(nx_store *st, sqlite3 *db2, nx_impact_sets *c, char **ph, int n, const sets *s,
			 const int *miss, int nmiss, int nset)
{
	int64_t df[NX_TOPK_MAX_RANK_PHRASES], least = INT64_MAX, sum = 0;
	int unlisted[NX_TOPK_MAX_RANK_PHRASES], nun = 0, i = 0;
	const loaded *l = NULL;
	size_t none = 0;

	for (i = 0; i < nmiss; i++) {
		l = find_loaded(c, ph[miss[i]]);
		if (l != NULL && l->derive > 0)
			df[i] = l->df;
		else if (nx_impact__get(st->db, ph[miss[i]], 0, NULL, NULL, &none, &df[i]) != 1)
			unlisted[nun++] = miss[i], df[i] = -1;
	}
	if (nun > 0 && nset == 0)
		return 0;
	if (nun > 0)
		derive_all(st, db2, c, ph, unlisted, nun);
	for (i = 0; i < n; i++)
		if (s->w[i] != NULL && s->df[i] < least)
			least = s->df[i];
	for (i = 0; i < nmiss; i++) {
		if (df[i] < 0) {
			if ((l = find_loaded(c, ph[miss[i]])) == NULL || l->derive <= 0)
				return 0;
			df[i] = l->df;
		} else {
			sum += df[i];
		}
		least = df[i] < least ? df[i] : least;
	}
	if (sum > least * (int64_t)(n - 1) * NX_AND_READ_SHARE)
		return 0;
	derive_all(st, db2, c, ph, miss, nmiss);
	return 1;
}

/*
 * The sets of the n phrases into s (inflated, or made, on two threads when
 * db2, a second connection to the index, is given): 1 when every one has
 * one, or (derive) when the others' rows are worth reading from the pages
 * and can be (worth_reading, load_derived), else 0.
 */
static int load_sets(nx_store *st, sqlite3 *db2, nx_impact_sets **cache, char **ph, int n, sets *s, int derive)
{
	const loaded *l = NULL;
	int i = 0, nmiss = 0, nset = 0, miss[NX_TOPK_MAX_RANK_PHRASES];

	memset(s, 0, sizeof(*s));
	read_new(st, cache, ph, n, db2 != NULL);
	for (i = 0; i < n; i++) {
		if ((l = load_one(st, cache, ph[i])) == NULL) {
			loaded *e = find_loaded(*cache, ph[i]);

			if (!derive || e == NULL || e->derive < 0)
				return 0;
			miss[nmiss++] = i;
			continue;
		}
		if (l->derive <= 0)
			nset++;
		s->w[i] = l->w;
		s->nw[i] = l->nw;
		s->max[i] = l->max;
		s->df[i] = l->df;
		s->fresh |= l->fresh;
		s->derived += l->derive > 0;
	}
	if (nmiss > 0 && !worth_reading(st, db2, *cache, ph, n, s, miss, nmiss, nset))
		return 0;
	for (i = 0; i < nmiss; i++) {
		if ((l = find_loaded(*cache, ph[miss[i]])) == NULL || l->derive <= 0)
			return 0;
		s->w[miss[i]] = l->w;
		s->nw[miss[i]] = l->nw;
		s->max[miss[i]] = l->max;
		s->df[miss[i]] = l->df;
		s->derived++;
	}
	s->n = n;
	return 1;
}

/*
 * The rows in some set of each group (phrases [0, ng1) and [ng1, n); ng1
 * == n: one group).  All the sets are loaded.
 */
static int64_t count_sets(const sets *s, int ng1)
{
	const uint64_t *const *set = s->w;
	const size_t *nset = s->nw;
	int n = s->n;
	size_t most = 0, at = 0;
	int64_t total = 0;
	int i = 0;

	for (i = 0; i < n; i++)
		most = nset[i] > most ? nset[i] : most;
	for (at = 0; at < most; at++) {
		uint64_t g1 = 0, g2 = ng1 < n ? 0 : ~(uint64_t)0;

		for (i = 0; i < n; i++) {
			uint64_t v = at < nset[i] ? set[i][at] : 0;

			if (i < ng1)
				g1 |= v;
			else
				g2 |= v;
		}
		total += __builtin_popcountll(g1 & g2);
	}
	return total;
}

/*
 * The rows in every one of the sets and in the filter's bits (bits NULL:
 * no filter; nbits of them) into c->and (c->nand words), their count; -1
 * out of memory.
 */
static int64_t and_sets(const sets *s, const uint64_t *bits, int64_t nbits, nx_impact_sets *c)
{
	size_t least = s->nw[0], at = 0, nfw = bits != NULL ? (size_t)((nbits + 63) / 64) : 0;
	int64_t total = 0;
	int i = 0;

	for (i = 1; i < s->n; i++)
		least = s->nw[i] < least ? s->nw[i] : least;
	free(c->and);
	if ((c->and = malloc((least ? least : 1) * sizeof(*c->and))) == NULL)
		return -1;
	for (at = 0; at < least; at++) {
		uint64_t v = s->w[0][at];

		for (i = 1; i < s->n; i++)
			v &= s->w[i][at];
		if (bits != NULL)
			v &= at < nfw ? bits[at] : 0;
		c->and[at] = v;
		total += __builtin_popcountll(v);
	}
	c->nand = least;
	return total;
}

int nx_search__impact_or_count(nx_store *st, nx_impact_sets **cache, const char *expr, int64_t *total)
{
	char *ph[NX_TOPK_MAX_RANK_PHRASES];
	sets s;
	int ng1 = 0, n = nx_topk__or_shape(expr, &ng1), ok = 0;

	*total = 0;
	if (n < 1 || n > NX_TOPK_MAX_RANK_PHRASES || split_phrases(expr, ph, n) != n)
		return 0;
	if ((ok = load_sets(st, NULL, cache, ph, n, &s, 1)) == 1)
		*total = count_sets(&s, ng1);
	free_phrases(ph, n);
	return ok;
}

/* The best rows of the blocks probed, worst at [0], under mu (NULL: one thread). */
typedef struct best_rows {
	nx_topk_hit *heap;
	size_t n, k;
	pthread_mutex_t *mu;
} best_rows;

static void best_lock(best_rows *b)
{
	if (b->mu != NULL)
		pthread_mutex_lock(b->mu);
}

static void best_unlock(best_rows *b)
{
	if (b->mu != NULL)
		pthread_mutex_unlock(b->mu);
}

/* What the walk of a block (nx_impact_probe) needs, and where it keeps the best rows. */
typedef struct probe_state {
	int nphrase;
	const int64_t *df; /* rows each phrase matches */
	const double *w;   /* column weights */
	int nw;
	int ncol;
	int ready;
	double idf[NX_TOPK_MAX_PHRASES];
	double avgdl;
	int64_t nrow, ntok; /* of the index its connection reads */
	best_rows *best;    /* the best so far, shared by the probing threads */
	const uint64_t *rows; /* the rows to score, bit r of rows[r / 64] (the sets and the filter ANDed) */
	size_t nrows;         /* words of rows */
	int rc;
} probe_state;

/* idf and avgdl exactly as topk.c's prepare has them. */
static int probe_prepare(probe_state *t, const Fts5ExtensionApi *api, Fts5Context *fctx)
{
	sqlite3_int64 nrow = 0, ntok = 0;
	int i = 0, rc = SQLITE_OK;

	t->ncol = api->xColumnCount(fctx);
	if (api->xPhraseCount(fctx) != t->nphrase || t->ncol > NX_AND_MAX_COLS || t->ncol < 1)
		return SQLITE_RANGE;
	if ((rc = api->xRowCount(fctx, &nrow)) != SQLITE_OK || (rc = api->xColumnTotalSize(fctx, -1, &ntok)) != SQLITE_OK)
		return rc;
	t->nrow = nrow;
	t->ntok = ntok;
	t->avgdl = (double)ntok / (double)nrow;
	for (i = 0; i < t->nphrase; i++)
		t->idf[i] = nx_bm25_idf(nrow, t->df[i]);
	t->ready = 1;
	return SQLITE_OK;
}

static double and_bm25(const probe_state *t, const double *freq, double d)
{
	return nx_bm25(t->idf, freq, t->nphrase, d, t->avgdl);
}

/* The row FTS5 stands on, scored and kept when among the best k (topk.c's score_row, no count). */
static int probe_row(probe_state *t, const Fts5ExtensionApi *api, Fts5Context *fctx)
{
	double freq[NX_TOPK_MAX_PHRASES];
	int colmax[NX_AND_MAX_COLS];
	best_rows *b = t->best;
	nx_topk_hit h;
	int rc = SQLITE_OK, ic = 0, ntok = 0, lb = 0, skip = 0;

	if (!t->ready && (rc = probe_prepare(t, api, fctx)) != SQLITE_OK)
		return rc;
	h.rowid = api->xRowid(fctx);
	if (h.rowid < 0 || (size_t)(h.rowid >> 6) >= t->nrows || ((t->rows[h.rowid >> 6] >> (h.rowid & 63)) & 1) == 0)
		return SQLITE_OK; /* left out by the filter (FTS5 stands only on rows of every word) */
	if ((rc = nx_phrase_freqs(api, fctx, t->nphrase, t->w, t->nw, t->ncol, freq, colmax)) != SQLITE_OK)
		return rc;
	for (ic = 0; ic < t->ncol; ic++)
		lb += colmax[ic];
	h.score = and_bm25(t, freq, (double)lb);
	/* full: skip the row when even its shortest possible length loses (the k-th best only rises) */
	best_lock(b);
	skip = b->n == b->k && worse(&h, &b->heap[0]);
	best_unlock(b);
	if (skip)
		return SQLITE_OK;
	if ((rc = api->xColumnSize(fctx, -1, &ntok)) != SQLITE_OK)
		return rc;
	h.score = and_bm25(t, freq, (double)ntok);
	best_lock(b);
	if (b->n < b->k) {
		b->heap[b->n] = h;
		sift_up(b->heap, b->n++);
	} else if (worse(&b->heap[0], &h)) {
		b->heap[0] = h;
		heap_down(b->heap, b->n, 0, 0);
	}
	best_unlock(b);
	return SQLITE_OK;
}

/* nx_impact_probe(fts, state): each row of a block, into state's best */
static void aux_probe(const Fts5ExtensionApi *api, Fts5Context *fctx, sqlite3_context *ctx, int nval,
		      sqlite3_value **vals)
{
	probe_state *t = nx_topk__aux_state(ctx, nval, vals, "nx_impact_probe");

	if (t == NULL)
		return;
	if (t->rc == SQLITE_OK)
		t->rc = probe_row(t, api, fctx);
	nx_topk__aux_result(ctx, t->rc);
}

/*
 * The blocks of 64 rowids holding a row of every word (c->and) as a heap,
 * best bound first (rowid: the block; score: its bound), *nb of them.
 */
static nx_topk_hit *rank_blocks(const sets *s, const nx_impact_sets *c, size_t *nb)
{
	nx_topk_hit *out = malloc((c->nand ? c->nand : 1) * sizeof(*out));
	size_t b = 0;
	int i = 0;

	*nb = 0;
	if (out == NULL)
		return NULL;
	for (b = 0; b < c->nand; b++) {
		if (c->and[b] == 0)
			continue;
		out[*nb].rowid = (int64_t)b;
		out[*nb].score = 0.0;
		for (i = 0; i < s->n; i++)
			out[*nb].score += s->max[i][b];
		(*nb)++;
	}
	for (b = *nb / 2; b > 0; b--)
		heap_down(out, *nb, b - 1, 1);
	return out;
}

/* 0: two threads when a second connection is given; 1: one (tests); 2: two, the second first (tests) */
static int and_threads;
static atomic_size_t and_again; /* searches whose blocks were probed again on one thread */

void nx_search__impact_and_split(int threads)
{
	and_threads = threads;
}

size_t nx_search__impact_and_again(void)
{
	return atomic_load(&and_again);
}

/* The blocks still to probe, shared by the threads probing them. */
typedef struct block_queue {
	pthread_mutex_t mu;
	pthread_cond_t cv;
	nx_topk_hit *bl; /* a heap, best bound first */
	size_t nb;
	const uint64_t *and;
	best_rows best;   /* the best rows of both threads, under mu */
	int stop;         /* a thread failed: no more blocks are taken */
	int second_first; /* the first thread takes no block before the second has taken one (tests) */
	int second_took;  /* the second has taken one, or ended */
} block_queue;

/* One thread's probes: its connection, its best rows, how they ended. */
typedef struct prober {
	block_queue *bq;
	sqlite3 *db;
	const char *expr;
	probe_state t;
	int second;
	int rc;
} prober;

/*
 * The next block for pr into *at (the best bound left): 1, or 0 when none
 * is left or no row of it or of any after it can beat the k-th best.
 */
static int take_block(prober *pr, int64_t *at)
{
	block_queue *bq = pr->bq;
	const best_rows *b = &bq->best;
	int got = 0;

	pthread_mutex_lock(&bq->mu);
	while (bq->second_first && !pr->second && !bq->second_took)
		pthread_cond_wait(&bq->cv, &bq->mu);
	if (!bq->stop && bq->nb > 0 && !(b->n == b->k && b->heap[0].score > bq->bl[0].score)) {
		*at = bq->bl[0].rowid;
		bq->bl[0] = bq->bl[--bq->nb];
		heap_down(bq->bl, bq->nb, 0, 1);
		got = 1;
	}
	if (pr->second && !bq->second_took) {
		bq->second_took = 1;
		pthread_cond_broadcast(&bq->cv);
	}
	pthread_mutex_unlock(&bq->mu);
	return got;
}

/* The second thread ended (rc): the first no longer waits for it, and takes no more blocks when it failed. */
static void second_ended(block_queue *bq, int rc)
{
	pthread_mutex_lock(&bq->mu);
	bq->second_took = 1;
	bq->stop |= rc != SQLITE_OK;
	pthread_cond_broadcast(&bq->cv);
	pthread_mutex_unlock(&bq->mu);
}

/* Blocks taken from pr's queue and probed through FTS5 on pr's connection until none is left: SQLITE_OK, or an error. */
static int probe_blocks(prober *pr)
{
	const uint64_t *and = pr->bq->and;
	sqlite3_stmt *q = NULL;
	int64_t at = 0;
	int rc = nx_topk__aux(pr->db, "nx_impact_probe", aux_probe);

	if (rc == SQLITE_OK)
		rc = sqlite3_prepare_v2(pr->db,
					"SELECT count(*) FROM fts WHERE fts MATCH ?1 AND rowid BETWEEN ?3 AND ?4"
					" AND nx_impact_probe(fts, ?2) IS NOT NULL",
					-1, &q, NULL);
	if (rc == SQLITE_OK) {
		sqlite3_bind_text(q, 1, pr->expr, -1, SQLITE_STATIC);
		sqlite3_bind_pointer(q, 2, &pr->t, "nx_impact_probe", NULL);
	}
	while (rc == SQLITE_OK && take_block(pr, &at)) {
		/* from the block's first row to score to its last: FTS5 visits no row past them */
		sqlite3_reset(q);
		sqlite3_bind_int64(q, 3, at * 64 + __builtin_ctzll(and[at]));
		sqlite3_bind_int64(q, 4, at * 64 + 63 - __builtin_clzll(and[at]));
		rc = sqlite3_step(q);
		rc = pr->t.rc != SQLITE_OK ? pr->t.rc : rc == SQLITE_ROW ? SQLITE_OK : rc;
	}
	sqlite3_finalize(q);
	if (rc != SQLITE_OK) {
		pthread_mutex_lock(&pr->bq->mu);
		pr->bq->stop = 1;
		pthread_mutex_unlock(&pr->bq->mu);
	}
	return rc;
}

/*
 * The second thread: its probes in one read transaction (one snapshot,
 * compared with the first's by block_top); none when it cannot begin one.
 */
static void *second_probes(void *arg)
{
	prober *pr = arg;

	pr->rc = SQLITE_OK;
	if (sqlite3_exec(pr->db, "BEGIN", NULL, NULL, NULL) == SQLITE_OK) {
		pr->rc = probe_blocks(pr);
		sqlite3_exec(pr->db, "COMMIT", NULL, NULL, NULL);
	}
	second_ended(pr->bq, pr->rc);
	return NULL;
}

/*
 * The best k rows of expr, block by block (see the top), on st's
 * connection and, when db2 is not NULL, a second thread on db2 taking
 * the next best block too: SQLITE_OK with *out, or an error code.  A
 * block is probed by one thread, with that thread's counts, its rows
 * kept among the best of both; every block one thread would probe is
 * probed (the next bound is compared with the k-th best of both, which
 * only rises), so the best k are the same rows and scores.  When db2 read another index than st's (a writer committed
 * between: its row count or token count differ), the blocks are probed
 * again on st's alone.
 */
static int block_top(nx_store *st, sqlite3 *db2, const char *expr, const sets *s, const nx_impact_sets *c,
		     const int64_t *df, const double *w, int nw, size_t k, nx_topk_hit **out, size_t *nout)
{
	block_queue bq;
	prober pr[2];
	pthread_t th;
	int rc = SQLITE_NOMEM, i = 0, threaded = 0, again = 0;

	memset(&bq, 0, sizeof(bq));
	memset(pr, 0, sizeof(pr));
	pthread_mutex_init(&bq.mu, NULL);
	pthread_cond_init(&bq.cv, NULL);
	bq.and = c->and;
	bq.best.k = k;
	bq.best.mu = &bq.mu;
	if ((bq.best.heap = malloc((k ? k : 1) * sizeof(*bq.best.heap))) == NULL)
		goto done;
	for (i = 0; i < 2; i++) {
		pr[i].bq = &bq;
		pr[i].db = i == 0 ? st->db : db2;
		pr[i].expr = expr;
		pr[i].second = i;
		pr[i].t.nphrase = s->n;
		pr[i].t.df = df;
		pr[i].t.w = w;
		pr[i].t.nw = nw;
		pr[i].t.best = &bq.best;
		pr[i].t.rows = c->and;
		pr[i].t.nrows = c->nand;
	}
	if ((bq.bl = rank_blocks(s, c, &bq.nb)) == NULL)
		goto done;
	if (db2 != NULL && and_threads != 1 && bq.nb > 1) {
		bq.second_first = and_threads == 2;
		threaded = pthread_create(&th, NULL, second_probes, &pr[1]) == 0;
		if (!threaded)
			bq.second_first = 0; /* no second thread to wait for (none reads it) */
	}
	rc = probe_blocks(&pr[0]);
	if (threaded) {
		pthread_join(th, NULL);
		if (rc == SQLITE_OK)
			rc = pr[1].rc;
		again = pr[1].t.ready && (!pr[0].t.ready || pr[0].t.nrow != pr[1].t.nrow || pr[0].t.ntok != pr[1].t.ntok);
	}
	if (rc == SQLITE_OK && again) {
		atomic_fetch_add(&and_again, 1);
		free(bq.bl);
		if ((bq.bl = rank_blocks(s, c, &bq.nb)) == NULL) {
			rc = SQLITE_NOMEM;
			goto done;
		}
		bq.best.n = 0;
		rc = probe_blocks(&pr[0]);
	}
	if (rc == SQLITE_OK) {
		qsort(bq.best.heap, bq.best.n, sizeof(*bq.best.heap), cmp_hit);
		*out = bq.best.heap;
		*nout = bq.best.n;
		bq.best.heap = NULL;
	}
done:
	pthread_mutex_destroy(&bq.mu);
	pthread_cond_destroy(&bq.cv);
	free(bq.bl);
	free(bq.best.heap);
	return rc;
}

int nx_search__impact_and(nx_store *st, sqlite3 *db2, nx_impact_sets **cache, const char *expr,
			  const nx_topk_filter *flt, const double *w, int nw, size_t k, nx_topk_hit **out, size_t *nout,
			  int64_t *total)
{
	char *ph[NX_TOPK_MAX_PHRASES];
	int64_t df[NX_TOPK_MAX_PHRASES];
	sets s;
	char *kept = NULL;
	int n = nx_topk__plain(expr), ok = 0, i = 0;

	*out = NULL;
	*nout = 0;
	/* one word alone is its impact list's unless filtered; a filter only as rowid bits */
	if (n < (flt != NULL ? 1 : 2) || n > NX_TOPK_MAX_PHRASES || (flt != NULL && (flt->bits == NULL || flt->keep != NULL)) ||
	    split_phrases(expr, ph, n) != n)
		return 0;
	/* the stop words the index drops match every row and add 0.0 to a score: left out */
	if ((n = drop_stopped(st, ph, n, &kept)) < (flt != NULL ? 1 : 2) || (n < nx_topk__plain(expr) && kept == NULL)) {
		free_phrases(ph, n);
		free(kept);
		return 0;
	}
	if (kept != NULL)
		expr = kept;
	/* one word in a filter without a set of its own: impact_range.c's (its list decides, or the walk) */
	ok = load_sets(st, db2, cache, ph, n, &s, n > 1) && !(n == 1 && s.derived > 0);
	for (i = 0; ok && i < n; i++)
		df[i] = s.df[i];
	/* the bounds of sets made before additions hold for weights no less than 0 */
	for (i = 0; ok && s.fresh && i < nw; i++)
		ok = w[i] >= 0;
	if (ok && (*total = and_sets(&s, flt != NULL ? flt->bits : NULL, flt != NULL ? flt->nbits : 0, *cache)) < 0)
		ok = 0;
	if (ok && k > 0) {
		/* the blocks probed through FTS5 by the words' stems alone when their typed forms have no row */
		char *stems = nx_search__stems_only(st, expr);

		/* a word without a set of its own bounds no block: each row scored from the pages */
		if (s.derived > 0)
			ok = !s.fresh && nx_search__and_rows_top(st->db, db2, stems != NULL ? stems : expr, df, s.max, (*cache)->and,
								 (*cache)->nand, *total, w, nw, k, out, nout) == 1;
		else
			ok = block_top(st, db2, stems != NULL ? stems : expr, &s, *cache, df, w, nw, k, out, nout) == SQLITE_OK;
		free(stems);
	}
	free_phrases(ph, n);
	free(kept);
	return ok;
}

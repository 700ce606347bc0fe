/*
 * topk_rank.c - nx_topk__rank: the best k rows of an OR of phrases by
 * nx_rank (see topk.h and the bound argument at the top of topk.c): each
 * phrase's matches read once into a list, the lists merged in C, lengths
 * read in the order of decreasing bound.
 */
#include "search/topk_rank_private.h"
#include "index/tokenizer.h"
#include "search/fts_rows.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>


/* -- nx_rank over an OR of phrases ---------------------------------------- */

void nx_topk__cache_free(nx_topk_cache *c)
{
	size_t i = 0;
	int j = 0;

	if (c == NULL)
		return;
	for (i = 0; i < c->n; i++) {
		free(c->l[i].text);
		free(c->l[i].rowid);
		free(c->l[i].freq);
		free(c->l[i].ext);
		free(c->l[i].head);
		free(c->l[i].hscore);
		for (j = 0; j < c->l[i].nseek; j++)
			nx_fts_seek_free(c->l[i].seek[j]);
	}
	sqlite3_finalize(c->probe);
	free(c->l);
	free(c);
}


/* Parses the OR shape; fills at[i]/len[i] of each phrase when at is not NULL. */
static int or_shape(const char *expr, int *ngroup1, const char **at, size_t *len, int max)
{
	const char *s = expr, *e = NULL;
	int n = 0, groups = 0;

	*ngroup1 = 0;
	if (s == NULL)
		return 0;
	for (;;) {
		if (*s != '(')
			return 0;
		s++;
		for (;;) {
			if ((e = skip_phrase(s)) == NULL)
				return 0;
			if (at != NULL) {
				if (n >= max)
					return 0;
				at[n] = s;
				len[n] = (size_t)(e - s);
			}
			n++;
			s = e;
			if (strncmp(s, " OR ", 4) == 0) {
				s += 4;
				continue;
			}
			if (*s != ')')
				return 0;
			s++;
			break;
		}
		if (++groups == 1)
			*ngroup1 = n;
		if (*s == '\0')
			return n;
		if (groups == 2 || strncmp(s, " AND ", 5) != 0)
			return 0;
		s += 5;
	}
}

int nx_topk__or_shape(const char *expr, int *ngroup1)
{
	return or_shape(expr, ngroup1, NULL, NULL, 0);
}

double nx_topk__rank_idf(int64_t nrow, int64_t hits)
{
	return log(1.0 + ((double)nrow - (double)hits + 0.5) / ((double)hits + 0.5));
}

double nx_topk__rank_score(const double *idf, const double *w, const double *freq, int n, double dl,
			   double avgdl)
{
	double score = 0, norm = NX_RANK_K1 * (1.0 - NX_RANK_B + NX_RANK_B * dl / avgdl);
	int i = 0, units = 0, found = 0;

	for (i = 0; i < n; i++) {
		if (w[i] >= 1.0) { /* the query's own words; added ones weigh otherwise */
			units++;
			found += freq[i] > 0;
		}
		if (freq[i] > 0)
			score += w[i] * idf[i] * freq[i] * (NX_RANK_K1 + 1.0) / (freq[i] + norm);
	}
	if (units > 0)
		score *= 1.0 + NX_RANK_COVERAGE_GAIN * (double)found / units;
	return score;
}


int nx_topk__cache_list(nx_topk_cache *c, const char *at, size_t len)
{
	size_t i = 0;
	topk_list *l = NULL;

	for (i = 0; i < c->n; i++)
		if (c->l[i].len == len && memcmp(c->l[i].text, at, len) == 0)
			return (int)i;
	if (c->n == c->cap) {
		size_t cap = c->cap ? c->cap * 2 : 32;

		if ((l = realloc(c->l, cap * sizeof(*l))) == NULL)
			return -1;
		c->l = l;
		c->cap = cap;
	}
	l = &c->l[c->n];
	memset(l, 0, sizeof(*l));
	if ((l->text = malloc(len + 1)) == NULL)
		return -1;
	memcpy(l->text, at, len);
	l->text[len] = '\0';
	l->len = len;
	return (int)c->n++;
}


int nx_topk__cache_counts(const nx_topk_cache *c, const char *expr, int64_t *known, int max)
{
	const char *s = expr, *e = NULL;
	size_t i = 0;
	int n = 0;

	for (; s != NULL && n < max && (e = skip_phrase(s)) != NULL; n++) {
		known[n] = -1;
		for (i = 0; c != NULL && i < c->n; i++)
			if ((c->l[i].done || c->l[i].counted) && c->l[i].len == (size_t)(e - s) && memcmp(c->l[i].text, s, c->l[i].len) == 0)
				known[n] = nx_topk__list_rows(&c->l[i]);
		s = *e == ' ' ? e + 1 : NULL;
	}
	return n;
}

/* Index of rowid in l, or -1. */
static ptrdiff_t list_find(const topk_list *l, int64_t rowid)
{
	size_t at = nx_rowid_lower_bound(l->rowid, l->n, rowid);

	return at < l->n && l->rowid[at] == rowid ? (ptrdiff_t)at : -1;
}

/* A row's length from fts_docsize, as xColumnSize(-1) sums it. */
static int doc_length(sqlite3_stmt *s, int ncol, int64_t rowid, int *out)
{
	const unsigned char *b = NULL;
	int n = 0, off = 0, i = 0, rc = SQLITE_OK, sum = 0;

	*out = 0;
	sqlite3_reset(s);
	sqlite3_bind_int64(s, 1, rowid);
	if ((rc = sqlite3_step(s)) != SQLITE_ROW)
		return rc == SQLITE_DONE ? SQLITE_CORRUPT : rc;
	b = sqlite3_column_blob(s, 0);
	n = sqlite3_column_bytes(s, 0);
	for (i = 0; i < ncol; i++) {
		uint32_t v = 0;
		int k = 0;

		if (off >= n)
			return SQLITE_CORRUPT;
		/* SQLite's varint, as FTS5 writes the column sizes */
		for (k = 0; k < 9 && off < n; k++) {
			unsigned char byte = b[off++];

			if (k == 8) {
				v = (v << 8) | byte;
				break;
			}
			v = (v << 7) | (byte & 0x7f);
			if ((byte & 0x80) == 0)
				break;
		}
		sum += (int)v;
	}
	sqlite3_reset(s);
	*out = sum;
	return SQLITE_OK;
}

/* What merge_lists needs of a ranking. */
typedef struct merge_ctx {
	nx_topk_cache *c; /* lazy rows probed are written back */
	sqlite3 *db;
	const int *lists; /* the distinct lists, m of them */
	int m;
	const int *local; /* list (index into lists) of each of the n phrases */
	int n;
	uint64_t g1, g2;  /* a row counts when it holds a list of each group */
	const double *idf, *w;
	double avgdl;
	int ncol;
	const nx_topk_filter *flt;
	int prune;        /* MaxScore: lists left out once they cannot win alone (no count then) */
	int bm25;         /* FTS5's bm25() (nx_topk_tune), not nx_rank */
	size_t max_keep;  /* nx_topk_tune's: 0, or the most bounds kept without a cap */
} merge_ctx;

/* A row's score from its phrases' counts and its length: nx_rank's, or FTS5's bm25() to the bit. */
static double score_of(const merge_ctx *x, const double *freq, double dl)
{
	return x->bm25 ? nx_bm25(x->idf, freq, x->n, dl, x->avgdl) :
			 nx_topk__rank_score(x->idf, x->w, freq, x->n, dl, x->avgdl);
}

/* Rows of rowids merged at a time: the window's arrays stay in the cache. */
#define NX_MERGE_WIN 1024

/* The state of one merge: the window's arrays, the bounds kept so far. */
typedef struct merge_state {
	size_t pos[NX_TOPK_MAX_RANK_PHRASES]; /* next row of each list */
	double most[NX_TOPK_MAX_RANK_PHRASES]; /* the most each list adds to a score */
	double gain;      /* the coverage factor at its most */
	uint64_t *mask;   /* of each row of the window: the lists holding it */
	uint64_t occ[NX_MERGE_WIN / 64]; /* the rows of the window some list holds (mask not 0) */
	int32_t *ext;     /* its last offset + 1 in each column (all lists) */
	double *fr;       /* its weighted count in each list */
	double *cheap;    /* the sum of most[] of its lists */
	nx_topk_hit *h;   /* the bounds kept (a heap, worst on top, under a cap) */
	size_t n, have;   /* allocated, kept */
	/* MaxScore: the lists by ascending most[], ub[i] the sum of the first i */
	int order[NX_TOPK_MAX_RANK_PHRASES];
	double ub[NX_TOPK_MAX_RANK_PHRASES + 1];
	int ness;         /* the first ness of order are not walked, only looked into */
	uint64_t walked;  /* the lists walked (the others: see probe_rest) */
	double floor;     /* a score the k-th best is known to reach: bounds below it are left out */
} merge_state;

static int merge_init(merge_state *ms, const merge_ctx *x)
{
	int i = 0, units = 0;

	memset(ms, 0, sizeof(*ms));
	/* the most each list adds to a score: freq / (freq + norm) < 1 */
	for (i = 0; i < x->n; i++) {
		double v = x->w[i] * x->idf[i] * (NX_RANK_K1 + 1.0);

		if (v > 0)
			ms->most[x->local[i]] += v;
		units += x->w[i] >= 1.0;
	}
	ms->gain = units > 0 && !x->bm25 ? 1.0 + NX_RANK_COVERAGE_GAIN : 1.0;
	/* the lists by ascending most (insertion: m <= 64), and the sums of the smallest */
	for (i = 0; i < x->m; i++) {
		int j = i;

		for (; j > 0 && ms->most[ms->order[j - 1]] > ms->most[i]; j--)
			ms->order[j] = ms->order[j - 1];
		ms->order[j] = i;
	}
	for (i = 0; i < x->m; i++)
		ms->ub[i + 1] = ms->ub[i] + ms->most[ms->order[i]];
	ms->walked = x->m >= 64 ? ~(uint64_t)0 : ((uint64_t)1 << x->m) - 1;
	ms->mask = calloc(NX_MERGE_WIN, sizeof(*ms->mask));
	ms->ext = malloc(NX_MERGE_WIN * NX_TOPK_EXT_COLS * sizeof(*ms->ext));
	ms->fr = malloc((size_t)NX_MERGE_WIN * (size_t)(x->m > 0 ? x->m : 1) * sizeof(*ms->fr));
	ms->cheap = malloc(NX_MERGE_WIN * sizeof(*ms->cheap));
	return ms->mask == NULL || ms->ext == NULL || ms->fr == NULL || ms->cheap == NULL ? SQLITE_NOMEM : SQLITE_OK;
}

/* Row p of list j into the row at off of the window: its extents, count and cheap bound. */
static inline void add_row(merge_state *ms, const merge_ctx *x, int off, int j, size_t p)
{
	static const int32_t none[NX_TOPK_EXT_COLS];
	const topk_list *l = &x->c->l[x->lists[j]];
	const int32_t *le = l->ext != NULL ? &l->ext[p * (size_t)x->ncol] : none;
	int32_t *re = &ms->ext[off * NX_TOPK_EXT_COLS];
	int col = 0;

	if (ms->mask[off] == 0) {
		memcpy(re, le, (size_t)x->ncol * sizeof(*re));
		ms->cheap[off] = ms->most[j];
		ms->occ[off >> 6] |= (uint64_t)1 << (off & 63);
	} else {
		for (col = 0; col < x->ncol; col++)
			if (le[col] > re[col])
				re[col] = le[col];
		ms->cheap[off] += ms->most[j];
	}
	ms->mask[off] |= (uint64_t)1 << j;
	ms->fr[(size_t)off * (size_t)x->m + (size_t)j] = l->freq[p];
}

/*
 * The rows of the lists in [lo, hi) into the window: which lists hold
 * each, and (k > 0) its extents, counts and cheap bound.
 */
static void merge_window(merge_state *ms, const merge_ctx *x, size_t k, int64_t lo, int64_t hi)
{
	int j = 0, w = 0;

	/* the last window's rows cleared, not the whole window: lists may hold a row in thousands */
	for (w = 0; w < NX_MERGE_WIN / 64; w++) {
		uint64_t b = ms->occ[w];

		for (; b != 0; b &= b - 1)
			ms->mask[w * 64 + __builtin_ctzll(b)] = 0;
		ms->occ[w] = 0;
	}
	for (j = 0; j < x->m; j++) {
		const topk_list *l = &x->c->l[x->lists[j]];
		size_t p = ms->pos[j];

		if (((ms->walked >> j) & 1) == 0)
			continue; /* looked into row by row (probe_rest) */
		if (k == 0) { /* counting: which lists hold the row is enough */
			for (; p < l->n && l->rowid[p] < hi; p++) {
				int off = (int)(l->rowid[p] - lo);

				ms->mask[off] |= (uint64_t)1 << j;
				ms->occ[off >> 6] |= (uint64_t)1 << (off & 63);
			}
			ms->pos[j] = p;
			continue;
		}
		for (; p < l->n && l->rowid[p] < hi; p++)
			add_row(ms, x, (int)(l->rowid[p] - lo), j, p);
		ms->pos[j] = p;
	}
}

/* A bound left out: the highest so far into *dropped. */
static void note_dropped(double bound, double *dropped, int *any)
{
	if (!*any || bound > *dropped)
		*dropped = bound;
	*any = 1;
}

/*
 * Keep the bound one among the cap best (SIZE_MAX: all, up to max when
 * > 0: SQLITE_FULL past it); what falls out raises *dropped.
 */
static int merge_keep(merge_state *ms, nx_topk_hit one, size_t cap, size_t max, double *dropped, int *any)
{
	if (cap == SIZE_MAX && max > 0 && ms->have >= max)
		return SQLITE_FULL;
	if (ms->have == ms->n && ms->have < cap) {
		size_t ncap = ms->n ? ms->n * 2 : 1024;
		nx_topk_hit *p = NULL;

		if (cap != SIZE_MAX && ncap > cap)
			ncap = cap;
		if ((p = realloc(ms->h, ncap * sizeof(*p))) == NULL)
			return SQLITE_NOMEM;
		ms->h = p;
		ms->n = ncap;
	}
	if (cap == SIZE_MAX) {
		ms->h[ms->have++] = one;
	} else if (ms->have < cap) {
		ms->h[ms->have] = one;
		sift_up(ms->h, ms->have++);
	} else {
		const nx_topk_hit *out = worse(&one, &ms->h[0]) ? &one : &ms->h[0];

		note_dropped(out->score, dropped, any);
		if (out == &ms->h[0]) {
			ms->h[0] = one;
			heap_down(ms->h, ms->have, 0, 0);
		}
	}
	return SQLITE_OK;
}

/*
 * nx_rank_score's bound when some rows are lazy (lfreq < 0: the list's
 * bound of (k1 + 1) f / (f + norm) instead of f): the same sum, the
 * lazy terms at their bound, the coverage counting them, a margin.
 */
static double lazy_bound(const merge_ctx *x, const double *lfreq, double dl)
{
	double score = 0, norm = NX_RANK_K1 * (1.0 - NX_RANK_B + NX_RANK_B * dl / x->avgdl);
	int i = 0, units = 0, found = 0;

	for (i = 0; i < x->n; i++) {
		double f = lfreq[x->local[i]], t = 0;

		if (f < 0) {
			t = (-1.0 - f) * x->c->l[x->lists[x->local[i]]].xscale;
			t = x->w[i] * x->idf[i] * (t < NX_RANK_K1 + 1.0 ? t : NX_RANK_K1 + 1.0);
		} else if (f > 0) {
			t = x->w[i] * x->idf[i] * f * (NX_RANK_K1 + 1.0) / (f + norm);
		}
		if (x->w[i] >= 1.0) {
			units++;
			found += f != 0;
		}
		score += t;
	}
	if (units > 0 && !x->bm25)
		score *= 1.0 + NX_RANK_COVERAGE_GAIN * (double)found / units;
	return score * (1.0 + 1e-9);
}

/* The bound of the row at off of the window: nx_rank with its length bounded by its last offsets. */
static double merge_bound(const merge_state *ms, const merge_ctx *x, int off, uint64_t present)
{
	double lfreq[NX_TOPK_MAX_RANK_PHRASES], freq[NX_TOPK_MAX_RANK_PHRASES];
	int i = 0, j = 0, lb = 0, lazy = 0;

	for (j = 0; j < x->m; j++) {
		lfreq[j] = ((present >> j) & 1) ? ms->fr[(size_t)off * (size_t)x->m + (size_t)j] : 0;
		lazy |= lfreq[j] < 0;
	}
	for (j = 0; j < x->ncol; j++)
		lb += ms->ext[off * NX_TOPK_EXT_COLS + j];
	if (lazy)
		return lazy_bound(x, lfreq, (double)lb);
	for (i = 0; i < x->n; i++)
		freq[i] = lfreq[x->local[i]];
	return score_of(x, freq, (double)lb);
}

/*
 * MaxScore (Turtle and Flood): a row holding only lists whose most[] sum
 * below the cap-th bound kept cannot be kept.  So once the cap bounds are
 * kept, the lists of smallest most[] whose sum ub[] stays below the cap-th
 * bound are no longer walked: a row enters the window only from the other
 * lists, and is looked for in these (probe_rest) only when its own lists
 * plus all of these could still beat that bound.  The bounds rise, so
 * lists only leave the walk.  (A margin: ub[] adds the most[] in another
 * order than a row's cheap bound.)
 */
#define NX_PRUNE_MARGIN (1.0 + 1e-6)

/* The least bound a row needs to be kept: the cap-th kept once there are cap, and the floor. */
static double keep_at(const merge_state *ms, size_t cap)
{
	double t = cap > 0 && ms->have == cap ? ms->h[0].score : -HUGE_VAL;

	return t > ms->floor ? t : ms->floor;
}

static void prune_lists(merge_state *ms, const merge_ctx *x, size_t cap)
{
	double t = keep_at(ms, cap);

	if (!x->prune || t == -HUGE_VAL)
		return;
	while (ms->ness < x->m && ms->ub[ms->ness + 1] * ms->gain * NX_PRUNE_MARGIN < t)
		ms->walked &= ~((uint64_t)1 << ms->order[ms->ness++]);
}

/* The first index at or after p of n ascending rowids r that is >= want (n: none), by galloping. */
static size_t gallop(const int64_t *r, size_t p, size_t n, int64_t want)
{
	size_t step = 1, hi = 0;

	if (p >= n || r[p] >= want)
		return p;
	while (p + step < n && r[p + step] < want) {
		p += step;
		step *= 2;
	}
	hi = p + step < n ? p + step : n;
	return p + 1 + nx_rowid_lower_bound(r + p + 1, hi - p - 1, want);
}

/* The lists not walked that hold rowid, into the row at off of the window, as merge_window adds them. */
static void probe_rest(merge_state *ms, const merge_ctx *x, int off, int64_t rowid)
{
	int i = 0;

	for (i = 0; i < ms->ness; i++) {
		int j = ms->order[i];
		const topk_list *l = &x->c->l[x->lists[j]];
		size_t p = gallop(l->rowid, ms->pos[j], l->n, rowid);

		ms->pos[j] = p;
		if (p < l->n && l->rowid[p] == rowid)
			add_row(ms, x, off, j, p); /* the row came from a walked list: mask is set */
	}
}

/*
 * Merges the lists of x window by window of rowids: each row holding
 * what the expression asks is counted (into count, when it passes the
 * filter) and, when k > 0, gets its bound (nx_rank with its length
 * bounded by its last offsets) into cand.  With a cap, only the cap best
 * bounds are kept (cand is then a heap, worst on top); *dropped is the
 * highest bound left out and *any says whether one was.  A row whose
 * cheap bound (each list's most, the coverage at its most) is below the
 * cap-th bound is left out without computing its bound.  A bound below
 * floor (a score the k-th best is known to reach) is left out too, and
 * counts as the cap-th for prune_lists.  With x->prune, lists stop being
 * walked (see prune_lists): count is then not the total.
 */
static int merge_lists(const merge_ctx *x, size_t k, size_t cap, double floor, nx_topk_hit **cand,
		       size_t *ncand, double *dropped, int *any, int64_t *count, nx_topk_stats *st)
{
	merge_state ms;
	int64_t blo = 0, bhi = INT64_MAX;
	int j = 0, rc = SQLITE_OK, band = 0;

	if ((rc = merge_init(&ms, x)) != SQLITE_OK)
		goto done;
	ms.floor = floor;
	/* no row outside the filter's band passes: the lists are merged from its first row to its last */
	if ((band = nx_topk__bits_band(x->flt, &blo, &bhi)) < 0)
		goto done;
	for (j = 0; j < x->m && band > 0; j++)
		ms.pos[j] = gallop(x->c->l[x->lists[j]].rowid, 0, x->c->l[x->lists[j]].n, blo);
	for (;;) {
		int64_t lo = INT64_MAX, hi = 0, next = 0;
		int off = 0;

		prune_lists(&ms, x, cap);
		for (j = 0; j < x->m; j++) {
			const topk_list *l = &x->c->l[x->lists[j]];

			if (((ms.walked >> j) & 1) && ms.pos[j] < l->n && l->rowid[ms.pos[j]] < lo)
				lo = l->rowid[ms.pos[j]];
		}
		if (lo == INT64_MAX || lo > bhi)
			break;
		/* a window's worth of rows the filter leaves out: the walked lists skip them */
		if (band > 0 && ((x->flt->bits[lo >> 6] >> (lo & 63)) & 1) == 0 &&
		    ((next = nx_topk__next_bit(x->flt, lo)) < 0 || next - lo >= NX_MERGE_WIN)) {
			if (next < 0)
				break;
			for (j = 0; j < x->m; j++)
				if ((ms.walked >> j) & 1)
					ms.pos[j] = gallop(x->c->l[x->lists[j]].rowid, ms.pos[j], x->c->l[x->lists[j]].n,
							   next);
			continue;
		}
		hi = lo > INT64_MAX - NX_MERGE_WIN ? INT64_MAX : lo + NX_MERGE_WIN;
		merge_window(&ms, x, k, lo, hi);
		/* the window's rows in order, by the bits of occ (ones probe_rest adds are set already) */
		for (off = 0; off < NX_MERGE_WIN; off++) {
			uint64_t present = 0, rest = ms.occ[off >> 6] >> (off & 63);
			int pass = 0;
			double bound = 0;
			nx_topk_hit one;

			if (rest == 0) {
				off |= 63; /* none left in this word */
				continue;
			}
			off += __builtin_ctzll(rest);
			present = ms.mask[off];
			/* a row the filter's bits leave out: no bound, no probe, no count */
			if (band > 0 && (lo + off > bhi || ((x->flt->bits[(lo + off) >> 6] >> ((lo + off) & 63)) & 1) == 0))
				continue;
			if (ms.ness > 0) {
				/* the lists not walked could add at most ub[ness] */
				bound = (ms.cheap[off] + ms.ub[ms.ness]) * ms.gain * NX_PRUNE_MARGIN;
				if (bound < keep_at(&ms, cap)) {
					note_dropped(bound, dropped, any);
					continue;
				}
				probe_rest(&ms, x, off, lo + off);
				present = ms.mask[off];
			}
			if ((present & x->g1) == 0 || (present & x->g2) == 0)
				continue;
			st->rows++;
			if ((pass = passes(x->flt, lo + off, st)) < 0) {
				rc = SQLITE_ERROR;
				goto done;
			}
			*count += pass;
			if (!pass || k == 0)
				continue;
			/* (a margin for the rounding of the bound's terms) */
			bound = ms.cheap[off] * ms.gain * (1.0 + 1e-9);
			if (bound < keep_at(&ms, cap)) {
				note_dropped(bound, dropped, any);
				continue;
			}
			one.rowid = lo + off;
			one.score = merge_bound(&ms, x, off, present);
			if (one.score < ms.floor) {
				note_dropped(one.score, dropped, any);
				continue;
			}
			if ((rc = merge_keep(&ms, one, cap, x->max_keep, dropped, any)) != SQLITE_OK)
				goto done;
		}
	}
	if (ms.ness > 0) /* rows held only by lists not walked were never looked at */
		note_dropped(ms.ub[ms.ness] * ms.gain * NX_PRUNE_MARGIN, dropped, any);
done:
	free(ms.mask);
	free(ms.ext);
	free(ms.fr);
	free(ms.cheap);
	if (rc != SQLITE_OK) {
		free(ms.h);
		ms.h = NULL;
		ms.have = 0;
	}
	*cand = ms.h;
	*ncand = ms.have;
	return rc;
}


/*
 * What the lists say of row rowid: each list's count there (lfreq: 0 when
 * absent, < 0 a lazy row not probed yet, see topk_list), the bound of its
 * length from their extents (*lb), and the lazy list not probed whose
 * term's bound is largest (*probe: -1 none; *pat its row in that list).
 */
static void row_state(const merge_ctx *x, int64_t rowid, const int32_t *at, double *lfreq, int *lb, int *probe,
		      ptrdiff_t *pat)
{
	int32_t ext[NX_TOPK_EXT_COLS] = { 0 };
	double most = -1;
	int i = 0, j = 0, col = 0;

	*probe = -1;
	*pat = -1;
	for (j = 0; j < x->m; j++) {
		const topk_list *l = &x->c->l[x->lists[j]];
		ptrdiff_t at1 = at != NULL ? at[j] : list_find(l, rowid);

		lfreq[j] = at1 >= 0 ? l->freq[at1] : 0;
		if (at1 >= 0 && l->ext != NULL)
			for (col = 0; col < x->ncol; col++)
				if (l->ext[(size_t)at1 * (size_t)x->ncol + (size_t)col] > ext[col])
					ext[col] = l->ext[(size_t)at1 * (size_t)x->ncol + (size_t)col];
		if (lfreq[j] < 0) {
			double t = (-1.0 - lfreq[j]) * l->xscale, wi = 0;

			for (i = 0; i < x->n; i++)
				if (x->local[i] == j)
					wi += x->w[i] * x->idf[i];
			t = wi * (t < NX_RANK_K1 + 1.0 ? t : NX_RANK_K1 + 1.0);
			if (t > most) {
				most = t;
				*probe = j;
				*pat = at1;
			}
		}
	}
	*lb = 0;
	for (col = 0; col < x->ncol; col++)
		*lb += ext[col];
}

/*
 * Where each candidate stands in each list (-1: absent), found once for
 * all: best_by_length looks at a row again after each probe and each
 * fall of its bound, and a binary search of a frequent word's list (tens
 * of megabytes at 10M) misses the cache at nearly every step.  The
 * candidates sorted by rowid, each list is galloped through once, in
 * order.  At most NX_POS_MAX entries in all (else none, and row_state
 * searches).
 */
#define NX_POS_MAX ((size_t)4 << 20)

static size_t pos_max = NX_POS_MAX;

size_t nx_topk__pos_max_set(size_t max)
{
	size_t was = pos_max;

	pos_max = max;
	return was;
}

typedef struct pos_table {
	int64_t *rowid; /* the candidates' rowids, ascending */
	int32_t *at;    /* m entries a candidate, in that order */
	size_t n;
} pos_table;

static void pos_free(pos_table *t)
{
	free(t->rowid);
	free(t->at);
	memset(t, 0, sizeof(*t));
}

static void pos_build(pos_table *t, const merge_ctx *x, const nx_topk_hit *cand, size_t ncand)
{
	size_t i = 0, p = 0;
	int j = 0;

	memset(t, 0, sizeof(*t));
	if (ncand == 0 || x->m < 1 || ncand > pos_max / (size_t)x->m)
		return;
	for (j = 0; j < x->m; j++)
		if (x->c->l[x->lists[j]].n > (size_t)INT32_MAX)
			return; /* its places would not fit */
	t->rowid = malloc(ncand * sizeof(*t->rowid));
	t->at = malloc(ncand * (size_t)x->m * sizeof(*t->at));
	if (t->rowid == NULL || t->at == NULL) {
		pos_free(t); /* (out of memory: searched row by row) */
		return;
	}
	for (i = 0; i < ncand; i++)
		t->rowid[i] = cand[i].rowid;
	qsort(t->rowid, ncand, sizeof(*t->rowid), cmp_rowids);
	t->n = ncand;
	for (j = 0; j < x->m; j++) {
		const topk_list *l = &x->c->l[x->lists[j]];

		for (i = 0, p = 0; i < ncand; i++) {
			p = gallop(l->rowid, p, l->n, t->rowid[i]);
			t->at[i * (size_t)x->m + (size_t)j] =
				p < l->n && l->rowid[p] == t->rowid[i] ? (int32_t)p : -1;
		}
	}
}

/* The positions of rowid in the table, NULL when it has none. */
static const int32_t *pos_of(const pos_table *t, const merge_ctx *x, int64_t rowid)
{
	size_t at = nx_rowid_lower_bound(t->rowid, t->n, rowid);

	return at < t->n && t->rowid[at] == rowid ? &t->at[at * (size_t)x->m] : NULL;
}

/*
 * The k best exact scores into best (a heap, worst on top, *nbest of
 * them), from the ncand rows of cand by decreasing bound, until no bound
 * left can win.  A row's merge bound counts its lazy lists at their
 * bound: on top, the row is made exact step by step (its lazy list of
 * largest bound probed, then its length read, s), and after each step
 * its bound is computed again from what is known (exact counts, lazy
 * bounds, the length its extents imply).  A bound that falls sinks the
 * row in the heap, and one that falls below the k-th best score drops it
 * before any more probes or its length: for a question of frequent words
 * thousands of rows have merge bounds above the scores the best reach.
 */
static int best_by_length(sqlite3_stmt *s, const merge_ctx *x, nx_topk_hit *cand, size_t ncand, size_t k,
			  nx_topk_hit *best, size_t *nbest, nx_topk_stats *st)
{
	double lfreq[NX_TOPK_MAX_RANK_PHRASES], freq[NX_TOPK_MAX_RANK_PHRASES];
	size_t heapn = ncand;
	int i = 0, lb = 0, probe = -1, dl = 0, rc = SQLITE_OK;
	ptrdiff_t pat = -1;
	pos_table pt;

	pos_build(&pt, x, cand, ncand);
	for (i = (int)(heapn / 2); i >= 0; i--)
		heap_down(cand, heapn, (size_t)i, 1);
	while (heapn > 0) {
		nx_topk_hit h = cand[0];
		double b = 0;

		if (*nbest == k && worse(&h, &best[0]))
			break;
		row_state(x, h.rowid, pos_of(&pt, x, h.rowid), lfreq, &lb, &probe, &pat);
		if (probe >= 0) {
			b = lazy_bound(x, lfreq, (double)lb);
		} else {
			for (i = 0; i < x->n; i++)
				freq[i] = lfreq[x->local[i]];
			b = score_of(x, freq, (double)lb) * (1.0 + 1e-9);
		}
		if (b < h.score) {
			/* a lower bound: the row sinks (or goes, below the k-th) before more is read */
			cand[0].score = b;
			st->sunk++;
			if (*nbest == k && worse(&cand[0], &best[0])) {
				cand[0] = cand[--heapn];
				heap_down(cand, heapn, 0, 1);
				continue;
			}
			heap_down(cand, heapn, 0, 1);
			if (cand[0].rowid != h.rowid)
				continue;
		}
		if (probe >= 0) {
			if ((rc = nx_topk__probe_row(x->db, x->c, &x->c->l[x->lists[probe]], (size_t)pat)) != SQLITE_OK)
				break;
			st->probes++;
			continue;
		}
		cand[0] = cand[--heapn];
		heap_down(cand, heapn, 0, 1);
		if ((rc = doc_length(s, x->ncol, h.rowid, &dl)) != SQLITE_OK)
			break;
		st->lengths++;
		h.score = score_of(x, freq, (double)dl);
		if (*nbest < k) {
			best[*nbest] = h;
			sift_up(best, (*nbest)++);
		} else if (worse(&best[0], &h)) {
			best[0] = h;
			heap_down(best, *nbest, 0, 0);
		}
	}
	pos_free(&pt);
	return rc;
}

/*
 * The lists of expr's phrases not read yet (lazily when they can be), and
 * the totals; with a band (lo <= hi), the words not read lazily in the
 * band alone.
 */
static int read_missing(sqlite3 *db, nx_topk_cache *c, const char *expr, int n, const int *which, int64_t lo,
			int64_t hi, int *called)
{
	int i = 0, rc = SQLITE_OK;

	for (i = 0; i < n; i++)
		if (!c->l[which[i]].done && !c->l[which[i]].lazy &&
		    (rc = nx_topk__lazy_prepare(db, c, &c->l[which[i]])) != SQLITE_OK)
			return rc;
	for (i = 0; i < n && lo <= hi; i++)
		if ((rc = nx_topk__read_band(db, c, &c->l[which[i]], lo, hi)) != SQLITE_OK && rc != SQLITE_NOTFOUND)
			return rc;
	if ((rc = nx_topk__read_lists(db, c, expr, n, which, called)) != SQLITE_OK)
		return rc;
	for (i = 0; i < n; i++)
		if (c->l[which[i]].done && c->l[which[i]].lazy && c->l[which[i]].xscale == 0)
			nx_topk__lazy_finish(c, &c->l[which[i]]);
	return SQLITE_OK;
}

/* The cache for colw: made at the first call, the same weights after. */
static int cache_for(nx_topk_cache **cache, const double *colw, int ncolw)
{
	if (*cache == NULL) {
		if ((*cache = calloc(1, sizeof(**cache))) == NULL)
			return SQLITE_NOMEM;
		memcpy((*cache)->colw, colw, (size_t)ncolw * sizeof(*colw));
		(*cache)->ncolw = ncolw;
	}
	if ((*cache)->ncolw != ncolw || memcmp((*cache)->colw, colw, (size_t)ncolw * sizeof(*colw)) != 0)
		return SQLITE_MISUSE; /* the lists hold counts weighted otherwise */
	return SQLITE_OK;
}

int nx_topk__rank(sqlite3 *db, nx_topk_cache **cache, const char *expr, const double *colw, int ncolw,
		  const double *pw, int npw, const nx_topk_filter *flt, size_t k, nx_topk_hit **out,
		  size_t *nout, int64_t *total, nx_topk_stats *stats, const nx_topk_tune *tune)
{
	static const nx_topk_tune defaults = NX_TOPK_TUNE_INIT;
	const nx_topk_tune *t = tune != NULL ? tune : &defaults;
	size_t keep = t->rank_keep;
	const char *at[NX_TOPK_MAX_RANK_PHRASES];
	size_t len[NX_TOPK_MAX_RANK_PHRASES];
	int which[NX_TOPK_MAX_RANK_PHRASES], local[NX_TOPK_MAX_RANK_PHRASES];
	int lists[NX_TOPK_MAX_RANK_PHRASES];
	double idf[NX_TOPK_MAX_RANK_PHRASES], w[NX_TOPK_MAX_RANK_PHRASES], avgdl = 1;
	uint64_t g1 = 0, g2 = 0;
	nx_topk_cache *c = NULL;
	nx_topk_hit *cand = NULL, *best = NULL;
	size_t ncand = 0, nbest = 0;
	sqlite3_stmt *s = NULL;
	nx_topk_stats st;
	merge_ctx mx;
	int64_t count = 0;
	size_t cap = 0;
	int n = 0, ng1 = 0, m = 0, i = 0, j = 0, rc = SQLITE_OK, missing = 0, pass = 0, called = 0;
	int64_t blo = 0, bhi = -1;

	*out = NULL;
	*nout = 0;
	memset(&st, 0, sizeof(st));
	n = or_shape(expr, &ng1, at, len, NX_TOPK_MAX_RANK_PHRASES);
	if (n < 1 || ncolw > NX_TOPK_EXT_COLS) {
		rc = SQLITE_RANGE;
		goto done;
	}
	if ((rc = cache_for(cache, colw, ncolw)) != SQLITE_OK)
		goto done;
	c = *cache;
	/*
	 * A filter whose rows lie in a narrow band of rowids (a range of days
	 * of an archive added in date order): the words read in the band
	 * alone, their idf from their rows in all.  No row outside it passes.
	 * The cache's lists then serve this filter only.
	 */
	if (t->band && nx_topk__filter_band(db, flt, &blo, &bhi) > 0) {
		if (c->band && (c->band_lo != blo || c->band_hi != bhi)) {
			rc = SQLITE_MISUSE; /* the lists hold another band's rows */
			goto done;
		}
		c->band = 1;
		c->band_lo = blo;
		c->band_hi = bhi;
	} else if (c->band) {
		rc = SQLITE_MISUSE;
		goto done;
	} else
		blo = 0, bhi = -1;
	/* each phrase's list, and the distinct lists (merged once each) */
	for (i = 0; i < n; i++) {
		if ((which[i] = nx_topk__cache_list(c, at[i], len[i])) < 0) {
			rc = SQLITE_NOMEM;
			goto done;
		}
		missing += !c->l[which[i]].done;
		for (j = 0; j < m && lists[j] != which[i]; j++)
			;
		if (j == m)
			lists[m++] = which[i];
		local[i] = j;
		if (i < ng1)
			g1 |= (uint64_t)1 << j;
		if (i >= ng1 || ng1 == n)
			g2 |= (uint64_t)1 << j;
	}
	/* a count a ranking follows: the lists read now (once), their rowids counted below */
	if (k == 0 && total != NULL && t->count_reads && (missing > 0 || !c->have_totals) &&
	    (rc = read_missing(db, c, expr, n, which, blo, bhi, &called)) != SQLITE_OK)
		goto done;
	/* a count alone: the rowids into bitmaps, the lists only counted (a ranking reads them) */
	if (k == 0 && total != NULL &&
	    (rc = nx_topk__count_lists(db, t->count_db2, c, expr, n, which, ng1, flt, &count, &called, &st)) !=
		    SQLITE_RANGE) {
		if (rc != SQLITE_OK)
			goto done;
		*total = count;
		goto done;
	}
	if ((missing > 0 || !c->have_totals) && (rc = read_missing(db, c, expr, n, which, blo, bhi, &called)) != SQLITE_OK)
		goto done;
	if ((missing > 0 || !c->have_totals) && !called)
		goto finish; /* no row matches */
	avgdl = (double)c->ntok / (double)c->nrow;
	if (avgdl <= 0)
		avgdl = 1;
	for (i = 0; i < n; i++) {
		int64_t rows = nx_topk__list_rows(&c->l[which[i]]);

		idf[i] = t->bm25 ? nx_bm25_idf(c->nrow, rows) : nx_topk__rank_idf(c->nrow, rows);
		w[i] = i < npw && !t->bm25 ? pw[i] : 1.0;
	}
	mx = (merge_ctx){ .c = c, .db = db, .lists = lists, .m = m, .local = local, .n = n, .g1 = g1, .g2 = g2,
			  .idf = idf, .w = w, .avgdl = avgdl, .ncol = c->ncol, .flt = flt,
			  .prune = total == NULL && k > 0 && !t->exhaustive, .bm25 = t->bm25, .max_keep = t->max_keep };
	/*
	 * The rows whose bound is among the best cap are enough when the k-th
	 * exact score beats every bound left out; otherwise (bounds far above
	 * the scores: lazy lists' counts unknown, many rows of frequent words)
	 * the merge runs again and keeps every row whose bound reaches the
	 * k-th exact score the first pass found, which the k-th best can only
	 * exceed: that floor also lets lists of small weight go unwalked from
	 * the start (prune_lists).  Keeping every row cost a candidate for
	 * each matching row: at 10M, five million for a question of common
	 * words.
	 */
	cap = keep > 1 ? (k * 8 > keep ? k * 8 : keep) : k;
	for (pass = 0; pass < 2; pass++) {
		double dropped = -HUGE_VAL, floor = pass > 0 && nbest == k ? best[0].score : -HUGE_VAL;
		int any = 0;

		free(cand);
		cand = NULL;
		ncand = 0;
		nbest = 0;
		count = 0;
		memset(&st, 0, sizeof(st));
		st.merges = pass + 1;
		if ((rc = merge_lists(&mx, k, pass == 0 ? cap : SIZE_MAX, floor, &cand, &ncand, &dropped, &any, &count,
				      &st)) != SQLITE_OK)
			goto done;
		if (k == 0 || (ncand == 0 && !any))
			goto finish;
		if (best == NULL && (best = malloc(k * sizeof(*best))) == NULL) {
			rc = SQLITE_NOMEM;
			goto done;
		}
		if (s == NULL &&
		    (rc = sqlite3_prepare_v2(db, "SELECT sz FROM fts_docsize WHERE id = ?1", -1, &s, NULL)) != SQLITE_OK)
			goto done;
		/* lengths in the order of decreasing bound, until no bound can win */
		if ((rc = best_by_length(s, &mx, cand, ncand, k, best, &nbest, &st)) != SQLITE_OK)
			goto done;
		if (!any || (nbest == k && dropped < best[0].score))
			break; /* nothing left out could have entered */
	}
	qsort(best, nbest, sizeof(*best), cmp_hit);
	*out = best;
	*nout = nbest;
	best = NULL;
finish:
	if (total != NULL)
		*total = count;
	rc = SQLITE_OK;
done:
	sqlite3_finalize(s);
	free(cand);
	free(best);
	if (stats != NULL)
		*stats = st;
	return rc;
}

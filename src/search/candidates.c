/*
 * candidates.c - the ranked candidates of a search: rowid and score of
 * the best rows (and what collapsing needs), from FTS5's rank, from SQL
 * with filters and nx_rank, or from the fast paths of topk.h.
 */
#include "search/search_private.h"
#include "search/topk_rank_private.h"

#include <stdlib.h>
#include <string.h>

#include "index/impact.h"
#include "util/text.h"


static char *title_key(const unsigned char *t)
{
	nx_buf b = NX_BUF_INIT;

	for (; t != NULL && *t != '\0'; t++) {
		if (nx_isalnum(*t) || *t >= 0x80)
			nx_buf_addch(&b, nx_tolower(*t));
	}
	return nx_buf_detach(&b);
}

void nx_search__cands_free(cand *c, size_t n)
{
	size_t i = 0;

	for (i = 0; i < n; i++) {
		free(c[i].body_hash);
		free(c[i].title_key);
	}
	free(c);
}

/* Score expression: relevance, possibly weighted by coverage and recency. */
static void add_score(sq *q, plan *p, const nx_search_opts *o, const char *tab, int relaxed, int has_fts)
{
	int i = 0;

	if (!has_fts) {
		nx_buf_adds(&q->sql, "0.0");
	} else if (relaxed) {
		nx_buf_addf(&q->sql, "nx_rank(%s", strcmp(tab, "f") == 0 ? "fts" : "rev_fts");
		for (i = 0; i < p->nweights && i < 64; i++) {
			nx_buf_adds(&q->sql, ", ");
			/* weights are small integers of thousandths, bound as text-free ints */
			nx_search__sq_int(q, (int64_t)(p->weights[i] * 1000.0 + 0.5));
			nx_buf_adds(&q->sql, " / 1000.0");
		}
		nx_buf_adds(&q->sql, ")");
	} else {
		nx_buf_addf(&q->sql, "(-%s.rank)", tab);
	}
	if (o->recent) {
		nx_buf_adds(&q->sql, " * (1.0 + nx_decay(");
		nx_search__sq_int(q, p->newest);
		nx_buf_adds(&q->sql, " - coalesce(a.published, 0)))");
		if (!has_fts)
			nx_buf_adds(&q->sql, " + 1.0");
	}
}

/*
 * The fast paths (topk.h): the best want rows without scoring every match,
 * by FTS5's own bm25 for plain AND queries (counting the matches on the
 * way: the total) and by nx_rank for relaxed queries (an OR of phrases),
 * with the filters tested as rowid bits (a published range: the ids in it,
 * from the index) or a lookup by id.  o->fast_paths NX_FAST_PATHS_OFF
 * turns them off (the tests compare both ways).  On any failure of a fast
 * path the SQL path runs (and reports what persists); NX_FAST_PATHS_CHECK
 * makes the failure an error instead (for the tests: the fast path did run).
 */
int nx_search__topk_off(const nx_search_opts *o)
{
	return o->fast_paths == NX_FAST_PATHS_OFF;
}

/* What a fast path that could not run returns: 0 (the SQL path), or -1 under NX_FAST_PATHS_CHECK. */
static int topk_failed(const nx_search_opts *o)
{
	return o->fast_paths == NX_FAST_PATHS_CHECK ? -1 : 0;
}

int nx_search__topk_fits(const nx_search_opts *o)
{
	return !nx_search__topk_off(o) && !o->recent && !o->all_revisions && o->sort == NX_SORT_RELEVANCE;
}

static int keep_row(void *ctx, int64_t rowid)
{
	sqlite3_stmt *s = ctx;
	int step = 0;

	sqlite3_reset(s);
	sqlite3_bind_int64(s, 1, rowid);
	step = sqlite3_step(s);
	sqlite3_reset(s);
	return step == SQLITE_ROW ? 1 : step == SQLITE_DONE ? 0 : -1;
}

/* Bit id of p->bits set, the bits grown as needed (*cap words): 0, or -1 out of memory. */
static int set_row(plan *p, size_t *cap, int64_t id)
{
	return nx_impact__bit_set(&p->bits, cap, id);
}

/*
 * When p filters by published ranges, outlets and languages alone: 1
 * with the range [*lo, *hi) (*range 0: none) and *fields (an outlet or a
 * language among them), else 0.
 */
static int range_fields(const plan *p, int64_t *lo, int64_t *hi, int *range, int *fields)
{
	int k = 0;

	*lo = INT64_MIN;
	*hi = INT64_MAX;
	*range = *fields = 0;
	if (p->exclude_id > 0 || p->exclude_hash != NULL)
		return 0;
	for (k = 0; k < 2; k++) {
		const nx_filter *f = p->f[k];

		if (f == NULL)
			continue;
		if ((f->set & ~(NX_F_PUB_MIN | NX_F_PUB_MAX)) != 0 || f->author != NULL)
			return 0;
		*fields |= f->source != NULL || f->lang != NULL;
		*range |= (f->set & (NX_F_PUB_MIN | NX_F_PUB_MAX)) != 0;
		if ((f->set & NX_F_PUB_MIN) && f->pub_min > *lo)
			*lo = f->pub_min;
		if ((f->set & NX_F_PUB_MAX) && f->pub_max < *hi)
			*hi = f->pub_max;
	}
	return 1;
}

/* The range [*lo, *hi) of published times when p filters by that alone: 1, else 0. */
static int pub_only(const plan *p, int64_t *lo, int64_t *hi)
{
	int range = 0, fields = 0;

	return range_fields(p, lo, hi, &range, &fields) && !fields;
}

/* The rows published in [lo, hi) from the index on published into p->bits: 0, or -1. */
static int scan_pub(nx_store *st, plan *p, size_t *cap, int64_t lo, int64_t hi)
{
	sqlite3_stmt *s = NULL;
	int step = SQLITE_DONE;

	if (lo >= hi)
		return 0;
	if (sqlite3_prepare_v2(st->db, "SELECT id FROM article WHERE published >= ?1 AND published < ?2", -1, &s, NULL) !=
	    SQLITE_OK)
		return -1;
	sqlite3_bind_int64(s, 1, lo);
	sqlite3_bind_int64(s, 2, hi);
	while ((step = sqlite3_step(s)) == SQLITE_ROW)
		if (set_row(p, cap, sqlite3_column_int64(s, 0)) < 0)
			break;
	sqlite3_finalize(s);
	return step == SQLITE_DONE ? 0 : -1;
}

/*
 * A published range [lo, hi) alone: the rows of the whole buckets inside
 * it from index/impact.c's table, the edges from the index on published.
 * 1 when done, 0 when the buckets cannot be read (no whole bucket in the
 * range, or none made for the index as it is), -1 on an error.
 */
static int pub_buckets(nx_store *st, plan *p, size_t *cap, int64_t lo, int64_t hi)
{
	const int64_t w = (int64_t)1 << NX_IMPACT_PUB_SHIFT;
	int64_t b0 = 0, b1 = 0;
	int rc = 0;

	/* the first bucket starting at lo or after, the last ending at hi or before */
	if (lo <= INT64_MIN + w || hi >= INT64_MAX - w)
		return 0;
	b0 = nx_impact__pub_bucket(lo - 1) + 1;
	b1 = nx_impact__pub_bucket(hi) - 1;
	if (b0 > b1)
		return 0;
	if ((rc = nx_impact__pub_bits(st->db, b0, b1, &p->bits, cap)) != 1)
		return rc;
	if (scan_pub(st, p, cap, lo, b0 * w) < 0 || scan_pub(st, p, cap, (b1 + 1) * w, hi) < 0)
		return -1;
	return 1;
}

/* The end of a column's filter at s ("title : "), or s when there is none. */
static const char *skip_column(const char *s)
{
	static const char *const cols[] = { "title : ", "body : ", "captions : ", "credits : " };
	size_t i = 0, n = 0;

	for (i = 0; i < sizeof(cols) / sizeof(cols[0]); i++)
		if (strncmp(s, cols[i], n = strlen(cols[i])) == 0)
			return s + n;
	return s;
}

/* The end of NEAR("a" "b" ..., N) at s, or NULL; *n += its phrases. */
static const char *skip_near(const char *s, int *n)
{
	if (strncmp(s, "NEAR(", 5) != 0)
		return NULL;
	for (s += 5;; s++) {
		if ((s = skip_phrase(s)) == NULL)
			return NULL;
		(*n)++;
		if (*s == ',')
			break;
		if (*s != ' ')
			return NULL;
	}
	if (*++s != ' ' || !nx_isdigit((unsigned char)*++s))
		return NULL;
	while (nx_isdigit((unsigned char)*s))
		s++;
	return *s == ')' ? s + 1 : NULL;
}

/*
 * The phrases of expr when it is an AND of phrases some of which are in
 * one column ("title : \"oil\" \"prices\"", title:oil prices) or NEAR
 * groups (NEAR("oil" "prices", 5)): walked as plain phrases are, FTS5
 * keeping the instances that match alone (bm25() reads the same).  0 for
 * any other shape, a plain query included.
 */
static int column_phrases(const char *expr)
{
	const char *s = expr, *e = NULL;
	int n = 0, other = 0;

	for (;;) {
		const char *t = skip_column(s);

		other |= t != s;
		if ((e = skip_near(t, &n)) != NULL) {
			other = 1;
		} else if ((e = skip_phrase(t)) != NULL) {
			n++;
		} else {
			return 0;
		}
		if (*e == '\0')
			return other ? n : 0;
		if (strncmp(e, " AND ", 5) == 0)
			s = e + 5;
		else if (*e == ' ')
			s = e + 1;
		else
			return 0;
	}
}

/* The rows published in [lo, hi) into p->bits, from the buckets of days when they serve: 1, or -1. */
static int pub_range(nx_store *st, plan *p, size_t *cap, int64_t lo, int64_t hi)
{
	int got = pub_buckets(st, p, cap, lo, hi);

	if (got == 0)
		got = scan_pub(st, p, cap, lo, hi) < 0 ? -1 : 1;
	return got;
}

/*
 * When p filters by outlet or language, and by published ranges at most:
 * 1 with the range [*lo, *hi) (*range 0: none), else 0.
 */
static int src_only(const plan *p, int64_t *lo, int64_t *hi, int *range)
{
	int fields = 0;

	return range_fields(p, lo, hi, range, &fields) && fields;
}

/* The words of b (nb of them) ANDed into a (na), a's past b's cleared. */
static void and_bits(uint64_t *a, size_t na, const uint64_t *b, size_t nb)
{
	size_t i = 0;

	for (i = 0; i < na; i++)
		a[i] &= i < nb ? b[i] : 0;
}

/*
 * The rows of p's outlets and languages (each filter's) from those the
 * build stored (index/impact_src.c), ANDed into p->bits when `and` (a
 * published range read first), else into p->bits: 1, 0 when they cannot
 * be read, -1 on an error.
 */
static int src_sets(nx_store *st, plan *p, size_t *cap, int and)
{
	uint64_t *b = NULL;
	size_t bc = 0;
	int k = 0, c = 0, rc = 0;

	for (k = 0; k < 2; k++)
		for (c = 0; c < NX_IMPACT_SRC_COLS && p->f[k] != NULL; c++) {
			const nx_filter *f = p->f[k];
			const char *match = c == NX_IMPACT_SRC_LANG ? f->lang : f->source;

			if (match == NULL)
				continue;
			if (c == NX_IMPACT_SRC_SOURCE && p->like_source[k] == NULL &&
			    (p->like_source[k] = nx_search__like(f->source)) == NULL)
				rc = -1;
			if (rc < 0 || (rc = nx_impact__src_bits(st->db, c, c == NX_IMPACT_SRC_SOURCE ? p->like_source[k]
											   : match, &b, &bc)) != 1) {
				free(b);
				return rc;
			}
			if (!and) {
				/* the first one's rows are the bits */
				free(p->bits);
				p->bits = b;
				*cap = bc;
				and = 1;
			} else {
				and_bits(p->bits, *cap, b, bc);
				free(b);
			}
			b = NULL;
			bc = 0;
		}
	return rc;
}

int nx_search__src_filter_runs;
int nx_search__column_runs;
int nx_search__range_lists;

/* p's filters for the fast paths (*out NULL: none); 0 when they cannot be had. */
static int topk_filter(nx_store *st, plan *p, const nx_topk_filter **out)
{
	nx_error err = NX_ERROR_INIT;
	sqlite3_stmt *s = NULL;
	sq q;
	size_t cap = 0;
	int64_t lo = 0, hi = 0;
	int k = 0, range = 0, step = 0, ok = 0, got = 0;

	*out = NULL;
	if (!nx_search__plan_filters(p))
		return 1;
	if (p->flt_state != 0) {
		*out = &p->flt;
		return p->flt_state > 0;
	}
	p->flt_state = -1;
	memset(&q, 0, sizeof(q));
	nx_buf_init(&q.sql);
	/* outlets and languages (in a published range) from those stored with the lists */
	if (src_only(p, &lo, &hi, &range) &&
	    (got = range ? pub_range(st, p, &cap, lo, hi) : 1) > 0 && (got = src_sets(st, p, &cap, range)) != 0) {
		if (got < 0)
			goto done;
		nx_search__src_filter_runs++;
		goto have_bits;
	}
	free(p->bits);
	p->bits = NULL;
	cap = 0;
	for (k = 0, range = 0; k < 2; k++)
		if (p->f[k] != NULL && (p->f[k]->set & (NX_F_PUB_MIN | NX_F_PUB_MAX)))
			range = 1;
	if (!range) {
		/* one lookup by id for each matching row */
		nx_buf_adds(&q.sql, "SELECT 1 FROM article a WHERE a.id = ");
		nx_search__sq_int(&q, 0);
		nx_search__add_filters(&q, p, "a");
		if (nx_search__sq_prepare(st, &q, &p->keep, &err) < 0)
			goto done;
		p->flt.keep = keep_row;
		p->flt.ctx = p->keep;
		ok = 1;
		goto done;
	}
	if (pub_only(p, &lo, &hi) && (got = pub_buckets(st, p, &cap, lo, hi)) != 0) {
		/* a published range alone, by buckets of days */
		if (got < 0)
			goto done;
	} else {
		/* the ids in the range, from the index on published, and the other filters */
		nx_buf_adds(&q.sql, "SELECT a.id");
		nx_search__add_from(&q, p, NULL);
		if (nx_search__sq_prepare(st, &q, &s, &err) < 0)
			goto done;
		while ((step = sqlite3_step(s)) == SQLITE_ROW)
			if (set_row(p, &cap, sqlite3_column_int64(s, 0)) < 0)
				goto done;
		if (step != SQLITE_DONE)
			goto done;
	}
have_bits:
	p->flt.bits = p->bits;
	p->flt.nbits = (int64_t)cap * 64;
	if (p->bits == NULL) {
		/* nothing in the range: no row passes */
		static const uint64_t none = 0;

		p->flt.bits = &none;
		p->flt.nbits = 1;
	}
	ok = 1;
done:
	sqlite3_finalize(s);
	nx_buf_free(&q.sql);
	nx_error_clear(&err);
	if (ok) {
		p->flt_state = 1;
		*out = &p->flt;
	}
	return ok;
}

/* The second connection for a search's walks, its budget watched, or NULL (one thread, or the read-ahead has it). */
static sqlite3 *db2_take(nx_store *st, plan *p, const nx_search_opts *o)
{
	sqlite3 *db2 = NULL;

	if (o->one_thread || p->prefetch != NULL || (db2 = nx_store__db2(st)) == NULL)
		return NULL;
	if (p->budget != NULL) {
		p->budget2 = *p->budget;
		nx_search__budget_watch(db2, &p->budget2);
	}
	return db2;
}

/* The search done with the second connection: its budget no longer watched, a stop on it the search's. */
static void db2_done(plan *p, sqlite3 *db2)
{
	if (db2 == NULL || p->budget == NULL)
		return;
	nx_search__budget_watch(db2, NULL);
	if (p->budget2.stopped && !p->budget->stopped)
		p->budget->stopped = p->budget2.stopped;
}

/*
 * A strict query that is an OR of phrases ("oil OR gas OR petroleum"),
 * which FTS5 ranks by bm25() over every match: counted, then its best
 * want rows ranked by nx_topk__rank in its bm25 mode (the same scores,
 * the lists left unwalked once they cannot win), into p.  SQLITE_OK or
 * an SQLite code.
 */
int nx_search__strict_or_runs;

/*
 * How much an OR of frequent words may cost the fast path: its lists at
 * most NX_OR_ROWS rows in all (16 bytes each in memory: 128 MB), and at
 * most NX_OR_KEEP bounds kept above the floor.  At 10M an OR of four
 * words in 7-80% of the articles (14.7M rows) kept 487,000 bounds and
 * read 190,000 rows' counts and lengths one by one: 3.6 s, and 471 MB
 * resident with the pages it touched.  Past either, SQL ranks it.
 */
#define NX_OR_ROWS ((int64_t)8 << 20)
#define NX_OR_KEEP ((size_t)1 << 20)

/* The rows of the OR of phrases expr whose counts are stored (frequent words), summed. */
static int64_t or_rows(sqlite3 *db, const char *expr)
{
	sqlite3_stmt *s = NULL;
	const char *at = expr + 1, *e = NULL;
	char ph[256];
	int64_t sum = 0, df = 0;

	if (nx_impact__df_prepare(db, &s) != SQLITE_OK)
		return 0;
	for (; (e = skip_phrase(at)) != NULL; at = e + 4) {
		if ((size_t)(e - at) < sizeof(ph)) {
			memcpy(ph, at, (size_t)(e - at));
			ph[e - at] = '\0';
			if (nx_impact__df(s, ph, &df) == 1)
				sum += df;
		}
		if (strncmp(e, " OR ", 4) != 0)
			break;
	}
	sqlite3_finalize(s);
	return sum;
}

static int strict_or(nx_store *st, plan *p, const char *expr, const nx_topk_filter *flt, const double *w, int nw,
		     int64_t want, int64_t *total)
{
	nx_topk_tune tune = NX_TOPK_TUNE_INIT;
	nx_topk_cache *c = NULL;
	nx_topk_hit *none = NULL;
	double colw[NX_TOPK_EXT_COLS];
	size_t nnone = 0;
	int i = 0, rc = SQLITE_OK;

	if (or_rows(st->db, expr) > NX_OR_ROWS)
		return SQLITE_FULL;
	tune.max_keep = NX_OR_KEEP;
	/* FTS5's column weights, 1.0 for a column past those given */
	for (i = 0; i < NX_TOPK_EXT_COLS; i++)
		colw[i] = i < nw ? w[i] : 1.0;
	tune.bm25 = 1;
	tune.count_reads = want > 0;
	rc = nx_topk__rank(st->db, &c, expr, colw, NX_TOPK_EXT_COLS, NULL, 0, flt, 0, &none, &nnone, total, NULL,
			   &tune);
	free(none);
	if (rc == SQLITE_OK && want > 0)
		rc = nx_topk__rank(st->db, &c, expr, colw, NX_TOPK_EXT_COLS, NULL, 0, flt, (size_t)want, &p->pre,
				   &p->npre, NULL, NULL, &tune);
	nx_topk__cache_free(c);
	nx_search__strict_or_runs += rc == SQLITE_OK;
	return rc;
}

/*
 * Strict queries: the total and the best want rows in one walk, kept in p
 * for fetch_candidates.  Returns 1 with *total, 0 when the SQL must count
 * (-1: see topk_failed).
 */
int nx_search__strict_walk(nx_store *st, plan *p, const nx_search_opts *o, const char *expr, int64_t want,
		       int64_t *total)
{
	const nx_topk_filter *flt = NULL;
	nx_topk_tune tune = NX_TOPK_TUNE_INIT;
	nx_exclusion x;
	sqlite3 *db2 = NULL;
	double w[NX_TOPK_MAX_WEIGHTS];
	int64_t known[NX_TOPK_MAX_PHRASES];
	char *stems = NULL;
	const char *walk = expr; /* the plain query walked */
	int nw = 0, rc = SQLITE_OK, nphrase = nx_topk__plain(expr), nknown = 0, ex = 0, ncol = 0;

	memset(&x, 0, sizeof(x));
	if (expr == NULL || !nx_search__topk_fits(o) || nphrase > NX_TOPK_MAX_PHRASES)
		return 0;
	/* phrases in one column ("title:oil") or NEAR groups: walked as phrases are, FTS5 keeping the instances that match */
	if (nphrase < 1 && (ncol = column_phrases(expr)) > 0 && ncol <= NX_TOPK_MAX_PHRASES) {
		if (!nx_topk__weights(st->db, w, &nw) || !topk_filter(st, p, &flt))
			return topk_failed(o);
		free(p->pre);
		p->pre = NULL;
		p->pre_expr = NULL;
		db2 = db2_take(st, p, o); /* (split in two on it, as any long walk) */
		rc = nx_topk__run(st->db, db2, expr, w, nw, -1, NULL, 0, flt, (size_t)(want > 0 ? want : 0), &p->pre,
				  &p->npre, total, NULL, &tune);
		db2_done(p, db2);
		if (rc != SQLITE_OK)
			return topk_failed(o);
		nx_search__column_runs++;
		p->pre_expr = expr;
		p->pre_want = want;
		return 1;
	}
	if (!nx_topk__weights(st->db, w, &nw) || !topk_filter(st, p, &flt))
		return topk_failed(o);
	/* words with exclusions ("oil -opec"): the words walked, the excluded rows out of the filter */
	if (nphrase < 1 && (ex = nx_search__exclusion(st->db, expr, flt, &x)) != 0) {
		if (ex < 0)
			return topk_failed(o);
		walk = x.pos;
		flt = &x.flt;
		nphrase = nx_topk__plain(walk);
	}
	free(p->pre);
	p->pre = NULL;
	p->pre_expr = NULL;
	/* an OR of phrases: ranked as FTS5's bm25() ranks it */
	if (nphrase < 1) {
		int ng1 = 0, nor = nx_topk__or_shape(walk, &ng1);

		/* (a filter by lookup alone would look up every row matched: SQL joins them faster) */
		if (nor < 1 || ng1 != nor || nor > NX_TOPK_MAX_RANK_PHRASES || (flt != NULL && flt->bits == NULL)) {
			nx_search__exclusion_free(&x);
			return 0;
		}
		rc = strict_or(st, p, walk, flt, w, nw, want, total);
		nx_search__exclusion_free(&x);
		if (rc == SQLITE_FULL) { /* too costly a ranking: SQL's */
			free(p->pre);
			p->pre = NULL;
			p->npre = 0;
			return 0;
		}
		if (rc != SQLITE_OK)
			return topk_failed(o);
		p->pre_expr = expr;
		p->pre_want = want;
		return 1;
	}
	/* one frequent word, no filter: its impact list, when it has one */
	if (flt == NULL && nphrase == 1 &&
	    nx_search__impact_hits(st, expr, w, nw, (size_t)(want > 0 ? want : 0), &p->pre, &p->npre, total) == 1) {
		p->pre_expr = expr;
		p->pre_want = want;
		return 1;
	}
	db2 = db2_take(st, p, o);
	/* several frequent words, or frequent words in a published range: their lists and sets of rows */
	if ((flt != NULL || nphrase > 1) &&
	    nx_search__impact_and(st, db2, &p->isets, walk, flt, w, nw, (size_t)(want > 0 ? want : 0), &p->pre,
				  &p->npre, total) == 1) {
		db2_done(p, db2);
		nx_search__exclusion_free(&x);
		p->pre_expr = expr;
		p->pre_want = want;
		return 1;
	}
	/* one frequent word (no set) or pair in a filter of rows: the first rows of its list in the filter, when they decide */
	if (flt != NULL && nphrase == 1 && walk == expr && want > 0) {
		stems = nx_search__stems_only(st, walk);
		rc = nx_search__impact_range(st, expr, stems, flt, (size_t)want, &p->pre, &p->npre, total);
		free(stems);
		stems = NULL;
		if (rc == 1) {
			db2_done(p, db2);
			nx_search__range_lists++;
			p->pre_expr = expr;
			p->pre_want = want;
			return 1;
		}
	}
	/* the words' counts, when the relaxed query read their lists: not counted again */
	nknown = nx_topk__cache_counts(p->cache, walk, known, NX_TOPK_MAX_PHRASES);
	/* and those stored with the impact lists of frequent words (all of them for a published range: nx_topk__band) */
	nx_search__impact_counts(st, walk, known, nknown, flt != NULL && flt->bits != NULL);
	/* every row seen by count_strict (search.c): scored alone */
	if (p->all_expr != NULL && strcmp(p->all_expr, expr) == 0) {
		tune.rows = p->all_rows;
		tune.nrows = p->nall;
	}
	/* FTS5 walks the words' stems alone when their typed forms have no row */
	stems = nx_search__stems_only(st, walk);
	rc = nx_topk__run(st->db, db2, stems != NULL ? stems : walk, w, nw, -1, nknown > 0 ? known : NULL, nknown, flt,
			  (size_t)(want > 0 ? want : 0), &p->pre, &p->npre, total, NULL, &tune);
	free(stems);
	db2_done(p, db2);
	nx_search__exclusion_free(&x);
	if (rc != SQLITE_OK)
		return topk_failed(o);
	p->pre_expr = expr;
	p->pre_want = want;
	return 1;
}

/* Relaxed queries: nx_rank's best want rows (0: count only) and the total; 1, or 0/-1 as strict_walk. */
static int relaxed_rank(nx_store *st, plan *p, const nx_search_opts *o, const char *expr, int64_t want,
			int reads, nx_topk_hit **hits, size_t *nhits, int64_t *total)
{
	const nx_topk_filter *flt = NULL;
	nx_topk_tune tune = NX_TOPK_TUNE_INIT;
	double pw[64];
	int npw = 0, i = 0, ng1 = 0, n = nx_topk__or_shape(expr, &ng1);

	*hits = NULL;
	*nhits = 0;
	if (n < 1 || n > NX_TOPK_MAX_RANK_PHRASES)
		return 0;
	if (!topk_filter(st, p, &flt))
		return topk_failed(o);
	/* the weights exactly as add_score hands them to nx_rank */
	npw = p->nweights < 64 ? p->nweights : 64;
	for (i = 0; i < npw; i++)
		pw[i] = (double)(int64_t)(p->weights[i] * 1000.0 + 0.5) / 1000.0;
	/* a count (want 0) the ranking of the same lists surely follows: they are read now */
	tune.count_reads = reads;
	if (nx_topk__rank(st->db, &p->cache, expr, nx_search__colw(st), 4, pw, npw,
			  flt, (size_t)(want > 0 ? want : 0), hits, nhits, total, NULL, &tune) != SQLITE_OK)
		return topk_failed(o);
	return 1;
}

/* The next candidate row: of s, or of s run for each fast-path hit in turn. */
static int next_row(sqlite3_stmt *s, int fast, const nx_topk_hit *hits, size_t nhits, size_t *at)
{
	int step = SQLITE_DONE;

	if (!fast)
		return sqlite3_step(s);
	while (*at < nhits) {
		sqlite3_reset(s);
		sqlite3_bind_int64(s, 1, hits[*at].rowid);
		sqlite3_bind_double(s, 2, hits[*at].score);
		(*at)++;
		if ((step = sqlite3_step(s)) != SQLITE_DONE)
			return step; /* a row, or an error; no row: not an article, as in the join */
	}
	return SQLITE_DONE;
}

/*
 * A strict query counted without ranking (few rows: see count_strict),
 * whose words' lists the relaxed query read: ranked on the fast path with
 * their counts (the hits kept in p), where FTS5's bm25 would count every
 * word's rows again for its idf.  0, or -1 on an error.
 */
static int strict_from_cache(nx_store *st, plan *p, const nx_search_opts *o, const char *expr, int64_t want)
{
	int64_t total = 0;

	if (expr == NULL || p->pre_expr == expr || p->cache == NULL)
		return 0;
	return nx_search__strict_walk(st, p, o, expr, want, &total) < 0 ? -1 : 0;
}

int nx_search__candidates(nx_store *st, plan *p, const nx_search_opts *o, const char *expr, int relaxed,
			    int64_t want, cand **out, size_t *nout, nx_error *err)
{
	sq q;
	sqlite3_stmt *s = NULL;
	cand *c = NULL;
	nx_topk_hit *hits = NULL;
	size_t n = 0, cap = 0, nhits = 0, at = 0;
	int rc = NX_OK, step = 0, fast = 0;

	*out = NULL;
	*nout = 0;
	memset(&q, 0, sizeof(q));
	nx_buf_init(&q.sql);
	if (!relaxed && strict_from_cache(st, p, o, expr, want) < 0) {
		rc = nx_store__dberr(st, err, "cannot search the index (fast path)");
		goto done;
	}
	if (expr != NULL && !relaxed && p->pre_expr == expr && want <= p->pre_want) {
		/* ranked while counting (strict_walk) */
		hits = p->pre;
		nhits = p->npre < (size_t)want ? p->npre : (size_t)want;
		p->pre = NULL;
		p->pre_expr = NULL;
		fast = 1;
	} else if (expr != NULL && relaxed && nx_search__topk_fits(o)) {
		if ((fast = relaxed_rank(st, p, o, expr, want, 0, &hits, &nhits, NULL)) < 0) {
			rc = nx_store__dberr(st, err, "cannot search the index (fast path)");
			goto done;
		}
	}
	if (fast) {
		/* the winners known, with their scores: their metadata, in order */
		nx_buf_adds(&q.sql, "SELECT a.id, ?2 AS score, a.body_hash, a.title, a.published, 0, 0"
				    " FROM article a WHERE a.id = ?1");
		/* similar: the winners tested again, by SQL (its exclusions as bits may miss a copy, see similar.c) */
		if (p->or_strict) {
			q.nbind = 2; /* ?1 and ?2 bound for each row by next_row */
			nx_search__add_filters(&q, p, "a");
		}
		goto prepared;
	}
	if (expr != NULL && !relaxed && !o->recent && !o->all_revisions && o->sort == NX_SORT_RELEVANCE &&
	    !nx_search__plan_filters(p)) {
		/* the common case: let FTS5 rank and cut, then join only the winners */
		nx_buf_adds(&q.sql, "SELECT a.id, -f.rank AS score, a.body_hash, a.title, a.published, 0, 0"
				    " FROM (SELECT rowid, rank FROM fts WHERE fts MATCH ");
		nx_search__sq_text(&q, expr);
		nx_buf_adds(&q.sql, " ORDER BY rank LIMIT ");
		nx_search__sq_int(&q, want);
		nx_buf_adds(&q.sql, ") f JOIN article a ON a.id = f.rowid ORDER BY f.rank");
		goto prepared;
	}
	nx_buf_adds(&q.sql, "SELECT a.id, ");
	add_score(&q, p, o, "f", relaxed, expr != NULL);
	nx_buf_adds(&q.sql, " AS score, a.body_hash, a.title, a.published, 0 AS revrow, 0 AS rev");
	nx_search__add_from(&q, p, expr);
	if (o->all_revisions && expr != NULL) {
		nx_buf_adds(&q.sql, " UNION ALL SELECT a.id, ");
		add_score(&q, p, o, "rf", relaxed, 1);
		nx_buf_adds(&q.sql, ", '', a.title, a.published, r.rowid, r.rev");
		nx_search__add_from_revisions(&q, p, expr);
	}
	switch (o->sort) {
	case NX_SORT_NEWEST:
		nx_buf_adds(&q.sql, " ORDER BY published IS NULL, published DESC, score DESC");
		break;
	case NX_SORT_OLDEST:
		nx_buf_adds(&q.sql, " ORDER BY published IS NULL, published ASC, score DESC");
		break;
	default:
		nx_buf_adds(&q.sql, expr != NULL || o->recent ? " ORDER BY score DESC" :
			    " ORDER BY published IS NULL, published DESC");
		break;
	}
	nx_buf_adds(&q.sql, " LIMIT ");
	nx_search__sq_int(&q, want);
prepared:
	if ((rc = nx_search__sq_prepare(st, &q, &s, err)) < 0)
		goto done;
	while ((step = next_row(s, fast, hits, nhits, &at)) == SQLITE_ROW) {
		if (n == cap) {
			cand *np = realloc(c, (cap = cap ? cap * 2 : 32) * sizeof(*c));

			if (np == NULL) {
				rc = nx_error_set(err, NX_ENOMEM, "out of memory");
				goto done;
			}
			c = np;
		}
		memset(&c[n], 0, sizeof(c[n]));
		c[n].id = sqlite3_column_int64(s, 0);
		c[n].score = sqlite3_column_double(s, 1);
		{
			char hex[65];

			nx_store__hash_col(s, 2, hex);
			c[n].body_hash = hex[0] != '\0' ? strdup(hex) : NULL;
		}
		c[n].title_key = title_key(sqlite3_column_text(s, 3));
		c[n].published = sqlite3_column_type(s, 4) == SQLITE_NULL ? INT64_MIN : sqlite3_column_int64(s, 4);
		c[n].revrow = sqlite3_column_int64(s, 5);
		c[n].rev = sqlite3_column_int(s, 6);
		n++;
	}
	if (step != SQLITE_DONE)
		rc = nx_store__dberr(st, err, "cannot search the index");
done:
	sqlite3_finalize(s);
	nx_buf_free(&q.sql);
	free(hits);
	if (rc < 0) {
		nx_search__cands_free(c, n);
		return rc;
	}
	*out = c;
	*nout = n;
	return NX_OK;
}


/* Rows of the relaxed query, into *total. */
int nx_search__relaxed_count(nx_store *st, plan *p, const nx_search_opts *o, const char *relaxed_expr,
			     int count_only, int ranks, int64_t *total, nx_error *err)
{
	const nx_topk_filter *flt = NULL;
	nx_topk_hit *none = NULL;
	size_t nnone = 0;
	int fast = 0, rc = SQLITE_OK;

	*total = 0;
	/* no ranking follows: the rowids alone (a word in most rows costs a bit, not its positions) */
	if (count_only && nx_search__topk_fits(o) && topk_filter(st, p, &flt)) {
		/* no filter, words with sets of rows: the sets ORed */
		if (flt == NULL && nx_search__impact_or_count(st, &p->isets, relaxed_expr, total) == 1)
			return NX_OK;
		sqlite3 *db2 = db2_take(st, p, o);

		rc = nx_topk__or_count(st->db, db2, relaxed_expr, flt, total, NULL);
		db2_done(p, db2);
		if (rc == SQLITE_OK)
			return NX_OK;
		if (rc != SQLITE_RANGE && topk_failed(o) < 0)
			return nx_store__dberr(st, err, "cannot search the index (fast path)");
	}
	/* else the count reads the lists the relaxed ranking uses next */
	if ((fast = nx_search__topk_fits(o) ? relaxed_rank(st, p, o, relaxed_expr, 0, ranks, &none, &nnone, total) : 0) < 0)
		return nx_store__dberr(st, err, "cannot search the index (fast path)");
	free(none);
	return fast == 0 ? nx_search__count(st, p, relaxed_expr, o->all_revisions, total, err) : NX_OK;
}

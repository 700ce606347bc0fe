/*
 * test_pub_range.c - searches in a range of published days: the rows of
 * the range from the buckets of days (index/impact.c) and the frequent
 * words' sets ANDed with them (search/impact_and.c) must give the walk's
 * results (ids, scores to the bit, totals) at every depth, on ranges that
 * start and end on a bucket's edge, a second inside and outside it, hold
 * no whole bucket or none at all; articles added since: the buckets and
 * the added rows (by rowid), the sets and the added rows (walked), an
 * added one removed too; one made before removed: the index on published
 * and the walk.  Made-up words (madeup.h), their dates
 * spread over twenty years out of rowid order.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "newsidx/search.h"
#include "newsidx/store.h"
#include "index/impact.h"
#include "search/search_private.h"
#include "search/topk_rank_private.h"

#define NART 1200
#define NWORD 10
#define MIN_DF 150
#define ROWS 32
#define T0 1625708520
#define DAY 86400
#define DATED 20000
/*
 * Every sixth day of twenty years, shuffled against the rowids; every
 * fourth article a second before, on or after the edge of one of the 30
 * buckets after T0's.
 */
static int64_t when(int n)
{
	const int64_t w = (int64_t)1 << NX_IMPACT_PUB_SHIFT;

	if (n >= DATED) /* added in date order, a day apart, 40 years on (test_band_search) */
		return (int64_t)(40 * 365 + (n - DATED)) * DAY + n % 7;
	if (n % 4 == 0)
		return (nx_impact__pub_bucket(T0) + 1 + (n / 4) % 30) * w + (n / 4) % 3 - 1 - T0;
	return (int64_t)((n * 7919) % NART) * 6 * DAY + n % 5;
}
#define MADEUP_WHEN(n) when(n)

#define MADEUP_SEARCH
#define MADEUP_HITS
#include "madeup.h" /* after NWORD */

static int setup(void **state)
{
	return madeup_setup(state, "pub-range", 4242);
}

/* Words with sets, one without, a pair, a phrase, and a question of three words (counted otherwise). */
static const char *const words[] = { "zorba", "zorbe", "zorba zorbe", "zorco", "\"zorba zorbe\"", "zorba zorco zorbe",
				      "\"zorba zorco\"" };
#define NWORDS (sizeof(words) / sizeof(words[0]))

#define NRANGES 9
/* Ranges [lo, hi) of published times around the buckets' edges. */
static void ranges(int64_t lo[NRANGES], int64_t hi[NRANGES])
{
	const int64_t w = (int64_t)1 << NX_IMPACT_PUB_SHIFT;
	int64_t e = (nx_impact__pub_bucket(T0) + 3) * w; /* the start of a bucket inside the dates */
	int i = 0;
	const int64_t r[NRANGES][2] = {
		{ e, e + 5 * w },              /* five whole buckets */
		{ e - 1, e + 5 * w + 1 },      /* and a second past each edge */
		{ e + 1, e + 5 * w - 1 },      /* a second inside each edge */
		{ e + 7, e + w - 3 },          /* inside one bucket */
		{ e - DAY, e + DAY },          /* over one edge, no whole bucket */
		{ T0 - 40 * w, T0 + 400 * w }, /* everything */
		{ T0 - 40 * w, T0 - 30 * w },  /* before everything */
		{ e + 2 * w, e + 2 * w },      /* empty */
		{ e + 90 * w + 11, e + 150 * w - 5 },
	};

	for (i = 0; i < NRANGES; i++) {
		lo[i] = r[i][0];
		hi[i] = r[i][1];
	}
}

/* A search of q in [lo, hi), limit and offset, fast paths as fp, into out. */
static void search_in(nx_store *st, const char *q, int64_t lo, int64_t hi, int limit, int offset, int fp, seen *out)
{
	nx_search_opts o = NX_SEARCH_OPTS_INIT;

	o.limit = limit;
	o.offset = offset;
	o.fast_paths = fp;
	o.filter.set = NX_F_PUB_MIN | NX_F_PUB_MAX;
	o.filter.pub_min = lo;
	o.filter.pub_max = hi;
	search_opts(st, q, &o, out);
}

static const int pages[][2] = { { 0, 0 }, { 10, 0 }, { 20, 30 } };
#define NPAGES (sizeof(pages) / sizeof(pages[0]))

static seen want[NWORDS][NRANGES][NPAGES];

/* Every word, range and page as the SQL path gives it (fp OFF) into want, or checked against it. */
static void all(nx_store *st, int fp, int check)
{
	int64_t lo[NRANGES], hi[NRANGES];
	seen got;
	size_t i = 0, r = 0, p = 0;

	ranges(lo, hi);
	for (i = 0; i < NWORDS; i++)
		for (r = 0; r < NRANGES; r++)
			for (p = 0; p < NPAGES; p++) {
				search_in(st, words[i], lo[r], hi[r], pages[p][0], pages[p][1], fp,
					  check ? &got : &want[i][r][p]);
				if (check)
					assert_same(&want[i][r][p], &got);
			}
}

/* The rows of whole buckets b0..b1, counted. */
static int count_row(void *ctx, int64_t rowid)
{
	(void)rowid;
	(*(int64_t *)ctx)++;
	return 0;
}

static int64_t sql_count(nx_store *st, int64_t lo, int64_t hi)
{
	char sql[160];
	int64_t n = -1;

	snprintf(sql, sizeof(sql), "SELECT count(*) FROM article WHERE published >= %lld AND published < %lld",
		 (long long)lo, (long long)hi);
	assert_int_equal(nx_store__query_int(st, sql, &n), 0);
	return n;
}

/* Buckets from b0 - 1 on, seven at a time: served, as many rows as the index on published has. */
static void same_buckets(nx_store *st, int64_t b0)
{
	const int64_t w = (int64_t)1 << NX_IMPACT_PUB_SHIFT;
	int64_t b = 0, n = 0;

	for (b = b0 - 1; b < b0 + 110; b += 7) {
		n = 0;
		assert_int_equal(nx_impact__pub_rows(st->db, b, b + 6, count_row, &n), 1);
		assert_int_equal(n, sql_count(st, b * w, (b + 7) * w));
	}
}

/* The url of article n into u. */
static const char *url_of(int n, char u[64])
{
	snprintf(u, 64, "https://example.com/%d", n);
	return u;
}

static void test_buckets(void **state)
{
	fixture *f = *state;
	nx_error err = NX_ERROR_INIT;
	const int64_t w = (int64_t)1 << NX_IMPACT_PUB_SHIFT;
	int64_t n = 0, b0 = nx_impact__pub_bucket(T0);
	char id[17], u[64];

	assert_int_equal(nx_impact__pub_bucket(0), 0);
	assert_int_equal(nx_impact__pub_bucket(w - 1), 0);
	assert_int_equal(nx_impact__pub_bucket(w), 1);
	assert_int_equal(nx_impact__pub_bucket(-1), -1);
	assert_int_equal(nx_impact__pub_bucket(-w), -1);
	assert_int_equal(nx_impact__pub_bucket(-w - 1), -2);
	/* none before a build */
	assert_int_equal(nx_impact__pub_rows(f->st->db, b0, b0 + 10, count_row, &n), 0);
	assert_int_equal(nx_search__impact_build(f->st, MIN_DF, ROWS, &err), NX_OK);
	same_buckets(f->st, b0);
	/* articles added since: the buckets and the added rows, by rowid */
	assert_int_equal(nx_store_begin(f->st, &err), NX_OK);
	for (n = 0; n < 40; n++)
		assert_int_equal(put_article(f->st, 5000 + (int)n, "Added", "zorba added."), 0);
	assert_int_equal(nx_store_commit(f->st, &err), NX_OK);
	same_buckets(f->st, b0);
	/* an added one removed: the same; some made before removed: the buckets less them */
	assert_int_equal(nx_store_begin(f->st, &err), NX_OK);
	assert_int_equal(nx_store_remove(f->st, "https://example.com/5003", id, &err), NX_OK);
	assert_int_equal(nx_store_commit(f->st, &err), NX_OK);
	same_buckets(f->st, b0);
	assert_int_equal(nx_store_begin(f->st, &err), NX_OK);
	for (n = 7; n < NART; n += 97)
		assert_int_equal(nx_store_remove(f->st, url_of((int)n, u), id, &err), NX_OK);
	assert_int_equal(nx_store_commit(f->st, &err), NX_OK);
	same_buckets(f->st, b0);
	/* one made before replaced: set aside */
	assert_int_equal(nx_store_begin(f->st, &err), NX_OK);
	assert_int_equal(put_article(f->st, 8, "Replaced", "zorba replaced."), 0);
	assert_int_equal(nx_store_commit(f->st, &err), NX_OK);
	assert_int_equal(nx_impact__pub_rows(f->st->db, b0, b0 + 6, count_row, &n), 0);
}

/* Articles n0..n0+n-1 holding the frequent words, of lengths varied so that avgdl moves. */
static void add_some(nx_store *st, int n0, int n)
{
	nx_error err = NX_ERROR_INIT;
	char body[2048];
	int j = 0, r = 0;

	assert_int_equal(nx_store_begin(st, &err), NX_OK);
	for (j = 0; j < n; j++) {
		snprintf(body, sizeof(body), "%s", j % 2 ? "zorba zorbe zorba" : "zorbe");
		for (r = 0; r < (j * 37) % 150; r++)
			snprintf(body + strlen(body), sizeof(body) - strlen(body), " filler%c", 'a' + r % 20);
		snprintf(body + strlen(body), sizeof(body) - strlen(body), ".");
		assert_int_equal(put_article(st, n0 + j, j % 3 ? "Added" : "Added zorba", body), 0);
	}
	assert_int_equal(nx_store_commit(st, &err), NX_OK);
}

/*
 * The sets and the walk, both with a filter of rowid bits: the same total
 * and rows at every depth; again after articles are added (the sets made
 * before, the added rows walked in FTS5).
 */
static void test_every_depth(void **state)
{
	fixture *f = *state;
	nx_error err = NX_ERROR_INIT;
	nx_impact_sets *cache = NULL;
	uint64_t bits[(NART + 256) / 64 + 2];
	nx_topk_filter flt = { bits, (int64_t)sizeof(bits) * 8, NULL, NULL };
	double cw[NX_TOPK_MAX_WEIGHTS];
	nx_topk_hit *h = NULL, *wk = NULL;
	size_t nh = 0, nw = 0, k = 0, i = 0, q = 0, j = 0;
	int64_t th = 0, tw = 0;
	int ncw = 0, round = 0;

	assert_int_equal(nx_search__impact_build(f->st, MIN_DF, ROWS, &err), NX_OK);
	assert_int_equal(nx_search__register(f->st), SQLITE_OK);
	assert_true(nx_topk__weights(f->st->db, cw, &ncw));
	for (round = 0; round < 2; round++) {
		if (round == 1)
			add_some(f->st, 6000, 90);
		for (j = 0; j < 3; j++) {
			/* every 2nd, 9th, 61st row */
			memset(bits, 0, sizeof(bits));
			for (i = 0; i < sizeof(bits) * 8; i += (size_t)(j == 0 ? 2 : j == 1 ? 9 : 61))
				bits[i / 64] |= (uint64_t)1 << (i % 64);
			for (q = 0; q < 3; q++) {
				nx_query *cq = NULL;

				assert_int_equal(nx_query_compile(&cq, words[q], &err), NX_OK);
				for (k = 1; k < 200; k += k < 12 ? 1 : 37) {
					assert_int_equal(nx_search__impact_and(f->st, NULL, &cache, cq->fts, &flt, cw, ncw, k, &h, &nh, &th),
							 1);
					assert_int_equal(nx_topk__run(f->st->db, NULL, cq->fts, cw, ncw, -1, NULL, 0, &flt, k, &wk,
								      &nw, &tw, NULL, NULL),
							 SQLITE_OK);
					same_hits(h, nh, th, wk, nw, tw);
				}
				nx_query_free(cq);
			}
		}
		/* the sets read again for the index as it is now */
		nx_search__impact_sets_free(cache);
		cache = NULL;
	}
}

/* One phrase walked in two halves (two connections, two threads): the single walk's rows, scores and total. */
static void test_split_phrase(void **state)
{
	fixture *f = *state;
	nx_error err = NX_ERROR_INIT;
	nx_topk_tune split = NX_TOPK_TUNE_INIT;
	uint64_t bits[NART / 64 + 2];
	nx_topk_filter flt = { bits, (int64_t)sizeof(bits) * 8, NULL, NULL };
	double cw[NX_TOPK_MAX_WEIGHTS];
	static const char *const one[] = { "zorba", "zorco", "\"zorba zorbe\"", "\"zorba zorba\"" };
	static const size_t ks[] = { 1, 10, 40, 3000 };
	nx_store *st = NULL;
	sqlite3 *db2 = NULL;
	size_t q = 0, kk = 0, i = 0;
	int ncw = 0, fl = 0;

	/* a reader of its own: it has the second connection */
	assert_int_equal(nx_store_open(&st, f->path, NX_STORE_READ, &err), NX_OK);
	db2 = nx_store__db2(st);
	assert_non_null(db2);
	assert_int_equal(nx_search__register(st), SQLITE_OK);
	assert_true(nx_topk__weights(st->db, cw, &ncw));
	split.split_min = 1;
	memset(bits, 0, sizeof(bits));
	for (i = 0; i < NART; i += 3)
		bits[i / 64] |= (uint64_t)1 << (i % 64);
	for (q = 0; q < sizeof(one) / sizeof(one[0]); q++) {
		nx_query *cq = NULL;

		assert_int_equal(nx_query_compile(&cq, one[q], &err), NX_OK);
		for (fl = 0; fl < 2; fl++)
			for (kk = 0; kk < sizeof(ks) / sizeof(ks[0]); kk++) {
				nx_topk_hit *a = NULL, *b = NULL;
				size_t na = 0, nb = 0;
				int64_t ta = 0, tb = 0;

				assert_int_equal(nx_topk__run(st->db, db2, cq->fts, cw, ncw, -1, NULL, 0, fl ? &flt : NULL,
							      ks[kk], &b, &nb, &tb, NULL, &split),
						 SQLITE_OK);
				assert_int_equal(nx_topk__run(st->db, NULL, cq->fts, cw, ncw, -1, NULL, 0, fl ? &flt : NULL,
							      ks[kk], &a, &na, &ta, NULL, &split),
						 SQLITE_OK);
				assert_true(ta > 0);
				same_hits(a, na, ta, b, nb, tb);
			}
		nx_query_free(cq);
	}
	nx_store_close(st);
}

#define RANK_ROWS 8192

/* The rows of the bits of ctx (the test's filter as a keep() callback: no band to merge). */
static int keep_bit(void *ctx, int64_t rowid)
{
	const uint64_t *bits = ctx;

	return rowid >= 0 && rowid < RANK_ROWS && ((bits[rowid / 64] >> (rowid % 64)) & 1);
}

/*
 * The ranking of closest matches (nx_topk__rank, words ORed) merges only
 * the band of rowids a filter's bits let through, and skips stretches of
 * a window or more they leave out: the same rows, scores and totals as
 * with the same filter as a keep() callback, which merges every row, and
 * fewer rows merged.
 */
static void rank_band(nx_store *st, int from)
{
	static uint64_t bits[RANK_ROWS / 64];
	nx_topk_filter flt = { bits, RANK_ROWS, NULL, NULL };
	double cw[NX_TOPK_MAX_WEIGHTS];
	char sql[128];
	int ncw = 0;
	/* rows [a, b) every step-th, and (e > 0) 40 rows from zorba's first at or past from */
	static const int bands[][5] = {
		{ 300, 420, 1, 0, 0 }, { 300, 600, 3, 0, 0 }, { 10, 40, 1, 1, 40 }, { 777, 778, 1, 0, 0 },
		{ 500, 500, 1, 0, 0 }, { 0, 1200, 7, 0, 0 },
	};
	static const char *const ors[] = { "(\"zorba\" OR \"zorco\")",
					   "(\"zorbe\" OR \"zorba zorbe\" OR \"zorco\" OR \"fillera\")",
					   "(\"zorba\" OR \"zorbe\") AND (\"zorbe\" OR \"zorco\")" };
	static const size_t ks[] = { 0, 1, 10, 40 };
	nx_topk_filter keep = { NULL, 0, keep_bit, bits };
	sqlite3_stmt *s = NULL;
	size_t q = 0, b = 0, kk = 0;
	int i = 0, fewer = 0, hits = 0, c = 0;

	assert_true(nx_topk__weights(st->db, cw, &ncw));
	/* the second stretch starts at a row of zorba's: a merge that skipped past it would miss it */
	snprintf(sql, sizeof(sql), "SELECT min(rowid) FROM fts WHERE fts MATCH 'zorba' AND rowid >= %d", from);
	assert_int_equal(sqlite3_prepare_v2(st->db, sql, -1, &s, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_step(s), SQLITE_ROW);
	c = sqlite3_column_int(s, 0);
	sqlite3_finalize(s);
	assert_true(c >= from && c + 40 < RANK_ROWS);

	for (q = 0; q < sizeof(ors) / sizeof(ors[0]); q++)
		for (b = 0; b < sizeof(bands) / sizeof(bands[0]); b++) {
			memset(bits, 0, sizeof(bits));
			for (i = bands[b][0]; i < bands[b][1]; i += bands[b][2])
				bits[i / 64] |= (uint64_t)1 << (i % 64);
			for (i = bands[b][3] > 0 ? c : 0; i < (bands[b][3] > 0 ? c + bands[b][4] : 0); i++)
				bits[i / 64] |= (uint64_t)1 << (i % 64);
			for (kk = 0; kk < sizeof(ks) / sizeof(ks[0]); kk++) {
				nx_topk_cache *ca = NULL, *cb = NULL;
				nx_topk_hit *a = NULL, *h = NULL;
				size_t na = 0, nh = 0;
				int64_t ta = -1, th = -2;
				nx_topk_stats sa, sh;

				memset(&sa, 0, sizeof(sa));
				memset(&sh, 0, sizeof(sh));
				assert_int_equal(nx_topk__rank(st->db, &ca, ors[q], cw, 4, NULL, 0, &keep, ks[kk], &a, &na,
							       &ta, &sa, NULL),
						 SQLITE_OK);
				assert_int_equal(nx_topk__rank(st->db, &cb, ors[q], cw, 4, NULL, 0, &flt, ks[kk], &h, &nh,
							       &th, &sh, NULL),
						 SQLITE_OK);
				same_hits(a, na, ta, h, nh, th);
				assert_true(sh.rows <= sa.rows);
				if (bands[b][2] == 1)
					fewer += sh.rows < sa.rows;
				hits += (int)nh;
				nx_topk__cache_free(ca);
				nx_topk__cache_free(cb);
			}
		}
	assert_true(fewer > 10);
	assert_true(hits > 100);
}

/*
 * A filter whose rows lie in a band of rowids (a range of an archive added
 * in date order): only the band walked (topk_band.c), the same
 * rows, scores and totals as the whole walk, at every depth, on one thread
 * and split in two, with the counts a search hands over; fewer rows read
 * for words whose counts are stored and for an AND; none for a filter no
 * row passes.
 */
static void test_band(void **state)
{
	fixture *f = *state;
	nx_error err = NX_ERROR_INIT;
	nx_topk_tune whole = NX_TOPK_TUNE_INIT, band = NX_TOPK_TUNE_INIT;
	uint64_t bits[(NART + 256) / 64 + 2];
	nx_topk_filter flt = { bits, (int64_t)sizeof(bits) * 8, NULL, NULL };
	double cw[NX_TOPK_MAX_WEIGHTS];
	static const size_t ks[] = { 0, 1, 10, 40, 3000 };
	/* rows [a, b) every step-th; b == a: none */
	static const int bands[][3] = {
		{ 300, 420, 1 }, { 300, 600, 3 }, { 1000, 1100, 2 }, { 777, 778, 1 }, { 500, 500, 1 },
	};
	static const char *const ors[] = { "(\"zorba\" OR \"zorco\")", "(\"zorbe\" OR \"zorba zorbe\" OR \"zorco\")",
					   "(\"zorba\" OR \"zorbe\") AND (\"zorbe\" OR \"zorco\")" };
	int64_t fewer[NWORDS] = { 0 }, counted = 0;
	nx_store *st = NULL;
	sqlite3 *db2 = NULL;
	size_t q = 0, kk = 0, b = 0;
	int ncw = 0, sp = 0, i = 0;

	assert_int_equal(nx_store_open(&st, f->path, NX_STORE_READ, &err), NX_OK);
	db2 = nx_store__db2(st);
	assert_non_null(db2);
	assert_int_equal(nx_search__register(st), SQLITE_OK);
	assert_true(nx_topk__weights(st->db, cw, &ncw));
	whole.band = 0;
	for (q = 0; q < NWORDS; q++) {
		nx_query *cq = NULL;
		int64_t known[NX_TOPK_MAX_PHRASES];
		int n = 0;

		assert_int_equal(nx_query_compile(&cq, words[q], &err), NX_OK);
		n = nx_topk__plain(cq->fts);
		assert_true(n >= 1);
		for (i = 0; i < n; i++)
			known[i] = -1;
		nx_search__impact_counts(st, cq->fts, known, n, 1);
		if (q == 4)
			assert_true(known[0] >= MIN_DF); /* the pair's count, stored with its list */
		if (q == 6) {
			int64_t rows = 0;

			assert_int_equal(known[0], -1); /* a rarer pair: none stored, */
			assert_int_equal(nx_store__query_int(st, "SELECT count(*) FROM fts WHERE fts MATCH '\"zorba zorco\"'", &rows), 0);
			assert_true(rows > 0 && rows < MIN_DF); /* though FTS5 finds it */
		}
		for (b = 0; b < sizeof(bands) / sizeof(bands[0]); b++) {
			memset(bits, 0, sizeof(bits));
			for (i = bands[b][0]; i < bands[b][1]; i += bands[b][2])
				bits[i / 64] |= (uint64_t)1 << (i % 64);
			for (sp = 0; sp < 2; sp++) {
				whole.split_min = band.split_min = sp ? 1 : 10000;
				for (kk = 0; kk < sizeof(ks) / sizeof(ks[0]); kk++) {
					nx_topk_hit *a = NULL, *h = NULL;
					size_t na = 0, nh = 0;
					int64_t ta = -1, th = -2;
					nx_topk_stats sa, sh;

					memset(&sa, 0, sizeof(sa));
					memset(&sh, 0, sizeof(sh));
					assert_int_equal(nx_topk__run(st->db, db2, cq->fts, cw, ncw, -1, known, n, &flt, ks[kk],
								      &a, &na, &ta, &sa, &whole),
							 SQLITE_OK);
					assert_int_equal(nx_topk__run(st->db, db2, cq->fts, cw, ncw, -1, known, n, &flt, ks[kk],
								      &h, &nh, &th, &sh, &band),
							 SQLITE_OK);
					if (bands[b][0] == bands[b][1])
						assert_int_equal(sh.rows, 0); /* no row passes: nothing walked */
					assert_true(sh.rows <= sa.rows);
					if (ks[kk] > 0 && bands[b][0] < bands[b][1])
						fewer[q] += sh.rows < sa.rows;
					same_hits(a, na, ta, h, nh, th);
				}
			}
		}
		nx_query_free(cq);
	}
	/* the count of a relaxed query (words ORed, two groups ANDed) in a band: as the lists read whole count it */
	for (q = 0; q < sizeof(ors) / sizeof(ors[0]); q++) {
		for (b = 0; b < sizeof(bands) / sizeof(bands[0]); b++) {
			int64_t ta = -1, th = -2;
			nx_topk_stats sa, sh;

			memset(bits, 0, sizeof(bits));
			for (i = bands[b][0]; i < bands[b][1]; i += bands[b][2])
				bits[i / 64] |= (uint64_t)1 << (i % 64);
			memset(&sa, 0, sizeof(sa));
			memset(&sh, 0, sizeof(sh));
			nx_topk__count_band = 0;
			assert_int_equal(nx_topk__or_count(st->db, db2, ors[q], &flt, &ta, &sa), SQLITE_OK);
			nx_topk__count_band = 1;
			assert_int_equal(nx_topk__or_count(st->db, db2, ors[q], &flt, &th, &sh), SQLITE_OK);
			assert_int_equal(ta, th);
			assert_true(sh.rows < sa.rows);
			counted += th;
		}
	}
	assert_true(counted > 0);
	rank_band(st, 1150);
	/*
	 * Ranked: a word whose count is stored, an AND, a word counted first
	 * walk bands, and so does a pair of words side by side in MIN_DF rows
	 * or more (its count stored with its list: impact_pairs.c); a rarer
	 * phrase of two words, whose count needs its positions, walks whole.
	 */
	assert_true(fewer[0] > 0);
	assert_true(fewer[2] > 0);
	assert_true(fewer[3] > 0);
	assert_true(fewer[4] > 0);
	assert_int_equal(fewer[6], 0);
	nx_store_close(st);
}

/* Through nx_search: the SQL path's results before the build, after it, and after an article is added. */
static void test_same_as_sql(void **state)
{
	fixture *f = *state;
	nx_error err = NX_ERROR_INIT;

	all(f->st, NX_FAST_PATHS_OFF, 0);
	all(f->st, NX_FAST_PATHS_CHECK, 1);
	assert_int_equal(nx_search__impact_build(f->st, MIN_DF, ROWS, &err), NX_OK);
	all(f->st, NX_FAST_PATHS_CHECK, 1);
	/* added since: the buckets serve with the added rows read by rowid, the sets with those walked */
	assert_int_equal(nx_store_begin(f->st, &err), NX_OK);
	assert_int_equal(put_article(f->st, NART + 1, "zorba zorbe", "zorba zorbe zorba zorbe."), 0);
	assert_int_equal(nx_store_commit(f->st, &err), NX_OK);
	all(f->st, NX_FAST_PATHS_OFF, 0);
	all(f->st, NX_FAST_PATHS_CHECK, 1);
	assert_int_equal(nx_search__impact_build(f->st, MIN_DF, ROWS, &err), NX_OK);
	all(f->st, NX_FAST_PATHS_CHECK, 1);
	/* no filter: the sets alone, as before */
	search(f->st, "zorba zorbe", 10, 0, &want[0][0][0]);
	assert_true(want[0][0][0].total > 0);
}

/*
 * Through nx_search, an archive's latest articles added in date order (a
 * day apart): ranges of their days are bands of rowids, walked alone, and
 * give the SQL path's results (rows, scores to the bit, totals of every
 * word and of some), for one word, words together, a phrase and a
 * question whose words are not all in one article; before and after the
 * lists are made again.
 */
static void test_band_search(void **state)
{
	fixture *f = *state;
	nx_error err = NX_ERROR_INIT;
	static const char *const qs[] = { "zorba", "zorco", "zorba zorbe", "\"zorba zorbe\"", "zorba zorco fillerc",
					  "zorbe fillera fillerq" };
	const int64_t day0 = T0 + (int64_t)40 * 365 * DAY;
	static const int span[][2] = { { 10, 60 }, { 100, 101 }, { 150, 299 }, { 0, 5 } };
	seen a, b;
	size_t q = 0, r = 0, p = 0;
	int round = 0;

	add_some(f->st, DATED, 300);
	for (round = 0; round < 2; round++) {
		if (round == 1)
			assert_int_equal(nx_search__impact_build(f->st, MIN_DF, ROWS, &err), NX_OK);
		for (q = 0; q < sizeof(qs) / sizeof(qs[0]); q++)
			for (r = 0; r < sizeof(span) / sizeof(span[0]); r++)
				for (p = 0; p < NPAGES; p++) {
					int64_t lo = day0 + (int64_t)span[r][0] * DAY, hi = day0 + (int64_t)span[r][1] * DAY;

					search_in(f->st, qs[q], lo, hi, pages[p][0], pages[p][1], NX_FAST_PATHS_OFF, &a);
					search_in(f->st, qs[q], lo, hi, pages[p][0], pages[p][1], NX_FAST_PATHS_CHECK, &b);
					assert_same(&a, &b);
					if (r == 0 && p == 1 && (q == 0 || q == 2))
						assert_true(a.total > 0);
					if (r == 0 && p == 1 && q == 4) /* no article holds all three: the closest matches */
						assert_true(a.total == 0 && a.total_some > 0 && a.n > 0);
				}
	}
}

/*
 * The ranking of closest matches in a narrow band of rowids reads its
 * words' lists in the band alone (lazy ones from their sets or through
 * FTS5, others through FTS5), their idf from their rows in all: the same
 * rows, scores and totals as the lists read whole, with every lazy row
 * probed one by one or the rest read at once.  Returns how many lists
 * were read in the band.
 */
static int band_reads(nx_store *st, int64_t a, int64_t b)
{
	static uint64_t bits[RANK_ROWS / 64];
	nx_topk_filter flt = { bits, RANK_ROWS, NULL, NULL };
	static const char *const ors[] = { "(\"zorba\" OR \"zorbe\" OR \"zorco\" OR \"zorbo\")",
					   "(\"zorba\" OR \"fillera\" OR \"fillerq\" OR \"zorba zorbe\")",
					   "(\"zorbe\" OR \"zorco\") AND (\"zorba\" OR \"fillerc\" OR \"added\")",
					   "(\"fillerb\" OR \"fillers\" OR \"zorbo\" OR \"zorbu\")" };
	static const size_t ks[] = { 0, 1, 10, 40 };
	double cw[NX_TOPK_MAX_WEIGHTS];
	nx_topk_tune whole = NX_TOPK_TUNE_INIT, band = NX_TOPK_TUNE_INIT;
	size_t q = 0, kk = 0, i = 0;
	int ncw = 0, lim = 0, banded = 0, step = 0;
	int64_t r = 0;

	assert_true(nx_topk__weights(st->db, cw, &ncw));
	assert_int_equal(nx_search__register(st), SQLITE_OK);
	whole.band = 0;
	for (step = 1; step <= 3; step += 2) {
		memset(bits, 0, sizeof(bits));
		for (r = a; r <= b; r += step)
			bits[r / 64] |= (uint64_t)1 << (r % 64);
		for (lim = 0; lim < 2; lim++) {
			int64_t was = nx_topk__probe_limit_set(lim ? 0 : -1); /* 0: the rest of a list read at the first probe */

			for (q = 0; q < sizeof(ors) / sizeof(ors[0]); q++)
				for (kk = 0; kk < sizeof(ks) / sizeof(ks[0]); kk++) {
					nx_topk_cache *ca = NULL, *cb = NULL;
					nx_topk_hit *x = NULL, *h = NULL;
					size_t nx = 0, nh = 0;
					int64_t tx = -1, th = -2;

					assert_int_equal(nx_topk__rank(st->db, &ca, ors[q], cw, 4, NULL, 0, &flt, ks[kk], &x,
								       &nx, &tx, NULL, &whole),
							 SQLITE_OK);
					assert_int_equal(nx_topk__rank(st->db, &cb, ors[q], cw, 4, NULL, 0, &flt, ks[kk], &h,
								       &nh, &th, NULL, &band),
							 SQLITE_OK);
					same_hits(x, nx, tx, h, nh, th);
					for (i = 0; i < cb->n; i++)
						if (cb->l[i].done && cb->l[i].all > 0) {
							const topk_list *l = &cb->l[i];
							size_t j = 0;

							/* the band's rows (and a fresh list's rows added since its mark, read whole) */
							assert_true((int64_t)l->n < l->all);
							for (j = 0; j < l->n; j++)
								assert_true((l->rowid[j] >= a && l->rowid[j] <= b) ||
									    (l->fresh && l->rowid[j] > l->mark));
							banded++;
						}
					/* a cache of this band serves no other */
					if (ks[kk] == 1) {
						nx_topk_filter none = { NULL, 0, NULL, NULL };

						assert_int_equal(nx_topk__rank(st->db, &cb, ors[q], cw, 4, NULL, 0, &none, 1, &h,
									       &nh, &th, NULL, &band),
								 SQLITE_MISUSE);
					}
					nx_topk__cache_free(ca);
					nx_topk__cache_free(cb);
				}
			nx_topk__probe_limit_set(was);
		}
	}
	return banded;
}

/* The ranking of closest matches with stretches of rows far apart: the merge skips what lies between. */
static void test_rank_skip(void **state)
{
	fixture *f = *state;
	nx_error err = NX_ERROR_INIT;
	int64_t a = 0, b = 0;
	sqlite3_stmt *s = NULL;

	add_some(f->st, DATED + 300, 2500);
	rank_band(f->st, 3000);
	/* the rows of the first 100 days added in date order */
	assert_int_equal(sqlite3_prepare_v2(f->st->db, "SELECT min(id), min(id) + 99 FROM article WHERE published >= ?1",
					    -1, &s, NULL),
			 SQLITE_OK);
	sqlite3_bind_int64(s, 1, T0 + when(DATED) - 1);
	assert_int_equal(sqlite3_step(s), SQLITE_ROW);
	a = sqlite3_column_int64(s, 0);
	b = sqlite3_column_int64(s, 1);
	sqlite3_finalize(s);
	assert_true(a > NART && b < RANK_ROWS / 4);
	/*
	 * The lists made before the last additions (fresh), then made again
	 * (words in 1/8 of the rows or more with sets): the rows added in date
	 * order, and a band of the first articles (more of the words).
	 */
	assert_true(band_reads(f->st, a, b) > 0);
	assert_true(band_reads(f->st, 300, 420) > 0);
	assert_int_equal(nx_search__impact_build(f->st, MIN_DF, NX_IMPACT_ROWS, &err), NX_OK);
	assert_true(band_reads(f->st, a, b) > 0);
	assert_true(band_reads(f->st, 300, 420) > 0);
}

/*
 * A bucket's stored rows that are corrupt (a row past the largest the
 * index holds, a gap that runs past it, a varint cut short): an error at
 * once, the bits never grown past the index's rows, and every search in a
 * range still the SQL path's.  Read as built and after an addition (the
 * mark bounds the rows then).
 */
static void test_corrupt_buckets(void **state)
{
	fixture *f = *state;
	nx_error err = NX_ERROR_INIT;
	static const char *const bad[] = { "FFFFFFFFFFFFFFFF7F", "0180FFFFFFFF0F", "01FF", "81C0FFFF7F" };
	const int64_t b = nx_impact__pub_bucket(T0) + 4; /* inside the first range's five whole buckets */
	int64_t n = 0;
	char sql[160];
	size_t i = 0, round = 0;

	for (round = 0; round < 2; round++) {
		if (round == 1) {
			assert_int_equal(nx_store_begin(f->st, &err), NX_OK);
			assert_int_equal(put_article(f->st, NART + 2, "zorba added", "zorba zorbe zorco."), 0);
			assert_int_equal(nx_store_commit(f->st, &err), NX_OK);
		}
		assert_int_equal(nx_search__impact_build(f->st, MIN_DF, ROWS, &err), NX_OK);
		if (round == 1) { /* (the mark: read with the rows added since) */
			assert_int_equal(nx_store_begin(f->st, &err), NX_OK);
			assert_int_equal(put_article(f->st, NART + 3, "zorba again", "zorba zorbe."), 0);
			assert_int_equal(nx_store_commit(f->st, &err), NX_OK);
		}
		all(f->st, NX_FAST_PATHS_OFF, 0);
		for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
			uint64_t *bits = NULL;
			size_t cap = 0;

			snprintf(sql, sizeof(sql), "UPDATE impact_pub SET ids = x'%s' WHERE b = %lld", bad[i], (long long)b);
			assert_int_equal(sqlite3_exec(f->st->db, sql, NULL, NULL, NULL), SQLITE_OK);
			assert_int_equal(sqlite3_changes(f->st->db), 1);
			assert_int_equal(nx_impact__pub_bits(f->st->db, b - 1, b + 1, &bits, &cap), -1);
			assert_true(cap <= 1024); /* (nx_impact__bit_set starts at 1,024 words, enough for the rows) */
			free(bits);
			assert_int_equal(nx_impact__pub_rows(f->st->db, b, b, count_row, &n), -1);
			all(f->st, NX_FAST_PATHS_ON, 1);
		}
	}
	/* made again: served */
	assert_int_equal(nx_search__impact_build(f->st, MIN_DF, ROWS, &err), NX_OK);
	n = 0;
	assert_int_equal(nx_impact__pub_rows(f->st->db, b, b, count_row, &n), 1);
	assert_true(n > 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_buckets),
		cmocka_unit_test(test_every_depth),
		cmocka_unit_test(test_split_phrase),
		cmocka_unit_test(test_band),
		cmocka_unit_test(test_same_as_sql),
		cmocka_unit_test(test_band_search),
		cmocka_unit_test(test_rank_skip),
		cmocka_unit_test(test_corrupt_buckets),
	};

	return cmocka_run_group_tests(tests, setup, madeup_teardown);
}

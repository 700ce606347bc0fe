/*
 * topk.h - the best k rows of an FTS5 MATCH without scoring every row
 * (internal to the library): by FTS5's own bm25 for plain AND queries, and
 * by search.c's nx_rank for relaxed queries (an OR of phrases).
 *
 * FTS5's "ORDER BY rank LIMIT k" calls bm25 on every matching row, and
 * bm25 reads the row's length from fts_docsize (a B-tree seek) each time:
 * for a word in most articles that seek is most of the cost of a search.
 * nx_topk__run walks the matches once through an auxiliary function,
 * bounds each row's score from above with a length it can see for free
 * (the last match in each column lies inside the column), and asks for the
 * real length only of rows whose bound beats the k-th best score so far.
 * The scores are bm25's to the bit (the same operations in the same order)
 * and ties order by rowid, as FTS5's sorted scan gives them.
 *
 * nx_topk__rank does the same for nx_rank over "(p1 OR p2 ...)" or
 * "(p1 OR ...) AND (q1 OR ...)": each phrase's matches are read once into
 * a list (xQueryPhrase; the lists are kept in a cache for the next stage
 * of the same search), the lists are merged in C, every row gets an upper
 * bound, and lengths are read in the order of decreasing bound until the
 * k-th best exact score beats every bound left.  Ties order by rowid, as
 * SQLite's "ORDER BY score DESC LIMIT k" over FTS5's rowid-ordered scan.
 *
 * Both count the matching rows that pass a filter (a bitmap of allowed
 * rowids and/or a test per row) as they go: the search's total.
 */
#ifndef NX_TOPK_H
#define NX_TOPK_H

#include <sqlite3.h>
#include <stddef.h>
#include <stdint.h>

/* Most bm25 weights (columns) and phrases the fast paths handle. */
#define NX_TOPK_MAX_WEIGHTS 16
#define NX_TOPK_MAX_PHRASES 32
#define NX_TOPK_MAX_RANK_PHRASES 64

/* nx_rank's constants: BM25 k1 and b, and the gain of full coverage. */
#define NX_RANK_K1 1.2
#define NX_RANK_B 0.75
#define NX_RANK_COVERAGE_GAIN (nx_rank__params()->coverage)
#define NX_RANK_PRF_MAX 16

/*
 * The relaxed ranking's parameters (tune.c), chosen by leave-one-collection-
 * out (doc/ranking.md).  A phrase of weight 1 or more is one of the query's
 * own words (its weight is its count in the query); pairs and feedback words
 * weigh less than 1.
 */
typedef struct nx_rank_params {
	double coverage;   /* score times 1 + coverage * share of the query's words held */
	double pairs;      /* weight of adjacent word pairs as phrases (0: none) */
	int prf_terms;     /* feedback words added (0: no feedback) */
	int prf_docs;      /* from this many best partial matches */
	double prf_weight; /* weight of the best feedback word */
	int max_words;     /* a longer relaxed query keeps its most informative words (0: all) */
	double qtf;        /* weight added by each repeat of a word (same stem) */
	int filler;        /* 1: question filler ("describe", "documents") left out of relaxed queries */
} nx_rank_params;

const nx_rank_params *nx_rank__params(void);

/* One of the best rows: its score (bm25's, positive: -rank; or nx_rank's). */
typedef struct nx_topk_hit {
	int64_t rowid;
	double score;
} nx_topk_hit;

/* What a run did, for tests and profiling. */
typedef struct nx_topk_stats {
	int64_t rows;    /* rows matched (before the filter) */
	int64_t lengths; /* rows whose length was read */
	int64_t tests;   /* rows the filter's keep() was asked about */
	int64_t merges;  /* nx_topk__rank: 2 when the bounds kept were not enough */
	int64_t probes;  /* nx_topk__rank: rows of lazy lists read through FTS5 (see topk_rank.c) */
	int64_t sunk;    /* nx_topk__rank: rows whose bound fell, as they were read, below the next or the k-th */
} nx_topk_stats;

/*
 * Which matching rows count: rowid r passes when bits is NULL or r < nbits
 * and bit r of bits is set, and then when keep is NULL or keep(ctx, r)
 * returns 1 (0: drop the row; < 0: an error, the run fails).
 */
typedef struct nx_topk_filter {
	const uint64_t *bits;
	int64_t nbits;
	int (*keep)(void *ctx, int64_t rowid);
	void *ctx;
} nx_topk_filter;

/*
 * How the fast paths work, not what they return: the search uses the
 * defaults (NX_TOPK_TUNE_INIT, or NULL); tests change them to reach the
 * rarer paths.  split_min: a walk of fewer rows stays on one thread
 * (nx_topk__run).  rank_keep: nx_topk__rank keeps the best
 * max(8 k, rank_keep) bounds of a merge; 1 keeps k bounds, so that the
 * merge often runs again.  exhaustive: 1 turns off nx_topk__rank's
 * dynamic pruning (MaxScore, see topk_rank.c), so that a test can compare
 * the pruned merge with the one that looks at every row.  count_reads:
 * 1 when a ranking with the same cache follows nx_topk__rank's count
 * alone (k 0): the lists it lacks are then read whole (positions too)
 * and counted from their rowids, so that each is walked once, not once
 * for the count and again for the ranking; 0 (a count no ranking
 * follows) marks only the rowids.  rows, nrows: nx_topk__run's caller
 * saw every row of expr (of several phrases), in the same read
 * transaction: these rowids, ascending.  When every phrase's count is
 * known (known: > 0, or NX_TOPK_NO_TOKEN), each row is then scored alone
 * through an OR of the phrases with tokens at its rowid (FTS5 seeks each
 * phrase there; an AND walks from the lists' first rows to its first
 * match, even with a bound on the rowid), with the same phrases, counts
 * and positions, so the same scores.  count_db2: a count alone (k 0)
 * shares the lists it walks with a thread on this second connection to
 * the same index (nx_topk__or_count).  band: 1 lets nx_topk__run walk
 * only the band of rowids a filter's bits lie in (see
 * nx_topk__filter_band); 0 walks the whole lists, for tests to compare.
 * bm25: nx_topk__rank scores as FTS5's bm25() does (its idf, no phrase
 * weights, no coverage; colw then FTS5's column weights, 1.0 past those
 * given), the ranking of a strict query that is an OR of phrases.
 * max_keep: when > 0, a merge that keeps every bound above a floor
 * stops at that many, and nx_topk__rank returns SQLITE_FULL (the caller
 * ranks otherwise: bounds that far from the scores cost a probe each).
 */
typedef struct nx_topk_tune {
	int64_t split_min;
	size_t rank_keep;
	int exhaustive;
	int count_reads;
	const int64_t *rows;
	size_t nrows;
	sqlite3 *count_db2;
	int band;
	int bm25;
	size_t max_keep;
} nx_topk_tune;

#define NX_TOPK_TUNE_INIT { 10000, 512, 0, 0, NULL, 0, NULL, 1, 0, 0 }

/* Phrase match lists kept across the calls of one search (nx_topk__rank). */
typedef struct nx_topk_cache nx_topk_cache;

/*
 * 1 when expr is a plain AND of simple phrases, the form query.c writes
 * for words and "quoted phrases": '"a" "b c"' (one space between phrases,
 * no operator, column, prefix or parenthesis); 0 otherwise.
 */
int nx_topk__plain(const char *expr);

/*
 * The phrases of a plain expr (nx_topk__plain's form) ORed, in their
 * order: '("a" OR "b c")', malloc'd; NULL when expr is not plain (or out
 * of memory).  At a row holding every phrase it gives FTS5's instances of
 * the AND (phrases without tokens have none in either), and FTS5 seeks
 * its phrases to a rowid where it walks an AND from the lists' first rows.
 */
char *nx_topk__any_of(const char *expr);

/*
 * The number of phrases when expr is "(p1 OR p2 ...)" or
 * "(p1 OR ...) AND (q1 OR ...)" of simple phrases (the relaxed and the
 * expanded queries of search.c), *ngroup1 then the phrases of the first
 * group (all of them with one group); 0 for any other form.
 */
int nx_topk__or_shape(const char *expr, int *ngroup1);

/*
 * The bm25 column weights of the FTS5 table "fts" from its rank setting
 * ('bm25(8.0, 1.0, ...)'), parsed by SQLite as FTS5 parses them.  Returns
 * 1 and fills w[0..*nw-1]; 0 when the rank is not plain bm25 with numeric
 * weights (the fast path must not be used); SQLITE error codes < 0 never.
 */
int nx_topk__weights(sqlite3 *db, double *w, int *nw);

/*
 * The best k rows of "fts MATCH expr" that pass flt (NULL: all) by bm25
 * with weights w[0..nw-1] (1.0 past nw), best first, equal scores by
 * ascending rowid: *out is malloc'd (caller frees), *nout <= k (k may be
 * 0: count only).  nhit, when >= 0, is the number of rows matching expr
 * (unfiltered): a one-phrase expression then needs no count;
 * known[0..nknown-1], when not NULL, the rows each phrase as written
 * matches (-1: not known; NX_TOPK_NO_TOKEN: a phrase with no token, which
 * FTS5 leaves out; from nx_topk__cache_counts and the counts stored with
 * impact lists): those are not counted again.  *total
 * (when not NULL) gets the number of matching rows passing flt.
 * Returns SQLITE_OK or an SQLite error code (the connection's message).
 *
 * One phrase (nhit < 0): the walk runs inside FTS5 (xQueryPhrase) and
 * ranks by bm25 / idf, idf applied at the end from the rows walked, so the
 * list is read once.  Several phrases: one probe counts them, then a walk.
 * db2, when not NULL, is a second connection to the same index: the probe's
 * counting is then shared by two threads, and a walk whose shortest list
 * has tune->split_min rows or more (and no keep() in flt) is split in
 * two by rowid, the upper half walked on db2 by the second thread, both
 * with the probe's statistics so that every score is the same; when a
 * writer commits between the probe and the halves, the walk is redone on
 * db alone.  The result is the one a single walk gives.  A filter whose
 * bits lie in a band of rowids (a published range of an archive added in
 * date order) has only that band walked: see nx_topk__filter_band.
 * tune: see nx_topk_tune (NULL: the defaults).
 */
#define NX_TOPK_NO_TOKEN (-2)

int nx_topk__run(sqlite3 *db, sqlite3 *db2, const char *expr, const double *w, int nw, int64_t nhit,
		 const int64_t *known, int nknown, const nx_topk_filter *flt, size_t k, nx_topk_hit **out, size_t *nout, int64_t *total,
		 nx_topk_stats *stats, const nx_topk_tune *tune);

/*
 * nx_rank's idf of a phrase in hits of nrow rows, and its score of a row
 * (search.c's nx_rank computes with these): phrase i with weight w[i]
 * (1.0 marks the query's own words, which count for coverage), idf[i] and
 * weighted count freq[i] (0 when absent) in a row of dl tokens, avgdl on
 * average.
 */
double nx_topk__rank_idf(int64_t nrow, int64_t hits);
double nx_topk__rank_score(const double *idf, const double *w, const double *freq, int n, double dl,
			   double avgdl);

/*
 * The best k rows of "fts MATCH expr" passing flt (NULL: all) by nx_rank
 * with column weights colw[0..ncolw-1] (columns past ncolw count 0) and
 * phrase weights pw[0..npw-1] (1.0 past npw), best first, equal scores by
 * ascending rowid; expr has nx_topk__or_shape's form.  *out, *nout and
 * *total as for nx_topk__run.  *cache (NULL at first; free with
 * nx_topk__cache_free) keeps each phrase's matches for the next call with
 * the same colw.  tune: see nx_topk_tune (NULL: the defaults).  Returns
 * SQLITE_OK or an SQLite error code.
 *
 * When total is NULL and k > 0 the merge prunes (MaxScore): once the
 * bounds kept are many, a list whose rows cannot reach them on its own is
 * no longer walked, only looked into for the rows the other lists bring;
 * stats->rows then counts the rows looked at, not all the matches.  The
 * hits are the same.
 */
int nx_topk__rank(sqlite3 *db, nx_topk_cache **cache, const char *expr, const double *colw, int ncolw,
		  const double *pw, int npw, const nx_topk_filter *flt, size_t k, nx_topk_hit **out,
		  size_t *nout, int64_t *total, nx_topk_stats *stats, const nx_topk_tune *tune);

void nx_topk__cache_free(nx_topk_cache *c);

/*
 * Lists read ahead (topk_prefetch.c): the n phrases of phrases (each one
 * phrase, '"a b"') read whole, as nx_topk__rank reads them with colw, by
 * a second thread on db2 (its own read transaction), while the caller
 * does other work; db2 is the thread's until nx_topk__prefetch_finish.
 * *out NULL when no thread could be started (nothing read ahead).
 * Returns SQLITE_OK or SQLITE_NOMEM.
 */
typedef struct nx_topk_prefetch nx_topk_prefetch;

int nx_topk__prefetch_start(nx_topk_prefetch **out, sqlite3 *db2, const double *colw, int ncolw,
			    char *const *phrases, int n);

/*
 * The caller reads on db (in its read transaction) the phrases the thread
 * has not taken yet, waits for it, and hands the lists read over to
 * *cache (the lists cache holds already, or holds otherwise, are left
 * alone): the thread's only when it read the index db reads (the same
 * FTS5 structure record and totals), so the ranking finds what it would
 * have read itself.  *handed: the lists handed over; *set_aside: those
 * the thread read and were not (another index, or its error).  pf is then
 * spent (free it).  Returns SQLITE_OK or an SQLite error code of db's reads.
 */
int nx_topk__prefetch_finish(nx_topk_prefetch *pf, sqlite3 *db, nx_topk_cache **cache, int *handed,
			     int *set_aside);

/* Stops the thread (it takes no further phrase), waits for it, frees pf; NULL is fine. */
void nx_topk__prefetch_free(nx_topk_prefetch *pf);

/*
 * The lists of expr's phrases (nx_topk__or_shape's form) that *cache has
 * not read, when two or more, read now by two threads (the caller on db,
 * a second on db2, each taking the next phrase) and handed to *cache as
 * nx_topk__prefetch_finish does: the ranking of expr that follows finds
 * them read.  *handed: how many.  Returns SQLITE_OK or an SQLite code.
 */
int nx_topk__read_shared(sqlite3 *db, sqlite3 *db2, nx_topk_cache **cache, const char *expr, const double *colw,
			 int ncolw, int *handed);

/*
 * For each phrase of expr (nx_topk__plain's form, up to max), the rows it
 * matches when c holds its list (read by nx_topk__rank in the same read
 * transaction), else -1, into known.  Returns the number of phrases set.
 */
int nx_topk__cache_counts(const nx_topk_cache *c, const char *expr, int64_t *known, int max);

/*
 * The rows of "fts MATCH expr" (nx_topk__or_shape's form) passing flt
 * (NULL: all) into *total, as nx_topk__rank with k 0 counts them, from
 * the rowids alone: no positions read, no lists kept (topk_count.c).  For
 * a count no ranking of expr follows.  Returns SQLITE_OK, SQLITE_RANGE
 * when expr has another form or a rowid is too large for its bitmaps (the
 * caller counts otherwise), or an SQLite error code.  db2 (NULL: none): a
 * second connection to the same index, not in use meanwhile: the lists
 * walked (words without a set of rows) are shared by two threads.  A
 * filter whose rows lie in a band of rowids (nx_topk__filter_band) has
 * FTS5 match expr in the band alone instead, unless nx_topk__count_band
 * is 0 (tests compare the two).
 */
int nx_topk__or_count(sqlite3 *db, sqlite3 *db2, const char *expr, const nx_topk_filter *flt, int64_t *total,
		      nx_topk_stats *stats);
extern int nx_topk__count_band;

#endif

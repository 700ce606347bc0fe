/*
 * topk.h - the best k rows of an FTS5 MATCH by FTS5's own bm25, without
 * scoring every row (internal to the library).
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
 */
#ifndef NX_TOPK_H
#define NX_TOPK_H

#include <sqlite3.h>
#include <stddef.h>
#include <stdint.h>

/* Most bm25 weights (columns) and phrases the fast path handles. */
#define NX_TOPK_MAX_WEIGHTS 16
#define NX_TOPK_MAX_PHRASES 32

/* One of the best rows: score is bm25's, positive (-rank). */
typedef struct nx_topk_hit {
	int64_t rowid;
	double score;
} nx_topk_hit;

/* What a run did, for tests and profiling. */
typedef struct nx_topk_stats {
	int64_t rows;    /* rows matched */
	int64_t lengths; /* rows whose length was read */
} nx_topk_stats;

/*
 * 1 when expr is a plain AND of simple phrases, the form query.c writes
 * for words and "quoted phrases": '"a" "b c"' (one space between phrases,
 * no operator, column, prefix or parenthesis); 0 otherwise.
 */
int nx_topk__plain(const char *expr);

/*
 * The bm25 column weights of the FTS5 table "fts" from its rank setting
 * ('bm25(8.0, 1.0, ...)'), parsed by SQLite as FTS5 parses them.  Returns
 * 1 and fills w[0..*nw-1]; 0 when the rank is not plain bm25 with numeric
 * weights (the fast path must not be used); SQLITE error codes < 0 never.
 */
int nx_topk__weights(sqlite3 *db, double *w, int *nw);

/*
 * The best k rows of "fts MATCH expr" by bm25 with weights w[0..nw-1]
 * (1.0 past nw), best first, equal scores by ascending rowid: *out is
 * malloc'd (caller frees), *nout <= k.  nhit, when >= 0, is the number
 * of rows matching expr: a one-phrase expression then needs no count.
 * Returns SQLITE_OK or an SQLite error code (the connection's message).
 */
int nx_topk__run(sqlite3 *db, const char *expr, const double *w, int nw, int64_t nhit, size_t k,
		 nx_topk_hit **out, size_t *nout, nx_topk_stats *stats);

#endif

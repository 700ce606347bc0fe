/*
 * topk_rank_private.h - the phrase lists of nx_topk__rank (topk_rank.c
 * merges and ranks them; topk_lists.c reads, counts and probes them).
 */
#ifndef NX_SEARCH_TOPK_RANK_PRIVATE_H
#define NX_SEARCH_TOPK_RANK_PRIVATE_H

#include "search/topk_private.h"

/* Columns whose extent the lists keep (the store has 4). */
#define NX_TOPK_EXT_COLS 8

/* One phrase's matches, by ascending rowid. */
typedef struct topk_list {
	char *text; /* the phrase as written, quotes included */
	size_t len;
	size_t n, cap;
	int64_t *rowid;
	double *freq;  /* sum of the column weights of its instances, in order */
	int32_t *ext;  /* the cache's ncol a row: last offset + 1 in each column */
	int done;      /* read (the arrays may exist after a failed read) */
	/*
	 * Lazy (a word with an impact list): rowids read, not positions.  A
	 * row not probed yet has freq -s, s a bm25 score (of the word alone,
	 * the impact list's weights) its own is at most, and ext zeros; xscale
	 * turns s into a bound of the row's freq (k1 + 1) / (freq + norm).
	 */
	int lazy;
	int counted;     /* not read, only counted (n): a count with no ranking yet */
	double xscale;
	int64_t *head;   /* the impact list's rows, by ascending rowid (while reading) */
	double *hscore;  /* and their scores */
	size_t nhead;
	double tail;     /* the score of its last row: a bound for the others */
	/*
	 * Fresh (a list made before articles were added, topk_lists.c): head
	 * and tail hold bounds of (k1 + 1) f / (f + norm) itself, no idf, and
	 * the rows above mark (the added ones) are read exactly; nrow and ntok:
	 * the totals the bounds are for.
	 */
	int fresh;
	int64_t mark;
	sqlite3_int64 nrow, ntok;
} topk_list;

struct nx_topk_cache {
	topk_list *l;
	size_t n, cap;
	double colw[NX_TOPK_EXT_COLS];
	int ncolw;
	int ncol;
	int have_totals;
	sqlite3_int64 nrow, ntok;
	int lazy_ok;     /* 1: the impact lists rank with colw (lazy lists allowed), -1: they do not, 0: unknown */
	sqlite3_stmt *probe; /* one row of one phrase (probe_freq) */
};

/* What aux_collect fills: the lists of the phrases not yet read. */
typedef struct collect_state {
	nx_topk_cache *c;
	int nphrase;
	const int *which; /* list of each phrase */
	int called;
	int rc;
} collect_state;

/* The list of phrase text (at, len) in c, made (empty, unread) when new; -1 when out of memory (topk_rank.c). */
int nx_topk__cache_list(nx_topk_cache *c, const char *at, size_t len);

/* Read the lists of the phrases not read yet (and the totals) in one pass over expr's matches; *called 0: none. */
int nx_topk__read_lists(sqlite3 *db, nx_topk_cache *c, const char *expr, int n, const int *which, int *called);

/* Row p of the lazy list l read exactly (its weighted count), through FTS5 at its rowid. */
int nx_topk__probe_row(sqlite3 *db, nx_topk_cache *c, topk_list *l, size_t p);

/* l to be read lazily when its word has an impact list valid for the index as it is. */
int nx_topk__lazy_prepare(sqlite3 *db, nx_topk_cache *c, topk_list *l);

/* After the read of a lazy list: its scale from a bm25 score to nx_rank's term. */
void nx_topk__lazy_finish(const nx_topk_cache *c, topk_list *l);

/* Past this rowid the bitmaps of rows would be too large: the lists are read instead. */
#define NX_COUNT_MAX_ROWID ((int64_t)1 << 33)

/*
 * The rows of the phrase text (len bytes: one quoted FTS5 string) when it
 * is one word the query's tokenizer makes several colocated tokens of
 * (the word and its stems), each token walked alone, into *w (malloc'd,
 * *nw 64-bit words, bit r of w[r / 64] for rowid r): 1; 0 when it is no
 * such word or a walk failed (nothing allocated: walk the phrase itself)
 * (topk_forms.c).
 */
int nx_topk__forms_rows(sqlite3 *db, const char *text, size_t len, uint64_t **w, size_t *nw);

/*
 * The rows of expr (n phrases, list which[i] each, the first ng1 in group 1) that pass flt, counted
 * from their rowids in bitmaps, into *total; the lists not read get their count (counted).
 * SQLITE_RANGE: a rowid too large for the bitmaps (count otherwise).
 */
int nx_topk__count_lists(sqlite3 *db, nx_topk_cache *c, const char *expr, int n, const int *which, int ng1,
			 const nx_topk_filter *flt, int64_t *total, int *called, nx_topk_stats *st);

#endif

/*
 * impact.h - impact lists (internal to the library): for each word in
 * many articles, its best rows by the search's own ranking, stored at the
 * end of a load so that a search for the word alone reads them instead of
 * the word's whole list (see impact.c; search/impact.c builds and reads).
 */
#ifndef NX_INDEX_IMPACT_H
#define NX_INDEX_IMPACT_H

#include <sqlite3.h>
#include <stddef.h>
#include <stdint.h>

/* Words in at least this many articles get a list; fewer: the walk is cheap. */
#define NX_IMPACT_MIN_DF 50000
/*
 * Rows kept per list: a search deeper than this walks the word's list.
 * A page of 10 hits asks for 40 rows (copies of a story fold into one
 * hit, see search.c), of 50 for 160; 256 rows (about 2.8 kB) fit in one
 * page of the table.
 */
#define NX_IMPACT_ROWS 256

/*
 * Pairs of frequent words side by side in NX_IMPACT_MIN_DF articles or
 * more get a list too (search/impact_pairs.c), found in a sample of this
 * many articles, at most NX_IMPACT_MAX_PAIRS of them.
 */
#define NX_IMPACT_PAIR_SAMPLE 20000
#define NX_IMPACT_MAX_PAIRS 512

/*
 * Make the tables impact (one row per expression) and impact_state (the
 * full-text table's totals when the lists were made) and the triggers
 * that empty both when an article is removed or replaced; empties them.
 * Returns SQLITE_OK or an SQLite error code.
 */
int nx_impact__reset(sqlite3 *db);

/* Drop the lists (an index too small for any), when there are any. */
int nx_impact__drop(sqlite3 *db);

/* Store the list of expr: df rows match it, the best n by score (best first). */
int nx_impact__put(sqlite3 *db, const char *expr, int64_t df, const int64_t *rowid, const double *score,
		   size_t n);

/*
 * Store expr as a twin of the list of other (of its twin, when it is one):
 * for an expression known to match the same rows, scored the same.  1
 * when stored, 0 when other has no list, or an SQLite error code (< 0).
 */
int nx_impact__put_twin(sqlite3 *db, const char *expr, const char *other);

/* 1 when the list of expr was stored as another's twin (the same rows: it needs no set of its own), else 0. */
int nx_impact__is_twin(sqlite3 *db, const char *expr);

/*
 * The lists are complete: record the full-text table's totals they were
 * made with, and the mark (its largest rowid with them).
 */
int nx_impact__seal(sqlite3 *db);

/* Columns of the full-text table a mark can hold. */
#define NX_IMPACT_MAX_COLS 64

/*
 * Removals since the lists were made that a mark holds at most: the
 * larger of NX_IMPACT_GONE_MIN and the rows then over NX_IMPACT_GONE_SHARE.
 * Each search reads every removal (the mark) and every word's count scans
 * every removal's note (nx_impact__gone_df): past the limit the lists are
 * set aside, the walk serves, until the next optimize.  At 1M rows the
 * verbose questions cost 0.44 G instructions more per 1,000 removals and
 * the walk 3.9 G more than the lists after 1,000: even at about 1% of the
 * rows (doc/performance.md, round 14b).
 */
#define NX_IMPACT_GONE_MIN 1000
#define NX_IMPACT_GONE_SHARE 256

/* The index when the lists were made and now (nx_impact__mark). */
typedef struct nx_impact_mark {
	int64_t last;         /* the largest rowid then */
	int64_t nrow0, ntok0; /* rows and tokens (all columns) then */
	int64_t nrow, ntok;   /* now */
	int64_t added;        /* rows above last now */
	int64_t *gone;        /* the rows at or below last removed since, ascending (malloc'd; nx_impact__mark_free) */
	size_t ngone;
} nx_impact_mark;

/*
 * Whether the lists stand for the index as it is now through additions
 * and removals alone: 1 with *m when the rows above m->last are the only
 * ones added, those at or below it removed since are m->gone, and none
 * was replaced (no trigger set the mark aside, and the totals now are
 * those then less the removed rows plus the added rows': the rows
 * exactly, the tokens no more), 0 when not (no mark: an older program's
 * build, a replacement, a removed rowid given again, more removals than
 * nx_impact__gone_limit), -1 when the mark is
 * corrupt.  The caller reads in one transaction and frees *m
 * (nx_impact__mark_free) whatever the result.
 */
int nx_impact__mark(sqlite3 *db, nx_impact_mark *m);
/* The most removals a mark of nrow0 rows then holds (NX_IMPACT_GONE_MIN, NX_IMPACT_GONE_SHARE). */
int64_t nx_impact__gone_limit(int64_t nrow0);
/* For tests: NX_IMPACT_GONE_MIN in place of min (a smaller index reaches the limit); 0 restores it. */
void nx_impact__set_gone_min(int64_t min);
/* Free what a mark holds (its removed rows); m may be one nx_impact__mark left empty. */
void nx_impact__mark_free(nx_impact_mark *m);
/* 1 when rowid is one of m's removed rows, else 0. */
int nx_impact__gone(const nx_impact_mark *m, int64_t rowid);
/* Clear the bits of m's removed rows in the set w (nw words): how many of them were set. */
int64_t nx_impact__clear_gone(const nx_impact_mark *m, uint64_t *w, size_t nw);
/*
 * Before the row rowid is removed (its words still in the full-text
 * index): when it is at or below the mark, note which lists' words it
 * holds, for nx_impact__gone_df (the trigger on the removal keeps the
 * note; a removal by another program leaves its words unknown).
 * SQLITE_OK, or an SQLite error code.
 */
int nx_impact__note_removal(sqlite3 *db, int64_t rowid);
/*
 * The note of the row rowid: 1 and a newline, then each list's expression
 * (not a twin's) the row matches, each followed by a newline (malloc'd,
 * NUL-terminated), or NULL on an error.  The row's text tokenized once
 * by the index's tokenizer, unless each (or an expression other than one
 * quoted word, or no text): one FTS5 query per expression, the same note.
 */
char *nx_impact__held(sqlite3 *db, int64_t rowid, int each);
/*
 * How many of m's removed rows expr matched when its list was made (from
 * the notes of the removals when every one was noted, else its set, or
 * its list when that held every row): 1 with *n, 0 when that is not
 * known (a removal not noted, no set and a list of some rows only), -1
 * on an error.  *n is 0 without removals.
 */
int nx_impact__gone_df(sqlite3 *db, const char *expr, const nx_impact_mark *m, int64_t *n);

/* SQLite's varint (FTS5's records and fts_docsize): its bytes, 0 when cut short. */
int nx_impact__sqlite_varint(const unsigned char *p, const unsigned char *end, uint64_t *v);

/*
 * The best k rows of expr (k <= the rows kept, or all of them) into
 * rowid[] and score[] (caller's arrays of k), *n of them, and *df the
 * rows it matches.  Returns 1 when served, 0 when there is no list for
 * expr, it is too short for k or the index changed since it was made
 * (no table: an older index), -1 on an error of the list (corrupt).
 */
int nx_impact__get(sqlite3 *db, const char *expr, size_t k, int64_t *rowid, double *score, size_t *n,
		   int64_t *df);
/* The same with the list's first k rows, or all of them when it holds fewer (*n). */
int nx_impact__get_upto(sqlite3 *db, const char *expr, size_t k, int64_t *rowid, double *score, size_t *n,
			int64_t *df);

/*
 * The statement of nx_impact__df (prepared on db; the caller finalizes
 * it): SQLITE_OK, or an error (no table: an older or a small index).
 */
int nx_impact__df_prepare(sqlite3 *db, sqlite3_stmt **s);

/*
 * The rows expr matches as its list stored them (no rows read): 1 with
 * *df, 0 when expr has no list or the index changed since they were made
 * otherwise than by additions (nx_impact__mark); after additions alone,
 * the count then plus the rows above the mark that match expr (walked).
 */
int nx_impact__df(sqlite3_stmt *s, const char *expr, int64_t *df);

/*
 * The whole list of expr as it was made, whatever the index is now (see
 * nx_impact__mark): its rows into *rowid and *score (malloc'd, *n of
 * them, best first) and *df the rows it matched then.  1, 0 when there is
 * no list, -1 when it is corrupt or out of memory.
 */
int nx_impact__get_made(sqlite3 *db, const char *expr, int64_t **rowid, double **score, size_t *n, int64_t *df);

/* Words in at least 1/NX_IMPACT_SET_SHARE of the rows also get their set of rows. */
#define NX_IMPACT_SET_SHARE 8

/*
 * A set's bits are stored deflated by zlib, or, when that saves less than
 * 1/NX_IMPACT_SET_DEFLATE_GAIN of their bytes (a word in many rows: the
 * bitmap is close to random), as they are after one byte
 * NX_IMPACT_SET_RAW (a zlib stream never starts with it: its method
 * nibble is 8), so that a search reads them without inflating (at 10M
 * rows 1.25 MB a word, about 35 instructions a byte to inflate).  At 1M
 * rows 43 of 73 sets, 1.4 MB more (0.13% of the index).
 */
#define NX_IMPACT_SET_DEFLATE_GAIN 3
#define NX_IMPACT_SET_RAW 0x00

/*
 * Store the set of rows of expr (after its list: a twin stores none),
 * bit r of w[r / 64] for rowid r, nw words, and max[b], the word's best
 * score in the rows of w[b] (0 for none).  Returns SQLITE_OK or an SQLite
 * error code.
 */
int nx_impact__put_set(sqlite3 *db, const char *expr, const uint64_t *w, size_t nw, const double *max);

/*
 * The set of rows of expr into *w (malloc'd, *nw 64-bit words, bit r of
 * w[r / 64] for rowid r) and into *max (malloc'd, *nw of them) a bound of
 * the word's score in the rows of each word, no less than the best: 1
 * when served, 0 when it has none or the index changed since it was
 * made, -1 when the set is corrupt.
 */
int nx_impact__get_set(sqlite3 *db, const char *expr, uint64_t **w, size_t *nw, double **max);

/*
 * nx_impact__get_set of each of the n (at most NX_IMPACT_MAX_GET_SETS)
 * exprs into w[i], nw[i], max[i], its result into rc[i]: the rows read on
 * db by this thread, the sets inflated on two threads when two or more
 * are deflated and flags has NX_IMPACT_SETS_TWO.  NX_IMPACT_SETS_ALL:
 * none is read (every rc[i] 0) when one has no set.
 */
#define NX_IMPACT_MAX_GET_SETS 64
#define NX_IMPACT_SETS_ALL 1
#define NX_IMPACT_SETS_TWO 2
void nx_impact__get_sets(sqlite3 *db, const char *const *expr, int n, uint64_t **w, size_t *nw, double **max, int *rc,
			 int flags);

/*
 * The sets inflated by nx_impact__get_set(s) are kept for the searches
 * that follow in the process, at most NX_IMPACT_SET_MEMO_BYTES of them
 * (the sets found longest ago let go first; one set takes a quarter at
 * most: 2 MB a set at 16M rowids), found again by their deflated bytes.
 * nx_impact__set_memo_budget sets another budget (0: none kept), empties
 * the memo and its counts, and returns the budget it had;
 * nx_impact__set_memo_stats gives the sets found in it and not since then,
 * and the bytes it holds.
 */
#define NX_IMPACT_SET_MEMO_BYTES ((size_t)48 << 20)
size_t nx_impact__set_memo_budget(size_t bytes);
void nx_impact__set_memo_stats(int64_t *hits, int64_t *misses, size_t *bytes);

/*
 * The same as it was made, whatever the index is now (see
 * nx_impact__mark), and *df the rows expr matched then: 1, 0 when it has
 * none (or the sets were not made with the lists), -1 when corrupt.
 */
int nx_impact__get_set_made(sqlite3 *db, const char *expr, uint64_t **w, size_t *nw, double **max, int64_t *df);

/* Published times in buckets of 2^NX_IMPACT_PUB_SHIFT seconds (about 24 days). */
#define NX_IMPACT_PUB_SHIFT 21

/* The bucket of published time t (floor(t / 2^NX_IMPACT_PUB_SHIFT)). */
int64_t nx_impact__pub_bucket(int64_t t);

/*
 * Fill the table of the articles by published bucket (after
 * nx_impact__reset; nx_impact__seal makes it valid).  Returns SQLITE_OK
 * or an SQLite error code.
 */
int nx_impact__put_pub(sqlite3 *db);

/*
 * Call add(ctx, rowid) for every article published in buckets b0..b1
 * (rowids ascending within a bucket; after articles were added, those
 * follow, ascending); add returning < 0 stops with -1.  Returns 1 when
 * served, 0 when there is no table or it was made for another state of
 * the index than this one or this one's before additions (read the index
 * on published instead), -1 on an error or a corrupt bucket.
 */
int nx_impact__pub_rows(sqlite3 *db, int64_t b0, int64_t b1, int (*add)(void *ctx, int64_t rowid), void *ctx);

/*
 * The same rows as bits: bit r of (*bits)[r / 64] set for each, *bits
 * (*cap words, malloc'd; NULL and 0 at first) grown and zeroed past its
 * end as a row needs (nx_impact__bit_set).  The buckets' varints are
 * decoded in line, without a call per row: a range of a decade at 10M
 * articles is millions of rows.  Returns as nx_impact__pub_rows.
 */
int nx_impact__pub_bits(sqlite3 *db, int64_t b0, int64_t b1, uint64_t **bits, size_t *cap);

/*
 * The rowids of varints p..end (ascending, each the difference from the
 * one before, the first the rowid itself) as bits of *bits, grown as
 * nx_impact__bit_set grows it: 0, or -1 when corrupt (a rowid past last,
 * the largest one stored can be) or out of memory.
 */
int nx_impact__ids_bits(const unsigned char *p, const unsigned char *end, int64_t last, uint64_t **bits, size_t *cap);

/*
 * impact_src (index/impact_src.c): the articles of each outlet (col
 * "source") and of each language ("lang"), rowids ascending as varints of
 * their differences or as a bitmap, deflated when that saves a quarter,
 * made with the lists (after nx_impact__reset) with row 6 of
 * impact_state.  SQLITE_OK or an error.
 */
#define NX_IMPACT_SRC_COLS 2
enum { NX_IMPACT_SRC_SOURCE = 0, NX_IMPACT_SRC_LANG = 1 };
int nx_impact__put_src(sqlite3 *db);

/*
 * The articles whose source is LIKE `match` (ESCAPE '\', as a search's
 * filter writes it; col NX_IMPACT_SRC_SOURCE) or whose language is
 * `match` (NX_IMPACT_SRC_LANG) as bits of *bits (grown as
 * nx_impact__bit_set grows it): 1 when done, 0 when they cannot be read
 * (not made by this build, or not for the index as it is nor as it was
 * before additions and removals), -1 on an error.  The caller reads in
 * one transaction.
 */
int nx_impact__src_bits(sqlite3 *db, int col, const char *match, uint64_t **bits, size_t *cap);

/* Bit id of *bits set (id < 0: none), *bits grown as needed (*cap words, doubled, zeroed): 0, or -1 out of memory. */
int nx_impact__bit_set(uint64_t **bits, size_t *cap, int64_t id);

#endif

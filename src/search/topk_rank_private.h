/*
 * topk_rank_private.h - the phrase lists of nx_topk__rank (topk_rank.c
 * merges and ranks them; topk_lists.c reads, counts and probes them).
 */
#ifndef NX_SEARCH_TOPK_RANK_PRIVATE_H
#define NX_SEARCH_TOPK_RANK_PRIVATE_H

#include "search/topk_private.h"

/* Columns whose extent the lists keep (the store has 4). */
#define NX_TOPK_EXT_COLS 8

/*
 * nx_rank's weighted count of a row from its instances by column, as
 * row_freq adds them (colw[c] for each instance, column by column, none
 * past ncolw): the same additions in the same order, so the same double.
 */
static inline double nx_topk__count_freq(const int32_t *cnt, int ncol, const double *colw, int ncolw)
{
	double freq = 0;
	int32_t j = 0;
	int c = 0;

	for (c = 0; c < ncol && c < ncolw; c++)
		for (j = 0; j < cnt[c]; j++)
			freq += colw[c];
	return freq;
}

/* The most combinations a phrase is read as (nx_topk__forms). */
#define NX_TOPK_FORMS 8

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
	size_t nprobe;   /* lazy: rows probed (nx_topk__probe_row); past a share of its rows, the rest read at once */
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
	/*
	 * Read in a band of rowids only (nx_topk__read_band): its rows in the
	 * whole index, which its idf is of; 0 when read whole (n is that).
	 */
	int64_t all;
	int64_t df;      /* lazy, not fresh: its rows in the index, as its impact list counted them */
	int pages;       /* lazy: 0 not known yet, 1 its rows can be read at once from the pages, -1 not */
	struct nx_fts_seek *seek[NX_TOPK_FORMS]; /* lazy, pages 1: its tokens opened for probes from the pages (fts_rows.h) */
	int nseek;       /* opened; -1: they could not be (probes go through FTS5) */
} topk_list;

/* The rows of l in the whole index: what its idf is computed from. */
static inline int64_t nx_topk__list_rows(const topk_list *l)
{
	return l->all > 0 ? l->all : (int64_t)l->n;
}

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
	/*
	 * A ranking of a filter whose rows lie in a band of rowids (see
	 * nx_topk__filter_band): its words read in the band alone; the lists
	 * serve rankings with that filter only.  Lazy lists of words with
	 * sets of rows keep the rows in [band_lo, band_hi] alone.
	 */
	int band;
	int64_t band_lo, band_hi;
};

/* What aux_collect fills: the lists of the phrases not yet read. */
typedef struct collect_state {
	nx_topk_cache *c;
	int nphrase;
	const int *which; /* list of each phrase */
	const unsigned char *later; /* phrase i read after the pass, token by token (NULL: none) */
	int called;
	int rc;
} collect_state;

/* The list of phrase text (at, len) in c, made (empty, unread) when new; -1 when out of memory (topk_rank.c). */
int nx_topk__cache_list(nx_topk_cache *c, const char *at, size_t len);

/*
 * The list l (not read yet) read in the rowids [lo, hi] alone (c->band),
 * each row as the whole read gives it, and its rows in all into l->all:
 * a lazy list from its word's set of rows, else from FTS5 seeking to lo
 * (its count from its impact list; not for a fresh one); another, of one
 * word, from FTS5 likewise (counted by FTS5 without positions).
 * SQLITE_OK with l done, SQLITE_NOTFOUND when it cannot be (read it
 * whole), or an SQLite code.
 */
int nx_topk__read_band(sqlite3 *db, nx_topk_cache *c, topk_list *l, int64_t lo, int64_t hi);

/* Read the lists of the phrases not read yet (and the totals) in one pass over expr's matches; *called 0: none. */
int nx_topk__read_lists(sqlite3 *db, nx_topk_cache *c, const char *expr, int n, const int *which, int *called);

/*
 * Row p of the lazy list l read exactly (its weighted count): from the
 * index's pages when the word's tokens are known (fts_rows.c: each token
 * looked up through its doclist index, 3-12 us at 10M), else through FTS5
 * at its rowid (about 25 us at 10M: FTS5 steps through the doclist index
 * from its start).  Past NX_TOPK_PROBES + n / NX_TOPK_PROBE_SHARE probes
 * of a list of n rows every row not probed yet is read at once: in one
 * walk through FTS5's API, where a probe costs about what 256 rows of the
 * walk do, or from the pages when the tokens are known (14-27 ns a row,
 * so 500-1000 rows a probe from the pages: NX_TOPK_PROBE_SHARE_PAGES).
 */
int nx_topk__probe_row(sqlite3 *db, nx_topk_cache *c, topk_list *l, size_t p);
#define NX_TOPK_PROBES 64
#define NX_TOPK_PROBE_SHARE 256
#define NX_TOPK_PROBE_SHARE_PAGES 1024
/* For tests: the probes of a list before it is read at once (< 0: as above); the previous value. */
int64_t nx_topk__probe_limit_set(int64_t limit);

/*
 * The most entries (candidates times lists) of the table of where
 * nx_topk__rank's candidates stand in its lists (topk_rank.c; past it,
 * each is searched for); returns the previous.  Tests set 0 for the
 * search alone.
 */
size_t nx_topk__pos_max_set(size_t max);

/* l to be read lazily when its word has an impact list valid for the index as it is. */
int nx_topk__lazy_prepare(sqlite3 *db, nx_topk_cache *c, topk_list *l);

/* After the read of a lazy list: its scale from a bm25 score to nx_rank's term. */
void nx_topk__lazy_finish(const nx_topk_cache *c, topk_list *l);

/* Past this rowid the bitmaps of rows would be too large: the lists are read instead. */
#define NX_COUNT_MAX_ROWID ((int64_t)1 << 33)

/* The bitmap *b (*nb 64-bit words) grown, zeros added, to hold word at: SQLITE_OK or SQLITE_NOMEM (topk_lists.c). */
int nx_topk__bits_room(uint64_t **b, size_t *nb, size_t at);

/*
 * Interface to code in topk_forms.c: a query's phrase whose words the
 * tokenizer makes several colocated tokens of (the word and its stems:
 * "profits" is "profits" or "profit"; "sales new" is "sales new" or
 * "sale new") read combination by combination of its places' tokens,
 * where FTS5 would merge the tokens' positions at every row.
 */

/* The most places a phrase is read as (NX_TOPK_FORMS: at the top). */
#define NX_TOPK_PLACES 4

/*
 * The phrase of each combination ("\x1Fzxx\x1Ftoken token", quoted: the
 * tokenizer hands it over as it is); and when the word is one place, its
 * tokens (ntok == n), which nx_topk__forms_rows reads from the pages.
 */
typedef struct nx_topk_forms {
	int n;
	char q[NX_TOPK_FORMS][160];
	int ntok;
	char tok[NX_TOPK_FORMS][72];
} nx_topk_forms;

/*
 * 1 with *out when the phrase text (len bytes: one quoted FTS5 string)
 * has a word of several tokens, each combination of its places' tokens
 * found alone by its phrase in out (NX_TOPK_FORMS at most); 0 when not
 * (one token a place, none, too many).
 */
int nx_topk__forms(sqlite3 *db, const char *text, size_t len, nx_topk_forms *out);
/*
 * 1 with *out (one combination: the phrase as written, and its token)
 * when the phrase text (len bytes: one quoted FTS5 string) is one token
 * alone; 0 when not.
 */
int nx_topk__forms_one(sqlite3 *db, const char *text, size_t len, nx_topk_forms *out);
/*
 * The token of each place of the phrase text (len bytes: one quoted FTS5
 * string) into tok, when each place has one (a word without stems in the
 * query's languages, or a phrase of the query's stems): the places (at
 * most max), 0 when not.
 */
int nx_topk__places(sqlite3 *db, const char *text, size_t len, char tok[][72], int max);
/* For tests: off 1, every phrase read as it is (nx_topk__forms gives 0); 0 restores it. */
void nx_topk__forms_set_off(int off);

/*
 * The rows of f's phrase (those holding any of its combinations), each
 * combination read alone (from the index's pages when f has its tokens
 * and the index can be read so, else walked through FTS5), into *w (malloc'd, *nw 64-bit words, bit r of w[r / 64]
 * for rowid r): SQLITE_OK, or an SQLite code (SQLITE_RANGE: a rowid too
 * large for a bitmap) with nothing allocated.
 */
int nx_topk__forms_rows(sqlite3 *db, const nx_topk_forms *f, uint64_t **w, size_t *nw);

/* A list read token by token: its rows ascending, as collect_row reads them (malloc'd). */
typedef struct nx_topk_forms_list {
	int64_t *rowid;
	double *freq;  /* nx_rank's weighted count: colw[c] added for each instance, in the order of the places */
	int32_t *ext;  /* ncol a row: last offset + 1 in each column */
	size_t n;
} nx_topk_forms_list;

/*
 * f's phrase read combination by combination into *out (ncol columns,
 * the weights colw[0..ncolw-1]), each row's weighted count summed as
 * FTS5's merged positions give it (an instance is of one combination:
 * a document's place holds one token): SQLITE_OK, or an SQLite code
 * (nothing allocated).
 */
int nx_topk__forms_read(sqlite3 *db, const nx_topk_forms *f, int ncol, const double *colw, int ncolw,
			nx_topk_forms_list *out);
void nx_topk__forms_list_free(nx_topk_forms_list *l);

/*
 * The rows of expr (n phrases, list which[i] each, the first ng1 in group 1) that pass flt, counted
 * from their rowids in bitmaps, into *total; the lists not read get their count (counted).
 * db2 (NULL: none): a second connection to the same index, whose thread takes the lists to walk
 * in turn with this one (its rows used when it read the index db reads, else walked again on db).
 * SQLITE_RANGE: a rowid too large for the bitmaps (count otherwise).
 */
int nx_topk__count_lists(sqlite3 *db, sqlite3 *db2, nx_topk_cache *c, const char *expr, int n, const int *which,
			 int ng1, const nx_topk_filter *flt, int64_t *total, int *called, nx_topk_stats *st);

/*
 * FTS5's structure and averages records as db reads them now, into *out
 * (malloc'd, *nout bytes): the same bytes, the same lists and totals.
 * Returns an SQLite code.
 */
int nx_topk__read_structure(sqlite3 *db, void **out, int *nout);

/* Counts of nx_topk__count_lists whose second thread's walks were walked again on db (for tests). */
size_t nx_topk__count_again(void);
/* For tests: 1, the thread of a shared count takes every form and walk before the caller takes any. */
void nx_topk__count_side_first(int on);

/* -- shared by topk_lists.c and topk_count.c ---------------------------- */

/* The table's columns, rows and tokens into c, once: an SQLite code. */
int nx_topk__read_totals(const Fts5ExtensionApi *api, Fts5Context *fctx, nx_topk_cache *c);

/*
 * The rows l's word matches from its impact set into *w, *nw words of 64
 * rows (malloc'd): 1, 0 when it has none.  *above: INT64_MAX when the set
 * is valid for the index as it is; else the rows above it are not in *w.
 */
int nx_topk__list_set(sqlite3 *db, const topk_list *l, uint64_t **w, size_t *nw, int64_t *above);

/* The bits set in w (nw words). */
size_t nx_topk__bits_count(const uint64_t *w, size_t nw);

/*
 * The first row of "fts MATCH expr" given to the auxiliary function fn
 * with state (its pointer type the function's name), which does its work
 * there; *state_rc: what it reported.  Returns an SQLite code.
 */
int nx_topk__run_aux(sqlite3 *db, const char *fn, const char *expr, void *state, const int *state_rc);

#endif

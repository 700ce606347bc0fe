/*
 * search_private.h - what the files of src/search share (internal).
 *
 * A search (search.c) runs in two steps: candidates (candidates.c: rowid
 * and score only, ranked by FTS5 or by the fast paths of topk.h, with the
 * filters of sql.c applied), then the details of the few hits shown
 * (hit.c: metadata; snippet.c: highlighted title and snippet), so only
 * those are decompressed.  Around it: counting (count.c), syndicated
 * copies (dedup.c), facets (facet.c), "did you mean" (suggest.c), query
 * expansion for long queries (expand.c), similar articles (similar.c) and
 * the SQL ranking functions (rank.c).
 *
 * Functions shared between these files are named nx_search__<verb>.
 */
#ifndef NX_SEARCH_PRIVATE_H
#define NX_SEARCH_PRIVATE_H

#include <stddef.h>
#include <stdint.h>

#include "newsidx/query.h"
#include "newsidx/search.h"
#include "index/impact.h"
#include "index/store_private.h"
#include "search/topk.h"
#include "util/buf.h"

/* Feedback and word pairs are for sentence-like queries of this many words or more. */
#define NX_PRF_MIN_UNITS 3

/* SQL of the rowids of an FTS5 expression (?1), up to a limit (?2). */
#define NX_MATCH_ROWS_SQL "SELECT rowid FROM fts WHERE fts MATCH ?1 LIMIT ?2"

/* Interface to code in sql.c: SQL statements built with their bindings. */

/* An SQL statement under construction, with its bindings. */
typedef struct sq {
	nx_buf sql;
	struct {
		int is_text;
		int64_t i;
		const char *s;
	} bind[128];
	int nbind;
} sq;

/* The budget of one search on one connection (search.c). */
typedef struct nx_budget {
	int64_t deadline_ns; /* CLOCK_MONOTONIC; 0: none */
	int64_t work_left;   /* progress calls (100 VM steps each) allowed; < 0: no limit */
	int64_t work;        /* progress calls made */
	int stopped;         /* NX_BUDGET_TIME or NX_BUDGET_WORK once over */
} nx_budget;

enum { NX_BUDGET_TIME = 1, NX_BUDGET_WORK = 2 };

/* Everything a search needs besides its FTS expression. */
/* Impact sets of rows read by one search (impact_and.c). */
typedef struct nx_impact_sets nx_impact_sets;

typedef struct plan {
	nx_budget *budget;       /* of the search, on the store's connection */
	nx_budget budget2;       /* the same limits on the second connection */
	const nx_filter *f[2];   /* from the query and from the options */
	char *like_source[2];    /* LIKE patterns of f[k], made once, kept alive */
	char *like_author[2];    /* for the bindings */
	int64_t exclude_id;      /* similar: leave out this article ... */
	const char *exclude_hash;/* ... and its exact copies */
	int or_strict;           /* similar: the strict query is an OR of words, counted and ranked as a relaxed one */
	int64_t newest;          /* for the recency boost */
	const double *weights;   /* relaxed ranking: weight of each phrase */
	int nweights;
	double *qw;              /* weights of the relaxed query's words (reshape.c), or NULL: 1 each */
	int nqw;
	/* the fast paths (topk.h) */
	nx_topk_cache *cache;    /* phrase match lists, from one stage to the next */
	int flt_state;           /* 0: not made yet, 1: flt made, -1: the SQL paths filter */
	nx_topk_filter flt;      /* the filters as rowid bits and/or a test by id */
	uint64_t *bits;
	sqlite3_stmt *keep;
	const char *pre_expr;    /* the strict expression ranked while counting ... */
	nx_topk_hit *pre;        /* ... its best pre_want rows */
	size_t npre;
	int64_t pre_want;
	nx_impact_sets *isets;   /* impact sets read (impact_and.c), for the next stage */
	const char *all_expr;    /* a strict expression with fewer rows than the page (count_strict) ... */
	int64_t *all_rows;       /* ... all its rowids, ascending */
	size_t nall;
	nx_topk_prefetch *prefetch; /* a verbose question's word pairs read ahead on the second connection */
} plan;

/* Append a placeholder bound to v (an integer) or s (text, kept alive by the caller). */
void nx_search__sq_int(sq *q, int64_t v);
void nx_search__sq_text(sq *q, const char *s);
/* Prepare q on st's connection with its bindings. */
int nx_search__sq_prepare(nx_store *st, sq *q, sqlite3_stmt **out, nx_error *err);
/* " AND ..." for p's filters over the article table aliased a. */
/* A LIKE pattern matching s anywhere, with %, _ and \ escaped by '\' (malloc'd), or NULL. */
char *nx_search__like(const char *s);
void nx_search__add_filters(sq *q, plan *p, const char *a);
/* 1 when the search must look at article metadata to filter. */
int nx_search__plan_filters(const plan *p);
/* FROM ... WHERE ... of the current articles matching expr (NULL: all). */
void nx_search__add_from(sq *q, plan *p, const char *expr);
/* The same over earlier revisions (rev_fts), for --all-revisions. */
void nx_search__add_from_revisions(sq *q, plan *p, const char *expr);
void nx_search__plan_free(plan *p);
/* Column i as a new string; NULL when NULL or empty. */
char *nx_search__col_dup(sqlite3_stmt *s, int i);

/* Interface to code in rank.c: SQL functions used in ranking. */

/* Register nx_rank() and nx_decay() on st's connection; an SQLite code. */
int nx_search__register(nx_store *st);

/*
 * The key of expr's impact list (malloc'd; NULL out of memory): expr in
 * lower case, and when it is one quoted phrase of plain words, without
 * the words the index drops (FTS5 reads "told the bbc" as "told bbc").
 */
char *nx_search__list_key(nx_store *st, const char *expr);
/*
 * The best k rows of expr (one word, no filter) by bm25 with column
 * weights cw[0..ncw-1] from its impact list (impact.c; after articles
 * were added, impact_fresh.c), best first, into *out (malloc'd, *nout of
 * them) and the rows it matches into *total: 1; 0 when it has no list fit
 * for k (walk it instead); -1 on an error.
 */
int nx_search__impact_hits(nx_store *st, const char *expr, const double *cw, int ncw, size_t k, nx_topk_hit **out,
			   size_t *nout, int64_t *total);
/*
 * One word or pair of words with an impact list in a filter of rowid bits
 * (impact_range.c): the best k of its rows in the filter from its list,
 * best first, into *out (malloc'd, *nout of them) and its rows in the
 * filter into *total: 1, exactly as the walk gives them; 0 when the list
 * does not decide them (walk instead); -1 on an error.  rows_expr (or
 * NULL: expr): the same phrase as its rows are read (nx_search__stems_only).
 */
int nx_search__impact_range(nx_store *st, const char *expr, const char *rows_expr, const nx_topk_filter *flt, size_t k,
			    nx_topk_hit **out, size_t *nout, int64_t *total);
/*
 * The same from a list made before articles were added (impact_fresh.c):
 * 1 when served, exactly as the walk gives them; 0 when there is no list,
 * the index changed otherwise since, or the list ends before the best k
 * are known; -1 on an error.
 */
int nx_search__impact_fresh(nx_store *st, const char *expr, const double *cw, int ncw, size_t k, nx_topk_hit **out,
			    size_t *nout, int64_t *total);
/*
 * What bounds a word's bm25 now (nrow rows, ntok tokens, the word in df1
 * of them) from its bm25 when the lists were made (nrow0, ntok0, df0),
 * column weights no less than 0 (impact_fresh.c tells why it holds).
 */
typedef struct nx_fresh_bound {
	double idf0, idf1, rho;
} nx_fresh_bound;
void nx_search__fresh_bound_init(nx_fresh_bound *b, int64_t nrow0, int64_t ntok0, int64_t nrow, int64_t ntok,
				 int64_t df0, int64_t df1);
/* The bound of the score now of a row that scored s then; grows with s. */
double nx_search__fresh_bound(const nx_fresh_bound *b, double s);
/* The same without the idf now: a bound of the row's f (k1 + 1) / (f + L) now (b's idf1 unused). */
double nx_search__fresh_term(const nx_fresh_bound *b, double s);
/*
 * The list of expr as it was made, when it stands for the rows at or
 * below the mark of the index as it is (nx_impact__mark, into *m, which
 * the caller frees: nx_impact__mark_free; the rows removed since are still
 * in the list, m->gone): its
 * rows into *rowid and their scores then into *old (malloc'd, *n > 0 of
 * them, best first) and *df the rows it matched then; 1, 0 when there is
 * no such list or mark (nothing allocated), -1 when one is corrupt.
 */
int nx_search__fresh_list(sqlite3 *db, const char *expr, nx_impact_mark *m, int64_t **rowid, double **old,
			  size_t *n, int64_t *df);
/*
 * The set of rows of expr as it was made (nx_impact__get_set_made), when
 * it stands for the rows at or below the mark of the index as it is (into
 * *m, which the caller frees: nx_impact__mark_free; any bit above the mark
 * cleared, and those of the rows removed since, *gone of them), *df the
 * rows it matched then: 1, 0 when there is no such set or mark (nothing
 * allocated), -1 corrupt.
 */
int nx_search__fresh_set(sqlite3 *db, const char *expr, nx_impact_mark *m, uint64_t **w, size_t *nw, double **max,
			 int64_t *df, int64_t *gone);
/*
 * The rows expr matches above rowid last (the articles added since the
 * mark), ascending, each given to fn (which returns 0, else the walk
 * stops): how many were, or -1 when the walk failed or fn stopped it.
 */
int64_t nx_search__rows_above(sqlite3 *db, const char *expr, int64_t last, int (*fn)(void *ud, int64_t rowid),
			      void *ud);
/*
 * A plain AND of several words (expr: nx_topk__plain's form), or of one or
 * more words with a filter given as rowid bits alone (flt, NULL: none; a
 * filter with a keep() is not served), from the words' impact lists and
 * sets of rows (impact_and.c; *cache: the sets read, kept for the next
 * stage, NULL at first): the rows holding every word (and passing flt)
 * into *total, and the best k by bm25 with column
 * weights w[0..nw-1] into *out (malloc'd, *nout of them), exactly as
 * nx_topk__run gives them; the blocks probed by this thread and, when
 * db2 is not NULL (a second connection to the index, nobody else's
 * while this runs), by a second thread on db2.  Words without a set
 * beside one with a set: their rows read from the pages and the AND's
 * rows scored from the words' places (nx_search__and_rows_top).  1 when
 * served, 0 when no word has a set, a word's rows cannot be read, the
 * index changed since the sets were made, or the AND holds too many rows
 * to score one by one (the walk then runs).
 */
int nx_search__impact_and(nx_store *st, sqlite3 *db2, nx_impact_sets **cache, const char *expr,
			  const nx_topk_filter *flt, const double *w, int nw, size_t k, nx_topk_hit **out, size_t *nout,
			  int64_t *total);
/*
 * The best k rows of the plain AND expr (its phrases' counts df[]) among
 * the rows of and (bit r of and[r / 64], nand words; total of them, at
 * most NX_AND_ROWS_MAX), each scored from its words' places read from
 * FTS5's pages (and_rows.c), by bm25 with column weights w[0..nw-1] as
 * nx_topk__run scores them: 1 with *out (malloc'd, *nout of them), 0 when
 * they cannot be scored so (the caller walks).  max (NULL: none): for each
 * phrase with a set, the bound of its score in each block of 64 rowids
 * (impact_set's maxes), NULL for the others: such a phrase is looked up
 * only in the rows that can still enter the best k.  db2 (NULL: none): a
 * second connection to the index, whose thread reads words too
 * (nx_search__two_ways).
 */
#define NX_AND_ROWS_MAX 262144
/* For tests: 1, every phrase's rows looked up one by one; 2, every token read through; 0 (default): as it costs less. */
void nx_search__and_rows_seek(int mode);
/*
 * fn(db, i, ud) for each i in [0, n), each once, on this thread and, when
 * db2 is not NULL, on a second thread with db2 in a read transaction of
 * its own, as long as db2 reads the index db reads (FTS5's totals record
 * the same bytes; else the second thread takes none): SQLITE_OK, or the
 * first error (no item is taken after it).  fn writes what item i owns.
 */
int nx_search__two_ways(sqlite3 *db, sqlite3 *db2, int n, int (*fn)(sqlite3 *db, int i, void *ud), void *ud);
/* FTS5's totals record (fts_data id 1): its rows, its tokens and its columns (at most 16); 1, or 0 when it does not parse. */
int nx_search__fts_totals(sqlite3 *db, int64_t *nrow, int64_t *ntok, int *ncol);
/*
 * Row rowid's length as FTS5's xColumnSize(-1) gives it (the sum of its
 * ncol columns' sizes) from s, "SELECT sz FROM fts_docsize WHERE id = ?1":
 * SQLITE_OK, SQLITE_CORRUPT when the row or its sizes are missing, or an
 * error.
 */
int nx_search__row_length(sqlite3_stmt *s, int ncol, int64_t rowid, int64_t *out);
/* For tests: the second threads of nx_search__two_ways that read another index than the first's, since the start. */
size_t nx_search__two_ways_apart(void);
int nx_search__and_rows_top(sqlite3 *db, sqlite3 *db2, const char *expr, const int64_t *df,
			    const double *const *max, const uint64_t *and, size_t nand, int64_t total, const double *w,
			    int nw, size_t k, nx_topk_hit **out, size_t *nout);

/*
 * For tests: nx_search__impact_and's blocks probed on one thread (threads
 * 1), or on two with the second thread taking the first block (2); 0, the
 * default: on two when it is given a second connection.
 */
void nx_search__impact_and_split(int threads);

/* For tests: the searches whose blocks were probed again on one thread (the second connection read another index). */
size_t nx_search__impact_and_again(void);

/*
 * The rows of expr (nx_topk__or_shape's form: the relaxed query), no
 * filter, from the sets of rows of its words (those without one read from
 * the pages, beside one with a set): 1 with *total, 0 when no word has a
 * set, a word's rows cannot be read, or the index changed since the sets
 * were made.
 */
int nx_search__impact_or_count(nx_store *st, nx_impact_sets **cache, const char *expr, int64_t *total);

/*
 * The rows of each phrase of expr (n of them, a plain list of phrases) as
 * their impact lists stored them, into known[i] where it is -1 (unknown),
 * for the idf of a strict walk, which would count them, and
 * NX_TOPK_NO_TOKEN for a stop word the index drops; a single phrase only
 * when all (a walk of a band needs its count: nx_topk__run, which also
 * finds where a walk of them all splits in two).
 */
void nx_search__impact_counts(nx_store *st, const char *expr, int64_t *known, int n, int all);

/* The sets a search read (*cache of the two above; NULL: none). */
void nx_search__impact_sets_free(nx_impact_sets *c);

/* nx_search_impact_build for words in min_df rows or more, rows kept per word (tests use small ones). */
int nx_search__impact_build(nx_store *st, int64_t min_df, size_t rows, nx_error *err);
/*
 * For tests: the build's walks on one thread (threads 1; NX_IMPACT_THREADS=1
 * too), or on two when a second read connection can be had (0, the
 * default; 2: the writer waits for the second thread's first group, so
 * that it has one), the second thread's walks failing from its fail_at-th
 * group on (-1: never).
 */
void nx_search__impact_split(int threads, int fail_at);
/* For tests: the articles the build reads for the pairs of words (0: NX_IMPACT_PAIR_SAMPLE). */
void nx_search__impact_pair_sample(size_t n);
/* The groups of lists (a word and its forms) the last build walked on its second connection. */
size_t nx_search__impact_second(void);
/* nx_rank's column weights, in the index's column order (4 of them). */
const double *nx_search__colw(const nx_store *st);

/* Interface to code in stems.c: a strict walk's MATCH text. */

/* The query language whose mark stems.c tries (the tokenizer's default). */
#define NX_STEMS_LANG "en"
/*
 * expr (a plain AND of phrases, nx_topk__plain) with each phrase whose
 * words' typed forms have no row in the index written to be tokenized
 * with their stems alone: the same rows, instances and scores through
 * FTS5, without its synonym lists (malloc'd); NULL when no phrase
 * changes, expr is not plain, or on an error (walk expr as it is).
 */
char *nx_search__stems_only(nx_store *st, const char *expr);

/* Interface to code in count.c: counting matches. */

int nx_search__count(nx_store *st, plan *p, const char *expr, int revisions, int64_t *out, nx_error *err);
int64_t nx_search__vocab_df(sqlite3_stmt *df, const char *t, size_t n);
/* Prepare "the documents holding term ?1" on the index vocabulary. */
int nx_search__vocab_prepare(nx_store *st, sqlite3_stmt **df);
/* Prepare the statement of nx_search__count_upto (an auxiliary function of FTS5 that counts). */
int nx_search__upto_prepare(nx_store *st, sqlite3_stmt **s);
int64_t nx_search__count_upto(sqlite3_stmt *s, const char *t, int64_t limit);
/* The documents of term t stored with its impact list (s: nx_impact__df_prepare), -1 when none; see count.c. */
int64_t nx_search__stored_df(sqlite3_stmt *s, fts5_tokenizer *tk, Fts5Tokenizer *tok, const char *t);
/*
 * The rows of a strict query counted up to limit; when fewer, their
 * rowids (ascending) into *rows (malloc'd, NULL when none); -1 on an error.
 */
int64_t nx_search__strict_upto(nx_store *st, const char *expr, int64_t limit, int64_t **rows);

/* Interface to code in candidates.c: the ranked candidates. */

/* A candidate hit: enough to rank, collapse and fetch details. */
typedef struct cand {
	int64_t id;
	double score;
	char *body_hash;
	char *title_key; /* lower-case letters and digits of the title */
	int64_t published;
	int64_t revrow;  /* rowid in revision when an earlier version matched */
	int rev;
	int folded;      /* folded into an earlier candidate */
	int into;        /* index it was folded into */
	int some;        /* a closest match: holds some of the words, not all */
} cand;

void nx_search__cands_free(cand *c, size_t n);
/* The fast paths are off (o->fast_paths, for tests and benchmarks). */
int nx_search__topk_off(const nx_search_opts *o);
/* Ranking by relevance over the current articles: what the fast paths do. */
int nx_search__topk_fits(const nx_search_opts *o);
int nx_search__strict_walk(nx_store *st, plan *p, const nx_search_opts *o, const char *expr, int64_t want,
			   int64_t *total);

/* Interface to code in exclude.c: a strict query with exclusions on the fast path. */
typedef struct nx_exclusion {
	char *pos;           /* the words asked for: a plain query */
	uint64_t *bits;      /* the rows that pass: the filter's, less the excluded ones */
	nx_topk_filter flt;  /* those bits, and the filter's keep() */
} nx_exclusion;
/*
 * expr "P NOT N1 NOT N2 ..." (NOT at its top level) whose P is a plain
 * AND of phrases, maybe in parentheses, or an OR of phrases in
 * parentheses: P into x->pos and x->flt the
 * filter flt (NULL: none) less the rows FTS5 matches for each N.  1 done,
 * 0 when expr is no such query or P matches no row, -1 on an error (x
 * left empty).
 */
int nx_search__exclusion(sqlite3 *db, const char *expr, const nx_topk_filter *flt, nx_exclusion *x);
void nx_search__exclusion_free(nx_exclusion *x);
/* Strict walks that took exclusions out as a filter, and strict ORs ranked as bm25() (for the tests). */
extern int nx_search__exclusion_runs;
extern int nx_search__strict_or_runs;
/* For tests: the filters by outlet served from the outlets stored with the lists (candidates.c). */
extern int nx_search__src_filter_runs;
/* For tests: the searches of one phrase in one column walked on the fast path (candidates.c). */
extern int nx_search__column_runs;
/* For tests: the strict searches served by nx_search__impact_range, since the start. */
extern int nx_search__range_lists;
/*
 * count_only: no relaxed ranking follows (the strict query fills the
 * listing); ranks: one surely follows (too few strict rows for the page,
 * folded or not), so the count reads the lists it will rank with.
 */
int nx_search__relaxed_count(nx_store *st, plan *p, const nx_search_opts *o, const char *relaxed_expr,
			     int count_only, int ranks, int64_t *total, nx_error *err);
int nx_search__candidates(nx_store *st, plan *p, const nx_search_opts *o, const char *expr, int relaxed,
			  int64_t want, cand **out, size_t *nout, nx_error *err);

/* Interface to code in dedup.c: syndicated copies. */

void nx_search__collapse(cand *c, size_t n);
/* Name the copies folded into c[i] in h ("also in"). */
int nx_search__add_copies(nx_store *st, nx_hit *h, const cand *c, size_t nc, size_t i, nx_error *err);

/* Interface to code in hit.c and snippet.c: the hits shown. */

int nx_search__fill_hit(nx_store *st, nx_hit *h, const cand *c, const char *expr, const nx_search_opts *o,
			sqlite3_stmt *stmt[4], nx_error *err);
/* Register nx_highlight(fts, col) (snippet.c) with FTS5; an SQLite code. */
int nx_search__register_highlight(fts5_api *api);
/* h's title and its highlights from highlight() output (NULL: empty). */
int nx_search__title(nx_hit *h, const char *marked_title);
/* h's snippet, field and highlights from the highlight() output of three columns. */
int nx_search__snippet(nx_hit *h, const char *body, const char *caption, const char *credit,
		       const nx_search_opts *o);

/* Interface to code in facet.c, suggest.c and expand.c. */

int nx_search__facets(nx_results *r, nx_store *st, plan *p, const char *expr, const nx_search_opts *o,
		      nx_error *err);
/*
 * r->suggestion(s) for the words of q the index does not know, and when
 * few articles were found (few), for those it holds rarely (suggest.c).
 * NX_OK or NX_ENOMEM.
 */
int nx_search__suggest(nx_results *r, nx_store *st, const nx_query *q, int few);
/*
 * The Damerau-Levenshtein (optimal string alignment) distance of two byte
 * strings in half edits: 2 an edit, 1 a vowel for a vowel or a letter
 * doubled or undoubled; max + 1 when over max (suggest.c).
 */
int nx_search__edit_cost(const char *a, size_t na, const char *b, size_t nb, int max);
/* The query's adjacent word pairs as phrases, up to max, into out (malloc'd each); how many, -1 out of memory. */
int nx_search__pairs(nx_store *st, const nx_query *q, int max, char **out);
/* The most pairs an expansion of q ranks with. */
int nx_search__pairs_max(const nx_query *q);
/*
 * When a search of q under o will rank a verbose question's expansion
 * (ranks: the relaxed ranking follows the counts), its word pairs read
 * ahead by a second thread on the store's second connection (p->prefetch;
 * that connection is the thread's until nx_search__prefetch_take).
 * Nothing when the search keeps to one thread or has no second connection.
 */
void nx_search__prefetch_pairs(nx_store *st, plan *p, const nx_search_opts *o, const nx_query *q, int ranks);
/* The read-ahead ended and dropped (its lists unused), the second connection free again. */
void nx_search__prefetch_drop(nx_store *st, plan *p);
/* The pairs read ahead handed to p->cache (the ranking's lists), the thread ended: NX_OK or an error. */
int nx_search__prefetch_take(nx_store *st, plan *p, nx_error *err);
/*
 * The lists of expr (an expansion to be ranked) not read yet, read now by
 * this thread and a second on the store's second connection, into
 * p->cache; nothing when the search keeps to one thread.  NX_OK or an error.
 */
int nx_search__read_shared(nx_store *st, plan *p, const nx_search_opts *o, const char *expr, nx_error *err);
int nx_search__expand(nx_store *st, plan *p, const nx_search_opts *o, const nx_query *q, char **out_expr,
		      double **out_w, int *out_nw, nx_error *err);

/*
 * Interface to code in reshape.c: the relaxed query's words grouped by stem
 * (p->qw: each one's count in the query), question filler left out, a long
 * query cut to its most informative words; q->relaxed, q->relaxed_pos and
 * q->nunits are rewritten when that changes them.  NX_OK, or NX_ENOMEM.
 */
int nx_search__reshape(nx_store *st, nx_query *q, plan *p);

/* Interface to code in similar.c: words of a text as the index sees them. */

typedef struct term_count {
	char *term;
	int tf;
	double w;
} term_count;

typedef struct tc_ctx {
	term_count *t;
	size_t n, cap;
	int oom;
} tc_ctx;

/* The index's tokenizer ("nx"), ready to use; an SQLite code. */
int nx_search__tokenizer(nx_store *st, fts5_tokenizer *tk, Fts5Tokenizer **tok);
/* Count the words of text (in lang) into tc, stop words and short words aside. */
int nx_search__tokenize(fts5_tokenizer *tk, Fts5Tokenizer *tok, const char *lang, const char *text, tc_ctx *tc);
void nx_search__tc_free(tc_ctx *tc);

/* The distinct tokens a query's phrase of one word gives (the word, then its stems), up to NX_WORD_FORMS. */
#define NX_WORD_FORMS 8

typedef struct word_forms {
	char f[NX_WORD_FORMS][72];
	int n;
	int more;  /* a token left out (too long, or past NX_WORD_FORMS) */
} word_forms;

/* The tokens of w as FTS5 gets them for the phrase "w" of a query, into out: an SQLite code. */
int nx_search__word_forms(fts5_tokenizer *tk, Fts5Tokenizer *tok, const char *w, word_forms *out);
int nx_search__collect_token(void *ctx, int tflags, const char *tok, int n, int s, int e);

/*
 * The phrases of the pairs of frequent words (words, nwords: the
 * vocabulary's words in min_df articles or more) that stand side by side
 * in about min_df of the nrow articles or more, by a sample of at most
 * `sample` articles (impact_pairs.c), the most frequent first, each in
 * the forms commonly written (at most max phrases in all): *out (malloc'd
 * strings, each as a search writes the words typed in quotes, "\"interest
 * rates\"", and the array), *nout of them; an SQLite code.
 */
int nx_search__frequent_pairs(nx_store *st, fts5_tokenizer *tk, Fts5Tokenizer *tok, char **words, size_t nwords,
			      int64_t nrow, int64_t min_df, size_t sample, size_t max, char ***out, size_t *nout);

void nx_search__budget_start(nx_budget *b, const nx_search_opts *o);
int nx_search__budget_end(nx_budget *b, const nx_search_opts *o, int rc, nx_results **out, nx_error *err);
/* Watch b on db (b NULL: stop watching): SQLite statements past it are interrupted. */
void nx_search__budget_watch(sqlite3 *db, nx_budget *b);

/* Open (*began 1) and close a read transaction: one snapshot for a search (search.c). */
int nx_search__read_begin(nx_store *st, int *began, nx_error *err);
void nx_search__read_end(nx_store *st, int *began);

/*
 * Run body(out, st, arg, opts, budget, err) inside one read transaction
 * (one snapshot) and under opts' budget: nx_search and nx_search_similar.
 * opts NULL: the defaults.
 */
typedef int (*nx_search__body)(nx_results **out, nx_store *st, const char *arg, const nx_search_opts *opts,
			       nx_budget *b, nx_error *err);
int nx_search__guarded(nx_results **out, nx_store *st, const char *arg, const nx_search_opts *opts,
		       nx_search__body body, nx_error *err);

/* Run a search (search.c); p holds filters, and exclusions for similar. */
int nx_search__run(nx_results *r, nx_store *st, const nx_query *q, const char *strict, const char *relaxed_expr,
		   plan *p, const nx_search_opts *o, nx_error *err);

#endif

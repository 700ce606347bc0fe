/*
 * fts_rows.h - the rows of one token read straight from the full-text
 * index's leaf pages (fts_rows.c): for the counts that need rowids alone,
 * and with their instances for the lists read at once.
 */
#ifndef NX_FTS_ROWS_H
#define NX_FTS_ROWS_H

#include <stddef.h>
#include <stdint.h>
#include <sqlite3.h>

/*
 * The rows of token tok (len bytes, as the tokenizer gives it) in table
 * fts of db, bit r of (*w)[r / 64] set for rowid r (*w grown as
 * nx_topk__bits_room grows it, *nw its 64-bit words).  SQLITE_OK with
 * *rows its rows, or with *rows -1 when this index cannot be read here
 * (a write transaction open on db, another version of FTS5's format, a
 * merge under way, a deleted row not merged away, a page that does not
 * parse): then *w may hold some of the rows, and the caller walks the
 * token through FTS5's API.  Any other SQLite code: an error.
 */
int nx_fts_rows(sqlite3 *db, const char *tok, size_t len, uint64_t **w, size_t *nw, int64_t *rows);

/* The most columns nx_fts_rows_each counts. */
#define NX_FTS_ROWS_COLS 8

/*
 * One row of a token: its rowid, its instances and its last offset + 1
 * in each column (ncol of each).  SQLITE_OK goes on; any other code
 * stops the read, which returns it.
 */
typedef int (*nx_fts_row_fn)(void *ud, int64_t rowid, const int32_t *cnt, const int32_t *ext);

/*
 * The rows of token tok (len bytes) in table fts of db (ncol columns, at
 * most NX_FTS_ROWS_COLS) handed to fn one by one, each with its instances
 * as FTS5's API gives them; the rows of a segment ascend, those of
 * several may interleave.  SQLITE_OK with *rows the rows handed over, or
 * with *rows -1 when this index cannot be read here (as nx_fts_rows gives
 * up, and a table made with another detail than full, a position past
 * the columns): fn may then have had some of the rows, which the caller
 * drops before it walks the token through the API.  Any other code: an
 * error (fn's own, or SQLite's).
 */
int nx_fts_rows_each(sqlite3 *db, const char *tok, size_t len, int ncol, nx_fts_row_fn fn, void *ud,
		     int64_t *rows);

/*
 * One row of a token with its positions as FTS5 writes them (n bytes,
 * detail=full: varints, each an offset's distance from the one before
 * plus 2; 1 starts another column, its number and its first offset plus
 * 2 following).  SQLITE_OK goes on; any other code stops the read.
 */
typedef int (*nx_fts_pos_fn)(void *ud, int64_t rowid, const unsigned char *pos, size_t n);

/*
 * The rows of token tok (len bytes) in table fts of db whose bit is set
 * in keep (nkeep 64-bit words, bit r of keep[r / 64] for rowid r) handed
 * to fn with their positions, the others passed over; as
 * nx_fts_rows_each otherwise (order, *rows: all the token's rows, -1 when
 * the pages cannot be read here, fn's own code returned).
 */
int nx_fts_rows_pos(sqlite3 *db, const char *tok, size_t len, const uint64_t *keep, size_t nkeep, nx_fts_pos_fn fn,
		    void *ud, int64_t *rows);

/*
 * The next place of positions *p (up to end, as nx_fts_pos_fn has them)
 * into *col and *off (*off: the place before it in the same column, 0 at
 * first, as the caller keeps it), *p past it: 1, 0 at the end, -1 when
 * the bytes do not parse (a column past 0xFFFF, an offset past 2^31).
 */
int nx_fts_pos_next(const unsigned char **p, const unsigned char *end, uint64_t *col, uint64_t *off);

/*
 * A token's list opened for lookups of single rows, on the snapshot of the
 * index it was opened on (its read transaction stays open until it is
 * freed).
 */
typedef struct nx_fts_seek nx_fts_seek;

/*
 * Opens token tok (len bytes) of table fts of db (ncol columns, at most
 * NX_FTS_ROWS_COLS): SQLITE_OK with *out, or with *out NULL when this
 * index cannot be read here (as nx_fts_rows_each gives up).  Any other
 * code: an error.
 */
int nx_fts_seek_open(sqlite3 *db, const char *tok, size_t len, int ncol, nx_fts_seek **out);

/*
 * Row rowid of the token: SQLITE_OK with *found 1 and its instances and
 * last offset + 1 in each column in cnt and ext (ncol each), *found 0
 * when the row does not hold the token, or *found -1 when the pages do
 * not answer (the caller asks the API).  Any other code: an error.  Each
 * lookup reads the leaf the list's doclist index (or the token's leaf)
 * says the row is on, and the ones its positions run over.
 */
int nx_fts_seek_row(nx_fts_seek *s, int64_t rowid, int *found, int32_t *cnt, int32_t *ext);
void nx_fts_seek_free(nx_fts_seek *s);

/*
 * The first row of each leaf s's list starts a row on, in every segment
 * (its doclist index, the token's own leaf first), ascending in *out
 * (malloc'd, *n of them, NULL when none): each stands for about a leaf of
 * the list, so that half of them mark where half of its bytes are.
 * SQLITE_OK, or SQLITE_NOMEM.
 */
int nx_fts_seek_marks(const nx_fts_seek *s, int64_t **out, size_t *n);

/* For tests: the reads done, and those given up to the API, since the start. */
void nx_fts_rows__counts(size_t *read, size_t *gave_up);
/* For tests: the reads with instances (nx_fts_rows_each) done to the end, since the start. */
size_t nx_fts_rows__inst_reads(void);
/* For tests: the lookups (nx_fts_seek_row) the pages answered, since the start. */
size_t nx_fts_rows__lookups(void);

#endif

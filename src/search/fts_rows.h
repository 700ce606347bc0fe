/*
 * fts_rows.h - the rows of one token read straight from the full-text
 * index's leaf pages (fts_rows.c), for the counts that need rowids alone.
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

/* For tests: the reads done, and those given up to the API, since the start. */
void nx_fts_rows__counts(size_t *read, size_t *gave_up);

#endif

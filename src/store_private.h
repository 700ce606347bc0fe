/*
 * store_private.h - what search and maintenance code needs of the store.
 */
#ifndef NX_STORE_PRIVATE_H
#define NX_STORE_PRIVATE_H

#include <sqlite3.h>

#include "buf.h"
#include "newsidx/store.h"

/* All SQL lives in store.c; statements are prepared lazily and reused. */
typedef enum nx_stmt_id {
	NX_STMT_FIND_UID,
	NX_STMT_INSERT_ARTICLE,
	NX_STMT_UPDATE_ARTICLE,
	NX_STMT_DELETE_PHOTOS,
	NX_STMT_INSERT_PHOTO,
	NX_STMT_FTS_INSERT,
	NX_STMT_FTS_DELETE,
	NX_STMT_UPSERT_FILE,
	NX_STMT_FILE_ID,
	NX_STMT_INSERT_ORIGIN,
	NX_STMT_INSERT_REVISION,
	NX_STMT_REVISION_HAS_HASH,
	NX_STMT_NEXT_REV,
	NX_STMT_INSERT_ORIGINAL,
	NX_STMT_GET_ARTICLE,
	NX_STMT_GET_PHOTOS,
	NX_STMT_GET_ORIGIN,
	NX_STMT_FIND_PREFIX,
	NX_STMT_FIND_URL,
	NX_STMT_DELETE_ARTICLE,
	NX_STMT_REV_FTS_INSERT,
	NX_STMT_REV_FTS_DELETE,
	NX_STMT__COUNT
} nx_stmt_id;

struct nx_store {
	sqlite3 *db;
	char *path;
	unsigned flags;
	int in_tx;
	int keep_originals;
	char langs[256];     /* languages in the index, "en,de" (meta 'langs') */
	char *file_path;     /* the last source file recorded, and its id: a */
	int64_t file_id;     /* cache, forgotten on rollback */
	sqlite3_stmt *stmt[NX_STMT__COUNT];
};

/* Prepared statement id, reset and with bindings cleared; NULL on error (err set). */
sqlite3_stmt *nx_store__stmt(nx_store *st, nx_stmt_id id, nx_error *err);

/* Set err from the connection's last error: "what: sqlite message". */
int nx_store__dberr(nx_store *st, nx_error *err, const char *what);

/*
 * Compression used for every stored text: 4-byte little-endian length,
 * then a zlib stream.  nx_deflate appends to out; nx_inflate_blob fills out
 * with the text (NUL-terminated).  Both return NX_OK, NX_ENOMEM or
 * NX_EFORMAT (corrupt blob).
 */
int nx_deflate(nx_buf *out, const char *s, size_t len);
int nx_inflate_blob(nx_buf *out, const void *blob, size_t len);

/* Resolve a reference (id, id prefix, URL) to the article's rowid. */
int nx_store__resolve(nx_store *st, const char *ref, int64_t *rowid, nx_error *err);

/* Load the article with this rowid (current version). */
int nx_store__load(nx_article **out, nx_store *st, int64_t rowid, nx_error *err);

#endif

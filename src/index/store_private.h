/*
 * store_private.h - what search and maintenance code needs of the store.
 */
#ifndef NX_STORE_PRIVATE_H
#define NX_STORE_PRIVATE_H

#include <pthread.h>
#include <sqlite3.h>
#include <stdatomic.h>
#include <stdint.h>

#include "util/buf.h"
#include "newsidx/store.h"

/* Bodies the index's zlib dictionary is trained on (src/index/store.c, train_zdict). */
#define NX_ZDICT_SAMPLES 600

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
	NX_STMT_STAMP_FILE,
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
	NX_STMT_FIND_URL_UID,
	NX_STMT_DELETE_ARTICLE,
	NX_STMT_REV_FTS_INSERT,
	NX_STMT_REV_FTS_DELETE,
	NX_STMT_BODY_HEAD,
	NX_STMT_BLOCK_NEXT,
	NX_STMT_BLOCK_INSERT,
	NX_STMT_BLOCK_UNREF,
	NX_STMT_BLOCK_GC,
	NX_STMT_MAX_SEEN,
	NX_STMT__COUNT
} nx_stmt_id;

/* Logical FTS fields; nx_store.fcol gives each one's FTS5 column. */
enum { NX_F_TITLE, NX_F_BODY, NX_F_CAPTIONS, NX_F_CREDITS };

/* A zlib preset dictionary for bodies (table zdict), by its Adler-32. */
typedef struct nx_zdict {
	uint32_t id;
	size_t len;
	unsigned char data[];
} nx_zdict;

typedef struct nx_zworker nx_zworker;
typedef struct nx_zblock nx_zblock;

/* A connection's last block of bodies (schema 4), inflated: see inflate_ref. */
typedef struct nx_blkcache {
	sqlite3 *db;
	sqlite3_stmt *get;   /* SELECT z FROM body_block WHERE id = ?1, prepared when first needed */
	int64_t id;          /* the block held, 0: none */
	nx_buf z;            /* its compressed bytes (a changed block is told by them) */
	nx_buf text;         /* and its text */
} nx_blkcache;

struct nx_store {
	sqlite3 *db;
	sqlite3 *db2;        /* a second reader for split walks (nx_store__db2), or NULL */
	int db2_failed;      /* it could not be opened: do not retry */
	char *conn_name;     /* what db was opened as (a path or an immutable URI) */
	int conn_flags;      /* and with which flags */
	char *path;
	unsigned flags;
	int in_tx;
	int keep_originals;
	char langs[256];     /* languages in the index, "en,de" (meta 'langs') */
	char *file_path;     /* the last source file recorded, and its id: a */
	int64_t file_id;     /* cache, forgotten on rollback */
	int schema;          /* PRAGMA user_version */
	int fcol[4];         /* FTS5 column of NX_F_*: v1 title first, v2 body first */
	_Atomic(const nx_zdict *) zdict; /* dictionary new bodies are compressed with */
	nx_buf train;        /* bodies sampled to make the dictionary, end to end */
	size_t trainlen[NX_ZDICT_SAMPLES]; /* and their lengths */
	int ntrain;
	pthread_mutex_t zmu; /* guards zfree */
	nx_zworker *zfree;   /* idle compressors, one per thread that compressed */
	nx_zblock *blk_open; /* the writer's block of bodies being put (its row is written when it closes) */
	int64_t seen_max;    /* nx_sync_stamp: the latest file.seen, -1: not read yet */
	nx_blkcache bc[2];   /* for db and db2 */
	struct nx_pretok *pretok; /* nx_store_pretokenize's tokenizer */
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

/*
 * A stored body (article.body_z) into out: a blob as above, or a
 * reference into a block of bodies (schema 4), read from the index.
 */
int nx_store__inflate(nx_store *st, nx_buf *out, const void *blob, size_t len);

/* The block a body_z refers to, or 0 when it holds its own stream. */
int64_t nx_store__body_block(const void *blob, size_t len);

/*
 * The same with a preset dictionary (NULL: none).  nx_inflate_blob finds
 * the dictionary a blob needs among those of the indexes this process
 * opened (they are registered for the life of the process).
 */
int nx_deflate_dict(nx_buf *out, const char *s, size_t len, const nx_zdict *d);

/*
 * A hash column as lower-case hex digits: schema 2 stores SHA-256 digests
 * as blobs (32 bytes; body_hash and origin.hash keep the first 8), schema
 * 1 as 64 hex digits of text.  out is "" when NULL.
 */
void nx_store__hash_col(sqlite3_stmt *s, int col, char out[65]);

/*
 * A time from columns i (UTC seconds), i + 1 (offset, NULL when none) and
 * i + 2 (flags, nonzero when the time of day is known) into *t, left as
 * it is when column i is NULL.  Returns 1 when set, 0 when NULL.
 */
int nx_store__col_time(sqlite3_stmt *s, int i, nx_time *t);

/* The stop list the index was made with (nx_tokenizer_set_stopwords): schema 3 on 2, schema 2 1, else 0. */
static inline int nx_store__stoplist(const nx_store *st)
{
	return st->schema >= 3 ? 2 : st->schema == 2 ? 1 : 0;
}

/*
 * For readers that stay open (serve): pick up a schema upgrade a writer
 * made since the index was opened.  Cheap: one pragma.
 */
void nx_store__refresh(nx_store *st);

/*
 * A second read-only connection to the index, with the same functions,
 * tokenizer settings and memory map, for a search that splits one walk
 * over two threads; opened at the first call, NULL for a store opened to
 * write (its reads must see its own transaction) or when it cannot be
 * opened (the caller then walks on one thread).
 */
sqlite3 *nx_store__db2(nx_store *st);

/* Resolve a reference (id, id prefix, URL) to the article's rowid. */
int nx_store__resolve(nx_store *st, const char *ref, int64_t *rowid, nx_error *err);

/* Load the article with this rowid (current version). */
int nx_store__load(nx_article **out, nx_store *st, int64_t rowid, nx_error *err);

#endif

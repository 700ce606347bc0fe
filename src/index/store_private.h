/*
 * store_private.h - what search and maintenance code needs of the store,
 * and what the store's files share: store.c (connections, transactions,
 * the statements), schema.c (schema, upgrades, SQL functions),
 * compress.c (zlib and the dictionaries), blocks.c (blocks of bodies),
 * put.c (put, versions, origins), load.c (load, resolve), stats.c.
 */
#ifndef NX_STORE_PRIVATE_H
#define NX_STORE_PRIVATE_H

#include <pthread.h>
#include <sqlite3.h>
#include <stdatomic.h>
#include <stdint.h>

#include "util/buf.h"
#include "newsidx/store.h"
#include "index/bulk.h"
#include "index/tokenizer.h"

/* Bodies the index's zlib dictionary is trained on (src/index/store.c, train_zdict). */
#define NX_ZDICT_SAMPLES 600

/* All SQL of the statements below lives in store.c; statements are prepared lazily and reused. */
typedef enum nx_stmt_id {
	NX_STMT_FIND_UID,
	NX_STMT_FIND_ID_UID,
	NX_STMT_INSERT_ARTICLE,
	NX_STMT_UPDATE_ARTICLE,
	NX_STMT_DELETE_PHOTOS,
	NX_STMT_INSERT_PHOTO,
	NX_STMT_FTS_INSERT,
	NX_STMT_FTS_SRC,
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
	NX_STMT_FIND_URL_TRACKED,
	NX_STMT_DELETE_ARTICLE,
	NX_STMT_REV_SRC,
	NX_STMT_REV_FTS_INSERT,
	NX_STMT_REV_SRC_OF,
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
typedef struct nx_vocab_acc nx_vocab_acc;
typedef struct nx_zblock nx_zblock;

/* A connection's last block of bodies (schema 4), inflated: see inflate_ref. */
typedef struct nx_blkcache {
	sqlite3 *db;
	sqlite3_stmt *get;   /* SELECT z FROM body_block WHERE id = ?1, prepared when first needed */
	int64_t id;          /* the block held, 0: none */
	nx_buf z;            /* its compressed bytes (a changed block is told by them) */
	nx_buf text;         /* and its text */
} nx_blkcache;

/* How long a connection waits for another's lock before SQLITE_BUSY (sqlite3_busy_timeout). */
#define NX_BUSY_MS 10000

struct nx_store {
	sqlite3 *db;
	sqlite3 *db2;        /* a second reader for split walks (nx_store__db2), or NULL */
	int db2_failed;      /* it could not be opened: do not retry */
	char *conn_name;     /* what db was opened as (a path or an immutable URI) */
	int conn_flags;      /* and with which flags */
	char *path;
	unsigned flags;
	int in_tx;
	int journal_off;      /* a new archive's first transaction, with a rollback journal (nx_store__first_load_begin) */
	int keep_originals;
	char langs[256];     /* languages in the index, "en,de" (meta 'langs') */
	char *file_path;     /* the last source file recorded, and its id: a */
	int64_t file_id;     /* cache, forgotten on rollback */
	int schema;          /* PRAGMA user_version */
	int clean_urls;      /* meta 'clean_urls': made by a newsidx that drops tracking parameters at ingest */
	int has_origin_url; /* table origin_url exists: the URLs as the sources gave them */
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
	Fts5Tokenizer *tok_kept; /* the connection's kept tokenizer, through which write_fts offers sinks of words */
	nx_vocab_acc *vocab;  /* words of the articles put since the last commit (vocab.c), or NULL */
	nx_vocab_acc *vocab_debt; /* words counted ahead (nx_store_pretokenize) of articles not written */
	int deferred;         /* NX_DEFER_*: indexes a new archive's first load makes at its end (defer.c) */
	struct nx_uidmap *uidmap; /* meanwhile, the articles' ids, or NULL */
	sqlite3_stmt *stmt[NX_STMT__COUNT];
};

/*
 * A load's ids while the index of ids waits (defer.c, NX_DEFER_IDS):
 * nx_store__defer_first starts a probe for an id (0 when the map is not
 * in use or cannot hold that id: look it up in SQL), nx_store__defer_next
 * gives the rowids that may hold it, one by one (0: no more); check each
 * row's id.  nx_store__defer_note keeps a new article's rowid (it may
 * end the deferral: the indexes made there, the map gone).
 */
enum { NX_DEFER_DATES = 1, NX_DEFER_IDS = 2 };
typedef struct nx_defer_probe {
	uint32_t fp;
	size_t i;
} nx_defer_probe;
int nx_store__defer_first(const nx_store *st, const char *uid, nx_defer_probe *p);
int nx_store__defer_next(const nx_store *st, nx_defer_probe *p, int64_t *id);
int nx_store__defer_note(nx_store *st, const char *uid, int64_t id, nx_error *err);
/* The map freed, nothing made (closing the store). */
void nx_store__defer_forget(nx_store *st);

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


/*
 * A block of bodies packed together (nx_store_pack), shared by the
 * prepared articles of its members.  Made on the parser's thread; from
 * when it is queued on, only the writer touches it but for holders
 * (either thread may free a prepared article).
 */
#define NX_BLOCK_ONE (8u << 10)   /* a longer body is compressed alone */
#define NX_BLOCK_TEXT (8u << 10)  /* text of a block at most */

struct nx_zblock {
	atomic_int holders;  /* prepared articles holding it, and the store while open */
	int members;         /* bodies in it */
	int seen;            /* writer: members put so far */
	int refs;            /* writer: articles stored referring to it */
	int closed;          /* writer: its row is written (or given up): no more references */
	int64_t id;          /* writer: its row id, taken when first referred to */
	nx_buf z;            /* the bodies' text, end to end, as nx_deflate_dict makes it */
};

/* Values of an FTS row: title, body, captions, credits. */
#define NX_FTS_VALUES 4

/* Fields of the article and FTS rows, computed once per put (or ahead). */
struct nx_prepared {
	char *authors, *body, *captions, *credits;
	nx_buf body_z;
	char body_hash[65];
	char hash[65];
	nx_buf orig_z;       /* the original document, with --keep-originals */
	size_t orig_len;     /* its size */
	char orig_hash[65];  /* its sha256; "" when not kept */
	size_t body_len;
	int deferred;        /* body_z not made yet: nx_store_pack will */
	nx_zblock *blk;      /* or the body is in this block, */
	size_t blk_off;      /* from this offset of its text */
	int taped;           /* nx_store_pretokenize: the FTS values and their tokens */
	int counted;         /* nx_store_pretokenize: its words are counted ahead */
	nx_buf fts[NX_FTS_VALUES];
	nx_tape tape[NX_FTS_VALUES];
};

/*
 * The formats an origin can have (store.c).  Schema 3 stores the number
 * of one (from 1) rather than its name.
 */
#define NX_NFORMATS 11
extern const char *const nx_store__origin_formats[NX_NFORMATS];

/* ---- store.c: statements and connections ---- */

/* Run sql (no result rows); errors worded "what: message". */
int nx_store__exec(nx_store *st, const char *sql, nx_error *err, const char *what);
/* The first column of sql's first row (0 when none); -1 on error. */
int nx_store__query_int(nx_store *st, const char *sql, int64_t *out);
/* Step s once and reset it; NX_OK on a row or its end. */
int nx_store__step_done(nx_store *st, sqlite3_stmt *s, nx_error *err, const char *what);
/* Run statement id with ?1 = v, to its end; what names it in an error. */
int nx_store__run_with(nx_store *st, nx_stmt_id id, int64_t v, nx_error *err, const char *what);
/* Each row of sel (its ?1 bound to v: a rowid and the four columns) written by ins, one INSERT a row. */
int nx_store__fts_rows(nx_store *st, nx_stmt_id sel, nx_stmt_id ins, int64_t v, nx_error *err, const char *what);

/*
 * Interface to code in vocab.c: the index's words as written (table
 * vocab), the candidates of "did you mean".
 */

/* Called for each word of a text: w (n bytes, lower case, not NUL-terminated); capital: written Xxxx. */
typedef void (*nx_vocab_word_cb)(void *ctx, const char *w, size_t n, int capital);
/* The words of s as vocab counts them: runs of letters of any script, no digits, 2 to 40 bytes. */
void nx_vocab_split(const char *s, size_t len, nx_vocab_word_cb cb, void *ctx);
/* The words of a span the tokenizer hands over (nx_word_sink's span; low: NULL or the ASCII word folded), as nx_vocab_split gives them. */
void nx_vocab_span(const char *s, size_t n, const char *low, nx_vocab_word_cb cb, void *ctx);
/* Count the words of text (NULL: nothing) for the next commit; NX_OK or NX_ENOMEM. */
int nx_store__vocab_note(nx_store *st, const char *text);
/* The same for len bytes of text (not NUL-terminated). */
int nx_store__vocab_note_n(nx_store *st, const char *text, size_t len);
/* Add the counted words to the table (in the open transaction), or forget them. */
int nx_store__vocab_flush(nx_store *st, nx_error *err);
/* Count text into *acc (made when NULL): 1, 0 when a count could pass 32 bits (not counted), < 0 no memory. */
int nx_store__vocab_note_acc(nx_vocab_acc **acc, const char *text, size_t len);
/*
 * Counting words beside the tokenizer (one pass over the text, see
 * nx_pretok_run): reserve room for len bytes of text in *acc (made
 * when NULL; 1, 0 when a count could pass 32 bits: count nothing, < 0 no
 * memory), then hand every span of the text to nx_store__vocab_span (an
 * nx_word_sink's span, ctx the table), then nx_store__vocab_span_end.  A
 * pass that stopped half-way leaves counts no one can take back:
 * nx_store__vocab_broken marks the table out of memory (adopting it fails).
 */
int nx_store__vocab_reserve(nx_vocab_acc **acc, size_t len);
void nx_store__vocab_span(void *ctx, const char *s, size_t n, const char *low);
void nx_store__vocab_span_end(nx_vocab_acc *a);
/* Count len bytes of text into a (room reserved): split and counted as nx_store__vocab_note_acc. */
void nx_store__vocab_note_text(nx_vocab_acc *a, const char *text, size_t len);
void nx_store__vocab_broken(nx_vocab_acc *a);
/* The writer's table, room reserved in it for len bytes of text (flushed first when full); NX_OK or an error. */
int nx_store__vocab_acc(nx_store *st, size_t len, nx_vocab_acc **acc);
/* 1 when a ran out of memory (its counts cannot be saved). */
int nx_store__vocab_oom(const nx_vocab_acc *a);
/* The words of an article counted ahead but not written: taken back at nx_store_vocab_adopt. */
int nx_store__vocab_unnote(nx_store *st, const char *text, size_t len);
void nx_store__vocab_discard(nx_store *st);
/* A word and its counts, as a flush writes it. */
typedef struct nx_vocab_row {
	const char *w;
	size_t len;
	int64_t n, cap;
} nx_vocab_row;
/* SQLite's order of TEXT (BINARY) for qsort: bytes, then the shorter first. */
int nx_vocab_row_cmp(const void *x, const void *y);
/*
 * Interface to code in vocab_blocks.c: add the counts of v[0..n) (sorted
 * by nx_vocab_row_cmp, distinct) to the blocks of words (vocab_block), in
 * the open transaction.
 */
int nx_store__vocab_merge(nx_store *st, const nx_vocab_row *v, size_t n, nx_error *err);
/* Rewrite the blocks full and in order (the end of a new archive's load). */
int nx_store__vocab_compact(nx_store *st, nx_error *err);
/* Make the SQL table vocab (w, n, cap) that reads the blocks: each connection. */
int nx_store__vocab_register(sqlite3 *db);
/* 1 when vocab holds every article's words (meta 'vocab': 1 a table of old, 2 blocks). */
int nx_store__vocab_ready(nx_store *st);
/* Count every article's words again, in a transaction of its own (optimize). */
int nx_store__vocab_rebuild(nx_store *st, nx_error *err);
/* The same when the table is not complete yet (an index made before it): writers, on opening. */
int nx_store__vocab_upgrade(nx_store *st, nx_error *err);

/* Make table origin_url when a writer opens an index without it; note whether it exists. */
int nx_store__origin_url_upgrade(nx_store *st, nx_error *err);
/* Bind v as text, NULL as NULL. */
void nx_store__bind_text(sqlite3_stmt *s, int i, const char *v);

/* ---- schema.c ---- */

/* Open a connection and give it the functions and tokenizer the index needs. */
int nx_store__connect_db(nx_store *st, sqlite3 **pdb, nx_blkcache *bc, const char *name, int oflags,
			 nx_error *err);
/* Create the schema or upgrade it (writers); refuse what is not an index. */
int nx_store__migrate(nx_store *st, nx_error *err);
/* Read the schema version, dictionaries, languages and settings into st. */
int nx_store__load_settings(nx_store *st);
/* Remember a new language in meta 'langs'. */
int nx_store__note_lang(nx_store *st, const char *lang, nx_error *err);

/* ---- compress.c ---- */

/* Compress a body, or a block of bodies, with the store's current dictionary. */
int nx_store__deflate_body(nx_store *st, nx_buf *out, const char *s, size_t len);
int nx_store__deflate_block(nx_store *st, nx_buf *out, const char *s, size_t len);
/* Free the store's idle compressors. */
void nx_store__zworkers_free(nx_store *st);
/* nx_inflate_blob, and once more after loading db's dictionaries. */
int nx_store__inflate_db(sqlite3 *db, nx_buf *out, const void *blob, size_t len);
/* Register every dictionary of db; the one with id want goes to *cur (when not NULL). */
void nx_store__zdict_load_all(sqlite3 *db, int64_t want, const nx_zdict **cur);
/* Keep the current dictionary in the index. */
int nx_store__save_zdict(nx_store *st, nx_error *err);
/* Make the dictionary from the bodies sampled so far. */
int nx_store__make_zdict(nx_store *st, nx_error *err);
/* Sample a body for the dictionary (the first NX_ZDICT_SAMPLES make it). */
int nx_store__train_zdict(nx_store *st, const char *body, nx_error *err);

/* ---- blocks.c ---- */

void nx_store__blk_drop(nx_zblock *b);
/* Forget the open block without writing it (a rollback undid its references). */
void nx_store__blk_discard(nx_store *st);
/* Write the open block's row, if any article refers to it. */
int nx_store__blk_close(nx_store *st, nx_error *err);
/* Make r's block the open one, with an id, before an article refers to it. */
int nx_store__blk_use(nx_store *st, nx_prepared *r, nx_error *err);
/* The block article id's body is in (0: its own stream), made readable. */
int nx_store__blk_of_readable(nx_store *st, int64_t id, int64_t *block, nx_error *err);
/* An article no longer refers to block: the last one to go takes it along. */
int nx_store__blk_unref(nx_store *st, int64_t block, nx_error *err);
/* body_z of a body in a block (at most 32 bytes into out); its length. */
size_t nx_store__ref_encode(unsigned char out[32], size_t len, int64_t block, size_t off);
/* A deferred body compressed alone. */
int nx_store__pack_alone(nx_store *st, nx_prepared *r);
/* A stored body through a connection's block cache. */
int nx_store__inflate_cached(nx_blkcache *c, nx_buf *out, const void *blob, size_t len);
void nx_store__blkcache_close(nx_blkcache *c);
void nx_store__blkcache_free(nx_blkcache *c);

#endif

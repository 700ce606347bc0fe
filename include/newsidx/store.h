/*
 * newsidx/store.h - the index: one SQLite file holding compressed articles,
 * their photos, origins and earlier revisions, with an FTS5 index over them.
 *
 * Layout (schema version in PRAGMA user_version):
 *   article   one row per article: metadata, body zlib-compressed
 *   photo     photos of each article (agency, photographer, caption)
 *   revision  earlier versions of updated articles, compressed JSON
 *   file      every source file seen; origin links articles to files
 *   original  original documents, compressed, with --keep-originals
 *   fts       FTS5 over (title, body, captions, credits), external content:
 *             a view that inflates the body through nx_inflate(), so only
 *             the rows whose snippets are shown are ever decompressed.
 *
 *	nx_store *st = NULL;
 *	if (nx_store_open(&st, path, NX_STORE_WRITE, &err) < 0) ...
 *	nx_store_begin(st, &err); nx_store_put(st, article, &status, &err);
 *	nx_store_commit(st, &err); nx_store_close(st);
 */
#ifndef NEWSIDX_STORE_H
#define NEWSIDX_STORE_H

#include <stdint.h>

#include "newsidx/article.h"
#include "newsidx/error.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct nx_store nx_store;

#define NX_STORE_READ 0u   /* read-only; the index must exist */
#define NX_STORE_WRITE 1u  /* read-write; created (with its folders) if missing */

/* Current schema version written to PRAGMA user_version. */
#define NX_SCHEMA_VERSION 4

/*
 * Open the index at path.  On failure *out is NULL and err says why
 * (NX_EDB).  A busy index is waited for (busy timeout), never corrupted.
 */
int nx_store_open(nx_store **out, const char *path, unsigned flags, nx_error *err);

/* Close the index; rolls back an open transaction; NULL is fine. */
void nx_store_close(nx_store *st);

/* Transactions: put/remove may be batched between begin and commit. */
int nx_store_begin(nx_store *st, nx_error *err);
int nx_store_commit(nx_store *st, nx_error *err);
void nx_store_rollback(nx_store *st);

/*
 * A nested unit of work inside a transaction (one input file): after
 * nx_store_savepoint, nx_store_release(st, 1, err) keeps what was written
 * since, nx_store_release(st, 0, err) undoes it.
 */
int nx_store_savepoint(nx_store *st, nx_error *err);
int nx_store_release(nx_store *st, int keep, nx_error *err);

/* Index setting: keep original documents, compressed (default off). */
int nx_store_set_keep_originals(nx_store *st, int on, nx_error *err);
int nx_store_keep_originals(nx_store *st);

enum {
	NX_PUT_ADDED = 1,   /* a new article */
	NX_PUT_UPDATED,     /* a newer version replaced the indexed one */
	NX_PUT_UNCHANGED,   /* this version was already in the index */
	NX_PUT_REVISION     /* an older version: kept as a revision only */
};

/* Short name of a put status: "added", "updated", "unchanged". */
const char *nx_put_status_name(int status);

/*
 * Save an article (its id must be set: see nx_article_identify).  The
 * newest version of an article (by updated time, else capture time) is the
 * one indexed; other versions are kept as revisions.  *status receives one
 * of NX_PUT_*.  Returns NX_OK or NX_EDB/NX_ENOMEM.
 */
int nx_store_put(nx_store *st, const nx_article *a, int *status, nx_error *err);

/*
 * The part of nx_store_put that needs no database -- joining the text,
 * compressing the body, hashing -- done ahead, possibly on another thread
 * than the store's (a bulk loader parses and prepares on one core while
 * the other writes).  nx_store_prepare may run concurrently with any
 * call on the same store; the prepared article must be put into that
 * store with nx_store_put_prepared, which gives the same result as
 * nx_store_put(st, a, ...).  *out is NULL on failure (NX_ENOMEM).
 */
typedef struct nx_prepared nx_prepared;

int nx_store_prepare(nx_prepared **out, nx_store *st, const nx_article *a, nx_error *err);

/*
 * For a bulk loader: nx_store_prepare_deferred leaves the body
 * uncompressed, and nx_store_pack then compresses the bodies of several
 * articles prepared so (consecutive ones of one file, in the order they
 * will be put) together, in blocks of up to NX_PACK_MAX: one zlib stream
 * for a few short bodies compresses smaller and costs less than a
 * stream each.  Entries that are NULL or not deferred are skipped; a body
 * too long to share a block is compressed alone.  Put them in that order
 * within one savepoint (or transaction); a prepared article left
 * deferred (pack failed) is compressed alone when put.
 */
#define NX_PACK_MAX 5
int nx_store_prepare_deferred(nx_prepared **out, nx_store *st, const nx_article *a, nx_error *err);
int nx_store_pack(nx_store *st, nx_prepared **v, int n, nx_error *err);
int nx_store_put_prepared(nx_store *st, const nx_article *a, nx_prepared *p, int *status, nx_error *err);
void nx_prepared_free(nx_prepared *p);

/*
 * For a bulk loader whose writer is the slower thread: nx_store_pretokenize
 * makes the full-text tokens of a prepared article ahead, on the preparing
 * thread, and putting it replays them instead of tokenizing on the
 * writer's (the same index either way).  nx_store_pretok_start, called
 * before the preparing thread starts, makes the tokenizer it uses (without
 * it, nx_store_pretokenize does nothing); one thread at a time may
 * pretokenize.
 */
int nx_store_pretok_start(nx_store *st, nx_error *err);
int nx_store_pretokenize(nx_store *st, nx_prepared *p, const nx_article *a, nx_error *err);

/*
 * Resolve ref -- a full id, a unique id prefix of at least 4 hex digits, or
 * a URL -- to the current version of the article.  *out is a new article
 * the caller frees (origin filled from the first file it came from).
 * Returns NX_OK, NX_ENOTFOUND, NX_EAMBIGUOUS or NX_EDB.
 */
int nx_store_get(nx_article **out, nx_store *st, const char *ref, nx_error *err);

/* Remove an article, its photos, revisions and origins.  The removed id
 * is written to id_out (17 bytes) when not NULL. */
int nx_store_remove(nx_store *st, const char *ref, char id_out[17], nx_error *err);

typedef struct nx_stats {
	int64_t articles;
	int64_t photos;
	int64_t revisions;
	int64_t files;
	int64_t text_bytes;   /* uncompressed body bytes of current articles */
	int64_t stored_bytes; /* compressed body bytes */
	int64_t originals;    /* original documents kept */
	int64_t db_bytes;     /* size of the index file */
	nx_time oldest;       /* earliest and latest published time */
	nx_time newest;
	int schema;
} nx_stats;

int nx_store_stats(nx_stats *out, nx_store *st, nx_error *err);

/* Path of the index (owned by st). */
const char *nx_store_path(const nx_store *st);

#ifdef __cplusplus
}
#endif
#endif

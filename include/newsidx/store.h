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
/*
 * With NX_STORE_READ: a reader for a question or two (a command line's
 * search), which reads the pages it needs rather than mapping the file.
 * A reader without it maps the whole index file, which serves the pages
 * of many questions from the kernel's page cache in place but costs a
 * page fault the first time each page is touched (more than reading it
 * once).  The mapped pages count in the process's resident size.
 */
#define NX_STORE_BRIEF 2u

/* Current schema version written to PRAGMA user_version. */
#define NX_SCHEMA_VERSION 4

/*
 * Open the index at path.  On failure *out is NULL and err says why
 * (NX_EDB).  A busy index is waited for (busy timeout), never corrupted.
 * The first call in a process turns off SQLite's memory statistics
 * (SQLITE_CONFIG_MEMSTATUS, before SQLite starts): a program that uses
 * SQLite itself on other threads makes its first nx_store_open before
 * starting them, or starts SQLite first (then nothing is changed).
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

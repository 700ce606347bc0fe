/*
 * newsidx/sync.h - bring the index up to date with an archive on disk.
 *
 * nx_sync_run walks folders and ingests only what changed since the last
 * run, using the state recorded per file (size, mtime in nanoseconds,
 * inode, SHA-256 of the content, run id):
 *
 *   - size, mtime and inode as last recorded: skipped, the file is not read;
 *   - stat changed but the content hash did not: only re-stamped;
 *   - otherwise the file is read and every article in it is saved
 *     (nx_store_put: unchanged items of a re-downloaded feed stay
 *     unchanged, changed ones become the current version and the older one
 *     a revision).
 *
 * A file's new state is written in the same transaction as its articles, and
 * transactions are committed in batches, so a run killed at any point
 * loses at most the uncommitted batch and the next run redoes exactly that.
 * Paths are compared as absolute, resolved paths (realpath), as `add` stores
 * them.  With prune, recorded files under the walked folders that no longer
 * exist are forgotten, and articles none of whose source files exist any
 * more are removed.
 *
 * The caller holds the writer lock (newsidx/lock.h); nx_sync_run starts and
 * commits its own transactions, so no transaction may be open.
 *
 *	nx_sync_opts o = NX_SYNC_OPTS_INIT;
 *	nx_sync_stats s;
 *	o.prune = 1;
 *	if (nx_sync_run(&s, st, paths, npaths, &o, &err) < 0) ...
 *	printf("added %lld ...", (long long)s.added);
 */
#ifndef NEWSIDX_SYNC_H
#define NEWSIDX_SYNC_H

#include <stddef.h>
#include <stdint.h>

#include "newsidx/error.h"
#include "newsidx/ingest.h"
#include "newsidx/store.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct nx_sync_stats {
	/* articles (as `add` counts them: once per copy in an input file) */
	int64_t added;
	int64_t updated;     /* a newer version replaced the indexed one */
	int64_t unchanged;   /* includes the articles of files skipped unread */
	int64_t removed;     /* with prune: every source file gone */
	int64_t revisions;   /* older versions kept as revisions only (in unchanged) */
	int64_t failed;      /* input files (or folders) that could not be ingested */
	/* files */
	int64_t files;           /* regular files walked */
	int64_t files_skipped;   /* not read: size, mtime and inode as recorded */
	int64_t files_restamped; /* stat changed, content did not */
	int64_t files_read;      /* read and ingested */
	int64_t files_gone;      /* with prune: recorded files that no longer exist */
	int64_t batches;         /* transactions committed */
	double seconds;          /* wall-clock time of the run */
} nx_sync_stats;

/* A file or folder that could not be ingested: msg does not name it. */
typedef void (*nx_sync_error_cb)(const char *path, const char *msg, void *ctx);

/* Progress, now and then (after each batch, every few thousand files). */
typedef void (*nx_sync_progress_cb)(const nx_sync_stats *s, void *ctx);

typedef struct nx_sync_opts {
	int prune;              /* remove articles whose source files are all gone */
	size_t batch_articles;  /* commit after this many articles written (0: 2000) */
	size_t batch_files;     /* ... or this many files written (0: 1000) */
	double batch_seconds;   /* ... or after this long (0: 2 seconds) */
	nx_ingest_opts ingest;  /* limits; ingest.now 0: the run's start time */
	nx_sync_error_cb on_error;
	nx_sync_progress_cb on_progress;
	void *ctx;              /* handed to the callbacks */
} nx_sync_opts;

#define NX_SYNC_OPTS_INIT { 0, 0, 0, 0.0, NX_INGEST_OPTS_INIT, NULL, NULL, NULL }

/*
 * Sync the index with the files and folders in paths[0..npaths).  Files
 * that cannot be read or parsed are reported through opts->on_error and
 * counted in out->failed: the run goes on (a file that failed to parse is
 * read again only once it changes).  Returns NX_OK, or NX_EDB / NX_ELOCKED /
 * NX_ENOMEM when the index could not be written (work committed before is
 * kept).  *out is filled in either case.
 */
int nx_sync_run(nx_sync_stats *out, nx_store *st, const char *const *paths, size_t npaths,
		const nx_sync_opts *opts, nx_error *err);

/*
 * What sync records of a file: its stat (size, mtime in nanoseconds,
 * inode) as it was before reading, and the SHA-256 of its content.
 * nx_file_state_read takes it (reading the whole file, in 1 MB pieces);
 * nx_sync_stamp records it for path (absolute, as origins record it), so
 * that the next sync skips the file while it stays so.  `add` stamps each
 * file it ingested: the first sync after a bulk add reads nothing again.
 */
typedef struct nx_file_state {
	int64_t size;
	int64_t mtime_ns;
	int64_t ino;
	char sha[65]; /* hex */
} nx_file_state;

int nx_file_state_read(nx_file_state *fs, const char *path, nx_error *err);
int nx_sync_stamp(nx_store *st, const char *path, const nx_file_state *fs, nx_error *err);

#ifdef __cplusplus
}
#endif
#endif

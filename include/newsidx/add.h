/*
 * newsidx/add.h - add files and folders to an index, fast: the bulk
 * loader behind `newsidx add`.
 *
 * One thread reads and parses (the walk, gzip, every format parser,
 * normalization) and prepares each article for the store; the calling
 * thread writes the index.  The result is the index nx_ingest_file() +
 * nx_store_put() would give for the same paths, in the same order.
 *
 * Transactions: nx_add_run() begins one, commits every
 * NX_ADD_BATCH_ARTICLES articles (also inside a large file: a WARC or a
 * JSON Lines file of a million records is not one transaction) and at the
 * end.  A process killed in the middle leaves the index as of the last
 * commit: consistent, and the same run again completes it (articles
 * already in are "unchanged").  A file that was read whole is stamped as
 * `sync` records it, so a later sync skips it.
 */
#ifndef NEWSIDX_ADD_H
#define NEWSIDX_ADD_H

#include "newsidx/article.h"
#include "newsidx/error.h"
#include "newsidx/store.h"

#define NX_ADD_BATCH_ARTICLES 8000

typedef struct nx_add_stats {
	long files;     /* files read (not counting those that could not be opened) */
	long added, updated, unchanged;
	long failed;    /* files with an error (reported through on_failure) */
} nx_add_stats;

typedef struct nx_add_opts {
	/*
	 * Called on the calling thread, in input order.  on_article: an
	 * article was written (status: NX_PUT_*), file: as given (walk
	 * order); the article is valid during the call only.  on_failure: a
	 * file that could not be read or parsed whole, with a reason for the
	 * user (the batch goes on).  on_file: after each file, with the
	 * counts so far (for progress).  Any may be NULL.
	 */
	void (*on_article)(const nx_article *a, const char *file, int status, void *ctx);
	void (*on_failure)(const char *file, const char *reason, void *ctx);
	void (*on_file)(const nx_add_stats *so_far, void *ctx);
	/*
	 * on_note: something the user may want to know that is not a failure:
	 * an entry skipped on purpose (a symbolic link leading out of a folder
	 * given, a FIFO, socket or device: never opened), an article whose
	 * authors or photos were capped.  May be NULL.
	 */
	void (*on_note)(const char *file, const char *note, void *ctx);
	void *ctx;
	/*
	 * Full-text tokens made on the parsing thread: NX_ADD_PRETOK_AUTO
	 * (while the writer is the slower thread, and never when the process
	 * may run on one CPU only: taskset, a cpuset), _NONE (the writer
	 * tokenizes every article) or _ALL (every article ahead).  The index
	 * is byte for byte the same; tests compare the three.
	 */
	int pretok;
	long batch_articles; /* articles per transaction; 0: NX_ADD_BATCH_ARTICLES */
	int follow_symlinks; /* follow symbolic links that lead out of a folder given */
} nx_add_opts;

enum { NX_ADD_PRETOK_AUTO = 0, NX_ADD_PRETOK_NONE = 1, NX_ADD_PRETOK_ALL = 2 };

#define NX_ADD_OPTS_INIT { NULL, NULL, NULL, NULL, NULL, NX_ADD_PRETOK_AUTO, 0, 0 }

/*
 * Add paths (files, folders walked recursively, "-" for standard input)
 * to st.  Returns NX_OK when the index was written (files that failed are
 * counted in out->failed and reported through on_failure), or an error
 * code with err set when the index could not be written or the reading
 * could not start: everything since the last commit is then rolled back.
 * out may be NULL.
 */
int nx_add_run(nx_add_stats *out, nx_store *st, char *const *paths, int npaths, const nx_add_opts *opts,
	       nx_error *err);

#endif

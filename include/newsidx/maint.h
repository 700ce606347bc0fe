/*
 * newsidx/maint.h - keeping an index healthy: check, reindex, optimize.
 *
 * All three run on an index opened for writing by a caller that holds the
 * writer lock (newsidx/lock.h); they are safe to run from cron: reindex
 * commits in batches and can be interrupted at any point, optimize is one
 * SQLite transaction after another.  Problems and skipped articles are
 * reported through a callback, one line each (the library never prints).
 */
#ifndef NEWSIDX_MAINT_H
#define NEWSIDX_MAINT_H

#include <stdint.h>

#include "newsidx/error.h"
#include "newsidx/store.h"

#ifdef __cplusplus
extern "C" {
#endif

/* One problem or notice, a lower-case line without full stop. */
typedef void (*nx_maint_report_cb)(const char *msg, void *ctx);

typedef struct nx_check_result {
	int64_t problems;  /* 0: the index is sound */
	int64_t articles;  /* compressed bodies inflated and matched */
	int64_t revisions; /* revisions inflated and matched */
	int64_t originals; /* originals inflated and matched */
} nx_check_result;

/*
 * Verify the index: PRAGMA integrity_check and foreign_key_check, the FTS5
 * integrity-check (index against content), and that every stored blob --
 * article bodies, revisions, originals -- inflates and matches its length
 * and hash.  Each problem goes to cb.  Returns NX_OK when the check ran
 * (see out->problems), or an error when it could not run.
 */
int nx_maint_check(nx_check_result *out, nx_store *st, nx_maint_report_cb cb, void *ctx, nx_error *err);

typedef struct nx_reindex_result {
	int64_t articles;      /* current articles at the start */
	int64_t renormalized;  /* normalized text changed: replaced in place */
	int64_t unchanged;     /* the same with this version */
	int64_t added;         /* this version gives them another identity: new articles */
	int64_t from_original; /* re-read from a kept original */
	int64_t from_file;     /* re-read from their source file */
	int64_t gone;          /* no original kept and the source file is gone or changed */
	int64_t failed;        /* sources that could not be parsed any more */
} nx_reindex_result;

/*
 * Re-normalize every article with the current code: from its source file
 * while that still holds the bytes that were indexed (sha256 as recorded),
 * else from the kept original, else it is reported (and left as is).  A
 * version whose normalized form changed replaces the current one in place:
 * no revision is added for a re-normalization.  Returns NX_OK or the store
 * error that stopped it (batches committed before are kept).
 */
int nx_maint_reindex(nx_reindex_result *out, nx_store *st, nx_maint_report_cb cb, void *ctx, nx_error *err);

typedef struct nx_optimize_result {
	int64_t bytes_before; /* index file plus its WAL */
	int64_t bytes_after;
} nx_optimize_result;

/*
 * Merge the FTS5 segments into one, VACUUM the file when a twentieth or
 * more of its pages are free (reclaims the space of removed articles and
 * merged segments; needs as much free disk as the index, and 8 MB of page
 * cache), else hand the free pages back without a rewrite (an index made
 * with auto_vacuum = INCREMENTAL, as newsidx makes them), update the
 * query planner statistics and checkpoint the WAL.
 */
int nx_maint_optimize(nx_optimize_result *out, nx_store *st, nx_error *err);

#ifdef __cplusplus
}
#endif
#endif

/*
 * newsidx/lock.h - one writer at a time: an advisory lock on "<index>.lock".
 *
 * The lock is an flock(2) on a small file next to the index holding
 * "PID START-TIME\n" of its holder, so a second writer can say who is in
 * the way.  The kernel drops an flock when its process dies, so a lock left
 * by a dead (even kill -9'd) process is simply taken over.  Readers never
 * take the lock: SQLite's WAL lets them read while a writer writes.
 *
 *	nx_lock *lk = NULL;
 *	nx_lock_holder who;
 *	if (nx_lock_acquire(&lk, "/data/index.db", 5.0, &who, &err) == NX_ELOCKED)
 *		... who.pid is writing since who.since ...
 *	...write...
 *	nx_lock_release(lk);
 */
#ifndef NEWSIDX_LOCK_H
#define NEWSIDX_LOCK_H

#include <stdint.h>

#include "newsidx/error.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct nx_lock nx_lock;

/* Who holds a lock: pid 0 when unknown (the holder has not written it yet). */
typedef struct nx_lock_holder {
	long pid;
	int64_t since; /* start time of the holder, seconds since the epoch */
} nx_lock_holder;

/*
 * Take the writer lock of the index at index_path, waiting up to
 * wait_seconds (0: try once).  Creates the lock file (and its folders).
 * On NX_ELOCKED, *holder (when not NULL) says who holds it and err names
 * the holder.  Returns NX_OK, NX_ELOCKED or NX_EIO; *out is NULL on failure.
 */
int nx_lock_acquire(nx_lock **out, const char *index_path, double wait_seconds,
		    nx_lock_holder *holder, nx_error *err);

/* Release and free the lock; NULL is fine. */
void nx_lock_release(nx_lock *lk);

/*
 * Read who holds the lock of index_path without taking it: NX_OK and
 * *holder filled when some process holds it, NX_ENOTFOUND when nobody does.
 */
int nx_lock_query(nx_lock_holder *holder, const char *index_path, nx_error *err);

/* Path of the lock file of an index: malloc'd "<index_path>.lock", NULL on out of memory. */
char *nx_lock_path(const char *index_path);

#ifdef __cplusplus
}
#endif
#endif

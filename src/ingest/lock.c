/*
 * lock.c - the writer lock: flock(2) on "<index>.lock" holding "PID START".
 */
#include "newsidx/lock.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "newsidx/date.h"
#include "util/fs.h"

struct nx_lock {
	int fd;
	int held;
	char *path;
};

char *nx_lock_path(const char *index_path)
{
	size_t n = strlen(index_path);
	char *p = malloc(n + 6);

	if (p != NULL) {
		memcpy(p, index_path, n);
		memcpy(p + n, ".lock", 6);
	}
	return p;
}

/*
 * Open the lock file (flags O_RDWR | O_CREAT, or O_RDONLY) without
 * following a symbolic link and without blocking on a FIFO, and refuse
 * anything but a regular file of the user's: the lock file is written
 * and emptied, and must never be someone else's file or a link to one.
 */
static int open_lock_file(int *fd, const char *path, int flags, nx_error *err)
{
	struct stat sb;
	int e = 0;

	*fd = open(path, flags | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC | O_NOCTTY, 0644);
	if (*fd < 0) {
		e = errno;
		if (e == ENOENT && !(flags & O_CREAT))
			return NX_ENOTFOUND;
		if (e == ELOOP)
			return nx_error_set(err, NX_EIO, "lock file '%s' is a symbolic link: remove it", path);
		if (e == EISDIR)
			return nx_error_set(err, NX_EIO, "lock file '%s' is not a regular file: remove it", path);
		return nx_error_set(err, NX_EIO, "cannot open lock file '%s': %s", path, strerror(e));
	}
	if (fstat(*fd, &sb) < 0)
		e = errno;
	if (e == 0 && S_ISREG(sb.st_mode) && sb.st_uid == geteuid())
		return NX_OK;
	close(*fd);
	*fd = -1;
	if (e != 0)
		return nx_error_set(err, NX_EIO, "cannot read lock file '%s': %s", path, strerror(e));
	if (!S_ISREG(sb.st_mode))
		return nx_error_set(err, NX_EIO, "lock file '%s' is not a regular file: remove it", path);
	return nx_error_set(err, NX_EIO, "lock file '%s' belongs to another user: remove it or use another index",
			    path);
}

static void read_holder(int fd, nx_lock_holder *h)
{
	char buf[64];
	ssize_t n = 0;
	long pid = 0;
	long long since = 0;

	h->pid = 0;
	h->since = 0;
	n = pread(fd, buf, sizeof(buf) - 1, 0);
	if (n <= 0)
		return;
	buf[n] = '\0';
	if (sscanf(buf, "%ld %lld", &pid, &since) == 2 && pid > 0) {
		h->pid = pid;
		h->since = since;
	}
}

static void set_locked_error(nx_error *err, const char *index_path, const nx_lock_holder *h)
{
	char t[21];

	if (h->pid > 0) {
		nx_date_format_utc(t, h->since);
		nx_error_set(err, NX_ELOCKED, "index '%s' is locked by pid %ld (running since %s)",
			     index_path, h->pid, t);
	} else {
		nx_error_set(err, NX_ELOCKED, "index '%s' is locked by another newsidx", index_path);
	}
}

static void sleep_ms(long ms)
{
	struct timespec ts;

	ts.tv_sec = ms / 1000;
	ts.tv_nsec = (ms % 1000) * 1000000L;
	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

static double now_seconds(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int nx_lock_acquire(nx_lock **out, const char *index_path, double wait_seconds,
		    nx_lock_holder *holder, nx_error *err)
{
	nx_lock *lk = NULL;
	nx_lock_holder h = { 0, 0 };
	char text[64];
	double deadline = now_seconds() + (wait_seconds > 0 ? wait_seconds : 0);
	int rc = NX_OK, n = 0, grace = 0;

	*out = NULL;
	if (holder != NULL)
		*holder = h;
	lk = calloc(1, sizeof(*lk));
	if (lk == NULL || (lk->path = nx_lock_path(index_path)) == NULL) {
		rc = nx_error_set(err, NX_ENOMEM, "out of memory");
		goto fail;
	}
	lk->fd = -1;
	if (nx_mkdirs_for(lk->path, NULL) < 0) {
		rc = nx_error_set(err, NX_EIO, "cannot create the folder of '%s': %s", lk->path, strerror(errno));
		goto fail;
	}
	if ((rc = open_lock_file(&lk->fd, lk->path, O_RDWR | O_CREAT, err)) < 0)
		goto fail;
	for (;;) {
		if (flock(lk->fd, LOCK_EX | LOCK_NB) == 0) {
			lk->held = 1;
			break;
		}
		if (errno == EINTR)
			continue;
		if (errno != EWOULDBLOCK) {
			rc = nx_error_set(err, NX_EIO, "cannot lock '%s': %s", lk->path, strerror(errno));
			goto fail;
		}
		if (now_seconds() >= deadline) {
			read_holder(lk->fd, &h);
			/* the holder is between flock and writing its pid, or just leaving */
			if (h.pid == 0 && grace++ < 10) {
				sleep_ms(20);
				continue;
			}
			if (holder != NULL)
				*holder = h;
			set_locked_error(err, index_path, &h);
			rc = NX_ELOCKED;
			goto fail;
		}
		sleep_ms(50);
	}
	/* ours now: whatever a dead holder left is overwritten */
	n = snprintf(text, sizeof(text), "%ld %lld\n", (long)getpid(), (long long)time(NULL));
	if (ftruncate(lk->fd, 0) < 0 || pwrite(lk->fd, text, (size_t)n, 0) != (ssize_t)n) {
		rc = nx_error_set(err, NX_EIO, "cannot write lock file '%s': %s", lk->path, strerror(errno));
		goto fail;
	}
	*out = lk;
	return NX_OK;
fail:
	nx_lock_release(lk);
	return rc;
}

void nx_lock_release(nx_lock *lk)
{
	if (lk == NULL)
		return;
	if (lk->fd >= 0) {
		/* empty it first so nobody reads a stale holder; never unlink (races) */
		if (lk->held && ftruncate(lk->fd, 0) < 0)
			lk->held = 0; /* harmless: the next holder overwrites it */
		close(lk->fd);
	}
	free(lk->path);
	free(lk);
}

int nx_lock_query(nx_lock_holder *holder, const char *index_path, nx_error *err)
{
	char *path = nx_lock_path(index_path);
	int fd = -1, rc = NX_OK;

	holder->pid = 0;
	holder->since = 0;
	if (path == NULL)
		return nx_error_set(err, NX_ENOMEM, "out of memory");
	if ((rc = open_lock_file(&fd, path, O_RDONLY, err)) < 0)
		goto done;
	if (flock(fd, LOCK_SH | LOCK_NB) == 0) {
		flock(fd, LOCK_UN);
		rc = NX_ENOTFOUND;
		goto done;
	}
	read_holder(fd, holder);
done:
	if (fd >= 0)
		close(fd);
	free(path);
	return rc;
}

/*
 * filestate.c - a file's state as sync records it: reading and hashing a
 * file, and stamping its row in the index (nx_file_state_read,
 * nx_sync_stamp).
 */
#include "ingest/filestate.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "index/store_private.h"
#include "util/text.h"

int nx_sync__read_fd(nx_buf *out, int fd, size_t max, nx_error *err)
{
	ssize_t n = 0;

	for (;;) {
		if (nx_buf_grow(out, 65536) < 0)
			return nx_error_set(err, NX_ENOMEM, "out of memory");
		n = read(fd, out->buf + out->len, out->alloc - out->len - 1);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return nx_error_set(err, NX_EIO, "cannot read: %s", strerror(errno));
		}
		if (n == 0)
			break;
		out->len += (size_t)n;
		out->buf[out->len] = '\0';
		if (out->len > max)
			return nx_error_set(err, NX_ETOOBIG, "file is larger than %zu MB (limit)", max >> 20);
	}
	return NX_OK;
}

int64_t nx_sync__mtime_ns(const struct stat *sb)
{
	return (int64_t)sb->st_mtim.tv_sec * 1000000000 + (int64_t)sb->st_mtim.tv_nsec;
}

int nx_sync__hash_fd(int fd, unsigned char sha[32], char hex[65], nx_error *err)
{
	nx_sha256_ctx hc;
	char *chunk = malloc(1 << 20);
	ssize_t got = 0;

	if (chunk == NULL)
		return nx_error_set(err, NX_ENOMEM, "out of memory");
	nx_sha256_init(&hc);
	while ((got = read(fd, chunk, 1 << 20)) > 0)
		nx_sha256_update(&hc, chunk, (size_t)got);
	free(chunk);
	if (got < 0)
		return nx_error_set(err, NX_EIO, "cannot read: %s", strerror(errno));
	nx_sha256_final(&hc, sha);
	nx_hex(hex, sha, 32);
	return NX_OK;
}

int nx_file_state_read(nx_file_state *fs, const char *path, nx_error *err)
{
	struct stat sb;
	unsigned char sha[32];
	int fd = -1, rc = NX_OK;

	memset(fs, 0, sizeof(*fs));
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	if (fd < 0)
		return nx_error_set(err, NX_EIO, "cannot open: %s", strerror(errno));
	/* the state before reading: a file still being written is read again */
	if (fstat(fd, &sb) < 0 || !S_ISREG(sb.st_mode)) {
		rc = nx_error_set(err, NX_EIO, "not a regular file");
	} else if ((rc = nx_sync__hash_fd(fd, sha, fs->sha, err)) == NX_OK) {
		fs->size = (int64_t)sb.st_size;
		fs->mtime_ns = nx_sync__mtime_ns(&sb);
		fs->ino = (int64_t)sb.st_ino;
	}
	close(fd);
	return rc;
}

int nx_sync_stamp(nx_store *st, const char *path, const nx_file_state *fs, nx_error *err)
{
	sqlite3_stmt *s = NULL;
	int rc = NX_OK;

	if ((s = nx_store__stmt(st, NX_STMT_UPSERT_FILE, err)) == NULL)
		return err != NULL ? err->code : NX_EDB;
	sqlite3_bind_text(s, 1, path, -1, SQLITE_STATIC);
	rc = sqlite3_step(s);
	sqlite3_reset(s);
	if (rc != SQLITE_DONE && rc != SQLITE_ROW)
		return nx_store__dberr(st, err, "cannot record the file state");
	/*
	 * seen: now, but never before a stamp already there (a clock set
	 * back).  The latest is read once per store, not per file: a scan of
	 * the file table for each of 5,000 files made a folder of one-article
	 * pages quadratic.
	 */
	if (st->seen_max < 0) {
		if ((s = nx_store__stmt(st, NX_STMT_MAX_SEEN, err)) == NULL)
			return err != NULL ? err->code : NX_EDB;
		st->seen_max = sqlite3_step(s) == SQLITE_ROW ? sqlite3_column_int64(s, 0) : 0;
		sqlite3_reset(s);
	}
	if (st->seen_max < (int64_t)time(NULL))
		st->seen_max = (int64_t)time(NULL);
	if ((s = nx_store__stmt(st, NX_STMT_STAMP_FILE, err)) == NULL)
		return err != NULL ? err->code : NX_EDB;
	sqlite3_bind_text(s, 1, path, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 2, fs->size);
	sqlite3_bind_int64(s, 3, fs->mtime_ns);
	sqlite3_bind_int64(s, 4, fs->ino);
	sqlite3_bind_text(s, 5, fs->sha, 64, SQLITE_STATIC);
	sqlite3_bind_int64(s, 6, st->seen_max);
	rc = sqlite3_step(s);
	sqlite3_reset(s);
	if (rc != SQLITE_DONE)
		return nx_store__dberr(st, err, "cannot record the file state");
	return NX_OK;
}

/*
 * filestate.h - what sync records of a file (its stat and the SHA-256 of
 * its content), shared by sync.c and filestate.c.
 */
#ifndef NX_INGEST_FILESTATE_H
#define NX_INGEST_FILESTATE_H

#include <stdint.h>
#include <sys/stat.h>

#include "util/buf.h"
#include "newsidx/sync.h"

/* Read the rest of fd into out; NX_ETOOBIG past max bytes. */
int nx_sync__read_fd(nx_buf *out, int fd, size_t max, nx_error *err);

/* A file's modification time in nanoseconds. */
int64_t nx_sync__mtime_ns(const struct stat *sb);

/* SHA-256 of what is left to read of fd, in 1 MB pieces: memory stays bounded. */
int nx_sync__hash_fd(int fd, unsigned char sha[32], char hex[65], nx_error *err);

#endif

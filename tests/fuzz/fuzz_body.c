/*
 * fuzz_body.c - fuzz target: reading a stored body (nx_store__inflate), as
 * a damaged or hostile index holds it: a zlib blob of its own, or a
 * reference into a block of bodies (schema 4).
 *
 * The first byte of the input times 4 is the length of the block's row
 * (body_block 1), which follows; the rest is the article's body_z.
 * Checks: no crash or leak, and a body read is exactly as long as its
 * blob says, NUL-terminated.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sqlite3.h>

#include "newsidx/store.h"
#include "index/store_private.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static nx_store *st;
static char path[64];

static void cleanup(void)
{
	char wal[80];

	nx_store_close(st);
	unlink(path);
	snprintf(wal, sizeof(wal), "%s-wal", path);
	unlink(wal);
	snprintf(wal, sizeof(wal), "%s-shm", path);
	unlink(wal);
	snprintf(wal, sizeof(wal), "%s.lock", path);
	unlink(wal);
}

static void fail(const char *what)
{
	fprintf(stderr, "fuzz: broken promise: %s\n", what);
	abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	nx_error err = NX_ERROR_INIT;
	nx_buf out = NX_BUF_INIT;
	sqlite3_stmt *s = NULL;
	size_t blen = 0;
	int rc = 0;

	if (st == NULL) {
		snprintf(path, sizeof(path), "/tmp/nx-fuzz-body-%ld.db", (long)getpid());
		if (nx_store_open(&st, path, NX_STORE_WRITE, &err) != NX_OK)
			fail(err.msg);
		atexit(cleanup);
	}
	if (size < 1)
		return 0;
	blen = (size_t)data[0] * 4;
	if (blen > size - 1)
		blen = size - 1;
	if (sqlite3_prepare_v2(st->db, "INSERT OR REPLACE INTO body_block(id, refs, z) VALUES(1, 1, ?1)", -1, &s,
			       NULL) != SQLITE_OK)
		fail("cannot prepare");
	sqlite3_bind_blob(s, 1, data + 1, (int)blen, SQLITE_STATIC);
	if (sqlite3_step(s) != SQLITE_DONE)
		fail("cannot write the block");
	sqlite3_finalize(s);
	data += 1 + blen;
	size -= 1 + blen;
	(void)nx_store__body_block(data, size);
	rc = nx_store__inflate(st, &out, data, size);
	if (rc == NX_OK) {
		uint32_t want = size >= 4 ? (uint32_t)data[0] | (uint32_t)data[1] << 8 | (uint32_t)data[2] << 16 |
						    (uint32_t)data[3] << 24 :
					    0;

		if (out.len != want || out.buf[out.len] != '\0')
			fail("body not as long as its blob says");
	}
	nx_buf_free(&out);
	return 0;
}

/*
 * test_sync.c - nx_sync_run: skip, re-stamp, update, prune, failures.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <unistd.h>

#include "newsidx/sync.h"

typedef struct fixture {
	char dir[64];
	char arch[96];
	char db[96];
	nx_store *st;
	int errors;
} fixture;

static void write_file(const char *dir, const char *name, const char *text)
{
	char path[256];
	FILE *fp = NULL;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	fp = fopen(path, "w");
	assert_non_null(fp);
	fputs(text, fp);
	fclose(fp);
}

static void on_error(const char *path, const char *msg, void *ctx)
{
	fixture *f = ctx;

	(void)path;
	(void)msg;
	f->errors++;
}

static int setup(void **state)
{
	fixture *f = calloc(1, sizeof(*f));
	nx_error err = NX_ERROR_INIT;

	if (f == NULL)
		return -1;
	snprintf(f->dir, sizeof(f->dir), "/tmp/nx-sync-XXXXXX");
	if (mkdtemp(f->dir) == NULL)
		return -1;
	snprintf(f->arch, sizeof(f->arch), "%s/archive", f->dir);
	snprintf(f->db, sizeof(f->db), "%s/index.db", f->dir);
	if (mkdir(f->arch, 0755) < 0 || nx_store_open(&f->st, f->db, NX_STORE_WRITE, &err) < 0)
		return -1;
	write_file(f->arch, "a.txt", "Harbour crane collapses in storm\nJuly 8, 2021 1:42 AM EDT\n\n"
		   "A crane at the harbour fell during the night.\n\nNobody was hurt.\n");
	write_file(f->arch, "b.txt", "Council approves bridge budget\nMarch 2, 2022 9:00 AM EDT\n\n"
		   "The council voted for the new bridge.\n");
	write_file(f->arch, "c.txt", "Festival returns to the old market\nMay 5, 2023 10:15 AM EDT\n\n"
		   "Music filled the square again.\n");
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	fixture *f = *state;
	char cmd[128];

	nx_store_close(f->st);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", f->dir);
	if (system(cmd) != 0)
		return -1;
	free(f);
	return 0;
}

static void run_sync(fixture *f, int prune, nx_sync_stats *s)
{
	nx_sync_opts o = NX_SYNC_OPTS_INIT;
	nx_error err = NX_ERROR_INIT;
	const char *paths[1];

	paths[0] = f->arch;
	o.prune = prune;
	o.on_error = on_error;
	o.ctx = f;
	assert_int_equal(nx_sync_run(s, f->st, paths, 1, &o, &err), NX_OK);
}

static void test_incremental(void **state)
{
	fixture *f = *state;
	nx_sync_stats s;
	nx_stats st;
	nx_error err = NX_ERROR_INIT;
	char path[160];
	struct timeval tv[2] = { { 1000000000, 0 }, { 1000000000, 0 } };

	run_sync(f, 0, &s);
	assert_int_equal(s.added, 3);
	assert_int_equal(s.files_read, 3);
	assert_int_equal(s.batches, 1);
	/* nothing changed: nothing read, nothing written */
	run_sync(f, 0, &s);
	assert_int_equal(s.added + s.updated, 0);
	assert_int_equal(s.unchanged, 3);
	assert_int_equal(s.files_skipped, 3);
	assert_int_equal(s.batches, 0);
	/* touched: re-stamped only */
	snprintf(path, sizeof(path), "%s/a.txt", f->arch);
	assert_int_equal(utimes(path, tv), 0);
	run_sync(f, 0, &s);
	assert_int_equal(s.files_restamped, 1);
	assert_int_equal(s.files_read, 0);
	assert_int_equal(s.unchanged, 3);
	/* changed: a newer version, the old one kept as a revision */
	write_file(f->arch, "b.txt", "Council approves bridge budget\nMarch 2, 2022 9:00 AM EDT\n\n"
		   "The council voted for the new bridge after a long debate.\n");
	run_sync(f, 0, &s);
	assert_int_equal(s.updated, 1);
	assert_int_equal(s.unchanged, 2);
	assert_int_equal(nx_store_stats(&st, f->st, &err), NX_OK);
	assert_int_equal(st.articles, 3);
	assert_int_equal(st.revisions, 1);
	/* gone: kept without prune, removed with it */
	snprintf(path, sizeof(path), "%s/c.txt", f->arch);
	assert_int_equal(unlink(path), 0);
	run_sync(f, 0, &s);
	assert_int_equal(s.removed, 0);
	run_sync(f, 1, &s);
	assert_int_equal(s.removed, 1);
	assert_int_equal(s.files_gone, 1);
	assert_int_equal(nx_store_stats(&st, f->st, &err), NX_OK);
	assert_int_equal(st.articles, 2);
	assert_int_equal(st.files, 2);
	assert_int_equal(f->errors, 0);
}

/*
 * What add records (nx_file_state_read, nx_sync_stamp) is what sync
 * compares: a stamped file is skipped unread; a missing file is an error
 * naming why.
 */
static void test_stamp(void **state)
{
	fixture *f = *state;
	nx_error err = NX_ERROR_INIT;
	nx_file_state fs;
	nx_sync_stats s;
	char path[160], real[4096];

	snprintf(path, sizeof(path), "%s/a.txt", f->arch);
	assert_non_null(realpath(path, real));
	assert_int_equal(nx_file_state_read(&fs, real, &err), NX_OK);
	assert_int_equal(fs.size, 123);
	assert_true(fs.mtime_ns > 0);
	assert_true(fs.ino > 0);
	assert_int_equal(strlen(fs.sha), 64);
	/* sha256 of the file as written by setup */
	assert_string_equal(fs.sha, "f797a88a55df559257f2883c1897d4f2bef8d07a98ddc933abeaf07c03c4acb6");
	assert_int_equal(nx_store_begin(f->st, &err), NX_OK);
	assert_int_equal(nx_sync_stamp(f->st, real, &fs, &err), NX_OK);
	assert_int_equal(nx_store_commit(f->st, &err), NX_OK);
	run_sync(f, 0, &s);
	assert_int_equal(s.files, 3);
	assert_int_equal(s.files_skipped, 1);
	assert_int_equal(s.files_read, 2);

	snprintf(path, sizeof(path), "%s/no-such-file.txt", f->arch);
	assert_int_equal(nx_file_state_read(&fs, path, &err), NX_EIO);
	assert_non_null(strstr(err.msg, "cannot open"));
	assert_int_equal(nx_file_state_read(&fs, f->arch, &err), NX_EIO);
	assert_non_null(strstr(err.msg, "not a regular file"));
}

static void test_failures(void **state)
{
	fixture *f = *state;
	nx_sync_stats s;
	nx_sync_opts o = NX_SYNC_OPTS_INIT;
	nx_error err = NX_ERROR_INIT;
	const char *missing[1] = { "/nonexistent/newsidx/archive" };

	write_file(f->arch, "junk.bin", "\x01\x02\x03\x04 binary \x05\x06\x07\x08\x0e\x0f");
	run_sync(f, 0, &s);
	assert_int_equal(s.failed, 1);
	assert_int_equal(s.added, 3);
	assert_int_equal(f->errors, 1);
	/* the same bytes are not read again */
	run_sync(f, 0, &s);
	assert_int_equal(s.failed, 0);
	/* a missing folder is a failure, and prune leaves everything alone */
	o.prune = 1;
	assert_int_equal(nx_sync_run(&s, f->st, missing, 1, &o, &err), NX_OK);
	assert_int_equal(s.failed, 1);
	assert_int_equal(s.removed, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_incremental, setup, teardown),
		cmocka_unit_test_setup_teardown(test_failures, setup, teardown),
		cmocka_unit_test_setup_teardown(test_stamp, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

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

#include "newsidx/add.h"
#include "newsidx/sync.h"
#include "index/store_private.h"
#include "stories.h"

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

/* What a reader sees of the index at each commit of a sync: whether the index of ids is there. */
typedef struct watch {
	const char *db;
	int commits, uid_index_at_first;
} watch;

static int has_uid_index(const char *db)
{
	sqlite3 *rd = NULL;
	sqlite3_stmt *q = NULL;
	int n = -1;

	assert_int_equal(sqlite3_open_v2(db, &rd, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_prepare_v2(rd, "SELECT count(*) FROM sqlite_master WHERE name = 'article_uid'", -1,
					    &q, NULL),
			 SQLITE_OK);
	assert_int_equal(sqlite3_step(q), SQLITE_ROW);
	n = sqlite3_column_int(q, 0);
	sqlite3_finalize(q);
	sqlite3_close(rd);
	return n;
}

static void on_commit(const nx_sync_stats *s, void *ctx)
{
	watch *w = ctx;

	(void)s;
	if (w->commits++ == 0)
		w->uid_index_at_first = has_uid_index(w->db);
}

/* A first sync of n stories in one file (into f's empty index): its stats, what the watch saw. */
static void first_sync(fixture *f, int n, nx_sync_stats *s, watch *w)
{
	nx_sync_opts o = NX_SYNC_OPTS_INIT;
	nx_error err = NX_ERROR_INIT;
	const char *paths[1];
	char path[160];
	FILE *fp = NULL;
	int i = 0;

	snprintf(path, sizeof(path), "%s/wire.jsonl", f->arch);
	assert_non_null(fp = fopen(path, "w"));
	for (i = 0; i < n; i++)
		story_line(fp, i, 10 + i % 10, 1 + i % 28, "", "");
	fclose(fp);
	memset(w, 0, sizeof(*w));
	w->db = f->db;
	w->uid_index_at_first = -1;
	paths[0] = f->arch;
	o.on_progress = on_commit;
	o.ctx = w;
	assert_int_equal(nx_sync_run(s, f->st, paths, 1, &o, &err), NX_OK);
}

/*
 * A first sync into an empty index loads as a new archive's add does: no
 * index of ids while it loads (a commit comes after NX_ADD_BATCH_ARTICLES
 * articles at most, so a reader looks at least once before the end),
 * the indexes made at its end, the WAL after it; the same articles as a
 * sync that loads as any other (NX_FIRST_SYNC_BULK=0), and a second sync
 * reads nothing again.
 */
static void test_first_sync_loads_in_bulk(void **state)
{
	fixture *f = *state;
	nx_sync_stats s, again;
	watch w;
	char mode[16] = "", side[128];
	sqlite3_stmt *q = NULL;
	int n = NX_ADD_BATCH_ARTICLES + 1000;

	first_sync(f, n, &s, &w);
	assert_int_equal(s.added, n + 3); /* and the fixture's three pages */
	assert_true(w.commits >= 2);
	assert_int_equal(w.uid_index_at_first, 0);
	assert_int_equal(has_uid_index(f->db), 1);
	assert_int_equal(sqlite3_prepare_v2(f->st->db, "PRAGMA journal_mode", -1, &q, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_step(q), SQLITE_ROW);
	snprintf(mode, sizeof(mode), "%s", (const char *)sqlite3_column_text(q, 0));
	sqlite3_finalize(q);
	assert_string_equal(mode, "wal");
	run_sync(f, 0, &again);
	assert_int_equal(again.added + again.updated, 0);
	assert_int_equal(again.files_read, 0);
	/* measured the other way: the index of ids there all along, the same count */
	nx_store_close(f->st);
	assert_int_equal(unlink(f->db), 0);
	snprintf(side, sizeof(side), "%s-wal", f->db);
	unlink(side); /* none after a clean close, as a rule */
	snprintf(side, sizeof(side), "%s-shm", f->db);
	unlink(side);
	assert_int_equal(nx_store_open(&f->st, f->db, NX_STORE_WRITE, NULL), NX_OK);
	setenv("NX_FIRST_SYNC_BULK", "0", 1);
	first_sync(f, n, &again, &w);
	unsetenv("NX_FIRST_SYNC_BULK");
	assert_int_equal(again.added, s.added);
	assert_int_equal(w.uid_index_at_first, 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_incremental, setup, teardown),
		cmocka_unit_test_setup_teardown(test_failures, setup, teardown),
		cmocka_unit_test_setup_teardown(test_stamp, setup, teardown),
		cmocka_unit_test_setup_teardown(test_first_sync_loads_in_bulk, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

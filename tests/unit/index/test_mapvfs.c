/*
 * test_mapvfs.c - the file layer that maps a whole index file for readers
 * (src/index/mapvfs.c).
 *
 * A writer on SQLite's own layer, readers on this one with mmap_size set:
 * the readers' answers must be the writer's while the file is read from
 * the layer's mapping (its counter grows), after the file grew (a
 * checkpoint), and after it shrank (VACUUM, then a checkpoint truncating
 * it: a page served past the new end would crash or read stale bytes).
 * Then several readers of one file opened and closed in turn (the unix
 * layer hands a kept descriptor to a later open, which calls no open()),
 * and the store: a reader maps, a brief reader (NX_STORE_BRIEF) does not.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "index/mapvfs.h"
#include "index/store_private.h"

typedef struct fixture {
	char dir[64];
	char path[96];
	sqlite3 *w; /* the writer, on SQLite's default layer */
} fixture;

static int rm_entry(const char *p, const struct stat *sb, int flag, struct FTW *ftw)
{
	(void)sb;
	(void)flag;
	(void)ftw;
	return remove(p);
}

static void exec_ok(sqlite3 *db, const char *sql)
{
	char *msg = NULL;

	if (sqlite3_exec(db, sql, NULL, NULL, &msg) != SQLITE_OK)
		fail_msg("%s: %s", sql, msg != NULL ? msg : "?");
}

static int64_t q_int(sqlite3 *db, const char *sql)
{
	sqlite3_stmt *s = NULL;
	int64_t v = -1;

	if (sqlite3_prepare_v2(db, sql, -1, &s, NULL) != SQLITE_OK)
		fail_msg("%s: %s", sql, sqlite3_errmsg(db));
	if (sqlite3_step(s) == SQLITE_ROW)
		v = sqlite3_column_int64(s, 0);
	sqlite3_finalize(s);
	return v;
}

static char *q_text(sqlite3 *db, const char *sql)
{
	sqlite3_stmt *s = NULL;
	char *v = NULL;

	if (sqlite3_prepare_v2(db, sql, -1, &s, NULL) != SQLITE_OK)
		fail_msg("%s: %s", sql, sqlite3_errmsg(db));
	if (sqlite3_step(s) == SQLITE_ROW && sqlite3_column_text(s, 0) != NULL)
		v = strdup((const char *)sqlite3_column_text(s, 0));
	sqlite3_finalize(s);
	assert_non_null(v);
	return v;
}

static int64_t file_size(const char *path)
{
	struct stat sb;

	assert_int_equal(stat(path, &sb), 0);
	return (int64_t)sb.st_size;
}

/* n rows of 3000 bytes each, their bytes a function of their id */
static void add_rows(sqlite3 *db, int n)
{
	char sql[256];

	snprintf(sql, sizeof(sql),
		 "WITH RECURSIVE c(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM c WHERE i < %d)"
		 " INSERT INTO t(b) SELECT printf('%%.3000c', char(65 + (i + coalesce((SELECT max(id) FROM t), 0)) %% 26))"
		 " FROM c",
		 n);
	exec_ok(db, sql);
}

static const char digest_sql[] = "SELECT count(*) || ':' || sum(length(b)) || ':' || group_concat(substr(b, 2999, 1), '')"
				 " FROM (SELECT b FROM t ORDER BY id)";

static sqlite3 *reader(const char *path, int map)
{
	sqlite3 *db = NULL;
	const char *vfs = nx_mapvfs_name();

	assert_non_null(vfs);
	assert_int_equal(sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, vfs), SQLITE_OK);
	exec_ok(db, map ? "PRAGMA mmap_size = 1099511627776" : "PRAGMA mmap_size = 0");
	return db;
}

static void assert_same(sqlite3 *a, sqlite3 *b)
{
	char *x = q_text(a, digest_sql), *y = q_text(b, digest_sql);

	assert_string_equal(x, y);
	free(x);
	free(y);
}

static int setup(void **state)
{
	fixture *f = calloc(1, sizeof(*f));

	assert_non_null(f);
	strcpy(f->dir, "/tmp/nx-mapvfs-XXXXXX");
	assert_non_null(mkdtemp(f->dir));
	snprintf(f->path, sizeof(f->path), "%s/t.db", f->dir);
	assert_int_equal(sqlite3_open(f->path, &f->w), SQLITE_OK);
	exec_ok(f->w, "PRAGMA journal_mode = WAL; CREATE TABLE t(id INTEGER PRIMARY KEY, b TEXT NOT NULL)");
	add_rows(f->w, 2000);
	exec_ok(f->w, "PRAGMA wal_checkpoint(TRUNCATE)");
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	fixture *f = *state;

	sqlite3_close(f->w);
	nftw(f->dir, rm_entry, 8, FTW_DEPTH | FTW_PHYS);
	free(f);
	return 0;
}

static void test_reads_mapped(void **state)
{
	fixture *f = *state;
	sqlite3 *r = reader(f->path, 1), *plain = reader(f->path, 0);
	unsigned long before = nx_mapvfs__fetches();

	assert_true(file_size(f->path) > 2000 * 3000);
	assert_same(f->w, r);
	/* the table's pages came from the mapping: at least one a row (a row is most of a page) */
	assert_true(nx_mapvfs__fetches() - before >= 2000);
	before = nx_mapvfs__fetches();
	assert_same(f->w, plain);
	assert_int_equal(nx_mapvfs__fetches(), before);
	sqlite3_close(r);
	sqlite3_close(plain);
}

static void test_file_grows(void **state)
{
	fixture *f = *state;
	sqlite3 *r = reader(f->path, 1);
	int64_t size = file_size(f->path);
	unsigned long before = 0;

	assert_same(f->w, r);
	add_rows(f->w, 3000);
	exec_ok(f->w, "PRAGMA wal_checkpoint(TRUNCATE)");
	assert_true(file_size(f->path) > size + 3000 * 3000);
	before = nx_mapvfs__fetches();
	assert_same(f->w, r);
	assert_int_equal(q_int(r, "SELECT count(*) FROM t"), 5000);
	/* the new rows' pages, past the first mapping's end, were mapped too */
	assert_true(nx_mapvfs__fetches() - before >= 5000);
	sqlite3_close(r);
}

/*
 * Another connection's commits, the file growing: mapped again once (with
 * room), then kept while the file fits, every page served from it.
 */
static void test_mapping_kept(void **state)
{
	fixture *f = *state;
	sqlite3 *r = reader(f->path, 1);
	unsigned long maps = 0, before = 0;
	int i = 0;

	assert_same(f->w, r);
	maps = nx_mapvfs__maps();
	for (i = 0; i < 8; i++) {
		add_rows(f->w, 100);
		exec_ok(f->w, "PRAGMA wal_checkpoint(TRUNCATE)");
		before = nx_mapvfs__fetches();
		assert_same(f->w, r);
		assert_int_equal(q_int(r, "SELECT count(*) FROM t"), 2000 + 100 * (i + 1));
		assert_true(nx_mapvfs__fetches() - before >= 2000);
	}
	assert_int_equal(nx_mapvfs__maps(), maps + 1);
	/* past the room (64 MB): mapped anew, and read right */
	add_rows(f->w, 24000);
	exec_ok(f->w, "PRAGMA wal_checkpoint(TRUNCATE)");
	assert_same(f->w, r);
	assert_int_equal(q_int(r, "SELECT count(*) FROM t"), 2800 + 24000);
	assert_int_equal(nx_mapvfs__maps(), maps + 2);
	sqlite3_close(r);
}

static void test_file_shrinks(void **state)
{
	fixture *f = *state;
	sqlite3 *r = reader(f->path, 1);
	int64_t size = file_size(f->path);

	assert_same(f->w, r);
	exec_ok(f->w, "DELETE FROM t WHERE id % 10 != 0; VACUUM; PRAGMA wal_checkpoint(TRUNCATE)");
	assert_true(file_size(f->path) < size / 4);
	/* the reader's mapping ran past the new end: it must read the file as it is now */
	assert_same(f->w, r);
	assert_int_equal(q_int(r, "SELECT count(*) FROM t"), 200);
	add_rows(f->w, 1000);
	exec_ok(f->w, "PRAGMA wal_checkpoint(TRUNCATE)");
	assert_same(f->w, r);
	sqlite3_close(r);
}

/* the writer's changes still in the WAL: the reader reads them from there, the rest mapped */
static void test_wal_pages(void **state)
{
	fixture *f = *state;
	sqlite3 *r = reader(f->path, 1);

	exec_ok(f->w, "PRAGMA wal_autocheckpoint = 0");
	add_rows(f->w, 500);
	exec_ok(f->w, "UPDATE t SET b = upper(replace(b, 'A', 'z')) WHERE id % 7 = 0");
	assert_same(f->w, r);
	assert_int_equal(q_int(r, "SELECT count(*) FROM t"), 2500);
	sqlite3_close(r);
}

static void test_readers_in_turn(void **state)
{
	fixture *f = *state;
	sqlite3 *r[6] = { NULL };
	size_t i = 0;

	for (i = 0; i < 6; i++) {
		r[i] = reader(f->path, i % 3 != 2);
		assert_same(f->w, r[i]);
	}
	for (i = 0; i < 6; i += 2) {
		sqlite3_close(r[i]);
		r[i] = NULL;
	}
	add_rows(f->w, 700);
	exec_ok(f->w, "PRAGMA wal_checkpoint(TRUNCATE)");
	for (i = 0; i < 6; i += 2)
		r[i] = reader(f->path, 1);
	for (i = 0; i < 6; i++) {
		assert_same(f->w, r[i]);
		sqlite3_close(r[i]);
	}
}

static void test_store_brief(void **state)
{
	fixture *f = *state;
	char path[128];
	nx_store *st = NULL;
	nx_error err = NX_ERROR_INIT;
	unsigned long before = 0;

	snprintf(path, sizeof(path), "%s/index.db", f->dir);
	assert_int_equal(nx_store_open(&st, path, NX_STORE_WRITE, &err), NX_OK);
	nx_store_close(st);
	assert_int_equal(nx_store_open(&st, path, NX_STORE_READ, &err), NX_OK);
	before = nx_mapvfs__fetches();
	assert_true(q_int(st->db, "SELECT count(*) FROM sqlite_schema") > 5);
	assert_true(q_int(st->db, "SELECT count(*) FROM article") == 0);
	assert_true(nx_mapvfs__fetches() > before);
	nx_store_close(st);
	assert_int_equal(nx_store_open(&st, path, NX_STORE_READ | NX_STORE_BRIEF, &err), NX_OK);
	before = nx_mapvfs__fetches();
	assert_true(q_int(st->db, "SELECT count(*) FROM sqlite_schema") > 5);
	assert_true(q_int(st->db, "SELECT count(*) FROM article") == 0);
	assert_int_equal(nx_mapvfs__fetches(), before);
	nx_store_close(st);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_reads_mapped, setup, teardown),
		cmocka_unit_test_setup_teardown(test_file_grows, setup, teardown),
		cmocka_unit_test_setup_teardown(test_mapping_kept, setup, teardown),
		cmocka_unit_test_setup_teardown(test_file_shrinks, setup, teardown),
		cmocka_unit_test_setup_teardown(test_wal_pages, setup, teardown),
		cmocka_unit_test_setup_teardown(test_readers_in_turn, setup, teardown),
		cmocka_unit_test_setup_teardown(test_store_brief, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

/*
 * test_defer.c - a new archive's first load without the indexes of ids
 * and dates (src/index/defer.c): the same index as with them, the indexes
 * made at its end, or by the next writer after a load that stopped midway;
 * ids found in memory meanwhile, each candidate checked against its row.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "newsidx/add.h"
#include "index/bulk.h"
#include "index/store_private.h"
#include "stories.h"
#include "tmpdir.h"

typedef struct fixture {
	char dir[64];
	char db[96];
	char db2[96];
	char file[96];
	long seen; /* articles put */
} fixture;

static int setup(void **state)
{
	fixture *f = calloc(1, sizeof(*f));

	if (f == NULL)
		return -1;
	snprintf(f->dir, sizeof(f->dir), "/tmp/nx-defer-XXXXXX");
	if (mkdtemp(f->dir) == NULL)
		return -1;
	snprintf(f->db, sizeof(f->db), "%s/a.db", f->dir);
	snprintf(f->db2, sizeof(f->db2), "%s/b.db", f->dir);
	snprintf(f->file, sizeof(f->file), "%s/wire.jsonl", f->dir);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	fixture *f = *state;

	unsetenv("NX_DEFER_INDEXES");
	tmpdir_remove(f->dir);
	free(f);
	return 0;
}

/*
 * n articles; every tenth comes again later in the file, the same (unchanged)
 * or, every twentieth, updated with a new text.
 */
static void write_jsonl(const char *path, int n)
{
	FILE *fp = fopen(path, "w");
	int i = 0;

	assert_non_null(fp);
	for (i = 0; i < n; i++)
		story_line(fp, i, i % 23, i % 28 + 1, "", "");
	for (i = 0; i < n; i += 10)
		story_line(fp, i, i % 23, i % 28 + 1, i % 20 == 0 ? "\"modified\":\"2025-01-01T00:00:00Z\"," : "",
			   i % 20 == 0 ? ", again" : "");
	fclose(fp);
}

static int has_index(nx_store *st, const char *name)
{
	sqlite3_stmt *s = NULL;
	int have = 0;

	assert_int_equal(sqlite3_prepare_v2(st->db, "SELECT 1 FROM sqlite_schema WHERE name = ?1", -1, &s, NULL),
			 SQLITE_OK);
	sqlite3_bind_text(s, 1, name, -1, SQLITE_STATIC);
	have = sqlite3_step(s) == SQLITE_ROW;
	sqlite3_finalize(s);
	return have;
}

/* What the index holds, as one text: ids, versions, dates, revisions. */
static char *contents(nx_store *st)
{
	sqlite3_stmt *s = NULL;
	size_t cap = 1 << 16, len = 0;
	char *out = calloc(cap, 1);

	assert_non_null(out);
	assert_int_equal(sqlite3_prepare_v2(st->db,
					    "SELECT id, hex(uid), hex(hash), published, rev, "
					    "(SELECT count(*) FROM revision r WHERE r.article_id = a.id) FROM article a "
					    "ORDER BY id",
					    -1, &s, NULL),
			 SQLITE_OK);
	while (sqlite3_step(s) == SQLITE_ROW) {
		int n = snprintf(out + len, cap - len, "%lld %s %s %lld %d %d\n", (long long)sqlite3_column_int64(s, 0),
				 (const char *)sqlite3_column_text(s, 1), (const char *)sqlite3_column_text(s, 2),
				 (long long)sqlite3_column_int64(s, 3), sqlite3_column_int(s, 4), sqlite3_column_int(s, 5));

		assert_true(n > 0 && (size_t)n < cap - len);
		len += (size_t)n;
	}
	sqlite3_finalize(s);
	return out;
}

static void on_article(const nx_article *a, const char *file, int status, void *ctx)
{
	fixture *f = ctx;

	(void)a;
	(void)file;
	(void)status;
	f->seen++;
}

static void load(fixture *f, const char *db, nx_add_stats *s, char **text)
{
	nx_store *st = NULL;
	nx_add_opts o = NX_ADD_OPTS_INIT;
	nx_error err = NX_ERROR_INIT;
	char *paths[1];

	paths[0] = f->file;
	o.on_article = on_article;
	o.ctx = f;
	o.batch_articles = 40;
	assert_int_equal(nx_store_open(&st, db, NX_STORE_WRITE, &err), NX_OK);
	assert_int_equal(nx_add_run(s, st, paths, 1, &o, &err), NX_OK);
	assert_int_equal(st->deferred, 0);
	assert_null(st->uidmap);
	assert_true(has_index(st, "article_uid"));
	assert_true(has_index(st, "article_published"));
	*text = contents(st);
	nx_store_close(st);
}

/* Several commits, duplicates across them: the same articles, versions and counts as a load with the indexes. */
static void test_deferred_load_is_the_same(void **state)
{
	fixture *f = *state;
	nx_add_stats with, without;
	char *a = NULL, *b = NULL;

	write_jsonl(f->file, 300);
	load(f, f->db, &without, &a);
	setenv("NX_DEFER_INDEXES", "0", 1);
	load(f, f->db2, &with, &b);
	unsetenv("NX_DEFER_INDEXES");
	assert_int_equal(without.added, 300);
	assert_int_equal(without.updated, 15);
	assert_int_equal(without.unchanged, 15);
	assert_int_equal(with.added, without.added);
	assert_int_equal(with.updated, without.updated);
	assert_int_equal(with.unchanged, without.unchanged);
	assert_string_equal(a, b);
	free(a);
	free(b);
}

/* Tide table i: its id comes from its URL. */
static nx_article *tide(int i)
{
	nx_article *a = nx_article_new();
	char url[64], title[64];

	snprintf(url, sizeof(url), "https://example.org/tide/%d", i);
	snprintf(title, sizeof(title), "Tide table %d", i);
	assert_int_equal(nx_article_set(&a->url, url, -1), NX_OK);
	assert_int_equal(nx_article_set(&a->title, title, -1), NX_OK);
	assert_int_equal(nx_article_add_para(a, "High water at noon.", -1), NX_OK);
	a->captured.set = a->captured.has_time = 1;
	a->captured.utc = 1700000000 + i;
	assert_int_equal(nx_article_identify(a, NULL), NX_OK);
	return a;
}

/* Put tide table i into st: the rowid it was given. */
static int64_t put_one(nx_store *st, int i, int *status)
{
	nx_article *a = tide(i);
	nx_error err = NX_ERROR_INIT;

	assert_int_equal(nx_store_put(st, a, status, &err), NX_OK);
	nx_article_free(a);
	return sqlite3_last_insert_rowid(st->db);
}

static const char *id_of(nx_store *st, int64_t rowid, char out[17])
{
	sqlite3_stmt *s = NULL;

	assert_int_equal(sqlite3_prepare_v2(st->db, "SELECT nx_uid(uid) FROM article WHERE id = ?1", -1, &s, NULL),
			 SQLITE_OK);
	sqlite3_bind_int64(s, 1, rowid);
	assert_int_equal(sqlite3_step(s), SQLITE_ROW);
	snprintf(out, 17, "%s", (const char *)sqlite3_column_text(s, 0));
	sqlite3_finalize(s);
	return out;
}

/* A load that stops after a commit leaves the indexes out; readers still find ids; the next writer makes them. */
static void test_interrupted_load_restored_by_next_writer(void **state)
{
	fixture *f = *state;
	nx_store *st = NULL;
	nx_error err = NX_ERROR_INIT;
	sqlite3_stmt *s = NULL;
	char id[17];
	int i = 0, status = 0;

	assert_int_equal(nx_store_open(&st, f->db, NX_STORE_WRITE, &err), NX_OK);
	assert_int_equal(nx_store_begin(st, &err), NX_OK);
	assert_int_equal(nx_store__defer_start(st, &err), NX_OK);
	assert_int_equal(st->deferred, NX_DEFER_IDS | NX_DEFER_DATES);
	assert_false(has_index(st, "article_uid"));
	assert_false(has_index(st, "article_published"));
	for (i = 0; i < 5; i++) {
		put_one(st, i, &status);
		assert_int_equal(status, NX_PUT_ADDED);
	}
	/* the same article again is found in memory */
	put_one(st, 2, &status);
	assert_int_equal(status, NX_PUT_UNCHANGED);
	assert_int_equal(nx_store_commit(st, &err), NX_OK);
	id_of(st, 3, id);
	nx_store_close(st);

	assert_int_equal(nx_store_open(&st, f->db, NX_STORE_READ, &err), NX_OK);
	assert_false(has_index(st, "article_uid"));
	assert_int_equal(sqlite3_prepare_v2(st->db, "SELECT id FROM article WHERE uid = nx_uid_key(?1)", -1, &s, NULL),
			 SQLITE_OK);
	sqlite3_bind_text(s, 1, id, -1, SQLITE_STATIC);
	assert_int_equal(sqlite3_step(s), SQLITE_ROW);
	assert_int_equal(sqlite3_column_int64(s, 0), 3);
	sqlite3_finalize(s);
	nx_store_close(st);

	assert_int_equal(nx_store_open(&st, f->db, NX_STORE_WRITE, &err), NX_OK);
	assert_true(has_index(st, "article_uid"));
	assert_true(has_index(st, "article_published"));
	/* and the index of ids is unique again */
	assert_int_not_equal(sqlite3_exec(st->db, "INSERT INTO article(uid, captured, hash, body_len, body_z, body_hash)"
						  " SELECT uid, captured, hash, body_len, body_z, body_hash FROM article WHERE id = 1",
					  NULL, NULL, NULL),
			     SQLITE_OK);
	nx_store_close(st);
}

/* An index that already holds articles keeps its indexes through a load. */
static void test_no_deferral_into_a_nonempty_index(void **state)
{
	fixture *f = *state;
	nx_store *st = NULL;
	nx_error err = NX_ERROR_INIT;
	int status = 0;

	assert_int_equal(nx_store_open(&st, f->db, NX_STORE_WRITE, &err), NX_OK);
	assert_int_equal(nx_store_begin(st, &err), NX_OK);
	put_one(st, 1, &status);
	assert_int_equal(nx_store_commit(st, &err), NX_OK);
	assert_int_equal(nx_store_begin(st, &err), NX_OK);
	assert_int_equal(nx_store__defer_start(st, &err), NX_OK);
	assert_int_equal(st->deferred, 0);
	assert_true(has_index(st, "article_uid"));
	assert_true(has_index(st, "article_published"));
	nx_store_rollback(st);
	nx_store_close(st);
}

/* A row the map points to under another id is not taken for the article. */
static void test_candidate_rows_are_checked(void **state)
{
	fixture *f = *state;
	nx_store *st = NULL;
	nx_error err = NX_ERROR_INIT;
	nx_article *two = tide(2);
	int64_t first = 0, n = 0;
	int status = 0;

	assert_int_equal(nx_store_open(&st, f->db, NX_STORE_WRITE, &err), NX_OK);
	assert_int_equal(nx_store_begin(st, &err), NX_OK);
	assert_int_equal(nx_store__defer_start(st, &err), NX_OK);
	first = put_one(st, 1, &status);
	assert_int_equal(status, NX_PUT_ADDED);
	/* article 2's id now leads (also) to article 1's row */
	assert_int_equal(nx_store__defer_note(st, two->id, first, &err), NX_OK);
	assert_int_equal(nx_store_put(st, two, &status, &err), NX_OK);
	assert_int_equal(status, NX_PUT_ADDED);
	assert_int_equal(nx_store__query_int(st, "SELECT count(*) FROM article", &n), 0);
	assert_int_equal(n, 2);
	/* and both are found again */
	put_one(st, 1, &status);
	assert_int_equal(status, NX_PUT_UNCHANGED);
	assert_int_equal(nx_store_put(st, two, &status, &err), NX_OK);
	assert_int_equal(status, NX_PUT_UNCHANGED);
	assert_int_equal(nx_store__defer_end(st, &err), NX_OK);
	assert_int_equal(nx_store_commit(st, &err), NX_OK);
	nx_article_free(two);
	nx_store_close(st);
}

/* The map grows past its first size and finds every id it was given; ids it was not given lead nowhere. */
static void test_map_grows_and_finds(void **state)
{
	fixture *f = *state;
	nx_store *st = NULL;
	nx_error err = NX_ERROR_INIT;
	nx_defer_probe p;
	char uid[17];
	int64_t cand = 0;
	long i = 0, n = 200000, stray = 0;

	assert_int_equal(nx_store_open(&st, f->db, NX_STORE_WRITE, &err), NX_OK);
	assert_int_equal(nx_store_begin(st, &err), NX_OK);
	assert_int_equal(nx_store__defer_start(st, &err), NX_OK);
	for (i = 0; i < n; i++) {
		snprintf(uid, sizeof(uid), "%016llx", (unsigned long long)i * 0x9e3779b97f4a7c15ULL);
		assert_int_equal(nx_store__defer_note(st, uid, i + 1, &err), NX_OK);
	}
	assert_non_null(st->uidmap);
	for (i = 0; i < n; i++) {
		int found = 0;

		snprintf(uid, sizeof(uid), "%016llx", (unsigned long long)i * 0x9e3779b97f4a7c15ULL);
		assert_true(nx_store__defer_first(st, uid, &p));
		while (nx_store__defer_next(st, &p, &cand))
			found |= cand == i + 1;
		assert_true(found);
	}
	for (i = 0; i < 1000; i++) {
		snprintf(uid, sizeof(uid), "%016llx", (unsigned long long)(i + 1) * 0x2545f4914f6cdd1dULL);
		assert_true(nx_store__defer_first(st, uid, &p));
		while (nx_store__defer_next(st, &p, &cand))
			stray++;
	}
	assert_true(stray <= 2);
	/* an id that is not 16 hex digits cannot be kept: the indexes are made at once */
	assert_false(nx_store__defer_first(st, "not-an-id", &p));
	assert_int_equal(nx_store__defer_note(st, "not-an-id", n + 1, &err), NX_OK);
	assert_null(st->uidmap);
	assert_true(has_index(st, "article_uid"));
	assert_true(has_index(st, "article_published"));
	nx_store_rollback(st);
	nx_store_close(st);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_deferred_load_is_the_same, setup, teardown),
		cmocka_unit_test_setup_teardown(test_interrupted_load_restored_by_next_writer, setup, teardown),
		cmocka_unit_test_setup_teardown(test_no_deferral_into_a_nonempty_index, setup, teardown),
		cmocka_unit_test_setup_teardown(test_candidate_rows_are_checked, setup, teardown),
		cmocka_unit_test_setup_teardown(test_map_grows_and_finds, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

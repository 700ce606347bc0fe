/*
 * test_maint.c - check finds damage, reindex replaces in place, optimize.
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

#include "newsidx/maint.h"
#include "index/store_private.h"

static void count_problem(const char *msg, void *ctx)
{
	(void)msg;
	(*(int *)ctx)++;
}

static nx_store *filled_store_at(const char *path)
{
	nx_store *st = NULL;
	nx_error err = NX_ERROR_INIT;
	char title[64], body[128];
	int i = 0, status = 0;

	assert_int_equal(nx_store_open(&st, path, NX_STORE_WRITE, &err), NX_OK);
	for (i = 0; i < 20; i++) {
		nx_article *a = nx_article_new();

		snprintf(title, sizeof(title), "Market report number %d", i);
		snprintf(body, sizeof(body), "Prices moved %d points on the harbour exchange.", i);
		assert_int_equal(nx_article_set(&a->title, title, -1), NX_OK);
		assert_int_equal(nx_article_set(&a->source, "Harbour Herald", -1), NX_OK);
		assert_int_equal(nx_article_add_para(a, body, -1), NX_OK);
		a->captured.set = a->captured.has_time = 1;
		a->captured.utc = 1700000000 + i;
		assert_int_equal(nx_article_identify(a, NULL), NX_OK);
		assert_int_equal(nx_store_put(st, a, &status, &err), NX_OK);
		if (i == 3) {
			/* a second version: one revision */
			assert_int_equal(nx_article_add_para(a, "Trading closed early.", -1), NX_OK);
			a->captured.utc += 100;
			assert_int_equal(nx_store_put(st, a, &status, &err), NX_OK);
			assert_int_equal(status, NX_PUT_UPDATED);
		}
		nx_article_free(a);
	}
	return st;
}

static nx_store *filled_store(void)
{
	return filled_store_at(":memory:");
}

static void test_check_sound_and_damaged(void **state)
{
	nx_store *st = filled_store();
	nx_check_result r;
	nx_error err = NX_ERROR_INIT;
	int problems = 0;

	(void)state;
	assert_int_equal(nx_maint_check(&r, st, count_problem, &problems, &err), NX_OK);
	assert_int_equal(r.problems, 0);
	assert_int_equal(problems, 0);
	assert_int_equal(r.articles, 20);
	assert_int_equal(r.revisions, 1);
	/* a body that no longer matches its hash, a revision that does not inflate */
	assert_int_equal(sqlite3_exec(st->db, "UPDATE article SET body_hash = '00' WHERE id = 2;"
				      "UPDATE revision SET doc_z = X'ffff0000aa'", NULL, NULL, NULL), SQLITE_OK);
	assert_int_equal(nx_maint_check(&r, st, count_problem, &problems, &err), NX_OK);
	assert_int_equal(r.problems, 2);
	assert_int_equal(problems, 2);
	nx_store_close(st);
}

static void test_optimize_keeps_everything(void **state)
{
	nx_store *st = filled_store();
	nx_optimize_result o;
	nx_check_result r;
	nx_stats s;
	nx_error err = NX_ERROR_INIT;

	(void)state;
	assert_int_equal(nx_maint_optimize(&o, st, &err), NX_OK);
	assert_int_equal(nx_store_stats(&s, st, &err), NX_OK);
	assert_int_equal(s.articles, 20);
	assert_int_equal(nx_maint_check(&r, st, NULL, NULL, &err), NX_OK);
	assert_int_equal(r.problems, 0);
	nx_store_close(st);
}

static int64_t pragma(nx_store *st, const char *sql)
{
	sqlite3_stmt *s = NULL;
	int64_t v = -1;

	assert_int_equal(sqlite3_prepare_v2(st->db, sql, -1, &s, NULL), SQLITE_OK);
	if (sqlite3_step(s) == SQLITE_ROW)
		v = sqlite3_column_int64(s, 0);
	sqlite3_finalize(s);
	return v;
}

/* 4 MB kept, then 40 KB freed: about 1% of the pages free */
static void ballast_and_crumbs(nx_store *st)
{
	assert_int_equal(sqlite3_exec(st->db, "CREATE TABLE ballast(b); INSERT INTO ballast VALUES(zeroblob(4000000));"
				      "CREATE TABLE crumbs(b); INSERT INTO crumbs VALUES(zeroblob(40000));"
				      "DROP TABLE crumbs;", NULL, NULL, NULL), SQLITE_OK);
}

/*
 * The file is rewritten when a twentieth of it or more is free; a few free
 * pages (what the merge of a load's segments leaves: 0.5-1% of the file)
 * are handed back without a rewrite, the index being made with
 * auto_vacuum = INCREMENTAL.
 */
static void test_optimize_vacuums_only_free_space(void **state)
{
	nx_store *st = filled_store();
	nx_optimize_result o;
	nx_error err = NX_ERROR_INIT;
	int64_t pages = 0, nfree = 0;

	(void)state;
	assert_int_equal(pragma(st, "PRAGMA auto_vacuum"), 2);
	ballast_and_crumbs(st);
	pages = pragma(st, "PRAGMA page_count");
	nfree = pragma(st, "PRAGMA freelist_count");
	assert_true(nfree > 0 && nfree * 20 < pages);
	assert_int_equal(nx_maint_optimize(&o, st, &err), NX_OK);
	assert_int_equal(pragma(st, "PRAGMA freelist_count"), 0);
	/* 4 MB freed: reclaimed */
	assert_int_equal(sqlite3_exec(st->db, "DROP TABLE ballast", NULL, NULL, NULL), SQLITE_OK);
	assert_true(pragma(st, "PRAGMA freelist_count") > 100);
	assert_int_equal(nx_maint_optimize(&o, st, &err), NX_OK);
	assert_int_equal(pragma(st, "PRAGMA freelist_count"), 0);
	assert_int_equal(pragma(st, "PRAGMA cache_size"), -65536);
	nx_store_close(st);
}

/* An index made without auto_vacuum (before round 8) keeps a few free pages, as before, and works. */
static void test_optimize_older_file(void **state)
{
	char path[64];
	sqlite3 *db = NULL;
	nx_store *st = NULL;
	nx_optimize_result o;
	nx_error err = NX_ERROR_INIT;
	nx_stats s;

	(void)state;
	snprintf(path, sizeof(path), "/tmp/nx-test-maint-%ld.db", (long)getpid());
	unlink(path);
	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	assert_int_equal(sqlite3_exec(db, "PRAGMA page_size = 16384; CREATE TABLE seed(x); DROP TABLE seed;", NULL, NULL,
				      NULL),
			 SQLITE_OK);
	sqlite3_close(db);
	st = filled_store_at(path);
	assert_int_equal(pragma(st, "PRAGMA auto_vacuum"), 0);
	ballast_and_crumbs(st);
	assert_true(pragma(st, "PRAGMA freelist_count") > 0);
	assert_int_equal(nx_maint_optimize(&o, st, &err), NX_OK);
	assert_true(pragma(st, "PRAGMA freelist_count") > 0);
	assert_int_equal(nx_store_stats(&s, st, &err), NX_OK);
	assert_int_equal(s.articles, 20);
	nx_store_close(st);
	unlink(path);
	snprintf(path + strlen(path), sizeof(path) - strlen(path), "-wal");
	unlink(path);
	path[strlen(path) - 4] = '\0';
	snprintf(path + strlen(path), sizeof(path) - strlen(path), "-shm");
	unlink(path);
}

static void test_reindex_without_sources(void **state)
{
	nx_store *st = filled_store();
	nx_reindex_result r;
	nx_error err = NX_ERROR_INIT;
	int notices = 0;

	(void)state;
	/* articles put directly have no source and no original: reported, kept */
	assert_int_equal(nx_maint_reindex(&r, st, count_problem, &notices, &err), NX_OK);
	assert_int_equal(r.articles, 20);
	assert_int_equal(r.gone, 20);
	assert_int_equal(notices, 20);
	assert_int_equal(r.renormalized, 0);
	nx_store_close(st);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_check_sound_and_damaged),
		cmocka_unit_test(test_optimize_keeps_everything),
		cmocka_unit_test(test_optimize_vacuums_only_free_space),
		cmocka_unit_test(test_optimize_older_file),
		cmocka_unit_test(test_reindex_without_sources),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

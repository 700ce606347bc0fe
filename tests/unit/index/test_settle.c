/*
 * test_settle.c - the end of a load: the full-text segments of a small
 * index its load wrote merged into one, a large one left as it is.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "index/bulk.h"
#include "index/store_private.h"

/* FTS5 numbers the rows of a segment's pages from segid << 37. */
static int64_t segments(nx_store *st)
{
	sqlite3_stmt *s = NULL;
	int64_t n = -1;

	assert_int_equal(sqlite3_prepare_v2(st->db,
					    "SELECT count(DISTINCT id >> 37) FROM fts_data WHERE id >= (1 << 37)",
					    -1, &s, NULL),
			 SQLITE_OK);
	assert_int_equal(sqlite3_step(s), SQLITE_ROW);
	n = sqlite3_column_int64(s, 0);
	sqlite3_finalize(s);
	return n;
}

static int64_t hits(nx_store *st, const char *match)
{
	sqlite3_stmt *s = NULL;
	int64_t n = -1;

	assert_int_equal(sqlite3_prepare_v2(st->db, "SELECT count(*) FROM fts WHERE fts MATCH ?1", -1, &s, NULL),
			 SQLITE_OK);
	sqlite3_bind_text(s, 1, match, -1, SQLITE_STATIC);
	assert_int_equal(sqlite3_step(s), SQLITE_ROW);
	n = sqlite3_column_int64(s, 0);
	sqlite3_finalize(s);
	return n;
}

/* An index of three commits of ten articles: three segments. */
static nx_store *three_commits(void)
{
	nx_store *st = NULL;
	nx_error err = NX_ERROR_INIT;
	char title[64], body[128];
	int i = 0, status = 0;

	assert_int_equal(nx_store_open(&st, ":memory:", NX_STORE_WRITE, &err), NX_OK);
	for (i = 0; i < 30; i++) {
		nx_article *a = nx_article_new();

		if (i % 10 == 0)
			assert_int_equal(nx_store_begin(st, &err), NX_OK);
		snprintf(title, sizeof(title), "Harbour report number %d", i);
		snprintf(body, sizeof(body), "Ferries sailed %d times past the lighthouse.", i);
		assert_int_equal(nx_article_set(&a->title, title, -1), NX_OK);
		assert_int_equal(nx_article_add_para(a, body, -1), NX_OK);
		a->captured.set = a->captured.has_time = 1;
		a->captured.utc = 1700000000 + i;
		assert_int_equal(nx_article_identify(a, NULL), NX_OK);
		assert_int_equal(nx_store_put(st, a, &status, &err), NX_OK);
		nx_article_free(a);
		if (i % 10 == 9)
			assert_int_equal(nx_store_commit(st, &err), NX_OK);
	}
	assert_int_equal(segments(st), 3);
	return st;
}

static void test_settle_merges_a_new_index(void **state)
{
	nx_store *st = three_commits();
	nx_error err = NX_ERROR_INIT;

	(void)state;
	assert_int_equal(nx_store_begin(st, &err), NX_OK);
	assert_int_equal(nx_store__settle(st, 30, &err), NX_OK);
	assert_int_equal(nx_store_commit(st, &err), NX_OK);
	assert_int_equal(segments(st), 1);
	assert_int_equal(hits(st, "lighthouse"), 30);
	assert_int_equal(hits(st, "\"harbour report\""), 30);
	nx_store_close(st);
}

static void test_settle_leaves_a_larger_index(void **state)
{
	nx_store *st = three_commits();
	nx_error err = NX_ERROR_INIT;

	(void)state;
	/* a sync that wrote a few articles of many: no merge */
	assert_int_equal(nx_store_begin(st, &err), NX_OK);
	assert_int_equal(nx_store__settle(st, 14, &err), NX_OK);
	assert_int_equal(nx_store_commit(st, &err), NX_OK);
	assert_int_equal(segments(st), 3);
	assert_int_equal(nx_store_begin(st, &err), NX_OK);
	assert_int_equal(nx_store__settle(st, 0, &err), NX_OK);
	assert_int_equal(nx_store_commit(st, &err), NX_OK);
	assert_int_equal(segments(st), 3);
	assert_int_equal(hits(st, "lighthouse"), 30);
	nx_store_close(st);
}

/* One transaction of 200 articles of 500 words each (17,576 distinct): over 1 MB of pending terms. */
static int64_t one_big_commit(int bulk, int64_t *hashsize_rows)
{
	nx_store *st = NULL;
	nx_error err = NX_ERROR_INIT;
	nx_buf body = NX_BUF_INIT;
	char title[64];
	int i = 0, w = 0, status = 0;
	int64_t n = 0;

	assert_int_equal(nx_store_open(&st, ":memory:", NX_STORE_WRITE, &err), NX_OK);
	assert_int_equal(nx_store_begin(st, &err), NX_OK);
	if (bulk)
		nx_store__bulk_fts(st, 1);
	for (i = 0; i < 200; i++) {
		nx_article *a = nx_article_new();

		nx_buf_reset(&body);
		for (w = 0; w < 500; w++)
			nx_buf_addf(&body, "%cq%cx%c ", 'a' + (i * 500 + w) % 26, 'a' + (i * 500 + w) / 26 % 26,
				    'a' + (i * 500 + w) / 676 % 26);
		assert_true(nx_buf_ok(&body));
		snprintf(title, sizeof(title), "Ledger page %d", i);
		assert_int_equal(nx_article_set(&a->title, title, -1), NX_OK);
		assert_int_equal(nx_article_add_para(a, body.buf, -1), NX_OK);
		a->captured.set = a->captured.has_time = 1;
		a->captured.utc = 1700000000 + i;
		assert_int_equal(nx_article_identify(a, NULL), NX_OK);
		assert_int_equal(nx_store_put(st, a, &status, &err), NX_OK);
		nx_article_free(a);
	}
	if (bulk)
		nx_store__bulk_fts(st, 0);
	assert_int_equal(nx_store_commit(st, &err), NX_OK);
	n = segments(st);
	assert_int_equal(hits(st, "\"ledger page\""), 200);
	assert_int_equal(nx_store__query_int(st, "SELECT count(*) FROM fts_config WHERE k = 'hashsize'", hashsize_rows), 0);
	nx_buf_free(&body);
	nx_store_close(st);
	return n;
}

/* A bulk load's transaction is one segment; FTS5's default size writes several. */
static void test_bulk_fts_one_segment_a_commit(void **state)
{
	int64_t rows = -1;

	(void)state;
	assert_true(one_big_commit(0, &rows) > 1);
	assert_int_equal(rows, 0);
	assert_int_equal(one_big_commit(1, &rows), 1);
	assert_int_equal(rows, 0);
}

static int64_t pragma_int(nx_store *st, const char *sql)
{
	sqlite3_stmt *s = NULL;
	int64_t n = -1;

	assert_int_equal(sqlite3_prepare_v2(st->db, sql, -1, &s, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_step(s), SQLITE_ROW);
	n = sqlite3_column_int64(s, 0);
	sqlite3_finalize(s);
	return n;
}

/* The WAL a bulk load checkpoints at: a tenth of a large index, within bounds; back to 1,000 after. */
static void test_bulk_checkpoint_grows(void **state)
{
	nx_store *st = NULL;
	nx_error err = NX_ERROR_INIT;

	(void)state;
	assert_int_equal(nx_store__bulk_checkpoint_pages(0), 16384);
	assert_int_equal(nx_store__bulk_checkpoint_pages(163840), 16384);
	assert_int_equal(nx_store__bulk_checkpoint_pages(620000), 62000);
	assert_int_equal(nx_store__bulk_checkpoint_pages(INT64_C(10000000)), 65536);
	unsetenv("NX_BULK_CHECKPOINT");
	assert_int_equal(nx_store_open(&st, ":memory:", NX_STORE_WRITE, &err), NX_OK);
	nx_store__bulk_settings(st, 1);
	assert_int_equal(pragma_int(st, "PRAGMA wal_autocheckpoint"), 16384);
	setenv("NX_BULK_CHECKPOINT", "5000", 1);
	nx_store__bulk_settings(st, 1);
	assert_int_equal(pragma_int(st, "PRAGMA wal_autocheckpoint"), 5000);
	unsetenv("NX_BULK_CHECKPOINT");
	nx_store__bulk_settings(st, 0);
	assert_int_equal(pragma_int(st, "PRAGMA wal_autocheckpoint"), 1000);
	nx_store_close(st);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_settle_merges_a_new_index),
		cmocka_unit_test(test_bulk_checkpoint_grows),
		cmocka_unit_test(test_settle_leaves_a_larger_index),
		cmocka_unit_test(test_bulk_fts_one_segment_a_commit),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

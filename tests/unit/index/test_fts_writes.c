/*
 * test_fts_writes.c - what the store's removals and new versions cost
 * FTS5 (src/index/put.c, nx_store__fts_rows): a transaction that takes
 * out or replaces many articles leaves their terms in FTS5's memory until
 * the commit, so it writes a segment or two, not one an article (an
 * INSERT ... SELECT into FTS5 made it write its pending terms out at
 * every statement); and the index answers as before.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "newsidx/store.h"
#include "index/store_private.h"

#define NART 240

static nx_article *make(int i, int version)
{
	nx_article *a = nx_article_new();
	char s[160];

	assert_non_null(a);
	snprintf(s, sizeof(s), "https://port.example/story/%d", i);
	assert_int_equal(nx_article_set(&a->url, s, -1), NX_OK);
	snprintf(s, sizeof(s), "Harbour story number %d", i);
	assert_int_equal(nx_article_set(&a->title, s, -1), NX_OK);
	snprintf(s, sizeof(s), "The harbour master spoke of ship %d%s. Cranes moved containers all night.", i,
		 version > 0 ? " and a storm warning" : "");
	assert_int_equal(nx_article_add_para(a, s, -1), NX_OK);
	a->published.set = a->published.has_time = 1;
	a->published.utc = 1600000000 + i * 3600;
	a->updated.set = a->updated.has_time = 1;
	a->updated.utc = a->published.utc + version * 600;
	a->captured.set = a->captured.has_time = 1;
	a->captured.utc = a->updated.utc + 60;
	assert_int_equal(nx_article_identify(a, NULL), NX_OK);
	return a;
}

/* An SQL count in db. */
static int64_t count(sqlite3 *db, const char *sql)
{
	sqlite3_stmt *s = NULL;
	int64_t n = -1;

	assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &s, NULL), SQLITE_OK);
	if (sqlite3_step(s) == SQLITE_ROW)
		n = sqlite3_column_int64(s, 0);
	sqlite3_finalize(s);
	return n;
}

/* An SQLite varint at a[*at]. */
static uint64_t varint(const unsigned char *a, size_t n, size_t *at)
{
	uint64_t x = 0;
	int k = 0;

	for (k = 0; k < 9 && *at < n; k++) {
		unsigned char b = a[(*at)++];

		if (k == 8)
			return (x << 8) | b;
		x = (x << 7) | (b & 0x7f);
		if (b < 0x80)
			break;
	}
	return x;
}

/* The write counter of table's structure record: FTS5 adds one for each segment it writes out. */
static uint64_t writes(sqlite3 *db, const char *table)
{
	char sql[96];
	sqlite3_stmt *s = NULL;
	uint64_t w = 0;
	size_t at = 4;

	snprintf(sql, sizeof(sql), "SELECT block FROM %s_data WHERE id = 10", table);
	assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &s, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_step(s), SQLITE_ROW);
	{
		const unsigned char *a = sqlite3_column_blob(s, 0);
		size_t n = (size_t)sqlite3_column_bytes(s, 0);

		assert_true(n > 6);
		(void)varint(a, n, &at); /* levels */
		(void)varint(a, n, &at); /* segments */
		w = varint(a, n, &at);
	}
	sqlite3_finalize(s);
	return w;
}

static void test_removals_and_versions_in_memory(void **state)
{
	nx_store *st = NULL;
	nx_error err = NX_ERROR_INIT;
	char *ids[NART];
	int i = 0, status = 0;
	uint64_t w0 = 0, r0 = 0;

	(void)state;
	assert_int_equal(nx_store_open(&st, ":memory:", NX_STORE_WRITE, &err), NX_OK);
	assert_int_equal(nx_store_begin(st, &err), NX_OK);
	for (i = 0; i < NART; i++) {
		nx_article *a = make(i, 0);

		assert_int_equal(nx_store_put(st, a, &status, &err), NX_OK);
		assert_int_equal(status, NX_PUT_ADDED);
		ids[i] = strdup(a->id);
		nx_article_free(a);
	}
	assert_int_equal(nx_store_commit(st, &err), NX_OK);
	assert_int_equal(count(st->db, "SELECT count(*) FROM fts WHERE fts MATCH 'harbour'"), NART);

	/* a newer version of a third of them, in one transaction: each a row out of fts, one in, one into rev_fts */
	w0 = writes(st->db, "fts");
	r0 = writes(st->db, "rev_fts");
	assert_int_equal(nx_store_begin(st, &err), NX_OK);
	for (i = 0; i < NART; i += 3) {
		nx_article *a = make(i, 1);

		assert_int_equal(nx_store_put(st, a, &status, &err), NX_OK);
		assert_int_equal(status, NX_PUT_UPDATED);
		nx_article_free(a);
	}
	assert_int_equal(nx_store_commit(st, &err), NX_OK);
	assert_true(writes(st->db, "fts") - w0 <= 4);
	assert_true(writes(st->db, "rev_fts") - r0 <= 4);
	assert_int_equal(count(st->db, "SELECT count(*) FROM fts WHERE fts MATCH 'storm'"), NART / 3);
	assert_int_equal(count(st->db, "SELECT count(*) FROM fts WHERE fts MATCH 'harbour'"), NART);
	assert_int_equal(count(st->db, "SELECT count(*) FROM rev_fts WHERE rev_fts MATCH 'harbour'"), NART / 3);
	assert_int_equal(count(st->db, "SELECT count(*) FROM rev_fts WHERE rev_fts MATCH 'storm'"), 0);

	/* half of them removed in one transaction, versions and all */
	w0 = writes(st->db, "fts");
	r0 = writes(st->db, "rev_fts");
	assert_int_equal(nx_store_begin(st, &err), NX_OK);
	for (i = 0; i < NART; i += 2)
		assert_int_equal(nx_store_remove(st, ids[i], NULL, &err), NX_OK);
	assert_int_equal(nx_store_commit(st, &err), NX_OK);
	assert_true(writes(st->db, "fts") - w0 <= 4);
	assert_true(writes(st->db, "rev_fts") - r0 <= 4);
	assert_int_equal(count(st->db, "SELECT count(*) FROM fts WHERE fts MATCH 'harbour'"), NART / 2);
	/* the odd ones of every third: storm */
	assert_int_equal(count(st->db, "SELECT count(*) FROM fts WHERE fts MATCH 'storm'"), NART / 6);
	assert_int_equal(count(st->db, "SELECT count(*) FROM rev_fts WHERE rev_fts MATCH 'harbour'"), NART / 6);
	assert_int_equal(sqlite3_exec(st->db, "INSERT INTO fts(fts) VALUES('integrity-check');"
					      "INSERT INTO rev_fts(rev_fts) VALUES('integrity-check')",
				      NULL, NULL, NULL),
			 SQLITE_OK);
	for (i = 0; i < NART; i++)
		free(ids[i]);
	nx_store_close(st);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_removals_and_versions_in_memory),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

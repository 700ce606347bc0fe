/*
 * test_impact_split.c - the lists of frequent words made on two threads
 * and connections (src/search/impact.c, nx_search__impact_build): the
 * tables the build writes the same, row for row, as one thread's build,
 * and so when the second thread's walks fail.  Its own executable (the
 * ThreadSanitizer stage runs it: tests/tsan-tests.txt), on the made-up
 * index of test_impact.c, lists for words in 100 rows or more.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "newsidx/store.h"
#include "index/store_private.h"
#include "search/search_private.h"

#define NART 2400
#define NWORD 10
#define MIN_DF 100
#define ROWS 32
#define T0 1625708520

#include "madeup.h" /* after NWORD */

static int setup(void **state)
{
	return madeup_setup(state, "impact-split", 4242);
}

/* The tables the build writes, every row in order, as one text (to free). */
static char *tables(nx_store *st)
{
	static const char sql[] =
		"SELECT (SELECT group_concat(expr || ' ' || df || ' ' || hex(hits) || ' ' || coalesce(twin, '-'), ';')"
		"   FROM (SELECT * FROM impact ORDER BY expr)) || '|' ||"
		" (SELECT group_concat(expr || ' ' || nbits || ' ' || hex(bits) || ' ' || hex(maxes), ';')"
		"   FROM (SELECT * FROM impact_set ORDER BY expr)) || '|' ||"
		" (SELECT group_concat(b || ' ' || hex(ids), ';') FROM (SELECT * FROM impact_pub ORDER BY b)) || '|' ||"
		" (SELECT group_concat(id || ' ' || hex(totals), ';') FROM (SELECT * FROM impact_state ORDER BY id))";
	sqlite3_stmt *s = NULL;
	char *text = NULL;

	assert_int_equal(sqlite3_prepare_v2(st->db, sql, -1, &s, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_step(s), SQLITE_ROW);
	assert_non_null(sqlite3_column_text(s, 0));
	text = strdup((const char *)sqlite3_column_text(s, 0));
	assert_non_null(text);
	sqlite3_finalize(s);
	return text;
}

/*
 * The walks on two threads and connections write what one thread writes,
 * row for row (lists, twins, sets, buckets, state), and so when the second
 * thread's walks fail (from its first group on, or after one): its groups
 * walked again by the writer, never half a list.
 */
static void test_two_threads_same(void **state)
{
	fixture *f = *state;
	nx_error err = NX_ERROR_INIT;
	char *one = NULL, *two = NULL;
	int64_t sets = 0;
	int fail = 0;

	nx_search__impact_split(1, -1);
	assert_int_equal(nx_search__impact_build(f->st, MIN_DF, ROWS, &err), NX_OK);
	assert_int_equal(nx_search__impact_second(), 0);
	one = tables(f->st);
	assert_int_equal(nx_store__query_int(f->st, "SELECT count(*) FROM impact_set", &sets), 0);
	assert_true(sets >= 2); /* sets walked too */
	/* the second thread first (its share never empty), failing from its 1st or 2nd group on; then as add runs it */
	for (fail = -1; fail <= 2; fail++) {
		nx_search__impact_split(fail < 2 ? 2 : 0, fail < 2 ? fail : -1);
		assert_int_equal(nx_search__impact_build(f->st, MIN_DF, ROWS, &err), NX_OK);
		if (fail < 0)
			assert_true(nx_search__impact_second() >= 1);
		else if (fail < 2)
			assert_true(nx_search__impact_second() == (size_t)fail);
		two = tables(f->st);
		assert_string_equal(one, two);
		free(two);
	}
	nx_search__impact_split(0, -1);
	free(one);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_two_threads_same),
	};

	return cmocka_run_group_tests(tests, setup, madeup_teardown);
}

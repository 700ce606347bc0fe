/*
 * test_entity.c - character references left by pages that encoded their
 * text twice (src/util/entity.c, issue 19 item 10).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "util/entity.h"

static void check(const char *in, const char *want)
{
	nx_buf b = NX_BUF_INIT;
	/* an exact-size copy: a read past the end shows under ASan */
	size_t n = strlen(in);
	char *copy = malloc(n > 0 ? n : 1);

	assert_non_null(copy);
	memcpy(copy, in, n);
	nx_entity_decode(&b, copy, n);
	assert_true(nx_buf_ok(&b));
	assert_int_equal(b.len, strlen(want));
	assert_memory_equal(b.buf, want, b.len);
	nx_buf_free(&b);
	free(copy);
}

static void test_numeric_and_named(void **state)
{
	(void)state;
	check("&#8216;Pier&#8217; &#038; more &raquo; News", "\xE2\x80\x98Pier\xE2\x80\x99 & more \xC2\xBB News");
	check("caf&eacute; &#x2019;s", "caf\xC3\xA9 \xE2\x80\x99s");
	/* C1 numbers are windows-1252, as browsers read them */
	check("&#150; &#147;x&#148;", "\xE2\x80\x93 \xE2\x80\x9Cx\xE2\x80\x9D");
}

static void test_left_as_written(void **state)
{
	(void)state;
	check("AT&T; R&D &amp", "AT&T; R&D &amp");
	check("&#0; &#xD800; &#99999999; &#; &unknown; &", "&#0; &#xD800; &#99999999; &#; &unknown; &");
	check("&#823", "&#823");
	assert_false(nx_entity_present("AT&T and R&D", 12));
	assert_true(nx_entity_present("Tom &amp; Jerry", 15));
	assert_false(nx_entity_present("Tom &amp", 8));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_numeric_and_named),
		cmocka_unit_test(test_left_as_written),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

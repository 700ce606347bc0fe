/*
 * test_strtab.c - strings to indexes by hash (src/util/strtab.c): every
 * string put is found at its index through several doublings, strings
 * never put (prefixes and extensions of those put included) are absent,
 * and a table never reserved finds nothing.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/strtab.h"

#define NSTR 5000

static char names[NSTR][16];

static const char *name_of(const void *ctx, uint32_t i)
{
	(void)ctx;
	return names[i];
}

static void test_put_and_find(void **state)
{
	nx_strtab t = NX_STRTAB_INIT;
	int i = 0;

	(void)state;
	assert_int_equal(nx_strtab_find(&t, "a", 1, name_of, NULL), -1); /* never reserved */
	for (i = 0; i < NSTR; i++) {
		long at = 0;

		snprintf(names[i], sizeof(names[i]), "w%d", i * 7);
		assert_int_equal(nx_strtab_reserve(&t, name_of, NULL), 0);
		at = nx_strtab_find(&t, names[i], strlen(names[i]), name_of, NULL);
		assert_true(at < 0);
		nx_strtab_put(&t, at, (uint32_t)i);
		/* the first ones still found after the table grew */
		assert_int_equal(nx_strtab_find(&t, names[0], strlen(names[0]), name_of, NULL), 0);
	}
	assert_int_equal(t.used, NSTR);
	assert_true(t.nslot >= 2 * NSTR);
	for (i = 0; i < NSTR; i++) {
		char other[24];

		assert_int_equal(nx_strtab_find(&t, names[i], strlen(names[i]), name_of, NULL), i);
		/* the string within a longer buffer: its first n bytes alone */
		snprintf(other, sizeof(other), "%sxyz", names[i]);
		assert_int_equal(nx_strtab_find(&t, other, strlen(names[i]), name_of, NULL), i);
		assert_true(nx_strtab_find(&t, other, strlen(other), name_of, NULL) < 0);
		/* a prefix: "w1" of "w14" is put only when 1 is a multiple of 7 */
		if (strlen(names[i]) > 2)
			assert_true(nx_strtab_find(&t, names[i], strlen(names[i]) - 1, name_of, NULL) < 0 ||
				    atoi(names[i] + 1) / 10 % 7 == 0);
	}
	nx_strtab_free(&t);
	assert_null(t.slot);
	assert_int_equal(nx_strtab_find(&t, names[0], strlen(names[0]), name_of, NULL), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_put_and_find),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

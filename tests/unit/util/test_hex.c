/*
 * test_hex.c - hex digits into bytes (src/util/hex.c).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "util/hex.h"
#include "util/text.h"

/* every byte's value, against the digits themselves */
static void test_hexval(void **state)
{
	const char *lower = "0123456789abcdef", *upper = "0123456789ABCDEF";
	int c = 0;

	(void)state;
	for (c = -1; c < 300; c++) {
		const char *l = c > 0 && c < 256 ? strchr(lower, c) : NULL;
		const char *u = c > 0 && c < 256 ? strchr(upper, c) : NULL;
		int want = l != NULL ? (int)(l - lower) : u != NULL ? (int)(u - upper) : -1;

		assert_int_equal(nx_hexval(c), want);
	}
}

static void test_unhex(void **state)
{
	unsigned char in[32], out[32];
	char hex[65];
	unsigned seed = 99;
	int round = 0;
	size_t i = 0;

	(void)state;
	for (round = 0; round < 200; round++) {
		for (i = 0; i < 32; i++) {
			seed = seed * 1103515245u + 12345u;
			in[i] = (unsigned char)(seed >> 16);
		}
		nx_hex(hex, in, 32);
		/* upper case on odd rounds: either case reads the same */
		for (i = 0; round % 2 == 1 && i < 64; i++)
			if (hex[i] >= 'a')
				hex[i] = (char)(hex[i] - 'a' + 'A');
		memset(out, 0, sizeof(out));
		assert_int_equal(nx_unhex(out, hex, 32), 1);
		assert_memory_equal(out, in, 32);
		/* a prefix: only its bytes are written */
		memset(out, 0xAA, sizeof(out));
		assert_int_equal(nx_unhex(out, hex, 8), 1);
		assert_memory_equal(out, in, 8);
		assert_int_equal(out[8], 0xAA);
	}
	/* a bad digit anywhere fails, high or low */
	for (i = 0; i < 64; i++) {
		memcpy(hex, "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff", 65);
		hex[i] = i % 2 == 0 ? 'g' : ' ';
		assert_int_equal(nx_unhex(out, hex, 32), 0);
		assert_int_equal(nx_unhex(out, hex, i / 2), 1);
	}
}

/* a string shorter than asked for stops at its NUL (exact size: ASan sees a read past it) */
static void test_unhex_short(void **state)
{
	unsigned char out[8];
	char *h = malloc(6);

	(void)state;
	assert_non_null(h);
	memcpy(h, "abcde", 6);
	assert_int_equal(nx_unhex(out, h, 8), 0);
	assert_int_equal(nx_unhex(out, h, 2), 1);
	assert_int_equal(out[0], 0xab);
	assert_int_equal(out[1], 0xcd);
	free(h);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_hexval),
		cmocka_unit_test(test_unhex),
		cmocka_unit_test(test_unhex_short),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

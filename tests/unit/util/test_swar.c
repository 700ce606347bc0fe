/*
 * test_swar.c - the 8-bytes-at-a-time tests (src/util/swar.h) against the
 * same tests made a byte at a time, on words of random and chosen bytes.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "util/swar.h"

static uint64_t next(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

/* a word of bytes drawn from around the thresholds, or any byte */
static uint64_t word(uint64_t *s)
{
	static const unsigned char near[] = { 0x00, 0x01, 0x1F, 0x20, 0x21, 0x22, 0x5C, 0x7E, 0x7F, 0x80, 0xFE, 0xFF,
					      'a', 'Z', ' ', '"' };
	unsigned char b[8];
	uint64_t r = next(s), x = 0;
	int i = 0;

	for (i = 0; i < 8; i++) {
		uint64_t k = next(s);

		b[i] = (r >> i) & 1 ? near[k % sizeof(near)] : (unsigned char)k;
	}
	memcpy(&x, b, 8);
	return x;
}

static void test_swar_against_bytes(void **state)
{
	static const unsigned below[] = { 1, 0x20, 0x21, 0x80 };
	static const unsigned above[] = { 0x20, 0x7E, 0x7F };
	static const unsigned eq[] = { 0, ' ', '"', '\\', 0x7F, 0x80, 0xFF };
	uint64_t seed = 88172645463325252u;
	int round = 0;

	(void)state;
	for (round = 0; round < 200000; round++) {
		uint64_t x = word(&seed), got = 0, want = 0;
		unsigned char b[8];
		size_t t = 0;
		int i = 0, any = 0;

		memcpy(b, &x, 8);
		for (t = 0; t < sizeof(below) / sizeof(below[0]); t++) {
			for (i = 0, any = 0; i < 8; i++)
				any |= b[i] < below[t];
			assert_int_equal(nx_swar_below(x, below[t]) != 0, any);
		}
		for (t = 0; t < sizeof(above) / sizeof(above[0]); t++) {
			for (i = 0, any = 0; i < 8; i++)
				any |= b[i] > above[t];
			assert_int_equal(nx_swar_above(x, above[t]) != 0, any);
		}
		for (t = 0; t < sizeof(eq) / sizeof(eq[0]); t++) {
			unsigned char m[8];

			for (i = 0; i < 8; i++)
				m[i] = b[i] == eq[t] ? 0x80 : 0;
			memcpy(&want, m, 8);
			got = nx_swar_eq(x, eq[t]);
			assert_true(got == want);
		}
	}
	/* load reads the bytes in memory order */
	{
		const char p[9] = "abcdefgh";
		uint64_t x = nx_swar_load(p);

		assert_memory_equal(&x, p, 8);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_swar_against_bytes),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

/*
 * test_buf.c - nx_buf, the internal growable string (src/util/buf.c).
 *
 * The invariants from buf.h are checked after every operation: buf is never
 * NULL, it is NUL-terminated at len, an untouched buffer points at the
 * shared empty string, allocation failure is sticky and detach is the only
 * way to take the memory.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/buf.h"

static void check_invariants(const nx_buf *b)
{
	assert_non_null(b->buf);
	assert_int_equal(b->buf[b->len], '\0');
	if (b->alloc == 0) {
		assert_ptr_equal(b->buf, nx_buf__empty);
		assert_int_equal(b->len, 0);
	} else {
		assert_true(b->len < b->alloc);
	}
	/* nobody ever wrote into the shared empty string */
	assert_int_equal(nx_buf__empty[0], '\0');
}

static void test_init(void **state)
{
	nx_buf a = NX_BUF_INIT;
	nx_buf b;

	(void)state;
	check_invariants(&a);
	assert_string_equal(a.buf, "");
	assert_true(nx_buf_ok(&a));
	memset(&b, 0x5a, sizeof(b));
	nx_buf_init(&b);
	check_invariants(&b);
	assert_int_equal(b.alloc, 0);
	assert_int_equal(b.failed, 0);
	/* freeing an untouched buffer is fine, twice too */
	nx_buf_free(&a);
	nx_buf_free(&a);
	check_invariants(&a);
}

static void test_add(void **state)
{
	nx_buf b = NX_BUF_INIT;

	(void)state;
	nx_buf_add(&b, "hello", 5);
	check_invariants(&b);
	assert_string_equal(b.buf, "hello");
	assert_int_equal(b.len, 5);
	nx_buf_adds(&b, ", ");
	nx_buf_addch(&b, 'w');
	nx_buf_add(&b, "orld!!!", 4);
	check_invariants(&b);
	assert_string_equal(b.buf, "hello, world");
	assert_int_equal(b.len, 12);
	/* zero-length appends change nothing */
	nx_buf_add(&b, "xyz", 0);
	nx_buf_adds(&b, "");
	assert_string_equal(b.buf, "hello, world");
	assert_int_equal(b.len, 12);
	nx_buf_free(&b);
	check_invariants(&b);
	assert_int_equal(b.alloc, 0);
}

static void test_add_zero_length_keeps_empty(void **state)
{
	nx_buf b = NX_BUF_INIT;

	(void)state;
	nx_buf_add(&b, "abc", 0);
	nx_buf_adds(&b, "");
	check_invariants(&b);
	assert_int_equal(b.alloc, 0);
	assert_true(nx_buf_ok(&b));
}

static void test_embedded_nul(void **state)
{
	nx_buf b = NX_BUF_INIT;

	(void)state;
	nx_buf_add(&b, "a\0b", 3);
	nx_buf_addch(&b, '\0');
	nx_buf_addch(&b, 'c');
	check_invariants(&b);
	assert_int_equal(b.len, 5);
	assert_memory_equal(b.buf, "a\0b\0c", 6);
	nx_buf_free(&b);
}

static void test_addch_high_byte(void **state)
{
	nx_buf b = NX_BUF_INIT;

	(void)state;
	nx_buf_addch(&b, 0xE9);
	nx_buf_addch(&b, -1);
	check_invariants(&b);
	assert_int_equal(b.len, 2);
	assert_int_equal((unsigned char)b.buf[0], 0xE9);
	assert_int_equal((unsigned char)b.buf[1], 0xFF);
	nx_buf_free(&b);
}

static void test_grow_large(void **state)
{
	nx_buf b = NX_BUF_INIT;
	size_t i = 0;

	(void)state;
	for (i = 0; i < 300000; i++) {
		nx_buf_addch(&b, 'a' + (int)(i % 26));
		if (i % 4099 == 0)
			check_invariants(&b);
	}
	check_invariants(&b);
	assert_true(nx_buf_ok(&b));
	assert_int_equal(b.len, 300000);
	for (i = 0; i < b.len; i++)
		if (b.buf[i] != 'a' + (int)(i % 26))
			fail_msg("byte %zu is %c", i, b.buf[i]);
	assert_int_equal(strlen(b.buf), 300000);
	nx_buf_free(&b);
}

static void test_grow_explicit(void **state)
{
	nx_buf b = NX_BUF_INIT;
	char *before = NULL;

	(void)state;
	assert_int_equal(nx_buf_grow(&b, 1000), 0);
	check_invariants(&b);
	assert_true(b.alloc >= 1001);
	assert_int_equal(b.len, 0);
	assert_string_equal(b.buf, "");
	before = b.buf;
	/* reserved room is used without moving the buffer */
	memset(b.buf, 'x', 1000);
	b.len = 1000;
	b.buf[1000] = '\0';
	nx_buf_grow(&b, 0);
	assert_ptr_equal(b.buf, before);
	check_invariants(&b);
	nx_buf_free(&b);
}

static void test_addf(void **state)
{
	nx_buf b = NX_BUF_INIT;
	char big[5000];

	(void)state;
	nx_buf_addf(&b, "%s/%s", "dir", "name");
	nx_buf_addf(&b, " %d %05.1f %c", -42, 3.14159, 'z');
	check_invariants(&b);
	assert_string_equal(b.buf, "dir/name -42 003.1 z");
	assert_int_equal(b.len, strlen("dir/name -42 003.1 z"));
	/* longer than the first allocation */
	memset(big, 'q', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	nx_buf_reset(&b);
	nx_buf_addf(&b, "<%s>", big);
	check_invariants(&b);
	assert_int_equal(b.len, sizeof(big) + 1);
	assert_int_equal(b.buf[0], '<');
	assert_int_equal(b.buf[b.len - 1], '>');
	assert_int_equal(b.buf[2500], 'q');
	nx_buf_free(&b);
}

static void test_addf_empty_result(void **state)
{
	nx_buf b = NX_BUF_INIT;

	(void)state;
	nx_buf_addf(&b, "%s", "");
	check_invariants(&b);
	assert_int_equal(b.len, 0);
	assert_true(nx_buf_ok(&b));
	nx_buf_free(&b);
}

static void vadd_helper(nx_buf *b, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	nx_buf_vaddf(b, fmt, ap);
	va_end(ap);
}

static void test_vaddf(void **state)
{
	nx_buf b = NX_BUF_INIT;

	(void)state;
	nx_buf_adds(&b, "x=");
	vadd_helper(&b, "%d,%s", 7, "y");
	check_invariants(&b);
	assert_string_equal(b.buf, "x=7,y");
	nx_buf_free(&b);
}

static void test_sticky_failure(void **state)
{
	nx_buf b = NX_BUF_INIT;

	(void)state;
	nx_buf_adds(&b, "abc");
	assert_int_equal(nx_buf_grow(&b, SIZE_MAX), -1);
	assert_false(nx_buf_ok(&b));
	/* everything after a failure is a no-op */
	nx_buf_adds(&b, "def");
	nx_buf_addch(&b, 'g');
	nx_buf_addf(&b, "%d", 12);
	nx_buf_add(&b, "h", 1);
	assert_false(nx_buf_ok(&b));
	assert_int_equal(nx_buf_grow(&b, 1), -1);
	assert_int_equal(b.len, 3);
	assert_string_equal(b.buf, "abc");
	/* detach of a failed buffer gives NULL and frees */
	assert_null(nx_buf_detach(&b));
	check_invariants(&b);
	assert_true(nx_buf_ok(&b));
	assert_int_equal(b.alloc, 0);
}

static void test_overflow_guard(void **state)
{
	nx_buf b = NX_BUF_INIT;

	(void)state;
	nx_buf_adds(&b, "0123456789");
	/* a length that would wrap size_t when added to len + 1 */
	assert_int_equal(nx_buf_grow(&b, SIZE_MAX - 5), -1);
	assert_false(nx_buf_ok(&b));
	nx_buf_free(&b);
	assert_true(nx_buf_ok(&b));
	nx_buf_add(&b, "x", 1);
	assert_int_equal(nx_buf_grow(&b, SIZE_MAX / 2), -1);
	nx_buf_free(&b);
}

static void test_detach(void **state)
{
	nx_buf b = NX_BUF_INIT;
	char *s = NULL;

	(void)state;
	/* an empty buffer detaches to a fresh "" the caller may free */
	s = nx_buf_detach(&b);
	assert_non_null(s);
	assert_ptr_not_equal(s, nx_buf__empty);
	assert_string_equal(s, "");
	free(s);
	check_invariants(&b);

	nx_buf_adds(&b, "owned");
	s = nx_buf_detach(&b);
	assert_non_null(s);
	assert_string_equal(s, "owned");
	check_invariants(&b);
	assert_int_equal(b.alloc, 0);
	assert_int_equal(b.len, 0);
	/* the buffer is usable again and independent of s */
	nx_buf_adds(&b, "again");
	assert_string_equal(b.buf, "again");
	assert_string_equal(s, "owned");
	free(s);
	nx_buf_free(&b);
}

static void test_reset_truncate(void **state)
{
	nx_buf b = NX_BUF_INIT;
	size_t alloc = 0;

	(void)state;
	nx_buf_reset(&b); /* on the shared empty string: harmless */
	check_invariants(&b);
	nx_buf_adds(&b, "hello world");
	alloc = b.alloc;
	nx_buf_truncate(&b, 5);
	check_invariants(&b);
	assert_string_equal(b.buf, "hello");
	nx_buf_truncate(&b, 50); /* longer: no-op */
	assert_string_equal(b.buf, "hello");
	assert_int_equal(b.len, 5);
	nx_buf_truncate(&b, 0);
	assert_string_equal(b.buf, "");
	nx_buf_adds(&b, "abc");
	nx_buf_reset(&b);
	check_invariants(&b);
	assert_int_equal(b.len, 0);
	assert_int_equal(b.alloc, alloc); /* memory kept */
	nx_buf_adds(&b, "z");
	assert_string_equal(b.buf, "z");
	nx_buf_free(&b);
}

/*
 * Threads reset, truncate and trim their own empty buffers at once (the
 * ingest producer and the store's packer do): none may write into the one
 * empty string they all point at.  ThreadSanitizer (-DNX_TSAN=ON) reports
 * such a write as a race; any build checks the buffers stay empty.
 */
static void *empty_buffer_churn(void *arg)
{
	int *bad = arg;
	int i = 0;

	for (i = 0; i < 2000; i++) {
		nx_buf b = NX_BUF_INIT;

		nx_buf_reset(&b);
		nx_buf_truncate(&b, 0);
		nx_buf_trim(&b);
		nx_buf_add(&b, "", 0);
		if (b.alloc != 0 || b.len != 0 || b.buf[0] != '\0')
			*bad = 1;
		nx_buf_free(&b);
	}
	return NULL;
}

static void test_empty_buffers_on_two_threads(void **state)
{
	pthread_t th;
	int bad_thread = 0, bad_main = 0;

	(void)state;
	assert_int_equal(pthread_create(&th, NULL, empty_buffer_churn, &bad_thread), 0);
	empty_buffer_churn(&bad_main);
	assert_int_equal(pthread_join(th, NULL), 0);
	assert_int_equal(bad_thread, 0);
	assert_int_equal(bad_main, 0);
	assert_int_equal(nx_buf__empty[0], '\0');
}

static void trim_case(const char *in, const char *want)
{
	nx_buf b = NX_BUF_INIT;

	nx_buf_adds(&b, in);
	nx_buf_trim(&b);
	check_invariants(&b);
	assert_string_equal(b.buf, want);
	assert_int_equal(b.len, strlen(want));
	nx_buf_free(&b);
}

static void test_trim(void **state)
{
	nx_buf b = NX_BUF_INIT;

	(void)state;
	trim_case("  hello  ", "hello");
	trim_case("\t\r\n\f\vhello world\n\n", "hello world");
	trim_case("hello", "hello");
	trim_case("   ", "");
	trim_case(" \t\n", "");
	trim_case("a", "a");
	trim_case(" a", "a");
	trim_case("a ", "a");
	trim_case("  a b  c  ", "a b  c");
	/* non-ASCII space (NBSP) is not ASCII white space: kept */
	trim_case("\xC2\xA0x\xC2\xA0", "\xC2\xA0x\xC2\xA0");
	nx_buf_trim(&b); /* untouched buffer */
	check_invariants(&b);
}

static void test_varint(void **state)
{
	static const uint64_t vals[] = { 0, 1, 127, 128, 300, 16383, 16384, UINT32_MAX, (uint64_t)INT64_MAX };
	static const size_t lens[] = { 1, 1, 1, 2, 2, 2, 3, 5, 9 };
	unsigned char x[16];
	const unsigned char *p = NULL;
	uint64_t v = 0;
	size_t i = 0, n = 0;

	(void)state;
	for (i = 0; i < sizeof(vals) / sizeof(vals[0]); i++) {
		n = nx_varint_put(x, vals[i]);
		assert_int_equal(n, lens[i]);
		p = x;
		assert_int_equal(nx_varint_get(&p, x + n, &v), 1);
		assert_true(v == vals[i]);
		assert_ptr_equal(p, x + n);
		/* cut short: not a varint */
		p = x;
		assert_int_equal(nx_varint_get(&p, x + n - 1, &v), 0);
	}
	/* 300 = 0xAC 0x02 */
	assert_int_equal(nx_varint_put(x, 300), 2);
	assert_int_equal(x[0], 0xAC);
	assert_int_equal(x[1], 0x02);
	/* past 63 bits: refused, however long the input */
	memset(x, 0xFF, sizeof(x));
	p = x;
	assert_int_equal(nx_varint_get(&p, x + sizeof(x), &v), 0);
	assert_true(p <= x + 9);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_init),
		cmocka_unit_test(test_add),
		cmocka_unit_test(test_add_zero_length_keeps_empty),
		cmocka_unit_test(test_embedded_nul),
		cmocka_unit_test(test_addch_high_byte),
		cmocka_unit_test(test_grow_large),
		cmocka_unit_test(test_grow_explicit),
		cmocka_unit_test(test_addf),
		cmocka_unit_test(test_addf_empty_result),
		cmocka_unit_test(test_vaddf),
		cmocka_unit_test(test_sticky_failure),
		cmocka_unit_test(test_overflow_guard),
		cmocka_unit_test(test_detach),
		cmocka_unit_test(test_reset_truncate),
		cmocka_unit_test(test_empty_buffers_on_two_threads),
		cmocka_unit_test(test_trim),
		cmocka_unit_test(test_varint),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

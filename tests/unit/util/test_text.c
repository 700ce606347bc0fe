/*
 * test_text.c - UTF-8 decoding/validation/cleaning, ASCII helpers and
 * SHA-256 (src/util/text.c).
 *
 * Inputs that are not NUL-terminated are copied into heap blocks of their
 * exact size, so a read past the end shows up under AddressSanitizer.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/text.h"

/* Exact-size heap copy (no NUL after it). */
static char *exact(const char *s, size_t len)
{
	char *p = malloc(len > 0 ? len : 1);

	assert_non_null(p);
	memcpy(p, s, len);
	return p;
}

/* ---- nx_utf8_decode ---- */

struct dcase {
	const char *in;
	size_t len;
	uint32_t cp;
	size_t used;
};

static void test_utf8_decode(void **state)
{
	static const struct dcase cases[] = {
		{ "A", 1, 'A', 1 },
		{ "\x7F", 1, 0x7F, 1 },
		{ "\xC2\x80", 2, 0x80, 2 },
		{ "\xC3\xA9", 2, 0xE9, 2 },           /* é */
		{ "\xDF\xBF", 2, 0x7FF, 2 },
		{ "\xE0\xA0\x80", 3, 0x800, 3 },
		{ "\xE2\x82\xAC", 3, 0x20AC, 3 },     /* € */
		{ "\xEF\xBF\xBD", 3, 0xFFFD, 3 },     /* U+FFFD itself */
		{ "\xEF\xBF\xBF", 3, 0xFFFF, 3 },
		{ "\xF0\x90\x80\x80", 4, 0x10000, 4 },
		{ "\xF0\x9F\x98\x80", 4, 0x1F600, 4 }, /* 😀 */
		{ "\xF4\x8F\xBF\xBF", 4, 0x10FFFF, 4 },
		/* invalid: one byte consumed, U+FFFD */
		{ "\x80", 1, 0xFFFD, 1 },             /* lone continuation */
		{ "\xBF", 1, 0xFFFD, 1 },
		{ "\xC0\xAF", 2, 0xFFFD, 1 },         /* overlong '/' */
		{ "\xC1\xBF", 2, 0xFFFD, 1 },
		{ "\xE0\x80\xAF", 3, 0xFFFD, 1 },     /* overlong */
		{ "\xF0\x80\x80\xAF", 4, 0xFFFD, 1 }, /* overlong */
		{ "\xED\xA0\x80", 3, 0xFFFD, 1 },     /* surrogate D800 */
		{ "\xED\xBF\xBF", 3, 0xFFFD, 1 },     /* surrogate DFFF */
		{ "\xF4\x90\x80\x80", 4, 0xFFFD, 1 }, /* > U+10FFFF */
		{ "\xF5\x80\x80\x80", 4, 0xFFFD, 1 },
		{ "\xF8\x88\x80\x80\x80", 5, 0xFFFD, 1 }, /* 5-byte form */
		{ "\xFE", 1, 0xFFFD, 1 },
		{ "\xFF", 1, 0xFFFD, 1 },
		{ "\xC3", 1, 0xFFFD, 1 },             /* truncated */
		{ "\xE2\x82", 2, 0xFFFD, 1 },
		{ "\xF0\x9F\x98", 3, 0xFFFD, 1 },
		{ "\xC3\x41", 2, 0xFFFD, 1 },         /* bad continuation */
		{ "\xE2\x82\x41", 3, 0xFFFD, 1 },
		{ "\xE2\x41\xAC", 3, 0xFFFD, 1 },
	};
	size_t i = 0;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *p = exact(cases[i].in, cases[i].len);
		uint32_t cp = 0x12345;
		size_t used = nx_utf8_decode(p, cases[i].len, &cp);

		if (cp != cases[i].cp || used != cases[i].used)
			fail_msg("case %zu: got U+%04X/%zu, want U+%04X/%zu", i, (unsigned)cp, used,
				 (unsigned)cases[i].cp, cases[i].used);
		free(p);
	}
}

static void test_utf8_decode_len_bounds(void **state)
{
	uint32_t cp = 0;
	char *p = exact("\xE2\x82\xAC", 3);

	(void)state;
	/* A sequence cut by len counts as truncated even if bytes follow. */
	assert_int_equal(nx_utf8_decode(p, 2, &cp), 1);
	assert_int_equal(cp, 0xFFFD);
	assert_int_equal(nx_utf8_decode(p, 1, &cp), 1);
	assert_int_equal(cp, 0xFFFD);
	assert_int_equal(nx_utf8_decode(p, 0, &cp), 0);
	free(p);
}

/* ---- nx_utf8_put ---- */

static void test_utf8_put_roundtrip(void **state)
{
	static const uint32_t cps[] = { 0, 'a', 0x7F, 0x80, 0xE9, 0x7FF, 0x800, 0x20AC,
					0xD7FF, 0xE000, 0xFFFD, 0xFFFF, 0x10000, 0x1F600, 0x10FFFF };
	static const size_t widths[] = { 1, 1, 1, 2, 2, 2, 3, 3, 3, 3, 3, 3, 4, 4, 4 };
	size_t i = 0;

	(void)state;
	for (i = 0; i < sizeof(cps) / sizeof(cps[0]); i++) {
		nx_buf b = NX_BUF_INIT;
		uint32_t back = 0;

		nx_utf8_put(&b, cps[i]);
		assert_true(nx_buf_ok(&b));
		assert_int_equal(b.len, widths[i]);
		assert_int_equal(nx_utf8_decode(b.buf, b.len, &back), widths[i]);
		assert_int_equal(back, cps[i]);
		nx_buf_free(&b);
	}
}

static void test_utf8_put_exact_bytes(void **state)
{
	nx_buf b = NX_BUF_INIT;

	(void)state;
	nx_utf8_put(&b, 0xE9);
	nx_utf8_put(&b, 0x20AC);
	nx_utf8_put(&b, 0x1F600);
	assert_int_equal(b.len, 9);
	assert_memory_equal(b.buf, "\xC3\xA9\xE2\x82\xAC\xF0\x9F\x98\x80", 9);
	nx_buf_free(&b);
}

/* ---- nx_utf8_valid ---- */

static void test_utf8_valid(void **state)
{
	static const struct {
		const char *s;
		size_t len;
		int valid;
	} cases[] = {
		{ "", 0, 1 },
		{ "plain ascii", 11, 1 },
		{ "caf\xC3\xA9 \xE2\x82\xAC \xF0\x9F\x98\x80", 14, 1 },
		{ "\xEF\xBF\xBD", 3, 1 },        /* a real U+FFFD is valid */
		{ "x\xEF\xBF\xBDy", 5, 1 },
		{ "a\0b", 3, 0 },                /* NUL byte */
		{ "\xFF", 1, 0 },
		{ "abc\x80", 4, 0 },
		{ "\xC0\xAF", 2, 0 },
		{ "\xED\xA0\x80", 3, 0 },
		{ "\xF4\x90\x80\x80", 4, 0 },
		{ "ok\xE2\x82", 4, 0 },          /* truncated at the end */
		{ "\xEF\xBF", 2, 0 },            /* truncated U+FFFD */
		{ "\xEF\xBF\x41", 3, 0 },
		{ "\xEF\x80\x80\xEF", 4, 0 },
	};
	size_t i = 0;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *p = exact(cases[i].s, cases[i].len);

		if (nx_utf8_valid(p, cases[i].len) != cases[i].valid)
			fail_msg("case %zu: nx_utf8_valid != %d", i, cases[i].valid);
		free(p);
	}
}

/* ---- nx_uni_isspace ---- */

static void test_uni_isspace(void **state)
{
	static const uint32_t yes[] = { ' ', '\t', '\n', '\r', 0x0B, 0x0C, 0x00, 0x1F, 0x7F,
					0x85, 0x9F, 0xA0, 0x1680, 0x2000, 0x2003, 0x200A,
					0x2028, 0x2029, 0x202F, 0x205F, 0x3000 };
	static const uint32_t no[] = { 'a', '0', '~', 0xA1, 0xE9, 0x200B, 0x20AC, 0x2060, 0xFEFF,
				       0xFFFD, 0x1F600, 0x4E2D };
	size_t i = 0;

	(void)state;
	for (i = 0; i < sizeof(yes) / sizeof(yes[0]); i++)
		if (!nx_uni_isspace(yes[i]))
			fail_msg("U+%04X should be space", (unsigned)yes[i]);
	for (i = 0; i < sizeof(no) / sizeof(no[0]); i++)
		if (nx_uni_isspace(no[i]))
			fail_msg("U+%04X should not be space", (unsigned)no[i]);
}

/* ---- nx_text_clean ---- */

struct ccase {
	const char *in;
	long len; /* -1: strlen */
	const char *out;
};

static void test_text_clean(void **state)
{
	static const struct ccase cases[] = {
		{ "hello", -1, "hello" },
		{ "one two, three.", -1, "one two, three." },  /* a sentence in one run */
		{ "one two ", -1, "one two" },
		{ "one two  three", -1, "one two three" },
		{ "one \ttwo", -1, "one two" },
		{ "one t", 6, "one t" },
		{ "one two", 5, "one t" },                     /* len cuts the run */
		{ "one \xC2\xA0two", -1, "one two" },
		{ "  hello  world  ", -1, "hello world" },
		{ "\t\r\nline one\n\nline two\r\n", -1, "line one line two" },
		{ "a\xC2\xA0" "b", -1, "a b" },               /* NBSP */
		{ "a\xC2\xA0\xC2\xA0 \t b", -1, "a b" },
		{ "a\xE2\x80\x83" "b", -1, "a b" },           /* em space */
		{ "a\xE3\x80\x80" "b", -1, "a b" },           /* ideographic space */
		{ "a\xE2\x80\xAF" "b", -1, "a b" },           /* narrow NBSP */
		{ "a\xE2\x80\xA8" "b", -1, "a b" },           /* line separator */
		{ "zero\xE2\x80\x8Bwidth", -1, "zerowidth" },  /* ZWSP */
		{ "a\xE2\x80\x8C\xE2\x80\x8D" "b", -1, "ab" }, /* ZWNJ ZWJ */
		{ "word\xE2\x81\xA0joiner", -1, "wordjoiner" },
		{ "co\xC2\xADoperate", -1, "cooperate" },      /* soft hyphen */
		{ "\xEF\xBB\xBFtitle", -1, "title" },          /* BOM */
		{ "x\xEF\xBB\xBFy", -1, "xy" },
		{ "a\x01" "b", -1, "a b" },                    /* C0 control */
		{ "a\x7F" "b", -1, "a b" },                    /* DEL */
		{ "a\xC2\x85" "b", -1, "a b" },                /* NEL (C1) */
		{ "a\xC2\x9B" "b", -1, "a b" },                /* CSI (C1) */
		{ "a\xFF" "b", -1, "a\xEF\xBF\xBD" "b" },      /* invalid byte */
		{ "\xC0\xAF", -1, "\xEF\xBF\xBD\xEF\xBF\xBD" }, /* overlong: two bad bytes */
		{ "\xED\xA0\x80", -1, "\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD" },
		{ "caf\xC3\xA9", -1, "caf\xC3\xA9" },
		{ "\xF0\x9F\x98\x80 ok", -1, "\xF0\x9F\x98\x80 ok" },
		{ "\xEF\xBF\xBD", -1, "\xEF\xBF\xBD" },
		{ "a\0b", 3, "a b" },                          /* embedded NUL */
		{ "", -1, "" },
		{ "   \t\n ", -1, "" },
		{ "\xC2\xA0\xE2\x80\x8B\xC2\xAD", -1, "" },    /* only invisible/space */
		{ "abcdef", 3, "abc" },                        /* len respected */
		{ "ab\xE2\x82\xAC", 4, "ab\xEF\xBF\xBD\xEF\xBF\xBD" }, /* cut inside € */
	};
	size_t i = 0;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		size_t len = cases[i].len < 0 ? strlen(cases[i].in) : (size_t)cases[i].len;
		char *p = exact(cases[i].in, len);
		nx_buf b = NX_BUF_INIT;

		nx_text_clean(&b, p, len);
		assert_true(nx_buf_ok(&b));
		if (b.len != strlen(cases[i].out) || strcmp(b.buf, cases[i].out) != 0)
			fail_msg("case %zu: got '%s', want '%s'", i, b.buf, cases[i].out);
		nx_buf_free(&b);
		free(p);
	}
}

static void test_text_clean_appends(void **state)
{
	nx_buf b = NX_BUF_INIT;

	(void)state;
	nx_buf_adds(&b, "prefix:");
	nx_text_clean(&b, "  value  ", 9);
	/* leading space of the cleaned part is dropped even after other text */
	assert_string_equal(b.buf, "prefix:value");
	nx_buf_free(&b);
}

/* Every output of nx_text_clean is clean, whatever the input. */
static void test_text_clean_random(void **state)
{
	static const char pieces[][5] = { "a", " ", "\t", "\n", "\x01", "\x7F", "\x80", "\xFF", "\xC3",
					  "\xC3\xA9", "\xE2\x82", "\xE2\x82\xAC", "\xC2\xA0", "\xE2\x80\x8B",
					  "\xF0\x9F\x98\x80", "\xED\xA0\x80", "\0", "\xC2\xAD", "Z", "\xEF\xBB\xBF" };
	unsigned seed = 12345;
	int round = 0;

	(void)state;
	for (round = 0; round < 3000; round++) {
		char in[200];
		size_t n = 0, k = 0, i = 0, want = 0;
		nx_buf b = NX_BUF_INIT;
		char *p = NULL;

		seed = seed * 1103515245u + 12345u;
		want = (seed >> 16) % 40;
		for (k = 0; k < want; k++) {
			size_t j = 0, plen = 0;

			seed = seed * 1103515245u + 12345u;
			j = (seed >> 16) % (sizeof(pieces) / sizeof(pieces[0]));
			plen = pieces[j][0] == '\0' ? 1 : strlen(pieces[j]);
			if (n + plen > sizeof(in))
				break;
			memcpy(in + n, pieces[j], plen);
			n += plen;
		}
		/* also cut the input at a random point, inside a sequence maybe */
		seed = seed * 1103515245u + 12345u;
		if (n > 0)
			n -= (seed >> 16) % 3 < n ? (seed >> 16) % 3 : 0;
		p = exact(in, n);
		nx_text_clean(&b, p, n);
		assert_true(nx_buf_ok(&b));
		assert_int_equal(strlen(b.buf), b.len);
		if (!nx_utf8_valid(b.buf, b.len))
			fail_msg("round %d: output is not valid UTF-8", round);
		if (b.len > 0 && (b.buf[0] == ' ' || b.buf[b.len - 1] == ' '))
			fail_msg("round %d: output not trimmed: '%s'", round, b.buf);
		for (i = 0; i < b.len; i++) {
			unsigned char c = (unsigned char)b.buf[i];

			if (c < 0x20 || c == 0x7F)
				fail_msg("round %d: control byte 0x%02X in output", round, c);
			if (i > 0 && c == ' ' && b.buf[i - 1] == ' ')
				fail_msg("round %d: double space in output", round);
		}
		if (nx_memcasemem(b.buf, b.len, "\xC2\xA0") != NULL ||
		    nx_memcasemem(b.buf, b.len, "\xE2\x80\x8B") != NULL ||
		    nx_memcasemem(b.buf, b.len, "\xC2\xAD") != NULL ||
		    nx_memcasemem(b.buf, b.len, "\xEF\xBB\xBF") != NULL)
			fail_msg("round %d: NBSP/zero-width/soft hyphen/BOM left in output", round);
		/* cleaning is idempotent */
		{
			nx_buf again = NX_BUF_INIT;

			nx_text_clean(&again, b.buf, b.len);
			assert_int_equal(again.len, b.len);
			assert_memory_equal(again.buf, b.buf, b.len);
			nx_buf_free(&again);
		}
		nx_buf_free(&b);
		free(p);
	}
}

/* ---- ASCII helpers ---- */

/*
 * nx_text_clean against a one-code-point-at-a-time model of it, on random
 * mixes of ASCII words, punctuation, white space, controls and UTF-8 (valid
 * and not), appended to a buffer that already holds text.
 */
static void model_clean(nx_buf *out, const char *s, size_t len)
{
	size_t i = 0, n = 0, start = out->len;
	uint32_t cp = 0;
	int pending = 0;

	while (i < len) {
		n = nx_utf8_decode(s + i, len - i, &cp);
		i += n;
		if (cp == 0xAD || cp == 0x200B || cp == 0x200C || cp == 0x200D || cp == 0x2060 || cp == 0xFEFF)
			continue;
		if (nx_uni_isspace(cp)) {
			pending = 1;
			continue;
		}
		if (pending && out->len > start)
			nx_buf_addch(out, ' ');
		pending = 0;
		nx_utf8_put(out, cp);
	}
}

static void test_text_clean_model(void **state)
{
	static const char *const pieces[] = { "word", "Ab", "x", "3.5%", "!?", "~", " ", "  ", "\t", "\n",
					      "\r\n", "\x01", "\x7F", "\x80", "\xFF", "\xC3", "\xC3\xA9",
					      "\xE2\x82", "\xE2\x82\xAC", "\xC2\xA0", "\xE2\x80\x8B", "\xC2\xAD",
					      "\xF0\x9F\x98\x80", "\xED\xA0\x80", "\xEF\xBB\xBF", "\xE3\x80\x80",
					      /* long runs, read 8 bytes at a time: single and double spaces */
					      "The quick brown fox jumps over the lazy dog.", "a b c d e f g h i j",
					      "abcdefghijklmnopqrstuvwxyz0123", "one  two   three    four", "x y  z ",
					      "~!@#$%^&*()_+{}|:<>?`-=[]\\;',./" };
	unsigned seed = 777;
	int round = 0;

	(void)state;
	for (round = 0; round < 5000; round++) {
		char in[400];
		size_t n = 0, k = 0, want = 0;
		nx_buf got = NX_BUF_INIT, exp = NX_BUF_INIT;
		char *p = NULL;

		seed = seed * 1103515245u + 12345u;
		want = (seed >> 16) % 60;
		for (k = 0; k < want; k++) {
			size_t j = 0, plen = 0;

			seed = seed * 1103515245u + 12345u;
			j = (seed >> 16) % (sizeof(pieces) / sizeof(pieces[0]));
			plen = strlen(pieces[j]);
			if (n + plen > sizeof(in))
				break;
			memcpy(in + n, pieces[j], plen);
			n += plen;
		}
		p = exact(in, n);
		/* every other round appends to text already there */
		if (round % 2 == 1) {
			nx_buf_adds(&got, "head");
			nx_buf_adds(&exp, "head");
		}
		nx_text_clean(&got, p, n);
		model_clean(&exp, p, n);
		assert_true(nx_buf_ok(&got));
		assert_int_equal(strlen(got.buf), got.len);
		if (got.len != exp.len || memcmp(got.buf, exp.buf, got.len) != 0)
			fail_msg("round %d: got '%s', want '%s'", round, got.buf, exp.buf);
		nx_buf_free(&got);
		nx_buf_free(&exp);
		free(p);
	}
}

static void test_ascii_classes(void **state)
{
	int c = 0;

	(void)state;
	for (c = -1; c < 256; c++) {
		int d = c >= '0' && c <= '9';
		int u = c >= 'A' && c <= 'Z';
		int l = c >= 'a' && c <= 'z';
		int s = c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';

		assert_int_equal(nx_isdigit(c) != 0, d);
		assert_int_equal(nx_isupper(c) != 0, u);
		assert_int_equal(nx_islower(c) != 0, l);
		assert_int_equal(nx_isalpha(c) != 0, u || l);
		assert_int_equal(nx_isalnum(c) != 0, u || l || d);
		assert_int_equal(nx_isspace(c) != 0, s);
		assert_int_equal(nx_tolower(c), u ? c + 32 : c);
		assert_int_equal(nx_toupper(c), l ? c - 32 : c);
	}
	/* locale independent: Latin-1 letters are not letters */
	assert_false(nx_isalpha(0xE9));
	assert_false(nx_isspace(0xA0));
	assert_int_equal(nx_tolower(0xC9), 0xC9);
}

static void test_case_compare(void **state)
{
	(void)state;
	assert_true(nx_strcaseeq("Reuters", "REUTERS"));
	assert_true(nx_strcaseeq("", ""));
	assert_false(nx_strcaseeq("Reuters", "Reuter"));
	assert_false(nx_strcaseeq("Reuter", "Reuters"));
	assert_false(nx_strcaseeq("abc", "abd"));
	assert_false(nx_strcaseeq("\xC3\xA9", "\xC3\x89")); /* é vs É: bytes differ */
	assert_true(nx_strncaseeq("HTTP/1.1", "http/1.0", 6));
	assert_false(nx_strncaseeq("HTTP/1.1", "http/1.0", 8));
	assert_true(nx_strncaseeq("abc", "ABC", 10)); /* both end together */
	assert_false(nx_strncaseeq("ab", "abc", 10));
	assert_false(nx_strncaseeq("abc", "ab", 10));
	assert_true(nx_strncaseeq("x", "y", 0));
}

static void test_startswith_ci(void **state)
{
	char *p = exact("<!DOCTYPE html>", 15);

	(void)state;
	assert_true(nx_startswith_ci(p, 15, "<!doctype"));
	assert_true(nx_startswith_ci(p, 15, "<!DocType html>"));
	assert_true(nx_startswith_ci(p, 15, ""));
	assert_false(nx_startswith_ci(p, 15, "<!doctype html>x"));
	assert_false(nx_startswith_ci(p, 4, "<!doctype"));  /* len too short */
	assert_false(nx_startswith_ci(p, 0, "<"));
	assert_false(nx_startswith_ci(p, 15, "<?xml"));
	free(p);
}

static void test_memcasemem(void **state)
{
	const char *text = "The QUICK brown fox";
	char *p = exact(text, strlen(text));
	size_t n = strlen(text);

	(void)state;
	assert_ptr_equal(nx_memcasemem(p, n, "quick"), p + 4);
	assert_ptr_equal(nx_memcasemem(p, n, "FOX"), p + 16);
	assert_ptr_equal(nx_memcasemem(p, n, "the"), p);
	assert_ptr_equal(nx_memcasemem(p, n, ""), p);
	assert_null(nx_memcasemem(p, n, "wolf"));
	assert_null(nx_memcasemem(p, n, "fox!"));          /* runs past the end */
	assert_null(nx_memcasemem(p, 18, "fox"));           /* len cuts the match */
	assert_ptr_equal(nx_memcasemem(p, 19, "x"), p + 18);
	assert_null(nx_memcasemem(p, 0, "t"));
	assert_null(nx_memcasemem(p, 3, "The QUICK brown fox and more"));
	free(p);
}

static void test_strdup_helpers(void **state)
{
	char *s = NULL;
	char *p = exact("abcdef", 6);

	(void)state;
	s = nx_strndup(p, 3);
	assert_non_null(s);
	assert_string_equal(s, "abc");
	free(s);
	s = nx_strndup(p, 0);
	assert_non_null(s);
	assert_string_equal(s, "");
	free(s);
	s = nx_strndup(p, 6); /* exactly the block: no read past it */
	assert_string_equal(s, "abcdef");
	free(s);
	free(p);
	s = nx_ascii_lowerdup("HeLLo \xC3\x89" "COLE 42 ZZ");
	assert_non_null(s);
	assert_string_equal(s, "hello \xC3\x89" "cole 42 zz"); /* É unchanged */
	free(s);
	s = nx_ascii_lowerdup("");
	assert_string_equal(s, "");
	free(s);
}

/* ---- SHA-256 ---- */

static void hex_of(const unsigned char d[32], char out[65])
{
	static const char hex[] = "0123456789abcdef";
	int i = 0;

	for (i = 0; i < 32; i++) {
		out[2 * i] = hex[d[i] >> 4];
		out[2 * i + 1] = hex[d[i] & 15];
	}
	out[64] = '\0';
}

static void test_sha256_fips(void **state)
{
	static const struct {
		const char *msg;
		const char *hex;
	} v[] = {
		{ "", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855" },
		{ "abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad" },
		{ "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
		  "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1" },
		{ "abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmnoijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu",
		  "cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1" },
	};
	size_t i = 0;

	(void)state;
	for (i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		char hex[65];
		unsigned char d[32];
		char h2[65];

		nx_sha256_hex(v[i].msg, strlen(v[i].msg), hex);
		assert_string_equal(hex, v[i].hex);
		nx_sha256(v[i].msg, strlen(v[i].msg), d);
		hex_of(d, h2);
		assert_string_equal(h2, v[i].hex);
	}
}

static void test_sha256_million_a(void **state)
{
	static const char want[] = "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0";
	static const size_t chunks[] = { 1000, 1, 7, 63, 64, 65, 4096, 999999 };
	char block[4096];
	size_t k = 0;

	(void)state;
	memset(block, 'a', sizeof(block));
	for (k = 0; k < sizeof(chunks) / sizeof(chunks[0]); k++) {
		nx_sha256_ctx c;
		unsigned char d[32];
		char hex[65];
		size_t done = 0, step = chunks[k] > sizeof(block) ? sizeof(block) : chunks[k];

		/* the last size is fed as one huge update after a small one */
		nx_sha256_init(&c);
		if (chunks[k] == 999999) {
			char *big = malloc(999999);

			assert_non_null(big);
			memset(big, 'a', 999999);
			nx_sha256_update(&c, "a", 1);
			nx_sha256_update(&c, big, 999999);
			free(big);
			done = 1000000;
		}
		while (done < 1000000) {
			size_t take = 1000000 - done < step ? 1000000 - done : step;

			nx_sha256_update(&c, block, take);
			done += take;
		}
		nx_sha256_final(&c, d);
		hex_of(d, hex);
		if (strcmp(hex, want) != 0)
			fail_msg("chunk %zu: got %s", chunks[k], hex);
	}
}

/* Message lengths around the padding boundary (55/56 and 63/64/65). */
static void test_sha256_padding_boundaries(void **state)
{
	static const struct {
		size_t n;
		const char *hex;
	} v[] = {
		{ 55, "9f4390f8d30c2dd92ec9f095b65e2b9ae9b0a925a5258e241c9f1e910f734318" },
		{ 56, "b35439a4ac6f0948b6d6f9e3c6af0f5f590ce20f1bde7090ef7970686ec6738a" },
		{ 57, "f13b2d724659eb3bf47f2dd6af1accc87b81f09f59f2b75e5c0bed6589dfe8c6" },
		{ 63, "7d3e74a05d7db15bce4ad9ec0658ea98e3f06eeecf16b4c6fff2da457ddc2f34" },
		{ 64, "ffe054fe7ae0cb6dc65c3af9b61d5209f439851db43d0ba5997337df154668eb" },
		{ 65, "635361c48bb9eab14198e76ea8ab7f1a41685d6ad62aa9146d301d4f17eb0ae0" },
		{ 119, "31eba51c313a5c08226adf18d4a359cfdfd8d2e816b13f4af952f7ea6584dcfb" },
		{ 120, "2f3d335432c70b580af0e8e1b3674a7c020d683aa5f73aaaedfdc55af904c21c" },
	};
	char msg[128];
	size_t i = 0, split = 0;

	(void)state;
	memset(msg, 'a', sizeof(msg));
	for (i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		char hex[65];
		char *p = exact(msg, v[i].n);

		nx_sha256_hex(p, v[i].n, hex);
		if (strcmp(hex, v[i].hex) != 0)
			fail_msg("length %zu: got %s", v[i].n, hex);
		/* same digest however the message is split */
		for (split = 0; split <= v[i].n; split += 5) {
			nx_sha256_ctx c;
			unsigned char d[32];

			nx_sha256_init(&c);
			nx_sha256_update(&c, p, split);
			nx_sha256_update(&c, p + split, v[i].n - split);
			nx_sha256_final(&c, d);
			hex_of(d, hex);
			if (strcmp(hex, v[i].hex) != 0)
				fail_msg("length %zu split %zu: got %s", v[i].n, split, hex);
		}
		free(p);
	}
}

static void test_sha256_zero_updates(void **state)
{
	nx_sha256_ctx c;
	unsigned char d[32];
	char hex[65];

	(void)state;
	nx_sha256_init(&c);
	nx_sha256_update(&c, "", 0);
	nx_sha256_update(&c, "ab", 2);
	nx_sha256_update(&c, "", 0);
	nx_sha256_update(&c, "c", 1);
	nx_sha256_final(&c, d);
	hex_of(d, hex);
	assert_string_equal(hex, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
	/* binary input with NUL bytes */
	nx_sha256_hex("\0\0\0", 3, hex);
	assert_string_equal(hex, "709e80c88487a2411e1ee4dfb9f22a861492d20c4765150c0c794abd70f8147c");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_utf8_decode),
		cmocka_unit_test(test_utf8_decode_len_bounds),
		cmocka_unit_test(test_utf8_put_roundtrip),
		cmocka_unit_test(test_utf8_put_exact_bytes),
		cmocka_unit_test(test_utf8_valid),
		cmocka_unit_test(test_uni_isspace),
		cmocka_unit_test(test_text_clean),
		cmocka_unit_test(test_text_clean_appends),
		cmocka_unit_test(test_text_clean_random),
		cmocka_unit_test(test_text_clean_model),
		cmocka_unit_test(test_ascii_classes),
		cmocka_unit_test(test_case_compare),
		cmocka_unit_test(test_startswith_ci),
		cmocka_unit_test(test_memcasemem),
		cmocka_unit_test(test_strdup_helpers),
		cmocka_unit_test(test_sha256_fips),
		cmocka_unit_test(test_sha256_million_a),
		cmocka_unit_test(test_sha256_padding_boundaries),
		cmocka_unit_test(test_sha256_zero_updates),
	};
	int failed = 0;

	failed += cmocka_run_group_tests(tests, NULL, NULL);
	return failed;
}

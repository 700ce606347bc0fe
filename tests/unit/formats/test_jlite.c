/*
 * test_jlite.c - unit tests for src/formats/jlite.c, the JSON reader of
 * jsonl.c.
 *
 * Unit cases: escapes and \uXXXX with surrogate pairs decoded to UTF-8,
 * duplicate keys (the last wins), nesting up to jansson's limit of 2048
 * values and not one more, integers to the edges of long long, reals,
 * every class of refusal (grammar, control characters, bad escapes, lone
 * surrogates, \u0000, invalid UTF-8 of every kind, numbers too big,
 * trailing data), the end offset of a value read with NX_JLITE_NO_EOF_CHECK
 * (jansson's error.position, with its lost NUL after a scalar), the
 * accessors, and memory reused from one parse to the next.  Every unit
 * case is also run through jansson, which must agree.
 *
 * Differential: real JSON (the *.jsonl lines under NX_SHARED_DATA, its
 * *.json files whole and re-dumped as one line, this tree's JSON Lines
 * test files, and the *.jsonl files of the folder in $NX_JLITE_EXTRA when
 * set) and mutations of it from a fixed seed (truncations, byte flips,
 * insertions, deletions) parsed by jlite and jansson: same accept/refuse,
 * same values, same end offset (tests/fuzz/jlite_diff.h).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <ftw.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/buf.h"
#include "fuzz/jlite_diff.h"

#define ANY_PREFIX (JSON_DISABLE_EOF_CHECK | JSON_DECODE_ANY)

/* A case: input (len 0: strlen), jansson flags, accepted or not. */
typedef struct jcase {
	const char *in;
	size_t len;
	size_t flags;
	int ok;
} jcase;

/* jlite and jansson on buf under flags; returns jlite's result. */
static int both(nx_jlite *jl, const nx_jlite_val **v, const char *buf, size_t len, size_t flags)
{
	char why[256];
	const char *d = jlite_diff(jl, buf, len, flags, why, sizeof(why));

	if (d != NULL)
		fail_msg("'%.*s' (flags 0x%zx): %s", (int)(len < 80 ? len : 80), buf, flags, d);
	return nx_jlite_parse(jl, v, buf, len, jlite_diff_flags(flags));
}

static void run_cases(const jcase *c, size_t n)
{
	nx_jlite jl = NX_JLITE_INIT;
	const nx_jlite_val *v = NULL;
	size_t i = 0;

	for (i = 0; i < n; i++) {
		size_t len = c[i].len > 0 ? c[i].len : strlen(c[i].in);
		int rc = both(&jl, &v, c[i].in, len, c[i].flags);

		if ((rc == NX_OK) != c[i].ok)
			fail_msg("case %zu '%.*s': %s (%s)", i, (int)len, c[i].in, rc == NX_OK ? "accepted" : "refused",
				 jl.msg);
		if (rc != NX_OK) {
			assert_null(v);
			assert_true(jl.msg[0] != '\0');
		}
	}
	nx_jlite_free(&jl);
}

/* The string value of key in a one-line object. */
static void expect_str(const char *json, const char *key, const char *want, size_t wantlen)
{
	nx_jlite jl = NX_JLITE_INIT;
	const nx_jlite_val *v = NULL, *s = NULL;

	if (both(&jl, &v, json, strlen(json), 0) != NX_OK)
		fail_msg("'%s' refused: %s", json, jl.msg);
	s = nx_jlite_get(v, key);
	assert_true(nx_jlite_is_string(s));
	assert_int_equal(nx_jlite_len(s), wantlen);
	assert_memory_equal(nx_jlite_str(s), want, wantlen);
	assert_int_equal(nx_jlite_str(s)[wantlen], '\0');
	nx_jlite_free(&jl);
}

static void test_escapes(void **state)
{
	(void)state;
	expect_str("{\"a\": \"x\\\"\\\\\\/\\b\\f\\n\\r\\ty\"}", "a", "x\"\\/\b\f\n\r\ty", 10);
	expect_str("{\"a\": \"caf\\u00e9 \\u00E9\"}", "a", "caf\xc3\xa9 \xc3\xa9", 8);
	expect_str("{\"a\": \"\\u0041\\u007f\\u0080\\u07ff\\u0800\\u20AC\\uffff\"}", "a",
		   "A\x7f\xc2\x80\xdf\xbf\xe0\xa0\x80\xe2\x82\xac\xef\xbf\xbf", 15);
	/* surrogate pairs, lower and upper case */
	expect_str("{\"a\": \"\\uD83D\\uDE00|\\ud800\\udc00|\\uDBFF\\uDFFF\"}", "a",
		   "\xf0\x9f\x98\x80|\xf0\x90\x80\x80|\xf4\x8f\xbf\xbf", 14);
	/* raw UTF-8 is kept as it is, DEL too */
	expect_str("{\"a\": \"\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80\x7f\"}", "a",
		   "\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80\x7f", 10);
	/* escaped keys are decoded before matching */
	expect_str("{\"t\\u0069tle\": \"T\"}", "title", "T", 1);
	expect_str("{\"\": \"empty key\"}", "", "empty key", 9);
	expect_str("{\"a\": \"\"}", "a", "", 0);
}

static void test_surrogates(void **state)
{
	static const jcase c[] = {
		{ "[\"\\uD83D\\uDE00\"]", 0, 0, 1 },
		{ "[\"\\uD83D\"]", 0, 0, 0 },          /* high alone */
		{ "[\"\\uD83Dx\"]", 0, 0, 0 },         /* high, then not an escape */
		{ "[\"\\uD83D\\n\"]", 0, 0, 0 },       /* high, then another escape */
		{ "[\"\\uD83D\\u0041\"]", 0, 0, 0 },   /* high, then not a low one */
		{ "[\"\\uD83D\\uD83D\"]", 0, 0, 0 },   /* high, high */
		{ "[\"\\uDE00\"]", 0, 0, 0 },          /* low alone */
		{ "[\"\\uDE00\\uD83D\"]", 0, 0, 0 },   /* the pair reversed */
		{ "[\"\\uD83D\\uDE0\"]", 0, 0, 0 },    /* short low */
		{ "[\"\\uD83D\\u", 0, 0, 0 },          /* cut */
		{ "[\"\\uD83D", 0, 0, 0 },
		{ "[\"\xed\xa0\xbd\xed\xb8\x80\"]", 0, 0, 0 }, /* surrogates as raw UTF-8 (CESU-8) */
	};

	(void)state;
	run_cases(c, sizeof(c) / sizeof(c[0]));
}

static void test_duplicates(void **state)
{
	nx_jlite jl = NX_JLITE_INIT;
	const nx_jlite_val *v = NULL, *a = NULL, *o = NULL;
	const char *json = "{\"a\": 1, \"b\": {\"x\": \"first\", \"x\": \"second\"}, \"a\": [3], \"a\": \"last\"}";

	(void)state;
	assert_int_equal(both(&jl, &v, json, strlen(json), 0), NX_OK);
	assert_int_equal(v->n, 4); /* members as written */
	a = nx_jlite_get(v, "a");
	assert_true(nx_jlite_is_string(a));
	assert_string_equal(nx_jlite_str(a), "last");
	o = nx_jlite_get(v, "b");
	assert_true(nx_jlite_is_object(o));
	assert_string_equal(nx_jlite_str(nx_jlite_get(o, "x")), "second");
	assert_null(nx_jlite_get(v, "x"));
	assert_null(nx_jlite_get(v, "A"));
	nx_jlite_free(&jl);
}

/* n opening brackets, inner, n closing ones. */
static void nest(nx_buf *b, size_t n, const char *open, const char *inner, const char *close)
{
	size_t i = 0;

	nx_buf_reset(b);
	for (i = 0; i < n; i++)
		nx_buf_adds(b, open);
	nx_buf_adds(b, inner);
	for (i = 0; i < n; i++)
		nx_buf_adds(b, close);
	assert_true(nx_buf_ok(b));
}

static void test_nesting(void **state)
{
	nx_jlite jl = NX_JLITE_INIT;
	const nx_jlite_val *v = NULL, *e = NULL;
	nx_buf b = NX_BUF_INIT;
	size_t i = 0;

	(void)state;
	/* 2048 values deep is the limit: scalars count */
	nest(&b, 2048, "[", "", "]");
	assert_int_equal(both(&jl, &v, b.buf, b.len, 0), NX_OK);
	assert_int_equal(jl.nvals, 2048);
	for (i = 0, e = v; i < 2047; i++, e = nx_jlite_first(e)) {
		assert_true(nx_jlite_is_array(e));
		assert_int_equal(e->n, 1);
		assert_int_equal(e->skip, 2048 - i);
	}
	assert_int_equal(e->n, 0);
	nest(&b, 2049, "[", "", "]");
	assert_int_equal(both(&jl, &v, b.buf, b.len, 0), NX_EFORMAT);
	nest(&b, 2047, "[", "1", "]");
	assert_int_equal(both(&jl, &v, b.buf, b.len, 0), NX_OK);
	nest(&b, 2048, "[", "1", "]");
	assert_int_equal(both(&jl, &v, b.buf, b.len, 0), NX_EFORMAT);
	assert_non_null(strstr(jl.msg, "2048"));
	nest(&b, 2047, "{\"k\":", "\"s\"", "}");
	assert_int_equal(both(&jl, &v, b.buf, b.len, 0), NX_OK);
	nest(&b, 2048, "{\"k\":", "\"s\"", "}");
	assert_int_equal(both(&jl, &v, b.buf, b.len, 0), NX_EFORMAT);
	nest(&b, 1024, "{\"k\":[", "null", "]}");
	assert_int_equal(both(&jl, &v, b.buf, b.len, 0), NX_EFORMAT);
	nest(&b, 1023, "{\"k\":[", "{}", "]}");
	assert_int_equal(both(&jl, &v, b.buf, b.len, 0), NX_OK);
	/* far deeper: refused, no stack overflow, also cut short */
	nest(&b, 200000, "[", "", "]");
	assert_int_equal(both(&jl, &v, b.buf, b.len, 0), NX_EFORMAT);
	assert_int_equal(both(&jl, &v, b.buf, 100000, 0), NX_EFORMAT);
	/* siblings: skip jumps over whole subtrees */
	assert_int_equal(both(&jl, &v, "[[1,[2]],{\"a\":[3]},4]", 21, 0), NX_OK);
	assert_int_equal(v->n, 3);
	e = nx_jlite_first(v);
	assert_int_equal(e->skip, 4);
	e = nx_jlite_next(e);
	assert_true(nx_jlite_is_object(e));
	e = nx_jlite_next(e);
	assert_int_equal(nx_jlite_int(e), 4);
	nx_buf_free(&b);
	nx_jlite_free(&jl);
}

/* The single element of a one-element array. */
static const nx_jlite_val *one(nx_jlite *jl, const char *json)
{
	const nx_jlite_val *v = NULL;

	if (both(jl, &v, json, strlen(json), 0) != NX_OK)
		fail_msg("'%s' refused: %s", json, jl->msg);
	assert_true(nx_jlite_is_array(v));
	assert_int_equal(v->n, 1);
	return nx_jlite_first(v);
}

static void test_numbers(void **state)
{
	static const jcase bad[] = {
		{ "[01]", 0, 0, 0 },   { "[-01]", 0, 0, 0 },  { "[00]", 0, 0, 0 },   { "[-]", 0, 0, 0 },
		{ "[-a]", 0, 0, 0 },   { "[1.]", 0, 0, 0 },   { "[.5]", 0, 0, 0 },   { "[1e]", 0, 0, 0 },
		{ "[1e+]", 0, 0, 0 },  { "[1.e5]", 0, 0, 0 }, { "[+1]", 0, 0, 0 },   { "[0x10]", 0, 0, 0 },
		{ "[NaN]", 0, 0, 0 },  { "[Infinity]", 0, 0, 0 }, { "[-Infinity]", 0, 0, 0 }, { "[1 2]", 0, 0, 0 },
		{ "[1e999]", 0, 0, 0 }, { "[-1e999]", 0, 0, 0 }, { "[1.8e308]", 0, 0, 0 },
		{ "[9223372036854775808]", 0, 0, 0 }, { "[-9223372036854775809]", 0, 0, 0 },
		{ "[99999999999999999999999999999]", 0, 0, 0 }, { "[1-2]", 0, 0, 0 }, { "[- 1]", 0, 0, 0 },
		{ "[1.5.3]", 0, 0, 0 }, { "[1e5e5]", 0, 0, 0 },
	};
	nx_jlite jl = NX_JLITE_INIT;
	const nx_jlite_val *e = NULL;

	(void)state;
	e = one(&jl, "[0]");
	assert_true(nx_jlite_is_integer(e));
	assert_int_equal(nx_jlite_int(e), 0);
	e = one(&jl, "[-0]");
	assert_true(nx_jlite_is_integer(e));
	assert_int_equal(nx_jlite_int(e), 0);
	e = one(&jl, "[1625708520]");
	assert_int_equal(nx_jlite_int(e), 1625708520);
	assert_true(nx_jlite_number(e) == 1625708520.0);
	e = one(&jl, "[9223372036854775807]");
	assert_true(nx_jlite_int(e) == LLONG_MAX);
	e = one(&jl, "[-9223372036854775808]");
	assert_true(nx_jlite_int(e) == LLONG_MIN);
	e = one(&jl, "[1.5]");
	assert_true(nx_jlite_is_real(e));
	assert_true(nx_jlite_number(e) == 1.5);
	assert_int_equal(nx_jlite_int(e), 0);
	e = one(&jl, "[1E+2]");
	assert_true(nx_jlite_is_real(e));
	assert_true(nx_jlite_number(e) == 100.0);
	e = one(&jl, "[-2.5e-3]");
	assert_true(nx_jlite_number(e) == -2.5e-3);
	e = one(&jl, "[0e0]");
	assert_true(nx_jlite_is_real(e));
	e = one(&jl, "[1e-400]"); /* underflow is no error */
	assert_true(nx_jlite_number(e) == 0.0);
	e = one(&jl, "[1.7976931348623157e308]");
	assert_true(nx_jlite_number(e) == 1.7976931348623157e308);
	e = one(&jl, "[\"7\"]");
	assert_false(nx_jlite_is_integer(e));
	assert_true(nx_jlite_number(e) == 0.0);
	run_cases(bad, sizeof(bad) / sizeof(bad[0]));
	nx_jlite_free(&jl);
}

#define B(s) s, sizeof(s) - 1

static void test_refusals(void **state)
{
	static const jcase c[] = {
		/* grammar */
		{ "", 1, 0, 0 }, /* one NUL byte */
		{ B(""), 0, 0 },
		{ " \t\r\n", 0, 0, 0 },
		{ "{", 0, 0, 0 },
		{ "{\"a\"", 0, 0, 0 },
		{ "{\"a\":", 0, 0, 0 },
		{ "{\"a\":1", 0, 0, 0 },
		{ "{\"a\":1,}", 0, 0, 0 },
		{ "{,}", 0, 0, 0 },
		{ "{\"a\" 1}", 0, 0, 0 },
		{ "{\"a\":1 \"b\":2}", 0, 0, 0 },
		{ "{a:1}", 0, 0, 0 },
		{ "{'a':1}", 0, 0, 0 },
		{ "{1:1}", 0, 0, 0 },
		{ "{\"a\":1}}", 0, 0, 0 },
		{ "[1,]", 0, 0, 0 },
		{ "[,1]", 0, 0, 0 },
		{ "[1,,2]", 0, 0, 0 },
		{ "[", 0, 0, 0 },
		{ "]", 0, 0, 0 },
		{ "[}", 0, 0, 0 },
		{ "{]", 0, 0, 0 },
		{ "[tru]", 0, 0, 0 },
		{ "[truex]", 0, 0, 0 },
		{ "[True]", 0, 0, 0 },
		{ "[nul]", 0, 0, 0 },
		{ "[undefined]", 0, 0, 0 },
		{ "[true1]", 0, 0, 0 },
		{ "[\"a\" \"b\"]", 0, 0, 0 },
		{ "[1] // comment", 0, 0, 0 },
		{ "/* c */ [1]", 0, 0, 0 },
		{ "[1] x", 0, 0, 0 },
		{ "[1] [2]", 0, 0, 0 },
		{ B("[1]\0"), 0, 0 },
		{ "\f[1]", 0, 0, 0 },   /* form feed is not JSON whitespace */
		{ "[1]\v", 0, 0, 0 },
		{ "[1,\xc2\xa0" "2]", 0, 0, 0 }, /* nor is U+00A0 */
		{ "\xef\xbb\xbf[1]", 0, 0, 0 }, /* a BOM is the caller's business */
		/* the top of a line must be an object or array */
		{ "1", 0, 0, 0 },
		{ "\"s\"", 0, 0, 0 },
		{ "true", 0, 0, 0 },
		{ "null", 0, 0, 0 },
		{ "1", 0, JSON_DECODE_ANY, 1 },
		{ "\"s\"", 0, JSON_DECODE_ANY, 1 },
		{ "null", 0, JSON_DECODE_ANY, 1 },
		{ " false ", 0, JSON_DECODE_ANY, 1 },
		/* strings: control characters, escapes, NUL */
		{ "[\"a\nb\"]", 0, 0, 0 },
		{ "[\"a\tb\"]", 0, 0, 0 },
		{ "[\"a\x1f" "b\"]", 0, 0, 0 },
		{ "[\"a\x01\"]", 0, 0, 0 },
		{ B("[\"a\0b\"]"), 0, 0 },
		{ "[\"a\x7f\"]", 0, 0, 1 },
		{ "[\"\\x41\"]", 0, 0, 0 },
		{ "[\"\\'\"]", 0, 0, 0 },
		{ "[\"\\U0041\"]", 0, 0, 0 },
		{ "[\"\\u41\"]", 0, 0, 0 },
		{ "[\"\\u004G\"]", 0, 0, 0 },
		{ "[\"\\ \"]", 0, 0, 0 },
		{ "[\"\\", 0, 0, 0 },
		{ "[\"abc", 0, 0, 0 },
		{ "[\"\\u0000\"]", 0, 0, 0 },
		{ "[\"a\\u0000b\"]", 0, 0, 0 },
		{ "{\"a\\u0000\":1}", 0, 0, 0 },
		{ "[\"\\u0001\\u001f\"]", 0, 0, 1 },
		/* invalid UTF-8, in strings and out */
		{ "[\"\x80\"]", 0, 0, 0 },             /* lone continuation */
		{ "[\"\xbf\"]", 0, 0, 0 },
		{ "[\"\xc0\x80\"]", 0, 0, 0 },         /* overlong NUL */
		{ "[\"\xc1\xbf\"]", 0, 0, 0 },         /* overlong */
		{ "[\"\xe0\x80\x80\"]", 0, 0, 0 },     /* overlong, 3 bytes */
		{ "[\"\xe0\x9f\xbf\"]", 0, 0, 0 },
		{ "[\"\xf0\x80\x80\x80\"]", 0, 0, 0 }, /* overlong, 4 bytes */
		{ "[\"\xf0\x8f\xbf\xbf\"]", 0, 0, 0 },
		{ "[\"\xed\xa0\x80\"]", 0, 0, 0 },     /* a surrogate */
		{ "[\"\xed\xbf\xbf\"]", 0, 0, 0 },
		{ "[\"\xf4\x90\x80\x80\"]", 0, 0, 0 }, /* past U+10FFFF */
		{ "[\"\xf5\x80\x80\x80\"]", 0, 0, 0 },
		{ "[\"\xf8\x88\x80\x80\x80\"]", 0, 0, 0 },
		{ "[\"\xfe\"]", 0, 0, 0 },
		{ "[\"\xff\"]", 0, 0, 0 },
		{ "[\"\xe2\x82\"]", 0, 0, 0 },         /* cut sequence */
		{ "[\"\xe2\x82", 0, 0, 0 },
		{ "[\"\xe2\"]", 0, 0, 0 },
		{ "[\"\xc3\xa9\xc3\"]", 0, 0, 0 },
		{ "[\"\xc2\x80\xdf\xbf\xe0\xa0\x80\xed\x9f\xbf\xee\x80\x80\xef\xbf\xbf\xf0\x90\x80\x80\xf4\x8f\xbf\xbf\"]",
		  0, 0, 1 }, /* every edge that is valid */
		{ "[\"\xef\xbf\xbe\"]", 0, 0, 1 },     /* noncharacters are fine */
		{ "[1\xff]", 0, 0, 0 },
		{ "[\xc3\xa9]", 0, 0, 0 },
		{ "{\"a\":1}\xff", 0, 0, 0 },
		{ "{\"\xff\":1}", 0, 0, 0 },
	};

	(void)state;
	run_cases(c, sizeof(c) / sizeof(c[0]));
}

/* Offsets with NX_JLITE_NO_EOF_CHECK | NX_JLITE_DECODE_ANY: what jsonl.c reads an array with. */
static void test_end_offset(void **state)
{
	static const struct {
		const char *in;
		size_t len;
		size_t end; /* 0: refused */
	} c[] = {
		{ B("{\"a\":1} , {\"b\":2}]"), 7 },
		{ B("  {\"a\":[1,2]}\n,"), 13 },
		{ B("\"str\"xyz"), 5 },
		{ B("123 , 4"), 3 },
		{ B("123"), 3 },
		{ B("-1.5e3]"), 6 },
		{ B("true,"), 4 },
		{ B("null]"), 4 },
		{ B("false"), 5 },
		{ B("[] garbage \xff"), 2 },
		{ B("1\xff"), 1 },        /* jansson does not look past a scalar's end */
		{ B("true\xc3"), 4 },
		{ B("1x"), 1 },
		{ B("truex"), 0 },        /* but a run of letters is one token */
		{ B("1."), 0 },
		{ B("01"), 0 },
		{ B("  "), 0 },
		{ B("]"), 0 },
		{ B(","), 0 },
		/* jansson's lexer loses a NUL read just past a number or literal */
		{ B("1\0"), 1 },
		{ B("{\"a\":1\0}"), 7 },
		{ B("[true\0,null\0]"), 11 },
		{ B("[1.5\0 ]"), 6 },
		{ B("[1\0\0]"), 0 },      /* only one */
		{ B("[1 \0]"), 0 },       /* only right after it */
		{ B("[\"s\"\0]"), 0 },    /* only after a number or literal */
		{ B("{\"a\":1}\0"), 7 },
	};
	nx_jlite jl = NX_JLITE_INIT;
	const nx_jlite_val *v = NULL;
	size_t i = 0;

	(void)state;
	for (i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
		int rc = both(&jl, &v, c[i].in, c[i].len, ANY_PREFIX);

		if (c[i].end == 0 && rc == NX_OK)
			fail_msg("case %zu accepted", i);
		if (c[i].end > 0 && rc != NX_OK)
			fail_msg("case %zu refused: %s", i, jl.msg);
		if (c[i].end > 0 && jl.end != c[i].end)
			fail_msg("case %zu: end %zu, want %zu", i, jl.end, c[i].end);
	}
	/* the NUL oddity holds for whole lines too */
	assert_int_equal(both(&jl, &v, B("{\"a\":[1\0,true\0]}"), 0), NX_OK);
	assert_int_equal(nx_jlite_get(v, "a")->n, 2);
	nx_jlite_free(&jl);
}

static void test_accessors(void **state)
{
	nx_jlite jl = NX_JLITE_INIT;
	const nx_jlite_val *v = NULL, *e = NULL, *k = NULL;
	const char *json = "{\"s\":\"str\",\"i\":-7,\"r\":0.25,\"t\":true,\"f\":false,\"n\":null,"
			   "\"a\":[\"x\",{\"name\":\"y\"},[]],\"o\":{}}";
	size_t i = 0;

	(void)state;
	assert_int_equal(both(&jl, &v, json, strlen(json), 0), NX_OK);
	assert_int_equal(v->n, 8);
	assert_int_equal(v->skip, jl.nvals);
	assert_true(nx_jlite_is_string(nx_jlite_get(v, "s")));
	assert_int_equal(nx_jlite_int(nx_jlite_get(v, "i")), -7);
	assert_true(nx_jlite_number(nx_jlite_get(v, "i")) == -7.0);
	assert_true(nx_jlite_number(nx_jlite_get(v, "r")) == 0.25);
	assert_true(nx_jlite_is(nx_jlite_get(v, "t"), NX_JLITE_TRUE));
	assert_true(nx_jlite_is(nx_jlite_get(v, "f"), NX_JLITE_FALSE));
	assert_true(nx_jlite_is_null(nx_jlite_get(v, "n")));
	assert_true(nx_jlite_is_object(nx_jlite_get(v, "o")));
	assert_int_equal(nx_jlite_get(v, "o")->n, 0);
	/* NULL and wrong types are harmless */
	assert_null(nx_jlite_get(NULL, "s"));
	assert_null(nx_jlite_get(nx_jlite_get(v, "a"), "s"));
	assert_null(nx_jlite_get(nx_jlite_get(v, "s"), "s"));
	assert_false(nx_jlite_is_string(NULL));
	assert_false(nx_jlite_is_null(NULL));
	assert_null(nx_jlite_str(nx_jlite_get(v, "i")));
	assert_int_equal(nx_jlite_len(NULL), 0);
	assert_int_equal(nx_jlite_int(NULL), 0);
	/* array walk, nested containers skipped whole */
	e = nx_jlite_get(v, "a");
	assert_int_equal(e->n, 3);
	k = nx_jlite_first(e);
	assert_string_equal(nx_jlite_str(k), "x");
	k = nx_jlite_next(k);
	assert_string_equal(nx_jlite_str(nx_jlite_get(k, "name")), "y");
	k = nx_jlite_next(k);
	assert_true(nx_jlite_is_array(k));
	/* object walk: key, value */
	for (i = 0, k = nx_jlite_first(v); i < v->n; i++, k = nx_jlite_next(k + 1))
		assert_true(nx_jlite_is_string(k));
	assert_true(k == v + v->skip);
	nx_jlite_free(&jl);
	nx_jlite_free(&jl); /* twice is fine */
}

/*
 * Strings are scanned 8 bytes at a time: every byte that ends a plain run
 * (quote, backslash, control, UTF-8 and bad bytes, NUL), and a plain 0x7F,
 * at every offset of a long run, with the whole input exactly as long as
 * the text (a read past it shows under ASan), jansson agreeing.
 */
static void test_long_runs(void **state)
{
	static const struct {
		const char *b;   /* the bytes put in the run */
		const char *dec; /* what they decode to; NULL: refused */
	} cuts[] = {
		{ "\\\"", "\"" }, { "\\\\", "\\" }, { "\\n", "\n" }, { "\\u00e9", "\xC3\xA9" },
		{ "\xC3\xA9", "\xC3\xA9" }, { "\x7F", "\x7F" }, { "\x01", NULL }, { "\t", NULL },
		{ "\xFF", NULL }, { "\xC3", NULL }, { "\"", "" },
	};
	const char *text = "The quick brown fox jumps over the lazy dog, 3.5% of it.";
	size_t c = 0, at = 0, tl = strlen(text);

	(void)state;
	for (c = 0; c < sizeof(cuts) / sizeof(cuts[0]); c++) {
		for (at = 0; at <= 24; at++) {
			nx_jlite jl = NX_JLITE_INIT;
			const nx_jlite_val *v = NULL;
			char in[128], want[128];
			size_t n = 0, w = 0, bl = strlen(cuts[c].b), tail = tl - at;
			char *exact = NULL;
			int rc = 0;

			in[n++] = '"';
			memcpy(in + n, text, at);
			n += at;
			memcpy(in + n, cuts[c].b, bl);
			n += bl;
			/* a bare quote ends the string there: the rest is left out */
			if (strcmp(cuts[c].b, "\"") != 0) {
				memcpy(in + n, text + at, tail);
				n += tail;
				in[n++] = '"';
			}
			memcpy(want, text, at);
			w = at;
			if (cuts[c].dec != NULL && cuts[c].dec[0] != '\0') {
				memcpy(want + w, cuts[c].dec, strlen(cuts[c].dec));
				w += strlen(cuts[c].dec);
				memcpy(want + w, text + at, tail);
				w += tail;
			}
			exact = malloc(n);
			assert_non_null(exact);
			memcpy(exact, in, n);
			rc = both(&jl, &v, exact, n, JSON_DECODE_ANY);
			if (cuts[c].dec == NULL) {
				assert_int_not_equal(rc, NX_OK);
			} else {
				if (rc != NX_OK)
					fail_msg("cut %zu at %zu refused: %s", c, at, jl.msg);
				assert_int_equal(nx_jlite_len(v), w);
				assert_memory_equal(nx_jlite_str(v), want, w);
			}
			free(exact);
			nx_jlite_free(&jl);
		}
	}
}

/* Once grown to the largest line, parsing more lines allocates nothing. */
static void test_reuse(void **state)
{
	nx_jlite jl = NX_JLITE_INIT;
	const nx_jlite_val *v = NULL;
	nx_buf b = NX_BUF_INIT;
	const void *vals = NULL, *str = NULL;
	size_t i = 0;

	(void)state;
	nx_buf_adds(&b, "{\"title\": \"Big\", \"authors\": [");
	for (i = 0; i < 1000; i++)
		nx_buf_addf(&b, "%s\"Author %zu\"", i > 0 ? "," : "", i);
	nx_buf_adds(&b, "], \"text\": \"caf\\u00e9\"}");
	assert_true(nx_buf_ok(&b));
	assert_int_equal(nx_jlite_parse(&jl, &v, b.buf, b.len, 0), NX_OK);
	assert_int_equal(nx_jlite_get(v, "authors")->n, 1000);
	vals = jl.vals;
	str = jl.str;
	for (i = 0; i < 1000; i++) {
		char line[128];

		snprintf(line, sizeof(line), "{\"title\": \"T%zu\", \"n\": %zu, \"x\": [1.5, null]}", i, i);
		assert_int_equal(nx_jlite_parse(&jl, &v, line, strlen(line), 0), NX_OK);
		assert_int_equal(nx_jlite_int(nx_jlite_get(v, "n")), (long long)i);
		assert_true(jl.vals == vals);
		assert_true(jl.str == str);
	}
	/* a failure leaves the parser usable */
	assert_int_equal(nx_jlite_parse(&jl, &v, "{\"a\":", 5, 0), NX_EFORMAT);
	assert_null(v);
	assert_int_equal(nx_jlite_parse(&jl, &v, b.buf, b.len, 0), NX_OK);
	assert_string_equal(nx_jlite_str(nx_jlite_get(v, "text")), "caf\xc3\xa9");
	nx_buf_free(&b);
	nx_jlite_free(&jl);
}

/* ---- differential against jansson ---- */

typedef struct corpus {
	char **item;
	size_t *len;
	size_t n, alloc;
	const char *suffix; /* files collected by walk() */
	int lines;          /* split them into lines */
} corpus;

static corpus *walking;

static void add_item(corpus *c, const char *s, size_t n)
{
	if (c->n == c->alloc) {
		c->alloc = c->alloc > 0 ? c->alloc * 2 : 256;
		c->item = realloc(c->item, c->alloc * sizeof(*c->item));
		c->len = realloc(c->len, c->alloc * sizeof(*c->len));
		assert_non_null(c->item);
		assert_non_null(c->len);
	}
	c->item[c->n] = malloc(n > 0 ? n : 1);
	assert_non_null(c->item[c->n]);
	memcpy(c->item[c->n], s, n);
	c->len[c->n++] = n;
}

static void corpus_free(corpus *c)
{
	size_t i = 0;

	for (i = 0; i < c->n; i++)
		free(c->item[i]);
	free(c->item);
	free(c->len);
	memset(c, 0, sizeof(*c));
}

/* A file's bytes (exactly, not NUL-terminated), or NULL. */
static char *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *d = NULL;
	long n = 0;

	if (f == NULL)
		return NULL;
	if (fseek(f, 0, SEEK_END) == 0 && (n = ftell(f)) >= 0 && fseek(f, 0, SEEK_SET) == 0)
		d = malloc((size_t)n + 1);
	if (d != NULL && fread(d, 1, (size_t)n, f) != (size_t)n) {
		free(d);
		d = NULL;
	}
	fclose(f);
	*len = (size_t)n;
	return d;
}

/* The file as one item, or each of its lines (without the newline). */
static void add_file(corpus *c, const char *path, int lines)
{
	size_t len = 0, i = 0;
	char *d = slurp(path, &len);

	if (d == NULL)
		return;
	if (!lines) {
		add_item(c, d, len);
	} else {
		while (i < len) {
			const char *nl = memchr(d + i, '\n', len - i);
			size_t e = nl != NULL ? (size_t)(nl - d) : len;

			if (e > i)
				add_item(c, d + i, e - i);
			i = e + 1;
		}
	}
	free(d);
}

static int on_file(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
	size_t n = strlen(path), k = strlen(walking->suffix);

	(void)st;
	(void)ftw;
	if (type == FTW_F && n > k && strcmp(path + n - k, walking->suffix) == 0)
		add_file(walking, path, walking->lines);
	return 0;
}

/* Every file named *suffix under dir, whole or as lines. */
static void walk(corpus *c, const char *dir, const char *suffix, int lines)
{
	c->suffix = suffix;
	c->lines = lines;
	walking = c;
	(void)nftw(dir, on_file, 16, FTW_PHYS);
	walking = NULL;
}

static uint64_t rng_state;

static uint64_t rnd(void)
{
	/* xorshift64*: fixed seed, the same mutations on every run */
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * 0x2545F4914F6CDD1DULL;
}

/* One mutation of s into b: cut, byte flipped, token inserted, byte deleted, slice repeated. */
static void mutate(nx_buf *b, const char *s, size_t n)
{
	static const char *const tokens[] = {
		"\"",      "\\",     "\\u",      "\\u0000", "\\uD83D", "\\uDE00", "\\uD83D\\uDE00", "{",
		"}",       "[",      "]",        ",",       ":",       "-",       "0",              "1e999",
		"9223372036854775808", "true",  "null",    "\x00",    "\x1f",    "\x7f",           "\x80",
		"\xc0\x80", "\xc3",  "\xe2\x82", "\xed\xa0\x80", "\xf4\x90\x80\x80", "\xff", " ",    "\t",
		"\n",      "\f",     ".5",       "e",
	};
	static const unsigned char bytes[] = { '"', '\\', '{', '}', '[', ']', ',', ':', '0', '9', '-', '.',
					       'e', 'u', 't', 'n', ' ', 0, 0x1f, 0x7f, 0x80, 0xbf, 0xc3, 0xe2,
					       0xed, 0xf0, 0xf4, 0xff };
	size_t pos = n > 0 ? (size_t)(rnd() % n) : 0, k = 0;

	nx_buf_reset(b);
	switch (rnd() % 6) {
	case 0: /* cut */
		nx_buf_add(b, s, pos);
		break;
	case 1: /* one byte, any value */
		nx_buf_add(b, s, n);
		if (n > 0)
			b->buf[pos] = (char)(rnd() & 0xff);
		break;
	case 2: /* one byte, a telling one */
		nx_buf_add(b, s, n);
		if (n > 0)
			b->buf[pos] = (char)bytes[rnd() % sizeof(bytes)];
		break;
	case 3: /* a token inserted */
		k = rnd() % (sizeof(tokens) / sizeof(tokens[0]));
		nx_buf_add(b, s, pos);
		nx_buf_add(b, tokens[k], tokens[k][0] != '\0' ? strlen(tokens[k]) : 1);
		nx_buf_add(b, s + pos, n - pos);
		break;
	case 4: /* a byte deleted */
		nx_buf_add(b, s, pos);
		if (pos < n)
			nx_buf_add(b, s + pos + 1, n - pos - 1);
		break;
	default: /* a slice repeated: duplicate keys, deeper nesting */
		k = pos + (n > pos ? (size_t)(rnd() % (n - pos < 64 ? n - pos : 64)) : 0);
		nx_buf_add(b, s, k);
		nx_buf_add(b, s + pos, k - pos);
		nx_buf_add(b, s + k, n - k);
		break;
	}
	assert_true(nx_buf_ok(b));
}

typedef struct dstats {
	size_t inputs, accepted, mutants, mutants_accepted;
} dstats;

static void diff_one(nx_jlite *jl, const char *s, size_t n, size_t flags, const char *what, dstats *st)
{
	char why[256];
	const char *d = jlite_diff(jl, s, n, flags, why, sizeof(why));

	if (d != NULL) {
		FILE *f = fopen("jlite-diff-failure.bin", "wb");

		/* kept for tests/fuzz/regressions/jlite/ */
		if (f != NULL) {
			(void)fwrite(s, 1, n, f);
			fclose(f);
		}
		fail_msg("%s (flags 0x%zx, %zu bytes, saved to jlite-diff-failure.bin): %s: '%.100s'", what, flags,
			 n, d, s);
	}
	(void)st;
}

/*
 * Every item under the four flag sets, then `mutations` mutants of each
 * (fewer for big items) under the two jsonl.c uses; whole texts jansson
 * accepts are also re-dumped as one compact line (as JSON Lines writers
 * do), in UTF-8 and in ASCII with \u escapes, and those are diffed too.
 */
static void diff_corpus(const corpus *c, int mutations, int redump, dstats *st)
{
	static const size_t all[] = { 0, JSON_DECODE_ANY, JSON_DISABLE_EOF_CHECK, ANY_PREFIX };
	static const size_t used[] = { 0, ANY_PREFIX };
	nx_jlite jl = NX_JLITE_INIT;
	nx_buf b = NX_BUF_INIT;
	size_t i = 0, f = 0;
	int m = 0;

	rng_state = 0x6a6c697465ULL; /* "jlite" */
	for (i = 0; i < c->n; i++) {
		const char *s = c->item[i];
		size_t n = c->len[i];
		json_t *j = json_loadb(s, n, 0, NULL);
		int nm = n <= 16384 ? mutations : mutations / 8 + 1;

		st->inputs++;
		st->accepted += j != NULL;
		for (f = 0; f < sizeof(all) / sizeof(all[0]); f++)
			diff_one(&jl, s, n, all[f], "input", st);
		if (redump && j != NULL) {
			char *line = json_dumps(j, JSON_COMPACT);
			char *ascii = json_dumps(j, JSON_COMPACT | JSON_ENSURE_ASCII);

			assert_non_null(line);
			assert_non_null(ascii);
			diff_one(&jl, line, strlen(line), 0, "re-dumped line", st);
			diff_one(&jl, ascii, strlen(ascii), 0, "re-dumped ASCII line", st);
			for (m = 0; m < nm; m++) {
				mutate(&b, ascii, strlen(ascii));
				st->mutants++;
				diff_one(&jl, b.buf, b.len, used[m % 2], "mutant of re-dumped ASCII line", st);
			}
			free(line);
			free(ascii);
		}
		json_decref(j);
		for (m = 0; m < nm; m++) {
			json_t *mj = NULL;

			mutate(&b, s, n);
			st->mutants++;
			diff_one(&jl, b.buf, b.len, used[m % 2], "mutant", st);
			mj = json_loadb(b.buf, b.len, used[m % 2], NULL);
			st->mutants_accepted += mj != NULL;
			json_decref(mj);
		}
	}
	nx_buf_free(&b);
	nx_jlite_free(&jl);
}

static void print_stats(const char *what, const corpus *c, const dstats *st)
{
	(void)c;
	print_message("jlite vs jansson, %s: %zu inputs (%zu valid), %zu mutants (%zu valid): no difference\n",
		      what, st->inputs, st->accepted, st->mutants, st->mutants_accepted);
}

/* This tree's JSON Lines test files: always there. */
static void test_diff_tree(void **state)
{
	corpus c;
	dstats st;

	(void)state;
	memset(&c, 0, sizeof(c));
	memset(&st, 0, sizeof(st));
	walk(&c, NX_TEST_DATA "/jsonl", ".jsonl", 1);
	walk(&c, NX_TEST_DATA "/jsonl", ".json", 0);
	walk(&c, NX_CORPUS, ".jsonl", 1);
	assert_true(c.n >= 10);
	diff_corpus(&c, 400, 1, &st);
	print_stats("tree", &c, &st);
	corpus_free(&c);
}

static const char *shared_dir(void)
{
	const char *env = getenv("NX_SHARED_DATA");

	return env != NULL && env[0] != '\0' ? env : NX_SHARED_DATA;
}

/* The lines of every *.jsonl under NX_SHARED_DATA; skipped when there are none. */
static void test_diff_shared_jsonl(void **state)
{
	corpus c;
	dstats st;

	(void)state;
	memset(&c, 0, sizeof(c));
	memset(&st, 0, sizeof(st));
	walk(&c, shared_dir(), ".jsonl", 1);
	if (c.n == 0) {
		print_message("no *.jsonl under %s: skipped\n", shared_dir());
		corpus_free(&c);
		skip();
	}
	diff_corpus(&c, 16, 0, &st);
	print_stats("shared *.jsonl lines", &c, &st);
	corpus_free(&c);
}

/* Every *.json under NX_SHARED_DATA, whole and re-dumped as a line; skipped when there are none. */
static void test_diff_shared_json(void **state)
{
	corpus c;
	dstats st;

	(void)state;
	memset(&c, 0, sizeof(c));
	memset(&st, 0, sizeof(st));
	walk(&c, shared_dir(), ".json", 0);
	if (c.n == 0) {
		print_message("no *.json under %s: skipped\n", shared_dir());
		corpus_free(&c);
		skip();
	}
	diff_corpus(&c, 16, 1, &st);
	print_stats("shared *.json files", &c, &st);
	corpus_free(&c);
}

/* $NX_JLITE_EXTRA: a folder of *.jsonl to diff by hand (a benchmark corpus, say). */
static void test_diff_extra(void **state)
{
	const char *dir = getenv("NX_JLITE_EXTRA");
	corpus c;
	dstats st;

	(void)state;
	if (dir == NULL || dir[0] == '\0')
		skip();
	memset(&c, 0, sizeof(c));
	memset(&st, 0, sizeof(st));
	walk(&c, dir, ".jsonl", 1);
	diff_corpus(&c, 8, 0, &st);
	print_stats(dir, &c, &st);
	corpus_free(&c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_escapes),
		cmocka_unit_test(test_long_runs),
		cmocka_unit_test(test_surrogates),
		cmocka_unit_test(test_duplicates),
		cmocka_unit_test(test_nesting),
		cmocka_unit_test(test_numbers),
		cmocka_unit_test(test_refusals),
		cmocka_unit_test(test_end_offset),
		cmocka_unit_test(test_accessors),
		cmocka_unit_test(test_reuse),
		cmocka_unit_test(test_diff_tree),
		cmocka_unit_test(test_diff_shared_jsonl),
		cmocka_unit_test(test_diff_shared_json),
		cmocka_unit_test(test_diff_extra),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

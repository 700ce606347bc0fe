/*
 * jlite.c - a small strict JSON reader for JSON Lines (see jlite.h).
 *
 * Recursive descent over the bytes, one pass: each value is appended to
 * jl->vals, and its skip (the size of its subtree) filled in once its
 * children are read.  Strings are decoded straight into jl->str, which
 * grows as needed (not to the size of the input up front: an element of
 * a JSON array is parsed from a buffer that runs to the end of the file),
 * so a string records its offset while parsing and gets its pointer once
 * the text is read and the buffer can no longer move.
 *
 * What is accepted follows jansson 2.14's src/load.c, not the RFC where
 * they differ; the comments say where a rule comes from.
 */
#include <errno.h>
#include <limits.h>
#include <locale.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "newsidx/error.h"

#include "formats/jlite.h"
#include "util/swar.h"

typedef struct jparse {
	nx_jlite *jl;
	const unsigned char *start, *p, *end;
	char *out;      /* next free byte of jl->str (moves when it grows) */
	size_t dropped; /* NULs skipped after scalars, not counted in the end offset */
} jparse;

/* Byte classes inside a string: what ends a run of bytes copied as they are. */
enum { C_PLAIN, C_QUOTE, C_ESCAPE, C_CONTROL, C_HIGH };

/* A constant table, so that threads parsing at once share it with no set-up. */
#define P C_PLAIN
#define Q C_QUOTE
#define E C_ESCAPE
#define C C_CONTROL
#define H C_HIGH
static const unsigned char str_class[256] = {
	C, C, C, C, C, C, C, C, C, C, C, C, C, C, C, C,
	C, C, C, C, C, C, C, C, C, C, C, C, C, C, C, C,
	P, P, Q, P, P, P, P, P, P, P, P, P, P, P, P, P,
	P, P, P, P, P, P, P, P, P, P, P, P, P, P, P, P,
	P, P, P, P, P, P, P, P, P, P, P, P, P, P, P, P,
	P, P, P, P, P, P, P, P, P, P, P, P, E, P, P, P,
	P, P, P, P, P, P, P, P, P, P, P, P, P, P, P, P,
	P, P, P, P, P, P, P, P, P, P, P, P, P, P, P, P,
	H, H, H, H, H, H, H, H, H, H, H, H, H, H, H, H,
	H, H, H, H, H, H, H, H, H, H, H, H, H, H, H, H,
	H, H, H, H, H, H, H, H, H, H, H, H, H, H, H, H,
	H, H, H, H, H, H, H, H, H, H, H, H, H, H, H, H,
	H, H, H, H, H, H, H, H, H, H, H, H, H, H, H, H,
	H, H, H, H, H, H, H, H, H, H, H, H, H, H, H, H,
	H, H, H, H, H, H, H, H, H, H, H, H, H, H, H, H,
	H, H, H, H, H, H, H, H, H, H, H, H, H, H, H, H,
};
#undef P
#undef Q
#undef E
#undef C
#undef H

static int fail(jparse *jp, const unsigned char *at, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(jp->jl->msg, sizeof(jp->jl->msg), fmt, ap);
	va_end(ap);
	jp->jl->pos = (size_t)(at - jp->start);
	return NX_EFORMAT;
}

static int fail_eof(jparse *jp)
{
	return fail(jp, jp->end, "unexpected end of input");
}

/* What to say about byte c where a token should start. */
static int fail_token(jparse *jp, const char *expected)
{
	if (jp->p >= jp->end)
		return fail_eof(jp);
	if (*jp->p >= 0x80 || *jp->p < 0x20)
		return fail(jp, jp->p, "%s expected, found byte 0x%02x at byte %zu", expected, *jp->p,
			    (size_t)(jp->p - jp->start));
	return fail(jp, jp->p, "%s expected, found '%c' at byte %zu", expected, *jp->p,
		    (size_t)(jp->p - jp->start));
}

/* Append one value of type t; returns its index, or (size_t)-1 when out of memory. */
static size_t new_val(jparse *jp, nx_jlite_type t)
{
	nx_jlite *jl = jp->jl;
	nx_jlite_val *v = NULL;

	if (jl->nvals == jl->avals) {
		size_t n = jl->avals > 0 ? jl->avals * 2 : 256;
		nx_jlite_val *nv = NULL;

		if (n > SIZE_MAX / sizeof(*nv))
			return (size_t)-1;
		nv = realloc(jl->vals, n * sizeof(*nv));
		if (nv == NULL)
			return (size_t)-1;
		jl->vals = nv;
		jl->avals = n;
	}
	v = &jl->vals[jl->nvals];
	v->type = t;
	v->n = 0;
	v->skip = 1;
	v->u.i = 0;
	return jl->nvals++;
}

/* Room for n more bytes of decoded strings at jp->out. */
static int reserve(jparse *jp, size_t n)
{
	nx_jlite *jl = jp->jl;
	size_t used = (size_t)(jp->out - jl->str), a = jl->astr;
	char *ns = NULL;

	if (jl->astr - used >= n)
		return NX_OK;
	while (a - used < n) {
		if (a > SIZE_MAX / 2)
			return NX_ENOMEM;
		a *= 2;
	}
	ns = realloc(jl->str, a);
	if (ns == NULL)
		return NX_ENOMEM;
	jl->str = ns;
	jl->astr = a;
	jp->out = ns + used;
	return NX_OK;
}

/* jansson's whitespace: space, tab, LF, CR only. */
static void skip_ws(jparse *jp)
{
	while (jp->p < jp->end && (*jp->p == ' ' || *jp->p == '\t' || *jp->p == '\n' || *jp->p == '\r'))
		jp->p++;
}

/*
 * After a number or a literal, jansson's lexer has read one byte too far
 * and puts it back; a NUL put back is lost (its stream buffer uses NUL as
 * "empty"), so the byte is skipped and not counted in the position.
 */
static void after_scalar(jparse *jp)
{
	if (jp->p < jp->end && *jp->p == '\0') {
		jp->p++;
		jp->dropped++;
	}
}

/* Length of the valid UTF-8 sequence at p (2 to 4, as jansson's utf8_check_full), or 0. */
static size_t utf8_seq(const unsigned char *p, const unsigned char *end)
{
	unsigned c = p[0];
	size_t n = 0, i = 0;
	uint32_t cp = 0;

	if (c < 0xC2 || c > 0xF4)
		return 0;
	n = c < 0xE0 ? 2 : c < 0xF0 ? 3 : 4;
	if ((size_t)(end - p) < n)
		return 0;
	cp = c & (n == 2 ? 0x1F : n == 3 ? 0x0F : 0x07);
	for (i = 1; i < n; i++) {
		if ((p[i] & 0xC0) != 0x80)
			return 0;
		cp = (cp << 6) | (p[i] & 0x3F);
	}
	if (cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
		return 0;
	if ((n == 3 && cp < 0x800) || (n == 4 && cp < 0x10000))
		return 0;
	return n;
}

static int hex4(const unsigned char *p, const unsigned char *end, uint32_t *out)
{
	uint32_t v = 0;
	int i = 0;

	if (end - p < 4)
		return -1;
	for (i = 0; i < 4; i++) {
		unsigned c = p[i];

		v <<= 4;
		if (c >= '0' && c <= '9')
			v |= c - '0';
		else if (c >= 'a' && c <= 'f')
			v |= c - 'a' + 10;
		else if (c >= 'A' && c <= 'F')
			v |= c - 'A' + 10;
		else
			return -1;
	}
	*out = v;
	return 0;
}

static char *put_utf8(char *o, uint32_t cp)
{
	if (cp < 0x80) {
		*o++ = (char)cp;
	} else if (cp < 0x800) {
		*o++ = (char)(0xC0 | (cp >> 6));
		*o++ = (char)(0x80 | (cp & 0x3F));
	} else if (cp < 0x10000) {
		*o++ = (char)(0xE0 | (cp >> 12));
		*o++ = (char)(0x80 | ((cp >> 6) & 0x3F));
		*o++ = (char)(0x80 | (cp & 0x3F));
	} else {
		*o++ = (char)(0xF0 | (cp >> 18));
		*o++ = (char)(0x80 | ((cp >> 12) & 0x3F));
		*o++ = (char)(0x80 | ((cp >> 6) & 0x3F));
		*o++ = (char)(0x80 | (cp & 0x3F));
	}
	return o;
}

/* The escape at jp->p (just past the backslash), decoded to jp->out. */
static int escape(jparse *jp)
{
	const unsigned char *at = jp->p - 1;
	uint32_t cp = 0, lo = 0;

	if (jp->p >= jp->end)
		return fail_eof(jp);
	if (reserve(jp, 4) < 0)
		return NX_ENOMEM;
	switch (*jp->p) {
	case '"':
	case '\\':
	case '/':
		*jp->out++ = (char)*jp->p;
		break;
	case 'b':
		*jp->out++ = '\b';
		break;
	case 'f':
		*jp->out++ = '\f';
		break;
	case 'n':
		*jp->out++ = '\n';
		break;
	case 'r':
		*jp->out++ = '\r';
		break;
	case 't':
		*jp->out++ = '\t';
		break;
	case 'u':
		if (hex4(jp->p + 1, jp->end, &cp) < 0)
			return fail(jp, at, "invalid \\u escape at byte %zu", (size_t)(at - jp->start));
		jp->p += 4;
		if (cp >= 0xD800 && cp <= 0xDBFF) {
			/* a high surrogate must be followed by \u and a low one */
			if (jp->end - jp->p < 3 || jp->p[1] != '\\' || jp->p[2] != 'u' ||
			    hex4(jp->p + 3, jp->end, &lo) < 0 || lo < 0xDC00 || lo > 0xDFFF)
				return fail(jp, at, "unpaired surrogate \\u%04X at byte %zu", (unsigned)cp,
					    (size_t)(at - jp->start));
			cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
			jp->p += 6;
		} else if (cp >= 0xDC00 && cp <= 0xDFFF) {
			return fail(jp, at, "unpaired surrogate \\u%04X at byte %zu", (unsigned)cp,
				    (size_t)(at - jp->start));
		} else if (cp == 0) {
			/* jansson refuses NUL in strings without JSON_ALLOW_NUL, and in keys always */
			return fail(jp, at, "\\u0000 in a string at byte %zu", (size_t)(at - jp->start));
		}
		jp->out = put_utf8(jp->out, cp);
		break;
	default:
		return fail(jp, at, "invalid escape at byte %zu", (size_t)(at - jp->start));
	}
	jp->p++;
	return NX_OK;
}

/* The string at jp->p (at its opening quote): a key or a value. */
static int string(jparse *jp)
{
	size_t iv = new_val(jp, NX_JLITE_STRING), s = (size_t)(jp->out - jp->jl->str);
	int rc = NX_OK;

	if (iv == (size_t)-1)
		return NX_ENOMEM;
	jp->p++;
	for (;;) {
		const unsigned char *run = jp->p;
		size_t n = 0;

		/* 8 plain bytes at a time: none below 0x20 or above 0x7F, no quote, no backslash */
		while (jp->end - jp->p >= 8) {
			uint64_t x = nx_swar_load(jp->p);

			if ((nx_swar_below(x, 0x20) | (x & NX_B8(0x80)) | nx_swar_eq(x, '"') | nx_swar_eq(x, '\\')) != 0)
				break;
			jp->p += 8;
		}
		while (jp->p < jp->end && str_class[*jp->p] == C_PLAIN)
			jp->p++;
		/* the run, and the NUL or a UTF-8 sequence after it */
		if (reserve(jp, (size_t)(jp->p - run) + 4) < 0)
			return NX_ENOMEM;
		if (jp->p > run) {
			memcpy(jp->out, run, (size_t)(jp->p - run));
			jp->out += jp->p - run;
		}
		if (jp->p >= jp->end)
			return fail_eof(jp);
		switch (str_class[*jp->p]) {
		case C_QUOTE:
			jp->p++;
			*jp->out++ = '\0';
			jp->jl->vals[iv].u.off = s;
			jp->jl->vals[iv].n = (size_t)(jp->out - jp->jl->str) - s - 1;
			return NX_OK;
		case C_ESCAPE:
			jp->p++;
			if ((rc = escape(jp)) < 0)
				return rc;
			break;
		case C_CONTROL:
			return fail(jp, jp->p, "control character 0x%02x in a string at byte %zu", *jp->p,
				    (size_t)(jp->p - jp->start));
		default:
			n = utf8_seq(jp->p, jp->end);
			if (n == 0)
				return fail(jp, jp->p, "invalid UTF-8 (byte 0x%02x) at byte %zu", *jp->p,
					    (size_t)(jp->p - jp->start));
			memcpy(jp->out, jp->p, n);
			jp->out += n;
			jp->p += n;
			break;
		}
	}
}

static int isdig(const unsigned char *p, const unsigned char *end)
{
	return p < end && *p >= '0' && *p <= '9';
}

/* A real's text to a double with strtod, in the current locale as jansson does. */
static int real(jparse *jp, const unsigned char *s, size_t n, double *out)
{
	nx_jlite *jl = jp->jl;
	char point = localeconv()->decimal_point[0];
	char *dot = NULL, *e = NULL;
	double d = 0;

	if (n + 1 > jl->anum) {
		char *nb = realloc(jl->num, n + 1);

		if (nb == NULL)
			return NX_ENOMEM;
		jl->num = nb;
		jl->anum = n + 1;
	}
	memcpy(jl->num, s, n);
	jl->num[n] = '\0';
	if (point != '.' && point != '\0' && (dot = strchr(jl->num, '.')) != NULL)
		*dot = point;
	errno = 0;
	d = strtod(jl->num, &e);
	if ((d == HUGE_VAL || d == -HUGE_VAL) && errno == ERANGE)
		return fail(jp, s, "number too big at byte %zu", (size_t)(s - jp->start));
	*out = d;
	return NX_OK;
}

/* The number at jp->p ('-' or a digit), with jansson's grammar and limits. */
static int number(jparse *jp)
{
	const unsigned char *s = jp->p;
	unsigned long long mag = 0, lim = 0;
	int neg = 0, isreal = 0, rc = NX_OK;
	size_t iv = 0;
	double d = 0;

	if (*jp->p == '-') {
		neg = 1;
		jp->p++;
	}
	if (!isdig(jp->p, jp->end))
		return fail(jp, s, "invalid number at byte %zu", (size_t)(s - jp->start));
	if (*jp->p == '0') {
		jp->p++;
		if (isdig(jp->p, jp->end))
			return fail(jp, s, "invalid number (leading zero) at byte %zu", (size_t)(s - jp->start));
	} else {
		while (isdig(jp->p, jp->end))
			jp->p++;
	}
	if (jp->p < jp->end && *jp->p == '.') {
		jp->p++;
		if (!isdig(jp->p, jp->end))
			return fail(jp, s, "invalid number at byte %zu", (size_t)(s - jp->start));
		while (isdig(jp->p, jp->end))
			jp->p++;
		isreal = 1;
	}
	if (jp->p < jp->end && (*jp->p == 'e' || *jp->p == 'E')) {
		jp->p++;
		if (jp->p < jp->end && (*jp->p == '+' || *jp->p == '-'))
			jp->p++;
		if (!isdig(jp->p, jp->end))
			return fail(jp, s, "invalid number at byte %zu", (size_t)(s - jp->start));
		while (isdig(jp->p, jp->end))
			jp->p++;
		isreal = 1;
	}
	if (isreal) {
		if ((rc = real(jp, s, (size_t)(jp->p - s), &d)) < 0)
			return rc;
		if ((iv = new_val(jp, NX_JLITE_REAL)) == (size_t)-1)
			return NX_ENOMEM;
		jp->jl->vals[iv].u.d = d;
	} else {
		/* what strtoll takes without ERANGE */
		const unsigned char *q = s + neg;

		lim = neg ? (unsigned long long)LLONG_MAX + 1 : (unsigned long long)LLONG_MAX;
		for (; q < jp->p; q++) {
			unsigned dig = (unsigned)(*q - '0');

			if (mag > (lim - dig) / 10)
				return fail(jp, s, "integer too big at byte %zu", (size_t)(s - jp->start));
			mag = mag * 10 + dig;
		}
		if ((iv = new_val(jp, NX_JLITE_INTEGER)) == (size_t)-1)
			return NX_ENOMEM;
		/* -mag without overflow, LLONG_MIN included */
		jp->jl->vals[iv].u.i = neg ? (mag == 0 ? 0 : -(long long)(mag - 1) - 1) : (long long)mag;
	}
	after_scalar(jp);
	return NX_OK;
}

/* true, false or null: jansson reads the whole run of letters, which must be one of them. */
static int literal(jparse *jp)
{
	const unsigned char *s = jp->p;
	size_t n = 0, iv = 0;
	nx_jlite_type t = NX_JLITE_NULL;

	while (jp->p < jp->end && ((*jp->p >= 'a' && *jp->p <= 'z') || (*jp->p >= 'A' && *jp->p <= 'Z')))
		jp->p++;
	n = (size_t)(jp->p - s);
	if (n == 4 && memcmp(s, "true", 4) == 0)
		t = NX_JLITE_TRUE;
	else if (n == 5 && memcmp(s, "false", 5) == 0)
		t = NX_JLITE_FALSE;
	else if (n == 4 && memcmp(s, "null", 4) == 0)
		t = NX_JLITE_NULL;
	else
		return fail(jp, s, "invalid literal at byte %zu", (size_t)(s - jp->start));
	if ((iv = new_val(jp, t)) == (size_t)-1)
		return NX_ENOMEM;
	after_scalar(jp);
	return NX_OK;
}

static int value(jparse *jp, size_t depth);

static int array(jparse *jp, size_t depth)
{
	size_t iv = new_val(jp, NX_JLITE_ARRAY), n = 0;
	int rc = NX_OK;

	if (iv == (size_t)-1)
		return NX_ENOMEM;
	jp->p++;
	skip_ws(jp);
	if (jp->p < jp->end && *jp->p == ']') {
		jp->p++;
		return NX_OK;
	}
	for (;;) {
		if ((rc = value(jp, depth + 1)) < 0)
			return rc;
		n++;
		skip_ws(jp);
		if (jp->p < jp->end && *jp->p == ',') {
			jp->p++;
			skip_ws(jp);
			continue;
		}
		if (jp->p < jp->end && *jp->p == ']')
			break;
		return fail_token(jp, "',' or ']'");
	}
	jp->p++;
	jp->jl->vals[iv].n = n;
	jp->jl->vals[iv].skip = jp->jl->nvals - iv;
	return NX_OK;
}

static int object(jparse *jp, size_t depth)
{
	size_t iv = new_val(jp, NX_JLITE_OBJECT), n = 0;
	int rc = NX_OK;

	if (iv == (size_t)-1)
		return NX_ENOMEM;
	jp->p++;
	skip_ws(jp);
	if (jp->p < jp->end && *jp->p == '}') {
		jp->p++;
		return NX_OK;
	}
	for (;;) {
		if (jp->p >= jp->end || *jp->p != '"')
			return fail_token(jp, n == 0 ? "a string key or '}'" : "a string key");
		if ((rc = string(jp)) < 0)
			return rc;
		skip_ws(jp);
		if (jp->p >= jp->end || *jp->p != ':')
			return fail_token(jp, "':'");
		jp->p++;
		skip_ws(jp);
		if ((rc = value(jp, depth + 1)) < 0)
			return rc;
		n++;
		skip_ws(jp);
		if (jp->p < jp->end && *jp->p == ',') {
			jp->p++;
			skip_ws(jp);
			continue;
		}
		if (jp->p < jp->end && *jp->p == '}')
			break;
		return fail_token(jp, "',' or '}'");
	}
	jp->p++;
	jp->jl->vals[iv].n = n;
	jp->jl->vals[iv].skip = jp->jl->nvals - iv;
	return NX_OK;
}

/* The value at jp->p (whitespace already skipped), at nesting depth (the top is 1). */
static int value(jparse *jp, size_t depth)
{
	unsigned c = 0;

	/* jansson counts every value, scalars too, and checks before looking at it */
	if (depth > NX_JLITE_MAX_DEPTH)
		return fail(jp, jp->p, "nested more than %d deep at byte %zu", NX_JLITE_MAX_DEPTH,
			    (size_t)(jp->p - jp->start));
	if (jp->p >= jp->end)
		return fail_eof(jp);
	c = *jp->p;
	if (c == '"')
		return string(jp);
	if (c == '{')
		return object(jp, depth);
	if (c == '[')
		return array(jp, depth);
	if (c == '-' || (c >= '0' && c <= '9'))
		return number(jp);
	if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'))
		return literal(jp);
	return fail_token(jp, "a value");
}

int nx_jlite_parse(nx_jlite *jl, const nx_jlite_val **out, const char *buf, size_t len, int flags)
{
	jparse jp;
	size_t i = 0;
	int rc = NX_OK;

	*out = NULL;
	jl->nvals = 0;
	jl->end = 0;
	jl->pos = 0;
	jl->msg[0] = '\0';
	if (jl->str == NULL) {
		if ((jl->str = malloc(4096)) == NULL) {
			rc = NX_ENOMEM;
			goto done;
		}
		jl->astr = 4096;
	}
	memset(&jp, 0, sizeof(jp));
	jp.jl = jl;
	jp.start = (const unsigned char *)buf;
	jp.p = jp.start;
	jp.end = jp.start + len;
	jp.out = jl->str;
	skip_ws(&jp);
	if (!(flags & NX_JLITE_DECODE_ANY) && (jp.p >= jp.end || (*jp.p != '[' && *jp.p != '{'))) {
		rc = fail_token(&jp, "'[' or '{'");
		goto done;
	}
	if ((rc = value(&jp, 1)) < 0)
		goto done;
	if (!(flags & NX_JLITE_NO_EOF_CHECK)) {
		skip_ws(&jp);
		if (jp.p < jp.end) {
			rc = fail(&jp, jp.p, "end of input expected at byte %zu", (size_t)(jp.p - jp.start));
			goto done;
		}
	}
	for (i = 0; i < jl->nvals; i++) {
		if (jl->vals[i].type == NX_JLITE_STRING)
			jl->vals[i].u.s = jl->str + jl->vals[i].u.off;
	}
	jl->end = (size_t)(jp.p - jp.start) - jp.dropped;
	*out = &jl->vals[0];
done:
	if (rc == NX_ENOMEM)
		snprintf(jl->msg, sizeof(jl->msg), "out of memory");
	if (rc < 0)
		jl->nvals = 0;
	return rc;
}

void nx_jlite_free(nx_jlite *jl)
{
	if (jl == NULL)
		return;
	free(jl->vals);
	free(jl->str);
	free(jl->num);
	memset(jl, 0, sizeof(*jl));
}

const nx_jlite_val *nx_jlite_getn(const nx_jlite_val *o, const char *key, size_t klen)
{
	const nx_jlite_val *k = NULL, *found = NULL;
	size_t i = 0;

	if (!nx_jlite_is_object(o))
		return NULL;
	/* no hash: a news object has a few dozen keys, and the last match wins */
	for (i = 0, k = nx_jlite_first(o); i < o->n; i++, k = nx_jlite_next(k + 1)) {
		if (k->n == klen && memcmp(k->u.s, key, klen) == 0)
			found = k + 1;
	}
	return found;
}

const nx_jlite_val *nx_jlite_get(const nx_jlite_val *o, const char *key)
{
	return nx_jlite_getn(o, key, strlen(key));
}

/*
 * jlite.h - a small strict JSON reader for JSON Lines (internal).
 *
 * jsonl.c reads one JSON text per line and a handful of fields from it.
 * jansson builds a tree of malloc'd values with a hash table per object
 * for that, which cost about a tenth of all the CPU of `newsidx add`.
 * This reader parses one text into a flat array of values (in document
 * order, each followed by its children) and decodes strings into one byte
 * buffer; both belong to an nx_jlite that is reused from line to line, so
 * once it has grown to the largest line no value costs a malloc.
 *
 * It accepts and rejects exactly what jansson 2.14's json_loadb() does
 * with flags 0, or with JSON_DECODE_ANY and JSON_DISABLE_EOF_CHECK (the
 * two uses of jsonl.c), and reports the same end offset as its
 * error.position: strict RFC 8259 grammar, whitespace only space, tab,
 * CR, LF; UTF-8 checked everywhere (no overlong forms, surrogates or code
 * points past U+10FFFF); no control characters in strings; \u0000
 * refused (jansson's default without JSON_ALLOW_NUL); \uXXXX surrogates
 * only in pairs; integers must fit a long long; reals that overflow a
 * double refused (underflow gives 0 or a denormal, as strtod); at most
 * 2048 nested values counting scalars (JSON_PARSER_MAX_DEPTH).  One
 * oddity of jansson is kept on purpose: a NUL byte right after a number
 * or true/false/null is skipped (its lexer loses an unread NUL), so
 * "[1\0]" is accepted and that byte is not counted in the end offset.
 * tests/unit/test_jlite.c and tests/fuzz/fuzz_jlite.c check all of this
 * against jansson itself.
 *
 *	nx_jlite jl = NX_JLITE_INIT;
 *	const nx_jlite_val *doc = NULL, *v = NULL;
 *
 *	if (nx_jlite_parse(&jl, &doc, line, len, 0) == NX_OK &&
 *	    nx_jlite_is_string(v = nx_jlite_get(doc, "title")))
 *		use(nx_jlite_str(v), nx_jlite_len(v));
 *	nx_jlite_free(&jl);
 */
#ifndef NX_JLITE_H
#define NX_JLITE_H

#include <stddef.h>

typedef enum nx_jlite_type {
	NX_JLITE_NULL,
	NX_JLITE_TRUE,
	NX_JLITE_FALSE,
	NX_JLITE_INTEGER,
	NX_JLITE_REAL,
	NX_JLITE_STRING,
	NX_JLITE_ARRAY,
	NX_JLITE_OBJECT
} nx_jlite_type;

/* Flags of nx_jlite_parse (jansson's names in brackets). */
#define NX_JLITE_DECODE_ANY 0x1   /* any value at the top, not only [ or { (JSON_DECODE_ANY) */
#define NX_JLITE_NO_EOF_CHECK 0x2 /* stop after the value (JSON_DISABLE_EOF_CHECK) */

/* Same as JSON_PARSER_MAX_DEPTH: values nested deeper are refused. */
#define NX_JLITE_MAX_DEPTH 2048

/*
 * One value.  An array's elements follow it, each one's own children
 * right after it; an object's members follow it as key (a string value)
 * then value.  All of it is owned by the nx_jlite and valid until the
 * next nx_jlite_parse or nx_jlite_free.
 */
typedef struct nx_jlite_val {
	nx_jlite_type type;
	size_t n;    /* string: bytes; array: elements; object: members */
	size_t skip; /* values in this one's subtree, itself included */
	union {
		const char *s; /* string: NUL-terminated (no NUL inside) */
		size_t off;    /* string, during the parse only: offset in str */
		long long i;
		double d;
	} u;
} nx_jlite_val;

/* The reusable parser: the value array, the string bytes, the last error. */
typedef struct nx_jlite {
	nx_jlite_val *vals;
	size_t nvals, avals;
	char *str;  /* decoded strings, each NUL-terminated */
	size_t astr;
	char *num;  /* a real's text for strtod */
	size_t anum;
	size_t end; /* after success: bytes the value took (jansson's error.position) */
	size_t pos; /* after failure: offset of the offending byte */
	char msg[96];
} nx_jlite;

#define NX_JLITE_INIT { NULL, 0, 0, NULL, 0, NULL, 0, 0, 0, { 0 } }

/*
 * Parse one JSON text from buf[0..len) with NX_JLITE_* flags.  Returns
 * NX_OK with *out at the top value and jl->end set; NX_EFORMAT with
 * jl->msg (lower case, no input quoted) and jl->pos when the text is not
 * JSON; NX_ENOMEM.  *out is NULL on failure.
 */
int nx_jlite_parse(nx_jlite *jl, const nx_jlite_val **out, const char *buf, size_t len, int flags);

/* Free the memory of jl and make it NX_JLITE_INIT again. */
void nx_jlite_free(nx_jlite *jl);

/*
 * The value of key in object o (the last one when the key is repeated,
 * as jansson keeps), or NULL when o is NULL, not an object, or has no
 * such member.
 */
const nx_jlite_val *nx_jlite_get(const nx_jlite_val *o, const char *key);

/* Same with a key of klen bytes. */
const nx_jlite_val *nx_jlite_getn(const nx_jlite_val *o, const char *key, size_t klen);

/*
 * Walking a container c: the first element (array) or first key (object),
 * valid when c->n > 0; the value after v at the same level.
 *
 *	for (i = 0, e = nx_jlite_first(a); i < a->n; i++, e = nx_jlite_next(e))
 *	for (i = 0, k = nx_jlite_first(o); i < o->n; i++, k = nx_jlite_next(k + 1))
 *		key k, value k + 1
 */
static inline const nx_jlite_val *nx_jlite_first(const nx_jlite_val *c) { return c + 1; }
static inline const nx_jlite_val *nx_jlite_next(const nx_jlite_val *v) { return v + v->skip; }

/* Type tests, false for NULL (as jansson's json_is_*). */
static inline int nx_jlite_is(const nx_jlite_val *v, nx_jlite_type t) { return v != NULL && v->type == t; }
static inline int nx_jlite_is_null(const nx_jlite_val *v) { return nx_jlite_is(v, NX_JLITE_NULL); }
static inline int nx_jlite_is_integer(const nx_jlite_val *v) { return nx_jlite_is(v, NX_JLITE_INTEGER); }
static inline int nx_jlite_is_real(const nx_jlite_val *v) { return nx_jlite_is(v, NX_JLITE_REAL); }
static inline int nx_jlite_is_string(const nx_jlite_val *v) { return nx_jlite_is(v, NX_JLITE_STRING); }
static inline int nx_jlite_is_array(const nx_jlite_val *v) { return nx_jlite_is(v, NX_JLITE_ARRAY); }
static inline int nx_jlite_is_object(const nx_jlite_val *v) { return nx_jlite_is(v, NX_JLITE_OBJECT); }

/* A string's bytes (NUL-terminated) and length; NULL and 0 for anything else. */
static inline const char *nx_jlite_str(const nx_jlite_val *v) { return nx_jlite_is_string(v) ? v->u.s : NULL; }
static inline size_t nx_jlite_len(const nx_jlite_val *v) { return nx_jlite_is_string(v) ? v->n : 0; }

/* An integer's value, else 0 (json_integer_value). */
static inline long long nx_jlite_int(const nx_jlite_val *v) { return nx_jlite_is_integer(v) ? v->u.i : 0; }

/* An integer's or real's value as a double, else 0 (json_number_value). */
static inline double nx_jlite_number(const nx_jlite_val *v)
{
	if (nx_jlite_is_integer(v))
		return (double)v->u.i;
	return nx_jlite_is_real(v) ? v->u.d : 0.0;
}

#endif

/*
 * jlite_diff.h - parse one input with src/formats/jlite.c and with jansson
 * and say how they differ: used by tests/unit/test_jlite.c and by
 * tests/fuzz/fuzz_jlite.c.
 *
 * The same means: both accept or both refuse; when both accept, the same
 * tree (types, strings byte for byte, integers, reals bit for bit, array
 * elements in order, objects with the same set of keys and, for each key,
 * the value jansson keeps, i.e. the last one) and the same end offset
 * (error.position) with JSON_DISABLE_EOF_CHECK.
 */
#ifndef NX_JLITE_DIFF_H
#define NX_JLITE_DIFF_H

#include <stdio.h>
#include <string.h>

#include <jansson.h>

#include "formats/jlite.h"
#include "newsidx/error.h"

/* jlite's flags for jansson's. */
static inline int jlite_diff_flags(size_t jflags)
{
	return ((jflags & JSON_DECODE_ANY) != 0 ? NX_JLITE_DECODE_ANY : 0) |
	       ((jflags & JSON_DISABLE_EOF_CHECK) != 0 ? NX_JLITE_NO_EOF_CHECK : 0);
}

/* Distinct keys of a jlite object (jansson keeps one member per key). */
static inline size_t jlite_diff_nkeys(const nx_jlite_val *o)
{
	const nx_jlite_val *k = NULL, *k2 = NULL;
	size_t i = 0, j = 0, n = 0;

	for (i = 0, k = nx_jlite_first(o); i < o->n; i++, k = nx_jlite_next(k + 1)) {
		int seen = 0;

		for (j = 0, k2 = nx_jlite_first(o); j < i && !seen; j++, k2 = nx_jlite_next(k2 + 1))
			seen = k2->n == k->n && memcmp(k2->u.s, k->u.s, k->n) == 0;
		n += !seen;
	}
	return n;
}

/* Compare trees; on a difference, describe it in why and return 0. */
static inline int jlite_diff_same(const json_t *j, const nx_jlite_val *v, char *why, size_t whylen)
{
	static const nx_jlite_type types[] = {
		[JSON_OBJECT] = NX_JLITE_OBJECT, [JSON_ARRAY] = NX_JLITE_ARRAY, [JSON_STRING] = NX_JLITE_STRING,
		[JSON_INTEGER] = NX_JLITE_INTEGER, [JSON_REAL] = NX_JLITE_REAL, [JSON_TRUE] = NX_JLITE_TRUE,
		[JSON_FALSE] = NX_JLITE_FALSE, [JSON_NULL] = NX_JLITE_NULL,
	};
	const nx_jlite_val *e = NULL;
	double a = 0, b = 0;
	size_t i = 0;

	if (types[json_typeof(j)] != v->type) {
		snprintf(why, whylen, "type: jansson %d, jlite %d", (int)json_typeof(j), (int)v->type);
		return 0;
	}
	switch (json_typeof(j)) {
	case JSON_STRING:
		if (json_string_length(j) != v->n || memcmp(json_string_value(j), v->u.s, v->n) != 0 ||
		    v->u.s[v->n] != '\0') {
			snprintf(why, whylen, "string: jansson '%.60s' (%zu bytes), jlite '%.60s' (%zu bytes)",
				 json_string_value(j), json_string_length(j), v->u.s, v->n);
			return 0;
		}
		return 1;
	case JSON_INTEGER:
		if (json_integer_value(j) != v->u.i) {
			snprintf(why, whylen, "integer: jansson %lld, jlite %lld", (long long)json_integer_value(j),
				 v->u.i);
			return 0;
		}
		return 1;
	case JSON_REAL:
		a = json_real_value(j);
		b = v->u.d;
		if (memcmp(&a, &b, sizeof(a)) != 0) {
			snprintf(why, whylen, "real: jansson %.17g, jlite %.17g", a, b);
			return 0;
		}
		return 1;
	case JSON_ARRAY:
		if (json_array_size(j) != v->n) {
			snprintf(why, whylen, "array size: jansson %zu, jlite %zu", json_array_size(j), v->n);
			return 0;
		}
		for (i = 0, e = nx_jlite_first(v); i < v->n; i++, e = nx_jlite_next(e)) {
			if (!jlite_diff_same(json_array_get(j, i), e, why, whylen))
				return 0;
		}
		return 1;
	case JSON_OBJECT: {
		const char *key = NULL;
		json_t *jv = NULL;

		if (json_object_size(j) != jlite_diff_nkeys(v)) {
			snprintf(why, whylen, "object keys: jansson %zu, jlite %zu", json_object_size(j),
				 jlite_diff_nkeys(v));
			return 0;
		}
		json_object_foreach((json_t *)j, key, jv) {
			const nx_jlite_val *mine = nx_jlite_get(v, key);

			if (mine == NULL) {
				snprintf(why, whylen, "key '%.60s' missing in jlite", key);
				return 0;
			}
			if (!jlite_diff_same(jv, mine, why, whylen))
				return 0;
		}
		return 1;
	}
	default:
		return 1;
	}
}

/*
 * Parse buf[0..len) with both under jansson flags jflags (jl is reused).
 * Returns NULL when they agree, else a description of the difference
 * (in why).
 */
static inline const char *jlite_diff(nx_jlite *jl, const char *buf, size_t len, size_t jflags, char *why,
				     size_t whylen)
{
	json_error_t jerr;
	json_t *j = json_loadb(buf, len, jflags, &jerr);
	const nx_jlite_val *v = NULL;
	int rc = nx_jlite_parse(jl, &v, buf, len, jlite_diff_flags(jflags));
	const char *res = NULL;

	if (rc == NX_ENOMEM) {
		snprintf(why, whylen, "jlite ran out of memory");
		res = why;
	} else if (j == NULL && rc == NX_OK) {
		snprintf(why, whylen, "jansson refuses (%s), jlite accepts", jerr.text);
		res = why;
	} else if (j != NULL && rc != NX_OK) {
		snprintf(why, whylen, "jansson accepts, jlite refuses (%s)", jl->msg);
		res = why;
	} else if (j != NULL && !jlite_diff_same(j, v, why, whylen)) {
		res = why;
	} else if (j != NULL && (jflags & JSON_DISABLE_EOF_CHECK) != 0 && (size_t)jerr.position != jl->end) {
		snprintf(why, whylen, "end offset: jansson %d, jlite %zu", jerr.position, jl->end);
		res = why;
	}
	json_decref(j);
	return res;
}

#endif

/*
 * text.h - UTF-8 and ASCII helpers shared by every parser (internal).
 */
#ifndef NX_TEXT_H
#define NX_TEXT_H

#include <stddef.h>
#include <stdint.h>

#include <nettle/sha2.h>

#include "util/buf.h"

/*
 * Decode one UTF-8 sequence at s[0..len).  Returns the bytes consumed
 * (>= 1 when len > 0) and stores the code point, or 0xFFFD for an invalid,
 * overlong, surrogate or truncated sequence (consuming one byte).
 */
size_t nx_utf8_decode(const char *s, size_t len, uint32_t *cp);

/* Append code point cp as UTF-8. */
void nx_utf8_put(nx_buf *b, uint32_t cp);

/* 1 when s[0..len) is valid UTF-8 with no NUL byte. */
int nx_utf8_valid(const char *s, size_t len);

/* 1 for Unicode white space we fold (ASCII space/controls, NBSP, U+2000-200B, U+3000, ...). */
int nx_uni_isspace(uint32_t cp);

/*
 * Append s[0..len) to out cleaned: invalid UTF-8 -> U+FFFD, controls and
 * white-space runs -> one space, leading/trailing space dropped, zero-width
 * characters and soft hyphens removed.
 */
void nx_text_clean(nx_buf *out, const char *s, size_t len);

/* ASCII-only character classes (locale independent). */
static inline int nx_isdigit(int c) { return c >= '0' && c <= '9'; }
static inline int nx_isupper(int c) { return c >= 'A' && c <= 'Z'; }
static inline int nx_islower(int c) { return c >= 'a' && c <= 'z'; }
static inline int nx_isalpha(int c) { return nx_isupper(c) || nx_islower(c); }
static inline int nx_isalnum(int c) { return nx_isalpha(c) || nx_isdigit(c); }
static inline int nx_isspace(int c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}
static inline int nx_tolower(int c) { return nx_isupper(c) ? c + 32 : c; }
static inline int nx_toupper(int c) { return nx_islower(c) ? c - 32 : c; }

/* Case-insensitive ASCII comparisons. */
int nx_strncaseeq(const char *a, const char *b, size_t n);
int nx_strcaseeq(const char *a, const char *b);
/* 1 when s[0..len) starts with prefix, ignoring ASCII case. */
int nx_startswith_ci(const char *s, size_t len, const char *prefix);
/* Find needle (ASCII case-insensitive) in s[0..len); NULL when absent. */
const char *nx_memcasemem(const char *s, size_t len, const char *needle);

/* malloc'd copy of s[0..n), NUL-terminated; NULL on out of memory. */
char *nx_strndup(const char *s, size_t n);

/* FNV-1a hash of n bytes (for hash tables, not for security). */
uint32_t nx_fnv1a(const void *s, size_t n);

/* Lower-case copy of an ASCII/UTF-8 string (only ASCII letters change). */
char *nx_ascii_lowerdup(const char *s);

/* n bytes as 2n lower-case hex digits + NUL. */
void nx_hex(char *out, const void *bytes, size_t n);

/* SHA-256 of data into 32 bytes, and as 64 lower-case hex digits + NUL. */
void nx_sha256(const void *data, size_t len, unsigned char out[32]);
void nx_sha256_hex(const void *data, size_t len, char out[65]);

/* Incremental hashing: init, update any number of times, final once. */
typedef struct nx_sha256_ctx {
	struct sha256_ctx nettle;
} nx_sha256_ctx;
void nx_sha256_init(nx_sha256_ctx *c);
void nx_sha256_update(nx_sha256_ctx *c, const void *data, size_t len);
void nx_sha256_final(nx_sha256_ctx *c, unsigned char out[32]);

#endif

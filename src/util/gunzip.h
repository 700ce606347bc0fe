/*
 * gunzip.h - inflating gzip data, with the one gzip-bomb guard.
 *
 * Every place that inflates input bytes (a gzip file, a .warc.gz member,
 * an HTTP Content-Encoding inside a WARC record) checks its progress with
 * nx_gunzip_bomb(), so a small input cannot fill memory up to the size
 * limit before being refused.
 */
#ifndef NX_UTIL_GUNZIP_H
#define NX_UTIL_GUNZIP_H

#include <stddef.h>

#include "newsidx/error.h"

/* gzip data inflating more than NX_BOMB_RATIO times, past NX_BOMB_FLOOR bytes, is a bomb */
#define NX_BOMB_RATIO 500
#define NX_BOMB_FLOOR ((size_t)32 << 20)

/*
 * gunzip data (one or more members) into a malloc'd buffer of at most max
 * bytes.  Returns NX_OK, NX_EFORMAT (corrupt/truncated: *out holds what
 * could be inflated, *outlen its size), NX_ETOOBIG or NX_ENOMEM.
 */
int nx_gunzip(char **out, size_t *outlen, const char *data, size_t len, size_t max, nx_error *err);

/* 1 when data starts with the gzip magic. */
int nx_is_gzip(const char *data, size_t len);

/* 1 when the gzip data at data[0..len) inflates to text starting with prefix (at most 16 bytes). */
int nx_gzip_starts_with(const char *data, size_t len, const char *prefix);

/*
 * 1 when inflating consumed bytes into produced bytes looks like a bomb:
 * more than NX_BOMB_FLOOR bytes out at more than NX_BOMB_RATIO times the
 * input.  Text compresses 3 to 20 times; only a bomb nears deflate's
 * 1032:1 maximum.
 */
int nx_gunzip_bomb(size_t consumed, size_t produced);

#endif

/*
 * hex.h - hex digits into bytes (nx_hex in util/text.h goes the other way).
 */
#ifndef NX_UTIL_HEX_H
#define NX_UTIL_HEX_H

#include <stddef.h>

/* The value of one hex digit (either case), or -1. */
int nx_hexval(int c);

/*
 * The first 2n hex digits of hex (either case) into n bytes of out.
 * Returns 1, or 0 when one of them is not a hex digit (a NUL included:
 * a shorter string fails without being read past its end).
 */
int nx_unhex(unsigned char *out, const char *hex, size_t n);

#endif

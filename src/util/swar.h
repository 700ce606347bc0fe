/*
 * swar.h - tests on 8 bytes of text at once (internal): a 64-bit word read
 * with memcpy, and bit operations that give the high bit of each byte a
 * test selects.  For the scans every article's text goes through (the
 * JSON strings, nx_text_clean), which otherwise test a byte at a time.
 *
 * nx_swar_below and nx_swar_above are exact in saying whether any byte is
 * selected (0 or not); past the first selected byte their bits may be
 * wrong (a borrow or a carry), so a caller that finds one goes on a byte
 * at a time.  nx_swar_eq is exact for every byte.
 */
#ifndef NX_SWAR_H
#define NX_SWAR_H

#include <stdint.h>
#include <string.h>

#define NX_B8(c) (UINT64_C(0x0101010101010101) * (uint8_t)(c))

/* the bytes p[0..8) as one word (in the host's order) */
static inline uint64_t nx_swar_load(const void *p)
{
	uint64_t x = 0;

	memcpy(&x, p, 8);
	return x;
}

/* nonzero when a byte of x is below n (n <= 128) */
static inline uint64_t nx_swar_below(uint64_t x, unsigned n)
{
	return (x - NX_B8(n)) & ~x & NX_B8(0x80);
}

/* nonzero when a byte of x is above n (n <= 127) */
static inline uint64_t nx_swar_above(uint64_t x, unsigned n)
{
	return ((x + NX_B8(127 - n)) | x) & NX_B8(0x80);
}

/* the high bit of every byte of x equal to c, and no other */
static inline uint64_t nx_swar_eq(uint64_t x, unsigned c)
{
	uint64_t z = x ^ NX_B8(c);

	return ~(((z & NX_B8(0x7F)) + NX_B8(0x7F)) | z | NX_B8(0x7F));
}

#endif

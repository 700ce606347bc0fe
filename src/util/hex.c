/*
 * hex.c - hex digits into bytes.
 */
#include "util/hex.h"

int nx_hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

int nx_unhex(unsigned char *out, const char *hex, size_t n)
{
	size_t i = 0;

	for (i = 0; i < n; i++) {
		int hi = nx_hexval((unsigned char)hex[2 * i]), lo = 0;

		if (hi < 0)
			return 0;
		lo = nx_hexval((unsigned char)hex[2 * i + 1]);
		if (lo < 0)
			return 0;
		out[i] = (unsigned char)(hi << 4 | lo);
	}
	return 1;
}

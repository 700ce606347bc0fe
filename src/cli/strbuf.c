/*
 * strbuf.c - the CLI's growable string and its terminal-safe appends.
 */
#include "strbuf.h"

#include <stdlib.h>
#include <string.h>

char nx_sb__empty[1];

static int sb_grow(nx_sb *b, size_t extra)
{
	size_t want = 0, alloc = 0;
	char *p = NULL;

	if (b->failed)
		return -1;
	if (extra > SIZE_MAX - b->len - 1)
		goto fail;
	want = b->len + extra + 1;
	if (want <= b->alloc)
		return 0;
	alloc = b->alloc < 64 ? 64 : b->alloc;
	while (alloc < want)
		alloc = alloc > SIZE_MAX / 2 ? want : alloc * 2;
	p = realloc(b->alloc == 0 ? NULL : b->buf, alloc);
	if (p == NULL)
		goto fail;
	if (b->alloc == 0)
		p[0] = '\0';
	b->buf = p;
	b->alloc = alloc;
	return 0;
fail:
	b->failed = 1;
	return -1;
}

void nx_sb_free(nx_sb *b)
{
	if (b->alloc != 0)
		free(b->buf);
	b->buf = nx_sb__empty;
	b->len = 0;
	b->alloc = 0;
	b->failed = 0;
}

char *nx_sb_detach(nx_sb *b)
{
	char *s = NULL;

	if (b->failed) {
		nx_sb_free(b);
		return NULL;
	}
	s = b->alloc != 0 ? b->buf : strdup("");
	b->buf = nx_sb__empty;
	b->len = 0;
	b->alloc = 0;
	return s;
}

void nx_sb_reset(nx_sb *b)
{
	b->len = 0;
	if (b->alloc != 0)
		b->buf[0] = '\0';
}

void nx_sb_add(nx_sb *b, const void *data, size_t len)
{
	if (len == 0 || sb_grow(b, len) < 0)
		return;
	memcpy(b->buf + b->len, data, len);
	b->len += len;
	b->buf[b->len] = '\0';
}

void nx_sb_adds(nx_sb *b, const char *s)
{
	nx_sb_add(b, s, strlen(s));
}

void nx_sb_addch(nx_sb *b, int c)
{
	char ch = (char)c;

	nx_sb_add(b, &ch, 1);
}

void nx_sb_vaddf(nx_sb *b, const char *fmt, va_list ap)
{
	va_list ap2;
	int n = 0;

	if (b->failed)
		return;
	va_copy(ap2, ap);
	n = vsnprintf(NULL, 0, fmt, ap2);
	va_end(ap2);
	if (n < 0 || sb_grow(b, (size_t)n) < 0) {
		b->failed = 1;
		return;
	}
	vsnprintf(b->buf + b->len, (size_t)n + 1, fmt, ap);
	b->len += (size_t)n;
}

void nx_sb_addf(nx_sb *b, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	nx_sb_vaddf(b, fmt, ap);
	va_end(ap);
}

size_t nx_sb_utf8_decode(const char *s, size_t len, uint32_t *cp)
{
	const unsigned char *u = (const unsigned char *)s;
	uint32_t c = 0, min = 0;
	size_t n = 0, i = 0;

	*cp = 0xFFFD;
	if (len == 0)
		return 0;
	if (u[0] < 0x80) {
		*cp = u[0];
		return 1;
	}
	if (u[0] >= 0xC2 && u[0] <= 0xDF) {
		n = 2, c = u[0] & 0x1Fu, min = 0x80;
	} else if (u[0] >= 0xE0 && u[0] <= 0xEF) {
		n = 3, c = u[0] & 0x0Fu, min = 0x800;
	} else if (u[0] >= 0xF0 && u[0] <= 0xF4) {
		n = 4, c = u[0] & 0x07u, min = 0x10000;
	} else {
		return 1;
	}
	if (n > len)
		return 1;
	for (i = 1; i < n; i++) {
		if ((u[i] & 0xC0u) != 0x80u)
			return 1;
		c = (c << 6) | (u[i] & 0x3Fu);
	}
	if (c < min || c > 0x10FFFF || (c >= 0xD800 && c <= 0xDFFF))
		return 1;
	*cp = c;
	return n;
}

void nx_sb_utf8_put(nx_sb *b, uint32_t cp)
{
	char o[4];

	if (cp < 0x80) {
		o[0] = (char)cp;
		nx_sb_add(b, o, 1);
	} else if (cp < 0x800) {
		o[0] = (char)(0xC0 | (cp >> 6));
		o[1] = (char)(0x80 | (cp & 0x3F));
		nx_sb_add(b, o, 2);
	} else if (cp < 0x10000) {
		o[0] = (char)(0xE0 | (cp >> 12));
		o[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
		o[2] = (char)(0x80 | (cp & 0x3F));
		nx_sb_add(b, o, 3);
	} else {
		o[0] = (char)(0xF0 | (cp >> 18));
		o[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
		o[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
		o[3] = (char)(0x80 | (cp & 0x3F));
		nx_sb_add(b, o, 4);
	}
}

int nx_sb_utf8_valid(const char *s, size_t len)
{
	size_t i = 0, n = 0;
	uint32_t cp = 0;

	while (i < len) {
		if (s[i] == '\0')
			return 0;
		n = nx_sb_utf8_decode(s + i, len - i, &cp);
		if (cp == 0xFFFD && !(n == 3 && memcmp(s + i, "\xEF\xBF\xBD", 3) == 0))
			return 0;
		i += n;
	}
	return 1;
}

int nx_sb_unsafe_cp(uint32_t cp, unsigned flags)
{
	if ((flags & NX_SAFE_LINES) && (cp == '\n' || cp == '\t'))
		return 0;
	return cp < 0x20 || (cp >= 0x7F && cp < 0xA0) ||
	       (cp >= 0x202A && cp <= 0x202E) || (cp >= 0x2066 && cp <= 0x2069) ||
	       cp == 0x2028 || cp == 0x2029;
}

void nx_sb_add_safe(nx_sb *b, const char *s, size_t len, unsigned flags)
{
	size_t i = 0, n = 0, run = 0;
	uint32_t cp = 0;

	while (i < len) {
		n = nx_sb_utf8_decode(s + i, len - i, &cp);
		if (nx_sb_unsafe_cp(cp, flags)) {
			nx_sb_add(b, s + run, i - run);
			nx_sb_addch(b, '?');
			run = i + n;
		} else if (cp == 0xFFFD && !(n == 3 && memcmp(s + i, "\xEF\xBF\xBD", 3) == 0)) {
			nx_sb_add(b, s + run, i - run);
			nx_sb_utf8_put(b, 0xFFFD);
			run = i + n;
		}
		i += n;
	}
	nx_sb_add(b, s + run, len - run);
}

void nx_safe_fwrite(FILE *f, const char *s, size_t len, unsigned flags)
{
	nx_sb b = NX_SB_INIT;
	size_t i = 0;

	nx_sb_add_safe(&b, s, len, flags);
	if (nx_sb_ok(&b)) {
		fwrite(b.buf, 1, b.len, f);
	} else {
		for (i = 0; i < len; i++) {
			unsigned char c = (unsigned char)s[i];

			fputc(c >= 0x20 && c < 0x7F ? c : '?', f);
		}
	}
	nx_sb_free(&b);
}

void nx_safe_fputs(FILE *f, const char *s, unsigned flags)
{
	if (s != NULL)
		nx_safe_fwrite(f, s, strlen(s), flags);
}

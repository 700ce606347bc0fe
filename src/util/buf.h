/*
 * buf.h - growable byte buffer, internal to the library (strbuf-style).
 *
 * Invariants: b->buf is never NULL and is always NUL-terminated; b->len
 * counts the bytes before the NUL.  Start with NX_BUF_INIT.  Appends fail
 * stickily: after an allocation failure every later append is a no-op and
 * nx_buf_ok() returns 0, so a chain of appends needs one check at the end.
 * nx_buf_detach() is the only way to take ownership of the memory.
 */
#ifndef NX_BUF_H
#define NX_BUF_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

typedef struct nx_buf {
	char *buf;
	size_t len;
	size_t alloc; /* 0 while buf points at the shared empty string */
	int failed;   /* sticky allocation failure */
} nx_buf;

extern char nx_buf__empty[1];
#define NX_BUF_INIT { nx_buf__empty, 0, 0, 0 }

/* Life cycle */
void nx_buf_init(nx_buf *b);
void nx_buf_free(nx_buf *b);           /* back to NX_BUF_INIT */
char *nx_buf_detach(nx_buf *b);        /* malloc'd string (never NULL unless failed), b reset */
void nx_buf_reset(nx_buf *b);          /* len = 0, keeps memory */

/* Size */
int nx_buf_grow(nx_buf *b, size_t extra);
static inline int nx_buf_ok(const nx_buf *b) { return !b->failed; }
void nx_buf_truncate(nx_buf *b, size_t len);

/* Adding data */
void nx_buf_add(nx_buf *b, const void *data, size_t len);
void nx_buf_adds(nx_buf *b, const char *s);
void nx_buf__addch(nx_buf *b, int c);
/* One byte: in place when there is room (the common case), else grows. */
static inline void nx_buf_addch(nx_buf *b, int c)
{
	if (b->len + 1 < b->alloc && !b->failed) {
		b->buf[b->len++] = (char)c;
		b->buf[b->len] = '\0';
		return;
	}
	nx_buf__addch(b, c);
}
void nx_buf_addf(nx_buf *b, const char *fmt, ...)
#if defined(__GNUC__)
	__attribute__((format(printf, 2, 3)))
#endif
	;
void nx_buf_vaddf(nx_buf *b, const char *fmt, va_list ap);

/* Trim ASCII white space at both ends. */
void nx_buf_trim(nx_buf *b);

/*
 * Varints: 7 bits a byte, low first, the top bit set on every byte but
 * the last.  nx_varint_put writes v at p (up to 10 bytes) and returns the
 * bytes written; nx_varint_get reads one below end into *v, advancing *p,
 * and returns 0 when it ends past end or past 63 bits.
 */
static inline size_t nx_varint_put(unsigned char *p, uint64_t v)
{
	size_t n = 0;

	while (v >= 0x80) {
		p[n++] = (unsigned char)(v | 0x80);
		v >>= 7;
	}
	p[n++] = (unsigned char)v;
	return n;
}

static inline int nx_varint_get(const unsigned char **p, const unsigned char *end, uint64_t *v)
{
	int shift = 0;

	*v = 0;
	while (*p < end && shift < 63) {
		unsigned char c = *(*p)++;

		*v |= (uint64_t)(c & 0x7f) << shift;
		if (!(c & 0x80))
			return 1;
		shift += 7;
	}
	return 0;
}

#endif

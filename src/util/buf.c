#include "util/buf.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

char nx_buf__empty[1];

void nx_buf_init(nx_buf *b)
{
	b->buf = nx_buf__empty;
	b->len = 0;
	b->alloc = 0;
	b->failed = 0;
}

void nx_buf_free(nx_buf *b)
{
	if (b->alloc != 0)
		free(b->buf);
	nx_buf_init(b);
}

char *nx_buf_detach(nx_buf *b)
{
	char *out = NULL;

	if (b->failed) {
		nx_buf_free(b);
		return NULL;
	}
	if (b->alloc == 0)
		out = calloc(1, 1);
	else
		out = b->buf;
	nx_buf_init(b);
	return out;
}

void nx_buf_reset(nx_buf *b)
{
	b->len = 0;
	/* never a write into the shared empty string: threads reset theirs at once */
	if (b->alloc != 0)
		b->buf[0] = '\0';
	b->failed = 0;
}

int nx_buf_grow(nx_buf *b, size_t extra)
{
	size_t want = 0, n = 0;
	char *p = NULL;

	if (b->failed)
		return -1;
	if (extra > ((size_t)-1) / 2 - b->len) {
		b->failed = 1;
		return -1;
	}
	want = b->len + extra + 1;
	if (want <= b->alloc)
		return 0;
	n = b->alloc < 64 ? 64 : b->alloc;
	while (n < want)
		n += n / 2 + 64;
	p = b->alloc != 0 ? realloc(b->buf, n) : malloc(n);
	if (p == NULL) {
		b->failed = 1;
		return -1;
	}
	if (b->alloc == 0)
		p[0] = '\0';
	b->buf = p;
	b->alloc = n;
	return 0;
}

void nx_buf_truncate(nx_buf *b, size_t len)
{
	if (len < b->len) {
		b->len = len;
		b->buf[len] = '\0';
	}
}

void nx_buf_add(nx_buf *b, const void *data, size_t len)
{
	if (len == 0 || nx_buf_grow(b, len) < 0)
		return;
	memmove(b->buf + b->len, data, len);
	b->len += len;
	b->buf[b->len] = '\0';
}

void nx_buf_adds(nx_buf *b, const char *s)
{
	nx_buf_add(b, s, strlen(s));
}

void nx_buf__addch(nx_buf *b, int c)
{
	char ch = (char)c;

	nx_buf_add(b, &ch, 1);
}

void nx_buf_vaddf(nx_buf *b, const char *fmt, va_list ap)
{
	va_list cp;
	int n = 0;

	if (b->failed)
		return;
	va_copy(cp, ap);
	n = vsnprintf(NULL, 0, fmt, cp);
	va_end(cp);
	if (n < 0 || nx_buf_grow(b, (size_t)n) < 0) {
		b->failed = 1;
		return;
	}
	vsnprintf(b->buf + b->len, (size_t)n + 1, fmt, ap);
	b->len += (size_t)n;
}

void nx_buf_addf(nx_buf *b, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	nx_buf_vaddf(b, fmt, ap);
	va_end(ap);
}

void nx_buf_trim(nx_buf *b)
{
	size_t s = 0, e = b->len;

	while (s < e && (b->buf[s] == ' ' || b->buf[s] == '\t' || b->buf[s] == '\n' ||
			 b->buf[s] == '\r' || b->buf[s] == '\f' || b->buf[s] == '\v'))
		s++;
	while (e > s && (b->buf[e - 1] == ' ' || b->buf[e - 1] == '\t' || b->buf[e - 1] == '\n' ||
			 b->buf[e - 1] == '\r' || b->buf[e - 1] == '\f' || b->buf[e - 1] == '\v'))
		e--;
	if (s > 0 && e > s)
		memmove(b->buf, b->buf + s, e - s);
	if (b->alloc != 0) {
		b->len = e > s ? e - s : 0;
		b->buf[b->len] = '\0';
	}
}

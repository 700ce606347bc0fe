/*
 * warc.c - WARC 1.0/1.1 web archives, plain or gzip per record (.warc.gz).
 *
 * A record is a header block ("WARC/1.1", "Name: value" lines, a blank
 * line), Content-Length bytes of block, then CRLF CRLF.  In a .warc.gz each
 * record is its own gzip member, so a record can be read from its member's
 * offset; nx_ingest_buffer() hands us the original bytes for that reason.
 *
 * Two entries, one reader: nx_parse_warc() reads a buffer, and
 * nx_parse_warc_fd() a file (nx_ingest_file() streams every WARC file),
 * a record at a time, never the whole file: memory holds the record being
 * read plus a 1 MB window, whatever the size of the file.  Records that
 * cannot hold an article (requests, metadata, a video response) are passed
 * over without being kept; a record to read that is larger than
 * opts->max_inflated is noted as a document that could not be read.  Both
 * give the same articles, offsets and errors for the same bytes.
 *
 * What becomes articles:
 *   response records (an HTTP message with status 200) and resource
 *   records whose document is HTML (text/html, application/xhtml+xml, or
 *   markup sniffed when no type is given) or plain text (text/plain); each
 *   is handed to nx_format__dispatch() as a nested document whose url is
 *   WARC-Target-URI, record_id WARC-Record-ID, captured WARC-Date and
 *   offset the record's (gzip member's) byte offset in the file.
 * What is skipped quietly: warcinfo, request, revisit, metadata,
 *   conversion and continuation records; other statuses; other types.
 *
 * HTTP payloads are decoded before dispatch: Transfer-Encoding: chunked
 * (a body that is not really chunked is taken as it is, as browsers and
 * warcio do) and Content-Encoding gzip/x-gzip/deflate, bounded by
 * opts->max_inflated like every record's gzip member.  A response whose
 * Content-Type rules it out (an image, a video) is not decoded at all.
 *
 * Errors: a truncated file yields the records it holds (in a .warc.gz:
 * also those whole before the cut in its last member), then NX_EFORMAT
 * "truncated WARC record at offset N"; a record header that cannot be read
 * stops the scan the same way with its reason.  A gzip member that is
 * corrupt or inflates past the limit is noted, and the scan goes on at the
 * next member holding a record; a member holding many records (a whole
 * file gzipped as one) keeps those read before the damage.  A document that its parser
 * rejects does not stop the scan: the count is reported at the end ("2 of
 * 7 documents could not be read; first: record at offset N: ...").
 * Content-Length is never trusted beyond the data.  ARC files (the
 * format before WARC) are reported as unsupported.
 *
 * This file reads records (header blocks, gzip members, the file window);
 * warc_http.c turns a record's payload into a document to dispatch.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include "formats/warc_private.h"
#include "util/buf.h"
#include "util/gunzip.h"
#include "util/text.h"

/* Find the end of a header block: returns the offset just past the blank
 * line, or 0 when none within lim. *eol receives the header bytes. */
size_t nx_warc__header_end(const char *d, size_t len, size_t *hlen)
{
	size_t i = 0, lim = len < WARC_MAX_HEADER ? len : WARC_MAX_HEADER;

	for (i = 0; i < lim; i++) {
		if (d[i] != '\n')
			continue;
		if (i + 1 < len && d[i + 1] == '\n') {
			*hlen = i + 1;
			return i + 2;
		}
		if (i + 2 < len && d[i + 1] == '\r' && d[i + 2] == '\n') {
			*hlen = i + 1;
			return i + 3;
		}
	}
	return 0;
}

/* Iterate "Name: value" lines of a header block; returns 0 at the end. */
int nx_warc__next_field(const char *h, size_t hlen, size_t *pos, span *name, span *value)
{
	while (*pos < hlen) {
		const char *nl = memchr(h + *pos, '\n', hlen - *pos);
		size_t e = nl != NULL ? (size_t)(nl - h) : hlen, s = *pos;
		const char *colon = NULL;

		*pos = e + 1;
		colon = memchr(h + s, ':', e - s);
		if (colon == NULL)
			continue;
		name->s = h + s;
		name->len = (size_t)(colon - (h + s));
		value->s = colon + 1;
		value->len = e - (size_t)(colon + 1 - h);
		while (value->len > 0 && nx_isspace((unsigned char)value->s[0])) {
			value->s++;
			value->len--;
		}
		while (value->len > 0 && nx_isspace((unsigned char)value->s[value->len - 1]))
			value->len--;
		while (name->len > 0 && nx_isspace((unsigned char)name->s[name->len - 1]))
			name->len--;
		return 1;
	}
	return 0;
}

int nx_warc__name_eq(const span *n, const char *want)
{
	return strlen(want) == n->len && nx_strncaseeq(n->s, want, n->len);
}

int nx_warc__span_eq(const span *v, const char *want)
{
	return v->s != NULL && nx_warc__name_eq(v, want);
}

/* Strict decimal: digits only, no sign, no overflow past SIZE_MAX/2. */
static int parse_size(const span *v, size_t *out)
{
	size_t i = 0, x = 0;

	if (v->len == 0 || v->len > 19)
		return -1;
	for (i = 0; i < v->len; i++) {
		if (!nx_isdigit((unsigned char)v->s[i]))
			return -1;
		x = x * 10 + (size_t)(v->s[i] - '0');
	}
	if (x > SIZE_MAX / 2)
		return -1;
	*out = x;
	return 0;
}


/*
 * Read the header block of the record at d[0..len).  On success *hend
 * receives its size; the block (r->clen bytes) follows it and is not
 * looked at.  Errors are NX_EFORMAT with the reason set; *trunc is set when
 * more bytes after d could change the answer (the header runs past the end
 * of d, or nearly fills WARC_MAX_HEADER).
 */
static int read_header(warc_rec *r, const char *d, size_t len, int64_t off, size_t *hendp, int *trunc,
		       nx_error *err)
{
	size_t hend = 0, hlen = 0, pos = 0;
	span name = { NULL, 0 }, value = { NULL, 0 }, cl = { NULL, 0 };
	int have_len = 0;

	memset(r, 0, sizeof(*r));
	*trunc = 0;
	if (len < 5 && memcmp(d, "WARC/", len) == 0) {
		*trunc = 1;
		return nx_error_set(err, NX_EFORMAT, "truncated WARC record at offset %lld", (long long)off);
	}
	if (len < 5 || memcmp(d, "WARC/", 5) != 0) {
		if (len >= 9 && memcmp(d, "filedesc:", 9) == 0)
			return nx_error_set(err, NX_EFORMAT,
					    "ARC files (the format before WARC) are not supported");
		*trunc = len < 9 && memcmp(d, "filedesc:", len) == 0; /* more bytes tell */
		return nx_error_set(err, NX_EFORMAT,
				    "bad WARC record header at offset %lld: expected 'WARC/'", (long long)off);
	}
	hend = nx_warc__header_end(d, len, &hlen);
	if (hend == 0) {
		if (len >= WARC_MAX_HEADER) {
			*trunc = len < WARC_MAX_HEADER + 3; /* nx_warc__header_end() looks 2 bytes further */
			return nx_error_set(err, NX_EFORMAT,
					    "bad WARC record header at offset %lld: longer than %u KB",
					    (long long)off, WARC_MAX_HEADER / 1024);
		}
		*trunc = 1;
		return nx_error_set(err, NX_EFORMAT, "truncated WARC record at offset %lld", (long long)off);
	}
	{
		const char *nl = memchr(d, '\n', hlen);

		pos = nl != NULL ? (size_t)(nl - d) + 1 : hlen;
	}
	while (nx_warc__next_field(d, hlen, &pos, &name, &value)) {
		if (nx_warc__name_eq(&name, "WARC-Type")) {
			r->type = value;
		} else if (nx_warc__name_eq(&name, "WARC-Target-URI")) {
			r->uri = value;
		} else if (nx_warc__name_eq(&name, "WARC-Date")) {
			r->date = value;
		} else if (nx_warc__name_eq(&name, "WARC-Record-ID")) {
			r->id = value;
		} else if (nx_warc__name_eq(&name, "Content-Type")) {
			r->ctype = value;
		} else if (nx_warc__name_eq(&name, "Content-Length")) {
			cl = value;
			have_len = 1;
		}
	}
	if (!have_len)
		return nx_error_set(err, NX_EFORMAT,
				    "bad WARC record header at offset %lld: no Content-Length", (long long)off);
	if (parse_size(&cl, &r->clen) < 0)
		return nx_error_set(err, NX_EFORMAT,
				    "bad WARC record header at offset %lld: Content-Length '%.*s' is not a size",
				    (long long)off, (int)(cl.len > 24 ? 24 : cl.len), cl.s);
	*hendp = hend;
	return NX_OK;
}

/* Records under metadata: or dns: addresses are the crawler's, not pages. */
static int crawler_uri(const span *u)
{
	span v = *u;

	if (v.len > 0 && v.s[0] == '<') {
		v.s++;
		v.len--;
	}
	return nx_startswith_ci(v.s, v.len, "metadata:") || nx_startswith_ci(v.s, v.len, "dns:");
}

/* Response and resource records may hold documents; the others never do. */
static int may_hold_document(const warc_rec *r)
{
	return nx_warc__span_eq(&r->type, "response") || nx_warc__span_eq(&r->type, "resource");
}

static int handle_record(warc_state *ws, const warc_rec *r, int64_t off, nx_error *err)
{
	if (nx_warc__span_eq(&r->type, "response"))
		return nx_warc__do_response(ws, r, off, err);
	if (nx_warc__span_eq(&r->type, "resource")) {
		if (crawler_uri(&r->uri) || !nx_warc__wanted_type(&r->ctype, r->block.s, r->block.len))
			return NX_OK;
		return nx_warc__dispatch_doc(ws, r, off, r->block.s, r->block.len, &r->ctype, err);
	}
	return NX_OK; /* warcinfo, request, revisit, metadata, conversion, continuation */
}

/*
 * 1 when handle_record() would pass over record r quietly whatever its
 * block holds after its first blen bytes b (blen: the whole block, or at
 * least WARC_PEEK bytes of it): a stream goes past a large video without
 * reading it into memory.
 */
static int record_skippable(const warc_rec *r, const char *b, size_t blen)
{
	http_head h;
	int k = 0;

	if (!may_hold_document(r))
		return 1;
	if (nx_warc__span_eq(&r->type, "resource"))
		return crawler_uri(&r->uri) || !nx_warc__wanted_type(&r->ctype, b, blen); /* sniffs 1 KB at most */
	k = nx_warc__read_http_head(&h, b, blen);
	if (k == 0)
		return 1;
	if (k < 0)
		return 0; /* noted as a document that could not be read */
	return h.status != 200 || nx_warc__type_rules_out(&h.ctype);
}

/* Skip the CR/LF padding between records. */
static size_t skip_pad(const char *d, size_t len, size_t i)
{
	while (i < len && (d[i] == '\r' || d[i] == '\n' || d[i] == '\0'))
		i++;
	return i;
}

/* Does a gzip member start at d and inflate to something starting "WARC/"? */
static int member_is_warc(const char *d, size_t len)
{
	z_stream zs;
	char head[8];
	int ok = 0;

	if (len < 18 || !nx_is_gzip(d, len) || (unsigned char)d[2] != 8)
		return 0;
	memset(&zs, 0, sizeof(zs));
	if (inflateInit2(&zs, 15 + 16) != Z_OK)
		return 0;
	zs.next_in = (Bytef *)d;
	zs.avail_in = (uInt)(len > 65536 ? 65536 : len);
	zs.next_out = (Bytef *)head;
	zs.avail_out = sizeof(head);
	(void)inflate(&zs, Z_SYNC_FLUSH);
	ok = sizeof(head) - zs.avail_out >= 5 && memcmp(head, "WARC/", 5) == 0;
	inflateEnd(&zs);
	return ok;
}

/*
 * The record reader, shared by the buffer and the file.  Raw bytes are the
 * caller's buffer (fd < 0) or a window on the file, read WARC_CHUNK at a
 * time; a record is read in place from the raw bytes (plain WARC) or from
 * acc, the inflated bytes of its gzip member(s), inflated as far as the
 * record needs.  A record that cannot hold a document is passed over
 * without being kept, so memory holds one wanted record plus a chunk,
 * whatever the size of the file.
 *
 * Offsets: a plain record's is where it starts; a gzip record's is the
 * offset of the member it starts in.
 */
#ifndef WARC_CHUNK
#define WARC_CHUNK ((size_t)1 << 20) /* file reads, inflate steps (smaller in stress builds) */
#endif
#define WARC_PEEK (WARC_MAX_HEADER + 3) /* what decides whether a block is needed */
#define WARC_ZTRUNC 3                   /* the input ends inside a gzip member */
#define WARC_ZBAD 4                     /* a gzip member is corrupt */
#define WARC_ZBIG 5                     /* it inflates past the limit */
#define WARC_ZBOMB 6                    /* it inflates like a gzip bomb (nx_gunzip_bomb) */
#define WARC_TAIL 65536 /* a member failing this close after a record's end takes the record with it */

/* acc bytes from at on were inflated from the gzip member at off. */
typedef struct warc_seg {
	size_t at;
	int64_t off;
} warc_seg;

typedef struct warc_rd {
	int fd;           /* -1: all of raw is the caller's buffer */
	const char *raw;  /* raw[rs..re): raw bytes not read yet */
	size_t rs, re;
	int64_t roff;     /* offset of raw[rs] in the file */
	int reof;         /* nothing after raw[re] */
	int64_t fsize;    /* fd: the size of a regular file when opened, else -1 */
	nx_buf rbuf;      /* fd: the window */
	z_stream zs;
	int zinit;        /* zs initialised */
	int zopen;        /* the member at moff is being inflated */
	int member;       /* records come from acc */
	int64_t moff;
	size_t mout;      /* bytes it inflated so far */
	int zfail;        /* why it ended early: WARC_Z*, 0 when it did not */
	size_t max;       /* limit of mout */
	nx_buf acc;       /* acc.buf[as..acc.len): inflated bytes not read yet */
	size_t as;
	warc_seg *segs;   /* where each member's bytes start in acc, in order */
	size_t nsegs, asegs;
} warc_rd;

static void rd_init(warc_rd *rd, int fd, int64_t off, size_t max)
{
	memset(rd, 0, sizeof(*rd));
	nx_buf_init(&rd->rbuf);
	nx_buf_init(&rd->acc);
	rd->fd = fd;
	rd->raw = rd->rbuf.buf;
	rd->roff = off;
	rd->fsize = -1;
	rd->max = max;
}

static void rd_free(warc_rd *rd)
{
	if (rd->zinit)
		inflateEnd(&rd->zs);
	nx_buf_free(&rd->rbuf);
	nx_buf_free(&rd->acc);
	free(rd->segs);
}

/* After a large record: give back the memory of a buffer that holds little now. */
static void buf_shrink(nx_buf *b)
{
	nx_buf small = NX_BUF_INIT;

	if (b->alloc <= 8 * WARC_CHUNK || b->len > WARC_CHUNK)
		return;
	if (nx_buf_grow(&small, WARC_CHUNK) < 0)
		return;
	nx_buf_add(&small, b->buf, b->len);
	if (!nx_buf_ok(&small)) {
		nx_buf_free(&small);
		return;
	}
	nx_buf_free(b);
	*b = small;
}

static void raw_take(warc_rd *rd, size_t n)
{
	rd->rs += n;
	rd->roff += (int64_t)n;
}

/* Make at least want raw bytes available (fewer at the end of the input). */
static int raw_fill(warc_rd *rd, size_t want, nx_error *err)
{
	size_t have = rd->re - rd->rs, room = 0;
	ssize_t n = 0;

	if (rd->fd < 0 || rd->reof || have >= want)
		return NX_OK;
	if (rd->rs > 0) {
		memmove(rd->rbuf.buf, rd->rbuf.buf + rd->rs, have);
		rd->rs = 0;
		rd->re = have;
		nx_buf_truncate(&rd->rbuf, have);
		buf_shrink(&rd->rbuf);
	}
	/* a window no larger than what is left of a regular file (a small file is
	   read whole without a chunk-sized buffer); it grows if the file does */
	room = want - have + WARC_CHUNK;
	if (rd->fsize >= 0 && rd->fsize - rd->roff >= (int64_t)have &&
	    (uint64_t)(rd->fsize - rd->roff) - have + 1 < room)
		room = (size_t)(rd->fsize - rd->roff) - have + 1;
	if (nx_buf_grow(&rd->rbuf, room) < 0)
		return nx_error_set(err, NX_ENOMEM, "out of memory");
	rd->raw = rd->rbuf.buf;
	while (rd->re < want) {
		if (rd->rbuf.alloc - 1 - rd->re == 0) {
			if (nx_buf_grow(&rd->rbuf, WARC_CHUNK) < 0)
				return nx_error_set(err, NX_ENOMEM, "out of memory");
			rd->raw = rd->rbuf.buf;
		}
		n = read(rd->fd, rd->rbuf.buf + rd->re, rd->rbuf.alloc - 1 - rd->re);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return nx_error_set(err, NX_EIO, "cannot read: %s", strerror(errno));
		if (n == 0) {
			rd->reof = 1;
			break;
		}
		rd->re += (size_t)n;
		rd->rbuf.len = rd->re;
	}
	rd->rbuf.buf[rd->rbuf.len] = '\0';
	return NX_OK;
}

/* Skip raw padding (CR, LF, NUL); stops at a byte of something else or the end. */
static int raw_skip_pad(warc_rd *rd, nx_error *err)
{
	int rc = NX_OK;

	for (;;) {
		if (rd->rs == rd->re && (rc = raw_fill(rd, 1, err)) < 0)
			return rc;
		if (rd->rs == rd->re)
			return NX_OK;
		raw_take(rd, skip_pad(rd->raw, rd->re, rd->rs) - rd->rs);
		if (rd->rs < rd->re)
			return NX_OK;
	}
}

/* Go back (or on) to offset to. */
static int raw_seek(warc_rd *rd, int64_t to, nx_error *err)
{
	int64_t first = rd->roff - (int64_t)rd->rs; /* offset of raw[0] */

	if (to >= first && to <= rd->roff + (int64_t)(rd->re - rd->rs)) {
		rd->rs = (size_t)(to - first);
		rd->roff = to;
		return NX_OK;
	}
	if (rd->fd < 0 || lseek(rd->fd, (off_t)to, SEEK_SET) < 0)
		return nx_error_set(err, NX_EIO, "cannot seek: %s", rd->fd < 0 ? "outside the data" : strerror(errno));
	rd->rs = rd->re = 0;
	nx_buf_reset(&rd->rbuf);
	rd->reof = 0;
	rd->roff = to;
	return NX_OK;
}

/* Offset of the member that inflated acc.buf[i]. */
static int64_t acc_origin(const warc_rd *rd, size_t i)
{
	size_t lo = 0, hi = rd->nsegs, mid = 0;

	/* the last segment starting at or before i */
	while (hi - lo > 1) {
		mid = lo + (hi - lo) / 2;
		if (rd->segs[mid].at <= i)
			lo = mid;
		else
			hi = mid;
	}
	return rd->nsegs > 0 ? rd->segs[lo].off : rd->moff;
}

static void acc_clear(warc_rd *rd)
{
	rd->member = 0;
	rd->zopen = 0;
	rd->zfail = 0;
	rd->as = 0;
	rd->nsegs = 0;
	nx_buf_reset(&rd->acc);
	buf_shrink(&rd->acc);
}

static void acc_compact(warc_rd *rd)
{
	size_t n = rd->acc.len - rd->as, i = 0;

	if (rd->as == 0)
		return;
	memmove(rd->acc.buf, rd->acc.buf + rd->as, n);
	for (i = 0; i < rd->nsegs; i++)
		rd->segs[i].at = rd->segs[i].at > rd->as ? rd->segs[i].at - rd->as : 0;
	/* drop the segments wholly read */
	for (i = 0; i + 1 < rd->nsegs && rd->segs[i + 1].at == 0; i++)
		;
	if (i > 0) {
		memmove(rd->segs, rd->segs + i, (rd->nsegs - i) * sizeof(*rd->segs));
		rd->nsegs -= i;
	}
	rd->as = 0;
	nx_buf_truncate(&rd->acc, n);
	buf_shrink(&rd->acc);
}

/* Start inflating the gzip member at the raw position (after acc's bytes). */
static int member_open(warc_rd *rd, nx_error *err)
{
	if (!rd->zinit) {
		memset(&rd->zs, 0, sizeof(rd->zs));
		if (inflateInit2(&rd->zs, 15 + 16) != Z_OK)
			return nx_error_set(err, NX_ENOMEM, "out of memory");
		rd->zinit = 1;
	} else if (inflateReset(&rd->zs) != Z_OK) {
		return nx_error_set(err, NX_ENOMEM, "out of memory");
	}
	acc_compact(rd);
	if (rd->nsegs == rd->asegs) {
		size_t n = rd->asegs > 0 ? rd->asegs * 2 : 8;
		warc_seg *p = realloc(rd->segs, n * sizeof(*p));

		if (p == NULL)
			return nx_error_set(err, NX_ENOMEM, "out of memory");
		rd->segs = p;
		rd->asegs = n;
	}
	rd->segs[rd->nsegs].at = rd->acc.len;
	rd->segs[rd->nsegs].off = rd->roff;
	rd->nsegs++;
	rd->moff = rd->roff;
	rd->mout = 0;
	rd->zopen = 1;
	rd->zfail = 0;
	rd->member = 1;
	return NX_OK;
}

/* The open member cannot be read further: keep what it gave, remember why. */
static void member_stop(warc_rd *rd, int why)
{
	rd->zopen = 0;
	rd->zfail = why;
}

/*
 * Inflate the open member until acc holds want unread bytes or the member
 * ends.  A member that is cut, corrupt or too big ends there with
 * rd->zfail set (WARC_ZTRUNC, WARC_ZBAD, WARC_ZBIG, WARC_ZBOMB): the records it held
 * whole before that point are read all the same, however the inflating was
 * split up.  Returns NX_OK or an NX_E* error.
 */
static int member_more(warc_rd *rd, size_t want, nx_error *err)
{
	size_t step = 0, in = 0, got = 0;
	int rc = NX_OK, zrc = Z_OK;

	acc_compact(rd);
	while (rd->zopen && rd->acc.len < want) {
		if (rd->rs == rd->re && (rc = raw_fill(rd, WARC_CHUNK, err)) < 0)
			return rc;
		if (rd->rs == rd->re) {
			member_stop(rd, WARC_ZTRUNC);
			break;
		}
		/* steps grow with what the member gave so far: a small member never
		   costs a chunk-sized buffer */
		step = want - rd->acc.len;
		step = step > rd->acc.len + 65536 ? rd->acc.len + 65536 : step;
		step = step > WARC_CHUNK ? WARC_CHUNK : step < 65536 ? 65536 : step;
		if (nx_buf_grow(&rd->acc, step) < 0)
			return nx_error_set(err, NX_ENOMEM, "out of memory");
		in = rd->re - rd->rs > (1u << 30) ? (1u << 30) : rd->re - rd->rs;
		rd->zs.next_in = (Bytef *)(rd->raw + rd->rs);
		rd->zs.avail_in = (uInt)in;
		rd->zs.next_out = (Bytef *)(rd->acc.buf + rd->acc.len);
		rd->zs.avail_out = (uInt)step;
		zrc = inflate(&rd->zs, Z_NO_FLUSH);
		raw_take(rd, in - rd->zs.avail_in);
		got = step - rd->zs.avail_out;
		rd->acc.len += got;
		rd->mout += got;
		if (rd->mout > rd->max) {
			/* exactly max bytes are kept, whatever the steps */
			rd->acc.len -= rd->mout - rd->max;
			member_stop(rd, WARC_ZBIG);
		} else if (nx_gunzip_bomb((size_t)(rd->roff - rd->moff), rd->mout)) {
			member_stop(rd, WARC_ZBOMB);
		} else if (zrc == Z_STREAM_END) {
			rd->zopen = 0;
		} else if (zrc == Z_MEM_ERROR) {
			return nx_error_set(err, NX_ENOMEM, "out of memory");
		} else if ((zrc != Z_OK && zrc != Z_BUF_ERROR) || (got == 0 && in == rd->zs.avail_in)) {
			member_stop(rd, WARC_ZBAD);
		}
		rd->acc.buf[rd->acc.len] = '\0';
	}
	return NX_OK;
}

/* The bytes of the current record: raw (plain) or inflated (gzip). */
static const char *view_data(const warc_rd *rd)
{
	return rd->member ? rd->acc.buf + rd->as : rd->raw + rd->rs;
}

static size_t view_avail(const warc_rd *rd)
{
	return rd->member ? rd->acc.len - rd->as : rd->re - rd->rs;
}

static int64_t view_off(const warc_rd *rd)
{
	return rd->member ? acc_origin(rd, rd->as) : rd->roff;
}

static void view_take(warc_rd *rd, size_t n)
{
	if (rd->member)
		rd->as += n;
	else
		raw_take(rd, n);
}

/*
 * Make at least want bytes of the current record available (fewer at the
 * end): more of the file, or more of the member, then of the next members
 * when the record goes on there (a record split over gzip members).
 * Moves the data: view_data() again after it.
 */
static int view_more(warc_rd *rd, size_t want, nx_error *err)
{
	int rc = NX_OK;

	if (!rd->member)
		return raw_fill(rd, want, err);
	while (view_avail(rd) < want) {
		if (rd->zopen) {
			if ((rc = member_more(rd, want, err)) != NX_OK)
				return rc;
			continue;
		}
		if (rd->zfail != 0)
			return rd->zfail;
		if ((rc = raw_skip_pad(rd, err)) < 0 || (rc = raw_fill(rd, 2, err)) < 0)
			return rc;
		if (!nx_is_gzip(rd->raw + rd->rs, rd->re - rd->rs))
			return NX_OK; /* the record does not go on */
		if ((rc = member_open(rd, err)) < 0)
			return rc;
	}
	return NX_OK;
}

/* Pass over n bytes of the current record; *done receives how many there were. */
static int view_skip(warc_rd *rd, size_t n, size_t *done, nx_error *err)
{
	size_t k = 0;
	int rc = NX_OK;

	*done = 0;
	while (n > 0) {
		if (view_avail(rd) == 0) {
			if ((rc = view_more(rd, n < WARC_CHUNK ? n : WARC_CHUNK, err)) != NX_OK)
				return rc;
			if (view_avail(rd) == 0)
				return NX_OK;
		}
		k = view_avail(rd) < n ? view_avail(rd) : n;
		view_take(rd, k);
		n -= k;
		*done += k;
	}
	return NX_OK;
}

/* At a record boundary inside members: skip padding; leave them at a member's end. */
static int member_skip_pad(warc_rd *rd, nx_error *err)
{
	int rc = NX_OK;

	for (;;) {
		rd->as = skip_pad(rd->acc.buf, rd->acc.len, rd->as);
		if (rd->as < rd->acc.len)
			return NX_OK;
		if (!rd->zopen) {
			if (rd->zfail != 0)
				return rd->zfail;
			acc_clear(rd);
			return NX_OK;
		}
		if ((rc = member_more(rd, WARC_CHUNK, err)) != NX_OK)
			return rc;
	}
}

/*
 * A record header that cannot be read in a member: is the member corrupt
 * or cut (then WARC_Z*: noted and the scan goes on at the next member, or
 * truncated, as for a buffer)?
 * Inflates the rest of it, keeping nothing new.
 */
static int member_finish(warc_rd *rd, nx_error *err)
{
	size_t keep = rd->acc.len - rd->as;
	int rc = NX_OK;

	while (rd->zopen) {
		if ((rc = member_more(rd, keep + 65536, err)) != NX_OK)
			return rc;
		nx_buf_truncate(&rd->acc, rd->as + keep);
	}
	return rd->zfail;
}

/*
 * After a whole record that ends end bytes after acc.buf[as]: is its
 * member sound for WARC_TAIL bytes past the record?  A .warc.gz member
 * holding one record is thus checked to its end (its CRC) before the
 * record is read, as a buffer always did; a member holding many records
 * (a whole file gzipped) cannot be, and keeps those before the damage.
 * Decided on byte positions only, so the buffer and the file agree
 * however the inflating was split up.  Returns NX_OK, WARC_ZBAD,
 * WARC_ZBIG or an NX_E* error.
 */
static int member_sound_after(warc_rd *rd, size_t end, nx_error *err)
{
	int rc = NX_OK;

	if (!rd->member)
		return NX_OK;
	if (rd->zopen && (rc = member_more(rd, end + WARC_TAIL, err)) != NX_OK)
		return rc;
	if ((rd->zfail == WARC_ZBAD || rd->zfail == WARC_ZBIG || rd->zfail == WARC_ZBOMB) && rd->acc.len - rd->as - end <= WARC_TAIL)
		return rd->zfail;
	return NX_OK;
}

static int truncated(int64_t off, nx_error *err)
{
	return nx_error_set(err, NX_EFORMAT, "truncated WARC record at offset %lld", (long long)off);
}

/*
 * Read the record at offset off, the current position, hand it to
 * handle_record() and go past it.  Returns NX_OK, an error, or one of
 * WARC_Z* when its gzip member cannot be read.
 */
static int read_record_at(warc_state *ws, warc_rd *rd, int64_t off, nx_error *err)
{
	warc_rec r;
	nx_error herr = NX_ERROR_INIT;
	const char *d = NULL;
	size_t avail = 0, hend = 0, need = 0, peek = 0, done = 0;
	int rc = NX_OK, trunc = 0;

	for (;;) {
		d = view_data(rd);
		avail = view_avail(rd);
		if (read_header(&r, d, avail, off, &hend, &trunc, &herr) == NX_OK)
			break;
		if (!trunc)
			goto bad_header;
		/* a byte more: the next member is opened only when the record goes on there */
		if ((rc = view_more(rd, avail + 1, err)) != NX_OK)
			return rc;
		if (view_avail(rd) <= avail)
			goto bad_header; /* no more bytes: herr says truncated */
	}
	need = hend + r.clen;
	if (!may_hold_document(&r))
		goto skip;
	if (need > avail || need > ws->max) {
		/* a block not read yet (or too big to read): is it wanted at all? */
		peek = hend + (r.clen < WARC_PEEK ? r.clen : WARC_PEEK);
		if ((rc = view_more(rd, peek, err)) != NX_OK)
			return rc;
		d = view_data(rd);
		avail = view_avail(rd);
		if (read_header(&r, d, avail, off, &hend, &trunc, &herr) < 0)
			goto bad_header;
		if (avail >= peek && record_skippable(&r, d + hend, peek - hend))
			goto skip;
		if (need > ws->max) {
			if ((rc = view_skip(rd, need, &done, err)) != NX_OK)
				return rc;
			if (done < need)
				return truncated(off, err);
			if ((rc = member_sound_after(rd, 0, err)) != NX_OK)
				return rc;
			{
				char msg[96];

				snprintf(msg, sizeof(msg), "record is larger than %zu MB (limit)", ws->max >> 20);
				nx_warc__note_bad(ws, off, msg);
			}
			return NX_OK;
		}
		if ((rc = view_more(rd, need, err)) != NX_OK)
			return rc;
		d = view_data(rd);
		avail = view_avail(rd);
		if (avail < need)
			return truncated(off, err);
		if (read_header(&r, d, avail, off, &hend, &trunc, &herr) < 0)
			goto bad_header;
	}
	if (rd->member) {
		if ((rc = member_sound_after(rd, need, err)) != NX_OK)
			return rc;
		d = view_data(rd);
		avail = view_avail(rd);
		if (read_header(&r, d, avail, off, &hend, &trunc, &herr) < 0)
			goto bad_header;
	}
	r.block.s = d + hend;
	r.block.len = r.clen;
	rc = handle_record(ws, &r, off, err);
	if (rc < 0)
		return rc;
	view_take(rd, need);
	return NX_OK;
skip:
	if ((rc = view_skip(rd, need, &done, err)) != NX_OK)
		return rc;
	if (done < need)
		return truncated(off, err);
	return member_sound_after(rd, 0, err);
bad_header:
	if (rd->member && (rc = member_finish(rd, err)) != NX_OK)
		return rc;
	if (err != NULL)
		*err = herr;
	return NX_EFORMAT;
}

/*
 * After a gzip member that cannot be read: note it (at off, the record it
 * took with it), go on at the next member holding a record.
 */
static int member_failed(warc_state *ws, warc_rd *rd, int why, int64_t off, nx_error *err)
{
	const char *p = NULL;
	char msg[96];
	int rc = NX_OK;

	if (why == WARC_ZTRUNC)
		return truncated(off, err); /* the file ends inside this member */
	if (why == WARC_ZBIG)
		snprintf(msg, sizeof(msg), "record inflates to more than %zu MB (limit)", ws->max >> 20);
	else if (why == WARC_ZBOMB)
		snprintf(msg, sizeof(msg), "gzip bomb: a member inflates more than %d times", NX_BOMB_RATIO);
	else
		snprintf(msg, sizeof(msg), "corrupt gzip member");
	nx_warc__note_bad(ws, off, msg);
	acc_clear(rd);
	if ((rc = raw_seek(rd, rd->moff + 1, err)) < 0)
		return rc;
	for (;;) {
		if ((rc = raw_fill(rd, 65536, err)) < 0)
			return rc;
		if (rd->re - rd->rs < 4) {
			raw_take(rd, rd->re - rd->rs);
			return NX_OK;
		}
		p = memchr(rd->raw + rd->rs, 0x1f, rd->re - rd->rs);
		if (p == NULL) {
			raw_take(rd, rd->re - rd->rs);
			continue;
		}
		raw_take(rd, (size_t)(p - (rd->raw + rd->rs)));
		if ((rc = raw_fill(rd, 65536, err)) < 0)
			return rc;
		if (member_is_warc(rd->raw + rd->rs, rd->re - rd->rs))
			return NX_OK;
		raw_take(rd, 1);
	}
}

/* Read the record at the current position; a member it cannot be read from is dealt with. */
static int read_one(warc_state *ws, warc_rd *rd, nx_error *err)
{
	int64_t off = view_off(rd);
	int rc = read_record_at(ws, rd, off, err);

	return rc > 0 ? member_failed(ws, rd, rc, off, err) : rc;
}

/* Every record: plain ones, gzip members, or both one after the other. */
static int read_all_records(warc_state *ws, warc_rd *rd, nx_error *err)
{
	int rc = NX_OK;

	if ((rc = raw_fill(rd, 9, err)) < 0)
		return rc;
	if (rd->re - rd->rs >= 9 && memcmp(rd->raw + rd->rs, "filedesc:", 9) == 0)
		return nx_error_set(err, NX_EFORMAT, "ARC files (the format before WARC) are not supported");
	for (;;) {
		if (rd->member) {
			rc = member_skip_pad(rd, err);
			if (rc == NX_OK && !rd->member)
				continue;
		} else {
			if ((rc = raw_skip_pad(rd, err)) < 0 || (rc = raw_fill(rd, 2, err)) < 0)
				break;
			if (rd->rs == rd->re)
				break;
			if (nx_is_gzip(rd->raw + rd->rs, rd->re - rd->rs)) {
				if ((rc = member_open(rd, err)) < 0)
					break;
				continue;
			}
		}
		if (rc == NX_OK)
			rc = read_one(ws, rd, err);
		if (rc > 0) /* at a record boundary */
			rc = member_failed(ws, rd, rc, rd->as < rd->acc.len ? acc_origin(rd, rd->as) : rd->moff,
					   err);
		if (rc < 0)
			break;
		rc = NX_OK; /* a callback's positive return is no error */
	}
	return rc;
}

static void state_init(warc_state *ws, const nx_input *in, nx_article_cb cb, void *ctx)
{
	memset(ws, 0, sizeof(*ws));
	ws->in = in;
	ws->cb = cb;
	ws->ctx = ctx;
	ws->max = in->opts != NULL && in->opts->max_inflated > 0 ? in->opts->max_inflated : WARC_DEFAULT_MAX;
}

/* The result of a whole scan: documents that could not be read make it NX_EFORMAT. */
static int scan_result(const warc_state *ws, int rc, nx_error *err)
{
	if (rc == NX_OK && ws->nbad > 0)
		return nx_error_set(err, NX_EFORMAT, "%zu of %zu documents could not be read; first: %s",
				    ws->nbad, ws->ndocs > ws->nbad ? ws->ndocs : ws->nbad, ws->first);
	if (rc == NX_EFORMAT && ws->nbad > 0 && err != NULL) {
		/* a fatal format error after rejected documents: mention them */
		size_t n = strlen(err->msg);

		snprintf(err->msg + n, sizeof(err->msg) - n, " (and %zu documents could not be read)", ws->nbad);
	}
	return rc;
}

int nx_parse_warc(const nx_input *in, nx_article_cb cb, void *ctx, nx_error *err)
{
	warc_state ws;
	warc_rd rd;
	int rc = NX_OK;

	state_init(&ws, in, cb, ctx);
	rd_init(&rd, -1, in->offset > 0 ? in->offset : 0, ws.max);
	rd.raw = in->data;
	rd.re = in->len;
	rd.reof = 1;
	rc = read_all_records(&ws, &rd, err);
	rc = scan_result(&ws, rc, err);
	rd_free(&rd);
	return rc;
}

int nx_parse_warc_fd(int fd, const char *path, const nx_ingest_opts *opts, nx_article_cb cb, void *ctx,
		     nx_error *err)
{
	nx_input in;
	warc_state ws;
	warc_rd rd;
	off_t at = lseek(fd, 0, SEEK_CUR);
	struct stat st;
	int rc = NX_OK;

	memset(&in, 0, sizeof(in));
	in.path = path;
	in.offset = -1;
	in.opts = opts;
	state_init(&ws, &in, cb, ctx);
	rd_init(&rd, fd, at > 0 ? (int64_t)at : 0, ws.max);
	if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode))
		rd.fsize = (int64_t)st.st_size;
	rc = read_all_records(&ws, &rd, err);
	rc = scan_result(&ws, rc, err);
	rd_free(&rd);
	return rc;
}

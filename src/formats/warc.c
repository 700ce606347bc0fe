/*
 * warc.c - WARC 1.0/1.1 web archives, plain or gzip per record (.warc.gz).
 *
 * A record is a header block ("WARC/1.1", "Name: value" lines, a blank
 * line), Content-Length bytes of block, then CRLF CRLF.  In a .warc.gz each
 * record is its own gzip member, so a record can be read from its member's
 * offset; nx_ingest_buffer() hands us the original bytes for that reason.
 *
 * What becomes articles:
 *   response records (an HTTP message with status 200) and resource
 *   records whose document is HTML (text/html, application/xhtml+xml, or
 *   markup sniffed when no type is given) or plain text (text/plain); each
 *   is handed to nx_ingest__dispatch() as a nested document whose url is
 *   WARC-Target-URI, record_id WARC-Record-ID, captured WARC-Date and
 *   offset the record's (gzip member's) byte offset in the file.
 * What is skipped quietly: warcinfo, request, revisit, metadata,
 *   conversion and continuation records; other statuses; other types.
 *
 * HTTP payloads are decoded before dispatch: Transfer-Encoding: chunked
 * (a body that is not really chunked is taken as it is, as browsers and
 * warcio do) and Content-Encoding gzip/x-gzip/deflate, bounded by
 * opts->max_inflated like every record's gzip member.
 *
 * Errors: a truncated file yields the records it holds, then NX_EFORMAT
 * "truncated WARC record at offset N"; a record header that cannot be read
 * stops the scan the same way with its reason.  A document that its parser
 * rejects does not stop the scan: the count is reported at the end ("2 of
 * 7 documents could not be read; first: record at offset N: ...").
 * Content-Length is never trusted beyond the buffer.  ARC files (the
 * format before WARC) are reported as unsupported.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "buf.h"
#include "ingest_private.h"
#include "text.h"

#define WARC_MAX_HEADER (256u * 1024u) /* WARC or HTTP header block */
#define WARC_DEFAULT_MAX ((size_t)1 << 30)

typedef struct span {
	const char *s;
	size_t len;
} span;

typedef struct warc_state {
	const nx_input *in;
	nx_article_cb cb;
	void *ctx;
	size_t max;      /* inflated-size limit per record */
	size_t ndocs;    /* documents dispatched */
	size_t nbad;     /* of which rejected */
	char first[NX_ERROR_MSG_MAX];
} warc_state;

/* One parsed WARC record header. */
typedef struct warc_rec {
	span type, uri, date, id, ctype;
	size_t clen;
	span block;
} warc_rec;

/* Find the end of a header block: returns the offset just past the blank
 * line, or 0 when none within lim. *eol receives the header bytes. */
static size_t header_end(const char *d, size_t len, size_t *hlen)
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
static int next_field(const char *h, size_t hlen, size_t *pos, span *name, span *value)
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

static int name_eq(const span *n, const char *want)
{
	return strlen(want) == n->len && nx_strncaseeq(n->s, want, n->len);
}

static int span_eq(const span *v, const char *want)
{
	return v->s != NULL && name_eq(v, want);
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

/* MIME type of a Content-Type value (before ';'), compared to want. */
static int mime_is(const span *ct, const char *want)
{
	size_t n = 0;

	if (ct->s == NULL)
		return 0;
	while (n < ct->len && ct->s[n] != ';' && !nx_isspace((unsigned char)ct->s[n]))
		n++;
	return strlen(want) == n && nx_strncaseeq(ct->s, want, n);
}

/* 1 when the document looks like HTML markup. */
static int sniff_html(const char *d, size_t len)
{
	size_t i = 0, lim = len < 1024 ? len : 1024;

	if (len >= 3 && memcmp(d, "\xEF\xBB\xBF", 3) == 0)
		i = 3;
	while (i < lim && nx_isspace((unsigned char)d[i]))
		i++;
	if (i >= lim || d[i] != '<')
		return 0;
	return nx_memcasemem(d + i, lim - i, "<html") != NULL ||
	       nx_memcasemem(d + i, lim - i, "<!doctype html") != NULL ||
	       nx_memcasemem(d + i, lim - i, "<head") != NULL ||
	       nx_memcasemem(d + i, lim - i, "<body") != NULL;
}

/* HTML or plain text by its Content-Type, or sniffed when untyped. */
static int wanted_type(const span *ct, const char *d, size_t len)
{
	if (mime_is(ct, "text/html") || mime_is(ct, "application/xhtml+xml") || mime_is(ct, "text/plain"))
		return 1;
	if (ct->s == NULL || ct->len == 0 || mime_is(ct, "application/octet-stream") ||
	    mime_is(ct, "unknown/unknown"))
		return sniff_html(d, len);
	return 0;
}

/*
 * Inflate one gzip (or zlib, or raw deflate with wbits -15) stream at
 * data[0..len) into *out (at most max bytes).  *used receives the input
 * bytes consumed.  Returns NX_OK, NX_EFORMAT (corrupt; *out holds what was
 * inflated), NX_ETOOBIG, NX_ENOMEM, or 1 when the input ended before the
 * stream did (truncated; *out holds what was inflated).
 */
static int inflate_one(nx_buf *out, const char *data, size_t len, int wbits, size_t max, size_t *used)
{
	z_stream zs;
	size_t done = 0;
	int zrc = Z_OK, rc = NX_OK;

	*used = 0;
	memset(&zs, 0, sizeof(zs));
	if (inflateInit2(&zs, wbits) != Z_OK)
		return NX_ENOMEM;
	zs.next_in = (Bytef *)data;
	for (;;) {
		done = (size_t)((const char *)zs.next_in - data);
		if (zs.avail_in == 0 && done < len)
			zs.avail_in = (uInt)(len - done > (1u << 30) ? (1u << 30) : len - done);
		if (nx_buf_grow(out, 65536) < 0) {
			rc = NX_ENOMEM;
			break;
		}
		zs.next_out = (Bytef *)(out->buf + out->len);
		zs.avail_out = 65536;
		zrc = inflate(&zs, Z_NO_FLUSH);
		out->len += 65536 - zs.avail_out;
		out->buf[out->len] = '\0';
		if (out->len > max) {
			rc = NX_ETOOBIG;
			break;
		}
		if (zrc == Z_STREAM_END)
			break;
		if (zrc == Z_OK)
			continue;
		if (zrc == Z_BUF_ERROR) {
			/* no progress: out of input */
			if ((size_t)((const char *)zs.next_in - data) >= len) {
				rc = 1;
				break;
			}
			continue;
		}
		rc = zrc == Z_MEM_ERROR ? NX_ENOMEM : NX_EFORMAT;
		break;
	}
	*used = (size_t)((const char *)zs.next_in - data);
	inflateEnd(&zs);
	return rc;
}

/*
 * Undo chunked transfer coding.  Returns 1 when body was chunked (out holds
 * the data, possibly cut short when the chunks run past the end), 0 when
 * the body does not start with a chunk-size line (use it as it is).
 */
static int dechunk(nx_buf *out, const char *d, size_t len)
{
	size_t i = 0;
	int chunks = 0;

	while (i < len) {
		size_t size = 0, digits = 0, eol = 0;

		while (i + digits < len && digits <= 16) {
			int c = (unsigned char)d[i + digits];
			int v = nx_isdigit(c) ? c - '0' :
				(c >= 'a' && c <= 'f') ? c - 'a' + 10 : (c >= 'A' && c <= 'F') ? c - 'A' + 10 : -1;

			if (v < 0)
				break;
			size = size * 16 + (size_t)v;
			digits++;
		}
		if (digits == 0 || digits > 15)
			return chunks > 0;
		/* chunk extensions, then CRLF */
		eol = i + digits;
		while (eol < len && d[eol] != '\n' && eol - i < 1024)
			eol++;
		if (eol >= len || d[eol] != '\n') {
			/* not a chunk-size line after all */
			return chunks > 0;
		}
		if (digits < eol - i && d[i + digits] != ';' && d[i + digits] != '\r' &&
		    d[i + digits] != ' ' && d[i + digits] != '\t')
			return chunks > 0;
		i = eol + 1;
		chunks++;
		if (size == 0)
			break;
		if (size > len - i)
			size = len - i; /* cut short: keep what is there */
		nx_buf_add(out, d + i, size);
		i += size;
		if (i < len && d[i] == '\r')
			i++;
		if (i < len && d[i] == '\n')
			i++;
	}
	return 1;
}

static void note_bad(warc_state *ws, int64_t off, const char *msg)
{
	ws->nbad++;
	if (ws->nbad == 1)
		snprintf(ws->first, sizeof(ws->first), "record at offset %lld: %.400s", (long long)off, msg);
}

/* NUL-terminated copy of a span into b; b.buf (or NULL when absent). */
static const char *cstr(nx_buf *b, const span *v)
{
	if (v->s == NULL || v->len == 0)
		return NULL;
	nx_buf_reset(b);
	nx_buf_add(b, v->s, v->len);
	return b->buf;
}

/* Hand one document (HTML or text) of record r at offset off to dispatch. */
static int dispatch_doc(warc_state *ws, const warc_rec *r, int64_t off, const char *doc, size_t len,
			const span *ctype, nx_error *err)
{
	nx_input sub;
	nx_buf url = NX_BUF_INIT, id = NX_BUF_INIT, ct = NX_BUF_INIT;
	nx_error e2 = NX_ERROR_INIT;
	span u = r->uri;
	int rc = NX_OK;

	if (len == 0)
		return NX_OK;
	/* WARC 1.0 writers (wget) put the URI in angle brackets */
	if (u.len >= 2 && u.s[0] == '<' && u.s[u.len - 1] == '>') {
		u.s++;
		u.len -= 2;
	}
	memset(&sub, 0, sizeof(sub));
	sub.data = doc;
	sub.len = len;
	sub.path = ws->in->path;
	sub.offset = off;
	sub.opts = ws->in->opts;
	sub.depth = ws->in->depth + 1;
	sub.url = cstr(&url, &u);
	sub.record_id = cstr(&id, &r->id);
	sub.content_type = cstr(&ct, ctype);
	if (!nx_buf_ok(&url) || !nx_buf_ok(&id) || !nx_buf_ok(&ct)) {
		rc = nx_error_set(err, NX_ENOMEM, "out of memory");
		goto done;
	}
	if (r->date.s != NULL && nx_date_parse(&sub.captured, r->date.s, r->date.len) != NX_OK)
		memset(&sub.captured, 0, sizeof(sub.captured));
	ws->ndocs++;
	rc = nx_ingest__dispatch(&sub, ws->cb, ws->ctx, &e2);
	if (rc == NX_EFORMAT || rc == NX_ETOOBIG) {
		note_bad(ws, off, e2.msg);
		rc = NX_OK;
	} else if (rc < 0 && err != NULL) {
		*err = e2;
	}
done:
	nx_buf_free(&url);
	nx_buf_free(&id);
	nx_buf_free(&ct);
	return rc;
}

/* A response record: HTTP status line, headers, payload. */
static int do_response(warc_state *ws, const warc_rec *r, int64_t off, nx_error *err)
{
	const char *d = r->block.s, *body = NULL;
	size_t len = r->block.len, hend = 0, hlen = 0, pos = 0, blen = 0, i = 0, used = 0;
	span name = { NULL, 0 }, value = { NULL, 0 }, ctype = { NULL, 0 }, te = { NULL, 0 }, ce = { NULL, 0 };
	nx_buf chunked = NX_BUF_INIT, inflated = NX_BUF_INIT;
	int status = 0, rc = NX_OK, zr = NX_OK;

	if (len < 12 || memcmp(d, "HTTP/", 5) != 0)
		return NX_OK; /* dns:, ftp: or something else: not ours */
	hend = header_end(d, len, &hlen);
	if (hend == 0) {
		/* headers only, or cut: nothing to index */
		note_bad(ws, off, "HTTP headers do not end");
		return NX_OK;
	}
	/* "HTTP/1.1 200 OK" */
	for (i = 5; i < hlen && !nx_isspace((unsigned char)d[i]); i++)
		;
	while (i < hlen && d[i] == ' ')
		i++;
	if (i + 3 <= hlen && nx_isdigit((unsigned char)d[i]) && nx_isdigit((unsigned char)d[i + 1]) &&
	    nx_isdigit((unsigned char)d[i + 2]))
		status = (d[i] - '0') * 100 + (d[i + 1] - '0') * 10 + (d[i + 2] - '0');
	if (status != 200)
		return NX_OK;
	{
		const char *nl = memchr(d, '\n', hlen);

		pos = nl != NULL ? (size_t)(nl - d) + 1 : hlen;
	}
	while (next_field(d, hlen, &pos, &name, &value)) {
		if (name_eq(&name, "Content-Type"))
			ctype = value;
		else if (name_eq(&name, "Transfer-Encoding"))
			te = value;
		else if (name_eq(&name, "Content-Encoding"))
			ce = value;
	}
	body = d + hend;
	blen = len - hend;
	if (te.s != NULL && nx_memcasemem(te.s, te.len, "chunked") != NULL && dechunk(&chunked, body, blen)) {
		if (!nx_buf_ok(&chunked))
			goto oom;
		body = chunked.buf;
		blen = chunked.len;
	}
	if (ce.s != NULL && (span_eq(&ce, "gzip") || span_eq(&ce, "x-gzip") || span_eq(&ce, "deflate"))) {
		zr = inflate_one(&inflated, body, blen, span_eq(&ce, "deflate") ? 15 : 15 + 16, ws->max, &used);
		if (zr == NX_EFORMAT && span_eq(&ce, "deflate")) {
			/* "deflate" is often raw deflate without the zlib wrapper */
			nx_buf_reset(&inflated);
			zr = inflate_one(&inflated, body, blen, -15, ws->max, &used);
		}
		if (zr == NX_ENOMEM)
			goto oom;
		if (zr == NX_ETOOBIG) {
			char msg[128];

			snprintf(msg, sizeof(msg), "HTTP body inflates to more than %zu MB (limit)", ws->max >> 20);
			note_bad(ws, off, msg);
			goto done;
		}
		if (zr == NX_OK || inflated.len > 0) {
			body = inflated.buf;
			blen = inflated.len;
		}
		/* not compressed after all (a wrong header): take it as it is */
	} else if (ce.s != NULL && ce.len > 0 && !span_eq(&ce, "identity")) {
		char msg[128];

		snprintf(msg, sizeof(msg), "content encoding '%.*s' is not supported",
			 (int)(ce.len > 40 ? 40 : ce.len), ce.s);
		if (wanted_type(&ctype, "", 0) || ctype.s == NULL)
			note_bad(ws, off, msg);
		goto done;
	}
	if (!wanted_type(&ctype, body, blen))
		goto done;
	rc = dispatch_doc(ws, r, off, body, blen, &ctype, err);
	goto done;
oom:
	rc = nx_error_set(err, NX_ENOMEM, "out of memory");
done:
	nx_buf_free(&chunked);
	nx_buf_free(&inflated);
	return rc;
}

/*
 * Read one record at d[0..len).  On success *next receives the bytes of
 * header and block.  Errors are NX_EFORMAT with the reason set; *trunc is
 * set when the record simply runs past the end of d (more bytes may come
 * from the next gzip member).
 */
static int read_record(warc_rec *r, const char *d, size_t len, int64_t off, size_t *next, int *trunc,
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
		return nx_error_set(err, NX_EFORMAT,
				    "bad WARC record header at offset %lld: expected 'WARC/'", (long long)off);
	}
	hend = header_end(d, len, &hlen);
	if (hend == 0) {
		if (len >= WARC_MAX_HEADER)
			return nx_error_set(err, NX_EFORMAT,
					    "bad WARC record header at offset %lld: longer than %u KB",
					    (long long)off, WARC_MAX_HEADER / 1024);
		*trunc = 1;
		return nx_error_set(err, NX_EFORMAT, "truncated WARC record at offset %lld", (long long)off);
	}
	{
		const char *nl = memchr(d, '\n', hlen);

		pos = nl != NULL ? (size_t)(nl - d) + 1 : hlen;
	}
	while (next_field(d, hlen, &pos, &name, &value)) {
		if (name_eq(&name, "WARC-Type")) {
			r->type = value;
		} else if (name_eq(&name, "WARC-Target-URI")) {
			r->uri = value;
		} else if (name_eq(&name, "WARC-Date")) {
			r->date = value;
		} else if (name_eq(&name, "WARC-Record-ID")) {
			r->id = value;
		} else if (name_eq(&name, "Content-Type")) {
			r->ctype = value;
		} else if (name_eq(&name, "Content-Length")) {
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
	if (r->clen > len - hend) {
		*trunc = 1;
		return nx_error_set(err, NX_EFORMAT, "truncated WARC record at offset %lld", (long long)off);
	}
	r->block.s = d + hend;
	r->block.len = r->clen;
	*next = hend + r->clen;
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

static int handle_record(warc_state *ws, const warc_rec *r, int64_t off, nx_error *err)
{
	if (span_eq(&r->type, "response"))
		return do_response(ws, r, off, err);
	if (span_eq(&r->type, "resource")) {
		if (crawler_uri(&r->uri) || !wanted_type(&r->ctype, r->block.s, r->block.len))
			return NX_OK;
		return dispatch_doc(ws, r, off, r->block.s, r->block.len, &r->ctype, err);
	}
	return NX_OK; /* warcinfo, request, revisit, metadata, conversion, continuation */
}

/* Skip the CR/LF padding between records. */
static size_t skip_pad(const char *d, size_t len, size_t i)
{
	while (i < len && (d[i] == '\r' || d[i] == '\n' || d[i] == '\0'))
		i++;
	return i;
}

/* Where the records of a buffer start in the file. */
typedef struct where {
	int member;       /* d is inflated gzip data */
	int64_t base;     /* plain: file offset of d[0]; member: the member's offset */
	size_t tail_len;  /* member: d starts with this many bytes carried over ... */
	int64_t tail_off; /* ... from the member at this offset */
} where;

#define WARC_INCOMPLETE 2

/*
 * Read the records in d[0..len): a stretch of plain WARC, or inflated gzip
 * data.  *consumed receives the bytes read.  Returns NX_OK, an error, or
 * WARC_INCOMPLETE when inflated data ends inside a record (a record split
 * over gzip members: the caller appends the next member and goes on).
 */
static int read_records(warc_state *ws, const char *d, size_t len, const where *w, size_t *consumed,
			nx_error *err)
{
	size_t i = skip_pad(d, len, 0), next = 0;
	int rc = NX_OK, trunc = 0;
	warc_rec r;

	while (i < len) {
		int64_t off = !w->member ? w->base + (int64_t)i : i < w->tail_len ? w->tail_off : w->base;

		if (!w->member && nx_is_gzip(d + i, len - i))
			break; /* gzip members follow plain records: the caller goes on */
		rc = read_record(&r, d + i, len - i, off, &next, &trunc, err);
		if (rc < 0) {
			if (trunc && w->member)
				rc = WARC_INCOMPLETE;
			break;
		}
		rc = handle_record(ws, &r, off, err);
		if (rc < 0)
			break;
		i = skip_pad(d, len, i + next);
	}
	*consumed = i;
	return rc;
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

/* After a member that cannot be read: the next member that holds a record. */
static size_t resync(const char *d, size_t len, size_t from)
{
	size_t i = from;

	while (i + 3 < len) {
		const char *p = memchr(d + i, 0x1f, len - i);

		if (p == NULL)
			return len;
		i = (size_t)(p - d);
		if (member_is_warc(d + i, len - i))
			return i;
		i++;
	}
	return len;
}

int nx_parse_warc(const nx_input *in, nx_article_cb cb, void *ctx, nx_error *err)
{
	warc_state ws;
	nx_buf acc = NX_BUF_INIT; /* inflated bytes not read yet (a record split over members) */
	const char *d = in->data;
	size_t len = in->len, pos = 0, used = 0, consumed = 0;
	int64_t base = in->offset > 0 ? in->offset : 0;
	where w = { 0, 0, 0, 0 };
	int rc = NX_OK, zr = NX_OK;

	memset(&ws, 0, sizeof(ws));
	ws.in = in;
	ws.cb = cb;
	ws.ctx = ctx;
	ws.max = in->opts != NULL && in->opts->max_inflated > 0 ? in->opts->max_inflated : WARC_DEFAULT_MAX;
	if (len >= 9 && memcmp(d, "filedesc:", 9) == 0) {
		rc = nx_error_set(err, NX_EFORMAT, "ARC files (the format before WARC) are not supported");
		goto done;
	}
	pos = skip_pad(d, len, 0);
	while (pos < len) {
		int64_t off = base + (int64_t)pos;

		if (!nx_is_gzip(d + pos, len - pos)) {
			if (acc.len > 0)
				break; /* a split record never completed: reported below */
			w.member = 0;
			w.base = off;
			rc = read_records(&ws, d + pos, len - pos, &w, &used, err);
			if (rc < 0 || used == 0)
				break;
			pos += used;
			continue;
		}
		zr = inflate_one(&acc, d + pos, len - pos, 15 + 16, ws.max, &used);
		if (zr == NX_ENOMEM) {
			rc = nx_error_set(err, NX_ENOMEM, "out of memory");
			break;
		}
		if (zr == 1) {
			/* the file ends inside this member */
			rc = nx_error_set(err, NX_EFORMAT, "truncated WARC record at offset %lld",
					  (long long)(w.tail_len > 0 ? w.tail_off : off));
			nx_buf_reset(&acc);
			break;
		}
		if (zr == NX_ETOOBIG || zr == NX_EFORMAT) {
			char msg[160];

			if (zr == NX_ETOOBIG)
				snprintf(msg, sizeof(msg), "record inflates to more than %zu MB (limit)", ws.max >> 20);
			else
				snprintf(msg, sizeof(msg), "corrupt gzip member");
			note_bad(&ws, w.tail_len > 0 ? w.tail_off : off, msg);
			nx_buf_reset(&acc);
			w.tail_len = 0;
			pos = resync(d, len, pos + 1);
			continue;
		}
		if (pos == 0 && acc.len >= 9 && memcmp(acc.buf, "filedesc:", 9) == 0) {
			rc = nx_error_set(err, NX_EFORMAT, "ARC files (the format before WARC) are not supported");
			break;
		}
		w.member = 1;
		w.base = off;
		rc = read_records(&ws, acc.buf, acc.len, &w, &consumed, err);
		if (rc == WARC_INCOMPLETE) {
			/* keep the start of the split record for the next member */
			if (consumed >= w.tail_len)
				w.tail_off = off;
			memmove(acc.buf, acc.buf + consumed, acc.len - consumed);
			nx_buf_truncate(&acc, acc.len - consumed);
			w.tail_len = acc.len;
			rc = NX_OK;
			if (err != NULL)
				nx_error_clear(err);
		} else {
			nx_buf_reset(&acc);
			w.tail_len = 0;
		}
		if (rc < 0)
			break;
		pos += used;
		/* zero padding or CR/LF between members */
		pos = skip_pad(d, len, pos);
	}
	if (rc == NX_OK && acc.len > 0)
		rc = nx_error_set(err, NX_EFORMAT, "truncated WARC record at offset %lld", (long long)w.tail_off);
	if (rc < 0)
		goto done;
	if (ws.nbad > 0)
		rc = nx_error_set(err, NX_EFORMAT, "%zu of %zu documents could not be read; first: %s",
				  ws.nbad, ws.ndocs > ws.nbad ? ws.ndocs : ws.nbad, ws.first);
done:
	if (rc == NX_EFORMAT && ws.nbad > 0 && err != NULL && strstr(err->msg, "documents could not") == NULL) {
		/* a fatal format error after rejected documents: mention them */
		size_t n = strlen(err->msg);

		snprintf(err->msg + n, sizeof(err->msg) - n, " (and %zu documents could not be read)", ws.nbad);
	}
	nx_buf_free(&acc);
	return rc;
}

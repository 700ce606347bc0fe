/*
 * warc_http.c - from a WARC record to a document: which records hold one
 * (by Content-Type, or sniffed), the HTTP head of a response, and its
 * payload decoded (chunked transfer coding, Content-Encoding gzip or
 * deflate, bounded like every inflate) before it is dispatched as a nested
 * document with the record's url, id and date.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

#include "formats/warc_private.h"
#include "util/buf.h"
#include "util/gunzip.h"
#include "util/text.h"

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

/* A Content-Type of the documents we read. */
static int document_type(const span *ct)
{
	return mime_is(ct, "text/html") || mime_is(ct, "application/xhtml+xml") || mime_is(ct, "text/plain");
}

/* No Content-Type, or one that says nothing: the bytes are sniffed. */
static int untyped(const span *ct)
{
	return ct->s == NULL || ct->len == 0 || mime_is(ct, "application/octet-stream") ||
	       mime_is(ct, "unknown/unknown");
}

/* 1 when a Content-Type rules the document out whatever its bytes (an image, a video). */
int nx_warc__type_rules_out(const span *ct)
{
	return !document_type(ct) && !untyped(ct);
}

/* HTML or plain text by its Content-Type, or sniffed when untyped. */
int nx_warc__wanted_type(const span *ct, const char *d, size_t len)
{
	if (document_type(ct))
		return 1;
	if (untyped(ct))
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
		/* the same bomb guard as nx_gunzip: out->len <= max tells it apart */
		if (nx_gunzip_bomb((size_t)((const char *)zs.next_in - data), out->len)) {
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

void nx_warc__note_bad(warc_state *ws, int64_t off, const char *msg)
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
int nx_warc__dispatch_doc(warc_state *ws, const warc_rec *r, int64_t off, const char *doc, size_t len,
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
	rc = nx_format__dispatch(&sub, ws->cb, ws->ctx, &e2);
	if (rc == NX_EFORMAT || rc == NX_ETOOBIG) {
		nx_warc__note_bad(ws, off, e2.msg);
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


/*
 * Read the HTTP head at d[0..len): 1 when read, 0 when d is not an HTTP
 * message (dns:, ftp: records), -1 when the head does not end (within
 * WARC_MAX_HEADER bytes).  The result depends on no byte past
 * WARC_MAX_HEADER + 2, so a stream can decide from a record's first bytes.
 */
int nx_warc__read_http_head(http_head *h, const char *d, size_t len)
{
	size_t hlen = 0, pos = 0, i = 0;
	span name = { NULL, 0 }, value = { NULL, 0 };
	const char *nl = NULL;

	memset(h, 0, sizeof(*h));
	if (len < 12 || memcmp(d, "HTTP/", 5) != 0)
		return 0;
	h->body = nx_warc__header_end(d, len, &hlen);
	if (h->body == 0)
		return -1;
	/* "HTTP/1.1 200 OK" */
	for (i = 5; i < hlen && !nx_isspace((unsigned char)d[i]); i++)
		;
	while (i < hlen && d[i] == ' ')
		i++;
	if (i + 3 <= hlen && nx_isdigit((unsigned char)d[i]) && nx_isdigit((unsigned char)d[i + 1]) &&
	    nx_isdigit((unsigned char)d[i + 2]))
		h->status = (d[i] - '0') * 100 + (d[i + 1] - '0') * 10 + (d[i + 2] - '0');
	nl = memchr(d, '\n', hlen);
	pos = nl != NULL ? (size_t)(nl - d) + 1 : hlen;
	while (nx_warc__next_field(d, hlen, &pos, &name, &value)) {
		if (nx_warc__name_eq(&name, "Content-Type"))
			h->ctype = value;
		else if (nx_warc__name_eq(&name, "Transfer-Encoding"))
			h->te = value;
		else if (nx_warc__name_eq(&name, "Content-Encoding"))
			h->ce = value;
	}
	return 1;
}

/* A response record: HTTP status line, headers, payload. */
int nx_warc__do_response(warc_state *ws, const warc_rec *r, int64_t off, nx_error *err)
{
	const char *d = r->block.s, *body = NULL;
	size_t len = r->block.len, blen = 0, used = 0;
	http_head h;
	nx_buf chunked = NX_BUF_INIT, inflated = NX_BUF_INIT;
	int rc = NX_OK, zr = NX_OK, k = nx_warc__read_http_head(&h, d, len);

	if (k == 0)
		return NX_OK; /* dns:, ftp: or something else: not ours */
	if (k < 0) {
		/* headers only, or cut: nothing to index */
		nx_warc__note_bad(ws, off, "HTTP headers do not end");
		return NX_OK;
	}
	/* an image or a video is not decoded at all */
	if (h.status != 200 || nx_warc__type_rules_out(&h.ctype))
		return NX_OK;
	body = d + h.body;
	blen = len - h.body;
	if (h.te.s != NULL && nx_memcasemem(h.te.s, h.te.len, "chunked") != NULL && dechunk(&chunked, body, blen)) {
		if (!nx_buf_ok(&chunked))
			goto oom;
		body = chunked.buf;
		blen = chunked.len;
	}
	if (h.ce.s != NULL && (nx_warc__span_eq(&h.ce, "gzip") || nx_warc__span_eq(&h.ce, "x-gzip") || nx_warc__span_eq(&h.ce, "deflate"))) {
		zr = inflate_one(&inflated, body, blen, nx_warc__span_eq(&h.ce, "deflate") ? 15 : 15 + 16, ws->max, &used);
		if (zr == NX_EFORMAT && nx_warc__span_eq(&h.ce, "deflate")) {
			/* "deflate" is often raw deflate without the zlib wrapper */
			nx_buf_reset(&inflated);
			zr = inflate_one(&inflated, body, blen, -15, ws->max, &used);
		}
		if (zr == NX_ENOMEM)
			goto oom;
		if (zr == NX_ETOOBIG) {
			char msg[128];

			if (inflated.len <= ws->max)
				snprintf(msg, sizeof(msg), "HTTP body is a gzip bomb: %zu KB inflate to more than %zu MB",
					 blen >> 10, inflated.len >> 20);
			else
				snprintf(msg, sizeof(msg), "HTTP body inflates to more than %zu MB (limit)", ws->max >> 20);
			nx_warc__note_bad(ws, off, msg);
			goto done;
		}
		if (zr == NX_OK || inflated.len > 0) {
			body = inflated.buf;
			blen = inflated.len;
		}
		/* not compressed after all (a wrong header): take it as it is */
	} else if (h.ce.s != NULL && h.ce.len > 0 && !nx_warc__span_eq(&h.ce, "identity")) {
		char msg[128];

		snprintf(msg, sizeof(msg), "content encoding '%.*s' is not supported",
			 (int)(h.ce.len > 40 ? 40 : h.ce.len), h.ce.s);
		if (document_type(&h.ctype) || h.ctype.s == NULL)
			nx_warc__note_bad(ws, off, msg);
		goto done;
	}
	if (!nx_warc__wanted_type(&h.ctype, body, blen))
		goto done;
	rc = nx_warc__dispatch_doc(ws, r, off, body, blen, &h.ctype, err);
	goto done;
oom:
	rc = nx_error_set(err, NX_ENOMEM, "out of memory");
done:
	nx_buf_free(&chunked);
	nx_buf_free(&inflated);
	return rc;
}

/*
 * warc_private.h - what the WARC record reader (warc.c) and the HTTP
 * payload decoder (warc_http.c) share.
 */
#ifndef NX_FORMATS_WARC_PRIVATE_H
#define NX_FORMATS_WARC_PRIVATE_H

#include <stddef.h>
#include <stdint.h>

#include "formats/format.h"


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

/* The head of an HTTP response, as far as records are concerned. */
typedef struct http_head {
	int status;
	size_t body; /* the body starts here */
	span ctype, te, ce;
} http_head;

/* ---- warc.c: header blocks ---- */

/* Find the end of a header block: returns the offset just past the blank
 * line, or 0 when none within lim. *eol receives the header bytes. */
size_t nx_warc__header_end(const char *d, size_t len, size_t *hlen);

/* Iterate "Name: value" lines of a header block; returns 0 at the end. */
int nx_warc__next_field(const char *h, size_t hlen, size_t *pos, span *name, span *value);

/* 1 when a header field name is want (case-insensitive). */
int nx_warc__name_eq(const span *n, const char *want);

/* 1 when a header value is want (case-insensitive). */
int nx_warc__span_eq(const span *v, const char *want);

/* ---- warc_http.c: documents and HTTP payloads ---- */

/* 1 when a Content-Type rules the document out whatever its bytes (an image, a video). */
int nx_warc__type_rules_out(const span *ct);

/* HTML or plain text by its Content-Type, or sniffed when untyped. */
int nx_warc__wanted_type(const span *ct, const char *d, size_t len);

/* Count a document that could not be read; keep the first reason. */
void nx_warc__note_bad(warc_state *ws, int64_t off, const char *msg);

/* Hand one document (HTML or text) of record r at offset off to dispatch. */
int nx_warc__dispatch_doc(warc_state *ws, const warc_rec *r, int64_t off, const char *doc, size_t len,
			const span *ctype, nx_error *err);

/*
 * Read the HTTP head at d[0..len): 1 when read, 0 when d is not an HTTP
 * message (dns:, ftp: records), -1 when the head does not end (within
 * WARC_MAX_HEADER bytes).  The result depends on no byte past
 * WARC_MAX_HEADER + 2, so a stream can decide from a record's first bytes.
 */
int nx_warc__read_http_head(http_head *h, const char *d, size_t len);

/* A response record: HTTP status line, headers, payload. */
int nx_warc__do_response(warc_state *ws, const warc_rec *r, int64_t off, nx_error *err);

#endif

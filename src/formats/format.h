/*
 * format.h - the interface every format parser implements, and the
 * dispatch and emit steps they share.
 */
#ifndef NX_FORMATS_FORMAT_H
#define NX_FORMATS_FORMAT_H

#include "newsidx/ingest.h"

/* One document to parse: the bytes plus what the container knew of it. */
typedef struct nx_input {
	const char *data;      /* decompressed bytes, not NUL-terminated */
	size_t len;
	const char *path;      /* file it came from, may be NULL */
	int64_t offset;        /* offset inside the file, -1 when whole file */
	const char *record_id; /* WARC-Record-ID and the like, may be NULL */
	const char *url;       /* address the container gave (WARC-Target-URI) */
	const char *content_type; /* HTTP Content-Type when known (charset) */
	nx_time captured;      /* when it was fetched, if known */
	const nx_ingest_opts *opts;
	int depth;             /* nesting (WARC -> HTML), to bound recursion */
} nx_input;

typedef int (*nx_parser_fn)(const nx_input *in, nx_article_cb cb, void *ctx, nx_error *err);

int nx_parse_text(const nx_input *in, nx_article_cb cb, void *ctx, nx_error *err);
int nx_parse_html(const nx_input *in, nx_article_cb cb, void *ctx, nx_error *err);
int nx_parse_feed(const nx_input *in, nx_article_cb cb, void *ctx, nx_error *err);
int nx_parse_nitf(const nx_input *in, nx_article_cb cb, void *ctx, nx_error *err);
int nx_parse_newsml(const nx_input *in, nx_article_cb cb, void *ctx, nx_error *err);
int nx_parse_warc(const nx_input *in, nx_article_cb cb, void *ctx, nx_error *err);

/*
 * Parse the WARC (plain or .warc.gz) read from fd, from its current
 * offset, one record at a time: memory holds one record, whatever the
 * size of the file.  Articles, offsets (counted from where fd stood) and
 * errors are those nx_parse_warc() gives for the same bytes; path (may be
 * NULL) goes into each article's origin.  fd must be seekable (a corrupt
 * gzip member makes it look back for the next member); it is not closed.
 */
int nx_parse_warc_fd(int fd, const char *path, const nx_ingest_opts *opts, nx_article_cb cb, void *ctx,
		     nx_error *err);
int nx_parse_jsonl(const nx_input *in, nx_article_cb cb, void *ctx, nx_error *err);
int nx_parse_sgml(const nx_input *in, nx_article_cb cb, void *ctx, nx_error *err);
int nx_parse_anpa(const nx_input *in, nx_article_cb cb, void *ctx, nx_error *err);

/* 1 when d starts as an ANPA 1312 message (SYN SYN SOH ... STX).  (anpa.c) */
int nx_anpa__detect(const char *d, size_t len);

/*
 * Parse one nested document (a WARC payload, an HTML description inside a
 * feed): detect its format and dispatch.  Bounded in depth.  (detect.c)
 */
int nx_format__dispatch(const nx_input *in, nx_article_cb cb, void *ctx, nx_error *err);

/*
 * Finish an article and hand it to the callback: fills origin (path,
 * offset, record, format, raw bytes) and capture time from in, computes the
 * id, then calls cb.  Takes ownership of a (frees it).  Articles with no
 * title and no body are dropped silently (returns NX_OK).  (emit.c)
 */
int nx_format__emit(nx_article *a, const nx_input *in, const char *format,
		    nx_article_cb cb, void *ctx, nx_error *err);

#endif

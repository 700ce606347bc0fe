/*
 * newsidx/ingest.h - read files of any supported format into articles.
 *
 * The format is detected from the content, never the file name; gzip is
 * undone transparently (single and multi-member).  One file may yield many
 * articles (a feed, a WARC); each is handed to the caller's callback, which
 * borrows it: the article is freed when the callback returns, so a callback
 * that keeps it must copy what it needs (nx_store_put does).
 *
 *	static int on_article(nx_article *a, void *ctx) { ...; return 0; }
 *	if (nx_ingest_file(path, &opts, on_article, ctx, &err) < 0)
 *		fprintf(stderr, "newsidx: %s\n", err.msg);  // names the file
 */
#ifndef NEWSIDX_INGEST_H
#define NEWSIDX_INGEST_H

#include <stddef.h>
#include <stdint.h>
#include <sys/stat.h>

#include "newsidx/article.h"
#include "newsidx/error.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum nx_format {
	NX_FMT_UNKNOWN = 0,
	NX_FMT_TEXT,    /* plain-text scrape: title, dateline, paragraphs */
	NX_FMT_HTML,    /* an article page */
	NX_FMT_RSS,     /* RSS 0.9x/1.0/2.0 */
	NX_FMT_ATOM,
	NX_FMT_NITF,
	NX_FMT_NEWSML,  /* NewsML-G2 (and NewsML 1.x) */
	NX_FMT_WARC,
	NX_FMT_JSONL,
	NX_FMT_SGML,    /* Reuters-21578 */
	NX_FMT_BINARY,  /* not text at all */
	NX_FMT_ANPA     /* ANPA 1312 wire messages */
} nx_format;

/* Static name of a format: "text", "html", "rss", ... */
const char *nx_format_name(nx_format f);

/* Detect the format of (already decompressed) data. */
nx_format nx_detect(const char *data, size_t len);

/*
 * Called once per article.  Return 0 to go on, a negative NX_E* code to
 * stop (it is returned by the ingest call).
 */
typedef int (*nx_article_cb)(nx_article *a, void *ctx);

typedef struct nx_ingest_opts {
	size_t max_file;     /* largest input file read, bytes */
	size_t max_inflated; /* largest decompressed size (gzip bomb guard) */
	int64_t now;         /* capture time for articles that have none (0: time(NULL)) */
	int follow_symlinks; /* walk: also follow symbolic links leading out of the folder given */
	/* when set, told of what was dropped from an article that was kept
	   (authors or photos past the caps); path may be NULL */
	void (*note)(const char *path, const char *msg, void *note_ctx);
	void *note_ctx;
} nx_ingest_opts;

#define NX_INGEST_OPTS_INIT { (size_t)1 << 30, (size_t)1 << 30, 0, 0, NULL, NULL }

/*
 * Parse data[0..len) (gzip allowed) as coming from path (may be NULL).
 * Returns NX_OK when every article was handed over; otherwise an error
 * (articles before the error may already have been handed over: a
 * truncated feed yields what it holds).  err->msg does not name the file.
 */
int nx_ingest_buffer(const char *data, size_t len, const char *path,
		     const nx_ingest_opts *opts, nx_article_cb cb, void *ctx,
		     nx_error *err);

/* Read path ("-" for standard input) and parse it as above. */
int nx_ingest_file(const char *path, const nx_ingest_opts *opts,
		   nx_article_cb cb, void *ctx, nx_error *err);

/*
 * Walk path recursively, calling cb for each regular file (errnum == 0,
 * st filled) and for each entry that could not be read or would loop
 * (errnum != 0 and msg says why; st is NULL).  Symbolic links to files and
 * folders inside the folder given are followed once; loops are reported.
 * Entries skipped on purpose come with errnum == NX_WALK_SKIP (a note, not
 * an error): a symbolic link leading out of the folder given (unless
 * opts->follow_symlinks), a FIFO, socket or device (never opened), a
 * README, licence or changelog file inside a folder (by its name: README,
 * LICENSE, COPYING, CHANGELOG... bare or .txt/.md/.rst; a file named on
 * its own is read).
 * Entries are visited in name order, so runs are reproducible.  cb returns
 * 0 to go on.  nx_walk() is nx_walk_with() with default options.
 */
#define NX_WALK_SKIP (-1)
typedef int (*nx_walk_cb)(const char *path, const struct stat *st, int errnum,
			  const char *msg, void *ctx);
int nx_walk(const char *path, nx_walk_cb cb, void *ctx, nx_error *err);
int nx_walk_with(const char *path, const nx_ingest_opts *opts, nx_walk_cb cb, void *ctx,
		 nx_error *err);

#ifdef __cplusplus
}
#endif
#endif

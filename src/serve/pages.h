/*
 * serve_html.h - the pages of newsidx serve: HTML escaping and the search,
 * article and error pages, built into an nx_sb.  The HTTP side is in
 * cmd_serve.c; nothing here touches a socket.
 *
 * Every value that reaches a page goes through nx_serve_esc() (text and
 * attribute values) or nx_serve_url_arg() (inside a link), so an article
 * titled <script>alert(1)</script> shows as text.  Pages carry no inline
 * script or style: the one stylesheet and the one script are served from
 * memory (nx_serve_css, nx_serve_js) under a strict Content-Security-Policy.
 */
#ifndef NX_SERVE_HTML_H
#define NX_SERVE_HTML_H

#include <stddef.h>
#include <stdint.h>

#include "strbuf.h"
#include "newsidx/newsidx.h"
#include "newsidx/revision.h"

/* Hits per page of the search page. */
#define NX_SERVE_PAGE 10

/* What the search form holds: the request's values, borrowed (may be NULL). */
typedef struct nx_serve_form {
	const char *q;
	const char *since;  /* YYYY-MM-DD (or any date the filter takes) */
	const char *until;
	const char *source;
	const char *credit;
	const char *sort;   /* "relevance", "newest", "oldest" */
	int offset;
} nx_serve_form;

/*
 * Append s with & < > " ' escaped: safe as text and inside quoted attributes;
 * control characters and bidi overrides become '?' (newline, tab kept).
 */
void nx_serve_esc(nx_sb *b, const char *s);

/* Append s percent-encoded for a query-string value (unreserved bytes kept). */
void nx_serve_url_arg(nx_sb *b, const char *s);

/*
 * The search page.  r is NULL for the start page (no query yet), where st
 * (may be NULL) gives the index statistics.  arts[i] (may be NULL, or hold
 * NULLs) is the article of hit i, for its authors and photo credits.
 * error, when not NULL, is shown instead of results (a bad date, ...).
 */
void nx_serve_page_search(nx_sb *b, const nx_serve_form *f, const nx_results *r,
			  nx_article *const *arts, const nx_stats *st, const char *error);

/* One version of an article's revision history, as the article page shows it. */
typedef struct nx_serve_article {
	const nx_article *a;      /* the version shown */
	const char *id;           /* the article's id (for links) */
	int64_t rev;              /* the version shown (0: current) */
	const nx_revision *revs;  /* every version, oldest first (may be NULL) */
	size_t nrevs;
	int64_t diff_from;        /* the diff shown: from this version... */
	int64_t diff_to;          /* ...to this one (0 when no diff is shown) */
	const char *diff;         /* nx_revision_diff output, NX_DIFF_COLOR markers */
} nx_serve_article;

/* The article page: metadata, photos with credits, body, source, revisions, diff. */
void nx_serve_page_article(nx_sb *b, const nx_serve_article *p);

/* A whole error page: status line as the title and one sentence. */
void nx_serve_page_error(nx_sb *b, unsigned status, const char *reason, const char *msg);

/* The stylesheet, script and icon served at /static/app.css, app.js, icon.svg. */
extern const char nx_serve_css[];
extern const char nx_serve_js[];
extern const char nx_serve_icon[];

#endif

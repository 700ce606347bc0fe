/*
 * wire_common.h - helpers shared by the agency wire parsers (internal).
 *
 * NITF bodies travel alone (nitf.c) and inside NewsML-G2 inlineXML or
 * NewsML 1.2 DataContent (newsml.c), so the code that turns a body, a
 * byline, a photo or a date into article fields lives here.  Every setter
 * below fills a field only when it is still empty: the caller applies its
 * sources from the most to the least trusted.  Functions that can fail
 * return NX_OK or NX_ENOMEM.
 */
#ifndef NX_WIRE_COMMON_H
#define NX_WIRE_COMMON_H

#include <libxml/tree.h>
#include <stddef.h>

#include "util/buf.h"
#include "newsidx/article.h"
#include "newsidx/error.h"

/* Deepest element nesting the wire parsers descend into. */
#define NX_WIRE_MAX_DEPTH 64

/*
 * Append the paragraphs and photos found under n: p, hl2, h1-h6, li, pre,
 * blockquote become paragraphs, loose text runs too; table rows become one
 * paragraph each (cells joined by spaces); NITF media (image) and HTML
 * figure/img become photos; head, header, script, notes and the like are
 * skipped.  A short "By Name" first paragraph becomes an author.
 */
int nx_wire__body(nx_article *a, const xmlNode *n);

/*
 * Fill a from an <nitf> element (head, body.head, body.content): title,
 * authors, source, published, record id, lang, section, paragraphs,
 * photos.  Fields already set are kept.
 */
int nx_wire__nitf(nx_article *a, const xmlNode *nitf);

/*
 * Add a photo (url, caption, credit and photographer may each be NULL).
 * A credit at the end of the caption ("... (AP Photo/Name)",
 * "... REUTERS/Name (Tags: ...)") is split off and used when credit is
 * NULL; a caption that is only a credit becomes the credit.  who names the
 * photographer when the credit does not.  A second photo with the same
 * url is ignored.
 */
int nx_wire__photo(nx_article *a, const char *url, const char *caption,
		   const char *credit, const char *who);

/* Outlet name cleaned ("... All rights reserved" cut, capitals folded,
 * known agencies spelled as usual: "The Associated Press" -> "AP"), stored
 * into a->source when still NULL.  Returns NX_OK, NX_ENOMEM. */
int nx_wire__source(nx_article *a, const char *s);

/* 1 when s names a known agency ("reuters.com", "The Associated Press"). */
int nx_wire__is_agency(const char *s);

/* "en-US" -> a->lang = "en" when still NULL and the tag looks valid. */
int nx_wire__lang(nx_article *a, const char *tag);

/* Parse s into *t when t is not set yet; unparsable dates are ignored. */
void nx_wire__date(nx_time *t, const char *s);

/* Split a byline ("By Jane Doe and John Roe, Reuters") into authors. */
int nx_wire__byline(nx_article *a, const char *s, size_t len);

/* Cleaned text of n's descendants into out (out is reset first). */
void nx_wire__text(nx_buf *out, const xmlNode *n);

/* First element named local at most maxdepth levels below n, or NULL. */
xmlNode *nx_wire__find(const xmlNode *n, const char *local, int maxdepth);

/* When a has no title: the first paragraph that is not a "*** ..."
 * banner, cut at a word near 100 bytes when longer than 120. */
int nx_wire__fallback_title(nx_article *a);


/*
 * 1 when data[0..len) does not end with the closing tag of root (the
 * recovering XML parser accepts truncated documents; this tells them
 * apart), with err set to a one-line reason; else 0.
 */
int nx_wire__truncated(const char *data, size_t len, const xmlNode *root, nx_error *err);

#endif

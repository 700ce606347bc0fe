/*
 * extract_private.h - the pieces of the HTML reader shared by
 * src/extract/html_read.c (parsing, tree helpers), extract.c (body and
 * figures), meta.c and dates.c (metadata) and src/formats/html_page.c
 * (the page parser).  Internal.
 */
#ifndef NX_HTML_PRIVATE_H
#define NX_HTML_PRIVATE_H

#include <libxml/HTMLparser.h>
#include <libxml/tree.h>
#include <stddef.h>

#include "util/buf.h"
#include "newsidx/article.h"
#include "newsidx/error.h"

/*
 * Parse data[0..len) as HTML.  The character set comes from a byte order
 * mark, else content_type (HTTP header, may be NULL), else <meta charset>
 * or http-equiv Content-Type, else UTF-8, falling back to windows-1252
 * when the bytes are not UTF-8.  Returns the document (xmlFreeDoc) or
 * NULL with err set (NX_EFORMAT, NX_ETOOBIG, NX_ENOMEM).
 */
htmlDocPtr nx_html__read(const char *data, size_t len, const char *content_type, nx_error *err);

/* 1 when tag is one of the NULL-terminated list. */
int nx_html__tag_in(const char *tag, const char *const *list);

/* Tag classes (tag in lower case): never article text (script, nav ...);
 * ends the running paragraph (p, div, br ...); makes its parent a
 * container rather than a paragraph; h1 to h6. */
int nx_html__drop_tag(const char *tag);
int nx_html__block_tag(const char *tag);
int nx_html__container_tag(const char *tag);
int nx_html__heading(const char *tag);

/* Lower-case tag name of an element ("" for other nodes). */
const char *nx_html__tag(const xmlNode *n);

/* 1 when n is an element named tag (lower case). */
int nx_html__is(const xmlNode *n, const char *tag);

/* Attribute value, borrowed from the tree (NULL when absent). */
const char *nx_html__attr(const xmlNode *n, const char *name);

/*
 * Append the visible text of n to out: script/style skipped, block
 * elements and <br> separated by a space.  Not cleaned (call
 * nx_text_clean on the result).  Iterative: any depth is fine.
 */
void nx_html__text(nx_buf *out, const xmlNode *n);

/* The next node in document order inside root (NULL at the end);
 * skip_children: do not descend into n. */
xmlNode *nx_html__next(xmlNode *n, const xmlNode *root, int skip_children);

/*
 * Extract the article body of a whole page into a: choose the main
 * container by readability-style scoring, keep its paragraphs, turn its
 * figures into photos (extract.c, the hand rules); then let the learned
 * block classifier choose the paragraphs (blocks.c).  Returns NX_OK or
 * NX_ENOMEM.
 */
int nx_html__body(nx_article *a, htmlDocPtr doc);
int nx_html__body_rules(nx_article *a, htmlDocPtr doc);

/*
 * Read the page's metadata into a (fields already set are kept): JSON-LD,
 * OpenGraph, Dublin Core, microdata, <time>, canonical link, language,
 * the visible dateline.  Returns NX_OK or NX_ENOMEM.
 */
int nx_html__meta(nx_article *a, htmlDocPtr doc, const char *url);

/* ---- caption.c ---- */

/* 1 when caption element n holds story text: written as a news lead
   ("WASHINGTON (XYZ) ...", "(XYZ) The ..."), or a block of a caption class
   (not a <figcaption>) over 600 characters. */
int nx_html__caption_is_story(xmlNode *n);

/* 1 when figure-like n holds story text outside its element caption (may
   be NULL): 150 characters or more, or a news lead. */
int nx_html__story_outside(xmlNode *n, const xmlNode *caption);

/* With no body, captions of a sentence or more (60 bytes) become the
   body: a caption never holds the only text.  NX_OK or NX_ENOMEM. */
int nx_html__captions_as_body(nx_article *a);

#endif

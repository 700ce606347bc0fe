/*
 * html.h - HTML helpers shared by the HTML page parser and every format
 * that carries HTML inside (RSS content:encoded, Atom content, JSON Lines).
 * Implemented in src/extract/extract.c.
 */
#ifndef NX_HTML_H
#define NX_HTML_H

#include <stddef.h>

#include "util/buf.h"
#include "newsidx/article.h"
#include "newsidx/error.h"

/*
 * Parse an HTML fragment (a feed item's content, an article body) and
 * append its paragraphs to a->paras and its figures to a->photos (caption
 * and credit split as for full pages; credits never stay in the body).
 * Boilerplate inside the fragment (share links, "Read more") is dropped.
 * Returns NX_OK, NX_ENOMEM.
 */
int nx_html_fragment(nx_article *a, const char *html, size_t len, nx_error *err);

/*
 * Append the plain text of an HTML fragment to out: tags removed, entities
 * decoded, white space folded ("Tom &amp; Jerry<br>" -> "Tom & Jerry").
 * Plain text without markup is copied with entities decoded.
 */
int nx_html_to_text(nx_buf *out, const char *html, size_t len);

#endif

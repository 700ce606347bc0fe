/*
 * ninjs.h - IPTC's ninjs (JSON news items) inside the JSON reader (internal).
 *
 * jsonl.c reads every JSON object; an object with ninjs keys is mapped by
 * ninjs.c instead of the JSON Lines mapping, and the plain-text and HTML
 * body reader of jsonl.c serves both.
 */
#ifndef NX_FORMATS_NINJS_H
#define NX_FORMATS_NINJS_H

#include "formats/jlite.h"
#include "newsidx/article.h"
#include "newsidx/error.h"

/*
 * 1 when object o is a ninjs item: it has one of the keys only ninjs uses
 * (versioncreated, firstcreated, body_html, body_text, body_xhtml,
 * bodies, headlines, associations, pubstatus), else 0.
 */
int nx_ninjs__is(const nx_jlite_val *o);

/*
 * The ninjs items an API answer wraps (AP's {"data": {"item": {...}}},
 * {"item": [...]}, {"items": [...]}): the container (an object, one item,
 * or an array of them) or NULL when o wraps none.
 */
const nx_jlite_val *nx_ninjs__wrapped(const nx_jlite_val *o);

/*
 * Build an article from ninjs item o (see ninjs.c for the mapping).
 * Returns NX_OK with *out set, or NX_ENOMEM (*out NULL).
 */
int nx_ninjs__build(nx_article **out, const nx_jlite_val *o, nx_error *err);

/*
 * Append the text of v (a string or an array of strings) to a's
 * paragraphs: HTML when it looks like HTML, else plain text split into
 * paragraphs on blank lines (on newlines when there is none).  (jsonl.c)
 */
int nx_jsonl__add_text(nx_article *a, const nx_jlite_val *v, nx_error *err);

#endif

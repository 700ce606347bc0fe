/*
 * feed_private.h - what the three parts of the feed parser share: the
 * feed and item being read, and the helpers each part gives the others.
 *   feed_xml.c    namespaces, text, markup and addresses of elements
 *   feed_media.c  photos: Media RSS, enclosures, their credits
 *   feed.c        items (dates, people, fields), the feed, truncation
 */
#ifndef NX_FORMATS_FEED_PRIVATE_H
#define NX_FORMATS_FEED_PRIVATE_H

#include <libxml/tree.h>

#include "formats/format.h"

#define FEED_MAX_DEPTH 256   /* element nesting we follow when serializing */
#define FEED_MAX_ENTITY 1024 /* longest internal entity text we expand */

/* Namespace classes of the elements we look at. */
enum {
	NS_OTHER = 0,
	NS_PLAIN,   /* no namespace, or RSS 0.90/1.0/2.0 */
	NS_ATOM,    /* Atom 1.0 or 0.3 */
	NS_MEDIA,   /* Media RSS */
	NS_DC,      /* Dublin Core elements */
	NS_DCTERMS, /* Dublin Core terms */
	NS_CONTENT, /* RSS 1.0 content module */
	NS_RDF
};

/* How a text construct is written. */
/* How a text construct is written. */
enum { KIND_TEXT = 0, KIND_HTML, KIND_XHTML, KIND_SKIP };

typedef struct feed {
	const nx_input *in;
	xmlDocPtr doc;
	xmlNode *root;
	xmlNode *channel;  /* RSS channel, Atom feed element */
	int atom;
	char *source;      /* channel title */
	char *lang;        /* channel language, primary tag */
	char *base;        /* channel link, for relative addresses */
	nx_article_cb cb;
	void *ctx;
	nx_error *err;
} feed;

typedef struct item {
	feed *f;
	xmlNode *node;
	nx_article *a;
	char *record_id;
	char *guid_url;          /* guid usable as url (isPermaLink) */
	int link_rank;           /* quality of the url found so far */
	int pub_rank, upd_rank;  /* 0: none yet; lower is better */
	int section_rank;
	const xmlNode *content;  /* preferred body */
	const xmlNode *summary;  /* fallback body */
	int content_kind, summary_kind;
	const xmlNode *dc_title;       /* fallbacks: dc:title, dc:description */
	const xmlNode *dc_description;
	char *lang;
	char *source;            /* RSS <source>: the outlet, in an aggregator */
	long *widths;            /* media width per photo, 0 when unknown */
	size_t nwidths;
	int rc;                  /* sticky NX_ENOMEM */
} item;

/* ---- feed_xml.c ---- */

/* Local name; an undeclared prefix stays in the name ("content:encoded"). */
const char *nx_feed__local_name(const xmlNode *n);

/* Namespace class (NS_*) of an element, from its namespace name or prefix. */
int nx_feed__node_ns(const xmlNode *n);

/* An element of namespace class ns with this local name. */
int nx_feed__is_el(const xmlNode *n, int ns, const char *local);

/* An element of the feed's own vocabulary (RSS, or Atom in an Atom feed). */
int nx_feed__is_home(const feed *f, const xmlNode *n, const char *local);

/* An Atom element: atom:x anywhere, or x in an Atom feed. */
int nx_feed__is_atom(const feed *f, const xmlNode *n, const char *local);

/* Attribute value by local name (text only, no external entities); malloc'd. */
char *nx_feed__attr(const xmlNode *n, const char *local);

/* 1 when attribute local has the value want (case-insensitive). */
int nx_feed__attr_is(const xmlNode *n, const char *local, const char *want);

/* Cleaned text of an element, or NULL (empty or out of memory: see it->rc). */
char *nx_feed__text_of(item *it, const xmlNode *n);

/* Kind of an Atom text construct (type and 0.3 mode attributes). */
int nx_feed__text_kind(const xmlNode *n, int dflt);

/* Title-like text: markup removed when the construct (or the text) is HTML. */
char *nx_feed__title_of(item *it, const xmlNode *n, int atom_typed);

/* Add the paragraphs (and figures) of a body element. */
int nx_feed__add_body(item *it, const xmlNode *n, int kind);

/* 1 when s starts with a URL scheme ("http:"). */
int nx_feed__has_scheme(const char *s);

/* href made absolute with xml:base and the channel link; malloc'd or NULL. */
char *nx_feed__resolve(item *it, const feed *f, const xmlNode *n, const char *href);

/* Cleaned href-like value: text_of for RSS links, attr for Atom. */
char *nx_feed__clean_value(item *it, const char *s);

/* Take href as the item url when rank beats the url found so far. */
void nx_feed__set_url(item *it, const xmlNode *n, const char *href, int rank);

/* ---- feed_media.c ---- */

/* Media RSS content; a thumbnail nested in it is ignored (for a video it is
 * a still, not a photo of the story; for an image it is the same picture). */
void nx_feed__media_content(item *it, const xmlNode *n, const xmlNode *group);

/* A media:thumbnail standing alone (or in a group): a photo. */
void nx_feed__media_thumbnail(item *it, const xmlNode *n, const xmlNode *group);

/* A media:group: its contents and thumbnails, sharing its credits. */
void nx_feed__media_group(item *it, const xmlNode *g);

/* An RSS enclosure (or Atom enclosure link): a photo when it is an image. */
void nx_feed__enclosure(item *it, const xmlNode *n, const char *urlattr);

/* Drop photos that repeat another (same address, or same file in another size). */
void nx_feed__dedup_photos(item *it);

#endif

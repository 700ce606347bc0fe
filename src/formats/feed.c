/*
 * feed.c - RSS 0.9x, RSS 1.0 (RDF), RSS 2.0 and Atom (0.3, 1.0) feeds.
 *
 * Every item or entry becomes one article:
 *   title (else dc:title)                  -> title
 *   link / atom:link rel=alternate         -> url (guid isPermaLink when no link)
 *   guid / atom:id / rdf:about             -> origin.record_id
 *   pubDate, published, dc:date, issued    -> published
 *   atom:updated, modified, dc:modified    -> updated (published when alone)
 *   author, dc:creator, atom:author/name   -> authors (e-mail addresses dropped)
 *   category, dc:subject                   -> section (the first)
 *   channel/feed title (item <source>), language, xml:lang -> source, lang
 *   content:encoded, atom:content          -> body (else description/summary)
 *   media:content/thumbnail/group, image enclosures -> photos, with
 *   media:credit, media:description/title and media:copyright.
 *
 * The document is read with nx_xml_read() (no external entities, bounded
 * entity expansion).  Entity references left in the tree are never
 * expanded here except for short internal ones, so neither an external
 * entity nor an entity bomb can leak into or blow up an article.
 *
 * A feed whose root element is not closed is truncated: the items closed
 * before the break are emitted, then NX_EFORMAT "truncated feed".  A feed
 * whose parse stopped early for another reason (libxml2 gives up on an
 * entity loop, for instance) emits what was read and reports how many
 * items were lost.  A feed with no items is fine and yields nothing.
 */
#include <libxml/tree.h>
#include <libxml/uri.h>
#include <stdlib.h>
#include <string.h>

#include "util/buf.h"
#include "article/credit.h"
#include "extract/extract.h"
#include "formats/format.h"
#include "util/text.h"
#include "util/xml.h"

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

static const struct {
	const char *href;
	int ns;
} namespaces[] = {
	{ "http://purl.org/rss/1.0/", NS_PLAIN },
	{ "http://my.netscape.com/rdf/simple/0.9/", NS_PLAIN },
	{ "http://backend.userland.com/rss2", NS_PLAIN },
	{ "http://blogs.law.harvard.edu/tech/rss", NS_PLAIN },
	{ "http://www.w3.org/2005/Atom", NS_ATOM },
	{ "http://purl.org/atom/ns#", NS_ATOM },
	{ "http://search.yahoo.com/mrss/", NS_MEDIA },
	{ "http://search.yahoo.com/mrss", NS_MEDIA },
	{ "http://purl.org/dc/elements/1.1/", NS_DC },
	{ "http://purl.org/dc/terms/", NS_DCTERMS },
	{ "http://purl.org/rss/1.0/modules/content/", NS_CONTENT },
	{ "http://www.w3.org/1999/02/22-rdf-syntax-ns#", NS_RDF },
};

/* Usual prefixes, for undeclared prefixes and unknown namespace names. */
static const struct {
	const char *prefix;
	int ns;
} prefixes[] = {
	{ "atom", NS_ATOM }, { "media", NS_MEDIA }, { "dc", NS_DC },
	{ "dcterms", NS_DCTERMS }, { "content", NS_CONTENT }, { "rdf", NS_RDF },
};

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

/* ---- names and namespaces ---------------------------------------------- */

/* Local name; an undeclared prefix stays in the name ("content:encoded"). */
static const char *local_name(const xmlNode *n)
{
	const char *name = (const char *)n->name;
	const char *colon = NULL;

	if (name == NULL)
		return "";
	if (n->ns == NULL) {
		colon = strchr(name, ':');
		if (colon != NULL)
			return colon + 1;
	}
	return name;
}

static int ns_of_prefix(const char *p, size_t len)
{
	size_t i = 0;

	for (i = 0; i < sizeof(prefixes) / sizeof(prefixes[0]); i++)
		if (strlen(prefixes[i].prefix) == len && nx_strncaseeq(p, prefixes[i].prefix, len))
			return prefixes[i].ns;
	return NS_OTHER;
}

static int node_ns(const xmlNode *n)
{
	const char *href = NULL, *name = (const char *)n->name, *colon = NULL;
	size_t i = 0;

	if (n->ns == NULL) {
		colon = name != NULL ? strchr(name, ':') : NULL;
		if (colon == NULL)
			return NS_PLAIN;
		return ns_of_prefix(name, (size_t)(colon - name));
	}
	href = (const char *)n->ns->href;
	if (href == NULL || href[0] == '\0')
		return NS_PLAIN;
	for (i = 0; i < sizeof(namespaces) / sizeof(namespaces[0]); i++)
		if (nx_strcaseeq(href, namespaces[i].href))
			return namespaces[i].ns;
	if (n->ns->prefix != NULL)
		return ns_of_prefix((const char *)n->ns->prefix, strlen((const char *)n->ns->prefix));
	return NS_OTHER;
}

static int is_el(const xmlNode *n, int ns, const char *local)
{
	return n != NULL && n->type == XML_ELEMENT_NODE && node_ns(n) == ns &&
	       strcmp(local_name(n), local) == 0;
}

/* An element of the feed's own vocabulary (RSS, or Atom in an Atom feed). */
static int is_home(const feed *f, const xmlNode *n, const char *local)
{
	int ns = 0;

	if (n == NULL || n->type != XML_ELEMENT_NODE || strcmp(local_name(n), local) != 0)
		return 0;
	ns = node_ns(n);
	return ns == NS_PLAIN || (f->atom && ns == NS_ATOM);
}

/* An Atom element: atom:x anywhere, or x in an Atom feed. */
static int is_atom(const feed *f, const xmlNode *n, const char *local)
{
	int ns = 0;

	if (n == NULL || n->type != XML_ELEMENT_NODE || strcmp(local_name(n), local) != 0)
		return 0;
	ns = node_ns(n);
	return ns == NS_ATOM || (f->atom && ns == NS_PLAIN);
}

/* ---- text ----------------------------------------------------------------- */

/* Replacement text of a short internal entity; NULL for anything else. */
static const char *entity_text(const xmlNode *n)
{
	const xmlEntity *e = NULL;

	if (n->type != XML_ENTITY_REF_NODE || n->children == NULL ||
	    n->children->type != XML_ENTITY_DECL)
		return NULL;
	e = (const xmlEntity *)n->children;
	if (e->etype != XML_INTERNAL_GENERAL_ENTITY || e->content == NULL)
		return NULL;
	if (strlen((const char *)e->content) > FEED_MAX_ENTITY ||
	    strpbrk((const char *)e->content, "&<") != NULL)
		return NULL;
	return (const char *)e->content;
}

/* Text of all descendants, raw (not cleaned). */
static void raw_text(nx_buf *b, const xmlNode *n, int depth)
{
	const char *t = NULL;

	if (depth > FEED_MAX_DEPTH)
		return;
	for (; n != NULL; n = n->next) {
		if (n->type == XML_TEXT_NODE || n->type == XML_CDATA_SECTION_NODE) {
			if (n->content != NULL)
				nx_buf_adds(b, (const char *)n->content);
		} else if (n->type == XML_ENTITY_REF_NODE) {
			t = entity_text(n);
			if (t != NULL)
				nx_buf_adds(b, t);
		} else if (n->type == XML_ELEMENT_NODE) {
			raw_text(b, n->children, depth + 1);
			nx_buf_addch(b, ' ');
		}
	}
}

/* Attribute value by local name (text only, no external entities); malloc'd. */
static char *attr(const xmlNode *n, const char *local)
{
	const xmlAttr *a = NULL;
	nx_buf b = NX_BUF_INIT;

	for (a = n->properties; a != NULL; a = a->next) {
		if (a->name == NULL || strcmp((const char *)a->name, local) != 0)
			continue;
		raw_text(&b, a->children, 0);
		if (!nx_buf_ok(&b))
			return NULL;
		return nx_buf_detach(&b);
	}
	return NULL;
}

static int attr_is(const xmlNode *n, const char *local, const char *want)
{
	char *v = attr(n, local);
	int eq = 0;

	if (v != NULL) {
		nx_buf t = NX_BUF_INIT;

		nx_text_clean(&t, v, strlen(v));
		eq = nx_strcaseeq(t.buf, want);
		nx_buf_free(&t);
	}
	free(v);
	return eq;
}

/* Cleaned text of an element, or NULL (empty or out of memory: see it->rc). */
static char *text_of(item *it, const xmlNode *n)
{
	nx_buf raw = NX_BUF_INIT, out = NX_BUF_INIT;
	char *s = NULL;

	raw_text(&raw, n->children, 0);
	nx_text_clean(&out, raw.buf, raw.len);
	if (!nx_buf_ok(&raw) || !nx_buf_ok(&out)) {
		if (it != NULL)
			it->rc = NX_ENOMEM;
	} else if (out.len > 0) {
		s = nx_buf_detach(&out);
		if (s == NULL && it != NULL)
			it->rc = NX_ENOMEM;
	}
	nx_buf_free(&raw);
	nx_buf_free(&out);
	return s;
}

static int has_element_child(const xmlNode *n)
{
	const xmlNode *c = NULL;

	for (c = n->children; c != NULL; c = c->next)
		if (c->type == XML_ELEMENT_NODE)
			return 1;
	return 0;
}

/* 1 when s looks like it holds markup or escaped entities. */
static int looks_html(const char *s)
{
	const char *p = NULL;

	for (p = s; *p != '\0'; p++) {
		if (p[0] == '<' && (nx_isalpha((unsigned char)p[1]) || p[1] == '/' || p[1] == '!'))
			return 1;
		if (p[0] == '&') {
			const char *q = p + 1;

			if (*q == '#')
				q++;
			while (nx_isalnum((unsigned char)*q) && q - p < 12)
				q++;
			if (*q == ';' && q > p + 1)
				return 1;
		}
	}
	return 0;
}

/* Kind of an Atom text construct (type and 0.3 mode attributes). */
static int text_kind(const xmlNode *n, int dflt)
{
	char *type = attr(n, "type"), *mode = attr(n, "mode");
	int kind = dflt;

	if (mode != NULL && nx_strcaseeq(mode, "base64")) {
		kind = KIND_SKIP;
	} else if (type == NULL) {
		kind = mode != NULL && nx_strcaseeq(mode, "escaped") ? KIND_HTML : dflt;
	} else if (nx_strcaseeq(type, "text") || nx_strcaseeq(type, "text/plain")) {
		kind = mode != NULL && nx_strcaseeq(mode, "escaped") ? KIND_HTML : KIND_TEXT;
	} else if (nx_strcaseeq(type, "html") || nx_strcaseeq(type, "text/html")) {
		kind = KIND_HTML;
	} else if (nx_strcaseeq(type, "xhtml") || nx_strcaseeq(type, "application/xhtml+xml")) {
		kind = KIND_XHTML;
	} else if (nx_startswith_ci(type, strlen(type), "text/")) {
		kind = KIND_TEXT;
	} else {
		kind = KIND_SKIP; /* images, video, JSON, nested Atom, ... */
	}
	free(type);
	free(mode);
	return kind;
}

/* Title-like text: markup removed when the construct (or the text) is HTML. */
static char *title_of(item *it, const xmlNode *n, int atom_typed)
{
	char *t = text_of(it, n);
	int kind = atom_typed ? text_kind(n, KIND_TEXT) : KIND_TEXT;
	nx_buf b = NX_BUF_INIT;

	if (t == NULL || kind == KIND_XHTML || has_element_child(n))
		return t;
	if (kind == KIND_HTML || (!atom_typed && looks_html(t))) {
		if (nx_html_to_text(&b, t, strlen(t)) < 0 || !nx_buf_ok(&b)) {
			it->rc = NX_ENOMEM;
		} else {
			free(t);
			t = b.len > 0 ? nx_buf_detach(&b) : NULL;
		}
	}
	nx_buf_free(&b);
	return t;
}

/* ---- markup inside the feed (naked HTML, Atom xhtml) ---------------------- */

static void add_escaped(nx_buf *b, const char *s, int quote)
{
	for (; *s != '\0'; s++) {
		switch (*s) {
		case '&': nx_buf_adds(b, "&amp;"); break;
		case '<': nx_buf_adds(b, "&lt;"); break;
		case '>': nx_buf_adds(b, "&gt;"); break;
		case '"':
			if (quote) {
				nx_buf_adds(b, "&quot;");
				break;
			}
			/* fall through */
		default: nx_buf_addch(b, *s); break;
		}
	}
}

static int is_void_element(const char *name)
{
	static const char *const voids[] = { "area", "base", "br", "col", "embed", "hr", "img",
					     "input", "link", "meta", "source", "track", "wbr" };
	size_t i = 0;

	for (i = 0; i < sizeof(voids) / sizeof(voids[0]); i++)
		if (nx_strcaseeq(name, voids[i]))
			return 1;
	return 0;
}

/* Serialize nodes as HTML with namespace prefixes dropped ("xhtml:p" -> "p"). */
static void to_html(nx_buf *b, const xmlNode *n, int depth)
{
	const xmlAttr *a = NULL;
	const char *t = NULL;

	if (depth > FEED_MAX_DEPTH)
		return;
	for (; n != NULL; n = n->next) {
		if (n->type == XML_TEXT_NODE || n->type == XML_CDATA_SECTION_NODE) {
			if (n->content != NULL)
				add_escaped(b, (const char *)n->content, 0);
		} else if (n->type == XML_ENTITY_REF_NODE) {
			t = entity_text(n); /* external entities are never read */
			if (t != NULL)
				add_escaped(b, t, 0);
		} else if (n->type == XML_ELEMENT_NODE) {
			const char *name = local_name(n);

			nx_buf_addf(b, "<%s", name);
			for (a = n->properties; a != NULL; a = a->next) {
				nx_buf v = NX_BUF_INIT;

				if (a->name == NULL)
					continue;
				raw_text(&v, a->children, 0);
				nx_buf_addf(b, " %s=\"", (const char *)a->name);
				add_escaped(b, v.buf, 1);
				nx_buf_addch(b, '"');
				if (!nx_buf_ok(&v))
					b->failed = 1;
				nx_buf_free(&v);
			}
			nx_buf_addch(b, '>');
			if (is_void_element(name))
				continue;
			to_html(b, n->children, depth + 1);
			nx_buf_addf(b, "</%s>", name);
		}
	}
}

/* Plain text: one paragraph per blank-line separated block. */
static int add_plain_paras(nx_article *a, const char *s, size_t len)
{
	size_t i = 0, start = 0, j = 0;
	int rc = NX_OK;

	while (i <= len && rc == NX_OK) {
		int brk = i == len;

		if (!brk && s[i] == '\n') {
			for (j = i + 1; j < len && (s[j] == ' ' || s[j] == '\t' || s[j] == '\r'); j++)
				;
			brk = j < len && s[j] == '\n';
		}
		if (brk) {
			rc = nx_article_add_para(a, s + start, (long)(i - start));
			start = i + 1;
		}
		i++;
	}
	return rc;
}

/* Add the paragraphs (and figures) of a body element. */
static int add_body(item *it, const xmlNode *n, int kind)
{
	nx_buf b = NX_BUF_INIT;
	int rc = NX_OK;

	if (kind == KIND_SKIP)
		return NX_OK;
	if (has_element_child(n)) {
		to_html(&b, n->children, 0);
		kind = KIND_HTML;
	} else {
		raw_text(&b, n->children, 0);
	}
	if (!nx_buf_ok(&b)) {
		rc = NX_ENOMEM;
		goto done;
	}
	if (kind == KIND_TEXT)
		rc = add_plain_paras(it->a, b.buf, b.len);
	else
		rc = nx_html_fragment(it->a, b.buf, b.len, NULL);
done:
	nx_buf_free(&b);
	return rc;
}

/* ---- addresses ------------------------------------------------------------ */

static int has_scheme(const char *s)
{
	const char *p = s;

	if (!nx_isalpha((unsigned char)*p))
		return 0;
	while (nx_isalnum((unsigned char)*p) || *p == '+' || *p == '-' || *p == '.')
		p++;
	return *p == ':';
}

/* href made absolute with xml:base and the channel link; malloc'd or NULL. */
static char *resolve(item *it, const feed *f, const xmlNode *n, const char *href)
{
	xmlChar *base = NULL, *b2 = NULL, *abs = NULL;
	char *out = NULL;

	if (href == NULL || href[0] == '\0')
		return NULL;
	if (!has_scheme(href)) {
		base = xmlNodeGetBase(f->doc, n);
		if (base != NULL && !has_scheme((const char *)base) && f->base != NULL) {
			b2 = xmlBuildURI(base, (const xmlChar *)f->base);
			xmlFree(base);
			base = b2;
		}
		if (base == NULL && f->base != NULL)
			base = xmlStrdup((const xmlChar *)f->base);
		if (base != NULL)
			abs = xmlBuildURI((const xmlChar *)href, base);
	}
	out = strdup(abs != NULL ? (const char *)abs : href);
	if (out == NULL && it != NULL)
		it->rc = NX_ENOMEM;
	xmlFree(abs);
	xmlFree(base);
	return out;
}

/* Cleaned href-like value: text_of for RSS links, attr for Atom. */
static char *clean_value(item *it, const char *s)
{
	nx_buf b = NX_BUF_INIT;
	char *out = NULL;

	if (s == NULL)
		return NULL;
	nx_text_clean(&b, s, strlen(s));
	if (!nx_buf_ok(&b))
		it->rc = NX_ENOMEM;
	else if (b.len > 0)
		out = nx_buf_detach(&b);
	nx_buf_free(&b);
	return out;
}

static void set_url(item *it, const xmlNode *n, const char *href, int rank)
{
	char *u = NULL;

	if (rank <= it->link_rank)
		return;
	u = resolve(it, it->f, n, href);
	if (u == NULL)
		return;
	/* a relative address that nothing resolves is no canonical url */
	if (!has_scheme(u)) {
		free(u);
		return;
	}
	if (nx_article_set(&it->a->url, u, -1) < 0)
		it->rc = NX_ENOMEM;
	else
		it->link_rank = rank;
	free(u);
}

/* ---- dates, people, language -------------------------------------------- */

static void take_date(item *it, const xmlNode *n, int upd, int rank)
{
	nx_time t = NX_TIME_INIT;
	nx_time *dst = upd ? &it->a->updated : &it->a->published;
	int *have = upd ? &it->upd_rank : &it->pub_rank;
	char *s = NULL;

	if (*have != 0 && *have <= rank)
		return;
	s = text_of(it, n);
	if (s != NULL && nx_date_parse(&t, s, strlen(s)) == NX_OK) {
		*dst = t;
		*have = rank;
	}
	free(s);
}

typedef struct span {
	const char *s;
	size_t len;
} span;

static size_t count_words(span p)
{
	size_t i = 0, n = 0;
	int in_word = 0;

	for (i = 0; i < p.len; i++) {
		if (p.s[i] == ' ') {
			in_word = 0;
		} else if (!in_word) {
			in_word = 1;
			n++;
		}
	}
	return n;
}

/* A name part: starts with a capital (or a non-ASCII letter), 1-5 words. */
static int name_like(span p)
{
	size_t w = count_words(p);

	return p.len > 0 && (nx_isupper((unsigned char)p.s[0]) || (unsigned char)p.s[0] >= 0x80) &&
	       w >= 1 && w <= 5;
}

/* "Julian Borger in Washington" -> "Julian Borger" (a dateline in the byline). */
static span drop_place(span p)
{
	size_t i = 0;
	span head;

	for (i = 0; i + 4 < p.len; i++) {
		if (memcmp(p.s + i, " in ", 4) != 0 || !nx_isupper((unsigned char)p.s[i + 4]))
			continue;
		head.s = p.s;
		head.len = i;
		if (count_words(head) >= 2 && name_like(head))
			return head;
		break;
	}
	return p;
}

/*
 * Several names in one string: "Jane Doe, John Roe and Max Mustermann".
 * Split only when every part looks like a full name (two words or more),
 * so "Doe, Jane" and "Jane Doe, Quebec" stay whole.
 */
static int add_names(nx_article *a, const char *s, size_t len)
{
	span parts[16];
	size_t n = 0, i = 0, start = 0, multiword = 0;
	int rc = NX_OK, ok = 1;

	while (i <= len && n < 16) {
		size_t sep = 0;

		if (i == len)
			sep = 1;
		else if (i + 2 <= len && memcmp(s + i, ", ", 2) == 0)
			sep = 2;
		else if (i + 5 <= len && memcmp(s + i, " and ", 5) == 0)
			sep = 5;
		else if (i + 3 <= len && memcmp(s + i, " & ", 3) == 0)
			sep = 3;
		if (sep == 0) {
			i++;
			continue;
		}
		parts[n].s = s + start;
		parts[n].len = i - start;
		while (parts[n].len > 0 && parts[n].s[0] == ' ') {
			parts[n].s++;
			parts[n].len--;
		}
		/* "A, B, and C" */
		if (parts[n].len >= 4 && memcmp(parts[n].s, "and ", 4) == 0) {
			parts[n].s += 4;
			parts[n].len -= 4;
		}
		if (!name_like(parts[n]))
			ok = 0;
		if (count_words(parts[n]) >= 2)
			multiword++;
		n++;
		i += i == len ? 1 : sep;
		start = i;
	}
	if (i <= len || multiword < n)
		ok = 0; /* too many parts, "Doe, Jane", "Jane Doe, Quebec" */
	if (!ok || n < 2) {
		span whole = { s, len };

		whole = drop_place(whole);
		return nx_article_add_author(a, whole.s, (long)whole.len);
	}
	for (i = 0; i < n && rc == NX_OK; i++) {
		span p = drop_place(parts[i]);

		rc = nx_article_add_author(a, p.s, (long)p.len);
	}
	return rc;
}

/*
 * One author from an RSS-style string: "jane@x.com (Jane Doe)",
 * "Jane Doe (jane@x.com)", "Jane Doe <jane@x.com>", "By Jane Doe".  A bare
 * address is not a name and is dropped.
 */
static int add_author_str(nx_article *a, const char *s)
{
	const char *open = NULL, *close = NULL, *lt = NULL, *gt = NULL;
	size_t len = strlen(s), i = 0;
	nx_buf b = NX_BUF_INIT;
	int rc = NX_OK;

	open = strchr(s, '(');
	close = strrchr(s, ')');
	if (open != NULL && close != NULL && close > open) {
		const char *in = open + 1;
		size_t inlen = (size_t)(close - in);

		if (memchr(in, '@', inlen) != NULL) {
			/* "Jane Doe (jane@x.com)" */
			nx_buf_add(&b, s, (size_t)(open - s));
			nx_buf_adds(&b, close + 1);
		} else if (memchr(s, '@', (size_t)(open - s)) != NULL) {
			/* "jane@x.com (Jane Doe)" */
			nx_buf_add(&b, in, inlen);
		} else {
			nx_buf_add(&b, s, len);
		}
	} else {
		lt = strchr(s, '<');
		gt = lt != NULL ? strchr(lt, '>') : NULL;
		if (lt != NULL && gt != NULL && memchr(lt, '@', (size_t)(gt - lt)) != NULL) {
			nx_buf_add(&b, s, (size_t)(lt - s));
			nx_buf_adds(&b, gt + 1);
		} else {
			nx_buf_add(&b, s, len);
		}
	}
	if (!nx_buf_ok(&b)) {
		rc = NX_ENOMEM;
		goto done;
	}
	nx_buf_trim(&b);
	if (b.len > 3 && nx_startswith_ci(b.buf, b.len, "by ") && nx_isupper((unsigned char)b.buf[3])) {
		memmove(b.buf, b.buf + 3, b.len - 2);
		b.len -= 3;
	}
	/* a bare e-mail address, or one left over: not a name */
	for (i = 0; i < b.len; i++)
		if (b.buf[i] == '@')
			goto done;
	rc = add_names(a, b.buf, b.len);
done:
	nx_buf_free(&b);
	return rc;
}

/* Atom person construct: its name (e-mail and uri are not names). */
static void add_person(item *it, const xmlNode *n)
{
	const xmlNode *c = NULL;
	char *s = NULL;

	for (c = n->children; c != NULL; c = c->next) {
		if (c->type == XML_ELEMENT_NODE && strcmp(local_name(c), "name") == 0) {
			s = text_of(it, c);
			break;
		}
	}
	if (s != NULL && add_author_str(it->a, s) < 0)
		it->rc = NX_ENOMEM;
	free(s);
}

/* "en-US" -> "en"; NULL when s is not a language tag. */
static char *primary_lang(const char *s)
{
	char tag[9];
	size_t i = 0;

	while (nx_isspace((unsigned char)*s))
		s++;
	for (i = 0; i < 8 && nx_isalpha((unsigned char)s[i]); i++)
		tag[i] = (char)nx_tolower((unsigned char)s[i]);
	tag[i] = '\0';
	if (i < 2 || i > 3 || (s[i] != '\0' && s[i] != '-' && s[i] != '_' && !nx_isspace((unsigned char)s[i])))
		return NULL;
	return strdup(tag);
}

/* ---- photos --------------------------------------------------------------- */

static int has_ext(const char *url, const char *const *exts, size_t n)
{
	size_t end = strcspn(url, "?#"), i = 0, el = 0;

	for (i = 0; i < n; i++) {
		el = strlen(exts[i]);
		if (end >= el && nx_strncaseeq(url + end - el, exts[i], el))
			return 1;
	}
	return 0;
}

static int image_ext(const char *url)
{
	static const char *const exts[] = { ".jpg", ".jpeg", ".png", ".gif", ".webp", ".avif" };

	return has_ext(url, exts, sizeof(exts) / sizeof(exts[0]));
}

static int av_ext(const char *url)
{
	static const char *const exts[] = { ".mp3", ".mp4", ".m4a", ".m4v", ".mov", ".webm", ".ogg",
					    ".oga", ".ogv", ".wav", ".m3u8", ".aac", ".flac", ".pdf" };

	return has_ext(url, exts, sizeof(exts) / sizeof(exts[0]));
}

/* media:content and enclosures: an image (medium, type, or file name)? */
static int is_image(const xmlNode *n, const char *url, int need_hint)
{
	char *medium = attr(n, "medium"), *type = attr(n, "type");
	int yes = 0;

	if (medium != NULL && medium[0] != '\0')
		yes = nx_strcaseeq(medium, "image");
	else if (type != NULL && type[0] != '\0')
		yes = nx_startswith_ci(type, strlen(type), "image/");
	else
		yes = need_hint ? image_ext(url) : !av_ext(url);
	free(medium);
	free(type);
	return yes;
}

static void fill_credit(item *it, nx_photo *p, const char *s, int copyright)
{
	char *agency = NULL, *who = NULL;

	if (nx_credit_parse(s, strlen(s), &agency, &who) < 0) {
		it->rc = NX_ENOMEM;
		return;
	}
	if (p->agency == NULL) {
		p->agency = agency;
		agency = NULL;
	}
	if (p->photographer == NULL && (!copyright || p->agency == NULL || agency == NULL)) {
		p->photographer = who;
		who = NULL;
	}
	free(agency);
	free(who);
}

/* Credit, caption and copyright from the most specific level that has them. */
static void fill_meta(item *it, nx_photo *p, const xmlNode *const *levels, size_t nlevels)
{
	const xmlNode *c = NULL;
	char *s = NULL, *role = NULL;
	size_t i = 0;
	int copyright_done = 0;

	for (i = 0; i < nlevels; i++) {
		if (levels[i] == NULL)
			continue;
		for (c = levels[i]->children; c != NULL; c = c->next) {
			if (c->type != XML_ELEMENT_NODE || node_ns(c) != NS_MEDIA)
				continue;
			if (strcmp(local_name(c), "credit") == 0) {
				s = text_of(it, c);
				role = attr(c, "role");
				if (s != NULL && role != NULL && nx_strcaseeq(role, "photographer")) {
					if (p->photographer == NULL) {
						p->photographer = nx_name_case(s, strlen(s));
						if (p->photographer == NULL)
							it->rc = NX_ENOMEM;
					}
				} else if (s != NULL) {
					fill_credit(it, p, s, 0);
				}
				free(role);
				free(s);
				role = s = NULL;
			} else if (strcmp(local_name(c), "description") == 0 && p->caption == NULL) {
				s = title_of(it, c, 1);
				if (s != NULL && nx_article_set(&p->caption, s, -1) < 0)
					it->rc = NX_ENOMEM;
				free(s);
				s = NULL;
			}
		}
	}
	/* media:title only when no level had a description */
	for (i = 0; i < nlevels && p->caption == NULL; i++) {
		c = levels[i] != NULL ? levels[i]->children : NULL;
		for (; c != NULL && p->caption == NULL; c = c->next) {
			if (!is_el(c, NS_MEDIA, "title"))
				continue;
			s = title_of(it, c, 1);
			if (s != NULL && nx_article_set(&p->caption, s, -1) < 0)
				it->rc = NX_ENOMEM;
			free(s);
			s = NULL;
		}
	}
	for (i = 0; i < nlevels && !copyright_done; i++) {
		c = levels[i] != NULL ? levels[i]->children : NULL;
		for (; c != NULL && !copyright_done; c = c->next) {
			if (!is_el(c, NS_MEDIA, "copyright"))
				continue;
			copyright_done = 1;
			s = text_of(it, c);
			if (s != NULL && (p->agency == NULL || p->photographer == NULL))
				fill_credit(it, p, s, 1);
			free(s);
			s = NULL;
		}
	}
}

/* Add a photo for an image element at url, with metadata from levels. */
static void add_photo(item *it, const xmlNode *n, const char *href, const xmlNode *const *levels,
		      size_t nlevels)
{
	nx_photo *p = NULL;
	char *url = NULL, *w = NULL;
	long *nw = NULL;

	url = resolve(it, it->f, n, href);
	if (url == NULL)
		return;
	p = nx_article_add_photo(it->a);
	if (p == NULL) {
		free(url);
		it->rc = NX_ENOMEM;
		return;
	}
	nw = realloc(it->widths, it->a->nphotos * sizeof(*nw));
	if (nw == NULL) {
		free(url);
		it->rc = NX_ENOMEM;
		return;
	}
	it->widths = nw;
	while (it->nwidths < it->a->nphotos)
		it->widths[it->nwidths++] = 0;
	w = attr(n, "width");
	it->widths[it->a->nphotos - 1] = w != NULL ? strtol(w, NULL, 10) : 0;
	free(w);
	if (nx_article_set(&p->url, url, -1) < 0)
		it->rc = NX_ENOMEM;
	free(url);
	fill_meta(it, p, levels, nlevels);
}

/* Media RSS content; a thumbnail nested in it is ignored (for a video it is
 * a still, not a photo of the story; for an image it is the same picture). */
static void media_content(item *it, const xmlNode *n, const xmlNode *group)
{
	const xmlNode *levels[3];
	char *url = attr(n, "url");
	char *clean = clean_value(it, url);

	levels[0] = n;
	levels[1] = group;
	levels[2] = it->node;
	if (clean != NULL && is_image(n, clean, 0))
		add_photo(it, n, clean, levels, 3);
	free(url);
	free(clean);
}

static void media_thumbnail(item *it, const xmlNode *n, const xmlNode *group)
{
	const xmlNode *levels[3];
	char *url = attr(n, "url");
	char *clean = clean_value(it, url);

	levels[0] = n;
	levels[1] = group;
	levels[2] = it->node;
	if (clean != NULL)
		add_photo(it, n, clean, levels, 3);
	free(url);
	free(clean);
}

static void media_group(item *it, const xmlNode *g)
{
	const xmlNode *c = NULL;
	size_t before = it->a->nphotos;

	for (c = g->children; c != NULL; c = c->next)
		if (is_el(c, NS_MEDIA, "content"))
			media_content(it, c, g);
	if (it->a->nphotos > before)
		return;
	for (c = g->children; c != NULL; c = c->next)
		if (is_el(c, NS_MEDIA, "thumbnail"))
			media_thumbnail(it, c, g);
}

static void enclosure(item *it, const xmlNode *n, const char *urlattr)
{
	const xmlNode *levels[1];
	char *url = attr(n, urlattr);
	char *clean = clean_value(it, url);

	levels[0] = it->node;
	if (clean != NULL && is_image(n, clean, 1))
		add_photo(it, n, clean, levels, 1);
	free(url);
	free(clean);
}

static int same_str(const char *a, const char *b)
{
	return a == NULL || b == NULL || strcmp(a, b) == 0;
}

/* Same picture: the same address, or the same image file in another size
 * ("x.jpg?w=140" and "x.jpg?w=460") with nothing that tells them apart. */
static int same_photo(const nx_photo *p, const nx_photo *q, int *by_path)
{
	size_t lp = 0, lq = 0;

	*by_path = 0;
	if (p->url == NULL || q->url == NULL)
		return 0;
	if (strcmp(p->url, q->url) == 0)
		return 1;
	lp = strcspn(p->url, "?#");
	lq = strcspn(q->url, "?#");
	if (lp != lq || memcmp(p->url, q->url, lp) != 0 || !image_ext(p->url))
		return 0;
	if (!same_str(p->caption, q->caption) || !same_str(p->agency, q->agency) ||
	    !same_str(p->photographer, q->photographer))
		return 0;
	*by_path = 1;
	return 1;
}

static void steal(char **dst, char **src)
{
	if (*dst == NULL) {
		*dst = *src;
		*src = NULL;
	}
}

static void dedup_photos(item *it)
{
	nx_article *a = it->a;
	size_t i = 0, j = 0;
	int by_path = 0;

	for (i = 1; i < a->nphotos; i++) {
		for (j = 0; j < i; j++) {
			nx_photo *p = &a->photos[j], *q = &a->photos[i];
			long wp = j < it->nwidths ? it->widths[j] : 0;
			long wq = i < it->nwidths ? it->widths[i] : 0;
			char *tmp = NULL;

			if (!same_photo(p, q, &by_path))
				continue;
			if (by_path && wq > wp) {
				tmp = p->url;
				p->url = q->url;
				q->url = tmp;
				it->widths[j] = wq;
			}
			steal(&p->caption, &q->caption);
			steal(&p->agency, &q->agency);
			steal(&p->photographer, &q->photographer);
			free(q->url);
			free(q->caption);
			free(q->agency);
			free(q->photographer);
			memmove(q, q + 1, (a->nphotos - i - 1) * sizeof(*q));
			if (i < it->nwidths) {
				memmove(&it->widths[i], &it->widths[i + 1],
					(it->nwidths - i - 1) * sizeof(*it->widths));
				it->nwidths--;
			}
			a->nphotos--;
			i--;
			break;
		}
	}
}

/* ---- items ---------------------------------------------------------------- */

static void atom_link(item *it, const xmlNode *n)
{
	char *rel = attr(n, "rel"), *type = attr(n, "type"), *href = attr(n, "href");
	char *clean = clean_value(it, href);
	int rank = 0;

	if (clean == NULL)
		goto done;
	if (rel == NULL || rel[0] == '\0' || nx_strcaseeq(rel, "alternate")) {
		if (type == NULL || nx_strcaseeq(type, "text/html") ||
		    nx_strcaseeq(type, "application/xhtml+xml"))
			rank = 3;
		else
			rank = 1;
		set_url(it, n, clean, rank);
	} else if (nx_strcaseeq(rel, "enclosure")) {
		enclosure(it, n, "href");
	}
done:
	free(rel);
	free(type);
	free(href);
	free(clean);
}

static void set_section(item *it, const char *s, int rank)
{
	if (s == NULL || (it->section_rank != 0 && it->section_rank <= rank))
		return;
	if (nx_article_set(&it->a->section, s, -1) < 0)
		it->rc = NX_ENOMEM;
	else if (it->a->section != NULL)
		it->section_rank = rank;
}

static void item_child(item *it, const xmlNode *c)
{
	const feed *f = it->f;
	int ns = node_ns(c);
	const char *name = local_name(c);
	char *s = NULL, *v = NULL;
	int has_href = xmlHasProp(c, (const xmlChar *)"href") != NULL;

	if (is_home(f, c, "title") || is_atom(f, c, "title")) {
		if (it->a->title == NULL) {
			s = title_of(it, c, ns == NS_ATOM || f->atom);
			if (s != NULL && nx_article_set(&it->a->title, s, -1) < 0)
				it->rc = NX_ENOMEM;
		}
	} else if (is_atom(f, c, "link") || (is_home(f, c, "link") && has_href)) {
		atom_link(it, c);
	} else if (is_home(f, c, "link")) {
		s = text_of(it, c);
		set_url(it, c, s, 4);
	} else if (!f->atom && is_home(f, c, "guid")) {
		s = text_of(it, c);
		if (s != NULL && it->record_id == NULL) {
			it->record_id = s;
			s = NULL;
			if (!attr_is(c, "isPermaLink", "false") &&
			    (nx_startswith_ci(it->record_id, strlen(it->record_id), "http://") ||
			     nx_startswith_ci(it->record_id, strlen(it->record_id), "https://"))) {
				it->guid_url = strdup(it->record_id);
				if (it->guid_url == NULL)
					it->rc = NX_ENOMEM;
			}
		}
	} else if (is_atom(f, c, "id")) {
		s = text_of(it, c);
		if (s != NULL && it->record_id == NULL) {
			it->record_id = s;
			s = NULL;
		}
	} else if (is_home(f, c, "pubDate") || is_atom(f, c, "published")) {
		take_date(it, c, 0, 1);
	} else if (is_atom(f, c, "issued") || (ns == NS_DC && strcmp(name, "date") == 0)) {
		take_date(it, c, 0, 2);
	} else if (is_atom(f, c, "created") ||
		   (ns == NS_DCTERMS && (strcmp(name, "issued") == 0 || strcmp(name, "created") == 0 ||
					 strcmp(name, "date") == 0))) {
		take_date(it, c, 0, 3);
	} else if (is_atom(f, c, "updated") || is_atom(f, c, "modified")) {
		take_date(it, c, 1, 1);
	} else if ((ns == NS_DC || ns == NS_DCTERMS) && strcmp(name, "modified") == 0) {
		take_date(it, c, 1, 2);
	} else if (is_atom(f, c, "author")) {
		add_person(it, c);
	} else if ((is_home(f, c, "author") && !f->atom) || (ns == NS_DC && strcmp(name, "creator") == 0)) {
		s = text_of(it, c);
		if (s != NULL && add_author_str(it->a, s) < 0)
			it->rc = NX_ENOMEM;
	} else if (is_atom(f, c, "category")) {
		s = attr(c, "label");
		v = attr(c, "term");
		set_section(it, s != NULL && s[0] != '\0' ? s : v, 1);
	} else if (!f->atom && is_home(f, c, "category")) {
		s = text_of(it, c);
		set_section(it, s, 1);
	} else if (ns == NS_DC && strcmp(name, "subject") == 0) {
		s = text_of(it, c);
		set_section(it, s, 2);
	} else if (ns == NS_CONTENT && strcmp(name, "encoded") == 0) {
		if (it->content == NULL) {
			it->content = c;
			it->content_kind = KIND_HTML;
		}
	} else if (is_atom(f, c, "content")) {
		v = attr(c, "src");
		if (it->content == NULL && v == NULL) {
			it->content = c;
			it->content_kind = text_kind(c, KIND_TEXT);
		}
	} else if (!f->atom && is_home(f, c, "description")) {
		if (it->summary == NULL) {
			it->summary = c;
			it->summary_kind = KIND_HTML;
		}
	} else if (is_atom(f, c, "summary")) {
		if (it->summary == NULL) {
			it->summary = c;
			it->summary_kind = text_kind(c, KIND_TEXT);
		}
	} else if (!f->atom && is_home(f, c, "source")) {
		/* an aggregator's item names the outlet it came from */
		s = text_of(it, c);
		if (s != NULL && it->source == NULL) {
			it->source = s;
			s = NULL;
		}
	} else if ((ns == NS_DC || ns == NS_DCTERMS) && strcmp(name, "title") == 0) {
		if (it->dc_title == NULL)
			it->dc_title = c;
	} else if ((ns == NS_DC || ns == NS_DCTERMS) && strcmp(name, "description") == 0) {
		if (it->dc_description == NULL)
			it->dc_description = c;
	} else if ((ns == NS_DC || ns == NS_DCTERMS) && strcmp(name, "language") == 0) {
		s = text_of(it, c);
		if (s != NULL && it->lang == NULL)
			it->lang = primary_lang(s);
	}
	free(s);
	free(v);
}

static void item_media(item *it)
{
	const xmlNode *c = NULL;
	const feed *f = it->f;

	for (c = it->node->children; c != NULL; c = c->next) {
		if (is_el(c, NS_MEDIA, "content"))
			media_content(it, c, NULL);
		else if (is_el(c, NS_MEDIA, "group"))
			media_group(it, c);
		else if (!f->atom && is_home(f, c, "enclosure"))
			enclosure(it, c, "url");
	}
	if (it->a->nphotos > 0)
		return;
	for (c = it->node->children; c != NULL; c = c->next)
		if (is_el(c, NS_MEDIA, "thumbnail"))
			media_thumbnail(it, c, NULL);
}

static int emit_item(feed *f, xmlNode *node)
{
	item it;
	xmlNode *c = NULL;
	xmlBufferPtr raw = NULL;
	xmlChar *xl = NULL;
	char *v = NULL, *s = NULL;
	int rc = NX_OK;

	memset(&it, 0, sizeof(it));
	it.f = f;
	it.node = node;
	it.a = nx_article_new();
	if (it.a == NULL)
		goto oom;
	for (c = node->children; c != NULL && it.rc == NX_OK; c = c->next)
		if (c->type == XML_ELEMENT_NODE)
			item_child(&it, c);
	if (it.a->title == NULL && it.dc_title != NULL) {
		s = title_of(&it, it.dc_title, 0);
		if (s != NULL && nx_article_set(&it.a->title, s, -1) < 0)
			goto oom;
	}
	if (it.summary == NULL && it.dc_description != NULL) {
		it.summary = it.dc_description;
		it.summary_kind = KIND_HTML;
	}
	if (it.rc < 0)
		goto oom;
	if (it.record_id == NULL) { /* RSS 1.0: <item rdf:about="..."> */
		v = attr(node, "about");
		it.record_id = clean_value(&it, v);
		free(v);
		v = NULL;
	}
	if (it.a->url == NULL && it.guid_url != NULL)
		set_url(&it, node, it.guid_url, 1);
	if (it.a->title == NULL && it.a->url == NULL)
		goto done; /* nothing to call it by */
	/* Atom: entries inherit the feed's authors */
	if (f->atom && it.a->nauthors == 0)
		for (c = f->channel->children; c != NULL; c = c->next)
			if (is_atom(f, c, "author"))
				add_person(&it, c);
	if (!it.a->published.set && it.a->updated.set) {
		it.a->published = it.a->updated;
		memset(&it.a->updated, 0, sizeof(it.a->updated));
	}
	if (it.lang == NULL) {
		xl = xmlNodeGetLang(node);
		if (xl != NULL)
			it.lang = primary_lang((const char *)xl);
		xmlFree(xl);
	}
	if ((it.lang != NULL || f->lang != NULL) &&
	    nx_article_set(&it.a->lang, it.lang != NULL ? it.lang : f->lang, -1) < 0)
		goto oom;
	if ((it.source != NULL || f->source != NULL) &&
	    nx_article_set(&it.a->source, it.source != NULL ? it.source : f->source, -1) < 0)
		goto oom;
	item_media(&it);
	if (it.rc < 0)
		goto oom;
	if (it.content != NULL && (rc = add_body(&it, it.content, it.content_kind)) < 0)
		goto oom;
	if (it.a->nparas == 0 && it.summary != NULL &&
	    (rc = add_body(&it, it.summary, it.summary_kind)) < 0)
		goto oom;
	dedup_photos(&it);
	if (it.record_id != NULL) {
		it.a->origin.record_id = it.record_id;
		it.record_id = NULL;
	}
	raw = xmlBufferCreate();
	if (raw != NULL && xmlNodeDump(raw, f->doc, node, 0, 0) > 0) {
		it.a->origin.raw = (const char *)xmlBufferContent(raw);
		it.a->origin.rawlen = (size_t)xmlBufferLength(raw);
	}
	rc = nx_ingest__emit(it.a, f->in, f->atom ? "atom" : "rss", f->cb, f->ctx, f->err);
	it.a = NULL;
	goto done;
oom:
	rc = nx_error_set(f->err, NX_ENOMEM, "out of memory");
done:
	nx_article_free(it.a);
	xmlBufferFree(raw);
	free(s);
	free(it.record_id);
	free(it.guid_url);
	free(it.lang);
	free(it.source);
	free(it.widths);
	return rc;
}

/* ---- the raw bytes: truncation and lost items ------------------------------ */

static const char *find(const char *d, size_t len, size_t from, const char *needle)
{
	size_t n = strlen(needle), i = 0;

	for (i = from; i + n <= len; i++)
		if (d[i] == needle[0] && memcmp(d + i, needle, n) == 0)
			return d + i;
	return NULL;
}

static int name_char(char c)
{
	return nx_isalnum((unsigned char)c) || c == '_' || c == '-' || c == '.' || c == ':' ||
	       (unsigned char)c >= 0x80;
}

/* 1 when the start tag whose name ends at d[i] closes itself ("<x a='1'/>"). */
static int empty_tag(const char *d, size_t len, size_t i)
{
	char quote = 0;

	for (; i < len; i++) {
		if (quote != 0) {
			if (d[i] == quote)
				quote = 0;
		} else if (d[i] == '"' || d[i] == '\'') {
			quote = d[i];
		} else if (d[i] == '>') {
			return i > 0 && d[i - 1] == '/';
		}
	}
	return 0;
}

/*
 * Count start tags (not the self-closing ones) or end tags named local,
 * unprefixed or with prefix pfx (may be NULL), outside comments and CDATA
 * sections.
 */
static size_t count_tags(const char *d, size_t len, const char *local, const char *pfx, int closing)
{
	size_t i = 0, count = 0, nl = strlen(local), np = pfx != NULL ? strlen(pfx) : 0;
	const char *p = NULL, *e = NULL;

	while (i < len) {
		p = memchr(d + i, '<', len - i);
		if (p == NULL)
			break;
		i = (size_t)(p - d);
		if (len - i >= 4 && memcmp(p, "<!--", 4) == 0) {
			e = find(d, len, i + 4, "-->");
			if (e == NULL)
				break;
			i = (size_t)(e - d) + 3;
			continue;
		}
		if (len - i >= 9 && memcmp(p, "<![CDATA[", 9) == 0) {
			e = find(d, len, i + 9, "]]>");
			if (e == NULL)
				break;
			i = (size_t)(e - d) + 3;
			continue;
		}
		i++;
		if (closing) {
			if (i >= len || d[i] != '/')
				continue;
			i++;
		}
		{
			size_t s = i, n = 0;

			while (i < len && name_char(d[i]))
				i++;
			n = i - s;
			if (i < len && !(nx_isspace((unsigned char)d[i]) || d[i] == '>' || d[i] == '/'))
				continue;
			if (i >= len)
				continue; /* cut inside the tag */
			if (!(n == nl && memcmp(d + s, local, nl) == 0) &&
			    !(np > 0 && n == np + 1 + nl && memcmp(d + s, pfx, np) == 0 &&
			      d[s + np] == ':' && memcmp(d + s + np + 1, local, nl) == 0))
				continue;
			if (!closing && empty_tag(d, len, i))
				continue; /* <item/>: nothing to read */
			count++;
		}
	}
	return count;
}

/* Elements named local anywhere under n (items nested where they should
 * not be still count as read). */
static size_t count_elements(const xmlNode *n, const char *local, int depth)
{
	size_t count = 0;

	if (depth > FEED_MAX_DEPTH)
		return 0;
	for (; n != NULL; n = n->next) {
		if (n->type != XML_ELEMENT_NODE)
			continue;
		if (strcmp(local_name(n), local) == 0)
			count++;
		count += count_elements(n->children, local, depth + 1);
	}
	return count;
}

static const char *prefix_of(const xmlNode *n)
{
	return n != NULL && n->ns != NULL && n->ns->prefix != NULL ? (const char *)n->ns->prefix : NULL;
}

/* ---- the feed -------------------------------------------------------------- */

static int read_channel(feed *f)
{
	const xmlNode *c = NULL;
	char *s = NULL, *rel = NULL;
	xmlChar *xl = NULL;
	int rc = NX_OK;

	for (c = f->channel->children; c != NULL; c = c->next) {
		if (c->type != XML_ELEMENT_NODE)
			continue;
		if (f->source == NULL && (is_home(f, c, "title") || (f->atom && is_atom(f, c, "title")))) {
			item it;

			memset(&it, 0, sizeof(it));
			f->source = title_of(&it, c, f->atom);
			if (it.rc < 0)
				rc = NX_ENOMEM;
		} else if (f->lang == NULL && (is_home(f, c, "language") ||
					       (node_ns(c) == NS_DC && strcmp(local_name(c), "language") == 0))) {
			s = text_of(NULL, c);
			f->lang = s != NULL ? primary_lang(s) : NULL;
		} else if (f->base == NULL && !f->atom && is_home(f, c, "link") && !xmlHasProp(c, (const xmlChar *)"href")) {
			s = text_of(NULL, c);
			if (s != NULL && has_scheme(s)) {
				f->base = s;
				s = NULL;
			}
		} else if (f->base == NULL && is_atom(f, c, "link")) {
			rel = attr(c, "rel");
			if (rel == NULL || nx_strcaseeq(rel, "alternate")) {
				s = attr(c, "href");
				if (s != NULL && has_scheme(s)) {
					f->base = s;
					s = NULL;
				}
			}
			free(rel);
			rel = NULL;
		}
		free(s);
		s = NULL;
	}
	if (f->lang == NULL) {
		xl = xmlNodeGetLang(f->channel);
		if (xl != NULL)
			f->lang = primary_lang((const char *)xl);
		xmlFree(xl);
	}
	return rc;
}

static int push_item(xmlNode ***items, size_t *n, size_t *cap, xmlNode *node)
{
	xmlNode **p = NULL;

	if (*n == *cap) {
		*cap = *cap != 0 ? *cap * 2 : 32;
		p = realloc(*items, *cap * sizeof(*p));
		if (p == NULL)
			return NX_ENOMEM;
		*items = p;
	}
	(*items)[(*n)++] = node;
	return NX_OK;
}

int nx_parse_feed(const nx_input *in, nx_article_cb cb, void *ctx, nx_error *err)
{
	feed f;
	xmlNode *c = NULL, **items = NULL;
	size_t nitems = 0, cap = 0, i = 0, limit = 0, closed = 0, started = 0, found = 0;
	const char *root_name = NULL, *item_name = NULL, *pfx = NULL;
	int rc = NX_OK, truncated = 0, ascii = 0;

	memset(&f, 0, sizeof(f));
	f.in = in;
	f.cb = cb;
	f.ctx = ctx;
	f.err = err;
	f.doc = nx_xml_read(in->data, in->len, err);
	if (f.doc == NULL) {
		rc = err != NULL && err->code != 0 ? err->code : NX_EFORMAT;
		goto done;
	}
	f.root = xmlDocGetRootElement(f.doc);
	root_name = local_name(f.root);
	if (strcmp(root_name, "feed") == 0) {
		f.atom = 1;
		f.channel = f.root;
		item_name = "entry";
	} else if (strcmp(root_name, "rss") == 0 || strcmp(root_name, "RDF") == 0) {
		item_name = "item";
		for (c = f.root->children; c != NULL && f.channel == NULL; c = c->next)
			if (is_home(&f, c, "channel"))
				f.channel = c;
	} else {
		rc = nx_error_set(err, NX_EFORMAT, "not a feed: root element is '%s'", root_name);
		goto done;
	}
	if (f.channel != NULL && (rc = read_channel(&f)) < 0)
		goto oom;
	/* items: in the channel (RSS 2.0, Atom) and beside it (RSS 0.90/1.0) */
	if (f.channel != NULL)
		for (c = f.channel->children; c != NULL; c = c->next)
			if ((f.atom ? is_atom(&f, c, item_name) : is_home(&f, c, item_name)) &&
			    push_item(&items, &nitems, &cap, c) < 0)
				goto oom;
	if (!f.atom)
		for (c = f.root->children; c != NULL; c = c->next)
			if (is_home(&f, c, item_name) && push_item(&items, &nitems, &cap, c) < 0)
				goto oom;
	/* compare with the raw bytes: was the root closed, were items lost?
	   (only for ASCII-compatible encodings: no NUL in UTF-8 or Latin-1) */
	pfx = nitems > 0 ? prefix_of(items[0]) : (f.atom ? prefix_of(f.root) : NULL);
	ascii = memchr(in->data, '\0', in->len < 1024 ? in->len : 1024) == NULL;
	truncated = ascii && count_tags(in->data, in->len, root_name, prefix_of(f.root), 1) == 0;
	limit = nitems;
	if (!ascii) {
		started = 0;
	} else if (truncated) {
		closed = count_tags(in->data, in->len, item_name, pfx, 1);
		if (closed < limit)
			limit = closed; /* the last item was cut off */
	} else {
		started = count_tags(in->data, in->len, item_name, pfx, 0);
	}
	for (i = 0; i < limit; i++)
		if ((rc = emit_item(&f, items[i])) < 0)
			goto done;
	if (truncated)
		rc = nx_error_set(err, NX_EFORMAT, "truncated feed (%zu %s read)", limit,
				  f.atom ? (limit == 1 ? "entry" : "entries") : (limit == 1 ? "item" : "items"));
	else if (started > (found = count_elements(f.root, item_name, 0)))
		rc = nx_error_set(err, NX_EFORMAT, "broken feed: only %zu of %zu %s could be read",
				  found, started, f.atom ? "entries" : "items");
	goto done;
oom:
	rc = nx_error_set(err, NX_ENOMEM, "out of memory");
done:
	free(items);
	free(f.source);
	free(f.lang);
	free(f.base);
	xmlFreeDoc(f.doc);
	return rc;
}

/*
 * feed_xml.c - reading the elements of a feed: which namespace an element
 * belongs to, its text (entities expanded only when short and internal),
 * the markup it holds (naked HTML, Atom xhtml) and the addresses it gives.
 */
#include <libxml/tree.h>
#include <libxml/uri.h>
#include <stdlib.h>
#include <string.h>

#include "article/credit.h"
#include "extract/extract.h"
#include "formats/feed_private.h"
#include "util/buf.h"
#include "util/text.h"
#include "util/xml.h"

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
/* ---- names and namespaces ---------------------------------------------- */

/* Local name; an undeclared prefix stays in the name ("content:encoded"). */
const char *nx_feed__local_name(const xmlNode *n)
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

int nx_feed__node_ns(const xmlNode *n)
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

int nx_feed__is_el(const xmlNode *n, int ns, const char *local)
{
	return n != NULL && n->type == XML_ELEMENT_NODE && nx_feed__node_ns(n) == ns &&
	       strcmp(nx_feed__local_name(n), local) == 0;
}

/* An element of the feed's own vocabulary (RSS, or Atom in an Atom feed). */
int nx_feed__is_home(const feed *f, const xmlNode *n, const char *local)
{
	int ns = 0;

	if (n == NULL || n->type != XML_ELEMENT_NODE || strcmp(nx_feed__local_name(n), local) != 0)
		return 0;
	ns = nx_feed__node_ns(n);
	return ns == NS_PLAIN || (f->atom && ns == NS_ATOM);
}

/* An Atom element: atom:x anywhere, or x in an Atom feed. */
int nx_feed__is_atom(const feed *f, const xmlNode *n, const char *local)
{
	int ns = 0;

	if (n == NULL || n->type != XML_ELEMENT_NODE || strcmp(nx_feed__local_name(n), local) != 0)
		return 0;
	ns = nx_feed__node_ns(n);
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
char *nx_feed__attr(const xmlNode *n, const char *local)
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

int nx_feed__attr_is(const xmlNode *n, const char *local, const char *want)
{
	char *v = nx_feed__attr(n, local);
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
char *nx_feed__text_of(item *it, const xmlNode *n)
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
int nx_feed__text_kind(const xmlNode *n, int dflt)
{
	char *type = nx_feed__attr(n, "type"), *mode = nx_feed__attr(n, "mode");
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
char *nx_feed__title_of(item *it, const xmlNode *n, int atom_typed)
{
	char *t = nx_feed__text_of(it, n);
	int kind = atom_typed ? nx_feed__text_kind(n, KIND_TEXT) : KIND_TEXT;
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
			const char *name = nx_feed__local_name(n);

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
int nx_feed__add_body(item *it, const xmlNode *n, int kind)
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

int nx_feed__has_scheme(const char *s)
{
	const char *p = s;

	if (!nx_isalpha((unsigned char)*p))
		return 0;
	while (nx_isalnum((unsigned char)*p) || *p == '+' || *p == '-' || *p == '.')
		p++;
	return *p == ':';
}

/* href made absolute with xml:base and the channel link; malloc'd or NULL. */
char *nx_feed__resolve(item *it, const feed *f, const xmlNode *n, const char *href)
{
	xmlChar *base = NULL, *b2 = NULL, *abs = NULL;
	char *out = NULL;

	if (href == NULL || href[0] == '\0')
		return NULL;
	if (!nx_feed__has_scheme(href)) {
		base = xmlNodeGetBase(f->doc, n);
		if (base != NULL && !nx_feed__has_scheme((const char *)base) && f->base != NULL) {
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
char *nx_feed__clean_value(item *it, const char *s)
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

void nx_feed__set_url(item *it, const xmlNode *n, const char *href, int rank)
{
	char *u = NULL;

	if (rank <= it->link_rank)
		return;
	u = nx_feed__resolve(it, it->f, n, href);
	if (u == NULL)
		return;
	/* a relative address that nothing resolves is no canonical url */
	if (!nx_feed__has_scheme(u)) {
		free(u);
		return;
	}
	if (nx_article_set(&it->a->url, u, -1) < 0)
		it->rc = NX_ENOMEM;
	else
		it->link_rank = rank;
	free(u);
}

/*
 * html_read.c - reading HTML: the character set of a page, libxml2's HTML
 * parser (recovering, silent, no network; a page broken at the top made
 * one tree again), walking the tree, the classes of tags, visible text.
 * Every walk is iterative, so pathological nesting costs time linear in
 * the document, never stack.
 */
#include "extract/extract.h"

#include <libxml/HTMLparser.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "extract/extract_private.h"
#include "util/text.h"

/* ---- tree helpers ------------------------------------------------------ */

const char *nx_html__tag(const xmlNode *n)
{
	if (n == NULL || n->type != XML_ELEMENT_NODE || n->name == NULL)
		return "";
	return (const char *)n->name;
}

int nx_html__is(const xmlNode *n, const char *tag)
{
	return n != NULL && n->type == XML_ELEMENT_NODE && n->name != NULL &&
	       nx_strcaseeq((const char *)n->name, tag);
}

const char *nx_html__attr(const xmlNode *n, const char *name)
{
	const xmlAttr *at = NULL;

	if (n == NULL || n->type != XML_ELEMENT_NODE)
		return NULL;
	for (at = n->properties; at != NULL; at = at->next) {
		if (at->name == NULL || !nx_strcaseeq((const char *)at->name, name))
			continue;
		if (at->children != NULL && at->children->type == XML_TEXT_NODE &&
		    at->children->content != NULL)
			return (const char *)at->children->content;
		return "";
	}
	return NULL;
}

xmlNode *nx_html__next(xmlNode *n, const xmlNode *root, int skip_children)
{
	if (n == NULL)
		return NULL;
	if (!skip_children && n->children != NULL && n->type == XML_ELEMENT_NODE)
		return n->children;
	if (n == root)
		return NULL;
	while (n != NULL && n != root) {
		if (n->next != NULL)
			return n->next;
		n = n->parent;
	}
	return NULL;
}

int nx_html__tag_in(const char *tag, const char *const *list)
{
	size_t i = 0;

	for (i = 0; list[i] != NULL; i++)
		if (strcmp(tag, list[i]) == 0)
			return 1;
	return 0;
}

/* Elements whose content is never article text. */
static const char *const drop_tags[] = {
	"script", "style", "noscript", "template", "svg", "math", "iframe", "object", "embed",
	"canvas", "button", "input", "select", "textarea", "option", "head", "title", "meta",
	"link", "nav", "aside", "footer", "audio", "video", "source", "map", "area", "dialog",
	"menu", "label", "frameset", "frame", "applet", NULL
};

/* Elements that end the running paragraph. */
static const char *const block_tags[] = {
	"p", "div", "section", "article", "main", "h1", "h2", "h3", "h4", "h5", "h6", "li", "ul",
	"ol", "dl", "dt", "dd", "blockquote", "pre", "table", "tr", "td", "th", "tbody", "thead",
	"tfoot", "caption", "hr", "br", "figure", "figcaption", "header", "footer", "aside", "nav",
	"form", "center", "address", "details", "summary", "fieldset", "body", "html", "picture",
	"img", "hgroup", NULL
};

/* Elements that make their parent a container rather than a paragraph. */
static const char *const container_tags[] = {
	"p", "div", "section", "article", "main", "blockquote", "dl", "ol", "ul", "pre", "table",
	"figure", "h1", "h2", "h3", "h4", "h5", "h6", "header", "form", NULL
};

int nx_html__drop_tag(const char *tag) { return nx_html__tag_in(tag, drop_tags); }
int nx_html__block_tag(const char *tag) { return nx_html__tag_in(tag, block_tags); }
int nx_html__container_tag(const char *tag) { return nx_html__tag_in(tag, container_tags); }

int nx_html__heading(const char *tag)
{
	return tag[0] == 'h' && tag[1] >= '1' && tag[1] <= '6' && tag[2] == '\0';
}

void nx_html__text(nx_buf *out, const xmlNode *root)
{
	xmlNode *n = (xmlNode *)root;
	int skip = 0;

	if (root == NULL)
		return;
	if (root->type == XML_TEXT_NODE || root->type == XML_CDATA_SECTION_NODE) {
		if (root->content != NULL)
			nx_buf_adds(out, (const char *)root->content);
		return;
	}
	while (n != NULL) {
		skip = 0;
		if (n->type == XML_TEXT_NODE || n->type == XML_CDATA_SECTION_NODE) {
			if (n->content != NULL)
				nx_buf_adds(out, (const char *)n->content);
		} else if (n->type == XML_ELEMENT_NODE) {
			const char *tag = nx_html__tag(n);

			if (n != root && (strcmp(tag, "script") == 0 || strcmp(tag, "style") == 0 ||
					  strcmp(tag, "template") == 0 || strcmp(tag, "noscript") == 0))
				skip = 1;
			else if (nx_html__block_tag(tag))
				nx_buf_addch(out, ' ');
		} else {
			skip = 1;
		}
		n = nx_html__next(n, root, skip);
	}
}

/* ---- character sets ---------------------------------------------------- */

/* The charset value after "charset=" in s[0..len), lower case, into out. */
static int charset_param(char *out, size_t outsz, const char *s, size_t len)
{
	const char *p = nx_memcasemem(s, len, "charset");
	size_t i = 0, n = 0;

	if (p == NULL)
		return 0;
	i = (size_t)(p - s) + 7;
	while (i < len && (nx_isspace((unsigned char)s[i])))
		i++;
	if (i >= len || s[i] != '=')
		return 0;
	i++;
	while (i < len && (nx_isspace((unsigned char)s[i]) || s[i] == '"' || s[i] == '\''))
		i++;
	while (i + n < len && n + 1 < outsz &&
	       (nx_isalnum((unsigned char)s[i + n]) || s[i + n] == '-' || s[i + n] == '_' ||
		s[i + n] == ':' || s[i + n] == '.'))
		n++;
	if (n == 0)
		return 0;
	for (size_t k = 0; k < n; k++)
		out[k] = (char)nx_tolower((unsigned char)s[i + k]);
	out[n] = '\0';
	return 1;
}

/* <meta charset=...> or <meta http-equiv=Content-Type content="...charset=..."> */
static int meta_charset(char *out, size_t outsz, const char *d, size_t len)
{
	size_t lim = len < 65536 ? len : 65536, i = 0;
	const char *p = NULL;

	while (i < lim) {
		const char *end = NULL;

		p = nx_memcasemem(d + i, lim - i, "<meta");
		if (p == NULL)
			return 0;
		i = (size_t)(p - d) + 5;
		end = memchr(d + i, '>', lim - i);
		if (end == NULL)
			return 0;
		if (charset_param(out, outsz, d + i, (size_t)(end - (d + i))))
			return 1;
		i = (size_t)(end - d) + 1;
	}
	return 0;
}

/* Spell a declared charset the way libxml2/iconv knows it; NULL: ignore it. */
static const char *charset_name(const char *cs)
{
	if (strcmp(cs, "utf-8") == 0 || strcmp(cs, "utf8") == 0 || strcmp(cs, "unicode-1-1-utf-8") == 0)
		return "UTF-8";
	/* a page that says UTF-16 in its bytes cannot be UTF-16 (WHATWG) */
	if (strncmp(cs, "utf-16", 6) == 0 || strcmp(cs, "unicode") == 0)
		return "UTF-8";
	if (strcmp(cs, "iso-8859-1") == 0 || strcmp(cs, "iso8859-1") == 0 || strcmp(cs, "latin1") == 0 ||
	    strcmp(cs, "latin-1") == 0 || strcmp(cs, "us-ascii") == 0 || strcmp(cs, "ascii") == 0 ||
	    strcmp(cs, "cp1252") == 0 || strcmp(cs, "windows-1252") == 0 || strcmp(cs, "iso_8859-1") == 0)
		return "windows-1252";
	if (strcmp(cs, "gb2312") == 0 || strcmp(cs, "gbk") == 0)
		return "GB18030";
	if (strcmp(cs, "x-sjis") == 0 || strcmp(cs, "shift-jis") == 0)
		return "SHIFT_JIS";
	if (strcmp(cs, "iso-8859-9") == 0)
		return "windows-1254";
	return NULL;
}

/* Count invalid UTF-8 sequences and multi-byte characters. */
static void utf8_stats(const char *d, size_t len, size_t *bad, size_t *good)
{
	size_t i = 0, n = 0;
	uint32_t cp = 0;

	*bad = 0;
	*good = 0;
	while (i < len) {
		if ((unsigned char)d[i] < 0x80) {
			i++;
			continue;
		}
		n = nx_utf8_decode(d + i, len - i, &cp);
		if (cp == 0xFFFD && n == 1)
			(*bad)++;
		else
			(*good)++;
		i += n;
	}
}

/* A copy of d with invalid UTF-8 replaced by U+FFFD and NUL by space. */
static char *utf8_repair(const char *d, size_t len, size_t *outlen)
{
	nx_buf b = NX_BUF_INIT;
	size_t i = 0, n = 0;
	uint32_t cp = 0;

	nx_buf_grow(&b, len + 16);
	while (i < len) {
		unsigned char c = (unsigned char)d[i];

		if (c < 0x80) {
			nx_buf_addch(&b, c == 0 ? ' ' : c);
			i++;
			continue;
		}
		n = nx_utf8_decode(d + i, len - i, &cp);
		if (cp == 0xFFFD && n == 1)
			nx_utf8_put(&b, 0xFFFD);
		else
			nx_buf_add(&b, d + i, n);
		i += n;
	}
	*outlen = b.len;
	return nx_buf_detach(&b);
}

/*
 * Broken markup at the top of a page (an <html> tag whose attribute runs
 * into the next tag) can leave libxml2 with an empty first root element
 * and the page in a second one beside it: move the content of every later
 * top-level element into the first, so that the page is one tree.
 */
static void merge_roots(htmlDocPtr doc)
{
	xmlNode *root = xmlDocGetRootElement(doc), *n = NULL, *next = NULL, *c = NULL, *cn = NULL;

	if (root == NULL)
		return;
	for (n = root->next; n != NULL; n = next) {
		next = n->next;
		if (n->type != XML_ELEMENT_NODE)
			continue;
		for (c = n->children; c != NULL; c = cn) {
			cn = c->next;
			xmlUnlinkNode(c);
			if (xmlAddChild(root, c) == NULL)
				xmlFreeNode(c);
		}
		xmlUnlinkNode(n);
		xmlFreeNode(n);
	}
}

/*
 * Junk before a whole document: a byte order mark saved through a wrong
 * charset ("\xC3\xAF\xC2\xBB\xC2\xBF", "\xEF\xBB\xBF" twice), stray text
 * before "<!DOCTYPE" or "<html" in the first kilobytes.  Returns how many
 * bytes to skip (0 for a fragment, whose text before its first tag is
 * content).
 */
static size_t junk_before_document(const char *d, size_t len)
{
	static const char *const boms[] = { "\xC3\xAF\xC2\xBB\xC2\xBF", "\xEF\xBB\xBF", NULL };
	size_t i = 0, k = 0, lim = len < 4096 ? len : 4096;
	const char *doctype = NULL, *html = NULL, *first = NULL;
	int again = 1;

	while (again) {
		again = 0;
		for (k = 0; boms[k] != NULL; k++)
			if (len - i >= strlen(boms[k]) && memcmp(d + i, boms[k], strlen(boms[k])) == 0) {
				i += strlen(boms[k]);
				again = 1;
			}
	}
	while (i < len && nx_isspace((unsigned char)d[i]))
		i++;
	if (i < len && nx_startswith_ci(d + i, len - i, "<!doctype")) {
		/* a doctype cut off before its ">": its quote would run on
		   over the page; drop it, start at the next tag */
		for (k = i + 9; k < len && d[k] != '>' && d[k] != '<'; k++)
			;
		return k < len && d[k] == '<' ? k : i;
	}
	if (i >= len || d[i] == '<' || i >= lim)
		return i;
	doctype = nx_memcasemem(d + i, lim - i, "<!doctype");
	html = nx_memcasemem(d + i, lim - i, "<html");
	first = doctype != NULL && (html == NULL || doctype < html) ? doctype : html;
	if (first == NULL)
		return i;
	return (size_t)(first - d) + junk_before_document(first, len - (size_t)(first - d));
}

/*
 * A <title> never closed ("<title>Pier closes - Ne" cut off in a
 * template) makes the rest of the page title text (RCDATA) in libxml2
 * as in browsers.  When no "</title" follows within 1,000 bytes and markup
 * does, return where to close it: the end of the title's first line, or
 * the first "<" if sooner.  0: nothing to close.
 */
static size_t runaway_title(const char *d, size_t len)
{
	size_t lim = len < 65536 ? len : 65536, at = 0, e = 0, near = 0;
	const char *t = nx_memcasemem(d, lim, "<title"), *close = NULL;

	if (t == NULL)
		return 0;
	at = (size_t)(t - d) + 6;
	if (at < len && d[at] != '>' && !nx_isspace((unsigned char)d[at]))
		return 0;
	while (at < len && d[at] != '>')
		at++;
	if (at >= len)
		return 0;
	at++;
	near = len - at < 1000 ? len - at : 1000;
	close = nx_memcasemem(d + at, near, "</title");
	if (close != NULL || memchr(d + at, '<', len - at) == NULL)
		return 0;
	for (e = at; e < len && d[e] != '\n' && d[e] != '\r' && d[e] != '<'; e++)
		;
	return e;
}

/* A copy of d[0..len) with "</title>" inserted at byte at. */
static char *close_title(const char *d, size_t len, size_t at, size_t *outlen)
{
	nx_buf b = NX_BUF_INIT;

	nx_buf_add(&b, d, at);
	nx_buf_adds(&b, "</title>");
	nx_buf_add(&b, d + at, len - at);
	*outlen = b.len;
	return nx_buf_detach(&b);
}

htmlDocPtr nx_html__read(const char *data, size_t len, const char *content_type, nx_error *err)
{
	htmlParserCtxtPtr ctxt = NULL;
	htmlDocPtr doc = NULL;
	char cs[64];
	const char *enc = NULL;
	char *copy = NULL;
	size_t copylen = 0, bad = 0, good = 0;
	int declared = 0;
	int opts = HTML_PARSE_RECOVER | HTML_PARSE_NOERROR | HTML_PARSE_NOWARNING | HTML_PARSE_NONET |
		   HTML_PARSE_COMPACT;

	if (len > INT_MAX / 2) {
		nx_error_set(err, NX_ETOOBIG, "HTML document too large");
		return NULL;
	}
	if (len >= 3 && memcmp(data, "\xEF\xBB\xBF", 3) == 0) {
		enc = "UTF-8";
		data += 3;
		len -= 3;
		declared = 1;
	} else if (len >= 2 && memcmp(data, "\xFF\xFE", 2) == 0) {
		enc = "UTF-16LE";
	} else if (len >= 2 && memcmp(data, "\xFE\xFF", 2) == 0) {
		enc = "UTF-16BE";
	}
	if (enc == NULL || strcmp(enc, "UTF-8") == 0) {
		size_t skip = junk_before_document(data, len);

		data += skip;
		len -= skip;
	}
	if (enc == NULL && content_type != NULL &&
	    charset_param(cs, sizeof(cs), content_type, strlen(content_type))) {
		enc = charset_name(cs);
		if (enc == NULL)
			enc = cs;
		declared = enc != NULL;
	}
	if (enc == NULL && meta_charset(cs, sizeof(cs), data, len)) {
		enc = charset_name(cs);
		if (enc == NULL)
			enc = cs;
		declared = 1;
	}
	utf8_stats(data, len, &bad, &good);
	/* bytes that are valid UTF-8 with multi-byte characters are UTF-8,
	   whatever the page claims (a re-saved page keeps its old meta) */
	if (enc != NULL && bad == 0 && good > 0 && strncmp(enc, "UTF-16", 6) != 0)
		enc = "UTF-8";
	if (enc == NULL || strcmp(enc, "UTF-8") == 0) {
		if (bad > 0 && (!declared || bad > good)) {
			enc = "windows-1252";
		} else {
			enc = "UTF-8";
			if (bad > 0 || memchr(data, '\0', len) != NULL) {
				copy = utf8_repair(data, len, &copylen);
				if (copy == NULL) {
					nx_error_set(err, NX_ENOMEM, "out of memory");
					return NULL;
				}
				data = copy;
				len = copylen;
			}
		}
	}
	if (strncmp(enc, "UTF-16", 6) != 0) {
		size_t at = runaway_title(data, len);

		if (at > 0) {
			char *closed = close_title(data, len, at, &copylen);

			if (closed == NULL) {
				nx_error_set(err, NX_ENOMEM, "out of memory");
				goto done;
			}
			free(copy);
			copy = closed;
			data = copy;
			len = copylen;
		}
	}
	if (len == 0) {
		nx_error_set(err, NX_EFORMAT, "empty HTML document");
		goto done;
	}
	if (len > INT_MAX) {
		nx_error_set(err, NX_ETOOBIG, "HTML document too large");
		goto done;
	}
	ctxt = htmlNewParserCtxt();
	if (ctxt == NULL) {
		nx_error_set(err, NX_ENOMEM, "out of memory");
		goto done;
	}
	doc = htmlCtxtReadMemory(ctxt, data, (int)len, NULL, enc, opts);
	if (doc == NULL && strcmp(enc, "UTF-8") != 0) {
		/* an encoding iconv does not know: read it as windows-1252 */
		htmlCtxtReset(ctxt);
		doc = htmlCtxtReadMemory(ctxt, data, (int)len, NULL, "windows-1252", opts);
	}
	if (doc == NULL)
		nx_error_set(err, NX_EFORMAT, "unreadable HTML");
	else
		merge_roots(doc);
done:
	if (ctxt != NULL)
		htmlFreeParserCtxt(ctxt);
	free(copy);
	return doc;
}

int nx_html_to_text(nx_buf *out, const char *html, size_t len)
{
	htmlDocPtr doc = NULL;
	nx_buf raw = NX_BUF_INIT;
	xmlNode *root = NULL;

	if (memchr(html, '<', len) == NULL && memchr(html, '&', len) == NULL) {
		nx_text_clean(out, html, len);
		return nx_buf_ok(out) ? NX_OK : NX_ENOMEM;
	}
	doc = nx_html__read(html, len, "text/html; charset=utf-8", NULL);
	if (doc == NULL) {
		nx_text_clean(out, html, len);
		return nx_buf_ok(out) ? NX_OK : NX_ENOMEM;
	}
	root = xmlDocGetRootElement(doc);
	if (root != NULL)
		nx_html__text(&raw, root);
	nx_text_clean(out, raw.buf, raw.len);
	nx_buf_free(&raw);
	xmlFreeDoc(doc);
	return nx_buf_ok(out) ? NX_OK : NX_ENOMEM;
}

#include "util/xml.h"

#include <libxml/parser.h>
#include <stdlib.h>
#include <string.h>

#include "util/text.h"

static void silent(void *ctx, const char *msg, ...)
{
	(void)ctx;
	(void)msg;
}

/*
 * Several real feeds and wires declare a single-byte Western encoding
 * (ISO-8859-1, latin1, windows-1252, ASCII) on UTF-8 bytes; read as
 * declared, "Décès" becomes "DÃ©cÃ¨s".  1 when the XML declaration names
 * one of those and the document is valid UTF-8 with at least one
 * multi-byte sequence: it is UTF-8, whatever it says (a real Latin-1
 * text is practically never valid UTF-8).
 */
static int lies_about_latin1(const char *d, size_t len)
{
	static const char *const latin[] = { "iso-8859-1", "iso8859-1", "iso-8859-15", "latin1",
					     "latin-1", "l1", "windows-1252", "cp1252", "us-ascii",
					     "ascii", "iso_8859-1" };
	size_t lim = len < 512 ? len : 512, at = 0, n = 0, k = 0, i = 0;
	const char *end = NULL, *enc = NULL;
	int high = 0;

	if (len >= 3 && memcmp(d, "\xEF\xBB\xBF", 3) == 0) {
		d += 3;
		len -= 3;
		lim = len < 512 ? len : 512;
	}
	if (lim < 6 || memcmp(d, "<?xml", 5) != 0)
		return 0;
	end = memchr(d, '>', lim);
	if (end == NULL)
		return 0;
	enc = nx_memcasemem(d, (size_t)(end - d), "encoding");
	if (enc == NULL)
		return 0;
	at = (size_t)(enc - d) + 8;
	while (at < (size_t)(end - d) && (nx_isspace((unsigned char)d[at]) || d[at] == '='))
		at++;
	if (at >= (size_t)(end - d) || (d[at] != '"' && d[at] != '\''))
		return 0;
	for (n = at + 1; n < (size_t)(end - d) && d[n] != d[at]; n++)
		;
	if (n >= (size_t)(end - d))
		return 0;
	for (k = 0; k < sizeof(latin) / sizeof(latin[0]); k++)
		if (strlen(latin[k]) == n - at - 1 && nx_strncaseeq(d + at + 1, latin[k], n - at - 1))
			break;
	if (k == sizeof(latin) / sizeof(latin[0]))
		return 0;
	for (i = 0; i < len && !high; i++)
		high = (unsigned char)d[i] >= 0x80;
	return high && nx_utf8_valid(d, len);
}

/*
 * libxml2 checks each attribute of an element against every other one:
 * an element with 100k attributes takes 33 s to parse, 200k over a
 * minute.  No real document comes near these limits.
 */
#define XML_MAX_ATTRS 1024                /* attributes in one start tag */
#define XML_MAX_TAG ((size_t)8 << 20)     /* bytes of one start tag */

/* Skip from d[i] (just after "<!" or "<?") to the end of that markup; returns the index after it. */
static size_t skip_markup(const char *d, size_t len, size_t i)
{
	const char *end = NULL;
	const char *close = "?>";

	if (i + 2 <= len && memcmp(d + i, "--", 2) == 0)
		close = "-->";
	else if (i + 7 <= len && memcmp(d + i, "[CDATA[", 7) == 0)
		close = "]]>";
	else if (d[i - 1] == '!')
		close = ">";
	for (; i + strlen(close) <= len; i++) {
		end = memchr(d + i, close[0], len - i);
		if (end == NULL)
			return len;
		i = (size_t)(end - d);
		if (i + strlen(close) <= len && memcmp(d + i, close, strlen(close)) == 0)
			return i + strlen(close);
	}
	return len;
}

/*
 * One linear pass over the bytes before libxml2 sees them: refuse a
 * start tag with more than XML_MAX_ATTRS attributes or longer than
 * XML_MAX_TAG bytes.  Attributes are counted by their '=' outside quoted
 * values, so a broken tag is bounded the same way.
 */
static int attrs_bounded(const char *d, size_t len, nx_error *err)
{
	size_t i = 0, start = 0, nattr = 0;
	char quote = 0;

	while (i < len) {
		const char *lt = memchr(d + i, '<', len - i);
		unsigned char c = 0;

		if (lt == NULL)
			break;
		i = (size_t)(lt - d) + 1;
		if (i >= len)
			break;
		if (d[i] == '!' || d[i] == '?') {
			i = skip_markup(d, len, i + 1);
			continue;
		}
		c = (unsigned char)d[i];
		if (!(nx_isalpha(c) || c == '_' || c == ':' || c >= 0x80))
			continue; /* an end tag, or a stray '<' in text */
		start = i;
		nattr = 0;
		quote = 0;
		for (; i < len; i++) {
			char ch = d[i];

			if (quote != 0) {
				if (ch == quote)
					quote = 0;
			} else if (ch == '"' || ch == '\'') {
				quote = ch;
			} else if (ch == '=') {
				if (++nattr > XML_MAX_ATTRS)
					return nx_error_set(err, NX_EFORMAT,
							    "an element has more than %d attributes (limit)",
							    XML_MAX_ATTRS);
			} else if (ch == '>') {
				break;
			}
			if (i - start > XML_MAX_TAG)
				return nx_error_set(err, NX_EFORMAT, "an element's tag is longer than %zu MB (limit)",
						    XML_MAX_TAG >> 20);
		}
	}
	return NX_OK;
}

xmlDocPtr nx_xml_read(const char *data, size_t len, nx_error *err)
{
	xmlParserCtxtPtr ctxt = NULL;
	xmlDocPtr doc = NULL;
	const xmlError *e = NULL;
	int opts = XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING | XML_PARSE_RECOVER |
		   XML_PARSE_NOCDATA | XML_PARSE_COMPACT;

	if (len > INT32_MAX) {
		nx_error_set(err, NX_ETOOBIG, "XML document too large");
		return NULL;
	}
	if (attrs_bounded(data, len, err) < 0)
		return NULL;
	xmlSetGenericErrorFunc(NULL, silent);
	ctxt = xmlNewParserCtxt();
	if (ctxt == NULL) {
		nx_error_set(err, NX_ENOMEM, "out of memory");
		return NULL;
	}
	if (lies_about_latin1(data, len))
		doc = xmlCtxtReadMemory(ctxt, data, (int)len, NULL, "UTF-8", opts | XML_PARSE_IGNORE_ENC);
	else
		doc = xmlCtxtReadMemory(ctxt, data, (int)len, NULL, NULL, opts);
	if (doc == NULL || xmlDocGetRootElement(doc) == NULL) {
		e = xmlCtxtGetLastError(ctxt);
		nx_error_set(err, NX_EFORMAT, "broken XML%s%s", e != NULL && e->message != NULL ? ": " : "",
			     e != NULL && e->message != NULL ? e->message : "");
		/* libxml2 messages end with a newline */
		if (err != NULL) {
			size_t n = strlen(err->msg);

			while (n > 0 && (err->msg[n - 1] == '\n' || err->msg[n - 1] == ' '))
				err->msg[--n] = '\0';
		}
		xmlFreeDoc(doc);
		doc = NULL;
	}
	xmlFreeParserCtxt(ctxt);
	return doc;
}

int nx_xml_is(const xmlNode *n, const char *local)
{
	return n != NULL && n->type == XML_ELEMENT_NODE && n->name != NULL &&
	       nx_strcaseeq((const char *)n->name, local);
}

xmlNode *nx_xml_child(const xmlNode *n, const char *local)
{
	xmlNode *c = NULL;

	if (n == NULL)
		return NULL;
	for (c = n->children; c != NULL; c = c->next)
		if (nx_xml_is(c, local))
			return c;
	return NULL;
}

char *nx_xml_attr(const xmlNode *n, const char *local)
{
	const xmlAttr *a = NULL;

	if (n == NULL)
		return NULL;
	for (a = n->properties; a != NULL; a = a->next) {
		if (a->name != NULL && nx_strcaseeq((const char *)a->name, local)) {
			xmlChar *v = xmlNodeGetContent((const xmlNode *)a);
			char *s = v != NULL ? strdup((const char *)v) : NULL;

			xmlFree(v);
			return s;
		}
	}
	return NULL;
}

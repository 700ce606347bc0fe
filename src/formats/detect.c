/*
 * detect.c - which format a document is in, and handing it to its parser.
 *
 * nx_detect() looks at the content only (never a file name): the WARC
 * magic, the root element of XML and HTML, ANPA's control codes, JSON's
 * first character, and otherwise plain text unless the bytes look binary.  The order of its
 * tests matters (an XHTML page is XML, an RSS item holds HTML), so it is
 * one function; formats[] then says, for each detected format, its name,
 * its parser, and whether a document must give an article.
 */
#include "formats/format.h"

#include <string.h>

#include "util/buf.h"
#include "util/text.h"

#define NX_MAX_DEPTH 4

typedef struct nx_format_entry {
	nx_format fmt;
	const char *name;    /* static, the origin.format of its articles */
	nx_parser_fn parse;  /* NULL: detected but never parsed */
	int single;          /* a top-level document holds an article: none is an error */
} nx_format_entry;

static const nx_format_entry formats[] = {
	{ NX_FMT_TEXT, "text", nx_parse_text, 1 },
	{ NX_FMT_HTML, "html", nx_parse_html, 1 },
	{ NX_FMT_RSS, "rss", nx_parse_feed, 0 },
	{ NX_FMT_ATOM, "atom", nx_parse_feed, 0 },
	{ NX_FMT_NITF, "nitf", nx_parse_nitf, 1 },
	{ NX_FMT_NEWSML, "newsml", nx_parse_newsml, 0 },
	{ NX_FMT_WARC, "warc", nx_parse_warc, 0 },
	{ NX_FMT_JSONL, "jsonl", nx_parse_jsonl, 0 },
	{ NX_FMT_SGML, "sgml", nx_parse_sgml, 0 },
	{ NX_FMT_BINARY, "binary", NULL, 0 },
	{ NX_FMT_ANPA, "anpa", nx_parse_anpa, 1 },
};

static const nx_format_entry *format_entry(nx_format f)
{
	size_t i = 0;

	for (i = 0; i < sizeof(formats) / sizeof(formats[0]); i++)
		if (formats[i].fmt == f)
			return &formats[i];
	return NULL;
}

const char *nx_format_name(nx_format f)
{
	const nx_format_entry *e = format_entry(f);

	return e != NULL ? e->name : "unknown";
}

/* Skip BOM, white space, <?xml?>, comments and DOCTYPE; return the root tag name. */
static size_t root_element(const char *d, size_t len, size_t *name_at)
{
	size_t i = 0, n = 0;
	int guard = 0;

	if (len >= 3 && memcmp(d, "\xEF\xBB\xBF", 3) == 0)
		i = 3;
	while (i < len && guard++ < 64) {
		while (i < len && nx_isspace((unsigned char)d[i]))
			i++;
		if (i >= len || d[i] != '<')
			return 0;
		if (i + 4 <= len && memcmp(d + i, "<!--", 4) == 0) {
			const char *e = NULL;
			size_t k = 0;

			for (k = i + 4; k + 3 <= len; k++)
				if (memcmp(d + k, "-->", 3) == 0) {
					e = d + k;
					break;
				}
			if (e == NULL)
				return 0;
			i = (size_t)(e - d) + 3;
			continue;
		}
		if (i + 1 < len && (d[i + 1] == '?' || d[i + 1] == '!')) {
			/* <?xml ...?> or <!DOCTYPE ...> (internal subsets: skip to ]> ) */
			size_t k = i + 2;
			int depth = 0;

			for (; k < len; k++) {
				if (d[k] == '[')
					depth++;
				else if (d[k] == ']')
					depth--;
				else if (d[k] == '>' && depth <= 0)
					break;
			}
			if (i + 9 <= len && nx_startswith_ci(d + i, len - i, "<!DOCTYPE")) {
				size_t q = i + 9;

				while (q < len && nx_isspace((unsigned char)d[q]))
					q++;
				*name_at = q;
				n = 0;
				while (q + n < len && (nx_isalnum((unsigned char)d[q + n]) || d[q + n] == ':' ||
						       d[q + n] == '-' || d[q + n] == '_'))
					n++;
				if (n > 0 && (nx_startswith_ci(d + q, len - q, "html") ||
					      nx_startswith_ci(d + q, len - q, "lewis")))
					return n;
			}
			i = k + 1;
			continue;
		}
		*name_at = i + 1;
		for (n = 0; i + 1 + n < len; n++) {
			char c = d[i + 1 + n];

			if (!(nx_isalnum((unsigned char)c) || c == ':' || c == '-' || c == '_' || c == '.'))
				break;
		}
		return n;
	}
	return 0;
}

static int name_is(const char *s, size_t n, const char *want)
{
	const char *colon = memchr(s, ':', n);

	/* ignore a namespace prefix: "atom:feed" */
	if (colon != NULL && strchr(want, ':') == NULL) {
		n -= (size_t)(colon + 1 - s);
		s = colon + 1;
	}
	return strlen(want) == n && nx_strncaseeq(s, want, n);
}

static int looks_binary(const char *d, size_t len)
{
	size_t i = 0, bad = 0, n = 0, ctl = 0, lim = len < 8192 ? len : 8192;
	uint32_t cp = 0;

	while (i < lim) {
		unsigned char c = (unsigned char)d[i];

		if (c == 0)
			return 1;
		if (c < 0x20 && c != '\n' && c != '\r' && c != '\t' && c != '\f')
			ctl++;
		if (c >= 0x80) {
			n = nx_utf8_decode(d + i, len - i, &cp);
			if (cp == 0xFFFD && n == 1)
				bad++;
			i += n;
		} else {
			i++;
		}
	}
	/* Legacy 8-bit text has some invalid UTF-8; junk has lots of controls. */
	return ctl * 20 > lim || (bad * 4 > lim && lim > 64);
}

/*
 * Markup of a whole HTML document in the first kilobytes, behind junk or
 * a mangled byte order mark ("\xC3\xAF\xC2\xBB\xC2\xBF<html>"): a start
 * tag of html, head or body (or an HTML doctype) and an end tag.
 */
static int html_markup_near_top(const char *d, size_t len)
{
	static const char *const starts[] = { "<html>", "<html ", "<head>", "<head ", "<body>",
					      "<body ", "<!doctype html", NULL };
	size_t lim = len < 4096 ? len : 4096, i = 0;

	for (i = 0; starts[i] != NULL; i++)
		if (nx_memcasemem(d, lim, starts[i]) != NULL)
			return nx_memcasemem(d, len < 65536 ? len : 65536, "</") != NULL;
	return 0;
}

nx_format nx_detect(const char *d, size_t len)
{
	size_t at = 0, n = 0, i = 0, lim = len < 65536 ? len : 65536;

	if (len == 0)
		return NX_FMT_UNKNOWN;
	if (len >= 5 && memcmp(d, "WARC/", 5) == 0)
		return NX_FMT_WARC;
	/* ARC, the format before WARC: the WARC parser reports it unsupported */
	if (len >= 11 && memcmp(d, "filedesc://", 11) == 0)
		return NX_FMT_WARC;
	n = root_element(d, len, &at);
	if (n > 0) {
		const char *r = d + at;

		if (name_is(r, n, "rss") || name_is(r, n, "rdf:RDF") || name_is(r, n, "RDF"))
			return NX_FMT_RSS;
		if (name_is(r, n, "feed"))
			return NX_FMT_ATOM;
		if (name_is(r, n, "nitf"))
			return NX_FMT_NITF;
		if (name_is(r, n, "newsItem") || name_is(r, n, "newsMessage") ||
		    name_is(r, n, "packageItem") || name_is(r, n, "NewsML") ||
		    name_is(r, n, "knowledgeItem") || name_is(r, n, "conceptItem") ||
		    name_is(r, n, "planningItem") || name_is(r, n, "catalogItem"))
			return NX_FMT_NEWSML;
		if (name_is(r, n, "lewis") || name_is(r, n, "REUTERS"))
			return NX_FMT_SGML;
		if (name_is(r, n, "html") || name_is(r, n, "head") || name_is(r, n, "body") ||
		    name_is(r, n, "meta") || name_is(r, n, "div") || name_is(r, n, "article") ||
		    name_is(r, n, "title") || name_is(r, n, "p") || name_is(r, n, "link") ||
		    name_is(r, n, "script"))
			return NX_FMT_HTML;
		if (nx_memcasemem(d, lim, "<html") != NULL || nx_memcasemem(d, lim, "<body") != NULL)
			return NX_FMT_HTML;
	}
	if (nx_anpa__detect(d, len))
		return NX_FMT_ANPA; /* before the test for binary: its control codes */
	if (looks_binary(d, len))
		return NX_FMT_BINARY;
	/* JSON Lines: first non-blank character (after a BOM) is '{' */
	i = len >= 3 && memcmp(d, "\xEF\xBB\xBF", 3) == 0 ? 3 : 0;
	for (; i < len && nx_isspace((unsigned char)d[i]); i++)
		;
	if (i < len && d[i] == '{')
		return NX_FMT_JSONL;
	/* a JSON array of article objects */
	if (i < len && d[i] == '[') {
		size_t k = i + 1;

		while (k < len && nx_isspace((unsigned char)d[k]))
			k++;
		if (k < len && d[k] == '{')
			return NX_FMT_JSONL;
	}
	if (i < len && d[i] == '<') {
		if (nx_memcasemem(d, lim, "<html") != NULL || nx_memcasemem(d, lim, "<p>") != NULL)
			return NX_FMT_HTML;
		return NX_FMT_UNKNOWN;
	}
	if (html_markup_near_top(d, len))
		return NX_FMT_HTML;
	return NX_FMT_TEXT;
}

/* 1 (little-endian) or 2 (big-endian) when data starts with a UTF-16 byte order mark. */
static int utf16_bom(const char *d, size_t len)
{
	if (len < 2)
		return 0;
	if ((unsigned char)d[0] == 0xFF && (unsigned char)d[1] == 0xFE)
		return 1;
	if ((unsigned char)d[0] == 0xFE && (unsigned char)d[1] == 0xFF)
		return 2;
	return 0;
}

/*
 * UTF-16 (after its byte order mark) to UTF-8, so that detection and every
 * parser see one encoding.  Unpaired surrogates become U+FFFD, an odd last
 * byte is dropped.
 */
static int utf16_to_utf8(nx_buf *out, const char *d, size_t len, int big_endian)
{
	size_t i = 2;

	if (nx_buf_grow(out, len / 2 * 3 + 1) < 0)
		return NX_ENOMEM;
	while (i + 1 < len) {
		const unsigned char *p = (const unsigned char *)d + i;
		uint32_t u = big_endian ? (uint32_t)(p[0] << 8 | p[1]) : (uint32_t)(p[1] << 8 | p[0]);

		i += 2;
		if (u >= 0xD800 && u <= 0xDBFF && i + 1 < len) {
			const unsigned char *q = (const unsigned char *)d + i;
			uint32_t lo = big_endian ? (uint32_t)(q[0] << 8 | q[1]) : (uint32_t)(q[1] << 8 | q[0]);

			if (lo >= 0xDC00 && lo <= 0xDFFF) {
				u = 0x10000 + ((u - 0xD800) << 10) + (lo - 0xDC00);
				i += 2;
			} else {
				u = 0xFFFD;
			}
		} else if (u >= 0xD800 && u <= 0xDFFF) {
			u = 0xFFFD;
		}
		nx_utf8_put(out, u);
	}
	return nx_buf_ok(out) ? NX_OK : NX_ENOMEM;
}

typedef struct counting {
	nx_article_cb cb;
	void *ctx;
	size_t n;
} counting;

static int count_article(nx_article *a, void *ctx)
{
	counting *c = ctx;

	c->n++;
	return c->cb(a, c->ctx);
}

int nx_format__dispatch(const nx_input *in, nx_article_cb cb, void *ctx, nx_error *err)
{
	nx_format f = NX_FMT_UNKNOWN;
	const nx_format_entry *fmt = NULL;
	nx_parser_fn fn = NULL;
	int bom = 0, rc = NX_OK;

	if (in->depth > NX_MAX_DEPTH)
		return nx_error_set(err, NX_EFORMAT, "documents nested too deeply");
	if (in->len == 0)
		return nx_error_set(err, NX_EFORMAT, "empty file");
	bom = utf16_bom(in->data, in->len);
	if (bom != 0) {
		nx_buf u8 = NX_BUF_INIT;
		nx_input conv = *in;

		if (utf16_to_utf8(&u8, in->data, in->len, bom == 2) < 0) {
			nx_buf_free(&u8);
			return nx_error_set(err, NX_ENOMEM, "out of memory");
		}
		if (u8.len == 0) {
			nx_buf_free(&u8);
			return nx_error_set(err, NX_EFORMAT, "empty file (only a UTF-16 byte order mark)");
		}
		conv.data = u8.buf;
		conv.len = u8.len;
		conv.depth = in->depth + 1;
		rc = nx_format__dispatch(&conv, cb, ctx, err);
		nx_buf_free(&u8);
		return rc;
	}
	f = nx_detect(in->data, in->len);
	fmt = format_entry(f);
	if (f == NX_FMT_BINARY)
		return nx_error_set(err, NX_EFORMAT, "binary data, not an article");
	if (fmt == NULL || fmt->parse == NULL)
		return nx_error_set(err, NX_EFORMAT, "unrecognised format");
	fn = fmt->parse;
	if (in->depth == 0 && fmt->single) {
		/* one document, one article: finding none is an error, not silence
		   (containers such as feeds and WARCs may hold none) */
		counting cn = { cb, ctx, 0 };

		rc = fn(in, count_article, &cn, err);
		if (rc == NX_OK && cn.n == 0)
			rc = nx_error_set(err, NX_EFORMAT, "this %s document has neither a title nor text",
					  nx_format_name(f));
		return rc;
	}
	return fn(in, cb, ctx, err);
}

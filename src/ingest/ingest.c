#include "formats/format.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <zlib.h>

#include "util/buf.h"
#include "util/text.h"
#include "article/lang.h"
#include "index/tokenizer.h"

#define NX_MAX_DEPTH 4

/* gzip data inflating more than NX_BOMB_RATIO times, past NX_BOMB_FLOOR bytes, is a bomb */
#define NX_BOMB_RATIO 500
#define NX_BOMB_FLOOR ((size_t)32 << 20)

const char *nx_format_name(nx_format f)
{
	switch (f) {
	case NX_FMT_TEXT: return "text";
	case NX_FMT_HTML: return "html";
	case NX_FMT_RSS: return "rss";
	case NX_FMT_ATOM: return "atom";
	case NX_FMT_NITF: return "nitf";
	case NX_FMT_NEWSML: return "newsml";
	case NX_FMT_WARC: return "warc";
	case NX_FMT_JSONL: return "jsonl";
	case NX_FMT_SGML: return "sgml";
	case NX_FMT_BINARY: return "binary";
	default: return "unknown";
	}
}

int nx_is_gzip(const char *data, size_t len)
{
	return len >= 2 && (unsigned char)data[0] == 0x1f && (unsigned char)data[1] == 0x8b;
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
	return NX_FMT_TEXT;
}

int nx_gunzip(char **out, size_t *outlen, const char *data, size_t len, size_t max, nx_error *err)
{
	z_stream zs;
	nx_buf b = NX_BUF_INIT;
	size_t pos = 0;
	int zrc = Z_OK, rc = NX_OK;

	*out = NULL;
	*outlen = 0;
	memset(&zs, 0, sizeof(zs));
	if (inflateInit2(&zs, 15 + 32) != Z_OK)
		return nx_error_set(err, NX_ENOMEM, "out of memory");
	while (pos < len) {
		zs.next_in = (Bytef *)(data + pos);
		zs.avail_in = (uInt)((len - pos) > (1u << 30) ? (1u << 30) : (len - pos));
		do {
			if (nx_buf_grow(&b, 65536) < 0) {
				rc = nx_error_set(err, NX_ENOMEM, "out of memory");
				goto done;
			}
			zs.next_out = (Bytef *)(b.buf + b.len);
			zs.avail_out = 65536;
			zrc = inflate(&zs, Z_NO_FLUSH);
			b.len += 65536 - zs.avail_out;
			b.buf[b.len] = '\0';
			if (b.len > max) {
				rc = nx_error_set(err, NX_ETOOBIG,
						  "gzip data inflates to more than %zu MB (limit)", max >> 20);
				goto done;
			}
			/* text compresses 3 to 20 times; only a bomb nears deflate's
			   1032:1 maximum: stop it before it fills max_inflated */
			if (b.len > NX_BOMB_FLOOR &&
			    b.len / ((size_t)((const char *)zs.next_in - data) + 1) > NX_BOMB_RATIO) {
				rc = nx_error_set(err, NX_ETOOBIG,
						  "gzip bomb: %zu KB inflate to more than %zu MB", len >> 10,
						  b.len >> 20);
				goto done;
			}
		} while (zrc == Z_OK && zs.avail_out == 0);
		pos = (size_t)((const char *)zs.next_in - data);
		if (zrc == Z_STREAM_END) {
			/* another member may follow; trailing zero padding is fine */
			while (pos < len && data[pos] == '\0')
				pos++;
			if (pos >= len)
				break;
			if (!nx_is_gzip(data + pos, len - pos)) {
				break; /* trailing garbage after a complete member: ignore */
			}
			inflateReset(&zs);
			continue;
		}
		if ((zrc == Z_OK || zrc == Z_BUF_ERROR) && zs.avail_in == 0) {
			rc = nx_error_set(err, NX_EFORMAT, "truncated gzip data (after %zu bytes)", b.len);
			goto done;
		}
		if (zrc != Z_OK) {
			rc = nx_error_set(err, NX_EFORMAT, "corrupt gzip data: %s",
					  zs.msg != NULL ? zs.msg : "inflate failed");
			goto done;
		}
	}
	if (zrc != Z_STREAM_END && rc == NX_OK)
		rc = nx_error_set(err, NX_EFORMAT, "truncated gzip data (after %zu bytes)", b.len);
done:
	inflateEnd(&zs);
	if (rc == NX_OK || rc == NX_EFORMAT) {
		*outlen = b.len;
		*out = nx_buf_detach(&b);
		if (*out == NULL)
			return nx_error_set(err, NX_ENOMEM, "out of memory");
	} else {
		nx_buf_free(&b);
	}
	return rc;
}

static int parse_unsupported(const nx_input *in, nx_article_cb cb, void *ctx, nx_error *err)
{
	(void)in; (void)cb; (void)ctx;
	return nx_error_set(err, NX_EFORMAT, "format not supported");
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

int nx_ingest__dispatch(const nx_input *in, nx_article_cb cb, void *ctx, nx_error *err)
{
	nx_format f = NX_FMT_UNKNOWN;
	nx_parser_fn fn = parse_unsupported;
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
		rc = nx_ingest__dispatch(&conv, cb, ctx, err);
		nx_buf_free(&u8);
		return rc;
	}
	f = nx_detect(in->data, in->len);
	switch (f) {
	case NX_FMT_TEXT: fn = nx_parse_text; break;
	case NX_FMT_HTML: fn = nx_parse_html; break;
	case NX_FMT_RSS:
	case NX_FMT_ATOM: fn = nx_parse_feed; break;
	case NX_FMT_NITF: fn = nx_parse_nitf; break;
	case NX_FMT_NEWSML: fn = nx_parse_newsml; break;
	case NX_FMT_WARC: fn = nx_parse_warc; break;
	case NX_FMT_JSONL: fn = nx_parse_jsonl; break;
	case NX_FMT_SGML: fn = nx_parse_sgml; break;
	case NX_FMT_BINARY:
		return nx_error_set(err, NX_EFORMAT, "binary data, not an article");
	default:
		return nx_error_set(err, NX_EFORMAT, "unrecognised format");
	}
	if (in->depth == 0 && (f == NX_FMT_TEXT || f == NX_FMT_HTML || f == NX_FMT_NITF)) {
		/* one document, one article: finding none is an error, not silence
		   (containers such as feeds and WARCs may hold none) */
		counting cn = { cb, ctx, 0 };

		rc = fn(in, count_article, &cn, err);
		if (rc == NX_OK && cn.n == 0)
			rc = nx_error_set(err, NX_EFORMAT, "no article found in this %s document (no title and no text)",
					  nx_format_name(f));
		return rc;
	}
	return fn(in, cb, ctx, err);
}

/*
 * The last guard of "every stored string is valid UTF-8": a field a parser
 * copied from the input without cleaning (a credit, a record id) is
 * cleaned here; invalid bytes become U+FFFD.
 */
static int ensure_utf8(char **field)
{
	nx_buf b = NX_BUF_INIT;

	if (*field == NULL || nx_utf8_valid(*field, strlen(*field)))
		return NX_OK;
	nx_text_clean(&b, *field, strlen(*field));
	if (!nx_buf_ok(&b)) {
		nx_buf_free(&b);
		return NX_ENOMEM;
	}
	free(*field);
	*field = nx_buf_detach(&b);
	return *field == NULL ? NX_ENOMEM : NX_OK;
}

static int ensure_utf8_article(nx_article *a)
{
	size_t i = 0;
	int rc = NX_OK;

	rc |= ensure_utf8(&a->url);
	rc |= ensure_utf8(&a->source);
	rc |= ensure_utf8(&a->title);
	rc |= ensure_utf8(&a->section);
	rc |= ensure_utf8(&a->lang);
	rc |= ensure_utf8(&a->origin.record_id);
	for (i = 0; i < a->nauthors; i++)
		rc |= ensure_utf8(&a->authors[i]);
	for (i = 0; i < a->nparas; i++)
		rc |= ensure_utf8(&a->paras[i]);
	for (i = 0; i < a->nphotos; i++) {
		rc |= ensure_utf8(&a->photos[i].agency);
		rc |= ensure_utf8(&a->photos[i].photographer);
		rc |= ensure_utf8(&a->photos[i].caption);
		rc |= ensure_utf8(&a->photos[i].url);
	}
	return rc != NX_OK ? NX_ENOMEM : NX_OK;
}

int nx_ingest__emit(nx_article *a, const nx_input *in, const char *format,
		    nx_article_cb cb, void *ctx, nx_error *err)
{
	int rc = NX_OK;

	if (a->title == NULL && a->nparas == 0)
		goto done;
	if (a->title == NULL && a->url == NULL)
		goto done;
	if (a->url == NULL && in->url != NULL && (rc = nx_article_set(&a->url, in->url, -1)) < 0)
		goto oom;
	if (in->path != NULL && a->origin.path == NULL) {
		a->origin.path = strdup(in->path);
		if (a->origin.path == NULL)
			goto oom;
	}
	if (a->origin.offset < 0)
		a->origin.offset = in->offset;
	if (a->origin.record_id == NULL && in->record_id != NULL) {
		a->origin.record_id = strdup(in->record_id);
		if (a->origin.record_id == NULL)
			goto oom;
	}
	if (a->origin.format == NULL)
		a->origin.format = format;
	if (a->origin.raw == NULL) {
		a->origin.raw = in->data;
		a->origin.rawlen = in->len;
	}
	if (!a->captured.set) {
		if (in->captured.set) {
			a->captured = in->captured;
		} else {
			a->captured.set = 1;
			a->captured.has_time = 1;
			a->captured.utc = in->opts != NULL && in->opts->now != 0 ? in->opts->now : (int64_t)time(NULL);
		}
	}
	if ((rc = ensure_utf8_article(a)) < 0)
		goto oom;
	if (a->lang != NULL)
		nx_lang_normalize(a->lang);
	if (a->lang == NULL || a->lang[0] == '\0') {
		char *body = nx_article_body(a);
		const char *g = NULL;

		if (body == NULL)
			goto oom;
		g = nx_lang_guess(body, strlen(body));
		if (g == NULL && a->title != NULL)
			g = nx_lang_guess(a->title, strlen(a->title));
		free(body);
		if ((rc = nx_article_set(&a->lang, g, -1)) < 0)
			goto oom;
	}
	if ((rc = nx_article_identify(a, err)) < 0)
		goto done;
	rc = cb(a, ctx);
	goto done;
oom:
	rc = nx_error_set(err, NX_ENOMEM, "out of memory");
done:
	nx_article_free(a);
	return rc;
}

/* 1 when the gzip data at data[0..len) inflates to text starting with prefix. */
static int gzip_starts_with(const char *data, size_t len, const char *prefix)
{
	z_stream zs;
	char head[16];
	size_t n = strlen(prefix);
	int ok = 0;

	memset(&zs, 0, sizeof(zs));
	if (n > sizeof(head) || inflateInit2(&zs, 15 + 16) != Z_OK)
		return 0;
	zs.next_in = (Bytef *)data;
	zs.avail_in = (uInt)(len > 65536 ? 65536 : len);
	zs.next_out = (Bytef *)head;
	zs.avail_out = (uInt)n;
	(void)inflate(&zs, Z_SYNC_FLUSH);
	ok = zs.avail_out == 0 && memcmp(head, prefix, n) == 0;
	inflateEnd(&zs);
	return ok;
}

/*
 * Parsers quote the input in their messages ("root element is <...>",
 * "Content-Length '...' is not a size"); the CLI prints them on one line
 * to a terminal.  Invalid UTF-8 becomes U+FFFD and control characters
 * (newlines, escape sequences, C1 controls) become '?', so a message stays
 * one harmless line.
 */
static void clean_message(nx_error *err)
{
	nx_buf b = NX_BUF_INIT;
	size_t i = 0, n = 0, len = 0;
	uint32_t cp = 0;

	if (err == NULL)
		return;
	len = strnlen(err->msg, sizeof(err->msg));
	if (len == sizeof(err->msg))
		len--;
	while (i < len) {
		n = nx_utf8_decode(err->msg + i, len - i, &cp);
		if (cp < 0x20 || cp == 0x7F || (cp >= 0x80 && cp < 0xA0))
			nx_buf_addch(&b, '?');
		else
			nx_utf8_put(&b, cp);
		i += n > 0 ? n : 1;
	}
	if (!nx_buf_ok(&b)) {
		nx_buf_free(&b);
		return;
	}
	/* cut at a character boundary */
	len = b.len < sizeof(err->msg) - 1 ? b.len : sizeof(err->msg) - 1;
	while (len > 0 && len < b.len && ((unsigned char)b.buf[len] & 0xC0) == 0x80)
		len--;
	memcpy(err->msg, b.buf, len);
	err->msg[len] = '\0';
	nx_buf_free(&b);
}

static int ingest_buffer(const char *data, size_t len, const char *path,
			 const nx_ingest_opts *opts, nx_article_cb cb, void *ctx, nx_error *err);

int nx_ingest_buffer(const char *data, size_t len, const char *path,
		     const nx_ingest_opts *opts, nx_article_cb cb, void *ctx, nx_error *err)
{
	int rc = ingest_buffer(data, len, path, opts, cb, ctx, err);

	if (rc < 0)
		clean_message(err);
	return rc;
}

static int ingest_buffer(const char *data, size_t len, const char *path,
			 const nx_ingest_opts *opts, nx_article_cb cb, void *ctx, nx_error *err)
{
	nx_ingest_opts defaults = NX_INGEST_OPTS_INIT;
	nx_input in;
	char *plain = NULL;
	size_t plainlen = 0;
	int rc = NX_OK, zrc = NX_OK;
	nx_error zerr = NX_ERROR_INIT;

	if (opts == NULL)
		opts = &defaults;
	memset(&in, 0, sizeof(in));
	in.path = path;
	in.offset = -1;
	in.opts = opts;
	if (len == 0)
		return nx_error_set(err, NX_EFORMAT, "empty file");
	if (nx_is_gzip(data, len) && gzip_starts_with(data, len, "WARC/")) {
		/* a .warc.gz: records are inflated one member at a time, each
		   bounded by max_inflated, so the whole file need not fit it */
		in.data = data;
		in.len = len;
		rc = nx_parse_warc(&in, cb, ctx, err);
		goto done;
	}
	if (nx_is_gzip(data, len) && !(len >= 5 && memcmp(data, "WARC/", 5) == 0)) {
		zrc = nx_gunzip(&plain, &plainlen, data, len, opts->max_inflated, &zerr);
		if (zrc < 0 && (zrc != NX_EFORMAT || plainlen == 0)) {
			if (err != NULL)
				*err = zerr;
			rc = zrc;
			goto done;
		}
		/* a WARC keeps its per-record gzip members: hand over the original */
		if (plainlen >= 5 && memcmp(plain, "WARC/", 5) == 0) {
			in.data = data;
			in.len = len;
			rc = nx_parse_warc(&in, cb, ctx, err);
			goto done;
		}
		in.data = plain;
		in.len = plainlen;
	} else {
		in.data = data;
		in.len = len;
	}
	if (in.len == 0) {
		rc = nx_error_set(err, NX_EFORMAT, "empty file");
		goto done;
	}
	rc = nx_ingest__dispatch(&in, cb, ctx, err);
	if (rc == NX_OK && zrc < 0) {
		/* parsed what the truncated gzip held; still report it */
		if (err != NULL)
			*err = zerr;
		rc = zrc;
	}
done:
	free(plain);
	return rc;
}

static int read_all(char **out, size_t *outlen, int fd, const char *path, size_t max, nx_error *err)
{
	nx_buf b = NX_BUF_INIT;
	ssize_t n = 0;
	struct stat st;

	*out = NULL;
	*outlen = 0;
	if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode)) {
		if ((uint64_t)st.st_size > max)
			return nx_error_set(err, NX_ETOOBIG, "file is larger than %zu MB (limit)", max >> 20);
		if (nx_buf_grow(&b, (size_t)st.st_size + 1) < 0)
			return nx_error_set(err, NX_ENOMEM, "out of memory reading %lld bytes", (long long)st.st_size);
	} else if (fstat(fd, &st) == 0 && S_ISDIR(st.st_mode)) {
		return nx_error_set(err, NX_EIO, "is a directory");
	}
	for (;;) {
		if (nx_buf_grow(&b, 65536) < 0) {
			nx_buf_free(&b);
			return nx_error_set(err, NX_ENOMEM, "out of memory");
		}
		n = read(fd, b.buf + b.len, b.alloc - b.len - 1);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			nx_buf_free(&b);
			return nx_error_set(err, NX_EIO, "cannot read: %s", strerror(errno));
		}
		if (n == 0)
			break;
		b.len += (size_t)n;
		b.buf[b.len] = '\0';
		if (b.len > max) {
			nx_buf_free(&b);
			return nx_error_set(err, NX_ETOOBIG, "input is larger than %zu MB (limit)", max >> 20);
		}
	}
	(void)path;
	*outlen = b.len;
	*out = nx_buf_detach(&b);
	return *out == NULL ? nx_error_set(err, NX_ENOMEM, "out of memory") : NX_OK;
}

/*
 * A WARC file (plain, or gzip whose first member inflates to "WARC/") is
 * read a record at a time rather than whole, so its size is not limited by
 * max_file nor by memory.  Returns 1 when fd holds one (*rc: the result),
 * 0 when it is to be read whole.  fd is a regular file at offset 0.
 */
static int ingest_warc_fd(int *rc, int fd, const char *path, const nx_ingest_opts *opts,
			  nx_article_cb cb, void *ctx, nx_error *err)
{
	char *head = NULL;
	size_t len = 0;
	ssize_t n = 0;
	int warc = 0;

	head = malloc(65536);
	if (head == NULL) {
		*rc = nx_error_set(err, NX_ENOMEM, "out of memory");
		return 1;
	}
	/* the first 64 KB decide, as they do for nx_ingest_buffer() */
	while (len < 65536) {
		n = pread(fd, head + len, 65536 - len, (off_t)len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		len += (size_t)n;
	}
	warc = (len >= 5 && memcmp(head, "WARC/", 5) == 0) ||
	       (nx_is_gzip(head, len) && gzip_starts_with(head, len, "WARC/"));
	free(head);
	if (!warc)
		return 0;
	*rc = nx_parse_warc_fd(fd, path, opts, cb, ctx, err);
	if (*rc < 0)
		clean_message(err);
	return 1;
}

int nx_ingest_file(const char *path, const nx_ingest_opts *opts,
		   nx_article_cb cb, void *ctx, nx_error *err)
{
	nx_ingest_opts defaults = NX_INGEST_OPTS_INIT;
	char *data = NULL;
	size_t len = 0;
	int fd = -1, rc = NX_OK;

	if (opts == NULL)
		opts = &defaults;
	if (strcmp(path, "-") == 0) {
		fd = STDIN_FILENO;
	} else {
		fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
		if (fd < 0)
			return nx_error_set(err, NX_EIO, "cannot open: %s", strerror(errno));
		/* a FIFO or device given by mistake must not hang us */
		{
			struct stat st;

			if (fstat(fd, &st) == 0 && !S_ISREG(st.st_mode)) {
				close(fd);
				return nx_error_set(err, NX_EIO, S_ISDIR(st.st_mode) ? "is a directory" :
						    "not a regular file");
			}
		}
		fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK);
		if (ingest_warc_fd(&rc, fd, path, opts, cb, ctx, err)) {
			close(fd);
			return rc;
		}
	}
	rc = read_all(&data, &len, fd, path, opts->max_file, err);
	if (fd != STDIN_FILENO)
		close(fd);
	if (rc < 0)
		return rc;
	rc = nx_ingest_buffer(data, len, strcmp(path, "-") == 0 ? "<stdin>" : path, opts, cb, ctx, err);
	free(data);
	return rc;
}

/* Directory walking, with loop detection through (dev, ino) of the open chain. */

typedef struct walk_frame {
	dev_t dev;
	ino_t ino;
	struct walk_frame *up;
} walk_frame;

static int cmp_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int walk_dir(const char *path, const struct stat *st, walk_frame *up,
		    nx_walk_cb cb, void *ctx, int depth)
{
	walk_frame me = { st->st_dev, st->st_ino, up };
	walk_frame *f = NULL;
	DIR *dir = NULL;
	struct dirent *de = NULL;
	char **names = NULL;
	size_t n = 0, cap = 0, i = 0;
	char msg[256];
	int rc = 0;

	for (f = up; f != NULL; f = f->up) {
		if (f->dev == st->st_dev && f->ino == st->st_ino)
			return cb(path, NULL, ELOOP, "symbolic link loop, skipped", ctx);
	}
	if (depth > 64)
		return cb(path, NULL, ELOOP, "folders nested too deeply, skipped", ctx);
	dir = opendir(path);
	if (dir == NULL) {
		snprintf(msg, sizeof(msg), "cannot open folder: %s", strerror(errno));
		return cb(path, NULL, errno, msg, ctx);
	}
	while ((de = readdir(dir)) != NULL) {
		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		if (n == cap) {
			char **p = realloc(names, (cap = cap ? cap * 2 : 64) * sizeof(*names));

			if (p == NULL) {
				rc = NX_ENOMEM;
				goto done;
			}
			names = p;
		}
		names[n] = strdup(de->d_name);
		if (names[n] == NULL) {
			rc = NX_ENOMEM;
			goto done;
		}
		n++;
	}
	if (n > 1)
		qsort(names, n, sizeof(*names), cmp_names);
	for (i = 0; i < n && rc == 0; i++) {
		nx_buf child = NX_BUF_INIT;
		struct stat cst;

		nx_buf_addf(&child, "%s%s%s", path, path[strlen(path) - 1] == '/' ? "" : "/", names[i]);
		if (!nx_buf_ok(&child)) {
			rc = NX_ENOMEM;
			break;
		}
		if (stat(child.buf, &cst) < 0) {
			snprintf(msg, sizeof(msg), "cannot read: %s", strerror(errno));
			rc = cb(child.buf, NULL, errno, msg, ctx);
		} else if (S_ISDIR(cst.st_mode)) {
			rc = walk_dir(child.buf, &cst, &me, cb, ctx, depth + 1);
		} else if (S_ISREG(cst.st_mode)) {
			if (access(child.buf, R_OK) != 0) {
				snprintf(msg, sizeof(msg), "cannot read: %s", strerror(errno));
				rc = cb(child.buf, NULL, errno, msg, ctx);
			} else {
				rc = cb(child.buf, &cst, 0, NULL, ctx);
			}
		}
		/* sockets, FIFOs and devices inside an archive are skipped quietly */
		nx_buf_free(&child);
	}
done:
	for (i = 0; i < n; i++)
		free(names[i]);
	free(names);
	closedir(dir);
	return rc;
}

int nx_walk(const char *path, nx_walk_cb cb, void *ctx, nx_error *err)
{
	struct stat st;
	char msg[256];
	int rc = 0;

	if (strcmp(path, "-") == 0)
		return cb(path, NULL, 0, NULL, ctx);
	if (stat(path, &st) < 0) {
		snprintf(msg, sizeof(msg), "cannot read: %s", strerror(errno));
		rc = cb(path, NULL, errno, msg, ctx);
	} else if (S_ISDIR(st.st_mode)) {
		rc = walk_dir(path, &st, NULL, cb, ctx, 0);
	} else {
		rc = cb(path, &st, 0, NULL, ctx);
	}
	if (rc == NX_ENOMEM)
		return nx_error_set(err, NX_ENOMEM, "out of memory walking '%s'", path);
	return rc;
}

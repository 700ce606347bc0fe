/*
 * sgml.c - Reuters-21578 SGML collections.
 *
 * A file (reut2-NNN.sgm) holds many records of this shape, after an
 * optional <!DOCTYPE lewis SYSTEM "lewis.dtd">:
 *
 *	<REUTERS TOPICS="YES" ... OLDID="5544" NEWID="1">
 *	<DATE>26-FEB-1987 15:01:01.79</DATE>
 *	<TOPICS><D>cocoa</D></TOPICS>
 *	<PLACES><D>el-salvador</D>...</PLACES>
 *	<TEXT>&#2;
 *	<TITLE>BAHIA COCOA REVIEW</TITLE>
 *	<AUTHOR>    By Jane Doe, Reuters</AUTHOR>
 *	<DATELINE>    SALVADOR, Feb 26 - </DATELINE><BODY>Showers continued
 *	throughout the week in ... (hard-wrapped at 70 columns)
 *	    The dry period means ... (a new paragraph is indented)
 *	 Reuter
 *	&#3;</BODY></TEXT>
 *	</REUTERS>
 *
 * It is not well-formed XML (unescaped '<', control character references
 * such as &#2;, odd 8-bit bytes), so this is a small careful scanner over
 * (ptr, len), never a general SGML parser.  Each record with a title or a
 * body becomes one article: source "Reuters", lang "en", origin.record_id
 * the NEWID, origin.offset the byte offset of "<REUTERS", section the first
 * TOPICS entry.  TEXT TYPE="BRIEF" records give a title only; TEXT
 * TYPE="UNPROC" records have neither TITLE nor BODY: their first line is
 * taken as the title and the rest as the body.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/buf.h"
#include "article/credit.h"
#include "formats/format.h"
#include "util/text.h"

typedef struct span {
	const char *s;
	size_t len;
} span;

static const char *find_str(const char *s, size_t len, const char *needle)
{
	size_t n = strlen(needle);
	const char *p = s, *end = s + len;

	while ((size_t)(end - p) >= n) {
		const char *q = memchr(p, needle[0], (size_t)(end - p) - n + 1);

		if (q == NULL)
			return NULL;
		if (memcmp(q, needle, n) == 0)
			return q;
		p = q + 1;
	}
	return NULL;
}

/* "<REUTERS" followed by white space or '>' */
static const char *find_record(const char *s, size_t len)
{
	const char *p = s, *end = s + len, *q = NULL;

	while (p < end) {
		q = find_str(p, (size_t)(end - p), "<REUTERS");
		if (q == NULL)
			return NULL;
		if (q + 8 < end && (nx_isspace((unsigned char)q[8]) || q[8] == '>'))
			return q;
		p = q + 8;
	}
	return NULL;
}

/*
 * Content of the first <tag ...>...</tag> inside r.  Returns 1 when found
 * and closed, 0 when absent or unterminated.
 */
static int element(const span *r, const char *tag, span *out, span *attrs)
{
	char open[32], close[32];
	const char *p = r->s, *end = r->s + r->len, *q = NULL, *gt = NULL, *c = NULL;
	size_t n = 0;

	n = (size_t)snprintf(open, sizeof(open), "<%s", tag);
	snprintf(close, sizeof(close), "</%s>", tag);
	while (p < end) {
		q = find_str(p, (size_t)(end - p), open);
		if (q == NULL)
			return 0;
		if (q + n < end && (q[n] == '>' || nx_isspace((unsigned char)q[n])))
			break;
		p = q + n;
		q = NULL;
	}
	if (q == NULL)
		return 0;
	gt = memchr(q + n, '>', (size_t)(end - (q + n)));
	if (gt == NULL)
		return 0;
	c = find_str(gt + 1, (size_t)(end - (gt + 1)), close);
	if (c == NULL)
		return 0;
	out->s = gt + 1;
	out->len = (size_t)(c - (gt + 1));
	if (attrs != NULL) {
		attrs->s = q + n;
		attrs->len = (size_t)(gt - (q + n));
	}
	return 1;
}

/* Value of NAME="..." inside a start tag's attributes. */
static int attribute(const span *attrs, const char *name, span *out)
{
	size_t n = strlen(name), i = 0;

	for (i = 0; i + n + 1 < attrs->len; i++) {
		const char *v = NULL, *e = NULL;

		if ((i > 0 && !nx_isspace((unsigned char)attrs->s[i - 1])) ||
		    memcmp(attrs->s + i, name, n) != 0 || attrs->s[i + n] != '=')
			continue;
		v = attrs->s + i + n + 1;
		if (*v != '"')
			return 0;
		v++;
		e = memchr(v, '"', (size_t)(attrs->s + attrs->len - v));
		if (e == NULL)
			return 0;
		out->s = v;
		out->len = (size_t)(e - v);
		return 1;
	}
	return 0;
}

/* Append s[0..len) with &lt; &gt; &amp; &quot; &apos; &#NN; &#xNN; decoded. */
static void decode(nx_buf *b, const char *s, size_t len)
{
	size_t i = 0;

	while (i < len) {
		const char *amp = memchr(s + i, '&', len - i);
		size_t j = 0, k = 0;
		uint32_t cp = 0;

		if (amp == NULL) {
			nx_buf_add(b, s + i, len - i);
			return;
		}
		j = (size_t)(amp - s);
		nx_buf_add(b, s + i, j - i);
		i = j;
		if (nx_startswith_ci(s + j, len - j, "&lt;")) {
			nx_buf_addch(b, '<');
			i += 4;
		} else if (nx_startswith_ci(s + j, len - j, "&gt;")) {
			nx_buf_addch(b, '>');
			i += 4;
		} else if (nx_startswith_ci(s + j, len - j, "&amp;")) {
			nx_buf_addch(b, '&');
			i += 5;
		} else if (nx_startswith_ci(s + j, len - j, "&quot;")) {
			nx_buf_addch(b, '"');
			i += 6;
		} else if (nx_startswith_ci(s + j, len - j, "&apos;")) {
			nx_buf_addch(b, '\'');
			i += 6;
		} else if (j + 2 < len && s[j + 1] == '#') {
			int hex = s[j + 2] == 'x' || s[j + 2] == 'X';

			k = j + 2 + (hex ? 1 : 0);
			while (k < len && k - j < 12 &&
			       (nx_isdigit((unsigned char)s[k]) ||
				(hex && nx_isalpha((unsigned char)s[k]) &&
				 nx_tolower((unsigned char)s[k]) <= 'f'))) {
				int c = (unsigned char)s[k];
				uint32_t d = nx_isdigit(c) ? (uint32_t)(c - '0') : (uint32_t)(nx_tolower(c) - 'a' + 10);

				cp = cp * (hex ? 16u : 10u) + d;
				if (cp > 0x10FFFF)
					cp = 0x110000;
				k++;
			}
			if (k < len && s[k] == ';' && k > j + 2 + (hex ? 1u : 0u)) {
				if (cp == 0 || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
					cp = 0xFFFD;
				/* control characters (&#2; &#3; &#31;) become spaces */
				if (cp < 0x20 || cp == 0x7F)
					cp = ' ';
				nx_utf8_put(b, cp);
				i = k + 1;
			} else {
				nx_buf_addch(b, '&');
				i++;
			}
		} else {
			nx_buf_addch(b, '&');
			i++;
		}
	}
}

/* Trim ASCII white space at both ends of a span. */
static void trim(const char **s, size_t *len)
{
	while (*len > 0 && nx_isspace((unsigned char)**s)) {
		(*s)++;
		(*len)--;
	}
	while (*len > 0 && nx_isspace((unsigned char)(*s)[*len - 1]))
		(*len)--;
}

/*
 * Drop the wire signature at the end of a decoded body: "... said.\n
 * Reuter\n\x03" (the &#3; already became a space).
 */
static void strip_signature(nx_buf *b)
{
	size_t n = 0;

	nx_buf_trim(b);
	n = b->len;
	if (n >= 6 && nx_strncaseeq(b->buf + n - 6, "reuter", 6) &&
	    (n == 6 || nx_isspace((unsigned char)b->buf[n - 7])))
		nx_buf_truncate(b, n - 6);
	else if (n >= 7 && nx_strncaseeq(b->buf + n - 7, "reuters", 7) &&
		 (n == 7 || b->buf[n - 8] == '\n'))
		nx_buf_truncate(b, n - 7);
	nx_buf_trim(b);
}

/*
 * Split a hard-wrapped body into paragraphs: a line that starts with white
 * space, or follows a blank line, opens a new paragraph; other lines are
 * joined to the current one with a space.
 */
static int add_paras(nx_article *a, const char *s, size_t len)
{
	nx_buf p = NX_BUF_INIT;
	size_t i = 0;
	int rc = NX_OK, blank = 0;

	while (i <= len && rc == NX_OK) {
		const char *nl = i < len ? memchr(s + i, '\n', len - i) : NULL;
		size_t e = nl != NULL ? (size_t)(nl - s) : len;
		const char *l = s + i;
		size_t n = e - i;
		int indent = n > 0 && (l[0] == ' ' || l[0] == '\t');

		trim(&l, &n);
		if (n == 0) {
			blank = 1;
		} else {
			if ((indent || blank) && p.len > 0) {
				rc = nx_buf_ok(&p) ? nx_article_add_para(a, p.buf, (long)p.len) : NX_ENOMEM;
				nx_buf_reset(&p);
			}
			if (p.len > 0)
				nx_buf_addch(&p, ' ');
			nx_buf_add(&p, l, n);
			blank = 0;
		}
		i = e + 1;
	}
	if (rc == NX_OK && p.len > 0)
		rc = nx_buf_ok(&p) ? nx_article_add_para(a, p.buf, (long)p.len) : NX_ENOMEM;
	nx_buf_free(&p);
	return rc;
}

/* "By Jane Doe and John Roe, Reuters" -> authors */
static int add_authors(nx_article *a, const char *s, size_t len)
{
	size_t i = 0, start = 0;
	int rc = NX_OK;

	trim(&s, &len);
	if (nx_startswith_ci(s, len, "by ")) {
		s += 3;
		len -= 3;
	}
	for (i = 0; i <= len && rc == NX_OK; i++) {
		int and = i + 5 <= len && nx_strncaseeq(s + i, " and ", 5);
		const char *p = s + start;
		size_t n = 0;
		char *name = NULL;

		if (i < len && s[i] != ',' && s[i] != ';' && !and)
			continue;
		n = i - start;
		trim(&p, &n);
		start = i + (and ? 5 : 1);
		if (and)
			i += 4;
		if (n == 0 || nx_agency_canonical(p, n) != NULL)
			continue;
		name = nx_name_case(p, n);
		if (name == NULL)
			return NX_ENOMEM;
		rc = nx_article_add_author(a, name, -1);
		free(name);
	}
	return rc;
}

/* Decoded copy of an element's text into b (reset first). */
static void decoded(nx_buf *b, const span *sp)
{
	nx_buf_reset(b);
	decode(b, sp->s, sp->len);
}

/* Build and emit the article of one record r starting at offset off. */
static int parse_record(const nx_input *in, const span *r, int64_t off, const span *newid,
			nx_article_cb cb, void *ctx, nx_error *err)
{
	nx_article *a = NULL;
	nx_buf b = NX_BUF_INIT, id = NX_BUF_INIT;
	nx_input sub = *in;
	span text = { NULL, 0 }, attrs = { NULL, 0 }, el = { NULL, 0 }, d = { NULL, 0 };
	int rc = NX_OK, have_text = 0, unproc = 0;

	a = nx_article_new();
	if (a == NULL)
		goto oom;
	have_text = element(r, "TEXT", &text, &attrs);
	if (have_text) {
		span type = { NULL, 0 };

		unproc = attribute(&attrs, "TYPE", &type) && type.len == 6 && memcmp(type.s, "UNPROC", 6) == 0;
	} else {
		text = *r;
	}
	if (element(&text, "TITLE", &el, NULL)) {
		decoded(&b, &el);
		if ((rc = nx_article_set(&a->title, b.buf, (long)b.len)) < 0)
			goto oom;
	}
	if (element(&text, "AUTHOR", &el, NULL)) {
		decoded(&b, &el);
		if ((rc = add_authors(a, b.buf, b.len)) < 0)
			goto oom;
	}
	if (element(&text, "BODY", &el, NULL)) {
		decoded(&b, &el);
		strip_signature(&b);
		if ((rc = add_paras(a, b.buf, b.len)) < 0)
			goto oom;
	} else if (unproc && a->title == NULL) {
		const char *nl = NULL, *s = NULL;
		size_t n = 0;

		decoded(&b, &text);
		strip_signature(&b);
		s = b.buf;
		n = b.len;
		trim(&s, &n);
		nl = memchr(s, '\n', n);
		if ((rc = nx_article_set(&a->title, s, nl != NULL ? (long)(nl - s) : (long)n)) < 0)
			goto oom;
		if (nl != NULL && (rc = add_paras(a, nl + 1, n - (size_t)(nl + 1 - s))) < 0)
			goto oom;
	}
	if (a->title == NULL && a->nparas == 0)
		goto done; /* nothing to index */
	if (element(r, "DATE", &el, NULL)) {
		const char *s = el.s;
		size_t n = el.len;

		trim(&s, &n);
		if (nx_date_parse(&a->published, s, n) != NX_OK)
			(void)nx_date_find(&a->published, s, n, NULL, NULL);
	}
	if (element(r, "TOPICS", &el, NULL) && element(&el, "D", &d, NULL)) {
		decoded(&b, &d);
		if ((rc = nx_article_set(&a->section, b.buf, (long)b.len)) < 0)
			goto oom;
	}
	if ((rc = nx_article_set(&a->source, "Reuters", -1)) < 0 ||
	    (rc = nx_article_set(&a->lang, "en", -1)) < 0)
		goto oom;
	if (newid->s != NULL) {
		nx_buf_add(&id, newid->s, newid->len);
		if (!nx_buf_ok(&id))
			goto oom;
		if ((rc = nx_article_set(&a->origin.record_id, id.buf, (long)id.len)) < 0)
			goto oom;
	}
	sub.data = r->s;
	sub.len = r->len;
	sub.offset = off;
	rc = nx_format__emit(a, &sub, "sgml", cb, ctx, err);
	a = NULL;
	goto done;
oom:
	rc = nx_error_set(err, NX_ENOMEM, "out of memory");
done:
	nx_article_free(a);
	nx_buf_free(&b);
	nx_buf_free(&id);
	return rc;
}

int nx_parse_sgml(const nx_input *in, nx_article_cb cb, void *ctx, nx_error *err)
{
	const char *d = in->data, *end = in->data + in->len, *p = d, *rec = NULL;
	int64_t bad_at = -1;
	size_t nrec = 0, nbad = 0;
	int rc = NX_OK;

	while (p < end) {
		const char *gt = NULL, *close = NULL, *next = NULL;
		span r = { NULL, 0 }, attrs = { NULL, 0 }, newid = { NULL, 0 };

		rec = find_record(p, (size_t)(end - p));
		if (rec == NULL)
			break;
		nrec++;
		gt = memchr(rec, '>', (size_t)(end - rec));
		next = find_record(rec + 8, (size_t)(end - (rec + 8)));
		if (gt == NULL || (next != NULL && gt > next)) {
			nbad++;
			if (bad_at < 0)
				bad_at = (int64_t)(rec - d);
			p = next != NULL ? next : end;
			continue;
		}
		attrs.s = rec + 8;
		attrs.len = (size_t)(gt - attrs.s);
		(void)attribute(&attrs, "NEWID", &newid);
		close = find_str(gt + 1, (size_t)((next != NULL ? next : end) - (gt + 1)), "</REUTERS>");
		r.s = rec;
		if (close == NULL) {
			/* unterminated: read up to the next record, and report it */
			nbad++;
			if (bad_at < 0)
				bad_at = (int64_t)(rec - d);
			r.len = (size_t)((next != NULL ? next : end) - rec);
			p = next != NULL ? next : end;
		} else {
			r.len = (size_t)(close + 10 - rec);
			p = close + 10;
		}
		rc = parse_record(in, &r, (in->offset > 0 ? in->offset : 0) + (int64_t)(rec - d),
				  &newid, cb, ctx, err);
		if (rc < 0)
			goto done;
	}
	if (nrec == 0) {
		rc = nx_error_set(err, NX_EFORMAT, "no <REUTERS> record found");
		goto done;
	}
	if (nbad == 1)
		rc = nx_error_set(err, NX_EFORMAT, "unterminated REUTERS record at offset %lld",
				  (long long)bad_at);
	else if (nbad > 1)
		rc = nx_error_set(err, NX_EFORMAT, "%zu REUTERS records are unterminated; first at offset %lld",
				  nbad, (long long)bad_at);
done:
	return rc;
}

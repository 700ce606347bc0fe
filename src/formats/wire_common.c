/*
 * wire_common.c - body, byline, photo, date and outlet helpers shared by
 * the NITF and NewsML parsers.
 */
#include "formats/wire_common.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "article/credit.h"
#include "util/text.h"
#include "util/xml.h"

/* ---- small text helpers ------------------------------------------------ */

static void gather_rec(nx_buf *out, const xmlNode *n, int depth)
{
	const xmlNode *c = NULL;

	if (depth > NX_WIRE_MAX_DEPTH)
		return;
	for (c = n; c != NULL; c = c->next) {
		if (c->type == XML_TEXT_NODE || c->type == XML_CDATA_SECTION_NODE) {
			if (c->content != NULL)
				nx_buf_adds(out, (const char *)c->content);
		} else if (c->type == XML_ELEMENT_NODE) {
			if (nx_xml_is(c, "br"))
				nx_buf_addch(out, ' ');
			else
				gather_rec(out, c->children, depth + 1);
		}
	}
}

void nx_wire__text(nx_buf *out, const xmlNode *n)
{
	nx_buf raw = NX_BUF_INIT;

	nx_buf_reset(out);
	if (n == NULL)
		return;
	gather_rec(&raw, n->children, 0);
	nx_text_clean(out, raw.buf, raw.len);
	if (!nx_buf_ok(&raw))
		out->failed = 1;
	nx_buf_free(&raw);
}

xmlNode *nx_wire__find(const xmlNode *n, const char *local, int maxdepth)
{
	xmlNode *c = NULL, *r = NULL;

	if (n == NULL || maxdepth <= 0)
		return NULL;
	for (c = n->children; c != NULL; c = c->next) {
		if (c->type != XML_ELEMENT_NODE)
			continue;
		if (nx_xml_is(c, local))
			return c;
		r = nx_wire__find(c, local, maxdepth - 1);
		if (r != NULL)
			return r;
	}
	return NULL;
}

static int has_alnum(const char *s, size_t len)
{
	size_t i = 0;

	for (i = 0; i < len; i++)
		if (nx_isalnum((unsigned char)s[i]) || (unsigned char)s[i] >= 0x80)
			return 1;
	return 0;
}

static int all_caps(const char *s, size_t len)
{
	size_t i = 0, up = 0;

	for (i = 0; i < len; i++) {
		if (nx_islower((unsigned char)s[i]))
			return 0;
		if (nx_isupper((unsigned char)s[i]))
			up++;
	}
	return up > 0;
}

static void trim(const char **s, size_t *len, const char *extra)
{
	while (*len > 0 && (nx_isspace((unsigned char)**s) || strchr(extra, **s) != NULL)) {
		(*s)++;
		(*len)--;
	}
	while (*len > 0 && (nx_isspace((unsigned char)(*s)[*len - 1]) || strchr(extra, (*s)[*len - 1]) != NULL))
		(*len)--;
}

/* ---- dates, language, outlet ------------------------------------------- */

void nx_wire__date(nx_time *t, const char *s)
{
	nx_time v = NX_TIME_INIT;

	if (t->set || s == NULL)
		return;
	if (nx_date_parse(&v, s, strlen(s)) == NX_OK)
		*t = v;
}

int nx_wire__lang(nx_article *a, const char *tag)
{
	char buf[9];
	size_t n = 0;

	if (a->lang != NULL || tag == NULL)
		return NX_OK;
	while (nx_isspace((unsigned char)*tag))
		tag++;
	while (n < sizeof(buf) - 1 && nx_isalpha((unsigned char)tag[n])) {
		buf[n] = (char)nx_tolower((unsigned char)tag[n]);
		n++;
	}
	if (n < 2 || n > 3 || (tag[n] != '\0' && tag[n] != '-' && tag[n] != '_' && !nx_isspace((unsigned char)tag[n])))
		return NX_OK;
	buf[n] = '\0';
	return nx_article_set(&a->lang, buf, (long)n);
}

/* "Deutsche Presse-Agentur GmbH" -> "Deutsche Presse-Agentur"; "www.reuters.com" -> "reuters" */
static void strip_company(const char **s, size_t *len)
{
	static const char *suffix[] = { " GmbH", " Inc.", " Inc", " LLC", " LLP", " Ltd.", " Ltd",
					" Pty Limited", " Limited", " AG", " SA", " S.A." };
	const char *dot = NULL;
	size_t i = 0, k = 0;

	for (i = 0; i < sizeof(suffix) / sizeof(suffix[0]); i++) {
		k = strlen(suffix[i]);
		if (*len > k && nx_strncaseeq(*s + *len - k, suffix[i], k)) {
			*len -= k;
			trim(s, len, ",");
			break;
		}
	}
	/* a bare domain name */
	if (memchr(*s, ' ', *len) == NULL && (dot = memchr(*s, '.', *len)) != NULL) {
		if (nx_startswith_ci(*s, *len, "www.")) {
			*s += 4;
			*len -= 4;
			dot = memchr(*s, '.', *len);
		}
		if (dot != NULL && dot > *s)
			*len = (size_t)(dot - *s);
	}
}

int nx_wire__is_agency(const char *s)
{
	const char *p = s;
	size_t len = 0;

	if (s == NULL)
		return 0;
	len = strlen(p);
	trim(&p, &len, ".,;-|");
	if (len == 0)
		return 0;
	if (nx_agency_canonical(p, len) != NULL)
		return 1;
	strip_company(&p, &len);
	return len > 0 && nx_agency_canonical(p, len) != NULL;
}

int nx_wire__source(nx_article *a, const char *s)
{
	const char *p = s, *cut = NULL, *canon = NULL, *colon = NULL;
	size_t len = 0, slen = 0;
	const char *q = NULL;
	char *folded = NULL;
	int rc = NX_OK;

	if (a->source != NULL || s == NULL)
		return NX_OK;
	len = strlen(p);
	/* a qcode: "nprov:dpa" */
	colon = memchr(p, ':', len);
	if (colon != NULL && memchr(p, ' ', len) == NULL && !nx_startswith_ci(p, len, "http")) {
		len -= (size_t)(colon + 1 - p);
		p = colon + 1;
	}
	if (nx_startswith_ci(p, len, "http"))
		return NX_OK;
	cut = nx_memcasemem(p, len, "all rights reserved");
	if (cut != NULL)
		len = (size_t)(cut - p);
	trim(&p, &len, ".,;-|");
	if (len == 0 || len > 120)
		return NX_OK;
	canon = nx_agency_canonical(p, len);
	if (canon == NULL) {
		q = p;
		slen = len;
		strip_company(&q, &slen);
		if (slen > 0) {
			canon = nx_agency_canonical(q, slen);
			p = q;
			len = slen;
		}
	}
	if (canon != NULL)
		return nx_article_set(&a->source, canon, -1);
	if (all_caps(p, len) && len > 5) {
		folded = nx_name_case(p, len);
		if (folded == NULL)
			return NX_ENOMEM;
		rc = nx_article_set(&a->source, folded, -1);
		free(folded);
		return rc;
	}
	return nx_article_set(&a->source, p, (long)len);
}

/* ---- bylines ------------------------------------------------------------ */

static int is_generic_author(const char *s, size_t len)
{
	static const char *generic[] = { "staff", "staff reporter", "staff reporters", "staff writer",
					 "staff writers", "reporters", "agencies", "wire services",
					 "editors", "newsroom" };
	size_t i = 0;

	for (i = 0; i < sizeof(generic) / sizeof(generic[0]); i++)
		if (strlen(generic[i]) == len && nx_strncaseeq(s, generic[i], len))
			return 1;
	return 0;
}

static int add_author_part(nx_article *a, const char *s, size_t len)
{
	char *name = NULL;
	size_t i = 0, words = 1;
	int rc = NX_OK;

	trim(&s, &len, ",;|-");
	if (len < 2 || len > 60 || !has_alnum(s, len) || is_generic_author(s, len))
		return NX_OK;
	for (i = 0; i < len; i++) {
		if (nx_isdigit((unsigned char)s[i]) || s[i] == '@' || s[i] == '(' || s[i] == ':')
			return NX_OK;
		if (s[i] == ' ')
			words++;
	}
	if (words > 5 || nx_memcasemem(s, len, "http") != NULL)
		return NX_OK;
	/* "Faktisk.no": a site, not a person */
	if (words == 1 && memchr(s, '.', len) != NULL && len > 3)
		return NX_OK;
	if (nx_agency_canonical(s, len) != NULL)
		return NX_OK;
	if (a->source != NULL && strlen(a->source) == len && nx_strncaseeq(a->source, s, len))
		return NX_OK;
	if (all_caps(s, len)) {
		name = nx_name_case(s, len);
		if (name == NULL)
			return NX_ENOMEM;
		rc = nx_article_add_author(a, name, -1);
		free(name);
		return rc;
	}
	return nx_article_add_author(a, s, (long)len);
}

int nx_wire__byline(nx_article *a, const char *s, size_t len)
{
	static const char *lead[] = { "by", "par", "von", "por", "di", "door", "av", "af" };
	nx_buf b = NX_BUF_INIT;
	const char *p = NULL;
	size_t n = 0, i = 0, k = 0, start = 0, sep = 0;
	int rc = NX_OK;

	nx_text_clean(&b, s, len);
	if (!nx_buf_ok(&b)) {
		rc = NX_ENOMEM;
		goto done;
	}
	p = b.buf;
	n = b.len;
	/* "By", and its usual forms in the languages agencies write in */
	for (k = 0; k < sizeof(lead) / sizeof(lead[0]); k++) {
		size_t l = strlen(lead[k]);

		if (n > l && nx_startswith_ci(p, n, lead[k]) && (p[l] == ' ' || p[l] == ':')) {
			p += l + 1;
			n -= l + 1;
			while (n > 0 && *p == ' ') {
				p++;
				n--;
			}
			break;
		}
	}
	for (i = 0; i <= n && rc == NX_OK; i++) {
		sep = 0;
		if (i == n || p[i] == ',' || p[i] == ';' || p[i] == '/' || p[i] == '|')
			sep = 1;
		else if (i + 5 <= n && memcmp(p + i, " and ", 5) == 0)
			sep = 5;
		else if (i + 3 <= n && memcmp(p + i, " & ", 3) == 0)
			sep = 3;
		if (sep == 0)
			continue;
		rc = add_author_part(a, p + start, i - start);
		start = i + sep;
		i = start - 1;
	}
done:
	nx_buf_free(&b);
	return rc;
}

/* ---- photos ------------------------------------------------------------- */

/* "... poll.  REUTERS/Marko Djurica": a known agency, a slash, a short name */
static int trailing_slash_credit(const char *s, size_t len, size_t *at)
{
	size_t slash = len, st = 0;

	while (slash > 0 && s[slash - 1] != '/')
		slash--;
	if (slash == 0 || len - slash > 60 || len - slash < 2)
		return 0;
	slash--;
	st = slash;
	while (st > 0 && !nx_isspace((unsigned char)s[st - 1]))
		st--;
	if (st == 0 || st == slash || nx_agency_canonical(s + st, slash - st) == NULL)
		return 0;
	*at = st;
	return 1;
}

/* Drop a trailing Reuters keyword block: "(KENYA - Tags: POLITICS ELECTIONS)". */
static size_t strip_tags(const char *s, size_t len)
{
	size_t open = len;

	if (len == 0 || s[len - 1] != ')')
		return len;
	while (open > 0 && s[open - 1] != '(')
		open--;
	if (open == 0 || nx_memcasemem(s + open, len - open, "Tags:") == NULL)
		return len;
	open--;
	while (open > 0 && nx_isspace((unsigned char)s[open - 1]))
		open--;
	return open;
}

static int same_url(const nx_article *a, const char *url)
{
	size_t i = 0;

	for (i = 0; url != NULL && i < a->nphotos; i++)
		if (a->photos[i].url != NULL && strcmp(a->photos[i].url, url) == 0)
			return 1;
	return 0;
}

int nx_wire__photo(nx_article *a, const char *url, const char *caption,
		   const char *credit, const char *who)
{
	nx_buf cap = NX_BUF_INIT, tail = NX_BUF_INIT, cred = NX_BUF_INIT;
	char *ag1 = NULL, *ph1 = NULL, *ag2 = NULL, *ph2 = NULL, *ph3 = NULL;
	nx_photo *p = NULL;
	size_t at = 0, n = 0;
	int rc = NX_OK;

	if (same_url(a, url))
		return NX_OK;
	if (caption != NULL)
		nx_text_clean(&cap, caption, strlen(caption));
	if (credit != NULL)
		nx_text_clean(&cred, credit, strlen(credit));
	if (!nx_buf_ok(&cap) || !nx_buf_ok(&cred))
		goto oom;
	if (cap.len > 0) {
		n = strip_tags(cap.buf, cap.len);
		nx_buf_truncate(&cap, n);
		if (nx_credit_marker(cap.buf, cap.len) > 0 && cap.len < 120) {
			/* the whole caption is a credit: "Foto: NTB / Scanpix" */
			nx_buf_add(&tail, cap.buf, cap.len);
			nx_buf_reset(&cap);
		} else if (nx_credit_find_trailing(cap.buf, cap.len, &at) ||
			   trailing_slash_credit(cap.buf, cap.len, &at)) {
			nx_buf_add(&tail, cap.buf + at, cap.len - at);
			nx_buf_truncate(&cap, at);
			nx_buf_trim(&cap);
		}
	}
	if (!nx_buf_ok(&tail) || !nx_buf_ok(&cap))
		goto oom;
	if (cred.len > 0 && nx_credit_parse(cred.buf, cred.len, &ag1, &ph1) < 0)
		goto oom;
	if (tail.len > 0 && nx_credit_parse(tail.buf, tail.len, &ag2, &ph2) < 0)
		goto oom;
	/* "Acme/John Smith" read the wrong way round: the photographer is known */
	if (ag1 != NULL && who != NULL && ph1 != NULL && nx_strcaseeq(ag1, who)) {
		char *t = ag1;

		ag1 = ph1;
		ph1 = t;
	}
	/* "john Doe/Something/AP" credits the photographer the item names: its spelling */
	if (ph1 != NULL && who != NULL && strlen(ph1) == strlen(who) && nx_strcaseeq(ph1, who))
		memcpy(ph1, who, strlen(who));
	if (ph1 == NULL && ph2 == NULL && who != NULL) {
		nx_buf_reset(&cred);
		nx_text_clean(&cred, who, strlen(who));
		if (!nx_buf_ok(&cred))
			goto oom;
		if (cred.len > 0 && (ph3 = nx_name_case(cred.buf, cred.len)) == NULL)
			goto oom;
	}
	if (url == NULL && cap.len == 0 && ag1 == NULL && ag2 == NULL && ph1 == NULL && ph2 == NULL)
		goto done;
	p = nx_article_add_photo(a);
	if (p == NULL)
		goto oom;
	if (url != NULL && (rc = nx_article_set(&p->url, url, -1)) < 0)
		goto done;
	if (cap.len > 0 && (rc = nx_article_set(&p->caption, cap.buf, (long)cap.len)) < 0)
		goto done;
	p->agency = ag1 != NULL ? ag1 : ag2;
	if (p->agency == ag1)
		ag1 = NULL;
	else
		ag2 = NULL;
	p->photographer = ph1 != NULL ? ph1 : ph2 != NULL ? ph2 : ph3;
	if (p->photographer == ph1)
		ph1 = NULL;
	else if (p->photographer == ph2)
		ph2 = NULL;
	else
		ph3 = NULL;
	goto done;
oom:
	rc = NX_ENOMEM;
done:
	free(ag1);
	free(ph1);
	free(ag2);
	free(ph2);
	free(ph3);
	nx_buf_free(&cap);
	nx_buf_free(&tail);
	nx_buf_free(&cred);
	return rc;
}

/* ---- bodies ------------------------------------------------------------- */

typedef struct walker {
	nx_article *a;
	nx_buf run;       /* text of the paragraph being collected */
	size_t first;     /* a->nparas when the walk began */
	int rc;
} walker;

static int name_in(const xmlNode *n, const char *const *names, size_t count)
{
	size_t i = 0;

	for (i = 0; i < count; i++)
		if (nx_xml_is(n, names[i]))
			return 1;
	return 0;
}

static int is_skipped(const xmlNode *n)
{
	static const char *const skip[] = {
		"head", "header", "title", "script", "style", "noscript", "nav", "footer", "aside",
		"iframe", "object", "embed", "video", "audio", "form", "button", "select", "svg",
		"template", "body.head", "body.end", "note", "byline", "dateline", "meta", "link",
		"media-metadata", "ed-msg", "tagline", "hedline"
	};

	return name_in(n, skip, sizeof(skip) / sizeof(skip[0]));
}

static int is_block(const xmlNode *n)
{
	static const char *const block[] = {
		"p", "hl1", "hl2", "h1", "h2", "h3", "h4", "h5", "h6", "li", "dt", "dd", "pre",
		"blockquote", "bq", "div", "section", "article", "main", "block", "body",
		"body.content", "ul", "ol", "dl", "address", "fn", "abstract", "html",
		"inlineXML", "DataContent", "center", "figcaption"
	};

	return name_in(n, block, sizeof(block) / sizeof(block[0]));
}

/* "By Jane Doe" as the first paragraph: an author line */
static int byline_para(const char *s, size_t len)
{
	return len > 4 && len < 80 && nx_startswith_ci(s, len, "by ") && nx_isupper((unsigned char)s[3]) &&
	       s[len - 1] != '.' && memchr(s, ',', len) == NULL;
}

static int add_para(walker *w, const char *s, size_t len)
{
	nx_article *a = w->a;
	nx_photo *last = a->nphotos > 0 ? &a->photos[a->nphotos - 1] : NULL;
	size_t m = 0;

	if (!has_alnum(s, len))
		return NX_OK;
	if (a->nparas == w->first && byline_para(s, len))
		return nx_wire__byline(a, s, len);
	if (a->nparas == w->first && a->title != NULL && strlen(a->title) == len &&
	    memcmp(a->title, s, len) == 0)
		return NX_OK; /* the headline again */
	m = nx_credit_marker(s, len);
	if (m > 0 && len < 200) {
		char *ag = NULL, *ph = NULL;
		nx_photo *p = NULL;

		if (nx_startswith_ci(s, len, "copyright") || nx_startswith_ci(s, len, "(c)") ||
		    nx_startswith_ci(s, len, "\xC2\xA9"))
			return NX_OK; /* copyright notice: boilerplate */
		if (nx_credit_parse(s, len, &ag, &ph) < 0)
			return NX_ENOMEM;
		p = last != NULL && last->agency == NULL && last->photographer == NULL ? last
			: nx_article_add_photo(a);
		if (p == NULL) {
			free(ag);
			free(ph);
			return NX_ENOMEM;
		}
		p->agency = ag;
		p->photographer = ph;
		return NX_OK;
	}
	return nx_article_add_para(a, s, (long)len);
}

/* The collected run becomes one paragraph per blank-line separated block. */
static void flush(walker *w)
{
	nx_buf clean = NX_BUF_INIT;
	const char *s = w->run.buf, *e = w->run.buf + w->run.len, *p = NULL, *cut = NULL;

	while (w->rc == NX_OK && s < e) {
		cut = e;
		for (p = s; p < e; p++) {
			const char *q = p + 1;

			if (*p != '\n')
				continue;
			while (q < e && (*q == ' ' || *q == '\t' || *q == '\r'))
				q++;
			if (q < e && *q == '\n') {
				cut = p;
				break;
			}
		}
		nx_buf_reset(&clean);
		nx_text_clean(&clean, s, (size_t)(cut - s));
		if (!nx_buf_ok(&clean))
			w->rc = NX_ENOMEM;
		else if (clean.len > 0)
			w->rc = add_para(w, clean.buf, clean.len);
		s = cut + 1;
	}
	nx_buf_free(&clean);
	nx_buf_reset(&w->run);
	if (!nx_buf_ok(&w->run))
		w->rc = NX_ENOMEM;
}

static void table_rows(walker *w, const xmlNode *n, int depth)
{
	const xmlNode *c = NULL, *cell = NULL;
	nx_buf row = NX_BUF_INIT, txt = NX_BUF_INIT;

	if (depth > NX_WIRE_MAX_DEPTH)
		return;
	for (c = n->children; c != NULL && w->rc == NX_OK; c = c->next) {
		if (c->type != XML_ELEMENT_NODE)
			continue;
		if (!nx_xml_is(c, "tr")) {
			table_rows(w, c, depth + 1);
			continue;
		}
		nx_buf_reset(&row);
		for (cell = c->children; cell != NULL; cell = cell->next) {
			if (cell->type != XML_ELEMENT_NODE)
				continue;
			nx_wire__text(&txt, cell);
			if (txt.len == 0)
				continue;
			if (row.len > 0)
				nx_buf_addch(&row, ' ');
			nx_buf_add(&row, txt.buf, txt.len);
		}
		if (!nx_buf_ok(&row) || !nx_buf_ok(&txt))
			w->rc = NX_ENOMEM;
		else if (row.len > 0)
			w->rc = add_para(w, row.buf, row.len);
	}
	nx_buf_free(&row);
	nx_buf_free(&txt);
}

static void nitf_media(walker *w, const xmlNode *n)
{
	char *type = nx_xml_attr(n, "media-type");
	char *url = NULL;
	const xmlNode *ref = nx_xml_child(n, "media-reference");
	nx_buf cap = NX_BUF_INIT, prod = NX_BUF_INIT;

	if (type != NULL && !nx_strcaseeq(type, "image") && !nx_strcaseeq(type, "photo") &&
	    !nx_strcaseeq(type, "graphic"))
		goto done;
	url = nx_xml_attr(ref, "source");
	if (url == NULL)
		url = nx_xml_attr(ref, "data");
	nx_wire__text(&cap, nx_xml_child(n, "media-caption"));
	nx_wire__text(&prod, nx_xml_child(n, "media-producer"));
	if (!nx_buf_ok(&cap) || !nx_buf_ok(&prod)) {
		w->rc = NX_ENOMEM;
		goto done;
	}
	if (url == NULL && cap.len == 0 && prod.len == 0)
		goto done;
	w->rc = nx_wire__photo(w->a, url, cap.len > 0 ? cap.buf : NULL, prod.len > 0 ? prod.buf : NULL, NULL);
done:
	free(type);
	free(url);
	nx_buf_free(&cap);
	nx_buf_free(&prod);
}

static void html_figure(walker *w, const xmlNode *n)
{
	const xmlNode *img = nx_xml_is(n, "img") ? n : nx_wire__find(n, "img", 4);
	char *src = nx_xml_attr(img, "src");
	char *alt = NULL;
	nx_buf cap = NX_BUF_INIT;

	nx_wire__text(&cap, nx_wire__find(n, "figcaption", 4));
	if (!nx_buf_ok(&cap)) {
		w->rc = NX_ENOMEM;
		goto done;
	}
	if (cap.len == 0)
		alt = nx_xml_attr(img, "alt");
	if (src == NULL && cap.len == 0)
		goto done;
	w->rc = nx_wire__photo(w->a, src, cap.len > 0 ? cap.buf : alt, NULL, NULL);
done:
	free(src);
	free(alt);
	nx_buf_free(&cap);
}

static void walk(walker *w, const xmlNode *n, int depth)
{
	const xmlNode *c = NULL;

	if (depth > NX_WIRE_MAX_DEPTH)
		return;
	for (c = n->children; c != NULL && w->rc == NX_OK; c = c->next) {
		if (c->type == XML_TEXT_NODE || c->type == XML_CDATA_SECTION_NODE) {
			if (c->content != NULL)
				nx_buf_adds(&w->run, (const char *)c->content);
			continue;
		}
		if (c->type != XML_ELEMENT_NODE || is_skipped(c))
			continue;
		if (nx_xml_is(c, "br")) {
			nx_buf_addch(&w->run, ' ');
		} else if (nx_xml_is(c, "media")) {
			nitf_media(w, c);
		} else if (nx_xml_is(c, "figure") || nx_xml_is(c, "img")) {
			html_figure(w, c);
		} else if (nx_xml_is(c, "table")) {
			flush(w);
			table_rows(w, c, depth + 1);
		} else if (is_block(c)) {
			flush(w);
			walk(w, c, depth + 1);
			flush(w);
		} else {
			walk(w, c, depth + 1);
		}
	}
}

int nx_wire__body(nx_article *a, const xmlNode *n)
{
	walker w;

	if (n == NULL)
		return NX_OK;
	memset(&w, 0, sizeof(w));
	nx_buf_init(&w.run);
	w.a = a;
	w.first = a->nparas;
	walk(&w, n, 0);
	if (w.rc == NX_OK)
		flush(&w);
	nx_buf_free(&w.run);
	return w.rc;
}

int nx_wire__fallback_title(nx_article *a)
{
	const char *p = NULL;
	size_t n = 0, i = 0;
	nx_buf b = NX_BUF_INIT;
	int rc = NX_OK;

	if (a->title != NULL || a->nparas == 0)
		return NX_OK;
	/* not a banner such as "*** DISCLAIMER: ... ***" */
	while (i + 1 < a->nparas && a->paras[i][0] == '*')
		i++;
	p = a->paras[i];
	n = strlen(p);
	if (n <= 120)
		return nx_article_set(&a->title, p, (long)n);
	n = 100;
	while (n > 40 && p[n] != ' ')
		n--;
	nx_buf_add(&b, p, n);
	nx_buf_adds(&b, "...");
	rc = nx_buf_ok(&b) ? nx_article_set(&a->title, b.buf, (long)b.len) : NX_ENOMEM;
	nx_buf_free(&b);
	return rc;
}

/* ---- NITF --------------------------------------------------------------- */

static int nitf_byline(nx_article *a, const xmlNode *by)
{
	const xmlNode *c = NULL;
	nx_buf raw = NX_BUF_INIT, txt = NX_BUF_INIT;
	int rc = NX_OK, persons = 0;

	for (c = by->children; c != NULL && rc == NX_OK; c = c->next) {
		if (!nx_xml_is(c, "person"))
			continue;
		persons++;
		nx_wire__text(&txt, c);
		rc = nx_buf_ok(&txt) ? nx_wire__byline(a, txt.buf, txt.len) : NX_ENOMEM;
	}
	if (persons > 0 || rc < 0)
		goto done;
	/* "By BERNARD CONDON<byttl>AP Business Writer</byttl>" */
	for (c = by->children; c != NULL; c = c->next) {
		if (c->type == XML_TEXT_NODE && c->content != NULL)
			nx_buf_adds(&raw, (const char *)c->content);
		else if (c->type == XML_ELEMENT_NODE && !nx_xml_is(c, "byttl"))
			gather_rec(&raw, c->children, 1);
		nx_buf_addch(&raw, ' ');
	}
	rc = nx_buf_ok(&raw) ? nx_wire__byline(a, raw.buf, raw.len) : NX_ENOMEM;
done:
	nx_buf_free(&raw);
	nx_buf_free(&txt);
	return rc;
}

static int set_attr_date(nx_time *t, const xmlNode *n, const char *attr)
{
	char *v = NULL;

	if (n == NULL || t->set)
		return NX_OK;
	v = nx_xml_attr(n, attr);
	nx_wire__date(t, v);
	free(v);
	return NX_OK;
}

static int set_from_attr(nx_article *a, char **field, const xmlNode *n, const char *attr, int source)
{
	char *v = NULL;
	int rc = NX_OK;

	if (n == NULL || *field != NULL)
		return NX_OK;
	v = nx_xml_attr(n, attr);
	if (v != NULL)
		rc = source ? nx_wire__source(a, v) : nx_article_set(field, v, -1);
	free(v);
	return rc;
}

int nx_wire__nitf(nx_article *a, const xmlNode *nitf)
{
	const xmlNode *head = nx_xml_child(nitf, "head");
	const xmlNode *body = nx_xml_child(nitf, "body");
	const xmlNode *bhead = nx_xml_child(body, "body.head");
	const xmlNode *content = nx_xml_child(body, "body.content");
	const xmlNode *docdata = nx_xml_child(head, "docdata");
	const xmlNode *c = NULL, *pub = NULL, *docid = NULL;
	nx_buf t = NX_BUF_INIT;
	char *v = NULL;
	int rc = NX_OK;

	/* title: hl1 over head/title */
	nx_wire__text(&t, nx_xml_child(nx_xml_child(bhead, "hedline"), "hl1"));
	if (t.len == 0)
		nx_wire__text(&t, nx_xml_child(head, "title"));
	if (!nx_buf_ok(&t))
		goto oom;
	if (a->title == NULL && t.len > 0 && (rc = nx_article_set(&a->title, t.buf, (long)t.len)) < 0)
		goto done;
	/* outlet: distributor, copyright holder, registering source */
	nx_wire__text(&t, nx_xml_child(bhead, "distributor"));
	if (!nx_buf_ok(&t))
		goto oom;
	if (t.len > 0 && (rc = nx_wire__source(a, t.buf)) < 0)
		goto done;
	if ((rc = set_from_attr(a, &a->source, nx_xml_child(docdata, "doc.copyright"), "holder", 1)) < 0)
		goto done;
	docid = nx_xml_child(docdata, "doc-id");
	if ((rc = set_from_attr(a, &a->source, docid, "regsrc", 1)) < 0)
		goto done;
	/* authors */
	for (c = bhead != NULL ? bhead->children : NULL; c != NULL; c = c->next)
		if (nx_xml_is(c, "byline") && (rc = nitf_byline(a, c)) < 0)
			goto done;
	/* dates: release, issue, story date, publication */
	set_attr_date(&a->published, nx_xml_child(docdata, "date.release"), "norm");
	set_attr_date(&a->published, nx_xml_child(docdata, "date.issue"), "norm");
	set_attr_date(&a->published, nx_xml_child(nx_xml_child(bhead, "dateline"), "story.date"), "norm");
	pub = nx_xml_child(head, "pubdata");
	if (pub == NULL)
		pub = nx_xml_child(docdata, "pubdata");
	set_attr_date(&a->published, pub, "date.publication");
	/* record id */
	if (a->origin.record_id == NULL && docid != NULL) {
		v = nx_xml_attr(docid, "id-string");
		if (v != NULL && v[0] != '\0') {
			a->origin.record_id = v;
			v = NULL;
		}
	}
	/* language */
	if (a->lang == NULL) {
		free(v);
		v = nx_xml_attr(nitf, "baselang");
		if (v == NULL)
			v = nx_xml_attr(nitf, "lang");
		if (v == NULL && body != NULL)
			v = nx_xml_attr(body, "lang");
		if ((rc = nx_wire__lang(a, v)) < 0)
			goto done;
	}
	/* section: pubdata position, else the first subject type */
	if ((rc = set_from_attr(a, &a->section, pub, "position.section", 0)) < 0)
		goto done;
	for (c = nx_xml_child(head, "tobject") != NULL ? nx_xml_child(head, "tobject")->children : NULL;
	     c != NULL && a->section == NULL; c = c->next) {
		if (!nx_xml_is(c, "tobject.subject"))
			continue;
		if ((rc = set_from_attr(a, &a->section, c, "tobject.subject.type", 0)) < 0)
			goto done;
		if ((rc = set_from_attr(a, &a->section, c, "tobject.subject.matter", 0)) < 0)
			goto done;
	}
	/* body, or the abstract when the body is empty */
	if ((rc = nx_wire__body(a, content)) < 0)
		goto done;
	if (a->nparas == 0 && (rc = nx_wire__body(a, nx_xml_child(bhead, "abstract"))) < 0)
		goto done;
	goto done;
oom:
	rc = NX_ENOMEM;
done:
	free(v);
	nx_buf_free(&t);
	return rc;
}

/* ---- reading ------------------------------------------------------------ */

/* ---- truncation --------------------------------------------------------- */

static size_t rfind(const char *d, size_t end, const char *needle)
{
	size_t k = strlen(needle), i = end;

	while (i >= k) {
		if (memcmp(d + i - k, needle, k) == 0)
			return i - k;
		i--;
	}
	return (size_t)-1;
}

int nx_wire__truncated(const char *d, size_t len, const xmlNode *root, nx_error *err)
{
	char qname[160];
	size_t e = len, lt = 0, k = 0, at = 0;
	int guard = 0;

	if (root == NULL || root->name == NULL)
		return 0;
	if (root->ns != NULL && root->ns->prefix != NULL)
		snprintf(qname, sizeof(qname), "%s:%s", (const char *)root->ns->prefix, (const char *)root->name);
	else
		snprintf(qname, sizeof(qname), "%s", (const char *)root->name);
	for (guard = 0; guard < 16; guard++) {
		while (e > 0 && (nx_isspace((unsigned char)d[e - 1]) || d[e - 1] == '\0'))
			e--;
		if (e >= 3 && memcmp(d + e - 3, "-->", 3) == 0 && (at = rfind(d, e - 3, "<!--")) != (size_t)-1) {
			e = at;
			continue;
		}
		if (e >= 2 && memcmp(d + e - 2, "?>", 2) == 0 && (at = rfind(d, e - 2, "<?")) != (size_t)-1) {
			e = at;
			continue;
		}
		break;
	}
	if (e > 0 && d[e - 1] == '>') {
		lt = e - 1;
		while (lt > 0 && d[lt] != '<')
			lt--;
		k = strlen(qname);
		if (d[lt] == '<' && lt + 2 + k < e && d[lt + 1] == '/' && memcmp(d + lt + 2, qname, k) == 0) {
			at = lt + 2 + k;
			while (at < e - 1 && nx_isspace((unsigned char)d[at]))
				at++;
			if (at == e - 1)
				return 0;
		}
		/* a root with no content: <newsItem .../> */
		if (d[lt] == '<' && e >= 2 && d[e - 2] == '/' && lt + 1 + k <= e && memcmp(d + lt + 1, qname, k) == 0 &&
		    root->children == NULL)
			return 0;
	}
	nx_error_set(err, NX_EFORMAT, "truncated XML: the document does not end with </%s>", qname);
	return 1;
}

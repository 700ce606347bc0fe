/*
 * html_meta.c - what a page says about itself: JSON-LD (schema.org
 * NewsArticle and friends, also inside @graph and arrays), OpenGraph and
 * article: meta tags, Dublin Core, itemprop microdata, <time datetime>,
 * <link rel=canonical>, the document language, a date in the URL and the
 * visible dateline.  Each field is taken from the most trusted source that
 * gives it; fields already set on the article are kept.
 */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "credit.h"
#include "html_private.h"
#include "text.h"

#define MAX_METAS 512
#define MAX_DATELINES 48
#define MAX_LD_DEPTH 12

typedef struct meta_kv {
	char key[64];      /* lower case name / property / itemprop / http-equiv */
	const char *value; /* borrowed from the tree */
} meta_kv;

typedef struct page_meta {
	meta_kv kv[MAX_METAS];
	size_t nkv;
	xmlNode *root;
	const char *html_lang;
	const char *canonical;
	xmlNode *title_el;
	xmlNode *h1;
	size_t nh1;
	xmlNode *ip_published;  /* itemprop=datePublished (not <meta>) */
	xmlNode *ip_modified;
	xmlNode *ip_headline;
	xmlNode *ip_author;
	xmlNode *time_pub;      /* <time> that says it is the publication */
	xmlNode *time_first;    /* first <time datetime> */
	xmlNode *datelines[MAX_DATELINES]; /* small elements with a date-ish class */
	size_t ndatelines;
	xmlNode *bylines[8];
	size_t nbylines;
	json_t *ld_article;     /* best article object (borrowed from ld_roots) */
	int ld_rank;
	json_t *ld_roots[16];
	size_t nld;
	json_t *ld_org;         /* an Organization/WebSite with a name */
} page_meta;

/* ---- collecting -------------------------------------------------------- */

/* Store value under each of the space-separated names in key
 * ("og:title twitter:title"); "dc:title" is stored as "dc.title". */
static void add_kv(page_meta *m, const char *key, const char *value)
{
	size_t i = 0, n = 0;
	char *k = NULL;

	if (key == NULL || value == NULL)
		return;
	while (*key != '\0' && m->nkv < MAX_METAS) {
		while (nx_isspace((unsigned char)*key))
			key++;
		for (n = 0; key[n] != '\0' && !nx_isspace((unsigned char)key[n]); n++)
			;
		if (n == 0)
			break;
		k = m->kv[m->nkv].key;
		for (i = 0; i < n && i + 1 < sizeof(m->kv[0].key); i++)
			k[i] = (char)nx_tolower((unsigned char)key[i]);
		k[i] = '\0';
		if (strncmp(k, "dc:", 3) == 0)
			k[2] = '.';
		else if (strncmp(k, "dcterms:", 8) == 0)
			k[7] = '.';
		m->kv[m->nkv].value = value;
		m->nkv++;
		key += n;
	}
}

static const char *get_kv(const page_meta *m, const char *key)
{
	size_t i = 0;
	const char *v = NULL;

	for (i = 0; i < m->nkv; i++) {
		if (strcmp(m->kv[i].key, key) != 0)
			continue;
		v = m->kv[i].value;
		while (nx_isspace((unsigned char)*v))
			v++;
		if (*v != '\0')
			return v;
	}
	return NULL;
}

static int article_type(const char *t)
{
	if (t == NULL)
		return 0;
	if (strstr(t, "Article") != NULL || strstr(t, "Posting") != NULL || strcmp(t, "Report") == 0 ||
	    strcmp(t, "Blog") == 0)
		return 3;
	if (strstr(t, "WebPage") != NULL || strcmp(t, "ItemPage") == 0)
		return 1;
	return 0;
}

static int org_type(const char *t)
{
	return t != NULL && (strstr(t, "Organization") != NULL || strcmp(t, "WebSite") == 0);
}

/* Rank of an object's @type (string or array). */
static int ld_rank(json_t *o, int (*fn)(const char *))
{
	json_t *t = json_object_get(o, "@type"), *v = NULL;
	size_t i = 0;
	int r = 0, best = 0;

	if (json_is_string(t))
		return fn(json_string_value(t));
	json_array_foreach(t, i, v) {
		r = fn(json_string_value(v));
		if (r > best)
			best = r;
	}
	return best;
}

static void ld_visit(page_meta *m, json_t *v, int depth)
{
	size_t i = 0;
	json_t *c = NULL;
	const char *k = NULL;
	int r = 0;

	if (depth > MAX_LD_DEPTH)
		return;
	if (json_is_array(v)) {
		json_array_foreach(v, i, c)
			ld_visit(m, c, depth + 1);
		return;
	}
	if (!json_is_object(v))
		return;
	r = ld_rank(v, article_type);
	if (r > 0 && json_object_get(v, "headline") == NULL && json_object_get(v, "datePublished") == NULL)
		r = 0;
	if (r == 3 && json_object_get(v, "headline") != NULL)
		r = 4;
	if (r > m->ld_rank) {
		m->ld_rank = r;
		m->ld_article = v;
	}
	if (m->ld_org == NULL && ld_rank(v, org_type) &&
	    json_is_string(json_object_get(v, "name")))
		m->ld_org = v;
	json_object_foreach(v, k, c) {
		if (strcmp(k, "@graph") == 0 || strcmp(k, "mainEntity") == 0 || strcmp(k, "@list") == 0)
			ld_visit(m, c, depth + 1);
	}
}

static void read_ld(page_meta *m, xmlNode *script)
{
	nx_buf b = NX_BUF_INIT;
	json_t *v = NULL;
	json_error_t jerr;
	size_t s = 0, e = 0, i = 0;

	if (m->nld >= sizeof(m->ld_roots) / sizeof(m->ld_roots[0]))
		return;
	nx_html__text(&b, script);
	if (!nx_buf_ok(&b))
		goto done;
	/* <!-- ... -->, //<![CDATA[ ... //]]> wrappers: from the first { or [ */
	while (s < b.len && b.buf[s] != '{' && b.buf[s] != '[')
		s++;
	e = b.len;
	while (e > s && b.buf[e - 1] != '}' && b.buf[e - 1] != ']')
		e--;
	if (e <= s)
		goto done;
	v = json_loadb(b.buf + s, e - s, JSON_DECODE_ANY, &jerr);
	if (v == NULL) {
		/* raw line breaks and tabs inside strings are common */
		for (i = s; i < e; i++)
			if ((unsigned char)b.buf[i] < 0x20)
				b.buf[i] = ' ';
		v = json_loadb(b.buf + s, e - s, JSON_DECODE_ANY | JSON_DISABLE_EOF_CHECK, &jerr);
	}
	if (v == NULL)
		goto done;
	m->ld_roots[m->nld++] = v;
	ld_visit(m, v, 0);
done:
	nx_buf_free(&b);
}

static int has_date_class(const xmlNode *n, int *strong)
{
	const char *c = nx_html__attr(n, "class"), *id = nx_html__attr(n, "id");
	char buf[256];
	size_t k = 0;

	*strong = 0;
	buf[0] = '\0';
	for (; c != NULL && *c != '\0' && k + 2 < sizeof(buf); c++)
		buf[k++] = (char)nx_tolower((unsigned char)*c);
	buf[k++] = ' ';
	for (; id != NULL && *id != '\0' && k + 1 < sizeof(buf); id++)
		buf[k++] = (char)nx_tolower((unsigned char)*id);
	buf[k] = '\0';
	if (strstr(buf, "publish") != NULL || strstr(buf, "posted") != NULL ||
	    strstr(buf, "dateline") != NULL || strstr(buf, "pubdate") != NULL ||
	    strstr(buf, "post-date") != NULL || strstr(buf, "entry-date") != NULL ||
	    strstr(buf, "article-date") != NULL || strstr(buf, "created") != NULL)
		*strong = 1;
	return *strong || strstr(buf, "date") != NULL || strstr(buf, "time") != NULL ||
	       strstr(buf, "byline") != NULL || strstr(buf, "meta") != NULL ||
	       strstr(buf, "datum") != NULL || strstr(buf, "author") != NULL ||
	       strstr(buf, "post-footer") != NULL || strstr(buf, "entry-footer") != NULL ||
	       strstr(buf, "info") != NULL || strstr(buf, "details") != NULL;
}

static int is_byline_el(const xmlNode *n)
{
	const char *c = nx_html__attr(n, "class"), *rel = nx_html__attr(n, "rel");

	if (rel != NULL && strcmp(rel, "author") == 0)
		return 1;
	if (c == NULL)
		return 0;
	return strstr(c, "byline") != NULL || strstr(c, "author-name") != NULL ||
	       strstr(c, "author_name") != NULL || strstr(c, "authorName") != NULL;
}

static void collect_meta(page_meta *m, htmlDocPtr doc)
{
	xmlNode *root = xmlDocGetRootElement(doc), *n = NULL;
	int skip = 0, strong = 0;
	size_t pos = 0;

	if (root == NULL)
		return;
	m->root = root;
	m->html_lang = nx_html__attr(root, "lang");
	if (m->html_lang == NULL)
		m->html_lang = nx_html__attr(root, "xml:lang");
	n = root;
	while ((n = nx_html__next(n, root, skip)) != NULL) {
		const char *tag = NULL, *ip = NULL, *v = NULL;

		skip = 0;
		if (n->type != XML_ELEMENT_NODE) {
			skip = 1;
			continue;
		}
		pos++;
		tag = nx_html__tag(n);
		ip = nx_html__attr(n, "itemprop");
		if (strcmp(tag, "meta") == 0) {
			v = nx_html__attr(n, "content");
			if (v == NULL)
				continue;
			add_kv(m, nx_html__attr(n, "property"), v);
			add_kv(m, nx_html__attr(n, "name"), v);
			add_kv(m, nx_html__attr(n, "itemprop"), v);
			add_kv(m, nx_html__attr(n, "http-equiv"), v);
			continue;
		}
		if (strcmp(tag, "link") == 0) {
			v = nx_html__attr(n, "rel");
			if (v != NULL && nx_strcaseeq(v, "canonical") && m->canonical == NULL)
				m->canonical = nx_html__attr(n, "href");
			continue;
		}
		if (strcmp(tag, "script") == 0) {
			v = nx_html__attr(n, "type");
			if (v != NULL && nx_strcaseeq(v, "application/ld+json"))
				read_ld(m, n);
			skip = 1;
			continue;
		}
		if (strcmp(tag, "style") == 0 || strcmp(tag, "noscript") == 0 || strcmp(tag, "template") == 0) {
			skip = 1;
			continue;
		}
		if (strcmp(tag, "title") == 0 && m->title_el == NULL) {
			m->title_el = n;
			continue;
		}
		if (strcmp(tag, "h1") == 0) {
			if (m->h1 == NULL)
				m->h1 = n;
			m->nh1++;
		}
		if (ip == NULL)
			ip = nx_html__attr(n, "property");
		if (ip != NULL) {
			if ((strstr(ip, "datePublished") != NULL || strstr(ip, "dateCreated") != NULL) &&
			    m->ip_published == NULL)
				m->ip_published = n;
			else if (strstr(ip, "dateModified") != NULL && m->ip_modified == NULL)
				m->ip_modified = n;
			else if (strcmp(ip, "headline") == 0 && m->ip_headline == NULL)
				m->ip_headline = n;
			else if (strcmp(ip, "author") == 0 && m->ip_author == NULL)
				m->ip_author = n;
		}
		if (strcmp(tag, "time") == 0) {
			v = nx_html__attr(n, "datetime");
			if (v != NULL && m->time_first == NULL)
				m->time_first = n;
			if (v != NULL && m->time_pub == NULL &&
			    (nx_html__attr(n, "pubdate") != NULL || (has_date_class(n, &strong) && strong)))
				m->time_pub = n;
		}
		if (m->ndatelines < MAX_DATELINES && has_date_class(n, &strong) &&
		    strcmp(tag, "body") != 0 && strcmp(tag, "html") != 0)
			m->datelines[m->ndatelines++] = n;
		if (m->nbylines < 8 && is_byline_el(n))
			m->bylines[m->nbylines++] = n;
	}
}

/* ---- applying ---------------------------------------------------------- */

static int set_if_empty(char **field, const char *v)
{
	if (*field != NULL || v == NULL)
		return NX_OK;
	return nx_article_set(field, v, -1);
}

/* A plausible publication time: after 1990, not far in the future. */
static int plausible(const nx_time *t)
{
	int64_t now = (int64_t)time(NULL);

	return t->set && t->utc >= 631152000 && t->utc <= now + 2 * 86400;
}

static int parse_date(nx_time *out, const char *s)
{
	size_t n = 0;

	if (s == NULL)
		return 0;
	n = strlen(s);
	if (n > 200)
		n = 200;
	if (nx_date_parse(out, s, n) == NX_OK && plausible(out))
		return 1;
	if (nx_date_find(out, s, n, NULL, NULL) == NX_OK && plausible(out))
		return 1;
	memset(out, 0, sizeof(*out));
	return 0;
}


/* Month names in the languages of the archive, to English. */
static const char *const month_words[][2] = {
	{ "januar", "January" }, { "jänner", "January" }, { "janvier", "January" },
	{ "gennaio", "January" }, { "enero", "January" }, { "janeiro", "January" },
	{ "januari", "January" }, { "января", "January" }, { "stycznia", "January" },
	{ "februar", "February" }, { "feber", "February" }, { "février", "February" },
	{ "fevrier", "February" }, { "febbraio", "February" }, { "febrero", "February" },
	{ "fevereiro", "February" }, { "februari", "February" }, { "февраля", "February" },
	{ "lutego", "February" }, { "märz", "March" }, { "maerz", "March" }, { "mars", "March" },
	{ "marzo", "March" }, { "março", "March" }, { "maart", "March" }, { "марта", "March" },
	{ "marca", "March" }, { "avril", "April" }, { "aprile", "April" }, { "abril", "April" },
	{ "апреля", "April" }, { "kwietnia", "April" }, { "mai", "May" }, { "maggio", "May" },
	{ "mayo", "May" }, { "maio", "May" }, { "mei", "May" }, { "мая", "May" }, { "maja", "May" },
	{ "juni", "June" }, { "juin", "June" }, { "giugno", "June" }, { "junio", "June" },
	{ "junho", "June" }, { "июня", "June" }, { "czerwca", "June" }, { "juli", "July" },
	{ "juillet", "July" }, { "luglio", "July" }, { "julio", "July" }, { "julho", "July" },
	{ "июля", "July" }, { "lipca", "July" }, { "août", "August" }, { "aout", "August" },
	{ "agosto", "August" }, { "augustus", "August" }, { "августа", "August" },
	{ "sierpnia", "August" }, { "septembre", "September" }, { "settembre", "September" },
	{ "septiembre", "September" }, { "setiembre", "September" }, { "setembro", "September" },
	{ "сентября", "September" }, { "września", "September" }, { "oktober", "October" },
	{ "octobre", "October" }, { "ottobre", "October" }, { "octubre", "October" },
	{ "outubro", "October" }, { "октября", "October" }, { "października", "October" },
	{ "novembre", "November" }, { "noviembre", "November" }, { "novembro", "November" },
	{ "ноября", "November" }, { "listopada", "November" }, { "dezember", "December" },
	{ "décembre", "December" }, { "decembre", "December" }, { "dicembre", "December" },
	{ "diciembre", "December" }, { "dezembro", "December" }, { "декабря", "December" },
	{ "grudnia", "December" }, { "okt", "Oct" }, { "dez", "Dec" }, { "mär", "Mar" },
	{ "mrz", "Mar" }, { "de", "" }, { "del", "" }, { "um", "" }, { "am", "" }, { "le", "" },
	{ "г", "" }, { "года", "" }, { "року", "" }, { "uhr", "" }, { "h", "" },
};

static int word_byte(unsigned char c)
{
	return nx_isalpha(c) || c >= 0x80;
}

/* "D/M/YYYY" at s: the three numbers and the length. */
static int slash_date(const char *s, size_t n, unsigned *a, unsigned *b, unsigned *y, size_t *len)
{
	size_t i = 0, k = 0;
	unsigned v[3] = { 0, 0, 0 };
	int part = 0;

	for (part = 0; part < 3; part++) {
		k = i;
		while (i < n && nx_isdigit((unsigned char)s[i]) && i - k < 4)
			v[part] = v[part] * 10 + (unsigned)(s[i++] - '0');
		if (i == k || (part < 2 && (i - k > 2 || i >= n || s[i] != '/')) || (part == 2 && i - k != 4))
			return 0;
		if (part < 2)
			i++;
	}
	if (i < n && nx_isdigit((unsigned char)s[i]))
		return 0;
	if (v[0] < 1 || v[1] < 1 || v[0] > 31 || v[1] > 31 || (v[0] > 12 && v[1] > 12))
		return 0;
	*a = v[0];
	*b = v[1];
	*y = v[2];
	*len = i;
	return 1;
}

/*
 * s with foreign month names in English, "14." before a month as "14",
 * filler words ("de", "um") dropped, into out.
 */
static void translate_dates(nx_buf *out, const char *s, size_t n, int us)
{
	size_t i = 0, k = 0, j = 0;

	while (i < n) {
		unsigned char c = (unsigned char)s[i];

		if (nx_isdigit(c) && (i == 0 || !nx_isdigit((unsigned char)s[i - 1]))) {
			unsigned x = 0, y = 0, yr = 0;
			size_t e = 0;

			/* 17/02/2022 (day first) or 02/17/2022 (en) -> 2022-02-17 */
			if (slash_date(s + i, n - i, &x, &y, &yr, &e)) {
				unsigned d = us ? y : x, mo = us ? x : y;

				if (x > 12) {
					d = x;
					mo = y;
				} else if (y > 12) {
					d = y;
					mo = x;
				}
				nx_buf_addf(out, "%04u-%02u-%02u", yr, mo, d);
				i += e;
				continue;
			}
			k = i;
			while (k < n && nx_isdigit((unsigned char)s[k]))
				k++;
			nx_buf_add(out, s + i, k - i);
			/* "14. Dezember" -> "14 Dezember" */
			if (k - i <= 2 && k + 2 < n && s[k] == '.' && s[k + 1] == ' ' &&
			    word_byte((unsigned char)s[k + 2]))
				k++;
			i = k;
			continue;
		}
		if (!word_byte(c) || (i > 0 && word_byte((unsigned char)s[i - 1]))) {
			nx_buf_addch(out, (char)c);
			i++;
			continue;
		}
		k = i;
		while (k < n && word_byte((unsigned char)s[k]))
			k++;
		for (j = 0; j < sizeof(month_words) / sizeof(month_words[0]); j++) {
			size_t wl = strlen(month_words[j][0]);

			if (wl == k - i && nx_strncaseeq(s + i, month_words[j][0], wl))
				break;
		}
		if (j < sizeof(month_words) / sizeof(month_words[0])) {
			nx_buf_adds(out, month_words[j][1]);
			if (k < n && s[k] == '.' && month_words[j][1][0] != '\0')
				k++; /* "Dez." */
		} else {
			nx_buf_add(out, s + i, k - i);
		}
		i = k;
	}
}

/* The first plausible date in free text, in any language we know. */
static int find_text_date(nx_time *out, const char *s, size_t n, int us)
{
	nx_buf t = NX_BUF_INIT;
	size_t st = 0, en = 0, at = 0;
	int ok = 0;

	translate_dates(&t, s, n, us);
	while (nx_buf_ok(&t) && at < t.len &&
	       nx_date_find(out, t.buf + at, t.len - at, &st, &en) == NX_OK) {
		if (plausible(out)) {
			ok = 1;
			break;
		}
		at += en > 0 ? en : 1;
	}
	if (!ok)
		memset(out, 0, sizeof(*out));
	nx_buf_free(&t);
	return ok;
}

static int date_from_node(nx_time *out, const xmlNode *n, int us)
{
	nx_buf b = NX_BUF_INIT;
	int ok = 0;

	if (n == NULL)
		return 0;
	if (parse_date(out, nx_html__attr(n, "content")) || parse_date(out, nx_html__attr(n, "datetime")) ||
	    parse_date(out, nx_html__attr(n, "title")))
		return 1;
	nx_html__text(&b, n);
	if (nx_buf_ok(&b) && b.len < 300) {
		nx_buf t = NX_BUF_INIT;

		nx_text_clean(&t, b.buf, b.len);
		ok = nx_buf_ok(&t) && (parse_date(out, t.buf) || find_text_date(out, t.buf, t.len, us));
		nx_buf_free(&t);
	}
	nx_buf_free(&b);
	return ok;
}

/* Published (and updated) from a visible dateline such as
 * "01:42 GMT 08.07.2021 (Updated: 13:20 GMT 06.08.2022)". */
static int date_from_dateline(nx_article *a, const xmlNode *n, int us)
{
	nx_buf b = NX_BUF_INIT, c = NX_BUF_INIT, t = NX_BUF_INIT;
	nx_time t1 = NX_TIME_INIT, t2 = NX_TIME_INIT;
	size_t st = 0, en = 0;
	const char *upd = NULL;
	int ok = 0;

	nx_html__text(&b, n);
	nx_text_clean(&c, b.buf, b.len);
	if (!nx_buf_ok(&c) || c.len == 0 || c.len > 250)
		goto done;
	translate_dates(&t, c.buf, c.len, us);
	if (!nx_buf_ok(&t))
		goto done;
	if (nx_date_find(&t1, t.buf, t.len, &st, &en) != NX_OK || !plausible(&t1))
		goto done;
	upd = nx_memcasemem(t.buf, t.len, "updat");
	if (upd != NULL && (size_t)(upd - t.buf) < st) {
		/* "Updated: <date>" first: look for a published one after it */
		if (nx_date_find(&t2, t.buf + en, t.len - en, NULL, NULL) == NX_OK && plausible(&t2)) {
			a->published = t2;
			if (!a->updated.set)
				a->updated = t1;
			ok = 1;
		}
		goto done;
	}
	a->published = t1;
	ok = 1;
	if (!a->updated.set && nx_date_find(&t2, t.buf + en, t.len - en, NULL, NULL) == NX_OK &&
	    plausible(&t2) && upd != NULL)
		a->updated = t2;
done:
	nx_buf_free(&b);
	nx_buf_free(&c);
	nx_buf_free(&t);
	return ok;
}

/*
 * Last resort: the first date in the visible text after the first <h1>
 * (where datelines sit), else anywhere in the page.
 */
static int date_from_text(nx_time *out, xmlNode *start, xmlNode *root, size_t max, int us)
{
	nx_buf b = NX_BUF_INIT;
	xmlNode *n = start;
	int skip = 0, ok = 0;

	while (n != NULL && b.len < max) {
		skip = 0;
		if (n->type == XML_TEXT_NODE && n->content != NULL) {
			nx_buf_adds(&b, (const char *)n->content);
		} else if (n->type == XML_ELEMENT_NODE) {
			const char *tag = nx_html__tag(n);

			if (strcmp(tag, "script") == 0 || strcmp(tag, "style") == 0 ||
			    strcmp(tag, "noscript") == 0 || strcmp(tag, "template") == 0 ||
			    strcmp(tag, "head") == 0)
				skip = 1;
			else
				nx_buf_adds(&b, " | ");
		} else {
			skip = 1;
		}
		n = nx_html__next(n, root, skip);
	}
	if (nx_buf_ok(&b))
		ok = find_text_date(out, b.buf, b.len, us);
	nx_buf_free(&b);
	return ok;
}

/* A date in the address: /2021/07/08/, /2021-07-08/, _20210708 ... */
static int date_from_url(nx_time *out, const char *url)
{
	const char *p = NULL;
	size_t n = 0, i = 0;

	if (url == NULL)
		return 0;
	p = strstr(url, "://");
	p = p != NULL ? strchr(p + 3, '/') : url;
	if (p == NULL)
		return 0;
	n = strlen(p);
	for (i = 0; i + 8 <= n; i++) {
		const char *s = p + i;
		int y = 0, mo = 0, d = 0;
		char buf[16];

		if (i > 0 && nx_isdigit((unsigned char)s[-1]))
			continue;
		if (!nx_isdigit((unsigned char)s[0]) || !nx_isdigit((unsigned char)s[1]) ||
		    !nx_isdigit((unsigned char)s[2]) || !nx_isdigit((unsigned char)s[3]))
			continue;
		y = (s[0] - '0') * 1000 + (s[1] - '0') * 100 + (s[2] - '0') * 10 + (s[3] - '0');
		if (y < 1995 || y > 2100)
			continue;
		if ((s[4] == '/' || s[4] == '-' || s[4] == '_' || s[4] == '.') && i + 10 <= n &&
		    nx_isdigit((unsigned char)s[5]) && nx_isdigit((unsigned char)s[6]) &&
		    s[7] == s[4] && nx_isdigit((unsigned char)s[8]) && nx_isdigit((unsigned char)s[9]) &&
		    (i + 10 == n || !nx_isdigit((unsigned char)s[10]))) {
			mo = (s[5] - '0') * 10 + (s[6] - '0');
			d = (s[8] - '0') * 10 + (s[9] - '0');
		} else if (nx_isdigit((unsigned char)s[4]) && nx_isdigit((unsigned char)s[5]) &&
			   nx_isdigit((unsigned char)s[6]) && nx_isdigit((unsigned char)s[7]) &&
			   (i + 8 == n || !nx_isdigit((unsigned char)s[8]))) {
			mo = (s[4] - '0') * 10 + (s[5] - '0');
			d = (s[6] - '0') * 10 + (s[7] - '0');
		} else {
			continue;
		}
		if (mo < 1 || mo > 12 || d < 1 || d > 31)
			continue;
		snprintf(buf, sizeof(buf), "%04d-%02d-%02d", y, mo, d);
		if (nx_date_parse(out, buf, strlen(buf)) == NX_OK && plausible(out))
			return 1;
	}
	return 0;
}

static const char *json_str(json_t *o, const char *key)
{
	json_t *v = json_object_get(o, key);

	if (json_is_array(v))
		v = json_array_get(v, 0);
	if (json_is_object(v)) {
		json_t *w = json_object_get(v, "@id");

		if (!json_is_string(w))
			w = json_object_get(v, "url");
		if (!json_is_string(w))
			w = json_object_get(v, "name");
		v = w;
	}
	return json_is_string(v) ? json_string_value(v) : NULL;
}

/* "By Jane Doe" -> "Jane Doe" */
static int add_author_str(nx_article *a, const char *s)
{
	size_t n = 0;

	if (s == NULL)
		return NX_OK;
	while (nx_isspace((unsigned char)*s))
		s++;
	if (nx_startswith_ci(s, strlen(s), "by "))
		s += 3;
	n = strlen(s);
	if (n == 0 || n > 120 || strncmp(s, "http", 4) == 0 || s[0] == '@')
		return NX_OK;
	return nx_article_add_author(a, s, (long)n);
}

static int ld_authors(nx_article *a, json_t *au, int want_org, int depth)
{
	size_t i = 0;
	json_t *v = NULL;
	int rc = NX_OK, isorg = 0;

	if (depth > 3)
		return NX_OK;
	if (json_is_string(au))
		return want_org ? NX_OK : add_author_str(a, json_string_value(au));
	if (json_is_array(au)) {
		json_array_foreach(au, i, v)
			if ((rc = ld_authors(a, v, want_org, depth + 1)) < 0)
				return rc;
		return NX_OK;
	}
	if (!json_is_object(au))
		return NX_OK;
	isorg = ld_rank(au, org_type);
	if (isorg != want_org)
		return NX_OK;
	return add_author_str(a, json_string_value(json_object_get(au, "name")));
}

static int lang_set(nx_article *a, const char *v)
{
	char buf[4];
	size_t n = 0;

	if (a->lang != NULL || v == NULL)
		return NX_OK;
	while (nx_isspace((unsigned char)*v))
		v++;
	while (n < 3 && nx_isalpha((unsigned char)v[n])) {
		buf[n] = (char)nx_tolower((unsigned char)v[n]);
		n++;
	}
	if (n < 2 || nx_isalpha((unsigned char)v[n]))
		return NX_OK;
	buf[n] = '\0';
	return nx_article_set(&a->lang, buf, -1);
}

static int absolute_url(const char *u)
{
	return u != NULL && (strncmp(u, "http://", 7) == 0 || strncmp(u, "https://", 8) == 0);
}

static int ld_photos(nx_article *a, json_t *img, int depth)
{
	size_t i = 0;
	json_t *v = NULL;
	const char *cap = NULL, *cred = NULL, *url = NULL;
	char *agency = NULL, *who = NULL;
	nx_photo *p = NULL;

	if (depth > 3 || a->nphotos >= 64)
		return NX_OK;
	if (json_is_array(img)) {
		json_array_foreach(img, i, v)
			if (ld_photos(a, v, depth + 1) < 0)
				return NX_ENOMEM;
		return NX_OK;
	}
	if (!json_is_object(img))
		return NX_OK;
	cap = json_string_value(json_object_get(img, "caption"));
	if (cap == NULL)
		cap = json_string_value(json_object_get(img, "description"));
	cred = json_string_value(json_object_get(img, "creditText"));
	if (cred == NULL)
		cred = json_str(img, "copyrightHolder");
	if (cred == NULL)
		cred = json_str(img, "author");
	if (cred == NULL)
		cred = json_str(img, "creator");
	url = json_string_value(json_object_get(img, "url"));
	if (url == NULL)
		url = json_string_value(json_object_get(img, "contentUrl"));
	if (cap == NULL && cred == NULL)
		return NX_OK;
	for (i = 0; i < a->nphotos; i++) {
		if ((url != NULL && a->photos[i].url != NULL && strcmp(url, a->photos[i].url) == 0) ||
		    (cap != NULL && a->photos[i].caption != NULL && strstr(cap, a->photos[i].caption) != NULL))
			return NX_OK;
	}
	if (cred != NULL && nx_credit_parse(cred, strlen(cred), &agency, &who) < 0)
		return NX_ENOMEM;
	p = nx_article_add_photo(a);
	if (p == NULL) {
		free(agency);
		free(who);
		return NX_ENOMEM;
	}
	p->agency = agency;
	p->photographer = who;
	if ((cap != NULL && nx_article_set(&p->caption, cap, -1) < 0) ||
	    (absolute_url(url) && nx_article_set(&p->url, url, -1) < 0))
		return NX_ENOMEM;
	return NX_OK;
}

/* " | Site", " - Site" ... at the end of a title. */
static int strip_site(char **title, const char *site)
{
	static const char *const seps[] = { " | ", " - ", " – ", " — ", " :: ", " » ", " · ", ": ", NULL };
	size_t tl = 0, sl = 0, i = 0, n = 0;

	if (*title == NULL || site == NULL)
		return NX_OK;
	tl = strlen(*title);
	sl = strlen(site);
	for (i = 0; seps[i] != NULL; i++) {
		n = strlen(seps[i]);
		if (tl > sl + n && nx_strcaseeq(*title + tl - sl, site) &&
		    memcmp(*title + tl - sl - n, seps[i], n) == 0) {
			(*title)[tl - sl - n] = '\0';
			return NX_OK;
		}
		if (tl > sl + n && nx_strncaseeq(*title, site, sl) && memcmp(*title + sl, seps[i], n) == 0 &&
		    strcmp(seps[i], ": ") != 0) {
			memmove(*title, *title + sl + n, tl - sl - n + 1);
			return NX_OK;
		}
	}
	return NX_OK;
}

static size_t word_count(const char *s, size_t n)
{
	size_t w = 0, i = 0;
	int in = 0;

	for (i = 0; i < n; i++) {
		if (s[i] == ' ') {
			in = 0;
		} else if (!in) {
			in = 1;
			w++;
		}
	}
	return w;
}

/* <title> minus " | Site Name" (readability's rule). */
static int title_from_tag(nx_article *a, const char *t)
{
	static const char *const seps[] = { " | ", " - ", " – ", " — ", " » ", " / ", " :: ", " · ", NULL };
	size_t n = strlen(t), i = 0, k = 0, last = 0, lastlen = 0, first = n, firstlen = 0;
	size_t cw = 0;

	for (i = 0; seps[i] != NULL; i++) {
		size_t sl = strlen(seps[i]);

		for (k = 0; k + sl <= n; k++) {
			if (memcmp(t + k, seps[i], sl) != 0)
				continue;
			if (k >= last) {
				last = k;
				lastlen = sl;
			}
			if (k < first) {
				first = k;
				firstlen = sl;
			}
		}
	}
	if (lastlen == 0)
		return nx_article_set(&a->title, t, -1);
	cw = word_count(t, last);
	if (cw >= 3)
		return nx_article_set(&a->title, t, (long)last);
	if (word_count(t + first + firstlen, n - first - firstlen) >= 3 && first + firstlen < n) {
		/* "Site | Long headline here" */
		const char *s = t + first + firstlen;
		size_t e = n - first - firstlen;

		if (last > first)
			e = last - first - firstlen;
		if (word_count(s, e) >= 3)
			return nx_article_set(&a->title, s, (long)e);
	}
	return nx_article_set(&a->title, t, -1);
}

static char *node_text(const xmlNode *n)
{
	nx_buf b = NX_BUF_INIT, t = NX_BUF_INIT;

	nx_html__text(&b, n);
	nx_text_clean(&t, b.buf, b.len);
	nx_buf_free(&b);
	return nx_buf_detach(&t);
}

static int apply_title(nx_article *a, page_meta *m)
{
	static const char *const keys[] = { "og:title", "twitter:title", "dc.title", "parsely-title",
					    "sailthru.title", NULL };
	char *tt = NULL, *h1 = NULL;
	size_t i = 0;
	int rc = NX_OK;

	if (m->ld_article != NULL && (rc = set_if_empty(&a->title, json_string_value(
					      json_object_get(m->ld_article, "headline")))) < 0)
		return rc;
	for (i = 0; keys[i] != NULL && a->title == NULL; i++)
		if ((rc = set_if_empty(&a->title, get_kv(m, keys[i]))) < 0)
			return rc;
	if (a->title == NULL && m->ip_headline != NULL) {
		h1 = node_text(m->ip_headline);
		if (h1 == NULL)
			return NX_ENOMEM;
		rc = set_if_empty(&a->title, h1);
		free(h1);
		h1 = NULL;
		if (rc < 0)
			return rc;
	}
	if (a->title != NULL)
		return NX_OK;
	if (m->title_el != NULL && (tt = node_text(m->title_el)) == NULL)
		goto oom;
	if (m->h1 != NULL && (h1 = node_text(m->h1)) == NULL)
		goto oom;
	if (h1 != NULL && *h1 != '\0' && (tt == NULL || *tt == '\0' || strstr(tt, h1) != NULL ||
					  (m->nh1 == 1 && word_count(h1, strlen(h1)) >= 4)))
		rc = nx_article_set(&a->title, h1, -1);
	else if (tt != NULL && *tt != '\0')
		rc = title_from_tag(a, tt);
	goto done;
oom:
	rc = NX_ENOMEM;
done:
	free(tt);
	free(h1);
	return rc;
}

static int apply_dates(nx_article *a, page_meta *m, const char *page_url)
{
	static const char *const pub_keys[] = {
		"article:published_time", "og:article:published_time", "article:published",
		"published_time", "og:published_time", "datepublished", "parsely-pub-date",
		"sailthru.date", "article.published", "article_date_original", "publishdate",
		"publish-date", "publish_date", "pubdate", "dc.date.issued", "dcterms.issued",
		"dc.date.created", "dcterms.created", "dc.date", "dcterms.date", "dc:date",
		"originalpublicationdate", "cxenseparse:recs:publishtime", "datecreated", "date",
		"og:pubdate", "article:post_date", "bt:pubdate", "displaydate", "release_date",
		"created", "article.created", "pub_date", "publication_date", NULL
	};
	static const char *const mod_keys[] = {
		"article:modified_time", "og:updated_time", "datemodified", "dcterms.modified",
		"dc.date.modified", "article:modified", "modified_time", "last-modified", NULL
	};
	nx_time t = NX_TIME_INIT, u = NX_TIME_INIT;
	size_t i = 0;
	int strong = 0, us = a->lang != NULL && strcmp(a->lang, "en") == 0;

	if (m->ld_article != NULL && !a->published.set)
		parse_date(&a->published, json_string_value(json_object_get(m->ld_article, "datePublished")));
	if (m->ld_article != NULL && !a->updated.set)
		parse_date(&a->updated, json_string_value(json_object_get(m->ld_article, "dateModified")));
	if (m->ld_article != NULL && !a->published.set)
		parse_date(&a->published, json_string_value(json_object_get(m->ld_article, "dateCreated")));
	for (i = 0; pub_keys[i] != NULL && !a->published.set; i++)
		parse_date(&a->published, get_kv(m, pub_keys[i]));
	for (i = 0; mod_keys[i] != NULL && !a->updated.set; i++)
		parse_date(&a->updated, get_kv(m, mod_keys[i]));
	if (!a->published.set && date_from_node(&t, m->ip_published, us))
		a->published = t;
	if (!a->updated.set && date_from_node(&t, m->ip_modified, us))
		a->updated = t;
	if (!a->published.set && m->time_pub != NULL && date_from_node(&t, m->time_pub, us))
		a->published = t;
	for (i = 0; i < m->ndatelines && !a->published.set; i++)
		if (has_date_class(m->datelines[i], &strong) && strong)
			date_from_dateline(a, m->datelines[i], us);
	if (!a->published.set && m->time_first != NULL && date_from_node(&t, m->time_first, us))
		a->published = t;
	/* the day in the address wins over a structured time one day off
	   (a UTC time for an evening story, a date stamped at midnight) */
	if (date_from_url(&u, a->url) || date_from_url(&u, page_url)) {
		int64_t d1 = u.utc / 86400, d2 = 0;

		if (!a->published.set) {
			a->published = u;
		} else {
			d2 = (a->published.utc + (int64_t)a->published.offset * 60) / 86400;
			if (d2 - d1 == 1 || d1 - d2 == 1)
				a->published = u;
		}
	}
	for (i = 0; i < m->ndatelines && !a->published.set; i++)
		date_from_dateline(a, m->datelines[i], us);
	/* any other meta tag that names a publication or creation date */
	for (i = 0; i < m->nkv && !a->published.set; i++) {
		const char *k = m->kv[i].key;

		if ((strstr(k, "publish") != NULL || strstr(k, "created") != NULL ||
		     strstr(k, "uploaded") != NULL || strstr(k, "date") != NULL) &&
		    strstr(k, "modif") == NULL && strstr(k, "updat") == NULL && strstr(k, "expir") == NULL)
			parse_date(&a->published, m->kv[i].value);
	}
	if (!a->published.set && m->h1 != NULL && date_from_text(&t, m->h1, m->root, 3000, us))
		a->published = t;
	if (!a->published.set) {
		const char *d = get_kv(m, "description");

		if (d == NULL)
			d = get_kv(m, "og:description");
		if (d != NULL && find_text_date(&t, d, strlen(d), us))
			a->published = t;
	}
	if (!a->published.set && m->root != NULL && date_from_text(&t, m->root, m->root, 200000, us))
		a->published = t;
	return NX_OK;
}

static int apply_authors(nx_article *a, page_meta *m)
{
	static const char *const keys[] = { "article:author", "author", "dc.creator", "parsely-author",
					    "sailthru.author", "byl", "dcterms.creator", NULL };
	size_t i = 0;
	int rc = NX_OK;

	if (m->ld_article != NULL) {
		json_t *au = json_object_get(m->ld_article, "author");

		if (au == NULL)
			au = json_object_get(m->ld_article, "creator");
		if ((rc = ld_authors(a, au, 0, 0)) < 0)
			return rc;
		if (a->nauthors == 0 && (rc = ld_authors(a, au, 1, 0)) < 0)
			return rc;
	}
	for (i = 0; keys[i] != NULL && a->nauthors == 0; i++)
		if ((rc = add_author_str(a, get_kv(m, keys[i]))) < 0)
			return rc;
	if (a->nauthors == 0 && m->ip_author != NULL) {
		xmlNode *n = m->ip_author, *c = n;
		char *s = NULL;

		while ((c = nx_html__next(c, n, 0)) != NULL) {
			const char *ip = nx_html__attr(c, "itemprop");

			if (ip != NULL && strcmp(ip, "name") == 0) {
				const char *v = nx_html__attr(c, "content");

				if (v != NULL)
					return add_author_str(a, v);
				n = c;
				break;
			}
		}
		s = node_text(n);
		if (s == NULL)
			return NX_ENOMEM;
		rc = add_author_str(a, s);
		free(s);
		if (rc < 0)
			return rc;
	}
	for (i = 0; i < m->nbylines && a->nauthors == 0; i++) {
		char *s = node_text(m->bylines[i]);

		if (s == NULL)
			return NX_ENOMEM;
		if (strlen(s) < 80)
			rc = add_author_str(a, s);
		free(s);
		if (rc < 0)
			return rc;
	}
	return NX_OK;
}

static int host_of(nx_article *a, const char *url)
{
	const char *p = NULL;
	size_t n = 0;

	if (!absolute_url(url))
		return NX_OK;
	p = strstr(url, "://") + 3;
	if (strncmp(p, "www.", 4) == 0)
		p += 4;
	while (p[n] != '\0' && p[n] != '/' && p[n] != ':' && p[n] != '?' && p[n] != '#')
		n++;
	if (n == 0)
		return NX_OK;
	return nx_article_set(&a->source, p, (long)n);
}

int nx_html__meta(nx_article *a, htmlDocPtr doc, const char *page_url)
{
	page_meta *m = calloc(1, sizeof(*m));
	const char *v = NULL;
	json_t *ld = NULL;
	size_t i = 0;
	int rc = NX_OK;

	if (m == NULL)
		return NX_ENOMEM;
	collect_meta(m, doc);
	ld = m->ld_article;
	/* address */
	if (ld != NULL) {
		v = json_str(ld, "url");
		if (!absolute_url(v))
			v = json_str(ld, "mainEntityOfPage");
		if (absolute_url(v) && (rc = set_if_empty(&a->url, v)) < 0)
			goto done;
	}
	v = get_kv(m, "og:url");
	if (absolute_url(v) && (rc = set_if_empty(&a->url, v)) < 0)
		goto done;
	if (absolute_url(m->canonical) && (rc = set_if_empty(&a->url, m->canonical)) < 0)
		goto done;
	/* outlet */
	if (ld != NULL && (rc = set_if_empty(&a->source, json_str(ld, "publisher"))) < 0)
		goto done;
	if (a->source != NULL && absolute_url(a->source)) {
		free(a->source);
		a->source = NULL;
	}
	if ((rc = set_if_empty(&a->source, get_kv(m, "og:site_name"))) < 0)
		goto done;
	if (m->ld_org != NULL &&
	    (rc = set_if_empty(&a->source, json_string_value(json_object_get(m->ld_org, "name")))) < 0)
		goto done;
	if ((rc = set_if_empty(&a->source, get_kv(m, "application-name"))) < 0)
		goto done;
	if (a->source == NULL && (rc = host_of(a, a->url != NULL ? a->url : page_url)) < 0)
		goto done;
	if ((rc = apply_title(a, m)) < 0)
		goto done;
	if (a->title != NULL && a->source != NULL)
		strip_site(&a->title, a->source);
	if ((rc = apply_authors(a, m)) < 0)
		goto done;
	/* section */
	if (ld != NULL && (rc = set_if_empty(&a->section, json_str(ld, "articleSection"))) < 0)
		goto done;
	if ((rc = set_if_empty(&a->section, get_kv(m, "article:section"))) < 0 ||
	    (rc = set_if_empty(&a->section, get_kv(m, "parsely-section"))) < 0)
		goto done;
	/* language */
	if (ld != NULL && (rc = lang_set(a, json_str(ld, "inLanguage"))) < 0)
		goto done;
	if ((rc = lang_set(a, m->html_lang)) < 0 || (rc = lang_set(a, get_kv(m, "og:locale"))) < 0 ||
	    (rc = lang_set(a, get_kv(m, "content-language"))) < 0 ||
	    (rc = lang_set(a, get_kv(m, "dc.language"))) < 0 || (rc = lang_set(a, get_kv(m, "language"))) < 0)
		goto done;
	if ((rc = apply_dates(a, m, page_url)) < 0)
		goto done;
	/* photos the page's markup did not show */
	if (ld != NULL && (rc = ld_photos(a, json_object_get(ld, "image"), 0)) < 0)
		goto done;
done:
	for (i = 0; i < m->nld; i++)
		json_decref(m->ld_roots[i]);
	free(m);
	return rc;
}

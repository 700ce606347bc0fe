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

#include "article/credit.h"
#include "extract/extract_private.h"
#include "util/text.h"

#define MAX_METAS 512
#define MAX_DATELINES 48
#define MAX_LD_DEPTH 12
#define MAX_TIMES 64
/* the URL's day replaces a time one day later only before this local hour,
   one day earlier only from this hour on (what a time zone can shift) */
#define URL_EARLIER_MAX 10
#define URL_LATER_MIN 14

typedef struct meta_kv {
	char key[64];      /* lower case name / property / itemprop / http-equiv */
	const char *value; /* borrowed from the tree */
} meta_kv;

typedef struct page_meta {
	meta_kv kv[MAX_METAS];
	size_t nkv;
	xmlNode *root;
	htmlDocPtr doc;
	const char *html_lang;
	const char *canonical;
	xmlNode *title_el;
	xmlNode *h1;
	size_t nh1;
	xmlNode *h2;            /* first <h2> outside side blocks */
	xmlNode *headline_el;   /* first element with a "headline" class */
	xmlNode *ip_published;  /* itemprop=datePublished (not <meta>) */
	xmlNode *ip_modified;
	xmlNode *ip_headline;
	xmlNode *ip_author;
	xmlNode *time_pub;      /* <time> that says it is the publication */
	xmlNode *time_first;    /* first <time datetime> outside side blocks */
	const char *times[MAX_TIMES]; /* every <time datetime> value */
	size_t ntimes;
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
	    strstr(buf, "article-date") != NULL || strstr(buf, "created") != NULL ||
	    strstr(buf, "submitted") != NULL)
		*strong = 1;
	return *strong || strstr(buf, "date") != NULL || strstr(buf, "time") != NULL ||
	       strstr(buf, "byline") != NULL || strstr(buf, "meta") != NULL ||
	       strstr(buf, "datum") != NULL || strstr(buf, "author") != NULL ||
	       strstr(buf, "post-footer") != NULL || strstr(buf, "entry-footer") != NULL ||
	       strstr(buf, "info") != NULL || strstr(buf, "details") != NULL;
}

/* 1 when the class or id token at s[0..n) names comments, related
 * stories: "comment-body", "commentlist", "related-posts" (but not
 * "comments-open" or "comment-count"). */
static int side_token(const char *s, size_t n)
{
	char buf[48];
	size_t i = 0;

	if (n == 0 || n >= sizeof(buf))
		return 0;
	for (i = 0; i < n; i++)
		buf[i] = (char)nx_tolower((unsigned char)s[i]);
	buf[n] = '\0';
	if (strncmp(buf, "comment", 7) == 0 || strstr(buf, "-comment") != NULL ||
	    strstr(buf, "_comment") != NULL)
		return strstr(buf, "open") == NULL && strstr(buf, "closed") == NULL &&
		       strstr(buf, "count") == NULL && strstr(buf, "link") == NULL &&
		       strstr(buf, "number") == NULL;
	return strcmp(buf, "respond") == 0 || strstr(buf, "related") != NULL ||
	       strstr(buf, "recommend") != NULL;
}

/* 1 when the class or id value v has a "sidebar" token. */
static int sidebar_attr(const char *v)
{
	return v != NULL && strstr(v, "sidebar") != NULL;
}

static int side_attr(const char *v)
{
	size_t n = 0;

	while (v != NULL && *v != '\0') {
		while (nx_isspace((unsigned char)*v))
			v++;
		for (n = 0; v[n] != '\0' && !nx_isspace((unsigned char)v[n]); n++)
			;
		if (side_token(v, n))
			return 1;
		v += n;
	}
	return 0;
}

/*
 * 1 when n sits in a part of the page that is not the story: <nav>,
 * comments, related stories, or an <aside>, <footer> or sidebar outside
 * any <article> or <main>.  Dates there belong to other stories or to readers.
 */
static int in_side_block(const xmlNode *n)
{
	const xmlNode *p = NULL;
	int depth = 0, footer = 0;

	for (p = n; p != NULL && p->type == XML_ELEMENT_NODE && depth < 64; p = p->parent, depth++) {
		const char *tag = nx_html__tag(p);

		if (strcmp(tag, "body") == 0 || strcmp(tag, "html") == 0)
			break;
		if (strcmp(tag, "article") == 0 || strcmp(tag, "main") == 0)
			footer = 0;
		if (strcmp(tag, "nav") == 0)
			return 1;
		if (strcmp(tag, "footer") == 0 || strcmp(tag, "aside") == 0 ||
		    sidebar_attr(nx_html__attr(p, "class")) || sidebar_attr(nx_html__attr(p, "id")))
			footer = 1;
		if (side_attr(nx_html__attr(p, "class")) || side_attr(nx_html__attr(p, "id")))
			return 1;
	}
	return footer;
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
	m->doc = doc;
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
		if (strcmp(tag, "h2") == 0 && m->h2 == NULL && !in_side_block(n))
			m->h2 = n;
		if (m->headline_el == NULL && (v = nx_html__attr(n, "class")) != NULL &&
		    nx_memcasemem(v, strlen(v), "headline") != NULL && !in_side_block(n))
			m->headline_el = n;
		if (ip == NULL)
			ip = nx_html__attr(n, "property");
		if (ip != NULL) {
			if ((strstr(ip, "datePublished") != NULL || strstr(ip, "dateCreated") != NULL) &&
			    m->ip_published == NULL && !in_side_block(n))
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
			if (v != NULL && m->ntimes < MAX_TIMES)
				m->times[m->ntimes++] = v;
			if (v != NULL && in_side_block(n))
				v = NULL;
			if (v != NULL && m->time_first == NULL)
				m->time_first = n;
			if (v != NULL && m->time_pub == NULL &&
			    (nx_html__attr(n, "pubdate") != NULL || (has_date_class(n, &strong) && strong)))
				m->time_pub = n;
		}
		if (m->ndatelines < MAX_DATELINES && has_date_class(n, &strong) &&
		    strcmp(tag, "body") != 0 && strcmp(tag, "html") != 0 && !in_side_block(n))
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


/*
 * The first plausible date in free text (every form and language that
 * nx_date_find knows, ambiguous D/M read in order).  A date that the words
 * before it call an update ("Updated:", "Letzte Änderung:") is passed
 * over when a later one is not.
 */
static int find_text_date(nx_time *out, const char *s, size_t n, nx_date_order order)
{
	nx_time t = NX_TIME_INIT, upd = NX_TIME_INIT;
	size_t st = 0, en = 0, at = 0;
	int ok = 0;

	while (at < n && nx_date_find_order(&t, s + at, n - at, order, &st, &en) == NX_OK) {
		if (plausible(&t)) {
			if (nx_date_label(s, at + st) != NX_DATE_LABEL_UPDATED) {
				*out = t;
				ok = 1;
				break;
			}
			if (!upd.set)
				upd = t;
		}
		at += en > 0 ? en : 1;
	}
	if (!ok && upd.set) {
		*out = upd;
		ok = 1;
	}
	if (!ok)
		memset(out, 0, sizeof(*out));
	return ok;
}

static int date_from_node(nx_time *out, const xmlNode *n, nx_date_order us)
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
static int date_from_dateline(nx_article *a, const xmlNode *n, nx_date_order us)
{
	nx_buf b = NX_BUF_INIT, c = NX_BUF_INIT;
	nx_time t = NX_TIME_INIT, pub = NX_TIME_INIT, upd = NX_TIME_INIT;
	size_t st = 0, en = 0, at = 0, k = 0;
	int ok = 0;

	nx_html__text(&b, n);
	nx_text_clean(&c, b.buf, b.len);
	if (!nx_buf_ok(&c) || c.len > 250)
		goto done;
	/* the dates in order: the first one not called an update is the
	   publication, the first one called an update the revision */
	for (k = 0; k < 4 && at < c.len; k++) {
		if (nx_date_find_order(&t, c.buf + at, c.len - at, us, &st, &en) != NX_OK)
			break;
		if (plausible(&t)) {
			if (nx_date_label(c.buf, at + st) == NX_DATE_LABEL_UPDATED) {
				if (!upd.set)
					upd = t;
			} else if (!pub.set) {
				pub = t;
			}
		}
		at += en > 0 ? en : 1;
	}
	/* <span class="updated" title="2013-04-04T18:52:11+00:00"></span> */
	if (!pub.set && !upd.set && (parse_date(&t, nx_html__attr(n, "datetime")) ||
				     parse_date(&t, nx_html__attr(n, "content")) ||
				     parse_date(&t, nx_html__attr(n, "title"))))
		pub = t;
	if (!pub.set)
		goto done;
	a->published = pub;
	if (!a->updated.set && upd.set)
		a->updated = upd;
	ok = 1;
done:
	nx_buf_free(&b);
	nx_buf_free(&c);
	return ok;
}

/* 1 when element n and what it holds are not the story (see in_side_block). */
static int side_element(const xmlNode *n, const char *tag)
{
	return strcmp(tag, "nav") == 0 || side_attr(nx_html__attr(n, "class")) ||
	       side_attr(nx_html__attr(n, "id")) ||
	       ((strcmp(tag, "footer") == 0 || strcmp(tag, "aside") == 0 ||
		 sidebar_attr(nx_html__attr(n, "class")) || sidebar_attr(nx_html__attr(n, "id"))) &&
		in_side_block(n));
}

/*
 * Last resort: the first date in the visible text after the first <h1>
 * (where datelines sit), else anywhere in the page.  Unless all is set,
 * the text of comments, related stories and sidebars is left out.
 */
static int date_from_text(nx_time *out, xmlNode *start, xmlNode *root, size_t max,
			  nx_date_order us, int all)
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
			    strcmp(tag, "head") == 0 || (!all && side_element(n, tag)))
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

/*
 * A page with no <title> and no <h1> (its head cut off, an old layout):
 * the first element with a "headline" class, else the first <h2>, when
 * it reads like a headline (2 to 40 words).
 */
static int title_from_heading(nx_article *a, page_meta *m)
{
	xmlNode *cand[2] = { m->headline_el, m->h2 };
	char *t = NULL;
	size_t i = 0, w = 0;
	int rc = NX_OK;

	for (i = 0; i < 2 && a->title == NULL; i++) {
		if (cand[i] == NULL)
			continue;
		if ((t = node_text(cand[i])) == NULL)
			return NX_ENOMEM;
		w = word_count(t, strlen(t));
		if (w >= 2 && w <= 40)
			rc = nx_article_set(&a->title, t, -1);
		free(t);
		if (rc < 0)
			return rc;
	}
	return NX_OK;
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
	else
		rc = title_from_heading(a, m);
	goto done;
oom:
	rc = NX_ENOMEM;
done:
	free(tt);
	free(h1);
	return rc;
}

/*
 * A time given in UTC (or with no zone) that the page also states with a
 * local offset, same instant, in a <time datetime> or a meta tag: take
 * that offset, so the day is the page's own ("2023-11-09T02:11:03+00:00"
 * in the meta tags, "2023-11-08T21:11:03-05:00" on the page).
 */
static void local_offset(const page_meta *m, nx_time *t)
{
	nx_time c = NX_TIME_INIT;
	size_t i = 0;

	if (!t->set || !t->has_time || (t->has_offset && t->offset != 0))
		return;
	for (i = 0; i < m->ntimes + m->nkv; i++) {
		const char *v = i < m->ntimes ? m->times[i] : m->kv[i - m->ntimes].value;

		if (!parse_date(&c, v) || !c.has_offset || c.offset == 0 || !c.has_time)
			continue;
		/* same instant; a time with no zone must be the UTC one */
		if (c.utc - t->utc <= 60 && t->utc - c.utc <= 60) {
			t->offset = c.offset;
			t->has_offset = 1;
			return;
		}
	}
}

/*
 * A publication date under a well-known key in raw script or comment text:
 * "publishedDate":"2016-11-04T20:37:27Z" in a JSON state blob,
 * dc:date="2020-07-12T22:00:00+09:00" in an RDF trackback comment.
 */
static int date_from_keys(nx_time *out, const char *s, size_t n)
{
	static const char *const keys[] = {
		"\"datePublished\"", "\"publishedDate\"", "\"publishDate\"", "\"published_at\"",
		"\"publishedAt\"", "\"date_published\"", "\"firstPublished\"", "\"pubDate\"",
		"dc:date=", NULL
	};
	char val[64];
	size_t i = 0, k = 0, at = 0;
	const char *hit = NULL, *v = NULL;

	for (i = 0; keys[i] != NULL; i++) {
		for (at = 0; at < n; at = (size_t)(hit - s) + 1) {
			hit = nx_memcasemem(s + at, n - at, keys[i]);
			if (hit == NULL)
				break;
			v = hit + strlen(keys[i]);
			while (v < s + n && (*v == ' ' || *v == ':' || *v == '\\'))
				v++;
			if (v >= s + n || *v != '"')
				continue;
			v++;
			for (k = 0; v + k < s + n && v[k] != '"' && v[k] != '\\' && k + 1 < sizeof(val); k++)
				val[k] = v[k];
			val[k] = '\0';
			if (parse_date(out, val))
				return 1;
		}
	}
	return 0;
}

/*
 * The very last resort, for pages whose only date is machine text: a
 * publication key in a script or a comment, else a date in a short
 * inline script (showDate("2020/04/17 01:43:09")) or in a comment
 * ("<!-- cached 2020-04-24 21:36:31 -->").
 */
static int date_from_hidden(nx_time *out, const page_meta *m, nx_date_order us)
{
	xmlNode *top = NULL, *n = NULL, *c = NULL;
	nx_buf b = NX_BUF_INIT;
	int pass = 0, ok = 0, skip = 0;

	for (pass = 0; pass < 2 && !ok; pass++) {
		for (top = m->doc != NULL ? m->doc->children : NULL; top != NULL && !ok; top = top->next) {
			for (n = top; n != NULL && !ok; n = nx_html__next(n, top, skip)) {
				const char *text = NULL;

				skip = 0;
				if (n->type == XML_COMMENT_NODE) {
					text = (const char *)n->content;
				} else if (n->type == XML_ELEMENT_NODE && strcmp(nx_html__tag(n), "script") == 0) {
					const char *type = nx_html__attr(n, "type");

					skip = 1;
					if (type != NULL && nx_strcaseeq(type, "application/ld+json"))
						continue;
					nx_buf_reset(&b);
					for (c = n->children; c != NULL; c = c->next)
						if (c->content != NULL && b.len < 1000000)
							nx_buf_adds(&b, (const char *)c->content);
					if (!nx_buf_ok(&b) || (pass == 1 && b.len > 200))
						continue;
					text = b.buf;
				}
				if (text == NULL)
					continue;
				if (pass == 0)
					ok = date_from_keys(out, text, strlen(text));
				else
					ok = find_text_date(out, text, strlen(text), us);
			}
		}
	}
	nx_buf_free(&b);
	return ok;
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
	int strong = 0;
	nx_date_order us = nx_date_order_of_lang(m->html_lang != NULL ? m->html_lang : a->lang);

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
	local_offset(m, &a->published);
	/* the day in the address wins over a structured time one day off
	   when a time zone can explain it (a UTC time for an evening story,
	   a date stamped at midnight) */
	if (date_from_url(&u, a->url) || date_from_url(&u, page_url) ||
	    date_from_url(&u, m->canonical)) {
		int64_t d1 = u.utc / 86400, d2 = 0, local = 0, tod = 0;

		if (!a->published.set) {
			a->published = u;
		} else {
			local = a->published.utc + (int64_t)a->published.offset * 60;
			d2 = local / 86400;
			tod = local - d2 * 86400;
			if (!a->published.has_time ||
			    (d2 - d1 == 1 && tod < URL_EARLIER_MAX * 3600) ||
			    (d1 - d2 == 1 && tod >= URL_LATER_MIN * 3600))
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
	if (!a->published.set && m->h1 != NULL && date_from_text(&t, m->h1, m->root, 3000, us, 0))
		a->published = t;
	if (!a->published.set) {
		const char *d = get_kv(m, "description");

		if (d == NULL)
			d = get_kv(m, "og:description");
		if (d != NULL && find_text_date(&t, d, strlen(d), us))
			a->published = t;
	}
	if (!a->published.set && m->root != NULL && date_from_text(&t, m->root, m->root, 200000, us, 0))
		a->published = t;
	if (!a->published.set && m->root != NULL && date_from_text(&t, m->root, m->root, 200000, us, 1))
		a->published = t;
	if (!a->published.set && date_from_hidden(&t, m, us))
		a->published = t;
	local_offset(m, &a->published);
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

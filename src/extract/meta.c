/*
 * meta.c - what a page says about itself: JSON-LD (schema.org NewsArticle
 * and friends, also inside @graph and arrays), OpenGraph and article: meta
 * tags, Dublin Core, itemprop microdata, <link rel=canonical>, the document
 * language, authors, outlet and photos.  Each field is taken from the most
 * trusted source that gives it; fields already set on the article are kept.
 * The title is chosen by src/extract/title.c, the dates by
 * src/extract/dates.c.
 */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "article/credit.h"
#include "extract/extract_private.h"
#include "extract/meta_private.h"
#include "newsidx/date.h"
#include "util/text.h"


/* ---- collecting -------------------------------------------------------- */

/* Store value under each of the space-separated names in key
 * ("og:title twitter:title"); "dc:title" is stored as "dc.title",
 * "og:article:author" as "article:author". */
static void add_kv(page_meta *m, const char *key, const char *value, int microdata)
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
		if (strncmp(k, "og:article:", 11) == 0) /* a common misspelling of article: */
			memmove(k, k + 3, strlen(k + 3) + 1);
		if (strncmp(k, "dc:", 3) == 0)
			k[2] = '.';
		else if (strncmp(k, "dcterms:", 8) == 0)
			k[7] = '.';
		m->kv[m->nkv].value = value;
		m->kv[m->nkv].microdata = (unsigned char)microdata;
		m->nkv++;
		key += n;
	}
}

const char *nx_html__get_kv(const page_meta *m, const char *key)
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
	const char *cdata = NULL;

	if (m->nld >= sizeof(m->ld_roots) / sizeof(m->ld_roots[0]))
		return;
	nx_html__text(&b, script);
	if (!nx_buf_ok(&b))
		goto done;
	/* <!-- ... -->, //<![CDATA[ ... //]]> wrappers: from the first { or [
	   after the wrapper, to the last } or ] before its end */
	cdata = nx_memcasemem(b.buf, b.len, "<![CDATA[");
	if (cdata != NULL && memchr(b.buf, '{', (size_t)(cdata - b.buf)) != NULL)
		cdata = NULL; /* inside the data, not around it */
	if (cdata != NULL)
		s = (size_t)(cdata - b.buf) + 9;
	while (s < b.len && b.buf[s] != '{' && b.buf[s] != '[')
		s++;
	e = b.len;
	for (i = s; cdata != NULL && i + 3 <= b.len; i++)
		if (memcmp(b.buf + i, "]]>", 3) == 0)
			e = i;
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
int nx_html__sidebar_attr(const char *v)
{
	return v != NULL && strstr(v, "sidebar") != NULL;
}

int nx_html__side_attr(const char *v)
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
int nx_html__in_side_block(const xmlNode *n)
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
		    nx_html__sidebar_attr(nx_html__attr(p, "class")) || nx_html__sidebar_attr(nx_html__attr(p, "id")))
			footer = 1;
		if (nx_html__side_attr(nx_html__attr(p, "class")) || nx_html__side_attr(nx_html__attr(p, "id")))
			return 1;
	}
	return footer;
}

/* 1 when the class token c[0..n) names an author: "author", "authorname",
   "post-author", "article__author" (not "author-bio", "about-author"). */
static int author_token(const char *c, size_t n)
{
	char buf[48];
	size_t i = 0;

	if (n < 6 || n >= sizeof(buf))
		return 0;
	for (i = 0; i < n; i++)
		buf[i] = (char)nx_tolower((unsigned char)c[i]);
	buf[n] = '\0';
	if (strstr(buf, "about") != NULL)
		return 0;
	if (strcmp(buf, "author") == 0 || strcmp(buf, "authorname") == 0)
		return 1;
	return n > 7 && strcmp(buf + n - 6, "author") == 0 && (buf[n - 7] == '-' || buf[n - 7] == '_');
}

/*
 * 1 when n sits in a <nav>, in comments or in related stories: a byline
 * there is a reader's or another story's.  (Not nx_html__in_side_block:
 * its sidebar test also takes "content-sidebar-wrap" around the story.)
 */
static int in_nav_or_comments(const xmlNode *n)
{
	const xmlNode *p = NULL;
	int depth = 0;

	for (p = n; p != NULL && p->type == XML_ELEMENT_NODE && depth < 64; p = p->parent, depth++) {
		if (strcmp(nx_html__tag(p), "nav") == 0 || nx_html__side_attr(nx_html__attr(p, "class")) ||
		    nx_html__side_attr(nx_html__attr(p, "id")))
			return 1;
	}
	return 0;
}

static int is_byline_el(const xmlNode *n)
{
	const char *c = nx_html__attr(n, "class"), *rel = nx_html__attr(n, "rel");
	size_t k = 0;

	if (rel != NULL && strcmp(rel, "author") == 0)
		return !in_nav_or_comments(n);
	if (c == NULL)
		return 0;
	if (nx_memcasemem(c, strlen(c), "byline") != NULL || strstr(c, "author-name") != NULL ||
	    strstr(c, "author_name") != NULL || strstr(c, "authorName") != NULL)
		return !in_nav_or_comments(n);
	while (*c != '\0') {
		while (nx_isspace((unsigned char)*c))
			c++;
		for (k = 0; c[k] != '\0' && !nx_isspace((unsigned char)c[k]); k++)
			;
		if (author_token(c, k))
			return !nx_html__in_side_block(n);
		c += k;
	}
	return 0;
}

int nx_html__absolute_url(const char *u)
{
	return u != NULL && (strncmp(u, "http://", 7) == 0 || strncmp(u, "https://", 8) == 0);
}

int nx_html__front_page_url(const char *u)
{
	const char *p = strchr(u, ':') + 3;

	p += strcspn(p, "/?#");
	if (*p == '/')
		p++;
	if (*p == '?')
		p++;
	return *p == '\0' || *p == '#';
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
			add_kv(m, nx_html__attr(n, "property"), v, 0);
			add_kv(m, nx_html__attr(n, "name"), v, 0);
			add_kv(m, nx_html__attr(n, "itemprop"), v, 1);
			add_kv(m, nx_html__attr(n, "http-equiv"), v, 0);
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
			if (m->nstory_h1 < MAX_STORY_H1 && !nx_html__masthead_heading(n))
				m->story_h1[m->nstory_h1++] = n;
		}
		if (strcmp(tag, "h2") == 0 && m->h2 == NULL && !nx_html__in_side_block(n))
			m->h2 = n;
		if (m->headline_el == NULL && (v = nx_html__attr(n, "class")) != NULL &&
		    nx_memcasemem(v, strlen(v), "headline") != NULL && !nx_html__in_side_block(n))
			m->headline_el = n;
		if (ip == NULL)
			ip = nx_html__attr(n, "property");
		if (ip != NULL) {
			if ((strstr(ip, "datePublished") != NULL || strstr(ip, "dateCreated") != NULL) &&
			    m->ip_published == NULL && !nx_html__in_side_block(n))
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
			if (v != NULL && nx_html__in_side_block(n))
				v = NULL;
			if (v != NULL && m->time_first == NULL)
				m->time_first = n;
			if (v != NULL && m->time_pub == NULL &&
			    (nx_html__attr(n, "pubdate") != NULL || (nx_html__has_date_class(n, &strong) && strong)))
				m->time_pub = n;
		}
		if (m->ndatelines < MAX_DATELINES && nx_html__has_date_class(n, &strong) &&
		    strcmp(tag, "body") != 0 && strcmp(tag, "html") != 0 && !nx_html__in_side_block(n))
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

/* The JSON-LD node under v whose "@id" is id and that has a name, or NULL. */
static json_t *ld_named_node(json_t *v, const char *id, int depth)
{
	json_t *c = NULL, *hit = NULL;
	const char *k = NULL;
	size_t i = 0;

	if (depth > MAX_LD_DEPTH)
		return NULL;
	if (json_is_array(v)) {
		json_array_foreach(v, i, c)
			if ((hit = ld_named_node(c, id, depth + 1)) != NULL)
				return hit;
		return NULL;
	}
	if (!json_is_object(v))
		return NULL;
	if (json_is_string(json_object_get(v, "name")) &&
	    json_is_string(json_object_get(v, "@id")) &&
	    strcmp(json_string_value(json_object_get(v, "@id")), id) == 0)
		return v;
	json_object_foreach(v, k, c)
		if (strcmp(k, "@graph") == 0 && (hit = ld_named_node(c, id, depth + 1)) != NULL)
			return hit;
	return NULL;
}

/*
 * The publisher's name: a string, an object's "name", or the name of the
 * node its "@id" points to ("#publisher" in an @graph); never an @id or
 * an address.
 */
static const char *ld_publisher(const page_meta *m, json_t *ld)
{
	json_t *v = json_object_get(ld, "publisher"), *node = NULL;
	const char *s = NULL;
	size_t i = 0;

	if (json_is_array(v))
		v = json_array_get(v, 0);
	if (json_is_string(v)) {
		s = json_string_value(v);
		return s[0] == '#' || strstr(s, "://") != NULL ? NULL : s;
	}
	if (!json_is_object(v))
		return NULL;
	s = json_string_value(json_object_get(v, "name"));
	if (s != NULL)
		return s;
	s = json_string_value(json_object_get(v, "@id"));
	for (i = 0; s != NULL && i < m->nld && node == NULL; i++)
		node = ld_named_node(m->ld_roots[i], s, 0);
	return node != NULL ? json_string_value(json_object_get(node, "name")) : NULL;
}

/* "Author: Jane Doe", "Autor: Jane Doe", "Auteur : Jane Doe" -> "Jane
   Doe" (one word and a colon: a label, never part of a name). */
static const char *after_label(const char *s)
{
	const char *p = s;

	while (*p != '\0' && *p != ':' && !nx_isspace((unsigned char)*p))
		p++;
	if (*p == ' ' && p[1] == ':')
		p++;
	if (*p != ':' || p == s || p - s > 12 || !nx_isspace((unsigned char)p[1]))
		return s;
	for (p++; nx_isspace((unsigned char)*p); p++)
		;
	return *p != '\0' ? p : s;
}

/* "By Jane Doe", "Par Jane Doe", "Von Jane Doe" -> "Jane Doe" (a word
   "by" in the page's language before a name of two words or more). */
static const char *after_by(const char *s)
{
	static const char *const by[] = { "by", "par", "von", "por", "door", "av", "af", NULL };
	size_t i = 0, n = 0, words = 0;
	const char *p = NULL;

	for (i = 0; by[i] != NULL; i++) {
		n = strlen(by[i]);
		if (!nx_startswith_ci(s, strlen(s), by[i]) || !nx_isspace((unsigned char)s[n]))
			continue;
		for (p = s + n, words = 0; *p != '\0'; p++)
			if (!nx_isspace((unsigned char)*p) && nx_isspace((unsigned char)p[-1]))
				words++;
		if (i == 0 || words >= 2)
			return s + n + 1;
	}
	return s;
}

static int add_author_str(nx_article *a, const char *s)
{
	size_t n = 0, st = 0, en = 0;
	nx_time t = NX_TIME_INIT;

	if (s == NULL)
		return NX_OK;
	while (nx_isspace((unsigned char)*s))
		s++;
	s = after_by(after_label(s));
	/* a date first: the name after it ("November 12, 2012 by Jane Roe"),
	   none when only the date is there ("Published: January 9, 2008") */
	if (nx_date_find(&t, s, strlen(s), &st, &en) == NX_OK && st == 0) {
		for (s += en; *s != '\0' && (unsigned char)*s < 0x80 && !nx_isalnum((unsigned char)*s); s++)
			;
		if (strncmp(s, "\xC2\xB7", 2) == 0)
			s += 2;
		while (nx_isspace((unsigned char)*s))
			s++;
		if (after_by(s) == s)
			return NX_OK;
		s = after_by(s);
	}
	while (nx_isspace((unsigned char)*s))
		s++;
	n = strlen(s);
	if (n == 0 || n > 120 || strncmp(s, "http", 4) == 0 || s[0] == '@')
		return NX_OK;
	n = nx_html__byline_name(s, n);
	if (n == 0)
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

/*
 * An address the page can claim as its own: absolute, and not the site's front
 * page unless the page was fetched from a front page itself.  Templates that fill
 * og:url or the canonical link with the home page would otherwise give every
 * story of the site one address, and the index would file them as revisions of
 * one article.
 */
static int article_url(const char *u, int front)
{
	return nx_html__absolute_url(u) && (front || !nx_html__front_page_url(u));
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
	    (nx_html__absolute_url(url) && nx_article_set(&p->url, url, -1) < 0))
		return NX_ENOMEM;
	return NX_OK;
}

char *nx_html__node_text(const xmlNode *n)
{
	nx_buf b = NX_BUF_INIT, t = NX_BUF_INIT;

	nx_html__text(&b, n);
	nx_text_clean(&t, b.buf, b.len);
	nx_buf_free(&b);
	return nx_buf_detach(&t);
}

/* 1 when author s is one word with a digit or an underscore, or all in
   lower case: a user name ("CC7567", "jane_roe", "janeroe"), not a name. */
static int user_handle(const char *s)
{
	size_t i = 0;
	int upper = 0, mark = 0;

	for (i = 0; s[i] != '\0'; i++) {
		unsigned char c = (unsigned char)s[i];

		if (nx_isspace(c) || c >= 0x80)
			return 0;
		upper |= c >= 'A' && c <= 'Z';
		mark |= nx_isdigit(c) || c == '_';
	}
	return i > 0 && (mark || !upper);
}

static int apply_authors(nx_article *a, page_meta *m)
{
	static const char *const keys[] = { "article:author", "author", "dc.creator", "parsely-author",
					    "sailthru.author", "byl", "dcterms.creator", NULL };
	size_t i = 0, k = 0;
	char *handle = NULL;
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
	/* every tag of the first key that names someone: a page with several
	   authors repeats the tag (<meta name="DC.Creator"> once an author);
	   not itemprop=author, repeated by the items of reference lists */
	for (i = 0; keys[i] != NULL && a->nauthors == 0; i++)
		for (k = 0; k < m->nkv; k++)
			if (strcmp(m->kv[k].key, keys[i]) == 0 && (a->nauthors == 0 || !m->kv[k].microdata) &&
			    (rc = add_author_str(a, m->kv[k].value)) < 0)
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
		s = nx_html__node_text(n);
		if (s == NULL)
			return NX_ENOMEM;
		rc = add_author_str(a, s);
		free(s);
		if (rc < 0)
			return rc;
	}
	/* a user handle ("CC7567", "jane_roe") gives way to the name a byline shows */
	if (a->nauthors == 1 && user_handle(a->authors[0])) {
		handle = a->authors[0];
		a->nauthors = 0;
	}
	for (i = 0; i < m->nbylines && a->nauthors == 0; i++) {
		char *s = nx_html__node_text(m->bylines[i]);

		if (s == NULL) {
			rc = NX_ENOMEM;
			break;
		}
		if (strlen(s) < 80)
			rc = add_author_str(a, s);
		free(s);
		if (rc < 0)
			break;
		if (handle != NULL && a->nauthors > 0 && strchr(a->authors[0], ' ') == NULL) {
			while (a->nauthors > 0) /* one word for one word: keep the structured one */
				free(a->authors[--a->nauthors]);
		}
	}
	if (handle != NULL && a->nauthors == 0) {
		a->authors[0] = handle;
		a->nauthors = 1;
	} else {
		free(handle);
	}
	return rc;
}

static int host_of(nx_article *a, const char *url)
{
	const char *p = NULL;
	size_t n = 0;

	if (!nx_html__absolute_url(url))
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
	int rc = NX_OK, front = 0;

	if (m == NULL)
		return NX_ENOMEM;
	collect_meta(m, doc);
	ld = m->ld_article;
	/* address */
	front = nx_html__absolute_url(page_url) && nx_html__front_page_url(page_url);
	if (ld != NULL) {
		v = json_str(ld, "url");
		if (!article_url(v, front))
			v = json_str(ld, "mainEntityOfPage");
		if (article_url(v, front) && (rc = set_if_empty(&a->url, v)) < 0)
			goto done;
	}
	v = nx_html__get_kv(m, "og:url");
	if (article_url(v, front) && (rc = set_if_empty(&a->url, v)) < 0)
		goto done;
	if (article_url(m->canonical, front) && (rc = set_if_empty(&a->url, m->canonical)) < 0)
		goto done;
	/* outlet */
	if (ld != NULL && (rc = set_if_empty(&a->source, ld_publisher(m, ld))) < 0)
		goto done;
	if (a->source != NULL && nx_html__absolute_url(a->source)) {
		free(a->source);
		a->source = NULL;
	}
	if ((rc = set_if_empty(&a->source, nx_html__get_kv(m, "og:site_name"))) < 0)
		goto done;
	if (m->ld_org != NULL &&
	    (rc = set_if_empty(&a->source, json_string_value(json_object_get(m->ld_org, "name")))) < 0)
		goto done;
	if ((rc = set_if_empty(&a->source, nx_html__get_kv(m, "application-name"))) < 0)
		goto done;
	if (a->source == NULL && (rc = host_of(a, a->url != NULL ? a->url : page_url)) < 0)
		goto done;
	if ((rc = nx_html__title(a, m)) < 0)
		goto done;
	if ((rc = apply_authors(a, m)) < 0)
		goto done;
	/* section */
	if (ld != NULL && (rc = set_if_empty(&a->section, json_str(ld, "articleSection"))) < 0)
		goto done;
	if ((rc = set_if_empty(&a->section, nx_html__get_kv(m, "article:section"))) < 0 ||
	    (rc = set_if_empty(&a->section, nx_html__get_kv(m, "parsely-section"))) < 0)
		goto done;
	/* language */
	if (ld != NULL && (rc = lang_set(a, json_str(ld, "inLanguage"))) < 0)
		goto done;
	if ((rc = lang_set(a, m->html_lang)) < 0 || (rc = lang_set(a, nx_html__get_kv(m, "og:locale"))) < 0 ||
	    (rc = lang_set(a, nx_html__get_kv(m, "content-language"))) < 0 ||
	    (rc = lang_set(a, nx_html__get_kv(m, "dc.language"))) < 0 || (rc = lang_set(a, nx_html__get_kv(m, "language"))) < 0)
		goto done;
	if ((rc = nx_html__dates(a, m, page_url)) < 0)
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

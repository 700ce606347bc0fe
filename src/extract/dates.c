/*
 * dates.c - when a page was published and updated: JSON-LD, meta tags,
 * itemprop microdata, <time datetime>, the visible dateline, a date in the
 * URL, dates in hidden keys and, last, in the text after the headline.
 * Reads what src/extract/meta.c collected (page_meta).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "extract/meta_private.h"
#include "util/buf.h"
#include "util/text.h"

int nx_html__has_date_class(const xmlNode *n, int *strong)
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

/*
 * Bounds of a plausible publication time.  A date the page states as
 * metadata (JSON-LD, <meta>, datetime attributes, a dateline that says it
 * is the publication) may be as old as archives go; a date read from free
 * text or the address must be from 1990 (1995 in the address) on, unless
 * the page's own evidence says it is older: an old metadata date, or an
 * old date in the address whose year the title or a dateline repeats.
 */
#define FLOOR_STRUCTURED (-11676096000LL) /* 1600-01-01 */
#define FLOOR_TEXT 631152000LL            /* 1990-01-01 */
#define URL_MIN_YEAR 1995
#define OLDEST_YEAR 1600
/* an <article> of at most this many words, without the page's <h1>, is a
   story card, not the story */
#define TEASER_MAX_WORDS 300

/* How dates in text are read on this page: the D/M order, the floor. */
typedef struct dctx {
	nx_date_order us;
	int64_t floor;
} dctx;

/* A plausible publication time: from floor on, not far in the future. */
static int plausible(const nx_time *t, int64_t floor)
{
	int64_t now = (int64_t)time(NULL);

	return t->set && t->utc >= floor && t->utc <= now + 2 * 86400;
}

/*
 * s with the digits of other scripts made ASCII, into out (at most outsz
 * - 1 bytes): Arabic-Indic U+0660.., Extended Arabic-Indic (Persian)
 * U+06F0.., Devanagari U+0966.., Bengali U+09E6.. ("٢٠٢٠-٠٧-١٢").
 */
static void ascii_digits(char *out, size_t outsz, const char *s, size_t n)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t i = 0, k = 0;

	while (i < n && k + 1 < outsz) {
		if (i + 1 < n && (u[i] == 0xD9 && u[i + 1] >= 0xA0 && u[i + 1] <= 0xA9)) {
			out[k++] = (char)('0' + u[i + 1] - 0xA0);
			i += 2;
		} else if (i + 1 < n && u[i] == 0xDB && u[i + 1] >= 0xB0 && u[i + 1] <= 0xB9) {
			out[k++] = (char)('0' + u[i + 1] - 0xB0);
			i += 2;
		} else if (i + 2 < n && u[i] == 0xE0 && (u[i + 1] == 0xA5 || u[i + 1] == 0xA7) &&
			   u[i + 2] >= 0xA6 && u[i + 2] <= 0xAF) {
			out[k++] = (char)('0' + u[i + 2] - 0xA6);
			i += 3;
		} else {
			out[k++] = s[i++];
		}
	}
	out[k] = '\0';
}

static int parse_date(nx_time *out, const char *s, int64_t floor)
{
	char buf[256];
	size_t n = 0;

	if (s == NULL)
		return 0;
	n = strlen(s);
	if (n > 200)
		n = 200;
	ascii_digits(buf, sizeof(buf), s, n);
	n = strlen(buf);
	if (nx_date_parse(out, buf, n) == NX_OK && plausible(out, floor))
		return 1;
	if (nx_date_find(out, buf, n, NULL, NULL) == NX_OK && plausible(out, floor))
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
static int find_text_date(nx_time *out, const char *s, size_t n, const dctx *c)
{
	nx_time t = NX_TIME_INIT, upd = NX_TIME_INIT;
	size_t st = 0, en = 0, at = 0;
	int ok = 0;

	while (at < n && nx_date_find_order(&t, s + at, n - at, c->us, &st, &en) == NX_OK) {
		if (plausible(&t, c->floor)) {
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

static int date_from_node(nx_time *out, const xmlNode *n, const dctx *c)
{
	nx_buf b = NX_BUF_INIT;
	int ok = 0;

	if (n == NULL)
		return 0;
	if (parse_date(out, nx_html__attr(n, "content"), FLOOR_STRUCTURED) ||
	    parse_date(out, nx_html__attr(n, "datetime"), FLOOR_STRUCTURED) ||
	    parse_date(out, nx_html__attr(n, "title"), c->floor))
		return 1;
	nx_html__text(&b, n);
	if (nx_buf_ok(&b) && b.len < 300) {
		nx_buf t = NX_BUF_INIT;

		nx_text_clean(&t, b.buf, b.len);
		ok = nx_buf_ok(&t) && (parse_date(out, t.buf, c->floor) || find_text_date(out, t.buf, t.len, c));
		nx_buf_free(&t);
	}
	nx_buf_free(&b);
	return ok;
}

/* Published (and updated) from a visible dateline such as
 * "01:42 GMT 08.07.2021 (Updated: 13:20 GMT 06.08.2022)". */
static int date_from_dateline(nx_article *a, const xmlNode *n, const dctx *dc, int64_t floor)
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
		if (nx_date_find_order(&t, c.buf + at, c.len - at, dc->us, &st, &en) != NX_OK)
			break;
		if (plausible(&t, floor)) {
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
	if (!pub.set && !upd.set && (parse_date(&t, nx_html__attr(n, "datetime"), FLOOR_STRUCTURED) ||
				     parse_date(&t, nx_html__attr(n, "content"), FLOOR_STRUCTURED) ||
				     parse_date(&t, nx_html__attr(n, "title"), floor)))
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
	return strcmp(tag, "nav") == 0 || nx_html__side_attr(nx_html__attr(n, "class")) ||
	       nx_html__side_attr(nx_html__attr(n, "id")) ||
	       ((strcmp(tag, "footer") == 0 || strcmp(tag, "aside") == 0 ||
		 nx_html__sidebar_attr(nx_html__attr(n, "class")) || nx_html__sidebar_attr(nx_html__attr(n, "id"))) &&
		nx_html__in_side_block(n));
}

/*
 * Last resort: the first date in the visible text after the first <h1>
 * (where datelines sit), else anywhere in the page.  Unless all is set,
 * the text of comments, related stories and sidebars is left out.
 */
static int date_from_text(nx_time *out, xmlNode *start, xmlNode *root, size_t max,
			  const dctx *c, int all)
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
		ok = find_text_date(out, b.buf, b.len, c);
	nx_buf_free(&b);
	return ok;
}

/* A date in the address: /2021/07/08/, /2021-07-08/, _20210708 ... */
static int date_from_url(nx_time *out, const char *url, int min_year)
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
		if (y < min_year || y > 2100)
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
		if (nx_date_parse(out, buf, strlen(buf)) == NX_OK && plausible(out, FLOOR_STRUCTURED))
			return 1;
	}
	return 0;
}

/* The path of address u ("/a/b" of "https://host/a/b/?q#f", "a/b" of a
   relative "a/b"), its length in *n; NULL for a fragment, a query, a
   "mailto:" or "javascript:" link. */
static const char *url_path(const char *u, size_t *n)
{
	const char *p = NULL;

	*n = 0;
	if (u == NULL)
		return NULL;
	p = strstr(u, "://");
	if (p != NULL)
		p = strchr(p + 3, '/');
	else if (u[0] == '/' && u[1] == '/')
		p = strchr(u + 2, '/');
	else if (u[0] != '#' && u[0] != '?' && strchr(u, ':') == NULL)
		p = u; /* "/a/b" or relative "a/b" */
	if (p == NULL)
		return NULL;
	while (p[*n] != '\0' && p[*n] != '?' && p[*n] != '#')
		(*n)++;
	while (*n > 1 && p[*n - 1] == '/')
		(*n)--;
	return p;
}

/* 1 when link href leads away from the page (its address or canonical one). */
static int links_away(const char *href, const char *const urls[3])
{
	size_t hn = 0, un = 0, i = 0;
	const char *h = url_path(href, &hn), *u = NULL;

	if (h == NULL || hn <= 1)
		return 0; /* a fragment, the home page: not a story */
	for (i = 0; i < 3; i++) {
		u = url_path(urls[i], &un);
		/* the same path, or a relative one the page's path ends with */
		if (u != NULL && un >= hn && memcmp(u + un - hn, h, hn) == 0 &&
		    (un == hn || (h[0] != '/' && u[un - hn - 1] == '/')))
			return 0;
	}
	return 1;
}

/* The number of words in the text of n. */
static size_t text_words(const xmlNode *n)
{
	nx_buf b = NX_BUF_INIT;
	size_t i = 0, words = 0;

	nx_html__text(&b, n);
	for (i = 0; nx_buf_ok(&b) && i < b.len; i++)
		if (!nx_isspace((unsigned char)b.buf[i]) && (i == 0 || nx_isspace((unsigned char)b.buf[i - 1])))
			words++;
	nx_buf_free(&b);
	return words;
}

/* 1 when element a is a link away from the page with at least words more
   words than the date element n it may hold: a headline, a teaser. */
static int story_link(const xmlNode *a, const xmlNode *n, const char *const urls[3])
{
	const char *rel = nx_html__attr(a, "rel");

	if (strcmp(nx_html__tag(a), "a") != 0 || (rel != NULL && strstr(rel, "author") != NULL) ||
	    !links_away(nx_html__attr(a, "href"), urls))
		return 0;
	return text_words(a) >= 3 + (n != NULL ? text_words(n) : 0);
}

/* 1 when element n is d or holds it. */
static int holds(const xmlNode *n, const xmlNode *d)
{
	for (; d != NULL; d = d->parent)
		if (d == n)
			return 1;
	return 0;
}

/*
 * 1 when the date element n belongs to another story's teaser: it sits
 * inside a link to another page that holds more than the date, or in a
 * list item or a short <article> without the page's headline (a story
 * card) that holds another story's headline link ("<li><a
 * href=/other>Headline</a> <time>").
 */
static int teaser_date(const xmlNode *n, const page_meta *m, const char *const urls[3])
{
	const xmlNode *p = NULL, *c = NULL;
	int depth = 0;

	for (p = n; p != NULL && p->type == XML_ELEMENT_NODE && depth < 16; p = p->parent, depth++) {
		const char *tag = nx_html__tag(p);

		if (strcmp(tag, "body") == 0 || strcmp(tag, "main") == 0)
			return 0;
		if (strcmp(tag, "a") == 0 && p != n)
			return story_link(p, n, urls);
		/* a list item, or a story card: an <article> of a few lines */
		if (strcmp(tag, "li") == 0 ||
		    (strcmp(tag, "article") == 0 && !holds(p, m->h1) && text_words(p) <= TEASER_MAX_WORDS)) {
			for (c = p->children; c != NULL; c = nx_html__next((xmlNode *)c, p, 0))
				if (c->type == XML_ELEMENT_NODE && story_link(c, NULL, urls))
					return 1;
			return 0;
		}
		if (strcmp(tag, "article") == 0)
			return 0;
	}
	return 0;
}

/*
 * The first <time datetime> from n on (n included) that is not in a side
 * block nor another story's teaser; with pub, one that says it is the
 * publication, and only when no other one says so of another day (a
 * template that marks every listed story's time "pubdate" singles out
 * none).  NULL when none.
 */
static const xmlNode *story_time(xmlNode *n, const page_meta *m, const char *const urls[3], int pub)
{
	const xmlNode *found = NULL;
	const char *v = NULL, *day = NULL;
	int strong = 0, skip = 0;

	for (; n != NULL; n = nx_html__next(n, m->root, skip)) {
		const char *tag = n->type == XML_ELEMENT_NODE ? nx_html__tag(n) : "";

		skip = strcmp(tag, "script") == 0 || strcmp(tag, "style") == 0;
		if (strcmp(tag, "time") != 0 || (v = nx_html__attr(n, "datetime")) == NULL ||
		    nx_html__in_side_block(n) || teaser_date(n, m, urls))
			continue;
		if (!pub)
			return n;
		if (nx_html__attr(n, "pubdate") == NULL && !(nx_html__has_date_class(n, &strong) && strong))
			continue;
		if (found == NULL) {
			found = n;
			day = v;
		} else if (strncmp(v, day, 10) != 0) {
			return NULL;
		}
	}
	return found;
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

		if (!parse_date(&c, v, FLOOR_STRUCTURED) || !c.has_offset || c.offset == 0 || !c.has_time)
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
static int date_from_keys(nx_time *out, const char *s, size_t n, int64_t floor)
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
			if (parse_date(out, val, floor))
				return 1;
		}
	}
	return 0;
}

/*
 * Dates in machine text.  With keys: a publication key in a script's data
 * or a comment ("publishedDate":"...", dc:date="..."), metadata that only
 * the visible metadata outranks.  Without: the very last resort, a date
 * in a short inline script (showDate("2020/04/17 01:43:09")).  A bare
 * date in a comment is when the page was made or cached ("<!-- cached
 * 2020-04-24 21:36:31 -->"), not when the story was published.
 */
static int date_from_hidden(nx_time *out, const page_meta *m, const dctx *dc, int keys)
{
	xmlNode *top = NULL, *n = NULL, *c = NULL;
	nx_buf b = NX_BUF_INIT;
	int pass = 0, ok = 0, skip = 0;

	for (pass = keys ? 0 : 1; pass < (keys ? 1 : 2) && !ok; pass++) {
		for (top = m->doc != NULL ? m->doc->children : NULL; top != NULL && !ok; top = top->next) {
			for (n = top; n != NULL && !ok; n = nx_html__next(n, top, skip)) {
				const char *text = NULL;

				skip = 0;
				if (n->type == XML_COMMENT_NODE) {
					text = pass == 0 ? (const char *)n->content : NULL;
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
					ok = date_from_keys(out, text, strlen(text), dc->floor);
				else
					ok = find_text_date(out, text, strlen(text), dc);
			}
		}
	}
	nx_buf_free(&b);
	return ok;
}

/* 1 when the 4-digit year y is written in s. */
static int mentions_year(const char *s, int y)
{
	char want[16];
	const char *p = s;

	if (s == NULL)
		return 0;
	snprintf(want, sizeof(want), "%04d", y);
	while ((p = strstr(p, want)) != NULL) {
		if ((p == s || !nx_isdigit((unsigned char)p[-1])) && !nx_isdigit((unsigned char)p[4]))
			return 1;
		p++;
	}
	return 0;
}

/* The calendar year of t, as the page states it (local time). */
static int year_of(const nx_time *t)
{
	time_t secs = (time_t)(t->utc + (int64_t)t->offset * 60);
	struct tm tm;

	memset(&tm, 0, sizeof(tm));
	if (gmtime_r(&secs, &tm) == NULL)
		return 0;
	return tm.tm_year + 1900;
}

/* Midnight UTC on 1 January of year y. */
static int64_t year_start(int y)
{
	int64_t days = 0;
	int k = 0;

	for (k = 1970; k > y; k--)
		days -= ((k - 1) % 4 == 0 && ((k - 1) % 100 != 0 || (k - 1) % 400 == 0)) ? 366 : 365;
	for (k = 1970; k < y; k++)
		days += (k % 4 == 0 && (k % 100 != 0 || k % 400 == 0)) ? 366 : 365;
	return days * 86400;
}

/*
 * The page's own evidence for a date before 1990 (see FLOOR_TEXT): a
 * metadata date that old, or a date in the address whose year the title,
 * the description or a dateline repeats.  Lowers c->floor and *url_min.
 */
static void old_date_evidence(const nx_article *a, const page_meta *m, const char *page_url, dctx *c,
			      int *url_min)
{
	nx_time u = NX_TIME_INIT;
	nx_buf b = NX_BUF_INIT;
	size_t i = 0;
	int y = 0, seen = 0;

	if (a->published.set && a->published.utc < c->floor) {
		y = year_of(&a->published);
	} else if (date_from_url(&u, a->url, OLDEST_YEAR) || date_from_url(&u, page_url, OLDEST_YEAR) ||
		   date_from_url(&u, m->canonical, OLDEST_YEAR)) {
		y = year_of(&u);
		if (y >= URL_MIN_YEAR)
			return;
		seen = mentions_year(a->title, y) || mentions_year(nx_html__get_kv(m, "description"), y);
		for (i = 0; i < m->ndatelines && !seen; i++) {
			nx_buf_reset(&b);
			nx_html__text(&b, m->datelines[i]);
			seen = nx_buf_ok(&b) && b.len > 0 && mentions_year(b.buf, y);
		}
		nx_buf_free(&b);
		if (!seen)
			return;
	}
	if (y >= OLDEST_YEAR && year_start(y) < c->floor) {
		c->floor = year_start(y);
		if (y < *url_min)
			*url_min = y;
	}
}

/*
 * What the page states as metadata, most trusted first: JSON-LD,
 * <meta> keys, microdata, a <time> that says it is the publication, a
 * dateline that says so, the first <time datetime>.
 */
static void structured_dates(nx_article *a, page_meta *m, const dctx *c, const char *const urls[3])
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
	const int64_t f = FLOOR_STRUCTURED;
	nx_time t = NX_TIME_INIT;
	size_t i = 0;
	int strong = 0;

	if (m->ld_article != NULL && !a->published.set)
		parse_date(&a->published, json_string_value(json_object_get(m->ld_article, "datePublished")), f);
	if (m->ld_article != NULL && !a->updated.set)
		parse_date(&a->updated, json_string_value(json_object_get(m->ld_article, "dateModified")), f);
	if (m->ld_article != NULL && !a->published.set)
		parse_date(&a->published, json_string_value(json_object_get(m->ld_article, "dateCreated")), f);
	for (i = 0; pub_keys[i] != NULL && !a->published.set; i++)
		parse_date(&a->published, nx_html__get_kv(m, pub_keys[i]), f);
	for (i = 0; mod_keys[i] != NULL && !a->updated.set; i++)
		parse_date(&a->updated, nx_html__get_kv(m, mod_keys[i]), f);
	if (!a->published.set && date_from_node(&t, m->ip_published, c))
		a->published = t;
	if (!a->updated.set && date_from_node(&t, m->ip_modified, c))
		a->updated = t;
	if (!a->published.set && date_from_node(&t, story_time(m->time_pub, m, urls, 1), c))
		a->published = t;
	/* a dateline that says it is the publication is metadata too */
	for (i = 0; i < m->ndatelines && !a->published.set; i++)
		if (nx_html__has_date_class(m->datelines[i], &strong) && strong)
			date_from_dateline(a, m->datelines[i], c, f);
	if (!a->published.set && date_from_node(&t, story_time(m->time_first, m, urls, 0), c))
		a->published = t;
}

/*
 * The day in the address wins over a structured time one day off when a
 * time zone can explain it (a UTC time for an evening story, a date
 * stamped at midnight); with no time yet, it is the time.
 */
static void url_day(nx_article *a, const page_meta *m, const char *page_url, int url_min)
{
	nx_time u = NX_TIME_INIT;
	int64_t d1 = 0, d2 = 0, local = 0, tod = 0;

	if (!date_from_url(&u, a->url, url_min) && !date_from_url(&u, page_url, url_min) &&
	    !date_from_url(&u, m->canonical, url_min))
		return;
	if (!a->published.set) {
		a->published = u;
		return;
	}
	d1 = u.utc / 86400;
	local = a->published.utc + (int64_t)a->published.offset * 60;
	d2 = local / 86400;
	tod = local - d2 * 86400;
	if (!a->published.has_time || (d2 - d1 == 1 && tod < URL_EARLIER_MAX * 3600) ||
	    (d1 - d2 == 1 && tod >= URL_LATER_MIN * 3600))
		if (d2 - d1 == 1 || d1 - d2 == 1)
			a->published = u;
}

int nx_html__dates(nx_article *a, page_meta *m, const char *page_url)
{
	nx_time t = NX_TIME_INIT;
	size_t i = 0;
	int url_min = URL_MIN_YEAR;
	const char *urls[3];
	dctx c;

	c.us = nx_date_order_of_lang(m->html_lang != NULL ? m->html_lang : a->lang);
	c.floor = FLOOR_TEXT;
	urls[0] = a->url;
	urls[1] = page_url;
	urls[2] = m->canonical;
	structured_dates(a, m, &c, urls);
	local_offset(m, &a->published);
	old_date_evidence(a, m, page_url, &c, &url_min);
	url_day(a, m, page_url, url_min);
	for (i = 0; i < m->ndatelines && !a->published.set; i++)
		date_from_dateline(a, m->datelines[i], &c, c.floor);
	/* any other meta tag that names a publication or creation date */
	for (i = 0; i < m->nkv && !a->published.set; i++) {
		const char *k = m->kv[i].key;

		if ((strstr(k, "publish") != NULL || strstr(k, "created") != NULL ||
		     strstr(k, "uploaded") != NULL || strstr(k, "date") != NULL) &&
		    strstr(k, "modif") == NULL && strstr(k, "updat") == NULL && strstr(k, "expir") == NULL)
			parse_date(&a->published, m->kv[i].value, c.floor);
	}
	/* a publication key in a script's data or a comment is metadata */
	if (!a->published.set && date_from_hidden(&t, m, &c, 1))
		a->published = t;
	if (!a->published.set && m->h1 != NULL && date_from_text(&t, m->h1, m->root, 3000, &c, 0))
		a->published = t;
	if (!a->published.set) {
		const char *d = nx_html__get_kv(m, "description");

		if (d == NULL)
			d = nx_html__get_kv(m, "og:description");
		if (d != NULL && find_text_date(&t, d, strlen(d), &c))
			a->published = t;
	}
	if (!a->published.set && m->root != NULL && date_from_text(&t, m->root, m->root, 200000, &c, 0))
		a->published = t;
	if (!a->published.set && m->root != NULL && date_from_text(&t, m->root, m->root, 200000, &c, 1))
		a->published = t;
	if (!a->published.set && date_from_hidden(&t, m, &c, 0))
		a->published = t;
	local_offset(m, &a->published);
	return NX_OK;
}

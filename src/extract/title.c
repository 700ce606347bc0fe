/*
 * title.c - the page's headline: the JSON-LD headline (unless the <title>
 * lacks most of its words), og:/twitter:/dc. titles, itemprop=headline,
 * then the story's <h1> (not the site's masthead, not a section name the
 * <title> holds in its site part) or the <title> minus the site's name.
 */
#include <stdlib.h>
#include <string.h>

#include "extract/extract_private.h"
#include "extract/meta_private.h"
#include "util/text.h"

static int set_title(nx_article *a, const char *v)
{
	if (a->title != NULL || v == NULL)
		return NX_OK;
	return nx_article_set(&a->title, v, -1);
}

/* 1 when link target href leads to the site's front page: "/", "./",
   "index.html", "../index.php", "https://example.com/" (not "", "#top"). */
static int front_page_href(const char *href)
{
	const char *p = NULL;
	size_t n = 0;

	while (nx_isspace((unsigned char)*href))
		href++;
	if (nx_html__absolute_url(href))
		return nx_html__front_page_url(href);
	p = href;
	while (strncmp(p, "../", 3) == 0)
		p += 3;
	if (strncmp(p, "./", 2) == 0)
		p += 2;
	else if (*p == '/' && p[1] != '/')
		p++;
	n = strcspn(p, "?#");
	if (n == 0)
		return p != href;
	return nx_startswith_ci(p, n, "index.") && strcspn(p + 6, "/") >= n - 6;
}

int nx_html__masthead_heading(xmlNode *h)
{
	xmlNode *c = h, *link = NULL, *up = NULL;
	const char *href = NULL;
	const xmlChar *t = NULL;

	while ((c = nx_html__next(c, h, 0)) != NULL) {
		if (link == NULL && nx_html__is(c, "a")) {
			link = c;
			href = nx_html__attr(c, "href");
			continue;
		}
		if (c->type != XML_TEXT_NODE)
			continue;
		for (t = c->content; t != NULL && *t != '\0' && nx_isspace(*t); t++)
			;
		if (t == NULL || *t == '\0')
			continue;
		for (up = c->parent; up != NULL && up != h && up != link; up = up->parent)
			;
		if (link == NULL || up != link)
			return 0; /* text outside the link */
	}
	return href != NULL && front_page_href(href);
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

/* The span of <title> text t that is the headline, without " | Site Name"
   (readability's rule): t[*off .. *off + *len). */
static void tag_title_span(const char *t, size_t *off, size_t *len)
{
	static const char *const seps[] = { " | ", " - ", " – ", " — ", " » ", " / ", " :: ", " · ", NULL };
	size_t n = strlen(t), i = 0, k = 0, last = 0, lastlen = 0, first = n, firstlen = 0;

	*off = 0;
	*len = n;
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
		return;
	if (word_count(t, last) >= 3) {
		*len = last;
		return;
	}
	if (word_count(t + first + firstlen, n - first - firstlen) >= 3 && first + firstlen < n) {
		/* "Site | Long headline here" */
		size_t e = n - first - firstlen;

		if (last > first)
			e = last - first - firstlen;
		if (word_count(t + first + firstlen, e) >= 3) {
			*off = first + firstlen;
			*len = e;
		}
	}
}

/* The length of the punctuation mark at s (n bytes left): an ASCII one,
   or a dash, guillemet, bullet or middle dot in UTF-8; 0 for anything else. */
static size_t punct_len(const char *s, size_t n)
{
	static const char *const marks[] = { "\xE2\x80\x93", "\xE2\x80\x94", "\xC2\xBB", "\xC2\xAB",
					     "\xE2\x80\xBA", "\xE2\x80\xB9", "\xE2\x80\xA2", "\xC2\xB7", NULL };
	unsigned char c = (unsigned char)s[0];
	size_t i = 0, k = 0;

	if (n == 0)
		return 0;
	if (c < 0x80)
		return !nx_isalnum(c) && !nx_isspace(c) && c != '\0';
	for (i = 0; marks[i] != NULL; i++) {
		k = strlen(marks[i]);
		if (k <= n && memcmp(s, marks[i], k) == 0)
			return k;
	}
	return 0;
}

/* The words of s[0..n) that hold more than punctuation ("-", "|", "»" are not words). */
static size_t text_words(const char *s, size_t n)
{
	size_t w = 0, i = 0, p = 0;
	int in = 0, word = 0;

	for (i = 0; i <= n; i += p > 0 ? p : 1) {
		p = 0;
		if (i == n || s[i] == ' ') {
			w += in && word;
			in = word = 0;
			continue;
		}
		in = 1;
		p = punct_len(s + i, n - i);
		if (p == 0)
			word = 1;
	}
	return w;
}

static int title_from_tag(nx_article *a, const char *t)
{
	size_t off = 0, len = 0;

	tag_title_span(t, &off, &len);
	return nx_article_set(&a->title, t + off, (long)len);
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
		if ((t = nx_html__node_text(cand[i])) == NULL)
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

/* 1 when the word w is a word of t, case aside. */
static int has_word(const char *t, const char *w)
{
	size_t tn = strlen(t), n = strlen(w);
	const char *hit = NULL;

	for (hit = t; (hit = nx_memcasemem(hit, tn - (size_t)(hit - t), w)) != NULL; hit++) {
		unsigned char before = hit > t ? (unsigned char)hit[-1] : ' ';
		unsigned char after = (unsigned char)hit[n];

		if (!nx_isalnum(before) && before < 0x80 && !nx_isalnum(after) && after < 0x80)
			return 1;
	}
	return 0;
}

/* 1 when at least half the words of s (two characters or more) are words of t. */
static int half_words_in(const char *s, const char *t)
{
	size_t i = 0, n = 0, words = 0, found = 0;
	char w[64];

	for (i = 0; s[i] != '\0'; i += n > 0 ? n : 1) {
		for (n = 0; s[i + n] != '\0' && (nx_isalnum((unsigned char)s[i + n]) ||
						 (unsigned char)s[i + n] >= 0x80); n++)
			;
		if (n < 2 || n >= sizeof(w))
			continue;
		memcpy(w, s + i, n);
		w[n] = '\0';
		words++;
		found += has_word(t, w);
	}
	return 2 * found >= words;
}

/* The JSON-LD headline, unless the page's <title> lacks most of its words
   (a tagline or a description given as the headline). */
static const char *ld_headline(const page_meta *m)
{
	const char *h = json_string_value(json_object_get(m->ld_article, "headline"));
	char *tt = NULL;
	int ok = 1;

	if (h == NULL || m->title_el == NULL || (tt = nx_html__node_text(m->title_el)) == NULL)
		return h;
	if (*tt != '\0' && !half_words_in(h, tt))
		ok = 0;
	free(tt);
	return ok ? h : NULL;
}

/* 1 when t starts with h and a separator or the end follows it: "Mozilla"
   of "Mozilla - Wikipedia", not "NFL" of "NFL Preview - Seattle At Green Bay". */
static int title_part(const char *t, const char *h)
{
	size_t n = strlen(h), rest = 0;

	if (strncmp(t, h, n) != 0)
		return 0;
	if (t[n] == '\0')
		return 1;
	rest = strlen(t + n + 1);
	return t[n] == ' ' && strchr("(\"'", t[n + 1]) == NULL && punct_len(t + n + 1, rest) > 0;
}

static int choose_title(nx_article *a, page_meta *m)
{
	static const char *const keys[] = { "og:title", "twitter:title", "dc.title", "parsely-title",
					    "sailthru.title", NULL };
	char *tt = NULL, *h1 = NULL;
	size_t i = 0, off = 0, len = 0, tag_words = 0;
	int rc = NX_OK;

	if (m->ld_article != NULL && (rc = set_title(a, ld_headline(m))) < 0)
		return rc;
	for (i = 0; keys[i] != NULL && a->title == NULL; i++)
		if ((rc = set_title(a, nx_html__get_kv(m, keys[i]))) < 0)
			return rc;
	if (a->title == NULL && m->ip_headline != NULL) {
		h1 = nx_html__node_text(m->ip_headline);
		if (h1 == NULL)
			return NX_ENOMEM;
		rc = set_title(a, h1);
		free(h1);
		h1 = NULL;
		if (rc < 0)
			return rc;
	}
	if (a->title != NULL)
		return NX_OK;
	if (m->title_el != NULL && (tt = nx_html__node_text(m->title_el)) == NULL)
		goto oom;
	/* the first story <h1> the <title> holds, with half the words of its
	   headline part or more (not a section name: "NBA" of "Knicks win - NBA
	   News Story"); else the page's only <h1> when it reads like a
	   headline, or the first when there is no <title> */
	if (tt != NULL) {
		tag_title_span(tt, &off, &len);
		tag_words = text_words(tt + off, len);
	}
	for (i = 0; i < m->nstory_h1; i++) {
		free(h1);
		if ((h1 = nx_html__node_text(m->story_h1[i])) == NULL)
			goto oom;
		if (*h1 != '\0' && tt != NULL && strstr(tt, h1) != NULL &&
		    (2 * text_words(h1, strlen(h1)) >= tag_words || title_part(tt, h1) ||
		     title_part(tt + off, h1)))
			break;
	}
	if (i == m->nstory_h1 && m->nstory_h1 > 0) {
		free(h1);
		if ((h1 = nx_html__node_text(m->story_h1[0])) == NULL)
			goto oom;
		if (tt != NULL && *tt != '\0' && (m->nh1 > 1 || word_count(h1, strlen(h1)) < 4))
			*h1 = '\0';
	}
	if (h1 != NULL && *h1 != '\0')
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

int nx_html__title(nx_article *a, page_meta *m)
{
	int rc = choose_title(a, m);

	if (rc == NX_OK && a->title != NULL && a->source != NULL)
		strip_site(&a->title, a->source);
	return rc;
}

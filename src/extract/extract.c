/*
 * extract.c - the article body of a page or a fragment: paragraphs,
 * figures with their captions and credits.  Reading the page (character
 * set, parser, tree helpers) is src/extract/html_read.c.
 *
 * Every walk over the tree is iterative, so pathological nesting (10000
 * nested tables) costs time linear in the document, never stack.
 *
 * Body extraction for a page is readability-style: every paragraph-like
 * element scores for its parent and grandparent (text length, commas),
 * containers get a bonus or a penalty from their class and id (article,
 * content, story ... versus comment, share, related, footer ...), scores
 * are discounted by link density and the best container wins, joined by
 * siblings that score nearly as well.  Its paragraphs are then collected
 * in order, dropping boilerplate blocks and link lists; figures become
 * photos with caption and credit split.
 */
#include "extract/extract.h"

#include <libxml/HTMLparser.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "article/credit.h"
#include "extract/extract_private.h"
#include "util/text.h"

/* ---- per-element statistics -------------------------------------------- */

typedef struct hinfo {
	size_t text;   /* visible characters (no white space), skipped parts excluded */
	size_t link;   /* of which inside <a> */
	size_t commas;
	size_t raw;    /* visible characters before boilerplate skipping */
	size_t praw;   /* of which inside <p> */
	double score;
	unsigned char scored;
	unsigned char skip;      /* boilerplate: never collected or scored */
	unsigned char has_block; /* a block element below */
	unsigned char body_hint; /* itemprop=articleBody or below one */
} hinfo;

static hinfo *info(const xmlNode *n)
{
	return n != NULL && n->type == XML_ELEMENT_NODE ? (hinfo *)n->_private : NULL;
}

static size_t count_chars(const char *s, size_t *commas)
{
	size_t n = 0;
	const unsigned char *p = (const unsigned char *)s;

	for (; *p != '\0'; p++) {
		if (*p == ',')
			(*commas)++;
		else if (p[0] == 0xEF && p[1] == 0xBC && p[2] == 0x8C)
			(*commas)++; /* fullwidth comma */
		else if (p[0] == 0xE3 && p[1] == 0x80 && p[2] == 0x81)
			(*commas)++; /* ideographic comma */
		if (*p <= ' ' || (*p >= 0x80 && *p < 0xC0))
			continue;
		if (p[0] == 0xC2 && p[1] == 0xA0)
			continue;
		n++;
	}
	return n;
}

/* ---- class and id hints ------------------------------------------------ */

/* Lower-case "class id" of n into buf. */
static void class_id(char *buf, size_t bufsz, const xmlNode *n)
{
	const char *c = nx_html__attr(n, "class"), *id = nx_html__attr(n, "id");
	size_t k = 0;

	buf[0] = '\0';
	if (c != NULL)
		for (; *c != '\0' && k + 2 < bufsz; c++)
			buf[k++] = (char)nx_tolower((unsigned char)*c);
	if (id != NULL && k + 2 < bufsz) {
		buf[k++] = ' ';
		for (; *id != '\0' && k + 1 < bufsz; id++)
			buf[k++] = (char)nx_tolower((unsigned char)*id);
	}
	buf[k] = '\0';
}

static int has_any(const char *s, const char *const *list)
{
	size_t i = 0;

	for (i = 0; list[i] != NULL; i++)
		if (strstr(s, list[i]) != NULL)
			return 1;
	return 0;
}

/* One of the tokens (split at space, '-', '_') equals one of list. */
static int has_token(const char *s, const char *const *list)
{
	size_t i = 0, n = 0;

	while (*s != '\0') {
		while (*s == ' ' || *s == '-' || *s == '_')
			s++;
		n = 0;
		while (s[n] != '\0' && s[n] != ' ' && s[n] != '-' && s[n] != '_')
			n++;
		for (i = 0; n > 0 && list[i] != NULL; i++)
			if (strlen(list[i]) == n && memcmp(s, list[i], n) == 0)
				return 1;
		s += n;
	}
	return 0;
}

/* Never article text, whatever else the class says. */
static const char *const strong_neg[] = {
	"comment", "disqus", "share", "sharing", "social", "related", "recommend", "newsletter",
	"subscri", "promo", "sponsor", "advert", "outbrain", "taboola", "cookie", "gdpr", "consent",
	"breadcrumb", "popup", "signup", "sign-up", "trending", "most-popular", "mostpopular",
	"most-read", "mostread", "more-stories", "sidebar", "masthead", "navbar", "navigation",
	"byline", "dateline", "timestamp", "author-info", "author-bio", "authorbio", "toolbar",
	"skip-link", "skiplink", "pagination", "sr-only", "visually-hidden", "screen-reader",
	"visuallyhidden", "inline-ad", "adslot", "ad-slot", "ad-container", "ad-wrapper", "adsense",
	"dfp-", "googlead", "teaser-list", "login", "tooltip", "print-only", "tag-list", "taglist",
	"article-tags", "post-tags", "follow-us", "app-promo", "jump-link", "further-reading",
	"see-also", "seealso", NULL
};

static const char *const weak_neg[] = {
	"footer", "menu", "banner", "combx", "community", "cover-wrap", "extra", "gdpr", "legend",
	"remark", "replies", "rss", "shoutbox", "skyscraper", "supplemental", "agegate", "pager",
	"yom-remote", "header", "meta", "caption", "credit", "copyright", "modal", "widget",
	"overlay", "read-more", "readmore", "paywall", "rating", "poll", "survey", "keyword",
	"membership", "donate", NULL
};

static const char *const neg_tokens[] = {
	"ad", "ads", "adv", "nav", "tags", "tag", "hidden", "hide", "aside", "sidebar", "rail",
	"right-rail", "share", "print", "noprint", "no-print", "author", "date", "time", "published",
	NULL
};

static const char *const maybe_pos[] = {
	"and", "article", "body", "column", "content", "main", "shadow", "story", "entry", "text",
	"post", "blog", "hentry", NULL
};

static const char *const pos_weight[] = {
	"article", "body", "content", "entry", "hentry", "h-entry", "main", "page", "post", "text",
	"blog", "story", "prose", "rich", NULL
};

static const char *const neg_weight[] = {
	"-ad-", "hidden", "banner", "combx", "comment", "com-", "contact", "foot", "footnote",
	"gdpr", "masthead", "media", "meta", "outbrain", "promo", "related", "scroll", "share",
	"shoutbox", "sidebar", "skyscraper", "sponsor", "shopping", "tags", "tool", "widget",
	"byline", "author", "caption", "social", "newsletter", "nav", "menu", NULL
};

static const char *const hint_roles[] = {
	"navigation", "complementary", "banner", "contentinfo", "dialog", "alert", "menu",
	"menubar", "search", "toolbar", "tablist", NULL
};

/* 2: strong boilerplate, 1: weak (a positive hint overrides), 0: none */
static int boilerplate_class(const xmlNode *n)
{
	char ci[512];
	const char *v = NULL;

	v = nx_html__attr(n, "role");
	if (v != NULL && nx_html__tag_in(v, hint_roles))
		return 2;
	if (nx_html__attr(n, "hidden") != NULL)
		return 2;
	v = nx_html__attr(n, "aria-hidden");
	if (v != NULL && strcmp(v, "true") == 0)
		return 1;
	v = nx_html__attr(n, "style");
	if (v != NULL && (strstr(v, "display:none") != NULL || strstr(v, "display: none") != NULL ||
			  strstr(v, "visibility:hidden") != NULL || strstr(v, "visibility: hidden") != NULL))
		return 2;
	v = nx_html__attr(n, "itemprop");
	if (v != NULL && strstr(v, "articleBody") != NULL)
		return 0;
	class_id(ci, sizeof(ci), n);
	if (ci[0] == '\0')
		return 0;
	if (has_any(ci, strong_neg))
		return 2;
	if ((has_any(ci, weak_neg) || has_token(ci, neg_tokens)) && !has_any(ci, maybe_pos))
		return 1;
	return 0;
}

/* A class that names the article itself (not its comments). */
static int positive_class(const xmlNode *n)
{
	char ci[512];

	class_id(ci, sizeof(ci), n);
	return has_any(ci, maybe_pos) && strstr(ci, "comment") == NULL && strstr(ci, "related") == NULL;
}

static double class_weight(const xmlNode *n)
{
	char ci[512];
	double w = 0;
	const char *v = nx_html__attr(n, "itemprop");

	if (v != NULL && strstr(v, "articleBody") != NULL)
		w += 50;
	class_id(ci, sizeof(ci), n);
	if (ci[0] == '\0')
		return w;
	if (has_any(ci, neg_weight))
		w -= 25;
	if (has_any(ci, pos_weight))
		w += 25;
	return w;
}

/* ---- figures and photos ------------------------------------------------ */

static int is_caption_class(const xmlNode *n)
{
	char ci[512];

	class_id(ci, sizeof(ci), n);
	return strstr(ci, "caption") != NULL;
}

static int is_credit_class(const xmlNode *n)
{
	char ci[512];
	const char *ip = nx_html__attr(n, "itemprop");

	if (ip != NULL && (strstr(ip, "copyright") != NULL || strstr(ip, "author") != NULL ||
			   strstr(ip, "creator") != NULL || strstr(ip, "credit") != NULL))
		return 1;
	class_id(ci, sizeof(ci), n);
	return strstr(ci, "credit") != NULL || strstr(ci, "copyright") != NULL ||
	       strstr(ci, "byline") != NULL || strstr(ci, "author") != NULL ||
	       strstr(ci, "photographer") != NULL || strstr(ci, "attribution") != NULL ||
	       strstr(ci, "source") != NULL || strstr(ci, "rights") != NULL;
}

static int is_figure_like(const xmlNode *n)
{
	char ci[512];

	if (nx_html__is(n, "figure"))
		return 1;
	class_id(ci, sizeof(ci), n);
	return strstr(ci, "wp-caption") != NULL;
}

/* Address of an image element, borrowed; NULL when it has none. */
static const char *img_url(const xmlNode *img)
{
	static const char *const attrs[] = { "data-src", "data-original", "data-lazy-src", "data-url",
					     "data-srcset", "srcset", NULL };
	const char *v = nx_html__attr(img, "src");
	size_t i = 0;

	if (v != NULL && *v != '\0' && strncmp(v, "data:", 5) != 0)
		return v;
	for (i = 0; attrs[i] != NULL; i++) {
		v = nx_html__attr(img, attrs[i]);
		if (v != NULL && *v != '\0' && strncmp(v, "data:", 5) != 0)
			return v;
	}
	return NULL;
}

static int set_url(char **field, const char *v)
{
	size_t n = 0;

	if (v == NULL)
		return NX_OK;
	while (nx_isspace((unsigned char)*v))
		v++;
	/* srcset: the first address only */
	while (v[n] != '\0' && !nx_isspace((unsigned char)v[n]) && v[n] != ',')
		n++;
	if (n == 0 || n > 2048)
		return NX_OK;
	return nx_article_set(field, v, (long)n);
}

/* Most photos kept from one page. */
#define NX_HTML_MAX_PHOTOS 256

static int same_photo(const nx_article *a, const char *url, const char *caption)
{
	size_t i = 0;

	for (i = 0; i < a->nphotos; i++) {
		if (url != NULL && a->photos[i].url != NULL && strcmp(url, a->photos[i].url) == 0)
			return 1;
		if (caption != NULL && a->photos[i].caption != NULL &&
		    strcmp(caption, a->photos[i].caption) == 0)
			return 1;
	}
	return 0;
}

/*
 * Add a photo from its parts: caption text (may hold a trailing or
 * leading credit), credit text (may be empty), address, alt text.
 */
static int add_photo_parts(nx_article *a, const char *capraw, size_t caplen, const char *credraw,
			   size_t credlen, const char *url, const char *alt)
{
	nx_buf cap = NX_BUF_INIT, cred = NX_BUF_INIT, tmp = NX_BUF_INIT;
	char *agency = NULL, *who = NULL, *ucopy = NULL, *ccopy = NULL;
	nx_photo *p = NULL;
	size_t at = 0, m = 0, ce = 0;
	int rc = NX_OK, from_caption = 0;

	nx_text_clean(&cap, capraw, caplen);
	nx_text_clean(&cred, credraw, credlen);
	if (!nx_buf_ok(&cap) || !nx_buf_ok(&cred))
		goto oom;
	if (cred.len == 0 && cap.len > 0) {
		m = nx_credit_marker(cap.buf, cap.len);
		if (m > 0) {
			/* "© Agency / Name" alone, or glued before the caption */
			ce = nx_credit_split_glued(cap.buf, cap.len);
			nx_buf_add(&cred, cap.buf, ce);
			nx_buf_add(&tmp, cap.buf + ce, cap.len - ce);
			nx_buf_reset(&cap);
			nx_text_clean(&cap, tmp.buf, tmp.len);
		} else if (nx_credit_find_trailing(cap.buf, cap.len, &at)) {
			nx_buf_add(&cred, cap.buf + at, cap.len - at);
			nx_buf_add(&tmp, cap.buf, cap.len);
			nx_buf_truncate(&cap, at);
			nx_buf_trim(&cap);
			from_caption = 1;
		}
	} else if (cred.len > 0 && cap.len > cred.len) {
		/* the credit text repeated at the end of the caption */
		if (strcmp(cap.buf + cap.len - cred.len, cred.buf) == 0) {
			nx_buf_truncate(&cap, cap.len - cred.len);
			nx_buf_trim(&cap);
		}
	}
	if (cap.len == 0 && alt != NULL) {
		nx_text_clean(&cap, alt, strlen(alt));
	}
	if (!nx_buf_ok(&cap) || !nx_buf_ok(&cred))
		goto oom;
	if (url != NULL) {
		if (set_url(&ucopy, url) < 0)
			goto oom;
	}
	if (cap.len == 0 && cred.len == 0 && ucopy == NULL)
		goto done;
	/* a page with thousands of figures is a gallery or junk: keep the
	   first ones, and keep same_photo() from going quadratic */
	if (a->nphotos >= NX_HTML_MAX_PHOTOS)
		goto done;
	if (same_photo(a, ucopy, cap.len > 0 ? cap.buf : NULL))
		goto done;
	if (cred.len > 0 && nx_credit_parse(cred.buf, cred.len, &agency, &who) < 0)
		goto oom;
	/* "Photo: Supporters wave flags ..." names nobody: caption text */
	if (from_caption && agency == NULL && who == NULL) {
		nx_buf_reset(&cap);
		nx_buf_add(&cap, tmp.buf, tmp.len);
	}
	if (cap.len > 0) {
		ccopy = nx_buf_detach(&cap);
		if (ccopy == NULL)
			goto oom;
	}
	p = nx_article_add_photo(a);
	if (p == NULL)
		goto oom;
	p->caption = ccopy;
	p->url = ucopy;
	p->agency = agency;
	p->photographer = who;
	ccopy = ucopy = agency = who = NULL;
	goto done;
oom:
	rc = NX_ENOMEM;
done:
	free(agency);
	free(who);
	free(ucopy);
	free(ccopy);
	nx_buf_free(&cap);
	nx_buf_free(&cred);
	nx_buf_free(&tmp);
	return rc;
}

/* Text of n without its credit elements (into cap) and of those (into cred). */
static void caption_text(nx_buf *cap, nx_buf *cred, xmlNode *root)
{
	xmlNode *n = root->children;
	int skip = 0;

	while (n != NULL) {
		skip = 0;
		if (n->type == XML_TEXT_NODE) {
			if (n->content != NULL)
				nx_buf_adds(cap, (const char *)n->content);
		} else if (n->type == XML_ELEMENT_NODE) {
			const char *tag = nx_html__tag(n);

			if (nx_html__drop_tag(tag) || strcmp(tag, "img") == 0) {
				skip = 1;
			} else if (is_credit_class(n)) {
				if (cred->len > 0)
					nx_buf_addch(cred, ' ');
				nx_html__text(cred, n);
				skip = 1;
			} else if (nx_html__block_tag(tag)) {
				nx_buf_addch(cap, ' ');
			}
		} else {
			skip = 1;
		}
		n = nx_html__next(n, root, skip);
		if (n == root)
			break;
	}
}

/*
 * A <figure> (or figure-like wrapper): one photo, or none when no image.
 * *has_text: the figure also holds story text (a lead paragraph beside
 * the image, or a "caption" written as a lead), to be collected.
 */
static int figure_photo(nx_article *a, xmlNode *fig, int *has_img, int *has_text)
{
	xmlNode *n = fig, *img = NULL, *capel = NULL;
	nx_buf cap = NX_BUF_INIT, cred = NX_BUF_INIT;
	const char *url = NULL, *alt = NULL;
	int rc = NX_OK;

	*has_img = 0;
	*has_text = 0;
	while ((n = nx_html__next(n, fig, 0)) != NULL) {
		if (n->type != XML_ELEMENT_NODE)
			continue;
		if (img == NULL && (nx_html__is(n, "img") || nx_html__is(n, "amp-img"))) {
			img = n;
		} else if (url == NULL && nx_html__is(n, "source")) {
			url = nx_html__attr(n, "srcset");
		} else if (capel == NULL && (nx_html__is(n, "figcaption") || is_caption_class(n))) {
			capel = n;
		}
	}
	if (img != NULL) {
		const char *u = img_url(img);

		if (u != NULL)
			url = u;
		alt = nx_html__attr(img, "alt");
		if (alt == NULL || *alt == '\0')
			alt = nx_html__attr(img, "title");
	}
	if (img == NULL && url == NULL)
		goto done;
	*has_img = 1;
	if (capel != NULL && nx_html__caption_is_story(capel)) {
		capel = NULL;
		*has_text = 1;
	}
	if (nx_html__story_outside(fig, capel))
		*has_text = 1;
	if (capel != NULL)
		caption_text(&cap, &cred, capel);
	if (!nx_buf_ok(&cap) || !nx_buf_ok(&cred)) {
		rc = NX_ENOMEM;
		goto done;
	}
	rc = add_photo_parts(a, cap.buf, cap.len, cred.buf, cred.len, url, alt);
done:
	nx_buf_free(&cap);
	nx_buf_free(&cred);
	return rc;
}

/* ---- collecting paragraphs --------------------------------------------- */

typedef struct collector {
	nx_article *a;
	nx_buf cur;
	size_t cur_link;   /* characters of cur inside links */
	size_t cur_text;
	int in_link;       /* depth of <a> elements */
	int page;          /* whole page (hinfo available) vs fragment */
	int in_pre;
	const xmlNode *pending_img; /* an image outside a figure, waiting for a caption */
	int rc;
} collector;

/* A short block that is mostly a date: "01:42 GMT 08.07.2021 (Updated: ...)". */
static int is_dateline(const char *s, size_t len)
{
	nx_time t = NX_TIME_INIT;
	size_t st = 0, en = 0, covered = 0, at = 0;

	if (len > 100)
		return 0;
	while (at < len && nx_date_find(&t, s + at, len - at, &st, &en) == NX_OK && en > st) {
		covered += en - st;
		at += en;
	}
	return covered * 2 >= len || (covered > 0 && (nx_startswith_ci(s, len, "published") ||
						     nx_startswith_ci(s, len, "updated") ||
						     nx_startswith_ci(s, len, "posted")));
}

static void col_flush(collector *c)
{
	nx_buf t = NX_BUF_INIT;

	if (c->cur.len == 0 || c->rc < 0)
		goto done;
	nx_text_clean(&t, c->cur.buf, c->cur.len);
	if (!nx_buf_ok(&t) || !nx_buf_ok(&c->cur)) {
		c->rc = NX_ENOMEM;
		goto done;
	}
	if (t.len == 0)
		goto done;
	/* link lists and "Read more: <a>..." lines */
	if (c->cur_text > 0 && c->cur_link * 10 > c->cur_text * 6)
		goto done;
	if (nx_is_debris_line(t.buf, t.len))
		goto done;
	if (c->page && is_dateline(t.buf, t.len))
		goto done;
	c->rc = nx_article_add_para(c->a, t.buf, (long)t.len);
done:
	nx_buf_free(&t);
	nx_buf_reset(&c->cur);
	c->cur_link = 0;
	c->cur_text = 0;
}

static void col_text(collector *c, const char *s)
{
	size_t commas = 0, n = count_chars(s, &commas);

	nx_buf_adds(&c->cur, s);
	c->cur_text += n;
	if (c->in_link > 0)
		c->cur_link += n;
}

/* A caption or credit block outside a figure: belongs to the last image. */
static int loose_caption(collector *c, xmlNode *n)
{
	nx_buf cap = NX_BUF_INIT, cred = NX_BUF_INIT;
	const char *url = NULL, *alt = NULL;
	int rc = NX_OK;

	if (is_credit_class(n) && !is_caption_class(n)) {
		nx_html__text(&cred, n);
	} else {
		caption_text(&cap, &cred, n);
	}
	if (!nx_buf_ok(&cap) || !nx_buf_ok(&cred)) {
		rc = NX_ENOMEM;
		goto done;
	}
	if (c->pending_img != NULL) {
		url = img_url(c->pending_img);
		alt = nx_html__attr(c->pending_img, "alt");
		c->pending_img = NULL;
	} else if (cap.len == 0 && c->a->nphotos > 0) {
		/* a lone credit for the photo just added */
		nx_photo *p = &c->a->photos[c->a->nphotos - 1];
		nx_buf t = NX_BUF_INIT;

		nx_text_clean(&t, cred.buf, cred.len);
		if (p->agency == NULL && p->photographer == NULL && t.len > 0 &&
		    nx_credit_parse(t.buf, t.len, &p->agency, &p->photographer) < 0)
			rc = NX_ENOMEM;
		nx_buf_free(&t);
		goto done;
	}
	rc = add_photo_parts(c->a, cap.buf, cap.len, cred.buf, cred.len, url, alt);
done:
	nx_buf_free(&cap);
	nx_buf_free(&cred);
	return rc;
}

/* Whether to skip element n while collecting. */
static int col_skip(collector *c, xmlNode *n, const char *tag)
{
	hinfo *h = info(n);

	if (nx_html__drop_tag(tag))
		return 1;
	if (strcmp(tag, "h1") == 0 && c->page)
		return 1;
	if (c->page && h != NULL)
		return h->skip;
	if (strcmp(tag, "header") == 0)
		return 1;
	return boilerplate_class(n) == 2;
}

/* Collect paragraphs and figures of the subtree at root. */
static void collect(collector *c, xmlNode *root)
{
	xmlNode *n = root, *up = NULL;
	int skip = 0, has_img = 0, has_text = 0;

	while (n != NULL && c->rc == NX_OK) {
		skip = 0;
		if (n->type == XML_TEXT_NODE || n->type == XML_CDATA_SECTION_NODE) {
			if (n->content != NULL)
				col_text(c, (const char *)n->content);
		} else if (n->type == XML_ELEMENT_NODE) {
			const char *tag = nx_html__tag(n);

			if (n != root && col_skip(c, n, tag)) {
				skip = 1;
			} else if (is_figure_like(n)) {
				col_flush(c);
				c->rc = figure_photo(c->a, n, &has_img, &has_text);
				if (has_img && !has_text)
					skip = 1;
			} else if ((strcmp(tag, "figcaption") == 0 || (n != root && is_caption_class(n)) ||
				    (n != root && is_credit_class(n) && info(n) != NULL &&
				     info(n)->text < 200)) && !nx_html__caption_is_story(n)) {
				col_flush(c);
				c->rc = loose_caption(c, n);
				skip = 1;
			} else if (strcmp(tag, "img") == 0) {
				col_flush(c);
				c->pending_img = n;
			} else if (strcmp(tag, "a") == 0) {
				c->in_link++;
			} else if (nx_html__block_tag(tag)) {
				col_flush(c);
			}
		} else {
			skip = 1;
		}
		/* move on, closing the elements we leave */
		if (!skip && n->type == XML_ELEMENT_NODE && n->children != NULL) {
			n = n->children;
			continue;
		}
		up = n;
		for (;;) {
			if (up->type == XML_ELEMENT_NODE && !skip) {
				const char *tag = nx_html__tag(up);

				if (strcmp(tag, "a") == 0 && c->in_link > 0)
					c->in_link--;
				else if (nx_html__block_tag(tag))
					col_flush(c);
			}
			skip = 0;
			if (up == root) {
				n = NULL;
				break;
			}
			if (up->next != NULL) {
				n = up->next;
				break;
			}
			up = up->parent;
			if (up == NULL) {
				n = NULL;
				break;
			}
		}
	}
	col_flush(c);
}

int nx_html_fragment(nx_article *a, const char *html, size_t len, nx_error *err)
{
	htmlDocPtr doc = NULL;
	xmlNode *root = NULL, *body = NULL;
	collector c;
	int rc = NX_OK;
	nx_error e2 = NX_ERROR_INIT;

	memset(&c, 0, sizeof(c));
	nx_buf_init(&c.cur);
	c.a = a;
	if (len == 0)
		return NX_OK;
	doc = nx_html__read(html, len, "text/html; charset=utf-8", &e2);
	if (doc == NULL) {
		if (e2.code == NX_ENOMEM)
			return nx_error_set(err, NX_ENOMEM, "out of memory");
		return NX_OK; /* nothing readable: nothing to add */
	}
	root = xmlDocGetRootElement(doc);
	for (body = root != NULL ? root->children : NULL; body != NULL; body = body->next)
		if (nx_html__is(body, "body"))
			break;
	if (body == NULL)
		body = root;
	if (body != NULL)
		collect(&c, body);
	rc = c.rc;
	nx_buf_free(&c.cur);
	xmlFreeDoc(doc);
	if (rc < 0)
		return nx_error_set(err, rc, "out of memory");
	return NX_OK;
}


/* ---- whole pages: scoring ---------------------------------------------- */

static const char *const para_tags[] = { "p", "pre", "td", NULL };

static double tag_base(const char *tag)
{
	if (strcmp(tag, "div") == 0 || strcmp(tag, "article") == 0 || strcmp(tag, "section") == 0 ||
	    strcmp(tag, "main") == 0)
		return 5;
	if (strcmp(tag, "pre") == 0 || strcmp(tag, "td") == 0 || strcmp(tag, "blockquote") == 0)
		return 3;
	if (strcmp(tag, "address") == 0 || strcmp(tag, "ol") == 0 || strcmp(tag, "ul") == 0 ||
	    strcmp(tag, "dl") == 0 || strcmp(tag, "dd") == 0 || strcmp(tag, "dt") == 0 ||
	    strcmp(tag, "li") == 0 || strcmp(tag, "form") == 0)
		return -3;
	if (nx_html__heading(tag) || strcmp(tag, "th") == 0)
		return -5;
	return 0;
}

static void touch(xmlNode *n)
{
	hinfo *h = info(n);

	if (h == NULL || h->scored)
		return;
	h->scored = 1;
	h->score = tag_base(nx_html__tag(n)) + class_weight(n);
}

static double link_density(const hinfo *h)
{
	return h->text > 0 ? (double)h->link / (double)h->text : 0;
}

/*
 * Statistics bottom-up over body: text, links, commas, block flags; with
 * raw set, the totals before skipping (h->raw) instead.
 */
static void measure(xmlNode *body, int raw)
{
	xmlNode *n = body, *up = NULL;
	int skip = 0, in_link = 0;

	while (n != NULL) {
		skip = 0;
		if (n->type == XML_TEXT_NODE || n->type == XML_CDATA_SECTION_NODE) {
			hinfo *p = info(n->parent);
			size_t commas = 0, k = n->content != NULL ? count_chars((const char *)n->content, &commas) : 0;

			if (p != NULL) {
				if (raw) {
					p->raw += k;
				} else {
					p->text += k;
					p->commas += commas;
					if (in_link > 0)
						p->link += k;
				}
			}
		} else if (n->type == XML_ELEMENT_NODE) {
			hinfo *h = info(n);

			if (h == NULL || nx_html__drop_tag(nx_html__tag(n)) || (!raw && h->skip))
				skip = 1;
			else if (nx_html__is(n, "a"))
				in_link++;
		} else {
			skip = 1;
		}
		if (!skip && n->type == XML_ELEMENT_NODE && n->children != NULL) {
			n = n->children;
			continue;
		}
		up = n;
		for (;;) {
			if (up->type == XML_ELEMENT_NODE && !skip) {
				hinfo *h = info(up), *p = info(up->parent);

				if (nx_html__is(up, "a") && in_link > 0)
					in_link--;
				if (h != NULL && p != NULL && up != body) {
					if (raw) {
						if (nx_html__is(up, "p"))
							h->praw = h->raw;
						p->raw += h->raw;
						p->praw += h->praw;
					} else {
						p->text += h->text;
						p->link += h->link;
						p->commas += h->commas;
						if (nx_html__container_tag(nx_html__tag(up)) || h->has_block)
							p->has_block = 1;
					}
				}
			}
			skip = 0;
			if (up == body) {
				n = NULL;
				break;
			}
			if (up->next != NULL) {
				n = up->next;
				break;
			}
			up = up->parent;
			if (up == NULL) {
				n = NULL;
				break;
			}
		}
	}
}

/* Mark boilerplate subtrees (h->skip), keeping wrappers of most of the text. */
static void mark_skips(xmlNode *body)
{
	xmlNode *n = body;
	size_t total = info(body) != NULL ? info(body)->raw : 0;
	int skip = 0, b = 0;

	while (n != NULL) {
		skip = 0;
		if (n->type == XML_ELEMENT_NODE && n != body) {
			hinfo *h = info(n);
			const char *tag = nx_html__tag(n);

			if (h == NULL || nx_html__drop_tag(tag)) {
				skip = 1;
			} else if (is_figure_like(n) || strcmp(tag, "figcaption") == 0 ||
				   (is_caption_class(n) && nx_html__caption_is_story(n)) ||
				   strcmp(tag, "a") == 0 || strcmp(tag, "table") == 0 ||
				   strcmp(tag, "tbody") == 0 || strcmp(tag, "tr") == 0 ||
				   strcmp(tag, "td") == 0) {
				skip = 0; /* figures are handled when collecting */
			} else if (h->body_hint) {
				skip = 0;
			} else {
				b = boilerplate_class(n);
				if (strcmp(tag, "header") == 0 && b == 0)
					b = 1;
				if (b == 2 && h->praw >= 500 && positive_class(n))
					b = 0; /* "article modal-enabled" wrapping the text */
				if (b > 0 && (h->raw * 2 < total || total == 0 || b == 2)) {
					/* a wrapper holding most of the page is not boilerplate */
					if (!(h->raw * 10 > total * 6 && total > 500)) {
						h->skip = 1;
						skip = 1;
					}
				}
			}
		} else if (n->type != XML_ELEMENT_NODE) {
			skip = 1;
		}
		n = nx_html__next(n, body, skip);
	}
}

/* Mark the elements at or above itemprop=articleBody (h->body_hint). */
static size_t mark_hints(xmlNode *body)
{
	xmlNode *n = body, *p = NULL;
	size_t found = 0;

	while ((n = nx_html__next(n, body, 0)) != NULL) {
		const char *ip = NULL;

		if (n->type != XML_ELEMENT_NODE)
			continue;
		ip = nx_html__attr(n, "itemprop");
		if (ip == NULL || strstr(ip, "articleBody") == NULL)
			continue;
		found++;
		for (p = n; p != NULL && info(p) != NULL; p = p->parent)
			info(p)->body_hint = 1;
	}
	return found;
}

static int is_para_like(xmlNode *n, const char *tag)
{
	hinfo *h = info(n);

	if (nx_html__tag_in(tag, para_tags))
		return 1;
	if (h != NULL && !h->has_block &&
	    (strcmp(tag, "div") == 0 || strcmp(tag, "section") == 0 || strcmp(tag, "article") == 0 ||
	     strcmp(tag, "blockquote") == 0 || strcmp(tag, "li") == 0 || strcmp(tag, "span") == 0))
		return strcmp(tag, "span") != 0 || info(n->parent) == NULL || info(n->parent)->has_block;
	return 0;
}

/* Score paragraphs into their ancestors; return the best candidate. */
static xmlNode *score_all(xmlNode *body)
{
	xmlNode *n = body, *p = NULL, *best = NULL;
	double best_score = 0;
	int skip = 0;

	while ((n = nx_html__next(n, body, skip)) != NULL) {
		hinfo *h = NULL;
		const char *tag = NULL;
		double s = 0;
		int level = 0;

		skip = 0;
		if (n->type != XML_ELEMENT_NODE) {
			skip = 1;
			continue;
		}
		h = info(n);
		tag = nx_html__tag(n);
		if (h == NULL || h->skip || nx_html__drop_tag(tag)) {
			skip = 1;
			continue;
		}
		if (!is_para_like(n, tag) || h->text < 25)
			continue;
		s = 1 + (double)h->commas + (double)(h->text / 100 > 3 ? 3 : h->text / 100);
		for (p = n->parent, level = 0; p != NULL && info(p) != NULL && level < 5; p = p->parent, level++) {
			touch(p);
			info(p)->score += level == 0 ? s : level == 1 ? s / 2 : s / (level * 3);
		}
		if (nx_html__tag_in(tag, para_tags) || strcmp(tag, "div") == 0)
			skip = 1; /* do not score nested paragraphs twice */
	}
	n = body;
	while ((n = nx_html__next(n, body, 0)) != NULL) {
		hinfo *h = info(n);

		if (h == NULL || !h->scored || h->skip)
			continue;
		h->score *= 1 - link_density(h);
		if (best == NULL || h->score > best_score) {
			best = n;
			best_score = h->score;
		}
	}
	return best;
}

/* Readability's moves: up to a parent that scores better, out of lone wrappers. */
static xmlNode *refine_top(xmlNode *top, xmlNode *body)
{
	xmlNode *p = NULL;
	double last = 0, threshold = 0;

	if (top == NULL)
		return body;
	last = info(top)->score;
	threshold = last / 3;
	for (p = top->parent; p != NULL && p != body && info(p) != NULL; p = p->parent) {
		hinfo *h = info(p);

		if (!h->scored)
			continue;
		if (h->score < threshold)
			break;
		if (h->score > last) {
			top = p;
			break;
		}
		last = h->score;
	}
	/* a lone child is the same container */
	while (top->parent != NULL && top->parent != body && info(top->parent) != NULL) {
		xmlNode *c = NULL;
		int nel = 0;

		for (c = top->parent->children; c != NULL; c = c->next)
			if (c->type == XML_ELEMENT_NODE && info(c) != NULL && !info(c)->skip &&
			    info(c)->text > 0)
				nel++;
		if (nel != 1)
			break;
		top = top->parent;
	}
	return top;
}

static int sibling_ok(xmlNode *s, xmlNode *top)
{
	hinfo *h = info(s), *t = info(top);
	double threshold = 0, bonus = 0;
	const char *c1 = NULL, *c2 = NULL;

	if (h == NULL || h->skip || nx_html__drop_tag(nx_html__tag(s)))
		return 0;
	threshold = t->score * 0.2 > 10 ? t->score * 0.2 : 10;
	c1 = nx_html__attr(s, "class");
	c2 = nx_html__attr(top, "class");
	if (c1 != NULL && c2 != NULL && *c1 != '\0' && strcmp(c1, c2) == 0)
		bonus = t->score * 0.2;
	if (h->scored && h->score + bonus >= threshold)
		return 1;
	if (nx_html__is(s, "p")) {
		double ld = link_density(h);

		if (h->text > 80 && ld < 0.25)
			return 1;
		if (h->text < 80 && h->text > 0 && ld == 0) {
			nx_buf b = NX_BUF_INIT;
			int ok = 0;

			nx_html__text(&b, s);
			nx_buf_trim(&b);
			ok = b.len > 0 && b.buf[b.len - 1] == '.';
			nx_buf_free(&b);
			return ok;
		}
	}
	return 0;
}

int nx_html__body_rules(nx_article *a, htmlDocPtr doc)
{
	xmlNode *root = xmlDocGetRootElement(doc), *body = NULL, *n = NULL, *top = NULL;
	hinfo *infos = NULL;
	size_t count = 0, i = 0;
	collector c;
	int rc = NX_OK;

	memset(&c, 0, sizeof(c));
	nx_buf_init(&c.cur);
	c.a = a;
	c.page = 1;
	if (root == NULL)
		goto done;
	for (body = root->children; body != NULL; body = body->next)
		if (nx_html__is(body, "body"))
			break;
	if (body == NULL)
		body = root;
	for (n = body; n != NULL; n = nx_html__next(n, body, 0))
		if (n->type == XML_ELEMENT_NODE)
			count++;
	infos = calloc(count + 1, sizeof(*infos));
	if (infos == NULL)
		goto oom;
	for (n = body, i = 0; n != NULL && i < count; n = nx_html__next(n, body, 0))
		if (n->type == XML_ELEMENT_NODE)
			n->_private = &infos[i++];
	measure(body, 1);
	mark_hints(body);
	mark_skips(body);
	measure(body, 0);
	top = refine_top(score_all(body), body);
	if (top == body || top->parent == NULL || info(top->parent) == NULL) {
		collect(&c, top);
	} else {
		/* the top candidate with the siblings that score like it */
		for (n = top->parent->children; n != NULL && c.rc == NX_OK; n = n->next) {
			if (n->type != XML_ELEMENT_NODE)
				continue;
			if (n == top || sibling_ok(n, top)) {
				collect(&c, n);
				c.pending_img = NULL;
			}
		}
	}
	rc = c.rc;
	if (rc == NX_OK && a->nparas == 0)
		rc = nx_html__captions_as_body(a);
	goto done;
oom:
	rc = NX_ENOMEM;
done:
	if (infos != NULL)
		for (n = body; n != NULL; n = nx_html__next(n, body, 0))
			n->_private = NULL;
	free(infos);
	nx_buf_free(&c.cur);
	return rc;
}

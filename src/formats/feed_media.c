/*
 * feed_media.c - the photos of a feed item: Media RSS content, thumbnails
 * and groups, image enclosures, with their media:credit,
 * media:description/title and media:copyright, and duplicates removed.
 */
#include <libxml/tree.h>
#include <libxml/uri.h>
#include <stdlib.h>
#include <string.h>

#include "article/credit.h"
#include "extract/extract.h"
#include "formats/feed_private.h"
#include "util/buf.h"
#include "util/text.h"
#include "util/xml.h"

/* ---- photos --------------------------------------------------------------- */

static int has_ext(const char *url, const char *const *exts, size_t n)
{
	size_t end = strcspn(url, "?#"), i = 0, el = 0;

	for (i = 0; i < n; i++) {
		el = strlen(exts[i]);
		if (end >= el && nx_strncaseeq(url + end - el, exts[i], el))
			return 1;
	}
	return 0;
}

static int image_ext(const char *url)
{
	static const char *const exts[] = { ".jpg", ".jpeg", ".png", ".gif", ".webp", ".avif" };

	return has_ext(url, exts, sizeof(exts) / sizeof(exts[0]));
}

static int av_ext(const char *url)
{
	static const char *const exts[] = { ".mp3", ".mp4", ".m4a", ".m4v", ".mov", ".webm", ".ogg",
					    ".oga", ".ogv", ".wav", ".m3u8", ".aac", ".flac", ".pdf" };

	return has_ext(url, exts, sizeof(exts) / sizeof(exts[0]));
}

/* media:content and enclosures: an image (medium, type, or file name)? */
static int is_image(const xmlNode *n, const char *url, int need_hint)
{
	char *medium = nx_feed__attr(n, "medium"), *type = nx_feed__attr(n, "type");
	int yes = 0;

	if (medium != NULL && medium[0] != '\0')
		yes = nx_strcaseeq(medium, "image");
	else if (type != NULL && type[0] != '\0')
		yes = nx_startswith_ci(type, strlen(type), "image/");
	else
		yes = need_hint ? image_ext(url) : !av_ext(url);
	free(medium);
	free(type);
	return yes;
}

static void fill_credit(item *it, nx_photo *p, const char *s, int copyright)
{
	char *agency = NULL, *who = NULL;

	if (nx_credit_parse(s, strlen(s), &agency, &who) < 0) {
		it->rc = NX_ENOMEM;
		return;
	}
	if (p->agency == NULL) {
		p->agency = agency;
		agency = NULL;
	}
	if (p->photographer == NULL && (!copyright || p->agency == NULL || agency == NULL)) {
		p->photographer = who;
		who = NULL;
	}
	free(agency);
	free(who);
}

/* Credit, caption and copyright from the most specific level that has them. */
static void fill_meta(item *it, nx_photo *p, const xmlNode *const *levels, size_t nlevels)
{
	const xmlNode *c = NULL;
	char *s = NULL, *role = NULL;
	size_t i = 0;
	int copyright_done = 0;

	for (i = 0; i < nlevels; i++) {
		if (levels[i] == NULL)
			continue;
		for (c = levels[i]->children; c != NULL; c = c->next) {
			if (c->type != XML_ELEMENT_NODE || nx_feed__node_ns(c) != NS_MEDIA)
				continue;
			if (strcmp(nx_feed__local_name(c), "credit") == 0) {
				s = nx_feed__text_of(it, c);
				role = nx_feed__attr(c, "role");
				if (s != NULL && role != NULL && nx_strcaseeq(role, "photographer")) {
					if (p->photographer == NULL) {
						p->photographer = nx_name_case(s, strlen(s));
						if (p->photographer == NULL)
							it->rc = NX_ENOMEM;
					}
				} else if (s != NULL) {
					fill_credit(it, p, s, 0);
				}
				free(role);
				free(s);
				role = s = NULL;
			} else if (strcmp(nx_feed__local_name(c), "description") == 0 && p->caption == NULL) {
				s = nx_feed__title_of(it, c, 1);
				if (s != NULL && nx_article_set(&p->caption, s, -1) < 0)
					it->rc = NX_ENOMEM;
				free(s);
				s = NULL;
			}
		}
	}
	/* media:title only when no level had a description */
	for (i = 0; i < nlevels && p->caption == NULL; i++) {
		c = levels[i] != NULL ? levels[i]->children : NULL;
		for (; c != NULL && p->caption == NULL; c = c->next) {
			if (!nx_feed__is_el(c, NS_MEDIA, "title"))
				continue;
			s = nx_feed__title_of(it, c, 1);
			if (s != NULL && nx_article_set(&p->caption, s, -1) < 0)
				it->rc = NX_ENOMEM;
			free(s);
			s = NULL;
		}
	}
	for (i = 0; i < nlevels && !copyright_done; i++) {
		c = levels[i] != NULL ? levels[i]->children : NULL;
		for (; c != NULL && !copyright_done; c = c->next) {
			if (!nx_feed__is_el(c, NS_MEDIA, "copyright"))
				continue;
			copyright_done = 1;
			s = nx_feed__text_of(it, c);
			if (s != NULL && (p->agency == NULL || p->photographer == NULL))
				fill_credit(it, p, s, 1);
			free(s);
			s = NULL;
		}
	}
}

/* Add a photo for an image element at url, with metadata from levels. */
static void add_photo(item *it, const xmlNode *n, const char *href, const xmlNode *const *levels,
		      size_t nlevels)
{
	nx_photo *p = NULL;
	char *url = NULL, *w = NULL;
	long *nw = NULL;

	url = nx_feed__resolve(it, it->f, n, href);
	if (url == NULL)
		return;
	p = nx_article_add_photo(it->a);
	if (p == NULL) {
		free(url);
		it->rc = NX_ENOMEM;
		return;
	}
	nw = realloc(it->widths, it->a->nphotos * sizeof(*nw));
	if (nw == NULL) {
		free(url);
		it->rc = NX_ENOMEM;
		return;
	}
	it->widths = nw;
	while (it->nwidths < it->a->nphotos)
		it->widths[it->nwidths++] = 0;
	w = nx_feed__attr(n, "width");
	it->widths[it->a->nphotos - 1] = w != NULL ? strtol(w, NULL, 10) : 0;
	free(w);
	if (nx_article_set(&p->url, url, -1) < 0)
		it->rc = NX_ENOMEM;
	free(url);
	fill_meta(it, p, levels, nlevels);
}

/* Media RSS content; a thumbnail nested in it is ignored (for a video it is
 * a still, not a photo of the story; for an image it is the same picture). */
void nx_feed__media_content(item *it, const xmlNode *n, const xmlNode *group)
{
	const xmlNode *levels[3];
	char *url = nx_feed__attr(n, "url");
	char *clean = nx_feed__clean_value(it, url);

	levels[0] = n;
	levels[1] = group;
	levels[2] = it->node;
	if (clean != NULL && is_image(n, clean, 0))
		add_photo(it, n, clean, levels, 3);
	free(url);
	free(clean);
}

void nx_feed__media_thumbnail(item *it, const xmlNode *n, const xmlNode *group)
{
	const xmlNode *levels[3];
	char *url = nx_feed__attr(n, "url");
	char *clean = nx_feed__clean_value(it, url);

	levels[0] = n;
	levels[1] = group;
	levels[2] = it->node;
	if (clean != NULL)
		add_photo(it, n, clean, levels, 3);
	free(url);
	free(clean);
}

void nx_feed__media_group(item *it, const xmlNode *g)
{
	const xmlNode *c = NULL;
	size_t before = it->a->nphotos;

	for (c = g->children; c != NULL; c = c->next)
		if (nx_feed__is_el(c, NS_MEDIA, "content"))
			nx_feed__media_content(it, c, g);
	if (it->a->nphotos > before)
		return;
	for (c = g->children; c != NULL; c = c->next)
		if (nx_feed__is_el(c, NS_MEDIA, "thumbnail"))
			nx_feed__media_thumbnail(it, c, g);
}

void nx_feed__enclosure(item *it, const xmlNode *n, const char *urlattr)
{
	const xmlNode *levels[1];
	char *url = nx_feed__attr(n, urlattr);
	char *clean = nx_feed__clean_value(it, url);

	levels[0] = it->node;
	if (clean != NULL && is_image(n, clean, 1))
		add_photo(it, n, clean, levels, 1);
	free(url);
	free(clean);
}

static int same_str(const char *a, const char *b)
{
	return a == NULL || b == NULL || strcmp(a, b) == 0;
}

/* Same picture: the same address, or the same image file in another size
 * ("x.jpg?w=140" and "x.jpg?w=460") with nothing that tells them apart. */
static int same_photo(const nx_photo *p, const nx_photo *q, int *by_path)
{
	size_t lp = 0, lq = 0;

	*by_path = 0;
	if (p->url == NULL || q->url == NULL)
		return 0;
	if (strcmp(p->url, q->url) == 0)
		return 1;
	lp = strcspn(p->url, "?#");
	lq = strcspn(q->url, "?#");
	if (lp != lq || memcmp(p->url, q->url, lp) != 0 || !image_ext(p->url))
		return 0;
	if (!same_str(p->caption, q->caption) || !same_str(p->agency, q->agency) ||
	    !same_str(p->photographer, q->photographer))
		return 0;
	*by_path = 1;
	return 1;
}

static void steal(char **dst, char **src)
{
	if (*dst == NULL) {
		*dst = *src;
		*src = NULL;
	}
}

void nx_feed__dedup_photos(item *it)
{
	nx_article *a = it->a;
	size_t i = 0, j = 0;
	int by_path = 0;

	for (i = 1; i < a->nphotos; i++) {
		for (j = 0; j < i; j++) {
			nx_photo *p = &a->photos[j], *q = &a->photos[i];
			long wp = j < it->nwidths ? it->widths[j] : 0;
			long wq = i < it->nwidths ? it->widths[i] : 0;
			char *tmp = NULL;

			if (!same_photo(p, q, &by_path))
				continue;
			if (by_path && wq > wp) {
				tmp = p->url;
				p->url = q->url;
				q->url = tmp;
				it->widths[j] = wq;
			}
			steal(&p->caption, &q->caption);
			steal(&p->agency, &q->agency);
			steal(&p->photographer, &q->photographer);
			free(q->url);
			free(q->caption);
			free(q->agency);
			free(q->photographer);
			memmove(q, q + 1, (a->nphotos - i - 1) * sizeof(*q));
			if (i < it->nwidths) {
				memmove(&it->widths[i], &it->widths[i + 1],
					(it->nwidths - i - 1) * sizeof(*it->widths));
				it->nwidths--;
			}
			a->nphotos--;
			i--;
			break;
		}
	}
}

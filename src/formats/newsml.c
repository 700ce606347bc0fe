/*
 * newsml.c - IPTC NewsML: NewsML-G2 items and messages, and NewsML 1.2.
 *
 * NewsML-G2: a <newsItem>, or a <newsMessage> whose itemSet holds several
 * newsItems (and packageItems, which only point at other items): every
 * newsItem with a headline or some text becomes one article.
 *
 *	<newsItem guid><itemMeta><itemClass qcode="ninat:text"/><provider/>
 *	  <versionCreated/><firstCreated/></itemMeta>
 *	 <contentMeta><headline/><by/><creditline/><description role/>
 *	  <language tag/></contentMeta>
 *	 <contentSet><inlineXML><nitf/> or <html/></inlineXML> | <inlineData/>
 *	  | <remoteContent href rendition/></contentSet></newsItem>
 *
 * A picture item (ninat:picture) becomes an article whose title is its
 * headline and whose photo holds the image address, caption and credit;
 * the caption is also the body when there is no other text.  Items have
 * no URL: the identity is outlet + title + published, and the guid is kept
 * as origin.record_id.
 *
 * NewsML 1.2 (AFP): <NewsML><NewsItem> with NewsManagement dates,
 * NewsLines/HeadLine and DataContent bodies (NITF, XHTML or bare <p>).
 */
#include <stdlib.h>
#include <string.h>

#include "extract/extract.h"
#include "formats/format.h"
#include "util/text.h"
#include "formats/wire_common.h"
#include "util/xml.h"

#define MAX_ITEMS 100000

typedef struct items {
	const xmlNode **v;
	size_t n, cap;
} items;

static int items_push(items *it, const xmlNode *n)
{
	if (it->n == it->cap) {
		size_t cap = it->cap != 0 ? it->cap * 2 : 16;
		const xmlNode **p = realloc(it->v, cap * sizeof(*p));

		if (p == NULL)
			return NX_ENOMEM;
		it->v = p;
		it->cap = cap;
	}
	it->v[it->n++] = n;
	return NX_OK;
}

/* Every element named local below n (not inside a match), bounded. */
static int collect(items *it, const xmlNode *n, const char *local, int depth)
{
	const xmlNode *c = NULL;
	int rc = NX_OK;

	if (depth > 8)
		return NX_OK;
	for (c = n->children; c != NULL && rc == NX_OK && it->n < MAX_ITEMS; c = c->next) {
		if (c->type != XML_ELEMENT_NODE)
			continue;
		if (nx_xml_is(c, local))
			rc = items_push(it, c);
		else if (!nx_xml_is(c, "contentSet") && !nx_xml_is(c, "groupSet"))
			rc = collect(it, c, local, depth + 1);
	}
	return rc;
}

static int ends_with(const char *s, const char *suffix)
{
	size_t n = s != NULL ? strlen(s) : 0, k = strlen(suffix);

	return n >= k && nx_strcaseeq(s + n - k, suffix);
}

/* Text of a child element into b (reset first); 0 when absent or empty. */
static size_t child_text(nx_buf *b, const xmlNode *n, const char *local)
{
	nx_wire__text(b, nx_xml_child(n, local));
	return b->len;
}

/* ---- NewsML-G2 ----------------------------------------------------------- */

/* Outlet: the provider (a known agency among its names first), else the
 * information source, the copyright holder, the credit line. */
static int g2_source(nx_article *a, const xmlNode *item, const xmlNode *im, const xmlNode *cm)
{
	const xmlNode *prov = nx_xml_child(im, "provider");
	const xmlNode *cands[3] = { prov, NULL, NULL };
	const xmlNode *c = NULL;
	nx_buf b = NX_BUF_INIT;
	char *v[3] = { NULL, NULL, NULL };
	size_t i = 0, k = 0;
	int rc = NX_OK;

	cands[1] = nx_xml_child(cm, "infoSource");
	for (c = cm != NULL ? cm->children : NULL; c != NULL; c = c->next) {
		char *role = NULL;

		if (!nx_xml_is(c, "infoSource"))
			continue;
		role = nx_xml_attr(c, "role");
		if (role == NULL || ends_with(role, "origProv")) {
			cands[1] = c;
			free(role);
			break;
		}
		free(role);
	}
	cands[2] = nx_xml_child(nx_xml_child(item, "rightsInfo"), "copyrightHolder");
	for (i = 0; i < 3 && a->source == NULL && rc == NX_OK; i++) {
		if (cands[i] == NULL)
			continue;
		child_text(&b, cands[i], "name");
		v[0] = b.len > 0 ? nx_strndup(b.buf, b.len) : NULL;
		v[1] = nx_xml_attr(cands[i], "literal");
		v[2] = nx_xml_attr(cands[i], "qcode");
		/* a known agency among the names wins: "nprov:dpa" over "Deutsche Presse-Agentur GmbH" */
		for (k = 0; k < 3 && a->source == NULL && rc == NX_OK; k++) {
			const char *s = v[k], *colon = NULL;

			if (s == NULL)
				continue;
			colon = strchr(s, ':');
			if (colon != NULL && strchr(s, ' ') == NULL)
				s = colon + 1;
			if (nx_wire__is_agency(s))
				rc = nx_wire__source(a, s);
		}
		for (k = 0; k < 3 && a->source == NULL && rc == NX_OK; k++)
			if (v[k] != NULL && v[k][0] != '\0')
				rc = nx_wire__source(a, v[k]);
		for (k = 0; k < 3; k++) {
			free(v[k]);
			v[k] = NULL;
		}
	}
	if (a->source == NULL && rc == NX_OK && child_text(&b, cm, "creditline") > 0)
		rc = nx_wire__source(a, b.buf);
	if (!nx_buf_ok(&b))
		rc = NX_ENOMEM;
	nx_buf_free(&b);
	return rc;
}

/* A rendition that is the full picture: highRes, baseImage, original... */
static int rendition_rank(const xmlNode *rc)
{
	char *r = nx_xml_attr(rc, "rendition");
	char *ct = nx_xml_attr(rc, "contenttype");
	int rank = 1;

	if (r != NULL && (nx_memcasemem(r, strlen(r), "highres") != NULL ||
			  nx_memcasemem(r, strlen(r), "baseimage") != NULL ||
			  nx_memcasemem(r, strlen(r), "original") != NULL ||
			  nx_memcasemem(r, strlen(r), "master") != NULL))
		rank = 3;
	else if (r != NULL && (nx_memcasemem(r, strlen(r), "thumb") != NULL ||
			       nx_memcasemem(r, strlen(r), "preview") != NULL))
		rank = 0;
	if (ct != NULL && strncmp(ct, "image/", 6) != 0 && rank > 0)
		rank = 0;
	free(r);
	free(ct);
	return rank;
}

/* contentSet: inline NITF or XHTML, inline text, the best remote picture. */
static int g2_content(nx_article *a, const xmlNode *set, char **picture, nx_error *err)
{
	const xmlNode *c = NULL, *x = NULL, *best = NULL;
	nx_buf b = NX_BUF_INIT;
	char *ct = NULL;
	int rc = NX_OK, rank = -1, r = 0;

	for (c = set != NULL ? set->children : NULL; c != NULL && rc == NX_OK; c = c->next) {
		if (nx_xml_is(c, "inlineXML")) {
			for (x = c->children; x != NULL && rc == NX_OK; x = x->next) {
				if (nx_xml_is(x, "nitf")) {
					rc = nx_wire__nitf(a, x);
				} else if (nx_xml_is(x, "html")) {
					char *lang = nx_xml_attr(x, "lang");

					rc = nx_wire__lang(a, lang);
					free(lang);
					if (rc == NX_OK && a->title == NULL &&
					    child_text(&b, nx_xml_child(x, "head"), "title") > 0)
						rc = nx_article_set(&a->title, b.buf, (long)b.len);
					if (rc == NX_OK)
						rc = nx_wire__body(a, x);
				} else if (nx_xml_is(x, "body") || nx_xml_is(x, "p") || nx_xml_is(x, "div") ||
					   nx_xml_is(x, "section") || nx_xml_is(x, "article")) {
					rc = nx_wire__body(a, c);
					break;
				}
			}
		} else if (nx_xml_is(c, "inlineData")) {
			ct = nx_xml_attr(c, "contenttype");
			if (ct != NULL && nx_memcasemem(ct, strlen(ct), "html") != NULL) {
				xmlChar *raw = xmlNodeGetContent(c);

				if (raw != NULL)
					rc = nx_html_fragment(a, (const char *)raw, strlen((const char *)raw), err);
				xmlFree(raw);
			} else {
				rc = nx_wire__body(a, c);
			}
			free(ct);
			ct = NULL;
		} else if (nx_xml_is(c, "remoteContent")) {
			r = rendition_rank(c);
			if (r > rank) {
				rank = r;
				best = c;
			}
		}
	}
	if (rc == NX_OK && best != NULL && rank > 0) {
		*picture = nx_xml_attr(best, "href");
		if (*picture == NULL)
			*picture = nx_xml_attr(best, "residref");
	}
	if (!nx_buf_ok(&b))
		rc = NX_ENOMEM;
	nx_buf_free(&b);
	return rc;
}

/* The description whose role ends in ":caption" (drol:, descRole:, desc:). */
static const xmlNode *g2_description(const xmlNode *cm, int want_caption)
{
	const xmlNode *c = NULL;
	char *role = NULL;
	int cap = 0;

	for (c = cm != NULL ? cm->children : NULL; c != NULL; c = c->next) {
		if (!nx_xml_is(c, "description"))
			continue;
		role = nx_xml_attr(c, "role");
		cap = role != NULL && ends_with(role, ":caption");
		free(role);
		if (cap == want_caption)
			return c;
	}
	return NULL;
}

/* A creator that names a person: "Meredith Jameson" (not "Reuters", not "degenhardt.sandra"). */
static int creator_name(nx_buf *b, const xmlNode *cm, int photographer)
{
	const xmlNode *c = NULL;
	char *role = NULL, *lit = NULL;
	int phot = 0, src = 0;

	for (c = cm != NULL ? cm->children : NULL; c != NULL; c = c->next) {
		if (!nx_xml_is(c, "creator"))
			continue;
		role = nx_xml_attr(c, "role");
		phot = role != NULL && nx_memcasemem(role, strlen(role), "phot") != NULL;
		src = role != NULL && ends_with(role, ":source");
		free(role);
		if ((photographer && !phot) || src)
			continue;
		nx_wire__text(b, nx_xml_child(c, "name"));
		if (b->len == 0) {
			lit = nx_xml_attr(c, "literal");
			if (lit != NULL)
				nx_buf_adds(b, lit);
			free(lit);
		}
		/* a person: two words or more, no "user.name", not "The Sports Network" */
		if (b->len > 0 && memchr(b->buf, ' ', b->len) != NULL && memchr(b->buf, '.', b->len) == NULL &&
		    !nx_startswith_ci(b->buf, b->len, "the ") && !nx_wire__is_agency(b->buf))
			return 1;
		nx_buf_reset(b);
	}
	return 0;
}

static int g2_item(const nx_input *in, const xmlNode *item, nx_article_cb cb, void *ctx,
		   nx_error *err, size_t *emitted)
{
	const xmlNode *im = nx_xml_child(item, "itemMeta");
	const xmlNode *cm = nx_xml_child(item, "contentMeta");
	const xmlNode *c = NULL, *desc = NULL;
	nx_article *a = NULL;
	nx_buf b = NX_BUF_INIT, who = NX_BUF_INIT, credit = NX_BUF_INIT;
	char *v = NULL, *cls = NULL, *picture = NULL;
	int rc = NX_OK, is_picture = 0, is_text = 1;

	a = nx_article_new();
	if (a == NULL)
		goto oom;
	cls = nx_xml_attr(nx_xml_child(im, "itemClass"), "qcode");
	is_picture = ends_with(cls, ":picture") || ends_with(cls, ":graphic");
	is_text = cls == NULL || ends_with(cls, ":text") || ends_with(cls, ":composite");
	if (child_text(&b, cm, "headline") > 0 && (rc = nx_article_set(&a->title, b.buf, (long)b.len)) < 0)
		goto oom;
	/* dates */
	child_text(&b, im, "firstCreated");
	nx_wire__date(&a->published, b.buf);
	child_text(&b, cm, "contentCreated");
	nx_wire__date(&a->published, b.buf);
	child_text(&b, im, "versionCreated");
	nx_wire__date(&a->updated, b.buf);
	child_text(&b, cm, "contentModified");
	nx_wire__date(&a->updated, b.buf);
	/* a first version has only versionCreated: it is also the publication */
	if (!a->published.set)
		a->published = a->updated;
	/* language */
	v = nx_xml_attr(nx_xml_child(cm, "language"), "tag");
	if (v == NULL)
		v = nx_xml_attr(item, "lang");
	if ((rc = nx_wire__lang(a, v)) < 0)
		goto oom;
	free(v);
	v = NULL;
	if ((rc = g2_source(a, item, im, cm)) < 0)
		goto oom;
	v = nx_xml_attr(item, "guid");
	if (v != NULL && v[0] != '\0') {
		a->origin.record_id = v;
		v = NULL;
	}
	/* bylines */
	for (c = cm != NULL ? cm->children : NULL; c != NULL && !is_picture; c = c->next) {
		if (!nx_xml_is(c, "by"))
			continue;
		nx_wire__text(&b, c);
		if (b.len > 0 && (rc = nx_wire__byline(a, b.buf, b.len)) < 0)
			goto oom;
	}
	if ((rc = g2_content(a, nx_xml_child(item, "contentSet"), &picture, err)) < 0)
		goto done;
	if (is_picture) {
		desc = g2_description(cm, 1);
		child_text(&credit, cm, "creditline");
		if (child_text(&who, cm, "by") == 0)
			creator_name(&who, cm, 1);
		nx_wire__text(&b, desc);
		if (!nx_buf_ok(&b) || !nx_buf_ok(&who) || !nx_buf_ok(&credit))
			goto oom;
		rc = nx_wire__photo(a, picture, b.len > 0 ? b.buf : NULL, credit.len > 0 ? credit.buf : NULL,
				    who.len > 0 ? who.buf : NULL);
		if (rc < 0)
			goto oom;
		if (a->nparas == 0 && a->nphotos > 0 && a->photos[a->nphotos - 1].caption != NULL &&
		    (rc = nx_article_add_para(a, a->photos[a->nphotos - 1].caption, -1)) < 0)
			goto oom;
	} else if (is_text && a->nauthors == 0 && creator_name(&who, cm, 0)) {
		if ((rc = nx_article_add_author(a, who.buf, (long)who.len)) < 0)
			goto oom;
	}
	/* no body: a summary (video, text without inline content) */
	if (a->nparas == 0 && (desc = g2_description(cm, is_text ? 0 : 1)) != NULL &&
	    (rc = nx_wire__body(a, desc)) < 0)
		goto oom;
	if (a->title == NULL && child_text(&b, im, "title") > 0 &&
	    (rc = nx_article_set(&a->title, b.buf, (long)b.len)) < 0)
		goto oom;
	if ((rc = nx_wire__fallback_title(a)) < 0)
		goto oom;
	if (!nx_buf_ok(&b))
		goto oom;
	if (a->title == NULL && a->nparas == 0)
		goto done; /* an empty shell ("<newsItem guid="N1"> ..... </newsItem>") */
	(*emitted)++;
	rc = nx_format__emit(a, in, "newsml", cb, ctx, err);
	a = NULL;
	goto done;
oom:
	rc = nx_error_set(err, NX_ENOMEM, "out of memory");
done:
	nx_article_free(a);
	free(v);
	free(cls);
	free(picture);
	nx_buf_free(&b);
	nx_buf_free(&who);
	nx_buf_free(&credit);
	return rc;
}

/* ---- NewsML 1.2 ---------------------------------------------------------- */

static int n1_component(nx_article *a, const xmlNode *comp, int depth)
{
	const xmlNode *c = NULL, *lines = NULL, *x = NULL;
	nx_buf b = NX_BUF_INIT;
	char *v = NULL;
	int rc = NX_OK;

	if (depth > 16)
		return NX_OK;
	lines = nx_xml_child(comp, "NewsLines");
	if (a->title == NULL && child_text(&b, lines, "HeadLine") > 0 &&
	    (rc = nx_article_set(&a->title, b.buf, (long)b.len)) < 0)
		goto done;
	for (c = lines != NULL ? lines->children : NULL; c != NULL && rc == NX_OK; c = c->next) {
		if (!nx_xml_is(c, "ByLine"))
			continue;
		nx_wire__text(&b, c);
		if (b.len > 0)
			rc = nx_wire__byline(a, b.buf, b.len);
	}
	if (rc < 0)
		goto done;
	v = nx_xml_attr(nx_xml_child(nx_xml_child(nx_xml_child(comp, "AdministrativeMetadata"), "Provider"),
				     "Party"), "FormalName");
	if ((rc = nx_wire__source(a, v)) < 0)
		goto done;
	free(v);
	v = nx_xml_attr(nx_xml_child(nx_xml_child(comp, "DescriptiveMetadata"), "Language"), "FormalName");
	if ((rc = nx_wire__lang(a, v)) < 0)
		goto done;
	for (c = comp->children; c != NULL && rc == NX_OK; c = c->next) {
		if (nx_xml_is(c, "NewsComponent")) {
			rc = n1_component(a, c, depth + 1);
		} else if (nx_xml_is(c, "ContentItem")) {
			const xmlNode *data = nx_xml_child(c, "DataContent");
			char *media = nx_xml_attr(nx_xml_child(c, "MediaType"), "FormalName");
			char *href = nx_xml_attr(c, "Href");

			if (media != NULL && (nx_strcaseeq(media, "Photo") || nx_strcaseeq(media, "Image") ||
					      nx_strcaseeq(media, "Graphic"))) {
				if (href != NULL)
					rc = nx_wire__photo(a, href, NULL, NULL, NULL);
			} else if (data != NULL) {
				x = nx_xml_child(data, "nitf");
				rc = x != NULL ? nx_wire__nitf(a, x) : nx_wire__body(a, data);
			}
			free(media);
			free(href);
		}
	}
done:
	if (!nx_buf_ok(&b) && rc == NX_OK)
		rc = NX_ENOMEM;
	free(v);
	nx_buf_free(&b);
	return rc;
}

static int n1_item(const nx_input *in, const xmlNode *item, nx_article_cb cb, void *ctx,
		   nx_error *err, size_t *emitted)
{
	const xmlNode *mgmt = nx_xml_child(item, "NewsManagement");
	const xmlNode *c = NULL;
	nx_article *a = NULL;
	nx_buf b = NX_BUF_INIT;
	int rc = NX_OK;

	a = nx_article_new();
	if (a == NULL)
		goto oom;
	child_text(&b, mgmt, "FirstCreated");
	nx_wire__date(&a->published, b.buf);
	child_text(&b, mgmt, "ThisRevisionCreated");
	nx_wire__date(&a->updated, b.buf);
	if (child_text(&b, nx_xml_child(nx_xml_child(item, "Identification"), "NewsIdentifier"),
		       "PublicIdentifier") > 0) {
		a->origin.record_id = nx_strndup(b.buf, b.len);
		if (a->origin.record_id == NULL)
			goto oom;
	}
	for (c = item->children; c != NULL && rc == NX_OK; c = c->next)
		if (nx_xml_is(c, "NewsComponent"))
			rc = n1_component(a, c, 0);
	if (rc < 0 || !nx_buf_ok(&b))
		goto oom;
	if ((rc = nx_wire__fallback_title(a)) < 0)
		goto oom;
	if (a->title == NULL && a->nparas == 0)
		goto done;
	(*emitted)++;
	rc = nx_format__emit(a, in, "newsml", cb, ctx, err);
	a = NULL;
	goto done;
oom:
	rc = nx_error_set(err, NX_ENOMEM, "out of memory");
done:
	nx_article_free(a);
	nx_buf_free(&b);
	return rc;
}

/* ---- entry --------------------------------------------------------------- */

int nx_parse_newsml(const nx_input *in, nx_article_cb cb, void *ctx, nx_error *err)
{
	xmlDocPtr doc = NULL;
	xmlNode *root = NULL;
	items it = { NULL, 0, 0 };
	nx_error terr = NX_ERROR_INIT;
	size_t i = 0, n = 0, emitted = 0;
	int rc = NX_OK, g1 = 0, truncated = 0;

	doc = nx_xml_read(in->data, in->len, err);
	if (doc == NULL) {
		rc = err != NULL && err->code < 0 ? err->code : NX_EFORMAT;
		goto done;
	}
	root = xmlDocGetRootElement(doc);
	g1 = nx_xml_is(root, "NewsML");
	truncated = nx_wire__truncated(in->data, in->len, root, &terr);
	if (nx_xml_is(root, g1 ? "NewsItem" : "newsItem"))
		rc = items_push(&it, root);
	else
		rc = collect(&it, root, g1 ? "NewsItem" : "newsItem", 0);
	if (rc < 0) {
		rc = nx_error_set(err, NX_ENOMEM, "out of memory");
		goto done;
	}
	/* the last item of a cut document is incomplete: keep the others */
	n = truncated && it.n > 0 ? it.n - 1 : it.n;
	for (i = 0; i < n && rc == NX_OK; i++)
		rc = g1 ? n1_item(in, it.v[i], cb, ctx, err, &emitted) : g2_item(in, it.v[i], cb, ctx, err, &emitted);
	if (rc < 0)
		goto done;
	if (truncated) {
		rc = NX_EFORMAT;
		if (err != NULL)
			*err = terr;
	} else if (it.n == 0 && (nx_xml_is(root, "packageItem") || nx_wire__find(root, "packageItem", 3) != NULL)) {
		rc = nx_error_set(err, NX_EFORMAT, "package holds only references to other items, no news item");
	} else if (it.n == 0) {
		rc = nx_error_set(err, NX_EFORMAT, "no news item in <%s>",
				  root != NULL && root->name != NULL ? (const char *)root->name : "?");
	} else if (emitted == 0) {
		rc = nx_error_set(err, NX_EFORMAT, "%s with no headline and no text",
				  it.n == 1 ? "news item" : "news items");
	}
done:
	free(it.v);
	xmlFreeDoc(doc);
	return rc;
}

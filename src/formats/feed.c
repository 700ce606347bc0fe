/*
 * feed.c - RSS 0.9x, RSS 1.0 (RDF), RSS 2.0 and Atom (0.3, 1.0) feeds.
 *
 * Every item or entry becomes one article:
 *   title (else dc:title)                  -> title
 *   link / atom:link rel=alternate         -> url (guid isPermaLink when no link)
 *   guid / atom:id / rdf:about             -> origin.record_id
 *   pubDate, published, dc:date, issued    -> published
 *   atom:updated, modified, dc:modified    -> updated (published when alone)
 *   author, dc:creator, atom:author/name   -> authors (e-mail addresses dropped)
 *   category, dc:subject                   -> section (the first)
 *   channel/feed title (item <source>), language, xml:lang -> source, lang
 *   content:encoded, atom:content          -> body (else description/summary)
 *   media:content/thumbnail/group, image enclosures -> photos, with
 *   media:credit, media:description/title and media:copyright.
 *
 * This file reads items and the feed; feed_xml.c reads the text and
 * markup of elements, feed_media.c the photos (feed_private.h).
 *
 * The document is read with nx_xml_read() (no external entities, bounded
 * entity expansion).  Entity references left in the tree are never
 * expanded here except for short internal ones, so neither an external
 * entity nor an entity bomb can leak into or blow up an article.
 *
 * A feed whose root element is not closed is truncated: the items closed
 * before the break are emitted, then NX_EFORMAT "truncated feed".  A feed
 * whose parse stopped early for another reason (libxml2 gives up on an
 * entity loop, for instance) emits what was read and reports how many
 * items were lost.  A feed with no items is fine and yields nothing.
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

/* ---- dates, people, language -------------------------------------------- */

static void take_date(item *it, const xmlNode *n, int upd, int rank)
{
	nx_time t = NX_TIME_INIT;
	nx_time *dst = upd ? &it->a->updated : &it->a->published;
	int *have = upd ? &it->upd_rank : &it->pub_rank;
	char *s = NULL;

	if (*have != 0 && *have <= rank)
		return;
	s = nx_feed__text_of(it, n);
	if (s != NULL && nx_date_parse(&t, s, strlen(s)) == NX_OK) {
		*dst = t;
		*have = rank;
	}
	free(s);
}

typedef struct span {
	const char *s;
	size_t len;
} span;

static size_t count_words(span p)
{
	size_t i = 0, n = 0;
	int in_word = 0;

	for (i = 0; i < p.len; i++) {
		if (p.s[i] == ' ') {
			in_word = 0;
		} else if (!in_word) {
			in_word = 1;
			n++;
		}
	}
	return n;
}

/* A name part: starts with a capital (or a non-ASCII letter), 1-5 words. */
static int name_like(span p)
{
	size_t w = count_words(p);

	return p.len > 0 && (nx_isupper((unsigned char)p.s[0]) || (unsigned char)p.s[0] >= 0x80) &&
	       w >= 1 && w <= 5;
}

/* "Julian Borger in Washington" -> "Julian Borger" (a dateline in the byline). */
static span drop_place(span p)
{
	size_t i = 0;
	span head;

	for (i = 0; i + 4 < p.len; i++) {
		if (memcmp(p.s + i, " in ", 4) != 0 || !nx_isupper((unsigned char)p.s[i + 4]))
			continue;
		head.s = p.s;
		head.len = i;
		if (count_words(head) >= 2 && name_like(head))
			return head;
		break;
	}
	return p;
}

/*
 * Several names in one string: "Jane Doe, John Roe and Max Mustermann".
 * Split only when every part looks like a full name (two words or more),
 * so "Doe, Jane" and "Jane Doe, Quebec" stay whole.
 */
static int add_names(nx_article *a, const char *s, size_t len)
{
	span parts[16];
	size_t n = 0, i = 0, start = 0, multiword = 0;
	int rc = NX_OK, ok = 1;

	while (i <= len && n < 16) {
		size_t sep = 0;

		if (i == len)
			sep = 1;
		else if (i + 2 <= len && memcmp(s + i, ", ", 2) == 0)
			sep = 2;
		else if (i + 5 <= len && memcmp(s + i, " and ", 5) == 0)
			sep = 5;
		else if (i + 3 <= len && memcmp(s + i, " & ", 3) == 0)
			sep = 3;
		if (sep == 0) {
			i++;
			continue;
		}
		parts[n].s = s + start;
		parts[n].len = i - start;
		while (parts[n].len > 0 && parts[n].s[0] == ' ') {
			parts[n].s++;
			parts[n].len--;
		}
		/* "A, B, and C" */
		if (parts[n].len >= 4 && memcmp(parts[n].s, "and ", 4) == 0) {
			parts[n].s += 4;
			parts[n].len -= 4;
		}
		if (!name_like(parts[n]))
			ok = 0;
		if (count_words(parts[n]) >= 2)
			multiword++;
		n++;
		i += i == len ? 1 : sep;
		start = i;
	}
	if (i <= len || multiword < n)
		ok = 0; /* too many parts, "Doe, Jane", "Jane Doe, Quebec" */
	if (!ok || n < 2) {
		span whole = { s, len };

		whole = drop_place(whole);
		return nx_article_add_author(a, whole.s, (long)whole.len);
	}
	for (i = 0; i < n && rc == NX_OK; i++) {
		span p = drop_place(parts[i]);

		rc = nx_article_add_author(a, p.s, (long)p.len);
	}
	return rc;
}

/*
 * One author from an RSS-style string: "jane@x.com (Jane Doe)",
 * "Jane Doe (jane@x.com)", "Jane Doe <jane@x.com>", "By Jane Doe".  A bare
 * address is not a name and is dropped.
 */
static int add_author_str(nx_article *a, const char *s)
{
	const char *open = NULL, *close = NULL, *lt = NULL, *gt = NULL;
	size_t len = strlen(s), i = 0;
	nx_buf b = NX_BUF_INIT;
	int rc = NX_OK;

	open = strchr(s, '(');
	close = strrchr(s, ')');
	if (open != NULL && close != NULL && close > open) {
		const char *in = open + 1;
		size_t inlen = (size_t)(close - in);

		if (memchr(in, '@', inlen) != NULL) {
			/* "Jane Doe (jane@x.com)" */
			nx_buf_add(&b, s, (size_t)(open - s));
			nx_buf_adds(&b, close + 1);
		} else if (memchr(s, '@', (size_t)(open - s)) != NULL) {
			/* "jane@x.com (Jane Doe)" */
			nx_buf_add(&b, in, inlen);
		} else {
			nx_buf_add(&b, s, len);
		}
	} else {
		lt = strchr(s, '<');
		gt = lt != NULL ? strchr(lt, '>') : NULL;
		if (lt != NULL && gt != NULL && memchr(lt, '@', (size_t)(gt - lt)) != NULL) {
			nx_buf_add(&b, s, (size_t)(lt - s));
			nx_buf_adds(&b, gt + 1);
		} else {
			nx_buf_add(&b, s, len);
		}
	}
	if (!nx_buf_ok(&b)) {
		rc = NX_ENOMEM;
		goto done;
	}
	nx_buf_trim(&b);
	if (b.len > 3 && nx_startswith_ci(b.buf, b.len, "by ") && nx_isupper((unsigned char)b.buf[3])) {
		memmove(b.buf, b.buf + 3, b.len - 2);
		b.len -= 3;
	}
	/* a bare e-mail address, or one left over: not a name */
	for (i = 0; i < b.len; i++)
		if (b.buf[i] == '@')
			goto done;
	rc = add_names(a, b.buf, b.len);
done:
	nx_buf_free(&b);
	return rc;
}

/* Atom person construct: its name (e-mail and uri are not names). */
static void add_person(item *it, const xmlNode *n)
{
	const xmlNode *c = NULL;
	char *s = NULL;

	for (c = n->children; c != NULL; c = c->next) {
		if (c->type == XML_ELEMENT_NODE && strcmp(nx_feed__local_name(c), "name") == 0) {
			s = nx_feed__text_of(it, c);
			break;
		}
	}
	if (s != NULL && add_author_str(it->a, s) < 0)
		it->rc = NX_ENOMEM;
	free(s);
}

/* "en-US" -> "en"; NULL when s is not a language tag. */
static char *primary_lang(const char *s)
{
	char tag[9];
	size_t i = 0;

	while (nx_isspace((unsigned char)*s))
		s++;
	for (i = 0; i < 8 && nx_isalpha((unsigned char)s[i]); i++)
		tag[i] = (char)nx_tolower((unsigned char)s[i]);
	tag[i] = '\0';
	if (i < 2 || i > 3 || (s[i] != '\0' && s[i] != '-' && s[i] != '_' && !nx_isspace((unsigned char)s[i])))
		return NULL;
	return strdup(tag);
}

/* ---- items ---------------------------------------------------------------- */

static void atom_link(item *it, const xmlNode *n)
{
	char *rel = nx_feed__attr(n, "rel"), *type = nx_feed__attr(n, "type"), *href = nx_feed__attr(n, "href");
	char *clean = nx_feed__clean_value(it, href);
	int rank = 0;

	if (clean == NULL)
		goto done;
	if (rel == NULL || rel[0] == '\0' || nx_strcaseeq(rel, "alternate")) {
		if (type == NULL || nx_strcaseeq(type, "text/html") ||
		    nx_strcaseeq(type, "application/xhtml+xml"))
			rank = 3;
		else
			rank = 1;
		nx_feed__set_url(it, n, clean, rank);
	} else if (nx_strcaseeq(rel, "enclosure")) {
		nx_feed__enclosure(it, n, "href");
	}
done:
	free(rel);
	free(type);
	free(href);
	free(clean);
}

static void set_section(item *it, const char *s, int rank)
{
	if (s == NULL || (it->section_rank != 0 && it->section_rank <= rank))
		return;
	if (nx_article_set(&it->a->section, s, -1) < 0)
		it->rc = NX_ENOMEM;
	else if (it->a->section != NULL)
		it->section_rank = rank;
}

static void item_child(item *it, const xmlNode *c)
{
	const feed *f = it->f;
	int ns = nx_feed__node_ns(c);
	const char *name = nx_feed__local_name(c);
	char *s = NULL, *v = NULL;
	int has_href = xmlHasProp(c, (const xmlChar *)"href") != NULL;

	if (nx_feed__is_home(f, c, "title") || nx_feed__is_atom(f, c, "title")) {
		if (it->a->title == NULL) {
			s = nx_feed__title_of(it, c, ns == NS_ATOM || f->atom);
			if (s != NULL && nx_article_set(&it->a->title, s, -1) < 0)
				it->rc = NX_ENOMEM;
		}
	} else if (nx_feed__is_atom(f, c, "link") || (nx_feed__is_home(f, c, "link") && has_href)) {
		atom_link(it, c);
	} else if (nx_feed__is_home(f, c, "link")) {
		s = nx_feed__text_of(it, c);
		nx_feed__set_url(it, c, s, 4);
	} else if (!f->atom && nx_feed__is_home(f, c, "guid")) {
		s = nx_feed__text_of(it, c);
		if (s != NULL && it->record_id == NULL) {
			it->record_id = s;
			s = NULL;
			if (!nx_feed__attr_is(c, "isPermaLink", "false") &&
			    (nx_startswith_ci(it->record_id, strlen(it->record_id), "http://") ||
			     nx_startswith_ci(it->record_id, strlen(it->record_id), "https://"))) {
				it->guid_url = strdup(it->record_id);
				if (it->guid_url == NULL)
					it->rc = NX_ENOMEM;
			}
		}
	} else if (nx_feed__is_atom(f, c, "id")) {
		s = nx_feed__text_of(it, c);
		if (s != NULL && it->record_id == NULL) {
			it->record_id = s;
			s = NULL;
		}
	} else if (nx_feed__is_home(f, c, "pubDate") || nx_feed__is_atom(f, c, "published")) {
		take_date(it, c, 0, 1);
	} else if (nx_feed__is_atom(f, c, "issued") || (ns == NS_DC && strcmp(name, "date") == 0)) {
		take_date(it, c, 0, 2);
	} else if (nx_feed__is_atom(f, c, "created") ||
		   (ns == NS_DCTERMS && (strcmp(name, "issued") == 0 || strcmp(name, "created") == 0 ||
					 strcmp(name, "date") == 0))) {
		take_date(it, c, 0, 3);
	} else if (nx_feed__is_atom(f, c, "updated") || nx_feed__is_atom(f, c, "modified")) {
		take_date(it, c, 1, 1);
	} else if ((ns == NS_DC || ns == NS_DCTERMS) && strcmp(name, "modified") == 0) {
		take_date(it, c, 1, 2);
	} else if (nx_feed__is_atom(f, c, "author")) {
		add_person(it, c);
	} else if ((nx_feed__is_home(f, c, "author") && !f->atom) || (ns == NS_DC && strcmp(name, "creator") == 0)) {
		s = nx_feed__text_of(it, c);
		if (s != NULL && add_author_str(it->a, s) < 0)
			it->rc = NX_ENOMEM;
	} else if (nx_feed__is_atom(f, c, "category")) {
		s = nx_feed__attr(c, "label");
		v = nx_feed__attr(c, "term");
		set_section(it, s != NULL && s[0] != '\0' ? s : v, 1);
	} else if (!f->atom && nx_feed__is_home(f, c, "category")) {
		s = nx_feed__text_of(it, c);
		set_section(it, s, 1);
	} else if (ns == NS_DC && strcmp(name, "subject") == 0) {
		s = nx_feed__text_of(it, c);
		set_section(it, s, 2);
	} else if (ns == NS_CONTENT && strcmp(name, "encoded") == 0) {
		if (it->content == NULL) {
			it->content = c;
			it->content_kind = KIND_HTML;
		}
	} else if (nx_feed__is_atom(f, c, "content")) {
		v = nx_feed__attr(c, "src");
		if (it->content == NULL && v == NULL) {
			it->content = c;
			it->content_kind = nx_feed__text_kind(c, KIND_TEXT);
		}
	} else if (!f->atom && nx_feed__is_home(f, c, "description")) {
		if (it->summary == NULL) {
			it->summary = c;
			it->summary_kind = KIND_HTML;
		}
	} else if (nx_feed__is_atom(f, c, "summary")) {
		if (it->summary == NULL) {
			it->summary = c;
			it->summary_kind = nx_feed__text_kind(c, KIND_TEXT);
		}
	} else if (!f->atom && nx_feed__is_home(f, c, "source")) {
		/* an aggregator's item names the outlet it came from */
		s = nx_feed__text_of(it, c);
		if (s != NULL && it->source == NULL) {
			it->source = s;
			s = NULL;
		}
	} else if ((ns == NS_DC || ns == NS_DCTERMS) && strcmp(name, "title") == 0) {
		if (it->dc_title == NULL)
			it->dc_title = c;
	} else if ((ns == NS_DC || ns == NS_DCTERMS) && strcmp(name, "description") == 0) {
		if (it->dc_description == NULL)
			it->dc_description = c;
	} else if ((ns == NS_DC || ns == NS_DCTERMS) && strcmp(name, "language") == 0) {
		s = nx_feed__text_of(it, c);
		if (s != NULL && it->lang == NULL)
			it->lang = primary_lang(s);
	}
	free(s);
	free(v);
}

static void item_media(item *it)
{
	const xmlNode *c = NULL;
	const feed *f = it->f;

	for (c = it->node->children; c != NULL; c = c->next) {
		if (nx_feed__is_el(c, NS_MEDIA, "content"))
			nx_feed__media_content(it, c, NULL);
		else if (nx_feed__is_el(c, NS_MEDIA, "group"))
			nx_feed__media_group(it, c);
		else if (!f->atom && nx_feed__is_home(f, c, "enclosure"))
			nx_feed__enclosure(it, c, "url");
	}
	if (it->a->nphotos > 0)
		return;
	for (c = it->node->children; c != NULL; c = c->next)
		if (nx_feed__is_el(c, NS_MEDIA, "thumbnail"))
			nx_feed__media_thumbnail(it, c, NULL);
}

static int emit_item(feed *f, xmlNode *node)
{
	item it;
	xmlNode *c = NULL;
	xmlBufferPtr raw = NULL;
	xmlChar *xl = NULL;
	char *v = NULL, *s = NULL;
	int rc = NX_OK;

	memset(&it, 0, sizeof(it));
	it.f = f;
	it.node = node;
	it.a = nx_article_new();
	if (it.a == NULL)
		goto oom;
	for (c = node->children; c != NULL && it.rc == NX_OK; c = c->next)
		if (c->type == XML_ELEMENT_NODE)
			item_child(&it, c);
	if (it.a->title == NULL && it.dc_title != NULL) {
		s = nx_feed__title_of(&it, it.dc_title, 0);
		if (s != NULL && nx_article_set(&it.a->title, s, -1) < 0)
			goto oom;
	}
	if (it.summary == NULL && it.dc_description != NULL) {
		it.summary = it.dc_description;
		it.summary_kind = KIND_HTML;
	}
	if (it.rc < 0)
		goto oom;
	if (it.record_id == NULL) { /* RSS 1.0: <item rdf:about="..."> */
		v = nx_feed__attr(node, "about");
		it.record_id = nx_feed__clean_value(&it, v);
		free(v);
		v = NULL;
	}
	if (it.a->url == NULL && it.guid_url != NULL)
		nx_feed__set_url(&it, node, it.guid_url, 1);
	if (it.a->title == NULL && it.a->url == NULL)
		goto done; /* nothing to call it by */
	/* Atom: entries inherit the feed's authors */
	if (f->atom && it.a->nauthors == 0)
		for (c = f->channel->children; c != NULL; c = c->next)
			if (nx_feed__is_atom(f, c, "author"))
				add_person(&it, c);
	if (!it.a->published.set && it.a->updated.set) {
		it.a->published = it.a->updated;
		memset(&it.a->updated, 0, sizeof(it.a->updated));
	}
	if (it.lang == NULL) {
		xl = xmlNodeGetLang(node);
		if (xl != NULL)
			it.lang = primary_lang((const char *)xl);
		xmlFree(xl);
	}
	if ((it.lang != NULL || f->lang != NULL) &&
	    nx_article_set(&it.a->lang, it.lang != NULL ? it.lang : f->lang, -1) < 0)
		goto oom;
	if ((it.source != NULL || f->source != NULL) &&
	    nx_article_set(&it.a->source, it.source != NULL ? it.source : f->source, -1) < 0)
		goto oom;
	item_media(&it);
	if (it.rc < 0)
		goto oom;
	if (it.content != NULL && (rc = nx_feed__add_body(&it, it.content, it.content_kind)) < 0)
		goto oom;
	if (it.a->nparas == 0 && it.summary != NULL &&
	    (rc = nx_feed__add_body(&it, it.summary, it.summary_kind)) < 0)
		goto oom;
	nx_feed__dedup_photos(&it);
	if (it.record_id != NULL) {
		it.a->origin.record_id = it.record_id;
		it.record_id = NULL;
	}
	raw = xmlBufferCreate();
	if (raw != NULL && xmlNodeDump(raw, f->doc, node, 0, 0) > 0) {
		it.a->origin.raw = (const char *)xmlBufferContent(raw);
		it.a->origin.rawlen = (size_t)xmlBufferLength(raw);
	}
	rc = nx_format__emit(it.a, f->in, f->atom ? "atom" : "rss", f->cb, f->ctx, f->err);
	it.a = NULL;
	goto done;
oom:
	rc = nx_error_set(f->err, NX_ENOMEM, "out of memory");
done:
	nx_article_free(it.a);
	xmlBufferFree(raw);
	free(s);
	free(it.record_id);
	free(it.guid_url);
	free(it.lang);
	free(it.source);
	free(it.widths);
	return rc;
}

/* ---- the raw bytes: truncation and lost items ------------------------------ */

static const char *find(const char *d, size_t len, size_t from, const char *needle)
{
	size_t n = strlen(needle), i = 0;

	for (i = from; i + n <= len; i++)
		if (d[i] == needle[0] && memcmp(d + i, needle, n) == 0)
			return d + i;
	return NULL;
}

static int name_char(char c)
{
	return nx_isalnum((unsigned char)c) || c == '_' || c == '-' || c == '.' || c == ':' ||
	       (unsigned char)c >= 0x80;
}

/* 1 when the start tag whose name ends at d[i] closes itself ("<x a='1'/>"). */
static int empty_tag(const char *d, size_t len, size_t i)
{
	char quote = 0;

	for (; i < len; i++) {
		if (quote != 0) {
			if (d[i] == quote)
				quote = 0;
		} else if (d[i] == '"' || d[i] == '\'') {
			quote = d[i];
		} else if (d[i] == '>') {
			return i > 0 && d[i - 1] == '/';
		}
	}
	return 0;
}

/*
 * Count start tags (not the self-closing ones) or end tags named local,
 * unprefixed or with prefix pfx (may be NULL), outside comments and CDATA
 * sections.
 */
static size_t count_tags(const char *d, size_t len, const char *local, const char *pfx, int closing)
{
	size_t i = 0, count = 0, nl = strlen(local), np = pfx != NULL ? strlen(pfx) : 0;
	const char *p = NULL, *e = NULL;

	while (i < len) {
		p = memchr(d + i, '<', len - i);
		if (p == NULL)
			break;
		i = (size_t)(p - d);
		if (len - i >= 4 && memcmp(p, "<!--", 4) == 0) {
			e = find(d, len, i + 4, "-->");
			if (e == NULL)
				break;
			i = (size_t)(e - d) + 3;
			continue;
		}
		if (len - i >= 9 && memcmp(p, "<![CDATA[", 9) == 0) {
			e = find(d, len, i + 9, "]]>");
			if (e == NULL)
				break;
			i = (size_t)(e - d) + 3;
			continue;
		}
		i++;
		if (closing) {
			if (i >= len || d[i] != '/')
				continue;
			i++;
		}
		{
			size_t s = i, n = 0;

			while (i < len && name_char(d[i]))
				i++;
			n = i - s;
			if (i < len && !(nx_isspace((unsigned char)d[i]) || d[i] == '>' || d[i] == '/'))
				continue;
			if (i >= len)
				continue; /* cut inside the tag */
			if (!(n == nl && memcmp(d + s, local, nl) == 0) &&
			    !(np > 0 && n == np + 1 + nl && memcmp(d + s, pfx, np) == 0 &&
			      d[s + np] == ':' && memcmp(d + s + np + 1, local, nl) == 0))
				continue;
			if (!closing && empty_tag(d, len, i))
				continue; /* <item/>: nothing to read */
			count++;
		}
	}
	return count;
}

/* Elements named local anywhere under n (items nested where they should
 * not be still count as read). */
static size_t count_elements(const xmlNode *n, const char *local, int depth)
{
	size_t count = 0;

	if (depth > FEED_MAX_DEPTH)
		return 0;
	for (; n != NULL; n = n->next) {
		if (n->type != XML_ELEMENT_NODE)
			continue;
		if (strcmp(nx_feed__local_name(n), local) == 0)
			count++;
		count += count_elements(n->children, local, depth + 1);
	}
	return count;
}

static const char *prefix_of(const xmlNode *n)
{
	return n != NULL && n->ns != NULL && n->ns->prefix != NULL ? (const char *)n->ns->prefix : NULL;
}

/* ---- the feed -------------------------------------------------------------- */

static int read_channel(feed *f)
{
	const xmlNode *c = NULL;
	char *s = NULL, *rel = NULL;
	xmlChar *xl = NULL;
	int rc = NX_OK;

	for (c = f->channel->children; c != NULL; c = c->next) {
		if (c->type != XML_ELEMENT_NODE)
			continue;
		if (f->source == NULL && (nx_feed__is_home(f, c, "title") || (f->atom && nx_feed__is_atom(f, c, "title")))) {
			item it;

			memset(&it, 0, sizeof(it));
			f->source = nx_feed__title_of(&it, c, f->atom);
			if (it.rc < 0)
				rc = NX_ENOMEM;
		} else if (f->lang == NULL && (nx_feed__is_home(f, c, "language") ||
					       (nx_feed__node_ns(c) == NS_DC && strcmp(nx_feed__local_name(c), "language") == 0))) {
			s = nx_feed__text_of(NULL, c);
			f->lang = s != NULL ? primary_lang(s) : NULL;
		} else if (f->base == NULL && !f->atom && nx_feed__is_home(f, c, "link") && !xmlHasProp(c, (const xmlChar *)"href")) {
			s = nx_feed__text_of(NULL, c);
			if (s != NULL && nx_feed__has_scheme(s)) {
				f->base = s;
				s = NULL;
			}
		} else if (f->base == NULL && nx_feed__is_atom(f, c, "link")) {
			rel = nx_feed__attr(c, "rel");
			if (rel == NULL || nx_strcaseeq(rel, "alternate")) {
				s = nx_feed__attr(c, "href");
				if (s != NULL && nx_feed__has_scheme(s)) {
					f->base = s;
					s = NULL;
				}
			}
			free(rel);
			rel = NULL;
		}
		free(s);
		s = NULL;
	}
	if (f->lang == NULL) {
		xl = xmlNodeGetLang(f->channel);
		if (xl != NULL)
			f->lang = primary_lang((const char *)xl);
		xmlFree(xl);
	}
	return rc;
}

static int push_item(xmlNode ***items, size_t *n, size_t *cap, xmlNode *node)
{
	xmlNode **p = NULL;

	if (*n == *cap) {
		*cap = *cap != 0 ? *cap * 2 : 32;
		p = realloc(*items, *cap * sizeof(*p));
		if (p == NULL)
			return NX_ENOMEM;
		*items = p;
	}
	(*items)[(*n)++] = node;
	return NX_OK;
}

int nx_parse_feed(const nx_input *in, nx_article_cb cb, void *ctx, nx_error *err)
{
	feed f;
	xmlNode *c = NULL, **items = NULL;
	size_t nitems = 0, cap = 0, i = 0, limit = 0, closed = 0, started = 0, found = 0;
	const char *root_name = NULL, *item_name = NULL, *pfx = NULL;
	int rc = NX_OK, truncated = 0, ascii = 0;

	memset(&f, 0, sizeof(f));
	f.in = in;
	f.cb = cb;
	f.ctx = ctx;
	f.err = err;
	f.doc = nx_xml_read(in->data, in->len, err);
	if (f.doc == NULL) {
		rc = err != NULL && err->code != 0 ? err->code : NX_EFORMAT;
		goto done;
	}
	f.root = xmlDocGetRootElement(f.doc);
	root_name = nx_feed__local_name(f.root);
	if (strcmp(root_name, "feed") == 0) {
		f.atom = 1;
		f.channel = f.root;
		item_name = "entry";
	} else if (strcmp(root_name, "rss") == 0 || strcmp(root_name, "RDF") == 0) {
		item_name = "item";
		for (c = f.root->children; c != NULL && f.channel == NULL; c = c->next)
			if (nx_feed__is_home(&f, c, "channel"))
				f.channel = c;
	} else {
		rc = nx_error_set(err, NX_EFORMAT, "not a feed: root element is '%s'", root_name);
		goto done;
	}
	if (f.channel != NULL && (rc = read_channel(&f)) < 0)
		goto oom;
	/* items: in the channel (RSS 2.0, Atom) and beside it (RSS 0.90/1.0) */
	if (f.channel != NULL)
		for (c = f.channel->children; c != NULL; c = c->next)
			if ((f.atom ? nx_feed__is_atom(&f, c, item_name) : nx_feed__is_home(&f, c, item_name)) &&
			    push_item(&items, &nitems, &cap, c) < 0)
				goto oom;
	if (!f.atom)
		for (c = f.root->children; c != NULL; c = c->next)
			if (nx_feed__is_home(&f, c, item_name) && push_item(&items, &nitems, &cap, c) < 0)
				goto oom;
	/* compare with the raw bytes: was the root closed, were items lost?
	   (only for ASCII-compatible encodings: no NUL in UTF-8 or Latin-1) */
	pfx = nitems > 0 ? prefix_of(items[0]) : (f.atom ? prefix_of(f.root) : NULL);
	ascii = memchr(in->data, '\0', in->len < 1024 ? in->len : 1024) == NULL;
	truncated = ascii && count_tags(in->data, in->len, root_name, prefix_of(f.root), 1) == 0;
	limit = nitems;
	if (!ascii) {
		started = 0;
	} else if (truncated) {
		closed = count_tags(in->data, in->len, item_name, pfx, 1);
		if (closed < limit)
			limit = closed; /* the last item was cut off */
	} else {
		started = count_tags(in->data, in->len, item_name, pfx, 0);
	}
	for (i = 0; i < limit; i++)
		if ((rc = emit_item(&f, items[i])) < 0)
			goto done;
	if (truncated)
		rc = nx_error_set(err, NX_EFORMAT, "truncated feed (%zu %s read)", limit,
				  f.atom ? (limit == 1 ? "entry" : "entries") : (limit == 1 ? "item" : "items"));
	else if (started > (found = count_elements(f.root, item_name, 0)))
		rc = nx_error_set(err, NX_EFORMAT, "broken feed: only %zu of %zu %s could be read",
				  found, started, f.atom ? "entries" : "items");
	goto done;
oom:
	rc = nx_error_set(err, NX_ENOMEM, "out of memory");
done:
	free(items);
	free(f.source);
	free(f.lang);
	free(f.base);
	xmlFreeDoc(f.doc);
	return rc;
}

/*
 * ninjs.c - IPTC ninjs news items (JSON, versions 1.x and 2.x) to articles.
 *
 * Mapping (first key present wins):
 *
 *   title      <- headline | headlines[0].value | title
 *   body       <- body_html | body_xhtml | bodies[] (text/html first, else
 *                 the first) | body_text; when the item has none:
 *                 description_html | description_text |
 *                 description_caption (a picture item's caption)
 *   published  <- firstpublished | firstcreated | versioncreated
 *   updated    <- versioncreated, when it differs from published
 *   authors    <- byline (split: "By Jane Doe and John Roe") |
 *                 bylines[].byline | authors[].name | photographer.name
 *   source     <- source | provider | copyrightholder (a string or
 *                 {"name": ...}; cleaned as the wire formats' outlets)
 *   url        <- uri, when it is an http(s) address
 *   lang       <- language
 *   section    <- service[0].name
 *   record id  <- guid | altids.itemid | id | uri
 *   photos     <- every picture or graphic in associations (an object of
 *                 named items, or an array in ninjs 2), and the item
 *                 itself when its type is picture or graphic: url from
 *                 renditions (original, baseImage, main, viewImage, else
 *                 the first with an href), caption from description_text |
 *                 description_caption | body_text, credit from
 *                 description_creditline | byline (when it reads as a
 *                 credit: "Photo: Name/Agency") | copyrightholder |
 *                 copyrightnotice (when it starts "©" or "Copyright"),
 *                 photographer from photographer.name | byline
 *
 * API answers that wrap items ({"data": {"item": ...}}, {"item": [...]})
 * are unwrapped by nx_ninjs__wrapped; jsonl.c emits each item.
 */
#include "formats/ninjs.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "article/credit.h"
#include "formats/wire_common.h"
#include "util/text.h"

/* A string member of o, or NULL. */
static const char *sget(const nx_jlite_val *o, const char *key)
{
	const nx_jlite_val *v = nx_jlite_get(o, key);

	return nx_jlite_is_string(v) && v->n > 0 ? nx_jlite_str(v) : NULL;
}

/* v as a string, the "name" of an object, or the first such of an array. */
static const char *name_of(const nx_jlite_val *v)
{
	if (nx_jlite_is_array(v) && v->n > 0)
		v = nx_jlite_first(v);
	if (nx_jlite_is_object(v))
		v = nx_jlite_get(v, "name");
	return nx_jlite_is_string(v) && v->n > 0 ? nx_jlite_str(v) : NULL;
}

/* The first string member among keys, or NULL. */
static const char *sget_any(const nx_jlite_val *o, const char *const *keys)
{
	const char *s = NULL;

	for (; *keys != NULL && s == NULL; keys++)
		s = sget(o, *keys);
	return s;
}

int nx_ninjs__is(const nx_jlite_val *o)
{
	static const char *const keys[] = { "versioncreated", "firstcreated", "body_html", "body_text",
					    "body_xhtml", "bodies", "headlines", "associations",
					    "pubstatus", NULL };
	size_t i = 0;

	if (!nx_jlite_is_object(o))
		return 0;
	for (i = 0; keys[i] != NULL; i++)
		if (nx_jlite_get(o, keys[i]) != NULL)
			return 1;
	return 0;
}

const nx_jlite_val *nx_ninjs__wrapped(const nx_jlite_val *o)
{
	const nx_jlite_val *d = nx_jlite_get(o, "data"), *it = NULL, *e = NULL;
	size_t i = 0;

	if (nx_jlite_is_object(d))
		o = d;
	it = nx_jlite_get(o, "item");
	if (it == NULL)
		it = nx_jlite_get(o, "items");
	if (nx_jlite_is_object(it))
		return nx_ninjs__is(it) ? it : NULL;
	if (!nx_jlite_is_array(it))
		return NULL;
	for (i = 0, e = nx_jlite_first(it); i < it->n; i++, e = nx_jlite_next(e))
		if (nx_ninjs__is(e))
			return it;
	return NULL;
}

static int is_http(const char *s)
{
	return s != NULL && (nx_startswith_ci(s, strlen(s), "http://") || nx_startswith_ci(s, strlen(s), "https://"));
}

/* The address of a picture's best rendition, or NULL. */
static const char *rendition_href(const nx_jlite_val *p)
{
	static const char *const best[] = { "original", "baseImage", "main", "viewImage", NULL };
	const nx_jlite_val *r = nx_jlite_get(p, "renditions"), *e = NULL;
	const char *href = NULL;
	size_t i = 0;

	for (i = 0; nx_jlite_is_object(r) && best[i] != NULL && href == NULL; i++)
		href = sget(nx_jlite_get(r, best[i]), "href");
	if (href != NULL || !(nx_jlite_is_object(r) || nx_jlite_is_array(r)))
		return href;
	/* the first rendition with an address: objects hold key then value */
	for (i = 0, e = nx_jlite_first(r); i < r->n && href == NULL; i++) {
		if (nx_jlite_is_object(r))
			e++;
		href = sget(e, "href");
		e = nx_jlite_next(e);
	}
	return href;
}

/*
 * Add picture item p as a photo; as_item: p is the article itself.  The
 * byline is the credit when it reads as one ("Photo: Name/Agency"), else
 * the photographer; a copyright notice only counts when it names someone
 * after its marker ("Copyright 2019 The Associated Press"; a licence such
 * as "CC-BY 4.0" is no credit).
 */
static int add_picture(nx_article *a, const nx_jlite_val *p, int as_item)
{
	static const char *const cap_keys[] = { "description_text", "description_caption", NULL };
	const char *url = rendition_href(p), *cap = sget_any(p, cap_keys), *uri = sget(p, "uri");
	const char *by = sget(p, "byline"), *cred = sget(p, "description_creditline");
	const char *who = name_of(nx_jlite_get(p, "photographer")), *note = sget(p, "copyrightnotice");

	if (url == NULL && !as_item && is_http(uri))
		url = uri;
	if (cap == NULL && as_item)
		cap = sget(p, "body_text");
	if (by != NULL && cred == NULL && nx_credit_marker(by, strlen(by)) > 0)
		cred = by;
	else if (by != NULL && who == NULL)
		who = by;
	if (cred == NULL)
		cred = sget(p, "copyrightholder");
	if (cred == NULL && note != NULL && nx_credit_marker(note, strlen(note)) > 0) {
		/* "Copyright 2019 The Associated Press. All rights reserved. This material..." */
		const char *cut = nx_memcasemem(note, strlen(note), "all rights reserved");
		char *holder = nx_strndup(note, cut != NULL ? (size_t)(cut - note) : strlen(note));
		size_t n = holder != NULL ? strlen(holder) : 0;
		int rc = NX_OK;

		if (holder == NULL)
			return NX_ENOMEM;
		while (n > 0 && (holder[n - 1] == ' ' || holder[n - 1] == '.' || holder[n - 1] == ','))
			holder[--n] = '\0';
		rc = nx_wire__photo(a, url, cap, holder, who);
		free(holder);
		return rc;
	}
	return nx_wire__photo(a, url, cap, cred, who);
}

static int is_picture(const nx_jlite_val *p)
{
	const char *type = sget(p, "type");

	if (type == NULL)
		return nx_jlite_get(p, "renditions") != NULL;
	return strcmp(type, "picture") == 0 || strcmp(type, "graphic") == 0;
}

/* associations: {"name": item, ...} (ninjs 1) or [item, ...] (ninjs 2). */
static int add_associations(nx_article *a, const nx_jlite_val *as)
{
	const nx_jlite_val *e = NULL;
	size_t i = 0;
	int rc = NX_OK, obj = nx_jlite_is_object(as);

	if (!obj && !nx_jlite_is_array(as))
		return NX_OK;
	for (i = 0, e = nx_jlite_first(as); i < as->n && rc == NX_OK; i++) {
		if (obj)
			e++;
		if (nx_jlite_is_object(e) && is_picture(e))
			rc = add_picture(a, e, 0);
		e = nx_jlite_next(e);
	}
	return rc;
}

/* ninjs 2's bodies/headlines: [{"value", "contenttype"}]; html preferred. */
static const nx_jlite_val *pick_value(const nx_jlite_val *arr, const char *want_type)
{
	const nx_jlite_val *e = NULL, *first = NULL;
	size_t i = 0;

	if (!nx_jlite_is_array(arr))
		return NULL;
	for (i = 0, e = nx_jlite_first(arr); i < arr->n; i++, e = nx_jlite_next(e)) {
		const nx_jlite_val *v = nx_jlite_get(e, "value");
		const char *ct = sget(e, "contenttype");

		if (!nx_jlite_is_string(v))
			continue;
		if (first == NULL)
			first = v;
		if (want_type != NULL && ct != NULL && strcmp(ct, want_type) == 0)
			return v;
	}
	return first;
}

static int add_body(nx_article *a, const nx_jlite_val *o, nx_error *err)
{
	static const char *const body_keys[] = { "body_html", "body_xhtml", NULL };
	static const char *const desc_keys[] = { "description_html", "description_text", "description_caption",
						 NULL };
	const nx_jlite_val *v = NULL;
	size_t i = 0;
	int rc = NX_OK;

	for (i = 0; body_keys[i] != NULL && v == NULL; i++)
		if (sget(o, body_keys[i]) != NULL)
			v = nx_jlite_get(o, body_keys[i]);
	if (v == NULL)
		v = pick_value(nx_jlite_get(o, "bodies"), "text/html");
	if (v == NULL && sget(o, "body_text") != NULL)
		v = nx_jlite_get(o, "body_text");
	if (v != NULL && (rc = nx_jsonl__add_text(a, v, err)) < 0)
		return rc;
	for (i = 0; desc_keys[i] != NULL && a->nparas == 0; i++)
		if (sget(o, desc_keys[i]) != NULL && (rc = nx_jsonl__add_text(a, nx_jlite_get(o, desc_keys[i]), err)) < 0)
			return rc;
	return NX_OK;
}

static int add_authors(nx_article *a, const nx_jlite_val *o)
{
	const nx_jlite_val *arr = NULL, *e = NULL;
	const char *s = sget(o, "byline");
	size_t i = 0;
	int rc = NX_OK;

	if (s != NULL)
		return nx_wire__byline(a, s, strlen(s));
	arr = nx_jlite_get(o, "bylines");
	if (!nx_jlite_is_array(arr))
		arr = nx_jlite_get(o, "authors");
	for (i = 0, e = nx_jlite_is_array(arr) ? nx_jlite_first(arr) : NULL; e != NULL && i < arr->n && rc == NX_OK;
	     i++, e = nx_jlite_next(e)) {
		s = nx_jlite_is_string(e) ? nx_jlite_str(e) : sget(e, "byline");
		if (s == NULL)
			s = sget(e, "name");
		if (s != NULL)
			rc = nx_wire__byline(a, s, strlen(s));
	}
	if (a->nauthors == 0 && rc == NX_OK && (s = name_of(nx_jlite_get(o, "photographer"))) != NULL)
		rc = nx_wire__byline(a, s, strlen(s));
	return rc;
}

static void set_times(nx_article *a, const nx_jlite_val *o)
{
	nx_time upd = NX_TIME_INIT;

	nx_wire__date(&a->published, sget(o, "firstpublished"));
	nx_wire__date(&a->published, sget(o, "firstcreated"));
	nx_wire__date(&a->published, sget(o, "versioncreated"));
	nx_wire__date(&upd, sget(o, "versioncreated"));
	if (upd.set && (!a->published.set || upd.utc != a->published.utc))
		a->updated = upd;
}

/* title, url, source, lang, section, record id */
static int set_fields(nx_article *a, const nx_jlite_val *o)
{
	static const char *const id_keys[] = { "guid", "id", "uri", NULL };
	const nx_jlite_val *hl = pick_value(nx_jlite_get(o, "headlines"), NULL), *v = NULL;
	const char *s = sget(o, "headline");
	char num[32];
	int rc = NX_OK;

	if (s == NULL)
		s = hl != NULL ? nx_jlite_str(hl) : sget(o, "title");
	if (s != NULL && (rc = nx_article_set(&a->title, s, -1)) < 0)
		return rc;
	if (is_http(s = sget(o, "uri")) && (rc = nx_article_set(&a->url, s, -1)) < 0)
		return rc;
	if ((s = name_of(nx_jlite_get(o, "source"))) != NULL || (s = name_of(nx_jlite_get(o, "provider"))) != NULL ||
	    (s = sget(o, "copyrightholder")) != NULL)
		rc = nx_wire__source(a, s);
	if (rc == NX_OK)
		rc = nx_wire__lang(a, sget(o, "language"));
	if (rc == NX_OK && (s = name_of(nx_jlite_get(o, "service"))) != NULL)
		rc = nx_article_set(&a->section, s, -1);
	if (rc < 0)
		return rc;
	s = sget(o, "guid");
	if (s == NULL)
		s = sget(nx_jlite_get(o, "altids"), "itemid");
	if (s == NULL && nx_jlite_is_integer(v = nx_jlite_get(o, "id"))) {
		snprintf(num, sizeof(num), "%lld", nx_jlite_int(v));
		s = num;
	}
	if (s == NULL)
		s = sget_any(o, id_keys);
	return s != NULL ? nx_article_set(&a->origin.record_id, s, -1) : NX_OK;
}

int nx_ninjs__build(nx_article **out, const nx_jlite_val *o, nx_error *err)
{
	nx_article *a = nx_article_new();
	int rc = NX_OK;

	*out = NULL;
	if (a == NULL)
		return nx_error_set(err, NX_ENOMEM, "out of memory");
	if ((rc = set_fields(a, o)) < 0 || (rc = add_body(a, o, err)) < 0 || (rc = add_authors(a, o)) < 0)
		goto fail;
	set_times(a, o);
	if (is_picture(o) && nx_jlite_get(o, "type") != NULL && (rc = add_picture(a, o, 1)) < 0)
		goto fail;
	if ((rc = add_associations(a, nx_jlite_get(o, "associations"))) < 0)
		goto fail;
	*out = a;
	return NX_OK;
fail:
	nx_article_free(a);
	return rc == NX_ENOMEM ? nx_error_set(err, NX_ENOMEM, "out of memory") : rc;
}

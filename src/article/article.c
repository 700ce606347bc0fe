#include "newsidx/article.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/buf.h"
#include "util/text.h"

nx_article *nx_article_new(void)
{
	nx_article *a = calloc(1, sizeof(*a));

	if (a != NULL)
		a->origin.offset = -1;
	return a;
}

static void photo_clear(nx_photo *p)
{
	free(p->agency);
	free(p->photographer);
	free(p->caption);
	free(p->url);
}

void nx_article_free(nx_article *a)
{
	size_t i = 0;

	if (a == NULL)
		return;
	free(a->id);
	free(a->url);
	free(a->source);
	free(a->title);
	free(a->section);
	free(a->lang);
	for (i = 0; i < a->nauthors; i++)
		free(a->authors[i]);
	free(a->authors);
	for (i = 0; i < a->nparas; i++)
		free(a->paras[i]);
	free(a->paras);
	for (i = 0; i < a->nphotos; i++)
		photo_clear(&a->photos[i]);
	free(a->photos);
	free(a->origin.path);
	free(a->origin.record_id);
	free(a->origin.url);
	free(a);
}

nx_article *nx_article_move(nx_article *a)
{
	nx_article *c = malloc(sizeof(*c));

	if (c == NULL)
		return NULL;
	*c = *a;
	c->origin.raw = NULL;
	c->origin.rawlen = 0;
	memset(a, 0, sizeof(*a));
	a->origin.offset = -1;
	return c;
}

static char *clean_dup(const char *s, long len, int *oom)
{
	nx_buf b = NX_BUF_INIT;

	*oom = 0;
	if (s == NULL)
		return NULL;
	nx_text_clean(&b, s, len < 0 ? strlen(s) : (size_t)len);
	if (!nx_buf_ok(&b)) {
		*oom = 1;
		nx_buf_free(&b);
		return NULL;
	}
	if (b.len == 0) {
		nx_buf_free(&b);
		return NULL;
	}
	return nx_buf_detach(&b);
}

int nx_article_set(char **field, const char *s, long len)
{
	int oom = 0;
	char *v = clean_dup(s, len, &oom);

	if (oom)
		return NX_ENOMEM;
	free(*field);
	*field = v;
	return NX_OK;
}

/*
 * The arrays of strings grow by doubling, so a page of 100,000 paragraphs
 * costs no quadratic copying.  Their capacity is implied by the count: 8
 * slots, then the next power of two at or above it.  Only push_str() makes
 * these arrays and the rest only shorten them, so the memory behind the
 * array is always at least the capacity its count implies.
 */
static size_t implied_cap(size_t n)
{
	size_t c = 8;

	if (n == 0)
		return 0;
	while (c < n)
		c *= 2;
	return c;
}

static int push_str(char ***arr, size_t *n, char *v)
{
	char **p = *arr;

	if (*n == implied_cap(*n)) {
		size_t want = *n == 0 ? 8 : *n * 2;

		p = want <= ((size_t)-1) / sizeof(*p) ? realloc(*arr, want * sizeof(*p)) : NULL;
		if (p == NULL) {
			free(v);
			return NX_ENOMEM;
		}
		*arr = p;
	}
	p[(*n)++] = v;
	return NX_OK;
}

int nx_article_add_para(nx_article *a, const char *s, long len)
{
	int oom = 0;
	char *v = clean_dup(s, len, &oom);

	if (v == NULL)
		return oom ? NX_ENOMEM : NX_OK;
	return push_str(&a->paras, &a->nparas, v);
}

int nx_article_add_author(nx_article *a, const char *s, long len)
{
	int oom = 0;
	size_t i = 0;
	char *v = clean_dup(s, len, &oom);

	if (v == NULL)
		return oom ? NX_ENOMEM : NX_OK;
	/* the cap also bounds the de-duplication below: at most 100 compares */
	if (a->nauthors >= NX_ARTICLE_MAX_AUTHORS) {
		free(v);
		a->authors_dropped++;
		return NX_OK;
	}
	for (i = 0; i < a->nauthors; i++) {
		if (nx_strcaseeq(a->authors[i], v)) {
			free(v);
			return NX_OK;
		}
	}
	return push_str(&a->authors, &a->nauthors, v);
}

nx_photo *nx_article_add_photo(nx_article *a)
{
	nx_photo *p = realloc(a->photos, (a->nphotos + 1) * sizeof(*p));

	if (p == NULL)
		return NULL;
	a->photos = p;
	memset(&p[a->nphotos], 0, sizeof(*p));
	return &p[a->nphotos++];
}

void nx_article_remove_para(nx_article *a, size_t i)
{
	if (i >= a->nparas)
		return;
	free(a->paras[i]);
	memmove(&a->paras[i], &a->paras[i + 1], (a->nparas - i - 1) * sizeof(char *));
	a->nparas--;
}

char *nx_article_body(const nx_article *a)
{
	nx_buf b = NX_BUF_INIT;
	size_t i = 0;

	for (i = 0; i < a->nparas; i++) {
		if (i > 0)
			nx_buf_add(&b, "\n\n", 2);
		nx_buf_adds(&b, a->paras[i]);
	}
	return nx_buf_detach(&b);
}

char *nx_article_captions(const nx_article *a)
{
	nx_buf b = NX_BUF_INIT;
	size_t i = 0;

	for (i = 0; i < a->nphotos; i++) {
		if (a->photos[i].caption == NULL)
			continue;
		if (b.len > 0)
			nx_buf_addch(&b, '\n');
		nx_buf_adds(&b, a->photos[i].caption);
	}
	return nx_buf_detach(&b);
}

char *nx_article_credits(const nx_article *a)
{
	nx_buf b = NX_BUF_INIT;
	size_t i = 0;

	for (i = 0; i < a->nphotos; i++) {
		const nx_photo *p = &a->photos[i];

		if (p->agency == NULL && p->photographer == NULL)
			continue;
		if (b.len > 0)
			nx_buf_addch(&b, '\n');
		if (p->photographer != NULL)
			nx_buf_adds(&b, p->photographer);
		if (p->agency != NULL && p->photographer != NULL)
			nx_buf_addch(&b, ' ');
		if (p->agency != NULL)
			nx_buf_adds(&b, p->agency);
	}
	return nx_buf_detach(&b);
}

/*
 * The key an article's id is made from (see nx_article_identify); with_body
 * 0 gives the key of versions before 0.2, which left the body out.
 * NX_EFORMAT when the article has neither URL nor title.
 */
static int identity_key(nx_buf *key, const nx_article *a, int with_body)
{
	char hex[65];
	char *body = NULL;

	if (a->url != NULL) {
		nx_buf_addf(key, "url\n%s", a->url);
	} else if (a->title != NULL) {
		nx_buf_addf(key, "ota\n%s\n%s\n%lld", a->source != NULL ? a->source : "", a->title,
			    a->published.set ? (long long)a->published.utc : -1LL);
		/*
		 * Neither URL nor time: outlet and headline alone would merge two
		 * undated texts that share a headline ("Weather forecast") into
		 * one article, the first a hidden revision of the second.  The
		 * body tells them apart.
		 */
		if (with_body && !a->published.set && a->nparas > 0) {
			if ((body = nx_article_body(a)) == NULL)
				return NX_ENOMEM;
			nx_sha256_hex(body, strlen(body), hex);
			free(body);
			nx_buf_addf(key, "\n%s", hex);
		}
	} else {
		return NX_EFORMAT;
	}
	return nx_buf_ok(key) ? NX_OK : NX_ENOMEM;
}

int nx_article_identify(nx_article *a, nx_error *err)
{
	nx_buf key = NX_BUF_INIT;
	char hex[65];
	int rc = identity_key(&key, a, 1);

	if (rc == NX_EFORMAT) {
		rc = nx_error_set(err, NX_EFORMAT, "article has neither a URL nor a title");
		goto done;
	}
	if (rc < 0) {
		rc = nx_error_set(err, NX_ENOMEM, "out of memory");
		goto done;
	}
	nx_sha256_hex(key.buf, key.len, hex);
	free(a->id);
	a->id = nx_strndup(hex, 16);
	if (a->id == NULL)
		rc = nx_error_set(err, NX_ENOMEM, "out of memory");
done:
	nx_buf_free(&key);
	return rc;
}

int nx_article__legacy_id(const nx_article *a, char out[17])
{
	nx_buf key = NX_BUF_INIT;
	char hex[65];
	int rc = 0;

	out[0] = '\0';
	if (a->url != NULL && a->origin.url != NULL && strcmp(a->url, a->origin.url) != 0)
		nx_buf_addf(&key, "url\n%s", a->origin.url);
	else if (a->url != NULL || a->title == NULL || a->published.set || a->nparas == 0)
		return 0;
	if (key.len > 0 ? nx_buf_ok(&key) : identity_key(&key, a, 0) == NX_OK) {
		nx_sha256_hex(key.buf, key.len, hex);
		memcpy(out, hex, 16);
		out[16] = '\0';
		rc = 1;
	}
	nx_buf_free(&key);
	return rc;
}

static json_t *jstr(const char *s)
{
	nx_buf b = NX_BUF_INIT;
	json_t *v = NULL;

	if (s == NULL)
		return json_null();
	v = json_string(s);
	if (v != NULL)
		return v;
	/* not UTF-8 (a file name in a legacy encoding): bad bytes become U+FFFD */
	nx_text_clean(&b, s, strlen(s));
	v = nx_buf_ok(&b) ? json_string(b.buf) : NULL;
	nx_buf_free(&b);
	return v != NULL ? v : json_null();
}

static json_t *jtime(const nx_time *t, int local)
{
	char buf[32];

	if (!t->set)
		return json_null();
	if (local) {
		if (!t->has_offset || t->offset == 0)
			return json_null();
		nx_date_format_local(buf, t);
	} else {
		nx_date_format_utc(buf, t->utc);
	}
	return json_string(buf);
}

static json_t *article_json(const nx_article *a, unsigned flags, int with_id)
{
	json_t *o = json_object(), *arr = NULL;
	char *body = NULL;
	size_t i = 0;

	if (o == NULL)
		return NULL;
	if (with_id)
		json_object_set_new(o, "id", jstr(a->id));
	json_object_set_new(o, "url", jstr(a->url));
	json_object_set_new(o, "source", jstr(a->source));
	json_object_set_new(o, "title", jstr(a->title));
	arr = json_array();
	for (i = 0; i < a->nauthors; i++)
		json_array_append_new(arr, json_string(a->authors[i]));
	json_object_set_new(o, "authors", arr);
	json_object_set_new(o, "section", jstr(a->section));
	json_object_set_new(o, "lang", jstr(a->lang));
	json_object_set_new(o, "published", jtime(&a->published, 0));
	json_object_set_new(o, "published_local", jtime(&a->published, 1));
	json_object_set_new(o, "updated", jtime(&a->updated, 0));
	json_object_set_new(o, "updated_local", jtime(&a->updated, 1));
	body = nx_article_body(a);
	json_object_set_new(o, "body", body != NULL ? json_string(body) : json_null());
	free(body);
	arr = json_array();
	for (i = 0; i < a->nphotos; i++) {
		const nx_photo *p = &a->photos[i];
		json_t *po = json_object();

		json_object_set_new(po, "agency", jstr(p->agency));
		json_object_set_new(po, "photographer", jstr(p->photographer));
		json_object_set_new(po, "caption", jstr(p->caption));
		if (p->url != NULL)
			json_object_set_new(po, "url", json_string(p->url));
		json_array_append_new(arr, po);
	}
	json_object_set_new(o, "photos", arr);
	if (flags & NX_JSON_ORIGIN) {
		json_t *og = json_object();

		json_object_set_new(og, "file", jstr(a->origin.path));
		json_object_set_new(og, "offset", a->origin.offset >= 0 ?
				    json_integer(a->origin.offset) : json_null());
		json_object_set_new(og, "record", jstr(a->origin.record_id));
		json_object_set_new(og, "format", jstr(a->origin.format));
		/* the URL as the source gave it, when ingest dropped tracking parameters from it */
		if (a->origin.url != NULL)
			json_object_set_new(og, "url", jstr(a->origin.url));
		json_object_set_new(o, "origin", og);
	}
	return o;
}

char *nx_article_to_json(const nx_article *a, unsigned flags)
{
	json_t *o = article_json(a, flags, 1);
	char *s = NULL;

	if (o == NULL)
		return NULL;
	s = json_dumps(o, JSON_PRESERVE_ORDER | ((flags & NX_JSON_PRETTY) ? JSON_INDENT(2) : JSON_COMPACT));
	json_decref(o);
	return s;
}

/* Feed one field to the hash: a tag byte, the length, the bytes. */
static void hash_str(nx_sha256_ctx *c, char tag, const char *v)
{
	unsigned char hdr[9];
	uint64_t n = v != NULL ? strlen(v) : UINT64_MAX;
	int i = 0;

	hdr[0] = (unsigned char)tag;
	for (i = 0; i < 8; i++)
		hdr[1 + i] = (unsigned char)(n >> (8 * i));
	nx_sha256_update(c, hdr, sizeof(hdr));
	if (v != NULL)
		nx_sha256_update(c, v, strlen(v));
}

static void hash_time(nx_sha256_ctx *c, char tag, const nx_time *t)
{
	char buf[48];

	if (!t->set) {
		hash_str(c, tag, NULL);
		return;
	}
	/* what the JSON form shows: the instant, and the offset when not UTC
	   (so a version read back from its JSON hashes the same) */
	snprintf(buf, sizeof(buf), "%lld %d", (long long)t->utc,
		 t->has_offset && t->offset != 0 ? (int)t->offset : 0);
	hash_str(c, tag, buf);
}

int nx_article_hash(char out[65], const nx_article *a)
{
	nx_sha256_ctx c;
	unsigned char d[32];
	size_t i = 0;

	/* every field a user sees, each length-prefixed so no two articles
	   collide by moving text between fields; no JSON round trip */
	nx_sha256_init(&c);
	hash_str(&c, 'u', a->url);
	hash_str(&c, 's', a->source);
	hash_str(&c, 't', a->title);
	hash_str(&c, 'c', a->section);
	hash_str(&c, 'l', a->lang);
	for (i = 0; i < a->nauthors; i++)
		hash_str(&c, 'a', a->authors[i]);
	hash_time(&c, 'p', &a->published);
	hash_time(&c, 'm', &a->updated);
	for (i = 0; i < a->nparas; i++)
		hash_str(&c, 'b', a->paras[i]);
	for (i = 0; i < a->nphotos; i++) {
		hash_str(&c, 'g', a->photos[i].agency);
		hash_str(&c, 'h', a->photos[i].photographer);
		hash_str(&c, 'k', a->photos[i].caption);
		hash_str(&c, 'r', a->photos[i].url);
	}
	nx_sha256_final(&c, d);
	nx_hex(out, d, 32);
	return NX_OK;
}

static int get_str(json_t *o, const char *key, char **field)
{
	json_t *v = json_object_get(o, key);

	if (!json_is_string(v))
		return NX_OK;
	return nx_article_set(field, json_string_value(v), (long)json_string_length(v));
}

static void get_time(json_t *o, const char *key, const char *lkey, nx_time *t)
{
	json_t *v = json_object_get(o, lkey);

	if (!json_is_string(v))
		v = json_object_get(o, key);
	if (json_is_string(v))
		nx_date_parse(t, json_string_value(v), json_string_length(v));
}

int nx_article_from_json(nx_article **out, const char *json, size_t len, nx_error *err)
{
	json_error_t jerr;
	json_t *o = NULL, *arr = NULL, *v = NULL;
	nx_article *a = NULL;
	const char *body = NULL;
	size_t i = 0, n = 0;
	int rc = NX_OK;

	*out = NULL;
	o = json_loadb(json, len, 0, &jerr);
	if (!json_is_object(o)) {
		rc = nx_error_set(err, NX_EFORMAT, "bad article JSON: %s", jerr.text);
		goto done;
	}
	a = nx_article_new();
	if (a == NULL)
		goto oom;
	if (get_str(o, "id", &a->id) < 0 || get_str(o, "url", &a->url) < 0 ||
	    get_str(o, "source", &a->source) < 0 || get_str(o, "title", &a->title) < 0 ||
	    get_str(o, "section", &a->section) < 0 || get_str(o, "lang", &a->lang) < 0)
		goto oom;
	get_time(o, "published", "published_local", &a->published);
	get_time(o, "updated", "updated_local", &a->updated);
	arr = json_object_get(o, "authors");
	json_array_foreach(arr, i, v) {
		if (json_is_string(v) && nx_article_add_author(a, json_string_value(v), -1) < 0)
			goto oom;
	}
	v = json_object_get(o, "body");
	body = json_is_string(v) ? json_string_value(v) : NULL;
	while (body != NULL && *body != '\0') {
		const char *e = strstr(body, "\n\n");

		n = e != NULL ? (size_t)(e - body) : strlen(body);
		if (nx_article_add_para(a, body, (long)n) < 0)
			goto oom;
		body = e != NULL ? e + 2 : body + n;
	}
	arr = json_object_get(o, "photos");
	json_array_foreach(arr, i, v) {
		nx_photo *p = nx_article_add_photo(a);

		if (p == NULL || get_str(v, "agency", &p->agency) < 0 ||
		    get_str(v, "photographer", &p->photographer) < 0 ||
		    get_str(v, "caption", &p->caption) < 0 || get_str(v, "url", &p->url) < 0)
			goto oom;
	}
	*out = a;
	a = NULL;
	goto done;
oom:
	rc = nx_error_set(err, NX_ENOMEM, "out of memory");
done:
	nx_article_free(a);
	json_decref(o);
	return rc;
}

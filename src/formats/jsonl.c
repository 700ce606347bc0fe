/*
 * jsonl.c - JSON Lines: one article object per line (news-please,
 * newspaper, Common Crawl news extracts, home-made scrapes), or one JSON
 * array of such objects.
 *
 * Mapping (first key present wins; names are case-sensitive):
 *
 *   title        <- title | headline | title_page | title_rss
 *   body         <- maintext | text | body | content | article | articleBody
 *                   a string: HTML when it starts with '<' or holds "</p>"
 *                   or "<br" (nx_html_fragment), else plain text split into
 *                   paragraphs on blank lines, or on newlines when there
 *                   is no blank line; an array of strings: one paragraph
 *                   each
 *                <- description, only when there is no body
 *                   An object with a "published_local" key (null or not)
 *                   is newsidx's own form (show --json, export): its
 *                   "body" is plain text, never taken for HTML
 *   published    <- date_publish | published | date | datePublished |
 *                   pubDate | date_published   (string for nx_date_parse,
 *                   or a number: Unix seconds, milliseconds when > 1e11)
 *   updated      <- date_modify | updated | dateModified | modified
 *   captured     <- date_download | captured
 *   url          <- url | link | canonical_url
 *   authors      <- authors | author  (string, array of strings, or objects
 *                   with "name"; a leading "By " is dropped)
 *   source       <- source_domain | source | outlet | publisher | site_name
 *                   (string or {"name": ...})
 *   lang         <- language | lang | inLanguage  ("en-US" -> "en")
 *   section      <- section | category | categories (first when an array)
 *   photo        <- image_url | image | top_image (string, or an object with
 *                   url, caption, credit), with caption | image_caption and
 *                   credit | image_credit | photographer next to it; the
 *                   credit is split into agency and photographer
 *                <- photos: an array of {agency, photographer, caption, url}
 *                   objects (what `newsidx export` writes), taken as they
 *                   are; when present, the single-photo keys above are not
 *                   read
 *   published and updated also <- published_local, updated_local first
 *                   (export's local form keeps the source's UTC offset)
 *   origin.record_id <- id | guid   (string or number)
 *   origin.offset    <- byte offset of the line (of the element in an array)
 *
 * An object with ninjs keys (nx_ninjs__is) is mapped by ninjs.c instead,
 * and an API answer wrapping ninjs items gives each item.  A whole input
 * that is one JSON object spread over several lines (a pretty-printed
 * ninjs item or article) is read as one document, not line by line.
 *
 * A line that is not valid JSON, not an object, or has neither title nor
 * text is an error for that line only; the rest of the file is read, and
 * at the end NX_EFORMAT reports "N of M lines could not be read; first:
 * line L: ...".  Blank lines are ignored.
 *
 * Each line (each array element) is parsed by jlite.c, a strict reader
 * that accepts exactly what jansson's json_loadb does, into memory reused
 * from one line to the next (jansson's tree of malloc'd values and hash
 * tables was a tenth of the CPU of add); the mapping only reads it.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/buf.h"
#include "article/credit.h"
#include "extract/extract.h"
#include "formats/format.h"
#include "formats/jlite.h"
#include "formats/ninjs.h"
#include "util/text.h"

typedef struct jstate {
	const nx_input *in;
	nx_article_cb cb;
	void *ctx;
	size_t nitems;  /* non-blank lines or array elements seen */
	size_t nbad;
	char first[NX_ERROR_MSG_MAX];
	const char *unit; /* "line" or "element" */
	nx_jlite jl;      /* one parser for every line: its memory is reused */
} jstate;

static const nx_jlite_val *get_any(const nx_jlite_val *o, const char *const *keys)
{
	const nx_jlite_val *v = NULL;

	for (; *keys != NULL; keys++) {
		v = nx_jlite_get(o, *keys);
		if (v != NULL && !nx_jlite_is_null(v))
			return v;
	}
	return NULL;
}

/* A string value, or the "name" member of an object, or NULL. */
static const char *str_or_name(const nx_jlite_val *v, size_t *len)
{
	if (nx_jlite_is_object(v))
		v = nx_jlite_get(v, "name");
	if (!nx_jlite_is_string(v))
		return NULL;
	*len = nx_jlite_len(v);
	return nx_jlite_str(v);
}

/* First string of v: v itself, or the first string element of an array. */
static const char *first_str(const nx_jlite_val *v, size_t *len)
{
	size_t i = 0;
	const nx_jlite_val *e = NULL;

	if (nx_jlite_is_array(v)) {
		for (i = 0, e = nx_jlite_first(v); i < v->n; i++, e = nx_jlite_next(e)) {
			const char *s = str_or_name(e, len);

			if (s != NULL)
				return s;
		}
		return NULL;
	}
	return str_or_name(v, len);
}

static void get_time(const nx_jlite_val *v, nx_time *out)
{
	if (v == NULL)
		return;
	if (nx_jlite_is_string(v)) {
		const char *s = nx_jlite_str(v);
		size_t n = nx_jlite_len(v);

		if (nx_date_parse(out, s, n) != NX_OK && n < 200)
			(void)nx_date_find(out, s, n, NULL, NULL);
	} else if (nx_jlite_is_integer(v) || nx_jlite_is_real(v)) {
		double x = nx_jlite_number(v);

		if (x > 1e11)
			x /= 1000.0;
		if (x > 0 && x < 1e11) {
			out->utc = (int64_t)x;
			out->set = 1;
			out->has_time = 1;
			out->has_offset = 1;
		}
	}
}

/* Starts with '<', or holds "</p>" or "<br" (any case): one pass over the '<'s. */
static int looks_html(const char *s, size_t len)
{
	const char *p = s, *end = s + len;
	size_t i = 0;

	while (i < len && nx_isspace((unsigned char)s[i]))
		i++;
	if (i < len && s[i] == '<')
		return 1;
	while ((p = memchr(p, '<', (size_t)(end - p))) != NULL) {
		p++;
		if (end - p >= 3 && nx_startswith_ci(p, 3, "/p>"))
			return 1;
		if (end - p >= 2 && nx_startswith_ci(p, 2, "br"))
			return 1;
	}
	return 0;
}

/* Plain text: paragraphs on blank lines (lines inside joined), else on newlines. */
static int add_plain(nx_article *a, const char *s, size_t len)
{
	nx_buf p = NX_BUF_INIT;
	const char *nl = NULL;
	size_t i = 0;
	int rc = NX_OK, blanks = 0, blank = 0;

	/* is there a blank line?  (memchr to each newline: a body of one line is read once, fast) */
	for (nl = memchr(s, '\n', len); nl != NULL && !blanks;
	     nl = memchr(nl + 1, '\n', len - (size_t)(nl + 1 - s))) {
		size_t k = (size_t)(nl - s) + 1;

		while (k < len && (s[k] == ' ' || s[k] == '\t' || s[k] == '\r'))
			k++;
		if (k < len && s[k] == '\n')
			blanks = 1;
	}
	i = 0;
	while (i <= len && rc == NX_OK) {
		const char *nl = i < len ? memchr(s + i, '\n', len - i) : NULL;
		size_t e = nl != NULL ? (size_t)(nl - s) : len, n = e - i;
		const char *l = s + i;

		while (n > 0 && nx_isspace((unsigned char)l[0])) {
			l++;
			n--;
		}
		while (n > 0 && nx_isspace((unsigned char)l[n - 1]))
			n--;
		if (n == 0) {
			blank = 1;
		} else {
			if ((!blanks || blank) && p.len > 0) {
				rc = nx_buf_ok(&p) ? nx_article_add_para(a, p.buf, (long)p.len) : NX_ENOMEM;
				nx_buf_reset(&p);
			}
			if (p.len > 0)
				nx_buf_addch(&p, ' ');
			nx_buf_add(&p, l, n);
			blank = 0;
		}
		i = e + 1;
	}
	if (rc == NX_OK && p.len > 0)
		rc = nx_buf_ok(&p) ? nx_article_add_para(a, p.buf, (long)p.len) : NX_ENOMEM;
	nx_buf_free(&p);
	return rc;
}

int nx_jsonl__add_text(nx_article *a, const nx_jlite_val *v, nx_error *err)
{
	size_t i = 0;
	const nx_jlite_val *e = NULL;
	int rc = NX_OK;

	if (nx_jlite_is_array(v)) {
		for (i = 0, e = nx_jlite_first(v); i < v->n; i++, e = nx_jlite_next(e)) {
			if (!nx_jlite_is_string(e))
				continue;
			rc = nx_jsonl__add_text(a, e, err);
			if (rc < 0)
				return rc;
		}
		return NX_OK;
	}
	if (!nx_jlite_is_string(v))
		return NX_OK;
	if (looks_html(nx_jlite_str(v), nx_jlite_len(v)))
		return nx_html_fragment(a, nx_jlite_str(v), nx_jlite_len(v), err);
	rc = add_plain(a, nx_jlite_str(v), nx_jlite_len(v));
	return rc < 0 ? nx_error_set(err, rc, "out of memory") : NX_OK;
}

static int add_author(nx_article *a, const char *s, size_t len)
{
	while (len > 0 && nx_isspace((unsigned char)*s)) {
		s++;
		len--;
	}
	if (nx_startswith_ci(s, len, "by ")) {
		s += 3;
		len -= 3;
	}
	return nx_article_add_author(a, s, (long)len);
}

static int add_authors(nx_article *a, const nx_jlite_val *v)
{
	size_t i = 0, n = 0;
	const nx_jlite_val *e = NULL;
	const char *s = NULL;
	int rc = NX_OK;

	if (nx_jlite_is_array(v)) {
		for (i = 0, e = nx_jlite_first(v); i < v->n; i++, e = nx_jlite_next(e)) {
			s = str_or_name(e, &n);
			if (s != NULL && (rc = add_author(a, s, n)) < 0)
				return rc;
		}
		return NX_OK;
	}
	s = str_or_name(v, &n);
	return s != NULL ? add_author(a, s, n) : NX_OK;
}

static int set_lang(nx_article *a, const char *s, size_t n)
{
	char tag[16];
	size_t i = 0;

	while (i < n && i + 1 < sizeof(tag) && nx_isalpha((unsigned char)s[i])) {
		tag[i] = (char)nx_tolower((unsigned char)s[i]);
		i++;
	}
	tag[i] = '\0';
	if (i < 2 || i > 8)
		return NX_OK;
	return nx_article_set(&a->lang, tag, (long)i);
}

/* A field of an export's photo object, as it is. */
static int photo_str(char **field, const nx_jlite_val *o, const char *key)
{
	const nx_jlite_val *v = nx_jlite_get(o, key);

	if (!nx_jlite_is_string(v))
		return NX_OK;
	return nx_article_set(field, nx_jlite_str(v), (long)nx_jlite_len(v));
}

/* "photos": [{agency, photographer, caption, url}, ...] as export writes it. */
static int add_photo_list(nx_article *a, const nx_jlite_val *arr, nx_error *err)
{
	const nx_jlite_val *e = NULL;
	size_t i = 0;

	for (i = 0, e = nx_jlite_first(arr); i < arr->n; i++, e = nx_jlite_next(e)) {
		nx_photo *p = NULL;

		if (!nx_jlite_is_object(e))
			continue;
		if ((p = nx_article_add_photo(a)) == NULL || photo_str(&p->agency, e, "agency") < 0 ||
		    photo_str(&p->photographer, e, "photographer") < 0 || photo_str(&p->caption, e, "caption") < 0 ||
		    photo_str(&p->url, e, "url") < 0)
			return nx_error_set(err, NX_ENOMEM, "out of memory");
	}
	return NX_OK;
}

static int add_photo(nx_article *a, const nx_jlite_val *o, nx_error *err)
{
	static const char *const img_keys[] = { "image_url", "image", "top_image", NULL };
	static const char *const cap_keys[] = { "caption", "image_caption", NULL };
	static const char *const cred_keys[] = { "credit", "image_credit", NULL };
	const nx_jlite_val *img = get_any(o, img_keys), *cap = NULL, *cred = NULL, *who = NULL;
	const char *url = NULL;
	size_t n = 0;
	nx_photo *p = NULL;
	char *agency = NULL, *photographer = NULL, *named = NULL;
	int rc = NX_OK;

	if (nx_jlite_is_array(nx_jlite_get(o, "photos")))
		return add_photo_list(a, nx_jlite_get(o, "photos"), err);
	if (nx_jlite_is_object(img)) {
		const nx_jlite_val *u = nx_jlite_get(img, "url");

		url = nx_jlite_is_string(u) ? nx_jlite_str(u) : NULL;
		cap = get_any(img, cap_keys);
		cred = get_any(img, cred_keys);
		who = nx_jlite_get(img, "photographer");
	} else if (nx_jlite_is_array(img)) {
		url = first_str(img, &n);
	} else if (nx_jlite_is_string(img)) {
		url = nx_jlite_str(img);
	}
	if (cap == NULL)
		cap = get_any(o, cap_keys);
	if (cred == NULL)
		cred = get_any(o, cred_keys);
	if (who == NULL)
		who = nx_jlite_get(o, "photographer");
	if (url == NULL && !nx_jlite_is_string(cap) && !nx_jlite_is_string(cred) && !nx_jlite_is_string(who))
		return NX_OK;
	p = nx_article_add_photo(a);
	if (p == NULL)
		goto oom;
	if (url != NULL && (rc = nx_article_set(&p->url, url, -1)) < 0)
		goto oom;
	if (nx_jlite_is_string(cap) &&
	    (rc = nx_article_set(&p->caption, nx_jlite_str(cap), (long)nx_jlite_len(cap))) < 0)
		goto oom;
	if (nx_jlite_is_string(cred)) {
		if (nx_credit_parse(nx_jlite_str(cred), nx_jlite_len(cred), &agency, &photographer) < 0)
			goto oom;
		p->agency = agency;
		p->photographer = photographer;
	}
	if (nx_jlite_is_string(who) && p->photographer == NULL) {
		named = nx_name_case(nx_jlite_str(who), nx_jlite_len(who));
		if (named == NULL)
			goto oom;
		if ((rc = nx_article_set(&p->photographer, named, -1)) < 0)
			goto oom;
	}
	free(named);
	return NX_OK;
oom:
	free(named);
	return nx_error_set(err, NX_ENOMEM, "out of memory");
}

/*
 * Build an article from one object.  Returns NX_OK with *out set (or NULL
 * when it held nothing to index), or NX_ENOMEM.
 */
static int build(nx_article **out, const nx_jlite_val *o, nx_error *err)
{
	static const char *const title_keys[] = { "title", "headline", "title_page", "title_rss", NULL };
	static const char *const body_keys[] = { "maintext", "text", "body", "content", "article",
						  "articleBody", NULL };
	static const char *const pub_keys[] = { "date_publish", "published_local", "published", "date",
						"datePublished", "pubDate", "date_published", NULL };
	static const char *const upd_keys[] = { "date_modify", "updated_local", "updated", "dateModified",
						"modified", NULL };
	static const char *const cap_keys[] = { "date_download", "captured", NULL };
	static const char *const url_keys[] = { "url", "link", "canonical_url", NULL };
	static const char *const author_keys[] = { "authors", "author", NULL };
	static const char *const source_keys[] = { "source_domain", "source", "outlet", "publisher",
						   "site_name", NULL };
	static const char *const lang_keys[] = { "language", "lang", "inLanguage", NULL };
	static const char *const section_keys[] = { "section", "category", "categories", NULL };
	static const char *const id_keys[] = { "id", "guid", NULL };
	nx_article *a = nx_article_new();
	const nx_jlite_val *v = NULL;
	const char *s = NULL;
	size_t n = 0;
	int rc = NX_OK;

	*out = NULL;
	if (a == NULL)
		goto oom;
	if ((s = first_str(get_any(o, title_keys), &n)) != NULL &&
	    (rc = nx_article_set(&a->title, s, (long)n)) < 0)
		goto oom;
	if (nx_jlite_get(o, "published_local") != NULL && nx_jlite_is_string(v = nx_jlite_get(o, "body"))) {
		/* newsidx's own article JSON (show --json, export): the body is
		   plain paragraphs, whatever '<' the text holds */
		if ((rc = add_plain(a, nx_jlite_str(v), nx_jlite_len(v))) < 0)
			goto oom;
	} else if ((v = get_any(o, body_keys)) != NULL && (rc = nx_jsonl__add_text(a, v, err)) < 0) {
		goto done;
	}
	if (a->nparas == 0 && (v = nx_jlite_get(o, "description")) != NULL &&
	    (rc = nx_jsonl__add_text(a, v, err)) < 0)
		goto done;
	get_time(get_any(o, pub_keys), &a->published);
	get_time(get_any(o, upd_keys), &a->updated);
	get_time(get_any(o, cap_keys), &a->captured);
	if ((s = first_str(get_any(o, url_keys), &n)) != NULL && (rc = nx_article_set(&a->url, s, (long)n)) < 0)
		goto oom;
	if ((v = get_any(o, author_keys)) != NULL && (rc = add_authors(a, v)) < 0)
		goto oom;
	if ((s = first_str(get_any(o, source_keys), &n)) != NULL &&
	    (rc = nx_article_set(&a->source, s, (long)n)) < 0)
		goto oom;
	if ((s = first_str(get_any(o, lang_keys), &n)) != NULL && (rc = set_lang(a, s, n)) < 0)
		goto oom;
	if ((s = first_str(get_any(o, section_keys), &n)) != NULL &&
	    (rc = nx_article_set(&a->section, s, (long)n)) < 0)
		goto oom;
	if ((rc = add_photo(a, o, err)) < 0)
		goto done;
	v = get_any(o, id_keys);
	if (nx_jlite_is_string(v)) {
		rc = nx_article_set(&a->origin.record_id, nx_jlite_str(v), (long)nx_jlite_len(v));
	} else if (nx_jlite_is_integer(v)) {
		char num[32];

		snprintf(num, sizeof(num), "%lld", nx_jlite_int(v));
		rc = nx_article_set(&a->origin.record_id, num, -1);
	}
	if (rc < 0)
		goto oom;
	*out = a;
	a = NULL;
	goto done;
oom:
	rc = nx_error_set(err, NX_ENOMEM, "out of memory");
done:
	nx_article_free(a);
	return rc;
}

static void note_bad(jstate *js, size_t no, const char *fmt, const char *detail)
{
	js->nbad++;
	if (js->nbad == 1)
		snprintf(js->first, sizeof(js->first), "%s %zu: %s%s", js->unit, no, fmt, detail);
}

/* Emit the article built from object o (item number no), or count it bad. */
static int emit_one(jstate *js, const nx_jlite_val *o, const nx_input *sub, size_t no, nx_error *err)
{
	nx_article *a = NULL;
	int ninjs = nx_ninjs__is(o), rc = NX_OK;

	if ((rc = ninjs ? nx_ninjs__build(&a, o, err) : build(&a, o, err)) < 0)
		return rc;
	if (a->title == NULL && (a->nparas == 0 || a->url == NULL)) {
		note_bad(js, no, a->nparas == 0 ? "no title or text" : "no title or url", "");
		nx_article_free(a);
		return NX_OK;
	}
	return nx_format__emit(a, sub, ninjs ? "ninjs" : "jsonl", js->cb, js->ctx, err);
}

/*
 * One value v found at offset off (item number no, from 1).  Returns NX_OK
 * (also when the item was bad: it is counted) or a fatal error.  An API
 * answer that wraps ninjs items gives each of them.
 */
static int one_item(jstate *js, const nx_jlite_val *v, const char *raw, size_t rawlen, size_t off, size_t no,
		    nx_error *err)
{
	const nx_jlite_val *w = NULL, *e = NULL;
	nx_input sub = *js->in;
	size_t i = 0;
	int rc = NX_OK;

	if (!nx_jlite_is_object(v)) {
		note_bad(js, no, "not a JSON object", "");
		return NX_OK;
	}
	sub.data = raw;
	sub.len = rawlen;
	sub.offset = (js->in->offset > 0 ? js->in->offset : 0) + (int64_t)off;
	if (nx_ninjs__is(v) || (w = nx_ninjs__wrapped(v)) == NULL)
		return emit_one(js, v, &sub, no, err);
	if (nx_jlite_is_object(w))
		return emit_one(js, w, &sub, no, err);
	for (i = 0, e = nx_jlite_first(w); i < w->n && rc == NX_OK; i++, e = nx_jlite_next(e))
		if (nx_ninjs__is(e))
			rc = emit_one(js, e, &sub, no, err);
	return rc;
}

static int parse_lines(jstate *js, nx_error *err)
{
	const char *d = js->in->data;
	size_t len = js->in->len, i = 0, no = 0;
	int rc = NX_OK;

	if (len >= 3 && memcmp(d, "\xEF\xBB\xBF", 3) == 0)
		i = 3;
	while (i < len) {
		const char *nl = memchr(d + i, '\n', len - i);
		size_t e = nl != NULL ? (size_t)(nl - d) : len, s = i, n = 0;
		const nx_jlite_val *v = NULL;

		no++;
		i = e + 1;
		while (s < e && nx_isspace((unsigned char)d[s]))
			s++;
		while (e > s && nx_isspace((unsigned char)d[e - 1]))
			e--;
		n = e - s;
		if (n == 0)
			continue;
		js->nitems++;
		rc = nx_jlite_parse(&js->jl, &v, d + s, n, 0);
		if (rc == NX_ENOMEM) {
			rc = nx_error_set(err, NX_ENOMEM, "out of memory");
			break;
		}
		if (rc < 0) {
			rc = NX_OK;
			note_bad(js, no, "invalid JSON: ", js->jl.msg);
			continue;
		}
		rc = one_item(js, v, d + s, n, s, no, err);
		if (rc < 0)
			break;
	}
	return rc;
}

/* A JSON array of objects: read element by element so offsets are known. */
static int parse_array(jstate *js, size_t i, nx_error *err)
{
	const char *d = js->in->data;
	size_t len = js->in->len, no = 0;
	int rc = NX_OK;

	js->unit = "element";
	i++; /* '[' */
	for (;;) {
		const nx_jlite_val *v = NULL;

		while (i < len && nx_isspace((unsigned char)d[i]))
			i++;
		if (i < len && d[i] == ']')
			break;
		if (i >= len) {
			rc = nx_error_set(err, NX_EFORMAT, "truncated JSON array (after %zu elements)", no);
			goto done;
		}
		no++;
		js->nitems++;
		/* the element alone; jl.end says where it stopped */
		rc = nx_jlite_parse(&js->jl, &v, d + i, len - i, NX_JLITE_NO_EOF_CHECK | NX_JLITE_DECODE_ANY);
		if (rc == NX_ENOMEM) {
			rc = nx_error_set(err, NX_ENOMEM, "out of memory");
			goto done;
		}
		if (rc < 0) {
			note_bad(js, no, "invalid JSON: ", js->jl.msg);
			rc = nx_error_set(err, NX_EFORMAT, "%s (the rest of the array cannot be read)", js->first);
			goto done;
		}
		if (js->jl.end == 0 || js->jl.end > len - i) {
			rc = nx_error_set(err, NX_EFORMAT, "element %zu: bad JSON", no);
			goto done;
		}
		rc = one_item(js, v, d + i, js->jl.end, i, no, err);
		if (rc < 0)
			goto done;
		i += js->jl.end;
		while (i < len && nx_isspace((unsigned char)d[i]))
			i++;
		if (i < len && d[i] == ',') {
			i++;
			continue;
		}
		if (i < len && d[i] == ']')
			break;
		rc = nx_error_set(err, NX_EFORMAT, "element %zu: expected ',' or ']' after it", no);
		goto done;
	}
done:
	return rc;
}

/*
 * The whole input one JSON object, pretty-printed or not (a ninjs item, an
 * API answer, one article): read it as one item, set *rc and return 1;
 * else 0 (JSON Lines, read line by line).  Only the first line of a JSON
 * Lines file is parsed here before the trailing lines stop it.
 */
static int single_document(jstate *js, size_t i, int *rc, nx_error *err)
{
	const nx_jlite_val *v = NULL;
	const char *d = js->in->data + i;
	size_t n = js->in->len - i;
	int prc = nx_jlite_parse(&js->jl, &v, d, n, 0);

	if (prc == NX_ENOMEM) {
		*rc = nx_error_set(err, NX_ENOMEM, "out of memory");
		return 1;
	}
	if (prc < 0 || memchr(d, '\n', js->jl.end) == NULL)
		return 0; /* not one document, or one line: JSON Lines says it the same way */
	js->unit = "document";
	js->nitems = 1;
	*rc = one_item(js, v, d, n, i, 1, err);
	return 1;
}

int nx_parse_jsonl(const nx_input *in, nx_article_cb cb, void *ctx, nx_error *err)
{
	jstate js;
	size_t i = 0;
	int rc = NX_OK;

	memset(&js, 0, sizeof(js));
	js.in = in;
	js.cb = cb;
	js.ctx = ctx;
	js.unit = "line";
	if (in->len >= 3 && memcmp(in->data, "\xEF\xBB\xBF", 3) == 0)
		i = 3;
	while (i < in->len && nx_isspace((unsigned char)in->data[i]))
		i++;
	if (i < in->len && in->data[i] == '[')
		rc = parse_array(&js, i, err);
	else if (!single_document(&js, i, &rc, err))
		rc = parse_lines(&js, err);
	if (rc < 0)
		goto done;
	if (js.nitems == 0) {
		rc = nx_error_set(err, NX_EFORMAT, "no JSON objects found");
	} else if (js.nbad > 0) {
		rc = nx_error_set(err, NX_EFORMAT, "%zu of %zu %ss could not be read; first: %s",
				  js.nbad, js.nitems, js.unit, js.first);
	}
done:
	nx_jlite_free(&js.jl);
	return rc;
}

/*
 * emit.c - the last step of every parser: an article is finished (origin,
 * capture time, language, id) and checked (valid UTF-8) in one place, for
 * every format, then handed to the caller's callback.
 */
#include "formats/format.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "article/lang.h"
#include "article/url.h"
#include "util/buf.h"
#include "util/entity.h"
#include "util/swar.h"
#include "util/text.h"

/*
 * A character no stored field may hold, because it would reach a terminal
 * (or a page) as something other than text: C0 and C1 controls and DEL,
 * and the bidirectional embeddings, overrides and isolates (U+202A-U+202E,
 * U+2066-U+2069) that reorder what is shown.  Bodies may keep tab and
 * newline.
 */
static int unsafe_char(uint32_t cp, int body)
{
	if (body && (cp == '\t' || cp == '\n'))
		return 0;
	return cp < 0x20 || (cp >= 0x7F && cp <= 0x9F) || (cp >= 0x202A && cp <= 0x202E) ||
	       (cp >= 0x2066 && cp <= 0x2069);
}

/* 1 when s is valid UTF-8 holding no unsafe character. */
static int field_safe(const char *s, int body)
{
	size_t i = 0, n = 0, len = strlen(s);
	uint32_t cp = 0;

	for (;;) {
		/* printable ASCII, most of any field: 8 bytes at a time, then a byte */
		while (len - i >= 8) {
			uint64_t x = nx_swar_load(s + i);

			if ((nx_swar_below(x, 0x20) | nx_swar_above(x, 0x7E)) != 0)
				break;
			i += 8;
		}
		while ((unsigned char)s[i] >= 0x20 && (unsigned char)s[i] < 0x7F)
			i++;
		if (i == len)
			return 1;
		n = nx_utf8_decode(s + i, len - i, &cp);
		/* U+FFFD itself (EF BF BD) is fine; a decoding failure is not */
		if (cp == 0xFFFD && !(n == 3 && (unsigned char)s[i] == 0xEF))
			return 0;
		if (unsafe_char(cp, body))
			return 0;
		i += n;
	}
}

/*
 * The last guard of every stored string, for every format in one place:
 * a field a parser copied from the input without cleaning (a credit, a
 * record id) is cleaned here.  Invalid bytes become U+FFFD (the whole
 * field is folded as nx_text_clean() does); tab, CR and newline become a
 * space outside bodies; other unsafe characters are dropped.  A field left
 * empty becomes NULL (*emptied set).
 */
static int clean_field(char **field, int body, int *emptied)
{
	nx_buf b = NX_BUF_INIT, folded = NX_BUF_INIT;
	const char *s = NULL;
	size_t i = 0, n = 0, len = 0;
	uint32_t cp = 0;

	if (*field == NULL || field_safe(*field, body))
		return NX_OK;
	s = *field;
	len = strlen(s);
	if (!nx_utf8_valid(s, len)) {
		nx_text_clean(&folded, s, len);
		if (!nx_buf_ok(&folded))
			return NX_ENOMEM;
		s = folded.buf;
		len = folded.len;
	}
	while (i < len) {
		n = nx_utf8_decode(s + i, len - i, &cp);
		i += n > 0 ? n : 1;
		if (!body && (cp == '\t' || cp == '\n' || cp == '\r'))
			nx_buf_addch(&b, ' ');
		else if (!unsafe_char(cp, body))
			nx_utf8_put(&b, cp);
	}
	nx_buf_free(&folded);
	if (!nx_buf_ok(&b)) {
		nx_buf_free(&b);
		return NX_ENOMEM;
	}
	free(*field);
	*field = NULL;
	if (b.len == 0) {
		nx_buf_free(&b);
		*emptied = 1;
		return NX_OK;
	}
	*field = nx_buf_detach(&b);
	return *field == NULL ? NX_ENOMEM : NX_OK;
}

/*
 * A page that encoded its text twice leaves "&#8216;", "&#038;" or
 * "&raquo;" in it: decode those once more (nx_entity_decode).
 */
static int decode_twice_encoded(char **field)
{
	nx_buf b = NX_BUF_INIT;

	if (*field == NULL || !nx_entity_present(*field, strlen(*field)))
		return NX_OK;
	nx_entity_decode(&b, *field, strlen(*field));
	if (!nx_buf_ok(&b)) {
		nx_buf_free(&b);
		return NX_ENOMEM;
	}
	free(*field);
	*field = nx_buf_detach(&b);
	return *field == NULL ? NX_ENOMEM : NX_OK;
}

/* Drop the NULL entries a list of strings was left with. */
static void drop_nulls(char **v, size_t *n)
{
	size_t i = 0, k = 0;

	for (i = 0; i < *n; i++)
		if (v[i] != NULL)
			v[k++] = v[i];
	*n = k;
}

static int clean_article(nx_article *a)
{
	size_t i = 0;
	int rc = NX_OK, emptied = 0, lost = 0;

	rc |= decode_twice_encoded(&a->title);
	rc |= decode_twice_encoded(&a->source);
	for (i = 0; i < a->nauthors; i++)
		rc |= decode_twice_encoded(&a->authors[i]);
	for (i = 0; i < a->nparas; i++)
		rc |= decode_twice_encoded(&a->paras[i]);
	for (i = 0; i < a->nphotos; i++)
		rc |= decode_twice_encoded(&a->photos[i].caption);
	rc |= clean_field(&a->url, 0, &emptied);
	rc |= clean_field(&a->source, 0, &emptied);
	rc |= clean_field(&a->title, 0, &emptied);
	rc |= clean_field(&a->section, 0, &emptied);
	rc |= clean_field(&a->lang, 0, &emptied);
	rc |= clean_field(&a->origin.record_id, 0, &emptied);
	for (i = 0; i < a->nauthors; i++)
		rc |= clean_field(&a->authors[i], 0, &lost);
	if (lost)
		drop_nulls(a->authors, &a->nauthors);
	lost = 0;
	for (i = 0; i < a->nparas; i++)
		rc |= clean_field(&a->paras[i], 1, &lost);
	if (lost)
		drop_nulls(a->paras, &a->nparas);
	for (i = 0; i < a->nphotos; i++) {
		rc |= clean_field(&a->photos[i].agency, 0, &emptied);
		rc |= clean_field(&a->photos[i].photographer, 0, &emptied);
		rc |= clean_field(&a->photos[i].caption, 0, &emptied);
		rc |= clean_field(&a->photos[i].url, 0, &emptied);
	}
	return rc != NX_OK ? NX_ENOMEM : NX_OK;
}

/* Keep at most NX_ARTICLE_MAX_PHOTOS photos; tell opts->note of what was dropped. */
static void apply_caps(nx_article *a, const nx_input *in)
{
	size_t photos = a->nphotos, i = 0;
	char msg[200];

	for (i = NX_ARTICLE_MAX_PHOTOS; i < a->nphotos; i++) {
		free(a->photos[i].agency);
		free(a->photos[i].photographer);
		free(a->photos[i].caption);
		free(a->photos[i].url);
	}
	if (a->nphotos > NX_ARTICLE_MAX_PHOTOS)
		a->nphotos = NX_ARTICLE_MAX_PHOTOS;
	if (in->opts == NULL || in->opts->note == NULL)
		return;
	if (a->authors_dropped > 0) {
		snprintf(msg, sizeof(msg), "article '%.60s' lists %zu authors: kept the first %d",
			 a->title != NULL ? a->title : "", a->nauthors + a->authors_dropped, NX_ARTICLE_MAX_AUTHORS);
		in->opts->note(in->path, msg, in->opts->note_ctx);
	}
	if (photos > NX_ARTICLE_MAX_PHOTOS) {
		snprintf(msg, sizeof(msg), "article '%.60s' has %zu photos: kept the first %d",
			 a->title != NULL ? a->title : "", photos, NX_ARTICLE_MAX_PHOTOS);
		in->opts->note(in->path, msg, in->opts->note_ctx);
	}
}

/*
 * The canonical URL has no tracking parameters ("?utm_source=rss"): the
 * article's id is made from it, so that one story shared through several
 * campaigns is one article.  The URL as given goes to origin.url.
 */
static int canonical_url(nx_article *a)
{
	char *clean = NULL;
	int changed = 0;

	if (a->url == NULL)
		return NX_OK;
	if ((changed = nx_url_clean(&clean, a->url)) < 0)
		return NX_ENOMEM;
	if (changed == 0 || clean[0] == '\0') {
		free(clean);
		return NX_OK;
	}
	free(a->origin.url);
	a->origin.url = a->url;
	a->url = clean;
	return NX_OK;
}

int nx_format__emit(nx_article *a, const nx_input *in, const char *format,
		    nx_article_cb cb, void *ctx, nx_error *err)
{
	int rc = NX_OK, emptied = 0;

	/* before the emptiness tests: a title of escape codes is no title */
	if ((rc = clean_article(a)) < 0)
		goto oom;
	if (a->title == NULL && a->nparas == 0)
		goto done;
	if (a->title == NULL && a->url == NULL)
		goto done;
	if (a->url == NULL && in->url != NULL && (rc = nx_article_set(&a->url, in->url, -1)) < 0)
		goto oom;
	if (in->path != NULL && a->origin.path == NULL) {
		a->origin.path = strdup(in->path);
		if (a->origin.path == NULL)
			goto oom;
	}
	if (a->origin.offset < 0)
		a->origin.offset = in->offset;
	if (a->origin.record_id == NULL && in->record_id != NULL) {
		a->origin.record_id = strdup(in->record_id);
		if (a->origin.record_id == NULL)
			goto oom;
	}
	if (a->origin.format == NULL)
		a->origin.format = format;
	if (a->origin.raw == NULL) {
		a->origin.raw = in->data;
		a->origin.rawlen = in->len;
	}
	if (!a->captured.set) {
		if (in->captured.set) {
			a->captured = in->captured;
		} else {
			a->captured.set = 1;
			a->captured.has_time = 1;
			a->captured.utc = in->opts != NULL && in->opts->now != 0 ? in->opts->now : (int64_t)time(NULL);
		}
	}
	apply_caps(a, in);
	/* the fields filled from the container since: the rest was cleaned above */
	if ((rc = clean_field(&a->url, 0, &emptied)) < 0 || (rc = clean_field(&a->origin.record_id, 0, &emptied)) < 0)
		goto oom;
	if (a->lang != NULL)
		nx_lang_normalize(a->lang);
	if (a->lang == NULL || a->lang[0] == '\0') {
		char *body = nx_article_body(a);
		const char *g = NULL;

		if (body == NULL)
			goto oom;
		g = nx_lang_guess(body, strlen(body));
		if (g == NULL && a->title != NULL)
			g = nx_lang_guess(a->title, strlen(a->title));
		free(body);
		if ((rc = nx_article_set(&a->lang, g, -1)) < 0)
			goto oom;
	}
	if ((rc = canonical_url(a)) < 0)
		goto oom;
	if ((rc = nx_article_identify(a, err)) < 0)
		goto done;
	rc = cb(a, ctx);
	goto done;
oom:
	rc = nx_error_set(err, NX_ENOMEM, "out of memory");
done:
	nx_article_free(a);
	return rc;
}

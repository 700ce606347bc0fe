/*
 * emit.c - the last step of every parser: an article is finished (origin,
 * capture time, language, id) and checked (valid UTF-8) in one place, for
 * every format, then handed to the caller's callback.
 */
#include "formats/format.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "article/lang.h"
#include "index/tokenizer.h" /* nx_lang_normalize */
#include "util/buf.h"
#include "util/text.h"

/*
 * The last guard of "every stored string is valid UTF-8": a field a parser
 * copied from the input without cleaning (a credit, a record id) is
 * cleaned here; invalid bytes become U+FFFD.
 */
static int ensure_utf8(char **field)
{
	nx_buf b = NX_BUF_INIT;

	if (*field == NULL || nx_utf8_valid(*field, strlen(*field)))
		return NX_OK;
	nx_text_clean(&b, *field, strlen(*field));
	if (!nx_buf_ok(&b)) {
		nx_buf_free(&b);
		return NX_ENOMEM;
	}
	free(*field);
	*field = nx_buf_detach(&b);
	return *field == NULL ? NX_ENOMEM : NX_OK;
}

static int ensure_utf8_article(nx_article *a)
{
	size_t i = 0;
	int rc = NX_OK;

	rc |= ensure_utf8(&a->url);
	rc |= ensure_utf8(&a->source);
	rc |= ensure_utf8(&a->title);
	rc |= ensure_utf8(&a->section);
	rc |= ensure_utf8(&a->lang);
	rc |= ensure_utf8(&a->origin.record_id);
	for (i = 0; i < a->nauthors; i++)
		rc |= ensure_utf8(&a->authors[i]);
	for (i = 0; i < a->nparas; i++)
		rc |= ensure_utf8(&a->paras[i]);
	for (i = 0; i < a->nphotos; i++) {
		rc |= ensure_utf8(&a->photos[i].agency);
		rc |= ensure_utf8(&a->photos[i].photographer);
		rc |= ensure_utf8(&a->photos[i].caption);
		rc |= ensure_utf8(&a->photos[i].url);
	}
	return rc != NX_OK ? NX_ENOMEM : NX_OK;
}

int nx_format__emit(nx_article *a, const nx_input *in, const char *format,
		    nx_article_cb cb, void *ctx, nx_error *err)
{
	int rc = NX_OK;

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
	if ((rc = ensure_utf8_article(a)) < 0)
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

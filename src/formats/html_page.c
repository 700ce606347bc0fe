/*
 * html.c - one saved article page (HTML) into one article.
 *
 * The page is parsed once (src/extract/extract.c: character set, libxml2's HTML
 * parser); the body and its figures come from nx_html__body(), the title,
 * dates, authors, outlet, address and language from nx_html__meta().
 */
#include <stdlib.h>
#include <string.h>

#include "extract/extract_private.h"
#include "formats/format.h"
#include "util/text.h"

/* Paragraphs that only repeat the title (an <h1> the scorer kept). */
static void drop_title_repeats(nx_article *a)
{
	size_t i = 0;

	if (a->title == NULL)
		return;
	for (i = 0; i < a->nparas && i < 3;) {
		if (strcmp(a->paras[i], a->title) == 0)
			nx_article_remove_para(a, i);
		else
			i++;
	}
}

int nx_parse_html(const nx_input *in, nx_article_cb cb, void *ctx, nx_error *err)
{
	htmlDocPtr doc = NULL;
	nx_article *a = NULL;
	int rc = NX_OK;

	doc = nx_html__read(in->data, in->len, in->content_type, err);
	if (doc == NULL)
		return err != NULL && err->code != 0 ? err->code : NX_EFORMAT;
	if (xmlDocGetRootElement(doc) == NULL) {
		rc = nx_error_set(err, NX_EFORMAT, "HTML page has no elements");
		goto done;
	}
	a = nx_article_new();
	if (a == NULL)
		goto oom;
	if ((rc = nx_html__body(a, doc)) < 0)
		goto oom;
	if ((rc = nx_html__meta(a, doc, in->url)) < 0)
		goto oom;
	drop_title_repeats(a);
	if (a->title == NULL && a->nparas == 0) {
		rc = nx_error_set(err, NX_EFORMAT, "HTML page has neither a title nor text");
		goto done;
	}
	rc = nx_format__emit(a, in, "html", cb, ctx, err);
	a = NULL;
	goto done;
oom:
	rc = nx_error_set(err, NX_ENOMEM, "out of memory");
done:
	nx_article_free(a);
	xmlFreeDoc(doc);
	return rc;
}

/*
 * fuzz_html.c - fuzz target: HTML article pages (src/formats/html_page.c,
 * src/extract/extract.c, src/extract/meta.c) and the fragment helpers every format with
 * HTML inside uses (nx_html_fragment, nx_html_to_text).
 */
#include "fuzz_common.h"
#include "extract/extract.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	nx_article *a = NULL;
	nx_buf text = NX_BUF_INIT;
	nx_error err = NX_ERROR_INIT;
	size_t i = 0;

	fuzz_parse(nx_parse_html, data, size);
	a = nx_article_new();
	if (a != NULL && nx_html_fragment(a, (const char *)data, size, &err) == NX_OK) {
		for (i = 0; i < a->nparas; i++)
			fuzz_check_str("fragment paragraph", a->paras[i]);
		for (i = 0; i < a->nphotos; i++)
			fuzz_check_str("fragment caption", a->photos[i].caption);
	}
	nx_article_free(a);
	if (nx_html_to_text(&text, (const char *)data, size) == NX_OK && nx_buf_ok(&text))
		fuzz_check_str("html_to_text", text.buf);
	nx_buf_free(&text);
	return 0;
}

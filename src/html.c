/* Placeholder: the HTML helper lands with the HTML parser. */
#include "html.h"

#include <string.h>

#include "text.h"

int nx_html_to_text(nx_buf *out, const char *html, size_t len)
{
	size_t i = 0;
	int in_tag = 0;
	nx_buf raw = NX_BUF_INIT;

	for (i = 0; i < len; i++) {
		if (html[i] == '<')
			in_tag = 1;
		else if (html[i] == '>' && in_tag)
			in_tag = 0;
		else if (!in_tag)
			nx_buf_addch(&raw, html[i]);
	}
	nx_text_clean(out, raw.buf, raw.len);
	nx_buf_free(&raw);
	return nx_buf_ok(out) ? NX_OK : NX_ENOMEM;
}

int nx_html_fragment(nx_article *a, const char *html, size_t len, nx_error *err)
{
	nx_buf b = NX_BUF_INIT;
	int rc = nx_html_to_text(&b, html, len);

	if (rc == NX_OK)
		rc = nx_article_add_para(a, b.buf, (long)b.len);
	nx_buf_free(&b);
	return rc < 0 ? nx_error_set(err, rc, "out of memory") : NX_OK;
}

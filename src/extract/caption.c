/*
 * caption.c - when what sits where a caption goes is story text: a
 * caption is short, is not written as a news lead, and never holds the
 * only text of a page (issue 19 item 7).
 */
#include <string.h>
#include <stdlib.h>

#include "extract/extract_private.h"
#include "util/text.h"

/*
 * Text written as a news lead, not a caption: a wire tag or a dateline
 * first ("(XYZ) The president ...", "WASHINGTON (XYZ) ...", "LONDON -- ").
 */
static int lead_like(const char *s, size_t len)
{
	size_t i = 0, caps = 0, k = 0;

	while (i < len && i < 40 && (nx_isupper((unsigned char)s[i]) || s[i] == ' ' || s[i] == ',' ||
				     s[i] == '.' || s[i] == '\'' || s[i] == '-')) {
		caps += nx_isupper((unsigned char)s[i]) != 0;
		i++;
	}
	/* "WASHINGTON --", "LONDON \u2014" */
	if (caps >= 3 && i >= 2 && s[i - 1] == '-' && s[i - 2] == '-')
		return 1;
	if (caps >= 3 && i + 3 <= len && s[i] == '\xE2' && s[i + 1] == '\x80' &&
	    (s[i + 2] == '\x93' || s[i + 2] == '\x94'))
		return 1;
	if (caps > 0 && caps < 3)
		return 0;
	if (i >= len || s[i] != '(')
		return 0;
	for (k = i + 1; k < len && k < i + 12 && (nx_isupper((unsigned char)s[k]) || s[k] == ' '); k++)
		;
	return k > i + 2 && k < len && s[k] == ')';
}

/* A caption element that holds story text instead: a news lead, or a
   "caption" block (not a <figcaption>) over 600 characters. */
int nx_html__caption_is_story(xmlNode *n)
{
	nx_buf raw = NX_BUF_INIT, t = NX_BUF_INIT;
	int story = 0;

	nx_html__text(&raw, n);
	nx_text_clean(&t, raw.buf, raw.len);
	/* a <figcaption> may run long (a diagram explained); a block of a
	   "caption" class that long is the story */
	story = nx_buf_ok(&t) && (lead_like(t.buf, t.len) ||
				  (t.len > 600 && !nx_html__is(n, "figcaption")));
	nx_buf_free(&raw);
	nx_buf_free(&t);
	return story;
}

/*
 * 1 when figure-like n holds story text outside its caption element
 * (may be NULL): 150 characters or more, or a news lead ("a first
 * paragraph inside a media container").
 */
int nx_html__story_outside(xmlNode *n, const xmlNode *caption)
{
	nx_buf raw = NX_BUF_INIT, t = NX_BUF_INIT;
	xmlNode *c = n;
	int skip = 0, story = 0;

	while (c != NULL) {
		skip = c == caption || (c->type != XML_TEXT_NODE && c->type != XML_ELEMENT_NODE) ||
		       (c != n && c->type == XML_ELEMENT_NODE && nx_html__drop_tag(nx_html__tag(c)));
		if (!skip && c->type == XML_TEXT_NODE && c->content != NULL)
			nx_buf_adds(&raw, (const char *)c->content);
		else if (!skip && c->type == XML_ELEMENT_NODE && nx_html__block_tag(nx_html__tag(c)))
			nx_buf_addch(&raw, ' ');
		c = nx_html__next(c, n, skip);
	}
	nx_text_clean(&t, raw.buf, raw.len);
	story = nx_buf_ok(&t) && (t.len >= 150 || lead_like(t.buf, t.len));
	nx_buf_free(&raw);
	nx_buf_free(&t);
	return story;
}

/* A caption never holds the only text: with no body, captions of a
   sentence or more are the body. */
int nx_html__captions_as_body(nx_article *a)
{
	size_t i = 0;
	int rc = NX_OK;

	for (i = 0; i < a->nphotos && rc == NX_OK; i++) {
		char *cap = a->photos[i].caption;

		if (cap == NULL || strlen(cap) < 60)
			continue;
		rc = nx_article_add_para(a, cap, -1);
		free(cap);
		a->photos[i].caption = NULL;
	}
	return rc;
}

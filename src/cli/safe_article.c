/*
 * safe_article.c - nx_cli_article_safe(): an article with every printed
 * field passed through nx_sb_add_safe(), for show, diff and the server's
 * article page.  Indexes written before ingest stripped control
 * characters can still hold them; this makes the output safe for those.
 */
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "strbuf.h"

static int field_is_safe(const char *s, unsigned flags)
{
	size_t i = 0, n = 0, len = strlen(s);
	uint32_t cp = 0;

	while (i < len) {
		n = nx_sb_utf8_decode(s + i, len - i, &cp);
		if (nx_sb_unsafe_cp(cp, flags) ||
		    (cp == 0xFFFD && !(n == 3 && memcmp(s + i, "\xEF\xBF\xBD", 3) == 0)))
			return 0;
		i += n;
	}
	return 1;
}

/* Replace *field by its safe form when it needs one; -1 on out of memory. */
static int make_safe(char **field, unsigned flags)
{
	nx_sb b = NX_SB_INIT;
	char *s = NULL;

	if (*field == NULL || field_is_safe(*field, flags))
		return 0;
	nx_sb_add_safe(&b, *field, strlen(*field), flags);
	s = nx_sb_detach(&b);
	if (s == NULL)
		return -1;
	free(*field);
	*field = s;
	return 0;
}

int nx_cli_article_safe(nx_article *a)
{
	size_t i = 0;
	int rc = 0;

	rc |= make_safe(&a->id, 0);
	rc |= make_safe(&a->url, 0);
	rc |= make_safe(&a->source, 0);
	rc |= make_safe(&a->title, 0);
	rc |= make_safe(&a->section, 0);
	rc |= make_safe(&a->lang, 0);
	rc |= make_safe(&a->origin.path, 0);
	rc |= make_safe(&a->origin.record_id, 0);
	for (i = 0; i < a->nauthors; i++)
		rc |= make_safe(&a->authors[i], 0);
	for (i = 0; i < a->nparas; i++)
		rc |= make_safe(&a->paras[i], NX_SAFE_LINES);
	for (i = 0; i < a->nphotos; i++) {
		rc |= make_safe(&a->photos[i].agency, 0);
		rc |= make_safe(&a->photos[i].photographer, 0);
		rc |= make_safe(&a->photos[i].caption, 0);
		rc |= make_safe(&a->photos[i].url, 0);
	}
	return rc < 0 ? -1 : 0;
}

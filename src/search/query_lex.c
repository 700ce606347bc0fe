/*
 * query_lex.c - the query compiler's lexer: the user's text cut into
 * words, phrases and parentheses, and the metadata operators (published:,
 * source:, ...) read into a filter.  The grammar is in query.c.
 */
#include "search/query_private.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "article/lang.h"
#include "index/tokenizer.h"
#include "util/text.h"

static const struct {
	const char *name;
	int col;
} column_aliases[] = {
	{ "title", 0 },    { "body", 1 },    { "caption", 2 },
	{ "captions", 2 }, { "credit", 3 },  { "credits", 3 },
};

/* -- Characters ----------------------------------------------------------- */

/*
 * Decode the UTF-8 sequence at s.  Returns its length (1-4) and stores the
 * code point in *cp, or returns 0 when s does not start a valid sequence
 * (overlong forms, surrogates and values past U+10FFFF are invalid).  Never
 * reads past a NUL.
 */
static size_t utf8_decode(const unsigned char *s, uint32_t *cp)
{
	uint32_t c = s[0], min = 0;
	size_t n = 0, i = 0;

	if (c < 0x80) {
		n = 1;
		goto done;
	}
	if (c >= 0xC2 && c <= 0xDF) {
		n = 2;
		c &= 0x1F;
		min = 0x80;
	} else if (c >= 0xE0 && c <= 0xEF) {
		n = 3;
		c &= 0x0F;
		min = 0x800;
	} else if (c >= 0xF0 && c <= 0xF4) {
		n = 4;
		c &= 0x07;
		min = 0x10000;
	} else {
		goto invalid;
	}
	for (i = 1; i < n; i++) {
		if ((s[i] & 0xC0) != 0x80)
			goto invalid;
		c = (c << 6) | (s[i] & 0x3F);
	}
	if (c < min || c > 0x10FFFF || (c >= 0xD800 && c <= 0xDFFF))
		goto invalid;
	goto done;
invalid:
	n = 0;
	c = 0;
done:
	*cp = c;
	return n;
}

static int is_unicode_space(uint32_t c)
{
	return c == 0xA0 || c == 0x1680 || (c >= 0x2000 && c <= 0x200B) ||
	       c == 0x2028 || c == 0x2029 || c == 0x202F || c == 0x205F ||
	       c == 0x3000 || c == 0xFEFF;
}

/*
 * Length in bytes of the character at s (which is not the NUL); sets *sep
 * when it separates terms: white space, control characters and each byte
 * of invalid UTF-8.
 */
static size_t char_at(const unsigned char *s, int *sep)
{
	uint32_t c = 0;
	size_t n = utf8_decode(s, &c);

	*sep = n == 0 || c <= 0x20 || c == 0x7F || (c >= 0x80 && c <= 0x9F) ||
	       is_unicode_space(c);
	return n == 0 ? 1 : n;
}

int nx_query__is_alnum_byte(unsigned char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       c >= 0x80;
}

int nx_query__has_alnum(const char *s, size_t len)
{
	size_t i = 0;

	while (i < len && !nx_query__is_alnum_byte((unsigned char)s[i]))
		i++;
	return i < len;
}

char nx_query__ascii_lower(char c)
{
	return c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
}

/* -- Lexer ---------------------------------------------------------------- */

/* Does a term start at s (not the end, a separator or ')')? */
static int term_follows(const unsigned char *s)
{
	int sep = 1;

	if (*s != '\0' && *s != ')')
		char_at(s, &sep);
	return !sep;
}

/*
 * If s starts with a column name and ':' followed by a term, store the
 * column in *col and return the length of "name:"; otherwise return 0.
 */
static size_t column_at(const unsigned char *s, int *col)
{
	const char *name = NULL;
	size_t len = 0, i = 0, k = 0;

	while (len < 9 && ((s[len] >= 'a' && s[len] <= 'z') || (s[len] >= 'A' && s[len] <= 'Z')))
		len++;
	if (len == 0 || s[len] != ':' || !term_follows(s + len + 1))
		goto none;
	for (k = 0; k < sizeof(column_aliases) / sizeof(column_aliases[0]); k++) {
		name = column_aliases[k].name;
		if (strlen(name) != len)
			continue;
		for (i = 0; i < len && nx_query__ascii_lower((char)s[i]) == name[i]; i++)
			;
		if (i == len) {
			*col = column_aliases[k].col;
			goto done;
		}
	}
none:
	len = 0;
done:
	return len == 0 ? 0 : len + 1;
}

static void lex_push(struct lexer *lx, const struct tok *t)
{
	struct tok *p = NULL;
	size_t n = 0;

	if (lx->oom)
		goto done;
	if (lx->ntoks == lx->alloc) {
		n = lx->alloc == 0 ? 32 : lx->alloc * 2;
		p = realloc(lx->toks, n * sizeof(*p));
		if (p == NULL) {
			lx->oom = 1;
			goto done;
		}
		lx->toks = p;
		lx->alloc = n;
	}
	lx->toks[lx->ntoks++] = *t;
done:
	return;
}

/* Lex a phrase whose opening '"' is just before p; returns where it ends. */
static const unsigned char *lex_phrase(struct lexer *lx, const unsigned char *p, struct tok *t)
{
	int sep = 0, space = 0;
	size_t n = 0;

	t->type = TOK_PHRASE;
	t->off = lx->text.len;
	while (*p != '\0' && *p != '"') {
		n = char_at(p, &sep);
		if (sep) {
			space = lx->text.len > t->off;
		} else {
			if (space)
				nx_buf_addch(&lx->text, ' ');
			space = 0;
			nx_buf_add(&lx->text, p, n);
		}
		p += n;
	}
	t->len = lx->text.len - t->off;
	if (*p == '"') {
		p++;
		if (*p == '*')
			t->prefix = 1;
		while (*p == '*')
			p++;
	}
	return p;
}

/* Lex a word starting at p; returns where it ends. */
static const unsigned char *lex_word(struct lexer *lx, const unsigned char *p, struct tok *t)
{
	const unsigned char *start = p;
	const char *w = NULL;
	size_t n = 0, len = 0;
	int sep = 0;

	while (*p != '\0' && *p != '(' && *p != ')') {
		n = char_at(p, &sep);
		if (sep)
			break;
		p += n;
	}
	len = (size_t)(p - start);
	while (len > 0 && start[len - 1] == '*') {
		len--;
		t->prefix = 1;
	}
	t->type = TOK_WORD;
	t->off = lx->text.len;
	t->len = len;
	nx_buf_add(&lx->text, start, len);
	w = (const char *)start;
	if (!t->neg && t->col < 0 && !t->prefix) {
		if (len == 2 && memcmp(w, "OR", 2) == 0)
			t->kw = KW_OR;
		else if (len == 3 && memcmp(w, "AND", 3) == 0)
			t->kw = KW_AND;
		else if (len == 3 && memcmp(w, "NOT", 3) == 0)
			t->kw = KW_NOT;
	}
	return p;
}

/*
 * A metadata operator at s ("published:2021-07", "source:\"new york times\"",
 * "changed:>30d"): when its value parses, record it in lx->filter and
 * return the length consumed; otherwise 0 (the text is then a plain word).
 */
/* Record the malformed value of operator s[0..len) in lx->bad, control characters shown as '?'. */
static void bad_value(struct lexer *lx, const unsigned char *s, size_t len, const char *value, int duration)
{
	char shown[64];
	size_t i = 0;

	for (i = 0; value[i] != '\0' && i + 1 < sizeof(shown); i++)
		shown[i] = (unsigned char)value[i] < 0x20 || value[i] == 0x7f ? '?' : value[i];
	shown[i] = '\0';
	if (duration)
		snprintf(lx->bad, sizeof(lx->bad),
			 "'%.*s:%s%s' is not a duration (try %.*s:>30d; units h, d, w, m, y, up to 100000)", (int)len,
			 (const char *)s, shown, value[i] != '\0' ? "..." : "", (int)len, (const char *)s);
	else
		snprintf(lx->bad, sizeof(lx->bad),
			 "'%.*s:%s%s' is not a date or date range of the years 1800 to 2200 (try %.*s:2021-07,"
			 " %.*s:2021-07-01..2021-07-31, %.*s:>2022-01-01)",
			 (int)len, (const char *)s, shown, value[i] != '\0' ? "..." : "", (int)len, (const char *)s,
			 (int)len, (const char *)s, (int)len, (const char *)s);
}

static size_t filter_at(struct lexer *lx, const unsigned char *s)
{
	static const char *const names[] = { "published", "date", "updated", "changed",
					     "source", "author", "lang", "language" };
	char value[256];
	size_t len = 0, k = 0, i = 0, vlen = 0, n = 0;
	const unsigned char *v = NULL, *e = NULL;
	int sep = 0, rc = NX_OK;
	int64_t secs = 0;

	if (lx->filter == NULL)
		return 0;
	while (len < 10 && ((s[len] >= 'a' && s[len] <= 'z') || (s[len] >= 'A' && s[len] <= 'Z')))
		len++;
	if (len == 0 || s[len] != ':')
		return 0;
	for (k = 0; k < sizeof(names) / sizeof(names[0]); k++) {
		if (strlen(names[k]) != len)
			continue;
		for (i = 0; i < len && nx_query__ascii_lower((char)s[i]) == names[k][i]; i++)
			;
		if (i == len)
			break;
	}
	if (k == sizeof(names) / sizeof(names[0]))
		return 0;
	v = s + len + 1;
	if (*v == '"') {
		e = v + 1;
		while (*e != '\0' && *e != '"')
			e++;
		vlen = (size_t)(e - v - 1);
		if (vlen >= sizeof(value))
			return 0;
		memcpy(value, v + 1, vlen);
		if (*e == '"')
			e++;
	} else {
		e = v;
		while (*e != '\0' && *e != '(' && *e != ')') {
			n = char_at(e, &sep);
			if (sep)
				break;
			e += n;
		}
		vlen = (size_t)(e - v);
		if (vlen == 0 || vlen >= sizeof(value))
			return 0;
		memcpy(value, v, vlen);
	}
	value[vlen] = '\0';
	if (vlen == 0)
		return 0;
	switch (k) {
	case 0: case 1:
		rc = nx_filter_set_dates(lx->filter, 'p', value, NULL);
		break;
	case 2:
		rc = nx_filter_set_dates(lx->filter, 'u', value, NULL);
		break;
	case 3:
		rc = nx_filter_duration(value, &secs);
		if (rc == NX_OK) {
			lx->filter->set |= NX_F_CHANGED;
			lx->filter->changed_min = secs;
		}
		break;
	case 4:
		rc = nx_filter_set_str(&lx->filter->source, value);
		break;
	case 5:
		rc = nx_filter_set_str(&lx->filter->author, value);
		break;
	default:
		rc = nx_filter_set_str(&lx->filter->lang, value);
		if (rc == NX_OK)
			nx_lang_normalize(lx->filter->lang);
		break;
	}
	if (rc == NX_ENOMEM)
		lx->oom = 1;
	if (rc == NX_EFORMAT && k <= 3) {
		/* a date or duration operator: its value must be one */
		if (lx->bad[0] == '\0')
			bad_value(lx, s, len, value, k == 3);
		return (size_t)(e - s);
	}
	return rc == NX_OK ? (size_t)(e - s) : 0;
}

/*
 * Cut text into tokens.  Parentheses come out balanced: an unmatched ')'
 * and any parenthesis nested deeper than QUERY_MAX_DEPTH are left out.
 */
void nx_query__lex(struct lexer *lx, const char *text)
{
	const unsigned char *p = (const unsigned char *)text;
	struct tok t;
	size_t n = 0, skipped = 0;
	int depth = 0, sep = 0;

	while (*p != '\0' && !lx->oom) {
		n = char_at(p, &sep);
		if (sep) {
			p += n;
			continue;
		}
		memset(&t, 0, sizeof(t));
		t.col = -1;
		if (*p == ')') {
			p++;
			if (skipped > 0) {
				skipped--;
			} else if (depth > 0) {
				depth--;
				t.type = TOK_CLOSE;
				lex_push(lx, &t);
			}
			continue;
		}
		if (*p == '-' && term_follows(p + 1)) {
			t.neg = 1;
			p++;
		}
		if (!t.neg && (n = filter_at(lx, p)) > 0) {
			p += n;
			continue;
		}
		p += column_at(p, &t.col);
		if (*p == '(') {
			p++;
			if (depth >= QUERY_MAX_DEPTH) {
				skipped++;
				continue;
			}
			depth++;
			t.type = TOK_OPEN;
		} else if (*p == '"') {
			p = lex_phrase(lx, p + 1, &t);
		} else {
			p = lex_word(lx, p, &t);
		}
		lex_push(lx, &t);
	}
	if (!nx_buf_ok(&lx->text))
		lx->oom = 1;
}

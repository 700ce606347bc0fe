/*
 * entity.c - character references left in text by a page that encoded it
 * twice.  Only well-formed references are decoded: "&#NNN;", "&#xHH;" and
 * a short list of named ones, each with its ';'.
 */
#include "util/entity.h"

#include <stdint.h>
#include <string.h>

#include "util/text.h"

static const struct {
	const char *name;
	uint32_t cp;
} named[] = {
	{ "amp", '&' }, { "lt", '<' }, { "gt", '>' }, { "quot", '"' }, { "apos", '\'' },
	{ "nbsp", 0xA0 }, { "laquo", 0xAB }, { "raquo", 0xBB }, { "lsquo", 0x2018 },
	{ "rsquo", 0x2019 }, { "sbquo", 0x201A }, { "ldquo", 0x201C }, { "rdquo", 0x201D },
	{ "bdquo", 0x201E }, { "ndash", 0x2013 }, { "mdash", 0x2014 }, { "hellip", 0x2026 },
	{ "middot", 0xB7 }, { "bull", 0x2022 }, { "copy", 0xA9 }, { "reg", 0xAE },
	{ "trade", 0x2122 }, { "deg", 0xB0 }, { "euro", 0x20AC }, { "pound", 0xA3 },
	{ "eacute", 0xE9 }, { "egrave", 0xE8 }, { "ecirc", 0xEA }, { "aacute", 0xE1 },
	{ "agrave", 0xE0 }, { "acirc", 0xE2 }, { "iacute", 0xED }, { "oacute", 0xF3 },
	{ "uacute", 0xFA }, { "ccedil", 0xE7 }, { "ntilde", 0xF1 }, { "auml", 0xE4 },
	{ "ouml", 0xF6 }, { "uuml", 0xFC }, { "Auml", 0xC4 }, { "Ouml", 0xD6 },
	{ "Uuml", 0xDC }, { "szlig", 0xDF }, { "Eacute", 0xC9 },
};

/* windows-1252's letters for 0x80..0x9F (0: none) */
static const uint16_t c1[32] = {
	0x20AC, 0, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021, 0x02C6, 0x2030, 0x0160,
	0x2039, 0x0152, 0, 0x017D, 0, 0, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2013,
	0x2014, 0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0, 0x017E, 0x0178
};

/* The reference at s[0..len) (s[0] == '&'): its length and code point, or 0. */
static size_t reference(const char *s, size_t len, uint32_t *cp)
{
	size_t i = 1, k = 0, n = 0;
	uint32_t v = 0;
	int hex = 0;

	if (len < 4 || s[0] != '&')
		return 0;
	if (s[1] == '#') {
		i = 2;
		if (s[2] == 'x' || s[2] == 'X') {
			hex = 1;
			i = 3;
		}
		for (n = 0; i < len && n < 7; i++, n++) {
			int c = (unsigned char)s[i];

			if (nx_isdigit(c))
				v = v * (hex ? 16 : 10) + (uint32_t)(c - '0');
			else if (hex && nx_isalpha(c) && nx_tolower(c) <= 'f')
				v = v * 16 + (uint32_t)(nx_tolower(c) - 'a' + 10);
			else
				break;
		}
		if (n == 0 || i >= len || s[i] != ';')
			return 0;
		if (v >= 0x80 && v <= 0x9F)
			v = c1[v - 0x80];
		if (v == 0 || v > 0x10FFFF || (v >= 0xD800 && v <= 0xDFFF))
			return 0;
		*cp = v;
		return i + 1;
	}
	for (k = 0; k < sizeof(named) / sizeof(named[0]); k++) {
		n = strlen(named[k].name);
		if (len >= n + 2 && memcmp(s + 1, named[k].name, n) == 0 && s[n + 1] == ';') {
			*cp = named[k].cp;
			return n + 2;
		}
	}
	return 0;
}

int nx_entity_present(const char *s, size_t len)
{
	const char *p = s;
	uint32_t cp = 0;

	while ((p = memchr(p, '&', len - (size_t)(p - s))) != NULL) {
		if (reference(p, len - (size_t)(p - s), &cp) > 0)
			return 1;
		p++;
	}
	return 0;
}

void nx_entity_decode(nx_buf *out, const char *s, size_t len)
{
	size_t i = 0, n = 0;
	uint32_t cp = 0;

	while (i < len) {
		if (s[i] == '&' && (n = reference(s + i, len - i, &cp)) > 0) {
			nx_utf8_put(out, cp);
			i += n;
		} else {
			nx_buf_addch(out, s[i]);
			i++;
		}
	}
}

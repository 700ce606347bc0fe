/*
 * date_lex.c - the lexer of the date parser (see date.c): tokens that
 * never read past len, and the words dates are written with: English and
 * foreign month names, weekdays, time zone names.
 */
#include "article/date_private.h"

#include <string.h>

/*
 * Length of the UTF-8 letter at s[pos..len): 1 for an ASCII letter, 2 for
 * a two-byte letter of the Latin-1, Latin Extended, Greek or Cyrillic
 * blocks (lead bytes C3..D4, without the signs U+00D7 and U+00F7), else 0.
 * Other non-ASCII bytes (punctuation, CJK) stay single punctuation tokens.
 */
static size_t letter_len(const char *s, size_t len, size_t pos)
{
	const unsigned char *u = (const unsigned char *)s + pos;

	if (pos >= len)
		return 0;
	if (nx_date__is_alpha(u[0]))
		return 1;
	if (len - pos >= 2 && u[0] >= 0xC3 && u[0] <= 0xD4 && (u[1] & 0xC0) == 0x80 &&
	    !(u[0] == 0xC3 && (u[1] == 0x97 || u[1] == 0xB7)))
		return 2;
	return 0;
}

/*
 * Length of the white space at s[pos..len): ASCII space and controls,
 * U+00A0, U+2009 and U+202F (the last is what CLDR puts before "AM").
 * 0 when s[pos] is not white space.
 */
static size_t space_len(const char *s, size_t len, size_t pos)
{
	const unsigned char *u = (const unsigned char *)s + pos;
	size_t left = len - pos;

	if (left == 0)
		return 0;
	if (u[0] == ' ' || u[0] == '\t' || u[0] == '\n' || u[0] == '\r' ||
	    u[0] == '\f' || u[0] == '\v')
		return 1;
	if (left >= 2 && u[0] == 0xC2 && u[1] == 0xA0)
		return 2;
	if (left >= 3 && u[0] == 0xE2 && u[1] == 0x80 &&
	    (u[2] == 0x89 || u[2] == 0xAF))
		return 3;
	return 0;
}

size_t nx_date__skip_space(const char *s, size_t len, size_t pos)
{
	size_t n = 0;

	while ((n = space_len(s, len, pos)) != 0)
		pos += n;
	return pos;
}

/* Lexer */


/* Read the token at or after pos (white space skipped). */
void nx_date__lex(const scan *sc, size_t pos, tok *t)
{
	size_t p = nx_date__skip_space(sc->s, sc->len, pos);
	int c = 0;

	memset(t, 0, sizeof(*t));
	t->sp = p != pos;
	t->start = p;
	t->end = p;
	t->val = -1;
	if (p >= sc->len) {
		t->kind = TK_END;
		return;
	}
	c = (unsigned char)sc->s[p];
	if (nx_date__is_digit(c)) {
		long v = 0;

		t->kind = TK_NUM;
		while (p < sc->len && nx_date__is_digit((unsigned char)sc->s[p])) {
			if (t->ndig < 9)
				v = v * 10 + (sc->s[p] - '0');
			t->ndig++;
			p++;
		}
		t->val = t->ndig <= 9 ? v : -1;
	} else if (letter_len(sc->s, sc->len, p) != 0) {
		size_t n = 0;

		t->kind = TK_WORD;
		while ((n = letter_len(sc->s, sc->len, p)) != 0)
			p += n;
	} else {
		t->kind = TK_PUNCT;
		t->c = c;
		p++;
	}
	t->end = p;
}

/* 1 when the word token t is name (lower case), ignoring ASCII case. */
int nx_date__word_is(const scan *sc, const tok *t, const char *name)
{
	size_t n = strlen(name), i = 0;

	if (t->kind != TK_WORD || t->end - t->start != n)
		return 0;
	for (i = 0; i < n; i++) {
		if (nx_date__to_lower((unsigned char)sc->s[t->start + i]) != name[i])
			return 0;
	}
	return 1;
}

/*
 * Consume punctuation byte c at *pos.  With glued, no white space may
 * come before it.  Returns 1 and advances *pos, or 0 and leaves it.
 */
int nx_date__take_punct(const scan *sc, size_t *pos, int c, int glued)
{
	tok t;

	nx_date__lex(sc, *pos, &t);
	if (t.kind != TK_PUNCT || t.c != c || (glued && t.sp))
		return 0;
	*pos = t.end;
	return 1;
}

/* Consume a number of mindig..maxdig digits; *val receives it. */
int nx_date__take_num(const scan *sc, size_t *pos, size_t mindig, size_t maxdig,
		    int glued, long *val)
{
	tok t;

	nx_date__lex(sc, *pos, &t);
	if (t.kind != TK_NUM || t.ndig < mindig || t.ndig > maxdig ||
	    (glued && t.sp))
		return 0;
	*val = t.val;
	*pos = t.end;
	return 1;
}

/* Consume the word name (lower case), any case in the text. */
int nx_date__take_word(const scan *sc, size_t *pos, const char *name, int glued)
{
	tok t;

	nx_date__lex(sc, *pos, &t);
	if (!nx_date__word_is(sc, &t, name) || (glued && t.sp))
		return 0;
	*pos = t.end;
	return 1;
}

/* Names */

/*
 * Lower-case the word token t into buf (NUL-terminated UTF-8): ASCII,
 * Latin-1, Latin Extended-A and the basic Cyrillic capitals.  Returns 0
 * when the word does not fit.
 */
int nx_date__fold_word(const scan *sc, const tok *t, char *buf, size_t size)
{
	const unsigned char *u = (const unsigned char *)sc->s;
	size_t i = t->start, k = 0;
	unsigned cp = 0;

	if (t->kind != TK_WORD)
		return 0;
	while (i < t->end) {
		if (u[i] < 0x80) {
			if (k + 2 > size)
				return 0;
			buf[k++] = (char)nx_date__to_lower(u[i]);
			i++;
			continue;
		}
		if (k + 3 > size || i + 1 >= t->end)
			return 0;
		cp = ((unsigned)(u[i] & 0x1F) << 6) | (u[i + 1] & 0x3F);
		if (cp >= 0xC0 && cp <= 0xDE && cp != 0xD7)
			cp += 0x20;                      /* Latin-1 */
		else if ((cp >= 0x100 && cp <= 0x137) || (cp >= 0x14A && cp <= 0x177))
			cp |= 1;                         /* Latin Extended-A pairs */
		else if (((cp >= 0x139 && cp <= 0x148) || (cp >= 0x179 && cp <= 0x17E)) && (cp & 1))
			cp += 1;
		else if (cp >= 0x410 && cp <= 0x42F)
			cp += 0x20;                      /* Cyrillic А..Я */
		else if (cp >= 0x400 && cp <= 0x40F)
			cp += 0x50;                      /* Ѐ..Џ */
		buf[k++] = (char)(0xC0 | (cp >> 6));
		buf[k++] = (char)(0x80 | (cp & 0x3F));
		i += 2;
	}
	buf[k] = '\0';
	return 1;
}

static const char *const month_names[] = {
	"january", "february", "march", "april", "may", "june", "july",
	"august", "september", "october", "november", "december"
};

typedef struct name_num {
	const char *name; /* lower case UTF-8 */
	int num;
} name_num;

/*
 * Month names of the other languages of the archive (German, French,
 * Spanish, Italian, Portuguese, Dutch, Scandinavian, and the genitive
 * forms that Russian and Polish dates use), with common abbreviations.
 * Short forms that are everyday words elsewhere ("set", "out") are left out.
 */
static const name_num foreign_months[] = {
	{ "januar", 1 }, { "jänner", 1 }, { "janvier", 1 }, { "janv", 1 },
	{ "enero", 1 }, { "ene", 1 }, { "gennaio", 1 }, { "janeiro", 1 },
	{ "januari", 1 }, { "января", 1 }, { "stycznia", 1 },
	{ "februar", 2 }, { "feber", 2 }, { "février", 2 }, { "fevrier", 2 },
	{ "févr", 2 }, { "fevr", 2 }, { "febrero", 2 }, { "febbraio", 2 },
	{ "fevereiro", 2 }, { "februari", 2 }, { "февраля", 2 }, { "lutego", 2 },
	{ "märz", 3 }, { "maerz", 3 }, { "mär", 3 }, { "mrz", 3 }, { "mars", 3 },
	{ "marzo", 3 }, { "março", 3 }, { "maart", 3 }, { "mrt", 3 },
	{ "marts", 3 }, { "марта", 3 }, { "marca", 3 },
	{ "avril", 4 }, { "avr", 4 }, { "abril", 4 }, { "abr", 4 },
	{ "aprile", 4 }, { "апреля", 4 }, { "kwietnia", 4 },
	{ "mai", 5 }, { "mayo", 5 }, { "maggio", 5 }, { "maio", 5 }, { "mei", 5 },
	{ "maj", 5 }, { "мая", 5 }, { "maja", 5 },
	{ "juni", 6 }, { "juin", 6 }, { "junio", 6 }, { "giugno", 6 },
	{ "junho", 6 }, { "июня", 6 }, { "czerwca", 6 },
	{ "juli", 7 }, { "juillet", 7 }, { "juil", 7 }, { "julio", 7 },
	{ "luglio", 7 }, { "julho", 7 }, { "июля", 7 }, { "lipca", 7 },
	{ "août", 8 }, { "aout", 8 }, { "agosto", 8 }, { "ago", 8 },
	{ "augustus", 8 }, { "augusti", 8 }, { "августа", 8 }, { "sierpnia", 8 },
	{ "septembre", 9 }, { "septiembre", 9 }, { "setiembre", 9 },
	{ "settembre", 9 }, { "setembro", 9 }, { "сентября", 9 }, { "września", 9 },
	{ "oktober", 10 }, { "okt", 10 }, { "octobre", 10 }, { "octubre", 10 },
	{ "ottobre", 10 }, { "outubro", 10 }, { "октября", 10 }, { "października", 10 },
	{ "novembre", 11 }, { "noviembre", 11 }, { "novembro", 11 },
	{ "ноября", 11 }, { "listopada", 11 },
	{ "dezember", 12 }, { "dez", 12 }, { "décembre", 12 }, { "decembre", 12 },
	{ "déc", 12 }, { "diciembre", 12 }, { "dic", 12 }, { "dicembre", 12 },
	{ "dezembro", 12 }, { "декабря", 12 }, { "grudnia", 12 }
};

/* Month 1..12 named by word token t ("jul", "July", "SEPT", "août"), or 0. */
int nx_date__month_of(const scan *sc, const tok *t)
{
	size_t n = t->end - t->start, i = 0, k = 0;
	char buf[32];
	int found = 0;

	if (t->kind != TK_WORD || n < 3)
		goto done;
	if (nx_date__word_is(sc, t, "sept")) {
		found = 9;
		goto done;
	}
	for (i = 0; i < 12 && found == 0; i++) {
		const char *name = month_names[i];

		if (n != 3 && n != strlen(name))
			continue;
		for (k = 0; k < n; k++) {
			if (nx_date__to_lower((unsigned char)sc->s[t->start + k]) != name[k])
				break;
		}
		if (k == n)
			found = (int)i + 1;
	}
	if (found != 0 || !nx_date__fold_word(sc, t, buf, sizeof(buf)))
		goto done;
	for (i = 0; i < sizeof(foreign_months) / sizeof(foreign_months[0]); i++) {
		if (strcmp(buf, foreign_months[i].name) == 0) {
			found = foreign_months[i].num;
			break;
		}
	}
done:
	return found;
}

static const char *const weekday_names[] = {
	"mon", "monday", "tue", "tues", "tuesday", "wed", "wednesday", "thu",
	"thur", "thurs", "thursday", "fri", "friday", "sat", "saturday",
	"sun", "sunday",
	"montag", "dienstag", "mittwoch", "donnerstag", "freitag", "samstag",
	"sonnabend", "sonntag", "lundi", "mardi", "mercredi", "jeudi",
	"vendredi", "samedi", "dimanche", "lunes", "martes", "miércoles",
	"jueves", "viernes", "sábado", "domingo"
};

int nx_date__is_weekday(const scan *sc, const tok *t)
{
	char buf[32];
	size_t i = 0;

	if (!nx_date__fold_word(sc, t, buf, sizeof(buf)))
		return 0;
	for (i = 0; i < sizeof(weekday_names) / sizeof(weekday_names[0]); i++) {
		if (strcmp(buf, weekday_names[i]) == 0)
			return 1;
	}
	return 0;
}

/* 1 when word token t is one of the lower-case UTF-8 words in list. */
int nx_date__word_in(const scan *sc, const tok *t, const char *const *list)
{
	char buf[16];
	size_t i = 0;

	if (!nx_date__fold_word(sc, t, buf, sizeof(buf)))
		return 0;
	for (i = 0; list[i] != NULL; i++) {
		if (strcmp(buf, list[i]) == 0)
			return 1;
	}
	return 0;
}


static const zone_name zones[] = {
	{ "z", 0, 0 }, { "ut", 0, 0 }, { "utc", 0, 0 }, { "gmt", 0, 0 },
	{ "est", -300, 0 }, { "edt", -240, 0 }, { "et", -300, 1 },
	{ "cst", -360, 0 }, { "cdt", -300, 0 }, { "ct", -360, 1 },
	{ "mst", -420, 0 }, { "mdt", -360, 0 }, { "mt", -420, 1 },
	{ "pst", -480, 0 }, { "pdt", -420, 0 }, { "pt", -480, 1 },
	{ "akst", -540, 0 }, { "akdt", -480, 0 }, { "hst", -600, 0 },
	{ "bst", 60, 0 }, { "cet", 60, 0 }, { "cest", 120, 0 },
	{ "eet", 120, 0 }, { "eest", 180, 0 }, { "msk", 180, 0 },
	{ "jst", 540, 0 }
};

/* Zones of news outside Europe and North America, after a time
   ("01:38:07 PM IST"); only in capitals, as "ist" is also a word. */
static const zone_name caps_zones[] = {
	{ "ist", 330, 0 }, { "pkt", 300, 0 }, { "kst", 540, 0 }, { "hkt", 480, 0 },
	{ "sgt", 480, 0 }, { "pht", 480, 0 }, { "wib", 420, 0 }, { "ict", 420, 0 },
	{ "aest", 600, 0 }, { "aedt", 660, 0 }, { "acst", 570, 0 }, { "awst", 480, 0 },
	{ "nzst", 720, 0 }, { "nzdt", 780, 0 }, { "sast", 120, 0 }, { "wat", 60, 0 }
};

const zone_name *nx_date__zone_of(const scan *sc, const tok *t)
{
	size_t i = 0, k = 0;

	for (i = 0; i < sizeof(zones) / sizeof(zones[0]); i++) {
		if (nx_date__word_is(sc, t, zones[i].name))
			return &zones[i];
	}
	for (k = t->start; k < t->end; k++)
		if (sc->s[k] < 'A' || sc->s[k] > 'Z')
			return NULL;
	for (i = 0; i < sizeof(caps_zones) / sizeof(caps_zones[0]); i++) {
		if (nx_date__word_is(sc, t, caps_zones[i].name))
			return &caps_zones[i];
	}
	return NULL;
}

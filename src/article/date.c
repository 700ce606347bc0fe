/*
 * date.c - one parser for every date form a news archive holds.
 *
 * The input is cut into tokens by a small lexer that never reads past
 * len: a run of ASCII digits, a run of letters (ASCII, and the two-byte
 * UTF-8 letters of Latin-1, Latin Extended, Greek and Cyrillic), or any
 * other single byte (punctuation, and every byte of other non-ASCII text).  White space,
 * including UTF-8 NBSP, thin and narrow no-break spaces, only separates
 * tokens; each token records whether some came before it, which is how
 * "2021-07-08" differs from "2021 - 07 - 08".
 *
 * Three patterns are tried at a token start and the longest match wins:
 *
 *   date first   [WDAY[,]] DATE [SEP] [at] [TIME [ZONE]]  RFC 822, ISO, prose
 *   time first   TIME [ZONE] [,] [on] DATE                 01:42 GMT 08.07.2021
 *   asctime      [WDAY] MON D TIME [ZONE] YYYY             Thu Jul  8 01:42:00 2021
 *
 * DATE is one of YYYY-MM-DD, YYYYMMDD, YYYY/M/D, D.M.YYYY, DD.MM.YY,
 * D/M/YYYY or M/D/YYYY (also with "-"), D-MON-YYYY, D[th|.] [de] MON[.][,]
 * [de] YYYY [г.|r.] and MON[.] D[th][,] YYYY (D MON YY also, but only
 * before a time, as RFC 2822 allows).  MON is an English month name or
 * abbreviation, or one of the foreign_months table (UTF-8, any case).
 * SEP is "T" after an ISO date, or ",", " - " or " | ", then up to two
 * linking words ("at", "um", "à", "a las").  TIME is H:MM[:SS[.frac]]
 * with an optional AM/PM ("a.m." too) or "Uhr", H AM/PM, 14h30, 14.30 Uhr,
 * or HHMM[SS] after an ISO basic date.  ZONE is a name (Z, UT, UTC, GMT,
 * the RFC 822 US zones, ET/CT/MT/PT with US daylight saving worked out
 * from the date, a few more such as MSK) or a numeric offset.  Slashed
 * dates whose day and month could be either way round (08/07/2021) are
 * read in the order the caller gives (nx_date_order) and rejected when it
 * gives none; 13/01/2020 can only be one date.  Every field is checked (calendar,
 * years 1800..2200, 00:00..23:59:59, AM/PM hours, offsets -12:00..+14:00)
 * and a bad field rejects the whole pattern instead of being guessed.
 *
 * nx_date_find() runs the same matcher at each token start of the text,
 * so it costs a small constant per byte on any input.
 *
 * The lexer and its words are in date_lex.c, the calendar and formatting
 * in date_format.c (date_private.h).
 */
#include "article/date_private.h"

#include <string.h>

#define YEAR_MIN 1800
#define YEAR_MAX 2200

/* Patterns */

typedef struct fields {
	long year;
	int mon, day;
	int hour, min, sec;
	int has_time;
	int has_zone;
	int off;     /* minutes east */
	int us_auto; /* off is a US standard offset; DST depends on the date */
} fields;

enum { DK_TEXT, DK_ISO, DK_BASIC };

static int valid_date(long y, long m, long d)
{
	return y >= YEAR_MIN && y <= YEAR_MAX && m >= 1 && m <= 12 &&
	       d >= 1 && d <= nx_date__days_in_month(y, m);
}

/* An optional "st", "nd", "rd" or "th" glued to a day number. */
static void skip_ordinal(const scan *sc, size_t *pos)
{
	tok t;

	nx_date__lex(sc, *pos, &t);
	if (t.sp)
		return;
	if (nx_date__word_is(sc, &t, "st") || nx_date__word_is(sc, &t, "nd") ||
	    nx_date__word_is(sc, &t, "rd") || nx_date__word_is(sc, &t, "th"))
		*pos = t.end;
}

/* An optional weekday name with an optional "." and ",". */
static void skip_weekday(const scan *sc, size_t *pos)
{
	tok t;

	nx_date__lex(sc, *pos, &t);
	if (!nx_date__is_weekday(sc, &t))
		return;
	*pos = t.end;
	nx_date__take_punct(sc, pos, '.', 1);
	nx_date__take_punct(sc, pos, ',', 0);
}

/* Map an RFC 2822 two- or three-digit year; four digits stay as they are. */
static long full_year(long y, size_t ndig)
{
	if (ndig == 2)
		return y < 50 ? 2000 + y : 1900 + y;
	if (ndig == 3)
		return 1900 + y;
	return y;
}

/*
 * Day and month of a D/M/YYYY or M/D/YYYY date from its two numbers x and
 * y: a number above 12 can only be the day; otherwise sc->order decides,
 * and with no order the date is ambiguous and rejected.
 */
static int day_month(const scan *sc, long x, long y, long *d, long *m)
{
	if (x > 12 && y <= 12) {
		*d = x, *m = y;
	} else if (y > 12 && x <= 12) {
		*d = y, *m = x;
	} else if (x > 12 || y > 12) {
		return 0;
	} else if (sc->order == NX_DATE_ORDER_DMY) {
		*d = x, *m = y;
	} else if (sc->order == NX_DATE_ORDER_MDY) {
		*d = y, *m = x;
	} else {
		return 0;
	}
	return 1;
}

/* 1 when the number at pos follows "<digit>." (an IP address, a version). */
static int after_dotted_number(const scan *sc, size_t pos)
{
	return pos >= 2 && sc->s[pos - 1] == '.' && nx_date__is_digit((unsigned char)sc->s[pos - 2]);
}

/*
 * Numeric dates: YYYYMMDD, YYYY-MM-DD, YYYY/M/D, D.M.YYYY, DD.MM.YY, and
 * D/M/YYYY or M/D/YYYY (also with "-") as day_month() allows.
 */
static int date_numeric(const scan *sc, size_t *pos, long *y, long *m, long *d,
			int *kind)
{
	size_t p = *pos, q = 0;
	long x = 0, z = 0;
	tok t, u;
	int ok = 0, sep = 0, spaced = 0;

	nx_date__lex(sc, p, &t);
	if (t.kind != TK_NUM)
		goto done;
	p = t.end;
	if (t.ndig == 8) {
		*y = t.val / 10000;
		*m = t.val / 100 % 100;
		*d = t.val % 100;
		*kind = DK_BASIC;
		ok = 1;
	} else if (t.ndig == 4) {
		*y = t.val;
		*kind = DK_ISO;
		if (nx_date__take_punct(sc, &p, '-', 1)) {
			ok = nx_date__take_num(sc, &p, 2, 2, 1, m) &&
			     nx_date__take_punct(sc, &p, '-', 1) &&
			     nx_date__take_num(sc, &p, 2, 2, 1, d);
		} else if (nx_date__take_punct(sc, &p, '/', 1)) {
			*kind = DK_TEXT;
			ok = nx_date__take_num(sc, &p, 1, 2, 1, m) &&
			     nx_date__take_punct(sc, &p, '/', 1) &&
			     nx_date__take_num(sc, &p, 1, 2, 1, d);
		}
	} else if (t.ndig <= 2) {
		*kind = DK_TEXT;
		x = t.val;
		if (nx_date__take_punct(sc, &p, '.', 1)) {
			*d = x;
			/* "4. 2. 2022" (German typography, often thin spaces):
			   spaced only with a four-digit year */
			spaced = !nx_date__take_num(sc, &p, 1, 2, 1, m);
			if ((spaced && !nx_date__take_num(sc, &p, 1, 2, 0, m)) ||
			    !nx_date__take_punct(sc, &p, '.', 1))
				goto done;
			nx_date__lex(sc, p, &u);
			if (u.kind != TK_NUM || (u.sp && !spaced) || (spaced && u.ndig != 4))
				goto done;
			if (u.ndig == 4) {
				*y = u.val;
				p = u.end;
				ok = 1;
			} else if (u.ndig == 2 && t.ndig == 2 && u.start - t.start == 6 &&
				   !after_dotted_number(sc, t.start)) {
				/* DD.MM.YY, but not 10.10.10.10 */
				q = u.end;
				if (nx_date__take_punct(sc, &q, '.', 1) && nx_date__take_num(sc, &q, 1, 9, 1, &z))
					goto done;
				*y = full_year(u.val, 2);
				p = u.end;
				ok = 1;
			}
		} else if (nx_date__take_punct(sc, &p, '/', 1)) {
			sep = '/';
		} else if (nx_date__take_punct(sc, &p, '-', 1)) {
			sep = '-';
		}
		if (sep != 0) {
			ok = nx_date__take_num(sc, &p, 1, 2, 1, &z) &&
			     nx_date__take_punct(sc, &p, sep, 1) &&
			     nx_date__take_num(sc, &p, 4, 4, 1, y) &&
			     day_month(sc, x, z, d, m);
		}
	}
	if (ok)
		*pos = p;
done:
	return ok;
}

/* Filler words between the parts of a date: "3 de agosto de 2015". */
static const char *const date_fillers[] = { "de", "del", NULL };

/* What may follow a year: "2015 г.", "2015 года", "2015 r." */
static const char *const year_suffixes[] = { "г", "года", "r", "roku", NULL };

static void skip_words(const scan *sc, size_t *pos, const char *const *list)
{
	tok t;

	nx_date__lex(sc, *pos, &t);
	if (nx_date__word_in(sc, &t, list))
		*pos = t.end;
}

/*
 * Dates with a month name: D-MON-YYYY (Reuters), D[th|.] [de] MON[.][,]
 * [de] YYYY and MON[.] D[th][,] YYYY, in the languages nx_date__month_of() knows.
 * With short_year, D MON YY and D MON YYY are taken too (RFC 2822
 * obsolete years).
 */
static int date_named(const scan *sc, size_t *pos, long *y, long *m, long *d,
		      int short_year)
{
	size_t p = *pos, q = 0;
	tok t, w;
	int ok = 0;

	nx_date__lex(sc, p, &t);
	if (t.kind == TK_NUM && t.ndig <= 2) {
		*d = t.val;
		p = t.end;
		if (nx_date__take_punct(sc, &p, '-', 1)) {
			nx_date__lex(sc, p, &w);
			*m = nx_date__month_of(sc, &w);
			if (w.sp || *m == 0)
				goto done;
			p = w.end;
			ok = nx_date__take_punct(sc, &p, '-', 1) &&
			     nx_date__take_num(sc, &p, 4, 4, 1, y);
			goto done;
		}
		if (!nx_date__take_punct(sc, &p, '.', 1))
			skip_ordinal(sc, &p);
		skip_words(sc, &p, date_fillers);
		nx_date__lex(sc, p, &w);
		*m = nx_date__month_of(sc, &w);
		if (*m == 0)
			goto done;
		p = w.end;
		nx_date__take_punct(sc, &p, '.', 1);
		nx_date__take_punct(sc, &p, ',', 0);
		skip_words(sc, &p, date_fillers);
		nx_date__lex(sc, p, &t);
		if (t.kind != TK_NUM || t.ndig > 4 || t.ndig < (short_year ? 2 : 4))
			goto done;
		*y = full_year(t.val, t.ndig);
		p = t.end;
		if (t.ndig == 4) {
			q = p;
			nx_date__lex(sc, q, &w);
			if (nx_date__word_in(sc, &w, year_suffixes)) {
				p = w.end;
				nx_date__take_punct(sc, &p, '.', 1);
			}
		}
		ok = 1;
	} else if (nx_date__month_of(sc, &t) != 0) {
		*m = nx_date__month_of(sc, &t);
		p = t.end;
		nx_date__take_punct(sc, &p, '.', 1);
		if (!nx_date__take_num(sc, &p, 1, 2, 0, d))
			goto done;
		skip_ordinal(sc, &p);
		nx_date__take_punct(sc, &p, ',', 0);
		ok = nx_date__take_num(sc, &p, 4, 4, 0, y);
	}
done:
	if (ok)
		*pos = p;
	return ok;
}

/* Any DATE; *kind tells ISO forms (which may carry T and glued offsets). */
static int p_date(const scan *sc, size_t *pos, fields *f, int short_year,
		  int *kind)
{
	long y = 0, m = 0, d = 0;
	size_t p = *pos;
	int ok = 0;

	*kind = DK_TEXT;
	if (!date_numeric(sc, &p, &y, &m, &d, kind)) {
		*kind = DK_TEXT;
		if (!date_named(sc, &p, &y, &m, &d, short_year))
			goto done;
	}
	if (!valid_date(y, m, d))
		goto done;
	f->year = y;
	f->mon = (int)m;
	f->day = (int)d;
	*pos = p;
	ok = 1;
done:
	return ok;
}

/* "AM", "pm", "a.m.", "P.M" after a time; *pm receives 0 or 1. */
static int p_ampm(const scan *sc, size_t *pos, int *pm)
{
	size_t p = *pos;
	tok t;
	int ok = 0;

	nx_date__lex(sc, p, &t);
	if (nx_date__word_is(sc, &t, "am") || nx_date__word_is(sc, &t, "pm")) {
		*pm = nx_date__to_lower((unsigned char)sc->s[t.start]) == 'p';
		p = t.end;
		ok = 1;
	} else if (nx_date__word_is(sc, &t, "a") || nx_date__word_is(sc, &t, "p")) {
		*pm = nx_date__to_lower((unsigned char)sc->s[t.start]) == 'p';
		p = t.end;
		if (!nx_date__take_punct(sc, &p, '.', 1) || !nx_date__take_word(sc, &p, "m", 1))
			goto done;
		nx_date__take_punct(sc, &p, '.', 1);
		ok = 1;
	}
done:
	if (ok)
		*pos = p;
	return ok;
}

/* What may follow a 24-hour time: "14:30 Uhr", "14:30 h". */
static const char *const clock_words[] = { "uhr", "h", NULL };

/*
 * TIME: H:MM[:SS[.frac]] [AM|PM|Uhr|h], H AM|PM, 14h30 or 14.30 Uhr.  With basic, the ISO basic
 * HHMM[SS[.frac]] instead.  With glued, nothing may come before the hour.
 * Fractions of a second are dropped.
 */
static int p_time(const scan *sc, size_t *pos, fields *f, int basic, int glued)
{
	size_t p = *pos;
	long h = 0, mi = 0, se = 0, frac = 0;
	int pm = 0, ampm = 0, ok = 0;
	tok t;

	nx_date__lex(sc, p, &t);
	if (t.kind != TK_NUM || (glued && t.sp))
		goto done;
	p = t.end;
	if (basic) {
		if (t.ndig != 4 && t.ndig != 6)
			goto done;
		h = t.ndig == 6 ? t.val / 10000 : t.val / 100;
		mi = t.ndig == 6 ? t.val / 100 % 100 : t.val % 100;
		se = t.ndig == 6 ? t.val % 100 : 0;
		if (t.ndig == 6 && nx_date__take_punct(sc, &p, '.', 1) &&
		    !nx_date__take_num(sc, &p, 1, (size_t)-1, 1, &frac))
			goto done;
	} else {
		if (t.ndig > 2)
			goto done;
		h = t.val;
		if (nx_date__take_punct(sc, &p, ':', 1)) {
			if (!nx_date__take_num(sc, &p, 2, 2, 1, &mi))
				goto done;
			if (nx_date__take_punct(sc, &p, ':', 1)) {
				if (!nx_date__take_num(sc, &p, 2, 2, 1, &se))
					goto done;
				if (nx_date__take_punct(sc, &p, '.', 1) &&
				    !nx_date__take_num(sc, &p, 1, (size_t)-1, 1, &frac))
					goto done;
			}
			ampm = p_ampm(sc, &p, &pm);
			if (!ampm)
				skip_words(sc, &p, clock_words);
		} else if (nx_date__take_word(sc, &p, "h", 1)) {
			/* French 14h30 */
			if (!nx_date__take_num(sc, &p, 2, 2, 1, &mi))
				goto done;
		} else if (nx_date__take_punct(sc, &p, '.', 1)) {
			/* German 14.30 Uhr: only with the word */
			if (!nx_date__take_num(sc, &p, 2, 2, 1, &mi) || !nx_date__take_word(sc, &p, "uhr", 0))
				goto done;
		} else {
			ampm = p_ampm(sc, &p, &pm);
			if (!ampm)
				goto done;
		}
	}
	if (ampm) {
		if (h < 1 || h > 12)
			goto done;
		h = (h % 12) + (pm ? 12 : 0);
	}
	if (h > 23 || mi > 59 || se > 59)
		goto done;
	f->hour = (int)h;
	f->min = (int)mi;
	f->sec = (int)se;
	f->has_time = 1;
	*pos = p;
	ok = 1;
done:
	return ok;
}

/* The shapes a numeric offset may take after its sign. */
enum {
	OFF_HHMM = 1,  /* +0300 */
	OFF_HH_MM = 2, /* +03:00 */
	OFF_HH = 4,    /* +03 */
	OFF_H = 8      /* +3, as in "GMT+3" (also +3:30) */
};

/*
 * A numeric offset after its sign, glued to it, in one of the shapes in
 * forms.  Only offsets some zone uses, -12:00 to +14:00, are taken, which
 * also keeps a time range like "13:20-14:00" from reading as an offset.
 * Stores the unsigned minutes in *mins.
 */
static int p_offset_digits(const scan *sc, size_t *pos, int sign, int forms,
			   long *mins)
{
	size_t p = *pos;
	long hh = 0, mm = 0;
	int ok = 0;
	tok t;

	nx_date__lex(sc, p, &t);
	if (t.kind != TK_NUM || t.sp)
		goto done;
	p = t.end;
	if (t.ndig == 4 && (forms & OFF_HHMM) != 0) {
		hh = t.val / 100;
		mm = t.val % 100;
	} else if (t.ndig == 2 || (t.ndig == 1 && (forms & OFF_H) != 0)) {
		hh = t.val;
		if (nx_date__take_punct(sc, &p, ':', 1)) {
			if ((forms & (OFF_HH_MM | OFF_H)) == 0 ||
			    !nx_date__take_num(sc, &p, 2, 2, 1, &mm))
				goto done;
		} else if ((forms & (OFF_HH | OFF_H)) == 0) {
			goto done;
		}
	} else {
		goto done;
	}
	if (mm > 59 || hh * 60 + mm > (sign < 0 ? 12 * 60 : 14 * 60))
		goto done;
	*mins = hh * 60 + mm;
	*pos = p;
	ok = 1;
done:
	return ok;
}

/* An optional RFC 2822 comment naming the zone: "+0000 (UTC)". */
static void skip_zone_comment(const scan *sc, size_t *pos)
{
	size_t p = *pos;
	tok w;

	if (!nx_date__take_punct(sc, &p, '(', 0))
		return;
	nx_date__lex(sc, p, &w);
	if (w.kind != TK_WORD || w.sp || w.end - w.start > 5)
		return;
	p = w.end;
	if (nx_date__take_punct(sc, &p, ')', 1))
		*pos = p;
}

/*
 * ZONE: a name (GMT, Z, EDT, ET, ... optionally followed by a glued
 * offset, "GMT+3") or a numeric offset.  Glued to the time, an offset may
 * be +HH, +HHMM or +HH:MM after an ISO date (iso) but only +HHMM after
 * other dates, so "13:20-14:00" stays a range; after white space it must
 * be +HHMM or +HH:MM, so "13:20 - 14" is not a zone.  A "(EDT)" style
 * comment may follow a numeric offset.
 */
static int p_zone(const scan *sc, size_t *pos, fields *f, int iso)
{
	size_t p = *pos;
	const zone_name *z = NULL;
	long mins = 0;
	int sign = 0, forms = 0, ok = 0;
	tok t;

	nx_date__lex(sc, p, &t);
	if (t.kind == TK_WORD) {
		z = nx_date__zone_of(sc, &t);
		if (z == NULL)
			goto done;
		p = t.end;
		f->off = z->off;
		f->us_auto = z->us_auto;
		if (z->off == 0 && !nx_date__word_is(sc, &t, "z")) {
			size_t q = p;

			if (nx_date__take_punct(sc, &q, '+', 1))
				sign = 1;
			else if (nx_date__take_punct(sc, &q, '-', 1))
				sign = -1;
			forms = OFF_HHMM | OFF_HH_MM | OFF_HH | OFF_H;
			if (sign != 0 && p_offset_digits(sc, &q, sign, forms, &mins)) {
				f->off = sign * (int)mins;
				p = q;
			}
		}
	} else if (t.kind == TK_PUNCT && (t.c == '+' || t.c == '-')) {
		if (iso && !t.sp)
			forms = OFF_HHMM | OFF_HH_MM | OFF_HH;
		else if (t.sp)
			forms = OFF_HHMM | OFF_HH_MM;
		else
			forms = OFF_HHMM;
		sign = t.c == '+' ? 1 : -1;
		p = t.end;
		if (!p_offset_digits(sc, &p, sign, forms, &mins))
			goto done;
		f->off = sign * (int)mins;
		f->us_auto = 0;
		skip_zone_comment(sc, &p);
	} else {
		goto done;
	}
	f->has_zone = 1;
	*pos = p;
	ok = 1;
done:
	return ok;
}

/* Words between a date and its time: "at", "um", "à", "a las", "às" ... */
static const char *const time_links[] = {
	"at", "um", "à", "a", "las", "às", "alle", "ore", "kl", "klo", "o", "в", NULL
};

/* [WDAY[,]] DATE [[,|-] [at] TIME [ZONE]] */
static int pat_date_first(const scan *sc, size_t start, fields *f, size_t *end)
{
	size_t p = start, q = 0;
	int kind = DK_TEXT, ok = 0, need_time = 0;
	tok t;

	skip_weekday(sc, &p);
	q = p;
	if (!p_date(sc, &p, f, 0, &kind)) {
		p = q;
		if (!p_date(sc, &p, f, 1, &kind))
			goto done;
		need_time = 1; /* "08 Jul 21" only in the RFC 2822 form */
	}
	q = p;
	nx_date__lex(sc, q, &t);
	if (kind != DK_TEXT && !t.sp && nx_date__word_is(sc, &t, "t")) {
		q = t.end;
		if (p_time(sc, &q, f, kind == DK_BASIC, 1)) {
			p = q;
			p_zone(sc, &p, f, 1);
		}
	} else if (kind != DK_BASIC) {
		if (t.kind == TK_PUNCT &&
		    (t.c == ',' || ((t.c == '-' || t.c == '|') && t.sp)))
			q = t.end;
		skip_words(sc, &q, time_links);
		skip_words(sc, &q, time_links);
		if (p_time(sc, &q, f, 0, 0)) {
			p = q;
			p_zone(sc, &p, f, kind == DK_ISO);
		}
	}
	if (need_time && !f->has_time)
		goto done;
	*end = p;
	ok = 1;
done:
	return ok;
}

/* TIME [ZONE] [,] [on] DATE, as in "01:42 GMT 08.07.2021". */
static int pat_time_first(const scan *sc, size_t start, fields *f, size_t *end)
{
	size_t p = start;
	int kind = DK_TEXT, ok = 0;

	if (!p_time(sc, &p, f, 0, 0))
		goto done;
	p_zone(sc, &p, f, 0);
	nx_date__take_punct(sc, &p, ',', 0);
	nx_date__take_word(sc, &p, "on", 0);
	if (!p_date(sc, &p, f, 0, &kind) || kind == DK_BASIC)
		goto done;
	*end = p;
	ok = 1;
done:
	return ok;
}

/* [WDAY] MON D TIME [ZONE] YYYY, as in "Thu Jul  8 01:42:00 UTC 2021". */
static int pat_asctime(const scan *sc, size_t start, fields *f, size_t *end)
{
	size_t p = start;
	long d = 0, y = 0;
	int m = 0, ok = 0;
	tok t;

	skip_weekday(sc, &p);
	nx_date__lex(sc, p, &t);
	m = nx_date__month_of(sc, &t);
	if (m == 0)
		goto done;
	p = t.end;
	if (!nx_date__take_num(sc, &p, 1, 2, 0, &d))
		goto done;
	if (!p_time(sc, &p, f, 0, 0))
		goto done;
	p_zone(sc, &p, f, 0);
	if (!nx_date__take_num(sc, &p, 4, 4, 0, &y) || !valid_date(y, m, d))
		goto done;
	f->year = y;
	f->mon = m;
	f->day = (int)d;
	*end = p;
	ok = 1;
done:
	return ok;
}

/* Fill *out from parsed fields. */
static void finish(nx_time *out, const fields *f)
{
	int64_t days = nx_date_days_from_civil(f->year, (unsigned)f->mon,
					       (unsigned)f->day);
	int64_t secs = 0;
	int off = 0;

	if (f->has_time)
		secs = (int64_t)f->hour * 3600 + f->min * 60 + f->sec;
	if (f->has_zone) {
		off = f->off;
		if (f->us_auto && nx_date__us_dst(f->year, f->mon, f->day, f->hour))
			off += 60;
	}
	out->utc = days * 86400 + secs - (int64_t)off * 60;
	out->offset = off;
	out->set = 1;
	out->has_time = (uint8_t)(f->has_time != 0);
	out->has_offset = (uint8_t)(f->has_zone != 0);
}

/*
 * Try every pattern at the token starting at start; the longest match
 * wins.  Returns 1 with *out and *end filled, or 0.
 */
static int match_at(const scan *sc, size_t start, nx_time *out, size_t *end)
{
	typedef int (*pattern_fn)(const scan *, size_t, fields *, size_t *);
	static const pattern_fn patterns[] = {
		pat_date_first, pat_time_first, pat_asctime
	};
	fields f, best;
	size_t i = 0, e = 0, best_end = 0;
	int found = 0;
	tok t;

	/* time first starts with a number, asctime with a word */
	nx_date__lex(sc, start, &t);
	memset(&best, 0, sizeof(best));
	for (i = 0; i < sizeof(patterns) / sizeof(patterns[0]); i++) {
		if ((patterns[i] == pat_time_first && t.kind != TK_NUM) ||
		    (patterns[i] == pat_asctime && t.kind != TK_WORD))
			continue;
		memset(&f, 0, sizeof(f));
		e = 0;
		if (patterns[i](sc, start, &f, &e) && (!found || e > best_end)) {
			best = f;
			best_end = e;
			found = 1;
		}
	}
	if (found) {
		finish(out, &best);
		*end = best_end;
	}
	return found;
}

/* 1 when a pattern can start at token t: a number, a month or a weekday. */
static int may_start(const scan *sc, const tok *t)
{
	if (t->kind == TK_NUM)
		return t->ndig <= 8;
	if (t->kind == TK_WORD)
		return nx_date__month_of(sc, t) != 0 || nx_date__is_weekday(sc, t);
	return 0;
}

int nx_date_parse_order(nx_time *out, const char *s, size_t len, nx_date_order order)
{
	nx_time t = NX_TIME_INIT;
	scan sc;
	size_t start = 0, end = 0;
	int rc = NX_EFORMAT;

	if (s == NULL)
		goto done;
	sc.s = s;
	sc.len = len;
	sc.order = order;
	start = nx_date__skip_space(s, len, 0);
	if (start >= len)
		goto done;
	if (!match_at(&sc, start, &t, &end))
		goto done;
	if (nx_date__skip_space(s, len, end) != len) {
		memset(&t, 0, sizeof(t));
		goto done;
	}
	rc = NX_OK;
done:
	if (out != NULL)
		*out = t;
	return rc;
}

int nx_date_parse(nx_time *out, const char *s, size_t len)
{
	return nx_date_parse_order(out, s, len, NX_DATE_ORDER_NONE);
}

int nx_date_find_order(nx_time *out, const char *text, size_t len, nx_date_order order,
		       size_t *start, size_t *end)
{
	nx_time t = NX_TIME_INIT;
	scan sc;
	tok k;
	size_t pos = 0, e = 0;
	int rc = NX_ENOTFOUND;

	if (start != NULL)
		*start = 0;
	if (end != NULL)
		*end = 0;
	if (text == NULL)
		goto done;
	sc.s = text;
	sc.len = len;
	sc.order = order;
	for (;;) {
		nx_date__lex(&sc, pos, &k);
		if (k.kind == TK_END)
			break;
		if (may_start(&sc, &k) && match_at(&sc, k.start, &t, &e)) {
			if (start != NULL)
				*start = k.start;
			if (end != NULL)
				*end = e;
			rc = NX_OK;
			goto done;
		}
		pos = k.end;
	}
done:
	if (out != NULL)
		*out = t;
	return rc;
}

int nx_date_find(nx_time *out, const char *text, size_t len,
		 size_t *start, size_t *end)
{
	return nx_date_find_order(out, text, len, NX_DATE_ORDER_NONE, start, end);
}

nx_date_order nx_date_order_of_lang(const char *lang)
{
	size_t i = 0;
	char tag[8];

	if (lang == NULL)
		return NX_DATE_ORDER_NONE;
	for (i = 0; i + 1 < sizeof(tag) && lang[i] != '\0'; i++)
		tag[i] = (char)(lang[i] == '_' ? '-' : nx_date__to_lower((unsigned char)lang[i]));
	tag[i] = '\0';
	if (strcmp(tag, "en") == 0 || strcmp(tag, "en-us") == 0 ||
	    strncmp(tag, "en-us-", 6) == 0 || strcmp(tag, "en-ph") == 0)
		return NX_DATE_ORDER_MDY;
	if (!nx_date__is_alpha((unsigned char)tag[0]) || !nx_date__is_alpha((unsigned char)tag[1]) ||
	    (tag[2] != '\0' && tag[2] != '-'))
		return NX_DATE_ORDER_NONE;
	/* year-first languages never write the day and month alone first */
	if (strncmp(tag, "zh", 2) == 0 || strncmp(tag, "ja", 2) == 0 ||
	    strncmp(tag, "ko", 2) == 0 || strncmp(tag, "hu", 2) == 0)
		return NX_DATE_ORDER_NONE;
	return NX_DATE_ORDER_DMY;
}

/* Labels, lower case, matched at the end of the text before a date. */
typedef struct label {
	const char *word;
	int kind;
} label;

static const label labels[] = {
	{ "updated", NX_DATE_LABEL_UPDATED }, { "update", NX_DATE_LABEL_UPDATED },
	{ "modified", NX_DATE_LABEL_UPDATED }, { "edited", NX_DATE_LABEL_UPDATED },
	{ "aktualisiert", NX_DATE_LABEL_UPDATED }, { "aktualisierung", NX_DATE_LABEL_UPDATED },
	{ "änderung", NX_DATE_LABEL_UPDATED }, { "geändert", NX_DATE_LABEL_UPDATED },
	{ "bearbeitet", NX_DATE_LABEL_UPDATED }, { "jour", NX_DATE_LABEL_UPDATED },
	{ "modifié", NX_DATE_LABEL_UPDATED }, { "actualizado", NX_DATE_LABEL_UPDATED },
	{ "actualización", NX_DATE_LABEL_UPDATED }, { "aggiornato", NX_DATE_LABEL_UPDATED },
	{ "atualizado", NX_DATE_LABEL_UPDATED }, { "bijgewerkt", NX_DATE_LABEL_UPDATED },
	{ "обновлено", NX_DATE_LABEL_UPDATED }, { "zaktualizowano", NX_DATE_LABEL_UPDATED },
	{ "published", NX_DATE_LABEL_PUBLISHED }, { "posted", NX_DATE_LABEL_PUBLISHED },
	{ "veröffentlicht", NX_DATE_LABEL_PUBLISHED }, { "erschienen", NX_DATE_LABEL_PUBLISHED },
	{ "publié", NX_DATE_LABEL_PUBLISHED }, { "publicado", NX_DATE_LABEL_PUBLISHED },
	{ "pubblicato", NX_DATE_LABEL_PUBLISHED }, { "gepubliceerd", NX_DATE_LABEL_PUBLISHED },
	{ "опубликовано", NX_DATE_LABEL_PUBLISHED }, { "opublikowano", NX_DATE_LABEL_PUBLISHED },
	{ "publicerad", NX_DATE_LABEL_PUBLISHED }
};

int nx_date_label(const char *text, size_t start)
{
	scan sc;
	tok t;
	size_t from = start > 48 ? start - 48 : 0, pos = 0, i = 0, words = 0;
	int kind = NX_DATE_LABEL_NONE;
	char buf[32];

	if (text == NULL)
		return NX_DATE_LABEL_NONE;
	/* start at a character boundary */
	while (from < start && ((unsigned char)text[from] & 0xC0) == 0x80)
		from++;
	sc.s = text + from;
	sc.len = start - from;
	sc.order = NX_DATE_ORDER_NONE;
	/* the last label word wins: "Published ... Updated <date>" */
	for (pos = 0;;) {
		nx_date__lex(&sc, pos, &t);
		if (t.kind == TK_END)
			break;
		pos = t.end;
		if (t.kind != TK_WORD)
			continue;
		words++;
		if (!nx_date__fold_word(&sc, &t, buf, sizeof(buf)))
			continue;
		for (i = 0; i < sizeof(labels) / sizeof(labels[0]); i++) {
			if (strcmp(buf, labels[i].word) == 0) {
				kind = labels[i].kind;
				words = 0;
			}
		}
	}
	/* a label more than four words back names something else */
	if (words > 4)
		kind = NX_DATE_LABEL_NONE;
	return kind;
}

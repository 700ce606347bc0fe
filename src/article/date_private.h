/*
 * date_private.h - what the parts of the date parser share.
 *   date_lex.c     tokens, and the words dates use (months, weekdays, zones)
 *   date.c         the date patterns, nx_date_parse/find, labels
 *   date_format.c  calendar arithmetic and formatting
 */
#ifndef NX_ARTICLE_DATE_PRIVATE_H
#define NX_ARTICLE_DATE_PRIVATE_H

#include <stddef.h>
#include <stdint.h>

#include "newsidx/date.h"

/* ASCII helpers: nothing here may depend on the locale. */
static inline int nx_date__is_digit(int c)
{
	return c >= '0' && c <= '9';
}

static inline int nx_date__is_alpha(int c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static inline int nx_date__to_lower(int c)
{
	return (c >= 'A' && c <= 'Z') ? c + ('a' - 'A') : c;
}

enum { TK_END, TK_NUM, TK_WORD, TK_PUNCT };

typedef struct tok {
	int kind;
	size_t start; /* first byte of the token */
	size_t end;   /* one past its last byte */
	int sp;       /* white space came before it */
	int c;        /* the byte, for TK_PUNCT */
	size_t ndig;  /* digits, for TK_NUM */
	long val;     /* value of a TK_NUM of at most 9 digits, else -1 */
} tok;

typedef struct scan {
	const char *s;
	size_t len;
	nx_date_order order; /* how to read 08/07/2021 */
} scan;

typedef struct zone_name {
	const char *name;
	int off;     /* minutes east; the standard offset when us_auto */
	int us_auto; /* US zone named without S/D: DST from the date */
} zone_name;

/* ---- date_lex.c ---- */

/* Position after the white space (ASCII, NBSP, thin spaces) at pos. */
size_t nx_date__skip_space(const char *s, size_t len, size_t pos);

/* Read the token at or after pos (white space skipped). */
void nx_date__lex(const scan *sc, size_t pos, tok *t);

/* 1 when the word token t is name (lower case), ignoring ASCII case. */
int nx_date__word_is(const scan *sc, const tok *t, const char *name);

/*
 * Consume punctuation byte c at *pos.  With glued, no white space may
 * come before it.  Returns 1 and advances *pos, or 0 and leaves it.
 */
int nx_date__take_punct(const scan *sc, size_t *pos, int c, int glued);

/* Consume a number of mindig..maxdig digits; *val receives it. */
int nx_date__take_num(const scan *sc, size_t *pos, size_t mindig, size_t maxdig,
		    int glued, long *val);

/* Consume the word name (lower case), any case in the text. */
int nx_date__take_word(const scan *sc, size_t *pos, const char *name, int glued);

/*
 * Lower-case the word token t into buf (NUL-terminated UTF-8): ASCII,
 * Latin-1, Latin Extended-A and the basic Cyrillic capitals.  Returns 0
 * when the word does not fit.
 */
int nx_date__fold_word(const scan *sc, const tok *t, char *buf, size_t size);

/* Month 1..12 named by word token t ("jul", "July", "SEPT", "août"), or 0. */
int nx_date__month_of(const scan *sc, const tok *t);

/* 1 when word token t names a weekday (English, full or abbreviated). */
int nx_date__is_weekday(const scan *sc, const tok *t);

/* 1 when word token t is one of the lower-case UTF-8 words in list. */
int nx_date__word_in(const scan *sc, const tok *t, const char *const *list);

/* The time zone named by word token t, or NULL. */
const zone_name *nx_date__zone_of(const scan *sc, const tok *t);

/* ---- date_format.c ---- */

/* Days in month m of year y (proleptic Gregorian). */
int nx_date__days_in_month(long y, long m);

/*
 * 1 when a US local wall-clock time observes daylight saving time.  The
 * switch happens at 02:00 local; the repeated hour in autumn is taken as
 * daylight time.  Rules: 2007 on, second Sunday in March to first Sunday
 * in November; 1987-2006, first Sunday in April to last Sunday in October;
 * 1967-1986, last Sunday in April to last Sunday in October; none before.
 */
int nx_date__us_dst(long y, int m, int d, int h);

#endif

/*
 * newsidx/date.h - one parser for every date form a news archive holds.
 *
 * Accepted, among others:
 *   01:42 GMT 08.07.2021              (Sputnik-style dateline, DD.MM.YYYY)
 *   Thu, 08 Jul 2021 01:42:00 GMT     (RFC 822/1123; +0300, EDT, PST, Z, UT)
 *   2021-07-08T01:42:00Z, 2021-07-08T04:42+03:00, 2021-07-08 01:42:00
 *   20210708T014200+0000              (ISO 8601 basic form)
 *   July 8, 2021 1:42 AM EDT, 8 July 2021, Jul 8 2021
 *   2021-07-08, 08-JUL-2021 01:42:00.79 (Reuters SGML)
 *   28.01.22 (DD.MM.YY), 13/01/2020 and 02/17/2020 (see nx_date_order)
 *   3. August 2015 um 14:30 Uhr, 3 août 2015 à 14h30, 3 de agosto de 2015,
 *   3 августа 2015 г., 3 sierpnia 2015 r., 3 augustus 2015 (month names of
 *   German, French, Spanish, Italian, Portuguese, Dutch, the Scandinavian
 *   languages, and the genitive forms of Russian and Polish)
 * Invalid calendar dates and times (31.02.2021, 25:00) are rejected, never
 * guessed.  A date with no zone is taken as UTC and has_offset stays 0.
 */
#ifndef NEWSIDX_DATE_H
#define NEWSIDX_DATE_H

#include <stddef.h>
#include <stdint.h>

#include "newsidx/error.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct nx_time {
	int64_t utc;      /* seconds since 1970-01-01T00:00:00Z */
	int32_t offset;   /* minutes east of UTC that the source gave */
	uint8_t set;      /* 0: no time at all (every other field is 0) */
	uint8_t has_time; /* 0: only a calendar day was given */
	uint8_t has_offset; /* 1: the source named a zone or an offset */
} nx_time;

#define NX_TIME_INIT { 0, 0, 0, 0, 0 }

/*
 * How to read a numeric date whose day and month could be either way
 * round (08/07/2021, 08-07-2021).  Whatever the order, a number above 12
 * can only be the day, so 13/01/2020 and 01/13/2020 are always read; an
 * impossible date (13/13/2020) is always rejected.
 */
typedef enum nx_date_order {
	NX_DATE_ORDER_NONE = 0, /* ambiguous ones are rejected */
	NX_DATE_ORDER_DMY = 1,  /* day first: 08/07/2021 is 8 July */
	NX_DATE_ORDER_MDY = 2   /* month first (US): 08/07/2021 is 7 August */
} nx_date_order;

/*
 * Parse the date in s[0..len).  Leading and trailing white space is
 * ignored; anything else that is not part of a date makes it fail.
 * Returns NX_OK and fills *out, or NX_EFORMAT (out is zeroed).
 */
int nx_date_parse(nx_time *out, const char *s, size_t len);

/*
 * Find the first date inside free text (a dateline such as
 * "01:42 GMT 08.07.2021 (Updated: 13:20 GMT 06.08.2022)" or
 * "Published July 8, 2021 at 1:42 a.m. ET").  On success *start and *end
 * (may be NULL) receive the byte span of the date inside text.
 * Returns NX_OK or NX_ENOTFOUND.
 */
int nx_date_find(nx_time *out, const char *text, size_t len,
		 size_t *start, size_t *end);

/* nx_date_parse, reading ambiguous D/M dates in the given order. */
int nx_date_parse_order(nx_time *out, const char *s, size_t len, nx_date_order order);

/* nx_date_find, reading ambiguous D/M dates in the given order. */
int nx_date_find_order(nx_time *out, const char *text, size_t len, nx_date_order order,
		       size_t *start, size_t *end);

/*
 * The order a language tag ("en", "en-US", "en-GB", "de", "fr_FR") writes
 * numeric dates in: month first for US English (plain "en" included),
 * day first for the other languages, NX_DATE_ORDER_NONE for year-first
 * languages (zh, ja, ko, hu), NULL or a malformed tag.
 */
nx_date_order nx_date_order_of_lang(const char *lang);

enum {
	NX_DATE_LABEL_NONE = 0,
	NX_DATE_LABEL_PUBLISHED = 1, /* "Published", "Veröffentlicht am", "Publié le" */
	NX_DATE_LABEL_UPDATED = 2    /* "Updated", "Letzte Änderung:", "Mis à jour le" */
};

/*
 * What the words just before the date that starts at text[start] call it
 * (found with nx_date_find, for instance): the last label word among the
 * 48 bytes before start, if at most four words separate it from the date.
 * Reads text[0..start) only.  Returns an NX_DATE_LABEL_ value.
 */
int nx_date_label(const char *text, size_t start);

/* Write the UTC form "2021-07-08T01:42:00Z" into buf (at least 21 bytes). */
void nx_date_format_utc(char buf[21], int64_t utc);

/*
 * Write the local form "2021-07-08T04:42:00+03:00" into buf (at least 26
 * bytes), using t->offset.
 */
void nx_date_format_local(char buf[26], const nx_time *t);

/* Days since 1970-01-01 of a proleptic Gregorian date (no validation). */
int64_t nx_date_days_from_civil(int64_t y, unsigned m, unsigned d);

#ifdef __cplusplus
}
#endif
#endif

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

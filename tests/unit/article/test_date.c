/*
 * test_date.c - unit tests for src/article/date.c.
 *
 * The parse table below is run one row per cmocka test: every accepted
 * form with its UTC instant, offset and flags, and inputs that must be
 * rejected.  Separate tests cover nx_date_find, formatting, the calendar
 * helper and robustness (no NUL terminator, invalid UTF-8, huge input).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "newsidx/date.h"
#include "newsidx/error.h"

typedef struct parse_case {
	const char *name;  /* test name; the input when printable */
	const char *in;
	size_t len;        /* bytes of in; 0 means strlen(in) */
	int rc;            /* NX_OK or NX_EFORMAT */
	const char *utc;   /* nx_date_format_utc() of the result */
	int32_t offset;    /* minutes east */
	int has_time;
	int has_offset;
} parse_case;

#define OK(in, utc, off, t, o) { in, in, 0, NX_OK, utc, off, t, o }
#define OKN(name, in, utc, off, t, o) { name, in, 0, NX_OK, utc, off, t, o }
#define BAD(in) { "reject: " in, in, 0, NX_EFORMAT, NULL, 0, 0, 0 }
#define BADN(name, in, len) { "reject: " name, in, len, NX_EFORMAT, NULL, 0, 0, 0 }

static parse_case cases[] = {
	/* Sputnik datelines: HH:MM ZONE DD.MM.YYYY */
	OK("01:42 GMT 08.07.2021", "2021-07-08T01:42:00Z", 0, 1, 1),
	OK("13:20 GMT 06.08.2022", "2022-08-06T13:20:00Z", 0, 1, 1),
	OK("01:42 GMT+3 08.07.2021", "2021-07-07T22:42:00Z", 180, 1, 1),
	OK("13:20 08.07.2021", "2021-07-08T13:20:00Z", 0, 1, 0),
	OK("1:42 AM EDT, July 8, 2021", "2021-07-08T05:42:00Z", -240, 1, 1),

	/* RFC 822 / 1123 / 2822 */
	OK("Thu, 08 Jul 2021 01:42:00 GMT", "2021-07-08T01:42:00Z", 0, 1, 1),
	OK("Thu, 08 Jul 2021 04:42:00 +0300", "2021-07-08T01:42:00Z", 180, 1, 1),
	OK("Wed, 07 Jul 2021 21:42:00 -0400", "2021-07-08T01:42:00Z", -240, 1, 1),
	OK("Thu, 08 Jul 2021 01:42:00 Z", "2021-07-08T01:42:00Z", 0, 1, 1),
	OK("Thu, 08 Jul 2021 01:42:00 UT", "2021-07-08T01:42:00Z", 0, 1, 1),
	OK("Thu, 08 Jul 2021 01:42:00 UTC", "2021-07-08T01:42:00Z", 0, 1, 1),
	OK("Wed, 07 Jul 2021 20:42:00 EST", "2021-07-08T01:42:00Z", -300, 1, 1),
	OK("Wed, 07 Jul 2021 21:42:00 EDT", "2021-07-08T01:42:00Z", -240, 1, 1),
	OK("Wed, 07 Jul 2021 19:42:00 CST", "2021-07-08T01:42:00Z", -360, 1, 1),
	OK("Wed, 07 Jul 2021 20:42:00 CDT", "2021-07-08T01:42:00Z", -300, 1, 1),
	OK("Wed, 07 Jul 2021 18:42:00 MST", "2021-07-08T01:42:00Z", -420, 1, 1),
	OK("Wed, 07 Jul 2021 19:42:00 MDT", "2021-07-08T01:42:00Z", -360, 1, 1),
	OK("Wed, 07 Jul 2021 17:42:00 PST", "2021-07-08T01:42:00Z", -480, 1, 1),
	OK("Wed, 07 Jul 2021 18:42:00 PDT", "2021-07-08T01:42:00Z", -420, 1, 1),
	OK("08 Jul 2021 01:42:00 GMT", "2021-07-08T01:42:00Z", 0, 1, 1),
	OK("Thu, 08 Jul 2021 01:42 GMT", "2021-07-08T01:42:00Z", 0, 1, 1),
	OK("Thu, 8 Jul 2021 01:42:00 -0000", "2021-07-08T01:42:00Z", 0, 1, 1),
	OK("thu, 08 jul 2021 01:42:00 gmt", "2021-07-08T01:42:00Z", 0, 1, 1),
	OK("Thu, 08 Jul 2021 01:42:00 +0000 (UTC)", "2021-07-08T01:42:00Z", 0, 1, 1),
	OK("Thu, 08 Jul 2021 04:42:00 MSK", "2021-07-08T01:42:00Z", 180, 1, 1),
	OK("Thu, 08 Jul 2021 01:42:00", "2021-07-08T01:42:00Z", 0, 1, 0),
	OK("Thu, 08 Jul 2021 04:42:00+0300", "2021-07-08T01:42:00Z", 180, 1, 1),
	OK("Thu, 08 Jul 2021 07:12:00 +05:30", "2021-07-08T01:42:00Z", 330, 1, 1),
	/* RFC 2822 obsolete years: 00-49 -> 20xx, 50-99 -> 19xx, 3 digits +1900 */
	OK("Thu, 08 Jul 21 01:42:00 GMT", "2021-07-08T01:42:00Z", 0, 1, 1),
	OK("Fri, 09 Jul 99 01:42:00 GMT", "1999-07-09T01:42:00Z", 0, 1, 1),
	OK("08 Jul 49 01:42:00 +0000", "2049-07-08T01:42:00Z", 0, 1, 1),
	OK("08 Jul 50 01:42 GMT", "1950-07-08T01:42:00Z", 0, 1, 1),
	OK("08 Jul 121 01:42:00 GMT", "2021-07-08T01:42:00Z", 0, 1, 1),

	/* asctime / date(1) */
	OK("Thu Jul  8 01:42:00 2021", "2021-07-08T01:42:00Z", 0, 1, 0),
	OK("Thu Jul 8 01:42:00 UTC 2021", "2021-07-08T01:42:00Z", 0, 1, 1),

	/* ISO 8601 extended */
	OK("2021-07-08T01:42:00Z", "2021-07-08T01:42:00Z", 0, 1, 1),
	OK("2021-07-08T01:42:00.123Z", "2021-07-08T01:42:00Z", 0, 1, 1),
	OK("2021-07-08T04:42+03:00", "2021-07-08T01:42:00Z", 180, 1, 1),
	OK("2021-07-08T04:42:00+0300", "2021-07-08T01:42:00Z", 180, 1, 1),
	OK("2021-07-08T04:42:00+03", "2021-07-08T01:42:00Z", 180, 1, 1),
	OK("2021-07-07T21:42:00-04:00", "2021-07-08T01:42:00Z", -240, 1, 1),
	OK("2021-07-08T07:12:00.5+05:30", "2021-07-08T01:42:00Z", 330, 1, 1),
	OK("2021-07-08 01:42:00", "2021-07-08T01:42:00Z", 0, 1, 0),
	OK("2021-07-08 04:42:00 +0300", "2021-07-08T01:42:00Z", 180, 1, 1),
	OK("2021-07-08T01:42", "2021-07-08T01:42:00Z", 0, 1, 0),
	OK("2021-07-08t01:42:00z", "2021-07-08T01:42:00Z", 0, 1, 1),
	OK("2021-07-08T00:00:00+14:00", "2021-07-07T10:00:00Z", 840, 1, 1),
	OK("2021-07-08T00:00:00-12:00", "2021-07-08T12:00:00Z", -720, 1, 1),
	OK("2021-07-08", "2021-07-08T00:00:00Z", 0, 0, 0),

	/* ISO 8601 basic */
	OK("20210708T014200+0000", "2021-07-08T01:42:00Z", 0, 1, 1),
	OK("20210708T014200Z", "2021-07-08T01:42:00Z", 0, 1, 1),
	OK("20210708T0442+0300", "2021-07-08T01:42:00Z", 180, 1, 1),
	OK("20210708T014200", "2021-07-08T01:42:00Z", 0, 1, 0),
	OK("20210708", "2021-07-08T00:00:00Z", 0, 0, 0),

	/* numeric dates */
	OK("08.07.2021", "2021-07-08T00:00:00Z", 0, 0, 0),
	OK("8.7.2021", "2021-07-08T00:00:00Z", 0, 0, 0),
	/* German typography: spaced, thin spaces (issue 19 item 11) */
	OK("8. 7. 2021", "2021-07-08T00:00:00Z", 0, 0, 0),
	OK("8.\xE2\x80\x89" "7.\xE2\x80\x89" "2021", "2021-07-08T00:00:00Z", 0, 0, 0),
	/* zones of Asia and Oceania, in capitals, after a 12-hour time */
	OK("Jul 12, 2020, 01:38:07 PM IST", "2020-07-12T08:08:07Z", 330, 1, 1),
	OK("July 12, 2020 11:05 pm AEST", "2020-07-12T13:05:00Z", 600, 1, 1),
	OK("2021/07/08", "2021-07-08T00:00:00Z", 0, 0, 0),
	OK("2021/7/8", "2021-07-08T00:00:00Z", 0, 0, 0),
	OK("08.07.2021 13:20", "2021-07-08T13:20:00Z", 0, 1, 0),
	OK("29.02.2020", "2020-02-29T00:00:00Z", 0, 0, 0),
	OK("2000-02-29", "2000-02-29T00:00:00Z", 0, 0, 0),
	OK("1800-01-01", "1800-01-01T00:00:00Z", 0, 0, 0),
	OK("2200-12-31", "2200-12-31T00:00:00Z", 0, 0, 0),

	/* English month names, any case */
	OK("July 8, 2021 1:42 AM EDT", "2021-07-08T05:42:00Z", -240, 1, 1),
	OK("July 8, 2021, 1:42 a.m. ET", "2021-07-08T05:42:00Z", -240, 1, 1),
	OK("July 8, 2021 at 1:42 p.m. ET", "2021-07-08T17:42:00Z", -240, 1, 1),
	OK("8 July 2021", "2021-07-08T00:00:00Z", 0, 0, 0),
	OK("Jul 8 2021", "2021-07-08T00:00:00Z", 0, 0, 0),
	OK("8 Jul 2021 13:20", "2021-07-08T13:20:00Z", 0, 1, 0),
	OK("JULY 8, 2021", "2021-07-08T00:00:00Z", 0, 0, 0),
	OK("july 8th, 2021", "2021-07-08T00:00:00Z", 0, 0, 0),
	OK("1st January 2021", "2021-01-01T00:00:00Z", 0, 0, 0),
	OK("Thursday, July 8, 2021", "2021-07-08T00:00:00Z", 0, 0, 0),
	OK("Sept. 8, 2021", "2021-09-08T00:00:00Z", 0, 0, 0),
	OK("Dec. 31, 1999 11:59 PM", "1999-12-31T23:59:00Z", 0, 1, 0),
	OK("8 July, 2021", "2021-07-08T00:00:00Z", 0, 0, 0),
	OK("July 8, 2021 1:42AM", "2021-07-08T01:42:00Z", 0, 1, 0),
	OK("July 8, 2021 5 PM", "2021-07-08T17:00:00Z", 0, 1, 0),

	/* 12 AM is midnight, 12 PM is noon */
	OK("July 8, 2021 12:00 AM", "2021-07-08T00:00:00Z", 0, 1, 0),
	OK("July 8, 2021 12:00 PM", "2021-07-08T12:00:00Z", 0, 1, 0),
	OK("July 8, 2021 12:30 am", "2021-07-08T00:30:00Z", 0, 1, 0),
	OK("July 8, 2021 12:59 P.M.", "2021-07-08T12:59:00Z", 0, 1, 0),

	/* ET follows US daylight saving: 2021-03-14 to 2021-11-07 */
	OK("March 13, 2021 12:00 PM ET", "2021-03-13T17:00:00Z", -300, 1, 1),
	OK("March 14, 2021 1:59 AM ET", "2021-03-14T06:59:00Z", -300, 1, 1),
	OK("March 14, 2021 3:00 AM ET", "2021-03-14T07:00:00Z", -240, 1, 1),
	OK("November 6, 2021 11:00 PM ET", "2021-11-07T03:00:00Z", -240, 1, 1),
	OK("November 7, 2021 12:30 AM ET", "2021-11-07T04:30:00Z", -240, 1, 1),
	OK("November 7, 2021 3:00 AM ET", "2021-11-07T08:00:00Z", -300, 1, 1),
	OK("January 8, 2021, 1:42 p.m. ET", "2021-01-08T18:42:00Z", -300, 1, 1),
	OK("March 12, 2023 2:00 PM ET", "2023-03-12T18:00:00Z", -240, 1, 1),
	OK("July 8, 2021 9:00 AM PT", "2021-07-08T16:00:00Z", -420, 1, 1),

	/* Reuters SGML */
	OK("26-FEB-1987 15:01:01.79", "1987-02-26T15:01:01Z", 0, 1, 0),
	OK("8-Mar-1987", "1987-03-08T00:00:00Z", 0, 0, 0),

	/* other languages: month names, "3." days, fillers, clock words */
	OK("3. August 2015", "2015-08-03T00:00:00Z", 0, 0, 0),
	OK("14. Dezember 2021 um 10:30 Uhr", "2021-12-14T10:30:00Z", 0, 1, 0),
	OK("Mittwoch, 3. März 2021", "2021-03-03T00:00:00Z", 0, 0, 0),
	OK("3. Mär. 2021", "2021-03-03T00:00:00Z", 0, 0, 0),
	OK("3 août 2015", "2015-08-03T00:00:00Z", 0, 0, 0),
	OK("3 AOÛT 2015", "2015-08-03T00:00:00Z", 0, 0, 0),
	OK("3 août 2015 à 14h30", "2015-08-03T14:30:00Z", 0, 1, 0),
	OK("lundi 3 févr. 2020", "2020-02-03T00:00:00Z", 0, 0, 0),
	OK("3 de agosto de 2015", "2015-08-03T00:00:00Z", 0, 0, 0),
	OK("3 de agosto del 2015 a las 14:30", "2015-08-03T14:30:00Z", 0, 1, 0),
	OK("3 agosto 2015", "2015-08-03T00:00:00Z", 0, 0, 0),
	OK("3 março 2015", "2015-03-03T00:00:00Z", 0, 0, 0),
	OK("3 augustus 2015", "2015-08-03T00:00:00Z", 0, 0, 0),
	OK("3 августа 2015", "2015-08-03T00:00:00Z", 0, 0, 0),
	OK("3 Августа 2015 г.", "2015-08-03T00:00:00Z", 0, 0, 0),
	OK("3 августа 2015 года, 14:30", "2015-08-03T14:30:00Z", 0, 1, 0),
	OK("3 sierpnia 2015", "2015-08-03T00:00:00Z", 0, 0, 0),
	OK("3 października 2015 r.", "2015-10-03T00:00:00Z", 0, 0, 0),
	OK("3 września 2015", "2015-09-03T00:00:00Z", 0, 0, 0),
	OK("14.30 Uhr 08.07.2021", "2021-07-08T14:30:00Z", 0, 1, 0),
	/* DD.MM.YY: two-digit day, month and year only */
	OK("28.01.22", "2022-01-28T00:00:00Z", 0, 0, 0),
	OK("31.10.23 13:20", "2023-10-31T13:20:00Z", 0, 1, 0),
	OK("01.02.99", "1999-02-01T00:00:00Z", 0, 0, 0),
	/* slashed and dashed: a number above 12 can only be the day */
	OK("13/01/2020", "2020-01-13T00:00:00Z", 0, 0, 0),
	OK("02/17/2020", "2020-02-17T00:00:00Z", 0, 0, 0),
	OK("17-02-2022 10:00", "2022-02-17T10:00:00Z", 0, 1, 0),

	/* white space */
	OK("  2021-07-08T01:42:00Z \n", "2021-07-08T01:42:00Z", 0, 1, 1),
	OKN("NBSP between words", "Jul\xc2\xa0" "8,\xc2\xa0" "2021",
	    "2021-07-08T00:00:00Z", 0, 0, 0),
	OKN("narrow NBSP before PM", "July 8, 2021 1:42\xe2\x80\xaf" "PM",
	    "2021-07-08T13:42:00Z", 0, 1, 0),

	/* invalid calendar dates */
	BAD("31.02.2021"),
	BAD("29.02.2021"),
	BAD("29.02.1900"),
	BAD("2021-13-01"),
	BAD("2021-00-10"),
	BAD("2021-07-32"),
	BAD("31 April 2021"),
	BAD("20210732"),
	BAD("30-FEB-1987 15:01:01.79"),
	/* invalid times */
	BAD("2021-07-08T25:00"),
	BAD("2021-07-08 12:60"),
	BAD("2021-07-08T12:30:61Z"),
	BAD("July 8, 2021 13:00 PM"),
	BAD("July 8, 2021 0:30 AM"),
	BAD("25:00 GMT 08.07.2021"),
	BAD("2021-07-08T01:42:00+25:00"),
	BAD("2021-07-08T01:42:00+03:60"),
	BAD("2021-07-08T01:42:00+14:01"),
	BAD("2021-07-08 13:20-14:00"),
	/* years outside 1800..2200 */
	BAD("1799-12-31"),
	BAD("2201-01-01"),
	BAD("08.07.1799"),
	BAD("July 8, 2500"),
	/* ambiguous slashed dates (with no order given) and impossible ones */
	BAD("08/07/2021"),
	BAD("8/7/2021"),
	BAD("07/08/21"),
	BAD("08-07-2021"),
	BAD("13/13/2020"),
	BAD("31/02/2020"),
	BAD("02/30/2020"),
	/* foreign and short forms that are not dates */
	BAD("31. Februar 2021"),
	BAD("29 février 2021"),
	BAD("3 août"),
	BAD("3 de agosto"),
	BAD("32 августа 2015"),
	BAD("1.2.22"),
	BAD("8. 7. 21"),
	BAD("Jul 12, 2020, 01:38:07 PM ist"),
	BAD("28.01.2"),
	BAD("28.13.22"),
	BAD("3 foo 2015"),
	BAD("14.30 08.07.2021"),
	/* trailing or leading garbage, partial dates */
	BAD("2021-07-08 junk"),
	BAD("2021-07-08T01:42:00Zjunk"),
	BAD("2021-07-08T"),
	BAD("Thu, 08 Jul 2021 01:42:00 XYZ"),
	BAD("Thu, 08 Jul 2021 01:42:00 +03"),
	BAD("08.07.2021 13:20-14:00"),
	BAD("08.07.2021 13:20+03"),
	BAD("on 2021-07-08"),
	BAD(""),
	BAD("   "),
	BAD("hello"),
	BAD("July 2021"),
	BAD("Jul 8"),
	BAD("8 Jul 21"),
	BAD("2021-7-8"),
	BAD("2021 - 07 - 08"),
	BAD("01:42 GMT"),
	BAD("2021-07-08T014200Z"),
	BADN("invalid UTF-8 prefix", "\xff\xfe" "2021-07-08", 0),
	BADN("embedded NUL", "2021-07-08\0", 11),
};

#define NCASES (sizeof(cases) / sizeof(cases[0]))

static void test_parse_case(void **state)
{
	const parse_case *c = *state;
	size_t len = c->len != 0 ? c->len : strlen(c->in);
	nx_time t = { 12345, 77, 1, 1, 1 };
	char buf[21];
	int rc = 0;

	rc = nx_date_parse(&t, c->in, len);
	assert_int_equal(rc, c->rc);
	if (c->rc != NX_OK) {
		/* out is zeroed on failure */
		assert_int_equal(t.set, 0);
		assert_true(t.utc == 0);
		assert_int_equal(t.offset, 0);
		assert_int_equal(t.has_time, 0);
		assert_int_equal(t.has_offset, 0);
		return;
	}
	nx_date_format_utc(buf, t.utc);
	assert_string_equal(buf, c->utc);
	assert_int_equal(t.set, 1);
	assert_int_equal(t.offset, c->offset);
	assert_int_equal(t.has_time, c->has_time);
	assert_int_equal(t.has_offset, c->has_offset);
}

/* Exact epoch values, independent of the formatter. */
static void test_parse_epoch(void **state)
{
	nx_time t = NX_TIME_INIT;
	const char *s = "01:42 GMT 08.07.2021";

	(void)state;
	assert_int_equal(nx_date_parse(&t, s, strlen(s)), NX_OK);
	assert_true(t.utc == 1625708520);
	s = "26-FEB-1987 15:01:01.79";
	assert_int_equal(nx_date_parse(&t, s, strlen(s)), NX_OK);
	assert_true(t.utc == 541350061);
	s = "1800-01-01";
	assert_int_equal(nx_date_parse(&t, s, strlen(s)), NX_OK);
	assert_true(t.utc == -62091LL * 86400);
	assert_int_equal(nx_date_parse(NULL, s, strlen(s)), NX_OK);
	assert_int_equal(nx_date_parse(&t, NULL, 0), NX_EFORMAT);
}

/* Input that is not NUL-terminated: the parser must stay inside len. */
static void test_parse_no_nul(void **state)
{
	const char *s = "2021-07-08T01:42:00Z";
	size_t n = strlen(s);
	char *p = NULL;
	nx_time t = NX_TIME_INIT;
	char buf[21];

	(void)state;
	p = malloc(n);
	assert_non_null(p);
	memcpy(p, s, n);
	assert_int_equal(nx_date_parse(&t, p, n), NX_OK);
	nx_date_format_utc(buf, t.utc);
	assert_string_equal(buf, "2021-07-08T01:42:00Z");
	/* every prefix must be handled without reading past it */
	for (size_t i = 0; i < n; i++)
		(void)nx_date_parse(&t, p + n - i, i);
	assert_int_equal(nx_date_parse(&t, p, 10), NX_OK);
	assert_int_equal(t.has_time, 0);
	free(p);
}

typedef struct find_case {
	const char *text;
	int rc;
	size_t start, end;
	const char *utc;
} find_case;

static const find_case finds[] = {
	{ "01:42 GMT 08.07.2021 (Updated: 13:20 GMT 06.08.2022)",
	  NX_OK, 0, 20, "2021-07-08T01:42:00Z" },
	{ " (Updated: 13:20 GMT 06.08.2022)",
	  NX_OK, 11, 31, "2022-08-06T13:20:00Z" },
	{ "Posted on July 8, 2021 at 1:42 a.m. ET by Jane Doe",
	  NX_OK, 10, 38, "2021-07-08T05:42:00Z" },
	{ "Published 2021-07-08T01:42:00Z.",
	  NX_OK, 10, 30, "2021-07-08T01:42:00Z" },
	{ "Updated: Thu, 08 Jul 2021 01:42:00 GMT",
	  NX_OK, 9, 38, "2021-07-08T01:42:00Z" },
	{ "Published at 13:20 GMT 06.08.2022",
	  NX_OK, 13, 33, "2022-08-06T13:20:00Z" },
	{ "invalid 31.02.2021 then 01.03.2021 ok",
	  NX_OK, 24, 34, "2021-03-01T00:00:00Z" },
	{ "Story 12345 on 8 Jul 2021 13:20 by staff",
	  NX_OK, 15, 31, "2021-07-08T13:20:00Z" },
	{ "seen 2021-07-08 and 2022-01-01",
	  NX_OK, 5, 15, "2021-07-08T00:00:00Z" },
	{ "No date here at all, 12:00 noon", NX_ENOTFOUND, 0, 0, NULL },
	{ "on 08/07/2021 we met", NX_ENOTFOUND, 0, 0, NULL },
	{ "Von: Björn Jahner | 31.10.23 | Bangkok",
	  NX_OK, 21, 29, "2023-10-31T00:00:00Z" },
	{ "host 10.10.10.10 up", NX_ENOTFOUND, 0, 0, NULL },
	{ "Version 1.2.23 out", NX_ENOTFOUND, 0, 0, NULL },
	{ "Gespeichert von rasos am 24. Juli 2017 - 18:55",
	  NX_OK, 25, 46, "2017-07-24T18:55:00Z" },
	{ "", NX_ENOTFOUND, 0, 0, NULL },
};

static void test_find_table(void **state)
{
	nx_time t = NX_TIME_INIT;
	size_t i = 0, start = 0, end = 0;
	char buf[21];

	(void)state;
	for (i = 0; i < sizeof(finds) / sizeof(finds[0]); i++) {
		const find_case *c = &finds[i];
		int rc = nx_date_find(&t, c->text, strlen(c->text), &start, &end);

		if (rc != c->rc || start != c->start || end != c->end)
			fail_msg("'%s': rc %d span [%zu,%zu), want %d [%zu,%zu)",
				 c->text, rc, start, end, c->rc, c->start, c->end);
		if (rc == NX_OK) {
			nx_date_format_utc(buf, t.utc);
			assert_string_equal(buf, c->utc);
		} else {
			assert_int_equal(t.set, 0);
		}
	}
}

/* Ambiguous day/month order decided by the hint, impossible ones never. */
static void test_order(void **state)
{
	static const struct {
		const char *in;
		nx_date_order order;
		int rc;
		const char *utc;
	} c[] = {
		{ "08/07/2021", NX_DATE_ORDER_DMY, NX_OK, "2021-07-08T00:00:00Z" },
		{ "08/07/2021", NX_DATE_ORDER_MDY, NX_OK, "2021-08-07T00:00:00Z" },
		{ "08/07/2021", NX_DATE_ORDER_NONE, NX_EFORMAT, NULL },
		{ "13/01/2020", NX_DATE_ORDER_MDY, NX_OK, "2020-01-13T00:00:00Z" },
		{ "02/17/2020", NX_DATE_ORDER_DMY, NX_OK, "2020-02-17T00:00:00Z" },
		{ "8-7-2021 13:20", NX_DATE_ORDER_DMY, NX_OK, "2021-07-08T13:20:00Z" },
		{ "31/04/2020", NX_DATE_ORDER_DMY, NX_EFORMAT, NULL },
		{ "04/31/2020", NX_DATE_ORDER_MDY, NX_EFORMAT, NULL },
		{ "13/13/2020", NX_DATE_ORDER_DMY, NX_EFORMAT, NULL },
	};
	nx_time t = NX_TIME_INIT;
	size_t i = 0, st = 0, en = 0;
	char buf[21];
	int rc = 0;

	(void)state;
	for (i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
		rc = nx_date_parse_order(&t, c[i].in, strlen(c[i].in), c[i].order);
		if (rc != c[i].rc)
			fail_msg("'%s' order %d: rc %d, want %d", c[i].in, (int)c[i].order, rc, c[i].rc);
		if (rc == NX_OK) {
			nx_date_format_utc(buf, t.utc);
			assert_string_equal(buf, c[i].utc);
		}
	}
	rc = nx_date_find_order(&t, "am 08/07/2021 um", 16, NX_DATE_ORDER_DMY, &st, &en);
	assert_int_equal(rc, NX_OK);
	assert_int_equal(st, 3);
	assert_int_equal(en, 13);
	nx_date_format_utc(buf, t.utc);
	assert_string_equal(buf, "2021-07-08T00:00:00Z");

	assert_int_equal(nx_date_order_of_lang("en"), NX_DATE_ORDER_MDY);
	assert_int_equal(nx_date_order_of_lang("en-US"), NX_DATE_ORDER_MDY);
	assert_int_equal(nx_date_order_of_lang("en-GB"), NX_DATE_ORDER_DMY);
	assert_int_equal(nx_date_order_of_lang("de"), NX_DATE_ORDER_DMY);
	assert_int_equal(nx_date_order_of_lang("fr_FR"), NX_DATE_ORDER_DMY);
	assert_int_equal(nx_date_order_of_lang("ja"), NX_DATE_ORDER_NONE);
	assert_int_equal(nx_date_order_of_lang(""), NX_DATE_ORDER_NONE);
	assert_int_equal(nx_date_order_of_lang(NULL), NX_DATE_ORDER_NONE);
}

static void test_label(void **state)
{
	static const struct {
		const char *text; /* the date starts after the last '|' */
		int kind;
	} c[] = {
		{ "Updated: |", NX_DATE_LABEL_UPDATED },
		{ "Letzte Änderung: |", NX_DATE_LABEL_UPDATED },
		{ "Mis à jour le |", NX_DATE_LABEL_UPDATED },
		{ "Veröffentlicht am |", NX_DATE_LABEL_PUBLISHED },
		{ "Erschienen am: |", NX_DATE_LABEL_PUBLISHED },
		{ "Published 3 May 2020, updated |", NX_DATE_LABEL_UPDATED },
		{ "Updated yesterday, published |", NX_DATE_LABEL_PUBLISHED },
		{ "updated the rules for the spring season in |", NX_DATE_LABEL_NONE },
		{ "By Jane Doe |", NX_DATE_LABEL_NONE },
		{ "|", NX_DATE_LABEL_NONE },
	};
	size_t i = 0;

	(void)state;
	for (i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
		const char *bar = strrchr(c[i].text, '|');

		if (nx_date_label(c[i].text, (size_t)(bar - c[i].text)) != c[i].kind)
			fail_msg("'%s': want %d", c[i].text, c[i].kind);
	}
	assert_int_equal(nx_date_label(NULL, 0), NX_DATE_LABEL_NONE);
}

/* Walk a dateline: each call continues after the previous span. */
static void test_find_walk(void **state)
{
	const char *text = "01:42 GMT 08.07.2021 (Updated: 13:20 GMT 06.08.2022)";
	size_t len = strlen(text), pos = 0, start = 0, end = 0;
	nx_time t = NX_TIME_INIT;
	char buf[21];
	int n = 0;

	(void)state;
	while (nx_date_find(&t, text + pos, len - pos, &start, &end) == NX_OK) {
		nx_date_format_utc(buf, t.utc);
		if (n == 0) {
			assert_int_equal(pos + start, 0);
			assert_int_equal(pos + end, 20);
			assert_string_equal(buf, "2021-07-08T01:42:00Z");
		} else {
			assert_int_equal(pos + start, 31);
			assert_int_equal(pos + end, 51);
			assert_string_equal(buf, "2022-08-06T13:20:00Z");
		}
		pos += end;
		n++;
	}
	assert_int_equal(n, 2);
	/* NULL span pointers are allowed */
	assert_int_equal(nx_date_find(&t, text, len, NULL, NULL), NX_OK);
	assert_int_equal(nx_date_find(NULL, text, len, NULL, NULL), NX_OK);
}

/* Large hostile inputs: must finish quickly and stay in bounds. */
static void test_find_huge(void **state)
{
	static const char *const fill[] = { "1:1 ", "12:30 ", "9", "a", " ",
					    "Jul 8 ", "08.07.", "\xff", "-+" };
	const size_t n = 1u << 18;
	const char *tail = "01:42 GMT 08.07.2021";
	size_t i = 0, k = 0, flen = 0, start = 0, end = 0;
	nx_time t = NX_TIME_INIT;
	char *p = NULL;

	(void)state;
	p = malloc(n + strlen(tail));
	assert_non_null(p);
	for (k = 0; k < sizeof(fill) / sizeof(fill[0]); k++) {
		flen = strlen(fill[k]);
		for (i = 0; i < n; i++)
			p[i] = fill[k][i % flen];
		p[n - 1] = ' ';
		memcpy(p + n, tail, strlen(tail));
		assert_int_equal(nx_date_find(&t, p, n + strlen(tail), &start, &end), NX_OK);
		assert_int_equal(start, n);
		assert_int_equal(end, n + strlen(tail));
		assert_int_equal(nx_date_parse(&t, p, n), NX_EFORMAT);
	}
	free(p);
}

/* Random bytes and mutated dates: no crash, no out-of-bounds read. */
static void test_fuzz_smoke(void **state)
{
	static const char alphabet[] = "0123456789:-+./, TZamp\xc2\xa0JulyGMTET()";
	unsigned long seed = 12345;
	size_t i = 0, j = 0, len = 0, start = 0, end = 0;
	nx_time t = NX_TIME_INIT;
	char *p = NULL;

	(void)state;
	for (i = 0; i < 20000; i++) {
		seed = seed * 6364136223846793005ULL + 1442695040888963407ULL;
		len = (seed >> 33) % 40;
		p = malloc(len + 1);
		assert_non_null(p);
		for (j = 0; j < len; j++) {
			seed = seed * 6364136223846793005ULL + 1442695040888963407ULL;
			if ((seed >> 60) == 0)
				p[j] = (char)(seed >> 40);
			else
				p[j] = alphabet[(seed >> 33) % (sizeof(alphabet) - 1)];
		}
		if (nx_date_parse(&t, p, len) == NX_OK)
			assert_int_equal(t.set, 1);
		if (nx_date_find(&t, p, len, &start, &end) == NX_OK) {
			assert_true(start < end && end <= len);
			assert_int_equal(nx_date_parse(&t, p + start, end - start), NX_OK);
		}
		free(p);
	}
}

static void test_format(void **state)
{
	char u[21], l[26];
	nx_time t = NX_TIME_INIT;

	(void)state;
	nx_date_format_utc(u, 0);
	assert_string_equal(u, "1970-01-01T00:00:00Z");
	nx_date_format_utc(u, -1);
	assert_string_equal(u, "1969-12-31T23:59:59Z");
	nx_date_format_utc(u, 951782400);
	assert_string_equal(u, "2000-02-29T00:00:00Z");
	nx_date_format_utc(u, INT64_MAX);
	assert_string_equal(u, "9999-12-31T23:59:59Z");
	nx_date_format_utc(u, INT64_MIN);
	assert_string_equal(u, "0000-01-01T00:00:00Z");

	t.utc = 1625708520;
	t.set = 1;
	t.offset = 180;
	nx_date_format_local(l, &t);
	assert_string_equal(l, "2021-07-08T04:42:00+03:00");
	t.offset = -240;
	nx_date_format_local(l, &t);
	assert_string_equal(l, "2021-07-07T21:42:00-04:00");
	t.offset = 330;
	nx_date_format_local(l, &t);
	assert_string_equal(l, "2021-07-08T07:12:00+05:30");
	t.offset = -570;
	nx_date_format_local(l, &t);
	assert_string_equal(l, "2021-07-07T16:12:00-09:30");
	t.offset = 0;
	nx_date_format_local(l, &t);
	assert_string_equal(l, "2021-07-08T01:42:00+00:00");
}

/* What format_local writes, parse reads back to the same instant and offset. */
static void test_format_roundtrip(void **state)
{
	static const char *const in[] = {
		"July 8, 2021, 1:42 a.m. ET", "Wed, 07 Jul 2021 17:42:00 PST",
		"2021-07-08T07:12:00.5+05:30", "01:42 GMT 08.07.2021",
		"26-FEB-1987 15:01:01.79"
	};
	nx_time a = NX_TIME_INIT, b = NX_TIME_INIT;
	char l[26];
	size_t i = 0;

	(void)state;
	for (i = 0; i < sizeof(in) / sizeof(in[0]); i++) {
		assert_int_equal(nx_date_parse(&a, in[i], strlen(in[i])), NX_OK);
		nx_date_format_local(l, &a);
		assert_int_equal(nx_date_parse(&b, l, strlen(l)), NX_OK);
		assert_true(a.utc == b.utc);
		assert_int_equal(a.offset, b.offset);
	}
}

static void test_days_from_civil(void **state)
{
	(void)state;
	assert_true(nx_date_days_from_civil(1970, 1, 1) == 0);
	assert_true(nx_date_days_from_civil(1969, 12, 31) == -1);
	assert_true(nx_date_days_from_civil(2000, 3, 1) == 11017);
	assert_true(nx_date_days_from_civil(2021, 7, 8) == 18816);
	assert_true(nx_date_days_from_civil(1800, 1, 1) == -62091);
	assert_true(nx_date_days_from_civil(2200, 12, 31) == 84370);
	assert_true(nx_date_days_from_civil(1, 1, 1) == -719162);
}

int main(void)
{
	static const struct CMUnitTest fixed[] = {
		cmocka_unit_test(test_parse_epoch),
		cmocka_unit_test(test_parse_no_nul),
		cmocka_unit_test(test_find_table),
		cmocka_unit_test(test_find_walk),
		cmocka_unit_test(test_order),
		cmocka_unit_test(test_label),
		cmocka_unit_test(test_find_huge),
		cmocka_unit_test(test_fuzz_smoke),
		cmocka_unit_test(test_format),
		cmocka_unit_test(test_format_roundtrip),
		cmocka_unit_test(test_days_from_civil),
	};
	struct CMUnitTest tests[NCASES + sizeof(fixed) / sizeof(fixed[0])];
	size_t i = 0;

	memset(tests, 0, sizeof(tests));
	for (i = 0; i < NCASES; i++) {
		tests[i].name = cases[i].name;
		tests[i].test_func = test_parse_case;
		tests[i].initial_state = &cases[i];
	}
	for (i = 0; i < sizeof(fixed) / sizeof(fixed[0]); i++)
		tests[NCASES + i] = fixed[i];
	return cmocka_run_group_tests(tests, NULL, NULL);
}

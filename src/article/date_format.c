/*
 * date_format.c - calendar arithmetic (days from civil dates and back,
 * US daylight saving) and dates written out (UTC, local with offset).
 */
#include "article/date_private.h"

#include <string.h>

/* Calendar */

int64_t nx_date_days_from_civil(int64_t y, unsigned m, unsigned d)
{
	int64_t era = 0, yoe = 0, doy = 0, doe = 0;
	int64_t mm = (int64_t)m, dd = (int64_t)d;

	y -= mm <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;
	doy = (153 * (mm > 2 ? mm - 3 : mm + 9) + 2) / 5 + dd - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

/* Inverse of nx_date_days_from_civil (Howard Hinnant's civil_from_days). */
static void civil_from_days(int64_t z, int64_t *y, int *m, int *d)
{
	int64_t era = 0, doe = 0, yoe = 0, doy = 0, mp = 0;

	z += 719468;
	era = (z >= 0 ? z : z - 146096) / 146097;
	doe = z - era * 146097;
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	*d = (int)(doy - (153 * mp + 2) / 5 + 1);
	*m = (int)(mp < 10 ? mp + 3 : mp - 9);
	*y = yoe + era * 400 + (*m <= 2);
}

static int is_leap(long y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

int nx_date__days_in_month(long y, long m)
{
	static const int dim[12] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };

	if (m == 2 && is_leap(y))
		return 29;
	return dim[m - 1];
}

/* 0 = Sunday .. 6 = Saturday. */
static int weekday(long y, int m, int d)
{
	int64_t days = nx_date_days_from_civil(y, (unsigned)m, (unsigned)d);
	int64_t w = (days + 4) % 7; /* 1970-01-01 was a Thursday */

	return (int)(w < 0 ? w + 7 : w);
}

/* Day of month of the n-th (1..) Sunday, or of the last one with n = 0. */
static int sunday(long y, int m, int n)
{
	int last = 0;

	if (n == 0) {
		last = nx_date__days_in_month(y, m);
		return last - weekday(y, m, last);
	}
	return 1 + (7 - weekday(y, m, 1)) % 7 + 7 * (n - 1);
}

/*
 * 1 when a US local wall-clock time observes daylight saving time.  The
 * switch happens at 02:00 local; the repeated hour in autumn is taken as
 * daylight time.  Rules: 2007 on, second Sunday in March to first Sunday
 * in November; 1987-2006, first Sunday in April to last Sunday in October;
 * 1967-1986, last Sunday in April to last Sunday in October; none before.
 */
int nx_date__us_dst(long y, int m, int d, int h)
{
	int sm = 0, sd = 0, em = 0, ed = 0;
	long key = 0, from = 0, to = 0;

	if (y >= 2007) {
		sm = 3, sd = sunday(y, 3, 2);
		em = 11, ed = sunday(y, 11, 1);
	} else if (y >= 1987) {
		sm = 4, sd = sunday(y, 4, 1);
		em = 10, ed = sunday(y, 10, 0);
	} else if (y >= 1967) {
		sm = 4, sd = sunday(y, 4, 0);
		em = 10, ed = sunday(y, 10, 0);
	} else {
		return 0;
	}
	key = ((long)m * 32 + d) * 24 + h;
	from = ((long)sm * 32 + sd) * 24 + 2;
	to = ((long)em * 32 + ed) * 24 + 2;
	return key >= from && key < to;
}
/* Formatting */

static char *put_digits(char *p, int64_t v, int width)
{
	int i = 0;

	for (i = width - 1; i >= 0; i--) {
		p[i] = (char)('0' + v % 10);
		v /= 10;
	}
	return p + width;
}

/* Write "YYYY-MM-DDTHH:MM:SS" (19 bytes, no NUL); years clamp to 0..9999. */
static char *put_civil(char *p, int64_t secs)
{
	const int64_t lo = nx_date_days_from_civil(0, 1, 1) * 86400;
	const int64_t hi = nx_date_days_from_civil(9999, 12, 31) * 86400 + 86399;
	int64_t days = 0, sod = 0, y = 0;
	int m = 0, d = 0;

	if (secs < lo)
		secs = lo;
	if (secs > hi)
		secs = hi;
	days = secs / 86400;
	sod = secs % 86400;
	if (sod < 0) {
		sod += 86400;
		days--;
	}
	civil_from_days(days, &y, &m, &d);
	p = put_digits(p, y, 4);
	*p++ = '-';
	p = put_digits(p, m, 2);
	*p++ = '-';
	p = put_digits(p, d, 2);
	*p++ = 'T';
	p = put_digits(p, sod / 3600, 2);
	*p++ = ':';
	p = put_digits(p, sod / 60 % 60, 2);
	*p++ = ':';
	p = put_digits(p, sod % 60, 2);
	return p;
}

void nx_date_format_utc(char buf[21], int64_t utc)
{
	char *p = put_civil(buf, utc);

	*p++ = 'Z';
	*p = '\0';
}

void nx_date_format_local(char buf[26], const nx_time *t)
{
	char *p = NULL;
	int64_t off = 0, aoff = 0;

	if (t == NULL) {
		buf[0] = '\0';
		return;
	}
	off = t->offset;
	aoff = off < 0 ? -off : off;
	if (aoff > 99 * 60 + 59)
		aoff = 99 * 60 + 59;
	if (t->utc > INT64_MAX / 2 || t->utc < INT64_MIN / 2)
		p = put_civil(buf, t->utc);
	else
		p = put_civil(buf, t->utc + off * 60);
	*p++ = off < 0 ? '-' : '+';
	p = put_digits(p, aoff / 60, 2);
	*p++ = ':';
	p = put_digits(p, aoff % 60, 2);
	*p = '\0';
}

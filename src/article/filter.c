#include "newsidx/filter.h"

#include <stdlib.h>
#include <string.h>

#include "newsidx/date.h"
#include "util/text.h"

void nx_filter_clear(nx_filter *f)
{
	if (f == NULL)
		return;
	free(f->source);
	free(f->author);
	free(f->lang);
	memset(f, 0, sizeof(*f));
}

int nx_filter_active(const nx_filter *f)
{
	return f != NULL && (f->set != 0 || f->source != NULL || f->author != NULL || f->lang != NULL);
}

int nx_filter_set_str(char **field, const char *value)
{
	char *v = value != NULL && *value != '\0' ? strdup(value) : NULL;

	if (value != NULL && *value != '\0' && v == NULL)
		return NX_ENOMEM;
	free(*field);
	*field = v;
	return NX_OK;
}

/* 1 when hay contains needle, ignoring ASCII case (as SQLite's LIKE does). */
static int contains_ci(const char *hay, const char *needle)
{
	size_t n = strlen(needle), i = 0;

	if (hay == NULL)
		return 0;
	for (; *hay != '\0'; hay++) {
		for (i = 0; i < n && hay[i] != '\0'; i++)
			if (nx_tolower((unsigned char)hay[i]) != nx_tolower((unsigned char)needle[i]))
				break;
		if (i == n)
			return 1;
	}
	return n == 0;
}

static int in_range(const nx_time *t, unsigned set, unsigned fmin, int64_t min, unsigned fmax, int64_t max)
{
	if ((set & (fmin | fmax)) == 0)
		return 1;
	if (!t->set)
		return 0;
	if ((set & fmin) && t->utc < min)
		return 0;
	if ((set & fmax) && t->utc >= max)
		return 0;
	return 1;
}

int nx_filter_match(const nx_filter *f, const nx_article *a)
{
	size_t i = 0;
	int found = 0;

	if (f == NULL)
		return 1;
	if (!in_range(&a->published, f->set, NX_F_PUB_MIN, f->pub_min, NX_F_PUB_MAX, f->pub_max) ||
	    !in_range(&a->updated, f->set, NX_F_UPD_MIN, f->upd_min, NX_F_UPD_MAX, f->upd_max))
		return 0;
	if ((f->set & NX_F_CHANGED) &&
	    (!a->published.set || !a->updated.set || a->updated.utc - a->published.utc <= f->changed_min))
		return 0;
	if (f->lang != NULL && (a->lang == NULL || strcmp(a->lang, f->lang) != 0))
		return 0;
	if (f->source != NULL && !contains_ci(a->source, f->source))
		return 0;
	if (f->author != NULL) {
		for (i = 0; i < a->nauthors && !found; i++)
			found = contains_ci(a->authors[i], f->author);
		if (!found)
			return 0;
	}
	return 1;
}

static int all_digits(const char *s, size_t n)
{
	size_t i = 0;

	for (i = 0; i < n; i++)
		if (!nx_isdigit((unsigned char)s[i]))
			return 0;
	return n > 0;
}

static int is_leap(int64_t y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

/*
 * The period a date names: a year, a month, a day, or an instant (a
 * precise time covers one second).
 */
static int period(const char *s, size_t n, int64_t *start, int64_t *end)
{
	static const int mdays[12] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	nx_time t = NX_TIME_INIT;
	int64_t y = 0, m = 0;

	while (n > 0 && nx_isspace((unsigned char)*s)) {
		s++;
		n--;
	}
	while (n > 0 && nx_isspace((unsigned char)s[n - 1]))
		n--;
	if (n == 4 && all_digits(s, 4)) {
		y = strtol(s, NULL, 10);
		if (y < 1800 || y > 2200)
			return NX_EFORMAT;
		*start = nx_date_days_from_civil(y, 1, 1) * 86400;
		*end = nx_date_days_from_civil(y + 1, 1, 1) * 86400;
		return NX_OK;
	}
	if (n == 7 && all_digits(s, 4) && (s[4] == '-' || s[4] == '/') && all_digits(s + 5, 2)) {
		y = strtol(s, NULL, 10);
		m = strtol(s + 5, NULL, 10);
		if (y < 1800 || y > 2200 || m < 1 || m > 12)
			return NX_EFORMAT;
		*start = nx_date_days_from_civil(y, (unsigned)m, 1) * 86400;
		*end = *start + (int64_t)(mdays[m - 1] + (m == 2 && is_leap(y))) * 86400;
		return NX_OK;
	}
	if (nx_date_parse(&t, s, n) != NX_OK)
		return NX_EFORMAT;
	*start = t.utc;
	*end = t.has_time ? t.utc + 1 : t.utc + 86400;
	return NX_OK;
}

int nx_filter_date_range(const char *spec, int64_t *min, int *have_min, int64_t *max, int *have_max)
{
	const char *dots = strstr(spec, "..");
	int64_t s = 0, e = 0;
	size_t n = strlen(spec);

	if (dots != NULL) {
		if (dots > spec) {
			if (period(spec, (size_t)(dots - spec), &s, &e) < 0)
				return NX_EFORMAT;
			*min = s;
			*have_min = 1;
		}
		if (dots[2] != '\0') {
			if (period(dots + 2, strlen(dots + 2), &s, &e) < 0)
				return NX_EFORMAT;
			*max = e;
			*have_max = 1;
		}
		return dots == spec && dots[2] == '\0' ? NX_EFORMAT : NX_OK;
	}
	if (n >= 2 && spec[0] == '>' && spec[1] == '=') {
		if (period(spec + 2, n - 2, &s, &e) < 0)
			return NX_EFORMAT;
		*min = s;
		*have_min = 1;
	} else if (n >= 1 && spec[0] == '>') {
		if (period(spec + 1, n - 1, &s, &e) < 0)
			return NX_EFORMAT;
		*min = e;
		*have_min = 1;
	} else if (n >= 2 && spec[0] == '<' && spec[1] == '=') {
		if (period(spec + 2, n - 2, &s, &e) < 0)
			return NX_EFORMAT;
		*max = e;
		*have_max = 1;
	} else if (n >= 1 && spec[0] == '<') {
		if (period(spec + 1, n - 1, &s, &e) < 0)
			return NX_EFORMAT;
		*max = s;
		*have_max = 1;
	} else {
		if (period(spec, n, &s, &e) < 0)
			return NX_EFORMAT;
		*min = s;
		*max = e;
		*have_min = *have_max = 1;
	}
	return NX_OK;
}

int nx_filter_set_dates(nx_filter *f, int which, const char *spec, nx_error *err)
{
	int64_t mn = 0, mx = 0;
	int hmin = 0, hmax = 0;

	if (nx_filter_date_range(spec, &mn, &hmin, &mx, &hmax) < 0)
		return nx_error_set(err, NX_EFORMAT,
				    "'%s' is not a date or date range of the years 1800 to 2200 (try 2021-07,"
				    " 2021-07-01..2021-07-31, >2022-01-01)",
				    spec);
	if (which == 'p') {
		if (hmin && (!(f->set & NX_F_PUB_MIN) || mn > f->pub_min)) {
			f->pub_min = mn;
			f->set |= NX_F_PUB_MIN;
		}
		if (hmax && (!(f->set & NX_F_PUB_MAX) || mx < f->pub_max)) {
			f->pub_max = mx;
			f->set |= NX_F_PUB_MAX;
		}
	} else {
		if (hmin && (!(f->set & NX_F_UPD_MIN) || mn > f->upd_min)) {
			f->upd_min = mn;
			f->set |= NX_F_UPD_MIN;
		}
		if (hmax && (!(f->set & NX_F_UPD_MAX) || mx < f->upd_max)) {
			f->upd_max = mx;
			f->set |= NX_F_UPD_MAX;
		}
	}
	return NX_OK;
}

int nx_filter_duration(const char *spec, int64_t *seconds)
{
	const char *p = spec;
	char *end = NULL;
	long long v = 0;
	int64_t unit = 86400;

	while (*p == '>' || *p == '=' || *p == ' ')
		p++;
	if (!nx_isdigit((unsigned char)*p))
		return NX_EFORMAT;
	v = strtoll(p, &end, 10);
	if (v < 0 || v > 100000)
		return NX_EFORMAT;
	switch (*end) {
	case '\0': case 'd': case 'D': unit = 86400; break;
	case 'h': case 'H': unit = 3600; break;
	case 'w': case 'W': unit = 7 * 86400; break;
	case 'm': case 'M': unit = 30 * 86400; break;
	case 'y': case 'Y': unit = 365 * 86400; break;
	default: return NX_EFORMAT;
	}
	if (*end != '\0' && end[1] != '\0')
		return NX_EFORMAT;
	*seconds = (int64_t)v * unit;
	return NX_OK;
}

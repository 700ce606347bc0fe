/*
 * newsidx/filter.h - restrictions on metadata that narrow a search:
 * date ranges on the published and updated times, "changed long after
 * publication", outlet, author and language.  They come from the query
 * language (published:2021-07, source:reuters) and from command-line flags
 * (--since, --source); both fill the same nx_filter.
 */
#ifndef NEWSIDX_FILTER_H
#define NEWSIDX_FILTER_H

#include <stdint.h>

#include "newsidx/article.h"
#include "newsidx/error.h"

#ifdef __cplusplus
extern "C" {
#endif

#define NX_F_PUB_MIN 0x01u
#define NX_F_PUB_MAX 0x02u
#define NX_F_UPD_MIN 0x04u
#define NX_F_UPD_MAX 0x08u
#define NX_F_CHANGED 0x10u

typedef struct nx_filter {
	unsigned set;        /* which of the ranges below apply (NX_F_*) */
	int64_t pub_min;     /* published >= pub_min (UTC seconds) */
	int64_t pub_max;     /* published <  pub_max */
	int64_t upd_min;
	int64_t upd_max;
	int64_t changed_min; /* updated - published > changed_min seconds */
	char *source;        /* outlet contains this, ignoring case */
	char *author;        /* an author contains this, ignoring case */
	char *lang;          /* primary language tag */
} nx_filter;

#define NX_FILTER_INIT { 0, 0, 0, 0, 0, 0, NULL, NULL, NULL }

/* Free the strings of a filter (not the struct); NULL is fine. */
void nx_filter_clear(nx_filter *f);

/* 1 when the filter restricts anything. */
int nx_filter_active(const nx_filter *f);

/*
 * Parse a date range and narrow [*min, *max) with it.  Forms: "2021",
 * "2021-07", "2021-07-08", any date nx_date_parse knows, "A..B" (from the
 * start of A to the end of B; either side may be empty), ">X" (after the
 * end of X), ">=X", "<X" (before the start of X), "<=X".  *have_min and
 * *have_max say which bounds are set.  Returns NX_OK or NX_EFORMAT.
 */
int nx_filter_date_range(const char *spec, int64_t *min, int *have_min,
			 int64_t *max, int *have_max);

/* Apply a date range to the published (which == 'p') or updated ('u') time. */
int nx_filter_set_dates(nx_filter *f, int which, const char *spec, nx_error *err);

/*
 * Parse a duration like "30d", ">30d", "2w", "6m" (30-day months), "1y",
 * "12h" into seconds, for changed:>30d.  Returns NX_OK or NX_EFORMAT.
 */
int nx_filter_duration(const char *spec, int64_t *seconds);

/* Replace a string field (source, author, lang) with a copy of value. */
int nx_filter_set_str(char **field, const char *value);

/*
 * 1 when article a passes filter f (NULL: no filter), tested on the
 * article itself with the meaning a search gives the filter: a range on a
 * time the article lacks fails, source and author match when they contain
 * the value ignoring ASCII case, lang is compared exactly.  For code that
 * holds articles rather than searching (newsidx export).
 */
int nx_filter_match(const nx_filter *f, const nx_article *a);

#ifdef __cplusplus
}
#endif
#endif

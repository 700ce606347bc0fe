/*
 * stories.h - for tests: made-up stories as JSON Lines, one a line.
 * Static functions, no library of its own.
 */
#ifndef NX_TEST_STORIES_H
#define NX_TEST_STORIES_H

#include <stdio.h>

/*
 * Story i: its own URL and title, published on March day of year
 * 2000 + yy, with extra fields (e.g. "\"modified\":\"...\",", or "") and
 * its text ending in suffix (or "").
 */
static void story_line(FILE *fp, int i, int yy, int day, const char *extra, const char *suffix)
{
	fprintf(fp,
		"{\"url\":\"https://example.org/story/%d\",\"title\":\"Harbour vote %d\","
		"\"published\":\"20%02d-03-%02dT10:00:00Z\",%s\"text\":\"Dock workers voted on day %d%s.\"}\n",
		i, i, yy, day, extra, i, suffix);
}

#endif

/*
 * byline.c - an author's name out of what a page gives as its byline:
 * a dateline glued after the name ("Jane Roe Associated Press Published
 * 10:02 PM EST Nov 3, 2019"), what follows a bullet ("Jane Roe • 8h"), a
 * count ("Jane Roe 7"), a job title beside it ("Jane Roe, Political
 * Correspondent") or alone ("Political Correspondent").
 */
#include <string.h>

#include "article/credit.h"
#include "extract/meta_private.h"
#include "newsidx/date.h"
#include "util/text.h"

/* Words that end a name and start a dateline. */
static const char *const stops[] = { "published", "updated", "posted", "last updated", "first published",
				     "modified", NULL };

/* Job titles, and the words that qualify them ("Senior Political ..."). */
static const char *const roles[] = {
	"correspondent", "editor", "reporter", "writer", "columnist", "contributor", "journalist",
	"producer", "analyst", "critic", "photographer", "commentator", "presenter", "anchor",
	"blogger", "intern", "staff", NULL
};
static const char *const qualifiers[] = {
	"senior", "chief", "deputy", "associate", "assistant", "managing", "executive", "contributing",
	"special", "staff", "political", "foreign", "business", "sports", "science", "health",
	"technology", "tech", "economics", "economic", "education", "environment", "environmental",
	"arts", "culture", "entertainment", "food", "travel", "fashion", "royal", "crime", "courts",
	"legal", "diplomatic", "defence", "defense", "security", "transport", "energy", "climate",
	"investigative", "national", "international", "digital", "news", "data", "local", "city",
	"world", "opinion", "features", "feature", "video", "social", "media", "correspondents", NULL
};

static int word_in(const char *w, size_t n, const char *const *list)
{
	size_t i = 0;

	for (i = 0; list[i] != NULL; i++)
		if (strlen(list[i]) == n && nx_strncaseeq(w, list[i], n))
			return 1;
	return 0;
}

/* The start of the last word of s[0..n) (n > 0, no trailing space). */
static size_t last_word(const char *s, size_t n)
{
	while (n > 0 && s[n - 1] != ' ')
		n--;
	return n;
}

static size_t trim_end(const char *s, size_t n)
{
	while (n > 0 && (nx_isspace((unsigned char)s[n - 1]) || s[n - 1] == ',' || s[n - 1] == '-' ||
			 s[n - 1] == '|' || s[n - 1] == ':' || s[n - 1] == ';'))
		n--;
	return n;
}

/* Drop a job title at the end of s[0..n): "Jane Roe Political Correspondent". */
static size_t drop_role(const char *s, size_t n)
{
	size_t w = 0;

	n = trim_end(s, n);
	if (n == 0)
		return 0;
	w = last_word(s, n);
	if (!word_in(s + w, n - w, roles))
		return n;
	n = trim_end(s, w);
	while (n > 0) {
		w = last_word(s, n);
		if (!word_in(s + w, n - w, qualifiers) && !word_in(s + w, n - w, roles))
			break;
		n = trim_end(s, w);
	}
	return n;
}

/* Drop a news agency after the name: "Jane Roe Associated Press". */
static size_t drop_agency(const char *s, size_t n)
{
	size_t w = n, k = 0;

	for (k = 0; k < 3 && w > 0; k++) {
		w = last_word(s, trim_end(s, w));
		if (w > 0 && nx_agency_canonical(s + w, n - w) != NULL)
			return trim_end(s, w);
		if (w == 0)
			break;
		w = trim_end(s, w);
	}
	return n;
}

size_t nx_html__byline_name(const char *s, size_t n)
{
	size_t i = 0, k = 0, st = 0, en = 0;
	nx_time t = NX_TIME_INIT;

	/* a dateline glued after the name */
	for (i = 1; i < n; i++) {
		if (s[i - 1] != ' ' && s[i - 1] != '|' && s[i - 1] != '\n')
			continue;
		for (k = 0; stops[k] != NULL; k++)
			if (nx_startswith_ci(s + i, n - i, stops[k]) &&
			    (i + strlen(stops[k]) == n || !nx_isalpha((unsigned char)s[i + strlen(stops[k])])))
				break;
		if (stops[k] != NULL) {
			n = i;
			break;
		}
	}
	if (nx_date_find(&t, s, n, &st, &en) == NX_OK && st > 0)
		n = st;
	/* a bullet or a middle dot ends the name: "Jane Roe • 8h", "Jane Roe ·
	   in Politics" */
	for (i = 1; i + 1 < n; i++) {
		if ((i + 3 <= n && memcmp(s + i, "\xE2\x80\xA2", 3) == 0) || memcmp(s + i, "\xC2\xB7", 2) == 0) {
			n = i;
			break;
		}
	}
	n = trim_end(s, n);
	/* a count after the name: "Jane Roe 7" (its comments) */
	k = last_word(s, n);
	if (k > 0 && k < n) {
		for (i = k; i < n && nx_isdigit((unsigned char)s[i]); i++)
			;
		if (i == n)
			n = trim_end(s, k);
	}
	/* "Jane Roe, Political Correspondent" / "Jane Roe | Reporter" */
	for (i = 0; i < n; i++) {
		if (s[i] == ',' || s[i] == '|') {
			size_t rest = drop_role(s + i + 1, n - i - 1);

			while (rest > 0 && nx_isspace((unsigned char)s[i + 1]))
				i++, rest--;
			if (rest == 0) {
				n = trim_end(s, i);
				break;
			}
		}
	}
	n = drop_agency(s, drop_role(s, n));
	return trim_end(s, n);
}

/*
 * anpa.c - ANPA 1312 wire stories (the teletype-era format AP and others
 * still deliver).
 *
 * A message: SYN SYN SOH, a header line (message number, selectors), a
 * line with priority, category, keyword and the month-day, then STX and
 * the text, ETX and a trailer ("AP-WF-11-13-13 0745GMT"), EOT.  A file may
 * hold several.  In the text, the first line is the keyword again
 * ("^BC-US--Ethanol-Losing Grassland, 1st Ld-Writethru,1140<"); lines
 * that start with '^' are headings: the first one (not a note) is the
 * title, "^By ...=" the byline, "^Eds: ...", "^AP Photo ...", "^EDITOR'S
 * NOTE ..." notes to editors, left out; other headings (a table's
 * sections, a list's items) are paragraphs, as are the indented lines.
 * '<' and '=' at the ends of lines are the format's line endings; `` and
 * '' are quotation marks, " _ " a dash.  The trailer gives the time
 * (month-day-year, UTC) and the agency.  A story without a heading takes
 * its title from its first paragraph.  dpa's form has no '^': a flash flag
 * ("EXTRA"), the headline on the first line, "By ...=", paragraphs
 * hard-wrapped with a blank line between, the trailer "212101 GMT Nov 18".
 */
#include <stdio.h>
#include <string.h>

#include "formats/format.h"
#include "formats/wire_common.h"
#include "util/buf.h"
#include "util/text.h"

#define SOH 0x01
#define STX 0x02
#define ETX 0x03
#define EOT 0x04

/* One line of the text, without its '^', its end markers and white space. */
static void clean_line(nx_buf *out, const char *s, size_t n)
{
	size_t i = 0;

	nx_buf_reset(out);
	while (n > 0 && (nx_isspace((unsigned char)s[n - 1]) || s[n - 1] == '<' || s[n - 1] == '='))
		n--;
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c == '`' && i + 1 < n && s[i + 1] == '`') {
			nx_buf_adds(out, "\xE2\x80\x9C");
			i++;
		} else if (c == '\'' && i + 1 < n && s[i + 1] == '\'') {
			nx_buf_adds(out, "\xE2\x80\x9D");
			i++;
		} else if (c == '_' && i > 0 && s[i - 1] == ' ' && (i + 1 == n || s[i + 1] == ' ')) {
			nx_buf_adds(out, "\xE2\x80\x94");
		} else if (c < 0x20 || c == '^') {
			if (out->len > 0 && out->buf[out->len - 1] != ' ')
				nx_buf_addch(out, ' '); /* table tabs and the like */
		} else {
			nx_buf_addch(out, (char)c);
		}
	}
	nx_buf_trim(out);
}

static int is_note(const char *s, size_t n)
{
	return nx_startswith_ci(s, n, "eds:") || nx_startswith_ci(s, n, "(eds:") ||
	       nx_startswith_ci(s, n, "ap photo") || nx_startswith_ci(s, n, "editor's note") ||
	       nx_startswith_ci(s, n, "editors note") || nx_startswith_ci(s, n, "with ap photo");
}

/* The trailer after ETX: "AP-WF-11-13-13 0745GMT" -> time and agency. */
static int read_trailer(nx_article *a, const char *t, size_t tn)
{
	char iso[80], agency[16], s[64];
	size_t i = 0, k = 0, n = tn < sizeof(s) - 1 ? tn : sizeof(s) - 1;
	int mo = 0, d = 0, y = 0, hm = 0;

	memcpy(s, t, n); /* sscanf needs the end of the string */
	s[n] = '\0';
	while (i < n && nx_isspace((unsigned char)s[i]))
		i++;
	for (k = 0; i + k < n && k + 1 < sizeof(agency) && nx_isalpha((unsigned char)s[i + k]); k++)
		agency[k] = s[i + k];
	agency[k] = '\0';
	/* dpa: "212101 GMT Nov 18" (day, hour, minute; month, year) */
	for (i = 0; i + 17 <= n; i++) {
		static const char months[] = "JanFebMarAprMayJunJulAugSepOctNovDec";
		char mon[4];
		const char *m = NULL;
		int dd = 0, hh = 0, mi = 0, yy = 0;

		if (sscanf(s + i, "%2d%2d%2d GMT %3s %2d", &dd, &hh, &mi, mon, &yy) == 5 && (i == 0 || s[i - 1] == ' ') &&
		    (m = strstr(months, mon)) != NULL && (m - months) % 3 == 0 && strlen(mon) == 3) {
			snprintf(iso, sizeof(iso), "%04d-%02d-%02dT%02d:%02d:00Z", 2000 + yy, (int)(m - months) / 3 + 1, dd,
				 hh, mi);
			nx_wire__date(&a->published, iso);
			return NX_OK;
		}
	}
	for (i = k; i + 16 <= n; i++) {
		if (sscanf(s + i, "%2d-%2d-%2d %4dGMT", &mo, &d, &y, &hm) == 4 && s[i + 2] == '-' && s[i + 5] == '-' &&
		    nx_isdigit((unsigned char)s[i]) && (i == 0 || s[i - 1] == '-')) {
			snprintf(iso, sizeof(iso), "%04d-%02d-%02dT%02d:%02d:00Z", y < 70 ? 2000 + y : 1900 + y, mo, d,
				 hm / 100, hm % 100);
			nx_wire__date(&a->published, iso);
			break;
		}
	}
	return k >= 2 && k <= 5 ? nx_wire__source(a, agency) : NX_OK;
}

/* One word in capitals, alone on the first line: a flash flag ("EXTRA"), not a headline. */
static int is_flag(const nx_buf *l)
{
	size_t i = 0;

	if (l->len < 3 || l->len > 12)
		return 0;
	for (i = 0; i < l->len; i++)
		if (!(l->buf[i] >= 'A' && l->buf[i] <= 'Z'))
			return 0;
	return 1;
}

/* A text line not indented and after no blank: the paragraph goes on (hard-wrapped text). */
static int flush(nx_article *a, nx_buf *para)
{
	int rc = NX_OK;

	if (para->len > 0)
		rc = nx_buf_ok(para) ? nx_article_add_para(a, para->buf, (long)para->len) : NX_ENOMEM;
	nx_buf_reset(para);
	return rc;
}

/* One line (cleaned into l) of the text; heading: it began with '^'. */
static int read_line(nx_article *a, nx_buf *para, const nx_buf *l, int heading, int first, int joins)
{
	int lead = a->nparas == 0 && para->len == 0; /* before the first paragraph */

	if (first && heading)
		return NX_OK; /* AP's keyword line: "^BC-US--Ethanol-Losing Grassland, 1st Ld-Writethru,1140<" */
	if (heading && is_note(l->buf, l->len))
		return NX_OK;
	if (lead && a->nauthors == 0 && nx_startswith_ci(l->buf, l->len, "by "))
		return nx_wire__byline(a, l->buf, l->len);
	if (lead && a->title == NULL && (heading || first))
		return nx_article_set(&a->title, l->buf, (long)l->len);
	if (lead && heading && a->nauthors > 0 && strchr(l->buf, ' ') != NULL && nx_wire__is_agency(l->buf))
		return NX_OK; /* "^Associated Press=" under the byline */
	if (!joins || heading) {
		int rc = flush(a, para);

		if (rc < 0 || heading)
			return rc < 0 ? rc : nx_article_add_para(a, l->buf, (long)l->len);
	}
	if (para->len > 0)
		nx_buf_addch(para, ' ');
	nx_buf_add(para, l->buf, l->len);
	return NX_OK;
}

/*
 * The text of one message, STX to ETX (text[0..n)), into a.  AP writes a
 * paragraph per indented line; dpa hard-wraps them, a blank line between.
 */
static int read_text(nx_article *a, const char *text, size_t n)
{
	nx_buf l = NX_BUF_INIT, para = NX_BUF_INIT;
	size_t i = 0, no = 0;
	int rc = NX_OK, prev_text = 0;

	while (i < n && rc == NX_OK) {
		const char *nl = memchr(text + i, '\n', n - i);
		size_t e = nl != NULL ? (size_t)(nl - text) : n, s = i;
		int heading = 0, indented = 0;

		while (s < e && (text[s] == '\t' || text[s] == ' ' || text[s] == '\r'))
			s++;
		indented = s > i; /* AP's paragraphs start with a tab */
		i = e + 1;
		clean_line(&l, text + s, e - s);
		if (!nx_buf_ok(&l)) {
			rc = NX_ENOMEM;
			break;
		}
		if (l.len == 0) {
			rc = flush(a, &para);
			prev_text = 0;
			continue;
		}
		heading = text[s] == '^';
		if (no == 0 && !heading && is_flag(&l))
			continue; /* "EXTRA", "URGENT" above the headline */
		rc = read_line(a, &para, &l, heading, no++ == 0, prev_text && !indented);
		prev_text = !heading;
	}
	if (rc == NX_OK)
		rc = flush(a, &para);
	nx_buf_free(&l);
	nx_buf_free(&para);
	return rc;
}

/* One message at d[0..n) (from SOH): its article to emit, or NX_OK when it holds none. */
static int read_message(const nx_input *in, const char *d, size_t n, size_t off, nx_article_cb cb, void *ctx,
			nx_error *err)
{
	const char *stx = memchr(d, STX, n), *etx = NULL;
	nx_article *a = NULL;
	nx_input sub = *in;
	int rc = NX_OK;

	if (stx == NULL)
		return NX_OK;
	etx = memchr(stx, ETX, n - (size_t)(stx - d));
	if ((a = nx_article_new()) == NULL)
		return nx_error_set(err, NX_ENOMEM, "out of memory");
	rc = read_text(a, stx + 1, etx != NULL ? (size_t)(etx - stx - 1) : n - (size_t)(stx + 1 - d));
	if (rc == NX_OK && etx != NULL) {
		const char *end = memchr(etx, '\n', n - (size_t)(etx - d));

		rc = read_trailer(a, etx + 1, (size_t)((end != NULL ? end : d + n) - etx - 1));
	}
	if (rc == NX_OK && a->title == NULL)
		rc = nx_wire__fallback_title(a);
	if (rc < 0) {
		nx_article_free(a);
		return nx_error_set(err, NX_ENOMEM, "out of memory");
	}
	sub.data = d;
	sub.len = n;
	sub.offset = (in->offset > 0 ? in->offset : 0) + (int64_t)off;
	return nx_format__emit(a, &sub, "anpa", cb, ctx, err);
}

int nx_parse_anpa(const nx_input *in, nx_article_cb cb, void *ctx, nx_error *err)
{
	const char *d = in->data, *soh = memchr(d, SOH, in->len);
	int rc = NX_OK;

	while (soh != NULL && rc == NX_OK) {
		size_t at = (size_t)(soh - d), rest = in->len - at;
		const char *eot = memchr(soh, EOT, rest), *next = NULL;
		size_t n = eot != NULL ? (size_t)(eot - soh) + 1 : rest;

		rc = read_message(in, soh, n, at, cb, ctx, err);
		next = at + n < in->len ? memchr(soh + n, SOH, in->len - at - n) : NULL;
		soh = next;
	}
	return rc; /* none at all: the dispatcher says so (formats[].single) */
}

/*
 * 1 when d starts as an ANPA 1312 message: SYN..., SOH, header lines of
 * text (with the selector codes US and DC1 to DC4), then STX at the start
 * of a line, within 512 bytes.
 */
int nx_anpa__detect(const char *d, size_t len)
{
	size_t i = 0, lim = len < 512 ? len : 512, lines = 0;

	while (i < lim && i < 8 && d[i] == 0x16)
		i++;
	if (i >= lim || d[i] != SOH)
		return 0;
	for (i++; i < lim; i++) {
		unsigned char c = (unsigned char)d[i];

		if (c == STX)
			return lines > 0 && d[i - 1] == '\n';
		if (c == '\n')
			lines++;
		else if (c < 0x20 && c != 0x1f && c != '\r' && c != '\t' && !(c >= 0x11 && c <= 0x14))
			return 0;
	}
	return 0;
}

/*
 * serve_html.c - the pages of newsidx serve, server-rendered HTML that
 * works without JavaScript.  Every value from the index or the request is
 * escaped on its way out; the markup itself is written here and nowhere
 * else.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "pages.h"

static const char *const month_abbr[12] = {
	"Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"
};

/*
 * Append s[0..n) escaped for HTML, and made safe like every printed field
 * (nx_sb_add_safe): controls and bidi overrides become '?', bytes that are
 * not UTF-8 U+FFFD, newline and tab stay.
 */
static void esc_n(nx_sb *b, const char *s, size_t n)
{
	size_t i = 0, start = 0, len = 0;
	const char *rep = NULL;
	uint32_t cp = 0;

	while (i < n) {
		unsigned char c = (unsigned char)s[i];

		len = 1;
		switch (c) {
		case '&': rep = "&amp;"; break;
		case '<': rep = "&lt;"; break;
		case '>': rep = "&gt;"; break;
		case '"': rep = "&quot;"; break;
		case '\'': rep = "&#39;"; break;
		default:
			rep = NULL;
			if (c >= 0x20 && c < 0x7F)
				break;
			len = nx_sb_utf8_decode(s + i, n - i, &cp);
			if (nx_sb_unsafe_cp(cp, NX_SAFE_LINES))
				rep = "?";
			else if (cp == 0xFFFD && !(len == 3 && memcmp(s + i, "\xEF\xBF\xBD", 3) == 0))
				rep = "\xEF\xBF\xBD";
			break;
		}
		if (rep != NULL) {
			nx_sb_add(b, s + start, i - start);
			nx_sb_adds(b, rep);
			start = i + len;
		}
		i += len;
	}
	nx_sb_add(b, s + start, n - start);
}

void nx_serve_esc(nx_sb *b, const char *s)
{
	if (s != NULL)
		esc_n(b, s, strlen(s));
}

void nx_serve_url_arg(nx_sb *b, const char *s)
{
	static const char hex[] = "0123456789ABCDEF";
	const unsigned char *p = (const unsigned char *)s;

	for (; p != NULL && *p != '\0'; p++) {
		if ((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') ||
		    *p == '-' || *p == '_' || *p == '.' || *p == '~') {
			nx_sb_addch(b, *p);
		} else if (*p == ' ') {
			nx_sb_addch(b, '+');
		} else {
			nx_sb_addch(b, '%');
			nx_sb_addch(b, hex[*p >> 4]);
			nx_sb_addch(b, hex[*p & 15]);
		}
	}
}

/* s with the byte ranges sp[] wrapped in <mark>; bad or overlapping spans are skipped. */
static void marked(nx_sb *b, const char *s, const nx_span *sp, size_t n)
{
	size_t pos = 0, i = 0, len = strlen(s);

	for (i = 0; i < n; i++) {
		if (sp[i].start < pos || sp[i].end > len || sp[i].start >= sp[i].end)
			continue;
		esc_n(b, s + pos, sp[i].start - pos);
		nx_sb_adds(b, "<mark>");
		esc_n(b, s + sp[i].start, sp[i].end - sp[i].start);
		nx_sb_adds(b, "</mark>");
		pos = sp[i].end;
	}
	esc_n(b, s + pos, len - pos);
}

/* <time datetime="2021-07-08T01:42:00Z">8 Jul 2021, 01:42 UTC</time> */
static void time_html(nx_sb *b, const nx_time *t)
{
	char iso[32];
	time_t tt = (time_t)t->utc;
	struct tm tm;

	nx_date_format_utc(iso, t->utc);
	if (gmtime_r(&tt, &tm) == NULL) {
		nx_serve_esc(b, iso);
		return;
	}
	nx_sb_addf(b, "<time datetime=\"%s\">%d %s %d", iso, tm.tm_mday, month_abbr[tm.tm_mon],
		    tm.tm_year + 1900);
	if (t->has_time)
		nx_sb_addf(b, ", %02d:%02d UTC", tm.tm_hour, tm.tm_min);
	nx_sb_adds(b, "</time>");
}

/* "13 months later": how long after publication an update came. */
static void later(nx_sb *b, int64_t secs)
{
	double days = (double)secs / 86400.0;

	if (secs < 0)
		nx_sb_adds(b, "before publication");
	else if (secs < 60)
		nx_sb_adds(b, "within a minute");
	else if (secs < 3600)
		nx_sb_addf(b, "%lld minute%s later", (long long)(secs / 60), secs / 60 == 1 ? "" : "s");
	else if (secs < 2 * 86400)
		nx_sb_addf(b, "%lld hour%s later", (long long)(secs / 3600), secs / 3600 == 1 ? "" : "s");
	else if (days < 60)
		nx_sb_addf(b, "%lld days later", (long long)(secs / 86400));
	else if (days < 730)
		nx_sb_addf(b, "%d months later", (int)(days / 30.4375 + 0.5));
	else
		nx_sb_addf(b, "%d years later", (int)(days / 365.25 + 0.5));
}

/* "Reuters / Evelyn Hockstein", as `newsidx show` prints a credit. */
static void credit_html(nx_sb *b, const nx_photo *p)
{
	nx_serve_esc(b, p->agency);
	if (p->agency != NULL && p->photographer != NULL)
		nx_sb_adds(b, " / ");
	nx_serve_esc(b, p->photographer);
}

static int has_credit(const nx_photo *p)
{
	return p->agency != NULL || p->photographer != NULL;
}

static void page_head(nx_sb *b, const char *title, const char *title_suffix)
{
	nx_sb_adds(b, "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
		       "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
		       "<meta name=\"referrer\" content=\"no-referrer\">\n<title>");
	nx_serve_esc(b, title);
	nx_serve_esc(b, title_suffix);
	nx_sb_adds(b, "</title>\n<link rel=\"stylesheet\" href=\"/static/app.css\">\n"
		       "<link rel=\"icon\" href=\"/static/icon.svg\" type=\"image/svg+xml\">\n"
		       "<script src=\"/static/app.js\" defer></script>\n</head>\n<body>\n");
}

static void page_foot(nx_sb *b)
{
	nx_sb_adds(b, "<footer><a href=\"/\">newsidx</a> · a read-only view of the index · "
		       "JSON: <code>/api/search?q=</code>, <code>/api/article/ID</code></footer>\n"
		       "</body>\n</html>\n");
}

static int filled(const char *s)
{
	return s != NULL && *s != '\0';
}

/* href="/?q=...&since=..." for a form state. */
static void form_href(nx_sb *b, const nx_serve_form *f)
{
	const char *names[] = { "q", "since", "until", "source", "credit", "sort" };
	const char *vals[6];
	char sep = '?';
	size_t i = 0;

	vals[0] = f->q;
	vals[1] = f->since;
	vals[2] = f->until;
	vals[3] = f->source;
	vals[4] = f->credit;
	vals[5] = f->sort != NULL && strcmp(f->sort, "relevance") != 0 ? f->sort : NULL;
	nx_sb_adds(b, "/");
	for (i = 0; i < 6; i++) {
		if (!filled(vals[i]))
			continue;
		nx_sb_addf(b, "%c%s=", sep, names[i]);
		/* the & between arguments is escaped in the attribute */
		nx_serve_url_arg(b, vals[i]);
		sep = '&';
	}
	if (f->offset > 0)
		nx_sb_addf(b, "%coffset=%d", sep, f->offset);
}

/* <a href="...">, with the & of the query string written &amp;. */
static void link_open(nx_sb *b, const nx_serve_form *f, const char *cls)
{
	nx_sb u = NX_SB_INIT;

	form_href(&u, f);
	nx_sb_adds(b, "<a");
	if (cls != NULL)
		nx_sb_addf(b, " class=\"%s\"", cls);
	nx_sb_adds(b, " href=\"");
	nx_serve_esc(b, u.buf);
	nx_sb_adds(b, "\">");
	if (!nx_sb_ok(&u))
		b->failed = 1;
	nx_sb_free(&u);
}

static void input(nx_sb *b, const char *label, const char *type, const char *name, const char *value,
		  const char *extra)
{
	nx_sb_addf(b, "<label>%s <input type=\"%s\" name=\"%s\" value=\"", label, type, name);
	nx_serve_esc(b, value);
	nx_sb_addf(b, "\"%s></label>\n", extra);
}

static void search_form(nx_sb *b, const nx_serve_form *f)
{
	static const char *const sorts[][2] = {
		{ "relevance", "Best match" }, { "newest", "Newest first" }, { "oldest", "Oldest first" }
	};
	int open = filled(f->since) || filled(f->until) || filled(f->source) || filled(f->credit) ||
		   (filled(f->sort) && strcmp(f->sort, "relevance") != 0);
	size_t i = 0;

	nx_sb_adds(b, "<header>\n<a class=\"home\" href=\"/\">newsidx</a>\n"
		       "<form id=\"search\" method=\"get\" action=\"/\" role=\"search\">\n"
		       "<div class=\"qrow\"><input type=\"search\" id=\"q\" name=\"q\" maxlength=\"2048\" "
		       "aria-label=\"Search the archive\" placeholder=\"cyberattack RNC, &quot;a phrase&quot;, "
		       "credit:reuters\" autofocus value=\"");
	nx_serve_esc(b, f->q);
	nx_sb_adds(b, "\"><button type=\"submit\">Search</button></div>\n");
	nx_sb_addf(b, "<details class=\"filters\"%s><summary>Filters</summary>\n<div class=\"frow\">\n",
		    open ? " open" : "");
	input(b, "From", "date", "since", f->since, "");
	input(b, "To", "date", "until", f->until, "");
	input(b, "Source", "text", "source", f->source, " placeholder=\"Reuters\"");
	input(b, "Photo credit", "text", "credit", f->credit, " placeholder=\"photographer or agency\"");
	nx_sb_adds(b, "<label>Sort <select name=\"sort\">");
	for (i = 0; i < sizeof(sorts) / sizeof(sorts[0]); i++)
		nx_sb_addf(b, "<option value=\"%s\"%s>%s</option>", sorts[i][0],
			    filled(f->sort) && strcmp(f->sort, sorts[i][0]) == 0 ? " selected" : "", sorts[i][1]);
	nx_sb_adds(b, "</select></label>\n<button type=\"submit\">Apply</button>\n</div>\n"
		       "<p class=\"help\">Words, <code>\"phrases\"</code>, <code>a OR b</code>, <code>-word</code>, "
		       "<code>word*</code>, <code>title:</code> <code>caption:</code> <code>credit:</code>, "
		       "<code>published:2021-07</code>, <code>updated:&gt;2022</code>, <code>changed:&gt;30d</code>, "
		       "<code>source:</code> <code>author:</code> <code>lang:</code>.</p>\n</details>\n</form>\n"
		       "</header>\n");
}

static void hit_html(nx_sb *b, const nx_hit *h, const nx_article *a)
{
	size_t i = 0, n = 0;

	nx_sb_adds(b, "<li class=\"hit\">\n<h2><a href=\"/a/");
	nx_serve_url_arg(b, h->id);
	nx_sb_adds(b, "\">");
	if (h->title != NULL)
		marked(b, h->title, h->title_highlights, h->ntitle_highlights);
	else
		nx_sb_adds(b, "(untitled)");
	nx_sb_adds(b, "</a></h2>\n<p class=\"meta\">");
	if (h->source != NULL) {
		nx_sb_adds(b, "<span class=\"source\">");
		nx_serve_esc(b, h->source);
		nx_sb_adds(b, "</span> · ");
	}
	if (h->published.set)
		time_html(b, &h->published);
	else
		nx_sb_adds(b, "undated");
	if (h->updated.set) {
		nx_sb_adds(b, " · <span class=\"updated\">updated ");
		if (h->published.set) {
			later(b, h->updated.utc - h->published.utc);
			nx_sb_adds(b, " (");
			time_html(b, &h->updated);
			nx_sb_adds(b, ")");
		} else {
			time_html(b, &h->updated);
		}
		nx_sb_adds(b, "</span>");
	}
	if (h->revision > 0)
		nx_sb_addf(b, " · <span class=\"rev\">earlier version (revision %d)</span>", h->revision);
	nx_sb_adds(b, "</p>\n");
	if (h->snippet != NULL && *h->snippet != '\0') {
		nx_sb_adds(b, "<p class=\"snippet\">");
		if (h->snippet_field != NULL && strcmp(h->snippet_field, "body") != 0)
			nx_sb_adds(b, "<span class=\"field\">photo:</span> ");
		marked(b, h->snippet, h->highlights, h->nhighlights);
		nx_sb_adds(b, "</p>\n");
	}
	if (a != NULL) {
		for (i = 0; i < a->nphotos; i++)
			n += has_credit(&a->photos[i]) ? 1 : 0;
		if (n > 0) {
			nx_sb_addf(b, "<p class=\"credits\">Photo%s: ", n > 1 ? "s" : "");
			for (i = 0, n = 0; i < a->nphotos; i++) {
				if (!has_credit(&a->photos[i]))
					continue;
				nx_sb_adds(b, n++ > 0 ? "; <span class=\"credit\">" : "<span class=\"credit\">");
				credit_html(b, &a->photos[i]);
				nx_sb_adds(b, "</span>");
			}
			nx_sb_adds(b, "</p>\n");
		}
	}
	if (h->nalso > 0) {
		nx_sb_adds(b, "<p class=\"also\">Also in: ");
		for (i = 0; i < h->nalso; i++) {
			nx_sb_adds(b, i > 0 ? ", <a href=\"/a/" : "<a href=\"/a/");
			nx_serve_url_arg(b, h->also_ids[i]);
			nx_sb_adds(b, "\">");
			nx_serve_esc(b, h->also_in[i]);
			nx_sb_adds(b, "</a>");
		}
		nx_sb_adds(b, "</p>\n");
	}
	nx_sb_adds(b, "</li>\n");
}

static int leap(int y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static void facets_html(nx_sb *b, const nx_serve_form *f, const nx_results *r)
{
	static const int mdays[12] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	char since[16], until[16];
	size_t i = 0, j = 0;

	if (r->nfacets == 0)
		return;
	nx_sb_adds(b, "<aside class=\"facets\" aria-label=\"Narrow the results\">\n");
	for (i = 0; i < r->nfacets; i++) {
		const nx_facet *fc = &r->facets[i];
		const char *title = strcmp(fc->name, "source") == 0 ? "Sources" :
				    strcmp(fc->name, "credit") == 0 ? "Photo credits" :
				    strcmp(fc->name, "month") == 0 ? "Months" : "Authors";

		if (fc->nvalues == 0)
			continue;
		nx_sb_addf(b, "<section class=\"facet\" data-facet=\"%s\"><h3>%s</h3>\n<ul>\n", fc->name, title);
		for (j = 0; j < fc->nvalues; j++) {
			nx_serve_form g = *f;
			int y = 0, m = 0;

			g.offset = 0;
			if (strcmp(fc->name, "source") == 0) {
				g.source = fc->values[j].value;
			} else if (strcmp(fc->name, "credit") == 0) {
				g.credit = fc->values[j].value;
			} else if (strcmp(fc->name, "month") == 0 &&
				   sscanf(fc->values[j].value, "%4d-%2d", &y, &m) == 2 && m >= 1 && m <= 12) {
				snprintf(since, sizeof(since), "%04d-%02d-01", y, m);
				snprintf(until, sizeof(until), "%04d-%02d-%02d", y, m,
					 mdays[m - 1] + (m == 2 && leap(y) ? 1 : 0));
				g.since = since;
				g.until = until;
			} else {
				/* authors: shown, not linked (the query language has author:) */
				nx_sb_adds(b, "<li><span>");
				nx_serve_esc(b, fc->values[j].value);
				nx_sb_addf(b, "</span> <span class=\"n\">%lld</span></li>\n",
					    (long long)fc->values[j].count);
				continue;
			}
			nx_sb_adds(b, "<li>");
			link_open(b, &g, NULL);
			nx_serve_esc(b, fc->values[j].value);
			nx_sb_addf(b, "</a> <span class=\"n\">%lld</span></li>\n", (long long)fc->values[j].count);
		}
		nx_sb_adds(b, "</ul></section>\n");
	}
	nx_sb_adds(b, "</aside>\n");
}

static void pages_html(nx_sb *b, const nx_serve_form *f, const nx_results *r)
{
	nx_serve_form g = *f;
	int64_t listed = r->total + r->total_some; /* articles: folded copies count too */
	int64_t pages = (listed + NX_SERVE_PAGE - 1) / NX_SERVE_PAGE;
	int64_t page = f->offset / NX_SERVE_PAGE + 1;

	if (f->offset == 0 && !r->more)
		return;
	nx_sb_adds(b, "<nav class=\"pages\" aria-label=\"Pages\">");
	if (f->offset > 0) {
		g.offset = f->offset > NX_SERVE_PAGE ? f->offset - NX_SERVE_PAGE : 0;
		link_open(b, &g, "prev");
		nx_sb_adds(b, "← Previous</a> ");
	}
	nx_sb_addf(b, "<span>Page %lld of %lld</span>", (long long)page, (long long)(pages > 0 ? pages : 1));
	if (r->more && r->nhits > 0) {
		g.offset = f->offset + NX_SERVE_PAGE;
		nx_sb_adds(b, " ");
		link_open(b, &g, "next");
		nx_sb_adds(b, "Next →</a>");
	}
	nx_sb_adds(b, "</nav>\n");
}

void nx_serve_page_search(nx_sb *b, const nx_serve_form *f, const nx_results *r,
			  nx_article *const *arts, const nx_stats *st, const char *error)
{
	size_t i = 0;

	page_head(b, filled(f->q) ? f->q : "Search the archive", filled(f->q) ? " · newsidx" : "");
	search_form(b, f);
	nx_sb_adds(b, "<main>\n");
	if (error != NULL) {
		nx_sb_adds(b, "<p class=\"error\" role=\"alert\">");
		nx_serve_esc(b, error);
		nx_sb_adds(b, "</p>\n");
	} else if (r == NULL) {
		if (st != NULL) {
			nx_sb_addf(b, "<p class=\"intro\">%lld articles", (long long)st->articles);
			if (st->oldest.set && st->newest.set) {
				nx_sb_adds(b, " from ");
				time_html(b, &st->oldest);
				nx_sb_adds(b, " to ");
				time_html(b, &st->newest);
			}
			nx_sb_addf(b, ", %lld photos, %lld earlier revisions.</p>\n", (long long)st->photos,
				    (long long)st->revisions);
		}
	} else {
		nx_sb_addf(b, "<p class=\"count\" id=\"count\" data-total=\"%lld\" data-total-some=\"%lld\">%lld article%s",
			    (long long)r->total, (long long)r->total_some, (long long)r->total, r->total == 1 ? "" : "s");
		if (r->total_some > 0)
			nx_sb_addf(b, " with every word, %lld with some", (long long)r->total_some);
		nx_sb_adds(b, "</p>\n");
		if (r->suggestion != NULL) {
			nx_serve_form g = *f;

			g.q = r->suggestion;
			g.offset = 0;
			nx_sb_adds(b, "<p class=\"suggest\">Did you mean ");
			link_open(b, &g, "suggestion");
			nx_serve_esc(b, r->suggestion);
			nx_sb_adds(b, "</a>?</p>\n");
		}
		nx_sb_adds(b, "<div class=\"results\">\n");
		if (r->nhits > 0) {
			for (i = 0; i < r->nhits; i++) {
				/* the closest matches under their own heading, after the full ones */
				if (i == 0 || r->hits[i].some != r->hits[i - 1].some) {
					if (i > 0)
						nx_sb_adds(b, "</ol>\n");
					if (r->hits[i].some)
						nx_sb_adds(b, r->total == 0 ?
							"<h2 class=\"closest\">No article has every word; these are the closest matches</h2>\n" :
							"<h2 class=\"closest\">Closest matches: some of the words, not all</h2>\n");
					nx_sb_addf(b, "<ol class=\"hits\" start=\"%d\">\n", f->offset + (int)i + 1);
				}
				hit_html(b, &r->hits[i], arts != NULL ? arts[i] : NULL);
			}
			nx_sb_adds(b, "</ol>\n");
		} else {
			nx_sb_adds(b, "<p class=\"none\">No articles match.</p>\n");
		}
		facets_html(b, f, r);
		nx_sb_adds(b, "</div>\n");
		pages_html(b, f, r);
	}
	nx_sb_adds(b, "</main>\n");
	page_foot(b);
}

/* One line of nx_revision_diff output with NX_DIFF_COLOR markers turned into <del>/<ins>. */
static void diff_line(nx_sb *b, const char *s, size_t n)
{
	static const char del_open[] = "\033[31m[-", ins_open[] = "\033[32m{+";
	static const char del_close[] = "-]\033[0m", ins_close[] = "+}\033[0m";
	size_t i = 0, start = 0;
	int in = 0; /* 0, '-' or '+' */

	while (i < n) {
		if (in == 0 && n - i >= 7 && (memcmp(s + i, del_open, 7) == 0 || memcmp(s + i, ins_open, 7) == 0)) {
			esc_n(b, s + start, i - start);
			in = s[i + 5] == '[' ? '-' : '+';
			nx_sb_adds(b, in == '-' ? "<del>" : "<ins>");
			i += 7;
			start = i;
		} else if (in != 0 && n - i >= 6 &&
			   memcmp(s + i, in == '-' ? del_close : ins_close, 6) == 0) {
			esc_n(b, s + start, i - start);
			nx_sb_adds(b, in == '-' ? "</del>" : "</ins>");
			in = 0;
			i += 6;
			start = i;
		} else if (s[i] == '\033') {
			/* any other escape sequence: drop it */
			esc_n(b, s + start, i - start);
			i++;
			while (i < n && s[i] != 'm')
				i++;
			i += i < n ? 1 : 0;
			start = i;
		} else {
			i++;
		}
	}
	esc_n(b, s + start, n - start);
	if (in != 0)
		nx_sb_adds(b, in == '-' ? "</del>" : "</ins>");
}

static void diff_html(nx_sb *b, const char *diff)
{
	const char *p = diff, *nl = NULL;

	nx_sb_adds(b, "<div class=\"diff\">\n");
	if (*p == '\0')
		nx_sb_adds(b, "<p>No change in the text.</p>\n");
	while (*p != '\0') {
		nl = strchr(p, '\n');
		if (nl == NULL)
			nl = p + strlen(p);
		nx_sb_adds(b, "<p>");
		diff_line(b, p, (size_t)(nl - p));
		nx_sb_adds(b, "</p>\n");
		p = *nl == '\n' ? nl + 1 : nl;
	}
	nx_sb_adds(b, "</div>\n");
}

static void fact(nx_sb *b, const char *label, const char *value)
{
	if (value == NULL)
		return;
	nx_sb_addf(b, "<dt>%s</dt><dd>", label);
	nx_serve_esc(b, value);
	nx_sb_adds(b, "</dd>\n");
}

static int is_web_url(const char *u)
{
	return u != NULL && (strncmp(u, "https://", 8) == 0 || strncmp(u, "http://", 7) == 0);
}

static void revisions_html(nx_sb *b, const nx_serve_article *p)
{
	size_t i = 0;

	if (p->nrevs < 2)
		return;
	nx_sb_addf(b, "<section class=\"revisions\" id=\"revisions\"><h2>Revisions (%zu versions)</h2>\n"
		       "<table><thead><tr><th>Version</th><th>Updated</th><th>Captured</th><th></th></tr></thead>"
		       "<tbody>\n", p->nrevs);
	for (i = 0; i < p->nrevs; i++) {
		const nx_revision *v = &p->revs[i];
		int shown = p->rev == v->rev || (p->rev == 0 && v->current);

		nx_sb_addf(b, "<tr%s><td>", shown ? " class=\"shown\"" : "");
		if (shown)
			nx_sb_addf(b, "rev %lld%s", (long long)v->rev, v->current ? " (current)" : "");
		else {
			nx_sb_adds(b, "<a href=\"/a/");
			nx_serve_url_arg(b, p->id);
			if (!v->current)
				nx_sb_addf(b, "?rev=%lld", (long long)v->rev);
			nx_sb_addf(b, "\">rev %lld%s</a>", (long long)v->rev, v->current ? " (current)" : "");
		}
		nx_sb_adds(b, "</td><td>");
		if (v->updated.set)
			time_html(b, &v->updated);
		nx_sb_adds(b, "</td><td>");
		if (v->captured.set)
			time_html(b, &v->captured);
		nx_sb_adds(b, "</td><td>");
		if (i > 0) {
			nx_sb_adds(b, "<a class=\"difflink\" href=\"/a/");
			nx_serve_url_arg(b, p->id);
			nx_sb_addf(b, "?from=%lld&amp;to=%lld#diff\">changes</a>", (long long)p->revs[i - 1].rev,
				    (long long)v->rev);
		}
		nx_sb_adds(b, "</td></tr>\n");
	}
	nx_sb_adds(b, "</tbody></table>\n");
	if (p->diff != NULL && p->diff_to != 0) {
		nx_sb_addf(b, "<h3 id=\"diff\">Changes from rev %lld to rev %lld</h3>\n"
			       "<p class=\"legend\"><del>removed</del> <ins>added</ins></p>\n",
			    (long long)p->diff_from, (long long)p->diff_to);
		diff_html(b, p->diff);
	}
	nx_sb_adds(b, "</section>\n");
}

void nx_serve_page_article(nx_sb *b, const nx_serve_article *p)
{
	const nx_article *a = p->a;
	char loc[32];
	size_t i = 0;

	page_head(b, a->title != NULL ? a->title : "(untitled)", " · newsidx");
	search_form(b, &(nx_serve_form){ NULL, NULL, NULL, NULL, NULL, NULL, 0 });
	nx_sb_adds(b, "<main>\n<article class=\"article\">\n");
	if (p->rev != 0) {
		nx_sb_addf(b, "<p class=\"note\" role=\"note\">An earlier version (rev %lld). <a href=\"/a/",
			    (long long)p->rev);
		nx_serve_url_arg(b, p->id);
		nx_sb_adds(b, "\">See the current one.</a></p>\n");
	}
	nx_sb_adds(b, "<h1>");
	nx_serve_esc(b, a->title != NULL ? a->title : "(untitled)");
	nx_sb_adds(b, "</h1>\n<dl class=\"facts\">\n");
	fact(b, "Outlet", a->source);
	if (a->nauthors > 0) {
		nx_sb_adds(b, "<dt>By</dt><dd>");
		for (i = 0; i < a->nauthors; i++) {
			nx_sb_adds(b, i > 0 ? ", " : "");
			nx_serve_esc(b, a->authors[i]);
		}
		nx_sb_adds(b, "</dd>\n");
	}
	if (a->published.set) {
		nx_sb_adds(b, "<dt>Published</dt><dd class=\"published\">");
		time_html(b, &a->published);
		if (a->published.has_offset && a->published.offset != 0) {
			nx_date_format_local(loc, &a->published);
			nx_sb_adds(b, " <span class=\"local\">(");
			nx_serve_esc(b, loc);
			nx_sb_adds(b, " local)</span>");
		}
		nx_sb_adds(b, "</dd>\n");
	}
	if (a->updated.set) {
		nx_sb_adds(b, "<dt>Updated</dt><dd class=\"updated\">");
		time_html(b, &a->updated);
		if (a->published.set) {
			nx_sb_adds(b, " — ");
			later(b, a->updated.utc - a->published.utc);
		}
		nx_sb_adds(b, "</dd>\n");
	}
	fact(b, "Section", a->section);
	fact(b, "Language", a->lang);
	if (a->url != NULL) {
		nx_sb_adds(b, "<dt>URL</dt><dd class=\"url\">");
		if (is_web_url(a->url)) {
			nx_sb_adds(b, "<a rel=\"noopener noreferrer nofollow\" href=\"");
			nx_serve_esc(b, a->url);
			nx_sb_adds(b, "\">");
			nx_serve_esc(b, a->url);
			nx_sb_adds(b, "</a>");
		} else {
			nx_serve_esc(b, a->url);
		}
		nx_sb_adds(b, "</dd>\n");
	}
	fact(b, "Id", p->id);
	nx_sb_adds(b, "</dl>\n");
	if (a->nphotos > 0) {
		nx_sb_addf(b, "<section class=\"photos\"><h2>Photo%s</h2>\n", a->nphotos > 1 ? "s" : "");
		for (i = 0; i < a->nphotos; i++) {
			const nx_photo *ph = &a->photos[i];

			nx_sb_adds(b, "<figure class=\"photo\"><figcaption>");
			if (ph->caption != NULL) {
				nx_sb_adds(b, "<span class=\"caption\">");
				nx_serve_esc(b, ph->caption);
				nx_sb_adds(b, "</span> ");
			}
			if (has_credit(ph)) {
				nx_sb_adds(b, "<span class=\"credit\">Photo: ");
				credit_html(b, ph);
				nx_sb_adds(b, "</span>");
			}
			if (ph->url != NULL) {
				nx_sb_adds(b, " <span class=\"imgurl\">");
				nx_serve_esc(b, ph->url);
				nx_sb_adds(b, "</span>");
			}
			nx_sb_adds(b, "</figcaption></figure>\n");
		}
		nx_sb_adds(b, "</section>\n");
	}
	nx_sb_adds(b, "<section class=\"body\">\n");
	for (i = 0; i < a->nparas; i++) {
		nx_sb_adds(b, "<p>");
		nx_serve_esc(b, a->paras[i]);
		nx_sb_adds(b, "</p>\n");
	}
	nx_sb_adds(b, "</section>\n");
	if (a->origin.path != NULL || a->origin.record_id != NULL) {
		nx_sb_adds(b, "<section class=\"origin\"><h2>Source</h2>\n<dl class=\"facts\">\n");
		fact(b, "File", a->origin.path);
		if (a->origin.offset >= 0)
			nx_sb_addf(b, "<dt>Offset</dt><dd>%lld</dd>\n", (long long)a->origin.offset);
		fact(b, a->origin.format != NULL && strcmp(a->origin.format, "warc") == 0 ? "WARC record" : "Record",
		     a->origin.record_id);
		fact(b, "Format", a->origin.format);
		nx_sb_adds(b, "</dl></section>\n");
	}
	revisions_html(b, p);
	nx_sb_adds(b, "<p class=\"json\"><a href=\"/api/article/");
	nx_serve_url_arg(b, p->id);
	nx_sb_adds(b, "\">This article as JSON</a></p>\n</article>\n</main>\n");
	page_foot(b);
}

void nx_serve_page_error(nx_sb *b, unsigned status, const char *reason, const char *msg)
{
	char title[64];

	snprintf(title, sizeof(title), "%u %s", status, reason);
	page_head(b, title, " · newsidx");
	search_form(b, &(nx_serve_form){ NULL, NULL, NULL, NULL, NULL, NULL, 0 });
	nx_sb_adds(b, "<main>\n<h1>");
	nx_serve_esc(b, title);
	nx_sb_adds(b, "</h1>\n<p class=\"error\" role=\"alert\">");
	nx_serve_esc(b, msg);
	nx_sb_adds(b, "</p>\n</main>\n");
	page_foot(b);
}

const char nx_serve_css[] =
	":root{--fg:#1b1b1b;--muted:#5c5c5c;--line:#ddd;--accent:#0b57d0;--bg:#fff;--mark:#fff3a3}\n"
	"*{box-sizing:border-box}\n"
	"body{margin:0 auto;max-width:52rem;padding:0 1rem 2rem;font:16px/1.5 system-ui,-apple-system,"
	"'Segoe UI',Roboto,'DejaVu Sans',sans-serif;color:var(--fg);background:var(--bg);overflow-wrap:anywhere}\n"
	"header{padding:1rem 0 .5rem;border-bottom:1px solid var(--line)}\n"
	"a{color:var(--accent)}\n"
	".home{font-weight:700;text-decoration:none;color:var(--fg);display:inline-block;margin-bottom:.4rem}\n"
	".qrow{display:flex;gap:.5rem}\n"
	".qrow input{flex:1;min-width:0;font-size:1.05rem;padding:.5rem .6rem;border:1px solid #999;"
	"border-radius:.3rem}\n"
	"button{font-size:1rem;padding:.45rem .9rem;border:1px solid var(--accent);background:var(--accent);"
	"color:#fff;border-radius:.3rem;cursor:pointer}\n"
	".filters{margin:.5rem 0}\n.filters summary{cursor:pointer;color:var(--muted)}\n"
	".frow{display:flex;flex-wrap:wrap;gap:.5rem 1rem;align-items:flex-end;margin:.5rem 0}\n"
	".frow label{display:flex;flex-direction:column;font-size:.85rem;color:var(--muted)}\n"
	".frow input,.frow select{font-size:1rem;padding:.3rem;border:1px solid #999;border-radius:.3rem}\n"
	".help{font-size:.85rem;color:var(--muted)}\n"
	"code{background:#f3f3f3;padding:0 .2rem;border-radius:.2rem}\n"
	".count{color:var(--muted);margin:1rem 0 .5rem}\n"
	".hits{padding-left:1.4rem;margin:0}\n.hit{margin:0 0 1.3rem}\n"
	".hit h2{font-size:1.15rem;margin:0 0 .15rem;line-height:1.3}\n"
	".meta{margin:0;color:var(--muted);font-size:.9rem}\n"
	".updated{color:#8a4b00}\n"
	".snippet{margin:.25rem 0}\n.field{color:var(--muted);font-style:italic}\n"
	".credits,.also{margin:.1rem 0;font-size:.9rem;color:var(--muted)}\n"
	"mark{background:var(--mark);color:inherit;padding:0 .05rem}\n"
	".facets{display:flex;flex-wrap:wrap;gap:0 2rem;border-top:1px solid var(--line);margin-top:1rem}\n"
	".facet h3{font-size:.95rem;margin:.8rem 0 .3rem}\n.facet ul{list-style:none;padding:0;margin:0;"
	"font-size:.9rem}\n.n{color:var(--muted)}\n"
	".pages{display:flex;gap:1rem;justify-content:center;margin:1.2rem 0}\n"
	".error{color:#a00000}\n.note,.suggest{background:#f5f7ff;padding:.4rem .6rem;border-radius:.3rem}\n"
	".article h1{font-size:1.6rem;line-height:1.25;margin:1rem 0 .6rem}\n"
	".facts{display:grid;grid-template-columns:max-content 1fr;gap:.15rem 1rem;margin:0 0 1rem;"
	"font-size:.92rem}\n.facts dt{color:var(--muted)}\n.facts dd{margin:0}\n"
	".photo{margin:0 0 .7rem;padding:.5rem .7rem;border-left:3px solid var(--line);background:#fafafa}\n"
	".photo .credit{display:block;font-size:.9rem;color:var(--muted)}\n"
	".imgurl{display:block;font-size:.8rem;color:var(--muted)}\n"
	".body p{margin:0 0 .9rem}\n"
	"table{border-collapse:collapse;font-size:.9rem;width:100%}\n"
	"td,th{border-bottom:1px solid var(--line);padding:.25rem .4rem;text-align:left}\n"
	"tr.shown{background:#f5f7ff}\n"
	".diff{font-size:.95rem;border:1px solid var(--line);padding:.2rem .7rem;border-radius:.3rem}\n"
	"del{background:#ffe0e0;color:#8b0000}\nins{background:#dcf5dc;color:#064d06;text-decoration:none}\n"
	"footer{margin-top:2rem;padding-top:.6rem;border-top:1px solid var(--line);font-size:.85rem;"
	"color:var(--muted)}\n"
	"@media (max-width:36rem){body{font-size:15px}.facts{grid-template-columns:1fr}.facts dt{margin-top:.3rem}"
	".frow label{flex:1 1 45%}}\n";

const char nx_serve_icon[] =
	"<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 32 32\">"
	"<rect width=\"32\" height=\"32\" rx=\"6\" fill=\"#0b57d0\"/>"
	"<path d=\"M8 24V8h3l10 11V8h3v16h-3L11 13v11z\" fill=\"#fff\"/></svg>\n";

const char nx_serve_js[] =
	"/* newsidx serve: conveniences only; every page works without this script. */\n"
	"'use strict';\n"
	"document.addEventListener('DOMContentLoaded', function () {\n"
	"  var form = document.getElementById('search');\n"
	"  var q = document.getElementById('q');\n"
	"  if (form === null || q === null) return;\n"
	"  /* '/' puts the cursor in the search box */\n"
	"  document.addEventListener('keydown', function (e) {\n"
	"    var t = e.target.tagName;\n"
	"    if (e.key === '/' && t !== 'INPUT' && t !== 'SELECT' && t !== 'TEXTAREA') {\n"
	"      e.preventDefault(); q.focus(); q.select();\n"
	"    }\n"
	"  });\n"
	"  /* changing the sort order searches again */\n"
	"  var sort = form.querySelector('select[name=sort]');\n"
	"  if (sort !== null) sort.addEventListener('change', function () {\n"
	"    if (q.value !== '' || location.search !== '') form.requestSubmit();\n"
	"  });\n"
	"  /* empty fields stay out of the address */\n"
	"  form.addEventListener('submit', function () {\n"
	"    Array.prototype.forEach.call(form.elements, function (el) {\n"
	"      if (el.name && (el.value === '' || (el.name === 'sort' && el.value === 'relevance')))\n"
	"        el.disabled = true;\n"
	"    });\n"
	"    setTimeout(function () {\n"
	"      Array.prototype.forEach.call(form.elements, function (el) { el.disabled = false; });\n"
	"    }, 0);\n"
	"  });\n"
	"});\n";

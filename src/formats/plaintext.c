/*
 * plaintext.c - plain-text article scrapes.
 *
 * Shape: the title on the first line, then a dateline ("01:42 GMT
 * 08.07.2021 (Updated: 13:20 GMT 06.08.2022)", "July 8, 2021 1:42 AM EDT",
 * "Published: ...") and optionally a byline ("By Jane Doe"), then the text,
 * one paragraph per line (or blank-line separated, hard-wrapped blocks),
 * interleaved with photo credits and captions the way scrapers leave them:
 * credits glued to captions, captions and credits repeated, page debris
 * such as "/ Subscribe".  Credits and captions become photos; they never
 * stay in the body.
 */
#include <stdlib.h>
#include <string.h>

#include "util/buf.h"
#include "article/credit.h"
#include "formats/format.h"
#include "util/text.h"

typedef struct line {
	const char *s;
	size_t len;
	int blank_before; /* a blank line separates it from the previous line */
} line;

typedef struct tstate {
	nx_article *a;
	line *lines;
	size_t nlines;
	size_t last_photo_line; /* line index of the latest photo, or SIZE_MAX */
	size_t last_para_line;  /* line index that produced the latest paragraph */
} tstate;

static void trim_span(const char **s, size_t *len)
{
	uint32_t cp = 0;
	size_t n = 0;

	while (*len > 0) {
		n = nx_utf8_decode(*s, *len, &cp);
		if (!nx_uni_isspace(cp) || n == 0)
			break;
		*s += n;
		*len -= n;
	}
	while (*len > 0 && (nx_isspace((unsigned char)(*s)[*len - 1])))
		(*len)--;
	/* trailing NBSP */
	while (*len >= 2 && (unsigned char)(*s)[*len - 2] == 0xC2 && (unsigned char)(*s)[*len - 1] == 0xA0)
		*len -= 2;
}

static int split_lines(tstate *t, const char *d, size_t len)
{
	size_t i = 0, start = 0, cap = 0;
	int blank = 0;

	if (len >= 3 && memcmp(d, "\xEF\xBB\xBF", 3) == 0)
		start = i = 3;
	for (; i <= len; i++) {
		if (i == len || d[i] == '\n') {
			const char *s = d + start;
			size_t n = i - start;

			start = i + 1;
			trim_span(&s, &n);
			if (n == 0) {
				blank = 1;
				continue;
			}
			if (t->nlines == cap) {
				line *p = realloc(t->lines, (cap = cap ? cap * 2 : 64) * sizeof(*p));

				if (p == NULL)
					return NX_ENOMEM;
				t->lines = p;
			}
			t->lines[t->nlines].s = s;
			t->lines[t->nlines].len = n;
			t->lines[t->nlines].blank_before = blank && t->nlines > 0;
			t->nlines++;
			blank = 0;
		}
	}
	return NX_OK;
}

/*
 * A dateline is a short line that is mostly a date, possibly with an
 * "(Updated: ...)" part, or that starts with Published/Updated/Posted.
 */
static int parse_dateline(nx_article *a, const char *s, size_t len)
{
	nx_time t1 = NX_TIME_INIT, t2 = NX_TIME_INIT;
	size_t st = 0, en = 0, st2 = 0, en2 = 0, covered = 0;
	const char *upd = NULL;
	int labelled = 0;

	if (len > 160)
		return 0;
	labelled = nx_startswith_ci(s, len, "published") || nx_startswith_ci(s, len, "updated") ||
		   nx_startswith_ci(s, len, "posted") || nx_startswith_ci(s, len, "last updated") ||
		   nx_startswith_ci(s, len, "date:");
	if (nx_date_find(&t1, s, len, &st, &en) != NX_OK)
		return 0;
	covered = en - st;
	upd = nx_memcasemem(s, len, "updated");
	if (nx_date_find(&t2, s + en, len - en, &st2, &en2) == NX_OK) {
		covered += en2 - st2;
		st2 += en;
		en2 += en;
	} else {
		t2.set = 0;
	}
	if (!labelled && covered * 2 < len)
		return 0;
	if (upd != NULL && (size_t)(upd - s) < st && !t2.set) {
		/* "Updated: <date>" alone */
		if (nx_startswith_ci(s, len, "updated") || nx_startswith_ci(s, len, "last updated"))
			a->updated = t1;
		else
			a->published = t1;
		return 1;
	}
	a->published = t1;
	if (t2.set && upd != NULL && (size_t)(upd - s) < st2)
		a->updated = t2;
	return 1;
}

/* "By Jane Doe and John Roe" / "By Jane Doe, John Roe | Reuters" */
static int parse_byline(nx_article *a, const char *s, size_t len)
{
	size_t i = 0, start = 0;
	int rc = NX_OK;

	if (len > 120 || !nx_startswith_ci(s, len, "by ") || len < 5 || !nx_isupper((unsigned char)s[3]))
		return 0;
	s += 3;
	len -= 3;
	for (i = 0; i <= len && rc == NX_OK; i++) {
		int sep = i == len || s[i] == ',' || s[i] == '|' || s[i] == ';' ||
			  (i + 5 <= len && memcmp(s + i, " and ", 5) == 0);

		if (!sep)
			continue;
		{
			const char *p = s + start;
			size_t n = i - start;
			nx_time t = NX_TIME_INIT;

			trim_span(&p, &n);
			/* a date or an outlet after the names is not an author */
			if (n > 0 && nx_date_find(&t, p, n, NULL, NULL) != NX_OK &&
			    nx_agency_canonical(p, n) == NULL && nx_isupper((unsigned char)p[0]))
				rc = nx_article_add_author(a, p, (long)n);
			else if (n > 0 && !a->published.set && nx_date_find(&t, p, n, NULL, NULL) == NX_OK)
				a->published = t;
		}
		if (i < len && s[i] == '|')
			break; /* "By X | Outlet" */
		start = i + (i + 5 <= len && memcmp(s + i, " and ", 5) == 0 ? 5 : 1);
		if (i + 5 <= len && memcmp(s + i, " and ", 5) == 0)
			i += 4;
	}
	return rc == NX_OK ? 1 : rc;
}

static int same_str(const char *a, const char *b)
{
	if (a == NULL || b == NULL)
		return a == b;
	return strcmp(a, b) == 0;
}

/* Text of s[0..len) cleaned, compared with a stored caption. */
static int equals_clean(const char *s, size_t len, const char *caption)
{
	nx_buf b = NX_BUF_INIT;
	int eq = 0;

	if (caption == NULL)
		return 0;
	nx_text_clean(&b, s, len);
	eq = nx_buf_ok(&b) && strcmp(b.buf, caption) == 0;
	nx_buf_free(&b);
	return eq;
}

/*
 * A line repeating the caption of one of the latest photos.  Cleaned once
 * and compared with at most the last 64 photos: a file of thousands of
 * credit lines stays linear.
 */
static int is_known_caption(const nx_article *a, const char *s, size_t len)
{
	nx_buf b = NX_BUF_INIT;
	size_t i = 0, from = a->nphotos > 64 ? a->nphotos - 64 : 0;
	int found = 0;

	if (a->nphotos == 0)
		return 0;
	nx_text_clean(&b, s, len);
	for (i = from; i < a->nphotos && nx_buf_ok(&b) && !found; i++)
		found = a->photos[i].caption != NULL && strcmp(b.buf, a->photos[i].caption) == 0;
	nx_buf_free(&b);
	return found;
}

static int add_photo(tstate *t, const char *credit, size_t clen, const char *cap, size_t caplen,
		     size_t lineno)
{
	char *agency = NULL, *who = NULL;
	nx_photo *p = NULL;
	nx_photo *last = t->a->nphotos > 0 ? &t->a->photos[t->a->nphotos - 1] : NULL;
	int rc = NX_OK;

	if (clen > 0 && nx_credit_parse(credit, clen, &agency, &who) < 0)
		return NX_ENOMEM;
	/* a bare credit repeating the previous photo's credit (within a few
	   lines) is the same photo */
	if (caplen == 0 && last != NULL && t->last_photo_line != (size_t)-1 &&
	    lineno - t->last_photo_line <= 3 && same_str(last->agency, agency) &&
	    same_str(last->photographer, who))
		goto done;
	/* the same photo again with its caption */
	if (caplen > 0 && last != NULL && lineno - t->last_photo_line <= 3 &&
	    equals_clean(cap, caplen, last->caption))
		goto done;
	/* a bare credit right after a short paragraph: that paragraph was the caption */
	if (caplen == 0 && t->a->nparas > 0 && t->last_para_line + 1 == lineno &&
	    strlen(t->a->paras[t->a->nparas - 1]) < 400 && (agency != NULL || who != NULL)) {
		p = nx_article_add_photo(t->a);
		if (p == NULL) {
			rc = NX_ENOMEM;
			goto done;
		}
		p->caption = t->a->paras[t->a->nparas - 1];
		t->a->paras[t->a->nparas - 1] = NULL;
		t->a->nparas--;
	} else {
		if (agency == NULL && who == NULL && caplen == 0)
			goto done;
		p = nx_article_add_photo(t->a);
		if (p == NULL) {
			rc = NX_ENOMEM;
			goto done;
		}
		if (caplen > 0 && (rc = nx_article_set(&p->caption, cap, (long)caplen)) < 0)
			goto done;
	}
	p->agency = agency;
	p->photographer = who;
	agency = NULL;
	who = NULL;
	t->last_photo_line = lineno;
done:
	free(agency);
	free(who);
	return rc;
}

/*
 * A credit line with a caption glued on: find where the credit ends.  A
 * nearby line equal to the tail (the repeated caption) settles it;
 * otherwise the general glue heuristics of nx_credit_split_glued() do.
 */
static size_t credit_end(tstate *t, size_t i)
{
	const line *L = &t->lines[i];
	size_t j = 0, best = L->len, lo = i >= 3 ? i - 3 : 0, hi = i + 3 < t->nlines ? i + 3 : t->nlines - 1;

	for (j = lo; j <= hi; j++) {
		const line *o = &t->lines[j];

		if (j == i || o->len >= L->len || o->len < 8)
			continue;
		if (memcmp(L->s + L->len - o->len, o->s, o->len) == 0 && L->len - o->len < best)
			best = L->len - o->len;
	}
	if (best < L->len)
		return best;
	return nx_credit_split_glued(L->s, L->len);
}

/* 1 when line L ends a sentence and the next line starts one. */
static int sentence_break(const line *L, const line *next)
{
	unsigned char last = L->len > 0 ? (unsigned char)L->s[L->len - 1] : 0;
	int ends = last == '.' || last == '!' || last == '?' || last == '"' ||
		   (L->len >= 3 && (unsigned char)L->s[L->len - 3] == 0xE2 && last == 0x9D); /* ” */

	return ends && next->len > 0 && !nx_islower((unsigned char)next->s[0]);
}

/*
 * Join hard-wrapped lines of one block: every line but the last is 40-100
 * bytes, and most of them break inside a sentence (a file of one short
 * paragraph per line breaks at every sentence end: kept apart).  Stops at
 * the first line that rules wrapping out, so a file of thousands of
 * unseparated lines is read once, not once per line.
 */
static size_t block_end(const tstate *t, size_t i, int *wrapped)
{
	size_t j = i + 1, breaks = 0;

	*wrapped = 0;
	while (j < t->nlines && !t->lines[j].blank_before) {
		if (t->lines[j - 1].len < 40 || t->lines[j - 1].len > 100)
			return j; /* not wrapped: the caller ignores the end */
		breaks += sentence_break(&t->lines[j - 1], &t->lines[j]);
		j++;
	}
	*wrapped = j - i > 1 && breaks * 2 <= j - i - 1;
	return j;
}

/*
 * A paragraph of text rather than a label: two words or more, or a long
 * line, or eight characters of a script written without spaces (Chinese,
 * Japanese, Thai: three bytes each in UTF-8).
 */
static int is_prose(const char *p)
{
	size_t len = strlen(p), words = 0, wide = 0, i = 0;

	if (len >= 80)
		return 1;
	for (i = 0; i < len; i++) {
		if (!nx_isspace((unsigned char)p[i]) && (i == 0 || nx_isspace((unsigned char)p[i - 1])))
			words++;
		if ((unsigned char)p[i] >= 0xE0)
			wide++;
	}
	return words >= 2 || wide >= 8;
}

/* One token per line, short: a word list (a stop list, a spelling list). */
static int is_word_list(const tstate *t)
{
	size_t i = 0, single = 0;

	for (i = 0; i < t->nlines; i++) {
		const char *sp = memchr(t->lines[i].s, ' ', t->lines[i].len);

		if (sp == NULL && memchr(t->lines[i].s, '\t', t->lines[i].len) == NULL && t->lines[i].len <= 40)
			single++;
	}
	return t->nlines >= 3 && single * 10 >= t->nlines * 9;
}

/* A licence: "licence"/"license" or "Copyright" in its first lines, "warranty" in it. */
static int is_licence(const tstate *t, const char *d, size_t len)
{
	size_t i = 0;
	int named = 0;

	for (i = 0; i < t->nlines && i < 3 && !named; i++)
		named = nx_memcasemem(t->lines[i].s, t->lines[i].len, "license") != NULL ||
			nx_memcasemem(t->lines[i].s, t->lines[i].len, "licence") != NULL ||
			nx_startswith_ci(t->lines[i].s, t->lines[i].len, "copyright");
	return named && nx_memcasemem(d, len, "warranty") != NULL;
}

/*
 * Why a text file is not an article (a word list, a licence, a title
 * without a paragraph of text), or NULL when it is one.  Only for a file
 * of its own: a WARC's text payload is what the crawl kept.  A README or
 * licence file in a folder is skipped by its name before (ingest/walk.c).
 */
static const char *not_an_article(const tstate *t, const nx_article *a, const nx_input *in)
{
	size_t i = 0;

	if (in->depth > 0)
		return NULL;
	if (is_word_list(t))
		return "one short word per line: a word list, not an article";
	if (is_licence(t, in->data, in->len))
		return "a licence text, not an article";
	for (i = 0; i < a->nparas; i++)
		if (is_prose(a->paras[i]))
			return NULL;
	return a->nparas == 0 ? "a title and no text: not an article"
			      : "no paragraph of two words or more (only labels): not an article";
}

int nx_parse_text(const nx_input *in, nx_article_cb cb, void *ctx, nx_error *err)
{
	const char *why = NULL;
	tstate t;
	nx_article *a = NULL;
	size_t i = 0, at = 0, m = 0, ce = 0;
	int rc = NX_OK, wrapped = 0, r = 0;

	memset(&t, 0, sizeof(t));
	t.last_photo_line = (size_t)-1;
	t.last_para_line = (size_t)-2;
	if ((rc = split_lines(&t, in->data, in->len)) < 0)
		goto oom;
	if (t.nlines == 0) {
		rc = nx_error_set(err, NX_EFORMAT, "no text found");
		goto done;
	}
	a = t.a = nx_article_new();
	if (a == NULL)
		goto oom;
	if (t.lines[0].len > 400) {
		rc = nx_error_set(err, NX_EFORMAT, "first line is %zu bytes long: not a title", t.lines[0].len);
		goto done;
	}
	if ((rc = nx_article_set(&a->title, t.lines[0].s, (long)t.lines[0].len)) < 0)
		goto oom;
	i = 1;
	/* dateline and byline, in either order, among the next lines */
	for (int k = 0; k < 3 && i < t.nlines; k++) {
		if (!a->published.set && !a->updated.set && parse_dateline(a, t.lines[i].s, t.lines[i].len)) {
			i++;
			continue;
		}
		r = a->nauthors == 0 ? parse_byline(a, t.lines[i].s, t.lines[i].len) : 0;
		if (r < 0)
			goto oom;
		if (r > 0) {
			i++;
			continue;
		}
		break;
	}
	for (; i < t.nlines; i++) {
		const line *L = &t.lines[i];

		if (nx_is_debris_line(L->s, L->len))
			continue;
		m = nx_credit_marker(L->s, L->len);
		if (m > 0 && m < L->len) {
			ce = credit_end(&t, i);
			/* the caption may have been seen already as a paragraph */
			if (ce < L->len && t.a->nparas > 0 &&
			    equals_clean(L->s + ce, L->len - ce, t.a->paras[t.a->nparas - 1]) &&
			    t.last_para_line + 3 >= i) {
				nx_article_remove_para(t.a, t.a->nparas - 1);
				t.last_para_line = (size_t)-2;
			}
			rc = add_photo(&t, L->s, ce, L->s + ce, L->len - ce, i);
			if (rc < 0)
				goto oom;
			continue;
		}
		if (is_known_caption(a, L->s, L->len))
			continue;
		if (L->len < 500 && nx_credit_find_trailing(L->s, L->len, &at)) {
			rc = add_photo(&t, L->s + at, L->len - at, L->s, at, i);
			if (rc < 0)
				goto oom;
			continue;
		}
		/* a paragraph, possibly hard-wrapped over several lines */
		{
			size_t end = block_end(&t, i, &wrapped);

			if (wrapped) {
				nx_buf b = NX_BUF_INIT;

				for (size_t k = i; k < end; k++) {
					if (k > i)
						nx_buf_addch(&b, ' ');
					nx_buf_add(&b, t.lines[k].s, t.lines[k].len);
				}
				rc = nx_buf_ok(&b) ? nx_article_add_para(a, b.buf, (long)b.len) : NX_ENOMEM;
				nx_buf_free(&b);
				i = end - 1;
			} else {
				rc = nx_article_add_para(a, L->s, (long)L->len);
			}
			if (rc < 0)
				goto oom;
			t.last_para_line = i;
		}
	}
	if ((why = not_an_article(&t, a, in)) != NULL) {
		rc = nx_error_set(err, NX_EFORMAT, "%s", why);
		goto done;
	}
	rc = nx_format__emit(a, in, "text", cb, ctx, err);
	a = NULL;
	goto done;
oom:
	rc = nx_error_set(err, NX_ENOMEM, "out of memory");
done:
	nx_article_free(a);
	free(t.lines);
	return rc;
}

/*
 * test_search.c - ranked full-text search with snippets (src/search/search.c
 * through newsidx/search.h) over a small index built with nx_store_put.
 *
 * The three articles share the word "volcano" in a different field each
 * (title, body, caption), so ranking, snippet fields and highlights can be
 * checked exactly.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <ftw.h>
#include <stdio.h>
#include <malloc.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "newsidx/search.h"
#include "newsidx/store.h"
#include "index/store_private.h"
#include "util/buf.h"
#include "util/text.h"

#define T0 1625708520

typedef struct fixture {
	char dir[64];
	char path[128];
	nx_store *st;
	char id_title[17];   /* "volcano" in the title */
	char id_body[17];    /* in the body */
	char id_caption[17]; /* only in a caption */
} fixture;

static int rm_entry(const char *p, const struct stat *sb, int flag, struct FTW *ftw)
{
	(void)sb;
	(void)flag;
	(void)ftw;
	return remove(p);
}

static nx_article *mk(const char *url, const char *title, const char *body, const char *caption,
		      const char *photographer, int64_t published)
{
	nx_article *a = nx_article_new();
	nx_error err = NX_ERROR_INIT;
	const char *p = body, *e = NULL;

	nx_article_set(&a->url, url, -1);
	nx_article_set(&a->title, title, -1);
	nx_article_set(&a->source, "Example Wire", -1);
	while (p != NULL && *p != '\0') {
		e = strchr(p, '|');
		nx_article_add_para(a, p, e != NULL ? (long)(e - p) : -1);
		p = e != NULL ? e + 1 : NULL;
	}
	if (caption != NULL || photographer != NULL) {
		nx_photo *ph = nx_article_add_photo(a);

		nx_article_set(&ph->caption, caption, -1);
		nx_article_set(&ph->photographer, photographer, -1);
		if (photographer != NULL)
			nx_article_set(&ph->agency, "Reuters", -1);
	}
	a->published.set = 1;
	a->published.has_time = 1;
	a->published.utc = published;
	a->captured = a->published;
	if (nx_article_identify(a, &err) != NX_OK)
		fail_msg("identify: %s", err.msg);
	return a;
}

static void put(nx_store *st, nx_article *a, char id[17])
{
	nx_error err = NX_ERROR_INIT;
	int status = 0;

	if (nx_store_put(st, a, &status, &err) != NX_OK)
		fail_msg("put: %s", err.msg);
	if (id != NULL)
		snprintf(id, 17, "%s", a->id);
	nx_article_free(a);
}

static int setup(void **state)
{
	fixture *f = calloc(1, sizeof(*f));
	nx_error err = NX_ERROR_INIT;

	if (f == NULL)
		return -1;
	snprintf(f->dir, sizeof(f->dir), "/tmp/nx-test-search-XXXXXX");
	if (mkdtemp(f->dir) == NULL)
		return -1;
	snprintf(f->path, sizeof(f->path), "%s/index.db", f->dir);
	if (nx_store_open(&f->st, f->path, NX_STORE_WRITE, &err) != NX_OK)
		return -1;
	put(f->st, mk("https://example.com/volcano", "Volcano erupts near coastal village",
		      "Lava flows reached the sea on Sunday while parliament watched.|"
		      "Residents were evacuated by boat and nobody was hurt.",
		      "Smoke rises above the crater", "Ansel Lavaworth", T0), f->id_title);
	put(f->st, mk("https://example.com/budget", "Parliament debates budget",
		      "The Volcano monitoring agency asked for more funding this year.|"
		      "Lawmakers argued over taxes until late in the evening.",
		      "Lawmakers in session", NULL, T0 + 3600), f->id_body);
	put(f->st, mk("https://example.com/harbour", "Harbour reopens after storm",
		      "Fishing boats returned to the harbour on Monday morning.|"
		      "The storm had closed it for three days.",
		      "A volcano seen from the harbour at dawn", "Dorothea Langeweile", T0 + 7200), f->id_caption);
	put(f->st, mk("https://example.com/cafe", "Caf\xC3\xA9 owners protest new rules",
		      "Owners of the caf\xC3\xA9s in the old town marched on Tuesday.",
		      NULL, NULL, T0 + 9000), NULL);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	fixture *f = *state;

	nx_store_close(f->st);
	nftw(f->dir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
	free(f);
	return 0;
}

static nx_results *search_ok(nx_store *st, const char *q, const nx_search_opts *o)
{
	nx_results *r = NULL;
	nx_error err = NX_ERROR_INIT;
	int rc = nx_search(&r, st, q, o, &err);

	if (rc != NX_OK)
		fail_msg("search '%.40s': %d %s", q, rc, err.msg);
	assert_non_null(r);
	assert_string_equal(r->query, q);
	/* total: the articles holding every word; total_some: the closest matches after them */
	{
		size_t i = 0, some = 0;

		for (i = 0; i < r->nhits; i++) {
			assert_true(i == 0 || r->hits[i].some >= r->hits[i - 1].some); /* full matches first */
			some += (size_t)r->hits[i].some;
		}
		assert_true(r->total >= (int64_t)(r->nhits - some));
		assert_true(r->total_some >= (int64_t)some);
		assert_int_equal(r->relaxed, some > 0);
	}
	return r;
}

/* ---- checking highlights ---- */

static int is_word_byte(unsigned char c)
{
	return nx_isalnum(c) || c >= 0x80;
}

static void lower_n(char *out, const char *s, size_t n)
{
	size_t i = 0;

	for (i = 0; i < n; i++)
		out[i] = (char)nx_tolower((unsigned char)s[i]);
	out[n] = '\0';
}

/* hl is the query word, or starts with its stem (query word minus up to three letters). */
static int word_matches(const char *hl, const char *const *words, size_t nwords)
{
	size_t i = 0;

	for (i = 0; i < nwords; i++) {
		size_t n = strlen(words[i]), k = n > 6 ? n - 3 : n > 3 ? n - 1 : n;

		if (strcmp(hl, words[i]) == 0 || strncmp(hl, words[i], k) == 0)
			return 1;
	}
	return 0;
}

/*
 * Spans are valid byte ranges of s, in order, not overlapping, each on
 * whole-word boundaries and each covering a query word; and every whole
 * word of s equal to a query word is covered by a span.
 */
static void check_spans(const char *what, const char *s, const nx_span *sp, size_t n,
			const char *const *words, size_t nwords)
{
	size_t len = strlen(s), i = 0, prev_end = 0, pos = 0;
	char tmp[256];

	assert_true(nx_utf8_valid(s, len));
	assert_null(strchr(s, '\x01'));
	assert_null(strchr(s, '\x02'));
	for (i = 0; i < n; i++) {
		if (!(sp[i].start < sp[i].end && sp[i].end <= len && sp[i].start >= prev_end))
			fail_msg("%s: bad span %zu [%zu,%zu) in %zu bytes of '%s'", what, i, sp[i].start,
				 sp[i].end, len, s);
		if (sp[i].start > 0 && is_word_byte((unsigned char)s[sp[i].start - 1]))
			fail_msg("%s: span %zu starts inside a word: '%s'", what, i, s + sp[i].start);
		if (sp[i].end < len && is_word_byte((unsigned char)s[sp[i].end]))
			fail_msg("%s: span %zu ends inside a word: '%s'", what, i, s + sp[i].start);
		assert_true(sp[i].end - sp[i].start < sizeof(tmp));
		lower_n(tmp, s + sp[i].start, sp[i].end - sp[i].start);
		if (!word_matches(tmp, words, nwords))
			fail_msg("%s: span %zu covers '%s', not a query word", what, i, tmp);
		prev_end = sp[i].end;
	}
	/* no missed exact matches */
	while (pos < len) {
		size_t st = pos, k = 0;
		int covered = 0;

		while (pos < len && is_word_byte((unsigned char)s[pos]))
			pos++;
		if (pos > st && pos - st < sizeof(tmp)) {
			lower_n(tmp, s + st, pos - st);
			for (k = 0; k < nwords; k++) {
				if (strcmp(tmp, words[k]) != 0)
					continue;
				for (i = 0; i < n; i++)
					if (sp[i].start <= st && sp[i].end >= pos)
						covered = 1;
				if (!covered)
					fail_msg("%s: '%s' at %zu not highlighted in '%s'", what, tmp, st, s);
			}
		}
		while (pos < len && !is_word_byte((unsigned char)s[pos]))
			pos++;
	}
}

static void check_hits(const nx_results *r, const char *const *words, size_t nwords)
{
	size_t i = 0;

	for (i = 0; i < r->nhits; i++) {
		const nx_hit *h = &r->hits[i];

		assert_non_null(h->id);
		assert_int_equal(strlen(h->id), 16);
		assert_non_null(h->title);
		assert_non_null(h->snippet);
		assert_non_null(h->snippet_field);
		assert_true(strcmp(h->snippet_field, "body") == 0 || strcmp(h->snippet_field, "caption") == 0 ||
			    strcmp(h->snippet_field, "credit") == 0);
		check_spans("snippet", h->snippet, h->highlights, h->nhighlights, words, nwords);
		check_spans("title", h->title, h->title_highlights, h->ntitle_highlights, words, nwords);
		if (i > 0 && h->score > r->hits[i - 1].score)
			fail_msg("hit %zu scores %f above hit %zu (%f)", i, h->score, i - 1, r->hits[i - 1].score);
	}
}

/* ---- tests ---- */

static void test_title_ranks_first(void **state)
{
	fixture *f = *state;
	nx_results *r = search_ok(f->st, "parliament", NULL);
	static const char *const w[] = { "parliament" };

	assert_int_equal(r->total, 2);
	assert_int_equal(r->nhits, 2);
	assert_string_equal(r->hits[0].id, f->id_body); /* "Parliament debates budget" */
	assert_string_equal(r->hits[1].id, f->id_title);
	assert_string_equal(r->hits[0].title, "Parliament debates budget");
	assert_int_equal(r->hits[0].ntitle_highlights, 1);
	assert_int_equal(r->hits[0].title_highlights[0].start, 0);
	assert_int_equal(r->hits[0].title_highlights[0].end, 10);
	assert_int_equal(r->hits[1].ntitle_highlights, 0);
	assert_string_equal(r->hits[1].snippet_field, "body");
	assert_true(r->hits[1].nhighlights >= 1);
	check_hits(r, w, 1);
	nx_results_free(r);
}

static void test_title_body_caption_order(void **state)
{
	fixture *f = *state;
	nx_results *r = search_ok(f->st, "volcano", NULL);
	static const char *const w[] = { "volcano" };
	const nx_hit *h = NULL;

	assert_int_equal(r->total, 3);
	assert_int_equal(r->nhits, 3);
	assert_string_equal(r->hits[0].id, f->id_title);
	assert_string_equal(r->hits[1].id, f->id_body);
	assert_string_equal(r->hits[2].id, f->id_caption);
	assert_true(r->hits[0].score > r->hits[1].score);
	assert_true(r->hits[1].score > r->hits[2].score);
	/* the body hit: snippet from the body, "Volcano" highlighted */
	h = &r->hits[1];
	assert_string_equal(h->snippet_field, "body");
	assert_int_equal(h->nhighlights, 1);
	assert_memory_equal(h->snippet + h->highlights[0].start, "Volcano", 7);
	/* the caption-only hit says so */
	h = &r->hits[2];
	assert_string_equal(h->snippet_field, "caption");
	assert_non_null(strstr(h->snippet, "volcano seen from the harbour"));
	assert_int_equal(h->nhighlights, 1);
	assert_memory_equal(h->snippet + h->highlights[0].start, "volcano", 7);
	assert_int_equal(h->highlights[0].end - h->highlights[0].start, 7);
	/* other fields of a hit */
	assert_string_equal(r->hits[0].url, "https://example.com/volcano");
	assert_string_equal(r->hits[0].source, "Example Wire");
	assert_true(r->hits[0].published.set);
	assert_int_equal(r->hits[0].published.utc, T0);
	assert_non_null(r->fts);
	check_hits(r, w, 1);
	nx_results_free(r);
}

/*
 * A sentence-like query that no article matches whole is ranked with its
 * adjacent word pairs as phrases; the pairs skip the words the index
 * leaves out ("over", "the"), as the index's positions do.
 */
static void test_relaxed_pairs(void **state)
{
	fixture *f = *state;
	nx_results *r = search_ok(f->st, "volcano over the harbour zzyzxtown", NULL);

	assert_true(r->relaxed);
	assert_int_equal(r->total, 0);
	assert_true(r->total_some >= 1);
	assert_non_null(r->fts);
	assert_non_null(strstr(r->fts, "\"volcano harbour\""));
	assert_non_null(strstr(r->fts, "\"harbour zzyzxtown\""));
	assert_null(strstr(r->fts, "\"volcano over\""));
	assert_null(strstr(r->fts, "\"the harbour\""));
	nx_results_free(r);
}

/* Occurrences of needle in s. */
static int count_of(const char *s, const char *needle)
{
	int n = 0;

	while (s != NULL && (s = strstr(s, needle)) != NULL) {
		n++;
		s += strlen(needle);
	}
	return n;
}

/*
 * A word repeated in a relaxed query (or in another form of the same stem)
 * is one phrase of the query's words, weighted by its count: "lava" three
 * times outweighs "harbour", which its article holds in title and body.
 */
static void test_relaxed_repeated_word(void **state)
{
	fixture *f = *state;
	nx_results *r = search_ok(f->st, "lava lava LAVA harbour zzyzxtown", NULL);

	assert_true(r->relaxed);
	assert_non_null(r->fts);
	/* the query's words come first, "(\"lava\" OR \"harbour\" OR \"zzyzxtown\")" */
	assert_int_equal(count_of(r->fts, "\"lava\""), 2); /* selecting group and ranking group */
	assert_true(r->nhits >= 2);
	assert_string_equal(r->hits[0].id, f->id_title);
	nx_results_free(r);
	r = search_ok(f->st, "harbours harbour lava zzyzxtown", NULL);
	assert_int_equal(count_of(r->fts, "\"harbours\""), 2);
	assert_int_equal(count_of(r->fts, "\"harbour\""), 0);
	nx_results_free(r);
}

/*
 * A long relaxed query keeps its most informative words (tune.c's
 * max_words): words no article holds go first, then the commonest.
 */
static void test_relaxed_long_query(void **state)
{
	fixture *f = *state;
	nx_buf q = NX_BUF_INIT;
	nx_results *r = NULL;
	int i = 0, absent = 0;

	nx_buf_adds(&q, "volcano harbour lawmakers");
	for (i = 0; i < 40; i++)
		nx_buf_addf(&q, " zq%c%c", 'a' + i / 26, 'a' + i % 26);
	r = search_ok(f->st, q.buf, NULL);
	assert_true(r->relaxed);
	assert_non_null(strstr(r->fts, "\"volcano\""));
	assert_non_null(strstr(r->fts, "\"harbour\""));
	assert_non_null(strstr(r->fts, "\"lawmakers\""));
	for (i = 0; i < 40; i++) {
		char w[8];

		snprintf(w, sizeof(w), "\"zq%c%c\"", 'a' + i / 26, 'a' + i % 26);
		absent += strstr(r->fts, w) != NULL;
	}
	assert_true(absent < 40);
	assert_true(r->nhits >= 3);
	nx_results_free(r);
	nx_buf_free(&q);
}

/* snippets 0: the same hits in the same order, without text. */
static void test_no_snippets(void **state)
{
	fixture *f = *state;
	nx_search_opts o = NX_SEARCH_OPTS_INIT;
	nx_results *a = search_ok(f->st, "volcano", NULL), *b = NULL;
	size_t i = 0;

	o.snippets = 0;
	b = search_ok(f->st, "volcano", &o);
	assert_int_equal(a->nhits, b->nhits);
	assert_int_equal(a->total, b->total);
	assert_true(a->nhits >= 3);
	for (i = 0; i < a->nhits; i++) {
		assert_string_equal(a->hits[i].id, b->hits[i].id);
		assert_string_equal(b->hits[i].snippet, "");
		assert_int_equal(b->hits[i].nhighlights, 0);
		assert_non_null(b->hits[i].url);
	}
	assert_true(strlen(a->hits[0].snippet) > 0);
	nx_results_free(a);
	nx_results_free(b);
}

static void test_credit_match(void **state)
{
	fixture *f = *state;
	nx_results *r = search_ok(f->st, "Langeweile", NULL);
	static const char *const w[] = { "langeweile" };

	assert_int_equal(r->total, 1);
	assert_string_equal(r->hits[0].id, f->id_caption);
	assert_string_equal(r->hits[0].snippet_field, "credit");
	assert_int_equal(r->hits[0].nhighlights, 1);
	check_hits(r, w, 1);
	nx_results_free(r);
}

static void test_stemming_and_multiword(void **state)
{
	fixture *f = *state;
	nx_search_opts o = NX_SEARCH_OPTS_INIT;
	nx_results *r = NULL;
	static const char *const w[] = { "evacuate", "boats" };

	o.relax = 0; /* strict matches only: the sets below are exact */
	r = search_ok(f->st, "EVACUATE boats", &o);

	/* porter: evacuate ~ evacuated, boats ~ boat */
	assert_int_equal(r->total, 1);
	assert_string_equal(r->hits[0].id, f->id_title);
	assert_int_equal(r->hits[0].nhighlights, 2);
	check_hits(r, w, 2);
	nx_results_free(r);
	r = search_ok(f->st, "volcano harbour", &o);
	assert_int_equal(r->total, 1);
	assert_string_equal(r->hits[0].id, f->id_caption);
	nx_results_free(r);
	r = search_ok(f->st, "volcano -harbour", &o);
	assert_int_equal(r->total, 2);
	nx_results_free(r);
	r = search_ok(f->st, "caption:volcano", &o);
	assert_int_equal(r->total, 1);
	assert_string_equal(r->hits[0].id, f->id_caption);
	nx_results_free(r);
}

static void test_multibyte_highlight(void **state)
{
	fixture *f = *state;
	nx_results *r = search_ok(f->st, "cafe", NULL);
	const nx_hit *h = NULL;
	size_t i = 0;

	(void)f;
	assert_int_equal(r->total, 1);
	h = &r->hits[0];
	assert_int_equal(h->ntitle_highlights, 1);
	assert_int_equal(h->title_highlights[0].start, 0);
	assert_int_equal(h->title_highlights[0].end, 5); /* "Café" is 5 bytes */
	for (i = 0; i < h->nhighlights; i++) {
		assert_true(h->highlights[i].end <= strlen(h->snippet));
		assert_true(nx_utf8_valid(h->snippet + h->highlights[i].start,
					  h->highlights[i].end - h->highlights[i].start));
	}
	assert_true(nx_utf8_valid(h->snippet, strlen(h->snippet)));
	nx_results_free(r);
}

/*
 * nx_highlight (snippet.c), the linear-time stand-in for FTS5's
 * highlight(), marks every column of every matching row as it does:
 * words, phrases, overlapping phrases, prefixes, several columns.
 */
static void test_highlight_same_as_fts5(void **state)
{
	static const char *const exprs[] = { "\"volcano\"", "\"harbour\"", "\"lava flows\" OR \"flows reached\"",
					     "\"the\"", "\"lawmak\" *", "\"volcano\" OR \"storm\" OR \"the storm\"",
					     "\"caf\" *" };
	fixture *f = *state;
	nx_results *r = search_ok(f->st, "volcano", NULL); /* registers nx_highlight */
	sqlite3_stmt *s = NULL;
	size_t i = 0;
	int col = 0, all = 0, matched = 0;

	nx_results_free(r);
	for (i = 0; i < sizeof(exprs) / sizeof(exprs[0]); i++) {
		for (col = 0; col < 4; col++) {
			char sql[256];
			int rows = 0, same = 0, step = 0;

			snprintf(sql, sizeof(sql), "SELECT highlight(fts, %d, X'01', X'02'), nx_highlight(fts, %d)"
				 " FROM fts WHERE fts MATCH ?1", col, col);
			assert_int_equal(sqlite3_prepare_v2(f->st->db, sql, -1, &s, NULL), SQLITE_OK);
			sqlite3_bind_text(s, 1, exprs[i], -1, SQLITE_STATIC);
			while ((step = sqlite3_step(s)) == SQLITE_ROW) {
				const char *a = (const char *)sqlite3_column_text(s, 0);
				const char *b = (const char *)sqlite3_column_text(s, 1);

				rows++;
				same += (a == NULL && b == NULL) || (a != NULL && b != NULL && strcmp(a, b) == 0);
			}
			if (step != SQLITE_DONE)
				fail_msg("'%s' column %d: %s", exprs[i], col, sqlite3_errmsg(f->st->db));
			sqlite3_finalize(s);
			all += rows;
			matched += col == 0 && rows > 0;
			if (same != rows)
				fail_msg("'%s' column %d: %d of %d rows marked otherwise", exprs[i], col, rows - same, rows);
		}
	}
	assert_true(matched >= 5);
	assert_true(all >= 40);
}

/*
 * The budget of a search (issue 16, item 9): too many prefixes, or more
 * work than allowed, end with NX_ELIMIT and no results; the defaults let
 * the same searches through.
 */
static void test_budget(void **state)
{
	fixture *f = *state;
	nx_search_opts o = NX_SEARCH_OPTS_INIT;
	nx_results *r = NULL;
	nx_error err = NX_ERROR_INIT;
	int i = 0;

	o.facets = NX_FACET_SOURCE | NX_FACET_MONTH | NX_FACET_CREDIT | NX_FACET_AUTHOR;
	assert_int_equal(nx_search(&r, f->st, "vol* OR lav* OR har*", &o, &err), NX_OK);
	assert_true(r->total >= 2);
	nx_results_free(r);
	r = NULL;
	o.max_prefixes = 2;
	assert_int_equal(nx_search(&r, f->st, "vol* OR lav* OR har*", &o, &err), NX_ELIMIT);
	assert_null(r);
	assert_non_null(strstr(err.msg, "3 prefix searches"));
	o.max_prefixes = NX_SEARCH_MAX_PREFIXES;
	/* statements long enough for the work to be counted: 300 more articles */
	for (i = 0; i < 300; i++) {
		char url[64];

		snprintf(url, sizeof(url), "https://example.com/more%d", i);
		put(f->st, mk(url, "Volcano watch", "The volcano slept again today.", NULL, NULL, T0 + i), NULL);
	}
	o.work_limit = 1; /* a thousand steps: less than any search with facets */
	assert_int_equal(nx_search(&r, f->st, "volcano", &o, &err), NX_ELIMIT);
	assert_null(r);
	assert_non_null(strstr(err.msg, "more work than its limit"));
	assert_int_equal(nx_search_similar(&r, f->st, "https://example.com/volcano", &o, &err), NX_ELIMIT);
	assert_null(r);
	/* the store is still usable, and a search within the limits runs */
	o.work_limit = 0;
	o.time_limit_ms = 60000;
	assert_int_equal(nx_search(&r, f->st, "volcano", &o, &err), NX_OK);
	assert_int_equal(r->total, 303);
	nx_results_free(r);
}

/* The ids of r's hits, "|"-joined, into buf. */
static void hit_ids(const nx_results *r, char *buf, size_t n)
{
	size_t i = 0, at = 0;

	buf[0] = '\0';
	for (i = 0; i < r->nhits && at + 18 < n; i++)
		at += (size_t)snprintf(buf + at, n - at, "%s|", r->hits[i].id);
}

/*
 * similar: the OR of the article's words counted and ranked on the fast
 * paths (NX_FAST_PATHS_CHECK: they did run) as by SQL (nx_rank over the
 * same words), the article and its exact copies left out of both the
 * hits and the total; with a filter (SQL then, see similar.c) the same.
 */
static void test_similar_fast(void **state)
{
	fixture *f = *state;
	nx_search_opts o = NX_SEARCH_OPTS_INIT;
	nx_error err = NX_ERROR_INIT;
	nx_results *r = NULL;
	char ref[17], copy[2][17], near[17], ids[2][1024];
	int64_t total[2] = { 0, 0 };
	int i = 0, k = 0, flt = 0;
	static const char *body = "Glaciers retreated across the fjord as meltwater flooded the valley.|"
				  "Geologists measured the moraine and the icefield every week.";

	put(f->st, mk("https://example.com/glacier", "Glacier retreat floods fjord valley", body, NULL, NULL, T0 + 100),
	    ref);
	/* exact copies of its body (other titles, other addresses) */
	put(f->st, mk("https://mirror.example.com/glacier", "Fjord flooded", body, NULL, NULL, T0 + 200), copy[0]);
	put(f->st, mk("https://example.net/g", "Meltwater news", body, NULL, NULL, T0 + 300), copy[1]);
	put(f->st, mk("https://example.com/moraine", "Moraine survey of the icefield",
		      "Geologists mapped the moraine below the icefield; meltwater cut the glaciers back.", NULL, NULL,
		      T0 + 400), near);
	for (i = 0; i < 30; i++) {
		char url[64], text[160];

		snprintf(url, sizeof(url), "https://example.com/valley%d", i);
		snprintf(text, sizeof(text), "The valley road %d was %s this week.", i,
			 i % 3 == 0 ? "flooded by meltwater" : i % 3 == 1 ? "repaired near the fjord" : "quiet");
		put(f->st, mk(url, i % 2 ? "Valley news" : "Road works", text, NULL, NULL, T0 + 1000 + i), NULL);
	}
	o.limit = 8;
	for (flt = 0; flt < 2; flt++) {
		nx_filter_clear(&o.filter);
		if (flt) {
			o.filter.set |= NX_F_PUB_MIN;
			o.filter.pub_min = T0 + 300; /* copy[1] onwards */
		}
		for (k = 0; k < 2; k++) {
			o.fast_paths = k == 0 ? NX_FAST_PATHS_OFF : NX_FAST_PATHS_CHECK;
			assert_int_equal(nx_search_similar(&r, f->st, "https://example.com/glacier", &o, &err), NX_OK);
			assert_true(r->nhits >= 5);
			/* the closest article first; the article and its copies nowhere */
			assert_string_equal(r->hits[0].id, near);
			for (i = 0; i < (int)r->nhits; i++) {
				assert_string_not_equal(r->hits[i].id, ref);
				assert_string_not_equal(r->hits[i].id, copy[0]);
				assert_string_not_equal(r->hits[i].id, copy[1]);
			}
			total[k] = r->total;
			hit_ids(r, ids[k], sizeof(ids[k]));
			nx_results_free(r);
			r = NULL;
		}
		assert_int_equal(total[0], total[1]);
		assert_string_equal(ids[0], ids[1]);
		/* every valley article ("valley", "week"), and the moraine one */
		assert_int_equal(total[1], 31);
	}
}

static void test_paging(void **state)
{
	fixture *f = *state;
	nx_search_opts o = NX_SEARCH_OPTS_INIT;
	nx_results *all = NULL, *r = NULL;
	size_t i = 0;

	all = search_ok(f->st, "volcano", NULL);
	assert_int_equal(all->nhits, 3);
	o.limit = 2;
	r = search_ok(f->st, "volcano", &o);
	assert_int_equal(r->total, 3);
	assert_int_equal(r->nhits, 2);
	for (i = 0; i < 2; i++)
		assert_string_equal(r->hits[i].id, all->hits[i].id);
	nx_results_free(r);
	o.offset = 2;
	r = search_ok(f->st, "volcano", &o);
	assert_int_equal(r->total, 3);
	assert_int_equal(r->nhits, 1);
	assert_string_equal(r->hits[0].id, all->hits[2].id);
	nx_results_free(r);
	o.offset = 10;
	r = search_ok(f->st, "volcano", &o);
	assert_int_equal(r->total, 3);
	assert_int_equal(r->nhits, 0);
	nx_results_free(r);
	o.offset = 0;
	o.limit = 0;
	r = search_ok(f->st, "volcano", &o);
	assert_int_equal(r->total, 3);
	assert_int_equal(r->nhits, 0);
	nx_results_free(r);
	o.limit = 1;
	o.offset = -5; /* treated as 0 */
	r = search_ok(f->st, "volcano", &o);
	assert_int_equal(r->nhits, 1);
	assert_string_equal(r->hits[0].id, all->hits[0].id);
	nx_results_free(r);
	/* tiny and huge snippet sizes are clamped, not errors */
	o = (nx_search_opts)NX_SEARCH_OPTS_INIT;
	o.snippet_tokens = 0;
	r = search_ok(f->st, "volcano", &o);
	assert_int_equal(r->nhits, 3);
	nx_results_free(r);
	o.snippet_tokens = 100000;
	r = search_ok(f->st, "volcano", &o);
	assert_int_equal(r->nhits, 3);
	nx_results_free(r);
	nx_results_free(all);
	nx_results_free(NULL);
}

static void test_no_match(void **state)
{
	fixture *f = *state;
	nx_results *r = search_ok(f->st, "xylophone", NULL);

	assert_int_equal(r->total, 0);
	assert_int_equal(r->nhits, 0);
	nx_results_free(r);
	r = search_ok(f->st, "-", NULL);
	assert_int_equal(r->total, 0);
	assert_null(r->fts);
	nx_results_free(r);
	r = search_ok(f->st, "-volcano", NULL); /* nothing positive */
	assert_int_equal(r->nhits, 0);
	nx_results_free(r);
}

static void test_hostile_queries(void **state)
{
	static const char *const qs[] = {
		"", " ", "-", ":", "AND", "OR", "NOT", "\"unbalanced", "\"", "\"\"", "U.S.", "C++",
		"9/11", "NEAR(", "NEAR(a b", "title:", "title:\"", ":volcano", "*", "**", "volcano*",
		"(", ")", "((((((((((((((((((((volcano", "))))volcano((((", "a OR", "OR a", "- -x",
		"\"volcano", "volcano\"", "col:volcano", "body:", "^volcano", "volcano^", "{title}: x",
		"'; DROP TABLE article; --", "\\", "\\\"", "%", "_", "\xEF\xBF\xBD", "&&", "||",
		"rowid:1", "fts:volcano", "MATCH", "NEAR/3", "a NEAR/3 b", "+volcano", "title:(volcano OR",
		"\xE2\x80\x8B", "\xC2\xA0volcano\xC2\xA0",
	};
	static const char bad_utf8[][16] = { "\xFF", "\xC3", "\xFF\xFE volcano", "volcano \xC3",
					     "\xED\xA0\x80", "\xF4\x90\x80\x80x", "\x80\x80\x80" };
	fixture *f = *state;
	size_t i = 0;

	for (i = 0; i < sizeof(qs) / sizeof(qs[0]); i++) {
		nx_results *r = search_ok(f->st, qs[i], NULL);

		assert_true(r->nhits <= 10);
		nx_results_free(r);
	}
	for (i = 0; i < sizeof(bad_utf8) / sizeof(bad_utf8[0]); i++) {
		nx_results *r = search_ok(f->st, bad_utf8[i], NULL);
		size_t k = 0;

		for (k = 0; k < r->nhits; k++)
			assert_true(nx_utf8_valid(r->hits[k].snippet, strlen(r->hits[k].snippet)));
		nx_results_free(r);
	}
	/* invalid bytes separate words: the valid word is still found */
	{
		nx_results *r = search_ok(f->st, "\xFF\xFE volcano", NULL);

		assert_int_equal(r->total, 3);
		nx_results_free(r);
	}
}

static void test_huge_query(void **state)
{
	fixture *f = *state;
	nx_buf q = NX_BUF_INIT;
	nx_results *r = NULL;
	int i = 0;

	/* 10,000 different terms, ANDed: no article has them all */
	for (i = 0; i < 10000; i++)
		nx_buf_addf(&q, "%sw%d", i > 0 ? " " : "", i);
	assert_true(q.len < 64 * 1024);
	r = search_ok(f->st, q.buf, NULL);
	assert_int_equal(r->total, 0);
	nx_results_free(r);
	/* 1,000 ORed terms, one of which matches */
	nx_buf_reset(&q);
	for (i = 0; i < 1000; i++)
		nx_buf_addf(&q, "q%d OR ", i);
	nx_buf_adds(&q, "volcano");
	r = search_ok(f->st, q.buf, NULL);
	assert_int_equal(r->total, 3);
	nx_results_free(r);
	nx_buf_free(&q);
}

static void test_follows_updates_and_removal(void **state)
{
	fixture *f = *state;
	nx_article *a = NULL;
	nx_results *r = NULL;
	nx_error err = NX_ERROR_INIT;

	/* a newer version of the harbour story drops the volcano caption */
	a = mk("https://example.com/harbour", "Harbour reopens after storm",
	       "Fishing boats returned to the harbour on Monday morning.", "Boats at dawn", NULL, T0 + 7200);
	a->updated = a->published;
	a->updated.utc += 100;
	put(f->st, a, NULL);
	r = search_ok(f->st, "volcano", NULL);
	assert_int_equal(r->total, 2);
	nx_results_free(r);
	r = search_ok(f->st, "dawn", NULL);
	assert_int_equal(r->total, 1);
	assert_string_equal(r->hits[0].snippet_field, "caption");
	nx_results_free(r);
	assert_int_equal(nx_store_remove(f->st, f->id_title, NULL, &err), NX_OK);
	r = search_ok(f->st, "volcano", NULL);
	assert_int_equal(r->total, 1);
	assert_string_equal(r->hits[0].id, f->id_body);
	nx_results_free(r);
	r = search_ok(f->st, "lava", NULL);
	assert_int_equal(r->total, 0);
	nx_results_free(r);
}

static void test_read_only_store(void **state)
{
	fixture *f = *state;
	nx_store *ro = NULL;
	nx_error err = NX_ERROR_INIT;
	nx_results *r = NULL;

	assert_int_equal(nx_store_open(&ro, f->path, NX_STORE_READ, &err), NX_OK);
	r = search_ok(ro, "volcano", NULL);
	assert_int_equal(r->total, 3);
	assert_string_equal(r->hits[2].snippet_field, "caption");
	nx_results_free(r);
	nx_store_close(ro);
}

/*
 * Bytes malloc has handed out and not taken back (glibc; 0 elsewhere and
 * under the sanitizers, whose allocator glibc does not see).  SQLite's own
 * count is off: the store turns SQLITE_CONFIG_MEMSTATUS off for speed.
 */
static size_t heap_in_use(void)
{
#if defined(__GLIBC__) && (__GLIBC__ > 2 || (__GLIBC__ == 2 && __GLIBC_MINOR__ >= 33))
	return mallinfo2().uordblks;
#else
	return 0;
#endif
}

/*
 * A server searches one connection for days: a search must not leave
 * anything behind in it (FTS5 keeps every auxiliary function registered,
 * so registering on each search grew its list by a few entries a time).
 */
static void test_repeated_searches_leave_nothing(void **state)
{
	fixture *f = *state;
	nx_search_opts o = NX_SEARCH_OPTS_INIT;
	const char *qs[] = { "volcano", "volcano harbour", "\"coastal village\"", "parliament taxes storm dawn" };
	size_t before = 0;
	int i = 0;

	for (i = 0; i < 4; i++) /* every path once: the first searches register what they use */
		nx_results_free(search_ok(f->st, qs[i], &o));
	before = heap_in_use();
	for (i = 0; i < 1200; i++)
		nx_results_free(search_ok(f->st, qs[i % 4], &o));
	/* registering on each search, 1,200 of them held about 500 KB; without, the heap moves by 2-16 KB */
	assert_true(heap_in_use() < before + 131072);
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_title_ranks_first),
		T(test_title_body_caption_order),
		T(test_relaxed_pairs),
		T(test_relaxed_repeated_word),
		T(test_relaxed_long_query),
		T(test_no_snippets),
		T(test_credit_match),
		T(test_stemming_and_multiword),
		T(test_multibyte_highlight),
		T(test_highlight_same_as_fts5),
		T(test_budget),
		T(test_similar_fast),
	T(test_paging),
		T(test_no_match),
		T(test_hostile_queries),
		T(test_huge_query),
		T(test_follows_updates_and_removal),
		T(test_read_only_store),
		T(test_repeated_searches_leave_nothing),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

/*
 * madeup.h - for tests: articles of made-up words at frequencies from
 * most rows to a few ("zorba", "zorbe", ...: no stop word, one stem each),
 * titles that hold some, filler of varied length, every 7th article a
 * copy of the one before (equal scores); and an index of NART of them in
 * a fresh folder.  Static functions, no library of its own; the including
 * file defines NWORD (the words used), NART and T0 (the first date).
 */
#ifndef NX_TEST_MADEUP_H
#define NX_TEST_MADEUP_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "newsidx/store.h"
#include "tmpdir.h"

typedef struct fixture {
	char dir[64];
	char path[128];
	nx_store *st;
} fixture;

static uint32_t lcg(uint32_t *s)
{
	*s = *s * 1664525u + 1013904223u;
	return *s >> 8;
}

/* Word i of the made-up vocabulary. */
static void word(char out[8], int i)
{
	snprintf(out, 8, "zor%c%c", 'b' + i / 5, "aeiou"[i % 5]);
}

/* Article text: word i in it with a chance falling with i (word 0 in about 90% of rows), up to 3 times. */
static void make_text(uint32_t *s, char *title, size_t tn, char *body, size_t bn)
{
	int i = 0, r = 0, fill = (int)(lcg(s) % 60);
	char w[8];

	snprintf(title, tn, "Report");
	snprintf(body, bn, "Opening");
	for (i = 0; i < NWORD; i++) {
		if ((int)(lcg(s) % 1000) >= 900 / (1 + i * i / 3))
			continue;
		word(w, i);
		for (r = (int)(lcg(s) % 3); r >= 0; r--)
			snprintf(body + strlen(body), bn - strlen(body), " %s", w);
		if (lcg(s) % 9 == 0)
			snprintf(title + strlen(title), tn - strlen(title), " %s", w);
	}
	for (i = 0; i < fill; i++)
		snprintf(body + strlen(body), bn - strlen(body), " filler%c", 'a' + (int)(lcg(s) % 20));
	snprintf(body + strlen(body), bn - strlen(body), ".");
}

/* Seconds after T0 that article n was published (a test may define its own spread of dates). */
#ifndef MADEUP_WHEN
#define MADEUP_WHEN(n) ((int64_t)(n))
#endif

/* The outlet of article n (a test may define its own). */
#ifndef MADEUP_SOURCE
#define MADEUP_SOURCE(n) ((void)(n), "Example Wire")
#endif

/* The language of article n, or NULL (a test may define its own). */
#ifndef MADEUP_LANG
#define MADEUP_LANG(n) ((void)(n), (const char *)NULL)
#endif

/* Article n (url n, published T0 + MADEUP_WHEN(n) seconds, from MADEUP_SOURCE(n)) with this text, in the open transaction: 0, or -1. */
static int put_article(nx_store *st, int n, const char *title, const char *body)
{
	nx_error err = NX_ERROR_INIT;
	nx_article *a = nx_article_new();
	char url[64];
	int status = 0, rc = 0;

	snprintf(url, sizeof(url), "https://example.com/%d", n);
	nx_article_set(&a->url, url, -1);
	nx_article_set(&a->title, title, -1);
	nx_article_set(&a->source, MADEUP_SOURCE(n), -1);
	if (MADEUP_LANG(n) != NULL)
		nx_article_set(&a->lang, MADEUP_LANG(n), -1);
	nx_article_add_para(a, body, -1);
	a->published.set = 1;
	a->published.has_time = 1;
	a->published.utc = T0 + MADEUP_WHEN(n);
	if (nx_article_identify(a, &err) != NX_OK || nx_store_put(st, a, &status, &err) != NX_OK)
		rc = -1;
	nx_article_free(a);
	return rc;
}

/* cmocka setup: an index of NART made-up articles (texts from seed) in /tmp/nx-test-NAME-XXXXXX. */
static int madeup_setup(void **state, const char *name, uint32_t seed)
{
	fixture *f = calloc(1, sizeof(*f));
	nx_error err = NX_ERROR_INIT;
	char title[256], body[2048];
	int n = 0;

	if (f == NULL)
		return -1;
	*state = f;
	snprintf(f->dir, sizeof(f->dir), "/tmp/nx-test-%s-XXXXXX", name);
	if (mkdtemp(f->dir) == NULL)
		return -1;
	snprintf(f->path, sizeof(f->path), "%s/index.db", f->dir);
	if (nx_store_open(&f->st, f->path, NX_STORE_WRITE, &err) != NX_OK || nx_store_begin(f->st, &err) != NX_OK)
		return -1;
	for (n = 0; n < NART; n++) {
		/* every 7th article is a copy of the one before: the same score */
		if (n % 7 != 6)
			make_text(&seed, title, sizeof(title), body, sizeof(body));
		if (put_article(f->st, n, title, body) < 0)
			return -1;
	}
	return nx_store_commit(f->st, &err) == NX_OK ? 0 : -1;
}

#ifdef MADEUP_ADD
/* Articles n0 .. n0 + n - 1, made-up texts from seed, in a transaction of their own (include cmocka.h first). */
static void madeup_add(nx_store *st, int n0, int n, uint32_t seed)
{
	nx_error err = NX_ERROR_INIT;
	char title[256], body[2048];
	int j = 0;

	assert_int_equal(nx_store_begin(st, &err), NX_OK);
	for (j = 0; j < n; j++) {
		make_text(&seed, title, sizeof(title), body, sizeof(body));
		assert_int_equal(put_article(st, n0 + j, title, body), 0);
	}
	assert_int_equal(nx_store_commit(st, &err), NX_OK);
}
#endif

static int madeup_teardown(void **state)
{
	fixture *f = *state;

	nx_store_close(f->st);
	tmpdir_remove(f->dir);
	free(f);
	return 0;
}

#ifdef MADEUP_REMOVE
/* (the including file includes index/impact.h and index/store_private.h) */

/* Remove the article of rowid r (by its url) in the open transaction, when there is one: 1, else 0. */
static int madeup_remove_rowid(nx_store *st, int64_t r)
{
	nx_error err = NX_ERROR_INIT;
	sqlite3_stmt *s = NULL;
	char id[17];
	int have = 0;

	assert_int_equal(sqlite3_prepare_v2(st->db, "SELECT url FROM article WHERE id = ?1", -1, &s, NULL), SQLITE_OK);
	sqlite3_bind_int64(s, 1, r);
	if ((have = sqlite3_step(s) == SQLITE_ROW))
		assert_int_equal(nx_store_remove(st, (const char *)sqlite3_column_text(s, 0), id, &err), NX_OK);
	sqlite3_finalize(s);
	return have;
}

/*
 * Remove, in one transaction, articles made before the lists: in each of
 * the nlists most frequent words' lists (as made), one row in every step
 * of the first 4 * step still there (the best rows left), and rowids 2, 9
 * and 100 when still there.  How many were removed.
 */
static int madeup_remove_listed(nx_store *st, int nlists, int step)
{
	nx_error err = NX_ERROR_INIT;
	sqlite3_stmt *s = NULL;
	static const int64_t more[] = { 2, 9, 100 };
	int n = 0, l = 0, have = 0;
	size_t i = 0;

	assert_int_equal(nx_store_begin(st, &err), NX_OK);
	assert_int_equal(sqlite3_prepare_v2(st->db, "SELECT expr FROM impact WHERE twin IS NULL ORDER BY df DESC, expr",
					    -1, &s, NULL),
			 SQLITE_OK);
	for (l = 0; l < nlists && sqlite3_step(s) == SQLITE_ROW; l++) {
		int64_t *rowid = NULL, df = 0;
		double *score = NULL;
		size_t nl = 0;

		assert_int_equal(nx_impact__get_made(st->db, (const char *)sqlite3_column_text(s, 0), &rowid, &score,
						     &nl, &df),
				 1);
		for (i = 0, have = 0; i < nl && have < 4 * step; i++) {
			char sql[64];
			int64_t there = 0;

			snprintf(sql, sizeof(sql), "SELECT count(*) FROM article WHERE id = %lld", (long long)rowid[i]);
			assert_int_equal(nx_store__query_int(st, sql, &there), 0);
			if (there && have++ % step == 0)
				n += madeup_remove_rowid(st, rowid[i]);
		}
		free(rowid);
		free(score);
	}
	sqlite3_finalize(s);
	for (i = 0; i < sizeof(more) / sizeof(more[0]); i++)
		n += madeup_remove_rowid(st, more[i]);
	assert_int_equal(nx_store_commit(st, &err), NX_OK);
	return n;
}
#endif

#ifdef MADEUP_SEARCH
/*
 * For the tests that compare a fast path with the walk (define
 * MADEUP_SEARCH and include cmocka.h first): what a search gave, and the
 * two compared whole, scores to the bit.
 */
#include "newsidx/search.h"

typedef struct seen {
	int64_t total, total_some;
	size_t n;
	char id[64][17];
	double score[64];
} seen;

/* A search of q with options o into out. */
static void search_opts(nx_store *st, const char *q, const nx_search_opts *o, seen *out)
{
	nx_error err = NX_ERROR_INIT;
	nx_results *r = NULL;
	size_t i = 0;

	assert_int_equal(nx_search(&r, st, q, o, &err), NX_OK);
	memset(out, 0, sizeof(*out));
	out->total = r->total;
	out->total_some = r->total_some;
	out->n = r->nhits;
	assert_true(r->nhits <= 64);
	for (i = 0; i < r->nhits; i++) {
		snprintf(out->id[i], sizeof(out->id[i]), "%s", r->hits[i].id);
		out->score[i] = r->hits[i].score;
	}
	nx_results_free(r);
}

static void search(nx_store *st, const char *q, int limit, int offset, seen *out)
{
	nx_search_opts o = NX_SEARCH_OPTS_INIT;

	o.limit = limit;
	o.offset = offset;
	o.fast_paths = NX_FAST_PATHS_CHECK;
	search_opts(st, q, &o, out);
}

static void assert_same(const seen *a, const seen *b)
{
	size_t i = 0;

	assert_int_equal(a->total, b->total);
	assert_int_equal(a->total_some, b->total_some);
	assert_int_equal(a->n, b->n);
	for (i = 0; i < a->n; i++) {
		assert_string_equal(a->id[i], b->id[i]);
		assert_true(a->score[i] == b->score[i]); /* to the bit */
	}
}
#endif

#ifdef MADEUP_HITS
/* Two rankings (search/topk.h's hits, included first) the same: totals, rows and scores to the bit; both freed. */
static void same_hits(nx_topk_hit *a, size_t na, int64_t ta, nx_topk_hit *b, size_t nb, int64_t tb)
{
	size_t i = 0;

	assert_int_equal(ta, tb);
	assert_int_equal(na, nb);
	for (i = 0; i < na; i++) {
		assert_true(a[i].rowid == b[i].rowid);
		assert_true(a[i].score == b[i].score);
	}
	free(a);
	free(b);
}
#endif

#endif

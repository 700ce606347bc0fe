/*
 * test_topk.c - the top-k fast path of search (src/search/topk.c): the same rows,
 * order and scores as FTS5's own "ORDER BY rank LIMIT k", checked on an
 * index of real articles (Reuters-21578 and BBC from NX_SHARED_DATA;
 * skipped when absent) for a few hundred queries: the commonest words,
 * pairs of them and two-word phrases taken from real titles.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <ftw.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "newsidx/ingest.h"
#include "newsidx/search.h"
#include "newsidx/store.h"
#include "index/store_private.h"
#include "search/topk.h"

#include "real_index.h"


typedef struct fixture {
	real_index ri;
	nx_store *st;    /* ri.st, NULL when ../shared/data is absent */
	char **queries; /* user queries */
	size_t nq;
} fixture;




static void add_query(fixture *f, const char *q)
{
	f->queries = realloc(f->queries, (f->nq + 1) * sizeof(*f->queries));
	assert_non_null(f->queries);
	f->queries[f->nq] = strdup(q);
	assert_non_null(f->queries[f->nq]);
	f->nq++;
}

/* Queries: the 120 commonest terms, 80 pairs of them, 100 title bigrams. */
static void make_queries(fixture *f)
{
	sqlite3_stmt *s = NULL;
	char *top[120];
	char q[256];
	size_t ntop = 0, i = 0;

	assert_int_equal(sqlite3_exec(f->st->db,
				      "CREATE VIRTUAL TABLE IF NOT EXISTS temp.t_vocab USING fts5vocab(main, 'fts', 'row')",
				      NULL, NULL, NULL),
			 SQLITE_OK);
	assert_int_equal(sqlite3_prepare_v2(f->st->db,
					    "SELECT term FROM temp.t_vocab WHERE term GLOB '[a-z][a-z]*'"
					    " ORDER BY doc DESC, term LIMIT 120",
					    -1, &s, NULL),
			 SQLITE_OK);
	while (sqlite3_step(s) == SQLITE_ROW && ntop < 120) {
		top[ntop] = strdup((const char *)sqlite3_column_text(s, 0));
		assert_non_null(top[ntop]);
		add_query(f, top[ntop++]);
	}
	sqlite3_finalize(s);
	assert_true(ntop >= 100);
	for (i = 0; i < 80; i++) {
		snprintf(q, sizeof(q), "%s %s", top[(i * 7) % ntop], top[(i * 13 + 1) % ntop]);
		add_query(f, q);
	}
	for (i = 0; i < ntop; i++)
		free(top[i]);
	/* "first second": the first two words of real titles, when both are letters */
	assert_int_equal(sqlite3_prepare_v2(f->st->db, "SELECT title FROM article ORDER BY id", -1, &s, NULL),
			 SQLITE_OK);
	i = 0;
	while (sqlite3_step(s) == SQLITE_ROW && i < 100) {
		const char *t = (const char *)sqlite3_column_text(s, 0);
		size_t a = 0, b = 0;

		if (t == NULL)
			continue;
		a = strspn(t, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz");
		if (a < 2 || a > 40 || t[a] != ' ')
			continue;
		b = strspn(t + a + 1, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz");
		if (b < 2 || b > 40)
			continue;
		snprintf(q, sizeof(q), "\"%.*s\"", (int)(a + 1 + b), t);
		add_query(f, q);
		i++;
	}
	sqlite3_finalize(s);
	add_query(f, "\"interest rates\"");
	add_query(f, "\"prime minister\"");
	add_query(f, "said \"the company\"");
}

static int setup(void **state)
{
	fixture *f = calloc(1, sizeof(*f));
	int rc = 0;

	if (f == NULL)
		return -1;
	*state = f;
	rc = real_index_build(&f->ri, "/tmp/nx-topk-XXXXXX");
	if (rc <= 0)
		return rc; /* 0: no shared data, the tests skip */
	f->st = f->ri.st;
	make_queries(f);
	return 0;
}

static int teardown(void **state)
{
	fixture *f = *state;
	size_t i = 0;

	real_index_free(&f->ri);
	for (i = 0; i < f->nq; i++)
		free(f->queries[i]);
	free(f->queries);
	free(f);
	return 0;
}

static void test_plain(void **state)
{
	(void)state;
	assert_int_equal(nx_topk__plain("\"said\""), 1);
	assert_int_equal(nx_topk__plain("\"said\" \"year\""), 2);
	assert_int_equal(nx_topk__plain("\"interest rates\" \"a \"\"b\"\"\""), 2);
	assert_int_equal(nx_topk__plain(NULL), 0);
	assert_int_equal(nx_topk__plain(""), 0);
	assert_int_equal(nx_topk__plain("\"said\"*"), 0);
	assert_int_equal(nx_topk__plain("\"a\" AND (\"b\" OR \"c\")"), 0);
	assert_int_equal(nx_topk__plain("(\"a\" OR \"b\")"), 0);
	assert_int_equal(nx_topk__plain("(\"a\" \"b\") NOT \"c\""), 0);
	assert_int_equal(nx_topk__plain("title : \"a\""), 0);
	assert_int_equal(nx_topk__plain("\"a\" \"b\" NOT \"c\""), 0);
	assert_int_equal(nx_topk__plain("\"a\"  \"b\""), 0);
	assert_int_equal(nx_topk__plain("\"a\" "), 0);
	assert_int_equal(nx_topk__plain("\"unclosed"), 0);
	assert_int_equal(nx_topk__plain("NEAR(\"a\" \"b\", 10)"), 0);
	assert_int_equal(nx_topk__plain("(\"a\" \"b\") AND (credits : \"x\")"), 0);
}

static void test_any_of(void **state)
{
	char *a = NULL;

	(void)state;
	assert_non_null(a = nx_topk__any_of("\"said\" \"year\""));
	assert_string_equal(a, "(\"said\" OR \"year\")");
	free(a);
	assert_non_null(a = nx_topk__any_of("\"interest rates\" \"a \"\"b\"\"\" \"of\""));
	assert_string_equal(a, "(\"interest rates\" OR \"a \"\"b\"\"\" OR \"of\")");
	free(a);
	assert_non_null(a = nx_topk__any_of("\"said\""));
	assert_string_equal(a, "(\"said\")");
	free(a);
	assert_null(nx_topk__any_of(NULL));
	assert_null(nx_topk__any_of("(\"a\" OR \"b\")"));
	assert_null(nx_topk__any_of("\"a\" \"b\" NOT \"c\""));
	assert_null(nx_topk__any_of("title : \"a\" \"b\""));
}

/*
 * A strict hit's marks (search.c fill_page): at each row of a plain AND,
 * nx_highlight of every column through the phrases ORed (sought to the
 * row) is its marks through the AND (walked to it), stop words (phrases
 * without tokens) and phrases of two words among them.
 */
static void test_any_of_marks(void **state)
{
	static const char *const more[] = { "\"the\" \"said\" \"of\" \"year\"", "\"interest rates\" \"said\"",
					    "\"the company\" \"said\" \"it\"", "\"and\" \"the\" \"mln\"",
					    "\"prime minister\" \"government\" \"in\"" };
	fixture *f = *state;
	nx_error err = NX_ERROR_INIT;
	nx_results *r = NULL;
	sqlite3_stmt *rows = NULL, *hl[2] = { NULL, NULL };
	char expr[256], sql[512];
	size_t i = 0;
	int k = 0, col = 0, nrows = 0, marked = 0;

	if (f->st == NULL)
		skip();
	assert_int_equal(nx_search(&r, f->st, "said", NULL, &err), NX_OK); /* registers nx_highlight */
	nx_results_free(r);
	snprintf(sql, sizeof(sql),
		 "SELECT nx_highlight(fts, 0), nx_highlight(fts, 1), nx_highlight(fts, 2), nx_highlight(fts, 3)"
		 " FROM fts WHERE fts MATCH ?1 AND rowid = ?2");
	for (k = 0; k < 2; k++)
		assert_int_equal(sqlite3_prepare_v2(f->st->db, sql, -1, &hl[k], NULL), SQLITE_OK);
	assert_int_equal(sqlite3_prepare_v2(f->st->db, "SELECT rowid FROM fts WHERE fts MATCH ?1 LIMIT 25", -1, &rows,
					    NULL),
			 SQLITE_OK);
	for (i = 0; i < f->nq + sizeof(more) / sizeof(more[0]); i++) {
		const char *q = i < f->nq ? f->queries[i] : more[i - f->nq];
		char *any = NULL;

		if (i < f->nq) { /* the two-word queries as query.c writes them */
			const char *sp = strchr(q, ' ');

			if (sp == NULL || q[0] == '"' || strchr(sp + 1, ' ') != NULL)
				continue;
			snprintf(expr, sizeof(expr), "\"%.*s\" \"%s\"", (int)(sp - q), q, sp + 1);
		} else {
			snprintf(expr, sizeof(expr), "%s", q);
		}
		assert_non_null(any = nx_topk__any_of(expr));
		sqlite3_reset(rows);
		sqlite3_bind_text(rows, 1, expr, -1, SQLITE_STATIC);
		while (sqlite3_step(rows) == SQLITE_ROW) {
			int64_t id = sqlite3_column_int64(rows, 0);

			for (k = 0; k < 2; k++) {
				sqlite3_reset(hl[k]);
				sqlite3_bind_text(hl[k], 1, k == 0 ? expr : any, -1, SQLITE_STATIC);
				sqlite3_bind_int64(hl[k], 2, id);
				assert_int_equal(sqlite3_step(hl[k]), SQLITE_ROW);
			}
			for (col = 0; col < 4; col++) {
				const char *a = (const char *)sqlite3_column_text(hl[0], col);
				const char *b = (const char *)sqlite3_column_text(hl[1], col);

				if ((a == NULL) != (b == NULL) || (a != NULL && strcmp(a, b) != 0))
					fail_msg("'%s' row %lld column %d: marked otherwise through %s", expr, (long long)id,
						 col, any);
				marked += a != NULL && strchr(a, 0x01) != NULL;
			}
			nrows++;
		}
		free(any);
	}
	for (k = 0; k < 2; k++)
		sqlite3_finalize(hl[k]);
	sqlite3_finalize(rows);
	assert_true(nrows >= 500);
	assert_true(marked >= nrows);
}

/* The weights of the store's rank setting, which it writes as bm25(...). */
static void test_weights(void **state)
{
	fixture *f = *state;
	double w[NX_TOPK_MAX_WEIGHTS], sum = 0;
	int nw = 0, i = 0, eight = 0;

	if (f->st == NULL)
		skip();
	assert_int_equal(nx_topk__weights(f->st->db, w, &nw), 1);
	assert_int_equal(nw, 4);
	for (i = 0; i < nw; i++) {
		sum += w[i];
		eight += w[i] == 8.0;
	}
	assert_int_equal(eight, 1);
	assert_true(fabs(sum - 10.0) < 1e-12);
	assert_true(w[2] == 0.6 && w[3] == 0.4);
}

/* Equal to "ORDER BY rank LIMIT k", ties included, for every query. */
static void test_same_as_fts5(void **state)
{
	fixture *f = *state;
	double w[NX_TOPK_MAX_WEIGHTS];
	int nw = 0, ties = 0, pruned = 0;
	size_t i = 0, j = 0, kk = 0, checked = 0;
	static const size_t ks[2] = { 10, 40 };

	if (f->st == NULL)
		skip();
	assert_int_equal(nx_topk__weights(f->st->db, w, &nw), 1);
	for (i = 0; i < f->nq; i++) {
		nx_results *r = NULL;
		nx_error err = NX_ERROR_INIT;
		nx_search_opts o = NX_SEARCH_OPTS_INIT;
		const char *expr = NULL;

		/* the expression query.c makes of it */
		o.relax = 0;
		o.limit = 1;
		assert_int_equal(nx_search(&r, f->st, f->queries[i], &o, &err), NX_OK);
		expr = r->fts;
		if (expr == NULL || r->total == 0 || nx_topk__plain(expr) == 0) {
			nx_results_free(r);
			continue;
		}
		for (kk = 0; kk < 2; kk++) {
			sqlite3_stmt *s = NULL;
			nx_topk_hit *h = NULL;
			nx_topk_stats ts;
			size_t n = 0;
			double prev = INFINITY;

			assert_int_equal(nx_topk__run(f->st->db, NULL, expr, w, nw, kk == 0 ? r->total : -1, NULL, 0, NULL, ks[kk], &h, &n, NULL, &ts, NULL),
					 SQLITE_OK);
			assert_int_equal(ts.rows, r->total);
			if (ts.lengths < ts.rows)
				pruned++;
			assert_int_equal(sqlite3_prepare_v2(f->st->db,
							    "SELECT rowid, -rank FROM fts WHERE fts MATCH ?1 ORDER BY rank LIMIT ?2",
							    -1, &s, NULL),
					 SQLITE_OK);
			sqlite3_bind_text(s, 1, expr, -1, SQLITE_STATIC);
			sqlite3_bind_int64(s, 2, (int64_t)ks[kk]);
			for (j = 0; sqlite3_step(s) == SQLITE_ROW; j++) {
				int64_t id = sqlite3_column_int64(s, 0);
				double sc = sqlite3_column_double(s, 1);

				if (j >= n || h[j].rowid != id || fabs(h[j].score - sc) > 1e-9 * fabs(sc))
					fail_msg("query '%s' (%s), k %zu, row %zu: FTS5 %lld %.17g, fast path %lld %.17g",
						 f->queries[i], expr, ks[kk], j, (long long)id, sc,
						 j < n ? (long long)h[j].rowid : -1LL, j < n ? h[j].score : 0.0);
				ties += sc == prev;
				prev = sc;
			}
			assert_int_equal(j, n);
			sqlite3_finalize(s);
			free(h);
		}
		checked++;
		nx_results_free(r);
	}
	/* the mix really exercised the fast path: many queries, ties, pruning */
	assert_true(checked >= 250);
	assert_true(ties > 0);
	assert_true(pruned > 100);
}

/*
 * A walk split over two threads and connections (every query, however few
 * its rows) gives what one walk gives, to the bit: hits, order, scores,
 * totals; deferred (one phrase) and probed (several) walks alike.
 */
static void test_split_same(void **state)
{
	fixture *f = *state;
	double w[NX_TOPK_MAX_WEIGHTS];
	int nw = 0;
	nx_topk_tune split = NX_TOPK_TUNE_INIT;
	size_t i = 0, j = 0, kk = 0, checked = 0, multi = 0;
	static const size_t ks[2] = { 10, 40 };
	nx_store *st = NULL;
	nx_error oerr = NX_ERROR_INIT;
	sqlite3 *db2 = NULL;

	if (f->st == NULL)
		skip();
	/* a store of its own: its second connection new, nothing registered on it yet */
	assert_int_equal(nx_store_open(&st, f->ri.path, NX_STORE_READ, &oerr), NX_OK);
	db2 = nx_store__db2(st);
	assert_non_null(db2);
	assert_int_equal(nx_topk__weights(st->db, w, &nw), 1);
	split.split_min = 1;
	/* queries of several phrases first: their probe is the first use of db2 */
	for (i = 0; i < 2 * f->nq; i++) {
		nx_results *r = NULL;
		nx_error err = NX_ERROR_INIT;
		nx_search_opts o = NX_SEARCH_OPTS_INIT;
		const char *expr = NULL;

		o.relax = 0;
		o.limit = 1;
		assert_int_equal(nx_search(&r, f->st, f->queries[i % f->nq], &o, &err), NX_OK);
		expr = r->fts;
		if (expr == NULL || r->total == 0 || nx_topk__plain(expr) == 0 ||
		    (i < f->nq) != (nx_topk__plain(expr) > 1)) {
			nx_results_free(r);
			continue;
		}
		for (kk = 0; kk < 2; kk++) {
			nx_topk_hit *a = NULL, *b = NULL;
			nx_topk_stats sa, sb;
			int64_t ta = 0, tb = 0;
			size_t na = 0, nb = 0;

			assert_int_equal(nx_topk__run(st->db, db2, expr, w, nw, -1, NULL, 0, NULL, ks[kk], &b, &nb, &tb, &sb, &split),
					 SQLITE_OK);
			assert_int_equal(nx_topk__run(st->db, NULL, expr, w, nw, -1, NULL, 0, NULL, ks[kk], &a, &na, &ta, &sa, &split),
					 SQLITE_OK);
			assert_int_equal(ta, tb);
			assert_int_equal(ta, r->total);
			assert_int_equal(sa.rows, sb.rows);
			assert_int_equal(na, nb);
			for (j = 0; j < na; j++)
				if (a[j].rowid != b[j].rowid || a[j].score != b[j].score)
					fail_msg("query '%s' (%s), k %zu, row %zu: one walk %lld %.17g, split %lld %.17g",
						 f->queries[i % f->nq], expr, ks[kk], j, (long long)a[j].rowid, a[j].score,
						 (long long)b[j].rowid, b[j].score);
			free(a);
			free(b);
		}
		multi += nx_topk__plain(expr) > 1;
		checked++;
		nx_results_free(r);
	}
	nx_store_close(st);
	assert_true(checked >= 250);
	assert_true(multi >= 20);
}

/* nx_search: the same hits, scores and snippets with and without it. */
static void test_search_both_ways(void **state)
{
	fixture *f = *state;
	size_t i = 0, j = 0, fast = 0;

	if (f->st == NULL)
		skip();
	for (i = 0; i < f->nq; i++) {
		nx_results *a = NULL, *b = NULL;
		nx_error err = NX_ERROR_INIT;
		nx_search_opts o = NX_SEARCH_OPTS_INIT;

		o.limit = i % 3 == 0 ? 25 : 10;
		o.offset = i % 5 == 0 ? 3 : 0;
		o.fast_paths = NX_FAST_PATHS_OFF;
		assert_int_equal(nx_search(&a, f->st, f->queries[i], &o, &err), NX_OK);
		o.fast_paths = NX_FAST_PATHS_ON;
		assert_int_equal(nx_search(&b, f->st, f->queries[i], &o, &err), NX_OK);
		assert_int_equal(a->total, b->total);
		assert_int_equal(a->nhits, b->nhits);
		fast += a->fts != NULL && nx_topk__plain(a->fts) > 0 && a->nhits > 0 && !a->relaxed;
		for (j = 0; j < a->nhits; j++) {
			const nx_hit *x = &a->hits[j], *y = &b->hits[j];

			if (strcmp(x->id, y->id) != 0 || fabs(x->score - y->score) > 1e-9 * fabs(x->score))
				fail_msg("query '%s', hit %zu: SQL %s %.17g, fast path %s %.17g", f->queries[i], j, x->id,
					 x->score, y->id, y->score);
			assert_string_equal(x->snippet, y->snippet);
			assert_int_equal(x->nalso, y->nalso);
		}
		nx_results_free(a);
		nx_results_free(b);
	}
	assert_true(fast >= 250);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_plain),
		cmocka_unit_test(test_any_of),
		cmocka_unit_test(test_any_of_marks),
		cmocka_unit_test(test_weights),
		cmocka_unit_test(test_same_as_fts5),
		cmocka_unit_test(test_split_same),
		cmocka_unit_test(test_search_both_ways),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}

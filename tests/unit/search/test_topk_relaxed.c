/*
 * test_topk_relaxed.c - the fast paths of search for relaxed queries (an
 * OR of phrases ranked by nx_rank, src/search/topk_rank.c nx_topk__rank) and for
 * filtered strict queries (nx_topk__run with a filter): the same hits,
 * order, scores, totals and snippets as the SQL paths (NX_FAST_PATHS_OFF), on an
 * index of real articles (Reuters-21578 and BBC from NX_SHARED_DATA;
 * skipped when absent) for a few hundred queries: questions made of real
 * titles (no article holds every word), two-word queries, OR queries,
 * with and without date ranges, outlet and language filters.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <ctype.h>
#include <ftw.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "newsidx/ingest.h"
#include "newsidx/query.h"
#include "newsidx/search.h"
#include "newsidx/store.h"
#include "index/store_private.h"
#include "search/topk.h"
#include "search/topk_rank_private.h"

#include "real_index.h"


/* A query, with the published range it is searched in (set 0: none). */
typedef struct tq {
	char *text;
	int dated;
	int64_t from, to;
	const char *source; /* --source, or NULL */
	const char *lang;   /* --lang, or NULL */
} tq;

typedef struct fixture {
	real_index ri;
	nx_store *st;    /* ri.st, NULL when ../shared/data is absent */
	tq *q;
	size_t nq;
} fixture;




static void add_query(fixture *f, const char *text, int dated, int64_t from, int64_t to, const char *source,
		      const char *lang)
{
	f->q = realloc(f->q, (f->nq + 1) * sizeof(*f->q));
	assert_non_null(f->q);
	memset(&f->q[f->nq], 0, sizeof(f->q[f->nq]));
	f->q[f->nq].text = strdup(text);
	assert_non_null(f->q[f->nq].text);
	f->q[f->nq].dated = dated;
	f->q[f->nq].from = from;
	f->q[f->nq].to = to;
	f->q[f->nq].source = source;
	f->q[f->nq].lang = lang;
	f->nq++;
}

/*
 * Questions from real titles: "what about" + a title's words + a word no
 * article has (strict finds nothing: relaxed, with feedback terms), the
 * first words of two titles, two words (relaxed without feedback), OR
 * queries; each also within a published range around an article's date,
 * and some with an outlet or a language.
 */
static void make_queries(fixture *f)
{
	sqlite3_stmt *s = NULL;
	char w[12][32], v[12][32], q[512];
	size_t i = 0, nw = 0, nv = 0, k = 0, n = 0;
	int64_t pub[400];
	char *titles[400];

	assert_int_equal(sqlite3_prepare_v2(f->st->db,
					    "SELECT title, coalesce(published, 0) FROM article"
					    " WHERE length(title) > 20 ORDER BY id",
					    -1, &s, NULL),
			 SQLITE_OK);
	/* every 17th title, for variety across the collections */
	while (sqlite3_step(s) == SQLITE_ROW && n < 400) {
		if (i++ % 17 != 0)
			continue;
		titles[n] = strdup((const char *)sqlite3_column_text(s, 0));
		assert_non_null(titles[n]);
		pub[n++] = sqlite3_column_int64(s, 1);
	}
	sqlite3_finalize(s);
	assert_true(n >= 300);
	for (i = 0; i + 1 < n; i++) {
		const char *src = i % 11 == 3 ? "reuters" : i % 11 == 7 ? "bbc" : NULL;
		const char *lang = i % 13 == 5 ? "en" : NULL;

		nw = real_index_title_words(titles[i], w, 8);
		nv = real_index_title_words(titles[(i * 7 + 101) % n], v, 8);
		if (nw < 3 || nv < 3)
			continue;
		switch (i % 4) {
		case 0:
			snprintf(q, sizeof(q), "what about");
			for (k = 0; k < nw; k++)
				snprintf(q + strlen(q), sizeof(q) - strlen(q), " %s", w[k]);
			snprintf(q + strlen(q), sizeof(q) - strlen(q), " zqxjvw");
			break;
		case 1:
			snprintf(q, sizeof(q), "%s %s %s and %s %s %s", w[0], w[1], w[2], v[0], v[1], v[2]);
			break;
		case 2:
			snprintf(q, sizeof(q), "%s zqxjvw", w[nw - 1]);
			break;
		default:
			snprintf(q, sizeof(q), "%s OR %s", w[0], v[1]);
			break;
		}
		add_query(f, q, 0, 0, 0, src, lang);
		/* the same within a range: a week around the article, or its year */
		if (pub[i] > 0)
			add_query(f, q, 1, pub[i] - (i % 2 ? 3 * 86400 : 200 * 86400), pub[i] + (i % 2 ? 4 * 86400 : 165 * 86400),
				  src, lang);
	}
	for (i = 0; i < n; i++)
		free(titles[i]);
	/* strict queries with ranges: common words, pairs, phrases */
	{
		static const char *const strict[] = { "said", "oil", "bank", "market", "government", "minister",
						      "year", "said year", "\"interest rates\"", "prices",
						      "company", "election", "trade", "shares", "oil prices", "bank shares",
						      "trade minister", "market year" };

		for (i = 0; i < sizeof(strict) / sizeof(strict[0]); i++) {
			for (k = 0; k < 6; k++) {
				int64_t from = 544233600 + (int64_t)(k * 23 + i * 5) * 86400; /* 1987-04-01 on */

				if (k == 5)
					from = 1072915200; /* 2004 */
				add_query(f, strict[i], 1, from, from + (int64_t)(k % 3 == 0 ? 7 : k % 3 == 1 ? 40 : 400) * 86400,
					  k == 2 ? "reuters" : NULL, k == 4 ? "en" : NULL);
			}
			add_query(f, strict[i], 0, 0, 0, "reuters", NULL);
		}
	}
}

static int setup(void **state)
{
	fixture *f = calloc(1, sizeof(*f));
	int rc = 0;

	if (f == NULL)
		return -1;
	*state = f;
	rc = real_index_build(&f->ri, "/tmp/nx-topkr-XXXXXX");
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
		free(f->q[i].text);
	free(f->q);
	free(f);
	return 0;
}

static void test_or_shape(void **state)
{
	int g = 0;

	(void)state;
	assert_int_equal(nx_topk__or_shape("(\"a\" OR \"b\")", &g), 2);
	assert_int_equal(g, 2);
	assert_int_equal(nx_topk__or_shape("(\"a\")", &g), 1);
	assert_int_equal(nx_topk__or_shape("(\"a\" OR \"b c\") AND (\"a\" OR \"b c\" OR \"x\" OR \"a \"\"q\"\"\")", &g), 6);
	assert_int_equal(g, 2);
	assert_int_equal(nx_topk__or_shape(NULL, &g), 0);
	assert_int_equal(nx_topk__or_shape("", &g), 0);
	assert_int_equal(nx_topk__or_shape("\"a\" OR \"b\"", &g), 0);
	assert_int_equal(nx_topk__or_shape("(\"a\" OR \"b\") NOT \"c\"", &g), 0);
	assert_int_equal(nx_topk__or_shape("(\"a\" OR \"b\")*", &g), 0);
	assert_int_equal(nx_topk__or_shape("(\"a\"* OR \"b\")", &g), 0);
	assert_int_equal(nx_topk__or_shape("(title : \"a\" OR \"b\")", &g), 0);
	assert_int_equal(nx_topk__or_shape("(\"a\" OR (\"b\" \"c\"))", &g), 0);
	assert_int_equal(nx_topk__or_shape("(\"a\" OR \"b\") AND (\"a\") AND (\"c\")", &g), 0);
	assert_int_equal(nx_topk__or_shape("(\"a\" OR \"b\") AND (credits : \"x\")", &g), 0);
	assert_int_equal(nx_topk__or_shape("(NEAR(\"a\" \"b\"))", &g), 0);
	assert_int_equal(nx_topk__or_shape("(\"a\" OR \"b\" )", &g), 0);
	assert_int_equal(nx_topk__or_shape("(\"unclosed)", &g), 0);
}

/* The weights a test gives the phrases of an expression: 0, 1, 0.999 or others. */
static int test_weights(const char *expr, double *w, int n, int ng1)
{
	int i = 0;

	for (i = 0; i < n; i++) {
		if (ng1 < n && i < ng1)
			w[i] = 0.0;
		else
			w[i] = (i * 7) % 5 == 0 ? 0.999 : (i * 3) % 4 == 1 ? (double)((i * 37) % 500) / 1000.0 : 1.0;
	}
	(void)expr;
	return n;
}

/*
 * nx_topk__rank against "ORDER BY nx_rank(...) DESC LIMIT k" on the
 * relaxed expressions of the questions, and on them as "(words) AND
 * (words OR others)" with weights: the same rows, order (ties too) and
 * scores, and the same count as count(*).
 */
/*
 * A count alone that reads the lists for the ranking to follow
 * (count_reads): the same total, every list read (not only counted), and
 * the ranking that follows from the same cache gives hits h (nh of them,
 * k asked) to the bit.
 */
static void reads_at_count(sqlite3 *db, const char *expr, const double *colw, const double *pw, int n, size_t k,
			   const nx_topk_hit *h, size_t nh, int64_t total)
{
	nx_topk_tune rd = NX_TOPK_TUNE_INIT;
	nx_topk_cache *c = NULL;
	nx_topk_hit *none = NULL, *h2 = NULL;
	size_t nnone = 0, nh2 = 0, i = 0;
	int64_t t2 = -1;

	rd.count_reads = 1;
	assert_int_equal(nx_topk__rank(db, &c, expr, colw, 4, pw, n, NULL, 0, &none, &nnone, &t2, NULL, &rd), SQLITE_OK);
	free(none);
	assert_int_equal(nnone, 0);
	assert_int_equal(t2, total);
	assert_non_null(c);
	for (i = 0; i < c->n; i++)
		if (!c->l[i].done || c->l[i].counted)
			fail_msg("'%s': list %s not read by the count", expr, c->l[i].text);
	assert_int_equal(nx_topk__rank(db, &c, expr, colw, 4, pw, n, NULL, k, &h2, &nh2, NULL, NULL, &rd), SQLITE_OK);
	assert_int_equal(nh2, nh);
	for (i = 0; i < nh; i++)
		if (h2[i].rowid != h[i].rowid || h2[i].score != h[i].score)
			fail_msg("'%s', hit %zu: %lld %.17g after a counting read, %lld %.17g", expr, i,
				 (long long)h2[i].rowid, h2[i].score, (long long)h[i].rowid, h[i].score);
	free(h2);
	nx_topk__cache_free(c);
}

static void test_rank_same_as_sql(void **state)
{
	fixture *f = *state;
	static const double colw[4] = { 1.0, 8.0, 0.6, 0.4 };
	size_t i = 0, j = 0, kk = 0, checked = 0;
	int ties = 0, pruned = 0, form = 0, keep = 0, again = 0;
	nx_topk_tune tune = NX_TOPK_TUNE_INIT;
	static const size_t ks[3] = { 5, 10, 40 };

	if (f->st == NULL)
		skip();
	assert_int_equal(f->st->fcol[NX_F_BODY], 0); /* schema 2: colw above */
	for (i = 0; i < f->nq; i++) {
		nx_query *q = NULL;
		nx_error err = NX_ERROR_INIT;
		nx_results *r = NULL;
		nx_search_opts o = NX_SEARCH_OPTS_INIT;
		nx_topk_cache *cache = NULL;

		if (f->q[i].dated || f->q[i].source != NULL || f->q[i].lang != NULL)
			continue;
		/* nx_search registers nx_rank on the connection */
		o.limit = 1;
		assert_int_equal(nx_search(&r, f->st, f->q[i].text, &o, &err), NX_OK);
		nx_results_free(r);
		assert_int_equal(nx_query_compile(&q, f->q[i].text, &err), NX_OK);
		if (q->relaxed == NULL || q->relaxed_pos == NULL || q->negs[0] != '\0') {
			nx_query_free(q);
			continue;
		}
		for (form = 0; form < 2; form++) {
			char expr[2048];
			double w[NX_TOPK_MAX_RANK_PHRASES];
			int n = 0, ng1 = 0;

			if (form == 0) {
				snprintf(expr, sizeof(expr), "%s", q->relaxed);
			} else {
				/* the expanded form: the words select, pairs and others rank too */
				size_t t = 0;

				snprintf(expr, sizeof(expr), "%s AND (%.*s", q->relaxed_pos, (int)strlen(q->relaxed_pos) - 2,
					 q->relaxed_pos + 1);
				for (t = 0; t + 1 < q->nterms && t < 6; t++)
					snprintf(expr + strlen(expr), sizeof(expr) - strlen(expr), " OR \"%s %s\"", q->terms[t],
						 q->terms[t + 1]);
				snprintf(expr + strlen(expr), sizeof(expr) - strlen(expr), " OR \"year\" OR \"said\")");
			}
			n = nx_topk__or_shape(expr, &ng1);
			assert_true(n > 0);
			test_weights(expr, w, n, form == 0 ? n : ng1);
			for (kk = 0; kk < 6; kk++) {
				sqlite3_stmt *s = NULL;
				nx_topk_hit *h = NULL;
				nx_topk_stats ts;
				char sql[4096];
				size_t nh = 0;
				int64_t total = -1, count = -1;
				double prev = INFINITY, pw[NX_TOPK_MAX_RANK_PHRASES];
				int p = 0;

				/* kk 3-5: the merge keeps only k bounds, and often runs again */
				keep = kk >= 3;
				tune.rank_keep = keep ? 1 : 512;
				/* the weights as search.c binds them: thousandths */
				snprintf(sql, sizeof(sql), "SELECT f.rowid, nx_rank(fts");
				for (p = 0; p < n; p++) {
					int64_t th = (int64_t)(w[p] * 1000.0 + 0.5);

					snprintf(sql + strlen(sql), sizeof(sql) - strlen(sql), ", %lld / 1000.0", (long long)th);
					pw[p] = (double)th / 1000.0;
				}
				snprintf(sql + strlen(sql), sizeof(sql) - strlen(sql),
					 ") AS score FROM fts f JOIN article a ON a.id = f.rowid WHERE fts MATCH ?1"
					 " ORDER BY score DESC LIMIT %zu",
					 ks[kk % 3]);
				assert_int_equal(nx_topk__rank(f->st->db, &cache, expr, colw, 4, pw, n, NULL, ks[kk % 3], &h,
							       &nh, &total, &ts, &tune),
						 SQLITE_OK);
				if (ts.lengths < ts.rows)
					pruned++;
				again += ts.merges == 2;
				assert_true(ts.merges == 1 || (keep && ts.merges == 2));
				assert_int_equal(sqlite3_prepare_v2(f->st->db, sql, -1, &s, NULL), SQLITE_OK);
				sqlite3_bind_text(s, 1, expr, -1, SQLITE_STATIC);
				for (j = 0; sqlite3_step(s) == SQLITE_ROW; j++) {
					int64_t id = sqlite3_column_int64(s, 0);
					double sc = sqlite3_column_double(s, 1);

					if (j >= nh || h[j].rowid != id || fabs(h[j].score - sc) > 1e-9 * fabs(sc))
						fail_msg("query '%s' (%s), k %zu, row %zu: SQL %lld %.17g, fast path %lld %.17g",
							 f->q[i].text, expr, ks[kk % 3], j, (long long)id, sc,
							 j < nh ? (long long)h[j].rowid : -1LL, j < nh ? h[j].score : 0.0);
					ties += sc == prev;
					prev = sc;
				}
				sqlite3_finalize(s);
				assert_int_equal(j, nh);
				if (kk == 0)
					reads_at_count(f->st->db, expr, colw, pw, n, ks[0], h, nh, total);
				free(h);
				assert_int_equal(sqlite3_prepare_v2(f->st->db, "SELECT count(*) FROM fts WHERE fts MATCH ?1", -1,
								    &s, NULL),
						 SQLITE_OK);
				sqlite3_bind_text(s, 1, expr, -1, SQLITE_STATIC);
				assert_int_equal(sqlite3_step(s), SQLITE_ROW);
				count = sqlite3_column_int64(s, 0);
				sqlite3_finalize(s);
				assert_int_equal(total, count);
				assert_int_equal(ts.rows, count);
				if (kk == 0) {
					/* the same count from the rowids alone */
					int64_t oc = -1;
					nx_topk_stats os;

					assert_int_equal(nx_topk__or_count(f->st->db, NULL, expr, NULL, &oc, &os), SQLITE_OK);
					assert_int_equal(oc, count);
					assert_int_equal(os.rows, count);
				}
			}
		}
		checked++;
		nx_topk__cache_free(cache);
		nx_query_free(q);
	}
	print_message("%zu queries, %d ties, %d runs pruned, %d merged again\n", checked, ties, pruned, again);
	assert_true(checked >= 100);
	assert_true(again > 10);
	assert_true(ties > 0);
	assert_true(pruned > 100);
}

/* Is the query's fast path taken?  The strict or relaxed shapes, no other options. */
static int fast_shape(const nx_results *r)
{
	int g = 0;

	return r->fts != NULL && (nx_topk__plain(r->fts) > 0 || nx_topk__or_shape(r->fts, &g) > 0);
}

/* nx_search: the same totals, hits, scores and snippets with and without the fast paths. */
static void test_search_both_ways(void **state)
{
	fixture *f = *state;
	size_t i = 0, j = 0, relaxed = 0, dated = 0, filtered = 0, fast = 0, counted_only = 0;

	if (f->st == NULL)
		skip();
	for (i = 0; i < f->nq; i++) {
		nx_results *a = NULL, *b = NULL;
		nx_error err = NX_ERROR_INIT;
		nx_search_opts o = NX_SEARCH_OPTS_INIT;

		o.limit = i % 3 == 0 ? 25 : 10;
		o.offset = i % 5 == 0 ? 3 : 0;
		o.collapse = i % 7 != 0;
		if (i % 4 == 1) {
			/* one hit: the strict rows often fill it, the relaxed ones are only counted */
			o.limit = 1;
			o.offset = 0;
			o.collapse = 0;
		}
		if (f->q[i].dated) {
			o.filter.set = NX_F_PUB_MIN | NX_F_PUB_MAX;
			o.filter.pub_min = f->q[i].from;
			o.filter.pub_max = f->q[i].to;
		}
		o.filter.source = (char *)f->q[i].source;
		o.filter.lang = (char *)f->q[i].lang;
		o.fast_paths = NX_FAST_PATHS_OFF;
		assert_int_equal(nx_search(&a, f->st, f->q[i].text, &o, &err), NX_OK);
		/* a fast path that cannot run is an error, not the SQL path; half on one thread */
		o.fast_paths = NX_FAST_PATHS_CHECK;
		o.one_thread = i % 2;
		if (nx_search(&b, f->st, f->q[i].text, &o, &err) != NX_OK)
			fail_msg("query '%s': %s", f->q[i].text, err.msg);
		if (a->total != b->total || a->relaxed != b->relaxed || a->nhits != b->nhits ||
		    a->total_some != b->total_some)
			fail_msg("query '%s' (%s): SQL total %lld some %lld relaxed %d hits %zu, fast path %lld %lld %d %zu",
				 f->q[i].text, a->fts != NULL ? a->fts : "", (long long)a->total, (long long)a->total_some,
				 a->relaxed, a->nhits, (long long)b->total, (long long)b->total_some, b->relaxed, b->nhits);
		counted_only += a->total > (o.collapse ? (o.offset + o.limit) * 3 + 10 : o.offset + o.limit) && a->total_some > 0;
		assert_true((a->fts == NULL) == (b->fts == NULL));
		if (a->fts != NULL)
			assert_string_equal(a->fts, b->fts);
		for (j = 0; j < a->nhits; j++) {
			const nx_hit *x = &a->hits[j], *y = &b->hits[j];
			size_t k = 0;

			if (strcmp(x->id, y->id) != 0 || fabs(x->score - y->score) > 1e-9 * fabs(x->score))
				fail_msg("query '%s', hit %zu: SQL %s %.17g, fast path %s %.17g", f->q[i].text, j, x->id,
					 x->score, y->id, y->score);
			assert_string_equal(x->snippet, y->snippet);
			assert_string_equal(x->title, y->title);
			assert_int_equal(x->nhighlights, y->nhighlights);
			for (k = 0; k < x->nhighlights; k++) {
				assert_int_equal(x->highlights[k].start, y->highlights[k].start);
				assert_int_equal(x->highlights[k].end, y->highlights[k].end);
			}
			assert_int_equal(x->nalso, y->nalso);
			for (k = 0; k < x->nalso; k++)
				assert_string_equal(x->also_ids[k], y->also_ids[k]);
		}
		if (a->nhits > 0 && fast_shape(a)) {
			fast++;
			relaxed += a->relaxed;
			dated += f->q[i].dated;
			filtered += f->q[i].source != NULL || f->q[i].lang != NULL;
		}
		nx_results_free(a);
		nx_results_free(b);
	}
	print_message("%zu queries, %zu on a fast path: %zu relaxed, %zu dated, %zu by outlet or language;"
		      " %zu with closest matches only counted\n", f->nq, fast, relaxed, dated, filtered, counted_only);
	/* nx_topk__or_count gave total_some: the strict rows were more than the listing takes */
	assert_true(counted_only >= 5);
	/* the mix really went through the fast paths, relaxed and filtered */
	assert_true(fast >= 300);
	assert_true(relaxed >= 150);
	assert_true(dated >= 100);
	assert_true(filtered >= 40);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_or_shape),
		cmocka_unit_test(test_rank_same_as_sql),
		cmocka_unit_test(test_search_both_ways),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}

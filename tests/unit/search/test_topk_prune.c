/*
 * test_topk_prune.c - the dynamic pruning (MaxScore) of nx_topk__rank
 * (src/search/topk_rank.c): with no total asked for, the merge stops
 * walking the lists that cannot win alone; the hits must be those of the
 * merge that looks at every row, to the bit, ties (equal scores, by rowid)
 * and k above the number of matches included.  A small index made here:
 * made-up words at frequencies from a few rows to most of them, titles
 * that hold some (weight 8), copies of articles (equal scores).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "newsidx/search.h"
#include "newsidx/store.h"
#include "index/store_private.h"
#include "search/topk.h"


#define NART 2400
#define NWORD 24
#define T0 1625708520

#include "madeup.h" /* after NWORD */

static int setup(void **state)
{
	return madeup_setup(state, "prune", 12345);
}

/*
 * Expression number e: an OR of some words (and a pair of words as a
 * phrase), or the expanded form "(words) AND (words OR others)"; weights
 * in pw (the first group's 0 in the expanded form).
 */
static int make_expr(int e, char *expr, size_t n, double *pw, int *npw)
{
	char w[8];
	int i = 0, nw = 2 + e % 7, first = (e * 5) % (NWORD - 8), ng1 = 0, np = 0, two = e % 3 == 2;

	snprintf(expr, n, "(");
	for (i = 0; i < nw; i++) {
		word(w, (first + i * (1 + e % 3)) % NWORD);
		snprintf(expr + strlen(expr), n - strlen(expr), "%s\"%s\"", i ? " OR " : "", w);
	}
	np = nw;
	if (two) {
		/* the expanded form: the words select (weight 0), then rank with others */
		char group[512];

		ng1 = nw;
		assert_true(strlen(expr) < sizeof(group) && 2 * strlen(expr) + 8 < n);
		memcpy(group, expr + 1, strlen(expr)); /* its '\0' too */
		strcat(expr, ") AND (");
		strcat(expr, group);
		np += nw;
	}
	if (e % 2 == 1) {
		char v[8];

		word(w, e % NWORD);
		word(v, (e + 1) % NWORD);
		snprintf(expr + strlen(expr), n - strlen(expr), " OR \"%s %s\"", w, v);
		np++;
	}
	if (two) {
		word(w, 0);
		snprintf(expr + strlen(expr), n - strlen(expr), " OR \"%s\"", w);
		np++;
	}
	snprintf(expr + strlen(expr), n - strlen(expr), ")");
	for (i = 0; i < np; i++) {
		if (i < ng1)
			pw[i] = 0.0;
		else
			pw[i] = (i + e) % 4 == 0 ? 0.3 : (i + e) % 5 == 0 ? 0.999 : (i + e) % 7 == 0 ? 2.0 : 1.0;
	}
	*npw = np;
	return ng1;
}

/* Pruned and exhaustive merges: the same hits, order and scores, for many k and caps. */
static void test_pruned_same_as_exhaustive(void **state)
{
	fixture *f = *state;
	static const double colw[4] = { 1.0, 8.0, 0.6, 0.4 };
	static const size_t ks[5] = { 1, 3, 10, 40, 100000 };
	int e = 0, kk = 0, keep = 0, pruned = 0, ties = 0, above = 0, again = 0, runs = 0;

	assert_int_equal(f->st->fcol[NX_F_BODY], 0); /* schema 2: colw above */
	for (e = 0; e < 60; e++) {
		char expr[1024];
		double pw[NX_TOPK_MAX_RANK_PHRASES];
		int npw = 0, g = 0;
		nx_topk_cache *c1 = NULL, *c2 = NULL;

		make_expr(e, expr, sizeof(expr), pw, &npw);
		assert_int_equal(nx_topk__or_shape(expr, &g), npw);
		for (kk = 0; kk < 5; kk++) {
			for (keep = 0; keep < 2; keep++) {
				nx_topk_tune full = NX_TOPK_TUNE_INIT, fast = NX_TOPK_TUNE_INIT;
				nx_topk_hit *a = NULL, *b = NULL;
				nx_topk_stats sa, sb;
				size_t na = 0, nb = 0, i = 0;
				int64_t total = -1;

				/* keep 1: only k bounds kept, the merge often runs again */
				full.rank_keep = fast.rank_keep = keep ? 1 : 512;
				full.exhaustive = 1;
				assert_int_equal(nx_topk__rank(f->st->db, &c1, expr, colw, 4, pw, npw, NULL, ks[kk], &a, &na,
							       &total, &sa, &full),
						 SQLITE_OK);
				assert_int_equal(nx_topk__rank(f->st->db, &c2, expr, colw, 4, pw, npw, NULL, ks[kk], &b, &nb,
							       NULL, &sb, &fast),
						 SQLITE_OK);
				runs++;
				if (na != nb)
					fail_msg("%s, k %zu: %zu hits exhaustive, %zu pruned", expr, ks[kk], na, nb);
				for (i = 0; i < na; i++) {
					if (a[i].rowid != b[i].rowid || a[i].score != b[i].score)
						fail_msg("%s, k %zu, hit %zu: exhaustive %lld %.17g, pruned %lld %.17g", expr,
							 ks[kk], i, (long long)a[i].rowid, a[i].score, (long long)b[i].rowid,
							 b[i].score);
					ties += i > 0 && a[i].score == a[i - 1].score;
				}
				/* k above the matches: every match, none lost to pruning */
				if (ks[kk] > (size_t)total) {
					assert_int_equal((int64_t)na, total);
					above++;
				}
				assert_int_equal(sa.rows, total);
				pruned += sb.rows < sa.rows;
				again += sb.merges == 2;
				free(a);
				free(b);
			}
		}
		nx_topk__cache_free(c1);
		nx_topk__cache_free(c2);
	}
	print_message("%d runs: %d pruned, %d with ties, %d with k above the matches, %d merged again\n", runs,
		      pruned, ties, above, again);
	/* the pruning ran, on ties, and k above the matches was tried */
	assert_true(pruned >= 50);
	assert_true(ties > 100);
	assert_true(above >= 60);
	assert_true(again > 0);
}

/* No row matches: nothing, pruned or not. */
static void test_pruned_no_match(void **state)
{
	fixture *f = *state;
	static const double colw[4] = { 1.0, 8.0, 0.6, 0.4 };
	nx_topk_cache *c = NULL;
	nx_topk_hit *h = NULL;
	size_t nh = 7;
	double pw[2] = { 1.0, 1.0 };

	assert_int_equal(nx_topk__rank(f->st->db, &c, "(\"qqqnone\" OR \"zzznone\")", colw, 4, pw, 2, NULL, 10, &h, &nh,
				       NULL, NULL, NULL),
			 SQLITE_OK);
	assert_int_equal(nh, 0);
	free(h);
	nx_topk__cache_free(c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_pruned_same_as_exhaustive),
		cmocka_unit_test(test_pruned_no_match),
	};

	return cmocka_run_group_tests(tests, setup, madeup_teardown);
}

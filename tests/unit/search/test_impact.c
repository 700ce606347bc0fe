/*
 * test_impact.c - impact lists (src/search/impact.c, src/index/impact.c):
 * a search for one frequent word reads its list and must give what the
 * walk gives (ids, scores, order, total), ties included; articles added
 * since the lists were made: the list rescored and the added rows, still
 * the walk's results, and so after articles made before were removed (the
 * removed rows passed over, the count less those it had); a page deeper
 * than the list, an article made before replaced, a removed last rowid
 * given again: the walk again.  A small index made here:
 * made-up words from most rows to a few, every 7th article a copy of the
 * one before (equal scores), lists made for words in 300 rows or more,
 * 32 rows each.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "newsidx/search.h"
#include "newsidx/store.h"
#include "index/impact.h"
#include "index/store_private.h"
#include "search/fts_rows.h"
#include "search/search_private.h"


#define NART 2400
#define NWORD 10
#define MIN_DF 300
#define ROWS 32
#define T0 1625708520

#define MADEUP_SEARCH
#define MADEUP_REMOVE
#include "madeup.h" /* after NWORD */

static int setup(void **state)
{
	return madeup_setup(state, "impact", 4242);
}

/* Pages of the searches compared: limit, offset (collapse asks 3 (offset + limit) + 10 rows). */
static const int pages[][2] = { { 1, 0 }, { 5, 0 }, { 3, 4 }, { 10, 0 }, { 20, 0 } };
#define NPAGES (sizeof(pages) / sizeof(pages[0]))

/* Every word, every page: the walk's results into want[word][page]. */
static void search_all(nx_store *st, seen want[NWORD][NPAGES])
{
	char w[8];
	size_t i = 0, p = 0;

	for (i = 0; i < NWORD; i++)
		for (p = 0; p < NPAGES; p++) {
			word(w, (int)i);
			search(st, w, pages[p][0], pages[p][1], &want[i][p]);
		}
}

/* 1 when the list of word i serves k rows */
static int served(nx_store *st, int i, size_t k)
{
	nx_query *q = NULL;
	nx_error err = NX_ERROR_INIT;
	nx_topk_hit *h = NULL;
	size_t n = 0;
	int64_t total = 0;
	char w[8];
	int rc = 0;

	double cw[NX_TOPK_MAX_WEIGHTS];
	int ncw = 0;

	word(w, i);
	assert_int_equal(nx_query_compile(&q, w, &err), NX_OK);
	assert_true(nx_topk__weights(st->db, cw, &ncw));
	rc = nx_search__impact_hits(st, q->fts, cw, ncw, k, &h, &n, &total);
	assert_true(rc >= 0);
	if (rc == 1)
		assert_true(n == k || (int64_t)n == total);
	free(h);
	nx_query_free(q);
	return rc;
}

static void build(nx_store *st)
{
	nx_error err = NX_ERROR_INIT;

	assert_int_equal(nx_search__impact_build(st, MIN_DF, ROWS, &err), NX_OK);
}

/* Every word, every page, by the walk on the index as it is (the mark set aside in a transaction undone). */
static void walk_all(nx_store *st, seen want[NWORD][NPAGES])
{
	assert_int_equal(sqlite3_exec(st->db, "BEGIN; DELETE FROM impact_state WHERE id = 4", NULL, NULL, NULL),
			 SQLITE_OK);
	assert_int_equal(served(st, 0, 1), 0);
	search_all(st, want);
	assert_int_equal(sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL), SQLITE_OK);
}

static void check_all(nx_store *st, seen want[NWORD][NPAGES])
{
	static seen got[NWORD][NPAGES];
	size_t i = 0, p = 0;

	search_all(st, got);
	for (i = 0; i < NWORD; i++)
		for (p = 0; p < NPAGES; p++)
			assert_same(&want[i][p], &got[i][p]);
}

/* The lists give the walk's results, ties and totals included; deeper pages walk. */
static void test_same_as_walk(void **state)
{
	fixture *f = *state;
	static seen want[NWORD][NPAGES];
	int64_t sets = 0;
	int i = 0, with = 0;

	search_all(f->st, want);
	assert_int_equal(served(f->st, 0, 1), 0); /* no lists yet */
	build(f->st);
	for (i = 0; i < NWORD; i++) {
		/* a list exactly for the words in MIN_DF rows or more */
		int has = want[i][0].total >= MIN_DF;

		assert_int_equal(served(f->st, i, 1), has);
		assert_int_equal(served(f->st, i, ROWS), has);
		assert_int_equal(served(f->st, i, ROWS + 1), 0); /* deeper than the list: the walk */
		with += has;
	}
	assert_true(with >= 2 && with < NWORD);
	/* MIN_DF is an eighth of the rows: each word listed (and its forms) has a set, its rows ranked by the set walk */
	assert_int_equal(nx_store__query_int(f->st, "SELECT count(*) FROM impact_set", &sets), 0);
	assert_true(sets >= with);
	check_all(f->st, want);
}

/* Articles n0.. (n of them): every one-in-every all filler, long or short (avgdl moves), the others made-up texts. */
static void add_articles(nx_store *st, int n0, int n, int fill, int every, uint32_t seed)
{
	nx_error err = NX_ERROR_INIT;
	char title[256], body[4096];
	int j = 0, r = 0;

	assert_int_equal(nx_store_begin(st, &err), NX_OK);
	for (j = 0; j < n; j++) {
		if (j % every == 0) {
			snprintf(title, sizeof(title), "Notice");
			snprintf(body, sizeof(body), "Filler");
			for (r = 0; r < fill; r++)
				snprintf(body + strlen(body), sizeof(body) - strlen(body), " filler%c", 'a' + (int)(lcg(&seed) % 20));
			snprintf(body + strlen(body), sizeof(body) - strlen(body), ".");
		} else {
			make_text(&seed, title, sizeof(title), body, sizeof(body));
		}
		assert_int_equal(put_article(st, n0 + j, title, body), 0);
	}
	assert_int_equal(nx_store_commit(st, &err), NX_OK);
}

/* Words served from their lists. */
static int served_words(nx_store *st, size_t k)
{
	int i = 0, n = 0;

	for (i = 0; i < NWORD; i++)
		n += served(st, i, k);
	return n;
}

/*
 * Articles added since the lists were made, longer than most (avgdl up),
 * then shorter (down), some with the frequent words (their idf moves):
 * the lists still serve, with the walk's rows, scores and totals.
 */
static void test_additions_keep_lists(void **state)
{
	fixture *f = *state;
	static seen want[NWORD][NPAGES];
	static seen got[NWORD][NPAGES];
	size_t i = 0, p = 0, looked = 0;
	int round = 0;

	build(f->st);
	for (round = 0; round < 3; round++) {
		/* 90 long, 90 short, then 1: a row added at the end of every list */
		add_articles(f->st, 10000 + 1000 * round, round == 2 ? 1 : 90, round == 0 ? 400 : 2, 3, 77u + (uint32_t)round);
		assert_true(served_words(f->st, 1) >= 3);
		assert_true(served_words(f->st, ROWS / 2) >= 3);
		assert_int_equal(served(f->st, 0, ROWS + 1), 0); /* deeper than the list: the walk */
		walk_all(f->st, want);
		looked = nx_fts_rows__lookups();
		search_all(f->st, got);
		/* the listed rows rescored from FTS5's pages (impact_fresh.c's lookups) */
		assert_true(nx_fts_rows__lookups() > looked);
		for (i = 0; i < NWORD; i++)
			for (p = 0; p < NPAGES; p++)
				assert_same(&want[i][p], &got[i][p]);
	}
	/* the best row of word 0 by far, added: first */
	add_articles(f->st, 20000, 2, 0, 3, 5u);
	assert_int_equal(served(f->st, 0, 1), 1);
	walk_all(f->st, want);
	check_all(f->st, want);
}

/* Remove the article of url n in a transaction of its own. */
static void remove_article(nx_store *st, int n)
{
	nx_error err = NX_ERROR_INIT;
	char url[64], id[17];

	snprintf(url, sizeof(url), "https://example.com/%d", n);
	assert_int_equal(nx_store_begin(st, &err), NX_OK);
	assert_int_equal(nx_store_remove(st, url, id, &err), NX_OK);
	assert_int_equal(nx_store_commit(st, &err), NX_OK);
}

/* The rowid of the article of url n. */
static int64_t rowid_of(nx_store *st, int n)
{
	char sql[96];
	int64_t id = -1;

	snprintf(sql, sizeof(sql), "SELECT id FROM article WHERE url = 'https://example.com/%d'", n);
	assert_int_equal(nx_store__query_int(st, sql, &id), 0);
	return id;
}

/*
 * The last article removed gives its rowid to the next one.  Added since
 * the lists were made, then removed or replaced: they still serve, with
 * the walk's results.  The last one when they were made (the mark):
 * every list is set aside, none serves a stale result.
 */
static void test_reused_rowid(void **state)
{
	fixture *f = *state;
	nx_error err = NX_ERROR_INIT;
	static seen want[NWORD][NPAGES];
	nx_impact_mark m;
	int64_t last = 0;

	/* added since, removed, its rowid given again */
	build(f->st);
	add_articles(f->st, 30000, 2, 0, 3, 9u);
	last = rowid_of(f->st, 30001);
	remove_article(f->st, 30001);
	assert_int_equal(served(f->st, 0, 1), 1);
	add_articles(f->st, 30002, 1, 0, 3, 11u);
	assert_true(rowid_of(f->st, 30002) == last);
	assert_int_equal(served(f->st, 0, 1), 1);
	walk_all(f->st, want);
	check_all(f->st, want);
	/* added since and replaced (the same url, another text) */
	assert_int_equal(nx_store_begin(f->st, &err), NX_OK);
	assert_int_equal(put_article(f->st, 30002, "zorba zorba zorba", "zorba zorba zorba zorba zorba."), 0);
	assert_int_equal(nx_store_commit(f->st, &err), NX_OK);
	assert_true(rowid_of(f->st, 30002) == last);
	assert_int_equal(served(f->st, 0, 1), 1);
	walk_all(f->st, want);
	check_all(f->st, want);
	/* the mark's own article removed: served; its rowid given again: set aside */
	build(f->st);
	last = rowid_of(f->st, 30002);
	remove_article(f->st, 30002);
	assert_int_equal(nx_impact__mark(f->st->db, &m), 1);
	assert_true(m.ngone == 1 && m.gone[0] == last && m.last == last);
	nx_impact__mark_free(&m);
	assert_int_equal(served(f->st, 0, 1), 1);
	walk_all(f->st, want);
	check_all(f->st, want);
	add_articles(f->st, 30003, 1, 0, 3, 13u);
	assert_true(rowid_of(f->st, 30003) == last);
	/* a row at or below the mark neither made then nor removed: no mark, for every reader */
	assert_int_equal(nx_impact__mark(f->st->db, &m), 0);
	assert_true(m.gone == NULL);
	assert_int_equal(served_words(f->st, 1), 0);
	search_all(f->st, want);
	build(f->st);
	assert_int_equal(served(f->st, 0, 1), 1);
	check_all(f->st, want);
}

/*
 * So many articles added without the most frequent words that their idf
 * leaves its floor: the bound is too loose for the list, the walk serves.
 */
static void test_additions_past_bound_walk(void **state)
{
	fixture *f = *state;
	static seen want[NWORD][NPAGES];

	build(f->st);
	add_articles(f->st, 40000, 2 * NART, 3, 1, 13u);
	assert_int_equal(served(f->st, 0, 1), 0);
	walk_all(f->st, want);
	check_all(f->st, want);
}

/*
 * An article added since: the lists serve (test_additions_keep_lists);
 * one made before replaced: no list is used until they are made again;
 * removed: the lists serve (test_removals_keep_lists), the walk's results.
 */
static void test_changes_turn_lists_off(void **state)
{
	fixture *f = *state;
	nx_error err = NX_ERROR_INIT;
	static seen want[NWORD][NPAGES];
	char id[17];
	int step = 0;

	for (step = 0; step < 3; step++) {
		build(f->st);
		assert_int_equal(served(f->st, 0, 1), 1);
		assert_int_equal(nx_store_begin(f->st, &err), NX_OK);
		if (step == 0) /* added: the best row of word 0 by far */
			assert_int_equal(put_article(f->st, NART + 1, "zorba zorba zorba", "zorba zorba zorba zorba."), 0);
		else if (step == 1) /* replaced, as many words in each field: only the trigger tells */
			assert_int_equal(put_article(f->st, NART + 1, "fillera fillerb fillerc", "fillerd fillere fillerf fillerg."), 0);
		else /* removed */
			assert_int_equal(nx_store_remove(f->st, "https://example.com/3", id, &err), NX_OK);
		assert_int_equal(nx_store_commit(f->st, &err), NX_OK);
		assert_int_equal(served(f->st, 0, 1), step != 1);
		/* the walk's results, then the lists made again: the same */
		walk_all(f->st, want);
		if (step != 1)
			check_all(f->st, want);
		build(f->st);
		assert_int_equal(served(f->st, 0, 1), 1);
		check_all(f->st, want);
	}
}

/*
 * Articles made before the lists removed (best rows of the most frequent
 * words among them: their lists' rows, sets and counts lose them), then
 * others added, then more removed: the lists still serve, with the walk's
 * rows, scores and totals, the count of each word's removed rows from the
 * removals' notes, or from its set when a removal was not noted.  A word
 * with neither, whose list does not hold every row, cannot tell how many
 * of its rows went: it walks, the others serve.  Made again: no removal
 * left.
 */
static void test_removals_keep_lists(void **state)
{
	fixture *f = *state;
	static seen want[NWORD][NPAGES];
	int64_t gone = 0, sets = 0;
	int round = 0, n = 0;

	build(f->st);
	assert_int_equal(nx_store__query_int(f->st, "SELECT count(*) FROM impact_state WHERE id < 0", &gone), 0);
	assert_int_equal(gone, 0);
	for (round = 0; round < 3; round++) {
		if (round == 1) /* 90 long articles added between removals (avgdl up) */
			add_articles(f->st, 50000, 90, 400, 3, 21u);
		n = madeup_remove_listed(f->st, 4, round + 2);
		print_message("round %d: %d articles removed\n", round, n);
		assert_true(n >= 5);
		assert_int_equal(nx_store__query_int(f->st, "SELECT count(*) FROM impact_state WHERE id < 0", &gone), 0);
		assert_true(gone >= n);
		assert_true(served_words(f->st, 1) >= 3);
		assert_true(served_words(f->st, ROWS / 2) >= 3);
		walk_all(f->st, want);
		check_all(f->st, want);
	}
	/* the removals' notes tell how many rows each word lost: the sets are not needed */
	assert_int_equal(sqlite3_exec(f->st->db, "BEGIN; DELETE FROM impact_set", NULL, NULL, NULL), SQLITE_OK);
	assert_true(served_words(f->st, 1) >= 3);
	check_all(f->st, want);
	assert_int_equal(sqlite3_exec(f->st->db, "ROLLBACK", NULL, NULL, NULL), SQLITE_OK);
	/* removals not noted (by another program): the sets tell */
	assert_int_equal(sqlite3_exec(f->st->db, "BEGIN; UPDATE impact_state SET totals = x'' WHERE id < 0", NULL, NULL,
				      NULL),
			 SQLITE_OK);
	assert_true(served_words(f->st, 1) >= 3);
	check_all(f->st, want);
	/* nor sets: word 0's list does not hold every row, it walks */
	assert_int_equal(sqlite3_exec(f->st->db, "DELETE FROM impact_set", NULL, NULL, NULL), SQLITE_OK);
	assert_int_equal(served(f->st, 0, 1), 0);
	check_all(f->st, want);
	assert_int_equal(sqlite3_exec(f->st->db, "ROLLBACK", NULL, NULL, NULL), SQLITE_OK);
	assert_int_equal(nx_store__query_int(f->st, "SELECT count(*) FROM impact_set", &sets), 0);
	assert_true(sets >= 3);
	assert_int_equal(served(f->st, 0, 1), 1);
	/* made again: no removal recorded */
	build(f->st);
	assert_int_equal(nx_store__query_int(f->st, "SELECT count(*) FROM impact_state WHERE id < 0", &gone), 0);
	assert_int_equal(gone, 0);
	check_all(f->st, want);
}

/*
 * A removal's note (the lists' words the row holds) from its text tokenized
 * once is the note of one FTS5 query per expression,
 * byte for byte, for every row of the index, with articles added since.
 */
static void test_notes_from_tokens(void **state)
{
	fixture *f = *state;
	sqlite3_stmt *s = NULL;
	int64_t rows = 0, words = 0, several = 0;

	build(f->st);
	add_articles(f->st, 60000, 20, 3, 3, 31u);
	assert_int_equal(sqlite3_prepare_v2(f->st->db, "SELECT rowid FROM fts", -1, &s, NULL), SQLITE_OK);
	while (sqlite3_step(s) == SQLITE_ROW) {
		char *once = nx_impact__held(f->st->db, sqlite3_column_int64(s, 0), 0);
		char *each = nx_impact__held(f->st->db, sqlite3_column_int64(s, 0), 1);
		int64_t n = 0;
		const char *p = NULL;

		assert_non_null(once);
		assert_non_null(each);
		assert_string_equal(once, each);
		assert_memory_equal(once, "\x01\n", 2);
		for (p = once + 2; *p != '\0'; p++)
			n += *p == '\n';
		rows++;
		words += n;
		several += n >= 3;
		free(once);
		free(each);
	}
	sqlite3_finalize(s);
	print_message("%lld rows, %lld words noted, %lld rows of 3 or more\n", (long long)rows, (long long)words,
		      (long long)several);
	assert_true(rows >= NART && words >= rows && several >= 10);
	/* an expression not one quoted word: one query per word, still the same */
	assert_int_equal(sqlite3_exec(f->st->db,
				      "BEGIN; INSERT INTO impact(expr, df, hits, twin) SELECT expr || ' OR \"zorba\"', df, hits,"
				      " NULL FROM impact WHERE twin IS NULL ORDER BY df DESC LIMIT 1",
				      NULL, NULL, NULL),
			 SQLITE_OK);
	assert_int_equal(sqlite3_prepare_v2(f->st->db, "SELECT rowid FROM fts LIMIT 50", -1, &s, NULL), SQLITE_OK);
	while (sqlite3_step(s) == SQLITE_ROW) {
		char *once = nx_impact__held(f->st->db, sqlite3_column_int64(s, 0), 0);
		char *each = nx_impact__held(f->st->db, sqlite3_column_int64(s, 0), 1);

		assert_non_null(once);
		assert_non_null(each);
		assert_string_equal(once, each);
		assert_non_null(strstr(once, " OR \"zorba\"\n"));
		free(once);
		free(each);
	}
	sqlite3_finalize(s);
	assert_int_equal(sqlite3_exec(f->st->db, "ROLLBACK", NULL, NULL, NULL), SQLITE_OK);
}

/*
 * More removals than a mark holds (nx_impact__gone_limit, its least
 * lowered for this small index): the mark fails before the removals are
 * read, every word walks, with the same results as the lists gave below
 * the limit; the limit raised again, or the lists made again, they serve.
 */
static void test_removals_past_limit(void **state)
{
	fixture *f = *state;
	static seen want[NWORD][NPAGES];
	nx_impact_mark m;
	int64_t gone = 0, rows = 0;
	int n = 0;

	build(f->st);
	assert_int_equal(nx_store__query_int(f->st, "SELECT count(*) FROM article", &rows), 0);
	n = madeup_remove_listed(f->st, 8, 2);
	assert_int_equal(nx_store__query_int(f->st, "SELECT count(*) FROM impact_state WHERE id < 0", &gone), 0);
	print_message("%d of %lld articles removed\n", n, (long long)rows);
	assert_true(gone >= n && gone > rows / NX_IMPACT_GONE_SHARE + 1);
	/* at the limit: the lists serve, with the walk's results */
	nx_impact__set_gone_min(gone);
	assert_int_equal(nx_impact__gone_limit(rows), gone);
	assert_int_equal(nx_impact__mark(f->st->db, &m), 1);
	assert_true(m.ngone == (size_t)gone);
	nx_impact__mark_free(&m);
	assert_true(served_words(f->st, 1) >= 3);
	walk_all(f->st, want);
	check_all(f->st, want);
	/* one past it: no mark, no removal read, every word walks, the same results */
	nx_impact__set_gone_min(gone - 1);
	assert_int_equal(nx_impact__mark(f->st->db, &m), 0);
	assert_true(m.gone == NULL && m.ngone == 0);
	nx_impact__mark_free(&m);
	assert_int_equal(served_words(f->st, 1), 0);
	assert_int_equal(served_words(f->st, ROWS / 2), 0);
	check_all(f->st, want);
	/* made again: no removal left, the lists serve under the lowered limit */
	build(f->st);
	assert_true(served_words(f->st, 1) >= 3);
	check_all(f->st, want);
	/* the compiled limit: far above this index's removals */
	nx_impact__set_gone_min(0);
	assert_int_equal(nx_impact__gone_limit(rows), NX_IMPACT_GONE_MIN);
}

/* A small load: the lists stay.  Too few articles for any list: none made, any earlier ones dropped. */
static void test_small_index_none(void **state)
{
	fixture *f = *state;
	nx_error err = NX_ERROR_INIT;
	int64_t left = -1;

	build(f->st);
	assert_int_equal(served(f->st, 0, 1), 1);
	/* a load of a few articles into a larger index: the lists are left as they are */
	assert_int_equal(nx_search_impact_build(f->st, 10, &err), NX_OK);
	assert_int_equal(served(f->st, 0, 1), 1);
	assert_int_equal(nx_search_impact_build(f->st, -1, &err), NX_OK); /* 50,000 rows a word */
	assert_int_equal(served(f->st, 0, 1), 0);
	assert_int_equal(nx_store__query_int(f->st, "SELECT count(*) FROM sqlite_master WHERE name LIKE 'impact%'",
					     &left),
			 0);
	assert_int_equal(left, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_same_as_walk),
		cmocka_unit_test(test_changes_turn_lists_off),
		cmocka_unit_test(test_additions_keep_lists),
		cmocka_unit_test(test_reused_rowid),
		cmocka_unit_test(test_removals_keep_lists),
		cmocka_unit_test(test_removals_past_limit),
		cmocka_unit_test(test_notes_from_tokens),
		cmocka_unit_test(test_additions_past_bound_walk),
		cmocka_unit_test(test_small_index_none),
	};

	return cmocka_run_group_tests(tests, setup, madeup_teardown);
}

/*
 * test_suggest.c - "did you mean" (issue 18, item 10): the edit cost,
 * the words the index counts as written, and suggestions drawn from a
 * tiny vocabulary: whole words (never stems), names preferred for a word
 * typed with a capital, corrections beside words that are right, words of
 * removed articles no longer offered, and an index made before the
 * vocabulary table upgraded by its first writer.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "newsidx/search.h"
#include "newsidx/store.h"
#include "index/store_private.h"
#include "search/search_private.h"
#include "tmpdir.h"

#define T0 1625708520

typedef struct fixture {
	char dir[64];
	char path[128];
	nx_store *st;
	char id_reagan[17];
} fixture;

static void put(nx_store *st, int i, const char *title, const char *body, char id[17])
{
	nx_article *a = nx_article_new();
	nx_error err = NX_ERROR_INIT;
	char url[64];
	int status = 0;

	snprintf(url, sizeof(url), "https://example.com/s%d", i);
	nx_article_set(&a->url, url, -1);
	nx_article_set(&a->title, title, -1);
	nx_article_add_para(a, body, -1);
	a->published.set = 1;
	a->published.utc = T0 + i * 60;
	a->captured = a->published;
	if (nx_article_identify(a, &err) != NX_OK || nx_store_put(st, a, &status, &err) != NX_OK)
		fail_msg("put: %s", err.msg);
	if (id != NULL)
		snprintf(id, 17, "%s", a->id);
	nx_article_free(a);
}

/*
 * The vocabulary: "teacher" (lower case) more often than "Thatcher" (a
 * name); "government" often; "Reagan" in one article only; "suppression",
 * whose stem "suppress" is never written.
 */
static int setup(void **state)
{
	fixture *f = calloc(1, sizeof(*f));
	nx_error err = NX_ERROR_INIT;
	int i = 0;

	if (f == NULL)
		return -1;
	snprintf(f->dir, sizeof(f->dir), "/tmp/nx-test-suggest-XXXXXX");
	if (mkdtemp(f->dir) == NULL)
		return -1;
	snprintf(f->path, sizeof(f->path), "%s/index.db", f->dir);
	if (nx_store_open(&f->st, f->path, NX_STORE_WRITE, &err) != NX_OK)
		return -1;
	for (i = 0; i < 4; i++)
		put(f->st, i, "Schools hire",
		    "The teacher said every teacher in town wants a pay rise from the government.", NULL);
	for (i = 4; i < 7; i++)
		put(f->st, i, "Thatcher visits", "Mrs Thatcher praised government spending on schools.", NULL);
	put(f->st, 7, "Reagan speaks", "President Reagan spoke about the suppression of dissent.", f->id_reagan);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	fixture *f = *state;

	nx_store_close(f->st);
	tmpdir_remove(f->dir);
	free(f);
	return 0;
}

static void edit_cost(void **state)
{
	(void)state;
	/* half edits: 2 an edit, 1 a vowel for a vowel or a doubled letter */
	assert_int_equal(nx_search__edit_cost("brwon", 5, "brown", 5, 4), 2);    /* swapped */
	assert_int_equal(nx_search__edit_cost("reagen", 6, "reagan", 6, 4), 1);  /* e for a */
	assert_int_equal(nx_search__edit_cost("acused", 6, "accused", 7, 4), 1); /* c undoubled */
	assert_int_equal(nx_search__edit_cost("thacher", 7, "thatcher", 8, 4), 2);
	assert_int_equal(nx_search__edit_cost("thacher", 7, "teacher", 7, 4), 2);
	assert_int_equal(nx_search__edit_cost("volcer", 6, "volcker", 7, 4), 2);
	assert_int_equal(nx_search__edit_cost("spending", 8, "spending", 8, 4), 0);
	assert_int_equal(nx_search__edit_cost("abcdef", 6, "uvwxyz", 6, 4), 5);  /* over max */
	assert_int_equal(nx_search__edit_cost("ab", 2, "abcdefgh", 8, 4), 5);    /* lengths too far apart */
}

typedef struct words {
	char w[8][16];
	int cap[8];
	int n;
} words;

static void collect(void *ctx, const char *w, size_t n, int capital)
{
	words *ws = ctx;

	if (ws->n < 8 && n < 16) {
		memcpy(ws->w[ws->n], w, n);
		ws->w[ws->n][n] = '\0';
		ws->cap[ws->n++] = capital;
	}
}

static void split_words(void **state)
{
	const char *s = "Thatcher met the TEACHER in 1987\xE2\x80\x99s caf\xC3\xA9 \xE2\x80\x9C" "b2b\xE2\x80\x9D x";
	words ws;

	(void)state;
	memset(&ws, 0, sizeof(ws));
	nx_vocab_split(s, strlen(s), collect, &ws);
	/* digits, one-letter words and punctuation (a curly quote) are no words */
	assert_int_equal(ws.n, 6);
	assert_string_equal(ws.w[0], "thatcher");
	assert_int_equal(ws.cap[0], 1);
	assert_string_equal(ws.w[1], "met");
	assert_string_equal(ws.w[2], "the");
	assert_string_equal(ws.w[3], "teacher");
	assert_int_equal(ws.cap[3], 0); /* all capitals: a headline, not a name */
	assert_string_equal(ws.w[4], "in");
	assert_string_equal(ws.w[5], "caf\xC3\xA9");
}

/* The first suggestion for query, or "" when none. */
static void expect(nx_store *st, const char *query, const char *want)
{
	nx_search_opts o = NX_SEARCH_OPTS_INIT;
	nx_results *r = NULL;
	nx_error err = NX_ERROR_INIT;

	if (nx_search(&r, st, query, &o, &err) != NX_OK)
		fail_msg("search '%s': %s", query, err.msg);
	if (strcmp(r->suggestion != NULL ? r->suggestion : "", want) != 0)
		fail_msg("'%s': suggested '%s', wanted '%s'", query, r->suggestion != NULL ? r->suggestion : "",
			 want);
	if (r->suggestion != NULL) {
		assert_true(r->nsuggestions >= 1);
		assert_string_equal(r->suggestions[0], r->suggestion);
	}
	nx_results_free(r);
}

static void suggestions(void **state)
{
	fixture *f = *state;

	expect(f->st, "Thacher", "thatcher"); /* a name for a capital */
	expect(f->st, "thacher", "teacher");                                /* else the commoner word */
	expect(f->st, "Goverment spending", "government spending");         /* beside a right word */
	expect(f->st, "Reagen", "reagan");
	expect(f->st, "supression", "suppression");                         /* a word, not its stem */
	expect(f->st, "government spending", "");                           /* nothing to correct */
	expect(f->st, "zzyzx", "");                                         /* nothing near */
}

static void removed_words_go(void **state)
{
	fixture *f = *state;
	nx_error err = NX_ERROR_INIT;
	char id[17];

	expect(f->st, "Reagen", "reagan");
	assert_int_equal(nx_store_remove(f->st, f->id_reagan, id, &err), NX_OK);
	expect(f->st, "Reagen", "");
}

static void old_index_upgraded(void **state)
{
	fixture *f = *state;
	nx_error err = NX_ERROR_INIT;
	nx_store *ro = NULL;

	/* an index as made before the table: neither table nor mark */
	assert_int_equal(nx_store__exec(f->st, "DROP TABLE vocab_block; DELETE FROM meta WHERE key = 'vocab'", &err, "x"),
			 NX_OK);
	nx_store_close(f->st);
	f->st = NULL;
	assert_int_equal(nx_store_open(&ro, f->path, NX_STORE_READ, &err), NX_OK);
	expect(ro, "Reagen", ""); /* a reader cannot make it: no suggestion, no failure */
	nx_store_close(ro);
	assert_int_equal(nx_store_open(&f->st, f->path, NX_STORE_WRITE, &err), NX_OK);
	assert_int_equal(nx_store__vocab_ready(f->st), 1);
	expect(f->st, "Reagen", "reagan");
	expect(f->st, "Thacher", "thatcher");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(edit_cost),
		cmocka_unit_test(split_words),
		cmocka_unit_test_setup_teardown(suggestions, setup, teardown),
		cmocka_unit_test_setup_teardown(removed_words_go, setup, teardown),
		cmocka_unit_test_setup_teardown(old_index_upgraded, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

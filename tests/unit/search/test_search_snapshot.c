/*
 * test_search_snapshot.c - a search reads one snapshot of the index
 * (issue 16, item 1): with a writer removing, updating and re-adding
 * articles in another process, 1,000 searches and similar look-ups through
 * the library all succeed, and each result is consistent in itself (with
 * nothing folded, the hits shown are exactly the total when it fits in the
 * page).  Before, a hit removed or updated between the statement that
 * chose it and the one that read it failed the whole search ("cannot read
 * a search hit").
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <ftw.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "newsidx/search.h"
#include "newsidx/store.h"

#define NART 120
#define T0 1625708520

static int rm_entry(const char *p, const struct stat *sb, int flag, struct FTW *ftw)
{
	(void)sb;
	(void)flag;
	(void)ftw;
	return remove(p);
}

/* Article i, version v: every one holds "common"; the version changes the body. */
static nx_article *mk(int i, int v)
{
	nx_article *a = nx_article_new();
	nx_error err = NX_ERROR_INIT;
	char url[64], title[64], body[256];

	snprintf(url, sizeof(url), "https://example.com/a%d", i);
	snprintf(title, sizeof(title), "Common story number %d", i);
	snprintf(body, sizeof(body),
		 "This common report number %d says harbour cranes moved %d containers in version %d.", i,
		 i * 7 + v, v);
	nx_article_set(&a->url, url, -1);
	nx_article_set(&a->title, title, -1);
	nx_article_set(&a->source, "Example Wire", -1);
	nx_article_add_para(a, body, -1);
	a->published.set = 1;
	a->published.has_time = 1;
	a->published.utc = T0 + i * 60;
	a->captured = a->published;
	if (nx_article_identify(a, &err) != NX_OK)
		fail_msg("identify: %s", err.msg);
	return a;
}

static void put(nx_store *st, int i, int v)
{
	nx_article *a = mk(i, v);
	nx_error err = NX_ERROR_INIT;
	int status = 0;

	if (nx_store_put(st, a, &status, &err) != NX_OK)
		fail_msg("put: %s", err.msg);
	nx_article_free(a);
}

/* The writer: remove an article, put it back in a new version, over and over. */
static void writer(const char *path)
{
	nx_store *st = NULL;
	nx_error err = NX_ERROR_INIT;
	int v = 1;

	if (nx_store_open(&st, path, NX_STORE_WRITE, &err) != NX_OK)
		_exit(2);
	for (;;) {
		int i = (v * 37) % NART;
		char url[64];

		snprintf(url, sizeof(url), "https://example.com/a%d", i);
		nx_error_clear(&err);
		nx_store_remove(st, url, NULL, &err);
		put(st, i, v);
		if (v % 3 == 0)
			put(st, (i + 1) % NART, v); /* an update in place */
		v++;
	}
}

static void test_searches_beside_a_writer(void **state)
{
	char dir[64], path[128];
	nx_store *st = NULL;
	nx_error err = NX_ERROR_INIT;
	pid_t pid = 0;
	int i = 0, status = 0, checked = 0;

	(void)state;
	snprintf(dir, sizeof(dir), "/tmp/nx-test-snapshot-XXXXXX");
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/index.db", dir);
	assert_int_equal(nx_store_open(&st, path, NX_STORE_WRITE, &err), NX_OK);
	for (i = 0; i < NART; i++)
		put(st, i, 0);
	nx_store_close(st);
	st = NULL;
	assert_int_equal(nx_store_open(&st, path, NX_STORE_READ, &err), NX_OK);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0)
		writer(path);
	for (i = 0; i < 1000; i++) {
		nx_search_opts o = NX_SEARCH_OPTS_INIT;
		nx_results *r = NULL;
		int rc = 0;

		o.collapse = 0;
		o.relax = 0;
		o.limit = i % 10 == 0 ? 200 : 20;
		o.offset = i % 7 == 3 ? 5 : 0;
		if (i % 50 == 25) {
			rc = nx_search_similar(&r, st, "https://example.com/a5", &o, &err);
			if (rc == NX_ENOTFOUND)
				continue; /* removed at that moment: a fair answer */
		} else {
			rc = nx_search(&r, st, i % 2 == 0 ? "common" : "harbour cranes", &o, &err);
		}
		if (rc != NX_OK) {
			kill(pid, SIGKILL);
			waitpid(pid, &status, 0);
			fail_msg("search %d: %s", i, err.msg);
		}
		if (i % 50 != 25) {
			int64_t want = r->total - o.offset;

			if (want > o.limit)
				want = o.limit;
			if (want < 0)
				want = 0;
			if ((int64_t)r->nhits != want) {
				kill(pid, SIGKILL);
				waitpid(pid, &status, 0);
				fail_msg("search %d: total %lld, offset %d, limit %d, but %zu hits", i, (long long)r->total,
					 o.offset, o.limit, r->nhits);
			}
			checked++;
		}
		nx_results_free(r);
	}
	kill(pid, SIGKILL);
	waitpid(pid, &status, 0);
	nx_store_close(st);
	nftw(dir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
	assert_true(checked >= 900);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_searches_beside_a_writer),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

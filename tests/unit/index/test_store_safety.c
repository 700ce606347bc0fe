/*
 * test_store_safety.c - the store's library errors and hostile paths:
 * an index path that is a FIFO or a folder, a NULL error argument, a
 * failed revision-number step, and many indexes open in one process.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <ftw.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "newsidx/store.h"
#include "index/store_private.h"

typedef struct fixture {
	char dir[64];
	char path[128]; /* dir/index.db (not created yet) */
} fixture;

static int rm_entry(const char *p, const struct stat *sb, int flag, struct FTW *ftw)
{
	(void)sb;
	(void)flag;
	(void)ftw;
	return remove(p);
}

static int setup(void **state)
{
	fixture *f = calloc(1, sizeof(*f));

	if (f == NULL)
		return -1;
	snprintf(f->dir, sizeof(f->dir), "/tmp/nx-test-safety-XXXXXX");
	if (mkdtemp(f->dir) == NULL)
		return -1;
	snprintf(f->path, sizeof(f->path), "%s/index.db", f->dir);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	fixture *f = *state;

	nftw(f->dir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
	free(f);
	return 0;
}

/* An article with a URL (its id made from it), a body and an updated time (0: none). */
static nx_article *mk(const char *url, const char *body, int64_t updated)
{
	nx_article *a = nx_article_new();
	nx_error err = NX_ERROR_INIT;

	assert_non_null(a);
	nx_article_set(&a->url, url, -1);
	nx_article_set(&a->title, "Safety", -1);
	nx_article_set(&a->source, "Test Wire", -1);
	nx_article_add_para(a, body, -1);
	a->captured.set = a->captured.has_time = 1;
	a->captured.utc = 1700000000;
	if (updated != 0) {
		a->updated.set = a->updated.has_time = 1;
		a->updated.utc = updated;
	}
	if (nx_article_identify(a, &err) != NX_OK)
		fail_msg("identify: %s", err.msg);
	return a;
}

/* --db naming a FIFO: refused at once with a clear error, for reading and writing (no hang). */
static void test_open_fifo_refused(void **state)
{
	fixture *f = *state;
	nx_store *st = NULL;
	nx_error err = NX_ERROR_INIT;
	unsigned flags[2] = { NX_STORE_READ, NX_STORE_WRITE };
	int i = 0;

	assert_int_equal(mkfifo(f->path, 0644), 0);
	for (i = 0; i < 2; i++) {
		alarm(20); /* a hang fails the test */
		assert_int_equal(nx_store_open(&st, f->path, flags[i], &err), NX_EDB);
		alarm(0);
		assert_null(st);
		assert_non_null(strstr(err.msg, "not a regular file"));
		assert_non_null(strstr(err.msg, f->path));
	}
	/* a folder too */
	assert_int_equal(unlink(f->path), 0);
	assert_int_equal(mkdir(f->path, 0755), 0);
	for (i = 0; i < 2; i++) {
		assert_int_equal(nx_store_open(&st, f->path, flags[i], &err), NX_EDB);
		assert_null(st);
		assert_non_null(strstr(err.msg, "not a regular file"));
	}
}

/* The header allows err NULL: a failing put returns its code instead of crashing. */
static void test_put_null_err(void **state)
{
	fixture *f = *state;
	nx_store *st = NULL;
	nx_error err = NX_ERROR_INIT;
	nx_article *a = mk("https://example.com/a", "Text of a.", 0);
	int status = 0;

	assert_int_equal(nx_store_open(&st, f->path, NX_STORE_WRITE, &err), NX_OK);
	assert_int_equal(nx_store_begin(st, &err), NX_OK);
	/* the article table gone: the first statement cannot be prepared */
	assert_int_equal(sqlite3_exec(st->db, "ALTER TABLE article RENAME TO gone", NULL, NULL, NULL), SQLITE_OK);
	assert_true(nx_store_put(st, a, &status, NULL) < 0);
	nx_store_rollback(st);
	nx_store_close(st);
	nx_article_free(a);
}

/*
 * A failure while reading the next revision number is an error, not
 * revision 1 again (which would give the new version the number its
 * predecessor keeps as a revision).
 */
static void test_next_rev_failure(void **state)
{
	fixture *f = *state;
	nx_store *st = NULL;
	nx_error err = NX_ERROR_INIT;
	nx_article *v1 = mk("https://example.com/v", "First version.", 1700000100);
	nx_article *v2 = mk("https://example.com/v", "Second version.", 1700000200);
	int status = 0;

	assert_int_equal(nx_store_open(&st, f->path, NX_STORE_WRITE, &err), NX_OK);
	assert_int_equal(nx_store_begin(st, &err), NX_OK);
	assert_int_equal(nx_store_put(st, v1, &status, &err), NX_OK);
	assert_int_equal(status, NX_PUT_ADDED);
	/* the cached statement replaced by one that fails when stepped (integer overflow) */
	assert_non_null(nx_store__stmt(st, NX_STMT_NEXT_REV, &err));
	sqlite3_finalize(st->stmt[NX_STMT_NEXT_REV]);
	st->stmt[NX_STMT_NEXT_REV] = NULL;
	assert_int_equal(sqlite3_prepare_v2(st->db, "SELECT abs(-9223372036854775807 - 1)", -1,
					    &st->stmt[NX_STMT_NEXT_REV], NULL),
			 SQLITE_OK);
	nx_error_clear(&err);
	assert_true(nx_store_put(st, v2, &status, &err) < 0);
	assert_non_null(strstr(err.msg, "revision"));
	nx_store_rollback(st);
	nx_store_close(st);
	nx_article_free(v1);
	nx_article_free(v2);
}

/* meta 'langs' as stored. */
static void stored_langs(nx_store *st, char *out, size_t n)
{
	sqlite3_stmt *s = NULL;

	out[0] = '\0';
	assert_int_equal(sqlite3_prepare_v2(st->db, "SELECT value FROM meta WHERE key = 'langs'", -1, &s, NULL),
			 SQLITE_OK);
	if (sqlite3_step(s) == SQLITE_ROW)
		snprintf(out, n, "%s", (const char *)sqlite3_column_text(s, 0));
	sqlite3_finalize(s);
}

/*
 * The index languages are saved through a bound statement, and a failed
 * save is not remembered as done: the next article in that language
 * saves it.
 */
static void test_langs_saved_after_failure(void **state)
{
	fixture *f = *state;
	nx_store *st = NULL;
	nx_error err = NX_ERROR_INIT;
	nx_article *en = mk("https://example.com/en", "An English story.", 0);
	nx_article *de = mk("https://example.com/de", "Eine deutsche Geschichte.", 0);
	char langs[300];
	int status = 0;

	nx_article_set(&en->lang, "en", -1);
	nx_article_set(&de->lang, "de", -1);
	assert_int_equal(nx_store_open(&st, f->path, NX_STORE_WRITE, &err), NX_OK);
	assert_int_equal(nx_store_begin(st, &err), NX_OK);
	assert_int_equal(nx_store_put(st, en, &status, &err), NX_OK);
	assert_int_equal(nx_store_commit(st, &err), NX_OK);
	/* saving the languages fails once */
	assert_int_equal(sqlite3_exec(st->db,
				      "CREATE TEMP TRIGGER no_langs BEFORE INSERT ON main.meta WHEN new.key = 'langs'"
				      " BEGIN SELECT RAISE(ABORT, 'refused'); END",
				      NULL, NULL, NULL),
			 SQLITE_OK);
	assert_int_equal(nx_store_begin(st, &err), NX_OK);
	assert_true(nx_store_put(st, de, &status, &err) < 0);
	nx_store_rollback(st);
	assert_int_equal(sqlite3_exec(st->db, "DROP TRIGGER no_langs", NULL, NULL, NULL), SQLITE_OK);
	assert_int_equal(nx_store_begin(st, &err), NX_OK);
	assert_int_equal(nx_store_put(st, de, &status, &err), NX_OK);
	assert_int_equal(nx_store_commit(st, &err), NX_OK);
	stored_langs(st, langs, sizeof(langs));
	assert_string_equal(langs, "en,de");
	nx_store_close(st);
	nx_article_free(en);
	nx_article_free(de);
}

/* Two undated articles without URL, one headline, two bodies: two articles. */
static void test_undated_same_headline(void **state)
{
	fixture *f = *state;
	nx_store *st = NULL;
	nx_error err = NX_ERROR_INIT;
	nx_article *a = nx_article_new(), *b = nx_article_new(), *got = NULL;
	int status = 0;

	nx_article_set(&a->title, "Weather forecast", -1);
	nx_article_add_para(a, "Rain is expected in the north.", -1);
	nx_article_set(&b->title, "Weather forecast", -1);
	nx_article_add_para(b, "Sunshine for the south.", -1);
	assert_int_equal(nx_article_identify(a, &err), NX_OK);
	assert_int_equal(nx_article_identify(b, &err), NX_OK);
	assert_string_not_equal(a->id, b->id);
	assert_int_equal(nx_store_open(&st, f->path, NX_STORE_WRITE, &err), NX_OK);
	assert_int_equal(nx_store_begin(st, &err), NX_OK);
	assert_int_equal(nx_store_put(st, a, &status, &err), NX_OK);
	assert_int_equal(status, NX_PUT_ADDED);
	assert_int_equal(nx_store_put(st, b, &status, &err), NX_OK);
	assert_int_equal(status, NX_PUT_ADDED);
	assert_int_equal(nx_store_commit(st, &err), NX_OK);
	assert_int_equal(nx_store_get(&got, st, a->id, &err), NX_OK);
	assert_string_equal(got->paras[0], "Rain is expected in the north.");
	nx_article_free(got);
	nx_store_close(st);
	nx_article_free(a);
	nx_article_free(b);
}

/* The origin shown is a file that gave the current text, not the first file seen. */
static void test_origin_of_current_text(void **state)
{
	fixture *f = *state;
	nx_store *st = NULL;
	nx_error err = NX_ERROR_INIT;
	nx_article *v1 = mk("https://example.com/o", "Old text.", 1700000100);
	nx_article *v2 = mk("https://example.com/o", "New text.", 1700000200);
	nx_article *got = NULL;
	int status = 0;

	nx_article_set(&v1->origin.path, "/archive/old.txt", -1);
	nx_article_set(&v2->origin.path, "/archive/new.txt", -1);
	v1->origin.offset = v2->origin.offset = -1;
	assert_int_equal(nx_store_open(&st, f->path, NX_STORE_WRITE, &err), NX_OK);
	assert_int_equal(nx_store_begin(st, &err), NX_OK);
	assert_int_equal(nx_store_put(st, v1, &status, &err), NX_OK);
	assert_int_equal(nx_store_put(st, v2, &status, &err), NX_OK);
	assert_int_equal(status, NX_PUT_UPDATED);
	assert_int_equal(nx_store_commit(st, &err), NX_OK);
	assert_int_equal(nx_store_get(&got, st, v2->id, &err), NX_OK);
	assert_string_equal(got->paras[0], "New text.");
	assert_string_equal(got->origin.path, "/archive/new.txt");
	nx_article_free(got);
	nx_store_close(st);
	nx_article_free(v1);
	nx_article_free(v2);
}

#define MANY 40
#define MANY_BODIES 160

/* Make index i in a child process (its dictionary registered there only). */
static void make_index(const char *path, int i)
{
	pid_t pid = fork();
	int wst = 0;

	assert_true(pid >= 0);
	if (pid == 0) {
		nx_store *st = NULL;
		nx_error err = NX_ERROR_INIT;
		int k = 0, status = 0, rc = 0;

		rc = nx_store_open(&st, path, NX_STORE_WRITE, &err) < 0 || nx_store_begin(st, &err) < 0;
		for (k = 0; k < MANY_BODIES && rc == 0; k++) {
			char url[96], body[512];
			nx_article *a = NULL;

			snprintf(url, sizeof(url), "https://example.com/%d/%d", i, k);
			snprintf(body, sizeof(body),
				 "Index %d writes story %d about the harbour%d committee%d and the river%d "
				 "council, whose members%d met on the quay%d to discuss the bridge%d plans "
				 "for the coming season%d again and again.",
				 i, k, i, i * 7, i * 13, i, i * 3, i * 11, i);
			a = mk(url, body, 0);
			rc = nx_store_put(st, a, &status, &err) < 0;
			nx_article_free(a);
			/* the dictionary is made at this commit: the later bodies need it */
			if (k == MANY_BODIES - 20 && rc == 0)
				rc = nx_store_commit(st, &err) < 0 || nx_store_begin(st, &err) < 0;
		}
		if (rc == 0)
			rc = nx_store_commit(st, &err) < 0;
		nx_store_close(st);
		_exit(rc);
	}
	assert_int_equal(waitpid(pid, &wst, 0), pid);
	assert_true(WIFEXITED(wst) && WEXITSTATUS(wst) == 0);
}

/* 40 indexes with 40 dictionaries, open together in one process: every body readable. */
static void test_many_indexes(void **state)
{
	fixture *f = *state;
	nx_store *st[MANY];
	nx_error err = NX_ERROR_INIT;
	char path[MANY][128];
	int i = 0;

	for (i = 0; i < MANY; i++) {
		snprintf(path[i], sizeof(path[i]), "%s/i%d.db", f->dir, i);
		make_index(path[i], i);
	}
	for (i = 0; i < MANY; i++)
		if (nx_store_open(&st[i], path[i], NX_STORE_READ, &err) != NX_OK)
			fail_msg("open %d: %s", i, err.msg);
	for (i = 0; i < MANY; i++) {
		char url[96];
		nx_article *a = NULL;

		/* its own dictionary, made from its own bodies */
		assert_int_equal(sqlite3_exec(st[i]->db, "SELECT 1 FROM zdict", NULL, NULL, NULL), SQLITE_OK);
		assert_non_null(atomic_load(&st[i]->zdict));
		snprintf(url, sizeof(url), "https://example.com/%d/%d", i, MANY_BODIES - 1);
		if (nx_store_get(&a, st[i], url, &err) != NX_OK)
			fail_msg("index %d: %s", i, err.msg);
		assert_non_null(strstr(a->paras[0], "Index"));
		nx_article_free(a);
	}
	for (i = 0; i < MANY; i++)
		nx_store_close(st[i]);
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_open_fifo_refused),
		T(test_put_null_err),
		T(test_next_rev_failure),
		T(test_langs_saved_after_failure),
		T(test_undated_same_headline),
		T(test_origin_of_current_text),
		T(test_many_indexes),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

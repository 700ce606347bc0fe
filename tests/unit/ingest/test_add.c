/*
 * test_add.c - nx_add_run: the bulk loader's counts, callbacks, and its
 * commits inside a large file.
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

#include "newsidx/add.h"
#include "index/store_private.h"

typedef struct fixture {
	char dir[64];
	char db[96];
	char file[96];
	nx_store *st;
	long articles, failures, files;
	long seen_by_reader[16]; /* articles a second connection sees at each article */
	long probe_at, seen_at_probe; /* and at article probe_at (counted from 1) */
} fixture;

static int setup(void **state)
{
	fixture *f = calloc(1, sizeof(*f));
	nx_error err = NX_ERROR_INIT;

	if (f == NULL)
		return -1;
	snprintf(f->dir, sizeof(f->dir), "/tmp/nx-add-XXXXXX");
	if (mkdtemp(f->dir) == NULL)
		return -1;
	snprintf(f->db, sizeof(f->db), "%s/index.db", f->dir);
	snprintf(f->file, sizeof(f->file), "%s/wire.jsonl", f->dir);
	if (nx_store_open(&f->st, f->db, NX_STORE_WRITE, &err) < 0)
		return -1;
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	fixture *f = *state;
	char cmd[160];

	nx_store_close(f->st);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", f->dir);
	if (system(cmd) != 0)
		return -1;
	free(f);
	return 0;
}

/* n JSON Lines articles with distinct URLs in one file. */
static void write_jsonl(const char *path, int n)
{
	FILE *fp = fopen(path, "w");
	int i = 0;

	assert_non_null(fp);
	for (i = 0; i < n; i++)
		fprintf(fp,
			"{\"url\":\"https://example.org/story/%d\",\"title\":\"Harbour vote %d\","
			"\"published\":\"2024-03-%02dT10:00:00Z\",\"text\":\"Dock workers voted on day %d.\"}\n",
			i, i, i % 28 + 1, i);
	fclose(fp);
}

static long count_from_reader(const char *db)
{
	nx_store *rd = NULL;
	nx_error err = NX_ERROR_INIT;
	nx_stats s;

	if (nx_store_open(&rd, db, NX_STORE_READ, &err) < 0)
		return -1;
	memset(&s, 0, sizeof(s));
	if (nx_store_stats(&s, rd, &err) < 0)
		s.articles = -1;
	nx_store_close(rd);
	return (long)s.articles;
}

static void on_article(const nx_article *a, const char *file, int status, void *ctx)
{
	fixture *f = ctx;

	(void)file;
	assert_non_null(a->id);
	assert_int_equal(status, NX_PUT_ADDED);
	if (f->articles < 16)
		f->seen_by_reader[f->articles] = count_from_reader(f->db);
	f->articles++;
}

static void on_failure(const char *file, const char *reason, void *ctx)
{
	fixture *f = ctx;

	(void)file;
	(void)reason;
	f->failures++;
}

static void on_file(const nx_add_stats *s, void *ctx)
{
	fixture *f = ctx;

	f->files = s->files;
}

/* A file of 10 articles with batches of 3: three commits happen inside the file. */
static void test_commits_inside_a_file(void **state)
{
	fixture *f = *state;
	nx_add_opts o = NX_ADD_OPTS_INIT;
	nx_add_stats s;
	nx_error err = NX_ERROR_INIT;
	char *paths[1];

	write_jsonl(f->file, 10);
	paths[0] = f->file;
	o.on_article = on_article;
	o.on_failure = on_failure;
	o.on_file = on_file;
	o.ctx = f;
	o.batch_articles = 3;
	assert_int_equal(nx_add_run(&s, f->st, paths, 1, &o, &err), NX_OK);
	assert_int_equal(s.added, 10);
	assert_int_equal(s.files, 1);
	assert_int_equal(s.failed, 0);
	assert_int_equal(f->articles, 10);
	assert_int_equal(f->files, 1);
	/* before the first commit a reader sees nothing; after the third article, 3 */
	assert_int_equal(f->seen_by_reader[0], 0);
	assert_int_equal(f->seen_by_reader[3], 3);
	assert_int_equal(f->seen_by_reader[6], 6);
	assert_int_equal(f->seen_by_reader[9], 9);
	assert_int_equal(count_from_reader(f->db), 10);
}

/* The same file again: unchanged; a missing file: one failure, the batch goes on. */
static void test_again_and_missing(void **state)
{
	fixture *f = *state;
	nx_add_opts o = NX_ADD_OPTS_INIT;
	nx_add_stats s;
	nx_error err = NX_ERROR_INIT;
	char missing[128];
	char *paths[2];

	write_jsonl(f->file, 4);
	snprintf(missing, sizeof(missing), "%s/absent.txt", f->dir);
	paths[0] = missing;
	paths[1] = f->file;
	o.on_failure = on_failure;
	o.ctx = f;
	assert_int_equal(nx_add_run(&s, f->st, paths, 2, &o, &err), NX_OK);
	assert_int_equal(s.added, 4);
	assert_int_equal(s.failed, 1);
	assert_int_equal(f->failures, 1);
	assert_int_equal(nx_add_run(&s, f->st, paths + 1, 1, NULL, &err), NX_OK);
	assert_int_equal(s.added, 0);
	assert_int_equal(s.unchanged, 4);
}

static long vocab_n(nx_store *st, const char *w)
{
	sqlite3_stmt *s = NULL;
	long n = -1;

	assert_int_equal(sqlite3_prepare_v2(st->db, "SELECT n FROM vocab WHERE w = ?1", -1, &s, NULL), SQLITE_OK);
	sqlite3_bind_text(s, 1, w, -1, SQLITE_STATIC);
	n = sqlite3_step(s) == SQLITE_ROW ? (long)sqlite3_column_int64(s, 0) : 0;
	sqlite3_finalize(s);
	return n;
}

/*
 * The words of "did you mean" are counted on the parsing thread and
 * handed over with each transaction: every written article once, across
 * commits inside a file; articles read again unchanged not at all.
 */
static void test_words_counted_once(void **state)
{
	fixture *f = *state;
	char more[128];
	char *paths[3] = { f->file, more, f->file };
	nx_add_opts o = NX_ADD_OPTS_INIT;
	nx_error err = NX_ERROR_INIT;
	nx_add_stats s;

	snprintf(more, sizeof(more), "%s/more.jsonl", f->dir);
	write_jsonl(more, 13); /* the 10 of the first file and 3 new */
	write_jsonl(f->file, 10);
	o.batch_articles = 3;
	assert_int_equal(nx_add_run(&s, f->st, paths, 1, &o, &err), NX_OK);
	assert_int_equal(vocab_n(f->st, "harbour"), 10);
	assert_int_equal(vocab_n(f->st, "dock"), 10);
	paths[0] = more; /* more, file, more */
	paths[1] = f->file;
	paths[2] = more;
	assert_int_equal(nx_add_run(&s, f->st, paths, 3, &o, &err), NX_OK);
	assert_int_equal(s.added, 3);
	assert_int_equal(s.unchanged, 33);
	assert_int_equal(vocab_n(f->st, "harbour"), 13);
	assert_int_equal(vocab_n(f->st, "workers"), 13);
	assert_int_equal(vocab_n(f->st, "voted"), 13);
}

static void on_article_probe(const nx_article *a, const char *file, int status, void *ctx)
{
	fixture *f = ctx;

	(void)a;
	(void)file;
	(void)status;
	if (++f->articles == f->probe_at)
		f->seen_at_probe = count_from_reader(f->db);
}

/* Add file with batch (0: the default), a reader counting at article probe_at. */
static nx_add_stats add_probed(fixture *f, char *file, long batch, long probe_at)
{
	nx_add_opts o = NX_ADD_OPTS_INIT;
	nx_add_stats s;
	nx_error err = NX_ERROR_INIT;

	o.on_article = on_article_probe;
	o.ctx = f;
	o.batch_articles = batch;
	f->articles = 0;
	f->seen_at_probe = -1;
	f->probe_at = probe_at;
	assert_int_equal(nx_add_run(&s, f->st, &file, 1, &o, &err), NX_OK);
	return s;
}

/*
 * Into an empty index, the first transaction holds up to
 * NX_ADD_FIRST_BATCH articles: a reader sees none of 8,600 until the end
 * (with NX_ADD_BATCH_ARTICLES, 8,000 from the 8,000th on).  Into an index
 * that has articles, and with a batch the caller sets, commits come every
 * batch as before.
 */
static void test_first_transaction_of_a_new_archive(void **state)
{
	fixture *f = *state;
	nx_add_stats s;
	char other[128];

	write_jsonl(f->file, NX_ADD_BATCH_ARTICLES + 600);
	s = add_probed(f, f->file, 0, NX_ADD_BATCH_ARTICLES + 500);
	assert_int_equal(s.added, NX_ADD_BATCH_ARTICLES + 600);
	assert_int_equal(f->seen_at_probe, 0);
	assert_int_equal(count_from_reader(f->db), NX_ADD_BATCH_ARTICLES + 600);
	/*
	 * The same and as many new ones again: a commit every
	 * NX_ADD_BATCH_ARTICLES articles read, so at the probe the index
	 * holds the first 2 * NX_ADD_BATCH_ARTICLES URLs
	 */
	snprintf(other, sizeof(other), "%s/more.jsonl", f->dir);
	write_jsonl(other, 2 * NX_ADD_BATCH_ARTICLES + 1200);
	s = add_probed(f, other, 0, 2 * NX_ADD_BATCH_ARTICLES + 500);
	assert_int_equal(s.unchanged, NX_ADD_BATCH_ARTICLES + 600);
	assert_int_equal(s.added, NX_ADD_BATCH_ARTICLES + 600);
	assert_int_equal(f->seen_at_probe, 2 * NX_ADD_BATCH_ARTICLES);
}

/* A batch set by the caller is kept for a new archive too. */
static void test_batch_set_by_the_caller(void **state)
{
	fixture *f = *state;
	nx_add_stats s;

	write_jsonl(f->file, 1000);
	s = add_probed(f, f->file, 400, 900);
	assert_int_equal(s.added, 1000);
	assert_int_equal(f->seen_at_probe, 800);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_commits_inside_a_file, setup, teardown),
		cmocka_unit_test_setup_teardown(test_again_and_missing, setup, teardown),
		cmocka_unit_test_setup_teardown(test_words_counted_once, setup, teardown),
		cmocka_unit_test_setup_teardown(test_first_transaction_of_a_new_archive, setup, teardown),
		cmocka_unit_test_setup_teardown(test_batch_set_by_the_caller, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

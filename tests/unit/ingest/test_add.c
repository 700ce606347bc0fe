/*
 * test_add.c - nx_add_run: the bulk loader's counts, callbacks, and its
 * commits inside a large file.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sqlite3.h>

#include "newsidx/add.h"
#include "index/store_private.h"
#include "stories.h"
#include "tmpdir.h"

typedef struct fixture {
	char dir[64];
	char db[96];
	char file[96];
	nx_store *st;
	long articles, failures, files;
	long seen_by_reader[16]; /* articles a second connection sees at each article */
	long probe_at, seen_at_probe; /* and at article probe_at (counted from 1) */
	char mode_at_first[16], mode_at_last[16]; /* the writer's journal at its first and last article */
	long last_at;                 /* the article counted last (from 1) */
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

	nx_store_close(f->st);
	tmpdir_remove(f->dir);
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
		story_line(fp, i, 24, i % 28 + 1, "", "");
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

/* Add file with batch (0: the default), each article seen by cb (f its context). */
static nx_add_stats add_watched(fixture *f, char *file, long batch,
				void (*cb)(const nx_article *, const char *, int, void *))
{
	nx_add_opts o = NX_ADD_OPTS_INIT;
	nx_add_stats s;
	nx_error err = NX_ERROR_INIT;

	o.on_article = cb;
	o.ctx = f;
	o.batch_articles = batch;
	f->articles = 0;
	assert_int_equal(nx_add_run(&s, f->st, &file, 1, &o, &err), NX_OK);
	return s;
}

/* Add file with batch (0: the default), a reader counting at article probe_at. */
static nx_add_stats add_probed(fixture *f, char *file, long batch, long probe_at)
{
	f->seen_at_probe = -1;
	f->probe_at = probe_at;
	return add_watched(f, file, batch, on_article_probe);
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

/* The journal mode of db into out (16 bytes). */
static void journal_mode(sqlite3 *db, char *out)
{
	sqlite3_stmt *q = NULL;

	out[0] = '\0';
	assert_int_equal(sqlite3_prepare_v2(db, "PRAGMA journal_mode", -1, &q, NULL), SQLITE_OK);
	if (sqlite3_step(q) == SQLITE_ROW)
		snprintf(out, 16, "%s", (const char *)sqlite3_column_text(q, 0));
	sqlite3_finalize(q);
}

static void on_article_mode(const nx_article *a, const char *file, int status, void *ctx)
{
	fixture *f = ctx;

	(void)a;
	(void)file;
	(void)status;
	f->articles++;
	if (f->articles == 1)
		journal_mode(f->st->db, f->mode_at_first);
	if (f->articles == f->last_at)
		journal_mode(f->st->db, f->mode_at_last);
}

/* Add file (n articles) with the given batch, noting the writer's journal at the first and the last article. */
static void add_noting_mode(fixture *f, char *file, long n, long batch)
{
	nx_add_stats s;

	f->last_at = n;
	f->mode_at_first[0] = f->mode_at_last[0] = '\0';
	s = add_watched(f, file, batch, on_article_mode);
	assert_int_equal(s.added + s.unchanged, n);
}

static int file_exists(const char *path)
{
	return access(path, F_OK) == 0;
}

/*
 * A new archive's first transaction is written with a rollback journal
 * (each page once), the ones after it with the WAL; the index is in WAL
 * mode when add is done, with no journal left.  An index with articles
 * keeps the WAL throughout.
 */
static void test_first_load_without_wal(void **state)
{
	fixture *f = *state;
	char mode[16], journal[128], other[128];

	write_jsonl(f->file, 40);
	add_noting_mode(f, f->file, 40, 25); /* two transactions: 25, then 15 */
	assert_string_equal(f->mode_at_first, "delete");
	assert_string_equal(f->mode_at_last, "wal");
	journal_mode(f->st->db, mode);
	assert_string_equal(mode, "wal");
	snprintf(journal, sizeof(journal), "%s-journal", f->db);
	assert_false(file_exists(journal));
	assert_int_equal(count_from_reader(f->db), 40);
	/* not empty any more: the WAL from the first article */
	snprintf(other, sizeof(other), "%s/more.jsonl", f->dir);
	write_jsonl(other, 60);
	add_noting_mode(f, other, 60, 0);
	assert_string_equal(f->mode_at_first, "wal");
	assert_int_equal(count_from_reader(f->db), 60);
}

/*
 * Another connection reading the empty index: the journal cannot change,
 * the load goes on in WAL, and the reader keeps its snapshot undisturbed.
 */
static void test_first_load_beside_a_reader(void **state)
{
	fixture *f = *state;
	sqlite3 *rd = NULL;
	sqlite3_stmt *q = NULL;

	assert_int_equal(sqlite3_open_v2(f->db, &rd, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_exec(rd, "BEGIN", NULL, NULL, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_prepare_v2(rd, "SELECT count(*) FROM article", -1, &q, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_step(q), SQLITE_ROW);
	assert_int_equal(sqlite3_column_int(q, 0), 0);
	sqlite3_reset(q);
	write_jsonl(f->file, 30);
	add_noting_mode(f, f->file, 30, 0);
	assert_string_equal(f->mode_at_first, "wal");
	assert_int_equal(sqlite3_step(q), SQLITE_ROW);
	assert_int_equal(sqlite3_column_int(q, 0), 0);
	sqlite3_finalize(q);
	assert_int_equal(sqlite3_exec(rd, "COMMIT", NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(rd);
	assert_int_equal(count_from_reader(f->db), 30);
}

/* A reader that comes during a new archive's first transaction and holds its snapshot past one busy wait. */
typedef struct late_reader {
	sqlite3 *db;
	pthread_t th;
	int running;
	int seen; /* the articles it saw */
} late_reader;

static late_reader late;

static void *late_reader_leaves(void *arg)
{
	late_reader *r = arg;

	sleep(NX_BUSY_MS / 1000 + 1);
	sqlite3_exec(r->db, "COMMIT", NULL, NULL, NULL);
	return NULL;
}

static void on_article_late_reader(const nx_article *a, const char *file, int status, void *ctx)
{
	fixture *f = ctx;
	sqlite3_stmt *q = NULL;

	on_article_mode(a, file, status, ctx);
	if (f->articles != 1)
		return;
	assert_int_equal(sqlite3_open_v2(f->db, &late.db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_exec(late.db, "BEGIN", NULL, NULL, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_prepare_v2(late.db, "SELECT count(*) FROM article", -1, &q, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_step(q), SQLITE_ROW);
	late.seen = sqlite3_column_int(q, 0);
	sqlite3_finalize(q);
	assert_int_equal(pthread_create(&late.th, NULL, late_reader_leaves, &late), 0);
	late.running = 1;
}

/*
 * A reader that opens the index during the first transaction (after the
 * switch to a rollback journal) and holds its snapshot longer than one
 * busy wait: the commit waits for it rather than losing the transaction,
 * and the index is back in WAL after.
 */
static void test_first_load_outwaits_a_reader(void **state)
{
	fixture *f = *state;
	char mode[16];

	memset(&late, 0, sizeof(late));
	write_jsonl(f->file, 30);
	f->last_at = 30;
	f->mode_at_first[0] = f->mode_at_last[0] = '\0';
	assert_int_equal(add_watched(f, f->file, 0, on_article_late_reader).added, 30);
	assert_true(late.running);
	pthread_join(late.th, NULL);
	sqlite3_close(late.db);
	assert_string_equal(f->mode_at_first, "delete");
	assert_int_equal(late.seen, 0);
	journal_mode(f->st->db, mode);
	assert_string_equal(mode, "wal");
	assert_int_equal(count_from_reader(f->db), 30);
}

/* NX_FIRST_LOAD_WAL=1 (measurements) keeps the WAL for a new archive too. */
static void test_first_load_wal_kept_on_request(void **state)
{
	fixture *f = *state;

	setenv("NX_FIRST_LOAD_WAL", "1", 1);
	write_jsonl(f->file, 20);
	add_noting_mode(f, f->file, 20, 0);
	unsetenv("NX_FIRST_LOAD_WAL");
	assert_string_equal(f->mode_at_first, "wal");
	assert_int_equal(count_from_reader(f->db), 20);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_commits_inside_a_file, setup, teardown),
		cmocka_unit_test_setup_teardown(test_again_and_missing, setup, teardown),
		cmocka_unit_test_setup_teardown(test_words_counted_once, setup, teardown),
		cmocka_unit_test_setup_teardown(test_first_transaction_of_a_new_archive, setup, teardown),
		cmocka_unit_test_setup_teardown(test_batch_set_by_the_caller, setup, teardown),
		cmocka_unit_test_setup_teardown(test_first_load_without_wal, setup, teardown),
		cmocka_unit_test_setup_teardown(test_first_load_beside_a_reader, setup, teardown),
		cmocka_unit_test_setup_teardown(test_first_load_outwaits_a_reader, setup, teardown),
		cmocka_unit_test_setup_teardown(test_first_load_wal_kept_on_request, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

/*
 * test_store.c - the SQLite index (src/index/store.c through newsidx/store.h).
 *
 * Every test gets a fresh temporary folder (setup/teardown).  After every
 * mutation the FTS5 index is checked against its content with
 * INSERT INTO fts(fts) VALUES('integrity-check'); the content is a view
 * that calls nx_inflate(), a function only the store's own connection has,
 * so the check runs on st->db (store_private.h).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <ftw.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "newsidx/maint.h"
#include "newsidx/store.h"
#include "index/store_private.h"
#include "util/text.h"

#define T0 1625708520 /* 2021-07-08T01:42:00Z */

typedef struct fixture {
	char dir[64];
	char path[128]; /* dir/nested/folders/index.db (not created yet) */
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
	snprintf(f->dir, sizeof(f->dir), "/tmp/nx-test-store-XXXXXX");
	if (mkdtemp(f->dir) == NULL)
		return -1;
	snprintf(f->path, sizeof(f->path), "%s/a/b/c/index.db", f->dir);
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

/* ---- helpers ---- */

static nx_store *open_ok(const char *path, unsigned flags)
{
	nx_store *st = NULL;
	nx_error err = NX_ERROR_INIT;
	int rc = nx_store_open(&st, path, flags, &err);

	if (rc != NX_OK)
		fail_msg("nx_store_open(%s): %d %s", path, rc, err.msg);
	assert_non_null(st);
	return st;
}

static int64_t q_int(sqlite3 *db, const char *sql, const char *arg)
{
	sqlite3_stmt *s = NULL;
	int64_t v = -1;

	if (sqlite3_prepare_v2(db, sql, -1, &s, NULL) != SQLITE_OK)
		fail_msg("prepare '%s': %s", sql, sqlite3_errmsg(db));
	if (arg != NULL)
		sqlite3_bind_text(s, 1, arg, -1, SQLITE_TRANSIENT);
	if (sqlite3_step(s) == SQLITE_ROW)
		v = sqlite3_column_int64(s, 0);
	else
		fail_msg("step '%s': %s", sql, sqlite3_errmsg(db));
	sqlite3_finalize(s);
	return v;
}

/* malloc'd text of the first column of the first row, or NULL. */
static char *q_text(sqlite3 *db, const char *sql, const char *arg)
{
	sqlite3_stmt *s = NULL;
	char *v = NULL;

	if (sqlite3_prepare_v2(db, sql, -1, &s, NULL) != SQLITE_OK)
		fail_msg("prepare '%s': %s", sql, sqlite3_errmsg(db));
	if (arg != NULL)
		sqlite3_bind_text(s, 1, arg, -1, SQLITE_TRANSIENT);
	if (sqlite3_step(s) == SQLITE_ROW && sqlite3_column_type(s, 0) != SQLITE_NULL)
		v = strdup((const char *)sqlite3_column_text(s, 0));
	sqlite3_finalize(s);
	return v;
}

static void fts_check(nx_store *st)
{
	char *msg = NULL;

	if (sqlite3_exec(st->db, "INSERT INTO fts(fts) VALUES('integrity-check')", NULL, NULL, &msg) != SQLITE_OK) {
		char copy[256];

		snprintf(copy, sizeof(copy), "%s", msg != NULL ? msg : "?");
		sqlite3_free(msg);
		fail_msg("FTS integrity-check failed: %s", copy);
	}
	/* one FTS document per article */
	assert_int_equal(q_int(st->db, "SELECT count(*) FROM fts_docsize", NULL),
			 q_int(st->db, "SELECT count(*) FROM article", NULL));
	/* earlier versions have their own index, when the schema has one */
	if (q_int(st->db, "SELECT count(*) FROM sqlite_schema WHERE name = 'rev_fts'", NULL) > 0) {
		if (sqlite3_exec(st->db, "INSERT INTO rev_fts(rev_fts) VALUES('integrity-check')",
				 NULL, NULL, &msg) != SQLITE_OK) {
			char copy[256];

			snprintf(copy, sizeof(copy), "%s", msg != NULL ? msg : "?");
			sqlite3_free(msg);
			fail_msg("rev_fts integrity-check failed: %s", copy);
		}
		assert_int_equal(q_int(st->db, "SELECT count(*) FROM rev_fts_docsize", NULL),
				 q_int(st->db, "SELECT count(*) FROM revision", NULL));
	}
}

static int64_t fts_hits(nx_store *st, const char *match)
{
	return q_int(st->db, "SELECT count(*) FROM fts WHERE fts MATCH ?1", match);
}

static nx_time tm(int64_t utc, int off)
{
	nx_time t = NX_TIME_INIT;

	t.set = 1;
	t.has_time = 1;
	t.utc = utc;
	t.offset = off;
	t.has_offset = 1;
	return t;
}

/* An identified article: url may be NULL (then title + source identify it). */
static nx_article *mk(const char *url, const char *title, const char *body)
{
	nx_article *a = nx_article_new();
	nx_error err = NX_ERROR_INIT;
	const char *p = body, *e = NULL;

	assert_non_null(a);
	nx_article_set(&a->url, url, -1);
	nx_article_set(&a->title, title, -1);
	nx_article_set(&a->source, "Test Wire", -1);
	while (p != NULL && *p != '\0') {
		e = strchr(p, '|');
		nx_article_add_para(a, p, e != NULL ? (long)(e - p) : -1);
		p = e != NULL ? e + 1 : NULL;
	}
	a->captured = tm(T0 + 86400, 0);
	a->captured.has_offset = 0;
	if (nx_article_identify(a, &err) != NX_OK)
		fail_msg("identify: %s", err.msg);
	return a;
}

static int put(nx_store *st, const nx_article *a)
{
	nx_error err = NX_ERROR_INIT;
	int status = -1;
	int rc = nx_store_put(st, a, &status, &err);

	if (rc != NX_OK)
		fail_msg("nx_store_put: %d %s", rc, err.msg);
	fts_check(st);
	return status;
}

static char *slurp(const char *path, size_t *len)
{
	FILE *fp = fopen(path, "rb");
	char *buf = NULL;
	long n = 0;

	assert_non_null(fp);
	fseek(fp, 0, SEEK_END);
	n = ftell(fp);
	fseek(fp, 0, SEEK_SET);
	buf = malloc((size_t)n + 1);
	assert_non_null(buf);
	assert_int_equal(fread(buf, 1, (size_t)n, fp), (size_t)n);
	fclose(fp);
	*len = (size_t)n;
	return buf;
}

static void spit(const char *path, const void *data, size_t len)
{
	FILE *fp = fopen(path, "wb");

	assert_non_null(fp);
	assert_int_equal(fwrite(data, 1, len, fp), len);
	fclose(fp);
}

static void sql_file(const char *path, const char *sql)
{
	sqlite3 *db = NULL;
	char *msg = NULL;

	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	if (sqlite3_exec(db, sql, NULL, NULL, &msg) != SQLITE_OK)
		fail_msg("%s: %s", sql, msg);
	sqlite3_close(db);
}

/* ---- opening ---- */

static void test_open_creates_folders(void **state)
{
	fixture *f = *state;
	nx_store *st = NULL;
	nx_stats stats;
	nx_error err = NX_ERROR_INIT;
	struct stat sb;
	sqlite3 *db = NULL;

	assert_int_not_equal(stat(f->path, &sb), 0);
	st = open_ok(f->path, NX_STORE_WRITE);
	assert_string_equal(nx_store_path(st), f->path);
	assert_int_equal(stat(f->path, &sb), 0);
	assert_true(S_ISREG(sb.st_mode));
	assert_int_equal(nx_store_stats(&stats, st, &err), NX_OK);
	assert_int_equal(stats.schema, NX_SCHEMA_VERSION);
	assert_int_equal(stats.articles, 0);
	assert_false(stats.oldest.set);
	assert_int_equal(nx_store_keep_originals(st), 0);
	fts_check(st);
	nx_store_close(st);

	assert_int_equal(sqlite3_open_v2(f->path, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
	assert_int_equal(q_int(db, "PRAGMA user_version", NULL), NX_SCHEMA_VERSION);
	assert_int_equal(q_int(db, "SELECT count(*) FROM sqlite_schema WHERE name IN "
			   "('article','photo','revision','file','origin','original','fts')", NULL), 7);
	sqlite3_close(db);

	/* reopening, read-write and read-only */
	st = open_ok(f->path, NX_STORE_WRITE);
	nx_store_close(st);
	st = open_ok(f->path, NX_STORE_READ);
	assert_int_equal(nx_store_stats(&stats, st, &err), NX_OK);
	assert_int_equal(stats.schema, NX_SCHEMA_VERSION);
	nx_store_close(st);
	nx_store_close(NULL);
}

static void test_open_read_missing(void **state)
{
	fixture *f = *state;
	nx_store *st = (nx_store *)0x1;
	nx_error err = NX_ERROR_INIT;
	struct stat sb;
	char folder[160];

	assert_int_equal(nx_store_open(&st, f->path, NX_STORE_READ, &err), NX_EDB);
	assert_null(st);
	assert_int_equal(err.code, NX_EDB);
	assert_true(strlen(err.msg) > 0);
	assert_non_null(strstr(err.msg, f->path));
	/* read-only opening creates nothing */
	snprintf(folder, sizeof(folder), "%s/a", f->dir);
	assert_int_not_equal(stat(folder, &sb), 0);
	assert_int_not_equal(stat(f->path, &sb), 0);
}

static void test_open_read_empty_file(void **state)
{
	fixture *f = *state;
	nx_store *st = NULL;
	nx_error err = NX_ERROR_INIT;
	char path[160];

	snprintf(path, sizeof(path), "%s/empty.db", f->dir);
	spit(path, "", 0);
	assert_int_equal(nx_store_open(&st, path, NX_STORE_READ, &err), NX_EDB);
	assert_null(st);
	assert_true(strlen(err.msg) > 0);
}

static void test_open_foreign_sqlite(void **state)
{
	fixture *f = *state;
	nx_store *st = NULL;
	nx_error err = NX_ERROR_INIT;
	char path[160];
	unsigned flags[2] = { NX_STORE_READ, NX_STORE_WRITE };
	int i = 0;

	snprintf(path, sizeof(path), "%s/places.sqlite", f->dir);
	sql_file(path, "CREATE TABLE moz_places(id INTEGER PRIMARY KEY, url TEXT);"
		       "INSERT INTO moz_places(url) VALUES('https://example.com/');");
	for (i = 0; i < 2; i++) {
		nx_error_clear(&err);
		assert_int_equal(nx_store_open(&st, path, flags[i], &err), NX_EDB);
		assert_null(st);
		assert_non_null(strstr(err.msg, "not a newsidx index"));
	}
	/* the foreign data is untouched */
	{
		sqlite3 *db = NULL;

		assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
		assert_int_equal(q_int(db, "SELECT count(*) FROM moz_places", NULL), 1);
		assert_int_equal(q_int(db, "SELECT count(*) FROM sqlite_schema WHERE name = 'article'", NULL), 0);
		sqlite3_close(db);
	}
}

/* Refusing a file must not modify it (e.g. switch it to WAL mode). */
static void test_open_foreign_sqlite_unmodified(void **state)
{
	fixture *f = *state;
	nx_store *st = NULL;
	nx_error err = NX_ERROR_INIT;
	char path[160];
	char *before = NULL, *after = NULL;
	size_t nb = 0, na = 0;

	snprintf(path, sizeof(path), "%s/other.sqlite", f->dir);
	sql_file(path, "CREATE TABLE t(x); INSERT INTO t VALUES(1);");
	before = slurp(path, &nb);
	assert_int_equal(nx_store_open(&st, path, NX_STORE_WRITE, &err), NX_EDB);
	after = slurp(path, &na);
	{
		/* header bytes 18/19 are 1 (rollback journal) or 2 (WAL) */
		int same = na == nb && memcmp(before, after, nb) == 0;
		int b18 = before[18], b19 = before[19], a18 = after[18], a19 = after[19];

		free(before);
		free(after);
		if (!same)
			fail_msg("refused file was modified (journal mode bytes %d/%d -> %d/%d)",
				 b18, b19, a18, a19);
	}
}

static void test_open_junk_file(void **state)
{
	fixture *f = *state;
	nx_store *st = NULL;
	nx_error err = NX_ERROR_INIT;
	char path[160], junk[4096];
	unsigned flags[2] = { NX_STORE_READ, NX_STORE_WRITE };
	char *after = NULL;
	size_t i = 0, n = 0;

	snprintf(path, sizeof(path), "%s/junk.db", f->dir);
	for (i = 0; i < sizeof(junk); i++)
		junk[i] = (char)("This is not a database at all. "[i % 31] ^ (i % 7));
	spit(path, junk, sizeof(junk));
	for (i = 0; i < 2; i++) {
		nx_error_clear(&err);
		assert_int_equal(nx_store_open(&st, path, flags[i], &err), NX_EDB);
		assert_null(st);
		assert_int_equal(err.code, NX_EDB);
		/* a clear message: names the file and says it is not a database */
		assert_non_null(strstr(err.msg, path));
		if (strstr(err.msg, "not a database") == NULL)
			fail_msg("unclear message: %s", err.msg);
	}
	after = slurp(path, &n);
	assert_int_equal(n, sizeof(junk));
	assert_memory_equal(after, junk, sizeof(junk));
	free(after);
}

static void test_open_newer_schema(void **state)
{
	fixture *f = *state;
	nx_store *st = NULL;
	nx_error err = NX_ERROR_INIT;
	char copy[160];
	char *data = NULL;
	size_t n = 0;
	unsigned flags[2] = { NX_STORE_READ, NX_STORE_WRITE };
	int i = 0;
	nx_article *a = mk("https://example.com/s", "Schema story", "Body text");

	st = open_ok(f->path, NX_STORE_WRITE);
	put(st, a);
	nx_store_close(st);
	nx_article_free(a);
	data = slurp(f->path, &n);
	snprintf(copy, sizeof(copy), "%s/copy.db", f->dir);
	spit(copy, data, n);
	free(data);
	sql_file(copy, "PRAGMA user_version = 99");
	for (i = 0; i < 2; i++) {
		nx_error_clear(&err);
		assert_int_equal(nx_store_open(&st, copy, flags[i], &err), NX_EDB);
		assert_null(st);
		assert_non_null(strstr(err.msg, "newer"));
		assert_non_null(strstr(err.msg, "99"));
	}
	/* the original still opens */
	st = open_ok(f->path, NX_STORE_READ);
	nx_store_close(st);
}

/* ---- put / get ---- */

static nx_article *rich_article(void)
{
	nx_article *a = mk("https://example.com/world/2021/07/08/lavrov.html",
			   "Lavrov: US Gave Kiev Green Light",
			   "MOSCOW (Sputnik) - Russian Foreign Minister spoke on Thursday.|"
			   "He said talks would continue \xE2\x80\x94 \"without preconditions\".|"
			   "Caf\xC3\xA9 owners in the capital reacted calmly.");
	nx_photo *p = NULL;
	nx_error err = NX_ERROR_INIT;

	nx_article_set(&a->source, "Sputnik", -1);
	nx_article_set(&a->section, "World", -1);
	nx_article_set(&a->lang, "en", -1);
	nx_article_add_author(a, "Jane Doe", -1);
	nx_article_add_author(a, "Ivan Petrov", -1);
	a->published = tm(T0, 180);
	a->updated = tm(T0 + 7200, -240);
	p = nx_article_add_photo(a);
	nx_article_set(&p->agency, "Reuters", -1);
	nx_article_set(&p->photographer, "Evelyn Hockstein", -1);
	nx_article_set(&p->caption, "Sergei Lavrov at a press conference", -1);
	nx_article_set(&p->url, "https://example.com/img/lavrov.jpg", -1);
	p = nx_article_add_photo(a);
	nx_article_set(&p->caption, "Protesters near the embassy", -1);
	p = nx_article_add_photo(a);
	nx_article_set(&p->agency, "Sputnik", -1);
	a->origin.path = strdup("/data/sputnik/lavrov.txt");
	a->origin.offset = 17;
	a->origin.format = "text";
	a->origin.record_id = strdup("<urn:uuid:1234>");
	nx_article_identify(a, &err);
	return a;
}

static void same_str(const char *what, const char *a, const char *b)
{
	if (a == NULL || b == NULL) {
		if (a != b)
			fail_msg("%s: '%s' vs '%s'", what, a != NULL ? a : "(null)", b != NULL ? b : "(null)");
		return;
	}
	if (strcmp(a, b) != 0)
		fail_msg("%s: '%s' vs '%s'", what, a, b);
}

static void same_time(const char *what, const nx_time *a, const nx_time *b)
{
	if (a->set != b->set || a->utc != b->utc || a->has_offset != b->has_offset ||
	    a->offset != b->offset || a->has_time != b->has_time)
		fail_msg("%s: %d/%lld/%d/%d/%d vs %d/%lld/%d/%d/%d", what, a->set, (long long)a->utc,
			 a->has_offset, (int)a->offset, a->has_time, b->set, (long long)b->utc,
			 b->has_offset, (int)b->offset, b->has_time);
}

static void same_article(const nx_article *a, const nx_article *b)
{
	size_t i = 0;
	char ha[65], hb[65];

	same_str("id", a->id, b->id);
	same_str("url", a->url, b->url);
	same_str("source", a->source, b->source);
	same_str("title", a->title, b->title);
	same_str("section", a->section, b->section);
	same_str("lang", a->lang, b->lang);
	assert_int_equal(a->nauthors, b->nauthors);
	for (i = 0; i < a->nauthors; i++)
		same_str("author", a->authors[i], b->authors[i]);
	same_time("published", &a->published, &b->published);
	same_time("updated", &a->updated, &b->updated);
	assert_int_equal(a->nparas, b->nparas);
	for (i = 0; i < a->nparas; i++)
		same_str("para", a->paras[i], b->paras[i]);
	assert_int_equal(a->nphotos, b->nphotos);
	for (i = 0; i < a->nphotos; i++) {
		same_str("agency", a->photos[i].agency, b->photos[i].agency);
		same_str("photographer", a->photos[i].photographer, b->photos[i].photographer);
		same_str("caption", a->photos[i].caption, b->photos[i].caption);
		same_str("photo url", a->photos[i].url, b->photos[i].url);
	}
	nx_article_hash(ha, a);
	nx_article_hash(hb, b);
	assert_string_equal(ha, hb);
}

static void test_put_get_roundtrip(void **state)
{
	fixture *f = *state;
	nx_store *st = open_ok(f->path, NX_STORE_WRITE);
	nx_article *a = rich_article(), *b = NULL;
	nx_error err = NX_ERROR_INIT;

	assert_int_equal(put(st, a), NX_PUT_ADDED);
	assert_int_equal(nx_store_get(&b, st, a->id, &err), NX_OK);
	same_article(a, b);
	assert_int_equal(b->captured.utc, a->captured.utc);
	same_str("origin path", a->origin.path, b->origin.path);
	assert_int_equal(b->origin.offset, 17);
	same_str("origin record", a->origin.record_id, b->origin.record_id);
	same_str("origin format", "text", b->origin.format);
	nx_article_free(b);
	b = NULL;

	/* and after closing and reopening read-only */
	nx_store_close(st);
	st = open_ok(f->path, NX_STORE_READ);
	assert_int_equal(nx_store_get(&b, st, a->id, &err), NX_OK);
	same_article(a, b);
	nx_article_free(b);
	nx_article_free(a);
	nx_store_close(st);
}

static void test_put_get_date_only_and_no_times(void **state)
{
	fixture *f = *state;
	nx_store *st = open_ok(f->path, NX_STORE_WRITE);
	nx_article *a = mk(NULL, "No URL, date only", "body");
	nx_article *c = mk(NULL, "No times at all", "other body");
	nx_article *b = NULL;
	nx_error err = NX_ERROR_INIT;

	a->published.set = 1;
	a->published.utc = T0 - (T0 % 86400);
	a->published.has_time = 0;
	nx_article_identify(a, &err);
	assert_int_equal(put(st, a), NX_PUT_ADDED);
	assert_int_equal(put(st, c), NX_PUT_ADDED);
	assert_int_equal(nx_store_get(&b, st, a->id, &err), NX_OK);
	same_article(a, b);
	assert_null(b->url);
	nx_article_free(b);
	assert_int_equal(nx_store_get(&b, st, c->id, &err), NX_OK);
	same_article(c, b);
	assert_false(b->published.set);
	assert_false(b->updated.set);
	nx_article_free(b);
	nx_article_free(a);
	nx_article_free(c);
	nx_store_close(st);
}

static void test_put_without_id(void **state)
{
	fixture *f = *state;
	nx_store *st = open_ok(f->path, NX_STORE_WRITE);
	nx_article *a = nx_article_new();
	nx_error err = NX_ERROR_INIT;
	int status = 99;

	nx_article_set(&a->title, "no id", -1);
	assert_int_equal(nx_store_put(st, a, &status, &err), NX_EINVAL);
	assert_int_equal(status, 0);
	assert_true(strlen(err.msg) > 0);
	nx_article_free(a);
	nx_store_close(st);
}

/* ---- compression ---- */

static void test_body_stored_compressed(void **state)
{
	fixture *f = *state;
	nx_store *st = open_ok(f->path, NX_STORE_WRITE);
	nx_buf body = NX_BUF_INIT;
	nx_article *a = NULL;
	char *want = NULL, *got = NULL;
	sqlite3 *db = NULL;
	int i = 0;
	int64_t zlen = 0, blen = 0;

	for (i = 0; i < 300; i++)
		nx_buf_addf(&body, "%sThe committee met again on day %d and discussed the same agenda as before.",
			    i > 0 ? "|" : "", i % 7);
	a = mk("https://example.com/long", "A long repetitive story", body.buf);
	nx_buf_free(&body);
	assert_int_equal(put(st, a), NX_PUT_ADDED);
	want = nx_article_body(a);

	/* nx_inflate() works in SQL on the store's connection */
	got = q_text(st->db, "SELECT nx_inflate(body_z) FROM article WHERE uid = nx_uid_key(?1)", a->id);
	assert_non_null(got);
	assert_string_equal(got, want);
	free(got);
	assert_int_equal(q_int(st->db, "SELECT nx_inflate(NULL) IS NULL", NULL), 1);
	nx_store_close(st);

	/* and the file, read with plain sqlite3, holds far fewer bytes */
	assert_int_equal(sqlite3_open_v2(f->path, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
	/* schema 3 keeps the id's 8 bytes, not its 16 hex digits */
	assert_int_equal(q_int(db, "SELECT typeof(uid) = 'blob' AND length(uid) = 8 FROM article", NULL), 1);
	zlen = q_int(db, "SELECT length(body_z) FROM article WHERE lower(hex(uid)) = ?1", a->id);
	blen = q_int(db, "SELECT body_len FROM article WHERE lower(hex(uid)) = ?1", a->id);
	assert_int_equal(blen, (int64_t)strlen(want));
	assert_true(zlen > 4);
	if (zlen * 5 >= blen)
		fail_msg("body not compressed: %lld bytes stored for %lld", (long long)zlen, (long long)blen);
	assert_int_equal(q_int(db, "SELECT typeof(body_z) = 'blob' FROM article", NULL), 1);
	/* the plain text is nowhere in the row */
	assert_int_equal(q_int(db, "SELECT instr(CAST(body_z AS TEXT), 'committee') FROM article", NULL), 0);
	sqlite3_close(db);
	free(want);
	nx_article_free(a);
}

static void test_deflate_inflate_blob(void **state)
{
	nx_buf z = NX_BUF_INIT, out = NX_BUF_INIT;
	const char *text = "hello hello hello hello \xC3\xA9t\xC3\xA9";
	char *bad = NULL;

	(void)state;
	assert_int_equal(nx_deflate(&z, text, strlen(text)), NX_OK);
	assert_true(z.len > 4);
	assert_int_equal((unsigned char)z.buf[0], strlen(text));
	assert_int_equal(nx_inflate_blob(&out, z.buf, z.len), NX_OK);
	assert_string_equal(out.buf, text);
	assert_int_equal(out.len, strlen(text));
	nx_buf_reset(&out);
	/* empty text */
	nx_buf_reset(&z);
	assert_int_equal(nx_deflate(&z, "", 0), NX_OK);
	assert_int_equal(nx_inflate_blob(&out, z.buf, z.len), NX_OK);
	assert_int_equal(out.len, 0);
	nx_buf_reset(&out);
	/* corrupt blobs */
	nx_buf_reset(&z);
	nx_deflate(&z, text, strlen(text));
	assert_int_equal(nx_inflate_blob(&out, z.buf, 3), NX_EFORMAT);       /* too short */
	nx_buf_reset(&out);
	assert_int_equal(nx_inflate_blob(&out, z.buf, z.len - 3), NX_EFORMAT); /* truncated */
	nx_buf_reset(&out);
	bad = malloc(z.len);
	memcpy(bad, z.buf, z.len);
	bad[0] = (char)(bad[0] + 1);                                             /* wrong length */
	assert_int_equal(nx_inflate_blob(&out, bad, z.len), NX_EFORMAT);
	nx_buf_reset(&out);
	memcpy(bad, z.buf, z.len);
	memset(bad + 4, 0x55, z.len - 4);                                        /* not zlib */
	assert_int_equal(nx_inflate_blob(&out, bad, z.len), NX_EFORMAT);
	nx_buf_reset(&out);
	memcpy(bad, "\xff\xff\xff\x7f", 4);                                      /* absurd length */
	assert_int_equal(nx_inflate_blob(&out, bad, 12), NX_EFORMAT);
	free(bad);
	nx_buf_free(&z);
	nx_buf_free(&out);
}

/* ---- versions ---- */

static nx_article *version(const char *body, int64_t updated)
{
	nx_article *a = mk("https://example.com/ceasefire", "Ceasefire talks", body);

	if (updated != 0)
		a->updated = tm(updated, 60);
	return a;
}

static int64_t count_rev(nx_store *st)
{
	return q_int(st->db, "SELECT count(*) FROM revision", NULL);
}

static void test_put_same_twice(void **state)
{
	fixture *f = *state;
	nx_store *st = open_ok(f->path, NX_STORE_WRITE);
	nx_article *a = rich_article(), *b = rich_article();

	assert_int_equal(put(st, a), NX_PUT_ADDED);
	assert_int_equal(put(st, a), NX_PUT_UNCHANGED);
	/* an identical copy from another file, captured later: still unchanged */
	free(b->origin.path);
	b->origin.path = strdup("/data/other/copy.html");
	b->captured.utc += 1000;
	assert_int_equal(put(st, b), NX_PUT_UNCHANGED);
	assert_int_equal(q_int(st->db, "SELECT count(*) FROM article", NULL), 1);
	assert_int_equal(count_rev(st), 0);
	assert_int_equal(q_int(st->db, "SELECT count(*) FROM photo", NULL), 3);
	assert_int_equal(q_int(st->db, "SELECT count(*) FROM origin", NULL), 2);
	assert_int_equal(fts_hits(st, "lavrov"), 1);
	nx_article_free(a);
	nx_article_free(b);
	nx_store_close(st);
}

/*
 * Each origin records the version it gave: NULL while that is the
 * article's current one; the 8 bytes of the version's hash once the
 * article moves on, or when the origin gave an older version.  And the
 * format is stored as a number (schema 3), read back as its name.
 */
static void test_origin_versions(void **state)
{
	fixture *f = *state;
	nx_store *st = open_ok(f->path, NX_STORE_WRITE);
	nx_article *v0 = version("An early draft mentions Helsinki as the venue.", T0 - 3600);
	nx_article *v1 = version("Negotiators met in Geneva on Monday.", T0);
	nx_article *v2 = version("Negotiators moved the talks to Vienna on Tuesday.", T0 + 3600);
	nx_article *got = NULL;
	nx_error err = NX_ERROR_INIT;
	char h1[65], h0[65], *stored = NULL;

	v0->origin.path = strdup("/feeds/c.xml");
	v1->origin.path = strdup("/feeds/a.xml");
	v2->origin.path = strdup("/feeds/b.xml");
	v0->origin.format = v1->origin.format = "rss";
	v2->origin.format = "atom";
	assert_int_equal(nx_article_hash(h1, v1), NX_OK);
	assert_int_equal(nx_article_hash(h0, v0), NX_OK);
	assert_int_equal(put(st, v1), NX_PUT_ADDED);
	assert_int_equal(q_int(st->db, "SELECT count(*) FROM origin WHERE hash IS NULL", NULL), 1);
	assert_int_equal(q_int(st->db, "SELECT format FROM origin", NULL), 3);

	/* v2 replaces v1: a.xml now says it gave v1, b.xml gave the current */
	assert_int_equal(put(st, v2), NX_PUT_UPDATED);
	stored = q_text(st->db, "SELECT lower(hex(o.hash)) FROM origin o JOIN file f ON f.id = o.file_id"
				" WHERE f.path = ?1", "/feeds/a.xml");
	assert_non_null(stored);
	assert_int_equal(strlen(stored), 16);
	assert_memory_equal(stored, h1, 16);
	free(stored);
	assert_int_equal(q_int(st->db, "SELECT o.hash IS NULL FROM origin o JOIN file f ON f.id = o.file_id"
				       " WHERE f.path = ?1", "/feeds/b.xml"), 1);

	/* c.xml gives an older version: its hash, kept as a revision */
	assert_int_equal(put(st, v0), NX_PUT_REVISION);
	stored = q_text(st->db, "SELECT lower(hex(o.hash)) FROM origin o JOIN file f ON f.id = o.file_id"
				" WHERE f.path = ?1", "/feeds/c.xml");
	assert_non_null(stored);
	assert_memory_equal(stored, h0, 16);
	free(stored);

	/* b.xml again, unchanged: still the current version */
	assert_int_equal(put(st, v2), NX_PUT_UNCHANGED);
	assert_int_equal(q_int(st->db, "SELECT count(*) FROM origin WHERE hash IS NULL", NULL), 1);

	/* the format number reads back as the name */
	assert_int_equal(nx_store_get(&got, st, v1->id, &err), NX_OK);
	assert_non_null(got->origin.format);
	assert_true(strcmp(got->origin.format, "rss") == 0 || strcmp(got->origin.format, "atom") == 0);
	nx_article_free(got);
	nx_article_free(v0);
	nx_article_free(v1);
	nx_article_free(v2);
	nx_store_close(st);
}

/*
 * Bodies are compressed with a dictionary trained on the index's first
 * bodies: after NX_ZDICT_SAMPLES of them, or at the end of a transaction
 * that sampled 128 or more.  Later bodies name it in their zlib header
 * (FDICT) and come back whole; the file holds it in table zdict.
 */
static void test_dictionary(void **state)
{
	fixture *f = *state;
	nx_store *st = open_ok(f->path, NX_STORE_WRITE);
	nx_error err = NX_ERROR_INIT;
	nx_article *a = NULL, *got = NULL;
	char url[64], body[512];
	int i = 0;

	assert_int_equal(nx_store_begin(st, &err), NX_OK);
	for (i = 0; i < 200; i++) {
		snprintf(url, sizeof(url), "https://example.com/d/%d", i);
		snprintf(body, sizeof(body), "The harbour authority said on day %d that the cranes stood idle|"
			 "Dock workers in the port walked out over pay for the %d time this year, union leaders said.",
			 i, i % 13);
		a = mk(url, "Harbour strike", body);
		assert_int_equal(put(st, a), NX_PUT_ADDED);
		nx_article_free(a);
	}
	assert_int_equal(q_int(st->db, "SELECT count(*) FROM zdict", NULL), 0);
	assert_int_equal(nx_store_commit(st, &err), NX_OK);
	assert_int_equal(q_int(st->db, "SELECT count(*) FROM zdict", NULL), 1);
	assert_true(q_int(st->db, "SELECT length(data) FROM zdict", NULL) > 200);

	a = mk("https://example.com/d/late", "Harbour strike ends", "The cranes moved again on Friday, the harbour authority said.");
	assert_int_equal(put(st, a), NX_PUT_ADDED);
	/* byte 5 of the blob is zlib's FLG: 0x20 says a dictionary is needed */
	assert_int_equal(q_int(st->db, "SELECT (instr('0123456789ABCDEF', substr(hex(body_z), 11, 1)) - 1) & 2"
				       " FROM article WHERE uid = nx_uid_key(?1)", a->id), 2);
	assert_int_equal(nx_store_get(&got, st, a->id, &err), NX_OK);
	same_article(a, got);
	nx_article_free(got);
	nx_article_free(a);
	nx_store_close(st);
}

static void test_versions(void **state)
{
	fixture *f = *state;
	nx_store *st = open_ok(f->path, NX_STORE_WRITE);
	nx_article *v0 = version("An early draft mentions Helsinki as the venue.", T0 - 3600);
	nx_article *v1 = version("Negotiators met in Geneva on Monday.", T0);
	nx_article *v2 = version("Negotiators moved the talks to Vienna on Tuesday.", T0 + 3600);
	nx_article *got = NULL;
	nx_error err = NX_ERROR_INIT;
	char *json = NULL;

	assert_int_equal(put(st, v1), NX_PUT_ADDED);
	assert_int_equal(fts_hits(st, "geneva"), 1);

	/* newer version: replaces, old one kept as a revision, FTS follows */
	assert_int_equal(put(st, v2), NX_PUT_UPDATED);
	assert_int_equal(q_int(st->db, "SELECT count(*) FROM article", NULL), 1);
	assert_int_equal(count_rev(st), 1);
	assert_int_equal(fts_hits(st, "vienna"), 1);
	assert_int_equal(fts_hits(st, "tuesday"), 1);
	assert_int_equal(fts_hits(st, "geneva"), 0);
	assert_int_equal(fts_hits(st, "monday"), 0);
	json = q_text(st->db, "SELECT nx_inflate(doc_z) FROM revision", NULL);
	assert_non_null(json);
	assert_non_null(strstr(json, "Geneva"));
	assert_null(strstr(json, "Vienna"));
	free(json);
	assert_int_equal(nx_store_get(&got, st, v1->id, &err), NX_OK);
	same_article(v2, got);
	nx_article_free(got);
	got = NULL;

	/* an older version: revision only, not indexed, current unchanged */
	assert_int_equal(put(st, v0), NX_PUT_REVISION);
	assert_int_equal(count_rev(st), 2);
	assert_int_equal(fts_hits(st, "helsinki"), 0);
	assert_int_equal(fts_hits(st, "vienna"), 1);
	assert_int_equal(nx_store_get(&got, st, v1->id, &err), NX_OK);
	same_article(v2, got);
	nx_article_free(got);

	/* every version seen before is unchanged now, no duplicate revision */
	assert_int_equal(put(st, v0), NX_PUT_UNCHANGED);
	assert_int_equal(count_rev(st), 2);
	assert_int_equal(put(st, v1), NX_PUT_UNCHANGED);
	assert_int_equal(count_rev(st), 2);
	assert_int_equal(put(st, v2), NX_PUT_UNCHANGED);
	assert_int_equal(count_rev(st), 2);
	assert_int_equal(q_int(st->db, "SELECT count(DISTINCT hash) FROM revision", NULL), 2);
	assert_int_equal(fts_hits(st, "vienna"), 1);

	nx_article_free(v0);
	nx_article_free(v1);
	nx_article_free(v2);
	nx_store_close(st);
}

/* With no updated time, the capture time orders versions. */
static void test_versions_by_capture(void **state)
{
	fixture *f = *state;
	nx_store *st = open_ok(f->path, NX_STORE_WRITE);
	nx_article *v1 = version("First capture says alpha.", 0);
	nx_article *v2 = version("Second capture says omega.", 0);

	v2->captured.utc = v1->captured.utc + 600;
	assert_int_equal(put(st, v1), NX_PUT_ADDED);
	assert_int_equal(put(st, v2), NX_PUT_UPDATED);
	assert_int_equal(fts_hits(st, "omega"), 1);
	assert_int_equal(fts_hits(st, "alpha"), 0);
	/* an older capture of a different text */
	nx_article_free(v1);
	v1 = version("Very first capture says beta.", 0);
	v1->captured.utc -= 600;
	assert_int_equal(put(st, v1), NX_PUT_REVISION);
	assert_int_equal(fts_hits(st, "beta"), 0);
	assert_int_equal(count_rev(st), 2);
	nx_article_free(v1);
	nx_article_free(v2);
	nx_store_close(st);
}

/* ---- references ---- */

static void test_get_refs(void **state)
{
	fixture *f = *state;
	nx_store *st = open_ok(f->path, NX_STORE_WRITE);
	nx_article *a = rich_article(), *b = NULL;
	nx_error err = NX_ERROR_INIT;
	char ref[32];
	size_t i = 0;

	put(st, a);
	/* prefixes of 4..16 digits, any case */
	for (i = 4; i <= 16; i++) {
		snprintf(ref, sizeof(ref), "%.*s", (int)i, a->id);
		assert_int_equal(nx_store_get(&b, st, ref, &err), NX_OK);
		assert_string_equal(b->id, a->id);
		nx_article_free(b);
	}
	for (i = 0; i < 8; i++)
		ref[i] = (char)nx_toupper((unsigned char)a->id[i]);
	ref[8] = '\0';
	assert_int_equal(nx_store_get(&b, st, ref, &err), NX_OK);
	assert_string_equal(b->id, a->id);
	nx_article_free(b);
	/* by URL */
	assert_int_equal(nx_store_get(&b, st, a->url, &err), NX_OK);
	assert_string_equal(b->id, a->id);
	nx_article_free(b);
	/* not found */
	b = (nx_article *)0x1;
	nx_error_clear(&err);
	assert_int_equal(nx_store_get(&b, st, a->id[0] == 'f' ? "0000000000000000" : "ffffffffffffffff", &err),
			 NX_ENOTFOUND);
	assert_null(b);
	assert_int_equal(err.code, NX_ENOTFOUND);
	assert_int_equal(nx_store_get(&b, st, "https://example.com/nope", &err), NX_ENOTFOUND);
	/* three digits are not a prefix */
	snprintf(ref, sizeof(ref), "%.3s", a->id);
	assert_int_equal(nx_store_get(&b, st, ref, &err), NX_ENOTFOUND);
	assert_int_equal(nx_store_get(&b, st, "", &err), NX_ENOTFOUND);
	/* a 16-digit id followed by more is not this article */
	snprintf(ref, sizeof(ref), "%s0", a->id);
	assert_int_equal(nx_store_get(&b, st, ref, &err), NX_ENOTFOUND);
	nx_article_free(a);
	nx_store_close(st);
}

static void test_get_ambiguous(void **state)
{
	fixture *f = *state;
	nx_store *st = open_ok(f->path, NX_STORE_WRITE);
	int *seen = calloc(65536, sizeof(int));
	nx_article *x = NULL, *y = NULL, *b = NULL;
	nx_error err = NX_ERROR_INIT;
	char title[64], prefix[5];
	int i = 0, other = -1;

	/* find two titles whose ids share their first four hex digits */
	for (i = 1; i < 100000 && other < 0; i++) {
		nx_article *t = NULL;
		unsigned long k = 0;
		char pre[5];

		snprintf(title, sizeof(title), "Ambiguous story %d", i);
		t = mk(NULL, title, "body");
		memcpy(pre, t->id, 4);
		pre[4] = '\0';
		k = strtoul(pre, NULL, 16);
		if (seen[k] != 0)
			other = seen[k];
		else
			seen[k] = i;
		if (other >= 0) {
			x = t;
			snprintf(title, sizeof(title), "Ambiguous story %d", other);
			y = mk(NULL, title, "body"); /* undated: the body is part of the id */
		} else {
			nx_article_free(t);
		}
	}
	free(seen);
	assert_non_null(x);
	assert_non_null(y);
	assert_memory_equal(x->id, y->id, 4);
	assert_string_not_equal(x->id, y->id);
	put(st, x);
	put(st, y);
	snprintf(prefix, sizeof(prefix), "%.4s", x->id);
	b = (nx_article *)0x1;
	assert_int_equal(nx_store_get(&b, st, prefix, &err), NX_EAMBIGUOUS);
	assert_null(b);
	assert_int_equal(err.code, NX_EAMBIGUOUS);
	assert_non_null(strstr(err.msg, prefix));
	/* the full ids still work */
	assert_int_equal(nx_store_get(&b, st, x->id, &err), NX_OK);
	assert_string_equal(b->title, x->title);
	nx_article_free(b);
	assert_int_equal(nx_store_get(&b, st, y->id, &err), NX_OK);
	assert_string_equal(b->title, y->title);
	nx_article_free(b);
	/* remove refuses an ambiguous prefix too */
	assert_int_equal(nx_store_remove(st, prefix, NULL, &err), NX_EAMBIGUOUS);
	assert_int_equal(q_int(st->db, "SELECT count(*) FROM article", NULL), 2);
	nx_article_free(x);
	nx_article_free(y);
	nx_store_close(st);
}

/* ---- remove ---- */

static void test_remove(void **state)
{
	fixture *f = *state;
	nx_store *st = open_ok(f->path, NX_STORE_WRITE);
	nx_article *a = rich_article();
	nx_article *k = mk("https://example.com/keep", "Keeper story", "Unrelated zebra crossing news.");
	nx_article *a2 = rich_article();
	nx_error err = NX_ERROR_INIT;
	char id[17], ref[8];
	int64_t aid = 0;

	nx_photo *p = nx_article_add_photo(k);
	nx_article_set(&p->caption, "A zebra", -1);
	k->origin.path = strdup("/data/keep.txt");
	put(st, a);
	put(st, k);
	/* a newer version of a, so it has a revision and two origins */
	a2->updated.utc += 100;
	nx_article_set(&a2->paras[0], "MOSCOW (Sputnik) - Minister spoke again on Friday.", -1);
	free(a2->origin.path);
	a2->origin.path = strdup("/data/sputnik/lavrov-2.txt");
	assert_int_equal(put(st, a2), NX_PUT_UPDATED);
	aid = q_int(st->db, "SELECT id FROM article WHERE uid = nx_uid_key(?1)", a->id);
	assert_int_equal(q_int(st->db, "SELECT count(*) FROM revision", NULL), 1);
	assert_int_equal(q_int(st->db, "SELECT count(*) FROM origin", NULL), 3);

	snprintf(ref, sizeof(ref), "%.6s", a->id);
	memset(id, 'x', sizeof(id));
	assert_int_equal(nx_store_remove(st, ref, id, &err), NX_OK);
	fts_check(st);
	assert_string_equal(id, a->id);
	assert_int_equal(q_int(st->db, "SELECT count(*) FROM article WHERE uid = nx_uid_key(?1)", a->id), 0);
	{
		char sql[320];

		snprintf(sql, sizeof(sql), "SELECT (SELECT count(*) FROM photo WHERE article_id = %lld) +"
			 " (SELECT count(*) FROM revision WHERE article_id = %lld) +"
			 " (SELECT count(*) FROM origin WHERE article_id = %lld)",
			 (long long)aid, (long long)aid, (long long)aid);
		assert_int_equal(q_int(st->db, sql, NULL), 0);
	}
	assert_int_equal(fts_hits(st, "lavrov"), 0);
	assert_int_equal(fts_hits(st, "friday"), 0);
	assert_int_equal(fts_hits(st, "hockstein"), 0);
	/* the other article is intact */
	assert_int_equal(fts_hits(st, "zebra"), 1);
	assert_int_equal(fts_hits(st, "captions : zebra"), 1);
	assert_int_equal(q_int(st->db, "SELECT count(*) FROM photo", NULL), 1);
	assert_int_equal(q_int(st->db, "SELECT count(*) FROM origin", NULL), 1);
	/* gone */
	assert_int_equal(nx_store_remove(st, a->id, id, &err), NX_ENOTFOUND);
	assert_int_equal(nx_store_remove(st, a->url, NULL, &err), NX_ENOTFOUND);
	/* by URL, without id_out */
	assert_int_equal(nx_store_remove(st, k->url, NULL, &err), NX_OK);
	fts_check(st);
	assert_int_equal(q_int(st->db, "SELECT count(*) FROM article", NULL), 0);
	assert_int_equal(q_int(st->db, "SELECT count(*) FROM photo", NULL), 0);
	assert_int_equal(fts_hits(st, "zebra"), 0);
	/* the same article can come back */
	assert_int_equal(put(st, a), NX_PUT_ADDED);
	assert_int_equal(fts_hits(st, "lavrov"), 1);
	nx_article_free(a);
	nx_article_free(a2);
	nx_article_free(k);
	nx_store_close(st);
}

/* ---- blocks of bodies (nx_store_pack) ---- */

/* Prepare a..a+n deferred, pack them, put them in order: their statuses into status. */
static void put_packed(nx_store *st, nx_article **a, int n, int *status)
{
	nx_prepared *v[8];
	nx_error err = NX_ERROR_INIT;
	int i = 0;

	assert_true(n <= 8);
	for (i = 0; i < n; i++)
		assert_int_equal(nx_store_prepare_deferred(&v[i], st, a[i], &err), NX_OK);
	assert_int_equal(nx_store_pack(st, v, n, &err), NX_OK);
	for (i = 0; i < n; i++) {
		if (nx_store_put_prepared(st, a[i], v[i], &status[i], &err) != NX_OK)
			fail_msg("nx_store_put_prepared: %s", err.msg);
		nx_prepared_free(v[i]);
	}
}

static int64_t block_of(nx_store *st, const char *id)
{
	sqlite3_stmt *s = NULL;
	int64_t b = -1;

	assert_int_equal(sqlite3_prepare_v2(st->db, "SELECT body_z FROM article WHERE uid = nx_uid_key(?1)", -1, &s,
					    NULL), SQLITE_OK);
	sqlite3_bind_text(s, 1, id, -1, SQLITE_STATIC);
	if (sqlite3_step(s) == SQLITE_ROW)
		b = nx_store__body_block(sqlite3_column_blob(s, 0), (size_t)sqlite3_column_bytes(s, 0));
	sqlite3_finalize(s);
	return b;
}

static void get_same(nx_store *st, const nx_article *a)
{
	nx_article *b = NULL;
	nx_error err = NX_ERROR_INIT;

	if (nx_store_get(&b, st, a->id, &err) != NX_OK)
		fail_msg("nx_store_get(%s): %s", a->id, err.msg);
	same_article(a, b);
	nx_article_free(b);
}

static int check_problems(nx_store *st)
{
	nx_check_result r;
	nx_error err = NX_ERROR_INIT;

	assert_int_equal(nx_maint_check(&r, st, NULL, NULL, &err), NX_OK);
	return (int)r.problems;
}

/* check compares each block's count with the articles referring to it */
static void check_block_counts(nx_store *st, int64_t blk)
{
	char sql[160];

	assert_int_equal(check_problems(st), 0);
	snprintf(sql, sizeof(sql), "UPDATE body_block SET refs = 7 WHERE id = %lld", (long long)blk);
	assert_int_equal(sqlite3_exec(st->db, sql, NULL, NULL, NULL), SQLITE_OK);
	assert_int_equal(check_problems(st), 1);
	snprintf(sql, sizeof(sql), "UPDATE body_block SET refs = 5 WHERE id = %lld;"
		 "INSERT INTO body_block(id, refs, z) VALUES(%lld, 2, X'00')", (long long)blk, (long long)blk + 9);
	assert_int_equal(sqlite3_exec(st->db, sql, NULL, NULL, NULL), SQLITE_OK);
	assert_int_equal(check_problems(st), 1); /* a block counting 2 articles none refers to */
	snprintf(sql, sizeof(sql), "DELETE FROM body_block WHERE id = %lld", (long long)blk + 9);
	assert_int_equal(sqlite3_exec(st->db, sql, NULL, NULL, NULL), SQLITE_OK);
	assert_int_equal(check_problems(st), 0);
}

static void test_blocks(void **state)
{
	fixture *f = *state;
	nx_store *st = open_ok(f->path, NX_STORE_WRITE);
	nx_article *a[8], *upd = NULL;
	nx_error err = NX_ERROR_INIT;
	int status[8], i = 0;
	char url[64], body[160];
	int64_t blk = 0;

	for (i = 0; i < 6; i++) {
		snprintf(url, sizeof(url), "https://example.com/block/%d", i);
		snprintf(body, sizeof(body), "Story number %d about walrus%d herds.|Second paragraph of story %d.", i, i,
			 i);
		a[i] = mk(url, "Block story", body);
		assert_int_equal(nx_article_identify(a[i], NULL), NX_OK);
	}
	/* five bodies in one block, one stream */
	assert_int_equal(nx_store_begin(st, &err), NX_OK);
	assert_int_equal(nx_store_savepoint(st, &err), NX_OK);
	put_packed(st, a, 5, status);
	for (i = 0; i < 5; i++)
		assert_int_equal(status[i], NX_PUT_ADDED);
	assert_int_equal(nx_store_release(st, 1, &err), NX_OK);
	assert_int_equal(nx_store_commit(st, &err), NX_OK);
	fts_check(st);
	assert_int_equal(q_int(st->db, "SELECT count(*) FROM body_block", NULL), 1);
	assert_int_equal(q_int(st->db, "SELECT refs FROM body_block", NULL), 5);
	blk = block_of(st, a[0]->id);
	assert_true(blk > 0);
	for (i = 0; i < 5; i++) {
		assert_int_equal(block_of(st, a[i]->id), blk);
		get_same(st, a[i]);
	}
	assert_int_equal(fts_hits(st, "walrus3"), 1);
	assert_int_equal(fts_hits(st, "walrus"), 0);
	check_block_counts(st, blk);
	{
		char *t = q_text(st->db, "SELECT nx_inflate(body_z) FROM article WHERE uid = nx_uid_key(?1)", a[2]->id);

		assert_non_null(t);
		assert_non_null(strstr(t, "Story number 2 about walrus2 herds."));
		assert_null(strstr(t, "walrus1"));
		free(t);
	}
	/* the same again: all unchanged, no second block */
	put_packed(st, a, 5, status);
	for (i = 0; i < 5; i++)
		assert_int_equal(status[i], NX_PUT_UNCHANGED);
	assert_int_equal(q_int(st->db, "SELECT count(*) FROM body_block", NULL), 1);

	/* a rolled-back file leaves no block and no article */
	assert_int_equal(nx_store_begin(st, &err), NX_OK);
	assert_int_equal(nx_store_savepoint(st, &err), NX_OK);
	put_packed(st, a + 5, 1, status);
	assert_int_equal(block_of(st, a[5]->id), 0); /* alone: its own stream */
	assert_int_equal(nx_store_release(st, 0, &err), NX_OK);
	assert_int_equal(nx_store_commit(st, &err), NX_OK);
	assert_int_equal(q_int(st->db, "SELECT count(*) FROM body_block", NULL), 1);
	assert_int_equal(q_int(st->db, "SELECT count(*) FROM article", NULL), 5);

	/* readers see the bodies too */
	nx_store_close(st);
	st = open_ok(f->path, NX_STORE_READ);
	for (i = 0; i < 5; i++)
		get_same(st, a[i]);
	nx_store_close(st);
	st = open_ok(f->path, NX_STORE_WRITE);

	/* a newer version of one member: its body leaves the block */
	upd = mk(a[1]->url, "Block story", "Story number 1, corrected.");
	upd->updated = tm(T0 + 100, 0);
	assert_int_equal(nx_article_identify(upd, NULL), NX_OK);
	assert_int_equal(put(st, upd), NX_PUT_UPDATED);
	assert_int_equal(block_of(st, upd->id), 0);
	assert_int_equal(q_int(st->db, "SELECT refs FROM body_block", NULL), 4);
	get_same(st, upd);
	get_same(st, a[2]);
	/* the last member to go takes the block with it */
	for (i = 0; i < 5; i++)
		assert_int_equal(nx_store_remove(st, a[i]->id, NULL, &err), NX_OK);
	fts_check(st);
	assert_int_equal(q_int(st->db, "SELECT count(*) FROM body_block", NULL), 0);
	assert_int_equal(q_int(st->db, "SELECT count(*) FROM article", NULL), 0);

	/*
	 * one file with the same article twice in a block: the later version
	 * is kept, the block is written when the earlier one is read, and the
	 * later body, too late for it, is compressed alone
	 */
	nx_article_free(upd);
	upd = mk(a[3]->url, "Block story", "Story number 3, second take.");
	upd->updated = tm(T0 + 200, 0);
	assert_int_equal(nx_article_identify(upd, NULL), NX_OK);
	{
		nx_article *two[3] = { a[3], a[4], upd };

		assert_int_equal(nx_store_begin(st, &err), NX_OK);
		put_packed(st, two, 3, status);
		assert_int_equal(status[2], NX_PUT_UPDATED);
		assert_int_equal(nx_store_commit(st, &err), NX_OK);
	}
	fts_check(st);
	assert_int_equal(q_int(st->db, "SELECT count(*) FROM body_block", NULL), 1);
	assert_int_equal(q_int(st->db, "SELECT refs FROM body_block", NULL), 1);
	assert_true(block_of(st, a[4]->id) > 0);
	assert_int_equal(block_of(st, upd->id), 0);
	get_same(st, upd);
	get_same(st, a[4]);
	for (i = 0; i < 6; i++)
		nx_article_free(a[i]);
	nx_article_free(upd);
	nx_store_close(st);
}

/* A hostile or damaged index: references to no block, past a block's end; a wrong count. */
static void test_blocks_damaged(void **state)
{
	fixture *f = *state;
	nx_store *st = open_ok(f->path, NX_STORE_WRITE);
	nx_article *a[3], *b = NULL;
	nx_error err = NX_ERROR_INIT;
	int status[3], i = 0;
	char url[64];
	/* length 5, the mark, block 99, offset 0 / block 1, offset 100000 */
	static const unsigned char nowhere[] = { 5, 0, 0, 0, 0, 99, 0 };
	static const unsigned char past[] = { 5, 0, 0, 0, 0, 1, 0xa0, 0x8d, 0x06 };
	/* a varint that never ends */
	static const unsigned char endless[] = { 5, 0, 0, 0, 0, 0xff, 0xff, 0xff, 0xff };

	for (i = 0; i < 3; i++) {
		snprintf(url, sizeof(url), "https://example.com/damaged/%d", i);
		a[i] = mk(url, "Damaged", "A body of a few words, stored in a block.");
		assert_int_equal(nx_article_identify(a[i], NULL), NX_OK);
	}
	put_packed(st, a, 3, status);
	assert_int_equal(q_int(st->db, "SELECT count(*) FROM body_block", NULL), 1);
	assert_int_equal(q_int(st->db, "SELECT nx_body_block(body_z) FROM article LIMIT 1", NULL), 1);
	{
		sqlite3_stmt *s = NULL;
		const unsigned char *bad[] = { nowhere, past, endless };
		const int badn[] = { sizeof(nowhere), sizeof(past), sizeof(endless) };

		for (i = 0; i < 3; i++) {
			assert_int_equal(sqlite3_prepare_v2(st->db, "UPDATE article SET body_z = ?1 WHERE uid = nx_uid_key(?2)",
							    -1, &s, NULL), SQLITE_OK);
			sqlite3_bind_blob(s, 1, bad[i], badn[i], SQLITE_STATIC);
			sqlite3_bind_text(s, 2, a[i]->id, -1, SQLITE_STATIC);
			assert_int_equal(sqlite3_step(s), SQLITE_DONE);
			sqlite3_finalize(s);
			assert_int_equal(nx_store_get(&b, st, a[i]->id, &err), NX_EDB);
			assert_null(b);
			assert_non_null(strstr(err.msg, "corrupt"));
		}
	}
	/* the block's count is now wrong: check says so, optimize mends it */
	{
		nx_check_result cr;
		nx_optimize_result orr;

		assert_int_equal(nx_maint_check(&cr, st, NULL, NULL, &err), NX_OK);
		assert_true(cr.problems >= 4);
		assert_int_equal(nx_maint_optimize(&orr, st, &err), NX_OK);
		assert_int_equal(q_int(st->db, "SELECT count(*) FROM body_block", NULL), 1);
		assert_int_equal(q_int(st->db, "SELECT refs FROM body_block", NULL), 1);
	}
	for (i = 0; i < 3; i++)
		nx_article_free(a[i]);
	nx_store_close(st);
}

/* An article removed while its block is still open (not all its members put). */
static void test_block_remove_open(void **state)
{
	fixture *f = *state;
	nx_store *st = open_ok(f->path, NX_STORE_WRITE);
	nx_article *a[3];
	nx_prepared *v[3];
	nx_error err = NX_ERROR_INIT;
	char url[64], body[96], id[17];
	int i = 0, status = 0;

	for (i = 0; i < 3; i++) {
		snprintf(url, sizeof(url), "https://example.com/open/%d", i);
		snprintf(body, sizeof(body), "Open block story %d about heron%d sightings.", i, i);
		a[i] = mk(url, "Open", body);
		assert_int_equal(nx_article_identify(a[i], NULL), NX_OK);
		assert_int_equal(nx_store_prepare_deferred(&v[i], st, a[i], &err), NX_OK);
	}
	assert_int_equal(nx_store_begin(st, &err), NX_OK);
	assert_int_equal(nx_store_pack(st, v, 3, &err), NX_OK);
	assert_int_equal(nx_store_put_prepared(st, a[0], v[0], &status, &err), NX_OK);
	assert_int_equal(nx_store_put_prepared(st, a[1], v[1], &status, &err), NX_OK);
	/* the block is open: removing a member writes it first, and finds the article's id */
	assert_int_equal(nx_store_remove(st, a[0]->url, id, &err), NX_OK);
	assert_string_equal(id, a[0]->id);
	assert_int_equal(q_int(st->db, "SELECT refs FROM body_block", NULL), 1);
	/* the last member comes too late for its block: compressed alone */
	assert_int_equal(nx_store_put_prepared(st, a[2], v[2], &status, &err), NX_OK);
	assert_int_equal(status, NX_PUT_ADDED);
	assert_int_equal(nx_store_commit(st, &err), NX_OK);
	fts_check(st);
	assert_int_equal(block_of(st, a[2]->id), 0);
	get_same(st, a[1]);
	get_same(st, a[2]);
	for (i = 0; i < 3; i++) {
		nx_prepared_free(v[i]);
		nx_article_free(a[i]);
	}
	nx_store_close(st);
}

/* A body too long to share a block, and entries pack skips. */
static void test_pack_alone(void **state)
{
	fixture *f = *state;
	nx_store *st = open_ok(f->path, NX_STORE_WRITE);
	nx_article *a[3];
	nx_prepared *v[4] = { NULL, NULL, NULL, NULL };
	nx_error err = NX_ERROR_INIT;
	nx_buf big = NX_BUF_INIT;
	int i = 0, status = 0;

	for (i = 0; i < 2000; i++)
		nx_buf_addf(&big, "word%d ", i);
	a[0] = mk("https://example.com/p/0", "Short", "A short body.");
	a[1] = mk("https://example.com/p/1", "Long", big.buf);
	a[2] = mk("https://example.com/p/2", "Short too", "Another short body.");
	for (i = 0; i < 3; i++)
		assert_int_equal(nx_article_identify(a[i], NULL), NX_OK);
	assert_int_equal(nx_store_prepare_deferred(&v[0], st, a[0], &err), NX_OK);
	assert_int_equal(nx_store_prepare_deferred(&v[2], st, a[1], &err), NX_OK);
	assert_int_equal(nx_store_prepare(&v[3], st, a[2], &err), NX_OK); /* not deferred */
	assert_int_equal(nx_store_pack(st, v, 4, &err), NX_OK);
	assert_int_equal(nx_store_put_prepared(st, a[0], v[0], &status, &err), NX_OK);
	assert_int_equal(nx_store_put_prepared(st, a[1], v[2], &status, &err), NX_OK);
	assert_int_equal(nx_store_put_prepared(st, a[2], v[3], &status, &err), NX_OK);
	for (i = 0; i < 3; i++) {
		assert_int_equal(block_of(st, a[i]->id), 0);
		get_same(st, a[i]);
	}
	assert_int_equal(q_int(st->db, "SELECT count(*) FROM body_block", NULL), 0);
	/* a deferred body never packed is compressed when put */
	nx_prepared_free(v[0]);
	v[0] = NULL;
	assert_int_equal(nx_store_remove(st, a[0]->id, NULL, &err), NX_OK);
	assert_int_equal(nx_store_prepare_deferred(&v[0], st, a[0], &err), NX_OK);
	assert_int_equal(nx_store_put_prepared(st, a[0], v[0], &status, &err), NX_OK);
	assert_int_equal(status, NX_PUT_ADDED);
	get_same(st, a[0]);
	fts_check(st);
	for (i = 0; i < 4; i++)
		nx_prepared_free(v[i]);
	for (i = 0; i < 3; i++)
		nx_article_free(a[i]);
	nx_buf_free(&big);
	nx_store_close(st);
}

/* ---- transactions ---- */

static void test_transactions(void **state)
{
	fixture *f = *state;
	nx_store *st = open_ok(f->path, NX_STORE_WRITE);
	nx_article *a = mk("https://example.com/t1", "Rolled back", "quixotic words");
	nx_article *b = mk("https://example.com/t2", "Committed", "sesquipedalian words");
	nx_article *c = mk("https://example.com/t3", "Savepoint undone", "antidisestablishment");
	nx_error err = NX_ERROR_INIT;

	assert_int_equal(nx_store_begin(st, &err), NX_OK);
	put(st, a);
	nx_store_rollback(st);
	fts_check(st);
	assert_int_equal(q_int(st->db, "SELECT count(*) FROM article", NULL), 0);
	assert_int_equal(fts_hits(st, "quixotic"), 0);

	assert_int_equal(nx_store_begin(st, &err), NX_OK);
	put(st, b);
	assert_int_equal(nx_store_savepoint(st, &err), NX_OK);
	put(st, c);
	assert_int_equal(nx_store_release(st, 0, &err), NX_OK);
	assert_int_equal(nx_store_savepoint(st, &err), NX_OK);
	put(st, a);
	assert_int_equal(nx_store_release(st, 1, &err), NX_OK);
	assert_int_equal(nx_store_commit(st, &err), NX_OK);
	fts_check(st);
	assert_int_equal(q_int(st->db, "SELECT count(*) FROM article", NULL), 2);
	assert_int_equal(fts_hits(st, "antidisestablishment"), 0);
	assert_int_equal(fts_hits(st, "sesquipedalian"), 1);

	/* closing with an open transaction rolls it back */
	assert_int_equal(nx_store_begin(st, &err), NX_OK);
	put(st, c);
	nx_store_close(st);
	st = open_ok(f->path, NX_STORE_WRITE);
	assert_int_equal(q_int(st->db, "SELECT count(*) FROM article", NULL), 2);
	fts_check(st);
	nx_article_free(a);
	nx_article_free(b);
	nx_article_free(c);
	nx_store_close(st);
}

/* ---- originals ---- */

static nx_article *from_raw(const char *url, const char *raw, const char *path)
{
	nx_article *a = mk(url, url, "some body");

	a->origin.path = strdup(path);
	a->origin.raw = raw;
	a->origin.rawlen = strlen(raw);
	a->origin.format = "rss";
	return a;
}

static void test_keep_originals(void **state)
{
	fixture *f = *state;
	nx_store *st = open_ok(f->path, NX_STORE_WRITE);
	const char *feed = "<rss><channel><item>one</item><item>two</item></channel></rss>";
	const char *page = "<html><body><p>another document</p></body></html>";
	nx_article *a = from_raw("https://example.com/1", feed, "/data/feed.xml");
	nx_article *b = from_raw("https://example.com/2", feed, "/data/feed.xml");
	nx_article *c = from_raw("https://example.com/3", page, "/data/page.html");
	nx_article *d = from_raw("https://example.com/4", page, "/data/page-copy.html");
	nx_error err = NX_ERROR_INIT;
	char *raw = NULL;

	/* off by default: nothing kept */
	put(st, a);
	assert_int_equal(q_int(st->db, "SELECT count(*) FROM original", NULL), 0);
	assert_int_equal(nx_store_set_keep_originals(st, 1, &err), NX_OK);
	assert_int_equal(nx_store_keep_originals(st), 1);
	put(st, a); /* unchanged article, but its original is now kept */
	put(st, b);
	assert_int_equal(q_int(st->db, "SELECT count(*) FROM original", NULL), 1);
	put(st, c);
	put(st, d);
	put(st, c);
	assert_int_equal(q_int(st->db, "SELECT count(*) FROM original", NULL), 2);
	{
		char sql[96];

		snprintf(sql, sizeof(sql), "SELECT nx_inflate(data_z) FROM original WHERE size = %zu", strlen(page));
		raw = q_text(st->db, sql, NULL);
		assert_non_null(raw);
		assert_string_equal(raw, page);
		free(raw);
	}
	/* each origin points at its original */
	assert_int_equal(q_int(st->db, "SELECT count(*) FROM origin WHERE original IS NOT NULL", NULL), 4);
	assert_int_equal(q_int(st->db, "SELECT count(*) FROM origin o WHERE original IS NOT NULL AND"
			       " NOT EXISTS (SELECT 1 FROM original g WHERE g.hash = o.original)", NULL), 0);
	/* the setting is stored in the index */
	nx_store_close(st);
	st = open_ok(f->path, NX_STORE_READ);
	assert_int_equal(nx_store_keep_originals(st), 1);
	nx_store_close(st);
	st = open_ok(f->path, NX_STORE_WRITE);
	assert_int_equal(nx_store_set_keep_originals(st, 0, &err), NX_OK);
	nx_store_close(st);
	st = open_ok(f->path, NX_STORE_WRITE);
	assert_int_equal(nx_store_keep_originals(st), 0);
	nx_store_close(st);
	nx_article_free(a);
	nx_article_free(b);
	nx_article_free(c);
	nx_article_free(d);
}

/* ---- stats ---- */

static void test_stats(void **state)
{
	fixture *f = *state;
	nx_store *st = open_ok(f->path, NX_STORE_WRITE);
	nx_article *a = rich_article();                      /* 3 photos, published T0 */
	nx_article *b = mk("https://example.com/b", "Second", "Short body.|Two paras.");
	nx_article *c = mk("https://example.com/c", "Third", "Third body text.");
	nx_article *a2 = rich_article();
	nx_stats s;
	nx_error err = NX_ERROR_INIT;
	char *ba = NULL, *bb = NULL, *bc = NULL;

	b->published = tm(T0 - 86400 * 30, 0);
	b->origin.path = strdup("/data/b.txt");
	c->published = tm(T0 + 86400 * 2, 120);
	c->origin.path = strdup("/data/sputnik/lavrov.txt"); /* same file as a */
	put(st, a);
	put(st, b);
	put(st, c);
	a2->updated.utc += 60;
	nx_article_add_para(a2, "An added paragraph.", -1);
	assert_int_equal(put(st, a2), NX_PUT_UPDATED);
	assert_int_equal(nx_store_stats(&s, st, &err), NX_OK);
	assert_int_equal(s.articles, 3);
	assert_int_equal(s.photos, 3);
	assert_int_equal(s.revisions, 1);
	assert_int_equal(s.files, 2);
	assert_int_equal(s.originals, 0);
	ba = nx_article_body(a2);
	bb = nx_article_body(b);
	bc = nx_article_body(c);
	assert_int_equal(s.text_bytes, (int64_t)(strlen(ba) + strlen(bb) + strlen(bc)));
	assert_int_equal(s.stored_bytes, q_int(st->db, "SELECT sum(length(body_z)) FROM article", NULL));
	assert_true(s.stored_bytes > 0);
	assert_true(s.db_bytes > 0);
	assert_int_equal(s.schema, NX_SCHEMA_VERSION);
	assert_true(s.oldest.set);
	assert_true(s.newest.set);
	assert_int_equal(s.oldest.utc, T0 - 86400 * 30);
	assert_int_equal(s.newest.utc, T0 + 86400 * 2);
	free(ba);
	free(bb);
	free(bc);
	nx_article_free(a);
	nx_article_free(a2);
	nx_article_free(b);
	nx_article_free(c);
	nx_store_close(st);
}

static void test_put_status_name(void **state)
{
	(void)state;
	assert_string_equal(nx_put_status_name(NX_PUT_ADDED), "added");
	assert_string_equal(nx_put_status_name(NX_PUT_UPDATED), "updated");
	assert_string_equal(nx_put_status_name(NX_PUT_UNCHANGED), "unchanged");
	assert_non_null(nx_put_status_name(NX_PUT_REVISION));
	assert_non_null(nx_put_status_name(12345));
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_open_creates_folders),
		T(test_open_read_missing),
		T(test_open_read_empty_file),
		T(test_open_foreign_sqlite),
		T(test_open_foreign_sqlite_unmodified),
		T(test_open_junk_file),
		T(test_open_newer_schema),
		T(test_put_get_roundtrip),
		T(test_put_get_date_only_and_no_times),
		T(test_put_without_id),
		T(test_body_stored_compressed),
		cmocka_unit_test(test_deflate_inflate_blob),
		T(test_put_same_twice),
		T(test_versions),
		T(test_origin_versions),
		T(test_dictionary),
		T(test_versions_by_capture),
		T(test_get_refs),
		T(test_get_ambiguous),
		T(test_remove),
		T(test_blocks),
		T(test_blocks_damaged),
		T(test_block_remove_open),
		T(test_pack_alone),
		T(test_transactions),
		T(test_keep_originals),
		T(test_stats),
		cmocka_unit_test(test_put_status_name),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

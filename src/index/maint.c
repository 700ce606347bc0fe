/*
 * maint.c - check and optimize an index (reindex, which parses documents
 * again, is in src/ingest/reindex.c).
 */
#include "newsidx/maint.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <limits.h>
#include <string.h>
#include <sys/stat.h>

#include "index/bulk.h"
#include "index/store_private.h"
#include "util/text.h"

/* ---- check ------------------------------------------------------------------ */

typedef struct checker {
	nx_store *st;
	nx_check_result *out;
	nx_maint_report_cb cb;
	void *ctx;
	nx_error *err;
} checker;

static void problem(checker *c, const char *fmt, ...)
#if defined(__GNUC__)
	__attribute__((format(printf, 2, 3)))
#endif
	;

static void problem(checker *c, const char *fmt, ...)
{
	char msg[1024];
	va_list ap;

	c->out->problems++;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (c->cb != NULL)
		c->cb(msg, c->ctx);
}

/* Every row of a PRAGMA that answers "ok" when all is well is a problem. */
static int check_pragma(checker *c, const char *sql, const char *what, int ok_row)
{
	sqlite3_stmt *s = NULL;
	int step = 0, rc = NX_OK;

	if (sqlite3_prepare_v2(c->st->db, sql, -1, &s, NULL) != SQLITE_OK) {
		problem(c, "%s: %s", what, sqlite3_errmsg(c->st->db));
		return NX_OK;
	}
	while ((step = sqlite3_step(s)) == SQLITE_ROW) {
		const char *v = (const char *)sqlite3_column_text(s, 0);

		if (ok_row && v != NULL && strcmp(v, "ok") == 0)
			continue;
		if (ok_row)
			problem(c, "%s: %s", what, v != NULL ? v : "(null)");
		else
			problem(c, "%s: table %s row %lld refers to a missing %s row", what,
				v != NULL ? v : "?", (long long)sqlite3_column_int64(s, 1),
				sqlite3_column_text(s, 2) != NULL ? (const char *)sqlite3_column_text(s, 2) : "?");
	}
	if (step != SQLITE_DONE) {
		if (sqlite3_errcode(c->st->db) == SQLITE_NOMEM)
			rc = nx_error_set(c->err, NX_ENOMEM, "out of memory");
		else
			problem(c, "%s: %s", what, sqlite3_errmsg(c->st->db));
	}
	sqlite3_finalize(s);
	return rc;
}

static void check_fts(checker *c)
{
	char *msg = NULL;

	/* compares the index with its content (the fts_src view) too */
	if (sqlite3_exec(c->st->db, "INSERT INTO fts(fts) VALUES('integrity-check')", NULL, NULL, &msg) !=
	    SQLITE_OK)
		problem(c, "full-text index: %s (run 'newsidx reindex' or rebuild)",
			msg != NULL ? msg : sqlite3_errmsg(c->st->db));
	sqlite3_free(msg);
}

static int check_articles(checker *c)
{
	static const char sql[] = "SELECT nx_uid(uid), body_len, body_hash, body_z, hash FROM article";
	sqlite3_stmt *s = NULL;
	nx_buf body = NX_BUF_INIT;
	int step = 0, rc = NX_OK, irc = NX_OK;

	if (sqlite3_prepare_v2(c->st->db, sql, -1, &s, NULL) != SQLITE_OK)
		return nx_store__dberr(c->st, c->err, "cannot read articles");
	while ((step = sqlite3_step(s)) == SQLITE_ROW) {
		const char *uid = (const char *)sqlite3_column_text(s, 0);
		char want[65], got[65];

		c->out->articles++;
		nx_buf_reset(&body);
		irc = nx_store__inflate(c->st, &body, sqlite3_column_blob(s, 3), (size_t)sqlite3_column_bytes(s, 3));
		if (irc == NX_ENOMEM) {
			rc = nx_error_set(c->err, NX_ENOMEM, "out of memory");
			break;
		}
		if (irc < 0) {
			problem(c, "article %s: compressed body does not inflate", uid != NULL ? uid : "?");
			continue;
		}
		if ((int64_t)body.len != sqlite3_column_int64(s, 1))
			problem(c, "article %s: body is %zu bytes, %lld recorded", uid != NULL ? uid : "?", body.len,
				(long long)sqlite3_column_int64(s, 1));
		nx_sha256_hex(body.buf, body.len, got);
		nx_store__hash_col(s, 2, want);
		/* schema 2 keeps the first 8 bytes */
		if (want[0] == '\0' || strncmp(got, want, strlen(want)) != 0)
			problem(c, "article %s: body does not match its hash", uid != NULL ? uid : "?");
	}
	if (rc == NX_OK && step != SQLITE_DONE)
		problem(c, "articles: %s", sqlite3_errmsg(c->st->db));
	sqlite3_finalize(s);
	nx_buf_free(&body);
	return rc;
}

static int check_revisions(checker *c)
{
	static const char sql[] =
		"SELECT nx_uid(a.uid), r.rev, r.hash, r.doc_z FROM revision r LEFT JOIN article a ON a.id = r.article_id";
	sqlite3_stmt *s = NULL;
	nx_buf doc = NX_BUF_INIT;
	int step = 0, rc = NX_OK, irc = NX_OK;

	if (sqlite3_prepare_v2(c->st->db, sql, -1, &s, NULL) != SQLITE_OK)
		return nx_store__dberr(c->st, c->err, "cannot read revisions");
	while ((step = sqlite3_step(s)) == SQLITE_ROW) {
		const char *uid = (const char *)sqlite3_column_text(s, 0);
		const char *want = (const char *)sqlite3_column_text(s, 2);
		long long rev = sqlite3_column_int64(s, 1);
		nx_article *a = NULL;
		char got[65];

		c->out->revisions++;
		nx_buf_reset(&doc);
		irc = nx_inflate_blob(&doc, sqlite3_column_blob(s, 3), (size_t)sqlite3_column_bytes(s, 3));
		if (irc == NX_ENOMEM) {
			rc = nx_error_set(c->err, NX_ENOMEM, "out of memory");
			break;
		}
		if (irc < 0) {
			problem(c, "article %s revision %lld: does not inflate", uid != NULL ? uid : "?", rev);
			continue;
		}
		if (nx_article_from_json(&a, doc.buf, doc.len, NULL) < 0) {
			problem(c, "article %s revision %lld: not an article", uid != NULL ? uid : "?", rev);
			continue;
		}
		if (nx_article_hash(got, a) < 0) {
			nx_article_free(a);
			rc = nx_error_set(c->err, NX_ENOMEM, "out of memory");
			break;
		}
		nx_article_free(a);
		if (want == NULL || strcmp(got, want) != 0)
			problem(c, "article %s revision %lld: does not match its hash", uid != NULL ? uid : "?", rev);
	}
	if (rc == NX_OK && step != SQLITE_DONE)
		problem(c, "revisions: %s", sqlite3_errmsg(c->st->db));
	sqlite3_finalize(s);
	nx_buf_free(&doc);
	return rc;
}

static int check_originals(checker *c)
{
	static const char sql[] = "SELECT hash, size, data_z FROM original";
	sqlite3_stmt *s = NULL;
	nx_buf data = NX_BUF_INIT;
	int step = 0, rc = NX_OK, irc = NX_OK;

	if (sqlite3_prepare_v2(c->st->db, sql, -1, &s, NULL) != SQLITE_OK)
		return nx_store__dberr(c->st, c->err, "cannot read originals");
	while ((step = sqlite3_step(s)) == SQLITE_ROW) {
		const char *want = (const char *)sqlite3_column_text(s, 0);
		char got[65];

		c->out->originals++;
		nx_buf_reset(&data);
		irc = nx_inflate_blob(&data, sqlite3_column_blob(s, 2), (size_t)sqlite3_column_bytes(s, 2));
		if (irc == NX_ENOMEM) {
			rc = nx_error_set(c->err, NX_ENOMEM, "out of memory");
			break;
		}
		if (irc < 0) {
			problem(c, "original %.16s: does not inflate", want != NULL ? want : "?");
			continue;
		}
		nx_sha256_hex(data.buf, data.len, got);
		if (want == NULL || strcmp(got, want) != 0 || (int64_t)data.len != sqlite3_column_int64(s, 1))
			problem(c, "original %.16s: does not match its hash", want != NULL ? want : "?");
	}
	if (rc == NX_OK && step != SQLITE_DONE)
		problem(c, "originals: %s", sqlite3_errmsg(c->st->db));
	sqlite3_finalize(s);
	nx_buf_free(&data);
	return rc;
}

/*
 * Every block of bodies counts the articles that refer to it (schema 4).
 * Both lists come sorted by block id and are walked side by side: a join
 * of the table with the grouped articles was a nested scan, blocks times
 * blocks (over 15 minutes at 1M articles).
 */
static int check_blocks(checker *c)
{
	static const char blocks_sql[] = "SELECT id, refs FROM body_block ORDER BY id";
	static const char refs_sql[] = "SELECT nx_body_block(body_z) AS b, count(*) FROM article"
				       " WHERE b != 0 GROUP BY b ORDER BY b";
	sqlite3_stmt *k = NULL, *r = NULL;
	int ks = SQLITE_DONE, rs = SQLITE_DONE;

	if (c->st->schema < 4)
		return NX_OK;
	if (sqlite3_prepare_v2(c->st->db, blocks_sql, -1, &k, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(c->st->db, refs_sql, -1, &r, NULL) != SQLITE_OK) {
		sqlite3_finalize(k);
		return nx_store__dberr(c->st, c->err, "cannot read the blocks of bodies");
	}
	ks = sqlite3_step(k);
	rs = sqlite3_step(r);
	while (ks == SQLITE_ROW || rs == SQLITE_ROW) {
		long long kid = ks == SQLITE_ROW ? sqlite3_column_int64(k, 0) : LLONG_MAX;
		long long rid = rs == SQLITE_ROW ? sqlite3_column_int64(r, 0) : LLONG_MAX;
		long long counted = kid == LLONG_MAX ? 0 : sqlite3_column_int64(k, 1);
		long long refer = rid == kid ? sqlite3_column_int64(r, 1) : 0;

		if (rid < kid) {
			problem(c, "block of bodies %lld: %lld articles refer to it, and it is missing (run 'newsidx "
				"reindex')", rid, (long long)sqlite3_column_int64(r, 1));
			rs = sqlite3_step(r);
			continue;
		}
		if (counted != refer)
			problem(c, "block of bodies %lld: counts %lld articles, %lld refer to it (run 'newsidx optimize')",
				kid, counted, refer);
		if (rid == kid)
			rs = sqlite3_step(r);
		ks = sqlite3_step(k);
	}
	if (ks != SQLITE_DONE || rs != SQLITE_DONE)
		problem(c, "blocks of bodies: %s", sqlite3_errmsg(c->st->db));
	sqlite3_finalize(k);
	sqlite3_finalize(r);
	return NX_OK;
}

int nx_maint_check(nx_check_result *out, nx_store *st, nx_maint_report_cb cb, void *ctx, nx_error *err)
{
	checker c;
	int rc = NX_OK;

	memset(out, 0, sizeof(*out));
	c.st = st;
	c.out = out;
	c.cb = cb;
	c.ctx = ctx;
	c.err = err;
	if ((rc = check_pragma(&c, "PRAGMA integrity_check", "sqlite integrity", 1)) < 0 ||
	    (rc = check_pragma(&c, "PRAGMA foreign_key_check", "foreign keys", 0)) < 0)
		return rc;
	check_fts(&c);
	if ((rc = check_articles(&c)) < 0 || (rc = check_blocks(&c)) < 0 || (rc = check_revisions(&c)) < 0 ||
	    (rc = check_originals(&c)) < 0)
		return rc;
	return NX_OK;
}

/* ---- optimize ---------------------------------------------------------------- */

static int64_t file_bytes(const char *path)
{
	struct stat sb;
	char wal[4096];
	int64_t n = 0;

	if (stat(path, &sb) == 0)
		n += (int64_t)sb.st_size;
	if ((size_t)snprintf(wal, sizeof(wal), "%s-wal", path) < sizeof(wal) && stat(wal, &sb) == 0)
		n += (int64_t)sb.st_size;
	return n;
}

static int run_sql(nx_store *st, const char *sql, const char *what, nx_error *err)
{
	char *msg = NULL;

	if (sqlite3_exec(st->db, sql, NULL, NULL, &msg) != SQLITE_OK) {
		sqlite3_free(msg);
		return nx_store__dberr(st, err, what);
	}
	return NX_OK;
}

/*
 * The articles referring to each block of bodies, counted again: a block
 * none refers to goes (what check reports as a wrong count).
 */
static const char recount_blocks_sql[] =
	"BEGIN IMMEDIATE;"
	"CREATE TEMP TABLE nx_blockrefs(b INTEGER PRIMARY KEY, n INTEGER);"
	"INSERT INTO nx_blockrefs SELECT nx_body_block(body_z), count(*) FROM article"
	"  WHERE nx_body_block(body_z) != 0 GROUP BY 1;"
	"DELETE FROM body_block WHERE id NOT IN (SELECT b FROM nx_blockrefs);"
	"UPDATE body_block SET refs = (SELECT n FROM nx_blockrefs WHERE b = body_block.id)"
	"  WHERE refs != (SELECT n FROM nx_blockrefs WHERE b = body_block.id);"
	"DROP TABLE nx_blockrefs;"
	"COMMIT;";

static int64_t pragma_int(nx_store *st, const char *sql)
{
	sqlite3_stmt *s = NULL;
	int64_t v = 0;

	if (sqlite3_prepare_v2(st->db, sql, -1, &s, NULL) == SQLITE_OK && sqlite3_step(s) == SQLITE_ROW)
		v = sqlite3_column_int64(s, 0);
	sqlite3_finalize(s);
	return v;
}

/*
 * VACUUM rewrites the whole file: worth it when at least 1/20 of its pages
 * are free (after the full-text merge, or rm), not on a freshly loaded
 * index.  Its copy keeps as many pages in memory as the connection's
 * cache: at 64 MB that was 332 MB of peak memory at 1M articles, at 8 MB
 * 55 MB (and no slower).  Fewer free pages, in an index made with
 * auto_vacuum = INCREMENTAL (every index since d2deeaf), are handed back
 * without a rewrite (nx_store__trim): the merge of the segments a load
 * leaves frees about 0.5-1% of the file (55 MB at 10M articles, which
 * took the index from 0.998 to 1.003 bytes a text byte).
 */
static int reclaim(nx_store *st, nx_error *err)
{
	int64_t free_pages = pragma_int(st, "PRAGMA freelist_count");
	int rc = NX_OK;

	if (free_pages == 0)
		return NX_OK;
	if (free_pages * 20 < pragma_int(st, "PRAGMA page_count")) {
		nx_store__trim(st);
		return NX_OK;
	}
	nx_store__exec(st, "PRAGMA cache_size = -8192", NULL, "");
	rc = run_sql(st, "VACUUM", "cannot reclaim free space", err);
	nx_store__exec(st, "PRAGMA cache_size = -65536", NULL, "");
	return rc;
}

int nx_maint_optimize(nx_optimize_result *out, nx_store *st, nx_error *err)
{
	int rc = NX_OK;

	memset(out, 0, sizeof(*out));
	out->bytes_before = file_bytes(nx_store_path(st));
	if ((rc = run_sql(st, recount_blocks_sql, "cannot recount the blocks of bodies", err)) < 0) {
		sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
		return rc;
	}
	if ((rc = nx_store__vocab_rebuild(st, err)) < 0 ||
	    (rc = run_sql(st, "INSERT INTO fts(fts) VALUES('optimize')", "cannot merge the full-text index",
			  err)) < 0 ||
	    (rc = reclaim(st, err)) < 0 ||
	    (rc = run_sql(st, "PRAGMA optimize", "cannot update statistics", err)) < 0)
		return rc;
	/* readers may hold the WAL open: a partial checkpoint is fine */
	sqlite3_exec(st->db, "PRAGMA wal_checkpoint(TRUNCATE)", NULL, NULL, NULL);
	out->bytes_after = file_bytes(nx_store_path(st));
	return NX_OK;
}

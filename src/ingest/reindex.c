/*
 * reindex.c - newsidx reindex (nx_maint_reindex, newsidx/maint.h): parse
 * every article's source again, from its file or its kept original, and
 * put the result back.  Here rather than in src/index because it runs the
 * parsers: the index stays below the formats.
 */
#include "newsidx/maint.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "newsidx/ingest.h"
#include "index/store_private.h"
#include "util/text.h"

#define REINDEX_BATCH 1000

static void report(nx_maint_report_cb cb, void *ctx, const char *fmt, ...)
#if defined(__GNUC__)
	__attribute__((format(printf, 3, 4)))
#endif
	;

static void report(nx_maint_report_cb cb, void *ctx, const char *fmt, ...)
{
	char msg[1024];
	va_list ap;

	if (cb == NULL)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	cb(msg, ctx);
}

/* ---- reindex ------------------------------------------------------------------ */

typedef struct reindexer {
	nx_store *st;
	nx_reindex_result *out;
	nx_maint_report_cb cb;
	void *ctx;
	nx_error *err;
	sqlite3_stmt *find, *drop_rev, *mark;
	size_t pending;
	int db_failed;
} reindexer;

static int ri_prepare(reindexer *r)
{
	char *msg = NULL;

	if (sqlite3_exec(r->st->db, "CREATE TEMP TABLE IF NOT EXISTS nx_reindexed(id INTEGER PRIMARY KEY);"
			 "DELETE FROM temp.nx_reindexed", NULL, NULL, &msg) != SQLITE_OK) {
		nx_error_set(r->err, NX_EDB, "cannot prepare the reindex: %s", msg != NULL ? msg : "unknown error");
		sqlite3_free(msg);
		return NX_EDB;
	}
	if (sqlite3_prepare_v2(r->st->db, "SELECT id, captured FROM article WHERE uid = nx_uid_key(?1)", -1, &r->find,
			       NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(r->st->db,
			       "DELETE FROM revision WHERE article_id = ?1 AND"
			       " rev = (SELECT max(rev) FROM revision WHERE article_id = ?1)", -1, &r->drop_rev,
			       NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(r->st->db, "INSERT OR IGNORE INTO temp.nx_reindexed(id)"
			       " SELECT id FROM article WHERE uid = nx_uid_key(?1)", -1, &r->mark, NULL) != SQLITE_OK)
		return nx_store__dberr(r->st, r->err, "cannot prepare the reindex");
	return NX_OK;
}

static int ri_step(reindexer *r, sqlite3_stmt *s)
{
	int step = sqlite3_step(s);

	sqlite3_reset(s);
	if (step != SQLITE_DONE && step != SQLITE_ROW) {
		r->db_failed = 1;
		return nx_store__dberr(r->st, r->err, "cannot reindex");
	}
	return NX_OK;
}

/* Replace the current version of a re-normalized article in place. */
static int ri_article(nx_article *a, void *ctx)
{
	reindexer *r = ctx;
	int64_t id = 0;
	int status = 0, found = 0, rc = NX_OK, tries = 0;
	char legacy[17] = "";
	const char *uid = a->id;

	/* under its id, else the id an older index gave it (the put does the same) */
	for (tries = 0; tries < 2 && !found && uid != NULL; tries++) {
		sqlite3_reset(r->find);
		sqlite3_bind_text(r->find, 1, uid, -1, SQLITE_TRANSIENT);
		found = sqlite3_step(r->find) == SQLITE_ROW;
		if (!found)
			uid = tries == 0 && nx_article__legacy_id(a, legacy) ? legacy : NULL;
	}
	if (found) {
		id = sqlite3_column_int64(r->find, 0);
		/* same capture time: the put sees the same version, not a newer one */
		a->captured.set = a->captured.has_time = 1;
		a->captured.utc = sqlite3_column_int64(r->find, 1);
	}
	sqlite3_reset(r->find);
	if ((rc = nx_store_put(r->st, a, &status, r->err)) < 0) {
		r->db_failed = 1;
		return rc;
	}
	if (status == NX_PUT_UPDATED && found) {
		/* the put kept the old normal form as a revision: a re-normalization is no new version */
		sqlite3_bind_int64(r->drop_rev, 1, id);
		if ((rc = ri_step(r, r->drop_rev)) < 0)
			return rc;
		r->out->renormalized++;
	} else if (status == NX_PUT_ADDED) {
		r->out->added++;
	} else {
		r->out->unchanged++;
	}
	sqlite3_bind_text(r->mark, 1, found ? uid : a->id, -1, SQLITE_TRANSIENT);
	if ((rc = ri_step(r, r->mark)) < 0)
		return rc;
	r->pending++;
	return NX_OK;
}

static int ri_batch(reindexer *r)
{
	if (r->pending < REINDEX_BATCH)
		return NX_OK;
	r->pending = 0;
	if (nx_store_commit(r->st, r->err) < 0 || nx_store_begin(r->st, r->err) < 0) {
		r->db_failed = 1;
		return r->err->code;
	}
	return NX_OK;
}

/* Ingest a buffer as coming from path, in a savepoint. */
static int ri_ingest(reindexer *r, const char *data, size_t len, const char *path, int64_t *nfrom)
{
	nx_ingest_opts opts = NX_INGEST_OPTS_INIT;
	nx_error perr = NX_ERROR_INIT;
	int64_t before = r->out->renormalized + r->out->unchanged + r->out->added;
	int rc = NX_OK, irc = NX_OK;

	if ((rc = nx_store_savepoint(r->st, r->err)) < 0) {
		r->db_failed = 1;
		return rc;
	}
	irc = nx_ingest_buffer(data, len, path, &opts, ri_article, r, &perr);
	if (r->db_failed) {
		nx_store_release(r->st, 0, NULL);
		return r->err->code < 0 ? r->err->code : NX_EDB;
	}
	if ((rc = nx_store_release(r->st, 1, r->err)) < 0) {
		r->db_failed = 1;
		return rc;
	}
	if (irc < 0) {
		r->out->failed++;
		report(r->cb, r->ctx, "%s: %s", path, perr.msg[0] != '\0' ? perr.msg : nx_strerror(irc));
	}
	*nfrom += r->out->renormalized + r->out->unchanged + r->out->added - before;
	return ri_batch(r);
}

static int read_file(nx_buf *out, const char *path)
{
	char chunk[65536];
	ssize_t n = 0;
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	struct stat sb;

	if (fd < 0)
		return -1;
	if (fstat(fd, &sb) < 0 || !S_ISREG(sb.st_mode)) {
		close(fd);
		return -1;
	}
	while ((n = read(fd, chunk, sizeof(chunk))) != 0) {
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			close(fd);
			return -1;
		}
		nx_buf_add(out, chunk, (size_t)n);
	}
	close(fd);
	return nx_buf_ok(out) ? 0 : -1;
}

/* Pass 1: source files that still hold the bytes we indexed. */
static int ri_files(reindexer *r)
{
	static const char sql[] =
		"SELECT f.path, coalesce(f.hash, '') FROM file f"
		" WHERE EXISTS (SELECT 1 FROM origin o WHERE o.file_id = f.id) ORDER BY f.id";
	sqlite3_stmt *s = NULL;
	nx_buf list = NX_BUF_INIT, data = NX_BUF_INIT;
	const char *p = NULL, *end = NULL;
	int step = 0, rc = NX_OK;

	/* the list first ("path\0hash\0" pairs): ingesting writes to the file table */
	if (sqlite3_prepare_v2(r->st->db, sql, -1, &s, NULL) != SQLITE_OK)
		return nx_store__dberr(r->st, r->err, "cannot list source files");
	while ((step = sqlite3_step(s)) == SQLITE_ROW) {
		const char *path = (const char *)sqlite3_column_text(s, 0);
		const char *hash = (const char *)sqlite3_column_text(s, 1);

		if (path == NULL || path[0] != '/')
			continue;
		nx_buf_add(&list, path, strlen(path) + 1);
		nx_buf_add(&list, hash != NULL ? hash : "", (hash != NULL ? strlen(hash) : 0) + 1);
	}
	sqlite3_finalize(s);
	if (step != SQLITE_DONE) {
		rc = nx_store__dberr(r->st, r->err, "cannot list source files");
		goto done;
	}
	if (!nx_buf_ok(&list)) {
		rc = nx_error_set(r->err, NX_ENOMEM, "out of memory");
		goto done;
	}
	end = list.buf + list.len;
	for (p = list.buf; p != NULL && p < end && rc == NX_OK;) {
		const char *path = p, *want = p + strlen(p) + 1;
		char got[65];

		p = want + strlen(want) + 1;
		nx_buf_reset(&data);
		if (read_file(&data, path) < 0 || data.len == 0)
			continue;
		nx_sha256_hex(data.buf, data.len, got);
		/* a file changed since is new content for sync, not for reindex */
		if (want[0] == '\0' || strcmp(want, got) == 0)
			rc = ri_ingest(r, data.buf, data.len, path, &r->out->from_file);
	}
done:
	nx_buf_free(&list);
	nx_buf_free(&data);
	return rc;
}

/* Pass 2: articles not reached, from their kept originals; the rest are reported. */
static int ri_originals(reindexer *r)
{
	static const char sql[] =
		"SELECT nx_uid(a.uid),"
		" (SELECT o.original FROM origin o WHERE o.article_id = a.id AND o.original IS NOT NULL LIMIT 1),"
		" (SELECT f.path FROM origin o JOIN file f ON f.id = o.file_id WHERE o.article_id = a.id"
		"  ORDER BY o.original IS NULL LIMIT 1)"
		" FROM article a WHERE a.id NOT IN (SELECT id FROM temp.nx_reindexed) ORDER BY a.id";
	static const char sql_orig[] = "SELECT data_z FROM original WHERE hash = ?1";
	sqlite3_stmt *s = NULL, *o = NULL;
	nx_buf data = NX_BUF_INIT;
	int step = 0, rc = NX_OK;

	/* read the list first: the passes below write to the tables it reads */
	if (sqlite3_exec(r->st->db, "CREATE TEMP TABLE IF NOT EXISTS nx_reindex_todo(uid, original, path);"
			 "DELETE FROM temp.nx_reindex_todo", NULL, NULL, NULL) != SQLITE_OK)
		return nx_store__dberr(r->st, r->err, "cannot list articles");
	{
		char *ins = sqlite3_mprintf("INSERT INTO temp.nx_reindex_todo %s", sql);
		int erc = ins != NULL ? sqlite3_exec(r->st->db, ins, NULL, NULL, NULL) : SQLITE_NOMEM;

		sqlite3_free(ins);
		if (erc != SQLITE_OK)
			return nx_store__dberr(r->st, r->err, "cannot list articles");
	}
	if (sqlite3_prepare_v2(r->st->db, "SELECT uid, original, path FROM temp.nx_reindex_todo", -1, &s,
			       NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(r->st->db, sql_orig, -1, &o, NULL) != SQLITE_OK) {
		rc = nx_store__dberr(r->st, r->err, "cannot list articles");
		goto done;
	}
	while (rc == NX_OK && (step = sqlite3_step(s)) == SQLITE_ROW) {
		const char *uid = (const char *)sqlite3_column_text(s, 0);
		const char *orig = (const char *)sqlite3_column_text(s, 1);
		const char *path = (const char *)sqlite3_column_text(s, 2);
		int ostep = 0;

		if (orig == NULL) {
			r->out->gone++;
			report(r->cb, r->ctx, "article %s: source '%s' is gone or changed and no original was kept",
			       uid != NULL ? uid : "?", path != NULL ? path : "(unknown)");
			continue;
		}
		sqlite3_reset(o);
		sqlite3_bind_text(o, 1, orig, -1, SQLITE_TRANSIENT);
		ostep = sqlite3_step(o);
		nx_buf_reset(&data);
		if (ostep != SQLITE_ROW ||
		    nx_inflate_blob(&data, sqlite3_column_blob(o, 0), (size_t)sqlite3_column_bytes(o, 0)) < 0) {
			sqlite3_reset(o);
			r->out->failed++;
			report(r->cb, r->ctx, "article %s: its original is missing or corrupt (run 'newsidx check')",
			       uid != NULL ? uid : "?");
			continue;
		}
		sqlite3_reset(o);
		{
			char *p = path != NULL ? strdup(path) : NULL;

			rc = ri_ingest(r, data.buf, data.len, p != NULL ? p : "<original>", &r->out->from_original);
			free(p);
		}
	}
	if (rc == NX_OK && step != SQLITE_DONE && step != SQLITE_ROW)
		rc = nx_store__dberr(r->st, r->err, "cannot list articles");
done:
	sqlite3_finalize(s);
	sqlite3_finalize(o);
	nx_buf_free(&data);
	return rc;
}

int nx_maint_reindex(nx_reindex_result *out, nx_store *st, nx_maint_report_cb cb, void *ctx, nx_error *err)
{
	reindexer r;
	sqlite3_stmt *s = NULL;
	int rc = NX_OK;

	memset(out, 0, sizeof(*out));
	memset(&r, 0, sizeof(r));
	r.st = st;
	r.out = out;
	r.cb = cb;
	r.ctx = ctx;
	r.err = err;
	if (sqlite3_prepare_v2(st->db, "SELECT count(*) FROM article", -1, &s, NULL) == SQLITE_OK &&
	    sqlite3_step(s) == SQLITE_ROW)
		out->articles = sqlite3_column_int64(s, 0);
	sqlite3_finalize(s);
	if ((rc = ri_prepare(&r)) < 0)
		goto done;
	if ((rc = nx_store_begin(st, err)) < 0)
		goto done;
	if ((rc = ri_files(&r)) == NX_OK)
		rc = ri_originals(&r);
	if (rc == NX_OK)
		rc = nx_store_commit(st, err);
	else
		nx_store_rollback(st);
done:
	sqlite3_finalize(r.find);
	sqlite3_finalize(r.drop_rev);
	sqlite3_finalize(r.mark);
	return rc;
}


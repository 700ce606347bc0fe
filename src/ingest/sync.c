/*
 * sync.c - incremental re-indexing: walk, compare with the recorded file
 * state, ingest what changed, prune what is gone.
 */
#include "newsidx/sync.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "newsidx/add.h"
#include "util/buf.h"
#include "ingest/filestate.h"
#include "ingest/walk.h"
#include "util/hex.h"
#include "index/store_private.h"
#include "util/text.h"

#define SYNC_MAX_DEPTH 64
/* Files larger than this are hashed in a streaming pass and parsed from the file. */
#define BIG_FILE ((uint64_t)64 << 20)

/* Statements of this file, prepared once per run on the store's connection. */
enum {
	S_LOAD_FILES,
	S_STAMP_FILE,
	S_RESTAMP_FILE,
	S_CLEAR_PREV,
	S_SAVE_PREV,
	S_DROP_ORIGINS,
	S_RESTORE_PREV,
	S_FILE_ARTICLES,
	S_DELETE_FILE,
	S_ORIGIN_COUNT,
	S_MAX_SEEN,
	S__COUNT
};

static const char *const sync_sql[S__COUNT] = {
	[S_LOAD_FILES] =
		"SELECT f.id, f.path, f.size, f.mtime, f.ino, f.hash,"
		" (SELECT count(*) FROM origin o WHERE o.file_id = f.id) FROM file f",
	[S_STAMP_FILE] = "UPDATE file SET size = ?2, mtime = ?3, ino = ?4, hash = ?5, seen = ?6 WHERE id = ?1",
	[S_RESTAMP_FILE] = "UPDATE file SET size = ?2, mtime = ?3, ino = ?4, seen = ?5 WHERE id = ?1",
	[S_CLEAR_PREV] = "DELETE FROM temp.nx_sync_prev",
	[S_SAVE_PREV] =
		"INSERT INTO temp.nx_sync_prev SELECT article_id, file_id, offset, record_id, format,"
		" original, hash FROM origin WHERE file_id = ?1",
	[S_DROP_ORIGINS] = "DELETE FROM origin WHERE file_id = ?1",
	/* articles that dropped out of a changed file (an old feed item) keep
	 * the file as their origin */
	[S_RESTORE_PREV] =
		"INSERT OR IGNORE INTO origin(article_id, file_id, offset, record_id, format, original, hash)"
		" SELECT p.article_id, p.file_id, p.offset, p.record_id, p.format, p.original, p.hash"
		" FROM temp.nx_sync_prev p WHERE NOT EXISTS (SELECT 1 FROM origin o"
		" WHERE o.file_id = p.file_id AND o.article_id = p.article_id)",
	[S_FILE_ARTICLES] =
		"SELECT DISTINCT nx_uid(a.uid) FROM origin o JOIN article a ON a.id = o.article_id WHERE o.file_id = ?1",
	[S_DELETE_FILE] = "DELETE FROM file WHERE id = ?1",
	[S_ORIGIN_COUNT] =
		"SELECT count(*) FROM origin WHERE article_id = (SELECT id FROM article WHERE uid = nx_uid_key(?1))",
	[S_MAX_SEEN] = "SELECT coalesce(max(seen), 0) FROM file",
};

/* What the index knows of one file, plus whether this run visited it. */
typedef struct fentry {
	int64_t id;        /* file.id; 0 for a file new in this run */
	int64_t size, mtime, ino;
	int64_t narticles; /* origins recorded for it */
	size_t path_off;   /* into sync_run.paths */
	uint32_t hv;
	unsigned char sha[32];
	unsigned char has_state, visited;
} fentry;

typedef struct root {
	char *real;
	int walked; /* the walk reached it: prune may look under it */
} root;

typedef struct sync_run {
	nx_store *st;
	const nx_sync_opts *o;
	nx_sync_stats *s;
	nx_error *err;
	sqlite3_stmt *stmt[S__COUNT];
	int64_t run_id;
	nx_ingest_opts ingest;
	/* the file table, in memory: entries, open-addressing index, path arena */
	fentry *ent;
	size_t nent, capent;
	uint32_t *slot; /* entry index + 1; 0 = empty */
	size_t nslot;
	nx_buf paths;
	/* batching */
	int in_tx;
	int bulk;         /* a first sync into an empty index: loaded as add loads one (first_sync_bulk) */
	int bulk_started; /* its settings taken, in the first transaction */
	size_t pending_articles, pending_files;
	double batch_started, started;
	const char *root_real; /* the folder being walked, resolved */
	/* the file being ingested */
	const char *file;
	int db_failed;
	nx_error ferr;
	/* its articles waiting to have their bodies packed together (nx_store_pack) */
	nx_article *held[NX_PACK_MAX];
	nx_prepared *hprep[NX_PACK_MAX];
	int nheld;
} sync_run;

static double mono_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int dberr(sync_run *r, const char *what)
{
	r->db_failed = 1;
	return nx_store__dberr(r->st, r->err, what);
}

static sqlite3_stmt *stmt(sync_run *r, int id)
{
	sqlite3_stmt *s = r->stmt[id];

	if (s == NULL) {
		if (sqlite3_prepare_v3(r->st->db, sync_sql[id], -1, SQLITE_PREPARE_PERSISTENT,
				       &r->stmt[id], NULL) != SQLITE_OK) {
			dberr(r, "cannot prepare statement");
			return NULL;
		}
		return r->stmt[id];
	}
	sqlite3_reset(s);
	sqlite3_clear_bindings(s);
	return s;
}

/* Step a statement that returns no row we need; reset it. */
static int run_stmt(sync_run *r, sqlite3_stmt *s, const char *what)
{
	int rc = sqlite3_step(s);

	sqlite3_reset(s);
	if (rc != SQLITE_DONE && rc != SQLITE_ROW)
		return dberr(r, what);
	return NX_OK;
}

/* ---- the in-memory file table ------------------------------------------ */

static uint32_t hash_path(const char *p)
{
	uint32_t h = 2166136261u;

	for (; *p != '\0'; p++)
		h = (h ^ (unsigned char)*p) * 16777619u;
	return h;
}

static const char *ent_path(const sync_run *r, const fentry *e)
{
	return r->paths.buf + e->path_off;
}

static int grow_slots(sync_run *r)
{
	size_t n = r->nslot != 0 ? r->nslot * 2 : 1024, i = 0;
	uint32_t *slot = calloc(n, sizeof(*slot));

	if (slot == NULL)
		return NX_ENOMEM;
	for (i = 0; i < r->nent; i++) {
		size_t k = r->ent[i].hv & (n - 1);

		while (slot[k] != 0)
			k = (k + 1) & (n - 1);
		slot[k] = (uint32_t)(i + 1);
	}
	free(r->slot);
	r->slot = slot;
	r->nslot = n;
	return NX_OK;
}

static fentry *find_entry(sync_run *r, const char *path)
{
	uint32_t hv = hash_path(path);
	size_t k = 0;

	if (r->nslot == 0)
		return NULL;
	for (k = hv & (r->nslot - 1); r->slot[k] != 0; k = (k + 1) & (r->nslot - 1)) {
		fentry *e = &r->ent[r->slot[k] - 1];

		if (e->hv == hv && strcmp(ent_path(r, e), path) == 0)
			return e;
	}
	return NULL;
}

/* Add an entry for path (not yet present); NULL on out of memory. */
static fentry *add_entry(sync_run *r, const char *path)
{
	fentry *e = NULL;
	size_t k = 0;

	if ((r->nent + 1) * 2 > r->nslot && grow_slots(r) < 0)
		return NULL;
	if (r->nent == r->capent) {
		size_t cap = r->capent != 0 ? r->capent * 2 : 1024;
		fentry *p = NULL;

		if (cap > UINT32_MAX - 1)
			return NULL;
		p = realloc(r->ent, cap * sizeof(*p));
		if (p == NULL)
			return NULL;
		r->ent = p;
		r->capent = cap;
	}
	e = &r->ent[r->nent];
	memset(e, 0, sizeof(*e));
	e->path_off = r->paths.len;
	e->hv = hash_path(path);
	nx_buf_add(&r->paths, path, strlen(path) + 1);
	if (!nx_buf_ok(&r->paths))
		return NULL;
	for (k = e->hv & (r->nslot - 1); r->slot[k] != 0; k = (k + 1) & (r->nslot - 1))
		;
	r->slot[k] = (uint32_t)(r->nent + 1);
	r->nent++;
	return e;
}

/* A stored SHA-256: 64 hex digits of text. */
static int parse_sha(unsigned char out[32], const unsigned char *hex)
{
	return hex != NULL && strlen((const char *)hex) == 64 && nx_unhex(out, (const char *)hex, 32);
}

static int load_files(sync_run *r)
{
	sqlite3_stmt *s = stmt(r, S_LOAD_FILES);
	int step = 0;

	if (s == NULL)
		return r->err->code;
	while ((step = sqlite3_step(s)) == SQLITE_ROW) {
		const char *path = (const char *)sqlite3_column_text(s, 1);
		fentry *e = NULL;

		if (path == NULL || find_entry(r, path) != NULL)
			continue;
		if ((e = add_entry(r, path)) == NULL) {
			sqlite3_reset(s);
			return nx_error_set(r->err, NX_ENOMEM, "out of memory loading the file table");
		}
		e->id = sqlite3_column_int64(s, 0);
		e->size = sqlite3_column_int64(s, 2);
		e->mtime = sqlite3_column_int64(s, 3);
		e->ino = sqlite3_column_int64(s, 4);
		e->narticles = sqlite3_column_int64(s, 6);
		e->has_state = sqlite3_column_type(s, 2) != SQLITE_NULL &&
			       sqlite3_column_type(s, 3) != SQLITE_NULL &&
			       parse_sha(e->sha, sqlite3_column_text(s, 5));
	}
	sqlite3_reset(s);
	if (step != SQLITE_DONE)
		return dberr(r, "cannot read the file table");
	return NX_OK;
}

/* ---- transactions --------------------------------------------------------- */

static int put_held(sync_run *r);

/*
 * A first sync (nothing recorded, no article, no --batch) loads the
 * archive as a new archive's `add` does: its first transaction with a
 * rollback journal, the indexes of ids and dates made once at its end,
 * FTS5's pending terms written at each commit, the load's page cache, and
 * commits every NX_ADD_BATCH_ARTICLES articles or 8,000 files (else every
 * 2 seconds as always).  200k articles of the bench corpus, two rounds
 * each: 14.5-15.0 s against 16.9-17.9 on two CPUs, 14.6-15.8 against
 * 17.3-18.0 on one (add: 10.3 and 15.1-15.4), the same articles and
 * answers.  NX_FIRST_SYNC_BULK=0 (measurements) syncs as any other run.
 */
static int first_sync_bulk(sync_run *r)
{
	const char *env = getenv("NX_FIRST_SYNC_BULK");

	return r->nent == 0 && r->o->batch_articles == 0 && r->o->batch_files == 0 &&
	       !(env != NULL && strcmp(env, "0") == 0) && nx_store__is_empty(r->st);
}

static int ensure_tx(sync_run *r)
{
	int first = r->bulk && !r->bulk_started;

	if (r->in_tx)
		return NX_OK;
	if (first)
		nx_store__first_load_begin(r->st);
	if (nx_store_begin(r->st, r->err) < 0) {
		r->db_failed = 1;
		return r->err->code;
	}
	r->in_tx = 1;
	r->batch_started = mono_now();
	if (first && nx_store__defer_start(r->st, r->err) < 0) {
		r->db_failed = 1;
		return r->err->code;
	}
	if (first)
		nx_store__bulk_fts(r->st, 1);
	if (r->bulk)
		nx_store__bulk_settings(r->st, 1); /* the cache grows with the index */
	r->bulk_started = r->bulk_started || first;
	return NX_OK;
}

static int commit(sync_run *r)
{
	if (!r->in_tx)
		return NX_OK;
	if (put_held(r) < 0)
		return r->err->code;
	r->in_tx = 0;
	if (nx_store_commit(r->st, r->err) < 0) {
		r->db_failed = 1;
		return r->err->code;
	}
	if (r->bulk)
		nx_store__first_load_end(r->st); /* the WAL for the transactions after the first */
	r->pending_articles = 0;
	r->pending_files = 0;
	r->s->batches++;
	if (r->o->on_progress != NULL) {
		r->s->seconds = mono_now() - r->started;
		r->o->on_progress(r->s, r->o->ctx);
	}
	return NX_OK;
}

static int maybe_commit(sync_run *r)
{
	size_t ba = r->o->batch_articles != 0 ? r->o->batch_articles : r->bulk ? NX_ADD_BATCH_ARTICLES : 2000;
	size_t bf = r->o->batch_files != 0 ? r->o->batch_files : r->bulk ? 8000 : 1000;
	double bs = r->o->batch_seconds > 0 ? r->o->batch_seconds : 2.0;

	if (!r->in_tx)
		return NX_OK;
	if (r->pending_articles >= ba || r->pending_files >= bf || mono_now() - r->batch_started >= bs)
		return commit(r);
	return NX_OK;
}

/* ---- one file -------------------------------------------------------------- */

static void fail_file(sync_run *r, const char *path, const char *msg)
{
	r->s->failed++;
	if (r->o->on_error != NULL)
		r->o->on_error(path, msg, r->o->ctx);
}

static void count_put(sync_run *r, int status)
{
	switch (status) {
	case NX_PUT_ADDED: r->s->added++; break;
	case NX_PUT_UPDATED: r->s->updated++; break;
	case NX_PUT_REVISION: r->s->revisions++; r->s->unchanged++; break;
	default: r->s->unchanged++; break;
	}
	r->pending_articles++;
}

/*
 * Put the held articles, their bodies packed together, in order; called
 * when NX_PACK_MAX are held, at the end of a file that had articles (its
 * origins are settled after its articles: see ingest_file), before a
 * commit and at the end of the run.  The articles of new files wait for
 * the next file's: a folder of one-article pages is packed too.  After a
 * store error the rest are dropped: the run stops and its transaction is
 * rolled back.
 */
static int put_held(sync_run *r)
{
	int i = 0, status = 0, rc = NX_OK;

	if (r->nheld > 1 && !r->db_failed)
		nx_store_pack(r->st, r->hprep, r->nheld, NULL); /* on failure each is compressed alone */
	for (i = 0; i < r->nheld; i++) {
		if (!r->db_failed) {
			if ((rc = nx_store_put_prepared(r->st, r->held[i], r->hprep[i], &status, r->err)) < 0)
				r->db_failed = 1;
			else
				count_put(r, status);
		}
		nx_prepared_free(r->hprep[i]);
		nx_article_free(r->held[i]);
	}
	r->nheld = 0;
	return r->db_failed ? (r->err->code < 0 ? r->err->code : NX_EDB) : NX_OK;
}

static int on_article(nx_article *a, void *ctx)
{
	sync_run *r = ctx;
	nx_prepared *prep = NULL;
	nx_article *kept = NULL;
	int status = 0, rc = NX_OK;

	if (r->db_failed)
		return NX_EDB;
	/* prepared before the move: the original bytes stay with the parser */
	if (a->id != NULL && nx_store_prepare_deferred(&prep, r->st, a, NULL) == NX_OK &&
	    (kept = nx_article_move(a)) != NULL) {
		r->held[r->nheld] = kept;
		r->hprep[r->nheld++] = prep;
		return r->nheld == NX_PACK_MAX ? put_held(r) : NX_OK;
	}
	nx_prepared_free(prep);
	if ((rc = put_held(r)) < 0)
		return rc;
	if ((rc = nx_store_put(r->st, a, &status, r->err)) < 0) {
		r->db_failed = 1;
		return rc;
	}
	count_put(r, status);
	return NX_OK;
}

/*
 * The file's row, made when new.  Not an upsert with RETURNING: a
 * statement that may need undoing halfway opens a statement journal,
 * and with it FTS5 writes out its pending terms (a segment per file).
 */
static int file_row(sync_run *r, const char *path, int64_t *id)
{
	sqlite3_stmt *s = NULL;
	int step = 0;

	if ((s = nx_store__stmt(r->st, NX_STMT_UPSERT_FILE, r->err)) == NULL)
		return dberr(r, "cannot record the source file");
	sqlite3_bind_text(s, 1, path, -1, SQLITE_STATIC);
	step = sqlite3_step(s);
	sqlite3_reset(s);
	if (step != SQLITE_DONE)
		return dberr(r, "cannot record the source file");
	if (sqlite3_changes(r->st->db) > 0) {
		*id = sqlite3_last_insert_rowid(r->st->db);
		return NX_OK;
	}
	if ((s = nx_store__stmt(r->st, NX_STMT_FILE_ID, r->err)) == NULL)
		return dberr(r, "cannot record the source file");
	sqlite3_bind_text(s, 1, path, -1, SQLITE_STATIC);
	step = sqlite3_step(s);
	if (step == SQLITE_ROW)
		*id = sqlite3_column_int64(s, 0);
	sqlite3_reset(s);
	return step == SQLITE_ROW ? NX_OK : dberr(r, "cannot record the source file");
}

/*
 * Read fd (stat'ed as sb) and hash it: a file up to BIG_FILE into data,
 * a larger one (a crawl WARC) hashed in one streaming pass and left to
 * nx_ingest_file, which reads WARCs record by record, so memory stays
 * bounded whatever the size (*big 1).  r->ferr says why on failure.
 */
static int read_and_hash(sync_run *r, int fd, const struct stat *sb, nx_buf *data, unsigned char sha[32],
			 char hex[65], int *big)
{
	nx_error_clear(&r->ferr);
	*big = (uint64_t)sb->st_size > BIG_FILE;
	if (*big)
		return nx_sync__hash_fd(fd, sha, hex, &r->ferr);
	if (nx_buf_grow(data, (size_t)sb->st_size + 1) < 0)
		return nx_error_set(&r->ferr, NX_ENOMEM, "out of memory");
	if (nx_sync__read_fd(data, fd, r->ingest.max_file, &r->ferr) < 0)
		return r->ferr.code;
	nx_sha256(data->buf, data->len, sha);
	nx_hex(hex, sha, 32);
	return NX_OK;
}

/* Record a file's new stat, hash and run (hex NULL: the hash stays). */
static int stamp_file(sync_run *r, int64_t file_id, const struct stat *sb, const char *hex)
{
	sqlite3_stmt *s = stmt(r, hex != NULL ? S_STAMP_FILE : S_RESTAMP_FILE);

	if (s == NULL)
		return r->err->code;
	sqlite3_bind_int64(s, 1, file_id);
	sqlite3_bind_int64(s, 2, (sqlite3_int64)sb->st_size);
	sqlite3_bind_int64(s, 3, nx_sync__mtime_ns(sb));
	sqlite3_bind_int64(s, 4, (sqlite3_int64)sb->st_ino);
	if (hex != NULL) {
		sqlite3_bind_text(s, 5, hex, 64, SQLITE_STATIC);
		sqlite3_bind_int64(s, 6, r->run_id);
	} else {
		sqlite3_bind_int64(s, 5, r->run_id);
	}
	return run_stmt(r, s, "cannot record the file state");
}

/* Run one of this file's statements with ?1 = file_id (0: none bound). */
static int run_for_file(sync_run *r, int id, int64_t file_id, const char *what)
{
	sqlite3_stmt *s = stmt(r, id);

	if (s == NULL)
		return r->err->code;
	if (file_id != 0)
		sqlite3_bind_int64(s, 1, file_id);
	return run_stmt(r, s, what);
}

/* Set a changed file's origins aside (temp.nx_sync_prev) before its articles are put again. */
static int save_origins(sync_run *r, int64_t file_id)
{
	int rc = run_for_file(r, S_CLEAR_PREV, 0, "cannot update origins");

	if (rc == NX_OK)
		rc = run_for_file(r, S_SAVE_PREV, file_id, "cannot update origins");
	if (rc == NX_OK)
		rc = run_for_file(r, S_DROP_ORIGINS, file_id, "cannot update origins");
	return rc;
}

/*
 * Ingest a file whose content changed (data: its bytes, or big: read it
 * from path) and stamp it.  No savepoint for the file: a store error
 * stops the run and rolls back its transaction, and FTS5 writes its
 * pending terms out at every savepoint (a segment per file for a folder
 * of pages).  A store error sets r->db_failed.
 */
static int ingest_changed(sync_run *r, fentry *e, const char *path, const nx_buf *data, int big,
			  const struct stat *sb, const char *hex)
{
	int64_t file_id = e->id;
	int rc = NX_OK, irc = NX_OK, stamp = 1;

	r->s->files_read++;
	r->pending_files++;
	if (file_id == 0 && (rc = file_row(r, path, &file_id)) < 0)
		goto undo;
	if (e->narticles > 0 && (rc = save_origins(r, file_id)) < 0)
		goto undo;
	nx_error_clear(&r->ferr);
	r->file = path;
	if (big)
		irc = nx_ingest_file(path, &r->ingest, on_article, r, &r->ferr);
	else
		irc = nx_ingest_buffer(data->buf, data->len, path, &r->ingest, on_article, r, &r->ferr);
	/* a changed file's origins are settled after its articles; a new file's may wait */
	if (e->narticles > 0)
		put_held(r);
	if (r->db_failed) {
		rc = r->err->code < 0 ? r->err->code : NX_EDB;
		goto undo;
	}
	if (irc < 0) {
		fail_file(r, path, r->ferr.msg[0] != '\0' ? r->ferr.msg : nx_strerror(irc));
		/* the same bytes fail the same way: read again only once they change */
		stamp = irc == NX_EFORMAT || irc == NX_ETOOBIG;
	}
	if (e->narticles > 0 && (rc = run_for_file(r, S_RESTORE_PREV, 0, "cannot update origins")) < 0)
		goto undo;
	if (stamp && (rc = stamp_file(r, file_id, sb, hex)) < 0)
		goto undo;
	e->id = file_id;
	return NX_OK;
undo:
	r->db_failed = 1;
	return rc;
}

/* Re-read a file whose recorded state differs; ingest it when its content changed. */
static int ingest_file(sync_run *r, fentry *e, const char *path)
{
	nx_buf data = NX_BUF_INIT;
	struct stat sb;
	unsigned char sha[32];
	char hex[65];
	int fd = -1, rc = NX_OK, big = 0;

	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	if (fd < 0) {
		char msg[256];

		snprintf(msg, sizeof(msg), "cannot open: %s", strerror(errno));
		fail_file(r, path, msg);
		goto done;
	}
	/* the stamp is the state before reading: a file still being written is read again */
	if (fstat(fd, &sb) < 0 || !S_ISREG(sb.st_mode)) {
		fail_file(r, path, "not a regular file");
		goto done;
	}
	if (read_and_hash(r, fd, &sb, &data, sha, hex, &big) < 0) {
		fail_file(r, path, r->ferr.msg);
		goto done;
	}
	if ((rc = ensure_tx(r)) < 0)
		goto done;
	if (e->has_state && e->id != 0 && memcmp(sha, e->sha, 32) == 0) {
		/* touched, copied back, moved: same bytes, nothing to ingest */
		if ((rc = stamp_file(r, e->id, &sb, NULL)) < 0)
			goto done;
		r->s->files_restamped++;
		r->s->unchanged += e->narticles;
		r->pending_files++;
		goto done;
	}
	rc = ingest_changed(r, e, path, &data, big, &sb, hex);
done:
	if (fd >= 0)
		close(fd);
	nx_buf_free(&data);
	if (rc == NX_OK && r->db_failed)
		rc = r->err->code < 0 ? r->err->code : NX_EDB;
	if (rc == NX_OK)
		rc = maybe_commit(r);
	return rc;
}

static int visit_file(sync_run *r, const char *path, const struct stat *sb)
{
	fentry *e = find_entry(r, path);

	if (e == NULL && (e = add_entry(r, path)) == NULL)
		return nx_error_set(r->err, NX_ENOMEM, "out of memory");
	if (e->visited)
		return NX_OK; /* reached twice through symbolic links */
	e->visited = 1;
	r->s->files++;
	if (r->o->on_progress != NULL && (r->s->files & 4095) == 0) {
		r->s->seconds = mono_now() - r->started;
		r->o->on_progress(r->s, r->o->ctx);
	}
	if (e->has_state && e->size == (int64_t)sb->st_size && e->mtime == nx_sync__mtime_ns(sb) &&
	    e->ino == (int64_t)sb->st_ino) {
		r->s->files_skipped++;
		r->s->unchanged += e->narticles;
		return NX_OK;
	}
	return ingest_file(r, e, path);
}

/* ---- the walk: stat only, relative to the open folder ---------------------- */

typedef struct frame {
	dev_t dev;
	ino_t ino;
	const struct frame *up;
} frame;

typedef struct dentry {
	char *name;
	unsigned char type; /* d_type: DT_REG, DT_DIR, DT_LNK, DT_UNKNOWN, ... */
} dentry;

static int cmp_dentries(const void *a, const void *b)
{
	return strcmp(((const dentry *)a)->name, ((const dentry *)b)->name);
}

static int walk_dir(sync_run *r, nx_buf *path, const struct stat *dsb, const frame *up, int depth);

/* 1 when path is root or inside it (both resolved, absolute). */
static int inside(const char *path, const char *root)
{
	size_t n = strlen(root);

	if (strncmp(path, root, n) != 0)
		return 0;
	return path[n] == '\0' || path[n] == '/' || (n > 0 && root[n - 1] == '/');
}

/* A symbolic link or an entry of unknown type: resolve it and visit what it names. */
static int visit_resolved(sync_run *r, const char *path, const frame *up, int depth)
{
	char real[PATH_MAX], msg[256];
	struct stat sb;
	nx_buf sub = NX_BUF_INIT;
	int rc = NX_OK;

	if (realpath(path, real) == NULL || stat(real, &sb) < 0) {
		snprintf(msg, sizeof(msg), "cannot read: %s", strerror(errno));
		fail_file(r, path, msg);
		return NX_OK;
	}
	/* a link out of the folder given is not followed (as nx_walk_with) */
	if (!r->o->ingest.follow_symlinks && r->root_real != NULL && !inside(real, r->root_real)) {
		if (r->o->ingest.note != NULL)
			r->o->ingest.note(path, "symbolic link leads out of the folder, skipped"
					  " (--follow-symlinks follows it)", r->o->ingest.note_ctx);
		return NX_OK;
	}
	if (S_ISREG(sb.st_mode))
		return visit_file(r, real, &sb);
	if (!S_ISDIR(sb.st_mode))
		return NX_OK;
	nx_buf_adds(&sub, real);
	if (!nx_buf_ok(&sub))
		return nx_error_set(r->err, NX_ENOMEM, "out of memory");
	rc = walk_dir(r, &sub, &sb, up, depth + 1);
	nx_buf_free(&sub);
	return rc;
}

static int walk_dir(sync_run *r, nx_buf *path, const struct stat *dsb, const frame *up, int depth)
{
	frame me = { dsb->st_dev, dsb->st_ino, up };
	const frame *f = NULL;
	DIR *dir = NULL;
	struct dirent *de = NULL;
	dentry *ents = NULL;
	size_t n = 0, cap = 0, i = 0, base = path->len;
	char msg[256];
	int rc = NX_OK, dfd = -1;

	for (f = up; f != NULL; f = f->up) {
		if (f->dev == dsb->st_dev && f->ino == dsb->st_ino) {
			fail_file(r, path->buf, "symbolic link loop, skipped");
			return NX_OK;
		}
	}
	if (depth > SYNC_MAX_DEPTH) {
		fail_file(r, path->buf, "folders nested too deeply, skipped");
		return NX_OK;
	}
	dir = opendir(path->buf);
	if (dir == NULL) {
		snprintf(msg, sizeof(msg), "cannot open folder: %s", strerror(errno));
		fail_file(r, path->buf, msg);
		return NX_OK;
	}
	dfd = dirfd(dir);
	while ((de = readdir(dir)) != NULL) {
		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		if (n == cap) {
			size_t ncap = cap != 0 ? cap * 2 : 64;
			dentry *p = realloc(ents, ncap * sizeof(*ents));

			if (p == NULL)
				goto oom;
			ents = p;
			cap = ncap;
		}
		ents[n].name = strdup(de->d_name);
		if (ents[n].name == NULL)
			goto oom;
		ents[n].type = de->d_type;
		n++;
	}
	/* name order, as nx_walk: runs are reproducible */
	if (n > 1)
		qsort(ents, n, sizeof(*ents), cmp_dentries);
	for (i = 0; i < n && rc == NX_OK; i++) {
		struct stat sb;
		unsigned char t = ents[i].type;

		nx_buf_truncate(path, base);
		if (base == 0 || path->buf[base - 1] != '/')
			nx_buf_addch(path, '/');
		nx_buf_adds(path, ents[i].name);
		if (!nx_buf_ok(path))
			goto oom;
		if (t == DT_REG || t == DT_DIR || t == DT_UNKNOWN) {
			if (fstatat(dfd, ents[i].name, &sb, AT_SYMLINK_NOFOLLOW) < 0) {
				snprintf(msg, sizeof(msg), "cannot read: %s", strerror(errno));
				fail_file(r, path->buf, msg);
				continue;
			}
			if (S_ISREG(sb.st_mode) && nx_walk__paperwork(ents[i].name) && r->o->ingest.note != NULL)
				r->o->ingest.note(path->buf, NX_WALK_PAPERWORK_NOTE, r->o->ingest.note_ctx);
			else if (S_ISREG(sb.st_mode) && !nx_walk__paperwork(ents[i].name))
				rc = visit_file(r, path->buf, &sb);
			else if (S_ISDIR(sb.st_mode))
				rc = walk_dir(r, path, &sb, &me, depth + 1);
			else if (S_ISLNK(sb.st_mode))
				rc = visit_resolved(r, path->buf, &me, depth);
		} else if (t == DT_LNK) {
			rc = visit_resolved(r, path->buf, &me, depth);
		} else if (r->o->ingest.note != NULL) { /* a FIFO, socket or device: never opened */
			r->o->ingest.note(path->buf, "a FIFO, socket or device, not a regular file: skipped",
					  r->o->ingest.note_ctx);
		}
	}
	goto done;
oom:
	rc = nx_error_set(r->err, NX_ENOMEM, "out of memory walking '%s'", path->buf);
done:
	nx_buf_truncate(path, base);
	for (i = 0; i < n; i++)
		free(ents[i].name);
	free(ents);
	closedir(dir);
	return rc;
}

static int walk_root(sync_run *r, const char *arg, root *rt)
{
	char real[PATH_MAX], msg[256];
	struct stat sb;
	nx_buf path = NX_BUF_INIT;
	int rc = NX_OK;

	if (realpath(arg, real) == NULL || stat(real, &sb) < 0) {
		snprintf(msg, sizeof(msg), "cannot read: %s", strerror(errno));
		fail_file(r, arg, msg);
		return NX_OK;
	}
	if ((rt->real = strdup(real)) == NULL)
		return nx_error_set(r->err, NX_ENOMEM, "out of memory");
	if (S_ISREG(sb.st_mode)) {
		rt->walked = 1;
		return visit_file(r, real, &sb);
	}
	if (!S_ISDIR(sb.st_mode)) {
		fail_file(r, arg, "not a regular file or folder");
		return NX_OK;
	}
	nx_buf_adds(&path, real);
	if (!nx_buf_ok(&path))
		return nx_error_set(r->err, NX_ENOMEM, "out of memory");
	r->root_real = rt->real;
	rc = walk_dir(r, &path, &sb, NULL, 0);
	r->root_real = NULL;
	nx_buf_free(&path);
	rt->walked = 1;
	return rc;
}

/* ---- prune ------------------------------------------------------------------ */

static int under_root(const char *path, const root *roots, size_t nroots)
{
	size_t i = 0, n = 0;

	for (i = 0; i < nroots; i++) {
		if (!roots[i].walked || roots[i].real == NULL)
			continue;
		n = strlen(roots[i].real);
		if (strncmp(path, roots[i].real, n) != 0)
			continue;
		if (path[n] == '\0' || path[n] == '/' || (n > 0 && roots[i].real[n - 1] == '/'))
			return 1;
	}
	return 0;
}

/* Forget a file that is gone; remove the articles it was the last source of. */
static int prune_file(sync_run *r, fentry *e)
{
	sqlite3_stmt *s = NULL;
	char **uids = NULL;
	size_t n = 0, cap = 0, i = 0;
	int rc = NX_OK, step = 0;

	if ((rc = ensure_tx(r)) < 0)
		return rc;
	if ((s = stmt(r, S_FILE_ARTICLES)) == NULL)
		return r->err->code;
	sqlite3_bind_int64(s, 1, e->id);
	while ((step = sqlite3_step(s)) == SQLITE_ROW) {
		const char *uid = (const char *)sqlite3_column_text(s, 0);

		if (uid == NULL)
			continue;
		if (n == cap) {
			char **p = realloc(uids, (cap = cap != 0 ? cap * 2 : 16) * sizeof(*uids));

			if (p == NULL)
				goto oom;
			uids = p;
		}
		if ((uids[n] = strdup(uid)) == NULL)
			goto oom;
		n++;
	}
	sqlite3_reset(s);
	if (step != SQLITE_DONE) {
		rc = dberr(r, "cannot read origins");
		goto done;
	}
	/* origins go with the file (ON DELETE CASCADE) */
	if ((s = stmt(r, S_DELETE_FILE)) == NULL) {
		rc = r->err->code;
		goto done;
	}
	sqlite3_bind_int64(s, 1, e->id);
	if ((rc = run_stmt(r, s, "cannot forget the file")) < 0)
		goto done;
	r->s->files_gone++;
	r->pending_files++;
	for (i = 0; i < n; i++) {
		int64_t left = 0;

		if ((s = stmt(r, S_ORIGIN_COUNT)) == NULL) {
			rc = r->err->code;
			goto done;
		}
		sqlite3_bind_text(s, 1, uids[i], -1, SQLITE_STATIC);
		step = sqlite3_step(s);
		if (step == SQLITE_ROW)
			left = sqlite3_column_int64(s, 0);
		sqlite3_reset(s);
		if (step != SQLITE_ROW) {
			rc = dberr(r, "cannot count origins");
			goto done;
		}
		if (left > 0)
			continue;
		if ((rc = nx_store_remove(r->st, uids[i], NULL, r->err)) < 0) {
			r->db_failed = 1;
			goto done;
		}
		r->s->removed++;
		r->pending_articles++;
	}
	goto done;
oom:
	sqlite3_reset(s);
	rc = nx_error_set(r->err, NX_ENOMEM, "out of memory");
done:
	for (i = 0; i < n; i++)
		free(uids[i]);
	free(uids);
	if (rc == NX_OK)
		rc = maybe_commit(r);
	return rc;
}

static int prune(sync_run *r, const root *roots, size_t nroots)
{
	size_t i = 0;
	int rc = NX_OK;

	for (i = 0; i < r->nent && rc == NX_OK; i++) {
		fentry *e = &r->ent[i];
		const char *path = ent_path(r, e);
		struct stat sb;

		if (e->visited || e->id == 0 || path[0] != '/' || !under_root(path, roots, nroots))
			continue;
		/* gone, not merely unseen: an unreadable folder keeps its articles */
		if (lstat(path, &sb) == 0 || (errno != ENOENT && errno != ENOTDIR))
			continue;
		rc = prune_file(r, e);
	}
	return rc;
}

/* ---- the run --------------------------------------------------------------- */

static int setup(sync_run *r)
{
	sqlite3_stmt *s = NULL;
	int64_t max_seen = 0;
	char *msg = NULL;

	if (sqlite3_exec(r->st->db,
			 "CREATE TEMP TABLE IF NOT EXISTS nx_sync_prev(article_id, file_id, offset,"
			 " record_id, format, original, hash)", NULL, NULL, &msg) != SQLITE_OK) {
		nx_error_set(r->err, NX_EDB, "cannot prepare the sync: %s", msg != NULL ? msg : "unknown error");
		sqlite3_free(msg);
		r->db_failed = 1;
		return NX_EDB;
	}
	if ((s = stmt(r, S_MAX_SEEN)) == NULL)
		return r->err->code;
	if (sqlite3_step(s) == SQLITE_ROW)
		max_seen = sqlite3_column_int64(s, 0);
	sqlite3_reset(s);
	/* run ids: the start time, kept increasing even if the clock goes back */
	r->run_id = (int64_t)time(NULL);
	if (r->run_id <= max_seen)
		r->run_id = max_seen + 1;
	return load_files(r);
}

int nx_sync_run(nx_sync_stats *out, nx_store *st, const char *const *paths, size_t npaths,
		const nx_sync_opts *opts, nx_error *err)
{
	nx_sync_opts defaults = NX_SYNC_OPTS_INIT;
	nx_error localerr = NX_ERROR_INIT;
	sync_run r;
	root *roots = NULL;
	size_t i = 0;
	int rc = NX_OK;

	memset(out, 0, sizeof(*out));
	memset(&r, 0, sizeof(r));
	r.st = st;
	r.o = opts != NULL ? opts : &defaults;
	r.s = out;
	r.err = err != NULL ? err : &localerr;
	r.started = mono_now();
	r.ingest = r.o->ingest;
	if (r.ingest.now == 0)
		r.ingest.now = (int64_t)time(NULL);
	if (r.ingest.max_file == 0)
		r.ingest.max_file = (size_t)1 << 30;
	nx_buf_init(&r.paths);
	if (st->in_tx) {
		rc = nx_error_set(r.err, NX_EINVAL, "sync needs the index without an open transaction");
		goto done;
	}
	roots = calloc(npaths > 0 ? npaths : 1, sizeof(*roots));
	if (roots == NULL) {
		rc = nx_error_set(r.err, NX_ENOMEM, "out of memory");
		goto done;
	}
	if ((rc = setup(&r)) < 0)
		goto done;
	r.bulk = first_sync_bulk(&r);
	for (i = 0; i < npaths && rc == NX_OK; i++)
		rc = walk_root(&r, paths[i], &roots[i]);
	if (rc == NX_OK)
		rc = put_held(&r);
	if (rc == NX_OK && r.o->prune)
		rc = prune(&r, roots, npaths);
	/* a first sync's end, in its last transaction: the indexes, the merge, FTS5's own settings */
	if (rc == NX_OK && r.bulk_started && (rc = ensure_tx(&r)) == NX_OK) {
		if (nx_store__defer_end(st, r.err) < 0 || nx_store__settle(st, (long)(out->added + out->updated), r.err) < 0)
			rc = r.err->code < 0 ? r.err->code : NX_EDB;
		else
			nx_store__bulk_fts(st, 0);
	}
	if (rc == NX_OK)
		rc = commit(&r);
done:
	r.db_failed = r.db_failed || rc < 0;
	put_held(&r); /* frees what a failure left held */
	if (r.in_tx)
		nx_store_rollback(st);
	if (r.bulk_started) {
		nx_store__first_load_end(st);
		if (r.db_failed)
			nx_store__defer_restore(st, NULL); /* the commits before this one left them out */
		nx_store__bulk_settings(st, 0);
	}
	for (i = 0; i < S__COUNT; i++)
		sqlite3_finalize(r.stmt[i]);
	for (i = 0; roots != NULL && i < npaths; i++)
		free(roots[i].real);
	free(roots);
	free(r.ent);
	free(r.slot);
	nx_buf_free(&r.paths);
	out->seconds = mono_now() - r.started;
	return rc;
}

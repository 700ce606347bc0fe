/*
 * store.c - the index: connections, transactions and the statements
 * every part of the store uses (src/index/store_private.h lists the parts).
 */
#include "index/store_private.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "util/fs.h"
#include "util/text.h"
#include "index/tokenizer.h"

static const char *const stmt_sql[NX_STMT__COUNT] = {
	[NX_STMT_FIND_UID] = "SELECT id, hash, updated, captured FROM article WHERE uid = nx_uid_key(?1)",
	[NX_STMT_FIND_ID_UID] = "SELECT id, hash, updated, captured FROM article WHERE id = ?2 AND uid = nx_uid_key(?1)",
	[NX_STMT_INSERT_ARTICLE] =
		"INSERT INTO article(uid, url, source, title, authors, section, lang,"
		" published, published_tz, published_flags, updated, updated_tz, updated_flags,"
		" captured, rev, hash, body_len, body_z, body_hash, captions, credits)"
		" VALUES(nx_uid_key(?1),?2,?3,?4,?5,?6,?7,?8,?9,?10,?11,?12,?13,?14,?15,?16,?17,?18,?19,?20,?21)",
	[NX_STMT_UPDATE_ARTICLE] =
		"UPDATE article SET uid=nx_uid_key(?1), url=?2, source=?3, title=?4, authors=?5, section=?6, lang=?7,"
		" published=?8, published_tz=?9, published_flags=?10, updated=?11, updated_tz=?12,"
		" updated_flags=?13, captured=?14, rev=?15, hash=?16, body_len=?17, body_z=?18,"
		" body_hash=?19, captions=?20, credits=?21 WHERE id=?22",
	[NX_STMT_DELETE_PHOTOS] = "DELETE FROM photo WHERE article_id = ?1",
	[NX_STMT_INSERT_PHOTO] =
		"INSERT INTO photo(article_id, seq, agency, photographer, caption, url) VALUES(?1,?2,?3,?4,?5,?6)",
	[NX_STMT_FTS_INSERT] = "INSERT INTO fts(rowid, title, body, captions, credits) VALUES(?1,?2,?3,?4,?5)",
	/* the rows FTS5 takes out or in one at a time (nx_store__fts_rows) */
	[NX_STMT_FTS_SRC] = "SELECT id, title, body, captions, credits FROM fts_src WHERE id = ?1",
	[NX_STMT_FTS_DELETE] =
		"INSERT INTO fts(fts, rowid, title, body, captions, credits) VALUES('delete', ?1, ?2, ?3, ?4, ?5)",
	/* no RETURNING: it would make FTS5 flush its pending terms per article */
	[NX_STMT_UPSERT_FILE] = "INSERT INTO file(path) VALUES(?1) ON CONFLICT(path) DO NOTHING",
	[NX_STMT_FILE_ID] = "SELECT id FROM file WHERE path = ?1",
	[NX_STMT_STAMP_FILE] =
		"UPDATE file SET size = ?2, mtime = ?3, ino = ?4, hash = ?5, seen = ?6 WHERE path = ?1",
	[NX_STMT_INSERT_ORIGIN] =
		"INSERT INTO origin(article_id, file_id, offset, record_id, format, original, hash)"
		" VALUES(?1,?2,?3,?4,?5,?6,?7) ON CONFLICT DO UPDATE SET record_id = excluded.record_id,"
		" format = excluded.format, original = coalesce(excluded.original, original), hash = excluded.hash",
	[NX_STMT_INSERT_REVISION] =
		"INSERT INTO revision(article_id, rev, captured, updated, hash, doc_z) VALUES(?1,?2,?3,?4,?5,?6)",
	[NX_STMT_REVISION_HAS_HASH] = "SELECT 1 FROM revision WHERE article_id = ?1 AND hash = ?2",
	[NX_STMT_NEXT_REV] =
		"SELECT max(coalesce((SELECT max(rev) FROM revision WHERE article_id = ?1), 0),"
		" (SELECT rev FROM article WHERE id = ?1)) + 1",
	[NX_STMT_INSERT_ORIGINAL] =
		"INSERT INTO original(hash, size, data_z) VALUES(?1,?2,?3) ON CONFLICT DO NOTHING",
	[NX_STMT_GET_ARTICLE] =
		"SELECT nx_uid(uid), url, source, title, authors, section, lang, published, published_tz,"
		" published_flags, updated, updated_tz, updated_flags, captured, body_z"
		" FROM article WHERE id = ?1",
	[NX_STMT_GET_PHOTOS] =
		"SELECT agency, photographer, caption, url FROM photo WHERE article_id = ?1 ORDER BY seq",
	[NX_STMT_GET_ORIGIN] =
		"SELECT f.path, o.offset, o.record_id, o.format, o.file_id FROM origin o JOIN file f ON f.id = o.file_id"
		" JOIN article a ON a.id = o.article_id"
		/*
		 * an origin of the current text first, not one that gave an older
		 * version: hash NULL (schema 4), or the article's own hash (as
		 * text before schema 3, a prefix of it as a blob since)
		 */
		" WHERE o.article_id = ?1 ORDER BY NOT (o.hash IS NULL OR o.hash = a.hash OR"
		" (typeof(o.hash) = 'blob' AND o.hash = substr(a.hash, 1, length(o.hash)))), f.id, o.offset LIMIT 1",
	[NX_STMT_FIND_PREFIX] =
		"SELECT id FROM article WHERE uid BETWEEN nx_uid_key(?1, '0') AND nx_uid_key(?1, 'f') LIMIT 2",
	[NX_STMT_FIND_URL] = "SELECT id FROM article WHERE url = ?1 LIMIT 1",
	[NX_STMT_FIND_URL_UID] = "SELECT id FROM article WHERE uid = nx_uid_key(?1) AND url = ?2",
	/* no index of URLs: a scan, only for indexes made before ingest cleaned URLs */
	[NX_STMT_FIND_URL_TRACKED] = "SELECT id, url FROM article WHERE (instr(url, '?') > 0 OR instr(url, '#') > 0) AND instr(url, ?1) > 0",
	[NX_STMT_DELETE_ARTICLE] = "DELETE FROM article WHERE id = ?1",
	[NX_STMT_REV_SRC] = "SELECT id, title, body, captions, credits FROM rev_src WHERE id = ?1",
	[NX_STMT_REV_FTS_INSERT] = "INSERT INTO rev_fts(rowid, title, body, captions, credits) VALUES(?1, ?2, ?3, ?4, ?5)",
	[NX_STMT_REV_SRC_OF] = "SELECT id, title, body, captions, credits FROM rev_src WHERE article_id = ?1",
	[NX_STMT_REV_FTS_DELETE] =
		"INSERT INTO rev_fts(rev_fts, rowid, title, body, captions, credits) VALUES('delete', ?1, ?2, ?3, ?4, ?5)",
	[NX_STMT_BODY_HEAD] = "SELECT substr(body_z, 1, 32) FROM article WHERE id = ?1",
	[NX_STMT_BLOCK_NEXT] = "SELECT coalesce(max(id), 0) + 1 FROM body_block",
	[NX_STMT_BLOCK_INSERT] = "INSERT INTO body_block(id, refs, z) VALUES(?1, ?2, ?3)",
	[NX_STMT_BLOCK_UNREF] = "UPDATE body_block SET refs = refs - 1 WHERE id = ?1",
	[NX_STMT_BLOCK_GC] = "DELETE FROM body_block WHERE id = ?1 AND refs <= 0",
	[NX_STMT_MAX_SEEN] = "SELECT coalesce(max(seen), 0) FROM file",
};


/*
 * How much of the index a reader maps rather than reads (PRAGMA
 * mmap_size): all of it.  SQLite clamps the setting to the limit it was
 * built with (2 GB in Debian's); the file layer of index/mapvfs.c maps the
 * rest.  A mapped page is read from the page cache in place; a page read
 * with pread is copied first, and at 1M articles those copies were 15% of
 * a search's CPU with 256 MB mapped (doc/performance.md, round 17).  The
 * mapped pages are the kernel's page cache, shared, but count in the
 * reader's resident size.  A brief reader (NX_STORE_BRIEF) maps nothing:
 * the first touch of a mapped page costs more than one read of it.
 */
#define NX_READ_MMAP "1099511627776"

static const char *read_mmap(const nx_store *st)
{
	return (st->flags & NX_STORE_BRIEF) ? "PRAGMA mmap_size = 0" : "PRAGMA mmap_size = " NX_READ_MMAP;
}

/*
 * The formats an origin can have.  Schema 3 stores the number of one
 * (from 1) rather than its name: 4 bytes less for every origin.
 */
const char *const nx_store__origin_formats[NX_NFORMATS] = { "text", "html", "rss", "atom", "nitf", "newsml",
					      "warc", "jsonl", "sgml", "ninjs", "anpa" };

int nx_store__dberr(nx_store *st, nx_error *err, const char *what)
{
	int code = st != NULL && st->db != NULL ? sqlite3_errcode(st->db) : SQLITE_ERROR;

	if (code == SQLITE_BUSY || code == SQLITE_LOCKED)
		return nx_error_set(err, NX_ELOCKED, "%s: the index is busy (another newsidx is writing)", what);
	if (code == SQLITE_NOMEM)
		return nx_error_set(err, NX_ENOMEM, "out of memory");
	return nx_error_set(err, NX_EDB, "%s: %s", what,
			    st != NULL && st->db != NULL ? sqlite3_errmsg(st->db) : "no database");
}

sqlite3_stmt *nx_store__stmt(nx_store *st, nx_stmt_id id, nx_error *err)
{
	sqlite3_stmt *s = st->stmt[id];

	if (s == NULL) {
		if (sqlite3_prepare_v3(st->db, stmt_sql[id], -1, SQLITE_PREPARE_PERSISTENT,
				       &st->stmt[id], NULL) != SQLITE_OK) {
			nx_store__dberr(st, err, "cannot prepare statement");
			return NULL;
		}
		return st->stmt[id];
	}
	sqlite3_reset(s);
	sqlite3_clear_bindings(s);
	return s;
}

void nx_store__hash_col(sqlite3_stmt *s, int col, char out[65])
{
	const unsigned char *v = NULL;

	out[0] = '\0';
	if (sqlite3_column_type(s, col) == SQLITE_BLOB && sqlite3_column_bytes(s, col) <= 32) {
		nx_hex(out, sqlite3_column_blob(s, col), (size_t)sqlite3_column_bytes(s, col));
	} else if ((v = sqlite3_column_text(s, col)) != NULL) {
		snprintf(out, 65, "%s", (const char *)v);
	}
}

int nx_store__exec(nx_store *st, const char *sql, nx_error *err, const char *what)
{
	char *msg = NULL;

	if (sqlite3_exec(st->db, sql, NULL, NULL, &msg) != SQLITE_OK) {
		int code = sqlite3_errcode(st->db);

		if (code == SQLITE_BUSY || code == SQLITE_LOCKED)
			nx_error_set(err, NX_ELOCKED, "%s: the index is busy (another newsidx is writing)", what);
		else
			nx_error_set(err, NX_EDB, "%s: %s", what, msg != NULL ? msg : "unknown error");
		sqlite3_free(msg);
		return err != NULL ? err->code : NX_EDB;
	}
	return NX_OK;
}

int nx_store__query_int(nx_store *st, const char *sql, int64_t *out)
{
	sqlite3_stmt *s = NULL;
	int rc = SQLITE_OK;

	*out = 0;
	if (sqlite3_prepare_v2(st->db, sql, -1, &s, NULL) != SQLITE_OK)
		return -1;
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW)
		*out = sqlite3_column_int64(s, 0);
	sqlite3_finalize(s);
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 : -1;
}

static int connect(nx_store *st, const char *name, int oflags, nx_error *err)
{
	int rc = nx_store__connect_db(st, &st->db, &st->bc[0], name, oflags, err);

	free(st->conn_name);
	st->conn_name = rc == NX_OK ? strdup(name) : NULL;
	st->conn_flags = oflags;
	if (rc == NX_OK && st->conn_name == NULL)
		rc = nx_error_set(err, NX_ENOMEM, "out of memory");
	return rc;
}

sqlite3 *nx_store__db2(nx_store *st)
{
	sqlite3 *db = NULL;

	if (st->db2 != NULL || st->db2_failed || (st->flags & NX_STORE_WRITE) || st->conn_name == NULL)
		return st->db2;
	if (nx_store__connect_db(st, &db, &st->bc[1], st->conn_name, st->conn_flags, NULL) != NX_OK ||
	    nx_tokenizer_set_stopwords(db, nx_store__stoplist(st)) != SQLITE_OK ||
	    nx_tokenizer_set_query_langs(db, st->langs) != SQLITE_OK) {
		nx_store__blkcache_close(&st->bc[1]);
		sqlite3_close(db);
		st->db2_failed = 1;
		return NULL;
	}
	sqlite3_exec(db, read_mmap(st), NULL, NULL, NULL);
	st->db2 = db;
	return db;
}

static void close_db2(nx_store *st)
{
	nx_store__blkcache_close(&st->bc[1]);
	sqlite3_close(st->db2);
	st->db2 = NULL;
}

/* The folders an index is created in. */
static int make_folders(const char *path, nx_error *err)
{
	char *dir = NULL;
	int rc = NX_OK;

	if (nx_mkdirs_for(path, &dir) < 0)
		rc = dir == NULL ? nx_error_set(err, NX_ENOMEM, "out of memory") :
				   nx_error_set(err, NX_EDB, "cannot create folder '%s': %s", dir, strerror(errno));
	free(dir);
	return rc;
}

/*
 * SQLite counts every allocation it makes for sqlite3_memory_used(), under
 * a process-wide mutex: two lock round trips per allocation, 1.5% of the
 * CPU of an add, for figures newsidx never reads.  Turned off once, before
 * SQLite starts (sqlite3_config is refused, harmlessly, when a program using
 * the library started SQLite already).
 */
static pthread_once_t sqlite_once = PTHREAD_ONCE_INIT;

static void sqlite_setup(void)
{
	sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
}

int nx_store_open(nx_store **out, const char *path, unsigned flags, nx_error *err)
{
	pthread_once(&sqlite_once, sqlite_setup);
	nx_store *st = NULL;
	int rc = NX_OK, oflags = 0, i = 0;
	struct stat sb;

	*out = NULL;
	/*
	 * Only a regular file is an index (or nothing yet, for a writer): a
	 * FIFO or a device named by mistake is refused here, before SQLite
	 * opens it and a read blocks forever.
	 */
	if (stat(path, &sb) < 0) {
		if (errno != ENOENT)
			return nx_error_set(err, NX_EDB, "cannot open index '%s': %s", path, strerror(errno));
		if (!(flags & NX_STORE_WRITE))
			return nx_error_set(err, NX_EDB, "no index at '%s': run 'newsidx add' first", path);
	} else if (!S_ISREG(sb.st_mode)) {
		return nx_error_set(err, NX_EDB, "index '%s' is not a regular file", path);
	}
	st = calloc(1, sizeof(*st));
	if (st == NULL || (st->path = strdup(path)) == NULL) {
		free(st);
		return nx_error_set(err, NX_ENOMEM, "out of memory");
	}
	st->flags = flags;
	st->seen_max = -1;
	nx_buf_init(&st->train);
	for (i = 0; i < 2; i++) {
		nx_buf_init(&st->bc[i].z);
		nx_buf_init(&st->bc[i].text);
	}
	pthread_mutex_init(&st->zmu, NULL);
	if ((flags & NX_STORE_WRITE) && (rc = make_folders(path, err)) < 0)
		goto fail;
	oflags = (flags & NX_STORE_WRITE) ? SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE : SQLITE_OPEN_READONLY;
	if ((rc = connect(st, path, oflags, err)) < 0)
		goto fail;
	/*
	 * A reader of an index it may not write to (a read-only file or folder,
	 * a CD, another user's archive) cannot create the WAL's shared-memory
	 * file: read it as an immutable database instead.
	 */
	if (!(flags & NX_STORE_WRITE) && sqlite3_exec(st->db, "SELECT count(*) FROM sqlite_schema", NULL, NULL,
						      NULL) != SQLITE_OK) {
		int code = sqlite3_errcode(st->db);

		if (code == SQLITE_READONLY || code == SQLITE_CANTOPEN || code == SQLITE_IOERR) {
			nx_buf uri = NX_BUF_INIT;
			const char *c = path;

			nx_buf_adds(&uri, "file:");
			for (; *c != '\0'; c++) {
				if (*c == '?' || *c == '#' || *c == '%' || (unsigned char)*c < 0x20)
					nx_buf_addf(&uri, "%%%02X", (unsigned char)*c);
				else
					nx_buf_addch(&uri, *c);
			}
			nx_buf_adds(&uri, "?immutable=1");
			nx_store__blkcache_close(&st->bc[0]);
			sqlite3_close(st->db);
			st->db = NULL;
			rc = nx_buf_ok(&uri) ? connect(st, uri.buf, SQLITE_OPEN_READONLY | SQLITE_OPEN_URI, err) :
					       nx_error_set(err, NX_ENOMEM, "out of memory");
			nx_buf_free(&uri);
			if (rc < 0)
				goto fail;
		}
	}
	/* A file that is not a database shows up at the first read. */
	if (nx_store__exec(st, "PRAGMA foreign_keys = ON", err, "cannot open index") < 0) {
		rc = err != NULL ? err->code : NX_EDB;
		goto fail;
	}
	/* refuse a foreign file before changing anything in it (WAL mode) */
	if ((rc = nx_store__migrate(st, err)) < 0)
		goto fail;
	if ((flags & NX_STORE_WRITE) && (rc = nx_store__vocab_upgrade(st, err)) < 0)
		goto fail;
	if ((rc = nx_store__origin_url_upgrade(st, err)) < 0)
		goto fail;
	/* what a load killed midway left out (defer.c); without them the index still answers */
	nx_store__defer_restore(st, NULL);
	if ((flags & NX_STORE_WRITE) &&
	    ((rc = nx_store__exec(st, "PRAGMA journal_mode = WAL", err, "cannot open index")) < 0 ||
	     (rc = nx_store__exec(st, "PRAGMA synchronous = NORMAL", err, "cannot open index")) < 0))
		goto fail;
	/* writers: 64 MB of page cache, bulk writes spill less; readers map the
	   file instead (mapped pages a writer touched would all count as its
	   memory) */
	if (flags & NX_STORE_WRITE)
		nx_store__exec(st, "PRAGMA cache_size = -65536", NULL, "");
	else
		nx_store__exec(st, read_mmap(st), NULL, "");
	nx_store__load_settings(st);
	*out = st;
	return NX_OK;
fail:
	if (err != NULL && err->code == NX_EDB && strstr(err->msg, path) == NULL)
		nx_error_prefix(err, "index '%s'", path);
	nx_store_close(st);
	return rc < 0 ? rc : NX_EDB;
}

void nx_store_close(nx_store *st)
{
	int i = 0;

	if (st == NULL)
		return;
	nx_store__blk_discard(st);
	for (i = 0; i < NX_STMT__COUNT; i++)
		sqlite3_finalize(st->stmt[i]);
	nx_store__blkcache_free(&st->bc[0]);
	nx_store__blkcache_free(&st->bc[1]);
	nx_pretok_free(st->pretok);
	nx_store__vocab_discard(st);
	nx_store__defer_forget(st);
	if (st->db != NULL) {
		if (st->in_tx)
			sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
		sqlite3_close(st->db);
	}
	close_db2(st);
	free(st->conn_name);
	nx_store__zworkers_free(st);
	pthread_mutex_destroy(&st->zmu);
	free(st->path);
	free(st->file_path);
	nx_buf_free(&st->train);
	free(st);
}

void nx_store__refresh(nx_store *st)
{
	int64_t ver = 0;

	if (nx_store__query_int(st, "PRAGMA user_version", &ver) == 0 && ver != st->schema) {
		nx_store__load_settings(st);
		close_db2(st); /* reopened with the new settings when next needed */
	}
}

const char *nx_store_path(const nx_store *st)
{
	return st->path;
}

void nx_store__trim(nx_store *st)
{
	nx_store__exec(st, "PRAGMA incremental_vacuum", NULL, "");
}

/*
 * Merge at the end of a load only while the merge is cheap beside the
 * load: the index at most NX_SETTLE_MAX articles, at least half of them
 * written by this load (a sync of a few articles into a large index
 * never rewrites it).
 */
#define NX_SETTLE_MAX 100000

int nx_store__settle(nx_store *st, long written, nx_error *err)
{
	int64_t last = 0;

	if (written > 0 && nx_store__query_int(st, "SELECT coalesce(max(id), 0) FROM article", &last) == 0 &&
	    last <= NX_SETTLE_MAX && (int64_t)written * 2 >= last) {
		int rc = NX_OK;

		/* a merge that fails is undone by SQLite, the segments stay */
		nx_store__exec(st, "INSERT INTO fts(fts) VALUES('optimize')", NULL, "");
		/* the words of the last batch in (a failure here fails the commit), then the blocks rewritten */
		if ((rc = nx_store__vocab_flush(st, err)) < 0)
			return rc;
		if (nx_store__exec(st, "SAVEPOINT nx_settle", NULL, "") == NX_OK)
			nx_store__exec(st,
				       nx_store__vocab_compact(st, NULL) == NX_OK ? "RELEASE nx_settle" :
										  "ROLLBACK TO nx_settle; RELEASE nx_settle",
				       NULL, "");
	}
	nx_store__trim(st);
	return NX_OK;
}

/*
 * A bulk load's connection (nx_add_run): at 10M articles the writer spent
 * a fifth of its time copying pages in and out of the kernel (pread of
 * index pages its 64 MB cache did not hold: ids and dates land at random
 * in their indexes) and another fifth waiting for the checkpoint after
 * every commit (fdatasync).  The cache grows with the index, 256 bytes an
 * article from 64 MB up to 256 MB (those indexes take about 30 bytes an
 * article; a larger cache at 200k articles only cost page faults: 0.5 CPU
 * s more), called again after each commit; and a checkpoint every
 * NX_BULK_CHECKPOINT pages of WAL rather than 1,000 copies a page that
 * several commits changed once, with a sync per checkpoint.  on 0: back
 * to a writer's usual settings (store_open).  A load that left those
 * indexes for its end (defer.c) keeps 64 MB.  Environment
 * NX_BULK_CACHE_KB / NX_BULK_CHECKPOINT (measurements) fix them.
 */
#define NX_BULK_CACHE_MIN_KB 65536
#define NX_BULK_CACHE_MAX_KB 262144
#define NX_BULK_CHECKPOINT 16384
#define NX_BULK_CHECKPOINT_MAX 65536

/*
 * In a large index a commit of new articles dirties pages all over the
 * indexes of ids and dates, and the same pages again at the next commit:
 * a WAL that spans several commits copies each of them once a checkpoint.
 * Adding 375k articles to a 10M index (about 620k pages of 16 KB): 12.9-13.2
 * GB written and 41.7-42.6 CPU s with 65,536 pages against 15.8-18.2 GB
 * and 43.9-48.0 CPU s with 16,384 (doc/performance.md, round 15).  A
 * tenth of the index, from NX_BULK_CHECKPOINT to NX_BULK_CHECKPOINT_MAX
 * pages (1 GB of WAL at most on the disk while the load runs): as before
 * up to an index of 2.6 GB (about 2.5M articles).
 */
long nx_store__bulk_checkpoint_pages(int64_t index_pages)
{
	int64_t n = index_pages / 10;

	return n < NX_BULK_CHECKPOINT ? NX_BULK_CHECKPOINT : n > NX_BULK_CHECKPOINT_MAX ? NX_BULK_CHECKPOINT_MAX : (long)n;
}

void nx_store__bulk_settings(nx_store *st, int on)
{
	const char *env = getenv("NX_BULK_CHECKPOINT");
	int64_t cache = NX_BULK_CACHE_MIN_KB, last = 0, pages = 0;
	long ckpt = NX_BULK_CHECKPOINT;
	char sql[96];

	if (env != NULL && atol(env) > 0)
		ckpt = atol(env);
	else if (on && nx_store__query_int(st, "PRAGMA page_count", &pages) == 0)
		ckpt = nx_store__bulk_checkpoint_pages(pages);
	if (on && (env = getenv("NX_BULK_CACHE_KB")) != NULL && atol(env) > 0)
		cache = atol(env);
	else if (on && !st->deferred && nx_store__query_int(st, "SELECT coalesce(max(id), 0) FROM article", &last) == 0 &&
		 last / 4 > cache)
		cache = last / 4 < NX_BULK_CACHE_MAX_KB ? last / 4 : NX_BULK_CACHE_MAX_KB;
	snprintf(sql, sizeof(sql), "PRAGMA cache_size = -%lld; PRAGMA wal_autocheckpoint = %ld", (long long)cache,
		 on ? ckpt : 1000);
	nx_store__exec(st, sql, NULL, "");
}

/*
 * A new archive's first transaction with a rollback journal instead of
 * the WAL.  In WAL mode every page is written twice: into the WAL at the
 * commit, then into the index by the checkpoint, which reads it back
 * first; at 20k articles that copy was a quarter of what `add` does after
 * its last article is read.  Into an empty index there is next to nothing
 * to journal (a new page needs no copy of what it held), so each page is
 * written once, as plain SQLite writes it, and the commit syncs the
 * journal and the index as the checkpoint would have.  Only while the
 * index is empty and nothing else has it open (changing the journal needs
 * the index to itself: otherwise it stays in WAL), and only for that
 * first transaction: nx_store__first_load_end goes back to the WAL, where
 * readers never wait for the writer.  A load killed meanwhile leaves a
 * journal the next opener rolls back: the empty index again.
 * NX_FIRST_LOAD_WAL=1 keeps the WAL all along (measurements).
 */
int nx_store__first_load_begin(nx_store *st)
{
	const char *env = getenv("NX_FIRST_LOAD_WAL");
	char mode[16] = "";
	sqlite3_stmt *s = NULL;

	if (st->in_tx || st->journal_off || !(st->flags & NX_STORE_WRITE) || (env != NULL && strcmp(env, "1") == 0) ||
	    !nx_store__is_empty(st))
		return 0;
	if (sqlite3_prepare_v2(st->db, "PRAGMA journal_mode = DELETE", -1, &s, NULL) == SQLITE_OK &&
	    sqlite3_step(s) == SQLITE_ROW && sqlite3_column_text(s, 0) != NULL)
		snprintf(mode, sizeof(mode), "%s", (const char *)sqlite3_column_text(s, 0));
	sqlite3_finalize(s);
	st->journal_off = strcmp(mode, "delete") == 0;
	return st->journal_off;
}

void nx_store__first_load_end(nx_store *st)
{
	char mode[16] = "";
	sqlite3_stmt *s = NULL;

	if (!st->journal_off || st->in_tx)
		return;
	if (sqlite3_prepare_v2(st->db, "PRAGMA journal_mode = WAL", -1, &s, NULL) == SQLITE_OK &&
	    sqlite3_step(s) == SQLITE_ROW && sqlite3_column_text(s, 0) != NULL)
		snprintf(mode, sizeof(mode), "%s", (const char *)sqlite3_column_text(s, 0));
	sqlite3_finalize(s);
	/*
	 * Busy (a reader came meanwhile and is still reading): the next
	 * transaction keeps the journal, its commit waits for readers as this
	 * one's did, and the switch is tried again after it; the next
	 * writer's open goes back to the WAL in any case.
	 */
	if (strcmp(mode, "wal") == 0)
		st->journal_off = 0;
}

int nx_store__is_empty(nx_store *st)
{
	int64_t any = 1;

	return nx_store__query_int(st, "SELECT EXISTS (SELECT 1 FROM article)", &any) == 0 && any == 0;
}

/*
 * FTS5 writes its pending terms out as a new segment whenever they pass
 * its hash size (1 MB by default), and merges every four segments of a
 * level into one (automerge): a load of 10,000 articles made a dozen
 * segments a transaction and merged them again and again.  With room for
 * a whole transaction's terms it writes one segment at each commit:
 * callgrind of a one-core load of the first 10,000 articles of the 20k
 * bench corpus 7,813 M -> 7,314 M instructions (-6.4%), fts_data the same
 * size to 4 bytes (the structure record's write counter).  The size is a
 * row of fts_config while the load runs (a load killed midway leaves it:
 * the next load's end takes it away).  Environment NX_BULK_FTS_HASH_KB
 * (measurements) sets another size.
 */
void nx_store__bulk_fts(nx_store *st, int on)
{
	const char *env = getenv("NX_BULK_FTS_HASH_KB");
	long size = env != NULL && atol(env) > 0 ? atol(env) * 1024L : (long)NX_BULK_FTS_HASH;
	char sql[96];

	snprintf(sql, sizeof(sql), "INSERT INTO fts(fts, rank) VALUES('hashsize', %ld)", on ? size : 1048576L);
	if (nx_store__exec(st, sql, NULL, "") == NX_OK && !on)
		nx_store__exec(st, "DELETE FROM fts_config WHERE k = 'hashsize'", NULL, "");
}

int nx_store_begin(nx_store *st, nx_error *err)
{
	int rc = nx_store__exec(st, "BEGIN IMMEDIATE", err, "cannot start writing");

	if (rc == NX_OK)
		st->in_tx = 1;
	return rc;
}

/*
 * A transaction that ends with fewer bodies sampled than a dictionary
 * wants still makes one from NX_ZDICT_MIN or more: a small archive is
 * compressed with one too, from its next batch on.
 */
#define NX_ZDICT_MIN 128

/*
 * COMMIT.  With the rollback journal of a new archive's first transaction
 * (nx_store__first_load_begin) a commit needs every reader out of the
 * index, not only the WAL's snapshot: the busy handler waits NX_BUSY_MS for
 * them, and the PENDING lock it takes meanwhile lets no new reader in, so
 * only a reader that was already reading can hold it up.  One that takes
 * longer (a paused export, a shell in a transaction) would cost the whole
 * transaction, so the commit is tried again while it is busy, up to
 * NX_COMMIT_TRIES times in all; SQLite keeps the transaction open
 * between tries.  In WAL mode a reader never holds up a commit.
 */
#define NX_COMMIT_TRIES 6

static int commit_now(nx_store *st, nx_error *err)
{
	int tries = 0, rc = SQLITE_OK;

	for (tries = 1; tries <= (st->journal_off ? NX_COMMIT_TRIES : 1); tries++)
		if ((rc = sqlite3_exec(st->db, "COMMIT", NULL, NULL, NULL)) != SQLITE_BUSY || !st->journal_off)
			break;
	if (rc == SQLITE_OK)
		return NX_OK;
	if (rc == SQLITE_BUSY && st->journal_off)
		return nx_error_set(err, NX_ELOCKED,
				    "cannot save to the index: another process has been reading it for %d s "
				    "(a new archive's first load waits for its readers); close it and run add again",
				    NX_COMMIT_TRIES * NX_BUSY_MS / 1000);
	if (rc == SQLITE_BUSY || rc == SQLITE_LOCKED)
		return nx_error_set(err, NX_ELOCKED, "cannot save to the index: the index is busy (another newsidx is writing)");
	return nx_error_set(err, NX_EDB, "cannot save to the index: %s", sqlite3_errmsg(st->db));
}

int nx_store_commit(nx_store *st, nx_error *err)
{
	int rc = NX_OK;

	rc = nx_store__blk_close(st, err);
	if (rc == NX_OK && atomic_load(&st->zdict) == NULL && st->ntrain >= NX_ZDICT_MIN)
		rc = nx_store__make_zdict(st, err);
	if (rc == NX_OK)
		rc = nx_store__save_zdict(st, err);
	if (rc == NX_OK)
		rc = nx_store__vocab_flush(st, err);

	if (rc == NX_OK)
		rc = commit_now(st, err);

	if (rc == NX_OK)
		st->in_tx = 0;
	else
		nx_store_rollback(st);
	return rc;
}

/* Forget cached ids of rows a rollback may have undone. */
static void forget_cache(nx_store *st)
{
	free(st->file_path);
	st->file_path = NULL;
	st->file_id = 0;
}

void nx_store_rollback(nx_store *st)
{
	forget_cache(st);
	nx_store__blk_discard(st);
	nx_store__vocab_discard(st);
	if (st->in_tx)
		sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
	st->in_tx = 0;
}

int nx_store_savepoint(nx_store *st, nx_error *err)
{
	return nx_store__exec(st, "SAVEPOINT nx_unit", err, "cannot start writing");
}

int nx_store_release(nx_store *st, int keep, nx_error *err)
{
	if (keep && nx_store__blk_close(st, err) < 0)
		keep = 0;
	if (!keep) {
		forget_cache(st);
		nx_store__blk_discard(st);
	}
	if (!keep && nx_store__exec(st, "ROLLBACK TO nx_unit", err, "cannot undo a partial write") < 0)
		return err != NULL ? err->code : NX_EDB;
	return nx_store__exec(st, "RELEASE nx_unit", err, "cannot save to the index");
}

int nx_store_set_keep_originals(nx_store *st, int on, nx_error *err)
{
	char sql[96];

	snprintf(sql, sizeof(sql), "INSERT OR REPLACE INTO meta(key, value) VALUES('keep_originals', %d)", on ? 1 : 0);
	if (nx_store__exec(st, sql, err, "cannot change the index setting") < 0)
		return err != NULL ? err->code : NX_EDB;
	st->keep_originals = on != 0;
	return NX_OK;
}

int nx_store_keep_originals(nx_store *st)
{
	return st->keep_originals;
}

void nx_store__bind_text(sqlite3_stmt *s, int i, const char *v)
{
	if (v == NULL)
		sqlite3_bind_null(s, i);
	else
		sqlite3_bind_text(s, i, v, -1, SQLITE_TRANSIENT);
}

int nx_store__step_done(nx_store *st, sqlite3_stmt *s, nx_error *err, const char *what)
{
	int rc = sqlite3_step(s);

	sqlite3_reset(s);
	if (rc != SQLITE_DONE && rc != SQLITE_ROW)
		return nx_store__dberr(st, err, what);
	return NX_OK;
}

/* Run statement id with ?1 = v, to its end; what names it in an error. */
/*
 * FTS5 writes its pending terms out as a segment whenever a statement
 * opens a statement transaction on it (its xSavepoint), as an INSERT ...
 * SELECT into it does.  Removing 2,000 articles that way wrote 2,000
 * segments (each merged again soon after) and took 11 times as long as
 * single-row INSERTs with VALUES, which leave the terms in memory until
 * the commit; and the readers of the index then found a dozen small
 * segments on the first level, each looked into for every word.
 */
int nx_store__fts_rows(nx_store *st, nx_stmt_id sel, nx_stmt_id ins, int64_t v, nx_error *err, const char *what)
{
	sqlite3_stmt *s = nx_store__stmt(st, sel, err), *w = s != NULL ? nx_store__stmt(st, ins, err) : NULL;
	int rc = NX_OK, step = SQLITE_DONE, k = 0;

	if (w == NULL)
		return err != NULL ? err->code : NX_EDB;
	sqlite3_bind_int64(s, 1, v);
	while (rc == NX_OK && (step = sqlite3_step(s)) == SQLITE_ROW) {
		for (k = 0; k < 5; k++)
			sqlite3_bind_value(w, k + 1, sqlite3_column_value(s, k));
		rc = nx_store__step_done(st, w, err, what);
	}
	if (rc == NX_OK && step != SQLITE_DONE)
		rc = nx_store__dberr(st, err, what);
	sqlite3_reset(s);
	sqlite3_clear_bindings(w);
	return rc;
}

int nx_store__run_with(nx_store *st, nx_stmt_id id, int64_t v, nx_error *err, const char *what)
{
	sqlite3_stmt *s = nx_store__stmt(st, id, err);

	if (s == NULL)
		return err != NULL ? err->code : NX_EDB;
	sqlite3_bind_int64(s, 1, v);
	return nx_store__step_done(st, s, err, what);
}

/*
 * schema.c - the index's schema and its upgrades, the settings kept in
 * it, and the SQL functions its views and statements call.
 */
#include "index/store_private.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/hex.h"
#include "util/text.h"
#include "index/mapvfs.h"
#include "index/tokenizer.h"

/* Schema of version NX_SCHEMA_VERSION, created in one transaction. */
static const char schema_sql[] =
	"CREATE TABLE meta(key TEXT PRIMARY KEY, value) WITHOUT ROWID;"
	"CREATE TABLE article("
	"  id INTEGER PRIMARY KEY,"
	"  uid BLOB NOT NULL,"             /* public id: 8 bytes, shown as 16 hex digits (see nx_uid) */
	"  url TEXT,"
	"  source TEXT, title TEXT NOT NULL DEFAULT '', authors TEXT, section TEXT, lang TEXT,"
	"  published INTEGER, published_tz INTEGER, published_flags INTEGER,"
	"  updated INTEGER, updated_tz INTEGER, updated_flags INTEGER,"
	"  captured INTEGER NOT NULL,"
	"  rev INTEGER NOT NULL DEFAULT 1,"
	"  hash BLOB NOT NULL,"            /* nx_article_hash of this version: its first 16 bytes */
	"  body_len INTEGER NOT NULL,"
	"  body_z BLOB NOT NULL,"          /* nx_deflate_dict(body, zdict) */
	"  body_hash BLOB NOT NULL,"       /* 8 bytes of the body's sha256: check, copies */
	"  captions TEXT NOT NULL DEFAULT '', credits TEXT NOT NULL DEFAULT '');"
	"CREATE INDEX article_url ON article(url) WHERE url IS NOT NULL;"
	/* an index of its own rather than UNIQUE in the table: a load can drop it (defer.c) */
	"CREATE UNIQUE INDEX article_uid ON article(uid);"
	"CREATE INDEX article_published ON article(published);"
	"CREATE TABLE photo("
	"  article_id INTEGER NOT NULL REFERENCES article(id) ON DELETE CASCADE,"
	"  seq INTEGER NOT NULL, agency TEXT, photographer TEXT, caption TEXT, url TEXT,"
	"  PRIMARY KEY(article_id, seq)) WITHOUT ROWID;"
	"CREATE TABLE revision("
	"  article_id INTEGER NOT NULL REFERENCES article(id) ON DELETE CASCADE,"
	"  rev INTEGER NOT NULL, captured INTEGER, updated INTEGER, hash TEXT NOT NULL,"
	"  doc_z BLOB NOT NULL,"           /* nx_deflate(nx_article_to_json) */
	"  PRIMARY KEY(article_id, rev));"
	"CREATE TABLE file("
	"  id INTEGER PRIMARY KEY, path TEXT NOT NULL UNIQUE,"
	"  size INTEGER, mtime INTEGER, ino INTEGER, hash TEXT, seen INTEGER);"
	"CREATE TABLE origin("
	"  article_id INTEGER NOT NULL REFERENCES article(id) ON DELETE CASCADE,"
	"  file_id INTEGER NOT NULL REFERENCES file(id) ON DELETE CASCADE,"
	"  offset INTEGER NOT NULL DEFAULT -1, record_id TEXT, format TEXT, original TEXT,"
	"  hash BLOB,"                     /* the version it gave, 8 bytes of its hash; NULL: the current */
	"  PRIMARY KEY(article_id, file_id, offset)) WITHOUT ROWID;"
	"CREATE INDEX origin_file ON origin(file_id);"
	"CREATE TABLE original(hash TEXT PRIMARY KEY, size INTEGER, data_z BLOB NOT NULL) WITHOUT ROWID;"
	/* every indexed value starts with its language marker: see tokenizer.h */
	"CREATE VIEW fts_src AS SELECT id, nx_mark(lang, title) AS title,"
	"  nx_mark(lang, nx_inflate(body_z)) AS body, nx_mark(lang, captions) AS captions,"
	"  nx_mark(lang, credits) AS credits FROM article;"
	/* earlier versions, searchable with --all-revisions */
	"CREATE VIEW rev_src AS SELECT rowid AS id, article_id, nx_rev_text(doc_z, 0) AS title,"
	"  nx_rev_text(doc_z, 1) AS body, nx_rev_text(doc_z, 2) AS captions,"
	"  nx_rev_text(doc_z, 3) AS credits FROM revision;";

/*
 * Schema 2: the full-text tables, body first.  FTS5 writes a column
 * number before the positions of every column but the first, two bytes
 * per article and word: with the body first that is a quarter of the
 * positional index saved.  And the preset dictionaries of bodies.
 */
static const char schema2_sql[] =
	"CREATE VIRTUAL TABLE fts USING fts5(body, title, captions, credits,"
	"  content='fts_src', content_rowid='id', tokenize='nx');"
	"INSERT INTO fts(fts, rank) VALUES('rank', 'bm25(1.0, 8.0, 0.6, 0.4)');"
	"CREATE VIRTUAL TABLE rev_fts USING fts5(body, title, captions, credits,"
	"  content='rev_src', content_rowid='id', tokenize='nx');"
	"INSERT INTO rev_fts(rev_fts, rank) VALUES('rank', 'bm25(1.0, 8.0, 0.6, 0.4)');"
	"CREATE TABLE IF NOT EXISTS zdict(id INTEGER PRIMARY KEY, data BLOB NOT NULL);"
	/* a URL is found through the id made from it (nx_store__resolve) */
	"DROP INDEX IF EXISTS article_url;";

/* From schema 1 (title first): drop the full-text tables, make them anew. */
static const char migrate1_sql[] =
	"DROP TABLE fts; DROP TABLE rev_fts;";
/*
 * To schema 3 (from 1 or 2): ids as 8 bytes, and the full-text tables
 * indexed again with the longer stop list.
 */
static const char migrate3_sql[] =
	"UPDATE article SET uid = nx_uid_key(uid) WHERE typeof(uid) = 'text';";
/*
 * Schema 4: blocks of bodies.  A bulk load compresses the bodies of a few
 * consecutive articles together (nx_store_pack); each article's body_z
 * then refers to its block (see nx_store__ref_encode in blocks.c).  refs counts the articles
 * that refer to a block: the last one to go takes the block with it.
 */
static const char schema4_sql[] =
	"CREATE TABLE IF NOT EXISTS body_block(id INTEGER PRIMARY KEY, refs INTEGER NOT NULL, z BLOB NOT NULL);";
static const char rebuild_sql[] =
	"INSERT INTO fts(fts) VALUES('rebuild'); INSERT INTO rev_fts(rev_fts) VALUES('rebuild');";

/* SQL: nx_body_block(body_z) -> the block it refers to, or 0 */
static void sql_body_block(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
	(void)argc;
	if (sqlite3_value_type(argv[0]) != SQLITE_BLOB) {
		sqlite3_result_int(ctx, 0);
		return;
	}
	sqlite3_result_int64(ctx, nx_store__body_block(sqlite3_value_blob(argv[0]),
						       (size_t)sqlite3_value_bytes(argv[0])));
}

/* SQL: nx_inflate(blob) -> text */
static void sql_inflate(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
	nx_buf b = NX_BUF_INIT;
	const void *blob = NULL;
	int n = 0, rc = 0;

	(void)argc;
	if (sqlite3_value_type(argv[0]) == SQLITE_NULL)
		return;
	blob = sqlite3_value_blob(argv[0]);
	n = sqlite3_value_bytes(argv[0]);
	rc = nx_store__inflate_cached(sqlite3_user_data(ctx), &b, blob, (size_t)n);
	if (rc == NX_ENOMEM) {
		sqlite3_result_error_nomem(ctx);
	} else if (rc < 0) {
		sqlite3_result_error(ctx, "corrupt compressed text in the index", -1);
	} else {
		size_t len = b.len;

		sqlite3_result_text64(ctx, nx_buf_detach(&b), len, free, SQLITE_UTF8);
		return;
	}
	nx_buf_free(&b);
}

/* SQL: nx_mark(lang, text) -> "\x1Flang\x1F" || text, as the tokenizer expects */
/*
 * Article ids.  Users see 16 hex digits; schema 3 stores their 8 bytes
 * (schemas 1 and 2 the digits as text): half the size in the row and in
 * the index of ids.  SQL reads them through nx_uid(uid) and looks them up
 * with uid = nx_uid_key(?, pad), which give the same answers for every
 * schema, so one statement serves old and new indexes alike.
 */

/* nx_uid(uid): the id as users see it, 16 hex digits, whatever the schema. */
static void sql_uid(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
	char out[17];

	(void)argc;
	if (sqlite3_value_type(argv[0]) != SQLITE_BLOB || sqlite3_value_bytes(argv[0]) != 8) {
		sqlite3_result_value(ctx, argv[0]);
		return;
	}
	nx_hex(out, sqlite3_value_blob(argv[0]), 8);
	sqlite3_result_text(ctx, out, 16, SQLITE_TRANSIENT);
}

/*
 * nx_uid_key(text[, pad]): what the uid column holds for an id given as
 * text -- 8 bytes in schema 3, the lower-case digits before.  A shorter
 * run of digits is padded with pad ('0' or 'f') to the first or the last
 * id it begins.  Anything else is returned as it is and matches nothing.
 */
static void sql_uid_key(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
	const nx_store *st = sqlite3_user_data(ctx);
	const unsigned char *t = NULL, *p = argc > 1 ? sqlite3_value_text(argv[1]) : NULL;
	int n = 0, i = 0, pad = p != NULL && p[0] != '\0' ? p[0] : '0';
	unsigned char b[8];
	char digits[16];

	if (sqlite3_value_type(argv[0]) == SQLITE_TEXT) {
		t = sqlite3_value_text(argv[0]);
		n = sqlite3_value_bytes(argv[0]);
	}
	for (i = 0; i < 16 && t != NULL && n <= 16; i++)
		digits[i] = (char)nx_tolower(i < n ? t[i] : pad);
	if (n < 1 || n > 16 || !nx_unhex(b, digits, 8)) {
		sqlite3_result_value(ctx, argv[0]);
		return;
	}
	if (st->schema >= 3)
		sqlite3_result_blob(ctx, b, 8, SQLITE_TRANSIENT);
	else
		sqlite3_result_text(ctx, digits, 16, SQLITE_TRANSIENT);
}

static void sql_mark(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
	nx_buf b = NX_BUF_INIT;
	const char *lang = (const char *)sqlite3_value_text(argv[0]);
	const char *text = NULL;
	size_t len = 0;

	(void)argc;
	if (sqlite3_value_type(argv[1]) == SQLITE_NULL)
		return;
	text = (const char *)sqlite3_value_text(argv[1]);
	len = (size_t)sqlite3_value_bytes(argv[1]);
	nx_lang_mark(&b, lang, text != NULL ? text : "", len);
	if (!nx_buf_ok(&b)) {
		sqlite3_result_error_nomem(ctx);
		nx_buf_free(&b);
		return;
	}
	len = b.len;
	sqlite3_result_text64(ctx, nx_buf_detach(&b), len, free, SQLITE_UTF8);
}

/*
 * Column col (0 title, 1 body, 2 captions, 3 credits) of a revision's
 * compressed JSON, with its language marker: the text rev_fts indexes.
 */
static void sql_rev_text(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
	nx_buf json = NX_BUF_INIT, out = NX_BUF_INIT;
	nx_article *a = NULL;
	char *text = NULL;
	int col = sqlite3_value_int(argv[1]), rc = 0;

	(void)argc;
	rc = nx_inflate_blob(&json, sqlite3_value_blob(argv[0]), (size_t)sqlite3_value_bytes(argv[0]));
	if (rc == NX_OK)
		rc = nx_article_from_json(&a, json.buf, json.len, NULL);
	if (rc < 0) {
		sqlite3_result_error(ctx, "corrupt revision in the index", -1);
		goto done;
	}
	switch (col) {
	case 0: text = strdup(a->title != NULL ? a->title : ""); break;
	case 1: text = nx_article_body(a); break;
	case 2: text = nx_article_captions(a); break;
	default: text = nx_article_credits(a); break;
	}
	if (text != NULL)
		nx_lang_mark(&out, a->lang, text, strlen(text));
	if (text == NULL || !nx_buf_ok(&out)) {
		sqlite3_result_error_nomem(ctx);
		goto done;
	}
	{
		size_t len = out.len;

		sqlite3_result_text64(ctx, nx_buf_detach(&out), len, free, SQLITE_UTF8);
	}
done:
	free(text);
	nx_article_free(a);
	nx_buf_free(&json);
	nx_buf_free(&out);
}

int nx_store__load_settings(nx_store *st)
{
	sqlite3_stmt *s = NULL;
	int64_t v = 0, cur = 0;

	nx_store__query_int(st, "PRAGMA user_version", &v);
	st->schema = (int)v;
	st->fcol[NX_F_TITLE] = st->schema >= 2 ? 1 : 0;
	st->fcol[NX_F_BODY] = st->schema >= 2 ? 0 : 1;
	nx_tokenizer_set_stopwords(st->db, nx_store__stoplist(st));
	st->fcol[NX_F_CAPTIONS] = 2;
	st->fcol[NX_F_CREDITS] = 3;
	/* the body dictionaries: every one (old rows need them), and the current one */
	nx_store__query_int(st, "SELECT coalesce((SELECT value FROM meta WHERE key = 'zdict'), 0)", &cur);
	if (st->schema >= 2) {
		const nx_zdict *d = NULL;

		nx_store__zdict_load_all(st->db, cur, &d);
		if (d != NULL)
			atomic_store(&st->zdict, d);
	}

	if (nx_store__query_int(st, "SELECT coalesce((SELECT value FROM meta WHERE key = 'keep_originals'), 0)", &v) == 0)
		st->keep_originals = v != 0;
	if (nx_store__query_int(st, "SELECT coalesce((SELECT value FROM meta WHERE key = 'clean_urls'), 0)", &v) == 0)
		st->clean_urls = v != 0;
	/* the languages the index holds: queries are stemmed in each of them */
	if (sqlite3_prepare_v2(st->db, "SELECT value FROM meta WHERE key = 'langs'", -1, &s, NULL) == SQLITE_OK &&
	    sqlite3_step(s) == SQLITE_ROW && sqlite3_column_text(s, 0) != NULL)
		snprintf(st->langs, sizeof(st->langs), "%s", (const char *)sqlite3_column_text(s, 0));
	sqlite3_finalize(s);
	nx_tokenizer_set_query_langs(st->db, st->langs);
	return NX_OK;
}

/* Remember a new language in meta 'langs' (comma-separated); the value is bound, never pasted into SQL. */
int nx_store__note_lang(nx_store *st, const char *lang, nx_error *err)
{
	char key[16], have[sizeof(st->langs) + 2], langs[2 * sizeof(st->langs) + 8];
	sqlite3_stmt *s = NULL;
	size_t n = 0;
	int rc = NX_OK;

	if (lang == NULL || !nx_lang_has_stemmer(lang) || strlen(lang) > 8)
		return NX_OK;
	snprintf(key, sizeof(key), ",%s,", lang);
	snprintf(have, sizeof(have), ",%s,", st->langs);
	if (strstr(have, key) != NULL)
		return NX_OK;
	n = strlen(st->langs);
	if (n + strlen(lang) + 2 >= sizeof(st->langs))
		return NX_OK;
	snprintf(langs, sizeof(langs), "%s%s%s", st->langs, n > 0 ? "," : "", lang);
	if (sqlite3_prepare_v2(st->db, "INSERT OR REPLACE INTO meta(key, value) VALUES('langs', ?1)", -1, &s,
			       NULL) != SQLITE_OK)
		return nx_store__dberr(st, err, "cannot save the index languages");
	sqlite3_bind_text(s, 1, langs, -1, SQLITE_STATIC);
	rc = nx_store__step_done(st, s, err, "cannot save the index languages");
	sqlite3_finalize(s);
	if (rc < 0)
		return rc;
	memcpy(st->langs, langs, strlen(langs) + 1);
	nx_tokenizer_set_query_langs(st->db, st->langs);
	return NX_OK;
}

int nx_store__migrate(nx_store *st, nx_error *err)
{
	int64_t ver = 0, tables = 0;
	int rc = NX_OK;

	if (nx_store__query_int(st, "PRAGMA user_version", &ver) < 0 ||
	    nx_store__query_int(st, "SELECT count(*) FROM sqlite_schema", &tables) < 0)
		return nx_store__dberr(st, err, "cannot read the index");
	if (ver > NX_SCHEMA_VERSION)
		return nx_error_set(err, NX_EDB,
				    "index '%s' has schema %lld, newer than this newsidx understands (%d): upgrade newsidx",
				    st->path, (long long)ver, NX_SCHEMA_VERSION);
	if (ver == NX_SCHEMA_VERSION)
		return NX_OK;
	if (ver == 0 && tables > 0)
		return nx_error_set(err, NX_EDB, "'%s' is an SQLite file but not a newsidx index", st->path);
	/* schemas 1 to 3 are read as they are; the first writer upgrades them */
	if (!(st->flags & NX_STORE_WRITE))
		return ver >= 1 && ver <= 3 ? NX_OK :
					      nx_error_set(err, NX_EDB, "index '%s' is empty: add articles first",
							   st->path);
	/* 16 kB pages: rows of about 1 kB leave less unused at page ends */
	if (ver == 0 && tables == 0) {
		nx_store__exec(st, "PRAGMA page_size = 16384", NULL, "");
		nx_store__exec(st, "PRAGMA auto_vacuum = INCREMENTAL", NULL, "");
		/*
		 * Then WAL mode at once (a writer's mode, nx_store_open), so that
		 * making the index -- the schema, the words' table, the later
		 * upgrades -- commits without waiting for the disk: in a rollback
		 * journal each of those three transactions synced four times,
		 * about 0.1 s before a new archive's first article.  (The two
		 * above write the first page, through the journal: auto_vacuum
		 * takes effect only on a file without one.)
		 */
		nx_store__exec(st, "PRAGMA journal_mode = WAL", NULL, "");
		nx_store__exec(st, "PRAGMA synchronous = NORMAL", NULL, "");
	}
	if ((rc = nx_store__exec(st, "BEGIN IMMEDIATE", err, "cannot create the index")) < 0)
		return rc;
	/* what is written from here on is schema 4: ids as bytes, stop list 2, blocks of bodies */
	st->schema = NX_SCHEMA_VERSION;
	nx_tokenizer_set_stopwords(st->db, nx_store__stoplist(st));
	if (ver == 0 && (rc = nx_store__exec(st, schema_sql, err, "cannot create the index")) == NX_OK)
		rc = nx_store__exec(st, schema2_sql, err, "cannot create the index");
	/* every URL it will hold is without tracking parameters (nx_store__resolve) */
	if (ver == 0 && rc == NX_OK &&
	    (rc = nx_store__exec(st, "INSERT OR REPLACE INTO meta(key, value) VALUES('clean_urls', 1)", err,
				 "cannot create the index")) == NX_OK)
		st->clean_urls = 1;
	if (ver == 1 && (rc = nx_store__exec(st, migrate1_sql, err, "cannot upgrade the index")) == NX_OK)
		rc = nx_store__exec(st, schema2_sql, err, "cannot upgrade the index");
	/* the rebuild's nx_inflate loads the index's dictionaries when a body needs one */
	if (ver > 0 && ver < 3 && rc == NX_OK && (rc = nx_store__exec(st, migrate3_sql, err, "cannot upgrade the index")) == NX_OK)
		rc = nx_store__exec(st, rebuild_sql, err, "cannot upgrade the index");
	if (rc == NX_OK)
		rc = nx_store__exec(st, schema4_sql, err, ver == 0 ? "cannot create the index" : "cannot upgrade the index");
	if (rc == NX_OK) {
		char sql[64];

		snprintf(sql, sizeof(sql), "PRAGMA user_version = %d", NX_SCHEMA_VERSION);
		rc = nx_store__exec(st, sql, err, "cannot create the index");
	}
	if (rc == NX_OK)
		rc = nx_store__exec(st, "COMMIT", err, "cannot create the index");
	else
		sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
	return rc;
}

/* Open the connection and give it the functions and tokenizer the index needs. */
int nx_store__connect_db(nx_store *st, sqlite3 **pdb, nx_blkcache *bc, const char *name, int oflags, nx_error *err)
{
	/* nx_uid_key is deterministic within a statement: the schema changes between them */
	static const struct {
		const char *name;
		int nargs, needs_store; /* user data: 1 the store, 2 the connection's block cache */
		void (*fn)(sqlite3_context *, int, sqlite3_value **);
	} fns[] = {
		{ "nx_inflate", 1, 2, sql_inflate }, { "nx_rev_text", 2, 0, sql_rev_text },
		{ "nx_mark", 2, 0, sql_mark },       { "nx_uid", 1, 0, sql_uid },
		{ "nx_uid_key", 1, 1, sql_uid_key }, { "nx_uid_key", 2, 1, sql_uid_key },
		{ "nx_body_block", 1, 0, sql_body_block },
	};
	sqlite3 *db = NULL;
	size_t i = 0;

	/* readers through the layer that maps the whole file (mapvfs.h); writers map nothing */
	if (sqlite3_open_v2(name, pdb, oflags | SQLITE_OPEN_NOMUTEX,
			    (oflags & SQLITE_OPEN_READWRITE) ? NULL : nx_mapvfs_name()) != SQLITE_OK)
		return nx_error_set(err, NX_EDB, "cannot open index '%s': %s", st->path,
				    *pdb != NULL ? sqlite3_errmsg(*pdb) : "out of memory");
	db = *pdb;
	nx_store__blkcache_close(bc);
	bc->db = db;
	sqlite3_extended_result_codes(db, 0);
	sqlite3_busy_timeout(db, NX_BUSY_MS);
	for (i = 0; i < sizeof(fns) / sizeof(fns[0]); i++)
		if (sqlite3_create_function(db, fns[i].name, fns[i].nargs,
					    SQLITE_UTF8 | SQLITE_DETERMINISTIC | SQLITE_INNOCUOUS,
					    fns[i].needs_store == 1 ? (void *)st : fns[i].needs_store == 2 ? (void *)bc : NULL,
					    fns[i].fn, NULL, NULL) != SQLITE_OK)
			return nx_error_set(err, NX_EDB, "cannot set up the index: %s", sqlite3_errmsg(db));
	if (nx_tokenizer_register(db) != SQLITE_OK || nx_store__vocab_register(db) != SQLITE_OK)
		return nx_error_set(err, NX_EDB, "cannot set up the index: %s", sqlite3_errmsg(db));
	return NX_OK;
}

/*
 * The URL of an article as its source gave it, when ingest dropped
 * tracking parameters or a fragment from it (issue 20 item 3): one row per
 * origin that had one.  A table of its own rather than a column of origin,
 * so indexes of schema 4 need no upgrade step and older newsidx versions
 * read and write them as before (the cascade keeps it in step with
 * article).  Readers of an index no writer of this version opened see no
 * such table and show no original URL.
 */
int nx_store__origin_url_upgrade(nx_store *st, nx_error *err)
{
	int64_t have = 0;

	if (nx_store__query_int(st, "SELECT count(*) FROM sqlite_schema WHERE type = 'table' AND name = 'origin_url'",
				&have) < 0)
		return nx_store__dberr(st, err, "cannot read the index");
	if (have == 0 && (st->flags & NX_STORE_WRITE) &&
	    nx_store__exec(st,
			   "CREATE TABLE IF NOT EXISTS origin_url("
			   "  article_id INTEGER NOT NULL REFERENCES article(id) ON DELETE CASCADE,"
			   "  file_id INTEGER NOT NULL REFERENCES file(id) ON DELETE CASCADE,"
			   "  offset INTEGER NOT NULL, url TEXT NOT NULL,"
			   "  PRIMARY KEY(article_id, file_id, offset)) WITHOUT ROWID",
			   err, "cannot upgrade the index") < 0)
		return err != NULL ? err->code : NX_EDB;
	st->has_origin_url = have > 0 || (st->flags & NX_STORE_WRITE);
	return NX_OK;
}

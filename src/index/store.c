#include "index/store_private.h"

#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <zlib.h>

#include "util/text.h"
#include "index/tokenizer.h"
#include "index/zdict.h"

/* Schema of version NX_SCHEMA_VERSION, created in one transaction. */
static const char schema_sql[] =
	"CREATE TABLE meta(key TEXT PRIMARY KEY, value) WITHOUT ROWID;"
	"CREATE TABLE article("
	"  id INTEGER PRIMARY KEY,"
	"  uid BLOB NOT NULL UNIQUE,"      /* public id: 8 bytes, shown as 16 hex digits (see nx_uid) */
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
 * then refers to its block (see ref_encode).  refs counts the articles
 * that refer to a block: the last one to go takes the block with it.
 */
static const char schema4_sql[] =
	"CREATE TABLE IF NOT EXISTS body_block(id INTEGER PRIMARY KEY, refs INTEGER NOT NULL, z BLOB NOT NULL);";
static const char rebuild_sql[] =
	"INSERT INTO fts(fts) VALUES('rebuild'); INSERT INTO rev_fts(rev_fts) VALUES('rebuild');";

static const char *const stmt_sql[NX_STMT__COUNT] = {
	[NX_STMT_FIND_UID] = "SELECT id, hash, updated, captured FROM article WHERE uid = nx_uid_key(?1)",
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
	[NX_STMT_FTS_DELETE] =
		"INSERT INTO fts(fts, rowid, title, body, captions, credits)"
		" SELECT 'delete', id, title, body, captions, credits FROM fts_src WHERE id = ?1",
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
		"SELECT f.path, o.offset, o.record_id, o.format FROM origin o JOIN file f ON f.id = o.file_id"
		" WHERE o.article_id = ?1 ORDER BY f.id, o.offset LIMIT 1",
	[NX_STMT_FIND_PREFIX] =
		"SELECT id FROM article WHERE uid BETWEEN nx_uid_key(?1, '0') AND nx_uid_key(?1, 'f') LIMIT 2",
	[NX_STMT_FIND_URL] = "SELECT id FROM article WHERE url = ?1 LIMIT 1",
	[NX_STMT_FIND_URL_UID] = "SELECT id FROM article WHERE uid = nx_uid_key(?1) AND url = ?2",
	[NX_STMT_DELETE_ARTICLE] = "DELETE FROM article WHERE id = ?1",
	[NX_STMT_REV_FTS_INSERT] =
		"INSERT INTO rev_fts(rowid, title, body, captions, credits)"
		" SELECT id, title, body, captions, credits FROM rev_src WHERE id = ?1",
	[NX_STMT_REV_FTS_DELETE] =
		"INSERT INTO rev_fts(rev_fts, rowid, title, body, captions, credits)"
		" SELECT 'delete', id, title, body, captions, credits FROM rev_src WHERE article_id = ?1",
	[NX_STMT_BODY_HEAD] = "SELECT substr(body_z, 1, 32) FROM article WHERE id = ?1",
	[NX_STMT_BLOCK_NEXT] = "SELECT coalesce(max(id), 0) + 1 FROM body_block",
	[NX_STMT_BLOCK_INSERT] = "INSERT INTO body_block(id, refs, z) VALUES(?1, ?2, ?3)",
	[NX_STMT_BLOCK_UNREF] = "UPDATE body_block SET refs = refs - 1 WHERE id = ?1",
	[NX_STMT_BLOCK_GC] = "DELETE FROM body_block WHERE id = ?1 AND refs <= 0",
	[NX_STMT_MAX_SEEN] = "SELECT coalesce(max(seen), 0) FROM file",
};

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

/*
 * Compression.  Short texts compress poorly alone: a news body of 1 kB
 * shrinks to about half.  With a preset dictionary -- 32 kB of the
 * index's own first bodies -- zlib finds its phrases from the first
 * byte, and bodies shrink to about 0.41 (Reuters and BBC text).  The
 * dictionaries of every index this process opened are kept here, found
 * by the Adler-32 zlib writes in each stream's header.
 */
#define NX_ZDICT_MAX 16
#define NX_ZDICT_SIZE 32768
#define NX_ZDICT_TAKE 16384   /* bytes of each sampled body (what nx_zdict_train reads) */

static pthread_mutex_t zreg_mu = PTHREAD_MUTEX_INITIALIZER;
static nx_zdict *zreg[NX_ZDICT_MAX];
static int nzreg;

static const nx_zdict *zdict_find(uint32_t id)
{
	const nx_zdict *d = NULL;
	int i = 0;

	pthread_mutex_lock(&zreg_mu);
	for (i = 0; i < nzreg && d == NULL; i++)
		if (zreg[i]->id == id)
			d = zreg[i];
	pthread_mutex_unlock(&zreg_mu);
	return d;
}

/* Register a dictionary (or find it registered); NULL when the table is full. */
static const nx_zdict *zdict_register(const void *data, size_t len)
{
	uint32_t id = (uint32_t)adler32(adler32(0L, Z_NULL, 0), data, (uInt)len);
	const nx_zdict *d = zdict_find(id);
	nx_zdict *n = NULL;

	if (d != NULL || len == 0 || len > NX_ZDICT_SIZE)
		return d;
	pthread_mutex_lock(&zreg_mu);
	if (nzreg < NX_ZDICT_MAX && (n = malloc(sizeof(*n) + len)) != NULL) {
		n->id = id;
		n->len = len;
		memcpy(n->data, data, len);
		zreg[nzreg++] = n;
	}
	pthread_mutex_unlock(&zreg_mu);
	return n;
}

/* Append the 4-byte length and the whole of s compressed by a ready stream. */
static int deflate_all(z_stream *zs, nx_buf *out, const char *s, size_t len)
{
	unsigned char hdr[4];
	uLong bound = deflateBound(zs, (uLong)len);

	hdr[0] = (unsigned char)len;
	hdr[1] = (unsigned char)(len >> 8);
	hdr[2] = (unsigned char)(len >> 16);
	hdr[3] = (unsigned char)(len >> 24);
	nx_buf_add(out, hdr, 4);
	if (nx_buf_grow(out, bound) < 0)
		return NX_ENOMEM;
	zs->next_in = (Bytef *)(uintptr_t)s;
	zs->avail_in = (uInt)len;
	zs->next_out = (Bytef *)out->buf + out->len;
	zs->avail_out = (uInt)bound;
	if (deflate(zs, Z_FINISH) != Z_STREAM_END)
		return NX_ENOMEM;
	out->len += zs->total_out;
	out->buf[out->len] = '\0';
	return NX_OK;
}

int nx_deflate_dict(nx_buf *out, const char *s, size_t len, const nx_zdict *d)
{
	z_stream zs;
	int rc = NX_OK;

	if (len > UINT32_MAX)
		return NX_ETOOBIG;
	memset(&zs, 0, sizeof(zs));
	if (deflateInit(&zs, 6) != Z_OK)
		return NX_ENOMEM;
	if (d != NULL && deflateSetDictionary(&zs, d->data, (uInt)d->len) != Z_OK)
		rc = NX_ENOMEM;
	else
		rc = deflate_all(&zs, out, s, len);
	deflateEnd(&zs);
	return rc;
}

int nx_deflate(nx_buf *out, const char *s, size_t len)
{
	return nx_deflate_dict(out, s, len, NULL);
}

/*
 * Loading a 32 kB dictionary costs zlib 70 us, more than compressing a
 * whole article.  So each compressing thread keeps a stream with the
 * dictionary loaded and starts every body from a copy of it (deflateCopy),
 * whose memory comes from a scratch area reused for every body instead
 * of a quarter megabyte from malloc each time.
 */
#define NX_ZSCRATCH (512u << 10)

/*
 * Level 5 for bodies: with the dictionary, 0.419 of the text against 0.414
 * at level 6, for 30% less compression time (20k bench corpus).  Tuned
 * further (deflateTune): with a dictionary, deflate follows hash chains
 * through 32 kB of text that always matches somewhere, so shorter chains
 * (24, not 32) and giving up sooner on a good match (4, not 8) cost little
 * ratio: bodies 0.4025 of their text instead of 0.3978, for 21% less
 * compression time (8,000 bodies of the bench corpus, dictionary of 20k).
 */
#define NX_ZLEVEL 5
#define NX_ZGOOD 4
#define NX_ZLAZY 16
#define NX_ZNICE 32
#define NX_ZCHAIN 24
/*
 * Blocks of bodies (nx_store_pack): level 4, with chains cut at 16 and
 * lazy matching at 8.  On the 20k bench corpus's blocks that is 0.380 of
 * the text in 0.43 s, against 0.376 in 0.50 s with the bodies' settings
 * and 0.408 in 0.34 s at level 2 (scripts/bench-blocks).
 */
#define NX_ZBLOCK_LEVEL 4
#define NX_ZBLOCK_GOOD 4
#define NX_ZBLOCK_LAZY 8
#define NX_ZBLOCK_NICE 32
#define NX_ZBLOCK_CHAIN 16

enum { NX_ZK_BODY, NX_ZK_BLOCK, NX_ZK__COUNT };

struct nx_zworker {
	nx_zworker *next;
	const nx_zdict *d[NX_ZK__COUNT];   /* the dictionary primed[k] holds */
	z_stream primed[NX_ZK__COUNT];
	int ready[NX_ZK__COUNT];
	int permanent;       /* allocations for primed come from malloc */
	size_t used;
	unsigned char scratch[NX_ZSCRATCH];
};

static voidpf zw_alloc(voidpf opaque, uInt items, uInt size)
{
	nx_zworker *w = opaque;
	size_t n = ((size_t)items * size + 63) & ~(size_t)63;

	if (w->permanent || n > NX_ZSCRATCH - w->used)
		return malloc(n);
	w->used += n;
	return w->scratch + w->used - n;
}

static void zw_free(voidpf opaque, voidpf p)
{
	nx_zworker *w = opaque;

	if ((unsigned char *)p < w->scratch || (unsigned char *)p >= w->scratch + NX_ZSCRATCH)
		free(p);
}

static void zworker_free(nx_zworker *w)
{
	int k = 0;

	for (k = 0; w != NULL && k < NX_ZK__COUNT; k++)
		if (w->ready[k])
			deflateEnd(&w->primed[k]);
	free(w);
}

/* Compress a body (kind NX_ZK_BODY) or a block of them with the store's current dictionary. */
static int deflate_kind(nx_store *st, nx_buf *out, const char *s, size_t len, int kind)
{
	const nx_zdict *d = atomic_load(&st->zdict);
	nx_zworker *w = NULL;
	z_stream zs, *pr = NULL;
	int rc = NX_OK;

	if (len > UINT32_MAX)
		return NX_ETOOBIG;
	pthread_mutex_lock(&st->zmu);
	if ((w = st->zfree) != NULL)
		st->zfree = w->next;
	pthread_mutex_unlock(&st->zmu);
	if (w == NULL && (w = calloc(1, sizeof(*w))) == NULL)
		return NX_ENOMEM;
	pr = &w->primed[kind];
	if (w->ready[kind] && w->d[kind] != d) {
		deflateEnd(pr);
		w->ready[kind] = 0;
	}
	if (!w->ready[kind]) {
		int block = kind == NX_ZK_BLOCK;

		memset(pr, 0, sizeof(*pr));
		pr->zalloc = zw_alloc;
		pr->zfree = zw_free;
		pr->opaque = w;
		w->permanent = 1;
		/* memLevel 7 for a body: a smaller state to copy for each, the same ratio */
		if (deflateInit2(pr, block ? NX_ZBLOCK_LEVEL : NX_ZLEVEL, Z_DEFLATED, 15, block ? 8 : 7,
				 Z_DEFAULT_STRATEGY) != Z_OK) {
			w->permanent = 0;
			rc = NX_ENOMEM;
			goto release;
		}
		w->ready[kind] = 1;
		w->d[kind] = d;
		if (block)
			deflateTune(pr, NX_ZBLOCK_GOOD, NX_ZBLOCK_LAZY, NX_ZBLOCK_NICE, NX_ZBLOCK_CHAIN);
		else
			deflateTune(pr, NX_ZGOOD, NX_ZLAZY, NX_ZNICE, NX_ZCHAIN);
		if (d != NULL && deflateSetDictionary(pr, d->data, (uInt)d->len) != Z_OK)
			w->d[kind] = NULL;
		w->permanent = 0;
	}
	w->used = 0;
	if (deflateCopy(&zs, pr) != Z_OK) {
		rc = NX_ENOMEM;
		goto release;
	}
	rc = deflate_all(&zs, out, s, len);
	deflateEnd(&zs);
release:
	pthread_mutex_lock(&st->zmu);
	w->next = st->zfree;
	st->zfree = w;
	pthread_mutex_unlock(&st->zmu);
	return rc;
}

static int deflate_body(nx_store *st, nx_buf *out, const char *s, size_t len)
{
	return deflate_kind(st, out, s, len, NX_ZK_BODY);
}

/*
 * A block of bodies packed together (nx_store_pack), shared by the
 * prepared articles of its members.  Made on the parser's thread; from
 * when it is queued on, only the writer touches it but for holders
 * (either thread may free a prepared article).
 */
#define NX_BLOCK_ONE (8u << 10)   /* a longer body is compressed alone */
#define NX_BLOCK_TEXT (8u << 10)  /* text of a block at most */

struct nx_zblock {
	atomic_int holders;  /* prepared articles holding it, and the store while open */
	int members;         /* bodies in it */
	int seen;            /* writer: members put so far */
	int refs;            /* writer: articles stored referring to it */
	int closed;          /* writer: its row is written (or given up): no more references */
	int64_t id;          /* writer: its row id, taken when first referred to */
	nx_buf z;            /* the bodies' text, end to end, as nx_deflate_dict makes it */
};

static void blk_drop(nx_zblock *b)
{
	if (b != NULL && atomic_fetch_sub(&b->holders, 1) == 1) {
		nx_buf_free(&b->z);
		free(b);
	}
}

/* Forget the open block without writing it (a rollback undid its references). */
static void blk_discard(nx_store *st)
{
	if (st->blk_open != NULL) {
		st->blk_open->closed = 1;
		blk_drop(st->blk_open);
		st->blk_open = NULL;
	}
}

int nx_inflate_blob(nx_buf *out, const void *blob, size_t len)
{
	const unsigned char *p = blob;
	z_stream zs;
	uLong want = 0;
	int zrc = Z_OK, rc = NX_OK;

	if (len < 4)
		return NX_EFORMAT;
	want = (uLong)p[0] | (uLong)p[1] << 8 | (uLong)p[2] << 16 | (uLong)p[3] << 24;
	if (want > (64u << 20) && want > len * 1200u)
		return NX_EFORMAT;
	if (nx_buf_grow(out, want) < 0)
		return NX_ENOMEM;
	if (want == 0) {
		out->buf[out->len] = '\0';
		return NX_OK;
	}
	memset(&zs, 0, sizeof(zs));
	if (inflateInit(&zs) != Z_OK)
		return NX_ENOMEM;
	zs.next_in = (Bytef *)(uintptr_t)(p + 4);
	zs.avail_in = (uInt)(len - 4);
	zs.next_out = (Bytef *)out->buf + out->len;
	zs.avail_out = (uInt)want;
	zrc = inflate(&zs, Z_FINISH);
	if (zrc == Z_NEED_DICT) {
		const nx_zdict *d = zdict_find((uint32_t)zs.adler);

		if (d == NULL || inflateSetDictionary(&zs, d->data, (uInt)d->len) != Z_OK) {
			rc = NX_EFORMAT;
			goto done;
		}
		zrc = inflate(&zs, Z_FINISH);
	}
	if (zrc != Z_STREAM_END || zs.total_out != want) {
		rc = zrc == Z_MEM_ERROR ? NX_ENOMEM : NX_EFORMAT;
		goto done;
	}
	out->len += want;
	out->buf[out->len] = '\0';
done:
	inflateEnd(&zs);
	return rc;
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

/* 2n hex digits (either case) into n bytes; 0 when one is not a hex digit. */
static int unhex(unsigned char *out, const char *hex, size_t n)
{
	size_t i = 0;

	for (i = 0; i < 2 * n; i++) {
		int c = nx_tolower((unsigned char)hex[i]);
		int v = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;

		if (v < 0)
			return 0;
		if (i % 2 == 0)
			out[i / 2] = (unsigned char)(v << 4);
		else
			out[i / 2] |= (unsigned char)v;
	}
	return 1;
}

/* Bind the first n bytes of a digest given in hex: a blob (schema 2), else hex text. */
static void bind_hash_n(nx_store *st, sqlite3_stmt *s, int i, const char *hex, int n)
{
	unsigned char b[32];

	if (st->schema >= 2 && strlen(hex) == 64 && unhex(b, hex, 32)) {
		sqlite3_bind_blob(s, i, b, n, SQLITE_TRANSIENT);
	} else {
		sqlite3_bind_text(s, i, hex, -1, SQLITE_TRANSIENT);
	}
}

/*
 * An article's version hash: 32 bytes in schema 2, 16 from schema 3 --
 * enough to tell versions of one article apart, half the bytes in a row.
 */
static void bind_hash(nx_store *st, sqlite3_stmt *s, int i, const char *hex)
{
	bind_hash_n(st, s, i, hex, st->schema >= 3 ? 16 : 32);
}

/*
 * Register every dictionary of the index; the current one (meta 'zdict')
 * goes to *cur when cur is not NULL.  A reader calls it again when a body
 * needs a dictionary a writer made after the reader opened the index.
 */
static void zdict_load_all(sqlite3 *db, int64_t want, const nx_zdict **cur)
{
	sqlite3_stmt *s = NULL;

	if (sqlite3_prepare_v2(db, "SELECT id, data FROM zdict", -1, &s, NULL) != SQLITE_OK)
		return;
	while (sqlite3_step(s) == SQLITE_ROW) {
		const nx_zdict *d = zdict_register(sqlite3_column_blob(s, 1), (size_t)sqlite3_column_bytes(s, 1));

		if (d != NULL && cur != NULL && (int64_t)d->id == want)
			*cur = d;
	}
	sqlite3_finalize(s);
}

/* nx_inflate_blob, and once more after loading the index's dictionaries. */
static int inflate_db(sqlite3 *db, nx_buf *out, const void *blob, size_t len)
{
	size_t start = out->len;
	int rc = nx_inflate_blob(out, blob, len);

	if (rc == NX_EFORMAT) {
		out->len = start;
		zdict_load_all(db, 0, NULL);
		rc = nx_inflate_blob(out, blob, len);
	}
	return rc;
}

/*
 * A body in a block: body_z holds the body's length (4 bytes, as every
 * stored blob), a 0 byte where a zlib stream has its header (0x78), then
 * the block's id and the body's offset in the block's text, as varints
 * (7 bits a byte, low first).  About 9 bytes instead of a stream.
 */
#define NX_REF_MARK 0x00

static size_t ref_encode(unsigned char out[32], size_t len, int64_t block, size_t off)
{
	size_t n = 0;

	out[0] = (unsigned char)len;
	out[1] = (unsigned char)(len >> 8);
	out[2] = (unsigned char)(len >> 16);
	out[3] = (unsigned char)(len >> 24);
	out[4] = NX_REF_MARK;
	n = 5 + nx_varint_put(out + 5, (uint64_t)block);
	return n + nx_varint_put(out + n, off);
}

/* 1 when blob is a reference (then *len, *block and *off are set), else 0. */
static int ref_decode(const void *blob, size_t n, uint32_t *len, int64_t *block, uint64_t *off)
{
	const unsigned char *p = blob, *end = p + n;
	uint64_t b = 0;

	if (n < 7 || p[4] != NX_REF_MARK)
		return 0;
	*len = (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
	p += 5;
	if (!nx_varint_get(&p, end, &b) || !nx_varint_get(&p, end, off) || p != end || b == 0 || b > INT64_MAX)
		return 0;
	*block = (int64_t)b;
	return 1;
}

int64_t nx_store__body_block(const void *blob, size_t len)
{
	uint32_t n = 0;
	int64_t b = 0;
	uint64_t off = 0;

	return blob != NULL && ref_decode(blob, len, &n, &b, &off) ? b : 0;
}

/*
 * The body a reference points to, from its block.  A connection keeps
 * the last block it inflated: a scan in id order (check, a full-text
 * rebuild) reads each block once, a search's ten hits one block each.
 * The cached block is used only when its compressed bytes are the same
 * as the row's, so a block deleted and its id reused is never mistaken.
 */
static int inflate_ref(nx_blkcache *c, nx_buf *out, const void *blob, size_t n)
{
	uint32_t len = 0;
	int64_t block = 0;
	uint64_t off = 0;
	const void *zb = NULL;
	size_t zn = 0;
	int rc = NX_OK;

	if (c == NULL || c->db == NULL || !ref_decode(blob, n, &len, &block, &off))
		return NX_EFORMAT;
	if (c->get == NULL &&
	    sqlite3_prepare_v2(c->db, "SELECT z FROM body_block WHERE id = ?1", -1, &c->get, NULL) != SQLITE_OK)
		return NX_EFORMAT;
	sqlite3_bind_int64(c->get, 1, block);
	if (sqlite3_step(c->get) != SQLITE_ROW) {
		sqlite3_reset(c->get);
		return NX_EFORMAT;
	}
	zb = sqlite3_column_blob(c->get, 0);
	zn = (size_t)sqlite3_column_bytes(c->get, 0);
	if (c->id != block || c->z.len != zn || zn == 0 || memcmp(c->z.buf, zb, zn) != 0) {
		c->id = 0;
		nx_buf_reset(&c->z);
		nx_buf_reset(&c->text);
		rc = zb != NULL ? inflate_db(c->db, &c->text, zb, zn) : NX_EFORMAT;
		if (rc == NX_OK) {
			nx_buf_add(&c->z, zb, zn);
			rc = nx_buf_ok(&c->z) ? NX_OK : NX_ENOMEM;
		}
		if (rc == NX_OK)
			c->id = block;
	}
	sqlite3_reset(c->get);
	if (rc < 0)
		return rc;
	if (off > c->text.len || len > c->text.len - off)
		return NX_EFORMAT;
	if (nx_buf_grow(out, len) < 0)
		return NX_ENOMEM;
	memcpy(out->buf + out->len, c->text.buf + off, len);
	out->len += len;
	out->buf[out->len] = '\0';
	return NX_OK;
}

/* A stored body, its own stream or a reference into a block. */
static int inflate_body(nx_blkcache *c, nx_buf *out, const void *blob, size_t len)
{
	if (blob != NULL && len > 4 && ((const unsigned char *)blob)[4] == NX_REF_MARK)
		return inflate_ref(c, out, blob, len);
	return inflate_db(c->db, out, blob, len);
}

int nx_store__inflate(nx_store *st, nx_buf *out, const void *blob, size_t len)
{
	return inflate_body(&st->bc[0], out, blob, len);
}

static void blkcache_close(nx_blkcache *c)
{
	sqlite3_finalize(c->get);
	c->get = NULL;
	c->id = 0;
	c->db = NULL;
}

static void blkcache_free(nx_blkcache *c)
{
	blkcache_close(c);
	nx_buf_free(&c->z);
	nx_buf_free(&c->text);
}

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
	rc = inflate_body(sqlite3_user_data(ctx), &b, blob, (size_t)n);
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
	if (n < 1 || n > 16 || !unhex(b, digits, 8)) {
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

static int exec(nx_store *st, const char *sql, nx_error *err, const char *what)
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

static int query_int(nx_store *st, const char *sql, int64_t *out)
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

static int mkdirs_for(const char *path, nx_error *err)
{
	char *dir = strdup(path), *p = NULL;
	int rc = NX_OK;

	if (dir == NULL)
		return nx_error_set(err, NX_ENOMEM, "out of memory");
	p = strrchr(dir, '/');
	if (p == NULL || p == dir)
		goto done;
	*p = '\0';
	for (p = dir + 1; ; p++) {
		if (*p == '/' || *p == '\0') {
			char c = *p;

			*p = '\0';
			if (mkdir(dir, 0755) < 0 && errno != EEXIST) {
				rc = nx_error_set(err, NX_EDB, "cannot create folder '%s': %s", dir, strerror(errno));
				goto done;
			}
			*p = c;
			if (c == '\0')
				break;
		}
	}
done:
	free(dir);
	return rc;
}

static int load_settings(nx_store *st)
{
	sqlite3_stmt *s = NULL;
	int64_t v = 0, cur = 0;

	query_int(st, "PRAGMA user_version", &v);
	st->schema = (int)v;
	st->fcol[NX_F_TITLE] = st->schema >= 2 ? 1 : 0;
	st->fcol[NX_F_BODY] = st->schema >= 2 ? 0 : 1;
	nx_tokenizer_set_stopwords(st->db, nx_store__stoplist(st));
	st->fcol[NX_F_CAPTIONS] = 2;
	st->fcol[NX_F_CREDITS] = 3;
	/* the body dictionaries: every one (old rows need them), and the current one */
	query_int(st, "SELECT coalesce((SELECT value FROM meta WHERE key = 'zdict'), 0)", &cur);
	if (st->schema >= 2) {
		const nx_zdict *d = NULL;

		zdict_load_all(st->db, cur, &d);
		if (d != NULL)
			atomic_store(&st->zdict, d);
	}

	if (query_int(st, "SELECT coalesce((SELECT value FROM meta WHERE key = 'keep_originals'), 0)", &v) == 0)
		st->keep_originals = v != 0;
	/* the languages the index holds: queries are stemmed in each of them */
	if (sqlite3_prepare_v2(st->db, "SELECT value FROM meta WHERE key = 'langs'", -1, &s, NULL) == SQLITE_OK &&
	    sqlite3_step(s) == SQLITE_ROW && sqlite3_column_text(s, 0) != NULL)
		snprintf(st->langs, sizeof(st->langs), "%s", (const char *)sqlite3_column_text(s, 0));
	sqlite3_finalize(s);
	nx_tokenizer_set_query_langs(st->db, st->langs);
	return NX_OK;
}

/* Remember a new language in meta 'langs' (comma-separated). */
static int note_lang(nx_store *st, const char *lang, nx_error *err)
{
	char key[16], sql[512];
	size_t n = 0;

	if (lang == NULL || !nx_lang_has_stemmer(lang) || strlen(lang) > 8)
		return NX_OK;
	snprintf(key, sizeof(key), ",%s,", lang);
	snprintf(sql, sizeof(sql), ",%s,", st->langs);
	if (strstr(sql, key) != NULL)
		return NX_OK;
	n = strlen(st->langs);
	if (n + strlen(lang) + 2 >= sizeof(st->langs))
		return NX_OK;
	snprintf(st->langs + n, sizeof(st->langs) - n, "%s%s", n > 0 ? "," : "", lang);
	snprintf(sql, sizeof(sql), "INSERT OR REPLACE INTO meta(key, value) VALUES('langs', '%s')", st->langs);
	if (exec(st, sql, err, "cannot save the index languages") < 0)
		return err != NULL ? err->code : NX_EDB;
	nx_tokenizer_set_query_langs(st->db, st->langs);
	return NX_OK;
}

static int migrate(nx_store *st, nx_error *err)
{
	int64_t ver = 0, tables = 0;
	int rc = NX_OK;

	if (query_int(st, "PRAGMA user_version", &ver) < 0 ||
	    query_int(st, "SELECT count(*) FROM sqlite_schema", &tables) < 0)
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
	if (ver == 0 && tables == 0)
		exec(st, "PRAGMA page_size = 16384", NULL, "");
	if ((rc = exec(st, "BEGIN IMMEDIATE", err, "cannot create the index")) < 0)
		return rc;
	/* what is written from here on is schema 4: ids as bytes, stop list 2, blocks of bodies */
	st->schema = NX_SCHEMA_VERSION;
	nx_tokenizer_set_stopwords(st->db, nx_store__stoplist(st));
	if (ver == 0 && (rc = exec(st, schema_sql, err, "cannot create the index")) == NX_OK)
		rc = exec(st, schema2_sql, err, "cannot create the index");
	if (ver == 1 && (rc = exec(st, migrate1_sql, err, "cannot upgrade the index")) == NX_OK)
		rc = exec(st, schema2_sql, err, "cannot upgrade the index");
	/* the rebuild's nx_inflate loads the index's dictionaries when a body needs one */
	if (ver > 0 && ver < 3 && rc == NX_OK && (rc = exec(st, migrate3_sql, err, "cannot upgrade the index")) == NX_OK)
		rc = exec(st, rebuild_sql, err, "cannot upgrade the index");
	if (rc == NX_OK)
		rc = exec(st, schema4_sql, err, ver == 0 ? "cannot create the index" : "cannot upgrade the index");
	if (rc == NX_OK) {
		char sql[64];

		snprintf(sql, sizeof(sql), "PRAGMA user_version = %d", NX_SCHEMA_VERSION);
		rc = exec(st, sql, err, "cannot create the index");
	}
	if (rc == NX_OK)
		rc = exec(st, "COMMIT", err, "cannot create the index");
	else
		sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
	return rc;
}

/* Open the connection and give it the functions and tokenizer the index needs. */
static int connect_db(nx_store *st, sqlite3 **pdb, nx_blkcache *bc, const char *name, int oflags, nx_error *err)
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

	if (sqlite3_open_v2(name, pdb, oflags | SQLITE_OPEN_NOMUTEX, NULL) != SQLITE_OK)
		return nx_error_set(err, NX_EDB, "cannot open index '%s': %s", st->path,
				    *pdb != NULL ? sqlite3_errmsg(*pdb) : "out of memory");
	db = *pdb;
	blkcache_close(bc);
	bc->db = db;
	sqlite3_extended_result_codes(db, 0);
	sqlite3_busy_timeout(db, 10000);
	for (i = 0; i < sizeof(fns) / sizeof(fns[0]); i++)
		if (sqlite3_create_function(db, fns[i].name, fns[i].nargs,
					    SQLITE_UTF8 | SQLITE_DETERMINISTIC | SQLITE_INNOCUOUS,
					    fns[i].needs_store == 1 ? (void *)st : fns[i].needs_store == 2 ? (void *)bc : NULL,
					    fns[i].fn, NULL, NULL) != SQLITE_OK)
			return nx_error_set(err, NX_EDB, "cannot set up the index: %s", sqlite3_errmsg(db));
	if (nx_tokenizer_register(db) != SQLITE_OK)
		return nx_error_set(err, NX_EDB, "cannot set up the index: %s", sqlite3_errmsg(db));
	return NX_OK;
}

static int connect(nx_store *st, const char *name, int oflags, nx_error *err)
{
	int rc = connect_db(st, &st->db, &st->bc[0], name, oflags, err);

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
	if (connect_db(st, &db, &st->bc[1], st->conn_name, st->conn_flags, NULL) != NX_OK ||
	    nx_tokenizer_set_stopwords(db, nx_store__stoplist(st)) != SQLITE_OK ||
	    nx_tokenizer_set_query_langs(db, st->langs) != SQLITE_OK) {
		blkcache_close(&st->bc[1]);
		sqlite3_close(db);
		st->db2_failed = 1;
		return NULL;
	}
	sqlite3_exec(db, "PRAGMA mmap_size = 268435456", NULL, NULL, NULL);
	st->db2 = db;
	return db;
}

static void close_db2(nx_store *st)
{
	blkcache_close(&st->bc[1]);
	sqlite3_close(st->db2);
	st->db2 = NULL;
}

int nx_store_open(nx_store **out, const char *path, unsigned flags, nx_error *err)
{
	nx_store *st = NULL;
	int rc = NX_OK, oflags = 0, i = 0;
	struct stat sb;

	*out = NULL;
	if (!(flags & NX_STORE_WRITE) && stat(path, &sb) < 0)
		return nx_error_set(err, NX_EDB, "no index at '%s': run 'newsidx add' first", path);
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
	if ((flags & NX_STORE_WRITE) && (rc = mkdirs_for(path, err)) < 0)
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
			blkcache_close(&st->bc[0]);
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
	if (exec(st, "PRAGMA foreign_keys = ON", err, "cannot open index") < 0) {
		rc = err != NULL ? err->code : NX_EDB;
		goto fail;
	}
	/* refuse a foreign file before changing anything in it (WAL mode) */
	if ((rc = migrate(st, err)) < 0)
		goto fail;
	if ((flags & NX_STORE_WRITE) &&
	    ((rc = exec(st, "PRAGMA journal_mode = WAL", err, "cannot open index")) < 0 ||
	     (rc = exec(st, "PRAGMA synchronous = NORMAL", err, "cannot open index")) < 0))
		goto fail;
	/* writers: 64 MB of page cache, bulk writes spill less; readers map the
	   file instead (mapped pages a writer touched would all count as its
	   memory) */
	if (flags & NX_STORE_WRITE)
		exec(st, "PRAGMA cache_size = -65536", NULL, "");
	else
		exec(st, "PRAGMA mmap_size = 268435456", NULL, "");
	load_settings(st);
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
	blk_discard(st);
	for (i = 0; i < NX_STMT__COUNT; i++)
		sqlite3_finalize(st->stmt[i]);
	blkcache_free(&st->bc[0]);
	blkcache_free(&st->bc[1]);
	nx_pretok_free(st->pretok);
	if (st->db != NULL) {
		if (st->in_tx)
			sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
		sqlite3_close(st->db);
	}
	close_db2(st);
	free(st->conn_name);
	while (st->zfree != NULL) {
		nx_zworker *w = st->zfree;

		st->zfree = w->next;
		zworker_free(w);
	}
	pthread_mutex_destroy(&st->zmu);
	free(st->path);
	free(st->file_path);
	nx_buf_free(&st->train);
	free(st);
}

void nx_store__refresh(nx_store *st)
{
	int64_t ver = 0;

	if (query_int(st, "PRAGMA user_version", &ver) == 0 && ver != st->schema) {
		load_settings(st);
		close_db2(st); /* reopened with the new settings when next needed */
	}
}

const char *nx_store_path(const nx_store *st)
{
	return st->path;
}

int nx_store_begin(nx_store *st, nx_error *err)
{
	int rc = exec(st, "BEGIN IMMEDIATE", err, "cannot start writing");

	if (rc == NX_OK)
		st->in_tx = 1;
	return rc;
}

static int save_zdict(nx_store *st, nx_error *err);
static int make_zdict(nx_store *st, nx_error *err);
static int blk_close(nx_store *st, nx_error *err);

/*
 * A transaction that ends with fewer bodies sampled than a dictionary
 * wants still makes one from NX_ZDICT_MIN or more: a small archive is
 * compressed with one too, from its next batch on.
 */
#define NX_ZDICT_MIN 128

int nx_store_commit(nx_store *st, nx_error *err)
{
	int rc = NX_OK;

	rc = blk_close(st, err);
	if (rc == NX_OK && atomic_load(&st->zdict) == NULL && st->ntrain >= NX_ZDICT_MIN)
		rc = make_zdict(st, err);
	if (rc == NX_OK)
		rc = save_zdict(st, err);

	if (rc == NX_OK)
		rc = exec(st, "COMMIT", err, "cannot save to the index");

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
	blk_discard(st);
	if (st->in_tx)
		sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
	st->in_tx = 0;
}

int nx_store_savepoint(nx_store *st, nx_error *err)
{
	return exec(st, "SAVEPOINT nx_unit", err, "cannot start writing");
}

int nx_store_release(nx_store *st, int keep, nx_error *err)
{
	if (keep && blk_close(st, err) < 0)
		keep = 0;
	if (!keep) {
		forget_cache(st);
		blk_discard(st);
	}
	if (!keep && exec(st, "ROLLBACK TO nx_unit", err, "cannot undo a partial write") < 0)
		return err != NULL ? err->code : NX_EDB;
	return exec(st, "RELEASE nx_unit", err, "cannot save to the index");
}

int nx_store_set_keep_originals(nx_store *st, int on, nx_error *err)
{
	char sql[96];

	snprintf(sql, sizeof(sql), "INSERT OR REPLACE INTO meta(key, value) VALUES('keep_originals', %d)", on ? 1 : 0);
	if (exec(st, sql, err, "cannot change the index setting") < 0)
		return err != NULL ? err->code : NX_EDB;
	st->keep_originals = on != 0;
	return NX_OK;
}

int nx_store_keep_originals(nx_store *st)
{
	return st->keep_originals;
}

const char *nx_put_status_name(int status)
{
	switch (status) {
	case NX_PUT_ADDED: return "added";
	case NX_PUT_UPDATED: return "updated";
	case NX_PUT_REVISION: return "unchanged";
	default: return "unchanged";
	}
}

static void bind_text(sqlite3_stmt *s, int i, const char *v)
{
	if (v == NULL)
		sqlite3_bind_null(s, i);
	else
		sqlite3_bind_text(s, i, v, -1, SQLITE_TRANSIENT);
}

static void bind_time(sqlite3_stmt *s, int i, const nx_time *t)
{
	if (!t->set) {
		sqlite3_bind_null(s, i);
		sqlite3_bind_null(s, i + 1);
		sqlite3_bind_null(s, i + 2);
		return;
	}
	sqlite3_bind_int64(s, i, t->utc);
	if (t->has_offset)
		sqlite3_bind_int(s, i + 1, t->offset);
	else
		sqlite3_bind_null(s, i + 1);
	sqlite3_bind_int(s, i + 2, t->has_time ? 1 : 0);
}

static int step_done(nx_store *st, sqlite3_stmt *s, nx_error *err, const char *what)
{
	int rc = sqlite3_step(s);

	sqlite3_reset(s);
	if (rc != SQLITE_DONE && rc != SQLITE_ROW)
		return nx_store__dberr(st, err, what);
	return NX_OK;
}

/* Run statement id with ?1 = v, to its end; what names it in an error. */
static int run_with(nx_store *st, nx_stmt_id id, int64_t v, nx_error *err, const char *what)
{
	sqlite3_stmt *s = nx_store__stmt(st, id, err);

	if (s == NULL)
		return err != NULL ? err->code : NX_EDB;
	sqlite3_bind_int64(s, 1, v);
	return step_done(st, s, err, what);
}

/* Values of an FTS row: title, body, captions, credits. */
#define NX_FTS_VALUES 4

/* Fields of the article and FTS rows, computed once per put (or ahead). */
struct nx_prepared {
	char *authors, *body, *captions, *credits;
	nx_buf body_z;
	char body_hash[65];
	char hash[65];
	nx_buf orig_z;       /* the original document, with --keep-originals */
	size_t orig_len;     /* its size */
	char orig_hash[65];  /* its sha256; "" when not kept */
	size_t body_len;
	int deferred;        /* body_z not made yet: nx_store_pack will */
	nx_zblock *blk;      /* or the body is in this block, */
	size_t blk_off;      /* from this offset of its text */
	int taped;           /* nx_store_pretokenize: the FTS values and their tokens */
	nx_buf fts[NX_FTS_VALUES];
	nx_tape tape[NX_FTS_VALUES];
};
typedef struct nx_prepared row;

static void row_free(row *r)
{
	int i = 0;

	for (i = 0; i < NX_FTS_VALUES; i++) {
		nx_buf_free(&r->fts[i]);
		nx_buf_free(&r->tape[i].rec);
	}
	free(r->authors);
	free(r->body);
	free(r->captions);
	free(r->credits);
	nx_buf_free(&r->body_z);
	nx_buf_free(&r->orig_z);
	blk_drop(r->blk);
	r->blk = NULL;
}

static int row_make(row *r, const nx_article *a, nx_store *st, int defer)
{
	nx_buf au = NX_BUF_INIT;
	size_t i = 0;

	memset(r, 0, sizeof(*r));
	nx_buf_init(&r->body_z);
	nx_buf_init(&r->orig_z);
	for (i = 0; i < a->nauthors; i++) {
		if (i > 0)
			nx_buf_addch(&au, '\n');
		nx_buf_adds(&au, a->authors[i]);
	}
	if (!nx_buf_ok(&au))
		return NX_ENOMEM;
	r->authors = a->nauthors > 0 ? nx_buf_detach(&au) : (nx_buf_free(&au), NULL);
	r->body = nx_article_body(a);
	r->captions = nx_article_captions(a);
	r->credits = nx_article_credits(a);
	if (r->body == NULL || r->captions == NULL || r->credits == NULL)
		return NX_ENOMEM;
	r->body_len = strlen(r->body);
	r->deferred = defer && st->schema >= 4;
	if (!r->deferred && (deflate_body(st, &r->body_z, r->body, r->body_len) < 0 || !nx_buf_ok(&r->body_z)))
		return NX_ENOMEM;
	nx_sha256_hex(r->body, r->body_len, r->body_hash);
	/* the original too, here on the parser's thread rather than the writer's */
	if (st->keep_originals && a->origin.raw != NULL) {
		if (deflate_body(st, &r->orig_z, a->origin.raw, a->origin.rawlen) < 0 || !nx_buf_ok(&r->orig_z))
			return NX_ENOMEM;
		nx_sha256_hex(a->origin.raw, a->origin.rawlen, r->orig_hash);
		r->orig_len = a->origin.rawlen;
	}
	return nx_article_hash(r->hash, a);
}

static int prepare(nx_prepared **out, nx_store *st, const nx_article *a, int defer, nx_error *err)
{
	row *r = calloc(1, sizeof(*r));

	*out = NULL;
	if (r == NULL || row_make(r, a, st, defer) < 0) {
		nx_prepared_free(r);
		return nx_error_set(err, NX_ENOMEM, "out of memory");
	}
	*out = r;
	return NX_OK;
}

int nx_store_prepare(nx_prepared **out, nx_store *st, const nx_article *a, nx_error *err)
{
	return prepare(out, st, a, 0, err);
}

int nx_store_prepare_deferred(nx_prepared **out, nx_store *st, const nx_article *a, nx_error *err)
{
	return prepare(out, st, a, 1, err);
}

/* A deferred body compressed alone. */
static int pack_alone(nx_store *st, row *r)
{
	if (deflate_body(st, &r->body_z, r->body, r->body_len) < 0 || !nx_buf_ok(&r->body_z))
		return NX_ENOMEM;
	r->deferred = 0;
	return NX_OK;
}

/*
 * The bodies of the 20k bench corpus in blocks of up to 5 (8 kB of text),
 * at NX_ZBLOCK_LEVEL, come to 0.380 of their text in 0.43 s, against 0.405
 * in 0.65 s for each body alone at level 5 (scripts/bench-blocks): the
 * stream's set-up, its copy of the primed dictionary and its Huffman
 * tables are paid once a block, and bodies find matches in their
 * neighbours.
 */
int nx_store_pack(nx_store *st, nx_prepared **v, int n, nx_error *err)
{
	nx_buf text = NX_BUF_INIT;
	int i = 0, j = 0, k = 0, rc = NX_OK;

	for (i = 0; i < n && rc == NX_OK; i = j) {
		size_t total = 0, off = 0;
		nx_zblock *b = NULL;

		j = i + 1;
		if (v[i] == NULL || !v[i]->deferred)
			continue;
		for (j = i; j < n && j - i < NX_PACK_MAX && v[j] != NULL && v[j]->deferred && v[j]->body_len > 0 &&
			    v[j]->body_len <= NX_BLOCK_ONE && total + v[j]->body_len <= NX_BLOCK_TEXT;
		     j++)
			total += v[j]->body_len;
		if (j - i < 2) {
			j = i + 1;
			rc = pack_alone(st, v[i]);
			continue;
		}
		nx_buf_reset(&text);
		for (k = i; k < j; k++)
			nx_buf_add(&text, v[k]->body, v[k]->body_len);
		if (!nx_buf_ok(&text) || (b = calloc(1, sizeof(*b))) == NULL) {
			rc = NX_ENOMEM;
			break;
		}
		nx_buf_init(&b->z);
		if (deflate_kind(st, &b->z, text.buf, text.len, NX_ZK_BLOCK) < 0 || !nx_buf_ok(&b->z)) {
			nx_buf_free(&b->z);
			free(b);
			rc = NX_ENOMEM;
			break;
		}
		b->members = j - i;
		atomic_init(&b->holders, j - i);
		for (k = i; k < j; k++) {
			v[k]->blk = b;
			v[k]->blk_off = off;
			v[k]->deferred = 0;
			off += v[k]->body_len;
		}
	}
	nx_buf_free(&text);
	return rc == NX_OK ? NX_OK : nx_error_set(err, rc, "out of memory");
}

void nx_prepared_free(nx_prepared *p)
{
	if (p == NULL)
		return;
	row_free(p);
	free(p);
}

/* Keep the current dictionary in the index (again after a rollback). */
static int save_zdict(nx_store *st, nx_error *err)
{
	const nx_zdict *d = atomic_load(&st->zdict);
	sqlite3_stmt *s = NULL;
	int rc = NX_OK;

	if (d == NULL || !(st->flags & NX_STORE_WRITE) || st->schema < 2)
		return NX_OK;
	if (sqlite3_prepare_v2(st->db, "INSERT OR IGNORE INTO zdict(id, data) VALUES(?1, ?2)", -1, &s, NULL) !=
	    SQLITE_OK)
		return nx_store__dberr(st, err, "cannot save the compression dictionary");
	sqlite3_bind_int64(s, 1, d->id);
	sqlite3_bind_blob(s, 2, d->data, (int)d->len, SQLITE_STATIC);
	rc = step_done(st, s, err, "cannot save the compression dictionary");
	sqlite3_finalize(s);
	if (rc == NX_OK) {
		char sql[96];

		snprintf(sql, sizeof(sql), "INSERT OR REPLACE INTO meta(key, value) VALUES('zdict', %lu)",
			 (unsigned long)d->id);
		rc = exec(st, sql, err, "cannot save the compression dictionary");
	}
	return rc;
}

/* Make the dictionary from the bodies sampled so far. */
static int make_zdict(nx_store *st, nx_error *err)
{
	const char *samples[NX_ZDICT_SAMPLES];
	unsigned char *dict = NULL;
	size_t off = 0, len = 0;
	const nx_zdict *d = NULL;
	int i = 0, rc = NX_OK;

	if (!nx_buf_ok(&st->train) || (dict = malloc(NX_ZDICT_SIZE)) == NULL) {
		rc = nx_error_set(err, NX_ENOMEM, "out of memory");
		goto done;
	}
	for (i = 0; i < st->ntrain; i++) {
		samples[i] = st->train.buf + off;
		off += st->trainlen[i];
	}
	len = nx_zdict_train(samples, st->trainlen, (size_t)st->ntrain, dict, NX_ZDICT_SIZE);
	/* nothing worth keeping (junk): the next NX_ZDICT_SAMPLES bodies try again */
	if (len > 0 && (d = zdict_register(dict, len)) != NULL) {
		atomic_store(&st->zdict, d);
		rc = save_zdict(st, err);
	}
done:
	free(dict);
	nx_buf_free(&st->train);
	st->ntrain = 0;
	return rc;
}

/*
 * The first NX_ZDICT_SAMPLES bodies of an index train its dictionary
 * (nx_zdict_train, src/index/zdict.c: the windows of text that recur across
 * them most, the most common last, where zlib reaches them most cheaply).
 * Bodies stored before it exists stay compressed without one.
 */
static int train_zdict(nx_store *st, const row *r, nx_error *err)
{
	size_t n = strlen(r->body);

	if (atomic_load(&st->zdict) != NULL || st->schema < 2 || n < 64)
		return NX_OK;
	n = n < NX_ZDICT_TAKE ? n : NX_ZDICT_TAKE;
	nx_buf_add(&st->train, r->body, n);
	st->trainlen[st->ntrain] = n;
	if (++st->ntrain < NX_ZDICT_SAMPLES)
		return NX_OK;
	return make_zdict(st, err);
}

/* Write the open block's row, if any article refers to it. */
static int blk_close(nx_store *st, nx_error *err)
{
	nx_zblock *b = st->blk_open;
	sqlite3_stmt *s = NULL;
	int rc = NX_OK;

	if (b == NULL)
		return NX_OK;
	st->blk_open = NULL;
	b->closed = 1;
	if (b->refs > 0) {
		if ((s = nx_store__stmt(st, NX_STMT_BLOCK_INSERT, err)) == NULL) {
			rc = err != NULL ? err->code : NX_EDB;
		} else {
			sqlite3_bind_int64(s, 1, b->id);
			sqlite3_bind_int(s, 2, b->refs);
			sqlite3_bind_blob64(s, 3, b->z.buf, b->z.len, SQLITE_STATIC);
			rc = step_done(st, s, err, "cannot save the article");
		}
	}
	blk_drop(b);
	return rc;
}

/*
 * Make r's block the open one, with an id, before an article refers to
 * it (closing the one open before).  A block already closed takes no
 * more references: the body is then compressed alone.
 */
static int blk_use(nx_store *st, row *r, nx_error *err)
{
	nx_zblock *b = r->blk;
	sqlite3_stmt *s = NULL;
	int rc = NX_OK;

	if (b == NULL || b == st->blk_open)
		return NX_OK;
	if ((rc = blk_close(st, err)) < 0)
		return rc;
	if (b->closed) {
		r->blk = NULL;
		blk_drop(b);
		if (pack_alone(st, r) < 0)
			return nx_error_set(err, NX_ENOMEM, "out of memory");
		return NX_OK;
	}
	if ((s = nx_store__stmt(st, NX_STMT_BLOCK_NEXT, err)) == NULL)
		return err != NULL ? err->code : NX_EDB;
	if (sqlite3_step(s) != SQLITE_ROW) {
		rc = nx_store__dberr(st, err, "cannot save the article");
		sqlite3_reset(s);
		return rc;
	}
	b->id = sqlite3_column_int64(s, 0);
	sqlite3_reset(s);
	atomic_fetch_add(&b->holders, 1);
	st->blk_open = b;
	return NX_OK;
}

/* The block article id's body is in, or 0 (read before the body changes or goes). */
static int blk_of(nx_store *st, int64_t id, int64_t *block, nx_error *err)
{
	sqlite3_stmt *s = NULL;
	int step = 0;

	*block = 0;
	if (st->schema < 4)
		return NX_OK;
	if ((s = nx_store__stmt(st, NX_STMT_BODY_HEAD, err)) == NULL)
		return err != NULL ? err->code : NX_EDB;
	sqlite3_bind_int64(s, 1, id);
	step = sqlite3_step(s);
	if (step == SQLITE_ROW)
		*block = nx_store__body_block(sqlite3_column_blob(s, 0), (size_t)sqlite3_column_bytes(s, 0));
	sqlite3_reset(s);
	if (step != SQLITE_ROW && step != SQLITE_DONE)
		return nx_store__dberr(st, err, "cannot read the article");
	return NX_OK;
}

/*
 * The block article id's body is in (0: its own stream), made readable:
 * when that is the open block, its row is written now (the same article
 * twice within a few lines of one file, or removed during a bulk put).
 */
static int blk_of_readable(nx_store *st, int64_t id, int64_t *block, nx_error *err)
{
	int rc = blk_of(st, id, block, err);

	if (rc == NX_OK && *block != 0 && st->blk_open != NULL && st->blk_open->id == *block)
		rc = blk_close(st, err);
	return rc;
}

/* An article no longer refers to block: the last one to go takes it along. */
static int blk_unref(nx_store *st, int64_t block, nx_error *err)
{
	int rc = NX_OK;

	if (block == 0)
		return NX_OK;
	if (st->blk_open != NULL && st->blk_open->id == block) {
		st->blk_open->refs--;
		return NX_OK;
	}
	if ((rc = run_with(st, NX_STMT_BLOCK_UNREF, block, err, "cannot update the stored bodies")) < 0)
		return rc;
	return run_with(st, NX_STMT_BLOCK_GC, block, err, "cannot update the stored bodies");
}

static int bind_article(nx_store *st, sqlite3_stmt *s, const nx_article *a, const row *r, int64_t rev)
{
	bind_text(s, 1, a->id);
	bind_text(s, 2, a->url);
	bind_text(s, 3, a->source);
	sqlite3_bind_text(s, 4, a->title != NULL ? a->title : "", -1, SQLITE_TRANSIENT);
	bind_text(s, 5, r->authors);
	bind_text(s, 6, a->section);
	bind_text(s, 7, a->lang);
	bind_time(s, 8, &a->published);
	bind_time(s, 11, &a->updated);
	sqlite3_bind_int64(s, 14, a->captured.set ? a->captured.utc : 0);
	sqlite3_bind_int64(s, 15, rev);
	bind_hash(st, s, 16, r->hash);
	sqlite3_bind_int64(s, 17, (sqlite3_int64)r->body_len);
	if (r->blk != NULL) {
		unsigned char ref[32];

		sqlite3_bind_blob(s, 18, ref, (int)ref_encode(ref, r->body_len, r->blk->id, r->blk_off),
				  SQLITE_TRANSIENT);
	} else {
		sqlite3_bind_blob64(s, 18, r->body_z.buf, r->body_z.len, SQLITE_STATIC);
	}
	bind_hash_n(st, s, 19, r->body_hash, 8);
	sqlite3_bind_text(s, 20, r->captions, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 21, r->credits, -1, SQLITE_STATIC);
	return NX_OK;
}

static int write_photos(nx_store *st, int64_t id, const nx_article *a, nx_error *err)
{
	sqlite3_stmt *s = NULL;
	size_t i = 0;
	int rc = NX_OK;

	if ((s = nx_store__stmt(st, NX_STMT_DELETE_PHOTOS, err)) == NULL)
		return err != NULL ? err->code : NX_EDB;
	sqlite3_bind_int64(s, 1, id);
	if ((rc = step_done(st, s, err, "cannot save photos")) < 0)
		return rc;
	for (i = 0; i < a->nphotos; i++) {
		const nx_photo *p = &a->photos[i];

		if ((s = nx_store__stmt(st, NX_STMT_INSERT_PHOTO, err)) == NULL)
			return err != NULL ? err->code : NX_EDB;
		sqlite3_bind_int64(s, 1, id);
		sqlite3_bind_int64(s, 2, (sqlite3_int64)i);
		bind_text(s, 3, p->agency);
		bind_text(s, 4, p->photographer);
		bind_text(s, 5, p->caption);
		bind_text(s, 6, p->url);
		if ((rc = step_done(st, s, err, "cannot save photos")) < 0)
			return rc;
	}
	return NX_OK;
}

/* The FTS row's values (title, body, captions, credits), each with its language marker. */
static int fts_values(nx_buf *v, const nx_article *a, const row *r)
{
	const char *title = a->title != NULL ? a->title : "";
	int i = 0;

	/* the same text the fts_src view gives, so deletes match inserts */
	nx_lang_mark(&v[0], a->lang, title, strlen(title));
	nx_lang_mark(&v[1], a->lang, r->body, strlen(r->body));
	nx_lang_mark(&v[2], a->lang, r->captions, strlen(r->captions));
	nx_lang_mark(&v[3], a->lang, r->credits, strlen(r->credits));
	for (i = 0; i < NX_FTS_VALUES; i++)
		if (!nx_buf_ok(&v[i]))
			return NX_ENOMEM;
	return NX_OK;
}

static int write_fts(nx_store *st, int64_t id, const nx_article *a, row *r, nx_error *err)
{
	sqlite3_stmt *s = nx_store__stmt(st, NX_STMT_FTS_INSERT, err);
	nx_buf own[NX_FTS_VALUES] = { NX_BUF_INIT, NX_BUF_INIT, NX_BUF_INIT, NX_BUF_INIT };
	const nx_buf *v = r->taped ? r->fts : own;
	int rc = NX_OK, i = 0;

	if (s == NULL)
		return err != NULL ? err->code : NX_EDB;
	if (!r->taped && fts_values(own, a, r) < 0)
		rc = nx_error_set(err, NX_ENOMEM, "out of memory");
	if (rc == NX_OK) {
		sqlite3_bind_int64(s, 1, id);
		for (i = 0; i < NX_FTS_VALUES; i++)
			sqlite3_bind_text(s, i + 2, v[i].buf, (int)v[i].len, SQLITE_STATIC);
		/* the tokens made ahead, replayed when FTS5 tokenizes these values */
		if (r->taped) {
			for (i = 0; i < NX_FTS_VALUES; i++)
				r->tape[i].used = 0;
			nx_pretok_offer(st->pretok, r->tape, NX_FTS_VALUES);
		}
		rc = step_done(st, s, err, "cannot index the article");
		if (r->taped)
			nx_pretok_offer(st->pretok, NULL, 0);
	}
	for (i = 0; i < NX_FTS_VALUES; i++)
		nx_buf_free(&own[i]);
	return rc;
}

int nx_store_pretok_start(nx_store *st, nx_error *err)
{
	if (st->pretok != NULL)
		return NX_OK;
	if ((st->pretok = nx_pretok_new(st->db)) == NULL)
		return nx_error_set(err, NX_ENOMEM, "cannot make a tokenizer for the parsing thread");
	return NX_OK;
}

int nx_store_pretokenize(nx_store *st, nx_prepared *p, const nx_article *a, nx_error *err)
{
	int i = 0, rc = NX_OK;

	if (st->pretok == NULL || p == NULL || p->taped)
		return NX_OK;
	for (i = 0; i < NX_FTS_VALUES; i++) {
		nx_buf_init(&p->fts[i]);
		nx_buf_init(&p->tape[i].rec);
	}
	if ((rc = fts_values(p->fts, a, p)) == NX_OK)
		for (i = 0; i < NX_FTS_VALUES && rc == NX_OK; i++)
			rc = nx_pretok_run(st->pretok, p->fts[i].buf, p->fts[i].len, &p->tape[i]);
	if (rc < 0) {
		for (i = 0; i < NX_FTS_VALUES; i++) {
			nx_buf_free(&p->fts[i]);
			nx_buf_free(&p->tape[i].rec);
		}
		return nx_error_set(err, rc, "cannot tokenize the article ahead");
	}
	p->taped = 1;
	return NX_OK;
}

static int delete_fts(nx_store *st, int64_t id, nx_error *err)
{
	return run_with(st, NX_STMT_FTS_DELETE, id, err, "cannot update the full-text index");
}

/*
 * The formats an origin can have.  Schema 3 stores the number of one
 * (from 1) rather than its name: 4 bytes less for every origin.
 */
static const char *const origin_formats[] = { "text", "html", "rss", "atom", "nitf", "newsml",
					      "warc", "jsonl", "sgml" };
#define NX_NFORMATS (sizeof(origin_formats) / sizeof(origin_formats[0]))

static void bind_format(nx_store *st, sqlite3_stmt *s, int i, const char *format)
{
	size_t k = 0;

	for (k = 0; format != NULL && st->schema >= 3 && k < NX_NFORMATS; k++)
		if (strcmp(format, origin_formats[k]) == 0) {
			sqlite3_bind_int(s, i, (int)k + 1);
			return;
		}
	bind_text(s, i, format);
}

/*
 * Record where an article came from.  hash: the version the origin gave,
 * NULL when that is the article's current version -- nearly always, and
 * 9 bytes saved per origin; when the article moves on, origins that gave
 * the version it leaves get its hash (keep_origin_versions).
 */
static int write_origin(nx_store *st, int64_t id, const nx_article *a, const row *r, const char *hash,
			nx_error *err)
{
	sqlite3_stmt *s = NULL;
	int64_t file_id = 0;
	int rc = NX_OK, have_original = 0;

	if (a->origin.path == NULL)
		return NX_OK;
	/* compressed (with the bodies' dictionary) and hashed by row_make */
	if (r->orig_hash[0] != '\0') {
		if ((s = nx_store__stmt(st, NX_STMT_INSERT_ORIGINAL, err)) == NULL)
			return err != NULL ? err->code : NX_EDB;
		sqlite3_bind_text(s, 1, r->orig_hash, -1, SQLITE_STATIC);
		sqlite3_bind_int64(s, 2, (sqlite3_int64)r->orig_len);
		sqlite3_bind_blob64(s, 3, r->orig_z.buf, r->orig_z.len, SQLITE_STATIC);
		if ((rc = step_done(st, s, err, "cannot keep the original")) < 0)
			return rc;
		have_original = 1;
	}
	/* the file of the previous article is usually the file of this one */
	if (st->file_path != NULL && strcmp(st->file_path, a->origin.path) == 0) {
		file_id = st->file_id;
	} else {
		if ((s = nx_store__stmt(st, NX_STMT_UPSERT_FILE, err)) == NULL)
			return err != NULL ? err->code : NX_EDB;
		sqlite3_bind_text(s, 1, a->origin.path, -1, SQLITE_STATIC);
		if ((rc = step_done(st, s, err, "cannot record the source file")) < 0)
			return rc;
		if ((s = nx_store__stmt(st, NX_STMT_FILE_ID, err)) == NULL)
			return err != NULL ? err->code : NX_EDB;
		sqlite3_bind_text(s, 1, a->origin.path, -1, SQLITE_STATIC);
		if (sqlite3_step(s) != SQLITE_ROW) {
			rc = nx_store__dberr(st, err, "cannot record the source file");
			sqlite3_reset(s);
			return rc;
		}
		file_id = sqlite3_column_int64(s, 0);
		sqlite3_reset(s);
		free(st->file_path);
		st->file_path = strdup(a->origin.path);
		st->file_id = file_id;
	}
	if ((s = nx_store__stmt(st, NX_STMT_INSERT_ORIGIN, err)) == NULL)
		return err != NULL ? err->code : NX_EDB;
	sqlite3_bind_int64(s, 1, id);
	sqlite3_bind_int64(s, 2, file_id);
	sqlite3_bind_int64(s, 3, a->origin.offset);
	bind_text(s, 4, a->origin.record_id);
	bind_format(st, s, 5, a->origin.format);
	if (have_original)
		sqlite3_bind_text(s, 6, r->orig_hash, -1, SQLITE_STATIC);
	/* which version this origin gave: 8 bytes tell an article's versions apart */
	if (hash != NULL)
		bind_hash_n(st, s, 7, hash, 8);
	return step_done(st, s, err, "cannot record where the article came from");
}

/* An article leaves the version oldhash: origins that gave it say so. */
static int keep_origin_versions(nx_store *st, int64_t id, const char *oldhash, nx_error *err)
{
	sqlite3_stmt *s = NULL;
	int rc = NX_OK;

	if (sqlite3_prepare_v2(st->db, "UPDATE origin SET hash = ?2 WHERE article_id = ?1 AND hash IS NULL", -1,
			       &s, NULL) != SQLITE_OK)
		return nx_store__dberr(st, err, "cannot record where the article came from");
	sqlite3_bind_int64(s, 1, id);
	bind_hash_n(st, s, 2, oldhash, 8);
	if (sqlite3_step(s) != SQLITE_DONE)
		rc = nx_store__dberr(st, err, "cannot record where the article came from");
	sqlite3_finalize(s);
	return rc;
}

/* Keep an article version as a revision (compressed JSON). */
/* Keep a version as revision rev (0: the next free number). */
static int write_revision(nx_store *st, int64_t id, const nx_article *a, const char *hash, int64_t rev,
			  nx_error *err)
{
	sqlite3_stmt *s = NULL;
	nx_buf z = NX_BUF_INIT;
	char *json = NULL;
	int rc = NX_OK;

	if (rev <= 0) {
		if ((s = nx_store__stmt(st, NX_STMT_NEXT_REV, err)) == NULL)
			return err != NULL ? err->code : NX_EDB;
		sqlite3_bind_int64(s, 1, id);
		if (sqlite3_step(s) == SQLITE_ROW)
			rev = sqlite3_column_int64(s, 0);
		sqlite3_reset(s);
	}
	json = nx_article_to_json(a, 0);
	if (json == NULL || nx_deflate(&z, json, strlen(json)) < 0 || !nx_buf_ok(&z)) {
		rc = nx_error_set(err, NX_ENOMEM, "out of memory");
		goto done;
	}
	if ((s = nx_store__stmt(st, NX_STMT_INSERT_REVISION, err)) == NULL) {
		rc = err != NULL ? err->code : NX_EDB;
		goto done;
	}
	sqlite3_bind_int64(s, 1, id);
	sqlite3_bind_int64(s, 2, rev);
	sqlite3_bind_int64(s, 3, a->captured.set ? a->captured.utc : 0);
	if (a->updated.set)
		sqlite3_bind_int64(s, 4, a->updated.utc);
	sqlite3_bind_text(s, 5, hash, -1, SQLITE_STATIC);
	sqlite3_bind_blob64(s, 6, z.buf, z.len, SQLITE_STATIC);
	if ((rc = step_done(st, s, err, "cannot keep the earlier version")) < 0)
		goto done;
	if ((s = nx_store__stmt(st, NX_STMT_REV_FTS_INSERT, err)) == NULL) {
		rc = err != NULL ? err->code : NX_EDB;
		goto done;
	}
	sqlite3_bind_int64(s, 1, sqlite3_last_insert_rowid(st->db));
	rc = step_done(st, s, err, "cannot index the earlier version");
done:
	free(json);
	nx_buf_free(&z);
	return rc;
}

/* Version time: the updated time when given, else when it was captured. */
static int newer_than(const nx_article *a, sqlite3_stmt *cur)
{
	int old_has_upd = sqlite3_column_type(cur, 2) != SQLITE_NULL;
	int64_t old_upd = sqlite3_column_int64(cur, 2), old_cap = sqlite3_column_int64(cur, 3);

	if (a->updated.set && old_has_upd)
		return a->updated.utc > old_upd || (a->updated.utc == old_upd && a->captured.utc >= old_cap);
	if (a->updated.set && !old_has_upd)
		return 1;
	if (!a->updated.set && old_has_upd)
		return 0;
	return a->captured.utc >= old_cap;
}

int nx_store_put(nx_store *st, const nx_article *a, int *status, nx_error *err)
{
	nx_prepared *p = NULL;
	int rc = NX_OK;

	*status = 0;
	if (a->id == NULL)
		return nx_error_set(err, NX_EINVAL, "article has no id");
	if ((rc = nx_store_prepare(&p, st, a, err)) < 0)
		return rc;
	rc = nx_store_put_prepared(st, a, p, status, err);
	nx_prepared_free(p);
	return rc;
}

int nx_store_put_prepared(nx_store *st, const nx_article *a, nx_prepared *r, int *status, nx_error *err)
{
	sqlite3_stmt *s = NULL;
	nx_article *old = NULL;
	int64_t id = 0, rev = 1, oldblk = 0;
	int rc = NX_OK, found = 0, step = 0;

	*status = 0;
	if (a->id == NULL)
		return nx_error_set(err, NX_EINVAL, "article has no id");
	if (r->deferred && pack_alone(st, r) < 0)
		return nx_error_set(err, NX_ENOMEM, "out of memory");
	if (r->blk != NULL)
		r->blk->seen++;
	if ((rc = train_zdict(st, r, err)) < 0)
		goto done;
	if ((rc = note_lang(st, a->lang, err)) < 0)
		goto done;
	if ((s = nx_store__stmt(st, NX_STMT_FIND_UID, err)) == NULL) {
		rc = err->code;
		goto done;
	}
	sqlite3_bind_text(s, 1, a->id, -1, SQLITE_STATIC);
	step = sqlite3_step(s);
	if (step == SQLITE_ROW) {
		found = 1;
		id = sqlite3_column_int64(s, 0);
	} else if (step != SQLITE_DONE) {
		rc = nx_store__dberr(st, err, "cannot look up the article");
		goto done;
	}
	if (!found) {
		if ((s = nx_store__stmt(st, NX_STMT_INSERT_ARTICLE, err)) == NULL) {
			rc = err->code;
			goto done;
		}
		if ((rc = blk_use(st, r, err)) < 0)
			goto done;
		bind_article(st, s, a, r, 1);
		if ((rc = step_done(st, s, err, "cannot save the article")) < 0)
			goto done;
		if (r->blk != NULL)
			r->blk->refs++;
		id = sqlite3_last_insert_rowid(st->db);
		if ((rc = write_photos(st, id, a, err)) < 0 || (rc = write_fts(st, id, a, r, err)) < 0)
			goto done;
		*status = NX_PUT_ADDED;
		goto current;
	}
	{
		char cur[65];

		nx_store__hash_col(s, 1, cur);
		/* the stored hash may be a prefix (schema 3) */
		found = strlen(cur) >= 32 && strncmp(cur, r->hash, strlen(cur)) == 0 ? 2 : 1;
	}
	if (found == 2) {
		sqlite3_reset(s);
		*status = NX_PUT_UNCHANGED;
		goto current;
	}
	if (!newer_than(a, s)) {
		sqlite3_reset(s);
		/* an older version: keep it once as a revision */
		if ((s = nx_store__stmt(st, NX_STMT_REVISION_HAS_HASH, err)) == NULL) {
			rc = err->code;
			goto done;
		}
		sqlite3_bind_int64(s, 1, id);
		sqlite3_bind_text(s, 2, r->hash, -1, SQLITE_STATIC);
		step = sqlite3_step(s);
		sqlite3_reset(s);
		if (step == SQLITE_ROW) {
			*status = NX_PUT_UNCHANGED;
		} else {
			if ((rc = write_revision(st, id, a, r->hash, 0, err)) < 0)
				goto done;
			*status = NX_PUT_REVISION;
		}
		/* this origin gave an older version than the current one */
		rc = write_origin(st, id, a, r, r->hash, err);
		goto done;
	}
	sqlite3_reset(s);
	/*
	 * a newer version: the current one becomes a revision, keeping its
	 * number.  Reading it (here and to take it out of the full-text index)
	 * needs its block readable; the block loses a reference below.
	 */
	if ((rc = blk_of_readable(st, id, &oldblk, err)) < 0 || (rc = nx_store__load(&old, st, id, err)) < 0)
		goto done;
	{
		char oldhash[65];
		sqlite3_stmt *cur = NULL;
		int64_t currev = 0;

		if ((rc = nx_article_hash(oldhash, old)) < 0) {
			rc = nx_error_set(err, NX_ENOMEM, "out of memory");
			goto done;
		}
		if (sqlite3_prepare_v2(st->db, "SELECT rev FROM article WHERE id = ?1", -1, &cur, NULL) == SQLITE_OK) {
			sqlite3_bind_int64(cur, 1, id);
			if (sqlite3_step(cur) == SQLITE_ROW)
				currev = sqlite3_column_int64(cur, 0);
		}
		sqlite3_finalize(cur);
		if ((rc = write_revision(st, id, old, oldhash, currev, err)) < 0 ||
		    (rc = keep_origin_versions(st, id, oldhash, err)) < 0)
			goto done;
	}
	if ((s = nx_store__stmt(st, NX_STMT_NEXT_REV, err)) == NULL) {
		rc = err->code;
		goto done;
	}
	sqlite3_bind_int64(s, 1, id);
	if (sqlite3_step(s) == SQLITE_ROW)
		rev = sqlite3_column_int64(s, 0);
	sqlite3_reset(s);
	if ((rc = delete_fts(st, id, err)) < 0 || (rc = blk_use(st, r, err)) < 0)
		goto done;
	if ((s = nx_store__stmt(st, NX_STMT_UPDATE_ARTICLE, err)) == NULL) {
		rc = err->code;
		goto done;
	}
	bind_article(st, s, a, r, rev);
	sqlite3_bind_int64(s, 22, id);
	if ((rc = step_done(st, s, err, "cannot update the article")) < 0)
		goto done;
	if (r->blk != NULL)
		r->blk->refs++;
	if ((rc = blk_unref(st, oldblk, err)) < 0)
		goto done;
	if ((rc = write_photos(st, id, a, err)) < 0 || (rc = write_fts(st, id, a, r, err)) < 0)
		goto done;
	*status = NX_PUT_UPDATED;
current:
	rc = write_origin(st, id, a, r, NULL, err);
done:
	/* the last member of the open block put: write it */
	if (rc >= 0 && r->blk != NULL && r->blk == st->blk_open && r->blk->seen >= r->blk->members)
		rc = blk_close(st, err);
	nx_article_free(old);
	return rc;
}

int nx_store__col_time(sqlite3_stmt *s, int i, nx_time *t)
{
	if (sqlite3_column_type(s, i) == SQLITE_NULL)
		return 0;
	t->set = 1;
	t->utc = sqlite3_column_int64(s, i);
	t->has_offset = sqlite3_column_type(s, i + 1) != SQLITE_NULL;
	t->offset = sqlite3_column_int(s, i + 1);
	t->has_time = sqlite3_column_int(s, i + 2) != 0;
	return 1;
}

static int col_str(sqlite3_stmt *s, int i, char **out)
{
	const unsigned char *v = sqlite3_column_text(s, i);

	if (v == NULL || *v == '\0')
		return NX_OK;
	*out = strdup((const char *)v);
	return *out == NULL ? NX_ENOMEM : NX_OK;
}

int nx_store__load(nx_article **out, nx_store *st, int64_t rowid, nx_error *err)
{
	sqlite3_stmt *s = NULL;
	nx_article *a = NULL;
	nx_buf body = NX_BUF_INIT;
	const char *p = NULL, *e = NULL;
	char *authors = NULL;
	int rc = NX_OK, step = 0;

	*out = NULL;
	if ((s = nx_store__stmt(st, NX_STMT_GET_ARTICLE, err)) == NULL)
		return err != NULL ? err->code : NX_EDB;
	sqlite3_bind_int64(s, 1, rowid);
	step = sqlite3_step(s);
	if (step != SQLITE_ROW) {
		sqlite3_reset(s);
		if (step == SQLITE_DONE)
			return nx_error_set(err, NX_ENOTFOUND, "no such article");
		return nx_store__dberr(st, err, "cannot read the article");
	}
	if ((a = nx_article_new()) == NULL)
		goto oom;
	if (col_str(s, 0, &a->id) < 0 || col_str(s, 1, &a->url) < 0 || col_str(s, 2, &a->source) < 0 ||
	    col_str(s, 3, &a->title) < 0 || col_str(s, 4, &authors) < 0 || col_str(s, 5, &a->section) < 0 ||
	    col_str(s, 6, &a->lang) < 0)
		goto oom;
	nx_store__col_time(s, 7, &a->published);
	nx_store__col_time(s, 10, &a->updated);
	a->captured.set = 1;
	a->captured.has_time = 1;
	a->captured.utc = sqlite3_column_int64(s, 13);
	rc = nx_store__inflate(st, &body, sqlite3_column_blob(s, 14), (size_t)sqlite3_column_bytes(s, 14));
	sqlite3_reset(s);
	if (rc == NX_ENOMEM)
		goto oom;
	if (rc < 0) {
		rc = nx_error_set(err, NX_EDB, "article %s: corrupt compressed text (run 'newsidx check')", a->id);
		goto done;
	}
	for (p = authors; p != NULL && *p != '\0'; p = e != NULL ? e + 1 : p + strlen(p)) {
		e = strchr(p, '\n');
		if (nx_article_add_author(a, p, e != NULL ? (long)(e - p) : -1) < 0)
			goto oom;
	}
	for (p = body.buf; *p != '\0'; p = e != NULL ? e + 2 : p + strlen(p)) {
		e = strstr(p, "\n\n");
		if (nx_article_add_para(a, p, e != NULL ? (long)(e - p) : -1) < 0)
			goto oom;
	}
	if ((s = nx_store__stmt(st, NX_STMT_GET_PHOTOS, err)) == NULL) {
		rc = err != NULL ? err->code : NX_EDB;
		goto done;
	}
	sqlite3_bind_int64(s, 1, rowid);
	while ((step = sqlite3_step(s)) == SQLITE_ROW) {
		nx_photo *ph = nx_article_add_photo(a);

		if (ph == NULL || col_str(s, 0, &ph->agency) < 0 || col_str(s, 1, &ph->photographer) < 0 ||
		    col_str(s, 2, &ph->caption) < 0 || col_str(s, 3, &ph->url) < 0) {
			sqlite3_reset(s);
			goto oom;
		}
	}
	sqlite3_reset(s);
	if ((s = nx_store__stmt(st, NX_STMT_GET_ORIGIN, err)) == NULL) {
		rc = err != NULL ? err->code : NX_EDB;
		goto done;
	}
	sqlite3_bind_int64(s, 1, rowid);
	if (sqlite3_step(s) == SQLITE_ROW) {
		const char *fmt = (const char *)sqlite3_column_text(s, 3);
		size_t i = 0;

		if (col_str(s, 0, &a->origin.path) < 0 || col_str(s, 2, &a->origin.record_id) < 0) {
			sqlite3_reset(s);
			goto oom;
		}
		a->origin.offset = sqlite3_column_int64(s, 1);
		for (i = 0; fmt != NULL && i < NX_NFORMATS; i++)
			if (strcmp(fmt, origin_formats[i]) == 0 || (nx_isdigit((unsigned char)fmt[0]) &&
								    strtoul(fmt, NULL, 10) == i + 1))
				a->origin.format = origin_formats[i];
	}
	sqlite3_reset(s);
	*out = a;
	a = NULL;
	goto done;
oom:
	rc = nx_error_set(err, NX_ENOMEM, "out of memory");
done:
	free(authors);
	nx_buf_free(&body);
	nx_article_free(a);
	return rc;
}

static int is_hex_prefix(const char *s)
{
	size_t n = strlen(s), i = 0;

	if (n < 4 || n > 16)
		return 0;
	for (i = 0; i < n; i++)
		if (!(nx_isdigit((unsigned char)s[i]) || (s[i] >= 'a' && s[i] <= 'f') || (s[i] >= 'A' && s[i] <= 'F')))
			return 0;
	return 1;
}

int nx_store__resolve(nx_store *st, const char *ref, int64_t *rowid, nx_error *err)
{
	sqlite3_stmt *s = NULL;
	int step = 0, count = 0;

	*rowid = 0;
	if (is_hex_prefix(ref)) {
		if ((s = nx_store__stmt(st, NX_STMT_FIND_PREFIX, err)) == NULL)
			return err != NULL ? err->code : NX_EDB;
		sqlite3_bind_text(s, 1, ref, -1, SQLITE_STATIC);
		while ((step = sqlite3_step(s)) == SQLITE_ROW) {
			*rowid = sqlite3_column_int64(s, 0);
			count++;
		}
		sqlite3_reset(s);
		if (step != SQLITE_DONE)
			return nx_store__dberr(st, err, "cannot look up the article");
		if (count > 1)
			return nx_error_set(err, NX_EAMBIGUOUS, "id '%s' is ambiguous: give more digits", ref);
		if (count == 1)
			return NX_OK;
	}
	if (st->schema >= 2) {
		/* an article with a URL has the id made from it: no index of URLs needed */
		nx_article *a = nx_article_new();
		int rc = NX_ENOMEM;

		if (a != NULL && (a->url = strdup(ref)) != NULL)
			rc = nx_article_identify(a, NULL);
		if (rc < 0 || (s = nx_store__stmt(st, NX_STMT_FIND_URL_UID, err)) == NULL) {
			nx_article_free(a);
			return rc < 0 ? nx_error_set(err, NX_ENOMEM, "out of memory") : err != NULL ? err->code : NX_EDB;
		}
		sqlite3_bind_text(s, 1, a->id, -1, SQLITE_TRANSIENT);
		sqlite3_bind_text(s, 2, ref, -1, SQLITE_STATIC);
		nx_article_free(a);
	} else {
		if ((s = nx_store__stmt(st, NX_STMT_FIND_URL, err)) == NULL)
			return err != NULL ? err->code : NX_EDB;
		sqlite3_bind_text(s, 1, ref, -1, SQLITE_STATIC);
	}
	step = sqlite3_step(s);
	if (step == SQLITE_ROW)
		*rowid = sqlite3_column_int64(s, 0);
	sqlite3_reset(s);
	if (step == SQLITE_ROW)
		return NX_OK;
	if (step != SQLITE_DONE)
		return nx_store__dberr(st, err, "cannot look up the article");
	return nx_error_set(err, NX_ENOTFOUND, "no article with id or URL '%s'", ref);
}

int nx_store_get(nx_article **out, nx_store *st, const char *ref, nx_error *err)
{
	int64_t id = 0;
	int rc = nx_store__resolve(st, ref, &id, err);

	*out = NULL;
	if (rc < 0)
		return rc;
	rc = nx_store__load(out, st, id, err);
	if (rc == NX_ENOTFOUND)
		nx_error_set(err, NX_ENOTFOUND, "no article with id or URL '%s'", ref);
	return rc;
}

int nx_store_remove(nx_store *st, const char *ref, char id_out[17], nx_error *err)
{
	int64_t id = 0, block = 0;
	int rc = nx_store__resolve(st, ref, &id, err);

	if (rc < 0 || (rc = blk_of_readable(st, id, &block, err)) < 0)
		return rc;
	if (id_out != NULL) {
		nx_article *a = NULL;

		id_out[0] = '\0';
		if (nx_store__load(&a, st, id, NULL) == NX_OK && a->id != NULL)
			snprintf(id_out, 17, "%s", a->id);
		nx_article_free(a);
	}
	if ((rc = delete_fts(st, id, err)) < 0)
		return rc;
	if ((rc = run_with(st, NX_STMT_REV_FTS_DELETE, id, err, "cannot remove earlier versions from the index")) < 0 ||
	    (rc = run_with(st, NX_STMT_DELETE_ARTICLE, id, err, "cannot remove the article")) < 0)
		return rc;
	return blk_unref(st, block, err);
}

int nx_store_stats(nx_stats *out, nx_store *st, nx_error *err)
{
	int64_t v = 0, ps = 0, pc = 0;

	memset(out, 0, sizeof(*out));
	if (query_int(st, "SELECT count(*) FROM article", &out->articles) < 0 ||
	    query_int(st, "SELECT count(*) FROM photo", &out->photos) < 0 ||
	    query_int(st, "SELECT count(*) FROM revision", &out->revisions) < 0 ||
	    query_int(st, "SELECT count(*) FROM file", &out->files) < 0 ||
	    query_int(st, "SELECT count(*) FROM original", &out->originals) < 0 ||
	    query_int(st, "SELECT coalesce(sum(body_len), 0) FROM article", &out->text_bytes) < 0 ||
	    query_int(st, "SELECT coalesce(sum(length(body_z)), 0) FROM article", &out->stored_bytes) < 0 ||
	    query_int(st, "PRAGMA page_size", &ps) < 0 || query_int(st, "PRAGMA page_count", &pc) < 0)
		return nx_store__dberr(st, err, "cannot read index statistics");
	if (st->schema >= 4 && query_int(st, "SELECT coalesce(sum(length(z)), 0) FROM body_block", &v) == 0)
		out->stored_bytes += v;
	v = 0;
	out->db_bytes = ps * pc;
	out->schema = st->schema;
	if (out->articles > 0 && query_int(st, "SELECT count(published) FROM article", &v) == 0 && v > 0) {
		query_int(st, "SELECT min(published) FROM article", &out->oldest.utc);
		query_int(st, "SELECT max(published) FROM article", &out->newest.utc);
		out->oldest.set = out->newest.set = 1;
		out->oldest.has_time = out->newest.has_time = 1;
	}
	return NX_OK;
}

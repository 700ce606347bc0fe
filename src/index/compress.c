/*
 * compress.c - zlib for stored text: the process's registry of preset
 * dictionaries, each store's pool of primed compressors, and training
 * an index's dictionary from its first bodies.
 */
#include "index/store_private.h"

#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "util/text.h"
#include "index/zdict.h"

/*
 * Compression.  Short texts compress poorly alone: a news body of 1 kB
 * shrinks to about half.  With a preset dictionary -- 32 kB of the
 * index's own first bodies -- zlib finds its phrases from the first
 * byte, and bodies shrink to about 0.41 (Reuters and BBC text).  The
 * dictionaries of every index this process opened are kept here, found
 * by the Adler-32 zlib writes in each stream's header.
 */
#define NX_ZDICT_SIZE 32768
#define NX_ZDICT_TAKE 16384   /* bytes of each sampled body (what nx_zdict_train reads) */

/*
 * The registry has no fixed size: a process that opens many indexes (a
 * library user, a server of several archives) keeps every dictionary it
 * met, 32 kB each.  Entries are never freed or moved, so a pointer found
 * here stays valid after the lock is released.
 */
static pthread_mutex_t zreg_mu = PTHREAD_MUTEX_INITIALIZER;
static nx_zdict **zreg;
static size_t nzreg, zreg_alloc;

static const nx_zdict *zdict_find_locked(uint32_t id)
{
	size_t i = 0;

	for (i = 0; i < nzreg; i++)
		if (zreg[i]->id == id)
			return zreg[i];
	return NULL;
}

static const nx_zdict *zdict_find(uint32_t id)
{
	const nx_zdict *d = NULL;

	pthread_mutex_lock(&zreg_mu);
	d = zdict_find_locked(id);
	pthread_mutex_unlock(&zreg_mu);
	return d;
}

/* Register a dictionary (or find it registered); NULL when out of memory. */
static const nx_zdict *zdict_register(const void *data, size_t len)
{
	uint32_t id = (uint32_t)adler32(adler32(0L, Z_NULL, 0), data, (uInt)len);
	const nx_zdict *d = NULL;
	nx_zdict *n = NULL;

	if (len == 0 || len > NX_ZDICT_SIZE)
		return NULL;
	pthread_mutex_lock(&zreg_mu);
	if ((d = zdict_find_locked(id)) != NULL)
		goto done;
	if (nzreg == zreg_alloc) {
		size_t want = zreg_alloc > 0 ? 2 * zreg_alloc : 16;
		nx_zdict **v = realloc(zreg, want * sizeof(*v));

		if (v == NULL)
			goto done;
		zreg = v;
		zreg_alloc = want;
	}
	if ((n = malloc(sizeof(*n) + len)) != NULL) {
		n->id = id;
		n->len = len;
		memcpy(n->data, data, len);
		zreg[nzreg++] = n;
		d = n;
	}
done:
	pthread_mutex_unlock(&zreg_mu);
	return d;
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

int nx_store__deflate_body(nx_store *st, nx_buf *out, const char *s, size_t len)
{
	return deflate_kind(st, out, s, len, NX_ZK_BODY);
}

int nx_store__deflate_block(nx_store *st, nx_buf *out, const char *s, size_t len)
{
	return deflate_kind(st, out, s, len, NX_ZK_BLOCK);
}

void nx_store__zworkers_free(nx_store *st)
{
	while (st->zfree != NULL) {
		nx_zworker *w = st->zfree;

		st->zfree = w->next;
		zworker_free(w);
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

/*
 * Register every dictionary of the index; the current one (meta 'zdict')
 * goes to *cur when cur is not NULL.  A reader calls it again when a body
 * needs a dictionary a writer made after the reader opened the index.
 */
void nx_store__zdict_load_all(sqlite3 *db, int64_t want, const nx_zdict **cur)
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
int nx_store__inflate_db(sqlite3 *db, nx_buf *out, const void *blob, size_t len)
{
	size_t start = out->len;
	int rc = nx_inflate_blob(out, blob, len);

	if (rc == NX_EFORMAT) {
		out->len = start;
		nx_store__zdict_load_all(db, 0, NULL);
		rc = nx_inflate_blob(out, blob, len);
	}
	return rc;
}

/* Keep the current dictionary in the index (again after a rollback). */
int nx_store__save_zdict(nx_store *st, nx_error *err)
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
	rc = nx_store__step_done(st, s, err, "cannot save the compression dictionary");
	sqlite3_finalize(s);
	if (rc == NX_OK) {
		char sql[96];

		snprintf(sql, sizeof(sql), "INSERT OR REPLACE INTO meta(key, value) VALUES('zdict', %lu)",
			 (unsigned long)d->id);
		rc = nx_store__exec(st, sql, err, "cannot save the compression dictionary");
	}
	return rc;
}

/* Make the dictionary from the bodies sampled so far. */
int nx_store__make_zdict(nx_store *st, nx_error *err)
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
		rc = nx_store__save_zdict(st, err);
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
int nx_store__train_zdict(nx_store *st, const char *body, nx_error *err)
{
	size_t n = strlen(body);

	if (atomic_load(&st->zdict) != NULL || st->schema < 2 || n < 64)
		return NX_OK;
	n = n < NX_ZDICT_TAKE ? n : NX_ZDICT_TAKE;
	nx_buf_add(&st->train, body, n);
	st->trainlen[st->ntrain] = n;
	if (++st->ntrain < NX_ZDICT_SAMPLES)
		return NX_OK;
	return nx_store__make_zdict(st, err);
}

/*
 * blocks.c - blocks of bodies: a few short bodies compressed together,
 * each article's body_z a reference into its block, blocks counted by
 * the articles referring to them.
 */
#include "index/store_private.h"

#include <stdlib.h>
#include <string.h>

void nx_store__blk_drop(nx_zblock *b)
{
	if (b != NULL && atomic_fetch_sub(&b->holders, 1) == 1) {
		nx_buf_free(&b->z);
		free(b);
	}
}

/* Forget the open block without writing it (a rollback undid its references). */
void nx_store__blk_discard(nx_store *st)
{
	if (st->blk_open != NULL) {
		st->blk_open->closed = 1;
		nx_store__blk_drop(st->blk_open);
		st->blk_open = NULL;
	}
}

/*
 * A body in a block: body_z holds the body's length (4 bytes, as every
 * stored blob), a 0 byte where a zlib stream has its header (0x78), then
 * the block's id and the body's offset in the block's text, as varints
 * (7 bits a byte, low first).  About 9 bytes instead of a stream.
 */
#define NX_REF_MARK 0x00

size_t nx_store__ref_encode(unsigned char out[32], size_t len, int64_t block, size_t off)
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
		rc = zb != NULL ? nx_store__inflate_db(c->db, &c->text, zb, zn) : NX_EFORMAT;
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
int nx_store__inflate_cached(nx_blkcache *c, nx_buf *out, const void *blob, size_t len)
{
	if (blob != NULL && len > 4 && ((const unsigned char *)blob)[4] == NX_REF_MARK)
		return inflate_ref(c, out, blob, len);
	return nx_store__inflate_db(c->db, out, blob, len);
}

int nx_store__inflate(nx_store *st, nx_buf *out, const void *blob, size_t len)
{
	return nx_store__inflate_cached(&st->bc[0], out, blob, len);
}

void nx_store__blkcache_close(nx_blkcache *c)
{
	sqlite3_finalize(c->get);
	c->get = NULL;
	c->id = 0;
	c->db = NULL;
}

void nx_store__blkcache_free(nx_blkcache *c)
{
	nx_store__blkcache_close(c);
	nx_buf_free(&c->z);
	nx_buf_free(&c->text);
}

/* A deferred body compressed alone. */
int nx_store__pack_alone(nx_store *st, nx_prepared *r)
{
	if (nx_store__deflate_body(st, &r->body_z, r->body, r->body_len) < 0 || !nx_buf_ok(&r->body_z))
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
			rc = nx_store__pack_alone(st, v[i]);
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
		if (nx_store__deflate_block(st, &b->z, text.buf, text.len) < 0 || !nx_buf_ok(&b->z)) {
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

/* Write the open block's row, if any article refers to it. */
int nx_store__blk_close(nx_store *st, nx_error *err)
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
			rc = nx_store__step_done(st, s, err, "cannot save the article");
		}
	}
	nx_store__blk_drop(b);
	return rc;
}

/*
 * Make r's block the open one, with an id, before an article refers to
 * it (closing the one open before).  A block already closed takes no
 * more references: the body is then compressed alone.
 */
int nx_store__blk_use(nx_store *st, nx_prepared *r, nx_error *err)
{
	nx_zblock *b = r->blk;
	sqlite3_stmt *s = NULL;
	int rc = NX_OK;

	if (b == NULL || b == st->blk_open)
		return NX_OK;
	if ((rc = nx_store__blk_close(st, err)) < 0)
		return rc;
	if (b->closed) {
		r->blk = NULL;
		nx_store__blk_drop(b);
		if (nx_store__pack_alone(st, r) < 0)
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
int nx_store__blk_of_readable(nx_store *st, int64_t id, int64_t *block, nx_error *err)
{
	int rc = blk_of(st, id, block, err);

	if (rc == NX_OK && *block != 0 && st->blk_open != NULL && st->blk_open->id == *block)
		rc = nx_store__blk_close(st, err);
	return rc;
}

/* An article no longer refers to block: the last one to go takes it along. */
int nx_store__blk_unref(nx_store *st, int64_t block, nx_error *err)
{
	int rc = NX_OK;

	if (block == 0)
		return NX_OK;
	if (st->blk_open != NULL && st->blk_open->id == block) {
		st->blk_open->refs--;
		return NX_OK;
	}
	if ((rc = nx_store__run_with(st, NX_STMT_BLOCK_UNREF, block, err, "cannot update the stored bodies")) < 0)
		return rc;
	return nx_store__run_with(st, NX_STMT_BLOCK_GC, block, err, "cannot update the stored bodies");
}

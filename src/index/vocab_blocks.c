/*
 * vocab_blocks.c - how the words of "did you mean" are stored: sorted
 * blocks of words in table vocab_block, read through the SQL table vocab.
 *
 * A row per word (table vocab(w, n, cap) WITHOUT ROWID, up to round 8)
 * cost 17 bytes a word, 0.9 MB of a 21 MB index of 20,000 articles.  A
 * block holds up to VB_MAX consecutive words, keyed by its first; each
 * word is written as the bytes it shares with the one before, the rest,
 * and its two counts (vb_encode): about 5 bytes a word; the blocks a new
 * archive's load rewrites at its end are deflated too: about 4.
 *
 * Readers keep the SQL they had: "vocab" is an eponymous virtual table
 * (columns w, n, cap, in the order of w) over the blocks, which seeks the
 * block holding the lower bound of w (= or >=) and stops past the upper
 * one.  An index of the older layout keeps its real table vocab, which
 * SQLite finds before the virtual one, until a writer converts it
 * (meta 'vocab': 1 the table, 2 the blocks; see vocab.c).
 */
#include "index/store_private.h"

#include <stdlib.h>
#include <string.h>
#include <zlib.h>

/* Words per block: a look-up decodes one block, a flush rewrites the blocks it touches. */
#define VB_MAX 128
/* The longest word a block holds (vocab counts words of up to 40 bytes). */
#define VB_WORD 255

/* A block decoded: its words end to end in text, each one's place and counts. */
typedef struct vb_block {
	nx_buf text;
	size_t n, cap;
	struct vb_ent {
		size_t off, len;
		int64_t n, cap;
	} *e;
} vb_block;

static void vb_free(vb_block *b)
{
	nx_buf_free(&b->text);
	free(b->e);
	memset(b, 0, sizeof(*b));
}

/*
 * One word of a block: a byte shared << 4 | rest when both are under 16
 * (all but a few words), else a 0 byte and the two as varints; the rest's
 * bytes; n << 1 | (cap > 0) as a varint, then cap when it is not 0.  A word
 * has at least one byte of its own (the words are distinct and in order),
 * so a first byte of 0 cannot be a short header.
 */

/* Read one word's header at *p into *shared and *rest; 0 when it is cut short. */
static int vb_head(const unsigned char **p, const unsigned char *end, uint64_t *shared, uint64_t *rest)
{
	if (*p >= end)
		return 0;
	if (**p != 0) {
		*shared = **p >> 4;
		*rest = **p & 15u;
		(*p)++;
		return *rest > 0;
	}
	(*p)++;
	return nx_varint_get(p, end, shared) && nx_varint_get(p, end, rest);
}

/* Decode the words of z (zn bytes, not deflated) after those b holds; NX_OK, NX_ENOMEM or NX_EFORMAT. */
static int vb_decode_raw(vb_block *b, const void *z, size_t zn)
{
	const unsigned char *p = z, *end = p + zn;
	unsigned char w[VB_WORD];
	uint64_t shared = 0, rest = 0, n = 0, cap = 0;
	size_t wn = 0;

	while (p < end) {
		if (!vb_head(&p, end, &shared, &rest) || shared > wn || rest > VB_WORD - shared ||
		    rest > (size_t)(end - p))
			return NX_EFORMAT;
		memcpy(w + shared, p, rest);
		wn = shared + rest;
		p += rest;
		cap = 0;
		if (wn == 0 || !nx_varint_get(&p, end, &n) || ((n & 1) && !nx_varint_get(&p, end, &cap)) ||
		    cap > INT64_MAX)
			return NX_EFORMAT;
		if (b->n == b->cap) {
			size_t c = b->cap ? 2 * b->cap : VB_MAX;
			struct vb_ent *e = realloc(b->e, c * sizeof(*e));

			if (e == NULL)
				return NX_ENOMEM;
			b->e = e;
			b->cap = c;
		}
		b->e[b->n].off = b->text.len;
		b->e[b->n].len = wn;
		b->e[b->n].n = (int64_t)(n >> 1);
		b->e[b->n++].cap = (int64_t)cap;
		nx_buf_add(&b->text, (const char *)w, wn);
	}
	return nx_buf_ok(&b->text) ? NX_OK : NX_ENOMEM;
}

/*
 * The blocks a new archive's load rewrites at its end are deflated (a
 * zlib stream: 0.8 of their size); a zlib stream's first byte, 0x78, is
 * no block's first (a first word shares no bytes with one before).
 */
#define VB_ZLIB 0x78
/* Bytes of a block's words at most: VB_MAX words of 40 bytes, their headers and counts. */
#define VB_RAW_MAX (VB_MAX * 64)

/* Decode blob z (zn bytes, deflated or not) after the words b holds. */
static int vb_decode_more(vb_block *b, const void *z, size_t zn)
{
	unsigned char raw[VB_RAW_MAX];
	uLongf n = sizeof(raw);

	if (zn == 0 || *(const unsigned char *)z != VB_ZLIB)
		return vb_decode_raw(b, z, zn);
	if (uncompress(raw, &n, z, (uLong)zn) != Z_OK)
		return NX_EFORMAT;
	return vb_decode_raw(b, raw, n);
}

/* The same into b emptied first. */
static int vb_decode(vb_block *b, const void *z, size_t zn)
{
	nx_buf_reset(&b->text);
	b->n = 0;
	return vb_decode_more(b, z, zn);
}

/* Append the encoding of words v[0..n) to out. */
static void vb_encode(nx_buf *out, const nx_vocab_row *v, size_t n)
{
	size_t i = 0;

	for (i = 0; i < n; i++) {
		unsigned char hd[40];
		size_t shared = 0, rest = 0, k = 0;

		while (i > 0 && shared < v[i].len && shared < v[i - 1].len && v[i].w[shared] == v[i - 1].w[shared])
			shared++;
		rest = v[i].len - shared;
		if (shared < 16 && rest < 16) {
			hd[k++] = (unsigned char)(shared << 4 | rest);
		} else {
			hd[k++] = 0;
			k += nx_varint_put(hd + k, shared);
			k += nx_varint_put(hd + k, rest);
		}
		nx_buf_add(out, (const char *)hd, k);
		nx_buf_add(out, v[i].w + shared, rest);
		k = nx_varint_put(hd, (uint64_t)v[i].n << 1 | (v[i].cap > 0));
		if (v[i].cap > 0)
			k += nx_varint_put(hd + k, (uint64_t)v[i].cap);
		nx_buf_add(out, (const char *)hd, k);
	}
}

/* SQLite's order of TEXT (BINARY): bytes, then the shorter first. */
int nx_vocab_row_cmp(const void *x, const void *y)
{
	const nx_vocab_row *a = x, *b = y;
	int c = memcmp(a->w, b->w, a->len < b->len ? a->len : b->len);

	return c != 0 ? c : (a->len > b->len) - (a->len < b->len);
}

/* ---- writing ---------------------------------------------------------------- */

enum { VB_FIND, VB_FIRST, VB_NEXT, VB_DEL, VB_PUT, VB__COUNT };

typedef struct vb_writer {
	nx_store *st;
	sqlite3_stmt *s[VB__COUNT];
	vb_block old;        /* the block being merged into */
	nx_vocab_row *m;     /* its words and the new ones, in order */
	size_t mcap;
	nx_buf z;
	int deflate;         /* deflate the blocks written (the rewrite at the end of a load) */
} vb_writer;

/* Write words m[0..n) as blocks of at most VB_MAX, of even sizes; deflated when x->deflate. */
static int vb_put_blocks(vb_writer *x, const nx_vocab_row *m, size_t n, nx_error *err)
{
	size_t nb = (n + VB_MAX - 1) / VB_MAX, i = 0, at = 0;
	int rc = NX_OK;

	for (i = 0; i < nb && rc == NX_OK; i++) {
		size_t k = (n - at) / (nb - i);
		unsigned char zb[VB_RAW_MAX + 64];
		uLongf zn = sizeof(zb);
		const void *blob = NULL;
		size_t len = 0;

		nx_buf_reset(&x->z);
		vb_encode(&x->z, m + at, k);
		if (!nx_buf_ok(&x->z))
			return nx_error_set(err, NX_ENOMEM, "out of memory saving the words of the index");
		blob = x->z.buf;
		len = x->z.len;
		if (x->deflate && len <= VB_RAW_MAX &&
		    compress2(zb, &zn, (const Bytef *)x->z.buf, (uLong)x->z.len, 9) == Z_OK && zn < len) {
			blob = zb;
			len = zn;
		}
		sqlite3_bind_text(x->s[VB_PUT], 1, m[at].w, (int)m[at].len, SQLITE_STATIC);
		sqlite3_bind_blob(x->s[VB_PUT], 2, blob, (int)len, SQLITE_STATIC);
		rc = nx_store__step_done(x->st, x->s[VB_PUT], err, "cannot save the words of the index");
		at += k;
	}
	return rc;
}

/* Room for n merged words. */
static int vb_room(vb_writer *x, size_t n)
{
	nx_vocab_row *m = NULL;

	if (n <= x->mcap)
		return 0;
	if ((m = realloc(x->m, n * sizeof(*m))) == NULL)
		return -1;
	x->m = m;
	x->mcap = n;
	return 0;
}

/*
 * Merge v[0..n) (sorted, distinct) into the block that holds v[0]'s place
 * (the first block when v[0] comes before every block): the words of v up
 * to the next block's first go in.  *used: how many of v it took.
 */
static int vb_merge_one(vb_writer *x, const nx_vocab_row *v, size_t n, size_t *used, nx_error *err)
{
	sqlite3_stmt *s = x->s[VB_FIND];
	const char *next = NULL;
	size_t nnext = 0, take = 0, i = 0, j = 0, k = 0;
	int rc = NX_OK, have = 0;

	x->old.n = 0;
	sqlite3_bind_text(s, 1, v[0].w, (int)v[0].len, SQLITE_STATIC);
	if ((have = sqlite3_step(s) == SQLITE_ROW) == 0) {
		sqlite3_reset(s);
		s = x->s[VB_FIRST];
		have = sqlite3_step(s) == SQLITE_ROW;
	}
	if (have) {
		rc = vb_decode(&x->old, sqlite3_column_blob(s, 1), (size_t)sqlite3_column_bytes(s, 1));
		sqlite3_bind_value(x->s[VB_DEL], 1, sqlite3_column_value(s, 0));
		sqlite3_bind_value(x->s[VB_NEXT], 1, sqlite3_column_value(s, 0));
	}
	sqlite3_reset(s);
	if (have && rc == NX_OK)
		rc = nx_store__step_done(x->st, x->s[VB_DEL], err, "cannot save the words of the index");
	else if (rc < 0)
		rc = nx_error_set(err, rc, rc == NX_ENOMEM ? "out of memory reading the words of the index" :
							     "damaged list of words in the index (run 'newsidx optimize')");
	if (rc == NX_OK && have && sqlite3_step(x->s[VB_NEXT]) == SQLITE_ROW) {
		next = (const char *)sqlite3_column_text(x->s[VB_NEXT], 0);
		nnext = (size_t)sqlite3_column_bytes(x->s[VB_NEXT], 0);
	}
	for (take = 0; rc == NX_OK && take < n; take++) {
		nx_vocab_row bound = { next, nnext, 0, 0 };

		if (next != NULL && nx_vocab_row_cmp(&v[take], &bound) >= 0)
			break;
	}
	if (rc == NX_OK && vb_room(x, x->old.n + take) < 0)
		rc = nx_error_set(err, NX_ENOMEM, "out of memory saving the words of the index");
	/* the block's words and the new ones, in order; a word in both adds its counts */
	while (rc == NX_OK && (i < x->old.n || j < take)) {
		nx_vocab_row o = { 0 };
		int c = 0;

		if (i < x->old.n) {
			o.w = x->old.text.buf + x->old.e[i].off;
			o.len = x->old.e[i].len;
			o.n = x->old.e[i].n;
			o.cap = x->old.e[i].cap;
		}
		c = i == x->old.n ? 1 : j == take ? -1 : nx_vocab_row_cmp(&o, &v[j]);
		if (c > 0) {
			x->m[k++] = v[j++];
			continue;
		}
		if (c == 0) {
			o.n += v[j].n;
			o.cap += v[j++].cap;
		}
		x->m[k++] = o;
		i++;
	}
	sqlite3_reset(x->s[VB_NEXT]);
	if (rc == NX_OK)
		rc = vb_put_blocks(x, x->m, k, err);
	*used = take;
	return rc;
}

int nx_store__vocab_merge(nx_store *st, const nx_vocab_row *v, size_t n, nx_error *err)
{
	static const char *const sql[VB__COUNT] = {
		[VB_FIND] = "SELECT w, z FROM vocab_block WHERE w <= ?1 ORDER BY w DESC LIMIT 1",
		[VB_FIRST] = "SELECT w, z FROM vocab_block ORDER BY w LIMIT 1",
		[VB_NEXT] = "SELECT w FROM vocab_block WHERE w > ?1 ORDER BY w LIMIT 1",
		[VB_DEL] = "DELETE FROM vocab_block WHERE w = ?1",
		[VB_PUT] = "INSERT INTO vocab_block(w, z) VALUES(?1, ?2)",
	};
	vb_writer x;
	size_t i = 0, used = 0;
	int rc = NX_OK;

	memset(&x, 0, sizeof(x));
	x.st = st;
	nx_buf_init(&x.z);
	nx_buf_init(&x.old.text);
	for (i = 0; i < VB__COUNT && rc == NX_OK; i++)
		if (sqlite3_prepare_v2(st->db, sql[i], -1, &x.s[i], NULL) != SQLITE_OK)
			rc = nx_store__dberr(st, err, "cannot save the words of the index");
	for (i = 0; rc == NX_OK && i < n; i += used)
		rc = vb_merge_one(&x, v + i, n - i, &used, err);
	for (i = 0; i < VB__COUNT; i++)
		sqlite3_finalize(x.s[i]);
	vb_free(&x.old);
	free(x.m);
	nx_buf_free(&x.z);
	return rc;
}

/*
 * Blocks a flush wrote into a block's place leave their pages about 85%
 * full and the blocks 3/4 full.  Rewritten whole, in order, with VB_MAX
 * words each, through a temporary table copied in one statement (SQLite
 * then fills the pages): 20,000 articles, 21 pages -> 18.
 */
static int vb_compact_into(nx_store *st, vb_block *all, vb_writer *x, nx_error *err)
{
	sqlite3_stmt *s = NULL;
	size_t i = 0, k = 0;
	int rc = NX_OK, step = 0;

	if (sqlite3_prepare_v2(st->db, "SELECT z FROM main.vocab_block ORDER BY w", -1, &s, NULL) != SQLITE_OK)
		return nx_store__dberr(st, err, "cannot save the words of the index");
	while (rc == NX_OK && (step = sqlite3_step(s)) == SQLITE_ROW)
		rc = vb_decode_more(all, sqlite3_column_blob(s, 0), (size_t)sqlite3_column_bytes(s, 0));
	sqlite3_finalize(s);
	if (rc < 0)
		return nx_error_set(err, rc, rc == NX_ENOMEM ? "out of memory reading the words of the index" :
							     "damaged list of words in the index (run 'newsidx optimize')");
	if (step != SQLITE_DONE)
		return nx_store__dberr(st, err, "cannot save the words of the index");
	if (vb_room(x, all->n) < 0)
		return nx_error_set(err, NX_ENOMEM, "out of memory saving the words of the index");
	for (i = 0; i < all->n; i++) {
		x->m[i].w = all->text.buf + all->e[i].off;
		x->m[i].len = all->e[i].len;
		x->m[i].n = all->e[i].n;
		x->m[i].cap = all->e[i].cap;
	}
	for (i = 0; i < all->n && rc == NX_OK; i += k) {
		k = all->n - i < VB_MAX ? all->n - i : VB_MAX;
		rc = vb_put_blocks(x, x->m + i, k, err);
	}
	return rc;
}

int nx_store__vocab_compact(nx_store *st, nx_error *err)
{
	vb_writer x;
	vb_block all;
	int rc = NX_OK;

	memset(&x, 0, sizeof(x));
	memset(&all, 0, sizeof(all));
	x.st = st;
	x.deflate = 1;
	nx_buf_init(&x.z);
	nx_buf_init(&all.text);
	if ((rc = nx_store__exec(st,
				 "DROP TABLE IF EXISTS temp.nx_vocab_block;"
				 "CREATE TEMP TABLE nx_vocab_block(w TEXT PRIMARY KEY, z BLOB NOT NULL) WITHOUT ROWID",
				 err, "cannot save the words of the index")) < 0)
		goto done;
	if (sqlite3_prepare_v2(st->db, "INSERT INTO temp.nx_vocab_block(w, z) VALUES(?1, ?2)", -1, &x.s[VB_PUT],
			       NULL) != SQLITE_OK) {
		rc = nx_store__dberr(st, err, "cannot save the words of the index");
		goto done;
	}
	if ((rc = vb_compact_into(st, &all, &x, err)) == NX_OK)
		rc = nx_store__exec(st,
				    "DELETE FROM main.vocab_block;"
				    "INSERT INTO main.vocab_block SELECT * FROM temp.nx_vocab_block",
				    err, "cannot save the words of the index");
done:
	sqlite3_finalize(x.s[VB_PUT]);
	sqlite3_exec(st->db, "DROP TABLE IF EXISTS temp.nx_vocab_block", NULL, NULL, NULL);
	vb_free(&all);
	free(x.m);
	nx_buf_free(&x.z);
	return rc;
}

/* ---- reading: the virtual table vocab ------------------------------------------ */

enum { VB_EQ = 1, VB_LO = 2, VB_HI = 4 };

typedef struct vb_vtab {
	sqlite3_vtab base;
	sqlite3 *db;
} vb_vtab;

typedef struct vb_cursor {
	sqlite3_vtab_cursor base;
	sqlite3_stmt *blocks;  /* the blocks from the one holding the lower bound */
	vb_block b;            /* the current one */
	size_t at;             /* its word */
	int64_t rowid;
	nx_vocab_row lo, hi;   /* bounds (w NULL: none); hi inclusive */
	nx_buf bounds;         /* their bytes */
	int eof;
} vb_cursor;

static int vb_connect(sqlite3 *db, void *aux, int argc, const char *const *argv, sqlite3_vtab **out, char **perr)
{
	vb_vtab *t = NULL;
	int rc = sqlite3_declare_vtab(db, "CREATE TABLE x(w TEXT, n INTEGER, cap INTEGER)");

	(void)aux;
	(void)argc;
	(void)argv;
	(void)perr;
	if (rc != SQLITE_OK)
		return rc;
	if ((t = sqlite3_malloc(sizeof(*t))) == NULL)
		return SQLITE_NOMEM;
	memset(t, 0, sizeof(*t));
	t->db = db;
	sqlite3_vtab_config(db, SQLITE_VTAB_INNOCUOUS);
	*out = &t->base;
	return SQLITE_OK;
}

static int vb_disconnect(sqlite3_vtab *t)
{
	sqlite3_free(t);
	return SQLITE_OK;
}

/* w = ?, w >= ? (or >), w < ? (or <=), in the byte order of BINARY; SQLite checks them again. */
static int vb_best_index(sqlite3_vtab *t, sqlite3_index_info *ix)
{
	int i = 0, eq = -1, lo = -1, hi = -1, arg = 0;

	(void)t;
	for (i = 0; i < ix->nConstraint; i++) {
		const struct sqlite3_index_constraint *c = &ix->aConstraint[i];
		const char *coll = sqlite3_vtab_collation(ix, i);

		if (!c->usable || c->iColumn != 0 || (coll != NULL && sqlite3_stricmp(coll, "BINARY") != 0))
			continue;
		if (c->op == SQLITE_INDEX_CONSTRAINT_EQ)
			eq = i;
		else if (c->op == SQLITE_INDEX_CONSTRAINT_GE || c->op == SQLITE_INDEX_CONSTRAINT_GT)
			lo = i;
		else if (c->op == SQLITE_INDEX_CONSTRAINT_LE || c->op == SQLITE_INDEX_CONSTRAINT_LT)
			hi = i;
	}
	ix->idxNum = 0;
	if (eq >= 0) {
		ix->idxNum = VB_EQ;
		ix->aConstraintUsage[eq].argvIndex = ++arg;
		ix->estimatedCost = 10;
		ix->estimatedRows = 1;
		ix->idxFlags = SQLITE_INDEX_SCAN_UNIQUE;
	} else {
		if (lo >= 0) {
			ix->idxNum |= VB_LO;
			ix->aConstraintUsage[lo].argvIndex = ++arg;
		}
		if (hi >= 0) {
			ix->idxNum |= VB_HI;
			ix->aConstraintUsage[hi].argvIndex = ++arg;
		}
		ix->estimatedCost = arg == 2 ? 1000 : arg == 1 ? 50000 : 100000;
	}
	if (ix->nOrderBy == 1 && ix->aOrderBy[0].iColumn == 0 && !ix->aOrderBy[0].desc)
		ix->orderByConsumed = 1;
	return SQLITE_OK;
}

static int vb_open(sqlite3_vtab *t, sqlite3_vtab_cursor **out)
{
	vb_cursor *c = sqlite3_malloc(sizeof(*c));

	(void)t;
	if (c == NULL)
		return SQLITE_NOMEM;
	memset(c, 0, sizeof(*c));
	nx_buf_init(&c->b.text);
	nx_buf_init(&c->bounds);
	*out = &c->base;
	return SQLITE_OK;
}

static int vb_close(sqlite3_vtab_cursor *cur)
{
	vb_cursor *c = (vb_cursor *)cur;

	sqlite3_finalize(c->blocks);
	vb_free(&c->b);
	nx_buf_free(&c->bounds);
	sqlite3_free(c);
	return SQLITE_OK;
}

/* Move to the next word within the bounds, reading blocks as needed. */
static int vb_advance(vb_cursor *c)
{
	for (;;) {
		nx_vocab_row r = { 0 };

		while (c->at >= c->b.n) {
			int step = sqlite3_step(c->blocks), rc = NX_OK;

			if (step != SQLITE_ROW) {
				c->eof = 1;
				return step == SQLITE_DONE ? SQLITE_OK : SQLITE_ERROR;
			}
			rc = vb_decode(&c->b, sqlite3_column_blob(c->blocks, 0),
				       (size_t)sqlite3_column_bytes(c->blocks, 0));
			if (rc < 0)
				return rc == NX_ENOMEM ? SQLITE_NOMEM : SQLITE_CORRUPT_VTAB;
			c->at = 0;
		}
		r.w = c->b.text.buf + c->b.e[c->at].off;
		r.len = c->b.e[c->at].len;
		if (c->hi.w != NULL && nx_vocab_row_cmp(&r, &c->hi) > 0) {
			c->eof = 1;
			return SQLITE_OK;
		}
		if (c->lo.w == NULL || nx_vocab_row_cmp(&r, &c->lo) >= 0)
			return SQLITE_OK;
		c->at++;
	}
}

static int vb_filter(sqlite3_vtab_cursor *cur, int idx, const char *idxs, int argc, sqlite3_value **argv)
{
	vb_cursor *c = (vb_cursor *)cur;
	vb_vtab *t = (vb_vtab *)cur->pVtab;
	sqlite3_value *lo = NULL, *hi = NULL;
	int rc = SQLITE_OK;

	(void)idxs;
	if ((idx & VB_EQ) && argc >= 1)
		lo = hi = argv[0];
	if ((idx & VB_LO) && argc >= 1)
		lo = argv[0];
	if ((idx & VB_HI) && argc >= 1)
		hi = argv[argc - 1];
	/* a bound that is not text (SQLite checks it again) bounds nothing here */
	if (lo != NULL && sqlite3_value_type(lo) != SQLITE_TEXT)
		lo = NULL;
	if (hi != NULL && sqlite3_value_type(hi) != SQLITE_TEXT)
		hi = NULL;
	nx_buf_reset(&c->bounds);
	c->lo.len = lo != NULL ? (size_t)sqlite3_value_bytes(lo) : 0;
	c->hi.len = hi != NULL ? (size_t)sqlite3_value_bytes(hi) : 0;
	if (lo != NULL)
		nx_buf_add(&c->bounds, (const char *)sqlite3_value_text(lo), c->lo.len);
	if (hi != NULL)
		nx_buf_add(&c->bounds, (const char *)sqlite3_value_text(hi), c->hi.len);
	if (!nx_buf_ok(&c->bounds))
		return SQLITE_NOMEM;
	c->lo.w = lo != NULL ? c->bounds.buf : NULL;
	c->hi.w = hi != NULL ? c->bounds.buf + c->lo.len : NULL;
	c->b.n = c->at = 0;
	c->rowid = 0;
	c->eof = 0;
	if (c->blocks == NULL &&
	    (rc = sqlite3_prepare_v2(t->db,
				     "SELECT z FROM vocab_block WHERE w >= coalesce("
				     "(SELECT max(w) FROM vocab_block WHERE w <= ?1), '') ORDER BY w",
				     -1, &c->blocks, NULL)) != SQLITE_OK)
		return rc;
	sqlite3_reset(c->blocks);
	sqlite3_bind_text(c->blocks, 1, c->lo.w != NULL ? c->lo.w : "", (int)c->lo.len, SQLITE_STATIC);
	return vb_advance(c);
}

static int vb_next(sqlite3_vtab_cursor *cur)
{
	vb_cursor *c = (vb_cursor *)cur;

	c->at++;
	c->rowid++;
	return vb_advance(c);
}

static int vb_eof(sqlite3_vtab_cursor *cur)
{
	return ((vb_cursor *)cur)->eof;
}

static int vb_column(sqlite3_vtab_cursor *cur, sqlite3_context *ctx, int col)
{
	vb_cursor *c = (vb_cursor *)cur;
	const struct vb_ent *e = &c->b.e[c->at];

	if (col == 0)
		sqlite3_result_text(ctx, c->b.text.buf + e->off, (int)e->len, SQLITE_TRANSIENT);
	else
		sqlite3_result_int64(ctx, col == 1 ? e->n : e->cap);
	return SQLITE_OK;
}

static int vb_rowid(sqlite3_vtab_cursor *cur, sqlite3_int64 *out)
{
	*out = ((vb_cursor *)cur)->rowid;
	return SQLITE_OK;
}

int nx_store__vocab_register(sqlite3 *db)
{
	static const sqlite3_module mod = {
		.iVersion = 0,
		.xCreate = NULL, /* eponymous only: no CREATE VIRTUAL TABLE */
		.xConnect = vb_connect,
		.xBestIndex = vb_best_index,
		.xDisconnect = vb_disconnect,
		.xOpen = vb_open,
		.xClose = vb_close,
		.xFilter = vb_filter,
		.xNext = vb_next,
		.xEof = vb_eof,
		.xColumn = vb_column,
		.xRowid = vb_rowid,
	};

	return sqlite3_create_module(db, "vocab", &mod, NULL);
}

/*
 * impact_src.c - the articles of each outlet and of each language, for
 * searches restricted to them (see impact.h).
 *
 * A search restricted to an outlet ("source:reuters", --source) or a
 * language (--lang) with no range of days tested each row its words
 * matched by looking up the row's article: at ten million articles a
 * word in a million of them cost a million lookups (0.7 s for "oil -opec
 * source:reuters").  The build of the lists (search/impact.c) also stores
 * the articles of each value of those two columns in impact_src(col, val,
 * ids), their rowids ascending as varints of their differences (as
 * impact_pub's buckets) or a bitmap, deflated when that saves a quarter
 * (encode), under a byte an article and column; a filter reads the
 * values it matches as bits.
 *
 * Row 6 of impact_state says this build made the table: an older
 * program's build deletes it with the other rows and leaves the table
 * aside.  The rows then stand for the index through additions and
 * removals as the lists do (nx_impact__mark): the articles added since
 * are read from the table of articles, those removed since are left out,
 * and a replacement of an article made before, which may change its
 * outlet or language, sets the mark and so these rows aside until the
 * next build.
 */
#include "index/impact.h"

#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "util/buf.h"
#include "util/strtab.h"

/* The columns stored, in impact_src's col. */
static const char *const src_cols[NX_IMPACT_SRC_COLS] = { "source", "lang" };

/* One value's rows as the build reads them, in rowid order. */
typedef struct src_rows {
	char *source; /* the value */
	nx_buf ids;
	int64_t last;
} src_rows;

typedef struct src_build {
	nx_strtab tab;
	src_rows *s;
	size_t n, cap;
} src_build;

static const char *src_name(const void *ctx, uint32_t i)
{
	return ((const src_build *)ctx)->s[i].source;
}

/* Row id of source (n bytes) added to its outlet's varints: 0, or -1 out of memory. */
static int src_add(src_build *b, const char *source, size_t n, int64_t id)
{
	unsigned char v[10];
	src_rows *r = NULL;
	long at = 0;

	if (nx_strtab_reserve(&b->tab, src_name, b) < 0)
		return -1;
	if ((at = nx_strtab_find(&b->tab, source, n, src_name, b)) < 0) {
		if (b->n == b->cap) {
			src_rows *ns = realloc(b->s, (b->cap = b->cap ? b->cap * 2 : 64) * sizeof(*ns));

			if (ns == NULL)
				return -1;
			b->s = ns;
		}
		r = &b->s[b->n];
		memset(r, 0, sizeof(*r));
		nx_buf_init(&r->ids);
		if ((r->source = malloc(n + 1)) == NULL)
			return -1;
		memcpy(r->source, source, n);
		r->source[n] = '\0';
		nx_strtab_put(&b->tab, at, (uint32_t)b->n++);
	} else {
		r = &b->s[at];
	}
	nx_buf_add(&r->ids, v, nx_varint_put(v, (uint64_t)(id - r->last)));
	r->last = id;
	return nx_buf_ok(&r->ids) ? 0 : -1;
}

/* The forms of a value's rows (the first byte of ids): a bitmap or varints, deflated or not. */
#define SRC_BITMAP 0
#define SRC_VARINTS 1
#define SRC_DEFLATED 4

/*
 * r's rows in their stored form: the bitmap of its rows (bit r of byte
 * r / 8, up to its last row) when that is smaller than their varints (a
 * value of most articles: one language), then deflated when that saves a
 * quarter or more (SRC_DEFLATED, and their size before as a varint after the form's byte):
 * 10 MB of outlets' varints at 10M articles are 6.5 MB deflated, one
 * language of every article 1.2 kB.  SQLITE_OK or SQLITE_NOMEM.
 */
static int encode(src_rows *r)
{
	nx_buf out = NX_BUF_INIT;
	unsigned char form = SRC_VARINTS, v[10];
	unsigned char *m = NULL, *z = NULL;
	const unsigned char *raw = (const unsigned char *)r->ids.buf;
	size_t n = r->ids.len;
	uLongf zn = 0;
	int rc = SQLITE_OK;

	if (n > (size_t)(r->last / 8) + 1) {
		const unsigned char *p = raw, *end = raw + r->ids.len;
		uint64_t x = 0, id = 0;

		n = (size_t)(r->last / 8) + 1;
		if ((m = calloc(n, 1)) == NULL)
			return SQLITE_NOMEM;
		while (p < end && nx_varint_get(&p, end, &x) && (id += x) <= (uint64_t)r->last)
			m[id / 8] |= (unsigned char)(1u << (id % 8));
		raw = m;
		form = SRC_BITMAP;
	}
	zn = compressBound((uLong)n);
	if ((z = malloc(zn)) == NULL) {
		rc = SQLITE_NOMEM;
		goto done;
	}
	if (compress2(z, &zn, raw, (uLong)n, 6) == Z_OK && zn * 4 <= (uLongf)n * 3) {
		nx_buf_addch(&out, (char)(form | SRC_DEFLATED));
		nx_buf_add(&out, v, nx_varint_put(v, (uint64_t)n));
		nx_buf_add(&out, z, zn);
	} else {
		nx_buf_addch(&out, (char)form);
		nx_buf_add(&out, raw, n);
	}
	if (!nx_buf_ok(&out)) {
		nx_buf_free(&out);
		rc = SQLITE_NOMEM;
		goto done;
	}
	nx_buf_free(&r->ids);
	r->ids = out;
done:
	free(m);
	free(z);
	return rc;
}

static void src_build_free(src_build *b)
{
	size_t i = 0;

	for (i = 0; i < b->n; i++) {
		free(b->s[i].source);
		nx_buf_free(&b->s[i].ids);
	}
	free(b->s);
	nx_strtab_free(&b->tab);
	memset(b, 0, sizeof(*b));
}

int nx_impact__put_src(sqlite3 *db)
{
	sqlite3_stmt *s = NULL, *ins = NULL;
	src_build b[NX_IMPACT_SRC_COLS];
	size_t i = 0;
	int rc = SQLITE_OK, step = SQLITE_DONE, c = 0;

	memset(b, 0, sizeof(b));
	/* one pass in rowid order: each value's rows come ascending */
	rc = sqlite3_prepare_v2(db, "SELECT id, source, lang FROM article ORDER BY id", -1, &s, NULL);
	if (rc == SQLITE_OK)
		rc = sqlite3_prepare_v2(db, "INSERT INTO impact_src(col, val, ids) VALUES (?1, ?2, ?3)", -1, &ins, NULL);
	while (rc == SQLITE_OK && (step = sqlite3_step(s)) == SQLITE_ROW)
		for (c = 0; c < NX_IMPACT_SRC_COLS && rc == SQLITE_OK; c++) {
			const char *v = (const char *)sqlite3_column_text(s, 1 + c);

			if (v != NULL &&
			    src_add(&b[c], v, (size_t)sqlite3_column_bytes(s, 1 + c), sqlite3_column_int64(s, 0)) < 0)
				rc = SQLITE_NOMEM;
		}
	if (rc == SQLITE_OK && step != SQLITE_DONE)
		rc = sqlite3_errcode(db);
	for (c = 0; c < NX_IMPACT_SRC_COLS; c++)
		for (i = 0; i < b[c].n && rc == SQLITE_OK; i++) {
			src_rows *r = &b[c].s[i];

			if ((rc = encode(r)) != SQLITE_OK)
				break;
			sqlite3_reset(ins);
			sqlite3_bind_text(ins, 1, src_cols[c], -1, SQLITE_STATIC);
			sqlite3_bind_text(ins, 2, r->source, -1, SQLITE_STATIC);
			sqlite3_bind_blob(ins, 3, r->ids.buf, (int)r->ids.len, SQLITE_STATIC);
			if (sqlite3_step(ins) != SQLITE_DONE)
				rc = sqlite3_errcode(db) != SQLITE_OK ? sqlite3_errcode(db) : SQLITE_ERROR;
		}
	/* made by this build */
	if (rc == SQLITE_OK)
		rc = sqlite3_exec(db, "INSERT OR REPLACE INTO impact_state(id, totals) VALUES (6, x'01')", NULL, NULL, NULL);
	sqlite3_finalize(s);
	sqlite3_finalize(ins);
	for (c = 0; c < NX_IMPACT_SRC_COLS; c++)
		src_build_free(&b[c]);
	return rc;
}

/*
 * The rows of one value (its stored form p..end, see encode) into *bits,
 * m's removed rows left out: 0, or -1.  Every row was at or below the
 * mark when stored: a row past it, or a bitmap or a size longer than the
 * mark's rows, is corrupt (and would have the bits grown without bound).
 */
static int src_rows_bits(const unsigned char *p, const unsigned char *end, const nx_impact_mark *m, uint64_t **bits,
			 size_t *cap)
{
	const uint64_t last = m->last > 0 ? (uint64_t)m->last : 0;
	unsigned char *raw = NULL;
	uint64_t v = 0, id = 0, n = 0;
	int form = 0, rc = 0;

	if (p >= end || (*p & ~(SRC_DEFLATED | 1)) != 0)
		return -1;
	form = *p & 1;
	if (*p++ & SRC_DEFLATED) {
		uLongf got = 0;

		/* (no more bytes than a varint a row, or the rows' bitmap) */
		if (!nx_varint_get(&p, end, &n) || n > 10 * (last + 1) || (raw = malloc(n ? n : 1)) == NULL)
			return -1;
		got = (uLongf)n;
		if (uncompress(raw, &got, p, (uLong)(end - p)) != Z_OK || got != n) {
			free(raw);
			return -1;
		}
		p = raw;
		end = raw + n;
	}
	/* the bits grown once to the mark's rows (nx_impact__bit_set sets that bit: cleared unless it was) */
	if ((last >> 6) >= *cap) {
		if (nx_impact__bit_set(bits, cap, (int64_t)last) < 0) {
			free(raw);
			return -1;
		}
		(*bits)[last >> 6] &= ~((uint64_t)1 << (last & 63));
	}
	if (form == SRC_BITMAP) {
		/* ORed in whole, the removed rows cleared */
		size_t nbytes = (size_t)(end - p), i = 0;

		if (nbytes > last / 8 + 1)
			rc = -1;
		for (i = 0; rc == 0 && i < nbytes; i++)
			(*bits)[i / 8] |= (uint64_t)p[i] << (8 * (i % 8));
		if (rc == 0)
			nx_impact__clear_gone(m, *bits, *cap);
	} else {
		uint64_t *b = *bits;

		while (rc == 0 && p < end) {
			if (p[0] < 0x80) {
				v = *p++;
			} else if (!nx_varint_get(&p, end, &v)) {
				rc = -1;
				break;
			}
			if (v > last - id) {
				rc = -1;
				break;
			}
			id += v;
			if (m->ngone == 0 || !nx_impact__gone(m, (int64_t)id))
				b[id >> 6] |= (uint64_t)1 << (id & 63);
		}
	}
	free(raw);
	return rc;
}

int nx_impact__src_bits(sqlite3 *db, int col, const char *like, uint64_t **bits, size_t *cap)
{
	/* (the language as the filter compares it, =; the outlet by LIKE) */
	static const char *const pick[NX_IMPACT_SRC_COLS][2] = {
		{ "SELECT ids FROM impact_src WHERE col = 'source' AND val LIKE ?1 ESCAPE '\\'",
		  "SELECT id FROM article WHERE id > ?1 AND source LIKE ?2 ESCAPE '\\'" },
		{ "SELECT ids FROM impact_src WHERE col = 'lang' AND val = ?1",
		  "SELECT id FROM article WHERE id > ?1 AND lang = ?2" },
	};
	sqlite3_stmt *s = NULL;
	nx_impact_mark m;
	int rc = 0, step = SQLITE_DONE;

	memset(&m, 0, sizeof(m));
	if (col < 0 || col >= NX_IMPACT_SRC_COLS)
		return 0;
	/* made by this build, for the index as it is or as it was before additions and removals */
	if (sqlite3_prepare_v2(db, "SELECT 1 FROM impact_state WHERE id = 6", -1, &s, NULL) != SQLITE_OK)
		return 0; /* no table: an older index, or a small one */
	step = sqlite3_step(s);
	sqlite3_finalize(s);
	s = NULL;
	if (step != SQLITE_ROW)
		return step == SQLITE_DONE ? 0 : -1;
	if ((rc = nx_impact__mark(db, &m)) != 1)
		goto done;
	if (sqlite3_prepare_v2(db, pick[col][0], -1, &s, NULL) != SQLITE_OK) {
		rc = 0;
		goto done;
	}
	sqlite3_bind_text(s, 1, like, -1, SQLITE_STATIC);
	while ((step = sqlite3_step(s)) == SQLITE_ROW) {
		const unsigned char *p = sqlite3_column_blob(s, 0);

		if (p != NULL && src_rows_bits(p, p + sqlite3_column_bytes(s, 0), &m, bits, cap) < 0) {
			rc = -1;
			goto done;
		}
	}
	sqlite3_finalize(s);
	s = NULL;
	if (step != SQLITE_DONE) {
		rc = -1;
		goto done;
	}
	/* the articles added since, by rowid (a few rows at the end) */
	if (m.added > 0) {
		if (sqlite3_prepare_v2(db, pick[col][1], -1, &s, NULL) != SQLITE_OK) {
			rc = -1;
			goto done;
		}
		sqlite3_bind_int64(s, 1, m.last);
		sqlite3_bind_text(s, 2, like, -1, SQLITE_STATIC);
		while ((step = sqlite3_step(s)) == SQLITE_ROW)
			if (nx_impact__bit_set(bits, cap, sqlite3_column_int64(s, 0)) < 0)
				break;
		if (step != SQLITE_DONE) {
			rc = -1;
			goto done;
		}
	}
	rc = 1;
done:
	sqlite3_finalize(s);
	nx_impact__mark_free(&m);
	return rc;
}

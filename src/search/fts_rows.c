/*
 * fts_rows.c - the rows of one token read straight from FTS5's leaf
 * pages: for the counts that need rowids alone, with each row's
 * instances by column for the lists read at once, and one row at a time
 * for the probes of a ranking (see fts_rows.h).
 *
 * A walk through FTS5's API (xQueryPhrase) is handed its rows one at a
 * time through FTS5's cursor and expression code: about 40 ns a row,
 * most of a verbose question's count at 10M articles.  A count needs
 * only the rowids, and in the index they are varint deltas, each
 * followed by the size of its row's positions.  This reader finds the
 * token in each segment (the segment's b-tree in fts_idx, then the terms
 * of the leaf it names) and follows its list of rows over the leaves,
 * skipping the positions.
 *
 * The layout is FTS5's file format, version 4, as the comment at the
 * head of SQLite's ext/fts5/fts5_index.c describes it:
 *
 *   - the structure record (fts_data id 10): a 4-byte cookie, varints
 *     for the levels, the segments and a write counter, then for each
 *     level its merge count and segments (id, first and last leaf);
 *   - a leaf page (fts_data id segid << 37 | page): two big-endian
 *     16-bit offsets (the first rowid when it precedes the first term,
 *     else 0; the start of the footer), the content, and a footer of
 *     the terms' offsets as varint deltas;
 *   - a term: its size and bytes (the first on a page), or the bytes it
 *     shares with the one before, the size of the rest and the rest;
 *   - a list of rows: the first rowid, then deltas, each followed by a
 *     varint of its positions' size times two plus a delete flag, and
 *     the positions; it runs over the next leaves, whose first rowid is
 *     written whole;
 *   - the positions (detail=full): varints, each an offset's distance
 *     from the one before plus 2, column 0 first; 1 starts another
 *     column, its number and its first offset plus 2 following.  A row's
 *     positions may run over leaves: they are gathered, then counted.
 * *   - a list over several leaves has a doclist index (fts_data id
 *     segid << 37 | 1 << 36 | height << 31 | leaf, its lowest level
 *     keyed by the token's leaf and on): a flags byte, a leaf, its first
 *     rowid, then for each next leaf the distance of its first rowid
 *     from the one before, 0 when it starts with none.  FTS5 steps
 *     through it from its start to find a row (about 25 us a row at 10M
 *     articles); a lookup here reads it once, then goes to the leaf by
 *     binary search (3-12 us), checking the leaf's header against it.
 *
 * Whatever this reader does not expect (another version, a second-
 * version structure record, a merge under way, a page that does not
 * parse; for positions, a table made with a detail option or a column
 * past its own) makes it give up, and the caller walks the token through
 * the API.
 *
 * Removals.  FTS5 removes a row by writing, in a new segment, the row
 * with the delete flag and no positions (a row removed and added again
 * in one transaction: the flag and the new positions).  The old entry
 * stays in its older segment until a merge meets the two.  So a row may
 * be in several segments, and FTS5 takes its newest entry: the segments
 * of level 0 first, the last of a level before the ones ahead of it,
 * then level 1, and so on (fts5MultiIterNew), the row present when that
 * entry has positions.  This reader goes through the segments in that
 * order and keeps the rows it met with the delete flag (r->del): an
 * older segment's entry of such a row is passed over.  Without the flag
 * FTS5 writes a row in one segment only (a merge keeps the flag on the
 * newest entry while an older one may remain), so the rows left are the
 * union of the segments'.
 */
#include "search/fts_rows.h"
#include "index/impact.h"
#include "search/topk_private.h"
#include "search/topk_rank_private.h"

#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#define STRUCTURE_ID 10
#define PAGE_BITS 37   /* a leaf's id: segid << 37 | page (height and flag 0) */
#define TERM_MAX 1024  /* the longest term compared; a longer one on the way: give up */

typedef struct seg {
	int64_t id, first, last;
} seg;

/*
 * What a read keeps: the statements, the key ('0' and the token), the
 * bitmap or the rows with their instances, the rows.
 */
typedef struct reader {
	sqlite3_stmt *idx, *page;
	unsigned char key[TERM_MAX];
	size_t nkey;
	uint64_t **w;
	size_t *nw;
	nx_fts_row_fn fn;   /* not NULL: each row goes to fn with its instances, not into the bitmap */
	nx_fts_pos_fn posfn; /* not NULL: each row of keep goes to posfn with its positions as they are */
	const uint64_t *keep;
	size_t nkeep;
	void *ud;
	int ncol;
	int64_t row;        /* the row whose positions are counted */
	uint64_t from;      /* fn's rows start here: those before go by, their positions skipped */
	int want;           /* the row whose positions run over leaves goes to fn */
	int leaves;         /* > 0: the most leaves a walk goes on to, past its first (then it gives up) */
	int32_t cnt[NX_FTS_ROWS_COLS], ext[NX_FTS_ROWS_COLS];
	unsigned char *pos; /* the positions of a row that runs over leaves, gathered */
	size_t npos, cappos;
	uint64_t last; /* the table's largest rowid: one past it is a page that does not parse */
	int64_t rows;
	uint64_t *del; /* the rows met with the delete flag (in newer segments), bit r of del[r / 64]; NULL: none */
	size_t ndel;
	int lookup;    /* a lookup of row from (nx_fts_seek_row) */
	int absent;    /* its newest entry had the delete flag and no positions: removed */
} reader;

/* Not SQLite codes: the reader gives up (the caller asks the API); a lookup found its row's place. */
enum { GIVE_UP = -1, STOP = -2 };

static atomic_size_t nread, ngave_up, ninst, nlookup; /* for the tests */

size_t nx_fts_rows__lookups(void)
{
	return atomic_load(&nlookup);
}

size_t nx_fts_rows__inst_reads(void)
{
	return atomic_load(&ninst);
}

void nx_fts_rows__counts(size_t *read, size_t *gave_up)
{
	*read = atomic_load(&nread);
	*gave_up = atomic_load(&ngave_up);
}

/* A varint (SQLite's) at a[*at], end the first byte not to read: 0, or -1 when it runs past end. */
static int varint(const unsigned char *a, size_t end, size_t *at, uint64_t *v)
{
	uint64_t x = 0;
	size_t i = *at;
	int k = 0;

	if (i < end && a[i] < 0x80) {
		*v = a[i];
		*at = i + 1;
		return 0;
	}
	for (k = 0; k < 8; k++) {
		if (i >= end)
			return -1;
		x = (x << 7) | (a[i] & 0x7f);
		if ((a[i++] & 0x80) == 0) {
			*v = x;
			*at = i;
			return 0;
		}
	}
	if (i >= end)
		return -1;
	*v = (x << 8) | a[i];
	*at = i + 1;
	return 0;
}

static size_t get16(const unsigned char *a)
{
	return ((size_t)a[0] << 8) | a[1];
}

/*
 * The segments of the structure record, in the order FTS5 takes a row's
 * entries (the newest first: level 0 first, each level's segments from
 * its last): SQLITE_OK, GIVE_UP, or an SQLite
 * code.  *st: its statement, on its row, which the caller finalizes when
 * done with the pages: while a statement is on a row the connection keeps
 * its read transaction, so that with none open by the caller (autocommit)
 * the pages are still those of the structure read, whatever a writer
 * commits meanwhile.
 */
static int read_segments(sqlite3 *db, int full, sqlite3_stmt **st, seg **out, size_t *nout)
{
	sqlite3_stmt *s = NULL;
	const unsigned char *a = NULL;
	uint64_t nlevel = 0, nseg = 0, v = 0, nmerge = 0, nl = 0, l = 0, j = 0;
	size_t n = 0, at = 4, k = 0;
	seg *sg = NULL;
	const char *sql = NULL;
	int rc = sqlite3_prepare_v2(db,
				    "SELECT (SELECT v FROM fts_config WHERE k = 'version'), block,"
				    " (SELECT sql FROM sqlite_schema WHERE type = 'table' AND name = 'fts')"
				    " FROM fts_data WHERE id = ?",
				    -1, &s, NULL);

	*out = NULL;
	*nout = 0;
	if (rc != SQLITE_OK)
		return rc;
	sqlite3_bind_int(s, 1, STRUCTURE_ID);
	*st = s;
	if ((rc = sqlite3_step(s)) != SQLITE_ROW)
		return rc == SQLITE_DONE ? GIVE_UP : rc;
	rc = GIVE_UP;
	a = sqlite3_column_blob(s, 1);
	n = (size_t)sqlite3_column_bytes(s, 1);
	/* version 4 only; a second-version record (contentless deletes) starts 0xFF after the cookie */
	if (sqlite3_column_int(s, 0) != 4 || a == NULL || n < 5 || a[4] == 0xFF)
		goto done;
	/* positions are read as detail=full writes them: a table made with any detail option is left to the API */
	sql = (const char *)sqlite3_column_text(s, 2);
	if (full && (sql == NULL || strstr(sql, "detail") != NULL || strstr(sql, "DETAIL") != NULL))
		goto done;
	if (varint(a, n, &at, &nlevel) || varint(a, n, &at, &nseg) || varint(a, n, &at, &v) || nlevel > 64 ||
	    nseg > 65536)
		goto done;
	if ((sg = calloc(nseg ? nseg : 1, sizeof(*sg))) == NULL) {
		rc = SQLITE_NOMEM;
		goto done;
	}
	for (l = 0; l < nlevel; l++) {
		if (varint(a, n, &at, &nmerge) || varint(a, n, &at, &nl) || nmerge != 0 || nl > nseg - k)
			goto done;
		/* a level's segments newest first: the last written is the last of the record's */
		for (j = 0; j < nl; j++) {
			uint64_t id = 0, first = 0, last = 0;
			seg *g = &sg[k + nl - 1 - j];

			if (varint(a, n, &at, &id) || varint(a, n, &at, &first) || varint(a, n, &at, &last) ||
			    id == 0 || id > 65535 || first == 0 || last < first || last >= ((uint64_t)1 << 31))
				goto done;
			g->id = (int64_t)id;
			g->first = (int64_t)first;
			g->last = (int64_t)last;
		}
		k += nl;
	}
	if (k != nseg)
		goto done;
	*out = sg;
	*nout = k;
	sg = NULL;
	rc = SQLITE_OK;
done:
	free(sg);
	return rc;
}

/*
 * The positions a[0..n) of r's row counted into its columns, as FTS5
 * writes them with detail=full: varints, each an offset's distance from
 * the one before plus 2; 1 starts another column, its number and its
 * first offset plus 2 following.  Then the row goes to r->fn: its code,
 * or GIVE_UP on what FTS5 would not write (a 0, a column past the
 * table's, an offset of 31 bits).
 */
static int count_positions(reader *r, const unsigned char *a, size_t n)
{
	int32_t *cnt = r->cnt, *ext = r->ext;
	uint64_t col = 0, off = 0, v = 0;
	size_t i = 0;

	if (r->posfn != NULL)
		return r->posfn(r->ud, r->row, a, n);
	memset(cnt, 0, sizeof(r->cnt));
	memset(ext, 0, sizeof(r->ext));
	while (i < n) {
		if (varint(a, n, &i, &v) || v == 0)
			return GIVE_UP;
		if (v == 1) {
			if (varint(a, n, &i, &col) || col >= (uint64_t)r->ncol || varint(a, n, &i, &v) || v < 2)
				return GIVE_UP;
			off = v - 2;
		} else {
			off += v - 2;
		}
		if (off >= 0x7FFFFFFF)
			return GIVE_UP;
		cnt[col]++;
		if ((int32_t)off + 1 > ext[col])
			ext[col] = (int32_t)off + 1;
	}
	return r->fn(r->ud, r->row, cnt, ext);
}

/* The most bytes of one row's positions gathered (a size past it: the API reads the list). */
#define GATHER_MAX ((size_t)64 << 20)

/* n more bytes of the positions of a row that runs over leaves: SQLITE_OK, GIVE_UP, or SQLITE_NOMEM. */
static int gather(reader *r, const unsigned char *a, size_t n)
{
	if (n == 0)
		return SQLITE_OK; /* (a row's positions start on the next leaf) */
	if (n > GATHER_MAX - r->npos)
		return GIVE_UP;
	if (r->npos + n > r->cappos) {
		size_t cap = r->cappos ? r->cappos : 256;
		unsigned char *p = NULL;

		while (cap < r->npos + n)
			cap *= 2;
		if ((p = realloc(r->pos, cap)) == NULL)
			return SQLITE_NOMEM;
		r->pos = p;
		r->cappos = cap;
	}
	memcpy(r->pos + r->npos, a, n);
	r->npos += n;
	return SQLITE_OK;
}

/* Row rowid marked (or appended, with instances): SQLITE_OK, or an SQLite code. */
static int mark(reader *r, uint64_t rowid)
{
	size_t at = 0;
	int rc = SQLITE_OK;

	if (rowid > r->last)
		return GIVE_UP;
	r->rows++;
	if (r->fn != NULL || r->posfn != NULL) {
		r->row = (int64_t)rowid; /* to fn once its positions are counted */
		return SQLITE_OK;
	}
	if (rowid >= (uint64_t)NX_COUNT_MAX_ROWID)
		return SQLITE_RANGE;
	at = (size_t)(rowid >> 6);
	if (at >= *r->nw && (rc = nx_topk__bits_room(r->w, r->nw, at)) != SQLITE_OK)
		return rc;
	(*r->w)[at] |= (uint64_t)1 << (rowid & 63);
	return SQLITE_OK;
}

/*
 * Row rowid met with the delete flag, its entry the newest of the row
 * unless shadowed: kept for the older segments; for a lookup, the answer
 * when it is the row looked up and has no positions (STOP with
 * r->absent: removed).  SQLITE_OK, STOP, GIVE_UP (a rowid past the
 * bitmaps), or SQLITE_NOMEM.
 */
static int note_del(reader *r, uint64_t rowid, int shadowed, int empty)
{
	size_t at = (size_t)(rowid >> 6);
	int rc = SQLITE_OK;

	if (r->lookup) {
		if (rowid != r->from || !empty)
			return SQLITE_OK; /* (removed and added again: the entry's positions are the row's) */
		r->absent = 1;
		return STOP;
	}
	if (shadowed)
		return SQLITE_OK;
	if (rowid >= (uint64_t)NX_COUNT_MAX_ROWID)
		return GIVE_UP;
	if (at >= r->ndel && (rc = nx_topk__bits_room(&r->del, &r->ndel, at)) != SQLITE_OK)
		return rc;
	r->del[at] |= (uint64_t)1 << (rowid & 63);
	return SQLITE_OK;
}

/*
 * The rows between a[*at] and end (a page's part of the list), rowid
 * the last one read (first: the next is written whole); *more: the
 * bytes of the last row's positions past end (on the next pages).
 */
static int rows_on(reader *r, const unsigned char *a, size_t end, size_t *at, uint64_t *rowid, int first,
		   size_t *more)
{
	size_t i = *at;
	uint64_t v = 0, h = 0;
	int rc = SQLITE_OK;

	*more = 0;
	while (i < end) {
		int shadowed = 0;

		if (varint(a, end, &i, &v) || (!first && v == 0) || varint(a, end, &i, &h))
			return GIVE_UP; /* a rowid or size cut, or a row twice */
		*rowid = first ? v : *rowid + v;
		first = 0;
		/* a row a newer segment had with the delete flag is that entry's; an entry without positions is no row */
		shadowed = r->del != NULL && (*rowid >> 6) < r->ndel && (r->del[*rowid >> 6] >> (*rowid & 63) & 1);
		if ((h & 1) && (rc = note_del(r, *rowid, shadowed, h < 2)) != SQLITE_OK)
			return rc;
		h >>= 1;
		if (shadowed || h == 0) {
			r->want = 0;
			if (h > end - i) {
				*more = (size_t)(h - (end - i));
				i = end;
				break;
			}
			i += (size_t)h;
			continue;
		}
		if ((rc = mark(r, *rowid)) != SQLITE_OK)
			return rc;
		r->want = (r->fn != NULL && *rowid >= r->from) ||
			  (r->posfn != NULL && (*rowid >> 6) < r->nkeep && (r->keep[*rowid >> 6] >> (*rowid & 63) & 1));
		if (h > end - i) {
			*more = (size_t)(h - (end - i));
			r->npos = 0;
			if (r->want && (rc = gather(r, a + i, end - i)) != SQLITE_OK)
				return rc;
			i = end;
			break;
		}
		if (r->want && (rc = count_positions(r, a + i, (size_t)h)) != SQLITE_OK)
			return rc;
		i += (size_t)h;
	}
	*at = i;
	return SQLITE_OK;
}

/* A leaf's header: its footer's start and its first term's offset (0: none); 0, or -1 when it does not parse. */
static int leaf_head(const unsigned char *a, size_t n, size_t *szleaf, size_t *term)
{
	size_t at = 0;
	uint64_t v = 0;

	if (a == NULL || n < 4 || (*szleaf = get16(a + 2)) < 4 || *szleaf > n)
		return -1;
	*term = 0;
	at = *szleaf;
	if (at < n) {
		if (varint(a, n, &at, &v) || v < 4 || v >= *szleaf)
			return -1;
		*term = (size_t)v;
	}
	return 0;
}

/*
 * On leaf a (n bytes), the token's list: 1 with [*start, *end) its part
 * here (*end the footer's start when the list may go on), 0 when the
 * leaf does not hold the token, GIVE_UP when it does not parse.
 */
static int find_term(const reader *r, const unsigned char *a, size_t n, size_t szleaf, size_t *start, size_t *end)
{
	unsigned char term[TERM_MAX];
	size_t foot = szleaf, t = 0, nterm = 0;
	uint64_t d = 0, keep = 0, nnew = 0;
	int first = 1, c = 0;

	while (foot < n) {
		size_t at = 0;

		if (varint(a, n, &foot, &d) || d == 0 || d > szleaf || (t += (size_t)d) >= szleaf)
			return GIVE_UP;
		at = t;
		keep = 0;
		if ((!first && varint(a, szleaf, &at, &keep)) || varint(a, szleaf, &at, &nnew) || keep > nterm ||
		    nnew > TERM_MAX - keep || nnew > szleaf - at)
			return GIVE_UP;
		memcpy(term + keep, a + at, (size_t)nnew);
		nterm = (size_t)(keep + nnew);
		at += (size_t)nnew;
		first = 0;
		c = memcmp(term, r->key, nterm < r->nkey ? nterm : r->nkey);
		if (c == 0)
			c = nterm < r->nkey ? -1 : nterm > r->nkey;
		if (c > 0)
			return 0;
		if (c == 0) {
			*start = at;
			*end = szleaf;
			/* the next term, if any, ends the list on this leaf */
			if (foot < n) {
				size_t f = foot;

				if (varint(a, n, &f, &d) || d == 0 || t + d >= szleaf)
					return GIVE_UP;
				*end = t + (size_t)d;
			}
			return 1;
		}
	}
	return 0;
}

/* The next leaf of the page statement, which must be id: SQLITE_ROW with it, SQLITE_DONE, GIVE_UP or an SQLite code. */
static int next_leaf(reader *r, int64_t id, const unsigned char **a, size_t *n)
{
	int rc = sqlite3_step(r->page);

	if (rc != SQLITE_ROW)
		return rc;
	if (sqlite3_column_int64(r->page, 0) != id)
		return GIVE_UP;
	*a = sqlite3_column_blob(r->page, 1);
	*n = (size_t)sqlite3_column_bytes(r->page, 1);
	return SQLITE_ROW;
}

/*
 * The token's leaf in segment g: SQLITE_OK with *found 1, the leaf's
 * bytes in *a (n), its header and the list's part there [*at, *end), the
 * page statement on it, or *found 0 when the segment does not hold the
 * token; GIVE_UP, or an SQLite code.
 */
static int find_list(reader *r, const seg *g, int *found, int64_t *pg, const unsigned char **a, size_t *n,
		     size_t *szleaf, size_t *at, size_t *end)
{
	int64_t base = g->id << PAGE_BITS;
	size_t term = 0;
	int rc = SQLITE_OK;

	*found = 0;
	sqlite3_reset(r->idx);
	sqlite3_bind_int64(r->idx, 1, g->id);
	sqlite3_bind_blob(r->idx, 2, r->key, (int)r->nkey, SQLITE_STATIC);
	if ((rc = sqlite3_step(r->idx)) != SQLITE_ROW)
		return rc == SQLITE_DONE ? SQLITE_OK : rc; /* before the segment's first term */
	*pg = sqlite3_column_int64(r->idx, 0) >> 1;
	if (*pg < g->first || *pg > g->last)
		return GIVE_UP;
	sqlite3_reset(r->page);
	sqlite3_bind_int64(r->page, 1, base + *pg);
	sqlite3_bind_int64(r->page, 2, base + g->last);
	if ((rc = next_leaf(r, base + *pg, a, n)) != SQLITE_ROW)
		return rc == SQLITE_DONE ? GIVE_UP : rc;
	if (leaf_head(*a, *n, szleaf, &term) || term == 0)
		return GIVE_UP;
	if ((rc = find_term(r, *a, *n, *szleaf, at, end)) < 0)
		return rc;
	*found = rc;
	return SQLITE_OK;
}

/*
 * The list from [at, end) of leaf pg (a: its bytes, szleaf its footer's
 * start; the page statement on it), a row written whole at at, over the
 * next leaves to its end: SQLITE_OK, STOP (r->fn stopped it), GIVE_UP, or
 * an SQLite code.
 */
static int walk_list(reader *r, const seg *g, int64_t pg, const unsigned char *a, size_t szleaf, size_t at,
		     size_t end)
{
	size_t n = 0, term = 0, more = 0;
	uint64_t rowid = 0;
	int64_t base = g->id << PAGE_BITS;
	int rc = SQLITE_OK;

	if ((rc = rows_on(r, a, end, &at, &rowid, 1, &more)) != SQLITE_OK)
		return rc;
	/* the list goes on over the next leaves while it ran to the footer */
	while (end == szleaf && pg < g->last) {
		if (r->leaves > 0 && --r->leaves == 0)
			return GIVE_UP;
		pg++;
		if ((rc = next_leaf(r, base + pg, &a, &n)) != SQLITE_ROW)
			return rc == SQLITE_DONE ? GIVE_UP : rc;
		if (leaf_head(a, n, &szleaf, &term))
			return GIVE_UP;
		end = term ? term : szleaf; /* a term on the leaf ends the list there */
		if (more > 0) { /* the last row's positions first */
			if (more > end - 4) {
				if (term)
					return GIVE_UP;
				if (r->want && (rc = gather(r, a + 4, end - 4)) != SQLITE_OK)
					return rc;
				more -= end - 4;
				continue;
			}
			if (r->want && ((rc = gather(r, a + 4, more)) != SQLITE_OK ||
					(rc = count_positions(r, r->pos, r->npos)) != SQLITE_OK))
				return rc;
			at = 4 + more;
			more = 0;
		} else {
			at = 4;
		}
		if (at == end)
			continue; /* nothing more of the list here */
		if (get16(a) != at)
			return GIVE_UP;
		if ((rc = rows_on(r, a, end, &at, &rowid, 1, &more)) != SQLITE_OK)
			return rc;
		if (more > 0 && term)
			return GIVE_UP;
	}
	return more > 0 ? GIVE_UP : SQLITE_OK;
}

/* The token's rows in segment g: SQLITE_OK, GIVE_UP, or an SQLite code. */
static int read_segment(reader *r, const seg *g)
{
	const unsigned char *a = NULL;
	size_t n = 0, szleaf = 0, at = 0, end = 0;
	int64_t pg = 0;
	int found = 0, rc = find_list(r, g, &found, &pg, &a, &n, &szleaf, &at, &end);

	return rc != SQLITE_OK || !found ? rc : walk_list(r, g, pg, a, szleaf, at, end);
}

/* The token's rows into r (its bitmap or its instances set): SQLITE_OK, GIVE_UP, or an SQLite code. */
static int read_token(sqlite3 *db, reader *r, const char *tok, size_t len)
{
	sqlite3_stmt *structure = NULL;
	seg *sg = NULL;
	size_t ns = 0, i = 0;
	int rc = SQLITE_OK;

	/* a write transaction's rows may still be in FTS5's memory, not on its pages */
	if (len == 0 || len + 1 > sizeof(r->key) || sqlite3_txn_state(db, "main") == SQLITE_TXN_WRITE)
		return GIVE_UP;
	r->key[0] = '0'; /* the main index's terms (prefix indexes have others) */
	memcpy(r->key + 1, tok, len);
	r->nkey = len + 1;
	if ((rc = read_segments(db, r->fn != NULL || r->posfn != NULL, &structure, &sg, &ns)) != SQLITE_OK)
		goto done;
	r->last = (uint64_t)nx_topk__last_rowid(db); /* (in the structure's snapshot) */
	if ((rc = sqlite3_prepare_v2(db,
				     "SELECT pgno FROM fts_idx WHERE segid = ?1 AND term <= ?2 ORDER BY term DESC LIMIT 1",
				     -1, &r->idx, NULL)) != SQLITE_OK ||
	    (rc = sqlite3_prepare_v2(db, "SELECT id, block FROM fts_data WHERE id BETWEEN ?1 AND ?2", -1, &r->page,
				     NULL)) != SQLITE_OK)
		goto done;
	for (i = 0; i < ns && rc == SQLITE_OK; i++)
		rc = read_segment(r, &sg[i]);
done:
	free(r->del);
	r->del = NULL;
	r->ndel = 0;
	sqlite3_finalize(r->idx);
	sqlite3_finalize(r->page);
	sqlite3_finalize(structure);
	free(sg);
	atomic_fetch_add(rc == SQLITE_OK ? &nread : &ngave_up, 1);
	return rc;
}

int nx_fts_rows(sqlite3 *db, const char *tok, size_t len, uint64_t **w, size_t *nw, int64_t *rows)
{
	reader r;
	int rc = SQLITE_OK;

	memset(&r, 0, sizeof(r));
	r.w = w;
	r.nw = nw;
	rc = read_token(db, &r, tok, len);
	*rows = rc == SQLITE_OK ? r.rows : -1;
	return rc == GIVE_UP ? SQLITE_OK : rc;
}

int nx_fts_rows_each(sqlite3 *db, const char *tok, size_t len, int ncol, nx_fts_row_fn fn, void *ud,
		     int64_t *rows)
{
	reader r;
	int rc = SQLITE_OK;

	*rows = -1;
	if (ncol < 1 || ncol > NX_FTS_ROWS_COLS || fn == NULL)
		return SQLITE_MISUSE;
	memset(&r, 0, sizeof(r));
	r.fn = fn;
	r.ud = ud;
	r.ncol = ncol;
	rc = read_token(db, &r, tok, len);
	free(r.pos);
	if (rc == SQLITE_OK) {
		*rows = r.rows;
		atomic_fetch_add(&ninst, 1);
	}
	return rc == GIVE_UP ? SQLITE_OK : rc;
}

int nx_fts_rows_pos(sqlite3 *db, const char *tok, size_t len, const uint64_t *keep, size_t nkeep, nx_fts_pos_fn fn,
		    void *ud, int64_t *rows)
{
	reader r;
	int rc = SQLITE_OK;

	*rows = -1;
	if (fn == NULL)
		return SQLITE_MISUSE;
	memset(&r, 0, sizeof(r));
	r.posfn = fn;
	r.keep = keep;
	r.nkeep = keep != NULL ? nkeep : 0;
	r.ud = ud;
	r.ncol = NX_FTS_ROWS_COLS;
	rc = read_token(db, &r, tok, len);
	free(r.pos);
	if (rc == SQLITE_OK)
		*rows = r.rows;
	return rc == GIVE_UP ? SQLITE_OK : rc;
}

/* -- lookups of single rows -- */

#define DLIDX_BIT ((int64_t)1 << 36) /* a doclist index's record: segid << 37 | 1 << 36 | height << 31 | leaf */
#define SEEK_LEAVES 16               /* a lookup walks on this many leaves at most (a list's doclist index
					missing, or a row's positions long) */

/* The token's list in one segment. */
typedef struct seek_seg {
	seg g;
	int64_t pg;     /* the token's leaf; 0: the segment does not hold the token */
	size_t at, end; /* its list there */
	uint64_t first; /* its first row */
	int64_t *lpg;   /* the leaves after pg that start with a row (its doclist index), ascending */
	uint64_t *lrow; /* and that row */
	size_t nl;
} seek_seg;

struct nx_fts_seek {
	reader r;
	sqlite3_stmt *structure;
	seek_seg *sg;
	size_t ns;
	int found;
	int32_t cnt[NX_FTS_ROWS_COLS], ext[NX_FTS_ROWS_COLS];
};

/* r->fn of a lookup: the first row at or past the one looked up says whether the list holds it. */
static int seek_hit(void *ud, int64_t rowid, const int32_t *cnt, const int32_t *ext)
{
	nx_fts_seek *s = ud;

	if ((uint64_t)rowid == s->r.from) {
		s->found = 1;
		memcpy(s->cnt, cnt, sizeof(s->cnt));
		memcpy(s->ext, ext, sizeof(s->ext));
	}
	return STOP;
}

static int seek_push(seek_seg *q, size_t *cap, int64_t pg, uint64_t row)
{
	if (q->nl == *cap) {
		size_t ncap = *cap ? *cap * 2 : 64;
		int64_t *p = realloc(q->lpg, ncap * sizeof(*p));
		uint64_t *w = NULL;

		if (p == NULL)
			return SQLITE_NOMEM;
		q->lpg = p;
		if ((w = realloc(q->lrow, ncap * sizeof(*w))) == NULL)
			return SQLITE_NOMEM;
		q->lrow = w;
		*cap = ncap;
	}
	q->lpg[q->nl] = pg;
	q->lrow[q->nl++] = row;
	return SQLITE_OK;
}

/*
 * The leaves of q's list and their first rows from its doclist index
 * (FTS5 writes one for a list over several leaves): the records of its
 * lowest level, keyed by the token's leaf and on, each a flags byte, a
 * leaf, its first row, then for each next leaf the distance of its first
 * row from the last, or 0 when it starts with none.  What does not read
 * as expected ends the index there (a lookup past it walks on from its
 * last leaf, and each leaf it starts on is checked against its header).
 */
static int seek_index(nx_fts_seek *s, seek_seg *q)
{
	int64_t base = (q->g.id << PAGE_BITS) | DLIDX_BIT, want = base + q->pg, next = -1;
	uint64_t last = q->first;
	size_t cap = 0;
	int rc = SQLITE_OK;

	sqlite3_reset(s->r.page);
	sqlite3_bind_int64(s->r.page, 1, want);
	sqlite3_bind_int64(s->r.page, 2, base + q->g.last);
	while ((rc = sqlite3_step(s->r.page)) == SQLITE_ROW && sqlite3_column_int64(s->r.page, 0) == want) {
		const unsigned char *a = sqlite3_column_blob(s->r.page, 1);
		size_t n = (size_t)sqlite3_column_bytes(s->r.page, 1), at = 1;
		uint64_t leaf = 0, row = 0, d = 0;

		if (a == NULL || n < 1 || (a[0] & 0xFE) != 0 || varint(a, n, &at, &leaf) || varint(a, n, &at, &row) ||
		    (next >= 0 && leaf != (uint64_t)next) || leaf <= (uint64_t)q->pg || leaf > (uint64_t)q->g.last ||
		    row <= last)
			break;
		if ((rc = seek_push(q, &cap, (int64_t)leaf, row)) != SQLITE_OK)
			return rc;
		last = row;
		while (at < n) {
			if (varint(a, n, &at, &d) || ++leaf > (uint64_t)q->g.last || (d > 0 && row + d <= row))
				return SQLITE_OK; /* (the index read so far stands) */
			if (d == 0)
				continue; /* a leaf of a row's positions alone */
			row += d;
			if ((rc = seek_push(q, &cap, (int64_t)leaf, row)) != SQLITE_OK)
				return rc;
			last = row;
		}
		next = (int64_t)leaf + 1;
		want++;
	}
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? SQLITE_OK : rc;
}

void nx_fts_seek_free(nx_fts_seek *s)
{
	size_t i = 0;

	if (s == NULL)
		return;
	for (i = 0; i < s->ns; i++) {
		free(s->sg[i].lpg);
		free(s->sg[i].lrow);
	}
	free(s->sg);
	free(s->r.pos);
	sqlite3_finalize(s->r.idx);
	sqlite3_finalize(s->r.page);
	sqlite3_finalize(s->structure);
	free(s);
}

int nx_fts_seek_open(sqlite3 *db, const char *tok, size_t len, int ncol, nx_fts_seek **out)
{
	nx_fts_seek *s = NULL;
	seg *sg = NULL;
	size_t i = 0;
	int rc = SQLITE_OK;

	*out = NULL;
	if (ncol < 1 || ncol > NX_FTS_ROWS_COLS)
		return SQLITE_MISUSE;
	if (len == 0 || len + 1 > sizeof(s->r.key) || sqlite3_txn_state(db, "main") == SQLITE_TXN_WRITE)
		return SQLITE_OK;
	if ((s = calloc(1, sizeof(*s))) == NULL)
		return SQLITE_NOMEM;
	s->r.key[0] = '0';
	memcpy(s->r.key + 1, tok, len);
	s->r.nkey = len + 1;
	s->r.fn = seek_hit;
	s->r.lookup = 1;
	s->r.ud = s;
	s->r.ncol = ncol;
	/* the structure's statement stays on its row: every lookup reads this snapshot */
	if ((rc = read_segments(db, 1, &s->structure, &sg, &s->ns)) != SQLITE_OK)
		goto done;
	s->r.last = (uint64_t)nx_topk__last_rowid(db);
	if ((s->sg = calloc(s->ns ? s->ns : 1, sizeof(*s->sg))) == NULL) {
		rc = SQLITE_NOMEM;
		goto done;
	}
	if ((rc = sqlite3_prepare_v2(db,
				     "SELECT pgno FROM fts_idx WHERE segid = ?1 AND term <= ?2 ORDER BY term DESC LIMIT 1",
				     -1, &s->r.idx, NULL)) != SQLITE_OK ||
	    (rc = sqlite3_prepare_v2(db, "SELECT id, block FROM fts_data WHERE id BETWEEN ?1 AND ?2", -1, &s->r.page,
				     NULL)) != SQLITE_OK)
		goto done;
	for (i = 0; i < s->ns && rc == SQLITE_OK; i++) {
		seek_seg *q = &s->sg[i];
		const unsigned char *a = NULL;
		size_t n = 0, szleaf = 0, at = 0;
		int found = 0;

		q->g = sg[i];
		if ((rc = find_list(&s->r, &q->g, &found, &q->pg, &a, &n, &szleaf, &q->at, &q->end)) != SQLITE_OK)
			break;
		if (!found) {
			q->pg = 0;
			continue;
		}
		at = q->at;
		if (varint(a, q->end, &at, &q->first)) {
			rc = GIVE_UP;
			break;
		}
		if (q->end == szleaf && (rc = seek_index(s, q)) != SQLITE_OK)
			break;
	}
done:
	free(sg);
	if (rc != SQLITE_OK) {
		nx_fts_seek_free(s);
		return rc == GIVE_UP ? SQLITE_OK : rc;
	}
	*out = s;
	return SQLITE_OK;
}

int nx_fts_seek_marks(const nx_fts_seek *s, int64_t **out, size_t *n)
{
	size_t i = 0, j = 0, m = 0, l = 0;
	int64_t *v = NULL;

	*out = NULL;
	*n = 0;
	for (i = 0; i < s->ns; i++)
		if (s->sg[i].pg != 0)
			m += 1 + s->sg[i].nl;
	if (m == 0)
		return SQLITE_OK;
	if ((v = malloc(m * sizeof(*v))) == NULL)
		return SQLITE_NOMEM;
	for (i = 0; i < s->ns; i++) {
		const seek_seg *q = &s->sg[i];

		if (q->pg == 0)
			continue;
		v[j++] = (int64_t)q->first;
		for (l = 0; l < q->nl; l++)
			v[j++] = (int64_t)q->lrow[l];
	}
	qsort(v, m, sizeof(*v), cmp_rowids);
	*out = v;
	*n = m;
	return SQLITE_OK;
}

/* Where a lookup of rowid in q starts: leaf *pg (its bytes read, *a), a row written whole at *at; GIVE_UP, or a code. */
static int seek_start(nx_fts_seek *s, const seek_seg *q, uint64_t rowid, int64_t *pg, const unsigned char **a,
		      size_t *szleaf, size_t *at, size_t *end)
{
	int64_t base = q->g.id << PAGE_BITS;
	size_t lo = 0, hi = q->nl, n = 0, term = 0, i = 0;
	uint64_t v = 0;
	int rc = SQLITE_OK;

	while (lo < hi) { /* the last leaf starting at or before rowid */
		size_t mid = lo + (hi - lo) / 2;

		if (q->lrow[mid] <= rowid)
			lo = mid + 1;
		else
			hi = mid;
	}
	*pg = lo > 0 ? q->lpg[lo - 1] : q->pg;
	sqlite3_reset(s->r.page);
	sqlite3_bind_int64(s->r.page, 1, base + *pg);
	sqlite3_bind_int64(s->r.page, 2, base + q->g.last);
	if ((rc = next_leaf(&s->r, base + *pg, a, &n)) != SQLITE_ROW)
		return rc == SQLITE_DONE ? GIVE_UP : rc;
	if (leaf_head(*a, n, szleaf, &term))
		return GIVE_UP;
	if (lo == 0) { /* the token's leaf */
		*at = q->at;
		*end = q->end;
		return q->end <= *szleaf ? SQLITE_OK : GIVE_UP;
	}
	/* a leaf of the index: its header's first row must be the index's */
	*at = get16(*a);
	*end = term ? term : *szleaf;
	i = *at;
	if (*at < 4 || *at >= *end || varint(*a, *end, &i, &v) || v != q->lrow[lo - 1])
		return GIVE_UP;
	return SQLITE_OK;
}

int nx_fts_seek_row(nx_fts_seek *s, int64_t rowid, int *found, int32_t *cnt, int32_t *ext)
{
	size_t i = 0;
	int rc = SQLITE_OK;

	*found = 0;
	for (i = 0; i < s->ns; i++) {
		const seek_seg *q = &s->sg[i];
		const unsigned char *a = NULL;
		size_t szleaf = 0, at = 0, end = 0;
		int64_t pg = 0;

		if (q->pg == 0 || rowid < 0 || (uint64_t)rowid < q->first)
			continue;
		if ((rc = seek_start(s, q, (uint64_t)rowid, &pg, &a, &szleaf, &at, &end)) == SQLITE_OK) {
			s->found = 0;
			s->r.absent = 0;
			s->r.from = (uint64_t)rowid;
			s->r.leaves = SEEK_LEAVES;
			s->r.npos = 0;
			rc = walk_list(&s->r, &q->g, pg, a, szleaf, at, end);
		}
		if (rc == STOP && s->r.absent)
			return SQLITE_OK; /* its newest entry: removed */
		if (rc == STOP && s->found) {
			atomic_fetch_add(&nlookup, 1);
			memcpy(cnt, s->cnt, (size_t)s->r.ncol * sizeof(*cnt));
			memcpy(ext, s->ext, (size_t)s->r.ncol * sizeof(*ext));
			*found = 1;
			return SQLITE_OK;
		}
		if (rc == GIVE_UP) {
			*found = -1;
			return SQLITE_OK;
		}
		if (rc != STOP && rc != SQLITE_OK)
			return rc;
	}
	return SQLITE_OK;
}

int nx_fts_pos_next(const unsigned char **p, const unsigned char *end, uint64_t *col, uint64_t *off)
{
	uint64_t v = 0;
	int k = 0;

	if (*p >= end)
		return 0;
	if ((k = nx_impact__sqlite_varint(*p, end, &v)) == 0 || v == 0)
		return -1;
	*p += k;
	if (v == 1) {
		if ((k = nx_impact__sqlite_varint(*p, end, col)) == 0 || *col > 0xFFFF)
			return -1;
		*p += k;
		if ((k = nx_impact__sqlite_varint(*p, end, &v)) == 0 || v < 2)
			return -1;
		*p += k;
		*off = v - 2;
	} else {
		*off += v - 2;
	}
	return *off < 0x7FFFFFFF ? 1 : -1;
}

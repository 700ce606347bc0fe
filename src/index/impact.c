/*
 * impact.c - the tables of impact lists (see impact.h).
 *
 * impact(expr, df, hits): for the full-text expression of one word (as
 * the query compiler writes it), the rows it matches and its best
 * NX_IMPACT_ROWS rows, best first, each as its rowid (a varint) and its
 * score (8 bytes, the double's bits little-endian), after their count;
 * or, when another word's list is the same bytes (year, years: one stem),
 * no bytes and twin, that word's expression.
 * impact_state holds one row, id 1 (the version of this layout: another
 * id is ignored), with the full-text table's totals record (fts_data id 1:
 * the number of rows and of tokens in each column) when the lists were
 * made.  A list is used as it is while that record is the same.  Row id
 * 4 (the mark) holds the largest rowid of the full-text table then (8
 * bytes little-endian) and the same record: articles added since take
 * rowids above it, and a list then stands for the rows at or below it
 * (search/impact_fresh.c scores the others) as long as the totals now
 * are those then plus the rows' above it (nx_impact__mark); row 5 holds
 * the same rowid as an integer, for the triggers.  Removing or replacing
 * an article (a DELETE or UPDATE of table article, by this program or
 * another) empties rows 1-3 through the triggers, since a replacement can
 * keep the totals.  Replacing one at or below the mark (or with no mark)
 * empties rows 4 and 5 too; removing one at or below the mark records its
 * rowid r as row -r (the removals since: nx_impact__mark gives them, the
 * readers leave them out of the lists, sets and buckets and their counts).
 * An article added with such a rowid (a removed last row's rowid given
 * again) is a row at or below the mark that is neither one made then nor
 * a removed one: the rows now outnumber those then less the removed plus
 * those above the mark, and nx_impact__mark sets the lists aside (no
 * trigger on additions: an older program's build would leave it behind).
 * An article added since and removed or replaced leaves the mark as it
 * is: the rows above it are read as they are now.  More removals than
 * nx_impact__gone_limit (every search reads them all) set the lists aside
 * too, until the next build.
 *
 * impact_set(expr, nbits, bits, maxes): for the words of a list in an
 * eighth of the rows or more, the set of the rows they match, a bitmap of
 * nbits bits (bit r of byte r / 8 for rowid r) deflated by zlib, and a
 * bound of the word's score in each block of 64 rowids (those of one
 * 64-bit word of the bitmap): a step (a double, 8 bytes little-endian, the
 * best score over 65000), then per block q (2 bytes little-endian), the
 * least with q * step no less than the block's best score;
 * none for a twin (its twin's set is the same).  The sets stand beside the lists under row
 * id 2 of impact_state: a build of an older program empties impact_state
 * and seals id 1 alone, leaving sets it did not make set aside.
 *
 * impact_pub(b, ids): the articles by published time, in buckets of
 * 2^NX_IMPACT_PUB_SHIFT seconds (about 24 days; bucket b holds the times
 * t with floor(t / 2^21) = b), each bucket's rowids ascending as varints
 * of their differences (the first: the rowid itself).  A search in a range
 * of published days reads the whole buckets inside it from here and only
 * the edges from the index on published: a decade of a million articles
 * is a few hundred thousand varints instead of as many steps of an index.
 * Made with the lists and valid under row id 3 of impact_state, which an
 * older program's build leaves out (the table is then set aside), or
 * under the mark once articles were added or removed: the added are read
 * by rowid from the table of articles, the removed left out.
 *
 * impact_src(col, val, ids): the articles of each outlet and language,
 * made with the lists (index/impact_src.c tells when they stand for the
 * index).
 */
#include "index/impact.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "util/buf.h"

static const char impact_sql[] =
	"CREATE TABLE IF NOT EXISTS impact(expr TEXT NOT NULL UNIQUE, df INTEGER NOT NULL, hits BLOB NOT NULL,"
	" twin TEXT);"
	"CREATE TABLE IF NOT EXISTS impact_state(id INTEGER PRIMARY KEY, totals BLOB NOT NULL);"
	"DROP TABLE IF EXISTS impact_set; CREATE TABLE impact_set(expr TEXT NOT NULL UNIQUE, nbits INTEGER NOT NULL, bits BLOB NOT NULL,"
	" maxes BLOB NOT NULL);"
	"DROP TABLE IF EXISTS impact_pub; CREATE TABLE impact_pub(b INTEGER PRIMARY KEY, ids BLOB NOT NULL);"
	"DROP TABLE IF EXISTS impact_src; CREATE TABLE impact_src(col TEXT NOT NULL, val TEXT NOT NULL, ids BLOB NOT NULL,"
	" PRIMARY KEY(col, val));"
	/*
	 * removed: rows 1-3; with no mark, all; at or below the mark, its
	 * rowid kept as row -rowid (the removals since, nx_impact__mark), its
	 * words unknown unless nx_impact__note_removal noted them first
	 */
	"DROP TRIGGER IF EXISTS impact_gone; CREATE TRIGGER impact_gone AFTER DELETE ON article BEGIN"
	" DELETE FROM impact_state WHERE id IN (1, 2, 3)"
	" OR (SELECT totals FROM impact_state WHERE id = 5) IS NULL;"
	" INSERT OR IGNORE INTO impact_state(id, totals) SELECT -old.id, x''"
	" WHERE old.id > 0 AND old.id <= (SELECT totals FROM impact_state WHERE id = 5); END;"
	/* replaced: rows 1-3; at or below the mark (or no mark), all */
	"DROP TRIGGER IF EXISTS impact_changed; CREATE TRIGGER impact_changed AFTER UPDATE ON article BEGIN"
	" DELETE FROM impact_state WHERE id IN (1, 2, 3)"
	" OR coalesce(min(old.id, new.id) <= (SELECT totals FROM impact_state WHERE id = 5), 1); END;"
	"DELETE FROM impact_state; DELETE FROM impact;";

int nx_impact__reset(sqlite3 *db)
{
	return sqlite3_exec(db, impact_sql, NULL, NULL, NULL);
}

int nx_impact__drop(sqlite3 *db)
{
	sqlite3_stmt *s = NULL;
	int have = 0, rc = sqlite3_prepare_v2(db, "SELECT 1 FROM sqlite_master WHERE name = 'impact'", -1, &s, NULL);

	if (rc != SQLITE_OK)
		return rc;
	have = sqlite3_step(s) == SQLITE_ROW;
	sqlite3_finalize(s);
	if (!have)
		return SQLITE_OK;
	return sqlite3_exec(db,
			    "DROP TRIGGER IF EXISTS impact_gone; DROP TRIGGER IF EXISTS impact_changed;"
			    " DROP TABLE IF EXISTS impact_state; DROP TABLE IF EXISTS impact;"
			    " DROP TABLE IF EXISTS impact_set; DROP TABLE IF EXISTS impact_pub;"
			    " DROP TABLE IF EXISTS impact_src;",
			    NULL, NULL, NULL);
}

int nx_impact__put(sqlite3 *db, const char *expr, int64_t df, const int64_t *rowid, const double *score,
		   size_t n)
{
	unsigned char *b = malloc(10 + n * 18), *p = b;
	sqlite3_stmt *s = NULL;
	size_t i = 0;
	int rc = SQLITE_OK, j = 0;

	if (b == NULL)
		return SQLITE_NOMEM;
	p += nx_varint_put(p, (uint64_t)n);
	for (i = 0; i < n; i++) {
		uint64_t bits = 0;

		p += nx_varint_put(p, (uint64_t)rowid[i]);
		memcpy(&bits, &score[i], sizeof(bits));
		for (j = 0; j < 8; j++)
			*p++ = (unsigned char)(bits >> (8 * j));
	}
	/* the same list stored already (another form of the word): a reference to it */
	rc = sqlite3_prepare_v2(db,
				"INSERT OR REPLACE INTO impact(expr, df, hits, twin)"
				" SELECT ?1, ?2, CASE WHEN t IS NULL THEN ?3 ELSE x'' END, t FROM"
				" (SELECT (SELECT expr FROM impact WHERE df = ?2 AND twin IS NULL AND hits = ?3) AS t)",
				-1, &s, NULL);
	if (rc == SQLITE_OK) {
		sqlite3_bind_text(s, 1, expr, -1, SQLITE_STATIC);
		sqlite3_bind_int64(s, 2, df);
		sqlite3_bind_blob(s, 3, b, (int)(p - b), SQLITE_STATIC);
		rc = sqlite3_step(s) == SQLITE_DONE ? SQLITE_OK : sqlite3_errcode(db);
	}
	sqlite3_finalize(s);
	free(b);
	return rc;
}

int nx_impact__put_twin(sqlite3 *db, const char *expr, const char *other)
{
	sqlite3_stmt *s = NULL;
	int rc = sqlite3_prepare_v2(db,
				    "INSERT OR REPLACE INTO impact(expr, df, hits, twin)"
				    " SELECT ?1, df, x'', coalesce(twin, expr) FROM impact WHERE expr = ?2",
				    -1, &s, NULL);

	if (rc == SQLITE_OK) {
		sqlite3_bind_text(s, 1, expr, -1, SQLITE_STATIC);
		sqlite3_bind_text(s, 2, other, -1, SQLITE_STATIC);
		rc = sqlite3_step(s) == SQLITE_DONE ? SQLITE_OK : sqlite3_errcode(db);
	}
	sqlite3_finalize(s);
	if (rc != SQLITE_OK)
		return rc > 0 ? -rc : rc;
	return sqlite3_changes(db) > 0;
}

int nx_impact__is_twin(sqlite3 *db, const char *expr)
{
	sqlite3_stmt *s = NULL;
	int twin = 0;

	if (sqlite3_prepare_v2(db, "SELECT 1 FROM impact WHERE expr = ?1 AND twin IS NOT NULL", -1, &s, NULL) ==
	    SQLITE_OK) {
		sqlite3_bind_text(s, 1, expr, -1, SQLITE_STATIC);
		twin = sqlite3_step(s) == SQLITE_ROW;
	}
	sqlite3_finalize(s);
	return twin;
}

int nx_impact__seal(sqlite3 *db)
{
	sqlite3_stmt *s = NULL, *ins = NULL;
	unsigned char *b = NULL;
	int rc = sqlite3_exec(db,
			      "INSERT OR REPLACE INTO impact_state(id, totals)"
			      " SELECT 1, block FROM fts_data WHERE id = 1 AND block IS NOT NULL;"
			      "INSERT OR REPLACE INTO impact_state(id, totals)"
			      " SELECT 2, block FROM fts_data WHERE id = 1 AND block IS NOT NULL;"
			      "INSERT OR REPLACE INTO impact_state(id, totals)"
			      " SELECT 3, block FROM fts_data WHERE id = 1 AND block IS NOT NULL",
			      NULL, NULL, NULL);

	/* the mark (row 4): the largest rowid, 8 bytes little-endian, then the same totals */
	if (rc == SQLITE_OK)
		rc = sqlite3_prepare_v2(db,
					"SELECT (SELECT coalesce(max(id), 0) FROM fts_docsize), block FROM fts_data"
					" WHERE id = 1 AND block IS NOT NULL",
					-1, &s, NULL);
	if (rc == SQLITE_OK && (rc = sqlite3_step(s)) == SQLITE_ROW) {
		uint64_t last = (uint64_t)sqlite3_column_int64(s, 0);
		int len = sqlite3_column_bytes(s, 1), i = 0;

		rc = SQLITE_NOMEM;
		if ((b = malloc(8 + (size_t)len)) == NULL)
			goto done;
		for (i = 0; i < 8; i++)
			b[i] = (unsigned char)(last >> (8 * i));
		if (len > 0)
			memcpy(b + 8, sqlite3_column_blob(s, 1), (size_t)len);
		/* and row 5: the same rowid as an integer, for the triggers */
		rc = sqlite3_prepare_v2(db, "INSERT OR REPLACE INTO impact_state(id, totals) VALUES (4, ?1), (5, ?2)", -1,
					&ins, NULL);
		if (rc == SQLITE_OK) {
			sqlite3_bind_blob(ins, 1, b, 8 + len, SQLITE_STATIC);
			sqlite3_bind_int64(ins, 2, (sqlite3_int64)last);
			rc = sqlite3_step(ins) == SQLITE_DONE ? SQLITE_OK : sqlite3_errcode(db);
		}
	} else if (rc == SQLITE_DONE) {
		rc = SQLITE_OK; /* no totals: no mark, the lists hold for this state alone */
	}
done:
	sqlite3_finalize(s);
	sqlite3_finalize(ins);
	free(b);
	return rc;
}

int nx_impact__sqlite_varint(const unsigned char *p, const unsigned char *end, uint64_t *v)
{
	uint64_t x = 0;
	int i = 0;

	for (i = 0; i < 8 && p + i < end; i++) {
		x = (x << 7) | (p[i] & 0x7f);
		if ((p[i] & 0x80) == 0) {
			*v = x;
			return i + 1;
		}
	}
	if (i == 8 && p + 8 < end) {
		*v = (x << 8) | p[8];
		return 9;
	}
	return 0;
}

/* FTS5's totals record (rows, then tokens per column) into *nrow and tok[]: the columns, or -1 when corrupt. */
static int read_totals(const unsigned char *p, const unsigned char *end, int64_t *nrow, int64_t *tok)
{
	uint64_t v = 0;
	int used = 0, n = 0;

	if (p == NULL || (used = nx_impact__sqlite_varint(p, end, &v)) == 0 || v > INT64_MAX)
		return -1;
	*nrow = (int64_t)v;
	for (p += used; p < end; p += used) {
		if (n == NX_IMPACT_MAX_COLS || (used = nx_impact__sqlite_varint(p, end, &v)) == 0 || v > INT64_MAX)
			return -1;
		tok[n++] = (int64_t)v;
	}
	return n;
}

/* The rows of fts_docsize above last: *n of them and their tokens per column added into add[0..ncol-1]. */
static int added_rows(sqlite3 *db, int64_t last, int ncol, int64_t *n, int64_t *add)
{
	sqlite3_stmt *s = NULL;
	int rc = sqlite3_prepare_v2(db, "SELECT sz FROM fts_docsize WHERE id > ?1", -1, &s, NULL);

	*n = 0;
	if (rc != SQLITE_OK)
		return -1;
	sqlite3_bind_int64(s, 1, last);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		const unsigned char *p = sqlite3_column_blob(s, 0), *end = p + sqlite3_column_bytes(s, 0);
		uint64_t v = 0;
		int used = 0, c = 0;

		for (; p != NULL && p < end && c < ncol && (used = nx_impact__sqlite_varint(p, end, &v)) > 0; p += used)
			add[c++] += (int64_t)v;
		(*n)++;
	}
	sqlite3_finalize(s);
	return rc == SQLITE_DONE ? 0 : -1;
}

static int64_t gone_min = NX_IMPACT_GONE_MIN;

void nx_impact__set_gone_min(int64_t min)
{
	gone_min = min > 0 ? min : NX_IMPACT_GONE_MIN;
}

int64_t nx_impact__gone_limit(int64_t nrow0)
{
	return nrow0 / NX_IMPACT_GONE_SHARE > gone_min ? nrow0 / NX_IMPACT_GONE_SHARE : gone_min;
}

/* Whether the removals since the mark (rows -rowid of impact_state) are more than limit, counted to limit + 1: 1, 0, or -1. */
static int gone_over(sqlite3 *db, int64_t limit)
{
	sqlite3_stmt *s = NULL;
	int rc = -1;

	if (sqlite3_prepare_v2(db, "SELECT count(*) FROM (SELECT 1 FROM impact_state WHERE id < 0 LIMIT ?1)", -1, &s,
			       NULL) != SQLITE_OK)
		return -1;
	sqlite3_bind_int64(s, 1, limit + 1);
	if (sqlite3_step(s) == SQLITE_ROW)
		rc = sqlite3_column_int64(s, 0) > limit;
	sqlite3_finalize(s);
	return rc;
}

/* The rows at or below last removed since the mark (rows -rowid of impact_state) into m, ascending: 0, or -1. */
static int gone_rows(sqlite3 *db, int64_t last, nx_impact_mark *m)
{
	sqlite3_stmt *s = NULL;
	size_t cap = 0;
	int rc = sqlite3_prepare_v2(db, "SELECT -id FROM impact_state WHERE id < 0 ORDER BY id DESC", -1, &s, NULL);

	if (rc != SQLITE_OK)
		return -1;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		int64_t r = sqlite3_column_int64(s, 0);

		if (r <= 0 || r > last) {
			rc = SQLITE_CORRUPT; /* not written by the triggers */
			break;
		}
		if (m->ngone == cap) {
			int64_t *g = realloc(m->gone, (cap = cap ? 2 * cap : 64) * sizeof(*g));

			if (g == NULL) {
				rc = SQLITE_NOMEM;
				break;
			}
			m->gone = g;
		}
		m->gone[m->ngone++] = r;
	}
	sqlite3_finalize(s);
	return rc == SQLITE_DONE ? 0 : -1;
}

void nx_impact__mark_free(nx_impact_mark *m)
{
	free(m->gone);
	m->gone = NULL;
	m->ngone = 0;
}

static int cmp_i64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

	return x < y ? -1 : x > y;
}

int nx_impact__gone(const nx_impact_mark *m, int64_t rowid)
{
	return m->ngone > 0 && bsearch(&rowid, m->gone, m->ngone, sizeof(*m->gone), cmp_i64) != NULL;
}

int64_t nx_impact__clear_gone(const nx_impact_mark *m, uint64_t *w, size_t nw)
{
	int64_t n = 0;
	size_t i = 0;

	for (i = 0; i < m->ngone && (uint64_t)m->gone[i] / 64 < nw; i++) {
		uint64_t bit = (uint64_t)1 << (m->gone[i] % 64), *at = &w[m->gone[i] / 64];

		n += (*at & bit) != 0;
		*at &= ~bit;
	}
	return n;
}

int nx_impact__mark(sqlite3 *db, nx_impact_mark *m)
{
	int64_t tok0[NX_IMPACT_MAX_COLS], tok[NX_IMPACT_MAX_COLS], add[NX_IMPACT_MAX_COLS] = { 0 }, nadd = 0;
	sqlite3_stmt *s = NULL;
	int rc = 0, ncol = 0, i = 0;

	memset(m, 0, sizeof(*m));
	/* row 4 emptied by the triggers when an article at or below the mark is replaced */
	if (sqlite3_prepare_v2(db,
			       "SELECT t.totals, d.block FROM impact_state t, fts_data d WHERE t.id = 4 AND d.id = 1",
			       -1, &s, NULL) != SQLITE_OK)
		return 0; /* no table: an older index, or a small one */
	if ((rc = sqlite3_step(s)) != SQLITE_ROW) {
		rc = rc == SQLITE_DONE ? 0 : -1;
		goto done;
	}
	{
		const unsigned char *t = sqlite3_column_blob(s, 0), *d = sqlite3_column_blob(s, 1);
		int tn = sqlite3_column_bytes(s, 0), dn = sqlite3_column_bytes(s, 1);
		uint64_t last = 0;

		rc = -1;
		if (t == NULL || tn < 8 || d == NULL)
			goto done;
		for (i = 0; i < 8; i++)
			last |= (uint64_t)t[i] << (8 * i);
		m->last = (int64_t)last;
		if ((ncol = read_totals(t + 8, t + tn, &m->nrow0, tok0)) < 0 ||
		    read_totals(d, d + dn, &m->nrow, tok) != ncol)
			goto done;
	}
	rc = 0;
	/*
	 * every row at or below the mark as it was or removed: the totals now
	 * are those then less the removed rows (their tokens are not known:
	 * no more than then) and plus the added rows'; a removed rowid given
	 * again would be one row more
	 */
	if (m->last < 0 || m->nrow0 <= 0 || added_rows(db, m->last, ncol, &nadd, add) < 0)
		goto done;
	/* too many removals to read on each search: the walk (counted first, the rows not read) */
	if ((rc = gone_over(db, nx_impact__gone_limit(m->nrow0))) != 0) {
		rc = rc > 0 ? 0 : -1;
		goto done;
	}
	if (gone_rows(db, m->last, m) < 0) {
		rc = -1;
		goto done;
	}
	if (m->nrow != m->nrow0 - (int64_t)m->ngone + nadd)
		goto done;
	for (i = 0; i < ncol; i++) {
		if (m->ngone == 0 ? tok[i] != tok0[i] + add[i] : tok[i] > tok0[i] + add[i])
			goto done;
		m->ntok0 += tok0[i];
		m->ntok += tok[i];
	}
	m->added = nadd;
	rc = 1;
done:
	sqlite3_finalize(s);
	if (rc != 1)
		nx_impact__mark_free(m);
	return rc;
}

/* Decode the first k rows of a list (k no more than it holds, or all): 1, or -1 when it is cut short. */
static int decode(const unsigned char *p, const unsigned char *end, size_t k, int64_t *rowid, double *score,
		  size_t *n)
{
	uint64_t have = 0, v = 0;
	size_t i = 0;
	int j = 0;

	if (!nx_varint_get(&p, end, &have))
		return -1;
	if (have < k)
		k = (size_t)have;
	for (i = 0; i < k; i++) {
		uint64_t bits = 0;

		if (!nx_varint_get(&p, end, &v) || end - p < 8)
			return -1;
		rowid[i] = (int64_t)v;
		for (j = 0; j < 8; j++)
			bits |= (uint64_t)p[j] << (8 * j);
		p += 8;
		memcpy(&score[i], &bits, sizeof(bits));
	}
	*n = k;
	return 1;
}

/* nx_impact__get, or with upto the first k rows however many the list holds (nx_impact__get_upto). */
static int get_list(sqlite3 *db, const char *expr, size_t k, int upto, int64_t *rowid, double *score, size_t *n,
		    int64_t *df)
{
	sqlite3_stmt *s = NULL;
	int rc = 0;

	*n = 0;
	*df = 0;
	/* no such table (an older index, or a small one): not served */
	if (sqlite3_prepare_v2(db,
			       "SELECT i.df, coalesce((SELECT hits FROM impact WHERE expr = i.twin), i.hits)"
			       " FROM impact i, impact_state t, fts_data d"
			       " WHERE i.expr = ?1 AND t.id = 1 AND d.id = 1 AND t.totals = d.block",
			       -1, &s, NULL) != SQLITE_OK)
		return 0;
	sqlite3_bind_text(s, 1, expr, -1, SQLITE_STATIC);
	if (sqlite3_step(s) == SQLITE_ROW) {
		const unsigned char *b = sqlite3_column_blob(s, 1), *p = b;
		const unsigned char *end = b + sqlite3_column_bytes(s, 1);
		uint64_t have = 0;

		*df = sqlite3_column_int64(s, 0);
		if (b == NULL || !nx_varint_get(&p, end, &have))
			rc = -1;
		else if (have < k && (int64_t)have < *df && !upto)
			rc = 0; /* too short for k */
		else
			rc = decode(b, end, k, rowid, score, n);
	}
	sqlite3_finalize(s);
	return rc;
}

int nx_impact__get(sqlite3 *db, const char *expr, size_t k, int64_t *rowid, double *score, size_t *n,
		   int64_t *df)
{
	return get_list(db, expr, k, 0, rowid, score, n, df);
}

int nx_impact__get_upto(sqlite3 *db, const char *expr, size_t k, int64_t *rowid, double *score, size_t *n,
			int64_t *df)
{
	return get_list(db, expr, k, 1, rowid, score, n, df);
}

int nx_impact__df_prepare(sqlite3 *db, sqlite3_stmt **s)
{
	*s = NULL;
	/* the count, and whether the lists were made of the index as it is (else: the mark, nx_impact__df) */
	return sqlite3_prepare_v2(db,
				  "SELECT i.df, EXISTS (SELECT 1 FROM impact_state t, fts_data d"
				  " WHERE t.id = 1 AND d.id = 1 AND t.totals = d.block) FROM impact i WHERE i.expr = ?1",
				  -1, s, NULL);
}

/* The rows expr matches above rowid last (added since the mark): the count, or -1 on an error. */
static int64_t count_above(sqlite3 *db, const char *expr, int64_t last)
{
	sqlite3_stmt *s = NULL;
	int64_t n = -1;

	if (sqlite3_prepare_v2(db, "SELECT count(*) FROM fts WHERE fts MATCH ?1 AND rowid > ?2", -1, &s, NULL) !=
	    SQLITE_OK)
		return -1;
	sqlite3_bind_text(s, 1, expr, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 2, last);
	if (sqlite3_step(s) == SQLITE_ROW)
		n = sqlite3_column_int64(s, 0);
	sqlite3_finalize(s);
	return n;
}

int nx_impact__df(sqlite3_stmt *s, const char *expr, int64_t *df)
{
	nx_impact_mark m;
	int64_t then = 0, above = 0, gone = 0;
	int rc = 0, exact = 0;

	*df = 0;
	sqlite3_reset(s);
	sqlite3_bind_text(s, 1, expr, -1, SQLITE_STATIC);
	if (sqlite3_step(s) == SQLITE_ROW) {
		then = sqlite3_column_int64(s, 0);
		exact = sqlite3_column_int(s, 1);
		rc = 1;
	}
	sqlite3_reset(s);
	if (rc == 1 && !exact) {
		/* made before articles were added or removed: the count then, less the removed, plus the added that hold expr */
		rc = 0;
		if (nx_impact__mark(sqlite3_db_handle(s), &m) == 1 &&
		    nx_impact__gone_df(sqlite3_db_handle(s), expr, &m, &gone) == 1 &&
		    (above = count_above(sqlite3_db_handle(s), expr, m.last)) >= 0)
			rc = 1;
		nx_impact__mark_free(&m);
		above -= gone;
	}
	if (rc == 1)
		*df = then + above;
	return rc;
}

int nx_impact__get_made(sqlite3 *db, const char *expr, int64_t **rowid, double **score, size_t *n, int64_t *df)
{
	sqlite3_stmt *s = NULL;
	int rc = 0;

	*rowid = NULL;
	*score = NULL;
	*n = 0;
	*df = 0;
	if (sqlite3_prepare_v2(db,
			       "SELECT i.df, coalesce((SELECT hits FROM impact WHERE expr = i.twin), i.hits)"
			       " FROM impact i WHERE i.expr = ?1",
			       -1, &s, NULL) != SQLITE_OK)
		return 0; /* no table */
	sqlite3_bind_text(s, 1, expr, -1, SQLITE_STATIC);
	if (sqlite3_step(s) == SQLITE_ROW) {
		const unsigned char *b = sqlite3_column_blob(s, 1), *p = b;
		const unsigned char *end = b + sqlite3_column_bytes(s, 1);
		uint64_t have = 0;

		*df = sqlite3_column_int64(s, 0);
		rc = -1;
		/* each row takes 9 bytes or more: a count past the blob is corrupt */
		if (b != NULL && nx_varint_get(&p, end, &have) && have <= (uint64_t)(end - p) / 9 &&
		    (*rowid = malloc((have ? have : 1) * sizeof(**rowid))) != NULL &&
		    (*score = malloc((have ? have : 1) * sizeof(**score))) != NULL)
			rc = decode(b, end, (size_t)have, *rowid, *score, n);
		if (rc < 0) {
			free(*rowid);
			free(*score);
			*rowid = NULL;
			*score = NULL;
			*n = 0;
		}
	}
	sqlite3_finalize(s);
	return rc;
}

/* The removed rows noted to hold expr (its twin's expression, if a twin): 1 with *n, 0 when one is not noted. */
static int gone_noted(sqlite3 *db, const char *expr, int64_t *n)
{
	sqlite3_stmt *s = NULL;
	int rc = 0;

	*n = 0;
	if (sqlite3_prepare_v2(db,
			       "SELECT sum(substr(totals, 1, 1) IS NOT x'01'),"
			       " sum(instr(totals, CAST(x'0a' || (SELECT coalesce(twin, expr) FROM impact WHERE expr = ?1)"
			       " || x'0a' AS BLOB)) > 0), (SELECT count(*) FROM impact WHERE expr = ?1)"
			       " FROM impact_state WHERE id < 0",
			       -1, &s, NULL) != SQLITE_OK)
		return -1;
	sqlite3_bind_text(s, 1, expr, -1, SQLITE_STATIC);
	if (sqlite3_step(s) == SQLITE_ROW) {
		/* (a list's expression: else nothing is known of it) */
		rc = sqlite3_column_int64(s, 0) == 0 && sqlite3_column_int64(s, 2) == 1;
		*n = rc == 1 ? sqlite3_column_int64(s, 1) : 0;
	} else {
		rc = -1;
	}
	sqlite3_finalize(s);
	return rc;
}

int nx_impact__gone_df(sqlite3 *db, const char *expr, const nx_impact_mark *m, int64_t *n)
{
	int64_t *rowid = NULL, df = 0;
	double *score = NULL, *max = NULL;
	uint64_t *w = NULL;
	size_t nlist = 0, nw = 0, i = 0;
	int rc = 0;

	*n = 0;
	if (m->ngone == 0)
		return 1;
	/* every removal noted with the words it held (nx_impact__note_removal) */
	if ((rc = gone_noted(db, expr, n)) != 0)
		return rc;
	/* a list of every row the word had: the removed ones in it */
	if ((rc = nx_impact__get_made(db, expr, &rowid, &score, &nlist, &df)) == 1 && (int64_t)nlist == df) {
		for (i = 0; i < nlist; i++)
			*n += nx_impact__gone(m, rowid[i]);
	} else if (rc >= 0 && (rc = nx_impact__get_set_made(db, expr, &w, &nw, &max, &df)) == 1) {
		*n = nx_impact__clear_gone(m, w, nw); /* its set: the removed ones in it */
	}
	free(rowid);
	free(score);
	free(w);
	free(max);
	return rc;
}

int64_t nx_impact__pub_bucket(int64_t t)
{
	int64_t b = t / ((int64_t)1 << NX_IMPACT_PUB_SHIFT);

	return b * ((int64_t)1 << NX_IMPACT_PUB_SHIFT) > t ? b - 1 : b; /* floor, before 1970 too */
}

/* One bucket's rowids (sorted here) stored as varints of their differences. */
static int put_bucket(sqlite3_stmt *ins, int64_t b, int64_t *id, size_t n, nx_buf *enc)
{
	unsigned char v[10];
	size_t i = 0;
	int64_t prev = 0;

	qsort(id, n, sizeof(*id), cmp_i64);
	nx_buf_reset(enc);
	for (i = 0; i < n; i++) {
		nx_buf_add(enc, v, nx_varint_put(v, (uint64_t)(id[i] - prev)));
		prev = id[i];
	}
	if (!nx_buf_ok(enc))
		return SQLITE_NOMEM;
	sqlite3_reset(ins);
	sqlite3_bind_int64(ins, 1, b);
	sqlite3_bind_blob(ins, 2, enc->buf, (int)enc->len, SQLITE_STATIC);
	return sqlite3_step(ins) == SQLITE_DONE ? SQLITE_OK : SQLITE_ERROR;
}

int nx_impact__put_pub(sqlite3 *db)
{
	sqlite3_stmt *s = NULL, *ins = NULL;
	nx_buf enc = NX_BUF_INIT;
	int64_t *id = NULL, b = 0;
	size_t n = 0, cap = 0;
	int rc = SQLITE_OK, step = 0;

	/* in the order of the index on published: bucket after bucket */
	rc = sqlite3_prepare_v2(db, "SELECT published, id FROM article WHERE published IS NOT NULL ORDER BY published",
				-1, &s, NULL);
	if (rc == SQLITE_OK)
		rc = sqlite3_prepare_v2(db, "INSERT INTO impact_pub(b, ids) VALUES (?1, ?2)", -1, &ins, NULL);
	while (rc == SQLITE_OK && (step = sqlite3_step(s)) == SQLITE_ROW) {
		int64_t bt = nx_impact__pub_bucket(sqlite3_column_int64(s, 0));

		if (n > 0 && bt != b && (rc = put_bucket(ins, b, id, n, &enc)) != SQLITE_OK)
			break;
		if (bt != b)
			n = 0;
		b = bt;
		if (n == cap) {
			int64_t *p = realloc(id, (cap = cap ? 2 * cap : 4096) * sizeof(*id));

			if (p == NULL) {
				rc = SQLITE_NOMEM;
				break;
			}
			id = p;
		}
		id[n++] = sqlite3_column_int64(s, 1);
	}
	if (rc == SQLITE_OK && step != SQLITE_DONE)
		rc = sqlite3_errcode(db);
	if (rc == SQLITE_OK && n > 0)
		rc = put_bucket(ins, b, id, n, &enc);
	if (rc == SQLITE_ERROR)
		rc = sqlite3_errcode(db) != SQLITE_OK ? sqlite3_errcode(db) : SQLITE_ERROR;
	sqlite3_finalize(s);
	sqlite3_finalize(ins);
	nx_buf_free(&enc);
	free(id);
	return rc;
}

int nx_impact__bit_set(uint64_t **bits, size_t *cap, int64_t id)
{
	if (id < 0)
		return 0;
	if ((uint64_t)id >> 6 >= *cap) {
		size_t ncap = *cap ? *cap : 1024;
		uint64_t *b = NULL;

		while ((uint64_t)id >> 6 >= ncap)
			ncap *= 2;
		if ((b = realloc(*bits, ncap * sizeof(*b))) == NULL)
			return -1;
		memset(b + *cap, 0, (ncap - *cap) * sizeof(*b));
		*bits = b;
		*cap = ncap;
	}
	(*bits)[id >> 6] |= (uint64_t)1 << (id & 63);
	return 0;
}

/* Where the rows of pub_read go: add(ctx, rowid) each, or (add NULL) bits of *bits. */
typedef struct pub_sink {
	int (*add)(void *ctx, int64_t rowid);
	void *ctx;
	uint64_t **bits;
	size_t *cap;
} pub_sink;

static int sink_row(const pub_sink *k, int64_t id)
{
	return k->add != NULL ? k->add(k->ctx, id) : nx_impact__bit_set(k->bits, k->cap, id);
}

/* The rows added since the mark published in buckets b0..b1, ascending: 0, or -1. */
static int pub_added(sqlite3 *db, int64_t last, int64_t b0, int64_t b1, const pub_sink *k)
{
	sqlite3_stmt *s = NULL;
	int step = SQLITE_DONE;

	/* by rowid (a few rows at the end), not by the index on published (a decade of them) */
	if (sqlite3_prepare_v2(db,
			       "SELECT id FROM article WHERE id > ?1 AND +published >= ?2 AND +published < ?3 ORDER BY id",
			       -1, &s, NULL) != SQLITE_OK)
		return -1;
	sqlite3_bind_int64(s, 1, last);
	sqlite3_bind_int64(s, 2, b0 * ((int64_t)1 << NX_IMPACT_PUB_SHIFT));
	sqlite3_bind_int64(s, 3, (b1 + 1) * ((int64_t)1 << NX_IMPACT_PUB_SHIFT));
	while ((step = sqlite3_step(s)) == SQLITE_ROW)
		if (sink_row(k, sqlite3_column_int64(s, 0)) < 0)
			break;
	sqlite3_finalize(s);
	return step == SQLITE_DONE ? 0 : -1;
}

/*
 * One bucket's rows (varints of their differences, ascending) as bits of
 * *bits, when no row was removed since: the varints of one and two bytes
 * (gaps below 16,384: every bucket of a large index) decoded in line, the
 * bits grown only past their end.  0, -1 when corrupt (a row past last,
 * the largest a stored row can be: the bits are never grown past it) or
 * out of memory.
 */
int nx_impact__ids_bits(const unsigned char *p, const unsigned char *end, int64_t last, uint64_t **bits, size_t *cap)
{
	uint64_t id = 0, v = 0, *b = *bits;
	uint64_t n = (uint64_t)*cap * 64; /* (locals: the stores to b alias neither) */

	while (p < end) {
		if (p[0] < 0x80) {
			v = p[0];
			p++;
		} else if (end - p >= 2 && p[1] < 0x80) {
			v = (uint64_t)(p[0] & 0x7f) | (uint64_t)p[1] << 7;
			p += 2;
		} else if (!nx_varint_get(&p, end, &v)) {
			return -1;
		}
		if (last < 0 || v > (uint64_t)last - id)
			return -1;
		id += v;
		if (id >= n) {
			if (nx_impact__bit_set(bits, cap, (int64_t)id) < 0)
				return -1;
			b = *bits;
			n = (uint64_t)*cap * 64;
			continue;
		}
		b[id >> 6] |= (uint64_t)1 << (id & 63);
	}
	return 0;
}

/* The largest rowid of article into *last (0 when there is none): 0, or -1. */
static int last_row(sqlite3 *db, int64_t *last)
{
	sqlite3_stmt *s = NULL;
	int step = SQLITE_DONE;

	if (sqlite3_prepare_v2(db, "SELECT coalesce(max(id), 0) FROM article", -1, &s, NULL) != SQLITE_OK)
		return -1;
	if ((step = sqlite3_step(s)) == SQLITE_ROW)
		*last = sqlite3_column_int64(s, 0);
	sqlite3_finalize(s);
	return step == SQLITE_ROW ? 0 : -1;
}

/* nx_impact__pub_rows into the sink k. */
static int pub_read(sqlite3 *db, int64_t b0, int64_t b1, const pub_sink *k)
{
	sqlite3_stmt *s = NULL;
	nx_impact_mark m;
	int rc = 0, step = 0, fresh = 0;

	memset(&m, 0, sizeof(m));

	/* made for the index as it is now (the caller reads in one transaction) */
	if (sqlite3_prepare_v2(db,
			       "SELECT (SELECT t.totals = d.block FROM impact_state t, fts_data d WHERE t.id = 3 AND d.id = 1)"
			       " FROM sqlite_master m WHERE m.name = 'impact_pub'",
			       -1, &s, NULL) != SQLITE_OK)
		return 0; /* no table: an older index, or a small one */
	step = sqlite3_step(s);
	fresh = step == SQLITE_ROW && sqlite3_column_int(s, 0) != 1;
	sqlite3_finalize(s);
	s = NULL;
	if (step != SQLITE_ROW)
		return step == SQLITE_DONE ? 0 : -1;
	/* or for it before articles were added: those are read from the table of articles */
	if (fresh && (rc = nx_impact__mark(db, &m)) != 1)
		return rc;
	/* the largest row stored: the mark's, else the index's now (a larger one is corrupt) */
	if (!fresh && last_row(db, &m.last) < 0)
		return -1;
	if (sqlite3_prepare_v2(db, "SELECT ids FROM impact_pub WHERE b BETWEEN ?1 AND ?2", -1, &s, NULL) != SQLITE_OK)
		return -1;
	sqlite3_bind_int64(s, 1, b0);
	sqlite3_bind_int64(s, 2, b1);
	while ((step = sqlite3_step(s)) == SQLITE_ROW) {
		const unsigned char *p = sqlite3_column_blob(s, 0), *end = p + sqlite3_column_bytes(s, 0);
		uint64_t v = 0, id = 0;

		if (p != NULL && k->add == NULL && m.ngone == 0) {
			if (nx_impact__ids_bits(p, end, m.last, k->bits, k->cap) < 0) {
				rc = -1;
				goto done;
			}
			continue;
		}
		while (p != NULL && p < end) {
			if (!nx_varint_get(&p, end, &v) || m.last < 0 || v > (uint64_t)m.last - id) {
				rc = -1;
				goto done;
			}
			id += v;
			/* (an article removed since: left out) */
			if ((m.ngone == 0 || !nx_impact__gone(&m, (int64_t)id)) && sink_row(k, (int64_t)id) < 0) {
				rc = -1;
				goto done;
			}
		}
	}
	rc = step == SQLITE_DONE ? 1 : -1;
	if (rc == 1 && fresh && pub_added(db, m.last, b0, b1, k) < 0)
		rc = -1;
done:
	sqlite3_finalize(s);
	nx_impact__mark_free(&m);
	return rc;
}

int nx_impact__pub_rows(sqlite3 *db, int64_t b0, int64_t b1, int (*add)(void *ctx, int64_t rowid), void *ctx)
{
	pub_sink k = { add, ctx, NULL, NULL };

	return add != NULL ? pub_read(db, b0, b1, &k) : -1;
}

int nx_impact__pub_bits(sqlite3 *db, int64_t b0, int64_t b1, uint64_t **bits, size_t *cap)
{
	pub_sink k = { NULL, NULL, bits, cap };

	return pub_read(db, b0, b1, &k);
}

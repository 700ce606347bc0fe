/*
 * test_fts_rows.c - the rows of a token read straight from FTS5's leaf
 * pages (src/search/fts_rows.c) against FTS5's own answer.
 *
 * A plain FTS5 table named fts (the default tokenizer: the tokens are the
 * words as written) in memory, with words of many frequencies, rowids
 * with gaps of every varint size, a row whose positions run over several
 * leaves, small and default page sizes, one segment or several, rows
 * deleted: for every word the reader's rows must be those of
 * `SELECT rowid FROM fts WHERE fts MATCH`, or it must give up (-1) where
 * the format says it may (deletes not merged away, a merge under way, a
 * write transaction).  Read with their instances (nx_fts_rows_each), each
 * row's count and last offset + 1 in each column must be those of the
 * table's fts5vocab 'instance' view.  Pages damaged at random must not
 * crash either.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "index/impact.h"
#include "search/fts_rows.h"
#include "search/topk_rank_private.h"

#define NWORDS 300
#define NDOCS 1500

static unsigned rnd_state = 12345;

static unsigned rnd(void)
{
	rnd_state = rnd_state * 1103515245u + 12345u;
	return (rnd_state >> 8) & 0xffffff;
}

static sqlite3 *open_fts(int pgsz)
{
	sqlite3 *db = NULL;
	char sql[128];

	assert_int_equal(sqlite3_open(":memory:", &db), SQLITE_OK);
	assert_int_equal(sqlite3_exec(db, "CREATE VIRTUAL TABLE fts USING fts5(body, title)", NULL, NULL, NULL),
			 SQLITE_OK);
	snprintf(sql, sizeof(sql), "INSERT INTO fts(fts, rank) VALUES('pgsz', %d)", pgsz);
	assert_int_equal(sqlite3_exec(db, sql, NULL, NULL, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_exec(db, "INSERT INTO fts(fts, rank) VALUES('automerge', 0)", NULL, NULL, NULL),
			 SQLITE_OK);
	return db;
}

/* Words w0..w299, word k in about one document of k + 1; with n > 0, a body of n words. */
static void add_docs(sqlite3 *db, int64_t *rowid, int ndocs, int per_txn)
{
	sqlite3_stmt *s = NULL;
	char *body = malloc(64 * 1024);
	int d = 0;

	assert_non_null(body);
	assert_int_equal(sqlite3_prepare_v2(db, "INSERT INTO fts(rowid, body, title) VALUES(?, ?, ?)", -1, &s, NULL),
			 SQLITE_OK);
	assert_int_equal(sqlite3_exec(db, "BEGIN", NULL, NULL, NULL), SQLITE_OK);
	for (d = 0; d < ndocs; d++) {
		size_t at = 0;
		int nw = 5 + (int)(rnd() % 60), i = 0;
		unsigned gap = rnd() % 10;

		/* gaps of one, two, three and four varint bytes */
		*rowid += d == 250 ? 2100000 : d % 50 == 25 ? 20000 : gap < 6 ? 1 : 100 + rnd() % 100;
		if (d == ndocs / 2)
			nw = 6000; /* its positions run over several leaves */
		for (i = 0; i < nw && at + 16 < 64 * 1024; i++) {
			unsigned k = (unsigned)(rnd() % NWORDS);

			k = k * (rnd() % NWORDS) / NWORDS; /* the low words frequent */
			if (nw == 6000)
				k = i % 3 == 0 ? 7 : (unsigned)(i % NWORDS);
			at += (size_t)snprintf(body + at, 16, "w%u ", k);
		}
		sqlite3_reset(s);
		sqlite3_bind_int64(s, 1, *rowid);
		sqlite3_bind_text(s, 2, body, (int)at, SQLITE_TRANSIENT);
		sqlite3_bind_text(s, 3, d % 7 == 0 ? "w1 w250" : "title", -1, SQLITE_STATIC);
		assert_int_equal(sqlite3_step(s), SQLITE_DONE);
		if (per_txn > 0 && d % per_txn == per_txn - 1) {
			assert_int_equal(sqlite3_exec(db, "COMMIT; BEGIN", NULL, NULL, NULL), SQLITE_OK);
		}
	}
	assert_int_equal(sqlite3_exec(db, "COMMIT", NULL, NULL, NULL), SQLITE_OK);
	sqlite3_finalize(s);
	free(body);
}

/* FTS5's rows of word into a bitmap (nw words): its rows. */
static int64_t fts_rows_sql(sqlite3 *db, const char *word, uint64_t **w, size_t *nw)
{
	sqlite3_stmt *s = NULL;
	char q[64];
	int64_t n = 0;

	snprintf(q, sizeof(q), "\"%s\"", word);
	assert_int_equal(sqlite3_prepare_v2(db, "SELECT rowid FROM fts WHERE fts MATCH ?", -1, &s, NULL), SQLITE_OK);
	sqlite3_bind_text(s, 1, q, -1, SQLITE_STATIC);
	while (sqlite3_step(s) == SQLITE_ROW) {
		int64_t r = sqlite3_column_int64(s, 0);

		assert_int_equal(nx_topk__bits_room(w, nw, (size_t)(r >> 6)), SQLITE_OK);
		(*w)[r >> 6] |= (uint64_t)1 << (r & 63);
		n++;
	}
	sqlite3_finalize(s);
	return n;
}

/* A row as nx_fts_rows_each or the fts5vocab view gives it. */
typedef struct inst_row {
	int64_t rowid;
	int32_t cnt[2], ext[2];
} inst_row;

typedef struct inst_rows {
	inst_row *r;
	size_t n, cap;
} inst_rows;

static inst_row *inst_add(inst_rows *t, int64_t rowid)
{
	if (t->n == t->cap) {
		t->cap = t->cap ? t->cap * 2 : 256;
		t->r = realloc(t->r, t->cap * sizeof(*t->r));
		assert_non_null(t->r);
	}
	memset(&t->r[t->n], 0, sizeof(t->r[0]));
	t->r[t->n].rowid = rowid;
	return &t->r[t->n++];
}

static int each_row(void *ud, int64_t rowid, const int32_t *cnt, const int32_t *ext)
{
	inst_row *r = inst_add(ud, rowid);

	memcpy(r->cnt, cnt, sizeof(r->cnt));
	memcpy(r->ext, ext, sizeof(r->ext));
	return SQLITE_OK;
}

static int cmp_inst(const void *a, const void *b)
{
	const inst_row *x = a, *y = b;

	return x->rowid < y->rowid ? -1 : x->rowid > y->rowid;
}

/* FTS5's instances of word by row and column (the fts5vocab view), ascending. */
static void vocab_inst(sqlite3 *db, const char *word, inst_rows *t)
{
	sqlite3_stmt *s = NULL;

	assert_int_equal(sqlite3_prepare_v2(db,
					    "SELECT doc, col = 'title', count(*), max(offset) FROM temp.fts_vi"
					    " WHERE term = ? GROUP BY doc, col ORDER BY doc, col",
					    -1, &s, NULL),
			 SQLITE_OK);
	sqlite3_bind_text(s, 1, word, -1, SQLITE_STATIC);
	while (sqlite3_step(s) == SQLITE_ROW) {
		int64_t doc = sqlite3_column_int64(s, 0);
		int col = sqlite3_column_int(s, 1);
		inst_row *r = t->n > 0 && t->r[t->n - 1].rowid == doc ? &t->r[t->n - 1] : inst_add(t, doc);

		r->cnt[col] = sqlite3_column_int(s, 2);
		r->ext[col] = sqlite3_column_int(s, 3) + 1;
	}
	sqlite3_finalize(s);
}

static size_t nlookups, nseek_gave_up; /* over the whole run */
static size_t nmarked; /* lists whose marks were checked for balance */

/*
 * Rows the tests removed (rowid % removed_mod == 0, 0: none, and those
 * from removed_from on): FTS5 keeps their entries, with the delete flag
 * in a newer segment, until a merge meets both, so a list's marks may be
 * theirs.
 */
static int64_t removed_mod, removed_from = INT64_MAX;

static int is_removed(int64_t rowid)
{
	return (removed_mod > 0 && rowid % removed_mod == 0) || rowid >= removed_from;
}

static int has_row(const inst_rows *t, int64_t rowid)
{
	size_t lo = 0, hi = t->n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (t->r[mid].rowid < rowid)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < t->n && t->r[lo].rowid == rowid;
}

/*
 * The list's marks: ascending rows of the word, its first row among them,
 * no more than its rows; of a list over many leaves, the middle one
 * between its rows' first and third quarters (the rows are alike in size).
 */
static void check_marks(nx_fts_seek *sk, const char *word, const inst_rows *want)
{
	int64_t *m = NULL;
	size_t n = 0, i = 0, below = 0, rows = 0;

	assert_int_equal(nx_fts_seek_marks(sk, &m, &n), SQLITE_OK);
	if (want->n == 0) {
		for (i = 0; i < n; i++)
			if (!is_removed(m[i]))
				fail_msg("%s: mark %lld of a word with no row", word, (long long)m[i]);
		assert_true(n > 0 || m == NULL);
		free(m);
		return;
	}
	assert_true(n >= 1);
	for (i = 0; i < n; i++) {
		if (has_row(want, m[i]))
			rows++;
		else if (!is_removed(m[i]))
			fail_msg("%s: mark %lld is not a row of it", word, (long long)m[i]);
		if (i > 0 && m[i] < m[i - 1])
			fail_msg("%s: marks not ascending", word);
	}
	assert_true(rows <= want->n);
	/* the first is the first row's, or a removed row's before it */
	if (m[0] != want->r[0].rowid && !(is_removed(m[0]) && m[0] < want->r[0].rowid))
		fail_msg("%s: first mark %lld, first row %lld", word, (long long)m[0], (long long)want->r[0].rowid);
	if (n >= 16 && removed_mod == 0 && removed_from == INT64_MAX) {
		for (i = 0; i < want->n && want->r[i].rowid < m[n / 2]; i++)
			below++;
		if (below < want->n / 4 || below > want->n * 3 / 4)
			fail_msg("%s: the middle mark has %zu of %zu rows below it", word, below, want->n);
		nmarked++;
	}
	free(m);
}

/*
 * Each of the rows of word (want: FTS5's, ascending) looked up alone, and
 * the rowid after each when the word is not there: the row's instances,
 * or not found; a lookup may give up (a row's positions over many leaves).
 */
static void check_seek(sqlite3 *db, const char *word, const inst_rows *want)
{
	nx_fts_seek *sk = NULL;
	size_t i = 0;

	assert_int_equal(nx_fts_seek_open(db, word, strlen(word), 2, &sk), SQLITE_OK);
	assert_non_null(sk); /* (read whole just now) */
	check_marks(sk, word, want);
	for (i = 0; i < want->n; i++) {
		int32_t cnt[2], ext[2];
		int found = 0;
		int64_t next = want->r[i].rowid + 1;

		assert_int_equal(nx_fts_seek_row(sk, want->r[i].rowid, &found, cnt, ext), SQLITE_OK);
		nlookups++;
		if (found < 0) {
			nseek_gave_up++;
		} else if (found != 1 || memcmp(cnt, want->r[i].cnt, sizeof(cnt)) != 0 ||
			   memcmp(ext, want->r[i].ext, sizeof(ext)) != 0) {
			fail_msg("%s: row %lld looked up: found %d, %d/%d instances; FTS5 %d/%d", word,
				 (long long)want->r[i].rowid, found, found ? cnt[0] : 0, found ? cnt[1] : 0,
				 want->r[i].cnt[0], want->r[i].cnt[1]);
		}
		if (i + 1 < want->n && want->r[i + 1].rowid == next)
			continue;
		assert_int_equal(nx_fts_seek_row(sk, next, &found, cnt, ext), SQLITE_OK);
		nlookups++;
		nseek_gave_up += found < 0;
		if (found > 0)
			fail_msg("%s: row %lld looked up: found, FTS5 does not have it", word, (long long)next);
	}
	nx_fts_seek_free(sk);
}

/* A row with its positions (nx_fts_rows_pos): kept with its instances and last offsets counted from them. */
static int pos_row(void *ud, int64_t rowid, const unsigned char *a, size_t n)
{
	inst_rows *t = ud;
	inst_row *r = inst_add(t, rowid);
	const unsigned char *p = a, *end = a + n;
	uint64_t col = 0, off = 0, v = 0;
	int k = 0;

	while (p < end) {
		assert_true((k = nx_impact__sqlite_varint(p, end, &v)) > 0);
		p += k;
		if (v == 1) {
			assert_true((k = nx_impact__sqlite_varint(p, end, &col)) > 0 && col < 2);
			p += k;
			assert_true((k = nx_impact__sqlite_varint(p, end, &v)) > 0 && v >= 2);
			p += k;
			off = v - 2;
		} else {
			off += v - 2;
		}
		r->cnt[col]++;
		if ((int32_t)off + 1 > r->ext[col])
			r->ext[col] = (int32_t)off + 1;
	}
	return SQLITE_OK;
}

/* The rows of word (want: FTS5's instances) in every third rowid, with their positions: those rows, as FTS5 has them. */
static void check_pos(sqlite3 *db, const char *word, const inst_rows *want)
{
	inst_rows got = { 0 };
	/* every third rowid up to the word's last but one: rows past the bits are passed over too */
	size_t nkeep = want->n > 1 ? (size_t)(want->r[want->n - 2].rowid / 64 + 1) : 1, i = 0, j = 0;
	uint64_t *keep = calloc(nkeep, sizeof(*keep));
	int64_t rows = 0;

	assert_non_null(keep);
	for (i = 0; i < nkeep * 64 && want->n > 1 && (int64_t)i <= want->r[want->n - 2].rowid; i += 3)
		keep[i / 64] |= (uint64_t)1 << (i % 64);
	assert_int_equal(nx_fts_rows_pos(db, word, strlen(word), keep, nkeep, pos_row, &got, &rows), SQLITE_OK);
	free(keep);
	if (rows < 0) {
		free(got.r);
		return;
	}
	assert_int_equal((size_t)rows, want->n);
	if (got.n > 1)
		qsort(got.r, got.n, sizeof(*got.r), cmp_inst);
	for (i = 0; i < want->n; i++) {
		if (want->r[i].rowid % 3 != 0 || i + 1 >= want->n)
			continue;
		if (j >= got.n || memcmp(&got.r[j], &want->r[i], sizeof(got.r[j])) != 0)
			fail_msg("%s: row %lld with its positions not as FTS5 has it", word, (long long)want->r[i].rowid);
		j++;
	}
	assert_int_equal(j, got.n);
	free(got.r);
}

/* word's rows with their instances read both ways: 1 when the reader read them (as FTS5 has them), 0 when it gave up. */
static int check_inst(sqlite3 *db, const char *word)
{
	inst_rows got = { 0 }, want = { 0 };
	int64_t rows = 0;
	size_t i = 0;

	assert_int_equal(sqlite3_exec(db, "CREATE VIRTUAL TABLE IF NOT EXISTS temp.fts_vi USING fts5vocab(main, fts, 'instance')",
				      NULL, NULL, NULL),
			 SQLITE_OK);
	vocab_inst(db, word, &want);
	assert_int_equal(nx_fts_rows_each(db, word, strlen(word), 2, each_row, &got, &rows), SQLITE_OK);
	if (rows < 0) {
		free(got.r);
		free(want.r);
		return 0;
	}
	assert_int_equal((size_t)rows, got.n);
	if (got.n > 1)
		qsort(got.r, got.n, sizeof(*got.r), cmp_inst); /* (several segments' rows interleave) */
	if (got.n != want.n)
		fail_msg("%s: %zu rows with instances, FTS5 %zu", word, got.n, want.n);
	for (i = 0; i < got.n; i++)
		if (memcmp(&got.r[i], &want.r[i], sizeof(got.r[i])) != 0)
			fail_msg("%s: row %lld: %d/%d instances, last %d/%d; FTS5 %lld: %d/%d, last %d/%d", word,
				 (long long)got.r[i].rowid, got.r[i].cnt[0], got.r[i].cnt[1], got.r[i].ext[0],
				 got.r[i].ext[1], (long long)want.r[i].rowid, want.r[i].cnt[0], want.r[i].cnt[1],
				 want.r[i].ext[0], want.r[i].ext[1]);
	check_seek(db, word, &want);
	check_pos(db, word, &want);
	free(got.r);
	free(want.r);
	return 1;
}

static int same_bits(const uint64_t *a, size_t na, const uint64_t *b, size_t nb)
{
	size_t i = 0;

	for (i = 0; i < na || i < nb; i++)
		if ((i < na ? a[i] : 0) != (i < nb ? b[i] : 0))
			return 0;
	return 1;
}

/*
 * The words (the 40 most frequent, every seventh after, one absent) read both ways: 1 when the reader read
 * them all (their rows FTS5's), 0 when it gave up on any (may: give up
 * allowed; else a failure).
 */
static int check_words(sqlite3 *db, int may_give_up)
{
	int k = 0, read_all = 1;

	for (k = 0; k <= NWORDS; k = k < 40 ? k + 1 : k + 7 < NWORDS ? k + 7 : k < NWORDS ? NWORDS : k + 1) {
		char word[16];
		uint64_t *a = NULL, *b = NULL;
		size_t na = 0, nb = 0;
		int64_t rows = 0, want = 0;

		snprintf(word, sizeof(word), k == NWORDS ? "zz%d" : "w%d", k);
		want = fts_rows_sql(db, word, &b, &nb);
		assert_int_equal(nx_fts_rows(db, word, strlen(word), &a, &na, &rows), SQLITE_OK);
		if (rows < 0) {
			if (!may_give_up)
				fail_msg("%s: gave up", word);
			read_all = 0;
		} else {
			if (rows != want || !same_bits(a, na, b, nb))
				fail_msg("%s: %lld rows, FTS5 %lld", word, (long long)rows, (long long)want);
		}
		/* with instances: read (and right) where the rows alone were */
		if (check_inst(db, word) != (rows >= 0))
			fail_msg("%s: the rows alone %s, with instances %s", word, rows >= 0 ? "read" : "gave up",
				 rows >= 0 ? "gave up" : "read");
		free(a);
		free(b);
	}
	return read_all;
}

/* Lookups give up rarely (the row of 6,000 words over many leaves of 64 bytes). */
static void test_lookups_answer(void **state)
{
	(void)state;
	print_message("%zu lookups, %zu given up\n", nlookups, nseek_gave_up);
	assert_true(nlookups > 10000);
	assert_true(nseek_gave_up * 200 < nlookups);
	assert_true(nmarked > 20);
}

static void test_one_segment(void **state)
{
	int pgsz[] = { 64, 1000, 4050 };
	size_t i = 0;

	(void)state;
	for (i = 0; i < sizeof(pgsz) / sizeof(pgsz[0]); i++) {
		sqlite3 *db = open_fts(pgsz[i]);
		int64_t rowid = 0;

		add_docs(db, &rowid, NDOCS, 0);
		assert_int_equal(check_words(db, 0), 1);
		sqlite3_close(db);
	}
}

static void test_segments(void **state)
{
	sqlite3 *db = open_fts(200);
	int64_t rowid = 0;
	int nseg = 0;
	sqlite3_stmt *s = NULL;

	(void)state;
	add_docs(db, &rowid, NDOCS, 120); /* a segment a transaction, none merged (16 would be) */
	assert_int_equal(sqlite3_prepare_v2(db, "SELECT count(DISTINCT id >> 37) FROM fts_data WHERE id > 10", -1, &s,
					    NULL),
			 SQLITE_OK);
	assert_int_equal(sqlite3_step(s), SQLITE_ROW);
	nseg = sqlite3_column_int(s, 0);
	sqlite3_finalize(s);
	assert_true(nseg > 10 && nseg < 16);
	assert_int_equal(check_words(db, 0), 1);
	assert_int_equal(sqlite3_exec(db, "INSERT INTO fts(fts) VALUES('optimize')", NULL, NULL, NULL), SQLITE_OK);
	assert_int_equal(check_words(db, 0), 1);
	sqlite3_close(db);
}

/* Rows of the table now (a bitmap). */
static void table_rows(sqlite3 *db, uint64_t **w, size_t *nw)
{
	sqlite3_stmt *s = NULL;

	assert_int_equal(sqlite3_prepare_v2(db, "SELECT rowid FROM fts", -1, &s, NULL), SQLITE_OK);
	while (sqlite3_step(s) == SQLITE_ROW) {
		int64_t r = sqlite3_column_int64(s, 0);

		assert_int_equal(nx_topk__bits_room(w, nw, (size_t)(r >> 6)), SQLITE_OK);
		(*w)[r >> 6] |= (uint64_t)1 << (r & 63);
	}
	sqlite3_finalize(s);
}

/* Every row of before (a bitmap of nb words) the table no longer has, looked up in the frequent words' lists: never found. */
static void check_removed_lookups(sqlite3 *db, const uint64_t *before, size_t nb)
{
	uint64_t *w = NULL;
	size_t nw = 0;
	int k = 0;

	table_rows(db, &w, &nw);
	for (k = 0; k < 12; k++) {
		nx_fts_seek *sk = NULL;
		char word[16];
		int64_t r = 0;
		size_t asked = 0;

		snprintf(word, sizeof(word), "w%d", k);
		assert_int_equal(nx_fts_seek_open(db, word, strlen(word), 2, &sk), SQLITE_OK);
		assert_non_null(sk);
		for (r = 1; r < (int64_t)nb * 64; r++) {
			int32_t cnt[2], ext[2];
			int found = 0;

			if (!(before[r >> 6] >> (r & 63) & 1) || ((size_t)(r >> 6) < nw && (w[r >> 6] >> (r & 63) & 1)))
				continue;
			assert_int_equal(nx_fts_seek_row(sk, r, &found, cnt, ext), SQLITE_OK);
			if (found > 0)
				fail_msg("%s: removed row %lld found", word, (long long)r);
			asked++;
		}
		assert_true(asked > 0);
		nx_fts_seek_free(sk);
	}
	free(w);
}

static void test_deletes(void **state)
{
	sqlite3 *db = open_fts(300);
	int64_t rowid = 0;
	uint64_t *before = NULL;
	size_t nb = 0;
	char sql[160];

	(void)state;
	add_docs(db, &rowid, NDOCS, 0);
	table_rows(db, &before, &nb);
	assert_int_equal(sqlite3_exec(db, "DELETE FROM fts WHERE rowid % 5 = 0", NULL, NULL, NULL), SQLITE_OK);
	removed_mod = 5;
	/* delete flags in the newer segment: each row's newest entry is the row, every word read right */
	assert_int_equal(check_words(db, 0), 1);
	check_removed_lookups(db, before, nb);
	/* updated within one transaction: the delete flag and the row's new positions in one entry */
	assert_int_equal(sqlite3_exec(db,
				      "BEGIN; UPDATE fts SET body = body || ' w3' WHERE rowid % 7 = 1; COMMIT",
				      NULL, NULL, NULL),
			 SQLITE_OK);
	assert_int_equal(check_words(db, 0), 1);
	/* the last rows removed: their old entries lie past the table's last rowid */
	removed_from = rowid - 40000;
	snprintf(sql, sizeof(sql), "DELETE FROM fts WHERE rowid >= %lld", (long long)removed_from);
	assert_int_equal(sqlite3_exec(db, sql, NULL, NULL, NULL), SQLITE_OK);
	assert_int_equal(check_words(db, 0), 1);
	check_removed_lookups(db, before, nb);
	/* removed rows added again in a later transaction, with other words: two or three entries of a row */
	assert_int_equal(sqlite3_exec(db,
				      "INSERT INTO fts(rowid, body, title) SELECT rowid - 1, 'w2 w5 w9 w2', 'w1'"
				      " FROM fts WHERE (rowid - 1) % 5 = 0 AND rowid % 3 = 0",
				      NULL, NULL, NULL),
			 SQLITE_OK);
	assert_true(sqlite3_changes(db) > 50);
	assert_int_equal(check_words(db, 0), 1);
	/* merged into one segment, the removed rows are gone: every word read */
	assert_int_equal(sqlite3_exec(db, "INSERT INTO fts(fts) VALUES('optimize')", NULL, NULL, NULL), SQLITE_OK);
	removed_mod = 0;
	removed_from = INT64_MAX;
	assert_int_equal(check_words(db, 0), 1);
	/* a merge under way: read right or given up */
	add_docs(db, &rowid, 600, 50);
	assert_int_equal(sqlite3_exec(db, "INSERT INTO fts(fts, rank) VALUES('merge', 3)", NULL, NULL, NULL),
			 SQLITE_OK);
	check_words(db, 1);
	free(before);
	sqlite3_close(db);
}

static void test_write_transaction(void **state)
{
	sqlite3 *db = open_fts(1000);
	int64_t rowid = 0, rows = 0;
	uint64_t *w = NULL;
	size_t nw = 0;

	(void)state;
	add_docs(db, &rowid, 200, 0);
	assert_int_equal(sqlite3_exec(db, "BEGIN; INSERT INTO fts(rowid, body) VALUES(99999999, 'w1 w2')", NULL, NULL,
				      NULL),
			 SQLITE_OK);
	assert_int_equal(nx_fts_rows(db, "w1", 2, &w, &nw, &rows), SQLITE_OK);
	assert_int_equal(rows, -1); /* the new row is only in FTS5's memory */
	assert_int_equal(sqlite3_exec(db, "COMMIT", NULL, NULL, NULL), SQLITE_OK);
	free(w);
	w = NULL;
	nw = 0;
	assert_int_equal(nx_fts_rows(db, "w1", 2, &w, &nw, &rows), SQLITE_OK);
	assert_true(rows > 0);
	assert_true(99999999 >> 6 < (int64_t)nw && (w[99999999 >> 6] >> (99999999 & 63) & 1));
	free(w);
	sqlite3_close(db);
}

/* Leaves and the structure record damaged at random: no crash, no read past them (ASan). */
static void test_damaged(void **state)
{
	sqlite3 *db = open_fts(150);
	int64_t rowid = 0;
	sqlite3_stmt *s = NULL, *u = NULL;
	int round = 0;

	(void)state;
	add_docs(db, &rowid, 400, 0);
	assert_int_equal(sqlite3_prepare_v2(db, "SELECT id, block FROM fts_data ORDER BY random() LIMIT 1", -1, &s,
					    NULL),
			 SQLITE_OK);
	assert_int_equal(sqlite3_prepare_v2(db, "UPDATE fts_data SET block = ? WHERE id = ?", -1, &u, NULL), SQLITE_OK);
	for (round = 0; round < 300; round++) {
		unsigned char blk[8192];
		int n = 0, j = 0, k = 0;
		int64_t id = 0, rows = 0;
		uint64_t *w = NULL;
		size_t nw = 0;
		char word[16];

		sqlite3_reset(s);
		assert_int_equal(sqlite3_step(s), SQLITE_ROW);
		id = sqlite3_column_int64(s, 0);
		n = sqlite3_column_bytes(s, 1);
		if (n <= 0 || n > (int)sizeof(blk))
			continue;
		memcpy(blk, sqlite3_column_blob(s, 1), (size_t)n);
		for (j = 0; j < 3; j++)
			blk[rnd() % (unsigned)n] = (unsigned char)rnd();
		if (rnd() % 4 == 0)
			n = (int)(rnd() % (unsigned)n); /* cut short */
		sqlite3_reset(u);
		sqlite3_bind_blob(u, 1, blk, n, SQLITE_TRANSIENT);
		sqlite3_bind_int64(u, 2, id);
		assert_int_equal(sqlite3_step(u), SQLITE_DONE);
		for (k = 0; k < 20; k++) {
			int rc = 0;

			snprintf(word, sizeof(word), "w%u", rnd() % NWORDS);
			rc = nx_fts_rows(db, word, strlen(word), &w, &nw, &rows);
			assert_true(rc == SQLITE_OK || rc == SQLITE_RANGE);
			{
				inst_rows got = { 0 };

				nx_fts_seek *sk = NULL;
				int64_t at = 0;

				assert_int_equal(nx_fts_rows_each(db, word, strlen(word), 2, each_row, &got, &rows),
						 SQLITE_OK);
				free(got.r);
				assert_int_equal(nx_fts_seek_open(db, word, strlen(word), 2, &sk), SQLITE_OK);
				for (at = 0; sk != NULL && at < 60000; at += 1 + (int64_t)(rnd() % 3000)) {
					int32_t cnt[2], ext[2];
					int found = 0;

					assert_int_equal(nx_fts_seek_row(sk, at, &found, cnt, ext), SQLITE_OK);
				}
				nx_fts_seek_free(sk);
			}
		}
		free(w);
	}
	sqlite3_finalize(s);
	sqlite3_finalize(u);
	sqlite3_close(db);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_one_segment),
		cmocka_unit_test(test_segments),
		cmocka_unit_test(test_deletes),
		cmocka_unit_test(test_write_transaction),
		cmocka_unit_test(test_damaged),
		cmocka_unit_test(test_lookups_answer),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

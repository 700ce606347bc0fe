/*
 * fuzz_ftspages.c - fuzz target: the reader of FTS5's leaf pages
 * (nx_fts_rows, src/search/fts_rows.c).
 *
 * An index file can be damaged, and the reader walks FTS5's pages with
 * offsets it finds in them.  A small FTS5 table is made once in memory
 * (a page size of 64 bytes: lists over many leaves, a row whose positions
 * run over several); each input then replaces one of its records: the
 * first byte picks the record (the structure record, or a leaf), the rest
 * is the record's new bytes.  Every word is read, and the record put back.
 * Checks: no crash or read out of bounds (the sanitizers), a read gives
 * SQLITE_OK or SQLITE_RANGE, and its rows are never past the table's
 * largest rowid.
 */
#include "fuzz_common.h"
#include "search/fts_rows.h"

#include <sqlite3.h>

#define FUZZ_WORDS 12
#define FUZZ_MAX_RECORDS 4096

static sqlite3 *db;
static int64_t ids[FUZZ_MAX_RECORDS];
static size_t nids;

static void setup(void)
{
	sqlite3_stmt *s = NULL;
	char body[4096];
	int d = 0, i = 0;

	if (sqlite3_open(":memory:", &db) != SQLITE_OK ||
	    sqlite3_exec(db,
			 "CREATE VIRTUAL TABLE fts USING fts5(body, title);"
			 "INSERT INTO fts(fts, rank) VALUES('pgsz', 64);"
			 "INSERT INTO fts(fts, rank) VALUES('automerge', 0);"
			 "BEGIN",
			 NULL, NULL, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(db, "INSERT INTO fts(rowid, body, title) VALUES(?, ?, 'w1 w2')", -1, &s, NULL) != SQLITE_OK)
		fuzz_fail("cannot make the FTS5 table", sqlite3_errmsg(db));
	for (d = 1; d <= 120; d++) {
		size_t at = 0;

		for (i = 0; i < (d == 60 ? 300 : 3 + d % 9); i++)
			at += (size_t)snprintf(body + at, sizeof(body) - at, "w%d ", (i * 7 + d) % (1 + d % FUZZ_WORDS));
		sqlite3_reset(s);
		sqlite3_bind_int64(s, 1, (int64_t)d * (d % 10 == 0 ? 20011 : 3));
		sqlite3_bind_text(s, 2, body, (int)at, SQLITE_STATIC);
		if (sqlite3_step(s) != SQLITE_DONE)
			fuzz_fail("cannot fill the FTS5 table", sqlite3_errmsg(db));
		if (d % 40 == 0 && sqlite3_exec(db, "COMMIT; BEGIN", NULL, NULL, NULL) != SQLITE_OK)
			fuzz_fail("cannot commit", sqlite3_errmsg(db));
	}
	sqlite3_finalize(s);
	if (sqlite3_exec(db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(db, "SELECT id FROM fts_data WHERE id >= 10 ORDER BY id", -1, &s, NULL) != SQLITE_OK)
		fuzz_fail("cannot list the records", sqlite3_errmsg(db));
	while (sqlite3_step(s) == SQLITE_ROW && nids < FUZZ_MAX_RECORDS)
		ids[nids++] = sqlite3_column_int64(s, 0);
	sqlite3_finalize(s);
}

/* Record id's bytes set to data (n bytes). */
#define FUZZ_COLS 2

/* A row read with its instances: its rowid within the table's, counts that are counts. */
static int fuzz_row(void *ud, int64_t rowid, const int32_t *cnt, const int32_t *ext)
{
	int c = 0;

	(void)ud;
	if (rowid < 1 || rowid > 120 * 20011)
		fuzz_fail("a row past the table's largest", "(with instances)");
	for (c = 0; c < FUZZ_COLS; c++)
		if (cnt[c] < 0 || ext[c] < 0 || (cnt[c] == 0) != (ext[c] == 0))
			fuzz_fail("an instance count that is not one", "(with instances)");
	return SQLITE_OK;
}

/* A row with its positions: one of the rows asked for, its bytes read through (ASan sees a read past them). */
static int fuzz_pos(void *ud, int64_t rowid, const unsigned char *pos, size_t n)
{
	volatile unsigned sum = 0;
	size_t i = 0;

	(void)ud;
	if (rowid < 1 || rowid >= 64 * 64 || (rowid & 1) != 0)
		fuzz_fail("a row not asked for", "(with positions)");
	for (i = 0; i < n; i++)
		sum += pos[i];
	(void)sum;
	return SQLITE_OK;
}

static void put(int64_t id, const void *data, int n)
{
	sqlite3_stmt *s = NULL;

	if (sqlite3_prepare_v2(db, "UPDATE fts_data SET block = ?1 WHERE id = ?2", -1, &s, NULL) != SQLITE_OK)
		fuzz_fail("cannot prepare the update", sqlite3_errmsg(db));
	sqlite3_bind_blob(s, 1, data, n, SQLITE_TRANSIENT);
	sqlite3_bind_int64(s, 2, id);
	if (sqlite3_step(s) != SQLITE_DONE)
		fuzz_fail("cannot update a record", sqlite3_errmsg(db));
	sqlite3_finalize(s);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	sqlite3_stmt *s = NULL;
	unsigned char *old = NULL;
	int64_t id = 0;
	int nold = 0, k = 0;

	if (db == NULL)
		setup();
	if (size < 1 || nids == 0)
		return 0;
	id = ids[data[0] % nids];
	if (sqlite3_prepare_v2(db, "SELECT block FROM fts_data WHERE id = ?", -1, &s, NULL) != SQLITE_OK)
		fuzz_fail("cannot prepare the read", sqlite3_errmsg(db));
	sqlite3_bind_int64(s, 1, id);
	if (sqlite3_step(s) == SQLITE_ROW && (nold = sqlite3_column_bytes(s, 0)) > 0 && (old = malloc((size_t)nold)) != NULL)
		memcpy(old, sqlite3_column_blob(s, 0), (size_t)nold);
	sqlite3_finalize(s);
	if (old == NULL)
		return 0;
	put(id, data + 1, (int)(size - 1 < 65536 ? size - 1 : 65536));
	for (k = 0; k <= FUZZ_WORDS; k++) {
		char word[16];
		uint64_t *w = NULL;
		size_t nw = 0, i = 0;
		int64_t rows = 0;
		int rc = 0;

		snprintf(word, sizeof(word), "w%d", k);
		rc = nx_fts_rows(db, word, strlen(word), &w, &nw, &rows);
		if (rc != SQLITE_OK && rc != SQLITE_RANGE)
			fuzz_fail("the reader failed with", sqlite3_errstr(rc));
		/* 120 rows, the largest rowid 120 * 20011: no bit past it */
		for (i = (size_t)(120 * 20011) / 64 + 1; rc == SQLITE_OK && rows >= 0 && i < nw; i++)
			if (w[i] != 0)
				fuzz_fail("a row past the table's largest", word);
		free(w);
		/* with instances: no crash, each row's counts within its positions' bytes */
		rows = 0;
		rc = nx_fts_rows_each(db, word, strlen(word), FUZZ_COLS, fuzz_row, NULL, &rows);
		if (rc != SQLITE_OK)
			fuzz_fail("the reader with instances failed with", sqlite3_errstr(rc));
		/* with positions, the rows of every other rowid: no crash, the bytes within the pages read */
		{
			uint64_t keep[64];

			memset(keep, 0x55, sizeof(keep));
			rows = 0;
			rc = nx_fts_rows_pos(db, word, strlen(word), keep, sizeof(keep) / sizeof(keep[0]), fuzz_pos, NULL,
					     &rows);
			if (rc != SQLITE_OK)
				fuzz_fail("the reader with positions failed with", sqlite3_errstr(rc));
		}
		/* lookups of single rows, every table row and some between */
		{
			nx_fts_seek *sk = NULL;
			int64_t r = 0;

			if ((rc = nx_fts_seek_open(db, word, strlen(word), FUZZ_COLS, &sk)) != SQLITE_OK)
				fuzz_fail("the lookups' open failed with", sqlite3_errstr(rc));
			for (r = 0; sk != NULL && r <= 121; r++) {
				int32_t cnt[FUZZ_COLS], ext[FUZZ_COLS];
				int found = 0;
				int64_t at = r % 10 == 0 ? r * 20011 : r % 7 == 3 ? r * 3 + 1 : r * 3;

				if ((rc = nx_fts_seek_row(sk, at, &found, cnt, ext)) != SQLITE_OK)
					fuzz_fail("a lookup failed with", sqlite3_errstr(rc));
				if (found > 0)
					fuzz_row(NULL, at, cnt, ext);
			}
			/* the marks of a split: ascending, whatever the doclist index says */
			if (sk != NULL) {
				int64_t *m = NULL;
				size_t nm = 0, i = 0;

				if ((rc = nx_fts_seek_marks(sk, &m, &nm)) != SQLITE_OK)
					fuzz_fail("the marks failed with", sqlite3_errstr(rc));
				for (i = 1; i < nm; i++)
					if (m[i] < m[i - 1])
						fuzz_fail("marks not ascending", word);
				free(m);
			}
			nx_fts_seek_free(sk);
		}
	}
	put(id, old, nold);
	free(old);
	return 0;
}

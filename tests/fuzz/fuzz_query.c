/*
 * fuzz_query.c - fuzz target: the query compiler (nx_query_compile).
 *
 * The promise of newsidx/query.h: any string is a valid query.  Every
 * expression it compiles (fts and relaxed) is run through FTS5 MATCH on an
 * empty table with the real tokenizer; an FTS5 syntax error is a bug.
 */
#include <sqlite3.h>

#include "fuzz_common.h"
#include "newsidx/query.h"
#include "index/tokenizer.h"

static sqlite3 *db;
static sqlite3_stmt *match;

static void open_db(void)
{
	if (db != NULL)
		return;
	if (sqlite3_open(":memory:", &db) != SQLITE_OK || nx_tokenizer_register(db) != SQLITE_OK ||
	    sqlite3_exec(db, "CREATE VIRTUAL TABLE fts USING fts5(title, body, captions, credits,"
			 " tokenize='nx');", NULL, NULL, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(db, "SELECT rowid FROM fts WHERE fts MATCH ?1", -1, &match, NULL) != SQLITE_OK) {
		fprintf(stderr, "fuzz: cannot set up FTS5: %s\n", db != NULL ? sqlite3_errmsg(db) : "?");
		abort();
	}
}

static void check_expr(const char *expr, const char *what)
{
	int rc = 0;

	if (expr == NULL)
		return;
	fuzz_check_str(what, expr);
	sqlite3_bind_text(match, 1, expr, -1, SQLITE_STATIC);
	rc = sqlite3_step(match);
	if (rc != SQLITE_DONE && rc != SQLITE_ROW) {
		fprintf(stderr, "fuzz: FTS5 rejects %s '%s': %s\n", what, expr, sqlite3_errmsg(db));
		abort();
	}
	sqlite3_reset(match);
	sqlite3_clear_bindings(match);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	nx_query *q = NULL;
	nx_error err = NX_ERROR_INIT;
	char *text = NULL;

	open_db();
	text = malloc(size + 1);
	if (text == NULL)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	if (nx_query_compile(&q, text, &err) == NX_OK) {
		check_expr(q->fts, "fts");
		check_expr(q->relaxed, "relaxed");
		nx_query_free(q);
	} else if (q != NULL) {
		fuzz_fail("failed compile left a query", text);
	}
	free(text);
	return 0;
}

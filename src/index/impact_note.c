/*
 * impact_note.c - a removal's note (see impact.h, nx_impact__note_removal):
 * before an article at or below the mark is removed, which lists' words
 * (their expressions, not a twin's) it holds, kept as row -rowid of
 * impact_state for nx_impact__gone_df.  The row's text is tokenized once
 * by the index's own tokenizer (kept per connection: nx_tokenizer_kept)
 * and each list's word looked up in its tokens; one FTS5 query per word
 * (267 at 1M, some twenty times the cost of the removal itself) is kept
 * for expressions other than one quoted word and as the check
 * (test_notes_from_tokens).
 */
#include "index/impact.h"

#include <stdlib.h>
#include <string.h>

#include "index/tokenizer.h"
#include "util/buf.h"

/* The lists' expressions the row holds, one FTS5 query each, after b's 1 and newline: SQLITE_OK or an error. */
static int held_each(sqlite3 *db, int64_t rowid, nx_buf *b)
{
	sqlite3_stmt *words = NULL, *has = NULL;
	int rc = SQLITE_OK, step = SQLITE_DONE;

	if ((rc = sqlite3_prepare_v2(db, "SELECT expr FROM impact WHERE twin IS NULL", -1, &words, NULL)) != SQLITE_OK ||
	    (rc = sqlite3_prepare_v2(db, "SELECT 1 FROM fts WHERE fts MATCH ?1 AND rowid = ?2", -1, &has, NULL)) != SQLITE_OK)
		goto done;
	sqlite3_bind_int64(has, 2, rowid);
	while ((step = sqlite3_step(words)) == SQLITE_ROW) {
		const char *e = (const char *)sqlite3_column_text(words, 0);

		sqlite3_reset(has);
		sqlite3_bind_text(has, 1, e, -1, SQLITE_STATIC);
		if ((rc = sqlite3_step(has)) == SQLITE_ROW) {
			nx_buf_add(b, e, strlen(e));
			nx_buf_addch(b, '\n');
		} else if (rc != SQLITE_DONE) {
			goto done;
		}
	}
	rc = step == SQLITE_DONE ? SQLITE_OK : sqlite3_errcode(db);
done:
	sqlite3_finalize(words);
	sqlite3_finalize(has);
	return rc;
}

/* The tokens of a row's text (each once, sorted), or of one phrase of a query (in order, colocated marked). */
typedef struct held_toks {
	char **tok;
	size_t n, cap;
	int query;   /* a phrase: more than one token (not colocated) is counted in split */
	int split;
	int failed;
} held_toks;

static int held_tok(void *ctx, int flags, const char *tok, int ntok, int start, int end)
{
	held_toks *t = ctx;

	(void)start;
	(void)end;
	if (t->query && t->n > 0 && !(flags & FTS5_TOKEN_COLOCATED))
		t->split = 1;
	if (t->n == t->cap) {
		char **g = realloc(t->tok, (t->cap = t->cap ? 2 * t->cap : 256) * sizeof(*g));

		if (g == NULL) {
			t->failed = 1;
			return SQLITE_NOMEM;
		}
		t->tok = g;
	}
	if ((t->tok[t->n] = malloc((size_t)ntok + 1)) == NULL) {
		t->failed = 1;
		return SQLITE_NOMEM;
	}
	memcpy(t->tok[t->n], tok, (size_t)ntok);
	t->tok[t->n++][ntok] = '\0';
	return SQLITE_OK;
}

static void held_toks_free(held_toks *t)
{
	size_t i = 0;

	for (i = 0; i < t->n; i++)
		free(t->tok[i]);
	free(t->tok);
	memset(t, 0, sizeof(*t));
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/*
 * The same as held_each from the row's text tokenized once by the index's
 * tokenizer: an expression of one quoted word held when one of the
 * tokens the query side makes of it (its stems, colocated) is one of the
 * row's.  1, 0 when an expression is not one such word or the row's text
 * is not there (held_each then), -1 on an error.
 */
static int held_tokens(sqlite3 *db, int64_t rowid, nx_buf *b)
{
	fts5_tokenizer tapi;
	Fts5Tokenizer *tk = NULL;
	sqlite3_stmt *src = NULL, *words = NULL;
	held_toks doc = { 0 };
	size_t i = 0, j = 0, k = 0;
	int rc = -1, c = 0, step = SQLITE_DONE;

	if (nx_tokenizer_kept(db, &tk, &tapi) != SQLITE_OK)
		return -1;
	if (sqlite3_prepare_v2(db, "SELECT body, title, captions, credits FROM fts_src WHERE id = ?1", -1, &src, NULL) !=
		    SQLITE_OK ||
	    sqlite3_prepare_v2(db, "SELECT expr FROM impact WHERE twin IS NULL", -1, &words, NULL) != SQLITE_OK)
		goto done;
	sqlite3_bind_int64(src, 1, rowid);
	if ((step = sqlite3_step(src)) != SQLITE_ROW) {
		rc = step == SQLITE_DONE ? 0 : -1;
		goto done;
	}
	for (c = 0; c < sqlite3_column_count(src); c++) {
		const char *text = (const char *)sqlite3_column_text(src, c);

		if (text != NULL &&
		    tapi.xTokenize(tk, &doc, FTS5_TOKENIZE_DOCUMENT, text, sqlite3_column_bytes(src, c), held_tok) != SQLITE_OK)
			goto done;
	}
	if (doc.failed)
		goto done;
	qsort(doc.tok, doc.n, sizeof(*doc.tok), cmp_str);
	for (i = 0, j = 0; i < doc.n; i++) {
		if (j > 0 && strcmp(doc.tok[j - 1], doc.tok[i]) == 0)
			free(doc.tok[i]);
		else
			doc.tok[j++] = doc.tok[i];
	}
	doc.n = j;
	rc = 1;
	while (rc == 1 && (step = sqlite3_step(words)) == SQLITE_ROW) {
		const char *e = (const char *)sqlite3_column_text(words, 0);
		size_t len = (size_t)sqlite3_column_bytes(words, 0);
		held_toks q = { 0 };
		int has = 0;

		/* one word between quotes, nothing else */
		if (e == NULL || len < 3 || e[0] != '"' || e[len - 1] != '"' || memchr(e + 1, '"', len - 2) != NULL) {
			rc = 0;
			break;
		}
		q.query = 1;
		if (tapi.xTokenize(tk, &q, FTS5_TOKENIZE_QUERY, e + 1, (int)len - 2, held_tok) != SQLITE_OK || q.failed)
			rc = -1;
		else if (q.split || q.n == 0)
			rc = 0;
		for (k = 0; rc == 1 && k < q.n && !has; k++)
			has = bsearch(&q.tok[k], doc.tok, doc.n, sizeof(*doc.tok), cmp_str) != NULL;
		if (rc == 1 && has) {
			nx_buf_add(b, e, len);
			nx_buf_addch(b, '\n');
		}
		held_toks_free(&q);
	}
	if (rc == 1 && step != SQLITE_DONE && step != SQLITE_ROW)
		rc = -1;
done:
	held_toks_free(&doc);
	sqlite3_finalize(src);
	sqlite3_finalize(words);
	return rc;
}

char *nx_impact__held(sqlite3 *db, int64_t rowid, int each)
{
	nx_buf b = NX_BUF_INIT;
	size_t at = 0;
	int rc = 0;

	nx_buf_add(&b, "\x01\n", 2);
	at = b.len;
	if (!each && (rc = held_tokens(db, rowid, &b)) == 0)
		nx_buf_truncate(&b, at); /* an expression not one word: one query each */
	if ((each || rc == 0) && held_each(db, rowid, &b) != SQLITE_OK)
		rc = -1;
	if (rc < 0 || !nx_buf_ok(&b)) {
		nx_buf_free(&b);
		return NULL;
	}
	return nx_buf_detach(&b);
}

int nx_impact__note_removal(sqlite3 *db, int64_t rowid)
{
	sqlite3_stmt *s = NULL, *put = NULL;
	char *note = NULL;
	int rc = SQLITE_OK, step = SQLITE_DONE;

	/* a row at or below the mark (no table, no mark: nothing to note) */
	if (sqlite3_prepare_v2(db, "SELECT 1 FROM impact_state WHERE id = 5 AND ?1 <= totals", -1, &s, NULL) != SQLITE_OK)
		return SQLITE_OK;
	sqlite3_bind_int64(s, 1, rowid);
	step = sqlite3_step(s);
	sqlite3_finalize(s);
	if (step != SQLITE_ROW)
		return step == SQLITE_DONE ? SQLITE_OK : sqlite3_errcode(db);
	/* 1, then each list's expression (not a twin's) the row matches, each between newlines */
	if ((note = nx_impact__held(db, rowid, 0)) == NULL)
		return sqlite3_errcode(db) != SQLITE_OK ? sqlite3_errcode(db) : SQLITE_NOMEM;
	if ((rc = sqlite3_prepare_v2(db, "INSERT OR REPLACE INTO impact_state(id, totals) VALUES (?1, ?2)", -1, &put,
				     NULL)) == SQLITE_OK) {
		sqlite3_bind_int64(put, 1, -rowid);
		sqlite3_bind_blob(put, 2, note, (int)strlen(note), SQLITE_STATIC);
		rc = sqlite3_step(put) == SQLITE_DONE ? SQLITE_OK : sqlite3_errcode(db);
	}
	sqlite3_finalize(put);
	free(note);
	return rc;
}

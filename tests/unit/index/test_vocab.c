/*
 * test_vocab.c - the words of "did you mean" in blocks (vocab_blocks.c):
 * counts added over several commits, blocks split and merged, the SQL
 * table vocab over them (=, ranges, order), an index of the older layout
 * (a table vocab) read as it is and converted by its first writer; the
 * words counted in the tokenizer's pass (nx_word_sink) as split counts them.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "index/store_private.h"
#include "index/tokenizer.h"
#include "util/buf.h"

#define NWORDS 1500

typedef struct fixture {
	char dir[64], path[96];
	nx_store *st;
} fixture;

/* Word i: "q" and three letters, in the order of i. */
static void word(char out[8], int i)
{
	out[0] = 'q';
	out[1] = (char)('a' + i / 676);
	out[2] = (char)('a' + i / 26 % 26);
	out[3] = (char)('a' + i % 26);
	out[4] = '\0';
}

static int64_t q_int(sqlite3 *db, const char *sql, const char *a, const char *b)
{
	sqlite3_stmt *s = NULL;
	int64_t v = -1;

	assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &s, NULL), SQLITE_OK);
	if (a != NULL)
		sqlite3_bind_text(s, 1, a, -1, SQLITE_STATIC);
	if (b != NULL)
		sqlite3_bind_text(s, 2, b, -1, SQLITE_STATIC);
	if (sqlite3_step(s) == SQLITE_ROW)
		v = sqlite3_column_int64(s, 0);
	sqlite3_finalize(s);
	return v;
}

/* Count the words of text in a transaction of their own. */
static void note(nx_store *st, const char *text)
{
	nx_error err = NX_ERROR_INIT;

	assert_int_equal(nx_store_begin(st, &err), NX_OK);
	assert_int_equal(nx_store__vocab_note(st, text), NX_OK);
	assert_int_equal(nx_store_commit(st, &err), NX_OK);
}

/*
 * Every even word, then (with "Qaaa" capitalised) every word once, then
 * the odd ones in reverse order: even words twice, odd words twice too
 * but over blocks written before.
 */
static int setup(void **state)
{
	fixture *f = calloc(1, sizeof(*f));
	nx_error err = NX_ERROR_INIT;
	nx_buf t = NX_BUF_INIT;
	char w[8];
	int i = 0;

	if (f == NULL)
		return -1;
	snprintf(f->dir, sizeof(f->dir), "/tmp/nx-test-vocab-XXXXXX");
	if (mkdtemp(f->dir) == NULL)
		return -1;
	snprintf(f->path, sizeof(f->path), "%s/index.db", f->dir);
	if (nx_store_open(&f->st, f->path, NX_STORE_WRITE, &err) != NX_OK)
		return -1;
	for (i = 0; i < NWORDS; i += 2) {
		word(w, i);
		nx_buf_addf(&t, "%s ", w);
	}
	note(f->st, t.buf);
	nx_buf_reset(&t);
	nx_buf_adds(&t, "Qaaa ");
	for (i = 1; i < NWORDS; i++) {
		word(w, i);
		nx_buf_addf(&t, "%s ", w);
	}
	note(f->st, t.buf);
	nx_buf_reset(&t);
	for (i = NWORDS - 1; i > 0; i -= 2) {
		word(w, i);
		nx_buf_addf(&t, "%s ", w);
	}
	note(f->st, t.buf);
	nx_buf_free(&t);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	fixture *f = *state;
	char cmd[128];

	nx_store_close(f->st);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", f->dir);
	if (system(cmd) != 0)
		return -1;
	free(f);
	return 0;
}

/* What every reader sees, whatever the layout. */
static void same_words(sqlite3 *db)
{
	sqlite3_stmt *s = NULL;
	char w[8];
	int i = 0;

	assert_int_equal(q_int(db, "SELECT count(*) FROM vocab", NULL, NULL), NWORDS);
	assert_int_equal(q_int(db, "SELECT sum(n) FROM vocab", NULL, NULL), 2 * NWORDS);
	assert_int_equal(q_int(db, "SELECT sum(cap) FROM vocab", NULL, NULL), 1);
	assert_int_equal(q_int(db, "SELECT cap FROM vocab WHERE w = 'qaaa'", NULL, NULL), 1);
	assert_int_equal(q_int(db, "SELECT n FROM vocab WHERE w = ?1", "qbcd", NULL), 2);
	assert_int_equal(q_int(db, "SELECT count(*) FROM vocab WHERE w = ?1", "qbc", NULL), 0);
	assert_int_equal(q_int(db, "SELECT count(*) FROM vocab WHERE w = ?1", "zzzz", NULL), 0);
	assert_int_equal(q_int(db, "SELECT count(*) FROM vocab WHERE w = ?1", "a", NULL), 0);
	/* the ranges "did you mean" reads: words from one letter pair to the next */
	assert_int_equal(q_int(db, "SELECT count(*) FROM vocab WHERE w >= ?1 AND w < ?2", "qb", "qc"), 676);
	assert_int_equal(q_int(db, "SELECT count(*) FROM vocab WHERE w >= ?1 AND w < ?2", "qab", "qac"), 26);
	assert_int_equal(q_int(db, "SELECT count(*) FROM vocab WHERE w > ?1 AND w <= ?2", "qaaa", "qaaz"), 25);
	assert_int_equal(q_int(db, "SELECT count(*) FROM vocab WHERE w >= ?1", "qcaa", NULL), NWORDS - 1352);
	assert_int_equal(q_int(db, "SELECT count(*) FROM vocab WHERE w < ?1", "qaba", NULL), 26);
	assert_int_equal(q_int(db, "SELECT count(*) FROM vocab WHERE w LIKE 'qa%'", NULL, NULL), 676);
	/* every word, in order */
	assert_int_equal(sqlite3_prepare_v2(db, "SELECT w, n FROM vocab ORDER BY w", -1, &s, NULL), SQLITE_OK);
	for (i = 0; sqlite3_step(s) == SQLITE_ROW; i++) {
		word(w, i);
		assert_string_equal((const char *)sqlite3_column_text(s, 0), w);
		assert_int_equal(sqlite3_column_int64(s, 1), 2);
	}
	sqlite3_finalize(s);
	assert_int_equal(i, NWORDS);
}

static void test_blocks_read_as_a_table(void **state)
{
	fixture *f = *state;

	assert_int_equal(nx_store__vocab_ready(f->st), 1);
	assert_int_equal(q_int(f->st->db, "SELECT value FROM meta WHERE key = 'vocab'", NULL, NULL), 2);
	/* blocks of at most 128 words, fewer rows than words */
	assert_true(q_int(f->st->db, "SELECT count(*) FROM vocab_block", NULL, NULL) >= NWORDS / 128);
	assert_true(q_int(f->st->db, "SELECT count(*) FROM vocab_block", NULL, NULL) <= NWORDS / 32);
	same_words(f->st->db);
}

static void test_compact(void **state)
{
	fixture *f = *state;
	nx_error err = NX_ERROR_INIT;
	nx_buf t = NX_BUF_INIT;
	char w[8];
	int k = 0, j = 0;

	/* 12 blocks of 125 words; 4 more in each: 24 blocks of about 64 */
	assert_int_equal(q_int(f->st->db, "SELECT count(*) FROM vocab_block", NULL, NULL), 12);
	for (k = 0; k < 12; k++)
		for (j = 0; j < 4; j++) {
			word(w, 125 * k + j);
			nx_buf_addf(&t, "%sx ", w);
		}
	note(f->st, t.buf);
	nx_buf_free(&t);
	assert_int_equal(q_int(f->st->db, "SELECT count(*) FROM vocab_block", NULL, NULL), 24);
	/* rewritten, every block but the last holds 128 */
	assert_int_equal(nx_store_begin(f->st, &err), NX_OK);
	assert_int_equal(nx_store__vocab_compact(f->st, &err), NX_OK);
	assert_int_equal(nx_store_commit(f->st, &err), NX_OK);
	assert_int_equal(q_int(f->st->db, "SELECT count(*) FROM vocab_block", NULL, NULL), (NWORDS + 48 + 127) / 128);
	/* the full ones deflated (a zlib stream each); the last, of 12 words, deflates to no less */
	assert_int_equal(q_int(f->st->db, "SELECT count(*) FROM vocab_block WHERE substr(z, 1, 1) = X'78'", NULL, NULL),
			 (NWORDS + 48) / 128);
	assert_int_equal(q_int(f->st->db, "SELECT count(*) FROM vocab", NULL, NULL), NWORDS + 48);
	assert_int_equal(q_int(f->st->db, "SELECT sum(n) FROM vocab", NULL, NULL), 2 * NWORDS + 48);
	assert_int_equal(q_int(f->st->db, "SELECT n FROM vocab WHERE w = 'qaaax'", NULL, NULL), 1);
	assert_int_equal(q_int(f->st->db, "SELECT cap FROM vocab WHERE w = 'qaaa'", NULL, NULL), 1);
	note(f->st, "qzzz qaaa");
	assert_int_equal(q_int(f->st->db, "SELECT n FROM vocab WHERE w = 'qaaa'", NULL, NULL), 3);
	assert_int_equal(q_int(f->st->db, "SELECT n FROM vocab WHERE w = 'qzzz'", NULL, NULL), 1);
}

static void test_rebuild_counts_again(void **state)
{
	fixture *f = *state;
	nx_error err = NX_ERROR_INIT;

	/* no article holds these words: optimize's count leaves none */
	assert_int_equal(nx_store__vocab_rebuild(f->st, &err), NX_OK);
	assert_int_equal(q_int(f->st->db, "SELECT count(*) FROM vocab", NULL, NULL), 0);
	assert_int_equal(q_int(f->st->db, "SELECT count(*) FROM vocab_block", NULL, NULL), 0);
	note(f->st, "Harbour harbour ferry");
	assert_int_equal(q_int(f->st->db, "SELECT n FROM vocab WHERE w = 'harbour'", NULL, NULL), 2);
	assert_int_equal(q_int(f->st->db, "SELECT cap FROM vocab WHERE w = 'harbour'", NULL, NULL), 1);
}

static void test_damaged_block(void **state)
{
	fixture *f = *state;
	nx_error err = NX_ERROR_INIT;
	sqlite3_stmt *s = NULL;

	assert_int_equal(sqlite3_exec(f->st->db, "UPDATE vocab_block SET z = X'05ff' WHERE w = (SELECT min(w) FROM vocab_block)",
				      NULL, NULL, NULL),
			 SQLITE_OK);
	/* a reader gets an error, not a crash; a writer says what to do */
	assert_int_equal(sqlite3_prepare_v2(f->st->db, "SELECT count(*) FROM vocab", -1, &s, NULL), SQLITE_OK);
	assert_int_not_equal(sqlite3_step(s), SQLITE_ROW);
	sqlite3_finalize(s);
	assert_int_equal(nx_store_begin(f->st, &err), NX_OK);
	assert_int_equal(nx_store__vocab_note(f->st, "qaaa"), NX_OK);
	assert_int_not_equal(nx_store_commit(f->st, &err), NX_OK);
	assert_non_null(strstr(err.msg, "optimize"));
}

/* The table of round 8: one row a word. */
static void make_old_table(fixture *f)
{
	nx_error err = NX_ERROR_INIT;
	char w[8];
	int i = 0;

	assert_int_equal(nx_store__exec(f->st,
					"CREATE TABLE vocab(w TEXT PRIMARY KEY, n INTEGER NOT NULL, cap INTEGER NOT NULL)"
					" WITHOUT ROWID;"
					"DROP TABLE vocab_block; UPDATE meta SET value = 1 WHERE key = 'vocab'",
					&err, "x"),
			 NX_OK);
	for (i = 0; i < NWORDS; i++) {
		char sql[96];

		word(w, i);
		snprintf(sql, sizeof(sql), "INSERT INTO vocab VALUES('%s', 2, %d)", w, i == 0);
		assert_int_equal(nx_store__exec(f->st, sql, &err, "x"), NX_OK);
	}
	nx_store_close(f->st);
	f->st = NULL;
}

static void test_old_table_read_then_converted(void **state)
{
	fixture *f = *state;
	nx_error err = NX_ERROR_INIT;
	nx_store *ro = NULL;

	make_old_table(f);
	/* a reader reads the table as it is */
	assert_int_equal(nx_store_open(&ro, f->path, NX_STORE_READ, &err), NX_OK);
	assert_int_equal(nx_store__vocab_ready(ro), 1);
	same_words(ro->db);
	nx_store_close(ro);
	/* a writer puts its rows into blocks and drops it */
	assert_int_equal(nx_store_open(&f->st, f->path, NX_STORE_WRITE, &err), NX_OK);
	assert_int_equal(q_int(f->st->db, "SELECT value FROM meta WHERE key = 'vocab'", NULL, NULL), 2);
	assert_int_equal(q_int(f->st->db, "SELECT count(*) FROM sqlite_schema WHERE name = 'vocab'", NULL, NULL), 0);
	same_words(f->st->db);
	note(f->st, "qaab");
	assert_int_equal(q_int(f->st->db, "SELECT n FROM vocab WHERE w = 'qaab'", NULL, NULL), 3);
}

/* The words nx_vocab_split gives, as "word" or "Word" (capital), one a line. */
static void collect(void *ctx, const char *w, size_t n, int capital)
{
	nx_buf *b = ctx;

	nx_buf_add(b, capital ? "^" : "", capital ? 1 : 0);
	nx_buf_add(b, w, n);
	nx_buf_addch(b, '\n');
}

static char *split_all(const char *s, size_t len)
{
	nx_buf b = NX_BUF_INIT;

	nx_vocab_split(s, len, collect, &b);
	nx_buf_addch(&b, '\0');
	assert_true(nx_buf_ok(&b));
	return nx_buf_detach(&b);
}

/*
 * Words read 16 bytes at a time where the text allows (2-15 ASCII
 * letters, then an ASCII separator) and byte by byte elsewhere: the
 * boundaries, lengths and neighbours of that way.
 */
static void test_split_cases(void **state)
{
	static const struct {
		const char *text, *want;
	} cases[] = {
		{ "Reuters said on Monday that profits rose.      ", "^reuters\nsaid\non\n^monday\nthat\nprofits\nrose\n" },
		{ "abcdefghijklmno abcdefghijklmnop abcdefghijklmnopq x",
		  "abcdefghijklmno\nabcdefghijklmnop\nabcdefghijklmnopq\n" },
		{ "abcdefgh abcdefghi ABCDEFGH Abcdefgh aBcdefgh                 ",
		  "abcdefgh\nabcdefghi\nabcdefgh\n^abcdefgh\nabcdefgh\n" },
		{ "price9 of 10 g7 items, a b cd 3d-films ok                      ", "of\nitems\ncd\nfilms\nok\n" },
		{ "caf\xc3\xa9 Stra\xc3\x9f" "e na\xc3\xafve \xd0\x9c\xd0\xbe\xd1\x81\xd0\xba\xd0\xb2\xd0\xb0 zzzzzzzzzzzzzzzz",
		  "caf\xc3\xa9\n^stra\xc3\x9f" "e\nna\xc3\xafve\n\xd0\x9c\xd0\xbe\xd1\x81\xd0\xba\xd0\xb2\xd0\xb0\nzzzzzzzzzzzzzzzz\n" },
		{ "word\xe2\x80\x94word [brackets] `tick` @at {curly} under_score                ",
		  "word\nword\nbrackets\ntick\nat\ncurly\nunder\nscore\n" },
		{ "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa tail",
		  "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\ntail\n" },
	};
	size_t i = 0;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *got = split_all(cases[i].text, strlen(cases[i].text));

		assert_string_equal(got, cases[i].want);
		free(got);
	}
}

/*
 * Random texts of letters, digits, punctuation, UTF-8 and bad bytes: the
 * words of the whole text (read 16 bytes at a time where it can) are
 * those of its pieces between spaces each split alone (under 16 bytes:
 * byte by byte), capitals and all.
 */
static void test_split_fast_and_slow_alike(void **state)
{
	static const char *const atoms[] = { "a", "e", "s", "z", "A", "Q", "Z", "0", "7", ".", ",", "-", "'", "@",
					     "[", "`", "{", "_", "\xc3\xa9", "\xc3\x89", "\xd0\xb4", "\xe2\x80\x94",
					     "\xe3\x80\x81", "\xff", "\x80", "\t" };
	unsigned seed = 12345;
	int round = 0;

	(void)state;
	for (round = 0; round < 300; round++) {
		nx_buf text = NX_BUF_INIT, pieces = NX_BUF_INIT;
		size_t start = 0, i = 0;
		char *whole = NULL;

		while (text.len < 400) {
			size_t piece = 0, want = 0;

			seed = seed * 1103515245u + 12345u;
			want = 1 + (seed >> 16) % 14;
			start = text.len;
			while (text.len - start < want) {
				seed = seed * 1103515245u + 12345u;
				/* mostly letters: long runs of them take the fast way */
				piece = (seed >> 16) % 4 != 0 ? (seed >> 20) % 7 : (seed >> 20) % (sizeof(atoms) / sizeof(atoms[0]));
				if (text.len - start + strlen(atoms[piece]) > 15)
					break;
				nx_buf_adds(&text, atoms[piece]);
			}
			nx_buf_addch(&text, ' ');
		}
		assert_true(nx_buf_ok(&text));
		whole = split_all(text.buf, text.len);
		for (start = 0, i = 0; i <= text.len; i++) {
			if (i == text.len || text.buf[i] == ' ') {
				char *one = split_all(text.buf + start, i - start);

				assert_true(i - start < 16);
				nx_buf_adds(&pieces, one);
				free(one);
				start = i + 1;
			}
		}
		nx_buf_addch(&pieces, '\0');
		assert_true(nx_buf_ok(&pieces));
		assert_string_equal(whole, pieces.buf);
		free(whole);
		nx_buf_free(&pieces);
		nx_buf_free(&text);
	}
}

/*
 * A random text for the one pass: ASCII words (capitals, stop words,
 * digits, 1 to 60 letters, now and then a run of 300), Latin letters
 * with accents, Cyrillic, CJK, punctuation and symbols of several
 * scripts, apostrophes, bad bytes, glued together or apart.
 */
static void random_text(nx_buf *t, unsigned *seed)
{
	static const char *const atoms[] = {
		"the", "The", "of", "THE", "and", "it's", "don't", "Reuters", "said", "US", "May", "a", "I", "x",
		"\xc3\xa9", "\xc3\x89", "\xc3\x9f", "caf\xc3\xa9", "Stra\xc3\x9f" "e", "\xd0\x9c\xd0\xbe\xd1\x81\xd0\xba\xd0\xb2\xd0\xb0",
		"\xe6\x9d\xb1\xe4\xba\xac", "\xe2\x80\x94", "\xe2\x80\x99", "\xc2\xab", "\xc2\xa9", "\xd8\x8c", "\xe3\x80\x81",
		"\xf0\x9f\x98\x80", "\xcc\x81", "\xd9\xa3", "\xff", "\x80", "\xe2\x80", "0", "7", "2024", "3rd",
		" ", " ", " ", " ", ", ", ". ", "-", "'", "_", "\t", "\n", "@", "\"",
	};
	size_t natoms = sizeof(atoms) / sizeof(atoms[0]), k = 0, m = 0;

	while (t->len < 600) {
		*seed = *seed * 1103515245u + 12345u;
		k = (*seed >> 16) % 8;
		if (k == 0) {
			/* an ASCII word of 1 to 60 letters, its first a capital now and then; rarely 300 */
			*seed = *seed * 1103515245u + 12345u;
			m = (*seed >> 16) % 97 == 0 ? 300 : 1 + (*seed >> 16) % 60;
			for (k = 0; k < m; k++) {
				*seed = *seed * 1103515245u + 12345u;
				nx_buf_addch(t, (char)((k == 0 && (*seed >> 24) % 3 == 0 ? 'A' : 'a') + (*seed >> 16) % 26));
			}
		} else {
			*seed = *seed * 1103515245u + 12345u;
			nx_buf_adds(t, atoms[(*seed >> 16) % natoms]);
		}
	}
}

/* A sink's span to the words of nx_vocab_span, collected. */
static void collect_span(void *ctx, const char *s, size_t n, const char *low)
{
	nx_vocab_span(s, n, low, collect, ctx);
}

static sqlite3 *nx_memory_db(void)
{
	sqlite3 *db = NULL;

	assert_int_equal(sqlite3_open(":memory:", &db), SQLITE_OK);
	assert_int_equal(nx_tokenizer_register(db), SQLITE_OK);
	assert_int_equal(nx_tokenizer_set_stopwords(db, 2), SQLITE_OK);
	return db;
}

/*
 * The words the tokenizer's pass hands over (on the parsing thread,
 * nx_pretok_run) are split's words of the text, in order, capitals
 * and all, in every language (stop words are dropped for English tokens
 * only, never for the words counted), over 400 random texts; a marker of
 * another length than the sink's hands over nothing.
 */
static void test_one_pass_words_as_split(void **state)
{
	static const char *const langs[] = { "en", "de", "zh", "xx", "" };
	sqlite3 *db = nx_memory_db();
	nx_pretok *p = nx_pretok_new(db);
	unsigned seed = 4242;
	int round = 0;

	(void)state;
	assert_non_null(p);
	for (round = 0; round < 400; round++) {
		nx_buf text = NX_BUF_INIT, v = NX_BUF_INIT, got = NX_BUF_INIT;
		const char *lang = langs[round % 5];
		nx_word_sink sink = { collect_span, &got, 0, 0, NULL, 0 };
		nx_tape tp;
		char *want = NULL;

		memset(&tp, 0, sizeof(tp));
		nx_buf_init(&tp.rec);
		random_text(&text, &seed);
		nx_lang_mark(&v, lang, text.buf, text.len);
		assert_true(nx_buf_ok(&text) && nx_buf_ok(&v));
		sink.skip = v.len - text.len;
		assert_int_equal(nx_pretok_run(p, v.buf, v.len, &tp, &sink), NX_OK);
		assert_true(sink.used);
		nx_buf_addch(&got, '\0');
		want = split_all(text.buf, text.len);
		assert_string_equal(got.buf, want);
		/* a marker of another length: nothing handed over */
		nx_buf_reset(&got);
		sink.used = 0;
		sink.skip++;
		assert_int_equal(nx_pretok_run(p, v.buf, v.len, &tp, &sink), NX_OK);
		assert_false(sink.used);
		assert_int_equal(got.len, 0);
		free(want);
		nx_buf_free(&got);
		nx_buf_free(&tp.rec);
		nx_buf_free(&v);
		nx_buf_free(&text);
	}
	nx_pretok_free(p);
	sqlite3_close(db);
}

/*
 * The writer's side: a sink offered (nx_tokenizer_offer_words) gets the
 * words of the text FTS5 tokenizes for an insert, the same as split's,
 * and only of that text.
 */
static void test_one_pass_in_fts5(void **state)
{
	sqlite3 *db = nx_memory_db();
	Fts5Tokenizer *tw = NULL;
	fts5_tokenizer api;
	sqlite3_stmt *s = NULL;
	unsigned seed = 99;
	int round = 0;

	(void)state;
	assert_int_equal(nx_tokenizer_kept(db, &tw, &api), SQLITE_OK);
	assert_int_equal(sqlite3_exec(db, "CREATE VIRTUAL TABLE t USING fts5(a, b, tokenize = 'nx')", NULL, NULL, NULL),
			 SQLITE_OK);
	assert_int_equal(sqlite3_prepare_v2(db, "INSERT INTO t(a, b) VALUES(?1, ?2)", -1, &s, NULL), SQLITE_OK);
	for (round = 0; round < 50; round++) {
		nx_buf text = NX_BUF_INIT, v = NX_BUF_INIT, other = NX_BUF_INIT, got = NX_BUF_INIT;
		nx_word_sink sink = { collect_span, &got, 0, 0, NULL, 0 };
		char *want = NULL;

		random_text(&text, &seed);
		nx_lang_mark(&v, "en", text.buf, text.len);
		nx_lang_mark(&other, "en", "other words", 11);
		assert_true(nx_buf_ok(&v) && nx_buf_ok(&other));
		sink.skip = v.len - text.len;
		sink.text = v.buf;
		sink.len = v.len;
		sqlite3_bind_text(s, 1, other.buf, (int)other.len, SQLITE_STATIC);
		sqlite3_bind_text(s, 2, v.buf, (int)v.len, SQLITE_STATIC);
		nx_tokenizer_offer_words(tw, &sink, 1);
		assert_int_equal(sqlite3_step(s), SQLITE_DONE);
		nx_tokenizer_offer_words(tw, NULL, 0);
		sqlite3_reset(s);
		assert_true(sink.used);
		nx_buf_addch(&got, '\0');
		want = split_all(text.buf, text.len);
		assert_string_equal(got.buf, want);
		free(want);
		nx_buf_free(&got);
		nx_buf_free(&other);
		nx_buf_free(&v);
		nx_buf_free(&text);
	}
	sqlite3_finalize(s);
	sqlite3_close(db);
}

/* A copy of the words of the index and their counts, as table name. */
static void vocab_snapshot(sqlite3 *db, const char *name)
{
	char sql[128];

	snprintf(sql, sizeof(sql), "CREATE TEMP TABLE %s AS SELECT w, n, cap FROM vocab", name);
	assert_int_equal(sqlite3_exec(db, sql, NULL, NULL, NULL), SQLITE_OK);
}

/* Adopt *acc into st in a transaction of its own. */
static void adopt(nx_store *st, nx_vocab_acc **acc)
{
	nx_error err = NX_ERROR_INIT;

	assert_int_equal(nx_store_begin(st, &err), NX_OK);
	assert_int_equal(nx_store_vocab_adopt(st, acc, &err), NX_OK);
	assert_int_equal(nx_store_commit(st, &err), NX_OK);
	nx_store_vocab_free(*acc);
	*acc = NULL;
}

/*
 * The counts: 300 random texts counted in the tokenizer's pass into one
 * table, then split and counted (nx_store__vocab_note_acc) into another:
 * each adds to every word of the index what the other adds.
 */
static void test_one_pass_counts_as_split(void **state)
{
	fixture *f = *state;
	nx_pretok *p = nx_pretok_new(f->st->db);
	nx_vocab_acc *one = NULL, *two = NULL;
	unsigned seed = 777, seed2 = 777;
	int round = 0;

	assert_non_null(p);
	vocab_snapshot(f->st->db, "v0");
	for (round = 0; round < 300; round++) {
		nx_buf text = NX_BUF_INIT, v = NX_BUF_INIT;
		nx_word_sink sink = { nx_store__vocab_span, NULL, 0, 0, NULL, 0 };
		nx_tape tp;

		memset(&tp, 0, sizeof(tp));
		nx_buf_init(&tp.rec);
		random_text(&text, &seed);
		nx_lang_mark(&v, "en", text.buf, text.len);
		assert_true(nx_buf_ok(&v));
		assert_int_equal(nx_store__vocab_reserve(&one, text.len), 1);
		sink.ctx = one;
		sink.skip = v.len - text.len;
		assert_int_equal(nx_pretok_run(p, v.buf, v.len, &tp, &sink), NX_OK);
		nx_store__vocab_span_end(one);
		assert_true(sink.used);
		nx_buf_free(&tp.rec);
		nx_buf_free(&v);
		nx_buf_free(&text);
	}
	adopt(f->st, &one);
	vocab_snapshot(f->st->db, "v1");
	for (round = 0; round < 300; round++) {
		nx_buf text = NX_BUF_INIT;

		random_text(&text, &seed2);
		assert_int_equal(nx_store__vocab_note_acc(&two, text.buf, text.len), 1);
		nx_buf_free(&text);
	}
	adopt(f->st, &two);
	vocab_snapshot(f->st->db, "v2");
	/* thousands of words counted, capitals among them */
	assert_true(q_int(f->st->db, "SELECT count(*) FROM v1 WHERE w NOT IN (SELECT w FROM v0)", NULL, NULL) > 1000);
	assert_true(q_int(f->st->db, "SELECT sum(cap) FROM v1", NULL, NULL) > 100);
	assert_int_equal(q_int(f->st->db,
			       "SELECT count(*) FROM v2 LEFT JOIN v1 USING (w) LEFT JOIN v0 USING (w) "
			       "WHERE v2.n - coalesce(v1.n, 0) != coalesce(v1.n, 0) - coalesce(v0.n, 0) "
			       "OR v2.cap - coalesce(v1.cap, 0) != coalesce(v1.cap, 0) - coalesce(v0.cap, 0)",
			       NULL, NULL),
			 0);
	nx_pretok_free(p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_blocks_read_as_a_table, setup, teardown),
		cmocka_unit_test_setup_teardown(test_compact, setup, teardown),
		cmocka_unit_test_setup_teardown(test_rebuild_counts_again, setup, teardown),
		cmocka_unit_test_setup_teardown(test_damaged_block, setup, teardown),
		cmocka_unit_test_setup_teardown(test_old_table_read_then_converted, setup, teardown),
		cmocka_unit_test(test_split_cases),
		cmocka_unit_test(test_split_fast_and_slow_alike),
		cmocka_unit_test(test_one_pass_words_as_split),
		cmocka_unit_test(test_one_pass_in_fts5),
		cmocka_unit_test_setup_teardown(test_one_pass_counts_as_split, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

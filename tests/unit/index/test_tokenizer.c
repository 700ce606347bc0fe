/*
 * test_tokenizer.c - the "nx" FTS5 tokenizer (src/index/tokenizer.c), called
 * directly through fts5_api on an in-memory database: stems per language
 * (through the stem cache, also when words evict each other), bigrams for
 * unsegmented scripts, and plain words in other scripts; tokens made
 * ahead (tapes) replay as the tokenizer would emit them.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <libstemmer.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/buf.h"
#include "index/tokenizer.h"

typedef struct fixture {
	sqlite3 *db;
	fts5_tokenizer api;
	Fts5Tokenizer *tok;
} fixture;

static int setup(void **state)
{
	fixture *f = calloc(1, sizeof(*f));
	fts5_api *fapi = NULL;
	void *ud = NULL;

	if (f == NULL || sqlite3_open(":memory:", &f->db) != SQLITE_OK ||
	    nx_tokenizer_register(f->db) != SQLITE_OK)
		return -1;
	fapi = nx_fts5_api(f->db);
	if (fapi == NULL || fapi->xFindTokenizer(fapi, "nx", &ud, &f->api) != SQLITE_OK ||
	    f->api.xCreate(ud, NULL, 0, &f->tok) != SQLITE_OK)
		return -1;
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	fixture *f = *state;

	f->api.xDelete(f->tok);
	sqlite3_close(f->db);
	free(f);
	return 0;
}

/* Tokens as "tok@start-end" joined by spaces. */
static int collect(void *ctx, int flags, const char *tok, int n, int s, int e)
{
	nx_buf *b = ctx;

	(void)flags;
	if (b->len > 0)
		nx_buf_addch(b, ' ');
	nx_buf_addf(b, "%.*s@%d-%d", n, tok, s, e);
	return SQLITE_OK;
}

/* Tokenize text marked with lang (NULL: no marker) for the index. */
static char *tokens(fixture *f, const char *lang, const char *text)
{
	nx_buf in = NX_BUF_INIT, out = NX_BUF_INIT;

	if (lang != NULL)
		nx_lang_mark(&in, lang, text, strlen(text));
	else
		nx_buf_adds(&in, text);
	assert_true(nx_buf_ok(&in));
	assert_int_equal(f->api.xTokenize(f->tok, &out, FTS5_TOKENIZE_DOCUMENT, in.buf, (int)in.len, collect),
			 SQLITE_OK);
	nx_buf_free(&in);
	assert_true(nx_buf_ok(&out));
	return nx_buf_detach(&out);
}

static void expect(fixture *f, const char *lang, const char *text, const char *want)
{
	char *got = tokens(f, lang, text);

	if (strcmp(got, want) != 0)
		fail_msg("'%s' (%s): got '%s', want '%s'", text, lang != NULL ? lang : "-", got, want);
	free(got);
}

static void test_stems(void **state)
{
	fixture *f = *state;
	int round = 0;

	/* twice: the second time the stems come from the cache */
	for (round = 0; round < 2; round++) {
		expect(f, "en", "Running attacks", "run@4-11 attack@12-19");
		/* a language without marker content: English stems */
		expect(f, "", "attacks", "attack@2-9");
		/* German, then English again: the cache keeps languages apart */
		expect(f, "de", "Angriffe running", "angriff@4-12 running@13-20");
		expect(f, "en", "running", "run@4-11");
		/* short words and numbers are not stemmed */
		expect(f, "en", "is 1990s", "is@4-6 1990s@7-12");
		/* a language Snowball lacks: words as they are */
		expect(f, "ja", "Running", "running@4-11");
	}
}

/* Tokens of a query (no marker), flags FTS5_TOKENIZE_QUERY [| PREFIX]. */
static char *query_tokens(fixture *f, int flags, const char *text)
{
	nx_buf out = NX_BUF_INIT;

	assert_int_equal(f->api.xTokenize(f->tok, &out, flags, text, (int)strlen(text), collect), SQLITE_OK);
	assert_true(nx_buf_ok(&out));
	return nx_buf_detach(&out);
}

/*
 * Schema 2 leaves the commonest English words out, of the index and of
 * queries alike, so phrases across them still match; other languages and
 * prefix queries keep them; schema 1 (off) keeps everything.
 */
static void test_stopwords(void **state)
{
	fixture *f = *state;
	char *got = NULL;

	expect(f, "en", "The Bank of England", "the@4-7 bank@8-12 of@13-15 england@16-23");
	assert_int_equal(nx_tokenizer_set_stopwords(f->db, 1), SQLITE_OK);
	expect(f, "en", "The Bank of England", "bank@8-12 england@16-23");
	expect(f, "", "told the BBC it was", "told@2-6 bbc@11-14");
	/* names and abbreviations that look like function words stay */
	expect(f, "en", "US WHO May Will not", "us@4-6 who@7-10 may@11-14 will@15-19 not@20-23");
	/* only English drops them */
	expect(f, "de", "the in", "the@4-7 in@8-10");
	/* words that merely start like one stay: "there" is out, "therefore" in */
	expect(f, "en", "there therefore an and android", "therefor@10-19 android@27-34");
	got = query_tokens(f, FTS5_TOKENIZE_QUERY, "the bank");
	assert_string_equal(got, "bank@4-8");
	free(got);
	got = query_tokens(f, FTS5_TOKENIZE_QUERY | FTS5_TOKENIZE_PREFIX, "the");
	assert_string_equal(got, "the@0-3");
	free(got);
	/* list 1 keeps what list 2 adds */
	expect(f, "en", "about Reuters's growth", "about@4-9 reuter@10-17 s@18-19 growth@20-26");
	/* list 2 (schema 3): seven-letter words too, and the s of a possessive */
	assert_int_equal(nx_tokenizer_set_stopwords(f->db, 2), SQLITE_OK);
	expect(f, "en", "about Reuters's growth", "reuter@10-17 growth@20-26");
	expect(f, "en", "because between through the Bank", "bank@32-36");
	expect(f, "en", "US WHO May Will not", "us@4-6 who@7-10 may@11-14 will@15-19 not@20-23");
	expect(f, "en", "upstream outside", "upstream@4-12 outsid@13-20");
	got = query_tokens(f, FTS5_TOKENIZE_QUERY, "after the war");
	assert_string_equal(got, "war@10-13");
	free(got);
	assert_int_equal(nx_tokenizer_dropped("About", 5, 2), 1);
	assert_int_equal(nx_tokenizer_dropped("About", 5, 1), 0);
	assert_int_equal(nx_tokenizer_dropped("The", 3, 1), 1);
	assert_int_equal(nx_tokenizer_dropped("The", 3, 0), 0);
	assert_int_equal(nx_tokenizer_dropped("harbour", 7, 2), 0);
	assert_int_equal(nx_tokenizer_dropped("themselves", 10, 2), 0);
	{
		/* every word of both lists, each on the right ones, and words next to them not */
		static const char *const l1[] = {
			"a", "also", "an", "and", "are", "as", "at", "be", "been", "but", "by", "could", "did",
			"do", "does", "for", "from", "had", "has", "have", "he", "her", "him", "his", "i", "if",
			"in", "into", "is", "it", "its", "me", "my", "of", "on", "or", "our", "she", "should",
			"so", "than", "that", "the", "their", "them", "then", "there", "these", "they", "this",
			"those", "to", "was", "we", "were", "which", "with", "would", "you", "your",
		};
		static const char *const l2[] = {
			"about", "after", "again", "all", "am", "any", "because", "before", "being", "between",
			"both", "can", "each", "having", "here", "how", "itself", "just", "more", "most", "much",
			"nor", "now", "off", "once", "only", "other", "out", "over", "own", "s", "same", "some",
			"such", "t", "through", "too", "under", "until", "up", "very", "what", "when", "where",
			"while", "whom", "whose", "why",
		};
		static const char *const none[] = { "b", "ab", "thee", "tha", "ours", "wh", "shoul", "z", "yo" };
		size_t k = 0;

		for (k = 0; k < sizeof(l1) / sizeof(l1[0]); k++) {
			assert_int_equal(nx_tokenizer_dropped(l1[k], strlen(l1[k]), 1), 1);
			assert_int_equal(nx_tokenizer_dropped(l1[k], strlen(l1[k]), 2), 1);
		}
		for (k = 0; k < sizeof(l2) / sizeof(l2[0]); k++) {
			assert_int_equal(nx_tokenizer_dropped(l2[k], strlen(l2[k]), 1), 0);
			assert_int_equal(nx_tokenizer_dropped(l2[k], strlen(l2[k]), 2), 1);
		}
		for (k = 0; k < sizeof(none) / sizeof(none[0]); k++)
			assert_int_equal(nx_tokenizer_dropped(none[k], strlen(none[k]), 2), 0);
	}
	assert_int_equal(nx_tokenizer_only_dropped("about the"), 1);
	assert_int_equal(nx_tokenizer_only_dropped("about the war"), 0);
	assert_int_equal(nx_tokenizer_set_stopwords(f->db, 0), SQLITE_OK);
	expect(f, "en", "of", "of@4-6");
}

/* More distinct words than the cache has slots: every stem is Snowball's. */
static void test_stem_cache_evictions(void **state)
{
	fixture *f = *state;
	struct sb_stemmer *en = sb_stemmer_new("english", "UTF_8");
	static const char *const ends[] = { "ing", "ed", "s", "ation", "ness", "ly" };
	char word[32];
	int i = 0, round = 0, nwords = 2 * NX_STEM_CACHE + 1000;

	assert_non_null(en);
	assert_true(nwords < 26 * 26 * 26 * 24);
	for (round = 0; round < 2; round++) {
		for (i = 0; i < nwords; i++) {
			const sb_symbol *st = NULL;
			char want[80], *got = NULL;

			snprintf(word, sizeof(word), "%c%c%c%c%s", 'a' + i % 26, 'a' + i / 26 % 26,
				 'a' + i / 676 % 26, 'b' + i / 17576, ends[i % 6]);
			st = sb_stemmer_stem(en, (const sb_symbol *)word, (int)strlen(word));
			assert_non_null(st);
			snprintf(want, sizeof(want), "%.*s@4-%d", sb_stemmer_length(en), (const char *)st,
				 4 + (int)strlen(word));
			got = tokens(f, "en", word);
			if (strcmp(got, want) != 0)
				fail_msg("round %d '%s': got '%s', want '%s'", round, word, got, want);
			free(got);
		}
	}
	sb_stemmer_delete(en);
}

static void test_scripts(void **state)
{
	fixture *f = *state;

	/* Han: bigrams at consecutive positions, offsets in the original */
	expect(f, "zh", "\xE6\x9D\xB1\xE4\xBA\xAC\xE9\x83\xBD",
	       "\xE6\x9D\xB1\xE4\xBA\xAC@4-10 \xE4\xBA\xAC\xE9\x83\xBD@7-13");
	/* a single character stands alone */
	expect(f, "zh", "\xE6\x9D\xB1", "\xE6\x9D\xB1@4-7");
	/* Latin glued to CJK: the Latin piece is a word, lower-cased */
	expect(f, NULL, "ABC\xE6\x9D\xB1\xE4\xBA\xAC", "abc@0-3 \xE6\x9D\xB1\xE4\xBA\xAC@3-9");
	/* Thai (U+0E00..: a three-byte sequence from 0xE0) is unsegmented too */
	expect(f, "th", "\xE0\xB8\xA0\xE0\xB8\xB2\xE0\xB8\xA9",
	       "\xE0\xB8\xA0\xE0\xB8\xB2@4-10 \xE0\xB8\xB2\xE0\xB8\xA9@7-13");
	/* two-byte scripts and accents: ordinary words, diacritics removed */
	expect(f, "xx", "Caf\xC3\xA9", "cafe@4-9");
	expect(f, "ru", "\xD0\x9C\xD0\xBE\xD1\x81\xD0\xBA\xD0\xB2\xD0\xB0",
	       "\xD0\xBC\xD0\xBE\xD1\x81\xD0\xBA\xD0\xB2@4-16");
	/* Devanagari is three-byte but segmented: one word */
	expect(f, NULL, "\xE0\xA4\xA8\xE0\xA4\xAE", "\xE0\xA4\xA8\xE0\xA4\xAE@0-6");
}

/* Tokens with their flags: a replay must give what tokenizing gives. */
static int collect_flags(void *ctx, int flags, const char *tok, int n, int s, int e)
{
	nx_buf *b = ctx;

	nx_buf_addf(b, "%d:%.*s@%d-%d ", flags, n, tok, s, e);
	return SQLITE_OK;
}

static char *run_tokens(fixture *f, int flags, const char *text, size_t len)
{
	nx_buf out = NX_BUF_INIT;

	assert_int_equal(f->api.xTokenize(f->tok, &out, flags, text, (int)len, collect_flags), SQLITE_OK);
	assert_true(nx_buf_ok(&out));
	return nx_buf_detach(&out);
}

static void test_tapes(void **state)
{
	fixture *f = *state;
	static const struct {
		const char *lang;
		const char *text;
	} docs[] = {
		{ "en", "The RNC was hit by a cyberattack, officials said on Tuesday; it's the 3rd." },
		{ "en", "" },
		{ "de", "Die Angriffe auf die Server der Partei" },
		{ "zh", "\xE6\x9D\xB1\xE4\xBA\xAC\xE9\x83\xBD Tokyo 2024 ABC\xE6\x9D\xB1\xE4\xBA\xAC" },
		{ NULL, "no marker: English stems, and the stop words of the index" },
		{ "xx", "Caf\xC3\xA9 au lait, na\xC3\xAFve r\xC3\xA9sum\xC3\xA9" },
		{ "en", "pneumonoultramicroscopicsilicovolcanoconiosis, longer than a stem cache slot" },
	};
	nx_pretok *p = nx_pretok_new(f->db);
	size_t i = 0;

	assert_non_null(p);
	assert_int_equal(nx_tokenizer_set_stopwords(f->db, 2), SQLITE_OK);
	for (i = 0; i < sizeof(docs) / sizeof(docs[0]); i++) {
		nx_buf in = NX_BUF_INIT, copy = NX_BUF_INIT;
		nx_tape tp;
		char *want = NULL, *got = NULL, *other = NULL;

		memset(&tp, 0, sizeof(tp));
		nx_buf_init(&tp.rec);
		if (docs[i].lang != NULL)
			nx_lang_mark(&in, docs[i].lang, docs[i].text, strlen(docs[i].text));
		else
			nx_buf_adds(&in, docs[i].text);
		nx_buf_add(&copy, in.buf, in.len);
		assert_true(nx_buf_ok(&in) && nx_buf_ok(&copy));
		want = run_tokens(f, FTS5_TOKENIZE_DOCUMENT, in.buf, in.len);
		assert_int_equal(nx_pretok_run(p, in.buf, in.len, &tp, NULL), 0);
		/* the same text (here a copy of it, elsewhere in memory): replayed */
		nx_pretok_offer(p, &tp, 1);
		got = run_tokens(f, FTS5_TOKENIZE_DOCUMENT, copy.buf, copy.len);
		assert_true(tp.used);
		assert_string_equal(got, want);
		free(got);
		/* replayed once: the same text again is tokenized, alike */
		got = run_tokens(f, FTS5_TOKENIZE_DOCUMENT, in.buf, in.len);
		assert_string_equal(got, want);
		free(got);
		/* another text, or a query, with the tape offered: tokenized */
		tp.used = 0;
		other = run_tokens(f, FTS5_TOKENIZE_DOCUMENT, "\x1F" "en\x1F" "harbour cranes", 18);
		assert_false(tp.used);
		assert_string_equal(other, "0:harbour@4-11 0:crane@12-18 ");
		free(other);
		other = run_tokens(f, FTS5_TOKENIZE_QUERY, in.buf, in.len);
		assert_false(tp.used);
		free(other);
		/* a damaged tape is an error, not tokens made up */
		if (tp.rec.len > 2) {
			tp.rec.len = 2;
			assert_int_not_equal(f->api.xTokenize(f->tok, &copy, FTS5_TOKENIZE_DOCUMENT, in.buf, (int)in.len,
							      collect_flags),
					     SQLITE_OK);
		}
		nx_pretok_offer(p, NULL, 0);
		free(want);
		nx_buf_free(&in);
		nx_buf_free(&copy);
		nx_buf_free(&tp.rec);
	}
	nx_pretok_free(p);
}

/*
 * ASCII words are split and folded by the tokenizer itself, other runs by
 * unicode61: over texts that mix them (accents, combining marks, curly
 * quotes, invalid UTF-8, runs longer than the fast path takes, random
 * mixtures), the tokens of a language without stemmer equal unicode61's
 * own with the options the tokenizer gives it, offsets after the marker.
 */
static int collect_shift(void *ctx, int flags, const char *tok, int n, int s, int e)
{
	return collect_flags(ctx, flags, tok, n, s + 4, e + 4); /* the marker "\x1Fxx\x1F" */
}

static void test_ascii_fast_path(void **state)
{
	static const char *inner_args[] = { "remove_diacritics", "2", "categories", "L* N* Co Mc Mn" };
	static const char *pieces[] = { "a", "Z", "q", "7", " ", ",", "_", "-", "'", "\0", "\xC3\xA9", "\xC3\x89",
					"\xE2\x80\x99", "\xCC\x81", "\xC3\x9F", "\xC4\xB0", "\xFF", "\x80", "\xE2\x80",
					"\xD0\x96", "\xE2\x80\x94", "\x7F" };
	static const char *texts[] = {
		"The RNC's 3.14 bn_dollar e-mail, O'Neill (AP) -- 2024-05-06T10:00Z",
		"Caf\xC3\xA9-au-lait na\xC3\xAFve R\xC3\xA9SUM\xC3\xA9 e\xCC\x81t\xC3\xA9 don\xE2\x80\x99t",
		"abc\xFF\xFE" "def \xC3 ghi \x80jkl",
		"",
		"   ",
		"x",
	};
	fixture *f = *state;
	fts5_api *fapi = nx_fts5_api(f->db);
	fts5_tokenizer u61;
	Fts5Tokenizer *u = NULL;
	void *ud = NULL;
	char big[700];
	unsigned seed = 12345;
	size_t i = 0, k = 0;

	assert_non_null(fapi);
	assert_int_equal(fapi->xFindTokenizer(fapi, "unicode61", &ud, &u61), SQLITE_OK);
	assert_int_equal(u61.xCreate(ud, inner_args, 4, &u), SQLITE_OK);
	for (i = 0; i < sizeof(texts) / sizeof(texts[0]) + 40; i++) {
		nx_buf in = NX_BUF_INIT, want = NX_BUF_INIT;
		const char *text = i < sizeof(texts) / sizeof(texts[0]) ? texts[i] : big;
		size_t len = strlen(text);
		char *got = NULL;

		if (text == big) { /* random mixtures, and (i even) a long ASCII run in them */
			for (len = 0; len < 300;) {
				const char *pc = NULL;
				size_t pl = 0;

				seed = seed * 1103515245u + 12345u;
				pc = pieces[(seed >> 16) % (sizeof(pieces) / sizeof(pieces[0]))];
				pl = pc[0] == '\0' ? 1 : strlen(pc);
				memcpy(big + len, pc, pl);
				len += pl;
			}
			for (k = 0; i % 2 == 0 && k < 300; k++)
				big[len++] = (char)('a' + k % 26);
		}
		nx_lang_mark(&in, "xx", text, len);
		assert_true(nx_buf_ok(&in));
		got = run_tokens(f, FTS5_TOKENIZE_DOCUMENT, in.buf, in.len);
		assert_int_equal(u61.xTokenize(u, &want, FTS5_TOKENIZE_DOCUMENT, text, (int)len, collect_shift),
				 SQLITE_OK);
		assert_true(nx_buf_ok(&want));
		if (strcmp(got, want.buf != NULL ? want.buf : "") != 0)
			fail_msg("text %zu: got '%s', want '%s'", i, got, want.buf);
		free(got);
		nx_buf_free(&in);
		nx_buf_free(&want);
	}
	u61.xDelete(u);
}

/*
 * English words found 16 bytes at a time (words of up to 15 bytes with 16
 * bytes of text from their start) stem, drop and place as each word
 * alone does, where the tokenizer takes it a byte at a time: words of 1 to
 * 20 letters and digits, stop words, capitals, at every offset, twice
 * (the second time from the cache of stems).
 */
typedef struct shifted {
	nx_buf *b;
	int shift;
} shifted;

static int collect_shifted(void *ctx, int flags, const char *tok, int n, int s, int e)
{
	shifted *sh = ctx;

	return collect(sh->b, flags, tok, n, s + sh->shift, e + sh->shift);
}

static void test_ascii_words16(void **state)
{
	static const char *words[] = { "a", "I", "the", "And", "which", "attacks", "Running", "1990s", "3",
				       "x9", "governments", "nationalities", "internationally", "Internationalism",
				       "abcdefghijklmnop", "counterrevolutionaries", "organisations", "will",
				       "US", "don", "t", "WHO", "reporting", "S" };
	static const char *seps[] = { " ", ", ", ".", "-", "'", "\n", " (", "   ", "_" };
	fixture *f = *state;
	unsigned seed = 777;
	int text = 0, round = 0;

	for (text = 0; text < 200; text++) {
		nx_buf in = NX_BUF_INIT, want = NX_BUF_INIT;
		size_t k = 0;

		nx_lang_mark(&in, "en", "", 0);
		for (k = 0; k < 40; k++) {
			const char *w = NULL, *sep = NULL;
			nx_buf one = NX_BUF_INIT;
			shifted sh = { &want, 0 };

			seed = seed * 1103515245u + 12345u;
			w = words[(seed >> 16) % (sizeof(words) / sizeof(words[0]))];
			seed = seed * 1103515245u + 12345u;
			sep = seps[(seed >> 16) % (sizeof(seps) / sizeof(seps[0]))];
			sh.shift = (int)in.len - 4;
			nx_buf_adds(&in, w);
			nx_buf_adds(&in, sep);
			/* the word alone: shorter than 16 bytes, so a byte at a time */
			nx_lang_mark(&one, "en", w, strlen(w));
			assert_true(nx_buf_ok(&one));
			assert_int_equal(f->api.xTokenize(f->tok, &sh, FTS5_TOKENIZE_DOCUMENT, one.buf, (int)one.len,
							  collect_shifted),
					 SQLITE_OK);
			nx_buf_free(&one);
		}
		assert_true(nx_buf_ok(&in) && nx_buf_ok(&want));
		for (round = 0; round < 2; round++) {
			nx_buf got = NX_BUF_INIT;

			assert_int_equal(f->api.xTokenize(f->tok, &got, FTS5_TOKENIZE_DOCUMENT, in.buf, (int)in.len,
							  collect),
					 SQLITE_OK);
			assert_true(nx_buf_ok(&got));
			if (strcmp(got.buf != NULL ? got.buf : "", want.buf != NULL ? want.buf : "") != 0)
				fail_msg("text %d round %d: got '%s', want '%s'", text, round, got.buf, want.buf);
			nx_buf_free(&got);
		}
		nx_buf_free(&in);
		nx_buf_free(&want);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_stems, setup, teardown),
		cmocka_unit_test_setup_teardown(test_stopwords, setup, teardown),
		cmocka_unit_test_setup_teardown(test_stem_cache_evictions, setup, teardown),
		cmocka_unit_test_setup_teardown(test_scripts, setup, teardown),
		cmocka_unit_test_setup_teardown(test_tapes, setup, teardown),
		cmocka_unit_test_setup_teardown(test_ascii_fast_path, setup, teardown),
		cmocka_unit_test_setup_teardown(test_ascii_words16, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

/*
 * test_query.c - nx_query_compile(): user text to FTS5 MATCH expression.
 *
 * The table below is the specification of the canonical output:
 *
 *   - every word or phrase is an FTS5 string in double quotes, '"' doubled;
 *     case is kept (the unicode61 tokenizer folds it);
 *   - operands are joined by a single space (implicit AND) while all of
 *     them are phrases or column-filtered phrases, and by " AND " as soon
 *     as one is parenthesised (FTS5 rejects an implicit AND next to "(");
 *   - OR groups are parenthesised: ("a" OR "b");
 *   - exclusions come last: P NOT n1 NOT n2, P parenthesised when it has
 *     several operands;
 *   - prefixes are "word"*, columns are title : "word";
 *   - a query with nothing positive to search for gives fts == NULL.
 *
 * terms is the space-separated list nx_query.terms must hold: the words
 * (as the unicode61 tokenizer splits them) of every positive word and
 * phrase, ASCII lower-cased, first occurrence only.
 *
 * Every expression produced here, by the exhaustive sweep of short ASCII
 * strings and by the seeded fuzzers is also run against a real FTS5 table,
 * which must never report an error.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "newsidx/query.h"

struct qcase {
	const char *in;
	const char *fts;   /* NULL when nothing is searchable */
	const char *terms; /* space-separated, "" for none */
	int neg;           /* expected has_negative */
};

static const struct qcase cases[] = {
	/* Words and implicit AND */
	{ "cyberattack RNC", "\"cyberattack\" \"RNC\"", "cyberattack rnc", 0 },
	{ "biden", "\"biden\"", "biden", 0 },
	{ "  biden \t ", "\"biden\"", "biden", 0 },
	{ "", NULL, "", 0 },
	{ "   \t\n", NULL, "", 0 },
	{ "Biden BIDEN biden", "\"Biden\" \"BIDEN\" \"biden\"", "biden", 0 },
	{ "a\tb\nc", "\"a\" \"b\" \"c\"", "a b c", 0 },

	/* Phrases */
	{ "\"joe biden\"", "\"joe biden\"", "joe biden", 0 },
	{ "\"  joe \t  biden  \"", "\"joe biden\"", "joe biden", 0 },
	{ "\"joe biden", "\"joe biden\"", "joe biden", 0 },
	{ "x \"joe biden\" y", "\"x\" \"joe biden\" \"y\"", "x joe biden y", 0 },
	{ "\"\"", NULL, "", 0 },
	{ "\" \"", NULL, "", 0 },
	{ "\"-\"", NULL, "", 0 },
	{ "\"a\"b", "\"a\" \"b\"", "a b", 0 },
	{ "\"a\"\"b\"", "\"a\" \"b\"", "a b", 0 },
	{ "\"joe bid\"*", "\"joe bid\"*", "joe bid", 0 },
	{ "\"joe bid\" *", "\"joe bid\"", "joe bid", 0 },
	{ "\"joe bid\"**", "\"joe bid\"*", "joe bid", 0 },
	{ "\"a (b) OR c*\"", "\"a (b) OR c*\"", "a b or c", 0 },

	/* Prefixes */
	{ "cyber*", "\"cyber\"*", "cyber", 0 },
	{ "cyber**", "\"cyber\"*", "cyber", 0 },
	{ "*cyber", "\"*cyber\"", "cyber", 0 },
	{ "a*b", "\"a*b\"", "a b", 0 },
	{ "*", NULL, "", 0 },
	{ "**", NULL, "", 0 },
	{ ".*", NULL, "", 0 },
	{ "c++*", "\"c++\"*", "c", 0 },

	/* OR, AND, NOT */
	{ "a OR b", "(\"a\" OR \"b\")", "a b", 0 },
	/* in a query written in capitals, OR, AND and NOT are words */
	{ "TARIFFS OR QUOTAS", "\"TARIFFS\" \"OR\" \"QUOTAS\"", "tariffs or quotas", 0 },
	{ "TARIFFS AND QUOTAS", "\"TARIFFS\" \"AND\" \"QUOTAS\"", "tariffs and quotas", 0 },
	{ "WHY IS IT NOT KNOWN", "\"WHY\" \"IS\" \"IT\" \"NOT\" \"KNOWN\"", "why is it not known", 0 },
	{ "\"US TRADE\" OR TARIFFS", "\"US TRADE\" \"OR\" \"TARIFFS\"", "us trade or tariffs", 0 },
	{ "tariffs OR QUOTAS", "(\"tariffs\" OR \"QUOTAS\")", "tariffs quotas", 0 },
	{ "NATO NOT russia", "\"NATO\" NOT \"russia\"", "nato", 1 },
	{ "2021 OR 2022", "(\"2021\" OR \"2022\")", "2021 2022", 0 },
	{ "x a OR b", "\"x\" AND (\"a\" OR \"b\")", "x a b", 0 },
	{ "a OR b x", "(\"a\" OR \"b\") AND \"x\"", "a b x", 0 },
	{ "a OR b OR c", "(\"a\" OR \"b\" OR \"c\")", "a b c", 0 },
	{ "a or b", "\"a\" \"or\" \"b\"", "a or b", 0 },
	{ "OR", "\"OR\"", "or", 0 },
	{ "OR a", "\"OR\" \"a\"", "or a", 0 },
	{ "a OR", "\"a\" \"OR\"", "a or", 0 },
	{ "a OR OR b", "\"a\" \"OR\" \"OR\" \"b\"", "a or b", 0 },
	{ "a OR b OR", "(\"a\" OR \"b\") AND \"OR\"", "a b or", 0 },
	{ "OR*", "\"OR\"*", "or", 0 },
	{ "a AND b", "\"a\" \"b\"", "a b", 0 },
	{ "AND", "\"AND\"", "and", 0 },
	{ "a AND", "\"a\" \"AND\"", "a and", 0 },
	{ "AND a", "\"AND\" \"a\"", "and a", 0 },
	{ "a AND AND b", "\"a\" \"b\"", "a b", 0 },
	{ "a OR AND b", "\"a\" \"OR\" \"b\"", "a or b", 0 },
	{ "a and not b", "\"a\" \"and\" \"not\" \"b\"", "a and not b", 0 },
	{ "NOT", "\"NOT\"", "not", 0 },
	{ "x NOT y", "\"x\" NOT \"y\"", "x", 1 },
	{ "NOT y", NULL, "", 1 },
	{ "NOT NOT x", "\"NOT\" NOT \"x\"", "not", 1 },
	{ "x NOT", "\"x\" \"NOT\"", "x not", 0 },
	{ "a OR -b", "(\"a\" \"OR\") NOT \"b\"", "a or", 1 },
	{ "-a OR b", "(\"OR\" \"b\") NOT \"a\"", "or b", 1 },
	{ "a OR NOT b", "(\"a\" \"OR\") NOT \"b\"", "a or", 1 },
	{ "x AND -y", "\"x\" NOT \"y\"", "x", 1 },
	{ "NEAR(a b)", "NEAR(\"a\" \"b\", 10)", "a b", 0 },
	{ "NEAR(cyberattack RNC, 5)", "NEAR(\"cyberattack\" \"RNC\", 5)", "cyberattack rnc", 0 },
	{ "title:NEAR(a b c)", "title : NEAR(\"a\" \"b\" \"c\", 10)", "a b c", 0 },
	{ "x NEAR(a b)", "\"x\" AND NEAR(\"a\" \"b\", 10)", "x a b", 0 },
	{ "NEAR(a)", "\"a\"", "a", 0 },
	/* the distance is the token's digits, not what follows it (fuzz find) */
	{ "NEAR(a b, 10)22", "NEAR(\"a\" \"b\", 10) AND \"22\"", "a b 22", 0 },
	{ "NEAR", "\"NEAR\"", "near", 0 },
	{ "near(a b)", "\"near\" AND (\"a\" \"b\")", "near a b", 0 },
	{ "published:2021-07 cyberattack", "\"cyberattack\"", "cyberattack", 0 },
	{ "source:\"new york times\" x", "\"x\"", "x", 0 },
	{ "changed:>30d", NULL, "", 0 },

	/* Exclusions */
	{ "x -y -z", "\"x\" NOT \"y\" NOT \"z\"", "x", 1 },
	{ "x w -y -z", "(\"x\" \"w\") NOT \"y\" NOT \"z\"", "x w", 1 },
	{ "-x w -y x", "(\"w\" \"x\") NOT \"x\" NOT \"y\"", "w x", 1 },
	{ "-x", NULL, "", 1 },
	{ "-x -y", NULL, "", 1 },
	{ "x -", "\"x\"", "x", 0 },
	{ "x - y", "\"x\" \"y\"", "x y", 0 },
	{ "covid-19", "\"covid-19\"", "covid 19", 0 },
	{ "x --y", "\"x\" NOT \"-y\"", "x", 1 },
	{ "-\"joe biden\" trump", "\"trump\" NOT \"joe biden\"", "trump", 1 },
	{ "x -\"-\"", "\"x\"", "x", 0 },
	{ "-x y OR z", "(\"y\" OR \"z\") NOT \"x\"", "y z", 1 },
	{ "x -y*", "\"x\" NOT \"y\"*", "x", 1 },

	/* Columns */
	{ "title:word", "title : \"word\"", "word", 0 },
	{ "body:\"a phrase\"", "body : \"a phrase\"", "a phrase", 0 },
	{ "caption:x", "captions : \"x\"", "x", 0 },
	{ "captions:x", "captions : \"x\"", "x", 0 },
	{ "credit:x", "credits : \"x\"", "x", 0 },
	{ "credits:x", "credits : \"x\"", "x", 0 },
	{ "TITLE:x", "title : \"x\"", "x", 0 },
	{ "foo:bar", "\"foo:bar\"", "foo bar", 0 },
	{ "title:", "\"title:\"", "title", 0 },
	{ "title: x", "\"title:\" \"x\"", "title x", 0 },
	{ "title:-", NULL, "", 0 },
	{ "-title:x y", "\"y\" NOT title : \"x\"", "y", 1 },
	{ "title:x*", "title : \"x\"*", "x", 0 },
	{ "title:(a OR b)", "title : (\"a\" OR \"b\")", "a b", 0 },
	{ "title:(body:x)", "title : (body : \"x\")", "x", 0 },
	{ "title:title:x", "title : \"title:x\"", "title x", 0 },
	{ "title:OR", "title : \"OR\"", "or", 0 },
	{ "title:a OR body:b", "(title : \"a\" OR body : \"b\")", "a b", 0 },
	{ "title:a body:b", "title : \"a\" body : \"b\"", "a b", 0 },
	{ "x title:(a -b)", "\"x\" AND title : (\"a\" NOT \"b\")", "x a", 1 },
	{ "http://example.com/a", "\"http://example.com/a\"", "http example com a", 0 },

	/* Terms with no letter or digit are dropped */
	{ "-", NULL, "", 0 },
	{ ":", NULL, "", 0 },
	{ "&&", NULL, "", 0 },
	{ "\"", NULL, "", 0 },
	{ "()", NULL, "", 0 },
	{ "( )", NULL, "", 0 },
	{ "& x ||", "\"x\"", "x", 0 },
	{ "U.S.", "\"U.S.\"", "u s", 0 },
	{ "C++", "\"C++\"", "c", 0 },
	{ "9/11", "\"9/11\"", "9 11", 0 },

	/* '"' inside a word is a character, doubled in the output */
	{ "5'10\"", "\"5'10\"\"\"", "5 10", 0 },
	{ "a\"b", "\"a\"\"b\"", "a b", 0 },
	{ "x \"", "\"x\"", "x", 0 },

	/* Parentheses */
	{ "(a OR b) c", "(\"a\" OR \"b\") AND \"c\"", "a b c", 0 },
	{ "(a b) OR c", "((\"a\" \"b\") OR \"c\")", "a b c", 0 },
	{ "a (b c)", "\"a\" AND (\"b\" \"c\")", "a b c", 0 },
	{ "(a)", "\"a\"", "a", 0 },
	{ "((a", "\"a\"", "a", 0 },
	{ "a))", "\"a\"", "a", 0 },
	{ ")a(", "\"a\"", "a", 0 },
	{ "x (-y)", "\"x\" NOT \"y\"", "x", 1 },
	{ "-(a OR b) c", "\"c\" NOT (\"a\" OR \"b\")", "c", 1 },
	{ "(a -b) OR c", "((\"a\" NOT \"b\") OR \"c\")", "a c", 1 },
	{ "x OR (-y)", "\"x\"", "x", 1 },
	{ "-(-a)", NULL, "", 1 },
	{ "f(x)", "\"f\" \"x\"", "f x", 0 },
	{ "(a (b (c OR d)))", "(\"a\" AND (\"b\" AND (\"c\" OR \"d\")))", "a b c d", 0 },
	{ "((((((((((a OR b))))))))))", "(\"a\" OR \"b\")", "a b", 0 },

	/* FTS5 syntax typed by the user stays literal */
	{ "^foo", "\"^foo\"", "foo", 0 },
	{ "foo + bar", "\"foo\" \"bar\"", "foo bar", 0 },
	{ "NEAR(\"a b\", 10)", "\"a b\"", "a b", 0 },
	{ "{title body}: x", "\"{title\" \"body}:\" \"x\"", "title body x", 0 },
	{ "\"a\" : \"b\"", "\"a\" \"b\"", "a b", 0 },
	{ "'; DROP TABLE fts; --", "\"DROP\" \"TABLE\" \"fts;\"", "drop table fts", 0 },
	{ "rank:1 rowid:2", "\"rank:1\" \"rowid:2\"", "rank 1 rowid 2", 0 },

	/* Control characters, Unicode, invalid UTF-8 */
	{ "\x01" "a\x7f" "b\x1b", "\"a\" \"b\"", "a b", 0 },
	{ "caf\xc3\xa9", "\"caf\xc3\xa9\"", "caf\xc3\xa9", 0 },
	{ "\xc3\x9c" "ber TEST", "\"\xc3\x9c" "ber\" \"TEST\"", "\xc3\x9c" "ber test", 0 },
	{ "a\xff" "b", "\"a\" \"b\"", "a b", 0 },
	{ "\xc3", NULL, "", 0 },
	{ "\xc0\xaf", NULL, "", 0 },
	{ "\xed\xa0\x80x", "\"x\"", "x", 0 },
	{ "\xf4\x90\x80\x80x", "\"x\"", "x", 0 },
	{ "a\xc2\xa0" "b", "\"a\" \"b\"", "a b", 0 },
	{ "a\xc2\x85" "b", "\"a\" \"b\"", "a b", 0 },
	{ "\xe2\x82\xac", "\"\xe2\x82\xac\"", "\xe2\x82\xac", 0 },
	{ "\xe6\x9d\xb1\xe4\xba\xac\xe3\x80\x80\xe5\xa4\xa7",
	  "\"\xe6\x9d\xb1\xe4\xba\xac\" \"\xe5\xa4\xa7\"",
	  "\xe6\x9d\xb1\xe4\xba\xac \xe5\xa4\xa7", 0 },
	{ "\xe2\x80\x8b", NULL, "", 0 },
	{ "\"a\xff" "b\"", "\"a b\"", "a b", 0 },
};

/* Queries run against the fixture rows, with the number of rows each matches. */
static const struct {
	const char *in;
	int rows;
} semantic[] = {
	{ "cyberattack RNC", 1 },
	{ "biden", 2 },
	{ "biden -ohio", 1 },
	{ "biden NOT ohio", 1 },
	{ "title:biden", 1 },
	{ "caption:biden", 1 },
	{ "\"joe biden\"", 2 },
	{ "\"biden joe\"", 0 },
	{ "cyber*", 2 },
	{ "\"joe bid\"*", 2 },
	{ "rnc OR ohio", 2 },
	{ "x rnc OR ohio", 0 },
	{ "cafe", 1 },
	{ "CAF\xc3\x89", 1 },
	{ "happy OR sad", 1 },
	{ "NOT", 1 },
	{ "sunny (rain OR warm)", 1 },
	{ "9/11", 1 },
	{ "U.S.", 1 },
	{ "C++ programmers", 1 },
	{ "weather -sunny", 0 },
	{ "credit:reuters", 1 },
	{ "credits:(reuters OR ap)", 2 },
	{ "-(ohio OR rnc) biden", 0 },
	{ "(biden -ohio) OR weather", 2 },
};

/* -- Fixture: an in-memory FTS5 table shaped like the real one ------------- */

struct fixture {
	sqlite3 *db;
	sqlite3_stmt *count; /* SELECT count(*) FROM fts WHERE fts MATCH ? */
};

static int setup_db(void **state)
{
	static const char *const sql =
		"CREATE VIRTUAL TABLE fts USING fts5(title, body, captions, credits,"
		" tokenize='porter unicode61 remove_diacritics 2');"
		"INSERT INTO fts VALUES('Cyberattack hits RNC',"
		" 'Joe Biden said the U.S. response on the 9/11 anniversary was firm.',"
		" 'Photo of the convention', 'AP Photo/John Doe');"
		"INSERT INTO fts VALUES('Biden visits Ohio',"
		" 'The president spoke to C++ programmers about cyber security.',"
		" 'Joe Biden in Ohio', 'Reuters');"
		"INSERT INTO fts VALUES('Caf\xc3\xa9 owners protest',"
		" 'Owners said they were NOT happy OR sad, AND that was that.',"
		" 'Protesters outside', 'Jane Roe');"
		"INSERT INTO fts VALUES('Weather', 'Sunny and warm', '', '');"
		"INSERT INTO fts(fts) VALUES('optimize');";
	struct fixture *fx = NULL;
	int rc = -1;

	fx = calloc(1, sizeof(*fx));
	if (fx == NULL)
		goto done;
	if (sqlite3_open(":memory:", &fx->db) != SQLITE_OK)
		goto done;
	if (sqlite3_exec(fx->db, sql, NULL, NULL, NULL) != SQLITE_OK)
		goto done;
	if (sqlite3_prepare_v2(fx->db, "SELECT count(*) FROM fts WHERE fts MATCH ?", -1,
			       &fx->count, NULL) != SQLITE_OK)
		goto done;
	*state = fx;
	fx = NULL;
	rc = 0;
done:
	if (fx != NULL) {
		sqlite3_finalize(fx->count);
		sqlite3_close(fx->db);
		free(fx);
	}
	return rc;
}

static int teardown_db(void **state)
{
	struct fixture *fx = *state;

	if (fx != NULL) {
		sqlite3_finalize(fx->count);
		sqlite3_close(fx->db);
		free(fx);
	}
	return 0;
}

/* Run expr through FTS5: the number of rows it matches, or -1 on an SQLite error. */
static int fts_rows(struct fixture *fx, const char *expr)
{
	int rc = 0, rows = -1;

	sqlite3_bind_text(fx->count, 1, expr, -1, SQLITE_STATIC);
	rc = sqlite3_step(fx->count);
	if (rc == SQLITE_ROW)
		rows = sqlite3_column_int(fx->count, 0);
	rc = sqlite3_reset(fx->count);
	if (rc != SQLITE_OK)
		rows = -1;
	sqlite3_clear_bindings(fx->count);
	return rows;
}

/* fts_rows(), printing SQLite's complaint and the input on an error. */
static int run_fts(struct fixture *fx, const char *input, const char *expr)
{
	int rows = fts_rows(fx, expr);

	if (rows < 0)
		print_error("input <%s> expression <%s>: %s\n", input, expr,
			    sqlite3_errmsg(fx->db));
	return rows;
}

/* -- Helpers -------------------------------------------------------------- */

static int valid_utf8(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t n = 0, i = 0;
	uint32_t c = 0, min = 0;

	while (*p != '\0') {
		c = *p;
		if (c < 0x80) {
			p++;
			continue;
		}
		if (c >= 0xC2 && c <= 0xDF) {
			n = 2;
			c &= 0x1F;
			min = 0x80;
		} else if (c >= 0xE0 && c <= 0xEF) {
			n = 3;
			c &= 0x0F;
			min = 0x800;
		} else if (c >= 0xF0 && c <= 0xF4) {
			n = 4;
			c &= 0x07;
			min = 0x10000;
		} else {
			return 0;
		}
		for (i = 1; i < n; i++) {
			if ((p[i] & 0xC0) != 0x80)
				return 0;
			c = (c << 6) | (p[i] & 0x3F);
		}
		if (c < min || c > 0x10FFFF || (c >= 0xD800 && c <= 0xDFFF))
			return 0;
		p += n;
	}
	return 1;
}

/* Compile input, which must succeed, and check the invariants every result keeps. */
static nx_query *compile_ok(const char *input)
{
	nx_error err = NX_ERROR_INIT;
	nx_query *q = NULL;
	size_t i = 0, j = 0;
	const char *c = NULL;
	int rc = nx_query_compile(&q, input, &err);

	if (rc != NX_OK)
		print_error("input <%s>: rc %d: %s\n", input, rc, err.msg);
	assert_int_equal(rc, NX_OK);
	assert_non_null(q);
	if (q->fts != NULL) {
		assert_true(q->fts[0] != '\0');
		assert_true(valid_utf8(q->fts));
	}
	assert_true(q->nterms == 0 || q->terms != NULL);
	for (i = 0; i < q->nterms; i++) {
		assert_non_null(q->terms[i]);
		assert_true(q->terms[i][0] != '\0');
		for (c = q->terms[i]; *c != '\0'; c++)
			assert_false(*c >= 'A' && *c <= 'Z');
		/* Quadratic, but only used on small queries. */
		for (j = 0; j < i && q->nterms < 200; j++)
			assert_string_not_equal(q->terms[i], q->terms[j]);
	}
	return q;
}

static char *join_terms(const nx_query *q)
{
	size_t i = 0, len = 1;
	char *s = NULL;

	for (i = 0; i < q->nterms; i++)
		len += strlen(q->terms[i]) + 1;
	s = calloc(1, len);
	assert_non_null(s);
	for (i = 0; i < q->nterms; i++) {
		if (i > 0)
			strcat(s, " ");
		strcat(s, q->terms[i]);
	}
	return s;
}

/* xorshift64*: the fuzzers are seeded so failures reproduce. */
static uint64_t rng_next(uint64_t *s)
{
	*s ^= *s >> 12;
	*s ^= *s << 25;
	*s ^= *s >> 27;
	return *s * 2685821657736338717ULL;
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* -- Tests ---------------------------------------------------------------- */

static void test_table(void **state)
{
	size_t i = 0, failed = 0;
	nx_query *q = NULL;
	char *terms = NULL;
	int ok = 0;

	(void)state;
	assert_true(sizeof(cases) / sizeof(cases[0]) >= 70);
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		q = compile_ok(cases[i].in);
		terms = join_terms(q);
		ok = (q->fts == NULL) == (cases[i].fts == NULL) &&
		     (q->fts == NULL || strcmp(q->fts, cases[i].fts) == 0) &&
		     strcmp(terms, cases[i].terms) == 0 && q->has_negative == cases[i].neg;
		if (!ok) {
			print_error("case %zu <%s>:\n  got  fts <%s> terms <%s> neg %d\n"
				    "  want fts <%s> terms <%s> neg %d\n",
				    i, cases[i].in, q->fts != NULL ? q->fts : "(null)", terms,
				    q->has_negative, cases[i].fts != NULL ? cases[i].fts : "(null)",
				    cases[i].terms, cases[i].neg);
			failed++;
		}
		free(terms);
		nx_query_free(q);
	}
	assert_int_equal(failed, 0);
}

static void test_table_runs_in_fts5(void **state)
{
	struct fixture *fx = *state;
	size_t i = 0, failed = 0;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		if (cases[i].fts != NULL && run_fts(fx, cases[i].in, cases[i].fts) < 0)
			failed++;
	}
	assert_int_equal(failed, 0);
}

static void test_semantics(void **state)
{
	struct fixture *fx = *state;
	size_t i = 0, failed = 0;
	nx_query *q = NULL;
	int rows = 0;

	for (i = 0; i < sizeof(semantic) / sizeof(semantic[0]); i++) {
		q = compile_ok(semantic[i].in);
		assert_non_null(q->fts);
		rows = run_fts(fx, semantic[i].in, q->fts);
		if (rows != semantic[i].rows) {
			print_error("query <%s> as <%s>: %d rows, want %d\n", semantic[i].in,
				    q->fts, rows, semantic[i].rows);
			failed++;
		}
		nx_query_free(q);
	}
	assert_int_equal(failed, 0);
}

/*
 * Expressions of the short-string sweep, run by FTS5 BATCH at a time as
 * (e1) OR (e2) OR ...: one statement step costs more than parsing a short
 * expression, and under ASan the sweep would take most of a minute one by
 * one.  (e) parses exactly when e does, so a clean batch clears all its
 * members; when a batch fails (possibly for depth alone), each member is
 * run on its own to name the culprits.
 */
#define BATCH 64

struct batch {
	char in[BATCH][4];
	char *fts[BATCH];
	size_t n;
};

/* Run and empty the batch; returns how many members FTS5 rejected. */
static size_t batch_flush(struct fixture *fx, struct batch *bt)
{
	size_t i = 0, len = 1, failed = 0;
	char *all = NULL, *p = NULL;

	if (bt->n == 0)
		return 0;
	for (i = 0; i < bt->n; i++)
		len += strlen(bt->fts[i]) + 6;
	all = malloc(len);
	assert_non_null(all);
	p = all;
	for (i = 0; i < bt->n; i++)
		p += sprintf(p, "%s(%s)", i > 0 ? " OR " : "", bt->fts[i]);
	if (fts_rows(fx, all) < 0) {
		for (i = 0; i < bt->n; i++) {
			if (run_fts(fx, bt->in[i], bt->fts[i]) < 0)
				failed++;
		}
	}
	for (i = 0; i < bt->n; i++)
		free(bt->fts[i]);
	bt->n = 0;
	free(all);
	return failed;
}

/*
 * Every printable ASCII string of length 1, 2 and 3 compiles, and FTS5
 * accepts what it compiles to.
 */
static void test_all_short_ascii(void **state)
{
	struct fixture *fx = *state;
	struct batch *bt = NULL;
	char s[4];
	nx_query *q = NULL;
	nx_error err = NX_ERROR_INIT;
	size_t count = 0, failed = 0, searchable = 0;
	int len = 0, a = 0, b = 0, c = 0, rc = 0;

	bt = calloc(1, sizeof(*bt));
	assert_non_null(bt);
	for (len = 1; len <= 3; len++) {
		for (a = 32; a < 127; a++) {
			for (b = 32; b < (len >= 2 ? 127 : 33); b++) {
				for (c = 32; c < (len >= 3 ? 127 : 33); c++) {
					s[0] = (char)a;
					s[1] = (char)b;
					s[2] = (char)c;
					s[len] = '\0';
					count++;
					rc = nx_query_compile(&q, s, &err);
					if (rc != NX_OK) {
						print_error("input <%s>: %s\n", s, err.msg);
						failed++;
						continue;
					}
					if (q->fts != NULL) {
						searchable++;
						memcpy(bt->in[bt->n], s, sizeof(s));
						bt->fts[bt->n] = strdup(q->fts);
						assert_non_null(bt->fts[bt->n]);
						if (++bt->n == BATCH)
							failed += batch_flush(fx, bt);
					}
					nx_query_free(q);
				}
			}
		}
	}
	failed += batch_flush(fx, bt);
	free(bt);
	assert_int_equal(failed, 0);
	assert_int_equal(count, 95 + 95 * 95 + 95 * 95 * 95);
	/* Most short strings hold a letter or digit. */
	assert_true(searchable > count / 2);
}

/*
 * Random strings built from query syntax, biased towards deep and
 * unbalanced nesting, and random bytes including invalid UTF-8.
 */
static void test_fuzz(void **state)
{
	static const char *const pieces[] = {
		"(", "(", "(", ")", ")", "-", "-(", "NOT ", " OR ", " AND ", "OR", "\"",
		"\"", "*", " ", " ", "a", "b", "title:", "body:(", "caption:", "x*",
		"\"p q\"*", ":", "^", "+", "NEAR", "{", "}", ",", "\xc3\xa9", "\xff",
	};
	struct fixture *fx = *state;
	uint64_t seed = 0x9E3779B97F4A7C15ULL;
	char s[512];
	size_t i = 0, len = 0, k = 0, failed = 0, n = 0, npieces = sizeof(pieces) / sizeof(pieces[0]);
	nx_query *q = NULL;
	const char *p = NULL;

	for (i = 0; i < 30000; i++) {
		len = 0;
		n = 1 + rng_next(&seed) % 80;
		if (i % 2 == 0) {
			for (k = 0; k < n; k++) {
				p = pieces[rng_next(&seed) % npieces];
				if (len + strlen(p) >= sizeof(s))
					break;
				memcpy(s + len, p, strlen(p));
				len += strlen(p);
			}
		} else {
			for (k = 0; k < n; k++) {
				s[len] = (char)(1 + rng_next(&seed) % 255);
				len++;
			}
		}
		s[len] = '\0';
		q = compile_ok(s);
		if (q->fts != NULL && run_fts(fx, s, q->fts) < 0)
			failed++;
		nx_query_free(q);
	}
	assert_int_equal(failed, 0);
}

/*
 * Nesting far past the honoured depth, built from the shapes that cost
 * FTS5's fixed-size parser stack most: operands and operators pending to
 * the left of every "(".  First each shape alone, then random mixes.
 */
static void test_deep_nesting(void **state)
{
	static const char *const shapes[][2] = {
		{ "(", ")" },
		{ "x (", ")" },
		{ "x AND (", ")" },
		{ "x title:(", ")" },
		{ "x -(", ")" },
		{ "-(", ") x" },
		{ "x OR (", ")" },
		{ "x y OR (", ")" },
		{ "(a b -c) OR (", ")" },
		{ "x title:((a b -c) OR (", ") OR d)" },
		{ "x AND title:(a b -c -(", ") OR d)" },
		{ "a b -c -(", ")" },
		{ "a OR (b c -(", ") -d)" },
		{ "title:(body:(", "))" },
		{ "x OR title:(y -(", "))" },
		{ "a (b OR (", "))" },
		{ "(", " a b -c)" },
		{ "x (y (", ") z -w)" },
		{ "x title:(a (", ") -c)" },
		{ "x OR title:(a b OR (", ") -c)" },
		{ "x -title:(a (", ") -c)" },
		{ "\"", "" },
	};
	const size_t nshapes = sizeof(shapes) / sizeof(shapes[0]);
	struct fixture *fx = *state;
	uint64_t seed = 0x2545F4914F6CDD1DULL;
	size_t i = 0, d = 0, depth = 0, failed = 0, round = 0;
	size_t pick[48];
	char *s = NULL;
	nx_query *q = NULL;

	s = malloc(48 * 64 + 16);
	assert_non_null(s);
	for (round = 0; round < nshapes + 3000; round++) {
		depth = round < nshapes ? 40 : 1 + rng_next(&seed) % 16;
		for (d = 0; d < depth; d++)
			pick[d] = round < nshapes ? round : rng_next(&seed) % nshapes;
		s[0] = '\0';
		for (d = 0; d < depth; d++)
			strcat(s, shapes[pick[d]][0]);
		strcat(s, "core");
		for (i = depth; i > 0; i--)
			strcat(s, shapes[pick[i - 1]][1]);
		q = compile_ok(s);
		if (q->fts != NULL && run_fts(fx, s, q->fts) < 0)
			failed++;
		nx_query_free(q);
	}
	free(s);
	assert_int_equal(failed, 0);
}

static void test_ten_thousand_terms(void **state)
{
	struct fixture *fx = *state;
	char *plain = NULL, *mixed = NULL;
	size_t i = 0, len = 0;
	nx_query *q = NULL;
	double t0 = 0, t1 = 0;

	plain = calloc(1, 70000);
	mixed = calloc(1, 70000);
	assert_non_null(plain);
	assert_non_null(mixed);
	for (i = 0; i < 10000; i++)
		len += (size_t)sprintf(plain + len, "%sw%zu", i > 0 ? " " : "", i);
	len = 0;
	/* Four distinct three-letter words per round: "aaa OR aab -aac (aad) ". */
	for (i = 0; i < 10000; i++) {
		if (i % 4 == 1)
			len += (size_t)sprintf(mixed + len, "OR ");
		mixed[len++] = i % 4 == 2 ? '-' : i % 4 == 3 ? '(' : ' ';
		mixed[len++] = (char)('a' + i / 676 % 26);
		mixed[len++] = (char)('a' + i / 26 % 26);
		mixed[len++] = (char)('a' + i % 26);
		mixed[len++] = i % 4 == 3 ? ')' : ' ';
	}
	assert_true(strlen(plain) <= 64 * 1024);
	assert_true(strlen(mixed) <= 64 * 1024);

	t0 = now();
	q = compile_ok(plain);
	t1 = now();
	assert_int_equal(q->nterms, 10000);
	assert_string_equal(q->terms[9999], "w9999");
	assert_true(t1 - t0 < 0.5);
	assert_true(run_fts(fx, "10,000 words", q->fts) >= 0);
	nx_query_free(q);

	t0 = now();
	q = compile_ok(mixed);
	t1 = now();
	assert_int_equal(q->nterms, 3 * 10000 / 4);
	assert_int_equal(q->has_negative, 1);
	assert_true(t1 - t0 < 0.5);
	assert_true(run_fts(fx, "10,000 mixed terms", q->fts) >= 0);
	nx_query_free(q);

	free(plain);
	free(mixed);
}

static void test_too_big(void **state)
{
	nx_error err = NX_ERROR_INIT;
	nx_query *q = (nx_query *)&err; /* any non-NULL value: must be reset */
	char *s = NULL;

	(void)state;
	s = malloc(64 * 1024 + 2);
	assert_non_null(s);
	memset(s, 'a', 64 * 1024 + 1);
	s[64 * 1024 + 1] = '\0';
	assert_int_equal(nx_query_compile(&q, s, &err), NX_ETOOBIG);
	assert_null(q);
	assert_int_equal(err.code, NX_ETOOBIG);
	assert_non_null(strstr(err.msg, "too long"));

	/* Exactly 64 KiB is still fine. */
	s[64 * 1024] = '\0';
	nx_error_clear(&err);
	q = compile_ok(s);
	assert_int_equal(q->nterms, 1);
	nx_query_free(q);
	free(s);
}

static void test_bad_arguments(void **state)
{
	nx_error err = NX_ERROR_INIT;
	nx_query *q = NULL;

	(void)state;
	assert_int_equal(nx_query_compile(&q, NULL, &err), NX_EINVAL);
	assert_null(q);
	assert_int_equal(nx_query_compile(NULL, "x", NULL), NX_EINVAL);
	nx_query_free(NULL);
}


/* Metadata operators become filters; relaxed ORs the non-stop-word items. */
/*
 * A malformed or out-of-range date in an operator is an error of its own
 * (issue 16, item 14), never a dropped filter; the years accepted are the
 * ones --since and --until accept (nx_filter_set_dates).
 */
static void test_bad_dates(void **state)
{
	static const char *const bad[] = { "published:<9999", "published:1000-01-01..9999-12-31",
					   "oil published:1987-3", "date:soon", "updated:>2022-13-01",
					   "published:1799-12-31", "published:2201", "changed:>30x", "x published:..",
					   "published:\"2021-07-01..\" updated:bad" };
	static const char *const good[] = { "published:1800-01-01", "published:2200-12-31", "published:1987-03",
					    "published:<=2200", "changed:>2w", "published: oil", "source:" };
	nx_query *q = NULL;
	nx_filter f = NX_FILTER_INIT;
	nx_error err = NX_ERROR_INIT;
	size_t i = 0;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		nx_error_clear(&err);
		if (nx_query_compile(&q, bad[i], &err) != NX_EQUERY)
			fail_msg("'%s' compiled (%s)", bad[i], q != NULL && q->fts != NULL ? q->fts : "no text");
		assert_null(q);
		assert_non_null(strstr(err.msg, "is not a"));
	}
	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		if (nx_query_compile(&q, good[i], &err) != NX_OK)
			fail_msg("'%s': %s", good[i], err.msg);
		nx_query_free(q);
	}
	/* the same bounds as the flags */
	assert_int_equal(nx_filter_set_dates(&f, 'p', "..1800-01-01", &err), NX_OK);
	assert_int_equal(nx_filter_set_dates(&f, 'p', "..2200-12-31", &err), NX_OK);
	assert_int_equal(nx_filter_set_dates(&f, 'p', "..1799-12-31", &err), NX_EFORMAT);
	assert_int_equal(nx_filter_set_dates(&f, 'p', "..9999-12-31", &err), NX_EFORMAT);
	nx_filter_clear(&f);
}

static void test_filters_and_relaxed(void **state)
{
	nx_query *q = NULL;
	nx_error err = NX_ERROR_INIT;

	(void)state;
	assert_int_equal(nx_query_compile(&q, "published:2021-07 updated:>2022-01-01 changed:>30d "
					  "source:\"New York Times\" author:doe lang:de-DE rnc", &err), NX_OK);
	assert_string_equal(q->fts, "\"rnc\"");
	assert_int_equal(q->filter.set, NX_F_PUB_MIN | NX_F_PUB_MAX | NX_F_UPD_MIN | NX_F_CHANGED);
	assert_int_equal(q->filter.pub_min, 1625097600);  /* 2021-07-01 */
	assert_int_equal(q->filter.pub_max, 1627776000);  /* 2021-08-01 */
	assert_int_equal(q->filter.upd_min, 1641081600);  /* after the whole of 2022-01-01 */
	assert_int_equal(q->filter.changed_min, 30 * 86400);
	assert_string_equal(q->filter.source, "New York Times");
	assert_string_equal(q->filter.author, "doe");
	assert_string_equal(q->filter.lang, "de");
	assert_null(q->relaxed);
	nx_query_free(q);

	assert_int_equal(nx_query_compile(&q, "published:2021-07-01..2021-07-31 published:<2020", &err), NX_OK);
	assert_null(q->fts);
	assert_int_equal(q->filter.pub_min, 1625097600);
	assert_int_equal(q->filter.pub_max, 1577836800); /* the tighter bound wins: before 2020 */
	nx_query_free(q);

	assert_int_equal(nx_query_compile(&q, "Kennedy pressure on the Buddhists -Laos", &err), NX_OK);
	assert_string_equal(q->fts, "(\"Kennedy\" \"pressure\" \"on\" \"the\" \"Buddhists\") NOT \"Laos\"");
	assert_string_equal(q->relaxed, "(\"Kennedy\" OR \"pressure\" OR \"Buddhists\") NOT \"Laos\"");
	assert_int_equal(q->nunits, 3);
	nx_query_free(q);

	assert_int_equal(nx_query_compile(&q, "the cyberattack", &err), NX_OK);
	assert_null(q->relaxed); /* one item that is not a stop word: nothing to relax */
	nx_query_free(q);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_table),
		cmocka_unit_test(test_bad_dates),
		cmocka_unit_test(test_filters_and_relaxed),
		cmocka_unit_test_setup_teardown(test_table_runs_in_fts5, setup_db, teardown_db),
		cmocka_unit_test_setup_teardown(test_semantics, setup_db, teardown_db),
		cmocka_unit_test_setup_teardown(test_all_short_ascii, setup_db, teardown_db),
		cmocka_unit_test_setup_teardown(test_fuzz, setup_db, teardown_db),
		cmocka_unit_test_setup_teardown(test_deep_nesting, setup_db, teardown_db),
		cmocka_unit_test_setup_teardown(test_ten_thousand_terms, setup_db, teardown_db),
		cmocka_unit_test(test_too_big),
		cmocka_unit_test(test_bad_arguments),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

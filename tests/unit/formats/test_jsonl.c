/*
 * test_jsonl.c - unit tests for src/formats/jsonl.c.
 *
 * The field mapping (title/headline, text/body, dates as strings and
 * epoch numbers, authors as strings and objects, source objects, language
 * tags, photos with credits, id/guid), line offsets, per-line errors that
 * do not stop the file, the JSON array form, and hostile input: a 10 MB
 * line, deeply nested JSON, NUL bytes, every prefix of a good file.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/buf.h"
#include "formats/format.h"
#include "newsidx/newsidx.h"

#define MAXCAP 16

typedef struct cap {
	size_t n;
	nx_article *a[MAXCAP]; /* copies made through JSON */
} cap;

static int on_article(nx_article *a, void *ctx)
{
	cap *c = ctx;
	char *json = NULL;
	nx_article *copy = NULL;

	if (c->n < MAXCAP) {
		json = nx_article_to_json(a, 0);
		assert_non_null(json);
		assert_int_equal(nx_article_from_json(&copy, json, strlen(json), NULL), NX_OK);
		copy->origin.offset = a->origin.offset;
		copy->origin.record_id = a->origin.record_id != NULL ? strdup(a->origin.record_id) : NULL;
		c->a[c->n] = copy;
		free(json);
	}
	c->n++;
	return 0;
}

static void cap_free(cap *c)
{
	size_t i = 0;

	for (i = 0; i < MAXCAP && i < c->n; i++)
		nx_article_free(c->a[i]);
	memset(c, 0, sizeof(*c));
}

static char *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *buf = NULL;
	long n = 0;

	if (f == NULL)
		return NULL;
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	fseek(f, 0, SEEK_SET);
	buf = malloc((size_t)n + 1);
	if (buf != NULL && fread(buf, 1, (size_t)n, f) != (size_t)n) {
		free(buf);
		buf = NULL;
	}
	fclose(f);
	*len = (size_t)n;
	return buf;
}

static int parse(const char *data, size_t len, cap *c, nx_error *err)
{
	nx_ingest_opts opts = NX_INGEST_OPTS_INIT;
	nx_input in;
	char *copy = malloc(len > 0 ? len : 1);
	int rc = 0;

	memcpy(copy, data, len);
	opts.now = 1700000000;
	memset(&in, 0, sizeof(in));
	in.data = copy;
	in.len = len;
	in.offset = -1;
	in.opts = &opts;
	rc = nx_parse_jsonl(&in, on_article, c, err);
	free(copy);
	return rc;
}

static size_t line_offset(const char *d, size_t len, int lineno)
{
	size_t i = 0;
	int l = 1;

	for (i = 0; i < len && l < lineno; i++)
		if (d[i] == '\n')
			l++;
	return i;
}

static void check_first_two(cap *c)
{
	nx_article *a = c->a[0], *b = c->a[1];
	char buf[32];

	assert_string_equal(a->title, "First good line");
	assert_string_equal(a->url, "https://x.example/1");
	assert_int_equal(a->nparas, 2);
	assert_string_equal(a->paras[0], "Para one.");
	assert_string_equal(a->paras[1], "Para two wrapped.");
	nx_date_format_utc(buf, a->published.utc);
	assert_string_equal(buf, "2021-07-08T01:42:00Z");
	assert_int_equal(a->nauthors, 2);
	assert_string_equal(a->authors[0], "Ann Lee");
	assert_string_equal(a->authors[1], "Bo Chan");
	assert_string_equal(a->source, "Example Wire");
	assert_string_equal(a->lang, "de");
	assert_string_equal(a->section, "World");
	assert_string_equal(a->origin.record_id, "a1");

	assert_string_equal(b->title, "Second good line");
	assert_string_equal(b->url, "https://x.example/2");
	assert_int_equal(b->nparas, 3); /* no blank line: one paragraph per line */
	nx_date_format_utc(buf, b->published.utc);
	assert_string_equal(buf, "2021-07-08T01:42:00Z"); /* epoch milliseconds */
	nx_date_format_utc(buf, b->updated.utc);
	assert_string_equal(buf, "2021-07-08T01:42:00Z");
	assert_string_equal(b->origin.record_id, "42");
}

/* Plain text: a blank line of spaces, tabs or CR splits paragraphs; a newline at the end alone does not make one. */
static void test_plain_blank_lines(void **state)
{
	static const struct {
		const char *text;
		size_t nparas;
		const char *first, *last;
	} cases[] = {
		{ "One line only, no newline at all", 1, "One line only, no newline at all", NULL },
		{ "Line one\\nline two\\n", 2, "Line one", "line two" },
		{ "Para one\\nwrapped.\\n \\t\\r\\nPara two.", 2, "Para one wrapped.", "Para two." },
		{ "Para one.\\r\\n\\r\\nPara two\\nwrapped.", 2, "Para one.", "Para two wrapped." },
		{ "\\nA\\nB\\nC\\n\\n", 1, "A B C", NULL },
		{ "A\\nB\\n  x", 3, "A", "x" },
	};
	size_t i = 0;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char line[256];
		cap c;
		nx_error err = NX_ERROR_INIT;
		int n = snprintf(line, sizeof(line), "{\"title\":\"T\",\"text\":\"%s\"}\n", cases[i].text);

		memset(&c, 0, sizeof(c));
		assert_int_equal(parse(line, (size_t)n, &c, &err), NX_OK);
		assert_int_equal(c.n, 1);
		if (c.a[0]->nparas != cases[i].nparas)
			fail_msg("case %zu: %zu paragraphs, want %zu", i, c.a[0]->nparas, cases[i].nparas);
		assert_string_equal(c.a[0]->paras[0], cases[i].first);
		if (cases[i].last != NULL)
			assert_string_equal(c.a[0]->paras[c.a[0]->nparas - 1], cases[i].last);
		cap_free(&c);
	}
}

static void test_mixed_lines(void **state)
{
	size_t len = 0;
	char *d = slurp(NX_TEST_DATA "/jsonl/mixed.jsonl", &len);
	cap c;
	nx_error err = NX_ERROR_INIT;

	(void)state;
	memset(&c, 0, sizeof(c));
	assert_non_null(d);
	assert_int_equal(parse(d, len, &c, &err), NX_EFORMAT);
	assert_int_equal(c.n, 3);
	check_first_two(&c);
	assert_int_equal(c.a[0]->origin.offset, 0);
	assert_int_equal(c.a[1]->origin.offset, (int64_t)line_offset(d, len, 4));
	assert_int_equal(c.a[2]->origin.offset, (int64_t)line_offset(d, len, 8));
	/* description as body, photo credit split */
	assert_string_equal(c.a[2]->title, "Described");
	assert_int_equal(c.a[2]->nparas, 1);
	assert_int_equal(c.a[2]->nphotos, 1);
	assert_string_equal(c.a[2]->photos[0].caption, "A caption");
	assert_string_equal(c.a[2]->photos[0].agency, "AP");
	assert_string_equal(c.a[2]->photos[0].photographer, "Evan Vucci");
	assert_non_null(strstr(err.msg, "4 of 7 lines could not be read; first: line 3: invalid JSON: "));
	cap_free(&c);
	free(d);
}

/* What `newsidx export` writes comes back whole: every photo, local times. */
static void test_export_form(void **state)
{
	static const char line[] =
		"{\"id\":\"0123456789abcdef\",\"url\":\"https://x.example/a\",\"source\":\"X\","
		"\"title\":\"Two photos\",\"authors\":[\"Ann Lee\"],\"section\":null,\"lang\":\"en\","
		"\"published\":\"2021-07-08T08:00:00Z\",\"published_local\":\"2021-07-08T10:00:00+02:00\","
		"\"updated\":\"2021-07-08T09:00:00Z\",\"updated_local\":null,\"body\":\"<Acme Corp> said <br> is a tag.\\n\\nTwo.\","
		"\"photos\":[{\"agency\":\"Reuters\",\"photographer\":\"Jane Roe\",\"caption\":\"First\","
		"\"url\":\"https://x.example/1.jpg\"},{\"agency\":\"AP Photo\",\"photographer\":null,"
		"\"caption\":\"Second\"}],\"origin\":{\"file\":\"a.html\",\"offset\":0}}\n";
	cap c;
	nx_error err = NX_ERROR_INIT;

	(void)state;
	memset(&c, 0, sizeof(c));
	assert_int_equal(parse(line, sizeof(line) - 1, &c, &err), NX_OK);
	assert_int_equal(c.n, 1);
	/* its body is plain text, whatever '<' it holds */
	assert_int_equal(c.a[0]->nparas, 2);
	assert_string_equal(c.a[0]->paras[0], "<Acme Corp> said <br> is a tag.");
	assert_int_equal(c.a[0]->nphotos, 2);
	assert_string_equal(c.a[0]->photos[0].agency, "Reuters");
	assert_string_equal(c.a[0]->photos[0].photographer, "Jane Roe");
	assert_string_equal(c.a[0]->photos[0].url, "https://x.example/1.jpg");
	/* taken as written: no credit splitting of "AP Photo" */
	assert_string_equal(c.a[0]->photos[1].agency, "AP Photo");
	assert_null(c.a[0]->photos[1].photographer);
	assert_string_equal(c.a[0]->photos[1].caption, "Second");
	assert_true(c.a[0]->published.has_offset);
	assert_int_equal(c.a[0]->published.offset, 120);
	assert_int_equal(c.a[0]->published.utc, 1625731200);
	assert_int_equal(c.a[0]->updated.utc, 1625734800);
	cap_free(&c);
}

static void test_array(void **state)
{
	size_t len = 0;
	char *d = slurp(NX_TEST_DATA "/jsonl/array.json", &len);
	cap c;
	nx_error err = NX_ERROR_INIT;

	(void)state;
	memset(&c, 0, sizeof(c));
	assert_non_null(d);
	assert_int_equal(parse(d, len, &c, &err), NX_OK);
	assert_int_equal(c.n, 3);
	check_first_two(&c);
	assert_string_equal(c.a[2]->title, "Third in array");
	assert_true(c.a[2]->nparas >= 1);
	assert_null(strstr(c.a[2]->paras[0], "<b>"));
	/* offsets are the elements' */
	assert_int_equal(d[c.a[0]->origin.offset], '{');
	assert_int_equal(d[c.a[1]->origin.offset], '{');
	assert_true(c.a[1]->origin.offset > c.a[0]->origin.offset);
	cap_free(&c);
	/* a broken array stops with a reason, after the good elements */
	assert_int_equal(parse(d, len - 40, &c, &err), NX_EFORMAT);
	assert_int_equal(c.n, 2);
	assert_non_null(strstr(err.msg, "element 3"));
	cap_free(&c);
	free(d);
}

static void test_corpus_sample(void **state)
{
	size_t len = 0;
	char *d = slurp(NX_CORPUS "/sample.jsonl", &len);
	cap c;
	nx_error err = NX_ERROR_INIT;

	(void)state;
	memset(&c, 0, sizeof(c));
	assert_non_null(d);
	assert_int_equal(nx_ingest_buffer(d, len, "sample.jsonl", NULL, on_article, &c, &err), NX_OK);
	assert_int_equal(c.n, 3);
	assert_string_equal(c.a[0]->title, "Harbour bridge reopens after two-year repair");
	assert_int_equal(c.a[0]->nphotos, 1);
	assert_string_equal(c.a[0]->photos[0].agency, "Reuters");
	assert_string_equal(c.a[0]->photos[0].photographer, "Jane Roe");
	assert_string_equal(c.a[2]->authors[0], "Karl Jensen");
	cap_free(&c);
	free(d);
}

static void test_huge_line(void **state)
{
	nx_buf b = NX_BUF_INIT;
	size_t target = 10u << 20;
	cap c;
	nx_error err = NX_ERROR_INIT;

	(void)state;
	memset(&c, 0, sizeof(c));
	nx_buf_adds(&b, "{\"title\": \"Huge\", \"text\": \"");
	while (b.len < target)
		nx_buf_adds(&b, "All work and no play makes a very long line. ");
	nx_buf_adds(&b, "\"}\n{\"title\": \"After\", \"url\": \"https://x.example/after\"}\n");
	assert_true(nx_buf_ok(&b));
	assert_int_equal(parse(b.buf, b.len, &c, &err), NX_OK);
	assert_int_equal(c.n, 2);
	assert_string_equal(c.a[1]->title, "After");
	cap_free(&c);
	/* a 10 MB line that never closes */
	nx_buf_truncate(&b, target);
	assert_int_equal(parse(b.buf, b.len, &c, &err), NX_EFORMAT);
	assert_int_equal(c.n, 0);
	assert_non_null(strstr(err.msg, "1 of 1 lines could not be read; first: line 1: invalid JSON"));
	cap_free(&c);
	nx_buf_free(&b);
}

static void test_deep_nesting(void **state)
{
	nx_buf b = NX_BUF_INIT;
	size_t i = 0, depth = 100000;
	cap c;
	nx_error err = NX_ERROR_INIT;

	(void)state;
	memset(&c, 0, sizeof(c));
	nx_buf_adds(&b, "{\"title\": \"Deep\", \"x\": ");
	for (i = 0; i < depth; i++)
		nx_buf_addch(&b, '[');
	for (i = 0; i < depth; i++)
		nx_buf_addch(&b, ']');
	nx_buf_adds(&b, "}\n{\"title\": \"Shallow\", \"text\": \"ok\"}\n");
	/* also as an array of one deep element */
	assert_int_equal(parse(b.buf, b.len, &c, &err), NX_EFORMAT);
	assert_int_equal(c.n, 1);
	assert_string_equal(c.a[0]->title, "Shallow");
	assert_non_null(strstr(err.msg, "1 of 2 lines"));
	cap_free(&c);
	nx_buf_reset(&b);
	nx_buf_addch(&b, '[');
	for (i = 0; i < depth; i++)
		nx_buf_adds(&b, "{\"a\":");
	assert_int_equal(parse(b.buf, b.len, &c, &err), NX_EFORMAT);
	assert_int_equal(c.n, 0);
	cap_free(&c);
	nx_buf_free(&b);
}

static void test_hostile_bytes(void **state)
{
	static const char nul[] = "{\"title\": \"a\0b\", \"text\": \"x\"}\n{\"title\": \"Fine\", \"text\": \"y\"}\n";
	static const char *const odd[] = {
		"", "\n\n\n", "{", "[", "[]", "[{}]", "{}", "\xEF\xBB\xBF{\"title\": \"BOM\", \"text\": \"t\"}",
		"{\"title\": \"\xff\xfe bad utf-8\", \"text\": \"t\"}",
		"{\"title\": 5, \"text\": [\"p1\", 7, \"p2\"], \"authors\": [null, {}, 3]}",
		"{\"title\": \"T\", \"date\": \"not a date\", \"published\": -5, \"image\": [1]}",
		"{\"title\": \"T\", \"date\": 1e300, \"lang\": \"x\", \"source\": {\"name\": 3}}",
		"[{\"title\": \"A\"} {\"title\": \"B\"}]",
		"[{\"title\": \"A\"},",
	};
	size_t i = 0;
	cap c;
	nx_error err = NX_ERROR_INIT;

	(void)state;
	memset(&c, 0, sizeof(c));
	assert_int_equal(parse(nul, sizeof(nul) - 1, &c, &err), NX_EFORMAT);
	assert_int_equal(c.n, 1);
	assert_string_equal(c.a[0]->title, "Fine");
	cap_free(&c);
	for (i = 0; i < sizeof(odd) / sizeof(odd[0]); i++) {
		int rc = parse(odd[i], strlen(odd[i]), &c, &err);

		assert_true(rc == NX_OK || rc == NX_EFORMAT);
		cap_free(&c);
	}
	/* the BOM line is read */
	assert_int_equal(parse(odd[7], strlen(odd[7]), &c, &err), NX_OK);
	assert_int_equal(c.n, 1);
	cap_free(&c);
}

static void test_every_prefix(void **state)
{
	const char *files[2] = { NX_TEST_DATA "/jsonl/mixed.jsonl", NX_TEST_DATA "/jsonl/array.json" };
	size_t f = 0, n = 0, len = 0;

	(void)state;
	for (f = 0; f < 2; f++) {
		char *d = slurp(files[f], &len);

		assert_non_null(d);
		for (n = 0; n <= len; n++) {
			cap c;
			nx_error err = NX_ERROR_INIT;
			int rc = 0;

			memset(&c, 0, sizeof(c));
			rc = parse(d, n, &c, &err);
			assert_true(rc == NX_OK || rc == NX_EFORMAT);
			assert_true(c.n <= 3);
			cap_free(&c);
		}
		free(d);
	}
}

/* A text is HTML when it starts with '<' or holds "</p>" or "<br", in any case. */
static void test_html_detection(void **state)
{
	static const struct {
		const char *text; /* JSON string content */
		int html;
	} v[] = {
		{ "One</P>Two", 1 },
		{ "line one <Br/> line two", 1 },
		{ "  <p>hi</p>", 1 },
		{ "a<br", 1 },
		{ "x</p>", 1 },
		{ "a < b, and 1<2 then <b", 0 },
		{ "cut short </p", 0 },
		{ "ends with <", 0 },
		{ "ends with <b", 0 },
	};
	size_t i = 0, k = 0;

	(void)state;
	for (i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		char line[256];
		cap c;
		nx_error err = NX_ERROR_INIT;
		int has_lt = 0;

		memset(&c, 0, sizeof(c));
		snprintf(line, sizeof(line), "{\"title\": \"T\", \"text\": \"%s\"}\n", v[i].text);
		assert_int_equal(parse(line, strlen(line), &c, &err), NX_OK);
		assert_int_equal(c.n, 1);
		for (k = 0; k < c.a[0]->nparas; k++)
			has_lt |= strchr(c.a[0]->paras[k], '<') != NULL;
		/* HTML loses its tags; plain text keeps every '<' */
		if (has_lt == v[i].html)
			fail_msg("'%s': taken as %s", v[i].text, v[i].html ? "plain text" : "HTML");
		cap_free(&c);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_mixed_lines),
		cmocka_unit_test(test_plain_blank_lines),
		cmocka_unit_test(test_html_detection),
		cmocka_unit_test(test_array),
		cmocka_unit_test(test_export_form),
		cmocka_unit_test(test_corpus_sample),
		cmocka_unit_test(test_huge_line),
		cmocka_unit_test(test_deep_nesting),
		cmocka_unit_test(test_hostile_bytes),
		cmocka_unit_test(test_every_prefix),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

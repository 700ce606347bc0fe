/*
 * test_emit.c - the emit step every format ends with (formats/emit.c):
 * what it guarantees of every stored field, whatever the format.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "formats/format.h"
#include "util/buf.h"
#include "util/text.h"

#define MAX_SEEN 8

typedef struct seen {
	int n;
	int unsafe;          /* fields holding a control or bidi character */
	char where[256];     /* the first of them */
	size_t nauthors[MAX_SEEN], nphotos[MAX_SEEN];
	char agency[MAX_SEEN][64], photographer[MAX_SEEN][64], title[MAX_SEEN][128];
	char record_id[MAX_SEEN][128];
} seen;

/* 1 when s holds a C0/C1 control (tab and newline allowed in bodies) or a bidi override. */
static int has_unsafe(const char *s, int body)
{
	size_t i = 0, n = 0, len = s != NULL ? strlen(s) : 0;
	uint32_t cp = 0;

	for (i = 0; i < len; i += n > 0 ? n : 1) {
		n = nx_utf8_decode(s + i, len - i, &cp);
		if (body && (cp == '\t' || cp == '\n'))
			continue;
		if (cp < 0x20 || (cp >= 0x7F && cp <= 0x9F) || (cp >= 0x202A && cp <= 0x202E) ||
		    (cp >= 0x2066 && cp <= 0x2069))
			return 1;
	}
	return 0;
}

static void check(seen *s, const char *what, const char *v, int body)
{
	if (v != NULL && has_unsafe(v, body) && s->unsafe++ == 0)
		snprintf(s->where, sizeof(s->where), "%s: %s", what, v);
}

static int on_article(nx_article *a, void *ctx)
{
	seen *s = ctx;
	size_t i = 0;
	int k = s->n++;

	check(s, "title", a->title, 0);
	check(s, "url", a->url, 0);
	check(s, "source", a->source, 0);
	check(s, "section", a->section, 0);
	check(s, "lang", a->lang, 0);
	check(s, "record_id", a->origin.record_id, 0);
	for (i = 0; i < a->nauthors; i++)
		check(s, "author", a->authors[i], 0);
	for (i = 0; i < a->nparas; i++)
		check(s, "para", a->paras[i], 1);
	for (i = 0; i < a->nphotos; i++) {
		check(s, "agency", a->photos[i].agency, 0);
		check(s, "photographer", a->photos[i].photographer, 0);
		check(s, "caption", a->photos[i].caption, 0);
		check(s, "photo url", a->photos[i].url, 0);
	}
	if (k < MAX_SEEN) {
		s->nauthors[k] = a->nauthors;
		s->nphotos[k] = a->nphotos;
		if (a->nphotos > 0 && a->photos[0].agency != NULL)
			snprintf(s->agency[k], sizeof(s->agency[k]), "%s", a->photos[0].agency);
		if (a->nphotos > 0 && a->photos[0].photographer != NULL)
			snprintf(s->photographer[k], sizeof(s->photographer[k]), "%s", a->photos[0].photographer);
		if (a->title != NULL)
			snprintf(s->title[k], sizeof(s->title[k]), "%s", a->title);
		if (a->origin.record_id != NULL)
			snprintf(s->record_id[k], sizeof(s->record_id[k]), "%s", a->origin.record_id);
	}
	return 0;
}

static void ingest(seen *s, const char *data, size_t len)
{
	nx_ingest_opts opts = NX_INGEST_OPTS_INIT;
	nx_error err = NX_ERROR_INIT;
	int rc = 0;

	memset(s, 0, sizeof(*s));
	opts.now = 1700000000;
	rc = nx_ingest_buffer(data, len, "mem", &opts, on_article, s, &err);
	if (rc != NX_OK)
		fail_msg("ingest: %s", err.msg);
	if (s->unsafe != 0)
		fail_msg("%d unsafe field(s), first %s", s->unsafe, s->where);
}

/* The example: a JSON Lines credit carrying an OSC title and a screen clear. */
static void test_jsonl_credit_controls(void **state)
{
	static const char doc[] =
		"{\"title\":\"Harbour vote\",\"text\":\"Dock workers voted.\","
		"\"credit\":\"Reuters/\\u001b]0;owned\\u0007\\u001b[2JJane Doe\"}\n";
	seen s;

	(void)state;
	ingest(&s, doc, sizeof(doc) - 1);
	assert_int_equal(s.n, 1);
	assert_int_equal(s.nphotos[0], 1);
	assert_null(strchr(s.agency[0], 0x1b));
	assert_non_null(strstr(s.photographer[0], "Jane Doe"));
}

/* Bidi overrides and C1 controls in a title and an author. */
static void test_jsonl_bidi_and_c1(void **state)
{
	static const char doc[] =
		"{\"title\":\"Vote \\u202eetov\\u202c \\u0085count\",\"text\":\"Body\\ttext.\","
		"\"authors\":[\"\\u2066Ann\\u2069 Lee\"]}\n";
	seen s;

	(void)state;
	ingest(&s, doc, sizeof(doc) - 1);
	assert_int_equal(s.n, 1);
	assert_string_equal(s.title[0], "Vote etov count");
	assert_int_equal(s.nauthors[0], 1);
}

/* Plain text: a "Photo: Name/Agency" credit line with an escape sequence. */
static void test_text_photo_line(void **state)
{
	static const char doc[] =
		"Storm Closes Harbour\n"
		"14:05 GMT 12.08.2023\n"
		"The harbour was closed on Saturday as the storm reached the coast.\n"
		"Boats are moored along the quay.\n"
		"Photo: Maria \x1b[2JSantos/Reuters\x1b]0;owned\x07\n"
		"Officials said it would reopen on Monday if the wind eased.\n";
	seen s;

	(void)state;
	ingest(&s, doc, sizeof(doc) - 1);
	assert_int_equal(s.n, 1);
	assert_true(s.nphotos[0] >= 1);
}

/* HTML: a trailing "(AP Photo/...)" credit and a JSON-LD creditText, both with controls. */
static void test_html_credits(void **state)
{
	static const char doc[] =
		"<!DOCTYPE html><html><head><title>Bridge \xe2\x80\xae reopens</title>"
		"<script type=\"application/ld+json\">{\"@context\":\"https://schema.org\","
		"\"@type\":\"NewsArticle\",\"headline\":\"Bridge reopens\","
		"\"image\":{\"@type\":\"ImageObject\",\"url\":\"https://x.example/b.jpg\","
		"\"caption\":\"Traffic at dawn\",\"creditText\":\"Reuters/\\u001b[2JAnn Smith\"}}"
		"</script></head><body><article><h1>Bridge \xe2\x80\xae reopens</h1>"
		"<p>The bridge reopened to traffic on Monday after three weeks of repairs to its deck.</p>"
		"<figure><img src=\"https://x.example/c.jpg\"><figcaption>Cars cross. "
		"(AP Photo/\x1b]0;owned\x07Jane Doe)</figcaption></figure>"
		"<p>Engineers said the work had finished ahead of schedule and under budget.</p>"
		"</article></body></html>";
	seen s;

	(void)state;
	ingest(&s, doc, sizeof(doc) - 1);
	assert_int_equal(s.n, 1);
	assert_true(s.nphotos[0] >= 1);
}

/* WARC: a record id with controls; the document inside it. */
static void test_warc_record_id(void **state)
{
	static const char page[] =
		"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\n\r\n"
		"<html><head><title>Quay works</title></head><body><p>Work on the quay "
		"began on Monday and will last a month, the port said.</p></body></html>";
	char doc[2048];
	int n = 0;
	seen s;

	(void)state;
	n = snprintf(doc, sizeof(doc),
		     "WARC/1.0\r\nWARC-Type: response\r\nWARC-Record-ID: <urn:uuid:\x1b]0;owned\x07\xe2\x80\xae>\r\n"
		     "WARC-Target-URI: https://x.example/quay\r\nWARC-Date: 2023-08-12T10:00:00Z\r\n"
		     "Content-Type: application/http; msgtype=response\r\nContent-Length: %zu\r\n\r\n%s\r\n\r\n",
		     sizeof(page) - 1, page);
	ingest(&s, doc, (size_t)n);
	assert_int_equal(s.n, 1);
	assert_non_null(strstr(s.record_id[0], "urn:uuid:"));
}

/* s without its spaces, into out (128 bytes) */
static const char *squeeze(char *out, const char *s)
{
	size_t k = 0;

	for (; *s != '\0' && k < 127; s++)
		if (*s != ' ')
			out[k++] = *s;
	out[k] = '\0';
	return out;
}

/*
 * Fields are checked 8 bytes at a time: a DEL or a bidi override at every
 * offset of a long title and paragraph is found and dropped, the rest kept.
 */
static void test_unsafe_at_every_offset(void **state)
{
	static const char *const bad[] = { "\\u007f", "\\u202e", "\\u0080" };
	const char *text = "Harbour workers voted on Monday to end the strike at the port";
	size_t b = 0, at = 0;

	(void)state;
	for (b = 0; b < sizeof(bad) / sizeof(bad[0]); b++) {
		for (at = 0; at <= 20; at++) {
			char doc[512], want[128], got[128];
			int n = 0;
			seen s;

			n = snprintf(doc, sizeof(doc), "{\"title\":\"%.*s%s%s\",\"text\":\"%.*s%s%s\"}\n", (int)at,
				     text, bad[b], text + at, (int)at, text, bad[b], text + at);
			assert_true(n > 0 && (size_t)n < sizeof(doc));
			ingest(&s, doc, (size_t)n);
			assert_int_equal(s.n, 1);
			/* dropped, or a space where nx_text_clean folds it (DEL): the words all kept */
			assert_string_equal(squeeze(got, s.title[0]), squeeze(want, text));
		}
	}
}

/* A field no parser cleans (a WARC record id): a DEL at every offset of a long one is dropped. */
static void test_warc_record_id_del(void **state)
{
	static const char page[] = "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n\r\nWork on the quay began.";
	const char *id = "urn:uuid:0123456789abcdef0123456789abcdef";
	size_t at = 0;

	(void)state;
	for (at = 0; at <= 24; at++) {
		char doc[2048], want[128];
		int n = 0;
		seen s;

		n = snprintf(doc, sizeof(doc),
			     "WARC/1.0\r\nWARC-Type: response\r\nWARC-Record-ID: <%.*s\x7f%s>\r\n"
			     "WARC-Target-URI: https://x.example/quay\r\nWARC-Date: 2023-08-12T10:00:00Z\r\n"
			     "Content-Type: application/http; msgtype=response\r\nContent-Length: %zu\r\n\r\n%s\r\n\r\n",
			     (int)at, id, id + at, sizeof(page) - 1, page);
		assert_true(n > 0 && (size_t)n < sizeof(doc));
		ingest(&s, doc, (size_t)n);
		assert_int_equal(s.n, 1);
		snprintf(want, sizeof(want), "<%s>", id);
		assert_string_equal(s.record_id[0], want);
	}
}

/* Tab and newline stay in a body paragraph; other controls do not. */
static void test_body_keeps_tab(void **state)
{
	static const char doc[] =
		"{\"title\":\"Tabs\",\"text\":\"a\\tb \\u001b[31mred\\u0007 c\"}\n";
	seen s;

	(void)state;
	ingest(&s, doc, sizeof(doc) - 1);
	assert_int_equal(s.n, 1);
}

typedef struct notes {
	int n;
	char path[64];
	char msg[256];
} notes;

static void on_note(const char *path, const char *msg, void *ctx)
{
	notes *nt = ctx;

	if (nt->n++ == 0) {
		snprintf(nt->path, sizeof(nt->path), "%s", path != NULL ? path : "");
		snprintf(nt->msg, sizeof(nt->msg), "%s", msg);
	}
}

static void ingest_noted(seen *s, notes *nt, const char *data, size_t len)
{
	nx_ingest_opts opts = NX_INGEST_OPTS_INIT;
	nx_error err = NX_ERROR_INIT;

	memset(s, 0, sizeof(*s));
	memset(nt, 0, sizeof(*nt));
	opts.now = 1700000000;
	opts.note = on_note;
	opts.note_ctx = nt;
	if (nx_ingest_buffer(data, len, "many.jsonl", &opts, on_article, s, &err) != NX_OK)
		fail_msg("ingest: %s", err.msg);
}

/* 100k authors in one line: capped at 100, with a note naming the file (issue 16 item 6). */
static void test_author_cap(void **state)
{
	nx_buf b = NX_BUF_INIT;
	seen s;
	notes nt;
	int i = 0;

	(void)state;
	nx_buf_adds(&b, "{\"title\":\"Many bylines\",\"text\":\"A story.\",\"authors\":[");
	for (i = 0; i < 100000; i++)
		nx_buf_addf(&b, "%s\"Author Number %d\"", i > 0 ? "," : "", i);
	nx_buf_adds(&b, "]}\n");
	assert_true(nx_buf_ok(&b));
	ingest_noted(&s, &nt, b.buf, b.len);
	assert_int_equal(s.n, 1);
	assert_int_equal(s.nauthors[0], NX_ARTICLE_MAX_AUTHORS);
	assert_int_equal(nt.n, 1);
	assert_string_equal(nt.path, "many.jsonl");
	assert_non_null(strstr(nt.msg, "100000 authors"));
	nx_buf_free(&b);
}

/* 250 photos in one page: 200 kept, with a note. */
static void test_photo_cap(void **state)
{
	nx_buf b = NX_BUF_INIT;
	seen s;
	notes nt;
	int i = 0;

	(void)state;
	nx_buf_adds(&b, "<html><head><title>Gallery</title></head><body><article><h1>Gallery</h1>"
			"<p>The gallery opened on Monday with hundreds of pictures on its walls.</p>");
	for (i = 0; i < 250; i++)
		nx_buf_addf(&b, "<figure><img src=\"https://x.example/p%d.jpg\"><figcaption>Picture %d. "
				"(AP Photo/Name %d)</figcaption></figure>", i, i, i);
	nx_buf_adds(&b, "<p>It stays open until the end of the year, the curator said.</p></article></body></html>");
	ingest_noted(&s, &nt, b.buf, b.len);
	assert_int_equal(s.n, 1);
	assert_int_equal(s.nphotos[0], NX_ARTICLE_MAX_PHOTOS);
	assert_int_equal(nt.n, 1);
	assert_non_null(strstr(nt.msg, "250 photos"));
	nx_buf_free(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_jsonl_credit_controls),
		cmocka_unit_test(test_unsafe_at_every_offset),
		cmocka_unit_test(test_warc_record_id_del),
		cmocka_unit_test(test_jsonl_bidi_and_c1),
		cmocka_unit_test(test_text_photo_line),
		cmocka_unit_test(test_html_credits),
		cmocka_unit_test(test_warc_record_id),
		cmocka_unit_test(test_body_keeps_tab),
		cmocka_unit_test(test_author_cap),
		cmocka_unit_test(test_photo_cap),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

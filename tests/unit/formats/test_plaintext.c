/*
 * test_plaintext.c - the plain-text scrape parser (src/formats/plaintext.c)
 * against hand-checked normalized forms: the seed article and articles of
 * the same shape with other agencies, credit forms and datelines.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "newsidx/newsidx.h"

typedef struct got {
	int count;
	char *json;
} got;

static int keep_json(nx_article *a, void *ctx)
{
	got *g = ctx;

	g->count++;
	free(g->json);
	g->json = nx_article_to_json(a, 0);
	return g->json != NULL ? 0 : NX_ENOMEM;
}

static void check_file(const char *input, const char *expected_path)
{
	nx_error err = NX_ERROR_INIT;
	got g = { 0, NULL };
	json_error_t jerr;
	json_t *want = NULL, *have = NULL;
	char *dump = NULL;

	assert_int_equal(nx_ingest_file(input, NULL, keep_json, &g, &err), NX_OK);
	assert_int_equal(g.count, 1);
	want = json_load_file(expected_path, 0, &jerr);
	assert_non_null(want);
	have = json_loads(g.json, 0, &jerr);
	assert_non_null(have);
	if (!json_equal(want, have)) {
		dump = json_dumps(have, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
		print_error("got:\n%s\n", dump);
		free(dump);
		fail_msg("normalized form of %s differs from %s", input, expected_path);
	}
	json_decref(want);
	json_decref(have);
	free(g.json);
}

static void test_seed(void **state)
{
	(void)state;
	check_file(NX_CORPUS "/lavrov-cybercrime.txt", NX_TEST_DATA "/text/lavrov-cybercrime.expected.json");
}

static void test_afp_mediabank(void **state)
{
	(void)state;
	check_file(NX_TEST_DATA "/text/wildfire-afp.txt", NX_TEST_DATA "/text/wildfire-afp.expected.json");
}

static void test_ap_inline_credits_byline(void **state)
{
	(void)state;
	check_file(NX_TEST_DATA "/text/flood-ap.txt", NX_TEST_DATA "/text/flood-ap.expected.json");
}

static void test_epa_glued_caps_iso_dateline(void **state)
{
	(void)state;
	check_file(NX_TEST_DATA "/text/summit-epa.txt", NX_TEST_DATA "/text/summit-epa.expected.json");
}

static void test_blank_line_paragraphs_no_date(void **state)
{
	(void)state;
	check_file(NX_TEST_DATA "/text/market-no-date.txt", NX_TEST_DATA "/text/market-no-date.expected.json");
}

/* Parse a string and return the article JSON as a jansson object. */
static json_t *parse_str(const char *text)
{
	nx_error err = NX_ERROR_INIT;
	got g = { 0, NULL };
	json_error_t jerr;
	json_t *o = NULL;

	assert_int_equal(nx_ingest_buffer(text, strlen(text), "mem.txt", NULL, keep_json, &g, &err), NX_OK);
	assert_int_equal(g.count, 1);
	o = json_loads(g.json, 0, &jerr);
	free(g.json);
	assert_non_null(o);
	return o;
}

static void test_seed_exact_fields(void **state)
{
	json_t *o = NULL, *photos = NULL;
	FILE *f = fopen(NX_CORPUS "/lavrov-cybercrime.txt", "rb");
	char buf[8192];
	size_t n = 0;
	const char *body = NULL;

	(void)state;
	assert_non_null(f);
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	o = parse_str(buf);
	assert_string_equal(json_string_value(json_object_get(o, "title")),
			    "Lavrov: US Gave Russia No Clear Response to Moscow's Initiative to Seriously Deal With Cybercrimes");
	assert_string_equal(json_string_value(json_object_get(o, "published")), "2021-07-08T01:42:00Z");
	assert_string_equal(json_string_value(json_object_get(o, "updated")), "2022-08-06T13:20:00Z");
	photos = json_object_get(o, "photos");
	assert_int_equal(json_array_size(photos), 2);
	assert_string_equal(json_string_value(json_object_get(json_array_get(photos, 0), "agency")), "Sputnik");
	assert_string_equal(json_string_value(json_object_get(json_array_get(photos, 0), "photographer")), "Ramil Sitdikov");
	assert_string_equal(json_string_value(json_object_get(json_array_get(photos, 1), "agency")), "Reuters");
	assert_string_equal(json_string_value(json_object_get(json_array_get(photos, 1), "photographer")), "Evelyn Hockstein");
	body = json_string_value(json_object_get(o, "body"));
	assert_non_null(body);
	assert_true(strncmp(body, "The Kremlin recently noted", 26) == 0);
	assert_non_null(strstr(body, "despite Moscow's protests to the contrary."));
	assert_null(strstr(body, "©"));
	assert_null(strstr(body, "Subscribe"));
	assert_null(strstr(body, "mediabank"));
	assert_null(strstr(body, "Joe Biden delivers remarks"));
	assert_null(strstr(body, "Bahrain"));
	json_decref(o);
}

static void test_crlf_and_bom(void **state)
{
	json_t *o = NULL;

	(void)state;
	o = parse_str("\xEF\xBB\xBFTitle Here\r\n08 Jul 2021 10:00 GMT\r\nFirst paragraph.\r\nSecond one.\r\n");
	assert_string_equal(json_string_value(json_object_get(o, "title")), "Title Here");
	assert_string_equal(json_string_value(json_object_get(o, "published")), "2021-07-08T10:00:00Z");
	assert_string_equal(json_string_value(json_object_get(o, "body")), "First paragraph.\n\nSecond one.");
	json_decref(o);
}

static void test_invalid_utf8_repaired(void **state)
{
	json_t *o = NULL;
	const char *body = NULL;

	(void)state;
	o = parse_str("Bad \xFF bytes\nText with \xC3\x28 broken and \x01 control.\n");
	assert_string_equal(json_string_value(json_object_get(o, "title")), "Bad \xEF\xBF\xBD bytes");
	body = json_string_value(json_object_get(o, "body"));
	assert_string_equal(body, "Text with \xEF\xBF\xBD( broken and control.");
	json_decref(o);
}

static void test_invalid_dateline_not_guessed(void **state)
{
	json_t *o = NULL;

	(void)state;
	o = parse_str("A Title\n25:00 GMT 31.02.2021\nBody text.\n");
	assert_true(json_is_null(json_object_get(o, "published")));
	json_decref(o);
}

/* The text parsed, its body checked; the article returned (to decref). */
static json_t *check_body(const char *text, const char *body)
{
	json_t *o = parse_str(text);

	assert_string_equal(json_string_value(json_object_get(o, "body")), body);
	return o;
}

/* Issue 19 item 12: "Photo: Name/Agency" after its caption, blank lines
   between: the caption's photo, never body text. */
static void test_credit_after_caption_blank_lines(void **state)
{
	json_t *o = NULL, *ph = NULL;

	(void)state;
	o = check_body("Pier closes for good\n\nThe harbour board voted on Tuesday to close the old ferry "
		       "pier for good.\n\nThe old pier at dawn.\n\nPhoto: Jane Roe/AFP/Getty Images\n\n"
		       "Repairs would have cost more than a new pier, the board said.\n",
		       "The harbour board voted on Tuesday to close the old ferry pier for good.\n\n"
		       "Repairs would have cost more than a new pier, the board said.");
	ph = json_array_get(json_object_get(o, "photos"), 0);
	assert_non_null(ph);
	assert_string_equal(json_string_value(json_object_get(ph, "caption")), "The old pier at dawn.");
	assert_string_equal(json_string_value(json_object_get(ph, "photographer")), "Jane Roe");
	assert_string_equal(json_string_value(json_object_get(ph, "agency")), "AFP/Getty Images");
	json_decref(o);
}

/* One short paragraph per line, each 40-100 bytes: kept apart (before:
   read as one hard-wrapped paragraph); a hard-wrapped block still joined. */
static void test_one_paragraph_per_line(void **state)
{
	(void)state;
	json_decref(check_body("Pier closes for good\nThe harbour board voted on Tuesday to close the pier.\n"
			       "It ends ninety years of crossings to the island.\n"
			       "Repairs would have cost more than a new pier, they said.\n",
			       "The harbour board voted on Tuesday to close the pier.\n\n"
			       "It ends ninety years of crossings to the island.\n\n"
			       "Repairs would have cost more than a new pier, they said."));
	json_decref(check_body("Pier closes for good\n\nThe harbour board voted on Tuesday to close the old\n"
			       "ferry pier for good, ending ninety years of crossings\n"
			       "to the island. Repairs would have cost more.\n",
			       "The harbour board voted on Tuesday to close the old ferry pier for good, ending "
			       "ninety years of crossings to the island. Repairs would have cost more."));
}

static void test_whitespace_only_fails(void **state)
{
	nx_error err = NX_ERROR_INIT;
	got g = { 0, NULL };

	(void)state;
	assert_int_equal(nx_ingest_buffer(" \n\t\n", 4, "x.txt", NULL, keep_json, &g, &err), NX_EFORMAT);
	assert_int_equal(g.count, 0);
	assert_true(strlen(err.msg) > 0);
}

static void test_long_first_line_rejected(void **state)
{
	nx_error err = NX_ERROR_INIT;
	got g = { 0, NULL };
	char *big = malloc(5001);

	(void)state;
	memset(big, 'a', 5000);
	big[5000] = '\0';
	assert_int_equal(nx_ingest_buffer(big, 5000, "x.txt", NULL, keep_json, &g, &err), NX_EFORMAT);
	assert_non_null(strstr(err.msg, "not a title"));
	free(big);
}

/* Read text as a file of its own: NX_OK with one article, or the error's message in why. */
static int read_text(const char *text, char *why, size_t whylen)
{
	nx_error err = NX_ERROR_INIT;
	got g = { 0, NULL };
	int rc = nx_ingest_buffer(text, strlen(text), "x.txt", NULL, keep_json, &g, &err);

	snprintf(why, whylen, "%s", rc == NX_OK ? "" : err.msg);
	free(g.json);
	return rc == NX_OK && g.count == 1 ? NX_OK : rc;
}

static void test_not_articles(void **state)
{
	char why[NX_ERROR_MSG_MAX];

	(void)state;
	assert_int_equal(read_text("acq\nalum\nbarley\ncocoa\ncoffee\n", why, sizeof(why)), NX_EFORMAT);
	assert_non_null(strstr(why, "word list"));
	assert_int_equal(read_text("GNU GENERAL PUBLIC LICENSE\nVersion 3\n\nThis program comes WITHOUT ANY WARRANTY.\n",
				   why, sizeof(why)),
			 NX_EFORMAT);
	assert_non_null(strstr(why, "licence"));
	assert_int_equal(read_text("Just a headline\n", why, sizeof(why)), NX_EFORMAT);
	assert_non_null(strstr(why, "a title and no text"));
	assert_int_equal(read_text("Menu\n\nHome\n\nContact\n\nAbout us\n", why, sizeof(why)), NX_OK); /* "About us" */
	assert_int_equal(read_text("Menu\nHome\nNews\nSport\nContact\n", why, sizeof(why)), NX_EFORMAT);
}

static void test_short_articles_kept(void **state)
{
	char why[NX_ERROR_MSG_MAX];

	(void)state;
	assert_int_equal(read_text("Weather forecast\n\nSunshine for the south.\n", why, sizeof(why)), NX_OK);
	assert_int_equal(read_text("A Title\nBody text.\n", why, sizeof(why)), NX_OK);
	/* a story about a licence is a story */
	assert_int_equal(read_text("Court rules on software licence\n\nThe judge said the licence was valid.\n", why,
				   sizeof(why)),
			 NX_OK);
	/* one long line of a script written without spaces */
	assert_int_equal(read_text("\xe6\xa0\x87\xe9\xa2\x98\n"
				   "\xe4\xbb\x8a\xe5\xa4\xa9\xe4\xb8\x8a\xe5\x8d\x88\xe5\xb8\x82\xe6\x94\xbf"
				   "\xe5\xba\x9c\xe5\x8f\xac\xe5\xbc\x80\xe4\xba\x86\xe6\x96\xb0\xe9\x97\xbb"
				   "\xe5\x8f\x91\xe5\xb8\x83\xe4\xbc\x9a\xe3\x80\x82\n",
				   why, sizeof(why)),
			 NX_OK);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_seed),
		cmocka_unit_test(test_seed_exact_fields),
		cmocka_unit_test(test_afp_mediabank),
		cmocka_unit_test(test_ap_inline_credits_byline),
		cmocka_unit_test(test_epa_glued_caps_iso_dateline),
		cmocka_unit_test(test_blank_line_paragraphs_no_date),
		cmocka_unit_test(test_crlf_and_bom),
		cmocka_unit_test(test_invalid_utf8_repaired),
		cmocka_unit_test(test_invalid_dateline_not_guessed),
		cmocka_unit_test(test_credit_after_caption_blank_lines),
		cmocka_unit_test(test_one_paragraph_per_line),
		cmocka_unit_test(test_whitespace_only_fails),
		cmocka_unit_test(test_long_first_line_rejected),
		cmocka_unit_test(test_not_articles),
		cmocka_unit_test(test_short_articles_kept),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

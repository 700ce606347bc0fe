/*
 * test_credit.c - photo credit recognition, splitting and spelling
 * (src/article/credit.c).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "article/credit.h"

static const struct {
	const char *in;
	const char *agency;       /* NULL: none expected */
	const char *photographer; /* NULL: none expected */
} parse_cases[] = {
	{ "© Sputnik / Ramil Sitdikov", "Sputnik", "Ramil Sitdikov" },
	{ "© Sputnik / Ramil Sitdikov / Go to the mediabank", "Sputnik", "Ramil Sitdikov" },
	{ "© REUTERS / EVELYN HOCKSTEIN", "Reuters", "Evelyn Hockstein" },
	{ "(AP Photo/Evan Vucci)", "AP", "Evan Vucci" },
	{ "AP Photo/Evan Vucci", "AP", "Evan Vucci" },
	{ "Photograph: Sarah Kim/Getty Images", "Getty Images", "Sarah Kim" },
	{ "Photo: Maria Santos/Reuters", "Reuters", "Maria Santos" },
	{ "Photo: Maria Santos / REUTERS", "Reuters", "Maria Santos" },
	{ "Credit: TASS", "TASS", NULL },
	{ "© AFP", "AFP", NULL },
	{ "AFP PHOTO / JOHN MACDOUGALL", "AFP", "John Macdougall" },
	{ "Photo by Jane Doe via Reuters", "Reuters", "Jane Doe" },
	{ "Photograph: Jane Doe for The Guardian", "The Guardian", "Jane Doe" },
	{ "Photograph: Kin Cheung/AFP via Getty Images", "AFP", "Kin Cheung" },
	{ "© EPA-EFE / ANNA KOWALSKA", "EPA-EFE", "Anna Kowalska" },
	{ "EPA/FILIP SINGER", "EPA", "Filip Singer" },
	{ "© RIA Novosti / Alexei Druzhinin", "RIA Novosti", "Alexei Druzhinin" },
	{ "Copyright 2021 The Associated Press", "AP", NULL },
	{ "(c) Bloomberg", "Bloomberg", NULL },
	{ "Credit: Jane Doe", NULL, "Jane Doe" },
	{ "© JEAN-PIERRE O'NEIL / AFP", "AFP", "Jean-Pierre O'Neil" },
	{ "Getty Images", "Getty Images", NULL },
	{ "Foto: dpa", "dpa", NULL },
	{ "© Reuters / Pool", "Reuters", NULL },
	{ "Photo: ITAR-TASS / Mikhail Metzel", "TASS", "Mikhail Metzel" },
	{ "PA Wire/PA Images", "PA", NULL },
	{ "Image: NASA", "NASA", NULL },
	{ "© Acme Photo Agency / John Smith", "Acme Photo Agency", "John Smith" },
	{ "Photo: John Smith/Acme Images", "Acme Images", "John Smith" },
	/* issue 19 item 12 */
	{ "Photograph by Jane Roe/AFP/Getty Images", "AFP/Getty Images", "Jane Roe" },
	{ "Photo by Jane Roe/AFP/Getty Images", "AFP/Getty Images", "Jane Roe" },
	{ "Karen Blumberg (flickr.com/specialkrb)/Getty Images", "Getty Images", "Karen Blumberg" },
	{ "(Photo: Jane Roe (AP))", "AP", "Jane Roe" },
	{ "KCNA via REUTERS", "KCNA", NULL },
	{ "(KCNA VIA KNS/AFP)", "KCNA/AFP", NULL },
	{ "ANSA/ANGELO CARCONI", "ANSA", "Angelo Carconi" },
	{ "EFE/Juan P\xC3\xA9rez", "EFE", "Juan P\xC3\xA9rez" },
	{ "AAP Image/Dan Himbrechts", "AAP", "Dan Himbrechts" },
	{ "DPA/MICHAEL KAPPELER", "dpa", "Michael Kappeler" },
	{ "picture alliance/dpa", "picture alliance/dpa", NULL },
	{ "Photo: The president speaks at a rally in Ohio on Monday.", NULL, NULL },
	{ "Photo: Supporters wave flags as the motorcade passes/Reuters", "Reuters", NULL },
	{ "Credit: Jane de la Roe", NULL, "Jane de la Roe" },
	{ "CreditJane Roe/The New York Times", "The New York Times", "Jane Roe" },
	{ "Credit Jane Roe", NULL, "Jane Roe" },
	{ "Jane Roe/Agence France-Presse \xE2\x80\x94 Getty Images", "AFP/Getty Images", "Jane Roe" },
	{ "Jane Roe - AFP - Getty Images", "AFP/Getty Images", "Jane Roe" },
	{ "STR/AFP", "AFP", NULL },
	{ "Jean-Pierre Roe/dpa", "dpa", "Jean-Pierre Roe" },
	{ "", NULL, NULL },
	{ "©", NULL, NULL },
	{ "/ Subscribe", NULL, NULL },
};

static void test_parse_table(void **state)
{
	size_t i = 0;

	(void)state;
	for (i = 0; i < sizeof(parse_cases) / sizeof(parse_cases[0]); i++) {
		char *agency = NULL, *who = NULL;
		const char *in = parse_cases[i].in;

		assert_int_equal(nx_credit_parse(in, strlen(in), &agency, &who), 0);
		if (parse_cases[i].agency == NULL) {
			if (agency != NULL)
				fail_msg("case %zu '%s': unexpected agency '%s'", i, in, agency);
		} else if (agency == NULL || strcmp(agency, parse_cases[i].agency) != 0) {
			fail_msg("case %zu '%s': agency '%s', want '%s'", i, in, agency ? agency : "(null)",
				 parse_cases[i].agency);
		}
		if (parse_cases[i].photographer == NULL) {
			if (who != NULL)
				fail_msg("case %zu '%s': unexpected photographer '%s'", i, in, who);
		} else if (who == NULL || strcmp(who, parse_cases[i].photographer) != 0) {
			fail_msg("case %zu '%s': photographer '%s', want '%s'", i, in, who ? who : "(null)",
				 parse_cases[i].photographer);
		}
		free(agency);
		free(who);
	}
}

static void test_marker(void **state)
{
	(void)state;
	assert_int_equal(nx_credit_marker("© X", 4), 3);
	assert_int_equal(nx_credit_marker("Photo: X", 8), 7);
	assert_int_equal(nx_credit_marker("Photograph: X", 13), 12);
	assert_int_equal(nx_credit_marker("photos by X", 11), 10);
	assert_int_equal(nx_credit_marker("Photographer X", 14), 0); /* not a marker word */
	assert_int_equal(nx_credit_marker("Creditors met", 13), 0);
	assert_int_equal(nx_credit_marker("The photo", 9), 0);
	assert_int_equal(nx_credit_marker("", 0), 0);
}

static void test_split_glued(void **state)
{
	const char *a = "© Sputnik / Ramil Sitdikov / Go to the mediabankRussian Foreign Minister";
	const char *b = "© EPA / JANE DOEThe president spoke";
	const char *c = "© Reuters / Jane DoeThe president spoke";
	const char *d = "© Reuters / Jane Doe";
	const char *e = "© AFP / Ray McDonald";

	(void)state;
	assert_int_equal(nx_credit_split_glued(a, strlen(a)), strstr(a, "Russian") - a);
	assert_int_equal(nx_credit_split_glued(b, strlen(b)), strstr(b, "The ") - b);
	assert_int_equal(nx_credit_split_glued(c, strlen(c)), strstr(c, "The ") - c);
	assert_int_equal(nx_credit_split_glued(d, strlen(d)), strlen(d));
	assert_int_equal(nx_credit_split_glued(e, strlen(e)), strlen(e));
}

static void test_trailing(void **state)
{
	const char *a = "Residents wade through a street on Wednesday. (AP Photo/Evan Vucci)";
	const char *b = "Volunteers fill sandbags. Photograph: Sarah Kim/Getty Images";
	const char *c = "The minister (centre) spoke to reporters.";
	const char *d = "He said the photo: was not his.";
	size_t at = 0;

	(void)state;
	assert_int_equal(nx_credit_find_trailing(a, strlen(a), &at), 1);
	assert_int_equal(at, strstr(a, "(AP") - a);
	assert_int_equal(nx_credit_find_trailing(b, strlen(b), &at), 1);
	assert_int_equal(at, strstr(b, "Photograph") - b);
	assert_int_equal(nx_credit_find_trailing(c, strlen(c), &at), 0);
	assert_int_equal(nx_credit_find_trailing(d, strlen(d), &at), 0);
}

static void test_name_case(void **state)
{
	static const struct {
		const char *in, *out;
	} cases[] = {
		{ "EVELYN HOCKSTEIN", "Evelyn Hockstein" },
		{ "JEAN-PIERRE O'NEIL", "Jean-Pierre O'Neil" },
		{ "LUDOVIC MARIN", "Ludovic Marin" },
		{ "ANNA VAN DER BERG", "Anna van der Berg" },
		{ "Evelyn Hockstein", "Evelyn Hockstein" },
		{ "danah boyd", "danah boyd" },
		{ "ÉMILE ZOLA", "Émile Zola" },
		{ "АЛЕКСЕЙ НИКОЛЬСКИЙ", "Алексей Никольский" },
		{ "X", "X" },
	};
	size_t i = 0;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *s = nx_name_case(cases[i].in, strlen(cases[i].in));

		assert_non_null(s);
		if (strcmp(s, cases[i].out) != 0)
			fail_msg("name case '%s': got '%s', want '%s'", cases[i].in, s, cases[i].out);
		free(s);
	}
}

static void test_agency_table(void **state)
{
	(void)state;
	assert_string_equal(nx_agency_canonical("REUTERS", 7), "Reuters");
	assert_string_equal(nx_agency_canonical("getty", 5), "Getty Images");
	assert_string_equal(nx_agency_canonical("Associated Press", 16), "AP");
	assert_string_equal(nx_agency_canonical("SPUTNIK ", 8), "Sputnik");
	assert_null(nx_agency_canonical("Jane Doe", 8));
	assert_null(nx_agency_canonical("", 0));
}

static void test_debris(void **state)
{
	(void)state;
	assert_true(nx_is_debris_line("/ Subscribe", 11));
	assert_true(nx_is_debris_line("Go to the mediabank", 19));
	assert_true(nx_is_debris_line("Advertisement", 13));
	assert_true(nx_is_debris_line("  ", 2));
	assert_false(nx_is_debris_line("Subscribers complained", 22));
	assert_false(nx_is_debris_line("Share prices fell", 17));
}

static void test_hostile(void **state)
{
	char buf[4096];
	size_t i = 0;
	char *a = NULL, *w = NULL;

	(void)state;
	/* slashes only, very long parts, invalid UTF-8 */
	memset(buf, '/', sizeof(buf));
	assert_int_equal(nx_credit_parse(buf, sizeof(buf), &a, &w), 0);
	assert_null(a);
	assert_null(w);
	for (i = 0; i < sizeof(buf); i++)
		buf[i] = (char)(0x80 + (i % 64));
	assert_int_equal(nx_credit_parse(buf, sizeof(buf), &a, &w), 0);
	free(a);
	free(w);
	a = nx_name_case(buf, sizeof(buf));
	assert_non_null(a);
	free(a);
	assert_true(nx_credit_split_glued(buf, sizeof(buf)) <= sizeof(buf));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_table),
		cmocka_unit_test(test_marker),
		cmocka_unit_test(test_split_glued),
		cmocka_unit_test(test_trailing),
		cmocka_unit_test(test_name_case),
		cmocka_unit_test(test_agency_table),
		cmocka_unit_test(test_debris),
		cmocka_unit_test(test_hostile),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

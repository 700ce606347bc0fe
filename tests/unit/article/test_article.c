/*
 * test_article.c - the normalized article record (src/article/article.c): cleaning
 * setters, author de-duplication, identity, content hash and JSON.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "newsidx/article.h"
#include "util/text.h"

#define T_PUBLISHED 1625708520 /* 2021-07-08T01:42:00Z */

static nx_time mktime_off(int64_t utc, int offset_min)
{
	nx_time t = NX_TIME_INIT;

	t.set = 1;
	t.has_time = 1;
	t.utc = utc;
	t.offset = offset_min;
	t.has_offset = 1;
	return t;
}

/* A fully populated article; every call builds an identical one. */
static nx_article *full_article(void)
{
	nx_article *a = nx_article_new();
	nx_photo *p = NULL;

	assert_non_null(a);
	assert_int_equal(nx_article_set(&a->url, "https://example.com/news/2021/07/08/story.html", -1), NX_OK);
	assert_int_equal(nx_article_set(&a->source, "Sputnik", -1), NX_OK);
	assert_int_equal(nx_article_set(&a->title, "Lavrov: US Gave Kiev Green Light", -1), NX_OK);
	assert_int_equal(nx_article_set(&a->section, "World", -1), NX_OK);
	assert_int_equal(nx_article_set(&a->lang, "en", -1), NX_OK);
	assert_int_equal(nx_article_add_author(a, "Jane Doe", -1), NX_OK);
	assert_int_equal(nx_article_add_author(a, "Ivan Petrov", -1), NX_OK);
	a->published = mktime_off(T_PUBLISHED, 180);
	a->updated = mktime_off(T_PUBLISHED + 3600, -300);
	assert_int_equal(nx_article_add_para(a, "First paragraph of the story.", -1), NX_OK);
	assert_int_equal(nx_article_add_para(a, "Second paragraph \xE2\x80\x94 with a dash.", -1), NX_OK);
	p = nx_article_add_photo(a);
	assert_non_null(p);
	assert_int_equal(nx_article_set(&p->agency, "Reuters", -1), NX_OK);
	assert_int_equal(nx_article_set(&p->photographer, "Evelyn Hockstein", -1), NX_OK);
	assert_int_equal(nx_article_set(&p->caption, "Protesters gather outside the embassy", -1), NX_OK);
	assert_int_equal(nx_article_set(&p->url, "https://example.com/img/1.jpg", -1), NX_OK);
	p = nx_article_add_photo(a);
	assert_non_null(p);
	assert_int_equal(nx_article_set(&p->caption, "A second picture", -1), NX_OK);
	return a;
}

/* ---- setters ---- */

static void test_set_cleans(void **state)
{
	char *f = NULL;

	(void)state;
	assert_int_equal(nx_article_set(&f, "  Lavrov:\tUS  Gave ... ", -1), NX_OK);
	assert_string_equal(f, "Lavrov: US Gave ...");
	assert_int_equal(nx_article_set(&f, "bad \xFF byte", -1), NX_OK);
	assert_string_equal(f, "bad \xEF\xBF\xBD byte");
	assert_int_equal(nx_article_set(&f, "ctl\x01\x02here\x7F", -1), NX_OK);
	assert_string_equal(f, "ctl here");
	assert_int_equal(nx_article_set(&f, "no\xC2\xA0" "break", -1), NX_OK);
	assert_string_equal(f, "no break");
	assert_int_equal(nx_article_set(&f, "zero\xE2\x80\x8Bwidth\xE2\x80\x8D", -1), NX_OK);
	assert_string_equal(f, "zerowidth");
	assert_int_equal(nx_article_set(&f, "line\r\nbreak", -1), NX_OK);
	assert_string_equal(f, "line break");
	assert_true(nx_utf8_valid(f, strlen(f)));
	free(f);
}

static void test_set_len(void **state)
{
	char *f = NULL;
	char *src = malloc(8);

	(void)state;
	assert_non_null(src);
	memcpy(src, "abcdefgh", 8); /* not NUL-terminated */
	assert_int_equal(nx_article_set(&f, src, 8), NX_OK);
	assert_string_equal(f, "abcdefgh");
	assert_int_equal(nx_article_set(&f, src, 3), NX_OK);
	assert_string_equal(f, "abc");
	assert_int_equal(nx_article_set(&f, "a\0b", 3), NX_OK);
	assert_string_equal(f, "a b");
	free(f);
	free(src);
}

static void test_set_empty_is_null(void **state)
{
	char *f = NULL;

	(void)state;
	assert_int_equal(nx_article_set(&f, "value", -1), NX_OK);
	assert_non_null(f);
	assert_int_equal(nx_article_set(&f, "", -1), NX_OK);
	assert_null(f);
	assert_int_equal(nx_article_set(&f, "value", -1), NX_OK);
	assert_int_equal(nx_article_set(&f, " \t\xC2\xA0\xE2\x80\x8B\n ", -1), NX_OK);
	assert_null(f);
	assert_int_equal(nx_article_set(&f, "value", -1), NX_OK);
	assert_int_equal(nx_article_set(&f, NULL, -1), NX_OK);
	assert_null(f);
	assert_int_equal(nx_article_set(&f, "abc", 0), NX_OK);
	assert_null(f);
}

/* Re-cleaning a field from its own value is safe (no use after free). */
static void test_set_from_itself(void **state)
{
	char *f = NULL;

	(void)state;
	assert_int_equal(nx_article_set(&f, "  self  value ", -1), NX_OK);
	assert_int_equal(nx_article_set(&f, f, -1), NX_OK);
	assert_string_equal(f, "self value");
	assert_int_equal(nx_article_set(&f, f, 4), NX_OK);
	assert_string_equal(f, "self");
	free(f);
}

static void test_add_para(void **state)
{
	nx_article *a = nx_article_new();
	char *body = NULL;

	(void)state;
	assert_non_null(a);
	assert_int_equal(a->origin.offset, -1);
	assert_int_equal(nx_article_add_para(a, "  one  ", -1), NX_OK);
	assert_int_equal(nx_article_add_para(a, "   ", -1), NX_OK);   /* skipped */
	assert_int_equal(nx_article_add_para(a, "", -1), NX_OK);      /* skipped */
	assert_int_equal(nx_article_add_para(a, NULL, -1), NX_OK);    /* skipped */
	assert_int_equal(nx_article_add_para(a, "two\nlines", -1), NX_OK);
	assert_int_equal(nx_article_add_para(a, "three", -1), NX_OK);
	assert_int_equal(a->nparas, 3);
	assert_string_equal(a->paras[0], "one");
	assert_string_equal(a->paras[1], "two lines");
	body = nx_article_body(a);
	assert_string_equal(body, "one\n\ntwo lines\n\nthree");
	free(body);
	nx_article_remove_para(a, 1);
	assert_int_equal(a->nparas, 2);
	assert_string_equal(a->paras[1], "three");
	nx_article_remove_para(a, 7); /* out of range: nothing */
	assert_int_equal(a->nparas, 2);
	nx_article_remove_para(a, 1);
	nx_article_remove_para(a, 0);
	assert_int_equal(a->nparas, 0);
	body = nx_article_body(a);
	assert_non_null(body);
	assert_string_equal(body, "");
	free(body);
	nx_article_free(a);
	nx_article_free(NULL);
}

/*
 * Many paragraphs, with removals between additions: the array grows by
 * doubling (capacity implied by the count), so lengthening it again after
 * it was shortened must land in memory it owns (ASan checks that) and
 * keep every paragraph in order.
 */
static void test_many_paras(void **state)
{
	nx_article *a = nx_article_new();
	char word[32];
	size_t i = 0, n = 0;

	(void)state;
	assert_non_null(a);
	for (i = 0; i < 20000; i++) {
		snprintf(word, sizeof(word), "p%zu", i);
		assert_int_equal(nx_article_add_para(a, word, -1), NX_OK);
		n++;
		if (i % 7 == 6) { /* shorten by the last two, across capacity steps */
			nx_article_remove_para(a, a->nparas - 1);
			nx_article_remove_para(a, a->nparas - 1);
			n -= 2;
		}
	}
	assert_int_equal(a->nparas, n);
	for (i = 0; i < 5; i++) {
		snprintf(word, sizeof(word), "p%zu", i);
		assert_string_equal(a->paras[i], word);
	}
	/* the last kept one: i = 19999 (19999 % 7 == 0, not followed by a cut) */
	assert_string_equal(a->paras[a->nparas - 1], "p19999");
	nx_article_free(a);
}

static void test_add_author_dedup(void **state)
{
	nx_article *a = nx_article_new();

	(void)state;
	assert_int_equal(nx_article_add_author(a, "Jane Doe", -1), NX_OK);
	assert_int_equal(nx_article_add_author(a, "  Jane   Doe ", -1), NX_OK);
	assert_int_equal(nx_article_add_author(a, "JANE DOE", -1), NX_OK);
	assert_int_equal(nx_article_add_author(a, "Jane\xC2\xA0" "Doe", -1), NX_OK);
	assert_int_equal(nx_article_add_author(a, "", -1), NX_OK);
	assert_int_equal(nx_article_add_author(a, " \t ", -1), NX_OK);
	assert_int_equal(nx_article_add_author(a, "John Roe", -1), NX_OK);
	assert_int_equal(nx_article_add_author(a, "Jane Doe Jr", -1), NX_OK);
	assert_int_equal(a->nauthors, 3);
	assert_string_equal(a->authors[0], "Jane Doe");
	assert_string_equal(a->authors[1], "John Roe");
	assert_string_equal(a->authors[2], "Jane Doe Jr");
	nx_article_free(a);
}

static void test_photos_captions_credits(void **state)
{
	nx_article *a = nx_article_new();
	nx_photo *p = NULL;
	char *s = NULL;

	(void)state;
	s = nx_article_captions(a);
	assert_string_equal(s, "");
	free(s);
	s = nx_article_credits(a);
	assert_string_equal(s, "");
	free(s);
	p = nx_article_add_photo(a);
	assert_non_null(p);
	assert_null(p->agency);
	assert_null(p->photographer);
	assert_null(p->caption);
	assert_null(p->url);
	nx_article_set(&p->caption, "First caption", -1);
	nx_article_set(&p->agency, "AP", -1);
	p = nx_article_add_photo(a);
	nx_article_set(&p->photographer, "Solo Shooter", -1);
	p = nx_article_add_photo(a);
	nx_article_set(&p->caption, "Third caption", -1);
	assert_int_equal(a->nphotos, 3);
	s = nx_article_captions(a);
	assert_string_equal(s, "First caption\nThird caption");
	free(s);
	s = nx_article_credits(a);
	assert_string_equal(s, "AP\nSolo Shooter");
	free(s);
	nx_article_free(a);
}

/* article.h: credits are "photographer agency" per line. */
static void test_credits_order_matches_header(void **state)
{
	nx_article *a = nx_article_new();
	nx_photo *p = nx_article_add_photo(a);
	char *s = NULL;
	char got[128];

	(void)state;
	nx_article_set(&p->agency, "Reuters", -1);
	nx_article_set(&p->photographer, "Evelyn Hockstein", -1);
	s = nx_article_credits(a);
	nx_article_free(a);
	snprintf(got, sizeof(got), "%s", s != NULL ? s : "(null)");
	free(s);
	assert_string_equal(got, "Evelyn Hockstein Reuters");
}

/* ---- identity ---- */

static void test_identify_url(void **state)
{
	nx_article *a = nx_article_new(), *b = nx_article_new();
	nx_error err = NX_ERROR_INIT;
	size_t i = 0;

	(void)state;
	nx_article_set(&a->url, "https://example.com/news/2021/07/08/story.html", -1);
	nx_article_set(&a->title, "One title", -1);
	nx_article_set(&b->url, "https://example.com/news/2021/07/08/story.html", -1);
	nx_article_set(&b->title, "A corrected, different title", -1);
	nx_article_set(&b->source, "Other outlet", -1);
	b->published = mktime_off(T_PUBLISHED, 0);
	assert_int_equal(nx_article_identify(a, &err), NX_OK);
	assert_int_equal(nx_article_identify(b, &err), NX_OK);
	assert_non_null(a->id);
	assert_int_equal(strlen(a->id), 16);
	for (i = 0; i < 16; i++)
		assert_true(nx_isdigit((unsigned char)a->id[i]) || (a->id[i] >= 'a' && a->id[i] <= 'f'));
	/* the URL alone is the identity */
	assert_string_equal(a->id, b->id);
	/* stable across versions: ids are stored in indexes */
	assert_string_equal(a->id, "d75add253bac9d2d");
	/* identify twice: same id, no leak */
	assert_int_equal(nx_article_identify(a, &err), NX_OK);
	assert_string_equal(a->id, "d75add253bac9d2d");
	nx_article_set(&b->url, "https://example.com/news/2021/07/08/other.html", -1);
	assert_int_equal(nx_article_identify(b, &err), NX_OK);
	assert_string_not_equal(a->id, b->id);
	nx_article_free(a);
	nx_article_free(b);
}

static void test_identify_no_url(void **state)
{
	nx_article *a = nx_article_new(), *b = nx_article_new();
	nx_error err = NX_ERROR_INIT;
	char first[17];

	(void)state;
	nx_article_set(&a->source, "Sputnik", -1);
	nx_article_set(&a->title, "Lavrov: US Gave Kiev Green Light", -1);
	a->published = mktime_off(T_PUBLISHED, 180);
	assert_int_equal(nx_article_identify(a, &err), NX_OK);
	assert_string_equal(a->id, "40ff13b60d5401ee");
	snprintf(first, sizeof(first), "%s", a->id);

	/* same outlet + title + published: same id, whatever the body */
	nx_article_set(&b->source, "Sputnik", -1);
	nx_article_set(&b->title, "  Lavrov:  US Gave Kiev Green Light ", -1);
	b->published = mktime_off(T_PUBLISHED, 0);
	nx_article_add_para(b, "different body", -1);
	assert_int_equal(nx_article_identify(b, &err), NX_OK);
	assert_string_equal(b->id, first);

	/* any of the three changes it */
	b->published.utc += 60;
	assert_int_equal(nx_article_identify(b, &err), NX_OK);
	assert_string_not_equal(b->id, first);
	b->published.utc -= 60;
	nx_article_set(&b->source, "RIA", -1);
	assert_int_equal(nx_article_identify(b, &err), NX_OK);
	assert_string_not_equal(b->id, first);
	nx_article_set(&b->source, "Sputnik", -1);
	nx_article_set(&b->title, "Lavrov: US Gave Kiev A Green Light", -1);
	assert_int_equal(nx_article_identify(b, &err), NX_OK);
	assert_string_not_equal(b->id, first);
	nx_article_set(&b->title, "Lavrov: US Gave Kiev Green Light", -1);
	memset(&b->published, 0, sizeof(b->published));
	assert_int_equal(nx_article_identify(b, &err), NX_OK);
	assert_string_not_equal(b->id, first);
	/* no outlet, no time */
	nx_article_set(&b->source, NULL, -1);
	nx_article_set(&b->title, "Untimed Title", -1);
	assert_int_equal(nx_article_identify(b, &err), NX_OK);
	/*
	 * untimed, with a body: the body is part of the identity (two undated
	 * texts under one headline are two articles); the id it had before
	 * stays computable, for indexes made then
	 */
	{
		char legacy[17];

		assert_int_equal(nx_article__legacy_id(b, legacy), 1);
		assert_string_equal(legacy, "ece5157d4f65e464");
		assert_string_not_equal(b->id, "ece5157d4f65e464");
	}
	nx_article_free(a);
	nx_article_free(b);
}

static void test_identify_nothing(void **state)
{
	nx_article *a = nx_article_new();
	nx_error err = NX_ERROR_INIT;

	(void)state;
	nx_article_add_para(a, "a body with no title or url", -1);
	nx_article_set(&a->source, "Outlet", -1);
	assert_int_equal(nx_article_identify(a, &err), NX_EFORMAT);
	assert_int_equal(err.code, NX_EFORMAT);
	assert_true(strlen(err.msg) > 0);
	assert_null(a->id);
	assert_int_equal(nx_article_identify(a, NULL), NX_EFORMAT);
	nx_article_free(a);
}

/* ---- content hash ---- */

static void test_hash_equal_for_equal_content(void **state)
{
	nx_article *a = full_article(), *b = full_article();
	char ha[65], hb[65];
	size_t i = 0;

	(void)state;
	/* id, origin and capture time are not content */
	a->id = strdup("0123456789abcdef");
	b->origin.path = strdup("/some/other/file.xml");
	b->origin.offset = 1234;
	b->origin.format = "rss";
	b->captured = mktime_off(T_PUBLISHED + 99999, 0);
	assert_int_equal(nx_article_hash(ha, a), NX_OK);
	assert_int_equal(nx_article_hash(hb, b), NX_OK);
	assert_int_equal(strlen(ha), 64);
	for (i = 0; i < 64; i++)
		assert_true(nx_isdigit((unsigned char)ha[i]) || (ha[i] >= 'a' && ha[i] <= 'f'));
	assert_string_equal(ha, hb);
	nx_article_free(a);
	nx_article_free(b);
}

typedef void (*mutate_fn)(nx_article *a);

static void m_url(nx_article *a) { nx_article_set(&a->url, "https://example.com/x", -1); }
static void m_url_null(nx_article *a) { nx_article_set(&a->url, NULL, -1); }
static void m_source(nx_article *a) { nx_article_set(&a->source, "RIA Novosti", -1); }
static void m_title(nx_article *a) { nx_article_set(&a->title, "Lavrov: US Gave Kiev Green Light!", -1); }
static void m_section(nx_article *a) { nx_article_set(&a->section, "Politics", -1); }
static void m_lang(nx_article *a) { nx_article_set(&a->lang, "ru", -1); }
static void m_author_add(nx_article *a) { nx_article_add_author(a, "Third Person", -1); }
static void m_author_change(nx_article *a) { nx_article_set(&a->authors[1], "Ivan Petrova", -1); }
static void m_published(nx_article *a) { a->published.utc += 1; }
static void m_published_unset(nx_article *a) { memset(&a->published, 0, sizeof(a->published)); }
static void m_published_offset(nx_article *a) { a->published.offset = 120; }
static void m_updated(nx_article *a) { a->updated.utc += 60; }
static void m_para_text(nx_article *a) { nx_article_set(&a->paras[0], "First paragraph of the story!", -1); }
static void m_para_add(nx_article *a) { nx_article_add_para(a, "A third paragraph.", -1); }
static void m_para_remove(nx_article *a) { nx_article_remove_para(a, 1); }
static void m_para_split(nx_article *a)
{
	/* same words, different paragraph boundary */
	nx_article_set(&a->paras[0], "First paragraph of the story. Second paragraph \xE2\x80\x94 with a dash.", -1);
	nx_article_remove_para(a, 1);
}
static void m_photo_agency(nx_article *a) { nx_article_set(&a->photos[0].agency, "AFP", -1); }
static void m_photo_photographer(nx_article *a) { nx_article_set(&a->photos[0].photographer, "E. Hockstein", -1); }
static void m_photo_caption(nx_article *a) { nx_article_set(&a->photos[1].caption, "Another picture", -1); }
static void m_photo_url(nx_article *a) { nx_article_set(&a->photos[0].url, "https://example.com/img/2.jpg", -1); }
static void m_photo_add(nx_article *a) { nx_article_add_photo(a); nx_article_set(&a->photos[2].caption, "x", -1); }

static void test_hash_changes_with_any_field(void **state)
{
	static const struct {
		const char *name;
		mutate_fn fn;
	} muts[] = {
		{ "url", m_url }, { "url removed", m_url_null }, { "source", m_source },
		{ "title", m_title }, { "section", m_section }, { "lang", m_lang },
		{ "author added", m_author_add }, { "author changed", m_author_change },
		{ "published", m_published }, { "published removed", m_published_unset },
		{ "published offset", m_published_offset }, { "updated", m_updated },
		{ "paragraph text", m_para_text }, { "paragraph added", m_para_add },
		{ "paragraph removed", m_para_remove }, { "paragraph split", m_para_split },
		{ "photo agency", m_photo_agency }, { "photo photographer", m_photo_photographer },
		{ "photo caption", m_photo_caption }, { "photo url", m_photo_url },
		{ "photo added", m_photo_add },
	};
	nx_article *base = full_article();
	char hb[65];
	size_t i = 0, j = 0;
	char seen[sizeof(muts) / sizeof(muts[0])][65];

	(void)state;
	assert_int_equal(nx_article_hash(hb, base), NX_OK);
	for (i = 0; i < sizeof(muts) / sizeof(muts[0]); i++) {
		nx_article *a = full_article();

		muts[i].fn(a);
		assert_int_equal(nx_article_hash(seen[i], a), NX_OK);
		if (strcmp(seen[i], hb) == 0)
			fail_msg("changing the %s did not change the hash", muts[i].name);
		for (j = 0; j < i; j++)
			if (strcmp(seen[i], seen[j]) == 0)
				fail_msg("'%s' and '%s' hash the same", muts[i].name, muts[j].name);
		nx_article_free(a);
	}
	nx_article_free(base);
}

/* ---- JSON ---- */

static void assert_time_equal(const nx_time *a, const nx_time *b)
{
	assert_int_equal(a->set, b->set);
	if (!a->set)
		return;
	assert_int_equal(a->utc, b->utc);
	assert_int_equal(a->has_offset, b->has_offset);
	if (a->has_offset)
		assert_int_equal(a->offset, b->offset);
}

static void assert_same_content(const nx_article *a, const nx_article *b)
{
	size_t i = 0;
	char ha[65], hb[65];

#define SAME_STR(x, y) do { \
		if ((x) == NULL || (y) == NULL) \
			assert_ptr_equal((x), (y)); \
		else \
			assert_string_equal((x), (y)); \
	} while (0)
	SAME_STR(a->id, b->id);
	SAME_STR(a->url, b->url);
	SAME_STR(a->source, b->source);
	SAME_STR(a->title, b->title);
	SAME_STR(a->section, b->section);
	SAME_STR(a->lang, b->lang);
	assert_int_equal(a->nauthors, b->nauthors);
	for (i = 0; i < a->nauthors; i++)
		assert_string_equal(a->authors[i], b->authors[i]);
	assert_time_equal(&a->published, &b->published);
	assert_time_equal(&a->updated, &b->updated);
	assert_int_equal(a->nparas, b->nparas);
	for (i = 0; i < a->nparas; i++)
		assert_string_equal(a->paras[i], b->paras[i]);
	assert_int_equal(a->nphotos, b->nphotos);
	for (i = 0; i < a->nphotos; i++) {
		SAME_STR(a->photos[i].agency, b->photos[i].agency);
		SAME_STR(a->photos[i].photographer, b->photos[i].photographer);
		SAME_STR(a->photos[i].caption, b->photos[i].caption);
		SAME_STR(a->photos[i].url, b->photos[i].url);
	}
#undef SAME_STR
	assert_int_equal(nx_article_hash(ha, a), NX_OK);
	assert_int_equal(nx_article_hash(hb, b), NX_OK);
	assert_string_equal(ha, hb);
}

static void test_json_roundtrip(void **state)
{
	nx_article *a = full_article(), *b = NULL;
	nx_error err = NX_ERROR_INIT;
	char *json = NULL;

	(void)state;
	assert_int_equal(nx_article_identify(a, &err), NX_OK);
	json = nx_article_to_json(a, 0);
	assert_non_null(json);
	assert_null(strchr(json, '\n'));
	assert_non_null(strstr(json, "\"published\":\"2021-07-08T01:42:00Z\""));
	assert_non_null(strstr(json, "\"published_local\":\"2021-07-08T04:42:00+03:00\""));
	assert_non_null(strstr(json, "\"updated\":\"2021-07-08T02:42:00Z\""));
	assert_non_null(strstr(json, "\"updated_local\":\"2021-07-07T21:42:00-05:00\""));
	assert_non_null(strstr(json, "\"id\":\"d75add253bac9d2d\""));
	assert_non_null(strstr(json, "\"body\":\"First paragraph of the story.\\n\\nSecond"));
	assert_null(strstr(json, "\"origin\""));
	assert_int_equal(nx_article_from_json(&b, json, strlen(json), &err), NX_OK);
	assert_non_null(b);
	assert_same_content(a, b);
	free(json);
	nx_article_free(b);
	b = NULL;

	/* pretty output parses back the same */
	json = nx_article_to_json(a, NX_JSON_PRETTY);
	assert_non_null(strchr(json, '\n'));
	assert_int_equal(nx_article_from_json(&b, json, strlen(json), &err), NX_OK);
	assert_same_content(a, b);
	free(json);
	nx_article_free(b);
	nx_article_free(a);
}

static void test_json_roundtrip_offsets(void **state)
{
	static const int offsets[] = { 0, 180, -300, 345, -570, 840, -720 };
	size_t i = 0;

	(void)state;
	for (i = 0; i < sizeof(offsets) / sizeof(offsets[0]); i++) {
		nx_article *a = nx_article_new(), *b = NULL;
		nx_error err = NX_ERROR_INIT;
		char *json = NULL;

		nx_article_set(&a->title, "Offsets", -1);
		a->published = mktime_off(T_PUBLISHED, offsets[i]);
		json = nx_article_to_json(a, 0);
		assert_non_null(json);
		if (offsets[i] == 0)
			assert_non_null(strstr(json, "\"published_local\":null"));
		else
			assert_null(strstr(json, "\"published_local\":null"));
		assert_int_equal(nx_article_from_json(&b, json, strlen(json), &err), NX_OK);
		if (b->published.utc != T_PUBLISHED || b->published.offset != offsets[i])
			fail_msg("offset %d: got utc %lld offset %d", offsets[i],
				 (long long)b->published.utc, (int)b->published.offset);
		assert_false(b->updated.set);
		free(json);
		nx_article_free(a);
		nx_article_free(b);
	}
}

static void test_json_minimal_and_origin(void **state)
{
	nx_article *a = nx_article_new(), *b = NULL;
	nx_error err = NX_ERROR_INIT;
	char *json = NULL;

	(void)state;
	nx_article_set(&a->title, "Only a \"quoted\" title \\ with backslash", -1);
	a->origin.path = strdup("/data/feed.xml");
	a->origin.offset = 42;
	a->origin.format = "rss";
	json = nx_article_to_json(a, 0);
	assert_non_null(strstr(json, "\"url\":null"));
	assert_non_null(strstr(json, "\"authors\":[]"));
	assert_non_null(strstr(json, "\"photos\":[]"));
	assert_non_null(strstr(json, "\"published\":null"));
	assert_null(strstr(json, "origin"));
	assert_int_equal(nx_article_from_json(&b, json, strlen(json), &err), NX_OK);
	assert_same_content(a, b);
	nx_article_free(b);
	free(json);
	json = nx_article_to_json(a, NX_JSON_ORIGIN);
	assert_non_null(strstr(json, "\"origin\":{\"file\":\"/data/feed.xml\",\"offset\":42"));
	assert_non_null(strstr(json, "\"format\":\"rss\""));
	free(json);
	nx_article_free(a);
}

static void test_from_json_bad(void **state)
{
	static const char *bad[] = { "", "{", "[1,2]", "\"str\"", "null", "{\"title\": }", "{} trailing" };
	size_t i = 0;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		nx_article *b = (nx_article *)0x1;
		nx_error err = NX_ERROR_INIT;
		int rc = nx_article_from_json(&b, bad[i], strlen(bad[i]), &err);

		if (rc != NX_EFORMAT)
			fail_msg("'%s': rc %d", bad[i], rc);
		assert_null(b);
		assert_int_equal(err.code, NX_EFORMAT);
		assert_true(strlen(err.msg) > 0);
	}
}

static void test_from_json_cleans_and_tolerates(void **state)
{
	const char *json =
		"{\"title\":\"  a\\u0001b  \",\"authors\":[\"X\",\"x\",5,null,\"  \"],"
		"\"source\":42,\"body\":\"p1\\n\\n\\n\\np2\\n\\n\",\"photos\":[7,{\"caption\":\" c \"}],"
		"\"published\":\"not a date\"}";
	nx_article *b = NULL;
	nx_error err = NX_ERROR_INIT;

	(void)state;
	assert_int_equal(nx_article_from_json(&b, json, strlen(json), &err), NX_OK);
	assert_string_equal(b->title, "a b");
	assert_int_equal(b->nauthors, 1);
	assert_null(b->source);
	assert_int_equal(b->nparas, 2);
	assert_string_equal(b->paras[0], "p1");
	assert_string_equal(b->paras[1], "p2");
	assert_false(b->published.set);
	assert_int_equal(b->nphotos, 2);
	assert_string_equal(b->photos[1].caption, "c");
	nx_article_free(b);
}

static void test_author_cap(void **state)
{
	nx_article *a = nx_article_new();
	char name[32];
	int i = 0;

	(void)state;
	assert_non_null(a);
	for (i = 0; i < 150; i++) {
		snprintf(name, sizeof(name), "Writer %d", i);
		assert_int_equal(nx_article_add_author(a, name, -1), NX_OK);
	}
	assert_int_equal(a->nauthors, NX_ARTICLE_MAX_AUTHORS);
	assert_int_equal(a->authors_dropped, 50);
	assert_string_equal(a->authors[99], "Writer 99");
	nx_article_free(a);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_author_cap),
		cmocka_unit_test(test_set_cleans),
		cmocka_unit_test(test_set_len),
		cmocka_unit_test(test_set_empty_is_null),
		cmocka_unit_test(test_set_from_itself),
		cmocka_unit_test(test_add_para),
		cmocka_unit_test(test_many_paras),
		cmocka_unit_test(test_add_author_dedup),
		cmocka_unit_test(test_photos_captions_credits),
		cmocka_unit_test(test_credits_order_matches_header),
		cmocka_unit_test(test_identify_url),
		cmocka_unit_test(test_identify_no_url),
		cmocka_unit_test(test_identify_nothing),
		cmocka_unit_test(test_hash_equal_for_equal_content),
		cmocka_unit_test(test_hash_changes_with_any_field),
		cmocka_unit_test(test_json_roundtrip),
		cmocka_unit_test(test_json_roundtrip_offsets),
		cmocka_unit_test(test_json_minimal_and_origin),
		cmocka_unit_test(test_from_json_bad),
		cmocka_unit_test(test_from_json_cleans_and_tolerates),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

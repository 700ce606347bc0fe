/*
 * test_url.c - unit tests for src/article/url.c: the canonical URL ingest
 * stores (tracking parameters and fragment dropped, the rest byte for
 * byte), the key pasted addresses are matched by, and what reads as a web
 * address.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "article/url.h"

static void expect_clean(const char *in, const char *want, int changed)
{
	char *out = NULL;

	assert_int_equal(nx_url_clean(&out, in), changed);
	assert_non_null(out);
	assert_string_equal(out, want);
	free(out);
}

static void test_clean(void **state)
{
	(void)state;
	expect_clean("https://example.com/a/b", "https://example.com/a/b", 0);
	expect_clean("https://example.com/a?utm_source=rss", "https://example.com/a", 1);
	expect_clean("https://example.com/a?utm_source=rss&utm_medium=feed&id=7", "https://example.com/a?id=7", 1);
	expect_clean("https://example.com/a?id=7&UTM_Campaign=x&page=2", "https://example.com/a?id=7&page=2", 1);
	expect_clean("https://example.com/a?fbclid=IwAR&gclid=1&mc_cid=2&mc_eid=3&igshid=4&ocid=5&cmpid=6&wt_mc=7",
		     "https://example.com/a", 1);
	expect_clean("https://example.com/a?WT.mc_id=x&xtor=RSS-3&q=news", "https://example.com/a?q=news", 1);
	/* fragments go, routes of one-page sites stay */
	expect_clean("https://example.com/a#comments", "https://example.com/a", 1);
	expect_clean("https://example.com/a?utm_source=x#top", "https://example.com/a", 1);
	expect_clean("https://example.com/#!/story/12", "https://example.com/#!/story/12", 0);
	expect_clean("https://example.com/#/story/12?utm_source=x", "https://example.com/#/story/12?utm_source=x", 0);
	/* not tracking: names that only look alike, values, empty parts */
	expect_clean("https://example.com/a?utm=1&source=utm_source", "https://example.com/a?utm=1&source=utm_source", 0);
	expect_clean("https://example.com/a?id=1&&x=2", "https://example.com/a?id=1&x=2", 1);
	expect_clean("https://example.com/a?", "https://example.com/a", 1);
	expect_clean("", "", 0);
}

static void expect_key(const char *in, const char *want)
{
	char *k = nx_url_key(in);

	assert_non_null(k);
	assert_string_equal(k, want);
	free(k);
}

static void test_key(void **state)
{
	(void)state;
	expect_key("https://www.Example.com/a/?utm_source=x#top", "example.com/a");
	expect_key("http://example.com/a", "example.com/a");
	expect_key("example.com/a/", "example.com/a");
	expect_key("  www.example.com/a  ", "example.com/a");
	expect_key("HTTPS://EXAMPLE.COM:443/Path", "example.com/Path");
	expect_key("http://example.com:80/a", "example.com/a");
	expect_key("http://example.com:8080/a", "example.com:8080/a");
	expect_key("https://example.com", "example.com");
	expect_key("https://example.com/", "example.com");
	expect_key("//example.com/a", "example.com/a");
	expect_key("https://example.com/a?id=7&fbclid=1", "example.com/a?id=7");
	expect_key("https://example.com/a/?id=7#x", "example.com/a?id=7");
	expect_key("https://example.com/#!/story/12", "example.com#!/story/12");
	expect_key("urn:newsml:example.com:20240101:a1#x", "urn:newsml:example.com:20240101:a1");
	expect_key("localhost:8080/a", "localhost:8080/a");
	/* the path keeps its case; a different path or query is a different key */
	expect_key("https://example.com/A", "example.com/A");
	expect_key("https://example.com/a?id=8", "example.com/a?id=8");
}

static void test_is_web(void **state)
{
	(void)state;
	assert_true(nx_url_is_web("https://example.com/a"));
	assert_true(nx_url_is_web("HTTP://example.com"));
	assert_true(nx_url_is_web("www.example.com/a"));
	assert_true(nx_url_is_web("example.co.uk/news/1"));
	assert_true(nx_url_is_web("example.com"));
	assert_false(nx_url_is_web("1f3a9c0d2b4e5f60")); /* an id */
	assert_false(nx_url_is_web("harbour strike"));
	assert_false(nx_url_is_web("https://"));
	assert_false(nx_url_is_web("https://example.com/a b"));
	assert_false(nx_url_is_web("v1.2"));
	assert_false(nx_url_is_web(""));
}

static void test_is_tracking(void **state)
{
	(void)state;
	assert_true(nx_url_is_tracking("utm_source", 10));
	assert_true(nx_url_is_tracking("utm_whatever_new", 16));
	assert_true(nx_url_is_tracking("GCLID", 5));
	assert_false(nx_url_is_tracking("utm_", 4));
	assert_false(nx_url_is_tracking("id", 2));
	assert_false(nx_url_is_tracking("fbclidx", 7));
	assert_false(nx_url_is_tracking("fbclid", 5)); /* a prefix of the name only */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_clean),
		cmocka_unit_test(test_key),
		cmocka_unit_test(test_is_web),
		cmocka_unit_test(test_is_tracking),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

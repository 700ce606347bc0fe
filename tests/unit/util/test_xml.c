/*
 * test_xml.c - the safe XML loader (util/xml.c): limits checked before
 * libxml2 parses.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "util/buf.h"
#include "util/xml.h"

/* <r><e a0="x" a1="x" ...>text</e></r> with n attributes, quoted with q. */
static void many_attrs(nx_buf *b, int n, char q)
{
	int i = 0;

	nx_buf_adds(b, "<?xml version=\"1.0\"?><r><e");
	for (i = 0; i < n; i++)
		nx_buf_addf(b, " a%d=%cx%c", i, q, q);
	nx_buf_adds(b, ">text</e></r>");
	assert_true(nx_buf_ok(b));
}

/* An element with 100k attributes is refused at once (libxml2 would take half a minute). */
static void test_attr_bomb_refused(void **state)
{
	nx_buf b = NX_BUF_INIT;
	nx_error err = NX_ERROR_INIT;
	xmlDocPtr doc = NULL;

	(void)state;
	many_attrs(&b, 100000, '"');
	doc = nx_xml_read(b.buf, b.len, &err);
	assert_null(doc);
	assert_int_equal(err.code, NX_EFORMAT);
	assert_non_null(strstr(err.msg, "more than 1024 attributes"));
	nx_buf_reset(&b);
	many_attrs(&b, 1025, '\'');
	assert_null(nx_xml_read(b.buf, b.len, &err));
	nx_buf_free(&b);
}

/* Up to the limit, and '=' in values, text, comments and CDATA, are fine. */
static void test_attrs_within_limit(void **state)
{
	static const char doc2[] =
		"<?xml version=\"1.0\"?><!-- a=b a=b --><r x=\"a=b=c\" y='=='>"
		"a = b = c<![CDATA[ <e a=1 b=2> ]]><?pi a=b?></r>";
	nx_buf b = NX_BUF_INIT;
	nx_error err = NX_ERROR_INIT;
	xmlDocPtr doc = NULL;

	(void)state;
	many_attrs(&b, 1024, '"');
	doc = nx_xml_read(b.buf, b.len, &err);
	assert_non_null(doc);
	xmlFreeDoc(doc);
	doc = nx_xml_read(doc2, sizeof(doc2) - 1, &err);
	assert_non_null(doc);
	xmlFreeDoc(doc);
	nx_buf_free(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_attr_bomb_refused),
		cmocka_unit_test(test_attrs_within_limit),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

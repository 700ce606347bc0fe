/*
 * fuzz_date.c - fuzz target: the date parser (nx_date_parse, nx_date_find).
 *
 * Checks: a parsed date formats and parses back to the same instant; a
 * found date's span lies inside the text and parses on its own.
 */
#include "fuzz_common.h"
#include "newsidx/date.h"

static void check_time(const nx_time *t, const char *what)
{
	nx_time back = NX_TIME_INIT;
	char utc[32], local[32];

	if (!t->set)
		fuzz_fail(what, "parsed but not set");
	if (!t->has_offset && t->offset != 0)
		fuzz_fail(what, "offset without has_offset");
	nx_date_format_utc(utc, t->utc);
	nx_date_format_local(local, t);
	if (strlen(utc) > 20 || strlen(local) > 25)
		fuzz_fail("formatted date too long", utc);
	/* four-digit years round-trip through the ISO form */
	if (t->utc >= -62135596800LL && t->utc < 253402300800LL) {
		if (nx_date_parse(&back, utc, strlen(utc)) != NX_OK || back.utc != t->utc)
			fuzz_fail("date does not round-trip", utc);
		if (nx_date_parse(&back, local, strlen(local)) != NX_OK || back.utc != t->utc)
			fuzz_fail("local date does not round-trip", local);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *s = (const char *)data;
	nx_time t = NX_TIME_INIT;
	size_t start = 0, end = 0;

	if (nx_date_parse(&t, s, size) == NX_OK)
		check_time(&t, "nx_date_parse");
	else if (t.set || t.utc != 0)
		fuzz_fail("failed parse left a value", "");
	memset(&t, 0, sizeof(t));
	if (nx_date_find(&t, s, size, &start, &end) == NX_OK) {
		if (start > end || end > size)
			fuzz_fail("found span outside the text", "");
		check_time(&t, "nx_date_find");
	}
	return 0;
}

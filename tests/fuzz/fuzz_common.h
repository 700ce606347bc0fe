/*
 * fuzz_common.h - what every fuzz target shares: run one parser over the
 * input and check each article it hands over.
 *
 * The checks are the promises every parser makes, so a fuzzer finds wrong
 * output as well as crashes: every text field is valid UTF-8, the id is 16
 * hex digits, no paragraph is empty, and the article serialises to JSON.
 * A broken promise calls abort(), which libFuzzer and the replay runner
 * report with the input that caused it.
 */
#ifndef NX_FUZZ_COMMON_H
#define NX_FUZZ_COMMON_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "formats/format.h"
#include "util/gunzip.h"
#include "util/text.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Smaller than the defaults: a bomb must fail fast under -rss_limit_mb. */
#define NX_FUZZ_MAX_INFLATED ((size_t)64 << 20)

static inline void fuzz_fail(const char *what, const char *value)
{
	fprintf(stderr, "fuzz: broken promise: %s: '%.200s'\n", what, value != NULL ? value : "(null)");
	abort();
}

static inline void fuzz_check_str(const char *what, const char *s)
{
	if (s != NULL && !nx_utf8_valid(s, strlen(s)))
		fuzz_fail(what, s);
}

static inline int fuzz_check_article(nx_article *a, void *ctx)
{
	size_t i = 0;
	char *json = NULL;

	(void)ctx;
	if (a->id == NULL || strlen(a->id) != 16 || strspn(a->id, "0123456789abcdef") != 16)
		fuzz_fail("id is not 16 hex digits", a->id);
	fuzz_check_str("url", a->url);
	fuzz_check_str("source", a->source);
	fuzz_check_str("title", a->title);
	fuzz_check_str("section", a->section);
	fuzz_check_str("lang", a->lang);
	for (i = 0; i < a->nauthors; i++)
		fuzz_check_str("author", a->authors[i]);
	for (i = 0; i < a->nparas; i++) {
		if (a->paras[i] == NULL || a->paras[i][0] == '\0')
			fuzz_fail("empty paragraph", "");
		fuzz_check_str("paragraph", a->paras[i]);
	}
	for (i = 0; i < a->nphotos; i++) {
		fuzz_check_str("photo agency", a->photos[i].agency);
		fuzz_check_str("photographer", a->photos[i].photographer);
		fuzz_check_str("caption", a->photos[i].caption);
		fuzz_check_str("photo url", a->photos[i].url);
	}
	json = nx_article_to_json(a, 0);
	if (json == NULL)
		fuzz_fail("article does not serialise to JSON", a->title);
	free(json);
	return NX_OK;
}

/* Run parser fn over data[0..size) as a whole file. */
static inline int fuzz_parse(nx_parser_fn fn, const uint8_t *data, size_t size)
{
	nx_ingest_opts opts = NX_INGEST_OPTS_INIT;
	nx_error err = NX_ERROR_INIT;
	nx_input in;

	if (size == 0)
		return 0;
	opts.max_inflated = NX_FUZZ_MAX_INFLATED;
	opts.now = 1625708520; /* fixed, so runs are reproducible */
	memset(&in, 0, sizeof(in));
	in.data = (const char *)data;
	in.len = size;
	in.path = "fuzz-input";
	in.offset = -1;
	in.opts = &opts;
	/* messages are made one clean line at the nx_ingest_buffer boundary
	   (fuzz_ingest checks that), so a parser's own may quote raw bytes */
	(void)fn(&in, fuzz_check_article, NULL, &err);
	return 0;
}

#endif

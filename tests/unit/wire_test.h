/*
 * wire_test.h - what the NITF and NewsML tests share: collecting the
 * articles a parser emits, reading a test file, and small assertions.
 * Include after cmocka.h; every function is static (one test program each).
 */
#ifndef NX_WIRE_TEST_H
#define NX_WIRE_TEST_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "newsidx/newsidx.h"

#define MAX_GOT 8

typedef struct got {
	nx_article *a[MAX_GOT];
	size_t n;
} got;

/* Keep the article: move its fields into a copy the test owns. */
static int on_article(nx_article *a, void *ctx)
{
	got *g = ctx;
	nx_article *c = NULL;

	if (g->n == MAX_GOT)
		return NX_EINVAL;
	c = nx_article_move(a);
	if (c == NULL)
		return NX_ENOMEM;
	g->a[g->n++] = c;
	return NX_OK;
}

static void got_free(got *g)
{
	size_t i = 0;

	for (i = 0; i < g->n; i++)
		nx_article_free(g->a[i]);
	g->n = 0;
}

static char *slurp(const char *dir, const char *name, size_t *len)
{
	char path[1024];
	FILE *f = NULL;
	char *buf = NULL;
	long n = 0;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "rb");
	if (f == NULL)
		return NULL;
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	fseek(f, 0, SEEK_SET);
	buf = malloc((size_t)n + 1);
	assert_non_null(buf);
	assert_int_equal(fread(buf, 1, (size_t)n, f), (size_t)n);
	fclose(f);
	*len = (size_t)n;
	return buf;
}

static int ingest(got *g, nx_error *err, const char *dir, const char *name)
{
	size_t len = 0;
	char *data = slurp(dir, name, &len);
	int rc = 0;

	assert_non_null(data);
	rc = nx_ingest_buffer(data, len, name, NULL, on_article, g, err);
	free(data);
	return rc;
}

static void assert_utc(const nx_time *t, const char *want)
{
	char buf[21];

	assert_true(t->set);
	nx_date_format_utc(buf, t->utc);
	assert_string_equal(buf, want);
}

static int has_para(const nx_article *a, const char *s)
{
	size_t i = 0;

	for (i = 0; i < a->nparas; i++)
		if (strcmp(a->paras[i], s) == 0)
			return 1;
	return 0;
}

static int body_contains(const nx_article *a, const char *s)
{
	size_t i = 0;

	for (i = 0; i < a->nparas; i++)
		if (strstr(a->paras[i], s) != NULL)
			return 1;
	return 0;
}

#endif

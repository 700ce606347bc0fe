/*
 * real_index.h - for tests: an index of real news (six Reuters-21578 files
 * and the BBC business and politics folders of ../shared/data) in a fresh
 * temporary folder, opened read-only as the CLI's searches open it.
 * Included by the top-k tests; static functions, no library of its own.
 */
#ifndef NX_TEST_REAL_INDEX_H
#define NX_TEST_REAL_INDEX_H

#include <ctype.h>
#include <ftw.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "newsidx/ingest.h"
#include "newsidx/store.h"

/* Reuters files (1000 articles each) indexed. */
#define NX_REAL_REUTERS 6

typedef struct real_index {
	char dir[64];   /* the temporary folder ("" when none) */
	char path[128]; /* the index in it */
	nx_store *st;   /* open read-only after real_index_build */
} real_index;

static int real_index__rm(const char *p, const struct stat *sb, int flag, struct FTW *ftw)
{
	(void)sb;
	(void)flag;
	(void)ftw;
	return remove(p);
}

static int real_index__article(nx_article *a, void *ctx)
{
	nx_error err = NX_ERROR_INIT;
	int status = 0;

	return nx_store_put(ctx, a, &status, &err);
}

static int real_index__file(const char *path, const struct stat *sb, int errnum, const char *msg, void *ctx)
{
	nx_error err = NX_ERROR_INIT;

	(void)sb;
	(void)msg;
	if (errnum != 0)
		return 0;
	return nx_ingest_file(path, NULL, real_index__article, ctx, &err) < 0 ? -1 : 0;
}

/*
 * Build the index under a folder made from tmpl ("/tmp/nx-x-XXXXXX").
 * Returns 1 when built, 0 when ../shared/data is absent (the tests
 * skip), -1 on failure.
 */
static int real_index_build(real_index *r, const char *tmpl)
{
	nx_error err = NX_ERROR_INIT;
	char p[512];
	int i = 0;

	memset(r, 0, sizeof(*r));
	snprintf(p, sizeof(p), "%s/collections/reuters21578/reut2-000.sgm", NX_SHARED_DATA);
	if (access(p, R_OK) != 0)
		return 0;
	snprintf(r->dir, sizeof(r->dir), "%s", tmpl);
	if (mkdtemp(r->dir) == NULL) {
		r->dir[0] = '\0';
		return -1;
	}
	snprintf(r->path, sizeof(r->path), "%s/index.db", r->dir);
	if (nx_store_open(&r->st, r->path, NX_STORE_WRITE, &err) < 0 || nx_store_begin(r->st, &err) < 0)
		return -1;
	for (i = 0; i < NX_REAL_REUTERS; i++) {
		snprintf(p, sizeof(p), "%s/collections/reuters21578/reut2-%03d.sgm", NX_SHARED_DATA, i);
		if (nx_ingest_file(p, NULL, real_index__article, r->st, &err) < 0)
			return -1;
	}
	snprintf(p, sizeof(p), "%s/collections/bbc/business", NX_SHARED_DATA);
	if (nx_walk(p, real_index__file, r->st, &err) < 0)
		return -1;
	snprintf(p, sizeof(p), "%s/collections/bbc/politics", NX_SHARED_DATA);
	if (nx_walk(p, real_index__file, r->st, &err) < 0)
		return -1;
	if (nx_store_commit(r->st, &err) < 0)
		return -1;
	/* search reads the index as the CLI does */
	nx_store_close(r->st);
	r->st = NULL;
	return nx_store_open(&r->st, r->path, NX_STORE_READ, &err) < 0 ? -1 : 1;
}

/* For queries from real titles: the words of a title of three letters or more, lower-cased, up to max. */
static inline size_t real_index_title_words(const char *t, char w[][32], size_t max)
{
	size_t n = 0;

	while (*t != '\0' && n < max) {
		size_t k = 0;

		while (*t != '\0' && !isalpha((unsigned char)*t))
			t++;
		while (isalpha((unsigned char)*t)) {
			if (k < 31)
				w[n][k++] = (char)tolower((unsigned char)*t);
			t++;
		}
		w[n][k] = '\0';
		if (k >= 3 && k < 31)
			n++;
	}
	return n;
}

/* Close the index and remove its folder. */
static void real_index_free(real_index *r)
{
	nx_store_close(r->st);
	r->st = NULL;
	if (r->dir[0] != '\0')
		nftw(r->dir, real_index__rm, 8, FTW_DEPTH | FTW_PHYS);
	r->dir[0] = '\0';
}

#endif

/*
 * load.c - reading an article back, and finding it by id, id prefix or URL.
 */
#include "index/store_private.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "article/url.h"
#include "util/buf.h"
#include "util/hex.h"
#include "util/text.h"

int nx_store__col_time(sqlite3_stmt *s, int i, nx_time *t)
{
	if (sqlite3_column_type(s, i) == SQLITE_NULL)
		return 0;
	t->set = 1;
	t->utc = sqlite3_column_int64(s, i);
	t->has_offset = sqlite3_column_type(s, i + 1) != SQLITE_NULL;
	t->offset = sqlite3_column_int(s, i + 1);
	t->has_time = sqlite3_column_int(s, i + 2) != 0;
	return 1;
}

static int col_str(sqlite3_stmt *s, int i, char **out)
{
	const unsigned char *v = sqlite3_column_text(s, i);

	if (v == NULL || *v == '\0')
		return NX_OK;
	*out = strdup((const char *)v);
	return *out == NULL ? NX_ENOMEM : NX_OK;
}

/* origin.url of a: the URL its source gave, when ingest cleaned it (table origin_url). */
static int load_origin_url(nx_store *st, int64_t rowid, int64_t file_id, nx_article *a, nx_error *err)
{
	sqlite3_stmt *s = NULL;
	int rc = NX_OK;

	if (!st->has_origin_url)
		return NX_OK;
	if (sqlite3_prepare_v2(st->db, "SELECT url FROM origin_url WHERE article_id = ?1 AND file_id = ?2 AND offset = ?3",
			       -1, &s, NULL) != SQLITE_OK)
		return nx_store__dberr(st, err, "cannot read the URL the source gave");
	sqlite3_bind_int64(s, 1, rowid);
	sqlite3_bind_int64(s, 2, file_id);
	sqlite3_bind_int64(s, 3, a->origin.offset);
	if (sqlite3_step(s) == SQLITE_ROW && col_str(s, 0, &a->origin.url) < 0)
		rc = nx_error_set(err, NX_ENOMEM, "out of memory");
	sqlite3_finalize(s);
	return rc;
}

int nx_store__load(nx_article **out, nx_store *st, int64_t rowid, nx_error *err)
{
	sqlite3_stmt *s = NULL;
	nx_article *a = NULL;
	nx_buf body = NX_BUF_INIT;
	const char *p = NULL, *e = NULL;
	char *authors = NULL;
	int64_t file_id = 0;
	int rc = NX_OK, step = 0, found = 0;

	*out = NULL;
	if ((s = nx_store__stmt(st, NX_STMT_GET_ARTICLE, err)) == NULL)
		return err != NULL ? err->code : NX_EDB;
	sqlite3_bind_int64(s, 1, rowid);
	step = sqlite3_step(s);
	if (step != SQLITE_ROW) {
		sqlite3_reset(s);
		if (step == SQLITE_DONE)
			return nx_error_set(err, NX_ENOTFOUND, "no such article");
		return nx_store__dberr(st, err, "cannot read the article");
	}
	if ((a = nx_article_new()) == NULL)
		goto oom;
	if (col_str(s, 0, &a->id) < 0 || col_str(s, 1, &a->url) < 0 || col_str(s, 2, &a->source) < 0 ||
	    col_str(s, 3, &a->title) < 0 || col_str(s, 4, &authors) < 0 || col_str(s, 5, &a->section) < 0 ||
	    col_str(s, 6, &a->lang) < 0)
		goto oom;
	nx_store__col_time(s, 7, &a->published);
	nx_store__col_time(s, 10, &a->updated);
	a->captured.set = 1;
	a->captured.has_time = 1;
	a->captured.utc = sqlite3_column_int64(s, 13);
	rc = nx_store__inflate(st, &body, sqlite3_column_blob(s, 14), (size_t)sqlite3_column_bytes(s, 14));
	sqlite3_reset(s);
	if (rc == NX_ENOMEM)
		goto oom;
	if (rc < 0) {
		rc = nx_error_set(err, NX_EDB, "article %s: corrupt compressed text (run 'newsidx check')", a->id);
		goto done;
	}
	for (p = authors; p != NULL && *p != '\0'; p = e != NULL ? e + 1 : p + strlen(p)) {
		e = strchr(p, '\n');
		if (nx_article_add_author(a, p, e != NULL ? (long)(e - p) : -1) < 0)
			goto oom;
	}
	for (p = body.buf; *p != '\0'; p = e != NULL ? e + 2 : p + strlen(p)) {
		e = strstr(p, "\n\n");
		if (nx_article_add_para(a, p, e != NULL ? (long)(e - p) : -1) < 0)
			goto oom;
	}
	if ((s = nx_store__stmt(st, NX_STMT_GET_PHOTOS, err)) == NULL) {
		rc = err != NULL ? err->code : NX_EDB;
		goto done;
	}
	sqlite3_bind_int64(s, 1, rowid);
	while ((step = sqlite3_step(s)) == SQLITE_ROW) {
		nx_photo *ph = nx_article_add_photo(a);

		if (ph == NULL || col_str(s, 0, &ph->agency) < 0 || col_str(s, 1, &ph->photographer) < 0 ||
		    col_str(s, 2, &ph->caption) < 0 || col_str(s, 3, &ph->url) < 0) {
			sqlite3_reset(s);
			goto oom;
		}
	}
	sqlite3_reset(s);
	if ((s = nx_store__stmt(st, NX_STMT_GET_ORIGIN, err)) == NULL) {
		rc = err != NULL ? err->code : NX_EDB;
		goto done;
	}
	sqlite3_bind_int64(s, 1, rowid);
	if (sqlite3_step(s) == SQLITE_ROW) {
		const char *fmt = (const char *)sqlite3_column_text(s, 3);
		size_t i = 0;

		if (col_str(s, 0, &a->origin.path) < 0 || col_str(s, 2, &a->origin.record_id) < 0) {
			sqlite3_reset(s);
			goto oom;
		}
		a->origin.offset = sqlite3_column_int64(s, 1);
		for (i = 0; fmt != NULL && i < NX_NFORMATS; i++)
			if (strcmp(fmt, nx_store__origin_formats[i]) == 0 || (nx_isdigit((unsigned char)fmt[0]) &&
								    strtoul(fmt, NULL, 10) == i + 1))
				a->origin.format = nx_store__origin_formats[i];
		file_id = sqlite3_column_int64(s, 4);
		found = 1;
	}
	sqlite3_reset(s);
	if (found && (rc = load_origin_url(st, rowid, file_id, a, err)) < 0)
		goto done;
	*out = a;
	a = NULL;
	goto done;
oom:
	rc = nx_error_set(err, NX_ENOMEM, "out of memory");
done:
	free(authors);
	nx_buf_free(&body);
	nx_article_free(a);
	return rc;
}

static int is_hex_prefix(const char *s)
{
	size_t n = strlen(s), i = 0;

	if (n < 4 || n > 16)
		return 0;
	for (i = 0; i < n; i++)
		if (nx_hexval((unsigned char)s[i]) < 0)
			return 0;
	return 1;
}

/* Step s (bound) for one rowid: 1 found (into rowid), 0 none, < 0 error. */
static int step_rowid(nx_store *st, sqlite3_stmt *s, int64_t *rowid, nx_error *err)
{
	int step = sqlite3_step(s);

	if (step == SQLITE_ROW)
		*rowid = sqlite3_column_int64(s, 0);
	sqlite3_reset(s);
	if (step != SQLITE_ROW && step != SQLITE_DONE)
		return nx_store__dberr(st, err, "cannot look up the article");
	return step == SQLITE_ROW;
}

/* The article stored under exactly this URL: 1 (rowid set), 0 none, < 0 error. */
static int find_url(nx_store *st, const char *url, int64_t *rowid, nx_error *err)
{
	sqlite3_stmt *s = NULL;
	nx_article *a = NULL;
	int rc = NX_ENOMEM;

	if (st->schema < 2) {
		if ((s = nx_store__stmt(st, NX_STMT_FIND_URL, err)) == NULL)
			return err != NULL ? err->code : NX_EDB;
		sqlite3_bind_text(s, 1, url, -1, SQLITE_STATIC);
		return step_rowid(st, s, rowid, err);
	}
	/* an article with a URL has the id made from it: no index of URLs needed */
	if ((a = nx_article_new()) != NULL && (a->url = strdup(url)) != NULL)
		rc = nx_article_identify(a, NULL);
	if (rc < 0 || (s = nx_store__stmt(st, NX_STMT_FIND_URL_UID, err)) == NULL) {
		nx_article_free(a);
		return rc < 0 ? nx_error_set(err, NX_ENOMEM, "out of memory") : err != NULL ? err->code : NX_EDB;
	}
	sqlite3_bind_text(s, 1, a->id, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(s, 2, url, -1, SQLITE_STATIC);
	nx_article_free(a);
	return step_rowid(st, s, rowid, err);
}

/*
 * An index made before ingest dropped tracking parameters holds URLs with
 * them, under ids made from them: scan the URLs with a query that hold
 * host and path (there is no index of URLs) for one of key.
 */
static int find_url_tracked(nx_store *st, const char *key, size_t hostpath, int64_t *rowid, nx_error *err)
{
	sqlite3_stmt *s = nx_store__stmt(st, NX_STMT_FIND_URL_TRACKED, err);
	int step = 0, found = 0;

	if (s == NULL)
		return err != NULL ? err->code : NX_EDB;
	sqlite3_bind_text(s, 1, key, (int)hostpath, SQLITE_STATIC);
	while (!found && (step = sqlite3_step(s)) == SQLITE_ROW) {
		char *k = nx_url_key((const char *)sqlite3_column_text(s, 1));

		if (k == NULL) {
			sqlite3_reset(s);
			return nx_error_set(err, NX_ENOMEM, "out of memory");
		}
		found = strcmp(k, key) == 0;
		if (found)
			*rowid = sqlite3_column_int64(s, 0);
		free(k);
	}
	sqlite3_reset(s);
	if (!found && step != SQLITE_DONE)
		return nx_store__dberr(st, err, "cannot look up the article");
	return found;
}

/*
 * A web address as people paste it (url.h): the stored URL of the same
 * key, tried as https and http, with and without "www." and a trailing
 * slash, the query without tracking parameters, no fragment.  1 found,
 * 0 none, < 0 error.
 */
static int find_url_key(nx_store *st, const char *ref, int64_t *rowid, nx_error *err)
{
	static const char *const forms[] = { "https://", "http://", "https://www.", "http://www." };
	char *key = nx_url_key(ref);
	nx_buf u = NX_BUF_INIT;
	size_t host = 0, path = 0, i = 0;
	int rc = 0;

	if (key == NULL)
		return nx_error_set(err, NX_ENOMEM, "out of memory");
	host = strcspn(key, "/?#");
	path = host + strcspn(key + host, "?#");
	for (i = 0; i < 2 * sizeof(forms) / sizeof(forms[0]) && rc == 0; i++) {
		nx_buf_reset(&u);
		nx_buf_adds(&u, forms[i / 2]);
		nx_buf_add(&u, key, path);
		if (i % 2 == 1 || path == host)
			nx_buf_addch(&u, '/');
		nx_buf_adds(&u, key + path);
		if (!nx_buf_ok(&u)) {
			rc = nx_error_set(err, NX_ENOMEM, "out of memory");
			break;
		}
		if (i % 2 == 1 && path == host)
			continue; /* "https://host/" was the first try of this form */
		rc = find_url(st, u.buf, rowid, err);
	}
	if (rc == 0 && !st->clean_urls)
		rc = find_url_tracked(st, key, path, rowid, err);
	nx_buf_free(&u);
	free(key);
	return rc;
}

int nx_store__resolve(nx_store *st, const char *ref, int64_t *rowid, nx_error *err)
{
	sqlite3_stmt *s = NULL;
	int step = 0, count = 0, rc = 0;

	*rowid = 0;
	if (is_hex_prefix(ref)) {
		if ((s = nx_store__stmt(st, NX_STMT_FIND_PREFIX, err)) == NULL)
			return err != NULL ? err->code : NX_EDB;
		sqlite3_bind_text(s, 1, ref, -1, SQLITE_STATIC);
		while ((step = sqlite3_step(s)) == SQLITE_ROW) {
			*rowid = sqlite3_column_int64(s, 0);
			count++;
		}
		sqlite3_reset(s);
		if (step != SQLITE_DONE)
			return nx_store__dberr(st, err, "cannot look up the article");
		if (count > 1)
			return nx_error_set(err, NX_EAMBIGUOUS, "id '%s' is ambiguous: give more digits", ref);
		if (count == 1)
			return NX_OK;
	}
	rc = find_url(st, ref, rowid, err);
	if (rc == 0 && nx_url_is_web(ref))
		rc = find_url_key(st, ref, rowid, err);
	if (rc < 0)
		return rc;
	if (rc == 1)
		return NX_OK;
	return nx_error_set(err, NX_ENOTFOUND, "no article with id or URL '%s'", ref);
}

int nx_store_get(nx_article **out, nx_store *st, const char *ref, nx_error *err)
{
	int64_t id = 0;
	int rc = nx_store__resolve(st, ref, &id, err);

	*out = NULL;
	if (rc < 0)
		return rc;
	rc = nx_store__load(out, st, id, err);
	if (rc == NX_ENOTFOUND)
		nx_error_set(err, NX_ENOTFOUND, "no article with id or URL '%s'", ref);
	return rc;
}

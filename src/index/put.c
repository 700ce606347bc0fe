/*
 * put.c - saving an article: preparing its row, the newest version
 * current and others as revisions, where it came from; and removing one.
 */
#include "index/store_private.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/hex.h"
#include "util/text.h"
#include "index/impact.h"
#include "index/tokenizer.h"

static void row_free(nx_prepared *r)
{
	int i = 0;

	for (i = 0; i < NX_FTS_VALUES; i++) {
		nx_buf_free(&r->fts[i]);
		nx_buf_free(&r->tape[i].rec);
	}
	free(r->authors);
	free(r->body);
	free(r->captions);
	free(r->credits);
	nx_buf_free(&r->body_z);
	nx_buf_free(&r->orig_z);
	nx_store__blk_drop(r->blk);
	r->blk = NULL;
}

static int row_make(nx_prepared *r, const nx_article *a, nx_store *st, int defer)
{
	nx_buf au = NX_BUF_INIT;
	size_t i = 0;

	memset(r, 0, sizeof(*r));
	nx_buf_init(&r->body_z);
	nx_buf_init(&r->orig_z);
	for (i = 0; i < a->nauthors; i++) {
		if (i > 0)
			nx_buf_addch(&au, '\n');
		nx_buf_adds(&au, a->authors[i]);
	}
	if (!nx_buf_ok(&au))
		return NX_ENOMEM;
	r->authors = a->nauthors > 0 ? nx_buf_detach(&au) : (nx_buf_free(&au), NULL);
	r->body = nx_article_body(a);
	r->captions = nx_article_captions(a);
	r->credits = nx_article_credits(a);
	if (r->body == NULL || r->captions == NULL || r->credits == NULL)
		return NX_ENOMEM;
	r->body_len = strlen(r->body);
	r->deferred = defer && st->schema >= 4;
	if (!r->deferred && (nx_store__deflate_body(st, &r->body_z, r->body, r->body_len) < 0 || !nx_buf_ok(&r->body_z)))
		return NX_ENOMEM;
	nx_sha256_hex(r->body, r->body_len, r->body_hash);
	/* the original too, here on the parser's thread rather than the writer's */
	if (st->keep_originals && a->origin.raw != NULL) {
		if (nx_store__deflate_body(st, &r->orig_z, a->origin.raw, a->origin.rawlen) < 0 || !nx_buf_ok(&r->orig_z))
			return NX_ENOMEM;
		nx_sha256_hex(a->origin.raw, a->origin.rawlen, r->orig_hash);
		r->orig_len = a->origin.rawlen;
	}
	return nx_article_hash(r->hash, a);
}

static int prepare(nx_prepared **out, nx_store *st, const nx_article *a, int defer, nx_error *err)
{
	nx_prepared *r = calloc(1, sizeof(*r));

	*out = NULL;
	if (r == NULL || row_make(r, a, st, defer) < 0) {
		nx_prepared_free(r);
		return nx_error_set(err, NX_ENOMEM, "out of memory");
	}
	*out = r;
	return NX_OK;
}

int nx_store_prepare(nx_prepared **out, nx_store *st, const nx_article *a, nx_error *err)
{
	return prepare(out, st, a, 0, err);
}

int nx_store_prepare_deferred(nx_prepared **out, nx_store *st, const nx_article *a, nx_error *err)
{
	return prepare(out, st, a, 1, err);
}

void nx_prepared_free(nx_prepared *p)
{
	if (p == NULL)
		return;
	row_free(p);
	free(p);
}

/*
 * Bind the first n bytes of a digest given in hex: a blob (schema 2), else
 * hex text.  Only the digits bound are read (16 or 8 bytes of the 32).
 */
static void bind_hash_n(nx_store *st, sqlite3_stmt *s, int i, const char *hex, int n)
{
	unsigned char b[32];

	if (st->schema >= 2 && strlen(hex) == 64 && nx_unhex(b, hex, (size_t)n)) {
		sqlite3_bind_blob(s, i, b, n, SQLITE_TRANSIENT);
	} else {
		sqlite3_bind_text(s, i, hex, -1, SQLITE_TRANSIENT);
	}
}

/*
 * An article's version hash: 32 bytes in schema 2, 16 from schema 3 --
 * enough to tell versions of one article apart, half the bytes in a row.
 */
static void bind_hash(nx_store *st, sqlite3_stmt *s, int i, const char *hex)
{
	bind_hash_n(st, s, i, hex, st->schema >= 3 ? 16 : 32);
}

static void bind_time(sqlite3_stmt *s, int i, const nx_time *t)
{
	if (!t->set) {
		sqlite3_bind_null(s, i);
		sqlite3_bind_null(s, i + 1);
		sqlite3_bind_null(s, i + 2);
		return;
	}
	sqlite3_bind_int64(s, i, t->utc);
	if (t->has_offset)
		sqlite3_bind_int(s, i + 1, t->offset);
	else
		sqlite3_bind_null(s, i + 1);
	sqlite3_bind_int(s, i + 2, t->has_time ? 1 : 0);
}

const char *nx_put_status_name(int status)
{
	switch (status) {
	case NX_PUT_ADDED: return "added";
	case NX_PUT_UPDATED: return "updated";
	case NX_PUT_REVISION: return "unchanged";
	default: return "unchanged";
	}
}

static int bind_article(nx_store *st, sqlite3_stmt *s, const nx_article *a, const nx_prepared *r, int64_t rev)
{
	nx_store__bind_text(s, 1, a->id);
	nx_store__bind_text(s, 2, a->url);
	nx_store__bind_text(s, 3, a->source);
	sqlite3_bind_text(s, 4, a->title != NULL ? a->title : "", -1, SQLITE_TRANSIENT);
	nx_store__bind_text(s, 5, r->authors);
	nx_store__bind_text(s, 6, a->section);
	nx_store__bind_text(s, 7, a->lang);
	bind_time(s, 8, &a->published);
	bind_time(s, 11, &a->updated);
	sqlite3_bind_int64(s, 14, a->captured.set ? a->captured.utc : 0);
	sqlite3_bind_int64(s, 15, rev);
	bind_hash(st, s, 16, r->hash);
	sqlite3_bind_int64(s, 17, (sqlite3_int64)r->body_len);
	if (r->blk != NULL) {
		unsigned char ref[32];

		sqlite3_bind_blob(s, 18, ref, (int)nx_store__ref_encode(ref, r->body_len, r->blk->id, r->blk_off),
				  SQLITE_TRANSIENT);
	} else {
		sqlite3_bind_blob64(s, 18, r->body_z.buf, r->body_z.len, SQLITE_STATIC);
	}
	bind_hash_n(st, s, 19, r->body_hash, 8);
	sqlite3_bind_text(s, 20, r->captions, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 21, r->credits, -1, SQLITE_STATIC);
	return NX_OK;
}

/* fresh: a row just inserted, which has no photos (those of a row deleted went with it) */
static int write_photos(nx_store *st, int64_t id, const nx_article *a, int fresh, nx_error *err)
{
	sqlite3_stmt *s = NULL;
	size_t i = 0;
	int rc = NX_OK;

	if (!fresh && (s = nx_store__stmt(st, NX_STMT_DELETE_PHOTOS, err)) == NULL)
		return err != NULL ? err->code : NX_EDB;
	if (!fresh) {
		sqlite3_bind_int64(s, 1, id);
		if ((rc = nx_store__step_done(st, s, err, "cannot save photos")) < 0)
			return rc;
	}
	for (i = 0; i < a->nphotos; i++) {
		const nx_photo *p = &a->photos[i];

		if ((s = nx_store__stmt(st, NX_STMT_INSERT_PHOTO, err)) == NULL)
			return err != NULL ? err->code : NX_EDB;
		sqlite3_bind_int64(s, 1, id);
		sqlite3_bind_int64(s, 2, (sqlite3_int64)i);
		nx_store__bind_text(s, 3, p->agency);
		nx_store__bind_text(s, 4, p->photographer);
		nx_store__bind_text(s, 5, p->caption);
		nx_store__bind_text(s, 6, p->url);
		if ((rc = nx_store__step_done(st, s, err, "cannot save photos")) < 0)
			return rc;
	}
	return NX_OK;
}

/* The FTS row's values (title, body, captions, credits), each with its language marker. */
static int fts_values(nx_buf *v, const nx_article *a, const nx_prepared *r)
{
	const char *title = a->title != NULL ? a->title : "";
	int i = 0;

	/* the same text the fts_src view gives, so deletes match inserts */
	nx_lang_mark(&v[0], a->lang, title, strlen(title));
	nx_lang_mark(&v[1], a->lang, r->body, r->body_len);
	nx_lang_mark(&v[2], a->lang, r->captions, strlen(r->captions));
	nx_lang_mark(&v[3], a->lang, r->credits, strlen(r->credits));
	for (i = 0; i < NX_FTS_VALUES; i++)
		if (!nx_buf_ok(&v[i]))
			return NX_ENOMEM;
	return NX_OK;
}

/* The texts whose words are counted, title, body and captions, and their lengths. */
static void counted_texts(const nx_article *a, const nx_prepared *p, const char *text[3], size_t len[3])
{
	text[0] = a->title != NULL ? a->title : "";
	text[1] = p->body;
	text[2] = p->captions;
	len[0] = strlen(text[0]);
	len[1] = p->body_len;
	len[2] = strlen(p->captions);
}

/* A sink of the words of FTS value v (its text the last len bytes) for acc. */
static nx_word_sink value_sink(const nx_buf *v, size_t len, nx_vocab_acc *acc)
{
	nx_word_sink k = { nx_store__vocab_span, acc, v->len - len, 0, v->buf, v->len };

	return k;
}

/*
 * The words of the texts of r that no sink counted (their tokenizing
 * handed them to none: a tape replayed, a marker read otherwise), split
 * apart, then the table's waiting words counted.
 */
static void count_rest(nx_vocab_acc *acc, const nx_word_sink sink[3], const char *const text[3], const size_t len[3])
{
	int i = 0;

	for (i = 0; i < 3; i++)
		if (!sink[i].used)
			nx_store__vocab_note_text(acc, text[i], len[i]);
	nx_store__vocab_span_end(acc);
}

static int write_fts(nx_store *st, int64_t id, const nx_article *a, nx_prepared *r, nx_error *err)
{
	sqlite3_stmt *s = nx_store__stmt(st, NX_STMT_FTS_INSERT, err);
	nx_buf own[NX_FTS_VALUES] = { NX_BUF_INIT, NX_BUF_INIT, NX_BUF_INIT, NX_BUF_INIT };
	const nx_buf *v = r->taped ? r->fts : own;
	nx_word_sink sink[3];
	fts5_tokenizer tapi;
	nx_vocab_acc *acc = NULL;
	const char *text[3];
	size_t len[3];
	int rc = NX_OK, i = 0;

	if (s == NULL)
		return err != NULL ? err->code : NX_EDB;
	if (!r->taped && fts_values(own, a, r) < 0)
		rc = nx_error_set(err, NX_ENOMEM, "out of memory");
	/* its words, for "did you mean" (vocab.c), unless counted ahead: as FTS5 tokenizes them */
	counted_texts(a, r, text, len);
	if (rc == NX_OK && !r->counted && (rc = nx_store__vocab_acc(st, len[0] + len[1] + len[2], &acc)) < 0)
		rc = nx_error_set(err, rc, rc == NX_ENOMEM ? "out of memory" : "cannot save the words of the index");
	for (i = 0; i < 3; i++)
		sink[i] = value_sink(&v[i], len[i], acc);
	if (st->tok_kept == NULL && acc != NULL && !r->taped && nx_tokenizer_kept(st->db, &st->tok_kept, &tapi) != SQLITE_OK)
		st->tok_kept = NULL;
	if (rc == NX_OK) {
		sqlite3_bind_int64(s, 1, id);
		for (i = 0; i < NX_FTS_VALUES; i++)
			sqlite3_bind_text(s, i + 2, v[i].buf, (int)v[i].len, SQLITE_STATIC);
		/* the tokens made ahead, replayed when FTS5 tokenizes these values */
		if (r->taped) {
			for (i = 0; i < NX_FTS_VALUES; i++)
				r->tape[i].used = 0;
			nx_pretok_offer(st->pretok, r->tape, NX_FTS_VALUES);
		} else if (acc != NULL && st->tok_kept != NULL) {
			nx_tokenizer_offer_words(st->tok_kept, sink, 3);
		}
		rc = nx_store__step_done(st, s, err, "cannot index the article");
		if (r->taped)
			nx_pretok_offer(st->pretok, NULL, 0);
		else if (acc != NULL && st->tok_kept != NULL)
			nx_tokenizer_offer_words(st->tok_kept, NULL, 0);
	}
	/* (a failed insert may leave some of its words counted: a suggestion is checked against the index) */
	if (acc != NULL)
		count_rest(acc, sink, text, len);
	if (rc == NX_OK && acc != NULL && nx_store__vocab_oom(acc))
		rc = nx_error_set(err, NX_ENOMEM, "out of memory");
	/* outside a transaction every statement commits itself: the counts too */
	if (rc == NX_OK && !st->in_tx)
		rc = nx_store__vocab_flush(st, err);
	for (i = 0; i < NX_FTS_VALUES; i++)
		nx_buf_free(&own[i]);
	return rc;
}

int nx_store_pretok_start(nx_store *st, nx_error *err)
{
	if (st->pretok != NULL)
		return NX_OK;
	if ((st->pretok = nx_pretok_new(st->db)) == NULL)
		return nx_error_set(err, NX_ENOMEM, "cannot make a tokenizer for the parsing thread");
	return NX_OK;
}

/*
 * The tokens of FTS value i (p->fts[i], its text the last len bytes) into
 * its tape, and, when acc is not NULL, its words counted into acc in the
 * same pass (nx_word_sink): *counted 1 when they were, 0 when the value's
 * marker is not what the tokenizer takes for one (its words left to count).
 */
static int pretok_value(nx_store *st, nx_prepared *p, int i, size_t len, nx_vocab_acc *acc, int *counted)
{
	nx_word_sink sink = value_sink(&p->fts[i], len, acc);
	int rc = nx_pretok_run(st->pretok, p->fts[i].buf, p->fts[i].len, &p->tape[i], acc != NULL ? &sink : NULL);

	*counted = sink.used;
	if (acc != NULL && rc == NX_OK)
		nx_store__vocab_span_end(acc);
	else if (acc != NULL)
		nx_store__vocab_broken(acc); /* stopped half-way: some of its words counted */
	return rc;
}

int nx_store_pretokenize(nx_store *st, nx_prepared *p, const nx_article *a, nx_vocab_acc **acc, nx_error *err)
{
	const char *text[3];
	size_t len[3];
	int i = 0, rc = NX_OK, count = 0, counted = 0, done = 0;

	if (st->pretok == NULL || p == NULL || p->taped)
		return NX_OK;
	counted_texts(a, p, text, len);
	/* what nx_pretok_run refuses, refused before a word is counted */
	for (i = 0; i < 3; i++)
		if (len[i] > INT32_MAX - 64)
			return nx_error_set(err, NX_EINVAL, "cannot tokenize the article ahead: a text of %zu bytes", len[i]);
	for (i = 0; i < NX_FTS_VALUES; i++) {
		nx_buf_init(&p->fts[i]);
		nx_buf_init(&p->tape[i].rec);
	}
	/* all three texts' words or none */
	if (acc != NULL && !p->counted && (count = nx_store__vocab_reserve(acc, len[0] + len[1] + len[2])) < 0)
		return nx_error_set(err, NX_ENOMEM, "out of memory counting the words of the index");
	if ((rc = fts_values(p->fts, a, p)) == NX_OK)
		for (i = 0; i < NX_FTS_VALUES && rc == NX_OK; i++) {
			rc = pretok_value(st, p, i, i < 3 ? len[i] : 0, i < 3 && count > 0 ? *acc : NULL, &counted);
			/* a marker the tokenizer reads otherwise: the words counted apart */
			if (rc == NX_OK && i < 3 && count > 0 && !counted)
				nx_store__vocab_note_text(*acc, text[i], len[i]);
			done += rc == NX_OK;
		}
	if (count > 0 && done >= 3)
		p->counted = 1;
	else if (count > 0)
		nx_store__vocab_broken(*acc); /* out of memory, some of the three texts counted */
	if (rc < 0) {
		for (i = 0; i < NX_FTS_VALUES; i++) {
			nx_buf_free(&p->fts[i]);
			nx_buf_free(&p->tape[i].rec);
		}
		return nx_error_set(err, rc, "cannot tokenize the article ahead");
	}
	p->taped = 1;
	return NX_OK;
}

/* An article whose words were counted ahead and that was not written: its counts are taken back. */
static int uncount(nx_store *st, const nx_article *a, const nx_prepared *r)
{
	if (!r->counted)
		return NX_OK;
	if (nx_store__vocab_unnote(st, a->title, a->title != NULL ? strlen(a->title) : 0) < 0 ||
	    nx_store__vocab_unnote(st, r->body, r->body_len) < 0 ||
	    nx_store__vocab_unnote(st, r->captions, strlen(r->captions)) < 0)
		return NX_ENOMEM;
	return NX_OK;
}

static int delete_fts(nx_store *st, int64_t id, nx_error *err)
{
	return nx_store__fts_rows(st, NX_STMT_FTS_SRC, NX_STMT_FTS_DELETE, id, err, "cannot update the full-text index");
}

static void bind_format(nx_store *st, sqlite3_stmt *s, int i, const char *format)
{
	size_t k = 0;

	for (k = 0; format != NULL && st->schema >= 3 && k < NX_NFORMATS; k++)
		if (strcmp(format, nx_store__origin_formats[k]) == 0) {
			sqlite3_bind_int(s, i, (int)k + 1);
			return;
		}
	nx_store__bind_text(s, i, format);
}

/* The URL as the source gave it, when ingest cleaned it (table origin_url). */
static int put_origin_url(nx_store *st, const nx_article *a, int64_t id, int64_t file_id, nx_error *err)
{
	sqlite3_stmt *s = NULL;
	int rc = NX_OK;

	if (!st->has_origin_url || a->origin.url == NULL || (a->url != NULL && strcmp(a->url, a->origin.url) == 0))
		return NX_OK;
	if (sqlite3_prepare_v2(st->db,
			       "INSERT OR REPLACE INTO origin_url(article_id, file_id, offset, url) VALUES(?1, ?2, ?3, ?4)",
			       -1, &s, NULL) != SQLITE_OK)
		return nx_store__dberr(st, err, "cannot record the URL the source gave");
	sqlite3_bind_int64(s, 1, id);
	sqlite3_bind_int64(s, 2, file_id);
	sqlite3_bind_int64(s, 3, a->origin.offset);
	sqlite3_bind_text(s, 4, a->origin.url, -1, SQLITE_STATIC);
	rc = nx_store__step_done(st, s, err, "cannot record the URL the source gave");
	sqlite3_finalize(s);
	return rc;
}

/*
 * Record where an article came from.  hash: the version the origin gave,
 * NULL when that is the article's current version -- nearly always, and
 * 9 bytes saved per origin; when the article moves on, origins that gave
 * the version it leaves get its hash (keep_origin_versions).
 */
static int write_origin(nx_store *st, int64_t id, const nx_article *a, const nx_prepared *r, const char *hash,
			nx_error *err)
{
	sqlite3_stmt *s = NULL;
	int64_t file_id = 0;
	int rc = NX_OK, have_original = 0;

	if (a->origin.path == NULL)
		return NX_OK;
	/* compressed (with the bodies' dictionary) and hashed by row_make */
	if (r->orig_hash[0] != '\0') {
		if ((s = nx_store__stmt(st, NX_STMT_INSERT_ORIGINAL, err)) == NULL)
			return err != NULL ? err->code : NX_EDB;
		sqlite3_bind_text(s, 1, r->orig_hash, -1, SQLITE_STATIC);
		sqlite3_bind_int64(s, 2, (sqlite3_int64)r->orig_len);
		sqlite3_bind_blob64(s, 3, r->orig_z.buf, r->orig_z.len, SQLITE_STATIC);
		if ((rc = nx_store__step_done(st, s, err, "cannot keep the original")) < 0)
			return rc;
		have_original = 1;
	}
	/* the file of the previous article is usually the file of this one */
	if (st->file_path != NULL && strcmp(st->file_path, a->origin.path) == 0) {
		file_id = st->file_id;
	} else {
		if ((s = nx_store__stmt(st, NX_STMT_UPSERT_FILE, err)) == NULL)
			return err != NULL ? err->code : NX_EDB;
		sqlite3_bind_text(s, 1, a->origin.path, -1, SQLITE_STATIC);
		if ((rc = nx_store__step_done(st, s, err, "cannot record the source file")) < 0)
			return rc;
		if ((s = nx_store__stmt(st, NX_STMT_FILE_ID, err)) == NULL)
			return err != NULL ? err->code : NX_EDB;
		sqlite3_bind_text(s, 1, a->origin.path, -1, SQLITE_STATIC);
		if (sqlite3_step(s) != SQLITE_ROW) {
			rc = nx_store__dberr(st, err, "cannot record the source file");
			sqlite3_reset(s);
			return rc;
		}
		file_id = sqlite3_column_int64(s, 0);
		sqlite3_reset(s);
		free(st->file_path);
		st->file_path = strdup(a->origin.path);
		st->file_id = file_id;
	}
	if ((s = nx_store__stmt(st, NX_STMT_INSERT_ORIGIN, err)) == NULL)
		return err != NULL ? err->code : NX_EDB;
	sqlite3_bind_int64(s, 1, id);
	sqlite3_bind_int64(s, 2, file_id);
	sqlite3_bind_int64(s, 3, a->origin.offset);
	nx_store__bind_text(s, 4, a->origin.record_id);
	bind_format(st, s, 5, a->origin.format);
	if (have_original)
		sqlite3_bind_text(s, 6, r->orig_hash, -1, SQLITE_STATIC);
	/* which version this origin gave: 8 bytes tell an article's versions apart */
	if (hash != NULL)
		bind_hash_n(st, s, 7, hash, 8);
	if ((rc = nx_store__step_done(st, s, err, "cannot record where the article came from")) < 0)
		return rc;
	return put_origin_url(st, a, id, file_id, err);
}

/* An article leaves the version oldhash: origins that gave it say so. */
static int keep_origin_versions(nx_store *st, int64_t id, const char *oldhash, nx_error *err)
{
	sqlite3_stmt *s = NULL;
	int rc = NX_OK;

	if (sqlite3_prepare_v2(st->db, "UPDATE origin SET hash = ?2 WHERE article_id = ?1 AND hash IS NULL", -1,
			       &s, NULL) != SQLITE_OK)
		return nx_store__dberr(st, err, "cannot record where the article came from");
	sqlite3_bind_int64(s, 1, id);
	bind_hash_n(st, s, 2, oldhash, 8);
	if (sqlite3_step(s) != SQLITE_DONE)
		rc = nx_store__dberr(st, err, "cannot record where the article came from");
	sqlite3_finalize(s);
	return rc;
}

/* The code err carries, for a failure already reported into it (err may be NULL). */
static int err_code(const nx_error *err)
{
	return err != NULL && err->code < 0 ? err->code : NX_EDB;
}

/* The number the next version of article id takes: one past every number it has had. */
static int next_rev(nx_store *st, int64_t id, int64_t *rev, nx_error *err)
{
	sqlite3_stmt *s = nx_store__stmt(st, NX_STMT_NEXT_REV, err);
	int step = 0;

	if (s == NULL)
		return err_code(err);
	sqlite3_bind_int64(s, 1, id);
	step = sqlite3_step(s);
	if (step == SQLITE_ROW)
		*rev = sqlite3_column_int64(s, 0);
	sqlite3_reset(s);
	if (step != SQLITE_ROW || *rev <= 0)
		return step != SQLITE_ROW ? nx_store__dberr(st, err, "cannot number the revision") :
					    nx_error_set(err, NX_EDB, "cannot number the revision: bad number");
	return NX_OK;
}

/* Keep an article version as a revision (compressed JSON). */
/* Keep a version as revision rev (0: the next free number). */
static int write_revision(nx_store *st, int64_t id, const nx_article *a, const char *hash, int64_t rev,
			  nx_error *err)
{
	sqlite3_stmt *s = NULL;
	nx_buf z = NX_BUF_INIT;
	char *json = NULL;
	int rc = NX_OK;

	if (rev <= 0 && (rc = next_rev(st, id, &rev, err)) < 0)
		return rc;
	json = nx_article_to_json(a, 0);
	if (json == NULL || nx_deflate(&z, json, strlen(json)) < 0 || !nx_buf_ok(&z)) {
		rc = nx_error_set(err, NX_ENOMEM, "out of memory");
		goto done;
	}
	if ((s = nx_store__stmt(st, NX_STMT_INSERT_REVISION, err)) == NULL) {
		rc = err != NULL ? err->code : NX_EDB;
		goto done;
	}
	sqlite3_bind_int64(s, 1, id);
	sqlite3_bind_int64(s, 2, rev);
	sqlite3_bind_int64(s, 3, a->captured.set ? a->captured.utc : 0);
	if (a->updated.set)
		sqlite3_bind_int64(s, 4, a->updated.utc);
	sqlite3_bind_text(s, 5, hash, -1, SQLITE_STATIC);
	sqlite3_bind_blob64(s, 6, z.buf, z.len, SQLITE_STATIC);
	if ((rc = nx_store__step_done(st, s, err, "cannot keep the earlier version")) < 0)
		goto done;
	rc = nx_store__fts_rows(st, NX_STMT_REV_SRC, NX_STMT_REV_FTS_INSERT, sqlite3_last_insert_rowid(st->db), err,
				"cannot index the earlier version");
done:
	free(json);
	nx_buf_free(&z);
	return rc;
}

/* Version time: the updated time when given, else when it was captured. */
static int newer_than(const nx_article *a, sqlite3_stmt *cur)
{
	int old_has_upd = sqlite3_column_type(cur, 2) != SQLITE_NULL;
	int64_t old_upd = sqlite3_column_int64(cur, 2), old_cap = sqlite3_column_int64(cur, 3);

	if (a->updated.set && old_has_upd)
		return a->updated.utc > old_upd || (a->updated.utc == old_upd && a->captured.utc >= old_cap);
	if (a->updated.set && !old_has_upd)
		return 1;
	if (!a->updated.set && old_has_upd)
		return 0;
	return a->captured.utc >= old_cap;
}

int nx_store_put(nx_store *st, const nx_article *a, int *status, nx_error *err)
{
	nx_prepared *p = NULL;
	int rc = NX_OK;

	*status = 0;
	if (a->id == NULL)
		return nx_error_set(err, NX_EINVAL, "article has no id");
	if ((rc = nx_store_prepare(&p, st, a, err)) < 0)
		return rc;
	rc = nx_store_put_prepared(st, a, p, status, err);
	nx_prepared_free(p);
	return rc;
}


/* A new article: its row, photos and full-text row; *id receives its rowid. */
static int put_new(nx_store *st, const nx_article *a, nx_prepared *r, int64_t *id, nx_error *err)
{
	sqlite3_stmt *s = nx_store__stmt(st, NX_STMT_INSERT_ARTICLE, err);
	int rc = NX_OK;

	if (s == NULL)
		return err_code(err);
	if ((rc = nx_store__blk_use(st, r, err)) < 0)
		return rc;
	bind_article(st, s, a, r, 1);
	if ((rc = nx_store__step_done(st, s, err, "cannot save the article")) < 0)
		return rc;
	if (r->blk != NULL)
		r->blk->refs++;
	*id = sqlite3_last_insert_rowid(st->db);
	if ((rc = nx_store__defer_note(st, a->id, *id, err)) < 0)
		return rc;
	if ((rc = write_photos(st, *id, a, 1, err)) < 0)
		return rc;
	return write_fts(st, *id, a, r, err);
}

/* An older version than the current one: kept once as a revision, and its origin. */
static int put_older(nx_store *st, int64_t id, const nx_article *a, nx_prepared *r, int *status, nx_error *err)
{
	sqlite3_stmt *s = nx_store__stmt(st, NX_STMT_REVISION_HAS_HASH, err);
	int rc = NX_OK, step = 0;

	if (s == NULL)
		return err_code(err);
	sqlite3_bind_int64(s, 1, id);
	sqlite3_bind_text(s, 2, r->hash, -1, SQLITE_STATIC);
	step = sqlite3_step(s);
	sqlite3_reset(s);
	if (step == SQLITE_ROW) {
		*status = NX_PUT_UNCHANGED;
	} else {
		if ((rc = write_revision(st, id, a, r->hash, 0, err)) < 0)
			return rc;
		*status = NX_PUT_REVISION;
	}
	/* this origin gave an older version than the current one */
	return write_origin(st, id, a, r, r->hash, err);
}

/* The current version of article id becomes a revision, keeping its number. */
static int keep_current(nx_store *st, int64_t id, nx_error *err)
{
	nx_article *old = NULL;
	char oldhash[65];
	sqlite3_stmt *cur = NULL;
	int64_t currev = 0;
	int rc = nx_store__load(&old, st, id, err);

	if (rc < 0)
		return rc;
	if (nx_article_hash(oldhash, old) < 0) {
		rc = nx_error_set(err, NX_ENOMEM, "out of memory");
		goto done;
	}
	if (sqlite3_prepare_v2(st->db, "SELECT rev FROM article WHERE id = ?1", -1, &cur, NULL) != SQLITE_OK) {
		rc = nx_store__dberr(st, err, "cannot read the revision number");
		goto done;
	}
	sqlite3_bind_int64(cur, 1, id);
	if (sqlite3_step(cur) == SQLITE_ROW)
		currev = sqlite3_column_int64(cur, 0);
	else
		rc = nx_store__dberr(st, err, "cannot read the revision number");
	sqlite3_finalize(cur);
	if (rc < 0)
		goto done;
	if ((rc = write_revision(st, id, old, oldhash, currev, err)) == NX_OK)
		rc = keep_origin_versions(st, id, oldhash, err);
done:
	nx_article_free(old);
	return rc;
}

/*
 * A newer version: the current one becomes a revision, keeping its
 * number.  Reading it (here and to take it out of the full-text index)
 * needs its block readable; the block loses a reference below.
 */
/* uid: the id the article is stored under, kept (an older index's id of it, see find_legacy) */
static int put_newer(nx_store *st, int64_t id, const nx_article *a, nx_prepared *r, const char *uid,
		     nx_error *err)
{
	sqlite3_stmt *s = NULL;
	int64_t rev = 1, oldblk = 0;
	int rc = NX_OK;

	if ((rc = nx_store__blk_of_readable(st, id, &oldblk, err)) < 0 || (rc = keep_current(st, id, err)) < 0)
		return rc;
	if ((rc = next_rev(st, id, &rev, err)) < 0)
		return rc;
	if ((rc = delete_fts(st, id, err)) < 0 || (rc = nx_store__blk_use(st, r, err)) < 0)
		return rc;
	if ((s = nx_store__stmt(st, NX_STMT_UPDATE_ARTICLE, err)) == NULL)
		return err_code(err);
	bind_article(st, s, a, r, rev);
	sqlite3_bind_text(s, 1, uid, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 22, id);
	if ((rc = nx_store__step_done(st, s, err, "cannot update the article")) < 0)
		return rc;
	if (r->blk != NULL)
		r->blk->refs++;
	if ((rc = nx_store__blk_unref(st, oldblk, err)) < 0)
		return rc;
	if ((rc = write_photos(st, id, a, 0, err)) < 0)
		return rc;
	return write_fts(st, id, a, r, err);
}

/*
 * Step the statement that finds the article stored under uid: *s is left
 * on its row (SQLITE_ROW: id, hash, updated, captured) or done, to be
 * reset by the caller; NULL when it cannot be made (err set).  During a
 * new archive's first load the ids are in memory (defer.c), and each
 * row they may be is checked.
 */
static int step_uid(nx_store *st, const char *uid, sqlite3_stmt **s, nx_error *err)
{
	nx_defer_probe p;
	int64_t cand = 0;
	int step = SQLITE_DONE;

	*s = NULL;
	if (!nx_store__defer_first(st, uid, &p)) {
		if ((*s = nx_store__stmt(st, NX_STMT_FIND_UID, err)) == NULL)
			return SQLITE_ERROR;
		sqlite3_bind_text(*s, 1, uid, -1, SQLITE_STATIC);
		return sqlite3_step(*s);
	}
	while (step == SQLITE_DONE && nx_store__defer_next(st, &p, &cand)) {
		if ((*s = nx_store__stmt(st, NX_STMT_FIND_ID_UID, err)) == NULL)
			return SQLITE_ERROR;
		sqlite3_bind_text(*s, 1, uid, -1, SQLITE_STATIC);
		sqlite3_bind_int64(*s, 2, cand);
		step = sqlite3_step(*s);
	}
	if (*s == NULL)
		*s = nx_store__stmt(st, NX_STMT_FIND_UID, err);
	return *s != NULL ? step : SQLITE_ERROR;
}

/*
 * An undated article without URL stored under the id it had before ids
 * included the body (nx_article__legacy_id): that id goes to legacy
 * (else ""), so that adding the same file again to an index made then
 * finds the article instead of making a copy (such an index keeps the
 * old identity for the articles it has; new ones get the new).
 */
static int find_legacy(nx_store *st, const nx_article *a, char legacy[17], nx_error *err)
{
	sqlite3_stmt *s = NULL;
	int step = 0;

	if (!nx_article__legacy_id(a, legacy))
		return NX_OK;
	step = step_uid(st, legacy, &s, err);
	if (s == NULL)
		return err_code(err);
	sqlite3_reset(s);
	if (step != SQLITE_ROW)
		legacy[0] = '\0';
	if (step != SQLITE_ROW && step != SQLITE_DONE)
		return nx_store__dberr(st, err, "cannot look up the article");
	return NX_OK;
}

/*
 * Look article a up by id: *id 0 when it is new, else its rowid and
 * *same 1 when the stored version is this one (its hash, which schema 3
 * stores as a prefix), and *newer 1 when a is newer than the stored one.
 * Looked up by uid (a->id: then also under its older id, find_legacy);
 * the uid it was found under goes to found.
 */
static int find_current(nx_store *st, const nx_article *a, const nx_prepared *r, const char *uid, int64_t *id,
			int *same, int *newer, char found[17], nx_error *err)
{
	sqlite3_stmt *s = NULL;
	char cur[65];
	int step = 0;

	*id = 0;
	*same = *newer = 0;
	step = step_uid(st, uid, &s, err);
	if (s == NULL)
		return err_code(err);
	if (step == SQLITE_DONE && uid == a->id) {
		char legacy[17] = "";
		int rc = NX_OK;

		sqlite3_reset(s);
		if ((rc = find_legacy(st, a, legacy, err)) < 0 || legacy[0] == '\0')
			return rc;
		return find_current(st, a, r, legacy, id, same, newer, found, err);
	}
	if (step == SQLITE_DONE) {
		sqlite3_reset(s);
		return NX_OK;
	}
	if (step != SQLITE_ROW) {
		sqlite3_reset(s);
		return nx_store__dberr(st, err, "cannot look up the article");
	}
	*id = sqlite3_column_int64(s, 0);
	snprintf(found, 17, "%s", uid);
	nx_store__hash_col(s, 1, cur);
	*same = strlen(cur) >= 32 && strncmp(cur, r->hash, strlen(cur)) == 0;
	*newer = !*same && newer_than(a, s);
	sqlite3_reset(s);
	return NX_OK;
}

int nx_store_put_prepared(nx_store *st, const nx_article *a, nx_prepared *r, int *status, nx_error *err)
{
	int64_t id = 0;
	int rc = NX_OK, same = 0, newer = 0;
	char found[17] = "";

	*status = 0;
	if (a->id == NULL)
		return nx_error_set(err, NX_EINVAL, "article has no id");
	if (r->deferred && nx_store__pack_alone(st, r) < 0)
		return nx_error_set(err, NX_ENOMEM, "out of memory");
	if (r->blk != NULL)
		r->blk->seen++;
	if ((rc = nx_store__train_zdict(st, r->body, err)) < 0 || (rc = nx_store__note_lang(st, a->lang, err)) < 0 ||
	    (rc = find_current(st, a, r, a->id, &id, &same, &newer, found, err)) < 0)
		goto done;
	if (id == 0) {
		if ((rc = put_new(st, a, r, &id, err)) == NX_OK)
			*status = NX_PUT_ADDED;
	} else if (same) {
		*status = NX_PUT_UNCHANGED;
		if (uncount(st, a, r) < 0)
			rc = nx_error_set(err, NX_ENOMEM, "out of memory");
	} else if (!newer) {
		if ((rc = put_older(st, id, a, r, status, err)) == NX_OK && uncount(st, a, r) < 0)
			rc = nx_error_set(err, NX_ENOMEM, "out of memory");
		goto done;
	} else if ((rc = put_newer(st, id, a, r, found, err)) == NX_OK) {
		*status = NX_PUT_UPDATED;
	}
	if (rc == NX_OK)
		rc = write_origin(st, id, a, r, NULL, err);
done:
	/* the last member of the open block put: write it */
	if (rc >= 0 && r->blk != NULL && r->blk == st->blk_open && r->blk->seen >= r->blk->members)
		rc = nx_store__blk_close(st, err);
	return rc;
}

int nx_store_remove(nx_store *st, const char *ref, char id_out[17], nx_error *err)
{
	int64_t id = 0, block = 0;
	int rc = nx_store__resolve(st, ref, &id, err);

	if (rc < 0 || (rc = nx_store__blk_of_readable(st, id, &block, err)) < 0)
		return rc;
	if (id_out != NULL) {
		nx_article *a = NULL;

		id_out[0] = '\0';
		if (nx_store__load(&a, st, id, NULL) == NX_OK && a->id != NULL)
			snprintf(id_out, 17, "%s", a->id);
		nx_article_free(a);
	}
	/* the words of the impact lists it holds, while the full-text index has them */
	if (nx_impact__note_removal(st->db, id) != SQLITE_OK)
		return nx_store__dberr(st, err, "cannot note the removal for the word lists");
	if ((rc = delete_fts(st, id, err)) < 0)
		return rc;
	if ((rc = nx_store__fts_rows(st, NX_STMT_REV_SRC_OF, NX_STMT_REV_FTS_DELETE, id, err,
				     "cannot remove earlier versions from the index")) < 0 ||
	    (rc = nx_store__run_with(st, NX_STMT_DELETE_ARTICLE, id, err, "cannot remove the article")) < 0)
		return rc;
	return nx_store__blk_unref(st, block, err);
}

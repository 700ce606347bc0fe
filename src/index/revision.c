/*
 * revision.c - list and load the versions of an article; word diff.
 */
#include "newsidx/revision.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/buf.h"
#include "util/text.h"
#include "index/store_private.h"

/* Largest LCS table (cells) of one diff; bigger pairs degrade to replace-all. */
#define DIFF_MAX_CELLS ((size_t)4 << 20)

static const char sql_current[] =
	"SELECT rev, captured, updated, hash FROM article WHERE id = ?1";
static const char sql_list[] =
	"SELECT rev, captured, updated, hash FROM revision WHERE article_id = ?1"
	" ORDER BY updated IS NOT NULL, updated, captured, rev";
static const char sql_load[] =
	"SELECT doc_z, captured, updated FROM revision WHERE article_id = ?1 AND rev = ?2";

static int prepare(sqlite3_stmt **s, nx_store *st, const char *sql, nx_error *err)
{
	if (sqlite3_prepare_v2(st->db, sql, -1, s, NULL) != SQLITE_OK)
		return nx_store__dberr(st, err, "cannot read revisions");
	return NX_OK;
}

static void row_version(nx_revision *v, sqlite3_stmt *s)
{
	memset(v, 0, sizeof(*v));
	v->rev = sqlite3_column_int64(s, 0);
	if (sqlite3_column_type(s, 1) != SQLITE_NULL && sqlite3_column_int64(s, 1) != 0) {
		v->captured.set = v->captured.has_time = 1;
		v->captured.utc = sqlite3_column_int64(s, 1);
	}
	if (sqlite3_column_type(s, 2) != SQLITE_NULL) {
		v->updated.set = v->updated.has_time = 1;
		v->updated.utc = sqlite3_column_int64(s, 2);
	}
	nx_store__hash_col(s, 3, v->hash);
}

int nx_revision_list(nx_revision **out, size_t *n, nx_store *st, const char *ref, nx_error *err)
{
	sqlite3_stmt *s = NULL;
	nx_revision *v = NULL, cur;
	size_t len = 0, cap = 0;
	int64_t id = 0;
	int rc = NX_OK, step = 0;

	*out = NULL;
	*n = 0;
	if ((rc = nx_store__resolve(st, ref, &id, err)) < 0)
		return rc;
	if ((rc = prepare(&s, st, sql_current, err)) < 0)
		goto done;
	sqlite3_bind_int64(s, 1, id);
	if (sqlite3_step(s) != SQLITE_ROW) {
		rc = nx_store__dberr(st, err, "cannot read the article");
		goto done;
	}
	row_version(&cur, s);
	cur.current = 1;
	sqlite3_finalize(s);
	s = NULL;
	/* schema 3 keeps 16 bytes of the current version's hash: show all 32 */
	if (strlen(cur.hash) < 64) {
		nx_article *a = NULL;

		if ((rc = nx_store__load(&a, st, id, err)) < 0)
			goto done;
		rc = nx_article_hash(cur.hash, a);
		nx_article_free(a);
		if (rc < 0) {
			rc = nx_error_set(err, rc, "cannot hash the article");
			goto done;
		}
	}
	if ((rc = prepare(&s, st, sql_list, err)) < 0)
		goto done;
	sqlite3_bind_int64(s, 1, id);
	for (;;) {
		step = sqlite3_step(s);
		if (step != SQLITE_ROW)
			break;
		if (len + 1 >= cap) {
			nx_revision *p = realloc(v, (cap = cap != 0 ? cap * 2 : 8) * sizeof(*v));

			if (p == NULL) {
				rc = nx_error_set(err, NX_ENOMEM, "out of memory");
				goto done;
			}
			v = p;
		}
		row_version(&v[len++], s);
	}
	if (step != SQLITE_DONE) {
		rc = nx_store__dberr(st, err, "cannot read revisions");
		goto done;
	}
	if (len + 1 > cap) {
		nx_revision *p = realloc(v, (len + 1) * sizeof(*v));

		if (p == NULL) {
			rc = nx_error_set(err, NX_ENOMEM, "out of memory");
			goto done;
		}
		v = p;
	}
	v[len++] = cur;
	*out = v;
	*n = len;
	v = NULL;
done:
	sqlite3_finalize(s);
	free(v);
	return rc;
}

int nx_revision_load(nx_article **out, nx_store *st, const char *ref, int64_t rev, nx_error *err)
{
	sqlite3_stmt *s = NULL;
	nx_article *a = NULL;
	nx_buf doc = NX_BUF_INIT;
	int64_t id = 0, cur = 0;
	int rc = NX_OK, step = 0;

	*out = NULL;
	if ((rc = nx_store__resolve(st, ref, &id, err)) < 0)
		return rc;
	if ((rc = prepare(&s, st, sql_current, err)) < 0)
		goto done;
	sqlite3_bind_int64(s, 1, id);
	if (sqlite3_step(s) == SQLITE_ROW)
		cur = sqlite3_column_int64(s, 0);
	sqlite3_finalize(s);
	s = NULL;
	if (rev == 0 || rev == cur) {
		rc = nx_store__load(out, st, id, err);
		goto done;
	}
	if ((rc = prepare(&s, st, sql_load, err)) < 0)
		goto done;
	sqlite3_bind_int64(s, 1, id);
	sqlite3_bind_int64(s, 2, rev);
	step = sqlite3_step(s);
	if (step == SQLITE_DONE) {
		rc = nx_error_set(err, NX_ENOTFOUND, "article '%s' has no revision %lld", ref, (long long)rev);
		goto done;
	}
	if (step != SQLITE_ROW) {
		rc = nx_store__dberr(st, err, "cannot read the revision");
		goto done;
	}
	rc = nx_inflate_blob(&doc, sqlite3_column_blob(s, 0), (size_t)sqlite3_column_bytes(s, 0));
	if (rc == NX_ENOMEM) {
		rc = nx_error_set(err, NX_ENOMEM, "out of memory");
		goto done;
	}
	if (rc < 0 || (rc = nx_article_from_json(&a, doc.buf, doc.len, err)) < 0) {
		rc = nx_error_set(err, NX_EDB, "revision %lld of '%s' is corrupt (run 'newsidx check')",
				  (long long)rev, ref);
		goto done;
	}
	a->captured.set = a->captured.has_time = 1;
	a->captured.utc = sqlite3_column_int64(s, 1);
	*out = a;
	a = NULL;
done:
	sqlite3_finalize(s);
	nx_buf_free(&doc);
	nx_article_free(a);
	return rc;
}

/* ---- word diff -------------------------------------------------------------- */

typedef struct tok {
	const char *s;
	size_t len;
	uint32_t h;
} tok;

typedef struct toks {
	tok *v;
	size_t n, cap;
} toks;

static int toks_add(toks *t, const char *s, size_t len)
{
	if (t->n == t->cap) {
		size_t cap = t->cap != 0 ? t->cap * 2 : 32;
		tok *p = realloc(t->v, cap * sizeof(*p));

		if (p == NULL)
			return NX_ENOMEM;
		t->v = p;
		t->cap = cap;
	}
	t->v[t->n].s = s;
	t->v[t->n].len = len;
	t->v[t->n].h = nx_fnv1a(s, len);
	t->n++;
	return NX_OK;
}

/* Words of s (split on spaces; article text is already cleaned). */
static int split_words(toks *t, const char *s)
{
	const char *p = s, *e = NULL;

	while (p != NULL && *p != '\0') {
		while (*p == ' ' || *p == '\n')
			p++;
		if (*p == '\0')
			break;
		for (e = p; *e != '\0' && *e != ' ' && *e != '\n'; e++)
			;
		if (toks_add(t, p, (size_t)(e - p)) < 0)
			return NX_ENOMEM;
		p = e;
	}
	return NX_OK;
}

static int tok_eq(const tok *a, const tok *b)
{
	return a->h == b->h && a->len == b->len && memcmp(a->s, b->s, a->len) == 0;
}

/*
 * Edit script from a to b as a string of '=', '-', '+' (malloc'd, length
 * in *nops).  LCS by dynamic programming on what is left after the common
 * prefix and suffix, if that table fits DIFF_MAX_CELLS; else replace-all.
 */
static int edit_script(char **out, size_t *nops, const tok *a, size_t n, const tok *b, size_t m)
{
	size_t pre = 0, suf = 0, i = 0, j = 0, k = 0, N = 0, M = 0;
	uint32_t *L = NULL;
	char *ops = NULL;

	*out = NULL;
	*nops = 0;
	ops = malloc(n + m + 1);
	if (ops == NULL)
		return NX_ENOMEM;
	while (pre < n && pre < m && tok_eq(&a[pre], &b[pre]))
		pre++;
	while (suf < n - pre && suf < m - pre && tok_eq(&a[n - 1 - suf], &b[m - 1 - suf]))
		suf++;
	N = n - pre - suf;
	M = m - pre - suf;
	for (i = 0; i < pre; i++)
		ops[k++] = '=';
	if (N > 0 && M > 0 && (N + 1) <= DIFF_MAX_CELLS / (M + 1)) {
		const tok *A = a + pre, *B = b + pre;
		size_t W = M + 1;

		L = malloc((N + 1) * W * sizeof(*L));
		if (L == NULL) {
			free(ops);
			return NX_ENOMEM;
		}
		/* L[i][j] = LCS length of A[i..] and B[j..] */
		for (j = 0; j <= M; j++)
			L[N * W + j] = 0;
		for (i = N; i-- > 0;) {
			L[i * W + M] = 0;
			for (j = M; j-- > 0;) {
				if (tok_eq(&A[i], &B[j]))
					L[i * W + j] = L[(i + 1) * W + j + 1] + 1;
				else
					L[i * W + j] = L[(i + 1) * W + j] >= L[i * W + j + 1] ?
						       L[(i + 1) * W + j] : L[i * W + j + 1];
			}
		}
		i = j = 0;
		while (i < N || j < M) {
			if (i < N && j < M && tok_eq(&A[i], &B[j])) {
				ops[k++] = '=';
				i++;
				j++;
			} else if (j >= M || (i < N && L[(i + 1) * W + j] >= L[i * W + j + 1])) {
				ops[k++] = '-';
				i++;
			} else {
				ops[k++] = '+';
				j++;
			}
		}
		free(L);
	} else {
		for (i = 0; i < N; i++)
			ops[k++] = '-';
		for (j = 0; j < M; j++)
			ops[k++] = '+';
	}
	for (i = 0; i < suf; i++)
		ops[k++] = '=';
	ops[k] = '\0';
	*out = ops;
	*nops = k;
	return NX_OK;
}

typedef struct differ {
	nx_buf out;
	unsigned flags;
	int changed;
} differ;

static void mark_open(differ *d, char op)
{
	if (d->flags & NX_DIFF_COLOR)
		nx_buf_adds(&d->out, op == '-' ? "\033[31m" : "\033[32m");
	nx_buf_adds(&d->out, op == '-' ? "[-" : "{+");
}

static void mark_close(differ *d, char op)
{
	nx_buf_adds(&d->out, op == '-' ? "-]" : "+}");
	if (d->flags & NX_DIFF_COLOR)
		nx_buf_adds(&d->out, "\033[0m");
}

/* Word diff of two strings appended to d->out (one line's worth). */
static int word_diff(differ *d, const char *x, const char *y)
{
	toks a = { NULL, 0, 0 }, b = { NULL, 0, 0 };
	char *ops = NULL;
	size_t nops = 0, k = 0, i = 0, j = 0;
	char open = 0;
	int rc = NX_OK, first = 1;

	if ((rc = split_words(&a, x != NULL ? x : "")) < 0 || (rc = split_words(&b, y != NULL ? y : "")) < 0 ||
	    (rc = edit_script(&ops, &nops, a.v, a.n, b.v, b.n)) < 0)
		goto done;
	for (k = 0; k < nops; k++) {
		char op = ops[k];
		const tok *t = op == '+' ? &b.v[j] : &a.v[i];

		if (open != 0 && op != open) {
			mark_close(d, open);
			open = 0;
		}
		if (!first)
			nx_buf_addch(&d->out, ' ');
		first = 0;
		if (op != '=' && open == 0) {
			mark_open(d, op);
			open = op;
		}
		nx_buf_add(&d->out, t->s, t->len);
		if (op != '+')
			i++;
		if (op != '-')
			j++;
	}
	if (open != 0)
		mark_close(d, open);
done:
	free(ops);
	free(a.v);
	free(b.v);
	return rc;
}

static int streq(const char *a, const char *b)
{
	return strcmp(a != NULL ? a : "", b != NULL ? b : "") == 0;
}

/* "label: <word diff>\n" when x and y differ. */
static int field_diff(differ *d, const char *label, const char *x, const char *y)
{
	if (streq(x, y))
		return NX_OK;
	d->changed = 1;
	nx_buf_addf(&d->out, "%s: ", label);
	if (word_diff(d, x, y) < 0)
		return NX_ENOMEM;
	nx_buf_addch(&d->out, '\n');
	return NX_OK;
}

static void time_str(char buf[32], const nx_time *t)
{
	buf[0] = '\0';
	if (t->set)
		nx_date_format_utc(buf, t->utc);
	else
		snprintf(buf, 32, "(none)");
}

static void meta_diff(differ *d, const char *label, const char *x, const char *y)
{
	if (streq(x, y))
		return;
	d->changed = 1;
	nx_buf_addf(&d->out, "%s: %s -> %s\n", label, x != NULL ? x : "(none)", y != NULL ? y : "(none)");
}

static void time_diff(differ *d, const char *label, const nx_time *x, const nx_time *y)
{
	char a[32], b[32];

	if (x->set == y->set && (!x->set || x->utc == y->utc))
		return;
	time_str(a, x);
	time_str(b, y);
	meta_diff(d, label, a, b);
}

static char *join_authors(const nx_article *a)
{
	nx_buf b = NX_BUF_INIT;
	size_t i = 0;

	for (i = 0; i < a->nauthors; i++) {
		if (i > 0)
			nx_buf_adds(&b, ", ");
		nx_buf_adds(&b, a->authors[i]);
	}
	return nx_buf_detach(&b);
}

static char *photo_credit(const nx_photo *p)
{
	nx_buf b = NX_BUF_INIT;

	nx_buf_addf(&b, "%s%s%s", p->agency != NULL ? p->agency : "",
		    p->agency != NULL && p->photographer != NULL ? " / " : "",
		    p->photographer != NULL ? p->photographer : "");
	return nx_buf_detach(&b);
}

static int body_diff(differ *d, const nx_article *x, const nx_article *y)
{
	toks a = { NULL, 0, 0 }, b = { NULL, 0, 0 };
	char *ops = NULL;
	size_t nops = 0, k = 0, i = 0, j = 0;
	int rc = NX_OK;

	for (k = 0; k < x->nparas; k++)
		if ((rc = toks_add(&a, x->paras[k], strlen(x->paras[k]))) < 0)
			goto done;
	for (k = 0; k < y->nparas; k++)
		if ((rc = toks_add(&b, y->paras[k], strlen(y->paras[k]))) < 0)
			goto done;
	if ((rc = edit_script(&ops, &nops, a.v, a.n, b.v, b.n)) < 0)
		goto done;
	k = 0;
	while (k < nops) {
		size_t del0 = i, ins0 = j, nd = 0, ni = 0, p = 0;

		if (ops[k] == '=') {
			i++;
			j++;
			k++;
			continue;
		}
		/* a run of changes: pair removed with added paragraphs in order */
		while (k < nops && ops[k] != '=') {
			if (ops[k] == '-')
				nd++, i++;
			else
				ni++, j++;
			k++;
		}
		d->changed = 1;
		for (p = 0; p < nd || p < ni; p++) {
			if (p < nd && p < ni) {
				nx_buf_addf(&d->out, "\xC2\xB6%zu: ", ins0 + p + 1);
				if ((rc = word_diff(d, x->paras[del0 + p], y->paras[ins0 + p])) < 0)
					goto done;
			} else if (p < nd) {
				nx_buf_addf(&d->out, "\xC2\xB6%zu (removed): ", del0 + p + 1);
				if ((rc = word_diff(d, x->paras[del0 + p], NULL)) < 0)
					goto done;
			} else {
				nx_buf_addf(&d->out, "\xC2\xB6%zu (added): ", ins0 + p + 1);
				if ((rc = word_diff(d, NULL, y->paras[ins0 + p])) < 0)
					goto done;
			}
			nx_buf_addch(&d->out, '\n');
		}
	}
done:
	free(ops);
	free(a.v);
	free(b.v);
	return rc;
}

static int photos_diff(differ *d, const nx_article *x, const nx_article *y)
{
	size_t i = 0, n = x->nphotos > y->nphotos ? x->nphotos : y->nphotos;
	char label[64];
	int rc = NX_OK;

	for (i = 0; i < n && rc == NX_OK; i++) {
		const nx_photo *p = i < x->nphotos ? &x->photos[i] : NULL;
		const nx_photo *q = i < y->nphotos ? &y->photos[i] : NULL;
		char *cp = p != NULL ? photo_credit(p) : NULL, *cq = q != NULL ? photo_credit(q) : NULL;

		if ((p != NULL && cp == NULL) || (q != NULL && cq == NULL)) {
			rc = NX_ENOMEM;
		} else if (p != NULL && q != NULL) {
			snprintf(label, sizeof(label), "photo %zu credit", i + 1);
			rc = field_diff(d, label, cp, cq);
			snprintf(label, sizeof(label), "photo %zu caption", i + 1);
			if (rc == NX_OK)
				rc = field_diff(d, label, p->caption, q->caption);
		} else {
			snprintf(label, sizeof(label), "photo %zu (%s)", i + 1, p != NULL ? "removed" : "added");
			d->changed = 1;
			nx_buf_addf(&d->out, "%s: ", label);
			rc = word_diff(d, p != NULL ? cp : NULL, q != NULL ? cq : NULL);
			if (rc == NX_OK && ((p != NULL && p->caption != NULL) || (q != NULL && q->caption != NULL))) {
				nx_buf_adds(&d->out, " \xE2\x80\x94 ");
				rc = word_diff(d, p != NULL ? p->caption : NULL, q != NULL ? q->caption : NULL);
			}
			nx_buf_addch(&d->out, '\n');
		}
		free(cp);
		free(cq);
	}
	return rc;
}

int nx_revision_diff(char **out, int *changed, const nx_article *a, const nx_article *b,
		     unsigned flags, nx_error *err)
{
	differ d;
	char *au = NULL, *bu = NULL;
	int rc = NX_OK;

	*out = NULL;
	*changed = 0;
	memset(&d, 0, sizeof(d));
	nx_buf_init(&d.out);
	d.flags = flags;
	meta_diff(&d, "url", a->url, b->url);
	meta_diff(&d, "source", a->source, b->source);
	meta_diff(&d, "section", a->section, b->section);
	meta_diff(&d, "language", a->lang, b->lang);
	au = join_authors(a);
	bu = join_authors(b);
	if (au == NULL || bu == NULL) {
		rc = NX_ENOMEM;
		goto done;
	}
	meta_diff(&d, "authors", au, bu);
	time_diff(&d, "published", &a->published, &b->published);
	time_diff(&d, "updated", &a->updated, &b->updated);
	if ((rc = field_diff(&d, "title", a->title, b->title)) < 0 || (rc = body_diff(&d, a, b)) < 0 ||
	    (rc = photos_diff(&d, a, b)) < 0)
		goto done;
	if (!nx_buf_ok(&d.out)) {
		rc = NX_ENOMEM;
		goto done;
	}
	*changed = d.changed;
	*out = nx_buf_detach(&d.out);
	if (*out == NULL)
		rc = NX_ENOMEM;
done:
	free(au);
	free(bu);
	nx_buf_free(&d.out);
	if (rc == NX_ENOMEM)
		nx_error_set(err, NX_ENOMEM, "out of memory");
	return rc;
}

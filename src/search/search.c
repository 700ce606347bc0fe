/*
 * search.c - ranked search, snippets, relaxed matching, facets, "did you
 * mean" and similar articles, over the FTS5 index of the store.
 *
 * A search runs in two steps: candidates (rowid and score only, ranked by
 * FTS5 with the filters applied in SQL), then the details of the few hits
 * shown (metadata and highlighted text), so only those are decompressed.
 */
#include "newsidx/search.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "newsidx/query.h"
#include "index/store_private.h"
#include "util/text.h"
#include "article/lang.h"
#include "index/tokenizer.h"
#include "search/topk.h"

/* Markers FTS5 puts around matches; cleaned article text never holds them. */
#define HL_OPEN '\x01'
#define HL_CLOSE '\x02'

/* An SQL statement under construction, with its bindings. */
typedef struct sq {
	nx_buf sql;
	struct {
		int is_text;
		int64_t i;
		const char *s;
	} bind[128];
	int nbind;
} sq;

static void sq_int(sq *q, int64_t v)
{
	if (q->nbind >= 128)
		return;
	q->bind[q->nbind].is_text = 0;
	q->bind[q->nbind].i = v;
	q->nbind++;
	nx_buf_addf(&q->sql, "?%d", q->nbind);
}

static void sq_text(sq *q, const char *s)
{
	if (q->nbind >= 128)
		return;
	q->bind[q->nbind].is_text = 1;
	q->bind[q->nbind].s = s;
	q->nbind++;
	nx_buf_addf(&q->sql, "?%d", q->nbind);
}

static int sq_prepare(nx_store *st, sq *q, sqlite3_stmt **out, nx_error *err)
{
	int i = 0;

	*out = NULL;
	if (!nx_buf_ok(&q->sql) || q->nbind >= 128)
		return nx_error_set(err, NX_ENOMEM, "out of memory");
	if (sqlite3_prepare_v2(st->db, q->sql.buf, (int)q->sql.len, out, NULL) != SQLITE_OK)
		return nx_store__dberr(st, err, "cannot search the index");
	for (i = 0; i < q->nbind; i++) {
		if (q->bind[i].is_text)
			sqlite3_bind_text(*out, i + 1, q->bind[i].s, -1, SQLITE_STATIC);
		else
			sqlite3_bind_int64(*out, i + 1, q->bind[i].i);
	}
	return NX_OK;
}

/* A LIKE pattern matching s anywhere, with % and _ escaped by '\'. */
static char *like_pattern(const char *s)
{
	nx_buf b = NX_BUF_INIT;

	nx_buf_addch(&b, '%');
	for (; *s != '\0'; s++) {
		if (*s == '%' || *s == '_' || *s == '\\')
			nx_buf_addch(&b, '\\');
		nx_buf_addch(&b, *s);
	}
	nx_buf_addch(&b, '%');
	return nx_buf_detach(&b);
}

/* Everything a search needs besides its FTS expression. */
typedef struct plan {
	const nx_filter *f[2];   /* from the query and from the options */
	char *like_source[2];    /* LIKE patterns of f[k], made once, kept alive */
	char *like_author[2];    /* for the bindings */
	int64_t exclude_id;      /* similar: leave out this article ... */
	const char *exclude_hash;/* ... and its exact copies */
	int64_t newest;          /* for the recency boost */
	const double *weights;   /* relaxed ranking: weight of each phrase */
	int nweights;
	/* the fast paths (topk.h) */
	nx_topk_cache *cache;    /* phrase match lists, from one stage to the next */
	int flt_state;           /* 0: not made yet, 1: flt made, -1: the SQL paths filter */
	nx_topk_filter flt;      /* the filters as rowid bits and/or a test by id */
	uint64_t *bits;
	sqlite3_stmt *keep;
	const char *pre_expr;    /* the strict expression ranked while counting ... */
	nx_topk_hit *pre;        /* ... its best pre_want rows */
	size_t npre;
	int64_t pre_want;
} plan;

static void add_filters(sq *q, plan *p, const char *a)
{
	int k = 0;

	for (k = 0; k < 2; k++) {
		const nx_filter *f = p->f[k];

		if (f == NULL)
			continue;
		if (f->set & NX_F_PUB_MIN) {
			nx_buf_addf(&q->sql, " AND %s.published >= ", a);
			sq_int(q, f->pub_min);
		}
		if (f->set & NX_F_PUB_MAX) {
			nx_buf_addf(&q->sql, " AND %s.published < ", a);
			sq_int(q, f->pub_max);
		}
		if (f->set & NX_F_UPD_MIN) {
			nx_buf_addf(&q->sql, " AND %s.updated >= ", a);
			sq_int(q, f->upd_min);
		}
		if (f->set & NX_F_UPD_MAX) {
			nx_buf_addf(&q->sql, " AND %s.updated < ", a);
			sq_int(q, f->upd_max);
		}
		if (f->set & NX_F_CHANGED) {
			nx_buf_addf(&q->sql, " AND %s.updated - %s.published > ", a, a);
			sq_int(q, f->changed_min);
		}
		if (f->lang != NULL) {
			nx_buf_addf(&q->sql, " AND %s.lang = ", a);
			sq_text(q, f->lang);
		}
		if (f->source != NULL) {
			if (p->like_source[k] == NULL)
				p->like_source[k] = like_pattern(f->source);
			nx_buf_addf(&q->sql, " AND %s.source LIKE ", a);
			sq_text(q, p->like_source[k]);
			nx_buf_adds(&q->sql, " ESCAPE '\\'");
		}
		if (f->author != NULL) {
			if (p->like_author[k] == NULL)
				p->like_author[k] = like_pattern(f->author);
			nx_buf_addf(&q->sql, " AND %s.authors LIKE ", a);
			sq_text(q, p->like_author[k]);
			nx_buf_adds(&q->sql, " ESCAPE '\\'");
		}
	}
	if (p->exclude_id > 0) {
		nx_buf_addf(&q->sql, " AND %s.id <> ", a);
		sq_int(q, p->exclude_id);
	}
	if (p->exclude_hash != NULL) {
		/* text in schema 1, a blob in schema 2 */
		nx_buf_addf(&q->sql, " AND %s.body_hash NOT IN (", a);
		sq_text(q, p->exclude_hash);
		if (strspn(p->exclude_hash, "0123456789abcdef") == 64 && p->exclude_hash[64] == '\0')
			nx_buf_addf(&q->sql, ", X'%s', X'%.16s'", p->exclude_hash, p->exclude_hash);
		nx_buf_adds(&q->sql, ")");
	}
}

/* 1 when the search must look at article metadata to filter. */
static int plan_filters(const plan *p)
{
	return nx_filter_active(p->f[0]) || nx_filter_active(p->f[1]) || p->exclude_id > 0 ||
	       p->exclude_hash != NULL;
}

/* FROM ... WHERE ... of the current articles matching expr (NULL: all). */
static void add_from(sq *q, plan *p, const char *expr)
{
	if (expr != NULL) {
		nx_buf_adds(&q->sql, " FROM fts f JOIN article a ON a.id = f.rowid WHERE fts MATCH ");
		sq_text(q, expr);
	} else {
		nx_buf_adds(&q->sql, " FROM article a WHERE 1");
	}
	add_filters(q, p, "a");
}

/* The same over earlier revisions (rev_fts), for --all-revisions. */
static void add_from_revisions(sq *q, plan *p, const char *expr)
{
	nx_buf_adds(&q->sql, " FROM rev_fts rf JOIN revision r ON r.rowid = rf.rowid"
			     " JOIN article a ON a.id = r.article_id WHERE rev_fts MATCH ");
	sq_text(q, expr);
	add_filters(q, p, "a");
}

static void plan_free(plan *p)
{
	int i = 0;

	/* the statement binds the patterns: it goes first */
	sqlite3_finalize(p->keep);
	p->keep = NULL;
	for (i = 0; i < 2; i++) {
		free(p->like_source[i]);
		free(p->like_author[i]);
	}
	free(p->bits);
	free(p->pre);
	nx_topk__cache_free(p->cache);
}

/* SQL functions used in ranking. */

/*
 * nx_rank(fts, w0, w1, ...): BM25 (k1 1.2, b 0.75, the idf of Lucene,
 * always positive) with the same column weights as the index's rank, each
 * phrase i weighted by wi (1 when not given), multiplied by
 * 1 + NX_RANK_COVERAGE_GAIN * (share of the weight-1 phrases the row holds).
 * Used for relaxed queries and their expansion with feedback terms; the
 * fast path (topk.h) computes the same scores without SQL.
 */
typedef struct rank_data {
	int nphrase;
	double avgdl;
	double idf[];
} rank_data;

static int count_row(const Fts5ExtensionApi *api, Fts5Context *fctx, void *ud)
{
	(void)api;
	(void)fctx;
	(*(int64_t *)ud)++;
	return SQLITE_OK;
}

static rank_data *rank_data_get(const Fts5ExtensionApi *api, Fts5Context *fctx)
{
	rank_data *d = api->xGetAuxdata(fctx, 0);
	sqlite3_int64 nrow = 0, ntok = 0;
	int n = 0, i = 0;

	if (d != NULL)
		return d;
	n = api->xPhraseCount(fctx);
	d = calloc(1, sizeof(*d) + (size_t)(n > 0 ? n : 1) * sizeof(double));
	if (d == NULL)
		return NULL;
	d->nphrase = n;
	if (api->xRowCount(fctx, &nrow) != SQLITE_OK || nrow <= 0)
		nrow = 1;
	if (api->xColumnTotalSize(fctx, -1, &ntok) != SQLITE_OK)
		ntok = 0;
	d->avgdl = (double)ntok / (double)nrow;
	if (d->avgdl <= 0)
		d->avgdl = 1;
	for (i = 0; i < n; i++) {
		int64_t hits = 0;

		api->xQueryPhrase(fctx, i, &hits, count_row);
		d->idf[i] = nx_topk__rank_idf(nrow, hits);
	}
	if (api->xSetAuxdata(fctx, d, free) != SQLITE_OK)
		return NULL; /* freed by FTS5 */
	return d;
}

static const double rank_w_v1[4] = { 8.0, 1.0, 0.6, 0.4 }; /* title, body, ... */
static const double rank_w_v2[4] = { 1.0, 8.0, 0.6, 0.4 }; /* body, title, ... */

static void aux_rank(const Fts5ExtensionApi *api, Fts5Context *fctx, sqlite3_context *ctx,
		     int nval, sqlite3_value **vals)
{
	/* the index's column weights, in its column order (store.h) */
	const nx_store *st = api->xUserData(fctx);
	const double *colw = st->fcol[NX_F_TITLE] == 0 ? rank_w_v1 : rank_w_v2;
	rank_data *d = rank_data_get(api, fctx);
	double freq[64], w[64];
	int ninst = 0, k = 0, ip = 0, ic = 0, io = 0, i = 0, n = 0, dl = 0;

	if (d == NULL) {
		sqlite3_result_error_nomem(ctx);
		return;
	}
	n = d->nphrase < 64 ? d->nphrase : 64;
	memset(freq, 0, sizeof(freq));
	if (api->xInstCount(fctx, &ninst) != SQLITE_OK)
		ninst = 0;
	for (k = 0; k < ninst; k++) {
		if (api->xInst(fctx, k, &ip, &ic, &io) == SQLITE_OK && ip >= 0 && ip < n && ic >= 0 && ic < 4)
			freq[ip] += colw[ic];
	}
	if (api->xColumnSize(fctx, -1, &dl) != SQLITE_OK)
		dl = 0;
	for (i = 0; i < n; i++)
		w[i] = i < nval ? sqlite3_value_double(vals[i]) : 1.0;
	/* topk.c ranks relaxed queries with the same function, without SQL */
	sqlite3_result_double(ctx, nx_topk__rank_score(d->idf, w, freq, n, (double)dl, d->avgdl));
}

/* nx_decay(seconds): 2^(-age / 30 days) */
static void sql_decay(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
	double age = sqlite3_value_double(argv[0]);

	(void)argc;
	if (age < 0)
		age = 0;
	sqlite3_result_double(ctx, pow(2.0, -age / (30.0 * 86400.0)));
}

static int register_functions(nx_store *st)
{
	fts5_api *api = nx_fts5_api(st->db);
	int rc = SQLITE_OK;

	if (api == NULL)
		return SQLITE_ERROR;
	rc = api->xCreateFunction(api, "nx_rank", st, aux_rank, NULL);
	if (rc == SQLITE_OK)
		rc = sqlite3_create_function(st->db, "nx_decay", 1, SQLITE_UTF8 | SQLITE_DETERMINISTIC, NULL,
					     sql_decay, NULL, NULL);
	return rc;
}

void nx_results_free(nx_results *r)
{
	size_t i = 0, j = 0;

	if (r == NULL)
		return;
	for (i = 0; i < r->nhits; i++) {
		nx_hit *h = &r->hits[i];

		free(h->id);
		free(h->title);
		free(h->url);
		free(h->source);
		free(h->snippet);
		free(h->highlights);
		free(h->title_highlights);
		for (j = 0; j < h->nalso; j++) {
			free(h->also_in[j]);
			free(h->also_ids[j]);
		}
		free(h->also_in);
		free(h->also_ids);
	}
	for (i = 0; i < r->nfacets; i++) {
		for (j = 0; j < r->facets[i].nvalues; j++)
			free(r->facets[i].values[j].value);
		free(r->facets[i].values);
	}
	free(r->facets);
	free(r->hits);
	free(r->query);
	free(r->fts);
	free(r->suggestion);
	free(r);
}

/* Highlighted text -> plain text + spans; paragraph breaks become spaces. */
typedef struct marked {
	nx_buf text;
	nx_span *sp;
	size_t n, cap;
} marked;

static int spans_push(nx_span **sp, size_t *n, size_t *cap, size_t s, size_t e)
{
	if (*n == *cap) {
		nx_span *p = realloc(*sp, (*cap = *cap ? *cap * 2 : 8) * sizeof(**sp));

		if (p == NULL)
			return NX_ENOMEM;
		*sp = p;
	}
	(*sp)[*n].start = s;
	(*sp)[*n].end = e;
	(*n)++;
	return NX_OK;
}

static int unmark(marked *m, const char *s)
{
	size_t open_at = 0;
	int in = 0;

	nx_buf_init(&m->text);
	m->sp = NULL;
	m->n = m->cap = 0;
	if (s == NULL)
		return NX_OK;
	for (; *s != '\0'; s++) {
		if (*s == NX_LANG_MARK) {
			size_t k = nx_lang_mark_len(s, strlen(s));

			if (k > 0)
				s += k - 1;
			continue;
		}
		if (*s == HL_OPEN) {
			open_at = m->text.len;
			in = 1;
		} else if (*s == HL_CLOSE) {
			if (in && m->text.len > open_at && spans_push(&m->sp, &m->n, &m->cap, open_at, m->text.len) < 0)
				return NX_ENOMEM;
			in = 0;
		} else if (*s == '\n') {
			if (m->text.len > 0 && m->text.buf[m->text.len - 1] != ' ')
				nx_buf_addch(&m->text, ' ');
		} else {
			nx_buf_addch(&m->text, *s);
		}
	}
	return nx_buf_ok(&m->text) ? NX_OK : NX_ENOMEM;
}

static void marked_free(marked *m)
{
	nx_buf_free(&m->text);
	free(m->sp);
}

/* Byte offsets of word starts (after a space) in t, for fragment cutting. */
static size_t *word_starts(const char *t, size_t len, size_t *n)
{
	size_t *w = NULL, cap = 0, i = 0;

	*n = 0;
	for (i = 0; i < len; i++) {
		if ((i == 0 || t[i - 1] == ' ') && t[i] != ' ') {
			if (*n == cap) {
				size_t *p = realloc(w, (cap = cap ? cap * 2 : 256) * sizeof(*w));

				if (p == NULL) {
					free(w);
					return NULL;
				}
				w = p;
			}
			w[(*n)++] = i;
		}
	}
	return w;
}

/* Index of the word containing byte off. */
static size_t word_at(const size_t *w, size_t nw, size_t off)
{
	size_t lo = 0, hi = nw;

	while (hi - lo > 1) {
		size_t mid = (lo + hi) / 2;

		if (w[mid] <= off)
			lo = mid;
		else
			hi = mid;
	}
	return lo;
}

/* Two matches of (probably) the same query word: same first letters. */
static int same_word(const char *t, const nx_span *a, const nx_span *b)
{
	size_t la = a->end - a->start, lb = b->end - b->start, n = la < lb ? la : lb, k = 0;

	n = n * 3 / 5 < 3 ? (n < 3 ? n : 3) : n * 3 / 5;
	for (k = 0; k < n; k++)
		if (nx_tolower((unsigned char)t[a->start + k]) != nx_tolower((unsigned char)t[b->start + k]))
			return 0;
	return 1;
}

/*
 * Cut up to nfrag fragments of about ntok words from the marked text,
 * around the matches (the densest first), cut on word boundaries, joined
 * with " … ".  Highlights are rebased into the output.
 */
static int make_snippet(nx_hit *h, const marked *m, int nfrag, int ntok)
{
	size_t nw = 0, *w = NULL, i = 0, k = 0;
	struct frag {
		size_t w0, w1;
	} fr[16];
	size_t nfr = 0;
	nx_buf out = NX_BUF_INIT;
	nx_span *sp = NULL;
	size_t nsp = 0, cap = 0;
	int rc = NX_OK;

	if (nfrag < 1)
		nfrag = 1;
	if (nfrag > 16)
		nfrag = 16;
	w = word_starts(m->text.buf, m->text.len, &nw);
	if (nw == 0) {
		free(w);
		h->snippet = strdup("");
		return h->snippet != NULL ? NX_OK : NX_ENOMEM;
	}
	if (w == NULL)
		return NX_ENOMEM;
	/* greedily choose windows that cover the most not-yet-covered matches */
	while ((int)nfr < nfrag) {
		size_t best_w0 = 0, best_cnt = 0;

		for (i = 0; i < m->n; i++) {
			size_t mw = word_at(w, nw, m->sp[i].start), w0 = mw > 3 ? mw - 3 : 0, cnt = 0, j = 0;
			int covered = 0;

			for (k = 0; k < nfr; k++)
				if (mw >= fr[k].w0 && mw < fr[k].w1)
					covered = 1;
			if (covered)
				continue;
			/* distinct words matched in the window count most */
			for (j = i; j < m->n; j++) {
				size_t jw = word_at(w, nw, m->sp[j].start), q = 0;
				int dup = 0;

				if (jw >= w0 + (size_t)ntok)
					break;
				for (q = i; q < j && !dup; q++)
					dup = same_word(m->text.buf, &m->sp[q], &m->sp[j]);
				cnt += dup ? 1 : 16;
			}
			if (cnt > best_cnt) {
				best_cnt = cnt;
				best_w0 = w0;
			}
		}
		if (best_cnt == 0) {
			if (nfr == 0) {
				fr[0].w0 = 0;
				fr[0].w1 = nw < (size_t)ntok ? nw : (size_t)ntok;
				nfr = 1;
			}
			break;
		}
		fr[nfr].w0 = best_w0;
		fr[nfr].w1 = best_w0 + (size_t)ntok < nw ? best_w0 + (size_t)ntok : nw;
		/* do not overlap an earlier fragment */
		for (k = 0; k < nfr; k++) {
			if (fr[nfr].w0 < fr[k].w1 && fr[nfr].w1 > fr[k].w0) {
				if (fr[nfr].w0 >= fr[k].w0)
					fr[nfr].w0 = fr[k].w1;
				else
					fr[nfr].w1 = fr[k].w0;
			}
		}
		if (fr[nfr].w1 > fr[nfr].w0)
			nfr++;
		else
			break;
	}
	/* in document order */
	for (i = 1; i < nfr; i++)
		for (k = i; k > 0 && fr[k - 1].w0 > fr[k].w0; k--) {
			struct frag t = fr[k];

			fr[k] = fr[k - 1];
			fr[k - 1] = t;
		}
	for (k = 0; k < nfr && rc == NX_OK; k++) {
		size_t b = w[fr[k].w0], e = fr[k].w1 < nw ? w[fr[k].w1] : m->text.len, base = 0;

		while (e > b && m->text.buf[e - 1] == ' ')
			e--;
		if (k > 0)
			nx_buf_adds(&out, " ");
		if (b > 0 && (k == 0 || fr[k - 1].w1 != fr[k].w0))
			nx_buf_adds(&out, "…");
		base = out.len;
		nx_buf_add(&out, m->text.buf + b, e - b);
		for (i = 0; i < m->n; i++)
			if (m->sp[i].start >= b && m->sp[i].end <= e)
				rc = spans_push(&sp, &nsp, &cap, base + m->sp[i].start - b, base + m->sp[i].end - b);
		if (e < m->text.len)
			nx_buf_adds(&out, "…");
	}
	free(w);
	if (rc < 0 || !nx_buf_ok(&out)) {
		free(sp);
		nx_buf_free(&out);
		return NX_ENOMEM;
	}
	h->snippet = nx_buf_detach(&out);
	h->highlights = sp;
	h->nhighlights = nsp;
	return h->snippet != NULL ? NX_OK : NX_ENOMEM;
}

static void col_time(sqlite3_stmt *s, int i, nx_time *t)
{
	memset(t, 0, sizeof(*t));
	if (sqlite3_column_type(s, i) == SQLITE_NULL)
		return;
	t->set = 1;
	t->utc = sqlite3_column_int64(s, i);
	t->has_offset = sqlite3_column_type(s, i + 1) != SQLITE_NULL;
	t->offset = sqlite3_column_int(s, i + 1);
	t->has_time = sqlite3_column_int(s, i + 2) != 0;
}

static char *col_dup(sqlite3_stmt *s, int i)
{
	const unsigned char *v = sqlite3_column_text(s, i);

	return v != NULL && *v != '\0' ? strdup((const char *)v) : NULL;
}

/* A candidate hit: enough to rank, collapse and fetch details. */
typedef struct cand {
	int64_t id;
	double score;
	char *body_hash;
	char *title_key; /* lower-case letters and digits of the title */
	int64_t published;
	int64_t revrow;  /* rowid in revision when an earlier version matched */
	int rev;
	int folded;      /* folded into an earlier candidate */
	int into;        /* index it was folded into */
} cand;

static char *title_key(const unsigned char *t)
{
	nx_buf b = NX_BUF_INIT;

	for (; t != NULL && *t != '\0'; t++) {
		if (nx_isalnum(*t) || *t >= 0x80)
			nx_buf_addch(&b, nx_tolower(*t));
	}
	return nx_buf_detach(&b);
}

static void cands_free(cand *c, size_t n)
{
	size_t i = 0;

	for (i = 0; i < n; i++) {
		free(c[i].body_hash);
		free(c[i].title_key);
	}
	free(c);
}

/* Count matches of expr (NULL: filters only), current and optionally revisions. */
static int count_matches(nx_store *st, plan *p, const char *expr, int revisions, int64_t *out, nx_error *err)
{
	sq q;
	sqlite3_stmt *s = NULL;
	int rc = NX_OK;

	memset(&q, 0, sizeof(q));
	nx_buf_init(&q.sql);
	nx_buf_adds(&q.sql, "SELECT (SELECT count(*)");
	if (expr != NULL && !plan_filters(p)) {
		/* no metadata needed: FTS5 alone counts */
		nx_buf_adds(&q.sql, " FROM fts WHERE fts MATCH ");
		sq_text(&q, expr);
	} else {
		add_from(&q, p, expr);
	}
	nx_buf_adds(&q.sql, ")");
	if (revisions && expr != NULL) {
		nx_buf_adds(&q.sql, " + (SELECT count(*)");
		add_from_revisions(&q, p, expr);
		nx_buf_adds(&q.sql, ")");
	}
	if ((rc = sq_prepare(st, &q, &s, err)) == NX_OK) {
		if (sqlite3_step(s) == SQLITE_ROW)
			*out = sqlite3_column_int64(s, 0);
		else
			rc = nx_store__dberr(st, err, "cannot search the index");
	}
	sqlite3_finalize(s);
	nx_buf_free(&q.sql);
	return rc;
}

/* Score expression: relevance, possibly weighted by coverage and recency. */
static void add_score(sq *q, plan *p, const nx_search_opts *o, const char *tab, int relaxed, int has_fts)
{
	int i = 0;

	if (!has_fts) {
		nx_buf_adds(&q->sql, "0.0");
	} else if (relaxed) {
		nx_buf_addf(&q->sql, "nx_rank(%s", strcmp(tab, "f") == 0 ? "fts" : "rev_fts");
		for (i = 0; i < p->nweights && i < 64; i++) {
			nx_buf_adds(&q->sql, ", ");
			/* weights are small integers of thousandths, bound as text-free ints */
			sq_int(q, (int64_t)(p->weights[i] * 1000.0 + 0.5));
			nx_buf_adds(&q->sql, " / 1000.0");
		}
		nx_buf_adds(&q->sql, ")");
	} else {
		nx_buf_addf(&q->sql, "(-%s.rank)", tab);
	}
	if (o->recent) {
		nx_buf_adds(&q->sql, " * (1.0 + nx_decay(");
		sq_int(q, p->newest);
		nx_buf_adds(&q->sql, " - coalesce(a.published, 0)))");
		if (!has_fts)
			nx_buf_adds(&q->sql, " + 1.0");
	}
}

/*
 * The fast paths (topk.h): the best want rows without scoring every match,
 * by FTS5's own bm25 for plain AND queries (counting the matches on the
 * way: the total) and by nx_rank for relaxed queries (an OR of phrases),
 * with the filters tested as rowid bits (a published range: the ids in it,
 * from the index) or a lookup by id.  NX_TOPK=0 in the environment turns
 * them off (the tests compare both ways).  On any failure of a fast path
 * the SQL path runs (and reports what persists); NX_TOPK=check makes the
 * failure an error instead (for the tests: the fast path did run).
 */
static int topk_off(void)
{
	const char *env = getenv("NX_TOPK");

	return env != NULL && strcmp(env, "0") == 0;
}

/* What a fast path that could not run returns: 0 (the SQL path), or -1 under NX_TOPK=check. */
static int topk_failed(void)
{
	const char *env = getenv("NX_TOPK");

	return env != NULL && strcmp(env, "check") == 0 ? -1 : 0;
}

/* Ranking by relevance over the current articles: what the fast paths do. */
static int topk_fits(const nx_search_opts *o)
{
	return !topk_off() && !o->recent && !o->all_revisions && o->sort == NX_SORT_RELEVANCE;
}

static int keep_row(void *ctx, int64_t rowid)
{
	sqlite3_stmt *s = ctx;
	int step = 0;

	sqlite3_reset(s);
	sqlite3_bind_int64(s, 1, rowid);
	step = sqlite3_step(s);
	sqlite3_reset(s);
	return step == SQLITE_ROW ? 1 : step == SQLITE_DONE ? 0 : -1;
}

/* p's filters for the fast paths (*out NULL: none); 0 when they cannot be had. */
static int topk_filter(nx_store *st, plan *p, const nx_topk_filter **out)
{
	nx_error err = NX_ERROR_INIT;
	sqlite3_stmt *s = NULL;
	sq q;
	size_t cap = 0;
	int k = 0, range = 0, step = 0, ok = 0;

	*out = NULL;
	if (!plan_filters(p))
		return 1;
	if (p->flt_state != 0) {
		*out = &p->flt;
		return p->flt_state > 0;
	}
	p->flt_state = -1;
	memset(&q, 0, sizeof(q));
	nx_buf_init(&q.sql);
	for (k = 0; k < 2; k++)
		if (p->f[k] != NULL && (p->f[k]->set & (NX_F_PUB_MIN | NX_F_PUB_MAX)))
			range = 1;
	if (!range) {
		/* one lookup by id for each matching row */
		nx_buf_adds(&q.sql, "SELECT 1 FROM article a WHERE a.id = ");
		sq_int(&q, 0);
		add_filters(&q, p, "a");
		if (sq_prepare(st, &q, &p->keep, &err) < 0)
			goto done;
		p->flt.keep = keep_row;
		p->flt.ctx = p->keep;
		ok = 1;
		goto done;
	}
	/* the ids in the range, from the index on published, and the other filters */
	nx_buf_adds(&q.sql, "SELECT a.id");
	add_from(&q, p, NULL);
	if (sq_prepare(st, &q, &s, &err) < 0)
		goto done;
	while ((step = sqlite3_step(s)) == SQLITE_ROW) {
		int64_t id = sqlite3_column_int64(s, 0);

		if (id < 0)
			continue; /* no such rowid in the full-text index */
		if ((size_t)(id >> 6) >= cap) {
			size_t ncap = cap ? cap : 1024;
			uint64_t *b = NULL;

			while ((size_t)(id >> 6) >= ncap)
				ncap *= 2;
			if ((b = realloc(p->bits, ncap * sizeof(*b))) == NULL)
				goto done;
			memset(b + cap, 0, (ncap - cap) * sizeof(*b));
			p->bits = b;
			cap = ncap;
		}
		p->bits[id >> 6] |= (uint64_t)1 << (id & 63);
	}
	if (step != SQLITE_DONE)
		goto done;
	p->flt.bits = p->bits;
	p->flt.nbits = (int64_t)cap * 64;
	if (p->bits == NULL) {
		/* nothing in the range: no row passes */
		static const uint64_t none = 0;

		p->flt.bits = &none;
		p->flt.nbits = 1;
	}
	ok = 1;
done:
	sqlite3_finalize(s);
	nx_buf_free(&q.sql);
	nx_error_clear(&err);
	if (ok) {
		p->flt_state = 1;
		*out = &p->flt;
	}
	return ok;
}

/*
 * Strict queries: the total and the best want rows in one walk, kept in p
 * for fetch_candidates.  Returns 1 with *total, 0 when the SQL must count
 * (-1: see topk_failed).
 */
static int strict_walk(nx_store *st, plan *p, const nx_search_opts *o, const char *expr, int64_t want,
		       int64_t *total)
{
	const nx_topk_filter *flt = NULL;
	double w[NX_TOPK_MAX_WEIGHTS];
	int nw = 0, nphrase = nx_topk__plain(expr);

	if (expr == NULL || !topk_fits(o) || nphrase < 1 || nphrase > NX_TOPK_MAX_PHRASES)
		return 0;
	if (!nx_topk__weights(st->db, w, &nw) || !topk_filter(st, p, &flt))
		return topk_failed();
	free(p->pre);
	p->pre = NULL;
	p->pre_expr = NULL;
	if (nx_topk__run(st->db, nx_store__db2(st), expr, w, nw, -1, flt, (size_t)(want > 0 ? want : 0), &p->pre,
			 &p->npre, total, NULL) != SQLITE_OK)
		return topk_failed();
	p->pre_expr = expr;
	p->pre_want = want;
	return 1;
}

/* Relaxed queries: nx_rank's best want rows (0: count only) and the total; 1, or 0/-1 as strict_walk. */
static int relaxed_rank(nx_store *st, plan *p, const char *expr, int64_t want, nx_topk_hit **hits,
			size_t *nhits, int64_t *total)
{
	const nx_topk_filter *flt = NULL;
	double pw[64];
	int npw = 0, i = 0, ng1 = 0, n = nx_topk__or_shape(expr, &ng1);

	*hits = NULL;
	*nhits = 0;
	if (n < 1 || n > NX_TOPK_MAX_RANK_PHRASES)
		return 0;
	if (!topk_filter(st, p, &flt))
		return topk_failed();
	/* the weights exactly as add_score hands them to nx_rank */
	npw = p->nweights < 64 ? p->nweights : 64;
	for (i = 0; i < npw; i++)
		pw[i] = (double)(int64_t)(p->weights[i] * 1000.0 + 0.5) / 1000.0;
	if (nx_topk__rank(st->db, &p->cache, expr, st->fcol[NX_F_TITLE] == 0 ? rank_w_v1 : rank_w_v2, 4, pw, npw,
			  flt, (size_t)(want > 0 ? want : 0), hits, nhits, total, NULL) != SQLITE_OK)
		return topk_failed();
	return 1;
}

/* The next candidate row: of s, or of s run for each fast-path hit in turn. */
static int next_row(sqlite3_stmt *s, int fast, const nx_topk_hit *hits, size_t nhits, size_t *at)
{
	int step = SQLITE_DONE;

	if (!fast)
		return sqlite3_step(s);
	while (*at < nhits) {
		sqlite3_reset(s);
		sqlite3_bind_int64(s, 1, hits[*at].rowid);
		sqlite3_bind_double(s, 2, hits[*at].score);
		(*at)++;
		if ((step = sqlite3_step(s)) != SQLITE_DONE)
			return step; /* a row, or an error; no row: not an article, as in the join */
	}
	return SQLITE_DONE;
}

static int fetch_candidates(nx_store *st, plan *p, const nx_search_opts *o, const char *expr, int relaxed,
			    int64_t want, cand **out, size_t *nout, nx_error *err)
{
	sq q;
	sqlite3_stmt *s = NULL;
	cand *c = NULL;
	nx_topk_hit *hits = NULL;
	size_t n = 0, cap = 0, nhits = 0, at = 0;
	int rc = NX_OK, step = 0, fast = 0;

	*out = NULL;
	*nout = 0;
	memset(&q, 0, sizeof(q));
	nx_buf_init(&q.sql);
	if (expr != NULL && !relaxed && p->pre_expr == expr && want <= p->pre_want) {
		/* ranked while counting (strict_walk) */
		hits = p->pre;
		nhits = p->npre < (size_t)want ? p->npre : (size_t)want;
		p->pre = NULL;
		p->pre_expr = NULL;
		fast = 1;
	} else if (expr != NULL && relaxed && topk_fits(o)) {
		if ((fast = relaxed_rank(st, p, expr, want, &hits, &nhits, NULL)) < 0) {
			rc = nx_store__dberr(st, err, "cannot search the index (fast path)");
			goto done;
		}
	}
	if (fast) {
		/* the winners known, with their scores: their metadata, in order */
		nx_buf_adds(&q.sql, "SELECT a.id, ?2 AS score, a.body_hash, a.title, a.published, 0, 0"
				    " FROM article a WHERE a.id = ?1");
		goto prepared;
	}
	if (expr != NULL && !relaxed && !o->recent && !o->all_revisions && o->sort == NX_SORT_RELEVANCE &&
	    !plan_filters(p)) {
		/* the common case: let FTS5 rank and cut, then join only the winners */
		nx_buf_adds(&q.sql, "SELECT a.id, -f.rank AS score, a.body_hash, a.title, a.published, 0, 0"
				    " FROM (SELECT rowid, rank FROM fts WHERE fts MATCH ");
		sq_text(&q, expr);
		nx_buf_adds(&q.sql, " ORDER BY rank LIMIT ");
		sq_int(&q, want);
		nx_buf_adds(&q.sql, ") f JOIN article a ON a.id = f.rowid ORDER BY f.rank");
		goto prepared;
	}
	nx_buf_adds(&q.sql, "SELECT a.id, ");
	add_score(&q, p, o, "f", relaxed, expr != NULL);
	nx_buf_adds(&q.sql, " AS score, a.body_hash, a.title, a.published, 0 AS revrow, 0 AS rev");
	add_from(&q, p, expr);
	if (o->all_revisions && expr != NULL) {
		nx_buf_adds(&q.sql, " UNION ALL SELECT a.id, ");
		add_score(&q, p, o, "rf", relaxed, 1);
		nx_buf_adds(&q.sql, ", '', a.title, a.published, r.rowid, r.rev");
		add_from_revisions(&q, p, expr);
	}
	switch (o->sort) {
	case NX_SORT_NEWEST:
		nx_buf_adds(&q.sql, " ORDER BY published IS NULL, published DESC, score DESC");
		break;
	case NX_SORT_OLDEST:
		nx_buf_adds(&q.sql, " ORDER BY published IS NULL, published ASC, score DESC");
		break;
	default:
		nx_buf_adds(&q.sql, expr != NULL || o->recent ? " ORDER BY score DESC" :
			    " ORDER BY published IS NULL, published DESC");
		break;
	}
	nx_buf_adds(&q.sql, " LIMIT ");
	sq_int(&q, want);
prepared:
	if ((rc = sq_prepare(st, &q, &s, err)) < 0)
		goto done;
	while ((step = next_row(s, fast, hits, nhits, &at)) == SQLITE_ROW) {
		if (n == cap) {
			cand *np = realloc(c, (cap = cap ? cap * 2 : 32) * sizeof(*c));

			if (np == NULL) {
				rc = nx_error_set(err, NX_ENOMEM, "out of memory");
				goto done;
			}
			c = np;
		}
		memset(&c[n], 0, sizeof(c[n]));
		c[n].id = sqlite3_column_int64(s, 0);
		c[n].score = sqlite3_column_double(s, 1);
		{
			char hex[65];

			nx_store__hash_col(s, 2, hex);
			c[n].body_hash = hex[0] != '\0' ? strdup(hex) : NULL;
		}
		c[n].title_key = title_key(sqlite3_column_text(s, 3));
		c[n].published = sqlite3_column_type(s, 4) == SQLITE_NULL ? INT64_MIN : sqlite3_column_int64(s, 4);
		c[n].revrow = sqlite3_column_int64(s, 5);
		c[n].rev = sqlite3_column_int(s, 6);
		n++;
	}
	if (step != SQLITE_DONE)
		rc = nx_store__dberr(st, err, "cannot search the index");
done:
	sqlite3_finalize(s);
	nx_buf_free(&q.sql);
	free(hits);
	if (rc < 0) {
		cands_free(c, n);
		return rc;
	}
	*out = c;
	*nout = n;
	return NX_OK;
}

/*
 * Syndicated copies: the same body, or the same title within three days,
 * of an earlier (better ranked) candidate of the same version kind.
 */
static void collapse(cand *c, size_t n)
{
	size_t i = 0, j = 0;

	for (i = 0; i < n; i++) {
		for (j = 0; j < i && !c[i].folded; j++) {
			int64_t dt = 0;

			if (c[j].folded || c[j].rev != 0 || c[i].rev != 0)
				continue;
			if (c[i].id == c[j].id)
				continue;
			/* 16 hex digits: all schema 2 keeps (schema 1 rows have 64); not the empty body */
			if (c[i].body_hash != NULL && c[j].body_hash != NULL && strlen(c[i].body_hash) >= 16 &&
			    strncmp(c[i].body_hash, c[j].body_hash, 16) == 0 &&
			    strncmp(c[i].body_hash, "e3b0c44298fc1c14", 16) != 0) {
				c[i].folded = 1;
			} else if (c[i].title_key != NULL && c[j].title_key != NULL && strlen(c[i].title_key) >= 12 &&
				   strcmp(c[i].title_key, c[j].title_key) == 0) {
				dt = c[i].published - c[j].published;
				if (c[i].published != INT64_MIN && c[j].published != INT64_MIN && dt < 3 * 86400 &&
				    dt > -3 * 86400)
					c[i].folded = 1;
			}
			if (c[i].folded)
				c[i].into = (int)j;
		}
	}
}

static int add_also(nx_hit *h, const char *source, const char *id)
{
	char **a = realloc(h->also_in, (h->nalso + 1) * sizeof(*a));
	char **b = NULL;

	if (a == NULL)
		return NX_ENOMEM;
	h->also_in = a;
	b = realloc(h->also_ids, (h->nalso + 1) * sizeof(*b));
	if (b == NULL)
		return NX_ENOMEM;
	h->also_ids = b;
	h->also_in[h->nalso] = strdup(source != NULL ? source : "unknown outlet");
	h->also_ids[h->nalso] = strdup(id != NULL ? id : "");
	if (h->also_in[h->nalso] == NULL || h->also_ids[h->nalso] == NULL) {
		free(h->also_in[h->nalso]);
		free(h->also_ids[h->nalso]);
		return NX_ENOMEM;
	}
	h->nalso++;
	return NX_OK;
}

/* Fill hit details: metadata from article, text from highlight(). */
/*
 * Fill h from its candidate c: metadata, highlighted title and snippet.
 * stmt[3] keeps the statements of one search's hits (current, revision,
 * no query), prepared at the first hit that needs each: preparing a
 * statement over the FTS table costs about as much as reading the hit.
 */
static int fill_hit(nx_store *st, nx_hit *h, const cand *c, const char *expr, const nx_search_opts *o,
		    sqlite3_stmt *stmt[3], nx_error *err)
{
	/* %d: the FTS5 columns of title, body, captions, credits (store_private.h) */
	static const char sql_cur_fmt[] =
		"SELECT nx_uid(a.uid), a.title, a.url, a.source, a.published, a.published_tz, a.published_flags,"
		" a.updated, a.updated_tz, a.updated_flags,"
		" highlight(fts, %d, X'01', X'02'), highlight(fts, %d, X'01', X'02'),"
		" highlight(fts, %d, X'01', X'02'), highlight(fts, %d, X'01', X'02')"
		" FROM fts JOIN article a ON a.id = fts.rowid WHERE fts MATCH ?1 AND fts.rowid = ?2";
	static const char sql_rev_fmt[] =
		"SELECT nx_uid(a.uid), highlight(rev_fts, %d, X'01', X'02'), a.url, a.source, a.published, a.published_tz,"
		" a.published_flags, r.updated, NULL, 1,"
		" highlight(rev_fts, %d, X'01', X'02'), highlight(rev_fts, %d, X'01', X'02'),"
		" highlight(rev_fts, %d, X'01', X'02'), highlight(rev_fts, %d, X'01', X'02')"
		" FROM rev_fts JOIN revision r ON r.rowid = rev_fts.rowid JOIN article a ON a.id = r.article_id"
		" WHERE rev_fts MATCH ?1 AND rev_fts.rowid = ?2";
	char sql_cur[sizeof(sql_cur_fmt) + 16], sql_rev[sizeof(sql_rev_fmt) + 16];
	const int *fc = st->fcol;
	static const char sql_plain[] =
		"SELECT nx_uid(a.uid), a.title, a.url, a.source, a.published, a.published_tz, a.published_flags,"
		" a.updated, a.updated_tz, a.updated_flags, a.title, nx_inflate(a.body_z), a.captions, a.credits"
		" FROM article a WHERE a.id = ?2 AND ?1 IS NULL";
	sqlite3_stmt *s = NULL;
	marked tm, bm;
	const char *field = "body";
	int rc = NX_OK, col = 0, which = expr == NULL ? 2 : c->rev ? 1 : 0;

	memset(&tm, 0, sizeof(tm));
	memset(&bm, 0, sizeof(bm));
	nx_buf_init(&tm.text);
	nx_buf_init(&bm.text);
	if (stmt[which] == NULL) {
		snprintf(sql_cur, sizeof(sql_cur), sql_cur_fmt, fc[NX_F_TITLE], fc[NX_F_BODY], fc[NX_F_CAPTIONS],
			 fc[NX_F_CREDITS]);
		snprintf(sql_rev, sizeof(sql_rev), sql_rev_fmt, fc[NX_F_TITLE], fc[NX_F_TITLE], fc[NX_F_BODY],
			 fc[NX_F_CAPTIONS], fc[NX_F_CREDITS]);
		if (sqlite3_prepare_v2(st->db, which == 2 ? sql_plain : which == 1 ? sql_rev : sql_cur, -1, &stmt[which],
				       NULL) != SQLITE_OK) {
			rc = nx_store__dberr(st, err, "cannot read a search hit");
			goto done;
		}
	}
	s = stmt[which];
	if (expr != NULL)
		sqlite3_bind_text(s, 1, expr, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 2, c->rev ? c->revrow : c->id);
	if (sqlite3_step(s) != SQLITE_ROW) {
		rc = nx_store__dberr(st, err, "cannot read a search hit");
		goto done;
	}
	h->id = col_dup(s, 0);
	h->url = col_dup(s, 2);
	h->source = col_dup(s, 3);
	col_time(s, 4, &h->published);
	col_time(s, 7, &h->updated);
	h->score = c->score;
	h->revision = c->rev;
	if (h->id == NULL)
		goto oom;
	/* the title with its highlights */
	if (unmark(&tm, (const char *)sqlite3_column_text(s, 10)) < 0)
		goto oom;
	h->title = nx_buf_detach(&tm.text);
	h->title_highlights = tm.sp;
	h->ntitle_highlights = tm.n;
	tm.sp = NULL;
	if (h->title == NULL)
		goto oom;
	/* body, else a caption, else a credit that matched */
	for (col = 11; col <= 13; col++) {
		marked_free(&bm);
		if (unmark(&bm, (const char *)sqlite3_column_text(s, col)) < 0)
			goto oom;
		if (bm.n > 0) {
			field = col == 11 ? "body" : col == 12 ? "caption" : "credit";
			break;
		}
	}
	if (bm.n == 0) {
		marked_free(&bm);
		if (unmark(&bm, (const char *)sqlite3_column_text(s, 11)) < 0)
			goto oom;
		field = "body";
	}
	h->snippet_field = field;
	if (make_snippet(h, &bm, o->fragments, o->snippet_tokens < 4 ? 4 : o->snippet_tokens > 64 ? 64 : o->snippet_tokens) < 0)
		goto oom;
	goto done;
oom:
	rc = nx_error_set(err, NX_ENOMEM, "out of memory");
done:
	marked_free(&tm);
	marked_free(&bm);
	if (s != NULL) {
		sqlite3_reset(s);
		sqlite3_clear_bindings(s);
	}
	return rc;
}

/* Facet counts over the whole result set. */
static int facet(nx_store *st, plan *p, const char *expr, const char *name, nx_facet *out, nx_error *err)
{
	sq q;
	sqlite3_stmt *s = NULL;
	int rc = NX_OK, step = 0;

	memset(&q, 0, sizeof(q));
	nx_buf_init(&q.sql);
	out->name = name;
	if (strcmp(name, "source") == 0) {
		nx_buf_adds(&q.sql, "SELECT a.source AS v, count(*)");
		add_from(&q, p, expr);
		nx_buf_adds(&q.sql, " AND a.source IS NOT NULL GROUP BY v ORDER BY 2 DESC, 1 LIMIT 20");
	} else if (strcmp(name, "month") == 0) {
		nx_buf_adds(&q.sql, "SELECT strftime('%Y-%m', a.published, 'unixepoch') AS v, count(*)");
		add_from(&q, p, expr);
		nx_buf_adds(&q.sql, " AND a.published IS NOT NULL GROUP BY v ORDER BY 1 DESC LIMIT 240");
	} else if (strcmp(name, "credit") == 0) {
		nx_buf_adds(&q.sql, "SELECT c.v, count(DISTINCT a.id)");
		add_from(&q, p, expr);
		/* splice the join in front of WHERE */
		{
			const char *w = strstr(q.sql.buf, " WHERE ");
			size_t at = (size_t)(w - q.sql.buf);
			nx_buf tail = NX_BUF_INIT;

			nx_buf_add(&tail, q.sql.buf + at, q.sql.len - at);
			nx_buf_truncate(&q.sql, at);
			nx_buf_adds(&q.sql, " JOIN (SELECT article_id, photographer AS v FROM photo WHERE photographer"
					    " IS NOT NULL UNION SELECT article_id, agency FROM photo WHERE agency IS NOT"
					    " NULL) c ON c.article_id = a.id");
			nx_buf_add(&q.sql, tail.buf, tail.len);
			nx_buf_free(&tail);
		}
		nx_buf_adds(&q.sql, " GROUP BY c.v ORDER BY 2 DESC, 1 LIMIT 20");
	} else {
		nx_buf_adds(&q.sql, "WITH RECURSIVE m(rest) AS (SELECT a.authors || char(10)");
		add_from(&q, p, expr);
		nx_buf_adds(&q.sql, " AND a.authors IS NOT NULL),"
				    " s(name, rest) AS (SELECT '', rest FROM m UNION ALL SELECT"
				    " substr(rest, 1, instr(rest, char(10)) - 1), substr(rest, instr(rest, char(10)) + 1)"
				    " FROM s WHERE rest <> '')"
				    " SELECT name, count(*) FROM s WHERE name <> '' GROUP BY name ORDER BY 2 DESC, 1 LIMIT 20");
	}
	if ((rc = sq_prepare(st, &q, &s, err)) < 0)
		goto done;
	while ((step = sqlite3_step(s)) == SQLITE_ROW) {
		nx_facet_value *v = realloc(out->values, (out->nvalues + 1) * sizeof(*v));

		if (v == NULL) {
			rc = nx_error_set(err, NX_ENOMEM, "out of memory");
			goto done;
		}
		out->values = v;
		v[out->nvalues].value = col_dup(s, 0);
		v[out->nvalues].count = sqlite3_column_int64(s, 1);
		if (v[out->nvalues].value == NULL)
			v[out->nvalues].value = strdup("");
		out->nvalues++;
	}
	if (step != SQLITE_DONE)
		rc = nx_store__dberr(st, err, "cannot count facets");
done:
	sqlite3_finalize(s);
	nx_buf_free(&q.sql);
	return rc;
}

/* Levenshtein distance, bounded: returns max+1 when over max. */
static int edit_distance(const char *a, size_t na, const char *b, size_t nb, int max)
{
	int row[66], prev = 0, tmp = 0;
	size_t i = 0, j = 0;

	if (na > 64 || nb > 64)
		return max + 1;
	if ((na > nb ? na - nb : nb - na) > (size_t)max)
		return max + 1;
	for (j = 0; j <= nb; j++)
		row[j] = (int)j;
	for (i = 1; i <= na; i++) {
		int best = max + 1;

		prev = row[0];
		row[0] = (int)i;
		for (j = 1; j <= nb; j++) {
			tmp = row[j];
			row[j] = a[i - 1] == b[j - 1] ? prev : 1 + (prev < row[j] ? (prev < row[j - 1] ? prev : row[j - 1]) :
								     (row[j] < row[j - 1] ? row[j] : row[j - 1]));
			prev = tmp;
			if (row[j] < best)
				best = row[j];
		}
		if (best > max)
			return max + 1;
	}
	return row[nb];
}

/* Document frequency of term in the index vocabulary (0 when absent). */
static int64_t vocab_df(sqlite3_stmt *df, const char *t, size_t n)
{
	int64_t v = 0;

	sqlite3_reset(df);
	sqlite3_bind_text(df, 1, t, (int)n, SQLITE_TRANSIENT);
	if (sqlite3_step(df) == SQLITE_ROW)
		v = sqlite3_column_int64(df, 0);
	return v;
}

/* SQL counting the rows of an FTS5 expression (?1) up to a limit (?2). */
#define MATCH_UPTO_SQL "SELECT count(*) FROM (SELECT 1 FROM fts WHERE fts MATCH ?1 LIMIT ?2)"

/* Rows matching expr counted with s (MATCH_UPTO_SQL), up to limit; -1 on an error. */
static int64_t match_upto(sqlite3_stmt *s, const char *expr, int64_t limit)
{
	int64_t v = -1;

	sqlite3_reset(s);
	sqlite3_bind_text(s, 1, expr, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 2, limit);
	if (sqlite3_step(s) == SQLITE_ROW)
		v = sqlite3_column_int64(s, 0);
	sqlite3_reset(s);
	return v;
}

/*
 * Documents holding the indexed term t, counted up to limit: a walk of
 * its list that stops there, where fts5vocab reads the whole list (7 ms
 * for "said" at 200k articles).  The phrase carries the marker of a
 * language without a stemmer ("zxx", no linguistic content), so the
 * tokenizer hands the term over as it is.  Returns the count (limit when
 * there are at least that many), or -1.
 */
static int64_t count_upto(sqlite3_stmt *s, const char *t, int64_t limit)
{
	nx_buf m = NX_BUF_INIT, q = NX_BUF_INIT;
	int64_t v = -1;

	nx_buf_addch(&m, NX_LANG_MARK);
	nx_buf_adds(&m, "zxx");
	nx_buf_addch(&m, NX_LANG_MARK);
	nx_buf_adds(&m, t);
	nx_fts5_quote(&q, m.buf, m.len);
	nx_buf_free(&m);
	if (nx_buf_ok(&q))
		v = match_upto(s, q.buf, limit);
	nx_buf_free(&q);
	return v;
}

/*
 * "Did you mean": for each query word the index does not know (neither it
 * nor a stem-like prefix of it), the closest known word by edit distance,
 * most frequent first.  Returns NULL when nothing would change.
 */
static char *suggest(nx_store *st, const nx_query *q, const char *query)
{
	sqlite3_stmt *df = NULL, *near = NULL;
	nx_buf out = NX_BUF_INIT;
	size_t i = 0, n = 0, k = 0;
	int changed = 0;
	char *result = NULL;
	const char *rest = query;

	if (sqlite3_exec(st->db, "CREATE VIRTUAL TABLE IF NOT EXISTS temp.nx_vocab USING fts5vocab(main, 'fts', 'row')",
			 NULL, NULL, NULL) != SQLITE_OK)
		return NULL;
	if (sqlite3_prepare_v2(st->db, "SELECT doc FROM temp.nx_vocab WHERE term = ?1", -1, &df, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(st->db, "SELECT term, doc FROM temp.nx_vocab WHERE term >= ?1 AND term < ?2", -1,
			       &near, NULL) != SQLITE_OK)
		goto done;
	for (i = 0; i < q->nterms; i++) {
		const char *t = q->terms[i];
		char lo[8], hi[8], best[72];
		int64_t bestdf = 0;
		int bestd = 3, known = 0;

		n = strlen(t);
		if (n < 4 || n > 64 || !nx_isalpha((unsigned char)t[0]))
			continue;
		for (k = n; k + 3 >= n && k >= 3 && !known; k--)
			known = vocab_df(df, t, k) > 0;
		if (known)
			continue;
		/* candidates share the first letter */
		snprintf(lo, sizeof(lo), "%c", t[0]);
		snprintf(hi, sizeof(hi), "%c", t[0] + 1);
		sqlite3_reset(near);
		sqlite3_bind_text(near, 1, lo, -1, SQLITE_TRANSIENT);
		sqlite3_bind_text(near, 2, hi, -1, SQLITE_TRANSIENT);
		best[0] = '\0';
		while (sqlite3_step(near) == SQLITE_ROW) {
			const char *c = (const char *)sqlite3_column_text(near, 0);
			size_t cn = (size_t)sqlite3_column_bytes(near, 0);
			int64_t cdf = sqlite3_column_int64(near, 1);
			int d = 0, maxd = n <= 5 ? 1 : 2;

			if (c == NULL || cn > 64)
				continue;
			d = edit_distance(t, n, c, cn, maxd);
			if (d <= maxd && (d < bestd || (d == bestd && cdf > bestdf))) {
				bestd = d;
				bestdf = cdf;
				memcpy(best, c, cn);
				best[cn] = '\0';
			}
		}
		if (best[0] == '\0')
			continue;
		/* replace the word in the query text, case-insensitively */
		{
			const char *at = nx_memcasemem(rest, strlen(rest), t);

			if (at == NULL)
				continue;
			nx_buf_add(&out, rest, (size_t)(at - rest));
			nx_buf_adds(&out, best);
			rest = at + n;
			changed = 1;
		}
	}
	if (changed) {
		nx_buf_adds(&out, rest);
		if (nx_buf_ok(&out))
			result = nx_buf_detach(&out);
	}
done:
	nx_buf_free(&out);
	sqlite3_finalize(df);
	sqlite3_finalize(near);
	return result;
}

static int newest_published(nx_store *st, int64_t *out)
{
	sqlite3_stmt *s = NULL;

	*out = 0;
	if (sqlite3_prepare_v2(st->db, "SELECT max(published) FROM article", -1, &s, NULL) != SQLITE_OK)
		return -1;
	if (sqlite3_step(s) == SQLITE_ROW)
		*out = sqlite3_column_int64(s, 0);
	sqlite3_finalize(s);
	return 0;
}

static int expand_query(nx_store *st, plan *p, const nx_search_opts *o, const nx_query *q,
			const char *relaxed_expr, char **out_expr, double **out_w, int *out_nw, nx_error *err);

/* Feedback and word pairs are for sentence-like queries of this many words or more. */
#define NX_PRF_MIN_UNITS 3

/* Rows of the full-text index matching expr, counted up to limit; -1 on an error. */
static int64_t strict_upto(nx_store *st, const char *expr, int64_t limit)
{
	sqlite3_stmt *s = NULL;
	int64_t n = -1;

	if (sqlite3_prepare_v2(st->db, MATCH_UPTO_SQL, -1, &s, NULL) == SQLITE_OK)
		n = match_upto(s, expr, limit);
	sqlite3_finalize(s);
	return n;
}

/* Rows of the relaxed query, into *total. */
static int relaxed_count(nx_store *st, plan *p, const nx_search_opts *o, const char *relaxed_expr, int64_t *total,
			 nx_error *err)
{
	nx_topk_hit *none = NULL;
	size_t nnone = 0;
	int fast = 0;

	*total = 0;
	/* the relaxed count reads the lists the relaxed ranking uses next */
	if ((fast = topk_fits(o) ? relaxed_rank(st, p, relaxed_expr, 0, &none, &nnone, total) : 0) < 0)
		return nx_store__dberr(st, err, "cannot search the index (fast path)");
	free(none);
	return fast == 0 ? count_matches(st, p, relaxed_expr, o->all_revisions, total, err) : NX_OK;
}

/* The search proper, shared by nx_search and nx_search_similar. */
static int run(nx_results *r, nx_store *st, const nx_query *q, const char *strict, const char *relaxed_expr,
	       plan *p, const nx_search_opts *o, nx_error *err)
{
	const char *expr = strict;
	char *expanded = NULL;
	double *weights = NULL;
	int nweights = 0;
	cand *c = NULL;
	sqlite3_stmt *hitstmt[3] = { NULL, NULL, NULL };
	size_t nc = 0, i = 0, shown = 0, j = 0;
	int64_t want = 0, limit = o->limit < 0 ? 0 : o->limit, offset = o->offset < 0 ? 0 : o->offset;
	int64_t rtotal = -1; /* rows of the relaxed query, once counted */
	int rc = NX_OK, relaxed = 0, fast = 0;
	static const struct {
		unsigned bit;
		const char *name;
	} facets[] = { { NX_FACET_SOURCE, "source" }, { NX_FACET_MONTH, "month" },
		       { NX_FACET_CREDIT, "credit" }, { NX_FACET_AUTHOR, "author" } };

	if (register_functions(st) != SQLITE_OK)
		return nx_store__dberr(st, err, "cannot set up searching");
	if (o->recent)
		newest_published(st, &p->newest);
	want = offset + limit;
	if (o->collapse)
		want = want * 3 + 10;
	/*
	 * A question no article answers in full ("mobile phone makers expect
	 * strong sales of new handsets in europe"): ranking the rows that hold
	 * every word needs each word's list counted, for nothing when there
	 * are fewer of them than wanted and the relaxed query finds more.  So
	 * for a query of several words those rows are counted first, up to
	 * the number wanted (filters aside: an upper bound), and the relaxed
	 * query is tried first.
	 */
	if (o->relax && relaxed_expr != NULL && topk_fits(o) && offset + limit > 0 && q != NULL &&
	    q->nunits >= NX_PRF_MIN_UNITS && nx_topk__plain(expr) >= 2) {
		int64_t n = strict_upto(st, expr, offset + limit);

		if (n >= 0 && n < offset + limit) {
			if ((rc = relaxed_count(st, p, o, relaxed_expr, &rtotal, err)) < 0)
				return rc;
			relaxed = rtotal > n;
		}
	}
	if (!relaxed) {
		/* a strict query the fast path ranks is counted by the same walk */
		if ((fast = strict_walk(st, p, o, expr, limit > 0 ? want : 0, &r->total)) < 0)
			return nx_store__dberr(st, err, "cannot search the index (fast path)");
		if (fast == 0 && (rc = count_matches(st, p, expr, o->all_revisions, &r->total, err)) < 0)
			return rc;
		if (o->relax && relaxed_expr != NULL && r->total < offset + limit) {
			if (rtotal < 0 && (rc = relaxed_count(st, p, o, relaxed_expr, &rtotal, err)) < 0)
				return rc;
			relaxed = rtotal > r->total;
		}
	}
	if (relaxed) {
		expr = relaxed_expr;
		r->relaxed = 1;
		r->total = rtotal;
	}
	if (relaxed && q != NULL && q->relaxed_pos != NULL && q->nunits >= NX_PRF_MIN_UNITS &&
	    o->sort == NX_SORT_RELEVANCE && !o->all_revisions) {
		/* pseudo-relevance feedback: rank with the query's words plus the
		   words that distinguish its best partial matches */
		if ((rc = expand_query(st, p, o, q, expr, &expanded, &weights, &nweights, err)) < 0)
			return rc;
		if (expanded != NULL) {
			expr = expanded;
			p->weights = weights;
			p->nweights = nweights;
		}
	}
	if (expr != NULL && (r->fts = strdup(expr)) == NULL) {
		rc = nx_error_set(err, NX_ENOMEM, "out of memory");
		goto done;
	}
	if (r->total > 0 && limit > 0) {
		if ((rc = fetch_candidates(st, p, o, expr, relaxed, want, &c, &nc, err)) < 0)
			return rc;
		if (o->collapse)
			collapse(c, nc);
		r->hits = calloc((size_t)limit, sizeof(*r->hits));
		if (r->hits == NULL) {
			rc = nx_error_set(err, NX_ENOMEM, "out of memory");
			goto done;
		}
		for (i = 0; i < nc && r->nhits < (size_t)limit; i++) {
			if (c[i].folded)
				continue;
			if (shown++ < (size_t)offset)
				continue;
			if ((rc = fill_hit(st, &r->hits[r->nhits], &c[i], expanded != NULL ? relaxed_expr : expr, o, hitstmt,
					   err)) < 0) {
				r->nhits++;
				goto done;
			}
			r->nhits++;
			/* copies folded into this hit */
			for (j = i + 1; j < nc; j++) {
				if (c[j].folded && (size_t)c[j].into == i) {
					sqlite3_stmt *s = NULL;

					if (sqlite3_prepare_v2(st->db, "SELECT nx_uid(uid), source FROM article WHERE id = ?1", -1, &s,
							       NULL) == SQLITE_OK) {
						sqlite3_bind_int64(s, 1, c[j].id);
						if (sqlite3_step(s) == SQLITE_ROW)
							rc = add_also(&r->hits[r->nhits - 1],
								      (const char *)sqlite3_column_text(s, 1),
								      (const char *)sqlite3_column_text(s, 0));
					}
					sqlite3_finalize(s);
					if (rc < 0) {
						rc = nx_error_set(err, NX_ENOMEM, "out of memory");
						goto done;
					}
				}
			}
		}
	}
	if (o->facets != 0) {
		r->facets = calloc(4, sizeof(*r->facets));
		if (r->facets == NULL) {
			rc = nx_error_set(err, NX_ENOMEM, "out of memory");
			goto done;
		}
		for (i = 0; i < 4; i++) {
			if (!(o->facets & facets[i].bit))
				continue;
			if ((rc = facet(st, p, expr, facets[i].name, &r->facets[r->nfacets++], err)) < 0)
				goto done;
		}
	}
	if (q != NULL && r->total < 3)
		r->suggestion = suggest(st, q, r->query);
done:
	p->weights = NULL;
	p->nweights = 0;
	free(expanded);
	free(weights);
	for (i = 0; i < 3; i++)
		sqlite3_finalize(hitstmt[i]);
	cands_free(c, nc);
	return rc;
}

/* "credits : "x"" as an FTS5 clause for --credit, safely quoted. */
static char *credit_clause(const char *credit)
{
	nx_buf b = NX_BUF_INIT;
	const char *s = credit;
	int any = 0;

	for (s = credit; *s != '\0'; s++)
		if (nx_isalnum((unsigned char)*s) || (unsigned char)*s >= 0x80)
			any = 1;
	if (!any)
		return NULL;
	nx_buf_adds(&b, "credits : \"");
	for (s = credit; *s != '\0'; s++) {
		if (*s == '"')
			nx_buf_addch(&b, '"');
		if ((unsigned char)*s < 0x20)
			nx_buf_addch(&b, ' ');
		else
			nx_buf_addch(&b, *s);
	}
	nx_buf_addch(&b, '"');
	return nx_buf_detach(&b);
}

/* "(a) AND (b)" where either may be NULL. */
static char *and_expr(const char *a, const char *b)
{
	nx_buf x = NX_BUF_INIT;

	if (a == NULL && b == NULL)
		return NULL;
	if (a == NULL)
		return strdup(b);
	if (b == NULL)
		return strdup(a);
	nx_buf_addf(&x, "(%s) AND (%s)", a, b);
	return nx_buf_detach(&x);
}

int nx_search(nx_results **out, nx_store *st, const char *query, const nx_search_opts *opts, nx_error *err)
{
	nx_search_opts defaults = NX_SEARCH_OPTS_INIT;
	nx_results *r = NULL;
	nx_query *q = NULL;
	char *credit = NULL, *strict = NULL, *relaxed = NULL;
	plan p;
	int rc = NX_OK;

	*out = NULL;
	nx_store__refresh(st); /* a writer may have upgraded the index since it was opened */
	memset(&p, 0, sizeof(p));
	if (opts == NULL)
		opts = &defaults;
	r = calloc(1, sizeof(*r));
	if (r == NULL || (r->query = strdup(query)) == NULL)
		goto oom;
	if ((rc = nx_query_compile(&q, query, err)) < 0)
		goto done;
	p.f[0] = &q->filter;
	p.f[1] = &opts->filter;
	if (opts->credit != NULL)
		credit = credit_clause(opts->credit);
	strict = and_expr(q->fts, credit);
	if (q->relaxed != NULL)
		relaxed = and_expr(q->relaxed, credit);
	if ((q->fts != NULL || credit != NULL) && strict == NULL)
		goto oom;
	if (strict == NULL && !nx_filter_active(p.f[0]) && !nx_filter_active(p.f[1]))
		goto finish; /* nothing searchable: zero hits */
	if ((rc = run(r, st, q, strict, relaxed, &p, opts, err)) < 0)
		goto done;
finish:
	*out = r;
	r = NULL;
	goto done;
oom:
	rc = nx_error_set(err, NX_ENOMEM, "out of memory");
done:
	plan_free(&p);
	free(credit);
	free(strict);
	free(relaxed);
	nx_query_free(q);
	nx_results_free(r);
	return rc;
}

/* Similar articles. */

typedef struct term_count {
	char *term;
	int tf;
	double w;
} term_count;

typedef struct tc_ctx {
	term_count *t;
	size_t n, cap;
	int oom;
} tc_ctx;

static int collect_token(void *ctx, int tflags, const char *tok, int n, int s, int e)
{
	tc_ctx *c = ctx;
	size_t i = 0;

	(void)s;
	(void)e;
	if ((tflags & FTS5_TOKEN_COLOCATED) || n < 3 || n > 40 || nx_isdigit((unsigned char)tok[0]))
		return SQLITE_OK;
	if (nx_is_stopword(tok, (size_t)n, NULL))
		return SQLITE_OK;
	for (i = 0; i < c->n; i++) {
		if (strlen(c->t[i].term) == (size_t)n && memcmp(c->t[i].term, tok, (size_t)n) == 0) {
			c->t[i].tf++;
			return SQLITE_OK;
		}
	}
	if (c->n == c->cap) {
		term_count *p = realloc(c->t, (c->cap = c->cap ? c->cap * 2 : 128) * sizeof(*p));

		if (p == NULL) {
			c->oom = 1;
			return SQLITE_NOMEM;
		}
		c->t = p;
	}
	c->t[c->n].term = nx_strndup(tok, (size_t)n);
	if (c->t[c->n].term == NULL) {
		c->oom = 1;
		return SQLITE_NOMEM;
	}
	c->t[c->n].tf = 1;
	c->t[c->n].w = 0;
	c->n++;
	return SQLITE_OK;
}

static int cmp_weight(const void *a, const void *b)
{
	const term_count *x = a, *y = b;

	return x->w < y->w ? 1 : x->w > y->w ? -1 : strcmp(x->term, y->term);
}

int nx_search_similar(nx_results **out, nx_store *st, const char *ref, const nx_search_opts *opts, nx_error *err)
{
	nx_search_opts defaults = NX_SEARCH_OPTS_INIT;
	nx_results *r = NULL;
	nx_article *a = NULL;
	fts5_api *api = NULL;
	fts5_tokenizer tk;
	Fts5Tokenizer *tok = NULL;
	void *ud = NULL;
	sqlite3_stmt *s = NULL, *df = NULL;
	nx_buf text = NX_BUF_INIT, expr = NX_BUF_INIT;
	tc_ctx tc;
	char *body = NULL, hash[65];
	int64_t id = 0, ndocs = 1;
	size_t i = 0, used = 0;
	plan p;
	int rc = NX_OK;

	*out = NULL;
	nx_store__refresh(st); /* a writer may have upgraded the index since it was opened */
	memset(&tc, 0, sizeof(tc));
	memset(&p, 0, sizeof(p));
	if (opts == NULL)
		opts = &defaults;
	if ((rc = nx_store__resolve(st, ref, &id, err)) < 0)
		return rc;
	if ((rc = nx_store__load(&a, st, id, err)) < 0)
		return rc;
	body = nx_article_body(a);
	if (body == NULL)
		goto oom;
	nx_sha256_hex(body, strlen(body), hash);
	/* the article's words as the index sees them: the nx tokenizer */
	nx_lang_mark(&text, a->lang, a->title != NULL ? a->title : "", a->title != NULL ? strlen(a->title) : 0);
	nx_buf_addch(&text, '\n');
	nx_buf_adds(&text, body);
	if (!nx_buf_ok(&text))
		goto oom;
	api = nx_fts5_api(st->db);
	if (api == NULL || api->xFindTokenizer(api, "nx", &ud, &tk) != SQLITE_OK ||
	    tk.xCreate(ud, NULL, 0, &tok) != SQLITE_OK) {
		rc = nx_store__dberr(st, err, "cannot read the article's words");
		goto done;
	}
	tk.xTokenize(tok, &tc, FTS5_TOKENIZE_DOCUMENT, text.buf, (int)text.len, collect_token);
	tk.xDelete(tok);
	if (tc.oom)
		goto oom;
	/* weight by tf-idf from the index vocabulary */
	if (sqlite3_exec(st->db, "CREATE VIRTUAL TABLE IF NOT EXISTS temp.nx_vocab USING fts5vocab(main, 'fts', 'row')",
			 NULL, NULL, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(st->db, "SELECT doc FROM temp.nx_vocab WHERE term = ?1", -1, &df, NULL) != SQLITE_OK) {
		rc = nx_store__dberr(st, err, "cannot read the index vocabulary");
		goto done;
	}
	if (sqlite3_prepare_v2(st->db, "SELECT count(*) FROM article", -1, &s, NULL) == SQLITE_OK &&
	    sqlite3_step(s) == SQLITE_ROW)
		ndocs = sqlite3_column_int64(s, 0);
	sqlite3_finalize(s);
	s = NULL;
	for (i = 0; i < tc.n; i++) {
		int64_t d = vocab_df(df, tc.t[i].term, strlen(tc.t[i].term));

		/* words in one article only (this one) say nothing about others */
		tc.t[i].w = d <= 1 ? 0 : (1.0 + log((double)tc.t[i].tf)) * log((double)(ndocs + 1) / (double)d);
	}
	qsort(tc.t, tc.n, sizeof(*tc.t), cmp_weight);
	for (i = 0; i < tc.n && used < 20; i++) {
		const char *t = tc.t[i].term;

		if (tc.t[i].w <= 0)
			break;
		if (used > 0)
			nx_buf_adds(&expr, " OR ");
		nx_fts5_quote(&expr, t, strlen(t));
		used++;
	}
	if (!nx_buf_ok(&expr))
		goto oom;
	r = calloc(1, sizeof(*r));
	if (r == NULL || (r->query = strdup(ref)) == NULL)
		goto oom;
	if (used > 0) {
		nx_search_opts o = *opts;

		o.relax = 0;
		o.all_revisions = 0;
		p.f[1] = &opts->filter;
		p.exclude_id = id;
		p.exclude_hash = hash;
		if ((rc = run(r, st, NULL, expr.buf, NULL, &p, &o, err)) < 0)
			goto done;
	}
	*out = r;
	r = NULL;
	goto done;
oom:
	rc = nx_error_set(err, NX_ENOMEM, "out of memory");
done:
	for (i = 0; i < tc.n; i++)
		free(tc.t[i].term);
	free(tc.t);
	sqlite3_finalize(df);
	nx_buf_free(&text);
	nx_buf_free(&expr);
	free(body);
	nx_article_free(a);
	nx_results_free(r);
	plan_free(&p);
	return rc;
}

/*
 * Ranking of relaxed (verbose) queries, tuned on the TIME collection
 * (scripts/eval-ranking): the query's words (weight 1), its adjacent word
 * pairs as phrases ("viet nam", NX_BIGRAM_WEIGHT), and pseudo-relevance
 * feedback: the NX_PRF_TERMS words that weigh most in the best NX_PRF_DOCS
 * partial matches (tf/length times idf, found in at least two of them,
 * neither stop words nor query words), with weights up to NX_PRF_WEIGHT,
 * all ranked with nx_rank.  Strict queries (every word found) are not
 * touched: this only orders what a long sentence-like query finds.
 */
#define NX_PRF_DOCS 5
#define NX_PRF_TERMS 4
#define NX_PRF_WEIGHT 0.5
#define NX_BIGRAM_WEIGHT 0.999 /* just under 1: weight 1 marks the query words */

typedef struct prf_term {
	char *term;
	double score;
	double ub;    /* at least the score (tf times the idf of one document); < 0: not a candidate */
	double tf;    /* tf in the best documents; score = tf times idf */
	int ndocs;
	int last_doc;
	int exact;    /* score counted */
	int refined;  /* ub lowered by a partial count */
	int done;     /* counted, or out */
} prf_term;

static int tokenize_text(fts5_tokenizer *tk, Fts5Tokenizer *tok, const char *lang, const char *text,
			 tc_ctx *tc)
{
	nx_buf b = NX_BUF_INIT;

	nx_lang_mark(&b, lang, text, strlen(text));
	if (!nx_buf_ok(&b))
		return NX_ENOMEM;
	tk->xTokenize(tok, tc, FTS5_TOKENIZE_DOCUMENT, b.buf, (int)b.len, collect_token);
	nx_buf_free(&b);
	return tc->oom ? NX_ENOMEM : NX_OK;
}

static int cmp_prf(const void *a, const void *b)
{
	const prf_term *x = a, *y = b;

	return x->score < y->score ? 1 : x->score > y->score ? -1 : strcmp(x->term, y->term);
}

static int cmp_prf_ub(const void *a, const void *b)
{
	const prf_term *x = a, *y = b;

	return x->ub < y->ub ? 1 : x->ub > y->ub ? -1 : strcmp(x->term, y->term);
}

/* Number of FTS5 phrases (quoted strings) in an expression we built. */
static int count_phrases(const char *e)
{
	int n = 0;

	while (*e != '\0') {
		if (*e == '"') {
			e++;
			for (;;) {
				if (*e == '\0')
					return n + 1;
				if (*e == '"' && e[1] == '"') {
					e += 2;
					continue;
				}
				if (*e == '"')
					break;
				e++;
			}
			n++;
		}
		e++;
	}
	return n;
}

static int expand_query(nx_store *st, plan *p, const nx_search_opts *o, const nx_query *q,
			const char *relaxed_expr, char **out_expr, double **out_w, int *out_nw, nx_error *err)
{
	fts5_api *api = NULL;
	fts5_tokenizer tk;
	Fts5Tokenizer *tok = NULL;
	void *ud = NULL;
	sqlite3_stmt *s = NULL, *doc = NULL, *df = NULL, *upto = NULL;
	cand *c = NULL;
	size_t nc = 0, i = 0, k = 0, npt = 0, cappt = 0;
	prf_term *pt = NULL;
	tc_ctx qtc;
	nx_buf e = NX_BUF_INIT, first = NX_BUF_INIT;
	double *w = NULL, maxs = 0, best[NX_PRF_TERMS];
	size_t nbest = 0;
	int64_t ndocs = 1;
	int rc = NX_OK, nphr = 0, nw = 0, cap = 0, added = 0;
	int drop = nx_store__stoplist(st);
	const char *a = NULL;
	nx_search_opts o1 = *o;

	(void)relaxed_expr;
	*out_expr = NULL;
	*out_w = NULL;
	*out_nw = 0;
	memset(&qtc, 0, sizeof(qtc));
	o1.recent = 0;
	/* the query's words (weight 1), then its adjacent pairs as phrases */
	nphr = count_phrases(q->relaxed_pos);
	cap = nphr + (int)q->nterms + NX_PRF_TERMS + 1;
	w = calloc((size_t)cap, sizeof(*w));
	if (w == NULL)
		goto oom;
	for (nw = 0; nw < nphr; nw++)
		w[nw] = 1.0;
	nx_buf_add(&e, q->relaxed_pos, strlen(q->relaxed_pos) - 1);
	/*
	 * Pairs skip the words the index leaves out: "sales of new handsets"
	 * gives "sales new" and "new handsets", adjacent in the index as in
	 * the query; "sales of" would only be "sales" again.
	 */
	for (k = 0; k < q->nterms && nw < cap - NX_PRF_TERMS - 1 && nw < 96; k++) {
		const char *b = q->terms[k];

		if (nx_tokenizer_dropped(b, strlen(b), drop))
			continue;
		if (a != NULL && !(nx_is_stopword(a, strlen(a), NULL) && nx_is_stopword(b, strlen(b), NULL))) {
			nx_buf_addf(&e, " OR \"%s %s\"", a, b);
			w[nw++] = NX_BIGRAM_WEIGHT;
		}
		a = b;
	}
	nx_buf_addf(&first, "%s%s", q->relaxed_pos, q->negs != NULL ? q->negs : "");
	if (!nx_buf_ok(&e) || !nx_buf_ok(&first))
		goto oom;
	/* first pass: the best partial matches by the words and pairs */
	p->weights = w;
	p->nweights = nphr;
	rc = fetch_candidates(st, p, &o1, first.buf, 1, NX_PRF_DOCS, &c, &nc, err);
	p->weights = NULL;
	p->nweights = 0;
	if (rc < 0)
		goto done;
	if (nc >= 2)
		api = nx_fts5_api(st->db);
	if (api == NULL || api->xFindTokenizer(api, "nx", &ud, &tk) != SQLITE_OK ||
	    tk.xCreate(ud, NULL, 0, &tok) != SQLITE_OK)
		goto finish; /* no feedback terms: words and pairs only */
	if (sqlite3_exec(st->db, "CREATE VIRTUAL TABLE IF NOT EXISTS temp.nx_vocab USING fts5vocab(main, 'fts', 'row')",
			 NULL, NULL, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(st->db, "SELECT doc FROM temp.nx_vocab WHERE term = ?1", -1, &df, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(st->db, "SELECT lang, title, nx_inflate(body_z) FROM article WHERE id = ?1", -1, &doc,
			       NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(st->db, "SELECT count(*) FROM article", -1, &s, NULL) != SQLITE_OK)
		goto finish;
	if (sqlite3_prepare_v2(st->db, MATCH_UPTO_SQL, -1, &upto, NULL) != SQLITE_OK)
		upto = NULL; /* every term counted whole */
	if (sqlite3_step(s) == SQLITE_ROW)
		ndocs = sqlite3_column_int64(s, 0);
	/* the query's own words, stemmed as the documents are */
	for (i = 0; i < q->nterms && rc == NX_OK; i++)
		rc = tokenize_text(&tk, tok, "en", q->terms[i], &qtc);
	for (i = 0; i < nc && rc == NX_OK; i++) {
		tc_ctx tc;
		int len = 0;

		memset(&tc, 0, sizeof(tc));
		sqlite3_reset(doc);
		sqlite3_bind_int64(doc, 1, c[i].id);
		if (sqlite3_step(doc) == SQLITE_ROW) {
			const char *lang = (const char *)sqlite3_column_text(doc, 0);
			const char *title = (const char *)sqlite3_column_text(doc, 1);
			const char *body = (const char *)sqlite3_column_text(doc, 2);

			if (title != NULL)
				rc = tokenize_text(&tk, tok, lang, title, &tc);
			if (rc == NX_OK && body != NULL)
				rc = tokenize_text(&tk, tok, lang, body, &tc);
		}
		for (k = 0; k < tc.n; k++)
			len += tc.t[k].tf;
		for (k = 0; k < tc.n && rc == NX_OK && len > 0; k++) {
			size_t j = 0;

			for (j = 0; j < npt; j++)
				if (strcmp(pt[j].term, tc.t[k].term) == 0)
					break;
			if (j == npt) {
				if (npt == cappt) {
					prf_term *np = realloc(pt, (cappt = cappt ? cappt * 2 : 256) * sizeof(*pt));

					if (np == NULL) {
						rc = NX_ENOMEM;
						break;
					}
					pt = np;
				}
				pt[npt].term = tc.t[k].term;
				tc.t[k].term = NULL;
				pt[npt].score = 0;
				pt[npt].exact = 0;
				pt[npt].refined = 0;
				pt[npt].done = 0;
				pt[npt].ndocs = 0;
				pt[npt].last_doc = -1;
				npt++;
			}
			pt[j].score += (double)tc.t[k].tf / len;
			if (pt[j].last_doc != (int)i) {
				pt[j].ndocs++;
				pt[j].last_doc = (int)i;
			}
		}
		for (k = 0; k < tc.n; k++)
			free(tc.t[k].term);
		free(tc.t);
	}
	if (rc < 0)
		goto oom;
	/*
	 * score = tf times idf, the idf from the term's document count: a walk
	 * of its list in the index, milliseconds for a common word.  Only the
	 * NX_PRF_TERMS best scores are used, so the terms are taken in the
	 * order of an upper bound of their score (at first the idf of one
	 * document, lowered by partial counts) until the next bound is below
	 * the NX_PRF_TERMS-th best score: the terms left could not be among
	 * the best, they score 0.  (NX_TOPK=0: every term counted, for the
	 * tests.)
	 */
	for (i = 0; i < npt; i++) {
		int isq = 0;

		for (k = 0; k < qtc.n && !isq; k++)
			isq = strcmp(qtc.t[k].term, pt[i].term) == 0;
		pt[i].ub = -1;
		pt[i].tf = pt[i].score;
		if (isq || pt[i].ndocs < 2)
			pt[i].score = 0;
		else
			pt[i].ub = pt[i].tf * log((double)(ndocs + 1) / 1.0);
	}
	for (;;) {
		prf_term *t = NULL;
		int64_t d = -1, lim = 0;
		double idf = 0;

		/* the term of highest bound not yet scored */
		for (i = 0; i < npt; i++)
			if (pt[i].ub >= 0 && !pt[i].done && (t == NULL || cmp_prf_ub(&pt[i], t) < 0))
				t = &pt[i];
		if (t == NULL || (nbest == NX_PRF_TERMS && t->ub < best[NX_PRF_TERMS - 1] && !topk_off()))
			break; /* the terms left could not be among the best */
		if (upto != NULL && !topk_off() && t->tf > 0) {
			/*
			 * Once there are NX_PRF_TERMS scores, a term beats the last
			 * only with fewer than lim documents: count up to lim (one
			 * more, for rounding), and a term that reaches it scores 0.
			 * Before that, count up to an eighth of the rows, then to
			 * where its idf would be half its bound: a common word
			 * ("said") then gets a lower bound after a part of its
			 * list, and is counted further only while that bound is
			 * still among the best.
			 */
			idf = nbest == NX_PRF_TERMS ? best[NX_PRF_TERMS - 1] / t->tf
			      : t->refined	    ? t->ub / t->tf / 2
						    : log(8.0);
			if ((double)(ndocs + 1) / exp(idf) + 2 < (double)ndocs) {
				lim = (int64_t)((double)(ndocs + 1) / exp(idf) + 2);
				d = count_upto(upto, t->term, lim);
				if (d >= lim && nbest == NX_PRF_TERMS) {
					t->done = 1;
					continue;
				}
				if (d >= lim) {
					t->ub = t->tf * log((double)(ndocs + 1) / (double)lim);
					t->refined = 1;
					continue;
				}
			}
		}
		if (d < 0)
			d = vocab_df(df, t->term, strlen(t->term));
		t->score = d > 0 ? t->tf * log((double)(ndocs + 1) / (double)d) : 0;
		t->exact = 1;
		t->done = 1;
		/* the best scores so far, in descending order */
		for (k = nbest < NX_PRF_TERMS ? nbest++ : NX_PRF_TERMS; k > 0 && best[k - 1] < t->score; k--) {
			if (k < NX_PRF_TERMS)
				best[k] = best[k - 1];
		}
		if (k < NX_PRF_TERMS)
			best[k] = t->score;
	}
	/* a term not scored exactly could not be among the best */
	for (i = 0; i < npt; i++)
		if (!pt[i].exact)
			pt[i].score = 0;
	qsort(pt, npt, sizeof(*pt), cmp_prf);
	maxs = npt > 0 ? pt[0].score : 0;
	for (i = 0; i < npt && added < NX_PRF_TERMS && pt[i].score > 0 && nw < cap; i++) {
		const char *t = pt[i].term;

		nx_buf_adds(&e, " OR ");
		nx_fts5_quote(&e, t, strlen(t));
		w[nw] = NX_PRF_WEIGHT * pt[i].score / maxs;
		if (w[nw] == 1.0)
			w[nw] = 0.999; /* weight 1 marks the query's own words */
		nw++;
		added++;
	}
finish:
	/*
	 * "(query words) AND (query words OR pairs OR feedback words)": the
	 * hits are still the articles holding a query word (the first group,
	 * weight 0, only selects); the second group ranks.
	 */
	{
		nx_buf full = NX_BUF_INIT;
		double *w2 = calloc((size_t)(nphr + nw), sizeof(*w2));

		nx_buf_addf(&full, "%s AND %s)%s", q->relaxed_pos, e.buf, q->negs != NULL ? q->negs : "");
		if (w2 == NULL || !nx_buf_ok(&full)) {
			free(w2);
			nx_buf_free(&full);
			goto oom;
		}
		memcpy(w2 + nphr, w, (size_t)nw * sizeof(*w));
		*out_expr = nx_buf_detach(&full);
		*out_w = w2;
		*out_nw = nphr + nw;
	}
	goto done;
oom:
	rc = nx_error_set(err, NX_ENOMEM, "out of memory");
done:
	if (tok != NULL)
		tk.xDelete(tok);
	for (i = 0; i < npt; i++)
		free(pt[i].term);
	free(pt);
	for (k = 0; k < qtc.n; k++)
		free(qtc.t[k].term);
	free(qtc.t);
	free(w);
	nx_buf_free(&e);
	nx_buf_free(&first);
	sqlite3_finalize(s);
	sqlite3_finalize(doc);
	sqlite3_finalize(df);
	sqlite3_finalize(upto);
	cands_free(c, nc);
	return rc;
}

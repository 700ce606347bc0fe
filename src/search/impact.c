/*
 * impact.c - impact lists, made and read (the tables: index/impact.c).
 *
 * A search for one word in most articles ("said", "government") walks
 * the word's whole list in FTS5 to rank it: at a million articles that
 * is most of a million rows for ten hits.  The best rows of such a word
 * do not change until the index does, so optimize, and the end of a load
 * that wrote half the index or more (a new archive's first add), ranks
 * each word in NX_IMPACT_MIN_DF articles or more once, by
 * the same walk a search does, and keeps its best NX_IMPACT_ROWS rows
 * with their scores and its count of rows.  A search for that word alone,
 * with no filter, then reads them: the same rows, scores, order and total,
 * as long as the index holds the same articles (index/impact.c tells), or
 * those and articles added since (impact_fresh.c rescores the list and
 * walks the added rows).  Otherwise (another word, a filter, a page
 * deeper than the list, an article removed or replaced since, an older
 * index) the search walks as before.  A smaller
 * load leaves the lists off until the next optimize: making them walks
 * every frequent word (5 CPU seconds at a million articles), more than a
 * sync of a few thousand articles costs.  The walks run on two threads,
 * the second on a read connection of its own (the build reads only the
 * full text, which it does not change), and are written in one order
 * (see impact_job).  One walk of a word's rows gives both its list and its
 * set of rows (the rows' lengths read once, from fts_docsize): the list
 * ranked as the walk of the word alone ranks it (nx_topk__feed_*).
 */
#include "search/search_private.h"
#include "search/topk_private.h"

#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "index/bulk.h"
#include "index/impact.h"
#include "index/tokenizer.h"
#include "util/text.h"

char *nx_search__list_key(nx_store *st, const char *expr)
{
	char *low = expr != NULL ? nx_strndup(expr, strlen(expr)) : NULL;
	size_t i = 0, len = 0, at = 1, w = 0;
	int plain = 1;

	/* the lists are under the words in lower case: the tokenizer folds case, "Last Year" finds the same rows */
	for (i = 0; low != NULL && low[i] != '\0'; i++)
		low[i] = (char)nx_tolower((unsigned char)low[i]);
	if (low == NULL || (len = strlen(low)) < 3 || low[0] != '"' || low[len - 1] != '"')
		return low;
	/* one phrase of plain words (letters and digits, one space between) */
	for (i = 1; i + 1 < len && plain; i++)
		plain = (low[i] >= 'a' && low[i] <= 'z') || (low[i] >= '0' && low[i] <= '9') ||
			(low[i] == ' ' && low[i - 1] != '"' && low[i - 1] != ' ' && low[i + 1] != '"');
	if (!plain || strchr(low, ' ') == NULL)
		return low;
	/* its words the index drops left out: FTS5 reads the same phrase ("told the bbc" is "told bbc") */
	for (i = 1; i + 1 < len; i = w + 1) {
		for (w = i; w + 1 < len && low[w] != ' '; w++)
			;
		if (nx_tokenizer_dropped(low + i, w - i, nx_store__stoplist(st)))
			continue;
		if (at > 1)
			low[at++] = ' ';
		memmove(low + at, low + i, w - i);
		at += w - i;
	}
	if (at == 1) { /* only such words: the phrase as it is, in lower case */
		for (i = 0; expr[i] != '\0'; i++)
			low[i] = (char)nx_tolower((unsigned char)expr[i]);
		return low;
	}
	low[at++] = '"';
	low[at] = '\0';
	return low;
}

int nx_search__impact_hits(nx_store *st, const char *expr, const double *cw, int ncw, size_t k, nx_topk_hit **out,
			   size_t *nout, int64_t *total)
{
	int64_t *rowid = malloc((k ? k : 1) * sizeof(*rowid));
	double *score = malloc((k ? k : 1) * sizeof(*score));
	nx_topk_hit *h = malloc((k ? k : 1) * sizeof(*h));
	char *low = nx_search__list_key(st, expr);
	size_t n = 0, i = 0;
	int rc = 0;

	*out = NULL;
	*nout = 0;
	expr = low;
	if (rowid == NULL || score == NULL || h == NULL || low == NULL)
		rc = -1;
	else if ((rc = nx_impact__get(st->db, expr, k, rowid, score, &n, total)) == 1) {
		for (i = 0; i < n; i++) {
			h[i].rowid = rowid[i];
			h[i].score = score[i];
		}
		*out = h;
		*nout = n;
		h = NULL;
	}
	free(rowid);
	free(score);
	free(h);
	/* made before articles were added: its rows, rescored, and the added ones (impact_fresh.c) */
	if (rc == 0)
		rc = nx_search__impact_fresh(st, expr, cw, ncw, k, out, nout, total);
	free(low);
	return rc;
}

void nx_search__impact_counts(nx_store *st, const char *expr, int64_t *known, int n, int all)
{
	sqlite3_stmt *s = NULL;
	nx_buf ph = NX_BUF_INIT;
	const char *at = expr, *e = NULL;
	int i = 0;

	if (n < (all ? 1 : 2) || nx_impact__df_prepare(st->db, &s) != SQLITE_OK)
		goto done;
	for (i = 0; i < n && at != NULL && (e = skip_phrase(at)) != NULL; i++) {
		int64_t df = 0;

		if (known[i] < 0 && e - at > 2 && memchr(at + 1, '"', (size_t)(e - at - 2)) == NULL &&
		    memchr(at + 1, ' ', (size_t)(e - at - 2)) == NULL &&
		    nx_tokenizer_dropped(at + 1, (size_t)(e - at - 2), nx_store__stoplist(st))) {
			known[i] = NX_TOPK_NO_TOKEN; /* a stop word the index drops: FTS5 leaves the phrase out */
		} else if (known[i] < 0) {
			nx_buf_reset(&ph);
			nx_buf_add(&ph, at, (size_t)(e - at));
			nx_buf_addch(&ph, '\0');
			if (nx_buf_ok(&ph) && nx_impact__df(s, ph.buf, &df) == 1)
				known[i] = df;
		}
		at = *e == ' ' ? e + 1 : NULL;
	}
done:
	sqlite3_finalize(s);
	nx_buf_free(&ph);
}

/* The words of the index in limit articles or more, fewer than below (their occurrences, an upper bound, first). */
static int frequent_words(nx_store *st, int64_t limit, int64_t below, char ***out, size_t *nout)
{
	sqlite3_stmt *s = NULL;
	char **w = NULL;
	size_t n = 0, cap = 0;
	int rc = sqlite3_prepare_v2(st->db, "SELECT w FROM vocab WHERE n >= ?1 AND n < ?2", -1, &s, NULL);

	*out = NULL;
	*nout = 0;
	if (rc != SQLITE_OK)
		return rc;
	sqlite3_bind_int64(s, 1, limit);
	sqlite3_bind_int64(s, 2, below);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		const char *t = (const char *)sqlite3_column_text(s, 0);

		if (t == NULL)
			continue;
		if (n == cap) {
			char **nw = realloc(w, (cap = cap ? cap * 2 : 64) * sizeof(*w));

			if (nw == NULL)
				break;
			w = nw;
		}
		if ((w[n] = strdup(t)) == NULL)
			break;
		n++;
	}
	sqlite3_finalize(s);
	*out = w;
	*nout = n;
	return rc == SQLITE_DONE ? SQLITE_OK : rc == SQLITE_ROW ? SQLITE_NOMEM : rc;
}

/* Every row's length in tokens (all columns), by rowid, read once for the sets of rows. */
typedef struct row_lengths {
	int32_t *len;
	size_t n;
	int tried;
} row_lengths;

/* l from fts_docsize: SQLITE_OK (l->len NULL: no such table, no sets) or an error code. */
static int read_lengths(sqlite3 *db, row_lengths *l)
{
	sqlite3_stmt *s = NULL;
	int rc = SQLITE_OK;

	l->tried = 1;
	if (sqlite3_prepare_v2(db, "SELECT id, sz FROM fts_docsize ORDER BY id", -1, &s, NULL) != SQLITE_OK)
		return SQLITE_OK;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		int64_t id = sqlite3_column_int64(s, 0);
		const unsigned char *p = sqlite3_column_blob(s, 1), *end = p + sqlite3_column_bytes(s, 1);
		uint64_t v = 0, sum = 0;
		int used = 0;

		if (id < 0 || id >= ((int64_t)1 << 33)) {
			rc = SQLITE_RANGE;
			break;
		}
		if ((size_t)id >= l->n) {
			size_t n = l->n ? l->n : 65536;
			int32_t *len = NULL;

			while (n <= (size_t)id)
				n *= 2;
			if ((len = realloc(l->len, n * sizeof(*len))) == NULL) {
				rc = SQLITE_NOMEM;
				break;
			}
			memset(len + l->n, 0, (n - l->n) * sizeof(*len));
			l->len = len;
			l->n = n;
		}
		for (; p != NULL && p < end && (used = nx_impact__sqlite_varint(p, end, &v)) > 0; p += used)
			sum += v;
		l->len[id] = sum > INT32_MAX ? INT32_MAX : (int32_t)sum;
	}
	sqlite3_finalize(s);
	if (rc == SQLITE_DONE)
		return SQLITE_OK;
	free(l->len);
	l->len = NULL;
	l->n = 0;
	return rc == SQLITE_RANGE ? SQLITE_OK : rc; /* rowids too large for a bitmap: no sets */
}

/* What nx_impact_rowset marks and scores, row by row. */
typedef struct rowset_state {
	const row_lengths *l;
	const double *cw;
	int ncw;
	double avgdl;
	sqlite3_int64 nrow;
	int ready;
	int64_t rows;
	uint64_t *w; /* the rows */
	size_t nw;
	double *max; /* per 64 rowids (a word of w): the best bm25 at idf 1, then the best score (walk_set) */
	nx_topk_feed *feed; /* the word's best rows ranked on the way, or NULL */
	int rc;
} rowset_state;

static int rowset_grow(rowset_state *t, int64_t rowid)
{
	size_t nw = t->nw ? t->nw : 1024, at = (size_t)(rowid >> 6);
	uint64_t *w = NULL;
	double *max = NULL;

	while (nw <= at)
		nw *= 2;
	if ((w = realloc(t->w, nw * sizeof(*w))) == NULL)
		return SQLITE_NOMEM;
	t->w = w;
	if ((max = realloc(t->max, nw * sizeof(*max))) == NULL)
		return SQLITE_NOMEM;
	t->max = max;
	memset(w + t->nw, 0, (nw - t->nw) * sizeof(*w));
	memset(max + t->nw, 0, (nw - t->nw) * sizeof(*max));
	t->nw = nw;
	return SQLITE_OK;
}

/*
 * One row of the word: marked, its bm25 at idf 1 (as the walk of the word
 * alone scores it before its idf, topk.c's finish_defer) raised into its
 * block's best, and given to the ranking of its best rows.
 */
static int rowset_row(rowset_state *t, const Fts5ExtensionApi *api, Fts5Context *fctx)
{
	static const double one = 1.0;
	int64_t rowid = api->xRowid(fctx);
	double freq = 0, d = 0, x = 0;
	int rc = SQLITE_OK, ic = 0, io = 0, ntok = 0;
	Fts5PhraseIter it;

	if (!t->ready) {
		sqlite3_int64 nrow = 0, ntoks = 0;

		if ((rc = api->xRowCount(fctx, &nrow)) != SQLITE_OK ||
		    (rc = api->xColumnTotalSize(fctx, -1, &ntoks)) != SQLITE_OK)
			return rc;
		t->avgdl = (double)ntoks / (double)nrow;
		t->nrow = nrow;
		t->ready = 1;
	}
	if (rowid < 0 || (size_t)rowid >= t->l->n)
		return SQLITE_RANGE;
	if ((size_t)(rowid >> 6) >= t->nw && (rc = rowset_grow(t, rowid)) != SQLITE_OK)
		return rc;
	t->w[rowid >> 6] |= (uint64_t)1 << (rowid & 63);
	/* every 1024th row: the length read is FTS5's own, or no set */
	if (t->rows++ % 1024 == 0 &&
	    ((rc = api->xColumnSize(fctx, -1, &ntok)) != SQLITE_OK || ntok != t->l->len[rowid]))
		return rc != SQLITE_OK ? rc : SQLITE_MISMATCH;
	for (rc = api->xPhraseFirst(fctx, 0, &it, &ic, &io); rc == SQLITE_OK && ic >= 0;
	     api->xPhraseNext(fctx, &it, &ic, &io))
		freq += t->ncw > ic ? t->cw[ic] : 1.0;
	d = (double)t->l->len[rowid];
	x = nx_bm25(&one, &freq, 1, d, t->avgdl);
	if (x > t->max[rowid >> 6])
		t->max[rowid >> 6] = x;
	return rc == SQLITE_OK && t->feed != NULL ? nx_topk__feed_row(t->feed, rowid, x) : rc;
}

/* xQueryPhrase callback: one row of the word */
static int rowset_cb(const Fts5ExtensionApi *api, Fts5Context *fctx, void *ud)
{
	return rowset_row(ud, api, fctx);
}

/* nx_impact_rowset(fts, state): on the first row, every row of the word, read inside FTS5 */
static void aux_rowset(const Fts5ExtensionApi *api, Fts5Context *fctx, sqlite3_context *ctx, int nval,
		       sqlite3_value **vals)
{
	rowset_state *t = nx_topk__aux_state(ctx, nval, vals, "nx_impact_rowset");

	if (t == NULL)
		return;
	if (t->rc == SQLITE_OK && t->rows == 0)
		t->rc = api->xQueryPhrase(fctx, 0, t, rowset_cb);
	nx_topk__aux_result(ctx, t->rc);
}

/* A word's best rows as a set walk ranks them on the way (NULL: not ranked). */
typedef struct set_list {
	size_t k;           /* how many */
	nx_topk_hit **h;    /* into *h, *n of them, and its count of rows */
	size_t *n;
	int64_t *total;
} set_list;

/*
 * The set of rows of the phrase expr and its blocks' best scores, walked
 * on db: *w NULL when it has none (no lengths to be had, or lengths not
 * FTS5's), else *nw words of 64 rows and their bests; with a set, its
 * best rows into out (when given), the same as nx_topk__run finds them.
 */
static int walk_set(sqlite3 *db, const char *expr, const double *cw, int ncw, row_lengths *l, uint64_t **w,
		    double **max, size_t *nw, const set_list *out)
{
	fts5_api *api = nx_fts5_api(db);
	sqlite3_stmt *s = NULL;
	rowset_state t;
	double idf = 0;
	size_t i = 0;
	int rc = SQLITE_OK;

	*w = NULL;
	*max = NULL;
	*nw = 0;
	if (!l->tried && (rc = read_lengths(db, l)) != SQLITE_OK)
		return rc;
	if (l->len == NULL || api == NULL)
		return SQLITE_OK; /* no lengths to be had: no sets, the counts walk */
	memset(&t, 0, sizeof(t));
	t.l = l;
	t.cw = cw;
	t.ncw = ncw;
	if (out != NULL && (t.feed = nx_topk__feed_new(out->k)) == NULL)
		return SQLITE_NOMEM;
	if (nx_topk__aux(db, "nx_impact_rowset", aux_rowset) != SQLITE_OK)
		rc = SQLITE_ERROR;
	else
		rc = sqlite3_prepare_v2(db, "SELECT nx_impact_rowset(fts, ?2) FROM fts WHERE fts MATCH ?1 LIMIT 1", -1,
					&s, NULL);
	if (rc == SQLITE_OK) {
		sqlite3_bind_text(s, 1, expr, -1, SQLITE_STATIC);
		sqlite3_bind_pointer(s, 2, &t, "nx_impact_rowset", NULL);
		rc = sqlite3_step(s);
		rc = t.rc != SQLITE_OK ? t.rc : rc == SQLITE_ROW || rc == SQLITE_DONE ? SQLITE_OK : rc;
	}
	sqlite3_finalize(s);
	if (rc == SQLITE_OK && t.w != NULL && t.feed != NULL)
		rc = nx_topk__feed_end(t.feed, t.nrow, out->h, out->n, out->total);
	nx_topk__feed_free(t.feed);
	if (rc == SQLITE_OK && t.w != NULL) {
		/* the best bm25 at idf 1 of each block times idf: the best score (a product keeps the order) */
		idf = nx_bm25_idf(t.nrow, t.rows);
		for (i = 0; i < t.nw; i++)
			t.max[i] = 0.0 + idf * t.max[i];
		*w = t.w;
		*max = t.max;
		*nw = t.nw;
		return SQLITE_OK;
	}
	free(t.w);
	free(t.max);
	return rc == SQLITE_MISMATCH || rc == SQLITE_RANGE ? SQLITE_OK : rc; /* lengths not FTS5's, or past them: no set */
}

/*
 * The build in three steps: the phrases to list, in the order they are
 * written (each frequent word's, then those of its other forms, once
 * each: a plan made before any walk); their walks (the list, and the set
 * of a word in an eighth of the rows or more), on one connection or on
 * two in two threads; the writes, in the plan's order in the writer's
 * transaction, so two threads write what one does, row for row.
 */
typedef struct impact_job {
	char *fts;          /* the phrase, as a search writes it */
	int rc;             /* its walk's */
	int64_t total;      /* its rows */
	nx_topk_hit *h;     /* its best rows, n of them */
	size_t n;
	uint64_t *set;      /* its set of rows (nset words) and their bests, or NULL */
	double *max;
	size_t nset;
	int set_walked;     /* a set walked for (set NULL: none to be had) */
	uint64_t key;       /* a hash of its count, rows and scores, when keyed (kept past its write) */
	int keyed;
} impact_job;

typedef struct impact_plan {
	impact_job *job;
	size_t njob, cap;
	size_t *group;      /* group g (a word and its forms): jobs group[g] .. group[g + 1] - 1 */
	size_t ngroup;
} impact_plan;

/* What every walk reads (read-only once the walks start). */
typedef struct impact_walk {
	const double *cw;
	int ncw;
	int64_t min_df, nrow;
	size_t rows;
	row_lengths *l;
} impact_walk;

static void job_clear(impact_job *j)
{
	free(j->h);
	free(j->set);
	free(j->max);
	j->h = NULL;
	j->set = NULL;
	j->max = NULL;
	j->n = j->nset = 0;
	j->total = 0;
	j->set_walked = 0;
	j->rc = SQLITE_OK;
}

static void plan_free(impact_plan *p)
{
	size_t i = 0;

	for (i = 0; i < p->njob; i++) {
		job_clear(&p->job[i]);
		free(p->job[i].fts);
	}
	free(p->job);
	free(p->group);
	memset(p, 0, sizeof(*p));
}

/* The phrase of w into p when it is one plain phrase not planned yet (seen): SQLITE_OK or SQLITE_NOMEM. */
static int plan_word(impact_plan *p, const char *w, nx_buf *seen)
{
	nx_error err = NX_ERROR_INIT;
	nx_query *q = NULL;
	size_t i = 0, len = 0;
	int rc = SQLITE_OK;

	if (nx_query_compile(&q, w, &err) < 0 || q->fts == NULL || nx_topk__plain(q->fts) != 1)
		goto done; /* a stop word, or not one plain phrase */
	len = strlen(q->fts);
	for (i = 0; i + len < seen->len; i += strlen(seen->buf + i) + 1)
		if (strcmp(seen->buf + i, q->fts) == 0)
			goto done;
	nx_buf_add(seen, q->fts, len + 1);
	if (p->njob == p->cap) {
		impact_job *nj = realloc(p->job, (p->cap = p->cap ? p->cap * 2 : 64) * sizeof(*nj));

		if (nj == NULL) {
			rc = SQLITE_NOMEM;
			goto done;
		}
		p->job = nj;
	}
	memset(&p->job[p->njob], 0, sizeof(p->job[p->njob]));
	if ((p->job[p->njob].fts = strdup(q->fts)) == NULL)
		rc = SQLITE_NOMEM;
	else
		p->njob++;
done:
	nx_query_free(q);
	nx_error_clear(&err);
	return rc;
}

/*
 * The plan of words w: each word's phrase and those of each stem a
 * query's phrase of it also finds ("expected": "expect"): a question or a
 * feedback word writes the stem ("expect", "peopl"), which finds no list
 * under the word.  A stem's list is mostly the word's rows again, stored
 * as its twin.
 */
static int plan_make(impact_plan *p, char **w, size_t nw, char **pairs, size_t npairs, nx_buf *seen,
		     fts5_tokenizer *tk, Fts5Tokenizer *tok)
{
	size_t i = 0;
	int k = 0, rc = SQLITE_OK;

	if ((p->group = malloc((nw + npairs + 1) * sizeof(*p->group))) == NULL)
		return SQLITE_NOMEM;
	for (i = 0; i < nw && rc == SQLITE_OK; i++) {
		word_forms f;

		p->group[p->ngroup] = p->njob;
		rc = plan_word(p, w[i], seen);
		if (rc == SQLITE_OK && tok != NULL && nx_search__word_forms(tk, tok, w[i], &f) == SQLITE_OK)
			for (k = 0; k < f.n && rc == SQLITE_OK; k++)
				if (strcmp(f.f[k], w[i]) != 0)
					rc = plan_word(p, f.f[k], seen);
		if (p->njob > p->group[p->ngroup])
			p->ngroup++;
	}
	/* then the pairs' phrases, a group each (impact_pairs.c) */
	for (i = 0; i < npairs && rc == SQLITE_OK; i++) {
		p->group[p->ngroup] = p->njob;
		rc = plan_word(p, pairs[i], seen);
		if (p->njob > p->group[p->ngroup])
			p->ngroup++;
	}
	p->group[p->ngroup] = p->njob;
	return rc;
}

/* A hash of b's list: its count, rows and scores (FNV-1a). */
static uint64_t list_key(const impact_job *b)
{
	uint64_t h = 14695981039346656037u, v[3];
	size_t i = 0, k = 0;

	for (i = 0; i <= b->n; i++) {
		v[0] = i == 0 ? (uint64_t)b->total : (uint64_t)b->h[i - 1].rowid;
		v[1] = i == 0 ? (uint64_t)b->n : 0;
		if (i > 0)
			memcpy(&v[1], &b->h[i - 1].score, sizeof(v[1]));
		for (k = 0; k < 2; k++) {
			h ^= v[k];
			h *= 1099511628211u;
		}
	}
	return h;
}

/*
 * 1 when an earlier job of the plan (any group, walked by either thread:
 * mu held when two walk) found job j's list: j is then stored as its twin,
 * whose set is the other's, not walked for.  (An earlier list walked later,
 * or a hash alike by chance: the writer tells, and walks a set it misses.)
 */
static int seen_list(impact_plan *p, size_t j, pthread_mutex_t *mu)
{
	impact_job *b = &p->job[j];
	size_t k = 0;

	if (mu != NULL)
		pthread_mutex_lock(mu);
	b->key = list_key(b);
	b->keyed = 1;
	for (k = 0; k < j && !(p->job[k].keyed && p->job[k].key == b->key); k++)
		;
	if (mu != NULL)
		pthread_mutex_unlock(mu);
	return k < j;
}

/* The walks of group g's jobs on db, into them (mu: see seen_list): SQLITE_OK or the first error. */
static int walk_group(sqlite3 *db, const impact_walk *c, impact_plan *p, size_t g, pthread_mutex_t *mu)
{
	size_t j = 0;
	int rc = SQLITE_OK;

	for (j = p->group[g]; j < p->group[g + 1] && rc == SQLITE_OK; j++) {
		impact_job *b = &p->job[j];
		set_list out = { c->rows, &b->h, &b->n, &b->total };

		/*
		 * its list and its set in one walk (a set not kept is dropped: a
		 * walk with the lengths at hand costs less than the walk alone,
		 * which reads a length from FTS5 for each row that may enter)
		 */
		rc = b->rc = walk_set(db, b->fts, c->cw, c->ncw, c->l, &b->set, &b->max, &b->nset, &out);
		b->set_walked = rc == SQLITE_OK; /* (set NULL: none to be had, and no list either) */
		if (rc == SQLITE_OK && b->set == NULL)
			rc = b->rc = nx_topk__run(db, NULL, b->fts, c->cw, c->ncw, -1, NULL, 0, NULL, c->rows, &b->h,
						  &b->n, &b->total, NULL, NULL);
		if (rc != SQLITE_OK || b->total < c->min_df || seen_list(p, j, mu) ||
		    b->total * NX_IMPACT_SET_SHARE < c->nrow) {
			/* no set to keep (a twin's is its twin's) */
			free(b->set);
			free(b->max);
			b->set = NULL;
			b->max = NULL;
			b->nset = 0;
			b->set_walked = 0;
		}
	}
	return rc;
}

/* Job j's list (and set) written on st's connection in its transaction; its walk's memory freed. */
static int write_job(nx_store *st, const impact_walk *c, impact_job *b)
{
	int64_t *rowid = NULL;
	double *score = NULL;
	size_t i = 0;
	int rc = b->rc;

	if (rc != SQLITE_OK || b->total < c->min_df)
		goto done;
	rowid = malloc((b->n ? b->n : 1) * sizeof(*rowid));
	score = malloc((b->n ? b->n : 1) * sizeof(*score));
	if (rowid == NULL || score == NULL) {
		rc = SQLITE_NOMEM;
		goto done;
	}
	for (i = 0; i < b->n; i++) {
		rowid[i] = b->h[i].rowid;
		score[i] = b->h[i].score;
	}
	/* (a twin's set would be its twin's) */
	if ((rc = nx_impact__put(st->db, b->fts, b->total, rowid, score, b->n)) != SQLITE_OK ||
	    b->total * NX_IMPACT_SET_SHARE < c->nrow || nx_impact__is_twin(st->db, b->fts))
		goto done;
	/* a set the walk left out (its twin's list walked later, or a hash alike by chance): walked now */
	if (!b->set_walked && (rc = walk_set(st->db, b->fts, c->cw, c->ncw, c->l, &b->set, &b->max, &b->nset,
					     NULL)) != SQLITE_OK)
		goto done;
	if (b->set != NULL)
		rc = nx_impact__put_set(st->db, b->fts, b->set, b->nset, b->max);
done:
	free(rowid);
	free(score);
	job_clear(b);
	return rc;
}

/* -- two threads: the groups taken in turn, the second connection's walks written by the writer in order -- */

enum { GROUP_TODO, GROUP_TAKEN, GROUP_DONE, GROUP_FAILED };

typedef struct impact_split {
	const impact_walk *c;
	impact_plan *p;
	sqlite3 *db2;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	unsigned char *state; /* per group */
	unsigned char *by_second; /* per group: taken by the second thread */
	size_t next;          /* the next group to take */
	int stop;             /* the second thread takes no more */
	int second_first;     /* the writer takes no group before the second thread's first (tests) */
	int second_took;      /* the second thread has taken a group, or ended */
	int failing;          /* the second thread's walks fail from this many groups on (tests), or -1 */
} impact_split;

/* 0: two when a second connection can be had; 1: one (tests, NX_IMPACT_THREADS=1); 2: two, the second first (tests) */
static int split_threads;
static int split_fail_at = -1;
static size_t split_second; /* groups the last build's second thread walked and the writer wrote */

void nx_search__impact_split(int threads, int fail_at)
{
	split_threads = threads;
	split_fail_at = fail_at;
}

size_t nx_search__impact_second(void)
{
	return split_second;
}

/* The next group to walk, or ngroup when none is left (or the second thread is to stop). */
static size_t take_group(impact_split *s, int second)
{
	size_t g = s->p->ngroup;

	pthread_mutex_lock(&s->mu);
	if (s->next < s->p->ngroup && !(second && s->stop)) {
		g = s->next++;
		s->state[g] = GROUP_TAKEN;
		s->by_second[g] = (unsigned char)second;
		s->second_took |= second;
	}
	pthread_mutex_unlock(&s->mu);
	return g;
}

static void *second_walks(void *arg)
{
	impact_split *s = arg;
	size_t g = 0, done = 0;

	while ((g = take_group(s, 1)) < s->p->ngroup) {
		int rc = s->failing >= 0 && done++ >= (size_t)s->failing ? SQLITE_IOERR : walk_group(s->db2, s->c, s->p, g, &s->mu);

		pthread_mutex_lock(&s->mu);
		s->state[g] = rc == SQLITE_OK ? GROUP_DONE : GROUP_FAILED;
		if (rc != SQLITE_OK)
			s->stop = 1; /* its groups from here on: the writer's */
		pthread_cond_signal(&s->cv);
		pthread_mutex_unlock(&s->mu);
	}
	pthread_mutex_lock(&s->mu);
	s->second_took = 1;
	pthread_cond_signal(&s->cv);
	pthread_mutex_unlock(&s->mu);
	return NULL;
}

/* A read connection to st's file with what the walks need, or NULL. */
static sqlite3 *open_second(nx_store *st, nx_blkcache *bc)
{
	sqlite3 *db = NULL;

	if (st->conn_name == NULL ||
	    nx_store__connect_db(st, &db, bc, st->conn_name, SQLITE_OPEN_READONLY | (st->conn_flags & SQLITE_OPEN_URI),
				 NULL) != NX_OK ||
	    nx_tokenizer_set_stopwords(db, nx_store__stoplist(st)) != SQLITE_OK ||
	    nx_tokenizer_set_query_langs(db, st->langs) != SQLITE_OK) {
		nx_store__blkcache_close(bc);
		sqlite3_close(db);
		return NULL;
	}
	/* no map: its pages would count in the peak resident memory a second time beside the writer's */
	return db;
}

/*
 * Every group walked, on st's connection (this thread) and on db2 (a
 * second), written in order as they are done; a group whose walk failed
 * on db2 walked again here, the second thread then stopped.
 */
static int walk_split(nx_store *st, sqlite3 *db2, const impact_walk *c, impact_plan *p)
{
	impact_split s;
	pthread_t th;
	size_t g = 0, w = 0, j = 0;
	int rc = SQLITE_OK, started = 0, state = GROUP_TODO;

	memset(&s, 0, sizeof(s));
	s.c = c;
	s.p = p;
	s.db2 = db2;
	s.failing = split_fail_at;
	s.second_first = split_threads == 2;
	if ((s.state = calloc(p->ngroup + 1, 1)) == NULL || (s.by_second = calloc(p->ngroup + 1, 1)) == NULL) {
		free(s.state);
		return SQLITE_NOMEM;
	}
	pthread_mutex_init(&s.mu, NULL);
	pthread_cond_init(&s.cv, NULL);
	started = pthread_create(&th, NULL, second_walks, &s) == 0;
	if (started && s.second_first) {
		pthread_mutex_lock(&s.mu);
		while (!s.second_took)
			pthread_cond_wait(&s.cv, &s.mu);
		pthread_mutex_unlock(&s.mu);
	}
	while (rc == SQLITE_OK && w < p->ngroup) {
		pthread_mutex_lock(&s.mu);
		state = s.state[w];
		pthread_mutex_unlock(&s.mu);
		if (state == GROUP_DONE || state == GROUP_FAILED) {
			/* done (here or there), or to walk again here */
			split_second += state == GROUP_DONE && s.by_second[w];
			if (state == GROUP_FAILED) {
				for (j = p->group[w]; j < p->group[w + 1]; j++)
					job_clear(&p->job[j]);
				rc = walk_group(st->db, c, p, w, &s.mu);
			}
			for (j = p->group[w]; j < p->group[w + 1] && rc == SQLITE_OK; j++)
				rc = write_job(st, c, &p->job[j]);
			w++;
		} else if ((g = take_group(&s, 0)) < p->ngroup) {
			rc = walk_group(st->db, c, p, g, &s.mu);
			pthread_mutex_lock(&s.mu);
			s.state[g] = GROUP_DONE;
			pthread_mutex_unlock(&s.mu);
		} else {
			/* every group taken: the next to write is the second thread's */
			pthread_mutex_lock(&s.mu);
			while (s.state[w] == GROUP_TAKEN)
				pthread_cond_wait(&s.cv, &s.mu);
			pthread_mutex_unlock(&s.mu);
		}
	}
	pthread_mutex_lock(&s.mu);
	s.stop = 1;
	pthread_mutex_unlock(&s.mu);
	if (started)
		pthread_join(th, NULL);
	pthread_cond_destroy(&s.cv);
	pthread_mutex_destroy(&s.mu);
	free(s.state);
	free(s.by_second);
	return rc;
}

/* Every group walked and written in order on st's connection. */
static int walk_one(nx_store *st, const impact_walk *c, impact_plan *p)
{
	size_t g = 0, j = 0;
	int rc = SQLITE_OK;

	for (g = 0; g < p->ngroup && rc == SQLITE_OK; g++) {
		rc = walk_group(st->db, c, p, g, NULL);
		for (j = p->group[g]; j < p->group[g + 1] && rc == SQLITE_OK; j++)
			rc = write_job(st, c, &p->job[j]);
	}
	return rc;
}

/* The plan's lists walked and written: on two threads when a second connection can be had. */
static int walk_plan(nx_store *st, const impact_walk *c, impact_plan *p)
{
	const char *env = getenv("NX_IMPACT_THREADS");
	int threads = split_threads > 0 ? split_threads : env != NULL && atoi(env) == 1 ? 1 : 2;
	nx_blkcache bc;
	sqlite3 *db2 = NULL;
	int rc = SQLITE_OK;

	split_second = 0;
	if (threads < 2 || p->ngroup < 2)
		return walk_one(st, c, p);
	/* the second thread's sets read the lengths this one reads now */
	if (!c->l->tried && (rc = read_lengths(st->db, c->l)) != SQLITE_OK)
		return rc;
	memset(&bc, 0, sizeof(bc));
	if ((db2 = open_second(st, &bc)) == NULL)
		rc = walk_one(st, c, p); /* no second connection: one thread */
	else
		rc = walk_split(st, db2, c, p);
	nx_store__blkcache_free(&bc);
	sqlite3_close(db2);
	return rc;
}

/*
 * Less frequent words whose phrase finds a frequent stem ("profits":
 * "profit", "quarterly": "quarter"), in min_df / NX_IMPACT_FORM_SHARE
 * rows or more: when the word itself is no term of the index (every
 * article stemmed it), its phrase matches the stem's rows at the stem's
 * places, so its list is the stem's, stored as its twin without a walk.
 */
#define NX_IMPACT_FORM_SHARE 50

static int build_twins(nx_store *st, int64_t min_df, nx_buf *seen, fts5_tokenizer *tk, Fts5Tokenizer *tok)
{
	nx_error err = NX_ERROR_INIT;
	sqlite3_stmt *upto = NULL;
	nx_buf stem = NX_BUF_INIT;
	char **w = NULL;
	size_t nw = 0, i = 0, k = 0;
	int rc = frequent_words(st, min_df / NX_IMPACT_FORM_SHARE, min_df, &w, &nw);

	if (rc == SQLITE_OK && nx_search__upto_prepare(st, &upto) != SQLITE_OK)
		nw = 0; /* no count of a term: no twins */
	for (i = 0; i < nw && rc == SQLITE_OK; i++) {
		nx_query *q = NULL;
		word_forms f, g;
		size_t len = 0;
		int got = 0;

		if (nx_search__word_forms(tk, tok, w[i], &f) != SQLITE_OK || f.more || f.n != 2 ||
		    strcmp(f.f[0], w[i]) != 0 || nx_query_compile(&q, w[i], &err) < 0 || q->fts == NULL ||
		    nx_topk__plain(q->fts) != 1)
			goto next;
		/* the stem's own phrase must find the stem alone (a stem of the stem would add its rows) */
		if (nx_search__word_forms(tk, tok, f.f[1], &g) != SQLITE_OK || g.more || g.n != 1 ||
		    strcmp(g.f[0], f.f[1]) != 0)
			goto next;
		len = strlen(q->fts);
		for (k = 0; k + len < seen->len; k += strlen(seen->buf + k) + 1)
			if (strcmp(seen->buf + k, q->fts) == 0)
				goto next;
		nx_buf_reset(&stem);
		nx_fts5_quote(&stem, f.f[1], strlen(f.f[1]));
		nx_buf_addch(&stem, '\0');
		/* the word as a term of its own (an article in a language that keeps it) would add rows */
		if (!nx_buf_ok(&stem) || nx_search__count_upto(upto, w[i], 1) != 0)
			goto next;
		if ((got = nx_impact__put_twin(st->db, q->fts, stem.buf)) < 0)
			rc = -got;
		else if (got > 0)
			nx_buf_add(seen, q->fts, len + 1);
	next:
		nx_query_free(q);
		nx_error_clear(&err);
	}
	for (i = 0; i < nw; i++)
		free(w[i]);
	free(w);
	nx_buf_free(&stem);
	sqlite3_finalize(upto);
	return rc;
}

/* The articles read for the pairs (nx_search__impact_pair_sample). */
static size_t pair_sample = NX_IMPACT_PAIR_SAMPLE;

void nx_search__impact_pair_sample(size_t n)
{
	pair_sample = n > 0 ? n : NX_IMPACT_PAIR_SAMPLE;
}

/* The build, with the pairs of words (pairs) or not. */
static int impact_build(nx_store *st, int64_t min_df, size_t rows, int pairs_too, nx_error *err)
{
	fts5_tokenizer tk;
	Fts5Tokenizer *tok = NULL;
	double cw[NX_TOPK_MAX_WEIGHTS];
	nx_buf seen = NX_BUF_INIT;
	row_lengths lengths = { NULL, 0, 0 };
	impact_plan plan;
	impact_walk walk;
	char **w = NULL, **pairs = NULL;
	size_t nw = 0, i = 0, npairs = 0;
	int64_t last = 0;
	int ncw = 0, rc = SQLITE_OK;

	memset(&plan, 0, sizeof(plan));
	if (nx_store__query_int(st, "SELECT coalesce(max(id), 0) FROM article", &last) != 0)
		return nx_store__dberr(st, err, "cannot make the lists of frequent words");
	if ((rc = nx_store_begin(st, err)) < 0)
		return rc;
	if (last < min_df) {
		/* too few articles for any word to need a list */
		rc = nx_impact__drop(st->db);
		goto end;
	}
	if (nx_search__register(st) != SQLITE_OK || !nx_topk__weights(st->db, cw, &ncw)) {
		rc = nx_impact__drop(st->db); /* a ranking the lists cannot stand for */
		goto end;
	}
	if ((rc = nx_impact__reset(st->db)) != SQLITE_OK || (rc = frequent_words(st, min_df, INT64_MAX, &w, &nw)) != SQLITE_OK)
		goto end;
	if (nx_search__tokenizer(st, &tk, &tok) != SQLITE_OK)
		tok = NULL; /* the words' lists alone */
	walk.cw = cw;
	walk.ncw = ncw;
	walk.min_df = min_df;
	walk.nrow = last;
	walk.rows = rows;
	walk.l = &lengths;
	/* the pairs of those words side by side in as many articles */
	if (pairs_too && tok != NULL && (rc = nx_search__frequent_pairs(st, &tk, tok, w, nw, last, min_df, pair_sample,
							  NX_IMPACT_MAX_PAIRS, &pairs, &npairs)) != SQLITE_OK)
		goto end;
	if ((rc = plan_make(&plan, w, nw, pairs, npairs, &seen, &tk, tok)) == SQLITE_OK)
		rc = walk_plan(st, &walk, &plan);
	if (rc == SQLITE_OK && tok != NULL)
		rc = build_twins(st, min_df, &seen, &tk, tok);
	if (rc == SQLITE_OK)
		rc = nx_impact__put_pub(st->db);
	if (rc == SQLITE_OK)
		rc = nx_impact__put_src(st->db);
	if (rc == SQLITE_OK)
		rc = nx_impact__seal(st->db);
end:
	if (tok != NULL)
		tk.xDelete(tok);
	for (i = 0; i < nw; i++)
		free(w[i]);
	free(w);
	for (i = 0; i < npairs; i++)
		free(pairs[i]);
	free(pairs);
	plan_free(&plan);
	nx_buf_free(&seen);
	free(lengths.len);
	if (rc != SQLITE_OK) {
		int e = nx_store__dberr(st, err, "cannot make the lists of frequent words");

		nx_store_rollback(st);
		return e;
	}
	return nx_store_commit(st, err);
}

int nx_search__impact_build(nx_store *st, int64_t min_df, size_t rows, nx_error *err)
{
	return impact_build(st, min_df, rows, 1, err);
}

int nx_search_impact_build(nx_store *st, int64_t written, nx_error *err)
{
	int64_t last = 0;
	int rc = NX_OK;

	if (written >= 0) {
		/* a load of a few articles into a large index: not worth a walk of every frequent word */
		if (nx_store__query_int(st, "SELECT coalesce(max(id), 0) FROM article", &last) != 0)
			return nx_store__dberr(st, err, "cannot make the lists of frequent words");
		if (written == 0 || written * 2 < last)
			return NX_OK;
	}
	/* the pairs of words at optimize alone: at the end of a new archive's first load they would cost it 5-10% */
	if ((rc = impact_build(st, NX_IMPACT_MIN_DF, NX_IMPACT_ROWS, written < 0, err)) < 0)
		return rc;
	/* the pages the lists made before leave free, handed back (an index made with auto_vacuum = INCREMENTAL) */
	nx_store__trim(st);
	return NX_OK;
}

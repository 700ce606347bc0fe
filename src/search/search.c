/*
 * search.c - nx_search: a query compiled, counted and ranked (strict, or
 * relaxed when the strict finds too few), then the page of hits shown.
 * See search_private.h for the files each step lives in.
 */
#include "newsidx/search.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "search/search_private.h"
#include "util/text.h"

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

/*
 * r->total: the articles holding every word (strict).  For a question no
 * article answers in full ("mobile phone makers expect strong sales of new
 * handsets in europe"), ranking the rows that hold every word needs each
 * word's list counted, for nothing when there are few of them: so for a
 * query of several words they are counted first up to the page's end; a
 * count below that is exact.  Else the fast path counts them while ranking
 * the best want rows (kept in p), or SQL counts them.
 */
static int count_strict(nx_results *r, nx_store *st, const nx_query *q, const char *strict, plan *p,
			const nx_search_opts *o, int64_t want, int question, nx_error *err)
{
	int64_t end = (o->offset < 0 ? 0 : o->offset) + (o->limit < 0 ? 0 : o->limit);
	int fast = 0;

	/* an OR of words (similar): counted from sets, or by the ranking that follows, as a relaxed query */
	if (p->or_strict)
		return nx_search__relaxed_count(st, p, o, strict, o->limit <= 0, o->limit > 0, &r->total, err);
	/* (the rows counted here are the index's: with a filter, the walk below counts those passing it) */
	if (question && nx_search__topk_fits(o) && end > 0 && q != NULL && q->nunits >= NX_PRF_MIN_UNITS &&
	    nx_topk__plain(strict) >= 2 && !nx_search__plan_filters(p)) {
		int64_t *rows = NULL, n = nx_search__strict_upto(st, strict, end, &rows);

		if (n >= 0 && n < end) {
			r->total = n;
			/* all its rows seen: the ranking scores them alone (see nx_topk_tune) */
			free(p->all_rows);
			p->all_expr = rows != NULL ? strict : NULL;
			p->all_rows = rows;
			p->nall = (size_t)n;
			return NX_OK;
		}
		free(rows);
	}
	if ((fast = nx_search__strict_walk(st, p, o, strict, o->limit > 0 ? want : 0, &r->total)) < 0)
		return nx_store__dberr(st, err, "cannot search the index (fast path)");
	return fast == 0 ? nx_search__count(st, p, strict, o->all_revisions, &r->total, err) : NX_OK;
}

/* A growable list of candidates: those of the strict query, then the closest matches. */
typedef struct cand_list {
	cand *c;
	size_t n;
	size_t nstrict;   /* the first nstrict hold every word */
	int strict_cut;   /* the strict query has more rows than were fetched */
	int some_cut;     /* so has the relaxed one */
} cand_list;

static int cmp_id(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

	return x < y ? -1 : x > y;
}

/* Append the candidates of b not already in l (by article) as closest matches; b is emptied. */
static int append_some(cand_list *l, cand *b, size_t nb, nx_error *err)
{
	cand *c = realloc(l->c, (l->n + nb + 1) * sizeof(*c));
	int64_t *ids = malloc((l->nstrict + 1) * sizeof(*ids));
	size_t i = 0;

	if (c != NULL)
		l->c = c;
	if (c == NULL || ids == NULL) {
		free(ids);
		nx_search__cands_free(b, nb);
		return nx_error_set(err, NX_ENOMEM, "out of memory");
	}
	/* the full matches' articles, sorted (an earlier version of one is a row of its own) */
	for (i = 0; i < l->nstrict; i++)
		ids[i] = c[i].rev ? -c[i].revrow : c[i].id;
	qsort(ids, l->nstrict, sizeof(*ids), cmp_id);
	for (i = 0; i < nb; i++) {
		int64_t key = b[i].rev ? -b[i].revrow : b[i].id;

		if (bsearch(&key, ids, l->nstrict, sizeof(*ids), cmp_id) != NULL) {
			free(b[i].body_hash);
			free(b[i].title_key);
			continue;
		}
		c[l->n] = b[i];
		c[l->n++].some = 1;
	}
	free(ids);
	free(b);
	return NX_OK;
}

/* Hits not folded into an earlier one, among the first n of l. */
static size_t unfolded(const cand_list *l, size_t n)
{
	size_t i = 0, k = 0;

	for (i = 0; i < n && i < l->n; i++)
		k += !l->c[i].folded;
	return k;
}

/*
 * The closest matches, ranked by the relaxed query: its words weighted by
 * their count in the query, and for a sentence-like question the words of
 * pseudo-relevance feedback too.  *rank_expr: the expression ranked.
 */
static int some_candidates(nx_results *r, nx_store *st, const nx_query *q, const char *relaxed_expr, plan *p,
			   const nx_search_opts *o, int64_t want, cand **out, size_t *nout, char **expanded,
			   nx_error *err)
{
	const char *expr = relaxed_expr;
	double *weights = NULL;
	int nweights = 0, rc = NX_OK;

	p->weights = p->qw;
	p->nweights = p->nqw;
	if (q != NULL && q->relaxed_pos != NULL && q->nunits >= NX_PRF_MIN_UNITS && o->sort == NX_SORT_RELEVANCE &&
	    !o->all_revisions) {
		if ((rc = nx_search__expand(st, p, o, q, expanded, &weights, &nweights, err)) < 0)
			goto done;
		if (*expanded != NULL) {
			expr = *expanded;
			p->weights = weights;
			p->nweights = nweights;
		} else {
			p->weights = p->qw;
			p->nweights = p->nqw;
		}
	}
	if (r->total == 0 && (r->fts == NULL || strcmp(r->fts, expr) != 0)) {
		free(r->fts);
		if ((r->fts = strdup(expr)) == NULL) {
			rc = nx_error_set(err, NX_ENOMEM, "out of memory");
			goto done;
		}
	}
	/* the pairs read ahead (nx_search__run) into the lists this ranking reads */
	if (*expanded != NULL && (rc = nx_search__prefetch_take(st, p, err)) < 0)
		goto done;
	/* and its feedback words' lists, read by two threads */
	if (*expanded != NULL && (rc = nx_search__read_shared(st, p, o, expr, err)) < 0)
		goto done;
	rc = nx_search__candidates(st, p, o, expr, 1, want, out, nout, err);
done:
	p->weights = NULL;
	p->nweights = 0;
	free(weights);
	return rc;
}

/*
 * The candidates of the listing up to the page's end and one hit beyond
 * (to tell whether more follow): the strict query's, then, when they are
 * all fetched and too few, the relaxed query's others.
 */
static int list_candidates(nx_results *r, nx_store *st, const nx_query *q, const char *strict,
			   const char *relaxed_expr, plan *p, const nx_search_opts *o, int64_t want, cand_list *l,
			   char **expanded, nx_error *err)
{
	int64_t end = (o->offset < 0 ? 0 : o->offset) + (o->limit < 0 ? 0 : o->limit) + 1;
	cand *b = NULL;
	size_t nb = 0;
	int rc = NX_OK;

	if (r->total > 0) {
		if ((rc = nx_search__candidates(st, p, o, strict, p->or_strict, want, &l->c, &l->n, err)) < 0)
			return rc;
		l->nstrict = l->n;
		l->strict_cut = (int64_t)l->n < r->total && (int64_t)l->n == want;
	}
	if (o->collapse)
		nx_search__collapse(l->c, l->n);
	if (l->strict_cut || r->total_some == 0 || (int64_t)unfolded(l, l->n) >= end)
		return NX_OK;
	if ((rc = some_candidates(r, st, q, relaxed_expr, p, o, want + (int64_t)l->nstrict, &b, &nb, expanded,
				  err)) < 0)
		return rc;
	l->some_cut = (int64_t)nb == want + (int64_t)l->nstrict;
	if ((rc = append_some(l, b, nb, err)) < 0)
		return rc;
	if (o->collapse) {
		size_t i = 0;

		for (i = 0; i < l->n; i++)
			l->c[i].folded = 0;
		nx_search__collapse(l->c, l->n);
	}
	return NX_OK;
}

/* The page of hits of the listing l; hl[0], hl[1]: the expressions to highlight strict and closest matches. */
static int fill_page(nx_results *r, nx_store *st, const nx_search_opts *o, cand_list *l, const char *hl[2],
		     nx_error *err)
{
	int64_t limit = o->limit < 0 ? 0 : o->limit, offset = o->offset < 0 ? 0 : o->offset;
	sqlite3_stmt *hitstmt[2][4] = { { NULL, NULL, NULL, NULL }, { NULL, NULL, NULL, NULL } };
	cand *c = l->c;
	/*
	 * A strict hit holds every word: its marks from the words ORed, the
	 * same instances, where FTS5 would walk their AND from the first rows
	 * to the hit (milliseconds a hit for a question of common words).
	 */
	char *any = nx_topk__plain(hl[0]) >= 2 ? nx_topk__any_of(hl[0]) : NULL;
	const char *mark[2] = { any != NULL ? any : hl[0], hl[1] };
	size_t i = 0, shown = 0;
	int rc = NX_OK, k = 0;

	r->hits = calloc((size_t)limit, sizeof(*r->hits));
	if (r->hits == NULL)
		return nx_error_set(err, NX_ENOMEM, "out of memory");
	for (i = 0; i < l->n && r->nhits < (size_t)limit; i++) {
		if (c[i].folded)
			continue;
		if (shown++ < (size_t)offset)
			continue;
		k = c[i].some;
		if ((rc = nx_search__fill_hit(st, &r->hits[r->nhits], &c[i], mark[k], o, hitstmt[k], err)) > 0) {
			rc = NX_OK;
			continue;
		}
		r->hits[r->nhits++].some = k;
		r->relaxed |= k;
		if (rc < 0 || (rc = nx_search__add_copies(st, &r->hits[r->nhits - 1], c, l->n, i, err)) < 0)
			goto done;
	}
	/* more: a hit after this page, or rows not fetched */
	for (; i < l->n && !r->more; i++)
		r->more = !c[i].folded;
	if (l->strict_cut || l->some_cut)
		r->more = 1;
done:
	for (k = 0; k < 2; k++)
		for (i = 0; i < 4; i++)
			sqlite3_finalize(hitstmt[k][i]);
	free(any);
	return rc;
}

/* The search proper, shared by nx_search and nx_search_similar. */
int nx_search__run(nx_results *r, nx_store *st, const nx_query *q, const char *strict, const char *relaxed_expr,
		   plan *p, const nx_search_opts *o, nx_error *err)
{
	char *expanded = NULL;
	const char *hl[2] = { strict, relaxed_expr };
	int64_t want = 0, limit = o->limit < 0 ? 0 : o->limit, offset = o->offset < 0 ? 0 : o->offset;
	int64_t rtotal = 0;
	cand_list l;
	int rc = NX_OK, relax = o->relax && relaxed_expr != NULL;

	memset(&l, 0, sizeof(l));
	if (nx_search__register(st) != SQLITE_OK)
		return nx_store__dberr(st, err, "cannot set up searching");
	if (o->recent)
		newest_published(st, &p->newest);
	want = offset + limit;
	if (o->collapse)
		want = want * 3 + 10;
	if ((rc = count_strict(r, st, q, strict, p, o, want, relax, err)) < 0)
		return rc;
	/* a verbose question ranked next: its word pairs read meanwhile on a second thread */
	if (relax && limit > 0)
		nx_search__prefetch_pairs(st, p, o, q, r->total < offset + limit + 1);
	/* the closest matches: the relaxed query's rows, those holding every word aside */
	/* more strict rows than the listing takes: the relaxed query is only counted */
	/* fewer strict rows than the page's end (list_candidates): the relaxed ranking follows */
	if (relax && (rc = nx_search__relaxed_count(st, p, o, relaxed_expr, limit == 0 || r->total > want,
						    limit > 0 && r->total < offset + limit + 1, &rtotal, err)) < 0)
		goto done;
	r->total_some = rtotal > r->total ? rtotal - r->total : 0;
	if (strict != NULL && (r->fts = strdup(r->total > 0 || !relax ? strict : relaxed_expr)) == NULL) {
		rc = nx_error_set(err, NX_ENOMEM, "out of memory");
		goto done;
	}
	if (limit > 0) {
		if ((rc = list_candidates(r, st, q, strict, relaxed_expr, p, o, want, &l, &expanded, err)) < 0 ||
		    (rc = fill_page(r, st, o, &l, hl, err)) < 0)
			goto done;
	} else {
		r->more = r->total + (relax ? r->total_some : 0) > offset;
	}
	if (o->facets != 0 && (rc = nx_search__facets(r, st, p, r->total > 0 || !relax ? strict : relaxed_expr, o,
						      err)) < 0)
		goto done;
	if (q != NULL && nx_search__suggest(r, st, q, r->total < 3) < 0)
		rc = nx_error_set(err, NX_ENOMEM, "out of memory");
done:
	nx_search__prefetch_drop(st, p); /* not taken (no expansion ranked, or an error): the thread ended */
	nx_search__cands_free(l.c, l.n);
	free(expanded);
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

static int search_in(nx_results **out, nx_store *st, const char *query, const nx_search_opts *opts,
		     nx_budget *b, nx_error *err)
{
	nx_search_opts defaults = NX_SEARCH_OPTS_INIT;
	nx_results *r = NULL;
	nx_query *q = NULL;
	char *credit = NULL, *strict = NULL, *relaxed = NULL;
	plan p;
	int rc = NX_OK;

	*out = NULL;
	memset(&p, 0, sizeof(p));
	if (opts == NULL)
		opts = &defaults;
	r = calloc(1, sizeof(*r));
	if (r == NULL || (r->query = strdup(query)) == NULL)
		goto oom;
	p.budget = b;
	if ((rc = nx_query_compile(&q, query, err)) < 0)
		goto done;
	if (opts->max_prefixes > 0 && q->nprefix > (size_t)opts->max_prefixes) {
		rc = nx_error_set(err, NX_ELIMIT,
				  "the query has %zu prefix searches (word*), more than the %d allowed: use fewer"
				  " or spell the words out",
				  q->nprefix, opts->max_prefixes);
		goto done;
	}
	p.f[0] = &q->filter;
	p.f[1] = &opts->filter;
	if (opts->credit != NULL)
		credit = credit_clause(opts->credit);
	strict = and_expr(q->fts, credit);
	if (q->relaxed != NULL && nx_search__reshape(st, q, &p) < 0)
		goto oom;
	if (q->relaxed != NULL)
		relaxed = and_expr(q->relaxed, credit);
	if ((q->fts != NULL || credit != NULL) && strict == NULL)
		goto oom;
	if (strict == NULL && !nx_filter_active(p.f[0]) && !nx_filter_active(p.f[1]))
		goto finish; /* nothing searchable: zero hits */
	if ((rc = nx_search__run(r, st, q, strict, relaxed, &p, opts, err)) < 0)
		goto done;
finish:
	*out = r;
	r = NULL;
	goto done;
oom:
	rc = nx_error_set(err, NX_ENOMEM, "out of memory");
done:
	nx_search__plan_free(&p);
	free(credit);
	free(strict);
	free(relaxed);
	nx_query_free(q);
	nx_results_free(r);
	return rc;
}


/*
 * One snapshot for a whole search: the hits are chosen by one statement
 * and read by others, and a writer (rm, sync, an update) committing in
 * between would otherwise take a chosen hit away.  Nothing to do inside a
 * transaction the caller opened on this connection.
 */
int nx_search__read_begin(nx_store *st, int *began, nx_error *err)
{
	*began = 0;
	nx_store__refresh(st); /* a writer may have upgraded the index since it was opened */
	if (!sqlite3_get_autocommit(st->db))
		return NX_OK;
	if (sqlite3_exec(st->db, "BEGIN", NULL, NULL, NULL) != SQLITE_OK)
		return nx_store__dberr(st, err, "cannot start reading the index");
	*began = 1;
	/* the snapshot starts at the first read: now */
	if (sqlite3_exec(st->db, "SELECT count(*) FROM sqlite_master", NULL, NULL, NULL) != SQLITE_OK) {
		nx_search__read_end(st, began);
		return nx_store__dberr(st, err, "cannot start reading the index");
	}
	return NX_OK;
}

void nx_search__read_end(nx_store *st, int *began)
{
	if (*began && sqlite3_exec(st->db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK)
		sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
	*began = 0;
}

static int on_progress(void *ud)
{
	nx_budget *b = ud;
	struct timespec ts;

	b->work++;
	if (b->work_left >= 0 && b->work >= b->work_left) {
		b->stopped = NX_BUDGET_WORK;
		return 1;
	}
	if (b->deadline_ns > 0 && b->work % 10 == 0) {
		clock_gettime(CLOCK_MONOTONIC, &ts);
		if ((int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec > b->deadline_ns) {
			b->stopped = NX_BUDGET_TIME;
			return 1;
		}
	}
	return 0;
}

void nx_search__budget_watch(sqlite3 *db, nx_budget *b)
{
	if (b == NULL || (b->deadline_ns == 0 && b->work_left < 0))
		sqlite3_progress_handler(db, 0, NULL, NULL);
	else
		sqlite3_progress_handler(db, 100, on_progress, b);
}

/* Start o's budget in b. */
void nx_search__budget_start(nx_budget *b, const nx_search_opts *o)
{
	struct timespec ts;

	memset(b, 0, sizeof(*b));
	b->work_left = o->work_limit > 0 ? o->work_limit * 10 : -1;
	if (o->time_limit_ms > 0) {
		clock_gettime(CLOCK_MONOTONIC, &ts);
		b->deadline_ns = (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec + (int64_t)o->time_limit_ms * 1000000;
	}
}

/* After a search under b: NX_ELIMIT when b ran out (whatever else happened), else rc. */
int nx_search__budget_end(nx_budget *b, const nx_search_opts *o, int rc, nx_results **out, nx_error *err)
{
	if (!b->stopped)
		return rc;
	nx_results_free(*out);
	*out = NULL;
	if (b->stopped == NX_BUDGET_TIME)
		return nx_error_set(err, NX_ELIMIT,
				    "the search took longer than its limit of %d ms: try fewer ORed words or"
				    " prefixes (word*), longer prefixes, or a filter such as published:",
				    o->time_limit_ms);
	return nx_error_set(err, NX_ELIMIT,
			    "the search needed more work than its limit (%lld thousand steps): try fewer ORed"
			    " words or prefixes (word*), longer prefixes, or a filter such as published:",
			    (long long)o->work_limit);
}

int nx_search__guarded(nx_results **out, nx_store *st, const char *arg, const nx_search_opts *opts,
		       nx_search__body body, nx_error *err)
{
	nx_search_opts defaults = NX_SEARCH_OPTS_INIT;
	nx_budget b;
	int began = 0, rc = 0;

	*out = NULL;
	if (opts == NULL)
		opts = &defaults;
	if ((rc = nx_search__read_begin(st, &began, err)) < 0)
		return rc;
	nx_search__budget_start(&b, opts);
	nx_search__budget_watch(st->db, &b);
	rc = body(out, st, arg, opts, &b, err);
	nx_search__budget_watch(st->db, NULL);
	rc = nx_search__budget_end(&b, opts, rc, out, err);
	nx_search__read_end(st, &began);
	return rc;
}

int nx_search(nx_results **out, nx_store *st, const char *query, const nx_search_opts *opts, nx_error *err)
{
	return nx_search__guarded(out, st, query, opts, search_in, err);
}

/*
 * expand.c - query expansion for long, sentence-like queries that no
 * article answers in full: the query's words, its word pairs and
 * pseudo-relevance feedback words, weighted for nx_rank.
 */
#include "search/search_private.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "article/lang.h"
#include "index/impact.h"
#include "index/tokenizer.h"
#include "util/text.h"

/*
 * Ranking of relaxed (verbose) queries, with the parameters of tune.c
 * (chosen by leave-one-collection-out, doc/ranking.md): the query's words
 * (weight: their count in the query, reshape.c), its adjacent word pairs as
 * phrases ("viet nam", NX_BIGRAM_WEIGHT), and pseudo-relevance feedback:
 * the NX_PRF_TERMS words that weigh most in the best NX_PRF_DOCS partial
 * matches (tf/length times idf, found in at least two of them, neither stop
 * words nor query words), with weights up to NX_PRF_WEIGHT, all ranked with
 * nx_rank.  Strict queries (every word found) are not touched: this only
 * orders what a long sentence-like query finds.
 */
#define NX_PRF_DOCS ((int64_t)nx_rank__params()->prf_docs)
#define NX_PRF_TERMS ((size_t)nx_rank__params()->prf_terms)
#define NX_PRF_WEIGHT (nx_rank__params()->prf_weight)
#define NX_BIGRAM_WEIGHT (nx_rank__params()->pairs) /* under 1: weight 1 and more marks the query words */

typedef struct prf_term {
	char *term;
	double score;
	double ub;    /* at least the score (tf times the idf of one document); < 0: not a candidate */
	double tf;    /* tf in the best documents; score = tf times idf */
	int ndocs;
	int last_doc;
	int64_t stored; /* its documents as its impact list stored them, -1: none (when looked) */
	int looked;   /* stored looked up */
	int exact;    /* score counted */
	int refined;  /* ub lowered by a partial count */
	int done;     /* counted, or out */
} prf_term;

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

/* What an expansion builds: the ranking group, its weights and the feedback candidates. */
typedef struct expansion {
	nx_buf e;     /* "(words OR pairs OR feedback words", closed by finish() */
	double *w;    /* the weight of each phrase of e */
	int nphr;     /* the query's own words, weight 1, first in e */
	int nw, cap;
	prf_term *pt; /* words of the best partial matches */
	size_t npt, cappt;
} expansion;

/*
 * The query's adjacent word pairs as phrases ("\"sales new\"", malloc'd),
 * up to max, into out; returns how many, or -1 out of memory (none kept).
 * Pairs skip the words the index leaves out: "sales of new handsets"
 * gives "sales new" and "new handsets", adjacent in the index as in the
 * query; "sales of" would only be "sales" again.  Two stop words make no
 * pair.  (nx_search__prefetch_pairs reads the same ones ahead.)
 */
int nx_search__pairs(nx_store *st, const nx_query *q, int max, char **out)
{
	int drop = nx_store__stoplist(st), n = 0;
	const char *a = NULL;
	size_t k = 0;

	for (k = 0; k < q->nterms && n < max && NX_BIGRAM_WEIGHT > 0; k++) {
		const char *b = q->terms[k];
		nx_buf e = NX_BUF_INIT;

		if (nx_tokenizer_dropped(b, strlen(b), drop))
			continue;
		if (a != NULL && !(nx_is_stopword(a, strlen(a), NULL) && nx_is_stopword(b, strlen(b), NULL))) {
			nx_buf_addf(&e, "\"%s %s\"", a, b);
			if (!nx_buf_ok(&e)) {
				nx_buf_free(&e);
				while (n > 0)
					free(out[--n]);
				return -1;
			}
			out[n++] = nx_buf_detach(&e);
		}
		a = b;
	}
	return n;
}

/* The most pairs an expansion of q takes: its weights' room after its words, at most 96 phrases in all. */
static int pairs_room(int nphr, const nx_query *q)
{
	int cap = nphr + (int)q->nterms + (int)NX_PRF_TERMS + 1, end = cap - (int)NX_PRF_TERMS - 1;

	return (end < 96 ? end : 96) - nphr;
}

int nx_search__pairs_max(const nx_query *q)
{
	return q->relaxed_pos != NULL ? pairs_room(count_phrases(q->relaxed_pos), q) : 0;
}

/* The query's words (weight 1), then its adjacent pairs as phrases. */
static int add_words(expansion *x, nx_store *st, const nx_query *q, const double *qw, int nqw)
{
	char **pairs = NULL;
	int i = 0, np = 0, room = 0;

	x->nphr = count_phrases(q->relaxed_pos);
	x->cap = x->nphr + (int)q->nterms + (int)NX_PRF_TERMS + 1;
	x->w = calloc((size_t)x->cap, sizeof(*x->w));
	if (x->w == NULL)
		return NX_ENOMEM;
	for (x->nw = 0; x->nw < x->nphr; x->nw++)
		x->w[x->nw] = qw != NULL && x->nw < nqw ? qw[x->nw] : 1.0;
	nx_buf_add(&x->e, q->relaxed_pos, strlen(q->relaxed_pos) - 1);
	room = pairs_room(x->nphr, q);
	if (room > 0 && ((pairs = calloc((size_t)room, sizeof(*pairs))) == NULL ||
			 (np = nx_search__pairs(st, q, room, pairs)) < 0)) {
		free(pairs);
		return NX_ENOMEM;
	}
	for (i = 0; i < np; i++) {
		nx_buf_addf(&x->e, " OR %s", pairs[i]);
		x->w[x->nw++] = NX_BIGRAM_WEIGHT;
		free(pairs[i]);
	}
	free(pairs);
	return nx_buf_ok(&x->e) ? NX_OK : NX_ENOMEM;
}

/* Add the words of best partial match number i (article id) to x->pt. */
static int add_doc_terms(expansion *x, sqlite3_stmt *doc, fts5_tokenizer *tk, Fts5Tokenizer *tok, int64_t id,
			 size_t i)
{
	tc_ctx tc;
	size_t k = 0, j = 0;
	int len = 0, rc = NX_OK;

	memset(&tc, 0, sizeof(tc));
	sqlite3_reset(doc);
	sqlite3_bind_int64(doc, 1, id);
	if (sqlite3_step(doc) == SQLITE_ROW) {
		const char *lang = (const char *)sqlite3_column_text(doc, 0);
		const char *title = (const char *)sqlite3_column_text(doc, 1);
		const char *body = (const char *)sqlite3_column_text(doc, 2);

		if (title != NULL)
			rc = nx_search__tokenize(tk, tok, lang, title, &tc);
		if (rc == NX_OK && body != NULL)
			rc = nx_search__tokenize(tk, tok, lang, body, &tc);
	}
	for (k = 0; k < tc.n; k++)
		len += tc.t[k].tf;
	for (k = 0; k < tc.n && rc == NX_OK && len > 0; k++) {
		prf_term *pt = x->pt;

		for (j = 0; j < x->npt; j++)
			if (strcmp(pt[j].term, tc.t[k].term) == 0)
				break;
		if (j == x->npt) {
			if (x->npt == x->cappt) {
				prf_term *np = realloc(pt, (x->cappt = x->cappt ? x->cappt * 2 : 256) * sizeof(*pt));

				if (np == NULL) {
					rc = NX_ENOMEM;
					break;
				}
				x->pt = pt = np;
			}
			memset(&pt[j], 0, sizeof(pt[j]));
			pt[j].term = tc.t[k].term;
			tc.t[k].term = NULL;
			pt[j].last_doc = -1;
			x->npt++;
		}
		pt[j].score += (double)tc.t[k].tf / len;
		if (pt[j].last_doc != (int)i) {
			pt[j].ndocs++;
			pt[j].last_doc = (int)i;
		}
	}
	nx_search__tc_free(&tc);
	return rc;
}

/* Each candidate's tf, and its first bound; the query's words and words of one document are out. */
static void init_bounds(expansion *x, const tc_ctx *qtc, int64_t ndocs)
{
	size_t i = 0, k = 0;

	for (i = 0; i < x->npt; i++) {
		prf_term *t = &x->pt[i];
		int isq = 0;

		for (k = 0; k < qtc->n && !isq; k++)
			isq = strcmp(qtc->t[k].term, t->term) == 0;
		t->ub = -1;
		t->tf = t->score;
		if (isq || t->ndocs < 2)
			t->score = 0;
		else
			t->ub = t->tf * log((double)(ndocs + 1) / 1.0);
	}
}

/* How feedback terms' documents are counted: the vocabulary, walks up to a limit, stored counts. */
typedef struct term_counter {
	sqlite3_stmt *df;     /* nx_search__vocab_df */
	sqlite3_stmt *upto;   /* nx_search__count_upto, NULL: none */
	sqlite3_stmt *stored; /* nx_impact__df, NULL: none */
	fts5_tokenizer *tk;
	Fts5Tokenizer *tok;
} term_counter;

/* t's documents as its impact list stored them, looked up once; -1 when it has none. */
static int64_t stored_rows(const term_counter *c, prf_term *t)
{
	if (!t->looked) {
		t->stored = nx_search__stored_df(c->stored, c->tk, c->tok, t->term);
		t->looked = 1;
	}
	return t->stored;
}

/*
 * score = tf times idf, the idf from the term's document count: a walk
 * of its list in the index, milliseconds for a common word, unless a
 * frequent term's count was stored with its impact list (the same
 * number, read instead: a count up to a limit is then the lesser of the
 * two, as the walk would stop).  Only the
 * NX_PRF_TERMS best scores are used, so the terms are taken in the
 * order of an upper bound of their score (at first the idf of one
 * document, lowered by partial counts) until the next bound is below
 * the NX_PRF_TERMS-th best score: the terms left could not be among
 * the best, they score 0.  (exhaustive, when the fast paths are off:
 * every term counted, for the tests.)
 */
static void score_terms(expansion *x, const term_counter *c, int64_t ndocs, int exhaustive)
{
	double best[NX_RANK_PRF_MAX];
	size_t nbest = 0, i = 0, k = 0;

	for (;;) {
		prf_term *t = NULL;
		int64_t d = -1, lim = 0;
		double idf = 0;

		if (NX_PRF_TERMS == 0)
			break;
		/* the term of highest bound not yet scored */
		for (i = 0; i < x->npt; i++)
			if (x->pt[i].ub >= 0 && !x->pt[i].done && (t == NULL || cmp_prf_ub(&x->pt[i], t) < 0))
				t = &x->pt[i];
		if (t == NULL || (nbest == NX_PRF_TERMS && t->ub < best[NX_PRF_TERMS - 1] && !exhaustive))
			break; /* the terms left could not be among the best */
		if (c->upto != NULL && !exhaustive && t->tf > 0) {
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
				d = stored_rows(c, t);
				d = d < 0 ? nx_search__count_upto(c->upto, t->term, lim) : d < lim ? d : lim;
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
		if (d < 0 && !exhaustive)
			d = stored_rows(c, t);
		if (d < 0)
			d = nx_search__vocab_df(c->df, t->term, strlen(t->term));
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
	for (i = 0; i < x->npt; i++)
		if (!x->pt[i].exact)
			x->pt[i].score = 0;
}

/* The NX_PRF_TERMS best scored words into the ranking group. */
static void add_feedback(expansion *x)
{
	double maxs = 0;
	size_t i = 0;
	int added = 0;

	qsort(x->pt, x->npt, sizeof(*x->pt), cmp_prf);
	maxs = x->npt > 0 ? x->pt[0].score : 0;
	for (i = 0; i < x->npt && added < (int)NX_PRF_TERMS && x->pt[i].score > 0 && x->nw < x->cap; i++) {
		const char *t = x->pt[i].term;

		nx_buf_adds(&x->e, " OR ");
		nx_fts5_quote(&x->e, t, strlen(t));
		x->w[x->nw] = NX_PRF_WEIGHT * x->pt[i].score / maxs;
		if (x->w[x->nw] >= 1.0)
			x->w[x->nw] = 0.999; /* weight 1 and more marks the query's own words */
		x->nw++;
		added++;
	}
}

/*
 * Pseudo-relevance feedback from the best partial matches c[0..nc): their
 * words scored, the best added to x.  Without two of them, or when the
 * index's tokenizer or vocabulary cannot be had, nothing is added.
 */
static int feedback(expansion *x, nx_store *st, const nx_query *q, const nx_search_opts *o, const cand *c,
		    size_t nc)
{
	fts5_tokenizer tk;
	Fts5Tokenizer *tok = NULL;
	sqlite3_stmt *s = NULL, *doc = NULL, *df = NULL, *upto = NULL, *stored = NULL;
	term_counter tcnt;
	tc_ctx qtc;
	int64_t ndocs = 1;
	size_t i = 0;
	int rc = NX_OK;

	memset(&qtc, 0, sizeof(qtc));
	if (nc < 2 || nx_search__tokenizer(st, &tk, &tok) != SQLITE_OK)
		goto done; /* no feedback terms: words and pairs only */
	if (nx_search__vocab_prepare(st, &df) != SQLITE_OK ||
	    sqlite3_prepare_v2(st->db, "SELECT lang, title, nx_inflate(body_z) FROM article WHERE id = ?1", -1, &doc,
			       NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(st->db, "SELECT count(*) FROM article", -1, &s, NULL) != SQLITE_OK)
		goto done;
	if (nx_search__upto_prepare(st, &upto) != SQLITE_OK)
		upto = NULL; /* every term counted whole */
	if (nx_impact__df_prepare(st->db, &stored) != SQLITE_OK)
		stored = NULL; /* no impact lists: every count walked */
	if (sqlite3_step(s) == SQLITE_ROW)
		ndocs = sqlite3_column_int64(s, 0);
	/* the query's own words, stemmed as the documents are */
	for (i = 0; i < q->nterms && rc == NX_OK; i++)
		rc = nx_search__tokenize(&tk, tok, "en", q->terms[i], &qtc);
	for (i = 0; i < nc && rc == NX_OK; i++)
		rc = add_doc_terms(x, doc, &tk, tok, c[i].id, i);
	if (rc < 0)
		goto done;
	init_bounds(x, &qtc, ndocs);
	tcnt = (term_counter){ .df = df, .upto = upto, .stored = stored, .tk = &tk, .tok = tok };
	score_terms(x, &tcnt, ndocs, nx_search__topk_off(o));
	add_feedback(x);
done:
	if (tok != NULL)
		tk.xDelete(tok);
	nx_search__tc_free(&qtc);
	sqlite3_finalize(s);
	sqlite3_finalize(doc);
	sqlite3_finalize(df);
	sqlite3_finalize(upto);
	sqlite3_finalize(stored);
	return rc;
}

/*
 * "(query words) AND (query words OR pairs OR feedback words)": the
 * hits are still the articles holding a query word (the first group,
 * weight 0, only selects); the second group ranks.
 */
static int finish(const expansion *x, const nx_query *q, char **out_expr, double **out_w, int *out_nw)
{
	nx_buf full = NX_BUF_INIT;
	double *w2 = calloc((size_t)(x->nphr + x->nw), sizeof(*w2));

	nx_buf_addf(&full, "%s AND %s)%s", q->relaxed_pos, x->e.buf, q->negs != NULL ? q->negs : "");
	if (w2 == NULL || !nx_buf_ok(&full)) {
		free(w2);
		nx_buf_free(&full);
		return NX_ENOMEM;
	}
	memcpy(w2 + x->nphr, x->w, (size_t)x->nw * sizeof(*x->w));
	*out_expr = nx_buf_detach(&full);
	*out_w = w2;
	*out_nw = x->nphr + x->nw;
	return NX_OK;
}

int nx_search__expand(nx_store *st, plan *p, const nx_search_opts *o, const nx_query *q, char **out_expr,
		      double **out_w, int *out_nw, nx_error *err)
{
	expansion x;
	nx_buf first = NX_BUF_INIT;
	cand *c = NULL;
	size_t nc = 0, i = 0;
	int rc = NX_OK;
	nx_search_opts o1 = *o;

	*out_expr = NULL;
	*out_w = NULL;
	*out_nw = 0;
	memset(&x, 0, sizeof(x));
	nx_buf_init(&x.e);
	o1.recent = 0;
	if (add_words(&x, st, q, p->qw, p->nqw) < 0)
		goto oom;
	nx_buf_addf(&first, "%s%s", q->relaxed_pos, q->negs != NULL ? q->negs : "");
	if (!nx_buf_ok(&first))
		goto oom;
	/* first pass: the best partial matches by the words and pairs */
	p->weights = x.w;
	p->nweights = x.nphr;
	rc = nx_search__candidates(st, p, &o1, first.buf, 1, NX_PRF_DOCS, &c, &nc, err);
	p->weights = NULL;
	p->nweights = 0;
	if (rc < 0)
		goto done;
	if (feedback(&x, st, q, o, c, nc) < 0 || finish(&x, q, out_expr, out_w, out_nw) < 0)
		goto oom;
	goto done;
oom:
	rc = nx_error_set(err, NX_ENOMEM, "out of memory");
done:
	for (i = 0; i < x.npt; i++)
		free(x.pt[i].term);
	free(x.pt);
	free(x.w);
	nx_buf_free(&x.e);
	nx_buf_free(&first);
	nx_search__cands_free(c, nc);
	return rc;
}

void nx_search__prefetch_pairs(nx_store *st, plan *p, const nx_search_opts *o, const nx_query *q, int ranks)
{
	char **pairs = NULL;
	sqlite3 *db2 = NULL;
	int i = 0, n = 0, max = 0;

	/* the conditions of some_candidates' expansion, and of the fast path that ranks it */
	if (!ranks || p->prefetch != NULL || q == NULL || q->relaxed_pos == NULL || q->nunits < NX_PRF_MIN_UNITS ||
	    o->sort != NX_SORT_RELEVANCE || o->all_revisions || o->one_thread || !nx_search__topk_fits(o) ||
	    (max = nx_search__pairs_max(q)) < 1 || (db2 = nx_store__db2(st)) == NULL)
		return;
	if ((pairs = calloc((size_t)max, sizeof(*pairs))) == NULL || (n = nx_search__pairs(st, q, max, pairs)) < 1) {
		free(pairs);
		return; /* (out of memory: the ranking reads them, and meets it) */
	}
	if (p->budget != NULL) {
		p->budget2 = *p->budget;
		nx_search__budget_watch(db2, &p->budget2);
	}
	if (nx_topk__prefetch_start(&p->prefetch, db2, nx_search__colw(st), 4, pairs, n) != SQLITE_OK ||
	    p->prefetch == NULL)
		nx_search__budget_watch(db2, NULL);
	for (i = 0; i < n; i++)
		free(pairs[i]);
	free(pairs);
}

void nx_search__prefetch_drop(nx_store *st, plan *p)
{
	if (p->prefetch == NULL)
		return;
	nx_topk__prefetch_free(p->prefetch);
	p->prefetch = NULL;
	nx_search__budget_watch(st->db2, NULL); /* p's budget goes with the search */
}

int nx_search__prefetch_take(nx_store *st, plan *p, nx_error *err)
{
	int rc = SQLITE_OK, handed = 0, set_aside = 0;

	if (p->prefetch == NULL)
		return NX_OK;
	rc = nx_topk__prefetch_finish(p->prefetch, st->db, &p->cache, &handed, &set_aside);
	nx_topk__prefetch_free(p->prefetch);
	p->prefetch = NULL;
	nx_search__budget_watch(st->db2, NULL);
	if (p->budget != NULL && p->budget2.stopped && !p->budget->stopped)
		p->budget->stopped = p->budget2.stopped;
	if (rc == SQLITE_NOMEM)
		return nx_error_set(err, NX_ENOMEM, "out of memory");
	return rc == SQLITE_OK ? NX_OK : nx_store__dberr(st, err, "cannot search the index (word pairs)");
}

int nx_search__read_shared(nx_store *st, plan *p, const nx_search_opts *o, const char *expr, nx_error *err)
{
	sqlite3 *db2 = NULL;
	int rc = SQLITE_OK, handed = 0, ng1 = 0;

	if (o->one_thread || !nx_search__topk_fits(o) || p->prefetch != NULL || nx_topk__or_shape(expr, &ng1) < 2 ||
	    (db2 = nx_store__db2(st)) == NULL)
		return NX_OK;
	if (p->budget != NULL) {
		p->budget2 = *p->budget;
		nx_search__budget_watch(db2, &p->budget2);
	}
	rc = nx_topk__read_shared(st->db, db2, &p->cache, expr, nx_search__colw(st), 4, &handed);
	nx_search__budget_watch(db2, NULL);
	if (p->budget != NULL && p->budget2.stopped && !p->budget->stopped)
		p->budget->stopped = p->budget2.stopped;
	if (rc == SQLITE_NOMEM)
		return nx_error_set(err, NX_ENOMEM, "out of memory");
	return rc == SQLITE_OK ? NX_OK : nx_store__dberr(st, err, "cannot search the index (feedback words)");
}

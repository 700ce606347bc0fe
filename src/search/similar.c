/*
 * similar.c - articles most like a given one: its most distinctive words
 * (tf-idf) searched with OR.
 */
#include "search/search_private.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "article/lang.h"
#include "index/impact.h"
#include "index/tokenizer.h"
#include "util/text.h"

static int cmp_weight(const void *a, const void *b)
{
	const term_count *x = a, *y = b;

	return x->w < y->w ? 1 : x->w > y->w ? -1 : strcmp(x->term, y->term);
}

/* The body's rarest words ANDed to find the article's copies. */
#define NX_SIMILAR_COPY_WORDS 16

/*
 * The article and its exact copies as rowid bits for the fast paths
 * (p->flt), where a test by id in SQL of each of the OR's rows (hundreds
 * of thousands) costs more than the whole search.  A copy has the same
 * body, so holds every word of it (body: their AND, rarest first): the
 * copies are among its rows, tested in one statement (few for most
 * articles; for a body of a few common words, still no more than the OR
 * has).  A copy indexed in another language may stem them otherwise and
 * be missed here: the winners are tested again in SQL (candidates.c),
 * only the total may count it.
 * 1: made, 0: not (SQL tests each row, as before), -1: out of memory.
 */
static int exclude_bits(nx_store *st, plan *p, const char *body)
{
	plan ex;
	sq q;
	sqlite3_stmt *s = NULL;
	nx_error err = NX_ERROR_INIT;
	int64_t maxid = 0, id = 0;
	size_t words = 0;
	int rc = 0, step = SQLITE_DONE;

	if (body == NULL || nx_filter_active(p->f[1]))
		return 0;
	if (sqlite3_prepare_v2(st->db, "SELECT max(id) FROM article", -1, &s, NULL) == SQLITE_OK &&
	    sqlite3_step(s) == SQLITE_ROW)
		maxid = sqlite3_column_int64(s, 0);
	sqlite3_finalize(s);
	s = NULL;
	if (maxid < 1)
		return 0;
	memset(&ex, 0, sizeof(ex));
	memset(&q, 0, sizeof(q));
	nx_buf_init(&q.sql);
	ex.exclude_id = p->exclude_id;
	ex.exclude_hash = p->exclude_hash;
	/* the rows holding the body's words that the filters leave out: the article and its copies */
	nx_buf_adds(&q.sql, "SELECT a.id FROM fts f JOIN article a ON a.id = f.rowid WHERE fts MATCH ");
	nx_search__sq_text(&q, body);
	nx_buf_adds(&q.sql, " AND NOT coalesce(1");
	nx_search__add_filters(&q, &ex, "a");
	nx_buf_adds(&q.sql, ", 0)");
	if (nx_search__sq_prepare(st, &q, &s, &err) < 0)
		goto done;
	words = (size_t)(maxid >> 6) + 1;
	if ((p->bits = malloc(words * sizeof(*p->bits))) == NULL) {
		rc = -1;
		goto done;
	}
	memset(p->bits, 0xff, words * sizeof(*p->bits));
	if (p->exclude_id > 0 && p->exclude_id <= maxid)
		p->bits[p->exclude_id >> 6] &= ~((uint64_t)1 << (p->exclude_id & 63));
	while ((step = sqlite3_step(s)) == SQLITE_ROW)
		if ((id = sqlite3_column_int64(s, 0)) > 0 && id <= maxid)
			p->bits[id >> 6] &= ~((uint64_t)1 << (id & 63));
	if (step != SQLITE_DONE) {
		free(p->bits);
		p->bits = NULL;
		goto done;
	}
	p->flt.bits = p->bits;
	p->flt.nbits = (int64_t)words * 64;
	p->flt.keep = NULL;
	p->flt.ctx = NULL;
	p->flt_state = 1;
	rc = 1;
done:
	sqlite3_finalize(s);
	nx_buf_free(&q.sql);
	nx_search__plan_free(&ex);
	nx_error_clear(&err);
	return rc;
}

static int cmp_df(const void *a, const void *b)
{
	const term_count *x = a, *y = b;

	return x->w < y->w ? -1 : x->w > y->w ? 1 : strcmp(x->term, y->term);
}

/* The AND of the body's rarest words (their rows from tc and dfs, in body's w); NULL: none or no memory. */
static char *body_words(tc_ctx *body, const tc_ctx *tc, const int64_t *dfs)
{
	nx_buf e = NX_BUF_INIT;
	size_t i = 0, j = 0, n = 0;

	for (i = 0; i < body->n; i++) {
		body->t[i].w = -1;
		for (j = 0; j < tc->n; j++)
			if (strcmp(body->t[i].term, tc->t[j].term) == 0) {
				body->t[i].w = (double)dfs[j];
				break;
			}
	}
	qsort(body->t, body->n, sizeof(*body->t), cmp_df);
	for (i = 0; i < body->n && n < NX_SIMILAR_COPY_WORDS; i++) {
		if (body->t[i].w < 1)
			continue;
		if (n++ > 0)
			nx_buf_adds(&e, " AND ");
		nx_fts5_quote(&e, body->t[i].term, strlen(body->t[i].term));
	}
	if (n == 0) {
		nx_buf_free(&e);
		return NULL;
	}
	return nx_buf_detach(&e);
}

static int similar_in(nx_results **out, nx_store *st, const char *ref, const nx_search_opts *opts,
		      nx_budget *b, nx_error *err)
{
	nx_search_opts defaults = NX_SEARCH_OPTS_INIT;
	nx_results *r = NULL;
	nx_article *a = NULL;
	fts5_tokenizer tk;
	Fts5Tokenizer *tok = NULL;
	sqlite3_stmt *s = NULL, *df = NULL, *stored = NULL;
	nx_buf text = NX_BUF_INIT, expr = NX_BUF_INIT, btext = NX_BUF_INIT;
	tc_ctx tc, btc;
	int64_t *dfs = NULL;
	char *band = NULL;
	int bits = 0;
	char *body = NULL, hash[65];
	int64_t id = 0, ndocs = 1;
	size_t i = 0, used = 0;
	plan p;
	int rc = NX_OK;

	*out = NULL;
	memset(&tc, 0, sizeof(tc));
	memset(&btc, 0, sizeof(btc));
	memset(&p, 0, sizeof(p));
	p.budget = b;
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
	/* and the body's alone, which its copies share (exclude_bits) */
	nx_lang_mark(&btext, a->lang, body, strlen(body));
	if (!nx_buf_ok(&text) || !nx_buf_ok(&btext))
		goto oom;
	if (nx_search__tokenizer(st, &tk, &tok) != SQLITE_OK) {
		rc = nx_store__dberr(st, err, "cannot read the article's words");
		goto done;
	}
	tk.xTokenize(tok, &tc, FTS5_TOKENIZE_DOCUMENT, text.buf, (int)text.len, nx_search__collect_token);
	tk.xTokenize(tok, &btc, FTS5_TOKENIZE_DOCUMENT, btext.buf, (int)btext.len, nx_search__collect_token);
	if (tc.oom || btc.oom || (dfs = calloc(tc.n + 1, sizeof(*dfs))) == NULL)
		goto oom;
	/* weight by tf-idf from the index vocabulary */
	if (nx_impact__df_prepare(st->db, &stored) != SQLITE_OK)
		stored = NULL; /* no impact lists: every count walked */
	if (nx_search__vocab_prepare(st, &df) != SQLITE_OK) {
		rc = nx_store__dberr(st, err, "cannot read the index vocabulary");
		goto done;
	}
	if (sqlite3_prepare_v2(st->db, "SELECT count(*) FROM article", -1, &s, NULL) == SQLITE_OK &&
	    sqlite3_step(s) == SQLITE_ROW)
		ndocs = sqlite3_column_int64(s, 0);
	sqlite3_finalize(s);
	s = NULL;
	for (i = 0; i < tc.n; i++) {
		/* a frequent word's count stored with its list, else its doclist walked (fts5vocab) */
		int64_t d = nx_search__stored_df(stored, &tk, tok, tc.t[i].term);

		if (d < 0)
			d = nx_search__vocab_df(df, tc.t[i].term, strlen(tc.t[i].term));
		dfs[i] = d;

		/* words in one article only (this one) say nothing about others */
		tc.t[i].w = d <= 1 ? 0 : (1.0 + log((double)tc.t[i].tf)) * log((double)(ndocs + 1) / (double)d);
	}
	band = body_words(&btc, &tc, dfs);
	qsort(tc.t, tc.n, sizeof(*tc.t), cmp_weight);
	/* in parentheses: the shape the fast paths rank and count (nx_topk__or_shape) */
	nx_buf_addch(&expr, '(');
	for (i = 0; i < tc.n && used < 20; i++) {
		const char *t = tc.t[i].term;

		if (tc.t[i].w <= 0)
			break;
		if (used > 0)
			nx_buf_adds(&expr, " OR ");
		nx_fts5_quote(&expr, t, strlen(t));
		used++;
	}
	nx_buf_addch(&expr, ')');
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
		p.or_strict = 1;
		/*
		 * no bits (a filter given, or no body): the fast paths would test
		 * the filters in SQL for each of the OR's rows, more than the SQL
		 * path's own join costs: nx_rank in SQL, as they would rank
		 */
		if ((bits = exclude_bits(st, &p, band)) < 0)
			goto oom;
		if (bits == 0)
			o.fast_paths = NX_FAST_PATHS_OFF;
		if ((rc = nx_search__run(r, st, NULL, expr.buf, NULL, &p, &o, err)) < 0)
			goto done;
	}
	*out = r;
	r = NULL;
	goto done;
oom:
	rc = nx_error_set(err, NX_ENOMEM, "out of memory");
done:
	nx_search__tc_free(&tc);
	nx_search__tc_free(&btc);
	free(dfs);
	free(band);
	nx_buf_free(&btext);
	sqlite3_finalize(df);
	sqlite3_finalize(stored);
	if (tok != NULL)
		tk.xDelete(tok);
	nx_buf_free(&text);
	nx_buf_free(&expr);
	free(body);
	nx_article_free(a);
	nx_results_free(r);
	nx_search__plan_free(&p);
	return rc;
}

int nx_search_similar(nx_results **out, nx_store *st, const char *ref, const nx_search_opts *opts, nx_error *err)
{
	return nx_search__guarded(out, st, ref, opts, similar_in, err);
}

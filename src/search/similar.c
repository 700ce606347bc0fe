/*
 * similar.c - articles most like a given one: its most distinctive words
 * (tf-idf) searched with OR.
 */
#include "search/search_private.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "article/lang.h"
#include "index/tokenizer.h"
#include "util/text.h"

static int cmp_weight(const void *a, const void *b)
{
	const term_count *x = a, *y = b;

	return x->w < y->w ? 1 : x->w > y->w ? -1 : strcmp(x->term, y->term);
}

static int similar_in(nx_results **out, nx_store *st, const char *ref, const nx_search_opts *opts,
		      nx_budget *b, nx_error *err)
{
	nx_search_opts defaults = NX_SEARCH_OPTS_INIT;
	nx_results *r = NULL;
	nx_article *a = NULL;
	fts5_tokenizer tk;
	Fts5Tokenizer *tok = NULL;
	sqlite3_stmt *s = NULL, *df = NULL;
	nx_buf text = NX_BUF_INIT, expr = NX_BUF_INIT;
	tc_ctx tc;
	char *body = NULL, hash[65];
	int64_t id = 0, ndocs = 1;
	size_t i = 0, used = 0;
	plan p;
	int rc = NX_OK;

	*out = NULL;
	memset(&tc, 0, sizeof(tc));
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
	if (!nx_buf_ok(&text))
		goto oom;
	if (nx_search__tokenizer(st, &tk, &tok) != SQLITE_OK) {
		rc = nx_store__dberr(st, err, "cannot read the article's words");
		goto done;
	}
	tk.xTokenize(tok, &tc, FTS5_TOKENIZE_DOCUMENT, text.buf, (int)text.len, nx_search__collect_token);
	tk.xDelete(tok);
	if (tc.oom)
		goto oom;
	/* weight by tf-idf from the index vocabulary */
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
		int64_t d = nx_search__vocab_df(df, tc.t[i].term, strlen(tc.t[i].term));

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
	sqlite3_finalize(df);
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

/*
 * topk_count.c - nx_topk__or_count: the rows of an OR of phrases counted
 * from their rowids alone (see topk.h).
 *
 * nx_topk__rank reads each phrase's list with its positions (the weighted
 * count and the extent of every row) because its ranking needs them.  When
 * the strict query fills the page no ranking of the relaxed query follows,
 * and its total is all that is asked: then a bit per rowid is enough.
 * nx_topk__rank asked for a count alone (k 0) does just that
 * (nx_topk__count_lists, below: each phrase's rows marked in the
 * bitmap of its group, from the word's impact set when it has one, and
 * the rows in both groups that pass the filter counted a 64-bit word at a
 * time), into a cache of lists thrown away here.  The lists it walks
 * (words without a set, phrases of several words) are taken in turn by
 * this thread and, on the search's second connection, by another.
 */
#include "search/topk_rank_private.h"
#include "search/search_private.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

int nx_topk__count_band = 1;

/*
 * A filter whose rows lie in a band of rowids (a published range of an
 * archive added in date order, topk_band.c): FTS5 matches expr in the
 * band alone, seeking to it, and the rows that pass are counted, where the
 * lists would be read whole.  No row outside the band passes, so the
 * count is the whole one.
 */
static int band_count(sqlite3 *db, const char *expr, const nx_topk_filter *flt, int64_t lo, int64_t hi,
		      int64_t *total, nx_topk_stats *st)
{
	sqlite3_stmt *s = NULL;
	int rc = sqlite3_prepare_v2(db, "SELECT rowid FROM fts WHERE fts MATCH ?1 AND rowid BETWEEN ?2 AND ?3", -1, &s,
				    NULL);
	int pass = 0;

	if (rc != SQLITE_OK)
		return rc;
	sqlite3_bind_text(s, 1, expr, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 2, lo);
	sqlite3_bind_int64(s, 3, hi);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		st->rows++;
		if ((pass = passes(flt, sqlite3_column_int64(s, 0), st)) < 0)
			break;
		*total += pass;
	}
	sqlite3_finalize(s);
	return rc == SQLITE_DONE ? SQLITE_OK : pass < 0 ? SQLITE_ERROR : rc;
}

int nx_topk__or_count(sqlite3 *db, sqlite3 *db2, const char *expr, const nx_topk_filter *flt, int64_t *total,
		      nx_topk_stats *stats)
{
	static const double nocolw[1] = { 0 }; /* counts need no column weights */
	nx_topk_tune tune = NX_TOPK_TUNE_INIT;
	nx_topk_cache *c = NULL;
	nx_topk_hit *none = NULL;
	nx_topk_stats st;
	size_t nnone = 0;
	int64_t lo = 0, hi = 0;
	int ng1 = 0, rc = SQLITE_OK, band = 0;

	*total = 0;
	if (nx_topk__or_shape(expr, &ng1) < 1)
		return SQLITE_RANGE;
	if (nx_topk__count_band && (band = nx_topk__filter_band(db, flt, &lo, &hi)) != 0) {
		memset(&st, 0, sizeof(st));
		rc = band < 0 ? SQLITE_OK : band_count(db, expr, flt, lo, hi, total, &st);
		if (stats != NULL)
			*stats = st;
		if (rc != SQLITE_OK)
			*total = 0;
		return rc;
	}
	tune.count_db2 = db2;
	rc = nx_topk__rank(db, &c, expr, nocolw, 0, nocolw, 0, flt, 0, &none, &nnone, total, stats, &tune);
	free(none);
	nx_topk__cache_free(c);
	if (rc != SQLITE_OK)
		*total = 0;
	return rc;
}

/* -- counted lists: the rows of an OR of phrases from their rowids ---------- */

/* Rowids, in the order given. */
typedef struct count_rows {
	int64_t *r;
	size_t n, cap;
} count_rows;

/* nx_search__rows_above's callback: rowid appended to the count_rows ud, 0 or -1 out of memory. */
static int count_rows_add(void *ud, int64_t rowid)
{
	count_rows *a = ud;

	if (a->n == a->cap) {
		size_t cap = a->cap ? 2 * a->cap : 256;
		int64_t *r = realloc(a->r, cap * sizeof(*r));

		if (r == NULL)
			return -1;
		a->r = r;
		a->cap = cap;
	}
	a->r[a->n++] = rowid;
	return 0;
}

/* What aux_count fills: a bitmap of rows for each group, each phrase's count. */
typedef struct count_lists_state {
	nx_topk_cache *c;
	const int *which;
	int n, ng1;
	uint64_t *b[2];
	size_t nw[2];
	uint64_t *set[NX_TOPK_MAX_RANK_PHRASES]; /* the rows of phrase i from its impact set, or NULL */
	size_t setn[NX_TOPK_MAX_RANK_PHRASES];
	count_rows above[NX_TOPK_MAX_RANK_PHRASES]; /* a set made before additions: the rows added since */
	int g;         /* the bitmap the phrase being read marks */
	int64_t rows;  /* its rows */
	/* the phrases walked (no set, not read), taken in turn by two threads (next), or NULL: each in order */
	const int *walk;
	int nwalk;
	atomic_int *next;
	/* the words of several tokens (forms[i]), walked token by token before, taken in turn (next_form) */
	const nx_topk_forms *forms;
	const int *formj;
	int nform;
	atomic_int *next_form;
	unsigned char skip[NX_TOPK_MAX_RANK_PHRASES]; /* phrase i counted before the pass (its forms): none there */
	int side;      /* 1: a side's state (count_side): the walks taken alone, their rows into nrows, c untouched */
	int64_t nrows[NX_TOPK_MAX_RANK_PHRASES]; /* a side's: the rows of phrase i, -1: not walked */
	unsigned char took[NX_TOPK_MAX_RANK_PHRASES]; /* a side's: phrase i taken (done, or failed midway) */
	int called;
	int rc;
} count_lists_state;

int nx_topk__bits_room(uint64_t **b, size_t *nb, size_t at)
{
	if (at >= *nb) {
		size_t nw = *nb ? *nb : 1024;
		uint64_t *w = NULL;

		while (nw <= at)
			nw *= 2;
		if ((w = realloc(*b, nw * sizeof(*w))) == NULL)
			return SQLITE_NOMEM;
		memset(w + *nb, 0, (nw - *nb) * sizeof(*w));
		*b = w;
		*nb = nw;
	}
	return SQLITE_OK;
}

/* Bitmap g of t with word at in it. */
static int count_room(count_lists_state *t, int g, size_t at)
{
	return nx_topk__bits_room(&t->b[g], &t->nw[g], at);
}

/* Mark rowid in bitmap g of t. */
static int count_mark(count_lists_state *t, int g, int64_t rowid)
{
	size_t at = 0;
	int rc = SQLITE_OK;

	if (rowid < 0 || rowid >= NX_COUNT_MAX_ROWID)
		return SQLITE_RANGE;
	at = (size_t)(rowid >> 6);
	if ((rc = count_room(t, g, at)) != SQLITE_OK)
		return rc;
	t->b[g][at] |= (uint64_t)1 << (rowid & 63);
	return SQLITE_OK;
}

/* The rows of set (nw words) into bitmap g of t. */
static int count_set(count_lists_state *t, int g, const uint64_t *set, size_t nw)
{
	size_t i = 0;
	int rc = SQLITE_OK;

	while (nw > 0 && set[nw - 1] == 0)
		nw--;
	if (nw > 0 && (rc = count_room(t, g, nw - 1)) != SQLITE_OK)
		return rc;
	for (i = 0; i < nw; i++)
		t->b[g][i] |= set[i];
	return SQLITE_OK;
}

/* xQueryPhrase callback: one row of the phrase being counted */
static int count_one(const Fts5ExtensionApi *api, Fts5Context *fctx, void *ud)
{
	count_lists_state *t = ud;

	t->rows++;
	return count_mark(t, t->g, api->xRowid(fctx));
}

/* Phrase i's rows walked into t's bitmap of its group, and its count kept (in the list, or a side's nrows). */
static void count_walk(const Fts5ExtensionApi *api, Fts5Context *fctx, count_lists_state *t, int i)
{
	t->g = i < t->ng1 ? 0 : 1;
	t->rows = 0;
	if (t->side)
		t->took[i] = 1;
	if ((t->rc = api->xQueryPhrase(fctx, i, t, count_one)) != SQLITE_OK)
		return;
	if (t->side) {
		t->nrows[i] = t->rows;
	} else {
		t->c->l[t->which[i]].n = (size_t)t->rows;
		t->c->l[t->which[i]].counted = 1;
	}
}

/* nx_topk_countlists(fts, state): on the first row, the totals and every phrase's rows marked */
static void aux_count(const Fts5ExtensionApi *api, Fts5Context *fctx, sqlite3_context *ctx, int nval,
		      sqlite3_value **vals)
{
	count_lists_state *t = nx_topk__aux_state(ctx, nval, vals, "nx_topk_countlists");
	int i = 0;
	size_t p = 0;

	if (t == NULL)
		return;
	if (!t->called && t->rc == SQLITE_OK) {
		t->called = 1;
		if (!t->side)
			t->rc = nx_topk__read_totals(api, fctx, t->c);
		if (t->rc == SQLITE_OK && api->xPhraseCount(fctx) != t->n)
			t->rc = SQLITE_RANGE; /* FTS5 parsed other phrases: counted otherwise */
		for (i = 0; !t->side && t->rc == SQLITE_OK && i < t->n; i++) {
			topk_list *l = &t->c->l[t->which[i]];

			t->g = i < t->ng1 ? 0 : 1;
			if (l->done) { /* read already: its rowids */
				for (p = 0; t->rc == SQLITE_OK && p < l->n; p++)
					t->rc = count_mark(t, t->g, l->rowid[p]);
				continue;
			}
			if (t->set[i] != NULL) { /* its impact set (and the rows added since): the rows without a walk */
				if ((t->rc = count_set(t, t->g, t->set[i], t->setn[i])) == SQLITE_OK) {
					for (p = 0; t->rc == SQLITE_OK && p < t->above[i].n; p++)
						t->rc = count_mark(t, t->g, t->above[i].r[p]);
					l->n = nx_topk__bits_count(t->set[i], t->setn[i]) + t->above[i].n;
					l->counted = 1;
				}
				continue;
			}
			if (t->next == NULL && !t->skip[i])
				count_walk(api, fctx, t, i);
		}
		/* the walks shared with the other thread: the next one not taken, until none is left */
		while (t->next != NULL && t->rc == SQLITE_OK) {
			int j = atomic_fetch_add(t->next, 1);

			if (j >= t->nwalk)
				break;
			count_walk(api, fctx, t, t->walk[j]);
		}
	}
	nx_topk__aux_result(ctx, t->rc);
}

/* Phrase i of several tokens, its forms' rows (nx_topk__forms_rows on db) into t's bitmap and count. */
static int form_job(sqlite3 *db, count_lists_state *t, int i)
{
	uint64_t *w = NULL;
	size_t nw = 0;
	int rc = SQLITE_OK;

	if (t->side)
		t->took[i] = 1;
	if ((rc = nx_topk__forms_rows(db, &t->forms[i], &w, &nw)) == SQLITE_OK &&
	    (rc = count_set(t, i < t->ng1 ? 0 : 1, w, nw)) == SQLITE_OK) {
		t->skip[i] = 1;
		if (t->side) {
			t->nrows[i] = (int64_t)nx_topk__bits_count(w, nw);
		} else {
			t->c->l[t->which[i]].n = nx_topk__bits_count(w, nw);
			t->c->l[t->which[i]].counted = 1;
		}
	}
	free(w);
	return rc;
}

/* The form jobs of t taken in turn (next_form) until none is left: an SQLite code. */
static int take_forms(sqlite3 *db, count_lists_state *t)
{
	int rc = SQLITE_OK;

	while (rc == SQLITE_OK) {
		int j = atomic_fetch_add(t->next_form, 1);

		if (j >= t->nform)
			break;
		rc = form_job(db, t, t->formj[j]);
	}
	return rc;
}

/*
 * A count's second thread: it takes walks in turn with the caller, on
 * db2 in a read transaction of its own, into bitmaps of its own; its
 * index (FTS5's structure and averages records) is compared with the
 * caller's when both are done.
 */
typedef struct count_side {
	count_lists_state t;
	sqlite3 *db;
	const char *expr;
	void *structure;
	int nstructure;
	pthread_t th;
	int th_joined;
	int rc;
} count_side;

static void *count_thread(void *arg)
{
	count_side *s = arg;
	int rc = sqlite3_exec(s->db, "BEGIN", NULL, NULL, NULL);

	if (rc == SQLITE_OK) {
		/* one snapshot for the records, the forms and the walks */
		if ((rc = nx_topk__read_structure(s->db, &s->structure, &s->nstructure)) == SQLITE_OK &&
		    (rc = take_forms(s->db, &s->t)) == SQLITE_OK && s->t.nwalk > 0)
			rc = nx_topk__run_aux(s->db, "nx_topk_countlists", s->expr, &s->t, &s->t.rc);
		if (sqlite3_exec(s->db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK)
			sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
	}
	s->rc = rc;
	return NULL;
}

static atomic_size_t count_again; /* counts whose side's walks were walked again (tests) */

size_t nx_topk__count_again(void)
{
	return atomic_load(&count_again);
}

static atomic_int side_first; /* tests: the caller waits for the thread to take every form and walk */

void nx_topk__count_side_first(int on)
{
	atomic_store(&side_first, on);
}

/* A side's state for t's count (its walks: walk, nwalk, shared by next; its forms: t's formj, nform, next_form). */
static void side_init(count_side *s, const count_lists_state *t, sqlite3 *db, const char *expr, const int *walk,
		      int nwalk, atomic_int *next)
{
	int i = 0;

	memset(s, 0, sizeof(*s));
	s->db = db;
	s->expr = expr;
	s->t.c = t->c;
	s->t.which = t->which;
	s->t.n = t->n;
	s->t.ng1 = t->ng1;
	s->t.walk = walk;
	s->t.nwalk = nwalk;
	s->t.next = next;
	s->t.forms = t->forms;
	s->t.formj = t->formj;
	s->t.nform = t->nform;
	s->t.next_form = t->next_form;
	s->t.side = 1;
	for (i = 0; i < t->n; i++)
		s->t.nrows[i] = -1;
}

/* side's bitmaps ORed into t's, its counts into the lists: SQLITE_OK or SQLITE_NOMEM. */
static int side_merge(count_lists_state *t, const count_side *side)
{
	size_t at = 0;
	int g = 0, i = 0, rc = SQLITE_OK;

	for (g = 0; g < 2 && rc == SQLITE_OK; g++) {
		if (side->t.nw[g] > 0 && (rc = count_room(t, g, side->t.nw[g] - 1)) != SQLITE_OK)
			break;
		for (at = 0; at < side->t.nw[g]; at++)
			t->b[g][at] |= side->t.b[g][at];
	}
	for (i = 0; i < t->n; i++)
		if (side->t.nrows[i] >= 0) {
			t->c->l[t->which[i]].n = (size_t)side->t.nrows[i];
			t->c->l[t->which[i]].counted = 1;
		}
	return rc;
}

static void side_free(count_side *s)
{
	free(s->t.b[0]);
	free(s->t.b[1]);
	free(s->structure);
}

/*
 * The forms and walks of t's count shared with a thread on db2: each
 * takes them in turn.  After both: its bitmaps ORed into t's when it read
 * the index db reads (the same records) and did not fail; else what it
 * took done again here, on db.  Returns an SQLite code.
 */
static int count_shared(sqlite3 *db, sqlite3 *db2, count_lists_state *t, const char *expr, const int *walk,
			int nwalk)
{
	count_side side, again;
	atomic_int next, next2, form2;
	void *mine = NULL;
	int nmine = 0, rc = SQLITE_OK, i = 0, nredo = 0, nredof = 0;
	int redo[NX_TOPK_MAX_RANK_PHRASES], redof[NX_TOPK_MAX_RANK_PHRASES];

	atomic_init(&next, 0);
	side_init(&side, t, db2, expr, walk, nwalk, &next);
	if (nx_topk__aux(db2, "nx_topk_countlists", aux_count) != SQLITE_OK ||
	    pthread_create(&side.th, NULL, count_thread, &side) != 0) {
		side_free(&side);
		if ((rc = take_forms(db, t)) != SQLITE_OK) /* every form here, then the walks in the pass */
			return rc;
		return nx_topk__run_aux(db, "nx_topk_countlists", expr, t, &t->rc);
	}
	t->walk = walk;
	t->nwalk = nwalk;
	t->next = &next;
	if (atomic_load(&side_first)) {
		pthread_join(side.th, NULL);
		side.th_joined = 1;
	}
	if ((rc = nx_topk__read_structure(db, &mine, &nmine)) == SQLITE_OK && (rc = take_forms(db, t)) == SQLITE_OK)
		rc = nx_topk__run_aux(db, "nx_topk_countlists", expr, t, &t->rc);
	if (rc != SQLITE_OK || !t->called) {
		/* nothing more to take (no row: nothing to count) */
		atomic_store(t->next_form, t->nform);
		atomic_store(&next, nwalk);
	}
	if (!side.th_joined)
		pthread_join(side.th, NULL);
	if (rc == SQLITE_OK && t->called) {
		if (side.rc == SQLITE_OK && side.nstructure == nmine && side.structure != NULL &&
		    memcmp(side.structure, mine, (size_t)nmine) == 0) {
			rc = side_merge(t, &side);
		} else {
			/* failed, or a writer committed between: what it took, done here */
			atomic_fetch_add(&count_again, 1);
			for (i = 0; i < t->n; i++)
				if (side.t.took[i] && t->forms != NULL && t->forms[i].n > 0)
					redof[nredof++] = i;
				else if (side.t.took[i])
					redo[nredo++] = i;
			atomic_init(&next2, 0);
			atomic_init(&form2, 0);
			side_init(&again, t, db, expr, redo, nredo, &next2);
			again.t.formj = redof;
			again.t.nform = nredof;
			again.t.next_form = &form2;
			if ((rc = take_forms(db, &again.t)) == SQLITE_OK && nredo > 0)
				rc = nx_topk__run_aux(db, "nx_topk_countlists", expr, &again.t, &again.t.rc);
			if (rc == SQLITE_OK)
				rc = side_merge(t, &again);
			side_free(&again);
		}
	}
	side_free(&side);
	free(mine);
	return rc;
}

int nx_topk__count_lists(sqlite3 *db, sqlite3 *db2, nx_topk_cache *c, const char *expr, int n, const int *which,
			 int ng1, const nx_topk_filter *flt, int64_t *total, int *called, nx_topk_stats *st)
{
	count_lists_state t;
	size_t at = 0;
	nx_topk_forms *forms = NULL;
	int walk[NX_TOPK_MAX_RANK_PHRASES], formj[NX_TOPK_MAX_RANK_PHRASES];
	atomic_int next_form;
	int i = 0, rc = SQLITE_OK, two = ng1 < n, nwalk = 0, nform = 0;

	*total = 0;
	memset(&t, 0, sizeof(t));
	t.c = c;
	t.which = which;
	t.n = n;
	t.ng1 = two ? ng1 : n;
	atomic_init(&next_form, 0);
	if (nx_topk__aux(db, "nx_topk_countlists", aux_count) != SQLITE_OK || n > NX_TOPK_MAX_RANK_PHRASES)
		return SQLITE_ERROR;
	/* words with a set of rows (frequent ones): counted from it */
	for (i = 0; i < n; i++) {
		int64_t above = INT64_MAX;

		if (c->l[which[i]].done)
			continue;
		if (!nx_topk__list_set(db, &c->l[which[i]], &t.set[i], &t.setn[i], &above)) {
			/* words of several tokens: token by token (failing, its phrase is walked) */
			if (forms == NULL && (forms = calloc((size_t)n, sizeof(*forms))) == NULL) {
				rc = SQLITE_NOMEM;
				goto done;
			}
			/* and a word of one token too: read from the index's pages when it can be */
			if (nx_topk__forms(db, c->l[which[i]].text, c->l[which[i]].len, &forms[i]) ||
			    nx_topk__forms_one(db, c->l[which[i]].text, c->l[which[i]].len, &forms[i]))
				formj[nform++] = i;
			else
				forms[i].n = 0;
			continue;
		}
		if (above == INT64_MAX)
			continue;
		/* made before articles were added: those holding the word walked (or, failing, the whole list) */
		if (nx_search__rows_above(db, c->l[which[i]].text, above, count_rows_add, &t.above[i]) < 0) {
			free(t.set[i]);
			t.set[i] = NULL;
			t.above[i].n = 0;
		}
	}
	t.forms = forms;
	t.formj = formj;
	t.nform = nform;
	t.next_form = &next_form;
	/* the phrases left to walk; forms and walks, two or more, shared with a thread on db2 */
	for (i = 0; i < n; i++)
		if (!c->l[which[i]].done && t.set[i] == NULL && (forms == NULL || forms[i].n == 0))
			walk[nwalk++] = i;
	if (db2 != NULL && nform + nwalk >= 2) {
		rc = count_shared(db, db2, &t, expr, walk, nwalk);
	} else {
		/* one thread: a form that fails is walked in the pass, as a phrase */
		for (i = 0; i < nform; i++)
			form_job(db, &t, formj[i]);
		rc = nx_topk__run_aux(db, "nx_topk_countlists", expr, &t, &t.rc);
	}
done:
	free(forms);
	for (i = 0; i < n; i++) {
		free(t.set[i]);
		free(t.above[i].r);
	}
	/* the rows in both groups (one group: in it) that pass flt */
	for (at = 0; rc == SQLITE_OK && at < t.nw[0]; at++) {
		uint64_t v = t.b[0][at] & (two ? (at < t.nw[1] ? t.b[1][at] : 0) : ~(uint64_t)0);
		int pass = 0;

		st->rows += __builtin_popcountll(v);
		if (flt == NULL) {
			*total += __builtin_popcountll(v);
			continue;
		}
		for (; v != 0 && rc == SQLITE_OK; v &= v - 1) {
			if ((pass = passes(flt, ((int64_t)at << 6) + __builtin_ctzll(v), st)) < 0)
				rc = SQLITE_ERROR;
			*total += pass > 0;
		}
	}
	free(t.b[0]);
	free(t.b[1]);
	*called = t.called;
	if (rc != SQLITE_OK)
		*total = 0;
	return rc;
}

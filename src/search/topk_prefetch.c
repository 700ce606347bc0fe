/*
 * topk_prefetch.c - phrase lists of nx_topk__rank read ahead by a second
 * thread on the second connection, while the search does other work
 * (a verbose question's word pairs: read while its words are counted and
 * its feedback words chosen), then handed to the ranking's cache.
 */
#include "search/topk_rank_private.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/*
 * FTS5's structure record (FTS5_STRUCTURE_ROWID, 10): a write that
 * changes any list writes a new one; and its averages record
 * (FTS5_AVERAGES_ROWID, 1): the rows and tokens, which a row without a
 * token changes alone.  The same two records: the same lists and totals.
 */
#define NX_FTS5_RECORDS_SQL "SELECT id, block FROM fts_data WHERE id IN (10, 1) ORDER BY id DESC"

/*
 * What one side read: its cache (list i: phrase i) and the records it read
 * under (the structure record's length in 4 bytes, it, the averages record).
 */
typedef struct prefetch_side {
	nx_topk_cache *c;
	void *structure;
	int nstructure;
} prefetch_side;

struct nx_topk_prefetch {
	sqlite3 *db2;
	prefetch_side side[2]; /* 0: the thread's (db2), 1: the caller's share (db) */
	int n;
	atomic_int next;       /* the next phrase not taken */
	pthread_t th;
	int running;           /* th to be joined */
	int rc;                /* the thread's */
};

int nx_topk__read_structure(sqlite3 *db, void **out, int *nout)
{
	sqlite3_stmt *q = NULL;
	unsigned char *b = NULL;
	size_t len = 0;
	int rc = sqlite3_prepare_v2(db, NX_FTS5_RECORDS_SQL, -1, &q, NULL);

	while (rc == SQLITE_OK && (rc = sqlite3_step(q)) == SQLITE_ROW) {
		int n = sqlite3_column_bytes(q, 1), first = sqlite3_column_int(q, 0) == 10;
		const void *blk = sqlite3_column_blob(q, 1);
		unsigned char *nb = NULL;

		if (first != (b == NULL) || n < 0) {
			rc = SQLITE_CORRUPT; /* no structure record, first: an FTS5 table has one */
			break;
		}
		if ((nb = realloc(b, len + 4 + (size_t)n)) == NULL) {
			rc = SQLITE_NOMEM;
			break;
		}
		b = nb;
		if (first) {
			uint32_t n32 = (uint32_t)n;

			memcpy(b, &n32, 4);
			len = 4;
		}
		if (n > 0)
			memcpy(b + len, blk, (size_t)n);
		len += (size_t)n;
		rc = SQLITE_OK;
	}
	sqlite3_finalize(q);
	if (rc == SQLITE_DONE && b == NULL)
		rc = SQLITE_CORRUPT;
	if (rc != SQLITE_DONE) {
		free(b);
		return rc;
	}
	*out = b;
	*nout = (int)len;
	return SQLITE_OK;
}

/* The records db reads now into s (malloc'd): an SQLite code. */
static int read_structure(sqlite3 *db, prefetch_side *s)
{
	return nx_topk__read_structure(db, &s->structure, &s->nstructure);
}

/* Phrases taken one at a time (until none is left) and read on db into side's cache. */
static int take(nx_topk_prefetch *pf, int side, sqlite3 *db)
{
	nx_topk_cache *c = pf->side[side].c;
	int rc = SQLITE_OK;

	for (;;) {
		int i = atomic_fetch_add(&pf->next, 1), called = 0;

		if (i >= pf->n)
			return SQLITE_OK;
		/* as the ranking's read_missing: lazily when the word has an impact list */
		if ((rc = nx_topk__lazy_prepare(db, c, &c->l[i])) != SQLITE_OK ||
		    (rc = nx_topk__read_lists(db, c, c->l[i].text, 1, &i, &called)) != SQLITE_OK)
			return rc;
	}
}

static void *prefetch_thread(void *arg)
{
	nx_topk_prefetch *pf = arg;
	int rc = sqlite3_exec(pf->db2, "BEGIN", NULL, NULL, NULL);

	if (rc == SQLITE_OK) {
		/* one snapshot for the record and every list */
		if ((rc = read_structure(pf->db2, &pf->side[0])) == SQLITE_OK)
			rc = take(pf, 0, pf->db2);
		if (sqlite3_exec(pf->db2, "COMMIT", NULL, NULL, NULL) != SQLITE_OK)
			sqlite3_exec(pf->db2, "ROLLBACK", NULL, NULL, NULL);
	}
	pf->rc = rc;
	return NULL;
}

/* An empty cache for colw holding one unread list per phrase, list i for phrase i. */
static nx_topk_cache *cache_of(const double *colw, int ncolw, char *const *phrases, int n)
{
	nx_topk_cache *c = calloc(1, sizeof(*c));
	int i = 0;

	if (c == NULL)
		return NULL;
	memcpy(c->colw, colw, (size_t)ncolw * sizeof(*colw));
	c->ncolw = ncolw;
	for (i = 0; i < n; i++)
		if (nx_topk__cache_list(c, phrases[i], strlen(phrases[i])) != i) {
			nx_topk__cache_free(c); /* out of memory, or a phrase twice */
			return NULL;
		}
	return c;
}

int nx_topk__prefetch_start(nx_topk_prefetch **out, sqlite3 *db2, const double *colw, int ncolw,
			    char *const *phrases, int n)
{
	nx_topk_prefetch *pf = NULL;

	*out = NULL;
	if (n < 1 || ncolw < 0 || ncolw > NX_TOPK_EXT_COLS)
		return SQLITE_OK;
	if ((pf = calloc(1, sizeof(*pf))) == NULL)
		return SQLITE_NOMEM;
	pf->db2 = db2;
	pf->n = n;
	atomic_init(&pf->next, 0);
	if ((pf->side[0].c = cache_of(colw, ncolw, phrases, n)) == NULL ||
	    (pf->side[1].c = cache_of(colw, ncolw, phrases, n)) == NULL) {
		nx_topk__prefetch_free(pf);
		return SQLITE_NOMEM;
	}
	if (pthread_create(&pf->th, NULL, prefetch_thread, pf) != 0) {
		nx_topk__prefetch_free(pf);
		return SQLITE_OK; /* read by the ranking as before */
	}
	pf->running = 1;
	*out = pf;
	return SQLITE_OK;
}

static void join(nx_topk_prefetch *pf)
{
	if (pf->running)
		pthread_join(pf->th, NULL);
	pf->running = 0;
}

/* 1 when sides s and ref read the same records (read_structure). */
static int same_structure(const prefetch_side *s, const prefetch_side *ref)
{
	return s->structure != NULL && ref->structure != NULL && s->nstructure == ref->nstructure &&
	       memcmp(s->structure, ref->structure, (size_t)s->nstructure) == 0;
}

/* 1 when side s read the index as db's cache c did: the same structure record (of ref) and totals. */
static int same_index(const prefetch_side *s, const prefetch_side *ref, const nx_topk_cache *c)
{
	const nx_topk_cache *sc = s->c;

	return sc->have_totals && c->have_totals && sc->ncol == c->ncol && sc->nrow == c->nrow &&
	       sc->ntok == c->ntok && same_structure(s, ref);
}

/*
 * The lists side read into c where c has none of the phrase yet (moved,
 * not copied: the whole list, lazy state too, its text kept); how many.
 * A lazy list gets its scale from c's totals, as read_missing gives it.
 */
static int hand_over(nx_topk_cache *c, nx_topk_cache *from, int *rc)
{
	size_t i = 0;
	int handed = 0;

	for (i = 0; i < from->n && *rc == SQLITE_OK; i++) {
		topk_list *l = &from->l[i], *d = NULL, t;
		char *text = NULL;
		int at = 0;

		if (!l->done)
			continue; /* not taken by this side, failed, or no row holds it: the ranking reads it */
		if ((at = nx_topk__cache_list(c, l->text, l->len)) < 0) {
			*rc = SQLITE_NOMEM;
			break;
		}
		d = &c->l[at];
		if (d->done || d->lazy || d->counted || d->cap > 0 || d->n > 0 || d->head != NULL)
			continue; /* read, being read or counted otherwise: left as it is */
		t = *d; /* empty: its text alone */
		*d = *l;
		*l = t;
		text = d->text;
		d->text = l->text;
		l->text = text;
		if (d->lazy && d->xscale == 0)
			nx_topk__lazy_finish(c, d);
		handed++;
	}
	return handed;
}

int nx_topk__prefetch_finish(nx_topk_prefetch *pf, sqlite3 *db, nx_topk_cache **cache, int *handed,
			     int *set_aside)
{
	nx_topk_cache *c = NULL;
	size_t i = 0;
	int rc = SQLITE_OK, s = 0;

	*handed = 0;
	*set_aside = 0;
	/* the phrases the thread has not taken, read here meanwhile (db: the ranking's snapshot) */
	if ((rc = read_structure(db, &pf->side[1])) == SQLITE_OK)
		rc = take(pf, 1, db);
	join(pf);
	if (rc != SQLITE_OK)
		return rc;
	if (*cache == NULL && (*cache = cache_of(pf->side[1].c->colw, pf->side[1].c->ncolw, NULL, 0)) == NULL)
		return SQLITE_NOMEM;
	c = *cache;
	if (c->ncolw != pf->side[1].c->ncolw ||
	    memcmp(c->colw, pf->side[1].c->colw, (size_t)c->ncolw * sizeof(*c->colw)) != 0)
		return SQLITE_OK; /* counts weighted otherwise: the ranking reads its own */
	if (!c->have_totals) {
		/*
		 * db's own totals, read in the same transaction; or, when the
		 * thread took every phrase and db read none, the thread's, if it
		 * read the records db reads: the same lists and totals.
		 */
		const nx_topk_cache *t = pf->side[1].c;

		if (!t->have_totals && pf->rc == SQLITE_OK && pf->side[0].c->have_totals &&
		    same_structure(&pf->side[0], &pf->side[1]))
			t = pf->side[0].c;
		if (t->have_totals) {
			c->ncol = t->ncol;
			c->nrow = t->nrow;
			c->ntok = t->ntok;
			c->have_totals = 1;
		}
	}
	for (s = 0; s < 2 && rc == SQLITE_OK; s++) {
		if (s == 0 && (pf->rc != SQLITE_OK || !same_index(&pf->side[0], &pf->side[1], c))) {
			/* failed, or a writer committed between: read again by the ranking */
			for (i = 0; i < pf->side[0].c->n; i++)
				*set_aside += pf->side[0].c->l[i].done;
			continue;
		}
		if (s == 1 && pf->side[1].c->have_totals && !same_index(&pf->side[1], &pf->side[1], c))
			continue; /* (cannot be: one transaction) */
		*handed += hand_over(c, pf->side[s].c, &rc);
	}
	return rc;
}

void nx_topk__prefetch_free(nx_topk_prefetch *pf)
{
	int s = 0;

	if (pf == NULL)
		return;
	atomic_store(&pf->next, pf->n); /* no further phrase taken */
	join(pf);
	for (s = 0; s < 2; s++) {
		nx_topk__cache_free(pf->side[s].c);
		free(pf->side[s].structure);
	}
	free(pf);
}

/* 1 when c has no list of phrase (s, len), or one neither read, counted nor being read. */
static int unread(const nx_topk_cache *c, const char *s, size_t len)
{
	size_t i = 0;

	for (i = 0; c != NULL && i < c->n; i++)
		if (c->l[i].len == len && memcmp(c->l[i].text, s, len) == 0)
			return !c->l[i].done && !c->l[i].lazy && !c->l[i].counted && c->l[i].cap == 0;
	return 1;
}

int nx_topk__read_shared(sqlite3 *db, sqlite3 *db2, nx_topk_cache **cache, const char *expr, const double *colw,
			 int ncolw, int *handed)
{
	char *ph[NX_TOPK_MAX_RANK_PHRASES];
	nx_topk_prefetch *pf = NULL;
	const char *s = expr, *e = NULL;
	int n = 0, i = 0, set_aside = 0, rc = SQLITE_OK, dup = 0;

	*handed = 0;
	/* lists read in a filter's band (nx_topk__rank): the ranking reads them there, faster than whole */
	if (*cache != NULL && (*cache)->band)
		return SQLITE_OK;
	/* the distinct phrases of expr not read yet */
	while (s != NULL && *s != '\0' && n < NX_TOPK_MAX_RANK_PHRASES) {
		if (*s != '"') {
			s++;
			continue;
		}
		if ((e = skip_phrase(s)) == NULL)
			break;
		for (i = 0, dup = 0; i < n && !dup; i++)
			dup = strlen(ph[i]) == (size_t)(e - s) && memcmp(ph[i], s, (size_t)(e - s)) == 0;
		if (!dup && unread(*cache, s, (size_t)(e - s))) {
			if ((ph[n] = malloc((size_t)(e - s) + 1)) == NULL) {
				rc = SQLITE_NOMEM;
				break;
			}
			memcpy(ph[n], s, (size_t)(e - s));
			ph[n++][e - s] = '\0';
		}
		s = e;
	}
	/* two or more: the thread takes them one at a time, and so does the caller */
	if (rc == SQLITE_OK && n >= 2 && (rc = nx_topk__prefetch_start(&pf, db2, colw, ncolw, ph, n)) == SQLITE_OK &&
	    pf != NULL)
		rc = nx_topk__prefetch_finish(pf, db, cache, handed, &set_aside);
	nx_topk__prefetch_free(pf);
	for (i = 0; i < n; i++)
		free(ph[i]);
	return rc;
}

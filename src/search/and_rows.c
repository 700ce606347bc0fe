/*
 * and_rows.c - the best k rows of a plain AND whose rows are known (the
 * words' sets ANDed, impact_and.c), scored from the words' pages.
 *
 * impact_and.c probes the blocks of 64 rowids in the order of a bound of
 * their scores, made of each word's best score in the block.  A word
 * without a set of its own (in fewer than an eighth of the rows) has no
 * such bound but its list's last score, too high for most blocks: the
 * probes would reach every block.  Here instead each row of the AND is
 * scored once:
 *
 *  - each word's tokens (those of its phrase as FTS5 walks it) are read
 *    from the pages with their places, only for the rows of the AND
 *    (nx_fts_rows_pos: the others are passed over, about 5 ns a row);
 *  - a row's weighted count of each word is its places' column weights
 *    added in (column, offset) order, and its least length the sum over
 *    the columns of one past its last place there, as nx_phrase_freqs
 *    has them from FTS5's API;
 *  - bm25 falls as the length grows, so the score at the least length
 *    bounds the row's; the rows are taken in the order of a bound and
 *    their real length (fts_docsize) read until the k-th best beats the
 *    next bound.
 *
 * A word with a set (in an eighth of the rows or more) has the longest
 * lists and a bound of its score in each block of 64 rowids.  Such words
 * are not read at first: a row's bound adds their blocks' bounds to the
 * other words' scores at the row's least length, and their places are
 * looked up (nx_fts_seek_row) only in the rows taken.  Once the lookups
 * have cost a quarter of reading those words through, they are read
 * through instead (a bound far from the scores takes many rows).  When
 * the AND's rows are few beside a word's, that word's places are looked
 * up row by row rather than read.
 *
 * The scores are those of topk.c's walk, operation for operation (idf
 * from the rows each word matches, avgdl from FTS5's totals record, the
 * same sums in the same order), ties by ascending rowid.  A row the pages
 * hand over twice for one token, or an AND row some word's tokens do not
 * hold, means the pages are not what the sets say: the caller walks.
 */
#include "search/search_private.h"
#include "search/topk_private.h"
#include "search/topk_rank_private.h"
#include "search/fts_rows.h"
#include "index/impact.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

/* The most columns scored here (FTS5's table has four). */
#define AND_ROWS_COLS 16
/* The most counts kept (rows times phrases times columns, 4 bytes each, twice). */
#define NX_AND_ROWS_CELLS ((size_t)4 << 20)
/*
 * About how many rows of a list are read in the time of one lookup of a
 * row: at ten million articles a lookup took 2.7 us (12,700 of them in 34
 * ms) and a list was read at 3.7 ns a row (2.3 million rows in 8.6 ms).
 */
#define NX_AND_SEEK_ROWS 768

/* The reading of one token: where each row of the AND keeps its counts. */
typedef struct rows_read {
	const int64_t *row; /* the AND's rows, ascending */
	size_t n;
	size_t at;          /* where the last row handed over was */
	int32_t *cnt;       /* per row and phrase: ncol places */
	int32_t *ext;       /* per row and phrase: ncol, one past the last place */
	uint32_t *stamp;    /* per row and phrase: the last token of the phrase that handed it over */
	uint32_t token;
	int phrase, nphrase, ncol;
} rows_read;

/* The index of rowid in r->row, from the last one on (the rows of a segment ascend): -1 when absent. */
static ptrdiff_t find_row(rows_read *r, int64_t rowid)
{
	size_t lo = r->at;

	/* on from the last one found, within a few steps; else a binary search */
	while (lo < r->n && lo < r->at + 8 && r->row[lo] < rowid)
		lo++;
	if (lo == r->n || r->row[lo] < rowid || (lo > 0 && r->row[lo - 1] >= rowid))
		lo = nx_rowid_lower_bound(r->row, r->n, rowid);
	r->at = lo;
	return lo < r->n && r->row[lo] == rowid ? (ptrdiff_t)lo : -1;
}

/* One row of the token: its places counted for the phrase being read. */
static int take_row(void *ud, int64_t rowid, const unsigned char *pos, size_t n)
{
	rows_read *r = ud;
	const unsigned char *p = pos, *end = pos + n;
	ptrdiff_t at = find_row(r, rowid);
	uint64_t col = 0, off = 0;
	int32_t *cnt = NULL, *ext = NULL;
	int got = 0;

	if (at < 0)
		return SQLITE_OK; /* (a kept bit past the rows: none) */
	if (r->stamp[(size_t)at * (size_t)r->nphrase + (size_t)r->phrase] == r->token)
		return SQLITE_ABORT; /* twice for one token: segments that overlap */
	r->stamp[(size_t)at * (size_t)r->nphrase + (size_t)r->phrase] = r->token;
	cnt = r->cnt + ((size_t)at * (size_t)r->nphrase + (size_t)r->phrase) * (size_t)r->ncol;
	ext = r->ext + ((size_t)at * (size_t)r->nphrase + (size_t)r->phrase) * (size_t)r->ncol;
	while ((got = nx_fts_pos_next(&p, end, &col, &off)) == 1) {
		if (col >= (uint64_t)r->ncol)
			return SQLITE_ABORT;
		cnt[col]++;
		if ((int32_t)off + 1 > ext[col])
			ext[col] = (int32_t)off + 1;
	}
	return got == 0 ? SQLITE_OK : SQLITE_ABORT;
}

/* What the readers of the phrases share. */
typedef struct phrase_reads {
	const rows_read *r;
	const nx_topk_forms *f;
	const int64_t *df;
	const int *which; /* item i of nx_search__two_ways: phrase which[i] */
	const uint64_t *and;
	size_t nand;
} phrase_reads;

/*
 * 0: each phrase looked up or read through as read_phrase decides, those
 * with a set lazily; 1: looked up; 2: read through, none lazily (tests)
 */
static int seek_mode;

void nx_search__and_rows_seek(int mode)
{
	seek_mode = mode;
}

/* Token tok's places in each row of r, each row looked up alone (nx_fts_seek_row). */
static int seek_token(sqlite3 *db, const char *tok, rows_read *r)
{
	nx_fts_seek *sk = NULL;
	int32_t cnt[NX_FTS_ROWS_COLS], ext[NX_FTS_ROWS_COLS];
	size_t i = 0;
	int rc = nx_fts_seek_open(db, tok, strlen(tok), r->ncol, &sk), found = 0, c = 0;

	if (rc != SQLITE_OK || sk == NULL)
		return rc != SQLITE_OK ? rc : SQLITE_ABORT;
	for (i = 0; i < r->n && rc == SQLITE_OK; i++) {
		size_t at = (i * (size_t)r->nphrase + (size_t)r->phrase) * (size_t)r->ncol;

		if ((rc = nx_fts_seek_row(sk, r->row[i], &found, cnt, ext)) != SQLITE_OK || found <= 0) {
			rc = rc != SQLITE_OK ? rc : found < 0 ? SQLITE_ABORT : SQLITE_OK;
			continue;
		}
		for (c = 0; c < r->ncol; c++) {
			r->cnt[at + (size_t)c] += cnt[c];
			if (ext[c] > r->ext[at + (size_t)c])
				r->ext[at + (size_t)c] = ext[c];
		}
	}
	nx_fts_seek_free(sk);
	return rc;
}

/*
 * Phrase i's tokens read on db, their places counted (only phrase i's
 * counts are written): each row looked up when the AND's rows are few
 * beside the phrase's (a lookup costs about the reading of
 * NX_AND_SEEK_ROWS rows), else the token's rows read through.
 */
static int read_phrase(sqlite3 *db, int item, void *ud)
{
	const phrase_reads *rd = ud;
	rows_read r = *rd->r;
	int64_t nread = 0;
	int j = 0, rc = SQLITE_OK, i = rd->which[item];

	r.phrase = i;
	if (r.ncol <= NX_FTS_ROWS_COLS && seek_mode != 2 &&
	    (seek_mode == 1 || (int64_t)r.n * NX_AND_SEEK_ROWS < rd->df[i])) {
		for (j = 0; rc == SQLITE_OK && j < rd->f[i].ntok; j++)
			rc = seek_token(db, rd->f[i].tok[j], &r);
		return rc;
	}
	for (j = 0; rc == SQLITE_OK && j < rd->f[i].ntok; j++) {
		r.token = (uint32_t)(i * NX_TOPK_FORMS + j + 1);
		r.at = 0;
		rc = nx_fts_rows_pos(db, rd->f[i].tok[j], strlen(rd->f[i].tok[j]), rd->and, rd->nand, take_row, &r, &nread);
		if (rc == SQLITE_OK && nread < 0)
			rc = SQLITE_ABORT; /* (the pages cannot be read here) */
	}
	return rc;
}

/* What the two threads of nx_search__two_ways share. */
typedef struct two_ways {
	pthread_mutex_t mu;
	sqlite3 *db2;
	int next, n, stop;
	int (*fn)(sqlite3 *db, int i, void *ud);
	void *ud;
	const void *totals; /* the first connection's totals record */
	int ntotals;
	int rc2;
} two_ways;

/* The next item for a thread: its number, -1 when none is left or one failed. */
static int take_item(two_ways *t)
{
	int i = -1;

	pthread_mutex_lock(&t->mu);
	if (!t->stop && t->next < t->n)
		i = t->next++;
	pthread_mutex_unlock(&t->mu);
	return i;
}

static void stop_items(two_ways *t)
{
	pthread_mutex_lock(&t->mu);
	t->stop = 1;
	pthread_mutex_unlock(&t->mu);
}

/* FTS5's totals record (fts_data id 1) as db reads it: SQLITE_OK with its bytes (malloc'd), or an error. */
static int totals_record(sqlite3 *db, void **out, int *n)
{
	sqlite3_stmt *s = NULL;
	int rc = sqlite3_prepare_v2(db, "SELECT block FROM fts_data WHERE id = 1", -1, &s, NULL);

	*out = NULL;
	*n = 0;
	if (rc == SQLITE_OK && (rc = sqlite3_step(s)) == SQLITE_ROW) {
		*n = sqlite3_column_bytes(s, 0);
		if ((*out = malloc((size_t)*n + 1)) == NULL)
			rc = SQLITE_NOMEM;
		else
			rc = SQLITE_OK, memcpy(*out, sqlite3_column_blob(s, 0), (size_t)*n);
	} else if (rc == SQLITE_DONE) {
		rc = SQLITE_CORRUPT;
	}
	sqlite3_finalize(s);
	return rc;
}

static atomic_size_t apart; /* second threads that found another index than the first's (tests) */

size_t nx_search__two_ways_apart(void)
{
	return atomic_load(&apart);
}

/* The second thread: items taken in a read transaction of db2 that reads the first's index, none else. */
static void *second_way(void *arg)
{
	two_ways *t = arg;
	void *tot = NULL;
	int ntot = 0, i = 0;

	t->rc2 = SQLITE_OK;
	if (sqlite3_exec(t->db2, "BEGIN", NULL, NULL, NULL) != SQLITE_OK)
		return NULL;
	if (totals_record(t->db2, &tot, &ntot) == SQLITE_OK && ntot == t->ntotals && memcmp(tot, t->totals, (size_t)ntot) == 0) {
		while (t->rc2 == SQLITE_OK && (i = take_item(t)) >= 0)
			if ((t->rc2 = t->fn(t->db2, i, t->ud)) != SQLITE_OK)
				stop_items(t);
	} else {
		atomic_fetch_add(&apart, 1);
	}
	free(tot);
	sqlite3_exec(t->db2, "COMMIT", NULL, NULL, NULL);
	return NULL;
}

int nx_search__two_ways(sqlite3 *db, sqlite3 *db2, int n, int (*fn)(sqlite3 *db, int i, void *ud), void *ud)
{
	two_ways t;
	pthread_t th;
	void *tot = NULL;
	int ntot = 0, i = 0, threaded = 0, rc = SQLITE_OK;

	memset(&t, 0, sizeof(t));
	pthread_mutex_init(&t.mu, NULL);
	t.n = n;
	t.fn = fn;
	t.ud = ud;
	t.db2 = db2;
	if (db2 != NULL && n > 1 && totals_record(db, &tot, &ntot) == SQLITE_OK) {
		t.totals = tot;
		t.ntotals = ntot;
		threaded = pthread_create(&th, NULL, second_way, &t) == 0;
	}
	while (rc == SQLITE_OK && (i = take_item(&t)) >= 0)
		if ((rc = fn(db, i, ud)) != SQLITE_OK)
			stop_items(&t);
	if (threaded) {
		pthread_join(th, NULL);
		if (rc == SQLITE_OK)
			rc = t.rc2;
	}
	free(tot);
	pthread_mutex_destroy(&t.mu);
	return rc;
}

int nx_search__fts_totals(sqlite3 *db, int64_t *nrow, int64_t *ntok, int *ncol)
{
	sqlite3_stmt *s = NULL;
	const unsigned char *p = NULL, *end = NULL;
	uint64_t v = 0;
	int k = 0, ok = 0;

	*nrow = *ntok = 0;
	*ncol = 0;
	if (sqlite3_prepare_v2(db, "SELECT block FROM fts_data WHERE id = 1", -1, &s, NULL) != SQLITE_OK)
		return 0;
	if (sqlite3_step(s) == SQLITE_ROW && (p = sqlite3_column_blob(s, 0)) != NULL) {
		end = p + sqlite3_column_bytes(s, 0);
		if ((k = nx_impact__sqlite_varint(p, end, &v)) > 0 && v > 0 && v < INT64_MAX) {
			*nrow = (int64_t)v;
			for (p += k; p < end && (k = nx_impact__sqlite_varint(p, end, &v)) > 0 && v < INT64_MAX / 2; p += k) {
				*ntok += (int64_t)v;
				++*ncol;
			}
			ok = p == end && *ncol >= 1 && *ncol <= AND_ROWS_COLS && *ntok > 0;
		}
	}
	sqlite3_finalize(s);
	return ok;
}

/* The rowids of the bits set in and (nand words), ascending, into *out (malloc'd): their count, -1 out of memory. */
static ptrdiff_t and_rowids(const uint64_t *and, size_t nand, int64_t total, int64_t **out)
{
	size_t b = 0, n = 0;

	if ((*out = malloc((size_t)(total > 0 ? total : 1) * sizeof(**out))) == NULL)
		return -1;
	for (b = 0; b < nand; b++) {
		uint64_t v = and[b];

		while (v != 0 && n < (size_t)total) {
			(*out)[n++] = (int64_t)(b * 64 + (size_t)__builtin_ctzll(v));
			v &= v - 1;
		}
	}
	return (ptrdiff_t)n;
}

int nx_search__row_length(sqlite3_stmt *s, int ncol, int64_t rowid, int64_t *out)
{
	const unsigned char *p = NULL, *end = NULL;
	uint64_t v = 0;
	int i = 0, k = 0, rc = SQLITE_OK;

	*out = 0;
	sqlite3_reset(s);
	sqlite3_bind_int64(s, 1, rowid);
	if ((rc = sqlite3_step(s)) != SQLITE_ROW)
		return rc == SQLITE_DONE ? SQLITE_CORRUPT : rc;
	p = sqlite3_column_blob(s, 0);
	end = p + sqlite3_column_bytes(s, 0);
	for (i = 0; i < ncol; i++, p += k) {
		if (p == NULL || (k = nx_impact__sqlite_varint(p, end, &v)) == 0)
			return SQLITE_CORRUPT;
		*out += (int64_t)(uint32_t)v; /* (FTS5 reads each as a 32-bit int) */
	}
	return SQLITE_OK;
}

/*
 * Row i's weighted count of each phrase into f (skip[ip]: phrase ip not
 * counted, its places not read yet; NULL: none skipped) and its least
 * length into *lb, from the places of the phrases counted: 1, 0 when one
 * of them has no place in it (the pages and the sets disagree).
 */
static int row_counts(const rows_read *r, size_t i, const double *w, int nw, const int *skip, double *f, int64_t *lb)
{
	const int32_t *cnt = r->cnt + i * (size_t)r->nphrase * (size_t)r->ncol;
	const int32_t *ext = r->ext + i * (size_t)r->nphrase * (size_t)r->ncol;
	int ip = 0, ic = 0, j = 0;

	*lb = 0;
	for (ip = 0; ip < r->nphrase; ip++) {
		int32_t places = 0;

		f[ip] = 0.0;
		if (skip != NULL && skip[ip])
			continue;
		/* as nx_phrase_freqs adds them: in (column, offset) order */
		for (ic = 0; ic < r->ncol; ic++) {
			for (j = 0; j < cnt[ip * r->ncol + ic]; j++)
				f[ip] += nw > ic ? w[ic] : 1.0;
			places += cnt[ip * r->ncol + ic];
		}
		if (places == 0)
			return 0;
	}
	for (ic = 0; ic < r->ncol; ic++) {
		int32_t most = 0;

		for (ip = 0; ip < r->nphrase; ip++)
			if ((skip == NULL || !skip[ip]) && ext[ip * r->ncol + ic] > most)
				most = ext[ip * r->ncol + ic];
		*lb += most;
	}
	return 1;
}

/*
 * Each row's bound into b (rowid: its index in r, rowids ascending with
 * it): the sum, in the phrases' order, of each phrase's bm25 at the row's
 * least length, or for a phrase not read yet (lazy) its set's bound in
 * the row's block of 64 rowids.  Each term is no less than the row's own
 * (bm25 falls as the length grows, each operation rounding monotonically),
 * so neither is the sum.  1, or 0 when the pages and the sets disagree.
 */
static int bound_rows(const rows_read *r, const double *idf, double avgdl, const double *w, int nw, const int *lazy,
		      const double *const *max, nx_topk_hit *b)
{
	double f[NX_TOPK_MAX_PHRASES];
	size_t i = 0;
	int64_t lb = 0;
	int ip = 0;

	for (i = 0; i < r->n; i++) {
		if (!row_counts(r, i, w, nw, lazy, f, &lb))
			return 0;
		b[i].rowid = (int64_t)i;
		b[i].score = 0.0;
		for (ip = 0; ip < r->nphrase; ip++)
			b[i].score += lazy[ip] ? max[ip][r->row[i] >> 6] : nx_bm25(idf + ip, f + ip, 1, (double)lb, avgdl);
	}
	return 1;
}

/* The lazy phrases' tokens opened for lookups of single rows (sk[ip * NX_TOPK_FORMS + j]): SQLITE_OK, or an error. */
static int open_lazy(sqlite3 *db, const nx_topk_forms *f, const int *lazy, int n, int ncol, nx_fts_seek **sk)
{
	int ip = 0, j = 0, rc = SQLITE_OK;

	for (ip = 0; ip < n && rc == SQLITE_OK; ip++)
		for (j = 0; lazy[ip] && j < f[ip].ntok && rc == SQLITE_OK; j++)
			if ((rc = nx_fts_seek_open(db, f[ip].tok[j], strlen(f[ip].tok[j]), ncol, &sk[ip * NX_TOPK_FORMS + j])) ==
				    SQLITE_OK &&
			    sk[ip * NX_TOPK_FORMS + j] == NULL)
				rc = SQLITE_ABORT; /* (the pages cannot be read here) */
	return rc;
}

/* The places of each lazy phrase in row at, looked up: SQLITE_OK, or an error (SQLITE_ABORT: the pages do not answer). */
static int lookup_lazy(rows_read *r, const nx_topk_forms *f, const int *lazy, nx_fts_seek **sk, size_t at)
{
	int32_t cnt[NX_FTS_ROWS_COLS], ext[NX_FTS_ROWS_COLS];
	int ip = 0, j = 0, c = 0, found = 0, rc = SQLITE_OK;

	for (ip = 0; ip < r->nphrase; ip++) {
		size_t base = (at * (size_t)r->nphrase + (size_t)ip) * (size_t)r->ncol;

		for (j = 0; lazy[ip] && j < f[ip].ntok; j++) {
			if ((rc = nx_fts_seek_row(sk[ip * NX_TOPK_FORMS + j], r->row[at], &found, cnt, ext)) != SQLITE_OK)
				return rc;
			if (found < 0)
				return SQLITE_ABORT;
			for (c = 0; found && c < r->ncol; c++) {
				r->cnt[base + (size_t)c] += cnt[c];
				if (ext[c] > r->ext[base + (size_t)c])
					r->ext[base + (size_t)c] = ext[c];
			}
		}
	}
	return SQLITE_OK;
}

/*
 * Lookups have cost as much as reading the lazy phrases through: every
 * row's places read (nx_search__two_ways), no phrase lazy after.  The
 * rows looked up so far are scored already (each row is taken once), so
 * that their counts now run double does not matter.  SQLITE_OK, or an
 * error.
 */
static int read_lazy(sqlite3 *db, sqlite3 *db2, const rows_read *r, phrase_reads *rd, int *lazy)
{
	int which[NX_TOPK_MAX_PHRASES], n = 0, ip = 0, rc = SQLITE_OK;
	const int *was = rd->which;

	for (ip = 0; ip < r->nphrase; ip++)
		if (lazy[ip])
			which[n++] = ip;
	rd->which = which;
	rc = n > 0 ? nx_search__two_ways(db, db2, n, read_phrase, rd) : SQLITE_OK;
	rd->which = was;
	for (ip = 0; ip < r->nphrase; ip++)
		lazy[ip] = 0;
	return rc == SQLITE_OK ? SQLITE_OK : SQLITE_ABORT;
}

int nx_search__and_rows_top(sqlite3 *db, sqlite3 *db2, const char *expr, const int64_t *df,
			    const double *const *max, const uint64_t *and, size_t nand, int64_t total, const double *w,
			    int nw, size_t k, nx_topk_hit **out, size_t *nout)
{
	const char *s = expr, *e = NULL;
	rows_read r;
	phrase_reads rd;
	nx_topk_forms f[NX_TOPK_MAX_PHRASES];
	nx_fts_seek *sk[NX_TOPK_MAX_PHRASES * NX_TOPK_FORMS];
	double idf[NX_TOPK_MAX_PHRASES], fr[NX_TOPK_MAX_PHRASES], avgdl = 0.0;
	nx_topk_hit *b = NULL, *best = NULL;
	int64_t *row = NULL, nrow = 0, ntok = 0, lazy_df = 0, looked = 0;
	sqlite3_stmt *len = NULL;
	size_t nb = 0, nbest = 0;
	ptrdiff_t m = 0;
	int lazy[NX_TOPK_MAX_PHRASES], which[NX_TOPK_MAX_PHRASES], n = 0, j = 0, nread = 0, nlazy = 0, ok = 0;

	*out = NULL;
	*nout = 0;
	memset(&r, 0, sizeof(r));
	memset(sk, 0, sizeof(sk));
	if (total == 0 && k > 0)
		return 1; /* no row holds every word */
	if (k < 1 || total < 1 || total > NX_AND_ROWS_MAX || !nx_search__fts_totals(db, &nrow, &ntok, &r.ncol))
		return 0;
	/* each phrase one place of known tokens, as impact_range.c reads a word */
	for (n = 0; s != NULL && *s != '\0'; n++) {
		if (n == NX_TOPK_MAX_PHRASES || (e = skip_phrase(s)) == NULL)
			return 0;
		if ((!nx_topk__forms(db, s, (size_t)(e - s), &f[n]) && !nx_topk__forms_one(db, s, (size_t)(e - s), &f[n])) ||
		    f[n].ntok != f[n].n || f[n].ntok < 1)
			return 0;
		s = *e == ' ' ? e + 1 : e;
	}
	if (n < 1 || (size_t)total * (size_t)n * (size_t)r.ncol > NX_AND_ROWS_CELLS)
		return 0;
	/*
	 * the words with a set (and its bounds) beside words without: looked
	 * up row by row when a row can still enter the best k, the others read
	 */
	for (j = 0; j < n; j++) {
		lazy[j] = max != NULL && max[j] != NULL && r.ncol <= NX_FTS_ROWS_COLS && seek_mode != 2;
		if (lazy[j])
			lazy_df += df[j] * f[j].ntok, nlazy++;
		else
			which[nread++] = j;
	}
	if (nread == 0)
		for (j = 0, nlazy = 0; j < n; j++)
			lazy[j] = 0, which[nread++] = j;
	if ((m = and_rowids(and, nand, total, &row)) != (ptrdiff_t)total)
		goto done;
	r.row = row;
	r.n = (size_t)m;
	r.nphrase = n;
	r.cnt = calloc(r.n * (size_t)n * (size_t)r.ncol, sizeof(*r.cnt));
	r.ext = calloc(r.n * (size_t)n * (size_t)r.ncol, sizeof(*r.ext));
	r.stamp = calloc(r.n * (size_t)n, sizeof(*r.stamp));
	b = malloc((r.n + 1) * sizeof(*b));
	best = malloc(k * sizeof(*best));
	if (r.cnt == NULL || r.ext == NULL || r.stamp == NULL || b == NULL || best == NULL)
		goto done;
	rd.r = &r;
	rd.f = f;
	rd.df = df;
	rd.which = which;
	rd.and = and;
	rd.nand = nand;
	if (nx_search__two_ways(db, db2, nread, read_phrase, &rd) != SQLITE_OK)
		goto done;
	avgdl = (double)ntok / (double)nrow;
	for (j = 0; j < n; j++)
		idf[j] = nx_bm25_idf(nrow, df[j]);
	if (!bound_rows(&r, idf, avgdl, w, nw, lazy, max, b))
		goto done;
	/* the rows by their bound, best first (a heap: few are taken): a row's real score is no better */
	for (nb = r.n / 2; nb > 0; nb--)
		heap_down(b, r.n, nb - 1, 1);
	if (sqlite3_prepare_v2(db, "SELECT sz FROM fts_docsize WHERE id = ?1", -1, &len, NULL) != SQLITE_OK ||
	    (nlazy > 0 && open_lazy(db, f, lazy, n, r.ncol, sk) != SQLITE_OK))
		goto done;
	for (nb = r.n; nb > 0;) {
		nx_topk_hit h;
		int64_t d = 0, lb = 0;
		size_t at = (size_t)b[0].rowid;
		double bound = b[0].score;

		h.rowid = row[at];
		h.score = bound;
		if (nbest == k && worse(&h, &best[0]))
			break; /* every row left is worse */
		b[0] = b[--nb];
		heap_down(b, nb, 0, 1);
		/*
		 * the lazy words' places: looked up, or read through once the
		 * lookups have cost a quarter of that (most searches need few
		 * lookups; the rest lose a quarter at most)
		 */
		if (nlazy > 0 && looked * NX_AND_SEEK_ROWS * 4 > lazy_df) {
			if (read_lazy(db, db2, &r, &rd, lazy) != SQLITE_OK)
				goto done;
			nlazy = 0;
		}
		if (nlazy > 0) {
			if (lookup_lazy(&r, f, lazy, sk, at) != SQLITE_OK)
				goto done;
			looked += nlazy;
		}
		if (!row_counts(&r, at, w, nw, NULL, fr, &lb))
			goto done;
		h.score = nx_bm25(idf, fr, n, (double)lb, avgdl);
		if (nbest == k && worse(&h, &best[0]))
			continue; /* not even at its least length */
		if (nx_search__row_length(len, r.ncol, h.rowid, &d) != SQLITE_OK)
			goto done;
		h.score = nx_bm25(idf, fr, n, (double)d, avgdl);
		if (d < lb || h.score > bound)
			goto done; /* fts_docsize or the sets' bounds are not what the pages say */
		if (nbest < k) {
			best[nbest] = h;
			sift_up(best, nbest++);
		} else if (worse(&best[0], &h)) {
			best[0] = h;
			heap_down(best, nbest, 0, 0);
		}
	}
	qsort(best, nbest, sizeof(*best), cmp_hit);
	*out = best;
	*nout = nbest;
	best = NULL;
	ok = 1;
done:
	for (j = 0; j < NX_TOPK_MAX_PHRASES * NX_TOPK_FORMS; j++)
		nx_fts_seek_free(sk[j]);
	sqlite3_finalize(len);
	free(row);
	free(r.cnt);
	free(r.ext);
	free(r.stamp);
	free(b);
	free(best);
	return ok;
}

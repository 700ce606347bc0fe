/*
 * impact_set.c - the sets of rows of frequent words (table impact_set,
 * described in impact.c): stored at a build, read for a search, several
 * at once with the deflated ones inflated on two threads.
 */
#include "index/impact.h"

#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include <zlib.h>

/* The step of a word's quantized block scores: its best over 65000 (room for rounding up). */
static double quantum(const double *max, size_t n)
{
	double top = 0;
	size_t i = 0;

	for (i = 0; i < n; i++)
		top = max[i] > top ? max[i] : top;
	return top > 0 ? top / 65000.0 : 1.0;
}

int nx_impact__put_set(sqlite3 *db, const char *expr, const uint64_t *w, size_t nw, const double *max)
{
	size_t nbytes = nw * 8, i = 0;
	unsigned char *raw = malloc(nbytes ? nbytes : 1), *z = NULL, *m = malloc(8 + nw * 2);
	uLongf zlen = compressBound((uLong)nbytes) > nbytes + 1 ? compressBound((uLong)nbytes) : (uLongf)nbytes + 1;
	double step = quantum(max, nw);
	uint64_t bits = 0;
	sqlite3_stmt *s = NULL;
	int rc = SQLITE_NOMEM;

	if (raw == NULL || m == NULL || (z = malloc(zlen)) == NULL)
		goto done;
	for (i = 0; i < nbytes; i++)
		raw[i] = (unsigned char)(w[i / 8] >> (8 * (i % 8)));
	memcpy(&bits, &step, 8);
	for (i = 0; i < 8; i++)
		m[i] = (unsigned char)(bits >> (8 * i));
	for (i = 0; i < nw; i++) {
		/* the least q with q * step (as nx_impact__get_set computes it) no less than the best */
		double q = ceil(max[i] / step);

		while (q > 0 && (q - 1) * step >= max[i])
			q--;
		while (q * step < max[i])
			q++;
		m[8 + 2 * i] = (unsigned char)((unsigned)q & 0xff);
		m[9 + 2 * i] = (unsigned char)((unsigned)q >> 8);
	}
	if (compress2(z, &zlen, raw, (uLong)nbytes, 9) != Z_OK)
		goto done;
	if (zlen >= nbytes - nbytes / NX_IMPACT_SET_DEFLATE_GAIN) {
		/* deflating saves little (a word in most rows): kept as it is, read without inflating */
		z[0] = NX_IMPACT_SET_RAW;
		memcpy(z + 1, raw, nbytes);
		zlen = (uLongf)nbytes + 1;
	}
	/* a twin (the same rows under another form of the word) keeps none: its twin's is read */
	rc = sqlite3_prepare_v2(db,
				"INSERT OR REPLACE INTO impact_set(expr, nbits, bits, maxes)"
				" SELECT ?1, ?2, ?3, ?4 WHERE (SELECT twin FROM impact WHERE expr = ?1) IS NULL",
				-1, &s, NULL);
	if (rc == SQLITE_OK) {
		sqlite3_bind_text(s, 1, expr, -1, SQLITE_STATIC);
		sqlite3_bind_int64(s, 2, (sqlite3_int64)nbytes * 8);
		sqlite3_bind_blob(s, 3, z, (int)zlen, SQLITE_STATIC);
		sqlite3_bind_blob(s, 4, m, (int)(8 + nw * 2), SQLITE_STATIC);
		rc = sqlite3_step(s) == SQLITE_DONE ? SQLITE_OK : sqlite3_errcode(db);
	}
done:
	sqlite3_finalize(s);
	free(raw);
	free(z);
	free(m);
	return rc;
}

/* The blocks' bounds from the maxes column (step, then a 16-bit multiple of it per block): 0, or -1. */
static int read_maxes(const unsigned char *m, size_t len, size_t n, double **max)
{
	uint64_t bits = 0;
	double step = 0;
	size_t i = 0;

	if (m == NULL || len != 8 + 2 * n || (*max = malloc((n ? n : 1) * sizeof(**max))) == NULL)
		return -1;
	for (i = 0; i < 8; i++)
		bits |= (uint64_t)m[i] << (8 * i);
	memcpy(&step, &bits, 8);
	for (i = 0; i < n; i++)
		(*max)[i] = (double)((unsigned)m[8 + 2 * i] | (unsigned)m[9 + 2 * i] << 8) * step;
	return 0;
}

/* n words of a set from its bytes, least significant first (as nx_impact__put_set writes them). */
static void set_words(const unsigned char *b, size_t n, uint64_t *w)
{
	size_t i = 0;

	for (i = 0; i < n; i++, b += 8)
		w[i] = (uint64_t)b[0] | (uint64_t)b[1] << 8 | (uint64_t)b[2] << 16 | (uint64_t)b[3] << 24 |
		       (uint64_t)b[4] << 32 | (uint64_t)b[5] << 40 | (uint64_t)b[6] << 48 | (uint64_t)b[7] << 56;
}

/*
 * Inflated sets kept for the next search in the process.  A verbose
 * question reads the sets of its frequent words twice (its strict count,
 * then the count of the articles holding some of them), and the searches
 * a server answers share the same frequent words; inflating a set costs
 * about 35 instructions a byte (1.25 MB at 10M rows, 3-4 ms), copying it
 * out of the memo one.  An entry is found by the deflated bytes
 * themselves (their length, the set's bits, a 64-bit hash of them and
 * their first and last bytes): a set stored again, or another index in
 * the same process, can only find what its own bytes inflate to, and no
 * write needs to tell the memo anything.  Sets kept as they are
 * (NX_IMPACT_SET_RAW) are read without inflating and are not kept.
 */
#define MEMO_SLOTS 64
#define MEMO_EDGE 16

typedef struct set_memo {
	uint64_t hash;
	size_t zn;
	sqlite3_int64 nbits;
	unsigned char edge[2 * MEMO_EDGE]; /* the first and the last MEMO_EDGE deflated bytes */
	uint64_t *w;                       /* nbits / 64 words, NULL: a free slot */
	uint64_t used;                     /* the clock when last found or kept */
} set_memo;

static struct {
	pthread_mutex_t mu;
	set_memo m[MEMO_SLOTS];
	size_t bytes;  /* of the sets kept */
	size_t budget; /* at most */
	uint64_t clock;
	int64_t hits, misses;
} memo = { PTHREAD_MUTEX_INITIALIZER, { { 0, 0, 0, { 0 }, NULL, 0 } }, 0, NX_IMPACT_SET_MEMO_BYTES, 0, 0, 0 };

/* A 64-bit hash of the n bytes at z (every byte: the bytes of two sets of one length differ somewhere). */
static uint64_t memo_hash(const unsigned char *z, size_t n)
{
	uint64_t h = 0x9e3779b97f4a7c15u ^ (uint64_t)n, v = 0;
	size_t i = 0;

	for (; i + 8 <= n; i += 8) {
		memcpy(&v, z + i, 8);
		h = (h ^ (v * 0xff51afd7ed558ccdu)) * 0xc4ceb9fe1a85ec53u;
		h ^= h >> 32;
	}
	for (; i < n; i++)
		h = (h ^ z[i]) * 0x100000001b3u;
	h ^= h >> 33;
	h *= 0xff51afd7ed558ccdu;
	return h ^ (h >> 33);
}

/* The memo's key of the deflated bytes z (zn >= 2 * MEMO_EDGE) of a set of nbits bits into *k. */
static void memo_key(set_memo *k, sqlite3_int64 nbits, const unsigned char *z, size_t zn)
{
	k->hash = memo_hash(z, zn);
	k->zn = zn;
	k->nbits = nbits;
	memcpy(k->edge, z, MEMO_EDGE);
	memcpy(k->edge + MEMO_EDGE, z + zn - MEMO_EDGE, MEMO_EDGE);
}

/* The slot holding k's set, or NULL (memo.mu held). */
static set_memo *memo_find(const set_memo *k)
{
	int i = 0;

	for (i = 0; i < MEMO_SLOTS; i++) {
		set_memo *m = &memo.m[i];

		if (m->w != NULL && m->hash == k->hash && m->zn == k->zn && m->nbits == k->nbits &&
		    memcmp(m->edge, k->edge, sizeof(m->edge)) == 0)
			return m;
	}
	return NULL;
}

/* k's set copied into w (n words): 1 when the memo holds it, else 0. */
static int memo_get(const set_memo *k, uint64_t *w, size_t n)
{
	set_memo *m = NULL;
	int found = 0;

	pthread_mutex_lock(&memo.mu);
	if ((m = memo_find(k)) != NULL) {
		memcpy(w, m->w, n * sizeof(*w));
		m->used = ++memo.clock;
		memo.hits++;
		found = 1;
	} else {
		memo.misses++;
	}
	pthread_mutex_unlock(&memo.mu);
	return found;
}

/* Slot m emptied (memo.mu held). */
static void memo_drop(set_memo *m)
{
	memo.bytes -= (size_t)(m->nbits / 8);
	free(m->w);
	m->w = NULL;
}

/* k's set w (n words) kept, the sets found longest ago let go to make room; nothing when it does not fit. */
static void memo_put(const set_memo *k, const uint64_t *w, size_t n)
{
	size_t need = n * sizeof(*w);
	set_memo *free_slot = NULL, *oldest = NULL;
	uint64_t *copy = NULL;
	int i = 0;

	pthread_mutex_lock(&memo.mu);
	if (need > memo.budget / 4 || memo_find(k) != NULL)
		goto done; /* too large for the memo (a quarter at most), or kept meanwhile by another thread */
	for (;;) {
		free_slot = oldest = NULL;
		for (i = 0; i < MEMO_SLOTS; i++) {
			set_memo *m = &memo.m[i];

			if (m->w == NULL)
				free_slot = free_slot != NULL ? free_slot : m;
			else if (oldest == NULL || m->used < oldest->used)
				oldest = m;
		}
		if (free_slot != NULL && memo.bytes + need <= memo.budget)
			break;
		if (oldest == NULL)
			goto done;
		memo_drop(oldest);
	}
	if ((copy = malloc(need)) == NULL)
		goto done;
	memcpy(copy, w, need);
	*free_slot = *k;
	free_slot->w = copy;
	free_slot->used = ++memo.clock;
	memo.bytes += need;
done:
	pthread_mutex_unlock(&memo.mu);
}

size_t nx_impact__set_memo_budget(size_t bytes)
{
	size_t was = 0;
	int i = 0;

	pthread_mutex_lock(&memo.mu);
	was = memo.budget;
	memo.budget = bytes;
	for (i = 0; i < MEMO_SLOTS; i++)
		if (memo.m[i].w != NULL)
			memo_drop(&memo.m[i]);
	memo.hits = memo.misses = 0;
	pthread_mutex_unlock(&memo.mu);
	return was;
}

void nx_impact__set_memo_stats(int64_t *hits, int64_t *misses, size_t *bytes)
{
	pthread_mutex_lock(&memo.mu);
	*hits = memo.hits;
	*misses = memo.misses;
	*bytes = memo.bytes;
	pthread_mutex_unlock(&memo.mu);
}

/*
 * A set from its columns (nbits; bits, zn bytes; maxes, mn bytes) into
 * *w, *nw and *max: 1, or -1 when corrupt (*w and *max NULL).
 */
static int decode_set(sqlite3_int64 nbits, const unsigned char *z, size_t zn, const unsigned char *m, size_t mn,
		      uint64_t **w, size_t *nw, double **max)
{
	unsigned char *raw = NULL;
	uLongf len = (uLongf)(nbits / 8);
	size_t n = (size_t)(nbits / 64);
	set_memo key;
	int rc = -1, keyed = 0;

	if (nbits <= 0 || nbits % 64 != 0 || nbits > ((sqlite3_int64)1 << 36) || z == NULL ||
	    read_maxes(m, mn, n, max) < 0)
		goto done;
	if ((*w = malloc(n * sizeof(**w))) == NULL)
		goto done;
	if (zn == (size_t)len + 1 && z[0] == NX_IMPACT_SET_RAW) {
		set_words(z + 1, n, *w); /* kept as it is (nx_impact__put_set) */
	} else {
		if ((keyed = zn >= 2 * MEMO_EDGE) != 0) {
			memo_key(&key, nbits, z, zn);
			if (memo_get(&key, *w, n)) {
				*nw = n;
				return 1;
			}
		}
		if ((raw = malloc(len)) == NULL)
			goto done;
		if (uncompress(raw, &len, z, (uLong)zn) != Z_OK || len != (uLongf)(nbits / 8))
			goto done;
		set_words(raw, n, *w);
		if (keyed)
			memo_put(&key, *w, n);
	}
	*nw = n;
	rc = 1;
done:
	if (rc < 0) {
		free(*w);
		free(*max);
		*w = NULL;
		*max = NULL;
	}
	free(raw);
	return rc;
}

/* The set of expr the statement sql selects (nbits, bits, maxes), as nx_impact__get_set gives it. */
static int get_set(sqlite3 *db, const char *sql, const char *expr, uint64_t **w, size_t *nw, double **max)
{
	sqlite3_stmt *s = NULL;
	int rc = 0;

	*w = NULL;
	*nw = 0;
	*max = NULL;
	if (sqlite3_prepare_v2(db, sql, -1, &s, NULL) != SQLITE_OK)
		return 0; /* no table: an older index */
	sqlite3_bind_text(s, 1, expr, -1, SQLITE_STATIC);
	if (sqlite3_step(s) == SQLITE_ROW)
		rc = decode_set(sqlite3_column_int64(s, 0), sqlite3_column_blob(s, 1), (size_t)sqlite3_column_bytes(s, 1),
				sqlite3_column_blob(s, 2), (size_t)sqlite3_column_bytes(s, 2), w, nw, max);
	sqlite3_finalize(s);
	return rc;
}

#define GET_SET_SQL                                                                                                  \
	"SELECT b.nbits, b.bits, b.maxes FROM impact i, impact_set b, impact_state t, fts_data d"                    \
	" WHERE i.expr = ?1 AND b.expr = coalesce(i.twin, i.expr)"                                                   \
	" AND t.id = 2 AND d.id = 1 AND t.totals = d.block"

int nx_impact__get_set(sqlite3 *db, const char *expr, uint64_t **w, size_t *nw, double **max)
{
	return get_set(db, GET_SET_SQL, expr, w, nw, max);
}

/* One set's columns as read (copies), decoded into its result. */
typedef struct set_read {
	sqlite3_int64 nbits;
	unsigned char *z, *m;
	size_t zn, mn;
	uint64_t **w;
	size_t *nw;
	double **max;
	int *rc;
} set_read;

/* Every other read set from the first, decoded. */
typedef struct set_half {
	set_read *r;
	int n, first;
} set_half;

static void *decode_half(void *arg)
{
	set_half *h = arg;
	int i = 0;

	for (i = h->first; i < h->n; i += 2)
		if (*h->r[i].rc == 2)
			*h->r[i].rc = decode_set(h->r[i].nbits, h->r[i].z, h->r[i].zn, h->r[i].m, h->r[i].mn, h->r[i].w,
						 h->r[i].nw, h->r[i].max);
	return NULL;
}

void nx_impact__get_sets(sqlite3 *db, const char *const *expr, int n, uint64_t **w, size_t *nw, double **max, int *rc,
			 int flags)
{
	set_read r[NX_IMPACT_MAX_GET_SETS];
	set_half odd = { r, 0, 1 }, even = { r, 0, 0 };
	sqlite3_stmt *s = NULL;
	pthread_t th;
	int i = 0, ndeflated = 0, nrow = 0;

	memset(r, 0, sizeof(r));
	n = n < NX_IMPACT_MAX_GET_SETS ? n : NX_IMPACT_MAX_GET_SETS;
	for (i = 0; i < n; i++) {
		w[i] = NULL;
		nw[i] = 0;
		max[i] = NULL;
		rc[i] = 0;
	}
	if (n < 1 || sqlite3_prepare_v2(db, GET_SET_SQL, -1, &s, NULL) != SQLITE_OK)
		return; /* no table: an older index */
	/* the columns copied on this thread (2: to decode) */
	for (i = 0; i < n; i++) {
		const unsigned char *z = NULL, *m = NULL;

		r[i].w = &w[i];
		r[i].nw = &nw[i];
		r[i].max = &max[i];
		r[i].rc = &rc[i];
		sqlite3_reset(s);
		sqlite3_bind_text(s, 1, expr[i], -1, SQLITE_STATIC);
		if (sqlite3_step(s) != SQLITE_ROW)
			continue;
		nrow++;
		r[i].nbits = sqlite3_column_int64(s, 0);
		z = sqlite3_column_blob(s, 1);
		r[i].zn = (size_t)sqlite3_column_bytes(s, 1);
		m = sqlite3_column_blob(s, 2);
		r[i].mn = (size_t)sqlite3_column_bytes(s, 2);
		rc[i] = -1;
		if (z == NULL || m == NULL || (r[i].z = malloc(r[i].zn)) == NULL || (r[i].m = malloc(r[i].mn)) == NULL)
			continue;
		memcpy(r[i].z, z, r[i].zn);
		memcpy(r[i].m, m, r[i].mn);
		rc[i] = 2;
		ndeflated += r[i].zn == 0 || r[i].z[0] != NX_IMPACT_SET_RAW;
	}
	sqlite3_finalize(s);
	/* inflated on two threads when two or more are deflated; none when one has no set and all are wanted */
	odd.n = even.n = (flags & NX_IMPACT_SETS_ALL) && nrow < n ? 0 : n;
	for (i = odd.n; i < n; i++)
		rc[i] = 0;
	if ((flags & NX_IMPACT_SETS_TWO) && ndeflated > 1 && pthread_create(&th, NULL, decode_half, &odd) == 0) {
		decode_half(&even);
		pthread_join(th, NULL);
	} else {
		decode_half(&even);
		decode_half(&odd);
	}
	for (i = 0; i < n; i++) {
		free(r[i].z);
		free(r[i].m);
	}
}

int nx_impact__get_set_made(sqlite3 *db, const char *expr, uint64_t **w, size_t *nw, double **max, int64_t *df)
{
	int64_t n = 0;
	sqlite3_stmt *s = NULL;
	int rc = 0;

	*df = 0;
	/* (the mark present: the sets were made with the lists, not left by an older program's build) */
	if (sqlite3_prepare_v2(db, "SELECT i.df FROM impact i, impact_state t WHERE i.expr = ?1 AND t.id = 4", -1, &s,
			       NULL) != SQLITE_OK)
		return 0;
	sqlite3_bind_text(s, 1, expr, -1, SQLITE_STATIC);
	if (sqlite3_step(s) == SQLITE_ROW)
		n = sqlite3_column_int64(s, 0);
	sqlite3_finalize(s);
	if (n <= 0)
		return 0;
	rc = get_set(db,
		     "SELECT b.nbits, b.bits, b.maxes FROM impact i, impact_set b"
		     " WHERE i.expr = ?1 AND b.expr = coalesce(i.twin, i.expr)",
		     expr, w, nw, max);
	if (rc == 1)
		*df = n;
	return rc;
}

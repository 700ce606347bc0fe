/*
 * defer.c - a new archive's first load without the indexes of ids and
 * dates, built once at its end.
 *
 * An article's id (8 bytes of a hash) and its publication date land at
 * random places in their indexes, so every commit of a load rewrites most
 * of those indexes' pages: adding 40,000 articles to a 10M index, 91% of
 * the pages written to the WAL were theirs (48% ids, 43% dates; the WAL's
 * frames mapped to b-trees with the dbstat table).  A load into an empty
 * index drops both and makes them again before its last commit, in one
 * sorted pass (CREATE INDEX).  Meanwhile the writer finds an article by
 * its id in a table in memory: every article of the index came from this
 * load, so the table knows them all.
 *
 * The table holds, per article, a 32-bit fingerprint of its id and its
 * rowid in 8 bytes; a fingerprint match is checked against the row (a
 * different id matching is rare and costs one read).  At most
 * NX_DEFER_MAX_SLOTS slots (128 MB): a larger load, or a rowid past 32
 * bits, builds the indexes where it is and goes on with them.
 *
 * A load killed midway leaves the index without them; the next writer to
 * open it makes them again (nx_store__defer_restore), readers meanwhile
 * get the same answers, more slowly.  Only indexes whose ids have an index
 * of their own (article_uid, made by this version on) can drop it; an
 * older one's is part of its table, and only its dates are deferred.
 */
#include <stdlib.h>
#include <string.h>

#include "index/store_private.h"
#include "util/hex.h"

#define NX_DEFER_MIN_SLOTS (1u << 16)
#define NX_DEFER_MAX_SLOTS (1u << 24)

struct nx_uidmap {
	uint64_t *slot; /* fingerprint << 32 | rowid; 0: empty */
	size_t mask;    /* slots - 1 */
	size_t n;       /* ids held */
};

/* The 64 bits of an id mixed (ids are hashes already; a crafted one still spreads). */
static uint64_t mix(const unsigned char b[8])
{
	uint64_t h = 0;
	int i = 0;

	for (i = 0; i < 8; i++)
		h = h << 8 | b[i];
	h ^= h >> 33;
	h *= 0xff51afd7ed558ccdULL;
	h ^= h >> 33;
	h *= 0xc4ceb9fe1a85ec53ULL;
	return h ^ (h >> 33);
}

static void map_free(struct nx_uidmap *m)
{
	if (m != NULL)
		free(m->slot);
	free(m);
}

static struct nx_uidmap *map_new(size_t slots)
{
	struct nx_uidmap *m = calloc(1, sizeof(*m));

	if (m == NULL || (m->slot = calloc(slots, sizeof(*m->slot))) == NULL) {
		map_free(m);
		return NULL;
	}
	m->mask = slots - 1;
	return m;
}

/* Slots hold the fingerprint (the high half of mix) and the rowid; a slot's home is the fingerprint's low bits. */
static void map_put(struct nx_uidmap *m, uint32_t fp, uint32_t id)
{
	size_t i = fp & m->mask;

	while (m->slot[i] != 0)
		i = (i + 1) & m->mask;
	m->slot[i] = (uint64_t)fp << 32 | id;
	m->n++;
}

/* Twice the slots; 0 when it cannot grow (at its limit, out of memory). */
static int map_grow(struct nx_uidmap *m)
{
	struct nx_uidmap nu = { NULL, (m->mask + 1) * 2 - 1, 0 };
	size_t i = 0;

	if (nu.mask + 1 > NX_DEFER_MAX_SLOTS || (nu.slot = calloc(nu.mask + 1, sizeof(*nu.slot))) == NULL)
		return 0;
	for (i = 0; i <= m->mask; i++)
		if (m->slot[i] != 0)
			map_put(&nu, (uint32_t)(m->slot[i] >> 32), (uint32_t)m->slot[i]);
	free(m->slot);
	*m = nu;
	return 1;
}

static int has_index(nx_store *st, const char *name)
{
	sqlite3_stmt *s = NULL;
	int have = 0;

	if (sqlite3_prepare_v2(st->db, "SELECT 1 FROM sqlite_schema WHERE type = 'index' AND name = ?1", -1, &s,
			       NULL) != SQLITE_OK)
		return 0;
	sqlite3_bind_text(s, 1, name, -1, SQLITE_STATIC);
	have = sqlite3_step(s) == SQLITE_ROW;
	sqlite3_finalize(s);
	return have;
}

int nx_store__defer_start(nx_store *st, nx_error *err)
{
	const char *env = getenv("NX_DEFER_INDEXES");
	int rc = NX_OK;

	if (st->deferred || !st->in_tx || (env != NULL && strcmp(env, "0") == 0) || !nx_store__is_empty(st))
		return NX_OK;
	if (has_index(st, "article_uid") && (st->uidmap = map_new(NX_DEFER_MIN_SLOTS)) != NULL) {
		if ((rc = nx_store__exec(st, "DROP INDEX article_uid", err, "cannot start the load")) < 0) {
			map_free(st->uidmap);
			st->uidmap = NULL;
			return rc;
		}
		st->deferred |= NX_DEFER_IDS;
	}
	if (has_index(st, "article_published")) {
		if ((rc = nx_store__exec(st, "DROP INDEX article_published", err, "cannot start the load")) < 0) {
			/* the caller rolls the drop of ids back: the map must not outlive it */
			nx_store__defer_forget(st);
			return rc;
		}
		st->deferred |= NX_DEFER_DATES;
	}
	return NX_OK;
}

/* Make what is missing; the map goes (a uid index without it would be wrong). */
static int make_indexes(nx_store *st, nx_error *err)
{
	int rc = NX_OK, ids = 0, dates = 0;

	map_free(st->uidmap);
	st->uidmap = NULL;
	st->deferred = 0;
	ids = !has_index(st, "article_uid") && !has_index(st, "sqlite_autoindex_article_1");
	dates = !has_index(st, "article_published");
	if (!ids && !dates)
		return NX_OK; /* every writer's open: nothing to make */
	/*
	 * SQLite's sorter on a second thread: at 10M articles the index of dates
	 * took 9.1 s instead of 13.3 (CPU 9.8 s against 8.5; 267 MB peak against
	 * 136 MB, with the table of ids already freed)
	 */
	nx_store__exec(st, "PRAGMA threads = 2", NULL, "");
	if (ids)
		rc = nx_store__exec(st, "CREATE UNIQUE INDEX article_uid ON article(uid)", err,
				    "cannot make the index of article ids");
	if (rc == NX_OK && dates)
		rc = nx_store__exec(st, "CREATE INDEX article_published ON article(published)", err,
				    "cannot make the index of publication dates");
	nx_store__exec(st, "PRAGMA threads = 0", NULL, "");
	return rc;
}

int nx_store__defer_end(nx_store *st, nx_error *err)
{
	return st->deferred || st->uidmap != NULL ? make_indexes(st, err) : NX_OK;
}

int nx_store__defer_restore(nx_store *st, nx_error *err)
{
	if (!(st->flags & NX_STORE_WRITE) || st->in_tx)
		return NX_OK;
	return make_indexes(st, err);
}

/* The map's key for an id as text: 0 when it is not 16 hex digits (such an id is not kept as 8 bytes). */
static int key_of(const char *uid, uint32_t *fp)
{
	unsigned char b[8];

	if (uid == NULL || strlen(uid) != 16 || !nx_unhex(b, uid, 8))
		return 0;
	*fp = (uint32_t)(mix(b) >> 32);
	return 1;
}

int nx_store__defer_has_ids(const nx_store *st)
{
	return st->uidmap != NULL;
}

int nx_store__defer_first(const nx_store *st, const char *uid, nx_defer_probe *p)
{
	uint32_t fp = 0;

	if (st->uidmap == NULL || !key_of(uid, &fp))
		return 0;
	p->fp = fp;
	p->i = fp & st->uidmap->mask;
	return 1;
}

int nx_store__defer_next(const nx_store *st, nx_defer_probe *p, int64_t *id)
{
	const struct nx_uidmap *m = st->uidmap;

	for (; m->slot[p->i] != 0; p->i = (p->i + 1) & m->mask) {
		uint64_t v = m->slot[p->i];

		if ((uint32_t)(v >> 32) == p->fp) {
			*id = (int64_t)(uint32_t)v;
			p->i = (p->i + 1) & m->mask;
			return 1;
		}
	}
	return 0;
}

int nx_store__defer_note(nx_store *st, const char *uid, int64_t id, nx_error *err)
{
	struct nx_uidmap *m = st->uidmap;
	uint32_t fp = 0;

	if (m == NULL)
		return NX_OK;
	/* three quarters full: twice the slots, or the indexes now */
	if (id <= 0 || id > (int64_t)UINT32_MAX || !key_of(uid, &fp) ||
	    ((m->n + 1) * 4 > (m->mask + 1) * 3 && !map_grow(m)))
		return make_indexes(st, err);
	map_put(m, fp, (uint32_t)id);
	return NX_OK;
}

void nx_store__defer_forget(nx_store *st)
{
	map_free(st->uidmap);
	st->uidmap = NULL;
	st->deferred = 0;
}

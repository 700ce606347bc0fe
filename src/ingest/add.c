/*
 * add.c - the bulk loader behind `newsidx add` (newsidx/add.h): a parsing
 * thread and a writing thread joined by a bounded queue.
 */
#if defined(__linux__) && !defined(_GNU_SOURCE)
#define _GNU_SOURCE /* sched_getaffinity */
#endif
#include <limits.h>
#include <pthread.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "index/bulk.h"
#include "newsidx/add.h"
#include "newsidx/ingest.h"
#include "newsidx/sync.h"

/*
 * Articles per transaction (NX_ADD_BATCH_ARTICLES).  Each commit writes
 * every page it dirtied to the WAL, and ids and dates land at random in
 * their indexes: at 1M articles 2,000 a commit rewrote most of those
 * indexes' pages 500 times.  Measured at 1M (wall / CPU s): 2,000: 124 /
 * 150; 4,000: 96 / 131; 8,000: 88-89 / 124-127; 16,000: 93 / 133; 32,000:
 * 99 / 140 (more dirty pages than the cache holds); peak memory 89 MB for
 * all.
 *
 * The first transaction of a load into an empty index (a new archive)
 * holds up to NX_ADD_FIRST_BATCH articles: a small archive is then one
 * transaction, FTS5 writes one segment at its commit, and the end of the
 * load has no segments to merge (nx_store__settle).  A 20k load's writer
 * alone at its end, after the reader is done, two cores: 138-146 ms CPU,
 * 355-389 ms wall with 8,000 a transaction; 98-117 ms, 165-227 ms in one.
 */
#define NX_ADD_FIRST_BATCH 32000

/* The writer's state. */
typedef struct add_ctx {
	nx_store *st;
	const nx_add_opts *o;
	long batch;            /* articles per transaction */
	long first_batch;      /* in the first one */
	nx_add_stats s;
	const char *file;      /* file being ingested, as given */
	char *file_owned;      /* the pipeline's copy of it */
	struct queue *q;       /* the pipeline's queue (its spare table of words) */
	int db_failed;         /* a store error: stop everything */
	nx_error err;
} add_ctx;

/* Write one article (prepared ahead by the pipeline, or not: prep NULL). */
static int put_article(add_ctx *x, nx_article *a, nx_prepared *prep)
{
	int status = 0, rc = 0;

	if (prep != NULL)
		rc = nx_store_put_prepared(x->st, a, prep, &status, &x->err);
	else
		rc = nx_store_put(x->st, a, &status, &x->err);
	if (rc < 0) {
		x->db_failed = 1;
		return rc;
	}
	switch (status) {
	case NX_PUT_ADDED: x->s.added++; break;
	case NX_PUT_UPDATED: x->s.updated++; break;
	default: x->s.unchanged++; break;
	}
	if (x->o->on_article != NULL)
		x->o->on_article(a, x->file, status, x->o->ctx);
	return NX_OK;
}

static void report_failure(add_ctx *x, const char *file, const char *reason)
{
	x->s.failed++;
	if (x->o->on_failure != NULL)
		x->o->on_failure(file, reason, x->o->ctx);
}

static int commit_batch(add_ctx *x, int reopen)
{
	if (nx_store_commit(x->st, &x->err) < 0)
		return -1;
	/* a new archive's first transaction went without the WAL: the rest go with it */
	nx_store__first_load_end(x->st);
	if (reopen && nx_store_begin(x->st, &x->err) < 0)
		return -1;
	if (reopen)
		nx_store__bulk_settings(x->st, 1); /* the cache grows with the index */
	return 0;
}

/*
 * Two-stage pipeline: one thread reads and parses files (the walk, gzip,
 * parsers, normalization) and prepares each article for the store
 * (joining its text, hashing: nx_store_prepare_deferred, then compressing
 * the bodies of a few together: nx_store_pack; while the writer is the
 * slower thread, its full-text tokens too: nx_store_pretokenize), the
 * main thread writes the index (FTS5, SQLite), connected by a bounded
 * queue.  Events travel in batches of up to BATCH_EVENTS, handed over when
 * a batch is full and at the end of each file, so the threads wake each
 * other once per batch at most, not once per article.
 *
 * Transactions: a commit every batch of articles (x->batch), in a large
 * file between two of its articles; the reader marks where each ends
 * (EV_COMMIT) and counts the words for "did you mean" of the articles it
 * tokenizes (the writer counts the others' as FTS5 tokenizes them),
 * which the writer takes before committing (nx_store_vocab_adopt); a store
 * error rolls back everything since the last commit.  A file cut by a
 * commit and then by a kill is read again whole by the next add or sync
 * (it is stamped only at its end).  No savepoint per file: FTS5 writes
 * its pending terms out at every savepoint, and a folder of one-article
 * pages made a segment per article (5,000 such files took 4 times as long
 * as the same articles in 5 files).
 */
enum { EV_BEGIN, EV_ARTICLE, EV_END, EV_FAIL, EV_NOTE, EV_COMMIT };

typedef struct event {
	int kind;
	char *path;       /* BEGIN, END, FAIL: as given (walk order) */
	char *msg;        /* END (when rc < 0), FAIL, NOTE */
	int rc;           /* END */
	nx_article *a;    /* ARTICLE */
	nx_prepared *prep; /* ARTICLE: prepared ahead, or NULL: put it whole */
	char *real;       /* END: the absolute path, when fs was taken */
	nx_file_state fs; /* END: the file as it was before reading, for sync */
	nx_vocab_acc *vocab; /* COMMIT: the words of the articles since the last one (rc 0: the last, no commit) */
} event;

#define BATCH_EVENTS 64
#define HOLD_EVENTS 32
#define QUEUE_BATCHES 8

typedef struct batch {
	event ev[BATCH_EVENTS];
	int n;
	int last;         /* the reader is done: nothing follows */
} batch;

typedef struct queue {
	batch b[QUEUE_BATCHES];
	size_t head, count;
	batch taken;      /* the writer's: the batch being written */
	pthread_mutex_t mu;
	pthread_cond_t not_full, not_empty;
	int reader_waits, writer_waits;
	int stop;         /* the writer failed: the reader gives up */
	nx_vocab_acc *spare; /* the writer's emptied table of words, for the reader to count into */
} queue;

typedef struct producer {
	queue *q;
	nx_store *st;
	batch cur;        /* being filled by the reader */
	int stopped;
	int lend;         /* leave packing bodies to the writer, which is idle */
	int pretok_all;   /* NX_ADD_PRETOK_ALL (tests): make the tokens of every article ahead */
	long batch;       /* articles per transaction: the reader says where each ends (EV_COMMIT) */
	long first;       /* the first one's (NX_ADD_FIRST_BATCH into an empty index, else batch) */
	int committed;    /* an EV_COMMIT was queued: batch from now on */
	long pending;     /* articles queued since the last EV_COMMIT */
	nx_vocab_acc *vocab; /* their words, counted here rather than on the writer */
	event held[HOLD_EVENTS]; /* events waiting for their articles' bodies to be packed */
	int nheld;
	int nheld_prep;   /* articles among them with a prepared body */
	char *const *paths;
	int npaths;
	nx_ingest_opts walk_opts; /* follow_symlinks */
	nx_error walk_err;
	int walk_rc;
} producer;

static void event_free(event *e)
{
	free(e->path);
	free(e->msg);
	free(e->real);
	nx_article_free(e->a);
	nx_prepared_free(e->prep);
	nx_store_vocab_free(e->vocab);
	memset(e, 0, sizeof(*e));
}

static void batch_free(batch *b)
{
	int i = 0;

	for (i = 0; i < b->n; i++)
		event_free(&b->ev[i]);
	b->n = 0;
}

/*
 * Hand the reader's batch to the writer.  Waits while the queue is full,
 * unless the writer has stopped: then the events are freed and -1
 * returned.  The last batch is always delivered (the writer waits for it
 * even after stopping), emptied when the writer has stopped.
 */
static int flush(producer *p, int last)
{
	queue *q = p->q;
	int stop = 0;

	if (p->cur.n == 0 && !last)
		return p->stopped ? -1 : 0;
	pthread_mutex_lock(&q->mu);
	while (q->count == QUEUE_BATCHES && (last || !q->stop)) {
		q->reader_waits = 1;
		pthread_cond_wait(&q->not_full, &q->mu);
	}
	q->reader_waits = 0;
	stop = q->stop;
	if (stop)
		batch_free(&p->cur);
	if (!stop || last) {
		p->cur.last = last;
		q->b[(q->head + q->count) % QUEUE_BATCHES] = p->cur;
		q->count++;
		/*
		 * Share the compressing: a writer waiting for work packs the
		 * next batch's bodies itself (pack_batch), a writer with
		 * batches waiting gets them packed.
		 */
		if (q->writer_waits) {
			p->lend = 1;
			pthread_cond_signal(&q->not_empty);
		} else if (q->count >= 2) {
			p->lend = 0;
		}
	}
	pthread_mutex_unlock(&q->mu);
	p->cur.n = 0;
	if (stop)
		p->stopped = 1;
	return stop ? -1 : 0;
}

/* Queue an event, or free what it holds when the writer has stopped. */
static int push(producer *p, event *e)
{
	if (p->stopped) {
		event_free(e);
		return -1;
	}
	p->cur.ev[p->cur.n++] = *e;
	memset(e, 0, sizeof(*e));
	if (p->cur.n == BATCH_EVENTS)
		return flush(p, 0);
	return 0;
}

/* The writer's side: the next batch (moved out of the queue). */
static void queue_pop(queue *q, batch *out)
{
	pthread_mutex_lock(&q->mu);
	while (q->count == 0) {
		q->writer_waits = 1;
		pthread_cond_wait(&q->not_empty, &q->mu);
	}
	q->writer_waits = 0;
	*out = q->b[q->head];
	q->head = (q->head + 1) % QUEUE_BATCHES;
	q->count--;
	/* wake a waiting reader once half the queue is free, not per batch */
	if (q->reader_waits && q->count <= QUEUE_BATCHES / 2)
		pthread_cond_signal(&q->not_full);
	pthread_mutex_unlock(&q->mu);
}

static void queue_stop(queue *q)
{
	pthread_mutex_lock(&q->mu);
	q->stop = 1;
	pthread_cond_broadcast(&q->not_full);
	pthread_mutex_unlock(&q->mu);
}

/*
 * Compress the held articles' bodies together (nx_store_pack) and queue
 * the held events, in order; or leave the packing to the writer when it
 * is idle (lend: see pack_batch).  A block may span files: add has no
 * savepoint per file (see consume), and the writer compresses alone a
 * body whose block a commit closed before it.
 */
static int release_held(producer *p)
{
	nx_prepared *v[HOLD_EVENTS];
	int i = 0, n = 0, rc = 0;

	if (p->nheld == 0)
		return 0;
	for (i = 0; i < p->nheld; i++)
		if (p->held[i].kind == EV_ARTICLE && p->held[i].prep != NULL)
			v[n++] = p->held[i].prep;
	if (!p->lend && n > 0)
		nx_store_pack(p->st, v, n, NULL); /* on failure the writer compresses each alone */
	for (i = 0; i < p->nheld; i++)
		if (push(p, &p->held[i]) < 0)
			rc = -1;
	p->nheld = 0;
	p->nheld_prep = 0;
	return rc;
}

/* Queue an event behind the held ones (directly when none is held and it has no body to pack). */
static int hold(producer *p, event *e)
{
	int packable = e->kind == EV_ARTICLE && e->prep != NULL;

	if (p->stopped) {
		event_free(e);
		return -1;
	}
	if (p->nheld == 0 && !packable)
		return push(p, e);
	p->held[p->nheld++] = *e;
	memset(e, 0, sizeof(*e));
	p->nheld_prep += packable;
	if (p->nheld_prep == NX_PACK_MAX || p->nheld == HOLD_EVENTS)
		return release_held(p);
	return 0;
}

/*
 * The end of a transaction, after the batch-th article since the last
 * (commit 1), or the words of the last articles before the end (commit
 * 0: the writer commits after settling, nx_add_run): the words counted
 * go with it, and counting goes on in the table the writer emptied.
 */
static int hold_commit(producer *p, int commit)
{
	queue *q = p->q;
	event e;

	memset(&e, 0, sizeof(e));
	e.kind = EV_COMMIT;
	e.rc = commit;
	nx_store_vocab_sort(p->vocab);
	e.vocab = p->vocab;
	p->pending = 0;
	p->committed |= commit;
	pthread_mutex_lock(&q->mu);
	p->vocab = q->spare;
	q->spare = NULL;
	pthread_mutex_unlock(&q->mu);
	return hold(p, &e);
}

/*
 * The parser thread's article callback: prepare the article for the store
 * and move both into the queue, by way of the held events whose articles'
 * bodies are packed together.  When preparing fails the writer puts the
 * article whole, which reports the error as the one-thread path does.
 */
static int prod_article(nx_article *a, void *ctx)
{
	producer *p = ctx;
	nx_error err = NX_ERROR_INIT;
	event e;

	if (p->stopped)
		return NX_EDB;
	memset(&e, 0, sizeof(e));
	e.kind = EV_ARTICLE;
	if (a->id != NULL && nx_store_prepare_deferred(&e.prep, p->st, a, &err) < 0)
		e.prep = NULL;
	/*
	 * While the writer is the slower thread (it has batches waiting: not
	 * lend), the full-text tokens are made here too; on failure the
	 * writer tokenizes.
	 */
	if (e.prep != NULL && (!p->lend || p->pretok_all))
		nx_store_pretokenize(p->st, e.prep, a, &p->vocab, NULL);
	e.a = nx_article_move(a); /* the caller frees an empty shell */
	if (e.a == NULL) {
		nx_prepared_free(e.prep);
		return NX_ENOMEM;
	}
	if (hold(p, &e) < 0)
		return NX_EDB;
	return ++p->pending >= (p->committed ? p->batch : p->first) && hold_commit(p, 1) < 0 ? NX_EDB : NX_OK;
}

/* A parser's note (an article's authors capped...), queued for the writer to report in order. */
static void prod_note(const char *path, const char *msg, void *ctx)
{
	producer *p = ctx;
	event e;

	memset(&e, 0, sizeof(e));
	e.kind = EV_NOTE;
	e.path = strdup(path != NULL ? path : "-");
	e.msg = strdup(msg);
	hold(p, &e);
}

static int prod_file(const char *path, const struct stat *st, int errnum, const char *msg, void *ctx)
{
	producer *p = ctx;
	nx_ingest_opts opts = NX_INGEST_OPTS_INIT;
	nx_error err = NX_ERROR_INIT;
	char real[PATH_MAX];
	const char *open_as = path;
	nx_file_state fs;
	event e;
	int rc = 0, have_fs = 0;

	(void)st;
	memset(&e, 0, sizeof(e));
	if (errnum == NX_WALK_SKIP) { /* a link out of the folder, a FIFO...: a note */
		e.kind = EV_NOTE;
		e.path = strdup(path);
		e.msg = strdup(msg != NULL ? msg : "skipped");
		return hold(p, &e);
	}
	if (errnum != 0) {
		e.kind = EV_FAIL;
		e.path = strdup(path);
		e.msg = strdup(msg != NULL ? msg : "cannot read");
		return hold(p, &e);
	}
	if (strcmp(path, "-") != 0 && realpath(path, real) != NULL) {
		open_as = real;
		/* what sync would record, taken before reading (a failure here: not stamped) */
		have_fs = nx_file_state_read(&fs, real, NULL) == NX_OK;
	}
	e.kind = EV_BEGIN;
	e.path = strdup(path);
	if (hold(p, &e) < 0)
		return -1;
	opts.note = prod_note;
	opts.note_ctx = p;
	rc = nx_ingest_file(open_as, &opts, prod_article, p, &err);
	memset(&e, 0, sizeof(e));
	e.kind = EV_END;
	e.path = strdup(path);
	e.rc = rc;
	if (have_fs && (e.real = strdup(real)) != NULL)
		e.fs = fs;
	if (rc < 0)
		e.msg = strdup(err.msg[0] != '\0' ? err.msg : nx_strerror(rc));
	if (hold(p, &e) < 0)
		return -1;
	/*
	 * the end of a file: hand over what is ready (the next may be slow to
	 * read), but for a few articles whose bodies wait for the next file's
	 */
	return p->nheld > 0 ? 0 : flush(p, 0);
}

static void *producer_main(void *arg)
{
	producer *p = arg;
	int i = 0;

	for (i = 0; i < p->npaths && p->walk_rc == 0; i++) {
		if (nx_walk_with(p->paths[i], &p->walk_opts, prod_file, p, &p->walk_err) < 0 &&
		    p->walk_err.msg[0] != '\0')
			p->walk_rc = -1;
	}
	if (p->vocab != NULL)
		hold_commit(p, 0);
	release_held(p);
	flush(p, 1);
	nx_store_vocab_free(p->vocab);
	p->vocab = NULL;
	return NULL;
}

/* One event, on the writer. */
static void consume_event(add_ctx *x, event *e)
{
	switch (e->kind) {
	case EV_FAIL:
		report_failure(x, e->path, e->msg != NULL ? e->msg : "cannot read");
		break;
	case EV_NOTE:
		if (x->o->on_note != NULL && e->path != NULL && e->msg != NULL)
			x->o->on_note(e->path, e->msg, x->o->ctx);
		break;
	case EV_BEGIN:
		x->s.files++;
		free(x->file_owned);
		x->file_owned = e->path;
		x->file = e->path;
		e->path = NULL;
		break;
	case EV_ARTICLE:
		if (put_article(x, e->a, e->prep) < 0)
			x->db_failed = 1;
		break;
	case EV_COMMIT:
		/* a large file commits as it goes */
		if (nx_store_vocab_adopt(x->st, &e->vocab, &x->err) < 0 || (e->rc && commit_batch(x, 1) < 0)) {
			x->db_failed = 1;
			break;
		}
		pthread_mutex_lock(&x->q->mu);
		nx_store_vocab_free(x->q->spare);
		x->q->spare = e->vocab;
		pthread_mutex_unlock(&x->q->mu);
		e->vocab = NULL;
		break;
	case EV_END:
		/*
		 * The file's state, as sync records it, so that the next sync
		 * skips it; not after a failure that other bytes might not have
		 * (a read error), as sync does.
		 */
		if (e->real != NULL && (e->rc >= 0 || e->rc == NX_EFORMAT || e->rc == NX_ETOOBIG) &&
		    nx_sync_stamp(x->st, e->real, &e->fs, &x->err) < 0) {
			x->db_failed = 1;
			break;
		}
		if (e->rc < 0)
			report_failure(x, e->path, e->msg != NULL ? e->msg : nx_strerror(e->rc));
		if (x->o->on_file != NULL)
			x->o->on_file(&x->s, x->o->ctx);
		break;
	default:
		break;
	}
}

/*
 * The bodies of a batch the reader left unpacked (it was the slower one:
 * lend), packed by the writer before it writes them (packed ones are
 * skipped).
 */
static void pack_batch(add_ctx *x, batch *b)
{
	nx_prepared *v[BATCH_EVENTS];
	int i = 0, n = 0;

	for (i = 0; i < b->n; i++)
		if (b->ev[i].kind == EV_ARTICLE && b->ev[i].prep != NULL)
			v[n++] = b->ev[i].prep;
	if (n > 0)
		nx_store_pack(x->st, v, n, NULL);
}

/* The writer: the main thread. */
static void consume(add_ctx *x, queue *q)
{
	batch *b = &q->taken;
	int stopped = 0, i = 0, last = 0;

	while (!last) {
		queue_pop(q, b);
		last = b->last;
		if (!x->db_failed)
			pack_batch(x, b);
		for (i = 0; i < b->n; i++) {
			if (!x->db_failed)
				consume_event(x, &b->ev[i]);
			event_free(&b->ev[i]);
		}
		b->n = 0;
		if (x->db_failed && !stopped) {
			queue_stop(q);
			stopped = 1;
		}
	}
}

/* How many CPUs this process may run on (taskset, a cpuset): 0 when unknown. */
static int cpus_allowed(void)
{
#if defined(__linux__) && defined(CPU_COUNT)
	cpu_set_t set;

	if (sched_getaffinity(0, sizeof(set), &set) == 0)
		return CPU_COUNT(&set);
#endif
	return 0;
}

static int run_pipeline(add_ctx *x, char *const *paths, int npaths, nx_error *walk_err)
{
	queue *q = calloc(1, sizeof(*q));
	producer p;
	pthread_t th;

	if (q == NULL)
		return -1;
	pthread_mutex_init(&q->mu, NULL);
	pthread_cond_init(&q->not_full, NULL);
	pthread_cond_init(&q->not_empty, NULL);
	memset(&p, 0, sizeof(p));
	p.q = q;
	p.st = x->st;
	p.paths = paths;
	p.npaths = npaths;
	p.walk_opts = (nx_ingest_opts)NX_INGEST_OPTS_INIT;
	p.walk_opts.follow_symlinks = x->o->follow_symlinks;
	/*
	 * Tokens made ahead move work from the writer to the parsing thread;
	 * on one CPU both threads share it, and writing the tokens down and
	 * replaying them is only extra work (2.6% more instructions).
	 */
	if (x->o->pretok == NX_ADD_PRETOK_ALL || (x->o->pretok == NX_ADD_PRETOK_AUTO && cpus_allowed() != 1))
		nx_store_pretok_start(p.st, NULL); /* on failure, the writer tokenizes */
	p.pretok_all = x->o->pretok == NX_ADD_PRETOK_ALL;
	p.batch = x->batch;
	p.first = x->first_batch;
	x->q = q;
	if (pthread_create(&th, NULL, producer_main, &p) != 0) {
		free(q);
		return -1;
	}
	consume(x, q);
	pthread_join(th, NULL);
	nx_store_vocab_free(q->spare);
	x->q = NULL;
	pthread_cond_destroy(&q->not_full);
	pthread_cond_destroy(&q->not_empty);
	pthread_mutex_destroy(&q->mu);
	free(q);
	free(x->file_owned);
	x->file_owned = NULL;
	x->file = NULL;
	if (p.walk_rc < 0 && !x->db_failed) {
		*walk_err = p.walk_err;
		return -1;
	}
	return 0;
}


int nx_add_run(nx_add_stats *out, nx_store *st, char *const *paths, int npaths, const nx_add_opts *opts,
	       nx_error *err)
{
	static const nx_add_opts defaults = NX_ADD_OPTS_INIT;
	nx_error walk_err = NX_ERROR_INIT;
	add_ctx x;
	int rc = NX_OK;

	memset(&x, 0, sizeof(x));
	x.st = st;
	x.o = opts != NULL ? opts : &defaults;
	x.batch = x.o->batch_articles > 0 ? x.o->batch_articles : NX_ADD_BATCH_ARTICLES;
	nx_store__first_load_begin(st);
	if ((rc = nx_store_begin(st, err)) < 0) {
		nx_store__first_load_end(st);
		return rc;
	}
	/* a new archive: its first transaction larger (a batch set by the caller is kept) */
	x.first_batch = x.batch;
	if (x.o->batch_articles <= 0 && nx_store__is_empty(st))
		x.first_batch = NX_ADD_FIRST_BATCH;
	/* and the indexes of ids and dates made once, at its end */
	if ((rc = nx_store__defer_start(st, err)) < 0) {
		nx_store_rollback(st);
		nx_store__first_load_end(st);
		return rc;
	}
	nx_store__bulk_settings(st, 1);
	nx_store__bulk_fts(st, 1);
	if (run_pipeline(&x, paths, npaths, &walk_err) < 0 && !x.db_failed) {
		x.err = walk_err;
		if (x.err.msg[0] == '\0')
			nx_error_set(&x.err, NX_EIO, "cannot start reading");
		x.db_failed = 1;
	}
	if (!x.db_failed && nx_store__defer_end(st, &x.err) < 0)
		x.db_failed = 1;
	if (!x.db_failed && nx_store__settle(st, x.s.added + x.s.updated, &x.err) < 0)
		x.db_failed = 1;
	if (!x.db_failed)
		nx_store__bulk_fts(st, 0);
	if (!x.db_failed && commit_batch(&x, 0) < 0)
		x.db_failed = 1;
	nx_store__bulk_settings(st, 0);
	if (out != NULL)
		*out = x.s;
	if (x.db_failed) {
		nx_store_rollback(st);
		nx_store__first_load_end(st);
		/* the commits before this one left them out */
		nx_store__defer_restore(st, NULL);
		if (x.err.code == NX_OK)
			nx_error_set(&x.err, NX_EDB, "cannot write the index");
		if (err != NULL)
			*err = x.err;
		return x.err.code;
	}
	return NX_OK;
}

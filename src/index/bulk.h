/*
 * bulk.h - the bulk loader's side of the store (internal to newsidx): an
 * article prepared ahead on a parsing thread, bodies of a few packed
 * together, full-text tokens made ahead.  Used by sync (src/ingest/sync.c)
 * and by the two-thread pipeline of nx_add_run (src/ingest/add.c); library
 * users call nx_store_put or nx_add_run.
 */
#ifndef NX_INDEX_BULK_H
#define NX_INDEX_BULK_H

#include <stdint.h>

#include "newsidx/store.h"

/*
 * The part of nx_store_put that needs no database -- joining the text,
 * compressing the body, hashing -- done ahead, possibly on another thread
 * than the store's (a bulk loader parses and prepares on one core while
 * the other writes).  nx_store_prepare may run concurrently with any
 * call on the same store; the prepared article must be put into that
 * store with nx_store_put_prepared, which gives the same result as
 * nx_store_put(st, a, ...).  *out is NULL on failure (NX_ENOMEM).
 */
typedef struct nx_prepared nx_prepared;

int nx_store_prepare(nx_prepared **out, nx_store *st, const nx_article *a, nx_error *err);

/*
 * For a bulk loader: nx_store_prepare_deferred leaves the body
 * uncompressed, and nx_store_pack then compresses the bodies of several
 * articles prepared so (consecutive ones of one file, in the order they
 * will be put) together, in blocks of up to NX_PACK_MAX: one zlib stream
 * for a few short bodies compresses smaller and costs less than a
 * stream each.  Entries that are NULL or not deferred are skipped; a body
 * too long to share a block is compressed alone.  Put them in that order
 * within one savepoint (or transaction); a prepared article left
 * deferred (pack failed) is compressed alone when put.
 */
#define NX_PACK_MAX 5
int nx_store_prepare_deferred(nx_prepared **out, nx_store *st, const nx_article *a, nx_error *err);
int nx_store_pack(nx_store *st, nx_prepared **v, int n, nx_error *err);
/*
 * Give the file's free pages back to the file system before the last
 * commit of a load (an index made with auto_vacuum = INCREMENTAL: the
 * pages FTS5's segment merges freed); nothing on older indexes.
 */
void nx_store__trim(nx_store *st);
/* 1 when the index holds no article (a new archive); 0 also when that cannot be read. */
int nx_store__is_empty(nx_store *st);
/*
 * A new archive's first transaction written with a rollback journal
 * rather than the WAL (each page once), outside a transaction: 1 when
 * done, 0 when the index stays in WAL (not empty, or not the index's only
 * connection).  nx_store__first_load_end, outside a transaction, goes
 * back to the WAL (store.c), or, while a reader that came meanwhile is
 * still reading, leaves the next transaction with the journal and tries
 * again after it.  With the journal, a commit waits for the readers
 * (nx_store_commit).
 */
int nx_store__first_load_begin(nx_store *st);
void nx_store__first_load_end(nx_store *st);
/*
 * A load into an empty index (a new archive) leaves out the indexes of
 * ids and publication dates and makes them at its end (defer.c):
 * nx_store__defer_start in its first transaction, nx_store__defer_end
 * before its last commit.  nx_store__defer_restore (a writer's open, a
 * failed load after its rollback, outside a transaction) makes any that
 * an interrupted load left out.  NX_DEFER_INDEXES=0 in the environment
 * (measurements) keeps them all along.
 */
int nx_store__defer_start(nx_store *st, nx_error *err);
int nx_store__defer_end(nx_store *st, nx_error *err);
int nx_store__defer_restore(nx_store *st, nx_error *err);
/* A bulk load's page cache and checkpoints (store.c); on 0: the usual ones again. */
void nx_store__bulk_settings(nx_store *st, int on);
/* The bulk load's WAL checkpoint, in pages, for an index of index_pages pages. */
long nx_store__bulk_checkpoint_pages(int64_t index_pages);
/*
 * FTS5's table of pending terms during a bulk load (on 1, inside its first
 * transaction): written out at each commit rather than at every
 * NX_BULK_FTS_HASH bytes; on 0 (inside its last transaction, before the
 * commit): FTS5's default again, and no row of it left in fts_config.
 */
#define NX_BULK_FTS_HASH (64 << 20)
void nx_store__bulk_fts(nx_store *st, int on);
/*
 * Before the last commit of a load that wrote (added or replaced) written
 * articles: when they are most of a small index (a new archive, its first
 * load), merge the full-text index's segments into one, as optimize does,
 * and rewrite the blocks of words full (nx_store__vocab_compact): at
 * 20,000 articles 0.4 MB less.  Then nx_store__trim.  Fails only when the
 * words of the last articles cannot be saved (err set); a merge or a
 * rewrite that cannot be done leaves things as they were.
 */
int nx_store__settle(nx_store *st, long written, nx_error *err);
int nx_store_put_prepared(nx_store *st, const nx_article *a, nx_prepared *p, int *status, nx_error *err);
void nx_prepared_free(nx_prepared *p);

/*
 * For a bulk loader whose writer is the slower thread: nx_store_pretokenize
 * makes the full-text tokens of a prepared article ahead, on the preparing
 * thread, and putting it replays them instead of tokenizing on the
 * writer's (the same index either way).  nx_store_pretok_start, called
 * before the preparing thread starts, makes the tokenizer it uses (without
 * it, nx_store_pretokenize does nothing); one thread at a time may
 * pretokenize.  With acc (not NULL), the same pass over the text counts
 * its words for "did you mean" into *acc (made when NULL), and putting
 * the article then counts nothing: the text is split once, not twice (an
 * article not pretokenized has its words counted as FTS5 tokenizes it).
 * The writer takes the counts with nx_store_vocab_adopt before the commit
 * of the transaction that puts exactly those articles (the words of those
 * it did not write, unchanged or older versions, are taken back then);
 * *acc receives an empty table to count into next, or NULL.  A table not
 * adopted is freed with nx_store_vocab_free.
 */
typedef struct nx_vocab_acc nx_vocab_acc;
int nx_store_pretok_start(nx_store *st, nx_error *err);
int nx_store_pretokenize(nx_store *st, nx_prepared *p, const nx_article *a, nx_vocab_acc **acc, nx_error *err);
int nx_store_vocab_adopt(nx_store *st, nx_vocab_acc **acc, nx_error *err);
void nx_store_vocab_free(nx_vocab_acc *acc);
/* Sort the words of acc ahead (on the preparing thread), for the writer to merge as they are. */
void nx_store_vocab_sort(nx_vocab_acc *acc);

#endif

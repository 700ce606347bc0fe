/*
 * cmd_sync.c - newsidx sync: ingest only what changed in the archive.
 */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "newsidx/search.h"
#include "newsidx/sync.h"

typedef struct sync_ctx {
	nx_cli *cli;
	int quiet;
	int shown_progress;
} sync_ctx;

static void on_error(const char *path, const char *msg, void *ctx)
{
	sync_ctx *x = ctx;

	if (x->shown_progress) {
		fputs("\r\033[K", stderr);
		x->shown_progress = 0;
	}
	nx_cli_warn("%s: %s", path, msg);
}

/* Not a failure: a link out of the folder not followed, a FIFO skipped, authors capped. */
static void on_note(const char *path, const char *msg, void *ctx)
{
	sync_ctx *x = ctx;

	if (x->quiet)
		return;
	on_error(path, msg, ctx);
}

static void on_progress(const nx_sync_stats *s, void *ctx)
{
	sync_ctx *x = ctx;

	if (!x->cli->progress || x->quiet || s->seconds < 1.0)
		return;
	fprintf(stderr, "\r\033[K%lld files, %lld read, %lld articles added, %lld updated...",
		(long long)s->files, (long long)s->files_read, (long long)s->added, (long long)s->updated);
	x->shown_progress = 1;
}

int cmd_sync(nx_cli *cli, int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "batch", required_argument, NULL, 'b' },
		{ "prune", no_argument, NULL, 'p' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "follow-symlinks", no_argument, NULL, 'L' },
		{ NULL, 0, NULL, 0 }
	};
	nx_sync_opts o = NX_SYNC_OPTS_INIT;
	nx_sync_stats s;
	nx_error err = NX_ERROR_INIT;
	sync_ctx x;
	long batch = 0;
	int c = 0, verbose = 0, rc = NX_OK;

	memset(&x, 0, sizeof(x));
	x.cli = cli;
	optind = 1;
	opterr = 0; /* nx_cli_bad_option() words the message */
	while ((c = getopt_long(argc, argv, ":b:pqv", longopts, NULL)) != -1) {
		switch (c) {
		case 'b':
			if ((batch = nx_cli_number(optarg, 10000000)) < 1)
				return nx_cli_usage("sync", "option '--batch' needs a positive number of articles");
			break;
		case 'p': o.prune = 1; break;
		case 'q': x.quiet = 1; break;
		case 'v': verbose = 1; break;
		case 'L': o.ingest.follow_symlinks = 1; break;
		default: return nx_cli_bad_option("sync", c, argv);
		}
	}
	if (optind >= argc)
		return nx_cli_usage("sync", "no folders to sync");
	o.batch_articles = (size_t)batch;
	if (batch > 0)
		o.batch_files = (size_t)batch;
	o.on_error = on_error;
	o.on_progress = on_progress;
	o.ingest.note = on_note;
	o.ingest.note_ctx = &x;
	o.ctx = &x;
	rc = nx_sync_run(&s, cli->st, (const char *const *)(argv + optind), (size_t)(argc - optind), &o, &err);
	if (x.shown_progress)
		fputs("\r\033[K", stderr);
	if (rc < 0) {
		nx_cli_warn("%s", err.msg);
		nx_cli_warn("sync stopped: work committed before the error is kept; run it again");
		return nx_cli_exit_for(rc) == NX_EXIT_LOCKED ? NX_EXIT_LOCKED : NX_EXIT_INDEX;
	}
	/* the best rows of the most frequent words, after a large sync (a failure costs only speed) */
	if (nx_search_impact_build(cli->st, s.added + s.updated + s.removed, &err) < 0)
		nx_cli_warn("%s", err.msg);
	if (!x.quiet || s.failed > 0)
		printf("added %lld, updated %lld, unchanged %lld, removed %lld, failed %lld in %.2f s\n",
		       (long long)s.added, (long long)s.updated, (long long)s.unchanged,
		       (long long)s.removed, (long long)s.failed, s.seconds);
	if (verbose)
		printf("files %lld: skipped %lld, re-stamped %lld, read %lld, gone %lld; "
		       "late versions kept as revisions %lld; batches %lld\n",
		       (long long)s.files, (long long)s.files_skipped, (long long)s.files_restamped,
		       (long long)s.files_read, (long long)s.files_gone, (long long)s.revisions,
		       (long long)s.batches);
	return s.failed > 0 ? NX_EXIT_PARTIAL : NX_EXIT_OK;
}

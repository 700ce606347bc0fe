/*
 * cmd_add.c - newsidx add: ingest files and folders into the index.
 */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "strbuf.h"
#include "cli.h"
#include "newsidx/search.h"
#include "newsidx/add.h"

const char nx_cli_add_help[] =
	"Formats are detected from the content.  A plain-text file needs a title line and a\n"
	"paragraph of two words or more; a word list (one word per line) or a licence text is\n"
	"refused.  In a folder, README, LICENSE, COPYING, CHANGELOG, AUTHORS... files are\n"
	"skipped with a note.  URLs are stored without tracking parameters and #fragment.\n\n"
	"Ends with 'added N, updated N, unchanged N, failed N'.  An article with a title\n"
	"and no body text (a page whose story was not found, a headline-only item) is\n"
	"indexed and said: 'newsidx: FILE: 'TITLE': no body text: indexed by its title\n"
	"only' on stderr, \"warning\" on its --json line, '(N without body text)' after\n"
	"the summary.  --quiet prints neither.\n\n";

typedef struct add_ctx {
	nx_cli *cli;
	int json;
	int quiet;
	long empty; /* articles written without body text */
	time_t started, last_progress;
} add_ctx;

static void progress(add_ctx *x, const nx_add_stats *s, int final)
{
	time_t now = time(NULL);

	if (!x->cli->progress || x->json)
		return;
	if (final) {
		if (x->last_progress != 0)
			fputs("\r\033[K", stderr);
		return;
	}
	if (now - x->started < 1 || now == x->last_progress)
		return;
	x->last_progress = now;
	fprintf(stderr, "\r\033[K%ld files, %ld articles added, %ld updated...", s->files, s->added,
		s->updated);
}

static void on_file(const nx_add_stats *s, void *ctx)
{
	progress(ctx, s, 0);
}

/* A name or title as shown on one line (nx_sb_add_safe); "?" when out of memory. */
static void shown_text(nx_sb *out, const char *s)
{
	nx_sb_add_safe(out, s != NULL ? s : "", s != NULL ? strlen(s) : 0, 0);
	if (!nx_sb_ok(out)) {
		nx_sb_free(out);
		nx_sb_adds(out, "?");
	}
}

/*
 * An article written with a title and no body text (the page's story
 * was not found, or the item has only a headline) is indexed, and said.
 */
static const char *empty_body_warning(add_ctx *x, const nx_article *a, const char *file, int status)
{
	static const char warning[] = "no body text: indexed by its title only";
	nx_sb f = NX_SB_INIT, t = NX_SB_INIT;

	if (a->nparas > 0 || (status != NX_PUT_ADDED && status != NX_PUT_UPDATED))
		return NULL;
	x->empty++;
	if (!x->quiet) {
		shown_text(&f, file);
		shown_text(&t, a->title);
		nx_cli_warn("%s: '%s': %s", f.buf, t.buf, warning);
		nx_sb_free(&f);
		nx_sb_free(&t);
	}
	return warning;
}

static void on_article(const nx_article *a, const char *file, int status, void *ctx)
{
	add_ctx *x = ctx;
	json_t *o = NULL;
	const char *warning = empty_body_warning(x, a, file, status);

	if (!x->json)
		return;
	o = json_object();
	json_object_set_new(o, "id", nx_json_str(a->id));
	json_object_set_new(o, "file", nx_json_str(file));
	json_object_set_new(o, "title", nx_json_str(a->title));
	json_object_set_new(o, "status", json_string(nx_put_status_name(status)));
	if (warning != NULL)
		json_object_set_new(o, "warning", json_string(warning));
	nx_json_print(o, 0);
	json_decref(o);
}

/* Not a failure: a link out of the folder not followed, a FIFO skipped, authors capped. */
static void on_note(const char *file, const char *note, void *ctx)
{
	add_ctx *x = ctx;

	if (x->json) {
		json_t *o = json_object();

		json_object_set_new(o, "file", nx_json_str(file));
		json_object_set_new(o, "note", json_string(note));
		nx_json_print(o, 0);
		json_decref(o);
	}
	if (!x->quiet)
		nx_cli_warn("%s: %s", file, note);
}

/*
 * A file name as shown on one line: control characters (a newline in the
 * name) and bidi overrides become '?', bytes that are not UTF-8 U+FFFD,
 * as ls(1) shows them (nx_sb_add_safe, the one helper for printed text).
 */
static void on_failure(const char *file, const char *reason, void *ctx)
{
	add_ctx *x = ctx;
	nx_sb shown = NX_SB_INIT;

	shown_text(&shown, file);
	if (x->json) {
		json_t *o = json_object();

		json_object_set_new(o, "file", json_string(shown.buf));
		json_object_set_new(o, "error", json_string(reason));
		nx_json_print(o, 0);
		json_decref(o);
		fflush(stdout);
	}
	nx_cli_warn("%s: %s", shown.buf, reason);
	nx_sb_free(&shown);
}

int cmd_add(nx_cli *cli, int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "keep-originals", no_argument, NULL, 'k' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "follow-symlinks", no_argument, NULL, 'L' },
		{ NULL, 0, NULL, 0 }
	};
	nx_add_opts o = NX_ADD_OPTS_INIT;
	nx_add_stats s;
	add_ctx x;
	nx_error err = NX_ERROR_INIT;
	const char *env = NULL;
	int c = 0, keep = 0, quiet = 0, rc = NX_EXIT_OK;
	memset(&x, 0, sizeof(x));
	x.cli = cli;
	optind = 1;
	opterr = 0; /* nx_cli_bad_option() words the message */
	while ((c = getopt_long(argc, argv, ":jkq", longopts, NULL)) != -1) {
		switch (c) {
		case 'j': x.json = 1; break;
		case 'k': keep = 1; break;
		case 'q': quiet = 1; break;
		case 'L': o.follow_symlinks = 1; break;
		default: return nx_cli_bad_option("add", c, argv);
		}
	}
	if (optind >= argc)
		return nx_cli_usage("add", "no files or folders to add");
	if (keep && nx_store_set_keep_originals(cli->st, 1, &err) < 0) {
		nx_cli_warn("%s", err.msg);
		return nx_cli_exit_for(err.code);
	}
	x.started = time(NULL);
	o.on_article = on_article;
	o.on_failure = on_failure;
	o.on_file = on_file;
	o.on_note = on_note;
	o.ctx = &x;
	x.quiet = quiet;
	/* NX_PRETOK=0: the writer tokenizes every article; =all: none (the tests compare the ways) */
	env = getenv("NX_PRETOK");
	if (env != NULL && strcmp(env, "0") == 0)
		o.pretok = NX_ADD_PRETOK_NONE;
	else if (env != NULL && strcmp(env, "all") == 0)
		o.pretok = NX_ADD_PRETOK_ALL;
	/* NX_ADD_BATCH: articles per transaction, for tests that kill add inside a file */
	env = getenv("NX_ADD_BATCH");
	if (env != NULL && atol(env) > 0)
		o.batch_articles = atol(env);
	rc = nx_add_run(&s, cli->st, argv + optind, argc - optind, &o, &err);
	progress(&x, &s, 1);
	if (rc < 0) {
		nx_cli_warn("%s", err.msg[0] != '\0' ? err.msg : "cannot write the index");
		return err.code == NX_ELOCKED ? NX_EXIT_LOCKED : NX_EXIT_INDEX;
	}
	/* the best rows of the most frequent words, after a large load (a failure costs only speed) */
	if (nx_search_impact_build(cli->st, s.added + s.updated, &err) < 0)
		nx_cli_warn("%s", err.msg);
	if (!x.json && !quiet) {
		printf("added %ld, updated %ld, unchanged %ld, failed %ld", s.added, s.updated, s.unchanged,
		       s.failed);
		if (x.empty > 0)
			printf(" (%ld without body text)", x.empty);
		putchar('\n');
	}
	return s.failed > 0 ? NX_EXIT_PARTIAL : NX_EXIT_OK;
}

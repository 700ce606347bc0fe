/*
 * cmd_add.c - newsidx add: ingest files and folders into the index.
 */
#include <getopt.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "buf.h"
#include "cli.h"
#include "text.h"

#define BATCH_ARTICLES 2000

typedef struct add_ctx {
	nx_cli *cli;
	int json;
	const char *file;      /* file being ingested, as shown to the user */
	long added, updated, unchanged, failed, files;
	long pending;          /* articles since the last commit */
	int db_failed;         /* a store error: stop everything */
	nx_error err;
	time_t started, last_progress;
} add_ctx;

static void progress(add_ctx *x, int final)
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
	fprintf(stderr, "\r\033[K%ld files, %ld articles added, %ld updated...", x->files, x->added,
		x->updated);
}

static int on_article(nx_article *a, void *ctx)
{
	add_ctx *x = ctx;
	int status = 0, rc = 0;

	rc = nx_store_put(x->cli->st, a, &status, &x->err);
	if (rc < 0) {
		x->db_failed = 1;
		return rc;
	}
	switch (status) {
	case NX_PUT_ADDED: x->added++; break;
	case NX_PUT_UPDATED: x->updated++; break;
	default: x->unchanged++; break;
	}
	if (x->json) {
		json_t *o = json_object();

		json_object_set_new(o, "id", nx_json_str(a->id));
		json_object_set_new(o, "file", nx_json_str(x->file));
		json_object_set_new(o, "title", nx_json_str(a->title));
		json_object_set_new(o, "status", json_string(nx_put_status_name(status)));
		nx_json_print(o, 0);
		json_decref(o);
	}
	x->pending++;
	return NX_OK;
}

/*
 * A file name as shown on one line: control characters (a newline in the
 * name) become '?', bytes that are not UTF-8 U+FFFD, as ls(1) shows them.
 */
static void printable(nx_buf *out, const char *s)
{
	size_t i = 0, n = 0, len = strlen(s);
	uint32_t cp = 0;

	while (i < len) {
		n = nx_utf8_decode(s + i, len - i, &cp);
		if (cp < 0x20 || cp == 0x7F || (cp >= 0x80 && cp < 0xA0))
			nx_buf_addch(out, '?');
		else
			nx_utf8_put(out, cp);
		i += n > 0 ? n : 1;
	}
}

static void report_failure(add_ctx *x, const char *file, const char *reason)
{
	nx_buf shown = NX_BUF_INIT;

	x->failed++;
	printable(&shown, file);
	if (!nx_buf_ok(&shown)) {
		nx_buf_free(&shown);
		nx_buf_adds(&shown, "?");
	}
	if (x->json) {
		json_t *o = json_object();

		json_object_set_new(o, "file", json_string(shown.buf));
		json_object_set_new(o, "error", json_string(reason));
		nx_json_print(o, 0);
		json_decref(o);
		fflush(stdout);
	}
	nx_cli_warn("%s: %s", shown.buf, reason);
	nx_buf_free(&shown);
}

static int commit_batch(add_ctx *x, int reopen)
{
	if (nx_store_commit(x->cli->st, &x->err) < 0)
		return -1;
	x->pending = 0;
	if (reopen && nx_store_begin(x->cli->st, &x->err) < 0)
		return -1;
	return 0;
}

static int add_one(const char *path, const struct stat *st, int errnum, const char *msg, void *ctx)
{
	add_ctx *x = ctx;
	nx_ingest_opts opts = NX_INGEST_OPTS_INIT;
	char real[PATH_MAX];
	const char *shown = path;
	int rc = 0;

	(void)st;
	if (errnum != 0) {
		report_failure(x, path, msg != NULL ? msg : "cannot read");
		return 0;
	}
	x->files++;
	/* origins are recorded with absolute paths so that sync finds them again */
	if (strcmp(path, "-") != 0 && realpath(path, real) != NULL)
		shown = real;
	x->file = strcmp(path, "-") == 0 ? "<stdin>" : path;
	nx_error_clear(&x->err);
	/* one savepoint per file: a store error undoes that file only */
	if (nx_store_savepoint(x->cli->st, &x->err) < 0) {
		x->db_failed = 1;
		return -1;
	}
	rc = nx_ingest_file(strcmp(path, "-") == 0 ? "-" : shown, &opts, on_article, x, &x->err);
	if (x->db_failed) {
		nx_store_release(x->cli->st, 0, NULL);
		return -1;
	}
	if (nx_store_release(x->cli->st, 1, &x->err) < 0) {
		x->db_failed = 1;
		return -1;
	}
	if (rc < 0)
		report_failure(x, path, x->err.msg[0] != '\0' ? x->err.msg : nx_strerror(rc));
	if (x->pending >= BATCH_ARTICLES && commit_batch(x, 1) < 0) {
		x->db_failed = 1;
		return -1;
	}
	progress(x, 0);
	return 0;
}

int cmd_add(nx_cli *cli, int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "keep-originals", no_argument, NULL, 'k' },
		{ "quiet", no_argument, NULL, 'q' },
		{ NULL, 0, NULL, 0 }
	};
	add_ctx x;
	nx_error err = NX_ERROR_INIT;
	int c = 0, i = 0, keep = 0, quiet = 0, rc = NX_EXIT_OK;

	memset(&x, 0, sizeof(x));
	x.cli = cli;
	optind = 1;
	while ((c = getopt_long(argc, argv, "jkq", longopts, NULL)) != -1) {
		switch (c) {
		case 'j': x.json = 1; break;
		case 'k': keep = 1; break;
		case 'q': quiet = 1; break;
		default: return nx_cli_usage("add", "unknown option");
		}
	}
	if (optind >= argc)
		return nx_cli_usage("add", "no files or folders to add");
	if (keep && nx_store_set_keep_originals(cli->st, 1, &err) < 0) {
		nx_cli_warn("%s", err.msg);
		return nx_cli_exit_for(err.code);
	}
	x.started = time(NULL);
	if (nx_store_begin(cli->st, &x.err) < 0) {
		nx_cli_warn("%s", x.err.msg);
		return nx_cli_exit_for(x.err.code);
	}
	for (i = optind; i < argc && !x.db_failed; i++) {
		if (nx_walk(argv[i], add_one, &x, &err) < 0 && !x.db_failed) {
			nx_cli_warn("%s", err.msg);
			x.db_failed = 1;
		}
	}
	progress(&x, 1);
	if (x.db_failed) {
		nx_store_rollback(cli->st);
		nx_cli_warn("%s", x.err.msg[0] != '\0' ? x.err.msg : "cannot write the index");
		return x.err.code == NX_ELOCKED ? NX_EXIT_LOCKED : NX_EXIT_INDEX;
	}
	if (commit_batch(&x, 0) < 0) {
		nx_cli_warn("%s", x.err.msg);
		return x.err.code == NX_ELOCKED ? NX_EXIT_LOCKED : NX_EXIT_INDEX;
	}
	if (!x.json && !quiet)
		printf("added %ld, updated %ld, unchanged %ld, failed %ld\n", x.added, x.updated,
		       x.unchanged, x.failed);
	if (x.failed > 0)
		rc = NX_EXIT_PARTIAL;
	return rc;
}

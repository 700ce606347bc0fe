/*
 * main.c - newsidx command-line entry: global options, the command table,
 * opening the index as each command needs it.
 */
#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sqlite3.h>
#ifdef __GLIBC__
#include <malloc.h>
#endif

#include "cli.h"
#include "strbuf.h"
#include "newsidx/lock.h"

#ifndef NX_VERSION
#define NX_VERSION "0.0.0"
#endif

static const nx_command commands[] = {
	{ "add", cmd_add, NX_CMD_DB_WRITE,
	  "newsidx add [--json] [--keep-originals] [--follow-symlinks] [--wait SECONDS] PATH...",
	  "Add articles from files, folders or - (standard input) to the index" },
	{ "search", cmd_search, NX_CMD_DB_READ | NX_CMD_SEARCHES,
	  "newsidx search [--json] [--limit N] [--offset N] [--sort relevance|newest|oldest] [--recent]\n"
	  "                      [--since DATE] [--until DATE] [--source S] [--credit C] [--author A] [--lang L]\n"
	  "                      [--facets source,month,credit,author] [--fragments N] [--all-revisions]\n"
	  "                      [--no-collapse] [--strict] [--time-limit MS] [--fields id,url,score,...]\n"
	  "                      QUERY...\n"
	  "       newsidx search --batch [OPTIONS] < QUERIES   (one per line; JSON Lines out)",
	  "Search the index; ranked hits with highlighted snippets" },
	{ "similar", cmd_similar, NX_CMD_DB_READ | NX_CMD_SEARCHES,
	  "newsidx similar [--json] [--limit N] [--since DATE] [--until DATE] [--source S] ID|URL",
	  "Articles most like the given one" },
	{ "show", cmd_show, NX_CMD_DB_READ,
	  "newsidx show [--json] [--revisions] ID|URL",
	  "Print one whole normalized article" },
	{ "export", cmd_export, NX_CMD_DB_NONE, /* opens the index itself: the template needs none */
	  "newsidx export [--format jsonl|opensearch] [--index NAME] [--output FILE] [--revisions]\n"
	  "                      [--since DATE] [--until DATE] [QUERY...]\n"
	  "       newsidx export --opensearch-template [--index NAME] [--lang L]",
	  "Write the articles as JSON Lines, or as bulk NDJSON for OpenSearch/Elasticsearch" },
	{ "rm", cmd_rm, NX_CMD_DB_WRITE,
	  "newsidx rm ID|URL...",
	  "Remove articles from the index" },
	{ "serve", cmd_serve, NX_CMD_DB_READ | NX_CMD_SEARCHES | NX_CMD_SERVES,
	  "newsidx serve [--listen HOST:PORT] [--allow-host NAME]... [--max-connections N] [--threads N] [--log]",
	  "Serve a search page and a JSON API over HTTP, read-only (127.0.0.1:8080 by default)" },
	{ "stats", cmd_stats, NX_CMD_DB_READ,
	  "newsidx stats [--json]",
	  "Print what the index holds and its size" },
	{ "sync", cmd_sync, NX_CMD_DB_WRITE,
	  "newsidx sync [--prune] [--quiet] [--verbose] [--batch N] [--follow-symlinks] [--wait SECONDS]\n"
	  "                    PATH...",
	  "Ingest only what changed in folders; --prune removes articles whose files are gone" },
	{ "diff", cmd_diff, NX_CMD_DB_READ,
	  "newsidx diff ID|URL [REV [REV2]]",
	  "Word diff between two versions of an article (default: previous and current)" },
	{ "check", cmd_check, NX_CMD_DB_WRITE,
	  "newsidx check [--quiet] [--wait SECONDS]",
	  "Verify the index: SQLite and full-text integrity, every stored blob against its hash" },
	{ "reindex", cmd_reindex, NX_CMD_DB_WRITE,
	  "newsidx reindex [--quiet] [--wait SECONDS]",
	  "Re-normalize every article with this version, from kept originals or source files" },
	{ "optimize", cmd_optimize, NX_CMD_DB_WRITE,
	  "newsidx optimize [--quiet] [--wait SECONDS]",
	  "Merge full-text index segments, count the words of \"did you mean\" again, list the best articles"
	  " and the sets of articles of the most frequent words, the articles by published time, reclaim free space" },
	{ "complete-ids", cmd_complete_ids, NX_CMD_DB_NONE | NX_CMD_HIDDEN,
	  "newsidx complete-ids [PREFIX]",
	  "Article ids and titles for shell completion" },
};

#define NCOMMANDS (sizeof(commands) / sizeof(commands[0]))

/* Default --wait of commands that write: how long to wait for another writer. */
#define NX_DEFAULT_WAIT 5.0

static const char exit_codes_text[] =
	"Exit status:\n"
	"  0  success\n"
	"  1  the search found nothing, or no such article\n"
	"  2  usage error\n"
	"  3  some inputs could not be ingested (the rest were)\n"
	"  4  the index could not be opened, read or written\n"
	"  5  another newsidx is writing the index (locked)\n";

void nx_cli_warn(const char *fmt, ...)
{
	nx_sb b = NX_SB_INIT;
	va_list ap;

	/* messages carry file names, ids and queries: made safe as one line */
	va_start(ap, fmt);
	nx_sb_vaddf(&b, fmt, ap);
	va_end(ap);
	fputs("newsidx: ", stderr);
	nx_safe_fwrite(stderr, b.buf, b.len, 0);
	fputc('\n', stderr);
	nx_sb_free(&b);
}

/*
 * A search of a large archive allocates arrays of tens of megabytes (the
 * rows of its frequent words) and frees them at its end.  glibc maps
 * blocks past a threshold afresh each time and hands freed memory back,
 * so the next search takes the page faults again: at 10M articles a
 * verbose question ranked on its partial matches spent a quarter of its
 * time in the kernel.  Blocks up to 32 MB come from the heap instead, and
 * up to 256 MB freed at its top stay mapped, for `search --batch`,
 * `serve` and `similar` (doc/performance.md, round 24).  Not for
 * ingestion, where it measured within the noise.
 */
static void keep_heap(void)
{
#ifdef __GLIBC__
	(void)mallopt(M_MMAP_THRESHOLD, 32 << 20);
	(void)mallopt(M_TRIM_THRESHOLD, 256 << 20);
#endif
}

static const nx_command *find_command(const char *name)
{
	size_t i = 0;

	for (i = 0; i < NCOMMANDS; i++)
		if (strcmp(commands[i].name, name) == 0)
			return &commands[i];
	return NULL;
}

static const char show_help[] =
	"ID is an article's id or a unique prefix of it (4 hex digits or more).  URL is its\n"
	"address as you paste it: http or https, \"www.\", a trailing slash, a #fragment and\n"
	"tracking parameters (utm_*, fbclid, gclid, wt_mc, mc_cid...) make no difference.\n\n";

/*
 * A reader for one question reads pages; one that answers many (serve,
 * search --batch) maps the index (NX_STORE_BRIEF).
 */
static unsigned read_flags(const nx_command *c, int argc, char **argv)
{
	int i = 0;

	if (c->flags & NX_CMD_SERVES)
		return NX_STORE_READ;
	for (i = 1; i < argc && strcmp(argv[i], "--") != 0; i++)
		if (strcmp(argv[i], "--batch") == 0)
			return NX_STORE_READ;
	return NX_STORE_READ | NX_STORE_BRIEF;
}

void nx_cli_help(const char *cmd)
{
	const nx_command *c = find_command(cmd);

	if (c == NULL)
		return;
	printf("usage: %s\n\n%s.\n\n", c->usage, c->summary);
	if (strcmp(c->name, "search") == 0)
		fputs(nx_cli_search_help, stdout);
	else if (strcmp(c->name, "show") == 0)
		fputs(show_help, stdout);
	else if (strcmp(c->name, "add") == 0)
		fputs(nx_cli_add_help, stdout);
	else if (strcmp(c->name, "similar") == 0)
		fputs(nx_cli_similar_help, stdout);
	printf("Global option: --db PATH (else $NEWSIDX_DB, else "
	       "$XDG_DATA_HOME/newsidx/index.db)\n");
	if (c->flags & NX_CMD_DB_WRITE)
		printf("--wait SECONDS: wait that long for another writer (default %g), then exit 5\n",
		       NX_DEFAULT_WAIT);
	printf("\n%s", exit_codes_text);
}

int nx_cli_usage(const char *cmd, const char *fmt, ...)
{
	const nx_command *c = find_command(cmd);
	nx_sb b = NX_SB_INIT;
	va_list ap;

	va_start(ap, fmt);
	nx_sb_vaddf(&b, fmt, ap);
	va_end(ap);
	fputs("newsidx: ", stderr);
	nx_safe_fwrite(stderr, b.buf, b.len, 0);
	fputc('\n', stderr);
	nx_sb_free(&b);
	if (c != NULL)
		fprintf(stderr, "usage: %s\n", c->usage);
	return NX_EXIT_USAGE;
}

int nx_cli_bad_option(const char *cmd, int c, char **argv)
{
	const char *arg = optind > 0 ? argv[optind - 1] : "?";
	char shortopt[3] = { '-', (char)optopt, '\0' };

	/* a short option inside a cluster (-jx) is not argv[optind - 1] itself */
	if (optopt > 0 && optopt < 128 && strncmp(arg, "--", 2) != 0)
		arg = shortopt;
	if (c == ':')
		return nx_cli_usage(cmd, "option '%s' needs a value", arg);
	return nx_cli_usage(cmd, "unknown option '%s' (an operand that starts with '-' goes after '--')", arg);
}

int nx_cli_exit_for(int code)
{
	switch (code) {
	case NX_OK: return NX_EXIT_OK;
	case NX_ENOTFOUND:
	case NX_EAMBIGUOUS: return NX_EXIT_NOTHING;
	case NX_EINVAL: return NX_EXIT_USAGE;
	case NX_ELOCKED: return NX_EXIT_LOCKED;
	case NX_EIO:
	case NX_EFORMAT:
	case NX_ETOOBIG: return NX_EXIT_PARTIAL;
	default: return NX_EXIT_INDEX;
	}
}

long nx_cli_number(const char *s, long max)
{
	char *end = NULL;
	long v = 0;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno != 0 || end == s || *end != '\0' || v < 0 || v > max)
		return -1;
	return v;
}

json_t *nx_json_str(const char *s)
{
	return s != NULL ? json_string(s) : json_null();
}

json_t *nx_json_time(const nx_time *t)
{
	char buf[32];

	if (!t->set)
		return json_null();
	nx_date_format_utc(buf, t->utc);
	return json_string(buf);
}

void nx_json_print(json_t *v, int pretty)
{
	char *s = json_dumps(v, JSON_PRESERVE_ORDER | (pretty ? JSON_INDENT(2) : JSON_COMPACT));

	if (s != NULL) {
		fputs(s, stdout);
		fputc('\n', stdout);
		free(s);
	}
}

const char *nx_cli_time(char buf[32], const nx_time *t)
{
	buf[0] = '\0';
	if (t->set)
		nx_date_format_utc(buf, t->utc);
	return buf;
}

/* --db, else $NEWSIDX_DB, else $XDG_DATA_HOME/newsidx/index.db, else ~/.local/share/... */
static char *default_db(void)
{
	const char *env = getenv("NEWSIDX_DB"), *xdg = getenv("XDG_DATA_HOME"), *home = getenv("HOME");
	char *p = NULL;
	size_t n = 0;

	if (env != NULL && *env != '\0')
		return strdup(env);
	if (xdg != NULL && *xdg == '/') {
		n = strlen(xdg) + 32;
		p = malloc(n);
		if (p != NULL)
			snprintf(p, n, "%s/newsidx/index.db", xdg);
		return p;
	}
	if (home == NULL || *home == '\0')
		home = ".";
	n = strlen(home) + 40;
	p = malloc(n);
	if (p != NULL)
		snprintf(p, n, "%s/.local/share/newsidx/index.db", home);
	return p;
}

static void usage(FILE *f)
{
	size_t i = 0;

	fprintf(f, "usage: newsidx [--db PATH] COMMAND [ARGS...]\n\n"
		   "Index a news archive and search it.\n\nCommands:\n");
	for (i = 0; i < NCOMMANDS; i++)
		if (!(commands[i].flags & NX_CMD_HIDDEN))
			fprintf(f, "  %-8s %s\n", commands[i].name, commands[i].summary);
	fprintf(f, "  %-8s %s\n", "help", "Show help for a command");
	fprintf(f, "\nOptions:\n"
		   "  --db PATH    index file (default: $NEWSIDX_DB, else\n"
		   "               $XDG_DATA_HOME/newsidx/index.db, else ~/.local/share/newsidx/index.db)\n"
		   "  --help       this text; 'newsidx COMMAND --help' for a command\n"
		   "  --version    print the version\n\n%s"
		   "\nSee newsidx(1) for the query syntax and the index layout.\n", exit_codes_text);
}


/* Find --wait SECONDS / --wait=SECONDS in a writing command's arguments and remove it. */
static int take_wait_option(int *argc, char **argv, double *wait)
{
	int i = 0, j = 0, drop = 0;
	const char *v = NULL;
	char *end = NULL;

	for (i = 1; i < *argc; i++) {
		if (strcmp(argv[i], "--") == 0)
			break;
		if (strcmp(argv[i], "--wait") == 0) {
			if (i + 1 >= *argc)
				return -1;
			v = argv[i + 1];
			drop = 2;
		} else if (strncmp(argv[i], "--wait=", 7) == 0) {
			v = argv[i] + 7;
			drop = 1;
		} else {
			continue;
		}
		errno = 0;
		*wait = strtod(v, &end);
		if (errno != 0 || end == v || *end != '\0' || !(*wait >= 0 && *wait <= 86400.0 * 7))
			return -1;
		for (j = i; j + drop <= *argc; j++)
			argv[j] = argv[j + drop];
		*argc -= drop;
		i--;
	}
	return 0;
}

/* Find --db anywhere in the command's arguments and remove it. */
static int take_db_option(int *argc, char **argv, char **db)
{
	int i = 0, j = 0;

	for (i = 1; i < *argc; i++) {
		if (strcmp(argv[i], "--") == 0)
			break;
		if (strcmp(argv[i], "--db") == 0) {
			if (i + 1 >= *argc)
				return -1;
			free(*db);
			*db = strdup(argv[i + 1]);
			for (j = i; j + 2 <= *argc; j++)
				argv[j] = argv[j + 2];
			*argc -= 2;
			i--;
		} else if (strncmp(argv[i], "--db=", 5) == 0) {
			free(*db);
			*db = strdup(argv[i] + 5);
			for (j = i; j + 1 <= *argc; j++)
				argv[j] = argv[j + 1];
			*argc -= 1;
			i--;
		}
	}
	return 0;
}

int main(int argc, char **argv)
{
	const nx_command *c = NULL;
	nx_lock *lock = NULL;
	double wait = NX_DEFAULT_WAIT;
	nx_cli cli;
	nx_error err = NX_ERROR_INIT;
	char *db = NULL;
	const char *nc = getenv("NO_COLOR");
	int rc = 0, i = 1;

	memset(&cli, 0, sizeof(cli));
	cli.color = isatty(STDOUT_FILENO) && (nc == NULL || *nc == '\0') && getenv("TERM") != NULL &&
		    strcmp(getenv("TERM"), "dumb") != 0;
	cli.progress = isatty(STDERR_FILENO);
	/* global options before the command */
	while (i < argc && argv[i][0] == '-') {
		if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
			usage(stdout);
			return NX_EXIT_OK;
		} else if (strcmp(argv[i], "--version") == 0) {
			printf("newsidx %s (SQLite %s)\n", NX_VERSION, sqlite3_libversion());
			return NX_EXIT_OK;
		} else if (strcmp(argv[i], "--db") == 0 && i + 1 < argc) {
			free(db);
			db = strdup(argv[i + 1]);
			i += 2;
		} else if (strncmp(argv[i], "--db=", 5) == 0) {
			free(db);
			db = strdup(argv[i] + 5);
			i++;
		} else {
			nx_cli_warn("unknown option '%s'", argv[i]);
			usage(stderr);
			free(db);
			return NX_EXIT_USAGE;
		}
	}
	if (i >= argc) {
		usage(stderr);
		free(db);
		return NX_EXIT_USAGE;
	}
	if (strcmp(argv[i], "help") == 0) {
		if (i + 1 < argc && find_command(argv[i + 1]) != NULL)
			nx_cli_help(argv[i + 1]);
		else
			usage(stdout);
		free(db);
		return NX_EXIT_OK;
	}
	c = find_command(argv[i]);
	if (c == NULL) {
		nx_cli_warn("'%s' is not a newsidx command; see 'newsidx --help'", argv[i]);
		free(db);
		return NX_EXIT_USAGE;
	}
	argc -= i;
	argv += i;
	if (take_db_option(&argc, argv, &db) < 0) {
		free(db);
		return nx_cli_usage(c->name, "option '--db' needs a path");
	}
	if ((c->flags & NX_CMD_DB_WRITE) && take_wait_option(&argc, argv, &wait) < 0) {
		free(db);
		return nx_cli_usage(c->name, "option '--wait' needs a number of seconds");
	}
	for (i = 1; i < argc && strcmp(argv[i], "--") != 0; i++) {
		if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
			nx_cli_help(c->name);
			free(db);
			return NX_EXIT_OK;
		}
	}
	if (db == NULL)
		db = default_db();
	if (db == NULL) {
		nx_cli_warn("out of memory");
		return NX_EXIT_INDEX;
	}
	cli.db_path = db;
	/* one writer at a time; readers never take the lock (WAL) */
	if (c->flags & NX_CMD_DB_WRITE) {
		rc = nx_lock_acquire(&lock, db, wait, NULL, &err);
		if (rc < 0) {
			if (rc == NX_ELOCKED)
				nx_cli_warn("%s; try again later or use --wait", err.msg);
			else
				nx_cli_warn("%s", err.msg);
			free(db);
			return rc == NX_ELOCKED ? NX_EXIT_LOCKED : NX_EXIT_INDEX;
		}
	}
	if (c->flags & NX_CMD_SEARCHES)
		keep_heap();
	if (c->flags & (NX_CMD_DB_READ | NX_CMD_DB_WRITE)) {
		rc = nx_store_open(&cli.st, db, (c->flags & NX_CMD_DB_WRITE) ? NX_STORE_WRITE : read_flags(c, argc, argv),
				   &err);
		if (rc < 0) {
			nx_cli_warn("%s", err.msg);
			nx_lock_release(lock);
			free(db);
			return rc == NX_ELOCKED ? NX_EXIT_LOCKED : NX_EXIT_INDEX;
		}
	}
	rc = c->run(&cli, argc, argv);
	nx_store_close(cli.st);
	nx_lock_release(lock);
	free(db);
	if (fflush(stdout) != 0 || ferror(stdout)) {
		if (errno != EPIPE)
			nx_cli_warn("cannot write output: %s", strerror(errno));
		if (rc == 0)
			rc = NX_EXIT_INDEX;
	}
	return rc;
}

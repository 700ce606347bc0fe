/*
 * cli.h - what the newsidx subcommands share.
 */
#ifndef NX_CLI_H
#define NX_CLI_H

#include <jansson.h>
#include <stdio.h>

#include "newsidx/newsidx.h"

/* Exit codes: a contract with users' scripts; documented in --help and newsidx(1). */
enum {
	NX_EXIT_OK = 0,
	NX_EXIT_NOTHING = 1,  /* search found nothing / no such article */
	NX_EXIT_USAGE = 2,    /* bad command line */
	NX_EXIT_PARTIAL = 3,  /* some inputs could not be ingested (the rest were) */
	NX_EXIT_INDEX = 4,    /* the index could not be opened, read or written */
	NX_EXIT_LOCKED = 5    /* another writer holds the index */
};

/* How a command wants the index opened before it runs. */
#define NX_CMD_DB_NONE 0u
#define NX_CMD_DB_READ 1u
#define NX_CMD_DB_WRITE 2u
#define NX_CMD_HIDDEN 4u   /* for scripts (completion): not in the usage list */
#define NX_CMD_SEARCHES 8u /* runs searches: freed memory kept for the next (main.c keep_heap) */
#define NX_CMD_SERVES 16u  /* answers many questions: the index mapped (main.c read_flags) */

typedef struct nx_cli {
	const char *db_path;  /* resolved index path */
	nx_store *st;         /* opened per the command's flags */
	int color;            /* stdout is a terminal and NO_COLOR is unset */
	int progress;         /* stderr is a terminal */
} nx_cli;

typedef struct nx_command {
	const char *name;
	int (*run)(nx_cli *cli, int argc, char **argv);
	unsigned flags;
	const char *usage;
	const char *summary;
} nx_command;

/* Commands, one file each: src/cli/cmd_<name>.c */
int cmd_add(nx_cli *cli, int argc, char **argv);
int cmd_search(nx_cli *cli, int argc, char **argv);
int cmd_similar(nx_cli *cli, int argc, char **argv);

/* Long help of search: the query language (cmd_search.c). */
extern const char nx_cli_search_help[];
extern const char nx_cli_add_help[];
/* Long help of similar: its options (cmd_search.c). */
extern const char nx_cli_similar_help[];

/* The JSON object search --json prints (also served by newsidx serve). */
json_t *nx_cli_results_json(const nx_results *r, int offset, int limit);
int cmd_show(nx_cli *cli, int argc, char **argv);
int cmd_rm(nx_cli *cli, int argc, char **argv);
int cmd_stats(nx_cli *cli, int argc, char **argv);
int cmd_serve(nx_cli *cli, int argc, char **argv);
int cmd_sync(nx_cli *cli, int argc, char **argv);
int cmd_diff(nx_cli *cli, int argc, char **argv);
int cmd_export(nx_cli *cli, int argc, char **argv);
int cmd_complete_ids(nx_cli *cli, int argc, char **argv);
int cmd_check(nx_cli *cli, int argc, char **argv);
int cmd_reindex(nx_cli *cli, int argc, char **argv);
int cmd_optimize(nx_cli *cli, int argc, char **argv);

/* Print "newsidx: MSG" on stderr. */
void nx_cli_warn(const char *fmt, ...)
#if defined(__GNUC__)
	__attribute__((format(printf, 1, 2)))
#endif
	;

/* Usage error: message, the command's usage line, returns NX_EXIT_USAGE. */
int nx_cli_usage(const char *cmd, const char *fmt, ...)
#if defined(__GNUC__)
	__attribute__((format(printf, 2, 3)))
#endif
	;

/*
 * Every command parses with getopt_long(), options before or after the
 * operands (GNU permutation), "--" ending them, opterr = 0 and an option
 * string starting with ':'.  A '?' or ':' from getopt_long() goes here:
 * "unknown option '-x'" or "option '--limit' needs a value", the usage
 * line, and NX_EXIT_USAGE.  A word that looks like an option is never
 * taken for an operand; write it after "--".
 */
int nx_cli_bad_option(const char *cmd, int c, char **argv);

/* Print the usage and summary of a command on stdout. */
void nx_cli_help(const char *cmd);

/* Map a library error code to an exit code. */
int nx_cli_exit_for(int code);

/* Parse a non-negative integer option value; -1 when invalid. */
long nx_cli_number(const char *s, long max);

/* JSON helpers: string or null, ISO time or null. */
json_t *nx_json_str(const char *s);
json_t *nx_json_time(const nx_time *t);

/* Print a JSON value on one line (or indented) followed by a newline. */
void nx_json_print(json_t *v, int pretty);

/*
 * Make every text field of a (title, authors, credits, captions, body,
 * origin, ...) safe to print, in place, with nx_sb_add_safe() (strbuf.h):
 * control characters and bidi overrides become '?', newlines and tabs stay
 * only in body paragraphs.  Returns 0, or -1 on out of memory (fields
 * already replaced stay replaced; the others are untouched).
 */
int nx_cli_article_safe(nx_article *a);

/* Format a time as UTC ISO 8601 into buf (>= 21 bytes); "" when unset. */
const char *nx_cli_time(char buf[32], const nx_time *t);

#endif

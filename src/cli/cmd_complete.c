/*
 * cmd_complete.c - newsidx complete-ids: article ids for the shell
 * completions (scripts/completion/), a hidden command.
 *
 * Prints up to 50 "ID<TAB>TITLE" lines for the ids beginning with PREFIX,
 * or for the articles added last when there is none; an index range, so it
 * answers in milliseconds on any archive.  Prints nothing, and exits 0, on
 * any error: a completion must never spill messages into the command line.
 */
#include <stdio.h>

#include "cli.h"
#include "newsidx/cursor.h"

#define COMPLETE_MAX 50

static void print_id(const char *id, const char *title, void *ctx)
{
	(void)ctx;
	printf("%s\t%s\n", id, title != NULL ? title : "");
}

int cmd_complete_ids(nx_cli *cli, int argc, char **argv)
{
	nx_store *st = NULL;

	if (argc > 2)
		return nx_cli_usage("complete-ids", "give at most one prefix");
	if (nx_store_open(&st, cli->db_path, NX_STORE_READ | NX_STORE_BRIEF, NULL) < 0)
		return NX_EXIT_OK;
	(void)nx_cursor_ids(st, argc == 2 ? argv[1] : "", COMPLETE_MAX, print_id, NULL, NULL);
	nx_store_close(st);
	return NX_EXIT_OK;
}

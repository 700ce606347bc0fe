/*
 * cmd_rm.c - newsidx rm: remove articles.
 */
#include <string.h>

#include "cli.h"

int cmd_rm(nx_cli *cli, int argc, char **argv)
{
	nx_error err = NX_ERROR_INIT;
	char id[17];
	int i = 1, rc = NX_EXIT_OK, r = 0;

	if (argc > 1 && strcmp(argv[1], "--") == 0)
		i++;
	if (i >= argc)
		return nx_cli_usage("rm", "give the id or URL of the articles to remove");
	if (nx_store_begin(cli->st, &err) < 0) {
		nx_cli_warn("%s", err.msg);
		return nx_cli_exit_for(err.code);
	}
	for (; i < argc; i++) {
		r = nx_store_remove(cli->st, argv[i], id, &err);
		if (r == NX_ENOTFOUND || r == NX_EAMBIGUOUS) {
			nx_cli_warn("%s", err.msg);
			rc = NX_EXIT_NOTHING;
			continue;
		}
		if (r < 0) {
			nx_cli_warn("%s", err.msg);
			nx_store_rollback(cli->st);
			return nx_cli_exit_for(r);
		}
		printf("removed %s\n", id);
	}
	if (nx_store_commit(cli->st, &err) < 0) {
		nx_cli_warn("%s", err.msg);
		return nx_cli_exit_for(err.code);
	}
	return rc;
}

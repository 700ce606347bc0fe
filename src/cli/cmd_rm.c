/*
 * cmd_rm.c - newsidx rm: remove articles.
 */
#include <getopt.h>
#include <string.h>

#include "cli.h"

int cmd_rm(nx_cli *cli, int argc, char **argv)
{
	static const struct option longopts[] = { { NULL, 0, NULL, 0 } };
	nx_error err = NX_ERROR_INIT;
	char id[17];
	int i = 1, c = 0, rc = NX_EXIT_OK, r = 0;

	optind = 1;
	opterr = 0; /* nx_cli_bad_option() words the message */
	while ((c = getopt_long(argc, argv, ":", longopts, NULL)) != -1)
		return nx_cli_bad_option("rm", c, argv);
	i = optind;
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

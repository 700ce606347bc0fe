/*
 * cmd_check.c - newsidx check: verify the index end to end.
 */
#include <getopt.h>
#include <string.h>

#include "cli.h"
#include "newsidx/maint.h"

static void on_problem(const char *msg, void *ctx)
{
	(void)ctx;
	nx_cli_warn("%s", msg);
}

int cmd_check(nx_cli *cli, int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "quiet", no_argument, NULL, 'q' },
		{ NULL, 0, NULL, 0 }
	};
	nx_check_result r;
	nx_error err = NX_ERROR_INIT;
	int c = 0, quiet = 0, rc = 0;

	optind = 1;
	opterr = 0; /* nx_cli_bad_option() words the message */
	while ((c = getopt_long(argc, argv, ":q", longopts, NULL)) != -1) {
		if (c == 'q')
			quiet = 1;
		else
			return nx_cli_bad_option("check", c, argv);
	}
	if (optind != argc)
		return nx_cli_usage("check", "no arguments expected");
	rc = nx_maint_check(&r, cli->st, on_problem, NULL, &err);
	if (rc < 0) {
		nx_cli_warn("%s", err.msg);
		return nx_cli_exit_for(rc) == NX_EXIT_LOCKED ? NX_EXIT_LOCKED : NX_EXIT_INDEX;
	}
	if (r.problems > 0) {
		nx_cli_warn("index '%s' has %lld problem%s", cli->db_path, (long long)r.problems,
			    r.problems == 1 ? "" : "s");
		return NX_EXIT_INDEX;
	}
	if (!quiet)
		printf("ok: %lld articles, %lld revisions, %lld originals verified\n", (long long)r.articles,
		       (long long)r.revisions, (long long)r.originals);
	return NX_EXIT_OK;
}

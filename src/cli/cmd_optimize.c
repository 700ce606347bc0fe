/*
 * cmd_optimize.c - newsidx optimize: merge FTS5 segments, reclaim space.
 */
#include <getopt.h>
#include <string.h>

#include "cli.h"
#include "newsidx/maint.h"
#include "newsidx/search.h"

int cmd_optimize(nx_cli *cli, int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "quiet", no_argument, NULL, 'q' },
		{ NULL, 0, NULL, 0 }
	};
	nx_optimize_result r;
	nx_error err = NX_ERROR_INIT;
	int c = 0, quiet = 0, rc = 0;

	optind = 1;
	opterr = 0; /* nx_cli_bad_option() words the message */
	while ((c = getopt_long(argc, argv, ":q", longopts, NULL)) != -1) {
		if (c == 'q')
			quiet = 1;
		else
			return nx_cli_bad_option("optimize", c, argv);
	}
	if (optind != argc)
		return nx_cli_usage("optimize", "no arguments expected");
	rc = nx_maint_optimize(&r, cli->st, &err);
	if (rc < 0) {
		nx_cli_warn("%s", err.msg);
		return nx_cli_exit_for(rc) == NX_EXIT_LOCKED ? NX_EXIT_LOCKED : NX_EXIT_INDEX;
	}
	/* the best rows of the most frequent words (a failure costs only speed) */
	if (nx_search_impact_build(cli->st, -1, &err) < 0)
		nx_cli_warn("%s", err.msg);
	if (!quiet)
		printf("optimized: %.1f MB -> %.1f MB\n", (double)r.bytes_before / 1048576.0,
		       (double)r.bytes_after / 1048576.0);
	return NX_EXIT_OK;
}

/*
 * cmd_reindex.c - newsidx reindex: re-normalize every article with this version.
 */
#include <getopt.h>
#include <string.h>

#include "cli.h"
#include "newsidx/maint.h"

static void on_notice(const char *msg, void *ctx)
{
	(void)ctx;
	nx_cli_warn("%s", msg);
}

int cmd_reindex(nx_cli *cli, int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "quiet", no_argument, NULL, 'q' },
		{ NULL, 0, NULL, 0 }
	};
	nx_reindex_result r;
	nx_error err = NX_ERROR_INIT;
	int c = 0, quiet = 0, rc = 0;

	optind = 1;
	opterr = 0; /* nx_cli_bad_option() words the message */
	while ((c = getopt_long(argc, argv, ":q", longopts, NULL)) != -1) {
		if (c == 'q')
			quiet = 1;
		else
			return nx_cli_bad_option("reindex", c, argv);
	}
	if (optind != argc)
		return nx_cli_usage("reindex", "no arguments expected");
	rc = nx_maint_reindex(&r, cli->st, on_notice, NULL, &err);
	if (rc < 0) {
		nx_cli_warn("%s", err.msg);
		return nx_cli_exit_for(rc) == NX_EXIT_LOCKED ? NX_EXIT_LOCKED : NX_EXIT_INDEX;
	}
	if (!quiet || r.gone > 0 || r.failed > 0)
		printf("reindexed %lld articles: %lld renormalized, %lld unchanged, %lld new; "
		       "%lld from files, %lld from originals, %lld gone, failed %lld\n",
		       (long long)r.articles, (long long)r.renormalized, (long long)r.unchanged,
		       (long long)r.added, (long long)r.from_file, (long long)r.from_original,
		       (long long)r.gone, (long long)r.failed);
	return r.gone > 0 || r.failed > 0 ? NX_EXIT_PARTIAL : NX_EXIT_OK;
}

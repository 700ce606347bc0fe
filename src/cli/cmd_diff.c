/*
 * cmd_diff.c - newsidx diff: what changed between two versions of an article.
 */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "newsidx/revision.h"

static void version_line(const char *mark, const nx_revision *v)
{
	char u[32], c[32];

	printf("%s rev %lld%s", mark, (long long)v->rev, v->current ? " (current)" : "");
	if (v->updated.set)
		printf(", updated %s", nx_cli_time(u, &v->updated));
	if (v->captured.set)
		printf(", captured %s", nx_cli_time(c, &v->captured));
	fputc('\n', stdout);
}

static const nx_revision *find_rev(const nx_revision *v, size_t n, int64_t rev)
{
	size_t i = 0;

	for (i = 0; i < n; i++)
		if (v[i].rev == rev)
			return &v[i];
	return NULL;
}

/*
 * Both versions made safe to print before they are compared, so the diff
 * holds no control character of theirs: the only escapes in the coloured
 * output are the markers, which no credit or title can imitate.
 */
static int safe_pair(nx_article *a, nx_article *b, nx_error *err)
{
	if (nx_cli_article_safe(a) < 0 || nx_cli_article_safe(b) < 0)
		return nx_error_set(err, NX_ENOMEM, "out of memory");
	return NX_OK;
}

int cmd_diff(nx_cli *cli, int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "color", no_argument, NULL, 'c' },
		{ "no-color", no_argument, NULL, 'C' },
		{ NULL, 0, NULL, 0 }
	};
	nx_revision *v = NULL;
	const nx_revision *from = NULL, *to = NULL;
	nx_article *a = NULL, *b = NULL;
	nx_error err = NX_ERROR_INIT;
	char *text = NULL;
	size_t n = 0;
	long r1 = -1, r2 = -1;
	int c = 0, color = cli->color, changed = 0, rc = NX_EXIT_OK, lrc = 0;
	const char *ref = NULL;

	optind = 1;
	opterr = 0; /* nx_cli_bad_option() words the message */
	while ((c = getopt_long(argc, argv, ":", longopts, NULL)) != -1) {
		switch (c) {
		case 'c': color = 1; break;
		case 'C': color = 0; break;
		default: return nx_cli_bad_option("diff", c, argv);
		}
	}
	if (optind >= argc || argc - optind > 3)
		return nx_cli_usage("diff", "give an article id or URL and up to two revision numbers");
	ref = argv[optind];
	if (argc - optind >= 2 && (r1 = nx_cli_number(argv[optind + 1], 1L << 30)) < 1)
		return nx_cli_usage("diff", "'%s' is not a revision number", argv[optind + 1]);
	if (argc - optind >= 3 && (r2 = nx_cli_number(argv[optind + 2], 1L << 30)) < 1)
		return nx_cli_usage("diff", "'%s' is not a revision number", argv[optind + 2]);
	if ((lrc = nx_revision_list(&v, &n, cli->st, ref, &err)) < 0) {
		nx_cli_warn("%s", err.msg);
		return nx_cli_exit_for(lrc);
	}
	to = &v[n - 1];
	if (r1 < 0) {
		if (n < 2) {
			nx_cli_warn("article '%s' has no earlier version", ref);
			rc = NX_EXIT_NOTHING;
			goto done;
		}
		from = &v[n - 2];
	} else {
		from = find_rev(v, n, r1);
		if (r2 > 0)
			to = find_rev(v, n, r2);
		if (from == NULL || to == NULL) {
			nx_cli_warn("article '%s' has no revision %ld; see 'newsidx show --revisions %s'", ref,
				    from == NULL ? r1 : r2, ref);
			rc = NX_EXIT_NOTHING;
			goto done;
		}
	}
	if ((lrc = nx_revision_load(&a, cli->st, ref, from->rev, &err)) < 0 ||
	    (lrc = nx_revision_load(&b, cli->st, ref, to->rev, &err)) < 0 ||
	    (lrc = safe_pair(a, b, &err)) < 0 ||
	    (lrc = nx_revision_diff(&text, &changed, a, b, color ? NX_DIFF_COLOR : 0, &err)) < 0) {
		nx_cli_warn("%s", err.msg);
		rc = nx_cli_exit_for(lrc);
		goto done;
	}
	version_line("---", from);
	version_line("+++", to);
	if (changed)
		fputs(text, stdout);
	else
		puts("(no difference)");
done:
	free(text);
	nx_article_free(a);
	nx_article_free(b);
	free(v);
	return rc;
}

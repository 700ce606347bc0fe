/*
 * cmd_stats.c - newsidx stats: what the index holds.
 */
#include <getopt.h>
#include <string.h>

#include "cli.h"

int cmd_stats(nx_cli *cli, int argc, char **argv)
{
	nx_stats s;
	nx_error err = NX_ERROR_INIT;
	char t1[32], t2[32];
	static const struct option longopts[] = { { "json", no_argument, NULL, 'j' }, { NULL, 0, NULL, 0 } };
	int json = 0, c = 0;

	optind = 1;
	opterr = 0; /* nx_cli_bad_option() words the message */
	while ((c = getopt_long(argc, argv, ":j", longopts, NULL)) != -1) {
		if (c == 'j')
			json = 1;
		else
			return nx_cli_bad_option("stats", c, argv);
	}
	if (optind != argc)
		return nx_cli_usage("stats", "unexpected argument '%s'", argv[optind]);
	if (nx_store_stats(&s, cli->st, &err) < 0) {
		nx_cli_warn("%s", err.msg);
		return nx_cli_exit_for(err.code);
	}
	if (json) {
		json_t *o = json_object();

		json_object_set_new(o, "index", json_string(cli->db_path));
		json_object_set_new(o, "schema", json_integer(s.schema));
		json_object_set_new(o, "articles", json_integer(s.articles));
		json_object_set_new(o, "photos", json_integer(s.photos));
		json_object_set_new(o, "revisions", json_integer(s.revisions));
		json_object_set_new(o, "files", json_integer(s.files));
		json_object_set_new(o, "originals", json_integer(s.originals));
		json_object_set_new(o, "text_bytes", json_integer(s.text_bytes));
		json_object_set_new(o, "stored_text_bytes", json_integer(s.stored_bytes));
		json_object_set_new(o, "index_bytes", json_integer(s.db_bytes));
		json_object_set_new(o, "oldest", nx_json_time(&s.oldest));
		json_object_set_new(o, "newest", nx_json_time(&s.newest));
		nx_json_print(o, 1);
		json_decref(o);
		return NX_EXIT_OK;
	}
	printf("index:      %s (schema %d)\n", cli->db_path, s.schema);
	printf("articles:   %lld (%lld photos, %lld earlier revisions)\n", (long long)s.articles,
	       (long long)s.photos, (long long)s.revisions);
	printf("files:      %lld (%lld originals kept)\n", (long long)s.files, (long long)s.originals);
	printf("text:       %lld bytes, stored compressed in %lld\n", (long long)s.text_bytes,
	       (long long)s.stored_bytes);
	printf("index size: %lld bytes", (long long)s.db_bytes);
	if (s.text_bytes > 0)
		printf(" (%.2f bytes per text byte)", (double)s.db_bytes / (double)s.text_bytes);
	fputc('\n', stdout);
	if (s.oldest.set)
		printf("published:  %s .. %s\n", nx_cli_time(t1, &s.oldest), nx_cli_time(t2, &s.newest));
	return NX_EXIT_OK;
}

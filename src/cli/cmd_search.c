/*
 * cmd_search.c - newsidx search: ranked hits with highlighted snippets.
 */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

/* Print s with the spans highlighted: bold on a terminal, [..] when piped. */
static void print_marked(const char *s, const nx_span *sp, size_t n, int color)
{
	size_t pos = 0, i = 0;

	for (i = 0; i < n; i++) {
		if (sp[i].start < pos || sp[i].end > strlen(s))
			continue;
		fwrite(s + pos, 1, sp[i].start - pos, stdout);
		fputs(color ? "\033[1;31m" : "[", stdout);
		fwrite(s + sp[i].start, 1, sp[i].end - sp[i].start, stdout);
		fputs(color ? "\033[0m" : "]", stdout);
		pos = sp[i].end;
	}
	fputs(s + pos, stdout);
}

static json_t *spans_json(const nx_span *sp, size_t n)
{
	json_t *a = json_array();
	size_t i = 0;

	for (i = 0; i < n; i++)
		json_array_append_new(a, json_pack("[II]", (json_int_t)sp[i].start, (json_int_t)sp[i].end));
	return a;
}

static void print_json(const nx_results *r, const nx_search_opts *o)
{
	json_t *root = json_object(), *hits = json_array();
	size_t i = 0;

	json_object_set_new(root, "query", json_string(r->query));
	json_object_set_new(root, "total", json_integer(r->total));
	json_object_set_new(root, "offset", json_integer(o->offset));
	json_object_set_new(root, "limit", json_integer(o->limit));
	for (i = 0; i < r->nhits; i++) {
		const nx_hit *h = &r->hits[i];
		json_t *o2 = json_object();

		json_object_set_new(o2, "id", nx_json_str(h->id));
		json_object_set_new(o2, "title", nx_json_str(h->title));
		json_object_set_new(o2, "url", nx_json_str(h->url));
		json_object_set_new(o2, "source", nx_json_str(h->source));
		json_object_set_new(o2, "published", nx_json_time(&h->published));
		json_object_set_new(o2, "updated", nx_json_time(&h->updated));
		json_object_set_new(o2, "score", json_real(h->score));
		json_object_set_new(o2, "snippet", nx_json_str(h->snippet));
		json_object_set_new(o2, "highlights", spans_json(h->highlights, h->nhighlights));
		json_object_set_new(o2, "snippet_field", json_string(h->snippet_field));
		json_object_set_new(o2, "title_highlights",
				    spans_json(h->title_highlights, h->ntitle_highlights));
		json_array_append_new(hits, o2);
	}
	json_object_set_new(root, "hits", hits);
	nx_json_print(root, 0);
	json_decref(root);
}

static void print_text(const nx_results *r, const nx_search_opts *o, int color)
{
	char t1[32], t2[32];
	size_t i = 0;

	for (i = 0; i < r->nhits; i++) {
		const nx_hit *h = &r->hits[i];

		printf("%s%zu.%s ", color ? "\033[1m" : "", (size_t)o->offset + i + 1, color ? "\033[0m" : "");
		print_marked(h->title != NULL ? h->title : "(untitled)", h->title_highlights,
			     h->ntitle_highlights, color);
		fputc('\n', stdout);
		printf("   %s", color ? "\033[2m" : "");
		if (h->published.set)
			printf("%s", nx_cli_time(t1, &h->published));
		else
			printf("undated");
		if (h->updated.set)
			printf(" (updated %s)", nx_cli_time(t2, &h->updated));
		if (h->source != NULL)
			printf(" · %s", h->source);
		printf(" · id %s%s\n", h->id, color ? "\033[0m" : "");
		if (h->snippet != NULL && *h->snippet != '\0') {
			printf("   %s", strcmp(h->snippet_field, "body") == 0 ? "" : "photo: ");
			print_marked(h->snippet, h->highlights, h->nhighlights, color);
			fputc('\n', stdout);
		}
		if (h->url != NULL)
			printf("   %s\n", h->url);
		fputc('\n', stdout);
	}
	if (r->total > (int64_t)(o->offset + (int)r->nhits) && r->nhits > 0)
		printf("%lld more: --offset %d\n", (long long)(r->total - o->offset - (int64_t)r->nhits),
		       o->offset + (int)r->nhits);
}

int cmd_search(nx_cli *cli, int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "limit", required_argument, NULL, 'n' },
		{ "offset", required_argument, NULL, 'o' },
		{ "json", no_argument, NULL, 'j' },
		{ NULL, 0, NULL, 0 }
	};
	nx_search_opts opts = NX_SEARCH_OPTS_INIT;
	nx_results *r = NULL;
	nx_error err = NX_ERROR_INIT;
	char *query = NULL;
	size_t qlen = 0;
	long v = 0;
	int c = 0, i = 0, json = 0, rc = 0;

	optind = 1;
	while ((c = getopt_long(argc, argv, "+n:o:j", longopts, NULL)) != -1) {
		switch (c) {
		case 'n':
			if ((v = nx_cli_number(optarg, 10000)) < 0)
				return nx_cli_usage("search", "--limit takes a number from 0 to 10000, not '%s'", optarg);
			opts.limit = (int)v;
			break;
		case 'o':
			if ((v = nx_cli_number(optarg, 1000000000)) < 0)
				return nx_cli_usage("search", "--offset takes a non-negative number, not '%s'", optarg);
			opts.offset = (int)v;
			break;
		case 'j': json = 1; break;
		default: return nx_cli_usage("search", "unknown option");
		}
	}
	if (optind >= argc)
		return nx_cli_usage("search", "nothing to search for");
	/* the query is every remaining argument, joined by spaces */
	for (i = optind; i < argc; i++)
		qlen += strlen(argv[i]) + 1;
	query = calloc(1, qlen + 1);
	if (query == NULL) {
		nx_cli_warn("out of memory");
		return NX_EXIT_INDEX;
	}
	for (i = optind; i < argc; i++) {
		if (i > optind)
			strcat(query, " ");
		strcat(query, argv[i]);
	}
	rc = nx_search(&r, cli->st, query, &opts, &err);
	free(query);
	if (rc < 0) {
		nx_cli_warn("%s", err.msg);
		return nx_cli_exit_for(rc) == NX_EXIT_PARTIAL ? NX_EXIT_USAGE : nx_cli_exit_for(rc);
	}
	if (json)
		print_json(r, &opts);
	else if (r->total == 0)
		fprintf(stderr, "newsidx: no articles match '%s'\n", r->query);
	else
		print_text(r, &opts, cli->color);
	rc = r->total == 0 ? NX_EXIT_NOTHING : NX_EXIT_OK;
	nx_results_free(r);
	return rc;
}

/*
 * cmd_show.c - newsidx show: one whole normalized article.
 */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "newsidx/revision.h"

static void print_text(const nx_article *a, int color)
{
	char t[32];
	size_t i = 0;

	printf("%s%s%s\n", color ? "\033[1m" : "", a->title != NULL ? a->title : "(untitled)",
	       color ? "\033[0m" : "");
	printf("id:        %s\n", a->id);
	if (a->url != NULL)
		printf("url:       %s\n", a->url);
	if (a->source != NULL)
		printf("source:    %s\n", a->source);
	for (i = 0; i < a->nauthors; i++)
		printf("%s%s\n", i == 0 ? "authors:   " : "           ", a->authors[i]);
	if (a->section != NULL)
		printf("section:   %s\n", a->section);
	if (a->lang != NULL)
		printf("language:  %s\n", a->lang);
	if (a->published.set) {
		printf("published: %s", nx_cli_time(t, &a->published));
		if (a->published.has_offset && a->published.offset != 0) {
			char loc[32];

			nx_date_format_local(loc, &a->published);
			printf(" (%s)", loc);
		}
		fputc('\n', stdout);
	}
	if (a->updated.set)
		printf("updated:   %s\n", nx_cli_time(t, &a->updated));
	if (a->origin.path != NULL) {
		printf("from:      %s", a->origin.path);
		if (a->origin.offset >= 0)
			printf(" @%lld", (long long)a->origin.offset);
		if (a->origin.record_id != NULL)
			printf(" %s", a->origin.record_id);
		if (a->origin.format != NULL)
			printf(" (%s)", a->origin.format);
		fputc('\n', stdout);
	}
	for (i = 0; i < a->nphotos; i++) {
		const nx_photo *p = &a->photos[i];

		printf("photo %zu:   %s%s%s\n", i + 1, p->agency != NULL ? p->agency : "",
		       p->agency != NULL && p->photographer != NULL ? " / " : "",
		       p->photographer != NULL ? p->photographer : "");
		if (p->caption != NULL)
			printf("           %s\n", p->caption);
	}
	fputc('\n', stdout);
	for (i = 0; i < a->nparas; i++)
		printf("%s%s\n", i > 0 ? "\n" : "", a->paras[i]);
}

/* --revisions: every version of the article, oldest first. */
static int show_revisions(nx_cli *cli, const char *ref, int json)
{
	nx_revision *v = NULL;
	nx_error err = NX_ERROR_INIT;
	json_t *arr = NULL;
	char u[32], c[32];
	size_t n = 0, i = 0;
	int rc = nx_revision_list(&v, &n, cli->st, ref, &err);

	if (rc < 0) {
		nx_cli_warn("%s", err.msg);
		return nx_cli_exit_for(rc);
	}
	if (json)
		arr = json_array();
	else
		printf("%-6s %-20s  %-20s\n", "rev", "updated", "captured");
	for (i = 0; i < n; i++) {
		if (json) {
			json_t *o = json_object();

			json_object_set_new(o, "rev", json_integer(v[i].rev));
			json_object_set_new(o, "updated", nx_json_time(&v[i].updated));
			json_object_set_new(o, "captured", nx_json_time(&v[i].captured));
			json_object_set_new(o, "hash", json_string(v[i].hash));
			json_object_set_new(o, "current", json_boolean(v[i].current));
			json_array_append_new(arr, o);
		} else {
			printf("%-6lld %-20s  %-20s%s\n", (long long)v[i].rev,
			       v[i].updated.set ? nx_cli_time(u, &v[i].updated) : "-",
			       v[i].captured.set ? nx_cli_time(c, &v[i].captured) : "-",
			       v[i].current ? "  current" : "");
		}
	}
	if (json) {
		nx_json_print(arr, 1);
		json_decref(arr);
	}
	free(v);
	return NX_EXIT_OK;
}

int cmd_show(nx_cli *cli, int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "revisions", no_argument, NULL, 'r' },
		{ NULL, 0, NULL, 0 }
	};
	nx_article *a = NULL;
	nx_error err = NX_ERROR_INIT;
	char *s = NULL;
	int c = 0, json = 0, revisions = 0, rc = 0;

	optind = 1;
	opterr = 0; /* nx_cli_bad_option() words the message */
	while ((c = getopt_long(argc, argv, ":jr", longopts, NULL)) != -1) {
		if (c == 'j')
			json = 1;
		else if (c == 'r')
			revisions = 1;
		else
			return nx_cli_bad_option("show", c, argv);
	}
	if (optind != argc - 1)
		return nx_cli_usage("show", "give one article id or URL");
	if (revisions)
		return show_revisions(cli, argv[optind], json);
	rc = nx_store_get(&a, cli->st, argv[optind], &err);
	if (rc < 0) {
		nx_cli_warn("%s", err.msg);
		return nx_cli_exit_for(rc);
	}
	if (json) {
		s = nx_article_to_json(a, NX_JSON_PRETTY | NX_JSON_ORIGIN);
		if (s != NULL)
			puts(s);
		free(s);
	} else if (nx_cli_article_safe(a) < 0) {
		nx_cli_warn("out of memory");
		nx_article_free(a);
		return NX_EXIT_INDEX;
	} else {
		print_text(a, cli->color);
	}
	nx_article_free(a);
	return NX_EXIT_OK;
}

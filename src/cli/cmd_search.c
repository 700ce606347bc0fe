/*
 * cmd_search.c - newsidx search and newsidx similar: ranked hits with
 * highlighted snippets, facets and suggestions.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "strbuf.h"

/* Print s with the spans highlighted: bold on a terminal, [..] when piped. */
static void print_marked(const char *s, const nx_span *sp, size_t n, int color)
{
	size_t pos = 0, i = 0, len = strlen(s);

	for (i = 0; i < n; i++) {
		if (sp[i].start < pos || sp[i].end > len || sp[i].start > sp[i].end)
			continue;
		nx_safe_fwrite(stdout, s + pos, sp[i].start - pos, 0);
		fputs(color ? "\033[1;31m" : "[", stdout);
		nx_safe_fwrite(stdout, s + sp[i].start, sp[i].end - sp[i].start, 0);
		fputs(color ? "\033[0m" : "]", stdout);
		pos = sp[i].end;
	}
	nx_safe_fputs(stdout, s + pos, 0);
}

static json_t *spans_json(const nx_span *sp, size_t n)
{
	json_t *a = json_array();
	size_t i = 0;

	for (i = 0; i < n; i++)
		json_array_append_new(a, json_pack("[II]", (json_int_t)sp[i].start, (json_int_t)sp[i].end));
	return a;
}

/* The JSON form of one hit: the contract keys first, extensions after. */
static json_t *hit_json(const nx_hit *h)
{
	json_t *o = json_object(), *also = NULL;
	size_t j = 0;

	json_object_set_new(o, "id", nx_json_str(h->id));
	json_object_set_new(o, "title", nx_json_str(h->title));
	json_object_set_new(o, "url", nx_json_str(h->url));
	json_object_set_new(o, "source", nx_json_str(h->source));
	json_object_set_new(o, "published", nx_json_time(&h->published));
	json_object_set_new(o, "updated", nx_json_time(&h->updated));
	json_object_set_new(o, "score", json_real(h->score));
	json_object_set_new(o, "snippet", nx_json_str(h->snippet));
	json_object_set_new(o, "highlights", spans_json(h->highlights, h->nhighlights));
	json_object_set_new(o, "snippet_field", json_string(h->snippet_field));
	json_object_set_new(o, "title_highlights", spans_json(h->title_highlights, h->ntitle_highlights));
	json_object_set_new(o, "revision", h->revision > 0 ? json_integer(h->revision) : json_null());
	also = json_array();
	for (j = 0; j < h->nalso; j++)
		json_array_append_new(also, json_pack("{ssss}", "source", h->also_in[j], "id", h->also_ids[j]));
	json_object_set_new(o, "also_in", also);
	json_object_set_new(o, "match", json_string(h->some ? "some" : "all"));
	return o;
}

json_t *nx_cli_results_json(const nx_results *r, int offset, int limit)
{
	json_t *root = json_object(), *hits = json_array(), *facets = json_object(), *sugg = NULL;
	size_t i = 0, j = 0;

	json_object_set_new(root, "query", json_string(r->query));
	json_object_set_new(root, "total", json_integer(r->total));
	json_object_set_new(root, "offset", json_integer(offset));
	json_object_set_new(root, "limit", json_integer(limit));
	json_object_set_new(root, "relaxed", json_boolean(r->relaxed));
	json_object_set_new(root, "total_some", json_integer(r->total_some));
	json_object_set_new(root, "more", json_boolean(r->more));
	json_object_set_new(root, "suggestion", nx_json_str(r->suggestion));
	sugg = json_array();
	for (i = 0; i < r->nsuggestions; i++)
		json_array_append_new(sugg, nx_json_str(r->suggestions[i]));
	json_object_set_new(root, "suggestions", sugg);
	for (i = 0; i < r->nhits; i++)
		json_array_append_new(hits, hit_json(&r->hits[i]));
	json_object_set_new(root, "hits", hits);
	for (i = 0; i < r->nfacets; i++) {
		json_t *vals = json_array();

		for (j = 0; j < r->facets[i].nvalues; j++)
			json_array_append_new(vals, json_pack("{sssI}", "value", r->facets[i].values[j].value,
							      "count", (json_int_t)r->facets[i].values[j].count));
		json_object_set_new(facets, r->facets[i].name, vals);
	}
	json_object_set_new(root, "facets", facets);
	return root;
}

/* The line before the closest matches. */
static void print_some_heading(const nx_results *r, int color)
{
	printf("%s", color ? "\033[2m" : "");
	if (r->total == 0)
		printf("No article has every word; showing the closest matches (%lld articles hold some of the words).",
		       (long long)r->total_some);
	else
		printf("-- closest matches: %lld more article%s hold%s some of the words, not all --",
		       (long long)r->total_some, r->total_some == 1 ? "" : "s", r->total_some == 1 ? "s" : "");
	printf("%s\n\n", color ? "\033[0m" : "");
}

static void print_text(const nx_results *r, const nx_search_opts *o, int color)
{
	char t1[32], t2[32];
	size_t i = 0, j = 0;

	for (i = 0; i < r->nhits; i++) {
		const nx_hit *h = &r->hits[i];

		/* where the closest matches begin: after the hits holding every word, or at once */
		if (h->some && (i == 0 || !r->hits[i - 1].some))
			print_some_heading(r, color);

		printf("%s%zu.%s ", color ? "\033[1m" : "", (size_t)o->offset + i + 1, color ? "\033[0m" : "");
		print_marked(h->title != NULL ? h->title : "(untitled)", h->title_highlights,
			     h->ntitle_highlights, color);
		if (h->revision > 0)
			printf(" (earlier version, revision %d)", h->revision);
		fputc('\n', stdout);
		printf("   %s", color ? "\033[2m" : "");
		if (h->published.set)
			printf("%s", nx_cli_time(t1, &h->published));
		else
			printf("undated");
		/* an update time equal to the publication time says nothing */
		if (h->updated.set && (!h->published.set ||
				       strcmp(nx_cli_time(t2, &h->updated), t1) != 0))
			printf(" (updated %s)", nx_cli_time(t2, &h->updated));
		if (h->source != NULL) {
			fputs(" · ", stdout);
			nx_safe_fputs(stdout, h->source, 0);
		}
		fputs(" · id ", stdout);
		nx_safe_fputs(stdout, h->id, 0);
		printf("%s\n", color ? "\033[0m" : "");
		if (h->snippet != NULL && *h->snippet != '\0') {
			printf("   %s", strcmp(h->snippet_field, "body") == 0 ? "" : "photo: ");
			print_marked(h->snippet, h->highlights, h->nhighlights, color);
			fputc('\n', stdout);
		}
		if (h->url != NULL) {
			fputs("   ", stdout);
			nx_safe_fputs(stdout, h->url, 0);
			fputc('\n', stdout);
		}
		if (h->nalso > 0) {
			printf("   also in:");
			for (j = 0; j < h->nalso; j++) {
				fputs(j > 0 ? ", " : " ", stdout);
				nx_safe_fputs(stdout, h->also_in[j], 0);
			}
			fputc('\n', stdout);
		}
		fputc('\n', stdout);
	}
	for (i = 0; i < r->nfacets; i++) {
		printf("%s:", r->facets[i].name);
		for (j = 0; j < r->facets[i].nvalues; j++) {
			fputs(j > 0 ? ", " : " ", stdout);
			nx_safe_fputs(stdout, r->facets[i].values[j].value, 0);
			printf(" (%lld)", (long long)r->facets[i].values[j].count);
		}
		fputc('\n', stdout);
	}
	if (r->nfacets > 0)
		fputc('\n', stdout);
	if (r->more && r->nhits > 0) {
		/* articles: copies folded into a hit count too */
		printf("%lld of %lld shown", (long long)(o->offset + (int)r->nhits),
		       (long long)(r->total + r->total_some));
		if (r->total_some > 0 && r->total > 0)
			printf(" (%lld with every word)", (long long)r->total);
		printf("; more with --offset %d\n", o->offset + (int)r->nhits);
	}
}

static int parse_facets(const char *s, unsigned *out)
{
	char buf[128], *tok = NULL, *save = NULL;

	snprintf(buf, sizeof(buf), "%s", s);
	for (tok = strtok_r(buf, ",", &save); tok != NULL; tok = strtok_r(NULL, ",", &save)) {
		if (strcmp(tok, "source") == 0)
			*out |= NX_FACET_SOURCE;
		else if (strcmp(tok, "month") == 0)
			*out |= NX_FACET_MONTH;
		else if (strcmp(tok, "credit") == 0)
			*out |= NX_FACET_CREDIT;
		else if (strcmp(tok, "author") == 0)
			*out |= NX_FACET_AUTHOR;
		else
			return -1;
	}
	return 0;
}

enum {
	OPT_SINCE = 256, OPT_UNTIL, OPT_SOURCE, OPT_CREDIT, OPT_AUTHOR, OPT_LANG, OPT_SORT, OPT_RECENT,
	OPT_FACETS, OPT_FRAGMENTS, OPT_ALL_REV, OPT_NO_COLLAPSE, OPT_STRICT, OPT_BATCH,
	OPT_TIME_LIMIT, OPT_FIELDS
};

/* The keys of a hit --fields may name, as hit_json writes them. */
static const char *const hit_fields[] = { "id", "title", "url", "source", "published", "updated", "score",
					  "snippet", "highlights", "snippet_field", "title_highlights",
					  "revision", "also_in", "match", NULL };

/* 1 when the comma-separated list names only hit keys, and at least one. */
static int fields_valid(const char *list, int *text)
{
	char buf[256], *tok = NULL, *save = NULL;
	size_t i = 0;
	int n = 0;

	*text = 0;
	if (strlen(list) >= sizeof(buf))
		return 0;
	snprintf(buf, sizeof(buf), "%s", list);
	for (tok = strtok_r(buf, ",", &save); tok != NULL; tok = strtok_r(NULL, ",", &save), n++) {
		for (i = 0; hit_fields[i] != NULL && strcmp(hit_fields[i], tok) != 0; i++)
			;
		if (hit_fields[i] == NULL)
			return 0;
		/* highlights and snippets need the text read */
		*text |= strstr(tok, "snippet") != NULL || strstr(tok, "highlights") != NULL;
	}
	return n > 0;
}

/* 1 when key is in the comma-separated list. */
static int field_listed(const char *list, const char *key)
{
	size_t n = strlen(key);
	const char *p = list;

	while ((p = strstr(p, key)) != NULL) {
		if ((p == list || p[-1] == ',') && (p[n] == ',' || p[n] == '\0'))
			return 1;
		p += n;
	}
	return 0;
}

/* --fields: each hit of root keeps the listed keys only. */
static void keep_fields(json_t *root, const char *fields)
{
	json_t *hits = json_object_get(root, "hits"), *h = NULL;
	size_t i = 0, k = 0;

	if (fields == NULL)
		return;
	json_array_foreach(hits, i, h) {
		for (k = 0; hit_fields[k] != NULL; k++)
			if (!field_listed(fields, hit_fields[k]))
				json_object_del(h, hit_fields[k]);
	}
}

/*
 * Options shared by search and similar; returns 0, or an exit code.
 * batch is NULL for similar, which has no --batch.
 */
static int parse_opts(const char *cmd, int argc, char **argv, nx_search_opts *o, int *json, int *batch,
		      const char **fields)
{
	static const struct option longopts[] = {
		{ "limit", required_argument, NULL, 'n' },
		{ "offset", required_argument, NULL, 'o' },
		{ "json", no_argument, NULL, 'j' },
		{ "since", required_argument, NULL, OPT_SINCE },
		{ "until", required_argument, NULL, OPT_UNTIL },
		{ "source", required_argument, NULL, OPT_SOURCE },
		{ "credit", required_argument, NULL, OPT_CREDIT },
		{ "author", required_argument, NULL, OPT_AUTHOR },
		{ "lang", required_argument, NULL, OPT_LANG },
		{ "sort", required_argument, NULL, OPT_SORT },
		{ "recent", no_argument, NULL, OPT_RECENT },
		{ "facets", required_argument, NULL, OPT_FACETS },
		{ "fragments", required_argument, NULL, OPT_FRAGMENTS },
		{ "all-revisions", no_argument, NULL, OPT_ALL_REV },
		{ "no-collapse", no_argument, NULL, OPT_NO_COLLAPSE },
		{ "strict", no_argument, NULL, OPT_STRICT },
		{ "batch", no_argument, NULL, OPT_BATCH },
		{ "time-limit", required_argument, NULL, OPT_TIME_LIMIT },
		{ "fields", required_argument, NULL, OPT_FIELDS },
		{ NULL, 0, NULL, 0 }
	};
	nx_error err = NX_ERROR_INIT;
	char spec[128];
	const char *topk = getenv("NX_TOPK");
	long v = 0;
	int c = 0, text = 1;

	/* NX_TOPK=0: the SQL rankings only (scripts/bench-topk compares both ways) */
	if (topk != NULL && strcmp(topk, "0") == 0)
		o->fast_paths = NX_FAST_PATHS_OFF;
	optind = 1;
	opterr = 0; /* nx_cli_bad_option() words the message */
	while ((c = getopt_long(argc, argv, ":n:o:j", longopts, NULL)) != -1) {
		switch (c) {
		case 'n':
			if ((v = nx_cli_number(optarg, 10000)) < 0)
				return nx_cli_usage(cmd, "--limit takes a number from 0 to 10000, not '%s'", optarg);
			o->limit = (int)v;
			break;
		case 'o':
			if ((v = nx_cli_number(optarg, 1000000000)) < 0)
				return nx_cli_usage(cmd, "--offset takes a non-negative number, not '%s'", optarg);
			o->offset = (int)v;
			break;
		case 'j': *json = 1; break;
		case OPT_SINCE:
		case OPT_UNTIL:
			/* --since X: from the start of X; --until X: to the end of X */
			snprintf(spec, sizeof(spec), c == OPT_SINCE ? "%s.." : "..%s", optarg);
			if (nx_filter_set_dates(&o->filter, 'p', spec, &err) < 0)
				return nx_cli_usage(cmd, "%s", err.msg);
			break;
		case OPT_SOURCE:
			if (nx_filter_set_str(&o->filter.source, optarg) < 0)
				return NX_EXIT_INDEX;
			break;
		case OPT_AUTHOR:
			if (nx_filter_set_str(&o->filter.author, optarg) < 0)
				return NX_EXIT_INDEX;
			break;
		case OPT_LANG:
			if (nx_filter_set_str(&o->filter.lang, optarg) < 0)
				return NX_EXIT_INDEX;
			break;
		case OPT_CREDIT: o->credit = optarg; break;
		case OPT_SORT:
			if (strcmp(optarg, "relevance") == 0)
				o->sort = NX_SORT_RELEVANCE;
			else if (strcmp(optarg, "newest") == 0)
				o->sort = NX_SORT_NEWEST;
			else if (strcmp(optarg, "oldest") == 0)
				o->sort = NX_SORT_OLDEST;
			else
				return nx_cli_usage(cmd, "--sort takes relevance, newest or oldest, not '%s'", optarg);
			break;
		case OPT_RECENT: o->recent = 1; break;
		case OPT_FACETS:
			if (parse_facets(optarg, &o->facets) < 0)
				return nx_cli_usage(cmd, "--facets takes a list of source, month, credit, author, not '%s'",
						    optarg);
			break;
		case OPT_FRAGMENTS:
			if ((v = nx_cli_number(optarg, 16)) < 1)
				return nx_cli_usage(cmd, "--fragments takes a number from 1 to 16, not '%s'", optarg);
			o->fragments = (int)v;
			break;
		case OPT_ALL_REV: o->all_revisions = 1; break;
		case OPT_NO_COLLAPSE: o->collapse = 0; break;
		case OPT_STRICT: o->relax = 0; break;
		case OPT_TIME_LIMIT: /* milliseconds a search may take; 0: no limit */
			if ((v = nx_cli_number(optarg, 3600000)) < 0)
				return nx_cli_usage(cmd, "--time-limit takes milliseconds, 0 for none");
			o->time_limit_ms = (int)v;
			break;
		case OPT_BATCH:
			if (batch == NULL)
				return nx_cli_usage(cmd, "--batch is an option of search only");
			*batch = 1;
			break;
		case OPT_FIELDS:
			if (!fields_valid(optarg, &text))
				return nx_cli_usage(cmd, "--fields takes a comma-separated list of id, title, url,"
						    " source, published, updated, score, snippet, highlights,"
						    " snippet_field, title_highlights, revision, also_in, not '%s'", optarg);
			o->snippets = text;
			*fields = optarg;
			*json = 1;
			break;
		default: return nx_cli_bad_option(cmd, c, argv);
		}
	}
	return 0;
}

static int finish(nx_cli *cli, nx_results *r, const nx_search_opts *o, int json, const char *fields)
{
	int rc = r->total + r->total_some == 0 ? NX_EXIT_NOTHING : NX_EXIT_OK;
	int none = r->total + r->total_some == 0;

	if (json) {
		json_t *root = nx_cli_results_json(r, o->offset, o->limit);

		keep_fields(root, fields);

		nx_json_print(root, 0);
		json_decref(root);
	} else {
		if (none && nx_query_only_common(r->query))
			nx_cli_warn("no articles match '%s': its words are too common to be indexed;"
				    " add a rarer word", r->query);
		else if (none)
			nx_cli_warn("no articles match '%s'", r->query);
		else
			print_text(r, o, cli->color);
		if (r->suggestion != NULL) {
			FILE *f = none ? stderr : stdout;

			fputs("Did you mean: ", f);
			nx_safe_fputs(f, r->suggestion, 0);
			fputc('\n', f);
		}
	}
	return rc;
}

/*
 * A query of a batch that could not run: {"query": ..., "error": ...};
 * the query is null (query NULL) when it holds a NUL, is not UTF-8 or is
 * too long to echo (a stray 100 MB line).
 */
static void print_batch_error(const char *query, const char *msg)
{
	json_t *o = json_object();
	size_t len = query != NULL ? strlen(query) : 0;

	json_object_set_new(o, "query", query != NULL && len <= 4096 && nx_sb_utf8_valid(query, len)
					? json_string(query) : json_null());
	json_object_set_new(o, "error", json_string(msg));
	nx_json_print(o, 0);
	json_decref(o);
}

/*
 * search --batch: one query per line of standard input, one JSON object
 * per query on standard output (JSON Lines, flushed after each, so a
 * script can write a query and read its answer), the options of the
 * command line applying to every query.  The index stays open and warm
 * between queries: a script that runs thousands of them pays the start-up
 * of the process and of the index once.  A query that cannot run (too
 * long, not UTF-8) gets an object with "error" and the batch goes on;
 * an index error ends it.
 */
static int run_batch(nx_cli *cli, const nx_search_opts *opts, const char *fields)
{
	nx_results *r = NULL;
	char *line = NULL;
	size_t cap = 0, len = 0;
	ssize_t n = 0;
	int rc = NX_EXIT_OK, src = 0;

	while ((n = getline(&line, &cap, stdin)) != -1) {
		nx_error err = NX_ERROR_INIT;

		len = (size_t)n;
		while (len > 0 && (line[len - 1] == '\n' || line[len - 1] == '\r'))
			len--;
		line[len] = '\0';
		if (strspn(line, " \t") == len)
			continue; /* blank lines get no answer (a NUL is not blank) */
		if (strlen(line) != len) {
			print_batch_error(NULL, "the query contains a NUL byte");
			rc = NX_EXIT_USAGE;
			fflush(stdout);
			continue;
		}
		if (!nx_sb_utf8_valid(line, len)) {
			print_batch_error(line, "the query is not valid UTF-8 text");
			rc = NX_EXIT_USAGE;
			fflush(stdout);
			continue;
		}
		src = nx_search(&r, cli->st, line, opts, &err);
		if (src == NX_ETOOBIG || src == NX_EINVAL || src == NX_EQUERY) {
			print_batch_error(line, err.msg);
			rc = NX_EXIT_USAGE;
		} else if (src < 0) {
			nx_cli_warn("%s", err.msg);
			rc = nx_cli_exit_for(src);
			break;
		} else {
			json_t *root = nx_cli_results_json(r, opts->offset, opts->limit);

			keep_fields(root, fields);

			nx_json_print(root, 0);
			json_decref(root);
		}
		nx_results_free(r);
		r = NULL;
		fflush(stdout);
	}
	nx_results_free(r);
	free(line);
	return rc;
}

int cmd_search(nx_cli *cli, int argc, char **argv)
{
	nx_search_opts opts = NX_SEARCH_OPTS_INIT;
	nx_results *r = NULL;
	nx_error err = NX_ERROR_INIT;
	char *query = NULL;
	size_t qlen = 0;
	const char *fields = NULL;
	int i = 0, json = 0, batch = 0, rc = 0;

	if ((rc = parse_opts("search", argc, argv, &opts, &json, &batch, &fields)) != 0)
		goto done;
	if (batch && optind < argc) {
		rc = nx_cli_usage("search", "--batch reads its queries from standard input, one per line;"
				  " give none on the command line");
		goto done;
	}
	if (batch) {
		rc = run_batch(cli, &opts, fields);
		goto done;
	}
	if (optind >= argc && !nx_filter_active(&opts.filter) && opts.credit == NULL) {
		rc = nx_cli_usage("search", "nothing to search for");
		goto done;
	}
	/* the query is every remaining argument, joined by spaces */
	for (i = optind; i < argc; i++)
		qlen += strlen(argv[i]) + 1;
	query = calloc(1, qlen + 1);
	if (query == NULL) {
		nx_cli_warn("out of memory");
		rc = NX_EXIT_INDEX;
		goto done;
	}
	for (i = optind; i < argc; i++) {
		if (i > optind)
			strcat(query, " ");
		strcat(query, argv[i]);
	}
	rc = nx_search(&r, cli->st, query, &opts, &err);
	if (rc < 0) {
		nx_cli_warn("%s", err.msg);
		rc = rc == NX_ETOOBIG || rc == NX_EQUERY ? NX_EXIT_USAGE : nx_cli_exit_for(rc);
		goto done;
	}
	rc = finish(cli, r, &opts, json, fields);
done:
	free(query);
	nx_results_free(r);
	nx_filter_clear(&opts.filter);
	return rc;
}

int cmd_similar(nx_cli *cli, int argc, char **argv)
{
	nx_search_opts opts = NX_SEARCH_OPTS_INIT;
	nx_results *r = NULL;
	nx_error err = NX_ERROR_INIT;
	const char *fields = NULL;
	int json = 0, rc = 0;

	if ((rc = parse_opts("similar", argc, argv, &opts, &json, NULL, &fields)) != 0)
		goto done;
	if (optind != argc - 1) {
		rc = nx_cli_usage("similar", "give one article id or URL");
		goto done;
	}
	rc = nx_search_similar(&r, cli->st, argv[optind], &opts, &err);
	if (rc < 0) {
		nx_cli_warn("%s", err.msg);
		rc = nx_cli_exit_for(rc);
		goto done;
	}
	rc = finish(cli, r, &opts, json, fields);
done:
	nx_results_free(r);
	nx_filter_clear(&opts.filter);
	return rc;
}

const char nx_cli_search_help[] =
	"Query language:\n"
	"  word word          every word must appear (stemmed in each article's language:\n"
	"                     attacks finds attack, Angriffe finds Angriff)\n"
	"  \"a phrase\"         the words in this order; an unclosed quote ends at the end\n"
	"  a OR b             either; binds tighter than the implicit AND\n"
	"  -word, NOT word    must not appear\n"
	"  word*              prefix\n"
	"  NEAR(a b, 10)      the words within 10 words of each other\n"
	"  ( ... )            grouping\n"
	"  title:  body:  caption:  credit:   the word in that field only\n"
	"                     (credit: is the photographer or the agency)\n"
	"  published:2021-07  published:2021-07-01..2021-07-31  published:<2020\n"
	"  updated:>2022-01-01  date: is published:  (ranges: A..B, >X, >=X, <X, <=X)\n"
	"  changed:>30d       updated more than 30 days after publication (h, d, w, m, y)\n"
	"  source:reuters  author:\"jane doe\"  lang:de\n"
	"Anything else is taken literally: an unknown foo: is a word, stray operators are\n"
	"words; no query is an error.  Options go before or after the query; a word that\n"
	"starts with '-' (-word, -5) goes after '--':  newsidx search --limit 5 -- blair -brown\n"
	"OR, AND and NOT are operators when written in capitals in a query that is not\n"
	"itself all capitals: in WHAT IS KNOWN ABOUT TARIFFS OR QUOTAS they are words.\n"
	"\n"
	"The articles holding every word come first; total counts them, whatever --limit.\n"
	"When they are too few to fill the page, the closest matches follow (articles holding\n"
	"some of the words, ranked by BM25 over them, stop words aside) under a line of their\n"
	"own; JSON marks each hit \"match\": \"all\" or \"some\" and counts the closest\n"
	"matches in total_some (--strict turns them off).  \"Did you mean\" offers words the\n"
	"articles hold, as written (never stems), for words they do not.\n"
	"Copies of one agency story in several outlets fold into one hit, \"also in: ...\"\n"
	"(--no-collapse shows each).  --recent multiplies relevance\n"
	"by 1 + 2^(-age/30 days), age counted back from the newest article in the index.\n"
	"\n"
	"Options:\n"
	"  --limit N, --offset N         page of hits (default 10 from 0)\n"
	"  --sort relevance|newest|oldest\n"
	"  --since DATE, --until DATE    published in this range (as published:DATE..DATE)\n"
	"  --source S, --author A, --lang L, --credit C   as the operators above\n"
	"  --facets source,month,credit,author            counts over all the hits\n"
	"  --fragments N                 up to N snippet fragments per hit (default 1)\n"
	"  --all-revisions               also search earlier versions of updated articles\n"
	"  --json                        one JSON object: query, total, total_some, relaxed,\n"
	"                                more, suggestion, suggestions (up to 3), hits [{id,\n"
	"                                title, url, source, published, updated, score,\n"
	"                                snippet, highlights, ..., match}], facets\n"
	"  --fields id,url,score,...     JSON with only these keys per hit (implies --json);\n"
	"                                without snippet or highlights the text is not read:\n"
	"                                deep lists (--limit 1000) for scripts cost little\n"
	"  --batch                       queries from standard input, one per line; for each,\n"
	"                                one line of JSON as --json prints it, or\n"
	"                                {\"query\", \"error\"} when it cannot run (exit 2 at the end)\n\n";

const char nx_cli_similar_help[] =
	"The hits are ranked by the distinctive words the article shares with them; the\n"
	"article itself and its copies in other outlets are left out.\n"
	"\n"
	"Options (before or after the id; '--' ends them):\n"
	"  --limit N, --offset N         page of hits (default 10 from 0)\n"
	"  --since DATE, --until DATE    published in this range\n"
	"  --source S, --author A, --lang L, --credit C   only such articles\n"
	"  --sort relevance|newest|oldest, --facets ..., --json   as for search\n\n";

/*
 * cmd_export.c - newsidx export: the normalized articles as JSON Lines,
 * or as the bulk NDJSON of OpenSearch and Elasticsearch, streamed one
 * article at a time; and the index template that goes with the bulk form.
 *
 * Each article is the object `show --json` prints (nx_article_to_json with
 * its origin), on one line; the JSON Lines reader of `add` takes it back.
 */
#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "newsidx/revision.h"
#include "newsidx/cursor.h"

#define EXPORT_DEFAULT_INDEX "newsidx"

enum { FMT_JSONL, FMT_OPENSEARCH };

typedef struct export_opts {
	int format;         /* FMT_* */
	int revisions;      /* embed earlier versions */
	const char *index;  /* bulk: the target index */
	const char *output; /* NULL: stdout */
	nx_filter filter;   /* --since, --until */
} export_opts;

/* Language tag -> the built-in OpenSearch/Elasticsearch analyzer. */
static const struct {
	const char *lang;
	const char *analyzer;
} analyzers[] = {
	{ "ar", "arabic" }, { "bg", "bulgarian" }, { "bn", "bengali" }, { "ca", "catalan" },
	{ "cs", "czech" }, { "da", "danish" }, { "de", "german" }, { "el", "greek" },
	{ "en", "english" }, { "es", "spanish" }, { "et", "estonian" }, { "eu", "basque" },
	{ "fa", "persian" }, { "fi", "finnish" }, { "fr", "french" }, { "ga", "irish" },
	{ "gl", "galician" }, { "hi", "hindi" }, { "hu", "hungarian" }, { "hy", "armenian" },
	{ "id", "indonesian" }, { "it", "italian" }, { "ja", "cjk" }, { "ko", "cjk" },
	{ "lt", "lithuanian" }, { "lv", "latvian" }, { "nb", "norwegian" }, { "nl", "dutch" },
	{ "nn", "norwegian" }, { "no", "norwegian" }, { "pt", "portuguese" }, { "ro", "romanian" },
	{ "ru", "russian" }, { "sv", "swedish" }, { "th", "thai" }, { "tr", "turkish" },
	{ "zh", "cjk" },
};

static const char *analyzer_for(const char *lang)
{
	size_t i = 0;

	for (i = 0; i < sizeof(analyzers) / sizeof(analyzers[0]); i++)
		if (strcmp(analyzers[i].lang, lang) == 0)
			return analyzers[i].analyzer;
	return NULL;
}

/*
 * OpenSearch's rules for an index name: lower case, not "." or "..", not
 * starting with '-', '_' or '+', none of \ / * ? " < > | , # : or space,
 * at most 255 bytes.
 */
static int valid_index_name(const char *s)
{
	size_t n = strlen(s), i = 0;

	if (n == 0 || n > 255 || strcmp(s, ".") == 0 || strcmp(s, "..") == 0 || strchr("-_+", s[0]) != NULL)
		return 0;
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c < 0x21 || (c >= 'A' && c <= 'Z') || strchr("\\/*?\"<>|,#:", c) != NULL)
			return 0;
	}
	return 1;
}

static json_t *typed(const char *type)
{
	return json_pack("{s:s}", "type", type);
}

static json_t *text_field(const char *analyzer)
{
	return json_pack("{s:s,s:s}", "type", "text", "analyzer", analyzer);
}

/* The composable index template (PUT _index_template/NAME) for the bulk form. */
static int print_template(const char *index, const char *lang)
{
	const char *analyzer = analyzer_for(lang);
	json_t *props = NULL, *photo = NULL, *origin = NULL, *tmpl = NULL;
	char pattern[300];

	if (analyzer == NULL) {
		nx_cli_warn("no OpenSearch language analyzer for '%s'; the template uses 'standard'", lang);
		analyzer = "standard";
	}
	snprintf(pattern, sizeof(pattern), "%s*", index);
	photo = json_pack("{s:s,s:{s:o,s:o,s:o,s:o}}", "type", "nested", "properties",
			  "agency", typed("keyword"), "photographer", typed("keyword"),
			  "caption", text_field(analyzer), "url", typed("keyword"));
	origin = json_pack("{s:{s:o,s:o,s:o,s:o}}", "properties", "file", typed("keyword"),
			   "offset", typed("long"), "record", typed("keyword"), "format", typed("keyword"));
	props = json_object();
	json_object_set_new(props, "id", typed("keyword"));
	json_object_set_new(props, "url", typed("keyword"));
	json_object_set_new(props, "source", typed("keyword"));
	json_object_set_new(props, "title", text_field(analyzer));
	json_object_set_new(props, "authors", typed("keyword"));
	json_object_set_new(props, "section", typed("keyword"));
	json_object_set_new(props, "lang", typed("keyword"));
	json_object_set_new(props, "published", typed("date"));
	json_object_set_new(props, "published_local", typed("date"));
	json_object_set_new(props, "updated", typed("date"));
	json_object_set_new(props, "updated_local", typed("date"));
	json_object_set_new(props, "body", text_field(analyzer));
	json_object_set_new(props, "photos", photo);
	json_object_set_new(props, "origin", origin);
	/* kept in _source for the record, not searched */
	json_object_set_new(props, "revisions", json_pack("{s:s,s:b}", "type", "object", "enabled", 0));
	tmpl = json_pack("{s:[s],s:{s:{s:s,s:o}},s:{s:s,s:s}}", "index_patterns", pattern,
			 "template", "mappings", "dynamic", "false", "properties", props,
			 "_meta", "description", "newsidx export --format opensearch", "lang", lang);
	if (tmpl == NULL) {
		nx_cli_warn("out of memory");
		return NX_EXIT_INDEX;
	}
	nx_json_print(tmpl, 1);
	json_decref(tmpl);
	return NX_EXIT_OK;
}

/* a's JSON with "revisions": its earlier versions, oldest first, each with its rev and capture time. */
static char *with_revisions(nx_store *st, const nx_article *a, const char *json, nx_error *err)
{
	nx_revision *v = NULL;
	json_t *o = json_loads(json, 0, NULL), *arr = json_array();
	char *out = NULL;
	size_t n = 0, i = 0;

	if (o == NULL || arr == NULL) {
		nx_error_set(err, NX_ENOMEM, "out of memory");
		goto done;
	}
	if (nx_revision_list(&v, &n, st, a->id, err) < 0)
		goto done;
	for (i = 0; i < n; i++) {
		nx_article *r = NULL;
		char *s = NULL;
		json_t *ro = NULL;

		if (v[i].current)
			continue;
		if (nx_revision_load(&r, st, a->id, v[i].rev, err) < 0)
			goto done;
		s = nx_article_to_json(r, 0);
		nx_article_free(r);
		ro = s != NULL ? json_loads(s, 0, NULL) : NULL;
		free(s);
		if (ro == NULL) {
			nx_error_set(err, NX_ENOMEM, "out of memory");
			goto done;
		}
		json_object_set_new(ro, "rev", json_integer(v[i].rev));
		json_object_set_new(ro, "captured", nx_json_time(&v[i].captured));
		json_array_append_new(arr, ro);
	}
	json_object_set(o, "revisions", arr);
	out = json_dumps(o, JSON_PRESERVE_ORDER | JSON_COMPACT);
	if (out == NULL)
		nx_error_set(err, NX_ENOMEM, "out of memory");
done:
	free(v);
	json_decref(arr);
	json_decref(o);
	return out;
}

/* One article: its line (after the bulk action line). */
static int write_article(FILE *f, nx_store *st, const nx_article *a, const export_opts *o, nx_error *err)
{
	char *doc = nx_article_to_json(a, NX_JSON_ORIGIN), *full = NULL;
	int rc = NX_OK;

	if (doc == NULL)
		return nx_error_set(err, NX_ENOMEM, "out of memory");
	if (o->revisions) {
		full = with_revisions(st, a, doc, err);
		free(doc);
		if (full == NULL)
			return err->code < 0 ? err->code : NX_ENOMEM;
		doc = full;
	}
	if (o->format == FMT_OPENSEARCH) {
		json_t *act = json_pack("{s:{s:s,s:s}}", "index", "_index", o->index, "_id", a->id);
		char *line = act != NULL ? json_dumps(act, JSON_PRESERVE_ORDER | JSON_COMPACT) : NULL;

		json_decref(act);
		if (line == NULL) {
			free(doc);
			return nx_error_set(err, NX_ENOMEM, "out of memory");
		}
		fputs(line, f);
		fputc('\n', f);
		free(line);
	}
	fputs(doc, f);
	fputc('\n', f);
	free(doc);
	if (ferror(f))
		rc = nx_error_set(err, NX_EIO, "cannot write the export: %s", strerror(errno));
	return rc;
}

static int run_export(nx_cli *cli, const char *query, export_opts *o)
{
	nx_store *st = NULL;
	nx_cursor *w = NULL;
	nx_article *a = NULL;
	nx_error err = NX_ERROR_INIT;
	FILE *f = stdout;
	int rc = NX_OK, ex = NX_EXIT_OK;

	if ((rc = nx_store_open(&st, cli->db_path, NX_STORE_READ | NX_STORE_BRIEF, &err)) < 0) {
		nx_cli_warn("%s", err.msg);
		return NX_EXIT_INDEX;
	}
	if ((rc = nx_cursor_open(&w, st, query, &o->filter, &err)) < 0) {
		nx_cli_warn("%s", err.msg);
		ex = rc == NX_EINVAL ? NX_EXIT_USAGE : nx_cli_exit_for(rc);
		goto done;
	}
	if (o->output != NULL && (f = fopen(o->output, "w")) == NULL) {
		nx_cli_warn("cannot write '%s': %s", o->output, strerror(errno));
		ex = NX_EXIT_INDEX;
		goto done;
	}
	while ((rc = nx_cursor_next(&a, w, &err)) > 0) {
		rc = write_article(f, st, a, o, &err);
		nx_article_free(a);
		a = NULL;
		if (rc < 0)
			break;
	}
	if (rc < 0) {
		if (!(rc == NX_EIO && errno == EPIPE))
			nx_cli_warn("%s%s%s", o->output != NULL ? o->output : "", o->output != NULL ? ": " : "",
				    err.msg);
		ex = rc == NX_EIO ? NX_EXIT_INDEX : nx_cli_exit_for(rc);
	} else if (nx_cursor_count(w) == 0) {
		nx_cli_warn("no article to export");
		ex = NX_EXIT_NOTHING;
	}
	if (f != stdout) {
		if (fclose(f) != 0 && ex == NX_EXIT_OK) {
			nx_cli_warn("cannot write '%s': %s", o->output, strerror(errno));
			ex = NX_EXIT_INDEX;
		} else if (ex == NX_EXIT_OK) {
			nx_cli_warn("exported %lld article%s to '%s'", (long long)nx_cursor_count(w),
				    nx_cursor_count(w) == 1 ? "" : "s", o->output);
		}
	}
done:
	nx_cursor_free(w);
	nx_store_close(st);
	return ex;
}

/* QUERY... as one string, words separated by spaces; NULL on out of memory. */
static char *join_words(int argc, char **argv)
{
	size_t n = 1;
	int i = 0;
	char *q = NULL;

	for (i = 0; i < argc; i++)
		n += strlen(argv[i]) + 1;
	if ((q = malloc(n)) == NULL)
		return NULL;
	q[0] = '\0';
	for (i = 0; i < argc; i++) {
		if (i > 0)
			strcat(q, " ");
		strcat(q, argv[i]);
	}
	return q;
}

int cmd_export(nx_cli *cli, int argc, char **argv)
{
	enum { OPT_SINCE = 256, OPT_UNTIL, OPT_INDEX, OPT_TEMPLATE, OPT_LANG };
	static const struct option longopts[] = {
		{ "format", required_argument, NULL, 'f' },
		{ "index", required_argument, NULL, OPT_INDEX },
		{ "lang", required_argument, NULL, OPT_LANG },
		{ "opensearch-template", no_argument, NULL, OPT_TEMPLATE },
		{ "output", required_argument, NULL, 'o' },
		{ "revisions", no_argument, NULL, 'r' },
		{ "since", required_argument, NULL, OPT_SINCE },
		{ "until", required_argument, NULL, OPT_UNTIL },
		{ NULL, 0, NULL, 0 }
	};
	export_opts o = { FMT_JSONL, 0, EXPORT_DEFAULT_INDEX, NULL, NX_FILTER_INIT };
	nx_error err = NX_ERROR_INIT;
	const char *lang = "en";
	char spec[300], *query = NULL;
	int c = 0, tmpl = 0, ex = NX_EXIT_OK, have_lang = 0;

	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "f:o:r", longopts, NULL)) != -1) {
		switch (c) {
		case 'f':
			if (strcmp(optarg, "jsonl") == 0) {
				o.format = FMT_JSONL;
			} else if (strcmp(optarg, "opensearch") == 0) {
				o.format = FMT_OPENSEARCH;
			} else {
				ex = nx_cli_usage("export", "--format is jsonl or opensearch, not '%s'", optarg);
				goto done;
			}
			break;
		case 'o': o.output = optarg; break;
		case 'r': o.revisions = 1; break;
		case OPT_INDEX: o.index = optarg; break;
		case OPT_LANG: lang = optarg; have_lang = 1; break;
		case OPT_TEMPLATE: tmpl = 1; break;
		case OPT_SINCE:
		case OPT_UNTIL:
			/* as search: --since X from the start of X, --until X to its end */
			snprintf(spec, sizeof(spec), c == OPT_SINCE ? "%s.." : "..%s", optarg);
			if (nx_filter_set_dates(&o.filter, 'p', spec, &err) < 0) {
				ex = nx_cli_usage("export", "%s", err.msg);
				goto done;
			}
			break;
		default:
			ex = nx_cli_usage("export", "unknown option, or an option without its value: '%s'",
					  argv[optind - 1]);
			goto done;
		}
	}
	if (!valid_index_name(o.index)) {
		ex = nx_cli_usage("export", "'%s' is not a valid index name (lower case, no spaces or \\/*?\"<>|,#:)",
				  o.index);
		goto done;
	}
	if (tmpl) {
		if (optind < argc || o.output != NULL || o.revisions || nx_filter_active(&o.filter)) {
			ex = nx_cli_usage("export", "--opensearch-template takes only --index and --lang");
			goto done;
		}
		ex = print_template(o.index, lang);
		goto done;
	}
	if (have_lang) {
		ex = nx_cli_usage("export", "--lang is for --opensearch-template; select articles with lang:CODE");
		goto done;
	}
	if ((query = join_words(argc - optind, argv + optind)) == NULL) {
		nx_cli_warn("out of memory");
		ex = NX_EXIT_INDEX;
		goto done;
	}
	ex = run_export(cli, query, &o);
done:
	free(query);
	nx_filter_clear(&o.filter);
	return ex;
}

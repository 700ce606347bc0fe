/*
 * routes.c - what newsidx serve answers: the search page and the article
 * page (HTML from pages.c), /api/search and /api/article (the JSON that
 * `newsidx search --json` and `show --json` print), with the checks of
 * their arguments.  Connections, limits and the Host check are serve.c's.
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "newsidx/revision.h"
#include "pages.h"
#include "serve_private.h"

static const char *arg(req *r, const char *name)
{
	return MHD_lookup_connection_value(r->c, MHD_GET_ARGUMENT_KIND, name);
}

/* A flag argument: absent 0; "", 1, true, yes, on 1; 0, false, no, off 0; else -1. */
static int arg_flag(req *r, const char *name)
{
	const char *v = NULL;

	if (MHD_lookup_connection_value_n(r->c, MHD_GET_ARGUMENT_KIND, name, strlen(name), &v, NULL) != MHD_YES)
		return 0;
	if (v == NULL || *v == '\0' || strcmp(v, "1") == 0 || strcmp(v, "true") == 0 || strcmp(v, "yes") == 0 ||
	    strcmp(v, "on") == 0)
		return 1;
	if (strcmp(v, "0") == 0 || strcmp(v, "false") == 0 || strcmp(v, "no") == 0 || strcmp(v, "off") == 0)
		return 0;
	return -1;
}

static int filled(const char *s)
{
	return s != NULL && *s != '\0';
}

static unsigned bad(const char **msg, const char *why)
{
	*msg = why;
	return MHD_HTTP_BAD_REQUEST;
}

static int parse_facets(const char *s, unsigned *out)
{
	static const struct { const char *name; unsigned bit; } names[] = {
		{ "source", NX_FACET_SOURCE }, { "month", NX_FACET_MONTH },
		{ "credit", NX_FACET_CREDIT }, { "author", NX_FACET_AUTHOR }
	};
	const char *p = s;
	size_t n = 0, i = 0;

	while (*p != '\0') {
		n = strcspn(p, ",");
		for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
			if (strlen(names[i].name) == n && strncmp(p, names[i].name, n) == 0)
				break;
		if (i == sizeof(names) / sizeof(names[0]))
			return -1;
		*out |= names[i].bit;
		p += n;
		if (*p == ',')
			p++;
	}
	return 0;
}

/*
 * Fill o from the request, as search's command-line options do (the API
 * takes them all, the page those of its form).  Returns 0, or 400 with
 * *msg saying why (msg points into err or is static).
 */
static unsigned search_args(req *r, nx_search_opts *o, int page, nx_error *err, const char **msg)
{
	static const char *const flag_names[4] = { "recent", "all-revisions", "strict", "no-collapse" };
	const char *v = NULL;
	char spec[ARG_MAX_LEN + 8];
	long n = 0;
	int fl[4], i = 0;

	*msg = NULL;
	if ((v = arg(r, "offset")) != NULL && *v != '\0') {
		if ((n = nx_cli_number(v, OFFSET_MAX)) < 0)
			return bad(msg, "offset takes a number from 0 to 100000");
		o->offset = (int)n;
	}
	if ((v = arg(r, "sort")) != NULL && *v != '\0') {
		if (strcmp(v, "relevance") == 0)
			o->sort = NX_SORT_RELEVANCE;
		else if (strcmp(v, "newest") == 0)
			o->sort = NX_SORT_NEWEST;
		else if (strcmp(v, "oldest") == 0)
			o->sort = NX_SORT_OLDEST;
		else
			return bad(msg, "sort takes relevance, newest or oldest");
	}
	if (filled(v = arg(r, "since"))) {
		snprintf(spec, sizeof(spec), "%s..", v);
		if (nx_filter_set_dates(&o->filter, 'p', spec, err) < 0)
			return bad(msg, err->msg);
	}
	if (filled(v = arg(r, "until"))) {
		snprintf(spec, sizeof(spec), "..%s", v);
		if (nx_filter_set_dates(&o->filter, 'p', spec, err) < 0)
			return bad(msg, err->msg);
	}
	if (filled(v = arg(r, "source")) && nx_filter_set_str(&o->filter.source, v) < 0)
		return bad(msg, "out of memory");
	if (filled(v = arg(r, "credit")))
		o->credit = v;
	if (page) {
		o->limit = NX_SERVE_PAGE;
		o->facets = NX_FACET_SOURCE | NX_FACET_CREDIT | NX_FACET_MONTH;
		return 0;
	}
	if (filled(v = arg(r, "author")) && nx_filter_set_str(&o->filter.author, v) < 0)
		return bad(msg, "out of memory");
	if (filled(v = arg(r, "lang")) && nx_filter_set_str(&o->filter.lang, v) < 0)
		return bad(msg, "out of memory");
	if ((v = arg(r, "limit")) != NULL && *v != '\0') {
		if ((n = nx_cli_number(v, API_LIMIT_MAX)) < 0)
			return bad(msg, "limit takes a number from 0 to 100");
		o->limit = (int)n;
	}
	if ((v = arg(r, "fragments")) != NULL && *v != '\0') {
		if ((n = nx_cli_number(v, 16)) < 1)
			return bad(msg, "fragments takes a number from 1 to 16");
		o->fragments = (int)n;
	}
	if (filled(v = arg(r, "facets")) && parse_facets(v, &o->facets) < 0)
		return bad(msg, "facets takes a list of source, month, credit, author");
	for (i = 0; i < 4; i++)
		if ((fl[i] = arg_flag(r, flag_names[i])) < 0)
			return bad(msg, "flags (recent, all-revisions, strict, no-collapse) take 1 or 0");
	o->recent = fl[0];
	o->all_revisions = fl[1];
	o->relax = !fl[2];
	o->collapse = !fl[3];
	return 0;
}

/*
 * One more search in progress: with another already running the CPUs
 * are taken, and splitting a long walk over a second thread would only
 * add its cost (nx_search_opts.one_thread).  search_end when answered.
 */
static void search_begin(req *r, nx_search_opts *o)
{
	o->one_thread = atomic_fetch_add(&r->s->searches, 1) > 0;
}

static void search_end(req *r)
{
	atomic_fetch_sub(&r->s->searches, 1);
}

/* Map a failed search or lookup to an answer; the full reason goes to stderr only. */
static enum MHD_Result fail_lib(req *r, int code, const nx_error *err)
{
	switch (code) {
	case NX_ENOTFOUND: return serve_fail(r, MHD_HTTP_NOT_FOUND, "no such article");
	case NX_EAMBIGUOUS: return serve_fail(r, MHD_HTTP_BAD_REQUEST, "this id prefix names more than one article");
	case NX_ETOOBIG:
	case NX_EQUERY: /* a malformed operator value: published:1987-3 */
	case NX_EINVAL: return serve_fail(r, MHD_HTTP_BAD_REQUEST, err->msg);
	case NX_ELIMIT: return serve_fail(r, MHD_HTTP_SERVICE_UNAVAILABLE, err->msg); /* over the query budget */
	default:
		nx_cli_warn("serve: %s", err->msg);
		return serve_fail(r, MHD_HTTP_INTERNAL_SERVER_ERROR, "the index could not be read");
	}
}

enum MHD_Result serve_api_search(req *r, nx_store *st)
{
	nx_search_opts o = NX_SEARCH_OPTS_INIT;
	nx_results *res = NULL;
	nx_error err = NX_ERROR_INIT;
	const char *q = arg(r, "q"), *msg = NULL;
	enum MHD_Result ret = MHD_NO;
	unsigned status = 0;
	int rc = 0;

	if ((status = search_args(r, &o, 0, &err, &msg)) != 0) {
		ret = serve_fail(r, status, msg);
		goto done;
	}
	if (!filled(q) && !nx_filter_active(&o.filter) && o.credit == NULL) {
		ret = serve_fail(r, MHD_HTTP_BAD_REQUEST, "nothing to search for: give q (or a filter)");
		goto done;
	}
	search_begin(r, &o);
	rc = nx_search(&res, st, q != NULL ? q : "", &o, &err);
	search_end(r);
	if (rc < 0) {
		ret = fail_lib(r, rc, &err);
		goto done;
	}
	ret = serve_respond_json(r, MHD_HTTP_OK, nx_cli_results_json(res, o.offset, o.limit), 0);
done:
	nx_results_free(res);
	nx_filter_clear(&o.filter);
	return ret;
}

enum MHD_Result serve_page_search(req *r, nx_store *st)
{
	nx_search_opts o = NX_SEARCH_OPTS_INIT;
	nx_serve_form f = { NULL, NULL, NULL, NULL, NULL, NULL, 0 };
	nx_results *res = NULL;
	nx_article **arts = NULL;
	nx_error err = NX_ERROR_INIT;
	nx_stats stats;
	nx_sb b = NX_SB_INIT;
	const char *msg = NULL;
	enum MHD_Result ret = MHD_NO;
	unsigned status = 0;
	size_t i = 0;
	int rc = 0;

	f.q = arg(r, "q");
	f.since = arg(r, "since");
	f.until = arg(r, "until");
	f.source = arg(r, "source");
	f.credit = arg(r, "credit");
	f.sort = arg(r, "sort");
	if ((status = search_args(r, &o, 1, &err, &msg)) != 0) {
		nx_serve_page_search(&b, &f, NULL, NULL, NULL, msg);
		ret = serve_respond_buf(r, status, "text/html; charset=utf-8", &b);
		goto done;
	}
	f.offset = o.offset;
	if (!filled(f.q) && !nx_filter_active(&o.filter) && o.credit == NULL) {
		/* the start page: what the index holds */
		rc = nx_store_stats(&stats, st, &err);
		nx_serve_page_search(&b, &f, NULL, NULL, rc == NX_OK ? &stats : NULL, NULL);
		ret = serve_respond_buf(r, MHD_HTTP_OK, "text/html; charset=utf-8", &b);
		goto done;
	}
	search_begin(r, &o);
	rc = nx_search(&res, st, f.q != NULL ? f.q : "", &o, &err);
	search_end(r);
	if (rc < 0) {
		if (rc == NX_ETOOBIG || rc == NX_EINVAL || rc == NX_EQUERY || rc == NX_ELIMIT) {
			nx_serve_page_search(&b, &f, NULL, NULL, NULL, err.msg);
			ret = serve_respond_buf(r, MHD_HTTP_BAD_REQUEST, "text/html; charset=utf-8", &b);
		} else {
			ret = fail_lib(r, rc, &err);
		}
		goto done;
	}
	/* each hit's article, for its photo credits (a failed load just shows none) */
	if (res->nhits > 0 && (arts = calloc(res->nhits, sizeof(*arts))) != NULL)
		for (i = 0; i < res->nhits; i++)
			if (nx_store_get(&arts[i], st, res->hits[i].id, &err) < 0)
				arts[i] = NULL;
	nx_serve_page_search(&b, &f, res, arts, NULL, NULL);
	ret = serve_respond_buf(r, MHD_HTTP_OK, "text/html; charset=utf-8", &b);
done:
	for (i = 0; arts != NULL && i < res->nhits; i++)
		nx_article_free(arts[i]);
	free(arts);
	nx_results_free(res);
	nx_filter_clear(&o.filter);
	return ret;
}

/* ref starts with a host name: "www.example.com/...", "example.com/..." */
static int host_first(const char *ref)
{
	size_t i = 0, dot = 0;

	for (i = 0; ref[i] != '\0' && ref[i] != '/'; i++) {
		if (ref[i] == '.')
			dot = i;
		else if (!((ref[i] >= '0' && ref[i] <= '9') || (ref[i] >= 'a' && ref[i] <= 'z') ||
			   (ref[i] >= 'A' && ref[i] <= 'Z') || ref[i] == '-' || ref[i] == ':'))
			return 0;
	}
	return dot > 0 && dot + 1 < i;
}

/* An article reference from a path: an id or id prefix (hex), or a web URL as pasted. */
int serve_valid_ref(const char *ref)
{
	size_t n = strlen(ref), i = 0;

	if (n >= 4 && n <= 16) {
		for (i = 0; i < n; i++)
			if (!((ref[i] >= '0' && ref[i] <= '9') || (ref[i] >= 'a' && ref[i] <= 'f')))
				break;
		if (i == n)
			return 1;
	}
	if (n > ARG_MAX_LEN || !(strncasecmp(ref, "http://", 7) == 0 || strncasecmp(ref, "https://", 8) == 0 ||
				 host_first(ref)))
		return 0;
	for (i = 0; i < n; i++)
		if ((unsigned char)ref[i] < 0x20 || ref[i] == 0x7f)
			return 0;
	return nx_sb_utf8_valid(ref, n);
}

typedef struct query_acc {
	nx_sb *b;
	int n;
} query_acc;

/* Append one argument of the request, percent-encoded again, to the address. */
static enum MHD_Result add_query_arg(void *cls, enum MHD_ValueKind kind, const char *key, const char *value)
{
	static const char keep[] = "-._~!$'()*,;:@/";
	query_acc *q = cls;
	const char *part[2] = { key, value };
	size_t i = 0, k = 0;

	(void)kind;
	if (key == NULL || strcmp(key, "rev") == 0 || strcmp(key, "from") == 0 || strcmp(key, "to") == 0)
		return MHD_YES; /* the article page's own arguments */
	nx_sb_addch(q->b, q->n++ == 0 ? '?' : '&');
	for (k = 0; k < 2 && part[k] != NULL; k++) {
		if (k == 1)
			nx_sb_addch(q->b, '=');
		for (i = 0; part[k][i] != '\0'; i++) {
			unsigned char c = (unsigned char)part[k][i];

			if ((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
			    strchr(keep, c) != NULL)
				nx_sb_addch(q->b, c);
			else
				nx_sb_addf(q->b, "%%%02X", c);
		}
	}
	return MHD_YES;
}

char *serve_pasted_ref(req *r, const char *ref)
{
	nx_sb b = NX_SB_INIT;
	query_acc q = { &b, 0 };

	nx_sb_adds(&b, ref);
	if (strncasecmp(ref, "http://", 7) == 0 || strncasecmp(ref, "https://", 8) == 0 || host_first(ref))
		MHD_get_connection_values(r->c, MHD_GET_ARGUMENT_KIND, add_query_arg, &q);
	return nx_sb_detach(&b);
}

enum MHD_Result serve_api_article(req *r, nx_store *st, const char *ref)
{
	nx_article *a = NULL;
	nx_error err = NX_ERROR_INIT;
	nx_sb b = NX_SB_INIT;
	char *s = NULL;
	int rc = 0;

	if (!serve_valid_ref(ref))
		return serve_fail(r, MHD_HTTP_NOT_FOUND, "no such article");
	if ((rc = nx_store_get(&a, st, ref, &err)) < 0)
		return fail_lib(r, rc, &err);
	s = nx_article_to_json(a, NX_JSON_PRETTY | NX_JSON_ORIGIN);
	nx_article_free(a);
	if (s == NULL)
		return MHD_NO;
	/* as show --json prints it: puts() adds the newline */
	nx_sb_adds(&b, s);
	nx_sb_addch(&b, '\n');
	free(s);
	return serve_respond_buf(r, MHD_HTTP_OK, "application/json; charset=utf-8", &b);
}

/* A revision number argument: 0 when absent, -1 when not a number >= 1. */
static long rev_arg(req *r, const char *name)
{
	const char *v = arg(r, name);

	if (!filled(v))
		return 0;
	return nx_cli_number(v, 1L << 30) >= 1 ? nx_cli_number(v, 1L << 30) : -1;
}

static int has_rev(const nx_revision *v, size_t n, long rev)
{
	size_t i = 0;

	for (i = 0; i < n; i++)
		if (v[i].rev == rev)
			return 1;
	return 0;
}

/*
 * The two versions of the diff made safe first (cli.h), so the diff holds
 * no escape of theirs and the page's <del>/<ins> come only from real
 * markers, whatever a credit or title contains.
 */
static int safe_pair(nx_article *a, nx_article *b, nx_error *err)
{
	if (nx_cli_article_safe(a) < 0 || nx_cli_article_safe(b) < 0)
		return nx_error_set(err, NX_ENOMEM, "out of memory");
	return NX_OK;
}

enum MHD_Result serve_page_article(req *r, nx_store *st, const char *ref)
{
	nx_serve_article p;
	nx_article *cur = NULL, *shown = NULL, *da = NULL, *db = NULL;
	nx_revision *v = NULL;
	nx_error err = NX_ERROR_INIT;
	nx_sb b = NX_SB_INIT;
	char *diff = NULL;
	size_t n = 0;
	long rev = rev_arg(r, "rev"), from = rev_arg(r, "from"), to = rev_arg(r, "to");
	enum MHD_Result ret = MHD_NO;
	int rc = 0, changed = 0;

	memset(&p, 0, sizeof(p));
	if (!serve_valid_ref(ref))
		return serve_fail(r, MHD_HTTP_NOT_FOUND, "no such article");
	if (rev < 0 || from < 0 || to < 0)
		return serve_fail(r, MHD_HTTP_BAD_REQUEST, "rev, from and to take a revision number");
	if ((rc = nx_store_get(&cur, st, ref, &err)) < 0)
		return fail_lib(r, rc, &err);
	if ((rc = nx_revision_list(&v, &n, st, cur->id, &err)) < 0) {
		ret = fail_lib(r, rc, &err);
		goto done;
	}
	if ((rev > 0 && !has_rev(v, n, rev)) || (from > 0 && !has_rev(v, n, from)) || (to > 0 && !has_rev(v, n, to))) {
		ret = serve_fail(r, MHD_HTTP_NOT_FOUND, "this article has no such revision");
		goto done;
	}
	if (rev > 0 && rev != v[n - 1].rev && (rc = nx_revision_load(&shown, st, cur->id, rev, &err)) < 0) {
		ret = fail_lib(r, rc, &err);
		goto done;
	}
	/* the diff: as asked, else the latest change */
	if (n >= 2) {
		if (from == 0)
			from = to > 0 ? (long)v[0].rev : (long)v[n - 2].rev;
		if (to == 0)
			to = (long)v[n - 1].rev;
		if ((rc = nx_revision_load(&da, st, cur->id, from, &err)) < 0 ||
		    (rc = nx_revision_load(&db, st, cur->id, to, &err)) < 0 ||
		    (rc = safe_pair(da, db, &err)) < 0 ||
		    (rc = nx_revision_diff(&diff, &changed, da, db, NX_DIFF_COLOR, &err)) < 0) {
			ret = fail_lib(r, rc, &err);
			goto done;
		}
	}
	p.a = shown != NULL ? shown : cur;
	p.id = cur->id;
	p.rev = shown != NULL ? rev : 0;
	p.revs = v;
	p.nrevs = n;
	p.diff_from = diff != NULL ? from : 0;
	p.diff_to = diff != NULL ? to : 0;
	p.diff = diff;
	nx_serve_page_article(&b, &p);
	ret = serve_respond_buf(r, MHD_HTTP_OK, "text/html; charset=utf-8", &b);
done:
	free(diff);
	nx_article_free(da);
	nx_article_free(db);
	nx_article_free(shown);
	nx_article_free(cur);
	free(v);
	return ret;
}

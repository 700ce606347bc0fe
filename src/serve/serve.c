/*
 * serve.c - newsidx serve: the index, read-only, over HTTP (the routes are
 * in routes.c, the pages in pages.c).
 *
 *   /                  the search page (pages.c), works without script
 *   /a/REF             one whole article: photos, source, revisions, diff
 *   /api/search?q=     exactly what `newsidx search --json` prints
 *   /api/article/REF   exactly what `newsidx show --json` prints
 *   /static/app.css, /static/app.js   served from memory
 *
 * HTTP is libmicrohttpd's: nothing here parses a request.  Its two threads
 * read requests and write answers; a request that reads the index waits
 * in one queue for --threads workers (enqueue), each with its own
 * read-only nx_store opened on first use and closed when the worker ends
 * (SQLite connections are not shared between threads); reads never block
 * the writer of a cron sync (WAL).  Not thread per connection: with
 * libmicrohttpd 0.9.75 a server that reached its connection limit in that
 * mode never accepted again.  scripts/bench-serve measures worker counts.
 * Limits: connections (MHD_OPTION_CONNECTION_LIMIT), argument and path
 * lengths (414), methods (GET and HEAD, else 405), page depth (400).
 */
#define _GNU_SOURCE /* sched_getaffinity */
#include <arpa/inet.h>
#include <sched.h>
#include <getopt.h>
#include <netdb.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <microhttpd.h>

#include "cli.h"
#include "newsidx/revision.h"
#include "pages.h"
#include "strbuf.h"

#include "serve_private.h"

struct serve_job {
	serve_job *next;
	req r;                     /* the request; r.job points here */
	struct MHD_Response *resp; /* its answer, NULL when none could be made */
	unsigned status;
};

static void close_store(void *p)
{
	nx_store_close(p);
}

/* This thread's read-only store, opened on first use; NULL when it cannot be. */
nx_store *serve_thread_store(req *r)
{
	nx_store *st = pthread_getspecific(r->s->store_key);
	nx_error err = NX_ERROR_INIT;

	if (st != NULL)
		return st;
	if (nx_store_open(&st, r->s->db_path, NX_STORE_READ, &err) < 0) {
		nx_cli_warn("serve: %s", err.msg);
		return NULL;
	}
	if (pthread_setspecific(r->s->store_key, st) != 0) {
		nx_store_close(st);
		return NULL;
	}
	return st;
}

static const char *serve_reason(unsigned status)
{
	switch (status) {
	case 200: return "OK";
	case 400: return "Bad Request";
	case 404: return "Not Found";
	case 405: return "Method Not Allowed";
	case 414: return "URI Too Long";
	case 421: return "Misdirected Request";
	case 503: return "Service Unavailable";
	default: return "Internal Server Error";
	}
}

/* The access log line: printable ASCII only, so a URL cannot forge log lines. */
static void serve_log_request(const req *r, unsigned status)
{
	struct timespec t1;
	char url[256];
	size_t i = 0;
	double ms = 0;

	clock_gettime(CLOCK_MONOTONIC, &t1);
	ms = (double)(t1.tv_sec - r->t0.tv_sec) * 1e3 + (double)(t1.tv_nsec - r->t0.tv_nsec) / 1e6;
	for (i = 0; i + 1 < sizeof(url) && r->url[i] != '\0'; i++)
		url[i] = r->url[i] > 0x20 && r->url[i] < 0x7f ? r->url[i] : '?';
	url[i] = '\0';
	fprintf(stderr, "newsidx: serve: %s %s %u %.1f ms\n", r->method, url, status, ms);
}

/*
 * Queue a response.  body is malloc'd and handed over (MHD frees it), or
 * static when is_static.  Every response carries the security headers.
 */
enum MHD_Result serve_respond(req *r, unsigned status, const char *ctype, char *body, size_t len,
			       int is_static)
{
	struct MHD_Response *resp = NULL;
	enum MHD_Result ret = MHD_NO;

	resp = MHD_create_response_from_buffer(len, body,
					       is_static ? MHD_RESPMEM_PERSISTENT : MHD_RESPMEM_MUST_FREE);
	if (resp == NULL) {
		if (!is_static)
			free(body);
		return MHD_NO;
	}
	MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, ctype);
	MHD_add_response_header(resp, "Content-Security-Policy", CSP);
	MHD_add_response_header(resp, "X-Content-Type-Options", "nosniff");
	MHD_add_response_header(resp, "X-Frame-Options", "DENY");
	MHD_add_response_header(resp, "Referrer-Policy", "no-referrer");
	MHD_add_response_header(resp, MHD_HTTP_HEADER_CACHE_CONTROL,
				is_static ? "public, max-age=3600" : "no-store");
	if (status == MHD_HTTP_METHOD_NOT_ALLOWED)
		MHD_add_response_header(resp, MHD_HTTP_HEADER_ALLOW, "GET, HEAD");
	if (r->job != NULL) {
		/* a worker's: queued when the connection is back with MHD (job_done) */
		r->job->resp = resp;
		r->job->status = status;
		ret = MHD_YES;
	} else {
		ret = MHD_queue_response(r->c, status, resp);
		MHD_destroy_response(resp);
	}
	if (r->s->log)
		serve_log_request(r, status);
	return ret;
}

enum MHD_Result serve_respond_buf(req *r, unsigned status, const char *ctype, nx_sb *b)
{
	size_t len = b->len;
	char *s = NULL;

	if (!nx_sb_ok(b)) {
		nx_sb_free(b);
		return MHD_NO;
	}
	s = nx_sb_detach(b);
	if (s == NULL)
		return MHD_NO;
	return serve_respond(r, status, ctype, s, len, 0);
}

/* The JSON value v (taken) as the whole body, followed by a newline as the CLI prints it. */
enum MHD_Result serve_respond_json(req *r, unsigned status, json_t *v, int pretty)
{
	nx_sb b = NX_SB_INIT;
	char *s = json_dumps(v, JSON_PRESERVE_ORDER | (pretty ? JSON_INDENT(2) : JSON_COMPACT));

	json_decref(v);
	if (s == NULL)
		return MHD_NO;
	nx_sb_adds(&b, s);
	nx_sb_addch(&b, '\n');
	free(s);
	return serve_respond_buf(r, status, "application/json; charset=utf-8", &b);
}

/* A 4xx/5xx answer: {"error", "status"} on the API, an HTML page elsewhere. */
enum MHD_Result serve_fail(req *r, unsigned status, const char *msg)
{
	nx_sb b = NX_SB_INIT;

	if (r->api)
		return serve_respond_json(r, status, json_pack("{sssi}", "error", msg, "status", (int)status), 0);
	nx_serve_page_error(&b, status, serve_reason(status), msg);
	return serve_respond_buf(r, status, "text/html; charset=utf-8", &b);
}

/* Arguments, checked once before anything reads them. */
typedef struct args_check {
	size_t total, count;
	unsigned status; /* 0: fine */
	const char *msg;
} args_check;

static enum MHD_Result check_arg(void *cls, enum MHD_ValueKind kind, const char *key, size_t key_size,
				 const char *value, size_t value_size)
{
	args_check *a = cls;

	(void)kind;
	a->total += key_size + value_size + 2;
	a->count++;
	if (value_size > ARG_MAX_LEN || a->total > ARGS_MAX_LEN || a->count > ARGS_MAX_COUNT) {
		a->status = MHD_HTTP_URI_TOO_LONG;
		a->msg = value_size > ARG_MAX_LEN ? "the query is too long (2048 bytes at most)"
						  : "the request has too many arguments";
		return MHD_NO;
	}
	if ((key_size > 0 && !nx_sb_utf8_valid(key, key_size)) ||
	    (value != NULL && value_size > 0 && !nx_sb_utf8_valid(value, value_size))) {
		a->status = MHD_HTTP_BAD_REQUEST;
		a->msg = "arguments must be UTF-8 text";
		return MHD_NO;
	}
	return MHD_YES;
}

/*
 * What the raw request line held, seen by uri_seen() before MHD decodes
 * it: MHD turns %00 into a NUL that silently cuts the path short.  The
 * address of a tag is the request's *req_cls; the SEEN ones mark the
 * second call of on_request.
 */
enum { URI_NEW, URI_NUL, URI_LONG, URI_SEEN, URI_SEEN_NUL, URI_SEEN_LONG, URI__COUNT };
static char uri_tags[URI__COUNT];

static void *uri_seen(void *cls, const char *uri, struct MHD_Connection *c)
{
	const char *q = strchr(uri, '?');
	size_t plen = q != NULL ? (size_t)(q - uri) : strlen(uri), i = 0;

	(void)cls;
	(void)c;
	for (i = 0; i + 2 < plen; i++)
		if (uri[i] == '%' && uri[i + 1] == '0' && uri[i + 2] == '0')
			return &uri_tags[URI_NUL];
	if (q != NULL) {
		size_t n = 1;

		for (i = 0; q[i] != '\0'; i++)
			n += q[i] == '&';
		if (strlen(q) > ARGS_MAX_LEN || n > ARGS_MAX_COUNT)
			return &uri_tags[URI_LONG];
	}
	return &uri_tags[URI_NEW];
}

static double ms_since(const struct timespec *t0)
{
	struct timespec t1;

	clock_gettime(CLOCK_MONOTONIC, &t1);
	return (double)(t1.tv_sec - t0->tv_sec) * 1e3 + (double)(t1.tv_nsec - t0->tv_nsec) / 1e6;
}

/* 1 when a request's *req_cls is a job rather than one of uri_seen()'s tags. */
static int is_job(const void *p)
{
	return p != NULL && ((const char *)p < uri_tags || (const char *)p >= uri_tags + URI__COUNT);
}

static void job_free(serve_job *j)
{
	if (j->resp != NULL)
		MHD_destroy_response(j->resp);
	free(j);
}

/* A connection opens or closes: the count and the reaper's list follow. */
static void on_connection(void *cls, struct MHD_Connection *c, void **socket_context,
			  enum MHD_ConnectionNotificationCode code)
{
	serve_ctx *s = cls;
	conn_slot *k = NULL;
	const union MHD_ConnectionInfo *ci = NULL;
	int over = 0;

	if (code == MHD_CONNECTION_NOTIFY_STARTED) {
		if ((k = calloc(1, sizeof(*k))) == NULL)
			return;
		ci = MHD_get_connection_info(c, MHD_CONNECTION_INFO_CONNECTION_FD);
		k->fd = ci != NULL ? ci->connect_fd : -1;
		k->in_header = 1;
		clock_gettime(CLOCK_MONOTONIC, &k->since);
		pthread_mutex_lock(&s->lock);
		/*
		 * accept_policy only reads the count: two pool threads can both
		 * let a connection in at max_conns - 1.  The one over the cap is
		 * shut down here, before it is read from: refused, not queued.
		 */
		over = s->nconns >= s->max_conns;
		if (over)
			k->in_header = 0;
		k->next = s->conns;
		if (s->conns != NULL)
			s->conns->prev = k;
		s->conns = k;
		s->nconns++;
		pthread_mutex_unlock(&s->lock);
		*socket_context = k;
		if (over && k->fd >= 0)
			shutdown(k->fd, SHUT_RDWR);
	} else if (code == MHD_CONNECTION_NOTIFY_CLOSED && (k = *socket_context) != NULL) {
		/* MHD closes the socket after this returns: the reaper never sees a stale fd */
		pthread_mutex_lock(&s->lock);
		if (k->prev != NULL)
			k->prev->next = k->next;
		else
			s->conns = k->next;
		if (k->next != NULL)
			k->next->prev = k->prev;
		s->nconns--;
		pthread_mutex_unlock(&s->lock);
		free(k);
		*socket_context = NULL;
	}
}

static conn_slot *slot_of(struct MHD_Connection *c)
{
	const union MHD_ConnectionInfo *ci = MHD_get_connection_info(c, MHD_CONNECTION_INFO_SOCKET_CONTEXT);

	return ci != NULL ? ci->socket_context : NULL;
}

/* The request header is complete: the deadline no longer applies. */
static void header_done(serve_ctx *s, struct MHD_Connection *c)
{
	conn_slot *k = slot_of(c);

	if (k == NULL)
		return;
	pthread_mutex_lock(&s->lock);
	k->in_header = 0;
	pthread_mutex_unlock(&s->lock);
}

/* A request was answered: the deadline runs again for the next one (keep-alive). */
static void on_completed(void *cls, struct MHD_Connection *c, void **req_cls,
			 enum MHD_RequestTerminationCode code)
{
	serve_ctx *s = cls;
	conn_slot *k = slot_of(c);

	(void)code;
	if (req_cls != NULL && is_job(*req_cls))
		job_free(*req_cls); /* answered, but the connection ended before its answer was queued */
	if (k == NULL)
		return;
	pthread_mutex_lock(&s->lock);
	k->in_header = 1;
	clock_gettime(CLOCK_MONOTONIC, &k->since);
	pthread_mutex_unlock(&s->lock);
}

/*
 * The reaper: twice a second, a connection that has spent more than
 * HEADER_DEADLINE_MS on one request header (one byte every few seconds,
 * each of which restarts MHD's idle timeout) is shut down; MHD then sees
 * the end of the stream and closes it.
 */
static void *reaper(void *arg)
{
	serve_ctx *s = arg;
	struct timespec nap = { 0, 500 * 1000 * 1000 };
	conn_slot *k = NULL;
	int stop = 0;

	while (!stop) {
		nanosleep(&nap, NULL);
		pthread_mutex_lock(&s->lock);
		stop = s->stop;
		for (k = s->conns; k != NULL && !stop; k = k->next)
			if (k->in_header && k->fd >= 0 && ms_since(&k->since) > HEADER_DEADLINE_MS) {
				shutdown(k->fd, SHUT_RDWR);
				k->in_header = 0; /* once */
			}
		pthread_mutex_unlock(&s->lock);
	}
	return NULL;
}

/* Beyond --max-connections a new connection is refused at once, never queued. */
static enum MHD_Result accept_policy(void *cls, const struct sockaddr *addr, socklen_t addrlen)
{
	serve_ctx *s = cls;
	long n = 0;

	(void)addr;
	(void)addrlen;
	pthread_mutex_lock(&s->lock);
	n = s->nconns;
	pthread_mutex_unlock(&s->lock);
	return n < s->max_conns ? MHD_YES : MHD_NO;
}

/* libmicrohttpd's own messages: dropped until listening (we say why we cannot), then shown. */
static void mhd_log(void *cls, const char *fmt, va_list ap)
{
	serve_ctx *s = cls;
	nx_sb b = NX_SB_INIT;
	int started = 0;

	pthread_mutex_lock(&s->lock);
	started = s->started;
	pthread_mutex_unlock(&s->lock);
	if (!started)
		return;
	nx_sb_vaddf(&b, fmt, ap);
	while (b.len > 0 && b.buf[b.len - 1] == '\n')
		b.buf[--b.len] = '\0';
	nx_cli_warn("serve: %s", b.buf);
	nx_sb_free(&b);
}

/* 1 for an IPv4 or IPv6 literal. */
static int is_ip_literal(const char *h)
{
	unsigned char a[sizeof(struct in6_addr)];

	return inet_pton(AF_INET, h, a) == 1 || inet_pton(AF_INET6, h, a) == 1;
}

/*
 * The Host check against DNS rebinding: a page on another site whose name
 * was made to resolve to 127.0.0.1 still sends its own name in Host.  The
 * host part (port dropped) must be the listen address, localhost, a name
 * given with --allow-host, or, when listening on every address, any IP
 * literal (a rebinding page cannot send one).  No Host (HTTP/1.0) passes.
 */
static int host_allowed(const serve_ctx *s, const char *host)
{
	char h[256];
	const char *end = NULL, *start = host;
	size_t n = 0, i = 0;

	if (host == NULL)
		return 1;
	if (host[0] == '[') {
		start = host + 1;
		end = strchr(start, ']');
		if (end == NULL || (end[1] != '\0' && end[1] != ':'))
			return 0;
		if (end[1] == ':' && (end[2] == '\0' || strspn(end + 2, "0123456789") != strlen(end + 2)))
			return 0;
	} else {
		end = strchr(host, ':');
		if (end != NULL && (end[1] == '\0' || strspn(end + 1, "0123456789") != strlen(end + 1)))
			return 0;
		if (end == NULL)
			end = host + strlen(host);
	}
	n = (size_t)(end - start);
	if (n == 0 || n >= sizeof(h))
		return 0;
	memcpy(h, start, n);
	h[n] = '\0';
	if (n > 1 && h[n - 1] == '.')
		h[--n] = '\0'; /* "localhost." is localhost */
	if (strcasecmp(h, "localhost") == 0)
		return 1;
	for (i = 0; i < s->nhosts; i++)
		if (strcasecmp(h, s->hosts[i]) == 0)
			return 1;
	return s->any_ip && is_ip_literal(h);
}

/* /a/REF and /api/article/REF, REF with the query of a pasted address put back */
static enum MHD_Result article_route(req *r, nx_store *st, const char *url)
{
	int page = strncmp(url, "/a/", 3) == 0;
	char *ref = serve_pasted_ref(r, url + (page ? 3 : 13));
	enum MHD_Result ret = MHD_NO;

	if (ref == NULL)
		return serve_fail(r, MHD_HTTP_INTERNAL_SERVER_ERROR, "out of memory");
	ret = page ? serve_page_article(r, st, ref) : serve_api_article(r, st, ref);
	free(ref);
	return ret;
}

/* A request that reads the index, answered on this thread with its store. */
static enum MHD_Result answer(req *r)
{
	nx_store *st = serve_thread_store(r);

	if (st == NULL)
		return serve_fail(r, MHD_HTTP_SERVICE_UNAVAILABLE, "the index cannot be opened right now");
	if (strcmp(r->url, "/") == 0)
		return serve_page_search(r, st);
	if (strcmp(r->url, "/api/search") == 0)
		return serve_api_search(r, st);
	return article_route(r, st, r->url);
}

/*
 * The workers.  An idle worker waits on its own condition, on a stack:
 * a job wakes the one idle last, so that under a light load one worker,
 * with its store's caches warm, answers request after request (woken in
 * turn, four workers each read the same lists into their own cache).
 */
struct serve_worker {
	pthread_t th;
	pthread_cond_t wake;
	serve_worker *next_idle;
	serve_ctx *s;
	int woken;
};

/* With s->qlock held: the worker idle last is woken, if any. */
static void wake_one(serve_ctx *s)
{
	serve_worker *w = s->idle;

	if (w == NULL)
		return;
	s->idle = w->next_idle;
	w->woken = 1;
	pthread_cond_signal(&w->wake);
}

/*
 * Requests that read the index wait in one queue, first come first
 * served, for --threads workers; the connection is suspended meanwhile,
 * so that libmicrohttpd's threads go on reading and answering the other
 * connections.  With the work bound to the connection's thread instead, a
 * slow search held up every connection that thread had (unevenly: MHD
 * gives a connection to whichever thread accepts it), and a request's
 * wait depended on its neighbours rather than on the requests before it.
 */
static enum MHD_Result enqueue(req *r, void **req_cls)
{
	serve_ctx *s = r->s;
	serve_job *j = calloc(1, sizeof(*j));

	if (j == NULL)
		return serve_fail(r, MHD_HTTP_SERVICE_UNAVAILABLE, "out of memory");
	pthread_mutex_lock(&s->qlock);
	if (s->qstop) {
		pthread_mutex_unlock(&s->qlock);
		free(j);
		return serve_fail(r, MHD_HTTP_SERVICE_UNAVAILABLE, "the server is stopping");
	}
	j->r = *r;
	j->r.job = j;
	*req_cls = j;
	MHD_suspend_connection(r->c);
	if (s->qtail != NULL)
		s->qtail->next = j;
	else
		s->qhead = j;
	s->qtail = j;
	wake_one(s);
	pthread_mutex_unlock(&s->qlock);
	return MHD_YES;
}

/* The answer a worker made, queued now that the connection is back (the call after the resume). */
static enum MHD_Result job_done(struct MHD_Connection *c, void **req_cls)
{
	serve_job *j = *req_cls;
	enum MHD_Result ret = MHD_NO; /* no answer could be made: MHD closes the connection */

	*req_cls = &uri_tags[URI_SEEN];
	if (j->resp != NULL)
		ret = MHD_queue_response(c, j->status, j->resp);
	job_free(j);
	return ret;
}

/* A worker: jobs in turn until the queue is stopped and empty. */
static void *worker(void *arg)
{
	serve_worker *w = arg;
	serve_ctx *s = w->s;
	serve_job *j = NULL;

	pthread_mutex_lock(&s->qlock);
	for (;;) {
		if ((j = s->qhead) != NULL) {
			if ((s->qhead = j->next) == NULL)
				s->qtail = NULL;
			pthread_mutex_unlock(&s->qlock);
			answer(&j->r);
			/* the job is MHD's again from here (job_done, or on_completed) */
			MHD_resume_connection(j->r.c);
			pthread_mutex_lock(&s->qlock);
			continue;
		}
		if (s->qstop)
			break;
		w->woken = 0;
		w->next_idle = s->idle;
		s->idle = w;
		while (!w->woken)
			pthread_cond_wait(&w->wake, &s->qlock);
	}
	pthread_mutex_unlock(&s->qlock);
	return NULL;
}

/* Start n workers: how many started. */
static long start_workers(serve_ctx *s, long n)
{
	if ((s->workers = calloc((size_t)n, sizeof(*s->workers))) == NULL)
		return 0;
	for (s->nworkers = 0; s->nworkers < n; s->nworkers++) {
		serve_worker *w = &s->workers[s->nworkers];

		w->s = s;
		if (pthread_cond_init(&w->wake, NULL) != 0)
			break;
		if (pthread_create(&w->th, NULL, worker, w) != 0) {
			pthread_cond_destroy(&w->wake);
			break;
		}
	}
	return s->nworkers;
}

/* No job taken any more; the workers answer those waiting, then end. */
static void stop_workers(serve_ctx *s)
{
	long i = 0;

	pthread_mutex_lock(&s->qlock);
	s->qstop = 1;
	while (s->idle != NULL)
		wake_one(s);
	pthread_mutex_unlock(&s->qlock);
	for (i = 0; i < s->nworkers; i++) {
		pthread_join(s->workers[i].th, NULL);
		pthread_cond_destroy(&s->workers[i].wake);
	}
	free(s->workers);
	s->workers = NULL;
	s->nworkers = 0;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *c, const char *url, const char *method,
				  const char *version, const char *upload_data, size_t *upload_data_size,
				  void **req_cls)
{
	req r;
	args_check ac = { 0, 0, 0, NULL };
	int is_api = 0;

	(void)version;
	(void)upload_data;
	if (is_job(*req_cls))
		return job_done(c, req_cls);
	memset(&r, 0, sizeof(r));
	r.s = cls;
	r.c = c;
	r.method = method;
	r.url = url;
	clock_gettime(CLOCK_MONOTONIC, &r.t0);
	is_api = strncmp(url, "/api/", 5) == 0;
	r.api = is_api;
	if (*req_cls == &uri_tags[URI_NEW] || *req_cls == &uri_tags[URI_NUL] || *req_cls == &uri_tags[URI_LONG])
		header_done(r.s, c);
	if (!host_allowed(r.s, MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_HOST)))
		return serve_fail(&r, HTTP_MISDIRECTED, "this server answers only to its own address: "
						  "start it with --allow-host NAME to serve under another name");
	if (strcmp(method, MHD_HTTP_METHOD_GET) != 0 && strcmp(method, MHD_HTTP_METHOD_HEAD) != 0)
		return serve_fail(&r, MHD_HTTP_METHOD_NOT_ALLOWED, "only GET and HEAD are served: the index is read-only");
	/*
	 * Answer on the second call, once the request is complete: a response
	 * queued on the first call makes MHD close the connection (no
	 * keep-alive).  A body sent with GET is read and dropped.  *req_cls
	 * holds what uri_seen() found in the raw request line.
	 */
	if (*req_cls != &uri_tags[URI_SEEN] && *req_cls != &uri_tags[URI_SEEN_NUL] &&
	    *req_cls != &uri_tags[URI_SEEN_LONG]) {
		*req_cls = *req_cls == &uri_tags[URI_NUL] ? &uri_tags[URI_SEEN_NUL]
			 : *req_cls == &uri_tags[URI_LONG] ? &uri_tags[URI_SEEN_LONG] : &uri_tags[URI_SEEN];
		return MHD_YES;
	}
	if (*upload_data_size > 0) {
		*upload_data_size = 0;
		return MHD_YES;
	}
	if (*req_cls == &uri_tags[URI_SEEN_NUL])
		return serve_fail(&r, MHD_HTTP_BAD_REQUEST, "the path holds a NUL byte (%00)");
	if (strlen(url) > PATH_MAX_LEN || *req_cls == &uri_tags[URI_SEEN_LONG])
		return serve_fail(&r, MHD_HTTP_URI_TOO_LONG, strlen(url) > PATH_MAX_LEN ? "the path is too long"
										 : "the request has too many arguments");
	MHD_get_connection_values_n(c, MHD_GET_ARGUMENT_KIND, check_arg, &ac);
	if (ac.status != 0)
		return serve_fail(&r, ac.status, ac.msg);
	if (strcmp(url, "/static/app.css") == 0)
		return serve_respond(&r, MHD_HTTP_OK, "text/css; charset=utf-8", (char *)nx_serve_css,
			       strlen(nx_serve_css), 1);
	if (strcmp(url, "/static/app.js") == 0)
		return serve_respond(&r, MHD_HTTP_OK, "text/javascript; charset=utf-8", (char *)nx_serve_js,
			       strlen(nx_serve_js), 1);
	if (strcmp(url, "/static/icon.svg") == 0 || strcmp(url, "/favicon.ico") == 0)
		return serve_respond(&r, MHD_HTTP_OK, "image/svg+xml", (char *)nx_serve_icon, strlen(nx_serve_icon), 1);
	if (strcmp(url, "/") != 0 && strcmp(url, "/api/search") != 0 && strncmp(url, "/a/", 3) != 0 &&
	    strncmp(url, "/api/article/", 13) != 0)
		return serve_fail(&r, MHD_HTTP_NOT_FOUND, "nothing here: try the search page at /");
	return enqueue(&r, req_cls);
}

/* --listen: HOST:PORT, [V6]:PORT, PORT or HOST; 127.0.0.1:8080 by default. */
static int parse_listen(const char *spec, struct sockaddr_storage *ss, socklen_t *sslen, char *why, size_t whylen)
{
	struct addrinfo hints, *ai = NULL;
	char host[256], port[24];
	const char *colon = strrchr(spec, ':'), *h = spec;
	size_t hlen = 0;
	long pn = 0;
	int rc = 0;

	snprintf(port, sizeof(port), "8080");
	if (spec[0] == '[') {
		const char *close = strchr(spec, ']');

		if (close == NULL || (close[1] != '\0' && close[1] != ':')) {
			snprintf(why, whylen, "'%s' is not HOST:PORT", spec);
			return -1;
		}
		h = spec + 1;
		hlen = (size_t)(close - h);
		colon = close[1] == ':' ? close + 1 : NULL;
	} else if (colon != NULL && strchr(spec, ':') != colon) {
		snprintf(why, whylen, "write an IPv6 address in brackets: [%s]:8080", spec);
		return -1;
	} else if (colon == NULL && spec[0] != '\0' && strspn(spec, "0123456789") == strlen(spec)) {
		/* just a port */
		h = "127.0.0.1";
		hlen = strlen(h);
		colon = spec - 1;
	} else {
		hlen = colon != NULL ? (size_t)(colon - spec) : strlen(spec);
	}
	if (colon != NULL) {
		if ((pn = nx_cli_number(colon + 1, 65535)) < 0) {
			snprintf(why, whylen, "'%s' is not a port number", colon + 1);
			return -1;
		}
		snprintf(port, sizeof(port), "%ld", pn);
	}
	if (hlen == 0 || hlen >= sizeof(host)) {
		snprintf(why, whylen, "'%s' names no host: write 127.0.0.1:8080, 0.0.0.0:8080 or [::1]:8080", spec);
		return -1;
	}
	memcpy(host, h, hlen);
	host[hlen] = '\0';
	memset(&hints, 0, sizeof(hints));
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_NUMERICSERV;
	if ((rc = getaddrinfo(host, port, &hints, &ai)) != 0 || ai == NULL) {
		snprintf(why, whylen, "cannot resolve '%s': %s", host, gai_strerror(rc));
		return -1;
	}
	memcpy(ss, ai->ai_addr, ai->ai_addrlen);
	*sslen = ai->ai_addrlen;
	freeaddrinfo(ai);
	return 0;
}

static int is_loopback(const struct sockaddr_storage *ss)
{
	if (ss->ss_family == AF_INET)
		return (ntohl(((const struct sockaddr_in *)ss)->sin_addr.s_addr) >> 24) == 127;
	if (ss->ss_family == AF_INET6)
		return IN6_IS_ADDR_LOOPBACK(&((const struct sockaddr_in6 *)ss)->sin6_addr);
	return 0;
}

/* Listening on every address (0.0.0.0 or ::). */
static int is_any(const struct sockaddr_storage *ss)
{
	if (ss->ss_family == AF_INET)
		return ((const struct sockaddr_in *)ss)->sin_addr.s_addr == htonl(INADDR_ANY);
	if (ss->ss_family == AF_INET6)
		return IN6_IS_ADDR_UNSPECIFIED(&((const struct sockaddr_in6 *)ss)->sin6_addr);
	return 0;
}

enum { OPT_LISTEN = 256, OPT_THREADS, OPT_MAX_CONN, OPT_LOG, OPT_ALLOW_HOST };

/*
 * Workers by default: two for each CPU this process may run on (2 to
 * 64).  With as many as CPUs, a writer beside the server takes more of
 * them; with many more, searches share the CPUs and each takes longer
 * (scripts/bench-serve --mix at 1M on 2 CPUs under a writer, p95 at 32
 * clients: 2 workers 412-420 ms, 4 314-364 ms, 8 379 ms).
 */
static long default_workers(void)
{
	long n = sysconf(_SC_NPROCESSORS_ONLN);
#if defined(__linux__) && defined(CPU_COUNT)
	cpu_set_t set;

	if (sched_getaffinity(0, sizeof(set), &set) == 0)
		n = CPU_COUNT(&set);
#endif
	return n < 1 ? 2 : n > 32 ? 64 : 2 * n;
}

/* serve's options into s, *listen, *threads, *max_conn; 0, or an exit code (usage). */
static int serve_options(serve_ctx *s, int argc, char **argv, const char **listen, long *threads, long *max_conn)
{
	static const struct option longopts[] = {
		{ "listen", required_argument, NULL, OPT_LISTEN },
		{ "threads", required_argument, NULL, OPT_THREADS },
		{ "max-connections", required_argument, NULL, OPT_MAX_CONN },
		{ "log", no_argument, NULL, OPT_LOG },
		{ "allow-host", required_argument, NULL, OPT_ALLOW_HOST },
		{ NULL, 0, NULL, 0 }
	};
	int c = 0;

	optind = 1;
	opterr = 0; /* nx_cli_bad_option() words the message */
	while ((c = getopt_long(argc, argv, ":", longopts, NULL)) != -1) {
		switch (c) {
		case OPT_LISTEN: *listen = optarg; break;
		case OPT_THREADS:
			if ((*threads = nx_cli_number(optarg, 64)) < 1)
				return nx_cli_usage("serve", "--threads takes a number from 1 to 64, not '%s'", optarg);
			break;
		case OPT_MAX_CONN:
			if ((*max_conn = nx_cli_number(optarg, 4096)) < 1)
				return nx_cli_usage("serve", "--max-connections takes a number from 1 to 4096, not '%s'",
						    optarg);
			break;
		case OPT_LOG: s->log = 1; break;
		case OPT_ALLOW_HOST:
			if (s->nhosts >= MAX_ALLOW_HOSTS)
				return nx_cli_usage("serve", "--allow-host can be given %d times at most", MAX_ALLOW_HOSTS);
			if (optarg[0] == '\0' || strlen(optarg) > 253 || strpbrk(optarg, ":/[] \t") != NULL)
				return nx_cli_usage("serve", "--allow-host takes a host name without port, not '%s'",
						    optarg);
			s->hosts[s->nhosts++] = optarg;
			break;
		default: return nx_cli_bad_option("serve", c, argv);
		}
	}
	if (optind != argc)
		return nx_cli_usage("serve", "unexpected argument '%s'", argv[optind]);
	return 0;
}

/*
 * Start libmicrohttpd on ss with max_conn connections; NULL when it cannot
 * listen.  Its threads read requests and write answers (the index is read
 * by the workers): two, so that one busy writing a long answer leaves
 * the other free, capped so that each has connections to serve.
 */
static struct MHD_Daemon *start_daemon(serve_ctx *s, const struct sockaddr_storage *ss, long max_conn)
{
	struct MHD_OptionItem pool[2] = { { MHD_OPTION_END, 0, NULL }, { MHD_OPTION_END, 0, NULL } };
	unsigned flags = MHD_USE_ERROR_LOG | MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_AUTO | MHD_ALLOW_SUSPEND_RESUME;
	long threads = 2;
	/* one address holds a quarter of the connections at most (2 to 64) */
	long per_ip = max_conn / 4 < 2 ? 2 : max_conn / 4 > 64 ? 64 : max_conn / 4;

	if (per_ip > max_conn)
		per_ip = max_conn;
	/*
	 * MHD shares the connection limit out between the pool's threads; a
	 * thread left with none never wakes up to stop (libmicrohttpd 0.9.75).
	 */
	if (threads > max_conn)
		threads = max_conn;
	/* one thread: no pool at all (a pool of 0 makes MHD print a warning) */
	if (threads > 1)
		pool[0] = (struct MHD_OptionItem){ MHD_OPTION_THREAD_POOL_SIZE, (intptr_t)threads, NULL };
	if (ss->ss_family == AF_INET6)
		flags |= MHD_USE_IPv6;
	/*
	 * accept_policy refuses connections beyond max_conn; MHD's own limit
	 * is above it, since at its limit MHD stops accepting and new
	 * clients wait in the listen queue instead of being refused.
	 */
	return MHD_start_daemon(flags, 0, accept_policy, s, on_request, s,
				MHD_OPTION_SOCK_ADDR, (const struct sockaddr *)ss,
				MHD_OPTION_CONNECTION_LIMIT, (unsigned int)(max_conn + max_conn / 2 + threads),
				MHD_OPTION_PER_IP_CONNECTION_LIMIT, (unsigned int)per_ip,
				MHD_OPTION_CONNECTION_TIMEOUT, (unsigned int)30,
				MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)POOL_BYTES,
				MHD_OPTION_NOTIFY_CONNECTION, on_connection, s,
				MHD_OPTION_NOTIFY_COMPLETED, on_completed, s,
				MHD_OPTION_URI_LOG_CALLBACK, uri_seen, s,
				MHD_OPTION_EXTERNAL_LOGGER, mhd_log, s,
				MHD_OPTION_ARRAY, pool, MHD_OPTION_END);
}

int cmd_serve(nx_cli *cli, int argc, char **argv)
{
	serve_ctx s;
	struct sockaddr_storage ss;
	socklen_t sslen = 0;
	struct MHD_Daemon *d = NULL;
	const union MHD_DaemonInfo *info = NULL;
	struct sigaction ign;
	sigset_t set, old;
	const char *listen = "127.0.0.1:8080";
	char why[300], host[NI_MAXHOST];
	long threads = default_workers(), max_conn = 64;
	int sig = 0, have_key = 0, have_lock = 0, have_reaper = 0, rc = NX_EXIT_OK;

	memset(&s, 0, sizeof(s));
	if ((rc = serve_options(&s, argc, argv, &listen, &threads, &max_conn)) != 0)
		return rc;
	if (parse_listen(listen, &ss, &sslen, why, sizeof(why)) < 0)
		return nx_cli_usage("serve", "--listen: %s", why);
	s.db_path = cli->db_path;
	/* the Host check: the listen address itself, and any IP when listening on all */
	if (getnameinfo((struct sockaddr *)&ss, sslen, host, sizeof(host), NULL, 0, NI_NUMERICHOST) != 0)
		snprintf(host, sizeof(host), "?");
	s.hosts[s.nhosts++] = host;
	s.any_ip = is_any(&ss);
	s.max_conns = max_conn;
	if (pthread_mutex_init(&s.lock, NULL) != 0) {
		nx_cli_warn("serve: cannot create a mutex");
		return NX_EXIT_INDEX;
	}
	if (pthread_mutex_init(&s.qlock, NULL) != 0) {
		nx_cli_warn("serve: cannot create a mutex");
		pthread_mutex_destroy(&s.lock);
		return NX_EXIT_INDEX;
	}
	have_lock = 1;
	if (pthread_key_create(&s.store_key, close_store) != 0) {
		nx_cli_warn("serve: cannot create thread storage");
		rc = NX_EXIT_INDEX;
		goto done;
	}
	have_key = 1;
	/* the signals that stop us are taken by sigwait below, never by a worker */
	memset(&ign, 0, sizeof(ign));
	ign.sa_handler = SIG_IGN;
	sigaction(SIGPIPE, &ign, NULL);
	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGHUP);
	pthread_sigmask(SIG_BLOCK, &set, &old);
	if (start_workers(&s, threads) < threads) {
		nx_cli_warn("serve: cannot start %ld threads", threads);
		rc = NX_EXIT_INDEX;
		goto done;
	}
	d = start_daemon(&s, &ss, max_conn);
	if (d == NULL) {
		nx_cli_warn("serve: cannot listen on %s (in use, or not an address of this machine)", listen);
		rc = NX_EXIT_USAGE;
		goto done;
	}
	pthread_mutex_lock(&s.lock);
	s.started = 1;
	pthread_mutex_unlock(&s.lock);
	if (pthread_create(&s.reaper, NULL, reaper, &s) != 0) {
		nx_cli_warn("serve: cannot start a thread");
		rc = NX_EXIT_INDEX;
		goto done;
	}
	have_reaper = 1;
	info = MHD_get_daemon_info(d, MHD_DAEMON_INFO_BIND_PORT);
	if (!is_loopback(&ss))
		nx_cli_warn("serve: listening on %s: anyone who can reach this machine can read the index", host);
	printf("newsidx: serving %s on http://%s%s%s:%u/ (read-only; Ctrl-C stops)\n", cli->db_path,
	       ss.ss_family == AF_INET6 ? "[" : "", host, ss.ss_family == AF_INET6 ? "]" : "",
	       info != NULL ? (unsigned)info->port : 0u);
	fflush(stdout);
	while (sigwait(&set, &sig) != 0)
		;
	fprintf(stderr, "newsidx: serve: stopping (%s)\n", sig == SIGINT ? "interrupt" : sig == SIGTERM ? "terminate" : "hangup");
done:
	/* every suspended connection resumed before MHD stops (it insists) */
	if (have_lock)
		stop_workers(&s);
	if (d != NULL)
		MHD_stop_daemon(d);
	if (have_reaper) {
		pthread_mutex_lock(&s.lock);
		s.stop = 1;
		pthread_mutex_unlock(&s.lock);
		pthread_join(s.reaper, NULL);
	}
	if (have_key) {
		pthread_sigmask(SIG_SETMASK, &old, NULL);
		pthread_key_delete(s.store_key);
	}
	if (have_lock) {
		pthread_mutex_destroy(&s.qlock);
		pthread_mutex_destroy(&s.lock);
	}
	return rc;
}

/*
 * serve_private.h - what the server's connection handling (serve.c) and
 * its routes (routes.c) share: limits, the server's state, one request,
 * and the answers.
 */
#ifndef NX_SERVE_PRIVATE_H
#define NX_SERVE_PRIVATE_H

#include <pthread.h>
#include <stdatomic.h>
#include <time.h>

#include <microhttpd.h>

#include "cli.h"
#include "strbuf.h"

#define ARG_MAX_LEN 2048   /* one argument (the query above all) */
#define ARGS_MAX_LEN 8192  /* all arguments together */
#define ARGS_MAX_COUNT 64  /* arguments (the API takes about 15) */
#define PATH_MAX_LEN 4096  /* the decoded path */
#define API_LIMIT_MAX 100  /* hits per /api/search call */
#define OFFSET_MAX 100000  /* deepest page */
#define HEADER_DEADLINE_MS 10000 /* from connection (or last answer) to a whole request header */
#define MAX_ALLOW_HOSTS 32
#define POOL_BYTES (256 * 1024) /* per connection: holds 8 KB of arguments parsed */
#define HTTP_MISDIRECTED 421

#define CSP "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; " \
	    "form-action 'self'; base-uri 'none'; frame-ancestors 'none'"

/* One open connection, for the header deadline and the connection count. */
typedef struct conn_slot {
	struct conn_slot *next, *prev;
	int fd;
	int in_header;          /* waiting for a (next) request header */
	struct timespec since;  /* connection start, or the end of the last answer */
} conn_slot;

/*
 * A request that reads the index, waiting in the queue or being answered
 * by a worker while its connection is suspended (serve.c).
 */
typedef struct serve_job serve_job;
typedef struct serve_worker serve_worker;

typedef struct serve_ctx {
	const char *db_path;
	pthread_key_t store_key; /* this thread's nx_store */
	int log;                 /* one line per request on stderr */
	int started;             /* MHD's own messages are shown only once listening */
	/* Host check (DNS rebinding): the names a request may give in Host */
	const char *hosts[MAX_ALLOW_HOSTS + 2];
	size_t nhosts;
	int any_ip;              /* listening on 0.0.0.0 or ::: any IP literal names us */
	/* open connections: counted, and their headers timed by the reaper */
	pthread_mutex_t lock;
	conn_slot *conns;
	long nconns, max_conns;
	atomic_int searches;     /* searches being answered (search_begin) */
	int stop;
	pthread_t reaper;
	/* the requests that read the index: one queue, first come first served */
	pthread_mutex_t qlock;
	serve_job *qhead, *qtail;
	int qstop;               /* no job taken any more: answered at once (503) */
	serve_worker *workers;   /* nworkers of them */
	long nworkers;
	serve_worker *idle;      /* the idle ones, the one idle last first */
} serve_ctx;

/* One request being answered. */
typedef struct req {
	serve_ctx *s;
	struct MHD_Connection *c;
	const char *method;
	const char *url;
	int api; /* errors as JSON */
	struct timespec t0;
	serve_job *job; /* answered by a worker: the answer goes to the job */
} req;

/* This thread's read-only store (opened at its first request), or NULL after an error answer. */
nx_store *serve_thread_store(req *r);

/*
 * Answer r: body is malloc'd and handed over, or static when is_static;
 * the _buf and _json forms take theirs too.  Every answer carries the
 * security headers.
 */
enum MHD_Result serve_respond(req *r, unsigned status, const char *ctype, char *body, size_t len,
			      int is_static);
enum MHD_Result serve_respond_buf(req *r, unsigned status, const char *ctype, nx_sb *b);
enum MHD_Result serve_respond_json(req *r, unsigned status, json_t *v, int pretty);

/* An error answer: JSON {"error","status"} on the API, a page elsewhere. */
enum MHD_Result serve_fail(req *r, unsigned status, const char *msg);

/* The routes (routes.c). */
enum MHD_Result serve_api_search(req *r, nx_store *st);
enum MHD_Result serve_page_search(req *r, nx_store *st);
enum MHD_Result serve_api_article(req *r, nx_store *st, const char *ref);
enum MHD_Result serve_page_article(req *r, nx_store *st, const char *ref);

/* 1 when ref can name an article (an id, an id prefix or a URL). */
int serve_valid_ref(const char *ref);

/*
 * The article reference of path ref with the request's query put back
 * when ref is a web address: "/a/https://x.org/story?id=7" reaches us as
 * ref "https://x.org/story" and the argument id=7 (the article page's own
 * rev, from and to are left out).  Malloc'd, NULL on out of memory.
 */
char *serve_pasted_ref(req *r, const char *ref);

#endif

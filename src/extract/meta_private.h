/*
 * meta_private.h - what src/extract/meta.c collects from a page (page_meta)
 * and the pieces it shares with src/extract/dates.c, which finds the
 * publication and update times from it.  Internal.
 */
#ifndef NX_META_PRIVATE_H
#define NX_META_PRIVATE_H

#include <jansson.h>

#include "extract/extract_private.h"

#define MAX_METAS 512
#define MAX_DATELINES 48
#define MAX_LD_DEPTH 12
#define MAX_TIMES 64
#define MAX_STORY_H1 4
/* the URL's day replaces a time one day later only before this local hour,
   one day earlier only from this hour on (what a time zone can shift) */
#define URL_EARLIER_MAX 10
#define URL_LATER_MIN 14

typedef struct meta_kv {
	char key[64];      /* lower case name / property / itemprop / http-equiv */
	const char *value; /* borrowed from the tree */
	unsigned char microdata; /* from <meta itemprop>: may belong to a nested item */
} meta_kv;

typedef struct page_meta {
	meta_kv kv[MAX_METAS];
	size_t nkv;
	xmlNode *root;
	htmlDocPtr doc;
	const char *html_lang;
	const char *canonical;
	xmlNode *title_el;
	xmlNode *h1;            /* first <h1> */
	size_t nh1;
	xmlNode *story_h1[MAX_STORY_H1]; /* <h1>s that are not the site's masthead */
	size_t nstory_h1;
	xmlNode *h2;            /* first <h2> outside side blocks */
	xmlNode *headline_el;   /* first element with a "headline" class */
	xmlNode *ip_published;  /* itemprop=datePublished (not <meta>) */
	xmlNode *ip_modified;
	xmlNode *ip_headline;
	xmlNode *ip_author;
	xmlNode *time_pub;      /* <time> that says it is the publication */
	xmlNode *time_first;    /* first <time datetime> outside side blocks */
	const char *times[MAX_TIMES]; /* every <time datetime> value */
	size_t ntimes;
	xmlNode *datelines[MAX_DATELINES]; /* small elements with a date-ish class */
	size_t ndatelines;
	xmlNode *bylines[8];
	size_t nbylines;
	json_t *ld_article;     /* best article object (borrowed from ld_roots) */
	int ld_rank;
	json_t *ld_roots[16];
	size_t nld;
	json_t *ld_org;         /* an Organization/WebSite with a name */
} page_meta;

/* The value of meta tag key (lower case name, property, itemprop or
   http-equiv; "dc:title" is stored as "dc.title"), NULL when absent. */
const char *nx_html__get_kv(const page_meta *m, const char *key);

/* 1 when the class or id value v has a "sidebar" token. */
int nx_html__sidebar_attr(const char *v);

/* 1 when the class or id value v names comments or related stories. */
int nx_html__side_attr(const char *v);

/*
 * 1 when n sits in a part of the page that is not the story: <nav>,
 * comments, related stories, or an <aside>, <footer> or sidebar outside
 * any <article> or <main>.
 */
int nx_html__in_side_block(const xmlNode *n);

/* 1 when n's class or id says it holds a date (*strong: says it is the
   publication date: "publish", "posted", "dateline" ...). */
int nx_html__has_date_class(const xmlNode *n, int *strong);

/*
 * Set a->published and a->updated (when not set yet) from the collected
 * metadata: JSON-LD, meta tags, microdata, <time>, the visible dateline,
 * the address, hidden keys; each checked for plausibility.  Returns NX_OK.
 */
int nx_html__dates(nx_article *a, page_meta *m, const char *page_url);

/* The visible text of n, cleaned (malloc'd; NULL when out of memory). */
char *nx_html__node_text(const xmlNode *n);

/* 1 when u is an absolute http(s) address. */
int nx_html__absolute_url(const char *u);

/* 1 when absolute address u is a site's front page: no path, no query. */
int nx_html__front_page_url(const char *u);

/* 1 when heading h is only a link to the site's front page: the site's
   name as a masthead (<h1><a href="/">Site</a></h1>), not the story's
   headline (title.c). */
int nx_html__masthead_heading(xmlNode *h);

/*
 * Set a->title (when not set yet) from the collected metadata, the story's
 * <h1> or the <title>, without the site's name (title.c).  Returns NX_OK
 * or NX_ENOMEM.
 */
int nx_html__title(nx_article *a, page_meta *m);

/*
 * The length of the name at the start of byline s[0..n) (byline.c): a
 * glued dateline, a news agency after the name and a job title beside it
 * dropped; 0 when the byline is only a job title ("Political
 * Correspondent").
 */
size_t nx_html__byline_name(const char *s, size_t n);

#endif

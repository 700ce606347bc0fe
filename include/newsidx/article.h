/*
 * newsidx/article.h - the normalized article every input format produces.
 *
 * An nx_article is a plain record: parsers fill it, the store saves it, the
 * CLI prints it.  Every string it points to is owned by the article, is
 * valid UTF-8 with no control characters, and is freed by nx_article_free().
 * Fields that the source did not give are NULL (strings) or have set == 0
 * (times).  Fill string fields through the setters below so that cleaning
 * (white space folding, UTF-8 repair) happens in one place.  The arrays
 * paras and authors grow only through nx_article_add_para() and
 * nx_article_add_author(), which size them by doubling: a caller may
 * shorten them (free the last string, lower the count) but never put an
 * array of its own in their place.
 *
 *	nx_article *a = nx_article_new();
 *	nx_article_set(&a->title, "  Lavrov:\tUS  Gave ... ", -1);
 *	nx_article_add_para(a, text, len);
 *	...
 *	nx_article_free(a);
 */
#ifndef NEWSIDX_ARTICLE_H
#define NEWSIDX_ARTICLE_H

#include <stddef.h>
#include <stdint.h>

#include "newsidx/date.h"
#include "newsidx/error.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct nx_photo {
	char *agency;       /* "Reuters", "Getty Images", ... in its usual spelling */
	char *photographer; /* "Evelyn Hockstein" */
	char *caption;
	char *url;          /* image address, where the source gave one */
} nx_photo;

/* Where an article came from: enough for `show` to cite it. */
typedef struct nx_origin {
	char *path;      /* file as given to `add` (absolute when known) */
	int64_t offset;  /* byte offset inside the (decompressed) file, or -1 */
	char *record_id; /* WARC-Record-ID, feed guid, ...; may be NULL */
	const char *format; /* static name: "text", "html", "rss", ... */
	const char *raw; /* the original document bytes, borrowed: valid only */
	size_t rawlen;   /* during the ingest callback; may be NULL */
	char *url;       /* the URL as the source gave it, when ingest dropped its
			    tracking parameters or fragment from the article's
			    url; else NULL.  Stored (table origin_url) and shown
			    as origin.url by show --json. */
} nx_origin;

typedef struct nx_article {
	char *id;       /* public id (16 hex digits), set by nx_article_identify */
	char *url;      /* canonical URL */
	char *source;   /* outlet: "Sputnik", "The Guardian" */
	char *title;
	char *section;
	char *lang;     /* BCP 47 primary tag, lower case: "en", "de" */
	char **authors;
	size_t nauthors;
	nx_time published;
	nx_time updated;
	nx_time captured; /* when the copy we index was fetched or ingested */
	char **paras;   /* body paragraphs, each cleaned, none empty */
	size_t nparas;
	nx_photo *photos;
	size_t nphotos;
	nx_origin origin;
	size_t authors_dropped; /* authors past NX_ARTICLE_MAX_AUTHORS, not kept */
} nx_article;

/*
 * At most this many authors are kept per article (more is a hostile or
 * broken input: the rest are counted in authors_dropped), and at most
 * NX_ARTICLE_MAX_PHOTOS photos are stored (ingest drops the rest).
 */
#define NX_ARTICLE_MAX_AUTHORS 100
#define NX_ARTICLE_MAX_PHOTOS 200

/* Allocate an empty article; NULL on out of memory. */
nx_article *nx_article_new(void);

/* Free an article and everything it owns; NULL is fine. */
void nx_article_free(nx_article *a);

/*
 * Move everything a holds into a new article and leave a empty, so that a
 * callback can keep an article it was only lent (nx_article_cb).  The
 * borrowed origin.raw is not carried over.  NULL on out of memory (a is
 * then untouched).
 */
nx_article *nx_article_move(nx_article *a);

/*
 * Replace *field with a cleaned copy of s[0..len) (len < 0: NUL-terminated).
 * Cleaning: invalid UTF-8 becomes U+FFFD, control characters and runs of
 * white space (including NBSP) become one space, ends are trimmed.  An
 * empty result stores NULL.  Returns NX_OK or NX_ENOMEM.
 */
int nx_article_set(char **field, const char *s, long len);

/* Append a cleaned paragraph (skipped when empty after cleaning). */
int nx_article_add_para(nx_article *a, const char *s, long len);

/* Append a cleaned author (skipped when empty or already present). */
int nx_article_add_author(nx_article *a, const char *s, long len);

/*
 * Append an empty photo and return it (owned by a; the pointer is valid
 * until the next nx_article_add_photo), or NULL on out of memory.
 */
nx_photo *nx_article_add_photo(nx_article *a);

/* Remove paragraph i (shifting the rest). */
void nx_article_remove_para(nx_article *a, size_t i);

/* The body as one malloc'd string, paragraphs separated by "\n\n". */
char *nx_article_body(const nx_article *a);

/* The captions (one per line) and the credits ("photographer agency" per
 * line) as malloc'd strings; "" when there are none. */
char *nx_article_captions(const nx_article *a);
char *nx_article_credits(const nx_article *a);

/*
 * Compute a->id from the article's identity: the canonical URL when known,
 * else outlet + title + published time, else (no time either) outlet +
 * title + the SHA-256 of the body.  Returns NX_OK, NX_ENOMEM, or
 * NX_EFORMAT when the article has neither URL nor title.
 */
int nx_article_identify(nx_article *a, nx_error *err);

/*
 * Internal (the store): when a's id includes its body (no URL, no time),
 * the id such an article had before it did, into out; returns 1, else 0.
 * Likewise when ingest dropped tracking parameters from a's URL
 * (origin.url set): the id of the URL as given, which indexes made
 * before ingest dropped them store it under.  An index made then finds the article under its
 * old id.
 */
int nx_article__legacy_id(const nx_article *a, char out[17]);

/*
 * Hash of the normalized content (everything users see except the id and
 * origin), 64 hex digits, into out[65].  Two copies of the same version of
 * an article hash the same, whichever file they came from.
 */
int nx_article_hash(char out[65], const nx_article *a);

/*
 * Serialize as one JSON object with the keys id, url, source, title,
 * authors, section, lang, published, published_local, updated,
 * updated_local, body, photos [{agency, photographer, caption}] (absent
 * values are null).  flags: NX_JSON_PRETTY for indented output.
 * Returns a malloc'd string or NULL on out of memory.
 */
#define NX_JSON_PRETTY 1u
#define NX_JSON_ORIGIN 2u /* also an "origin" object: file, offset, record, format */
char *nx_article_to_json(const nx_article *a, unsigned flags);

/* Rebuild an article from nx_article_to_json() output (for revisions). */
int nx_article_from_json(nx_article **out, const char *json, size_t len, nx_error *err);

#ifdef __cplusplus
}
#endif
#endif

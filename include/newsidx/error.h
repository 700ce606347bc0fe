/*
 * newsidx/error.h - status codes and the caller-owned error record.
 *
 * Every fallible library function returns an int: NX_OK (0) on success or
 * one of the negative NX_E* codes below, and fills the caller's nx_error
 * with a one-line message a user can act on.  The library never prints.
 *
 *	nx_error err = NX_ERROR_INIT;
 *	if (nx_store_open(&st, path, NX_STORE_WRITE, &err) < 0)
 *		fprintf(stderr, "newsidx: %s\n", err.msg);
 */
#ifndef NEWSIDX_ERROR_H
#define NEWSIDX_ERROR_H

#ifdef __cplusplus
extern "C" {
#endif

enum {
	NX_OK = 0,
	NX_ENOMEM = -1,    /* out of memory */
	NX_EIO = -2,       /* a file could not be read or written */
	NX_EFORMAT = -3,   /* input is not in a format we understand, or broken */
	NX_EDB = -4,       /* the index could not be opened, read or written */
	NX_ENOTFOUND = -5, /* no such article */
	NX_EINVAL = -6,    /* bad argument from the caller */
	NX_ELOCKED = -7,   /* another writer holds the index */
	NX_ETOOBIG = -8,   /* input exceeds a safety limit */
	NX_EAMBIGUOUS = -9, /* an id prefix names more than one article */
	NX_ELIMIT = -10,    /* a search needs more time or work than its budget */
	NX_EQUERY = -11     /* a query operator's value is malformed or out of range */
};

#define NX_ERROR_MSG_MAX 512

typedef struct nx_error {
	int code;                   /* last NX_E* code, 0 when clear */
	char msg[NX_ERROR_MSG_MAX]; /* lower-case message, no full stop */
} nx_error;

#define NX_ERROR_INIT { 0, { 0 } }

/*
 * Record an error and return its code, so callers can write
 * `return nx_error_set(err, NX_EIO, "cannot read '%s'", path);`.
 * err may be NULL, in which case only the code is returned.
 */
int nx_error_set(nx_error *err, int code, const char *fmt, ...)
#if defined(__GNUC__)
	__attribute__((format(printf, 3, 4)))
#endif
	;

/* Prefix the current message with "PREFIX: " (for adding a file name). */
void nx_error_prefix(nx_error *err, const char *fmt, ...)
#if defined(__GNUC__)
	__attribute__((format(printf, 2, 3)))
#endif
	;

/* Forget any recorded error. */
void nx_error_clear(nx_error *err);

/* A short constant name for a code ("out of memory", "index error", ...). */
const char *nx_strerror(int code);

#ifdef __cplusplus
}
#endif
#endif

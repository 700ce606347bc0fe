/*
 * strbuf.h - the growable string of the CLI and the server, and the one
 * place that makes text safe to print.
 *
 * The library keeps its own buffer private; the command-line program is a
 * client of include/newsidx/ only, so it has this small one of its own.
 *
 * Invariants: b->buf is never NULL and is always NUL-terminated; b->len
 * counts the bytes before the NUL.  Start with NX_SB_INIT.  Appends fail
 * stickily: after an allocation failure every later append is a no-op and
 * nx_sb_ok() returns 0, so a chain of appends needs one check at the end.
 * nx_sb_detach() is the only way to take ownership of the memory.
 */
#ifndef NX_CLI_STRBUF_H
#define NX_CLI_STRBUF_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

typedef struct nx_sb {
	char *buf;
	size_t len;
	size_t alloc; /* 0 while buf points at the shared empty string */
	int failed;   /* sticky allocation failure */
} nx_sb;

extern char nx_sb__empty[1];
#define NX_SB_INIT { nx_sb__empty, 0, 0, 0 }

/* Life cycle */
void nx_sb_free(nx_sb *b);     /* back to NX_SB_INIT */
char *nx_sb_detach(nx_sb *b);  /* malloc'd string (NULL only after a failure), b reset */
void nx_sb_reset(nx_sb *b);    /* len = 0, keeps memory */
static inline int nx_sb_ok(const nx_sb *b) { return !b->failed; }

/* Adding data */
void nx_sb_add(nx_sb *b, const void *data, size_t len);
void nx_sb_adds(nx_sb *b, const char *s);
void nx_sb_addch(nx_sb *b, int c);
void nx_sb_addf(nx_sb *b, const char *fmt, ...)
#if defined(__GNUC__)
	__attribute__((format(printf, 2, 3)))
#endif
	;
void nx_sb_vaddf(nx_sb *b, const char *fmt, va_list ap);

/*
 * Decode one UTF-8 sequence at s[0..len) (len > 0).  Returns the bytes
 * consumed (>= 1) and stores the code point, or 0xFFFD for an invalid,
 * overlong, surrogate or truncated sequence (consuming one byte).
 */
size_t nx_sb_utf8_decode(const char *s, size_t len, uint32_t *cp);

/* Append code point cp as UTF-8. */
void nx_sb_utf8_put(nx_sb *b, uint32_t cp);

/* 1 when s[0..len) is valid UTF-8 with no NUL byte. */
int nx_sb_utf8_valid(const char *s, size_t len);

/*
 * Text that reaches a terminal.  Every field the program prints that comes
 * from an article, a file name or a user goes through nx_sb_add_safe():
 * C0 and C1 control characters (ESC, BEL, CR, ...), DEL, the bidirectional
 * overrides and isolates (U+202A-U+202E, U+2066-U+2069) and the line and
 * paragraph separators become '?', and bytes that are not UTF-8 become
 * U+FFFD, so a title cannot move the cursor, set the window title or
 * reorder what follows it.  With NX_SAFE_LINES, newline and tab are kept
 * (article bodies); without it they become '?' too (one-line fields).
 */
#define NX_SAFE_LINES 1u
void nx_sb_add_safe(nx_sb *b, const char *s, size_t len, unsigned flags);

/* 1 when nx_sb_add_safe() would change code point cp. */
int nx_sb_unsafe_cp(uint32_t cp, unsigned flags);

/*
 * Write s (may be NULL: nothing) to f through nx_sb_add_safe().  Falls
 * back to '?' per byte when memory runs out, never the raw bytes.
 */
void nx_safe_fputs(FILE *f, const char *s, unsigned flags);

/* The same for s[0..len), which need not be NUL-terminated. */
void nx_safe_fwrite(FILE *f, const char *s, size_t len, unsigned flags);

#endif

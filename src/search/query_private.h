/*
 * query_private.h - what the query compiler's lexer (query_lex.c) hands
 * its parser (query.c): the tokens of the user's text (internal).
 */
#ifndef NX_QUERY_PRIVATE_H
#define NX_QUERY_PRIVATE_H

#include <stddef.h>

#include "newsidx/filter.h"
#include "util/buf.h"

/* Longest query accepted, in bytes. */
#define QUERY_MAX_BYTES (64 * 1024)

/*
 * Deepest parenthesis nesting honoured.  FTS5's parser has a fixed stack
 * (100 entries in 3.40) and fails with "parser stack overflow" beyond it;
 * one user level can cost several entries ("x" AND ("y" OR (...).  The
 * costliest shapes in tests/unit/test_query.c overflow from 16 levels, so
 * 8 leaves room.
 */
#define QUERY_MAX_DEPTH 8

enum tok_type { TOK_WORD, TOK_PHRASE, TOK_OPEN, TOK_CLOSE };
enum tok_kw { KW_NONE, KW_OR, KW_AND, KW_NOT };

struct tok {
	int type;      /* TOK_* */
	int neg;       /* written with a leading '-' */
	int col;       /* index into column_names[], or -1 */
	int prefix;    /* followed by '*' */
	int kw;        /* KW_* when a bare upper-case keyword */
	size_t off;    /* text of a word or phrase in lexer.text */
	size_t len;
};

struct lexer {
	struct tok *toks;
	size_t ntoks;
	size_t alloc;
	nx_buf text; /* the words and phrases, back to back */
	int oom;
	nx_filter *filter; /* metadata operators land here */
	char bad[320];     /* the first operator whose value is malformed, "" when none */
};

/* Cut text into tokens, and the metadata operators into lx->filter (query_lex.c). */
void nx_query__lex(struct lexer *lx, const char *text);
/* ASCII letter or digit, or any byte of a multi-byte UTF-8 character. */
int nx_query__is_alnum_byte(unsigned char c);
/* s[0..len) holds a letter or digit. */
int nx_query__has_alnum(const char *s, size_t len);
char nx_query__ascii_lower(char c);

#endif

/*
 * tokenizer.h - the "nx" FTS5 tokenizer: Unicode words (FTS5's unicode61
 * with diacritics removed; words of ASCII letters and digits split and
 * folded by the tokenizer itself, alike), each stemmed with Snowball in
 * its article's language, and character bigrams for scripts written
 * without spaces (Chinese, Japanese, Korean, Thai).
 *
 * SQLite 3.40 passes no locale to tokenizers, so the language travels in
 * the text: every indexed value starts with a marker "\x1F" LANG "\x1F"
 * (nx_lang_mark), which the tokenizer consumes without emitting a token.
 * Cleaned article text never holds control characters, so the marker
 * cannot collide with content; snippets strip it.
 *
 * Query text without a marker is stemmed in every language the index
 * holds (colocated tokens), so "attacks" finds "attack" and German
 * "Angriffe" finds "Angriff"; a query marker limits it to one language.
 */
#ifndef NX_TOKENIZER_H
#define NX_TOKENIZER_H

#include <sqlite3.h>

#include "util/buf.h"

#define NX_LANG_MARK '\x1F'

/* Slots in each tokenizer's cache of stems (a power of two; tests size their evictions by it). */
#define NX_STEM_CACHE 65536

/* Register the tokenizer "nx" on db.  Returns SQLITE_OK or an error code. */
int nx_tokenizer_register(sqlite3 *db);

/* The connection's FTS5 API (to add auxiliary functions, find tokenizers), or NULL. */
fts5_api *nx_fts5_api(sqlite3 *db);

/*
 * A tokenizer "nx" of db kept with its registration (made on first use,
 * its cache of stems kept, deleted when the connection closes), for code
 * that tokenizes beside FTS5 on db's thread (impact_note.c): SQLITE_OK
 * with *tk and *api (xTokenize; never xDelete it), or an error.
 */
int nx_tokenizer_kept(sqlite3 *db, Fts5Tokenizer **tk, fts5_tokenizer *api);

/*
 * Set the languages (comma-separated primary tags, "en,de") whose stems a
 * query without a language is expanded to.  NULL or "" means English.
 */
int nx_tokenizer_set_query_langs(sqlite3 *db, const char *langs);

/*
 * Leave the commonest English words ("the", "of"...) out of what is
 * indexed and of queries: list 1 (schema 2 indexes), list 2, longer
 * (schema 3 on), or 0 to keep them all (schema 1).
 */
int nx_tokenizer_set_stopwords(sqlite3 *db, int list);

/*
 * Tokens made ahead, on another thread than the one that writes the
 * index.  A pretokenizer (nx_pretok_new, on the writer's connection, so
 * with its stop list) records what the "nx" tokenizer emits for a
 * document's text into a tape; the writer offers the tapes of the row it
 * is about to insert (nx_pretok_offer), and the tokenizer replays a
 * tape instead of tokenizing when FTS5 hands it the very text the tape was
 * made from (compared byte for byte; any other text is tokenized as
 * usual).  A pretokenizer is used by one thread at a time.
 */
typedef struct nx_pretok nx_pretok;

/* A text's tokens; text/len: the text it was made from (not owned). */
typedef struct nx_tape {
	const char *text;
	size_t len;
	nx_buf rec;
	int used; /* replayed already: a second tokenizing of the text tokenizes */
} nx_tape;

nx_pretok *nx_pretok_new(sqlite3 *db);
void nx_pretok_free(nx_pretok *p);

/*
 * A text's words for a second counter ("did you mean", vocab.c), handed
 * over as the tokenizer splits the text, so that it is split once.  The
 * text after its marker splits at its ASCII bytes that are neither
 * letters nor digits into spans, and span(ctx, s, n, low) is called for
 * each, in order: an ASCII word s[0..n) of letters and digits with low, the
 * word folded to lower case (n bytes, zero-padded to 16 bytes when
 * shorter), or any other span (one holding a byte of 0x80 or above, or
 * a word of more than 256 bytes) with low NULL.  No letter or digit, of
 * any script, lies across two spans.  The spans are handed only when the
 * text's marker is skip bytes long (the counter's text is what follows
 * it); used is set when every span of the text was.
 */
typedef struct nx_word_sink {
	void (*span)(void *ctx, const char *s, size_t n, const char *low);
	void *ctx;
	size_t skip;
	int used;
	const char *text; /* nx_tokenizer_offer_words: the document text it is for (not owned) */
	size_t len;
} nx_word_sink;

/*
 * Record the tokens of a document's text (with its marker) into tape
 * (reset first), handing its spans to sink (NULL: none) as it goes; NX_* code.
 */
int nx_pretok_run(nx_pretok *p, const char *text, size_t len, nx_tape *tape, nx_word_sink *sink);

/*
 * The writer's side: sinks (NULL, 0: none) for the document texts the
 * next statements on the connection of tk (its nx_tokenizer_kept) tokenize
 * (each given to the first tokenizing of its text, compared byte for
 * byte, that replays no tape), on the thread that runs them; the caller
 * keeps them alive.
 */
void nx_tokenizer_offer_words(Fts5Tokenizer *tk, nx_word_sink *sinks, int n);

/*
 * The tapes the next statements on p's connection may replay (NULL, 0:
 * none), on the thread that runs them; the caller keeps them alive.
 */
void nx_pretok_offer(nx_pretok *p, nx_tape *tapes, int n);

/* Append s as an FTS5 string: in double quotes, '"' doubled. */
void nx_fts5_quote(nx_buf *b, const char *s, size_t len);

/* 1 when word (len bytes) is on stop list 'list' (1 or 2; 0: none). */
int nx_tokenizer_dropped(const char *word, size_t len, int list);

/* 1 when every word of a query is on the longer stop list ("the of"). */
int nx_tokenizer_only_dropped(const char *query);

/* Append "\x1Flang\x1F" + text (lang NULL or unsupported: "\x1F\x1F"). */
void nx_lang_mark(nx_buf *out, const char *lang, const char *text, size_t len);

/* Length of a leading language marker in s, or 0. */
size_t nx_lang_mark_len(const char *s, size_t len);

/* 1 when Snowball has a stemmer for this primary language tag. */
int nx_lang_has_stemmer(const char *lang);


#endif

/*
 * tokenizer.h - the "nx" FTS5 tokenizer: Unicode words (FTS5's unicode61
 * with diacritics removed), each stemmed with Snowball in its article's
 * language, and character bigrams for scripts written without spaces
 * (Chinese, Japanese, Korean, Thai).
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

#include "buf.h"

#define NX_LANG_MARK '\x1F'

/* Register the tokenizer "nx" on db.  Returns SQLITE_OK or an error code. */
int nx_tokenizer_register(sqlite3 *db);

/* The connection's FTS5 API (to add auxiliary functions, find tokenizers), or NULL. */
fts5_api *nx_fts5_api(sqlite3 *db);

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

/*
 * Guess the language of a text from its script and most frequent words;
 * returns a static primary tag ("en", "de", "zh"...) or NULL when unsure.
 */
const char *nx_lang_guess(const char *text, size_t len);

/* Normalize a language tag in place: "en-US" -> "en", "PT_br" -> "pt". */
void nx_lang_normalize(char *tag);

/* 1 for a stop word of the given language (or of any we know when NULL). */
int nx_is_stopword(const char *word, size_t len, const char *lang);

#endif

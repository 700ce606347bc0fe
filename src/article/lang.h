/*
 * lang.h - which language an article is written in, and the stop words
 * of the languages newsidx knows.
 */
#ifndef NX_LANG_H
#define NX_LANG_H

#include <stddef.h>

/*
 * Guess the language of a text from its script and most frequent words;
 * returns a static primary tag ("en", "de", "zh"...) or NULL when unsure.
 */
const char *nx_lang_guess(const char *text, size_t len);

/* 1 for a stop word of the given language (or of any we know when NULL). */
int nx_is_stopword(const char *word, size_t len, const char *lang);
/* Normalize a language tag in place: "en-US" -> "en", "PT_br" -> "pt". */
void nx_lang_normalize(char *tag);

#endif

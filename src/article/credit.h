/*
 * credit.h - photo credits: recognise, split and spell them (internal).
 *
 * Every format meets the same credit forms: "© Sputnik / Ramil Sitdikov",
 * "(AP Photo/Evan Vucci)", "Photograph: Jane Doe/Getty Images",
 * "Photo: X/Agency", "Credit: Name for The Times", "REUTERS/Name".  This
 * module turns any of them into an agency in its usual spelling and a
 * photographer with normal capitalisation.
 */
#ifndef NX_CREDIT_H
#define NX_CREDIT_H

#include <stddef.h>

/*
 * If s starts with a credit marker ("©", "(c)", "Photo:", "Photograph:",
 * "Credit:", "Image:", "Picture:", "Foto:", "Photo by", "Copyright"),
 * return its length (including following space), else 0.
 */
size_t nx_credit_marker(const char *s, size_t len);

/*
 * Parse a credit (with or without its marker) into malloc'd agency and
 * photographer strings; either may come back NULL.  Debris such as
 * "Go to the mediabank" or "All rights reserved" is dropped.  Returns 0,
 * or -1 on out of memory (both outputs NULL).
 */
int nx_credit_parse(const char *s, size_t len, char **agency, char **photographer);

/*
 * s is a line that starts with a credit marker; the caption may be glued to
 * the credit with no separator ("© REUTERS / JANE DOEThe president...",
 * "© Sputnik / Name / Go to the mediabankRussian ...").  Return the length
 * of the credit part (== len when nothing seems glued).
 */
size_t nx_credit_split_glued(const char *s, size_t len);

/*
 * Find a credit at the end of a caption ("... on Monday. (AP Photo/Evan
 * Vucci)", "... Photograph: Jane Doe/Reuters").  Returns 1 and the credit's
 * byte offset in *at when found, else 0.
 */
int nx_credit_find_trailing(const char *s, size_t len, size_t *at);

/* The usual spelling of a known agency ("REUTERS" -> "Reuters"), or NULL. */
const char *nx_agency_canonical(const char *s, size_t len);

/*
 * A malloc'd copy of a name with normal capitalisation when it was written
 * all in capitals ("EVELYN HOCKSTEIN" -> "Evelyn Hockstein",
 * "JEAN-PIERRE O'NEIL" -> "Jean-Pierre O'Neil"); other names are copied
 * unchanged.
 */
char *nx_name_case(const char *s, size_t len);

/* 1 when a whole line is page debris ("/ Subscribe", "Go to the mediabank",
 * "Share", "Advertisement", "Read more") rather than article text. */
int nx_is_debris_line(const char *s, size_t len);

#endif

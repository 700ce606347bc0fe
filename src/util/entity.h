/*
 * entity.h - character references a page left in its text by encoding it
 * twice ("&amp;#8216;" shows as "&#8216;", "&amp;raquo;" as "&raquo;"):
 * decoded once more where they are found (internal).
 */
#ifndef NX_ENTITY_H
#define NX_ENTITY_H

#include <stddef.h>

#include "util/buf.h"

/*
 * 1 when s[0..len) holds a character reference: "&#8216;", "&#x2019;",
 * or a named one of the common list ("&amp;", "&raquo;", "&eacute;" ...).
 */
int nx_entity_present(const char *s, size_t len);

/*
 * Append s[0..len) to out with every reference nx_entity_present knows
 * decoded (numeric ones in the C1 range read as windows-1252, as browsers
 * do; NUL, surrogates and out-of-range numbers left as written).
 */
void nx_entity_decode(nx_buf *out, const char *s, size_t len);

#endif

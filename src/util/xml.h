/*
 * xml.h - one safe way to parse XML for every XML format (internal).
 *
 * External entities and DTDs are never loaded, no network access, entity
 * expansion stays within libxml2's default amplification limits (no
 * XML_PARSE_HUGE), nothing is printed on stderr.
 */
#ifndef NX_XML_H
#define NX_XML_H

#include <libxml/tree.h>
#include <stddef.h>

#include "util/buf.h"
#include "newsidx/error.h"

/*
 * Parse data[0..len) as XML, recovering from minor breakage.  Returns the
 * document (free with xmlFreeDoc) or NULL with err set (NX_EFORMAT).
 */
xmlDocPtr nx_xml_read(const char *data, size_t len, nx_error *err);

/* Local name comparison, ignoring any namespace prefix. */
int nx_xml_is(const xmlNode *n, const char *local);

/* First child element with this local name, or NULL. */
xmlNode *nx_xml_child(const xmlNode *n, const char *local);

/* Attribute value (malloc'd, NULL when absent) by local name. */
char *nx_xml_attr(const xmlNode *n, const char *local);

#endif

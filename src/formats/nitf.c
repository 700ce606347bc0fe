/*
 * nitf.c - News Industry Text Format (NITF 3.x) documents, one article
 * each, as AP, AAP, PA, NTB, EFE and many others send them.
 *
 *	<nitf><head><title/><docdata><doc-id id-string regsrc/>
 *	      <date.issue norm/><date.release norm/><doc.copyright holder/>
 *	      </docdata></head>
 *	 <body><body.head><hedline><hl1/></hedline><byline/><distributor/>
 *	       <dateline/></body.head>
 *	       <body.content><p/><hl2/><media/><table/>...</body.content></body></nitf>
 *
 * The field mapping lives in wire_common.c (nx_wire__nitf) because NewsML
 * items carry the same markup inside inlineXML.
 */
#include <stdlib.h>

#include "formats/format.h"
#include "formats/wire_common.h"
#include "util/xml.h"

int nx_parse_nitf(const nx_input *in, nx_article_cb cb, void *ctx, nx_error *err)
{
	xmlDocPtr doc = NULL;
	xmlNode *root = NULL;
	nx_article *a = NULL;
	int rc = NX_OK;

	doc = nx_xml_read(in->data, in->len, err);
	if (doc == NULL) {
		rc = err != NULL && err->code < 0 ? err->code : NX_EFORMAT;
		goto done;
	}
	root = xmlDocGetRootElement(doc);
	if (!nx_xml_is(root, "nitf")) {
		rc = nx_error_set(err, NX_EFORMAT, "root element is <%s>, not <nitf>",
				  root != NULL && root->name != NULL ? (const char *)root->name : "?");
		goto done;
	}
	if (nx_wire__truncated(in->data, in->len, root, err)) {
		rc = NX_EFORMAT;
		goto done;
	}
	a = nx_article_new();
	if (a == NULL)
		goto oom;
	a->origin.offset = -1;
	if ((rc = nx_wire__nitf(a, root)) < 0)
		goto oom;
	if ((rc = nx_wire__fallback_title(a)) < 0)
		goto oom;
	if (a->title == NULL && a->nparas == 0) {
		rc = nx_error_set(err, NX_EFORMAT, "NITF document has neither a title nor text");
		goto done;
	}
	rc = nx_format__emit(a, in, "nitf", cb, ctx, err);
	a = NULL;
	goto done;
oom:
	rc = nx_error_set(err, NX_ENOMEM, "out of memory");
done:
	nx_article_free(a);
	xmlFreeDoc(doc);
	return rc;
}

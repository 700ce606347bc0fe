/*
 * stats.c - counts and sizes of an index (newsidx stats).
 */
#include "index/store_private.h"

#include <string.h>

int nx_store_stats(nx_stats *out, nx_store *st, nx_error *err)
{
	int64_t v = 0, ps = 0, pc = 0;

	memset(out, 0, sizeof(*out));
	if (nx_store__query_int(st, "SELECT count(*) FROM article", &out->articles) < 0 ||
	    nx_store__query_int(st, "SELECT count(*) FROM photo", &out->photos) < 0 ||
	    nx_store__query_int(st, "SELECT count(*) FROM revision", &out->revisions) < 0 ||
	    nx_store__query_int(st, "SELECT count(*) FROM file", &out->files) < 0 ||
	    nx_store__query_int(st, "SELECT count(*) FROM original", &out->originals) < 0 ||
	    nx_store__query_int(st, "SELECT coalesce(sum(body_len), 0) FROM article", &out->text_bytes) < 0 ||
	    nx_store__query_int(st, "SELECT coalesce(sum(length(body_z)), 0) FROM article", &out->stored_bytes) < 0 ||
	    nx_store__query_int(st, "PRAGMA page_size", &ps) < 0 || nx_store__query_int(st, "PRAGMA page_count", &pc) < 0)
		return nx_store__dberr(st, err, "cannot read index statistics");
	if (st->schema >= 4 && nx_store__query_int(st, "SELECT coalesce(sum(length(z)), 0) FROM body_block", &v) == 0)
		out->stored_bytes += v;
	v = 0;
	out->db_bytes = ps * pc;
	out->schema = st->schema;
	if (out->articles > 0 && nx_store__query_int(st, "SELECT count(published) FROM article", &v) == 0 && v > 0) {
		nx_store__query_int(st, "SELECT min(published) FROM article", &out->oldest.utc);
		nx_store__query_int(st, "SELECT max(published) FROM article", &out->newest.utc);
		out->oldest.set = out->newest.set = 1;
		out->oldest.has_time = out->newest.has_time = 1;
	}
	return NX_OK;
}

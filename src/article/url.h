/*
 * url.h - article addresses as people paste them (internal).
 *
 * Two forms of one address: the canonical URL an article is stored under
 * (nx_url_clean: tracking parameters and fragment dropped at ingest), and the key two
 * addresses of one article share (nx_url_key: scheme, "www.", default
 * port, trailing slashes, fragment and tracking parameters ignored), by
 * which `show` and the server find an article from a pasted URL.
 *
 * Tracking parameters, by name, in any case: every name starting with
 * "utm_", and fbclid, gclid, gclsrc, dclid, msclkid, yclid, twclid,
 * igshid, mc_cid, mc_eid, wt_mc, wt.mc_id, wt.mc_ev, ocid, cmpid, ncid,
 * smid, xtor, _ga, _gl, mkt_tok.
 */
#ifndef NX_ARTICLE_URL_H
#define NX_ARTICLE_URL_H

#include <stddef.h>

/* 1 when a query parameter named name[0..n) is a tracking parameter. */
int nx_url_is_tracking(const char *name, size_t n);

/*
 * url without its tracking parameters and its fragment ("#comments"; a
 * one-page site's route, "#!/..." or "#/...", is kept), as a malloc'd
 * string in *out; the rest of the address is kept byte for byte.  Returns 1 when something was dropped, 0 when
 * *out equals url, -1 on out of memory (*out NULL).
 */
int nx_url_clean(char **out, const char *url);

/*
 * The key of an address, malloc'd (NULL on out of memory): host in lower
 * case without "www." and a default port, path without trailing slashes,
 * the query without tracking parameters, no scheme ("http", "https" or
 * none) and no fragment but a route ("#!/...", "#/...").  "https://www.Example.com/a/?utm_source=x#top"
 * and "example.com/a" have the key "example.com/a".  An address with
 * another scheme ("urn:...") is its own key, without the fragment.
 */
char *nx_url_key(const char *url);

/*
 * 1 when ref reads as a web address: "http://" or "https://" (any case),
 * or a host name with a dot before the first '/' ("www.example.com/a",
 * "example.com/a"), no white space.
 */
int nx_url_is_web(const char *ref);

#endif

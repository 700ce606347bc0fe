/*
 * url.c - canonical article URLs and the keys pasted addresses match by.
 * See url.h for the rules and the list of tracking parameters.
 */
#include "article/url.h"

#include <stdlib.h>
#include <string.h>

#include "util/buf.h"
#include "util/text.h"

int nx_url_is_tracking(const char *name, size_t n)
{
	static const char *const names[] = { "fbclid", "gclid", "gclsrc", "dclid", "msclkid", "yclid",
					     "twclid", "igshid", "mc_cid", "mc_eid", "wt_mc", "wt.mc_id",
					     "wt.mc_ev", "ocid", "cmpid", "ncid", "smid", "xtor", "_ga",
					     "_gl", "mkt_tok", NULL };
	size_t i = 0;

	if (n > 4 && nx_strncaseeq(name, "utm_", 4))
		return 1;
	for (i = 0; names[i] != NULL; i++)
		if (strlen(names[i]) == n && nx_strncaseeq(name, names[i], n))
			return 1;
	return 0;
}

/*
 * Append to out the parameters of q[0..n) ("a=1&utm_source=x") that are
 * not tracking ones, joined by '&'; return how many were dropped.
 */
static size_t keep_params(nx_buf *out, const char *q, size_t n)
{
	size_t i = 0, dropped = 0, first = out->len;

	while (i <= n) {
		const char *amp = i < n ? memchr(q + i, '&', n - i) : NULL;
		size_t e = amp != NULL ? (size_t)(amp - q) : n, k = i;

		while (k < e && q[k] != '=')
			k++;
		if (e > i && nx_url_is_tracking(q + i, k - i)) {
			dropped++;
		} else if (e > i) {
			if (out->len > first)
				nx_buf_addch(out, '&');
			nx_buf_add(out, q + i, e - i);
		}
		i = e + 1;
	}
	return dropped;
}

/* 1 when fragment f is a route of a one-page site ("#!/story/12", "#/story/12"). */
static int route_fragment(const char *f)
{
	return f[0] == '!' || f[0] == '/';
}

int nx_url_clean(char **out, const char *url)
{
	nx_buf b = NX_BUF_INIT;
	const char *hash = strchr(url, '#');
	size_t end = hash != NULL ? (size_t)(hash - url) : strlen(url);
	const char *q = memchr(url, '?', end);
	size_t dropped = 0, mark = 0;

	*out = NULL;
	nx_buf_add(&b, url, q != NULL ? (size_t)(q - url) : end);
	if (q != NULL) {
		nx_buf_addch(&b, '?');
		mark = b.len;
		dropped = keep_params(&b, q + 1, end - (size_t)(q + 1 - url));
		if (b.len == mark)
			nx_buf_truncate(&b, mark - 1); /* nothing left: no '?' */
	}
	if (hash != NULL && route_fragment(hash + 1))
		nx_buf_adds(&b, hash);
	else if (hash != NULL)
		dropped++;
	if (!nx_buf_ok(&b)) {
		nx_buf_free(&b);
		return -1;
	}
	*out = nx_buf_detach(&b);
	if (*out == NULL)
		return -1;
	return dropped > 0 || strcmp(*out, url) != 0;
}

/* Length of an "http://" or "https://" prefix (any case), else 0. */
static size_t web_scheme(const char *s)
{
	if (nx_startswith_ci(s, strlen(s), "http://"))
		return 7;
	if (nx_startswith_ci(s, strlen(s), "https://"))
		return 8;
	return 0;
}

/* 1 when s[0..n) starts with a scheme other than a port ("urn:", not "host:8080"). */
static int other_scheme(const char *s, size_t n)
{
	size_t i = 0;

	if (n == 0 || !nx_isalpha((unsigned char)s[0]))
		return 0;
	while (i < n && (nx_isalnum((unsigned char)s[i]) || s[i] == '+' || s[i] == '-' || s[i] == '.'))
		i++;
	return i < n && s[i] == ':' && !(i + 1 < n && nx_isdigit((unsigned char)s[i + 1]));
}

/* The host part h[0..n) lower-cased, without "www." and a default port. */
static void add_host(nx_buf *b, const char *h, size_t n)
{
	const char *at = NULL;
	size_t i = 0;

	while ((at = memchr(h, '@', n)) != NULL) { /* user:password@ */
		n -= (size_t)(at + 1 - h);
		h = at + 1;
	}
	if (n > 4 && nx_startswith_ci(h, n, "www.")) {
		h += 4;
		n -= 4;
	}
	if (n > 3 && memcmp(h + n - 3, ":80", 3) == 0)
		n -= 3;
	else if (n > 4 && memcmp(h + n - 4, ":443", 4) == 0)
		n -= 4;
	while (n > 0 && h[n - 1] == '.')
		n--;
	for (i = 0; i < n; i++)
		nx_buf_addch(b, (char)nx_tolower((unsigned char)h[i]));
}

char *nx_url_key(const char *url)
{
	nx_buf b = NX_BUF_INIT;
	const char *s = url, *p = NULL, *hash = NULL, *end = NULL, *lim = NULL;
	size_t n = 0, sc = 0, mark = 0;

	while (nx_isspace((unsigned char)*s))
		s++;
	n = strlen(s);
	while (n > 0 && nx_isspace((unsigned char)s[n - 1]))
		n--;
	hash = memchr(s, '#', n);
	if (hash != NULL && !route_fragment(hash + 1))
		n = (size_t)(hash - s);
	if (hash != NULL && hash >= s + n)
		hash = NULL;
	sc = web_scheme(s);
	if (sc == 0 && nx_startswith_ci(s, n, "//"))
		sc = 2;
	if (sc == 0 && other_scheme(s, n)) { /* "urn:...", "ftp://...": the address itself */
		nx_buf_add(&b, s, n);
		return nx_buf_detach(&b);
	}
	s += sc;
	n -= sc;
	lim = s + n;
	end = hash != NULL ? hash : lim; /* a route fragment is kept, after the query */
	for (p = s; p < end && *p != '/' && *p != '?'; p++)
		;
	add_host(&b, s, (size_t)(p - s));
	s = p;
	for (p = s; p < end && *p != '?'; p++)
		;
	mark = (size_t)(p - s);
	while (mark > 0 && s[mark - 1] == '/')
		mark--;
	nx_buf_add(&b, s, mark);
	if (p < end) {
		nx_buf_addch(&b, '?');
		mark = b.len;
		keep_params(&b, p + 1, (size_t)(end - p - 1));
		if (b.len == mark)
			nx_buf_truncate(&b, mark - 1);
	}
	if (hash != NULL)
		nx_buf_add(&b, hash, (size_t)(lim - hash));
	if (!nx_buf_ok(&b)) {
		nx_buf_free(&b);
		return NULL;
	}
	return nx_buf_detach(&b);
}

int nx_url_is_web(const char *ref)
{
	size_t i = 0, dot = 0, sc = web_scheme(ref);

	for (i = 0; ref[i] != '\0'; i++)
		if ((unsigned char)ref[i] <= 0x20 || ref[i] == 0x7f)
			return 0;
	if (sc > 0)
		return ref[sc] != '\0';
	/* a host name first: letters, digits, '-', '.', a port; a dot in it */
	for (i = 0; ref[i] != '\0' && ref[i] != '/' && ref[i] != '?' && ref[i] != '#'; i++) {
		if (ref[i] == '.')
			dot = i;
		else if (!nx_isalnum((unsigned char)ref[i]) && ref[i] != '-' && ref[i] != ':')
			return 0;
	}
	/* "example.com": a dot inside, letters after the last one */
	return dot > 0 && dot + 2 < i && nx_isalpha((unsigned char)ref[dot + 1]);
}

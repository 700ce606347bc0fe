#include "util/text.h"

#include <stdlib.h>
#include <string.h>

#include "util/swar.h"

size_t nx_utf8_decode(const char *s, size_t len, uint32_t *cp)
{
	const unsigned char *u = (const unsigned char *)s;
	uint32_t c = 0, min = 0;
	size_t n = 0, i = 0;

	if (len == 0) {
		*cp = 0xFFFD;
		return 0;
	}
	if (u[0] < 0x80) {
		*cp = u[0];
		return 1;
	}
	if ((u[0] & 0xE0) == 0xC0) {
		n = 2; c = u[0] & 0x1F; min = 0x80;
	} else if ((u[0] & 0xF0) == 0xE0) {
		n = 3; c = u[0] & 0x0F; min = 0x800;
	} else if ((u[0] & 0xF8) == 0xF0) {
		n = 4; c = u[0] & 0x07; min = 0x10000;
	} else {
		*cp = 0xFFFD;
		return 1;
	}
	if (len < n) {
		*cp = 0xFFFD;
		return 1;
	}
	for (i = 1; i < n; i++) {
		if ((u[i] & 0xC0) != 0x80) {
			*cp = 0xFFFD;
			return 1;
		}
		c = (c << 6) | (u[i] & 0x3F);
	}
	if (c < min || c > 0x10FFFF || (c >= 0xD800 && c <= 0xDFFF)) {
		*cp = 0xFFFD;
		return 1;
	}
	*cp = c;
	return n;
}

void nx_utf8_put(nx_buf *b, uint32_t cp)
{
	char t[4];

	if (cp < 0x80) {
		t[0] = (char)cp;
		nx_buf_add(b, t, 1);
	} else if (cp < 0x800) {
		t[0] = (char)(0xC0 | (cp >> 6));
		t[1] = (char)(0x80 | (cp & 0x3F));
		nx_buf_add(b, t, 2);
	} else if (cp < 0x10000) {
		t[0] = (char)(0xE0 | (cp >> 12));
		t[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
		t[2] = (char)(0x80 | (cp & 0x3F));
		nx_buf_add(b, t, 3);
	} else {
		t[0] = (char)(0xF0 | (cp >> 18));
		t[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
		t[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
		t[3] = (char)(0x80 | (cp & 0x3F));
		nx_buf_add(b, t, 4);
	}
}

int nx_utf8_valid(const char *s, size_t len)
{
	size_t i = 0, n = 0;
	uint32_t cp = 0;

	while (i < len) {
		if (s[i] == '\0')
			return 0;
		if ((unsigned char)s[i] < 0x80) {
			i++;
			continue;
		}
		n = nx_utf8_decode(s + i, len - i, &cp);
		if (cp == 0xFFFD && !(n == 3 && (unsigned char)s[i] == 0xEF))
			return 0;
		i += n;
	}
	return 1;
}

int nx_uni_isspace(uint32_t cp)
{
	if (cp <= 0x20 || cp == 0x7F)
		return 1;
	if (cp >= 0x80 && cp <= 0x9F) /* C1 controls */
		return 1;
	switch (cp) {
	case 0xA0: case 0x1680: case 0x2028: case 0x2029: case 0x202F:
	case 0x205F: case 0x3000: case 0x85:
		return 1;
	default:
		return cp >= 0x2000 && cp <= 0x200A;
	}
}

static int is_invisible(uint32_t cp)
{
	return cp == 0xAD || cp == 0x200B || cp == 0x200C || cp == 0x200D ||
	       cp == 0x2060 || cp == 0xFEFF;
}

/*
 * Where a run of printable ASCII that nx_text_clean copies as it is goes
 * on past s[j] (s[j - 1] printable, not a space), 8 bytes at a time: a
 * word is taken whole when its bytes are 0x20-0x7E, no two of its spaces
 * touch and it does not end in a space -- then each of its spaces is
 * between two printable bytes, as a space copied with the words must be
 * -- and its first seven when it ends in one.  The first word that is
 * not so is left to the byte-at-a-time loop, which comes back here after
 * each space it passes.
 */
static size_t ascii_words_end(const char *s, size_t j, size_t len)
{
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	while (len - j >= 8) {
		uint64_t x = nx_swar_load(s + j), sp = nx_swar_eq(x, ' ');

		/* little-endian: s[j + k + 1] is the byte above s[j + k] */
		if ((nx_swar_below(x, 0x20) | nx_swar_above(x, 0x7E) | (sp & (sp << 8))) != 0)
			break;
		/* a space last: the seven before it (the seventh not a space) */
		j += (sp >> 63) != 0 ? 7 : 8;
	}
#else
	(void)s;
	(void)len;
#endif
	return j;
}

void nx_text_clean(nx_buf *out, const char *s, size_t len)
{
	size_t i = 0, n = 0, start = out->len;
	uint32_t cp = 0;
	int pending_space = 0;

	/* the output is rarely longer than the input: one allocation */
	if (nx_buf_grow(out, len) < 0)
		return;
	while (i < len) {
		unsigned char c = (unsigned char)s[i];

		if (c > 0x20 && c < 0x7F) {
			/*
			 * A run of printable ASCII goes out as is, single spaces
			 * between words included (a sentence at a time, not a word:
			 * most of a news body is such runs).
			 */
			size_t j = i + 1;

			for (;;) {
				j = ascii_words_end(s, j, len);
				while (j < len && (unsigned char)s[j] > 0x20 && (unsigned char)s[j] < 0x7F)
					j++;
				if (j + 1 < len && s[j] == ' ' && (unsigned char)s[j + 1] > 0x20 &&
				    (unsigned char)s[j + 1] < 0x7F)
					j += 2;
				else
					break;
			}
			if (pending_space && out->len > start)
				nx_buf_addch(out, ' ');
			pending_space = 0;
			nx_buf_add(out, s + i, j - i);
			i = j;
			continue;
		}
		if (c < 0x80) {
			n = 1;
			cp = c;
		} else {
			n = nx_utf8_decode(s + i, len - i, &cp);
		}
		i += n;
		if (is_invisible(cp))
			continue;
		if (nx_uni_isspace(cp)) {
			pending_space = 1;
			continue;
		}
		if (pending_space && out->len > start)
			nx_buf_addch(out, ' ');
		pending_space = 0;
		if (cp < 0x80)
			nx_buf_addch(out, (int)cp);
		else if (n > 1)
			nx_buf_add(out, s + i - n, n);
		else
			nx_utf8_put(out, cp);
	}
}

int nx_strncaseeq(const char *a, const char *b, size_t n)
{
	size_t i = 0;

	for (i = 0; i < n; i++) {
		if (nx_tolower((unsigned char)a[i]) != nx_tolower((unsigned char)b[i]))
			return 0;
		if (a[i] == '\0')
			return 1;
	}
	return 1;
}

int nx_strcaseeq(const char *a, const char *b)
{
	while (*a != '\0' && nx_tolower((unsigned char)*a) == nx_tolower((unsigned char)*b)) {
		a++;
		b++;
	}
	return nx_tolower((unsigned char)*a) == nx_tolower((unsigned char)*b);
}

int nx_startswith_ci(const char *s, size_t len, const char *prefix)
{
	size_t n = strlen(prefix);

	return len >= n && nx_strncaseeq(s, prefix, n);
}

const char *nx_memcasemem(const char *s, size_t len, const char *needle)
{
	size_t n = strlen(needle), i = 0;

	if (n == 0)
		return s;
	for (i = 0; i + n <= len; i++)
		if (nx_tolower((unsigned char)s[i]) == nx_tolower((unsigned char)needle[0]) &&
		    nx_strncaseeq(s + i, needle, n))
			return s + i;
	return NULL;
}

uint32_t nx_fnv1a(const void *s, size_t n)
{
	const unsigned char *p = s;
	uint32_t h = 2166136261u;
	size_t i = 0;

	for (i = 0; i < n; i++)
		h = (h ^ p[i]) * 16777619u;
	return h;
}

char *nx_strndup(const char *s, size_t n)
{
	char *p = malloc(n + 1);

	if (p == NULL)
		return NULL;
	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

char *nx_ascii_lowerdup(const char *s)
{
	size_t i = 0, n = strlen(s);
	char *p = malloc(n + 1);

	if (p == NULL)
		return NULL;
	for (i = 0; i <= n; i++)
		p[i] = (char)nx_tolower((unsigned char)s[i]);
	return p;
}

/*
 * SHA-256: Nettle's (nettle-dev), which picks the SHA extensions of the
 * CPU (SHA-NI) at run time where they exist, as the hand-written code
 * here did before.
 */
void nx_sha256_init(nx_sha256_ctx *c)
{
	sha256_init(&c->nettle);
}

void nx_sha256_update(nx_sha256_ctx *c, const void *data, size_t len)
{
	if (len > 0)
		sha256_update(&c->nettle, len, data);
}

void nx_sha256_final(nx_sha256_ctx *c, unsigned char out[32])
{
	sha256_digest(&c->nettle, SHA256_DIGEST_SIZE, out);
}

void nx_sha256(const void *data, size_t len, unsigned char out[32])
{
	nx_sha256_ctx c;

	nx_sha256_init(&c);
	nx_sha256_update(&c, data, len);
	nx_sha256_final(&c, out);
}

void nx_hex(char *out, const void *bytes, size_t n)
{
	static const char hex[] = "0123456789abcdef";
	const unsigned char *b = bytes;
	size_t i = 0;

	for (i = 0; i < n; i++) {
		out[2 * i] = hex[b[i] >> 4];
		out[2 * i + 1] = hex[b[i] & 15];
	}
	out[2 * n] = '\0';
}

void nx_sha256_hex(const void *data, size_t len, char out[65])
{
	unsigned char d[32];

	nx_sha256(data, len, d);
	nx_hex(out, d, 32);
}

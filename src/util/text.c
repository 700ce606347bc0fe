#include "util/text.h"

#include <stdlib.h>
#include <string.h>

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
			/* a run of printable ASCII other than space goes out as is */
			size_t j = i + 1;

			while (j < len && (unsigned char)s[j] > 0x20 && (unsigned char)s[j] < 0x7F)
				j++;
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
 * SHA-256 (FIPS 180-4).  Two block functions: portable C, and on x86-64 the
 * SHA extensions (SHA-NI: two rounds per sha256rnds2, the message schedule
 * by sha256msg1/sha256msg2), chosen at run time.  Both take whole 64-byte
 * blocks straight from the caller's memory; only a partial block is copied.
 */

static const uint32_t sha_k[64] = {
	0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
	0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
	0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
	0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
	0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
	0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
	0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
	0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2
};

#define ROTR(x, n) (((x) >> (n)) | ((x) << (32 - (n))))

static void sha_blocks_c(uint32_t st[8], const unsigned char *p, size_t nblocks)
{
	uint32_t w[64], a, b, c, d, e, f, g, h, t1, t2;
	int i = 0;

	for (; nblocks > 0; nblocks--, p += 64) {
		for (i = 0; i < 16; i++)
			w[i] = (uint32_t)p[4 * i] << 24 | (uint32_t)p[4 * i + 1] << 16 |
			       (uint32_t)p[4 * i + 2] << 8 | (uint32_t)p[4 * i + 3];
		for (i = 16; i < 64; i++) {
			uint32_t s0 = ROTR(w[i - 15], 7) ^ ROTR(w[i - 15], 18) ^ (w[i - 15] >> 3);
			uint32_t s1 = ROTR(w[i - 2], 17) ^ ROTR(w[i - 2], 19) ^ (w[i - 2] >> 10);

			w[i] = w[i - 16] + s0 + w[i - 7] + s1;
		}
		a = st[0]; b = st[1]; c = st[2]; d = st[3];
		e = st[4]; f = st[5]; g = st[6]; h = st[7];
		for (i = 0; i < 64; i++) {
			t1 = h + (ROTR(e, 6) ^ ROTR(e, 11) ^ ROTR(e, 25)) + ((e & f) ^ (~e & g)) + sha_k[i] + w[i];
			t2 = (ROTR(a, 2) ^ ROTR(a, 13) ^ ROTR(a, 22)) + ((a & b) ^ (a & c) ^ (b & c));
			h = g; g = f; f = e; e = d + t1;
			d = c; c = b; b = a; a = t1 + t2;
		}
		st[0] += a; st[1] += b; st[2] += c; st[3] += d;
		st[4] += e; st[5] += f; st[6] += g; st[7] += h;
	}
}

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#define NX_SHA_NI 1
#include <cpuid.h>
#include <immintrin.h>
#include <stdatomic.h>

/*
 * The SHA extensions keep the eight working variables in two registers,
 * abef = {F, E, B, A} and cdgh = {H, G, D, C} (element 0 first).
 * sha256rnds2(cdgh, abef, wk) runs two rounds with W+K from the low two
 * elements of wk and returns the new abef; the old abef is then the new
 * cdgh.  sha256msg1/msg2 compute W[i..i+3] from W[i-16..i-1].
 */
__attribute__((target("sha,sse4.1"))) static void sha_blocks_ni(uint32_t st[8], const unsigned char *p,
								  size_t nblocks)
{
	const __m128i bswap = _mm_set_epi64x(0x0c0d0e0f08090a0bLL, 0x0405060700010203LL);
	__m128i abcd = _mm_loadu_si128((const __m128i *)(const void *)&st[0]);
	__m128i efgh = _mm_loadu_si128((const __m128i *)(const void *)&st[4]);
	__m128i t = _mm_shuffle_epi32(abcd, 0xB1);  /* {B, A, D, C} */
	__m128i abef, cdgh, save0, save1, m0, m1, m2, m3, wk, next;
	int g = 0;

	efgh = _mm_shuffle_epi32(efgh, 0x1B);       /* {H, G, F, E} */
	abef = _mm_alignr_epi8(t, efgh, 8);         /* {F, E, B, A} */
	cdgh = _mm_blend_epi16(efgh, t, 0xF0);      /* {H, G, D, C} */
	for (; nblocks > 0; nblocks--, p += 64) {
		save0 = abef;
		save1 = cdgh;
		m0 = _mm_shuffle_epi8(_mm_loadu_si128((const __m128i *)(const void *)(p + 0)), bswap);
		m1 = _mm_shuffle_epi8(_mm_loadu_si128((const __m128i *)(const void *)(p + 16)), bswap);
		m2 = _mm_shuffle_epi8(_mm_loadu_si128((const __m128i *)(const void *)(p + 32)), bswap);
		m3 = _mm_shuffle_epi8(_mm_loadu_si128((const __m128i *)(const void *)(p + 48)), bswap);
		for (g = 0; g < 16; g++) {
			/* rounds 4g..4g+3 use m0 = W[4g..4g+3] */
			wk = _mm_add_epi32(m0, _mm_loadu_si128((const __m128i *)(const void *)&sha_k[4 * g]));
			cdgh = _mm_sha256rnds2_epu32(cdgh, abef, wk); /* now abef */
			wk = _mm_shuffle_epi32(wk, 0x0E);
			abef = _mm_sha256rnds2_epu32(abef, cdgh, wk); /* back in place */
			if (g < 12) {
				/* W[i..i+3], i = 4g+16: msg1 adds s0(W[i-15..]), W[i-7..i-4] comes
				 * from m2:m3, msg2 adds s1(W[i-2..]) */
				next = _mm_sha256msg1_epu32(m0, m1);
				next = _mm_add_epi32(next, _mm_alignr_epi8(m3, m2, 4));
				next = _mm_sha256msg2_epu32(next, m3);
				m0 = m1;
				m1 = m2;
				m2 = m3;
				m3 = next;
			} else {
				m0 = m1;
				m1 = m2;
				m2 = m3;
			}
		}
		abef = _mm_add_epi32(abef, save0);
		cdgh = _mm_add_epi32(cdgh, save1);
	}
	t = _mm_shuffle_epi32(abef, 0x1B);          /* {A, B, E, F} */
	cdgh = _mm_shuffle_epi32(cdgh, 0xB1);       /* {G, H, C, D} */
	abcd = _mm_blend_epi16(t, cdgh, 0xF0);      /* {A, B, C, D} */
	efgh = _mm_alignr_epi8(cdgh, t, 8);         /* {E, F, G, H} */
	_mm_storeu_si128((__m128i *)(void *)&st[0], abcd);
	_mm_storeu_si128((__m128i *)(void *)&st[4], efgh);
}
#endif

static int sha_portable_only;

#ifdef NX_SHA_NI
/*
 * The SHA extensions (CPUID leaf 7, EBX bit 29) and SSSE3 + SSE4.1 (leaf 1,
 * ECX bits 9 and 19), asked of the CPU once: __builtin_cpu_supports("sha")
 * is GCC's only (clang 14 rejects it).
 */
static int cpu_has_sha(void)
{
	static _Atomic int known = -1;
	unsigned a = 0, b = 0, c = 0, d = 0;
	int yes = atomic_load(&known);

	if (yes >= 0)
		return yes;
	yes = 0;
	if (__get_cpuid(1, &a, &b, &c, &d) && (c & (1u << 9)) && (c & (1u << 19)) &&
	    __get_cpuid_count(7, 0, &a, &b, &c, &d))
		yes = (b & (1u << 29)) != 0;
	atomic_store(&known, yes);
	return yes;
}
#endif

void nx_sha256__force_portable(int on)
{
	sha_portable_only = on;
}

int nx_sha256__accelerated(void)
{
#ifdef NX_SHA_NI
	return !sha_portable_only && cpu_has_sha();
#else
	return 0;
#endif
}

static void sha_blocks(uint32_t st[8], const unsigned char *p, size_t nblocks)
{
#ifdef NX_SHA_NI
	if (nx_sha256__accelerated()) {
		sha_blocks_ni(st, p, nblocks);
		return;
	}
#endif
	sha_blocks_c(st, p, nblocks);
}

void nx_sha256_init(nx_sha256_ctx *c)
{
	static const uint32_t iv[8] = {
		0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
		0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19
	};

	memcpy(c->h, iv, sizeof(iv));
	c->total = 0;
	c->used = 0;
}

void nx_sha256_update(nx_sha256_ctx *c, const void *data, size_t len)
{
	const unsigned char *p = data;
	size_t take = 0;

	c->total += len;
	if (c->used > 0) {
		take = 64 - c->used < len ? 64 - c->used : len;
		memcpy(c->block + c->used, p, take);
		c->used += take;
		p += take;
		len -= take;
		if (c->used < 64)
			return;
		sha_blocks(c->h, c->block, 1);
		c->used = 0;
	}
	if (len >= 64) {
		sha_blocks(c->h, p, len / 64);
		p += len - len % 64;
		len %= 64;
	}
	if (len > 0) {
		memcpy(c->block, p, len);
		c->used = len;
	}
}

void nx_sha256_final(nx_sha256_ctx *c, unsigned char out[32])
{
	uint64_t bits = c->total * 8;
	int i = 0;

	/* used < 64 always: 0x80, zeros up to 56 mod 64, the bit length */
	c->block[c->used++] = 0x80;
	if (c->used > 56) {
		memset(c->block + c->used, 0, 64 - c->used);
		sha_blocks(c->h, c->block, 1);
		c->used = 0;
	}
	memset(c->block + c->used, 0, 56 - c->used);
	for (i = 0; i < 8; i++)
		c->block[56 + i] = (unsigned char)(bits >> (56 - 8 * i));
	sha_blocks(c->h, c->block, 1);
	c->used = 0;
	for (i = 0; i < 8; i++) {
		out[4 * i] = (unsigned char)(c->h[i] >> 24);
		out[4 * i + 1] = (unsigned char)(c->h[i] >> 16);
		out[4 * i + 2] = (unsigned char)(c->h[i] >> 8);
		out[4 * i + 3] = (unsigned char)c->h[i];
	}
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

/*
 * vocab.c - the words of the index as they were written: each word's
 * surface form (lower case, never a stem), how often it occurs and how
 * often it starts with a capital.  "Did you mean" (search/suggest.c)
 * draws its candidates from here.
 *
 * A writer counts the words of every article it puts (title, body,
 * captions) in memory and adds the counts to the table vocab when the
 * transaction commits.  The words are counted as the tokenizer splits the
 * text for FTS5 (nx_word_sink: on the parsing thread of add when it
 * tokenizes ahead, else in FTS5's own tokenizing on the writer's), not in
 * a second pass: the tokenizer hands over each ASCII word folded, and
 * each span it does not split itself, which split() below splits; the
 * words are split()'s either way.  Removing or replacing an article leaves its counts
 * in place until optimize counts every word again; a suggestion is
 * checked against the full-text index before it is shown, so a word no
 * article holds any more is never suggested.  An index made before the
 * table existed gets it (every article read once) when a writer first
 * opens it; meta 'vocab' = 1 says the table is complete.
 */
#include "index/store_private.h"

#include <stdlib.h>
#include <string.h>

#include "util/text.h"

/* Words longer than this (in bytes) are not counted: no one misspells a URL. */
#define VOCAB_MAX_WORD 40

/*
 * The counts of a transaction: an open-addressing table of 32-byte slots,
 * each with the word's hash and length and the word itself when it has
 * up to VOCAB_INLINE bytes (all but a few in a thousand), else its place
 * in an arena; a lookup reads one slot and no other memory.  The table
 * and the arena are kept, emptied, from one commit to the next.
 */
#define VOCAB_INLINE 16

typedef struct vocab_ent {
	char w[VOCAB_INLINE]; /* the word, zero-padded, or (longer) its offset in the arena */
	uint32_t h;           /* hash of the word */
	uint32_t len;         /* bytes; 0: a free slot (a word has 2 or more) */
	uint32_t n;           /* occurrences */
	uint32_t cap;         /* of which Capitalised (Xxxx: a name, or a sentence's first word) */
} vocab_ent;

/*
 * Words wait in a ring before they are counted: the slot of each is
 * fetched into the cache (__builtin_prefetch) when it joins the ring and
 * read VOCAB_AHEAD words later, by when it has arrived.  A table of a
 * transaction's words is larger than the cache, and waiting for its
 * slots was three quarters of the time spent counting.  The words are
 * counted in the order they came, so the table is as it was without.
 */
#define VOCAB_AHEAD 16

typedef struct vocab_wait {
	char w[VOCAB_MAX_WORD + VOCAB_INLINE];
	uint32_t n, h;
	int capital;
} vocab_wait;

struct nx_vocab_acc {
	vocab_wait ring[VOCAB_AHEAD];
	unsigned ring_head, ring_n; /* oldest waiting word, how many wait */
	vocab_ent *slot; /* a power of two of them */
	size_t nslot, nused;
	uint64_t noted;  /* words counted since the table was emptied: no count passes it */
	nx_buf words;    /* the arena */
	int oom;
	nx_vocab_row *rows; /* its words sorted ahead (nx_store_vocab_sort), or NULL */
	size_t nrows;
};

static int acc_grow(nx_vocab_acc *a)
{
	size_t n = a->nslot ? a->nslot * 2 : 4096, i = 0;
	vocab_ent *s = calloc(n, sizeof(*s));

	if (s == NULL)
		return -1;
	for (i = 0; i < a->nslot; i++) {
		size_t j = 0;

		if (a->slot[i].len == 0)
			continue;
		j = a->slot[i].h & (n - 1);
		while (s[j].len != 0)
			j = (j + 1) & (n - 1);
		s[j] = a->slot[i];
	}
	free(a->slot);
	a->slot = s;
	a->nslot = n;
	return 0;
}

static const char *ent_word(const nx_vocab_acc *a, const vocab_ent *e)
{
	size_t off = 0;

	if (e->len <= VOCAB_INLINE)
		return e->w;
	memcpy(&off, e->w, sizeof(off));
	return a->words.buf + off;
}

/*
 * Count one word (w, n bytes, already lower case, zero-padded to
 * VOCAB_INLINE bytes at least; h its hash); capital: it was written Xxxx.
 */
/* The slot of word w (as acc_add takes it): its entry, or the free slot it would take. */
static inline vocab_ent *acc_slot(const nx_vocab_acc *a, const char *w, size_t n, uint32_t h)
{
	size_t j = 0;
	vocab_ent *e = NULL;

	for (j = h & (a->nslot - 1);; j = (j + 1) & (a->nslot - 1)) {
		e = &a->slot[j];
		if (e->len == 0)
			return e;
		if (e->h == h && e->len == n &&
		    (n <= VOCAB_INLINE ? memcmp(e->w, w, VOCAB_INLINE) : memcmp(ent_word(a, e), w, n)) == 0)
			return e;
	}
}

/* Count word w (as acc_add takes it) times times, capital of them Capitalised. */
static inline void acc_add_n(nx_vocab_acc *a, const char *w, size_t n, uint32_t h, uint32_t times, uint32_t capital)
{
	vocab_ent *e = NULL;

	if (a->oom || (2 * (a->nused + 1) > a->nslot && acc_grow(a) < 0)) {
		a->oom = 1;
		return;
	}
	e = acc_slot(a, w, n, h);
	if (e->len == 0) {
		e->h = h;
		e->len = (uint32_t)n;
		if (n <= VOCAB_INLINE) {
			memcpy(e->w, w, VOCAB_INLINE);
		} else {
			memcpy(e->w, &a->words.len, sizeof(a->words.len));
			nx_buf_add(&a->words, w, n);
			if (!nx_buf_ok(&a->words)) {
				a->oom = 1;
				return;
			}
		}
		a->nused++;
	}
	e->n += times;
	e->cap += capital;
}

static inline void acc_add(nx_vocab_acc *a, const char *w, size_t n, uint32_t h, int capital)
{
	acc_add_n(a, w, n, h, 1, (uint32_t)capital);
}

/* Empty the table for the next transaction, keeping its memory. */
static void acc_reset(nx_vocab_acc *a)
{
	free(a->rows);
	a->rows = NULL;
	a->nrows = 0;
	if (a->slot != NULL)
		memset(a->slot, 0, a->nslot * sizeof(*a->slot));
	a->nused = 0;
	a->noted = 0;
	nx_buf_reset(&a->words);
}

static void acc_clear(nx_vocab_acc *a)
{
	if (a == NULL)
		return;
	free(a->rows);
	free(a->slot);
	nx_buf_free(&a->words);
	memset(a, 0, sizeof(*a));
}

/*
 * 1 when code point cp is part of a word: letters and marks of any script,
 * not punctuation, symbols or spaces (the ASCII ones, Latin-1's, general
 * punctuation, CJK punctuation).  Digits are told apart by the caller.
 */
static int word_cp(uint32_t cp)
{
	if (cp < 0x80)
		return nx_isalnum((int)cp);
	if (cp < 0xC0 || cp == 0xD7 || cp == 0xF7)
		return 0;
	if ((cp >= 0x2000 && cp <= 0x2BFF) || (cp >= 0x3000 && cp <= 0x303F) || (cp >= 0xFE30 && cp <= 0xFE4F) ||
	    (cp >= 0xFF00 && cp <= 0xFF20) || cp >= 0x1F000)
		return 0;
	return 1;
}

/*
 * Bytes of one code point at s (len > 0) when it is part of a word, else
 * 0; *digit set for an ASCII digit.  ASCII, most of news text, without
 * decoding.
 */
static inline size_t word_char(const char *s, size_t len, int *digit)
{
	unsigned char c = (unsigned char)s[0];
	uint32_t cp = 0;
	size_t k = 0;

	if (c < 0x80) {
		*digit = nx_isdigit(c);
		return nx_isalnum(c) ? 1 : 0;
	}
	*digit = 0;
	k = nx_utf8_decode(s, len, &cp);
	return word_cp(cp) ? k : 0;
}

typedef void (*word_cb)(void *ctx, const char *w, size_t n, uint32_t h, int capital);

/*
 * The hash of a word w of n bytes, zero-padded to VOCAB_INLINE bytes at
 * least: its first 16 bytes as two words, multiplied and folded (the
 * table's slot is its low bits), the rest of a longer word by FNV-1a.
 * Words are counted by their bytes; the hash only places them.
 */
static inline uint32_t word_hash(const char *w, size_t n)
{
	uint64_t a = 0, b = 0, h = 0;
	size_t i = 0;

	memcpy(&a, w, 8);
	memcpy(&b, w + 8, 8);
	h = (a * UINT64_C(0x9E3779B97F4A7C15)) ^ (b * UINT64_C(0xC2B2AE3D27D4EB4F)) ^ n;
	for (i = VOCAB_INLINE; i < n; i++)
		h = (h ^ (unsigned char)w[i]) * UINT64_C(0x100000001B3);
	h *= UINT64_C(0xFF51AFD7ED558CCD);
	return (uint32_t)(h >> 32);
}

#if defined(__GNUC__) && defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
#define VOCAB_SWAR 1
#define B8(c) (UINT64_C(0x0101010101010101) * (c))

/*
 * The letters of 8 bytes of text at a time (little-endian hosts): the
 * high bit of each byte that is an ASCII letter; *low: the bytes OR 0x20
 * (a letter's lower case).  No carry crosses a byte: the sums are of
 * 7-bit values.
 */
static inline uint64_t letters8(const char *p, uint64_t *low)
{
	uint64_t x = 0, y = 0;

	memcpy(&x, p, 8);
	y = (x | B8(0x20)) & B8(0x7F);
	*low = x | B8(0x20);
	/* y >= 'a' and y <= 'z', and x < 0x80 */
	return (y + B8(0x80 - 'a')) & ~(y + B8(0x80 - 'z' - 1)) & ~x & B8(0x80);
}

/*
 * A word of 2 to 15 ASCII letters at s + i followed by an ASCII byte that
 * is neither a letter nor a digit (the common case, read 16 bytes at a
 * time; there must be 16 bytes to read): its length, and w[0..32) holds
 * it in lower case, zero-padded.  0: take the general way.
 */
static inline size_t split_fast(const char *s, size_t i, char *w)
{
	uint64_t lo0 = 0, lo1 = 0, l0 = letters8(s + i, &lo0), l1 = 0, z = 0;
	size_t m = 0;
	unsigned char next = 0;

	if (l0 != B8(0x80)) {
		m = (size_t)__builtin_ctzll(~l0 & B8(0x80)) / 8;
		lo0 &= m > 0 ? ~UINT64_C(0) >> (64 - 8 * m) : 0;
	} else {
		l1 = letters8(s + i + 8, &lo1);
		if (l1 == B8(0x80))
			return 0;
		m = 8 + (size_t)__builtin_ctzll(~l1 & B8(0x80)) / 8;
		lo1 &= m > 8 ? ~UINT64_C(0) >> (64 - 8 * (m - 8)) : 0;
	}
	next = (unsigned char)s[i + m];
	if (m < 2 || next >= 0x80 || nx_isalnum(next))
		return 0;
	memcpy(w, &lo0, 8);
	memcpy(w + 8, &lo1, 8);
	memcpy(w + 16, &z, 8);
	memcpy(w + 24, &z, 8);
	return m;
}
#endif

/* The words of s[0..len) to cb, lower case, zero-padded, with their hash (word_hash). */
static inline void split(const char *s, size_t len, word_cb cb, void *ctx)
{
	char w[VOCAB_MAX_WORD + VOCAB_INLINE];
	size_t i = 0;

	while (i < len) {
		size_t start = i, wn = 0, k = 0;
		int digit = 0, d = 0, capital = 0, toolong = 0;

		if ((k = word_char(s + i, len - i, &d)) == 0) {
			/* not a word: skip the code point (a byte of ASCII or a bad one) */
			uint32_t cp = 0;

			i += (unsigned char)s[i] < 0x80 ? 1 : nx_utf8_decode(s + i, len - i, &cp);
			continue;
		}
#ifdef VOCAB_SWAR
		if (len - i >= 16 && (wn = split_fast(s, i, w)) != 0) {
			i += wn + 1; /* and the separator after it */
			capital = nx_isupper((unsigned char)s[start]) && nx_islower((unsigned char)s[start + 1]);
			cb(ctx, w, wn, word_hash(w, wn), capital);
			continue;
		}
#endif
		/* a word: a run of word code points */
		while (i < len) {
			unsigned char c = (unsigned char)s[i], l = c | 0x20;

			/* ASCII, most of news text: a letter (l is it in lower case) or a digit */
			if (c < 0x80) {
				if (l < 'a' || l > 'z') {
					if (c < '0' || c > '9')
						break;
					l = c;
					digit = 1;
				}
				if (wn < VOCAB_MAX_WORD)
					w[wn++] = (char)l;
				else
					toolong = 1;
				i++;
				continue;
			}
			if ((k = word_char(s + i, len - i, &d)) == 0)
				break;
			digit |= d;
			if (wn + k <= VOCAB_MAX_WORD) {
				size_t m = 0;

				for (m = 0; m < k; m++)
					w[wn + m] = (char)(k == 1 ? nx_tolower((unsigned char)s[i]) : s[i + m]);
				wn += k;
			} else {
				toolong = 1;
			}
			i += k;
		}
		if (digit || toolong || wn < 2)
			continue;
		memset(w + wn, 0, VOCAB_INLINE);
		/* Xxxx: a capital, then a lower-case letter (not an all-capitals headline) */
		capital = nx_isupper((unsigned char)s[start]) && i - start > 1 && nx_islower((unsigned char)s[start + 1]);
		cb(ctx, w, wn, word_hash(w, wn), capital);
	}
}

typedef struct split_ctx {
	nx_vocab_word_cb cb;
	void *ctx;
} split_ctx;

static void to_user(void *ctx, const char *w, size_t n, uint32_t h, int capital)
{
	split_ctx *c = ctx;

	(void)h;
	c->cb(c->ctx, w, n, capital);
}

void nx_vocab_split(const char *s, size_t len, nx_vocab_word_cb cb, void *ctx)
{
	split_ctx c = { cb, ctx };

	split(s, len, to_user, &c);
}

static inline void prefetch_slot(const nx_vocab_acc *a, uint32_t h)
{
#if defined(__GNUC__)
	if (a->nslot > 0)
		__builtin_prefetch(&a->slot[h & (a->nslot - 1)], 0, 3);
#else
	(void)a;
	(void)h;
#endif
}

/* Count the oldest waiting word. */
static inline void ring_pop(nx_vocab_acc *a)
{
	const vocab_wait *q = &a->ring[a->ring_head];

	acc_add(a, q->w, q->n, q->h, q->capital);
	a->ring_head = (a->ring_head + 1) % VOCAB_AHEAD;
	a->ring_n--;
}

/* Count every waiting word: before the table is read, emptied or grown by anyone else. */
static void ring_drain(nx_vocab_acc *a)
{
	while (a->ring_n > 0)
		ring_pop(a);
}

/* w: the word, zero-padded to VOCAB_INLINE bytes; a longer one followed by VOCAB_INLINE bytes to read */
static void note_word(void *ctx, const char *w, size_t n, uint32_t h, int capital)
{
	nx_vocab_acc *a = ctx;
	vocab_wait *q = NULL;

	if (a->ring_n == VOCAB_AHEAD)
		ring_pop(a);
	q = &a->ring[(a->ring_head + a->ring_n) % VOCAB_AHEAD];
	/* a fixed size for the short words, the most: a copy inlined */
	if (n <= VOCAB_INLINE)
		memcpy(q->w, w, VOCAB_INLINE);
	else
		memcpy(q->w, w, n + VOCAB_INLINE);
	q->n = (uint32_t)n;
	q->h = h;
	q->capital = capital;
	a->ring_n++;
	prefetch_slot(a, h);
}

/* The words of text[0..len) into a's counts. */
static void acc_note(nx_vocab_acc *a, const char *text, size_t len)
{
	split(text, len, note_word, a);
	ring_drain(a);
}

#ifdef VOCAB_SWAR
/* 1 when a word of up to VOCAB_INLINE ASCII letters and digits, lower case and zero-padded, holds a digit */
static inline int has_digit16(const char *w)
{
	uint64_t x = 0, y = 0;

	/* a digit is 0x30-0x39, a letter 0x61-0x7A, padding 0: a digit alone has 0x20 without 0x40 */
	memcpy(&x, w, 8);
	memcpy(&y, w + 8, 8);
	return ((x & ~(x >> 1)) | (y & ~(y >> 1))) & B8(0x20) ? 1 : 0;
}
#endif

/*
 * The words of a span of text as the tokenizer hands it over (see
 * nx_word_sink) to cb, as split gives them: a span that is not one ASCII
 * word (low NULL) is split; an ASCII word, already folded, is checked
 * against split's rules (2 to VOCAB_MAX_WORD bytes, no digit) and hashed.
 */
static inline void span_words(const char *s, size_t n, const char *low, word_cb cb, void *ctx)
{
	char w[VOCAB_MAX_WORD + VOCAB_INLINE];
	size_t i = 0;
	int capital = 0;

	if (low == NULL) {
		split(s, n, cb, ctx);
		return;
	}
	if (n < 2 || n > VOCAB_MAX_WORD)
		return;
	capital = nx_isupper((unsigned char)s[0]) && nx_islower((unsigned char)s[1]);
#ifdef VOCAB_SWAR
	if (n <= VOCAB_INLINE) {
		if (!has_digit16(low))
			cb(ctx, low, n, word_hash(low, n), capital);
		return;
	}
#endif
	for (i = 0; i < n; i++)
		if (nx_isdigit((unsigned char)low[i]))
			return;
	memcpy(w, low, n);
	memset(w + n, 0, VOCAB_INLINE);
	cb(ctx, w, n, word_hash(w, n), capital);
}

void nx_vocab_span(const char *s, size_t n, const char *low, nx_vocab_word_cb cb, void *ctx)
{
	split_ctx c = { cb, ctx };

	span_words(s, n, low, to_user, &c);
}

void nx_store__vocab_span(void *ctx, const char *s, size_t n, const char *low)
{
	span_words(s, n, low, note_word, ctx);
}

void nx_store__vocab_note_text(nx_vocab_acc *a, const char *text, size_t len)
{
	acc_note(a, text, len);
}

void nx_store__vocab_span_end(nx_vocab_acc *a)
{
	ring_drain(a);
}

void nx_store__vocab_broken(nx_vocab_acc *a)
{
	ring_drain(a);
	a->oom = 1;
}

int nx_store__vocab_note(nx_store *st, const char *text)
{
	return text != NULL ? nx_store__vocab_note_n(st, text, strlen(text)) : NX_OK;
}

static nx_vocab_acc *acc_new(void)
{
	nx_vocab_acc *a = calloc(1, sizeof(*a));

	if (a != NULL)
		nx_buf_init(&a->words);
	return a;
}

void nx_store_vocab_free(nx_vocab_acc *a)
{
	acc_clear(a);
	free(a);
}

/*
 * Count the words of text into *acc (made when NULL): 1 counted, 0 not
 * (a count could pass 32 bits: the caller leaves the text to the
 * writer), < 0 out of memory.
 */
int nx_store__vocab_note_acc(nx_vocab_acc **acc, const char *text, size_t len)
{
	int rc = nx_store__vocab_reserve(acc, len);

	if (rc > 0)
		acc_note(*acc, text, len);
	return rc > 0 && (*acc)->oom ? NX_ENOMEM : rc;
}

int nx_store__vocab_reserve(nx_vocab_acc **acc, size_t len)
{
	if (*acc == NULL && (*acc = acc_new()) == NULL)
		return NX_ENOMEM;
	if ((*acc)->noted + len >= UINT32_MAX)
		return 0;
	(*acc)->noted += len;
	return 1;
}

static nx_vocab_row *acc_rows(const nx_vocab_acc *a, size_t *nrows);

void nx_store_vocab_sort(nx_vocab_acc *a)
{
	if (a != NULL && !a->oom && a->nused > 0 && a->rows == NULL)
		a->rows = acc_rows(a, &a->nrows); /* NULL: the writer sorts them */
}

/*
 * Take back the counts in debt (words of articles counted ahead but not
 * written) from a; an entry whose count falls to 0 is left out of the
 * rows (acc_rows).
 */
static void acc_sub(nx_vocab_acc *a, const nx_vocab_acc *debt)
{
	size_t i = 0;

	for (i = 0; a->nslot > 0 && debt != NULL && i < debt->nslot; i++) {
		const vocab_ent *d = &debt->slot[i];
		char w[VOCAB_INLINE];
		vocab_ent *e = NULL;

		if (d->len == 0)
			continue;
		/* rows sorted ahead no longer hold the counts */
		free(a->rows);
		a->rows = NULL;
		if (d->len <= VOCAB_INLINE)
			memcpy(w, d->w, VOCAB_INLINE);
		e = acc_slot(a, d->len <= VOCAB_INLINE ? w : ent_word(debt, d), d->len, d->h);
		if (e->len == 0)
			continue;
		e->n -= d->n < e->n ? d->n : e->n;
		e->cap -= d->cap < e->cap ? d->cap : e->cap;
	}
}

/* Add the counts of src to dst (the caller checked that they stay under 32 bits). */
static void acc_fold(nx_vocab_acc *dst, const nx_vocab_acc *src)
{
	size_t i = 0;

	free(dst->rows); /* rows sorted ahead no longer hold the counts */
	dst->rows = NULL;
	dst->noted += src->noted;
	for (i = 0; i < src->nslot && !dst->oom; i++) {
		const vocab_ent *e = &src->slot[i];

		if (e->len > 0)
			acc_add_n(dst, ent_word(src, e), e->len, e->h, e->n, e->cap);
	}
}

int nx_store_vocab_adopt(nx_store *st, nx_vocab_acc **acc, nx_error *err)
{
	nx_vocab_acc *mine = NULL;

	if (*acc == NULL)
		return NX_OK;
	if ((*acc)->oom || (st->vocab_debt != NULL && st->vocab_debt->oom)) {
		nx_store__vocab_discard(st);
		return nx_error_set(err, NX_ENOMEM, "out of memory counting the words of the index");
	}
	/*
	 * words the writer counted itself (as FTS5 tokenized the articles the
	 * reader did not) join them, in memory while the counts stay under
	 * 32 bits, else go in first
	 */
	if (st->vocab != NULL && st->vocab->nused > 0 && (*acc)->nused > 0 &&
	    (*acc)->noted + st->vocab->noted < UINT32_MAX) {
		/* the smaller table into the larger, which *acc then holds */
		if (st->vocab->nused > (*acc)->nused) {
			mine = st->vocab;
			st->vocab = *acc;
			*acc = mine;
		}
		acc_fold(*acc, st->vocab);
		acc_reset(st->vocab);
		if ((*acc)->oom) {
			nx_store__vocab_discard(st);
			return nx_error_set(err, NX_ENOMEM, "out of memory counting the words of the index");
		}
	}
	if (st->vocab != NULL && st->vocab->nused > 0 && nx_store__vocab_flush(st, err) < 0)
		return err != NULL ? err->code : NX_EDB;
	if (st->vocab_debt != NULL && st->vocab_debt->nused > 0) {
		acc_sub(*acc, st->vocab_debt);
		acc_reset(st->vocab_debt);
	}
	mine = st->vocab;
	if (mine != NULL)
		acc_reset(mine);
	st->vocab = *acc;
	*acc = mine;
	return NX_OK;
}

int nx_store__vocab_unnote(nx_store *st, const char *text, size_t len)
{
	return text != NULL && nx_store__vocab_note_acc(&st->vocab_debt, text, len) < 0 ? NX_ENOMEM : NX_OK;
}

int nx_store__vocab_acc(nx_store *st, size_t len, nx_vocab_acc **acc)
{
	*acc = NULL;
	if (st->vocab == NULL && (st->vocab = acc_new()) == NULL)
		return NX_ENOMEM;
	/* a text has fewer words than bytes: flush before a count could pass 32 bits */
	if (st->vocab->noted + len >= UINT32_MAX && nx_store__vocab_flush(st, NULL) < 0)
		return NX_EDB;
	if (st->vocab == NULL && (st->vocab = acc_new()) == NULL)
		return NX_ENOMEM;
	st->vocab->noted += len;
	*acc = st->vocab;
	return NX_OK;
}

int nx_store__vocab_oom(const nx_vocab_acc *a)
{
	return a->oom;
}

int nx_store__vocab_note_n(nx_store *st, const char *text, size_t len)
{
	nx_vocab_acc *a = NULL;
	int rc = nx_store__vocab_acc(st, len, &a);

	if (rc < 0)
		return rc;
	acc_note(a, text, len);
	return a->oom ? NX_ENOMEM : NX_OK;
}

void nx_store__vocab_discard(nx_store *st)
{
	nx_store_vocab_free(st->vocab);
	st->vocab = NULL;
	nx_store_vocab_free(st->vocab_debt);
	st->vocab_debt = NULL;
}

/* The counted words in the table's order: the blocks are then merged front to back. */
static nx_vocab_row *acc_rows(const nx_vocab_acc *a, size_t *nrows)
{
	nx_vocab_row *v = malloc(a->nused * sizeof(*v));
	size_t i = 0, n = 0;

	if (v == NULL)
		return NULL;
	for (i = 0; i < a->nslot; i++) {
		const vocab_ent *e = &a->slot[i];

		if (e->len == 0 || e->n == 0)
			continue;
		v[n].w = ent_word(a, e);
		v[n].len = e->len;
		v[n].n = e->n;
		v[n++].cap = e->cap;
	}
	qsort(v, n, sizeof(*v), nx_vocab_row_cmp);
	*nrows = n;
	return v;
}

int nx_store__vocab_flush(nx_store *st, nx_error *err)
{
	nx_vocab_row *v = NULL;
	size_t n = 0;
	int rc = NX_OK;

	if (st->vocab == NULL || st->vocab->nused == 0)
		return NX_OK;
	/* sorted ahead on the parsing thread, or here */
	if (st->vocab->rows != NULL) {
		v = st->vocab->rows;
		n = st->vocab->nrows;
		st->vocab->rows = NULL;
	} else if (st->vocab->oom || (v = acc_rows(st->vocab, &n)) == NULL) {
		nx_store__vocab_discard(st);
		return nx_error_set(err, NX_ENOMEM, "out of memory counting the words of the index");
	}
	rc = n > 0 ? nx_store__vocab_merge(st, v, n, err) : NX_OK;
	free(v);
	if (rc == NX_OK)
		acc_reset(st->vocab);
	else
		nx_store__vocab_discard(st);
	return rc;
}

/* Count every word of every article again, inside the caller's transaction. */
static int vocab_recount(nx_store *st, nx_error *err)
{
	sqlite3_stmt *s = NULL;
	int rc = NX_OK, step = 0;

	nx_store__vocab_discard(st);
	if ((rc = nx_store__exec(st, "DELETE FROM vocab_block", err, "cannot count the words of the index")) < 0)
		return rc;
	if (sqlite3_prepare_v2(st->db, "SELECT title, captions, body_z FROM article", -1, &s, NULL) != SQLITE_OK)
		return nx_store__dberr(st, err, "cannot count the words of the index");
	while ((step = sqlite3_step(s)) == SQLITE_ROW && rc == NX_OK) {
		nx_buf body = NX_BUF_INIT;

		if ((rc = nx_store__vocab_note(st, (const char *)sqlite3_column_text(s, 0))) == NX_OK)
			rc = nx_store__vocab_note(st, (const char *)sqlite3_column_text(s, 1));
		/* a damaged body (check reports it) leaves its words out, nothing more */
		if (rc == NX_OK && nx_store__inflate(st, &body, sqlite3_column_blob(s, 2),
						     (size_t)sqlite3_column_bytes(s, 2)) == NX_OK)
			rc = nx_store__vocab_note(st, body.buf);
		nx_buf_free(&body);
		/* flush now and then: the counts of a large index stay small in memory */
		if (rc == NX_OK && st->vocab != NULL && st->vocab->nused > 2000000)
			rc = nx_store__vocab_flush(st, err);
	}
	if (rc == NX_ENOMEM)
		rc = nx_error_set(err, NX_ENOMEM, "out of memory counting the words of the index");
	else if (rc == NX_OK && step != SQLITE_DONE)
		rc = nx_store__dberr(st, err, "cannot count the words of the index");
	sqlite3_finalize(s);
	if (rc == NX_OK)
		rc = nx_store__vocab_flush(st, err);
	nx_store__vocab_discard(st);
	return rc;
}

static const char vocab_table_sql[] =
	"CREATE TABLE IF NOT EXISTS vocab_block(w TEXT PRIMARY KEY, z BLOB NOT NULL) WITHOUT ROWID";

/* meta 'vocab': 0 no words yet, 1 all in table vocab (up to round 8), 2 all in vocab_block */
static int64_t vocab_state(nx_store *st)
{
	int64_t v = 0;

	if (nx_store__query_int(st, "SELECT coalesce((SELECT value FROM meta WHERE key = 'vocab'), 0)", &v) < 0)
		return 0;
	return v;
}

int nx_store__vocab_ready(nx_store *st)
{
	int64_t v = vocab_state(st);

	return v == 1 || v == 2;
}

/* 1 when the index has the table vocab of round 8 (else "vocab" is the reader of the blocks) */
static int has_old_table(nx_store *st)
{
	int64_t n = 0;

	return nx_store__query_int(st, "SELECT count(*) FROM sqlite_schema WHERE type = 'table' AND name = 'vocab'",
				   &n) == 0 &&
	       n > 0;
}

/*
 * Run sql[0..n) in a transaction of its own, fill(st, err) in place of the
 * NULL among them; what: the error's start.
 */
static int in_transaction(nx_store *st, const char *const *sql, size_t n, int (*fill)(nx_store *, nx_error *),
			  const char *what, nx_error *err)
{
	size_t i = 0;
	int rc = NX_OK;

	if ((rc = nx_store__exec(st, "BEGIN IMMEDIATE", err, what)) < 0)
		return rc;
	for (i = 0; i < n && rc == NX_OK; i++)
		rc = sql[i] == NULL ? fill(st, err) : nx_store__exec(st, sql[i], err, what);
	if (rc < 0)
		sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
	return rc;
}

int nx_store__vocab_rebuild(nx_store *st, nx_error *err)
{
	const char *const sql[] = {
		vocab_table_sql,
		NULL, /* the count */
		has_old_table(st) ? "DROP TABLE main.vocab" : "SELECT 1",
		"INSERT OR REPLACE INTO meta(key, value) VALUES('vocab', 2)",
		"COMMIT",
	};

	return in_transaction(st, sql, sizeof(sql) / sizeof(sql[0]), vocab_recount, "cannot count the words of the index",
			      err);
}

/* Merge the words of v[0..*n), their bytes end to end in words, and empty both. */
static int convert_chunk(nx_store *st, nx_vocab_row *v, size_t *n, nx_buf *words, nx_error *err)
{
	size_t i = 0, off = 0;
	int rc = NX_OK;

	/* the buffer may have moved as it grew: point into it now */
	for (i = 0; i < *n; i++) {
		v[i].w = words->buf + off;
		off += v[i].len;
	}
	if (*n > 0)
		rc = nx_store__vocab_merge(st, v, *n, err);
	*n = 0;
	nx_buf_reset(words);
	return rc;
}

/* The rows of the table vocab of round 8 into blocks, in chunks (the caller's transaction). */
static int convert_rows(nx_store *st, nx_error *err)
{
	enum { CHUNK = 65536 };
	nx_vocab_row *v = malloc(CHUNK * sizeof(*v));
	nx_buf words = NX_BUF_INIT;
	sqlite3_stmt *s = NULL;
	size_t n = 0;
	int rc = NX_OK, step = 0;

	if (v == NULL)
		return nx_error_set(err, NX_ENOMEM, "out of memory converting the words of the index");
	if (sqlite3_prepare_v2(st->db, "SELECT w, n, cap FROM main.vocab ORDER BY w", -1, &s, NULL) != SQLITE_OK)
		rc = nx_store__dberr(st, err, "cannot convert the words of the index");
	while (rc == NX_OK && (step = sqlite3_step(s)) == SQLITE_ROW) {
		size_t len = (size_t)sqlite3_column_bytes(s, 0);

		if (sqlite3_column_type(s, 0) != SQLITE_TEXT || len == 0 || len > VOCAB_MAX_WORD)
			continue;
		nx_buf_add(&words, (const char *)sqlite3_column_text(s, 0), len);
		v[n].len = len;
		v[n].n = sqlite3_column_int64(s, 1);
		v[n++].cap = sqlite3_column_int64(s, 2);
		if (!nx_buf_ok(&words))
			rc = nx_error_set(err, NX_ENOMEM, "out of memory converting the words of the index");
		else if (n == CHUNK)
			rc = convert_chunk(st, v, &n, &words, err);
	}
	if (rc == NX_OK && step != SQLITE_DONE)
		rc = nx_store__dberr(st, err, "cannot convert the words of the index");
	sqlite3_finalize(s);
	if (rc == NX_OK)
		rc = convert_chunk(st, v, &n, &words, err);
	free(v);
	nx_buf_free(&words);
	return rc;
}

/*
 * An index whose words are in the table vocab of round 8 (meta 'vocab' =
 * 1): its rows into blocks and the table dropped, in one transaction; no
 * article is read.
 */
static int vocab_convert(nx_store *st, nx_error *err)
{
	static const char *const sql[] = {
		vocab_table_sql,
		"DELETE FROM vocab_block",
		NULL, /* the rows */
		"DROP TABLE main.vocab",
		"INSERT OR REPLACE INTO meta(key, value) VALUES('vocab', 2)",
		"COMMIT",
	};

	return in_transaction(st, sql, sizeof(sql) / sizeof(sql[0]), convert_rows,
			      "cannot convert the words of the index", err);
}

int nx_store__vocab_upgrade(nx_store *st, nx_error *err)
{
	int64_t v = vocab_state(st);

	if (v == 2)
		return NX_OK;
	if (v == 1 && has_old_table(st))
		return vocab_convert(st, err);
	return nx_store__vocab_rebuild(st, err);
}

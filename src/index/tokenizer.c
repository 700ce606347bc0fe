/*
 * tokenizer.c - the "nx" FTS5 tokenizer (see tokenizer.h), language
 * markers, the language guesser and stop words.
 */
#include "index/tokenizer.h"

#include <libstemmer.h>
#include <pthread.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "newsidx/error.h"
#include "util/swar.h"
#include "util/text.h"

static const struct {
	const char *tag;
	const char *snowball;
} stemmers[] = {
	{ "en", "english" }, { "de", "german" }, { "fr", "french" }, { "es", "spanish" },
	{ "it", "italian" }, { "pt", "portuguese" }, { "nl", "dutch" }, { "sv", "swedish" },
	{ "da", "danish" }, { "no", "norwegian" }, { "nb", "norwegian" }, { "nn", "norwegian" },
	{ "fi", "finnish" }, { "ru", "russian" }, { "tr", "turkish" }, { "ro", "romanian" },
	{ "hu", "hungarian" }, { "ar", "arabic" }, { "el", "greek" }, { "hi", "hindi" },
	{ "id", "indonesian" }, { "ga", "irish" }, { "lt", "lithuanian" }, { "ne", "nepali" },
	{ "sr", "serbian" }, { "ta", "tamil" }, { "ca", "catalan" }, { "eu", "basque" },
	{ "hy", "armenian" }, { "yi", "yiddish" },
};
#define NSTEM ((int)(sizeof(stemmers) / sizeof(stemmers[0])))
#define MAX_QUERY_LANGS 16

static int lang_index(const char *tag, size_t n)
{
	int i = 0;

	for (i = 0; i < NSTEM; i++)
		if (strlen(stemmers[i].tag) == n && memcmp(stemmers[i].tag, tag, n) == 0)
			return i;
	return -1;
}

int nx_lang_has_stemmer(const char *lang)
{
	return lang != NULL && lang_index(lang, strlen(lang)) >= 0;
}

void nx_lang_mark(nx_buf *out, const char *lang, const char *text, size_t len)
{
	nx_buf_addch(out, NX_LANG_MARK);
	if (lang != NULL && strlen(lang) <= 8)
		nx_buf_adds(out, lang);
	nx_buf_addch(out, NX_LANG_MARK);
	nx_buf_add(out, text, len);
}

size_t nx_lang_mark_len(const char *s, size_t len)
{
	size_t i = 0;

	if (len < 2 || s[0] != NX_LANG_MARK)
		return 0;
	for (i = 1; i < len && i <= 9; i++)
		if (s[i] == NX_LANG_MARK)
			return i + 1;
	return 0;
}

/* Per-connection settings, shared by every tokenizer instance. */
typedef struct tok_global {
	int qlang[MAX_QUERY_LANGS]; /* indexes into stemmers[] */
	int nqlang;
	int drop_stop;              /* stop list of English words left out: 0 none, 1, 2 */
	nx_tape *offer;             /* tapes the writer offers (its thread only) */
	int noffer;
	nx_word_sink *sinks;        /* sinks of the words of texts it offers (nx_tokenizer_offer_words) */
	int nsinks;
} tok_global;

/*
 * The commonest English function words, left out of the index: "the",
 * "of", "and"... are a fifth of all positions FTS5 stores and a fifth of
 * its index, and no one searches for them alone.  Words that are also
 * names or abbreviations in news stay (US, WHO, May, Will), and so do no
 * and not; "it" goes, though IT is sometimes meant.  The same words are
 * left out of queries, so a phrase still matches: "told the BBC" is
 * "told BBC" on both sides.
 *
 * Two lists, and an index uses one for ever (its schema says which):
 * list 1 (schema 2) is drop_words, list 2 (schema 3 on) adds drop_words2,
 * another 4% of positions -- the s of "Reuters's" and the t of "don't"
 * among them.
 */
static const char *const drop_words[] = {
	"a", "also", "an", "and", "are", "as", "at", "be", "been", "but", "by", "could", "did", "do",
	"does", "for", "from", "had", "has", "have", "he", "her", "him", "his", "i", "if", "in", "into",
	"is", "it", "its", "me", "my", "of", "on", "or", "our", "she", "should", "so", "than", "that",
	"the", "their", "them", "then", "there", "these", "they", "this", "those", "to", "was", "we",
	"were", "which", "with", "would", "you", "your",
};

static const char *const drop_words2[] = {
	"about", "after", "again", "all", "am", "any", "because", "before", "being", "between",
	"both", "can", "each", "having", "here", "how", "itself", "just", "more", "most", "much",
	"nor", "now", "off", "once", "only", "other", "out", "over", "own", "s", "same", "some",
	"such", "t", "through", "too", "under", "until", "up", "very", "what", "when", "where",
	"while", "whom", "whose", "why",
};

#define NDROP1 (sizeof(drop_words) / sizeof(drop_words[0]))
#define NDROP2 (NDROP1 + sizeof(drop_words2) / sizeof(drop_words2[0]))

/* A word of up to 7 bytes as one number: the test runs for every token. */
static uint64_t pack_word(const char *w, int n)
{
	uint64_t k = (uint64_t)n << 56;
	int i = 0;

	for (i = 0; i < n; i++)
		k |= (uint64_t)(unsigned char)w[i] << (8 * i);
	return k;
}

/*
 * The words of both lists in an open-addressing table (1,024 slots for
 * 110 words: a word not in it costs about one probe), each with the first
 * list it is on.  A binary search over the sorted keys took 2% of `add`.
 */
#define DROP_SLOTS 1024

static uint64_t drop_key[DROP_SLOTS];   /* 0: empty (a key holds its length) */
static unsigned char drop_list[DROP_SLOTS];
static pthread_once_t drop_once = PTHREAD_ONCE_INIT;

static size_t drop_slot(uint64_t k)
{
	return (size_t)((k * UINT64_C(0x9E3779B97F4A7C15)) >> 54);
}

static void drop_put(const char *w, unsigned char list)
{
	uint64_t k = pack_word(w, (int)strlen(w));
	size_t i = drop_slot(k);

	while (drop_key[i] != 0 && drop_key[i] != k)
		i = (i + 1) & (DROP_SLOTS - 1);
	if (drop_key[i] == 0 || drop_list[i] > list) {
		drop_key[i] = k;
		drop_list[i] = list;
	}
}

/* An ASCII letter or digit as unicode61 folds it; 0: any other byte (filled below) */
static unsigned char ascii_fold[256];

/* The stop lists and ascii_fold: once a process (pthread_once), before any tokenizer runs. */
static void drop_init(void)
{
	size_t i = 0;

	for (i = 0; i < NDROP1; i++)
		drop_put(drop_words[i], 1);
	for (i = NDROP1; i < NDROP2; i++)
		drop_put(drop_words2[i - NDROP1], 2);
	for (i = 0; i < 128; i++)
		if (nx_isalnum((int)i))
			ascii_fold[i] = (unsigned char)nx_tolower((int)i);
}

/*
 * Words of up to TOK_PAD bytes travel zero-padded to TOK_PAD bytes (the
 * ASCII words tokenize_runs splits, and every word in the ring below): they
 * are copied, hashed, compared and packed a machine word at a time.
 */
#define TOK_PAD 16
#if defined(__GNUC__) && defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
#define TOK_SWAR 1
#endif

/*
 * Is w (n bytes, lower case) on stop list 'list' (1 or 2; 0: none)?  padded:
 * w is zero-padded to TOK_PAD bytes.  After pthread_once(&drop_once, drop_init).
 */
static int is_drop_word(const char *w, int n, int list, int padded)
{
	uint64_t k = 0;
	size_t i = 0;

	if (list <= 0 || n < 1 || n > 7 || w[0] < 'a' || w[0] > 'y')
		return 0;
#ifdef TOK_SWAR
	/* pack_word's number: the bytes in order, the eighth zero, then the length */
	k = padded ? nx_swar_load(w) | (uint64_t)n << 56 : pack_word(w, n);
#else
	(void)padded;
	k = pack_word(w, n);
#endif
	for (i = drop_slot(k); drop_key[i] != 0; i = (i + 1) & (DROP_SLOTS - 1))
		if (drop_key[i] == k)
			return drop_list[i] <= list;
	return 0;
}

/*
 * A direct-mapped cache of word -> stem: a few thousand words make up most
 * of any text.  Since each word's slot is fetched ahead (the ring below),
 * a larger table costs no waiting, only memory: 65,536 slots (4 MB,
 * allocated zeroed, so a tokenizer that stems little -- a search --
 * touches few of its pages) send a tenth fewer of a one-core load's CPU
 * seconds to Snowball than the 4,096 before the ring (20k bench corpus,
 * `taskset -c 0`, 4 alternating runs: 10.31 -> 9.53 CPU s in all).  The
 * table is mapped anonymously (stem_cache_new), not calloc'd: its pages
 * are zero until written, so a process (a server with a connection per
 * thread) holds only the slots it used, never 4 MB a tokenizer.
 */
#define STEM_CACHE NX_STEM_CACHE
#define STEM_MAX 30

typedef struct stem_slot {
	unsigned char lang; /* stemmer index + 1; 0: empty */
	unsigned char wlen;
	unsigned char slen;
	unsigned char spare; /* a slot of 64 bytes: one cache line (the table is page-aligned) */
	char word[STEM_MAX]; /* zero-padded to TOK_PAD bytes when wlen <= TOK_PAD */
	char stem[STEM_MAX];
} stem_slot;

_Static_assert(sizeof(stem_slot) == 64, "a slot of the cache of stems is one cache line");

/* STEM_CACHE empty slots, pages given on first write; NULL when out of memory. */
static stem_slot *stem_cache_new(void)
{
	void *p = mmap(NULL, STEM_CACHE * sizeof(stem_slot), PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	return p == MAP_FAILED ? NULL : p;
}

static void stem_cache_free(stem_slot *c)
{
	if (c != NULL)
		munmap(c, STEM_CACHE * sizeof(stem_slot));
}

typedef struct nx_tok {
	fts5_tokenizer inner_api;
	Fts5Tokenizer *inner;
	tok_global *g;
	struct sb_stemmer *stem[NSTEM]; /* created on first use */
	int broken[NSTEM];
	stem_slot *cache; /* STEM_CACHE slots */
} nx_tok;

fts5_api *nx_fts5_api(sqlite3 *db)
{
	fts5_api *api = NULL;
	sqlite3_stmt *s = NULL;

	if (sqlite3_prepare_v2(db, "SELECT fts5(?1)", -1, &s, NULL) != SQLITE_OK)
		return NULL;
	sqlite3_bind_pointer(s, 1, (void *)&api, "fts5_api_ptr", NULL);
	sqlite3_step(s);
	sqlite3_finalize(s);
	return api;
}

typedef struct reg {
	fts5_api *api;
	tok_global g;
	Fts5Tokenizer *kept; /* nx_tokenizer_kept's, made on first use */
} reg;

/* The registration of "nx" on db (api: its methods, or NULL), or NULL. */
static reg *reg_of(sqlite3 *db, fts5_tokenizer *api)
{
	fts5_api *f = nx_fts5_api(db);
	fts5_tokenizer mine;
	void *ud = NULL;

	if (f == NULL || f->xFindTokenizer(f, "nx", &ud, api != NULL ? api : &mine) != SQLITE_OK)
		return NULL;
	return ud;
}

static int tok_create(void *ctx, const char **argv, int argc, Fts5Tokenizer **out)
{
	static const char *inner_args[] = { "remove_diacritics", "2", "categories", "L* N* Co Mc Mn" };
	reg *r = ctx;
	nx_tok *t = NULL;
	void *ud = NULL;
	int rc = SQLITE_OK;

	(void)argv;
	(void)argc;
	*out = NULL;
	pthread_once(&drop_once, drop_init); /* once here, not at every word */
	t = calloc(1, sizeof(*t));
	if (t == NULL)
		return SQLITE_NOMEM;
	t->g = &r->g;
	t->cache = stem_cache_new();
	if (t->cache == NULL) {
		free(t);
		return SQLITE_NOMEM;
	}
	rc = r->api->xFindTokenizer(r->api, "unicode61", &ud, &t->inner_api);
	if (rc == SQLITE_OK)
		rc = t->inner_api.xCreate(ud, inner_args, 4, &t->inner);
	if (rc != SQLITE_OK) {
		stem_cache_free(t->cache);
		free(t);
		return rc;
	}
	*out = (Fts5Tokenizer *)t;
	return SQLITE_OK;
}

static void tok_delete(Fts5Tokenizer *p)
{
	nx_tok *t = (nx_tok *)p;
	int i = 0;

	if (t == NULL)
		return;
	for (i = 0; i < NSTEM; i++)
		if (t->stem[i] != NULL)
			sb_stemmer_delete(t->stem[i]);
	t->inner_api.xDelete(t->inner);
	stem_cache_free(t->cache);
	free(t);
}

/* 1 when tok[0..n) in language li may have a slot in the cache of stems */
static inline int stem_cached(int li, int n)
{
	return li >= 0 && n >= 3 && n <= STEM_MAX;
}

/*
 * The hash of a word in language li: its slot in the cache of stems.  The
 * word's first TOK_PAD bytes, zero-padded, as two machine words a and b,
 * multiplied and folded; the bytes past them (tok[TOK_PAD..n)) by FNV-1a.
 * A multiply a word, not a byte: FNV-1a over every byte was a chain of
 * multiplies each waiting for the last, in the loop that splits the text.
 */
static inline uint32_t stem_mix(int li, uint64_t a, uint64_t b, const char *tok, int n)
{
	uint64_t h = (a * UINT64_C(0x9E3779B97F4A7C15)) ^ (b * UINT64_C(0xC2B2AE3D27D4EB4F)) ^
		     ((uint64_t)(unsigned)n << 8 | (uint64_t)(unsigned char)li);
	int k = 0;

	for (k = TOK_PAD; k < n; k++)
		h = (h ^ (unsigned char)tok[k]) * UINT64_C(0x100000001B3);
	h ^= h >> 29;
	h *= UINT64_C(0xFF51AFD7ED558CCD);
	return (uint32_t)(h >> 32);
}

/* The hash of tok[0..n) in language li (stem_mix), tok zero-padded to TOK_PAD bytes. */
static inline uint32_t stem_hash_padded(int li, const char *tok, int n)
{
	uint64_t a = 0, b = 0;

	memcpy(&a, tok, 8);
	memcpy(&b, tok + 8, 8);
	return stem_mix(li, a, b, tok, n);
}

/* The hash of tok[0..n) in language li (stem_mix), any tok. */
static inline uint32_t stem_hash(int li, const char *tok, int n)
{
	char pad[TOK_PAD];
	uint64_t a = 0, b = 0;

	memset(pad, 0, sizeof(pad));
	memcpy(pad, tok, (size_t)(n < TOK_PAD ? (n > 0 ? n : 0) : TOK_PAD));
	memcpy(&a, pad, 8);
	memcpy(&b, pad + 8, 8);
	return stem_mix(li, a, b, tok, n);
}

/* 1 when slot holds the word tok[0..n) of language li; padded: tok is zero-padded to TOK_PAD bytes */
static inline int stem_slot_is(const stem_slot *slot, int li, const char *tok, int n, int padded)
{
	if (slot->lang != li + 1 || slot->wlen != n)
		return 0;
	if (padded && n <= TOK_PAD) {
		uint64_t a = 0, b = 0, x = 0, y = 0;

		memcpy(&a, tok, 8);
		memcpy(&b, tok + 8, 8);
		memcpy(&x, slot->word, 8);
		memcpy(&y, slot->word + 8, 8);
		return a == x && b == y;
	}
	return memcmp(slot->word, tok, (size_t)n) == 0;
}

/*
 * Stem tok[0..n) in language li, h its stem_hash when stem_cached; padded:
 * tok is zero-padded to TOK_PAD bytes.  Returns the stem (owned by the
 * stemmer) or tok.
 */
static const char *stem_word_h(nx_tok *t, int li, const char *tok, int n, int *outn, uint32_t h, int padded)
{
	const sb_symbol *s = NULL;
	stem_slot *slot = NULL;

	*outn = n;
	if (li < 0 || n > 64 || n < 3 || t->broken[li])
		return tok;
	if (nx_isdigit((unsigned char)tok[0]))
		return tok;
	if (n <= STEM_MAX) {
		slot = &t->cache[h & (STEM_CACHE - 1)];
		if (stem_slot_is(slot, li, tok, n, padded)) {
			*outn = slot->slen;
			return slot->stem;
		}
	}
	if (t->stem[li] == NULL) {
		t->stem[li] = sb_stemmer_new(stemmers[li].snowball, "UTF_8");
		if (t->stem[li] == NULL) {
			t->broken[li] = 1;
			return tok;
		}
	}
	s = sb_stemmer_stem(t->stem[li], (const sb_symbol *)tok, n);
	if (s == NULL)
		return tok;
	*outn = sb_stemmer_length(t->stem[li]);
	if (slot != NULL && *outn <= STEM_MAX) {
		slot->lang = (unsigned char)(li + 1);
		slot->wlen = (unsigned char)n;
		slot->slen = (unsigned char)*outn;
		if (n <= TOK_PAD)
			memset(slot->word, 0, TOK_PAD);
		memcpy(slot->word, tok, (size_t)n);
		memcpy(slot->stem, s, (size_t)*outn);
	}
	return (const char *)s;
}

/* Stem tok[0..n) in language li; returns the stem (owned by the stemmer) or tok. */
static const char *stem_word(nx_tok *t, int li, const char *tok, int n, int *outn)
{
	return stem_word_h(t, li, tok, n, outn, stem_cached(li, n) ? stem_hash(li, tok, n) : 0, 0);
}

static int is_unsegmented(uint32_t c)
{
	return (c >= 0x4E00 && c <= 0x9FFF) || (c >= 0x3400 && c <= 0x4DBF) ||
	       (c >= 0xF900 && c <= 0xFAFF) || (c >= 0x20000 && c <= 0x2FFFF) ||
	       (c >= 0x3040 && c <= 0x30FF) || (c >= 0x31F0 && c <= 0x31FF) ||
	       (c >= 0xAC00 && c <= 0xD7AF) || (c >= 0x1100 && c <= 0x11FF) ||
	       (c >= 0x3130 && c <= 0x318F) || (c >= 0x0E00 && c <= 0x0EFF) ||
	       (c >= 0x1780 && c <= 0x17FF) || (c >= 0x1000 && c <= 0x109F);
}

/*
 * A document's words wait in a ring before they are stemmed and handed to
 * FTS5: the slot of each in the cache of stems is fetched into the CPU's
 * cache (__builtin_prefetch) when the word joins the ring and read
 * TOK_AHEAD words later, by when it has arrived; waiting for the slots
 * was most of the time stem_word spent.  The words leave in the order
 * they came, so FTS5 and the cache of stems see what they saw without.
 */
#define TOK_AHEAD 16
#define TOK_WAIT_MAX 64 /* longer words do not wait */

typedef struct tok_wait {
	char tok[TOK_WAIT_MAX]; /* zero-padded to TOK_PAD bytes */
	int n, s, e, tflags;
	uint32_t h; /* stem_hash when stem_cached */
} tok_wait;

typedef struct cb_ctx {
	nx_tok *t;
	void *pCtx;
	int (*xToken)(void *, int, const char *, int, int, int);
	int off;       /* bytes of marker skipped */
	int flags;     /* FTS5_TOKENIZE_* */
	int lang;      /* stemmer index, -1: unknown */
	int all_langs; /* query without marker: stems of every query language */
	const char *text;
	nx_word_sink *sink; /* spans of the text for a second counter, or NULL */
	int head, nwait; /* the oldest waiting word, how many wait */
	tok_wait wait[TOK_AHEAD]; /* last: not cleared (a slot is written before it is read) */
} cb_ctx;

/* Stem the oldest waiting word and hand it to FTS5. */
static int wait_pop(cb_ctx *c)
{
	const tok_wait *w = &c->wait[c->head];
	const char *st = NULL;
	int sn = 0;

	c->head = (c->head + 1) % TOK_AHEAD;
	c->nwait--;
	st = stem_word_h(c->t, c->lang, w->tok, w->n, &sn, w->h, 1);
	return c->xToken(c->pCtx, w->tflags, st, sn, w->s, w->e);
}

/* Every waiting word to FTS5: before any other token is handed over, and at the end. */
static int wait_drain(cb_ctx *c)
{
	int rc = SQLITE_OK;

	while (c->nwait > 0 && rc == SQLITE_OK)
		rc = wait_pop(c);
	return rc;
}

/*
 * A word of one language (n <= TOK_WAIT_MAX) into the ring, its stem's
 * slot fetched; padded: tok is zero-padded to TOK_PAD bytes and h is its
 * stem_hash (made while it was folded).
 */
static int wait_push(cb_ctx *c, int tflags, const char *tok, int n, int s, int e, uint32_t h, int padded)
{
	tok_wait *w = NULL;
	int rc = SQLITE_OK;

	if (c->nwait == TOK_AHEAD && (rc = wait_pop(c)) != SQLITE_OK)
		return rc;
	w = &c->wait[(c->head + c->nwait) % TOK_AHEAD];
	if (n <= TOK_PAD) {
		/* a fixed size, the most words: a copy inlined */
		if (padded) {
			memcpy(w->tok, tok, TOK_PAD);
		} else {
			memset(w->tok, 0, TOK_PAD);
			memcpy(w->tok, tok, (size_t)n);
		}
	} else {
		memcpy(w->tok, tok, (size_t)n);
	}
	w->n = n;
	w->s = s;
	w->e = e;
	w->tflags = tflags;
	w->h = 0;
	if (stem_cached(c->lang, n)) {
		w->h = padded ? h : stem_hash(c->lang, tok, n);
#if defined(__GNUC__)
		__builtin_prefetch(&c->t->cache[w->h & (STEM_CACHE - 1)], 0, 3);
#endif
	}
	c->nwait++;
	return SQLITE_OK;
}

/*
 * Emit a word: stemmed (one language) or raw + colocated stems (query);
 * padded: tok is zero-padded to TOK_PAD bytes and h is stem_hash(c->lang,
 * tok, n).
 */
static int emit_word_h(cb_ctx *c, int tflags, const char *tok, int n, int s, int e, uint32_t h, int padded)
{
	const char *seen[MAX_QUERY_LANGS + 1];
	int seenn[MAX_QUERY_LANGS + 1];
	int nseen = 0, i = 0, j = 0, rc = SQLITE_OK, sn = 0;
	const char *st = NULL;
	char keep[MAX_QUERY_LANGS + 1][72];

	if ((c->flags & FTS5_TOKENIZE_PREFIX) != 0)
		return (rc = wait_drain(c)) != SQLITE_OK ? rc : c->xToken(c->pCtx, tflags, tok, n, s, e);
	/* English text (or unknown: English stems), and queries */
	if (c->t->g->drop_stop > 0 && (c->all_langs || c->lang == 0) &&
	    is_drop_word(tok, n, c->t->g->drop_stop, padded))
		return SQLITE_OK;
	if (!c->all_langs && n >= 0 && n <= TOK_WAIT_MAX)
		return wait_push(c, tflags, tok, n, s, e, h, padded);
	if ((rc = wait_drain(c)) != SQLITE_OK)
		return rc;
	if (!c->all_langs) {
		st = stem_word(c->t, c->lang, tok, n, &sn);
		return c->xToken(c->pCtx, tflags, st, sn, s, e);
	}
	/* the word itself, then each distinct stem, colocated */
	rc = c->xToken(c->pCtx, tflags, tok, n, s, e);
	if (rc != SQLITE_OK || n > 64)
		return rc;
	memcpy(keep[0], tok, (size_t)n);
	seen[nseen] = keep[0];
	seenn[nseen++] = n;
	for (i = 0; i < c->t->g->nqlang && rc == SQLITE_OK; i++) {
		int dup = 0;

		st = stem_word(c->t, c->t->g->qlang[i], tok, n, &sn);
		if (sn <= 0 || sn > 64)
			continue;
		for (j = 0; j < nseen && !dup; j++)
			dup = seenn[j] == sn && memcmp(seen[j], st, (size_t)sn) == 0;
		if (dup)
			continue;
		memcpy(keep[nseen], st, (size_t)sn);
		seen[nseen] = keep[nseen];
		seenn[nseen++] = sn;
		rc = c->xToken(c->pCtx, FTS5_TOKEN_COLOCATED, keep[nseen - 1], sn, s, e);
	}
	return rc;
}

static int emit_word(cb_ctx *c, int tflags, const char *tok, int n, int s, int e)
{
	return emit_word_h(c, tflags, tok, n, s, e, 0, 0);
}

/*
 * Character bigrams over a run of an unsegmented script: "東京都" gives
 * 東京, 京都 at consecutive positions (a single character stands alone).
 * Offsets come from the original text, which folding leaves unchanged for
 * these scripts.
 */
static int emit_bigrams(cb_ctx *c, const char *s, size_t len, int base)
{
	size_t pos[3] = { 0, 0, 0 }, i = 0, n = 0;
	uint32_t cp = 0;
	int count = 0, rc = wait_drain(c);

	while (i < len && rc == SQLITE_OK) {
		n = nx_utf8_decode(s + i, len - i, &cp);
		pos[0] = pos[1];
		pos[1] = i;
		i += n;
		pos[2] = i;
		count++;
		if (count >= 2)
			rc = c->xToken(c->pCtx, 0, s + pos[0], (int)(pos[2] - pos[0]), base + (int)pos[0],
				       base + (int)pos[2]);
	}
	if (count == 1 && rc == SQLITE_OK)
		rc = c->xToken(c->pCtx, 0, s, (int)len, base, base + (int)len);
	return rc;
}

static int inner_token(void *ctx, int tflags, const char *tok, int n, int s, int e)
{
	cb_ctx *c = ctx;
	const char *orig = c->text + s;
	size_t olen = (size_t)(e - s), i = 0, k = 0, seg = 0;
	uint32_t cp = 0;
	int has = 0, rc = SQLITE_OK, segkind = -1, kind = 0;

	s += c->off;
	e += c->off;
	/* every unsegmented script is at U+0E00 or above: 3- and 4-byte UTF-8 */
	for (i = 0; i < olen && (unsigned char)orig[i] < 0xE0; i++)
		;
	for (; i < olen; i += k) {
		k = nx_utf8_decode(orig + i, olen - i, &cp);
		if (is_unsegmented(cp)) {
			has = 1;
			break;
		}
	}
	if (!has)
		return emit_word(c, tflags, tok, n, s, e);
	/* split the original run into segmented / unsegmented pieces */
	for (i = 0, seg = 0; i <= olen && rc == SQLITE_OK; i += k) {
		if (i < olen) {
			k = nx_utf8_decode(orig + i, olen - i, &cp);
			kind = is_unsegmented(cp);
		} else {
			k = 1;
			kind = -2;
		}
		if (segkind >= 0 && kind != segkind) {
			if (segkind == 1) {
				rc = emit_bigrams(c, orig + seg, i - seg, s + (int)seg);
			} else {
				/* a Latin piece glued to CJK: fold ASCII case, keep as word */
				char low[72];
				size_t m = i - seg < sizeof(low) ? i - seg : sizeof(low), q = 0;

				for (q = 0; q < m; q++)
					low[q] = (char)nx_tolower((unsigned char)orig[seg + q]);
				rc = emit_word(c, 0, low, (int)m, s + (int)seg, s + (int)i);
			}
			seg = i;
		}
		if (segkind < 0 || kind != segkind)
			seg = i;
		segkind = kind;
	}
	return rc;
}

/*
 * ASCII, most of news text, without unicode61.  With the categories of
 * tok_create, unicode61's only ASCII token characters are letters and
 * digits, every other ASCII byte ends a token, and no byte of a multibyte
 * UTF-8 character is below 0x80.  So the text splits at its ASCII
 * separators into runs that unicode61 would tokenize on their own: a run
 * of ASCII letters and digits is one token, folded here to lower case as
 * unicode61 folds it; a run holding any byte of 0x80 or above goes to
 * unicode61 (offsets moved to the run).  The tokens, their offsets and
 * their order are those of unicode61 over the whole text; a callback and
 * a scan of each token for CJK are saved per ASCII word (tests: the
 * tokens of mixed texts equal unicode61's through inner_token).
 */
#define ASCII_WORD_MAX 256 /* longer ASCII runs go to unicode61 as they are */

#ifdef TOK_SWAR
/* The high bit of each byte of x that is an ASCII letter or digit (sums of 7-bit values: no carry crosses a byte). */
static inline uint64_t alnum8(uint64_t x)
{
	uint64_t y = (x | NX_B8(0x20)) & NX_B8(0x7F), z = x & NX_B8(0x7F);
	uint64_t letter = (y + NX_B8(0x80 - 'a')) & ~(y + NX_B8(0x80 - 'z' - 1));
	uint64_t digit = (z + NX_B8(0x80 - '0')) & ~(z + NX_B8(0x80 - '9' - 1));

	return (letter | digit) & ~x & NX_B8(0x80);
}

/*
 * A word of 1 to 15 ASCII letters and digits at p followed by an ASCII
 * byte that is neither (most words of news text; p has 16 bytes to read):
 * its length, and low[0..TOK_PAD) holds it folded to lower case (a digit
 * is its own lower case: OR 0x20), zero-padded.  0: take the byte loop.
 */
static inline int ascii_word16(const unsigned char *p, char *low)
{
	uint64_t x0 = nx_swar_load(p), x1 = nx_swar_load(p + 8), a = alnum8(x0), lo0 = 0, lo1 = 0;
	int m = 0;

	if (a != NX_B8(0x80)) {
		m = __builtin_ctzll(~a & NX_B8(0x80)) / 8;
		lo0 = (x0 | NX_B8(0x20)) & (m > 0 ? ~UINT64_C(0) >> (64 - 8 * m) : 0);
	} else {
		a = alnum8(x1);
		if (a == NX_B8(0x80))
			return 0;
		m = 8 + __builtin_ctzll(~a & NX_B8(0x80)) / 8;
		lo0 = x0 | NX_B8(0x20);
		lo1 = (x1 | NX_B8(0x20)) & (m > 8 ? ~UINT64_C(0) >> (64 - 8 * (m - 8)) : 0);
	}
	if (p[m] >= 0x80)
		return 0;
	memcpy(low, &lo0, 8);
	memcpy(low + 8, &lo1, 8);
	return m;
}
#endif

/*
 * text[0..len) (after its marker, which is c->off bytes) to FTS5 as
 * unicode61 + inner_token would: an ASCII word is found and folded, 16
 * bytes at a time when it is shorter (ascii_word16), else a byte at a
 * time, zero-padded, then hashed once for the cache of stems.
 */
static int tokenize_runs(nx_tok *t, cb_ctx *c, const char *text, int len)
{
	const unsigned char *u = (const unsigned char *)text;
	int base = c->off, i = 0, rc = SQLITE_OK;
	char low[ASCII_WORD_MAX];

	while (i < len && rc == SQLITE_OK) {
		int start = 0, n = 0;
		unsigned char l = 0;

		while (i < len && u[i] < 0x80 && ascii_fold[u[i]] == 0)
			i++;
		if (i >= len)
			break;
		start = i;
#ifdef TOK_SWAR
		if (len - i >= 16 && (n = ascii_word16(u + i, low)) > 0) {
			if (c->sink != NULL)
				c->sink->span(c->sink->ctx, text + start, (size_t)n, low);
			i += n;
			rc = emit_word_h(c, 0, low, n, base + start, base + i, stem_hash_padded(c->lang, low, n), 1);
			continue;
		}
#endif
		memset(low, 0, TOK_PAD);
		for (; i < len && n < ASCII_WORD_MAX && (l = ascii_fold[u[i]]) != 0; i++)
			low[n++] = (char)l;
		if (i >= len || (u[i] < 0x80 && ascii_fold[u[i]] == 0)) {
			if (c->sink != NULL)
				c->sink->span(c->sink->ctx, text + start, (size_t)n, low);
			rc = emit_word_h(c, 0, low, n, base + start, base + i, stem_hash_padded(c->lang, low, n), 1);
			continue;
		}
		/* a byte of 0x80 or above, or a long word: the rest of the run to unicode61 */
		while (i < len && (u[i] >= 0x80 || ascii_fold[u[i]] != 0))
			i++;
		if (c->sink != NULL)
			c->sink->span(c->sink->ctx, text + start, (size_t)(i - start), NULL);
		c->off = base + start;
		c->text = text + start;
		rc = t->inner_api.xTokenize(t->inner, c, c->flags, text + start, i - start, inner_token);
	}
	c->off = base;
	c->text = text;
	return rc;
}

/* Tokenize text as t does for FTS5 (flags: FTS5_TOKENIZE_*); sink: see nx_word_sink, or NULL. */
static int tok_tokenize_text(nx_tok *t, void *pCtx, int flags, const char *text, int ntext,
			     int (*xToken)(void *, int, const char *, int, int, int), nx_word_sink *sink)
{
	cb_ctx c;
	size_t m = ntext > 0 ? nx_lang_mark_len(text, (size_t)ntext) : 0;
	int rc = SQLITE_OK;

	memset(&c, 0, offsetof(cb_ctx, wait)); /* a document's ring is 1.4 kB: not cleared for every column */
	c.t = t;
	c.pCtx = pCtx;
	c.xToken = xToken;
	c.flags = flags;
	c.off = (int)m;
	c.text = text + m;
	c.sink = sink != NULL && sink->skip == m ? sink : NULL;
	c.lang = -1;
	if (m > 2)
		c.lang = lang_index(text + 1, m - 2); /* a language without stemmer: none */
	else if ((flags & FTS5_TOKENIZE_QUERY) != 0 && m == 0)
		c.all_langs = 1;
	else
		c.lang = 0; /* language unknown: English stems */
	rc = tokenize_runs(t, &c, text + m, ntext - (int)m);
	if (rc == SQLITE_OK && c.sink != NULL)
		c.sink->used = 1;
	return rc == SQLITE_OK ? wait_drain(&c) : rc;
}

/* 1 when the document text tp/tlen is text[0..ntext) (the offered ones: compared when not the same pointer) */
static int same_text(const char *tp, size_t tlen, const char *text, int ntext)
{
	return ntext >= 0 && tlen == (size_t)ntext && (tp == text || memcmp(tp, text, tlen) == 0);
}

static int tape_replay(nx_tape *tp, void *pCtx, int (*xToken)(void *, int, const char *, int, int, int));

static int tok_tokenize(Fts5Tokenizer *p, void *pCtx, int flags, const char *text, int ntext,
			int (*xToken)(void *, int, const char *, int, int, int))
{
	nx_tok *t = (nx_tok *)p;
	nx_word_sink *sink = NULL;
	int i = 0;

	/* a document's text whose tokens were made ahead */
	for (i = 0; flags == FTS5_TOKENIZE_DOCUMENT && i < t->g->noffer; i++) {
		nx_tape *tp = &t->g->offer[i];

		if (!tp->used && same_text(tp->text, tp->len, text, ntext)) {
			tp->used = 1;
			return tape_replay(tp, pCtx, xToken);
		}
	}
	/* or whose words a counter waits for */
	for (i = 0; flags == FTS5_TOKENIZE_DOCUMENT && i < t->g->nsinks && sink == NULL; i++)
		if (!t->g->sinks[i].used && same_text(t->g->sinks[i].text, t->g->sinks[i].len, text, ntext))
			sink = &t->g->sinks[i];
	return tok_tokenize_text(t, pCtx, flags, text, ntext, xToken, sink);
}

/* -- tapes: tokens made ahead (see tokenizer.h) ----------------------------- */

struct nx_pretok {
	reg *r;
	nx_tok *t;
};

/* A tape holds, for each token: its flags, length, start and end (varints), then its bytes. */
static int tape_token(void *ctx, int tflags, const char *tok, int n, int s, int e)
{
	nx_buf *b = ctx;
	unsigned char *x = NULL;

	if (n < 0 || s < 0 || e < 0)
		return SQLITE_ERROR;
	/* one record in place: a byte and three varints of up to 5 bytes */
	if (nx_buf_grow(b, (size_t)n + 16) < 0)
		return SQLITE_NOMEM;
	x = (unsigned char *)b->buf + b->len;
	*x++ = (unsigned char)tflags;
	x += nx_varint_put(x, (uint64_t)n);
	x += nx_varint_put(x, (uint64_t)s);
	x += nx_varint_put(x, (uint64_t)e);
	memcpy(x, tok, (size_t)n);
	b->len = (size_t)((char *)x + n - b->buf);
	b->buf[b->len] = '\0';
	return SQLITE_OK;
}

static int tape_replay(nx_tape *tp, void *pCtx, int (*xToken)(void *, int, const char *, int, int, int))
{
	const unsigned char *p = (const unsigned char *)tp->rec.buf, *end = p + tp->rec.len;
	int rc = SQLITE_OK;

	while (p < end && rc == SQLITE_OK) {
		uint64_t n = 0, s = 0, e = 0;
		int tflags = *p++;

		if (!nx_varint_get(&p, end, &n) || !nx_varint_get(&p, end, &s) || !nx_varint_get(&p, end, &e) ||
		    n > (uint64_t)(end - p) || s > INT32_MAX || e > INT32_MAX)
			return SQLITE_CORRUPT;
		rc = xToken(pCtx, tflags, (const char *)p, (int)n, (int)s, (int)e);
		p += n;
	}
	return rc;
}

nx_pretok *nx_pretok_new(sqlite3 *db)
{
	reg *ud = reg_of(db, NULL);
	nx_pretok *p = NULL;
	Fts5Tokenizer *t = NULL;

	if (ud == NULL)
		return NULL;
	if ((p = calloc(1, sizeof(*p))) == NULL)
		return NULL;
	if (tok_create(ud, NULL, 0, &t) != SQLITE_OK) {
		free(p);
		return NULL;
	}
	p->r = ud;
	p->t = (nx_tok *)t;
	return p;
}

void nx_pretok_free(nx_pretok *p)
{
	if (p == NULL)
		return;
	tok_delete((Fts5Tokenizer *)p->t);
	free(p);
}

int nx_pretok_run(nx_pretok *p, const char *text, size_t len, nx_tape *tape, nx_word_sink *sink)
{
	int rc = SQLITE_OK;

	nx_buf_reset(&tape->rec);
	tape->text = text;
	tape->len = len;
	tape->used = 0;
	if (len > INT32_MAX)
		return NX_EINVAL;
	/* about a record of 4-5 bytes for every 6-7 bytes of text */
	if (nx_buf_grow(&tape->rec, len + len / 2 + 64) < 0)
		return NX_ENOMEM;
	/* as FTS5 calls it for a document's column, minus the offer check */
	rc = tok_tokenize_text(p->t, &tape->rec, FTS5_TOKENIZE_DOCUMENT, text, (int)len, tape_token, sink);
	if (rc == SQLITE_NOMEM || !nx_buf_ok(&tape->rec))
		return NX_ENOMEM;
	return rc == SQLITE_OK ? NX_OK : NX_EINVAL;
}

void nx_pretok_offer(nx_pretok *p, nx_tape *tapes, int n)
{
	p->r->g.offer = n > 0 ? tapes : NULL;
	p->r->g.noffer = n > 0 ? n : 0;
}

void nx_tokenizer_offer_words(Fts5Tokenizer *tk, nx_word_sink *sinks, int n)
{
	tok_global *g = ((nx_tok *)tk)->g;

	g->sinks = n > 0 ? sinks : NULL;
	g->nsinks = n > 0 ? n : 0;
}

static void reg_free(void *p)
{
	reg *r = p;

	if (r != NULL && r->kept != NULL)
		tok_delete(r->kept);
	free(p);
}

int nx_tokenizer_kept(sqlite3 *db, Fts5Tokenizer **tk, fts5_tokenizer *api)
{
	reg *r = reg_of(db, api);
	int rc = SQLITE_OK;

	*tk = NULL;
	if (r == NULL)
		return SQLITE_ERROR;
	if (r->kept == NULL && (rc = tok_create(r, NULL, 0, &r->kept)) != SQLITE_OK)
		return rc;
	*tk = r->kept;
	return SQLITE_OK;
}

int nx_tokenizer_register(sqlite3 *db)
{
	fts5_tokenizer api = { tok_create, tok_delete, tok_tokenize };
	reg *r = NULL;
	fts5_api *f = nx_fts5_api(db);

	if (f == NULL || f->iVersion < 2)
		return SQLITE_ERROR;
	r = calloc(1, sizeof(*r));
	if (r == NULL)
		return SQLITE_NOMEM;
	r->api = f;
	r->g.qlang[0] = 0;
	r->g.nqlang = 1;
	return f->xCreateTokenizer(f, "nx", r, &api, reg_free);
}

int nx_tokenizer_only_dropped(const char *query)
{
	const char *p = query, *start = NULL;
	int words = 0, kept = 0;

	for (;; p++) {
		int c = (unsigned char)*p;

		if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c >= 0x80 || (c >= '0' && c <= '9')) {
			if (start == NULL)
				start = p;
			continue;
		}
		if (start != NULL) {
			words++;
			kept += !nx_tokenizer_dropped(start, (size_t)(p - start), 2);
			start = NULL;
		}
		if (c == '\0')
			break;
	}
	return words > 0 && kept == 0;
}

void nx_fts5_quote(nx_buf *b, const char *s, size_t len)
{
	size_t i = 0, start = 0;

	nx_buf_addch(b, '"');
	for (i = 0; i < len; i++) {
		if (s[i] == '"') {
			nx_buf_add(b, s + start, i - start + 1);
			start = i;
		}
	}
	nx_buf_add(b, s + start, len - start);
	nx_buf_addch(b, '"');
}

int nx_tokenizer_dropped(const char *word, size_t len, int list)
{
	char w[8];
	size_t i = 0;

	if (len == 0 || len > 7)
		return 0;
	for (i = 0; i < len; i++)
		w[i] = (char)nx_tolower((unsigned char)word[i]);
	pthread_once(&drop_once, drop_init);
	return is_drop_word(w, (int)len, list, 0);
}

int nx_tokenizer_set_stopwords(sqlite3 *db, int list)
{
	reg *r = reg_of(db, NULL);

	if (r == NULL)
		return SQLITE_ERROR;
	r->g.drop_stop = list < 0 ? 0 : list > 2 ? 2 : list;
	return SQLITE_OK;
}

int nx_tokenizer_set_query_langs(sqlite3 *db, const char *langs)
{
	reg *r = reg_of(db, NULL);
	const char *p = langs;
	int n = 0, li = 0;

	if (r == NULL)
		return SQLITE_ERROR;
	while (p != NULL && *p != '\0' && n < MAX_QUERY_LANGS) {
		const char *e = strchr(p, ',');
		size_t len = e != NULL ? (size_t)(e - p) : strlen(p);
		int j = 0, dup = 0;

		li = lang_index(p, len);
		for (j = 0; j < n; j++)
			dup |= r->g.qlang[j] == li;
		if (li >= 0 && !dup)
			r->g.qlang[n++] = li;
		p = e != NULL ? e + 1 : NULL;
	}
	if (n == 0) {
		r->g.qlang[0] = 0;
		n = 1;
	}
	r->g.nqlang = n;
	return SQLITE_OK;
}

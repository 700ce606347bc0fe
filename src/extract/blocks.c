/*
 * blocks.c - the page cut into text blocks, their features, and the
 * learned classifier that picks the blocks of the article (issue 19).
 *
 * A block is the text between two block-level boundaries (p, div, li, br
 * ...), as the hand rules' collector cuts it, outside scripts, navigation,
 * figures and captions (those are photos) and hidden parts.  Each block
 * gets a fixed vector of features: its text (length, link density,
 * punctuation, stop words, capitals, digits), its element and the elements
 * around it, class and id words of its ancestors from a vocabulary of
 * common markup (article, comment, share, related, footer ...), where it
 * sits in the page, whether the hand rules (extract.c) kept its text, and
 * the same for its neighbours.  Gradient-boosted trees (block_model.c,
 * made by scripts/train-blocks) score the vector; a block is content when
 * its margin is above a threshold (one for blocks the rules kept, one for
 * those they left), whatever the rules chose, except that a sign-up box
 * the rules left is never added.  When the model keeps no text but
 * headings, the hand rules' body stays, so a page never loses its only
 * text.
 */
#include "extract/blocks.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "article/lang.h"
#include "extract/extract_private.h"
#include "util/buf.h"
#include "util/text.h"

/* ---- class and id vocabulary -------------------------------------------- */

/* Words of common markup, matched inside "class id" (lower case). */
static const char *const vocab[] = {
	"article", "body", "content", "story", "entry", "post", "text", "main", "blog", "comment",
	"reply", "share", "social", "related", "recommend", "footer", "header", "menu", "sidebar",
	"widget", "copyright", "author", "byline", "caption", "credit", "promo", "sponsor", "subscri",
	"newsletter", "popular", "trending", "teaser", "headline", "title", "summary", "module",
	"rail", "tool", "banner", "breadcrumb", "link", "list", "more", "item", "date", "meta", "tag",
	"nav", "photo", "gallery", "thumb", "card", "col", "wrap", "inner", "print", "feed", "login",
	"search", "ad-", "ads", "intro", "lead", NULL
};
#define NVOCAB 63

/* Element kinds of a block's own element, one feature each. */
enum { K_P, K_DIV, K_LI, K_TD, K_HEAD, K_QUOTE, K_PRE, K_DD, K_SECTION, K_BODY, K_OTHER, NKIND };
static const char *const kind_names[NKIND] = {
	"own_p", "own_div", "own_li", "own_td", "own_heading", "own_blockquote", "own_pre", "own_dl",
	"own_section", "own_body", "own_other"
};

/* Ancestors, one feature each. */
enum { A_LI, A_LIST, A_TABLE, A_LINK, A_HEAD, A_FORM, A_HEADER, A_ARTICLE, A_MAIN, A_QUOTE, A_P,
       A_SECTION, A_BODYPROP, A_STRONG, NANC };
static const char *const anc_names[NANC] = {
	"in_li", "in_list", "in_table", "in_link", "in_heading", "in_form", "in_header", "in_article",
	"in_main", "in_blockquote", "in_p", "in_section", "in_articlebody", "in_strong"
};

/* What a block is, before its neighbours are looked at. */
typedef struct bstat {
	double lchars, ld, commas, ends, sentences, stops, caps, digits, wlen, pipes, copy;
	size_t words;
	int kind;
	uint32_t anc;
	uint64_t near, far; /* vocabulary words on the element and 2 parents; on any ancestor */
	const xmlNode *parent, *grand;
	const char *klass;
} bstat;

/* ---- cutting the page into blocks --------------------------------------- */

typedef struct walker {
	nx_blocks *out;
	nx_buf cur;
	size_t chars, link;
	int in_link;
	const xmlNode *owner;
	int rc;
} walker;

static int hidden(const xmlNode *n)
{
	const char *v = nx_html__attr(n, "style");
	const char *c = nx_html__attr(n, "class");

	if (nx_html__attr(n, "hidden") != NULL)
		return 1;
	if (v != NULL && (strstr(v, "display:none") != NULL || strstr(v, "display: none") != NULL ||
			  strstr(v, "visibility:hidden") != NULL || strstr(v, "visibility: hidden") != NULL))
		return 1;
	v = nx_html__attr(n, "id");
	return (c != NULL && strstr(c, "caption") != NULL) || (v != NULL && strstr(v, "caption") != NULL);
}

/* Not read: scripts, navigation, figures and captions (photos), hidden parts. */
static int skipped(const xmlNode *n)
{
	const char *tag = nx_html__tag(n);

	return nx_html__drop_tag(tag) || strcmp(tag, "figure") == 0 ||
	       strcmp(tag, "figcaption") == 0 || hidden(n);
}

static size_t visible_chars(const char *s)
{
	size_t n = 0;
	const unsigned char *p = (const unsigned char *)s;

	for (; *p != '\0'; p++)
		if (*p > ' ' && !(*p >= 0x80 && *p < 0xC0) && !(p[0] == 0xC2 && p[1] == 0xA0))
			n++;
	return n;
}

static void flush(walker *w)
{
	nx_buf t = NX_BUF_INIT;
	nx_block *b = NULL;

	if (w->cur.len == 0 || w->rc < 0)
		goto done;
	nx_text_clean(&t, w->cur.buf, w->cur.len);
	if (!nx_buf_ok(&t) || !nx_buf_ok(&w->cur)) {
		w->rc = NX_ENOMEM;
		goto done;
	}
	if (t.len == 0 || w->chars == 0)
		goto done;
	if (w->out->n == w->out->cap) {
		size_t cap = w->out->cap ? w->out->cap * 2 : 64;
		nx_block *v = realloc(w->out->v, cap * sizeof(*v));

		if (v == NULL) {
			w->rc = NX_ENOMEM;
			goto done;
		}
		w->out->v = v;
		w->out->cap = cap;
	}
	b = &w->out->v[w->out->n++];
	memset(b, 0, sizeof(*b));
	b->len = t.len;
	b->text = nx_buf_detach(&t);
	b->owner = w->owner;
	b->chars = w->chars;
	b->link = w->link;
	if (b->text == NULL) {
		w->out->n--;
		w->rc = NX_ENOMEM;
	}
done:
	nx_buf_free(&t);
	nx_buf_reset(&w->cur);
	w->chars = w->link = 0;
	w->owner = NULL;
}

/* The nearest block element at or above n. */
static const xmlNode *block_of(const xmlNode *n, const xmlNode *body)
{
	for (; n != NULL && n != body; n = n->parent)
		if (n->type == XML_ELEMENT_NODE && nx_html__block_tag(nx_html__tag(n)))
			return n;
	return body;
}

static void text_node(walker *w, const xmlNode *n, const xmlNode *body)
{
	size_t k = 0;

	if (n->content == NULL)
		return;
	k = visible_chars((const char *)n->content);
	if (k > 0 && w->owner == NULL)
		w->owner = block_of(n->parent, body);
	nx_buf_adds(&w->cur, (const char *)n->content);
	w->chars += k;
	if (w->in_link > 0)
		w->link += k;
}

/* Leaving element n: the end of a link or of a block. */
static void leave(walker *w, const xmlNode *n)
{
	const char *tag = NULL;

	if (n->type != XML_ELEMENT_NODE)
		return;
	tag = nx_html__tag(n);
	if (strcmp(tag, "a") == 0 && w->in_link > 0)
		w->in_link--;
	else if (nx_html__block_tag(tag))
		flush(w);
}

/* Entering node n; 1 when its subtree is not read. */
static int enter(walker *w, const xmlNode *n, const xmlNode *body)
{
	const char *tag = NULL;

	if (n->type == XML_TEXT_NODE || n->type == XML_CDATA_SECTION_NODE) {
		text_node(w, n, body);
		return 0;
	}
	if (n->type != XML_ELEMENT_NODE)
		return 1;
	tag = nx_html__tag(n);
	if (n != body && skipped(n))
		return 1;
	if (strcmp(tag, "a") == 0)
		w->in_link++;
	else if (nx_html__block_tag(tag))
		flush(w);
	return 0;
}

/* Cut body into blocks, in document order. */
static void cut(walker *w, xmlNode *body)
{
	xmlNode *n = body, *next = NULL, *p = NULL;
	int skip = 0;

	for (; n != NULL && w->rc == NX_OK; n = next) {
		skip = enter(w, n, body);
		next = nx_html__next(n, body, skip);
		if (next != NULL && next->parent == n)
			continue;
		/* the elements closed between n and next */
		for (p = n; p != NULL; p = p->parent) {
			if (p != n || !skip)
				leave(w, p);
			if (p == body || (next != NULL && p->next == next))
				break;
		}
	}
	flush(w);
}

/* ---- what a block is ---------------------------------------------------- */

static int kind_of(const char *tag)
{
	if (strcmp(tag, "p") == 0)
		return K_P;
	if (strcmp(tag, "div") == 0)
		return K_DIV;
	if (strcmp(tag, "li") == 0)
		return K_LI;
	if (strcmp(tag, "td") == 0 || strcmp(tag, "th") == 0)
		return K_TD;
	if (nx_html__heading(tag))
		return K_HEAD;
	if (strcmp(tag, "blockquote") == 0)
		return K_QUOTE;
	if (strcmp(tag, "pre") == 0)
		return K_PRE;
	if (strcmp(tag, "dd") == 0 || strcmp(tag, "dt") == 0 || strcmp(tag, "dl") == 0)
		return K_DD;
	if (strcmp(tag, "section") == 0 || strcmp(tag, "article") == 0 || strcmp(tag, "main") == 0)
		return K_SECTION;
	if (strcmp(tag, "body") == 0 || strcmp(tag, "html") == 0)
		return K_BODY;
	return K_OTHER;
}

static uint32_t anc_of(const char *tag, const xmlNode *n)
{
	const char *ip = nx_html__attr(n, "itemprop");
	uint32_t f = 0;

	if (strcmp(tag, "li") == 0)
		f |= 1u << A_LI;
	if (strcmp(tag, "ul") == 0 || strcmp(tag, "ol") == 0)
		f |= 1u << A_LIST;
	if (strcmp(tag, "table") == 0)
		f |= 1u << A_TABLE;
	if (strcmp(tag, "a") == 0)
		f |= 1u << A_LINK;
	if (nx_html__heading(tag))
		f |= 1u << A_HEAD;
	if (strcmp(tag, "form") == 0)
		f |= 1u << A_FORM;
	if (strcmp(tag, "header") == 0)
		f |= 1u << A_HEADER;
	if (strcmp(tag, "article") == 0)
		f |= 1u << A_ARTICLE;
	if (strcmp(tag, "main") == 0)
		f |= 1u << A_MAIN;
	if (strcmp(tag, "blockquote") == 0)
		f |= 1u << A_QUOTE;
	if (strcmp(tag, "p") == 0)
		f |= 1u << A_P;
	if (strcmp(tag, "section") == 0)
		f |= 1u << A_SECTION;
	if (strcmp(tag, "strong") == 0 || strcmp(tag, "b") == 0)
		f |= 1u << A_STRONG;
	if (ip != NULL && strstr(ip, "articleBody") != NULL)
		f |= 1u << A_BODYPROP;
	return f;
}

static uint64_t vocab_of(const xmlNode *n)
{
	char ci[384];
	const char *c = nx_html__attr(n, "class"), *id = nx_html__attr(n, "id");
	size_t k = 0, i = 0;
	uint64_t f = 0;

	if (c == NULL && id == NULL)
		return 0;
	for (; c != NULL && *c != '\0' && k + 2 < sizeof(ci); c++)
		ci[k++] = (char)nx_tolower((unsigned char)*c);
	ci[k++] = ' ';
	for (; id != NULL && *id != '\0' && k + 1 < sizeof(ci); id++)
		ci[k++] = (char)nx_tolower((unsigned char)*id);
	ci[k] = '\0';
	for (i = 0; vocab[i] != NULL; i++)
		if (strstr(ci, vocab[i]) != NULL)
			f |= (uint64_t)1 << i;
	return f;
}

/* Words, stop words, capitalised words, digits, sentence ends of text. */
static void text_stats(bstat *s, const char *t, size_t len)
{
	size_t i = 0, words = 0, stops = 0, caps = 0, digits = 0, ends = 0, commas = 0, wchars = 0;
	size_t pipes = 0;

	while (i < len) {
		unsigned char ch = (unsigned char)t[i];
		size_t st = i;

		if (!(nx_isalnum(ch) || ch >= 0x80)) {
			if (ch == '.' || ch == '!' || ch == '?')
				ends++;
			else if (ch == ',')
				commas++;
			else if (ch == '|')
				pipes++;
			i++;
			continue;
		}
		while (i < len && (nx_isalnum((unsigned char)t[i]) || (unsigned char)t[i] >= 0x80))
			i++;
		words++;
		wchars += i - st;
		if (nx_isdigit(ch))
			digits++;
		else if (ch >= 'A' && ch <= 'Z')
			caps++;
		if (i - st < 24) {
			char w[24];
			size_t k = 0;

			for (k = 0; k < i - st; k++)
				w[k] = (char)nx_tolower((unsigned char)t[st + k]);
			if (nx_is_stopword(w, i - st, NULL))
				stops++;
		}
	}
	s->words = words;
	s->stops = words ? (double)stops / (double)words : 0;
	s->caps = words ? (double)caps / (double)words : 0;
	s->digits = words ? (double)digits / (double)words : 0;
	s->wlen = words ? (double)wchars / (double)words / 10.0 : 0;
	s->commas = words ? (double)commas * 10.0 / (double)words : 0;
	s->sentences = log1p((double)ends);
	s->pipes = pipes > 0;
	s->ends = len > 0 && strchr(".!?\"'", t[len - 1]) != NULL;
	if (len >= 2 && (unsigned char)t[len - 1] >= 0x80)
		s->ends = strstr(t + (len >= 3 ? len - 3 : 0), "\xe2\x80\x9d") != NULL; /* ” */
	s->copy = strstr(t, "\xc2\xa9") != NULL || nx_memcasemem(t, len, "copyright") != NULL ||
		  nx_memcasemem(t, len, "all rights reserved") != NULL;
}

static void stat_of(bstat *s, const nx_block *b, const xmlNode *body)
{
	const xmlNode *n = NULL;
	int depth = 0;

	memset(s, 0, sizeof(*s));
	s->lchars = log1p((double)b->chars);
	s->ld = b->chars ? (double)b->link / (double)b->chars : 0;
	text_stats(s, b->text, b->len);
	s->kind = kind_of(b->owner != NULL ? nx_html__tag(b->owner) : "body");
	s->parent = b->owner != NULL && b->owner != body ? b->owner->parent : NULL;
	s->grand = s->parent != NULL && s->parent != body ? s->parent->parent : NULL;
	s->klass = b->owner != NULL ? nx_html__attr(b->owner, "class") : NULL;
	for (n = b->owner; n != NULL && n->type == XML_ELEMENT_NODE; n = n->parent, depth++) {
		uint64_t v = vocab_of(n);

		s->anc |= anc_of(nx_html__tag(n), n);
		if (depth < 3)
			s->near |= v;
		s->far |= v;
		if (n == body)
			break;
	}
}

/* ---- the feature vector ------------------------------------------------- */

typedef struct fsink {
	double *x;
	const char **names;
	size_t k;
} fsink;

static void put(fsink *s, const char *name, double v)
{
	if (s->k < NX_BLOCK_NFEAT) {
		if (s->x != NULL)
			s->x[s->k] = v;
		if (s->names != NULL)
			s->names[s->k] = name;
	}
	s->k++;
}

static char vocab_names[2][NVOCAB][20];

static void put_stat(fsink *f, const char *prefix, const bstat *s, int kept)
{
	int full = prefix[0] == '\0';

	if (!full) {
		/* a neighbour: the few features that tell text from chrome */
		put(f, prefix[0] == 'p' ? "prev_kept" : "next_kept", kept);
		put(f, prefix[0] == 'p' ? "prev_lchars" : "next_lchars", s ? s->lchars : 0);
		put(f, prefix[0] == 'p' ? "prev_ld" : "next_ld", s ? s->ld : 0);
		put(f, prefix[0] == 'p' ? "prev_heading" : "next_heading", s ? s->kind == K_HEAD : 0);
		put(f, prefix[0] == 'p' ? "prev_none" : "next_none", s == NULL);
		return;
	}
	put(f, "kept", kept);
	put(f, "lchars", s->lchars);
	put(f, "chars30", s->lchars > log1p(30));
	put(f, "chars80", s->lchars > log1p(80));
	put(f, "chars200", s->lchars > log1p(200));
	put(f, "chars500", s->lchars > log1p(500));
	put(f, "ld", s->ld);
	put(f, "ld50", s->ld > 0.5);
	put(f, "ld90", s->ld > 0.9);
	put(f, "commas", s->commas > 3 ? 3 : s->commas);
	put(f, "ends", s->ends);
	put(f, "sentences", s->sentences);
	put(f, "stops", s->stops);
	put(f, "caps", s->caps);
	put(f, "digits", s->digits);
	put(f, "wlen", s->wlen > 2 ? 2 : s->wlen);
	put(f, "pipes", s->pipes);
	put(f, "copyright", s->copy);
}

static void put_vocab(fsink *f, const bstat *s)
{
	size_t i = 0;

	for (i = 0; i < NVOCAB; i++) {
		if (vocab_names[0][i][0] == '\0') {
			snprintf(vocab_names[0][i], sizeof(vocab_names[0][i]), "near_%s", vocab[i]);
			snprintf(vocab_names[1][i], sizeof(vocab_names[1][i]), "far_%s", vocab[i]);
		}
		put(f, vocab_names[0][i], s != NULL && (s->near >> i) & 1);
	}
	for (i = 0; i < NVOCAB; i++)
		put(f, vocab_names[1][i], s != NULL && (s->far >> i) & 1);
}

/* Page-level context of one block. */
typedef struct pctx {
	double pos, chars_before, kept_before, first_kept, after_kept, same_parent, same_grand;
	double same_class, window_kept;
} pctx;

static void put_all(fsink *f, const bstat *s, int kept, const bstat *prev, int pk,
		    const bstat *next, int nk, const pctx *c)
{
	int i = 0;

	put_stat(f, "", s, kept);
	for (i = 0; i < NKIND; i++)
		put(f, kind_names[i], s->kind == i);
	for (i = 0; i < NANC; i++)
		put(f, anc_names[i], (s->anc >> i) & 1);
	put_vocab(f, s);
	put_stat(f, "prev", prev, pk);
	put_stat(f, "next", next, nk);
	put(f, "pos", c->pos);
	put(f, "chars_before", c->chars_before);
	put(f, "kept_before", c->kept_before);
	put(f, "before_first_kept", c->first_kept);
	put(f, "after_last_kept", c->after_kept);
	put(f, "same_parent_as_kept", c->same_parent);
	put(f, "same_grandparent_as_kept", c->same_grand);
	put(f, "same_class_as_kept", c->same_class);
	put(f, "window_kept", c->window_kept);
}

const char *const *nx_blocks__names(void)
{
	static const char *names[NX_BLOCK_NFEAT + 1];
	fsink f = { NULL, names, 0 };
	bstat s;
	pctx c;

	memset(&s, 0, sizeof(s));
	memset(&c, 0, sizeof(c));
	put_all(&f, &s, 0, NULL, 0, NULL, 0, &c);
	names[f.k < NX_BLOCK_NFEAT ? f.k : NX_BLOCK_NFEAT] = NULL;
	return names;
}

/* ---- features of every block -------------------------------------------- */

/* 1 when the hand rules kept this text (or a paragraph holding it). */
static int kept_by_rules(const nx_block *b, const nx_article *rules)
{
	size_t i = 0;

	for (i = 0; rules != NULL && i < rules->nparas; i++) {
		const char *p = rules->paras[i];

		if (strcmp(p, b->text) == 0)
			return 1;
		if (b->len >= 20 && strstr(p, b->text) != NULL)
			return 1;
		if (strlen(p) >= 20 && strstr(b->text, p) != NULL)
			return 1;
	}
	return 0;
}

static void context_of(pctx *c, const nx_blocks *bs, const bstat *st, size_t i, const size_t *cum,
		       const size_t *kcum)
{
	size_t n = bs->n, j = 0, lo = i >= 2 ? i - 2 : 0, hi = i + 3 < n ? i + 3 : n;
	size_t total = cum[n], ktotal = kcum[n], wk = 0, wall = 0;

	memset(c, 0, sizeof(*c));
	c->pos = n > 1 ? (double)i / (double)(n - 1) : 0;
	c->chars_before = total ? (double)cum[i] / (double)total : 0;
	c->kept_before = ktotal ? (double)kcum[i] / (double)ktotal : 0;
	c->first_kept = kcum[i] == 0 && ktotal > 0;
	c->after_kept = ktotal > 0 && kcum[i + 1] == ktotal && !bs->v[i].kept;
	for (j = 0; j < n; j++) {
		if (j == i || !bs->v[j].kept)
			continue;
		if (st[i].parent != NULL && st[j].parent == st[i].parent)
			c->same_parent = 1;
		if (st[i].grand != NULL && st[j].grand == st[i].grand)
			c->same_grand = 1;
		if (st[i].klass != NULL && st[j].klass != NULL && st[i].klass[0] != '\0' &&
		    strcmp(st[i].klass, st[j].klass) == 0)
			c->same_class = 1;
	}
	for (j = lo; j < hi; j++) {
		if (j == i)
			continue;
		wall += bs->v[j].chars;
		if (bs->v[j].kept)
			wk += bs->v[j].chars;
	}
	c->window_kept = wall ? (double)wk / (double)wall : 0;
}

static void features(nx_blocks *bs, const bstat *st, const size_t *cum, const size_t *kcum)
{
	size_t i = 0;

	for (i = 0; i < bs->n; i++) {
		nx_block *b = &bs->v[i];
		fsink f = { b->x, NULL, 0 };
		pctx c;

		context_of(&c, bs, st, i, cum, kcum);
		put_all(&f, &st[i], b->kept, i > 0 ? &st[i - 1] : NULL, i > 0 ? bs->v[i - 1].kept : 0,
			i + 1 < bs->n ? &st[i + 1] : NULL, i + 1 < bs->n ? bs->v[i + 1].kept : 0, &c);
		bs->nfeat = f.k < NX_BLOCK_NFEAT ? f.k : NX_BLOCK_NFEAT;
	}
}

static xmlNode *body_of(htmlDocPtr doc)
{
	xmlNode *root = xmlDocGetRootElement(doc), *b = NULL;

	if (root == NULL)
		return NULL;
	for (b = root->children; b != NULL; b = b->next)
		if (nx_html__is(b, "body"))
			return b;
	return root;
}

int nx_blocks__build(nx_blocks *out, htmlDocPtr doc, const nx_article *rules)
{
	xmlNode *body = body_of(doc);
	walker w;
	bstat *st = NULL;
	size_t *cum = NULL, *kcum = NULL, i = 0;

	memset(out, 0, sizeof(*out));
	memset(&w, 0, sizeof(w));
	nx_buf_init(&w.cur);
	w.out = out;
	if (body == NULL)
		return NX_OK;
	cut(&w, body);
	nx_buf_free(&w.cur);
	if (w.rc < 0)
		return w.rc;
	if (out->n == 0)
		return NX_OK;
	st = calloc(out->n, sizeof(*st));
	cum = calloc(out->n + 1, sizeof(*cum));
	kcum = calloc(out->n + 1, sizeof(*kcum));
	if (st == NULL || cum == NULL || kcum == NULL) {
		free(st);
		free(cum);
		free(kcum);
		return NX_ENOMEM;
	}
	for (i = 0; i < out->n; i++) {
		nx_block *b = &out->v[i];

		b->kept = kept_by_rules(b, rules);
		stat_of(&st[i], b, body);
		cum[i + 1] = cum[i] + b->chars;
		kcum[i + 1] = kcum[i] + (b->kept ? b->chars : 0);
	}
	features(out, st, cum, kcum);
	free(st);
	free(cum);
	free(kcum);
	return NX_OK;
}

void nx_blocks__free(nx_blocks *b)
{
	size_t i = 0;

	for (i = 0; i < b->n; i++)
		free(b->v[i].text);
	free(b->v);
	memset(b, 0, sizeof(*b));
}

/* ---- the classifier ----------------------------------------------------- */

double nx_blocks__margin(const nx_trees *m, const double *x)
{
	size_t inner = ((size_t)1 << m->depth) - 1, t = 0, k = 0, d = 0;
	double v = m->bias;

	if (m->nfeat == 0)
		return 0;
	for (t = 0; t < m->ntrees; t++) {
		const unsigned short *f = m->feat + t * inner;
		const double *thr = m->thr + t * inner;

		for (k = 0, d = 0; d < m->depth; d++)
			k = 2 * k + 1 + (f[k] < m->nfeat && x[f[k]] > thr[k]);
		v += m->leaf[t * (inner + 1) + (k - inner)];
	}
	return v;
}

#define NONE (-8.0) /* the margin of a neighbour that does not exist */

static double margin_at(const double *m1, size_t n, size_t i, int off)
{
	if ((off < 0 && i < (size_t)-off) || i + (size_t)(off > 0 ? off : 0) >= n)
		return NONE;
	return m1[(ptrdiff_t)i + off];
}

void nx_blocks__context(double *out, const nx_blocks *bs, const double *m1)
{
	size_t n = bs->n, i = 0, first = n, last = 0;
	double best = -1e300, all = 0, pos = 0, before = 0;

	for (i = 0; i < n; i++) {
		best = m1[i] > best ? m1[i] : best;
		all += (double)bs->v[i].chars;
		if (m1[i] > 0) {
			pos += (double)bs->v[i].chars;
			first = first == n ? i : first;
			last = i;
		}
	}
	for (i = 0; i < n; i++) {
		double *x = out + i * NX_BLOCK_NCTX, p = margin_at(m1, n, i, -1), q = margin_at(m1, n, i, 1);

		x[0] = m1[i];
		x[1] = p;
		x[2] = q;
		x[3] = margin_at(m1, n, i, -2);
		x[4] = margin_at(m1, n, i, 2);
		x[5] = p > q ? p : q;
		x[6] = best;
		x[7] = m1[i] - best;
		x[8] = pos > 0 ? before / pos : 0;
		x[9] = first < n && i >= first && i <= last;
		x[10] = all > 0 ? pos / all : 0;
		x[11] = bs->v[i].kept;
		if (m1[i] > 0)
			before += (double)bs->v[i].chars;
	}
}

/* The index of feature name, or NX_BLOCK_NFEAT. */
static size_t feature_index(const char *name)
{
	const char *const *names = nx_blocks__names();
	size_t i = 0;

	for (i = 0; names[i] != NULL; i++)
		if (strcmp(names[i], name) == 0)
			return i;
	return NX_BLOCK_NFEAT;
}

/*
 * Words of markup naming what is never a story's text (scripts/train-blocks'
 * LEFT_GUARD): a block the rules left whose element or two parents carry one
 * is never added, whatever its margin. Blocks the rules kept are the
 * model's to judge.
 */
static const char *const left_guard[] = { "newsletter", "subscri" };
#define NGUARD (sizeof(left_guard) / sizeof(left_guard[0]))

/* The features of left_guard's words (NX_BLOCK_NFEAT for one not found). */
static void guard_features(size_t *idx)
{
	char name[32];
	size_t i = 0;

	for (i = 0; i < NGUARD; i++) {
		snprintf(name, sizeof(name), "near_%s", left_guard[i]);
		idx[i] = feature_index(name);
	}
}

/* 1 when b is a block the rules left under a word of left_guard (features idx). */
static int left_chrome(const nx_block *b, const size_t *idx)
{
	size_t i = 0;

	if (b->kept)
		return 0;
	for (i = 0; i < NGUARD; i++)
		if (idx[i] < NX_BLOCK_NFEAT && b->x[idx[i]] > 0)
			return 1;
	return 0;
}

/*
 * 1 for the blocks of bs that are content (pick[i]); the text picked
 * outside headings (a heading alone is not a body: it is the title, which
 * the body loses later).
 */
static size_t classify(const nx_blocks *bs, unsigned char *pick, double *m1, double *ctx)
{
	size_t i = 0, chosen = 0, head = feature_index("own_heading");
	size_t guard[NGUARD];

	guard_features(guard);
	for (i = 0; i < bs->n; i++)
		m1[i] = nx_blocks__margin(&nx_block_model_blocks, bs->v[i].x);
	nx_blocks__context(ctx, bs, m1);
	for (i = 0; i < bs->n; i++) {
		pick[i] = nx_blocks__margin(&nx_block_model_context, ctx + i * NX_BLOCK_NCTX) >
			  nx_block_model_cut && !left_chrome(&bs->v[i], guard);
		if (pick[i] && !(head < NX_BLOCK_NFEAT && bs->v[i].x[head] > 0))
			chosen += bs->v[i].chars;
	}
	return chosen;
}

int nx_blocks__apply(nx_article *a, htmlDocPtr doc)
{
	nx_blocks bs;
	size_t i = 0;
	int rc = NX_OK;
	unsigned char *pick = NULL;
	double *m1 = NULL, *ctx = NULL;

	if (nx_block_model_blocks.nfeat == 0 || nx_block_model_context.nfeat != NX_BLOCK_NCTX)
		return NX_OK;
	rc = nx_blocks__build(&bs, doc, a);
	if (rc < 0 || bs.n == 0 || bs.nfeat != nx_block_model_blocks.nfeat)
		goto done; /* a model for other features is never applied */
	pick = calloc(bs.n, 1);
	m1 = calloc(bs.n, sizeof(*m1));
	ctx = calloc(bs.n * NX_BLOCK_NCTX, sizeof(*ctx));
	if (pick == NULL || m1 == NULL || ctx == NULL) {
		rc = NX_ENOMEM;
		goto done;
	}
	if (classify(&bs, pick, m1, ctx) == 0)
		goto done; /* no text but headings: the hand rules' body stays */
	while (a->nparas > 0)
		nx_article_remove_para(a, a->nparas - 1);
	for (i = 0; i < bs.n && rc == NX_OK; i++)
		if (pick[i])
			rc = nx_article_add_para(a, bs.v[i].text, (long)bs.v[i].len);
done:
	free(pick);
	free(m1);
	free(ctx);
	nx_blocks__free(&bs);
	return rc;
}

int nx_html__body(nx_article *a, htmlDocPtr doc)
{
	int rc = nx_html__body_rules(a, doc);

	return rc < 0 ? rc : nx_blocks__apply(a, doc);
}

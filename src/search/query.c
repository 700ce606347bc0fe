/*
 * query.c - compile what a user typed into a safe FTS5 MATCH expression.
 *
 * Two passes.  lex() cuts the text into tokens (words, phrases and
 * parentheses) that carry their "-" and "column:" prefixes.  A small
 * recursive-descent parser then builds the FTS5 expression bottom-up, one
 * fragment per sub-expression.  User text reaches FTS5 only inside
 * double-quoted strings (with '"' doubled), so no input can inject FTS5
 * syntax.  The work is linear in the length of the input.
 *
 * User grammar, loosest binding first:
 *
 *   query := item*                   items are ANDed; an upper-case AND
 *                                    between two items is skipped
 *   item  := or | "-" unary | "NOT" unary
 *   or    := unary ("OR" unary)*     OR needs a positive, non-keyword
 *                                    operand on both sides
 *   unary := [column ":"] (word | phrase | "(" query ")")
 *
 * A keyword (upper-case OR, AND, NOT with no prefix) that cannot act as an
 * operator is the literal word.  Negation applies to one unary, so
 * "-a OR b" is "b, or, not a"; write "-(a OR b)" to exclude either.
 *
 * Lexing: terms are separated by ASCII white space, control characters
 * (C0, DEL, C1), Unicode spaces and invalid UTF-8 bytes; '(' and ')' also
 * end a word.  A '"' opens a phrase only where a term starts; inside a word
 * it is an ordinary character.  An unbalanced '"' runs to the end.  Trailing
 * '*'s after a word (or right after a closing '"') make it a prefix.  A
 * word or phrase with no ASCII letter or digit and no byte >= 0x80 is
 * dropped.  Unmatched ')' are ignored, unclosed '(' close at the end, and
 * parentheses nested deeper than QUERY_MAX_DEPTH are ignored.
 *
 * Output (the canonical forms tests/unit/test_query.c checks):
 *
 *   word  "a phrase"       "word"  "a phrase"    case kept, the tokenizer folds
 *   word*  "a phr"*        "word"*  "a phr"*
 *   title:word             title : "word"
 *   a b                    "a" "b"               implicit AND between phrases
 *   a (b OR c)             "a" AND ("b" OR "c")  explicit AND as soon as one
 *                                                operand is parenthesised
 *   a OR b                 ("a" OR "b")
 *   a b -c -d              ("a" "b") NOT "c" NOT "d"
 *   (a -b) OR c            (("a" NOT "b") OR "c")
 *   title:(a OR b)         title : ("a" OR "b")
 *
 * FTS5 (3.40) only accepts the implicit AND between phrases, never next to
 * a parenthesised expression; that is why both separators exist.
 */
#include "newsidx/query.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/buf.h"
#include "util/text.h"
#include "article/lang.h"
#include "index/tokenizer.h"

#include "search/query_private.h"

/* Column names as declared in the FTS5 table. */
static const char *const column_names[] = { "title", "body", "captions", "credits" };


/* What a fragment of FTS5 expression looks like from the outside. */
enum frag_kind {
	FRAG_EMPTY,     /* nothing to search for */
	FRAG_PHRASE,    /* "a b" or "a"* */
	FRAG_COLPHRASE, /* title : "a" */
	FRAG_GROUP,     /* (...): self-contained, but FTS5 will not put it
			   next to an implicit AND */
	FRAG_COLGROUP,  /* title : (...): likewise */
	FRAG_LIST,      /* x y, x AND y: needs parentheses to be an operand */
	FRAG_NOT        /* x NOT y: needs parentheses to be an operand */
};

struct frag {
	nx_buf text;
	int kind;     /* FRAG_* */
	nx_buf hoist; /* " NOT x NOT y" of a group with no positive term */
};

struct termset {
	char **terms; /* in order of first appearance */
	size_t nterms;
	size_t alloc;
	size_t *slots; /* open addressing: index + 1 into terms, 0 = free */
	size_t nslots; /* power of two, or 0 */
};

struct parser {
	const struct tok *t;
	size_t n;
	size_t i;
	const char *text;
	struct termset ts;
	int has_negative;
	int oom;
	nx_buf relaxed;   /* top-level positive items that are not stop words, ORed */
	size_t nunits;
	nx_buf top_negs;  /* top-level exclusions, " NOT x NOT y" */
};

/* -- Terms ---------------------------------------------------------------- */

static size_t term_hash(const char *s)
{
	size_t h = 2166136261u;

	while (*s != '\0') {
		h ^= (unsigned char)*s++;
		h *= 16777619u;
	}
	return h;
}

static int termset_grow(struct termset *ts)
{
	size_t n = ts->nslots == 0 ? 64 : ts->nslots * 2, i = 0, j = 0;
	size_t *slots = calloc(n, sizeof(*slots));
	int rc = -1;

	if (slots == NULL)
		goto done;
	for (i = 0; i < ts->nterms; i++) {
		j = term_hash(ts->terms[i]) & (n - 1);
		while (slots[j] != 0)
			j = (j + 1) & (n - 1);
		slots[j] = i + 1;
	}
	free(ts->slots);
	ts->slots = slots;
	ts->nslots = n;
	rc = 0;
done:
	return rc;
}

/* Add one lower-cased word unless already present. */
static int termset_add(struct termset *ts, const char *s, size_t len)
{
	char *w = NULL, **p = NULL;
	size_t i = 0, j = 0, n = 0;
	int rc = 0;

	w = malloc(len + 1);
	if (w == NULL)
		goto oom;
	for (i = 0; i < len; i++)
		w[i] = nx_query__ascii_lower(s[i]);
	w[len] = '\0';
	if (2 * (ts->nterms + 1) > ts->nslots && termset_grow(ts) < 0)
		goto oom;
	j = term_hash(w) & (ts->nslots - 1);
	while (ts->slots[j] != 0) {
		if (strcmp(ts->terms[ts->slots[j] - 1], w) == 0)
			goto done;
		j = (j + 1) & (ts->nslots - 1);
	}
	if (ts->nterms == ts->alloc) {
		n = ts->alloc == 0 ? 16 : ts->alloc * 2;
		p = realloc(ts->terms, n * sizeof(*p));
		if (p == NULL)
			goto oom;
		ts->terms = p;
		ts->alloc = n;
	}
	ts->terms[ts->nterms++] = w;
	ts->slots[j] = ts->nterms;
	w = NULL;
	goto done;
oom:
	rc = -1;
done:
	free(w);
	return rc;
}

/*
 * Record the words of a positive word or phrase: runs of ASCII letters,
 * digits and non-ASCII bytes, as the unicode61 tokenizer would split them.
 */
static void add_terms(struct parser *ps, const char *s, size_t len)
{
	size_t i = 0, start = 0;

	while (i < len && !ps->oom) {
		while (i < len && !nx_query__is_alnum_byte((unsigned char)s[i]))
			i++;
		start = i;
		while (i < len && nx_query__is_alnum_byte((unsigned char)s[i]))
			i++;
		if (i > start && termset_add(&ps->ts, s + start, i - start) < 0)
			ps->oom = 1;
	}
}

static void termset_free(struct termset *ts)
{
	size_t i = 0;

	for (i = 0; i < ts->nterms; i++)
		free(ts->terms[i]);
	free(ts->terms);
	free(ts->slots);
	memset(ts, 0, sizeof(*ts));
}

/* -- Fragments ------------------------------------------------------------ */

static void frag_init(struct frag *f)
{
	nx_buf_init(&f->text);
	nx_buf_init(&f->hoist);
	f->kind = FRAG_EMPTY;
}

static void frag_free(struct frag *f)
{
	nx_buf_free(&f->text);
	nx_buf_free(&f->hoist);
	f->kind = FRAG_EMPTY;
}

/* Move src into dst (which must be empty); src is left empty. */
static void buf_move(nx_buf *dst, nx_buf *src)
{
	nx_buf_free(dst);
	*dst = *src;
	nx_buf_init(src);
}

/* Note a failed allocation in any of f's buffers. */
static void frag_check(struct parser *ps, const struct frag *f)
{
	if (!nx_buf_ok(&f->text) || !nx_buf_ok(&f->hoist))
		ps->oom = 1;
}


/* Wrap f in parentheses when it cannot stand as an operand. */
static void frag_enclose(struct frag *f)
{
	nx_buf b = NX_BUF_INIT;

	if (f->kind == FRAG_LIST || f->kind == FRAG_NOT) {
		nx_buf_addch(&b, '(');
		nx_buf_add(&b, f->text.buf, f->text.len);
		nx_buf_addch(&b, ')');
		buf_move(&f->text, &b);
		f->kind = FRAG_GROUP;
	}
}

/* Limit the self-contained fragment f to column col. */
static void frag_column(struct frag *f, int col)
{
	nx_buf b = NX_BUF_INIT;
	int wrap = 0;

	if (f->kind == FRAG_EMPTY)
		goto done;
	/* FTS5 takes "col : phrase" and "col : (expr)", nothing else. */
	wrap = f->kind == FRAG_COLPHRASE || f->kind == FRAG_COLGROUP;
	nx_buf_adds(&b, column_names[col]);
	nx_buf_adds(&b, " : ");
	if (wrap)
		nx_buf_addch(&b, '(');
	nx_buf_add(&b, f->text.buf, f->text.len);
	if (wrap)
		nx_buf_addch(&b, ')');
	f->kind = f->kind == FRAG_PHRASE ? FRAG_COLPHRASE : FRAG_COLGROUP;
	buf_move(&f->text, &b);
done:
	nx_buf_free(&b);
}

/* -- Parser --------------------------------------------------------------- */

static void parse_and(struct parser *ps, int neg, int top, struct frag *out);

/* Can token j start an operand? */
static int is_operand(const struct parser *ps, size_t j)
{
	return j < ps->n && ps->t[j].type != TOK_CLOSE;
}

/* Can token j start a positive operand of OR or NOT? */
static int is_plain_operand(const struct parser *ps, size_t j)
{
	return is_operand(ps, j) && !ps->t[j].neg && ps->t[j].kw == KW_NONE;
}

/*
 * unary := [column ":"] (word | phrase | "(" query ")").  neg is set inside
 * an exclusion, where words are not recorded as terms.  The result is
 * FRAG_EMPTY, FRAG_PHRASE, FRAG_COLPHRASE, FRAG_GROUP or FRAG_COLGROUP.
 */
/*
 * NEAR(a b "c d", 10): the phrases inside, and a trailing number as the
 * distance (default 10).  ps->i is at the '(' after NEAR.
 */
static void parse_near(struct parser *ps, int col, int neg, struct frag *out)
{
	nx_buf b = NX_BUF_INIT;
	size_t count = 0, len = 0, k = 0;
	int depth = 0, dist = 10, isnum = 0;
	const struct tok *t = NULL;
	const char *s = NULL;

	ps->i++; /* '(' */
	nx_buf_adds(&b, "NEAR(");
	while (ps->i < ps->n) {
		t = &ps->t[ps->i++];
		if (t->type == TOK_OPEN) {
			depth++;
			continue;
		}
		if (t->type == TOK_CLOSE) {
			if (depth-- == 0)
				break;
			continue;
		}
		s = ps->text + t->off;
		len = t->len;
		while (len > 0 && s[len - 1] == ',')
			len--;
		isnum = t->type == TOK_WORD && len > 0 && len <= 3;
		for (k = 0; k < len && isnum; k++)
			isnum = s[k] >= '0' && s[k] <= '9';
		if (isnum && count >= 1 && (ps->i >= ps->n || ps->t[ps->i].type == TOK_CLOSE)) {
			/* the token's own digits only: the text goes on after it */
			for (dist = 0, k = 0; k < len; k++)
				dist = dist * 10 + (s[k] - '0');
			continue;
		}
		if (t->neg || !nx_query__has_alnum(s, len))
			continue;
		if (count > 0)
			nx_buf_addch(&b, ' ');
		nx_fts5_quote(&b, s, len);
		if (t->prefix)
			nx_buf_addch(&b, '*');
		if (!neg)
			add_terms(ps, s, len);
		count++;
	}
	nx_buf_addf(&b, ", %d)", dist);
	if (count >= 2) {
		buf_move(&out->text, &b);
		out->kind = FRAG_GROUP;
		if (col >= 0)
			frag_column(out, col);
	} else if (count == 1) {
		/* one word: NEAR means nothing, keep the word */
		const char *q = strchr(b.buf, '"');
		const char *e = strrchr(b.buf, ',');

		nx_buf_add(&out->text, q, (size_t)(e - q));
		out->kind = FRAG_PHRASE;
		if (col >= 0)
			frag_column(out, col);
	}
	if (!nx_buf_ok(&b))
		ps->oom = 1;
	nx_buf_free(&b);
}

static void parse_unary(struct parser *ps, int neg, struct frag *out)
{
	const struct tok *t = &ps->t[ps->i++];
	const char *s = ps->text + t->off;
	struct frag inner;

	frag_init(&inner);
	frag_init(out);
	if (t->type == TOK_WORD && t->len == 4 && memcmp(s, "NEAR", 4) == 0 && !t->prefix &&
	    ps->i < ps->n && ps->t[ps->i].type == TOK_OPEN && ps->t[ps->i].col < 0 && !ps->t[ps->i].neg) {
		parse_near(ps, t->col, neg, out);
		goto done;
	}
	if (t->type == TOK_OPEN) {
		parse_and(ps, neg, 0, &inner);
		if (ps->i < ps->n && ps->t[ps->i].type == TOK_CLOSE)
			ps->i++;
		if (inner.kind == FRAG_EMPTY) {
			/* Only exclusions: the caller may add them to its own. */
			if (t->col < 0)
				buf_move(&out->hoist, &inner.hoist);
			goto done;
		}
		frag_enclose(&inner);
		if (t->col >= 0)
			frag_column(&inner, t->col);
		buf_move(&out->text, &inner.text);
		out->kind = inner.kind;
		goto done;
	}
	if (!nx_query__has_alnum(s, t->len))
		goto done;
	nx_fts5_quote(&out->text, s, t->len);
	if (t->prefix)
		nx_buf_addch(&out->text, '*');
	out->kind = FRAG_PHRASE;
	if (t->col >= 0)
		frag_column(out, t->col);
	if (!neg)
		add_terms(ps, s, t->len);
done:
	frag_free(&inner);
	frag_check(ps, out);
}

/* Is the next token an OR with a positive operand after it? */
static int or_follows(const struct parser *ps)
{
	return ps->i < ps->n && ps->t[ps->i].kw == KW_OR && is_plain_operand(ps, ps->i + 1);
}

/*
 * or := unary ("OR" unary)*.  A unary that is a keyword taken literally
 * takes no OR.  Exclusions hoisted out of a group survive only when the
 * group stands alone.
 */
static void parse_or(struct parser *ps, int neg, struct frag *out)
{
	struct frag f;
	nx_buf b = NX_BUF_INIT;
	size_t count = 0;
	int kind = FRAG_EMPTY, literal = ps->t[ps->i].kw != KW_NONE;

	frag_init(&f);
	parse_unary(ps, neg, &f);
	if (literal || !or_follows(ps)) {
		*out = f;
		frag_init(&f);
		goto done;
	}
	frag_init(out);
	for (;;) {
		if (f.kind != FRAG_EMPTY) {
			if (count > 0)
				nx_buf_adds(&b, " OR ");
			nx_buf_add(&b, f.text.buf, f.text.len);
			kind = f.kind;
			count++;
		}
		frag_free(&f);
		if (ps->oom || !or_follows(ps))
			break;
		ps->i++;
		parse_unary(ps, neg, &f);
	}
	if (count == 1) {
		buf_move(&out->text, &b);
		out->kind = kind;
	} else if (count > 1) {
		nx_buf_addch(&out->text, '(');
		nx_buf_add(&out->text, b.buf, b.len);
		nx_buf_addch(&out->text, ')');
		out->kind = FRAG_GROUP;
	}
	if (!nx_buf_ok(&b))
		ps->oom = 1;
done:
	nx_buf_free(&b);
	frag_free(&f);
	frag_check(ps, out);
}

/* A single-word phrase that is a stop word ("the"): left out of relaxed. */
static int is_stop_item(const struct frag *f)
{
	const char *s = f->text.buf;
	size_t n = f->text.len;

	if (f->kind != FRAG_PHRASE || n < 3 || s[0] != '"' || s[n - 1] != '"')
		return 0;
	if (memchr(s + 1, ' ', n - 2) != NULL || memchr(s + 1, '"', n - 2) != NULL)
		return 0;
	{
		char low[64];
		size_t i = 0;

		if (n - 2 >= sizeof(low))
			return 0;
		for (i = 0; i < n - 2; i++)
			low[i] = nx_query__ascii_lower(s[1 + i]);
		return nx_is_stopword(low, n - 2, NULL);
	}
}

/*
 * query := item*, up to a ')' or the end.  top is set for the whole query,
 * where a stray ')' is skipped.  Positive items are joined both ways (by
 * space and by AND) until it is known whether all of them are phrases.
 */
static void parse_and(struct parser *ps, int neg, int top, struct frag *out)
{
	nx_buf pos_sp = NX_BUF_INIT, pos_and = NX_BUF_INIT, negs = NX_BUF_INIT;
	struct frag f;
	size_t npos = 0, nitems = 0;
	int all_phrases = 1, kind = FRAG_EMPTY, negated = 0;
	const struct tok *t = NULL;

	frag_init(&f);
	frag_init(out);
	while (ps->i < ps->n && !ps->oom) {
		t = &ps->t[ps->i];
		if (t->type == TOK_CLOSE) {
			if (!top)
				break;
			ps->i++;
			continue;
		}
		if (t->kw == KW_AND && nitems > 0 && is_operand(ps, ps->i + 1)) {
			ps->i++;
			continue;
		}
		nitems++;
		negated = t->neg;
		if (t->kw == KW_NOT && is_plain_operand(ps, ps->i + 1)) {
			ps->i++;
			negated = 1;
		}
		if (negated) {
			parse_unary(ps, 1, &f);
			if (f.kind != FRAG_EMPTY) {
				ps->has_negative = 1;
				nx_buf_adds(&negs, " NOT ");
				nx_buf_add(&negs, f.text.buf, f.text.len);
			}
			frag_free(&f);
			continue;
		}
		parse_or(ps, neg, &f);
		nx_buf_add(&negs, f.hoist.buf, f.hoist.len);
		if (top && f.kind != FRAG_EMPTY && !is_stop_item(&f)) {
			if (ps->nunits > 0)
				nx_buf_adds(&ps->relaxed, " OR ");
			nx_buf_add(&ps->relaxed, f.text.buf, f.text.len);
			ps->nunits++;
		}
		if (f.kind != FRAG_EMPTY) {
			if (npos > 0) {
				nx_buf_addch(&pos_sp, ' ');
				nx_buf_adds(&pos_and, " AND ");
			}
			nx_buf_add(&pos_sp, f.text.buf, f.text.len);
			nx_buf_add(&pos_and, f.text.buf, f.text.len);
			if (f.kind != FRAG_PHRASE && f.kind != FRAG_COLPHRASE)
				all_phrases = 0;
			kind = f.kind;
			npos++;
		}
		frag_free(&f);
	}
	if (top)
		nx_buf_add(&ps->top_negs, negs.buf, negs.len);
	if (npos == 0) {
		buf_move(&out->hoist, &negs);
		goto done;
	}
	if (npos > 1)
		kind = FRAG_LIST;
	if (negs.len > 0 && kind == FRAG_LIST)
		nx_buf_addch(&out->text, '(');
	nx_buf_add(&out->text, all_phrases ? pos_sp.buf : pos_and.buf,
		   all_phrases ? pos_sp.len : pos_and.len);
	if (negs.len > 0 && kind == FRAG_LIST)
		nx_buf_addch(&out->text, ')');
	out->kind = kind;
	if (negs.len > 0) {
		nx_buf_add(&out->text, negs.buf, negs.len);
		out->kind = FRAG_NOT;
	}
done:
	if (!nx_buf_ok(&pos_sp) || !nx_buf_ok(&pos_and) || !nx_buf_ok(&negs))
		ps->oom = 1;
	nx_buf_free(&pos_sp);
	nx_buf_free(&pos_and);
	nx_buf_free(&negs);
	frag_free(&f);
	frag_check(ps, out);
}

/*
 * A query written in capitals ("WHAT IS KNOWN ABOUT TARIFFS OR QUOTAS, AND
 * WHY IS IT NOT ...") is a question typed with caps lock or pasted from a
 * headline, not an expression: its OR, AND and NOT are words.  They stay
 * operators when some other word of the query has a lower-case letter
 * ("tariffs OR quotas"), or when no other word has a letter at all.
 */
static void caps_keywords(struct lexer *lx)
{
	size_t i = 0, k = 0;
	int upper = 0;

	for (i = 0; i < lx->ntoks; i++) {
		const struct tok *t = &lx->toks[i];

		if ((t->type != TOK_WORD && t->type != TOK_PHRASE) || t->kw != KW_NONE)
			continue;
		for (k = 0; k < t->len; k++) {
			unsigned char c = (unsigned char)lx->text.buf[t->off + k];

			if (c >= 'a' && c <= 'z')
				return;
			upper |= c >= 'A' && c <= 'Z';
		}
	}
	for (i = 0; upper && i < lx->ntoks; i++)
		lx->toks[i].kw = KW_NONE;
}

/* -- Public --------------------------------------------------------------- */

int nx_query_compile(nx_query **out, const char *text, nx_error *err)
{
	struct lexer lx;
	struct parser ps;
	struct frag top;
	nx_query *q = NULL;
	size_t len = 0, i = 0;
	int rc = NX_OK;

	memset(&lx, 0, sizeof(lx));
	nx_buf_init(&lx.text);
	memset(&ps, 0, sizeof(ps));
	nx_buf_init(&ps.relaxed);
	nx_buf_init(&ps.top_negs);
	frag_init(&top);
	if (out != NULL)
		*out = NULL;
	if (out == NULL || text == NULL) {
		rc = nx_error_set(err, NX_EINVAL, "cannot compile a query: no %s given",
				  out == NULL ? "output" : "text");
		goto done;
	}
	len = strlen(text);
	if (len > QUERY_MAX_BYTES) {
		rc = nx_error_set(err, NX_ETOOBIG, "query too long: %zu bytes (the limit is %d)",
				  len, QUERY_MAX_BYTES);
		goto done;
	}
	q = calloc(1, sizeof(*q));
	if (q == NULL)
		goto oom;
	lx.filter = &q->filter;
	nx_query__lex(&lx, text);
	if (lx.oom)
		goto oom;
	if (lx.bad[0] != '\0') {
		rc = nx_error_set(err, NX_EQUERY, "%s", lx.bad);
		goto done;
	}
	caps_keywords(&lx);
	for (i = 0; i < lx.ntoks; i++)
		q->nprefix += lx.toks[i].prefix != 0;
	ps.t = lx.toks;
	ps.n = lx.ntoks;
	ps.text = lx.text.buf;
	parse_and(&ps, 0, 1, &top);
	if (ps.oom)
		goto oom;
	if (top.kind != FRAG_EMPTY) {
		q->fts = nx_buf_detach(&top.text);
		if (q->fts == NULL)
			goto oom;
	}
	q->terms = ps.ts.terms;
	q->nterms = ps.ts.nterms;
	ps.ts.terms = NULL;
	ps.ts.nterms = 0;
	q->has_negative = ps.has_negative;
	if (ps.nunits >= 2) {
		nx_buf r = NX_BUF_INIT;

		nx_buf_addch(&r, '(');
		nx_buf_add(&r, ps.relaxed.buf, ps.relaxed.len);
		nx_buf_addch(&r, ')');
		q->relaxed_pos = nx_strndup(r.buf, r.len);
		q->negs = nx_strndup(ps.top_negs.buf, ps.top_negs.len);
		nx_buf_add(&r, ps.top_negs.buf, ps.top_negs.len);
		if (!nx_buf_ok(&r) || q->relaxed_pos == NULL || q->negs == NULL)
			goto oom;
		q->relaxed = nx_buf_detach(&r);
		q->nunits = ps.nunits;
	}
	*out = q;
	q = NULL;
	goto done;
oom:
	rc = nx_error_set(err, NX_ENOMEM, "cannot compile the query: out of memory");
done:
	nx_query_free(q);
	termset_free(&ps.ts);
	nx_buf_free(&ps.relaxed);
	nx_buf_free(&ps.top_negs);
	frag_free(&top);
	free(lx.toks);
	nx_buf_free(&lx.text);
	return rc;
}

void nx_query_free(nx_query *q)
{
	size_t i = 0;

	if (q == NULL)
		return;
	free(q->fts);
	free(q->relaxed);
	free(q->relaxed_pos);
	free(q->negs);
	for (i = 0; i < q->nterms; i++)
		free(q->terms[i]);
	free(q->terms);
	nx_filter_clear(&q->filter);
	free(q);
}

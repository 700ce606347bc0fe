/*
 * snippet.c - snippets and highlights: the text FTS5's highlight() marks
 * up becomes plain text with the byte spans of the matches, and the
 * snippet is cut from it around the densest matches.
 */
#include "search/search_private.h"

#include <stdlib.h>
#include <string.h>

#include "index/tokenizer.h"
#include "util/text.h"


/* Markers FTS5 puts around matches; cleaned article text never holds them. */
#define HL_OPEN '\x01'
#define HL_CLOSE '\x02'

/*
 * nx_highlight(fts, col): the text of column col with every match between
 * HL_OPEN and HL_CLOSE, as FTS5's highlight(fts, col, X'01', X'02') marks
 * it (SQLite 3.40: overlapping instances merge into one mark, colocated
 * tokens do not count), in time linear in the text: highlight() copies its
 * whole output again for every match, quadratic in the matches (62 s for a
 * body of one word 400,000 times).
 */
typedef struct hl_iter {
	const Fts5ExtensionApi *api;
	Fts5Context *fctx;
	int col;
	int inst, ninst;
	int start, end; /* token positions of the current mark; -1: none left */
} hl_iter;

/* The next mark: the next instance in col, merged with those overlapping it. */
static int hl_next(hl_iter *it)
{
	int ip = 0, ic = 0, io = 0, rc = SQLITE_OK;

	it->start = it->end = -1;
	while (it->inst < it->ninst) {
		if ((rc = it->api->xInst(it->fctx, it->inst, &ip, &ic, &io)) != SQLITE_OK)
			return rc;
		if (ic == it->col) {
			int end = io - 1 + it->api->xPhraseSize(it->fctx, ip);

			if (it->start < 0) {
				it->start = io;
				it->end = end;
			} else if (io <= it->end) {
				if (end > it->end)
					it->end = end;
			} else {
				break;
			}
		}
		it->inst++;
	}
	return SQLITE_OK;
}

typedef struct hl_ctx {
	hl_iter it;
	const char *in;
	int off; /* bytes of in copied so far */
	int pos; /* token position */
	nx_buf out;
	int rc;
} hl_ctx;

static int hl_token(void *ud, int tflags, const char *tok, int ntok, int s, int e)
{
	hl_ctx *h = ud;
	int pos = 0;

	(void)tok;
	(void)ntok;
	if (tflags & FTS5_TOKEN_COLOCATED)
		return SQLITE_OK;
	pos = h->pos++;
	if (pos == h->it.start) {
		nx_buf_add(&h->out, h->in + h->off, (size_t)(s - h->off));
		nx_buf_addch(&h->out, HL_OPEN);
		h->off = s;
	}
	if (pos == h->it.end) {
		nx_buf_add(&h->out, h->in + h->off, (size_t)(e - h->off));
		nx_buf_addch(&h->out, HL_CLOSE);
		h->off = e;
		if ((h->rc = hl_next(&h->it)) != SQLITE_OK)
			return h->rc;
	}
	return nx_buf_ok(&h->out) ? SQLITE_OK : SQLITE_NOMEM;
}

static void aux_highlight(const Fts5ExtensionApi *api, Fts5Context *fctx, sqlite3_context *ctx, int nval,
			  sqlite3_value **vals)
{
	hl_ctx h;
	int n = 0, rc = SQLITE_OK;

	if (nval != 1) {
		sqlite3_result_error(ctx, "nx_highlight takes a column", -1);
		return;
	}
	memset(&h, 0, sizeof(h));
	nx_buf_init(&h.out);
	h.it.api = api;
	h.it.fctx = fctx;
	h.it.col = sqlite3_value_int(vals[0]);
	rc = api->xColumnText(fctx, h.it.col, &h.in, &n);
	if (rc == SQLITE_OK && h.in != NULL) {
		rc = api->xInstCount(fctx, &h.it.ninst);
		if (rc == SQLITE_OK)
			rc = hl_next(&h.it);
		if (rc == SQLITE_OK)
			rc = api->xTokenize(fctx, h.in, n, &h, hl_token);
		if (rc == SQLITE_OK)
			nx_buf_add(&h.out, h.in + h.off, (size_t)(n - h.off));
		if (rc == SQLITE_OK && !nx_buf_ok(&h.out))
			rc = SQLITE_NOMEM;
		if (rc == SQLITE_OK)
			sqlite3_result_text(ctx, h.out.buf != NULL ? h.out.buf : "", -1, SQLITE_TRANSIENT);
	}
	if (rc != SQLITE_OK)
		sqlite3_result_error_code(ctx, rc);
	nx_buf_free(&h.out);
}

int nx_search__register_highlight(fts5_api *api)
{
	return api->xCreateFunction(api, "nx_highlight", NULL, aux_highlight, NULL);
}

/* Highlighted text -> plain text + spans; paragraph breaks become spaces. */
typedef struct marked {
	nx_buf text;
	nx_span *sp;
	size_t n, cap;
} marked;

static int spans_push(nx_span **sp, size_t *n, size_t *cap, size_t s, size_t e)
{
	if (*n == *cap) {
		nx_span *p = realloc(*sp, (*cap = *cap ? *cap * 2 : 8) * sizeof(**sp));

		if (p == NULL)
			return NX_ENOMEM;
		*sp = p;
	}
	(*sp)[*n].start = s;
	(*sp)[*n].end = e;
	(*n)++;
	return NX_OK;
}

static int unmark(marked *m, const char *s)
{
	size_t open_at = 0;
	int in = 0;

	nx_buf_init(&m->text);
	m->sp = NULL;
	m->n = m->cap = 0;
	if (s == NULL)
		return NX_OK;
	for (; *s != '\0'; s++) {
		if (*s == NX_LANG_MARK) {
			size_t k = nx_lang_mark_len(s, strlen(s));

			if (k > 0)
				s += k - 1;
			continue;
		}
		if (*s == HL_OPEN) {
			open_at = m->text.len;
			in = 1;
		} else if (*s == HL_CLOSE) {
			if (in && m->text.len > open_at && spans_push(&m->sp, &m->n, &m->cap, open_at, m->text.len) < 0)
				return NX_ENOMEM;
			in = 0;
		} else if (*s == '\n') {
			if (m->text.len > 0 && m->text.buf[m->text.len - 1] != ' ')
				nx_buf_addch(&m->text, ' ');
		} else {
			nx_buf_addch(&m->text, *s);
		}
	}
	return nx_buf_ok(&m->text) ? NX_OK : NX_ENOMEM;
}

static void marked_free(marked *m)
{
	nx_buf_free(&m->text);
	free(m->sp);
}

/* Byte offsets of word starts (after a space) in t, for fragment cutting. */
static size_t *word_starts(const char *t, size_t len, size_t *n)
{
	size_t *w = NULL, cap = 0, i = 0;

	*n = 0;
	for (i = 0; i < len; i++) {
		if ((i == 0 || t[i - 1] == ' ') && t[i] != ' ') {
			if (*n == cap) {
				size_t *p = realloc(w, (cap = cap ? cap * 2 : 256) * sizeof(*w));

				if (p == NULL) {
					free(w);
					return NULL;
				}
				w = p;
			}
			w[(*n)++] = i;
		}
	}
	return w;
}

/* Index of the word containing byte off. */
static size_t word_at(const size_t *w, size_t nw, size_t off)
{
	size_t lo = 0, hi = nw;

	while (hi - lo > 1) {
		size_t mid = (lo + hi) / 2;

		if (w[mid] <= off)
			lo = mid;
		else
			hi = mid;
	}
	return lo;
}

/* Two matches of (probably) the same query word: same first letters. */
static int same_word(const char *t, const nx_span *a, const nx_span *b)
{
	size_t la = a->end - a->start, lb = b->end - b->start, n = la < lb ? la : lb, k = 0;

	n = n * 3 / 5 < 3 ? (n < 3 ? n : 3) : n * 3 / 5;
	for (k = 0; k < n; k++)
		if (nx_tolower((unsigned char)t[a->start + k]) != nx_tolower((unsigned char)t[b->start + k]))
			return 0;
	return 1;
}

/*
 * Windows start at one of the first NX_SNIPPET_MATCHES matches of the
 * text: choosing costs the same for a text matched a million times.
 */
#define NX_SNIPPET_MATCHES 2048

/*
 * Cut up to nfrag fragments of about ntok words from the marked text,
 * around the matches (the densest first), cut on word boundaries, joined
 * with " … ".  Highlights are rebased into the output.
 */
static int make_snippet(nx_hit *h, const marked *m, int nfrag, int ntok)
{
	size_t nw = 0, *w = NULL, i = 0, k = 0;
	struct frag {
		size_t w0, w1;
	} fr[16];
	size_t nfr = 0;
	nx_buf out = NX_BUF_INIT;
	nx_span *sp = NULL;
	size_t nsp = 0, cap = 0;
	int rc = NX_OK;

	if (nfrag < 1)
		nfrag = 1;
	if (nfrag > 16)
		nfrag = 16;
	w = word_starts(m->text.buf, m->text.len, &nw);
	if (nw == 0) {
		free(w);
		h->snippet = strdup("");
		return h->snippet != NULL ? NX_OK : NX_ENOMEM;
	}
	if (w == NULL)
		return NX_ENOMEM;
	/* greedily choose windows that cover the most not-yet-covered matches */
	while ((int)nfr < nfrag) {
		size_t best_w0 = 0, best_cnt = 0;

		for (i = 0; i < m->n && i < NX_SNIPPET_MATCHES; i++) {
			size_t mw = word_at(w, nw, m->sp[i].start), w0 = mw > 3 ? mw - 3 : 0, cnt = 0, j = 0;
			int covered = 0;

			for (k = 0; k < nfr; k++)
				if (mw >= fr[k].w0 && mw < fr[k].w1)
					covered = 1;
			if (covered)
				continue;
			/* distinct words matched in the window count most */
			for (j = i; j < m->n; j++) {
				size_t jw = word_at(w, nw, m->sp[j].start), q = 0;
				int dup = 0;

				if (jw >= w0 + (size_t)ntok)
					break;
				for (q = i; q < j && !dup; q++)
					dup = same_word(m->text.buf, &m->sp[q], &m->sp[j]);
				cnt += dup ? 1 : 16;
			}
			if (cnt > best_cnt) {
				best_cnt = cnt;
				best_w0 = w0;
			}
		}
		if (best_cnt == 0) {
			if (nfr == 0) {
				fr[0].w0 = 0;
				fr[0].w1 = nw < (size_t)ntok ? nw : (size_t)ntok;
				nfr = 1;
			}
			break;
		}
		fr[nfr].w0 = best_w0;
		fr[nfr].w1 = best_w0 + (size_t)ntok < nw ? best_w0 + (size_t)ntok : nw;
		/* do not overlap an earlier fragment */
		for (k = 0; k < nfr; k++) {
			if (fr[nfr].w0 < fr[k].w1 && fr[nfr].w1 > fr[k].w0) {
				if (fr[nfr].w0 >= fr[k].w0)
					fr[nfr].w0 = fr[k].w1;
				else
					fr[nfr].w1 = fr[k].w0;
			}
		}
		if (fr[nfr].w1 > fr[nfr].w0)
			nfr++;
		else
			break;
	}
	/* in document order */
	for (i = 1; i < nfr; i++)
		for (k = i; k > 0 && fr[k - 1].w0 > fr[k].w0; k--) {
			struct frag t = fr[k];

			fr[k] = fr[k - 1];
			fr[k - 1] = t;
		}
	for (k = 0; k < nfr && rc == NX_OK; k++) {
		size_t b = w[fr[k].w0], e = fr[k].w1 < nw ? w[fr[k].w1] : m->text.len, base = 0;

		while (e > b && m->text.buf[e - 1] == ' ')
			e--;
		if (k > 0)
			nx_buf_adds(&out, " ");
		if (b > 0 && (k == 0 || fr[k - 1].w1 != fr[k].w0))
			nx_buf_adds(&out, "…");
		base = out.len;
		nx_buf_add(&out, m->text.buf + b, e - b);
		for (i = 0; i < m->n; i++)
			if (m->sp[i].start >= b && m->sp[i].end <= e)
				rc = spans_push(&sp, &nsp, &cap, base + m->sp[i].start - b, base + m->sp[i].end - b);
		if (e < m->text.len)
			nx_buf_adds(&out, "…");
	}
	free(w);
	if (rc < 0 || !nx_buf_ok(&out)) {
		free(sp);
		nx_buf_free(&out);
		return NX_ENOMEM;
	}
	h->snippet = nx_buf_detach(&out);
	h->highlights = sp;
	h->nhighlights = nsp;
	return h->snippet != NULL ? NX_OK : NX_ENOMEM;
}

int nx_search__title(nx_hit *h, const char *marked_title)
{
	marked tm;

	if (unmark(&tm, marked_title) < 0) {
		marked_free(&tm);
		return NX_ENOMEM;
	}
	h->title = nx_buf_detach(&tm.text);
	h->title_highlights = tm.sp;
	h->ntitle_highlights = tm.n;
	return h->title != NULL ? NX_OK : NX_ENOMEM;
}

/* The body, else a caption, else a credit that matched; the body when none did. */
int nx_search__snippet(nx_hit *h, const char *body, const char *caption, const char *credit,
		       const nx_search_opts *o)
{
	const char *text[3] = { body, caption, credit };
	static const char *const field[3] = { "body", "caption", "credit" };
	int ntok = o->snippet_tokens < 4 ? 4 : o->snippet_tokens > 64 ? 64 : o->snippet_tokens;
	int col = 0, rc = NX_OK;
	marked bm;

	memset(&bm, 0, sizeof(bm));
	nx_buf_init(&bm.text);
	for (col = 0; col < 3; col++) {
		marked_free(&bm);
		if (unmark(&bm, text[col]) < 0)
			goto oom;
		if (bm.n > 0)
			break;
	}
	if (bm.n == 0) {
		col = 0;
		marked_free(&bm);
		if (unmark(&bm, body) < 0)
			goto oom;
	}
	h->snippet_field = field[col];
	rc = make_snippet(h, &bm, o->fragments, ntok);
	marked_free(&bm);
	return rc;
oom:
	marked_free(&bm);
	return NX_ENOMEM;
}

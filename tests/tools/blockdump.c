/*
 * blockdump.c - the training side of the block classifier (issue 19):
 * for each HTML page given (plain or gzip), one JSON line per text block
 * with the features the library computes at run time (src/extract/blocks.c)
 * and the block's text, and one line with the hand rules' body.
 * scripts/train-blocks reads this; it is a development tool, not installed.
 *
 *   blockdump --names               the feature names, one JSON array
 *   blockdump PAGE...               {"page":N,"path":P,"rules":TEXT} then
 *                                   {"page":N,"i":I,"x":[...],"m":[M1,M2],"text":T}
 *                                   per block (N: the page's place among the
 *                                   arguments; M1, M2: the built-in model's
 *                                   first- and second-stage margins, to see
 *                                   why a block was kept or left)
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "extract/blocks.h"
#include "extract/extract_private.h"
#include "newsidx/article.h"

static char *slurp(const char *path, size_t *len)
{
	gzFile f = gzopen(path, "rb");
	char *buf = NULL, *nb = NULL;
	size_t cap = 0;
	int k = 0;

	*len = 0;
	if (f == NULL)
		return NULL;
	for (;;) {
		if (*len + 65536 > cap) {
			cap = cap ? cap * 2 : 1 << 20;
			nb = realloc(buf, cap);
			if (nb == NULL)
				break;
			buf = nb;
		}
		k = gzread(f, buf + *len, 65536);
		if (k <= 0)
			break;
		*len += (size_t)k;
	}
	gzclose(f);
	return buf;
}

static void emit(json_t *o)
{
	char *s = json_dumps(o, JSON_COMPACT);

	if (s != NULL)
		puts(s);
	free(s);
	json_decref(o);
}

static int page(const char *path, int index)
{
	size_t len = 0, i = 0, k = 0;
	char *data = slurp(path, &len), *body = NULL;
	nx_error err = NX_ERROR_INIT;
	htmlDocPtr doc = NULL;
	nx_article *a = nx_article_new();
	nx_blocks bs;
	double *m1 = NULL, *ctx = NULL;

	memset(&bs, 0, sizeof(bs));
	if (data == NULL || a == NULL) {
		fprintf(stderr, "blockdump: %s: cannot read\n", path);
		goto done;
	}
	doc = nx_html__read(data, len, NULL, &err);
	if (doc == NULL || nx_html__body_rules(a, doc) < 0 || nx_blocks__build(&bs, doc, a) < 0) {
		fprintf(stderr, "blockdump: %s: cannot parse\n", path);
		goto done;
	}
	body = nx_article_body(a);
	m1 = calloc(bs.n + 1, sizeof(*m1));
	ctx = calloc((bs.n + 1) * NX_BLOCK_NCTX, sizeof(*ctx));
	if (m1 == NULL || ctx == NULL)
		goto done;
	for (i = 0; i < bs.n; i++)
		m1[i] = nx_blocks__margin(&nx_block_model_blocks, bs.v[i].x);
	nx_blocks__context(ctx, &bs, m1);
	emit(json_pack("{s:i,s:s,s:s}", "page", index, "path", path, "rules", body != NULL ? body : ""));
	for (i = 0; i < bs.n; i++) {
		json_t *t = json_string(bs.v[i].text);
		char *ts = t != NULL ? json_dumps(t, JSON_ENCODE_ANY) : NULL;

		printf("{\"page\":%d,\"i\":%zu,\"x\":[", index, i);
		for (k = 0; k < bs.nfeat; k++)
			printf(k ? ",%.9g" : "%.9g", bs.v[i].x[k]);
		printf("],\"m\":[%.4f,%.4f],\"text\":%s}\n", m1[i],
		       nx_blocks__margin(&nx_block_model_context, ctx + i * NX_BLOCK_NCTX),
		       ts != NULL ? ts : "\"\"");
		free(ts);
		json_decref(t);
	}
done:
	free(m1);
	free(ctx);
	free(body);
	nx_blocks__free(&bs);
	nx_article_free(a);
	if (doc != NULL)
		xmlFreeDoc(doc);
	free(data);
	return 0;
}

int main(int argc, char **argv)
{
	int i = 0;

	if (argc > 1 && strcmp(argv[1], "--names") == 0) {
		const char *const *names = nx_blocks__names();
		json_t *arr = json_array();

		for (i = 0; names[i] != NULL; i++)
			json_array_append_new(arr, json_string(names[i]));
		emit(arr);
		return 0;
	}
	for (i = 1; i < argc; i++)
		page(argv[i], i - 1);
	return 0;
}

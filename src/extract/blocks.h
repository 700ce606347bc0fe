/*
 * blocks.h - the page cut into text blocks, each described by a fixed
 * vector of features, and the learned classifier that says which blocks
 * are the article (issue 19, items 9 and 13).  Internal to src/extract/.
 *
 * The same code computes the features for the training tool
 * (tests/tools/blockdump.c, scripts/train-blocks) and at run time, so a
 * model is always applied to the features it was trained on.  The weights
 * are in the generated file block_model.c.
 */
#ifndef NX_EXTRACT_BLOCKS_H
#define NX_EXTRACT_BLOCKS_H

#include <libxml/HTMLparser.h>
#include <stddef.h>

#include "newsidx/article.h"

/* The number of features of a block; nx_blocks__names() lists them. */
#define NX_BLOCK_NFEAT 200

typedef struct nx_block {
	char *text;           /* cleaned visible text, never empty */
	size_t len;
	const xmlNode *owner; /* the nearest block element around its first text */
	size_t chars;         /* visible characters */
	size_t link;          /* of which inside links */
	int kept;             /* the hand rules kept this text */
	double x[NX_BLOCK_NFEAT];
} nx_block;

typedef struct nx_blocks {
	nx_block *v;
	size_t n, cap;
	size_t nfeat; /* features filled (NX_BLOCK_NFEAT at most) */
} nx_blocks;

/*
 * Cut the body of doc into blocks and compute their features; rules holds
 * the paragraphs the hand rules chose (they are one of the features).
 * Returns NX_OK or NX_ENOMEM; free with nx_blocks__free() either way.
 */
int nx_blocks__build(nx_blocks *out, htmlDocPtr doc, const nx_article *rules);
void nx_blocks__free(nx_blocks *b);

/* NULL-terminated names of the features, in the order of nx_block.x. */
const char *const *nx_blocks__names(void);

/* A model of gradient-boosted trees: tree t has (1 << depth) - 1 split
 * nodes in heap order (the children of node k are 2k + 1 and 2k + 2) and
 * 1 << depth leaves; x goes to the right child when x[feat] > thr. */
typedef struct nx_trees {
	size_t nfeat; /* the features it was trained on; 0: no model */
	size_t ntrees;
	unsigned depth;
	const unsigned short *feat; /* per split node */
	const double *thr;          /* per split node */
	const double *leaf;         /* per leaf */
	double bias;
} nx_trees;

/* The margin of x (nfeat values) under model m: the bias plus the leaf each
 * tree gives x.  0 without a model. */
double nx_blocks__margin(const nx_trees *m, const double *x);

/* The second stage's features of every block (NX_BLOCK_NCTX each, block i's
 * at out + i * NX_BLOCK_NCTX) from the first stage's margins m1; the same
 * as context() in scripts/train-blocks. */
#define NX_BLOCK_NCTX 12
void nx_blocks__context(double *out, const nx_blocks *bs, const double *m1);

/*
 * The article body of doc: the hand rules' paragraphs (nx_html__body_rules)
 * replaced by the blocks the model classifies as content, unless that
 * leaves no text.  Returns NX_OK or NX_ENOMEM.
 */
int nx_blocks__apply(nx_article *a, htmlDocPtr doc);

/*
 * The generated model (block_model.c): the first stage scores each block
 * by its features, the second by the context of the first stage's margins
 * (its neighbours', the page's best...); a block is content when its
 * second-stage margin is above nx_block_model_cut.
 */
extern const nx_trees nx_block_model_blocks;
extern const nx_trees nx_block_model_context;
extern const double nx_block_model_cut;

#endif

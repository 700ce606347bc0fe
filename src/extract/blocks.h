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

/* The model's margin for block b: a block the hand rules kept stays when
 * it is > 0, another is added when it is > nx_block_model_add.  0 without
 * a model. */
double nx_blocks__margin(const nx_block *b);

/*
 * The article body of doc: the hand rules' paragraphs (nx_html__body_rules)
 * replaced by the blocks the model classifies as content, unless that
 * leaves no text.  Returns NX_OK or NX_ENOMEM.
 */
int nx_blocks__apply(nx_article *a, htmlDocPtr doc);

/* The generated model (block_model.c). */
extern const size_t nx_block_model_nfeat;   /* 0: no model */
extern const double nx_block_model_w[];     /* nx_block_model_nfeat weights */
extern const double nx_block_model_bias;
extern const double nx_block_model_add;     /* margin to add a block the rules left */

#endif

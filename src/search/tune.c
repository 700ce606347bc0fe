/*
 * tune.c - the ranking's parameters: compiled defaults, chosen by
 * leave-one-collection-out on four judged collections (doc/ranking.md).
 *
 * For that experiment only, NX_RANK_<NAME> environment variables override
 * them (scripts/eval-ranking --grid NX_RANK_PAIRS=0,0.3 ...); they are read
 * once per process.  Nothing a user sets: the defaults are the product.
 */
#include <pthread.h>
#include <stdlib.h>

#include "search/topk.h"

static nx_rank_params params = {
	.coverage = 0.0,
	.pairs = 0.3,
	.prf_terms = 8,
	.prf_docs = 5,
	.prf_weight = 0.5,
	.max_words = 24,
	.qtf = 1.0,
	.filler = 0,
};
static pthread_once_t once = PTHREAD_ONCE_INIT;

static void env_double(const char *name, double *v, double lo, double hi)
{
	const char *s = getenv(name);
	char *end = NULL;
	double d = 0;

	if (s == NULL || *s == '\0')
		return;
	d = strtod(s, &end);
	if (*end == '\0' && d >= lo && d <= hi)
		*v = d;
}

static void env_int(const char *name, int *v, int lo, int hi)
{
	double d = *v;

	env_double(name, &d, lo, hi);
	*v = (int)d;
}

static void read_env(void)
{
	env_double("NX_RANK_COVERAGE", &params.coverage, 0, 4);
	env_double("NX_RANK_PAIRS", &params.pairs, 0, 0.999);
	env_int("NX_RANK_PRF_TERMS", &params.prf_terms, 0, NX_RANK_PRF_MAX);
	env_int("NX_RANK_PRF_DOCS", &params.prf_docs, 2, 50);
	env_double("NX_RANK_PRF_WEIGHT", &params.prf_weight, 0, 0.999);
	env_int("NX_RANK_MAX_WORDS", &params.max_words, 0, 1000);
	env_double("NX_RANK_QTF", &params.qtf, 0, 4);
	env_int("NX_RANK_FILLER", &params.filler, 0, 1);
}

const nx_rank_params *nx_rank__params(void)
{
	pthread_once(&once, read_env);
	return &params;
}

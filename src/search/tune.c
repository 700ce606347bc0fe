/*
 * tune.c - the ranking's parameters: compiled defaults, chosen by
 * leave-one-collection-out on four judged collections (doc/ranking.md),
 * and the column weights an index ranks by (its FTS5 rank setting).
 *
 * For that experiment only, NX_RANK_<NAME> environment variables override
 * them (scripts/eval-ranking --grid NX_RANK_PAIRS=0,0.3 ...); they are read
 * once per process.  Nothing a user sets: the defaults are the product.
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

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

/* The weights of the columns the index ranks by (FTS5's rank setting): see topk.h. */
int nx_topk__weights(sqlite3 *db, double *w, int *nw)
{
	sqlite3_stmt *s = NULL;
	const char *v = NULL, *p = NULL;
	char *sql = NULL;
	size_t len = 0;
	int ok = 0, i = 0;

	*nw = 0;
	if (sqlite3_prepare_v2(db, "SELECT v FROM fts_config WHERE k = 'rank'", -1, &s, NULL) != SQLITE_OK)
		goto done;
	if (sqlite3_step(s) != SQLITE_ROW) {
		ok = 1; /* no rank setting: FTS5's default, bm25() */
		goto done;
	}
	v = (const char *)sqlite3_column_text(s, 0);
	if (v == NULL)
		goto done;
	while (*v == ' ')
		v++;
	if (strncmp(v, "bm25(", 5) != 0)
		goto done;
	v += 5;
	len = strlen(v);
	while (len > 0 && v[len - 1] == ' ')
		len--;
	if (len == 0 || v[len - 1] != ')')
		goto done;
	len--;
	/* numbers only: FTS5 evaluates them as "SELECT <args>" */
	for (p = v; p < v + len; p++) {
		if (strchr("0123456789.,+-eE ", *p) == NULL)
			goto done;
	}
	for (p = v; p < v + len && *p == ' '; p++)
		;
	if (p == v + len) {
		ok = 1;
		goto done;
	}
	sql = sqlite3_mprintf("SELECT %.*s", (int)len, v);
	sqlite3_finalize(s);
	s = NULL;
	if (sql == NULL || sqlite3_prepare_v2(db, sql, -1, &s, NULL) != SQLITE_OK)
		goto done;
	if (sqlite3_column_count(s) > NX_TOPK_MAX_WEIGHTS || sqlite3_step(s) != SQLITE_ROW)
		goto done;
	for (i = 0; i < sqlite3_column_count(s); i++) {
		if (sqlite3_column_type(s, i) != SQLITE_FLOAT && sqlite3_column_type(s, i) != SQLITE_INTEGER)
			goto done;
		w[i] = sqlite3_column_double(s, i);
	}
	*nw = i;
	ok = 1;
done:
	sqlite3_free(sql);
	sqlite3_finalize(s);
	return ok;
}

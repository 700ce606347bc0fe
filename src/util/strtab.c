/*
 * strtab.c - strings to indexes by hash (see strtab.h).
 */
#include "util/strtab.h"

#include <stdlib.h>
#include <string.h>

static uint64_t hash_str(const char *s, size_t n)
{
	uint64_t h = 14695981039346656037u;
	size_t i = 0;

	for (i = 0; i < n; i++) {
		h ^= (unsigned char)s[i];
		h *= 1099511628211u;
	}
	return h;
}

long nx_strtab_find(const nx_strtab *t, const char *s, size_t n, nx_strtab_name name, const void *ctx)
{
	size_t m = t->nslot - 1, i = 0;

	if (t->nslot == 0)
		return -1;
	for (i = (size_t)hash_str(s, n) & m;; i = (i + 1) & m) {
		const char *k = NULL;

		if (t->slot[i] == 0)
			return -1 - (long)i;
		k = name(ctx, t->slot[i] - 1);
		if (strncmp(k, s, n) == 0 && k[n] == '\0')
			return (long)t->slot[i] - 1;
	}
}

int nx_strtab_reserve(nx_strtab *t, nx_strtab_name name, const void *ctx)
{
	nx_strtab g = { NULL, t->nslot ? t->nslot * 2 : 1024, t->used };
	size_t i = 0;

	if ((t->used + 1) * 2 <= t->nslot)
		return 0;
	if ((g.slot = calloc(g.nslot, sizeof(*g.slot))) == NULL)
		return -1;
	for (i = 0; i < t->nslot; i++)
		if (t->slot[i] != 0) {
			const char *k = name(ctx, t->slot[i] - 1);
			size_t j = (size_t)hash_str(k, strlen(k)) & (g.nslot - 1);

			while (g.slot[j] != 0)
				j = (j + 1) & (g.nslot - 1);
			g.slot[j] = t->slot[i];
		}
	free(t->slot);
	*t = g;
	return 0;
}

void nx_strtab_put(nx_strtab *t, long absent, uint32_t i)
{
	t->slot[-1 - absent] = i + 1;
	t->used++;
}

void nx_strtab_free(nx_strtab *t)
{
	free(t->slot);
	t->slot = NULL;
	t->nslot = t->used = 0;
}

/*
 * strtab.h - strings to the indexes of the caller's own array, by hash
 * (open addressing over a power of two of slots, FNV-1a).  The table
 * holds indexes only: name(ctx, i) gives the string of index i, which the
 * caller keeps.
 */
#ifndef NX_UTIL_STRTAB_H
#define NX_UTIL_STRTAB_H

#include <stddef.h>
#include <stdint.h>

typedef struct nx_strtab {
	uint32_t *slot; /* index + 1, 0: empty */
	size_t nslot, used;
} nx_strtab;

#define NX_STRTAB_INIT { NULL, 0, 0 }

typedef const char *(*nx_strtab_name)(const void *ctx, uint32_t i);

/* Room for one more string (the table doubled when half full): 0, or -1 out of memory. */
int nx_strtab_reserve(nx_strtab *t, nx_strtab_name name, const void *ctx);
/*
 * The index of the string s[0..n) (not NUL-terminated), or, when absent,
 * -1 - its slot, for nx_strtab_put (with room reserved first: a table
 * never reserved has no slot, and gives -1 for any string).
 */
long nx_strtab_find(const nx_strtab *t, const char *s, size_t n, nx_strtab_name name, const void *ctx);
/* Index i at the slot nx_strtab_find gave (absent) as -1 - slot. */
void nx_strtab_put(nx_strtab *t, long absent, uint32_t i);
void nx_strtab_free(nx_strtab *t);

#endif

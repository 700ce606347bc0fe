/*
 * zdict.h - training a zlib preset dictionary from sample texts (internal
 * to the library; src/index/zdict.c says how).
 *
 * The store compresses every article body alone, so a body shares nothing
 * with the others unless a dictionary supplies it: phrases, names and
 * boilerplate that recur across articles.  The trainer picks the windows of
 * the samples whose 6-byte strings occur in the most other samples.
 *
 * Input limits (what is read; nothing past lens[i] ever): the first 8192
 * samples, the first 16 KiB of each, 2 MiB in all.  Memory: a 4 MiB table
 * plus about 5 bytes per byte of sample read (14 MiB at most), all freed
 * before returning.  Time: 10-20 ms for 600 news bodies of 1 KB, growing
 * linearly with the text read.
 */
#ifndef NX_ZDICT_H
#define NX_ZDICT_H

#include <stddef.h>

/* The largest dictionary zlib uses with windowBits 15. */
#define NX_ZDICT_TRAIN_MAX 32768

/*
 * Fill out (capacity cap, at most NX_ZDICT_TRAIN_MAX is used) with a preset
 * dictionary for zlib made from n sample texts (samples[i] of lens[i]
 * bytes, any bytes; a NULL sample counts as empty); returns its length (0
 * when the samples give nothing worth keeping, or out of memory).  The
 * most useful bytes are at the end.  Deterministic: same samples, same
 * bytes, on any host.
 */
size_t nx_zdict_train(const char *const *samples, const size_t *lens, size_t n, unsigned char *out, size_t cap);

#endif

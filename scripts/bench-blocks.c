/*
 * bench-blocks.c - how long zlib takes to compress news bodies, and how
 * small they come out, alone or in blocks of a few, with a preset
 * dictionary: the measurement behind the settings in src/index/store.c.
 * Built and run by scripts/bench-blocks.
 *
 * usage: bench-blocks DICT BODIES LEVEL GOOD LAZY NICE CHAIN MEMLEVEL
 * BODIES: 4-byte little-endian length, then the bytes, for each stream.
 * GOOD..CHAIN 0: zlib's own for the level.  Prints the best of 3 runs.
 */
#define _POSIX_C_SOURCE 200809L
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <zlib.h>

static unsigned char *slurp(const char *p, size_t *n)
{
	FILE *f = fopen(p, "rb");
	unsigned char *b = NULL;
	long len = 0;

	if (f == NULL || fseek(f, 0, SEEK_END) != 0 || (len = ftell(f)) < 0 || fseek(f, 0, SEEK_SET) != 0) {
		perror(p);
		exit(2);
	}
	if ((b = malloc((size_t)len + 1)) == NULL || fread(b, 1, (size_t)len, f) != (size_t)len) {
		perror(p);
		exit(2);
	}
	fclose(f);
	*n = (size_t)len;
	return b;
}

static double now(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

/* as store.c: the primed stream's memory from malloc, each copy's from one scratch area */
static unsigned char scratch[1 << 20];
static size_t used;
static int priming;

static voidpf za(voidpf o, uInt items, uInt size)
{
	size_t n = ((size_t)items * size + 63) & ~(size_t)63;

	(void)o;
	if (priming || n > sizeof(scratch) - used)
		return malloc(n);
	used += n;
	return scratch + used - n;
}

static void zf(voidpf o, voidpf p)
{
	(void)o;
	if ((unsigned char *)p < scratch || (unsigned char *)p >= scratch + sizeof(scratch))
		free(p);
}

int main(int argc, char **argv)
{
	size_t dn = 0, bn = 0, nb = 0, cap = 1024, o = 0, i = 0, text = 0, best_out = 0;
	unsigned char *dict = NULL, *bod = NULL, *out = NULL;
	const unsigned char **bp = NULL;
	uint32_t *bl = NULL;
	int level = 0, good = 0, lazy = 0, nice = 0, chain = 0, mem = 0, run = 0;
	double best = 1e9;

	if (argc != 9) {
		fprintf(stderr, "usage: bench-blocks DICT BODIES LEVEL GOOD LAZY NICE CHAIN MEMLEVEL\n");
		return 2;
	}
	dict = slurp(argv[1], &dn);
	bod = slurp(argv[2], &bn);
	level = atoi(argv[3]);
	good = atoi(argv[4]);
	lazy = atoi(argv[5]);
	nice = atoi(argv[6]);
	chain = atoi(argv[7]);
	mem = atoi(argv[8]);
	bp = malloc(cap * sizeof(*bp));
	bl = malloc(cap * sizeof(*bl));
	while (o + 4 <= bn) {
		uint32_t l = (uint32_t)bod[o] | (uint32_t)bod[o + 1] << 8 | (uint32_t)bod[o + 2] << 16 |
			     (uint32_t)bod[o + 3] << 24;

		o += 4;
		if (l > bn - o)
			break;
		if (nb == cap) {
			cap *= 2;
			bp = realloc(bp, cap * sizeof(*bp));
			bl = realloc(bl, cap * sizeof(*bl));
		}
		bp[nb] = bod + o;
		bl[nb++] = l;
		text += l;
		o += l;
	}
	out = malloc(1 << 22);
	for (run = 0; run < 3; run++) {
		z_stream pr, zs;
		size_t total = 0;
		double t = 0;

		memset(&pr, 0, sizeof(pr));
		pr.zalloc = za;
		pr.zfree = zf;
		priming = 1;
		if (deflateInit2(&pr, level, Z_DEFLATED, 15, mem, Z_DEFAULT_STRATEGY) != Z_OK)
			return 1;
		if (good > 0)
			deflateTune(&pr, good, lazy, nice, chain);
		if (dn > 0)
			deflateSetDictionary(&pr, dict, (uInt)dn);
		priming = 0;
		t = now();
		for (i = 0; i < nb; i++) {
			used = 0;
			if (deflateCopy(&zs, &pr) != Z_OK)
				return 1;
			zs.next_in = (Bytef *)(uintptr_t)bp[i];
			zs.avail_in = bl[i];
			zs.next_out = out;
			zs.avail_out = 1 << 22;
			if (deflate(&zs, Z_FINISH) != Z_STREAM_END)
				return 1;
			total += zs.total_out + 4;
			deflateEnd(&zs);
		}
		t = now() - t;
		deflateEnd(&pr);
		if (t < best)
			best = t;
		best_out = total;
	}
	printf("%zu streams, %zu bytes of text: level %d tune(%d,%d,%d,%d) memLevel %d: %.3f s, %.4f of the text\n",
	       nb, text, level, good, lazy, nice, chain, mem, best, (double)best_out / (double)(text ? text : 1));
	return 0;
}

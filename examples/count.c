/*
 * count.c - the smallest program on libnewsidx: open an index read-only
 * and print how many articles it holds.
 *
 * usage: count INDEX.db
 * build: cc count.c $(pkg-config --cflags --libs newsidx)
 *    or: find_package(newsidx) and link newsidx::newsidx (CMakeLists.txt)
 */
#include <stdio.h>

#include <newsidx/newsidx.h>

int main(int argc, char **argv)
{
	nx_store *st = NULL;
	nx_stats stats;
	nx_error err = NX_ERROR_INIT;

	if (argc != 2) {
		fprintf(stderr, "usage: count INDEX.db\n");
		return 2;
	}
	if (nx_store_open(&st, argv[1], NX_STORE_READ, &err) < 0 || nx_store_stats(&stats, st, &err) < 0) {
		fprintf(stderr, "count: %s\n", err.msg);
		nx_store_close(st);
		return 1;
	}
	printf("%lld\n", (long long)stats.articles);
	nx_store_close(st);
	return 0;
}

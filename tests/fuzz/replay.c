/*
 * replay.c - a plain main() for the fuzz targets, so their seeds and the
 * regression inputs run under ctest with any compiler (gcc builds have no
 * libFuzzer).
 *
 *	fuzz_warc_replay tests/fuzz/seeds/warc tests/fuzz/regressions/warc
 *
 * Every regular file in each folder (recursively) or given directly is read
 * into a buffer of exactly its size (not NUL-terminated, so a sanitizer
 * catches any read past the end) and handed to LLVMFuzzerTestOneInput.
 * A folder that does not exist is skipped.  Each input gets 10 seconds, as
 * libFuzzer's -timeout=10 in scripts/fuzz; a hang is reported with the
 * file's name.
 */
#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define NX_REPLAY_TIMEOUT 10

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *current = "";
static long ran;

static void on_alarm(int sig)
{
	static const char msg[] = "replay: timeout after 10 s: ";

	(void)sig;
	if (write(STDERR_FILENO, msg, sizeof(msg) - 1) < 0 ||
	    write(STDERR_FILENO, current, strlen(current)) < 0 || write(STDERR_FILENO, "\n", 1) < 0)
		_exit(3);
	_exit(3);
}

static int run_file(const char *path)
{
	FILE *f = NULL;
	uint8_t *data = NULL;
	struct stat st;
	size_t n = 0;
	int rc = 0;

	if (stat(path, &st) < 0 || !S_ISREG(st.st_mode))
		return 0;
	f = fopen(path, "rb");
	if (f == NULL) {
		fprintf(stderr, "replay: cannot open '%s': %s\n", path, strerror(errno));
		return -1;
	}
	/* malloc(0) may return NULL; one byte keeps the pointer valid */
	data = malloc(st.st_size > 0 ? (size_t)st.st_size : 1);
	if (data == NULL) {
		rc = -1;
		goto done;
	}
	n = fread(data, 1, (size_t)st.st_size, f);
	if (n != (size_t)st.st_size) {
		fprintf(stderr, "replay: cannot read '%s'\n", path);
		rc = -1;
		goto done;
	}
	current = path;
	alarm(NX_REPLAY_TIMEOUT);
	LLVMFuzzerTestOneInput(data, n);
	alarm(0);
	ran++;
done:
	free(data);
	fclose(f);
	return rc;
}

static int cmp_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int run_path(const char *path, int depth)
{
	DIR *dir = NULL;
	struct dirent *de = NULL;
	struct stat st;
	char **names = NULL;
	size_t n = 0, cap = 0, i = 0;
	int rc = 0;

	if (stat(path, &st) < 0)
		return 0;
	if (!S_ISDIR(st.st_mode))
		return run_file(path);
	if (depth > 8)
		return 0;
	dir = opendir(path);
	if (dir == NULL)
		return -1;
	while ((de = readdir(dir)) != NULL) {
		if (de->d_name[0] == '.')
			continue;
		if (n == cap) {
			char **p = realloc(names, (cap = cap ? cap * 2 : 64) * sizeof(*names));

			if (p == NULL) {
				rc = -1;
				goto done;
			}
			names = p;
		}
		names[n] = malloc(strlen(path) + strlen(de->d_name) + 2);
		if (names[n] == NULL) {
			rc = -1;
			goto done;
		}
		sprintf(names[n], "%s/%s", path, de->d_name);
		n++;
	}
	if (n > 1)
		qsort(names, n, sizeof(*names), cmp_names);
	for (i = 0; i < n && rc == 0; i++)
		rc = run_path(names[i], depth + 1);
done:
	for (i = 0; i < n; i++)
		free(names[i]);
	free(names);
	closedir(dir);
	return rc;
}

int main(int argc, char **argv)
{
	int i = 0;

	signal(SIGALRM, on_alarm);
	for (i = 1; i < argc; i++)
		if (run_path(argv[i], 0) < 0)
			return 1;
	printf("replayed %ld input%s\n", ran, ran == 1 ? "" : "s");
	return 0;
}

/*
 * fs.c - small file-system helpers: making the folders of a path.
 */
#include "util/fs.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int nx_mkdirs_for(const char *path, char **failed)
{
	char *dir = strdup(path), *p = NULL;
	int rc = 0, saved = 0;

	if (failed != NULL)
		*failed = NULL;
	if (dir == NULL)
		return -1;
	p = strrchr(dir, '/');
	if (p == NULL || p == dir)
		goto done;
	*p = '\0';
	for (p = dir + 1;; p++) {
		char c = *p;

		if (c != '/' && c != '\0')
			continue;
		*p = '\0';
		if (mkdir(dir, 0755) < 0 && errno != EEXIST) {
			saved = errno;
			if (failed != NULL)
				*failed = strdup(dir);
			errno = saved;
			rc = -1;
			goto done;
		}
		*p = c;
		if (c == '\0')
			break;
	}
done:
	saved = errno;
	free(dir);
	errno = saved;
	return rc;
}

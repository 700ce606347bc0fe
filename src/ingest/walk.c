/*
 * walk.c - walking folders for files to ingest, in name order, with loop
 * detection through the (dev, ino) of the chain of open folders.
 */
#include "newsidx/ingest.h"

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util/buf.h"
#include "util/text.h"
#include "ingest/walk.h"

int nx_walk__paperwork(const char *name)
{
	static const char *const stems[] = { "readme", "license", "licence", "copying", "copyright", "notice",
					     "changelog", "changes", "authors", "contributors", "contributing",
					     "install", NULL };
	static const char *const exts[] = { "", ".txt", ".md", ".markdown", ".rst", ".text", ".org", NULL };
	size_t i = 0, k = 0, n = 0;

	for (i = 0; stems[i] != NULL; i++) {
		n = strlen(stems[i]);
		if (strlen(name) < n || !nx_strncaseeq(name, stems[i], n))
			continue;
		for (k = 0; exts[k] != NULL; k++)
			if (nx_strcaseeq(name + n, exts[k]))
				return 1;
	}
	return 0;
}

typedef struct walk_frame {
	dev_t dev;
	ino_t ino;
	struct walk_frame *up;
} walk_frame;

/* What every level of one walk shares. */
typedef struct walk_ctx {
	nx_walk_cb cb;
	void *ctx;
	int follow_symlinks;
	const char *root; /* real path of the folder given, NULL when unknown */
} walk_ctx;

static int cmp_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* What kind of special file st is, for the note that skips it; NULL for files and folders. */
static const char *special_kind(const struct stat *st)
{
	if (S_ISFIFO(st->st_mode))
		return "a FIFO";
	if (S_ISSOCK(st->st_mode))
		return "a socket";
	if (S_ISCHR(st->st_mode) || S_ISBLK(st->st_mode))
		return "a device";
	if (S_ISREG(st->st_mode) || S_ISDIR(st->st_mode))
		return NULL;
	return "not a regular file";
}

/*
 * 1 when child is a symbolic link whose target is outside the folder the
 * walk was given (a link to /etc/passwd in an archive).  Links inside it,
 * to files or folders, are followed as before.
 */
static int link_leaves(const walk_ctx *w, const char *child)
{
	struct stat lst;
	char real[PATH_MAX];
	size_t n = 0;

	if (w->follow_symlinks || w->root == NULL)
		return 0;
	if (lstat(child, &lst) < 0 || !S_ISLNK(lst.st_mode))
		return 0;
	if (realpath(child, real) == NULL)
		return 1;
	n = strlen(w->root);
	if (strcmp(w->root, "/") == 0)
		return 0;
	return !(strncmp(real, w->root, n) == 0 && (real[n] == '\0' || real[n] == '/'));
}

static int walk_dir(const char *path, const struct stat *st, walk_frame *up,
		    const walk_ctx *w, int depth)
{
	nx_walk_cb cb = w->cb;
	void *ctx = w->ctx;
	walk_frame me = { st->st_dev, st->st_ino, up };
	walk_frame *f = NULL;
	DIR *dir = NULL;
	struct dirent *de = NULL;
	char **names = NULL;
	size_t n = 0, cap = 0, i = 0;
	char msg[256];
	int rc = 0;

	for (f = up; f != NULL; f = f->up) {
		if (f->dev == st->st_dev && f->ino == st->st_ino)
			return cb(path, NULL, ELOOP, "symbolic link loop, skipped", ctx);
	}
	if (depth > 64)
		return cb(path, NULL, ELOOP, "folders nested too deeply, skipped", ctx);
	dir = opendir(path);
	if (dir == NULL) {
		snprintf(msg, sizeof(msg), "cannot open folder: %s", strerror(errno));
		return cb(path, NULL, errno, msg, ctx);
	}
	while ((de = readdir(dir)) != NULL) {
		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		if (n == cap) {
			char **p = realloc(names, (cap = cap ? cap * 2 : 64) * sizeof(*names));

			if (p == NULL) {
				rc = NX_ENOMEM;
				goto done;
			}
			names = p;
		}
		names[n] = strdup(de->d_name);
		if (names[n] == NULL) {
			rc = NX_ENOMEM;
			goto done;
		}
		n++;
	}
	if (n > 1)
		qsort(names, n, sizeof(*names), cmp_names);
	for (i = 0; i < n && rc == 0; i++) {
		nx_buf child = NX_BUF_INIT;
		struct stat cst;

		nx_buf_addf(&child, "%s%s%s", path, path[strlen(path) - 1] == '/' ? "" : "/", names[i]);
		if (!nx_buf_ok(&child)) {
			rc = NX_ENOMEM;
			break;
		}
		if (stat(child.buf, &cst) < 0) {
			snprintf(msg, sizeof(msg), "cannot read: %s", strerror(errno));
			rc = cb(child.buf, NULL, errno, msg, ctx);
		} else if (link_leaves(w, child.buf)) {
			rc = cb(child.buf, NULL, NX_WALK_SKIP,
				"symbolic link leads out of the folder, skipped (--follow-symlinks follows it)", ctx);
		} else if (special_kind(&cst) != NULL) {
			/* never opened: a FIFO would block the reader */
			snprintf(msg, sizeof(msg), "%s, not a regular file: skipped", special_kind(&cst));
			rc = cb(child.buf, NULL, NX_WALK_SKIP, msg, ctx);
		} else if (S_ISDIR(cst.st_mode)) {
			rc = walk_dir(child.buf, &cst, &me, w, depth + 1);
		} else if (S_ISREG(cst.st_mode)) {
			if (nx_walk__paperwork(names[i])) {
				rc = cb(child.buf, NULL, NX_WALK_SKIP, NX_WALK_PAPERWORK_NOTE, ctx);
			} else if (access(child.buf, R_OK) != 0) {
				snprintf(msg, sizeof(msg), "cannot read: %s", strerror(errno));
				rc = cb(child.buf, NULL, errno, msg, ctx);
			} else {
				rc = cb(child.buf, &cst, 0, NULL, ctx);
			}
		}
		nx_buf_free(&child);
	}
done:
	for (i = 0; i < n; i++)
		free(names[i]);
	free(names);
	closedir(dir);
	return rc;
}

int nx_walk(const char *path, nx_walk_cb cb, void *ctx, nx_error *err)
{
	return nx_walk_with(path, NULL, cb, ctx, err);
}

int nx_walk_with(const char *path, const nx_ingest_opts *opts, nx_walk_cb cb, void *ctx, nx_error *err)
{
	walk_ctx w = { cb, ctx, opts != NULL && opts->follow_symlinks, NULL };
	char real[PATH_MAX];
	struct stat st;
	char msg[256];
	int rc = 0;

	if (strcmp(path, "-") == 0)
		return cb(path, NULL, 0, NULL, ctx);
	if (stat(path, &st) < 0) {
		snprintf(msg, sizeof(msg), "cannot read: %s", strerror(errno));
		rc = cb(path, NULL, errno, msg, ctx);
	} else if (S_ISDIR(st.st_mode)) {
		/* the folder given, as the user named it, may itself be a link */
		if (realpath(path, real) != NULL)
			w.root = real;
		rc = walk_dir(path, &st, NULL, &w, 0);
	} else if (special_kind(&st) != NULL) {
		snprintf(msg, sizeof(msg), "%s, not a regular file: skipped", special_kind(&st));
		rc = cb(path, NULL, NX_WALK_SKIP, msg, ctx);
	} else {
		rc = cb(path, &st, 0, NULL, ctx);
	}
	if (rc == NX_ENOMEM)
		return nx_error_set(err, NX_ENOMEM, "out of memory walking '%s'", path);
	return rc;
}

/*
 * tmpdir.h - for tests: a fresh temporary folder, and its removal with
 * everything in it.  Static functions, no library of its own.
 */
#ifndef NX_TEST_TMPDIR_H
#define NX_TEST_TMPDIR_H

#include <ftw.h>
#include <stdio.h>
#include <sys/stat.h>

static int tmpdir__rm(const char *p, const struct stat *sb, int flag, struct FTW *ftw)
{
	(void)sb;
	(void)flag;
	(void)ftw;
	return remove(p);
}

/* Remove folder dir and everything under it. */
static void tmpdir_remove(const char *dir)
{
	nftw(dir, tmpdir__rm, 16, FTW_DEPTH | FTW_PHYS);
}

#endif

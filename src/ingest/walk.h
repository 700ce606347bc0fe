/*
 * walk.h - what the two folder walks (walk.c for add, sync.c) share
 * (internal).
 */
#ifndef NX_INGEST_WALK_H
#define NX_INGEST_WALK_H

/*
 * 1 when a file of this name, met in a folder, is a project's paperwork
 * rather than an article: README, LICENSE/LICENCE, COPYING, COPYRIGHT,
 * NOTICE, CHANGELOG, CHANGES, AUTHORS, CONTRIBUTORS, CONTRIBUTING, INSTALL
 * (any case), bare or with the extension .txt, .md, .markdown, .rst,
 * .text or .org.  Walks skip them with a note.
 */
int nx_walk__paperwork(const char *name);

/* The note given for such a file. */
#define NX_WALK_PAPERWORK_NOTE "a README, licence or changelog, not an article: skipped"

#endif

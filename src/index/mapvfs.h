/*
 * mapvfs.h - a file layer over SQLite's default one that maps a whole
 * index file for readers (internal to the library; mapvfs.c says how).
 *
 * SQLite maps at most SQLITE_MAX_MMAP_SIZE bytes of a database (2 GB in
 * Debian's build) however large mmap_size is set; pages past that are
 * read with pread and copied.  An archive of ten million articles is a
 * 10 GB file, and those reads and copies were a sixth to a quarter of a
 * search's CPU.  This layer passes every call to the default file layer
 * except the fetches of whole pages SQLite makes for mmap_size, which it
 * serves from one mapping of the whole main database file.
 */
#ifndef NX_MAPVFS_H
#define NX_MAPVFS_H

/*
 * The name to open a database with (sqlite3_open_v2's zVfs) so that its
 * reads through mmap_size map the whole file; registered, not as the
 * default, on the first call.  NULL when it cannot be (the default file
 * layer is not SQLite's unix one, or out of memory): then open with the
 * default, which maps up to SQLite's limit.
 */
const char *nx_mapvfs_name(void);

/* For tests: the fetches this layer served from its own mappings, since the start. */
unsigned long nx_mapvfs__fetches(void);
/* For tests: the mappings this layer made, since the start. */
unsigned long nx_mapvfs__maps(void);

#endif

/*
 * mapvfs.c - the file layer of mapvfs.h.
 *
 * Every call goes to SQLite's default (unix) layer, but for the two that
 * hand out pages in place of reading them.  With mmap_size set, SQLite's
 * pager asks the file for each page it reads (xFetch) and reads it with
 * xRead only when the file gives none; the unix layer gives none past
 * SQLITE_MAX_MMAP_SIZE.  Here a main database file is mapped whole
 * (read-only, shared: the kernel's page cache itself) and every page
 * within it is handed out from that mapping.
 *
 * The pages handed out follow the unix layer's rules, which the pager
 * relies on:
 *
 *  - pages are handed out below the file's size when it was last looked
 *    at (fstat): at the first fetch, at a fetch past that end when no page
 *    is out (the file grew; while pages are out, a page past it gets none
 *    and SQLite reads it), and whenever the pager lets go of the mapping
 *    (xUnfetch with no page), which it does with no page out each time
 *    another connection changed the database since its last read;
 *  - a truncation by this connection serves no page past the new end.
 *
 * The unix layer unmaps the file at that xUnfetch and maps it again at
 * the next fetch.  Under a writer that commits every second or two, each
 * reader then rebuilt its page tables over and over: a server at 1M
 * articles under the serving benchmark's writer spent 12.6% of its CPU in
 * page faults and 2.7% in munmap, against 2.3% without the writer.  Here
 * the file's size is looked at where the unix layer would map it again,
 * and the mapping kept while the file fits in it.  Once the file outgrew
 * a mapping, the next is made with room past the file's end (an eighth of
 * its size, at least NX_MAP_ROOM), which no page is handed out of, so a
 * file that keeps growing is mapped again only when it outgrows that.
 * (The first mapping is of the file's size alone, as before: at 10M
 * articles, with room from the start, the mix ran 1-3% slower in four
 * alternated runs, though no call the process makes changed; perhaps only
 * where the mapping lands.)  A page handed out is one the pager's
 * snapshot needs, inside the file as it was looked at; a checkpoint
 * truncates the file only when no reader holds a snapshot older than the
 * truncation, as for the unix layer's own mapping.
 *
 * The mapping needs the descriptor the unix layer opened the file with:
 * SQLite's interface has no call that gives it.  Its table of system calls
 * does let a program replace open() (xSetSystemCall), so this layer puts a
 * wrapper in that records the descriptor open() returns on this thread
 * while this layer's xOpen runs.  The descriptor is used only when it is
 * the file named (same device and inode) and only while the unix layer
 * holds it open; it is never closed here (closing any descriptor of a file
 * drops the process's locks on it).  A file the unix layer opened with a
 * descriptor it kept from an earlier connection calls no open(), and is
 * then read as without this layer (mapped up to SQLite's limit).
 */
#include "index/mapvfs.h"

#include <pthread.h>
#include <sqlite3.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>

#define NX_MAPVFS_NAME "nx-map"

typedef struct map_file {
	sqlite3_file base;   /* pMethods: map_methods */
	sqlite3_file *real;  /* the unix layer's file, in the same allocation after this one */
	int fd;              /* the unix layer's descriptor of a main database file, or -1: all calls go to it */
	unsigned char *map;  /* the file mapped (mapped bytes), or NULL */
	size_t mapped;
	sqlite3_int64 serve; /* pages are handed out below this offset (no more than mapped) */
	sqlite3_int64 nout;  /* pages handed out and not given back */
	off_t refused;       /* the file's size when mmap last failed (no retry until it changes), or -1 */
	int grows;           /* the file outgrew a mapping: the next ones have room past its end */
} map_file;

/* map_file rounded up so the unix layer's file after it is aligned as malloc aligns */
#define MAP_FILE_SIZE ((sizeof(map_file) + _Alignof(max_align_t) - 1) / _Alignof(max_align_t) * _Alignof(max_align_t))

typedef int (*open_fn)(const char *, int, int);

static sqlite3_vfs map_vfs;
static sqlite3_vfs *unix_vfs;
static _Atomic(open_fn) unix_open; /* (threads may call open_recorded as it is set) */
static int map_ok;
static pthread_once_t map_once = PTHREAD_ONCE_INIT;
static atomic_ulong map_fetches, map_maps;

/* -2: this thread is not in this layer's xOpen; else the last descriptor open() gave during it (or -1) */
static _Thread_local int open_seen = -2;

static int open_recorded(const char *path, int flags, int mode)
{
	int fd = atomic_load_explicit(&unix_open, memory_order_acquire)(path, flags, mode);

	if (open_seen != -2 && fd >= 0)
		open_seen = fd;
	return fd;
}

static sqlite3_file *real_of(sqlite3_file *f)
{
	return ((map_file *)f)->real;
}

static void unmap(map_file *m)
{
	if (m->map != NULL)
		munmap(m->map, m->mapped);
	m->map = NULL;
	m->mapped = 0;
	m->serve = 0;
}

/* The least room mapped past the file's end. */
#define NX_MAP_ROOM ((size_t)64 << 20)

/*
 * Pages handed out up to the file's size now: the mapping kept when the
 * file fits in it, else the file mapped anew with room to grow (nothing
 * mapped when that fails: SQLite reads the pages).
 */
static void remap(map_file *m)
{
	struct stat sb;
	size_t size = 0, room = 0, page = 4096;
	void *p = NULL;

	if (fstat(m->fd, &sb) != 0 || sb.st_size <= 0) {
		m->serve = 0; /* (not known: SQLite reads the pages) */
		return;
	}
	size = (size_t)sb.st_size;
	if (m->map != NULL && size <= m->mapped) {
		m->serve = sb.st_size;
		return;
	}
	if (sb.st_size == m->refused) {
		if (m->serve > sb.st_size)
			m->serve = sb.st_size;
		return;
	}
	/* room past the end once the file grew under this connection (a file that does not grow is mapped as before) */
	if (m->map != NULL)
		m->grows = 1;
	unmap(m);
	room = !m->grows ? 0 : size / 8 > NX_MAP_ROOM ? size / 8 : NX_MAP_ROOM;
	if (size > SIZE_MAX / 2 || room > SIZE_MAX / 2 - size)
		room = 0;
	room = (size + room + page - 1) / page * page;
	p = mmap(NULL, room, PROT_READ, MAP_SHARED, m->fd, 0);
	if (p == MAP_FAILED && room > size)
		p = mmap(NULL, room = size, PROT_READ, MAP_SHARED, m->fd, 0);
	if (p == MAP_FAILED) { /* (address space short: SQLite reads the pages) */
		m->refused = sb.st_size;
		return;
	}
	atomic_fetch_add_explicit(&map_maps, 1, memory_order_relaxed);
	m->map = p;
	m->mapped = room;
	m->serve = sb.st_size;
}

static int m_close(sqlite3_file *f)
{
	unmap((map_file *)f);
	return real_of(f)->pMethods->xClose(real_of(f));
}

static int m_read(sqlite3_file *f, void *buf, int n, sqlite3_int64 ofs)
{
	return real_of(f)->pMethods->xRead(real_of(f), buf, n, ofs);
}

static int m_write(sqlite3_file *f, const void *buf, int n, sqlite3_int64 ofs)
{
	return real_of(f)->pMethods->xWrite(real_of(f), buf, n, ofs);
}

static int m_truncate(sqlite3_file *f, sqlite3_int64 size)
{
	map_file *m = (map_file *)f;
	int rc = real_of(f)->pMethods->xTruncate(real_of(f), size);

	if (m->serve > size)
		m->serve = size < 0 ? 0 : size;
	return rc;
}

static int m_sync(sqlite3_file *f, int flags)
{
	return real_of(f)->pMethods->xSync(real_of(f), flags);
}

static int m_size(sqlite3_file *f, sqlite3_int64 *size)
{
	return real_of(f)->pMethods->xFileSize(real_of(f), size);
}

static int m_lock(sqlite3_file *f, int lock)
{
	return real_of(f)->pMethods->xLock(real_of(f), lock);
}

static int m_unlock(sqlite3_file *f, int lock)
{
	return real_of(f)->pMethods->xUnlock(real_of(f), lock);
}

static int m_reserved(sqlite3_file *f, int *out)
{
	return real_of(f)->pMethods->xCheckReservedLock(real_of(f), out);
}

static int m_control(sqlite3_file *f, int op, void *arg)
{
	return real_of(f)->pMethods->xFileControl(real_of(f), op, arg);
}

static int m_sector(sqlite3_file *f)
{
	return real_of(f)->pMethods->xSectorSize(real_of(f));
}

static int m_device(sqlite3_file *f)
{
	return real_of(f)->pMethods->xDeviceCharacteristics(real_of(f));
}

static int m_shm_map(sqlite3_file *f, int pg, int pgsz, int extend, void volatile **pp)
{
	return real_of(f)->pMethods->xShmMap(real_of(f), pg, pgsz, extend, pp);
}

static int m_shm_lock(sqlite3_file *f, int ofs, int n, int flags)
{
	return real_of(f)->pMethods->xShmLock(real_of(f), ofs, n, flags);
}

static void m_shm_barrier(sqlite3_file *f)
{
	real_of(f)->pMethods->xShmBarrier(real_of(f));
}

static int m_shm_unmap(sqlite3_file *f, int del)
{
	return real_of(f)->pMethods->xShmUnmap(real_of(f), del);
}

static int m_fetch(sqlite3_file *f, sqlite3_int64 ofs, int n, void **pp)
{
	map_file *m = (map_file *)f;

	if (m->fd < 0)
		return real_of(f)->pMethods->xFetch(real_of(f), ofs, n, pp);
	*pp = NULL;
	if (ofs < 0 || n <= 0)
		return SQLITE_OK;
	if (ofs + n > m->serve && m->nout == 0)
		remap(m);
	if (ofs + n <= m->serve) {
		*pp = m->map + ofs;
		m->nout++;
		atomic_fetch_add_explicit(&map_fetches, 1, memory_order_relaxed);
	}
	return SQLITE_OK;
}

static int m_unfetch(sqlite3_file *f, sqlite3_int64 ofs, void *p)
{
	map_file *m = (map_file *)f;

	if (m->fd < 0)
		return real_of(f)->pMethods->xUnfetch(real_of(f), ofs, p);
	if (p != NULL) {
		if (m->nout > 0)
			m->nout--;
	} else if (m->nout == 0 && m->map != NULL) {
		remap(m); /* (the file as it is now: kept mapped while it fits) */
	}
	return SQLITE_OK;
}

static const sqlite3_io_methods map_methods = {
	.iVersion = 3,
	.xClose = m_close,
	.xRead = m_read,
	.xWrite = m_write,
	.xTruncate = m_truncate,
	.xSync = m_sync,
	.xFileSize = m_size,
	.xLock = m_lock,
	.xUnlock = m_unlock,
	.xCheckReservedLock = m_reserved,
	.xFileControl = m_control,
	.xSectorSize = m_sector,
	.xDeviceCharacteristics = m_device,
	.xShmMap = m_shm_map,
	.xShmLock = m_shm_lock,
	.xShmBarrier = m_shm_barrier,
	.xShmUnmap = m_shm_unmap,
	.xFetch = m_fetch,
	.xUnfetch = m_unfetch,
};

/* fd the file named? */
static int same_file(int fd, const char *name)
{
	struct stat a, b;

	return fstat(fd, &a) == 0 && stat(name, &b) == 0 && a.st_dev == b.st_dev && a.st_ino == b.st_ino &&
	       S_ISREG(a.st_mode);
}

static int m_open(sqlite3_vfs *vfs, const char *name, sqlite3_file *f, int flags, int *out_flags)
{
	map_file *m = (map_file *)f;
	int rc = SQLITE_OK, seen = -1;

	(void)vfs;
	memset(m, 0, sizeof(*m));
	m->real = (sqlite3_file *)((unsigned char *)f + MAP_FILE_SIZE);
	m->fd = -1;
	m->refused = -1;
	open_seen = -1;
	rc = unix_vfs->xOpen(unix_vfs, name, m->real, flags, out_flags);
	seen = open_seen;
	open_seen = -2;
	if (m->real->pMethods == NULL) {
		f->pMethods = NULL; /* (SQLite closes no file that did not open) */
		return rc;
	}
	if (rc == SQLITE_OK && (flags & SQLITE_OPEN_MAIN_DB) && name != NULL && seen >= 0 && same_file(seen, name) &&
	    m->real->pMethods->iVersion >= 3)
		m->fd = seen;
	f->pMethods = &map_methods;
	return rc;
}

/*
 * Once: this layer registered beside the unix one.  Its calls other than
 * xOpen are the unix layer's own, which do not read the layer they are
 * given.
 */
static void map_register(void)
{
	sqlite3_vfs *d = sqlite3_vfs_find(NULL);
	open_fn fn = NULL;

	if (d == NULL || d->zName == NULL || strcmp(d->zName, "unix") != 0 || d->iVersion < 3 ||
	    d->xGetSystemCall == NULL || d->xSetSystemCall == NULL)
		return;
	fn = (open_fn)d->xGetSystemCall(d, "open");
	if (fn == NULL)
		return;
	atomic_store_explicit(&unix_open, fn, memory_order_release);
	unix_vfs = d;
	map_vfs = *d;
	map_vfs.pNext = NULL;
	map_vfs.zName = NX_MAPVFS_NAME;
	map_vfs.szOsFile = (int)MAP_FILE_SIZE + d->szOsFile;
	map_vfs.pAppData = NULL;
	map_vfs.xOpen = m_open;
	if (d->xSetSystemCall(d, "open", (sqlite3_syscall_ptr)open_recorded) != SQLITE_OK)
		return;
	map_ok = sqlite3_vfs_register(&map_vfs, 0) == SQLITE_OK;
}

const char *nx_mapvfs_name(void)
{
	pthread_once(&map_once, map_register);
	return map_ok ? NX_MAPVFS_NAME : NULL;
}

unsigned long nx_mapvfs__fetches(void)
{
	return atomic_load(&map_fetches);
}

unsigned long nx_mapvfs__maps(void)
{
	return atomic_load(&map_maps);
}

/*
 * fs.h - small file-system helpers shared by the index and the lock.
 */
#ifndef NX_UTIL_FS_H
#define NX_UTIL_FS_H

/*
 * mkdir -p of the folder that holds path (mode 0755; folders that exist
 * are fine).  Returns 0, or -1 with errno set; *failed (when not NULL)
 * then receives a malloc'd copy of the folder that could not be made,
 * for the message, or NULL when that copy could not be made either.
 */
int nx_mkdirs_for(const char *path, char **failed);

#endif

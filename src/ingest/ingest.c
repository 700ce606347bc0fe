/*
 * ingest.c - reading input files and buffers: gzip is undone, WARC files
 * are streamed a record at a time, everything else goes to the format
 * dispatcher (formats/detect.c).  Folder walking is in walk.c.
 */
#include "newsidx/ingest.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "formats/format.h"
#include "util/buf.h"
#include "util/gunzip.h"
#include "util/text.h"

/*
 * Parsers quote the input in their messages ("root element is <...>",
 * "Content-Length '...' is not a size"); the CLI prints them on one line
 * to a terminal.  Invalid UTF-8 becomes U+FFFD and control characters
 * (newlines, escape sequences, C1 controls) become '?', so a message stays
 * one harmless line.
 */
static void clean_message(nx_error *err)
{
	nx_buf b = NX_BUF_INIT;
	size_t i = 0, n = 0, len = 0;
	uint32_t cp = 0;

	if (err == NULL)
		return;
	len = strnlen(err->msg, sizeof(err->msg));
	if (len == sizeof(err->msg))
		len--;
	while (i < len) {
		n = nx_utf8_decode(err->msg + i, len - i, &cp);
		if (cp < 0x20 || cp == 0x7F || (cp >= 0x80 && cp < 0xA0))
			nx_buf_addch(&b, '?');
		else
			nx_utf8_put(&b, cp);
		i += n > 0 ? n : 1;
	}
	if (!nx_buf_ok(&b)) {
		nx_buf_free(&b);
		return;
	}
	/* cut at a character boundary */
	len = b.len < sizeof(err->msg) - 1 ? b.len : sizeof(err->msg) - 1;
	while (len > 0 && len < b.len && ((unsigned char)b.buf[len] & 0xC0) == 0x80)
		len--;
	memcpy(err->msg, b.buf, len);
	err->msg[len] = '\0';
	nx_buf_free(&b);
}

static int ingest_buffer(const char *data, size_t len, const char *path,
			 const nx_ingest_opts *opts, nx_article_cb cb, void *ctx, nx_error *err);

int nx_ingest_buffer(const char *data, size_t len, const char *path,
		     const nx_ingest_opts *opts, nx_article_cb cb, void *ctx, nx_error *err)
{
	int rc = ingest_buffer(data, len, path, opts, cb, ctx, err);

	if (rc < 0)
		clean_message(err);
	return rc;
}

static int ingest_buffer(const char *data, size_t len, const char *path,
			 const nx_ingest_opts *opts, nx_article_cb cb, void *ctx, nx_error *err)
{
	nx_ingest_opts defaults = NX_INGEST_OPTS_INIT;
	nx_input in;
	char *plain = NULL;
	size_t plainlen = 0;
	int rc = NX_OK, zrc = NX_OK;
	nx_error zerr = NX_ERROR_INIT;

	if (opts == NULL)
		opts = &defaults;
	memset(&in, 0, sizeof(in));
	in.path = path;
	in.offset = -1;
	in.opts = opts;
	if (len == 0)
		return nx_error_set(err, NX_EFORMAT, "empty file");
	if (nx_is_gzip(data, len) && nx_gzip_starts_with(data, len, "WARC/")) {
		/* a .warc.gz: records are inflated one member at a time, each
		   bounded by max_inflated, so the whole file need not fit it */
		in.data = data;
		in.len = len;
		rc = nx_parse_warc(&in, cb, ctx, err);
		goto done;
	}
	if (nx_is_gzip(data, len) && !(len >= 5 && memcmp(data, "WARC/", 5) == 0)) {
		zrc = nx_gunzip(&plain, &plainlen, data, len, opts->max_inflated, &zerr);
		if (zrc < 0 && (zrc != NX_EFORMAT || plainlen == 0)) {
			if (err != NULL)
				*err = zerr;
			rc = zrc;
			goto done;
		}
		/* a WARC keeps its per-record gzip members: hand over the original */
		if (plainlen >= 5 && memcmp(plain, "WARC/", 5) == 0) {
			in.data = data;
			in.len = len;
			rc = nx_parse_warc(&in, cb, ctx, err);
			goto done;
		}
		in.data = plain;
		in.len = plainlen;
	} else {
		in.data = data;
		in.len = len;
	}
	if (in.len == 0) {
		rc = nx_error_set(err, NX_EFORMAT, "empty file");
		goto done;
	}
	rc = nx_format__dispatch(&in, cb, ctx, err);
	if (rc == NX_OK && zrc < 0) {
		/* parsed what the truncated gzip held; still report it */
		if (err != NULL)
			*err = zerr;
		rc = zrc;
	}
done:
	free(plain);
	return rc;
}

static int read_all(char **out, size_t *outlen, int fd, const char *path, size_t max, nx_error *err)
{
	nx_buf b = NX_BUF_INIT;
	ssize_t n = 0;
	struct stat st;

	*out = NULL;
	*outlen = 0;
	if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode)) {
		if ((uint64_t)st.st_size > max)
			return nx_error_set(err, NX_ETOOBIG, "file is larger than %zu MB (limit)", max >> 20);
		if (nx_buf_grow(&b, (size_t)st.st_size + 1) < 0)
			return nx_error_set(err, NX_ENOMEM, "out of memory reading %lld bytes", (long long)st.st_size);
	} else if (fstat(fd, &st) == 0 && S_ISDIR(st.st_mode)) {
		return nx_error_set(err, NX_EIO, "is a directory");
	}
	for (;;) {
		if (nx_buf_grow(&b, 65536) < 0) {
			nx_buf_free(&b);
			return nx_error_set(err, NX_ENOMEM, "out of memory");
		}
		n = read(fd, b.buf + b.len, b.alloc - b.len - 1);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			nx_buf_free(&b);
			return nx_error_set(err, NX_EIO, "cannot read: %s", strerror(errno));
		}
		if (n == 0)
			break;
		b.len += (size_t)n;
		b.buf[b.len] = '\0';
		if (b.len > max) {
			nx_buf_free(&b);
			return nx_error_set(err, NX_ETOOBIG, "input is larger than %zu MB (limit)", max >> 20);
		}
	}
	(void)path;
	*outlen = b.len;
	*out = nx_buf_detach(&b);
	return *out == NULL ? nx_error_set(err, NX_ENOMEM, "out of memory") : NX_OK;
}

/*
 * A WARC file (plain, or gzip whose first member inflates to "WARC/") is
 * read a record at a time rather than whole, so its size is not limited by
 * max_file nor by memory.  Returns 1 when fd holds one (*rc: the result),
 * 0 when it is to be read whole.  fd is a regular file at offset 0.
 */
static int ingest_warc_fd(int *rc, int fd, const char *path, const nx_ingest_opts *opts,
			  nx_article_cb cb, void *ctx, nx_error *err)
{
	char *head = NULL;
	size_t len = 0;
	ssize_t n = 0;
	int warc = 0;

	head = malloc(65536);
	if (head == NULL) {
		*rc = nx_error_set(err, NX_ENOMEM, "out of memory");
		return 1;
	}
	/* the first 64 KB decide, as they do for nx_ingest_buffer() */
	while (len < 65536) {
		n = pread(fd, head + len, 65536 - len, (off_t)len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		len += (size_t)n;
	}
	warc = (len >= 5 && memcmp(head, "WARC/", 5) == 0) ||
	       (nx_is_gzip(head, len) && nx_gzip_starts_with(head, len, "WARC/"));
	free(head);
	if (!warc)
		return 0;
	*rc = nx_parse_warc_fd(fd, path, opts, cb, ctx, err);
	if (*rc < 0)
		clean_message(err);
	return 1;
}

int nx_ingest_file(const char *path, const nx_ingest_opts *opts,
		   nx_article_cb cb, void *ctx, nx_error *err)
{
	nx_ingest_opts defaults = NX_INGEST_OPTS_INIT;
	char *data = NULL;
	size_t len = 0;
	int fd = -1, rc = NX_OK;

	if (opts == NULL)
		opts = &defaults;
	if (strcmp(path, "-") == 0) {
		fd = STDIN_FILENO;
	} else {
		fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
		if (fd < 0)
			return nx_error_set(err, NX_EIO, "cannot open: %s", strerror(errno));
		/* a FIFO or device given by mistake must not hang us */
		{
			struct stat st;

			if (fstat(fd, &st) == 0 && !S_ISREG(st.st_mode)) {
				close(fd);
				return nx_error_set(err, NX_EIO, S_ISDIR(st.st_mode) ? "is a directory" :
						    "not a regular file");
			}
		}
		fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK);
		if (ingest_warc_fd(&rc, fd, path, opts, cb, ctx, err)) {
			close(fd);
			return rc;
		}
	}
	rc = read_all(&data, &len, fd, path, opts->max_file, err);
	if (fd != STDIN_FILENO)
		close(fd);
	if (rc < 0)
		return rc;
	rc = nx_ingest_buffer(data, len, strcmp(path, "-") == 0 ? "<stdin>" : path, opts, cb, ctx, err);
	free(data);
	return rc;
}

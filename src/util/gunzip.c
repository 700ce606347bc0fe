/*
 * gunzip.c - gzip data to bytes, bounded in size and in ratio.
 */
#include "util/gunzip.h"

#include <string.h>
#include <zlib.h>

#include "util/buf.h"

int nx_gunzip_bomb(size_t consumed, size_t produced)
{
	return produced > NX_BOMB_FLOOR && produced / (consumed + 1) > NX_BOMB_RATIO;
}

int nx_is_gzip(const char *data, size_t len)
{
	return len >= 2 && (unsigned char)data[0] == 0x1f && (unsigned char)data[1] == 0x8b;
}

int nx_gzip_starts_with(const char *data, size_t len, const char *prefix)
{
	z_stream zs;
	char head[16];
	size_t n = strlen(prefix);
	int ok = 0;

	memset(&zs, 0, sizeof(zs));
	if (n > sizeof(head) || inflateInit2(&zs, 15 + 16) != Z_OK)
		return 0;
	zs.next_in = (Bytef *)data;
	zs.avail_in = (uInt)(len > 65536 ? 65536 : len);
	zs.next_out = (Bytef *)head;
	zs.avail_out = (uInt)n;
	(void)inflate(&zs, Z_SYNC_FLUSH);
	ok = zs.avail_out == 0 && memcmp(head, prefix, n) == 0;
	inflateEnd(&zs);
	return ok;
}

int nx_gunzip(char **out, size_t *outlen, const char *data, size_t len, size_t max, nx_error *err)
{
	z_stream zs;
	nx_buf b = NX_BUF_INIT;
	size_t pos = 0;
	int zrc = Z_OK, rc = NX_OK;

	*out = NULL;
	*outlen = 0;
	memset(&zs, 0, sizeof(zs));
	if (inflateInit2(&zs, 15 + 32) != Z_OK)
		return nx_error_set(err, NX_ENOMEM, "out of memory");
	while (pos < len) {
		zs.next_in = (Bytef *)(data + pos);
		zs.avail_in = (uInt)((len - pos) > (1u << 30) ? (1u << 30) : (len - pos));
		do {
			if (nx_buf_grow(&b, 65536) < 0) {
				rc = nx_error_set(err, NX_ENOMEM, "out of memory");
				goto done;
			}
			zs.next_out = (Bytef *)(b.buf + b.len);
			zs.avail_out = 65536;
			zrc = inflate(&zs, Z_NO_FLUSH);
			b.len += 65536 - zs.avail_out;
			b.buf[b.len] = '\0';
			if (b.len > max) {
				rc = nx_error_set(err, NX_ETOOBIG,
						  "gzip data inflates to more than %zu MB (limit)", max >> 20);
				goto done;
			}
			/* stop a bomb before it fills max_inflated */
			if (nx_gunzip_bomb((size_t)((const char *)zs.next_in - data), b.len)) {
				rc = nx_error_set(err, NX_ETOOBIG,
						  "gzip bomb: %zu KB inflate to more than %zu MB", len >> 10,
						  b.len >> 20);
				goto done;
			}
		} while (zrc == Z_OK && zs.avail_out == 0);
		pos = (size_t)((const char *)zs.next_in - data);
		if (zrc == Z_STREAM_END) {
			/* another member may follow; trailing zero padding is fine */
			while (pos < len && data[pos] == '\0')
				pos++;
			if (pos >= len)
				break;
			if (!nx_is_gzip(data + pos, len - pos)) {
				break; /* trailing garbage after a complete member: ignore */
			}
			inflateReset(&zs);
			continue;
		}
		if ((zrc == Z_OK || zrc == Z_BUF_ERROR) && zs.avail_in == 0) {
			rc = nx_error_set(err, NX_EFORMAT, "truncated gzip data (after %zu bytes)", b.len);
			goto done;
		}
		if (zrc != Z_OK) {
			rc = nx_error_set(err, NX_EFORMAT, "corrupt gzip data: %s",
					  zs.msg != NULL ? zs.msg : "inflate failed");
			goto done;
		}
	}
	if (zrc != Z_STREAM_END && rc == NX_OK)
		rc = nx_error_set(err, NX_EFORMAT, "truncated gzip data (after %zu bytes)", b.len);
done:
	inflateEnd(&zs);
	if (rc == NX_OK || rc == NX_EFORMAT) {
		*outlen = b.len;
		*out = nx_buf_detach(&b);
		if (*out == NULL)
			return nx_error_set(err, NX_ENOMEM, "out of memory");
	} else {
		nx_buf_free(&b);
	}
	return rc;
}

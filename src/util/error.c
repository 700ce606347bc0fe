#include "newsidx/error.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

int nx_error_set(nx_error *err, int code, const char *fmt, ...)
{
	va_list ap;

	if (err == NULL)
		return code;
	err->code = code;
	va_start(ap, fmt);
	vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
	va_end(ap);
	return code;
}

void nx_error_prefix(nx_error *err, const char *fmt, ...)
{
	char head[NX_ERROR_MSG_MAX];
	char old[NX_ERROR_MSG_MAX];
	va_list ap;

	if (err == NULL)
		return;
	va_start(ap, fmt);
	vsnprintf(head, sizeof(head), fmt, ap);
	va_end(ap);
	memcpy(old, err->msg, sizeof(old));
	{
		size_t n = strlen(head);

		if (n > sizeof(err->msg) - 3)
			n = sizeof(err->msg) - 3;
		memcpy(err->msg, head, n);
		memcpy(err->msg + n, ": ", 2);
		n += 2;
		memcpy(err->msg + n, old, strnlen(old, sizeof(err->msg) - n - 1));
		err->msg[n + strnlen(old, sizeof(err->msg) - n - 1)] = '\0';
	}
}

void nx_error_clear(nx_error *err)
{
	if (err == NULL)
		return;
	err->code = 0;
	err->msg[0] = '\0';
}

const char *nx_strerror(int code)
{
	switch (code) {
	case NX_OK: return "success";
	case NX_ENOMEM: return "out of memory";
	case NX_EIO: return "input/output error";
	case NX_EFORMAT: return "unrecognised or broken input";
	case NX_EDB: return "index error";
	case NX_ENOTFOUND: return "not found";
	case NX_EINVAL: return "invalid argument";
	case NX_ELOCKED: return "index locked by another writer";
	case NX_ETOOBIG: return "input too large";
	case NX_EAMBIGUOUS: return "ambiguous id";
	case NX_ELIMIT: return "search over its budget";
	case NX_EQUERY: return "bad query";
	default: return "unknown error";
	}
}

#include "passwd.h"

#include <errno.h>
#include <string.h>

/* The LEN bytes at S as a uid, or -1. */
static long field_uid(const char *s, size_t len)
{
	long v = 0;
	if (!len || len > 10)
		return -1;
	for (size_t i = 0; i < len; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	return v;
}

int passwd_name(const char *buf, size_t len, long uid, char *out, size_t outsz)
{
	for (const char *p = buf, *end = buf + len; p < end;) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *eol = nl ? nl : end;
		const char *c1 = memchr(p, ':', (size_t)(eol - p));
		const char *c2 = c1 ? memchr(c1 + 1, ':', (size_t)(eol - c1 - 1)) : NULL;
		const char *c3 = c2 ? memchr(c2 + 1, ':', (size_t)(eol - c2 - 1)) : NULL;
		if (c3 && c1 > p && field_uid(c2 + 1, (size_t)(c3 - c2 - 1)) == uid) {
			size_t n = (size_t)(c1 - p);
			if (n >= outsz)
				return -ENAMETOOLONG;
			memcpy(out, p, n);
			out[n] = '\0';
			return 0;
		}
		p = eol + 1;
	}
	return -ENOENT;
}

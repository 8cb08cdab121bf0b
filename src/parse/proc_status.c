#include "proc_status.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "text.h"

int proc_status_field(const char *buf, size_t len, const char *key, char *out, size_t outsz)
{
	size_t klen = strlen(key);

	for (const char *p = buf, *end = buf + len; p < end;) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t line = nl ? (size_t)(nl - p) : (size_t)(end - p);
		if (line > klen && !memcmp(p, key, klen) && p[klen] == ':') {
			const char *v = p + klen + 1;
			size_t vlen = line - klen - 1;
			while (vlen && (*v == ' ' || *v == '\t')) {
				v++;
				vlen--;
			}
			while (vlen && (v[vlen - 1] == ' ' || v[vlen - 1] == '\t' || v[vlen - 1] == '\r'))
				vlen--;
			if (vlen >= outsz)
				return -ENAMETOOLONG;
			memcpy(out, v, vlen);
			out[vlen] = '\0';
			return 0;
		}
		p += line + 1;
	}
	return -ENOENT;
}

long proc_status_uid(const char *buf, size_t len)
{
	char uids[96];
	long uid;

	if (proc_status_field(buf, len, "Uid", uids, sizeof(uids)))
		return -1;
	/* real, effective, saved, filesystem: the real one started it */
	uids[strcspn(uids, " \t")] = '\0';
	return !parse_long(uids, &uid) && uid >= 0 && uid < 0xffffffffL ? uid : -1;
}

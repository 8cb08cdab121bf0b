#include "redact.h"

#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

struct buf {
	char *p;
	size_t len, cap;
	bool oom;
};

static void put(struct buf *b, const char *s, size_t n)
{
	if (b->oom)
		return;
	if (b->len + n + 1 > b->cap) {
		size_t cap = b->cap ? b->cap : 256;
		while (cap < b->len + n + 1)
			cap *= 2;
		char *p = realloc(b->p, cap);
		if (!p) {
			b->oom = true;
			return;
		}
		b->p = p;
		b->cap = cap;
	}
	memcpy(b->p + b->len, s, n);
	b->len += n;
	b->p[b->len] = '\0';
}

static void put_marker(struct buf *b, struct redactions *r, const char *kind)
{
	put(b, REDACT_MARKER, sizeof(REDACT_MARKER) - 1);
	r->count++;
	if (strstr(r->kinds, kind))
		return;
	size_t have = strlen(r->kinds), want = strlen(kind) + (have ? 2 : 0);
	if (have + want + 1 <= sizeof(r->kinds)) {
		if (have)
			strcat(r->kinds, ", ");
		strcat(r->kinds, kind);
	}
}

static bool is(const char *s, size_t n, const char *word)
{
	return strlen(word) == n && !strncmp(s, word, n);
}

/* on, off, yes, no, true, false: a switch, not a secret */
static bool is_switch(const char *s, size_t n)
{
	static const char *const words[] = { "on", "off", "yes", "no", "true", "false" };
	for (size_t i = 0; i < sizeof(words) / sizeof(words[0]); i++)
		if (is(s, n, words[i]))
			return true;
	return false;
}

static bool secret_key(const char *s, size_t n)
{
	return is(s, n, "password") || is(s, n, "passwd");
}

/* Copies the value [S, E), with the password of a URL's user part
 * ("scheme://user:SECRET@host") and rbd's ":key=SECRET" taken out. */
static void value(struct buf *b, const char *s, const char *e, struct redactions *r)
{
	const char *p = s;

	while (p < e) {
		const char *q = p;
		bool url = false, key = false;
		for (; q < e && !url && !key; q++) {
			url = e - q >= 3 && !strncmp(q, "://", 3);
			key = e - q >= 5 && !strncmp(q, ":key=", 5) && (q == s || q[-1] != '\\');
		}
		if (!url && !key) {
			put(b, p, (size_t)(e - p));
			return;
		}
		q--; /* at the ':' */
		if (url) {
			/* the user part ends at the first '@' before any '/' */
			const char *user = q + 3, *end = user, *colon = NULL;
			while (end < e && *end != '/' && *end != '@') {
				if (*end == ':' && !colon)
					colon = end;
				end++;
			}
			if (end < e && *end == '@' && colon) {
				put(b, p, (size_t)(colon + 1 - p));
				put_marker(b, r, "URL password");
				p = end;
			} else {
				put(b, p, (size_t)(user - p));
				p = user;
			}
			continue;
		}
		const char *v = q + 5, *end = v;
		while (end < e && *end != ':') {
			if (*end == '\\' && end + 1 < e)
				end++;
			end++;
		}
		put(b, p, (size_t)(v - p));
		put_marker(b, r, "rbd key");
		p = end;
	}
}

/* QEMU's "key=value,key=value" (",," is a comma within a value). */
static void opts_arg(struct buf *b, const char *s, const char *e, struct redactions *r)
{
	/* -object secret,...: the first item names the type */
	const char *comma = memchr(s, ',', (size_t)(e - s));
	bool secret_object = is(s, (size_t)((comma ? comma : e) - s), "secret") ||
			     memmem(s, (size_t)(e - s), "qom-type=secret", 15);

	for (const char *item = s; item < e;) {
		const char *end = item;
		while (end < e && !(*end == ',' && !(end + 1 < e && end[1] == ','))) {
			if (*end == ',')
				end++; /* ",," */
			end++;
		}
		const char *eq = memchr(item, '=', (size_t)(end - item));
		if (eq) {
			const char *k = item;
			size_t kn = (size_t)(eq - item);
			put(b, item, kn + 1);
			if (secret_key(k, kn) && !is_switch(eq + 1, (size_t)(end - eq - 1)))
				put_marker(b, r, "password");
			else if (secret_object && is(k, kn, "data"))
				put_marker(b, r, "secret data");
			else
				value(b, eq + 1, end, r);
		} else {
			put(b, item, (size_t)(end - item));
		}
		if (end < e)
			put(b, ",", 1);
		item = end + (end < e);
	}
}

/* The string starting at the quote S, to its closing quote (or E). */
static const char *json_string_end(const char *s, const char *e)
{
	for (const char *p = s + 1; p < e; p++) {
		if (*p == '\\')
			p++;
		else if (*p == '"')
			return p + 1;
	}
	return e;
}

/* A JSON argument: the string values of "password", "passwd", "key" and a
 * secret object's "data"; a URL's password in any string. */
static void json_arg(struct buf *b, const char *s, const char *e, struct redactions *r)
{
	bool secret_object = memmem(s, (size_t)(e - s), "\"secret\"", 8) != NULL;
	const char *p = s;

	while (p < e) {
		const char *q = memchr(p, '"', (size_t)(e - p));
		if (!q) {
			put(b, p, (size_t)(e - p));
			break;
		}
		put(b, p, (size_t)(q - p));
		const char *end = json_string_end(q, e);
		const char *k = q + 1;
		size_t kn = end > k ? (size_t)(end - k - 1) : 0;
		/* a key is followed by ':' */
		const char *after = end;
		while (after < e && (*after == ' ' || *after == '\t' || *after == '\n'))
			after++;
		if (after < e && *after == ':') {
			after++;
			while (after < e && (*after == ' ' || *after == '\t' || *after == '\n'))
				after++;
			const char *kind = secret_key(k, kn)		 ? "password"
					   : is(k, kn, "key")		 ? "key"
					   : secret_object && is(k, kn, "data") ? "secret data"
									 : NULL;
			if (kind && after < e && *after == '"') {
				const char *vend = json_string_end(after, e);
				if (!(kind[0] == 'p' && is_switch(after + 1, (size_t)(vend - after - 2)))) {
					put(b, q, (size_t)(after + 1 - q));
					put_marker(b, r, kind);
					put(b, "\"", 1);
					p = vend;
					continue;
				}
			}
			put(b, q, (size_t)(end - q));
			p = end;
			continue;
		}
		/* a string value: only a URL's password */
		put(b, q, 1);
		value(b, q + 1, end > q + 1 && end[-1] == '"' ? end - 1 : end, r);
		if (end > q + 1 && end[-1] == '"')
			put(b, "\"", 1);
		p = end;
	}
}

static void arg(struct buf *b, const char *s, const char *e, struct redactions *r)
{
	if (s < e && *s == '{')
		json_arg(b, s, e, r);
	else
		opts_arg(b, s, e, r);
}

/* Attributes of libvirt XML: passwd='...' whole; value='...' (qemu:arg of
 * <qemu:commandline>) as a QEMU argument. */
static void xml(struct buf *b, const char *s, const char *e, struct redactions *r)
{
	const char *p = s;

	while (p < e) {
		const char *hit = NULL, *val = NULL;
		bool whole = false;
		for (const char *q = p; q < e && !hit; q++) {
			if (q > s && (q[-1] == ' ' || q[-1] == '\t' || q[-1] == '\n' || q[-1] == '\r')) {
				if ((size_t)(e - q) > 8 && !strncmp(q, "passwd=", 7) &&
				    (q[7] == '\'' || q[7] == '"')) {
					hit = q;
					val = q + 7;
					whole = true;
				} else if ((size_t)(e - q) > 7 && !strncmp(q, "value=", 6) &&
					   (q[6] == '\'' || q[6] == '"')) {
					hit = q;
					val = q + 6;
				}
			}
		}
		if (!hit) {
			put(b, p, (size_t)(e - p));
			break;
		}
		const char *close = memchr(val + 1, *val, (size_t)(e - val - 1));
		if (!close)
			close = e;
		put(b, p, (size_t)(val + 1 - p));
		if (whole)
			put_marker(b, r, "graphics passwd");
		else
			arg(b, val + 1, close, r);
		p = close;
	}
}

static bool is_cmdline(const char *path)
{
	if (strncmp(path, "proc/", 5))
		return false;
	const char *p = path + 5;
	if (*p < '0' || *p > '9')
		return false;
	while (*p >= '0' && *p <= '9')
		p++;
	return !strcmp(p, "/cmdline");
}

static bool is_xml(const char *path)
{
	size_t n = strlen(path);
	return n > 4 && !strcmp(path + n - 4, ".xml");
}

int redact_file(const char *path, const char *data, size_t len, char **out, size_t *outlen,
		struct redactions *r)
{
	struct buf b = { 0 };
	const char *e = data + len;

	memset(r, 0, sizeof(*r));
	put(&b, "", 0);
	if (is_cmdline(path)) {
		for (const char *s = data; s < e;) {
			const char *nul = memchr(s, '\0', (size_t)(e - s));
			const char *end = nul ? nul : e;
			arg(&b, s, end, r);
			if (nul)
				put(&b, "", 1);
			s = end + (nul != NULL);
		}
	} else if (is_xml(path)) {
		xml(&b, data, e, r);
	} else {
		put(&b, data, len);
	}
	if (b.oom) {
		free(b.p);
		return -ENOMEM;
	}
	*out = b.p;
	*outlen = b.len;
	return 0;
}

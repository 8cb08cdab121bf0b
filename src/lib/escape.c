#include "escape.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The length of the valid UTF-8 sequence at P (1 to 4), its code point in
 * *CP; 0 when P does not start one (overlong forms and surrogates are not
 * valid, as RFC 3629 says). */
static size_t utf8_sequence(const unsigned char *p, unsigned *cp)
{
	unsigned c = p[0];
	size_t n;
	unsigned min;

	if (c < 0x80) {
		*cp = c;
		return 1;
	}
	if (c >= 0xc2 && c <= 0xdf) {
		n = 2;
		*cp = c & 0x1f;
		min = 0x80;
	} else if (c >= 0xe0 && c <= 0xef) {
		n = 3;
		*cp = c & 0x0f;
		min = 0x800;
	} else if (c >= 0xf0 && c <= 0xf4) {
		n = 4;
		*cp = c & 0x07;
		min = 0x10000;
	} else {
		return 0;
	}
	for (size_t i = 1; i < n; i++) {
		if ((p[i] & 0xc0) != 0x80)
			return 0;
		*cp = (*cp << 6) | (p[i] & 0x3f);
	}
	if (*cp < min || *cp > 0x10ffff || (*cp >= 0xd800 && *cp <= 0xdfff))
		return 0;
	return n;
}

/* Code points a terminal acts on or that reorder text: C1 controls, the
 * bidirectional embeddings, overrides and isolates, and the line and
 * paragraph separators. */
static bool unsafe_code_point(unsigned cp)
{
	return (cp >= 0x80 && cp <= 0x9f) || (cp >= 0x202a && cp <= 0x202e) ||
	       (cp >= 0x2066 && cp <= 0x2069) || cp == 0x2028 || cp == 0x2029 || cp == 0x200e ||
	       cp == 0x200f || cp == 0x061c;
}

size_t str_escape(char *dst, size_t dstsz, const char *src, bool keep_newlines)
{
	const unsigned char *p = (const unsigned char *)(src ? src : "");
	size_t len = 0;

	while (*p) {
		char esc[16];
		unsigned cp;
		size_t n = utf8_sequence(p, &cp);
		const char *piece = (const char *)p;
		size_t plen = n;

		if (!n) {
			snprintf(esc, sizeof(esc), "\\x%02x", *p);
			piece = esc;
			plen = 4;
			n = 1;
		} else if ((cp < 0x20 && !(cp == '\n' && keep_newlines) && cp != '\t') || cp == 0x7f) {
			snprintf(esc, sizeof(esc), "\\x%02x", cp);
			piece = esc;
			plen = 4;
		} else if (unsafe_code_point(cp)) {
			plen = (size_t)snprintf(esc, sizeof(esc), "\\u{%04x}", cp);
			piece = esc;
		}
		if (dstsz && len + plen < dstsz)
			memcpy(dst + len, piece, plen);
		else if (dstsz && len < dstsz)
			dstsz = len + 1; /* cut here, never inside an escape */
		len += plen;
		p += n;
	}
	if (dstsz)
		dst[len < dstsz ? len : dstsz - 1] = '\0';
	return len;
}

char *str_escape_dup(const char *src, bool keep_newlines)
{
	size_t n = str_escape(NULL, 0, src, keep_newlines);
	char *d = malloc(n + 1);
	if (d)
		str_escape(d, n + 1, src, keep_newlines);
	return d;
}

char *utf8_repair(const char *text, size_t len, size_t *outlen)
{
	const unsigned char *p = (const unsigned char *)text;
	char *out = malloc(len * 3 + 1), *o = out;

	if (!out)
		return NULL;
	for (size_t i = 0; i < len;) {
		unsigned cp;
		size_t n = p[i] ? utf8_sequence(p + i, &cp) : 1;
		if (n && i + n <= len) {
			memcpy(o, p + i, n);
			o += n;
			i += n;
		} else {
			memcpy(o, "\xef\xbf\xbd", 3);
			o += 3;
			i++;
		}
	}
	*o = '\0';
	*outlen = (size_t)(o - out);
	return out;
}

/* UTF-8, checked byte by byte: strings from a machine or a report may be
 * anything, and the formats they go into (JSON, Prometheus's, a terminal)
 * take only valid UTF-8. */
#ifndef LATDOC_UTF8_H
#define LATDOC_UTF8_H

#include <stddef.h>

/* The length of the well-formed UTF-8 character at S (at most N bytes
 * read), or 0 when none starts there: a stray continuation byte, an
 * overlong form, a surrogate, beyond U+10FFFF, or cut short. */
size_t utf8_char(const unsigned char *s, size_t n);

/* Replaces, in place, each byte of S that is not part of a well-formed
 * UTF-8 character with '?'. */
void utf8_scrub(char *s);

#endif

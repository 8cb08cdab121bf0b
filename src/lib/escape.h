/* Strings from the machine, made safe for where they go. A dump, a VM
 * name or a process's command line can hold any bytes: on a terminal a
 * control byte moves the cursor, sets the title or forges a report line,
 * and in JSON a byte that is not UTF-8 makes the document invalid. */
#ifndef LATDOC_ESCAPE_H
#define LATDOC_ESCAPE_H

#include <stdbool.h>
#include <stddef.h>

/* Copies SRC into DST (of DSTSZ bytes, always terminated), with control
 * characters (C0, DEL, C1), the bidirectional overrides that reorder what a
 * terminal shows, and bytes that are not UTF-8 written as \xNN (or \u{NNNN});
 * newlines too unless KEEP_NEWLINES. Returns the length it wanted, as
 * snprintf does. */
size_t str_escape(char *dst, size_t dstsz, const char *src, bool keep_newlines);
/* The same into a new string; NULL when out of memory. */
char *str_escape_dup(const char *src, bool keep_newlines);

/* Rewrites TEXT of LEN bytes in place into valid UTF-8, every byte that
 * does not start or continue a valid sequence becoming U+FFFD, into a new
 * string (the replacement is longer than the byte). NULL when out of
 * memory. */
char *utf8_repair(const char *text, size_t len, size_t *outlen);

#endif

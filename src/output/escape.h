/* Strings from a machine or a report on their way to a terminal or a log:
 * an escape sequence in a hostname or a file name must not drive the
 * terminal that shows it. */
#ifndef LATDOC_ESCAPE_H
#define LATDOC_ESCAPE_H

#include <stdio.h>

/* Writes S with control characters (and DEL) and bytes that are not
 * UTF-8 as \xNN, and a backslash as \\. */
void output_escaped(FILE *out, const char *s);

#endif

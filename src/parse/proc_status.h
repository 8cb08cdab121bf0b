/* /proc/PID/status and /proc/PID/task/TID/status: "Key:\tvalue" lines. The
 * file may come from a dump, cut anywhere. */
#ifndef LATDOC_PROC_STATUS_H
#define LATDOC_PROC_STATUS_H

#include <stddef.h>

/* Copies KEY's value (blanks trimmed) into OUT. Returns 0, -ENOENT when no
 * line has the key, -ENAMETOOLONG when the value does not fit. Reads no
 * byte of BUF at or past LEN. */
int proc_status_field(const char *buf, size_t len, const char *key, char *out, size_t outsz);

/* The real uid of the "Uid:" line, or -1 when it is missing or malformed. */
long proc_status_uid(const char *buf, size_t len);

#endif

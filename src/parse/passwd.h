/* etc/passwd: "name:password:uid:gid:gecos:home:shell" lines. */
#ifndef LATDOC_PASSWD_H
#define LATDOC_PASSWD_H

#include <stddef.h>

/* Copies the name of the first account with UID into OUT. Returns 0,
 * -ENOENT when none has it, -ENAMETOOLONG when the name does not fit.
 * Reads no byte of BUF at or past LEN. */
int passwd_name(const char *buf, size_t len, long uid, char *out, size_t outsz);

#endif

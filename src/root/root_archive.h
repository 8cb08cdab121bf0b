/* The root's second backend: a tar archive (a snapshot that travelled, a
 * dump from another machine), read once into memory and then answered from
 * there under the rules of a directory root (root.h): links resolved
 * inside it, ".." never above it, files capped at ROOT_MAX_FILE, and
 * nothing outside it read. The archive is hostile: a member with an
 * absolute or climbing name refuses it whole, and it may expand to at most
 * ROOT_ARCHIVE_MAX_BYTES in at most ROOT_ARCHIVE_MAX_MEMBERS members.
 *
 * Only root.c calls these; they answer as its functions of the same name. */
#ifndef LATDOC_ROOT_ARCHIVE_H
#define LATDOC_ROOT_ARCHIVE_H

#include <stdbool.h>
#include <stddef.h>

#include "root.h"

#define ROOT_ARCHIVE_MAX_MIB 128
#define ROOT_ARCHIVE_MAX_BYTES ((unsigned long long)ROOT_ARCHIVE_MAX_MIB << 20)
#define ROOT_ARCHIVE_MAX_MEMBERS 200000

struct root_archive;

/* Reads the archive at PATH. NULL with *ERR set (text valid until the next
 * call) when it is no archive latdoc reads, or a hostile one. */
struct root_archive *root_archive_open(struct root *r, const char *path, const char **err);
void root_archive_close(struct root_archive *a);

int root_archive_read(struct root *r, struct root_archive *a, const char *path, char **buf,
		      size_t *len);
int root_archive_realpath(struct root *r, struct root_archive *a, const char *path, char *out,
			  size_t outsz);
int root_archive_exists(struct root *r, struct root_archive *a, const char *path);
int root_archive_readlink(struct root *r, struct root_archive *a, const char *path, char *out,
			  size_t outsz);
/* Unsorted: root_list sorts for both backends. */
int root_archive_list(struct root *r, struct root_archive *a, const char *path, char ***names,
		      size_t *count);

/* From root.c, for the backend: keep an entry for snapshot (PATH resolved
 * and relative to the root) when the root is recording. */
int root_note(struct root *r, enum root_entry_kind kind, const char *path, const char *data,
	      size_t len, unsigned mode);
bool root_recording(const struct root *r);

#endif

/* The root: every file latdoc reads goes through here, so the same code
 * audits the live machine ("/") and a snapshot or fixture directory.
 *
 * Paths are relative to the root ("proc/cpuinfo"). Symbolic links are
 * resolved inside the root the way openat2(RESOLVE_IN_ROOT) does it: an
 * absolute target starts again at the root and ".." never climbs above it,
 * so a snapshot can never make latdoc read this machine's own files.
 *
 * Functions return 0 or a negative errno. Beyond the usual ones:
 *   -EFBIG   the file is larger than ROOT_MAX_FILE
 *   -ELOOP   too many links on the way
 *   -EINVAL  not a regular file (a FIFO or device outside the live root)
 */
#ifndef LATDOC_ROOT_H
#define LATDOC_ROOT_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/stat.h>

#define ROOT_MAX_FILE (16u << 20)
#define ROOT_MAX_LINKS 40

struct root;

/* What the root saw, for `snapshot`: every file read, link followed and
 * directory listed or walked through, by its resolved path, with its
 * permission bits (a snapshot widens none); and files only asked about by
 * root_exists(), whose contents are not kept (a nova.conf holds passwords).
 * A path may be recorded more than once. */
enum root_entry_kind { ROOT_FILE, ROOT_LINK, ROOT_DIR, ROOT_MARK };

struct root_entry {
	enum root_entry_kind kind;
	char *path;   /* resolved, relative to the root */
	char *data;   /* file contents or link target; NULL for a directory */
	size_t len;
	unsigned mode; /* permission bits (07777) as the root had them */
};

/* Opens DIR as the root: a directory, or a tar archive (compressed with
 * gzip, xz, zstd or bzip2, or not) read whole into memory under the same
 * rules (src/root/root_archive.c). Returns NULL and sets *err (text that lives
 * until the next call) on failure, with errno kept. */
struct root *root_open(const char *dir, const char **err);
void root_close(struct root *r);

const char *root_dir(const struct root *r);
/* The live system: device files may be read and only there do things
 * like /dev/cpu_dma_latency mean something now. */
bool root_is_live(const struct root *r);
/* DIR was an archive: nothing can be written through it. */
bool root_is_archive(const struct root *r);

/* Reads a whole file into a NUL-terminated buffer the caller frees. */
int root_read(struct root *r, const char *path, char **buf, size_t *len);

/* Reads the first line of a small file, without its newline and trailing
 * blanks, into OUT. -ENAMETOOLONG if it does not fit. */
int root_read_line(struct root *r, const char *path, char *out, size_t outsz);

/* Resolves PATH, links and all, into OUT: where it really is, relative to
 * the root ("sys/devices/pci0000:00/0000:00:03.0"). */
int root_realpath(struct root *r, const char *path, char *out, size_t outsz);

/* 0 when PATH exists in the root (links followed), else -errno. */
int root_exists(struct root *r, const char *path);

/* Lists the names in directory PATH (no "." or ".."), sorted, as a
 * NULL-terminated array the caller frees with root_free_names(). */
int root_list(struct root *r, const char *path, char ***names, size_t *count);
void root_free_names(char **names);

/* The link PATH itself (not followed) says TARGET: into OUT. */
int root_readlink(struct root *r, const char *path, char *out, size_t outsz);

/* Whether the link PATH names TARGET. A snapshot keeps such a link and no
 * other: a process's open files (proc/PID/fd) are looked at for one name,
 * and the rest of them are nobody else's business. */
bool root_link_names(struct root *r, const char *path, const char *target);
/* What PATH itself is (a link is not followed). */
int root_lstat(struct root *r, const char *path, struct stat *st);

/* The write side: tune and revert change a machine only through these.
 * PATH is resolved like a read (links inside the root, ".." never above
 * it) up to its last component, which is never followed: a link there is
 * -ELOOP, so no link in a root can make latdoc write outside it. Only
 * regular files and the kernel's attributes are written: a device, a FIFO
 * or a socket is -EINVAL.
 *
 * root_write_attr: new contents for an existing file. A sysfs or procfs
 * attribute takes them in one write(2), as the kernel wants; a regular file
 * (a dump's copy of one) is replaced whole, atomically, keeping its mode
 * and owner. */
int root_write_attr(struct root *r, const char *path, const char *data, size_t len);
/* What PATH is to the write side: ROOT_ATTRIBUTE, a sysfs or procfs file
 * (it takes a value, and shows it its own way); ROOT_REGULAR, a regular
 * file elsewhere (a dump's copy of one, or a config file: it shows what
 * was written). A negative errno otherwise: -ELOOP for a link, -EINVAL
 * for anything but a regular file. */
enum { ROOT_REGULAR = 1, ROOT_ATTRIBUTE = 2 };
int root_file_kind(struct root *r, const char *path);
/* Creates or replaces the regular file PATH whole: a temporary file beside
 * it, fsynced, renamed over it, the directory fsynced. A new file gets
 * MODE; an existing one keeps its mode and owner unless KEEP is false. */
int root_put_file(struct root *r, const char *path, const char *data, size_t len, unsigned mode,
		  bool keep);
/* The same, the file given MODE and the owner UID:GID whether it was
 * there or not: revert puts a file back as it was. */
int root_put_file_as(struct root *r, const char *path, const char *data, size_t len, unsigned mode,
		     uid_t uid, gid_t gid);
/* Removes a file or a link (not followed); -EISDIR for a directory. */
int root_remove(struct root *r, const char *path);
/* Makes the link PATH saying TARGET; -EEXIST when PATH is there. */
int root_make_link(struct root *r, const char *path, const char *target);
int root_make_dir(struct root *r, const char *path, unsigned mode);
/* Removes an empty directory; -ENOTEMPTY otherwise. */
int root_remove_dir(struct root *r, const char *path);
/* Opens PATH for appending (O_APPEND), creating it with MODE when CREATE;
 * with CREATE and EXCLUSIVE it must be new. Returns the descriptor or a
 * negative errno; a new file's directory is fsynced. */
int root_open_append(struct root *r, const char *path, unsigned mode, bool create, bool exclusive);

/* Start or stop keeping a record of what is read. */
void root_record(struct root *r, bool on);
/* Whether it is kept: a collector pauses it to look at a file the record
 * must not carry unless it turns out to matter (a process's name). */
bool root_recording(const struct root *r);
const struct root_entry *root_entries(const struct root *r, size_t *count);

#endif

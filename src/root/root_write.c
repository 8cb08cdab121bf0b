/* The root's write side: what tune and revert change, resolved inside the
 * root the way a read is, with the last component never followed. */
#include "root.h"
#include "root_internal.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/magic.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <unistd.h>

/* The parent of PATH, opened, and its last component. */
struct place {
	int dir;
	char leaf[NAME_MAX + 1];
};

static int place_open(struct root *r, const char *path, struct place *p)
{
	p->dir = root_open_parent(r, path, p->leaf, sizeof(p->leaf), NULL, 0);
	return p->dir < 0 ? p->dir : 0;
}

static void place_close(struct place *p)
{
	if (p->dir >= 0)
		close(p->dir);
	p->dir = -1;
}

static int write_all(int fd, const char *data, size_t len)
{
	while (len) {
		ssize_t n = write(fd, data, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		if (n == 0)
			return -EIO;
		data += n;
		len -= (size_t)n;
	}
	return 0;
}

/* A name for a temporary file beside another, unique in this process and
 * unlikely in any other; O_EXCL settles the rest. */
static void temp_name(char *out, size_t outsz)
{
	static atomic_uint counter;
	snprintf(out, outsz, ".latdoc-%ld-%u", (long)getpid(), atomic_fetch_add(&counter, 1));
}

/* Writes DATA to a new temporary file in P's directory and renames it over
 * P's leaf. KEEP_FROM, when not NULL, is the file replaced: its mode and
 * owner carry over. */
static int replace(struct place *p, const char *data, size_t len, mode_t mode,
		   const struct stat *keep_from)
{
	char tmp[64];
	int fd = -1, err = 0;

	for (int tries = 0; tries < 16 && fd < 0; tries++) {
		temp_name(tmp, sizeof(tmp));
		fd = openat(p->dir, tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
		if (fd < 0 && errno != EEXIST)
			return -errno;
	}
	if (fd < 0)
		return -EEXIST;
	err = write_all(fd, data, len);
	if (!err && keep_from && fchown(fd, keep_from->st_uid, keep_from->st_gid) < 0 && errno != EPERM)
		err = -errno;
	if (!err && fchmod(fd, keep_from ? keep_from->st_mode & 07777 : mode) < 0)
		err = -errno;
	if (!err && fsync(fd) < 0)
		err = -errno;
	if (close(fd) < 0 && !err)
		err = -errno;
	if (!err && renameat(p->dir, tmp, p->dir, p->leaf) < 0)
		err = -errno;
	if (err) {
		unlinkat(p->dir, tmp, 0);
		return err;
	}
	return fsync(p->dir) < 0 ? -errno : 0;
}

static bool kernel_attribute(int fd)
{
	struct statfs fs;
	return !fstatfs(fd, &fs) && (fs.f_type == SYSFS_MAGIC || fs.f_type == PROC_SUPER_MAGIC);
}

/* Opens P's leaf for writing with FLAGS, never through a link: a regular
 * file's descriptor (ST says what it is), or a negative errno: -ELOOP for
 * a link, -EISDIR for a directory, -EINVAL for anything else. What is
 * there is looked at before it is opened: opening a device has effects of
 * its own (a watchdog's starts it, a tape's rewinds it), and a dump may
 * hold any device node under any name. A file that is not there is made
 * with O_EXCL, and one that is must still be the one looked at when it is
 * open. O_NONBLOCK: a FIFO put there in between fails the open (ENXIO)
 * instead of waiting for a reader. */
static int open_looked_at(struct place *p, int flags, unsigned mode, struct stat *st)
{
	struct stat seen;
	bool there = fstatat(p->dir, p->leaf, &seen, AT_SYMLINK_NOFOLLOW) == 0;

	if (!there && errno != ENOENT)
		return -errno;
	if (there && !S_ISREG(seen.st_mode))
		return S_ISLNK(seen.st_mode) ? -ELOOP : S_ISDIR(seen.st_mode) ? -EISDIR : -EINVAL;
	if (!there && !(flags & O_CREAT))
		return -ENOENT;
	int fd = openat(p->dir, p->leaf,
			flags | (there ? 0 : O_EXCL) | O_WRONLY | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY |
				O_CLOEXEC,
			mode);
	if (fd < 0)
		return errno == ENXIO ? -EINVAL : -errno;
	int err = 0;
	if (fstat(fd, st) < 0)
		err = -errno;
	else if (!S_ISREG(st->st_mode))
		err = -EINVAL;
	else if (there && (st->st_dev != seen.st_dev || st->st_ino != seen.st_ino))
		err = -EAGAIN; /* replaced between the look and the open */
	if (err)
		close(fd);
	return err ? err : fd;
}

static int open_regular(struct place *p, int flags, unsigned mode, struct stat *st)
{
	int fd = open_looked_at(p, flags, mode, st);
	/* made by another between the look and the open (two runs taking
	 * the lock at once): look again, unless the caller wanted it new */
	if (fd == -EEXIST && (flags & O_CREAT) && !(flags & O_EXCL))
		fd = open_looked_at(p, flags, mode, st);
	return fd;
}

int root_write_attr(struct root *r, const char *path, const char *data, size_t len)
{
	struct place p;
	struct stat st;
	int err = place_open(r, path, &p);

	if (err)
		return err;
	int fd = open_regular(&p, 0, 0, &st);
	if (fd < 0) {
		err = fd;
	} else if (kernel_attribute(fd)) {
		/* the kernel takes an attribute in one write; a short one is
		 * a value it did not take whole */
		ssize_t n;
		do
			n = write(fd, data, len);
		while (n < 0 && errno == EINTR);
		err = n < 0 ? -errno : (size_t)n != len ? -EIO : 0;
	} else {
		err = replace(&p, data, len, 0, &st);
	}
	if (fd >= 0)
		close(fd);
	place_close(&p);
	return err;
}

int root_file_kind(struct root *r, const char *path)
{
	struct place p;
	struct stat st;
	int err = place_open(r, path, &p);

	if (err)
		return err;
	int fd = openat(p.dir, p.leaf, O_PATH | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		err = -errno;
	else if (fstat(fd, &st) < 0)
		err = -errno;
	else if (S_ISLNK(st.st_mode))
		err = -ELOOP;
	else if (!S_ISREG(st.st_mode))
		err = -EINVAL;
	else
		err = kernel_attribute(fd) ? ROOT_ATTRIBUTE : ROOT_REGULAR;
	if (fd >= 0)
		close(fd);
	place_close(&p);
	return err;
}

/* Creates or replaces PATH: with AS, AS's mode and owner; else a file
 * that is there keeps its own when KEEP, and a new one gets MODE. */
static int put_file(struct root *r, const char *path, const char *data, size_t len, unsigned mode,
		    bool keep, const struct stat *as)
{
	struct place p;
	struct stat st;
	int err = place_open(r, path, &p);

	if (err)
		return err;
	if (fstatat(p.dir, p.leaf, &st, AT_SYMLINK_NOFOLLOW) == 0) {
		if (S_ISLNK(st.st_mode))
			err = -ELOOP;
		else if (S_ISDIR(st.st_mode))
			err = -EISDIR;
		else if (!S_ISREG(st.st_mode))
			err = -EINVAL;
		else
			err = replace(&p, data, len, mode, as ? as : keep ? &st : NULL);
	} else if (errno == ENOENT) {
		err = replace(&p, data, len, mode, as);
	} else {
		err = -errno;
	}
	place_close(&p);
	return err;
}

int root_put_file(struct root *r, const char *path, const char *data, size_t len, unsigned mode,
		  bool keep)
{
	return put_file(r, path, data, len, mode, keep, NULL);
}

int root_put_file_as(struct root *r, const char *path, const char *data, size_t len, unsigned mode,
		     uid_t uid, gid_t gid)
{
	struct stat as = { .st_mode = mode, .st_uid = uid, .st_gid = gid };
	return put_file(r, path, data, len, mode, false, &as);
}

/* One change to a directory's entry, then the directory fsynced so that the
 * change survives a crash. */
enum entry_op { REMOVE, MAKE_LINK, MAKE_DIR, REMOVE_DIR };

static int change_entry(struct root *r, const char *path, enum entry_op op, const char *target,
			unsigned mode)
{
	struct place p;
	int err = place_open(r, path, &p), rc;

	if (err)
		return err;
	switch (op) {
	case REMOVE:
		rc = unlinkat(p.dir, p.leaf, 0);
		break;
	case MAKE_LINK:
		rc = symlinkat(target, p.dir, p.leaf);
		break;
	case MAKE_DIR:
		rc = mkdirat(p.dir, p.leaf, mode);
		break;
	default:
		rc = unlinkat(p.dir, p.leaf, AT_REMOVEDIR);
		break;
	}
	if (rc < 0)
		err = op == REMOVE_DIR && errno == EEXIST ? -ENOTEMPTY : -errno;
	else if (fsync(p.dir) < 0)
		err = -errno;
	place_close(&p);
	return err;
}

int root_remove(struct root *r, const char *path)
{
	return change_entry(r, path, REMOVE, NULL, 0);
}

int root_make_link(struct root *r, const char *path, const char *target)
{
	return change_entry(r, path, MAKE_LINK, target, 0);
}

int root_make_dir(struct root *r, const char *path, unsigned mode)
{
	return change_entry(r, path, MAKE_DIR, NULL, mode);
}

int root_remove_dir(struct root *r, const char *path)
{
	return change_entry(r, path, REMOVE_DIR, NULL, 0);
}

int root_lstat(struct root *r, const char *path, struct stat *st)
{
	struct place p;
	int err = place_open(r, path, &p);

	if (err)
		return err;
	if (fstatat(p.dir, p.leaf, st, AT_SYMLINK_NOFOLLOW) < 0)
		err = -errno;
	place_close(&p);
	return err;
}

int root_open_append(struct root *r, const char *path, unsigned mode, bool create, bool exclusive)
{
	struct place p;
	struct stat st;
	int flags = O_APPEND | (create ? O_CREAT | (exclusive ? O_EXCL : 0) : 0);
	int err = place_open(r, path, &p);

	if (err)
		return err;
	int fd = open_regular(&p, flags, mode, &st);
	if (fd >= 0 && create && fsync(p.dir) < 0) {
		err = -errno;
		close(fd);
	}
	place_close(&p);
	return err ? err : fd;
}

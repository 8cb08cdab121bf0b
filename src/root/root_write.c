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

int root_write_attr(struct root *r, const char *path, const char *data, size_t len)
{
	struct place p;
	struct stat st;
	int err = place_open(r, path, &p);

	if (err)
		return err;
	/* O_NONBLOCK: a FIFO planted in a dump fails the open (ENXIO) instead
	 * of waiting for a reader */
	int fd = openat(p.dir, p.leaf, O_WRONLY | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
	if (fd < 0) {
		err = errno == ENXIO ? -EINVAL : -errno;
	} else if (fstat(fd, &st) < 0) {
		err = -errno;
	} else if (!S_ISREG(st.st_mode)) {
		err = -EINVAL;
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

int root_put_file(struct root *r, const char *path, const char *data, size_t len, unsigned mode,
		  bool keep)
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
			err = replace(&p, data, len, mode, keep ? &st : NULL);
	} else if (errno == ENOENT) {
		err = replace(&p, data, len, mode, NULL);
	} else {
		err = -errno;
	}
	place_close(&p);
	return err;
}

int root_remove(struct root *r, const char *path)
{
	struct place p;
	int err = place_open(r, path, &p);

	if (err)
		return err;
	if (unlinkat(p.dir, p.leaf, 0) < 0)
		err = -errno;
	else if (fsync(p.dir) < 0)
		err = -errno;
	place_close(&p);
	return err;
}

int root_make_link(struct root *r, const char *path, const char *target)
{
	struct place p;
	int err = place_open(r, path, &p);

	if (err)
		return err;
	if (symlinkat(target, p.dir, p.leaf) < 0)
		err = -errno;
	else if (fsync(p.dir) < 0)
		err = -errno;
	place_close(&p);
	return err;
}

int root_make_dir(struct root *r, const char *path, unsigned mode)
{
	struct place p;
	int err = place_open(r, path, &p);

	if (err)
		return err;
	if (mkdirat(p.dir, p.leaf, mode) < 0)
		err = -errno;
	else if (fsync(p.dir) < 0)
		err = -errno;
	place_close(&p);
	return err;
}

int root_remove_dir(struct root *r, const char *path)
{
	struct place p;
	int err = place_open(r, path, &p);

	if (err)
		return err;
	if (unlinkat(p.dir, p.leaf, AT_REMOVEDIR) < 0)
		err = errno == EEXIST ? -ENOTEMPTY : -errno;
	else if (fsync(p.dir) < 0)
		err = -errno;
	place_close(&p);
	return err;
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
	int flags = O_WRONLY | O_APPEND | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY | O_CLOEXEC;
	int err = place_open(r, path, &p);

	if (err)
		return err;
	if (create)
		flags |= O_CREAT | (exclusive ? O_EXCL : 0);
	int fd = openat(p.dir, p.leaf, flags, mode);
	if (fd < 0) {
		err = errno == ENXIO ? -EINVAL : -errno;
	} else if (fstat(fd, &st) < 0) {
		err = -errno;
	} else if (!S_ISREG(st.st_mode)) {
		err = -EINVAL;
	} else if (create && fsync(p.dir) < 0) {
		err = -errno;
	}
	if (err && fd >= 0) {
		close(fd);
		fd = -1;
	}
	place_close(&p);
	return err ? err : fd;
}

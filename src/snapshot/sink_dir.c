/* A snapshot written as a directory tree. Every path is created below the
 * output directory through directories only: a link the snapshot itself
 * wrote is never followed while writing. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "snapshot.h"

struct dir_sink {
	struct sink s;
	int top;
	/* entries come parents first and in order: keep the last parent */
	char parent[PATH_MAX];
	int parent_fd;
};

/* The directory holding PATH, opened through directories only; LEAF its
 * last name. */
static int parent_of(struct dir_sink *d, const char *path, const char **leaf)
{
	const char *slash = strrchr(path, '/');
	size_t len = slash ? (size_t)(slash - path) : 0;

	*leaf = slash ? slash + 1 : path;
	if (len >= sizeof(d->parent))
		return -ENAMETOOLONG;
	if (d->parent_fd >= 0 && strlen(d->parent) == len && !strncmp(d->parent, path, len))
		return d->parent_fd;
	if (d->parent_fd >= 0 && d->parent_fd != d->top)
		close(d->parent_fd);
	d->parent_fd = -1;
	int fd = d->top;
	char comp[NAME_MAX + 1];
	for (const char *p = path; p < path + len;) {
		size_t n = strcspn(p, "/");
		if (n > NAME_MAX)
			return -ENAMETOOLONG;
		memcpy(comp, p, n);
		comp[n] = '\0';
		int next = openat(fd, comp, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		int e = errno;
		if (fd != d->top)
			close(fd);
		if (next < 0)
			return e == ELOOP ? -ENOTDIR : -e;
		fd = next;
		p += n + (p[n] == '/');
	}
	memcpy(d->parent, path, len);
	d->parent[len] = '\0';
	d->parent_fd = fd;
	return fd;
}

static int dir_dir(struct sink *s, const char *path, unsigned mode)
{
	struct dir_sink *d = (struct dir_sink *)s;
	const char *leaf;
	int fd = parent_of(d, path, &leaf);

	if (fd < 0)
		return fd;
	return mkdirat(fd, leaf, mode) < 0 ? -errno : 0; /* the umask may only narrow it */
}

static int dir_file(struct sink *s, const char *path, const char *data, size_t len, unsigned mode)
{
	struct dir_sink *d = (struct dir_sink *)s;
	const char *leaf;
	int dfd = parent_of(d, path, &leaf);

	if (dfd < 0)
		return dfd;
	int fd = openat(dfd, leaf, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode);
	if (fd < 0)
		return -errno;
	for (size_t done = 0; done < len;) {
		ssize_t n = write(fd, data + done, len - done);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			int e = -errno;
			close(fd);
			return e;
		}
		done += (size_t)n;
	}
	return close(fd) < 0 ? -errno : 0;
}

static int dir_link(struct sink *s, const char *path, const char *target)
{
	struct dir_sink *d = (struct dir_sink *)s;
	const char *leaf;
	int fd = parent_of(d, path, &leaf);

	if (fd < 0)
		return fd;
	return symlinkat(target, fd, leaf) < 0 ? -errno : 0;
}

static int dir_close(struct sink *s, bool ok)
{
	struct dir_sink *d = (struct dir_sink *)s;
	(void)ok; /* what was written stays, for the user to look at */
	if (d->parent_fd >= 0 && d->parent_fd != d->top)
		close(d->parent_fd);
	close(d->top);
	free(d);
	return 0;
}

int sink_dir_open(const char *dir, struct sink **out, char *err, size_t errsz)
{
	if (mkdir(dir, 0755) < 0 && errno != EEXIST) {
		snprintf(err, errsz, "%s", strerror(errno));
		return -errno;
	}
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0) {
		int e = errno;
		snprintf(err, errsz, "%s", e == ENOTDIR ? "not a directory (an archive is named .tar.gz, "
							".tgz or .tar)" : strerror(e));
		return -e;
	}
	int probe = dup(fd);
	DIR *dp = probe < 0 ? NULL : fdopendir(probe);
	if (!dp) {
		int e = errno;
		if (probe >= 0)
			close(probe);
		close(fd);
		snprintf(err, errsz, "%s", strerror(e));
		return -e;
	}
	int entries = 0;
	for (struct dirent *de; (de = readdir(dp));)
		entries += strcmp(de->d_name, ".") && strcmp(de->d_name, "..");
	closedir(dp);
	if (entries) {
		close(fd);
		snprintf(err, errsz, "not empty (give a new or empty directory)");
		return -ENOTEMPTY;
	}
	struct dir_sink *d = calloc(1, sizeof(*d));
	if (!d) {
		close(fd);
		snprintf(err, errsz, "out of memory");
		return -ENOMEM;
	}
	d->s.dir = dir_dir;
	d->s.file = dir_file;
	d->s.link = dir_link;
	d->s.close = dir_close;
	d->top = fd;
	d->parent_fd = -1;
	*out = &d->s;
	return 0;
}

#include "root.h"
#include "root_internal.h"

#define ROOT_DIR_CACHE 64

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/openat2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "root_archive.h"

/* Where a walk stands: an O_PATH descriptor of a directory inside the root
 * and that directory's resolved path ("" is the root itself). */
struct walk {
	int fd;
	bool borrowed; /* fd belongs to the directory cache */
	char path[PATH_MAX];
};

struct root {
	int fd;
	bool live;
	bool no_openat2; /* the kernel (or a seccomp filter) refused it once */
	int cpu_fd;      /* sys/devices/system/cpu: -2 not opened yet, -1 none */
	char *dir;

	/* Collectors read many files of one directory (a cpuidle state, a
	 * cpufreq policy) and many directories below one (cpu0..cpuN): keep
	 * resolved directories, by the path asked for, replaced in turn. */
	struct cached_dir {
		char *key;
		int fd;
		char *path;
	} cache[ROOT_DIR_CACHE];
	unsigned next_slot;

	bool recording;
	struct root_entry *entries;
	size_t nentries, capentries;

	struct root_archive *archive; /* the root is an archive: it answers */
};

static void walk_release(struct walk *w)
{
	if (w->fd >= 0 && !w->borrowed)
		close(w->fd);
	w->fd = -1;
	w->borrowed = false;
}

static int walk_start(const struct root *r, struct walk *w)
{
	w->fd = r->fd;
	w->borrowed = true;
	w->path[0] = '\0';
	return 0;
}

static int join(char *out, size_t outsz, const char *dir, const char *name)
{
	int n = *dir && *name ? snprintf(out, outsz, "%s/%s", dir, name)
				: snprintf(out, outsz, "%s", *dir ? dir : name);
	return n < 0 || (size_t)n >= outsz ? -ENAMETOOLONG : 0;
}

static int walk_down(struct walk *w, const char *name)
{
	char path[PATH_MAX];
	int err = join(path, sizeof(path), w->path, name);
	if (err)
		return err;
	int fd = openat(w->fd, name, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	walk_release(w);
	w->fd = fd;
	memcpy(w->path, path, strlen(path) + 1);
	return 0;
}

/* ".." of the root is the root. The parent is opened again from the root
 * along its resolved path, which holds no links by construction. */
static int walk_up(const struct root *r, struct walk *w)
{
	char *slash = strrchr(w->path, '/');
	char parent[PATH_MAX];

	if (!*w->path)
		return 0;
	if (slash) {
		memcpy(parent, w->path, (size_t)(slash - w->path));
		parent[slash - w->path] = '\0';
	} else {
		parent[0] = '\0';
	}
	walk_release(w);
	int err = walk_start(r, w);
	for (char *save = NULL, *c = strtok_r(parent, "/", &save); !err && c;
	     c = strtok_r(NULL, "/", &save))
		err = walk_down(w, c);
	return err;
}

static int record(struct root *r, enum root_entry_kind kind, const char *dir,
		  const char *name, const char *data, size_t len, unsigned mode)
{
	char path[PATH_MAX];
	struct root_entry *e;

	if (!r->recording)
		return 0;
	if (join(path, sizeof(path), dir, name))
		return -ENAMETOOLONG;
	if (r->nentries == r->capentries) {
		size_t cap = r->capentries ? r->capentries * 2 : 256;
		e = realloc(r->entries, cap * sizeof(*e));
		if (!e)
			return -ENOMEM;
		r->entries = e;
		r->capentries = cap;
	}
	e = &r->entries[r->nentries];
	e->kind = kind;
	e->len = len;
	e->mode = mode & 07777;
	e->path = strdup(path);
	e->data = NULL;
	if (data) {
		e->data = malloc(len + 1);
		if (e->data) {
			memcpy(e->data, data, len);
			e->data[len] = '\0';
		}
	}
	if (!e->path || (data && !e->data)) {
		free(e->path);
		free(e->data);
		return -ENOMEM;
	}
	r->nentries++;
	return 0;
}

int root_note(struct root *r, enum root_entry_kind kind, const char *path, const char *data,
	      size_t len, unsigned mode)
{
	return record(r, kind, path, "", data, len, mode);
}

/* walk_down, and for a snapshot the directory with its mode: the copy
 * makes it no wider than it was */
static int walk_into(struct root *r, struct walk *w, const char *name)
{
	struct stat st;
	int err = walk_down(w, name);

	if (!err && r->recording && !fstat(w->fd, &st))
		err = record(r, ROOT_DIR, w->path, "", NULL, 0, st.st_mode);
	return err;
}

/* Pops the first component of REST into COMP; false when none is left. */
static bool next_component(char *rest, char *comp, size_t compsz, bool *last)
{
	char *p = rest;
	while (*p == '/')
		p++;
	if (!*p) {
		*rest = '\0';
		return false;
	}
	size_t n = strcspn(p, "/");
	if (n >= compsz)
		n = compsz - 1; /* NAME_MAX is smaller: the open fails cleanly */
	memcpy(comp, p, n);
	comp[n] = '\0';
	p += strcspn(p, "/");
	while (*p == '/')
		p++;
	*last = !*p;
	memmove(rest, p, strlen(p) + 1);
	return true;
}

/* Resolves REL from W. On success W is the directory holding the object and
 * LEAF its name (not a link), or LEAF is empty when REL names W itself. */
static int resolve(struct root *r, struct walk *w, const char *rel, char *leaf, bool stat_last)
{
	char rest[2 * PATH_MAX], comp[NAME_MAX + 1], target[PATH_MAX];
	unsigned links = 0;
	bool last = false;

	if (strlen(rel) >= PATH_MAX)
		return -ENAMETOOLONG;
	strcpy(rest, rel);
	if (rest[0] == '/') {
		walk_release(w);
		int err = walk_start(r, w);
		if (err)
			return err;
	}
	leaf[0] = '\0';
	while (next_component(rest, comp, sizeof(comp), &last)) {
		int err = 0;
		struct stat st;

		leaf[0] = '\0';
		if (!strcmp(comp, "."))
			continue;
		if (!strcmp(comp, "..")) {
			err = walk_up(r, w);
			if (err)
				return err;
			continue;
		}
		/* a reader opens the leaf with O_NOFOLLOW and comes back only
		 * when it is a link: one stat less per file */
		if (last && !stat_last) {
			strcpy(leaf, comp);
			return 0;
		}
		if (fstatat(w->fd, comp, &st, AT_SYMLINK_NOFOLLOW) < 0)
			return -errno;
		if (S_ISLNK(st.st_mode)) {
			if (++links > ROOT_MAX_LINKS)
				return -ELOOP;
			ssize_t n = readlinkat(w->fd, comp, target, sizeof(target) - 1);
			if (n < 0)
				return -errno;
			if ((size_t)n >= sizeof(target) - 1)
				return -ENAMETOOLONG;
			target[n] = '\0';
			err = record(r, ROOT_LINK, w->path, comp, target, (size_t)n, 0777);
			if (err)
				return err;
			if (strlen(target) + 1 + strlen(rest) + 1 > sizeof(rest))
				return -ENAMETOOLONG;
			/* splice the target in front of what is left */
			size_t tl = strlen(target), rl = strlen(rest);
			memmove(rest + tl + 1, rest, rl + 1);
			memcpy(rest, target, tl);
			rest[tl] = rl ? '/' : '\0';
			if (target[0] == '/') {
				walk_release(w);
				err = walk_start(r, w);
				if (err)
					return err;
			}
			continue;
		}
		if (last) {
			strcpy(leaf, comp);
			return 0;
		}
		if (!S_ISDIR(st.st_mode))
			return -ENOTDIR;
		err = walk_into(r, w, comp);
		if (err)
			return err;
	}
	return 0;
}

static const struct cached_dir *cache_find(const struct root *r, const char *key, size_t len)
{
	for (size_t i = 0; i < ROOT_DIR_CACHE; i++) {
		const struct cached_dir *c = &r->cache[i];
		if (c->key && strlen(c->key) == len && !strncmp(c->key, key, len))
			return c;
	}
	return NULL;
}

static void cache_put(struct root *r, const char *key, size_t len, const struct walk *w)
{
	struct cached_dir *c = &r->cache[r->next_slot++ % ROOT_DIR_CACHE];
	char *k = strndup(key, len), *path = strdup(w->path);
	int fd = fcntl(w->fd, F_DUPFD_CLOEXEC, 0);

	if (!k || !path || fd < 0) {
		free(k);
		free(path);
		if (fd >= 0)
			close(fd);
		return; /* a cache that cannot grow only costs time */
	}
	free(c->key);
	free(c->path);
	if (c->key)
		close(c->fd);
	c->key = k;
	c->path = path;
	c->fd = fd;
}

/* Resolves PATH from the root, starting at the deepest directory on its way
 * that is already resolved, and keeps its parent directory for next time. */
static int resolve_path(struct root *r, const char *path, struct walk *w, char *leaf,
			bool stat_last)
{
	const char *slash = strrchr(path, '/');
	size_t keylen = slash ? (size_t)(slash - path) : 0;
	size_t start = 0;
	const struct cached_dir *c = NULL;
	int err;

	if (path[0] == '/' || !slash)
		goto from_root;
	/* the parent, then its ancestors */
	for (size_t len = keylen; len && !c; ) {
		c = cache_find(r, path, len);
		if (c)
			start = len;
		else
			while (len && path[--len] != '/')
				;
	}
	if (!c)
		goto from_root;
	w->fd = c->fd;
	w->borrowed = true;
	snprintf(w->path, sizeof(w->path), "%s", c->path);
	if (start < keylen) {
		char rest[PATH_MAX];
		snprintf(rest, sizeof(rest), "%.*s", (int)(keylen - start - 1), path + start + 1);
		err = resolve(r, w, rest, leaf, true);
		if (!err && leaf[0])
			err = walk_into(r, w, leaf);
		if (!err && w->borrowed) {
			/* still on the cached fd that cache_put may evict */
			int fd = fcntl(w->fd, F_DUPFD_CLOEXEC, 0);
			if (fd < 0)
				err = -errno;
			w->fd = fd;
			w->borrowed = false;
		}
		if (err) {
			walk_release(w);
			return err;
		}
		cache_put(r, path, keylen, w);
	}
	err = resolve(r, w, slash + 1, leaf, stat_last);
	if (err)
		walk_release(w);
	return err;

from_root:
	err = walk_start(r, w);
	if (err)
		return err;
	if (slash && path[0] != '/') {
		char key[PATH_MAX];
		snprintf(key, sizeof(key), "%.*s", (int)keylen, path);
		err = resolve(r, w, key, leaf, true);
		if (!err && leaf[0])
			err = walk_into(r, w, leaf);
		if (!err && !w->borrowed)
			cache_put(r, path, keylen, w);
		if (!err)
			err = resolve(r, w, slash + 1, leaf, stat_last);
	} else {
		err = resolve(r, w, path, leaf, stat_last);
	}
	if (err)
		walk_release(w);
	return err;
}

struct root *root_open(const char *dir, const char **err)
{
	struct stat st, slash;
	struct root *r = calloc(1, sizeof(*r));

	if (!r) {
		*err = "out of memory";
		return NULL;
	}
	r->cpu_fd = -2;
	r->fd = open(dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (r->fd < 0 && errno == ENOTDIR) {
		r->dir = strdup(dir);
		if (r->dir && (r->archive = root_archive_open(r, dir, err)))
			return r;
		if (!r->dir)
			*err = "out of memory";
		root_close(r);
		return NULL;
	}
	if (r->fd < 0) {
		*err = strerror(errno);
		free(r);
		return NULL;
	}
	r->dir = strdup(dir);
	if (!r->dir || fstat(r->fd, &st) < 0 || stat("/", &slash) < 0) {
		*err = r->dir ? strerror(errno) : "out of memory";
		root_close(r);
		return NULL;
	}
	r->live = st.st_dev == slash.st_dev && st.st_ino == slash.st_ino;
	return r;
}

void root_close(struct root *r)
{
	if (!r)
		return;
	for (size_t i = 0; i < r->nentries; i++) {
		free(r->entries[i].path);
		free(r->entries[i].data);
	}
	free(r->entries);
	for (size_t i = 0; i < ROOT_DIR_CACHE; i++) {
		if (r->cache[i].key)
			close(r->cache[i].fd);
		free(r->cache[i].key);
		free(r->cache[i].path);
	}
	if (r->cpu_fd >= 0)
		close(r->cpu_fd);
	if (r->fd >= 0)
		close(r->fd);
	root_archive_close(r->archive);
	free(r->dir);
	free(r);
}

const char *root_dir(const struct root *r)
{
	return r->dir;
}

bool root_is_live(const struct root *r)
{
	return r->live;
}

bool root_is_archive(const struct root *r)
{
	return r->archive != NULL;
}

bool root_recording(const struct root *r)
{
	return r->recording;
}

static long openat2_call(int dirfd, const char *path, int flags, unsigned long long resolve)
{
	struct open_how how = {
		.flags = (unsigned long long)(flags | O_CLOEXEC),
		.resolve = resolve | RESOLVE_NO_MAGICLINKS,
	};
	long fd;

	/* EAGAIN: something was renamed during a ".." step; try again */
	for (int tries = 0; tries < 3; tries++)
		if ((fd = syscall(SYS_openat2, dirfd, path, &how, sizeof(how))) >= 0 || errno != EAGAIN)
			return fd;
	return -1;
}

/* The resolution the slow path below does by hand, done by the kernel in
 * one call: links (the last one too) resolved inside the root, ".." never
 * above it, no /proc magic links. -ENOSYS when the kernel cannot (before
 * 5.6, or a seccomp filter), and the caller walks the path itself.
 *
 * Most files are below sys/devices/system/cpu: that directory is resolved
 * once and the rest of such a path beneath it (RESOLVE_BENEATH), which
 * walks three names where the whole path has seven. A path that leads out
 * of it (an absolute link, "..") or loops is resolved again from the root,
 * so the answer is the same. */
static int open_in_root(struct root *r, const char *path, int flags)
{
	static const char cpu_dir[] = "sys/devices/system/cpu/";
	const size_t prefix = sizeof(cpu_dir) - 1;

	if (r->no_openat2 || r->recording)
		return -ENOSYS; /* a snapshot needs each link the walk meets */
	if (!*path)
		path = "."; /* the root itself: openat2 takes no empty path */
	if (!strncmp(path, cpu_dir, prefix) && !strstr(path, "..")) {
		if (r->cpu_fd == -2)
			r->cpu_fd = (int)openat2_call(r->fd, cpu_dir, O_PATH | O_DIRECTORY, RESOLVE_IN_ROOT);
		if (r->cpu_fd >= 0) {
			long fd = openat2_call(r->cpu_fd, path + prefix, flags, RESOLVE_BENEATH);
			if (fd >= 0)
				return (int)fd;
			if (errno == ENOENT || errno == ENOTDIR || errno == EACCES)
				return -errno;
		}
	}
	long fd = openat2_call(r->fd, path, flags, RESOLVE_IN_ROOT);
	if (fd >= 0)
		return (int)fd;
	if (errno == EAGAIN)
		return -ENOSYS; /* renamed under us three times: walk it by hand */
	if (errno == ENOSYS || errno == EPERM || errno == E2BIG || errno == EINVAL) {
		r->no_openat2 = true;
		return -ENOSYS;
	}
	return -errno;
}

/* Reads FD to its end, at most ROOT_MAX_FILE bytes (one byte more is
 * -EFBIG). The first read asks for a page, or for SIZE bytes and one more
 * when the size is known. A read that fills the buffer asks for more; a
 * short one ends the file when SHORT_ENDS says it does: a regular file, and
 * a sysfs attribute, which shows itself whole in one read. A procfs file is
 * read until a read returns nothing: seq_file hands out whole records and
 * leaves the one that did not fit for the next read. */
static int read_all(int fd, size_t size, bool short_ends, char **buf, size_t *len)
{
	size_t cap = size >= 4096 ? size + 1 : 4096, n = 0;
	char *b = malloc(cap + 1);

	if (!b)
		return -ENOMEM;
	for (;;) {
		ssize_t got = read(fd, b + n, cap - n);
		if (got < 0 && errno == EINTR)
			continue;
		if (got < 0) {
			int e = errno == EAGAIN ? -EIO : -errno;
			free(b);
			return e;
		}
		n += (size_t)got;
		if (n > ROOT_MAX_FILE) {
			free(b);
			return -EFBIG;
		}
		if (!got || (n < cap && short_ends))
			break;
		if (n < cap)
			continue;
		size_t more = cap * 2 > ROOT_MAX_FILE ? ROOT_MAX_FILE + 1 : cap * 2;
		char *nb = realloc(b, more + 1);
		if (!nb) {
			free(b);
			return -ENOMEM;
		}
		b = nb;
		cap = more;
	}
	b[n] = '\0';
	*buf = b;
	*len = n;
	return 0;
}

/* Reads an open file of the root. A dump may hold anything its maker put
 * there: only a regular file is read (a FIFO or a device is -EINVAL), and
 * its size is known before the first read. The live system's sysfs and
 * procfs hold attributes and the device files latdoc means to read. */
static int read_fd(const struct root *r, int fd, const char *path, char **buf, size_t *len)
{
	struct stat st;

	if (r->live) {
		while (*path == '/')
			path++;
		return read_all(fd, 0, !strncmp(path, "sys/", 4), buf, len);
	}
	if (fstat(fd, &st) < 0)
		return -errno;
	if (S_ISDIR(st.st_mode))
		return -EISDIR;
	if (!S_ISREG(st.st_mode))
		return -EINVAL;
	if (st.st_size > (off_t)ROOT_MAX_FILE)
		return -EFBIG;
	return read_all(fd, (size_t)st.st_size, true, buf, len);
}

/* O_NONBLOCK: a FIFO planted in a snapshot must not hang the audit */
#define READ_FLAGS (O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC)

int root_read(struct root *r, const char *path, char **buf, size_t *len)
{
	struct walk w;
	char leaf[NAME_MAX + 1];

	if (r->archive)
		return root_archive_read(r, r->archive, path, buf, len);
	int fd = open_in_root(r, path, READ_FLAGS), err;
	if (fd >= 0) {
		err = read_fd(r, fd, path, buf, len);
		close(fd);
		return err;
	}
	if (fd != -ENOSYS)
		return fd;
	err = resolve_path(r, path, &w, leaf, false);
	if (err)
		return err;
	const int flags = READ_FLAGS | O_NOFOLLOW;
	fd = leaf[0] ? openat(w.fd, leaf, flags) : -1;
	if (fd < 0 && leaf[0] && errno == ELOOP) {
		/* the leaf is a link: resolve it, then open what it names */
		char name[NAME_MAX + 1];
		strcpy(name, leaf);
		err = resolve(r, &w, name, leaf, true);
		if (err) {
			walk_release(&w);
			return err;
		}
		fd = leaf[0] ? openat(w.fd, leaf, flags) : -1;
	}
	if (!leaf[0]) {
		walk_release(&w);
		return -EISDIR;
	}
	if (fd < 0) {
		err = -errno;
	} else {
		err = read_fd(r, fd, path, buf, len);
		struct stat st;
		if (!err && fstat(fd, &st) < 0)
			st.st_mode = 0600; /* not known: the narrowest */
		if (!err) {
			err = record(r, ROOT_FILE, w.path, leaf, *buf, *len, st.st_mode);
			if (err) {
				free(*buf);
				*buf = NULL;
			}
		}
	}
	if (fd >= 0)
		close(fd);
	walk_release(&w);
	return err;
}

int root_read_line(struct root *r, const char *path, char *out, size_t outsz)
{
	char *buf;
	size_t len;
	int err = root_read(r, path, &buf, &len);

	if (err)
		return err;
	if (memchr(buf, '\0', len)) {
		free(buf);
		return -EINVAL; /* binary where text was expected */
	}
	len = strcspn(buf, "\n");
	while (len && (buf[len - 1] == ' ' || buf[len - 1] == '\t' || buf[len - 1] == '\r'))
		len--;
	if (len >= outsz) {
		free(buf);
		return -ENAMETOOLONG;
	}
	memcpy(out, buf, len);
	out[len] = '\0';
	free(buf);
	return 0;
}

int root_realpath(struct root *r, const char *path, char *out, size_t outsz)
{
	struct walk w;
	char leaf[NAME_MAX + 1];

	if (r->archive)
		return root_archive_realpath(r, r->archive, path, out, outsz);
	int err = resolve_path(r, path, &w, leaf, true);
	if (err)
		return err;
	err = join(out, outsz, w.path, leaf);
	/* a snapshot needs the directory a link led to, or the link dangles */
	struct stat st;
	if (!err && leaf[0] && !fstatat(w.fd, leaf, &st, 0) && S_ISDIR(st.st_mode))
		err = record(r, ROOT_DIR, w.path, leaf, NULL, 0, st.st_mode);
	walk_release(&w);
	return err;
}

int root_exists(struct root *r, const char *path)
{
	struct walk w;
	char leaf[NAME_MAX + 1];
	struct stat st;

	if (r->archive)
		return root_archive_exists(r, r->archive, path);
	int fd = open_in_root(r, path, O_PATH), err;
	if (fd >= 0) {
		close(fd);
		return 0;
	}
	if (fd != -ENOSYS)
		return fd;
	err = resolve_path(r, path, &w, leaf, true);
	if (err)
		return err;
	if (leaf[0] && fstatat(w.fd, leaf, &st, AT_SYMLINK_NOFOLLOW) < 0)
		err = -errno;
	/* a snapshot keeps that it exists, and no more */
	if (!err && leaf[0])
		err = record(r, S_ISDIR(st.st_mode) ? ROOT_DIR : ROOT_MARK, w.path, leaf, NULL, 0,
			     st.st_mode);
	walk_release(&w);
	return err;
}

static int cmp_names(const void *a, const void *b)
{
	return strverscmp(*(char *const *)a, *(char *const *)b);
}

/* The names in directory FD (closed here), unsorted, NULL-terminated. */
static int list_fd(int fd, char ***names, size_t *count)
{
	/* getdents64 itself: readdir would fstat and fcntl the descriptor first */
	char ents[16384] __attribute__((aligned(8)));
	char **v = NULL;
	size_t n = 0, cap = 0;
	int err = 0;

	for (;;) {
		long got = syscall(SYS_getdents64, fd, ents, sizeof(ents));
		if (got < 0 && errno == EINTR)
			continue;
		if (got <= 0) {
			err = got < 0 ? -errno : 0;
			break;
		}
		for (long off = 0; off < got && !err;) {
			struct dirent64 *de = (struct dirent64 *)(ents + off);
			off += de->d_reclen;
			if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
				continue;
			if (n + 1 >= cap) {
				cap = cap ? cap * 2 : 32;
				char **nv = realloc(v, cap * sizeof(*v));
				if (!nv) {
					err = -ENOMEM;
					break;
				}
				v = nv;
			}
			if (!(v[n] = strdup(de->d_name)))
				err = -ENOMEM;
			else
				v[++n] = NULL;
		}
		if (err)
			break;
	}
	close(fd);
	if (!err && !v && !(v = calloc(1, sizeof(*v))))
		err = -ENOMEM;
	if (err) {
		if (v)
			v[n] = NULL;
		root_free_names(v);
		return err;
	}
	*names = v;
	*count = n;
	return 0;
}

/* The names in directory PATH of a directory root, unsorted. */
static int list_dir(struct root *r, const char *path, char ***names, size_t *count)
{
	struct walk w;
	char leaf[NAME_MAX + 1];
	const int flags = O_RDONLY | O_DIRECTORY | O_CLOEXEC;
	int fd = open_in_root(r, path, flags), err;

	if (fd == -ENOSYS) {
		err = resolve_path(r, path, &w, leaf, true);
		if (err)
			return err;
		fd = openat(w.fd, leaf[0] ? leaf : ".", flags | O_NOFOLLOW);
		struct stat st;
		if (fd < 0)
			fd = -errno;
		else
			err = record(r, ROOT_DIR, w.path, leaf, NULL, 0, fstat(fd, &st) ? 0700 : st.st_mode);
		walk_release(&w);
		if (err) {
			close(fd);
			return err;
		}
	}
	if (fd < 0)
		return fd;
	return list_fd(fd, names, count);
}

int root_list(struct root *r, const char *path, char ***names, size_t *count)
{
	int err = r->archive ? root_archive_list(r, r->archive, path, names, count)
			     : list_dir(r, path, names, count);

	/* one order whatever the backend: an archive lists as its directory would */
	if (!err)
		qsort(*names, *count, sizeof(**names), cmp_names);
	return err;
}

void root_free_names(char **names)
{
	if (!names)
		return;
	for (char **p = names; *p; p++)
		free(*p);
	free(names);
}

/* The directory that holds PATH's last component, resolved inside the root
 * as a read resolves it (RESOLVE_IN_ROOT, or the walk by hand where the
 * kernel cannot, and while recording), opened O_RDONLY so that it can be
 * fsynced; LEAF gets the last component, which is not looked at: the write
 * side opens it with O_NOFOLLOW. DIRPATH, when not NULL, gets the
 * directory's resolved path where the walk made it (else ""). */
int root_open_parent(struct root *r, const char *path, char *leaf, size_t leafsz, char *dirpath,
		     size_t dirpathsz)
{
	const char *slash = strrchr(path, '/');
	const char *name = slash ? slash + 1 : path;
	char dir[PATH_MAX];
	struct walk w;
	char last[NAME_MAX + 1];
	int err, fd;

	if (dirpath)
		dirpath[0] = '\0';
	if (r->archive)
		return -EROFS; /* an archive is read, never written */
	if (!*name || !strcmp(name, ".") || !strcmp(name, ".."))
		return -EINVAL;
	if (strlen(name) >= leafsz || strlen(name) > NAME_MAX)
		return -ENAMETOOLONG;
	if (snprintf(dir, sizeof(dir), "%.*s", slash ? (int)(slash - path) : 0, path) >= (int)sizeof(dir))
		return -ENAMETOOLONG;
	strcpy(leaf, name);
	fd = open_in_root(r, dir, O_RDONLY | O_DIRECTORY);
	if (fd != -ENOSYS)
		return fd;
	err = walk_start(r, &w);
	if (!err && *dir)
		err = resolve(r, &w, dir, last, true);
	if (!err && *dir && last[0])
		err = walk_down(&w, last);
	if (err) {
		walk_release(&w);
		return err;
	}
	fd = openat(w.fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	err = fd < 0 ? -errno : fd;
	if (dirpath)
		snprintf(dirpath, dirpathsz, "%s", w.path);
	walk_release(&w);
	return err;
}

int root_readlink(struct root *r, const char *path, char *out, size_t outsz)
{
	char leaf[NAME_MAX + 1], dir[PATH_MAX];

	if (r->archive)
		return root_archive_readlink(r, r->archive, path, out, outsz);
	int fd = root_open_parent(r, path, leaf, sizeof(leaf), dir, sizeof(dir)), err = 0;

	if (fd < 0)
		return fd;
	ssize_t n = readlinkat(fd, leaf, out, outsz);
	if (n < 0)
		err = -errno;
	else if ((size_t)n >= outsz)
		err = -ENAMETOOLONG;
	else
		out[n] = '\0';
	/* a snapshot keeps the link, so that it says the same there */
	if (!err)
		err = record(r, ROOT_LINK, dir, leaf, out, (size_t)n, 0777);
	close(fd);
	return err;
}

bool root_link_names(struct root *r, const char *path, const char *target)
{
	char got[PATH_MAX];
	bool recording = r->recording;

	r->recording = false;
	bool names = !root_readlink(r, path, got, sizeof(got)) && !strcmp(got, target);
	r->recording = recording;
	if (names && recording) /* again, into the record */
		names = !root_readlink(r, path, got, sizeof(got)) && !strcmp(got, target);
	return names;
}

void root_record(struct root *r, bool on)
{
	r->recording = on;
}

const struct root_entry *root_entries(const struct root *r, size_t *count)
{
	*count = r->nentries;
	return r->entries;
}

#include "root_archive.h"

#include <archive.h>
#include <archive_entry.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../lib/escape.h"
#include "../lib/lazy.h"

#define TO_TEXT_(x) #x
#define TO_TEXT(x) TO_TEXT_(x)

enum node_type { NODE_DIR, NODE_FILE, NODE_LINK, NODE_OTHER };

struct node {
	char *name; /* "" for the root */
	struct node *parent;
	enum node_type type;
	unsigned mode;
	bool too_big; /* a file over ROOT_MAX_FILE: its contents are not kept */
	char *data;   /* a file's contents or a link's target */
	size_t len;
	struct node **kids;
	size_t nkids, capkids;
};

struct root_archive {
	struct node top;
	/* every node by (parent, name): a directory of a million members
	 * must not cost a million squared */
	struct node **slots;
	size_t nslots, nnodes;
	size_t members;
	unsigned long long bytes;
};

static __thread char why[512]; /* root_open's error text: two roots may open at once (diff) */
static const char not_ours[] = "not a directory, nor a tar archive (plain, or gzip, xz, zstd or "
			       "bzip2)";

static size_t slot_of(const struct node *parent, const char *name, size_t mask)
{
	uint64_t h = 1469598103934665603ull ^ (uint64_t)(uintptr_t)parent;
	for (const unsigned char *p = (const unsigned char *)name; *p; p++)
		h = (h ^ *p) * 1099511628211ull;
	return (size_t)(h ^ (h >> 29)) & mask;
}

static struct node *find(const struct root_archive *a, const struct node *parent, const char *name)
{
	if (!a->nslots)
		return NULL;
	for (size_t i = slot_of(parent, name, a->nslots - 1);; i = (i + 1) & (a->nslots - 1)) {
		struct node *n = a->slots[i];
		if (!n || (n->parent == parent && !strcmp(n->name, name)))
			return n;
	}
}

static int index_node(struct root_archive *a, struct node *n)
{
	if ((a->nnodes + 1) * 10 >= a->nslots * 7) {
		size_t cap = a->nslots ? a->nslots * 2 : 1024;
		struct node **s = calloc(cap, sizeof(*s));
		if (!s)
			return -ENOMEM;
		for (size_t i = 0; i < a->nslots; i++) {
			struct node *m = a->slots[i];
			if (!m)
				continue;
			size_t j = slot_of(m->parent, m->name, cap - 1);
			while (s[j])
				j = (j + 1) & (cap - 1);
			s[j] = m;
		}
		free(a->slots);
		a->slots = s;
		a->nslots = cap;
	}
	size_t i = slot_of(n->parent, n->name, a->nslots - 1);
	while (a->slots[i])
		i = (i + 1) & (a->nslots - 1);
	a->slots[i] = n;
	a->nnodes++;
	return 0;
}

static struct node *add_node(struct root_archive *a, struct node *parent, const char *name,
			     enum node_type type, unsigned mode)
{
	struct node *n = calloc(1, sizeof(*n));
	if (!n || !(n->name = strdup(name)))
		goto fail;
	n->parent = parent;
	n->type = type;
	n->mode = mode & 07777;
	if (parent->nkids == parent->capkids) {
		size_t cap = parent->capkids ? parent->capkids * 2 : 8;
		struct node **k = realloc(parent->kids, cap * sizeof(*k));
		if (!k)
			goto fail;
		parent->kids = k;
		parent->capkids = cap;
	}
	if (index_node(a, n))
		goto fail;
	parent->kids[parent->nkids++] = n;
	return n;
fail:
	if (n)
		free(n->name);
	free(n);
	return NULL;
}

static void free_node(struct node *n)
{
	for (size_t i = 0; i < n->nkids; i++) {
		free_node(n->kids[i]);
		free(n->kids[i]);
	}
	free(n->kids);
	free(n->data);
	free(n->name);
}

void root_archive_close(struct root_archive *a)
{
	if (!a)
		return;
	free_node(&a->top);
	free(a->slots);
	free(a);
}

/* The member's name as components below the top: "./a//b/" is "a/b".
 * Refuses what would land outside the top: an absolute name, "..". */
static int clean_name(const char *name, char *out, size_t outsz, const char **problem)
{
	size_t n = 0;

	if (name[0] == '/') {
		*problem = "an absolute path (a snapshot's are relative)";
		return -EINVAL;
	}
	for (const char *p = name; *p;) {
		size_t len = strcspn(p, "/");
		if (len == 2 && !strncmp(p, "..", 2)) {
			*problem = "a path that climbs out with ..";
			return -EINVAL;
		}
		if (len > NAME_MAX) {
			*problem = "a name longer than NAME_MAX";
			return -EINVAL;
		}
		if (len && !(len == 1 && *p == '.')) {
			if (n + len + 2 > outsz) {
				*problem = "a path longer than PATH_MAX";
				return -EINVAL;
			}
			if (n)
				out[n++] = '/';
			memcpy(out + n, p, len);
			n += len;
		}
		p += len;
		while (*p == '/')
			p++;
	}
	out[n] = '\0';
	return 0;
}

/* The node for the clean NAME, made with its directories. A member below
 * anything but a directory (a link above all: extracting through it is
 * the classic escape) refuses the archive. */
static struct node *place(struct root_archive *a, char *name, enum node_type type, unsigned mode,
			  const char **problem)
{
	struct node *dir = &a->top;
	char *save = NULL;

	for (char *c = strtok_r(name, "/", &save); c;) {
		char *next = strtok_r(NULL, "/", &save);
		struct node *n = find(a, dir, c);
		if (!next) {
			if (n && (n->type == NODE_DIR) != (type == NODE_DIR)) {
				*problem = "a directory before, something else now (or the other way round)";
				return NULL;
			}
			if (!n && !(n = add_node(a, dir, c, type, mode)))
				*problem = "out of memory";
			else if (n) {
				n->type = type;
				n->mode = mode & 07777;
			}
			return n;
		}
		if (!n && !(n = add_node(a, dir, c, NODE_DIR, 0755))) {
			*problem = "out of memory";
			return NULL;
		}
		if (n->type != NODE_DIR) {
			*problem = "a path through a member that is not a directory (a link or a file)";
			return NULL;
		}
		dir = n;
		c = next;
	}
	return dir; /* "./": the top itself */
}

/* Reads the member's contents, at most SIZE bytes as its header said. */
static int take_data(struct archive *ar, struct node *n, size_t size)
{
	char *buf = malloc(size + 1);
	size_t got = 0;

	if (!buf)
		return -ENOMEM;
	while (got < size) {
		la_ssize_t r = archive_read_data(ar, buf + got, size - got);
		if (r < 0) {
			free(buf);
			return -EIO;
		}
		if (!r)
			break;
		got += (size_t)r;
	}
	buf[got] = '\0';
	free(n->data);
	n->data = buf;
	n->len = got;
	return 0;
}

/* tar itself, plain or compressed by a library built into libarchive, and
 * never an external program (libarchive runs one for a filter it lacks,
 * and says so with ARCHIVE_WARN): a hostile archive starts nothing. */
static struct archive *reader(void)
{
	static int (*const filters[])(struct archive *) = {
		archive_read_support_filter_gzip, archive_read_support_filter_xz,
		archive_read_support_filter_zstd, archive_read_support_filter_bzip2,
	};
	unsigned skip = 0;

	for (;;) {
		struct archive *ar = archive_read_new();
		unsigned warned = 0;
		if (!ar)
			return NULL;
		for (size_t i = 0; i < sizeof(filters) / sizeof(filters[0]); i++)
			if (!(skip & (1u << i)) && filters[i](ar) != ARCHIVE_OK)
				warned |= 1u << i;
		if (!warned && archive_read_support_format_tar(ar) == ARCHIVE_OK)
			return ar;
		archive_read_free(ar);
		if (!warned)
			return NULL;
		skip |= warned;
	}
}

static int load(struct root_archive *a, struct archive *ar, const char **problem, char *member,
		size_t membersz)
{
	struct archive_entry *e;
	char name[PATH_MAX];
	int rc;

	while ((rc = archive_read_next_header(ar, &e)) == ARCHIVE_OK || rc == ARCHIVE_WARN) {
		const char *raw = archive_entry_pathname(e);
		const char *hard = archive_entry_hardlink(e);
		unsigned type = archive_entry_filetype(e), mode = archive_entry_perm(e);
		la_int64_t size = archive_entry_size_is_set(e) ? archive_entry_size(e) : 0;

		str_escape(member, membersz, raw ? raw : "(no name)", false);
		if (!raw) {
			*problem = "a name that cannot be read";
			return -EINVAL;
		}
		if (++a->members > ROOT_ARCHIVE_MAX_MEMBERS) {
			*problem = "more than " TO_TEXT(ROOT_ARCHIVE_MAX_MEMBERS) " members";
			return -E2BIG;
		}
		if (size < 0 || (a->bytes += (unsigned long long)size) > ROOT_ARCHIVE_MAX_BYTES) {
			*problem = "the contents expand beyond " TO_TEXT(ROOT_ARCHIVE_MAX_MIB) " MiB";
			return -E2BIG;
		}
		if (clean_name(raw, name, sizeof(name), problem))
			return -EINVAL;

		enum node_type nt = hard ? NODE_FILE
				    : type == AE_IFDIR ? NODE_DIR
				    : type == AE_IFREG ? NODE_FILE
				    : type == AE_IFLNK ? NODE_LINK
						       : NODE_OTHER;
		char target[PATH_MAX];
		struct node *from = NULL;
		if (hard) {
			/* the same contents as an earlier member, by its name
			 * in the archive: no link is followed */
			if (clean_name(hard, target, sizeof(target), problem))
				return -EINVAL;
			struct node *d = &a->top;
			char *save = NULL;
			for (char *c = strtok_r(target, "/", &save); c && d; c = strtok_r(NULL, "/", &save))
				d = find(a, d, c);
			from = d && d->type == NODE_FILE ? d : NULL;
		}
		if (!*name && nt == NODE_DIR)
			continue; /* "./", the top */
		if (!*name) {
			*problem = "the top itself, and no directory";
			return -EINVAL;
		}
		struct node *n = place(a, name, nt, mode, problem);
		if (!n)
			return *problem && !strcmp(*problem, "out of memory") ? -ENOMEM : -EINVAL;
		n->too_big = false;
		if (nt == NODE_LINK) {
			const char *t = archive_entry_symlink(e);
			free(n->data);
			n->data = strdup(t ? t : "");
			n->len = n->data ? strlen(n->data) : 0;
			if (!n->data)
				return -ENOMEM;
		} else if (from && from != n) {
			free(n->data);
			n->too_big = from->too_big;
			n->len = from->len;
			n->data = from->data ? malloc(from->len + 1) : NULL;
			if (from->data && !n->data)
				return -ENOMEM;
			if (n->data)
				memcpy(n->data, from->data, from->len + 1);
		} else if (nt == NODE_FILE && !hard) {
			if ((unsigned long long)size > ROOT_MAX_FILE) {
				free(n->data);
				n->data = NULL;
				n->len = 0;
				n->too_big = true;
			} else {
				int err = take_data(ar, n, (size_t)size);
				if (err == -EIO) {
					*problem = archive_error_string(ar);
					return -EIO;
				}
				if (err)
					return err;
			}
		}
	}
	if (rc != ARCHIVE_EOF) {
		*problem = archive_error_string(ar);
		return -EIO;
	}
	return 0;
}

struct root_archive *root_archive_open(struct root *r, const char *path, const char **err)
{
	(void)r;
	const char *missing = lazy_missing(&lazy_libarchive);
	struct root_archive *a = NULL;
	struct archive *ar = NULL;
	const char *problem = NULL;
	char member[256] = "";
	int fd = -1, e;

	*err = why;
	if (missing) {
		snprintf(why, sizeof(why), "not a directory; to read it as an archive, %s", missing);
		return NULL;
	}
	/* blocking: a pipe (check --root /dev/stdin) is read as it comes */
	if ((fd = open(path, O_RDONLY | O_NOCTTY | O_CLOEXEC)) < 0) {
		snprintf(why, sizeof(why), "%s", strerror(errno));
		return NULL;
	}
	if (!(a = calloc(1, sizeof(*a))) || !(a->top.name = strdup("")) || !(ar = reader())) {
		snprintf(why, sizeof(why), "out of memory");
		goto fail;
	}
	a->top.type = NODE_DIR;
	a->top.mode = 0755;
	if (archive_read_open_fd(ar, fd, 65536) != ARCHIVE_OK)
		e = -EIO;
	else
		e = load(a, ar, &problem, member, sizeof(member));
	if (e == -EIO && !problem)
		problem = archive_error_string(ar);
	if (e == -EIO && !a->members)
		snprintf(why, sizeof(why), "%s: %s", problem && strstr(problem, "Unrecognized archive")
							 ? not_ours : "a damaged or truncated archive",
			 problem ? problem : "unreadable");
	else if (e == -EIO)
		snprintf(why, sizeof(why), "a damaged or truncated archive, at member %zu ('%s'): %s",
			 a->members, member, problem ? problem : "unreadable");
	else if (e == -ENOMEM)
		snprintf(why, sizeof(why), "out of memory reading the archive");
	else if (e)
		snprintf(why, sizeof(why), "refused at member %zu ('%s'): %s", a->members, member,
			 problem);
	if (e)
		goto fail;
	archive_read_free(ar);
	close(fd);
	return a;
fail:
	if (ar)
		archive_read_free(ar);
	root_archive_close(a);
	close(fd);
	errno = EINVAL;
	return NULL;
}

/* The path of N from the top, "" for the top. */
static void node_path(const struct node *n, char *out, size_t outsz)
{
	const struct node *chain[PATH_MAX / 2];
	size_t depth = 0, len = 0;

	for (; n && n->parent && depth < sizeof(chain) / sizeof(chain[0]); n = n->parent)
		chain[depth++] = n;
	out[0] = '\0';
	while (depth--) {
		int w = snprintf(out + len, outsz - len, "%s%s", len ? "/" : "", chain[depth]->name);
		if (w < 0 || (size_t)w >= outsz - len)
			return;
		len += (size_t)w;
	}
}

static int note(struct root *r, enum root_entry_kind kind, const struct node *n, const char *data,
		size_t len)
{
	char path[PATH_MAX];

	if (!root_recording(r))
		return 0;
	node_path(n, path, sizeof(path));
	return root_note(r, kind, path, data, len, n->type == NODE_LINK ? 0777 : n->mode);
}

/* Finds PATH the way root.c resolves it: links (the last one when
 * FOLLOW_LAST) resolved inside the archive, an absolute target from its
 * top, ".." never above it. */
static int resolve(struct root *r, struct root_archive *a, const char *path, bool follow_last,
		   struct node **out)
{
	char rest[2 * PATH_MAX], comp[NAME_MAX + 1];
	struct node *at = &a->top;
	unsigned links = 0;

	if (strlen(path) >= PATH_MAX)
		return -ENAMETOOLONG;
	strcpy(rest, path);
	for (char *p = rest;;) {
		while (*p == '/')
			p++;
		if (!*p)
			break;
		size_t n = strcspn(p, "/");
		if (n > NAME_MAX)
			return -ENAMETOOLONG;
		memcpy(comp, p, n);
		comp[n] = '\0';
		p += n;
		while (*p == '/')
			p++;
		bool last = !*p;
		if (at->type != NODE_DIR)
			return -ENOTDIR;
		if (!strcmp(comp, "."))
			continue;
		if (!strcmp(comp, "..")) {
			if (at->parent)
				at = at->parent;
			continue;
		}
		struct node *next = find(a, at, comp);
		if (!next)
			return -ENOENT;
		if (next->type == NODE_LINK && (!last || follow_last)) {
			if (++links > ROOT_MAX_LINKS)
				return -ELOOP;
			int err = note(r, ROOT_LINK, next, next->data, next->len);
			if (err)
				return err;
			size_t tl = next->len, rl = strlen(p);
			if (tl + 1 + rl + 1 > sizeof(rest))
				return -ENAMETOOLONG;
			memmove(rest + tl + 1, p, rl + 1);
			memcpy(rest, next->data, tl);
			rest[tl] = rl ? '/' : '\0';
			p = rest;
			if (next->data[0] == '/')
				at = &a->top;
			continue;
		}
		if (next->type == NODE_DIR && !last) {
			int err = note(r, ROOT_DIR, next, NULL, 0);
			if (err)
				return err;
		}
		at = next;
	}
	*out = at;
	return 0;
}

int root_archive_read(struct root *r, struct root_archive *a, const char *path, char **buf,
		      size_t *len)
{
	struct node *n;
	int err = resolve(r, a, path, true, &n);

	if (err)
		return err;
	if (n->type == NODE_DIR)
		return -EISDIR;
	if (n->type != NODE_FILE)
		return -EINVAL;
	if (n->too_big)
		return -EFBIG;
	if (!(*buf = malloc(n->len + 1)))
		return -ENOMEM;
	if (n->len)
		memcpy(*buf, n->data, n->len);
	(*buf)[n->len] = '\0';
	*len = n->len;
	err = note(r, ROOT_FILE, n, *buf, *len);
	if (err) {
		free(*buf);
		*buf = NULL;
	}
	return err;
}

int root_archive_realpath(struct root *r, struct root_archive *a, const char *path, char *out,
			  size_t outsz)
{
	struct node *n;
	char p[PATH_MAX];
	int err = resolve(r, a, path, true, &n);

	if (err)
		return err;
	node_path(n, p, sizeof(p));
	if (strlen(p) >= outsz)
		return -ENAMETOOLONG;
	strcpy(out, p);
	return n->type == NODE_DIR ? note(r, ROOT_DIR, n, NULL, 0) : 0;
}

int root_archive_readlink(struct root *r, struct root_archive *a, const char *path, char *out,
			  size_t outsz)
{
	struct node *n;
	int err = resolve(r, a, path, false, &n);

	if (err)
		return err;
	if (n->type != NODE_LINK)
		return -EINVAL;
	if (n->len >= outsz)
		return -ENAMETOOLONG;
	memcpy(out, n->data, n->len);
	out[n->len] = '\0';
	return note(r, ROOT_LINK, n, n->data, n->len);
}

int root_archive_exists(struct root *r, struct root_archive *a, const char *path)
{
	struct node *n;
	int err = resolve(r, a, path, true, &n);

	if (err)
		return err;
	return note(r, n->type == NODE_DIR ? ROOT_DIR : ROOT_MARK, n, NULL, 0);
}

int root_archive_list(struct root *r, struct root_archive *a, const char *path, char ***names,
		      size_t *count)
{
	struct node *n;
	int err = resolve(r, a, path, true, &n);

	if (err)
		return err;
	if (n->type != NODE_DIR)
		return -ENOTDIR;
	char **v = calloc(n->nkids + 1, sizeof(*v));
	if (!v)
		return -ENOMEM;
	for (size_t i = 0; i < n->nkids; i++)
		if (!(v[i] = strdup(n->kids[i]->name))) {
			root_free_names(v);
			return -ENOMEM;
		}
	err = note(r, ROOT_DIR, n, NULL, 0);
	if (err) {
		root_free_names(v);
		return err;
	}
	*names = v;
	*count = n->nkids;
	return 0;
}

/* latdoc snapshot: run the collectors with the root recording, then write
 * what they read (files, links as they are, directories) under DIR, so that
 * `latdoc check --root DIR` sees what `latdoc check` saw here. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <dirent.h>

#include "../facts/facts.h"
#include "../root/root.h"
#include "commands.h"
#include "options.h"
#include "version.h"

/* Creates every directory of PATH below DIRFD; with LEAF_TOO the last
 * component as well. Refuses to go through anything but a directory. */
static int make_dirs(int dirfd, const char *path, bool leaf_too)
{
	char buf[4096];
	size_t len = strlen(path);

	if (len >= sizeof(buf))
		return -ENAMETOOLONG;
	memcpy(buf, path, len + 1);
	for (char *p = buf; (p = strchr(p, '/')) || leaf_too; p++) {
		bool last = !p;
		if (p)
			*p = '\0';
		if (*buf && mkdirat(dirfd, buf, 0755) < 0 && errno != EEXIST)
			return -errno;
		struct stat st;
		if (*buf && (fstatat(dirfd, buf, &st, AT_SYMLINK_NOFOLLOW) < 0 || !S_ISDIR(st.st_mode)))
			return -ENOTDIR;
		if (last)
			break;
		*p = '/';
	}
	return 0;
}

static int write_file(int dirfd, const char *path, const char *data, size_t len)
{
	int fd = openat(dirfd, path, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0644);
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

static int write_entry(int dirfd, const struct root_entry *e)
{
	if (!*e->path)
		return 0; /* the root itself */
	int err = make_dirs(dirfd, e->path, e->kind == ROOT_DIR);
	if (err || e->kind == ROOT_DIR)
		return err;
	if (e->kind == ROOT_LINK) {
		if (symlinkat(e->data, dirfd, e->path) < 0 && errno != EEXIST)
			return -errno;
		return 0;
	}
	if (e->kind == ROOT_MARK) {
		/* empty, and never over a file whose contents were read */
		int fd = openat(dirfd, e->path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
		if (fd < 0)
			return errno == EEXIST ? 0 : -errno;
		return close(fd) < 0 ? -errno : 0;
	}
	return write_file(dirfd, e->path, e->data, e->len);
}

/* DIR must be new, or an empty directory: a snapshot never mixes with
 * whatever was there. */
static int open_output(const char *dir)
{
	if (mkdir(dir, 0755) < 0 && errno != EEXIST)
		return -errno;
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	int probe = dup(fd);
	DIR *d = probe < 0 ? NULL : fdopendir(probe);
	if (!d) {
		int e = -errno;
		if (probe >= 0)
			close(probe);
		close(fd);
		return e;
	}
	int entries = 0;
	for (struct dirent *de; (de = readdir(d));)
		entries += strcmp(de->d_name, ".") && strcmp(de->d_name, "..");
	closedir(d);
	if (entries) {
		close(fd);
		return -ENOTEMPTY;
	}
	return fd;
}

int cmd_snapshot(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "output", required_argument, NULL, 'o' },
		{ "root", required_argument, NULL, 'r' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *out_dir = NULL, *root_dir = "/";
	int c;

	while ((c = next_option("snapshot", argc, argv, "o:h", longopts)) != -1) {
		switch (c) {
		case 'o':
			out_dir = optarg;
			break;
		case 'r':
			root_dir = optarg;
			break;
		case 'h':
			command_usage(stdout, command_find("snapshot"));
			return EXIT_CLEAN;
		default:
			return EXIT_ERROR;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "latdoc snapshot: unexpected argument '%s'\n", argv[optind]);
		return EXIT_ERROR;
	}
	if (!out_dir) {
		fprintf(stderr, "latdoc snapshot: say where to write it: -o DIR\n");
		return EXIT_ERROR;
	}

	const char *why;
	struct root *r = root_open(root_dir, &why);
	if (!r) {
		fprintf(stderr, "latdoc snapshot: cannot use '%s' as the root: %s\n", root_dir, why);
		return EXIT_ERROR;
	}
	int dirfd = open_output(out_dir);
	if (dirfd < 0) {
		fprintf(stderr, "latdoc snapshot: cannot write to '%s': %s\n", out_dir,
			dirfd == -ENOTEMPTY ? "not empty (give a new or empty directory)"
					    : strerror(-dirfd));
		root_close(r);
		return EXIT_ERROR;
	}

	struct facts f;
	int status = EXIT_ERROR;
	root_record(r, true);
	int err = facts_collect(r, &f);
	root_record(r, false);
	if (err) {
		fprintf(stderr, "latdoc snapshot: reading %s: %s\n", root_dir, strerror(-err));
		goto out;
	}

	size_t n;
	const struct root_entry *entries = root_entries(r, &n);
	for (size_t i = 0; i < n; i++) {
		err = write_entry(dirfd, &entries[i]);
		if (err) {
			fprintf(stderr, "latdoc snapshot: writing %s/%s: %s\n", out_dir, entries[i].path,
				strerror(-err));
			goto out;
		}
	}

	char about[512];
	int len = snprintf(about, sizeof(about),
			   "latdoc %s snapshot of %s (%s), taken %ld\n"
			   "check it anywhere with: latdoc check --root DIR\n"
			   "Empty files are ones whose existence was checked and whose contents "
			   "were not read (dev/kvm, etc/nova/nova.conf).\n",
			   LATDOC_VERSION, f.hostname[0] ? f.hostname : "unknown host", root_dir,
			   (long)time(NULL));
	err = write_file(dirfd, "latdoc-snapshot.txt", about, (size_t)len);
	if (err) {
		fprintf(stderr, "latdoc snapshot: writing %s/latdoc-snapshot.txt: %s\n", out_dir,
			strerror(-err));
		goto out;
	}
	fprintf(stderr, "latdoc snapshot: %zu entries written to %s\n", n, out_dir);
	if (f.nproblems)
		fprintf(stderr, "latdoc snapshot: %zu files could not be read; check shows which\n",
			f.nproblems);
	status = EXIT_CLEAN;
out:
	facts_free(&f);
	close(dirfd);
	root_close(r);
	return status;
}

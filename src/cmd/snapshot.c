/* latdoc snapshot: run the audit with the root recording, then write what
 * it read (files, links as they are, directories) under DIR, so that
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

#include "../audit/audit.h"
#include "../root/root.h"
#include "commands.h"
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

enum { OUTPUT, ROOT };

static const struct opt opts[] = {
	[OUTPUT] = { .name = "output", .short_name = 'o', .type = OPT_STRING, .arg = "DIR",
		.help = "where to write; must be new or empty (required)", .complete = COMPLETE_DIR },
	[ROOT] = { .name = "root", .type = OPT_STRING, .arg = "DIR",
		.help = "snapshot a dump instead of this machine", .complete = COMPLETE_DIR },
};
const struct opt_table snapshot_options = OPT_TABLE(opts);

int cmd_snapshot(const struct opt_result *o)
{
	const char *out_dir = o->v[OUTPUT].set ? o->v[OUTPUT].str : NULL;
	struct audit_options ao = { .root = o->v[ROOT].set ? o->v[ROOT].str : "/", .record = true,
				    .fail_on = SEV_WARNING };
	struct report rep;
	char err[512];

	if (o->nargs) {
		fprintf(stderr, "latdoc snapshot: unexpected argument '%s'\n", o->args[0]);
		return EXIT_ERROR;
	}
	if (!out_dir) {
		fprintf(stderr, "latdoc snapshot: say where to write it: -o DIR\n");
		return EXIT_ERROR;
	}
	int dirfd = open_output(out_dir);
	if (dirfd < 0) {
		fprintf(stderr, "latdoc snapshot: cannot write to '%s': %s\n", out_dir,
			dirfd == -ENOTEMPTY ? "not empty (give a new or empty directory)"
					    : strerror(-dirfd));
		return EXIT_ERROR;
	}
	if (audit_run(&ao, &rep, err, sizeof(err))) {
		fprintf(stderr, "latdoc snapshot: %s\n", err);
		close(dirfd);
		return EXIT_ERROR;
	}

	int status = EXIT_ERROR, e;
	size_t n;
	const struct root_entry *entries = root_entries(rep.root, &n);
	for (size_t i = 0; i < n; i++) {
		e = write_entry(dirfd, &entries[i]);
		if (e) {
			fprintf(stderr, "latdoc snapshot: writing %s/%s: %s\n", out_dir, entries[i].path,
				strerror(-e));
			goto out;
		}
	}

	char about[512], taken[32];
	time_t now = time(NULL);
	strftime(taken, sizeof(taken), "%Y-%m-%dT%H:%M:%SZ", gmtime(&now));
	int len = snprintf(about, sizeof(about),
			   "latdoc %s snapshot of %s (%s), taken %s\n"
			   "check it anywhere with: latdoc check --root DIR\n"
			   "Empty files are ones whose existence was checked and whose contents "
			   "were not read (dev/kvm, etc/nova/nova.conf).\n",
			   LATDOC_VERSION, rep.facts.hostname[0] ? rep.facts.hostname : "unknown host",
			   rep.root_dir, taken);
	e = write_file(dirfd, "latdoc-snapshot.txt", about, (size_t)len);
	if (e) {
		fprintf(stderr, "latdoc snapshot: writing %s/latdoc-snapshot.txt: %s\n", out_dir,
			strerror(-e));
		goto out;
	}
	fprintf(stderr, "latdoc snapshot: %zu entries written to %s\n", n, out_dir);
	if (rep.facts.nproblems)
		fprintf(stderr, "latdoc snapshot: %zu files could not be read; check shows which\n",
			rep.facts.nproblems);
	status = EXIT_CLEAN;
out:
	report_free(&rep);
	close(dirfd);
	return status;
}

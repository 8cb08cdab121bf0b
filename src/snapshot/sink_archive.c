/* A snapshot written as one tar archive, gzip-compressed unless named
 * .tar: to a new file (0600, and removed again when writing fails) or to
 * standard output, so `ssh host latdoc snapshot -o - > host.tgz` carries a
 * machine home in one stream. */
#include <archive.h>
#include <archive_entry.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "../lib/lazy.h"
#include "snapshot.h"

struct archive_sink {
	struct sink s;
	struct archive *ar;
	struct archive_entry *entry;
	int fd;
	char *file; /* NULL for standard output */
	time_t now;
};

static bool ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);
	return n > m && !strcmp(s + n - m, suffix);
}

bool sink_is_archive(const char *name)
{
	return !strcmp(name, "-") || ends_with(name, ".tar.gz") || ends_with(name, ".tgz") ||
	       ends_with(name, ".tar");
}

static int fail(struct archive_sink *a)
{
	const char *why = archive_error_string(a->ar);
	snprintf(a->s.err, sizeof(a->s.err), "%s", why ? why : "the archive could not be written");
	return -EIO;
}

static int put(struct archive_sink *a, const char *path, unsigned type, unsigned mode,
	       const char *data, size_t len, const char *target)
{
	struct archive_entry *e = archive_entry_clear(a->entry);

	archive_entry_set_pathname(e, path);
	archive_entry_set_filetype(e, type);
	archive_entry_set_perm(e, mode);
	archive_entry_set_size(e, (la_int64_t)len);
	archive_entry_set_mtime(e, a->now, 0);
	archive_entry_set_uname(e, "root");
	archive_entry_set_gname(e, "root");
	if (target)
		archive_entry_set_symlink(e, target);
	if (archive_write_header(a->ar, e) < ARCHIVE_WARN)
		return fail(a);
	if (len && archive_write_data(a->ar, data, len) != (la_ssize_t)len)
		return fail(a);
	return 0;
}

static int ar_dir(struct sink *s, const char *path, unsigned mode)
{
	return put((struct archive_sink *)s, path, AE_IFDIR, mode, NULL, 0, NULL);
}

static int ar_file(struct sink *s, const char *path, const char *data, size_t len, unsigned mode)
{
	return put((struct archive_sink *)s, path, AE_IFREG, mode, data, len, NULL);
}

static int ar_link(struct sink *s, const char *path, const char *target)
{
	return put((struct archive_sink *)s, path, AE_IFLNK, 0777, NULL, 0, target);
}

static int ar_close(struct sink *s, bool ok)
{
	struct archive_sink *a = (struct archive_sink *)s;
	int rc = 0;

	if (ok && archive_write_close(a->ar) != ARCHIVE_OK)
		rc = fail(a);
	archive_write_free(a->ar);
	archive_entry_free(a->entry);
	if (a->file && close(a->fd) < 0 && !rc) {
		rc = -errno;
		snprintf(a->s.err, sizeof(a->s.err), "%s", strerror(errno));
	}
	if (a->file && (!ok || rc))
		unlink(a->file); /* no half a snapshot under the name asked for */
	free(a->file);
	free(a);
	return rc;
}

int sink_archive_open(const char *file, struct sink **out, char *err, size_t errsz)
{
	const char *missing = lazy_missing(&lazy_libarchive);
	bool to_stdout = !strcmp(file, "-");

	if (missing) {
		snprintf(err, errsz, "an archive needs libarchive: %s", missing);
		return -ENOENT;
	}
	if (to_stdout && isatty(STDOUT_FILENO)) {
		snprintf(err, errsz, "standard output is a terminal; send it to a file or a pipe "
				     "(-o - > host.tar.gz)");
		return -EINVAL;
	}
	struct archive_sink *a = calloc(1, sizeof(*a));
	if (!a || (!to_stdout && !(a->file = strdup(file)))) {
		free(a);
		snprintf(err, errsz, "out of memory");
		return -ENOMEM;
	}
	a->fd = to_stdout ? STDOUT_FILENO
			  : open(file, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (a->fd < 0) {
		int e = errno;
		snprintf(err, errsz, "%s", e == EEXIST ? "it exists (give a new name)" : strerror(e));
		free(a->file);
		free(a);
		return -e;
	}
	a->now = time(NULL);
	a->ar = archive_write_new();
	a->entry = archive_entry_new();
	bool gzip = !ends_with(file, ".tar");
	if (!a->ar || !a->entry || (gzip && archive_write_add_filter_gzip(a->ar) != ARCHIVE_OK) ||
	    archive_write_set_format_pax_restricted(a->ar) != ARCHIVE_OK ||
	    archive_write_open_fd(a->ar, a->fd) != ARCHIVE_OK) {
		snprintf(err, errsz, "%s", a->ar && archive_error_string(a->ar) ? archive_error_string(a->ar)
										 : "out of memory");
		a->s.close = ar_close;
		ar_close(&a->s, false);
		return -EIO;
	}
	a->s.dir = ar_dir;
	a->s.file = ar_file;
	a->s.link = ar_link;
	a->s.close = ar_close;
	*out = &a->s;
	return 0;
}

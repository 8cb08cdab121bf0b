/* libarchive, loaded when a root is an archive or a snapshot is written as
 * one. */
#include <archive.h>
#include <archive_entry.h>

#include "lazy.h"

struct lazy_lib lazy_libarchive = { .soname = "libarchive.so.13" };

/* A shim of NAME taking the arguments of PARAMS, handing on ARGS, and
 * returning FAIL when the library is missing. */
#define SHIM(ret, name, fail, params, args)      \
	ret name params                          \
	{                                        \
		LAZY_FN(lazy_libarchive, name);  \
		return fn ? fn args : fail;      \
	}
#define SHIM_VOID(name, params, args)            \
	void name params                         \
	{                                        \
		LAZY_FN(lazy_libarchive, name);  \
		if (fn)                          \
			fn args;                 \
	}

typedef struct archive A;
typedef struct archive_entry E;

SHIM(A *, archive_read_new, NULL, (void), ())
SHIM(int, archive_read_support_filter_gzip, ARCHIVE_FATAL, (A *a), (a))
SHIM(int, archive_read_support_filter_bzip2, ARCHIVE_FATAL, (A *a), (a))
SHIM(int, archive_read_support_filter_xz, ARCHIVE_FATAL, (A *a), (a))
SHIM(int, archive_read_support_filter_zstd, ARCHIVE_FATAL, (A *a), (a))
SHIM(int, archive_read_support_format_tar, ARCHIVE_FATAL, (A *a), (a))
SHIM(int, archive_read_open_fd, ARCHIVE_FATAL, (A *a, int fd, size_t block), (a, fd, block))
SHIM(int, archive_read_next_header, ARCHIVE_FATAL, (A *a, E **e), (a, e))
SHIM(la_ssize_t, archive_read_data, ARCHIVE_FATAL, (A *a, void *buf, size_t len), (a, buf, len))
SHIM(int, archive_read_data_skip, ARCHIVE_FATAL, (A *a), (a))
SHIM(int, archive_read_free, ARCHIVE_FATAL, (A *a), (a))
SHIM(const char *, archive_error_string, NULL, (A *a), (a))

SHIM(A *, archive_write_new, NULL, (void), ())
SHIM(int, archive_write_add_filter_gzip, ARCHIVE_FATAL, (A *a), (a))
SHIM(int, archive_write_set_format_pax_restricted, ARCHIVE_FATAL, (A *a), (a))
SHIM(int, archive_write_open_fd, ARCHIVE_FATAL, (A *a, int fd), (a, fd))
SHIM(int, archive_write_header, ARCHIVE_FATAL, (A *a, E *e), (a, e))
SHIM(la_ssize_t, archive_write_data, ARCHIVE_FATAL, (A *a, const void *buf, size_t len), (a, buf, len))
SHIM(int, archive_write_close, ARCHIVE_FATAL, (A *a), (a))
SHIM(int, archive_write_free, ARCHIVE_FATAL, (A *a), (a))

SHIM(E *, archive_entry_new, NULL, (void), ())
SHIM_VOID(archive_entry_free, (E *e), (e))
SHIM(E *, archive_entry_clear, NULL, (E *e), (e))
SHIM(const char *, archive_entry_pathname, NULL, (E *e), (e))
SHIM(__LA_MODE_T, archive_entry_filetype, 0, (E *e), (e))
SHIM(__LA_MODE_T, archive_entry_perm, 0, (E *e), (e))
SHIM(la_int64_t, archive_entry_size, 0, (E *e), (e))
SHIM(int, archive_entry_size_is_set, 0, (E *e), (e))
SHIM(const char *, archive_entry_symlink, NULL, (E *e), (e))
SHIM(const char *, archive_entry_hardlink, NULL, (E *e), (e))
SHIM_VOID(archive_entry_set_pathname, (E *e, const char *p), (e, p))
SHIM_VOID(archive_entry_set_filetype, (E *e, unsigned int t), (e, t))
SHIM_VOID(archive_entry_set_perm, (E *e, __LA_MODE_T m), (e, m))
SHIM_VOID(archive_entry_set_size, (E *e, la_int64_t s), (e, s))
SHIM_VOID(archive_entry_set_symlink, (E *e, const char *t), (e, t))
SHIM_VOID(archive_entry_set_mtime, (E *e, time_t t, long ns), (e, t, ns))
SHIM_VOID(archive_entry_set_uname, (E *e, const char *n), (e, n))
SHIM_VOID(archive_entry_set_gname, (E *e, const char *n), (e, n))

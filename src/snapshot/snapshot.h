/* Writing a snapshot: what an audit read (the root's record), redacted and
 * with no permission widened, into a sink: a directory, or a tar archive
 * (a file, or standard output) that `check --root`, `diff` and `report`
 * read as it is. */
#ifndef LATDOC_SNAPSHOT_H
#define LATDOC_SNAPSHOT_H

#include <stdbool.h>
#include <stdio.h>
#include <stddef.h>

#include "../audit/report.h"

/* Where a snapshot goes. Paths are relative to the snapshot's top, given
 * parents first; MODE is the permission bits to give. Each returns 0 or a
 * negative errno, with what went wrong in ERR. */
struct sink {
	int (*dir)(struct sink *s, const char *path, unsigned mode);
	int (*file)(struct sink *s, const char *path, const char *data, size_t len, unsigned mode);
	int (*link)(struct sink *s, const char *path, const char *target);
	/* Finishes the output (OK) or takes back what was written (!OK), and
	 * frees the sink. */
	int (*close)(struct sink *s, bool ok);
	char err[256];
};

/* DIR must be new or an empty directory: a snapshot never mixes with what
 * was there. */
int sink_dir_open(const char *dir, struct sink **out, char *err, size_t errsz);
/* FILE, new, or "-" for standard output; gzip unless FILE ends in ".tar". */
int sink_archive_open(const char *file, struct sink **out, char *err, size_t errsz);
/* Whether -o NAME means an archive: "-", *.tar.gz, *.tgz, *.tar. */
bool sink_is_archive(const char *name);

/* What a snapshot took out and left out, for the user and its own note. */
#define SNAPSHOT_LISTED 8
struct snapshot_summary {
	size_t entries;         /* files, links and directories written */
	size_t redacted_files;  /* files with secret values taken out */
	unsigned redacted;      /* values taken out, in all */
	char redacted_list[SNAPSHOT_LISTED][200]; /* "path (kinds)", the first few */
	size_t marks;           /* files kept empty: only their existence was read */
	char mark_list[SNAPSHOT_LISTED][160];
	size_t unreadable;      /* files check could not read (its problems) */
};

/* The files SUM says had secrets taken out, one a line after INDENT, the
 * first few and how many more: for the user and for the note alike. */
void snapshot_list_redacted(FILE *f, const struct snapshot_summary *sum, const char *indent);

/* Writes what REP's root recorded into SINK, closes SINK, and fills SUM.
 * Returns 0, or -1 with what went wrong in ERR. */
int snapshot_write(const struct report *rep, struct sink *sink, struct snapshot_summary *sum,
		   char *err, size_t errsz);

/* The mode a copy gets: the source's read bits, and the owner's write
 * (and search, for a directory) bits that writing it takes; never wider
 * than the source for anyone else. */
unsigned snapshot_mode(unsigned source, bool dir);

#endif

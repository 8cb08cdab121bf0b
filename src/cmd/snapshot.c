/* latdoc snapshot: run the audit with the root recording, then write what
 * it read (files, links as they are, directories) into a directory or one
 * archive (src/snapshot/), so that `latdoc check --root` of it sees what
 * `latdoc check` saw here. */
#include <stdio.h>
#include <string.h>

#include "../audit/audit.h"
#include "../lib/escape.h"
#include "../snapshot/snapshot.h"
#include "commands.h"

enum { OUTPUT, ROOT };

static const struct opt opts[] = {
	[OUTPUT] = { .name = "output", .short_name = 'o', .type = OPT_STRING, .arg = "DIR|FILE",
		.help = "where to write (required): a new or empty directory; or one archive, a new "
			"FILE.tar.gz (or .tgz, or .tar uncompressed), or - for standard output",
		.complete = COMPLETE_FILE },
	[ROOT] = { .name = "root", .type = OPT_STRING, .arg = "DIR",
		.help = "snapshot a dump (a directory or an archive) instead of this machine",
		.complete = COMPLETE_FILE },
};
const struct opt_table snapshot_options = OPT_TABLE(opts);

/* What was taken out and left out, on standard error: standard output may
 * be the archive. */
static void tell(const char *out, const struct snapshot_summary *sum)
{
	char where[200];
	str_escape(where, sizeof(where), strcmp(out, "-") ? out : "standard output", false);
	fprintf(stderr, "latdoc snapshot: %zu entries written to %s\n", sum->entries + 1, where);
	if (!sum->redacted)
		fprintf(stderr, "latdoc snapshot: redacted: nothing; no secret value in what it read\n");
	else
		fprintf(stderr, "latdoc snapshot: redacted %u secret value%s, each now \"latdoc-redacted\":\n",
			sum->redacted, sum->redacted == 1 ? "" : "s");
	snapshot_list_redacted(stderr, sum, "  ");
	fprintf(stderr, "latdoc snapshot: left out: every file check does not read");
	if (sum->marks)
		fprintf(stderr, "; the contents of %zu file%s only checked for existence (kept empty: "
				"%s%s)",
			sum->marks, sum->marks == 1 ? "" : "s", sum->mark_list[0],
			sum->marks > 1 ? ", ..." : "");
	if (sum->unreadable)
		fprintf(stderr, "; %zu file%s check could not read (check shows which)", sum->unreadable,
			sum->unreadable == 1 ? "" : "s");
	fprintf(stderr, "\nlatdoc snapshot: latdoc-snapshot.txt in the snapshot lists them\n");
}

int cmd_snapshot(const struct opt_result *o)
{
	const char *out = o->v[OUTPUT].set ? o->v[OUTPUT].str : NULL;
	struct audit_options ao = { .root = o->v[ROOT].set ? o->v[ROOT].str : "/", .record = true,
				    .fail_on = SEV_WARNING };
	struct snapshot_summary sum;
	struct report rep;
	struct sink *sink;
	char err[512], where[200];

	if (o->nargs) {
		fprintf(stderr, "latdoc snapshot: unexpected argument '%s'\n", o->args[0]);
		return EXIT_ERROR;
	}
	if (!out) {
		fprintf(stderr, "latdoc snapshot: say where to write it: -o DIR, -o FILE.tar.gz or -o -\n");
		return EXIT_ERROR;
	}
	str_escape(where, sizeof(where), out, false);
	if ((sink_is_archive(out) ? sink_archive_open(out, &sink, err, sizeof(err))
				  : sink_dir_open(out, &sink, err, sizeof(err)))) {
		fprintf(stderr, "latdoc snapshot: cannot write to '%s': %s\n", where, err);
		return EXIT_ERROR;
	}
	if (audit_run(&ao, &rep, err, sizeof(err))) {
		fprintf(stderr, "latdoc snapshot: %s\n", err);
		sink->close(sink, false);
		return EXIT_ERROR;
	}
	int status = EXIT_CLEAN;
	if (snapshot_write(&rep, sink, &sum, err, sizeof(err))) {
		fprintf(stderr, "latdoc snapshot: %s: %s\n", where, err);
		status = EXIT_ERROR;
	} else {
		tell(out, &sum);
	}
	report_free(&rep);
	return status;
}

/* latdoc report [-o FILE.html] [A [B]]: one self-contained HTML page of
 * one machine (live by default), or of two with their diff. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "../diff/diff.h"
#include "../lib/escape.h"
#include "../report/html.h"
#include "commands.h"

enum { OUTPUT, MEASURE };

static const struct opt opts[] = {
	[OUTPUT] = { .name = "output", .short_name = 'o', .type = OPT_STRING, .arg = "FILE",
		.help = "write the page to FILE (default: standard output)", .complete = COMPLETE_FILE },
	[MEASURE] = { .name = "measure", .type = OPT_FLAG,
		.help = "measure the clock and wake-up latency of a side that is live (a few seconds): "
		      "the page then shows their histograms" },
};
const struct opt_table report_options = OPT_TABLE(opts);

int cmd_report(const struct opt_result *o)
{
	struct diff_side sides[2];
	const char *inputs[2] = { "live", NULL };
	size_t n = o->nargs ? (size_t)o->nargs : 1;
	struct diff d = { 0 };
	char err[512];
	int status = EXIT_ERROR;

	if (o->nargs > 2) {
		fprintf(stderr, "latdoc report: at most two inputs (A and B), not %d\n", o->nargs);
		return EXIT_ERROR;
	}
	for (int i = 0; i < o->nargs; i++)
		inputs[i] = o->args[i];
	if (o->v[MEASURE].set && strcmp(inputs[0], "live") && (n < 2 || strcmp(inputs[1], "live"))) {
		fprintf(stderr, "latdoc report: --measure measures this machine: one input must be live\n");
		return EXIT_ERROR;
	}
	if (diff_sides_load(inputs, n, o->v[MEASURE].set, sides, err, sizeof(err))) {
		fprintf(stderr, "latdoc report: %s\n", err);
		return EXIT_ERROR;
	}
	if (n == 2)
		diff_compare(&sides[0], &sides[1], &d);
	FILE *out = stdout;
	const char *file = o->v[OUTPUT].set ? o->v[OUTPUT].str : NULL;
	char where[200];
	if (file) {
		str_escape(where, sizeof(where), file, false);
		int fd = open(file, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0644);
		out = fd < 0 ? NULL : fdopen(fd, "w");
		if (!out) {
			fprintf(stderr, "latdoc report: cannot write '%s': %s\n", where, strerror(errno));
			if (fd >= 0)
				close(fd);
			goto out;
		}
	}
	if (d.out_of_memory || output_html(out, sides, n, n == 2 ? &d : NULL)) {
		fprintf(stderr, "latdoc report: out of memory while writing the page\n");
	} else if (fflush(out) || ferror(out)) {
		fprintf(stderr, "latdoc report: writing the page: %s\n", strerror(errno));
	} else {
		status = EXIT_CLEAN;
		if (file)
			fprintf(stderr, "latdoc report: wrote %s\n", where);
	}
	if (file && fclose(out) && status == EXIT_CLEAN) {
		fprintf(stderr, "latdoc report: writing '%s': %s\n", where, strerror(errno));
		status = EXIT_ERROR;
	}
out:
	diff_free(&d);
	for (size_t i = 0; i < n; i++)
		diff_side_free(&sides[i]);
	return status;
}

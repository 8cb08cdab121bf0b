/* latdoc diff A B: why is this host slower than that one. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "../diff/diff.h"
#include "../diff/render.h"
#include "commands.h"

enum { JSON, MEASURE };

static const struct opt opts[] = {
	[JSON] = { .name = "json", .type = OPT_FLAG,
		.help = "print the differences as JSON" },
	[MEASURE] = { .name = "measure", .type = OPT_FLAG,
		.help = "measure the clock and wake-up latency of a side that is live (a few seconds), "
		      "to compare with the other's measurements" },
};
const struct opt_table diff_options = OPT_TABLE(opts);

int cmd_diff(const struct opt_result *o)
{
	struct diff_side sides[2];
	struct diff d;
	char err[512];

	if (o->nargs != 2) {
		fprintf(stderr, "latdoc diff: give two things to compare (a snapshot, a dump, a saved "
				"check or measure --json report, or live), not %d\n",
			o->nargs);
		return EXIT_ERROR;
	}
	if (o->v[MEASURE].set && strcmp(o->args[0], "live") && strcmp(o->args[1], "live")) {
		fprintf(stderr, "latdoc diff: --measure measures this machine: one side must be live\n");
		return EXIT_ERROR;
	}
	if (diff_sides_load((const char *const *)o->args, 2, o->v[MEASURE].set, sides, err, sizeof(err))) {
		fprintf(stderr, "latdoc diff: %s\n", err);
		return EXIT_ERROR;
	}
	const struct diff_side *a = &sides[0], *b = &sides[1];
	diff_compare(a, b, &d);
	int status = EXIT_ERROR;
	if (d.out_of_memory) {
		fprintf(stderr, "latdoc diff: out of memory\n");
		goto out;
	}
	if (o->v[JSON].set) {
		if (output_diff_json(stdout, a, b, &d)) {
			fprintf(stderr, "latdoc diff: out of memory while writing JSON\n");
			goto out;
		}
	} else {
		output_diff_text(stdout, a, b, &d);
	}
	if (fflush(stdout) || ferror(stdout)) {
		fprintf(stderr, "latdoc diff: writing: %s\n", strerror(errno));
		goto out;
	}
	status = diff_matters(&d) ? EXIT_FINDINGS : EXIT_CLEAN;
out:
	diff_free(&d);
	diff_side_free(&sides[0]);
	diff_side_free(&sides[1]);
	return status;
}

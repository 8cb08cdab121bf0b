/* latdoc fleet: many hosts' reports in, one summary out. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "../fleet/fleet.h"
#include "../fleet/render.h"
#include "commands.h"

enum { JSON, STALE };

static const struct opt opts[] = {
	[JSON] = { .name = "json", .type = OPT_FLAG, .help = "print the summary as JSON" },
	[STALE] = { .name = "stale", .type = OPT_DURATION, .arg = "TIME",
		    .help = "call a report stale when it is older than TIME, 1m to 8784h (default 24h)",
		    .min = 60e9, .max = 8784 * 3600e9 },
};
const struct opt_table fleet_options = OPT_TABLE(opts);

int cmd_fleet(const struct opt_result *o)
{
	struct fleet fl = { .now = time(NULL) };
	char err[512];
	int status = EXIT_ERROR;

	if (!o->nargs) {
		fprintf(stderr, "latdoc fleet: name the directories of reports (DIR...), as the playbook in "
				"contrib/ansible fetches them\n");
		return EXIT_ERROR;
	}
	fl.stale_after_s = o->v[STALE].set ? o->v[STALE].num / 1000000000LL : 86400;
	if (fleet_load(&fl, o->args, (size_t)o->nargs, err, sizeof(err))) {
		fprintf(stderr, "latdoc fleet: %s\n", err);
		goto out;
	}
	if (fleet_summarise(&fl)) {
		fprintf(stderr, "latdoc fleet: out of memory while summarising\n");
		goto out;
	}
	if (o->v[JSON].set) {
		if (output_fleet_json(stdout, &fl)) {
			fprintf(stderr, "latdoc fleet: out of memory while writing JSON\n");
			goto out;
		}
	} else {
		output_fleet_text(stdout, &fl);
	}
	if (fflush(stdout) || ferror(stdout)) {
		fprintf(stderr, "latdoc fleet: writing the summary: %s\n", strerror(errno));
		goto out;
	}
	/* as check: 1 when some host needs looking at */
	status = fl.nfailed || fl.nstale ? EXIT_FINDINGS : EXIT_CLEAN;
out:
	fleet_free(&fl);
	return status;
}

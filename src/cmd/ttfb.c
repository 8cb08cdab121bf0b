/* latdoc ttfb URL: HTTP time to first byte, phase by phase. */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "../net/ttfb.h"
#include "../output/net_report.h"
#include "../parse/text.h"
#include "commands.h"

enum { COUNT, RATE, REUSE, TIMEOUT, JSON };

static const struct opt opts[] = {
	[COUNT] = { .name = "count", .type = OPT_INT, .arg = "N",
		.help = "requests (default 20)", .min = 1, .max = 1000000 },
	[RATE] = { .name = "rate", .type = OPT_NUMBER, .arg = "R",
		.help = "R requests a second on a fixed schedule, each timed from when it was due; default "
		   "one after another", .min = 0.001, .max = 100000 },
	[REUSE] = { .name = "reuse", .type = OPT_FLAG,
		.help = "keep the connection; default a new one (and DNS) each time" },
	[TIMEOUT] = { .name = "timeout", .type = OPT_DURATION, .arg = "TIME",
		.help = "per request, 1ms to 10m (default 10s)", .min = 1e6, .max = 600e9 },
	[JSON] = { .name = "json", .type = OPT_FLAG,
		.help = "print the result as JSON" },
};
const struct opt_table ttfb_options = OPT_TABLE(opts);

int cmd_ttfb(const struct opt_result *opt)
{
	struct ttfb_options o = { .count = 20, .timeout_s = 10 };
	bool json = opt->v[JSON].set;
	char err[256];

	if (opt->v[COUNT].set)
		o.count = (long)opt->v[COUNT].num;
	if (opt->v[RATE].set)
		o.rate = opt->v[RATE].real;
	o.reuse = opt->v[REUSE].set;
	if (opt->v[TIMEOUT].set)
		o.timeout_s = (double)opt->v[TIMEOUT].num / 1e9;
	if (opt->nargs != 1) {
		fprintf(stderr, "latdoc ttfb: give one URL\n");
		return EXIT_ERROR;
	}
	o.url = opt->args[0];
	o.live = !json && isatty(STDERR_FILENO);
	struct ttfb_result r;
	if (ttfb_run(&o, &r, err, sizeof(err))) {
		fprintf(stderr, "latdoc ttfb: %s\n", err);
		return EXIT_ERROR;
	}
	if (json ? output_ttfb_json(stdout, &r) : (output_ttfb_text(stdout, &r), 0))
		return EXIT_ERROR;
	/* requests that failed are an answer worth a status */
	return r.ok == r.count ? EXIT_CLEAN : EXIT_FINDINGS;
}

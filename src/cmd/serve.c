/* latdoc serve: the audit as Prometheus metrics, over HTTP. */
#include <stdio.h>
#include <string.h>

#include "../serve/serve.h"
#include "commands.h"

enum { LISTEN, ROOT, INTERVAL, MEASURE_EVERY, ONCE };

#define S 1e9

static const struct opt opts[] = {
	[LISTEN] = { .name = "listen", .type = OPT_STRING, .arg = "ADDR:PORT",
		     .help = "where to answer scrapes: ADDR:PORT, [V6]:PORT, or :PORT for every address "
			     "(default :" SERVE_PORT ")" },
	[ROOT] = { .name = "root", .type = OPT_STRING, .arg = "DIR",
		   .help = "audit the machine dumped in DIR (default /)", .complete = COMPLETE_DIR },
	[INTERVAL] = { .name = "interval", .type = OPT_DURATION, .arg = "TIME",
		       .help = "audit every TIME, 100ms to 24h (default 60s); a scrape gets the last audit",
		       .min = 0.1 * S, .max = 86400 * S },
	[MEASURE_EVERY] = { .name = "measure-every", .type = OPT_DURATION, .arg = "TIME",
			    .help = "also measure the clock and wake-up latency here every TIME, 1s to 24h, "
				    "and never more than 1% of one CPU over time (default never)",
			    .min = 1 * S, .max = 86400 * S },
	[ONCE] = { .name = "once", .type = OPT_FLAG,
		   .help = "audit once, print the metrics in Prometheus's text format and exit (for "
			   "node_exporter's textfile collector, or a look)" },
};
const struct opt_table serve_options = OPT_TABLE(opts);

int cmd_serve(const struct opt_result *o)
{
	struct serve_options so = {
		.listen = o->v[LISTEN].set ? o->v[LISTEN].str : NULL,
		.root = o->v[ROOT].set ? o->v[ROOT].str : "/",
		.interval_ns = o->v[INTERVAL].set ? o->v[INTERVAL].num : 60 * (long long)S,
		.measure_every_ns = o->v[MEASURE_EVERY].set ? o->v[MEASURE_EVERY].num : 0,
		.once = o->v[ONCE].set,
	};
	char err[512];

	if (o->nargs) {
		fprintf(stderr, "latdoc serve: unexpected argument '%s' (a dump is given with --root)\n",
			o->args[0]);
		return EXIT_ERROR;
	}
	if (so.measure_every_ns && strcmp(so.root, "/")) {
		fprintf(stderr, "latdoc serve: --measure-every measures this machine; it cannot be used "
				"with --root of another\n");
		return EXIT_ERROR;
	}
	if (serve_run(&so, err, sizeof(err))) {
		fprintf(stderr, "latdoc serve: %s\n", err);
		return EXIT_ERROR;
	}
	return EXIT_CLEAN;
}

/* latdoc measure freq|wake: what the configuration costs on this machine,
 * now. */
#include <errno.h>
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../facts/facts.h"
#include "../measure/measure.h"
#include "../output/json_util.h"
#include "../output/output.h"
#include "../parse/text.h"
#include "../root/root.h"
#include "commands.h"

static int print_json(const struct facts *f, const struct freq_result *freq,
		      const struct wake_result *wake)
{
	json_object *o = json_document(f, "/");
	json_add(o, "measurements", json_measurements(freq, wake));
	return json_write(stdout, o);
}

/* --cpus LIST: online CPUs only. */
static int parse_cpus(const char *list, const struct facts *f, struct cpuset *out)
{
	if (cpuset_parse(out, list) || !cpuset_count(out)) {
		fprintf(stderr, "latdoc measure: --cpus takes a CPU list like 0-3,8, not '%s'\n", list);
		return -1;
	}
	for (int cpu = 0; cpu < out->size; cpu++)
		if (cpuset_has(out, cpu) && !cpuset_has(&f->online, cpu)) {
			fprintf(stderr, "latdoc measure: cpu %d is not online here\n", cpu);
			return -1;
		}
	return 0;
}

enum { CPUS, DURATION, INTERVAL, JSON };

static const struct opt opts[] = {
	[CPUS] = { .name = "cpus", .type = OPT_STRING, .arg = "LIST",
		.help = "CPUs to measure (default: the online ones, at most 8)" },
	[DURATION] = { .name = "duration", .type = OPT_DURATION, .arg = "TIME",
		.help = "wake: the whole measurement, 1s to 10m (default 12s), shared by the timer and "
		      "each CPU pair, each in blocks that alternate between C-states allowed and held off",
		.min = 1e9, .max = 600e9 },
	[INTERVAL] = { .name = "interval", .type = OPT_DURATION, .arg = "TIME",
		.help = "wake: the timer period, 50us to 10ms (default 1ms); a block needs ten wake-ups "
		      "at least", .min = 50e3, .max = 10e6 },
	[JSON] = { .name = "json", .type = OPT_FLAG, .help = "print the measurements as JSON" },
};
const struct opt_table measure_options = OPT_TABLE(opts);

/* "timer and cpu 0 -> 1 (2 sleepers)" */
static void announce(const struct wake_plan *p, const struct wake_options *o)
{
	fprintf(stderr, "latdoc measure wake: %d probe%s in %d blocks of %.2f s, alternating C-states allowed "
			"and held off: about %.0f s%s. Ctrl-C stops and prints what was measured.\n",
		p->probes, p->probes == 1 ? "" : "s", p->blocks, p->block_s, p->total_s,
		p->total_s > o->duration_s * 1.05 ? " (more than --duration: each probe takes eight blocks at least)"
						   : "");
}

int cmd_measure(const struct opt_result *o)
{
	struct wake_options wo = { .duration_s = 12, .interval_us = 1000, .fifo_pairs = true };
	struct freq_options fo = { .ramp_trials = FREQ_RAMP_TRIALS };
	const char *cpus_arg = o->v[CPUS].set ? o->v[CPUS].str : NULL;
	bool json = o->v[JSON].set;

	if (o->v[DURATION].set)
		wo.duration_s = (double)o->v[DURATION].num / 1e9;
	if (o->v[INTERVAL].set)
		wo.interval_us = (long)(o->v[INTERVAL].num / 1000);
	const char *what = o->nargs ? o->args[0] : NULL;
	if (!what || (strcmp(what, "freq") && strcmp(what, "wake"))) {
		fprintf(stderr, "latdoc measure: say what to measure: freq or wake%s%s%s\n",
			what ? " (not '" : "", what ? what : "", what ? "')" : "");
		return EXIT_ERROR;
	}
	if (o->nargs > 1) {
		fprintf(stderr, "latdoc measure: unexpected argument '%s'\n", o->args[1]);
		return EXIT_ERROR;
	}
	if (!strcmp(what, "freq") && (o->v[DURATION].set || o->v[INTERVAL].set)) {
		fprintf(stderr, "latdoc measure: --duration and --interval apply to wake only\n");
		return EXIT_ERROR;
	}

	const char *why;
	struct root *r = root_open("/", &why);
	if (!r) {
		fprintf(stderr, "latdoc measure: cannot read /: %s\n", why);
		return EXIT_ERROR;
	}
	struct facts f;
	struct cpuset cpus = { 0 };
	struct freq_result freq;
	struct wake_result wake;
	bool have_freq = false, have_wake = false, interrupted = false;
	int status = EXIT_ERROR, err = facts_collect(r, &f);
	if (err) {
		fprintf(stderr, "latdoc measure: reading this machine: %s\n", strerror(-err));
		goto out;
	}
	if (cpus_arg ? parse_cpus(cpus_arg, &f, &cpus) : measure_default_cpus(&f, &cpus))
		goto out;
	probe_catch_interrupt();
	if (!strcmp(what, "freq")) {
		err = measure_freq(r, &f, &cpus, &fo, &freq);
		have_freq = !err;
		interrupted = have_freq && freq.interrupted;
	} else {
		struct wake_plan plan;
		wake_plan(&f, &cpus, &wo, &plan);
		announce(&plan, &wo);
		err = measure_wake(r, &f, &cpus, &wo, &wake);
		have_wake = !err;
		interrupted = have_wake && wake.interrupted;
	}
	if (err) {
		fprintf(stderr, "latdoc measure: %s\n", strerror(-err));
		goto out;
	}
	if (json) {
		if (print_json(&f, have_freq ? &freq : NULL, have_wake ? &wake : NULL)) {
			fprintf(stderr, "latdoc measure: out of memory while writing JSON\n");
			goto out;
		}
	} else if (have_freq) {
		output_freq_text(stdout, &freq);
	} else {
		output_wake_text(stdout, &wake);
	}
	status = fflush(stdout) ? EXIT_ERROR : interrupted ? EXIT_INTERRUPTED : EXIT_CLEAN;
out:
	if (have_freq)
		freq_result_free(&freq);
	if (have_wake)
		wake_result_free(&wake);
	cpuset_clear(&cpus);
	facts_free(&f);
	root_close(r);
	return status;
}

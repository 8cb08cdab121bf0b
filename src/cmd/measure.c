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
#include "../version.h"
#include "commands.h"
#include "options.h"

static int print_json(const struct facts *f, const struct freq_result *freq,
		      const struct wake_result *wake)
{
	json_object *o = json_object_new_object(), *host = json_object_new_object();
	if (!o || !host)
		return -1;
	json_add(o, "schema", json_object_new_int(JSON_SCHEMA));
	json_add(o, "version", json_object_new_string(LATDOC_VERSION));
	json_add(host, "hostname", json_str_or_null(f->hostname));
	json_add(host, "kernel", json_str_or_null(f->kernel));
	json_add(o, "host", host);
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

int cmd_measure(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "cpus", required_argument, NULL, 'c' },     { "duration", required_argument, NULL, 'd' },
		{ "interval", required_argument, NULL, 'i' }, { "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct wake_options wo = { .duration_s = 0.5, .interval_us = 1000, .fifo_pairs = true };
	const char *cpus_arg = NULL;
	bool json = false, wake_only = false; /* wake_only: an option only wake takes */
	int c;

	while ((c = next_option("measure", argc, argv, "h", longopts)) != -1) {
		switch (c) {
		case 'c':
			cpus_arg = optarg;
			break;
		case 'd':
			if (parse_double(optarg, &wo.duration_s) || wo.duration_s < 0.05 || wo.duration_s > 60) {
				fprintf(stderr, "latdoc measure: --duration takes seconds from 0.05 to 60, "
						"not '%s'\n", optarg);
				return EXIT_ERROR;
			}
			wake_only = true;
			break;
		case 'i':
			if (parse_long(optarg, &wo.interval_us) || wo.interval_us < 50 ||
			    wo.interval_us > 1000000) {
				fprintf(stderr, "latdoc measure: --interval takes microseconds from 50 to "
						"1000000, not '%s'\n", optarg);
				return EXIT_ERROR;
			}
			wake_only = true;
			break;
		case 'j':
			json = true;
			break;
		case 'h':
			command_usage(stdout, command_find("measure"));
			return EXIT_CLEAN;
		default:
			return EXIT_ERROR;
		}
	}
	const char *what = optind < argc ? argv[optind] : NULL;
	if (!what || (strcmp(what, "freq") && strcmp(what, "wake"))) {
		fprintf(stderr, "latdoc measure: say what to measure: freq or wake%s%s%s\n",
			what ? " (not '" : "", what ? what : "", what ? "')" : "");
		return EXIT_ERROR;
	}
	if (optind + 1 < argc) {
		fprintf(stderr, "latdoc measure: unexpected argument '%s'\n", argv[optind + 1]);
		return EXIT_ERROR;
	}
	if (!strcmp(what, "freq") && wake_only) {
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
	bool have_freq = false, have_wake = false;
	int status = EXIT_ERROR, err = facts_collect(r, &f);
	if (err) {
		fprintf(stderr, "latdoc measure: reading this machine: %s\n", strerror(-err));
		goto out;
	}
	if (cpus_arg ? parse_cpus(cpus_arg, &f, &cpus) : measure_default_cpus(&f, &cpus))
		goto out;
	if (!strcmp(what, "freq")) {
		err = measure_freq(&f, &cpus, &freq);
		have_freq = !err;
	} else {
		err = measure_wake(r, &f, &cpus, &wo, &wake);
		have_wake = !err;
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
	status = fflush(stdout) ? EXIT_ERROR : EXIT_CLEAN;
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

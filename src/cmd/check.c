/* latdoc check: read the root, apply the rules, print the findings. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../facts/facts.h"
#include "../measure/measure.h"
#include "../output/output.h"
#include "../root/root.h"
#include "../rules/rules.h"
#include "commands.h"
#include "options.h"

static int list_checks(void)
{
	for (size_t i = 0; i < rules_count; i++)
		printf("%-20s %s\n", rules[i].id, rules[i].summary);
	return EXIT_CLEAN;
}

static bool only_matches_a_rule(const char *only)
{
	for (size_t i = 0; i < rules_count; i++)
		if (!strncmp(rules[i].id, only, strlen(only)))
			return true;
	return false;
}

static bool want_color(const char *when)
{
	if (!strcmp(when, "always"))
		return true;
	if (!strcmp(when, "never"))
		return false;
	const char *no = getenv("NO_COLOR");
	return isatty(STDOUT_FILENO) && !(no && *no);
}

int cmd_check(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "root", required_argument, NULL, 'r' },   { "json", no_argument, NULL, 'j' },
		{ "fail-on", required_argument, NULL, 'f' }, { "only", required_argument, NULL, 'o' },
		{ "list-checks", no_argument, NULL, 'l' },  { "color", required_argument, NULL, 'c' },
		{ "connect", required_argument, NULL, 'C' }, { "measure", no_argument, NULL, 'm' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *root_dir = "/", *only = NULL, *color = "auto", *connect = NULL;
	enum severity fail_on = SEV_WARNING;
	bool json = false, measure = false;
	int c;

	while ((c = next_option("check", argc, argv, "h", longopts)) != -1) {
		switch (c) {
		case 'r':
			root_dir = optarg;
			break;
		case 'j':
			json = true;
			break;
		case 'f':
			if (severity_parse(optarg, &fail_on)) {
				fprintf(stderr, "latdoc check: --fail-on takes critical, warning or info, "
						"not '%s'\n", optarg);
				return EXIT_ERROR;
			}
			break;
		case 'o':
			only = optarg;
			break;
		case 'C':
			connect = optarg;
			break;
		case 'm':
			measure = true;
			break;
		case 'l':
			return list_checks();
		case 'c':
			if (strcmp(optarg, "auto") && strcmp(optarg, "always") && strcmp(optarg, "never")) {
				fprintf(stderr, "latdoc check: --color takes auto, always or never, not '%s'\n",
					optarg);
				return EXIT_ERROR;
			}
			color = optarg;
			break;
		case 'h':
			command_usage(stdout, command_find("check"));
			return EXIT_CLEAN;
		default:
			return EXIT_ERROR;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "latdoc check: unexpected argument '%s' (a dump is given with --root)\n",
			argv[optind]);
		return EXIT_ERROR;
	}
	if (only && !only_matches_a_rule(only)) {
		fprintf(stderr, "latdoc check: no check id starts with '%s'; --list-checks shows them\n",
			only);
		return EXIT_ERROR;
	}

	const char *why;
	struct root *r = root_open(root_dir, &why);
	if (!r) {
		fprintf(stderr, "latdoc check: cannot use '%s' as the root: %s\n", root_dir, why);
		return EXIT_ERROR;
	}
	if (measure && !root_is_live(r)) {
		fprintf(stderr, "latdoc check: --measure measures this machine; it cannot be used with "
				"--root of another\n");
		root_close(r);
		return EXIT_ERROR;
	}
	struct facts f;
	struct findings fs = { 0 };
	struct freq_result freq;
	struct wake_result wake;
	bool have_freq = false, have_wake = false;
	int status = EXIT_ERROR;
	int err = facts_collect(r, &f);
	if (err) {
		fprintf(stderr, "latdoc check: reading %s: %s\n", root_dir, strerror(-err));
		goto out;
	}
	/* libvirt knows domains whose files latdoc may not read; on the live
	 * machine it is asked by default, for a dump only when told */
	const char *uri = connect ? connect : f.live && f.platform.kvm_host ? "qemu:///system" : NULL;
	if (uri && collect_vm_libvirt(&f, uri, connect != NULL)) {
		fprintf(stderr, "latdoc check: out of memory while reading libvirt's domains\n");
		goto out;
	}
	rules_run(&f, &fs, only);
	if (fs.out_of_memory) {
		fprintf(stderr, "latdoc check: out of memory while building the findings\n");
		goto out;
	}
	if (measure) {
		/* short runs: a clock per CPU and one wake-up pair, a few seconds */
		struct wake_options wo = { .duration_s = 0.3, .interval_us = 1000 };
		struct cpuset cpus = { 0 };
		err = measure_default_cpus(&f, &cpus);
		if (!err && !(err = measure_freq(&f, &cpus, &freq)))
			have_freq = true;
		if (!err && !(err = measure_wake(r, &f, &cpus, &wo, &wake)))
			have_wake = true;
		cpuset_clear(&cpus);
		if (err) {
			fprintf(stderr, "latdoc check: measuring: %s\n", strerror(-err));
			goto out;
		}
		measure_evidence(&freq, &wake, &fs);
	}
	struct report rep = { .facts = &f, .findings = &fs, .root = root_dir, .fail_on = fail_on,
			      .freq = have_freq ? &freq : NULL, .wake = have_wake ? &wake : NULL };
	if (json) {
		if (output_json(stdout, &rep)) {
			fprintf(stderr, "latdoc check: out of memory while writing JSON\n");
			goto out;
		}
	} else {
		output_text(stdout, &rep, want_color(color));
	}
	if (fflush(stdout) || ferror(stdout)) {
		fprintf(stderr, "latdoc check: writing the report: %s\n", strerror(errno));
		goto out;
	}
	status = findings_worst(&fs) >= (int)fail_on ? EXIT_FINDINGS : EXIT_CLEAN;
out:
	if (have_freq)
		freq_result_free(&freq);
	if (have_wake)
		wake_result_free(&wake);
	findings_free(&fs);
	facts_free(&f);
	root_close(r);
	return status;
}

/* latdoc: find, prove and fix what makes a Linux server answer slowly. */
#include <stdio.h>
#include <string.h>

#include "cmd/commands.h"

static const struct opt none[] = { { .name = NULL } };
/* a table of no options: count 0, so the sentinel above is never read */
const struct opt_table no_options = { none, 0 };

const struct command commands[] = {
	{ "check", cmd_check, "audit CPU power, idle states, memory, KVM VMs and a guest's hardware",
	  "", NULL, COMPLETE_NONE, &check_options },
	{ "measure", cmd_measure, "measure the real clock (freq) or wake-up latency (wake)",
	  "freq|wake", "freq wake", COMPLETE_NONE, &measure_options },
	{ "rtt", cmd_rtt, "round-trip latency to a latdoc rtt --serve, with percentiles",
	  "HOST[:PORT] | --serve", NULL, COMPLETE_HOST, &rtt_options },
	{ "ttfb", cmd_ttfb, "HTTP time to first byte, by phase, with percentiles", "URL", NULL,
	  COMPLETE_NONE, &ttfb_options },
	{ "tune", cmd_tune, "the fixes as a plan; --apply and --persist make them, through a journal",
	  "", NULL, COMPLETE_NONE, &tune_options },
	{ "revert", cmd_revert, "undo a tune run exactly; values changed since are refused",
	  "[JOURNAL | --last]", NULL, COMPLETE_NONE, &revert_options },
	{ "hold", cmd_hold, "hold a PM QoS CPU latency limit until SIGTERM (for a systemd unit)", "",
	  NULL, COMPLETE_NONE, &hold_options },
	{ "snapshot", cmd_snapshot, "copy every file check reads into a directory or one archive", "",
	  NULL, COMPLETE_NONE, &snapshot_options },
	{ "diff", cmd_diff, "what differs that matters for latency between two machines, most costly first",
	  "A B", "live", COMPLETE_FILE, &diff_options },
	{ "report", cmd_report, "one self-contained HTML page: findings, charts, and a diff of two", "[A [B]]",
	  "live", COMPLETE_FILE, &report_options },
	{ "serve", cmd_serve, "a Prometheus exporter: the audit, and measurements, as metrics", "", NULL,
	  COMPLETE_NONE, &serve_options },
	{ "fleet", cmd_fleet, "summarise many hosts' check --json reports: findings, outliers, stale",
	  "DIR...", NULL, COMPLETE_DIR, &fleet_options },
	{ "help", cmd_help, "show the commands, or one command's options", "[COMMAND]", NULL,
	  COMPLETE_NONE, &no_options },
	{ "version", cmd_version, "print the version", "", NULL, COMPLETE_NONE, &no_options },
	{ "completion", cmd_completion, "print the bash or zsh completion script", "bash|zsh",
	  "bash zsh", COMPLETE_NONE, &no_options },
};
const size_t commands_count = sizeof(commands) / sizeof(commands[0]);

const struct command *command_find(const char *name)
{
	for (size_t i = 0; i < commands_count; i++)
		if (!strcmp(commands[i].name, name))
			return &commands[i];
	return NULL;
}

void command_usage(FILE *out, const struct command *c)
{
	fprintf(out, "usage: latdoc %s%s%s%s\n%s\n", c->name, c->options->count ? " [options]" : "",
		*c->operands ? " " : "", c->operands, c->summary);
	fputc('\n', out);
	opts_print_help(out, c->options);
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		struct opt_result none_given = { 0 };
		cmd_help(&none_given);
		return EXIT_ERROR;
	}
	const char *name = argv[1];
	struct opt_result o = { 0 };
	if (!strcmp(name, "--help") || !strcmp(name, "-h"))
		return cmd_help(&o);
	if (!strcmp(name, "--version") || !strcmp(name, "-V"))
		return cmd_version(&o);
	const struct command *c = command_find(name);
	if (!c) {
		fprintf(stderr, "latdoc: '%s' is not a command; 'latdoc help' lists them\n", argv[1]);
		return EXIT_ERROR;
	}
	if (opts_parse(c->name, c->options, argc - 1, argv + 1, &o))
		return EXIT_ERROR;
	if (o.help) {
		command_usage(stdout, c);
		return EXIT_CLEAN;
	}
	return c->run(&o);
}

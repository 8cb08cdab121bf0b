/* One table of commands, each a function in its own file (git's way), each
 * with its table of options. main() parses a command's options by its
 * table and hands the command the result. */
#ifndef LATDOC_COMMANDS_H
#define LATDOC_COMMANDS_H

#include <stdio.h>

#include "options.h"

struct command {
	const char *name;
	int (*run)(const struct opt_result *o);
	const char *summary;
	const char *operands;       /* the synopsis after the options: "freq|wake" */
	const char *operand_words;  /* the words an operand may be, for completion */
	enum opt_complete operand_complete;
	const struct opt_table *options;
};

extern const struct command commands[];
extern const size_t commands_count;

/* Each command's options, beside its function in its own file. */
extern const struct opt_table check_options, snapshot_options, measure_options, rtt_options,
	ttfb_options, tune_options, revert_options, hold_options, serve_options, fleet_options,
	diff_options, report_options, no_options;

int cmd_check(const struct opt_result *o);
int cmd_snapshot(const struct opt_result *o);
int cmd_diff(const struct opt_result *o);
int cmd_report(const struct opt_result *o);
int cmd_measure(const struct opt_result *o);
int cmd_rtt(const struct opt_result *o);
int cmd_ttfb(const struct opt_result *o);
int cmd_tune(const struct opt_result *o);
int cmd_revert(const struct opt_result *o);
int cmd_hold(const struct opt_result *o);
int cmd_serve(const struct opt_result *o);
int cmd_fleet(const struct opt_result *o);
int cmd_help(const struct opt_result *o);
int cmd_version(const struct opt_result *o);
int cmd_completion(const struct opt_result *o);

const struct command *command_find(const char *name);
/* "usage: latdoc check [options] ...", the summary and every option. */
void command_usage(FILE *out, const struct command *c);

/* Exit statuses shared by every command. */
enum { EXIT_CLEAN = 0, EXIT_FINDINGS = 1, EXIT_ERROR = 2 };

#endif

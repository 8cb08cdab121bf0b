/* One table of commands, each a function in its own file (git's way). */
#ifndef LATDOC_COMMANDS_H
#define LATDOC_COMMANDS_H

#include <stdio.h>

struct command {
	const char *name;
	int (*run)(int argc, char **argv);
	const char *summary;
	const char *usage; /* the options, one per line */
};

extern const struct command commands[];
extern const size_t commands_count;

int cmd_check(int argc, char **argv);
int cmd_snapshot(int argc, char **argv);
int cmd_measure(int argc, char **argv);
int cmd_rtt(int argc, char **argv);
int cmd_ttfb(int argc, char **argv);
int cmd_help(int argc, char **argv);
int cmd_version(int argc, char **argv);

const struct command *command_find(const char *name);
void command_usage(FILE *out, const struct command *c);

/* Exit statuses shared by every command. */
enum { EXIT_CLEAN = 0, EXIT_FINDINGS = 1, EXIT_ERROR = 2 };

#endif

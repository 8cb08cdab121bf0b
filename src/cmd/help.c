/* latdoc help [COMMAND], latdoc version. */
#include <stdio.h>

#include "commands.h"
#include "version.h"

int cmd_help(const struct opt_result *o)
{
	if (o->nargs > 1) {
		fprintf(stderr, "latdoc help: one command at a time\n");
		return EXIT_ERROR;
	}
	if (o->nargs == 1) {
		const struct command *c = command_find(o->args[0]);
		if (!c) {
			fprintf(stderr, "latdoc help: '%s' is not a command; 'latdoc help' lists them\n",
				o->args[0]);
			return EXIT_ERROR;
		}
		command_usage(stdout, c);
		return EXIT_CLEAN;
	}
	printf("usage: latdoc COMMAND [options]\n\n"
	       "Finds what makes this machine answer slower than it should.\n\n"
	       "Commands:\n");
	for (size_t i = 0; i < commands_count; i++)
		printf("  %-10s %s\n", commands[i].name, commands[i].summary);
	printf("\n'latdoc help COMMAND' shows a command's options; man latdoc has the rest.\n");
	return EXIT_CLEAN;
}

int cmd_version(const struct opt_result *o)
{
	if (o->nargs) {
		fprintf(stderr, "latdoc version: unexpected argument '%s'\n", o->args[0]);
		return EXIT_ERROR;
	}
	printf("latdoc %s\n", LATDOC_VERSION);
	return EXIT_CLEAN;
}

#include <stdio.h>

#include "commands.h"
#include "version.h"

int cmd_help(int argc, char **argv)
{
	if (argc > 1) {
		const struct command *c = command_find(argv[1]);
		if (!c) {
			fprintf(stderr, "latdoc help: '%s' is not a command\n", argv[1]);
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

int cmd_version(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	printf("latdoc %s\n", LATDOC_VERSION);
	return EXIT_CLEAN;
}

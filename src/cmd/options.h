/* Option parsing shared by the commands: getopt_long with latdoc's own
 * error messages. */
#ifndef LATDOC_OPTIONS_H
#define LATDOC_OPTIONS_H

#include <getopt.h>

/* Returns the next option as getopt_long does; on an unknown option or a
 * missing argument prints what was wrong and returns '?'. */
int next_option(const char *cmd, int argc, char **argv, const char *shortopts,
		const struct option *longopts);

#endif

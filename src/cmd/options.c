#include "options.h"

#include <stdio.h>
#include <string.h>

int next_option(const char *cmd, int argc, char **argv, const char *shortopts,
		const struct option *longopts)
{
	opterr = 0;
	int prev = optind;
	int c = getopt_long(argc, argv, shortopts, longopts, NULL);
	if (c != '?' && c != ':')
		return c;
	/* getopt has stepped past the bad element, and over any command word
	 * before it ("measure wake --bogus"): the element is the one before */
	const char *arg = optind > prev && optind - 1 < argc ? argv[optind - 1]
			  : prev < argc				 ? argv[prev]
								 : "";
	if (optopt && strchr(shortopts, optopt) && strchr(shortopts, optopt)[1] == ':')
		fprintf(stderr, "latdoc %s: option '-%c' needs a value\n", cmd, optopt);
	else if (c == ':' || (optopt && strncmp(arg, "--", 2)))
		fprintf(stderr, "latdoc %s: unknown option '-%c'\n", cmd, optopt);
	else
		fprintf(stderr, "latdoc %s: unknown option or missing value: '%s'\n", cmd, arg);
	fprintf(stderr, "'latdoc help %s' lists the options\n", cmd);
	return '?';
}

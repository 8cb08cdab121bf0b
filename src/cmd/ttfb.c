/* latdoc ttfb URL: HTTP time to first byte, phase by phase. */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "../net/ttfb.h"
#include "../output/net_report.h"
#include "../parse/text.h"
#include "commands.h"
#include "options.h"

int cmd_ttfb(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "count", required_argument, NULL, 'c' }, { "rate", required_argument, NULL, 'r' },
		{ "reuse", no_argument, NULL, 'u' },	   { "timeout", required_argument, NULL, 't' },
		{ "json", no_argument, NULL, 'j' },	   { "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct ttfb_options o = { .count = 20, .timeout_s = 10 };
	bool json = false;
	char err[256];
	int c;

	while ((c = next_option("ttfb", argc, argv, "h", longopts)) != -1) {
		switch (c) {
		case 'c':
			if (parse_long(optarg, &o.count) || o.count < 1 || o.count > 1000000) {
				fprintf(stderr, "latdoc ttfb: --count takes 1 to 1000000, not '%s'\n", optarg);
				return EXIT_ERROR;
			}
			break;
		case 'r':
			if (parse_double(optarg, &o.rate) || o.rate <= 0 || o.rate > 100000) {
				fprintf(stderr, "latdoc ttfb: --rate takes requests per second, more than 0, not '%s'\n",
					optarg);
				return EXIT_ERROR;
			}
			break;
		case 'u':
			o.reuse = true;
			break;
		case 't':
			if (parse_double(optarg, &o.timeout_s) || o.timeout_s < 0.001 || o.timeout_s > 600) {
				fprintf(stderr, "latdoc ttfb: --timeout takes seconds, 0.001 to 600, not '%s'\n", optarg);
				return EXIT_ERROR;
			}
			break;
		case 'j':
			json = true;
			break;
		case 'h':
			command_usage(stdout, command_find("ttfb"));
			return EXIT_CLEAN;
		default:
			return EXIT_ERROR;
		}
	}
	if (optind + 1 != argc) {
		fprintf(stderr, "latdoc ttfb: give one URL\n");
		return EXIT_ERROR;
	}
	o.url = argv[optind];
	o.live = !json && isatty(STDERR_FILENO);
	struct ttfb_result r;
	if (ttfb_run(&o, &r, err, sizeof(err))) {
		fprintf(stderr, "latdoc ttfb: %s\n", err);
		return EXIT_ERROR;
	}
	if (json ? output_ttfb_json(stdout, &r) : (output_ttfb_text(stdout, &r), 0))
		return EXIT_ERROR;
	/* requests that failed are an answer worth a status */
	return r.ok == r.count ? EXIT_CLEAN : EXIT_FINDINGS;
}

/* latdoc rtt HOST | latdoc rtt --serve: round trips with percentiles. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../net/addr.h"
#include "../net/rtt.h"
#include "../output/net_report.h"
#include "../parse/text.h"
#include "commands.h"
#include "options.h"

static int serve(struct rtt_server_options *o)
{
	struct rtt_server_stats st;
	char err[256];

	if (!o->quiet)
		fprintf(stderr, "latdoc rtt: serving UDP and TCP on %s%s, replies held %ld us, %ld probes/s per source\n",
			o->listen, o->key.len ? ", authenticated probes only" : "", o->delay_us, o->rate_pps);
	if (rtt_serve(o, &st, err, sizeof(err))) {
		fprintf(stderr, "latdoc rtt: %s\n", err);
		return EXIT_ERROR;
	}
	if (!o->quiet) {
		fprintf(stderr, "latdoc rtt: answered %llu; refused:", (unsigned long long)st.answered);
		for (int v = PACKET_SHORT; v <= PACKET_MAC_BAD; v++)
			fprintf(stderr, " %s %llu,", packet_verdict_name(v), (unsigned long long)st.refused[v]);
		fprintf(stderr, " replies %llu, replayed %llu, over the rate %llu, queue full %llu\n",
			(unsigned long long)st.not_request, (unsigned long long)st.replayed,
			(unsigned long long)st.rate_limited, (unsigned long long)st.dropped_queue);
	}
	return EXIT_CLEAN;
}

int cmd_rtt(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "serve", no_argument, NULL, 'S' },	       { "listen", required_argument, NULL, 'l' },
		{ "key", required_argument, NULL, 'k' },       { "delay-us", required_argument, NULL, 'D' },
		{ "rate-limit", required_argument, NULL, 'R' }, { "count", required_argument, NULL, 'c' },
		{ "duration", required_argument, NULL, 'd' },  { "interval", required_argument, NULL, 'i' },
		{ "size", required_argument, NULL, 's' },      { "timeout", required_argument, NULL, 't' },
		{ "tcp", no_argument, NULL, 'T' },	       { "json", no_argument, NULL, 'j' },
		{ "quiet", no_argument, NULL, 'q' },	       { "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct rtt_server_options so = { .listen = ":" RTT_PORT, .rate_pps = 100000 };
	struct rtt_client_options co = { .size = 64, .timeout_s = 1.0 };
	bool server = false, json = false, client_only = false, server_only = false;
	char err[256];
	long v;
	int c;

	while ((c = next_option("rtt", argc, argv, "h", longopts)) != -1) {
		switch (c) {
		case 'S':
			server = true;
			break;
		case 'l':
			so.listen = optarg;
			server_only = true;
			break;
		case 'k':
			if (key_load(optarg, &so.key, err, sizeof(err))) {
				fprintf(stderr, "latdoc rtt: --key %s\n", err);
				return EXIT_ERROR;
			}
			co.key = so.key;
			break;
		case 'D':
			if (parse_long(optarg, &so.delay_us) || so.delay_us < 0 || so.delay_us > 10000000) {
				fprintf(stderr, "latdoc rtt: --delay-us takes 0 to 10000000, not '%s'\n", optarg);
				return EXIT_ERROR;
			}
			server_only = true;
			break;
		case 'R':
			if (parse_long(optarg, &so.rate_pps) || so.rate_pps < 1 || so.rate_pps > 10000000) {
				fprintf(stderr, "latdoc rtt: --rate-limit takes 1 to 10000000 probes/s, not '%s'\n", optarg);
				return EXIT_ERROR;
			}
			server_only = true;
			break;
		case 'c':
			if (parse_long(optarg, &v) || v < 1 || v > 500000) {
				fprintf(stderr, "latdoc rtt: --count takes 1 to 500000, not '%s'\n", optarg);
				return EXIT_ERROR;
			}
			co.count = v;
			client_only = true;
			break;
		case 'd':
			if (parse_double(optarg, &co.duration_s) || co.duration_s <= 0 || co.duration_s > 86400) {
				fprintf(stderr, "latdoc rtt: --duration takes seconds, more than 0, not '%s'\n", optarg);
				return EXIT_ERROR;
			}
			so.duration_s = co.duration_s;
			break;
		case 'i':
			if (parse_duration_ns(optarg, &co.interval_ns) || (co.interval_ns && co.interval_ns < 10000)) {
				fprintf(stderr, "latdoc rtt: --interval takes a time like 1ms, 250us or 0.1 (s), "
						"at least 10us, not '%s'\n", optarg);
				return EXIT_ERROR;
			}
			client_only = true;
			break;
		case 's':
			if (parse_long(optarg, &co.size) || co.size < PACKET_HEADER + PACKET_MAC || co.size > PACKET_MAX) {
				fprintf(stderr, "latdoc rtt: --size takes %d to %d bytes, not '%s'\n",
					PACKET_HEADER + PACKET_MAC, PACKET_MAX, optarg);
				return EXIT_ERROR;
			}
			client_only = true;
			break;
		case 't':
			if (parse_double(optarg, &co.timeout_s) || co.timeout_s <= 0 || co.timeout_s > 60) {
				fprintf(stderr, "latdoc rtt: --timeout takes seconds, up to 60, not '%s'\n", optarg);
				return EXIT_ERROR;
			}
			client_only = true;
			break;
		case 'T':
			co.tcp = true;
			client_only = true;
			break;
		case 'j':
			json = true;
			break;
		case 'q':
			so.quiet = true;
			break;
		case 'h':
			command_usage(stdout, command_find("rtt"));
			return EXIT_CLEAN;
		default:
			return EXIT_ERROR;
		}
	}
	if (server) {
		if (optind < argc || client_only) {
			fprintf(stderr, "latdoc rtt: --serve takes --listen, --key, --delay-us, --rate-limit and "
					"--duration, not a host or client options\n");
			return EXIT_ERROR;
		}
		return serve(&so);
	}
	if (server_only) {
		fprintf(stderr, "latdoc rtt: --listen, --delay-us and --rate-limit are for --serve\n");
		return EXIT_ERROR;
	}
	if (optind + 1 != argc) {
		fprintf(stderr, "latdoc rtt: give one HOST[:PORT] to probe, or --serve\n");
		return EXIT_ERROR;
	}
	if (co.count && co.duration_s > 0) {
		fprintf(stderr, "latdoc rtt: --count or --duration, not both\n");
		return EXIT_ERROR;
	}
	if (!co.count && co.duration_s <= 0)
		co.count = 100;
	co.target = argv[optind];
	co.live = !json && isatty(STDERR_FILENO);
	struct rtt_result r;
	if (rtt_run(&co, &r, err, sizeof(err))) {
		fprintf(stderr, "latdoc rtt: %s\n", err);
		return EXIT_ERROR;
	}
	if (json) {
		if (output_rtt_json(stdout, &r, co.size, co.interval_ns))
			return EXIT_ERROR;
	} else {
		output_rtt_text(stdout, &r, co.size, co.interval_ns);
	}
	/* no reply at all is an answer worth a status */
	return r.received ? EXIT_CLEAN : EXIT_FINDINGS;
}

/* latdoc rtt HOST | latdoc rtt --serve: round trips with percentiles. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../net/addr.h"
#include "../net/rtt.h"
#include "../facts/facts.h"
#include "../measure/probe.h"
#include "../output/net_report.h"
#include "../parse/text.h"
#include "../root/root.h"
#include "commands.h"

static void announce(const char *where, void *arg)
{
	const struct rtt_server_options *o = arg;
	if (!o->quiet)
		fprintf(stderr, "latdoc rtt: serving UDP and TCP on %s%s, replies held %ld us, %ld probes/s per "
				"source\n",
			where, o->key.len ? ", signed probes only" : "", o->delay_us, o->rate_pps);
}

static int serve(struct rtt_server_options *o)
{
	struct rtt_server_stats st;
	char err[256];

	/* bound first, then announced: no "serving" before a failed bind */
	o->ready = announce;
	o->ready_arg = o;
	if (rtt_serve(o, &st, err, sizeof(err))) {
		fprintf(stderr, "latdoc rtt: %s\n", err);
		return EXIT_ERROR;
	}
	if (!o->quiet) {
		fprintf(stderr, "latdoc rtt: answered %llu; refused:", (unsigned long long)st.answered);
		for (int v = PACKET_SHORT; v <= PACKET_MAC_BAD; v++)
			fprintf(stderr, " %s %llu,", packet_verdict_name(v), (unsigned long long)st.refused[v]);
		fprintf(stderr, " replies %llu, replayed %llu, out of time %llu, over the rate %llu, "
				"queue (or the source's share) full %llu; TCP: %llu closed, %llu of them idle, %llu refused\n",
			(unsigned long long)st.not_request, (unsigned long long)st.replayed,
			(unsigned long long)st.stale, (unsigned long long)st.rate_limited,
			(unsigned long long)st.dropped_queue, (unsigned long long)st.tcp_closed,
			(unsigned long long)st.tcp_idle, (unsigned long long)st.tcp_refused);
	}
	return EXIT_CLEAN;
}

enum { SERVE, LISTEN, KEY, DELAY, RATE_LIMIT, COUNT, DURATION, INTERVAL, SIZE, TIMEOUT, TCP, JSON, QUIET };

static const struct opt opts[] = {
	[SERVE] = { .name = "serve", .type = OPT_FLAG, .help = "answer probes instead of sending them" },
	[LISTEN] = { .name = "listen", .type = OPT_STRING, .arg = "ADDR:PORT",
		.help = "--serve: where to listen (default :" RTT_PORT ", every IPv6 and IPv4 address)" },
	[KEY] = { .name = "key", .type = OPT_STRING, .arg = "FILE",
		.help = "sign probes with HMAC-SHA256 under the key in FILE; with --serve, answer signed "
		      "probes only, each once, within 30 s of their time", .complete = COMPLETE_FILE },
	[DELAY] = { .name = "delay", .type = OPT_DURATION, .arg = "TIME",
		.help = "--serve: hold each reply this long, up to 10s", .min = 1e3, .max = 10e9,
		.zero_ok = true },
	[RATE_LIMIT] = { .name = "rate-limit", .type = OPT_INT, .arg = "PPS",
		.help = "--serve: answer at most PPS probes a second per source (default 100000)", .min = 1,
		.max = 10000000 },
	[COUNT] = { .name = "count", .type = OPT_INT, .arg = "N",
		.help = "probes to send (default 100), after a warm-up that is not counted", .min = 1,
		.max = 500000 },
	[DURATION] = { .name = "duration", .type = OPT_DURATION, .arg = "TIME",
		.help = "send for this long instead of a count, up to a day; with --serve, serve this long",
		.min = 1e6, .max = 86400e9 },
	[INTERVAL] = { .name = "interval", .type = OPT_DURATION, .arg = "TIME",
		.help = "paced, one probe every TIME (10us to 1h) with +-10% jitter; default back to back",
		.min = 10e3, .max = 3600e9, .zero_ok = true },
	[SIZE] = { .name = "size", .type = OPT_INT, .arg = "BYTES", .help = "probe size (default 64)",
		.min = PACKET_HEADER + PACKET_MAC, .max = PACKET_MAX },
	[TIMEOUT] = { .name = "timeout", .type = OPT_DURATION, .arg = "TIME",
		.help = "a reply later than this after its probe is lost (default 1s)", .min = 1e6,
		.max = 60e9 },
	[TCP] = { .name = "tcp", .type = OPT_FLAG, .help = "over TCP with TCP_NODELAY instead of UDP" },
	[JSON] = { .name = "json", .type = OPT_FLAG, .help = "print the result as JSON" },
	[QUIET] = { .name = "quiet", .short_name = 'q', .type = OPT_FLAG,
		.help = "--serve: say nothing until an error" },
};
const struct opt_table rtt_options = OPT_TABLE(opts);

/* A run longer than a day is a mistake in the options, said as such. */
static int check_span(const struct rtt_client_options *co)
{
	double span = co->count && co->interval_ns ? (double)co->count * (double)co->interval_ns / 1e9 : 0;
	if (span > 86400) {
		fprintf(stderr, "latdoc rtt: --count %lld at --interval %.0f s would take %.0f days: give fewer "
				"probes, a shorter interval, or --duration\n",
			co->count, (double)co->interval_ns / 1e9, span / 86400);
		return -1;
	}
	if (co->duration_s > 0 && co->interval_ns && (double)co->interval_ns / 1e9 >= co->duration_s) {
		fprintf(stderr, "latdoc rtt: --interval is not shorter than --duration: not one paced probe "
				"would be sent after the first\n");
		return -1;
	}
	return 0;
}

static int print_json(const struct rtt_result *r, const struct rtt_client_options *co)
{
	const char *why;
	struct facts f;
	struct root *root = root_open("/", &why);
	int rc = -1;
	if (root && !facts_collect_head(root, &f)) {
		rc = output_rtt_json(stdout, &f, r, co->size, co->interval_ns);
		facts_free(&f);
	}
	root_close(root);
	return rc;
}

int cmd_rtt(const struct opt_result *o)
{
	struct rtt_server_options so = { .listen = ":" RTT_PORT, .rate_pps = 100000 };
	struct rtt_client_options co = { .size = 64, .timeout_s = 1.0 };
	bool server = o->v[SERVE].set, json = o->v[JSON].set;
	bool server_only = o->v[LISTEN].set || o->v[DELAY].set || o->v[RATE_LIMIT].set || o->v[QUIET].set;
	bool client_only = o->v[COUNT].set || o->v[INTERVAL].set || o->v[SIZE].set || o->v[TIMEOUT].set ||
			   o->v[TCP].set;
	char err[256];

	if (o->v[LISTEN].set)
		so.listen = o->v[LISTEN].str;
	if (o->v[KEY].set) {
		if (key_load(o->v[KEY].str, &so.key, err, sizeof(err))) {
			fprintf(stderr, "latdoc rtt: --key %s\n", err);
			return EXIT_ERROR;
		}
		co.key = so.key;
	}
	so.delay_us = (long)(o->v[DELAY].num / 1000);
	if (o->v[RATE_LIMIT].set)
		so.rate_pps = (long)o->v[RATE_LIMIT].num;
	co.count = o->v[COUNT].num;
	co.duration_s = so.duration_s = (double)o->v[DURATION].num / 1e9;
	co.interval_ns = o->v[INTERVAL].num;
	if (o->v[SIZE].set)
		co.size = (long)o->v[SIZE].num;
	if (o->v[TIMEOUT].set)
		co.timeout_s = (double)o->v[TIMEOUT].num / 1e9;
	co.tcp = o->v[TCP].set;
	so.quiet = o->v[QUIET].set;

	if (server) {
		if (o->nargs || client_only) {
			fprintf(stderr, "latdoc rtt: --serve takes --listen, --key, --delay, --rate-limit, "
					"--duration and --quiet, not a host or client options\n");
			return EXIT_ERROR;
		}
		return serve(&so);
	}
	if (server_only) {
		fprintf(stderr, "latdoc rtt: --listen, --delay, --rate-limit and --quiet are for --serve\n");
		return EXIT_ERROR;
	}
	if (o->nargs != 1) {
		fprintf(stderr, "latdoc rtt: give one HOST[:PORT] to probe, or --serve\n");
		return EXIT_ERROR;
	}
	if (co.count && co.duration_s > 0) {
		fprintf(stderr, "latdoc rtt: --count or --duration, not both\n");
		return EXIT_ERROR;
	}
	if (check_span(&co))
		return EXIT_ERROR;
	if (!co.count && co.duration_s <= 0)
		co.count = 100;
	co.target = o->args[0];
	co.live = !json && isatty(STDERR_FILENO);
	probe_catch_interrupt();
	struct rtt_result r;
	if (rtt_run(&co, &r, err, sizeof(err))) {
		fprintf(stderr, "latdoc rtt: %s\n", err);
		return EXIT_ERROR;
	}
	if (json) {
		if (print_json(&r, &co))
			return EXIT_ERROR;
	} else {
		output_rtt_text(stdout, &r, co.size, co.interval_ns);
	}
	if (r.interrupted)
		return EXIT_INTERRUPTED;
	/* no reply at all is an answer worth a status */
	return r.received ? EXIT_CLEAN : EXIT_FINDINGS;
}

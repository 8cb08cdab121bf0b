/* latdoc ttfb URL: HTTP time to first byte, phase by phase. */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "../facts/facts.h"
#include "../measure/probe.h"
#include "../net/ttfb.h"
#include "../output/net_report.h"
#include "../parse/text.h"
#include "../root/root.h"
#include "commands.h"

enum { COUNT, RATE, REUSE, TIMEOUT, LOCATION, INSECURE, CACERT, RESOLVE, HEADER, HTTP11, HTTP2, PROXY, JSON };

static const struct opt opts[] = {
	[COUNT] = { .name = "count", .type = OPT_INT, .arg = "N",
		.help = "requests (default 20), after one not counted", .min = 1, .max = 1000000 },
	[RATE] = { .name = "rate", .type = OPT_NUMBER, .arg = "R",
		.help = "R requests a second on a fixed schedule, each timed from when it was due; "
		      "default one after another", .min = 0.001, .max = 100000 },
	[REUSE] = { .name = "reuse", .type = OPT_FLAG,
		.help = "keep the connection and TLS session; default a new connection, DNS lookup and "
		      "full TLS handshake each time" },
	[TIMEOUT] = { .name = "timeout", .type = OPT_DURATION, .arg = "TIME",
		.help = "per request, 1ms to 10m (default 10s)", .min = 1e6, .max = 600e9 },
	[LOCATION] = { .name = "location", .short_name = 'L', .type = OPT_FLAG,
		.help = "follow redirects (up to 9), timing each hop" },
	[INSECURE] = { .name = "insecure", .short_name = 'k', .type = OPT_FLAG,
		.help = "do not verify the server's certificate" },
	[CACERT] = { .name = "cacert", .type = OPT_STRING, .arg = "FILE",
		.help = "verify the server against the CA certificates in FILE", .complete = COMPLETE_FILE },
	[RESOLVE] = { .name = "resolve", .type = OPT_STRING, .arg = "HOST:PORT:ADDR",
		.help = "connect to ADDR for HOST:PORT, as curl --resolve; up to 16 times", .repeat = true },
	[HEADER] = { .name = "header", .short_name = 'H', .type = OPT_STRING, .arg = "LINE",
		.help = "send the header LINE (\"Host: x\"); up to 16 times", .repeat = true },
	[HTTP11] = { .name = "http1.1", .type = OPT_FLAG, .help = "HTTP/1.1 only" },
	[HTTP2] = { .name = "http2", .type = OPT_FLAG, .help = "HTTP/2 (over TLS by ALPN, else by upgrade)" },
	[PROXY] = { .name = "proxy", .type = OPT_STRING, .arg = "URL",
		.help = "go through the proxy at URL; default none, whatever http_proxy says" },
	[JSON] = { .name = "json", .type = OPT_FLAG, .help = "print the result as JSON" },
};
const struct opt_table ttfb_options = OPT_TABLE(opts);

static int print_json(const struct ttfb_result *r)
{
	const char *why;
	struct facts f;
	struct root *root = root_open("/", &why);
	int rc = -1;
	if (root && !facts_collect_head(root, &f)) {
		rc = output_ttfb_json(stdout, &f, r);
		facts_free(&f);
	}
	root_close(root);
	return rc;
}

int cmd_ttfb(const struct opt_result *opt)
{
	struct ttfb_options o = { .count = 20, .timeout_s = 10 };
	bool json = opt->v[JSON].set;
	char err[256];

	if (opt->v[COUNT].set)
		o.count = (long)opt->v[COUNT].num;
	if (opt->v[RATE].set)
		o.rate = opt->v[RATE].real;
	o.reuse = opt->v[REUSE].set;
	if (opt->v[TIMEOUT].set)
		o.timeout_s = (double)opt->v[TIMEOUT].num / 1e9;
	o.location = opt->v[LOCATION].set;
	o.insecure = opt->v[INSECURE].set;
	o.cacert = opt->v[CACERT].set ? opt->v[CACERT].str : NULL;
	o.proxy = opt->v[PROXY].set ? opt->v[PROXY].str : NULL;
	for (int i = 0; i < opt->v[RESOLVE].nlist; i++) {
		const char *v = opt->v[RESOLVE].list[i];
		const char *c1 = strchr(v, ':'), *c2 = c1 ? strchr(c1 + 1, ':') : NULL;
		if (!c1 || !c2 || c1 == v || !c2[1]) {
			fprintf(stderr, "latdoc ttfb: --resolve takes HOST:PORT:ADDR, not '%s'\n", v);
			return EXIT_ERROR;
		}
		o.resolve[o.nresolve++] = v;
	}
	for (int i = 0; i < opt->v[HEADER].nlist; i++) {
		const char *v = opt->v[HEADER].list[i];
		if (!strchr(v, ':') || strpbrk(v, "\r\n")) {
			fprintf(stderr, "latdoc ttfb: --header takes one line 'Name: value', not '%s'\n", v);
			return EXIT_ERROR;
		}
		o.headers[o.nheaders++] = v;
	}
	if (opt->v[HTTP11].set && opt->v[HTTP2].set) {
		fprintf(stderr, "latdoc ttfb: --http1.1 or --http2, not both\n");
		return EXIT_ERROR;
	}
	o.http = opt->v[HTTP11].set ? TTFB_HTTP_1_1 : opt->v[HTTP2].set ? TTFB_HTTP_2 : TTFB_HTTP_ANY;
	if (opt->nargs != 1) {
		fprintf(stderr, "latdoc ttfb: give one URL\n");
		return EXIT_ERROR;
	}
	if (o.rate > 0 && (double)o.count / o.rate > 86400) {
		fprintf(stderr, "latdoc ttfb: --count %ld at --rate %g would take %.0f days: give fewer requests "
				"or a higher rate\n",
			o.count, o.rate, (double)o.count / o.rate / 86400);
		return EXIT_ERROR;
	}
	o.url = opt->args[0];
	o.live = !json && isatty(STDERR_FILENO);
	probe_catch_interrupt();
	struct ttfb_result r;
	if (ttfb_run(&o, &r, err, sizeof(err))) {
		fprintf(stderr, "latdoc ttfb: %s\n", err);
		return EXIT_ERROR;
	}
	if (json ? print_json(&r) : (output_ttfb_text(stdout, &r), 0))
		return EXIT_ERROR;
	if (r.interrupted)
		return EXIT_INTERRUPTED;
	/* no answer, or an error answer, is an answer worth a status */
	return r.answered == r.count && !r.error_answers ? EXIT_CLEAN : EXIT_FINDINGS;
}

/* latdoc ttfb: HTTP time to first byte, phase by phase, with libcurl. */
#ifndef LATDOC_TTFB_H
#define LATDOC_TTFB_H

#include <stdbool.h>
#include <stdint.h>

#include "../measure/stats.h"

struct ttfb_options {
	const char *url;
	long count;
	double rate;      /* requests/s on an open-loop schedule; 0: one after another */
	bool reuse;       /* keep the connection (keep-alive) */
	double timeout_s;
	bool live;
};

enum ttfb_failure { FAIL_HTTP, FAIL_REDIRECT, FAIL_TLS, FAIL_TIMEOUT, FAIL_CONNECT, FAIL_DNS, FAIL_OTHER, FAIL_KINDS };

struct ttfb_result {
	char url[512];
	long count, ok;
	long failures[FAIL_KINDS];
	char first_error[FAIL_KINDS][160];
	/* per phase, in us: DNS, TCP connect, TLS, request sent to first byte,
	 * first byte from the start, total; and with --rate how late each
	 * request started against its schedule */
	struct summary dns, connect, tls, server, ttfb, total, late;
	bool scheduled;
	double elapsed_s;
};

const char *ttfb_failure_name(enum ttfb_failure f);
/* Returns 0, or -1 with ERR set when nothing could be tried. */
int ttfb_run(const struct ttfb_options *o, struct ttfb_result *r, char *err, size_t errsz);

#endif

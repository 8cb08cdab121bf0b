/* latdoc ttfb: HTTP time to first byte, phase by phase, with libcurl. */
#ifndef LATDOC_TTFB_H
#define LATDOC_TTFB_H

#include <stdbool.h>
#include <stdint.h>

#include "../measure/stats.h"

#define TTFB_LIST_MAX 16 /* -H and --resolve, each */
#define TTFB_MAX_HOPS 10 /* redirects followed with --location, and the first request */

enum ttfb_http { TTFB_HTTP_ANY, TTFB_HTTP_1_1, TTFB_HTTP_2 };

struct ttfb_options {
	const char *url;
	long count;
	double rate;      /* requests/s on an open-loop schedule; 0: one after another */
	bool reuse;       /* keep the connection (keep-alive) and TLS sessions */
	double timeout_s;
	bool live;
	bool location;    /* follow redirects, timing each hop */
	bool insecure;    /* do not verify the server's certificate */
	const char *cacert;
	const char *proxy; /* NULL: straight to the server, whatever the environment says */
	const char *resolve[TTFB_LIST_MAX]; /* HOST:PORT:ADDR */
	int nresolve;
	const char *headers[TTFB_LIST_MAX];
	int nheaders;
	enum ttfb_http http;
};

/* Requests that got no answer, by why. */
enum ttfb_failure {
	FAIL_INCOMPLETE, /* an answer whose header block never ended */
	FAIL_TLS,
	FAIL_TIMEOUT,
	FAIL_CONNECT,
	FAIL_DNS,
	FAIL_REDIRECT, /* --location: a loop, too many hops, or to another scheme */
	FAIL_OTHER,
	FAIL_KINDS
};

/* Every phase of one request, in us (from libcurl's timers). */
struct ttfb_phases {
	struct summary dns, connect, tls, server, ttfb, total;
};

struct ttfb_hop {
	char url[512]; /* the first URL seen at this hop */
	struct ttfb_phases p;
};

#define TTFB_STATUSES 16

struct ttfb_result {
	char url[512];
	long count, answered; /* answered: a whole header block, any status */
	long status_code[TTFB_STATUSES], status_count[TTFB_STATUSES]; /* of the last answer of each request */
	int nstatus;
	long status_other; /* codes beyond the table */
	long error_answers; /* 4xx and 5xx */
	long failures[FAIL_KINDS];
	char first_error[FAIL_KINDS][160];
	struct ttfb_hop hops[TTFB_MAX_HOPS]; /* [0]: the URL asked */
	int nhops;
	struct summary end_ttfb, end_total; /* with --location: across the hops */
	struct summary late;                /* with --rate: how late each request started */
	bool scheduled;
	long new_connections, reused_connections;
	long tls_full, tls_resumed;
	char http_version[16]; /* of the last answer */
	char proxy_note[200];  /* a proxy variable set and not used, or the one used */
	bool interrupted;
	double elapsed_s;
};

const char *ttfb_failure_name(enum ttfb_failure f);
/* Returns 0, or -1 with ERR set when nothing could be tried (a bad URL). */
int ttfb_run(const struct ttfb_options *o, struct ttfb_result *r, char *err, size_t errsz);

#endif

/* latdoc serve: a Prometheus exporter. The audit runs in the background
 * every interval (audit_run(), the same pipeline as check); a scrape is
 * answered from the last audit's metrics, written out once per audit, so a
 * scrape costs a lookup and a send whatever the machine. Whoever scrapes
 * is a stranger: GET and HEAD only, two paths, bounded requests and
 * connections, idle connections closed (docs/METRICS.md, "The HTTP side"). */
#ifndef LATDOC_SERVE_H
#define LATDOC_SERVE_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>

/* Free in no exporter list we could check: Prometheus's default-port
 * allocations for exporters (9100-9999) have all been taken since 2023;
 * 7479 sits beside rtt's 7478, so one firewall rule covers latdoc. */
#define SERVE_PORT "7479"

/* Limits on what a scraper can hold (docs/METRICS.md, "The HTTP side"). */
#define SERVE_MAX_CONNECTIONS 32
#define SERVE_MAX_PER_ADDRESS 8
#define SERVE_IDLE_TIMEOUT_S 5    /* to send a whole request (admit.h) */
#define SERVE_ANSWER_TIMEOUT_S 30 /* to take a whole answer */
#define SERVE_REQUEST_MAX 8192 /* request line and headers, bytes */
/* Measurements may take at most this share of one CPU over the
 * exporter's life. */
#define SERVE_DUTY_CYCLE 0.01

struct serve_options {
	const char *listen;        /* ADDR:PORT, :PORT; NULL: ":" SERVE_PORT */
	const char *root;          /* the machine audited */
	long long interval_ns;     /* between audits */
	long long measure_every_ns; /* between measurements; 0 never */
	bool once;                 /* audit once, print the metrics, exit */
};

/* Runs the exporter until SIGINT or SIGTERM. Returns 0, or -1 with what
 * went wrong in ERR. */
int serve_run(const struct serve_options *o, char *err, size_t errsz);

/* One audit's metrics in both formats, shared by the scrapes that send it
 * and freed by whichever lets go last. */
struct exposition {
	atomic_int refs;
	char *text, *openmetrics;
	size_t text_len, openmetrics_len;
};
void exposition_release(struct exposition *e);

/* The HTTP side: serves the exposition the audit side publishes. */
struct http_server;
struct http_server *http_start(int listen_fd, char *err, size_t errsz);
/* Swaps in E (the server takes the caller's reference). */
void http_publish(struct http_server *h, struct exposition *e);
void http_stop(struct http_server *h);

/* The listening socket for SPEC; -1 with ERR set. */
int serve_listen(const char *spec, char *where, size_t wheresz, char *err, size_t errsz);

#endif

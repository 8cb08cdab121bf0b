/* latdoc rtt: a UDP (or TCP) ping-pong between two hosts. */
#ifndef LATDOC_RTT_H
#define LATDOC_RTT_H

#include <stdbool.h>
#include <stdint.h>

#include "../measure/stats.h"
#include "packet.h"

struct rtt_server_options {
	const char *listen;   /* "ADDR:PORT" */
	struct key key;
	long delay_us;        /* hold each reply this long: emulates distance */
	long rate_pps;        /* per source address */
	double duration_s;    /* 0: until SIGINT or SIGTERM */
	bool quiet;
};

struct rtt_server_stats {
	uint64_t answered;
	uint64_t refused[PACKET_MAC_BAD + 1]; /* by verdict */
	uint64_t not_request, replayed, rate_limited, dropped_queue, tcp_closed;
};

/* Serves until stopped. Returns 0, or -1 with ERR set (cannot listen). */
int rtt_serve(const struct rtt_server_options *o, struct rtt_server_stats *st, char *err,
	      size_t errsz);

struct rtt_client_options {
	const char *target;
	struct key key;
	long long count;      /* probes; 0 with a duration */
	double duration_s;
	long long interval_ns; /* 0: back to back */
	long size;
	double timeout_s;     /* for each reply (back to back), for stragglers at the end */
	bool tcp;
	bool live;            /* a live line on the terminal */
};

struct rtt_result {
	char peer[64];
	bool tcp, paced;
	uint64_t sent, received, lost, duplicates, reordered, bad;
	struct summary rtt;     /* from the (scheduled) send to the reply, in us */
	struct summary network; /* from the send to the kernel's receive stamp */
	struct summary send_late; /* paced: how late each send left its schedule */
	bool kernel_stamps;
	double elapsed_s;
};

int rtt_run(const struct rtt_client_options *o, struct rtt_result *r, char *err, size_t errsz);

#endif

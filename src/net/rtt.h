/* latdoc rtt: a UDP (or TCP) ping-pong between two hosts. */
#ifndef LATDOC_RTT_H
#define LATDOC_RTT_H

#include <stdbool.h>
#include <stdint.h>

#include "../measure/stats.h"
#include "packet.h"

struct rtt_server_options {
	const char *listen;   /* "ADDR:PORT"; ":PORT" is every IPv6 and IPv4 address */
	struct key key;
	long delay_us;        /* hold each reply this long: emulates distance */
	long rate_pps;        /* per source address */
	double duration_s;    /* 0: until SIGINT or SIGTERM */
	bool quiet;
	/* called once the sockets are bound, with where: announce then */
	void (*ready)(const char *where, void *arg);
	void *ready_arg;
};

struct rtt_server_stats {
	uint64_t answered;
	uint64_t refused[PACKET_MAC_BAD + 1]; /* by verdict */
	uint64_t not_request, replayed, stale, rate_limited;
	uint64_t dropped_queue; /* --delay: the queue, or the source's share of it, was full */
	uint64_t tcp_closed, tcp_idle, tcp_refused;
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
	double timeout_s;     /* for each reply, from its send: a later one is lost */
	bool tcp;
	bool live;            /* a live line on the terminal */
};

/* Sent before the run, not counted: caches, routes, the server's tables
 * and the CPUs' clocks settle (sockperf drops its first 400 ms). */
#define RTT_WARMUP_NS 400000000LL
#define RTT_WARMUP_MAX 1000
/* Nothing back after this many probes and this long: stop and say why. */
#define RTT_GIVE_UP_PROBES 3
#define RTT_GIVE_UP_NS 2000000000LL

struct rtt_result {
	char peer[64];
	bool tcp, paced;
	uint64_t warmup;        /* probes sent to warm up, not counted */
	uint64_t sent, received, lost, late, duplicates, reordered, bad;
	struct summary rtt;     /* from the send to the reply, in us */
	struct summary from_due; /* paced: from when the probe was due */
	struct summary network; /* from the send to the kernel's receive stamp */
	struct summary send_late; /* paced: how late each send left its schedule */
	uint64_t stamps_negative; /* the realtime clock stepped back under a probe */
	bool kernel_stamps;
	bool silent;            /* not one reply came back, warm-up's included */
	bool trickled;          /* TCP: bytes came, never a whole reply in time */
	bool gave_up;           /* and so it stopped early */
	bool interrupted;       /* Ctrl-C */
	double elapsed_s;
};

int rtt_run(const struct rtt_client_options *o, struct rtt_result *r, char *err, size_t errsz);

#endif

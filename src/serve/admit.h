/* Who may hold one of the exporter's connections, and for how long: pure
 * functions of a table and the time (passed in, so they are tested
 * without sockets); http.c accepts, asks, and closes what they name.
 *
 * libmicrohttpd's own timeout counts from the last byte, so a client that
 * sends one header byte every few seconds (slowloris), or asks and never
 * reads, kept its connection for as long as it liked, and 32 of them from
 * four addresses locked every scraper out. Here:
 *  - a connection has SERVE_IDLE_TIMEOUT_S, from its accept or from the end
 *    of its last answer, to send a whole request; bytes that trickle in do
 *    not extend it;
 *  - an answer must be taken within SERVE_ANSWER_TIMEOUT_S;
 *  - when every slot is taken (SERVE_MAX_CONNECTIONS), or the newcomer's
 *    address holds its share (SERVE_MAX_PER_ADDRESS; an IPv6 /64 is one
 *    address), the connection that has waited longest for a request, or
 *    an answer taken longer than ADMIT_ANSWER_GRACE_NS, makes room; with
 *    none such the newcomer is refused. A scraper's request follows its
 *    connect within a round trip, so holding every slot takes a stranger
 *    as many new connections per round trip as there are slots, and a
 *    byte now and then no longer does. */
#ifndef LATDOC_ADMIT_H
#define LATDOC_ADMIT_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/socket.h>

#include "serve.h"

#define ADMIT_ANSWER_GRACE_NS 1000000000LL
/* Those made to close still count for libmicrohttpd until it has closed
 * them: its own limit is twice ours, so it never refuses what we admit. */
#define ADMIT_SLOTS (2 * SERVE_MAX_CONNECTIONS)

enum slot_state {
	SLOT_FREE,
	SLOT_WAITING,   /* for a whole request */
	SLOT_ANSWERING, /* the request is in; its answer is being sent */
	SLOT_CLOSING,   /* told to go; libmicrohttpd has not closed it yet */
};

struct slot {
	enum slot_state state;
	int fd;
	int64_t since; /* monotonic ns: when it began waiting, or answering */
	unsigned char source[16]; /* the address, IPv4 mapped into IPv6 */
};

struct slots {
	struct slot s[ADMIT_SLOTS];
};

void slots_init(struct slots *t);

/* A slot for a new connection FD from PEER at NOW: its index (the slot is
 * then WAITING), or -1 to refuse it. *EVICT is the slot whose connection
 * must be closed to make room (now CLOSING), or -1. */
int slots_admit(struct slots *t, int fd, const struct sockaddr_storage *peer, int64_t now, int *evict);

/* The next slot from *AT on whose time is up at NOW (now CLOSING), and *AT
 * past it; -1 when there is none. */
int slots_expired(struct slots *t, int64_t now, int *at);

/* The slot holding FD, or -1. */
int slots_find(const struct slots *t, int fd);

/* A request came in whole on slot I / its answer is done: the clock starts
 * again. A slot told to close stays so. */
void slots_answering(struct slots *t, int i, int64_t now);
void slots_waiting(struct slots *t, int i, int64_t now);

/* libmicrohttpd closed slot I's connection. */
void slots_free(struct slots *t, int i);

#endif

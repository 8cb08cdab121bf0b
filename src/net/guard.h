/* The rtt server's defences, as pure functions of what arrived and when
 * (times are passed in, so they are tested without a clock):
 *  - a replay record for signed probes: each signed probe carries its
 *    sender's time; one older than REPLAY_WINDOW_NS or from the future is
 *    refused, a session's last 64 sequence numbers are remembered whatever
 *    address or port the probe comes from, and a session pushed out of the
 *    (bounded) record raises a watermark that every probe of an unknown
 *    session must be newer than, so neither a new source port nor an
 *    eviction makes an old probe fresh again;
 *  - a rate limiter per source address, keyed with a secret so no address
 *    can be chosen to collide with another, that never hands a newcomer a
 *    full burst by throwing out a source that is still spending its own:
 *    under pressure, newcomers share one bucket;
 *  - a count of the replies each source address has held back (--delay),
 *    keyed alike, so that no source takes more than its share of the
 *    queue and a flood within its rate does not starve the others. */
#ifndef LATDOC_GUARD_H
#define LATDOC_GUARD_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/socket.h>

#define REPLAY_WINDOW_NS (30 * 1000000000LL)
#define GUARD_SETS 1024
#define GUARD_WAYS 4

/* SipHash-2-4 (Aumasson and Bernstein's reference algorithm) of LEN bytes
 * under a 16-byte KEY. */
uint64_t siphash24(const unsigned char key[16], const void *data, size_t len);

enum replay_verdict {
	REPLAY_FRESH,
	REPLAY_SEEN,  /* this session sent this sequence number already, or one long before it */
	REPLAY_STALE, /* the sender's time is more than the window away from ours */
	REPLAY_OLD,   /* an unknown session, no newer than one the record let go */
};

struct replay;
/* START_NS: the server's realtime clock at start; nothing signed before it
 * is fresh. NULL when out of memory. */
struct replay *replay_new(const unsigned char key[16], int64_t start_ns);
void replay_free(struct replay *r);
enum replay_verdict replay_check(struct replay *r, uint64_t session, uint64_t seq, int64_t stamp_ns,
				 int64_t now_ns);

struct limiter;
/* RATE tokens a second per source address, a burst of a tenth of a
 * second. NULL when out of memory. */
struct limiter *limiter_new(const unsigned char key[16], double rate);
void limiter_free(struct limiter *l);
/* Whether FROM may have one more answer at NOW (monotonic ns). */
bool limiter_take(struct limiter *l, const struct sockaddr_storage *from, int64_t now_ns);

struct held;
/* No source address more than SHARE replies held at once. NULL when out
 * of memory. */
struct held *held_new(const unsigned char key[16], unsigned share);
void held_free(struct held *h);
/* Whether FROM may have one more reply held; when it may, it is counted. */
bool held_take(struct held *h, const struct sockaddr_storage *from);
/* One of FROM's held replies has left (or been dropped). */
void held_release(struct held *h, const struct sockaddr_storage *from);

#endif

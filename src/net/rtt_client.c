/* The rtt client: probes back to back (as sockperf ping-pong does) or paced
 * on a jittered schedule, so CPUs idle between probes and their wake-up
 * shows; a paced probe's round trip counts from when it was due, so the
 * client's own late wake-up is not hidden. The kernel's receive stamp splits
 * the network's share from the client's. */
#include "rtt.h"

#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include "../measure/probe.h"
#include "addr.h"

#define MAX_PROBES 500000 /* 40 bytes each: 20 MB at most */

struct client {
	const struct rtt_client_options *o;
	struct rtt_result *r;
	int fd;
	uint64_t session;
	int64_t *due;      /* per seq: when it was due (paced) or sent */
	int64_t *sent;     /* per seq: when it left */
	unsigned char *got; /* per seq: replies seen */
	uint64_t top;      /* the highest seq received */
	bool blocking;     /* back to back over UDP: wait in recvmsg itself */
	struct samples rtt, net, late;
};

static int64_t realtime_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static int connect_to(struct client *c, char *err, size_t errsz)
{
	struct sockaddr_storage addr;
	socklen_t len;
	int type = c->o->tcp ? SOCK_STREAM : SOCK_DGRAM, one = 1;

	if (net_resolve(c->o->target, false, type, &addr, &len, err, errsz))
		return -1;
	net_format((struct sockaddr *)&addr, c->r->peer, sizeof(c->r->peer));
	c->fd = socket(addr.ss_family, type | SOCK_CLOEXEC, 0);
	if (c->fd < 0) {
		snprintf(err, errsz, "socket: %s", strerror(errno));
		return -1;
	}
	if (c->o->tcp) {
		/* a reply cut short must not hang the read */
		struct timeval tv = { .tv_sec = (time_t)c->o->timeout_s,
				      .tv_usec = (suseconds_t)((c->o->timeout_s - (double)(time_t)c->o->timeout_s) * 1e6) };
		setsockopt(c->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
		setsockopt(c->fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	}
	else
		c->r->kernel_stamps = !setsockopt(c->fd, SOL_SOCKET, SO_TIMESTAMPNS, &one, sizeof(one));
	if (!c->o->interval_ns && !c->o->tcp) {
		struct timeval tv = { .tv_sec = 0, .tv_usec = 100000 };
		c->blocking = !setsockopt(c->fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	}
	if (connect(c->fd, (struct sockaddr *)&addr, len)) {
		snprintf(err, errsz, "cannot reach %s: %s", c->r->peer, strerror(errno));
		return -1;
	}
	return 0;
}

/* Reads one reply (a datagram, or a frame from the stream) and accounts for
 * it. Returns its seq, 0 for a reply that is not ours, -1 on an error. */
static long long receive(struct client *c)
{
	unsigned char buf[PACKET_MAX + 1];
	char control[CMSG_SPACE(sizeof(struct timespec))];
	struct iovec iov = { buf, sizeof(buf) };
	struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = control,
			      .msg_controllen = sizeof(control) };
	ssize_t n;

	if (c->o->tcp) {
		size_t want = (size_t)c->o->size, have = 0;
		while (have < want) {
			n = recv(c->fd, buf + have, want - have, 0);
			if (n <= 0)
				return -1;
			have += (size_t)n;
		}
		n = (ssize_t)have;
		msg.msg_controllen = 0;
	} else {
		n = recvmsg(c->fd, &msg, c->blocking ? 0 : MSG_DONTWAIT);
		if (n < 0)
			return errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR ? 0 : -1;
	}
	int64_t now = probe_now_ns(), real_now = realtime_ns();
	struct probe p;
	if (packet_parse(buf, (size_t)n, &c->o->key, &p) != PACKET_OK || p.type != PACKET_REPLY ||
	    p.session != c->session || !p.seq || p.seq > c->r->sent) {
		c->r->bad++;
		return 0;
	}
	if (c->got[p.seq]) {
		c->r->duplicates++;
		return (long long)p.seq;
	}
	c->got[p.seq] = 1;
	c->r->received++;
	if (p.seq < c->top)
		c->r->reordered++;
	else
		c->top = p.seq;
	samples_add(&c->rtt, now - c->due[p.seq]);
	/* the kernel stamped the datagram on arrival: what came after is the
	 * client's own wake-up */
	for (struct cmsghdr *cm = CMSG_FIRSTHDR(&msg); cm; cm = CMSG_NXTHDR(&msg, cm))
		if (cm->cmsg_level == SOL_SOCKET && cm->cmsg_type == SCM_TIMESTAMPNS) {
			struct timespec ts;
			memcpy(&ts, CMSG_DATA(cm), sizeof(ts));
			int64_t wake = real_now - ((int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec);
			if (wake >= 0)
				samples_add(&c->net, now - wake - c->sent[p.seq]);
		}
	return (long long)p.seq;
}

/* Waits for replies until DEADLINE (monotonic ns), or until seq WANT came
 * when WANT is not 0, or until every probe sent has its reply with ALL. */
static int wait_replies(struct client *c, int64_t deadline, uint64_t want, bool all)
{
	for (;;) {
		if (all && c->r->received >= c->r->sent)
			return 0;
		int64_t left = deadline - probe_now_ns();
		if (left <= 0)
			return 0;
		struct pollfd pfd = { .fd = c->fd, .events = POLLIN };
		struct timespec ts = { .tv_sec = left / 1000000000, .tv_nsec = left % 1000000000 };
		int n = ppoll(&pfd, 1, &ts, NULL);
		if (n < 0 && errno != EINTR)
			return -1;
		if (n <= 0)
			continue;
		long long seq = receive(c);
		if (seq < 0)
			return -1;
		if (want && (uint64_t)seq == want)
			return 0;
	}
}

static void live_line(const struct client *c, int64_t *last)
{
	int64_t now = probe_now_ns();
	if (!c->o->live || now - *last < 200000000)
		return;
	*last = now;
	fprintf(stderr, "\r\033[K%s: %llu sent, %llu received", c->r->peer, (unsigned long long)c->r->sent,
		(unsigned long long)c->r->received);
}

static int run(struct client *c, long long total, char *err, size_t errsz)
{
	const struct rtt_client_options *o = c->o;
	unsigned char buf[PACKET_MAX];
	int64_t start = probe_now_ns(), end = o->duration_s > 0 ? start + (int64_t)(o->duration_s * 1e9) : INT64_MAX;
	int64_t last = 0, timeout = (int64_t)(o->timeout_s * 1e9), next = start;
	uint64_t rnd = 0x2545f4914f6cdd1dULL ^ (uint64_t)start;

	for (uint64_t seq = 1; seq <= (uint64_t)total && probe_now_ns() < end; seq++) {
		if (o->interval_ns) {
			/* jitter of +-10%, so the schedule cannot be learnt */
			int64_t jitter = o->interval_ns / 5 ? (int64_t)(probe_random(&rnd) % (uint64_t)(o->interval_ns / 5)) -
							      o->interval_ns / 10
							    : 0;
			if (seq > 1)
				next += o->interval_ns + jitter;
			if (wait_replies(c, next, 0, false)) {
				snprintf(err, errsz, "receiving: %s", strerror(errno));
				return -1;
			}
		}
		struct probe p = { .type = PACKET_REQUEST, .session = c->session, .seq = seq };
		c->due[seq] = o->interval_ns ? next : probe_now_ns();
		c->sent[seq] = probe_now_ns();
		p.stamp = (uint64_t)c->sent[seq];
		size_t len = packet_build(buf, (size_t)o->size, &p, &o->key);
		if (send(c->fd, buf, len, MSG_NOSIGNAL) != (ssize_t)len) {
			snprintf(err, errsz, "sending to %s: %s", c->r->peer, strerror(errno));
			return -1;
		}
		c->r->sent = seq;
		if (o->interval_ns)
			samples_add(&c->late, c->sent[seq] - c->due[seq]);
		else if (c->blocking) {
			/* one call a reply, as sockperf does: the timeout is the socket's */
			int64_t until = probe_now_ns() + timeout;
			long long got;
			while ((got = receive(c)) >= 0 && (uint64_t)got != seq && probe_now_ns() < until)
				;
			if (got < 0) {
				snprintf(err, errsz, "receiving from %s: %s", c->r->peer, strerror(errno));
				return -1;
			}
		} else if (wait_replies(c, probe_now_ns() + timeout, seq, false)) {
			snprintf(err, errsz, "receiving from %s: %s", c->r->peer, strerror(errno));
			return -1;
		}
		live_line(c, &last);
	}
	/* stragglers: an error now only ends the wait */
	wait_replies(c, probe_now_ns() + timeout, 0, true);
	c->r->elapsed_s = (double)(probe_now_ns() - start) / 1e9;
	if (o->live)
		fprintf(stderr, "\r\033[K");
	return 0;
}

int rtt_run(const struct rtt_client_options *o, struct rtt_result *r, char *err, size_t errsz)
{
	struct client c = { .o = o, .r = r, .fd = -1 };
	long long total = o->count;
	int rc = -1;

	memset(r, 0, sizeof(*r));
	r->tcp = o->tcp;
	r->paced = o->interval_ns > 0;
	if (!total)
		total = o->interval_ns ? (long long)(o->duration_s * 1e9 / (double)o->interval_ns * 1.2) + 16
				       : MAX_PROBES;
	if (total > MAX_PROBES)
		total = MAX_PROBES;
	c.session = (uint64_t)probe_now_ns() * 0x9e3779b97f4a7c15ULL ^ (uint64_t)getpid();
	c.due = calloc((size_t)total + 1, sizeof(*c.due));
	c.sent = calloc((size_t)total + 1, sizeof(*c.sent));
	c.got = calloc((size_t)total + 1, 1);
	if (!c.due || !c.sent || !c.got || samples_init(&c.rtt, (size_t)total) ||
	    samples_init(&c.net, (size_t)total) || samples_init(&c.late, (size_t)total)) {
		snprintf(err, errsz, "out of memory");
		goto out;
	}
	prctl(PR_SET_TIMERSLACK, 1UL, 0, 0, 0);
	if (connect_to(&c, err, errsz) || run(&c, total, err, errsz))
		goto out;
	r->lost = r->sent - r->received;
	samples_summarise(&c.rtt, &r->rtt);
	samples_summarise(&c.net, &r->network);
	samples_summarise(&c.late, &r->send_late);
	rc = 0;
out:
	if (c.fd >= 0)
		close(c.fd);
	free(c.due);
	free(c.sent);
	free(c.got);
	samples_free(&c.rtt);
	samples_free(&c.net);
	samples_free(&c.late);
	return rc;
}

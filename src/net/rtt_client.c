/* The rtt client: probes back to back (as sockperf ping-pong does) or paced
 * on a jittered schedule, so CPUs idle between probes and their wake-up
 * shows. Each round trip counts from the probe's actual send, and a paced
 * one also from when it was due, so the client's own late wake-up is seen
 * and not hidden (coordinated omission). Waits end on a timer, not on a
 * poll timeout: the kernel lets a poll's timeout run 0.1% late for an
 * ordinary task (fs/select.c), 1 ms at a 1 s interval, while a timer keeps
 * to the thread's timer slack, set to 1 ns here: clock_nanosleep when
 * every reply is in, a timerfd polled beside the socket while one is
 * still to come. The kernel's receive
 * stamp, against a realtime stamp of the send, splits the network's share
 * from the client's. */
#include "rtt.h"

#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>

#include "../measure/probe.h"
#include "addr.h"

#define MAX_PROBES 500000 /* 33 bytes each: 16 MB at most */

struct client {
	const struct rtt_client_options *o;
	struct rtt_result *r;
	int fd, tfd;
	uint64_t session;
	uint64_t first;     /* the first counted seq: those before warm up */
	uint64_t last;      /* the highest seq sent */
	int64_t *due;       /* per seq: when it was due (paced) or sent */
	int64_t *sent;      /* per seq: when it left, monotonic */
	int64_t *sent_real; /* per seq: when it left, realtime: the kernel stamps in that clock */
	unsigned char *got; /* per seq: replies seen */
	uint64_t top;       /* the highest seq received */
	uint64_t replies;   /* any reply, warm-up's included: is anyone there */
	uint64_t bytes_in;  /* TCP: what the stream brought, whole or not */
	bool blocking;      /* back to back over UDP: wait in recvmsg itself */
	/* TCP: the stream, framed by each packet's length */
	unsigned char stream[2 * PACKET_MAX];
	size_t have;
	struct samples rtt, from_due, net, late;
};

/* TCP: a connection that does not come up within the timeout is an error
 * that says so, not a two-minute hang in the kernel's retries. */
static int tcp_connect(struct client *c, const struct sockaddr *addr, socklen_t len, char *err, size_t errsz)
{
	int flags = fcntl(c->fd, F_GETFL);
	if (flags < 0 || fcntl(c->fd, F_SETFL, flags | O_NONBLOCK)) {
		snprintf(err, errsz, "fcntl: %s", strerror(errno));
		return -1;
	}
	if (!connect(c->fd, addr, len))
		return 0;
	if (errno != EINPROGRESS) {
		snprintf(err, errsz, "cannot reach %s: %s", c->r->peer, strerror(errno));
		return -1;
	}
	struct pollfd p = { .fd = c->fd, .events = POLLOUT };
	int64_t t = (int64_t)(c->o->timeout_s * 1e9);
	struct timespec ts = { .tv_sec = t / 1000000000, .tv_nsec = t % 1000000000 };
	int n = ppoll(&p, 1, &ts, NULL);
	int soerr = 0;
	socklen_t sl = sizeof(soerr);
	if (n <= 0) {
		snprintf(err, errsz, "cannot reach %s: %s", c->r->peer,
			 n == 0 ? "no answer to the connection within --timeout" : strerror(errno));
		return -1;
	}
	if (getsockopt(c->fd, SOL_SOCKET, SO_ERROR, &soerr, &sl) || soerr) {
		snprintf(err, errsz, "cannot reach %s: %s%s", c->r->peer, strerror(soerr),
			 soerr == ECONNREFUSED ? " (is latdoc rtt --serve running there?)" : "");
		return -1;
	}
	return 0;
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
		setsockopt(c->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
		return tcp_connect(c, (struct sockaddr *)&addr, len, err, errsz);
	}
	c->r->kernel_stamps = !setsockopt(c->fd, SOL_SOCKET, SO_TIMESTAMPNS, &one, sizeof(one));
	if (!c->o->interval_ns) {
		/* short, so Ctrl-C and the give-up rule are looked at */
		int64_t t = (int64_t)(c->o->timeout_s * 1e9);
		if (t > 100000000)
			t = 100000000;
		struct timeval tv = { .tv_sec = 0, .tv_usec = (suseconds_t)(t / 1000) };
		c->blocking = !setsockopt(c->fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	}
	if (connect(c->fd, (struct sockaddr *)&addr, len)) {
		snprintf(err, errsz, "cannot reach %s: %s", c->r->peer, strerror(errno));
		return -1;
	}
	return 0;
}

/* A reply that arrived, with the kernel's receive stamp (0: none). */
static void account(struct client *c, const unsigned char *buf, size_t n, int64_t now, int64_t kernel_real)
{
	struct probe p;
	if (packet_parse(buf, n, &c->o->key, &p) != PACKET_OK || p.type != PACKET_REPLY ||
	    p.session != c->session || !p.seq || p.seq > c->last) {
		c->r->bad++;
		return;
	}
	c->replies++;
	if (c->got[p.seq]) {
		if (p.seq >= c->first)
			c->r->duplicates++;
		return;
	}
	c->got[p.seq] = 1;
	if (p.seq < c->first)
		return; /* warm-up */
	/* the timeout bounds the whole reply: a later one is lost, not a sample */
	if (now - c->sent[p.seq] > (int64_t)(c->o->timeout_s * 1e9)) {
		c->r->late++;
		return;
	}
	c->r->received++;
	if (p.seq < c->top)
		c->r->reordered++;
	else
		c->top = p.seq;
	samples_add(&c->rtt, now - c->sent[p.seq]);
	if (c->o->interval_ns)
		samples_add(&c->from_due, now - c->due[p.seq]);
	if (kernel_real) {
		/* one clock on both ends of the difference: never negative
		 * unless the clock itself was stepped back */
		int64_t d = kernel_real - c->sent_real[p.seq];
		if (d >= 0)
			samples_add(&c->net, d);
		else
			c->r->stamps_negative++;
	}
}

/* Reads what is waiting (one datagram, or what the stream holds) and
 * accounts for it. Returns 1 when something was read, 0 when nothing was
 * there, -1 on an error (errno set). */
static int receive(struct client *c, bool wait)
{
	unsigned char buf[PACKET_MAX + 1];
	char control[CMSG_SPACE(sizeof(struct timespec))];
	struct iovec iov = { buf, sizeof(buf) };
	struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = control,
			      .msg_controllen = sizeof(control) };

	if (c->o->tcp) {
		ssize_t n = recv(c->fd, c->stream + c->have, sizeof(c->stream) - c->have, MSG_DONTWAIT);
		if (n == 0) {
			errno = ECONNRESET;
			return -1;
		}
		if (n < 0)
			return errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR ? 0 : -1;
		c->have += (size_t)n;
		c->bytes_in += (uint64_t)n;
		int64_t now = probe_now_ns();
		while (c->have >= PACKET_HEADER) {
			size_t len = (size_t)c->stream[6] << 8 | c->stream[7];
			if (len < PACKET_HEADER || len > PACKET_MAX) {
				errno = EPROTO; /* not our server: the stream cannot be framed */
				return -1;
			}
			if (c->have < len)
				break;
			account(c, c->stream, len, now, 0);
			memmove(c->stream, c->stream + len, c->have - len);
			c->have -= len;
		}
		return 1;
	}
	ssize_t n = recvmsg(c->fd, &msg, wait ? 0 : MSG_DONTWAIT);
	if (n < 0)
		return errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR ? 0 : -1;
	int64_t now = probe_now_ns(), kernel = 0;
	for (struct cmsghdr *cm = CMSG_FIRSTHDR(&msg); cm; cm = CMSG_NXTHDR(&msg, cm))
		if (cm->cmsg_level == SOL_SOCKET && cm->cmsg_type == SCM_TIMESTAMPNS) {
			struct timespec ts;
			memcpy(&ts, CMSG_DATA(cm), sizeof(ts));
			kernel = probe_timespec_ns(&ts);
		}
	account(c, buf, (size_t)n, now, kernel);
	return 1;
}

static bool answered(const struct client *c, uint64_t seq)
{
	return c->got[seq];
}

/* Receives until DEADLINE (monotonic ns) passes, or until seq WANT has its
 * reply when WANT is not 0, or until every probe sent has one with ALL.
 * The deadline is a timerfd's. Returns 0, or -1 on an error. */
static int wait_until(struct client *c, int64_t deadline, uint64_t want, bool all)
{
	struct itimerspec its = { .it_value = { .tv_sec = deadline / 1000000000, .tv_nsec = deadline % 1000000000 } };
	if (deadline <= 0)
		its.it_value.tv_nsec = 1; /* 0 would disarm it: the past, at once */
	if (timerfd_settime(c->tfd, TFD_TIMER_ABSTIME, &its, NULL))
		return -1;
	for (;;) {
		if ((want && answered(c, want)) || (all && c->r->received + c->r->late >= c->last - c->first + 1) ||
		    probe_interrupted()) {
			/* done before the deadline: disarmed, so it does not fire
			 * beside the sleep that may follow and delay its wake-up */
			struct itimerspec off = { 0 };
			timerfd_settime(c->tfd, 0, &off, NULL);
			return 0;
		}
		struct pollfd pfd[2] = { { .fd = c->fd, .events = POLLIN }, { .fd = c->tfd, .events = POLLIN } };
		int n = ppoll(pfd, 2, NULL, NULL);
		if (n < 0 && errno != EINTR)
			return -1;
		if (n <= 0)
			continue;
		if ((pfd[0].revents & (POLLIN | POLLERR | POLLHUP)) && receive(c, false) < 0)
			return -1;
		if (pfd[1].revents & POLLIN) {
			uint64_t ticks;
			if (read(c->tfd, &ticks, sizeof(ticks)) < 0 && errno != EAGAIN)
				return -1;
			return 0;
		}
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

/* A probe built before its time, so that nothing but two clock reads lies
 * between the wake-up and the send: its stamp is the time it is due (the
 * server only checks it is within 30 s; the network share is reckoned from
 * the stamp taken at the send). */
struct built {
	unsigned char buf[PACKET_MAX];
	size_t len;
	uint64_t seq;
};

static void build_probe(struct client *c, struct built *b, uint64_t seq, int64_t due)
{
	int64_t now = probe_now_ns();
	struct probe p = { .type = PACKET_REQUEST, .session = c->session, .seq = seq,
			   .stamp = (uint64_t)(probe_clock_ns(CLOCK_REALTIME) + (due > now ? due - now : 0)) };
	b->len = packet_build(b->buf, (size_t)c->o->size, &p, &c->o->key);
	b->seq = seq;
	c->due[seq] = due;
}

/* An error on the socket, with the likely cause of a refusal: over UDP the
 * kernel reports an ICMP port unreachable as ECONNREFUSED on the next send
 * or receive, which says no server listens there. */
static void socket_error(const struct client *c, const char *doing, char *err, size_t errsz)
{
	int e = errno;
	snprintf(err, errsz, "%s %s: %s%s", doing, c->r->peer, strerror(e),
		 e == ECONNREFUSED ? " (is latdoc rtt --serve running there?)" : "");
}

static int send_built(struct client *c, const struct built *b, char *err, size_t errsz)
{
	uint64_t seq = b->seq;
	c->sent_real[seq] = probe_clock_ns(CLOCK_REALTIME);
	c->sent[seq] = probe_now_ns();
	if (!c->due[seq])
		c->due[seq] = c->sent[seq];
	if (send(c->fd, b->buf, b->len, MSG_NOSIGNAL) != (ssize_t)b->len) {
		socket_error(c, "sending to", err, errsz);
		return -1;
	}
	c->last = seq;
	return 0;
}

static int send_probe(struct client *c, uint64_t seq, char *err, size_t errsz)
{
	struct built b;
	build_probe(c, &b, seq, 0);
	return send_built(c, &b, err, errsz);
}

/* Back to back: the reply of SEQ, or its timeout. */
static int wait_reply(struct client *c, uint64_t seq)
{
	int64_t until = c->sent[seq] + (int64_t)(c->o->timeout_s * 1e9);
	if (!c->blocking)
		return wait_until(c, until, seq, false);
	/* one call a reply, as sockperf does: the socket's own timeout */
	while (!answered(c, seq) && probe_now_ns() < until && !probe_interrupted())
		if (receive(c, true) < 0)
			return -1;
	return 0;
}

/* Nothing came back from anyone: stop, rather than time out every probe. */
static bool give_up(struct client *c, int64_t start)
{
	if (c->replies || c->last < RTT_GIVE_UP_PROBES || probe_now_ns() - start < RTT_GIVE_UP_NS)
		return false;
	c->r->gave_up = true;
	return true;
}

/* Back to back, not counted, for up to RTT_WARMUP_NS. */
static int warm_up(struct client *c, int64_t start, char *err, size_t errsz)
{
	uint64_t seq = 1;
	for (; seq <= RTT_WARMUP_MAX && probe_now_ns() - start < RTT_WARMUP_NS; seq++) {
		if (probe_interrupted() || give_up(c, start))
			break;
		if (send_probe(c, seq, err, errsz))
			return -1;
		if (wait_reply(c, seq)) {
			socket_error(c, "receiving from", err, errsz);
			return -1;
		}
	}
	c->first = seq;
	c->r->warmup = seq - 1;
	return 0;
}

static int run(struct client *c, long long total, char *err, size_t errsz)
{
	const struct rtt_client_options *o = c->o;
	int64_t start = probe_now_ns(), last = 0;
	uint64_t rnd = 0x2545f4914f6cdd1dULL ^ (uint64_t)start;

	if (warm_up(c, start, err, errsz))
		return -1;
	int64_t begin = probe_now_ns(), next = begin;
	int64_t end = o->duration_s > 0 ? begin + (int64_t)(o->duration_s * 1e9) : INT64_MAX;
	for (uint64_t seq = c->first; seq < c->first + (uint64_t)total; seq++) {
		struct built b;
		if (probe_interrupted() || give_up(c, start) || probe_now_ns() >= end)
			break;
		if (o->interval_ns) {
			/* jitter of +-10%, so the schedule cannot be learnt */
			int64_t span = o->interval_ns / 5;
			int64_t jitter = span ? (int64_t)(probe_random(&rnd) % (uint64_t)span) - o->interval_ns / 10 : 0;
			if (seq > c->first)
				next += o->interval_ns + jitter;
			if (next >= end)
				break;
			build_probe(c, &b, seq, next);
			/* the socket is watched until every reply is in; the rest of
			 * the wait is a sleep to the deadline, as cyclictest's, without
			 * a poll's wake-up path */
			if (wait_until(c, next, 0, true)) {
				socket_error(c, "receiving from", err, errsz);
				return -1;
			}
			if (probe_interrupted() || (probe_now_ns() < next && !probe_sleep_until(next)))
				break;
		} else {
			build_probe(c, &b, seq, 0);
		}
		if (send_built(c, &b, err, errsz))
			return -1;
		c->r->sent++;
		if (o->interval_ns)
			samples_add(&c->late, c->sent[seq] - c->due[seq]);
		else if (wait_reply(c, seq)) {
			socket_error(c, "receiving from", err, errsz);
			return -1;
		}
		live_line(c, &last);
	}
	/* stragglers, each until its own timeout: an error now only ends the wait */
	if (c->r->sent && !probe_interrupted() && !c->r->gave_up)
		wait_until(c, c->sent[c->last] + (int64_t)(o->timeout_s * 1e9), 0, true);
	c->r->elapsed_s = (double)(probe_now_ns() - begin) / 1e9;
	c->r->interrupted = probe_interrupted();
	c->r->silent = !c->replies && c->last;
	c->r->trickled = c->r->silent && c->bytes_in;
	if (o->live)
		fprintf(stderr, "\r\033[K");
	return 0;
}

int rtt_run(const struct rtt_client_options *o, struct rtt_result *r, char *err, size_t errsz)
{
	struct client *c = calloc(1, sizeof(*c));
	long long total = o->count;
	int rc = -1;

	memset(r, 0, sizeof(*r));
	if (!c) {
		snprintf(err, errsz, "out of memory");
		return -1;
	}
	c->o = o;
	c->r = r;
	c->fd = c->tfd = -1;
	c->first = UINT64_MAX; /* warming up: nothing counts yet */
	r->tcp = o->tcp;
	r->paced = o->interval_ns > 0;
	if (!total)
		total = o->interval_ns ? (long long)(o->duration_s * 1e9 / (double)o->interval_ns * 1.2) + 16
				       : MAX_PROBES;
	if (total > MAX_PROBES)
		total = MAX_PROBES;
	size_t slots = (size_t)total + RTT_WARMUP_MAX + 2;
	c->session = (uint64_t)probe_now_ns() * 0x9e3779b97f4a7c15ULL ^ (uint64_t)getpid();
	c->due = calloc(slots, sizeof(*c->due));
	c->sent = calloc(slots, sizeof(*c->sent));
	c->sent_real = calloc(slots, sizeof(*c->sent_real));
	c->got = calloc(slots, 1);
	if (!c->due || !c->sent || !c->sent_real || !c->got || samples_init(&c->rtt, (size_t)total) ||
	    samples_init(&c->from_due, (size_t)total) || samples_init(&c->net, (size_t)total) ||
	    samples_init(&c->late, (size_t)total)) {
		snprintf(err, errsz, "out of memory");
		goto out;
	}
	c->tfd = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC | TFD_NONBLOCK);
	if (c->tfd < 0) {
		snprintf(err, errsz, "timerfd: %s", strerror(errno));
		goto out;
	}
	/* the timer fires within the thread's slack: 1 ns, not 50 us */
	prctl(PR_SET_TIMERSLACK, 1UL, 0, 0, 0);
	if (connect_to(c, err, errsz) || run(c, total, err, errsz))
		goto out;
	r->lost = r->sent - r->received;
	samples_summarise(&c->rtt, &r->rtt);
	samples_summarise(&c->from_due, &r->from_due);
	samples_summarise(&c->net, &r->network);
	samples_summarise(&c->late, &r->send_late);
	rc = 0;
out:
	if (c->fd >= 0)
		close(c->fd);
	if (c->tfd >= 0)
		close(c->tfd);
	free(c->due);
	free(c->sent);
	free(c->sent_real);
	free(c->got);
	samples_free(&c->rtt);
	samples_free(&c->from_due);
	samples_free(&c->net);
	samples_free(&c->late);
	free(c);
	return rc;
}

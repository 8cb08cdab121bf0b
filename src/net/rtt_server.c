/* The rtt server, safe to leave running: it answers well-formed requests
 * only, a reply is never larger than its request, with a key only
 * authenticated and unreplayed probes are answered, each source address has
 * a packet rate, and all its memory is taken at start. */
#include "rtt.h"

#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

#include "../measure/probe.h"
#include "addr.h"

#define TABLE 4096     /* sources tracked for rate and replay */
#define QUEUE 4096     /* replies held for --delay-us */
#define MAX_CONNS 64

struct source {
	struct sockaddr_storage addr; /* address only, port zeroed (rate) */
	double tokens;
	int64_t at;
	bool used;
};

struct window {
	struct sockaddr_storage addr; /* with port */
	uint64_t session, top, bits;
	bool used;
};

struct pending {
	int64_t due;
	int conn; /* -1: UDP to addr */
	struct sockaddr_storage addr;
	socklen_t addrlen;
	uint16_t len;
	unsigned char head[PACKET_HEADER];
};

struct conn {
	int fd;
	size_t have;
	unsigned char buf[PACKET_MAX];
};

struct server {
	const struct rtt_server_options *o;
	struct rtt_server_stats *st;
	struct source *sources;
	struct window *windows;
	struct pending *queue;
	size_t qhead, qcount;
	struct conn *conns;
	int udp, tcp;
	/* taken once at start: receiving allocates nothing */
	struct mmsghdr *mmsg;
	struct iovec *iov;
	struct sockaddr_storage *from;
	unsigned char *bufs;
};

/* set by SIGINT/SIGTERM, read by both threads: a lock-free atomic is safe in
 * a signal handler */
static atomic_int stopping;

static void on_signal(int sig)
{
	(void)sig;
	stopping = 1;
}

static uint64_t hash_addr(const struct sockaddr_storage *a, bool with_port, uint64_t extra)
{
	const unsigned char *p;
	size_t n;
	uint64_t h = 1469598103934665603ULL ^ extra;
	if (a->ss_family == AF_INET) {
		const struct sockaddr_in *in = (const struct sockaddr_in *)a;
		p = (const unsigned char *)&in->sin_addr;
		n = 4;
		h ^= with_port ? in->sin_port : 0;
	} else {
		const struct sockaddr_in6 *in6 = (const struct sockaddr_in6 *)a;
		p = (const unsigned char *)&in6->sin6_addr;
		n = 16;
		h ^= with_port ? in6->sin6_port : 0;
	}
	for (size_t i = 0; i < n; i++)
		h = (h ^ p[i]) * 1099511628211ULL;
	return h;
}

static bool same_addr(const struct sockaddr_storage *a, const struct sockaddr_storage *b, bool port)
{
	if (a->ss_family != b->ss_family)
		return false;
	if (a->ss_family == AF_INET) {
		const struct sockaddr_in *x = (const void *)a, *y = (const void *)b;
		return x->sin_addr.s_addr == y->sin_addr.s_addr && (!port || x->sin_port == y->sin_port);
	}
	const struct sockaddr_in6 *x = (const void *)a, *y = (const void *)b;
	return !memcmp(&x->sin6_addr, &y->sin6_addr, 16) && (!port || x->sin6_port == y->sin6_port);
}

/* A token bucket per source address: a burst of a tenth of a second. */
static bool rate_ok(struct server *s, const struct sockaddr_storage *from, int64_t now)
{
	struct source *src = &s->sources[hash_addr(from, false, 0) % TABLE];
	double burst = s->o->rate_pps / 10.0 + 1;
	if (!src->used || !same_addr(&src->addr, from, false)) {
		/* a new source takes the slot: memory stays bounded under a flood */
		memset(src, 0, sizeof(*src));
		src->addr = *from;
		src->used = true;
		src->tokens = burst;
		src->at = now;
	}
	src->tokens += (double)(now - src->at) * 1e-9 * (double)s->o->rate_pps;
	if (src->tokens > burst)
		src->tokens = burst;
	src->at = now;
	if (src->tokens < 1)
		return false;
	src->tokens -= 1;
	return true;
}

/* The last 64 sequence numbers of each (source, session), as IPsec does. */
static bool fresh(struct server *s, const struct sockaddr_storage *from, const struct probe *p)
{
	struct window *w = &s->windows[hash_addr(from, true, p->session) % TABLE];
	if (!w->used || w->session != p->session || !same_addr(&w->addr, from, true)) {
		memset(w, 0, sizeof(*w));
		w->addr = *from;
		w->session = p->session;
		w->used = true;
	}
	if (p->seq > w->top) {
		uint64_t shift = p->seq - w->top;
		w->bits = shift >= 64 ? 0 : w->bits << shift;
		w->bits |= 1;
		w->top = p->seq;
		return true;
	}
	uint64_t back = w->top - p->seq;
	if (back >= 64 || (w->bits >> back & 1))
		return false;
	w->bits |= 1ULL << back;
	return true;
}

/* The reply: the request's header with the reply type, zero padding, and
 * the MAC made again. Its size is the request's. */
static size_t reply(const struct server *s, const struct pending *q, unsigned char *out)
{
	memset(out, 0, q->len);
	memcpy(out, q->head, PACKET_HEADER);
	packet_make_reply(out, q->len, &s->o->key);
	return q->len;
}

static void send_now(struct server *s, const struct pending *q)
{
	unsigned char buf[PACKET_MAX];
	size_t n = reply(s, q, buf);
	if (q->conn < 0) {
		if (sendto(s->udp, buf, n, MSG_DONTWAIT, (const struct sockaddr *)&q->addr, q->addrlen) == (ssize_t)n)
			s->st->answered++;
	} else if (s->conns[q->conn].fd >= 0) {
		if (send(s->conns[q->conn].fd, buf, n, MSG_DONTWAIT | MSG_NOSIGNAL) == (ssize_t)n)
			s->st->answered++;
	}
}

/* A request that passed every check: answer now, or queue it. */
static void answer(struct server *s, int conn, const struct sockaddr_storage *from, socklen_t fromlen,
		   const unsigned char *buf, size_t len, int64_t now)
{
	struct pending q = { .due = now + s->o->delay_us * 1000, .conn = conn, .addrlen = fromlen,
			     .len = (uint16_t)len };
	if (from)
		q.addr = *from;
	memcpy(q.head, buf, PACKET_HEADER);
	if (!s->o->delay_us) {
		send_now(s, &q);
		return;
	}
	if (s->qcount == QUEUE) {
		s->st->dropped_queue++;
		return;
	}
	s->queue[(s->qhead + s->qcount++) % QUEUE] = q;
}

static void handle(struct server *s, int conn, const struct sockaddr_storage *from, socklen_t fromlen,
		   const unsigned char *buf, size_t len)
{
	struct probe p;
	int64_t now = probe_now_ns();
	enum packet_verdict v = packet_parse(buf, len, &s->o->key, &p);

	if (v != PACKET_OK) {
		s->st->refused[v]++;
		return;
	}
	if (p.type != PACKET_REQUEST) {
		s->st->not_request++; /* a reply sent back at us: never answer, no loops */
		return;
	}
	if (from && !rate_ok(s, from, now)) {
		s->st->rate_limited++;
		return;
	}
	if (s->o->key.len && from && !fresh(s, from, &p)) {
		s->st->replayed++;
		return;
	}
	answer(s, conn, from, fromlen, buf, len, now);
}

#define BATCH 64

static void take_batch(struct server *s, int n)
{
	struct mmsghdr *m = s->mmsg;
	for (int i = 0; i < n; i++) {
		/* a datagram larger than the buffer is cut: refused as oversized */
		size_t len = m[i].msg_hdr.msg_flags & MSG_TRUNC ? PACKET_MAX + 1 : m[i].msg_len;
		handle(s, -1, &s->from[i], m[i].msg_hdr.msg_namelen, s->iov[i].iov_base, len);
	}
}

static void arm_batch(struct server *s)
{
	for (int i = 0; i < BATCH; i++) {
		s->iov[i] = (struct iovec){ s->bufs + (size_t)i * (PACKET_MAX + 1), PACKET_MAX + 1 };
		s->mmsg[i].msg_hdr = (struct msghdr){ .msg_name = &s->from[i], .msg_namelen = sizeof(s->from[i]),
						      .msg_iov = &s->iov[i], .msg_iovlen = 1 };
	}
}

/* One recvmmsg takes what is waiting, up to a batch, without the extra call
 * that would find the socket empty; a bounded batch, so TCP and the queue
 * are not starved by a flood. */
static void on_udp(struct server *s)
{
	arm_batch(s);
	take_batch(s, recvmmsg(s->udp, s->mmsg, BATCH, MSG_DONTWAIT, NULL));
}

/* Without held replies, UDP has a thread of its own that waits in recvmmsg:
 * a probe costs the server one call to receive and one to answer, as in
 * sockperf, not a poll first. It touches only the UDP tables, and keeps its
 * own counts. */
struct udp_thread {
	struct server s; /* a copy: the same tables, its own counts */
	struct rtt_server_stats st;
	int64_t end;
};

static void *udp_main(void *arg)
{
	struct udp_thread *t = arg;
	while (!stopping && probe_now_ns() < t->end) {
		arm_batch(&t->s);
		int n = recvmmsg(t->s.udp, t->s.mmsg, BATCH, MSG_WAITFORONE, NULL);
		if (n > 0)
			take_batch(&t->s, n);
	}
	return NULL;
}

static void close_conn(struct server *s, int i)
{
	close(s->conns[i].fd);
	s->conns[i].fd = -1;
	s->st->tcp_closed++;
}

static void on_accept(struct server *s)
{
	int fd = accept4(s->tcp, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
	if (fd < 0)
		return;
	for (int i = 0; i < MAX_CONNS; i++)
		if (s->conns[i].fd < 0) {
			int one = 1;
			setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
			s->conns[i].fd = fd;
			s->conns[i].have = 0;
			return;
		}
	close(fd); /* full: bounded */
}

/* A TCP stream carries packets back to back; the length field frames them. */
static void on_conn(struct server *s, int i)
{
	struct conn *c = &s->conns[i];
	ssize_t n = recv(c->fd, c->buf + c->have, sizeof(c->buf) - c->have, MSG_DONTWAIT);
	if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR)) {
		close_conn(s, i);
		return;
	}
	if (n < 0)
		return;
	c->have += (size_t)n;
	while (c->have >= 8) {
		size_t len = (size_t)c->buf[6] << 8 | c->buf[7];
		if (memcmp(c->buf, PACKET_MAGIC, 4) || len < PACKET_HEADER || len > PACKET_MAX) {
			s->st->refused[memcmp(c->buf, PACKET_MAGIC, 4) ? PACKET_MAGIC_BAD : PACKET_LENGTH_BAD]++;
			close_conn(s, i); /* the stream cannot be framed again */
			return;
		}
		if (c->have < len)
			return;
		handle(s, i, NULL, 0, c->buf, len);
		memmove(c->buf, c->buf + len, c->have - len);
		c->have -= len;
	}
}

/* A held reply leaves on time: the loop wakes up to SPIN_NS early (a wake-up
 * from idle is itself late by tens of microseconds) and spins the rest. */
#define SPIN_NS 150000

static void flush_due(struct server *s, int64_t now)
{
	while (s->qcount && s->queue[s->qhead].due - SPIN_NS <= now) {
		while (probe_now_ns() < s->queue[s->qhead].due)
			;
		send_now(s, &s->queue[s->qhead]);
		s->qhead = (s->qhead + 1) % QUEUE;
		s->qcount--;
	}
}

static int open_sockets(struct server *s, char *err, size_t errsz)
{
	struct sockaddr_storage addr;
	socklen_t len;
	int one = 1;

	if (net_resolve(s->o->listen, true, SOCK_DGRAM, &addr, &len, err, errsz))
		return -1;
	/* blocking: the UDP thread waits in recvmmsg; the poll loop passes
	 * MSG_DONTWAIT itself */
	s->udp = socket(addr.ss_family, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	s->tcp = socket(addr.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (s->udp < 0 || s->tcp < 0) {
		snprintf(err, errsz, "socket: %s", strerror(errno));
		return -1;
	}
	setsockopt(s->tcp, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	struct timeval tv = { .tv_sec = 0, .tv_usec = 200000 }; /* to look at the stop flag */
	setsockopt(s->udp, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	if (bind(s->udp, (struct sockaddr *)&addr, len) || bind(s->tcp, (struct sockaddr *)&addr, len) ||
	    listen(s->tcp, 16)) {
		snprintf(err, errsz, "cannot listen on %s: %s", s->o->listen, strerror(errno));
		return -1;
	}
	return 0;
}

int rtt_serve(const struct rtt_server_options *o, struct rtt_server_stats *st, char *err, size_t errsz)
{
	struct server s = { .o = o, .st = st, .udp = -1, .tcp = -1 };
	int rc = -1;

	memset(st, 0, sizeof(*st));
	stopping = 0;
	s.sources = calloc(TABLE, sizeof(*s.sources));
	s.windows = calloc(TABLE, sizeof(*s.windows));
	s.queue = calloc(QUEUE, sizeof(*s.queue));
	s.conns = calloc(MAX_CONNS, sizeof(*s.conns));
	s.mmsg = calloc(BATCH, sizeof(*s.mmsg));
	s.iov = calloc(BATCH, sizeof(*s.iov));
	s.from = calloc(BATCH, sizeof(*s.from));
	s.bufs = malloc((size_t)BATCH * (PACKET_MAX + 1));
	if (!s.sources || !s.windows || !s.queue || !s.conns || !s.mmsg || !s.iov || !s.from || !s.bufs) {
		snprintf(err, errsz, "out of memory");
		goto out;
	}
	for (int i = 0; i < MAX_CONNS; i++)
		s.conns[i].fd = -1;
	if (open_sockets(&s, err, errsz))
		goto out;
	struct sigaction sa = { .sa_handler = on_signal };
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	/* a held reply leaves on time, not 50 us late */
	prctl(PR_SET_TIMERSLACK, 1UL, 0, 0, 0);
	int64_t end = o->duration_s > 0 ? probe_now_ns() + (int64_t)(o->duration_s * 1e9) : INT64_MAX;
	struct udp_thread *ut = NULL;
	pthread_t tid;
	if (!o->delay_us && (ut = calloc(1, sizeof(*ut)))) {
		ut->s = s;
		ut->s.st = &ut->st;
		ut->end = end;
		if (pthread_create(&tid, NULL, udp_main, ut)) {
			free(ut);
			ut = NULL;
		}
	}
	struct pollfd pfd[2 + MAX_CONNS];
	while (!stopping && probe_now_ns() < end) {
		int n = 0, map[MAX_CONNS];
		/* with its thread, UDP is not this loop's */
		pfd[n++] = (struct pollfd){ .fd = ut ? -1 : s.udp, .events = POLLIN };
		pfd[n++] = (struct pollfd){ .fd = s.tcp, .events = POLLIN };
		for (int i = 0; i < MAX_CONNS; i++)
			if (s.conns[i].fd >= 0) {
				map[n - 2] = i;
				pfd[n++] = (struct pollfd){ .fd = s.conns[i].fd, .events = POLLIN };
			}
		int64_t now = probe_now_ns(), wait = end - now;
		if (s.qcount && s.queue[s.qhead].due - SPIN_NS - now < wait)
			wait = s.queue[s.qhead].due - SPIN_NS - now;
		if (wait > 200000000)
			wait = 200000000; /* look at the stop flag now and then */
		if (wait < 0)
			wait = 0;
		struct timespec ts = { .tv_sec = wait / 1000000000, .tv_nsec = wait % 1000000000 };
		if (ppoll(pfd, (nfds_t)n, &ts, NULL) > 0) {
			if (pfd[0].revents & POLLIN)
				on_udp(&s);
			if (pfd[1].revents & POLLIN)
				on_accept(&s);
			for (int i = 2; i < n; i++)
				if (pfd[i].revents & (POLLIN | POLLHUP | POLLERR))
					on_conn(&s, map[i - 2]);
		}
		flush_due(&s, probe_now_ns());
	}
	if (ut) {
		stopping = 1;
		pthread_join(tid, NULL);
		st->answered += ut->st.answered;
		for (int v = 0; v <= PACKET_MAC_BAD; v++)
			st->refused[v] += ut->st.refused[v];
		st->not_request += ut->st.not_request;
		st->replayed += ut->st.replayed;
		st->rate_limited += ut->st.rate_limited;
		free(ut);
	}
	rc = 0;
out:
	for (int i = 0; s.conns && i < MAX_CONNS; i++)
		if (s.conns[i].fd >= 0)
			close(s.conns[i].fd);
	if (s.udp >= 0)
		close(s.udp);
	if (s.tcp >= 0)
		close(s.tcp);
	free(s.sources);
	free(s.windows);
	free(s.queue);
	free(s.conns);
	free(s.mmsg);
	free(s.iov);
	free(s.from);
	free(s.bufs);
	return rc;
}

/* The rtt server, safe to leave running: it answers well-formed requests
 * only, a reply is never larger than its request, with a key only signed
 * probes never seen before are answered (over UDP and TCP alike), each
 * source address has a packet rate, idle TCP connections are closed and
 * one address cannot hold every slot nor every held reply, and all its
 * memory is taken at start (guard.h). */
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
#include <sys/random.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

#include "../lib/peer.h"
#include "../measure/probe.h"
#include "addr.h"
#include "guard.h"

#define QUEUE 4096     /* replies held for --delay */
#define QUEUE_PER_ADDRESS (QUEUE / 4) /* the rest stays for others */
#define MAX_CONNS 64
#define CONNS_PER_ADDRESS (MAX_CONNS / 4) /* the rest stays for others */
#define IDLE_NS (120 * 1000000000LL)      /* a TCP connection with no probe answered this long is closed */
/* when full, one that never had a probe answered makes room, or one
 * without a probe answered this long */
#define EVICT_IDLE_NS 1000000000LL

struct pending {
	int64_t due;
	int conn;     /* -1: UDP to addr */
	uint64_t gen; /* the connection it came on: a slot reused is another */
	struct sockaddr_storage addr;
	socklen_t addrlen;
	uint16_t len;
	unsigned char head[PACKET_HEADER];
};

struct conn {
	int fd;
	uint64_t gen;
	struct sockaddr_storage peer;
	/* when it was accepted or last had a probe answered: bytes that never
	 * make a probe (one every second, a header claiming 9000) do not keep
	 * a slot */
	int64_t last;
	bool answered; /* a probe of it was: a client's, not a stranger's */
	size_t have;
	unsigned char buf[PACKET_MAX];
};

struct server {
	const struct rtt_server_options *o;
	struct rtt_server_stats *st;
	/* shared by the UDP thread and the poll loop */
	struct replay *replay;
	struct limiter *limiter;
	pthread_mutex_t *lock;
	/* the poll loop's alone: with --delay, UDP has no thread */
	struct pending *queue;
	size_t qhead, qcount;
	struct held *held; /* the queue's entries by source */
	struct conn *conns;
	uint64_t next_gen;
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

/* The reply: the request's header with the reply type, zero padding, and
 * the MAC made again. Its size is the request's. */
static size_t reply(const struct server *s, const struct pending *q, unsigned char *out)
{
	memset(out, 0, q->len);
	memcpy(out, q->head, PACKET_HEADER);
	packet_make_reply(out, q->len, &s->o->key);
	return q->len;
}

static void close_conn(struct server *s, int i);

static void send_now(struct server *s, const struct pending *q)
{
	unsigned char buf[PACKET_MAX];
	size_t n = reply(s, q, buf);
	if (q->conn < 0) {
		if (sendto(s->udp, buf, n, MSG_DONTWAIT, (const struct sockaddr *)&q->addr, q->addrlen) == (ssize_t)n)
			s->st->answered++;
	} else if (s->conns[q->conn].fd >= 0 && s->conns[q->conn].gen == q->gen) {
		ssize_t sent = send(s->conns[q->conn].fd, buf, n, MSG_DONTWAIT | MSG_NOSIGNAL);
		if (sent == (ssize_t)n)
			s->st->answered++;
		else if (sent > 0)
			/* part of a reply, to a peer that does not read: the
			 * rest of its stream would be read out of frame */
			close_conn(s, q->conn);
	}
}

/* A request that passed every check: answer now, or queue it. Whether it
 * was (or will be) answered. */
static bool answer(struct server *s, int conn, const struct sockaddr_storage *from, socklen_t fromlen,
		   const unsigned char *buf, size_t len, int64_t now)
{
	struct pending q = { .due = now + s->o->delay_us * 1000, .conn = conn, .addr = *from,
			     .addrlen = fromlen, .len = (uint16_t)len };
	if (conn >= 0)
		q.gen = s->conns[conn].gen;
	memcpy(q.head, buf, PACKET_HEADER);
	if (!s->o->delay_us) {
		send_now(s, &q);
		return true;
	}
	if (s->qcount == QUEUE || !held_take(s->held, from)) {
		s->st->dropped_queue++;
		return false;
	}
	s->queue[(s->qhead + s->qcount++) % QUEUE] = q;
	return true;
}

/* Whether the probe was answered (or held to be). */
static bool handle(struct server *s, int conn, const struct sockaddr_storage *from, socklen_t fromlen,
		   const unsigned char *buf, size_t len)
{
	struct probe p;
	int64_t now = probe_now_ns();
	enum packet_verdict v = packet_parse(buf, len, &s->o->key, &p);

	if (v != PACKET_OK) {
		s->st->refused[v]++;
		return false;
	}
	if (p.type != PACKET_REQUEST) {
		s->st->not_request++; /* a reply sent back at us: never answer, no loops */
		return false;
	}
	pthread_mutex_lock(s->lock);
	enum replay_verdict r = REPLAY_FRESH;
	/* replays first: a probe caught on the wire and played back from its
	 * sender's address (a UDP source is easy to forge) must not spend the
	 * sender's rate. A fresh one over the rate is recorded all the same:
	 * a client never sends a sequence number twice. */
	if (s->o->key.len)
		r = replay_check(s->replay, p.session, p.seq, (int64_t)p.stamp, probe_clock_ns(CLOCK_REALTIME));
	bool within_rate = r == REPLAY_FRESH && limiter_take(s->limiter, from, now);
	pthread_mutex_unlock(s->lock);
	if (r == REPLAY_STALE)
		s->st->stale++;
	else if (r != REPLAY_FRESH)
		s->st->replayed++;
	else if (!within_rate)
		s->st->rate_limited++;
	else
		return answer(s, conn, from, fromlen, buf, len, now);
	return false;
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
 * sockperf, not a poll first. It shares the replay record and the limiter
 * (under the lock) and keeps its own counts. */
struct udp_thread {
	struct server s; /* a copy: the same tables, its own counts */
	struct rtt_server_stats st;
	int64_t end;
};

static void *udp_main(void *arg)
{
	struct udp_thread *t = arg;
	sigset_t set;
	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
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

/* May C make room at NOW. A client sends its first probe within a round
 * trip of its connect, so one never answered may go at any age: a
 * stranger who keeps every slot with connections opened again before
 * they are a second old must open as many a round trip as there are
 * slots. */
static bool evictable(const struct conn *c, int64_t now)
{
	return !c->answered || now - c->last >= EVICT_IDLE_NS;
}

/* A slot for a connection from PEER: a free one while PEER holds fewer
 * than its share, else the evictable one longest without a probe answered
 * (of PEER's own when it is at its share); -1 for none. Addresses are
 * compared in peer.h's form, as the limiter and the held replies key them. */
static int slot_for(struct server *s, const struct sockaddr_storage *peer, int64_t now)
{
	int mine = 0, free_slot = -1, idlest = -1, idlest_mine = -1;
	unsigned char src[16], theirs[16];
	peer_address_bytes(peer, src);
	for (int i = 0; i < MAX_CONNS; i++) {
		struct conn *c = &s->conns[i];
		if (c->fd < 0) {
			if (free_slot < 0)
				free_slot = i;
			continue;
		}
		peer_address_bytes(&c->peer, theirs);
		bool same = !memcmp(theirs, src, sizeof(src));
		mine += same;
		if (!evictable(c, now))
			continue;
		if (idlest < 0 || c->last < s->conns[idlest].last)
			idlest = i;
		if (same && (idlest_mine < 0 || c->last < s->conns[idlest_mine].last))
			idlest_mine = i;
	}
	if (mine < CONNS_PER_ADDRESS && free_slot >= 0)
		return free_slot;
	int victim = mine >= CONNS_PER_ADDRESS ? idlest_mine : idlest;
	if (victim < 0)
		return -1;
	close_conn(s, victim);
	s->st->tcp_idle++;
	return victim;
}

static void on_accept(struct server *s)
{
	for (;;) {
		struct sockaddr_storage peer;
		socklen_t len = sizeof(peer);
		int fd = accept4(s->tcp, (struct sockaddr *)&peer, &len, SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (fd < 0)
			return;
		int64_t now = probe_now_ns();
		int i = slot_for(s, &peer, now);
		if (i < 0) {
			close(fd); /* bounded: refused, not queued */
			s->st->tcp_refused++;
			continue;
		}
		int one = 1;
		setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
		s->conns[i] = (struct conn){ .fd = fd, .gen = ++s->next_gen, .peer = peer, .last = now };
	}
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
		if (handle(s, i, &c->peer, sizeof(c->peer), c->buf, len)) {
			if (c->fd < 0)
				return; /* closed: a reply went out in part */
			c->last = probe_now_ns();
			c->answered = true;
		}
		memmove(c->buf, c->buf + len, c->have - len);
		c->have -= len;
	}
}

static void close_idle(struct server *s, int64_t now)
{
	for (int i = 0; i < MAX_CONNS; i++)
		if (s->conns[i].fd >= 0 && now - s->conns[i].last >= IDLE_NS) {
			close_conn(s, i);
			s->st->tcp_idle++;
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
		held_release(s->held, &s->queue[s->qhead].addr);
		s->qhead = (s->qhead + 1) % QUEUE;
		s->qcount--;
	}
}

/* ":PORT" (no host) listens on IPv6 and IPv4 alike: one socket of each
 * type bound to [::] with IPV6_V6ONLY off, or 0.0.0.0 where there is no
 * IPv6. */
static int listen_address(const char *spec, struct sockaddr_storage *addr, socklen_t *len, bool *dual,
			  char *err, size_t errsz)
{
	if (net_resolve(spec, true, SOCK_DGRAM, addr, len, err, errsz))
		return -1;
	*dual = spec[0] == ':';
	if (*dual) {
		uint16_t port = addr->ss_family == AF_INET ? ((struct sockaddr_in *)addr)->sin_port
							   : ((struct sockaddr_in6 *)addr)->sin6_port;
		struct sockaddr_in6 any = { .sin6_family = AF_INET6, .sin6_port = port, .sin6_addr = in6addr_any };
		memset(addr, 0, sizeof(*addr));
		memcpy(addr, &any, sizeof(any));
		*len = sizeof(any);
	}
	return 0;
}

static int bind_both(struct server *s, const struct sockaddr_storage *addr, socklen_t len, bool dual)
{
	int one = 1, zero = 0;
	/* blocking: the UDP thread waits in recvmmsg; the poll loop passes
	 * MSG_DONTWAIT itself */
	s->udp = socket(addr->ss_family, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	s->tcp = socket(addr->ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (s->udp < 0 || s->tcp < 0)
		return -1;
	if (dual) {
		setsockopt(s->udp, IPPROTO_IPV6, IPV6_V6ONLY, &zero, sizeof(zero));
		setsockopt(s->tcp, IPPROTO_IPV6, IPV6_V6ONLY, &zero, sizeof(zero));
	}
	setsockopt(s->tcp, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	struct timeval tv = { .tv_sec = 0, .tv_usec = 200000 }; /* to look at the stop flag */
	setsockopt(s->udp, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	if (bind(s->udp, (const struct sockaddr *)addr, len) || bind(s->tcp, (const struct sockaddr *)addr, len) ||
	    listen(s->tcp, 64))
		return -1;
	return 0;
}

static int open_sockets(struct server *s, char *where, size_t wheresz, char *err, size_t errsz)
{
	struct sockaddr_storage addr;
	socklen_t len;
	bool dual;

	if (listen_address(s->o->listen, &addr, &len, &dual, err, errsz))
		return -1;
	int rc = bind_both(s, &addr, len, dual);
	if (rc && dual && errno == EAFNOSUPPORT) {
		/* no IPv6 here: every IPv4 address */
		uint16_t port = ((struct sockaddr_in6 *)&addr)->sin6_port;
		struct sockaddr_in any = { .sin_family = AF_INET, .sin_port = port, .sin_addr.s_addr = INADDR_ANY };
		memset(&addr, 0, sizeof(addr));
		memcpy(&addr, &any, sizeof(any));
		len = sizeof(any);
		dual = false;
		if (s->udp >= 0)
			close(s->udp);
		if (s->tcp >= 0)
			close(s->tcp);
		rc = bind_both(s, &addr, len, false);
	}
	if (rc) {
		snprintf(err, errsz, "cannot listen on %s: %s", s->o->listen, strerror(errno));
		return -1;
	}
	net_format((struct sockaddr *)&addr, where, wheresz);
	if (dual) {
		size_t n = strlen(where);
		snprintf(where + n, wheresz - n, " (IPv6 and IPv4)");
	}
	return 0;
}

int rtt_serve(const struct rtt_server_options *o, struct rtt_server_stats *st, char *err, size_t errsz)
{
	pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
	struct server s = { .o = o, .st = st, .udp = -1, .tcp = -1, .lock = &lock };
	unsigned char key[16];
	char where[96];
	int rc = -1;

	memset(st, 0, sizeof(*st));
	stopping = 0;
	/* the hashes are keyed: no one outside can pick colliding sources */
	if (getrandom(key, sizeof(key), 0) != (ssize_t)sizeof(key)) {
		snprintf(err, errsz, "no random key for the server's tables: %s", strerror(errno));
		return -1;
	}
	s.replay = replay_new(key, probe_clock_ns(CLOCK_REALTIME));
	s.limiter = limiter_new(key, (double)o->rate_pps);
	s.queue = calloc(QUEUE, sizeof(*s.queue));
	s.held = held_new(key, QUEUE_PER_ADDRESS);
	s.conns = calloc(MAX_CONNS, sizeof(*s.conns));
	s.mmsg = calloc(BATCH, sizeof(*s.mmsg));
	s.iov = calloc(BATCH, sizeof(*s.iov));
	s.from = calloc(BATCH, sizeof(*s.from));
	s.bufs = malloc((size_t)BATCH * (PACKET_MAX + 1));
	if (!s.replay || !s.limiter || !s.queue || !s.held || !s.conns || !s.mmsg || !s.iov || !s.from || !s.bufs) {
		snprintf(err, errsz, "out of memory");
		goto out;
	}
	for (int i = 0; i < MAX_CONNS; i++)
		s.conns[i].fd = -1;
	if (open_sockets(&s, where, sizeof(where), err, errsz))
		goto out;
	if (o->ready)
		o->ready(where, o->ready_arg);
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
			wait = 200000000; /* look at the stop flag and idle connections now and then */
		if (wait < 0)
			wait = 0;
		struct timespec ts = { .tv_sec = wait / 1000000000, .tv_nsec = wait % 1000000000 };
		if (ppoll(pfd, (nfds_t)n, &ts, NULL) > 0) {
			if (pfd[0].revents & POLLIN)
				on_udp(&s);
			for (int i = 2; i < n; i++)
				if (pfd[i].revents & (POLLIN | POLLHUP | POLLERR))
					on_conn(&s, map[i - 2]);
			/* after the open ones had their turn: a silent one may go */
			if (pfd[1].revents & POLLIN)
				on_accept(&s);
		}
		now = probe_now_ns();
		flush_due(&s, now);
		close_idle(&s, now);
	}
	if (ut) {
		stopping = 1;
		pthread_join(tid, NULL);
		st->answered += ut->st.answered;
		for (int v = 0; v <= PACKET_MAC_BAD; v++)
			st->refused[v] += ut->st.refused[v];
		st->not_request += ut->st.not_request;
		st->replayed += ut->st.replayed;
		st->stale += ut->st.stale;
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
	replay_free(s.replay);
	limiter_free(s.limiter);
	free(s.queue);
	held_free(s.held);
	free(s.conns);
	free(s.mmsg);
	free(s.iov);
	free(s.from);
	free(s.bufs);
	return rc;
}

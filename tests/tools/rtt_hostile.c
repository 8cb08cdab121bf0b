/* What a hostile or broken peer does to a latdoc rtt server, for the tests.
 * Each mode prints lines "CASE SENT-BYTES ANSWERED-BYTES" (0: no reply):
 *   rtt_hostile HOST PORT [KEYFILE]
 *       malformed probes, one datagram a case, 300 ms to answer; then a
 *       flood of garbage from 50 ports, then one valid probe more;
 *   rtt_hostile replay HOST PORT KEYFILE
 *       one signed probe caught and played back: from 50 new source ports,
 *       after 20,000 probes of other sessions, over TCP on the same and on
 *       a new connection, and one stamped a minute ago;
 *   rtt_hostile drain HOST PORT KEYFILE
 *       one signed probe caught and played back 200 times from its
 *       sender's address (another port: a forged source), then 5 fresh
 *       probes from the sender: "drain SENT ANSWERED" for those 5;
 *   rtt_hostile rate HOST PORT
 *       200 probes from HOST's own address interleaved with probes from
 *       4,000 other loopback addresses (127.1.x.y): "rate 200 ANSWERS MS",
 *       MS the time it took to send them;
 *   rtt_hostile hold HOST PORT N SECONDS
 *       opens N TCP connections and holds them, silent, for SECONDS;
 *   rtt_hostile dribble HOST PORT SECONDS
 *       opens 16 TCP connections from each of 127.0.0.10-13 (every slot,
 *       each address its share), starts a probe of 9000 bytes on each and
 *       sends it one byte every 0.5 s, never whole, for SECONDS;
 *   rtt_hostile churn HOST PORT SECONDS
 *       holds 16 TCP connections from each of 127.0.0.10-13 (every slot,
 *       each address its share), silent, each closed and opened again
 *       within 0.3 s, so none is ever a second old, for SECONDS;
 *   rtt_hostile queue HOST PORT
 *       floods well-formed probes from 127.0.0.20 (about 20,000 a second,
 *       for 1.5 s) while 127.0.0.21 sends 10, one every 0.1 s from 0.5 s
 *       in: "queue SENT ANSWERED" for 127.0.0.21's, against a server
 *       that holds replies 1 s (--delay 1s);
 *   rtt_hostile stall HOST PORT
 *       1000 probes of 9000 bytes over one TCP connection with a 4 kB
 *       receive buffer, none of the replies read until all are sent; then
 *       everything that comes: "stall RECEIVED-BYTES closed|open" (a reply
 *       the server could send only part of must end the connection, or
 *       the rest of the stream is read out of frame);
 *   rtt_hostile slot HOST PORT
 *       sends a probe over TCP and closes at once, then listens on a new
 *       connection: the held reply must not arrive there ("slot");
 *   rtt_hostile trickle PORT SECONDS
 *       a server on 127.0.0.1:PORT that answers each TCP probe one byte
 *       every 0.4 s.
 * One-shot, bounded by its own timers; a test tool, not a server. */
#include <arpa/inet.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "net/packet.h"

static int fd;
static struct sockaddr_in sa;

static int64_t realtime_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/* Everything that comes back on S within MS. */
static long drain(int s, int ms)
{
	unsigned char reply[PACKET_MAX + 16];
	struct pollfd p = { .fd = s, .events = POLLIN };
	long got = 0;
	while (poll(&p, 1, ms) > 0) {
		ssize_t n = recv(s, reply, sizeof(reply), 0);
		if (n <= 0)
			break;
		got += n;
	}
	return got;
}

static long exchange(const unsigned char *buf, size_t len)
{
	send(fd, buf, len, 0);
	return drain(fd, 300);
}

static void report(const char *name, const unsigned char *buf, size_t len)
{
	printf("%s %zu %ld\n", name, len, exchange(buf, len));
}

static int udp_from(const char *bind_ip)
{
	int s = socket(AF_INET, SOCK_DGRAM, 0);
	if (s < 0)
		return -1;
	if (bind_ip) {
		struct sockaddr_in me = { .sin_family = AF_INET };
		if (inet_pton(AF_INET, bind_ip, &me.sin_addr) != 1 || bind(s, (struct sockaddr *)&me, sizeof(me))) {
			close(s);
			return -1;
		}
	}
	if (connect(s, (struct sockaddr *)&sa, sizeof(sa))) {
		close(s);
		return -1;
	}
	return s;
}

static int tcp_to(void)
{
	int s = socket(AF_INET, SOCK_STREAM, 0);
	if (s < 0 || connect(s, (struct sockaddr *)&sa, sizeof(sa))) {
		if (s >= 0)
			close(s);
		return -1;
	}
	return s;
}

static int malformed(const struct key *key)
{
	struct key wrong = { .len = 5 };
	unsigned char buf[PACKET_MAX + 600];
	struct probe p = { .type = PACKET_REQUEST, .session = 42 };
	size_t n;

	memcpy(wrong.bytes, "wrong", 5);
	p.seq = 1;
	p.stamp = (uint64_t)realtime_ns();
	n = packet_build(buf, 64, &p, key);
	report("valid", buf, n);
	report("replayed", buf, n);
	report("truncated", buf, 20);
	p.seq = 2;
	n = packet_build(buf, 64, &p, key);
	buf[0] = 'X';
	report("wrong-magic", buf, n);
	p.seq = 3;
	n = packet_build(buf, 64, &p, key);
	buf[6] = 0x23, buf[7] = 0x28; /* claims 9000 bytes: asks for amplification */
	report("length-claims-more", buf, n);
	p.seq = 4;
	p.type = PACKET_REPLY;
	n = packet_build(buf, 64, &p, key);
	report("reply-type", buf, n);
	p.type = PACKET_REQUEST;
	p.seq = 5;
	n = packet_build(buf, 64, &p, &wrong);
	report("wrong-key", buf, n);
	p.seq = 6;
	n = packet_build(buf, 64, &p, NULL);
	report("unsigned", buf, n);
	memset(buf, 0, sizeof(buf));
	memcpy(buf, PACKET_MAGIC, 4);
	buf[4] = PACKET_REQUEST;
	buf[6] = (PACKET_MAX + 500) >> 8, buf[7] = (PACKET_MAX + 500) & 0xff;
	report("oversized", buf, PACKET_MAX + 500);
	srand(7);
	for (size_t i = 0; i < 500; i++)
		buf[i] = (unsigned char)rand();
	report("garbage", buf, 500);
	report("empty", buf, 0);
	/* a flood from 50 source ports: the server's tables must stay bounded */
	for (int sock = 0; sock < 50; sock++) {
		int f = udp_from(NULL);
		if (f < 0)
			return 2;
		for (int i = 0; i < 400; i++) {
			buf[0] = (unsigned char)rand();
			send(f, buf, 100 + (size_t)(rand() % 400), MSG_DONTWAIT);
		}
		close(f);
	}
	/* the flood may fill the socket's buffer and drop a probe that comes
	 * right after it, as any network would: let it drain, then ask up to
	 * three times; what is tested is that the server still answers */
	usleep(200000);
	long got = 0;
	for (int attempt = 0; attempt < 3 && !got; attempt++) {
		p.seq = 7 + (uint64_t)attempt;
		p.stamp = (uint64_t)realtime_ns();
		n = packet_build(buf, 1000, &p, key);
		got = exchange(buf, n);
	}
	printf("valid-large %zu %ld\n", n, got);
	return 0;
}

static int replay(const struct key *key)
{
	unsigned char caught[64], buf[64];
	struct probe p = { .type = PACKET_REQUEST, .session = 0x5eed, .seq = 1, .stamp = (uint64_t)realtime_ns() };
	size_t n = packet_build(caught, sizeof(caught), &p, key);

	printf("first %zu %ld\n", n, exchange(caught, n));
	/* the same bytes from 50 new source ports */
	long again = 0;
	for (int i = 0; i < 50; i++) {
		int s = udp_from(NULL);
		if (s < 0)
			return 2;
		send(s, caught, n, 0);
		again += drain(s, 50);
		close(s);
	}
	printf("other-ports %zu %ld\n", n * 50, again);
	/* 20,000 probes of other sessions, so a bounded record lets it go; a
	 * pause now and then, so the server's rate leaves them all through */
	for (int i = 0; i < 20000; i++) {
		struct probe q = { .type = PACKET_REQUEST, .session = 1000000 + (uint64_t)i, .seq = 1,
				   .stamp = (uint64_t)realtime_ns() };
		packet_build(buf, sizeof(buf), &q, key);
		send(fd, buf, n, MSG_DONTWAIT);
		if (i % 500 == 499)
			drain(fd, 5);
	}
	drain(fd, 200);
	printf("after-eviction %zu %ld\n", n, exchange(caught, n));
	/* over TCP: once on a connection, twice, and on a new one */
	int t = tcp_to();
	if (t < 0)
		return 2;
	struct probe q = { .type = PACKET_REQUEST, .session = 0x7cb, .seq = 1, .stamp = (uint64_t)realtime_ns() };
	packet_build(buf, sizeof(buf), &q, key);
	send(t, buf, n, 0);
	printf("tcp-first %zu %ld\n", n, drain(t, 300));
	send(t, buf, n, 0);
	printf("tcp-same-connection %zu %ld\n", n, drain(t, 300));
	close(t);
	if ((t = tcp_to()) < 0)
		return 2;
	send(t, buf, n, 0);
	printf("tcp-new-connection %zu %ld\n", n, drain(t, 300));
	send(t, caught, n, 0);
	printf("udp-probe-over-tcp %zu %ld\n", n, drain(t, 300));
	close(t);
	/* signed a minute ago: outside the window */
	q.session = 0xdead;
	q.stamp = (uint64_t)(realtime_ns() - 60 * 1000000000LL);
	packet_build(buf, sizeof(buf), &q, key);
	printf("stale %zu %ld\n", n, exchange(buf, n));
	return 0;
}

static int drain_rate(const struct key *key)
{
	unsigned char caught[64], buf[64];
	struct probe p = { .type = PACKET_REQUEST, .session = 0xd7a1, .seq = 1, .stamp = (uint64_t)realtime_ns() };
	size_t n = packet_build(caught, sizeof(caught), &p, key);
	int forger = udp_from("127.0.0.1");
	if (forger < 0)
		return 2;
	exchange(caught, n);
	for (int i = 0; i < 200; i++)
		send(forger, caught, n, 0);
	for (int i = 0; i < 5; i++) {
		p.seq++;
		p.stamp = (uint64_t)realtime_ns();
		packet_build(buf, sizeof(buf), &p, key);
		send(fd, buf, n, 0);
	}
	printf("drain %zu %ld\n", 5 * n, drain(fd, 300));
	close(forger);
	return 0;
}

/* Unkeyed: 200 probes from HOST interleaved with 20 each from 4,000 other
 * addresses; what counts is how many of HOST's are answered. */
static int rate(void)
{
	unsigned char buf[64];
	int others[200];
	long answered = 0;
	struct probe p = { .type = PACKET_REQUEST, .session = 9 };
	char ip[32];
	int64_t start = realtime_ns();

	for (int round = 0; round < 20; round++) {
		for (int i = 0; i < 200; i++) {
			snprintf(ip, sizeof(ip), "127.1.%d.%d", (round * 200 + i) / 250, (round * 200 + i) % 250 + 1);
			others[i] = udp_from(ip);
		}
		for (int k = 0; k < 10; k++) {
			for (int i = 0; i < 200; i++) {
				p.seq++;
				packet_build(buf, sizeof(buf), &p, NULL);
				if (others[i] >= 0)
					send(others[i], buf, sizeof(buf), MSG_DONTWAIT);
			}
			p.seq++;
			packet_build(buf, sizeof(buf), &p, NULL);
			send(fd, buf, sizeof(buf), MSG_DONTWAIT);
		}
		answered += drain(fd, 1) / (long)sizeof(buf);
		for (int i = 0; i < 200; i++)
			if (others[i] >= 0)
				close(others[i]);
	}
	int64_t took = realtime_ns() - start;
	answered += drain(fd, 200) / (long)sizeof(buf);
	printf("rate 200 %ld %lld\n", answered, (long long)(took / 1000000));
	return 0;
}

static int hold(int n, int seconds)
{
	int held = 0;
	int *s = calloc((size_t)n, sizeof(*s));
	if (!s)
		return 2;
	for (int i = 0; i < n; i++)
		if ((s[i] = tcp_to()) >= 0)
			held++;
	printf("held %d\n", held);
	fflush(stdout);
	sleep((unsigned)seconds);
	for (int i = 0; i < n; i++)
		if (s[i] >= 0)
			close(s[i]);
	free(s);
	return 0;
}

static int tcp_from(const char *bind_ip)
{
	struct sockaddr_in me = { .sin_family = AF_INET };
	int s = socket(AF_INET, SOCK_STREAM, 0);
	if (s < 0)
		return -1;
	if (inet_pton(AF_INET, bind_ip, &me.sin_addr) != 1 || bind(s, (struct sockaddr *)&me, sizeof(me)) ||
	    connect(s, (struct sockaddr *)&sa, sizeof(sa))) {
		close(s);
		return -1;
	}
	return s;
}

static int dribble(int seconds)
{
	enum { ADDRESSES = 4, EACH = 16 };
	static const unsigned char head[8] = { 'L', 'D', 'R', '1', PACKET_REQUEST, 0, PACKET_MAX >> 8,
					       PACKET_MAX & 0xff };
	int s[ADDRESSES * EACH], held = 0;
	char ip[32];

	for (int i = 0; i < ADDRESSES * EACH; i++) {
		snprintf(ip, sizeof(ip), "127.0.0.%d", 10 + i / EACH);
		if ((s[i] = tcp_from(ip)) >= 0 && send(s[i], head, sizeof(head), MSG_NOSIGNAL) == sizeof(head))
			held++;
	}
	printf("dribbling %d\n", held);
	fflush(stdout);
	for (int tick = 0; tick < seconds * 2; tick++) {
		usleep(500000);
		for (int i = 0; i < ADDRESSES * EACH; i++)
			if (s[i] >= 0 && send(s[i], "", 1, MSG_NOSIGNAL | MSG_DONTWAIT) != 1) {
				close(s[i]); /* the server let it go */
				s[i] = -1;
			}
	}
	for (int i = 0; i < ADDRESSES * EACH; i++)
		if (s[i] >= 0)
			close(s[i]);
	return 0;
}

static int churn(int seconds)
{
	enum { ADDRESSES = 4, EACH = 16, ALL = ADDRESSES * EACH };
	int s[ALL];
	char ip[ALL][32];

	for (int i = 0; i < ALL; i++) {
		snprintf(ip[i], sizeof(ip[i]), "127.0.0.%d", 10 + i / EACH);
		s[i] = tcp_from(ip[i]);
	}
	printf("churning\n");
	fflush(stdout);
	/* every 0.1 s a third of them again: each lives about 0.3 s */
	for (int tick = 0; tick < seconds * 10; tick++) {
		usleep(100000);
		for (int i = tick % 3; i < ALL; i += 3) {
			if (s[i] >= 0)
				close(s[i]);
			s[i] = tcp_from(ip[i]);
		}
	}
	for (int i = 0; i < ALL; i++)
		if (s[i] >= 0)
			close(s[i]);
	return 0;
}

static int queue_share(void)
{
	unsigned char buf[64];
	struct probe p = { .type = PACKET_REQUEST, .session = 20 };
	struct probe mine = { .type = PACKET_REQUEST, .session = 21 };
	int flood = udp_from("127.0.0.20"), victim = udp_from("127.0.0.21");
	if (flood < 0 || victim < 0)
		return 2;
	for (int ms = 0; ms < 1500; ms++) {
		for (int i = 0; i < 20; i++) {
			p.seq++;
			p.stamp = (uint64_t)realtime_ns();
			packet_build(buf, sizeof(buf), &p, NULL);
			send(flood, buf, sizeof(buf), MSG_DONTWAIT);
		}
		if (ms >= 500 && ms % 100 == 0 && mine.seq < 10) {
			mine.seq++;
			mine.stamp = (uint64_t)realtime_ns();
			packet_build(buf, sizeof(buf), &mine, NULL);
			send(victim, buf, sizeof(buf), 0);
		}
		usleep(1000);
	}
	printf("queue %zu %ld\n", 10 * sizeof(buf), drain(victim, 1500));
	close(flood);
	close(victim);
	return 0;
}

static int stall(void)
{
	static unsigned char buf[PACKET_MAX];
	struct probe p = { .type = PACKET_REQUEST, .session = 78 };
	int small = 4096, s = socket(AF_INET, SOCK_STREAM, 0);
	if (s < 0 || setsockopt(s, SOL_SOCKET, SO_RCVBUF, &small, sizeof(small)) ||
	    connect(s, (struct sockaddr *)&sa, sizeof(sa)))
		return 2;
	for (int i = 0; i < 1000; i++) {
		p.seq++;
		p.stamp = (uint64_t)realtime_ns();
		packet_build(buf, sizeof(buf), &p, NULL);
		if (send(s, buf, sizeof(buf), MSG_NOSIGNAL) != (ssize_t)sizeof(buf))
			break;
	}
	usleep(300000);
	/* read to the end, or until nothing has come for a second */
	long got = 0;
	bool closed = false;
	struct pollfd w = { .fd = s, .events = POLLIN };
	while (!closed && poll(&w, 1, 1000) > 0) {
		ssize_t n = recv(s, buf, sizeof(buf), 0);
		if (n > 0)
			got += n;
		else
			closed = true;
	}
	printf("stall %ld %s\n", got, closed ? "closed" : "open");
	close(s);
	return 0;
}

static int slot(void)
{
	unsigned char buf[64];
	struct probe p = { .type = PACKET_REQUEST, .session = 77, .seq = 1, .stamp = (uint64_t)realtime_ns() };
	packet_build(buf, sizeof(buf), &p, NULL);
	int a = tcp_to();
	if (a < 0)
		return 2;
	send(a, buf, sizeof(buf), 0);
	usleep(20000);
	close(a);
	int b = tcp_to();
	if (b < 0)
		return 2;
	printf("slot %zu %ld\n", sizeof(buf), drain(b, 600));
	close(b);
	return 0;
}

static int trickle(int port, int seconds)
{
	int l = socket(AF_INET, SOCK_STREAM, 0), one = 1;
	struct sockaddr_in me = { .sin_family = AF_INET, .sin_port = htons((uint16_t)port),
				  .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	setsockopt(l, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (l < 0 || bind(l, (struct sockaddr *)&me, sizeof(me)) || listen(l, 4))
		return 2;
	alarm((unsigned)seconds);
	for (;;) {
		int c = accept(l, NULL, NULL);
		if (c < 0)
			continue;
		unsigned char buf[PACKET_MAX];
		ssize_t n;
		while ((n = recv(c, buf, 64, MSG_WAITALL)) == 64) {
			buf[4] = PACKET_REPLY;
			for (int i = 0; i < 64; i++) {
				if (send(c, buf + i, 1, MSG_NOSIGNAL) != 1)
					break;
				usleep(400000);
			}
		}
		close(c);
	}
}

static int target(const char *host, const char *port)
{
	sa = (struct sockaddr_in){ .sin_family = AF_INET, .sin_port = htons((uint16_t)atoi(port)) };
	if (inet_pton(AF_INET, host, &sa.sin_addr) != 1 || (fd = udp_from(NULL)) < 0) {
		perror("rtt_hostile");
		return -1;
	}
	return 0;
}

int main(int argc, char **argv)
{
	struct key key = { .len = 0 };
	char err[256];
	const char *mode = argc > 1 ? argv[1] : "";

	if (!strcmp(mode, "trickle") && argc == 4)
		return trickle(atoi(argv[2]), atoi(argv[3]));
	if (!strcmp(mode, "replay") && argc == 5) {
		if (key_load(argv[4], &key, err, sizeof(err)) || target(argv[2], argv[3]))
			return 2;
		return replay(&key);
	}
	if (!strcmp(mode, "drain") && argc == 5) {
		if (key_load(argv[4], &key, err, sizeof(err)) || target(argv[2], argv[3]))
			return 2;
		return drain_rate(&key);
	}
	if (!strcmp(mode, "rate") && argc == 4)
		return target(argv[2], argv[3]) ? 2 : rate();
	if (!strcmp(mode, "hold") && argc == 6)
		return target(argv[2], argv[3]) ? 2 : hold(atoi(argv[4]), atoi(argv[5]));
	if (!strcmp(mode, "dribble") && argc == 5)
		return target(argv[2], argv[3]) ? 2 : dribble(atoi(argv[4]));
	if (!strcmp(mode, "churn") && argc == 5)
		return target(argv[2], argv[3]) ? 2 : churn(atoi(argv[4]));
	if (!strcmp(mode, "queue") && argc == 4)
		return target(argv[2], argv[3]) ? 2 : queue_share();
	if (!strcmp(mode, "stall") && argc == 4)
		return target(argv[2], argv[3]) ? 2 : stall();
	if (!strcmp(mode, "slot") && argc == 4)
		return target(argv[2], argv[3]) ? 2 : slot();
	if (argc < 3 || argc > 4) {
		fprintf(stderr, "usage: rtt_hostile [replay|drain|rate|hold|dribble|churn|queue|stall|slot|trickle] HOST PORT ... (see the source)\n");
		return 2;
	}
	if (argc > 3 && key_load(argv[3], &key, err, sizeof(err))) {
		fprintf(stderr, "%s\n", err);
		return 2;
	}
	return target(argv[1], argv[2]) ? 2 : malformed(&key);
}

/* What hostile scrapers do to latdoc serve, for the tests. On 127.0.0.1
 * only; every loop is bounded by SECONDS.
 *   http_hostile slowloris PORT ADDRS PER SECONDS
 *       PER connections from each of ADDRS loopback addresses (127.0.0.10,
 *       .11, ...: more hosts than the per-address limit allows for), each
 *       sending a request one header byte a second, never finishing it,
 *       and opened again whenever the server closes it; meanwhile a
 *       scraper on 127.0.0.1 asks for /metrics every 250 ms. Prints
 *         slowloris opened N closed-by-server C longest-held-ms H
 *         scrapes T served S slowest-ms M
 *   http_hostile noread PORT ADDRS PER SECONDS
 *       as many connections, from the same addresses, that send a whole
 *       request with a 1 kB receive buffer and never read the answer;
 *       the same scraper, the same lines.
 * A test tool, not a load generator. */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define MAX_CONNS 256

static int port;

static int64_t now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* A connection from SRC (NULL: any) to 127.0.0.1:port within 1 s, or -1. */
static int connect_from(const char *src, int rcvbuf)
{
	struct sockaddr_in to = { .sin_family = AF_INET, .sin_port = htons((uint16_t)port),
				  .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	int s = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
	if (s < 0)
		return -1;
	if (rcvbuf)
		setsockopt(s, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof(rcvbuf));
	if (src) {
		struct sockaddr_in me = { .sin_family = AF_INET };
		if (inet_pton(AF_INET, src, &me.sin_addr) != 1 || bind(s, (struct sockaddr *)&me, sizeof(me))) {
			close(s);
			return -1;
		}
	}
	if (connect(s, (struct sockaddr *)&to, sizeof(to)) && errno != EINPROGRESS) {
		close(s);
		return -1;
	}
	struct pollfd p = { .fd = s, .events = POLLOUT };
	int err = 0;
	socklen_t len = sizeof(err);
	if (poll(&p, 1, 1000) != 1 || getsockopt(s, SOL_SOCKET, SO_ERROR, &err, &len) || err) {
		close(s);
		return -1;
	}
	return s;
}

/* One scrape of /metrics on a new connection: 1 when a whole 200 answer
 * came within 2 s. */
static int scrape(void)
{
	static const char req[] = "GET /metrics HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n";
	char buf[65536];
	int64_t deadline = now_ms() + 2000;
	int s = connect_from(NULL, 0), ok = 0;
	if (s < 0)
		return 0;
	if (send(s, req, sizeof(req) - 1, MSG_NOSIGNAL) != (ssize_t)sizeof(req) - 1) {
		close(s);
		return 0;
	}
	size_t have = 0;
	long body = -1;
	for (;;) {
		struct pollfd p = { .fd = s, .events = POLLIN };
		int64_t left = deadline - now_ms();
		if (left <= 0 || poll(&p, 1, (int)left) != 1)
			break;
		ssize_t n = recv(s, buf + have, sizeof(buf) - 1 - have, 0);
		if (n <= 0)
			break;
		have += (size_t)n;
		buf[have] = '\0';
		/* only the head is kept: the body is counted, not stored */
		char *end = strstr(buf, "\r\n\r\n");
		if (!end) {
			if (have == sizeof(buf) - 1)
				break;
			continue;
		}
		if (body < 0) {
			char *cl = strstr(buf, "Content-Length: ");
			if (strncmp(buf, "HTTP/1.1 200 ", 13) || !cl)
				break;
			body = strtol(cl + 16, NULL, 10);
		}
		size_t got = have - (size_t)(end + 4 - buf);
		if ((long)got >= body) {
			ok = 1;
			break;
		}
		/* drop the body read so far, keep counting */
		body -= (long)got;
		have = (size_t)(end + 4 - buf);
	}
	close(s);
	return ok;
}

/* The scraper, in a child: a scrape every 250 ms for SECONDS. */
static pid_t scraper(int seconds, int out[2])
{
	if (pipe(out))
		return -1;
	pid_t pid = fork();
	if (pid)
		return pid;
	int64_t end = now_ms() + seconds * 1000LL;
	int tried = 0, served = 0;
	int64_t slowest = 0;
	usleep(500000); /* the attack is in place first */
	while (now_ms() < end) {
		int64_t t0 = now_ms();
		tried++;
		if (scrape()) {
			served++;
			if (now_ms() - t0 > slowest)
				slowest = now_ms() - t0;
		}
		int64_t wait = t0 + 250 - now_ms();
		if (wait > 0)
			usleep((useconds_t)wait * 1000);
	}
	dprintf(out[1], "scrapes %d served %d slowest-ms %lld\n", tried, served, (long long)slowest);
	_exit(0);
}

struct conn {
	int fd;
	int64_t opened, next;
	const char *src;
	char srcbuf[16];
};

/* Whether the server has closed C: a read of 0 or an error. */
static bool closed_by_server(struct conn *c)
{
	char b[4096];
	for (;;) {
		ssize_t n = recv(c->fd, b, sizeof(b), MSG_DONTWAIT);
		if (n == 0 || (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK))
			return true;
		if (n < 0)
			return false;
	}
}

static int attack(const char *mode, int addrs, int per, int seconds)
{
	static const char head[] = "GET /metrics HTTP/1.1\r\nHost: t\r\nX-Slow: ";
	static const char whole[] = "GET /metrics HTTP/1.1\r\nHost: t\r\n\r\n";
	bool slow = !strcmp(mode, "slowloris");
	struct conn c[MAX_CONNS];
	int n = addrs * per, out[2];
	long opened = 0, closed = 0;
	int64_t longest = 0, end = now_ms() + seconds * 1000LL;

	if (n > MAX_CONNS)
		return 2;
	for (int i = 0; i < n; i++) {
		c[i] = (struct conn){ .fd = -1 };
		snprintf(c[i].srcbuf, sizeof(c[i].srcbuf), "127.0.0.%d", 10 + i / per);
		c[i].src = c[i].srcbuf;
	}
	pid_t child = scraper(seconds, out);
	if (child < 0)
		return 2;
	while (now_ms() < end) {
		int64_t t = now_ms();
		for (int i = 0; i < n; i++) {
			struct conn *k = &c[i];
			if (k->fd >= 0 && closed_by_server(k)) {
				closed++;
				if (t - k->opened > longest)
					longest = t - k->opened;
				close(k->fd);
				k->fd = -1;
			}
			if (k->fd < 0) {
				if ((k->fd = connect_from(k->src, slow ? 0 : 1024)) < 0)
					continue;
				opened++;
				k->opened = t;
				k->next = t + 1000;
				if (slow)
					send(k->fd, head, sizeof(head) - 1, MSG_NOSIGNAL);
				else
					send(k->fd, whole, sizeof(whole) - 1, MSG_NOSIGNAL);
			} else if (slow && t >= k->next) {
				send(k->fd, "a", 1, MSG_NOSIGNAL);
				k->next = t + 1000;
			}
		}
		usleep(50000);
	}
	/* those still open were held to the end */
	for (int i = 0; i < n; i++)
		if (c[i].fd >= 0) {
			if (now_ms() - c[i].opened > longest)
				longest = now_ms() - c[i].opened;
			close(c[i].fd);
		}
	close(out[1]);
	char line[128] = "";
	ssize_t got = read(out[0], line, sizeof(line) - 1);
	line[got > 0 ? got : 0] = '\0';
	waitpid(child, NULL, 0);
	printf("%s opened %ld closed-by-server %ld longest-held-ms %lld\n%s", mode, opened, closed,
	       (long long)longest, line);
	return 0;
}

int main(int argc, char **argv)
{
	const char *mode = argc > 1 ? argv[1] : "";
	if ((!strcmp(mode, "slowloris") || !strcmp(mode, "noread")) && argc == 6) {
		port = atoi(argv[2]);
		return attack(mode, atoi(argv[3]), atoi(argv[4]), atoi(argv[5]));
	}
	fprintf(stderr, "usage: http_hostile {slowloris|noread} PORT ADDRS PER SECONDS\n");
	return 2;
}

/* A small HTTP/1.1 server with a known delay, for testing latdoc ttfb:
 *   http_delay PORT DELAY_US SECONDS
 * Answers on 127.0.0.1:PORT, one connection at a time, keep-alive: every
 * response waits DELAY_US first. /status/NNN answers NNN, /redirect 302 to
 * /, /redirect-chain 301 to /redirect, /redirect-loop 302 to itself,
 * /redirect-file 302 to a file: URL, /needs-header 200 with an
 * "X-Latdoc-Test: 1" header and 403 without, /hang never answers, /incomplete sends
 * half a header block and closes, a path with "close" in it closes the
 * connection after the answer. Exits after SECONDS. A test tool, not a web
 * server. */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

static long long now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

/* The delay must be the known one, not the known one plus this process's
 * own late wake-up from idle: sleep to 150 us before, spin the rest, as
 * latdoc rtt --serve --delay does. */
static void hold(long delay_us)
{
	long long until = now_ns() + delay_us * 1000LL, early = until - 150000;
	if (early > now_ns()) {
		struct timespec ts = { .tv_sec = (time_t)(early / 1000000000), .tv_nsec = (long)(early % 1000000000) };
		clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL);
	}
	while (now_ns() < until)
		;
}

static void serve(int c, long delay_us)
{
	char req[4096];
	size_t have = 0;
	for (;;) {
		struct pollfd p = { .fd = c, .events = POLLIN };
		if (poll(&p, 1, 5000) <= 0)
			return;
		ssize_t n = recv(c, req + have, sizeof(req) - 1 - have, 0);
		if (n <= 0)
			return;
		have += (size_t)n;
		req[have] = '\0';
		char *end = strstr(req, "\r\n\r\n");
		if (!end) {
			if (have == sizeof(req) - 1)
				return;
			continue;
		}
		char path[256] = "/";
		sscanf(req, "%*s %255s", path);
		if (!strcmp(path, "/hang")) {
			sleep(30);
			return;
		}
		hold(delay_us);
		if (!strcmp(path, "/incomplete")) {
			static const char half[] = "HTTP/1.1 200 OK\r\nContent-Le";
			send(c, half, sizeof(half) - 1, MSG_NOSIGNAL);
			return;
		}
		int status = 200;
		const char *to = NULL;
		if (!strncmp(path, "/status/", 8))
			status = atoi(path + 8);
		else if (!strcmp(path, "/redirect"))
			status = 302, to = "/";
		else if (!strcmp(path, "/redirect-chain"))
			status = 301, to = "/redirect";
		else if (!strcmp(path, "/redirect-loop"))
			status = 302, to = "/redirect-loop";
		else if (!strcmp(path, "/redirect-file"))
			status = 302, to = "file:///etc/passwd";
		else if (!strcmp(path, "/needs-header"))
			status = strstr(req, "\r\nX-Latdoc-Test: 1\r\n") ? 200 : 403;
		bool close_after = strstr(path, "close") != NULL;
		char resp[256], where[64] = "";
		if (to)
			snprintf(where, sizeof(where), "Location: %s\r\n", to);
		int len = snprintf(resp, sizeof(resp),
				   "HTTP/1.1 %d X\r\nContent-Length: 5\r\n%sConnection: %s\r\n\r\nhello", status,
				   where, close_after ? "close" : "keep-alive");
		if (send(c, resp, (size_t)len, MSG_NOSIGNAL) != len || close_after)
			return;
		size_t used = (size_t)(end + 4 - req);
		memmove(req, req + used, have - used);
		have -= used;
	}
}

int main(int argc, char **argv)
{
	if (argc != 4) {
		fprintf(stderr, "usage: http_delay PORT DELAY_US SECONDS\n");
		return 2;
	}
	alarm((unsigned)atoi(argv[3]));
	prctl(PR_SET_TIMERSLACK, 1UL, 0, 0, 0);
	int s = socket(AF_INET, SOCK_STREAM, 0), one = 1;
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons((uint16_t)atoi(argv[1])),
				  .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(s, (struct sockaddr *)&sa, sizeof(sa)) || listen(s, 64)) {
		perror("http_delay");
		return 2;
	}
	for (;;) {
		int c = accept(s, NULL, NULL);
		if (c < 0)
			continue;
		setsockopt(c, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
		serve(c, atol(argv[2]));
		close(c);
	}
}

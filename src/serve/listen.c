/* The exporter's listening socket, made here rather than by libmicrohttpd
 * so that a port in use or an address that is not ours is said plainly
 * before anything starts. ":PORT" listens on every address, IPv6 and IPv4
 * alike, as node_exporter does. */
#include "serve.h"

#include <errno.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "../net/addr.h"

/* A small backlog: a scraper that opens connections faster than they are
 * served gets refused, not queued. */
#define BACKLOG 16

static int bound(int family, const struct sockaddr *sa, socklen_t len, bool dual, char *err,
		 size_t errsz, const char *spec)
{
	int fd = socket(family, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0), one = 1, zero = 0;
	if (fd < 0) {
		int e = errno;
		snprintf(err, errsz, "socket: %s", strerror(e));
		errno = e; /* the caller tries IPv4 when IPv6 is not there */
		return -1;
	}
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (dual)
		setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &zero, sizeof(zero));
	if (bind(fd, sa, len) || listen(fd, BACKLOG)) {
		snprintf(err, errsz, "cannot listen on %s: %s", spec, strerror(errno));
		close(fd);
		return -1;
	}
	return fd;
}

int serve_listen(const char *spec, char *where, size_t wheresz, char *err, size_t errsz)
{
	char full[300];
	const char *colon = strrchr(spec, ':'), *bracket = strrchr(spec, ']');

	/* a port is needed: net_resolve() would otherwise take rtt's */
	if (!colon || (bracket && bracket > colon)) {
		snprintf(full, sizeof(full), "%s:%s", spec, SERVE_PORT);
	} else if (colon != strchr(spec, ':') && spec[0] != '[') {
		snprintf(err, errsz, "'%s': an IPv6 address goes in brackets, [::1]:PORT", spec);
		return -1;
	} else {
		snprintf(full, sizeof(full), "%s", spec);
	}
	if (full[0] == ':') {
		long port;
		char *end;
		errno = 0;
		port = strtol(full + 1, &end, 10);
		if (errno || *end || end == full + 1 || port < 1 || port > 65535) {
			snprintf(err, errsz, "'%s': the port must be 1 to 65535", spec);
			return -1;
		}
		struct sockaddr_in6 any6 = { .sin6_family = AF_INET6, .sin6_addr = in6addr_any,
					     .sin6_port = htons((uint16_t)port) };
		int fd = bound(AF_INET6, (struct sockaddr *)&any6, sizeof(any6), true, err, errsz, spec);
		if (fd < 0 && errno == EAFNOSUPPORT) {
			/* a kernel without IPv6 */
			struct sockaddr_in any4 = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_ANY),
						    .sin_port = htons((uint16_t)port) };
			fd = bound(AF_INET, (struct sockaddr *)&any4, sizeof(any4), false, err, errsz, spec);
		}
		if (fd >= 0)
			snprintf(where, wheresz, "every address, port %ld", port);
		return fd;
	}
	struct sockaddr_storage addr;
	socklen_t len;
	if (net_resolve(full, true, SOCK_STREAM, &addr, &len, err, errsz))
		return -1;
	net_format((struct sockaddr *)&addr, where, wheresz);
	return bound(addr.ss_family, (struct sockaddr *)&addr, len, false, err, errsz, spec);
}

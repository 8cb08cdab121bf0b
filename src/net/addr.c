#include "addr.h"

#include <arpa/inet.h>
#include <netdb.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../parse/text.h"

int net_resolve(const char *spec, bool passive, int socktype, struct sockaddr_storage *out,
		socklen_t *outlen, char *err, size_t errsz)
{
	char host[256], port[16];
	const char *colon;

	if (spec[0] == '[') {
		const char *end = strchr(spec, ']');
		if (!end || (end[1] && end[1] != ':')) {
			snprintf(err, errsz, "'%s': an IPv6 address goes in brackets, [::1]:PORT", spec);
			return -1;
		}
		snprintf(host, sizeof(host), "%.*s", (int)(end - spec - 1), spec + 1);
		str_copy(port, sizeof(port), end[1] ? end + 2 : RTT_PORT);
	} else if ((colon = strrchr(spec, ':')) && !strchr(colon + 1, ']') && colon == strchr(spec, ':')) {
		snprintf(host, sizeof(host), "%.*s", (int)(colon - spec), spec);
		str_copy(port, sizeof(port), colon + 1);
	} else {
		str_copy(host, sizeof(host), spec);
		str_copy(port, sizeof(port), RTT_PORT);
	}
	long p;
	if (parse_long(port, &p) || p < 1 || p > 65535) {
		snprintf(err, errsz, "'%s': the port must be 1 to 65535", spec);
		return -1;
	}
	struct addrinfo hints = { .ai_family = AF_UNSPEC, .ai_socktype = socktype,
				  .ai_flags = passive ? AI_PASSIVE : 0 }, *res;
	int rc = getaddrinfo(host[0] ? host : NULL, port, &hints, &res);
	if (rc) {
		snprintf(err, errsz, "'%s': %s", host[0] ? host : spec, gai_strerror(rc));
		return -1;
	}
	memcpy(out, res->ai_addr, res->ai_addrlen);
	*outlen = res->ai_addrlen;
	freeaddrinfo(res);
	return 0;
}

void net_format(const struct sockaddr *sa, char *out, size_t outsz)
{
	char ip[INET6_ADDRSTRLEN] = "?";
	if (sa->sa_family == AF_INET) {
		const struct sockaddr_in *in = (const struct sockaddr_in *)sa;
		inet_ntop(AF_INET, &in->sin_addr, ip, sizeof(ip));
		snprintf(out, outsz, "%s:%u", ip, ntohs(in->sin_port));
	} else if (sa->sa_family == AF_INET6) {
		const struct sockaddr_in6 *in6 = (const struct sockaddr_in6 *)sa;
		inet_ntop(AF_INET6, &in6->sin6_addr, ip, sizeof(ip));
		snprintf(out, outsz, "[%s]:%u", ip, ntohs(in6->sin6_port));
	} else {
		snprintf(out, outsz, "?");
	}
}

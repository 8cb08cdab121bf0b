/* Addresses for rtt: "HOST", "HOST:PORT", "[V6]:PORT", ":PORT". */
#ifndef LATDOC_ADDR_H
#define LATDOC_ADDR_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/socket.h>

#define RTT_PORT "7478"

/* Resolves SPEC (PORT when it names none) for SOCKTYPE. PASSIVE: to listen
 * on (an empty host is every address). Returns 0 or -1 with ERR set. */
int net_resolve(const char *spec, bool passive, int socktype, struct sockaddr_storage *out,
		socklen_t *outlen, char *err, size_t errsz);

/* "192.0.2.1:7478", "[2001:db8::1]:7478" */
void net_format(const struct sockaddr *sa, char *out, size_t outsz);

#endif

/* A peer's address as 16 bytes, one form for both families, so that the
 * servers' per-address limits (net/guard.c, serve/admit.c) key an IPv4
 * client and its v4-mapped IPv6 form alike. */
#ifndef LATDOC_PEER_H
#define LATDOC_PEER_H

#include <sys/socket.h>

/* OUT: the IPv6 address, or the IPv4 one mapped (::ffff:a.b.c.d); zeros
 * for another family. */
void peer_address_bytes(const struct sockaddr_storage *a, unsigned char out[16]);

#endif

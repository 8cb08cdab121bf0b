#include "peer.h"

#include <netinet/in.h>
#include <string.h>

void peer_address_bytes(const struct sockaddr_storage *a, unsigned char out[16])
{
	memset(out, 0, 16);
	if (a->ss_family == AF_INET6) {
		memcpy(out, &((const struct sockaddr_in6 *)a)->sin6_addr, 16);
	} else if (a->ss_family == AF_INET) {
		out[10] = out[11] = 0xff;
		memcpy(out + 12, &((const struct sockaddr_in *)a)->sin_addr, 4);
	}
}

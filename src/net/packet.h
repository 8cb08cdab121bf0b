/* The rtt probe packet. A request and its reply have the same layout and
 * the same size, so a reply is never larger than what asked for it:
 *
 *   0  magic "LDR1"     4 bytes
 *   4  type             1: request, 2: reply
 *   5  flags            bit 0: authenticated (an HMAC-SHA256 ends it)
 *   6  length           the whole packet, big-endian u16
 *   8  session          the client's random run id, u64
 *  16  seq              u64, from 1
 *  24  stamp            the client's send time on its realtime clock, in ns
 *                       since the epoch, u64, echoed as is; a keyed server
 *                       refuses a probe stamped more than 30 s from its
 *                       own clock (guard.h), so one caught on the wire
 *                       cannot be played back later
 *  32  padding          to the length asked for (--size)
 *  ..  HMAC-SHA256      32 bytes over everything before it, when flagged
 */
#ifndef LATDOC_PACKET_H
#define LATDOC_PACKET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define PACKET_MAGIC "LDR1"
#define PACKET_HEADER 32
#define PACKET_MAC 32
#define PACKET_MAX 9000 /* a jumbo frame; larger requests are not probes */
#define PACKET_REQUEST 1
#define PACKET_REPLY 2
#define PACKET_AUTH 1
#define KEY_MAX 256

struct probe {
	uint8_t type, flags;
	uint16_t length;
	uint64_t session, seq, stamp;
};

struct key {
	unsigned char bytes[KEY_MAX];
	size_t len; /* 0: no key */
};

/* Why a packet is refused; PACKET_OK when it is well-formed. */
enum packet_verdict {
	PACKET_OK,
	PACKET_SHORT,     /* shorter than a header (or header and MAC) */
	PACKET_LONG,      /* longer than PACKET_MAX */
	PACKET_MAGIC_BAD,
	PACKET_TYPE_BAD,
	PACKET_LENGTH_BAD, /* the length field is not the datagram's size */
	PACKET_UNSIGNED,  /* a key is set and the packet has no MAC */
	PACKET_MAC_BAD,
};
const char *packet_verdict_name(enum packet_verdict v);

/* Writes a packet of SIZE bytes (at least PACKET_HEADER, plus PACKET_MAC
 * with a key) into BUF; returns SIZE, or 0 when SIZE does not fit. */
size_t packet_build(unsigned char *buf, size_t size, const struct probe *p, const struct key *k);

/* Checks and decodes LEN bytes. With a key (len > 0) only authenticated
 * packets with a valid MAC pass; without one, a MAC flag is refused too,
 * since the server could not check it. */
enum packet_verdict packet_parse(const unsigned char *buf, size_t len, const struct key *k,
				 struct probe *out);

/* Turns a request in BUF (already parsed) into its reply, in place: the
 * type changes and the MAC is made again. */
void packet_make_reply(unsigned char *buf, size_t len, const struct key *k);

/* Reads a key file: its bytes, trailing newline stripped. Returns 0, or
 * -errno / -EINVAL (empty, or longer than KEY_MAX) with ERR set. */
int key_load(const char *path, struct key *k, char *err, size_t errsz);

#endif

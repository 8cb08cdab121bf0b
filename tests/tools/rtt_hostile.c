/* Sends a latdoc rtt server what a hostile or broken peer would, and prints
 * per case how many bytes came back (0: no reply):
 *   rtt_hostile HOST PORT [KEYFILE]
 * A test tool: one UDP socket, one datagram a case, 300 ms to answer; then
 * a flood of garbage from 50 ports, then one valid probe more. */
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

static long exchange(const unsigned char *buf, size_t len)
{
	unsigned char reply[PACKET_MAX + 16];
	send(fd, buf, len, 0);
	struct pollfd p = { .fd = fd, .events = POLLIN };
	long got = 0;
	/* everything that comes back within 300 ms */
	while (poll(&p, 1, 300) > 0) {
		ssize_t n = recv(fd, reply, sizeof(reply), 0);
		if (n <= 0)
			break;
		got += n;
	}
	return got;
}

static void report(const char *name, const unsigned char *buf, size_t len)
{
	printf("%s %zu %ld\n", name, len, exchange(buf, len));
}

int main(int argc, char **argv)
{
	struct key key = { .len = 0 }, wrong = { .len = 5 };
	char err[256];
	unsigned char buf[PACKET_MAX + 600];
	struct probe p = { .type = PACKET_REQUEST, .session = 42 };

	if (argc < 3) {
		fprintf(stderr, "usage: rtt_hostile HOST PORT [KEYFILE]\n");
		return 2;
	}
	if (argc > 3 && key_load(argv[3], &key, err, sizeof(err))) {
		fprintf(stderr, "%s\n", err);
		return 2;
	}
	memcpy(wrong.bytes, "wrong", 5);
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons((uint16_t)atoi(argv[2])) };
	if (inet_pton(AF_INET, argv[1], &sa.sin_addr) != 1 || (fd = socket(AF_INET, SOCK_DGRAM, 0)) < 0 ||
	    connect(fd, (struct sockaddr *)&sa, sizeof(sa))) {
		perror("rtt_hostile");
		return 2;
	}
	size_t n;
	p.seq = 1;
	n = packet_build(buf, 64, &p, &key);
	report("valid", buf, n);
	report("replayed", buf, n);
	report("truncated", buf, 20);
	p.seq = 2;
	n = packet_build(buf, 64, &p, &key);
	buf[0] = 'X';
	report("wrong-magic", buf, n);
	p.seq = 3;
	n = packet_build(buf, 64, &p, &key);
	buf[6] = 0x23, buf[7] = 0x28; /* claims 9000 bytes: asks for amplification */
	report("length-claims-more", buf, n);
	p.seq = 4;
	p.type = PACKET_REPLY;
	n = packet_build(buf, 64, &p, &key);
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
		int f = socket(AF_INET, SOCK_DGRAM, 0);
		if (f < 0 || connect(f, (struct sockaddr *)&sa, sizeof(sa)))
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
		n = packet_build(buf, 1000, &p, &key);
		got = exchange(buf, n);
	}
	printf("valid-large %zu %ld\n", n, got);
	return 0;
}

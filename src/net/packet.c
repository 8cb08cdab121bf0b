#include "packet.h"

#include <errno.h>
#include <fcntl.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

const char *packet_verdict_name(enum packet_verdict v)
{
	static const char *const names[] = {
		[PACKET_OK] = "ok",		      [PACKET_SHORT] = "truncated",
		[PACKET_LONG] = "oversized",	      [PACKET_MAGIC_BAD] = "wrong magic",
		[PACKET_TYPE_BAD] = "not a request", [PACKET_LENGTH_BAD] = "length mismatch",
		[PACKET_UNSIGNED] = "signed or not against the key",     [PACKET_MAC_BAD] = "bad MAC",
	};
	return v < sizeof(names) / sizeof(names[0]) ? names[v] : "?";
}

static void put64(unsigned char *p, uint64_t v)
{
	for (int i = 7; i >= 0; i--, v >>= 8)
		p[i] = (unsigned char)v;
}

static uint64_t get64(const unsigned char *p)
{
	uint64_t v = 0;
	for (int i = 0; i < 8; i++)
		v = v << 8 | p[i];
	return v;
}

/* HMAC-SHA256 of the first LEN bytes of BUF into MAC: OpenSSL's, not ours. */
static bool mac(const struct key *k, const unsigned char *buf, size_t len, unsigned char *out)
{
	unsigned int n = 0;
	return HMAC(EVP_sha256(), k->bytes, (int)k->len, buf, len, out, &n) && n == PACKET_MAC;
}

size_t packet_build(unsigned char *buf, size_t size, const struct probe *p, const struct key *k)
{
	bool auth = k && k->len;
	if (size < PACKET_HEADER + (auth ? PACKET_MAC : 0) || size > PACKET_MAX)
		return 0;
	memset(buf, 0, size);
	memcpy(buf, PACKET_MAGIC, 4);
	buf[4] = p->type;
	buf[5] = auth ? PACKET_AUTH : 0;
	buf[6] = (unsigned char)(size >> 8);
	buf[7] = (unsigned char)size;
	put64(buf + 8, p->session);
	put64(buf + 16, p->seq);
	put64(buf + 24, p->stamp);
	if (auth && !mac(k, buf, size - PACKET_MAC, buf + size - PACKET_MAC))
		return 0;
	return size;
}

enum packet_verdict packet_parse(const unsigned char *buf, size_t len, const struct key *k,
				 struct probe *out)
{
	bool keyed = k && k->len;
	if (len < PACKET_HEADER)
		return PACKET_SHORT;
	if (len > PACKET_MAX)
		return PACKET_LONG;
	if (memcmp(buf, PACKET_MAGIC, 4))
		return PACKET_MAGIC_BAD;
	if (buf[4] != PACKET_REQUEST && buf[4] != PACKET_REPLY)
		return PACKET_TYPE_BAD;
	if (((size_t)buf[6] << 8 | buf[7]) != len)
		return PACKET_LENGTH_BAD;
	bool auth = buf[5] & PACKET_AUTH;
	if (auth != keyed)
		return PACKET_UNSIGNED; /* unsigned with a key, or signed without one */
	if (auth) {
		unsigned char want[PACKET_MAC];
		if (len < PACKET_HEADER + PACKET_MAC)
			return PACKET_SHORT;
		if (!mac(k, buf, len - PACKET_MAC, want) ||
		    CRYPTO_memcmp(want, buf + len - PACKET_MAC, PACKET_MAC))
			return PACKET_MAC_BAD;
	}
	out->type = buf[4];
	out->flags = buf[5];
	out->length = (uint16_t)len;
	out->session = get64(buf + 8);
	out->seq = get64(buf + 16);
	out->stamp = get64(buf + 24);
	return PACKET_OK;
}

void packet_make_reply(unsigned char *buf, size_t len, const struct key *k)
{
	buf[4] = PACKET_REPLY;
	if (k && k->len && len >= PACKET_HEADER + PACKET_MAC)
		mac(k, buf, len - PACKET_MAC, buf + len - PACKET_MAC);
}

int key_load(const char *path, struct key *k, char *err, size_t errsz)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		int e = errno;
		snprintf(err, errsz, "%s: %s", path, strerror(e));
		return -e;
	}
	ssize_t n = read(fd, k->bytes, sizeof(k->bytes));
	char extra;
	bool more = n == (ssize_t)sizeof(k->bytes) && read(fd, &extra, 1) == 1;
	close(fd);
	if (n < 0) {
		snprintf(err, errsz, "%s: %s", path, strerror(errno));
		return -EIO;
	}
	while (n > 0 && (k->bytes[n - 1] == '\n' || k->bytes[n - 1] == '\r'))
		n--;
	if (!n || more) {
		snprintf(err, errsz, "%s: a key must be 1 to %d bytes", path, KEY_MAX);
		return -EINVAL;
	}
	k->len = (size_t)n;
	return 0;
}

#include "guard.h"

#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>

#include "../lib/peer.h"

/* --- SipHash-2-4 ----------------------------------------------------------
 * By hand, from the reference: OpenSSL has it only behind EVP_MAC, whose
 * set-up per call costs more than the hash, and the server pays it per
 * packet. */

#define ROTL(x, b) (uint64_t)(((x) << (b)) | ((x) >> (64 - (b))))
#define SIPROUND                                                                                 \
	do {                                                                                     \
		v0 += v1;                                                                        \
		v1 = ROTL(v1, 13);                                                               \
		v1 ^= v0;                                                                        \
		v0 = ROTL(v0, 32);                                                               \
		v2 += v3;                                                                        \
		v3 = ROTL(v3, 16);                                                               \
		v3 ^= v2;                                                                        \
		v0 += v3;                                                                        \
		v3 = ROTL(v3, 21);                                                               \
		v3 ^= v0;                                                                        \
		v2 += v1;                                                                        \
		v1 = ROTL(v1, 17);                                                               \
		v1 ^= v2;                                                                        \
		v2 = ROTL(v2, 32);                                                               \
	} while (0)

static uint64_t le64(const unsigned char *p)
{
	uint64_t v = 0;
	for (int i = 7; i >= 0; i--)
		v = v << 8 | p[i];
	return v;
}

uint64_t siphash24(const unsigned char key[16], const void *data, size_t len)
{
	const unsigned char *in = data;
	uint64_t k0 = le64(key), k1 = le64(key + 8);
	uint64_t v0 = 0x736f6d6570736575ULL ^ k0, v1 = 0x646f72616e646f6dULL ^ k1;
	uint64_t v2 = 0x6c7967656e657261ULL ^ k0, v3 = 0x7465646279746573ULL ^ k1;
	size_t whole = len - len % 8;

	for (size_t i = 0; i < whole; i += 8) {
		uint64_t m = le64(in + i);
		v3 ^= m;
		SIPROUND;
		SIPROUND;
		v0 ^= m;
	}
	uint64_t b = (uint64_t)len << 56;
	for (size_t i = 0; i < len % 8; i++)
		b |= (uint64_t)in[whole + i] << (8 * i);
	v3 ^= b;
	SIPROUND;
	SIPROUND;
	v0 ^= b;
	v2 ^= 0xff;
	SIPROUND;
	SIPROUND;
	SIPROUND;
	SIPROUND;
	return v0 ^ v1 ^ v2 ^ v3;
}

/* --- the replay record ----------------------------------------------------- */

struct session {
	uint64_t id, top, bits;
	int64_t last_stamp; /* the newest sender's time seen */
	int64_t last_seen;  /* ours, for choosing whom to let go */
	bool used;
};

struct replay {
	unsigned char key[16];
	int64_t watermark;
	struct session s[GUARD_SETS][GUARD_WAYS];
};

struct replay *replay_new(const unsigned char key[16], int64_t start_ns)
{
	struct replay *r = calloc(1, sizeof(*r));
	if (!r)
		return NULL;
	memcpy(r->key, key, sizeof(r->key));
	r->watermark = start_ns;
	return r;
}

void replay_free(struct replay *r)
{
	free(r);
}

/* The last 64 sequence numbers, as IPsec's anti-replay window. */
static bool window_take(struct session *s, uint64_t seq)
{
	if (seq > s->top) {
		uint64_t shift = seq - s->top;
		s->bits = shift >= 64 ? 0 : s->bits << shift;
		s->bits |= 1;
		s->top = seq;
		return true;
	}
	uint64_t back = s->top - seq;
	if (back >= 64 || (s->bits >> back & 1))
		return false;
	s->bits |= 1ULL << back;
	return true;
}

enum replay_verdict replay_check(struct replay *r, uint64_t session, uint64_t seq, int64_t stamp_ns,
				 int64_t now_ns)
{
	if (stamp_ns > now_ns + REPLAY_WINDOW_NS || stamp_ns < now_ns - REPLAY_WINDOW_NS)
		return REPLAY_STALE;
	struct session *set = r->s[siphash24(r->key, &session, sizeof(session)) % GUARD_SETS];
	struct session *victim = NULL;
	for (int w = 0; w < GUARD_WAYS; w++) {
		struct session *s = &set[w];
		if (s->used && s->id == session) {
			if (!window_take(s, seq))
				return REPLAY_SEEN;
			if (stamp_ns > s->last_stamp)
				s->last_stamp = stamp_ns;
			s->last_seen = now_ns;
			return REPLAY_FRESH;
		}
		if (!victim || !s->used || (victim->used && s->last_seen < victim->last_seen))
			victim = s;
	}
	/* unknown: new, or let go; what it sent before is at or below the mark */
	if (stamp_ns <= r->watermark)
		return REPLAY_OLD;
	if (victim->used && victim->last_stamp > r->watermark)
		r->watermark = victim->last_stamp;
	*victim = (struct session){ .id = session, .top = seq, .bits = 1, .last_stamp = stamp_ns,
				    .last_seen = now_ns, .used = true };
	return REPLAY_FRESH;
}

/* --- the rate limiter --------------------------------------------------- */

struct bucket {
	unsigned char addr[16]; /* IPv4 mapped into IPv6 */
	double tokens;
	int64_t at;
	bool used;
};

struct limiter {
	unsigned char key[16];
	double rate, burst;
	struct bucket shared; /* newcomers while every way is still spending */
	struct bucket b[GUARD_SETS][GUARD_WAYS];
};

struct limiter *limiter_new(const unsigned char key[16], double rate)
{
	struct limiter *l = calloc(1, sizeof(*l));
	if (!l)
		return NULL;
	memcpy(l->key, key, sizeof(l->key));
	l->rate = rate;
	l->burst = rate / 10 + 1;
	l->shared.tokens = l->burst;
	l->shared.used = true;
	return l;
}

void limiter_free(struct limiter *l)
{
	free(l);
}

static double refilled(const struct limiter *l, const struct bucket *b, int64_t now)
{
	double t = b->tokens + (double)(now - b->at) * 1e-9 * l->rate;
	return t > l->burst ? l->burst : t;
}

static bool take(const struct limiter *l, struct bucket *b, int64_t now)
{
	b->tokens = refilled(l, b, now);
	b->at = now;
	if (b->tokens < 1)
		return false;
	b->tokens -= 1;
	return true;
}

bool limiter_take(struct limiter *l, const struct sockaddr_storage *from, int64_t now_ns)
{
	unsigned char a[16];
	peer_address_bytes(from, a);
	struct bucket *set = l->b[siphash24(l->key, a, sizeof(a)) % GUARD_SETS], *free_way = NULL;
	for (int w = 0; w < GUARD_WAYS; w++) {
		struct bucket *b = &set[w];
		if (b->used && !memcmp(b->addr, a, sizeof(a)))
			return take(l, b, now_ns);
		/* a way whose bucket is full again holds nothing: a fresh one is
		 * the same bucket */
		if (!free_way && (!b->used || refilled(l, b, now_ns) >= l->burst))
			free_way = b;
	}
	if (!free_way)
		return take(l, &l->shared, now_ns);
	memcpy(free_way->addr, a, sizeof(a));
	free_way->used = true;
	free_way->tokens = l->burst;
	free_way->at = now_ns;
	return take(l, free_way, now_ns);
}

/* --- replies held per source ---------------------------------------------- */

struct holder {
	unsigned char addr[16];
	unsigned count; /* 0: a free way */
};

struct held {
	unsigned char key[16];
	unsigned share;
	struct holder shared; /* newcomers while every way of their set holds some */
	struct holder h[GUARD_SETS][GUARD_WAYS];
};

struct held *held_new(const unsigned char key[16], unsigned share)
{
	struct held *h = calloc(1, sizeof(*h));
	if (!h)
		return NULL;
	memcpy(h->key, key, sizeof(h->key));
	h->share = share;
	return h;
}

void held_free(struct held *h)
{
	free(h);
}

/* The way that counts A's replies, a free way of its set (CLAIM), or
 * NULL. */
static struct holder *holder_of(struct held *h, const unsigned char a[16], bool claim)
{
	struct holder *set = h->h[siphash24(h->key, a, 16) % GUARD_SETS], *free_way = NULL;
	for (int w = 0; w < GUARD_WAYS; w++) {
		if (set[w].count && !memcmp(set[w].addr, a, 16))
			return &set[w];
		if (!free_way && !set[w].count)
			free_way = &set[w];
	}
	if (claim && free_way)
		memcpy(free_way->addr, a, 16);
	return claim ? free_way : NULL;
}

bool held_take(struct held *h, const struct sockaddr_storage *from)
{
	unsigned char a[16];
	peer_address_bytes(from, a);
	struct holder *o = holder_of(h, a, true);
	if (!o)
		o = &h->shared;
	if (o->count >= h->share)
		return false;
	o->count++;
	return true;
}

/* A reply counted in the shared holder comes back there: FROM has no way
 * of its own then, or only one claimed since, which its later replies
 * empty first (each address's total stays right). */
void held_release(struct held *h, const struct sockaddr_storage *from)
{
	unsigned char a[16];
	peer_address_bytes(from, a);
	struct holder *o = holder_of(h, a, false);
	if (!o)
		o = &h->shared;
	if (o->count)
		o->count--;
}

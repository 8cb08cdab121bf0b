#include "admit.h"

#include <netinet/in.h>
#include <string.h>

#include "../lib/peer.h"

#define NS 1000000000LL

void slots_init(struct slots *t)
{
	memset(t, 0, sizeof(*t));
	for (int i = 0; i < ADMIT_SLOTS; i++)
		t->s[i].fd = -1;
}

/* One address: the same IPv4 address, or the same IPv6 /64 (a host is
 * given a /64, and picks addresses in it at will). */
static bool same_source(const unsigned char *a, const unsigned char *b)
{
	static const unsigned char v4[12] = { [10] = 0xff, [11] = 0xff };
	bool a4 = !memcmp(a, v4, 12), b4 = !memcmp(b, v4, 12);
	if (a4 != b4)
		return false;
	return !memcmp(a, b, a4 ? 16 : 8);
}

static bool live(const struct slot *s)
{
	return s->state == SLOT_WAITING || s->state == SLOT_ANSWERING;
}

/* May S make room at NOW: it waits for a request, or its answer is slow. */
static bool evictable(const struct slot *s, int64_t now)
{
	return s->state == SLOT_WAITING || (s->state == SLOT_ANSWERING && now - s->since > ADMIT_ANSWER_GRACE_NS);
}

int slots_admit(struct slots *t, int fd, const struct sockaddr_storage *peer, int64_t now, int *evict)
{
	unsigned char src[16];
	int total = 0, mine = 0, free_slot = -1, oldest = -1, oldest_mine = -1;

	peer_address_bytes(peer, src);
	*evict = -1;
	for (int i = 0; i < ADMIT_SLOTS; i++) {
		struct slot *s = &t->s[i];
		if (s->state == SLOT_FREE) {
			if (free_slot < 0)
				free_slot = i;
			continue;
		}
		if (!live(s))
			continue;
		bool same = same_source(s->source, src);
		total++;
		mine += same;
		if (!evictable(s, now))
			continue;
		if (oldest < 0 || s->since < t->s[oldest].since)
			oldest = i;
		if (same && (oldest_mine < 0 || s->since < t->s[oldest_mine].since))
			oldest_mine = i;
	}
	/* no free slot: every one is live or still closing */
	if (free_slot < 0)
		return -1;
	int victim = -1;
	if (mine >= SERVE_MAX_PER_ADDRESS) {
		if ((victim = oldest_mine) < 0)
			return -1;
	} else if (total >= SERVE_MAX_CONNECTIONS) {
		if ((victim = oldest) < 0)
			return -1;
	}
	if (victim >= 0) {
		t->s[victim].state = SLOT_CLOSING;
		*evict = victim;
	}
	t->s[free_slot] = (struct slot){ .state = SLOT_WAITING, .fd = fd, .since = now };
	memcpy(t->s[free_slot].source, src, sizeof(src));
	return free_slot;
}

int slots_expired(struct slots *t, int64_t now, int *at)
{
	for (; *at < ADMIT_SLOTS; (*at)++) {
		struct slot *s = &t->s[*at];
		if ((s->state == SLOT_WAITING && now - s->since >= SERVE_IDLE_TIMEOUT_S * NS) ||
		    (s->state == SLOT_ANSWERING && now - s->since >= SERVE_ANSWER_TIMEOUT_S * NS)) {
			s->state = SLOT_CLOSING;
			return (*at)++;
		}
	}
	return -1;
}

int slots_find(const struct slots *t, int fd)
{
	for (int i = 0; i < ADMIT_SLOTS; i++)
		if (t->s[i].state != SLOT_FREE && t->s[i].fd == fd)
			return i;
	return -1;
}

void slots_answering(struct slots *t, int i, int64_t now)
{
	if (i >= 0 && live(&t->s[i])) {
		t->s[i].state = SLOT_ANSWERING;
		t->s[i].since = now;
	}
}

void slots_waiting(struct slots *t, int i, int64_t now)
{
	if (i >= 0 && live(&t->s[i])) {
		t->s[i].state = SLOT_WAITING;
		t->s[i].since = now;
	}
}

void slots_free(struct slots *t, int i)
{
	if (i >= 0)
		t->s[i] = (struct slot){ .state = SLOT_FREE, .fd = -1 };
}

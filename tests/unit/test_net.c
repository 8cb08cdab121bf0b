/* The rtt server's defences (net/guard.h), with times passed in. */
#include <arpa/inet.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>

#include "net/guard.h"

#define S 1000000000LL

static const unsigned char key[16] = { 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15 };

/* The reference vectors of the SipHash paper (appendix A). */
static void siphash_reference(void **state)
{
	(void)state;
	unsigned char msg[15];
	for (int i = 0; i < 15; i++)
		msg[i] = (unsigned char)i;
	assert_true(siphash24(key, msg, 15) == 0xa129ca6149be45e5ULL);
	assert_true(siphash24(key, msg, 0) == 0x726fdb47dd0e0e31ULL);
}

static void replay_within_a_session(void **state)
{
	(void)state;
	int64_t now = 1000 * S;
	struct replay *r = replay_new(key, now - 10 * S);
	assert_non_null(r);
	assert_int_equal(replay_check(r, 7, 1, now, now), REPLAY_FRESH);
	/* the same probe again, from whatever source: the record has no address */
	assert_int_equal(replay_check(r, 7, 1, now, now + 1), REPLAY_SEEN);
	assert_int_equal(replay_check(r, 7, 3, now, now), REPLAY_FRESH);
	assert_int_equal(replay_check(r, 7, 2, now, now), REPLAY_FRESH); /* reordered, once */
	assert_int_equal(replay_check(r, 7, 2, now, now), REPLAY_SEEN);
	assert_int_equal(replay_check(r, 7, 200, now, now), REPLAY_FRESH);
	assert_int_equal(replay_check(r, 7, 100, now, now), REPLAY_SEEN); /* 100 back: out of the window */
	/* a time outside 30 s either way */
	assert_int_equal(replay_check(r, 8, 1, now - 31 * S, now), REPLAY_STALE);
	assert_int_equal(replay_check(r, 8, 1, now + 31 * S, now), REPLAY_STALE);
	/* signed before the server started: it could have been caught before */
	assert_int_equal(replay_check(r, 9, 1, now - 11 * S, now), REPLAY_OLD);
	replay_free(r);
}

/* A full record lets sessions go; a probe of one let go is not fresh
 * again, though a session newer than any let go is. */
static void replay_after_eviction(void **state)
{
	(void)state;
	int64_t now = 5000 * S;
	struct replay *r = replay_new(key, now - S);
	assert_non_null(r);
	assert_int_equal(replay_check(r, 42, 1, now, now), REPLAY_FRESH);
	for (uint64_t s = 0; s < 20000; s++)
		assert_int_equal(replay_check(r, 1000 + s, 1, now + (int64_t)s, now + (int64_t)s), REPLAY_FRESH);
	assert_int_equal(replay_check(r, 42, 1, now, now + 20000), REPLAY_OLD);
	/* its next probe, sent now, is newer than everything let go */
	assert_int_equal(replay_check(r, 42, 2, now + 30000, now + 30000), REPLAY_FRESH);
	assert_int_equal(replay_check(r, 43, 1, now + 30001, now + 30001), REPLAY_FRESH);
	replay_free(r);
}

static struct sockaddr_storage v4(const char *ip)
{
	struct sockaddr_storage a;
	memset(&a, 0, sizeof(a));
	struct sockaddr_in *in = (struct sockaddr_in *)&a;
	in->sin_family = AF_INET;
	inet_pton(AF_INET, ip, &in->sin_addr);
	return a;
}

static int taken(struct limiter *l, const struct sockaddr_storage *a, int n, int64_t at)
{
	int k = 0;
	for (int i = 0; i < n; i++)
		k += limiter_take(l, a, at);
	return k;
}

/* 10 a second: a burst of 2, then one a tenth of a second; a flood of
 * other addresses neither lifts nor starves a source that is spending. */
static void limiter_holds_under_pressure(void **state)
{
	(void)state;
	struct limiter *l = limiter_new(key, 10);
	struct sockaddr_storage me = v4("127.0.0.1");
	assert_non_null(l);
	assert_int_equal(taken(l, &me, 200, 0), 2);
	char ip[32];
	int others = 0;
	for (int i = 0; i < 20000; i++) {
		snprintf(ip, sizeof(ip), "10.%d.%d.%d", i / 65536, i / 256 % 256, i % 256);
		struct sockaddr_storage o = v4(ip);
		others += taken(l, &o, 3, S / 100);
		/* interleaved: this source is still limited */
		assert_int_equal(taken(l, &me, 1, S / 100), 0);
	}
	/* once every way is spending, newcomers share one bucket: no burst each */
	assert_true(others <= 2 * GUARD_SETS * GUARD_WAYS + 2);
	assert_int_equal(taken(l, &me, 200, S / 100 + S / 10), 1);
	/* quiet long enough, a source's bucket is full again */
	assert_int_equal(taken(l, &me, 200, 100 * S), 2);
	/* IPv4 and its mapped IPv6 form are one source */
	struct sockaddr_storage m;
	memset(&m, 0, sizeof(m));
	struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)&m;
	in6->sin6_family = AF_INET6;
	inet_pton(AF_INET6, "::ffff:127.0.0.1", &in6->sin6_addr);
	assert_int_equal(taken(l, &m, 5, 100 * S), 0);
	limiter_free(l);
}

/* How many of N more replies FROM may have held. */
static int held_taken(struct held *h, const struct sockaddr_storage *from, int n)
{
	int got = 0;
	for (int i = 0; i < n; i++)
		got += held_take(h, from);
	return got;
}

/* No source holds more than its share; what leaves makes room again; a
 * flood of addresses past the table shares one count, and the table is
 * empty again once every reply has left. */
static void held_share_per_source(void **state)
{
	(void)state;
	struct held *h = held_new(key, 4);
	struct sockaddr_storage me = v4("127.0.0.1"), you = v4("127.0.0.2");
	assert_non_null(h);
	assert_int_equal(held_taken(h, &me, 10), 4);
	assert_int_equal(held_taken(h, &you, 10), 4);
	held_release(h, &me);
	assert_int_equal(held_taken(h, &me, 10), 1);
	char ip[32];
	int others = 0;
	for (int i = 0; i < 20000; i++) {
		snprintf(ip, sizeof(ip), "10.%d.%d.%d", i / 65536, i / 256 % 256, i % 256);
		struct sockaddr_storage o = v4(ip);
		others += held_taken(h, &o, 1);
	}
	/* the table (less the two above) and then the shared count's 4 */
	assert_true(others <= GUARD_SETS * GUARD_WAYS + 4);
	assert_true(others >= GUARD_SETS * GUARD_WAYS / 2);
	int first = others;
	for (int i = 0; i < 20000; i++) {
		snprintf(ip, sizeof(ip), "10.%d.%d.%d", i / 65536, i / 256 % 256, i % 256);
		struct sockaddr_storage o = v4(ip);
		held_release(h, &o); /* those refused were not counted: harmless */
	}
	for (int i = 0; i < 4; i++) {
		held_release(h, &me);
		held_release(h, &you);
	}
	/* every way free again, and the shared count: the same flood fits as
	 * before, plus the ways the two above had */
	others = 0;
	for (int i = 0; i < 20000; i++) {
		snprintf(ip, sizeof(ip), "10.%d.%d.%d", i / 65536, i / 256 % 256, i % 256);
		struct sockaddr_storage o = v4(ip);
		others += held_taken(h, &o, 1);
	}
	assert_true(others >= first && others <= first + 2);
	held_free(h);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(siphash_reference),
		cmocka_unit_test(replay_within_a_session),
		cmocka_unit_test(replay_after_eviction),
		cmocka_unit_test(limiter_holds_under_pressure),
		cmocka_unit_test(held_share_per_source),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

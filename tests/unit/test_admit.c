/* The exporter's admission table (serve/admit.h), with times passed in. */
#include <arpa/inet.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>

#include "serve/admit.h"

#define S 1000000000LL

static struct sockaddr_storage v4(const char *text)
{
	struct sockaddr_storage a = { 0 };
	struct sockaddr_in *in = (struct sockaddr_in *)&a;
	in->sin_family = AF_INET;
	assert_int_equal(inet_pton(AF_INET, text, &in->sin_addr), 1);
	return a;
}

static struct sockaddr_storage v6(const char *text)
{
	struct sockaddr_storage a = { 0 };
	struct sockaddr_in6 *in = (struct sockaddr_in6 *)&a;
	in->sin6_family = AF_INET6;
	assert_int_equal(inet_pton(AF_INET6, text, &in->sin6_addr), 1);
	return a;
}

static int live_count(const struct slots *t)
{
	int n = 0;
	for (int i = 0; i < ADMIT_SLOTS; i++)
		n += t->s[i].state == SLOT_WAITING || t->s[i].state == SLOT_ANSWERING;
	return n;
}

/* One address fills its share with connections that never ask: the next
 * one from it takes the place of the one that has waited longest, and
 * another address is not touched. */
static void an_address_makes_room_from_its_own(void **state)
{
	(void)state;
	struct slots t;
	slots_init(&t);
	struct sockaddr_storage a = v4("192.0.2.1"), b = v4("192.0.2.2");
	int evict;
	int other = slots_admit(&t, 100, &b, 0, &evict);
	assert_true(other >= 0);
	assert_int_equal(evict, -1);
	int first = -1;
	for (int i = 0; i < SERVE_MAX_PER_ADDRESS; i++) {
		int k = slots_admit(&t, 10 + i, &a, (i + 1) * 1000, &evict);
		assert_true(k >= 0);
		assert_int_equal(evict, -1);
		if (i == 0)
			first = k;
	}
	int k = slots_admit(&t, 50, &a, 10 * S, &evict);
	assert_true(k >= 0);
	assert_int_equal(evict, first);
	assert_int_equal(t.s[first].state, SLOT_CLOSING);
	assert_int_equal(t.s[other].state, SLOT_WAITING);
	assert_int_equal(live_count(&t), SERVE_MAX_PER_ADDRESS + 1);
	/* the slot is found by its descriptor until libmicrohttpd closes it */
	assert_int_equal(slots_find(&t, 10), first);
	slots_free(&t, first);
	assert_int_equal(slots_find(&t, 10), -1);
}

/* A connection whose request is being answered is not taken for a
 * newcomer while its answer is young: with every one of an address's
 * connections answering, the newcomer is refused. */
static void an_answer_in_progress_is_kept(void **state)
{
	(void)state;
	struct slots t;
	slots_init(&t);
	struct sockaddr_storage a = v4("192.0.2.1");
	int evict, k[SERVE_MAX_PER_ADDRESS];
	for (int i = 0; i < SERVE_MAX_PER_ADDRESS; i++) {
		k[i] = slots_admit(&t, 10 + i, &a, 0, &evict);
		slots_answering(&t, k[i], 1000);
	}
	assert_int_equal(slots_admit(&t, 99, &a, ADMIT_ANSWER_GRACE_NS / 2, &evict), -1);
	assert_int_equal(evict, -1);
	/* an answer not taken within the grace makes room */
	int n = slots_admit(&t, 99, &a, ADMIT_ANSWER_GRACE_NS + 2000, &evict);
	assert_true(n >= 0);
	assert_int_equal(evict, k[0]);
	/* an answer done: the connection waits again, and may make room */
	slots_waiting(&t, k[1], ADMIT_ANSWER_GRACE_NS + 3000);
	assert_int_equal(t.s[k[1]].state, SLOT_WAITING);
	/* a slot told to close stays so whatever libmicrohttpd reports */
	slots_waiting(&t, k[0], ADMIT_ANSWER_GRACE_NS + 3000);
	assert_int_equal(t.s[k[0]].state, SLOT_CLOSING);
}

/* Many addresses, none over its share: at SERVE_MAX_CONNECTIONS the one
 * that has waited longest for a request goes, whoever it is. */
static void the_whole_table_makes_room_by_age(void **state)
{
	(void)state;
	struct slots t;
	slots_init(&t);
	int evict, oldest = -1;
	char text[32];
	for (int i = 0; i < SERVE_MAX_CONNECTIONS; i++) {
		snprintf(text, sizeof(text), "198.51.100.%d", i + 1);
		struct sockaddr_storage a = v4(text);
		/* the fifth is the oldest */
		int k = slots_admit(&t, 10 + i, &a, i == 4 ? 0 : (i + 10) * S, &evict);
		assert_true(k >= 0);
		assert_int_equal(evict, -1);
		if (i == 4)
			oldest = k;
	}
	struct sockaddr_storage late = v4("203.0.113.7");
	int k = slots_admit(&t, 99, &late, 60 * S, &evict);
	assert_true(k >= 0);
	assert_int_equal(evict, oldest);
	assert_int_equal(live_count(&t), SERVE_MAX_CONNECTIONS);
}

/* Those told to close hold a slot until libmicrohttpd has closed them:
 * when every slot is live or closing, a newcomer is refused. */
static void closing_ones_still_count(void **state)
{
	(void)state;
	struct slots t;
	slots_init(&t);
	int evict, n = 0;
	char text[32];
	for (int i = 0; i < ADMIT_SLOTS + 4; i++) {
		snprintf(text, sizeof(text), "198.51.100.%d", i + 1);
		struct sockaddr_storage a = v4(text);
		if (slots_admit(&t, 10 + i, &a, (int64_t)i * S, &evict) >= 0)
			n++;
	}
	assert_int_equal(n, ADMIT_SLOTS);
	assert_int_equal(live_count(&t), SERVE_MAX_CONNECTIONS);
	struct sockaddr_storage a = v4("203.0.113.7");
	assert_int_equal(slots_admit(&t, 999, &a, 1000 * S, &evict), -1);
}

/* An IPv6 /64 is one address; an IPv4 address and its v4-mapped form
 * are one too; another /64 is another. */
static void an_ipv6_slash64_is_one_address(void **state)
{
	(void)state;
	struct slots t;
	slots_init(&t);
	int evict;
	char text[64];
	for (int i = 0; i < SERVE_MAX_PER_ADDRESS; i++) {
		snprintf(text, sizeof(text), "2001:db8:1:2::%x", i + 1);
		struct sockaddr_storage a = v6(text);
		assert_true(slots_admit(&t, 10 + i, &a, i * 1000, &evict) >= 0);
		slots_answering(&t, slots_find(&t, 10 + i), 0);
	}
	struct sockaddr_storage same = v6("2001:db8:1:2:ffff::1"), other = v6("2001:db8:1:3::1");
	assert_int_equal(slots_admit(&t, 50, &same, 1000, &evict), -1);
	assert_true(slots_admit(&t, 51, &other, 1000, &evict) >= 0);
	assert_int_equal(evict, -1);

	slots_init(&t);
	struct sockaddr_storage plain = v4("192.0.2.9"), mapped = v6("::ffff:192.0.2.9"), near = v4("192.0.2.10");
	for (int i = 0; i < SERVE_MAX_PER_ADDRESS; i++) {
		assert_true(slots_admit(&t, 10 + i, i % 2 ? &plain : &mapped, 0, &evict) >= 0);
		slots_answering(&t, slots_find(&t, 10 + i), 0);
	}
	assert_int_equal(slots_admit(&t, 50, &plain, 1000, &evict), -1);
	/* a neighbour in the same /64 of the mapped space is another host */
	assert_true(slots_admit(&t, 51, &near, 1000, &evict) >= 0);
}

/* Deadlines: a whole request within SERVE_IDLE_TIMEOUT_S of the accept,
 * however the bytes trickle; an answer taken within
 * SERVE_ANSWER_TIMEOUT_S. Each expired slot is named once. */
static void deadlines(void **state)
{
	(void)state;
	struct slots t;
	slots_init(&t);
	struct sockaddr_storage a = v4("192.0.2.1"), b = v4("192.0.2.2");
	int evict;
	int asks = slots_admit(&t, 10, &a, 0, &evict);
	int reads = slots_admit(&t, 11, &b, 0, &evict);
	slots_answering(&t, reads, 1 * S);

	int at = 0;
	assert_int_equal(slots_expired(&t, SERVE_IDLE_TIMEOUT_S * S - 1, &at), -1);
	at = 0;
	assert_int_equal(slots_expired(&t, SERVE_IDLE_TIMEOUT_S * S, &at), asks);
	assert_int_equal(slots_expired(&t, SERVE_IDLE_TIMEOUT_S * S, &at), -1);
	assert_int_equal(t.s[asks].state, SLOT_CLOSING);
	at = 0;
	assert_int_equal(slots_expired(&t, SERVE_IDLE_TIMEOUT_S * S, &at), -1);

	at = 0;
	assert_int_equal(slots_expired(&t, (1 + SERVE_ANSWER_TIMEOUT_S) * S - 1, &at), -1);
	at = 0;
	assert_int_equal(slots_expired(&t, (1 + SERVE_ANSWER_TIMEOUT_S) * S, &at), reads);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(an_address_makes_room_from_its_own),
		cmocka_unit_test(an_answer_in_progress_is_kept),
		cmocka_unit_test(the_whole_table_makes_room_by_age),
		cmocka_unit_test(closing_ones_still_count),
		cmocka_unit_test(an_ipv6_slash64_is_one_address),
		cmocka_unit_test(deadlines),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

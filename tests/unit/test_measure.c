#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "measure/measure.h"
#include "recorded_wake.h"

static void percentiles_known_answers(void **state)
{
	(void)state;
	struct samples s;
	struct summary sum;
	assert_int_equal(samples_init(&s, 1000), 0);
	/* 1..1000 us, shuffled: the summary sorts */
	for (int i = 0; i < 1000; i++)
		samples_add(&s, (int64_t)(((i * 7919) % 1000) + 1) * 1000);
	samples_add(&s, 5); /* no room: counted, not stored */
	assert_int_equal(s.dropped, 1);
	samples_summarise(&s, &sum);
	assert_int_equal(sum.count, 1000);
	assert_true(sum.min_us == 1 && sum.max_us == 1000);
	assert_true(sum.p50_us == 500 && sum.p90_us == 900 && sum.p99_us == 990 && sum.p999_us == 999);
	assert_true(sum.mean_us > 500.49 && sum.mean_us < 500.51);
	/* [1,2) us holds 1; [2,4) 2 and 3; ... [512,1024) 512..1000 */
	assert_int_equal(sum.hist[0], 0);
	assert_int_equal(sum.hist[1], 1);
	assert_int_equal(sum.hist[2], 2);
	assert_int_equal(sum.hist[10], 489);
	size_t total = 0;
	for (int i = 0; i < HIST_BUCKETS; i++)
		total += sum.hist[i];
	assert_int_equal(total, 1000);
	assert_true(hist_bound_us(0) == 1 && hist_bound_us(10) == 1024 && hist_bound_us(HIST_BUCKETS - 1) == 0);
	samples_free(&s);

	/* nearest rank on few samples: p99 of 10 is the largest */
	assert_int_equal(samples_init(&s, 10), 0);
	for (int i = 10; i >= 1; i--)
		samples_add(&s, i * 1000);
	samples_summarise(&s, &sum);
	assert_true(sum.p50_us == 5 && sum.p90_us == 9 && sum.p99_us == 10 && sum.p999_us == 10);
	samples_free(&s);

	assert_int_equal(samples_init(&s, 4), 0);
	samples_summarise(&s, &sum);
	assert_int_equal(sum.count, 0);
	assert_true(sum.max_us == 0);
	samples_free(&s);
}

/* --- the cost of idle: the noise floor, without a clock --------------- */

static void abba(void **state)
{
	(void)state;
	bool held[8];
	cost_schedule(8, held);
	const bool want[8] = { false, true, true, false, false, true, true, false };
	assert_memory_equal(held, want, sizeof(want));
}

/* Blocks from a recording in units of 100 ns. */
static void load(struct cost_blocks *b, const uint16_t *const *blocks, const size_t *n)
{
	assert_int_equal(cost_blocks_init(b, 8, 400), 0);
	for (int k = 0; k < 8; k++)
		for (size_t i = 0; i < n[k]; i++)
			samples_add(&b->s[k], (int64_t)blocks[k][i] * 100);
}

/* Recorded: allowing idle costs this guest about 17 us at p50 (a halt to
 * the host against polling); the interval excludes 0 by far, and the same
 * blocks give the same interval every time. */
static void recorded_cost_is_found(void **state)
{
	(void)state;
	struct cost_blocks b;
	struct cost_verdict v, again;
	load(&b, recorded_ab, recorded_ab_n);
	cost_judge(&b, HOLD_DONE, &v);
	assert_int_equal(v.state, COST_FOUND);
	assert_int_equal(v.blocks_allowed, 4);
	assert_int_equal(v.blocks_held, 4);
	assert_true(v.p50.have && !v.p99.have); /* under 1,000 samples a condition: no p99 */
	assert_true(v.p50.lo_us > 5 && v.p50.lo_us <= v.p50.point_us && v.p50.point_us <= v.p50.hi_us);
	assert_true(v.lower_us == v.p50.lo_us);
	cost_judge(&b, HOLD_DONE, &again);
	assert_memory_equal(&v.p50, &again.p50, sizeof(v.p50));
	/* the same samples, no hold possible: no cost claimed */
	cost_judge(&b, HOLD_NOT_ALLOWED, &v);
	assert_int_equal(v.state, COST_NOT_MEASURED);
	cost_judge(&b, HOLD_NO_STATES, &v);
	assert_int_equal(v.state, COST_NOTHING_TO_HOLD);
	cost_blocks_free(&b);
}

/* Recorded with nothing held: the two halves of the schedule differ only
 * by the machine's own noise (other builds ran), and the interval says so. */
static void recorded_noise_is_not_a_cost(void **state)
{
	(void)state;
	struct cost_blocks b;
	struct cost_verdict v;
	load(&b, recorded_aa, recorded_aa_n);
	cost_judge(&b, HOLD_DONE, &v);
	assert_int_equal(v.state, COST_WITHIN_NOISE);
	assert_true(v.p50.lo_us <= 0 && v.p50.hi_us >= 0);
	/* one block's point difference alone would read as several us */
	assert_true(v.p50.hi_us - v.p50.lo_us > 1);
	cost_blocks_free(&b);
}

/* Synthetic blocks of N samples around 20 us, with TAIL of them at
 * TAIL_US in the allowed blocks marked in TAILED. */
static void synth(struct cost_blocks *b, size_t n, const bool *tailed, size_t tail, int64_t tail_us)
{
	uint64_t rnd = 0x1234567;
	assert_int_equal(cost_blocks_init(b, 8, n), 0);
	for (int k = 0; k < 8; k++)
		for (size_t i = 0; i < n; i++) {
			int64_t v = 18000 + (int64_t)(probe_random(&rnd) % 4000);
			if (!b->held[k] && tailed[k] && i % (n / tail) == 0)
				v = tail_us * 1000 + (int64_t)(probe_random(&rnd) % 1000);
			samples_add(&b->s[k], v);
		}
}

/* A tail in every allowed block is a p99 cost, judged by its lower bound. */
static void tail_in_every_block_is_a_cost(void **state)
{
	(void)state;
	const bool all[8] = { true, true, true, true, true, true, true, true };
	struct cost_blocks b;
	struct cost_verdict v;
	synth(&b, 500, all, 10, 100); /* 2% of each allowed block at 100 us */
	cost_judge(&b, HOLD_DONE, &v);
	assert_int_equal(v.state, COST_FOUND);
	assert_true(v.p99.have);
	assert_true(v.p99.lo_us > 50);
	assert_true(v.p50.lo_us < 5); /* the middle does not move */
	assert_true(v.lower_us == v.p99.lo_us);
	cost_blocks_free(&b);
}

/* The same tail in one block of four is the spread between repeats, not a
 * cost: a point estimate would say +80 us, the interval says "maybe 0". */
static void tail_in_one_block_is_noise(void **state)
{
	(void)state;
	const bool one[8] = { true, false, false, false, false, false, false, false };
	struct cost_blocks b;
	struct cost_verdict v;
	synth(&b, 500, one, 25, 100); /* 5% of one block: 1.25% of the condition */
	cost_judge(&b, HOLD_DONE, &v);
	assert_true(v.p99.have);
	assert_true(v.p99.point_us > 50);
	assert_true(v.p99.lo_us <= 0);
	assert_int_equal(v.state, COST_WITHIN_NOISE);
	cost_blocks_free(&b);
}

/* Percentiles only from enough samples, and a verdict only from enough
 * blocks of each condition. */
static void enough_samples_and_blocks(void **state)
{
	(void)state;
	struct samples s;
	struct summary sum;
	assert_int_equal(samples_init(&s, 1000), 0);
	for (int i = 0; i < 999; i++)
		samples_add(&s, 1000);
	samples_summarise(&s, &sum);
	assert_false(summary_has_p99(&sum));
	samples_add(&s, 1000);
	samples_summarise(&s, &sum);
	assert_true(summary_has_p99(&sum) && !summary_has_p999(&sum));
	samples_free(&s);

	const bool none[8] = { false };
	struct cost_blocks b;
	struct cost_verdict v;
	synth(&b, 100, none, 10, 100);
	/* blocks 4 to 7 cut short (Ctrl-C): two of each condition are left */
	for (int k = 4; k < 8; k++)
		b.s[k].count = 0;
	cost_judge(&b, HOLD_DONE, &v);
	assert_int_equal(v.state, COST_NOT_MEASURED);
	assert_int_equal(v.blocks_allowed, 2);
	assert_true(v.allowed.count == 200 && !v.p99.have);
	cost_blocks_free(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(percentiles_known_answers),
		cmocka_unit_test(abba),
		cmocka_unit_test(recorded_cost_is_found),
		cmocka_unit_test(recorded_noise_is_not_a_cost),
		cmocka_unit_test(tail_in_every_block_is_a_cost),
		cmocka_unit_test(tail_in_one_block_is_noise),
		cmocka_unit_test(enough_samples_and_blocks),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "measure/measure.h"

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

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(percentiles_known_answers),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

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

static struct wake_run run_with_p99(double p99)
{
	struct wake_run r;
	memset(&r, 0, sizeof(r));
	r.done = true;
	r.s.count = 100;
	r.s.p99_us = p99;
	return r;
}

static void evidence_moves_severity(void **state)
{
	(void)state;
	struct findings fs = { 0 };
	struct wake_result w;
	struct freq_result fr;
	struct freq_cpu cpus[2] = { { .cpu = 0, .chain_mhz = 1190 }, { .cpu = 1, .chain_mhz = 2390 } };

	memset(&w, 0, sizeof(w));
	memset(&fr, 0, sizeof(fr));
	finding_add(&fs, "cpu.cstate.deep", SEV_WARNING, "cpus 0-1", "C6");
	finding_add(&fs, "cpu.freq.low", SEV_WARNING, "cpus 0-1", "slow");
	fs.items[0].order = 4; /* their places in the rule table */
	fs.items[1].order = 0;
	/* 80 us of C-state cost on the cross-CPU wake: critical */
	w.timer_allowed = run_with_p99(30);
	w.timer_held = run_with_p99(20);
	w.npairs = 1;
	w.pairs[0].allowed = run_with_p99(100);
	w.pairs[0].held = run_with_p99(20);
	/* the slowest CPU at half its rating: critical */
	fr.cpus = cpus;
	fr.ncpus = 2;
	fr.rated_mhz = 2400;
	measure_evidence(&fr, &w, &fs);
	for (size_t i = 0; i < fs.count; i++)
		assert_int_equal(fs.items[i].severity, SEV_CRITICAL);
	assert_string_equal(fs.items[0].id, "cpu.freq.low"); /* ranked again */
	findings_free(&fs);

	/* enabled, but costing 2 us here; and the clock near its rating */
	finding_add(&fs, "cpu.cstate.deep", SEV_WARNING, "cpus 0-1", "C6");
	finding_add(&fs, "cpu.freq.low", SEV_WARNING, "cpus 0-1", "slow");
	w.pairs[0].allowed = run_with_p99(22);
	w.timer_allowed = run_with_p99(21);
	cpus[0].chain_mhz = 2300;
	measure_evidence(&fr, &w, &fs);
	for (size_t i = 0; i < fs.count; i++) {
		assert_int_equal(fs.items[i].severity, SEV_INFO);
		assert_true(fs.items[i].nevidence >= 1);
	}
	findings_free(&fs);

	/* nothing held off: no cost known, the severity stays */
	finding_add(&fs, "cpu.cstate.deep", SEV_WARNING, "cpus 0-1", "C6");
	w.timer_held.done = false;
	w.pairs[0].held.done = false;
	measure_evidence(NULL, &w, &fs);
	assert_int_equal(fs.items[0].severity, SEV_WARNING);
	assert_non_null(strstr(fs.items[0].evidence[0].value, "not measured"));
	findings_free(&fs);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(percentiles_known_answers),
		cmocka_unit_test(evidence_moves_severity),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

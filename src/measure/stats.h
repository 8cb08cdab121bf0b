/* Latency samples and their summary: min, percentiles, max. The samples
 * are kept whole (runs are short) and space is taken before a run starts,
 * so recording one is a store and nothing else. */
#ifndef LATDOC_STATS_H
#define LATDOC_STATS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct samples {
	int64_t *ns;
	size_t count, cap;
	size_t dropped; /* recorded after the space ran out */
};

/* Histogram buckets: under 1 us, then [1,2), [2,4) ... doubling, the last
 * open-ended (from 16.384 ms). */
#define HIST_BUCKETS 16

struct summary {
	size_t count;
	double min_us, p50_us, p90_us, p99_us, p999_us, max_us, mean_us;
	size_t hist[HIST_BUCKETS];
};

/* A percentile is an extreme order statistic below these counts: p99 of
 * 100 samples is the largest but one, and swings run to run. Below them a
 * percentile is not shown (with n samples, a p99 rests on the n/100 largest:
 * ten at 1,000). */
#define SUMMARY_P99_MIN 1000
#define SUMMARY_P999_MIN 10000
static inline bool summary_has_p99(const struct summary *s)
{
	return s->count >= SUMMARY_P99_MIN;
}
static inline bool summary_has_p999(const struct summary *s)
{
	return s->count >= SUMMARY_P999_MIN;
}

/* The upper bound of bucket I in us (1, 2, 4 ...); 0 for the last, open one. */
double hist_bound_us(int i);

/* Takes space for CAP samples; -ENOMEM. */
int samples_init(struct samples *s, size_t cap);
void samples_free(struct samples *s);

static inline void samples_add(struct samples *s, int64_t ns)
{
	if (s->count < s->cap)
		s->ns[s->count++] = ns;
	else
		s->dropped++;
}

/* Sorts the samples and summarises them; a summary of none is all zero.
 * Percentiles are nearest-rank: the smallest sample with at least P% of the
 * samples at or below it, as cyclictest's histogram reads. */
void samples_summarise(struct samples *s, struct summary *out);

#endif

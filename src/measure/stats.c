#include "stats.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

int samples_init(struct samples *s, size_t cap)
{
	memset(s, 0, sizeof(*s));
	s->ns = calloc(cap ? cap : 1, sizeof(*s->ns));
	if (!s->ns)
		return -ENOMEM;
	s->cap = cap;
	return 0;
}

void samples_free(struct samples *s)
{
	free(s->ns);
	memset(s, 0, sizeof(*s));
}

static int cmp(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
	return (x > y) - (x < y);
}

static double rank(const struct samples *s, double pct)
{
	/* 0.9 * 1000 is 900.0000000000001 in binary: not rank 901 */
	size_t n = (size_t)ceil(pct * (double)s->count / 100.0 - 1e-9);
	if (n < 1)
		n = 1;
	return (double)s->ns[n - 1] / 1000.0;
}

void samples_summarise(struct samples *s, struct summary *out)
{
	memset(out, 0, sizeof(*out));
	if (!s->count)
		return;
	qsort(s->ns, s->count, sizeof(*s->ns), cmp);
	double sum = 0;
	for (size_t i = 0; i < s->count; i++) {
		sum += (double)s->ns[i];
		int b = 0;
		while (b < HIST_BUCKETS - 1 && (double)s->ns[i] >= hist_bound_us(b) * 1000.0)
			b++;
		out->hist[b]++;
	}
	out->count = s->count;
	out->min_us = (double)s->ns[0] / 1000.0;
	out->max_us = (double)s->ns[s->count - 1] / 1000.0;
	out->mean_us = sum / (double)s->count / 1000.0;
	out->p50_us = rank(s, 50);
	out->p90_us = rank(s, 90);
	out->p99_us = rank(s, 99);
	out->p999_us = rank(s, 99.9);
}

double hist_bound_us(int i)
{
	return i < HIST_BUCKETS - 1 ? (double)(1u << i) : 0;
}

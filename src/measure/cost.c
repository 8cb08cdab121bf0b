#include "cost.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "probe.h"
#include "../lib/doubles.h"

const char *cost_state_name(enum cost_state s)
{
	static const char *const names[] = { [COST_NOT_MEASURED] = "not measured",
					     [COST_NOTHING_TO_HOLD] = "nothing to hold off",
					     [COST_WITHIN_NOISE] = "within noise",
					     [COST_FOUND] = "cost" };
	return s <= COST_FOUND ? names[s] : "?";
}

void cost_schedule(int n, bool *held)
{
	/* A B B A: position 1 and 2 of every four are held */
	for (int i = 0; i < n; i++)
		held[i] = i % 4 == 1 || i % 4 == 2;
}

int cost_blocks_init(struct cost_blocks *b, int n, size_t cap)
{
	memset(b, 0, sizeof(*b));
	if (n < 1 || n > COST_BLOCKS_MAX)
		return -EINVAL;
	cost_schedule(n, b->held);
	for (int i = 0; i < n; i++) {
		if (samples_init(&b->s[i], cap)) {
			cost_blocks_free(b);
			return -ENOMEM;
		}
		b->n = i + 1;
	}
	return 0;
}

void cost_blocks_free(struct cost_blocks *b)
{
	for (int i = 0; i < b->n; i++)
		samples_free(&b->s[i]);
	b->n = 0;
}

void cost_blocks_merge(struct cost_blocks *dst, const struct cost_blocks *src)
{
	for (int i = 0; i < dst->n && i < src->n; i++) {
		for (size_t k = 0; k < src->s[i].count; k++)
			samples_add(&dst->s[i], src->s[i].ns[k]);
		dst->s[i].dropped += src->s[i].dropped;
	}
}

static size_t pooled_count(const struct cost_blocks *b, bool held)
{
	size_t n = 0;
	for (int i = 0; i < b->n; i++)
		if (b->held[i] == held)
			n += b->s[i].count;
	return n;
}

void cost_blocks_summarise(const struct cost_blocks *b, bool held, struct summary *out)
{
	struct samples all;
	memset(out, 0, sizeof(*out));
	if (samples_init(&all, pooled_count(b, held)))
		return;
	for (int i = 0; i < b->n; i++)
		if (b->held[i] == held)
			for (size_t k = 0; k < b->s[i].count; k++)
				samples_add(&all, b->s[i].ns[k]);
	samples_summarise(&all, out);
	samples_free(&all);
}

/* The K-th smallest (from 0) of V[0..N), by quickselect with a three-way
 * partition (many equal samples are common); V is reordered. */
static int64_t select_kth(int64_t *v, size_t n, size_t k)
{
	size_t lo = 0, hi = n;
	while (hi - lo > 1) {
		int64_t pivot = v[lo + (hi - lo) / 2], t;
		size_t lt = lo, i = lo, gt = hi;
		while (i < gt) {
			if (v[i] < pivot) {
				t = v[lt], v[lt++] = v[i], v[i++] = t;
			} else if (v[i] > pivot) {
				t = v[--gt], v[gt] = v[i], v[i] = t;
			} else {
				i++;
			}
		}
		if (k < lt)
			hi = lt;
		else if (k >= gt)
			lo = gt;
		else
			return pivot;
	}
	return v[k];
}

/* Nearest rank, as samples_summarise() reads a percentile. */
static size_t rank_index(size_t n, double pct)
{
	size_t r = (size_t)ceil(pct * (double)n / 100.0 - 1e-9);
	return r < 1 ? 0 : r - 1;
}

/* One resample of a condition: as many blocks as it has, drawn with
 * replacement, pooled into SCRATCH; their p50 and p99 (ns). */
static void resample(const struct cost_blocks *b, const int *idx, int nidx, uint64_t *rnd, int64_t *scratch,
		     double *p50, double *p99)
{
	size_t n = 0;
	for (int i = 0; i < nidx; i++) {
		const struct samples *s = &b->s[idx[probe_random(rnd) % (uint64_t)nidx]];
		memcpy(scratch + n, s->ns, s->count * sizeof(*scratch));
		n += s->count;
	}
	if (!n) {
		*p50 = *p99 = 0;
		return;
	}
	/* p99 first: selecting it leaves the lower 99% in front for p50 */
	size_t k99 = rank_index(n, 99), k50 = rank_index(n, 50);
	*p99 = (double)select_kth(scratch, n, k99);
	*p50 = (double)select_kth(scratch, k99 + 1, k50);
}

static void interval(double *d, int n, double point_ns, struct cost_diff *out)
{
	doubles_sort(d, (size_t)n);
	out->have = true;
	out->point_us = point_ns / 1000.0;
	out->lo_us = d[(int)(0.025 * n)] / 1000.0;
	out->hi_us = d[(int)(0.975 * n + 0.999) - 1] / 1000.0;
}

void cost_judge(const struct cost_blocks *b, enum cost_hold hold, struct cost_verdict *out)
{
	int a_idx[COST_BLOCKS_MAX], h_idx[COST_BLOCKS_MAX], na = 0, nh = 0;

	memset(out, 0, sizeof(*out));
	for (int i = 0; i < b->n; i++) {
		if (!b->s[i].count)
			continue; /* a block cut short by Ctrl-C, or wholly in its guard */
		if (b->held[i])
			h_idx[nh++] = i;
		else
			a_idx[na++] = i;
	}
	out->blocks_allowed = na;
	out->blocks_held = nh;
	cost_blocks_summarise(b, false, &out->allowed);
	cost_blocks_summarise(b, true, &out->held);
	if (hold == HOLD_NO_STATES || hold == HOLD_NO_CHANGE) {
		out->state = COST_NOTHING_TO_HOLD;
		return;
	}
	if (hold != HOLD_DONE || na < COST_MIN_BLOCKS || nh < COST_MIN_BLOCKS || !out->allowed.count ||
	    !out->held.count)
		return; /* COST_NOT_MEASURED */

	size_t most = out->allowed.count > out->held.count ? out->allowed.count : out->held.count;
	/* a resample may draw the largest block every time */
	size_t biggest = 0;
	for (int i = 0; i < b->n; i++)
		if (b->s[i].count > biggest)
			biggest = b->s[i].count;
	size_t room = biggest * (size_t)(na > nh ? na : nh);
	int64_t *scratch = malloc((room > most ? room : most) * sizeof(*scratch));
	double *d50 = malloc(COST_RESAMPLES * sizeof(*d50)), *d99 = malloc(COST_RESAMPLES * sizeof(*d99));
	if (!scratch || !d50 || !d99) {
		free(scratch);
		free(d50);
		free(d99);
		return;
	}
	/* a fixed seed: the same blocks, the same interval */
	uint64_t rnd = 0x853c49e6748fea9bULL;
	for (int r = 0; r < COST_RESAMPLES; r++) {
		double a50, a99, h50, h99;
		resample(b, a_idx, na, &rnd, scratch, &a50, &a99);
		resample(b, h_idx, nh, &rnd, scratch, &h50, &h99);
		d50[r] = a50 - h50;
		d99[r] = a99 - h99;
	}
	interval(d50, COST_RESAMPLES, (out->allowed.p50_us - out->held.p50_us) * 1000.0, &out->p50);
	if (summary_has_p99(&out->allowed) && summary_has_p99(&out->held))
		interval(d99, COST_RESAMPLES, (out->allowed.p99_us - out->held.p99_us) * 1000.0, &out->p99);
	free(scratch);
	free(d50);
	free(d99);

	out->state = COST_WITHIN_NOISE;
	out->upper_us = out->p50.hi_us;
	if (out->p99.have && out->p99.hi_us > out->upper_us)
		out->upper_us = out->p99.hi_us;
	const struct cost_diff *d[] = { &out->p50, &out->p99 };
	for (int i = 0; i < 2; i++)
		if (d[i]->have && d[i]->lo_us > 0) {
			out->state = COST_FOUND;
			if (d[i]->lo_us > out->lower_us)
				out->lower_us = d[i]->lo_us;
		}
}

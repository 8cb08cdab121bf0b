/* check --measure: configuration says what may cost latency, a measurement
 * what it does cost here and now. The figures go into the findings'
 * evidence and move their severity. */
#include "measure.h"

#include <stdio.h>
#include <string.h>

static struct finding *find(struct findings *fs, const char *id)
{
	for (size_t i = 0; i < fs->count; i++)
		if (!strcmp(fs->items[i].id, id))
			return &fs->items[i];
	return NULL;
}

static double slowest_clock(const struct freq_result *r)
{
	double best = 0;
	/* the slowest measured CPU is the one a request may land on */
	for (size_t i = 0; i < r->ncpus; i++)
		if (r->cpus[i].chain_mhz > 0 && (best == 0 || r->cpus[i].chain_mhz < best))
			best = r->cpus[i].chain_mhz;
	return best;
}

static void freq_evidence(const struct freq_result *r, struct findings *fs)
{
	struct finding *x = find(fs, "cpu.freq.low");
	double mhz = slowest_clock(r), rated = r->rated_mhz > 0 ? r->rated_mhz : r->max_mhz;

	if (!x || mhz <= 0)
		return;
	finding_evidence(fs, x, "latdoc measure freq", "%.0f MHz measured on the slowest of %zu CPUs "
			 "(instruction chain)%s", mhz, r->ncpus, rated > 0 ? "" : "; no rating to compare");
	if (rated <= 0)
		return;
	double ratio = mhz / rated;
	if (ratio >= 0.9) {
		x->severity = SEV_INFO; /* held down on paper, not while it works */
		finding_evidence(fs, x, "latdoc measure freq", "%.0f%% of the rated %.0f MHz under load: "
				 "the clock rises when work arrives", 100 * ratio, rated);
	} else if (ratio < 0.6) {
		x->severity = SEV_CRITICAL;
		finding_evidence(fs, x, "latdoc measure freq", "%.0f%% of the rated %.0f MHz even while "
				 "working", 100 * ratio, rated);
	}
}

/* p99 with idle states allowed minus p99 with them held off. */
static bool cost(const struct wake_run *allowed, const struct wake_run *held, double *out)
{
	if (!allowed->done || !held->done || !allowed->s.count || !held->s.count)
		return false;
	*out = allowed->s.p99_us - held->s.p99_us;
	return true;
}

static void wake_evidence(const struct wake_result *w, struct findings *fs)
{
	struct finding *x = find(fs, "cpu.cstate.deep");
	double worst = 0, c;
	bool any = false;

	if (!x)
		return;
	if (cost(&w->timer_allowed, &w->timer_held, &c)) {
		finding_evidence(fs, x, "latdoc measure wake", "timer wake-up p99 %.1f us allowed, %.1f us "
				 "held off: %+.1f us", w->timer_allowed.s.p99_us, w->timer_held.s.p99_us, c);
		worst = c;
		any = true;
	}
	for (int i = 0; i < w->npairs; i++) {
		const struct wake_pair *p = &w->pairs[i];
		if (!cost(&p->allowed, &p->held, &c))
			continue;
		finding_evidence(fs, x, "latdoc measure wake", "cpu %d -> %d wake-up p99 %.1f us allowed, "
				 "%.1f us held off: %+.1f us", p->from, p->to, p->allowed.s.p99_us,
				 p->held.s.p99_us, c);
		if (!any || c > worst)
			worst = c;
		any = true;
	}
	if (!any) {
		finding_evidence(fs, x, "latdoc measure wake", "C-state cost not measured (see notes)");
		return;
	}
	if (worst >= 50)
		x->severity = SEV_CRITICAL;
	else if (worst < 5)
		x->severity = SEV_INFO; /* enabled, but it costs nothing measurable here */
}

void measure_evidence(const struct freq_result *freq, const struct wake_result *wake,
		      struct findings *fs)
{
	if (freq)
		freq_evidence(freq, fs);
	if (wake)
		wake_evidence(wake, fs);
	findings_sort(fs);
}

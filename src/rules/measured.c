/* Configuration says what may cost latency; a measurement (check
 * --measure) says what it does cost here and now. The rules whose cost can
 * be measured weigh their finding with it: the figure goes into the
 * evidence, and the severity follows it. */
#include "rules.h"

#include "../measure/measure.h"

/* The measured clock at or above this share of the rating: held down on
 * paper, not while it works. Below the critical share: slow even busy. */
#define MEASURED_CLOCK_FINE 0.90
#define MEASURED_CLOCK_CRITICAL 0.60
/* C-state cost at p99, in us: below it nothing measurable, above it every
 * light-load request pays a wake-up as long as a slow request. */
#define CSTATE_COST_NEGLIGIBLE_US 5
#define CSTATE_COST_CRITICAL_US 50

static double slowest_clock(const struct freq_result *r)
{
	double best = 0;
	/* the slowest measured CPU is the one a request may land on */
	for (size_t i = 0; i < r->ncpus; i++)
		if (r->cpus[i].chain_mhz > 0 && (best == 0 || r->cpus[i].chain_mhz < best))
			best = r->cpus[i].chain_mhz;
	return best;
}

void weigh_measured_clock(const struct facts *f, struct findings *out, struct finding *x)
{
	const struct freq_result *r = f->measured.freq;
	if (!x || !r)
		return;
	double mhz = slowest_clock(r), rated = r->rated_mhz > 0 ? r->rated_mhz : r->max_mhz;
	if (mhz <= 0)
		return;
	finding_evidence(out, x, "latdoc measure freq", "%.0f MHz measured on the slowest of %zu CPUs "
			 "(instruction chain)%s", mhz, r->ncpus, rated > 0 ? "" : "; no rating to compare");
	if (rated <= 0)
		return;
	double ratio = mhz / rated;
	if (ratio >= MEASURED_CLOCK_FINE) {
		x->severity = SEV_INFO;
		finding_evidence(out, x, "latdoc measure freq", "%.0f%% of the rated %.0f MHz under load: "
				 "the clock rises when work arrives", 100 * ratio, rated);
	} else if (ratio < MEASURED_CLOCK_CRITICAL) {
		x->severity = SEV_CRITICAL;
		finding_evidence(out, x, "latdoc measure freq", "%.0f%% of the rated %.0f MHz even while "
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

void weigh_measured_cstate_cost(const struct facts *f, struct findings *out, struct finding *x)
{
	const struct wake_result *w = f->measured.wake;
	double worst = 0, c;
	bool any = false;

	if (!x || !w)
		return;
	if (cost(&w->timer_allowed, &w->timer_held, &c)) {
		finding_evidence(out, x, "latdoc measure wake", "timer wake-up p99 %.1f us allowed, %.1f us "
				 "held off: %+.1f us", w->timer_allowed.s.p99_us, w->timer_held.s.p99_us, c);
		worst = c;
		any = true;
	}
	for (int i = 0; i < w->npairs; i++) {
		const struct wake_pair *p = &w->pairs[i];
		if (!cost(&p->allowed, &p->held, &c))
			continue;
		finding_evidence(out, x, "latdoc measure wake", "cpu %d -> %d wake-up p99 %.1f us allowed, "
				 "%.1f us held off: %+.1f us", p->from, p->to, p->allowed.s.p99_us,
				 p->held.s.p99_us, c);
		if (!any || c > worst)
			worst = c;
		any = true;
	}
	if (!any) {
		finding_evidence(out, x, "latdoc measure wake", "C-state cost not measured (see notes)");
		return;
	}
	if (worst >= CSTATE_COST_CRITICAL_US)
		x->severity = SEV_CRITICAL;
	else if (worst < CSTATE_COST_NEGLIGIBLE_US)
		x->severity = SEV_INFO; /* enabled, but it costs nothing measurable here */
}

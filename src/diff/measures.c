/* The measurements a diff compares, where both sides have them: one table,
 * a row a figure, compared by the ratio B / A. A figure is noise unless
 * it moved by more than a quarter and by more than its floor (a wake-up
 * of 2 us against 3 us is half again, and nothing). Where the document
 * holds one figure per CPU or per CPU pair, the median is compared. */
#include "diff.h"

#include <math.h>
#include <stdio.h>

#include "values.h"

struct measure {
	const char *key, *label;
	const char *path; /* numbers; their median */
	const char *unit;
	double floor;     /* a smaller difference is noise */
	bool higher_is_better;
};

#define NOISE_RATIO 1.25

static const struct measure measures[] = {
	{ "freq.mhz", "clock measured", "measurements.freq.cpus[].mhz", "MHz", 100, true },
	{ "freq.first_mhz", "clock right after idle", "measurements.freq.cpus[].first_mhz_after_idle", "MHz",
	  100, true },
	{ "freq.ramp_us", "ramp from idle to full clock", "measurements.freq.cpus[].ramp_us", "us", 100, false },
	{ "wake.timer.allowed.p50", "timer wake-up p50, C-states allowed", "measurements.wake.timer.allowed.p50_us",
	  "us", 2, false },
	{ "wake.timer.allowed.p99", "timer wake-up p99, C-states allowed", "measurements.wake.timer.allowed.p99_us",
	  "us", 10, false },
	{ "wake.timer.allowed.max", "timer wake-up max, C-states allowed", "measurements.wake.timer.allowed.max_us",
	  "us", 50, false },
	{ "wake.timer.held.p50", "timer wake-up p50, C-states held", "measurements.wake.timer.held.p50_us", "us", 2,
	  false },
	{ "wake.timer.held.p99", "timer wake-up p99, C-states held", "measurements.wake.timer.held.p99_us", "us", 10,
	  false },
	{ "wake.cross.allowed.p50", "cross-CPU wake-up p50, C-states allowed",
	  "measurements.wake.cross_cpu[].allowed.p50_us", "us", 2, false },
	{ "wake.cross.allowed.p99", "cross-CPU wake-up p99, C-states allowed",
	  "measurements.wake.cross_cpu[].allowed.p99_us", "us", 10, false },
	{ "wake.cross.held.p50", "cross-CPU wake-up p50, C-states held", "measurements.wake.cross_cpu[].held.p50_us",
	  "us", 2, false },
	{ "wake.cross.held.p99", "cross-CPU wake-up p99, C-states held", "measurements.wake.cross_cpu[].held.p99_us",
	  "us", 10, false },
	{ "rtt.p50", "round trip p50", "rtt.rtt.p50_us", "us", 10, false },
	{ "rtt.p99", "round trip p99", "rtt.rtt.p99_us", "us", 20, false },
	{ "ttfb.p50", "time to first byte p50", "ttfb.ttfb.p50_us", "us", 1000, false },
	{ "ttfb.p99", "time to first byte p99", "ttfb.ttfb.p99_us", "us", 2000, false },
	{ "ttfb.server.p50", "server time p50", "ttfb.server.p50_us", "us", 1000, false },
	{ "ttfb.connect.p50", "connect p50", "ttfb.connect.p50_us", "us", 500, false },
};

void diff_measurements(const struct diff_side *a, const struct diff_side *b, struct diff *out)
{
	for (size_t i = 0; i < sizeof(measures) / sizeof(measures[0]); i++) {
		const struct measure *m = &measures[i];
		double va = values_median(a->doc, m->path), vb = values_median(b->doc, m->path);
		char ta[64], tb[64];
		if (isnan(va) || isnan(vb) || va < 0 || vb < 0)
			continue;
		snprintf(ta, sizeof(ta), "%.*f %s", va < 100 ? 1 : 0, va, m->unit);
		snprintf(tb, sizeof(tb), "%.*f %s", vb < 100 ? 1 : 0, vb, m->unit);
		struct diff_row *r = diff_add(out, DIFF_MEASUREMENT, m->key, m->label, ta, tb);
		if (!r)
			return;
		r->va = va;
		r->vb = vb;
		r->unit = m->unit;
		r->ratio = va > 0 ? vb / va : NAN;
		double spread = va > 0 && vb > 0 ? (vb > va ? vb / va : va / vb) : INFINITY;
		r->matters = spread > NOISE_RATIO && fabs(vb - va) > m->floor;
		if (r->matters)
			r->worse = (vb < va) == m->higher_is_better ? 'b' : 'a';
		r->cost = isfinite(spread) ? (int)(1000 * log(spread)) : 100000;
	}
}

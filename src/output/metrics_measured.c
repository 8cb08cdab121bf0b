/* Measurements as metrics: the one place serve reads what measure_freq()
 * and measure_wake() return. A run not done (no root for the PM QoS hold,
 * one CPU for a cross-CPU pair) has no series. */
#include "metrics.h"

#include <math.h>
#include <stdio.h>

#include "../measure/measure.h"

/* A percentile is a series only with the samples to carry it (stats.h). */
static void wake_run(struct prom_set *s, struct prom_family *fam, const struct wake_probe *p, bool held,
		     const char *cstates, const char *from, const char *to)
{
	static const char *const pct[] = { "50", "99", "99.9" };
	const struct summary *sum = held ? &p->cost.held : &p->cost.allowed;
	if (!p->done || !sum->count)
		return;
	const double us[] = { sum->p50_us, sum->p99_us, sum->p999_us };
	const bool have[] = { true, summary_has_p99(sum), summary_has_p999(sum) };
	for (size_t i = 0; i < sizeof(us) / sizeof(us[0]); i++)
		if (have[i])
			/* to the nanosecond: the figure, not its binary rounding */
			prom_add(s, fam, round(us[i] * 1e3) / 1e9, "from", from, "to", to, "cstates", cstates,
				 "percentile", pct[i], NULL);
}

void metrics_measured(struct prom_set *s, const struct freq_result *freq, const struct wake_result *wake)
{
	if (freq) {
		struct prom_family *clock = prom_family(s, PROM_GAUGE, "latdoc_measured_clock_hertz", "hertz",
							"The clock a CPU ran at while working (a dependent "
							"instruction chain), at the last measurement.");
		for (size_t i = 0; i < freq->ncpus; i++) {
			char cpu[16];
			if (freq->cpus[i].mhz <= 0)
				continue;
			snprintf(cpu, sizeof(cpu), "%d", freq->cpus[i].cpu);
			prom_add(s, clock, round(freq->cpus[i].mhz * 1e6), "cpu", cpu, NULL);
		}
	}
	if (wake) {
		struct prom_family *timer = prom_family(s, PROM_GAUGE, "latdoc_measured_timer_wakeup_seconds",
							"seconds", "How late a timer woke a sleeping thread, by "
							"percentile, with idle states allowed or held off (PM QoS).");
		struct prom_family *cross = prom_family(s, PROM_GAUGE, "latdoc_measured_cross_cpu_wakeup_seconds",
							"seconds", "How long a wake-up from another CPU took after "
							"an idle gap, by percentile, idle states allowed or held off.");
		wake_run(s, timer, &wake->timer, false, "allowed", NULL, NULL);
		wake_run(s, timer, &wake->timer, true, "held", NULL, NULL);
		for (int i = 0; i < wake->npairs && i < WAKE_MAX_PAIRS; i++) {
			char from[16], to[16];
			snprintf(from, sizeof(from), "%d", wake->pairs[i].from);
			snprintf(to, sizeof(to), "%d", wake->pairs[i].to);
			wake_run(s, cross, &wake->pairs[i].probe, false, "allowed", from, to);
			wake_run(s, cross, &wake->pairs[i].probe, true, "held", from, to);
		}
	}
}

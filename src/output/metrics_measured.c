/* Measurements as metrics: the one place serve reads what measure_freq()
 * and measure_wake() return. A run not done (no root for the PM QoS hold,
 * one CPU for a cross-CPU pair) has no series. */
#include "metrics.h"

#include <math.h>
#include <stdio.h>

#include "../measure/measure.h"

static void wake_run(struct prom_set *s, struct prom_family *fam, const struct wake_run *run,
		     const char *cstates, const char *from, const char *to)
{
	static const char *const pct[] = { "50", "99", "99.9" };
	if (!run->done || !run->s.count)
		return;
	const double us[] = { run->s.p50_us, run->s.p99_us, run->s.p999_us };
	for (size_t i = 0; i < sizeof(us) / sizeof(us[0]); i++)
		/* to the nanosecond: the figure, not its binary rounding */
		prom_add(s, fam, round(us[i] * 1e3) / 1e9, "from", from, "to", to, "cstates", cstates, "percentile", pct[i],
			 NULL);
}

void metrics_measured(struct prom_set *s, const struct freq_result *freq, const struct wake_result *wake)
{
	if (freq) {
		struct prom_family *clock = prom_family(s, PROM_GAUGE, "latdoc_measured_clock_hertz", "hertz",
							"The clock a CPU ran at while working (a dependent "
							"instruction chain), at the last measurement.");
		for (size_t i = 0; i < freq->ncpus; i++) {
			char cpu[16];
			if (freq->cpus[i].chain_mhz <= 0)
				continue;
			snprintf(cpu, sizeof(cpu), "%d", freq->cpus[i].cpu);
			prom_add(s, clock, round(freq->cpus[i].chain_mhz * 1e6), "cpu", cpu, NULL);
		}
	}
	if (wake) {
		struct prom_family *timer = prom_family(s, PROM_GAUGE, "latdoc_measured_timer_wakeup_seconds",
							"seconds", "How late a timer woke a sleeping thread, by "
							"percentile, with idle states allowed or held off (PM QoS).");
		struct prom_family *cross = prom_family(s, PROM_GAUGE, "latdoc_measured_cross_cpu_wakeup_seconds",
							"seconds", "How long a wake-up from another CPU took after "
							"an idle gap, by percentile, idle states allowed or held off.");
		wake_run(s, timer, &wake->timer_allowed, "allowed", NULL, NULL);
		wake_run(s, timer, &wake->timer_held, "held", NULL, NULL);
		for (int i = 0; i < wake->npairs && i < WAKE_MAX_PAIRS; i++) {
			char from[16], to[16];
			snprintf(from, sizeof(from), "%d", wake->pairs[i].from);
			snprintf(to, sizeof(to), "%d", wake->pairs[i].to);
			wake_run(s, cross, &wake->pairs[i].allowed, "allowed", from, to);
			wake_run(s, cross, &wake->pairs[i].held, "held", from, to);
		}
	}
}

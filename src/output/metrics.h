/* A report as Prometheus metrics, for `latdoc serve` (docs/METRICS.md):
 * the findings, the facts they were judged on and, when taken, the
 * measurements. Bounded by the report: no label takes more values than the
 * machine has CPUs' idle states, policies, VMs or findings. */
#ifndef LATDOC_METRICS_H
#define LATDOC_METRICS_H

#include "../audit/report.h"
#include "prom.h"

/* At most this many VMs and idle-state names get series of their own; the
 * rest are counted (latdoc_vms) but not labelled, so a hostile dump cannot
 * make a scrape unbounded. */
#define METRICS_MAX_VMS 1024
#define METRICS_MAX_IDLE_STATES 32

/* Adds the families of report R to S. */
void metrics_report(struct prom_set *s, const struct report *r);

/* The measurements' families (clock, wake-up latency): the one place that
 * reads what measure_freq() and measure_wake() return, for serve. */
void metrics_measured(struct prom_set *s, const struct freq_result *freq,
		      const struct wake_result *wake);

#endif

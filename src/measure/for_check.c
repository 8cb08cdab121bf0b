/* What check --measure measures: the steady clock of each CPU (no ramp:
 * no rule weighs it) and the cost of idle for a timer and one cross-CPU
 * wake-up with an ordinary (SCHED_OTHER) sleeper, as a service thread has,
 * in enough blocks for the verdict to hold run after run. */
#include <errno.h>
#include <stdlib.h>

#include "measure.h"

#define CHECK_WAKE_S 8.0

int measure_for_check(struct root *r, const struct facts *f, struct freq_result **freq,
		      struct wake_result **wake)
{
	struct freq_options fo = { .ramp_trials = 0 };
	struct wake_options wo = { .duration_s = CHECK_WAKE_S, .interval_us = 1000, .fifo_pairs = false };
	struct cpuset cpus = { 0 };
	int e = measure_default_cpus(f, &cpus);

	*freq = NULL;
	*wake = NULL;
	if (!e && !(*freq = calloc(1, sizeof(**freq))))
		e = -ENOMEM;
	if (!e && (e = measure_freq(r, f, &cpus, &fo, *freq))) {
		free(*freq);
		*freq = NULL;
	}
	if (!e && !probe_interrupted() && !(*wake = calloc(1, sizeof(**wake))))
		e = -ENOMEM;
	if (!e && *wake && (e = measure_wake(r, f, &cpus, &wo, *wake))) {
		free(*wake);
		*wake = NULL;
	}
	cpuset_clear(&cpus);
	return e;
}

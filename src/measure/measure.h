/* Measurements: what configuration costs on this machine, now. They sit
 * beside check and reuse its facts (CPUs, topology, idle states, rated
 * clock) rather than reading files their own way. Live machine only. */
#ifndef LATDOC_MEASURE_H
#define LATDOC_MEASURE_H

#include <stdbool.h>

#include "../facts/facts.h"
#include "probe.h"
#include "stats.h"

#define MEASURE_NOTES 8

/* What could not be measured and why, in plain words. */
struct notes {
	char text[MEASURE_NOTES][200];
	int count;
};
void note_add(struct notes *n, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

struct freq_cpu {
	int cpu;
	double chain_mhz;    /* upper quartile of the slices; 0 not measured */
	double spread_pct;   /* (max - min) / chain_mhz of the slices */
	double perf_mhz;     /* from the cycles counter; 0 unavailable */
	double aperf_mhz;    /* TSC rate x dAPERF/dMPERF; 0 unavailable */
	double first_mhz;    /* the first short slice after idle */
	double ramp_us;      /* from idle to 90% of the steady clock; -1 unknown */
};

struct freq_result {
	struct freq_cpu *cpus;
	size_t ncpus;
	double rated_mhz, max_mhz; /* from the facts; 0 unknown */
	double overhead_ns;        /* one clock read */
	struct notes notes;
};

struct wake_run {
	bool done;
	struct summary s;
	struct idle_counts idle; /* idle states entered during the run */
};

enum wake_relation { WAKE_SMT, WAKE_CORE, WAKE_SOCKET };

struct wake_pair {
	int from, to;
	enum wake_relation relation;
	bool fifo; /* the sleeper's policy */
	struct wake_run allowed, held;
};

#define WAKE_MAX_PAIRS 6

struct wake_options {
	double duration_s;   /* per run */
	long interval_us;    /* timer period */
	bool fifo_pairs;     /* also measure cross-CPU wakes with a SCHED_FIFO sleeper */
};

struct wake_result {
	struct wake_options opt;
	struct cpuset cpus;
	bool timer_fifo;      /* the timer threads got SCHED_FIFO */
	struct wake_run timer_allowed, timer_held;
	struct wake_pair pairs[WAKE_MAX_PAIRS];
	int npairs;
	long gap_min_us, gap_max_us; /* idle gap before each cross-CPU wake */
	bool held;                   /* the PM QoS hold worked */
	long qos_readback_us, qos_after_us;
	double overhead_ns;
	struct notes notes;
};

/* The CPUs measured by default: all online ones up to 8, else 8 spread
 * evenly over them. */
int measure_default_cpus(const struct facts *f, struct cpuset *out);

int measure_freq(const struct facts *f, const struct cpuset *cpus, struct freq_result *out);
void freq_result_free(struct freq_result *r);

int measure_wake(struct root *r, const struct facts *f, const struct cpuset *cpus,
		 const struct wake_options *opt, struct wake_result *out);
void wake_result_free(struct wake_result *r);
const char *wake_relation_name(enum wake_relation rel);

#endif

/* Measurements: what configuration costs on this machine, now. They sit
 * beside check and reuse its facts (CPUs, topology, idle states, rated
 * clock) rather than reading files their own way. Live machine only. */
#ifndef LATDOC_MEASURE_H
#define LATDOC_MEASURE_H

#include <stdbool.h>

#include "../facts/facts.h"
#include "cost.h"
#include "probe.h"
#include "stats.h"

#define MEASURE_NOTES 10

/* What could not be measured and why, in plain words. */
struct notes {
	char text[MEASURE_NOTES][220];
	int count;
};
void note_add(struct notes *n, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Figures taken while other work ran, or while the hypervisor took the
 * CPU, are not clean: said, not weighed. "" when clean. */
#define DISTURBED_MAX 200

/* --- the clock ------------------------------------------------------- */

struct freq_cpu {
	int cpu;
	double mhz;          /* the clock, from the add chain; 0 not measured or refused */
	double add_mhz;      /* a dependent chain of register adds, one a cycle */
	double imul_mhz;     /* a dependent chain of imul, three cycles each */
	double perf_mhz;     /* from the cycle counter; 0 unavailable */
	double aperf_mhz;    /* TSC rate x dAPERF/dMPERF; 0 unavailable */
	double spread_pct;   /* (max - min) / mhz of the slices */
	bool disagree;       /* chains or counter differ by more than FREQ_AGREE_PCT: refused */
	/* after a random idle of 100-300 ms, over FREQ_RAMP_TRIALS trials */
	int ramp_trials;
	double first_mhz;    /* median of the first 20 us slice */
	double ramp_p50_us, ramp_p90_us; /* to 90% of the steady clock; -1 not within 100 ms */
	int ramp_never;      /* trials that did not get there within 100 ms */
};

#define FREQ_AGREE_PCT 3.0
#define FREQ_RAMP_TRIALS 20

struct freq_options {
	int ramp_trials; /* 0: the steady clock only (check --measure) */
};

struct freq_result {
	struct freq_cpu *cpus;
	size_t ncpus;
	double rated_mhz, max_mhz; /* from the facts; 0 unknown */
	double overhead_ns;        /* one clock read */
	double slice_ms;           /* the length of a slice */
	bool interrupted;
	char disturbed[DISTURBED_MAX];
	struct notes notes;
};

/* --- wake-ups -------------------------------------------------------- */

/* One kind of wake-up, recorded in blocks that alternate between idle
 * states allowed and held off (cost.h). */
struct wake_probe {
	bool done;
	enum cost_hold hold;
	struct cost_verdict cost;     /* the pooled summaries, and the difference */
	struct idle_counts idle[2];   /* idle states entered: [0] allowed, [1] held off */
	double idle_share;            /* of the probed CPUs' time idle with states allowed; -1 unknown */
	double steal_pct;             /* of their time, stolen; -1 unknown */
	char disturbed[DISTURBED_MAX];
};

enum wake_relation { WAKE_SMT, WAKE_CORE, WAKE_SOCKET };

/* Cross-CPU samples by the idle state the sleeper left ("" none: it never
 * idled), so a p99 can be tied to a state. */
struct wake_state {
	char name[32];
	struct summary s[2]; /* allowed, held off */
};

struct wake_pair {
	int from, to;
	enum wake_relation relation;
	bool fifo; /* the sleeper's policy */
	struct wake_probe probe;
	struct wake_state states[IDLE_MAX_STATES + 1];
	int nstates;
};

/* The timer wake-up of one CPU: a bad CPU shows, not only the pool. */
struct wake_cpu {
	int cpu;
	struct summary s[2];
};

#define WAKE_MAX_PAIRS 6

struct wake_options {
	double duration_s; /* the whole measurement, split among the probes */
	long interval_us;  /* timer period */
	bool fifo_pairs;   /* also cross-CPU pairs with a SCHED_FIFO sleeper */
};

/* What a measurement will do, known before it starts: said at the start. */
struct wake_plan {
	int probes;         /* the timer, and one a cross-CPU pair */
	int blocks;         /* per probe */
	double block_s;
	double total_s;
};

struct wake_result {
	struct wake_options opt;
	struct wake_plan plan;
	struct cpuset cpus;
	bool timer_fifo; /* the timer threads got SCHED_FIFO */
	struct wake_probe timer;
	struct wake_cpu *timer_cpus;
	size_t ntimer_cpus;
	struct wake_pair pairs[WAKE_MAX_PAIRS];
	int npairs;
	long gap_min_us, gap_max_us; /* idle gap before each cross-CPU wake */
	bool held;                   /* the PM QoS hold worked */
	long qos_readback_us, qos_after_us;
	double overhead_ns;
	bool interrupted;
	struct notes notes;
};

/* The CPUs measured by default: all online ones up to 8, else 8 spread
 * evenly over them. */
int measure_default_cpus(const struct facts *f, struct cpuset *out);

int measure_freq(struct root *r, const struct facts *f, const struct cpuset *cpus,
		 const struct freq_options *opt, struct freq_result *out);
void freq_result_free(struct freq_result *r);

/* The pairs, blocks and time a wake measurement takes. */
void wake_plan(const struct facts *f, const struct cpuset *cpus, const struct wake_options *opt,
	       struct wake_plan *out);
int measure_wake(struct root *r, const struct facts *f, const struct cpuset *cpus,
		 const struct wake_options *opt, struct wake_result *out);
void wake_result_free(struct wake_result *r);
const char *wake_relation_name(enum wake_relation rel);

/* check --measure: the steady clock of each CPU and the cost of idle for
 * timer and cross-CPU wake-ups, about ten seconds. Each result is NULL
 * when not taken. */
int measure_for_check(struct root *r, const struct facts *f, struct freq_result **freq,
		      struct wake_result **wake);

#endif

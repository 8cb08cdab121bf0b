/* What every measurement needs: a clock, a thread pinned to a CPU, a
 * real-time priority where permitted, locked memory, a PM QoS hold, the
 * idle-state counters around a run, and a progress line. */
#ifndef LATDOC_PROBE_H
#define LATDOC_PROBE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "../facts/facts.h"

static inline int64_t probe_timespec_ns(const struct timespec *ts)
{
	return (int64_t)ts->tv_sec * 1000000000 + ts->tv_nsec;
}

/* CLOCK's time in ns: the monotonic clock for intervals, the realtime one
 * where a stamp crosses hosts or meets the kernel's, a CPU-time clock for
 * the time a thread ran. */
static inline int64_t probe_clock_ns(clockid_t clock)
{
	struct timespec ts;
	clock_gettime(clock, &ts);
	return probe_timespec_ns(&ts);
}

static inline int64_t probe_now_ns(void)
{
	return probe_clock_ns(CLOCK_MONOTONIC);
}

/* xorshift64: gaps and schedules must not be regular, or an idle governor
 * learns them; no quality beyond that is asked. STATE must not be 0. */
static inline uint64_t probe_random(uint64_t *state)
{
	uint64_t x = *state;
	x ^= x << 13;
	x ^= x >> 7;
	x ^= x << 17;
	return *state = x;
}

/* Pins the calling thread to CPU; 0 or -errno. */
int probe_pin(int cpu);
/* SCHED_FIFO at PRIO for the calling thread; 0 or -errno (EPERM without
 * CAP_SYS_NICE). */
int probe_fifo(int prio);
/* mlockall, so no page fault lands in a measured path; 0 or -errno. */
int probe_lock_memory(void);
/* The cost of one clock read, median of many pairs, in ns. */
double probe_clock_overhead_ns(void);
/* Sleeps for NS nanoseconds (absolute deadline, restarts on signals). */
void probe_sleep_ns(int64_t ns);
/* Sleeps until T (monotonic ns); false when Ctrl-C came first. */
bool probe_sleep_until(int64_t t);

/* Ctrl-C during a measurement: the first SIGINT sets a flag that every
 * measuring loop looks at, so it stops and reports what it has (as ping
 * does); the handler is reset, so a second SIGINT ends the process. The
 * commands exit 130 after the report. */
void probe_catch_interrupt(void);
bool probe_interrupted(void);
/* For threads a measurement starts: SIGINT goes to the main thread, whose
 * sleep it cuts short. */
void probe_block_interrupt(void);
#define EXIT_INTERRUPTED 130

/* A PM QoS request of 0 us on /dev/cpu_dma_latency: every CPU stays out of
 * idle states with any exit latency while it is held. */
struct pmqos_hold {
	int fd;
	long readback_us; /* the effective value read while held, -1 unread */
	long after_us;    /* the effective value after release, -1 unread */
};
/* 0, or -errno (EACCES without root, ENOENT without the device). */
int pmqos_hold(struct pmqos_hold *h);
/* Drops the request and reads what is left (after_us). */
void pmqos_release(struct pmqos_hold *h);
/* Drops the request only: between blocks, where nothing is read. */
void pmqos_drop(struct pmqos_hold *h);
/* The effective limit now, in us; -1 unread. */
long pmqos_effective_us(void);

/* Idle-state counters of a set of CPUs, summed by state name. */
#define IDLE_MAX_STATES 16
struct idle_counts {
	int nstates;
	char name[IDLE_MAX_STATES][32];
	long long usage[IDLE_MAX_STATES], time_us[IDLE_MAX_STATES];
};
void idle_counts_read(struct root *r, const struct facts *f, const struct cpuset *cpus,
		      struct idle_counts *out);
/* AFTER minus BEFORE, into AFTER. */
void idle_counts_delta(struct idle_counts *after, const struct idle_counts *before);

/* Time the CPUs in CPUS were stolen by the hypervisor, and all their time,
 * in ticks of /proc/stat; -1 when it cannot be read. */
int steal_ticks_read(struct root *r, const struct cpuset *cpus, long long *steal, long long *total);

/* "\r<what>, 12 s left" on stderr when it is a terminal, for runs longer
 * than a second: the time left counts down; probe_progress_done() clears
 * the line. */
void probe_progress(const char *what, double done_s, double total_s);
void probe_progress_done(void);

#endif

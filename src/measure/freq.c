/* The effective clock of each CPU while it works: a dependent chain of
 * adds, one per cycle, timed against the monotonic clock. Where the cycle
 * counter (perf) or APERF/MPERF (the msr driver) can be read, they are
 * measured too and each figure says where it came from. */
#include "measure.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/perf_event.h>
#include <pthread.h>
#include <sched.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <unistd.h>
#if defined(__x86_64__) || defined(__i386__)
#include <x86intrin.h>
#endif

#define SLICES 21
#define RAMP_SLICES 4000

void note_add(struct notes *n, const char *fmt, ...)
{
	va_list ap;
	if (n->count == MEASURE_NOTES)
		return;
	va_start(ap, fmt);
	vsnprintf(n->text[n->count++], sizeof(n->text[0]), fmt, ap);
	va_end(ap);
}

#define ADDS_PER_ROUND 8
#if defined(__x86_64__) || defined(__i386__)
#define ADD "add $1, %0\n\t"
#elif defined(__aarch64__)
#define ADD "add %0, %0, #1\n\t"
#endif

#ifdef ADD
#define HAVE_CHAIN 1
/* ROUNDS x 8 dependent adds: 8 cycles a round, whatever the loop costs
 * beside them, since the loop's own work runs in parallel. */
static void chain(uint64_t rounds)
{
	uint64_t x = 0;
	for (uint64_t i = 0; i < rounds; i++)
		__asm__ volatile(ADD ADD ADD ADD ADD ADD ADD ADD : "+r"(x));
}
#else
#define HAVE_CHAIN 0
static void chain(uint64_t rounds)
{
	(void)rounds;
}
#endif

/* MHz of ROUNDS rounds, and how long they took. */
static double chain_mhz(uint64_t rounds, int64_t *took_ns)
{
	int64_t t0 = probe_now_ns();
	chain(rounds);
	int64_t t = probe_now_ns() - t0;
	if (took_ns)
		*took_ns = t;
	return t > 0 ? (double)(rounds * ADDS_PER_ROUND) * 1000.0 / (double)t : 0;
}

static int perf_cycles_open(void)
{
	struct perf_event_attr a;
	memset(&a, 0, sizeof(a));
	a.size = sizeof(a);
	a.type = PERF_TYPE_HARDWARE;
	a.config = PERF_COUNT_HW_CPU_CYCLES;
	a.exclude_kernel = 1;
	a.exclude_hv = 1;
	int fd = (int)syscall(SYS_perf_event_open, &a, 0, -1, -1, PERF_FLAG_FD_CLOEXEC);
	return fd < 0 ? -errno : fd;
}

static double perf_mhz(int fd, uint64_t rounds)
{
	uint64_t c0, c1;
	int64_t t0 = probe_now_ns();
	if (read(fd, &c0, sizeof(c0)) != (ssize_t)sizeof(c0))
		return 0;
	chain(rounds);
	if (read(fd, &c1, sizeof(c1)) != (ssize_t)sizeof(c1))
		return 0;
	int64_t t = probe_now_ns() - t0;
	return t > 0 ? (double)(c1 - c0) * 1000.0 / (double)t : 0;
}

/* turbostat's Bzy_MHz: the TSC rate times APERF/MPERF over busy time. */
static double aperf_mhz(int cpu, uint64_t rounds, int *err)
{
#if defined(__x86_64__) || defined(__i386__)
	char path[64];
	uint64_t a0, a1, m0, m1;

	snprintf(path, sizeof(path), "/dev/cpu/%d/msr", cpu);
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		*err = -errno;
		return 0;
	}
	int64_t t0 = probe_now_ns();
	uint64_t tsc0 = __rdtsc();
	bool ok = pread(fd, &m0, 8, 0xE7) == 8 && pread(fd, &a0, 8, 0xE8) == 8;
	chain(rounds);
	ok = ok && pread(fd, &m1, 8, 0xE7) == 8 && pread(fd, &a1, 8, 0xE8) == 8;
	uint64_t tsc1 = __rdtsc();
	int64_t t = probe_now_ns() - t0;
	*err = ok ? 0 : -EIO;
	close(fd);
	if (!ok || m1 == m0 || t <= 0)
		return 0;
	double tsc_mhz = (double)(tsc1 - tsc0) * 1000.0 / (double)t;
	return tsc_mhz * (double)(a1 - a0) / (double)(m1 - m0);
#else
	(void)cpu;
	(void)rounds;
	*err = -EOPNOTSUPP;
	return 0;
#endif
}

/* Rounds that take about NS at MHZ. */
static uint64_t rounds_for(double mhz, int64_t ns)
{
	double r = mhz * (double)ns / 1000.0 / ADDS_PER_ROUND;
	return r < 1 ? 1 : (uint64_t)r;
}

static void measure_one(struct freq_cpu *c, double *ramp, int perf_fd, int *msr_err)
{
	double mhz[SLICES];

	/* calibrate on a warm CPU, then time slices of about 2 ms */
	chain_mhz(rounds_for(1000, 20000000), NULL);
	double guess = chain_mhz(rounds_for(1000, 1000000), NULL);
	uint64_t rounds = rounds_for(guess, 2000000);
	for (int i = 0; i < SLICES; i++)
		mhz[i] = chain_mhz(rounds, NULL);
	probe_sort(mhz, SLICES);
	/* an interrupt or a stolen slice only ever makes a slice slower: the
	 * upper quartile is the clock, the median would be the noise */
	c->chain_mhz = mhz[SLICES * 3 / 4];
	c->spread_pct = c->chain_mhz > 0 ? 100.0 * (mhz[SLICES - 1] - mhz[0]) / c->chain_mhz : 0;
	if (perf_fd >= 0)
		c->perf_mhz = perf_mhz(perf_fd, rounds * 2);
	c->aperf_mhz = aperf_mhz(c->cpu, rounds * 2, msr_err);

	/* the ramp: idle long enough for the governor to lower the clock, then
	 * slices of about 20 us until the clock holds at 90% of steady */
	uint64_t small = rounds_for(c->chain_mhz, 20000);
	probe_sleep_ns(200000000);
	int64_t start = probe_now_ns(), at[RAMP_SLICES];
	int n = 0;
	for (; n < RAMP_SLICES && probe_now_ns() - start < 100000000; n++) {
		at[n] = probe_now_ns() - start;
		ramp[n] = chain_mhz(small, NULL);
	}
	c->first_mhz = n ? ramp[0] : 0;
	c->ramp_us = -1;
	for (int i = 0; i + 2 < n; i++)
		if (ramp[i] >= 0.9 * c->chain_mhz && ramp[i + 1] >= 0.9 * c->chain_mhz &&
		    ramp[i + 2] >= 0.9 * c->chain_mhz) {
			c->ramp_us = (double)at[i] / 1000.0;
			break;
		}
}

int measure_default_cpus(const struct facts *f, struct cpuset *out)
{
	int n = cpuset_count(&f->online), want = n < 8 ? n : 8, taken = 0, seen = 0;
	for (int cpu = 0; cpu < f->online.size && taken < want; cpu++) {
		if (!cpuset_has(&f->online, cpu))
			continue;
		/* every (n/want)-th online CPU */
		if ((long)seen * want / n == taken) {
			if (cpuset_add(out, cpu))
				return -ENOMEM;
			taken++;
		}
		seen++;
	}
	return 0;
}

int measure_freq(const struct facts *f, const struct cpuset *cpus, struct freq_result *out)
{
	cpu_set_t saved;
	double *ramp = malloc(RAMP_SLICES * sizeof(*ramp));
	int count = cpuset_count(cpus), msr_err = 0;

	memset(out, 0, sizeof(*out));
	out->cpus = calloc((size_t)(count ? count : 1), sizeof(*out->cpus));
	if (!ramp || !out->cpus) {
		free(ramp);
		free(out->cpus);
		out->cpus = NULL;
		return -ENOMEM;
	}
	out->rated_mhz = f->nominal_mhz;
	for (size_t i = 0; i < f->cpufreq.count; i++)
		if (f->cpufreq.policies[i].hw_max_khz / 1000.0 > out->max_mhz)
			out->max_mhz = (double)f->cpufreq.policies[i].hw_max_khz / 1000.0;
	out->overhead_ns = probe_clock_overhead_ns();
	if (!HAVE_CHAIN) {
		note_add(&out->notes, "clock: not measured, no calibrated instruction chain for %s",
			 f->arch[0] ? f->arch : "this architecture");
		free(ramp);
		return 0;
	}
	int perf_fd = perf_cycles_open();
	if (perf_fd < 0)
		note_add(&out->notes, "cycle counter: not available (%s), clock from the instruction "
				      "chain only", strerror(-perf_fd));
	pthread_getaffinity_np(pthread_self(), sizeof(saved), &saved);
	int lock = probe_lock_memory();
	if (lock)
		note_add(&out->notes, "memory not locked (%s)", strerror(-lock));
	for (int cpu = 0; cpu < cpus->size; cpu++) {
		if (!cpuset_has(cpus, cpu))
			continue;
		struct freq_cpu *c = &out->cpus[out->ncpus];
		c->cpu = cpu;
		int err = probe_pin(cpu);
		if (err) {
			note_add(&out->notes, "cpu %d: cannot run there (%s)", cpu, strerror(-err));
			continue;
		}
		probe_progress("measuring the clock", (double)out->ncpus * 0.35, count * 0.35);
		measure_one(c, ramp, perf_fd, &msr_err);
		out->ncpus++;
	}
	probe_progress_done();
	pthread_setaffinity_np(pthread_self(), sizeof(saved), &saved);
	if (perf_fd >= 0)
		close(perf_fd);
	if (msr_err)
		note_add(&out->notes, "APERF/MPERF: not read (/dev/cpu/N/msr: %s; needs root, the msr "
				      "module and a CPU that has them)", strerror(-msr_err));
	free(ramp);
	return 0;
}

void freq_result_free(struct freq_result *r)
{
	free(r->cpus);
	memset(r, 0, sizeof(*r));
}

/* The effective clock of each CPU while it works: two dependent chains
 * timed against the monotonic clock, one of register adds (one a cycle)
 * and one of imul (three cycles on every current x86 core), so a core
 * that collapses dependent adds at register renaming (Intel from Golden
 * Cove on does so for small immediates) cannot pass for a faster clock:
 * the chains, and the cycle counter where perf has one, must agree within
 * FREQ_AGREE_PCT or no figure is given (lmbench's mhz cross-checks several
 * loops for the same reason; Intel's optimization reference manual,
 * Golden Cove: small-immediate adds resolved at rename).
 * Where APERF/MPERF can be read (the msr driver) they are shown too. */
#include "measure.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/perf_event.h>
#include <math.h>
#include <pthread.h>
#include <sched.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <unistd.h>
#if defined(__x86_64__) || defined(__i386__)
#include <x86intrin.h>
#endif

#include "../lib/doubles.h"

#define SLICES 21
#define SLICE_NS 2000000
#define RAMP_SLICE_NS 20000
#define RAMP_MAX_NS 100000000
#define RAMP_SLICES_MAX 6000
#define PMUS_MAX 4

void note_add(struct notes *n, const char *fmt, ...)
{
	va_list ap;
	if (n->count == MEASURE_NOTES)
		return;
	va_start(ap, fmt);
	vsnprintf(n->text[n->count++], sizeof(n->text[0]), fmt, ap);
	va_end(ap);
}

/* Eight dependent operations a round: the loop's own work runs beside
 * them, so a round costs 8 latencies. */
#define OPS_PER_ROUND 8
#if defined(__x86_64__)
#define HAVE_CHAIN 1
#define HAVE_IMUL 1
#define ADD "add %1, %0\n\t"
#define IMUL "imul %1, %0\n\t"
#define IMUL_CYCLES 3
#elif defined(__aarch64__)
#define HAVE_CHAIN 1
#define HAVE_IMUL 0 /* mul latency differs between Arm cores: no cross-check */
#define ADD "add %0, %0, %1\n\t"
#define IMUL ADD
#define IMUL_CYCLES 1
#else
#define HAVE_CHAIN 0
#define HAVE_IMUL 0
#define IMUL_CYCLES 1
#endif

#if HAVE_CHAIN
/* The operand is a register, not an immediate: no renamer collapses it. */
static void add_chain(uint64_t rounds)
{
	uint64_t x = 0, one = 1;
	__asm__ volatile("" : "+r"(one));
	for (uint64_t i = 0; i < rounds; i++)
		__asm__ volatile(ADD ADD ADD ADD ADD ADD ADD ADD : "+r"(x) : "r"(one));
}

static void imul_chain(uint64_t rounds)
{
	uint64_t x = 1, one = 1;
	__asm__ volatile("" : "+r"(one));
	for (uint64_t i = 0; i < rounds; i++)
		__asm__ volatile(IMUL IMUL IMUL IMUL IMUL IMUL IMUL IMUL : "+r"(x) : "r"(one));
}
#else
static void add_chain(uint64_t rounds)
{
	(void)rounds;
}
static void imul_chain(uint64_t rounds)
{
	(void)rounds;
}
#endif

/* MHz of ROUNDS rounds of CHAIN at CYCLES a link, against the monotonic
 * clock: for short slices, where a clock read must cost next to nothing. */
static double chain_mhz(void (*chain)(uint64_t), int cycles, uint64_t rounds)
{
	int64_t t0 = probe_now_ns();
	chain(rounds);
	int64_t t = probe_now_ns() - t0;
	return t > 0 ? (double)(rounds * OPS_PER_ROUND * (uint64_t)cycles) * 1000.0 / (double)t : 0;
}

/* The same against the thread's own run time, for slices of milliseconds:
 * time another task or the hypervisor took in the middle is not counted
 * (the scheduler's clock leaves out steal), so a busy machine does not
 * read as a slow clock. The share of the wall time the thread ran is
 * added to *RAN and *WALL. */
static double slice_mhz(void (*chain)(uint64_t), int cycles, uint64_t rounds, int64_t *ran, int64_t *wall)
{
	int64_t w0 = probe_now_ns(), c0 = probe_clock_ns(CLOCK_THREAD_CPUTIME_ID);
	chain(rounds);
	int64_t c = probe_clock_ns(CLOCK_THREAD_CPUTIME_ID) - c0, w = probe_now_ns() - w0;
	*ran += c;
	*wall += w;
	return c > 0 ? (double)(rounds * OPS_PER_ROUND * (uint64_t)cycles) * 1000.0 / (double)c : 0;
}

/* --- the cycle counter, on every core type ---------------------------- */

struct pmu_counters {
	int fd[PMUS_MAX];
	int n;
};

/* A hybrid CPU has one PMU a core type (cpu_core, cpu_atom): a generic
 * cycles event counts on one of them only, so one event a type is opened
 * and their counts added; the thread runs on one at a time. */
static int pmu_types(int *types)
{
	static const char *const names[] = { "cpu_core", "cpu_atom" };
	int n = 0;
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]) && n < PMUS_MAX; i++) {
		char path[96], buf[16];
		snprintf(path, sizeof(path), "/sys/bus/event_source/devices/%s/type", names[i]);
		int fd = open(path, O_RDONLY | O_CLOEXEC);
		if (fd < 0)
			continue;
		ssize_t len = read(fd, buf, sizeof(buf) - 1);
		close(fd);
		if (len > 0) {
			buf[len] = '\0';
			types[n++] = atoi(buf);
		}
	}
	return n;
}

static int perf_open(uint64_t config)
{
	struct perf_event_attr a;
	memset(&a, 0, sizeof(a));
	a.size = sizeof(a);
	a.type = PERF_TYPE_HARDWARE;
	a.config = config;
	a.exclude_kernel = 1;
	a.exclude_hv = 1;
	/* multiplexed with other events it counts part of the time: told */
	a.read_format = PERF_FORMAT_TOTAL_TIME_ENABLED | PERF_FORMAT_TOTAL_TIME_RUNNING;
	int fd = (int)syscall(SYS_perf_event_open, &a, 0, -1, -1, PERF_FLAG_FD_CLOEXEC);
	return fd < 0 ? -errno : fd;
}

static int pmu_open(struct pmu_counters *p)
{
	int types[PMUS_MAX], n = pmu_types(types), err = -ENOENT;
	p->n = 0;
	for (int i = 0; i < n; i++) {
		int fd = perf_open(PERF_COUNT_HW_CPU_CYCLES | (uint64_t)types[i] << 32);
		if (fd >= 0)
			p->fd[p->n++] = fd;
		else
			err = fd;
	}
	if (!p->n) {
		int fd = perf_open(PERF_COUNT_HW_CPU_CYCLES);
		if (fd < 0)
			return fd;
		p->fd[p->n++] = fd;
	}
	(void)err;
	return 0;
}

static void pmu_close(struct pmu_counters *p)
{
	for (int i = 0; i < p->n; i++)
		close(p->fd[i]);
	p->n = 0;
}

struct pmu_read {
	uint64_t count, enabled, running;
};

static bool pmu_sample(const struct pmu_counters *p, struct pmu_read *out)
{
	memset(out, 0, sizeof(*out));
	for (int i = 0; i < p->n; i++) {
		uint64_t v[3];
		if (read(p->fd[i], v, sizeof(v)) != (ssize_t)sizeof(v))
			return false;
		out->count += v[0];
		out->enabled += v[1];
		out->running += v[2];
	}
	return true;
}

/* Why there is no cycle counter, in plain words: a VM rarely passes the
 * PMU through (ENOENT, ENODEV), an unprivileged user is refused it
 * (perf_event_paranoid: EACCES, EPERM). */
static const char *no_cycle_counter(const struct facts *f, int err)
{
	static char why[120];

	if (err == -ENOENT || err == -ENODEV || err == -EOPNOTSUPP)
		return f->flag_hypervisor ? "no cycle counter in this VM (the hypervisor passes no PMU through)"
					  : "no cycle counter (the kernel has no PMU for this CPU)";
	if (err == -EACCES || err == -EPERM)
		return "cycle counter not allowed (run as root, or lower kernel.perf_event_paranoid)";
	snprintf(why, sizeof(why), "cycle counter not available (%s)", strerror(-err));
	return why;
}

/* MHz from the cycle counter over ROUNDS of the add chain; the share of
 * the time it counted in *SHARE. 0 when it did not count. */
static double perf_mhz(const struct pmu_counters *p, uint64_t rounds, double *share)
{
	struct pmu_read a, b;
	*share = 0;
	int64_t t0 = probe_now_ns();
	if (!pmu_sample(p, &a))
		return 0;
	add_chain(rounds);
	if (!pmu_sample(p, &b))
		return 0;
	int64_t t = probe_now_ns() - t0;
	uint64_t en = b.enabled - a.enabled, run = b.running - a.running;
	if (t <= 0 || !run)
		return 0;
	*share = en ? (double)run / (double)en : 1;
	/* scaled as perf stat scales a multiplexed count */
	return (double)(b.count - a.count) * ((double)en / (double)run) * 1000.0 / (double)t;
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
	add_chain(rounds);
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

/* Rounds that take about NS at MHZ, CYCLES a link. */
static uint64_t rounds_for(double mhz, int cycles, int64_t ns)
{
	double r = mhz * (double)ns / 1000.0 / OPS_PER_ROUND / cycles;
	return r < 1 ? 1 : (uint64_t)r;
}

static double pct_apart(double a, double b)
{
	double hi = a > b ? a : b;
	return hi > 0 ? 100.0 * fabs(a - b) / hi : 0;
}

/* The steady clock of the CPU the thread is pinned to: slices of the two
 * chains interleaved, the upper quartile of each (an interrupt or a stolen
 * slice only ever makes a slice slower). */
static void steady(struct freq_cpu *c, const struct pmu_counters *pmu, double *perf_share, int *msr_err,
		   double *ran_share)
{
	double add[SLICES], imul[SLICES];
	int64_t ran = 0, wall = 0;

	chain_mhz(add_chain, 1, rounds_for(1000, 1, 20000000)); /* warm: the clock rises */
	double guess = chain_mhz(add_chain, 1, rounds_for(1000, 1, 1000000));
	uint64_t ra = rounds_for(guess, 1, SLICE_NS), ri = rounds_for(guess, IMUL_CYCLES, SLICE_NS);
	for (int i = 0; i < SLICES; i++) {
		add[i] = slice_mhz(add_chain, 1, ra, &ran, &wall);
		imul[i] = HAVE_IMUL ? slice_mhz(imul_chain, IMUL_CYCLES, ri, &ran, &wall) : 0;
	}
	*ran_share = wall > 0 ? (double)ran / (double)wall : 1;
	doubles_sort(add, SLICES);
	doubles_sort(imul, SLICES);
	c->add_mhz = add[SLICES * 3 / 4];
	c->imul_mhz = imul[SLICES * 3 / 4];
	c->spread_pct = c->add_mhz > 0 ? 100.0 * (add[SLICES - 1] - add[0]) / c->add_mhz : 0;
	if (pmu->n)
		c->perf_mhz = perf_mhz(pmu, ra * 2, perf_share);
	c->aperf_mhz = aperf_mhz(c->cpu, ra * 2, msr_err);
	c->disagree = (HAVE_IMUL && pct_apart(c->add_mhz, c->imul_mhz) > FREQ_AGREE_PCT) ||
		      (c->perf_mhz > 0 && pct_apart(c->add_mhz, c->perf_mhz) > FREQ_AGREE_PCT);
	c->mhz = c->disagree ? 0 : c->add_mhz;
}

/* --- the ramp after idle ------------------------------------------------ */

struct ramp_thread {
	pthread_t tid;
	struct freq_cpu *c;
	int trials;
	uint64_t seed;
	int err;
};

/* One trial: slices of about 20 us from the end of an idle, until three in
 * a row reach 90% of the steady clock; -1 when not within 100 ms. */
static double ramp_once(const struct freq_cpu *c, uint64_t small, double *first)
{
	int64_t start = probe_now_ns();
	double target = 0.9 * c->add_mhz;
	int in_row = 0;
	int64_t row_start = 0;
	for (int n = 0; n < RAMP_SLICES_MAX; n++) {
		int64_t at = probe_now_ns() - start;
		if (at > RAMP_MAX_NS)
			break;
		double mhz = chain_mhz(add_chain, 1, small);
		if (!n)
			*first = mhz;
		if (mhz < target)
			in_row = 0;
		else if (!in_row++)
			row_start = at;
		if (in_row == 3)
			return (double)row_start / 1000.0;
	}
	return -1;
}

static void *ramp_main(void *arg)
{
	struct ramp_thread *t = arg;
	struct freq_cpu *c = t->c;
	double ramps[FREQ_RAMP_TRIALS], firsts[FREQ_RAMP_TRIALS];
	uint64_t small = rounds_for(c->add_mhz, 1, RAMP_SLICE_NS), rnd = t->seed;
	int n = 0, never = 0;

	probe_block_interrupt();
	if ((t->err = probe_pin(c->cpu)))
		return NULL;
	for (; n < t->trials && n < FREQ_RAMP_TRIALS && !probe_interrupted(); n++) {
		/* a random idle, so the governor cannot learn the pattern */
		int64_t idle = 100000000 + (int64_t)(probe_random(&rnd) % 200000001ULL);
		probe_sleep_until(probe_now_ns() + idle);
		ramps[n] = ramp_once(c, small, &firsts[n]);
		if (ramps[n] < 0) {
			ramps[n] = INFINITY;
			never++;
		}
	}
	c->ramp_trials = n;
	c->ramp_never = never;
	if (!n)
		return NULL;
	doubles_sort(ramps, (size_t)n);
	doubles_sort(firsts, (size_t)n);
	double p50 = ramps[(n + 1) / 2 - 1], p90 = ramps[(int)ceil(0.9 * n - 1e-9) - 1];
	c->ramp_p50_us = isinf(p50) ? -1 : p50;
	c->ramp_p90_us = isinf(p90) ? -1 : p90;
	c->first_mhz = firsts[(n + 1) / 2 - 1];
	return NULL;
}

/* Every CPU's trials at once: twenty idles of 100-300 ms each take about
 * four seconds, whatever the number of CPUs. */
static void ramps(struct freq_result *out, int trials)
{
	struct ramp_thread *t = calloc(out->ncpus, sizeof(*t));
	size_t started = 0;
	if (!t)
		return;
	for (size_t i = 0; i < out->ncpus; i++) {
		out->cpus[i].ramp_p50_us = out->cpus[i].ramp_p90_us = -1;
		if (out->cpus[i].add_mhz <= 0)
			continue;
		t[started] = (struct ramp_thread){ .c = &out->cpus[i], .trials = trials,
						   .seed = 0x2545f4914f6cdd1dULL ^ (uint64_t)probe_now_ns() ^ i };
		if (!pthread_create(&t[started].tid, NULL, ramp_main, &t[started]))
			started++;
	}
	for (size_t i = 0; i < started && !probe_interrupted(); i++)
		while (!probe_interrupted() && pthread_tryjoin_np(t[i].tid, NULL) == EBUSY)
			probe_sleep_ns(50000000);
	for (size_t i = 0; i < started; i++)
		pthread_join(t[i].tid, NULL); /* after Ctrl-C: each ends after its trial */
	free(t);
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

/* The clock is timed against the thread's run time, so other work does
 * not lower it; but a CPU shared with other work is not the CPU a request
 * gets alone, and its ramp and spread are not clean. */
static void disturbance(struct freq_result *out, long long steal, long long total, double ran, int ran_cpu)
{
	int n = 0;
	if (ran < 0.9)
		n = snprintf(out->disturbed, sizeof(out->disturbed),
			     "on cpu %d the measuring thread ran %.0f%% of the time: other work took the rest",
			     ran_cpu, 100 * ran);
	if (total > 0 && 100.0 * (double)steal / (double)total > 2.0 && n < (int)sizeof(out->disturbed))
		snprintf(out->disturbed + n, sizeof(out->disturbed) - (size_t)n,
			 "%s%.1f%% of the time stolen by the hypervisor", n ? "; " : "",
			 100.0 * (double)steal / (double)total);
}

int measure_freq(struct root *r, const struct facts *f, const struct cpuset *cpus,
		 const struct freq_options *opt, struct freq_result *out)
{
	long long steal0 = 0, total0 = 0, steal1 = 0, total1 = 0;
	cpu_set_t saved;
	int count = cpuset_count(cpus), msr_err = 0;
	struct pmu_counters pmu = { .n = 0 };

	memset(out, 0, sizeof(*out));
	out->cpus = calloc((size_t)(count ? count : 1), sizeof(*out->cpus));
	if (!out->cpus)
		return -ENOMEM;
	out->slice_ms = SLICE_NS / 1e6;
	out->rated_mhz = f->nominal_mhz;
	for (size_t i = 0; i < f->cpufreq.count; i++)
		if (f->cpufreq.policies[i].hw_max_khz / 1000.0 > out->max_mhz)
			out->max_mhz = (double)f->cpufreq.policies[i].hw_max_khz / 1000.0;
	out->overhead_ns = probe_clock_overhead_ns();
	if (!HAVE_CHAIN) {
		note_add(&out->notes, "clock: not measured, no calibrated instruction chain for %s",
			 f->arch[0] ? f->arch : "this architecture");
		return 0;
	}
	int perr = pmu_open(&pmu);
	if (perr)
		note_add(&out->notes, "%s: the clock from the two instruction chains only",
			 no_cycle_counter(f, perr));
	if (!HAVE_IMUL)
		note_add(&out->notes, "no imul chain on this architecture: the add chain is not cross-checked");
	pthread_getaffinity_np(pthread_self(), sizeof(saved), &saved);
	int lock = probe_lock_memory();
	if (lock)
		note_add(&out->notes, "memory not locked (%s)", strerror(-lock));
	bool have_steal = !steal_ticks_read(r, cpus, &steal0, &total0);
	double low_share = 1, low_ran = 1;
	int low_ran_cpu = -1;
	for (int cpu = 0; cpu < cpus->size && !probe_interrupted(); cpu++) {
		if (!cpuset_has(cpus, cpu))
			continue;
		struct freq_cpu *c = &out->cpus[out->ncpus];
		c->cpu = cpu;
		c->ramp_p50_us = c->ramp_p90_us = -1;
		int err = probe_pin(cpu);
		if (err) {
			note_add(&out->notes, "cpu %d: cannot run there (%s)", cpu, strerror(-err));
			continue;
		}
		probe_progress("measuring the clock", (double)out->ncpus * 0.1,
			       count * 0.1 + (opt->ramp_trials ? 4.5 : 0));
		double share = 1, ran = 1;
		steady(c, &pmu, &share, &msr_err, &ran);
		if (ran < low_ran) {
			low_ran = ran;
			low_ran_cpu = cpu;
		}
		if (share < low_share)
			low_share = share;
		char perf_text[64] = "";
		if (c->perf_mhz > 0)
			snprintf(perf_text, sizeof(perf_text), ", the cycle counter %.0f MHz", c->perf_mhz);
		if (c->disagree)
			note_add(&out->notes, "cpu %d: no clock given: the add chain read %.0f MHz, the imul chain "
					      "%.0f MHz%s, more than %.0f%% apart", cpu, c->add_mhz, c->imul_mhz,
				 perf_text, FREQ_AGREE_PCT);
		out->ncpus++;
	}
	pthread_setaffinity_np(pthread_self(), sizeof(saved), &saved);
	if (opt->ramp_trials && !probe_interrupted()) {
		probe_progress("measuring the clock after idle, 20 trials", count * 0.1, count * 0.1 + 4.5);
		ramps(out, opt->ramp_trials);
	}
	probe_progress_done();
	pmu_close(&pmu);
	if (low_share < 0.99)
		note_add(&out->notes, "the cycle counter was shared with other events and counted %.0f%% of the "
				      "time: its figure is scaled", 100 * low_share);
	if (msr_err)
		note_add(&out->notes, "%s", msr_err == -ENOENT && f->flag_hypervisor
						    ? "APERF/MPERF: not read, this VM has no MSR access"
					    : msr_err == -ENOENT
						    ? "APERF/MPERF: not read, no /dev/cpu/N/msr (modprobe msr, as root)"
					    : msr_err == -EACCES || msr_err == -EPERM
						    ? "APERF/MPERF: not read, the MSRs need root"
						    : "APERF/MPERF: not read, the CPU or kernel does not give them");
	note_add(&out->notes, "each CPU was measured alone for about %.0f ms: its single-core clock, not "
			      "the clock all cores sustain together", 2 * SLICES * SLICE_NS / 1e6);
	out->interrupted = probe_interrupted();
	if (!have_steal || steal_ticks_read(r, cpus, &steal1, &total1))
		steal1 = steal0, total1 = total0;
	disturbance(out, steal1 - steal0, total1 - total0, low_ran, low_ran_cpu);
	return 0;
}

void freq_result_free(struct freq_result *r)
{
	free(r->cpus);
	memset(r, 0, sizeof(*r));
}

/* Wake-up latency, two ways, each with deep idle states allowed and held
 * off by a PM QoS request of 0 us:
 *  - timer: per-CPU threads sleep to an absolute deadline, as cyclictest
 *    does; the CPU knows the timer and may pre-wake for it;
 *  - cross-CPU: a thread on one CPU wakes (futex) a thread blocked on
 *    another after a random idle gap long enough for that CPU to reach its
 *    deepest allowed state; nothing predicts this wake, like a packet the
 *    KVM I/O thread hands to a vCPU. */
#include "measure.h"

#include <errno.h>
#include <linux/futex.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#define WARMUP_NS 50000000 /* samples of the first 50 ms are discarded */
#define FIFO_PRIO 95

const char *wake_relation_name(enum wake_relation rel)
{
	return rel == WAKE_SMT ? "smt sibling" : rel == WAKE_CORE ? "other core" : "other socket";
}

/* --- timer ---------------------------------------------------------- */

struct timer_thread {
	pthread_t tid;
	int cpu;
	bool fifo;       /* ask for SCHED_FIFO */
	bool got_fifo;
	long interval_us;
	int64_t start, end;
	struct samples s;
	int err;
};

static void *timer_main(void *arg)
{
	struct timer_thread *t = arg;

	t->err = probe_pin(t->cpu);
	if (t->err)
		return NULL;
	t->got_fifo = t->fifo && !probe_fifo(FIFO_PRIO);
	/* the 50 us default slack would be measured, not the wake-up */
	prctl(PR_SET_TIMERSLACK, 1UL, 0, 0, 0);
	int64_t interval = t->interval_us * 1000, next = t->start;
	while (next < t->end) {
		struct timespec ts = { .tv_sec = next / 1000000000, .tv_nsec = next % 1000000000 };
		if (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL) == EINTR)
			continue;
		int64_t now = probe_now_ns();
		if (next - t->start >= WARMUP_NS)
			samples_add(&t->s, now - next);
		next += interval;
		if (next < now) /* overran a whole period: start again from now */
			next = now + interval;
	}
	return NULL;
}

static int timer_run(const struct cpuset *cpus, const struct wake_options *o, bool fifo,
		     struct wake_run *run, bool *got_fifo, struct notes *notes)
{
	int n = cpuset_count(cpus), started = 0, err = 0;
	struct timer_thread *t = calloc((size_t)n, sizeof(*t));
	size_t per = (size_t)(o->duration_s * 1e6 / (double)o->interval_us) + 16;
	int64_t start = probe_now_ns() + 20000000;

	if (!t)
		return -ENOMEM;
	for (int cpu = 0, i = 0; cpu < cpus->size && !err; cpu++) {
		if (!cpuset_has(cpus, cpu))
			continue;
		t[i] = (struct timer_thread){ .cpu = cpu, .fifo = fifo, .interval_us = o->interval_us,
					      .start = start,
					      .end = start + WARMUP_NS + (int64_t)(o->duration_s * 1e9) };
		err = samples_init(&t[i].s, per);
		if (!err)
			err = -pthread_create(&t[i].tid, NULL, timer_main, &t[i]);
		if (!err)
			started = ++i;
	}
	struct samples all;
	if (!err)
		err = samples_init(&all, per * (size_t)n);
	*got_fifo = started > 0;
	for (int i = 0; i < started; i++) {
		pthread_join(t[i].tid, NULL);
		*got_fifo &= t[i].got_fifo;
		if (t[i].err)
			note_add(notes, "timer: cpu %d: cannot run there (%s)", t[i].cpu, strerror(-t[i].err));
		for (size_t k = 0; !err && k < t[i].s.count; k++)
			samples_add(&all, t[i].s.ns[k]);
	}
	if (!err) {
		samples_summarise(&all, &run->s);
		run->done = true;
		samples_free(&all);
	}
	for (int i = 0; i < n; i++)
		samples_free(&t[i].s);
	free(t);
	return err;
}

/* --- cross-CPU ----------------------------------------------------------- */

struct cross {
	_Atomic uint32_t seq;
	_Atomic int64_t t0;
	_Atomic bool stop;
	_Atomic bool ready;
	int cpu;
	bool fifo, got_fifo;
	int64_t record_after;
	struct samples s;
	int err;
};

static long futex(_Atomic uint32_t *addr, int op, uint32_t val)
{
	return syscall(SYS_futex, (uint32_t *)addr, op, val, NULL, NULL, 0);
}

static void *sleeper_main(void *arg)
{
	struct cross *x = arg;
	uint32_t seen = 0;

	x->err = probe_pin(x->cpu);
	if (!x->err)
		x->got_fifo = x->fifo && !probe_fifo(FIFO_PRIO);
	atomic_store(&x->ready, true);
	if (x->err)
		return NULL;
	for (;;) {
		while (atomic_load_explicit(&x->seq, memory_order_acquire) == seen)
			futex(&x->seq, FUTEX_WAIT_PRIVATE, seen);
		int64_t now = probe_now_ns();
		seen = atomic_load_explicit(&x->seq, memory_order_acquire);
		if (atomic_load(&x->stop))
			break;
		int64_t t0 = atomic_load(&x->t0);
		if (t0 >= x->record_after)
			samples_add(&x->s, now - t0);
	}
	return NULL;
}

static int cross_run(int from, int to, bool fifo, const struct wake_options *o, long gap_min_us,
		     long gap_max_us, struct wake_run *run, bool *got_fifo)
{
	struct cross *x = calloc(1, sizeof(*x));
	pthread_t tid;
	cpu_set_t saved;
	uint64_t rnd = 0x9e3779b97f4a7c15ULL ^ (uint64_t)probe_now_ns();
	size_t cap = (size_t)(o->duration_s * 1e6 / (double)gap_min_us) + 16;
	int err;

	if (!x)
		return -ENOMEM;
	x->cpu = to;
	x->fifo = fifo;
	if ((err = samples_init(&x->s, cap))) {
		free(x);
		return err;
	}
	pthread_getaffinity_np(pthread_self(), sizeof(saved), &saved);
	err = probe_pin(from);
	if (!err)
		err = -pthread_create(&tid, NULL, sleeper_main, x);
	if (err) {
		pthread_setaffinity_np(pthread_self(), sizeof(saved), &saved);
		samples_free(&x->s);
		free(x);
		return err;
	}
	while (!atomic_load(&x->ready))
		probe_sleep_ns(100000);
	int64_t start = probe_now_ns();
	x->record_after = start + WARMUP_NS;
	int64_t end = x->record_after + (int64_t)(o->duration_s * 1e9);
	while (!x->err && probe_now_ns() < end) {
		long gap = gap_min_us + (long)(probe_random(&rnd) % (uint64_t)(gap_max_us - gap_min_us + 1));
		probe_sleep_ns((int64_t)gap * 1000);
		atomic_store(&x->t0, probe_now_ns());
		atomic_fetch_add_explicit(&x->seq, 1, memory_order_release);
		futex(&x->seq, FUTEX_WAKE_PRIVATE, 1);
	}
	atomic_store(&x->stop, true);
	atomic_fetch_add_explicit(&x->seq, 1, memory_order_release);
	futex(&x->seq, FUTEX_WAKE_PRIVATE, 1);
	pthread_join(tid, NULL);
	pthread_setaffinity_np(pthread_self(), sizeof(saved), &saved);
	err = x->err;
	*got_fifo = x->got_fifo;
	if (!err) {
		samples_summarise(&x->s, &run->s);
		run->done = true;
	}
	samples_free(&x->s);
	free(x);
	return err;
}

/* Pairs from the first CPU: to its SMT sibling, to another core of its
 * package, to another package, where the topology has them. */
static void choose_pairs(const struct facts *f, const struct cpuset *cpus, struct wake_result *w)
{
	const struct cpu *a = NULL;
	bool have[3] = { false, false, false };

	for (size_t i = 0; i < f->ncpus && !a; i++)
		if (cpuset_has(cpus, f->cpus[i].id) && f->cpus[i].online)
			a = &f->cpus[i];
	for (size_t i = 0; a && i < f->ncpus; i++) {
		const struct cpu *b = &f->cpus[i];
		if (b == a || !b->online || !cpuset_has(cpus, b->id))
			continue;
		enum wake_relation rel = b->package != a->package ? WAKE_SOCKET
					 : b->core == a->core && b->core >= 0 ? WAKE_SMT
									     : WAKE_CORE;
		if (have[rel])
			continue;
		have[rel] = true;
		for (int fifo = 0; fifo <= (int)w->opt.fifo_pairs && w->npairs < WAKE_MAX_PAIRS; fifo++)
			w->pairs[w->npairs++] = (struct wake_pair){ .from = a->id, .to = b->id,
								    .relation = rel, .fifo = fifo };
	}
}

static void idle_gap(const struct facts *f, const struct cpuset *cpus, struct wake_result *w)
{
	long deepest = 0;
	for (size_t i = 0; i < f->ncpus; i++)
		for (size_t k = 0; cpuset_has(cpus, f->cpus[i].id) && k < f->cpus[i].nstates; k++)
			if (f->cpus[i].states[k].disabled != 1 && f->cpus[i].states[k].residency_us > deepest)
				deepest = f->cpus[i].states[k].residency_us;
	/* twice the deepest target residency, so the governor may choose it */
	w->gap_min_us = deepest * 2 > 500 ? deepest * 2 : 500;
	if (w->gap_min_us > 10000)
		w->gap_min_us = 10000;
	w->gap_max_us = w->gap_min_us * 2;
}

static int run_mode(struct root *r, const struct facts *f, const struct cpuset *cpus,
		    struct wake_result *w, bool held, double *done, double total)
{
	int err = 0;
	struct idle_counts before;
	const char *mode = held ? "C-states held off" : "C-states allowed";
	char what[96];

	snprintf(what, sizeof(what), "measuring wake-ups, timer, %s", mode);
	probe_progress(what, *done, total);
	struct wake_run *run = held ? &w->timer_held : &w->timer_allowed;
	idle_counts_read(r, f, cpus, &before);
	err = timer_run(cpus, &w->opt, true, run, &w->timer_fifo, &w->notes);
	idle_counts_read(r, f, cpus, &run->idle);
	idle_counts_delta(&run->idle, &before);
	*done += w->opt.duration_s;
	for (int i = 0; i < w->npairs && !err; i++) {
		struct wake_pair *p = &w->pairs[i];
		struct cpuset one = { 0 };
		bool got_fifo = false;
		snprintf(what, sizeof(what), "measuring wake-ups, cpu %d -> %d, %s", p->from, p->to, mode);
		probe_progress(what, *done, total);
		run = held ? &p->held : &p->allowed;
		if ((err = cpuset_add(&one, p->to)))
			break;
		idle_counts_read(r, f, &one, &before);
		err = cross_run(p->from, p->to, p->fifo, &w->opt, w->gap_min_us, w->gap_max_us, run, &got_fifo);
		idle_counts_read(r, f, &one, &run->idle);
		idle_counts_delta(&run->idle, &before);
		cpuset_clear(&one);
		if (err && err != -ENOMEM) {
			note_add(&w->notes, "cpu %d -> %d: not measured (%s)", p->from, p->to, strerror(-err));
			err = 0;
		}
		if (p->fifo && !got_fifo && run->done) {
			note_add(&w->notes, "SCHED_FIFO not permitted: the \"FIFO\" sleeper ran as SCHED_OTHER");
			p->fifo = false;
		}
		*done += w->opt.duration_s;
	}
	return err;
}

int measure_wake(struct root *r, const struct facts *f, const struct cpuset *cpus,
		 const struct wake_options *opt, struct wake_result *out)
{
	struct pmqos_hold hold;
	int err;

	memset(out, 0, sizeof(*out));
	out->opt = *opt;
	out->qos_readback_us = out->qos_after_us = -1;
	if ((err = cpuset_merge(&out->cpus, cpus)))
		return err;
	out->overhead_ns = probe_clock_overhead_ns();
	if ((err = probe_lock_memory()))
		note_add(&out->notes, "memory not locked (%s): a page fault may land in a measurement",
			 strerror(-err));
	choose_pairs(f, cpus, out);
	if (!out->npairs)
		note_add(&out->notes, "cross-CPU wake-up: not measured, it needs two CPUs");
	idle_gap(f, cpus, out);

	double done = 0, total = 2 * (1 + out->npairs) * opt->duration_s;
	err = run_mode(r, f, cpus, out, false, &done, total);
	if (!err && !out->timer_fifo)
		note_add(&out->notes, "SCHED_FIFO not permitted (run as root): timer threads ran as "
				      "SCHED_OTHER, with a timer slack of 1 ns");
	int held = err ? 0 : pmqos_hold(&hold);
	if (!err && held) {
		note_add(&out->notes, "C-states held off: not measured (/dev/cpu_dma_latency: %s%s)",
			 strerror(-held), held == -EACCES || held == -EPERM ? "; run as root" : "");
	} else if (!err) {
		out->held = true;
		err = run_mode(r, f, cpus, out, true, &done, total);
		pmqos_release(&hold);
		out->qos_readback_us = hold.readback_us;
		out->qos_after_us = hold.after_us;
	}
	probe_progress_done();
	return err;
}

void wake_result_free(struct wake_result *r)
{
	cpuset_clear(&r->cpus);
}

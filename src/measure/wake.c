/* Wake-up latency, two ways, each recorded in blocks that alternate
 * between deep idle states allowed and held off by a PM QoS request of
 * 0 us (cost.h):
 *  - timer: per-CPU threads sleep to absolute deadlines, as cyclictest
 *    does, staggered across threads; the CPU knows the timer and may
 *    pre-wake for it;
 *  - cross-CPU: a thread on one CPU wakes (futex) a thread blocked on
 *    another after a random idle gap long enough for that CPU to reach its
 *    deepest allowed state; nothing predicts this wake, like a packet the
 *    KVM I/O thread hands to a vCPU. Each sample is tagged with the idle
 *    state the sleeper left. With states held off the sleeper's CPU polls,
 *    so no IPI is sent: the difference is the cost of allowing idle. */
#include "measure.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/futex.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "../root/root.h"

#define FIFO_PRIO 95
#define START_NS 20000000   /* threads are running before the first block */
#define BLOCK_TARGET_S 0.2  /* about 20 blocks of 0.2 s a probe by default */
#define BLOCK_MIN_S 0.1
#define DISTURBED_IDLE 0.5  /* idle less than half the time: other work ran */
#define DISTURBED_STEAL 2.0 /* percent */

const char *wake_relation_name(enum wake_relation rel)
{
	return rel == WAKE_SMT ? "smt sibling" : rel == WAKE_CORE ? "other core" : "other socket";
}

/* Whether this process may use SCHED_FIFO: tried on the calling thread and
 * put back. */
static bool fifo_permitted(void)
{
	struct sched_param old, sp = { .sched_priority = 1 };
	int policy;
	if (pthread_getschedparam(pthread_self(), &policy, &old))
		return false;
	if (pthread_setschedparam(pthread_self(), SCHED_FIFO, &sp))
		return false;
	pthread_setschedparam(pthread_self(), policy, &old);
	return true;
}

/* --- what the held-off condition changes ----------------------------- */

/* The hold toggled by block: held before block K when its schedule says
 * so. Returns the hold's state after. */
static bool set_condition(struct pmqos_hold *h, bool want, bool can_hold)
{
	if (!can_hold)
		return false;
	if (want && h->fd < 0)
		return !pmqos_hold(h);
	if (!want)
		pmqos_drop(h);
	return h->fd >= 0;
}

/* Idle counters and steal of the probed CPUs, read at each block
 * boundary, the difference credited to the condition of the block that
 * ended. */
struct watch {
	struct root *r;
	const struct facts *f;
	const struct cpuset *cpus;
	struct idle_counts last;
	long long steal0, total0;
	bool have_steal;
	int64_t t_allowed; /* wall time of the allowed blocks */
};

static void watch_start(struct watch *w)
{
	idle_counts_read(w->r, w->f, w->cpus, &w->last);
	w->have_steal = !steal_ticks_read(w->r, w->cpus, &w->steal0, &w->total0);
}

static void watch_block_end(struct watch *w, struct wake_probe *p, bool held, int64_t took)
{
	struct idle_counts now, d;
	idle_counts_read(w->r, w->f, w->cpus, &now);
	d = now;
	idle_counts_delta(&d, &w->last);
	w->last = now;
	struct idle_counts *sum = &p->idle[held];
	for (int s = 0; s < d.nstates; s++) {
		int k = 0;
		while (k < sum->nstates && strcmp(sum->name[k], d.name[s]))
			k++;
		if (k == sum->nstates) {
			if (k == IDLE_MAX_STATES)
				continue;
			memcpy(sum->name[k], d.name[s], sizeof(sum->name[k]));
			sum->nstates++;
		}
		sum->usage[k] += d.usage[s];
		sum->time_us[k] += d.time_us[s];
	}
	/* the other condition lists the same states, entered or not */
	struct idle_counts *other = &p->idle[!held];
	for (int s = 0; s < d.nstates && other->nstates < IDLE_MAX_STATES; s++) {
		int k = 0;
		while (k < other->nstates && strcmp(other->name[k], d.name[s]))
			k++;
		if (k == other->nstates)
			memcpy(other->name[other->nstates++], d.name[s], sizeof(other->name[0]));
	}
	if (!held)
		w->t_allowed += took;
}

/* Whether holding changed anything, how idle the CPUs were, and whether
 * the figures are disturbed. */
static void watch_finish(struct watch *w, struct wake_probe *p, bool held_ok, bool has_states)
{
	long long steal1, total1;
	int ncpus = cpuset_count(w->cpus);
	long long deep[2] = { 0, 0 }, idle_us = 0;

	for (int c = 0; c < 2; c++)
		for (int s = 0; s < p->idle[c].nstates; s++)
			if (strcmp(p->idle[c].name[s], "POLL")) /* polling is not sleeping */
				deep[c] += p->idle[c].usage[s];
	for (int s = 0; s < p->idle[0].nstates; s++)
		idle_us += p->idle[0].time_us[s];
	p->hold = !has_states	       ? HOLD_NO_STATES
		  : !held_ok	       ? HOLD_NOT_ALLOWED
		  : deep[0] <= deep[1] ? HOLD_NO_CHANGE
				       : HOLD_DONE;
	p->idle_share = has_states && w->t_allowed > 0 && ncpus > 0
				? (double)idle_us * 1000.0 / ((double)w->t_allowed * ncpus)
				: -1;
	p->steal_pct = -1;
	if (w->have_steal && !steal_ticks_read(w->r, w->cpus, &steal1, &total1) && total1 > w->total0)
		p->steal_pct = 100.0 * (double)(steal1 - w->steal0) / (double)(total1 - w->total0);

	int n = 0;
	p->disturbed[0] = '\0';
	if (p->idle_share >= 0 && p->idle_share < DISTURBED_IDLE)
		n += snprintf(p->disturbed + n, sizeof(p->disturbed) - (size_t)n,
			      "the CPUs were idle %.0f%% of the time with states allowed: other work ran",
			      100 * p->idle_share);
	if (p->steal_pct > DISTURBED_STEAL && n < (int)sizeof(p->disturbed))
		snprintf(p->disturbed + n, sizeof(p->disturbed) - (size_t)n, "%s%.1f%% of the time stolen by the hypervisor",
			 n ? "; " : "", p->steal_pct);
}

/* --- the schedule of blocks ------------------------------------------ */

struct blocks_clock {
	int64_t t0, block_ns;
	int n;
};

/* The block of time T, or -1 before the first, after the last, or in the
 * guard after a block starts. */
static int block_of(const struct blocks_clock *c, int64_t t)
{
	if (t < c->t0)
		return -1;
	int64_t k = (t - c->t0) / c->block_ns;
	if (k >= c->n || t - (c->t0 + k * c->block_ns) < COST_GUARD_NS)
		return -1;
	return (int)k;
}

/* --- timer ---------------------------------------------------------- */

struct timer_thread {
	pthread_t tid;
	int cpu;
	bool fifo, got_fifo;
	int64_t interval, first, end;
	const struct blocks_clock *clock;
	const _Atomic bool *stop;
	struct cost_blocks b;
	int err;
};

static void *timer_main(void *arg)
{
	struct timer_thread *t = arg;

	probe_block_interrupt();
	t->err = probe_pin(t->cpu);
	if (t->err)
		return NULL;
	t->got_fifo = t->fifo && !probe_fifo(FIFO_PRIO);
	/* the 50 us default slack would be measured, not the wake-up */
	prctl(PR_SET_TIMERSLACK, 1UL, 0, 0, 0);
	int64_t next = t->first;
	while (next < t->end && !atomic_load_explicit(t->stop, memory_order_relaxed)) {
		struct timespec ts = { .tv_sec = next / 1000000000, .tv_nsec = next % 1000000000 };
		if (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL) == EINTR)
			continue;
		int64_t now = probe_now_ns();
		/* every deadline gets its sample: one woken late stands for the
		 * deadlines it overran too (no coordinated omission) */
		do {
			int k = block_of(t->clock, next);
			if (k >= 0)
				samples_add(&t->b.s[k], now - next);
			next += t->interval;
		} while (next <= now && next < t->end);
	}
	return NULL;
}

/* Runs the blocks from the calling thread: the hold toggled at each
 * boundary, the counters read, the progress shown. Returns the blocks
 * completed. */
static int drive_blocks(const struct blocks_clock *c, const bool *held, struct pmqos_hold *h, bool can_hold,
			struct watch *w, struct wake_probe *p, const char *what, double *done, double total)
{
	int k = 0;
	for (; k < c->n; k++) {
		int64_t start = c->t0 + k * c->block_ns;
		if (!probe_sleep_until(start))
			break;
		if (k > 0)
			watch_block_end(w, p, held[k - 1] && can_hold, c->block_ns);
		else
			watch_start(w);
		set_condition(h, held[k], can_hold);
		char line[128];
		snprintf(line, sizeof(line), "%s, block %d of %d, %s", what, k + 1, c->n,
			 held[k] && can_hold ? "C-states held off" : "C-states allowed");
		probe_progress(line, *done, total);
		*done += (double)c->block_ns / 1e9;
	}
	if (k == c->n && probe_sleep_until(c->t0 + c->n * c->block_ns)) {
		watch_block_end(w, p, held[c->n - 1] && can_hold, c->block_ns);
		return c->n;
	}
	return k; /* interrupted in block k: it is cut short */
}

static int timer_probe(struct root *r, const struct facts *f, const struct cpuset *cpus, struct wake_result *w,
		       struct pmqos_hold *h, double *done, double total)
{
	int n = cpuset_count(cpus), started = 0, err = 0;
	struct timer_thread *t = calloc((size_t)n, sizeof(*t));
	struct blocks_clock clock = { .block_ns = (int64_t)(w->plan.block_s * 1e9), .n = w->plan.blocks };
	int64_t interval = w->opt.interval_us * 1000;
	size_t per_block = (size_t)(clock.block_ns / interval) + 2;
	_Atomic bool stop = false;
	bool held[COST_BLOCKS_MAX];
	struct watch watch = { .r = r, .f = f, .cpus = cpus };
	struct wake_probe *p = &w->timer;

	if (!t)
		return -ENOMEM;
	w->timer_cpus = calloc((size_t)n, sizeof(*w->timer_cpus));
	if (!w->timer_cpus) {
		free(t);
		return -ENOMEM;
	}
	cost_schedule(clock.n, held);
	clock.t0 = probe_now_ns() + START_NS;
	for (int cpu = 0, i = 0; cpu < cpus->size && !err; cpu++) {
		if (!cpuset_has(cpus, cpu))
			continue;
		t[i] = (struct timer_thread){ .cpu = cpu, .fifo = true, .interval = interval,
					      /* staggered: the threads do not all wake at once */
					      .first = clock.t0 + interval * i / n,
					      .end = clock.t0 + clock.n * clock.block_ns, .clock = &clock,
					      .stop = &stop };
		err = cost_blocks_init(&t[i].b, clock.n, per_block);
		if (!err)
			err = -pthread_create(&t[i].tid, NULL, timer_main, &t[i]);
		if (!err)
			started = ++i;
		else
			cost_blocks_free(&t[i].b);
	}
	int completed = 0;
	if (!err)
		completed = drive_blocks(&clock, held, h, w->held, &watch, p, "measuring wake-ups, timer", done, total);
	atomic_store(&stop, true);
	set_condition(h, false, w->held);
	struct cost_blocks all;
	if (!err)
		err = cost_blocks_init(&all, clock.n, per_block * (size_t)n);
	w->timer_fifo = started > 0;
	for (int i = 0; i < started; i++) {
		pthread_join(t[i].tid, NULL);
		w->timer_fifo &= t[i].got_fifo;
		if (t[i].err) {
			note_add(&w->notes, "timer: cpu %d: cannot run there (%s)", t[i].cpu, strerror(-t[i].err));
			continue;
		}
		/* a block cut short by Ctrl-C is not judged */
		for (int k = completed; k < clock.n; k++)
			t[i].b.s[k].count = 0;
		if (!w->held)
			memset(t[i].b.held, 0, sizeof(t[i].b.held));
		struct wake_cpu *c = &w->timer_cpus[w->ntimer_cpus++];
		c->cpu = t[i].cpu;
		cost_blocks_summarise(&t[i].b, false, &c->s[0]);
		cost_blocks_summarise(&t[i].b, true, &c->s[1]);
		if (!err)
			cost_blocks_merge(&all, &t[i].b);
	}
	if (!err) {
		if (!w->held)
			memset(all.held, 0, sizeof(all.held));
		watch_finish(&watch, p, w->held, f->cpuidle.driver[0] != '\0');
		cost_judge(&all, p->hold, &p->cost);
		p->done = completed > 0;
		cost_blocks_free(&all);
	}
	for (int i = 0; i < started; i++)
		cost_blocks_free(&t[i].b);
	free(t);
	return err;
}

/* --- cross-CPU ----------------------------------------------------------- */

struct cross {
	_Atomic uint32_t seq;
	_Atomic int64_t t0;
	_Atomic int block; /* of t0; -1: not recorded (guard, between blocks) */
	_Atomic bool stop;
	_Atomic bool ready;
	int cpu;
	bool fifo, got_fifo;
	int nstates;
	int usage_fd[IDLE_MAX_STATES];
	struct cost_blocks b;
	const bool *held;       /* the schedule: by block */
	bool can_hold;
	struct samples *by_state; /* [(state + 1) * 2 + held] */
	int err;
};

static long futex(_Atomic uint32_t *addr, int op, uint32_t val)
{
	return syscall(SYS_futex, (uint32_t *)addr, op, val, NULL, NULL, 0);
}

static void read_usage(const struct cross *x, long long *out)
{
	for (int s = 0; s < x->nstates; s++) {
		char buf[32];
		ssize_t n = x->usage_fd[s] >= 0 ? pread(x->usage_fd[s], buf, sizeof(buf) - 1, 0) : -1;
		buf[n > 0 ? n : 0] = '\0';
		out[s] = n > 0 ? strtoll(buf, NULL, 10) : -1;
	}
}

static void *sleeper_main(void *arg)
{
	struct cross *x = arg;
	uint32_t seen = 0;
	long long before[IDLE_MAX_STATES], after[IDLE_MAX_STATES];

	probe_block_interrupt();
	x->err = probe_pin(x->cpu);
	if (!x->err)
		x->got_fifo = x->fifo && !probe_fifo(FIFO_PRIO);
	atomic_store(&x->ready, true);
	if (x->err)
		return NULL;
	for (;;) {
		read_usage(x, before);
		while (atomic_load_explicit(&x->seq, memory_order_acquire) == seen)
			futex(&x->seq, FUTEX_WAIT_PRIVATE, seen);
		int64_t now = probe_now_ns();
		uint32_t got = atomic_load_explicit(&x->seq, memory_order_acquire);
		if (atomic_load(&x->stop))
			break;
		int64_t t0 = atomic_load(&x->t0);
		int k = atomic_load(&x->block);
		/* the waker moved on meanwhile: t0 and the block may be the next ones */
		bool torn = atomic_load_explicit(&x->seq, memory_order_acquire) != got;
		seen = got;
		read_usage(x, after);
		if (torn || k < 0)
			continue;
		/* the deepest state entered while waiting; -1: none, it never idled */
		int state = -1;
		for (int s = 0; s < x->nstates; s++)
			if (before[s] >= 0 && after[s] > before[s])
				state = s;
		samples_add(&x->b.s[k], now - t0);
		bool held = x->can_hold && x->held[k];
		samples_add(&x->by_state[(state + 1) * 2 + held], now - t0);
	}
	return NULL;
}

static void open_usage(struct cross *x, const struct facts *f)
{
	const struct cpu *c = NULL;
	for (size_t i = 0; i < f->ncpus && !c; i++)
		if (f->cpus[i].id == x->cpu)
			c = &f->cpus[i];
	x->nstates = c ? (int)(c->nstates < IDLE_MAX_STATES ? c->nstates : IDLE_MAX_STATES) : 0;
	for (int s = 0; s < x->nstates; s++) {
		char path[96];
		/* opened once: the sleeper preads them around every wait */
		snprintf(path, sizeof(path), "/sys/devices/system/cpu/cpu%d/cpuidle/state%d/usage", x->cpu,
			 c->states[s].index);
		x->usage_fd[s] = open(path, O_RDONLY | O_CLOEXEC);
	}
}

static void close_usage(struct cross *x)
{
	for (int s = 0; s < x->nstates; s++)
		if (x->usage_fd[s] >= 0)
			close(x->usage_fd[s]);
}

static int cross_probe(struct root *r, const struct facts *f, struct wake_result *w, struct wake_pair *p,
		       struct pmqos_hold *h, double *done, double total)
{
	struct cross *x = calloc(1, sizeof(*x));
	pthread_t tid;
	cpu_set_t saved;
	uint64_t rnd = 0x9e3779b97f4a7c15ULL ^ (uint64_t)probe_now_ns();
	struct blocks_clock clock = { .block_ns = (int64_t)(w->plan.block_s * 1e9), .n = w->plan.blocks };
	size_t per_block = (size_t)(clock.block_ns / (w->gap_min_us * 1000)) + 2;
	bool held[COST_BLOCKS_MAX];
	struct cpuset one = { 0 };
	struct watch watch = { .r = r, .f = f, .cpus = &one };
	int err, nby = 2 * (IDLE_MAX_STATES + 1);

	if (!x)
		return -ENOMEM;
	cost_schedule(clock.n, held);
	x->cpu = p->to;
	x->fifo = p->fifo;
	x->held = held;
	x->can_hold = w->held;
	open_usage(x, f);
	x->by_state = calloc((size_t)nby, sizeof(*x->by_state));
	err = x->by_state ? cost_blocks_init(&x->b, clock.n, per_block) : -ENOMEM;
	for (int i = 0; !err && i < nby; i++)
		err = samples_init(&x->by_state[i], per_block * (size_t)clock.n);
	if (!err)
		err = cpuset_add(&one, p->to);
	pthread_getaffinity_np(pthread_self(), sizeof(saved), &saved);
	if (!err)
		err = probe_pin(p->from);
	if (!err)
		err = -pthread_create(&tid, NULL, sleeper_main, x);
	if (err)
		goto out;
	while (!atomic_load(&x->ready))
		probe_sleep_ns(100000);

	char what[96];
	snprintf(what, sizeof(what), "measuring wake-ups, cpu %d -> %d", p->from, p->to);
	clock.t0 = probe_now_ns() + START_NS;
	int k = -1, completed = 0;
	probe_sleep_until(clock.t0);
	while (!x->err && !probe_interrupted()) {
		int64_t now = probe_now_ns();
		int cur = (int)((now - clock.t0) / clock.block_ns);
		if (cur != k) {
			if (k >= 0)
				watch_block_end(&watch, &p->probe, held[k] && w->held, clock.block_ns);
			else
				watch_start(&watch);
			completed = cur < clock.n ? cur : clock.n;
			if (cur >= clock.n)
				break;
			k = cur;
			set_condition(h, held[k], w->held);
			char line[160];
			snprintf(line, sizeof(line), "%s, block %d of %d, %s", what, k + 1, clock.n,
				 held[k] && w->held ? "C-states held off" : "C-states allowed");
			probe_progress(line, *done, total);
			*done += w->plan.block_s;
		}
		long gap = w->gap_min_us + (long)(probe_random(&rnd) % (uint64_t)(w->gap_max_us - w->gap_min_us + 1));
		if (!probe_sleep_until(probe_now_ns() + (int64_t)gap * 1000))
			break;
		int64_t t0 = probe_now_ns();
		atomic_store(&x->block, block_of(&clock, t0));
		atomic_store(&x->t0, t0);
		atomic_fetch_add_explicit(&x->seq, 1, memory_order_release);
		futex(&x->seq, FUTEX_WAKE_PRIVATE, 1);
	}
	atomic_store(&x->stop, true);
	atomic_fetch_add_explicit(&x->seq, 1, memory_order_release);
	futex(&x->seq, FUTEX_WAKE_PRIVATE, 1);
	pthread_join(tid, NULL);
	set_condition(h, false, w->held);
	err = x->err;
	p->fifo = p->fifo && x->got_fifo;
	if (!err) {
		for (int b = completed; b < clock.n; b++)
			x->b.s[b].count = 0;
		if (!w->held)
			memset(x->b.held, 0, sizeof(x->b.held));
		watch_finish(&watch, &p->probe, w->held, f->cpuidle.driver[0] != '\0');
		cost_judge(&x->b, p->probe.hold, &p->probe.cost);

		p->probe.done = completed > 0;
		for (int s = -1; s < x->nstates; s++) {
			struct samples *a = &x->by_state[(s + 1) * 2], *hd = a + 1;
			if (!a->count && !hd->count)
				continue;
			struct wake_state *ws = &p->states[p->nstates++];
			const struct cpu *c = NULL;
			for (size_t i = 0; i < f->ncpus && !c; i++)
				if (f->cpus[i].id == x->cpu)
					c = &f->cpus[i];
			snprintf(ws->name, sizeof(ws->name), "%s", s >= 0 && c ? c->states[s].name : "");
			samples_summarise(a, &ws->s[0]);
			samples_summarise(hd, &ws->s[1]);
		}
	}
out:
	pthread_setaffinity_np(pthread_self(), sizeof(saved), &saved);
	cpuset_clear(&one);
	close_usage(x);
	cost_blocks_free(&x->b);
	for (int i = 0; x->by_state && i < nby; i++)
		samples_free(&x->by_state[i]);
	free(x->by_state);
	free(x);
	return err;
}

/* Pairs from the first CPU: to its SMT sibling, to another core of its
 * package, to another package, where the topology has them. */
static int choose_pairs(const struct facts *f, const struct cpuset *cpus, bool fifo, struct wake_pair *pairs)
{
	const struct cpu *a = NULL;
	bool have[3] = { false, false, false };
	int n = 0;

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
		for (int fi = 0; fi <= (int)fifo && n < WAKE_MAX_PAIRS; fi++)
			pairs[n++] = (struct wake_pair){ .from = a->id, .to = b->id, .relation = rel, .fifo = fi };
	}
	return n;
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

void wake_plan(const struct facts *f, const struct cpuset *cpus, const struct wake_options *opt,
	       struct wake_plan *out)
{
	struct wake_pair pairs[WAKE_MAX_PAIRS];
	out->probes = 1 + choose_pairs(f, cpus, opt->fifo_pairs && fifo_permitted(), pairs);
	double per = opt->duration_s / out->probes;
	/* whole ABBA rounds of about BLOCK_TARGET_S, at least one round */
	int blocks = (int)(per / BLOCK_TARGET_S) / 4 * 4;
	if (blocks < 2 * COST_MIN_BLOCKS)
		blocks = 2 * COST_MIN_BLOCKS;
	if (blocks > COST_BLOCKS_MAX)
		blocks = COST_BLOCKS_MAX;
	out->blocks = blocks;
	out->block_s = per / blocks < BLOCK_MIN_S ? BLOCK_MIN_S : per / blocks;
	out->total_s = out->probes * out->blocks * out->block_s;
}

int measure_wake(struct root *r, const struct facts *f, const struct cpuset *cpus,
		 const struct wake_options *opt, struct wake_result *out)
{
	struct pmqos_hold hold = { .fd = -1, .readback_us = -1, .after_us = -1 };
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
	bool fifo = fifo_permitted();
	if (!fifo)
		note_add(&out->notes, "SCHED_FIFO not permitted (run as root): the timer threads and the "
				      "sleepers ran as SCHED_OTHER with a timer slack of 1 ns%s",
			 opt->fifo_pairs ? "; no pair with a SCHED_FIFO sleeper" : "");
	wake_plan(f, cpus, opt, &out->plan);
	out->npairs = choose_pairs(f, cpus, opt->fifo_pairs && fifo, out->pairs);
	if (!out->npairs)
		note_add(&out->notes, "cross-CPU wake-up: not measured, it needs two CPUs");
	idle_gap(f, cpus, out);
	if (!f->cpuidle.driver[0])
		note_add(&out->notes, "no cpuidle driver: no idle state to hold off, so no cost of idle");

	/* held once to learn whether it can be, and what it reads back */
	int e = pmqos_hold(&hold);
	if (e) {
		note_add(&out->notes, "C-states held off: not measured (/dev/cpu_dma_latency: %s%s)",
			 strerror(-e), e == -EACCES || e == -EPERM ? "; run as root" : "");
	} else {
		out->held = true;
		out->qos_readback_us = hold.readback_us;
		pmqos_release(&hold);
	}

	double done = 0, total = out->plan.total_s;
	err = timer_probe(r, f, cpus, out, &hold, &done, total);
	for (int i = 0; i < out->npairs && !err && !probe_interrupted(); i++) {
		struct wake_pair *p = &out->pairs[i];
		int e2 = cross_probe(r, f, out, p, &hold, &done, total);
		if (e2 == -ENOMEM)
			err = e2;
		else if (e2)
			note_add(&out->notes, "cpu %d -> %d: not measured (%s)", p->from, p->to, strerror(-e2));
	}
	pmqos_drop(&hold);
	if (out->held)
		out->qos_after_us = pmqos_effective_us(); /* released: what others hold */
	out->interrupted = probe_interrupted();
	probe_progress_done();
	return err;
}

void wake_result_free(struct wake_result *r)
{
	cpuset_clear(&r->cpus);
	free(r->timer_cpus);
	r->timer_cpus = NULL;
}

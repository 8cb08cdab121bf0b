/* How deep CPUs sleep: the cpuidle driver and each CPU's idle states. */
#include "facts.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../parse/text.h"
#include "../root/root.h"

/* A real machine has at most ten or so; more means a broken dump. */
#define MAX_IDLE_STATES 32

static long long read_count(struct root *r, struct facts *f, const char *path)
{
	char line[64];
	unsigned long long v;

	if (facts_read_line(r, f, path, line, sizeof(line)))
		return -1;
	if (parse_ullong(line, &v) || v > (unsigned long long)INT64_MAX) {
		facts_problem(f, path, "'%.32s' is not a count", line);
		return -1;
	}
	return (long long)v;
}

/* What cpu.cstate.deep judges every CPU by. Returns -ELOOP when a file is
 * a link loop: the CPU's other states are not read then, so a hostile dump
 * costs one failed lookup per CPU, not one per file. */
static int read_state(struct root *r, struct facts *f, const char *dir, struct idle_state *s)
{
	char path[160];
	long v;
	int err;

	s->desc[0] = '\0';
	s->usage = s->time_us = -1;
	snprintf(path, sizeof(path), "%s/latency", dir);
	err = facts_read_long(r, f, path, &v);
	s->latency_us = !err && v >= 0 ? v : -1;
	if (err == -ELOOP)
		return err;
	snprintf(path, sizeof(path), "%s/residency", dir);
	err = facts_read_long(r, f, path, &v);
	s->residency_us = !err && v >= 0 ? v : -1;
	if (err == -ELOOP)
		return err;
	snprintf(path, sizeof(path), "%s/disable", dir);
	err = facts_read_long(r, f, path, &v);
	s->disabled = !err && (v == 0 || v == 1) ? (int)v : -1;
	return err == -ELOOP ? err : 0;
}

/* What only a report shows: read for one CPU of each kind (below). */
static void read_state_detail(struct root *r, struct facts *f, const char *dir, struct idle_state *s)
{
	char path[160];

	snprintf(path, sizeof(path), "%s/desc", dir);
	facts_read_line(r, f, path, s->desc, sizeof(s->desc));
	snprintf(path, sizeof(path), "%s/usage", dir);
	s->usage = read_count(r, f, path);
	snprintf(path, sizeof(path), "%s/time", dir);
	s->time_us = read_count(r, f, path);
}

/* Reads state0, state1 ... until one has no name: the kernel numbers them
 * without gaps, and the name's lookup is the probe. */
static int read_cpu_states(struct root *r, struct facts *f, struct cpu *c)
{
	char dir[128], path[160];
	struct idle_state s;

	for (int i = 0; i <= MAX_IDLE_STATES; i++) {
		memset(&s, 0, sizeof(s));
		s.index = i;
		snprintf(dir, sizeof(dir), "sys/devices/system/cpu/cpu%d/cpuidle/state%d", c->id, i);
		snprintf(path, sizeof(path), "%s/name", dir);
		int err = root_read_line(r, path, s.name, sizeof(s.name));
		if (err == -ENOENT || err == -ENOTDIR)
			break;
		if (i == MAX_IDLE_STATES) {
			facts_problem(f, dir, "more than the %d idle states any CPU has; the rest not read",
				      MAX_IDLE_STATES);
			break;
		}
		if (err) {
			s.name[0] = '\0';
			facts_problem(f, path, "%s", facts_read_error(err));
			if (err == -ELOOP)
				break;
		}
		if (!(c->nstates % 4)) {
			struct idle_state *more = realloc(c->states, (c->nstates + 4) * sizeof(*more));
			if (!more)
				return -ENOMEM;
			c->states = more;
		}
		err = read_state(r, f, dir, &s);
		c->states[c->nstates++] = s;
		if (err == -ELOOP)
			break;
	}
	return 0;
}

static bool same_states(const struct cpu *a, const struct cpu *b)
{
	if (a->nstates != b->nstates)
		return false;
	for (size_t i = 0; i < a->nstates; i++) {
		const struct idle_state *x = &a->states[i], *y = &b->states[i];
		if (strcmp(x->name, y->name) || x->latency_us != y->latency_us ||
		    x->residency_us != y->residency_us || x->disabled != y->disabled)
			return false;
	}
	return true;
}

/* desc, usage and time are read for the first online CPU of each kind
 * (the same states, exit latencies, residencies and disables): that is the
 * CPU cpu.cstate.deep quotes, and a 96-CPU machine is not read 96 times
 * over for counters no rule weighs. Other CPUs show them as unknown. */
#define MAX_KINDS 16

static void read_details(struct root *r, struct facts *f)
{
	const struct cpu *kinds[MAX_KINDS];
	size_t nkinds = 0;

	for (size_t i = 0; i < f->ncpus && nkinds < MAX_KINDS; i++) {
		struct cpu *c = &f->cpus[i];
		bool known = false;
		if (!c->online || !c->nstates)
			continue;
		for (size_t k = 0; k < nkinds && !known; k++)
			known = same_states(kinds[k], c);
		if (known)
			continue;
		kinds[nkinds++] = c;
		for (size_t k = 0; k < c->nstates; k++) {
			char dir[128];
			snprintf(dir, sizeof(dir), "sys/devices/system/cpu/cpu%d/cpuidle/state%zu", c->id, k);
			read_state_detail(r, f, dir, &c->states[k]);
		}
	}
}

int collect_cpuidle(struct root *r, struct facts *f)
{
	const char *dir = "sys/devices/system/cpu/cpuidle";
	char path[96];

	snprintf(path, sizeof(path), "%s/current_driver", dir);
	int err = facts_read_line(r, f, path, f->cpuidle.driver, sizeof(f->cpuidle.driver));
	if (!strcmp(f->cpuidle.driver, "none"))
		f->cpuidle.driver[0] = '\0';
	/* per-CPU states need CONFIG_CPU_IDLE, which makes this directory:
	 * without it there is nothing to look for on each CPU */
	if (err == -ENOENT && root_exists(r, dir))
		return 0;
	snprintf(path, sizeof(path), "%s/current_governor", dir);
	if (facts_read_line(r, f, path, f->cpuidle.governor, sizeof(f->cpuidle.governor))) {
		snprintf(path, sizeof(path), "%s/current_governor_ro", dir);
		facts_read_line(r, f, path, f->cpuidle.governor, sizeof(f->cpuidle.governor));
	}
	/* how long a KVM guest polls before it halts to the host (haltpoll) */
	facts_read_long(r, f, "sys/module/haltpoll/parameters/guest_halt_poll_ns", &f->cpuidle.guest_halt_poll_ns);
	for (size_t i = 0; i < f->ncpus; i++) {
		if (!f->cpus[i].online)
			continue;
		err = read_cpu_states(r, f, &f->cpus[i]);
		if (err)
			return err;
	}
	read_details(r, f);
	return 0;
}

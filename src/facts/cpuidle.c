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

static void read_state(struct root *r, struct facts *f, const char *dir, struct idle_state *s)
{
	char path[160];
	long v;

	snprintf(path, sizeof(path), "%s/name", dir);
	facts_read_line(r, f, path, s->name, sizeof(s->name));
	snprintf(path, sizeof(path), "%s/desc", dir);
	facts_read_line(r, f, path, s->desc, sizeof(s->desc));
	snprintf(path, sizeof(path), "%s/latency", dir);
	s->latency_us = !facts_read_long(r, f, path, &v) && v >= 0 ? v : -1;
	snprintf(path, sizeof(path), "%s/residency", dir);
	s->residency_us = !facts_read_long(r, f, path, &v) && v >= 0 ? v : -1;
	snprintf(path, sizeof(path), "%s/disable", dir);
	s->disabled = !facts_read_long(r, f, path, &v) && (v == 0 || v == 1) ? (int)v : -1;
	snprintf(path, sizeof(path), "%s/usage", dir);
	s->usage = read_count(r, f, path);
	snprintf(path, sizeof(path), "%s/time", dir);
	s->time_us = read_count(r, f, path);
}

static int read_cpu_states(struct root *r, struct facts *f, struct cpu *c)
{
	char dir[96];
	char **names;
	size_t n;

	snprintf(dir, sizeof(dir), "sys/devices/system/cpu/cpu%d/cpuidle", c->id);
	if (root_list(r, dir, &names, &n))
		return 0;
	/* state0..stateN in order; the names are sorted by version already */
	size_t count = 0;
	for (size_t i = 0; i < n; i++)
		count += !strncmp(names[i], "state", 5) && names[i][5] >= '0' && names[i][5] <= '9';
	if (count > MAX_IDLE_STATES) {
		facts_problem(f, dir, "%zu idle states, more than the %d any CPU has", count,
			      MAX_IDLE_STATES);
		count = MAX_IDLE_STATES;
	}
	if (count) {
		c->states = calloc(count, sizeof(*c->states));
		if (!c->states) {
			root_free_names(names);
			return -ENOMEM;
		}
	}
	for (size_t i = 0; i < n && c->nstates < count; i++) {
		char sdir[128];
		if (strncmp(names[i], "state", 5) || names[i][5] < '0' || names[i][5] > '9')
			continue;
		snprintf(sdir, sizeof(sdir), "%s/%s", dir, names[i]);
		c->states[c->nstates].index = atoi(names[i] + 5);
		read_state(r, f, sdir, &c->states[c->nstates++]);
	}
	root_free_names(names);
	return 0;
}

int collect_cpuidle(struct root *r, struct facts *f)
{
	const char *dir = "sys/devices/system/cpu/cpuidle";
	char path[96];

	snprintf(path, sizeof(path), "%s/current_driver", dir);
	facts_read_line(r, f, path, f->cpuidle.driver, sizeof(f->cpuidle.driver));
	if (!strcmp(f->cpuidle.driver, "none"))
		f->cpuidle.driver[0] = '\0';
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
		int err = read_cpu_states(r, f, &f->cpus[i]);
		if (err)
			return err;
	}
	return 0;
}

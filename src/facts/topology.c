/* Which CPUs exist and how they sit: lists, packages, cores, NUMA nodes. */
#include "facts.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../parse/text.h"
#include "../root/root.h"

#define CPU_DIR "sys/devices/system/cpu"

static int read_cpulist(struct root *r, struct facts *f, const char *path, struct cpuset *set)
{
	char line[4096];
	int err = facts_read_line(r, f, path, line, sizeof(line));

	if (err)
		return err;
	err = cpuset_parse(set, line);
	if (err == -ENOMEM)
		return err;
	if (err) {
		facts_problem(f, path, "'%.40s' is not a CPU list", line);
		return -EINVAL;
	}
	return 0;
}

/* Without a present list, the cpuN directories, then cpuinfo, say which
 * CPUs there are. */
static int fallback_present(struct root *r, struct facts *f)
{
	char **names;
	size_t n;
	int err = 0;

	if (!root_list(r, CPU_DIR, &names, &n)) {
		for (size_t i = 0; i < n && !err; i++) {
			long id;
			if (!strncmp(names[i], "cpu", 3) && !parse_long(names[i] + 3, &id) &&
			    names[i][3] >= '0' && names[i][3] <= '9')
				err = cpuset_add(&f->present, (int)id) == -ENOMEM ? -ENOMEM : 0;
		}
		root_free_names(names);
	}
	for (size_t i = 0; !err && !cpuset_count(&f->present) && i < f->ncpuinfo_mhz; i++)
		err = cpuset_add(&f->present, f->cpuinfo_mhz[i].id) == -ENOMEM ? -ENOMEM : 0;
	return err;
}

static double cpuinfo_mhz_of(const struct facts *f, int id)
{
	for (size_t i = 0; i < f->ncpuinfo_mhz; i++)
		if (f->cpuinfo_mhz[i].id == id)
			return f->cpuinfo_mhz[i].mhz;
	return 0;
}

static int count_distinct(const struct facts *f, bool by_core)
{
	int n = 0;
	for (size_t i = 0; i < f->ncpus; i++) {
		const struct cpu *c = &f->cpus[i];
		bool seen = false;
		if (!c->online)
			continue;
		if (c->package < 0 || (by_core && c->core < 0))
			return -1;
		for (size_t j = 0; j < i && !seen; j++)
			seen = f->cpus[j].online && f->cpus[j].package == c->package &&
			       (!by_core || f->cpus[j].core == c->core);
		n += !seen;
	}
	return n;
}

/* NUMA nodes and their CPUs, from each node's cpulist (or, on older
 * kernels and in lscpu dumps, its cpumap). */
static int read_nodes(struct root *r, struct facts *f)
{
	const char *dir = "sys/devices/system/node";
	char **names;
	size_t n;
	int nodes = 0;

	if (root_list(r, dir, &names, &n))
		return 0;
	for (size_t i = 0; i < n; i++) {
		char path[128], line[4096];
		struct cpuset cpus = { 0 };
		long id;
		int err = -1;

		if (strncmp(names[i], "node", 4) || names[i][4] < '0' || names[i][4] > '9' ||
		    parse_long(names[i] + 4, &id) || id >= 65536)
			continue;
		nodes++;
		snprintf(path, sizeof(path), "%s/%s/cpulist", dir, names[i]);
		if (!facts_read_line(r, f, path, line, sizeof(line))) {
			err = cpuset_parse(&cpus, line);
		} else {
			snprintf(path, sizeof(path), "%s/%s/cpumap", dir, names[i]);
			if (!facts_read_line(r, f, path, line, sizeof(line)))
				err = cpuset_parse_mask(&cpus, line);
			else
				err = 0; /* a node directory without a CPU file */
		}
		if (err == -ENOMEM) {
			root_free_names(names);
			return err;
		}
		if (err)
			facts_problem(f, path, "'%.40s' is not a CPU list or mask", line);
		for (size_t c = 0; c < f->ncpus; c++)
			if (cpuset_has(&cpus, f->cpus[c].id))
				f->cpus[c].node = (int)id;
		cpuset_clear(&cpus);
	}
	root_free_names(names);
	f->nodes = nodes ? nodes : -1;
	return 0;
}

/* Each CPU's package, read once per package: the package id of one CPU,
 * and the kernel's list of the CPUs that share it (package_cpus_list, or
 * core_siblings_list before 5.x) for the rest. A 64-CPU socket costs two
 * reads, not 64. */
static int read_packages(struct root *r, struct facts *f)
{
	bool *done = calloc(f->ncpus + 1, sizeof(*done));

	if (!done)
		return -ENOMEM;
	for (size_t i = 0; i < f->ncpus; i++) {
		static const char *const lists[] = { "package_cpus_list", "core_siblings_list" };
		struct cpu *c = &f->cpus[i];
		struct cpuset same = { 0 };
		char path[128], line[4096];
		long v;

		if (done[i])
			continue;
		done[i] = true;
		snprintf(path, sizeof(path), CPU_DIR "/cpu%d/topology/physical_package_id", c->id);
		if (facts_read_long(r, f, path, &v) || v < 0)
			continue;
		c->package = (int)v;
		for (size_t l = 0; l < sizeof(lists) / sizeof(lists[0]); l++) {
			snprintf(path, sizeof(path), CPU_DIR "/cpu%d/topology/%s", c->id, lists[l]);
			if (root_read_line(r, path, line, sizeof(line)))
				continue;
			int err = cpuset_parse(&same, line);
			if (err == -ENOMEM) {
				free(done);
				return err;
			}
			break;
		}
		for (size_t j = i + 1; j < f->ncpus; j++)
			if (!done[j] && cpuset_has(&same, f->cpus[j].id)) {
				f->cpus[j].package = c->package;
				done[j] = true;
			}
		cpuset_clear(&same);
	}
	free(done);
	return 0;
}

int collect_topology(struct root *r, struct facts *f)
{
	int err;
	bool have_online;

	if ((err = read_cpulist(r, f, CPU_DIR "/possible", &f->possible)) == -ENOMEM)
		return err;
	if ((err = read_cpulist(r, f, CPU_DIR "/present", &f->present)) == -ENOMEM)
		return err;
	if (!cpuset_count(&f->present) && (err = fallback_present(r, f)))
		return err;
	if ((err = read_cpulist(r, f, CPU_DIR "/online", &f->online)) == -ENOMEM)
		return err;
	have_online = !err;

	int count = cpuset_count(&f->present);
	f->cpus = calloc((size_t)count + 1, sizeof(*f->cpus));
	if (!f->cpus)
		return -ENOMEM;
	for (int id = 0; id <= cpuset_last(&f->present); id++) {
		if (!cpuset_has(&f->present, id))
			continue;
		struct cpu *c = &f->cpus[f->ncpus++];
		char path[128];
		long v;

		c->id = id;
		c->online = have_online ? cpuset_has(&f->online, id) : true;
		c->cpuinfo_mhz = cpuinfo_mhz_of(f, id);
		c->package = c->core = -1;
		c->policy = -1;
		c->resume_latency_us = FACT_UNKNOWN;
		c->epb = -1;
		snprintf(path, sizeof(path), CPU_DIR "/cpu%d/topology/core_id", id);
		if (!facts_read_long(r, f, path, &v) && v >= 0)
			c->core = (int)v;
		c->node = -1;
	}
	if ((err = read_packages(r, f)))
		return err;
	if (!have_online) {
		/* no online list: CPUs are online unless their own file says no */
		for (size_t i = 0; i < f->ncpus; i++) {
			char path[128];
			long v;
			snprintf(path, sizeof(path), CPU_DIR "/cpu%d/online", f->cpus[i].id);
			if (!facts_read_long(r, f, path, &v))
				f->cpus[i].online = v == 1;
			if (f->cpus[i].online && cpuset_add(&f->online, f->cpus[i].id) == -ENOMEM)
				return -ENOMEM;
		}
	}
	f->sockets = count_distinct(f, false);
	f->cores = count_distinct(f, true);
	return read_nodes(r, f);
}

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

/* The node a CPU belongs to is the nodeN entry in its directory. */
static int node_of(struct root *r, const char *cpudir)
{
	char **names;
	size_t n;
	int node = -1;

	if (root_list(r, cpudir, &names, &n))
		return -1;
	for (size_t i = 0; i < n; i++) {
		long id;
		if (!strncmp(names[i], "node", 4) && names[i][4] >= '0' && names[i][4] <= '9' &&
		    !parse_long(names[i] + 4, &id) && id < 65536) {
			node = (int)id;
			break;
		}
	}
	root_free_names(names);
	return node;
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

static int count_nodes(struct root *r)
{
	char **names;
	size_t n;
	int nodes = 0;

	if (root_list(r, "sys/devices/system/node", &names, &n))
		return -1;
	for (size_t i = 0; i < n; i++)
		nodes += !strncmp(names[i], "node", 4) && names[i][4] >= '0' && names[i][4] <= '9';
	root_free_names(names);
	return nodes ? nodes : -1;
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
		snprintf(path, sizeof(path), CPU_DIR "/cpu%d/topology/physical_package_id", id);
		if (!facts_read_long(r, f, path, &v) && v >= 0)
			c->package = (int)v;
		snprintf(path, sizeof(path), CPU_DIR "/cpu%d/topology/core_id", id);
		if (!facts_read_long(r, f, path, &v) && v >= 0)
			c->core = (int)v;
		snprintf(path, sizeof(path), CPU_DIR "/cpu%d", id);
		c->node = node_of(r, path);
	}
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
	f->nodes = count_nodes(r);
	return 0;
}

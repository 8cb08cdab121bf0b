/* Who sets the clock: cpufreq policies, intel_pstate and amd-pstate. */
#include "facts.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../parse/text.h"
#include "../root/root.h"

#define CPUFREQ_DIR "sys/devices/system/cpu/cpufreq"

static int read_str(struct root *r, struct facts *f, const char *dir, const char *name,
		    char *out, size_t outsz)
{
	char path[256];
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	return facts_read_line(r, f, path, out, outsz);
}

static long read_num(struct root *r, struct facts *f, const char *dir, const char *name)
{
	char path[256];
	long v;
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	return facts_read_long(r, f, path, &v) || v < 0 ? -1 : v;
}

/* Kernels before 4.x print CPU masks as "0 4 8 12"; today's as lists. */
static int parse_cpus(struct cpuset *set, char *line)
{
	for (char *c = trim(line); *c; c++)
		if (*c == ' ')
			*c = ',';
	return cpuset_parse(set, line);
}

static bool covered(const struct facts *f, int cpu)
{
	for (size_t i = 0; i < f->cpufreq.count; i++)
		if (cpuset_has(&f->cpufreq.policies[i].cpus, cpu))
			return true;
	return false;
}

/* A driver makes its files for every policy or for none (its attribute
 * list): the optional ones missing from one policy of a driver are not
 * asked of its other policies. intel_pstate without HWP, acpi-cpufreq and
 * most others have no EPP and no base_frequency. */
struct driver_files {
	char driver[32];
	bool no_epp, no_base;
};

static int read_policy(struct root *r, struct facts *f, const char *name, const char *dir,
		       struct driver_files *seen)
{
	char line[4096];
	struct cpufreq_policy *p;

	p = realloc(f->cpufreq.policies, (f->cpufreq.count + 1) * sizeof(*p));
	if (!p)
		return -ENOMEM;
	f->cpufreq.policies = p;
	p = &p[f->cpufreq.count];
	memset(p, 0, sizeof(*p));
	snprintf(p->name, sizeof(p->name), "%s", name);
	snprintf(p->dir, sizeof(p->dir), "%s", dir);

	read_str(r, f, dir, "related_cpus", line, sizeof(line));
	if (!line[0] || parse_cpus(&p->cpus, line)) {
		read_str(r, f, dir, "affected_cpus", line, sizeof(line));
		int err = parse_cpus(&p->cpus, line);
		if (err == -ENOMEM)
			return err;
		if (err || !cpuset_count(&p->cpus)) {
			/* a policy we cannot tie to CPUs tells nothing */
			facts_problem(f, dir, "no readable related_cpus or affected_cpus");
			cpuset_clear(&p->cpus);
			return 0;
		}
	}
	read_str(r, f, dir, "scaling_driver", p->driver, sizeof(p->driver));
	read_str(r, f, dir, "scaling_governor", p->governor, sizeof(p->governor));
	read_str(r, f, dir, "scaling_available_governors", p->governors, sizeof(p->governors));
	if (strcmp(seen->driver, p->driver)) {
		snprintf(seen->driver, sizeof(seen->driver), "%s", p->driver);
		seen->no_epp = seen->no_base = false;
	}
	if (!seen->no_epp) {
		seen->no_epp = read_str(r, f, dir, "energy_performance_preference", p->epp,
					sizeof(p->epp)) == -ENOENT;
		read_str(r, f, dir, "energy_performance_available_preferences", p->epps,
			 sizeof(p->epps));
	}
	p->cur_khz = read_num(r, f, dir, "scaling_cur_freq");
	p->min_khz = read_num(r, f, dir, "scaling_min_freq");
	p->max_khz = read_num(r, f, dir, "scaling_max_freq");
	p->hw_min_khz = read_num(r, f, dir, "cpuinfo_min_freq");
	p->hw_max_khz = read_num(r, f, dir, "cpuinfo_max_freq");
	p->base_khz = -1;
	if (!seen->no_base) {
		char path[256];
		long v;
		snprintf(path, sizeof(path), "%s/base_frequency", dir);
		int err = facts_read_long(r, f, path, &v);
		p->base_khz = err || v < 0 ? -1 : v;
		seen->no_base = err == -ENOENT;
	}
	/* root-only and slow on some kernels; it is the hardware's figure */
	p->hw_cur_khz = read_num(r, f, dir, "cpuinfo_cur_freq");
	/* the userspace governor holds the clock at whatever was set here */
	p->setspeed_khz = strcmp(p->governor, "userspace") ? -1 : read_num(r, f, dir, "scaling_setspeed");

	size_t index = f->cpufreq.count++;
	for (size_t i = 0; i < f->ncpus; i++)
		if (cpuset_has(&p->cpus, f->cpus[i].id))
			f->cpus[i].policy = (int)index;
	return 0;
}

static int read_flag(struct root *r, struct facts *f, const char *path)
{
	long v;
	return facts_read_long(r, f, path, &v) || (v != 0 && v != 1) ? -1 : (int)v;
}

/* A kernel gives every CPU a cpufreq directory or none: the first online
 * CPU answers for all, so a machine without cpufreq is not probed 64 times. */
static bool first_online_has_cpufreq(struct root *r, const struct facts *f)
{
	for (size_t i = 0; i < f->ncpus; i++) {
		char probe[96];
		if (!f->cpus[i].online)
			continue;
		snprintf(probe, sizeof(probe), "sys/devices/system/cpu/cpu%d/cpufreq", f->cpus[i].id);
		return !root_exists(r, probe);
	}
	return false;
}

int collect_cpufreq(struct root *r, struct facts *f)
{
	char **names;
	size_t n;
	struct driver_files seen = { 0 };

	if (!root_list(r, CPUFREQ_DIR, &names, &n)) {
		for (size_t i = 0; i < n; i++) {
			char dir[64];
			if (strncmp(names[i], "policy", 6) || names[i][6] < '0' || names[i][6] > '9')
				continue;
			snprintf(dir, sizeof(dir), CPUFREQ_DIR "/%s", names[i]);
			int err = read_policy(r, f, names[i], dir, &seen);
			if (err) {
				root_free_names(names);
				return err;
			}
		}
		root_free_names(names);
	}
	/* before policy directories each CPU had a cpufreq directory of its
	 * own, shared through related_cpus */
	bool per_cpu = !f->cpufreq.count && first_online_has_cpufreq(r, f);
	for (size_t i = 0; per_cpu && i < f->ncpus; i++) {
		char dir[64], name[16], probe[96];
		int id = f->cpus[i].id;
		snprintf(dir, sizeof(dir), "sys/devices/system/cpu/cpu%d/cpufreq", id);
		snprintf(probe, sizeof(probe), "%s/scaling_driver", dir);
		if (covered(f, id) || root_exists(r, probe))
			continue; /* already in a policy, or no cpufreq directory */
		snprintf(name, sizeof(name), "cpu%d", id);
		int err = read_policy(r, f, name, dir, &seen);
		if (err)
			return err;
	}

	facts_read_line(r, f, "sys/devices/system/cpu/intel_pstate/status", f->cpufreq.intel_pstate,
			sizeof(f->cpufreq.intel_pstate));
	facts_read_line(r, f, "sys/devices/system/cpu/amd_pstate/status", f->cpufreq.amd_pstate,
			sizeof(f->cpufreq.amd_pstate));
	f->cpufreq.no_turbo = read_flag(r, f, "sys/devices/system/cpu/intel_pstate/no_turbo");
	f->cpufreq.boost = read_flag(r, f, CPUFREQ_DIR "/boost");
	f->cpufreq.min_perf_pct = read_num(r, f, "sys/devices/system/cpu/intel_pstate", "min_perf_pct");
	f->cpufreq.max_perf_pct = read_num(r, f, "sys/devices/system/cpu/intel_pstate", "max_perf_pct");

	/* EPB lives per CPU; it steers CPUs without HWP EPP. The kernel makes
	 * the file only on CPUs whose flags list epb (x86/kernel/cpu/intel_epb.c) */
	bool epb = !f->arch[0] || (!strcmp(f->arch, "x86") && (f->flag_epb || !f->flags));
	for (size_t i = 0; i < f->ncpus; i++) {
		f->cpus[i].epb = -1;
		if (!epb)
			continue;
		char dir[96];
		snprintf(dir, sizeof(dir), "sys/devices/system/cpu/cpu%d/power", f->cpus[i].id);
		long v = read_num(r, f, dir, "energy_perf_bias");
		f->cpus[i].epb = v >= 0 && v <= 15 ? v : -1;
	}
	return 0;
}

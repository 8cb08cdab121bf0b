/* Latency limits that keep CPUs out of deep idle states: the global
 * /dev/cpu_dma_latency request and each CPU's resume latency. */
#include "facts.h"

#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../parse/text.h"
#include "../root/root.h"

#define DMA_DEVICE "/dev/cpu_dma_latency"
#define HOLDERS_MAX 16
/* descriptors looked at over all processes: a machine with a million
 * open files costs a bounded scan, and says so */
#define FDS_MAX 200000

static bool is_pid(const char *s)
{
	size_t n = strlen(s);
	return n && n < 10 && strspn(s, "0123456789") == n;
}

/* The processes with /dev/cpu_dma_latency open: /proc/PID/fd/N links to
 * it. Only root can read other processes' descriptors; others are passed
 * over, as fuser does. */
static int find_holders(struct root *r, struct facts *f)
{
	char **pids;
	size_t npids;
	long budget = FDS_MAX;

	if (root_list(r, "proc", &pids, &npids))
		return 0;
	f->pm_qos.scanned = true;
	for (size_t i = 0; i < npids && budget > 0 && f->pm_qos.nholders < HOLDERS_MAX; i++) {
		char dir[64], **fds;
		size_t nfds;
		if (!is_pid(pids[i]))
			continue;
		snprintf(dir, sizeof(dir), "proc/%s/fd", pids[i]);
		if (root_list(r, dir, &fds, &nfds))
			continue;
		for (size_t k = 0; k < nfds && budget-- > 0; k++) {
			char path[96];
			snprintf(path, sizeof(path), "%s/%s", dir, fds[k]);
			/* a snapshot keeps the holder's link, not every process's open files */
			if (!root_link_names(r, path, DMA_DEVICE))
				continue;
			struct pm_qos_holder *h = realloc(f->pm_qos.holders,
							  (f->pm_qos.nholders + 1) * sizeof(*h));
			if (!h) {
				root_free_names(fds);
				root_free_names(pids);
				return -ENOMEM;
			}
			f->pm_qos.holders = h;
			h += f->pm_qos.nholders++;
			h->pid = atoi(pids[i]);
			snprintf(path, sizeof(path), "proc/%s/comm", pids[i]);
			if (facts_read_line(r, f, path, h->comm, sizeof(h->comm)))
				snprintf(h->comm, sizeof(h->comm), "?");
			break;
		}
		root_free_names(fds);
	}
	if (budget <= 0)
		facts_problem(f, "/proc/*/fd", "more than %d open files: stopped looking for the holders "
					       "of " DMA_DEVICE, FDS_MAX);
	root_free_names(pids);
	return 0;
}

/* tuned's built-in profiles that set force_latency, for a root that does
 * not carry tuned's own profile files */
static const char *const latency_profiles[] = { "latency-performance", "network-latency",
						"realtime", "realtime-virtual-guest",
						"realtime-virtual-host", "cpu-partitioning" };

/* Whether tuned profile NAME (or one it includes) sets force_latency,
 * which tuned's daemon holds on /dev/cpu_dma_latency while it runs. */
static bool profile_holds(struct root *r, struct facts *f, const char *name, int depth)
{
	static const char *const dirs[] = { "etc/tuned", "usr/lib/tuned/profiles", "usr/lib/tuned" };
	char path[160], *buf;
	size_t len;

	if (depth > 4 || !*name || strchr(name, '/') || !strcmp(name, "..") || strlen(name) > 64)
		return false;
	for (size_t d = 0; d < sizeof(dirs) / sizeof(dirs[0]); d++) {
		snprintf(path, sizeof(path), "%s/%s/tuned.conf", dirs[d], name);
		if (facts_read_file(r, f, path, &buf, &len))
			continue;
		bool holds = false;
		for (char *save = NULL, *line = strtok_r(buf, "\n", &save); line && !holds;
		     line = strtok_r(NULL, "\n", &save)) {
			line += strspn(line, " \t");
			size_t key = strcspn(line, " \t=");
			const char *value = line + key + strspn(line + key, " \t");
			if (*value != '=')
				continue;
			value++;
			if (key == 13 && !strncmp(line, "force_latency", 13))
				holds = true;
			else if (key == 7 && !strncmp(line, "include", 7)) {
				char list[256];
				snprintf(list, sizeof(list), "%s", value);
				for (char *s2 = NULL, *p = strtok_r(list, ", \t", &s2); p && !holds;
				     p = strtok_r(NULL, ", \t", &s2))
					holds = profile_holds(r, f, p, depth + 1);
			}
		}
		free(buf);
		return holds;
	}
	for (size_t i = 0; i < sizeof(latency_profiles) / sizeof(latency_profiles[0]); i++)
		if (!strcmp(name, latency_profiles[i]))
			return true;
	return false;
}

/* A configuration that expects a hold: the latdoc-hold unit enabled, or
 * tuned enabled with a profile that sets force_latency. */
static void expected_hold(struct root *r, struct facts *f)
{
	static const char hold[] = "etc/systemd/system/multi-user.target.wants/latdoc-hold.service";
	static const char tuned[] = "etc/systemd/system/multi-user.target.wants/tuned.service";
	char target[256], profiles[160];

	if (!root_readlink(r, hold, target, sizeof(target))) {
		snprintf(f->pm_qos.expected_by, sizeof(f->pm_qos.expected_by),
			 "latdoc-hold.service is enabled");
		snprintf(f->pm_qos.expected_src, sizeof(f->pm_qos.expected_src), "/%s", hold);
		return;
	}
	if (root_readlink(r, tuned, target, sizeof(target)) ||
	    facts_read_line(r, f, "etc/tuned/active_profile", profiles, sizeof(profiles)))
		return;
	for (char *save = NULL, *p = strtok_r(profiles, " \t", &save); p; p = strtok_r(NULL, " \t", &save))
		if (profile_holds(r, f, p, 0)) {
			snprintf(f->pm_qos.expected_by, sizeof(f->pm_qos.expected_by),
				 "tuned.service is enabled with profile %.64s, which sets force_latency", p);
			snprintf(f->pm_qos.expected_src, sizeof(f->pm_qos.expected_src),
				 "/etc/tuned/active_profile");
			return;
		}
}

int collect_pmqos(struct root *r, struct facts *f)
{
	const char *dma = "dev/cpu_dma_latency";
	char *buf;
	size_t len;
	int err;

	/* A 4-byte read gives the effective value of all requests; our own
	 * open adds a request at the default, which constrains nothing. A
	 * snapshot keeps those 4 bytes as a plain file. */
	err = root_read(r, dma, &buf, &len);
	if (!err) {
		int32_t v;
		if (len == sizeof(v)) {
			memcpy(&v, buf, sizeof(v));
			f->dma_latency_us = v >= 0 ? v : FACT_UNKNOWN;
		} else {
			facts_problem(f, dma, "%zu bytes where a 4-byte value was expected", len);
		}
		free(buf);
	} else if (err == -ENOMEM) {
		return err;
	} else if (err != -ENOENT && err != -EACCES && err != -EPERM) {
		facts_problem(f, dma, "%s", facts_read_error(err));
	}

	for (size_t i = 0; i < f->ncpus; i++) {
		char path[128], line[32];
		long v;
		snprintf(path, sizeof(path), "sys/devices/system/cpu/cpu%d/power/pm_qos_resume_latency_us",
			 f->cpus[i].id);
		if (facts_read_line(r, f, path, line, sizeof(line)))
			continue;
		if (!strcmp(line, "n/a"))
			f->cpus[i].resume_latency_us = 0;
		else if (!parse_long(line, &v) && v >= 0)
			f->cpus[i].resume_latency_us = v == 0 ? -1 : v;
		else
			facts_problem(f, path, "'%.32s' is neither a number nor n/a", line);
	}
	expected_hold(r, f);
	if (f->dma_latency_us != FACT_UNKNOWN && f->dma_latency_us < PM_QOS_DEFAULT_US)
		return find_holders(r, f);
	return 0;
}

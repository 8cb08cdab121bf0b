#include "facts.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../parse/text.h"
#include "../root/root.h"

/* Collectors run in this order: later ones use what earlier ones found
 * (cpufreq and cpuidle fill in the CPUs topology created). */
static int (*const collectors[])(struct root *, struct facts *) = {
	collect_host,   collect_os,      collect_cpuinfo, collect_topology, collect_cpufreq, collect_cpuidle,
	collect_pmqos,  collect_kernel,  collect_memory,   collect_platform,
	collect_kvm_host, collect_vm_xml, collect_vm_processes, collect_guest_devices,
};

static void facts_init(struct root *r, struct facts *f)
{
	memset(f, 0, sizeof(*f));
	f->live = root_is_live(r);
	f->family = f->model = -1;
	f->sockets = f->cores = f->nodes = -1;
	f->dma_latency_us = FACT_UNKNOWN;
	f->steal_pct = -1;
	f->virt.halt_poll_ns = -1;
	f->cpuidle.guest_halt_poll_ns = -1;
}

int facts_collect(struct root *r, struct facts *f)
{
	facts_init(r, f);
	for (size_t i = 0; i < sizeof(collectors) / sizeof(collectors[0]); i++) {
		int err = collectors[i](r, f);
		if (err)
			return err;
	}
	return 0;
}

int facts_collect_head(struct root *r, struct facts *f)
{
	static int (*const head[])(struct root *, struct facts *) = { collect_host, collect_os, collect_cpuinfo,
								     collect_platform };
	facts_init(r, f);
	for (size_t i = 0; i < sizeof(head) / sizeof(head[0]); i++) {
		int err = head[i](r, f);
		if (err)
			return err;
	}
	return 0;
}

void facts_free(struct facts *f)
{
	for (size_t i = 0; i < f->ncpus; i++)
		free(f->cpus[i].states);
	free(f->cpus);
	for (size_t i = 0; i < f->cpufreq.count; i++)
		cpuset_clear(&f->cpufreq.policies[i].cpus);
	free(f->cpufreq.policies);
	cpuset_clear(&f->possible);
	cpuset_clear(&f->present);
	cpuset_clear(&f->online);
	free(f->flags);
	free(f->cpuinfo_mhz);
	free(f->cmdline_raw);
	cmdline_free(&f->cmdline);
	for (size_t i = 0; i < f->virt.count; i++)
		for (int s = 0; s < VM_SOURCES; s++) {
			vm_view_free(f->virt.vms[i].view[s]);
			free(f->virt.vms[i].view[s]);
		}
	free(f->virt.vms);
	free(f->guest.disks);
	free(f->guest.nics);
	for (size_t i = 0; i < f->nproblems; i++)
		free(f->problems[i]);
	free(f->problems);
	memset(f, 0, sizeof(*f));
}

void facts_problem(struct facts *f, const char *path, const char *fmt, ...)
{
	char msg[512];
	va_list ap;
	int n = snprintf(msg, sizeof(msg), "%s: ", path);

	va_start(ap, fmt);
	vsnprintf(msg + n, sizeof(msg) - (size_t)n, fmt, ap);
	va_end(ap);
	char **p = realloc(f->problems, (f->nproblems + 1) * sizeof(*p));
	if (!p)
		return; /* a lost problem report is better than a lost audit */
	f->problems = p;
	if ((p[f->nproblems] = strdup(msg)))
		f->nproblems++;
}

const char *facts_read_error(int err)
{
	switch (err) {
	case -EFBIG:
		return "larger than 16 MiB, not read";
	case -ELOOP:
		return "too many symbolic links";
	case -EINVAL:
		return "not a regular text file";
	case -ENAMETOOLONG:
		return "line or path too long";
	default:
		return strerror(-err);
	}
}

int facts_read_line(struct root *r, struct facts *f, const char *path, char *out, size_t outsz)
{
	int err = root_read_line(r, path, out, outsz);

	out[err ? 0 : strlen(out)] = '\0';
	if (err && err != -ENOENT && err != -ENOTDIR)
		facts_problem(f, path, "%s", facts_read_error(err));
	return err;
}

int facts_read_file(struct root *r, struct facts *f, const char *path, char **buf, size_t *len)
{
	int err = root_read(r, path, buf, len);

	if (err && err != -ENOENT && err != -ENOTDIR && err != -ENOMEM)
		facts_problem(f, path, "%s", facts_read_error(err));
	return err;
}

int facts_read_long(struct root *r, struct facts *f, const char *path, long *out)
{
	char line[64];
	int err = facts_read_line(r, f, path, line, sizeof(line));

	if (err)
		return err;
	/* "<unknown>", "<unsupported>": the kernel's way of saying no value */
	if (line[0] == '<' && line[strlen(line) - 1] == '>')
		return -ENODATA;
	if (parse_long(line, out)) {
		facts_problem(f, path, "'%.32s' is not a number", line);
		return -EINVAL;
	}
	return 0;
}

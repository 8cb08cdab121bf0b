#include "facts.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../lib/escape.h"
#include "../parse/text.h"
#include "../root/root.h"

/* Collectors run in this order: later ones use what earlier ones found
 * (cpufreq and cpuidle fill in the CPUs topology created). */
static int (*const collectors[])(struct root *, struct facts *) = {
	collect_host,   collect_os,      collect_cpuinfo, collect_topology, collect_cpufreq, collect_cpuidle,
	collect_pmqos,  collect_kernel,  collect_memory,   collect_platform,
	collect_kvm_host, collect_vm_xml, collect_vm_processes, collect_hugepages,
	collect_host_irqs, collect_guest_devices,
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
	f->virt.hugepage_default_kib = -1;
	f->cpuidle.guest_halt_poll_ns = -1;
}

static int run_collectors(struct root *r, struct facts *f, int (*const *list)(struct root *, struct facts *),
			  size_t n)
{
	facts_init(r, f);
	for (size_t i = 0; i < n; i++) {
		int err = list[i](r, f);
		if (err)
			return err;
	}
	return 0;
}

int facts_collect(struct root *r, struct facts *f)
{
	return run_collectors(r, f, collectors, sizeof(collectors) / sizeof(collectors[0]));
}

int facts_collect_head(struct root *r, struct facts *f)
{
	static int (*const head[])(struct root *, struct facts *) = { collect_host, collect_os, collect_cpuinfo,
								     collect_platform };
	return run_collectors(r, f, head, sizeof(head) / sizeof(head[0]));
}

/* Of each kind of problem, this many are listed; then one line counts the
 * rest. Past PROBLEM_KINDS kinds, one line counts all others. */
#define PROBLEM_EXAMPLES 3
#define PROBLEM_KINDS 64

struct problem_log {
	struct problem_kind {
		char *key;    /* the path with its numbers as '*', and the reason */
		size_t count;
		size_t line;  /* index of its count line in problems, 0 for none yet */
	} kinds[PROBLEM_KINDS];
	size_t nkinds, last;
	size_t others, others_line;
};

void facts_free(struct facts *f)
{
	free(f->pm_qos.holders);
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
	for (size_t i = 0; i < f->virt.count; i++) {
		struct vm *vm = &f->virt.vms[i];
		for (int s = 0; s < VM_SOURCES; s++) {
			vm_view_free(vm->view[s]);
			free(vm->view[s]);
		}
		cpuset_clear(&vm->vcpu_allowed);
		cpuset_clear(&vm->emulator_allowed);
		cpuset_clear(&vm->io_allowed);
	}
	free(f->virt.vms);
	free(f->virt.hugepages);
	for (size_t i = 0; i < f->virt.nirqs; i++)
		cpuset_clear(&f->virt.irqs[i].allowed);
	free(f->virt.irqs);
	cpuset_clear(&f->virt.irqbalance.banned);
	free(f->guest.disks);
	free(f->guest.nics);
	for (size_t i = 0; i < f->nproblems; i++)
		free(f->problems[i]);
	free(f->problems);
	if (f->problem_log) {
		for (size_t i = 0; i < f->problem_log->nkinds; i++)
			free(f->problem_log->kinds[i].key);
		free(f->problem_log);
	}
	memset(f, 0, sizeof(*f));
}

static size_t add_line(struct facts *f, char *line)
{
	if (!line)
		return 0;
	char **p = realloc(f->problems, (f->nproblems + 1) * sizeof(*p));
	if (!p) {
		free(line);
		return 0; /* a lost problem report is better than a lost audit */
	}
	f->problems = p;
	p[f->nproblems] = line;
	return f->nproblems++;
}

/* Sets line *AT (appending it when 0) to LINE, taken over. */
static void set_line(struct facts *f, size_t *at, char *line)
{
	if (!line)
		return;
	if (*at) {
		free(f->problems[*at]);
		f->problems[*at] = line;
	} else {
		*at = add_line(f, line);
	}
}

static char *numbers_as_stars(const char *path, const char *reason)
{
	size_t n = strlen(path), m = strlen(reason);
	char *key = malloc(n + m + 3), *o = key;

	if (!key)
		return NULL;
	for (const char *p = path; *p;) {
		if (*p >= '0' && *p <= '9') {
			*o++ = '*';
			while (*p >= '0' && *p <= '9')
				p++;
		} else {
			*o++ = *p++;
		}
	}
	sprintf(o, ": %s", reason);
	return key;
}

void facts_problem(struct facts *f, const char *path, const char *fmt, ...)
{
	char raw[480], reason[480], safe_path[1024], *line = NULL;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(raw, sizeof(raw), fmt, ap);
	va_end(ap);
	/* a dump names its own files: a newline in one must not forge a line */
	str_escape(reason, sizeof(reason), raw, false);
	str_escape(safe_path, sizeof(safe_path), path, false);
	path = safe_path;
	if (!f->problem_log && !(f->problem_log = calloc(1, sizeof(*f->problem_log))))
		return;
	struct problem_log *log = f->problem_log;
	char *key = numbers_as_stars(path, reason);
	if (!key)
		return;
	struct problem_kind *k = NULL;
	if (log->nkinds && !strcmp(log->kinds[log->last].key, key))
		k = &log->kinds[log->last];
	for (size_t i = 0; !k && i < log->nkinds; i++)
		if (!strcmp(log->kinds[i].key, key)) {
			k = &log->kinds[i];
			log->last = i;
		}
	if (!k && log->nkinds == PROBLEM_KINDS) {
		free(key);
		if (asprintf(&line, "(%zu more problems of other kinds, not listed)", ++log->others) < 0)
			line = NULL;
		set_line(f, &log->others_line, line);
		return;
	}
	if (!k) {
		log->last = log->nkinds;
		k = &log->kinds[log->nkinds++];
		k->key = key;
		key = NULL;
	}
	free(key);
	if (++k->count <= PROBLEM_EXAMPLES) {
		if (asprintf(&line, "%s: %s", path, reason) < 0)
			line = NULL;
		add_line(f, line);
		return;
	}
	if (asprintf(&line, "%s (%zu more like it, not listed)", k->key,
		     k->count - PROBLEM_EXAMPLES) < 0)
		line = NULL;
	set_line(f, &k->line, line);
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

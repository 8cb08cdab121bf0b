#include "vm_pin.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int vm_isolated_cpus(const struct facts *f, struct cpuset *out)
{
	static const char *const params[] = { "isolcpus", "nohz_full" };

	for (size_t i = 0; i < sizeof(params) / sizeof(params[0]); i++) {
		const struct cmdline_param *p = cmdline_find(&f->cmdline, params[i]);
		char buf[1024], *save = NULL;
		if (!p || !p->value)
			continue;
		snprintf(buf, sizeof(buf), "%s", p->value);
		/* isolcpus=[flag,...,]LIST: the flags (nohz, domain, managed_irq) are words */
		for (char *item = strtok_r(buf, ",", &save); item; item = strtok_r(NULL, ",", &save)) {
			struct cpuset one = { 0 };
			if (isalpha((unsigned char)*item) || cpuset_parse(&one, item))
				continue; /* a flag, or not a list: nothing isolated by it */
			int err = cpuset_merge(out, &one);
			cpuset_clear(&one);
			if (err)
				return err;
		}
	}
	return 0;
}

static bool siblings(const struct cpu *a, const struct cpu *b)
{
	return a->core >= 0 && a->package == b->package && a->core == b->core;
}

int vm_pin_host_init(const struct facts *f, struct vm_pin_host *h)
{
	struct cpuset iso = { 0 };
	const struct cpu *first = NULL;
	int err = vm_isolated_cpus(f, &iso);

	memset(h, 0, sizeof(*h));
	h->f = f;
	for (size_t i = 0; i < f->ncpus && !err; i++) {
		const struct cpu *c = &f->cpus[i];
		if (!c->online)
			continue;
		h->online++;
		first = first ? first : c;
		h->isolated |= cpuset_has(&iso, c->id);
	}
	/* the host keeps the CPUs the kernel does not isolate; without
	 * isolation, CPU 0 (where the kernel's own work lands: timers,
	 * unbound interrupts) and its SMT sibling */
	for (size_t i = 0; i < f->ncpus && !err; i++) {
		const struct cpu *c = &f->cpus[i];
		if (!c->online)
			continue;
		bool host = h->isolated ? !cpuset_has(&iso, c->id) : siblings(c, first) || c == first;
		err = cpuset_add(host ? &h->housekeeping : &h->for_vms, c->id);
	}
	if (!err && first && !cpuset_count(&h->housekeeping)) {
		/* every CPU isolated: the host still needs one */
		cpuset_del(&h->for_vms, first->id);
		err = cpuset_add(&h->housekeeping, first->id);
	}
	if (!err)
		err = cpuset_merge(&h->free, &h->for_vms);
	/* what VMs are pinned to is theirs: their vCPUs', and their emulator
	 * and I/O threads' where those sit on CPUs for VMs */
	for (size_t i = 0; i < f->virt.count && !err; i++) {
		const struct vm_view *v = vm_effective(&f->virt.vms[i]);
		for (int cpu = 0; v && cpu < CPUSET_MAX; cpu++)
			if (cpuset_has(&v->pinned_cpus, cpu) || cpuset_has(&v->emulator_cpus, cpu) ||
			    cpuset_has(&v->iothread_cpus, cpu))
				cpuset_del(&h->free, cpu);
			else if (cpu >= v->pinned_cpus.size && cpu >= v->emulator_cpus.size &&
				 cpu >= v->iothread_cpus.size)
				break;
	}
	cpuset_clear(&iso);
	if (err)
		vm_pin_host_free(h);
	return err;
}

void vm_pin_host_free(struct vm_pin_host *h)
{
	cpuset_clear(&h->housekeeping);
	cpuset_clear(&h->for_vms);
	cpuset_clear(&h->free);
}

void vm_pin_plan_free(struct vm_pin_plan *plan)
{
	free(plan->cpu);
	plan->cpu = NULL;
}

/* qsort order of pointers to struct cpu: by package, core, then id. */
static int by_core(const void *a, const void *b)
{
	const struct cpu *x = *(const struct cpu *const *)a, *y = *(const struct cpu *const *)b;
	if (x->package != y->package)
		return x->package < y->package ? -1 : 1;
	if (x->core != y->core)
		return x->core < y->core ? -1 : 1;
	return x->id < y->id ? -1 : x->id > y->id;
}

int vm_online_by_core(const struct facts *f, const struct cpu ***all, size_t *n)
{
	*n = 0;
	if (!(*all = malloc((f->ncpus ? f->ncpus : 1) * sizeof(**all))))
		return -ENOMEM;
	for (size_t i = 0; i < f->ncpus; i++)
		if (f->cpus[i].online)
			(*all)[(*n)++] = &f->cpus[i];
	qsort(*all, *n, sizeof(**all), by_core);
	return 0;
}

size_t vm_core_end(const struct cpu *const *all, size_t n, size_t i)
{
	size_t end = i + 1;
	while (end < n && siblings(all[i], all[end]))
		end++;
	return end;
}

struct ranked {
	const struct cpu *cpu;
	int tier;
};

static int by_tier(const void *a, const void *b)
{
	const struct ranked *x = a, *y = b;
	if (x->tier != y->tier)
		return x->tier < y->tier ? -1 : 1;
	return x->cpu->id < y->cpu->id ? -1 : x->cpu->id > y->cpu->id;
}

/* Orders the N candidate CPUS: a core of its own for each vCPU first (the
 * first thread of each core nobody else uses), then the other threads of
 * those cores, and last the threads of cores the host or another VM uses:
 * SMT siblings compete for one core. Returns 0 or -ENOMEM. */
static int cores_first(const struct facts *f, const struct cpu **cpus, size_t n)
{
	const struct cpu **all = NULL;
	struct ranked *r = malloc((n ? n : 1) * sizeof(*r));
	struct cpuset cand = { 0 };
	size_t nall = 0, nr = 0;
	int err = r ? 0 : -ENOMEM;

	for (size_t i = 0; i < n && !err; i++)
		err = cpuset_add(&cand, cpus[i]->id);
	if (!err)
		err = vm_online_by_core(f, &all, &nall);
	for (size_t i = 0; i < nall && !err;) {
		size_t end = vm_core_end(all, nall, i);
		bool busy = false;
		for (size_t j = i; j < end; j++)
			busy |= !cpuset_has(&cand, all[j]->id);
		bool first = true;
		for (size_t j = i; j < end; j++) {
			if (!cpuset_has(&cand, all[j]->id))
				continue;
			r[nr++] = (struct ranked){ all[j], busy ? 2 : first ? 0 : 1 };
			first = false;
		}
		i = end;
	}
	if (!err) {
		qsort(r, nr, sizeof(*r), by_tier);
		for (size_t i = 0; i < nr && i < n; i++)
			cpus[i] = r[i].cpu;
	}
	cpuset_clear(&cand);
	free(all);
	free(r);
	return err;
}

int vm_pinned_node(const struct facts *f, const struct vm_view *v)
{
	int node = -1;
	for (size_t i = 0; i < f->ncpus; i++) {
		const struct cpu *c = &f->cpus[i];
		if (!cpuset_has(&v->pinned_cpus, c->id) || c->node < 0)
			continue;
		if (node >= 0 && c->node != node)
			return -1;
		node = c->node;
	}
	return node;
}

/* The node the VM's memory or pins already name, or -1. */
static int named_node(const struct facts *f, const struct vm_view *v)
{
	if (cpuset_count(&v->numa_nodes) == 1)
		return cpuset_last(&v->numa_nodes);
	return vm_pinned_node(f, v);
}

/* The node for WANT vCPUs among the N CANDS: the one named if it has room,
 * else the one with the most room if that is enough; -1 when none has. */
static int choose_node(const struct cpu **cands, size_t n, int named, int want)
{
	int max = -1, best = -1, chosen = -1;

	for (size_t i = 0; i < n; i++)
		max = cands[i]->node > max ? cands[i]->node : max;
	int *count = max >= 0 && max < CPUSET_MAX ? calloc((size_t)max + 1, sizeof(*count)) : NULL;
	if (!count)
		return -1;
	for (size_t i = 0; i < n; i++)
		if (cands[i]->node >= 0)
			count[cands[i]->node]++;
	for (int node = 0; node <= max; node++)
		if (count[node] > (best < 0 ? 0 : count[best]))
			best = node;
	if (named >= 0 && named <= max && count[named] >= want)
		chosen = named;
	else if (best >= 0 && count[best] >= want)
		chosen = best;
	free(count);
	return chosen;
}

int vm_pin_plan(struct vm_pin_host *h, const struct vm_view *v, struct vm_pin_plan *plan)
{
	const struct facts *f = h->f;
	const struct cpu **cands = malloc((f->ncpus ? f->ncpus : 1) * sizeof(*cands));
	size_t n = 0;

	memset(plan, 0, sizeof(*plan));
	plan->nvcpus = v->vcpus;
	plan->node = -1;
	if (!cands)
		return -ENOMEM;
	/* the free CPUs, and the VM's own pins where they are for VMs */
	for (size_t i = 0; i < f->ncpus; i++) {
		const struct cpu *c = &f->cpus[i];
		if (c->online && (cpuset_has(&h->free, c->id) ||
				  (cpuset_has(&v->pinned_cpus, c->id) && cpuset_has(&h->for_vms, c->id))))
			cands[n++] = c;
	}
	/* all on one node, where there is more than one */
	if (f->nodes > 1) {
		plan->node = choose_node(cands, n, named_node(f, v), v->vcpus);
		plan->spread = plan->node < 0;
		size_t kept = 0;
		for (size_t i = 0; i < n && plan->node >= 0; i++)
			if (cands[i]->node == plan->node)
				cands[kept++] = cands[i];
		if (plan->node >= 0)
			n = kept;
	}
	if ((int)n < v->vcpus) {
		char kept[64];
		cpuset_format(&h->housekeeping, kept, sizeof(kept));
		snprintf(plan->why, sizeof(plan->why),
			 "it has %d vCPU%s and %zu CPU%s %s free for %s: of %d online, %s %s kept for "
			 "the host (%s), the rest pinned to other VMs or planned for them",
			 v->vcpus, v->vcpus == 1 ? "" : "s", n, n == 1 ? "" : "s", n == 1 ? "is" : "are",
			 v->vcpus == 1 ? "it" : "them", h->online, kept, cpuset_count(&h->housekeeping) == 1 ? "is" : "are",
			 h->isolated ? "the CPUs the kernel does not isolate" : "CPU 0 and its SMT siblings");
		free(cands);
		return 0;
	}
	if (cores_first(f, cands, n) ||
	    !(plan->cpu = malloc((size_t)(v->vcpus > 0 ? v->vcpus : 1) * sizeof(*plan->cpu)))) {
		free(cands);
		return -ENOMEM;
	}
	for (int i = 0; i < v->vcpus; i++) {
		plan->cpu[i] = cands[i]->id;
		cpuset_del(&h->free, cands[i]->id);
	}
	free(cands);
	return 0;
}

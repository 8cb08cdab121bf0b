/* The host against its VMs: where the VMs' threads may run, against each
 * other (vm.vcpu.shared) and against what the host does on those CPUs
 * (vm.host.cpus: clock, idle states, isolation; vm.host.irq: the NICs'
 * interrupts), and the huge page pools against the VMs that ask for them
 * (vm.hugepages.pool). Each VM rule elsewhere judges a VM on its own. */
#include "vm_fix.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static bool running(const struct vm *vm)
{
	return vm->view[VM_RUNNING] || vm->view[VM_PROCESS];
}

/* The XML view that says where the emulator runs: running, else defined. */
static const struct vm_view *xml_view(const struct vm *vm)
{
	return vm->view[VM_RUNNING] ? vm->view[VM_RUNNING] : vm->view[VM_DEFINED];
}

/* SET when it is narrower than the online CPUs (and not empty): a pin.
 * Else it is emptied: the threads float. */
static void keep_if_pinned(const struct facts *f, struct cpuset *set)
{
	int in = 0, online = cpuset_count(&f->online);
	for (int cpu = 0; cpu < set->size; cpu++)
		in += cpuset_has(set, cpu) && cpuset_has(&f->online, cpu);
	if (!in || in >= online)
		cpuset_clear(set);
}

static int from(struct cpuset *into, const struct cpuset *set, char *src, size_t srcsz,
		const char *fmt, const char *where)
{
	snprintf(src, srcsz, fmt, where);
	return cpuset_merge(into, set);
}

static int read_one(const struct facts *f, const struct vm *vm, struct vm_cpus *c)
{
	const struct vm_view *v = vm_effective(vm), *x = xml_view(vm), *p = vm->view[VM_PROCESS];
	char task[64];
	int err = 0;

	snprintf(task, sizeof(task), "/proc/%ld/task", p ? p->pid : 0L);
	/* vCPUs: their threads when seen, else the pins of the config */
	if (vm->vcpu_threads > 0 && cpuset_count(&vm->vcpu_allowed))
		err = from(&c->vcpu, &vm->vcpu_allowed, c->vcpu_from, sizeof(c->vcpu_from),
			   "%s (\"CPU n/KVM\" threads)", task);
	else if (v->vcpus_pinned >= v->vcpus && cpuset_count(&v->pinned_cpus))
		err = from(&c->vcpu, &v->pinned_cpus, c->vcpu_from, sizeof(c->vcpu_from), "%s", v->where);
	else if (cpuset_count(&v->vcpu_cpuset) &&
		 !(err = from(&c->vcpu, &v->vcpu_cpuset, c->vcpu_from, sizeof(c->vcpu_from), "%s",
			      v->where)))
		err = cpuset_merge(&c->vcpu, &v->pinned_cpus);
	/* the emulator and I/O threads: libvirt's pins, which default to
	 * <vcpu cpuset> (formatdomain.rst, "CPU Tuning"), else the threads */
	if (!err && x && x->emulator_pinned)
		err = from(&c->emulator, &x->emulator_cpus, c->emulator_from, sizeof(c->emulator_from),
			   "%s (emulatorpin)", x->where);
	else if (!err && x && cpuset_count(&x->vcpu_cpuset))
		err = from(&c->emulator, &x->vcpu_cpuset, c->emulator_from, sizeof(c->emulator_from),
			   "%s (<vcpu cpuset>)", x->where);
	else if (!err && cpuset_count(&vm->emulator_allowed))
		err = from(&c->emulator, &vm->emulator_allowed, c->emulator_from,
			   sizeof(c->emulator_from), "%s (main thread)", task);
	if (!err && x && x->iothreads_pinned)
		err = from(&c->io, &x->iothread_cpus, c->io_from, sizeof(c->io_from), "%s (iothreadpin)",
			   x->where);
	else if (!err && x && cpuset_count(&x->vcpu_cpuset))
		err = from(&c->io, &x->vcpu_cpuset, c->io_from, sizeof(c->io_from), "%s (<vcpu cpuset>)",
			   x->where);
	else if (!err && cpuset_count(&vm->io_allowed))
		err = from(&c->io, &vm->io_allowed, c->io_from, sizeof(c->io_from), "%s (\"IO\" threads)",
			   task);
	keep_if_pinned(f, &c->vcpu);
	keep_if_pinned(f, &c->emulator);
	keep_if_pinned(f, &c->io);
	return err;
}

/* Each VM's vCPU CPUs with their SMT siblings: the online CPUs grouped by
 * package and core (an unknown core is a core of its own). */
static int whole_cores(const struct facts *f, struct vm_cpus *out)
{
	const struct cpu **all = NULL;
	size_t n = 0;
	int err = vm_online_by_core(f, &all, &n);

	for (size_t i = 0; i < n && !err;) {
		size_t end = vm_core_end(all, n, i);
		for (size_t v = 0; v < f->virt.count && !err; v++) {
			bool in = false;
			for (size_t k = i; k < end && !in; k++)
				in = cpuset_has(&out[v].vcpu, all[k]->id);
			for (size_t k = i; k < end && in && !err; k++)
				err = cpuset_add(&out[v].vcpu_cores, all[k]->id);
		}
		i = end;
	}
	free(all);
	return err;
}

int vm_cpus_read(const struct facts *f, struct vm_cpus *out)
{
	bool any_running = false;
	int err = 0;

	for (size_t i = 0; i < f->virt.count; i++)
		any_running |= running(&f->virt.vms[i]);
	for (size_t i = 0; i < f->virt.count; i++)
		memset(&out[i], 0, sizeof(out[i]));
	for (size_t i = 0; i < f->virt.count && !err; i++) {
		const struct vm *vm = &f->virt.vms[i];
		const struct vm_view *v = vm_effective(vm);
		out[i].counted = v && vm_audited(v) && (running(vm) || !any_running);
		if (out[i].counted)
			err = read_one(f, vm, &out[i]);
	}
	return err ? err : whole_cores(f, out);
}

void vm_cpus_free(struct vm_cpus *c, size_t n)
{
	for (size_t i = 0; c && i < n; i++) {
		cpuset_clear(&c[i].vcpu);
		cpuset_clear(&c[i].vcpu_cores);
		cpuset_clear(&c[i].emulator);
		cpuset_clear(&c[i].io);
	}
	free(c);
}

/* The CPUs of A that B takes too (SAME), and those of A that share a core
 * with B's without being B's (SIBS; BCORES is B's CPUs with their SMT
 * siblings). Returns whether there is either. */
static bool overlap(const struct cpuset *a, const struct cpuset *b, const struct cpuset *bcores,
		    struct cpuset *same, struct cpuset *sibs, int *err)
{
	bool any = false;

	if (cpuset_intersects(a, b)) {
		any = true;
		if (same && !*err)
			*err = cpuset_merge_and(same, a, b);
	}
	if (sibs && bcores && cpuset_intersects(a, bcores)) {
		struct cpuset near = { 0 };
		if (!*err)
			*err = cpuset_merge_and(&near, a, bcores);
		for (int x = 0; x < near.size && !*err; x++)
			if (cpuset_has(&near, x) && !cpuset_has(b, x)) {
				*err = cpuset_add(sibs, x);
				any = true;
			}
		cpuset_clear(&near);
	}
	return any;
}

bool vm_cpus_must_move(const struct vm_cpus *c, size_t i)
{
	int err = 0;
	if (!c[i].counted || !cpuset_count(&c[i].vcpu))
		return false;
	for (size_t j = 0; j < i; j++) {
		struct cpuset sibs = { 0 };
		bool hit = c[j].counted && overlap(&c[i].vcpu, &c[j].vcpu, &c[j].vcpu_cores, NULL, &sibs, &err);
		cpuset_clear(&sibs);
		if (hit)
			return true;
	}
	return false;
}

static int host_plans(const struct facts *f, struct vm_pin_host *h, const struct vm_cpus *c,
		      struct vm_pin_plan *plans)
{
	int err = 0;

	for (size_t i = 0; i < f->virt.count && !err; i++) {
		const struct vm *vm = &f->virt.vms[i];
		const struct vm_view *v = vm_effective(vm);
		memset(&plans[i], 0, sizeof(plans[i]));
		if (!v || !vm_audited(v))
			continue;
		if (vm_accelerated(v) && vm_pinned_vcpus(vm, v) < v->vcpus) {
			err = vm_pin_plan(h, v, &plans[i]);
		} else if (vm_cpus_must_move(c, i)) {
			/* its own pins are what it must leave: planned without them */
			struct vm_view away = *v;
			memset(&away.pinned_cpus, 0, sizeof(away.pinned_cpus));
			err = vm_pin_plan(h, &away, &plans[i]);
		}
	}
	return err;
}

int vm_host_plan_make(const struct facts *f, struct vm_host_plan *p)
{
	size_t n = f->virt.count ? f->virt.count : 1;

	memset(p, 0, sizeof(*p));
	p->cpus = calloc(n, sizeof(*p->cpus));
	p->plan = calloc(n, sizeof(*p->plan));
	if (!p->cpus || !p->plan || vm_pin_host_init(f, &p->h)) {
		free(p->cpus);
		free(p->plan);
		memset(p, 0, sizeof(*p));
		return -ENOMEM;
	}
	if (vm_cpus_read(f, p->cpus) || host_plans(f, &p->h, p->cpus, p->plan)) {
		vm_host_plan_free(f, p);
		return -ENOMEM;
	}
	return 0;
}

void vm_host_plan_free(const struct facts *f, struct vm_host_plan *p)
{
	for (size_t i = 0; p->plan && i < f->virt.count; i++)
		vm_pin_plan_free(&p->plan[i]);
	free(p->plan);
	vm_cpus_free(p->cpus, f->virt.count);
	vm_pin_host_free(&p->h);
	memset(p, 0, sizeof(*p));
}

/* VMs whose clash with one VM is told in full; the rest are counted. */
#define CLASHES_SHOWN 6

/* What VM I does to VM J: its vCPUs on J's vCPUs' CPUs (SAME; reported
 * on the later of the two, J < I), on their SMT siblings (SIBS), or its
 * emulator and I/O threads on J's vCPUs (THREADS). */
struct clash {
	struct cpuset same, sibs, threads;
};

static bool clash(const struct vm_cpus *c, size_t i, size_t j, struct clash *k,
		  int *err)
{
	bool any = false;
	memset(k, 0, sizeof(*k));
	if (j == i || !c[j].counted)
		return false;
	if (j < i)
		any |= overlap(&c[i].vcpu, &c[j].vcpu, &c[j].vcpu_cores, &k->same, &k->sibs, err);
	any |= overlap(&c[i].emulator, &c[j].vcpu, NULL, &k->threads, NULL, err);
	any |= overlap(&c[i].io, &c[j].vcpu, NULL, &k->threads, NULL, err);
	return any && !*err;
}

static void clash_clear(struct clash *k)
{
	cpuset_clear(&k->same);
	cpuset_clear(&k->sibs);
	cpuset_clear(&k->threads);
}

static void clash_evidence(const struct facts *f, struct findings *out, struct finding *x,
			   const struct vm_cpus *c, size_t i, size_t j, const struct clash *k)
{
	const char *me = f->virt.vms[i].name, *other = f->virt.vms[j].name;
	char list[256], theirs[256];
	int n;

	if ((n = cpuset_count(&k->same))) {
		char mine[256];
		cpuset_format(&k->same, list, sizeof(list));
		cpuset_format(&c[i].vcpu, mine, sizeof(mine));
		cpuset_format(&c[j].vcpu, theirs, sizeof(theirs));
		finding_evidence(out, x, c[i].vcpu_from, "vCPUs of %s on CPU%s %s", me,
				 cpuset_count(&c[i].vcpu) == 1 ? "" : "s", mine);
		finding_evidence(out, x, c[j].vcpu_from, "vCPUs of %s on CPU%s %s: CPU%s %s taken by both",
				 other, cpuset_count(&c[j].vcpu) == 1 ? "" : "s", theirs, n == 1 ? "" : "s", list);
	}
	if ((n = cpuset_count(&k->sibs))) {
		cpuset_format(&k->sibs, list, sizeof(list));
		cpuset_format(&c[j].vcpu, theirs, sizeof(theirs));
		finding_evidence(out, x, c[i].vcpu_from, "vCPUs of %s on CPU%s %s, SMT siblings of %s's "
				 "vCPUs on %s", me, n == 1 ? "" : "s", list, other, theirs);
	}
	if ((n = cpuset_count(&k->threads))) {
		cpuset_format(&k->threads, list, sizeof(list));
		finding_evidence(out, x, c[i].emulator_from[0] ? c[i].emulator_from : c[i].io_from,
				 "emulator or I/O threads of %s on CPU%s %s, where %s's vCPUs run", me,
				 n == 1 ? "" : "s", list, other);
	}
}

/* VM I against every other counted VM: one finding that names them all
 * and the host CPUs, on the later VM of a vCPU clash (the one to move)
 * and on a VM whose emulator or I/O threads sit on another's vCPUs. */
static void shared(const struct facts *f, struct findings *out, const struct vm_cpus *c, size_t i,
		   const struct vm_pin_host *h, const struct vm_pin_plan *plan)
{
	const struct vm *vm = &f->virt.vms[i];
	struct cpuset all = { 0 };
	char names[512] = "", list[256];
	size_t len = 0, more = 0;
	bool vcpus = false, threads = false, sibs_only = true;
	int err = 0;
	struct clash k;

	for (size_t j = 0; j < f->virt.count && !err; j++) {
		if (clash(c, i, j, &k, &err)) {
			vm_list_item(names, sizeof(names), &len, &more, "%s", f->virt.vms[j].name);
			vcpus |= cpuset_count(&k.same) || cpuset_count(&k.sibs);
			threads |= cpuset_count(&k.threads) > 0;
			sibs_only &= !cpuset_count(&k.same) && !cpuset_count(&k.threads);
			if (cpuset_merge(&all, &k.same) || cpuset_merge(&all, &k.sibs) ||
			    cpuset_merge(&all, &k.threads))
				err = -ENOMEM;
		}
		clash_clear(&k);
	}
	if (err)
		out->out_of_memory = true;
	if (err || !cpuset_count(&all)) {
		cpuset_clear(&all);
		return;
	}
	vm_list_end(names, sizeof(names), len, more);
	cpuset_format(&all, list, sizeof(list));
	struct finding *x = vm_finding(out, SEV_WARNING, vm, "%s shares host CPU%s %s with %s%s",
				       vm->name, cpuset_count(&all) == 1 ? "" : "s", list, names,
				       sibs_only ? " (SMT siblings of one core)" : "");
	/* the evidence of the first few VMs, however many share with it */
	size_t told = 0, untold = 0;
	for (size_t j = 0; j < f->virt.count && !err; j++) {
		if (clash(c, i, j, &k, &err) && told++ < CLASHES_SHOWN)
			clash_evidence(f, out, x, c, i, j, &k);
		else if (cpuset_count(&k.same) || cpuset_count(&k.sibs) || cpuset_count(&k.threads))
			untold++;
		clash_clear(&k);
	}
	if (untold)
		finding_evidence(out, x, "host", "and %zu more VM%s on its CPUs", untold, untold == 1 ? "" : "s");
	finding_why(out, x,
		    "Threads allowed on the same host CPU take turns on it: a vCPU waits while "
		    "another VM's vCPU or QEMU's own threads run, a scheduler slice of milliseconds "
		    "at a time, and the guest sees it as steal. SMT siblings share one core's "
		    "execution units and caches. Pinning pays only when each vCPU has a core to "
		    "itself.");
	if (vcpus && plan)
		vm_fix_vcpu_pin(out, x, f, vm, h, plan);
	else if (threads)
		vm_fix_emulator_pin(out, x, f, vm, h);
	cpuset_clear(&all);
}

void rule_vm_vcpu_shared(const struct facts *f, struct findings *out)
{
	struct vm_host_plan p;

	if (f->virt.count < 2)
		return;
	if (vm_host_plan_make(f, &p)) {
		out->out_of_memory = true;
		return;
	}
	for (size_t i = 0; i < f->virt.count; i++)
		if (p.cpus[i].counted)
			shared(f, out, p.cpus, i, &p.h, vm_cpus_must_move(p.cpus, i) ? &p.plan[i] : NULL);
	vm_host_plan_free(f, &p);
}

/* VM rules, judged on a KVM host from each VM's running config (or, when it
 * is not running, from what is defined). A VM with nothing wrong gets no
 * finding. Domain types: kvm is audited fully; test (libvirt's test
 * driver) stands for a KVM domain; qemu is TCG, where every instruction is
 * emulated, which vm.accel says first and vm.cpu.mode then leaves alone;
 * xen, lxc and the rest are not KVM and are not audited. */
#include "vm_fix.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static bool audited(const struct vm_view *v)
{
	return !strcmp(v->type, "kvm") || !strcmp(v->type, "qemu") || !strcmp(v->type, "test");
}

static bool accelerated(const struct vm_view *v)
{
	return !strcmp(v->type, "kvm") || !strcmp(v->type, "test");
}

static bool x86(const struct facts *f, const struct vm_view *v)
{
	if (!v->arch[0])
		return !strcmp(f->arch, "x86"); /* qemu-kvm: the host's own */
	return !strcmp(v->arch, "x86_64") || !strcmp(v->arch, "i686");
}

/* Calls EACH for every VM whose effective view is audited. */
static void each_vm(const struct facts *f, struct findings *out,
		    void (*each)(const struct facts *, struct findings *, const struct vm *,
				 const struct vm_view *))
{
	for (size_t i = 0; i < f->virt.count; i++) {
		const struct vm *vm = &f->virt.vms[i];
		const struct vm_view *v = vm_effective(vm);
		if (v && audited(v))
			each(f, out, vm, v);
	}
}

static struct finding *vm_finding(struct findings *out, enum severity sev,
				  const struct vm *vm, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static struct finding *vm_finding(struct findings *out, enum severity sev,
				  const struct vm *vm, const char *fmt, ...)
{
	char subject[96], title[256];
	va_list ap;

	snprintf(subject, sizeof(subject), "domain:%s", vm->name);
	va_start(ap, fmt);
	vsnprintf(title, sizeof(title), fmt, ap);
	va_end(ap);
	return finding_add(out, sev, subject, "%s", title);
}

static void accel(const struct facts *f, struct findings *out, const struct vm *vm,
		  const struct vm_view *v)
{
	if (strcmp(v->type, "qemu"))
		return;
	struct finding *x = vm_finding(out, SEV_CRITICAL, vm,
				       "%s runs under TCG: every instruction emulated", vm->name);
	finding_evidence(out, x, v->where, "domain type '%s' (QEMU without KVM)", v->type);
	finding_why(out, x,
		    "Without KVM, QEMU translates every guest instruction in software: the guest "
		    "runs several times slower and every device access is emulated.");
	vm_fix(out, x, f, VM_FIX_ACCEL, vm);
}

void rule_vm_accel(const struct facts *f, struct findings *out)
{
	each_vm(f, out, accel);
}

static void cpu_mode(const struct facts *f, struct findings *out, const struct vm *vm,
		     const struct vm_view *v)
{
	if (!accelerated(v) || strcmp(v->cpu_mode, "custom"))
		return; /* host-passthrough, maximum and host-model show the host's CPU */
	bool generic = vm_cpu_model_generic(v->cpu_model);
	const char *model = v->cpu_model[0] ? v->cpu_model : "the hypervisor's default";
	struct finding *x = vm_finding(out, generic ? SEV_WARNING : SEV_INFO, vm,
				       "%s has an emulated CPU model (%s)", vm->name, model);
	finding_evidence(out, x, v->where, "cpu mode %s, model %s", v->cpu_mode, model);
	if (generic)
		finding_why(out, x,
			    "A generic model like qemu64 hides the host CPU's features from the "
			    "guest: no PCID (a TLB flush on every context switch with page-table "
			    "isolation), no TSC deadline timer, no AVX; the guest takes slower paths "
			    "everywhere.");
	else
		finding_why(out, x,
			    "A named model shows the guest only that model's features, not all of "
			    "the host's; host-passthrough (or host-model) gives it the real CPU.");
	vm_fix(out, x, f, VM_FIX_CPU_MODE, vm);
}

void rule_vm_cpu_mode(const struct facts *f, struct findings *out)
{
	each_vm(f, out, cpu_mode);
}

/* vCPUs pinned, from the threads where they were seen, else the config. */
static int pinned_vcpus(const struct vm *vm, const struct vm_view *v)
{
	return vm->vcpu_threads > 0 ? vm->vcpu_threads_pinned : v->vcpus_pinned;
}

/* vCPUs of the running VMs (of all, when none runs): what competes for
 * the host's CPUs. */
static int running_vcpus(const struct facts *f)
{
	int sum = 0, all = 0;
	for (size_t i = 0; i < f->virt.count; i++) {
		const struct vm *vm = &f->virt.vms[i];
		const struct vm_view *v = vm_effective(vm);
		all += v->vcpus;
		if (vm->view[VM_RUNNING] || vm->view[VM_PROCESS])
			sum += v->vcpus;
	}
	return sum ? sum : all;
}

static void vcpu_pin(const struct facts *f, struct findings *out, const struct vm *vm,
		     const struct vm_view *v, struct vm_pin_host *h, int want)
{
	int pinned = pinned_vcpus(vm, v), online = cpuset_count(&f->online);
	if (!accelerated(v) || pinned >= v->vcpus)
		return;
	/* it matters where vCPUs compete for cores or memory is remote */
	bool matters = f->nodes > 1 || (online > 0 && want > online);
	struct finding *x;
	if (pinned)
		x = vm_finding(out, matters ? SEV_WARNING : SEV_INFO, vm,
			       "%s has %d of %d vCPUs pinned", vm->name, pinned, v->vcpus);
	else
		x = vm_finding(out, matters ? SEV_WARNING : SEV_INFO, vm,
			       "%s has %d unpinned vCPU%s", vm->name, v->vcpus, v->vcpus == 1 ? "" : "s");
	finding_evidence(out, x, v->where, "%d vCPUs, %d with a vcpupin", v->vcpus, v->vcpus_pinned);
	if (cpuset_count(&v->vcpu_cpuset)) {
		char list[256];
		cpuset_format(&v->vcpu_cpuset, list, sizeof(list));
		finding_evidence(out, x, v->where, "<vcpu cpuset='%s'>: they float over these CPUs", list);
	}
	if (vm->vcpu_threads > 0) {
		const struct vm_view *p = vm->view[VM_PROCESS];
		char tasks[64];
		snprintf(tasks, sizeof(tasks), "/proc/%ld/task", p ? p->pid : 0L);
		finding_evidence(out, x, tasks, "%d of %d \"CPU n/KVM\" threads each on a CPU or set "
				 "of its own", vm->vcpu_threads_pinned, vm->vcpu_threads);
	}
	if (online > 0)
		finding_evidence(out, x, "host", "%d vCPUs of running VMs on %d online CPUs, %d NUMA node%s",
				 want, online, f->nodes > 0 ? f->nodes : 1, f->nodes > 1 ? "s" : "");
	finding_why(out, x,
		    "An unpinned vCPU thread is moved between host cores by the scheduler: its "
		    "caches go cold, it waits behind other threads, and on a multi-node host its "
		    "memory ends up remote. The libvirt real-time guide pins each vCPU to its own core.");
	struct vm_pin_plan plan;
	if (vm_pin_plan(h, v, &plan)) {
		out->out_of_memory = true;
		return;
	}
	vm_fix_vcpu_pin(out, x, f, vm, h, &plan);
	vm_pin_plan_free(&plan);
}

/* One plan for the host: the VMs get their CPUs in turn, none twice. */
void rule_vm_vcpu_pin(const struct facts *f, struct findings *out)
{
	struct vm_pin_host h;
	int want = running_vcpus(f);

	if (!f->virt.count)
		return;
	if (vm_pin_host_init(f, &h)) {
		out->out_of_memory = true;
		return;
	}
	for (size_t i = 0; i < f->virt.count; i++) {
		const struct vm *vm = &f->virt.vms[i];
		const struct vm_view *v = vm_effective(vm);
		if (v && audited(v))
			vcpu_pin(f, out, vm, v, &h, want);
	}
	vm_pin_host_free(&h);
}

static void emulator_pin(const struct facts *f, struct findings *out, const struct vm *vm,
			 const struct vm_view *v, const struct vm_pin_host *h)
{
	/* only libvirt's XML says where the emulator runs */
	if (!accelerated(v) || v == vm->view[VM_PROCESS] || pinned_vcpus(vm, v) < v->vcpus ||
	    (v->emulator_pinned && v->iothreads_pinned >= v->iothreads))
		return;
	struct finding *x = vm_finding(out, SEV_INFO, vm,
				       "%s pins its vCPUs but not its %s", vm->name,
				       v->emulator_pinned ? "I/O threads" : "emulator threads");
	finding_evidence(out, x, v->where, "emulatorpin %s, %d of %d iothreads pinned",
			 v->emulator_pinned ? "yes" : "no", v->iothreads_pinned, v->iothreads);
	finding_why(out, x,
		    "QEMU's main loop and I/O threads may run on any CPU the VM may use, so they "
		    "preempt vCPUs on their pinned cores; the vCPU stalls while the emulator works.");
	vm_fix_emulator_pin(out, x, f, vm, h);
}

void rule_vm_emulator_pin(const struct facts *f, struct findings *out)
{
	struct vm_pin_host h;

	if (!f->virt.count)
		return;
	if (vm_pin_host_init(f, &h)) {
		out->out_of_memory = true;
		return;
	}
	for (size_t i = 0; i < f->virt.count; i++) {
		const struct vm *vm = &f->virt.vms[i];
		const struct vm_view *v = vm_effective(vm);
		if (v && audited(v))
			emulator_pin(f, out, vm, v, &h);
	}
	vm_pin_host_free(&h);
}

static void numa(const struct facts *f, struct findings *out, const struct vm *vm,
		 const struct vm_view *v)
{
	struct cpuset nodes = { 0 };
	char cpu_nodes[64], mem_nodes[64];

	if (f->nodes <= 1 || !accelerated(v) || !cpuset_count(&v->pinned_cpus))
		return;
	for (size_t i = 0; i < f->ncpus; i++)
		if (cpuset_has(&v->pinned_cpus, f->cpus[i].id) && f->cpus[i].node >= 0 &&
		    cpuset_add(&nodes, f->cpus[i].node))
			out->out_of_memory = true;
	bool bound = cpuset_count(&v->numa_nodes) > 0, apart = false;
	for (int n = 0; n < nodes.size && bound; n++)
		apart |= cpuset_has(&nodes, n) && !cpuset_has(&v->numa_nodes, n);
	cpuset_format(&nodes, cpu_nodes, sizeof(cpu_nodes));
	cpuset_format(&v->numa_nodes, mem_nodes, sizeof(mem_nodes));
	if (apart || (cpuset_count(&nodes) == 1 && !bound)) {
		struct finding *x = vm_finding(out, apart ? SEV_WARNING : SEV_INFO, vm,
					       apart ? "%s has its memory on node %s, its vCPUs on node %s"
						     : "%s has its vCPUs on node %s%s but its memory unbound",
					       vm->name, apart ? mem_nodes : cpu_nodes, apart ? cpu_nodes : "");
		finding_evidence(out, x, v->where, "vCPUs pinned to node %s; numatune %s%s%s", cpu_nodes,
				 bound ? v->numa_mode : "none", bound ? " nodeset " : "",
				 bound ? mem_nodes : "");
		finding_why(out, x,
			    "Memory on another node than the CPU that reads it costs a remote access "
			    "on every cache miss, tens of nanoseconds each.");
		vm_fix(out, x, f, VM_FIX_NUMA, vm);
	}
	cpuset_clear(&nodes);
}

void rule_vm_numa(const struct facts *f, struct findings *out)
{
	each_vm(f, out, numa);
}

bool vm_disk_emulated(const struct vm_disk *d, char *why, size_t sz)
{
	static const char *const buses[] = { "ide", "sata", "usb", "fdc", "sd" };
	if (!strcmp(d->device, "cdrom") || !strcmp(d->device, "floppy"))
		return false; /* an idle drive costs nothing */
	for (size_t i = 0; i < sizeof(buses) / sizeof(buses[0]); i++)
		if (!strcmp(d->bus, buses[i])) {
			snprintf(why, sz, "%s", d->bus);
			return true;
		}
	if (!strcmp(d->bus, "scsi") && d->controller[0] && strcmp(d->controller, "virtio-scsi")) {
		snprintf(why, sz, "scsi on %s", d->controller);
		return true;
	}
	return false;
}

bool vm_disk_virtio(const struct vm_disk *d)
{
	return strcmp(d->device, "cdrom") &&
	       (!strcmp(d->bus, "virtio") || (!strcmp(d->bus, "scsi") && !strcmp(d->controller, "virtio-scsi")));
}

bool vm_disk_cached(const struct vm_disk *d)
{
	return !strcmp(d->device, "disk") &&
	       (!strcmp(d->cache, "writeback") || !strcmp(d->cache, "writethrough") ||
		!strcmp(d->cache, "unsafe"));
}

bool vm_nic_emulated(const struct vm_nic *n)
{
	return n->model[0] && strcmp(n->model, "virtio");
}

bool vm_nic_userspace(const struct vm_nic *n)
{
	return !strcmp(n->model, "virtio") && !strcmp(n->backend, "qemu");
}

/* Appends ITEM to the LEN-long LIST while it fits, else counts it in MORE. */
static void list_item(char *list, size_t sz, size_t *len, size_t *more, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));

static void list_item(char *list, size_t sz, size_t *len, size_t *more, const char *fmt, ...)
{
	char item[160];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(item, sizeof(item), fmt, ap);
	va_end(ap);
	if (*len + strlen(item) + 2 < sz - 24) /* room left for "and N more" */
		*len += (size_t)snprintf(list + *len, sz - *len, "%s%s", *len ? ", " : "", item);
	else
		(*more)++;
}

static void list_end(char *list, size_t sz, size_t len, size_t more)
{
	if (more)
		snprintf(list + len, sz - len, " and %zu more", more);
}

static void disk_bus(const struct facts *f, struct findings *out, const struct vm *vm,
		     const struct vm_view *v)
{
	char list[512] = "", brief[128] = "", why[48];
	size_t n = 0, len = 0, more = 0, blen = 0, bmore = 0;

	for (size_t i = 0; i < v->ndisks; i++)
		if (vm_disk_emulated(&v->disks[i], why, sizeof(why))) {
			const char *dev = v->disks[i].target[0] ? v->disks[i].target : "?";
			list_item(list, sizeof(list), &len, &more, "%s (%s)", dev, why);
			list_item(brief, sizeof(brief), &blen, &bmore, "%s (%s)", dev, why);
			n++;
		}
	if (!n)
		return;
	list_end(list, sizeof(list), len, more);
	list_end(brief, sizeof(brief), blen, bmore);
	struct finding *x = vm_finding(out, SEV_WARNING, vm, "%s has %zu disk%s on an "
				       "emulated bus: %s", vm->name, n, n == 1 ? "" : "s", brief);
	finding_evidence(out, x, v->where, "%s", list);
	finding_why(out, x,
		    "An emulated IDE, SATA or LSI controller turns every request into several "
		    "trapped register accesses, each a VM exit into QEMU; virtio queues requests in "
		    "shared memory with one notification.");
	vm_fix(out, x, f, VM_FIX_DISK_BUS, vm);
}

void rule_vm_disk_bus(const struct facts *f, struct findings *out)
{
	each_vm(f, out, disk_bus);
}

static void disk_iothread(const struct facts *f, struct findings *out, const struct vm *vm,
			  const struct vm_view *v)
{
	size_t n = 0;
	if (!accelerated(v))
		return;
	for (size_t i = 0; i < v->ndisks; i++) {
		if (!vm_disk_virtio(&v->disks[i]))
			continue;
		if (v->disks[i].iothread)
			return;
		n++;
	}
	if (!n)
		return;
	struct finding *x = vm_finding(out, SEV_INFO, vm,
				       "%s serves %zu virtio disk%s from QEMU's main loop", vm->name, n,
				       n == 1 ? "" : "s");
	finding_evidence(out, x, v->where, "%d iothreads, no virtio disk on one", v->iothreads);
	finding_why(out, x,
		    "Without an I/O thread, disk requests are handled in QEMU's main loop, behind "
		    "the monitor, timers and every other device; an I/O thread gives the disk its own.");
	vm_fix(out, x, f, VM_FIX_DISK_IOTHREAD, vm);
}

void rule_vm_disk_iothread(const struct facts *f, struct findings *out)
{
	each_vm(f, out, disk_iothread);
}

static void disk_cache(const struct facts *f, struct findings *out, const struct vm *vm,
		       const struct vm_view *v)
{
	char list[512] = "";
	size_t n = 0, len = 0, more = 0;
	const struct vm_disk *one = NULL;

	for (size_t i = 0; i < v->ndisks; i++) {
		const struct vm_disk *d = &v->disks[i];
		if (!vm_disk_cached(d))
			continue;
		list_item(list, sizeof(list), &len, &more, "%s (cache '%s', io '%s')", d->target,
			  d->cache, d->io[0] ? d->io : "default");
		one = n++ ? NULL : d;
	}
	if (!n)
		return;
	list_end(list, sizeof(list), len, more);
	/* one finding a VM, however many disks: a domain may have thousands */
	struct finding *x = one ? vm_finding(out, SEV_INFO, vm,
					     "%s disk %s goes through the host page cache (cache=%s)",
					     vm->name, one->target, one->cache)
				: vm_finding(out, SEV_INFO, vm,
					     "%s has %zu disks that go through the host page cache",
					     vm->name, n);
	if (one)
		finding_evidence(out, x, v->where, "disk %s: cache '%s', io '%s'", one->target,
				 one->cache, one->io[0] ? one->io : "default");
	else
		finding_evidence(out, x, v->where, "%s", list);
	finding_why(out, x,
		    "With the host's page cache in the path, data is cached twice, the "
		    "guest's writes wait on host writeback and flushes, and latency follows "
		    "the host's memory pressure; cache=none with io=native goes straight to "
		    "the device.");
	vm_fix(out, x, f, VM_FIX_DISK_CACHE, vm);
}

void rule_vm_disk_cache(const struct facts *f, struct findings *out)
{
	each_vm(f, out, disk_cache);
}

static void nic_model(const struct facts *f, struct findings *out, const struct vm *vm,
		      const struct vm_view *v)
{
	char list[512] = "", brief[128] = "";
	size_t n = 0, len = 0, more = 0, blen = 0, bmore = 0;
	bool defaulted = false;

	for (size_t i = 0; i < v->nnics; i++) {
		const struct vm_nic *nic = &v->nics[i];
		if (!vm_nic_emulated(nic))
			continue;
		const char *dflt = nic->model_default ? " (no model given)" : "";
		list_item(list, sizeof(list), &len, &more, "%s%s", nic->model, dflt);
		list_item(brief, sizeof(brief), &blen, &bmore, "%s%s", nic->model, dflt);
		defaulted |= nic->model_default;
		n++;
	}
	if (!n)
		return;
	list_end(list, sizeof(list), len, more);
	list_end(brief, sizeof(brief), blen, bmore);
	struct finding *x = vm_finding(out, SEV_WARNING, vm,
				       "%s has %zu emulated NIC%s: %s", vm->name, n, n == 1 ? "" : "s", brief);
	finding_evidence(out, x, v->where, "interface models: %s", list);
	finding_why(out, x,
		    "An emulated NIC (e1000, rtl8139) traps every register access and interrupt to "
		    "QEMU: several VM exits per packet, about 0.1 ms per request in the field. virtio-"
		    "net moves packets through shared rings, with vhost-net in the host kernel.%s",
		    defaulted ? " An interface without <model> gets the hypervisor's default, which "
				"is not virtio." : "");
	vm_fix(out, x, f, VM_FIX_NIC_MODEL, vm);
}

void rule_vm_nic_model(const struct facts *f, struct findings *out)
{
	each_vm(f, out, nic_model);
}

static void nic_vhost(const struct facts *f, struct findings *out, const struct vm *vm,
		      const struct vm_view *v)
{
	char list[512] = "";
	size_t n = 0, len = 0, more = 0;
	const struct vm_nic *one = NULL;

	for (size_t i = 0; i < v->nnics; i++) {
		const struct vm_nic *nic = &v->nics[i];
		if (!vm_nic_userspace(nic))
			continue;
		list_item(list, sizeof(list), &len, &more, "%s", nic->id[0] ? nic->id : "?");
		one = n++ ? NULL : nic;
	}
	if (!n)
		return;
	list_end(list, sizeof(list), len, more);
	struct finding *x = one ? vm_finding(out, SEV_WARNING, vm,
					     "%s NIC %s is served by QEMU, not vhost-net", vm->name,
					     one->id[0] ? one->id : "?")
				: vm_finding(out, SEV_WARNING, vm,
					     "%s has %zu NICs served by QEMU, not vhost-net", vm->name, n);
	if (one)
		finding_evidence(out, x, v->where, "interface %s: type %s, backend %s", one->id,
				 one->type[0] ? one->type : "?", one->backend);
	else
		finding_evidence(out, x, v->where, "interfaces on QEMU's backend: %s", list);
	finding_why(out, x,
		    "With the userspace backend, every packet goes through QEMU's main loop "
		    "and an extra copy; vhost-net moves it in the host kernel.");
	vm_fix(out, x, f, VM_FIX_NIC_VHOST, vm);
}

void rule_vm_nic_vhost(const struct facts *f, struct findings *out)
{
	each_vm(f, out, nic_vhost);
}

static void hugepages(const struct facts *f, struct findings *out, const struct vm *vm,
		      const struct vm_view *v)
{
	if (!accelerated(v) || v->hugepages)
		return;
	struct finding *x = vm_finding(out, SEV_INFO, vm,
				       "%s's memory is not backed by huge pages", vm->name);
	finding_evidence(out, x, v->where, v == vm->view[VM_PROCESS]
						   ? "no memory backend on hugetlbfs, no -mem-path"
						   : "no <memoryBacking><hugepages/>");
	finding_why(out, x,
		    "With 4 KiB host pages, a guest TLB miss walks two page tables, up to 24 memory "
		    "reads; huge pages cut the walk and the misses, and cannot be swapped or merged.");
	vm_fix(out, x, f, VM_FIX_HUGEPAGES, vm);
}

void rule_vm_hugepages(const struct facts *f, struct findings *out)
{
	each_vm(f, out, hugepages);
}

static void balloon(const struct facts *f, struct findings *out, const struct vm *vm,
		    const struct vm_view *v)
{
	if (!accelerated(v) || strcmp(v->memballoon, "virtio"))
		return;
	struct finding *x = vm_finding(out, SEV_INFO, vm, "%s has a memory balloon",
				       vm->name);
	finding_evidence(out, x, v->where, "memballoon model virtio");
	finding_why(out, x,
		    "A balloon lets the host take memory back from the guest at run time: the guest "
		    "then reclaims and faults pages under load. The libvirt real-time guide removes it.");
	vm_fix(out, x, f, VM_FIX_BALLOON, vm);
}

void rule_vm_balloon(const struct facts *f, struct findings *out)
{
	each_vm(f, out, balloon);
}

static void hpet(const struct facts *f, struct findings *out, const struct vm *vm,
		 const struct vm_view *v)
{
	if (!accelerated(v) || v->hpet == 0 || !x86(f, v))
		return;
	struct finding *x = vm_finding(out, SEV_INFO, vm, "%s has an emulated HPET",
				       vm->name);
	finding_evidence(out, x, v->where, v->hpet == 1 ? "<timer name='hpet' present='yes'/>"
						 : "HPET not turned off (on by default for x86 machines)");
	finding_why(out, x,
		    "The HPET is emulated by QEMU: an idle guest that uses it costs the host several "
		    "percent of a core in timer exits, and a guest that falls back to it as a "
		    "clocksource pays a VM exit per clock read.");
	vm_fix(out, x, f, VM_FIX_HPET, vm);
}

void rule_vm_hpet(const struct facts *f, struct findings *out)
{
	each_vm(f, out, hpet);
}

/* Appends NAME to LIST when A and B differ on it. */
static void differs(char *list, size_t sz, bool differ, const char *name)
{
	size_t len = strlen(list);
	if (differ)
		snprintf(list + len, sz - len, "%s%s", len ? ", " : "", name);
}

static bool same_disks(const struct vm_view *a, const struct vm_view *b)
{
	if (a->ndisks != b->ndisks)
		return false;
	for (size_t i = 0; i < a->ndisks; i++)
		if (strcmp(a->disks[i].bus, b->disks[i].bus) ||
		    strcmp(a->disks[i].controller, b->disks[i].controller))
			return false;
	return true;
}

static bool same_nics(const struct vm_view *a, const struct vm_view *b)
{
	if (a->nnics != b->nnics)
		return false;
	for (size_t i = 0; i < a->nnics; i++)
		if (strcmp(a->nics[i].model, b->nics[i].model) || strcmp(a->nics[i].backend, b->nics[i].backend))
			return false;
	return true;
}

void rule_vm_config_pending(const struct facts *f, struct findings *out)
{
	for (size_t i = 0; i < f->virt.count; i++) {
		const struct vm *vm = &f->virt.vms[i];
		const struct vm_view *d = vm->view[VM_DEFINED], *r = vm->view[VM_RUNNING];
		char list[256] = "";
		if (!d || !r || !audited(r))
			continue;
		differs(list, sizeof(list), strcmp(d->type, r->type), "domain type");
		differs(list, sizeof(list), strcmp(d->cpu_mode, r->cpu_mode) || strcmp(d->cpu_model, r->cpu_model),
			"CPU mode");
		differs(list, sizeof(list), d->vcpus != r->vcpus, "vCPU count");
		differs(list, sizeof(list), d->vcpus_pinned != r->vcpus_pinned ||
						    d->emulator_pinned != r->emulator_pinned,
			"pinning");
		differs(list, sizeof(list), !same_disks(d, r), "disks");
		differs(list, sizeof(list), !same_nics(d, r), "NICs");
		differs(list, sizeof(list), d->hugepages != r->hugepages || strcmp(d->memballoon, r->memballoon),
			"memory backing");
		char dn[64], rn[64];
		cpuset_format(&d->numa_nodes, dn, sizeof(dn));
		cpuset_format(&r->numa_nodes, rn, sizeof(rn));
		differs(list, sizeof(list), strcmp(d->numa_mode, r->numa_mode) || strcmp(dn, rn), "NUMA placement");
		differs(list, sizeof(list), d->hpet != r->hpet, "timers");
		if (!list[0])
			continue;
		struct finding *x = vm_finding(out, SEV_INFO, vm,
					       "%s runs with another config than it has defined (%s)",
					       vm->name, list);
		finding_evidence(out, x, d->where, "defined config");
		finding_evidence(out, x, r->where, "running config, differs in: %s", list);
		finding_why(out, x,
			    "A change made with virsh edit (or by the cloud stack) takes effect only "
			    "when the VM is started again: until then the findings above describe what "
			    "runs, not what is configured. A reboot from inside the guest is not enough.");
		vm_fix_restart(out, x, f, vm);
	}
}

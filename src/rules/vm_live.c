/* VM rules that judge what runs as much as what is configured: CPU
 * features turned off in the XML or on QEMU's command line (vm.cpu.features),
 * the disks' aio mode (vm.disk.aio) and the NICs' queues against the vCPUs
 * (vm.nic.queues). Each reads the running config, then the process, else
 * the defined config, as every VM rule does. */
#include "vm_fix.h"

#include <stdio.h>
#include <string.h>

#include "../parse/text.h"

/* The /proc/cpuinfo flag that says the host has feature BIT; NULL for the
 * KVM paravirtual ones, which every KVM host offers. */
static const char *host_flag(int bit)
{
	static const char *const flags[VM_CPU_FEATURES] = {
		"pcid", "invpcid", "nonstop_tsc", "tsc_deadline_timer", "x2apic", "arat", NULL, NULL,
	};
	return bit >= 0 && bit < VM_CPU_FEATURES ? flags[bit] : NULL;
}

/* Features that cost most when gone: TLB flushes, timer and interrupt
 * exits, a slow guest clock. invtsc (a migration blocker), arat and the
 * paravirtual EOI are told, not warned about. */
static bool feature_costly(int bit)
{
	const char *n = vm_cpu_feature_name(bit);
	return n && strcmp(n, "invtsc") && strcmp(n, "arat") && strcmp(n, "kvm-pv-eoi");
}

/* The latency features VIEW turns off that the host has to give. */
static unsigned off_on_host(const struct facts *f, const struct vm_view *v)
{
	unsigned off = 0;
	for (int bit = 0; v && bit < VM_CPU_FEATURES; bit++) {
		const char *flag = host_flag(bit);
		if ((v->cpu_features_off & (1u << bit)) && (!flag || !f->flags || word_in_list(f->flags, flag)))
			off |= 1u << bit;
	}
	return off;
}

static void feature_list(unsigned bits, char *out, size_t sz)
{
	size_t len = 0;
	out[0] = '\0';
	for (int bit = 0; bit < VM_CPU_FEATURES && len < sz; bit++)
		if (bits & (1u << bit))
			len += (size_t)snprintf(out + len, sz - len, "%s%s", len ? ", " : "",
						vm_cpu_feature_name(bit));
}

static void cpu_features(const struct facts *f, struct findings *out, const struct vm *vm,
			 const struct vm_view *v)
{
	const struct vm_view *p = vm->view[VM_PROCESS];
	const struct vm_view *x = vm->view[VM_RUNNING] ? vm->view[VM_RUNNING] : vm->view[VM_DEFINED];
	char list[160];

	if (!vm_accelerated(v))
		return;
	/* off in either: the XML asks for it, the process shows it */
	unsigned in_xml = off_on_host(f, x), in_process = off_on_host(f, p), all = in_xml | in_process;
	bool costly = false;
	for (int bit = 0; bit < VM_CPU_FEATURES; bit++)
		costly |= (all & (1u << bit)) && feature_costly(bit);
	if (!all)
		return;
	feature_list(all, list, sizeof(list));
	struct finding *fd = vm_finding(out, costly ? SEV_WARNING : SEV_INFO, vm,
					"%s has CPU features turned off: %s", vm->name, list);
	if (in_xml) {
		feature_list(in_xml, list, sizeof(list));
		finding_evidence(out, fd, x->where, "turned off in the XML: %s", list);
	}
	if (in_process) {
		feature_list(in_process, list, sizeof(list));
		finding_evidence(out, fd, p->where, "turned off on -cpu: %s", list);
	}
	char flags[160] = "";
	size_t flen = 0;
	for (int bit = 0; bit < VM_CPU_FEATURES && flen < sizeof(flags); bit++)
		if ((all & (1u << bit)) && host_flag(bit))
			flen += (size_t)snprintf(flags + flen, sizeof(flags) - flen, "%s%s",
						 flen ? " " : "", host_flag(bit));
	if (flags[0])
		finding_evidence(out, fd, "/proc/cpuinfo", "the host has them: flags %s", flags);
	finding_why(out, fd,
		    "Without PCID and INVPCID every guest context switch flushes the TLB under "
		    "page-table isolation; without the TSC deadline timer and x2APIC, timers and "
		    "interrupts take more VM exits; without kvmclock or an invariant TSC the guest "
		    "falls back to a slower clock. The host has these to give.");
	vm_fix(out, fd, f, VM_FIX_CPU_FEATURES, vm);
}

void rule_vm_cpu_features(const struct facts *f, struct findings *out)
{
	vm_each(f, out, cpu_features);
}

/* A disk that waits on I/O: not a CD-ROM, floppy or read-only, and not on
 * an emulated bus (vm.disk.bus comes first there). */
static bool data_disk(const struct vm_disk *d)
{
	char why[48];
	return !strcmp(d->device, "disk") && !d->readonly && !vm_disk_emulated(d, why, sizeof(why));
}

bool vm_disk_aio_threads(const struct vm_disk *d)
{
	/* O_DIRECT (cache none or directsync) is what io=native needs */
	bool direct = !strcmp(d->cache, "none") || !strcmp(d->cache, "directsync");
	return data_disk(d) && direct && (!d->io[0] || !strcmp(d->io, "threads"));
}

static void disk_aio(const struct facts *f, struct findings *out, const struct vm *vm,
		     const struct vm_view *v)
{
	char list[256] = "";
	size_t n = 0, len = 0, more = 0;

	if (!vm_accelerated(v))
		return;
	for (size_t k = 0; k < v->ndisks; k++) {
		const struct vm_disk *d = &v->disks[k];
		if (!vm_disk_aio_threads(d))
			continue;
		vm_list_item(list, sizeof(list), &len, &more, "%s (cache %s, io %s)",
			     d->target[0] ? d->target : "?", d->cache, d->io[0] ? d->io : "not said: threads");
		n++;
	}
	if (!n)
		return;
	vm_list_end(list, sizeof(list), len, more);
	struct finding *x = vm_finding(out, SEV_INFO, vm, "%s has %zu disk%s on QEMU's thread "
				       "pool (aio=threads) where io=native would do", vm->name, n,
				       n == 1 ? "" : "s");
	finding_evidence(out, x, v->where, "%s", list);
	finding_why(out, x,
		    "With aio=threads every request is handed to a worker thread of QEMU's pool "
		    "and back: a wake-up and a context switch each way. A disk opened with "
		    "O_DIRECT (cache none) can submit through Linux AIO (io=native) or io_uring "
		    "from the I/O thread itself. Under load the pool also adds its own queueing.");
	vm_fix(out, x, f, VM_FIX_DISK_AIO, vm);
}

void rule_vm_disk_aio(const struct facts *f, struct findings *out)
{
	vm_each(f, out, disk_aio);
}

/* Multiqueue is for the tap backends (formatdomain.rst, "Setting NIC
 * driver-specific options"); user and passthrough NICs have none. */
static bool tap_backed(const struct vm_nic *n)
{
	return !strcmp(n->model, "virtio") &&
	       (!strcmp(n->type, "network") || !strcmp(n->type, "bridge") || !strcmp(n->type, "direct") ||
		!strcmp(n->type, "ethernet") || !strcmp(n->type, "tap"));
}

/* From this many vCPUs on, one queue pair serialises the NIC's traffic. */
#define QUEUES_VCPUS 4

bool vm_nic_few_queues(const struct vm_view *v, const struct vm_nic *n)
{
	return tap_backed(n) && v->vcpus >= QUEUES_VCPUS && (n->queues <= 1);
}

static void nic_queues(const struct facts *f, struct findings *out, const struct vm *vm,
		       const struct vm_view *v)
{
	char list[256] = "";
	size_t n = 0, len = 0, more = 0;

	if (!vm_accelerated(v))
		return;
	for (size_t k = 0; k < v->nnics; k++) {
		const struct vm_nic *nic = &v->nics[k];
		if (!vm_nic_few_queues(v, nic))
			continue;
		vm_list_item(list, sizeof(list), &len, &more, "%s", nic->mac[0] ? nic->mac : nic->id);
		n++;
	}
	if (!n)
		return;
	vm_list_end(list, sizeof(list), len, more);
	struct finding *x = vm_finding(out, SEV_INFO, vm,
				       "%s has %d vCPUs and %zu virtio NIC%s with one queue pair",
				       vm->name, v->vcpus, n, n == 1 ? "" : "s");
	finding_evidence(out, x, v->where, "%d vCPUs; NIC %s: no queues= (one queue pair)", v->vcpus,
			 list);
	finding_why(out, x,
		    "With one queue pair, all of the NIC's packets are handled by one vCPU and "
		    "one vhost thread on the host: concurrent flows queue behind each other. "
		    "Multiqueue virtio-net gives each vCPU a queue pair of its own.");
	vm_fix(out, x, f, VM_FIX_NIC_QUEUES, vm);
}

void rule_vm_nic_queues(const struct facts *f, struct findings *out)
{
	vm_each(f, out, nic_queues);
}

/* The VM rules' shared parts: what counts as an emulated device (vm.c
 * judges, vm_fix.c changes the same devices) and the fixes that need a
 * pinning plan. vm_fix() and enum vm_fix_kind are in rules.h, as the guest
 * rules use them too. */
#ifndef LATDOC_VM_FIX_H
#define LATDOC_VM_FIX_H

#include "rules.h"
#include "vm_pin.h"

/* A disk on a bus that traps every register access to QEMU; WHY gets the
 * bus ("ide", "scsi on lsilogic"). CD-ROMs and floppies are left out: an
 * idle drive costs nothing. */
bool vm_disk_emulated(const struct vm_disk *d, char *why, size_t sz);
/* A virtio disk (virtio-blk, or SCSI on virtio-scsi), not a CD-ROM. */
bool vm_disk_virtio(const struct vm_disk *d);
/* A disk whose I/O goes through the host's page cache. */
bool vm_disk_cached(const struct vm_disk *d);
/* A NIC on an emulated model (not virtio, not passthrough). */
bool vm_nic_emulated(const struct vm_nic *n);
/* A virtio NIC served by QEMU's userspace backend. */
bool vm_nic_userspace(const struct vm_nic *n);
/* A virtio NIC of VM that its running process serves in QEMU although
 * the config does not say so: the config leaves the backend to libvirt
 * (no <driver name=>) and the process's tap netdev has no vhost, as when
 * libvirt cannot open /dev/vhost-net (ARGS); or the command line asks for
 * vhost and the process holds no /dev/vhost-net descriptor (NO_FD). */
enum vm_fallback { VM_FALLBACK_NONE, VM_FALLBACK_ARGS, VM_FALLBACK_NO_FD };
enum vm_fallback vm_nic_fell_back(const struct vm *vm, const struct vm_nic *n);
/* A data disk opened with O_DIRECT whose requests go to QEMU's thread
 * pool (io threads, or not said): io=native would do. */
bool vm_disk_aio_threads(const struct vm_disk *d);
/* A virtio NIC on a tap backend with one queue pair in a VM of
 * QUEUES_VCPUS vCPUs or more. */
bool vm_nic_few_queues(const struct vm_view *v, const struct vm_nic *n);

/* Domain types the VM rules audit (kvm, qemu, test), and those that run
 * on KVM (kvm; test stands for it). */
bool vm_audited(const struct vm_view *v);
bool vm_accelerated(const struct vm_view *v);
/* Appends an item to the LEN-long list LIST (", " between items) while it
 * fits with room for " and N more", else counts it in MORE; vm_list_end()
 * then says how many were left out. */
void vm_list_item(char *list, size_t sz, size_t *len, size_t *more, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));
void vm_list_end(char *list, size_t sz, size_t len, size_t more);
/* A finding on VM (subject "domain:NAME"), its title from FMT. */
struct finding *vm_finding(struct findings *out, enum severity sev, const struct vm *vm,
			   const char *fmt, ...) __attribute__((format(printf, 4, 5)));
/* vCPUs pinned, from the threads where they were seen, else the config. */
int vm_pinned_vcpus(const struct vm *vm, const struct vm_view *v);

/* Where a VM's threads may run on the host, when that is narrower than
 * the online CPUs (an empty set: anywhere). The running VMs are counted
 * (all of them when none runs: the host as its configs would have it). */
struct vm_cpus {
	bool counted;
	struct cpuset vcpu, emulator, io;
	struct cpuset vcpu_cores; /* vcpu with the SMT siblings of its CPUs */
	char vcpu_from[192], emulator_from[192], io_from[192]; /* where each was read */
};
/* OUT has f->virt.count entries. Returns 0 or -ENOMEM. */
int vm_cpus_read(const struct facts *f, struct vm_cpus *out);
void vm_cpus_free(struct vm_cpus *c, size_t n);
/* Whether VM I's vCPUs share host CPUs or cores with an earlier counted
 * VM's vCPUs: then it is the one to move. */
bool vm_cpus_must_move(const struct vm_cpus *c, size_t i);

/* One pinning plan for the host, VM by VM in order, no CPU twice: for the
 * VMs with unpinned vCPUs (vm.vcpu.pin), and for those that must leave CPUs
 * an earlier VM holds (vm.vcpu.shared); plan[i] is zeroed where VM i gets
 * none. Both rules make the same plan, so their fixes agree. */
struct vm_host_plan {
	struct vm_pin_host h;
	struct vm_cpus *cpus;      /* f->virt.count of them */
	struct vm_pin_plan *plan;  /* f->virt.count of them */
};
/* Returns 0, or -ENOMEM (with nothing to free). */
int vm_host_plan_make(const struct facts *f, struct vm_host_plan *p);
void vm_host_plan_free(const struct facts *f, struct vm_host_plan *p);

/* Calls EACH for every VM whose effective view is audited. */
void vm_each(const struct facts *f, struct findings *out,
	     void (*each)(const struct facts *, struct findings *, const struct vm *, const struct vm_view *));

/* Where X's VM gets its vCPUs pinned: PLAN (from H), one CPU each. */
void vm_fix_vcpu_pin(struct findings *out, struct finding *x, const struct facts *f,
		     const struct vm *vm, const struct vm_pin_host *h, const struct vm_pin_plan *plan);
/* Where X's VM gets its emulator and I/O threads: H's housekeeping CPUs. */
void vm_fix_emulator_pin(struct findings *out, struct finding *x, const struct facts *f,
			 const struct vm *vm, const struct vm_pin_host *h);
/* A VM that runs another config than it has defined: restart it. */
void vm_fix_restart(struct findings *out, struct finding *x, const struct facts *f,
		    const struct vm *vm);

#endif

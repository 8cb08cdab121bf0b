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

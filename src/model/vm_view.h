/* A VM's configuration as one source describes it (a domain XML, libvirt's
 * API, a QEMU command line): the data model the parsers fill and the facts
 * merge, below both. */
#ifndef LATDOC_VM_VIEW_H
#define LATDOC_VM_VIEW_H

#include <stdbool.h>
#include <stddef.h>

#include "../lib/cpuset.h"

struct vm_disk {
	char target[32];     /* vda, hda; on a command line the device id */
	char device[8];      /* disk, cdrom, floppy, lun */
	char bus[12];        /* virtio, ide, sata, scsi, usb, fdc, sd, nvme, xen */
	char controller[24]; /* for scsi: virtio-scsi, lsilogic, ...; else "" */
	char cache[16];      /* none, writeback, ...; "" not said */
	char io[16];         /* native, threads, io_uring; "" not said */
	char format[16];     /* the image's format (<driver type=>): raw, qcow2; "" not said */
	bool iothread;       /* served by an I/O thread */
};

struct vm_nic {
	char id[32];       /* MAC address, or the device id */
	char mac[18];      /* MAC address; "" not said */
	char type[16];     /* network, bridge, user, hostdev, vhostuser, vdpa ... */
	char model[24];    /* virtio, e1000, rtl8139 ...; "" for passthrough */
	bool model_default; /* no model given: the hypervisor's default applies */
	char backend[8];   /* vhost, qemu; "" not said */
};

struct vm_view {
	char where[160];  /* the file, or "libvirt URI" */
	char type[12];    /* domain type: kvm, qemu (TCG), test, xen ... */
	char arch[16];
	char machine[40];
	char cpu_mode[20]; /* custom, host-model, host-passthrough, maximum */
	char cpu_model[40]; /* for custom: the model; "" the hypervisor's default */
	long pid;          /* the QEMU process, 0 unknown */
	int vcpus;
	int vcpus_pinned;          /* vCPUs with a pin of their own */
	struct cpuset vcpu_cpuset; /* <vcpu cpuset=>: where unpinned vCPUs may run */
	struct cpuset pinned_cpus; /* host CPUs named by vcpupin */
	bool emulator_pinned;
	int iothreads, iothreads_pinned;
	bool hugepages, locked, nosharepages;
	char memballoon[16]; /* virtio, none, ...; "" not said */
	int hpet;            /* 1 present, 0 off, -1 not said */
	char numa_mode[12];  /* numatune memory mode */
	struct cpuset numa_nodes;
	struct vm_disk *disks;
	size_t ndisks;
	struct vm_nic *nics;
	size_t nnics;
};

void vm_view_init(struct vm_view *v);
void vm_view_free(struct vm_view *v);
/* Grow the device arrays by one zeroed element; NULL when out of memory. */
struct vm_disk *vm_view_add_disk(struct vm_view *v);
struct vm_nic *vm_view_add_nic(struct vm_view *v);

/* The NIC model a hypervisor gives an interface that names none (libvirt's
 * qemuDomainDefaultNetModel): virtio where the machine has no PCI legacy,
 * rtl8139 on x86 and the rest. */
const char *vm_default_nic_model(const char *arch);
/* A CPU model that stands for no real CPU: qemu64, kvm64, ... */
bool vm_cpu_model_generic(const char *model);

#endif

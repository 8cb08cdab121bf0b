#include "vm_view.h"

#include "../lib/array.h"

#include <stdlib.h>
#include <string.h>

void vm_view_init(struct vm_view *v)
{
	memset(v, 0, sizeof(*v));
	v->hpet = -1;
}

void vm_view_free(struct vm_view *v)
{
	if (!v)
		return;
	cpuset_clear(&v->vcpu_cpuset);
	cpuset_clear(&v->pinned_cpus);
	cpuset_clear(&v->numa_nodes);
	free(v->disks);
	free(v->nics);
	vm_view_init(v);
}

struct vm_disk *vm_view_add_disk(struct vm_view *v)
{
	struct vm_disk *d = array_grow(v->disks, &v->ndisks, sizeof(*d));
	if (!d)
		return NULL;
	v->disks = d;
	return &d[v->ndisks - 1];
}

struct vm_nic *vm_view_add_nic(struct vm_view *v)
{
	struct vm_nic *n = array_grow(v->nics, &v->nnics, sizeof(*n));
	if (!n)
		return NULL;
	v->nics = n;
	return &n[v->nnics - 1];
}

const char *vm_default_nic_model(const char *arch)
{
	static const char *const virtio_archs[] = { "s390x", "aarch64", "armv7l", "riscv64",
						    "loongarch64" };
	for (size_t i = 0; i < sizeof(virtio_archs) / sizeof(virtio_archs[0]); i++)
		if (!strcmp(arch, virtio_archs[i]))
			return "virtio";
	return "rtl8139";
}

bool vm_cpu_model_generic(const char *model)
{
	/* QEMU's lowest-common-denominator models: no PCID, no TSC deadline
	 * timer, none of the host's newer instructions */
	static const char *const generic[] = { "", "qemu64", "qemu32", "kvm64", "kvm32", "qemu" };
	for (size_t i = 0; i < sizeof(generic) / sizeof(generic[0]); i++)
		if (!strcmp(model, generic[i]))
			return true;
	return false;
}


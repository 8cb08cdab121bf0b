/* VMs: views from several sources, merged into one VM each. */
#include "facts.h"

#include "../parse/text.h"

#include <errno.h>
#include <stdio.h>
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

static void *grow(void *items, size_t *count, size_t size)
{
	char *p = realloc(items, (*count + 1) * size);
	if (!p)
		return NULL;
	memset(p + *count * size, 0, size);
	(*count)++;
	return p;
}

struct vm_disk *vm_view_add_disk(struct vm_view *v)
{
	struct vm_disk *d = grow(v->disks, &v->ndisks, sizeof(*d));
	if (!d)
		return NULL;
	v->disks = d;
	return &d[v->ndisks - 1];
}

struct vm_nic *vm_view_add_nic(struct vm_view *v)
{
	struct vm_nic *n = grow(v->nics, &v->nnics, sizeof(*n));
	if (!n)
		return NULL;
	v->nics = n;
	return &n[v->nnics - 1];
}

const struct vm_view *vm_effective(const struct vm *vm)
{
	static const enum vm_source order[] = { VM_RUNNING, VM_PROCESS, VM_DEFINED };
	for (size_t i = 0; i < sizeof(order) / sizeof(order[0]); i++)
		if (vm->view[order[i]])
			return vm->view[order[i]];
	return NULL;
}

const char *vm_source_name(enum vm_source s)
{
	switch (s) {
	case VM_DEFINED:
		return "defined";
	case VM_RUNNING:
		return "running";
	case VM_PROCESS:
		return "process";
	default:
		return "?";
	}
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

static bool same_vm(const struct vm *vm, const char *name, const char *uuid)
{
	if (*uuid && *vm->uuid)
		return !strcasecmp(uuid, vm->uuid);
	return *name && !strcmp(name, vm->name);
}

struct vm *facts_add_vm_view(struct facts *f, const char *name, const char *uuid,
			     enum vm_source source, struct vm_view *view, const char *where)
{
	struct vm *vm = NULL;
	struct vm_view *copy = malloc(sizeof(*copy));

	if (!copy) {
		vm_view_free(view);
		return NULL;
	}
	*copy = *view;
	vm_view_init(view); /* its arrays are the copy's now */
	str_copy(copy->where, sizeof(copy->where), where);
	for (size_t i = 0; i < f->virt.count && !vm; i++)
		if (same_vm(&f->virt.vms[i], name, uuid))
			vm = &f->virt.vms[i];
	if (!vm) {
		struct vm *vms = grow(f->virt.vms, &f->virt.count, sizeof(*vms));
		if (!vms) {
			vm_view_free(copy);
			free(copy);
			return NULL;
		}
		f->virt.vms = vms;
		vm = &vms[f->virt.count - 1];
		vm->vcpu_threads = vm->vcpu_threads_pinned = -1;
		str_copy(vm->name, sizeof(vm->name), name);
		str_copy(vm->uuid, sizeof(vm->uuid), uuid);
	}
	if (vm->view[source]) {
		vm_view_free(copy);
		free(copy);
		return vm;
	}
	vm->view[source] = copy;
	return vm;
}

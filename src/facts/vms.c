/* VMs: views from several sources, merged into one VM each. */
#include "facts.h"

#include "../lib/array.h"
#include "../parse/text.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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
		struct vm *vms = array_grow(f->virt.vms, &f->virt.count, sizeof(*vms));
		if (!vms) {
			vm_view_free(copy);
			free(copy);
			return NULL;
		}
		f->virt.vms = vms;
		vm = &vms[f->virt.count - 1];
		vm->vcpu_threads = vm->vcpu_threads_pinned = -1;
		vm->uid = -1;
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

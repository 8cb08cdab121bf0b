/* The VMs and the guest's virtual hardware in the JSON report. */
#include "output.h"

#include <json-c/json.h>
#include <string.h>

#include "json_util.h"

static json_object *disks(const struct vm_view *v)
{
	json_object *a = json_object_new_array();
	for (size_t i = 0; i < v->ndisks; i++) {
		const struct vm_disk *d = &v->disks[i];
		json_object *o = json_object_new_object();
		json_add(o, "target", json_str_or_null(d->target));
		json_add(o, "device", json_str_or_null(d->device));
		json_add(o, "bus", json_str_or_null(d->bus));
		json_add(o, "controller", json_str_or_null(d->controller));
		json_add(o, "cache", json_str_or_null(d->cache));
		json_add(o, "io", json_str_or_null(d->io));
		json_add(o, "format", json_str_or_null(d->format));
		json_add(o, "iothread", json_object_new_boolean(d->iothread));
		json_object_array_add(a, o);
	}
	return a;
}

static json_object *nics(const struct vm_view *v)
{
	json_object *a = json_object_new_array();
	for (size_t i = 0; i < v->nnics; i++) {
		const struct vm_nic *n = &v->nics[i];
		json_object *o = json_object_new_object();
		json_add(o, "id", json_str_or_null(n->id));
		json_add(o, "mac", json_str_or_null(n->mac));
		json_add(o, "type", json_str_or_null(n->type));
		json_add(o, "model", json_str_or_null(n->model));
		json_add(o, "model_default", json_object_new_boolean(n->model_default));
		json_add(o, "backend", json_str_or_null(n->backend));
		json_object_array_add(a, o);
	}
	return a;
}

/* Who runs the QEMU process; null without a process or a readable status. */
static json_object *owner(const struct vm *vm)
{
	if (!vm->view[VM_PROCESS] || vm->uid < 0)
		return NULL;
	json_object *o = json_object_new_object();
	json_add(o, "uid", json_object_new_int64(vm->uid));
	json_add(o, "user", json_str_or_null(vm->user));
	json_add(o, "ordinary_user", json_object_new_boolean(vm->user_ordinary));
	return o;
}

static json_object *vm(const struct vm *vm)
{
	const struct vm_view *v = vm_effective(vm);
	json_object *o = json_object_new_object(), *src = json_object_new_object();
	json_object *cpu = json_object_new_object();

	json_add(o, "name", json_str_or_null(vm->name));
	json_add(o, "uuid", json_str_or_null(vm->uuid));
	json_add(o, "running", json_object_new_boolean(vm->view[VM_RUNNING] || vm->view[VM_PROCESS]));
	for (int s = 0; s < VM_SOURCES; s++)
		if (vm->view[s])
			json_add(src, vm_source_name(s), json_object_new_string(vm->view[s]->where));
	json_add(o, "sources", src);
	json_add(o, "type", json_str_or_null(v->type));
	json_add(o, "arch", json_str_or_null(v->arch));
	json_add(o, "machine", json_str_or_null(v->machine));
	json_add(o, "pid", v->pid > 0 ? json_object_new_int64(v->pid) : NULL);
	json_add(o, "owner", owner(vm));
	json_add(cpu, "mode", json_str_or_null(v->cpu_mode));
	json_add(cpu, "model", json_str_or_null(v->cpu_model));
	json_add(o, "cpu", cpu);
	json_add(o, "vcpus", json_object_new_int(v->vcpus));
	json_add(o, "vcpus_pinned", json_object_new_int(v->vcpus_pinned));
	json_add(o, "vcpu_threads", vm->vcpu_threads < 0 ? NULL : json_object_new_int(vm->vcpu_threads));
	json_add(o, "vcpu_threads_pinned",
		 vm->vcpu_threads < 0 ? NULL : json_object_new_int(vm->vcpu_threads_pinned));
	json_add(o, "emulator_pinned", json_object_new_boolean(v->emulator_pinned));
	json_add(o, "iothreads", json_object_new_int(v->iothreads));
	json_add(o, "hugepages", json_object_new_boolean(v->hugepages));
	json_add(o, "memory_locked", json_object_new_boolean(v->locked));
	json_add(o, "memballoon", json_str_or_null(v->memballoon));
	json_add(o, "hpet", v->hpet < 0 ? NULL : json_object_new_boolean(v->hpet));
	json_add(o, "numatune_mode", json_str_or_null(v->numa_mode));
	json_add(o, "disks", disks(v));
	json_add(o, "nics", nics(v));
	return o;
}

json_object *json_virt(const struct facts *f)
{
	json_object *o = json_object_new_object(), *lv = json_object_new_object();
	json_object *a = json_object_new_array();

	json_add(o, "manager", json_str_or_null(f->virt.manager));
	json_add(lv, "uri", json_str_or_null(f->virt.libvirt_uri));
	json_add(lv, "note", json_str_or_null(f->virt.libvirt_note));
	json_add(o, "libvirt", lv);
	json_add(o, "halt_poll_ns", f->virt.halt_poll_ns < 0 ? NULL : json_object_new_int64(f->virt.halt_poll_ns));
	json_add(o, "vhost_net", f->platform.kvm_host ? json_object_new_boolean(f->virt.vhost_net) : NULL);
	for (size_t i = 0; i < f->virt.count; i++)
		json_object_array_add(a, vm(&f->virt.vms[i]));
	json_add(o, "vms", a);
	return o;
}

static json_object *devices(const struct guest_device *d, size_t n)
{
	json_object *a = json_object_new_array();
	for (size_t i = 0; i < n; i++) {
		json_object *o = json_object_new_object();
		json_add(o, "name", json_str_or_null(d[i].name));
		json_add(o, "driver", json_str_or_null(d[i].driver));
		json_add(o, "path", json_str_or_null(d[i].path));
		json_object_array_add(a, o);
	}
	return a;
}

json_object *json_guest(const struct facts *f)
{
	json_object *o = json_object_new_object();
	json_add(o, "disks", devices(f->guest.disks, f->guest.ndisks));
	json_add(o, "nics", devices(f->guest.nics, f->guest.nnics));
	return o;
}

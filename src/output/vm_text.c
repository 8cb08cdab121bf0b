/* The VMs on a KVM host and a guest's virtual hardware, for the terminal:
 * one line each, before the findings, so the reader sees what was audited. */
#include "output.h"

#include <string.h>

/* "ide x2, virtio" from the disks' buses, or NICs' models */
static void summary(FILE *out, const char *label, size_t n, const char *(*item)(const struct vm_view *, size_t),
		    const struct vm_view *v)
{
	fprintf(out, "  %s: ", label);
	if (!n) {
		fprintf(out, "none");
		return;
	}
	for (size_t i = 0; i < n; i++) {
		const char *s = item(v, i);
		size_t same = 0;
		bool seen = false;
		for (size_t j = 0; j < n; j++) {
			seen |= j < i && !strcmp(item(v, j), s);
			same += !strcmp(item(v, j), s);
		}
		if (seen)
			continue;
		fprintf(out, "%s%s", i ? ", " : "", s);
		if (same > 1)
			fprintf(out, " x%zu", same);
	}
}

static const char *disk_bus(const struct vm_view *v, size_t i)
{
	return v->disks[i].bus[0] ? v->disks[i].bus : "?";
}

static const char *nic_model(const struct vm_view *v, size_t i)
{
	return v->nics[i].model[0] ? v->nics[i].model : v->nics[i].type;
}

void output_vms_text(FILE *out, const struct facts *f)
{
	if (f->virt.libvirt_note[0])
		fprintf(out, "libvirt: %s\n", f->virt.libvirt_note);
	if (!f->virt.count) {
		if (f->virt.libvirt_note[0])
			fprintf(out, "No VMs found in libvirt's files or among the processes.\n\n");
		return;
	}
	fprintf(out, "%zu VM%s%s%s:\n", f->virt.count, f->virt.count == 1 ? "" : "s",
		f->virt.manager[0] ? ", managed by " : "", f->virt.manager);
	for (size_t i = 0; i < f->virt.count; i++) {
		const struct vm *vm = &f->virt.vms[i];
		const struct vm_view *v = vm_effective(vm);
		const char *cpu = strcmp(v->cpu_mode, "custom") ? v->cpu_mode
				  : v->cpu_model[0]	       ? v->cpu_model
							       : "default model";
		fprintf(out, "  %-16s %-7s %-4s %2d vCPU%s", vm->name,
			vm->view[VM_RUNNING] || vm->view[VM_PROCESS] ? "running" : "defined",
			v->type[0] ? v->type : "?", v->vcpus, v->vcpus == 1 ? " " : "s");
		fprintf(out, "  cpu: %s", cpu);
		summary(out, "disks", v->ndisks, disk_bus, v);
		summary(out, "nics", v->nnics, nic_model, v);
		fputs("  (", out);
		for (int s = 0, n = 0; s < VM_SOURCES; s++)
			if (vm->view[s])
				fprintf(out, "%s%s", n++ ? ", " : "", vm_source_name(s));
		fputs(")\n", out);
	}
	fputc('\n', out);
}

void output_guest_text(FILE *out, const struct facts *f)
{
	if (f->platform.role != ROLE_GUEST || (!f->guest.ndisks && !f->guest.nnics))
		return;
	fprintf(out, "Virtual hardware:");
	for (size_t i = 0; i < f->guest.ndisks; i++)
		fprintf(out, " %s %s%s", f->guest.disks[i].name,
			f->guest.disks[i].driver[0] ? f->guest.disks[i].driver : "(no driver)",
			i + 1 < f->guest.ndisks || f->guest.nnics ? "," : "");
	for (size_t i = 0; i < f->guest.nnics; i++)
		fprintf(out, " %s %s%s", f->guest.nics[i].name,
			f->guest.nics[i].driver[0] ? f->guest.nics[i].driver : "(no driver)",
			i + 1 < f->guest.nnics ? "," : "");
	fprintf(out, "; clocksource %s\n\n", f->clocksource[0] ? f->clocksource : "unknown");
}

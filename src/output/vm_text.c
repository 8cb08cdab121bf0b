/* The VMs on a KVM host and a guest's virtual hardware, for the terminal:
 * a few lines each, before the findings, so the reader sees what was
 * audited. */
#include "output.h"

#include "../lib/escape.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* At most this many kinds of disk or NIC are named; the rest are counted. */
#define KINDS_SHOWN 6

struct kind {
	const char *label;
	size_t count;
};

static uint32_t hash(const char *s)
{
	uint32_t h = 2166136261u; /* FNV-1a */
	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 16777619u;
	return h;
}

/* Tallies the N labels ITEM gives, in one pass over them (a VM may have
 * tens of thousands of disks): KINDS gets the distinct labels in order of
 * first appearance with their counts. Returns how many, or -1 when out of
 * memory. KINDS has room for N. */
static long tally(size_t n, const char *(*item)(const struct vm_view *, size_t),
		  const struct vm_view *v, struct kind *kinds)
{
	size_t cap = 16, nkinds = 0;
	while (cap < 2 * n)
		cap *= 2;
	size_t *slot = calloc(cap, sizeof(*slot)); /* index + 1 into KINDS, 0 free */
	if (!slot)
		return -1;
	for (size_t i = 0; i < n; i++) {
		const char *s = item(v, i);
		size_t h = hash(s) & (cap - 1);
		while (slot[h] && strcmp(kinds[slot[h] - 1].label, s))
			h = (h + 1) & (cap - 1);
		if (!slot[h]) {
			kinds[nkinds] = (struct kind){ s, 0 };
			slot[h] = ++nkinds;
		}
		kinds[slot[h] - 1].count++;
	}
	free(slot);
	return (long)nkinds;
}

/* Appends to OUT (LEN used of OUTSZ), cut short when full. */
static void append(char *out, size_t outsz, size_t *len, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static void append(char *out, size_t outsz, size_t *len, const char *fmt, ...)
{
	va_list ap;
	if (*len >= outsz)
		return;
	va_start(ap, fmt);
	int w = vsnprintf(out + *len, outsz - *len, fmt, ap);
	va_end(ap);
	if (w > 0)
		*len = *len + (size_t)w < outsz ? *len + (size_t)w : outsz;
}

/* "ide x2, virtio" into OUT, from the disks' buses or the NICs' models. */
static void summary(char *out, size_t outsz, size_t n,
		    const char *(*item)(const struct vm_view *, size_t), const struct vm_view *v)
{
	struct kind *kinds = n ? malloc(n * sizeof(*kinds)) : NULL;
	long nkinds = kinds ? tally(n, item, v, kinds) : -1;
	size_t len = 0;

	out[0] = '\0';
	if (!n)
		append(out, outsz, &len, "none");
	else if (nkinds < 0)
		append(out, outsz, &len, "%zu", n); /* out of memory: the count alone */
	for (long k = 0; k < nkinds && k < KINDS_SHOWN; k++) {
		append(out, outsz, &len, "%s%s", k ? ", " : "", kinds[k].label);
		if (kinds[k].count > 1)
			append(out, outsz, &len, " x%zu", kinds[k].count);
	}
	if (nkinds > KINDS_SHOWN) {
		size_t rest = 0;
		for (long k = KINDS_SHOWN; k < nkinds; k++)
			rest += kinds[k].count;
		append(out, outsz, &len, " and %zu more of %ld other kinds", rest, nkinds - KINDS_SHOWN);
	}
	free(kinds);
}

static const char *disk_bus(const struct vm_view *v, size_t i)
{
	return v->disks[i].bus[0] ? v->disks[i].bus : "?";
}

static const char *nic_model(const struct vm_view *v, size_t i)
{
	return v->nics[i].model[0] ? v->nics[i].model : v->nics[i].type[0] ? v->nics[i].type : "?";
}

static void vm_text(FILE *out, const struct vm *vm)
{
	const struct vm_view *v = vm_effective(vm);
	const char *cpu = strcmp(v->cpu_mode, "custom") ? v->cpu_mode
			  : v->cpu_model[0]	       ? v->cpu_model
						       : "the default model";
	char disks[256], nics[256], sources[64] = "", line[1024];
	size_t len = 0;

	summary(disks, sizeof(disks), v->ndisks, disk_bus, v);
	summary(nics, sizeof(nics), v->nnics, nic_model, v);
	for (int s = 0; s < VM_SOURCES; s++)
		if (vm->view[s])
			len += (size_t)snprintf(sources + len, sizeof(sources) - len, "%s%s",
						len ? ", " : "", vm_source_name(s));
	len = (size_t)snprintf(line, sizeof(line),
			       "%s: %s, %s, %d vCPU%s, cpu %s; disks: %s; nics: %s; from %s", vm->name,
			       vm->view[VM_RUNNING] || vm->view[VM_PROCESS] ? "running" : "defined",
			       v->type[0] ? v->type : "type unknown", v->vcpus, v->vcpus == 1 ? "" : "s",
			       cpu, disks, nics, sources);
	const struct vm_view *p = vm->view[VM_PROCESS];
	if (p && len < sizeof(line)) {
		char who[80];
		if (vm->uid < 0)
			snprintf(who, sizeof(who), "an owner not known");
		else if (vm->user[0])
			snprintf(who, sizeof(who), "%s (uid %ld)", vm->user, vm->uid);
		else
			snprintf(who, sizeof(who), "uid %ld (not in etc/passwd)", vm->uid);
		snprintf(line + len, sizeof(line) - len, "; QEMU pid %ld, run by %s%s", p->pid, who,
			 vm->user_ordinary ? ": an ordinary user's process, not a VM that libvirt "
					     "or root started"
					   : "");
	}
	/* names, models and users come from the machine, and any local user
	 * names a QEMU process: no control byte reaches the terminal */
	char safe[2048];
	str_escape(safe, sizeof(safe), line, false);
	output_wrapped(out, safe, 2, 4);
}

void output_vms_text(FILE *out, const struct facts *f)
{
	if (f->virt.libvirt_note[0]) {
		char note[400];
		snprintf(note, sizeof(note), "libvirt: %s", f->virt.libvirt_note);
		output_wrapped(out, note, 0, 4);
	}
	if (!f->virt.count) {
		if (f->virt.libvirt_note[0])
			fprintf(out, "No VMs found in libvirt's files or among the processes.\n\n");
		return;
	}
	fprintf(out, "%zu VM%s%s%s:\n", f->virt.count, f->virt.count == 1 ? "" : "s",
		f->virt.manager[0] ? ", managed by " : "", f->virt.manager);
	for (size_t i = 0; i < f->virt.count; i++)
		vm_text(out, &f->virt.vms[i]);
	fputc('\n', out);
}

void output_guest_text(FILE *out, const struct facts *f)
{
	char line[2048] = "Virtual hardware:", safe[4096];
	size_t len = strlen(line);

	if (f->platform.role != ROLE_GUEST || (!f->guest.ndisks && !f->guest.nnics))
		return;
	for (size_t i = 0; i < f->guest.ndisks && len < sizeof(line); i++)
		len += (size_t)snprintf(line + len, sizeof(line) - len, " %s %s%s", f->guest.disks[i].name,
					f->guest.disks[i].driver[0] ? f->guest.disks[i].driver : "(no driver)",
					i + 1 < f->guest.ndisks || f->guest.nnics ? "," : "");
	for (size_t i = 0; i < f->guest.nnics && len < sizeof(line); i++)
		len += (size_t)snprintf(line + len, sizeof(line) - len, " %s %s%s", f->guest.nics[i].name,
					f->guest.nics[i].driver[0] ? f->guest.nics[i].driver : "(no driver)",
					i + 1 < f->guest.nnics ? "," : "");
	if (len < sizeof(line))
		snprintf(line + len, sizeof(line) - len, "; clocksource %s",
			 f->clocksource[0] ? f->clocksource : "unknown");
	str_escape(safe, sizeof(safe), line, false);
	/* a few devices with long names (Azure's clocksource) pass 80 columns */
	output_wrapped(out, safe, 0, 4);
	fputc('\n', out);
}

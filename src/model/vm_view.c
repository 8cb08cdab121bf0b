#include "vm_view.h"

#include "../lib/array.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

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
	cpuset_clear(&v->emulator_cpus);
	cpuset_clear(&v->iothread_cpus);
	cpuset_clear(&v->numa_nodes);
	free(v->disks);
	free(v->nics);
	free(v->vcpupins);
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

int vm_view_add_vcpupin(struct vm_view *v, int vcpu, const char *cpuset)
{
	struct vm_vcpupin *p = array_grow(v->vcpupins, &v->nvcpupins, sizeof(*p));
	if (!p)
		return -ENOMEM;
	v->vcpupins = p;
	p[v->nvcpupins - 1].vcpu = vcpu;
	snprintf(p[v->nvcpupins - 1].cpuset, sizeof(p->cpuset), "%s", cpuset);
	return 0;
}

const char *vm_view_vcpupin(const struct vm_view *v, int vcpu)
{
	for (size_t i = 0; i < v->nvcpupins; i++)
		if (v->vcpupins[i].vcpu == vcpu)
			return v->vcpupins[i].cpuset;
	return NULL;
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


static const char *const latency_features[VM_CPU_FEATURES] = {
	"pcid", "invpcid", "invtsc", "tsc-deadline", "x2apic", "arat", "kvmclock", "kvm-pv-eoi",
};

const char *vm_cpu_feature_name(int bit)
{
	return bit >= 0 && bit < VM_CPU_FEATURES ? latency_features[bit] : NULL;
}

int vm_cpu_feature_bit(const char *name)
{
	char norm[32];
	size_t n = strlen(name);

	if (n >= sizeof(norm))
		return -1;
	/* QEMU takes "tsc_deadline" and "tsc-deadline" alike */
	for (size_t i = 0; i <= n; i++)
		norm[i] = name[i] == '_' ? '-' : name[i];
	if (!strcmp(norm, "kvm-clock"))
		return 6;
	for (int i = 0; i < VM_CPU_FEATURES; i++)
		if (!strcmp(norm, latency_features[i]))
			return i;
	return -1;
}

/* The generations QEMU has a model for (target/i386/cpu.c), by the
 * family and model numbers the kernel names in arch/x86/include/asm/
 * intel-family.h; AMD by family and model range. */
const char *vm_cpu_host_models(const char *vendor, int family, int model)
{
	static const struct {
		int model;
		const char *names;
	} intel[] = {
		{ 26, "Nehalem" },	  { 30, "Nehalem" },	   { 31, "Nehalem" },	    { 46, "Nehalem" },
		{ 37, "Westmere" },	  { 44, "Westmere" },	   { 47, "Westmere" },	    { 42, "SandyBridge" },
		{ 45, "SandyBridge" },	  { 58, "IvyBridge" },	   { 62, "IvyBridge" },	    { 60, "Haswell" },
		{ 63, "Haswell" },	  { 69, "Haswell" },	   { 70, "Haswell" },	    { 61, "Broadwell" },
		{ 71, "Broadwell" },	  { 79, "Broadwell" },	   { 86, "Broadwell" },
		{ 78, "Skylake-Client" }, { 94, "Skylake-Client" }, { 142, "Skylake-Client" },
		{ 158, "Skylake-Client" }, { 165, "Skylake-Client" }, { 166, "Skylake-Client" },
		/* one model number for three server generations, told apart by stepping */
		{ 85, "Skylake-Server Cascadelake-Server Cooperlake" },
		{ 106, "Icelake-Server" }, { 108, "Icelake-Server" }, { 143, "SapphireRapids" },
		/* Emerald Rapids: QEMU has no model of its own, host-model names this one */
		{ 207, "SapphireRapids" }, { 173, "GraniteRapids" }, { 174, "GraniteRapids" },
		{ 175, "SierraForest" },
	};

	if (!strcmp(vendor, "GenuineIntel") && family == 6) {
		for (size_t i = 0; i < sizeof(intel) / sizeof(intel[0]); i++)
			if (intel[i].model == model)
				return intel[i].names;
		return NULL;
	}
	if (!strcmp(vendor, "HygonGenuine") && family == 24)
		return "Dhyana";
	if (strcmp(vendor, "AuthenticAMD"))
		return NULL;
	if (family == 23)
		return model < 0x30 ? "EPYC" : "EPYC-Rome";
	if (family == 25)
		return (model >= 0x10 && model < 0x20) || (model >= 0x60 && model < 0x80) ||
				       (model >= 0xa0 && model < 0xb0)
			       ? "EPYC-Genoa"
			       : "EPYC-Milan";
	if (family == 26)
		return "EPYC-Turin";
	return NULL;
}

bool vm_cpu_model_in(const char *model, const char *models)
{
	char base[48];
	size_t n = strlen(model);

	if (!*model || n >= sizeof(base))
		return false;
	memcpy(base, model, n + 1);
	/* "Cascadelake-Server-v4", "Haswell-noTSX-IBRS", "EPYC-IBPB": one model */
	for (bool cut = true; cut;) {
		static const char *const suffixes[] = { "-IBRS", "-noTSX", "-IBPB" };
		char *dash = strrchr(base, '-');
		cut = false;
		if (dash && dash[1] == 'v' && dash[2] >= '0' && dash[2] <= '9' &&
		    strspn(dash + 2, "0123456789") == strlen(dash + 2)) {
			*dash = '\0';
			cut = true;
		}
		for (size_t i = 0; i < sizeof(suffixes) / sizeof(suffixes[0]) && dash && !cut; i++)
			if (!strcmp(dash, suffixes[i])) {
				*dash = '\0';
				cut = true;
			}
	}
	n = strlen(base);
	for (const char *p = models; *p;) {
		size_t len = strcspn(p, " ");
		if (len == n && !strncasecmp(p, base, n))
			return true;
		p += len;
		p += *p == ' ';
	}
	return false;
}

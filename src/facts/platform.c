/* Where this kernel runs: bare metal, a VM (and under which hypervisor and
 * cloud), and whether it is itself a KVM host. */
#include "facts.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#if defined(__x86_64__) || defined(__i386__)
#include <cpuid.h>
#endif

#include "../root/root.h"

static void set(char *dst, size_t sz, const char *v)
{
	if (!dst[0])
		snprintf(dst, sz, "%s", v);
}
#define SET(field, v) set(field, sizeof(field), v)

/* CPUID 0x40000000 names the hypervisor; only the live machine can be
 * asked, a snapshot falls back on DMI and PCI ids. systemd's virt.c and
 * virt-what read the same leaf. */
static void hypervisor_from_cpuid(struct facts *f)
{
#if defined(__x86_64__) || defined(__i386__)
	static const struct {
		const char *sig, *name;
	} sigs[] = {
		{ "KVMKVMKVM", "kvm" },      { "Linux KVM Hv", "kvm" },
		{ "TCGTCGTCGTCG", "qemu" },  { "XenVMMXenVMM", "xen" },
		{ "VMwareVMware", "vmware" }, { "Microsoft Hv", "hyperv" },
		{ "VBoxVBoxVBox", "virtualbox" }, { "ACRNACRNACRN", "acrn" },
		{ "bhyve bhyve ", "bhyve" },
	};
	unsigned a, b, c, d;
	char sig[13];

	if (!f->flag_hypervisor)
		return;
	/* QEMU with Hyper-V enlightenments answers "Microsoft Hv" at the base
	 * leaf and its own name 0x100 higher: scan like virt-what does */
	for (unsigned leaf = 0x40000000; leaf < 0x40010000; leaf += 0x100) {
		__cpuid(leaf, a, b, c, d);
		memcpy(sig, &b, 4);
		memcpy(sig + 4, &c, 4);
		memcpy(sig + 8, &d, 4);
		sig[12] = '\0';
		for (size_t i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++) {
			if (strcmp(sig, sigs[i].sig))
				continue;
			if (strcmp(sigs[i].name, "hyperv") || leaf != 0x40000000) {
				SET(f->platform.hypervisor, sigs[i].name);
				return;
			}
			/* remember Hyper-V but keep looking for KVM above it */
			snprintf(f->platform.hypervisor, sizeof(f->platform.hypervisor), "hyperv");
		}
		if (a < leaf)
			break;
	}
#else
	(void)f;
#endif
}

static void from_dmi(struct root *r, struct facts *f)
{
	const char *dmi = "sys/class/dmi/id";
	char path[64], tag[64] = "", board[64] = "";

	snprintf(path, sizeof(path), "%s/sys_vendor", dmi);
	facts_read_line(r, f, path, f->platform.dmi_vendor, sizeof(f->platform.dmi_vendor));
	snprintf(path, sizeof(path), "%s/product_name", dmi);
	facts_read_line(r, f, path, f->platform.dmi_product, sizeof(f->platform.dmi_product));
	snprintf(path, sizeof(path), "%s/chassis_asset_tag", dmi);
	facts_read_line(r, f, path, tag, sizeof(tag));
	snprintf(path, sizeof(path), "%s/board_vendor", dmi);
	facts_read_line(r, f, path, board, sizeof(board));

	const char *v = f->platform.dmi_vendor, *p = f->platform.dmi_product;
	/* cloud-init's ds-identify reads the same fields */
	if (!strcmp(v, "Amazon EC2") || !strncmp(p, "Amazon EC2", 10))
		SET(f->platform.cloud, "aws");
	else if (!strcmp(p, "Google Compute Engine") || !strcmp(v, "Google"))
		SET(f->platform.cloud, "gce");
	else if (!strcmp(tag, "7783-7084-3265-9085-8269-3286-77"))
		SET(f->platform.cloud, "azure");
	else if (strstr(p, "OpenStack") || strstr(v, "OpenStack"))
		SET(f->platform.cloud, "openstack");
	else if (strstr(p, "CloudStack") || strstr(v, "CloudStack"))
		SET(f->platform.cloud, "cloudstack");

	/* CloudStack says "CloudStack KVM Hypervisor", oVirt "RHEV Hypervisor" */
	/* AWS Nitro is KVM-based (kvm-clock, "KVMKVMKVM" in CPUID); Xen-based
	 * instances say "Xen" */
	if (!strcmp(v, "QEMU") || strstr(p, "KVM") || strstr(p, "Standard PC") || !strcmp(v, "Amazon EC2"))
		SET(f->platform.hypervisor, "kvm");
	else if (!strncmp(v, "VMware", 6))
		SET(f->platform.hypervisor, "vmware");
	else if (!strcmp(v, "Microsoft Corporation") && !strcmp(p, "Virtual Machine"))
		SET(f->platform.hypervisor, "hyperv");
	else if (!strcmp(v, "Xen"))
		SET(f->platform.hypervisor, "xen");
	else if (!strcmp(v, "innotek GmbH") || !strcmp(board, "Oracle Corporation"))
		SET(f->platform.hypervisor, "virtualbox");
}

/* Paravirtual and emulated PCI devices only a guest has, by vendor id, the
 * way lscpu finds VirtualBox and VMware. */
static void from_pci(struct root *r, struct facts *f)
{
	static const struct {
		const char *vendor, *name;
	} ids[] = {
		{ "80ee", "virtualbox" }, { "15ad", "vmware" }, { "5853", "xen" },
		{ "1af4", "kvm" },        { "1b36", "kvm" },    { "1234", "kvm" },
		{ "1414", "hyperv" },
	};
	char *buf;
	size_t len;

	if (root_read(r, "proc/bus/pci/devices", &buf, &len))
		return;
	for (char *line = buf; line && *line;) {
		char *next = strchr(line, '\n');
		char *tab = strchr(line, '\t');
		if (next)
			*next++ = '\0';
		if (tab && strlen(tab + 1) >= 4) {
			for (size_t i = 0; i < sizeof(ids) / sizeof(ids[0]); i++) {
				if (!strncmp(tab + 1, ids[i].vendor, 4)) {
					SET(f->platform.hypervisor, ids[i].name);
					break;
				}
			}
		}
		line = next;
	}
	free(buf);
}

/* s390 Linux always runs under a hypervisor: PR/SM, z/VM or KVM. */
static void from_s390_sysinfo(struct root *r, struct facts *f)
{
	char *buf;
	size_t len;

	if (root_read(r, "proc/sysinfo", &buf, &len))
		return;
	const char *cp = strstr(buf, "Control Program:");
	if (cp && strstr(cp, "KVM"))
		SET(f->platform.hypervisor, "kvm");
	else if (cp && strstr(cp, "z/VM"))
		SET(f->platform.hypervisor, "zvm");
	else if (strstr(buf, "LPAR"))
		SET(f->platform.hypervisor, "prsm");
	free(buf);
}

int collect_platform(struct root *r, struct facts *f)
{
	char xen[32] = "";

	if (f->live)
		hypervisor_from_cpuid(f);
	if (!facts_read_line(r, f, "sys/hypervisor/type", xen, sizeof(xen)) && xen[0])
		SET(f->platform.hypervisor, xen);
	if (!strcmp(f->arch, "s390"))
		from_s390_sysinfo(r, f);
	from_dmi(r, f);
	from_pci(r, f);

	f->platform.kvm_host = !root_exists(r, "sys/module/kvm") || !root_exists(r, "dev/kvm");

	if (f->platform.hypervisor[0] || f->flag_hypervisor)
		f->platform.role = ROLE_GUEST;
	else if (!strcmp(f->arch, "x86"))
		/* every x86 hypervisor sets the CPUID hypervisor bit */
		f->platform.role = ROLE_BARE_METAL;
	else
		f->platform.role = ROLE_UNKNOWN;
	return 0;
}

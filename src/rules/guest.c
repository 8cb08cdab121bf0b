/* Guest rules: the same problems as vm.*, seen from inside the VM, where
 * the kernel's drivers say what the virtual hardware really is. Also the
 * host-side knobs of KVM itself. */
#include "rules.h"

#include <stdio.h>
#include <string.h>

#include "../parse/text.h"

static bool in_list(const char *s, const char *const *list, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!strcmp(s, list[i]))
			return true;
	return false;
}
#define IN(s, list) in_list(s, list, sizeof(list) / sizeof(list[0]))

static bool starts_with_any(const char *s, const char *const *list, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!strncmp(s, list[i], strlen(list[i])))
			return true;
	return false;
}

void rule_guest_cpu_model(const struct facts *f, struct findings *out)
{
	/* QEMU's model_id strings: the generic models, then the named ones */
	static const char *const generic[] = { "QEMU Virtual CPU", "Common KVM processor",
					       "Common 32-bit KVM processor" };
	static const char *const named[] = {
		"Intel Core Processor (",  "Intel Xeon Processor (", "AMD EPYC Processor",
		"AMD EPYC-",		   "Westmere E56xx",	     "Intel Core i7 9xx",
		"Intel Core 2 Duo P9xxx",  "Intel Celeron_4x0",	     "AMD Opteron 23xx",
		"AMD Opteron 240",	   "AMD Opteron 22xx",	     "AMD Opteron 62xx class CPU",
		"AMD Opteron 63xx class CPU", "Hygon Dhyana Processor", "Intel Atom Processor (",
	};
	if (f->platform.role != ROLE_GUEST || !f->model_name[0])
		return;
	bool is_generic = starts_with_any(f->model_name, generic, sizeof(generic) / sizeof(generic[0]));
	if (!is_generic && !starts_with_any(f->model_name, named, sizeof(named) / sizeof(named[0])))
		return;
	struct finding *x = finding_add(out, is_generic ? SEV_WARNING : SEV_INFO,
					"system", "the VM's CPU is an emulated model: %s", f->model_name);
	finding_evidence(out, x, "/proc/cpuinfo", "model name: %s", f->model_name);
	finding_why(out, x,
		    is_generic ? "A generic model hides the host CPU's features: no PCID (a TLB flush "
				 "on every context switch with page-table isolation), no TSC deadline "
				 "timer, no AVX; the kernel and libraries take slower paths."
			       : "A named QEMU model (what both a custom model and host-model show) "
				 "gives the guest only that model's features, not all of the host "
				 "CPU's; host-passthrough shows the real CPU and its brand string.");
	vm_fix(out, x, f, VM_FIX_CPU_MODE, NULL);
}

static void device_findings(const struct facts *f, struct findings *out,
			    const struct guest_device *devs, size_t n, const char *kind,
			    const char *const *emulated, size_t nemulated, enum vm_fix_kind fix,
			    const char *why)
{
	if (f->platform.role != ROLE_GUEST)
		return;
	for (size_t i = 0; i < n; i++) {
		const struct guest_device *d = &devs[i];
		if (!d->driver[0] || !starts_with_any(d->driver, emulated, nemulated))
			continue;
		char subject[48];
		snprintf(subject, sizeof(subject), "%s:%s", kind, d->name);
		struct finding *x = finding_add(out, SEV_WARNING, subject,
						"%s %s is on an emulated driver (%s)", kind, d->name, d->driver);
		finding_evidence(out, x, d->path, "driver %s", d->driver);
		finding_why(out, x, "%s", why);
		vm_fix(out, x, f, fix, NULL);
	}
}

void rule_guest_disk_driver(const struct facts *f, struct findings *out)
{
	static const char *const emulated[] = { "ata_piix", "ahci", "pata_", "ata_generic", "mptspi",
						"mptsas", "sym53c8xx", "megaraid_sas", "usb-storage",
						"uas", "floppy" };
	device_findings(f, out, f->guest.disks, f->guest.ndisks, "disk", emulated,
			sizeof(emulated) / sizeof(emulated[0]), VM_FIX_DISK_BUS,
			"The disk sits behind an emulated IDE, SATA or SCSI controller: every request "
			"is several trapped register accesses, each a VM exit into QEMU. virtio_blk or "
			"virtio_scsi queue requests in shared memory with one notification.");
}

void rule_guest_nic_driver(const struct facts *f, struct findings *out)
{
	static const char *const emulated[] = { "e1000", "e1000e", "8139cp", "8139too", "ne2k-pci",
						"pcnet32", "tulip" };
	device_findings(f, out, f->guest.nics, f->guest.nnics, "nic", emulated,
			sizeof(emulated) / sizeof(emulated[0]), VM_FIX_NIC_MODEL,
			"The NIC is an emulated one: every register access and interrupt traps to "
			"QEMU, several VM exits per packet; virtio_net moves packets through shared "
			"rings.");
}

void rule_guest_clocksource(const struct facts *f, struct findings *out)
{
	/* hyperv_clocksource_msr reads an MSR, an exit to the hypervisor each
	 * time; its TSC page sibling is read in the vDSO */
	static const char *const slow[] = { "hpet", "acpi_pm", "jiffies", "pit", "refined-jiffies",
					    "hyperv_clocksource_msr" };
	/* AWS advises tsc over the xen clocksource on its Xen-based instances */
	bool aws_xen = !strcmp(f->clocksource, "xen") && !strcmp(f->platform.cloud, "aws") &&
		       word_in_list(f->clocksources, "tsc");
	if (!IN(f->clocksource, slow) && !aws_xen)
		return;
	const char *better = word_in_list(f->clocksources, "tsc")	   ? "tsc"
			     : word_in_list(f->clocksources, "kvm-clock") ? "kvm-clock"
									  : NULL;
	struct finding *x = finding_add(out, SEV_WARNING, "system",
					"clocksource %s: every clock read is slow", f->clocksource);
	finding_evidence(out, x, "/sys/devices/system/clocksource/clocksource0/current_clocksource", "%s",
			 f->clocksource);
	finding_evidence(out, x, "/sys/devices/system/clocksource/clocksource0/available_clocksource",
			 "%s", f->clocksources[0] ? f->clocksources : "(none)");
	if (aws_xen)
		finding_why(out, x,
			    "clock_gettime() and gettimeofday() read tsc in the vDSO, in tens of "
			    "nanoseconds; on AWS's Xen-based instances the xen clocksource is slower to "
			    "read, and AWS advises tsc there. Servers read the clock on every request.");
	else
		finding_why(out, x,
			    "clock_gettime() and gettimeofday() read tsc and kvm-clock in the vDSO, in "
			    "tens of nanoseconds; %s needs a system call and an I/O read, a microsecond "
			    "or more, and in a VM an exit to the hypervisor. Servers read the clock on "
			    "every request.",
			    f->clocksource);
	const char *cs = "/sys/devices/system/clocksource/clocksource0/current_clocksource";
	char param[64], keep[400];
	if (better) {
		snprintf(param, sizeof(param), "clocksource=%s", better);
		fix_cmdline_text(f, param, keep, sizeof(keep));
		finding_action(out, x, FIX_SYSFS, FIX_RUNTIME, NEEDS_ROOT, cs, NULL, f->clocksource, better);
		finding_action(out, x, FIX_CMDLINE, FIX_PERSISTENT, NEEDS_ROOT | NEEDS_REBOOT, "clocksource",
			       NULL, NULL, better);
		finding_fix(out, x, NULL, keep);
	} else {
		finding_fix(out, x,
			    "No fast clocksource is available: the kernel judged the TSC unstable "
			    "(dmesg | grep -i tsc).",
			    "VMs: give the guest kvm-clock and an invariant TSC (host-passthrough); bare "
			    "metal: check the BIOS for TSC issues.");
	}
}

void rule_guest_steal(const struct facts *f, struct findings *out)
{
	if (f->platform.role != ROLE_GUEST || f->steal_pct < 1.0)
		return;
	struct finding *x = finding_add(out, f->steal_pct >= 5.0 ? SEV_WARNING : SEV_INFO,
					"system", "the hypervisor took %.1f%% of this VM's CPU time",
					f->steal_pct);
	finding_evidence(out, x, "/proc/stat", "steal %.1f%% of all CPU time since boot", f->steal_pct);
	finding_why(out, x,
		    "Steal time is time a vCPU wanted to run but the host ran something else: each "
		    "episode is a stall the guest cannot see or avoid. It means an overcommitted host "
		    "or unpinned vCPUs sharing cores.");
	finding_fix(out, x, NULL,
		    "on the host: pin the VM's vCPUs to cores of their own and do not overcommit "
		    "CPUs (see vm.vcpu.pin); in a cloud: a dedicated or larger instance type");
}

void rule_kvm_halt_poll(const struct facts *f, struct findings *out)
{
	if (!f->platform.kvm_host || f->virt.halt_poll_ns != 0)
		return;
	struct finding *x = finding_add(out, SEV_WARNING, "system",
					"KVM halt polling is off");
	finding_evidence(out, x, "/sys/module/kvm/parameters/halt_poll_ns", "0");
	finding_why(out, x,
		    "When a vCPU halts, KVM polls for a while before putting its thread to sleep; "
		    "an interrupt that comes in that window wakes it at once. With polling off, every "
		    "wake-up pays a host schedule-in, tens of microseconds.");
	finding_action(out, x, FIX_MODULE_OPTION, FIX_RUNTIME, NEEDS_ROOT, "kvm.halt_poll_ns", NULL, "0",
		       "200000");
	finding_action(out, x, FIX_MODULE_OPTION, FIX_PERSISTENT, NEEDS_ROOT, "kvm.halt_poll_ns", NULL,
		       NULL, "200000");
	finding_fix(out, x, "200000 ns is the x86 default; much larger values burn host CPU on idle "
			    "vCPUs.", NULL);
}

void rule_kvm_vhost_net(const struct facts *f, struct findings *out)
{
	if (!f->platform.kvm_host || f->virt.vhost_net || !f->virt.count)
		return;
	struct finding *x = finding_add(out, SEV_WARNING, "system",
					"no vhost-net on a KVM host with %zu VM%s", f->virt.count,
					f->virt.count == 1 ? "" : "s");
	finding_evidence(out, x, "/dev/vhost-net", "absent, and no vhost_net module loaded");
	finding_why(out, x,
		    "Without vhost-net, virtio NICs fall back to QEMU's userspace backend: every "
		    "packet goes through QEMU's main loop and an extra copy.");
	finding_action(out, x, FIX_MODULE, FIX_RUNTIME, NEEDS_ROOT, "vhost_net", NULL, NULL, "loaded");
	finding_action(out, x, FIX_MODULE, FIX_PERSISTENT, NEEDS_ROOT, "vhost_net", NULL, NULL, "loaded");
	finding_fix(out, x, "Running VMs keep QEMU's backend until they are started again.", NULL);
}

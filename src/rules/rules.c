#include "rules.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Ordered by expected cost, most first: the text output ranks findings of
 * equal severity in this order. */
const struct rule rules[] = {
	{ "cpu.freq.low", "CPUs run well below their rated clock, held down", rule_cpu_freq_low },
	{ "cpu.governor", "cpufreq governor is not performance", rule_cpu_governor },
	{ "cpu.firmware_pm", "no cpufreq driver on bare metal: firmware sets the clock",
	  rule_cpu_firmware_pm },
	{ "cpu.epp", "energy_performance_preference is not performance", rule_cpu_epp },
	{ "cpu.cstate.deep", "deep idle states enabled and not capped", rule_cpu_cstate_deep },
	{ "cpu.cstate.cost", "measured: waking from idle costs latency though no deep state is visible",
	  rule_cpu_cstate_cost },
	{ "vm.accel", "a VM runs under TCG emulation, not KVM", rule_vm_accel },
	{ "guest.clocksource", "a clocksource with no fast vDSO read (hpet, acpi_pm)",
	  rule_guest_clocksource },
	{ "vm.disk.bus", "a VM disk on an emulated bus (ide, sata, usb, lsilogic scsi)",
	  rule_vm_disk_bus },
	{ "vm.nic.model", "a VM NIC on an emulated model (e1000, rtl8139, ...)", rule_vm_nic_model },
	{ "guest.disk.driver", "inside a VM: a disk on an emulated controller's driver",
	  rule_guest_disk_driver },
	{ "guest.nic.driver", "inside a VM: a NIC on an emulated driver", rule_guest_nic_driver },
	{ "guest.cloud.nic", "inside a cloud VM: not the cloud's fastest NIC (ENA, Accelerated "
	  "Networking, gVNIC)", rule_guest_cloud_nic },
	{ "vm.nic.vhost", "a VM's virtio NIC served by QEMU instead of vhost-net", rule_vm_nic_vhost },
	{ "kvm.vhost_net", "KVM host without vhost-net", rule_kvm_vhost_net },
	{ "vm.cpu.mode", "a VM's CPU model is emulated, not host-passthrough", rule_vm_cpu_mode },
	{ "vm.cpu.features", "a VM's CPU has latency features turned off (pcid, tsc-deadline, ...)",
	  rule_vm_cpu_features },
	{ "guest.cpu.model", "inside a VM: an emulated CPU model", rule_guest_cpu_model },
	{ "vm.vcpu.pin", "a VM's vCPUs are not pinned", rule_vm_vcpu_pin },
	{ "vm.vcpu.shared", "VMs' vCPUs share host CPUs or cores, or another VM's emulator threads",
	  rule_vm_vcpu_shared },
	{ "vm.host.cpus", "the host CPUs under a VM's pinned vCPUs run slow or sleep deep",
	  rule_vm_host_cpus },
	{ "vm.host.isolation", "a VM's vCPUs pinned to CPU 0, or real-time vCPUs on CPUs not isolated",
	  rule_vm_host_isolation },
	{ "vm.host.irq", "host NIC interrupts may land on the CPUs of pinned vCPUs", rule_vm_host_irq },
	{ "vm.numa", "a VM's memory is on another NUMA node than its vCPUs", rule_vm_numa },
	{ "guest.steal", "inside a VM: the hypervisor steals CPU time", rule_guest_steal },
	{ "kvm.halt_poll", "KVM halt polling is off", rule_kvm_halt_poll },
	{ "mem.thp", "transparent huge pages always on", rule_mem_thp },
	{ "mem.ksm", "KSM is merging pages", rule_mem_ksm },
	{ "mem.numa_balancing", "automatic NUMA balancing on a multi-node host",
	  rule_mem_numa_balancing },
	{ "cpu.epb", "energy_perf_bias favours power", rule_cpu_epb },
	{ "cpu.boost", "turbo / boost is off", rule_cpu_boost },
	{ "cpu.pm_qos", "a PM QoS latency limit is held", rule_cpu_pm_qos },
	{ "cpu.pm_qos.unheld", "a unit or tuned profile expects a PM QoS hold, and no process holds one",
	  rule_cpu_pm_qos_unheld },
	{ "mem.swappiness", "swappiness above the latency profiles' 10", rule_mem_swappiness },
	{ "vm.emulator.pin", "a VM's emulator threads may run on its vCPUs' cores",
	  rule_vm_emulator_pin },
	{ "vm.disk.iothread", "a VM's virtio disks have no I/O thread", rule_vm_disk_iothread },
	{ "vm.disk.cache", "a VM disk with host page cache (cache=writeback, ...)",
	  rule_vm_disk_cache },
	{ "vm.disk.aio", "a VM disk on QEMU's thread pool (aio=threads) where io=native would do",
	  rule_vm_disk_aio },
	{ "vm.nic.queues", "a VM with 4 or more vCPUs and a virtio NIC with one queue pair",
	  rule_vm_nic_queues },
	{ "vm.hugepages", "a VM's memory is not backed by huge pages", rule_vm_hugepages },
	{ "vm.hugepages.pool", "a VM asks for more huge pages than its node has free, or runs without "
	  "them", rule_vm_hugepages_pool },
	{ "vm.balloon", "a VM has a memory balloon", rule_vm_balloon },
	{ "vm.hpet", "a VM has an HPET timer", rule_vm_hpet },
	{ "vm.config.pending", "a VM runs with another config than it has defined",
	  rule_vm_config_pending },
};
const size_t rules_count = sizeof(rules) / sizeof(rules[0]);

void rules_run(const struct facts *f, struct findings *out, const char *only)
{
	for (size_t i = 0; i < rules_count; i++) {
		if (only && strncmp(rules[i].id, only, strlen(only)))
			continue;
		size_t before = out->count;
		rules[i].run(f, out);
		for (size_t j = before; j < out->count; j++) {
			out->items[j].id = rules[i].id;
			out->items[j].order = (unsigned)i;
		}
	}
	findings_sort(out);
}

void cpus_subject(const struct cpuset *cpus, char *out, size_t outsz)
{
	char list[256];
	cpuset_format(cpus, list, sizeof(list));
	snprintf(out, outsz, "%s %s", cpuset_count(cpus) == 1 ? "cpu" : "cpus", list);
}

bool policy_active_mode(const struct cpufreq_policy *p)
{
	return !strcmp(p->driver, "intel_pstate") || !strcmp(p->driver, "amd-pstate-epp");
}

void policy_groups(const struct facts *f, struct findings *out,
		   bool (*same)(const struct facts *, const struct cpufreq_policy *,
				const struct cpufreq_policy *),
		   void (*each)(const struct facts *, struct findings *,
				const struct cpufreq_policy *, const struct cpuset *, int))
{
	bool *taken = calloc(f->cpufreq.count + 1, sizeof(*taken));

	if (!taken) {
		out->out_of_memory = true;
		return;
	}
	for (size_t i = 0; i < f->cpufreq.count; i++) {
		const struct cpufreq_policy *p = &f->cpufreq.policies[i];
		struct cpuset cpus = { 0 };
		int members = 0;
		bool ok = true;

		if (taken[i])
			continue;
		for (size_t j = i; j < f->cpufreq.count && ok; j++) {
			const struct cpufreq_policy *q = &f->cpufreq.policies[j];
			if (taken[j] || !same(f, p, q))
				continue;
			taken[j] = true;
			members++;
			for (int c = 0; c <= cpuset_last(&q->cpus) && ok; c++)
				ok = !cpuset_has(&q->cpus, c) || !cpuset_add(&cpus, c);
		}
		if (ok)
			each(f, out, p, &cpus, members);
		else
			out->out_of_memory = true;
		cpuset_clear(&cpus);
	}
	free(taken);
}

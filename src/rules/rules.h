/* Rules: pure functions from facts to findings, one table of them. A rule
 * never reads a file; it is tested with a facts struct or a fixture root. */
#ifndef LATDOC_RULES_H
#define LATDOC_RULES_H

#include "../facts/facts.h"
#include "../findings/findings.h"

struct rule {
	const char *id;
	const char *summary; /* one line, for --list-checks and the docs */
	void (*run)(const struct facts *f, struct findings *out);
};

extern const struct rule rules[];
extern const size_t rules_count;

/* Runs every rule whose id starts with ONLY (all when NULL), in table
 * order, and ranks the findings. */
void rules_run(const struct facts *f, struct findings *out, const char *only);

/* Exit latency above which an idle state counts as deep: C1 and C1E stay
 * below it on every Xeon and EPYC, C3 and C6 are far above. */
#define DEEP_IDLE_LATENCY_US 20
/* Whether some online CPU can enter a deep idle state (cpu.cstate.deep). */
bool cstate_deep_reachable(const struct facts *f);

/* The rules, each in the file of its area. */
void rule_cpu_freq_low(const struct facts *f, struct findings *out);
void rule_cpu_governor(const struct facts *f, struct findings *out);
void rule_cpu_epp(const struct facts *f, struct findings *out);
void rule_cpu_firmware_pm(const struct facts *f, struct findings *out);
void rule_cpu_boost(const struct facts *f, struct findings *out);
void rule_cpu_epb(const struct facts *f, struct findings *out);
void rule_cpu_cstate_deep(const struct facts *f, struct findings *out);
void rule_cpu_pm_qos(const struct facts *f, struct findings *out);
void rule_cpu_cstate_cost(const struct facts *f, struct findings *out);
void rule_cpu_pm_qos_unheld(const struct facts *f, struct findings *out);
void rule_mem_thp(const struct facts *f, struct findings *out);
void rule_mem_ksm(const struct facts *f, struct findings *out);
void rule_mem_numa_balancing(const struct facts *f, struct findings *out);
void rule_mem_swappiness(const struct facts *f, struct findings *out);

void rule_vm_accel(const struct facts *f, struct findings *out);
void rule_vm_cpu_mode(const struct facts *f, struct findings *out);
void rule_vm_vcpu_pin(const struct facts *f, struct findings *out);
void rule_vm_emulator_pin(const struct facts *f, struct findings *out);
void rule_vm_numa(const struct facts *f, struct findings *out);
void rule_vm_disk_bus(const struct facts *f, struct findings *out);
void rule_vm_disk_iothread(const struct facts *f, struct findings *out);
void rule_vm_disk_cache(const struct facts *f, struct findings *out);
void rule_vm_nic_model(const struct facts *f, struct findings *out);
void rule_vm_nic_vhost(const struct facts *f, struct findings *out);
void rule_vm_hugepages(const struct facts *f, struct findings *out);
void rule_vm_balloon(const struct facts *f, struct findings *out);
void rule_vm_hpet(const struct facts *f, struct findings *out);
void rule_vm_config_pending(const struct facts *f, struct findings *out);
void rule_vm_vcpu_shared(const struct facts *f, struct findings *out);
void rule_vm_host_cpus(const struct facts *f, struct findings *out);
void rule_vm_host_isolation(const struct facts *f, struct findings *out);
void rule_vm_host_irq(const struct facts *f, struct findings *out);
void rule_vm_hugepages_pool(const struct facts *f, struct findings *out);
void rule_vm_cpu_features(const struct facts *f, struct findings *out);
void rule_vm_disk_aio(const struct facts *f, struct findings *out);
void rule_vm_nic_queues(const struct facts *f, struct findings *out);
void rule_kvm_halt_poll(const struct facts *f, struct findings *out);
void rule_kvm_vhost_net(const struct facts *f, struct findings *out);
void rule_guest_cpu_model(const struct facts *f, struct findings *out);
void rule_guest_disk_driver(const struct facts *f, struct findings *out);
void rule_guest_nic_driver(const struct facts *f, struct findings *out);
void rule_guest_clocksource(const struct facts *f, struct findings *out);
void rule_guest_steal(const struct facts *f, struct findings *out);
void rule_guest_cloud_nic(const struct facts *f, struct findings *out);

/* Weigh a finding with what was measured (f->measured), if anything:
 * evidence and severity. */
void weigh_measured_clock(const struct facts *f, struct findings *out, struct finding *x);
void weigh_measured_cstate_cost(const struct facts *f, struct findings *out, struct finding *x);

/* Shared by the rules. */
enum vm_fix_kind {
	VM_FIX_ACCEL,
	VM_FIX_CPU_MODE,
	VM_FIX_VCPU_PIN,
	VM_FIX_EMULATOR_PIN,
	VM_FIX_NUMA,
	VM_FIX_DISK_BUS,
	VM_FIX_DISK_IOTHREAD,
	VM_FIX_DISK_CACHE,
	VM_FIX_NIC_MODEL,
	VM_FIX_NIC_VHOST,
	VM_FIX_HUGEPAGES,
	VM_FIX_BALLOON,
	VM_FIX_HPET,
	VM_FIX_CPU_FEATURES,
	VM_FIX_DISK_AIO,
	VM_FIX_NIC_QUEUES,
};
/* Sets X's fix to KIND's fix on the platforms that manage VM (NULL for a
 * finding made inside a guest, which gets its cloud's or every stack's). */
void vm_fix(struct findings *out, struct finding *x, const struct facts *f, enum vm_fix_kind kind,
	    const struct vm *vm);

/* Fix advice and actions (fix.c). */
/* How the distribution found adds PARAMS to the kernel command line. */
void fix_cmdline_text(const struct facts *f, const char *params, char *out, size_t outsz);
/* Runtime writes of WANT to FILE of every policy alike P by SAME, and the
 * write at boot for every policy. */
void fix_policies(const struct facts *f, struct findings *out, struct finding *x,
		  const struct cpufreq_policy *p,
		  bool (*same)(const struct facts *, const struct cpufreq_policy *,
			       const struct cpufreq_policy *),
		  const char *file, const char *want);
/* sysctl KEY to WANT now (NOW the value read, -1 unknown) and at boot. */
void fix_sysctl(struct findings *out, struct finding *x, const char *key, long now,
		const char *want);

/* Whether a policy's governor keeps its clock low under light load (not
 * performance, nor held at the top by a raised minimum). */
bool cpu_policy_slow(const struct facts *f, const struct cpufreq_policy *p);
/* Whether a policy's energy_performance_preference is not performance. */
bool cpu_epp_slow(const struct cpufreq_policy *p);
/* The deepest idle state CPU C can still enter that counts as deep (exit
 * latency above DEEP_IDLE_LATENCY_US, within any PM QoS limit); NULL. */
const struct idle_state *cpu_deep_idle(const struct facts *f, const struct cpu *c);
/* The actions that disable each deep idle state, on ONLY's CPUs (every
 * online CPU when NULL), runtime and persistent, variant "disable". */
void cpu_cstate_actions(const struct facts *f, struct findings *out, struct finding *x,
			const struct cpuset *only);

/* "cpu 3" or "cpus 0-7,16-23" */
void cpus_subject(const struct cpuset *cpus, char *out, size_t outsz);
/* Whether this policy's driver runs its own algorithm (intel_pstate and
 * amd-pstate-epp in active mode), where "powersave" follows load. */
bool policy_active_mode(const struct cpufreq_policy *p);
/* Calls EACH once for every group of policies alike by SAME, with the
 * group's first policy, the union of its CPUs and how many policies it has. */
void policy_groups(const struct facts *f, struct findings *out,
		   bool (*same)(const struct facts *, const struct cpufreq_policy *,
				const struct cpufreq_policy *),
		   void (*each)(const struct facts *, struct findings *,
				const struct cpufreq_policy *, const struct cpuset *, int));

#endif

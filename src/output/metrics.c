/* The report's families. Names follow Prometheus's conventions: base units
 * (seconds, hertz, ratios), "_info" families for what is only labels, and
 * labels that take few values (a policy, an idle state's name, a VM), never
 * a measured number. A fact that could not be read has no sample: an absent
 * series says "unknown", a 0 would lie. */
#include "metrics.h"

#include <stdio.h>
#include <string.h>

#include "../facts/facts.h"
#include "output.h"

static void findings(struct prom_set *s, const struct findings *fs)
{
	struct prom_family *one = prom_family(s, PROM_GAUGE, "latdoc_finding", NULL,
					      "A finding of the last audit, 1 while it holds (docs/CHECKS.md).");
	struct prom_family *count = prom_family(s, PROM_GAUGE, "latdoc_findings", NULL,
						"Findings of the last audit by severity.");
	double per[SEV_CRITICAL + 1] = { 0 };

	for (size_t i = 0; i < fs->count; i++) {
		const struct finding *x = &fs->items[i];
		prom_add(s, one, 1, "id", x->id, "severity", severity_name(x->severity), "subject", x->subject,
			 NULL);
		per[x->severity]++;
	}
	for (int sev = SEV_INFO; sev <= SEV_CRITICAL; sev++)
		prom_add(s, count, per[sev], "severity", severity_name(sev), NULL);
}

static void host(struct prom_set *s, const struct facts *f)
{
	prom_add(s, prom_family(s, PROM_INFO, "latdoc_host", NULL,
				"The machine audited: kernel, OS and platform (role, hypervisor, cloud)."),
		 1, "kernel", f->kernel, "os", f->os.pretty, "role", platform_role_name(f->platform.role),
		 "hypervisor", f->platform.hypervisor, "cloud", f->platform.cloud, NULL);
	prom_add(s, prom_family(s, PROM_GAUGE, "latdoc_cpus_online", NULL, "Online CPUs."),
		 (double)cpuset_count(&f->online), NULL);
	if (f->nodes > 0)
		prom_add(s, prom_family(s, PROM_GAUGE, "latdoc_numa_nodes", NULL, "NUMA nodes."), f->nodes,
			 NULL);
	if (f->clocksource[0])
		prom_add(s, prom_family(s, PROM_INFO, "latdoc_clocksource", NULL,
					"The kernel's current clocksource."),
			 1, "clocksource", f->clocksource, NULL);
}

/* The mode of DRIVER: intel_pstate's or amd-pstate's status, "" for a
 * driver without modes. */
static const char *driver_mode(const struct facts *f, const char *driver)
{
	if (!strcmp(driver, "intel_pstate") || !strcmp(driver, "intel_cpufreq"))
		return f->cpufreq.intel_pstate;
	if (!strncmp(driver, "amd-pstate", 10))
		return f->cpufreq.amd_pstate;
	return "";
}

static void khz(struct prom_set *s, struct prom_family *fam, long v, const char *policy)
{
	if (v > 0 && v != FACT_UNKNOWN)
		prom_add(s, fam, 1e3 * (double)v, "policy", policy, NULL);
}

static void cpufreq(struct prom_set *s, const struct facts *f)
{
	struct prom_family *drv = prom_family(s, PROM_INFO, "latdoc_cpufreq_driver", NULL,
					      "A cpufreq driver in use and its mode (intel_pstate and "
					      "amd-pstate status: active, passive, guided).");
	struct prom_family *pol = prom_family(s, PROM_INFO, "latdoc_cpufreq_policy", NULL,
					      "A cpufreq policy's driver, governor and energy-performance "
					      "preference (EPP).");
	struct prom_family *cpus = prom_family(s, PROM_GAUGE, "latdoc_cpufreq_policy_cpus", NULL,
					       "CPUs in a cpufreq policy.");
	struct prom_family *min = prom_family(s, PROM_GAUGE, "latdoc_cpufreq_policy_min_hertz", "hertz",
					      "scaling_min_freq: the lowest clock the policy allows.");
	struct prom_family *max = prom_family(s, PROM_GAUGE, "latdoc_cpufreq_policy_max_hertz", "hertz",
					      "scaling_max_freq: the highest clock the policy allows.");
	struct prom_family *cur = prom_family(s, PROM_GAUGE, "latdoc_cpufreq_policy_current_hertz", "hertz",
					      "scaling_cur_freq: usually the clock last asked for, not "
					      "measured.");
	struct prom_family *hwmax = prom_family(s, PROM_GAUGE, "latdoc_cpufreq_policy_hardware_max_hertz",
						"hertz", "cpuinfo_max_freq: the highest clock of the hardware.");
	struct prom_family *base = prom_family(s, PROM_GAUGE, "latdoc_cpufreq_policy_base_hertz", "hertz",
					       "base_frequency: the clock without turbo.");

	prom_add(s, prom_family(s, PROM_GAUGE, "latdoc_cpufreq_policies", NULL,
				"cpufreq policies; 0: no cpufreq driver, the firmware owns the clock."),
		 (double)f->cpufreq.count, NULL);
	for (size_t i = 0; i < f->cpufreq.count; i++) {
		const struct cpufreq_policy *p = &f->cpufreq.policies[i];
		if (p->driver[0])
			prom_add(s, drv, 1, "driver", p->driver, "mode", driver_mode(f, p->driver), NULL);
		prom_add(s, pol, 1, "policy", p->name, "driver", p->driver, "governor", p->governor, "epp",
			 p->epp, NULL);
		prom_add(s, cpus, (double)cpuset_count(&p->cpus), "policy", p->name, NULL);
		khz(s, min, p->min_khz, p->name);
		khz(s, max, p->max_khz, p->name);
		khz(s, cur, p->cur_khz, p->name);
		khz(s, hwmax, p->hw_max_khz, p->name);
		khz(s, base, p->base_khz, p->name);
	}
	/* turbo: cpufreq/boost where the driver has it, else intel_pstate's no_turbo */
	int boost = f->cpufreq.boost >= 0 ? f->cpufreq.boost : f->cpufreq.no_turbo >= 0 ? !f->cpufreq.no_turbo : -1;
	if (boost >= 0)
		prom_add(s, prom_family(s, PROM_GAUGE, "latdoc_cpufreq_boost_enabled", NULL,
					"1 when turbo (boost) is allowed, 0 when it is off."),
			 boost, NULL);
	if (f->cpufreq.min_perf_pct >= 0 && f->cpufreq.min_perf_pct != FACT_UNKNOWN)
		prom_add(s, prom_family(s, PROM_GAUGE, "latdoc_cpufreq_min_perf_ratio", "ratio",
					"intel_pstate min_perf_pct as a ratio of the highest turbo level."),
			 f->cpufreq.min_perf_pct / 100.0, NULL);
}

struct idle_name {
	const char *name;
	long latency_us, residency_us;
	unsigned cpus, enabled;
};

static void cpuidle(struct prom_set *s, const struct facts *f)
{
	struct idle_name names[METRICS_MAX_IDLE_STATES];
	size_t n = 0;

	if (f->cpuidle.driver[0])
		prom_add(s, prom_family(s, PROM_INFO, "latdoc_cpuidle", NULL,
					"The cpuidle driver and governor."),
			 1, "driver", f->cpuidle.driver, "governor", f->cpuidle.governor, NULL);
	/* by name, never by index: state3 is C6 on one CPU and C3 on another */
	for (size_t i = 0; i < f->ncpus; i++) {
		const struct cpu *c = &f->cpus[i];
		if (!c->online)
			continue;
		for (size_t k = 0; k < c->nstates; k++) {
			const struct idle_state *st = &c->states[k];
			size_t j = 0;
			while (j < n && strcmp(names[j].name, st->name))
				j++;
			if (j == n) {
				if (n == METRICS_MAX_IDLE_STATES || !st->name[0])
					continue;
				names[n++] = (struct idle_name){ st->name, -1, -1, 0, 0 };
			}
			if (st->latency_us > names[j].latency_us)
				names[j].latency_us = st->latency_us;
			if (st->residency_us > names[j].residency_us)
				names[j].residency_us = st->residency_us;
			names[j].cpus++;
			names[j].enabled += st->disabled == 0;
		}
	}
	struct prom_family *lat = prom_family(s, PROM_GAUGE, "latdoc_cpuidle_state_exit_latency_seconds",
					      "seconds", "An idle state's exit latency (the highest among CPUs).");
	struct prom_family *res = prom_family(s, PROM_GAUGE, "latdoc_cpuidle_state_target_residency_seconds",
					      "seconds", "An idle state's target residency.");
	struct prom_family *cpus = prom_family(s, PROM_GAUGE, "latdoc_cpuidle_state_cpus", NULL,
					       "Online CPUs that have the idle state.");
	struct prom_family *en = prom_family(s, PROM_GAUGE, "latdoc_cpuidle_state_enabled_cpus", NULL,
					     "Online CPUs on which the idle state is enabled (not disabled "
					     "in sysfs; a PM QoS limit may still keep CPUs out of it).");
	for (size_t j = 0; j < n; j++) {
		if (names[j].latency_us >= 0)
			prom_add(s, lat, names[j].latency_us / 1e6, "state", names[j].name, NULL);
		if (names[j].residency_us >= 0)
			prom_add(s, res, names[j].residency_us / 1e6, "state", names[j].name, NULL);
		prom_add(s, cpus, names[j].cpus, "state", names[j].name, NULL);
		prom_add(s, en, names[j].enabled, "state", names[j].name, NULL);
	}
}

static void pm_qos(struct prom_set *s, const struct facts *f)
{
	unsigned limited = 0;
	bool global_known = f->dma_latency_us != FACT_UNKNOWN;
	bool global_held = global_known && f->dma_latency_us < PM_QOS_DEFAULT_US;

	for (size_t i = 0; i < f->ncpus; i++) {
		long v = f->cpus[i].resume_latency_us;
		limited += v != FACT_UNKNOWN && v >= 0;
	}
	if (global_known)
		prom_add(s, prom_family(s, PROM_GAUGE, "latdoc_pm_qos_cpu_dma_latency_seconds", "seconds",
					"The effective /dev/cpu_dma_latency limit (2000 when none is held); "
					"readable by root only."),
			 f->dma_latency_us / 1e6, NULL);
	prom_add(s, prom_family(s, PROM_GAUGE, "latdoc_pm_qos_resume_latency_limited_cpus", NULL,
				"CPUs with a pm_qos_resume_latency_us limit of their own."),
		 limited, NULL);
	/* "none held" needs the global limit read: without root only a
	 * per-CPU limit can say "held" */
	if (global_known || limited)
		prom_add(s, prom_family(s, PROM_GAUGE, "latdoc_pm_qos_held", NULL,
					"1 while a PM QoS latency limit is held (global or per CPU), 0 when "
					"none is."),
			 global_held || limited, NULL);
	/* who holds it, by command: a pid would make a new series at every
	 * restart of the holder */
	for (size_t i = 0; i < f->pm_qos.nholders; i++) {
		const char *comm = f->pm_qos.holders[i].comm;
		size_t same = 0;
		bool seen = false;
		for (size_t j = 0; j < f->pm_qos.nholders; j++) {
			seen |= j < i && !strcmp(f->pm_qos.holders[j].comm, comm);
			same += !strcmp(f->pm_qos.holders[j].comm, comm);
		}
		if (!seen)
			prom_add(s, prom_family(s, PROM_GAUGE, "latdoc_pm_qos_holders", NULL,
						"Processes that hold /dev/cpu_dma_latency open, by command "
						"(root only: the processes' open files)."),
				 (double)same, "command", comm, NULL);
	}
}

static void memory(struct prom_set *s, const struct facts *f)
{
	if (f->mem.thp_enabled[0])
		prom_add(s, prom_family(s, PROM_INFO, "latdoc_memory_transparent_hugepage", NULL,
					"Transparent huge pages: enabled and defrag (always, madvise, never)."),
			 1, "enabled", f->mem.thp_enabled, "defrag", f->mem.thp_defrag, NULL);
	if (f->mem.ksm_run >= 0)
		prom_add(s, prom_family(s, PROM_GAUGE, "latdoc_memory_ksm_run", NULL,
					"KSM: 0 stopped, 1 running, 2 stopped and unmerging."),
			 f->mem.ksm_run, NULL);
	if (f->mem.ksm_pages_sharing >= 0)
		prom_add(s, prom_family(s, PROM_GAUGE, "latdoc_memory_ksm_pages_sharing", NULL,
					"Pages KSM has merged into shared ones."),
			 (double)f->mem.ksm_pages_sharing, NULL);
	if (f->mem.numa_balancing >= 0)
		prom_add(s, prom_family(s, PROM_GAUGE, "latdoc_kernel_numa_balancing", NULL,
					"1 when automatic NUMA balancing is on."),
			 f->mem.numa_balancing, NULL);
}

/* Devices counted by a word (a bus, a model): a few distinct words per VM,
 * and one more bucket for any beyond those. */
#define TALLY_WORDS 16
struct tally {
	const char *word[TALLY_WORDS + 1];
	unsigned count[TALLY_WORDS + 1];
	size_t n;
};

static void tally(struct tally *t, const char *word)
{
	size_t i = 0;
	if (!word[0])
		word = "unknown";
	while (i < t->n && strcmp(t->word[i], word))
		i++;
	if (i == t->n) {
		if (t->n < TALLY_WORDS) {
			t->n++;
		} else {
			word = "other";
			i = TALLY_WORDS;
		}
		t->word[i] = word;
	}
	t->count[i]++;
}

static void tally_add(struct prom_set *s, struct prom_family *fam, const struct tally *t,
		      const char *vm, const char *label)
{
	for (size_t i = 0; i <= TALLY_WORDS; i++)
		if (t->count[i])
			prom_add(s, fam, t->count[i], "vm", vm, label, t->word[i], NULL);
}

static void vms(struct prom_set *s, const struct facts *f)
{
	struct prom_family *info = prom_family(s, PROM_INFO, "latdoc_vm", NULL,
					       "A VM on this KVM host: its type (kvm, qemu for TCG) and CPU "
					       "mode.");
	struct prom_family *running = prom_family(s, PROM_GAUGE, "latdoc_vm_running", NULL,
						  "1 when the VM runs, 0 when it is only defined.");
	struct prom_family *vcpus = prom_family(s, PROM_GAUGE, "latdoc_vm_vcpus", NULL, "A VM's vCPUs.");
	struct prom_family *pinned = prom_family(s, PROM_GAUGE, "latdoc_vm_vcpus_pinned", NULL,
						 "A VM's vCPUs with a host CPU pin of their own.");
	struct prom_family *disks = prom_family(s, PROM_GAUGE, "latdoc_vm_disks", NULL,
						"A VM's disks (not CD-ROMs) by bus.");
	struct prom_family *nics = prom_family(s, PROM_GAUGE, "latdoc_vm_nics", NULL,
					       "A VM's NICs by model (the type for passthrough).");

	if (!f->platform.kvm_host && !f->virt.count)
		return;
	prom_add(s, prom_family(s, PROM_GAUGE, "latdoc_vms", NULL, "VMs seen on this host."),
		 (double)f->virt.count, NULL);
	for (size_t i = 0; i < f->virt.count && i < METRICS_MAX_VMS; i++) {
		const struct vm *vm = &f->virt.vms[i];
		const struct vm_view *v = vm_effective(vm);
		const char *name = vm->name[0] ? vm->name : vm->uuid;
		if (!v)
			continue;
		prom_add(s, info, 1, "vm", name, "type", v->type, "cpu_mode", v->cpu_mode[0] ? v->cpu_mode : "custom",
			 NULL);
		prom_add(s, running, vm->view[VM_RUNNING] || vm->view[VM_PROCESS], "vm", name, NULL);
		prom_add(s, vcpus, v->vcpus, "vm", name, NULL);
		prom_add(s, pinned, v->vcpus_pinned, "vm", name, NULL);
		struct tally buses = { 0 }, models = { 0 };
		for (size_t d = 0; d < v->ndisks; d++)
			if (!v->disks[d].device[0] || !strcmp(v->disks[d].device, "disk"))
				tally(&buses, v->disks[d].bus);
		/* passthrough has no model: its type (hostdev) stands for it */
		for (size_t d = 0; d < v->nnics; d++)
			tally(&models, v->nics[d].model[0] ? v->nics[d].model : v->nics[d].type);
		tally_add(s, disks, &buses, name, "bus");
		tally_add(s, nics, &models, name, "model");
	}
}

void metrics_report(struct prom_set *s, const struct report *r)
{
	const struct facts *f = &r->facts;

	findings(s, &r->findings);
	host(s, f);
	cpufreq(s, f);
	cpuidle(s, f);
	pm_qos(s, f);
	memory(s, f);
	vms(s, f);
	prom_add(s, prom_family(s, PROM_GAUGE, "latdoc_audit_problems", NULL,
				"Files that were there but could not be used in the last audit (the "
				"exporter's log names them)."),
		 (double)f->nproblems, NULL);
	metrics_measured(s, f->measured.freq, f->measured.wake);
}

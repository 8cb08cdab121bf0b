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
	{ "mem.thp", "transparent huge pages always on", rule_mem_thp },
	{ "mem.ksm", "KSM is merging pages", rule_mem_ksm },
	{ "mem.numa_balancing", "automatic NUMA balancing on a multi-node host",
	  rule_mem_numa_balancing },
	{ "cpu.epb", "energy_perf_bias favours power", rule_cpu_epb },
	{ "cpu.boost", "turbo / boost is off", rule_cpu_boost },
	{ "cpu.pm_qos", "a PM QoS latency limit is held", rule_cpu_pm_qos },
	{ "mem.swappiness", "swappiness above the latency profiles' 10", rule_mem_swappiness },
};
const size_t rules_count = sizeof(rules) / sizeof(rules[0]);

void rules_run(const struct facts *f, struct findings *out, const char *only)
{
	for (size_t i = 0; i < rules_count; i++) {
		if (only && strncmp(rules[i].id, only, strlen(only)))
			continue;
		size_t before = out->count;
		rules[i].run(f, out);
		for (size_t j = before; j < out->count; j++)
			out->items[j].order = (unsigned)i;
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
		   bool (*same)(const struct cpufreq_policy *, const struct cpufreq_policy *),
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
			if (taken[j] || !same(p, q))
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

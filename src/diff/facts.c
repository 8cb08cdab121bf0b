/* The settings a diff compares: one table, a row a fact. A row names where
 * the fact is in the check --json document (PATH, "[]" for every element
 * of an array) or a function that makes its value, how to compare it, how
 * much a difference costs, and the check that weighs it: a difference
 * that a finding on either side is about ranks by that finding's
 * severity. Values unknown on a side (null) are not a difference; NONE
 * says what absence means where it means something ("none"). */
#include "diff.h"

#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "values.h"
#include "../output/json_util.h"

struct fact {
	const char *key;   /* stable, for programs */
	const char *label; /* in words */
	const char *path;  /* below the document; NULL when FN makes the value */
	bool (*fn)(json_object *doc, char *out, size_t outsz, double *num);
	const char *unit;
	double scale;     /* numbers times this (kHz to MHz: 0.001) */
	double tolerance; /* numbers within this fraction are alike */
	int cost;         /* 0-100: how much a difference weighs */
	const char *check;
	const char *none; /* what absence reads as; NULL: unknown, not compared */
};

static bool platform(json_object *doc, char *out, size_t outsz, double *num)
{
	(void)num;
	const char *role = json_string_at(doc, "host.platform.role");
	const char *hv = json_string_at(doc, "host.platform.hypervisor");
	const char *cloud = json_string_at(doc, "host.platform.cloud");
	const char *mgr = json_string_at(doc, "facts.virt.manager");
	bool host = json_object_get_boolean(json_at(doc, "host.platform.kvm_host"));

	if (!role)
		return false;
	/* the words of check's text report (platform_describe) */
	bool guest = !strcmp(role, "guest");
	snprintf(out, outsz, "%s%s%s%s%s%s%s%s%s", guest ? "VM guest (" : !strcmp(role, "bare-metal") ? "bare metal" : "platform unknown",
		 guest ? (hv ? hv : "unknown hypervisor") : "", guest ? ")" : "", cloud ? " on " : "",
		 cloud ? cloud : "", host ? ", KVM host" : "", mgr ? " (" : "", mgr ? mgr : "", mgr ? ")" : "");
	return true;
}

/* intel_pstate active, amd_pstate passive, ... */
static bool cpufreq_mode(json_object *doc, char *out, size_t outsz, double *num)
{
	(void)num;
	const char *ip = json_string_at(doc, "facts.cpufreq.intel_pstate");
	const char *ap = json_string_at(doc, "facts.cpufreq.amd_pstate");
	if (!ip && !ap)
		return false;
	snprintf(out, outsz, "%s%s%s%s%s", ip ? "intel_pstate " : "", ip ? ip : "", ip && ap ? ", " : "",
		 ap ? "amd_pstate " : "", ap ? ap : "");
	return true;
}

static bool boost(json_object *doc, char *out, size_t outsz, double *num)
{
	(void)num;
	json_object *nt = json_at(doc, "facts.cpufreq.no_turbo"), *b = json_at(doc, "facts.cpufreq.boost");
	if (json_object_is_type(nt, json_type_boolean))
		snprintf(out, outsz, "%s", json_object_get_boolean(nt) ? "off (no_turbo)" : "on");
	else if (json_object_is_type(b, json_type_boolean))
		snprintf(out, outsz, "%s", json_object_get_boolean(b) ? "on" : "off");
	else
		return false;
	return true;
}

/* The clock the CPUs run at now, as the kernel reports it: what showed
 * 1200 of 2400 MHz in the story. A moving value: alike within 25%. */
static bool clock_now(json_object *doc, char *out, size_t outsz, double *num)
{
	double mhz = values_median(doc, "facts.cpus[].cpuinfo_mhz");
	if (isnan(mhz))
		mhz = values_median(doc, "facts.cpufreq.policies[].cur_khz") / 1000;
	if (isnan(mhz) || mhz <= 0)
		return false;
	*num = mhz;
	snprintf(out, outsz, "%.0f MHz (median)", mhz);
	return true;
}

/* The idle states a CPU may enter, with their exit latency: those enabled
 * on any online CPU. Usage counters are noise and not looked at. */
static bool idle_states(json_object *doc, char *out, size_t outsz, double *num)
{
	(void)num;
	json_object *cpus = json_at(doc, "facts.cpus");
	struct values v = { .numeric = false };
	size_t n = json_object_is_type(cpus, json_type_array) ? json_object_array_length(cpus) : 0;
	bool any = false;

	for (size_t i = 0; i < n; i++) {
		json_object *c = json_object_array_get_idx(cpus, i), *states = json_at(c, "idle_states");
		if (!json_object_get_boolean(json_at(c, "online")) || !json_object_is_type(states, json_type_array))
			continue;
		for (size_t k = 0, ns = json_object_array_length(states); k < ns; k++) {
			json_object *s = json_object_array_get_idx(states, k);
			const char *name = json_string_at(s, "name");
			json_object *lat = json_at(s, "latency_us");
			any = true;
			if (!name || json_object_get_boolean(json_at(s, "disabled")))
				continue;
			char text[128];
			if (lat)
				snprintf(text, sizeof(text), "%s (%lld us)", name, (long long)json_object_get_int64(lat));
			else
				snprintf(text, sizeof(text), "%s", name);
			values_add(&v, text, NAN);
		}
	}
	if (!any)
		return false;
	values_join(&v, NULL, out, outsz);
	if (!v.n)
		snprintf(out, outsz, "none enabled");
	return true;
}

static bool dma_latency(json_object *doc, char *out, size_t outsz, double *num)
{
	(void)num;
	json_object *v = json_at(doc, "facts.pm_qos.cpu_dma_latency_us");
	if (!json_object_is_type(v, json_type_int))
		return false;
	long long us = json_object_get_int64(v);
	if (us >= 2000000000LL)
		snprintf(out, outsz, "no limit");
	else
		snprintf(out, outsz, "%lld us", us);
	return true;
}

/* Per-CPU resume latency limits: 0 no limit, "n/a" no idle state. */
static bool resume_latency(json_object *doc, char *out, size_t outsz, double *num)
{
	(void)num;
	struct values v;
	values_at(doc, "facts.cpus[].pm_qos_resume_latency_us", 0, &v);
	if (!v.n)
		return false;
	for (size_t i = 0; i < v.n; i++)
		if (!strcmp(v.v[i], "0"))
			snprintf(v.v[i], sizeof(v.v[i]), "no limit");
		else if (!strcmp(v.v[i], "n/a"))
			snprintf(v.v[i], sizeof(v.v[i]), "no idle state");
		else
			snprintf(v.v[i] + strlen(v.v[i]), sizeof(v.v[i]) - strlen(v.v[i]), " us");
	values_join(&v, NULL, out, outsz);
	return true;
}

static bool ksm(json_object *doc, char *out, size_t outsz, double *num)
{
	(void)num;
	json_object *v = json_at(doc, "facts.memory.ksm_run");
	if (!json_object_is_type(v, json_type_int))
		return false;
	int run = json_object_get_int(v);
	snprintf(out, outsz, "%s", run == 1 ? "running" : run == 2 ? "unmerging" : "off");
	return true;
}

static const struct fact facts[] = {
	{ "platform", "platform", NULL, platform, NULL, 0, 0, 50, "guest", NULL },
	{ "cpu.model", "CPU model", "facts.cpu.model_name", NULL, NULL, 0, 0, 45, "guest.cpu.model", NULL },
	{ "cpu.count", "CPUs", "facts.cpu.count", NULL, NULL, 0, 0, 30, NULL, NULL },
	{ "cpu.numa_nodes", "NUMA nodes", "facts.cpu.numa_nodes", NULL, NULL, 0, 0, 20, "mem.numa_balancing", NULL },
	{ "cpu.rated_mhz", "rated clock", "facts.cpu.nominal_mhz", NULL, "MHz", 0, 0, 40, NULL, NULL },
	{ "cpufreq.max_mhz", "highest clock (cpuinfo_max_freq)", "facts.cpufreq.policies[].hw_max_khz", NULL,
	  "MHz", 0.001, 0, 35, "cpu.boost", NULL },
	{ "cpu.clock_now", "clock now", NULL, clock_now, NULL, 0, 0.25, 70, "cpu.freq.low", NULL },
	{ "cpufreq.driver", "cpufreq driver", "facts.cpufreq.policies[].driver", NULL, NULL, 0, 0, 60,
	  "cpu.firmware_pm", "none (the firmware sets the clock)" },
	{ "cpufreq.mode", "cpufreq driver mode", NULL, cpufreq_mode, NULL, 0, 0, 55, "cpu.governor", NULL },
	{ "cpufreq.governor", "cpufreq governor", "facts.cpufreq.policies[].governor", NULL, NULL, 0, 0, 90,
	  "cpu.governor", NULL },
	{ "cpufreq.min_mhz", "lowest clock allowed (scaling_min_freq)", "facts.cpufreq.policies[].min_khz", NULL,
	  "MHz", 0.001, 0, 35, "cpu.governor", NULL },
	{ "cpufreq.epp", "energy performance preference", "facts.cpufreq.policies[].epp", NULL, NULL, 0, 0, 80,
	  "cpu.epp", NULL },
	{ "cpufreq.boost", "turbo / boost", NULL, boost, NULL, 0, 0, 45, "cpu.boost", NULL },
	{ "cpuidle.driver", "cpuidle driver", "facts.cpuidle.driver", NULL, NULL, 0, 0, 50, "cpu.cstate.deep",
	  "none" },
	{ "cpuidle.governor", "cpuidle governor", "facts.cpuidle.governor", NULL, NULL, 0, 0, 30,
	  "cpu.cstate.deep", NULL },
	{ "cpuidle.states", "idle states enabled (exit latency)", NULL, idle_states, NULL, 0, 0, 85,
	  "cpu.cstate.deep", NULL },
	{ "pm_qos.cpu_dma_latency", "PM QoS limit (/dev/cpu_dma_latency)", NULL, dma_latency, NULL, 0, 0, 60,
	  "cpu.pm_qos", NULL },
	{ "pm_qos.resume_latency", "PM QoS per-CPU resume limit", NULL, resume_latency, NULL, 0, 0, 40,
	  "cpu.pm_qos", NULL },
	{ "kernel.clocksource", "clocksource", "facts.kernel.clocksource", NULL, NULL, 0, 0, 60,
	  "guest.clocksource", NULL },
	{ "memory.thp", "transparent huge pages", "facts.memory.thp_enabled", NULL, NULL, 0, 0, 40, "mem.thp",
	  NULL },
	{ "memory.thp_defrag", "THP defrag", "facts.memory.thp_defrag", NULL, NULL, 0, 0, 25, "mem.thp", NULL },
	{ "memory.ksm", "KSM", NULL, ksm, NULL, 0, 0, 40, "mem.ksm", NULL },
	{ "memory.numa_balancing", "automatic NUMA balancing", "facts.memory.numa_balancing", NULL, NULL, 0, 0,
	  35, "mem.numa_balancing", NULL },
	{ "guest.disk_drivers", "disk drivers", "facts.guest.disks[].driver", NULL, NULL, 0, 0, 70,
	  "guest.disk.driver", NULL },
	{ "guest.nic_drivers", "NIC drivers", "facts.guest.nics[].driver", NULL, NULL, 0, 0, 70,
	  "guest.nic.driver", NULL },
	{ "kvm.halt_poll_ns", "KVM halt polling", "facts.virt.halt_poll_ns", NULL, "ns", 0, 0, 30, "kvm.halt_poll",
	  NULL },
	{ "kernel.release", "kernel", "host.kernel", NULL, NULL, 0, 0, 15, NULL, NULL },
	{ "os", "operating system", "host.os", NULL, NULL, 0, 0, 10, NULL, NULL },
};

/* The kernel parameters that change latency: each compared on its own,
 * absent being a value ("not set"). */
static const char *const kernel_params[] = {
	"intel_idle.max_cstate", "processor.max_cstate", "idle", "cpuidle.off", "intel_pstate",
	"amd_pstate", "cpufreq.default_governor", "processor.ignore_ppc", "nohz", "nohz_full",
	"isolcpus", "rcu_nocbs", "irqaffinity", "skew_tick", "nosmt", "mitigations",
	"transparent_hugepage", "numa_balancing", "clocksource", "tsc", "pcie_aspm", "nmi_watchdog",
	"nosoftlockup", "threadirqs", "preempt", "kvm.halt_poll_ns", "hugepages", "default_hugepagesz",
	"intel_iommu", "iommu",
};

/* The value of one fact, as text; false when unknown on that side. */
static bool fact_value(const struct fact *f, json_object *doc, char *out, size_t outsz, double *num)
{
	*num = NAN;
	if (f->fn)
		return f->fn(doc, out, outsz, num);
	struct values v;
	values_at(doc, f->path, f->scale, &v);
	if (!v.n) {
		if (f->none)
			snprintf(out, outsz, "%s", f->none);
		return f->none != NULL;
	}
	values_join(&v, f->unit, out, outsz);
	if (v.numeric && v.n == 1)
		*num = v.num[0];
	return true;
}

static bool alike(const char *a, const char *b, double na, double nb, double tolerance)
{
	if (tolerance > 0 && !isnan(na) && !isnan(nb)) {
		double hi = fabs(na) > fabs(nb) ? fabs(na) : fabs(nb);
		return fabs(na - nb) <= tolerance * hi;
	}
	return !strcmp(a, b);
}

/* Ranks a row: its table cost, above it the worst finding of its check on
 * either side. */
static void weigh(struct diff *d, struct diff_row *r, const struct diff_side *a, const struct diff_side *b,
		  int cost, const char *check)
{
	int sa = check ? diff_check_severity(d, a->doc, check) : -1;
	int sb = check ? diff_check_severity(d, b->doc, check) : -1;
	r->check = check;
	r->matters = true;
	r->worse = sa > sb ? 'a' : sb > sa ? 'b' : 0;
	r->cost = 100 * ((sa > sb ? sa : sb) + 1) + cost;
}

static void compare_row(struct diff *out, const struct diff_side *a, const struct diff_side *b,
			const char *key, const char *label, const char *va, const char *vb, int cost,
			const char *check)
{
	struct diff_row *r = diff_add(out, DIFF_FACT, key, label, va, vb);
	if (r)
		weigh(out, r, a, b, cost, check);
}

static void params(const struct diff_side *a, const struct diff_side *b, struct diff *out)
{
	for (size_t i = 0; i < sizeof(kernel_params) / sizeof(kernel_params[0]); i++) {
		const char *name = kernel_params[i];
		char key[96], label[96], va[128], vb[128];
		json_object *pa = json_at(a->doc, "facts.kernel.params"), *pb = json_at(b->doc, "facts.kernel.params");
		json_object *xa = NULL, *xb = NULL;
		/* parameter names hold dots: looked up whole */
		if (!json_object_is_type(pa, json_type_object) || !json_object_is_type(pb, json_type_object))
			return;
		json_object_object_get_ex(pa, name, &xa);
		json_object_object_get_ex(pb, name, &xb);
		snprintf(va, sizeof(va), "%s", !xa ? "not set" : json_object_is_type(xa, json_type_string)
							 ? json_object_get_string(xa) : "set");
		snprintf(vb, sizeof(vb), "%s", !xb ? "not set" : json_object_is_type(xb, json_type_string)
							 ? json_object_get_string(xb) : "set");
		if (!strcmp(va, vb))
			continue;
		snprintf(key, sizeof(key), "kernel.param.%s", name);
		snprintf(label, sizeof(label), "kernel parameter %s", name);
		compare_row(out, a, b, key, label, va, vb, 65, NULL);
	}
}

/* A VM's settings that the vm.* checks weigh, in words. */
struct vm_facts {
	char mode[96], pins[48], disks[128], nics[128];
};

static void vm_facts(json_object *vm, struct vm_facts *f)
{
	const char *mode = json_string_at(vm, "cpu.mode"), *model = json_string_at(vm, "cpu.model");
	struct values v;

	snprintf(f->mode, sizeof(f->mode), "%s%s%s", mode ? mode : "(default)", model ? " " : "",
		 model ? model : "");
	snprintf(f->pins, sizeof(f->pins), "%d of %d vCPUs pinned",
		 json_object_get_int(json_at(vm, "vcpus_pinned")), json_object_get_int(json_at(vm, "vcpus")));
	values_at(vm, "disks[].bus", 0, &v);
	values_join(&v, NULL, f->disks, sizeof(f->disks));
	if (!v.n)
		snprintf(f->disks, sizeof(f->disks), "none");
	values_at(vm, "nics[].model", 0, &v);
	values_join(&v, NULL, f->nics, sizeof(f->nics));
	if (!v.n)
		snprintf(f->nics, sizeof(f->nics), "none");
}

/* A side's VMs by name, sorted: looking one up costs log n, whatever a
 * hostile report holds. */
struct named_vm {
	const char *name;
	json_object *vm;
};

static int by_name(const void *p, const void *q)
{
	return strcmp(((const struct named_vm *)p)->name, ((const struct named_vm *)q)->name);
}

static struct named_vm *named_vms(json_object *doc, size_t *n)
{
	json_object *vms = json_at(doc, "facts.virt.vms");
	size_t len = json_object_is_type(vms, json_type_array) ? json_object_array_length(vms) : 0, k = 0;
	struct named_vm *v = calloc(len + 1, sizeof(*v));

	for (size_t i = 0; v && i < len; i++) {
		json_object *vm = json_object_array_get_idx(vms, i);
		const char *name = json_string_at(vm, "name");
		if (name)
			v[k++] = (struct named_vm){ name, vm };
	}
	if (v)
		qsort(v, k, sizeof(*v), by_name);
	*n = k;
	return v;
}

static json_object *vm_named(const struct named_vm *v, size_t n, const char *name)
{
	struct named_vm key = { name, NULL }, *hit = n ? bsearch(&key, v, n, sizeof(*v), by_name) : NULL;
	return hit ? hit->vm : NULL;
}

/* The VMs by name: each setting of a VM on both sides, a VM on one side
 * whole. */
static void vms(const struct diff_side *a, const struct diff_side *b, struct diff *out)
{
	size_t n[2];
	struct named_vm *list[2] = { named_vms(a->doc, &n[0]), named_vms(b->doc, &n[1]) };

	if (!list[0] || !list[1]) {
		out->out_of_memory = true;
		goto out;
	}
	for (int side = 0; side < 2; side++) {
		for (size_t i = 0; i < n[side] && !out->out_of_memory; i++) {
			json_object *vm = list[side][i].vm;
			const char *name = list[side][i].name;
			if (i && !strcmp(name, list[side][i - 1].name))
				continue; /* a name twice: the first is compared */
			json_object *other = vm_named(list[!side], n[!side], name);
			if (other && side)
				continue; /* compared from A's side */
			struct vm_facts x, y;
			char key[160], label[160], whole[400];
			vm_facts(vm, &x);
			if (!other) {
				snprintf(key, sizeof(key), "vm.%.100s", name);
				snprintf(label, sizeof(label), "VM %.100s", name);
				snprintf(whole, sizeof(whole), "CPU %.90s; %.40s; disks %.110s; NICs %.110s", x.mode,
					 x.pins, x.disks, x.nics);
				compare_row(out, a, b, key, label, side ? NULL : whole, side ? whole : NULL, 50, "vm");
				continue;
			}
			vm_facts(other, &y);
			static const struct {
				const char *key, *label, *check;
				size_t off;
				int cost;
			} parts[] = {
				{ "cpu_mode", "CPU mode", "vm.cpu.mode", offsetof(struct vm_facts, mode), 75 },
				{ "pins", "pinning", "vm.vcpu.pin", offsetof(struct vm_facts, pins), 65 },
				{ "disk_bus", "disk bus", "vm.disk.bus", offsetof(struct vm_facts, disks), 75 },
				{ "nic_model", "NIC model", "vm.nic.model", offsetof(struct vm_facts, nics), 75 },
			};
			for (size_t p = 0; p < sizeof(parts) / sizeof(parts[0]); p++) {
				const char *va = (const char *)&x + parts[p].off, *vb = (const char *)&y + parts[p].off;
				if (!strcmp(va, vb))
					continue;
				snprintf(key, sizeof(key), "vm.%.100s.%s", name, parts[p].key);
				snprintf(label, sizeof(label), "VM %.100s: %s", name, parts[p].label);
				compare_row(out, a, b, key, label, va, vb, parts[p].cost, parts[p].check);
			}
		}
	}
out:
	free(list[0]);
	free(list[1]);
}

void diff_facts(const struct diff_side *a, const struct diff_side *b, struct diff *out)
{
	for (size_t i = 0; i < sizeof(facts) / sizeof(facts[0]); i++) {
		const struct fact *f = &facts[i];
		char va[512], vb[512];
		double na, nb;
		if (!fact_value(f, a->doc, va, sizeof(va), &na) || !fact_value(f, b->doc, vb, sizeof(vb), &nb))
			continue;
		if (alike(va, vb, na, nb, f->tolerance))
			continue;
		compare_row(out, a, b, f->key, f->label, va, vb, f->cost, f->check);
	}
	params(a, b, out);
	vms(a, b, out);
}

void diff_side_describe(const struct diff_side *s, char *out, size_t outsz)
{
	char plat[160] = "";
	double num;
	const char *host = json_string_at(s->doc, "host.hostname");
	const char *model = json_string_at(s->doc, "facts.cpu.model_name");
	json_object *count = json_at(s->doc, "facts.cpu.count");
	int len = snprintf(out, outsz, "%s", host ? host : "(no hostname)");

	if (platform(s->doc, plat, sizeof(plat), &num) && len >= 0 && (size_t)len < outsz)
		len += snprintf(out + len, outsz - (size_t)len, ", %s", plat);
	if (model && len >= 0 && (size_t)len < outsz)
		len += snprintf(out + len, outsz - (size_t)len, ", %s", model);
	if (count && len >= 0 && (size_t)len < outsz)
		snprintf(out + len, outsz - (size_t)len, ", %d CPUs", json_object_get_int(count));
}

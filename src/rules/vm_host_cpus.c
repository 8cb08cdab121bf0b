/* The host CPUs that run pinned vCPUs, judged for those CPUs alone: the
 * clock and idle states the host leaves them at (vm.host.cpus), CPU 0 and
 * their isolation where the VM asks for real-time vCPUs (vm.host.isolation),
 * and the host NICs' interrupts that may land on them (vm.host.irq). */
#include "vm_fix.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../parse/text.h"

/* The CPUs a kernel parameter lists: isolcpus=[flags,]LIST, nohz_full=LIST,
 * rcu_nocbs[=LIST] (bare, or "all": every CPU). */
static int param_cpus(const struct facts *f, const char *name, struct cpuset *out)
{
	const struct cmdline_param *p = cmdline_find(&f->cmdline, name);
	char buf[1024], *save = NULL;
	int err = 0;

	if (!p)
		return 0;
	if (!p->value || !strcmp(p->value, "all"))
		return cpuset_merge(out, &f->online);
	snprintf(buf, sizeof(buf), "%s", p->value);
	for (char *item = strtok_r(buf, ",", &save); item && !err; item = strtok_r(NULL, ",", &save)) {
		struct cpuset one = { 0 };
		if (isalpha((unsigned char)*item) || cpuset_parse(&one, item))
			continue; /* isolcpus' flags: nohz, domain, managed_irq */
		err = cpuset_merge(out, &one);
		cpuset_clear(&one);
	}
	return err;
}

/* What a VM's CPUs lack, gathered for the title, evidence and fix. */
struct host_cpus {
	struct cpuset slow, epp, idle, cpu0, not_iso[3];
	const struct cpufreq_policy *slow_policy, *epp_policy;
	const struct idle_state *worst;
	int worst_cpu;
};

static const char *const iso_params[3] = { "isolcpus", "nohz_full", "rcu_nocbs" };

static void host_cpus_clear(struct host_cpus *h)
{
	cpuset_clear(&h->slow);
	cpuset_clear(&h->epp);
	cpuset_clear(&h->idle);
	cpuset_clear(&h->cpu0);
	for (int i = 0; i < 3; i++)
		cpuset_clear(&h->not_iso[i]);
}

/* The CPUs of S in P. */
static int policy_part(const struct cpufreq_policy *p, const struct cpuset *s, struct cpuset *out)
{
	int err = 0;
	for (int cpu = 0; cpu < s->size && !err; cpu++)
		if (cpuset_has(s, cpu) && cpuset_has(&p->cpus, cpu))
			err = cpuset_add(out, cpu);
	return err;
}

static int judge(const struct facts *f, const struct vm_view *v, const struct cpuset *s,
		 struct host_cpus *h)
{
	int err = 0;

	memset(h, 0, sizeof(*h));
	for (size_t i = 0; i < f->cpufreq.count && !err; i++) {
		const struct cpufreq_policy *p = &f->cpufreq.policies[i];
		struct cpuset part = { 0 };
		err = policy_part(p, s, &part);
		if (!err && cpuset_count(&part) && cpu_policy_slow(f, p)) {
			err = cpuset_merge(&h->slow, &part);
			h->slow_policy = h->slow_policy ? h->slow_policy : p;
		} else if (!err && cpuset_count(&part) && cpu_epp_slow(p)) {
			err = cpuset_merge(&h->epp, &part);
			h->epp_policy = h->epp_policy ? h->epp_policy : p;
		}
		cpuset_clear(&part);
	}
	for (size_t i = 0; i < f->ncpus && !err; i++) {
		const struct cpu *c = &f->cpus[i];
		const struct idle_state *st = c->online && cpuset_has(s, c->id) ? cpu_deep_idle(f, c) : NULL;
		if (!st)
			continue;
		err = cpuset_add(&h->idle, c->id);
		if (!h->worst || st->latency_us > h->worst->latency_us) {
			h->worst = st;
			h->worst_cpu = c->id;
		}
	}
	if (!err && cpuset_has(s, 0))
		err = cpuset_add(&h->cpu0, 0);
	/* isolation matters where the VM asks for real-time vCPUs; CPU 0 stays
	 * the host's, whatever runs there (said above) */
	for (int k = 0; k < 3 && v->realtime && !err; k++) {
		struct cpuset iso = { 0 };
		err = param_cpus(f, iso_params[k], &iso);
		for (int cpu = 1; cpu < s->size && !err; cpu++)
			if (cpuset_has(s, cpu) && !cpuset_has(&iso, cpu))
				err = cpuset_add(&h->not_iso[k], cpu);
		cpuset_clear(&iso);
	}
	return err;
}

static bool clock_slow(const struct host_cpus *h)
{
	return cpuset_count(&h->slow) || cpuset_count(&h->epp) || cpuset_count(&h->idle);
}

static bool not_isolated(const struct host_cpus *h)
{
	bool iso = false;
	for (int k = 0; k < 3; k++)
		iso |= cpuset_count(&h->not_iso[k]) > 0;
	return iso || cpuset_count(&h->cpu0);
}

static void add_reason(char *out, size_t sz, const char *fmt, const char *arg)
{
	size_t len = strlen(out);
	snprintf(out + len, sz - len, "%s", len ? ", " : "");
	len = strlen(out);
	snprintf(out + len, sz - len, fmt, arg);
}

/* Runtime and persistent writes for the policies that hold S's CPUs. */
static void clock_actions(const struct facts *f, struct findings *out, struct finding *x,
			  const struct cpuset *s, const struct host_cpus *h)
{
	for (size_t i = 0; i < f->cpufreq.count; i++) {
		const struct cpufreq_policy *p = &f->cpufreq.policies[i];
		struct cpuset part = { 0 };
		char path[160];
		bool in = !policy_part(p, s, &part) && cpuset_count(&part);
		cpuset_clear(&part);
		if (!in)
			continue;
		/* the performance governor sets EPP to performance itself */
		const char *file = cpu_policy_slow(f, p) ? "scaling_governor"
				   : cpu_epp_slow(p)	 ? "energy_performance_preference"
							 : NULL;
		const char *now = file && !strcmp(file, "scaling_governor") ? p->governor : p->epp;
		if (!file)
			continue;
		snprintf(path, sizeof(path), "/%s/%s", p->dir, file);
		finding_action(out, x, FIX_SYSFS, FIX_RUNTIME, NEEDS_ROOT, path, NULL, now[0] ? now : NULL,
			       "performance");
		finding_action(out, x, FIX_SYSFS, FIX_PERSISTENT, NEEDS_ROOT, path, NULL, NULL,
			       "performance");
	}
	if (cpuset_count(&h->idle))
		cpu_cstate_actions(f, out, x, &h->idle);
}

/* isolcpus=managed_irq,domain,LIST and the others, each with the CPUs it
 * lists now and S's. */
static void isolation(const struct facts *f, struct findings *out, struct finding *x,
		      const struct host_cpus *h, char *params, size_t sz)
{
	params[0] = '\0';
	for (int k = 0; k < 3; k++) {
		struct cpuset want = { 0 };
		char list[256], value[300];
		size_t len = strlen(params);
		if (!cpuset_count(&h->not_iso[k]))
			continue;
		if (param_cpus(f, iso_params[k], &want) || cpuset_merge(&want, &h->not_iso[k])) {
			out->out_of_memory = true;
			cpuset_clear(&want);
			return;
		}
		cpuset_format(&want, list, sizeof(list));
		snprintf(value, sizeof(value), "%s%s", k == 0 ? "managed_irq,domain," : "", list);
		snprintf(params + len, sz - len, "%s%s=%s", len ? " " : "", iso_params[k], value);
		const struct cmdline_param *p = cmdline_find(&f->cmdline, iso_params[k]);
		finding_action(out, x, FIX_CMDLINE, FIX_PERSISTENT, NEEDS_ROOT | NEEDS_REBOOT, iso_params[k],
			       NULL, p && p->value ? p->value : NULL, value);
		cpuset_clear(&want);
	}
}

static void clock_finding(const struct facts *f, struct findings *out, const struct vm *vm,
			  const struct vm_cpus *c, const struct host_cpus *h)
{
	char reasons[512] = "", list[256], part[256], buf[96], src[160];
	const struct cpuset *s = &c->vcpu;

	cpuset_format(s, list, sizeof(list));
	if (cpuset_count(&h->slow))
		add_reason(reasons, sizeof(reasons), "the %s governor", h->slow_policy->governor);
	if (cpuset_count(&h->epp))
		add_reason(reasons, sizeof(reasons), "EPP %s", h->epp_policy->epp);
	if (cpuset_count(&h->idle)) {
		snprintf(buf, sizeof(buf), "%s (exit %ld us)", h->worst->name, h->worst->latency_us);
		add_reason(reasons, sizeof(reasons), "%s open", buf);
	}
	struct finding *x = vm_finding(out, SEV_WARNING, vm, "%s's vCPUs are pinned to host CPU%s %s: %s",
				       vm->name, cpuset_count(s) == 1 ? "" : "s", list, reasons);
	finding_evidence(out, x, c->vcpu_from, "vCPUs on CPU%s %s", cpuset_count(s) == 1 ? "" : "s", list);
	if (cpuset_count(&h->slow)) {
		cpuset_format(&h->slow, part, sizeof(part));
		snprintf(src, sizeof(src), "/%s/scaling_governor", h->slow_policy->dir);
		finding_evidence(out, x, src, "CPU%s %s: governor %s (driver %s)",
				 cpuset_count(&h->slow) == 1 ? "" : "s", part, h->slow_policy->governor,
				 h->slow_policy->driver);
	}
	if (cpuset_count(&h->epp)) {
		cpuset_format(&h->epp, part, sizeof(part));
		snprintf(src, sizeof(src), "/%s/energy_performance_preference", h->epp_policy->dir);
		finding_evidence(out, x, src, "CPU%s %s: energy_performance_preference %s",
				 cpuset_count(&h->epp) == 1 ? "" : "s", part, h->epp_policy->epp);
	}
	if (cpuset_count(&h->idle)) {
		cpuset_format(&h->idle, part, sizeof(part));
		snprintf(src, sizeof(src), "/sys/devices/system/cpu/cpu%d/cpuidle/state%d", h->worst_cpu,
			 h->worst->index);
		finding_evidence(out, x, src, "CPU%s %s may enter %s, exit latency %ld us",
				 cpuset_count(&h->idle) == 1 ? "" : "s", part, h->worst->name,
				 h->worst->latency_us);
	}
	finding_why(out, x,
		    "A pinned vCPU runs at the pace of its host CPU: a governor that ramps with load, "
		    "or a deep idle state the CPU sinks into whenever the guest halts, is paid on "
		    "every request the guest serves. The host-wide findings say it of every CPU; "
		    "this one says which VM pays.");

	clock_actions(f, out, x, s, h);
	char runtime[1024] = "", line[320];
	if (cpuset_count(&h->slow) || cpuset_count(&h->epp)) {
		struct cpuset clock = { 0 };
		if (cpuset_merge(&clock, &h->slow) || cpuset_merge(&clock, &h->epp))
			out->out_of_memory = true;
		cpuset_format(&clock, part, sizeof(part));
		cpuset_clear(&clock);
		snprintf(line, sizeof(line), "cpupower -c %s frequency-set -g performance", part);
		add_reason(runtime, sizeof(runtime), "%s", line);
	}
	if (cpuset_count(&h->idle)) {
		cpuset_format(&h->idle, part, sizeof(part));
		snprintf(line, sizeof(line), "cpupower -c %s idle-set -D %d (those CPUs only)", part,
			 DEEP_IDLE_LATENCY_US + 1);
		add_reason(runtime, sizeof(runtime), "%s", line);
	}
	finding_fix(out, x, runtime, "the same writes at boot for those CPUs' files (tmpfiles.d)");
}

static void isolation_finding(const struct facts *f, struct findings *out, const struct vm *vm,
			      const struct vm_view *v, const struct vm_cpus *c, const struct host_cpus *h)
{
	char reasons[256] = "", list[256], part[256];
	const struct cpuset *s = &c->vcpu;

	cpuset_format(s, list, sizeof(list));
	if (cpuset_count(&h->cpu0))
		add_reason(reasons, sizeof(reasons), "%s", "CPU 0, the host's, among them");
	if (cpuset_count(&h->not_iso[0]) || cpuset_count(&h->not_iso[1]) || cpuset_count(&h->not_iso[2]))
		add_reason(reasons, sizeof(reasons), "%s", "not isolated for its real-time vCPUs");
	struct finding *x = vm_finding(out, SEV_WARNING, vm, "%s's vCPUs are pinned to host CPU%s %s: %s",
				       vm->name, cpuset_count(s) == 1 ? "" : "s", list, reasons);
	finding_evidence(out, x, c->vcpu_from, "vCPUs on CPU%s %s", cpuset_count(s) == 1 ? "" : "s", list);
	if (cpuset_count(&h->cpu0))
		finding_evidence(out, x, c->vcpu_from, "CPU 0 runs a vCPU");
	for (int k = 0; k < 3; k++)
		if (cpuset_count(&h->not_iso[k])) {
			const struct cmdline_param *p = cmdline_find(&f->cmdline, iso_params[k]);
			cpuset_format(&h->not_iso[k], part, sizeof(part));
			finding_evidence(out, x, "/proc/cmdline", "%s%s%s: CPU%s %s not in it", iso_params[k],
					 p ? (p->value ? "=" : "") : " not set", p && p->value ? p->value : "",
					 cpuset_count(&h->not_iso[k]) == 1 ? "" : "s", part);
		}
	if (v->realtime)
		finding_evidence(out, x, v->where, "<vcpusched scheduler='fifo|rr'>: real-time vCPUs");
	finding_why(out, x,
		    "CPU 0 takes the kernel's timers and unbound interrupts, which preempt a vCPU "
		    "there. Real-time vCPUs need their CPUs kept from the scheduler's other work "
		    "(isolcpus, libvirt's real-time guide), from the tick (nohz_full) and from RCU "
		    "callbacks (rcu_nocbs).");

	char params[1024], persistent[1536] = "", line[1100];
	isolation(f, out, x, h, params, sizeof(params));
	if (params[0]) {
		fix_cmdline_text(f, params, line, sizeof(line));
		add_reason(persistent, sizeof(persistent), "%s", line);
	}
	finding_fix(out, x,
		    cpuset_count(&h->cpu0) ? "pin the vCPU off CPU 0: vm.vcpu.pin's plan keeps CPU 0 for "
					     "the host" : NULL,
		    persistent[0] ? persistent : NULL);
}

/* Calls EACH for every pinned, running (or, with none running, defined)
 * VM, with what its host CPUs lack. */
static void each_pinned(const struct facts *f, struct findings *out,
			void (*each)(const struct facts *, struct findings *, const struct vm *,
				     const struct vm_view *, const struct vm_cpus *, const struct host_cpus *))
{
	struct vm_cpus *c;

	if (!f->virt.count)
		return;
	if (!(c = calloc(f->virt.count, sizeof(*c))) || vm_cpus_read(f, c)) {
		vm_cpus_free(c, f->virt.count);
		out->out_of_memory = true;
		return;
	}
	for (size_t i = 0; i < f->virt.count; i++) {
		const struct vm *vm = &f->virt.vms[i];
		const struct vm_view *v = vm_effective(vm);
		struct host_cpus h;
		if (!c[i].counted || !cpuset_count(&c[i].vcpu) || !vm_accelerated(v))
			continue;
		if (judge(f, v, &c[i].vcpu, &h))
			out->out_of_memory = true;
		else
			each(f, out, vm, v, &c[i], &h);
		host_cpus_clear(&h);
	}
	vm_cpus_free(c, f->virt.count);
}

static void clock_of(const struct facts *f, struct findings *out, const struct vm *vm,
		     const struct vm_view *v, const struct vm_cpus *c, const struct host_cpus *h)
{
	(void)v;
	if (clock_slow(h))
		clock_finding(f, out, vm, c, h);
}

static void isolation_of(const struct facts *f, struct findings *out, const struct vm *vm,
			 const struct vm_view *v, const struct vm_cpus *c, const struct host_cpus *h)
{
	if (not_isolated(h))
		isolation_finding(f, out, vm, v, c, h);
}

void rule_vm_host_cpus(const struct facts *f, struct findings *out)
{
	each_pinned(f, out, clock_of);
}

void rule_vm_host_isolation(const struct facts *f, struct findings *out)
{
	each_pinned(f, out, isolation_of);
}

/* IRQs listed before "and N more". */
#define IRQS_SHOWN 6

void rule_vm_host_irq(const struct facts *f, struct findings *out)
{
	struct vm_cpus *c;
	struct cpuset pinned = { 0 }, hit = { 0 };
	struct vm_pin_host h;
	char nics[256] = "", list[256], host[128];
	size_t n = 0;

	if (!f->virt.irqs_read || !f->virt.nirqs)
		return;
	if (!(c = calloc(f->virt.count, sizeof(*c))) || vm_cpus_read(f, c)) {
		vm_cpus_free(c, f->virt.count);
		out->out_of_memory = true;
		return;
	}
	for (size_t i = 0; i < f->virt.count; i++)
		if (c[i].counted && cpuset_merge(&pinned, &c[i].vcpu))
			out->out_of_memory = true;
	vm_cpus_free(c, f->virt.count);
	for (size_t i = 0; i < f->virt.nirqs && !out->out_of_memory; i++) {
		const struct host_irq *q = &f->virt.irqs[i];
		bool lands = false;
		for (int cpu = 0; cpu < q->allowed.size && !out->out_of_memory; cpu++)
			if (cpuset_has(&q->allowed, cpu) && cpuset_has(&pinned, cpu)) {
				lands = true;
				if (cpuset_add(&hit, cpu))
					out->out_of_memory = true;
			}
		if (!lands)
			continue;
		if (!word_in_list(nics, q->nic) && strlen(nics) + strlen(q->nic) + 2 < sizeof(nics))
			snprintf(nics + strlen(nics), sizeof(nics) - strlen(nics), "%s%s", nics[0] ? " " : "",
				 q->nic);
		n++;
	}
	bool ok = n && !out->out_of_memory;
	if (ok && vm_pin_host_init(f, &h)) {
		out->out_of_memory = true;
		ok = false;
	}
	if (!ok) {
		cpuset_clear(&pinned);
		cpuset_clear(&hit);
		return;
	}
	char subject[300];
	cpus_subject(&hit, subject, sizeof(subject));
	cpuset_format(&hit, list, sizeof(list));
	cpuset_format(&h.housekeeping, host, sizeof(host));
	struct finding *x = finding_add(out, SEV_WARNING, subject,
					"%zu interrupt%s of the host's NICs (%s) may land on CPU%s %s, where "
					"VMs' vCPUs are pinned", n, n == 1 ? "" : "s", nics,
					cpuset_count(&hit) == 1 ? "" : "s", list);
	size_t shown = 0;
	for (size_t i = 0; i < f->virt.nirqs; i++) {
		const struct host_irq *q = &f->virt.irqs[i];
		char src[64], allowed[256];
		bool lands = false;
		for (int cpu = 0; cpu < q->allowed.size && !lands; cpu++)
			lands = cpuset_has(&q->allowed, cpu) && cpuset_has(&pinned, cpu);
		if (!lands || shown++ >= IRQS_SHOWN)
			continue;
		snprintf(src, sizeof(src), "/proc/irq/%d/smp_affinity_list", q->irq);
		cpuset_format(&q->allowed, allowed, sizeof(allowed));
		finding_evidence(out, x, src, "%s (%s)", allowed, q->nic);
	}
	if (n > IRQS_SHOWN)
		finding_evidence(out, x, "/proc/irq", "and %zu more", n - IRQS_SHOWN);
	if (f->virt.irqbalance.enabled) {
		char banned[256];
		cpuset_format(&f->virt.irqbalance.banned, banned, sizeof(banned));
		if (f->virt.irqbalance.configured)
			finding_evidence(out, x, f->virt.irqbalance.source, "irqbalance, enabled, bans CPUs %s",
					 banned[0] ? banned : "none");
		else
			finding_evidence(out, x, "/sys/devices/system/cpu/isolated, nohz_full",
					 "irqbalance, enabled and told no CPUs to ban, bans the isolated and "
					 "nohz_full ones: %s", banned[0] ? banned : "none");
	}
	finding_why(out, x,
		    "An interrupt runs its handler, and the network stack's softirq after it, on "
		    "the CPU it lands on: a pinned vCPU there is stopped for every packet the host "
		    "receives, and the guest sees the time as stolen.");
	char runtime[600], persistent[1200], cmd[400], param[160];
	/* the NICs' names come from the machine: said, never put in a command */
	snprintf(runtime, sizeof(runtime),
		 "echo %s > /proc/irq/N/smp_affinity_list for each interrupt N of those NICs (their "
		 "lines in /proc/interrupts), the host's CPUs%s",
		 host, f->virt.irqbalance.enabled ? "; irqbalance moves them again unless it bans "
						    "the vCPUs' CPUs first" : "");
	snprintf(param, sizeof(param), "irqaffinity=%s", host);
	fix_cmdline_text(f, param, cmd, sizeof(cmd));
	snprintf(persistent, sizeof(persistent),
		 "irqbalance: IRQBALANCE_BANNED_CPULIST=%s in /etc/default/irqbalance (Debian, Ubuntu; "
		 "RHEL, SUSE: /etc/sysconfig/irqbalance), then systemctl restart irqbalance; without "
		 "irqbalance, %s",
		 list, cmd);
	finding_fix(out, x, runtime, persistent);
	vm_pin_host_free(&h);
	cpuset_clear(&pinned);
	cpuset_clear(&hit);
}

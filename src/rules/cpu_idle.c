/* C-state rules: deep idle states a request must wait out, and the PM QoS
 * limits that keep CPUs out of them (torvalds/linux:
 * Documentation/admin-guide/pm/cpuidle.rst, Documentation/power/pm_qos_interface.rst). */
#include "rules.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The exit-latency limit the idle governor honours on CPU C: the lower of
 * the global /dev/cpu_dma_latency request and the CPU's own; -1 for none. */
static long qos_limit_us(const struct facts *f, const struct cpu *c)
{
	long limit = -1;
	if (f->dma_latency_us != FACT_UNKNOWN && f->dma_latency_us < PM_QOS_DEFAULT_US)
		limit = f->dma_latency_us;
	if (c->resume_latency_us != FACT_UNKNOWN && c->resume_latency_us >= 0 &&
	    (limit < 0 || c->resume_latency_us < limit))
		limit = c->resume_latency_us;
	return limit;
}

/* A state the CPU can still enter (not disabled, within its PM QoS LIMIT,
 * -1 for none) whose exit latency counts as deep. */
static bool deep_and_enterable(const struct idle_state *s, long limit)
{
	return s->disabled != 1 && s->latency_us > DEEP_IDLE_LATENCY_US &&
	       (limit < 0 || s->latency_us <= limit);
}

const struct idle_state *cpu_deep_idle(const struct facts *f, const struct cpu *c)
{
	const struct idle_state *deepest = NULL;
	long limit = qos_limit_us(f, c);

	for (size_t i = 0; i < c->nstates; i++) {
		const struct idle_state *s = &c->states[i];
		if (!deep_and_enterable(s, limit))
			continue;
		if (!deepest || s->latency_us > deepest->latency_us)
			deepest = s;
	}
	return deepest;
}

bool cstate_deep_reachable(const struct facts *f)
{
	for (size_t i = 0; i < f->ncpus; i++)
		if (f->cpus[i].online && cpu_deep_idle(f, &f->cpus[i]))
			return true;
	return false;
}

static void cmdline_caps(const struct facts *f, struct findings *out, struct finding *x)
{
	static const char *const caps[] = { "intel_idle.max_cstate", "processor.max_cstate",
					    "idle", "cpuidle.off" };
	bool any = false;
	for (size_t i = 0; i < sizeof(caps) / sizeof(caps[0]); i++) {
		const struct cmdline_param *p = cmdline_find(&f->cmdline, caps[i]);
		if (p) {
			finding_evidence(out, x, "/proc/cmdline", "%s=%s", caps[i],
					 p->value ? p->value : "");
			any = true;
		}
	}
	if (!any && f->cmdline_raw)
		finding_evidence(out, x, "/proc/cmdline", "no C-state limit");
}

/* Disable each deep state, chosen by its exit latency (never by index:
 * state3 is C6 on one CPU and C3 on another), as saptune does. */
void cpu_cstate_actions(const struct facts *f, struct findings *out, struct finding *x,
			const struct cpuset *only)
{
	for (size_t i = 0; i < f->ncpus; i++) {
		const struct cpu *c = &f->cpus[i];
		long limit = qos_limit_us(f, c);
		if (!c->online || (only && !cpuset_has(only, c->id)))
			continue;
		for (size_t k = 0; k < c->nstates; k++) {
			const struct idle_state *s = &c->states[k];
			char path[128];
			if (!deep_and_enterable(s, limit))
				continue;
			snprintf(path, sizeof(path), "/sys/devices/system/cpu/cpu%d/cpuidle/state%d/disable",
				 c->id, s->index);
			struct fix_action *a = finding_action(out, x, FIX_SYSFS, FIX_RUNTIME, NEEDS_ROOT,
							      path, NULL, s->disabled == 0 ? "0" : NULL, "1");
			if (a)
				a->variant = "disable";
			if ((a = finding_action(out, x, FIX_SYSFS, FIX_PERSISTENT, NEEDS_ROOT, path, NULL,
						NULL, "1")))
				a->variant = "disable";
		}
	}
}

static void cstate_advice(const struct facts *f, struct findings *out, struct finding *x)
{
	char now[1024], keep[1024], cmdline[400], dec[16];
	snprintf(dec, sizeof(dec), "%d", DEEP_IDLE_LATENCY_US);
	long as_hex = strtol(dec, NULL, 16); /* what the kernel makes of the text */
	const char *param = !strcmp(f->cpuidle.driver, "intel_idle") ? "intel_idle.max_cstate=1"
			    : !strcmp(f->cpuidle.driver, "acpi_idle") ? "processor.max_cstate=1"
								      : NULL;
	snprintf(now, sizeof(now),
		 "cpupower idle-set -D %d (disables every state whose exit latency is %d us or more); "
		 "latdoc tune --apply disables the same states one by one, and latdoc revert "
		 "enables them again.\n"
		 "A PM QoS hold does the same without changing a setting: latdoc hold keeps "
		 "/dev/cpu_dma_latency open with the binary 32-bit value %d written (the text \"%d\" "
		 "is read as hex: %ld us) for as long as it runs, as tuned's daemon does for "
		 "latency-performance; latdoc tune --apply --cstates hold starts it as the "
		 "latdoc-hold unit, and latdoc check names who holds a limit.\n"
		 "Shallower idle costs power and heat: idle cores draw more.",
		 DEEP_IDLE_LATENCY_US + 1, DEEP_IDLE_LATENCY_US + 1, DEEP_IDLE_LATENCY_US,
		 DEEP_IDLE_LATENCY_US, as_hex);
	int n = snprintf(keep, sizeof(keep), "latdoc tune --persist (a tmpfiles.d line per state), "
					     "or --persist --cstates hold (the latdoc-hold unit, "
					     "enabled)");
	if (param) {
		fix_cmdline_text(f, param, cmdline, sizeof(cmdline));
		snprintf(keep + n, sizeof(keep) - (size_t)n,
			 "; or %s (it counts states by index: check which stay with cpupower "
			 "idle-info); or tuned-adm profile latency-performance",
			 cmdline);
	} else {
		snprintf(keep + n, sizeof(keep) - (size_t)n, "; or tuned-adm profile latency-performance");
	}
	finding_fix(out, x, now, keep);
}

/* The other way: a hold of /dev/cpu_dma_latency by the latdoc-hold unit,
 * started now and enabled for the next boots. */
static void hold_actions(struct findings *out, struct finding *x)
{
	struct fix_action *a = finding_action(out, x, FIX_SERVICE, FIX_RUNTIME, NEEDS_ROOT,
					      "latdoc-hold.service", NULL, NULL, "active");
	if (a)
		a->variant = "hold";
	if ((a = finding_action(out, x, FIX_SERVICE, FIX_PERSISTENT, NEEDS_ROOT,
				"latdoc-hold.service", NULL, NULL, "enabled")))
		a->variant = "hold";
}

void rule_cpu_cstate_deep(const struct facts *f, struct findings *out)
{
	struct cpuset cpus = { 0 };
	const struct cpu *sample = NULL;
	const struct idle_state *worst = NULL;

	for (size_t i = 0; i < f->ncpus; i++) {
		const struct cpu *c = &f->cpus[i];
		const struct idle_state *s = c->online ? cpu_deep_idle(f, c) : NULL;
		if (!s)
			continue;
		if (cpuset_add(&cpus, c->id)) {
			out->out_of_memory = true;
			break;
		}
		if (!worst || s->latency_us > worst->latency_us) {
			worst = s;
			sample = c;
		}
	}
	if (!worst) {
		cpuset_clear(&cpus);
		return;
	}

	char subject[300], src[128], states[512] = "";
	size_t used = 0;
	for (size_t i = 0; i < sample->nstates; i++) {
		const struct idle_state *s = &sample->states[i];
		if (s->latency_us <= DEEP_IDLE_LATENCY_US || s->disabled == 1)
			continue;
		int n = snprintf(states + used, sizeof(states) - used, "%s%s (exit %ld us, target residency %ld us)",
				 used ? ", " : "", s->name, s->latency_us, s->residency_us);
		if (n < 0 || (size_t)n >= sizeof(states) - used)
			break;
		used += (size_t)n;
	}
	cpus_subject(&cpus, subject, sizeof(subject));
	struct finding *x = finding_add(out, SEV_WARNING, subject,
					"idle state %s (exit latency %ld us) enabled and not capped",
					worst->name, worst->latency_us);
	snprintf(src, sizeof(src), "/sys/devices/system/cpu/cpu%d/cpuidle/state*", sample->id);
	finding_evidence(out, x, src, "%s", states);
	if (worst->usage >= 0)
		finding_evidence(out, x, src, "%s entered %lld times since boot", worst->name,
				 worst->usage);
	finding_evidence(out, x, "/sys/devices/system/cpu/cpuidle/current_driver", "%s",
			 f->cpuidle.driver[0] ? f->cpuidle.driver : "none");
	if (f->dma_latency_us == FACT_UNKNOWN)
		finding_evidence(out, x, "/dev/cpu_dma_latency",
				 f->live ? "not readable (run as root to see a held limit)"
					 : "not in this snapshot");
	else
		finding_evidence(out, x, "/dev/cpu_dma_latency", "no limit held (the default)");
	cmdline_caps(f, out, x);
	finding_why(out, x,
		    "A CPU idle in %s needs up to %ld us to wake when a packet or a wake-up from "
		    "another CPU arrives (the governor only pre-wakes for timers it knows), and "
		    "that is added to the request. Fast request streams keep CPUs out of it; "
		    "light traffic, where latency is judged, lands in it.",
		    worst->name, worst->latency_us);
	cpu_cstate_actions(f, out, x, NULL);
	hold_actions(out, x);
	cstate_advice(f, out, x);
	weigh_measured_cstate_cost(f, out, x);
	cpuset_clear(&cpus);
}

static void resume_limit_finding(struct findings *out, const struct cpuset *cpus, long value)
{
	char subject[300], src[128], shown[24];

	cpus_subject(cpus, subject, sizeof(subject));
	snprintf(src, sizeof(src), "/sys/devices/system/cpu/cpu%d/power/pm_qos_resume_latency_us",
		 cpuset_last(cpus));
	if (value)
		snprintf(shown, sizeof(shown), "%ld us", value);
	else
		snprintf(shown, sizeof(shown), "n/a (no idle state)");
	struct finding *x = finding_add(out, SEV_INFO, subject,
					"per-CPU resume latency limit %s", shown);
	finding_evidence(out, x, src, "%s", value ? shown : "n/a");
	finding_why(out, x,
		    "These CPUs skip idle states slower to leave than the limit; it stays until "
		    "written back to 0 or the machine reboots.");
	finding_fix(out, x, "Nothing to fix; it is a latency setting.",
		    "Keep it in /etc/tmpfiles.d/ so it survives a reboot.");
}

/* Who holds the limit: pid and command of each process with the device
 * open, as fuser would name them. */
static void holders_evidence(const struct facts *f, struct findings *out, struct finding *x)
{
	for (size_t i = 0; i < f->pm_qos.nholders; i++)
		finding_evidence(out, x, "/proc/*/fd", "held by pid %d (%s)", f->pm_qos.holders[i].pid,
				 f->pm_qos.holders[i].comm);
	if (f->pm_qos.scanned && !f->pm_qos.nholders)
		finding_evidence(out, x, "/proc/*/fd",
				 f->live ? "no process with it open that this user can see"
					 : "no process with it open in this snapshot");
}

void rule_cpu_pm_qos_unheld(const struct facts *f, struct findings *out)
{
	if (!f->pm_qos.expected_by[0] || f->dma_latency_us == FACT_UNKNOWN ||
	    f->dma_latency_us < PM_QOS_DEFAULT_US)
		return;
	bool ours = !strncmp(f->pm_qos.expected_by, "latdoc-hold", 11);
	struct finding *x = finding_add(out, SEV_WARNING, "system",
					"%s, but no process holds a PM QoS limit",
					ours ? "latdoc-hold.service is enabled" : "tuned's profile sets force_latency");
	finding_evidence(out, x, f->pm_qos.expected_src, "%s", f->pm_qos.expected_by);
	finding_evidence(out, x, "/dev/cpu_dma_latency", "no limit held (the default)");
	finding_why(out, x,
		    "A PM QoS limit lasts only while a process keeps /dev/cpu_dma_latency open. The "
		    "configuration says one should (%s), yet none does: the unit or daemon stopped, or "
		    "never started, and deep C-states are back without a word.",
		    ours ? "the latdoc-hold unit" : "tuned's daemon");
	if (ours) {
		finding_action(out, x, FIX_SERVICE, FIX_RUNTIME, NEEDS_ROOT, "latdoc-hold.service", NULL,
			       NULL, "active");
		finding_fix(out, x, "systemctl status latdoc-hold.service says why it stopped", NULL);
	} else {
		finding_fix(out, x, "systemctl restart tuned.service; tuned-adm verify does not check "
				    "the hold",
			    "or keep CPUs out of deep states without a process: latdoc tune --persist");
	}
}

void rule_cpu_pm_qos(const struct facts *f, struct findings *out)
{
	if (f->dma_latency_us != FACT_UNKNOWN && f->dma_latency_us < PM_QOS_DEFAULT_US) {
		struct finding *x = finding_add(out, SEV_INFO, "system",
						"a PM QoS request holds CPU exit latency at %ld us",
						f->dma_latency_us);
		finding_evidence(out, x, "/dev/cpu_dma_latency", "%ld us", f->dma_latency_us);
		holders_evidence(f, out, x);
		finding_why(out, x,
			    "Idle states slower to leave than %ld us are not used. The limit lasts "
			    "only while the process that wrote it (tuned, cyclictest, a database) "
			    "keeps the file open: when it stops, deep C-states come back silently.",
			    f->dma_latency_us);
		finding_fix(out, x, f->pm_qos.nholders
					    ? "Nothing to fix."
					    : "Nothing to fix; find the holder with: fuser -v /dev/cpu_dma_latency",
			    "Make the holder a service that restarts (latdoc tune --persist --cstates "
			    "hold enables the latdoc-hold unit), or cap states on the kernel command "
			    "line instead.");
	}

	/* one finding per distinct per-CPU limit */
	bool *done = calloc(f->ncpus + 1, sizeof(*done));
	if (!done) {
		out->out_of_memory = true;
		return;
	}
	for (size_t i = 0; i < f->ncpus; i++) {
		long value = f->cpus[i].resume_latency_us;
		if (done[i] || value == FACT_UNKNOWN || value < 0)
			continue;
		struct cpuset cpus = { 0 };
		for (size_t j = i; j < f->ncpus; j++) {
			if (f->cpus[j].resume_latency_us == value) {
				done[j] = true;
				cpuset_add(&cpus, f->cpus[j].id);
			}
		}
		resume_limit_finding(out, &cpus, value);
		cpuset_clear(&cpus);
	}
	free(done);
}

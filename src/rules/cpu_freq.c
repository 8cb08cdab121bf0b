/* P-state rules: who holds the clock down, and how far. The semantics of
 * "powersave" differ by driver (torvalds/linux:
 * Documentation/admin-guide/pm/cpufreq.rst, intel_pstate.rst, amd-pstate.rst). */
#include "rules.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define POLICY_DIR "/sys/devices/system/cpu/cpufreq"

/* Below this share of the rated clock a CPU is "well below" it. */
#define FREQ_LOW_RATIO 0.75
/* ... and below this one, when pinned there, it is critical. */
#define FREQ_PINNED_RATIO 0.60

/* A lower limit at this share of the maximum leaves nothing to hold down. */
#define MIN_RAISED_RATIO 0.90

static void policy_source(char *out, size_t outsz, const struct cpufreq_policy *p, int members,
			  const char *file)
{
	if (members <= 1)
		snprintf(out, outsz, "/%s/%s", p->dir, file);
	else if (!strncmp(p->name, "policy", 6))
		snprintf(out, outsz, POLICY_DIR "/policy*/%s", file);
	else
		snprintf(out, outsz, "/sys/devices/system/cpu/cpu*/cpufreq/%s", file);
}

/* scaling_min_freq raised to (near) the maximum: whatever the governor,
 * the clock cannot sit low. */
static bool min_raised(const struct cpufreq_policy *p)
{
	return p->min_khz > 0 && p->hw_max_khz > 0 && p->min_khz >= p->hw_max_khz * MIN_RAISED_RATIO;
}

/* The generic powersave governor sets the clock to scaling_min_freq: slow,
 * unless that minimum was raised to the maximum. */
static bool pins_minimum(const struct cpufreq_policy *p)
{
	return !strcmp(p->governor, "powersave") && !policy_active_mode(p) && !min_raised(p);
}

/* intel_pstate's min_perf_pct at 100: the driver may not go below the
 * highest level, whatever its powersave algorithm would choose. */
static bool floor_at_top(const struct facts *f, const struct cpufreq_policy *p)
{
	return !strcmp(p->driver, "intel_pstate") && f->cpufreq.min_perf_pct >= 100;
}

/* scaling_max_freq lowered below 90% of the hardware maximum. */
static bool max_lowered(const struct cpufreq_policy *p)
{
	return p->hw_max_khz > 0 && p->max_khz > 0 && p->max_khz < p->hw_max_khz * 9 / 10;
}

static bool max_capped(const struct facts *f, const struct cpufreq_policy *p)
{
	return max_lowered(p) || (f->cpufreq.max_perf_pct >= 0 && f->cpufreq.max_perf_pct < 100);
}

/* The clock a CPU is rated for: base frequency when the driver knows it,
 * else the hardware maximum. */
static long rated_khz(const struct cpufreq_policy *p)
{
	return p->base_khz > 0 ? p->base_khz : p->hw_max_khz;
}

static long current_khz(const struct cpufreq_policy *p)
{
	return p->hw_cur_khz > 0 ? p->hw_cur_khz : p->cur_khz;
}

static bool not_performance(const struct facts *f, const struct cpufreq_policy *p,
			    const struct cpufreq_policy *q)
{
	(void)f;
	(void)p;
	return strcmp(q->governor, "performance") != 0;
}

/* What holds the clock down, undone: the governor, a lowered maximum. */
static void freq_low_actions(const struct facts *f, struct findings *out, struct finding *x)
{
	const struct cpufreq_policy *gov = NULL;
	char now[24], want[24];

	for (size_t i = 0; i < f->cpufreq.count; i++) {
		const struct cpufreq_policy *p = &f->cpufreq.policies[i];
		if (!gov && not_performance(f, p, p))
			gov = p;
	}
	if (gov)
		fix_policies(f, out, x, gov, not_performance, "scaling_governor", "performance");
	for (size_t i = 0; i < f->cpufreq.count; i++) {
		const struct cpufreq_policy *p = &f->cpufreq.policies[i];
		char path[160];
		if (!max_lowered(p))
			continue;
		snprintf(path, sizeof(path), "/%s/scaling_max_freq", p->dir);
		snprintf(now, sizeof(now), "%ld", p->max_khz);
		snprintf(want, sizeof(want), "%ld", p->hw_max_khz);
		finding_action(out, x, FIX_SYSFS, FIX_RUNTIME, NEEDS_ROOT, path, NULL, now, want);
	}
	if (f->cpufreq.max_perf_pct >= 0 && f->cpufreq.max_perf_pct < 100) {
		snprintf(now, sizeof(now), "%ld", f->cpufreq.max_perf_pct);
		finding_action(out, x, FIX_SYSFS, FIX_RUNTIME, NEEDS_ROOT,
			       "/sys/devices/system/cpu/intel_pstate/max_perf_pct", NULL, now, "100");
		finding_action(out, x, FIX_SYSFS, FIX_PERSISTENT, NEEDS_ROOT,
			       "/sys/devices/system/cpu/intel_pstate/max_perf_pct", NULL, NULL, "100");
	}
}

/* The words around the performance governor: what it costs, what it does
 * to EPP, and what undoes it at boot. */
static void governor_advice(const struct facts *f, struct findings *out, struct finding *x,
			    const struct cpufreq_policy *p)
{
	char now[512], keep[512];
	const char *epp = "";

	if (!strcmp(p->driver, "intel_pstate"))
		epp = " Under intel_pstate with HWP it also forces EPP to 0 (performance).";
	else if (!strcmp(p->driver, "amd-pstate-epp"))
		epp = " Under amd-pstate-epp it also forces the CPPC EPP to 0 (performance).";
	snprintf(now, sizeof(now),
		 "cpupower frequency-set -g performance\n"
		 "The performance governor costs power and heat: the clock no longer drops under "
		 "light load.%s", epp);
	snprintf(keep, sizeof(keep), "tuned-adm profile latency-performance (tuned's daemon sets it "
				     "at boot)%s",
		 f->os.services & OS_SERVICE_ONDEMAND
			 ? "\nUbuntu's ondemand.service sets ondemand again a minute after boot: "
			   "systemctl disable ondemand.service"
			 : "");
	finding_fix(out, x, now, keep);
	if (f->os.services & OS_SERVICE_ONDEMAND)
		finding_action(out, x, FIX_SERVICE, FIX_PERSISTENT, NEEDS_ROOT, "ondemand.service", NULL,
			       NULL, "disabled");
}

static void freq_low_cpufreq(const struct facts *f, struct findings *out)
{
	struct cpuset cpus = { 0 };
	double cur_sum = 0, rated_sum = 0;
	long cur_min = 0, cur_max = 0;
	int n = 0;
	bool pinned = false, from_hw = false;
	const struct cpufreq_policy *first = NULL;

	for (size_t i = 0; i < f->cpufreq.count; i++) {
		const struct cpufreq_policy *p = &f->cpufreq.policies[i];
		long cur = current_khz(p), rated = rated_khz(p);
		bool held = strcmp(p->governor, "performance") || max_capped(f, p);
		bool floor = (min_raised(p) || floor_at_top(f, p)) && !max_capped(f, p);

		if (!held || floor || cur <= 0 || rated <= 0 || cur >= rated * FREQ_LOW_RATIO)
			continue;
		if (!first)
			first = p;
		pinned |= pins_minimum(p) || max_capped(f, p);
		from_hw |= p->hw_cur_khz > 0;
		cur_sum += (double)cur;
		rated_sum += (double)rated;
		cur_min = n && cur_min < cur ? cur_min : cur;
		cur_max = cur_max > cur ? cur_max : cur;
		n++;
		for (int c = 0; c <= cpuset_last(&p->cpus); c++)
			if (cpuset_has(&p->cpus, c))
				cpuset_add(&cpus, c);
	}
	if (!n) {
		cpuset_clear(&cpus);
		return;
	}

	char subject[300], src[160];
	double ratio = cur_sum / rated_sum;
	enum severity sev = pinned && ratio < FREQ_PINNED_RATIO ? SEV_CRITICAL : SEV_WARNING;
	cpus_subject(&cpus, subject, sizeof(subject));
	struct finding *x = finding_add(out, sev, subject,
					"CPUs at %.0f MHz, %.0f%% of their rated %.0f MHz",
					cur_sum / n / 1000, 100 * ratio, rated_sum / n / 1000);
	policy_source(src, sizeof(src), first, n, from_hw ? "cpuinfo_cur_freq" : "scaling_cur_freq");
	if (cur_min == cur_max)
		finding_evidence(out, x, src, "%ld MHz%s", cur_min / 1000, n > 1 ? " on every policy" : "");
	else
		finding_evidence(out, x, src, "%ld-%ld MHz over %d policies", cur_min / 1000,
				 cur_max / 1000, n);
	policy_source(src, sizeof(src), first, n, first->base_khz > 0 ? "base_frequency" : "cpuinfo_max_freq");
	finding_evidence(out, x, src, "%ld MHz", rated_khz(first) / 1000);
	policy_source(src, sizeof(src), first, n, "scaling_governor");
	finding_evidence(out, x, src, "%s (driver %s)", first->governor, first->driver);
	if (max_capped(f, first)) {
		policy_source(src, sizeof(src), first, n, "scaling_max_freq");
		finding_evidence(out, x, src, "%ld MHz of %ld MHz", first->max_khz / 1000,
				 first->hw_max_khz / 1000);
	}
	if (pins_minimum(first))
		finding_why(out, x,
			    "The generic powersave governor holds every CPU at scaling_min_freq: each "
			    "request runs at %.0f%% speed, so CPU time per request grows by %.0f%%. "
			    "This is the classic 1.2-of-2.4 GHz server.",
			    100 * ratio, 100 * (1 / ratio - 1));
	else
		finding_why(out, x,
			    "The %s governor (or a lowered limit) lets the clock sit at %.0f%% of its "
			    "rating; a short request finishes before it ramps up, costing up to %.0f%% "
			    "more CPU time. scaling_cur_freq is the last requested clock, "
			    "not a measurement: turbostat shows the real one.",
			    first->governor, 100 * ratio, 100 * (1 / ratio - 1));
	freq_low_actions(f, out, x);
	governor_advice(f, out, x, first);
	weigh_measured_clock(f, out, x);
	cpuset_clear(&cpus);
}

/* Bare metal without cpufreq: /proc/cpuinfo's "cpu MHz" is the only clock
 * figure, against the rating in the model name. */
static void freq_low_firmware(const struct facts *f, struct findings *out)
{
	double sum = 0, lo = 0, hi = 0;
	int n = 0;
	struct cpuset cpus = { 0 };

	if (f->nominal_mhz <= 0)
		return;
	for (size_t i = 0; i < f->ncpus; i++) {
		double mhz = f->cpus[i].cpuinfo_mhz;
		if (!f->cpus[i].online || mhz <= 0)
			continue;
		sum += mhz;
		lo = n && lo < mhz ? lo : mhz;
		hi = hi > mhz ? hi : mhz;
		n++;
		cpuset_add(&cpus, f->cpus[i].id);
	}
	if (!n || sum / n >= f->nominal_mhz * FREQ_LOW_RATIO) {
		cpuset_clear(&cpus);
		return;
	}
	char subject[300];
	double ratio = sum / n / f->nominal_mhz;
	cpus_subject(&cpus, subject, sizeof(subject));
	struct finding *x = finding_add(out, ratio < FREQ_PINNED_RATIO ? SEV_CRITICAL : SEV_WARNING, subject,
					"CPUs at %.0f MHz, %.0f%% of their rated %.0f MHz, set by firmware",
					sum / n, 100 * ratio, f->nominal_mhz);
	if (lo == hi)
		finding_evidence(out, x, "/proc/cpuinfo", "cpu MHz: %.0f MHz on every CPU", lo);
	else
		finding_evidence(out, x, "/proc/cpuinfo", "cpu MHz: %.0f-%.0f MHz, average %.0f MHz", lo, hi,
				 sum / n);
	finding_evidence(out, x, "/proc/cpuinfo", "model name %s: rated %.0f MHz", f->model_name,
			 f->nominal_mhz);
	finding_evidence(out, x, "/sys/devices/system/cpu/cpufreq", "no cpufreq policy");
	finding_why(out, x,
		    "With no cpufreq driver the BIOS power profile picks the clock, and it holds "
		    "these CPUs at %.0f%% of their rating: each request costs up to %.0f%% more CPU "
		    "time.",
		    100 * ratio, 100 * (1 / ratio - 1));
	finding_fix(out, x,
		    "None at runtime while firmware owns the clock.",
		    "BIOS: set the system profile to Performance (Dell: System Profile "
		    "\"Performance\"; HPE: Workload Profile \"Low Latency\"; Lenovo: Operating Mode "
		    "\"Maximum Performance\"), or hand P-states to the OS (\"Performance Per Watt "
		    "(OS)\") and set the governor to performance.");
	weigh_measured_clock(f, out, x);
	cpuset_clear(&cpus);
}

void rule_cpu_freq_low(const struct facts *f, struct findings *out)
{
	/* a guest's cpu MHz is the TSC rate and its cpufreq, if any, a fiction */
	if (f->platform.role == ROLE_GUEST)
		return;
	if (f->cpufreq.count)
		freq_low_cpufreq(f, out);
	else if (f->platform.role == ROLE_BARE_METAL)
		freq_low_firmware(f, out);
}

/* How slow a governor holds a policy, by what the driver makes of it
 * (Documentation/admin-guide/pm/cpufreq.rst, intel_pstate.rst). */
enum hold { HOLD_NONE, HOLD_AT_TOP, HOLD_FOLLOWS_LOAD, HOLD_PINNED_LOW };

static enum hold governor_hold(const struct facts *f, const struct cpufreq_policy *p)
{
	if (!p->governor[0] || !strcmp(p->governor, "performance"))
		return HOLD_NONE;
	if (min_raised(p) || floor_at_top(f, p))
		return HOLD_AT_TOP;
	if (!strcmp(p->governor, "userspace")) {
		if (p->setspeed_khz <= 0 || p->hw_max_khz <= 0)
			return HOLD_FOLLOWS_LOAD; /* not known: the milder verdict */
		if (p->setspeed_khz >= p->hw_max_khz * MIN_RAISED_RATIO)
			return HOLD_AT_TOP;
		return p->setspeed_khz < p->hw_max_khz * FREQ_PINNED_RATIO ? HOLD_PINNED_LOW
									   : HOLD_FOLLOWS_LOAD;
	}
	return pins_minimum(p) ? HOLD_PINNED_LOW : HOLD_FOLLOWS_LOAD;
}

/* Policies alike: one driver, one governor, held alike. */
static bool same_governor(const struct facts *f, const struct cpufreq_policy *a,
			  const struct cpufreq_policy *b)
{
	return !strcmp(a->driver, b->driver) && !strcmp(a->governor, b->governor) &&
	       governor_hold(f, a) == governor_hold(f, b);
}

static void governor_why(const struct facts *f, struct findings *out, struct finding *x,
			 const struct cpufreq_policy *p, enum hold hold, int members)
{
	char src[160];

	if (hold == HOLD_AT_TOP && !strcmp(p->governor, "userspace")) {
		finding_why(out, x,
			    "The userspace governor holds the clock at scaling_setspeed, here %ld of "
			    "%ld MHz: near the top, so it costs nothing now, but nothing raises it if "
			    "someone lowers it.",
			    p->setspeed_khz / 1000, p->hw_max_khz / 1000);
	} else if (hold == HOLD_AT_TOP) {
		if (min_raised(p)) {
			policy_source(src, sizeof(src), p, members, "scaling_min_freq");
			finding_evidence(out, x, src, "%ld MHz (maximum %ld MHz)", p->min_khz / 1000,
					 p->hw_max_khz / 1000);
		} else {
			finding_evidence(out, x, "/sys/devices/system/cpu/intel_pstate/min_perf_pct",
					 "%ld", f->cpufreq.min_perf_pct);
		}
		finding_why(out, x,
			    "The %s governor cannot hold these CPUs low: their lower limit is raised to "
			    "the top, so they run at full clock. The name reads like a fault to "
			    "scripts and alert rules that compare it with \"performance\".",
			    p->governor);
	} else if (!strcmp(p->governor, "userspace")) {
		policy_source(src, sizeof(src), p, members, "scaling_setspeed");
		finding_why(out, x,
			    "The userspace governor holds the clock at scaling_setspeed (%ld of %ld "
			    "MHz) whatever the load: every request runs at that clock.",
			    p->setspeed_khz / 1000, p->hw_max_khz / 1000);
		if (p->setspeed_khz > 0)
			finding_evidence(out, x, src, "%ld MHz (maximum %ld MHz)", p->setspeed_khz / 1000,
					 p->hw_max_khz / 1000);
	} else if (hold == HOLD_PINNED_LOW) {
		policy_source(src, sizeof(src), p, members, "scaling_min_freq");
		finding_evidence(out, x, src, "%ld MHz (maximum %ld MHz)", p->min_khz / 1000,
				 p->hw_max_khz / 1000);
		finding_why(out, x,
			    "Under %s the generic powersave governor pins the clock at "
			    "scaling_min_freq (%ld of %ld MHz): every request runs slow, all "
			    "the time.",
			    p->driver, p->min_khz / 1000, p->hw_max_khz / 1000);
	} else if (policy_active_mode(p) && !strcmp(p->governor, "powersave")) {
		if (p->epp[0]) {
			policy_source(src, sizeof(src), p, members, "energy_performance_preference");
			finding_evidence(out, x, src, "%s", p->epp);
		}
		if (f->cpufreq.min_perf_pct >= 0)
			finding_evidence(out, x, "/sys/devices/system/cpu/intel_pstate/min_perf_pct",
					 "%ld", f->cpufreq.min_perf_pct);
		finding_why(out, x,
			    "In active mode %s's powersave is the driver's own load-following "
			    "algorithm, steered by EPP (%s): it is not a pinned minimum, but it "
			    "ramps slower and runs lower at light load, which is when a lone "
			    "request arrives.",
			    p->driver, p->epp[0] ? p->epp : "not exposed");
	} else {
		finding_why(out, x,
			    "The %s governor raises the clock only after it has seen load "
			    "(sampled every few to tens of milliseconds): a short request is "
			    "done before the CPU speeds up, and pays the low clock in full.",
			    p->governor);
	}
}

static void governor_finding(const struct facts *f, struct findings *out, const struct cpufreq_policy *p,
			     const struct cpuset *cpus, int members)
{
	static const enum severity by_hold[] = { [HOLD_AT_TOP] = SEV_INFO,
						 [HOLD_FOLLOWS_LOAD] = SEV_WARNING,
						 [HOLD_PINNED_LOW] = SEV_CRITICAL };
	enum hold hold = governor_hold(f, p);
	char subject[300], src[160];

	if (hold == HOLD_NONE)
		return;
	cpus_subject(cpus, subject, sizeof(subject));
	struct finding *x = finding_add(out, by_hold[hold], subject, "cpufreq governor %s (driver %s)%s",
					p->governor, p->driver[0] ? p->driver : "unknown",
					hold == HOLD_AT_TOP ? ", held at the top clock" : "");
	policy_source(src, sizeof(src), p, members, "scaling_governor");
	finding_evidence(out, x, src, "%s", p->governor);
	policy_source(src, sizeof(src), p, members, "scaling_driver");
	finding_evidence(out, x, src, "%s", p->driver);
	if (p->governors[0]) {
		policy_source(src, sizeof(src), p, members, "scaling_available_governors");
		finding_evidence(out, x, src, "%s", p->governors);
	}
	governor_why(f, out, x, p, hold, members);
	fix_policies(f, out, x, p, same_governor, "scaling_governor", "performance");
	governor_advice(f, out, x, p);
}

bool cpu_policy_slow(const struct facts *f, const struct cpufreq_policy *p)
{
	enum hold hold = governor_hold(f, p);
	return hold == HOLD_FOLLOWS_LOAD || hold == HOLD_PINNED_LOW;
}

bool cpu_epp_slow(const struct cpufreq_policy *p)
{
	return p->epp[0] && strcmp(p->epp, "performance") && strcmp(p->epp, "0");
}

void rule_cpu_governor(const struct facts *f, struct findings *out)
{
	policy_groups(f, out, same_governor, governor_finding);
}

static bool same_epp(const struct facts *f, const struct cpufreq_policy *a,
		     const struct cpufreq_policy *b)
{
	(void)f;
	return !strcmp(a->driver, b->driver) && !strcmp(a->epp, b->epp);
}

/* EPP strings and numbers: 0 performance, 128 balance_performance,
 * 192 balance_power, 255 power. Only the far end of the scale holds the
 * clock down hard enough to call critical. */
static enum severity epp_severity(const char *epp)
{
	char *end;
	long v = strtol(epp, &end, 10);
	bool numeric = end != epp && !*end;
	return !strcmp(epp, "power") || (numeric && v > 192) ? SEV_CRITICAL : SEV_WARNING;
}

static void epp_finding(const struct facts *f, struct findings *out, const struct cpufreq_policy *p,
		       const struct cpuset *cpus, int members)
{
	if (!cpu_epp_slow(p))
		return;
	char subject[300], src[160];
	cpus_subject(cpus, subject, sizeof(subject));
	struct finding *x = finding_add(out, epp_severity(p->epp), subject,
					"energy_performance_preference %s", p->epp);
	policy_source(src, sizeof(src), p, members, "energy_performance_preference");
	finding_evidence(out, x, src, "%s", p->epp);
	if (p->epps[0]) {
		policy_source(src, sizeof(src), p, members,
			      "energy_performance_available_preferences");
		finding_evidence(out, x, src, "%s", p->epps);
	}
	policy_source(src, sizeof(src), p, members, "scaling_governor");
	finding_evidence(out, x, src, "%s (driver %s)", p->governor, p->driver);
	finding_why(out, x,
		    "The hardware picks the clock within its limits by this hint: %s tells it "
		    "to save energy, so it ramps later and settles lower when load is light "
		    "and bursty, which is the shape of request traffic.",
		    p->epp);
	fix_policies(f, out, x, p, same_epp, "energy_performance_preference", "performance");
	finding_fix(out, x,
		    "The performance governor sets EPP to performance (0) as well, and then refuses "
		    "other EPP writes (EBUSY) under HWP.",
		    "tuned-adm profile latency-performance");
}

void rule_cpu_epp(const struct facts *f, struct findings *out)
{
	policy_groups(f, out, same_epp, epp_finding);
}

void rule_cpu_firmware_pm(const struct facts *f, struct findings *out)
{
	if (f->platform.role != ROLE_BARE_METAL || f->cpufreq.count || strcmp(f->arch, "x86"))
		return;
	struct finding *x = finding_add(out, SEV_WARNING, "system",
					"no cpufreq driver: the firmware controls the CPU clock");
	finding_evidence(out, x, "/sys/devices/system/cpu/cpufreq", "no cpufreq policy");
	const struct cmdline_param *ip = cmdline_find(&f->cmdline, "intel_pstate");
	if (ip && ip->value)
		finding_evidence(out, x, "/proc/cmdline", "intel_pstate=%s", ip->value);
	if (f->model_name[0])
		finding_evidence(out, x, "/proc/cpuinfo", "model name %s", f->model_name);
	finding_why(out, x,
		    "On bare metal no cpufreq driver means the BIOS power profile (e.g. Dell "
		    "\"Performance Per Watt (DAPC)\") sets P-states and often C-states too, unseen "
		    "by the OS and untouched by any Linux tuning.");
	finding_fix(out, x,
		    "None at runtime; turbostat shows the clock the firmware chose.",
		    "BIOS: system profile Performance (Dell), Workload Profile Low Latency (HPE), "
		    "Maximum Performance (Lenovo); or OS-controlled P-states so intel_pstate or "
		    "acpi-cpufreq loads and can be set to performance.");
}

void rule_cpu_boost(const struct facts *f, struct findings *out)
{
	const char *src = NULL;
	if (f->cpufreq.no_turbo == 1)
		src = "/sys/devices/system/cpu/intel_pstate/no_turbo";
	else if (f->cpufreq.boost == 0)
		src = "/sys/devices/system/cpu/cpufreq/boost";
	if (!src)
		return;
	struct finding *x = finding_add(out, SEV_INFO, "system",
					"turbo / boost disabled: the clock stops at base");
	finding_evidence(out, x, src, "%d", f->cpufreq.no_turbo == 1 ? 1 : 0);
	finding_why(out, x,
		    "Without turbo a single request runs at the base clock, often 30-50%% below "
		    "what one busy core could reach. Some low-jitter setups turn it off on purpose.");
	finding_action(out, x, FIX_SYSFS, FIX_RUNTIME, NEEDS_ROOT, src, NULL,
		       f->cpufreq.no_turbo == 1 ? "1" : "0", f->cpufreq.no_turbo == 1 ? "0" : "1");
	finding_action(out, x, FIX_SYSFS, FIX_PERSISTENT, NEEDS_ROOT, src, NULL, NULL,
		       f->cpufreq.no_turbo == 1 ? "0" : "1");
	finding_fix(out, x, NULL,
		    "tuned-adm profile latency-performance keeps turbo on from tuned 2.27; "
		    "older tuned turns it off");
}

static const char *epb_name(long v)
{
	return v == 0 ? "performance" : v <= 4 ? "balance-performance" : v <= 6 ? "normal"
		       : v <= 8 ? "balance-power" : "power";
}

void rule_cpu_epb(const struct facts *f, struct findings *out)
{
	/* with HWP the EPP hint rules and EPB is only its fallback */
	if (f->platform.role == ROLE_GUEST || strcmp(f->arch, "x86"))
		return;
	for (size_t i = 0; i < f->cpufreq.count; i++)
		if (f->cpufreq.policies[i].epp[0])
			return;
	for (long v = 5; v <= 15; v++) {
		struct cpuset cpus = { 0 };
		for (size_t i = 0; i < f->ncpus; i++)
			if (f->cpus[i].online && f->cpus[i].epb == v)
				cpuset_add(&cpus, f->cpus[i].id);
		if (!cpuset_count(&cpus))
			continue;
		char subject[300], src[96];
		cpus_subject(&cpus, subject, sizeof(subject));
		snprintf(src, sizeof(src), "/sys/devices/system/cpu/cpu%d/power/energy_perf_bias",
			 cpuset_last(&cpus));
		struct finding *x = finding_add(out, v >= 8 ? SEV_WARNING : SEV_INFO,
						subject, "energy_perf_bias %ld (%s)", v, epb_name(v));
		finding_evidence(out, x, src, "%ld", v);
		finding_why(out, x,
			    "Without HWP the energy/performance bias steers turbo and idle "
			    "decisions; %s trades response time for power.",
			    epb_name(v));
		for (int c = 0; c <= cpuset_last(&cpus); c++) {
			char path[96], now[8];
			if (!cpuset_has(&cpus, c))
				continue;
			snprintf(path, sizeof(path), "/sys/devices/system/cpu/cpu%d/power/energy_perf_bias", c);
			snprintf(now, sizeof(now), "%ld", v);
			finding_action(out, x, FIX_SYSFS, FIX_RUNTIME, NEEDS_ROOT, path, NULL, now, "0");
		}
		finding_action(out, x, FIX_SYSFS, FIX_PERSISTENT, NEEDS_ROOT,
			       "/sys/devices/system/cpu/cpu*/power/energy_perf_bias", NULL, NULL, "0");
		finding_fix(out, x, "cpupower set -b 0",
			    "tuned-adm profile latency-performance (sets EPB to performance)");
		cpuset_clear(&cpus);
	}
}

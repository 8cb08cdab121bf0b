/* P-state rules: who holds the clock down, and how far. The semantics of
 * "powersave" differ by driver (KNOWLEDGE.md, "CPU frequency"). */
#include "rules.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define POLICY_DIR "/sys/devices/system/cpu/cpufreq"

/* Below this share of the rated clock a CPU is "well below" it. */
#define FREQ_LOW_RATIO 0.75
/* ... and below this one, when pinned there, it is critical. */
#define FREQ_PINNED_RATIO 0.60

static const char fix_governor_runtime[] =
	"cpupower frequency-set -g performance\n"
	"# or: echo performance | tee " POLICY_DIR "/policy*/scaling_governor";
static const char fix_governor_persistent[] =
	"tuned-adm profile latency-performance\n"
	"# or, without a daemon, /etc/tmpfiles.d/latdoc-cpufreq.conf:\n"
	"w " POLICY_DIR "/policy*/scaling_governor - - - - performance";

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

/* The generic powersave governor sets the clock to scaling_min_freq. */
static bool pins_minimum(const struct cpufreq_policy *p)
{
	return !strcmp(p->governor, "powersave") && !policy_active_mode(p);
}

static bool max_capped(const struct facts *f, const struct cpufreq_policy *p)
{
	return (p->hw_max_khz > 0 && p->max_khz > 0 && p->max_khz < p->hw_max_khz * 9 / 10) ||
	       (f->cpufreq.max_perf_pct >= 0 && f->cpufreq.max_perf_pct < 100);
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

		if (!held || cur <= 0 || rated <= 0 || cur >= rated * FREQ_LOW_RATIO)
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
	struct finding *x = finding_add(out, "cpu.freq.low", sev, subject,
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
	finding_fix(out, x, fix_governor_runtime, fix_governor_persistent);
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
	struct finding *x = finding_add(out, "cpu.freq.low",
					ratio < FREQ_PINNED_RATIO ? SEV_CRITICAL : SEV_WARNING, subject,
					"CPUs at %.0f MHz, %.0f%% of their rated %.0f MHz, set by firmware",
					sum / n, 100 * ratio, f->nominal_mhz);
	finding_evidence(out, x, "/proc/cpuinfo", "cpu MHz %.0f-%.0f, average %.0f", lo, hi, sum / n);
	finding_evidence(out, x, "/proc/cpuinfo", "model name %s", f->model_name);
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

static bool same_governor(const struct cpufreq_policy *a, const struct cpufreq_policy *b)
{
	return !strcmp(a->driver, b->driver) && !strcmp(a->governor, b->governor);
}

static void governor_finding(const struct facts *f, struct findings *out, const struct cpufreq_policy *p,
		       const struct cpuset *cpus, int members)
{
	if (!p->governor[0] || !strcmp(p->governor, "performance"))
		return;
	char subject[300], src[160];
	bool active = policy_active_mode(p);
	enum severity sev = pins_minimum(p) ? SEV_CRITICAL : SEV_WARNING;

	cpus_subject(cpus, subject, sizeof(subject));
	struct finding *x = finding_add(out, "cpu.governor", sev, subject,
					"cpufreq governor %s (driver %s)", p->governor,
					p->driver[0] ? p->driver : "unknown");
	policy_source(src, sizeof(src), p, members, "scaling_governor");
	finding_evidence(out, x, src, "%s", p->governor);
	policy_source(src, sizeof(src), p, members, "scaling_driver");
	finding_evidence(out, x, src, "%s", p->driver);
	if (p->governors[0]) {
		policy_source(src, sizeof(src), p, members, "scaling_available_governors");
		finding_evidence(out, x, src, "%s", p->governors);
	}
	if (pins_minimum(p)) {
		policy_source(src, sizeof(src), p, members, "scaling_min_freq");
		finding_evidence(out, x, src, "%ld MHz (maximum %ld MHz)", p->min_khz / 1000,
				 p->hw_max_khz / 1000);
		finding_why(out, x,
			    "Under %s the generic powersave governor pins the clock at "
			    "scaling_min_freq (%ld of %ld MHz): every request runs slow, all "
			    "the time.",
			    p->driver, p->min_khz / 1000, p->hw_max_khz / 1000);
	} else if (active && !strcmp(p->governor, "powersave")) {
		if (p->epp[0]) {
			policy_source(src, sizeof(src), p, members,
				      "energy_performance_preference");
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
	finding_fix(out, x, fix_governor_runtime, fix_governor_persistent);
}

void rule_cpu_governor(const struct facts *f, struct findings *out)
{
	policy_groups(f, out, same_governor, governor_finding);
}

static bool same_epp(const struct cpufreq_policy *a, const struct cpufreq_policy *b)
{
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
	(void)f; /* the facts beyond the policy are not needed for EPP */
	if (!p->epp[0] || !strcmp(p->epp, "performance") || !strcmp(p->epp, "0"))
		return;
	char subject[300], src[160];
	cpus_subject(cpus, subject, sizeof(subject));
	struct finding *x = finding_add(out, "cpu.epp", epp_severity(p->epp), subject,
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
	finding_fix(out, x,
		    "echo performance | tee " POLICY_DIR "/policy*/energy_performance_preference\n"
		    "# or set the performance governor, which forces EPP to 0 under HWP",
		    "tuned-adm profile latency-performance\n"
		    "# or /etc/tmpfiles.d/latdoc-epp.conf:\n"
		    "w " POLICY_DIR "/policy*/energy_performance_preference - - - - performance");
}

void rule_cpu_epp(const struct facts *f, struct findings *out)
{
	policy_groups(f, out, same_epp, epp_finding);
}

void rule_cpu_firmware_pm(const struct facts *f, struct findings *out)
{
	if (f->platform.role != ROLE_BARE_METAL || f->cpufreq.count || strcmp(f->arch, "x86"))
		return;
	struct finding *x = finding_add(out, "cpu.firmware_pm", SEV_WARNING, "system",
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
	struct finding *x = finding_add(out, "cpu.boost", SEV_INFO, "system",
					"turbo / boost disabled: the clock stops at base");
	finding_evidence(out, x, src, "%d", f->cpufreq.no_turbo == 1 ? 1 : 0);
	finding_why(out, x,
		    "Without turbo a single request runs at the base clock, often 30-50%% below "
		    "what one busy core could reach. Some low-jitter setups turn it off on purpose.");
	finding_fix(out, x,
		    f->cpufreq.no_turbo == 1
			    ? "echo 0 > /sys/devices/system/cpu/intel_pstate/no_turbo"
			    : "echo 1 > /sys/devices/system/cpu/cpufreq/boost",
		    "tuned-adm profile latency-performance (keeps boost on), or the same write in "
		    "/etc/tmpfiles.d/latdoc-boost.conf");
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
		struct finding *x = finding_add(out, "cpu.epb", v >= 8 ? SEV_WARNING : SEV_INFO,
						subject, "energy_perf_bias %ld (%s)", v, epb_name(v));
		finding_evidence(out, x, src, "%ld", v);
		finding_why(out, x,
			    "Without HWP the energy/performance bias steers turbo and idle "
			    "decisions; %s trades response time for power.",
			    epb_name(v));
		finding_fix(out, x, "cpupower set -b 0",
			    "tuned-adm profile latency-performance (sets EPB to performance)");
		cpuset_clear(&cpus);
	}
}

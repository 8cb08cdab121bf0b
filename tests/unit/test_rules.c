/* Rules on hand-built facts: the semantics the kernel's cpufreq, intel_pstate
 * and cpuidle documents give (Documentation/admin-guide/pm/). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "measure/measure.h"
#include "rules/rules.h"

/* C6 is state3 here: a state1 the kernel left out of this list shows
 * that actions name the state's own directory, not its place. */
static struct idle_state c6_states[] = {
	{ .index = 0, .name = "POLL", .latency_us = 0, .residency_us = 0, .usage = 1, .time_us = 1 },
	{ .index = 2, .name = "C1", .latency_us = 2, .residency_us = 2, .usage = 1, .time_us = 1 },
	{ .index = 3, .name = "C6", .latency_us = 133, .residency_us = 600, .usage = 1, .time_us = 1 },
};

/* Four online CPUs on bare metal x86, nothing configured. */
static void base(struct facts *f, struct cpu *cpus)
{
	memset(f, 0, sizeof(*f));
	f->family = f->model = -1;
	f->dma_latency_us = PM_QOS_DEFAULT_US;
	f->cpufreq.no_turbo = f->cpufreq.boost = -1;
	f->cpufreq.min_perf_pct = f->cpufreq.max_perf_pct = -1;
	f->mem.ksm_run = f->mem.numa_balancing = -1;
	f->mem.swappiness = 10;
	f->nodes = 1;
	strcpy(f->arch, "x86");
	f->platform.role = ROLE_BARE_METAL;
	f->ncpus = 4;
	f->cpus = cpus;
	for (int i = 0; i < 4; i++) {
		memset(&cpus[i], 0, sizeof(cpus[i]));
		cpus[i].id = i;
		cpus[i].online = true;
		cpus[i].policy = -1;
		cpus[i].epb = -1;
		cpus[i].resume_latency_us = -1;
	}
}

static struct cpufreq_policy policy(const char *driver, const char *governor, long cur_khz,
				    long min_khz, long max_khz)
{
	struct cpufreq_policy p = { 0 };
	strcpy(p.name, "policy0");
	strcpy(p.dir, "sys/devices/system/cpu/cpufreq/policy0");
	strcpy(p.driver, driver);
	strcpy(p.governor, governor);
	p.cur_khz = cur_khz;
	p.min_khz = p.hw_min_khz = min_khz;
	p.max_khz = p.hw_max_khz = max_khz;
	p.base_khz = p.hw_cur_khz = -1;
	for (int i = 0; i < 4; i++)
		cpuset_add(&p.cpus, i);
	return p;
}

static const struct finding *find(const struct findings *fs, const char *id)
{
	for (size_t i = 0; i < fs->count; i++)
		if (!strcmp(fs->items[i].id, id))
			return &fs->items[i];
	return NULL;
}

static void guest_is_not_held_by_firmware(void **state)
{
	(void)state;
	struct facts f;
	struct cpu cpus[4];
	struct findings fs = { 0 };
	base(&f, cpus);
	f.platform.role = ROLE_GUEST;
	f.nominal_mhz = 2400;
	for (int i = 0; i < 4; i++)
		cpus[i].cpuinfo_mhz = 1200; /* the TSC rate, meaningless here */
	rules_run(&f, &fs, NULL);
	assert_null(find(&fs, "cpu.freq.low"));
	assert_null(find(&fs, "cpu.firmware_pm"));
	findings_free(&fs);
}

static void bare_metal_firmware_holds_clock(void **state)
{
	(void)state;
	struct facts f;
	struct cpu cpus[4];
	struct findings fs = { 0 };
	base(&f, cpus);
	f.nominal_mhz = 2400;
	for (int i = 0; i < 4; i++)
		cpus[i].cpuinfo_mhz = 1200;
	rules_run(&f, &fs, NULL);
	const struct finding *x = find(&fs, "cpu.freq.low");
	assert_non_null(x);
	assert_int_equal(x->severity, SEV_CRITICAL);
	assert_string_equal(x->subject, "cpus 0-3");
	assert_non_null(strstr(x->title, "50%"));
	assert_non_null(find(&fs, "cpu.firmware_pm"));
	/* ranked: critical first */
	assert_string_equal(fs.items[0].id, "cpu.freq.low");
	findings_free(&fs);

	/* at 80% of the rating, no finding about the clock */
	for (int i = 0; i < 4; i++)
		cpus[i].cpuinfo_mhz = 1920;
	rules_run(&f, &fs, NULL);
	assert_null(find(&fs, "cpu.freq.low"));
	findings_free(&fs);
}

static void powersave_depends_on_driver(void **state)
{
	(void)state;
	struct facts f;
	struct cpu cpus[4];
	struct findings fs = { 0 };
	struct cpufreq_policy p;

	base(&f, cpus);
	f.cpufreq.policies = &p;
	f.cpufreq.count = 1;

	p = policy("acpi-cpufreq", "powersave", 1200000, 1200000, 2400000);
	rules_run(&f, &fs, NULL);
	assert_int_equal(find(&fs, "cpu.governor")->severity, SEV_CRITICAL);
	assert_int_equal(find(&fs, "cpu.freq.low")->severity, SEV_CRITICAL);
	findings_free(&fs);
	cpuset_clear(&p.cpus);

	p = policy("intel_pstate", "powersave", 1200000, 800000, 2400000);
	strcpy(p.epp, "balance_performance");
	rules_run(&f, &fs, NULL);
	const struct finding *g = find(&fs, "cpu.governor");
	assert_int_equal(g->severity, SEV_WARNING);
	assert_non_null(strstr(g->why, "load-following"));
	assert_int_equal(find(&fs, "cpu.freq.low")->severity, SEV_WARNING);
	assert_int_equal(find(&fs, "cpu.epp")->severity, SEV_WARNING);
	findings_free(&fs);
	cpuset_clear(&p.cpus);

	p = policy("intel_pstate", "performance", 3000000, 800000, 3700000);
	strcpy(p.epp, "performance");
	rules_run(&f, &fs, NULL);
	assert_null(find(&fs, "cpu.governor"));
	assert_null(find(&fs, "cpu.epp"));
	assert_null(find(&fs, "cpu.freq.low"));
	findings_free(&fs);
	cpuset_clear(&p.cpus);

	p = policy("amd-pstate-epp", "powersave", 3000000, 400000, 3100000);
	strcpy(p.epp, "power");
	rules_run(&f, &fs, NULL);
	assert_int_equal(find(&fs, "cpu.epp")->severity, SEV_CRITICAL);
	assert_string_equal(fs.items[0].id, "cpu.epp");
	findings_free(&fs);
	cpuset_clear(&p.cpus);
}

static void deep_cstate_unless_capped(void **state)
{
	(void)state;
	struct facts f;
	struct cpu cpus[4];
	struct idle_state st[4][3];
	struct findings fs = { 0 };

	base(&f, cpus);
	for (int i = 0; i < 4; i++) {
		memcpy(st[i], c6_states, sizeof(c6_states));
		cpus[i].states = st[i];
		cpus[i].nstates = 3;
	}
	rules_run(&f, &fs, "cpu.cstate");
	const struct finding *x = find(&fs, "cpu.cstate.deep");
	assert_non_null(x);
	assert_string_equal(x->subject, "cpus 0-3");
	assert_non_null(strstr(x->title, "C6"));
	findings_free(&fs);

	/* a held global PM QoS limit keeps every CPU out of C6 */
	f.dma_latency_us = 20;
	rules_run(&f, &fs, "cpu");
	assert_null(find(&fs, "cpu.cstate.deep"));
	assert_non_null(find(&fs, "cpu.pm_qos"));
	findings_free(&fs);
	f.dma_latency_us = PM_QOS_DEFAULT_US;

	/* C6 disabled on CPUs 0-2 and a per-CPU limit of 50 us on CPU 3 */
	for (int i = 0; i < 3; i++)
		st[i][2].disabled = 1;
	cpus[3].resume_latency_us = 50;
	rules_run(&f, &fs, "cpu.cstate");
	assert_null(find(&fs, "cpu.cstate.deep"));
	findings_free(&fs);

	/* a limit above C6's exit latency caps nothing */
	cpus[3].resume_latency_us = 200;
	rules_run(&f, &fs, "cpu.cstate");
	x = find(&fs, "cpu.cstate.deep");
	assert_non_null(x);
	assert_string_equal(x->subject, "cpu 3");
	findings_free(&fs);

	/* offline CPUs do not count */
	cpus[3].online = false;
	rules_run(&f, &fs, "cpu.cstate");
	assert_null(find(&fs, "cpu.cstate.deep"));
	findings_free(&fs);
}

static const struct fix_action *action(const struct finding *x, enum fix_when when, const char *target)
{
	for (size_t i = 0; i < x->nactions; i++)
		if (x->actions[i].when == when && !strcmp(x->actions[i].target, target))
			return &x->actions[i];
	return NULL;
}

/* A powersave that cannot hold the clock low is not called slow
 * (cpufreq.rst: powersave sets scaling_min_freq; intel_pstate.rst:
 * min_perf_pct), and userspace is judged by scaling_setspeed. */
static void governor_that_cannot_hold_low(void **state)
{
	(void)state;
	struct facts f;
	struct cpu cpus[4];
	struct findings fs = { 0 };
	struct cpufreq_policy p;

	base(&f, cpus);
	f.cpufreq.policies = &p;
	f.cpufreq.count = 1;

	/* scaling_min_freq raised to the maximum under the generic powersave */
	p = policy("acpi-cpufreq", "powersave", 2201000, 2201000, 2201000);
	rules_run(&f, &fs, NULL);
	const struct finding *g = find(&fs, "cpu.governor");
	assert_int_equal(g->severity, SEV_INFO);
	assert_null(strstr(g->why, "runs slow"));
	assert_null(find(&fs, "cpu.freq.low"));
	findings_free(&fs);
	cpuset_clear(&p.cpus);

	/* intel_pstate's floor at 100%: a stale low scaling_cur_freq is not a held clock */
	p = policy("intel_pstate", "powersave", 1000000, 800000, 3700000);
	f.cpufreq.min_perf_pct = 100;
	rules_run(&f, &fs, NULL);
	assert_int_equal(find(&fs, "cpu.governor")->severity, SEV_INFO);
	assert_null(find(&fs, "cpu.freq.low"));
	findings_free(&fs);
	cpuset_clear(&p.cpus);
	f.cpufreq.min_perf_pct = -1;

	/* userspace: by its setspeed */
	p = policy("acpi-cpufreq", "userspace", 1200000, 1200000, 2400000);
	p.setspeed_khz = 1200000;
	rules_run(&f, &fs, "cpu.governor");
	g = find(&fs, "cpu.governor");
	assert_int_equal(g->severity, SEV_CRITICAL);
	assert_non_null(strstr(g->why, "scaling_setspeed (1200 of 2400 MHz)"));
	assert_null(strstr(g->why, "after it has seen load"));
	findings_free(&fs);
	p.setspeed_khz = 2400000;
	rules_run(&f, &fs, "cpu.governor");
	assert_int_equal(find(&fs, "cpu.governor")->severity, SEV_INFO);
	findings_free(&fs);
	cpuset_clear(&p.cpus);
}

/* Fixes as data: every write a program must make, value now and wanted. */
static void fix_actions(void **state)
{
	(void)state;
	struct facts f;
	struct cpu cpus[4];
	struct idle_state st[4][3];
	struct findings fs = { 0 };
	struct cpufreq_policy p;

	base(&f, cpus);
	f.cpufreq.policies = &p;
	f.cpufreq.count = 1;
	p = policy("acpi-cpufreq", "powersave", 1200000, 1200000, 2400000);
	for (int i = 0; i < 4; i++) {
		memcpy(st[i], c6_states, sizeof(c6_states));
		cpus[i].states = st[i];
		cpus[i].nstates = 3;
	}
	f.mem.numa_balancing = 1;
	f.nodes = 2;
	f.mem.swappiness = 60;
	rules_run(&f, &fs, NULL);

	const struct finding *g = find(&fs, "cpu.governor");
	const struct fix_action *a = action(g, FIX_RUNTIME, "/sys/devices/system/cpu/cpufreq/policy0/scaling_governor");
	assert_non_null(a);
	assert_int_equal(a->kind, FIX_SYSFS);
	assert_string_equal(a->now, "powersave");
	assert_string_equal(a->want, "performance");
	assert_true(a->needs & NEEDS_ROOT);
	assert_non_null(action(g, FIX_PERSISTENT, "/sys/devices/system/cpu/cpufreq/policy*/scaling_governor"));

	/* C6 by its exit latency, in its own stateK directory, on every CPU */
	const struct finding *c = find(&fs, "cpu.cstate.deep");
	for (int i = 0; i < 4; i++) {
		char path[96];
		snprintf(path, sizeof(path), "/sys/devices/system/cpu/cpu%d/cpuidle/state3/disable", i);
		a = action(c, FIX_RUNTIME, path);
		assert_non_null(a);
		assert_string_equal(a->want, "1");
		assert_string_equal(a->variant, "disable");
		snprintf(path, sizeof(path), "/sys/devices/system/cpu/cpu%d/cpuidle/state2/disable", i);
		assert_null(action(c, FIX_RUNTIME, path)); /* C1 stays */
	}
	assert_non_null(strstr(c->fix_runtime, "cpupower idle-set -D 21"));
	assert_non_null(strstr(c->fix_runtime, "read as hex: 32 us"));

	/* one sysctl file per setting: the advice of one never empties another's */
	const struct finding *n = find(&fs, "mem.numa_balancing"), *w = find(&fs, "mem.swappiness");
	a = action(n, FIX_RUNTIME, "kernel.numa_balancing");
	assert_int_equal(a->kind, FIX_SYSCTL);
	assert_string_equal(a->now, "1");
	assert_string_equal(a->want, "0");
	assert_string_equal(action(w, FIX_RUNTIME, "vm.swappiness")->now, "60");
	assert_string_not_equal(strstr(n->fix_persistent, "/etc/sysctl.d/"),
				strstr(w->fix_persistent, "/etc/sysctl.d/"));
	findings_free(&fs);
	cpuset_clear(&p.cpus);
}

/* The kernel command line is changed the distribution's way. */
static void cmdline_fix_by_distribution(void **state)
{
	(void)state;
	struct facts f;
	struct cpu cpus[4];
	char text[400];

	base(&f, cpus);
	strcpy(f.os.id, "ubuntu");
	strcpy(f.os.id_like, "debian");
	fix_cmdline_text(&f, "clocksource=tsc", text, sizeof(text));
	assert_non_null(strstr(text, "update-grub"));
	strcpy(f.os.id, "rocky");
	strcpy(f.os.id_like, "rhel centos fedora");
	fix_cmdline_text(&f, "clocksource=tsc", text, sizeof(text));
	assert_non_null(strstr(text, "grubby --update-kernel=ALL --args=\"clocksource=tsc\""));
	strcpy(f.os.id, "debian");
	f.os.id_like[0] = '\0';
	f.os.kernel_cmdline_file = true;
	fix_cmdline_text(&f, "clocksource=tsc", text, sizeof(text));
	assert_non_null(strstr(text, "proxmox-boot-tool refresh"));
}

/* A probe as cost_judge() leaves it: STATE, with an interval [LO, HI]. */
static struct wake_probe probe_with(enum cost_state state, double lo, double hi)
{
	struct wake_probe p;
	memset(&p, 0, sizeof(p));
	p.done = true;
	p.hold = HOLD_DONE;
	p.cost.state = state;
	p.cost.blocks_allowed = p.cost.blocks_held = 10;
	p.cost.p50 = (struct cost_diff){ .have = true, .point_us = (lo + hi) / 2, .lo_us = lo, .hi_us = hi };
	p.cost.lower_us = state == COST_FOUND ? lo : 0;
	p.cost.upper_us = hi;
	return p;
}

/* check --measure: a rule weighs its finding with what was measured, and
 * only with what lies above the noise floor of an undisturbed run. */
static void measurements_move_severity(void **state)
{
	(void)state;
	struct facts f;
	struct cpu cpus[4];
	struct idle_state st[4][3];
	struct findings fs = { 0 };
	struct wake_result w;
	struct freq_result fr;
	struct freq_cpu fc[2] = { { .cpu = 0, .mhz = 1190 }, { .cpu = 1, .mhz = 2390 } };

	base(&f, cpus);
	f.nominal_mhz = 2400;
	for (int i = 0; i < 4; i++) {
		cpus[i].cpuinfo_mhz = 1700; /* 71%: a warning on paper */
		memcpy(st[i], c6_states, sizeof(c6_states));
		cpus[i].states = st[i];
		cpus[i].nstates = 3;
	}
	memset(&w, 0, sizeof(w));
	memset(&fr, 0, sizeof(fr));
	/* a cost of 60 us at least on the cross-CPU wake: critical */
	w.timer = probe_with(COST_WITHIN_NOISE, -3, 8);
	w.npairs = 1;
	w.pairs[0].probe = probe_with(COST_FOUND, 60, 90);
	/* the slowest CPU at half its rating: critical */
	fr.cpus = fc;
	fr.ncpus = 2;
	fr.rated_mhz = 2400;
	rules_run(&f, &fs, "cpu");
	assert_int_equal(find(&fs, "cpu.freq.low")->severity, SEV_WARNING);
	assert_int_equal(find(&fs, "cpu.cstate.deep")->severity, SEV_WARNING);
	findings_free(&fs);
	f.measured.freq = &fr;
	f.measured.wake = &w;
	rules_run(&f, &fs, "cpu");
	assert_int_equal(find(&fs, "cpu.freq.low")->severity, SEV_CRITICAL);
	const struct finding *x = find(&fs, "cpu.cstate.deep");
	assert_int_equal(x->severity, SEV_CRITICAL);
	assert_null(find(&fs, "cpu.cstate.cost")); /* a deep state is in sight: cstate.deep speaks */
	assert_string_equal(fs.items[0].id, "cpu.freq.low"); /* ranked after weighing */
	findings_free(&fs);

	/* severity by the lower bound: 40 to 300 us is a warning, not critical */
	w.pairs[0].probe = probe_with(COST_FOUND, 40, 300);
	rules_run(&f, &fs, "cpu.cstate");
	assert_int_equal(find(&fs, "cpu.cstate.deep")->severity, SEV_WARNING);
	findings_free(&fs);

	/* the same figures from a disturbed machine are evidence, not weight */
	w.pairs[0].probe = probe_with(COST_FOUND, 60, 90);
	strcpy(w.pairs[0].probe.disturbed, "the CPUs were idle 12% of the time");
	rules_run(&f, &fs, "cpu.cstate");
	x = find(&fs, "cpu.cstate.deep");
	assert_int_equal(x->severity, SEV_WARNING);
	assert_non_null(strstr(x->evidence[x->nevidence - 1].value, "disturbed, not weighed"));
	findings_free(&fs);

	/* enabled, but at most 3 us here, every interval says so; and the
	 * clock near its rating */
	w.pairs[0].probe = probe_with(COST_WITHIN_NOISE, -2, 3);
	w.timer = probe_with(COST_WITHIN_NOISE, -1, 2);
	fc[0].mhz = 2300;
	rules_run(&f, &fs, "cpu");
	assert_int_equal(find(&fs, "cpu.freq.low")->severity, SEV_INFO);
	assert_int_equal(find(&fs, "cpu.cstate.deep")->severity, SEV_INFO);
	findings_free(&fs);

	/* within the noise but the noise is wide: no verdict, the severity stays */
	w.pairs[0].probe = probe_with(COST_WITHIN_NOISE, -20, 40);
	rules_run(&f, &fs, "cpu.cstate");
	assert_int_equal(find(&fs, "cpu.cstate.deep")->severity, SEV_WARNING);
	findings_free(&fs);

	/* nothing held off: no cost known, the severity stays */
	w.timer.cost.state = COST_NOT_MEASURED;
	w.timer.hold = HOLD_NOT_ALLOWED;
	w.pairs[0].probe.cost.state = COST_NOT_MEASURED;
	w.pairs[0].probe.hold = HOLD_NOT_ALLOWED;
	f.measured.freq = NULL;
	rules_run(&f, &fs, "cpu.cstate");
	x = find(&fs, "cpu.cstate.deep");
	assert_int_equal(x->severity, SEV_WARNING);
	assert_non_null(strstr(x->evidence[x->nevidence - 1].value, "not measured"));
	findings_free(&fs);
}

/* A haltpoll guest sees no deep state, yet its halt to the host costs:
 * cpu.cstate.cost comes from the measurement alone, material and above the
 * noise, with the guest-side and the host-side fix. */
static void cstate_cost_from_measurement(void **state)
{
	(void)state;
	static struct idle_state haltpoll[] = {
		{ .index = 0, .name = "POLL", .latency_us = 0, .residency_us = 0, .usage = 1, .time_us = 1 },
		{ .index = 1, .name = "haltpoll idle", .latency_us = 1, .residency_us = 1, .usage = 1, .time_us = 1 },
	};
	struct facts f;
	struct cpu cpus[4];
	struct findings fs = { 0 };
	struct wake_result w;

	base(&f, cpus);
	f.platform.role = ROLE_GUEST;
	strcpy(f.cpuidle.driver, "haltpoll");
	f.cpuidle.guest_halt_poll_ns = 0;
	for (int i = 0; i < 4; i++) {
		cpus[i].states = haltpoll;
		cpus[i].nstates = 2;
	}
	memset(&w, 0, sizeof(w));
	cpuset_add(&w.cpus, 0);
	cpuset_add(&w.cpus, 1);
	w.timer = probe_with(COST_FOUND, 12, 30);
	w.npairs = 1;
	w.pairs[0].probe = probe_with(COST_FOUND, 20, 35);
	rules_run(&f, &fs, "cpu.cstate");
	assert_null(find(&fs, "cpu.cstate.cost")); /* nothing measured: nothing said */
	findings_free(&fs);

	f.measured.wake = &w;
	rules_run(&f, &fs, "cpu.cstate");
	assert_null(find(&fs, "cpu.cstate.deep"));
	const struct finding *x = find(&fs, "cpu.cstate.cost");
	assert_non_null(x);
	assert_int_equal(x->severity, SEV_WARNING);
	assert_non_null(strstr(x->title, "20 us"));
	assert_string_equal(x->subject, "cpus 0-1");
	assert_non_null(strstr(x->fix_runtime, "guest_halt_poll_ns"));
	assert_non_null(strstr(x->fix_runtime, "On the host"));
	const struct fix_action *a = action(x, FIX_RUNTIME, "/sys/module/haltpoll/parameters/guest_halt_poll_ns");
	assert_non_null(a);
	assert_string_equal(a->now, "0");
	assert_string_equal(a->want, "200000");
	findings_free(&fs);

	/* critical by the lower bound */
	w.pairs[0].probe = probe_with(COST_FOUND, 55, 80);
	rules_run(&f, &fs, "cpu.cstate");
	assert_int_equal(find(&fs, "cpu.cstate.cost")->severity, SEV_CRITICAL);
	findings_free(&fs);

	/* repeatable but not material (under 5 us), or within the noise: silent */
	w.timer = probe_with(COST_FOUND, 1, 4);
	w.pairs[0].probe = probe_with(COST_WITHIN_NOISE, -30, 60);
	rules_run(&f, &fs, "cpu.cstate");
	assert_null(find(&fs, "cpu.cstate.cost"));
	findings_free(&fs);

	/* no cpuidle driver: nothing to hold off, no cost */
	w.pairs[0].probe = probe_with(COST_FOUND, 55, 80);
	w.pairs[0].probe.cost.state = COST_NOTHING_TO_HOLD;
	w.pairs[0].probe.hold = HOLD_NO_STATES;
	rules_run(&f, &fs, "cpu.cstate");
	assert_null(find(&fs, "cpu.cstate.cost"));
	findings_free(&fs);
	cpuset_clear(&w.cpus);
}

/* The table stamps its id on every finding a rule makes. */
static void ids_stamped_by_the_table(void **state)
{
	(void)state;
	struct facts f;
	struct cpu cpus[4];
	struct findings fs = { 0 };

	base(&f, cpus);
	f.mem.ksm_run = 1;
	f.mem.swappiness = 60;
	rules_run(&f, &fs, NULL);
	/* mem.ksm, mem.swappiness, and cpu.firmware_pm: bare metal without cpufreq */
	assert_int_equal(fs.count, 3);
	assert_non_null(find(&fs, "mem.ksm"));
	for (size_t i = 0; i < fs.count; i++) {
		bool in_table = false;
		for (size_t j = 0; j < rules_count; j++)
			in_table |= fs.items[i].id == rules[j].id;
		assert_true(in_table);
	}
	findings_free(&fs);
}

static void memory(void **state)
{
	(void)state;
	struct facts f;
	struct cpu cpus[4];
	struct findings fs = { 0 };

	base(&f, cpus);
	strcpy(f.mem.thp_enabled, "always");
	strcpy(f.mem.thp_defrag, "always");
	f.mem.ksm_run = 1;
	f.mem.numa_balancing = 1;
	rules_run(&f, &fs, "mem");
	assert_int_equal(find(&fs, "mem.thp")->severity, SEV_WARNING);
	assert_non_null(find(&fs, "mem.ksm"));
	assert_null(find(&fs, "mem.numa_balancing")); /* one node */
	for (size_t i = 0; i < fs.count; i++)
		assert_memory_equal(fs.items[i].id, "mem.", 4);
	findings_free(&fs);

	f.nodes = 2;
	strcpy(f.mem.thp_defrag, "madvise");
	f.mem.ksm_run = 0;
	rules_run(&f, &fs, "mem");
	assert_int_equal(find(&fs, "mem.thp")->severity, SEV_INFO);
	assert_null(find(&fs, "mem.ksm"));
	assert_non_null(find(&fs, "mem.numa_balancing"));
	findings_free(&fs);

	strcpy(f.mem.thp_enabled, "madvise");
	f.mem.numa_balancing = 0;
	rules_run(&f, &fs, "mem");
	assert_int_equal(fs.count, 0);
	findings_free(&fs);
}

static void table_is_consistent(void **state)
{
	(void)state;
	for (size_t i = 0; i < rules_count; i++) {
		assert_non_null(rules[i].run);
		assert_true(strlen(rules[i].summary) > 10);
		for (size_t j = 0; j < i; j++)
			assert_string_not_equal(rules[i].id, rules[j].id);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(guest_is_not_held_by_firmware),
		cmocka_unit_test(bare_metal_firmware_holds_clock),
		cmocka_unit_test(powersave_depends_on_driver),
		cmocka_unit_test(deep_cstate_unless_capped),
		cmocka_unit_test(governor_that_cannot_hold_low),
		cmocka_unit_test(fix_actions),
		cmocka_unit_test(cmdline_fix_by_distribution),
		cmocka_unit_test(measurements_move_severity),
		cmocka_unit_test(cstate_cost_from_measurement),
		cmocka_unit_test(ids_stamped_by_the_table),
		cmocka_unit_test(memory),
		cmocka_unit_test(table_is_consistent),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

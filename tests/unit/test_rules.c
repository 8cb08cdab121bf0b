/* Rules on hand-built facts: the semantics KNOWLEDGE.md insists on. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "rules/rules.h"

static struct idle_state c6_states[] = {
	{ "POLL", "", 0, 0, 0, 1, 1 },
	{ "C1", "", 2, 2, 0, 1, 1 },
	{ "C6", "", 133, 600, 0, 1, 1 },
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
		cmocka_unit_test(memory),
		cmocka_unit_test(table_is_consistent),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

/* The problems list: bounded, whatever a dump holds. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>

#include "facts/facts.h"
#include "lib/lazy.h"

static void alike_problems_are_counted(void **state)
{
	(void)state;
	struct facts f;
	char path[96];

	memset(&f, 0, sizeof(f));
	for (int cpu = 0; cpu < 10000; cpu++) {
		snprintf(path, sizeof(path), "sys/devices/system/cpu/cpu%d/cpuidle/state%d/latency", cpu, cpu % 3);
		facts_problem(&f, path, "too many symbolic links");
	}
	facts_problem(&f, "proc/cpuinfo", "empty file");
	assert_int_equal(f.nproblems, 5);
	assert_string_equal(f.problems[0], "sys/devices/system/cpu/cpu0/cpuidle/state0/latency: too many symbolic links");
	assert_string_equal(f.problems[2], "sys/devices/system/cpu/cpu2/cpuidle/state2/latency: too many symbolic links");
	assert_string_equal(f.problems[3], "sys/devices/system/cpu/cpu*/cpuidle/state*/latency: too many symbolic links "
					   "(9997 more like it, not listed)");
	assert_string_equal(f.problems[4], "proc/cpuinfo: empty file");
	facts_free(&f);
}

/* a reason that differs each time is a kind of its own, up to a bound */
static void kinds_are_bounded(void **state)
{
	(void)state;
	struct facts f;

	memset(&f, 0, sizeof(f));
	for (int i = 0; i < 5000; i++)
		facts_problem(&f, "sys/devices/system/cpu/cpu1/online", "'%d' is not 0 or 1", i);
	assert_true(f.nproblems <= 65);
	assert_string_equal(f.problems[0], "sys/devices/system/cpu/cpu1/online: '0' is not 0 or 1");
	assert_string_equal(f.problems[f.nproblems - 1], "(4936 more problems of other kinds, not listed)");
	facts_free(&f);
}

/* libvirt is loaded when first asked for; when it is not there, the note
 * says so and the audit goes on without the API */
static void missing_libvirt_is_said(void **state)
{
	(void)state;
	struct facts f;

	memset(&f, 0, sizeof(f));
	lazy_libvirt.soname = "libvirt-not-here.so.0";
	assert_int_equal(collect_vm_libvirt(&f, "qemu:///system", true), 0);
	assert_non_null(strstr(f.virt.libvirt_note, "libvirt-not-here.so.0 is not installed"));
	assert_int_equal(f.virt.count, 0);
	facts_free(&f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(alike_problems_are_counted),
		cmocka_unit_test(kinds_are_bounded),
		cmocka_unit_test(missing_libvirt_is_said),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

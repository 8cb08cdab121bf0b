#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "parse/cpuinfo.h"

static int parse(const char *text, struct cpuinfo *ci, char *err)
{
	return cpuinfo_parse(text, strlen(text), ci, err, 160);
}

static void x86(void **state)
{
	(void)state;
	struct cpuinfo ci;
	char err[160];
	const char *text = "processor\t: 0\nvendor_id\t: GenuineIntel\ncpu family\t: 6\n"
			   "model\t\t: 85\nmodel name\t: Intel(R) Xeon(R) CPU           X7550  @ 2.00GHz\n"
			   "cpu MHz\t\t: 1064.000\nflags\t\t: fpu hypervisor aperfmperf\n\n"
			   "processor\t: 1\nvendor_id\t: GenuineIntel\ncpu MHz\t\t: 1995.5\n";
	assert_int_equal(parse(text, &ci, err), 0);
	assert_string_equal(ci.arch, "x86");
	assert_string_equal(ci.vendor, "GenuineIntel");
	assert_string_equal(ci.model_name, "Intel(R) Xeon(R) CPU           X7550  @ 2.00GHz");
	assert_int_equal(ci.family, 6);
	assert_int_equal(ci.model, 85);
	assert_true(ci.nominal_mhz == 2000);
	assert_int_equal(ci.nprocs, 2);
	assert_true(ci.procs[0].mhz == 1064.0);
	assert_true(ci.procs[1].mhz == 1995.5);
	assert_true(cpuinfo_has_flag(&ci, "hypervisor"));
	assert_false(cpuinfo_has_flag(&ci, "hwp"));
	cpuinfo_free(&ci);
}

static void other_architectures(void **state)
{
	(void)state;
	struct cpuinfo ci;
	char err[160];
	assert_int_equal(parse("processor\t: 0\ncpu\t\t: POWER7 (architected), altivec supported\n"
			       "clock\t\t: 3000.000000MHz\ntimebase\t: 512000000\n", &ci, err), 0);
	assert_string_equal(ci.arch, "ppc");
	assert_string_equal(ci.model_name, "POWER7 (architected), altivec supported");
	assert_true(ci.procs[0].mhz == 3000.0);
	assert_true(ci.nominal_mhz == 0);
	cpuinfo_free(&ci);

	assert_int_equal(parse("Processor\t: ARMv7 Processor rev 4 (v7l)\nprocessor\t: 0\n"
			       "CPU implementer\t: 0x41\n", &ci, err), 0);
	assert_string_equal(ci.arch, "arm");
	assert_string_equal(ci.vendor, "0x41");
	assert_int_equal(ci.nprocs, 1);
	cpuinfo_free(&ci);

	assert_int_equal(parse("vendor_id       : IBM/S390\n# processors    : 3\n"
			       "processor 0: version = FF,  identification = 29AA14\n", &ci, err), 0);
	assert_string_equal(ci.arch, "s390");
	assert_int_equal(ci.nprocs, 0);
	cpuinfo_free(&ci);
}

static void bad_input(void **state)
{
	(void)state;
	struct cpuinfo ci;
	char err[160];

	assert_int_equal(cpuinfo_parse("", 0, &ci, err, sizeof(err)), -EINVAL);
	assert_string_equal(err, "empty file");
	assert_int_equal(cpuinfo_parse("proc\0essor", 10, &ci, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "NUL byte at offset 4"));
	assert_int_equal(parse("garbage\nwithout colons\n", &ci, err), -EINVAL);
	assert_non_null(strstr(err, "no 'key : value' lines"));
	assert_int_equal(parse("processor\t: 0\nprocessor\t: zero\n", &ci, err), -EINVAL);
	assert_non_null(strstr(err, "line 2"));
	assert_int_equal(parse("processor\t: 99999999\n", &ci, err), -EINVAL);
	/* truncated in the middle of a line: what is there is used */
	assert_int_equal(parse("processor\t: 0\nmodel name\t: Intel(R) Xe", &ci, err), 0);
	assert_string_equal(ci.model_name, "Intel(R) Xe");
	cpuinfo_free(&ci);
	/* an absurd clock is ignored, not believed */
	assert_int_equal(parse("processor\t: 0\ncpu MHz\t: 1e300\n", &ci, err), 0);
	assert_true(ci.procs[0].mhz == 0);
	cpuinfo_free(&ci);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(x86),
		cmocka_unit_test(other_architectures),
		cmocka_unit_test(bad_input),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

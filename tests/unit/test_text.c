#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "parse/text.h"

static void numbers(void **state)
{
	(void)state;
	long v;
	unsigned long long u;
	double d;
	assert_int_equal(parse_long("42\n", &v), 0);
	assert_int_equal(v, 42);
	assert_int_equal(parse_long(" -7 ", &v), 0);
	assert_int_equal(v, -7);
	assert_int_equal(parse_long("", &v), -EINVAL);
	assert_int_equal(parse_long("12abc", &v), -EINVAL);
	assert_int_equal(parse_long("abc", &v), -EINVAL);
	assert_int_equal(parse_long("99999999999999999999999", &v), -EINVAL);
	assert_int_equal(parse_ullong("18446744073709551615", &u), 0);
	assert_true(u == 18446744073709551615ull);
	assert_int_equal(parse_ullong("-1", &u), -EINVAL);
	assert_int_equal(parse_double("1138.044", &d), 0);
	assert_true(d > 1138.0 && d < 1138.1);
	assert_int_equal(parse_double("nan", &d), -EINVAL);
	assert_int_equal(parse_double("1e999", &d), -EINVAL);
}

static void choices(void **state)
{
	(void)state;
	char out[16];
	assert_int_equal(parse_choice("always [madvise] never\n", out, sizeof(out)), 0);
	assert_string_equal(out, "madvise");
	assert_int_equal(parse_choice("always defer defer+madvise [madvise] never", out, sizeof(out)), 0);
	assert_string_equal(out, "madvise");
	assert_int_equal(parse_choice("[always] madvise never", out, sizeof(out)), 0);
	assert_string_equal(out, "always");
	assert_int_equal(parse_choice("always madvise never", out, sizeof(out)), -EINVAL);
	assert_int_equal(parse_choice("[]", out, sizeof(out)), -EINVAL);
	assert_int_equal(parse_choice("[always", out, sizeof(out)), -EINVAL);
	assert_int_equal(parse_choice("[a [b] c]", out, sizeof(out)), -EINVAL);
	assert_int_equal(parse_choice("[a b]", out, sizeof(out)), -EINVAL);
	assert_int_equal(parse_choice("[averyveryverylongword]", out, sizeof(out)), -EINVAL);
}

static void durations(void **state)
{
	(void)state;
	long long ns;
	assert_int_equal(parse_duration_ns("250us", &ns), 0);
	assert_true(ns == 250000);
	assert_int_equal(parse_duration_ns("1.5ms", &ns), 0);
	assert_true(ns == 1500000);
	assert_int_equal(parse_duration_ns("2s", &ns), 0);
	assert_true(ns == 2000000000LL);
	assert_int_equal(parse_duration_ns("10m", &ns), 0);
	assert_true(ns == 600000000000LL);
	assert_int_equal(parse_duration_ns("1h", &ns), 0);
	assert_true(ns == 3600000000000LL);
	assert_int_equal(parse_duration_ns("100ns", &ns), 0);
	assert_true(ns == 100);
	assert_int_equal(parse_duration_ns("0", &ns), 0);
	assert_true(ns == 0);
	/* a bare number is ambiguous: seconds for ping, microseconds for cyclictest */
	assert_int_equal(parse_duration_ns("1000", &ns), -EDOM);
	assert_int_equal(parse_duration_ns("0.5", &ns), -EDOM);
	assert_int_equal(parse_duration_ns("-1ms", &ns), -EINVAL);
	assert_int_equal(parse_duration_ns("1 ms", &ns), -EINVAL);
	assert_int_equal(parse_duration_ns("1msx", &ns), -EINVAL);
	assert_int_equal(parse_duration_ns("ms", &ns), -EINVAL);
	assert_int_equal(parse_duration_ns("nans", &ns), -EINVAL);
	assert_int_equal(parse_duration_ns("1d", &ns), -EINVAL);
	assert_int_equal(parse_duration_ns("200h", &ns), -ERANGE);
	assert_int_equal(parse_duration_ns("1e300s", &ns), -ERANGE);
}

static void words(void **state)
{
	(void)state;
	assert_true(word_in_list("fpu vme hypervisor lahf_lm", "hypervisor"));
	assert_true(word_in_list("hwp", "hwp"));
	assert_false(word_in_list("hwp_epp hwp_act_window", "hwp"));
	assert_false(word_in_list("nohypervisor", "hypervisor"));
	assert_false(word_in_list("a b", ""));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(numbers),
		cmocka_unit_test(choices),
		cmocka_unit_test(durations),
		cmocka_unit_test(words),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

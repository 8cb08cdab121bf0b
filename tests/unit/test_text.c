#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "lib/escape.h"
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

static void escaping(void **state)
{
	(void)state;
	char out[64];
	assert_int_equal(str_escape(out, sizeof(out), "ev\033[31mil\007", false), 16);
	assert_string_equal(out, "ev\\x1b[31mil\\x07");
	str_escape(out, sizeof(out), "a\nb", false);
	assert_string_equal(out, "a\\x0ab");
	str_escape(out, sizeof(out), "a\nb\tc", true);
	assert_string_equal(out, "a\nb\tc");
	/* not UTF-8: each byte shown; UTF-8 kept as it is */
	str_escape(out, sizeof(out), "\xff\xfe caf\xc3\xa9", false);
	assert_string_equal(out, "\\xff\\xfe caf\xc3\xa9");
	/* an overlong slash and a surrogate are not UTF-8 */
	str_escape(out, sizeof(out), "\xc0\xaf\xed\xa0\x80", false);
	assert_string_equal(out, "\\xc0\\xaf\\xed\\xa0\\x80");
	/* C1 controls and a right-to-left override reorder or drive a terminal */
	str_escape(out, sizeof(out), "\xc2\x9b" "2J \xe2\x80\xae" "evil", false);
	assert_string_equal(out, "\\u{009b}2J \\u{202e}evil");
	/* cut short, never inside an escape */
	assert_int_equal(str_escape(out, 6, "ab\033cd", false), 8);
	assert_string_equal(out, "ab");
	char *d = str_escape_dup("\001", false);
	assert_string_equal(d, "\\x01");
	free(d);
}

static void utf8(void **state)
{
	(void)state;
	size_t n;
	char *r = utf8_repair("ok \xff caf\xc3\xa9 \xe2\x82", 13, &n);
	assert_string_equal(r, "ok \xef\xbf\xbd caf\xc3\xa9 \xef\xbf\xbd\xef\xbf\xbd");
	assert_int_equal(n, strlen(r));
	free(r);
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
		cmocka_unit_test(escaping),
		cmocka_unit_test(utf8),
		cmocka_unit_test(words),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

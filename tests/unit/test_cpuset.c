#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "lib/cpuset.h"

static void assert_list(const char *in, const char *want)
{
	struct cpuset s = { 0 };
	char out[256];
	assert_int_equal(cpuset_parse(&s, in), 0);
	assert_int_equal(cpuset_format(&s, out, sizeof(out)), 0);
	assert_string_equal(out, want);
	cpuset_clear(&s);
}

static void ranges(void **state)
{
	(void)state;
	assert_list("0-3,8-11\n", "0-3,8-11");
	assert_list("5", "5");
	assert_list("0,1,2,3", "0-3");
	assert_list("6-7,10-11,14-15", "6-7,10-11,14-15");
	assert_list("", "");
	assert_list("\n", "");
	assert_list("0-15:2/4", "0-1,4-5,8-9,12-13");
}

static void count_and_last(void **state)
{
	(void)state;
	struct cpuset s = { 0 };
	assert_int_equal(cpuset_parse(&s, "1-5,63,100"), 0);
	assert_int_equal(cpuset_count(&s), 7);
	assert_int_equal(cpuset_last(&s), 100);
	assert_true(cpuset_has(&s, 63));
	assert_false(cpuset_has(&s, 6));
	assert_false(cpuset_has(&s, -1));
	assert_false(cpuset_has(&s, 5000));
	cpuset_clear(&s);
}

static void rejects_garbage(void **state)
{
	(void)state;
	static const char *const bad[] = { "x", "0-", "-3", "3-1", "0,,1", "0-3,x", "1 2",
					   "99999", "0-8192", "0-7:0/4", "0-7:5/4", "0-7:2",
					   "0-7:2/", ",", "0-3," };
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct cpuset s = { 0 };
		int err = cpuset_parse(&s, bad[i]);
		if (err != -EINVAL && err != -ERANGE)
			fail_msg("'%s' was accepted", bad[i]);
		assert_int_equal(cpuset_count(&s), 0);
		cpuset_clear(&s);
	}
}

static void masks(void **state)
{
	(void)state;
	struct cpuset s = { 0 };
	char out[64];
	assert_int_equal(cpuset_parse_mask(&s, "00000000,000000ff\n"), 0);
	cpuset_format(&s, out, sizeof(out));
	assert_string_equal(out, "0-7");
	assert_int_equal(cpuset_parse_mask(&s, "f0,00000001"), 0);
	cpuset_format(&s, out, sizeof(out));
	assert_string_equal(out, "0,36-39");
	assert_int_equal(cpuset_parse_mask(&s, "zz"), -EINVAL);
	assert_int_equal(cpuset_parse_mask(&s, ""), -EINVAL);
	cpuset_clear(&s);
}

static void format_truncates(void **state)
{
	(void)state;
	struct cpuset s = { 0 };
	char out[12];
	assert_int_equal(cpuset_parse(&s, "0,2,4,6,8,10,12,14"), 0);
	assert_int_equal(cpuset_format(&s, out, sizeof(out)), -ENAMETOOLONG);
	assert_non_null(strstr(out, "..."));
	cpuset_clear(&s);
}

static void intersections(void **state)
{
	(void)state;
	struct cpuset a = { 0 }, b = { 0 }, c = { 0 }, both = { 0 };
	char out[64];
	assert_int_equal(cpuset_parse(&a, "1-3,70"), 0);
	assert_int_equal(cpuset_parse(&b, "3,64-127"), 0);
	assert_int_equal(cpuset_parse(&c, "4"), 0);
	assert_true(cpuset_intersects(&a, &b));
	assert_false(cpuset_intersects(&a, &c));
	assert_false(cpuset_intersects(&a, &both)); /* an empty set shares nothing */
	assert_int_equal(cpuset_merge_and(&both, &a, &b), 0);
	cpuset_format(&both, out, sizeof(out));
	assert_string_equal(out, "3,70");
	cpuset_clear(&a);
	cpuset_clear(&b);
	cpuset_clear(&c);
	cpuset_clear(&both);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(ranges),     cmocka_unit_test(count_and_last),
		cmocka_unit_test(rejects_garbage), cmocka_unit_test(masks),
		cmocka_unit_test(format_truncates), cmocka_unit_test(intersections),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

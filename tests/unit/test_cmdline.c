#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "parse/cmdline.h"

static void splits_and_finds(void **state)
{
	(void)state;
	struct cmdline c;
	assert_int_equal(cmdline_parse("BOOT_IMAGE=/vmlinuz root=/dev/sda1 ro quiet "
				       "intel_idle.max_cstate=1 processor-max_cstate=2 "
				       "idle=poll\n", &c), 0);
	assert_int_equal(c.count, 7);
	assert_string_equal(cmdline_find(&c, "root")->value, "/dev/sda1");
	assert_null(cmdline_find(&c, "quiet")->value);
	assert_string_equal(cmdline_find(&c, "intel_idle.max_cstate")->value, "1");
	/* '-' and '_' are one character to the kernel */
	assert_null(cmdline_find(&c, "processor.max_cstate"));
	assert_string_equal(cmdline_find(&c, "processor_max_cstate")->value, "2");
	assert_null(cmdline_find(&c, "nosuch"));
	cmdline_free(&c);
}

static void last_wins_and_quotes(void **state)
{
	(void)state;
	struct cmdline c;
	assert_int_equal(cmdline_parse("isolcpus=1 dyndbg=\"file foo.c +p\" isolcpus=2-3 "
				       "\"quoted=a b\"", &c), 0);
	assert_int_equal(c.count, 4);
	assert_string_equal(cmdline_find(&c, "isolcpus")->value, "2-3");
	assert_string_equal(cmdline_find(&c, "dyndbg")->value, "file foo.c +p");
	assert_string_equal(cmdline_find(&c, "quoted")->value, "a b");
	cmdline_free(&c);
}

static void stops_at_double_dash(void **state)
{
	(void)state;
	struct cmdline c;
	assert_int_equal(cmdline_parse("ro -- single idle=poll", &c), 0);
	assert_int_equal(c.count, 1);
	assert_null(cmdline_find(&c, "idle"));
	cmdline_free(&c);
}

static void rejects_bad(void **state)
{
	(void)state;
	struct cmdline c;
	assert_int_equal(cmdline_parse("root=/dev/sda \"unterminated", &c), -EINVAL);
	assert_int_equal(c.count, 0);
	assert_null(c.params);
	/* more than CMDLINE_MAX_PARAMS parameters */
	char *many = malloc(CMDLINE_MAX_PARAMS * 2 + 8);
	assert_non_null(many);
	for (int i = 0; i <= CMDLINE_MAX_PARAMS; i++)
		memcpy(many + 2 * i, "a ", 2);
	many[2 * (CMDLINE_MAX_PARAMS + 1)] = '\0';
	assert_int_equal(cmdline_parse(many, &c), -EINVAL);
	free(many);
	assert_int_equal(cmdline_parse("", &c), 0);
	assert_int_equal(c.count, 0);
	cmdline_free(&c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(splits_and_finds),
		cmocka_unit_test(last_wins_and_quotes),
		cmocka_unit_test(stops_at_double_dash),
		cmocka_unit_test(rejects_bad),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

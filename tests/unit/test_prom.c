#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "output/prom.h"

/* S written in FMT, as a string the caller frees */
static char *written(struct prom_set *s, enum prom_format fmt)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	assert_non_null(f);
	assert_int_equal(prom_write(f, s, fmt), 0);
	assert_int_equal(prom_write_end(f, fmt), 0);
	assert_int_equal(fclose(f), 0);
	return buf;
}

static void label_values_escaped(void **state)
{
	(void)state;
	struct prom_set s = { 0 };
	struct prom_family *f = prom_family(&s, PROM_GAUGE, "t_g", NULL, "help");
	prom_add(&s, f, 1, "a", "q\"b\\s\nn", NULL);
	/* bytes that are not UTF-8: a lone continuation, an overlong '/', a surrogate */
	prom_add(&s, f, 2, "a", "x\x80y\xc0\xafz\xed\xa0\x80", NULL);
	prom_add(&s, f, 3, "a", "", "b", "kept", NULL);
	char *t = written(&s, PROM_TEXT);
	assert_non_null(strstr(t, "t_g{a=\"q\\\"b\\\\s\\nn\"} 1\n"));
	assert_non_null(strstr(t, "t_g{a=\"x\xef\xbf\xbdy\xef\xbf\xbd\xef\xbf\xbdz\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\"} 2\n"));
	/* an empty value is no label at all */
	assert_non_null(strstr(t, "t_g{b=\"kept\"} 3\n"));
	free(t);
	prom_set_free(&s);
}

static void samples_sorted_once(void **state)
{
	(void)state;
	struct prom_set s = { 0 };
	struct prom_family *f = prom_family(&s, PROM_GAUGE, "t_g", NULL, "help");
	prom_add(&s, f, 1, "k", "b", NULL);
	prom_add(&s, f, 1, "k", "a", NULL);
	prom_add(&s, f, 1, "k", "b", NULL);
	assert_ptr_equal(prom_family(&s, PROM_GAUGE, "t_g", NULL, "again"), f);
	prom_family(&s, PROM_GAUGE, "t_empty", NULL, "no samples: not written");
	char *t = written(&s, PROM_TEXT);
	assert_string_equal(t, "# HELP t_g help\n# TYPE t_g gauge\nt_g{k=\"a\"} 1\nt_g{k=\"b\"} 1\n");
	free(t);
	prom_set_free(&s);
}

/* a family's address holds while more are added */
static void many_families(void **state)
{
	(void)state;
	static char names[100][8];
	struct prom_family *first[100];
	struct prom_set s = { 0 };
	for (int i = 0; i < 100; i++) {
		snprintf(names[i], sizeof(names[i]), "t_%d", i);
		first[i] = prom_family(&s, PROM_GAUGE, names[i], NULL, "h");
	}
	for (int i = 0; i < 100; i++)
		prom_add(&s, first[i], i, NULL);
	assert_false(s.out_of_memory);
	char *t = written(&s, PROM_TEXT);
	assert_non_null(strstr(t, "\nt_0 0\n"));
	assert_non_null(strstr(t, "\nt_99 99\n"));
	free(t);
	prom_set_free(&s);
}

static void counters_and_info_by_format(void **state)
{
	(void)state;
	struct prom_set s = { 0 };
	prom_add(&s, prom_family(&s, PROM_COUNTER, "t_cpu_seconds", "seconds", "c"), 1.5, NULL);
	prom_add(&s, prom_family(&s, PROM_INFO, "t_build", NULL, "i"), 1, "version", "1", NULL);
	char *t = written(&s, PROM_TEXT), *om = written(&s, PROM_OPENMETRICS);
	assert_string_equal(t, "# HELP t_cpu_seconds_total c\n# TYPE t_cpu_seconds_total counter\n"
			       "t_cpu_seconds_total 1.5\n"
			       "# HELP t_build_info i\n# TYPE t_build_info gauge\nt_build_info{version=\"1\"} 1\n");
	assert_string_equal(om, "# HELP t_cpu_seconds c\n# TYPE t_cpu_seconds counter\n# UNIT t_cpu_seconds seconds\n"
				"t_cpu_seconds_total 1.5\n"
				"# HELP t_build i\n# TYPE t_build info\nt_build_info{version=\"1\"} 1\n# EOF\n");
	free(t);
	free(om);
	prom_set_free(&s);
}

static void values_shortest(void **state)
{
	(void)state;
	struct prom_set s = { 0 };
	struct prom_family *f = prom_family(&s, PROM_GAUGE, "t", NULL, "h");
	const double v[] = { 0.1, 3.7e9, 2e-6, -4, NAN, INFINITY, 1.0 / 3 };
	const char *want[] = { "0.1", "3700000000", "2e-06", "-4", "NaN", "+Inf", "0.3333333333333333" };
	for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		char k[4];
		snprintf(k, sizeof(k), "%zu", i);
		prom_add(&s, f, v[i], "i", k, NULL);
	}
	char *t = written(&s, PROM_TEXT);
	for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		char line[64];
		snprintf(line, sizeof(line), "t{i=\"%zu\"} %s\n", i, want[i]);
		assert_non_null(strstr(t, line));
	}
	free(t);
	prom_set_free(&s);
}

static void negotiation(void **state)
{
	(void)state;
	/* Prometheus 2.42's own Accept header */
	assert_int_equal(prom_negotiate("application/openmetrics-text;version=1.0.0,application/openmetrics-text;"
					"version=0.0.1;q=0.75,text/plain;version=0.0.4;q=0.5,*/*;q=0.1"),
			 PROM_OPENMETRICS);
	assert_int_equal(prom_negotiate(NULL), PROM_TEXT);
	assert_int_equal(prom_negotiate("*/*"), PROM_TEXT);
	assert_int_equal(prom_negotiate("text/plain;version=0.0.4"), PROM_TEXT);
	assert_int_equal(prom_negotiate("application/openmetrics-text"), PROM_OPENMETRICS);
	assert_int_equal(prom_negotiate("application/openmetrics-text; q=0.2, text/plain; q=0.9"), PROM_TEXT);
	assert_int_equal(prom_negotiate("application/openmetrics-text;q=0"), PROM_TEXT);
	assert_int_equal(prom_negotiate("application/openmetrics-text;q=junk"), PROM_TEXT);
	assert_int_equal(prom_negotiate(",,;;q=,=;"), PROM_TEXT);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(label_values_escaped),
		cmocka_unit_test(samples_sorted_once),
		cmocka_unit_test(many_families),
		cmocka_unit_test(counters_and_info_by_format),
		cmocka_unit_test(values_shortest),
		cmocka_unit_test(negotiation),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

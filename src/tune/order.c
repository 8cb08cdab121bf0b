/* The order of writes. Some knobs reset others when written, and some are
 * refused in some states: the kernel's rules, not the findings' ranking,
 * decide what goes first (torvalds/linux: Documentation/admin-guide/pm/
 * intel_pstate.rst: writing status resets the driver, and EPP writes fail
 * with EBUSY under the performance governor with HWP; amd-pstate.rst). */
#include "tune.h"

#include <string.h>

static bool ends_with(const char *s, const char *tail)
{
	size_t n = strlen(s), t = strlen(tail);
	return n >= t && !strcmp(s + n - t, tail);
}

int order_rank(const char *path)
{
	/* writing status re-registers the driver and resets every setting
	 * under it: first, so that the rest lands on the new driver */
	if (ends_with(path, "intel_pstate/status") || ends_with(path, "amd_pstate/status"))
		return 0;
	/* the governor before EPP: performance with HWP forces EPP to 0 and
	 * refuses other EPP writes with EBUSY */
	if (ends_with(path, "/scaling_governor"))
		return 1;
	if (ends_with(path, "/scaling_max_freq") || ends_with(path, "/scaling_min_freq") ||
	    ends_with(path, "_perf_pct") || ends_with(path, "/no_turbo") ||
	    ends_with(path, "cpufreq/boost"))
		return 2;
	if (ends_with(path, "/energy_performance_preference"))
		return 3;
	if (ends_with(path, "/energy_perf_bias"))
		return 4;
	if (ends_with(path, "/disable") || ends_with(path, "/pm_qos_resume_latency_us"))
		return 5;
	return 6;
}

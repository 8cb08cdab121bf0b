/* What tune may change: the knobs the rules know, and nothing else. A fix
 * action, or a journal handed to revert, that names anything else is
 * refused, whatever a dump or a journal says. */
#include "tune.h"

#include <errno.h>
#include <fnmatch.h>
#include <stdio.h>
#include <string.h>

static const char *const knobs[] = {
	"sys/devices/system/cpu/cpufreq/policy*/scaling_governor",
	"sys/devices/system/cpu/cpufreq/policy*/energy_performance_preference",
	"sys/devices/system/cpu/cpufreq/policy*/scaling_max_freq",
	"sys/devices/system/cpu/cpufreq/policy*/scaling_min_freq",
	/* kernels before policy directories */
	"sys/devices/system/cpu/cpu*/cpufreq/scaling_governor",
	"sys/devices/system/cpu/cpu*/cpufreq/energy_performance_preference",
	"sys/devices/system/cpu/cpu*/cpufreq/scaling_max_freq",
	"sys/devices/system/cpu/cpu*/cpufreq/scaling_min_freq",
	"sys/devices/system/cpu/cpufreq/boost",
	"sys/devices/system/cpu/intel_pstate/status",
	"sys/devices/system/cpu/intel_pstate/no_turbo",
	"sys/devices/system/cpu/intel_pstate/max_perf_pct",
	"sys/devices/system/cpu/intel_pstate/min_perf_pct",
	"sys/devices/system/cpu/amd_pstate/status",
	"sys/devices/system/cpu/cpu*/cpuidle/state*/disable",
	"sys/devices/system/cpu/cpu*/power/energy_perf_bias",
	"sys/devices/system/cpu/cpu*/power/pm_qos_resume_latency_us",
	"sys/devices/system/clocksource/clocksource0/current_clocksource",
	"sys/kernel/mm/transparent_hugepage/enabled",
	"sys/kernel/mm/transparent_hugepage/defrag",
	"sys/kernel/mm/ksm/run",
	"sys/module/kvm/parameters/halt_poll_ns",
	"proc/sys/kernel/numa_balancing",
	"proc/sys/vm/swappiness",
};

static const char *const services[] = { "ondemand.service", "ksm.service", "ksmtuned.service",
					"latdoc-hold.service" };
static const char *const modules[] = { "vhost_net" };
static const char *const cmdline_params[] = { "clocksource", "transparent_hugepage",
					      "intel_idle.max_cstate", "processor.max_cstate" };

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

static bool in_list(const char *s, const char *const *list, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!strcmp(s, list[i]))
			return true;
	return false;
}

/* No ".", "..", empty component or leading slash: a path that says
 * exactly where it goes. */
static bool plain_path(const char *p)
{
	if (!*p || *p == '/')
		return false;
	for (const char *c = p; c; c = strchr(c, '/') ? strchr(c, '/') + 1 : NULL) {
		size_t n = strcspn(c, "/");
		if (!n || (n == 1 && c[0] == '.') || (n == 2 && c[0] == '.' && c[1] == '.'))
			return false;
	}
	return true;
}

/* The bytes a knob's path may hold: what sysfs and procfs name the knobs
 * with, and '*' for a glob of them. A path goes into tmpfiles.d lines,
 * where a blank starts another field, a newline another line and '%' a
 * specifier (%S is /var/lib): a directory a dump names "policy0\nR! %S"
 * must not become a line that removes /var/lib at boot. */
static bool plain_bytes(const char *p)
{
	return strspn(p, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.,:+-/*") ==
	       strlen(p);
}

bool knob_allowed(const char *path)
{
	if (!plain_path(path) || !plain_bytes(path))
		return false;
	for (size_t i = 0; i < COUNT(knobs); i++)
		if (!fnmatch(knobs[i], path, FNM_PATHNAME | FNM_PERIOD))
			return true;
	return false;
}

bool knob_service_allowed(const char *unit)
{
	return in_list(unit, services, COUNT(services));
}

bool knob_module_allowed(const char *module)
{
	return in_list(module, modules, COUNT(modules));
}

bool knob_cmdline_allowed(const char *param)
{
	return in_list(param, cmdline_params, COUNT(cmdline_params));
}

bool knob_value_ok(const char *s)
{
	size_t n = strlen(s);
	if (!n || n > 64)
		return false;
	return strspn(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.,:+-") == n;
}

int knob_path(const struct fix_action *a, char *out, size_t outsz)
{
	char name[128];
	int n = -1;

	switch (a->kind) {
	case FIX_SYSFS:
		n = snprintf(out, outsz, "%s", a->target + (a->target[0] == '/'));
		break;
	case FIX_SYSCTL:
		/* kernel.numa_balancing is proc/sys/kernel/numa_balancing */
		n = snprintf(out, outsz, "proc/sys/%s", a->target);
		for (char *p = out + strlen("proc/sys/"); n > 0 && (size_t)n < outsz && *p; p++)
			if (*p == '.')
				*p = '/';
		break;
	case FIX_MODULE_OPTION: {
		const char *dot = strchr(a->target, '.');
		if (!dot || dot == a->target || (size_t)(dot - a->target) >= sizeof(name))
			return -EINVAL;
		snprintf(name, sizeof(name), "%.*s", (int)(dot - a->target), a->target);
		n = snprintf(out, outsz, "sys/module/%s/parameters/%s", name, dot + 1);
		break;
	}
	default:
		return -EINVAL;
	}
	if (n < 0 || (size_t)n >= outsz)
		return -ENAMETOOLONG;
	return knob_allowed(out) ? 0 : -EINVAL;
}

void knob_value(const char *bytes, size_t len, char *out, size_t outsz)
{
	const char *open = memchr(bytes, '[', len);
	const char *close = open ? memchr(open, ']', len - (size_t)(open - bytes)) : NULL;
	size_t n;

	if (open && close) {
		bytes = open + 1;
		n = (size_t)(close - open - 1);
	} else {
		const char *nl = memchr(bytes, '\n', len);
		n = strnlen(bytes, nl ? (size_t)(nl - bytes) : len);
		while (n && (bytes[n - 1] == '\n' || bytes[n - 1] == ' ' || bytes[n - 1] == '\t'))
			n--;
	}
	if (n >= outsz)
		n = outsz - 1;
	memcpy(out, bytes, n);
	out[n] = '\0';
}

const char *const owned_files[OWN_FILES] = {
	[OWN_TMPFILES] = "etc/tmpfiles.d/latdoc.conf",
	[OWN_SYSCTL] = "etc/sysctl.d/90-latdoc.conf",
	[OWN_MODPROBE] = "etc/modprobe.d/latdoc.conf",
	[OWN_MODULES] = "etc/modules-load.d/latdoc.conf",
	[OWN_GRUB] = "etc/default/grub.d/90-latdoc.cfg",
	[OWN_HOLD_UNIT] = "etc/systemd/system/latdoc-hold.service",
};

bool knob_owned_file(const char *path)
{
	return in_list(path, owned_files, COUNT(owned_files));
}

bool knob_owned_link(const char *path)
{
	static const char *const dirs[] = { "etc/systemd/system/*.wants/*",
					    "etc/systemd/system/*.requires/*" };
	const char *unit = strrchr(path, '/');
	if (!plain_path(path) || !unit || !knob_service_allowed(unit + 1))
		return false;
	for (size_t i = 0; i < COUNT(dirs); i++)
		if (!fnmatch(dirs[i], path, FNM_PATHNAME | FNM_PERIOD))
			return true;
	return false;
}

bool knob_owned_dir(const char *path)
{
	/* the directories on the way to an owned file or link */
	size_t n = strlen(path);
	if (!plain_path(path))
		return false;
	for (size_t i = 0; i < COUNT(owned_files); i++)
		if (!strncmp(owned_files[i], path, n) && owned_files[i][n] == '/')
			return true;
	return !fnmatch("etc/systemd/system/*.wants", path, FNM_PATHNAME | FNM_PERIOD);
}

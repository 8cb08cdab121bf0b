/* Fix actions and advice that several rules share: the writes to every
 * policy alike, sysctls, and the kernel command line the way the
 * distribution found changes it. */
#include "rules.h"

#include <stdio.h>
#include <string.h>

void fix_cmdline_text(const struct facts *f, const char *params, char *out, size_t outsz)
{
	if (f->os.kernel_cmdline_file)
		snprintf(out, outsz, "kernel command line: add %s to /etc/kernel/cmdline, then "
				     "proxmox-boot-tool refresh (systemd-boot)", params);
	else if (facts_os_like(f, "rhel") || facts_os_like(f, "fedora"))
		snprintf(out, outsz, "kernel command line: grubby --update-kernel=ALL --args=\"%s\"",
			 params);
	else if (facts_os_like(f, "suse"))
		snprintf(out, outsz, "kernel command line: add %s to GRUB_CMDLINE_LINUX_DEFAULT in "
				     "/etc/default/grub, then update-bootloader --refresh", params);
	else if (facts_os_like(f, "debian") || facts_os_like(f, "ubuntu"))
		snprintf(out, outsz, "kernel command line: /etc/default/grub.d/90-latdoc.cfg with "
				     "GRUB_CMDLINE_LINUX_DEFAULT=\"$GRUB_CMDLINE_LINUX_DEFAULT %s\", "
				     "then update-grub", params);
	else
		snprintf(out, outsz, "kernel command line: add %s (Debian and Ubuntu: in "
				     "/etc/default/grub.d/, then update-grub; RHEL and Fedora: grubby "
				     "--update-kernel=ALL --args=\"%s\")", params, params);
}

void fix_policies(const struct facts *f, struct findings *out, struct finding *x,
		  const struct cpufreq_policy *p,
		  bool (*same)(const struct facts *, const struct cpufreq_policy *,
			       const struct cpufreq_policy *),
		  const char *file, const char *want)
{
	char path[160];
	bool named = !strncmp(p->name, "policy", 6);

	for (size_t i = 0; i < f->cpufreq.count; i++) {
		const struct cpufreq_policy *q = &f->cpufreq.policies[i];
		if (!same(f, p, q))
			continue;
		const char *now = !strcmp(file, "scaling_governor")		   ? q->governor
				  : !strcmp(file, "energy_performance_preference") ? q->epp
										   : NULL;
		snprintf(path, sizeof(path), "/%s/%s", q->dir, file);
		finding_action(out, x, FIX_SYSFS, FIX_RUNTIME, NEEDS_ROOT, path, NULL,
			       now && *now ? now : NULL, want);
	}
	/* at boot, every policy: a CPU brought online later gets it too */
	if (named)
		snprintf(path, sizeof(path), "/sys/devices/system/cpu/cpufreq/policy*/%s", file);
	else
		snprintf(path, sizeof(path), "/sys/devices/system/cpu/cpu*/cpufreq/%s", file);
	finding_action(out, x, FIX_SYSFS, FIX_PERSISTENT, NEEDS_ROOT, path, NULL, NULL, want);
}

void fix_sysctl(struct findings *out, struct finding *x, const char *key, long now,
		const char *want)
{
	char was[24];
	snprintf(was, sizeof(was), "%ld", now);
	finding_action(out, x, FIX_SYSCTL, FIX_RUNTIME, NEEDS_ROOT, key, NULL, now >= 0 ? was : NULL,
		       want);
	finding_action(out, x, FIX_SYSCTL, FIX_PERSISTENT, NEEDS_ROOT, key, NULL, NULL, want);
}

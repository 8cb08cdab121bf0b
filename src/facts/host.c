/* Which machine this is: host name, kernel release, and the operating
 * system around it, for the fixes that differ by distribution. */
#include "facts.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../parse/text.h"
#include "../root/root.h"

int collect_host(struct root *r, struct facts *f)
{
	if (facts_read_line(r, f, "proc/sys/kernel/hostname", f->hostname, sizeof(f->hostname)))
		facts_read_line(r, f, "etc/hostname", f->hostname, sizeof(f->hostname));
	facts_read_line(r, f, "proc/sys/kernel/osrelease", f->kernel, sizeof(f->kernel));
	return 0;
}

int collect_os(struct root *r, struct facts *f)
{
	static const struct {
		unsigned bit;
		const char *unit;
	} services[] = {
		{ OS_SERVICE_ONDEMAND, "ondemand.service" },
		{ OS_SERVICE_KSM, "ksm.service" },
		{ OS_SERVICE_KSMTUNED, "ksmtuned.service" },
		{ OS_SERVICE_TUNED, "tuned.service" },
		{ OS_SERVICE_IRQBALANCE, "irqbalance.service" },
	};
	static const char *const unit_dirs[] = { "etc/systemd/system", "usr/lib/systemd/system",
						 "lib/systemd/system" };
	char *buf;
	size_t len;
	int err = facts_read_file(r, f, "etc/os-release", &buf, &len);

	if (err == -ENOENT)
		err = facts_read_file(r, f, "usr/lib/os-release", &buf, &len);
	if (err == -ENOMEM)
		return err;
	if (!err) {
		env_value(buf, "ID", f->os.id, sizeof(f->os.id));
		env_value(buf, "ID_LIKE", f->os.id_like, sizeof(f->os.id_like));
		env_value(buf, "PRETTY_NAME", f->os.pretty, sizeof(f->os.pretty));
		free(buf);
	}
	f->os.kernel_cmdline_file = !root_exists(r, "etc/kernel/cmdline");
	for (size_t i = 0; i < sizeof(services) / sizeof(services[0]); i++)
		for (size_t d = 0; d < sizeof(unit_dirs) / sizeof(unit_dirs[0]); d++) {
			char path[96];
			snprintf(path, sizeof(path), "%s/%s", unit_dirs[d], services[i].unit);
			if (!root_exists(r, path)) {
				f->os.services |= services[i].bit;
				break;
			}
		}
	if (!root_exists(r, "etc/default/qemu-kvm"))
		f->os.services |= OS_QEMU_KVM_DEFAULTS;
	return 0;
}

bool facts_os_like(const struct facts *f, const char *id)
{
	return !strcmp(f->os.id, id) || word_in_list(f->os.id_like, id);
}

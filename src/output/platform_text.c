#include "output.h"

#include <stdio.h>

#include "../lib/escape.h"

const char *platform_role_name(enum platform_role role)
{
	switch (role) {
	case ROLE_BARE_METAL:
		return "bare-metal";
	case ROLE_GUEST:
		return "guest";
	default:
		return "unknown";
	}
}

/* Escaped: the hypervisor and cloud names come from a dump's DMI strings. */
void platform_describe(const struct facts *f, char *out, size_t outsz)
{
	char hv[100], cloud[100];
	const char *host = f->platform.kvm_host ? ", KVM host" : "";

	str_escape(hv, sizeof(hv), f->platform.hypervisor[0] ? f->platform.hypervisor : "unknown hypervisor",
		   false);
	str_escape(cloud, sizeof(cloud), f->platform.cloud, false);

	switch (f->platform.role) {
	case ROLE_BARE_METAL:
		snprintf(out, outsz, "bare metal%s%s%s", host, *cloud ? " on " : "", cloud);
		break;
	case ROLE_GUEST:
		snprintf(out, outsz, "VM guest (%s)%s%s%s", hv, *cloud ? " on " : "", cloud, host);
		break;
	default:
		snprintf(out, outsz, "platform unknown%s", host);
	}
}

#include "output.h"

#include <stdio.h>

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

void platform_describe(const struct facts *f, char *out, size_t outsz)
{
	const char *hv = f->platform.hypervisor[0] ? f->platform.hypervisor : "unknown hypervisor";
	const char *host = f->platform.kvm_host ? ", KVM host" : "";

	switch (f->platform.role) {
	case ROLE_BARE_METAL:
		snprintf(out, outsz, "bare metal%s%s%s", host, f->platform.cloud[0] ? " on " : "",
			 f->platform.cloud);
		break;
	case ROLE_GUEST:
		snprintf(out, outsz, "VM guest (%s)%s%s%s", hv, f->platform.cloud[0] ? " on " : "",
			 f->platform.cloud, host);
		break;
	default:
		snprintf(out, outsz, "platform unknown%s", host);
	}
}

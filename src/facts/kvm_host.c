/* The KVM host itself: module parameters, vhost-net, and which cloud stack
 * manages the VMs (it decides where a fix is made). */
#include "facts.h"

#include <stdio.h>
#include <string.h>

#include "../root/root.h"

int collect_kvm_host(struct root *r, struct facts *f)
{
	static const struct {
		const char *path, *manager;
	} managers[] = {
		{ "etc/pve", "proxmox" },
		{ "etc/cloudstack/agent/agent.properties", "cloudstack" },
		{ "etc/nova/nova.conf", "openstack" },
	};

	if (f->platform.kvm_host) {
		facts_read_long(r, f, "sys/module/kvm/parameters/halt_poll_ns", &f->virt.halt_poll_ns);
		f->virt.vhost_net = !root_exists(r, "dev/vhost-net") ||
				    !root_exists(r, "sys/module/vhost_net");
	}
	for (size_t i = 0; i < sizeof(managers) / sizeof(managers[0]); i++)
		if (!root_exists(r, managers[i].path)) {
			snprintf(f->virt.manager, sizeof(f->virt.manager), "%s", managers[i].manager);
			break;
		}
	return 0;
}

/* Inside a cloud's VM: its paravirtual hardware judged as that cloud's, and
 * the cloud's own way to better hardware (an instance type, a NIC setting),
 * since the guest's owner cannot edit the hypervisor's config. AWS Nitro
 * gives ENA and NVMe, its Xen generation xen-netfront (vif) and
 * xen-blkfront (vbd); Azure gives hv_netvsc, and a Mellanox or MANA
 * virtual function beside it when Accelerated Networking is on; Google
 * Cloud gives virtio-net or gVNIC (gve). */
#include "rules.h"

#include <stdio.h>
#include <string.h>

static bool nic_with(const struct facts *f, const char *const *drivers, size_t n)
{
	for (size_t i = 0; i < f->guest.nnics; i++)
		for (size_t k = 0; k < n; k++)
			if (!strcmp(f->guest.nics[i].driver, drivers[k]))
				return true;
	return false;
}

/* The NICs on DRIVER as "eth0, eth1" and their count. */
static size_t nics_on(const struct facts *f, const char *driver, char *out, size_t sz)
{
	size_t n = 0, len = 0;
	out[0] = '\0';
	for (size_t i = 0; i < f->guest.nnics; i++) {
		if (strcmp(f->guest.nics[i].driver, driver))
			continue;
		if (n++ < 4 && len < sz)
			len += (size_t)snprintf(out + len, sz - len, "%s%s", len ? ", " : "",
						f->guest.nics[i].name);
	}
	if (n > 4 && len < sz)
		snprintf(out + len, sz - len, " and %zu more", n - 4);
	return n;
}

static void dmi_evidence(const struct facts *f, struct findings *out, struct finding *x)
{
	finding_evidence(out, x, "/sys/class/dmi/id", "sys_vendor %s, product_name %s",
			 f->platform.dmi_vendor[0] ? f->platform.dmi_vendor : "(none)",
			 f->platform.dmi_product[0] ? f->platform.dmi_product : "(none)");
}

static const struct guest_device *first_on(const struct guest_device *d, size_t n, const char *driver)
{
	for (size_t i = 0; i < n; i++)
		if (!strcmp(d[i].driver, driver))
			return &d[i];
	return NULL;
}

static void aws_xen(const struct facts *f, struct findings *out)
{
	char names[128];
	size_t n = nics_on(f, "vif", names, sizeof(names));
	const struct guest_device *disk = first_on(f->guest.disks, f->guest.ndisks, "vbd");

	if (!n)
		return;
	struct finding *x = finding_add(out, SEV_WARNING, "system",
					"an AWS instance of the Xen generation: NIC %s on xen-netfront, not ENA",
					names);
	dmi_evidence(f, out, x);
	finding_evidence(out, x, first_on(f->guest.nics, f->guest.nnics, "vif")->path, "driver vif "
			 "(xen-netfront)");
	if (disk)
		finding_evidence(out, x, disk->path, "disk %s: driver vbd (xen-blkfront)", disk->name);
	finding_why(out, x,
		    "On Xen-based instance types every packet passes the netfront/netback pair "
		    "through the hypervisor's event channels and a driver domain; the Nitro "
		    "types hand the guest an ENA adapter and NVMe disks, and their network "
		    "latency is far lower and steadier.");
	finding_fix(out, x, NULL,
		    "AWS: a Nitro instance type (the fifth generation and later: c5, m5, r5 and "
		    "newer). The AMI needs the ena and nvme drivers (modinfo ena nvme) and fstab "
		    "entries by UUID or LABEL (xvda becomes nvme0n1); then aws ec2 stop-instances "
		    "--instance-ids ID, aws ec2 modify-instance-attribute --instance-id ID "
		    "--ena-support, aws ec2 modify-instance-attribute --instance-id ID "
		    "--instance-type Value=TYPE, aws ec2 start-instances --instance-ids ID");
}

static void azure(const struct facts *f, struct findings *out)
{
	/* the virtual function's drivers: Mellanox ConnectX-3/4/5, MANA */
	static const char *const vf[] = { "mlx4_core", "mlx4_en", "mlx5_core", "mana" };
	char names[128];
	size_t n = nics_on(f, "hv_netvsc", names, sizeof(names));

	if (!n || nic_with(f, vf, sizeof(vf) / sizeof(vf[0])))
		return;
	struct finding *x = finding_add(out, SEV_WARNING, "system",
					"an Azure VM without Accelerated Networking: NIC %s on hv_netvsc "
					"alone", names);
	dmi_evidence(f, out, x);
	finding_evidence(out, x, first_on(f->guest.nics, f->guest.nnics, "hv_netvsc")->path,
			 "driver hv_netvsc, and no NIC on mlx4, mlx5 or mana beside it");
	finding_why(out, x,
		    "Without its virtual function, every packet goes through the synthetic NIC, "
		    "VMBus and the virtual switch in the Azure host; with Accelerated Networking "
		    "most packets go between the guest and the physical NIC directly, with lower "
		    "latency and jitter.");
	finding_fix(out, x, NULL,
		    "Azure: az vm deallocate -g GROUP -n VM; az network nic update -g GROUP -n NIC "
		    "--accelerated-networking true; az vm start -g GROUP -n VM (a VM size that "
		    "supports it). If Azure already shows it on, the image lacks the mlx4, mlx5 or "
		    "mana driver: the VM then runs on the synthetic NIC alone");
}

static void gce(const struct facts *f, struct findings *out)
{
	static const char *const gve[] = { "gve" };
	char names[128];
	size_t n = nics_on(f, "virtio_net", names, sizeof(names));

	if (!n || nic_with(f, gve, 1))
		return;
	struct finding *x = finding_add(out, SEV_INFO, "system",
					"a Google Cloud VM on virtio-net, not gVNIC: NIC %s", names);
	dmi_evidence(f, out, x);
	finding_evidence(out, x, first_on(f->guest.nics, f->guest.nnics, "virtio_net")->path,
			 "driver virtio_net");
	finding_why(out, x,
		    "Google recommends gVNIC on every machine type and requires it on the third "
		    "generation and later: it performs better than virtio-net and is steadier "
		    "beside noisy neighbours.");
	finding_fix(out, x, NULL,
		    "Google Cloud sets the NIC type when a VM is created: a new VM (from a machine "
		    "image or snapshot of this one) with gcloud compute instances create ... "
		    "--network-interface=nic-type=GVNIC; its image must support gVNIC (GVNIC in its "
		    "guest OS features, the gve driver)");
}

void rule_guest_cloud_nic(const struct facts *f, struct findings *out)
{
	const char *c = f->platform.cloud;
	if (f->platform.role != ROLE_GUEST)
		return;
	if (!strcmp(c, "aws"))
		aws_xen(f, out);
	else if (!strcmp(c, "azure"))
		azure(f, out);
	else if (!strcmp(c, "gce"))
		gce(f, out);
}

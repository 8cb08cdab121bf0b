/* Where a VM's fix is made: libvirt's XML, CloudStack, OpenStack, Proxmox,
 * or QEMU's own command line. A host says which stack manages it; a guest
 * knows only its cloud, so it gets every stack's way unless DMI names one. */
#include "rules.h"

#include <stdio.h>
#include <string.h>

struct platform_fix {
	const char *libvirt, *cloudstack, *openstack, *proxmox, *qemu;
};

static const struct platform_fix fixes[] = {
	[VM_FIX_ACCEL] = {
		"<domain type='kvm'> (load kvm_intel or kvm_amd on the host first)",
		"check that the host's KVM module is loaded; the agent then starts guests with kvm",
		"nova.conf [libvirt] virt_type = kvm",
		"qm set VMID --kvm 1",
		"-accel kvm (or -enable-kvm)" },
	[VM_FIX_CPU_MODE] = {
		"<cpu mode='host-passthrough' check='none' migratable='off'/>",
		"agent.properties: guest.cpu.mode=host-passthrough; restart cloudstack-agent, then "
		"stop and start the VM",
		"nova.conf [libvirt] cpu_mode = host-passthrough; then stop and start the instance",
		"qm set VMID --cpu host",
		"-cpu host" },
	[VM_FIX_VCPU_PIN] = {
		"<cputune><vcpupin vcpu='0' cpuset='2'/><vcpupin vcpu='1' cpuset='3'/>..."
		"</cputune> (one host core per vCPU, kept away from the host's own work)",
		"no per-VM pinning: dedicate the host, and pin with a libvirt hook "
		"(/etc/libvirt/hooks/qemu) or virsh vcpupin after start",
		"flavor: openstack flavor set FLAVOR --property hw:cpu_policy=dedicated "
		"(nova.conf [compute] cpu_dedicated_set)",
		"qm set VMID --affinity 2-5",
		"taskset -pc CPU for each \"CPU n/KVM\" thread" },
	[VM_FIX_EMULATOR_PIN] = {
		"<cputune><emulatorpin cpuset='0-1'/><iothreadpin iothread='1' cpuset='0-1'/></cputune>",
		NULL,
		"flavor: --property hw:emulator_threads_policy=isolate",
		NULL,
		"taskset the main QEMU thread and I/O threads onto CPUs the vCPUs do not use" },
	[VM_FIX_NUMA] = {
		"<numatune><memory mode='strict' nodeset='N'/></numatune>, N the node of the pinned "
		"CPUs",
		NULL,
		"flavor: --property hw:numa_nodes=1",
		"qm set VMID --numa 1",
		"numactl --membind=N qemu-system-... (or host-nodes= on the memory backend)" },
	[VM_FIX_DISK_BUS] = {
		"<target dev='vda' bus='virtio'/> (remove the disk's <address>; Windows needs the "
		"virtio-win drivers first)",
		"cmk update virtualmachine id=UUID details[0].rootDiskController=virtio (or a "
		"guest OS type on the paravirtual list)",
		"openstack image set IMAGE --property hw_disk_bus=virtio (or hw_scsi_model="
		"virtio-scsi with hw_disk_bus=scsi)",
		"qm set VMID --scsihw virtio-scsi-single, and attach the disk as scsiN or virtioN",
		"-device virtio-blk-pci,drive=ID" },
	[VM_FIX_DISK_IOTHREAD] = {
		"<iothreads>1</iothreads> and <driver name='qemu' ... iothread='1'/> on the disk",
		NULL,
		NULL,
		"qm set VMID --scsihw virtio-scsi-single --scsi0 VOLUME,iothread=1",
		"-object iothread,id=io1 -device virtio-blk-pci,iothread=io1,..." },
	[VM_FIX_DISK_CACHE] = {
		"<driver name='qemu' type='raw' cache='none' io='native'/>",
		"disk offering with write-cache type \"no disk cache\"",
		"nova.conf [libvirt] disk_cachemodes = file=none,block=none",
		"qm set VMID --scsi0 VOLUME,cache=none,aio=native",
		"-blockdev ...,cache.direct=on,aio=native" },
	[VM_FIX_NIC_MODEL] = {
		"<model type='virtio'/> in the <interface>",
		"cmk update virtualmachine id=UUID details[0].nicAdapter=virtio (or a guest OS "
		"type on the paravirtual list)",
		"openstack image set IMAGE --property hw_vif_model=virtio",
		"qm set VMID --net0 virtio,bridge=vmbr0",
		"-device virtio-net-pci,netdev=ID" },
	[VM_FIX_NIC_VHOST] = {
		"<driver name='vhost'/> in the <interface>, and modprobe vhost_net on the host",
		"modprobe vhost_net on the host (echo vhost_net > /etc/modules-load.d/vhost_net.conf)",
		"modprobe vhost_net on the compute node",
		"modprobe vhost_net on the node",
		"-netdev tap,vhost=on,..." },
	[VM_FIX_HUGEPAGES] = {
		"<memoryBacking><hugepages/><locked/><nosharepages/></memoryBacking>, with "
		"vm.nr_hugepages reserved on the host",
		NULL,
		"flavor: --property hw:mem_page_size=large",
		"qm set VMID --hugepages 1024 (2 for 2 MiB pages)",
		"-object memory-backend-file,mem-path=/dev/hugepages,prealloc=on,..." },
	[VM_FIX_BALLOON] = {
		"<memballoon model='none'/>",
		NULL,
		NULL,
		"qm set VMID --balloon 0",
		"drop -device virtio-balloon-pci" },
	[VM_FIX_HPET] = {
		"<clock offset='utc'><timer name='hpet' present='no'/></clock>",
		NULL,
		NULL,
		"args: -machine hpet=off in /etc/pve/qemu-server/VMID.conf",
		"-machine ...,hpet=off" },
};

static void line(char *buf, size_t sz, size_t *n, const char *label, const char *text)
{
	if (!text || *n >= sz)
		return;
	int w = snprintf(buf + *n, sz - *n, "%s%s: %s", *n ? "\n" : "", label, text);
	if (w > 0)
		*n += (size_t)w;
}

void vm_fix(struct findings *out, struct finding *x, const struct facts *f, enum vm_fix_kind kind,
	    const struct vm *vm)
{
	const struct platform_fix *p = &fixes[kind];
	const char *m = f->platform.role == ROLE_GUEST && !vm ? f->platform.cloud : f->virt.manager;
	bool libvirt = vm && (vm->view[VM_DEFINED] || vm->view[VM_RUNNING]);
	bool any = !vm && !*m; /* a guest that cannot tell its stack */
	char buf[2048], label[96];
	size_t n = 0;

	snprintf(label, sizeof(label), vm ? "virsh edit %s" : "libvirt (virsh edit)", vm ? vm->name : "");
	if (libvirt || any || (!strcmp(m, "cloudstack") || !strcmp(m, "openstack")))
		line(buf, sizeof(buf), &n, label, p->libvirt);
	if (any || !strcmp(m, "cloudstack"))
		line(buf, sizeof(buf), &n, "CloudStack", p->cloudstack);
	if (any || !strcmp(m, "openstack"))
		line(buf, sizeof(buf), &n, "OpenStack", p->openstack);
	if (any || !strcmp(m, "proxmox"))
		line(buf, sizeof(buf), &n, "Proxmox", p->proxmox);
	if (vm && !libvirt && strcmp(m, "proxmox"))
		line(buf, sizeof(buf), &n, "QEMU command line", p->qemu);
	finding_fix(out, x, NULL, n ? buf : NULL);
}

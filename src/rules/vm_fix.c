/* Where a VM's fix is made, and the fix as data. A VM that plain libvirt
 * manages gets its XML changes as actions (FIX_LIBVIRT: the domain, an
 * XPath, the value now and the one wanted; docs/JSON.md) and as virsh edit
 * in words. CloudStack and OpenStack rebuild the XML at every start, so
 * there only their own way is given; Proxmox has qm set; QEMU run by hand
 * its command line. A guest knows only its cloud, so it gets every stack's
 * way unless DMI names one. Each way is checked against the tool's own
 * documentation: docs/CHECKS.md cites them. */
#include "vm_fix.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

enum platform { P_LIBVIRT, P_CLOUDSTACK, P_OPENSTACK, P_PROXMOX, P_QEMU, P_COUNT };

/* More pins than this are said as "..." in words; the actions have all. */
#define PINS_SHOWN 4
/* A hostile domain may claim a million I/O threads: pin this many. */
#define IOTHREADS_PINNED 64
/* Actions a finding gets at most: no real domain needs more (a VM's PCI
 * slots run out first), and a hostile one with 50,000 disks must not make
 * the report a hundred times its size. */
#define ACTIONS_MAX 512

struct fix {
	struct findings *out;
	struct finding *x;
	const struct facts *f;
	const struct vm *vm;     /* NULL inside a guest */
	const struct vm_view *v; /* its effective view */
	bool way[P_COUNT];       /* the platforms whose way is given */
	bool actions;            /* plain libvirt: the XML changes as data */
	size_t nactions, dropped;
	char name[160];          /* the domain's name as one shell word */
	char first[512];         /* what must be true before the change */
	char text[P_COUNT][1536];
};

static void vappend(char *buf, size_t sz, const char *fmt, va_list ap)
{
	size_t len = strlen(buf);
	if (len + 1 < sz)
		vsnprintf(buf + len, sz - len, fmt, ap);
}

static void say(struct fix *fx, enum platform p, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void say(struct fix *fx, enum platform p, const char *fmt, ...)
{
	va_list ap;
	if (!fx->way[p])
		return;
	va_start(ap, fmt);
	vappend(fx->text[p], sizeof(fx->text[p]), fmt, ap);
	va_end(ap);
}

static void first(struct fix *fx, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void first(struct fix *fx, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vappend(fx->first, sizeof(fx->first), fmt, ap);
	va_end(ap);
}

/* A change to the domain's XML at KEY (the XPath grammar of docs/JSON.md),
 * from NOW (NULL: absent or not known) to WANT ("" removes the element). */
static void act(struct fix *fx, const char *now, const char *want, const char *key_fmt, ...)
	__attribute__((format(printf, 4, 5)));

static void act(struct fix *fx, const char *now, const char *want, const char *key_fmt, ...)
{
	char key[256];
	va_list ap;

	if (!fx->actions)
		return;
	if (fx->nactions == ACTIONS_MAX) {
		fx->dropped++;
		return;
	}
	fx->nactions++;
	va_start(ap, key_fmt);
	int n = vsnprintf(key, sizeof(key), key_fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= sizeof(key))
		return; /* a name too long to address: said in words only */
	finding_action(fx->out, fx->x, FIX_LIBVIRT, FIX_PERSISTENT, NEEDS_ROOT | NEEDS_VM_RESTART,
		       fx->vm->name, key, now && *now ? now : NULL, want);
}

/* Whether S can stand in a key's 'quoted' predicate: the grammar has no
 * escapes, and a hostile name or MAC must not change the path. */
static bool key_safe(const char *s)
{
	return *s && !strpbrk(s, "'\"[]/\\");
}

/* NAME as one word for a shell: as is when plain, else single-quoted. */
static void shell_word(const char *name, char *out, size_t sz)
{
	size_t len = 0;
	if (*name && strspn(name, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._+-") ==
			     strlen(name)) {
		snprintf(out, sz, "%s", name);
		return;
	}
	out[len++] = '\'';
	for (const char *p = name; *p && len + 6 < sz; p++) {
		if (*p == '\'') {
			memcpy(out + len, "'\\''", 4);
			len += 4;
		} else {
			out[len++] = *p;
		}
	}
	out[len++] = '\'';
	out[len] = '\0';
}

static bool is(const char *a, const char *b)
{
	return !strcmp(a, b);
}

static void begin(struct fix *fx, struct findings *out, struct finding *x, const struct facts *f,
		  const struct vm *vm)
{
	memset(fx, 0, sizeof(*fx));
	fx->out = out;
	fx->x = x;
	fx->f = f;
	fx->vm = vm;
	fx->v = vm ? vm_effective(vm) : NULL;
	if (vm) {
		const char *m = f->virt.manager;
		shell_word(vm->name, fx->name, sizeof(fx->name));
		if (is(m, "cloudstack"))
			fx->way[P_CLOUDSTACK] = true;
		else if (is(m, "openstack"))
			fx->way[P_OPENSTACK] = true;
		else if (is(m, "proxmox"))
			fx->way[P_PROXMOX] = true;
		else if (vm->view[VM_DEFINED] || vm->view[VM_RUNNING])
			fx->way[P_LIBVIRT] = fx->actions = true;
		else
			fx->way[P_QEMU] = true;
		return;
	}
	/* inside a guest: its cloud's way, every stack's when none is named,
	 * and none for a cloud whose hardware the guest's owner cannot change */
	const char *cloud = f->platform.cloud;
	bool any = !*cloud;
	fx->way[P_LIBVIRT] = any;
	fx->way[P_CLOUDSTACK] = any || is(cloud, "cloudstack");
	fx->way[P_OPENSTACK] = any || is(cloud, "openstack");
	fx->way[P_PROXMOX] = any;
}

static void finish(struct fix *fx)
{
	static const char *const labels[P_COUNT] = {
		[P_CLOUDSTACK] = "CloudStack", [P_OPENSTACK] = "OpenStack", [P_PROXMOX] = "Proxmox",
		[P_QEMU] = "QEMU command line",
	};
	char buf[8192] = "", label[200];
	size_t n = 0;

	if (fx->dropped)
		say(fx, P_LIBVIRT, " (as data: the first %d changes; %zu more of the same kind are "
				   "left to do by hand)", ACTIONS_MAX, fx->dropped);
	for (int p = 0; p < P_COUNT && n < sizeof(buf); p++) {
		if (!fx->way[p] || !fx->text[p][0])
			continue;
		if (p == P_LIBVIRT)
			snprintf(label, sizeof(label), fx->vm ? "virsh edit %s" : "libvirt (virsh edit)",
				 fx->name);
		else
			snprintf(label, sizeof(label), "%s", labels[p]);
		n += (size_t)snprintf(buf + n, sizeof(buf) - n, "%s%s: %s", n ? "\n" : "", label,
				      fx->text[p]);
	}
	bool any = false;
	for (int p = 0; p < P_COUNT; p++)
		any |= fx->way[p] && fx->text[p][0];
	/* what must be true before the change is said first: "fix now" */
	char before[600];
	snprintf(before, sizeof(before), "before the change: %s", fx->first);
	finding_fix(fx->out, fx->x, any && fx->first[0] ? before : NULL, any ? buf : NULL);
}

/* "i-2-10-VM's uuid" for CloudStack and OpenStack, whose libvirt domains
 * carry the VM's own uuid. */
static const char *uuid_or(const struct fix *fx, const char *placeholder)
{
	return fx->vm && fx->vm->uuid[0] ? fx->vm->uuid : placeholder;
}

/* A guest's device on an emulated driver: not virtio, nor a native one. */
static bool guest_emulated(const char *driver)
{
	return *driver && strncmp(driver, "virtio", 6) && strcmp(driver, "nvme");
}

/* CloudStack's updateVirtualMachine reads only details[0] and replaces
 * every detail the VM shows with it: one call, with each key this VM needs
 * and the ones it has. */
static void cloudstack_details(struct fix *fx, bool disks, bool nics)
{
	char keys[256] = "";
	size_t emulated_disks = 0, emulated_nics = 0;
	const char *id = uuid_or(fx, "UUID");

	for (size_t i = 0; fx->v && i < fx->v->ndisks; i++) {
		char why[48];
		emulated_disks += vm_disk_emulated(&fx->v->disks[i], why, sizeof(why));
	}
	for (size_t i = 0; fx->v && i < fx->v->nnics; i++)
		emulated_nics += vm_nic_emulated(&fx->v->nics[i]);
	if (!fx->v) {
		/* inside the guest: what its drivers say, so that the one call
		 * carries the disk's key and the NIC's alike */
		emulated_disks = disks;
		emulated_nics = nics;
		for (size_t i = 0; i < fx->f->guest.ndisks; i++)
			emulated_disks += guest_emulated(fx->f->guest.disks[i].driver);
		for (size_t i = 0; i < fx->f->guest.nnics; i++)
			emulated_nics += guest_emulated(fx->f->guest.nics[i].driver);
		emulated_disks = emulated_disks > 0; /* the root disk's key alone */
	}
	if (emulated_disks)
		strcat(keys, " details[0].rootDiskController=virtio");
	if (emulated_disks > 1)
		strcat(keys, " details[0].dataDiskController=virtio");
	if (emulated_nics)
		strcat(keys, " details[0].nicAdapter=virtio");
	say(fx, P_CLOUDSTACK,
	    "cmk stop virtualmachine id=%s; cmk update virtualmachine id=%s%s, and in the same "
	    "call every detail it has now (cmk list virtualmachines id=%s filter=details), each "
	    "as details[0].KEY=VALUE: the call replaces all of the VM's details and reads only "
	    "details[0]; then cmk start virtualmachine id=%s (or a guest OS type on CloudStack's "
	    "paravirtual list)",
	    id, id, keys, id, id);
}

/* The host node of the CPUs V is pinned to, when they share one; -1. */
static int pinned_node(const struct facts *f, const struct vm_view *v)
{
	int node = -1;
	for (size_t i = 0; i < f->ncpus; i++) {
		const struct cpu *c = &f->cpus[i];
		if (!cpuset_has(&v->pinned_cpus, c->id) || c->node < 0)
			continue;
		if (node >= 0 && c->node != node)
			return -1;
		node = c->node;
	}
	return node;
}

static void accel(struct fix *fx)
{
	say(fx, P_LIBVIRT, "<domain type='kvm'> (with kvm_intel or kvm_amd loaded on the host)");
	if (fx->v)
		act(fx, fx->v->type, "kvm", "/domain/@type");
	say(fx, P_CLOUDSTACK, "the agent starts guests with kvm once the host's KVM module is loaded "
			      "(virt-host-validate qemu checks it); then stop and start the VM");
	say(fx, P_OPENSTACK, "nova.conf [libvirt] virt_type = kvm, restart nova-compute; an instance "
			     "gets it at its next hard reboot");
	say(fx, P_PROXMOX, "qm set VMID --kvm 1");
	say(fx, P_QEMU, "-accel kvm (or -enable-kvm)");
}

static void cpu_mode(struct fix *fx)
{
	static const char migration[] = "; live migration then only to identical hosts (CPU, "
					"microcode, QEMU): between unlike hosts use host-model";
	say(fx, P_LIBVIRT, "<cpu mode='host-passthrough' check='none'/>%s", migration);
	if (fx->v) {
		act(fx, fx->v->cpu_mode, "host-passthrough", "/domain/cpu/@mode");
		if (fx->v->cpu_model[0])
			act(fx, fx->v->cpu_model, "", "/domain/cpu/model");
	}
	say(fx, P_CLOUDSTACK, "agent.properties: guest.cpu.mode=host-passthrough, restart "
			      "cloudstack-agent; a VM gets it when stopped and started%s", migration);
	say(fx, P_OPENSTACK, "nova.conf [libvirt] cpu_mode = host-passthrough, restart nova-compute; "
			     "an instance gets it at its next hard reboot%s", migration);
	say(fx, P_PROXMOX, "qm set VMID --cpu host%s", migration);
	say(fx, P_QEMU, "-cpu host");
}

static void numa(struct fix *fx)
{
	const struct vm_view *v = fx->v;
	int node = v ? pinned_node(fx->f, v) : -1;
	char n[16] = "N", now[64] = "";

	if (node >= 0)
		snprintf(n, sizeof(n), "%d", node);
	say(fx, P_LIBVIRT, "<numatune><memory mode='strict' nodeset='%s'/></numatune>%s (strict: "
			   "when node %s runs out, the VM's allocations fail rather than go remote)",
	    n, node >= 0 ? ", the node of its pinned CPUs" : ", N the node of its pinned CPUs", n);
	if (v && node >= 0) {
		cpuset_format(&v->numa_nodes, now, sizeof(now));
		act(fx, v->numa_mode, "strict", "/domain/numatune/memory/@mode");
		act(fx, now, n, "/domain/numatune/memory/@nodeset");
	}
	say(fx, P_OPENSTACK, "flavor: openstack flavor set FLAVOR --property hw:numa_nodes=1 (a "
			     "flavor reaches new instances, and existing ones when resized to it)");
	say(fx, P_PROXMOX, "qm set VMID --numa 1 --numa0 cpus=0-%d,hostnodes=%s,memory=MiB,policy=bind "
			   "(MiB its memory; --numa 1 alone does not bind host memory)",
	    v && v->vcpus > 0 ? v->vcpus - 1 : 0, n);
	say(fx, P_QEMU, "numactl --membind=%s qemu-system-... (or host-nodes=%s,policy=bind on the "
			"memory backend)", n, n);
}

static void disk_bus(struct fix *fx)
{
	char list[256] = "";
	size_t n = 0;

	first(fx, "the guest's initramfs must carry virtio_blk (dracut --add-drivers virtio_blk; "
		  "Debian: virtio_blk in /etc/initramfs-tools/modules, then update-initramfs -u) or "
		  "it will not find its root disk, and the disks' names change (sda, hda become "
		  "vda): /etc/fstab and the boot loader should name them by UUID or LABEL; Windows "
		  "needs the virtio-win drivers first");
	for (size_t i = 0; fx->v && i < fx->v->ndisks; i++) {
		const struct vm_disk *d = &fx->v->disks[i];
		char why[48];
		if (!vm_disk_emulated(d, why, sizeof(why)))
			continue;
		if (n++ < 8) {
			size_t len = strlen(list);
			snprintf(list + len, sizeof(list) - len, "%s%s", len ? ", " : "",
				 d->target[0] ? d->target : "?");
		}
		if (!key_safe(d->target))
			continue;
		act(fx, d->bus, "virtio", "/domain/devices/disk[target/@dev='%s']/target/@bus", d->target);
		act(fx, NULL, "", "/domain/devices/disk[target/@dev='%s']/address", d->target);
	}
	say(fx, P_LIBVIRT, "bus='virtio' in the <target> of %s%s, and no <address> in %s (libvirt "
			   "gives it a PCI one)",
	    n ? "each disk on an emulated bus: " : "the disk", list, n > 1 ? "them" : "it");
	cloudstack_details(fx, true, false);
	say(fx, P_OPENSTACK, "openstack image set IMAGE --property hw_disk_bus=virtio (or "
			     "hw_disk_bus=scsi with hw_scsi_model=virtio-scsi): new instances from "
			     "the image get it; an existing one only through a rebuild, which "
			     "re-creates its root disk from the image");
	say(fx, P_PROXMOX, "qm set VMID --scsihw virtio-scsi-single, then move each disk to a scsiN "
			   "slot: qm set VMID --scsiN VOLUME,OPTIONS --delete ideN (or sataN), the volume "
			   "and options copied from qm config: --scsiN replaces the whole drive entry");
	say(fx, P_QEMU, "-device virtio-blk-pci,drive=ID in place of ide-hd or scsi-hd");
}

static void disk_iothread(struct fix *fx)
{
	const struct vm_view *v = fx->v;
	bool scsi = false;

	say(fx, P_LIBVIRT, "<iothreads>1</iothreads>, and iothread='1' on the <driver> of each "
			   "virtio disk (of a virtio-scsi disk: on its controller's <driver>)");
	if (v && v->iothreads < 1)
		act(fx, NULL, "1", "/domain/iothreads");
	for (size_t i = 0; v && i < v->ndisks; i++) {
		const struct vm_disk *d = &v->disks[i];
		if (!vm_disk_virtio(d))
			continue;
		if (!strcmp(d->bus, "scsi"))
			scsi = true;
		else if (key_safe(d->target))
			act(fx, NULL, "1", "/domain/devices/disk[target/@dev='%s']/driver/@iothread",
			    d->target);
	}
	if (scsi)
		act(fx, NULL, "1", "/domain/devices/controller[@model='virtio-scsi']/driver/@iothread");
	say(fx, P_PROXMOX, "qm set VMID --scsihw virtio-scsi-single, and iothread=1 on each disk: qm "
			   "set VMID --scsiN VOLUME,OPTIONS,iothread=1 with the volume and options "
			   "copied from qm config (--scsiN replaces the whole drive entry)");
	say(fx, P_QEMU, "-object iothread,id=io1 -device virtio-blk-pci,iothread=io1,...");
}

static void disk_cache(struct fix *fx)
{
	const struct vm_view *v = fx->v;
	char list[256] = "", format[16] = "";
	size_t n = 0;

	for (size_t i = 0; v && i < v->ndisks; i++) {
		const struct vm_disk *d = &v->disks[i];
		if (!vm_disk_cached(d))
			continue;
		if (n++ < 8) {
			size_t len = strlen(list);
			snprintf(list + len, sizeof(list) - len, "%s%s", len ? ", " : "",
				 d->target[0] ? d->target : "?");
		}
		if (!format[0])
			snprintf(format, sizeof(format), "%s", d->format);
		if (!key_safe(d->target))
			continue;
		act(fx, d->cache, "none", "/domain/devices/disk[target/@dev='%s']/driver/@cache", d->target);
		act(fx, d->io, "native", "/domain/devices/disk[target/@dev='%s']/driver/@io", d->target);
	}
	say(fx, P_LIBVIRT, "cache='none' io='native' on the <driver> of %s%s, its name and type kept "
			   "(<driver name='qemu' type='%s' cache='none' io='native'/>: the type is the "
			   "image's format, and a raw type on a qcow2 image hands the guest the image "
			   "file itself); io='native' needs cache='none'",
	    n > 1 ? "disks " : n ? "disk " : "the disk", list, format[0] ? format : "FORMAT");
	say(fx, P_CLOUDSTACK, "the disk offering's cache mode: cmk update diskoffering id=OFFERING "
			      "cachemode=none (every volume of that offering, from its VM's next start), "
			      "or a new offering with cachemode=none");
	say(fx, P_OPENSTACK, "nova.conf [libvirt] disk_cachemodes = file=none,block=none, restart "
			     "nova-compute; an instance gets it at its next hard reboot");
	say(fx, P_PROXMOX, "qm set VMID --scsiN VOLUME,OPTIONS,cache=none,aio=native with the volume "
			   "and options copied from qm config (--scsiN replaces the whole drive entry)");
	say(fx, P_QEMU, "-blockdev ...,cache.direct=on,aio=native");
}

static void nic_model(struct fix *fx)
{
	const struct vm_view *v = fx->v;
	char list[256] = "", mac[18] = "";
	size_t n = 0;

	first(fx, "the guest needs the virtio_net driver (in every Linux since 2.6.25; Windows: "
		  "virtio-win), and its interface may get another name (ens3 becomes enp1s0): its "
		  "network configuration should name the NIC by MAC");
	for (size_t i = 0; v && i < v->nnics; i++) {
		const struct vm_nic *nic = &v->nics[i];
		if (!vm_nic_emulated(nic))
			continue;
		if (n++ < 8) {
			size_t len = strlen(list);
			snprintf(list + len, sizeof(list) - len, "%s%s", len ? ", " : "",
				 nic->mac[0] ? nic->mac : nic->id[0] ? nic->id : "?");
		}
		if (!mac[0])
			snprintf(mac, sizeof(mac), "%s", nic->mac);
		if (key_safe(nic->mac))
			act(fx, nic->model_default ? NULL : nic->model, "virtio",
			    "/domain/devices/interface[mac/@address='%s']/model/@type", nic->mac);
	}
	say(fx, P_LIBVIRT, "<model type='virtio'/> in %s%s", n ? "each emulated <interface>: " :
								"the <interface>", list);
	cloudstack_details(fx, false, true);
	say(fx, P_OPENSTACK, "openstack image set IMAGE --property hw_vif_model=virtio: new "
			     "instances from the image get it; an existing one only through a "
			     "rebuild, which re-creates its root disk from the image");
	say(fx, P_PROXMOX, "qm set VMID --net0 virtio=%s,bridge=BRIDGE with the bridge, tag and "
			   "firewall copied from qm config: --net0 replaces the whole entry, and "
			   "without its MAC the NIC gets a new one",
	    mac[0] ? mac : "MAC");
	say(fx, P_QEMU, "-device virtio-net-pci,netdev=ID%s%s in place of the emulated model",
	    mac[0] ? ",mac=" : "", mac);
}

static void nic_vhost(struct fix *fx)
{
	const struct vm_view *v = fx->v;
	static const char module[] = "modprobe vhost_net on the host (echo vhost_net > "
				     "/etc/modules-load.d/vhost_net.conf to keep it)";

	say(fx, P_LIBVIRT, "<driver name='vhost'/> in each virtio <interface> on QEMU's backend, "
			   "and %s", module);
	for (size_t i = 0; v && i < v->nnics; i++)
		if (vm_nic_userspace(&v->nics[i]) && key_safe(v->nics[i].mac))
			act(fx, v->nics[i].backend, "vhost",
			    "/domain/devices/interface[mac/@address='%s']/driver/@name", v->nics[i].mac);
	say(fx, P_CLOUDSTACK, "%s; the VM uses it from its next start", module);
	say(fx, P_OPENSTACK, "%s; the instance uses it from its next hard reboot", module);
	say(fx, P_PROXMOX, "%s; the VM uses it from its next start", module);
	say(fx, P_QEMU, "-netdev tap,vhost=on,...");
}

static void hugepages(struct fix *fx)
{
	bool x86 = !fx->v || !fx->v->arch[0] || !strcmp(fx->v->arch, "x86_64") ||
		   !strcmp(fx->v->arch, "i686");

	first(fx, "reserve the VM's memory in huge pages on the host (vm.nr_hugepages, or on its "
		  "node: hugepages-2048kB/nr_hugepages under /sys/devices/system/node/nodeN/hugepages): "
		  "a VM whose pages are not free does not start, and reserved pages are lost to the "
		  "host's other work");
	say(fx, P_LIBVIRT, "<memoryBacking><hugepages>%s</hugepages></memoryBacking>; <locked/> "
			   "as well only with a <memtune><hard_limit>: locking lifts the limit on "
			   "QEMU's locked memory, and a guest could then lock all of the host's",
	    x86 ? "<page size='2048' unit='KiB'/>" : "");
	if (fx->v && x86)
		act(fx, NULL, "2048", "/domain/memoryBacking/hugepages/page/@size");
	say(fx, P_OPENSTACK, "flavor: openstack flavor set FLAVOR --property hw:mem_page_size=large "
			     "(new instances, and existing ones when resized to it)");
	say(fx, P_PROXMOX, "qm set VMID --numa 1 --hugepages 2 (hugepages without --numa 1: the VM "
			   "does not start)");
	say(fx, P_QEMU, "-object memory-backend-file,id=mem,mem-path=/dev/hugepages,prealloc=on,"
			"size=... -machine memory-backend=mem");
}

static void balloon(struct fix *fx)
{
	say(fx, P_LIBVIRT, "<memballoon model='none'/> (the host then cannot take memory back from "
			   "the guest: size the host for all of it)");
	if (fx->v)
		act(fx, fx->v->memballoon, "none", "/domain/devices/memballoon/@model");
	say(fx, P_PROXMOX, "qm set VMID --balloon 0");
	say(fx, P_QEMU, "drop -device virtio-balloon-pci");
}

static void hpet(struct fix *fx)
{
	say(fx, P_LIBVIRT, "<timer name='hpet' present='no'/> added to the <clock> it has (a whole "
			   "new <clock> would change its offset: a Windows guest kept on localtime "
			   "would be off by the timezone)");
	if (fx->v)
		act(fx, fx->v->hpet == 1 ? "yes" : NULL, "no", "/domain/clock/timer[@name='hpet']/@present");
	say(fx, P_PROXMOX, "qm set VMID --args '-machine hpet=off' (args go to QEMU as they are)");
	say(fx, P_QEMU, "-machine ...,hpet=off");
}

void vm_fix(struct findings *out, struct finding *x, const struct facts *f, enum vm_fix_kind kind,
	    const struct vm *vm)
{
	static void (*const ways[])(struct fix *) = {
		[VM_FIX_ACCEL] = accel,		[VM_FIX_CPU_MODE] = cpu_mode,
		[VM_FIX_NUMA] = numa,		[VM_FIX_DISK_BUS] = disk_bus,
		[VM_FIX_DISK_IOTHREAD] = disk_iothread, [VM_FIX_DISK_CACHE] = disk_cache,
		[VM_FIX_NIC_MODEL] = nic_model, [VM_FIX_NIC_VHOST] = nic_vhost,
		[VM_FIX_HUGEPAGES] = hugepages, [VM_FIX_BALLOON] = balloon,
		[VM_FIX_HPET] = hpet,
	};
	struct fix fx;

	if (!x || (size_t)kind >= sizeof(ways) / sizeof(ways[0]) || !ways[kind])
		return;
	begin(&fx, out, x, f, vm);
	ways[kind](&fx);
	finish(&fx);
}

/* "vCPU 0 on CPU 2, 1 on 3, ..." */
static void pins_words(const struct vm_pin_plan *p, char *out, size_t sz)
{
	size_t len = 0;
	out[0] = '\0';
	for (int i = 0; i < p->nvcpus && i < PINS_SHOWN && len < sz; i++)
		len += (size_t)snprintf(out + len, sz - len, i ? ", %d on %d" : "vCPU %d on CPU %d", i,
					p->cpu[i]);
	if (p->nvcpus > PINS_SHOWN && len < sz)
		snprintf(out + len, sz - len, ", ... %d on %d", p->nvcpus - 1, p->cpu[p->nvcpus - 1]);
}

void vm_fix_vcpu_pin(struct findings *out, struct finding *x, const struct facts *f,
		     const struct vm *vm, const struct vm_pin_host *h, const struct vm_pin_plan *p)
{
	struct fix fx;
	char host[128], words[256], xml[512] = "", where[96] = "";

	if (!x)
		return;
	begin(&fx, out, x, f, vm);
	cpuset_format(&h->housekeeping, host, sizeof(host));
	if (!p->cpu) {
		say(&fx, P_LIBVIRT, "no pinning of a CPU to each vCPU fits: %s; give it fewer vCPUs, or "
				    "pin them to a set (<vcpu cpuset='LIST'>)", p->why);
		say(&fx, P_QEMU, "no pinning of a CPU to each vCPU fits: %s", p->why);
		say(&fx, P_PROXMOX, "no pinning of a CPU to each vCPU fits: %s", p->why);
		say(&fx, P_CLOUDSTACK, "no pinning of a CPU to each vCPU fits: %s", p->why);
	} else {
		size_t len = 0;
		pins_words(p, words, sizeof(words));
		for (int i = 0; i < p->nvcpus && i < PINS_SHOWN && len < sizeof(xml); i++)
			len += (size_t)snprintf(xml + len, sizeof(xml) - len,
						"<vcpupin vcpu='%d' cpuset='%d'/>", i, p->cpu[i]);
		if (p->nvcpus > PINS_SHOWN && len < sizeof(xml))
			snprintf(xml + len, sizeof(xml) - len, "... one per vCPU");
		if (p->node >= 0)
			snprintf(where, sizeof(where), " on node %d", p->node);
		else if (p->spread)
			snprintf(where, sizeof(where), ", across nodes (no one node has room)");
		say(&fx, P_LIBVIRT, "<cputune>%s<emulatorpin cpuset='%s'/></cputune>: each vCPU on a "
				    "CPU of its own%s%s, the emulator on the host's CPUs %s",
		    xml, host, where, h->isolated ? " among those the kernel isolates" : "", host);
		for (int i = 0; i < p->nvcpus; i++) {
			char cpu[16];
			snprintf(cpu, sizeof(cpu), "%d", p->cpu[i]);
			act(&fx, NULL, cpu, "/domain/cputune/vcpupin[@vcpu='%d']/@cpuset", i);
		}
		if (fx.v && !fx.v->emulator_pinned)
			act(&fx, NULL, host, "/domain/cputune/emulatorpin/@cpuset");
		say(&fx, P_CLOUDSTACK, "CloudStack pins no vCPU and rebuilds the XML at each start: pin "
				       "after each start from a libvirt hook (/etc/libvirt/hooks/qemu) "
				       "with virsh vcpupin %s VCPU CPU --live: %s",
		    fx.name, words);
		say(&fx, P_PROXMOX, "--affinity puts all of the VM's vCPUs on one set of CPUs, not each "
				    "on its own (and does not count as pinned here): pin the \"CPU "
				    "n/KVM\" threads with taskset -pc from a hookscript at post-start: %s",
		    words);
		say(&fx, P_QEMU, "taskset -pc CPU TID for each \"CPU n/KVM\" thread (ps -T -p PID): %s",
		    words);
	}
	say(&fx, P_OPENSTACK, "flavor: openstack flavor set FLAVOR --property hw:cpu_policy=dedicated, "
			      "with nova.conf [compute] cpu_dedicated_set on the compute nodes (nova "
			      "picks the CPUs; new instances, and existing ones when resized to it)");
	finish(&fx);
}

void vm_fix_emulator_pin(struct findings *out, struct finding *x, const struct facts *f,
			 const struct vm *vm, const struct vm_pin_host *h)
{
	struct fix fx;
	char host[128];

	if (!x)
		return;
	begin(&fx, out, x, f, vm);
	cpuset_format(&h->housekeeping, host, sizeof(host));
	say(&fx, P_LIBVIRT, "<cputune><emulatorpin cpuset='%s'/>", host);
	if (fx.v && fx.v->iothreads_pinned < fx.v->iothreads)
		say(&fx, P_LIBVIRT, "<iothreadpin iothread='N' cpuset='%s'/> for each I/O thread N", host);
	say(&fx, P_LIBVIRT, "</cputune>: the host's CPUs, which the vCPUs do not use");
	if (fx.v && !fx.v->emulator_pinned)
		act(&fx, NULL, host, "/domain/cputune/emulatorpin/@cpuset");
	for (int i = 1; fx.v && fx.v->iothreads_pinned < fx.v->iothreads && i <= fx.v->iothreads &&
			i <= IOTHREADS_PINNED; i++)
		act(&fx, NULL, host, "/domain/cputune/iothreadpin[@iothread='%d']/@cpuset", i);
	say(&fx, P_CLOUDSTACK, "CloudStack rebuilds the XML at each start: from a libvirt hook "
			       "(/etc/libvirt/hooks/qemu), virsh emulatorpin %s %s --live after each "
			       "start", fx.name, host);
	say(&fx, P_OPENSTACK, "flavor: openstack flavor set FLAVOR --property "
			      "hw:emulator_threads_policy=isolate (with hw:cpu_policy=dedicated; new "
			      "instances, and existing ones when resized to it)");
	say(&fx, P_PROXMOX, "from a hookscript at post-start, taskset -pc %s for QEMU's main thread "
			    "and its I/O threads (ps -T -p PID)", host);
	say(&fx, P_QEMU, "taskset -pc %s for QEMU's main thread and its I/O threads (ps -T -p PID)",
	    host);
	finish(&fx);
}

void vm_fix_restart(struct findings *out, struct finding *x, const struct facts *f,
		    const struct vm *vm)
{
	struct fix fx;
	char how[1024];

	if (!x)
		return;
	begin(&fx, out, x, f, vm);
	const char *id = uuid_or(&fx, "UUID");
	if (fx.way[P_CLOUDSTACK])
		snprintf(how, sizeof(how), "cmk stop virtualmachine id=%s, then cmk start "
					   "virtualmachine id=%s (CloudStack rebuilds the XML at the "
					   "start)", id, id);
	else if (fx.way[P_OPENSTACK])
		snprintf(how, sizeof(how), "openstack server stop %s; when openstack server show %s "
					   "-c status -f value says SHUTOFF, openstack server start %s",
			 id, id, id);
	else
		/* virsh shutdown only asks the guest and returns at once: a
		 * start right after it fails, the domain still running */
		snprintf(how, sizeof(how),
			 "virsh shutdown %s; for i in $(seq 150); do [ \"$(virsh domstate %s)\" = "
			 "\"shut off\" ] && break; sleep 2; done; virsh start %s (a reboot from inside "
			 "the guest keeps the running config)",
			 fx.name, fx.name, fx.name);
	if (fx.actions)
		finding_action(out, x, FIX_LIBVIRT, FIX_RUNTIME, NEEDS_ROOT | NEEDS_VM_RESTART, vm->name,
			       NULL, NULL, "restart");
	finding_fix(out, x, how, NULL);
}

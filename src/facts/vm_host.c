/* What a KVM host gives its VMs beyond CPUs: the huge page pools, host-wide
 * and per NUMA node (torvalds/linux:
 * Documentation/admin-guide/mm/hugetlbpage.rst), and where its NICs'
 * interrupts may land, with irqbalance's banned CPUs. Read on a KVM host
 * only, and the interrupts only when a VM is pinned: elsewhere nothing
 * judges them, and check stays as fast as it was. */
#include "facts.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../lib/array.h"
#include "../parse/proc_status.h"
#include "../parse/text.h"
#include "../root/root.h"

/* A dump may claim any number of these: enough for real machines. */
#define NODES_READ 1024
#define SIZES_READ 8
#define IRQS_READ 4096

/* "hugepages-2048kB" -> 2048; 0 for anything else. */
static long pool_size_kib(const char *name)
{
	long kib;
	char num[24];
	size_t n;

	if (strncmp(name, "hugepages-", 10))
		return 0;
	n = strspn(name + 10, "0123456789");
	if (!n || n >= sizeof(num) || strcmp(name + 10 + n, "kB"))
		return 0;
	memcpy(num, name + 10, n);
	num[n] = '\0';
	return !parse_long(num, &kib) && kib > 0 ? kib : 0;
}

/* The pools under DIR (sys/kernel/mm/hugepages, or a node's hugepages). */
static int read_pools(struct root *r, struct facts *f, const char *dir, int node)
{
	char **names;
	size_t count, sizes = 0;
	int err = root_list(r, dir, &names, &count);

	if (err)
		return err == -ENOMEM ? err : 0;
	for (size_t i = 0; i < count && sizes < SIZES_READ && !err; i++) {
		long kib = pool_size_kib(names[i]);
		char path[256];
		if (!kib)
			continue;
		struct hugepage_pool *pools = array_grow(f->virt.hugepages, &f->virt.nhugepages,
							 sizeof(*pools));
		if (!pools) {
			err = -ENOMEM;
			break;
		}
		f->virt.hugepages = pools;
		struct hugepage_pool *p = &pools[f->virt.nhugepages - 1];
		p->size_kib = kib;
		p->node = node;
		p->nr = p->free = p->resv = -1;
		snprintf(path, sizeof(path), "%s/%s/nr_hugepages", dir, names[i]);
		facts_read_long(r, f, path, &p->nr);
		snprintf(path, sizeof(path), "%s/%s/free_hugepages", dir, names[i]);
		facts_read_long(r, f, path, &p->free);
		if (node < 0) {
			snprintf(path, sizeof(path), "%s/%s/resv_hugepages", dir, names[i]);
			facts_read_long(r, f, path, &p->resv);
		}
		sizes++;
	}
	root_free_names(names);
	return err;
}

static void default_page_size(struct root *r, struct facts *f)
{
	char *buf, value[32];
	size_t len;
	long kib;

	if (facts_read_file(r, f, "proc/meminfo", &buf, &len))
		return;
	/* "Hugepagesize:       2048 kB" */
	if (!proc_status_field(buf, len, "Hugepagesize", value, sizeof(value))) {
		char *unit = strstr(value, " kB");
		if (unit)
			*unit = '\0';
		if (!parse_long(value, &kib) && kib > 0)
			f->virt.hugepage_default_kib = kib;
	}
	free(buf);
}

int collect_hugepages(struct root *r, struct facts *f)
{
	char **names;
	size_t count, nodes = 0;
	int err;

	if (!f->platform.kvm_host)
		return 0;
	default_page_size(r, f);
	if ((err = read_pools(r, f, "sys/kernel/mm/hugepages", -1)))
		return err;
	if ((err = root_list(r, "sys/devices/system/node", &names, &count)))
		return err == -ENOMEM ? err : 0;
	for (size_t i = 0; i < count && nodes < NODES_READ && !err; i++) {
		long node;
		char dir[96];
		if (strncmp(names[i], "node", 4) || parse_long(names[i] + 4, &node) || node < 0 ||
		    node >= CPUSET_MAX)
			continue;
		snprintf(dir, sizeof(dir), "sys/devices/system/node/%s/hugepages", names[i]);
		err = read_pools(r, f, dir, (int)node);
		nodes++;
	}
	root_free_names(names);
	return err;
}

/* Whether a VM is pinned somewhere, by its config or its threads: only
 * then do the host's interrupts on its CPUs matter. */
static bool any_vm_pinned(const struct facts *f)
{
	for (size_t i = 0; i < f->virt.count; i++) {
		const struct vm *vm = &f->virt.vms[i];
		if (vm->vcpu_threads_pinned > 0)
			return true;
		for (int s = 0; s < VM_SOURCES; s++)
			if (vm->view[s] && cpuset_count(&vm->view[s]->pinned_cpus) > 0)
				return true;
	}
	return false;
}

/* irqbalance's banned CPUs as irqbalance reads them (cputree.c,
 * setup_banned_cpus): IRQBALANCE_BANNED_CPUS when not empty, else
 * IRQBALANCE_BANNED_CPULIST when set (even empty), else the isolated and
 * nohz_full CPUs. Debian keeps the file in etc/default, RHEL and SUSE in
 * etc/sysconfig. */
static int irqbalance_banned(struct root *r, struct facts *f)
{
	static const char *const files[] = { "etc/default/irqbalance", "etc/sysconfig/irqbalance" };
	static const char *const kernel[] = { "sys/devices/system/cpu/isolated",
					      "sys/devices/system/cpu/nohz_full" };
	char value[1024];
	int err = 0;

	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		char *buf;
		size_t len;
		if ((err = facts_read_file(r, f, files[i], &buf, &len)))
			continue;
		struct cpuset set = { 0 };
		const char *mask = env_value(buf, "IRQBALANCE_BANNED_CPUS", value, sizeof(value)) ? trim(value) : "";
		bool cpus = *mask;
		if (cpus && !cpuset_parse_mask(&set, mask)) {
			f->virt.irqbalance.configured = true;
			snprintf(f->virt.irqbalance.source, sizeof(f->virt.irqbalance.source),
				 "/%s: IRQBALANCE_BANNED_CPUS", files[i]);
		} else if (!cpus && env_value(buf, "IRQBALANCE_BANNED_CPULIST", value, sizeof(value)) &&
			   !cpuset_parse(&set, trim(value))) {
			f->virt.irqbalance.configured = true;
			snprintf(f->virt.irqbalance.source, sizeof(f->virt.irqbalance.source),
				 "/%s: IRQBALANCE_BANNED_CPULIST", files[i]);
		} else if (cpus || env_value(buf, "IRQBALANCE_BANNED_CPULIST", value, sizeof(value))) {
			facts_problem(f, files[i], "the banned CPUs are not a CPU mask or list");
		}
		free(buf);
		err = f->virt.irqbalance.configured ? cpuset_merge(&f->virt.irqbalance.banned, &set) : 0;
		cpuset_clear(&set);
		if (f->virt.irqbalance.configured || err)
			return err == -ENOMEM ? err : 0;
	}
	if (err == -ENOMEM)
		return err;
	err = 0;
	snprintf(f->virt.irqbalance.source, sizeof(f->virt.irqbalance.source),
		 "/sys/devices/system/cpu/isolated, nohz_full");
	for (size_t i = 0; i < sizeof(kernel) / sizeof(kernel[0]) && !err; i++) {
		struct cpuset set = { 0 };
		if (!facts_read_line(r, f, kernel[i], value, sizeof(value)) && !cpuset_parse(&set, value))
			err = cpuset_merge(&f->virt.irqbalance.banned, &set);
		cpuset_clear(&set);
	}
	return err;
}

static int add_irq(struct root *r, struct facts *f, const char *nic, const char *irq)
{
	char path[96], list[1024];
	long n;

	if (parse_long(irq, &n) || n < 0 || n > 1 << 24 || f->virt.nirqs >= IRQS_READ)
		return 0;
	snprintf(path, sizeof(path), "proc/irq/%ld/smp_affinity_list", n);
	if (facts_read_line(r, f, path, list, sizeof(list)))
		return 0;
	struct host_irq *irqs = array_grow(f->virt.irqs, &f->virt.nirqs, sizeof(*irqs));
	if (!irqs)
		return -ENOMEM;
	f->virt.irqs = irqs;
	struct host_irq *q = &irqs[f->virt.nirqs - 1];
	q->irq = (int)n;
	str_copy(q->nic, sizeof(q->nic), nic);
	if (cpuset_parse(&q->allowed, list)) {
		facts_problem(f, path, "not a CPU list");
		f->virt.nirqs--;
	}
	return 0;
}

/* A NIC's interrupts: its MSI vectors, or its one legacy line. */
static int nic_irqs(struct root *r, struct facts *f, const char *nic)
{
	char path[128], irq[24];
	char **names;
	size_t count;
	int err;

	snprintf(path, sizeof(path), "sys/class/net/%s/device/msi_irqs", nic);
	err = root_list(r, path, &names, &count);
	if (err == -ENOMEM)
		return err;
	if (!err) {
		for (size_t i = 0; i < count && !err && f->virt.nirqs < IRQS_READ; i++) {
			/* the vector's number is its file's name: a snapshot keeps
			 * the file, whose contents nothing reads */
			if (root_recording(r)) {
				char entry[192];
				snprintf(entry, sizeof(entry), "%s/%s", path, names[i]);
				root_exists(r, entry);
			}
			err = add_irq(r, f, nic, names[i]);
		}
		root_free_names(names);
		return err;
	}
	snprintf(path, sizeof(path), "sys/class/net/%s/device/irq", nic);
	if (!root_read_line(r, path, irq, sizeof(irq)) && strcmp(irq, "0"))
		return add_irq(r, f, nic, irq);
	return 0;
}

int collect_host_irqs(struct root *r, struct facts *f)
{
	char **names;
	size_t count;
	int err;

	if (!f->platform.kvm_host || !any_vm_pinned(f))
		return 0;
	f->virt.irqs_read = true;
	f->virt.irqbalance.enabled =
		(f->os.services & OS_SERVICE_IRQBALANCE) &&
		!root_exists(r, "etc/systemd/system/multi-user.target.wants/irqbalance.service");
	if ((err = irqbalance_banned(r, f)))
		return err;
	if ((err = root_list(r, "sys/class/net", &names, &count)))
		return err == -ENOMEM ? err : 0;
	for (size_t i = 0; i < count && !err; i++) {
		char dev[128];
		/* a NIC with hardware behind it: lo, bridges and taps have none */
		snprintf(dev, sizeof(dev), "sys/class/net/%s/device", names[i]);
		if (strlen(names[i]) < 16 && !root_exists(r, dev))
			err = nic_irqs(r, f, names[i]);
	}
	root_free_names(names);
	return err;
}

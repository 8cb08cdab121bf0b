/* Huge page pools against the VMs that ask for huge pages: a VM that is
 * not running needs its memory free in the pool of its page size, on the
 * node its memory is bound to, or it does not start (libvirt preallocates
 * a hugetlbfs backend); a running VM whose process has no huge page
 * backend although its config asks for one runs on ordinary pages.
 * torvalds/linux: Documentation/admin-guide/mm/hugetlbpage.rst. */
#include "vm_fix.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const struct hugepage_pool *find_pool(const struct facts *f, long size_kib, int node)
{
	for (size_t i = 0; i < f->virt.nhugepages; i++)
		if (f->virt.hugepages[i].size_kib == size_kib && f->virt.hugepages[i].node == node)
			return &f->virt.hugepages[i];
	return NULL;
}

/* Pages a new VM can take: a node's free ones; of the host's, those free
 * and not already promised to a mapping (resv_hugepages). */
static long available(const struct hugepage_pool *p)
{
	if (p->free < 0)
		return -1;
	return p->node < 0 && p->resv > 0 && p->resv <= p->free ? p->free - p->resv : p->free;
}

static void size_words(long kib, char *out, size_t sz)
{
	if (kib >= 1048576 && kib % 1048576 == 0)
		snprintf(out, sz, "%ld GiB", kib / 1048576);
	else if (kib >= 1024 && kib % 1024 == 0)
		snprintf(out, sz, "%ld MiB", kib / 1024);
	else
		snprintf(out, sz, "%ld KiB", kib);
}

static void pool_path(const struct hugepage_pool *p, const char *file, char *out, size_t sz)
{
	if (p->node < 0)
		snprintf(out, sz, "/sys/kernel/mm/hugepages/hugepages-%ldkB/%s", p->size_kib, file);
	else
		snprintf(out, sz, "/sys/devices/system/node/node%d/hugepages/hugepages-%ldkB/%s", p->node,
			 p->size_kib, file);
}

/* The one host node the VM's memory is bound to, -1 for none. */
static int bound_node(const struct vm_view *v)
{
	bool binds = !strcmp(v->numa_mode, "strict") || !strcmp(v->numa_mode, "restrictive");
	return binds && cpuset_count(&v->numa_nodes) == 1 ? cpuset_last(&v->numa_nodes) : -1;
}

static void short_finding(struct findings *out, const struct vm *vm,
			  const struct vm_view *v, long size, int node, long need,
			  const struct hugepage_pool *p, long avail)
{
	char sz[24], on[32] = "", path[160], src[160], want[32], now[32];
	long long mib = v->memory_kib / 1024;

	size_words(size, sz, sizeof(sz));
	if (node >= 0)
		snprintf(on, sizeof(on), " on node %d", node);
	if (!p) {
		struct finding *x = vm_finding(out, SEV_WARNING, vm,
					       "%s asks for %s huge pages%s, and the host has no such pool: "
					       "it will not start", vm->name, sz, on);
		finding_evidence(out, x, v->where, "<memoryBacking><hugepages>: %s pages, %lld MiB", sz, mib);
		finding_evidence(out, x, "/sys/kernel/mm/hugepages", "no hugepages-%ldkB", size);
		finding_why(out, x,
			    "A VM backed by huge pages takes them from the pool of its page size when "
			    "it starts; without that pool its memory cannot be allocated and the start "
			    "fails.");
		finding_fix(out, x, NULL,
			    "reserve that page size at boot: hugepagesz=SIZE hugepages=N on the kernel "
			    "command line (1 GiB pages need the CPU's pdpe1gb flag), or ask for the "
			    "host's default size (<page size=...> removed)");
		return;
	}
	struct finding *x = vm_finding(out, SEV_WARNING, vm,
				       "%s will not start: it needs %ld free %s huge pages%s, and %ld are",
				       vm->name, need, sz, on, avail < 0 ? 0 : avail);
	if (node >= 0)
		finding_evidence(out, x, v->where, "%lld MiB in %s pages, its memory bound to node %d "
				 "(numatune)", mib, sz, node);
	else
		finding_evidence(out, x, v->where, "%lld MiB in %s pages", mib, sz);
	pool_path(p, "free_hugepages", src, sizeof(src));
	finding_evidence(out, x, src, "%ld free of %ld%s", p->free, p->nr,
			 p->node < 0 && p->resv > 0 ? " (some reserved, resv_hugepages)" : "");
	finding_why(out, x,
		    "libvirt preallocates a VM's huge pages when it starts it: a pool with fewer "
		    "free pages than the VM's memory makes the start fail, and the pages of one node "
		    "cannot stand in for another's when the memory is bound there.");
	long add = need - (avail < 0 ? 0 : avail);
	pool_path(p, "nr_hugepages", path, sizeof(path));
	snprintf(now, sizeof(now), "%ld", p->nr);
	snprintf(want, sizeof(want), "%ld", p->nr + add);
	finding_action(out, x, FIX_SYSFS, FIX_RUNTIME, NEEDS_ROOT, path, NULL, p->nr >= 0 ? now : NULL, want);
	finding_action(out, x, FIX_SYSFS, FIX_PERSISTENT, NEEDS_ROOT, path, NULL, NULL, want);
	char runtime[600], keep[400];
	snprintf(runtime, sizeof(runtime),
		 "echo %s > %s, then read it back: the kernel reserves what it finds free%s; the pages "
		 "are the host's no more",
		 want, path, size >= 1048576 ? " and contiguous, which for 1 GiB pages is sure only at boot" : "");
	snprintf(keep, sizeof(keep), "the same at boot (tmpfiles.d)%s",
		 size >= 1048576 ? ", or hugepagesz=1G hugepages=N on the kernel command line" : "");
	finding_fix(out, x, runtime, keep);
}

static void fallback_finding(struct findings *out, const struct vm *vm, const struct vm_view *x,
			     const struct vm_view *p)
{
	struct finding *f = vm_finding(out, SEV_WARNING, vm,
				       "%s runs without the huge pages its config asks for", vm->name);
	finding_evidence(out, f, x->where, "<memoryBacking><hugepages>");
	finding_evidence(out, f, p->where, "no memory backend on hugetlbfs, no -mem-path");
	finding_why(out, f,
		    "The guest's memory is ordinary 4 KiB pages: every TLB miss walks two page "
		    "tables. QEMU before 5.0 fell back to ordinary memory when the pool ran short "
		    "(-mem-path without prealloc); otherwise the config was changed after the start.");
	finding_fix(out, f, NULL,
		    "reserve the VM's pages in the pool of its node, then stop and start the VM (a "
		    "reboot from inside the guest keeps its process)");
}

void rule_vm_hugepages_pool(const struct facts *f, struct findings *out)
{
	long *left;

	if (!f->virt.count || !f->virt.nhugepages)
		return;
	if (!(left = calloc(f->virt.nhugepages, sizeof(*left)))) {
		out->out_of_memory = true;
		return;
	}
	for (size_t i = 0; i < f->virt.nhugepages; i++)
		left[i] = available(&f->virt.hugepages[i]);
	for (size_t i = 0; i < f->virt.count; i++) {
		const struct vm *vm = &f->virt.vms[i];
		const struct vm_view *v = vm_effective(vm), *p = vm->view[VM_PROCESS];
		const struct vm_view *x = vm->view[VM_RUNNING] ? vm->view[VM_RUNNING] : vm->view[VM_DEFINED];
		if (!v || !vm_accelerated(v))
			continue;
		if (vm->view[VM_RUNNING] || p) {
			/* its pages are taken; what it runs on is its process's */
			if (p && x && x->hugepages && !p->hugepages)
				fallback_finding(out, vm, x, p);
			continue;
		}
		if (!v->hugepages)
			continue;
		long size = v->hugepage_kib > 0 ? v->hugepage_kib : f->virt.hugepage_default_kib;
		if (size <= 0)
			continue; /* the host's default size is not known */
		int node = bound_node(v);
		const struct hugepage_pool *pool = find_pool(f, size, node);
		if (!pool && node >= 0)
			pool = find_pool(f, size, -1); /* no per-node counts: the host's */
		long need = (long)((v->memory_kib + size - 1) / size);
		long *have = pool ? &left[pool - f->virt.hugepages] : NULL;
		if (!pool)
			short_finding(out, vm, v, size, node, need, NULL, 0);
		else if (v->memory_kib > 0 && *have >= 0 && need > *have)
			short_finding(out, vm, v, size, node, need, pool, *have);
		else if (v->memory_kib > 0 && *have >= 0)
			*have -= need; /* the next VM finds these taken */
	}
	free(left);
}

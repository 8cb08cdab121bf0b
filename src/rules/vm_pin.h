/* Where VMs' vCPUs should be pinned on this host: a CPU of its own for each
 * vCPU, on one NUMA node, away from the host's housekeeping CPUs (CPU 0 and
 * its SMT sibling, or every CPU the kernel does not isolate) and from CPUs
 * other VMs are pinned to. Pure functions of the facts, for the fix text
 * and the fix actions alike. */
#ifndef LATDOC_VM_PIN_H
#define LATDOC_VM_PIN_H

#include <stdbool.h>
#include <stddef.h>

#include "../facts/facts.h"

/* The host's CPUs for VMs, handed out VM by VM so that no two plans share
 * a CPU. */
struct vm_pin_host {
	const struct facts *f;
	struct cpuset housekeeping; /* for the host, the emulator and I/O threads */
	struct cpuset for_vms;      /* for vCPUs: the online CPUs but housekeeping */
	struct cpuset free;         /* of those, not pinned to a VM nor planned yet */
	bool isolated;              /* for_vms are the CPUs the kernel isolates */
	int online;
};

struct vm_pin_plan {
	int nvcpus;
	int *cpu;     /* host CPU of vCPU i; NULL when the plan does not fit */
	int node;     /* the NUMA node of every pin; -1 on a one-node host or spread */
	bool spread;  /* no node had room: the pins span nodes */
	char why[240]; /* when it does not fit: why, in words */
};

/* Returns 0 or -ENOMEM. */
int vm_pin_host_init(const struct facts *f, struct vm_pin_host *h);
void vm_pin_host_free(struct vm_pin_host *h);

/* Plans the vCPUs of V (a VM's effective view), taking its CPUs from H.
 * Returns 0, or -ENOMEM. When it does not fit, plan->cpu is NULL and
 * plan->why says why. */
int vm_pin_plan(struct vm_pin_host *h, const struct vm_view *v, struct vm_pin_plan *plan);
void vm_pin_plan_free(struct vm_pin_plan *plan);

/* The online CPUs, by package, core, then id, so that the threads of a
 * core are neighbours: *ALL (the caller frees it) has *N of them. Returns
 * 0 or -ENOMEM. */
int vm_online_by_core(const struct facts *f, const struct cpu ***all, size_t *n);
/* Past the last thread of the core ALL[I] starts (an unknown core is a
 * core of its own), in vm_online_by_core()'s order. */
size_t vm_core_end(const struct cpu *const *all, size_t n, size_t i);

/* The host node of the CPUs V is pinned to, when they share one; -1. */
int vm_pinned_node(const struct facts *f, const struct vm_view *v);

/* The kernel's isolated CPUs: isolcpus= (its flags skipped) and nohz_full=. */
int vm_isolated_cpus(const struct facts *f, struct cpuset *out);

#endif

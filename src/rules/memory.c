/* Memory rules: kernel housekeeping that takes CPU time or stalls
 * allocations on the request path. */
#include "rules.h"

#include <stdio.h>
#include <string.h>

#define THP_DIR "sys/kernel/mm/transparent_hugepage"

void rule_mem_thp(const struct facts *f, struct findings *out)
{
	if (strcmp(f->mem.thp_enabled, "always"))
		return;
	bool defrag = !strcmp(f->mem.thp_defrag, "always");
	struct finding *x = finding_add(out, defrag ? SEV_WARNING : SEV_INFO, "system",
					"transparent huge pages always%s",
					defrag ? ", with synchronous defrag" : "");
	finding_evidence(out, x, "/" THP_DIR "/enabled", "%s", f->mem.thp_enabled);
	if (f->mem.thp_defrag[0])
		finding_evidence(out, x, "/" THP_DIR "/defrag", "%s", f->mem.thp_defrag);
	const struct cmdline_param *p = cmdline_find(&f->cmdline, "transparent_hugepage");
	if (p && p->value)
		finding_evidence(out, x, "/proc/cmdline", "transparent_hugepage=%s", p->value);
	if (defrag)
		finding_why(out, x,
			    "With defrag always, a page fault that finds no free huge page compacts "
			    "memory on the spot: stalls of milliseconds on the request path. "
			    "khugepaged also scans and collapses pages in the background.");
	else
		finding_why(out, x,
			    "Every anonymous mapping gets huge pages, so khugepaged scans and collapses "
			    "memory in the background and memory use grows; tuned's network-latency "
			    "profile turns THP off.");
	char cmdline[400];
	finding_action(out, x, FIX_SYSFS, FIX_RUNTIME, NEEDS_ROOT, "/" THP_DIR "/enabled", NULL,
		       f->mem.thp_enabled, "madvise");
	finding_action(out, x, FIX_SYSFS, FIX_PERSISTENT, NEEDS_ROOT, "/" THP_DIR "/enabled", NULL, NULL,
		       "madvise");
	if (defrag) {
		finding_action(out, x, FIX_SYSFS, FIX_RUNTIME, NEEDS_ROOT, "/" THP_DIR "/defrag", NULL,
			       f->mem.thp_defrag, "madvise");
		finding_action(out, x, FIX_SYSFS, FIX_PERSISTENT, NEEDS_ROOT, "/" THP_DIR "/defrag", NULL,
			       NULL, "madvise");
	}
	fix_cmdline_text(f, "transparent_hugepage=madvise", cmdline, sizeof(cmdline));
	finding_fix(out, x, NULL, cmdline);
}

void rule_mem_ksm(const struct facts *f, struct findings *out)
{
	if (f->mem.ksm_run != 1)
		return;
	struct finding *x = finding_add(out, SEV_WARNING, "system",
					"KSM is scanning and merging pages");
	finding_evidence(out, x, "/sys/kernel/mm/ksm/run", "1");
	if (f->mem.ksm_pages_sharing >= 0)
		finding_evidence(out, x, "/sys/kernel/mm/ksm/pages_sharing", "%lld",
				 f->mem.ksm_pages_sharing);
	finding_why(out, x,
		    "ksmd takes CPU time to scan memory, and a write to a merged page takes a "
		    "copy-on-write fault: latency that comes and goes with the scanner.");
	finding_action(out, x, FIX_SYSFS, FIX_RUNTIME, NEEDS_ROOT, "/sys/kernel/mm/ksm/run", NULL, "1", "0");
	finding_action(out, x, FIX_SYSFS, FIX_PERSISTENT, NEEDS_ROOT, "/sys/kernel/mm/ksm/run", NULL, NULL,
		       "0");
	/* what starts KSM again at boot, where it is installed */
	if (f->os.services & OS_SERVICE_KSMTUNED)
		finding_action(out, x, FIX_SERVICE, FIX_PERSISTENT, NEEDS_ROOT, "ksmtuned.service", NULL,
			       NULL, "disabled");
	if (f->os.services & OS_SERVICE_KSM)
		finding_action(out, x, FIX_SERVICE, FIX_PERSISTENT, NEEDS_ROOT, "ksm.service", NULL, NULL,
			       "disabled");
	finding_fix(out, x,
		    f->os.services & OS_SERVICE_KSMTUNED
			    ? "Writing 0 stops ksmd and leaves merged pages shared. Writing 2 also "
			      "unmerges them, which needs that much memory free (pages_sharing pages). "
			      "A running ksmtuned sets run back to 1 when memory runs short: stop it "
			      "first (systemctl stop ksmtuned.service)."
			    : "Writing 0 stops ksmd and leaves merged pages shared. Writing 2 also "
			      "unmerges them, which needs that much memory free (pages_sharing pages).",
		    f->os.services & OS_QEMU_KVM_DEFAULTS
			    ? "Ubuntu: KSM_ENABLED=0 in /etc/default/qemu-kvm. libvirt: "
			      "<memoryBacking><nosharepages/></memoryBacking> per domain."
			    : "libvirt: <memoryBacking><nosharepages/></memoryBacking> per domain.");
}

void rule_mem_numa_balancing(const struct facts *f, struct findings *out)
{
	if (f->mem.numa_balancing != 1 || f->nodes <= 1)
		return;
	struct finding *x = finding_add(out, SEV_WARNING, "system",
					"automatic NUMA balancing on %d nodes", f->nodes);
	finding_evidence(out, x, "/proc/sys/kernel/numa_balancing", "1");
	finding_evidence(out, x, "/sys/devices/system/node", "%d nodes", f->nodes);
	finding_why(out, x,
		    "The kernel unmaps pages periodically to see who touches them: each hinting "
		    "fault and page migration is a stall for the task that takes it.");
	fix_sysctl(out, x, "kernel.numa_balancing", 1, "0");
	finding_fix(out, x, "sysctl -w kernel.numa_balancing=0",
		    "echo kernel.numa_balancing=0 > /etc/sysctl.d/90-latdoc-numa_balancing.conf");
}

void rule_mem_swappiness(const struct facts *f, struct findings *out)
{
	if (f->mem.swappiness <= 10)
		return;
	struct finding *x = finding_add(out, SEV_INFO, "system",
					"vm.swappiness %ld", f->mem.swappiness);
	finding_evidence(out, x, "/proc/sys/vm/swappiness", "%ld", f->mem.swappiness);
	finding_why(out, x,
		    "A high swappiness lets the kernel swap out idle service memory in favour of "
		    "page cache; the next request then waits for it to come back. tuned's "
		    "latency-performance sets 10.");
	fix_sysctl(out, x, "vm.swappiness", f->mem.swappiness, "10");
	finding_fix(out, x, "sysctl -w vm.swappiness=10",
		    "echo vm.swappiness=10 > /etc/sysctl.d/90-latdoc-swappiness.conf");
}

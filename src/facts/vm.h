/* Virtual machines on a KVM host, as facts. One VM may be described by
 * several sources: its defined config (an XML file under etc/libvirt/qemu or
 * libvirt's inactive XML), its running config (run/libvirt/qemu's
 * <domstatus> or libvirt's live XML) and its QEMU process (proc/PID/cmdline).
 * Each source gives a vm_view; the views are merged into one vm by uuid, or
 * by name where a source has no uuid. */
#ifndef LATDOC_VM_H
#define LATDOC_VM_H

#include <stdbool.h>
#include <stddef.h>

#include "../lib/cpuset.h"
#include "../model/vm_view.h"

enum vm_source { VM_DEFINED, VM_RUNNING, VM_PROCESS, VM_SOURCES };

struct vm {
	char name[64];
	char uuid[40];
	struct vm_view *view[VM_SOURCES];
	/* From the process's threads ("CPU n/KVM" and their affinity), the
	 * only proof that pins are in force; -1 when not seen. */
	int vcpu_threads, vcpu_threads_pinned;
	/* Who runs the QEMU process: its real uid (-1 when no process was
	 * seen), its name in etc/passwd ("" when not there), and whether that
	 * is an ordinary user, not root nor a service user libvirt or QEMU
	 * runs as: any local user can start a process that looks like a VM. */
	long uid;
	char user[33];
	bool user_ordinary;
};


/* The view the rules judge: what runs (running config, then process),
 * else what is defined. */
const struct vm_view *vm_effective(const struct vm *vm);
const char *vm_source_name(enum vm_source s);

#endif

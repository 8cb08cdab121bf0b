/* VMs from their QEMU processes: the command line says what was started,
 * the vCPU threads' affinity says whether the pins are in force. */
#include "facts.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../parse/proc_status.h"
#include "../parse/qemu_args.h"
#include "../parse/text.h"
#include "../root/root.h"

static bool all_digits(const char *s)
{
	if (!*s)
		return false;
	for (; *s; s++)
		if (*s < '0' || *s > '9')
			return false;
	return true;
}

/* Only processes whose name says QEMU have their command line read: the
 * command lines of other programs may hold secrets, and a snapshot keeps
 * whatever check reads. The kernel's own "kvm" threads have an empty one. */
static bool looks_like_qemu(struct root *r, const char *pid)
{
	char path[64], comm[32];

	snprintf(path, sizeof(path), "proc/%s/comm", pid);
	if (root_read_line(r, path, comm, sizeof(comm)))
		return false;
	return !strncmp(comm, "qemu-system-", 12) || !strcmp(comm, "qemu-kvm") || !strcmp(comm, "kvm") ||
	       !strncmp(comm, "qemu-system", 11);
}

/* libvirt passes debug-threads=on, so vCPU threads are called "CPU n/KVM";
 * a thread allowed on fewer CPUs than are online is pinned. */
static void vcpu_threads(struct root *r, struct facts *f, const char *pid, struct vm *vm)
{
	char dir[64], **tids;
	size_t count;
	int online = cpuset_count(&f->online);

	snprintf(dir, sizeof(dir), "proc/%s/task", pid);
	if (root_list(r, dir, &tids, &count))
		return;
	for (size_t i = 0; i < count; i++) {
		char path[128], comm[32], *status;
		size_t len;
		int cpu;

		snprintf(path, sizeof(path), "%s/%s/comm", dir, tids[i]);
		if (root_read_line(r, path, comm, sizeof(comm)) || sscanf(comm, "CPU %d/KVM", &cpu) != 1)
			continue;
		snprintf(path, sizeof(path), "%s/%s/status", dir, tids[i]);
		if (root_read(r, path, &status, &len))
			continue;
		char list[1024];
		struct cpuset allowed = { 0 };
		/* a thread may always run somewhere: an empty list is a cut file */
		if (!proc_status_field(status, len, "Cpus_allowed_list", list, sizeof(list)) &&
		    list[0] && !cpuset_parse(&allowed, list) && cpuset_count(&allowed) > 0) {
			vm->vcpu_threads = (vm->vcpu_threads < 0 ? 0 : vm->vcpu_threads) + 1;
			vm->vcpu_threads_pinned = (vm->vcpu_threads_pinned < 0 ? 0 : vm->vcpu_threads_pinned) +
						  (online > 0 && cpuset_count(&allowed) < online);
		} else {
			facts_problem(f, path, "no Cpus_allowed_list with a CPU in it; the thread's "
				      "pinning is not known");
		}
		cpuset_clear(&allowed);
		free(status);
	}
	root_free_names(tids);
}

static int read_process(struct root *r, struct facts *f, const char *pid)
{
	struct qemu_args qa;
	char path[64], why[256];
	char *buf;
	size_t len;

	snprintf(path, sizeof(path), "proc/%s/cmdline", pid);
	int err = root_read(r, path, &buf, &len);
	if (err == -ENOMEM)
		return err;
	/* a process may end between the listing and the read */
	if (err && err != -ENOENT && err != -ESRCH)
		facts_problem(f, path, "%s", facts_read_error(err));
	if (err)
		return 0;
	if (!len) {
		free(buf);
		return 0;
	}
	err = qemu_args_parse(buf, len, &qa, why, sizeof(why));
	free(buf);
	if (err == -ENOMEM)
		return err;
	if (err) {
		facts_problem(f, path, "%s", why);
		return 0;
	}
	char where[80];
	qa.view.pid = strtol(pid, NULL, 10);
	snprintf(where, sizeof(where), "/%s", path);
	if (!qa.name[0])
		snprintf(qa.name, sizeof(qa.name), "pid %s", pid);
	struct vm *vm = facts_add_vm_view(f, qa.name, qa.uuid, VM_PROCESS, &qa.view, where);
	if (!vm)
		return -ENOMEM;
	vcpu_threads(r, f, pid, vm);
	return 0;
}

int collect_vm_processes(struct root *r, struct facts *f)
{
	char **names;
	size_t count;
	int err = root_list(r, "proc", &names, &count);

	if (err)
		return err == -ENOMEM ? err : 0;
	for (size_t i = 0; i < count && !err; i++)
		if (all_digits(names[i]) && looks_like_qemu(r, names[i]))
			err = read_process(r, f, names[i]);
	root_free_names(names);
	return err;
}

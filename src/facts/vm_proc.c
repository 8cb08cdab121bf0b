/* VMs from their QEMU processes: the command line says what was started,
 * the vCPU threads' affinity says whether the pins are in force. */
#include "facts.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../parse/passwd.h"
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

static bool qemu_comm(const char *comm)
{
	return !strncmp(comm, "qemu-system", 11) || !strcmp(comm, "qemu-kvm") || !strcmp(comm, "kvm");
}

/* Only processes whose name says QEMU have their command line read: the
 * command lines of other programs may hold secrets, and a snapshot keeps
 * whatever check reads. So does the name: it is read with the record
 * paused, and read again into the record only for a process kept. The
 * kernel's own "kvm" threads have an empty command line. */
static bool looks_like_qemu(struct root *r, const char *pid)
{
	char path[64], comm[32];
	bool recording = root_recording(r);

	snprintf(path, sizeof(path), "proc/%s/comm", pid);
	root_record(r, false);
	bool qemu = !root_read_line(r, path, comm, sizeof(comm)) && qemu_comm(comm);
	root_record(r, recording);
	if (qemu && recording)
		qemu = !root_read_line(r, path, comm, sizeof(comm)) && qemu_comm(comm);
	return qemu;
}

static int by_string(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Counts the vCPU threads whose allowed CPUs (LISTS, N of them, each the
 * kernel's list with COUNTS[i] CPUs) make a pin: one CPU, or a set of
 * fewer than are online that no other vCPU thread shares. One set for all
 * (Proxmox's --affinity, taskset on the process) binds the process, not
 * each vCPU to a core of its own. Sorts LISTS. */
static int pinned_threads(char **lists, size_t n, int online)
{
	int pinned = 0;

	qsort(lists, n, sizeof(*lists), by_string);
	for (size_t i = 0; i < n; i++) {
		struct cpuset s = { 0 };
		int count = cpuset_parse(&s, lists[i]) ? 0 : cpuset_count(&s);
		bool shared = (i > 0 && !strcmp(lists[i], lists[i - 1])) ||
			      (i + 1 < n && !strcmp(lists[i], lists[i + 1]));
		pinned += count == 1 || (count > 0 && count < online && !shared);
		cpuset_clear(&s);
	}
	return pinned;
}

/* A thread's Cpus_allowed_list from its status at PATH into SET. Returns
 * 1 when read, 0 when not (the thread ended, the file is cut: a problem
 * then), or -ENOMEM. */
static int thread_allowed(struct root *r, struct facts *f, const char *path, struct cpuset *set)
{
	char *status = NULL, list[1024];
	size_t len;
	int err = root_read(r, path, &status, &len), got = 0;

	if (err == -ENOMEM)
		return err;
	if (!status)
		return 0; /* the thread ended, or its status is unreadable */
	/* a thread may always run somewhere: an empty list is a cut file */
	if (!proc_status_field(status, len, "Cpus_allowed_list", list, sizeof(list)) && list[0] &&
	    !cpuset_parse(set, list) && cpuset_count(set) > 0)
		got = 1;
	else
		facts_problem(f, path, "no Cpus_allowed_list with a CPU in it; the thread's pinning is "
			      "not known");
	free(status);
	return got;
}

/* libvirt passes debug-threads=on, so vCPU threads are called "CPU n/KVM"
 * and I/O threads "IO " and their id; the main thread runs QEMU's loop.
 * Their Cpus_allowed_list says whether and where they are pinned. */
static int vcpu_threads(struct root *r, struct facts *f, const char *pid, struct vm *vm)
{
	char dir[64], **tids, **lists;
	size_t count, n = 0;
	int err = 0;

	snprintf(dir, sizeof(dir), "proc/%s/task", pid);
	if ((err = root_list(r, dir, &tids, &count)))
		return err == -ENOMEM ? err : 0;
	if (!(lists = calloc(count ? count : 1, sizeof(*lists)))) {
		root_free_names(tids);
		return -ENOMEM;
	}
	for (size_t i = 0; i < count && err >= 0; i++) {
		char path[128], comm[32], list[1024];
		int cpu;

		snprintf(path, sizeof(path), "%s/%s/comm", dir, tids[i]);
		if (root_read_line(r, path, comm, sizeof(comm)))
			continue;
		snprintf(path, sizeof(path), "%s/%s/status", dir, tids[i]);
		struct cpuset allowed = { 0 };
		bool vcpu = sscanf(comm, "CPU %d/KVM", &cpu) == 1;
		if (vcpu || !strcmp(tids[i], pid) || !strncmp(comm, "IO ", 3))
			err = thread_allowed(r, f, path, &allowed);
		if (err > 0 && vcpu) {
			/* one spelling of each set, for comparing them */
			cpuset_format(&allowed, list, sizeof(list));
			if (!(lists[n++] = strdup(list)) || cpuset_merge(&vm->vcpu_allowed, &allowed))
				err = -ENOMEM;
		} else if (err > 0) {
			err = cpuset_merge(strcmp(tids[i], pid) ? &vm->io_allowed : &vm->emulator_allowed,
					   &allowed);
		}
		cpuset_clear(&allowed);
	}
	if (err > 0)
		err = 0;
	if (!err && n) {
		vm->vcpu_threads = (int)n;
		vm->vcpu_threads_pinned = pinned_threads(lists, n, cpuset_count(&f->online));
	}
	for (size_t i = 0; i < n; i++)
		free(lists[i]);
	free(lists);
	root_free_names(tids);
	return err;
}

/* Descriptors looked at, per process and over all QEMU processes: any
 * user can start a process called qemu-system-x86 with a million files. */
#define FDS_PER_PROCESS 1024
#define FDS_MAX 65536

/* Whether the command line asks for vhost on a tap NIC: then its process
 * holds a /dev/vhost-net descriptor for it, or it does not use vhost. */
static bool asks_vhost(const struct vm_view *v)
{
	for (size_t i = 0; i < v->nnics; i++)
		if (!strcmp(v->nics[i].type, "tap") && !strcmp(v->nics[i].backend, "vhost"))
			return true;
	return false;
}

/* Counts the process's /dev/vhost-net descriptors into VM, from the links
 * of proc/PID/fd (readlink only: nothing is opened). */
static int vhost_fds(struct root *r, struct facts *f, const char *pid, struct vm *vm,
		     const struct vm_view *v, long *budget)
{
	char dir[64], **fds;
	size_t n;
	int err;

	if (!asks_vhost(v) || *budget <= 0)
		return 0;
	snprintf(dir, sizeof(dir), "proc/%s/fd", pid);
	if ((err = root_list(r, dir, &fds, &n)))
		return err == -ENOMEM ? err : 0; /* another user's: not known */
	vm->vhost_fds = 0;
	for (size_t k = 0; k < n && k < FDS_PER_PROCESS && *budget > 0; k++, (*budget)--) {
		char path[96];
		snprintf(path, sizeof(path), "%s/%s", dir, fds[k]);
		/* a snapshot keeps the VM's vhost descriptors, never the
		 * names of the other files it has open */
		vm->vhost_fds += root_link_names(r, path, "/dev/vhost-net");
	}
	if (n > FDS_PER_PROCESS || *budget <= 0)
		facts_problem(f, dir, "more open files than are looked at (%d a process, %d in all): "
				      "whether it holds /dev/vhost-net is not known", FDS_PER_PROCESS, FDS_MAX);
	/* too many to look at all: a count of none proves nothing */
	if (!vm->vhost_fds && (n > FDS_PER_PROCESS || *budget <= 0))
		vm->vhost_fds = -1;
	root_free_names(fds);
	return 0;
}

/* The accounts libvirt and distributions run QEMU as. */
static bool service_user(const char *name)
{
	static const char *const users[] = { "qemu", "libvirt-qemu", "libvirt", "kvm" };
	for (size_t i = 0; i < sizeof(users) / sizeof(users[0]); i++)
		if (!strcmp(name, users[i]))
			return true;
	return false;
}

/* etc/passwd, read once and only when a QEMU process is found. */
struct accounts {
	bool read;
	char *buf;
	size_t len;
};

static int load_accounts(struct root *r, struct facts *f, struct accounts *a)
{
	if (a->read)
		return 0;
	a->read = true;
	int err = facts_read_file(r, f, "etc/passwd", &a->buf, &a->len);
	if (err)
		a->buf = NULL;
	return err == -ENOMEM ? err : 0;
}

/* The process's owner, from the real uid of its status: -1 unknown. */
static int owner(struct root *r, struct facts *f, struct accounts *a, const char *pid, long *uid,
		 char *user, size_t usersz)
{
	char path[64], *buf;
	size_t len;

	*uid = -1;
	user[0] = '\0';
	snprintf(path, sizeof(path), "proc/%s/status", pid);
	int err = facts_read_file(r, f, path, &buf, &len);
	if (err)
		return err == -ENOMEM ? err : 0;
	*uid = proc_status_uid(buf, len);
	free(buf);
	if (*uid < 0) {
		facts_problem(f, path, "no Uid line with a number: the process's owner is not known");
		return 0;
	}
	if ((err = load_accounts(r, f, a)))
		return err;
	if (a->buf)
		passwd_name(a->buf, a->len, *uid, user, usersz);
	if (!user[0] && *uid == 0)
		str_copy(user, usersz, "root");
	return 0;
}

static int read_process(struct root *r, struct facts *f, struct accounts *a, const char *pid,
			long *fd_budget)
{
	struct qemu_args qa;
	char path[64], why[256], user[33];
	char *buf;
	size_t len;
	long uid;

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
	if ((err = owner(r, f, a, pid, &uid, user, sizeof(user)))) {
		vm_view_free(&qa.view);
		return err;
	}
	bool ordinary = uid > 0 && !service_user(user);
	char where[80];
	qa.view.pid = strtol(pid, NULL, 10);
	snprintf(where, sizeof(where), "/%s", path);
	if (!qa.name[0]) {
		snprintf(qa.name, sizeof(qa.name), "pid %s", pid);
	} else if (ordinary) {
		/* it names itself: never let it pass for (or merge into) a VM
		 * that libvirt or root runs */
		char own[sizeof(qa.name)];
		snprintf(own, sizeof(own), "%.40s (pid %s)", qa.name, pid);
		memcpy(qa.name, own, sizeof(own));
		qa.uuid[0] = '\0';
	}
	struct vm *vm = facts_add_vm_view(f, qa.name, qa.uuid, VM_PROCESS, &qa.view, where);
	if (!vm)
		return -ENOMEM;
	vm->uid = uid;
	str_copy(vm->user, sizeof(vm->user), user);
	vm->user_ordinary = ordinary;
	if ((err = vcpu_threads(r, f, pid, vm)))
		return err;
	return vhost_fds(r, f, pid, vm, vm->view[VM_PROCESS], fd_budget);
}

int collect_vm_processes(struct root *r, struct facts *f)
{
	struct accounts a = { 0 };
	char **names;
	size_t count;
	long fd_budget = FDS_MAX;
	int err = root_list(r, "proc", &names, &count);

	if (err)
		return err == -ENOMEM ? err : 0;
	for (size_t i = 0; i < count && !err; i++)
		if (all_digits(names[i]) && looks_like_qemu(r, names[i]))
			err = read_process(r, f, &a, names[i], &fd_budget);
	root_free_names(names);
	free(a.buf);
	return err;
}

/* Facts: everything `check` knows about a machine, read once from the root
 * by the collectors and then only looked at. Unknown numbers are -1 (or
 * FACT_UNKNOWN where -1 is a real value), unknown strings are empty. */
#ifndef LATDOC_FACTS_H
#define LATDOC_FACTS_H

#include <stdbool.h>
#include <stddef.h>

#include "../lib/cpuset.h"
#include "../parse/cmdline.h"
#include "../parse/cpuinfo.h"
#include "vm.h"

#define FACT_UNKNOWN (-2147483647L - 1)
/* The CPU latency QoS value when nobody holds a request: no constraint. */
#define PM_QOS_DEFAULT_US 2000000000L

struct root;

/* Services that undo or stand in for a latency setting, when installed. */
enum os_service {
	OS_SERVICE_ONDEMAND = 1, /* Ubuntu: sets the ondemand governor a minute after boot */
	OS_SERVICE_KSM = 2,      /* RHEL-like: starts KSM */
	OS_SERVICE_KSMTUNED = 4, /* Debian, Proxmox, RHEL: runs KSM by memory pressure */
	OS_SERVICE_TUNED = 8,
	OS_QEMU_KVM_DEFAULTS = 16, /* Ubuntu's etc/default/qemu-kvm, whose KSM_ENABLED starts KSM */
	OS_SERVICE_IRQBALANCE = 32,
};
struct freq_result;
struct wake_result;

struct idle_state {
	int index;         /* the K of its stateK directory */
	char name[32];
	char desc[64];
	long latency_us;   /* exit latency */
	long residency_us; /* target residency */
	int disabled;      /* 1, 0, or -1 unknown */
	long long usage;   /* times entered, -1 unknown */
	long long time_us; /* time requested, -1 unknown */
};

struct cpu {
	int id;
	bool online;
	double cpuinfo_mhz; /* /proc/cpuinfo "cpu MHz", 0 when not given */
	int package, core, node;
	int policy; /* index into facts.cpufreq.policies, -1 for none */
	/* pm_qos_resume_latency_us: the file's "0" (no constraint) is -1 here,
	 * "n/a" (no idle state allowed) is 0; FACT_UNKNOWN when absent. */
	long resume_latency_us;
	long epb; /* energy_perf_bias 0..15, -1 unknown */
	struct idle_state *states;
	size_t nstates;
};

struct cpufreq_policy {
	char name[16]; /* policy0, or cpu0 on kernels before policy directories */
	char dir[64];  /* where it was read, relative to the root */
	struct cpuset cpus; /* related_cpus, or affected_cpus */
	char driver[32];
	char governor[32];
	char governors[160]; /* scaling_available_governors */
	long cur_khz, min_khz, max_khz;    /* scaling_* */
	long hw_min_khz, hw_max_khz;       /* cpuinfo_min/max_freq */
	long base_khz;                     /* base_frequency (intel_pstate, amd) */
	long hw_cur_khz;                   /* cpuinfo_cur_freq (root only) */
	long setspeed_khz;                 /* scaling_setspeed, under userspace only */
	char epp[32];                      /* energy_performance_preference */
	char epps[160];
};

/* A guest's disk or NIC and the driver behind it. */
struct guest_device {
	char name[32];   /* vda, sda, eth0 */
	char driver[32]; /* virtio_blk, ata_piix, e1000 ... */
	char path[160];  /* the device's sysfs directory, "/sys/devices/..." */
};

/* A huge page pool: the host's (NODE -1, sys/kernel/mm/hugepages) or one
 * NUMA node's. Counts are pages, -1 unknown. */
struct hugepage_pool {
	long size_kib;
	int node;
	long nr, free, resv; /* resv: the host's pool only */
};

/* An interrupt of one of the host's NICs and where it may land. */
struct host_irq {
	int irq;
	char nic[16];
	struct cpuset allowed; /* /proc/irq/N/smp_affinity_list */
};

enum platform_role {
	ROLE_UNKNOWN,
	ROLE_BARE_METAL,
	ROLE_GUEST,
};

struct facts {
	/* host */
	char hostname[65];
	char kernel[128];
	char arch[32];
	bool live;

	/* CPU type, from /proc/cpuinfo */
	char vendor[64];
	char model_name[128];
	int family, model;
	double nominal_mhz; /* from the model name, 0 when it names none */
	char *flags;
	bool flag_hypervisor, flag_aperfmperf, flag_constant_tsc, flag_hwp, flag_epb;
	struct cpuinfo_proc *cpuinfo_mhz; /* per "processor" entry */
	size_t ncpuinfo_mhz;

	/* topology */
	struct cpuset possible, present, online;
	struct cpu *cpus; /* one per present CPU, by id */
	size_t ncpus;
	int sockets, cores, nodes;

	/* The operating system, for fixes that differ by distribution. */
	struct {
		char id[32];      /* os-release ID: debian, ubuntu, rhel, fedora ... */
		char id_like[64]; /* ID_LIKE: "rhel fedora", "debian" */
		char pretty[96];
		bool kernel_cmdline_file; /* etc/kernel/cmdline: systemd-boot, as Proxmox keeps it */
		unsigned services;        /* OS_SERVICE_* bits: units present */
	} os;

	/* cpufreq */
	struct {
		struct cpufreq_policy *policies;
		size_t count;
		char intel_pstate[16]; /* active, passive, off; "" absent */
		char amd_pstate[16];   /* active, passive, guided, disable */
		int no_turbo;          /* intel_pstate/no_turbo, -1 absent */
		int boost;             /* cpufreq/boost, -1 absent */
		long min_perf_pct, max_perf_pct;
	} cpufreq;

	/* cpuidle */
	struct {
		char driver[32]; /* intel_idle, acpi_idle, haltpoll; "" none */
		char governor[32];
		long guest_halt_poll_ns; /* haltpoll's, in a KVM guest; -1 absent */
	} cpuidle;

	/* PM QoS: /dev/cpu_dma_latency's effective value in µs, FACT_UNKNOWN
	 * when it could not be read (not live, not root) */
	long dma_latency_us;
	struct {
		/* the processes with /dev/cpu_dma_latency open, looked for only
		 * when a limit is held (the value says whether one is) */
		struct pm_qos_holder {
			int pid;
			char comm[32];
		} *holders;
		size_t nholders;
		bool scanned; /* the processes were looked at */
		/* a persistent configuration that expects a hold: the
		 * latdoc-hold unit enabled, a tuned profile with force_latency;
		 * "" for none */
		char expected_by[160];
		char expected_src[160]; /* the file that says so */
	} pm_qos;

	/* kernel */
	char *cmdline_raw;
	struct cmdline cmdline;
	char clocksource[32];
	char clocksources[160];

	/* memory */
	struct {
		char thp_enabled[16], thp_defrag[16];
		int ksm_run;                /* -1 absent */
		long long ksm_pages_sharing;
		int numa_balancing;         /* -1 absent */
		long swappiness;
	} mem;

	/* platform */
	struct {
		enum platform_role role;
		char hypervisor[32]; /* kvm, xen, vmware, hyperv, s390 ... */
		char cloud[32];      /* aws, gce, azure, openstack, cloudstack */
		char dmi_vendor[64], dmi_product[64];
		bool kvm_host;       /* kvm modules loaded, /dev/kvm */
	} platform;

	/* virtualization, host side */
	struct {
		struct vm *vms;
		size_t count;
		char manager[16];       /* cloudstack, openstack, proxmox; "" plain */
		char libvirt_uri[96];   /* where the libvirt API was asked; "" not */
		char libvirt_note[192]; /* why it gave nothing */
		long halt_poll_ns;      /* kvm module parameter, -1 absent */
		bool vhost_net;         /* /dev/vhost-net is there */
		/* What the host gives its VMs, read on a KVM host only: the huge
		 * page pools, the default page size (/proc/meminfo), and where
		 * the NICs' interrupts may land, read when a VM is pinned. */
		struct hugepage_pool *hugepages;
		size_t nhugepages;
		long hugepage_default_kib; /* -1 unknown */
		struct host_irq *irqs;
		size_t nirqs;
		bool irqs_read;
		/* irqbalance: enabled at boot, and the CPUs it keeps interrupts
		 * off (its config's IRQBALANCE_BANNED_CPULIST or _CPUS; without
		 * either, the isolated and nohz_full CPUs, as irqbalance does) */
		struct {
			bool enabled;
			bool configured;   /* the config names the banned CPUs */
			struct cpuset banned;
			char source[64];   /* where the banned set was read */
		} irqbalance;
	} virt;

	/* virtualization, guest side: the virtual hardware seen from inside */
	struct {
		struct guest_device *disks, *nics;
		size_t ndisks, nnics;
	} guest;

	/* steal time, all CPUs, percent of time since boot; -1 unknown */
	double steal_pct;

	/* Measurements taken on this machine (check --measure), which the
	 * rules weigh with the configuration: borrowed, NULL when not taken. */
	struct {
		const struct freq_result *freq;
		const struct wake_result *wake;
	} measured;

	/* files that were there but could not be used: "path: reason"; of
	 * problems alike but for their numbers (cpu3, cpu4 ...), the first
	 * few, then one line that counts the rest */
	char **problems;
	size_t nproblems;
	struct problem_log *problem_log; /* facts.c's count of them */
};

/* Reads everything. Returns 0, or -errno when the facts could not be built
 * at all (out of memory); unreadable files become problems, not errors. */
int facts_collect(struct root *r, struct facts *f);
/* Only what a JSON document's head names (host, OS, platform): for the
 * commands that measure rather than audit (rtt, ttfb). */
int facts_collect_head(struct root *r, struct facts *f);
void facts_free(struct facts *f);

/* Collectors, one per concern, each in its own file. */
int collect_host(struct root *r, struct facts *f);
int collect_os(struct root *r, struct facts *f);
int collect_cpuinfo(struct root *r, struct facts *f);
int collect_topology(struct root *r, struct facts *f);
int collect_cpufreq(struct root *r, struct facts *f);
int collect_cpuidle(struct root *r, struct facts *f);
int collect_pmqos(struct root *r, struct facts *f);
int collect_kernel(struct root *r, struct facts *f);
int collect_memory(struct root *r, struct facts *f);
int collect_platform(struct root *r, struct facts *f);
int collect_vm_xml(struct root *r, struct facts *f);
int collect_vm_processes(struct root *r, struct facts *f);
int collect_kvm_host(struct root *r, struct facts *f);
int collect_guest_devices(struct root *r, struct facts *f);
int collect_hugepages(struct root *r, struct facts *f);
int collect_host_irqs(struct root *r, struct facts *f);

/* Asks libvirt at URI for its domains and merges them in; not a file
 * collector, so `check` calls it after facts_collect(). EXPLICIT says the
 * user named the URI: then a failure is worth a note even off a KVM host.
 * Returns 0, or -ENOMEM. */
int collect_vm_libvirt(struct facts *f, const char *uri, bool explicit);

/* Adds VIEW as SOURCE of the VM called NAME or with UUID, creating the VM
 * when none matches; WHERE says where the view was read. VIEW's contents
 * are taken over (and freed on failure, or when the VM already has a view
 * from SOURCE: libvirt's API and its own files say the same thing).
 * Returns the VM, or NULL when out of memory. */
struct vm *facts_add_vm_view(struct facts *f, const char *name, const char *uuid,
			     enum vm_source source, struct vm_view *view, const char *where);

/* Shared by the collectors: record a problem with a file. Bounded: a dump
 * with a million broken files yields a few lines, not a million. */
void facts_problem(struct facts *f, const char *path, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* What a negative errno from the root means, for a problem report. */
const char *facts_read_error(int err);
/* Reads PATH's first line into OUT. A missing file is quietly -ENOENT;
 * anything else wrong is recorded as a problem. */
int facts_read_line(struct root *r, struct facts *f, const char *path, char *out, size_t outsz);
/* Reads a whole file into *BUF (freed by the caller). A missing file is
 * quietly -ENOENT, -ENOMEM is returned for the caller to stop on, and
 * anything else wrong is recorded as a problem. */
int facts_read_file(struct root *r, struct facts *f, const char *path, char **buf, size_t *len);
/* Whether the distribution is ID or like it (os-release ID, ID_LIKE). */
bool facts_os_like(const struct facts *f, const char *id);
/* Reads an integer file; a malformed number is a problem. */
int facts_read_long(struct root *r, struct facts *f, const char *path, long *out);

#endif

/* A finding: one thing that costs latency, with the evidence for it, why
 * it matters and how to fix it. Rules make them; outputs print them; tune
 * executes their fix actions. */
#ifndef LATDOC_FINDINGS_H
#define LATDOC_FINDINGS_H

#include <stdbool.h>
#include <stddef.h>

enum severity { SEV_INFO, SEV_WARNING, SEV_CRITICAL };

struct evidence {
	char *source; /* the file (or fact) the value came from */
	char *value;
};

/* What a fix changes, as data a program can execute. */
enum fix_kind {
	FIX_SYSFS,         /* a file under /sys: target its path */
	FIX_SYSCTL,        /* target the key, kernel.numa_balancing */
	FIX_CMDLINE,       /* a kernel parameter: target its name */
	FIX_MODULE_OPTION, /* target module.parameter, kvm.halt_poll_ns */
	FIX_MODULE,        /* load a module at boot: target its name */
	FIX_SERVICE,       /* a systemd unit: want "enabled" or "disabled" */
	FIX_LIBVIRT,       /* a domain's XML: target the domain, key the XPath */
	FIX_FILE,          /* a file under /etc that latdoc owns: target its path */
	FIX_KINDS
};

/* Runtime: takes effect when written and lasts until reboot. Persistent:
 * the configuration that makes it hold after reboot. */
enum fix_when { FIX_RUNTIME, FIX_PERSISTENT };

enum fix_needs {
	NEEDS_ROOT = 1,
	NEEDS_REBOOT = 2,     /* takes effect at the next boot */
	NEEDS_VM_RESTART = 4, /* takes effect at the VM's next start */
};

struct fix_action {
	enum fix_kind kind;
	enum fix_when when;
	unsigned needs;      /* enum fix_needs, or'ed */
	char *target;
	char *key;           /* FIX_LIBVIRT: the XPath of what changes; else NULL */
	char *now;           /* the value read; NULL when unknown or absent */
	char *want;
	const char *variant; /* NULL; or one of several ways to the same end
			      * ("disable", "hold"), of which tune applies one */
};

struct finding {
	const char *id;   /* stamped by the rule table: static */
	enum severity severity;
	unsigned order;   /* the rule's place in the table, for ranking */
	char *subject;    /* "cpus 0-7", "system", "domain:web1" */
	char *title;      /* one line */
	struct evidence *evidence;
	size_t nevidence;
	char *why;
	char *fix_runtime;    /* advice for a person: commands, the other ways */
	char *fix_persistent;
	struct fix_action *actions;
	size_t nactions;
};

struct findings {
	struct finding *items;
	size_t count, cap;
	bool out_of_memory; /* a finding could not be recorded in full */
};

const char *severity_name(enum severity s);
int severity_parse(const char *name, enum severity *out);
const char *fix_kind_name(enum fix_kind k);

/* Adds a finding; the formatted strings are copied. The rule table stamps
 * its id. On allocation failure these record out_of_memory and return
 * NULL, and the other functions accept that NULL, so rules need not check
 * each call. */
struct finding *finding_add(struct findings *fs, enum severity sev, const char *subject,
			    const char *title_fmt, ...) __attribute__((format(printf, 4, 5)));
void finding_evidence(struct findings *fs, struct finding *f, const char *source,
		      const char *value_fmt, ...) __attribute__((format(printf, 4, 5)));
void finding_why(struct findings *fs, struct finding *f, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* The advice in words; either may be NULL. */
void finding_fix(struct findings *fs, struct finding *f, const char *runtime,
		 const char *persistent);
/* Adds an action; NOW and KEY may be NULL. Returns it so a rule can set
 * its variant, or NULL. */
struct fix_action *finding_action(struct findings *fs, struct finding *f, enum fix_kind kind,
				  enum fix_when when, unsigned needs, const char *target,
				  const char *key, const char *now, const char *want);

/* Most costly first: severity, then the rule table's order. */
void findings_sort(struct findings *fs);
/* The highest severity present, or -1 with no findings. */
int findings_worst(const struct findings *fs);
void findings_free(struct findings *fs);

#endif

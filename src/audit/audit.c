#include "audit.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../measure/measure.h"
#include "../root/root.h"
#include "../rules/rules.h"

bool audit_only_valid(const char *only)
{
	for (size_t i = 0; i < rules_count; i++)
		if (!strncmp(rules[i].id, only, strlen(only)))
			return true;
	return false;
}

static bool looks_like_a_root(struct root *r, const char *prefix)
{
	char a[512], b[512];
	snprintf(a, sizeof(a), "%s%sproc/cpuinfo", prefix, *prefix ? "/" : "");
	snprintf(b, sizeof(b), "%s%ssys/devices/system/cpu", prefix, *prefix ? "/" : "");
	return !root_exists(r, a) || !root_exists(r, b);
}

/* A directory with neither proc/cpuinfo nor sys/devices/system/cpu is not a
 * machine: auditing it would pass a wrong path off as a clean machine. Names
 * a subdirectory that looks like one (a snapshot unpacked a level too
 * high). */
static int check_machine_root(struct root *r, const char *dir, char *err, size_t errsz)
{
	char **names;
	size_t n;

	if (looks_like_a_root(r, ""))
		return 0;
	int len = snprintf(err, errsz, "'%s' is not a machine root: it has neither proc/cpuinfo "
				       "nor sys/devices/system/cpu", dir);
	if (!root_list(r, "", &names, &n)) {
		for (size_t i = 0; i < n; i++)
			if (looks_like_a_root(r, names[i])) {
				snprintf(err + len, errsz - (size_t)len, "; '%s/%s' looks like one", dir,
					 names[i]);
				break;
			}
		root_free_names(names);
	}
	return -1;
}

static int measure(struct report *rep, char *err, size_t errsz)
{
	int e = measure_for_check(rep->root, &rep->facts, &rep->freq, &rep->wake);
	if (e) {
		snprintf(err, errsz, "measuring: %s", strerror(-e));
		return -1;
	}
	rep->facts.measured.freq = rep->freq;
	rep->facts.measured.wake = rep->wake;
	return 0;
}

int audit_run(const struct audit_options *o, struct report *out, char *err, size_t errsz)
{
	const char *why;
	int e;

	memset(out, 0, sizeof(*out));
	out->worst = -1;
	out->fail_on = o->fail_on;
	if (!(out->root_dir = strdup(o->root))) {
		snprintf(err, errsz, "out of memory");
		return -1;
	}
	if (!(out->root = root_open(o->root, &why))) {
		snprintf(err, errsz, "cannot use '%s' as the root: %s", o->root, why);
		goto fail;
	}
	if (o->measure && !root_is_live(out->root)) {
		snprintf(err, errsz, "--measure measures this machine; it cannot be used with --root "
				     "of another");
		goto fail;
	}
	root_record(out->root, o->record);
	e = facts_collect(out->root, &out->facts);
	root_record(out->root, false);
	if (e) {
		snprintf(err, errsz, "reading %s: %s", o->root, strerror(-e));
		goto fail;
	}
	if (check_machine_root(out->root, o->root, err, errsz))
		goto fail;
	/* libvirt knows domains whose files latdoc may not read; on the live
	 * machine it is asked by default, for a dump only when told */
	const struct facts *f = &out->facts;
	const char *uri = o->connect		       ? o->connect
			  : f->live && f->platform.kvm_host ? "qemu:///system"
							    : NULL;
	if (uri && collect_vm_libvirt(&out->facts, uri, o->connect != NULL)) {
		snprintf(err, errsz, "out of memory while reading libvirt's domains");
		goto fail;
	}
	if (o->connect && f->virt.libvirt_note[0]) {
		snprintf(err, errsz, "--connect %s: %s", o->connect, f->virt.libvirt_note);
		goto fail;
	}
	if (o->measure && measure(out, err, errsz))
		goto fail;
	if (!o->measure) {
		out->facts.measured.freq = o->earlier_freq;
		out->facts.measured.wake = o->earlier_wake;
	}
	rules_run(&out->facts, &out->findings, o->only);
	if (out->findings.out_of_memory) {
		snprintf(err, errsz, "out of memory while building the findings");
		goto fail;
	}
	out->worst = findings_worst(&out->findings);
	out->fails = out->worst >= (int)o->fail_on;
	return 0;
fail:
	report_free(out);
	return -1;
}

void measurements_free(struct freq_result *freq, struct wake_result *wake)
{
	if (freq)
		freq_result_free(freq);
	if (wake)
		wake_result_free(wake);
	free(freq);
	free(wake);
}

void report_free(struct report *r)
{
	measurements_free(r->freq, r->wake);
	findings_free(&r->findings);
	facts_free(&r->facts);
	root_close(r->root);
	free(r->root_dir);
	memset(r, 0, sizeof(*r));
}

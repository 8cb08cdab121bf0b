/* tune: the knobs it may write, the plan, the journal, a domain's XML
 * edited by the small path grammar, and a domain defined and defined back
 * through libvirt's test driver. */
#include <errno.h>
#include <libvirt/libvirt.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "root/root.h"
#include "tune/tune.h"

static char top[256];

static int setup(void **state)
{
	(void)state;
	snprintf(top, sizeof(top), "/tmp/latdoc-tune-XXXXXX");
	return mkdtemp(top) ? 0 : -1;
}

static int teardown(void **state)
{
	(void)state;
	char cmd[400];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", top);
	return system(cmd);
}

static void knobs(void **state)
{
	(void)state;
	char path[256], v[64];
	struct fix_action a = { .kind = FIX_SYSCTL, .target = "vm.swappiness", .want = "10" };

	assert_true(knob_allowed("sys/devices/system/cpu/cpufreq/policy12/scaling_governor"));
	assert_true(knob_allowed("sys/devices/system/cpu/cpu3/cpuidle/state2/disable"));
	assert_true(knob_allowed("sys/devices/system/cpu/cpufreq/policy*/scaling_governor"));
	assert_false(knob_allowed("etc/shadow"));
	assert_false(knob_allowed("/sys/kernel/mm/ksm/run"));
	assert_false(knob_allowed("sys/devices/system/cpu/cpu0/../../../../../etc/shadow"));
	assert_false(knob_allowed("sys/devices/system/cpu/cpu0/cpuidle/state2/../../../../../x/disable"));
	assert_false(knob_allowed("sys/kernel/mm/ksm//run"));
	assert_false(knob_allowed("sys/devices/system/cpu/cpu0/cpuidle/state0/latency"));
	/* a dump's directory name that would be a line of tmpfiles.d of its own */
	assert_false(knob_allowed("sys/devices/system/cpu/cpufreq/policy2\nR! %S - - - - /scaling_governor"));
	assert_false(knob_allowed("sys/devices/system/cpu/cpufreq/policy2 x/scaling_governor"));
	assert_false(knob_allowed("sys/devices/system/cpu/cpufreq/policy%S/scaling_governor"));

	assert_int_equal(knob_path(&a, path, sizeof(path)), 0);
	assert_string_equal(path, "proc/sys/vm/swappiness");
	a = (struct fix_action){ .kind = FIX_MODULE_OPTION, .target = "kvm.halt_poll_ns", .want = "1" };
	assert_int_equal(knob_path(&a, path, sizeof(path)), 0);
	assert_string_equal(path, "sys/module/kvm/parameters/halt_poll_ns");
	a = (struct fix_action){ .kind = FIX_SYSCTL, .target = "kernel.core_pattern", .want = "x" };
	assert_int_equal(knob_path(&a, path, sizeof(path)), -EINVAL);
	a = (struct fix_action){ .kind = FIX_SYSFS, .target = "/etc/passwd", .want = "x" };
	assert_int_equal(knob_path(&a, path, sizeof(path)), -EINVAL);
	a = (struct fix_action){ .kind = FIX_MODULE_OPTION, .target = "nodot", .want = "x" };
	assert_int_equal(knob_path(&a, path, sizeof(path)), -EINVAL);

	assert_true(knob_value_ok("balance_performance"));
	assert_true(knob_value_ok("2400000"));
	assert_false(knob_value_ok(""));
	assert_false(knob_value_ok("a b"));
	assert_false(knob_value_ok("$(reboot)"));
	assert_false(knob_value_ok("x\n"));
	assert_false(knob_value_ok("\"quoted\""));

	knob_value("always [madvise] never\n", 23, v, sizeof(v));
	assert_string_equal(v, "madvise");
	knob_value("60\n", 3, v, sizeof(v));
	assert_string_equal(v, "60");
	knob_value("one\ntwo\n", 8, v, sizeof(v));
	assert_string_equal(v, "one");

	assert_true(knob_owned_file("etc/sysctl.d/90-latdoc.conf"));
	assert_false(knob_owned_file("etc/sysctl.d/99-other.conf"));
	assert_true(knob_owned_link("etc/systemd/system/multi-user.target.wants/ondemand.service"));
	assert_false(knob_owned_link("etc/systemd/system/multi-user.target.wants/sshd.service"));
	assert_true(knob_owned_dir("etc/default/grub.d"));
	assert_false(knob_owned_dir("etc/ssh"));
}

static void bytes_and_order(void **state)
{
	(void)state;
	char out[128];
	const char *thp = "always [madvise] never\n";

	tune_bytes_for(ROOT_REGULAR, thp, strlen(thp), "never", out, sizeof(out));
	assert_string_equal(out, "always madvise [never]\n");
	tune_bytes_for(ROOT_ATTRIBUTE, thp, strlen(thp), "never", out, sizeof(out));
	assert_string_equal(out, "never\n");
	tune_bytes_for(ROOT_REGULAR, thp, strlen(thp), "sometimes", out, sizeof(out));
	assert_string_equal(out, "sometimes\n");
	tune_bytes_for(ROOT_REGULAR, "60\n", 3, "10", out, sizeof(out));
	assert_string_equal(out, "10\n");

	int status = order_rank("sys/devices/system/cpu/intel_pstate/status");
	int gov = order_rank("sys/devices/system/cpu/cpufreq/policy0/scaling_governor");
	int epp = order_rank("sys/devices/system/cpu/cpufreq/policy0/energy_performance_preference");
	int idle = order_rank("sys/devices/system/cpu/cpu0/cpuidle/state3/disable");
	assert_true(status < gov);
	assert_true(gov < epp);
	assert_true(epp < idle);
	assert_true(order_rank("sys/devices/system/cpu/amd_pstate/status") == status);
}

/* A report of two findings that want the same governor, and a finding
 * with two ways (variants). */
static void plan_dedupes_and_orders(void **state)
{
	(void)state;
	const char *why;
	struct report rep = { 0 };
	struct finding f[3] = { { .id = "cpu.freq.low" }, { .id = "cpu.governor" }, { .id = "cpu.cstate.deep" } };
	struct fix_action low[] = {
		{ .kind = FIX_SYSFS, .when = FIX_RUNTIME, .target = "/sys/devices/system/cpu/cpufreq/policy0/energy_performance_preference", .now = "power", .want = "performance" },
		{ .kind = FIX_SYSFS, .when = FIX_RUNTIME, .target = "/sys/devices/system/cpu/cpufreq/policy0/scaling_governor", .now = "powersave", .want = "performance" },
	};
	struct fix_action gov[] = {
		{ .kind = FIX_SYSFS, .when = FIX_RUNTIME, .target = "/sys/devices/system/cpu/cpufreq/policy0/scaling_governor", .now = "powersave", .want = "performance" },
		{ .kind = FIX_SYSFS, .when = FIX_PERSISTENT, .target = "/sys/devices/system/cpu/cpufreq/policy*/scaling_governor", .want = "performance" },
		{ .kind = FIX_SYSFS, .when = FIX_RUNTIME, .target = "/etc/passwd", .want = "x" },
	};
	struct fix_action deep[] = {
		{ .kind = FIX_SYSFS, .when = FIX_RUNTIME, .target = "/sys/devices/system/cpu/cpu0/cpuidle/state3/disable", .now = "0", .want = "1", .variant = "disable" },
		{ .kind = FIX_SERVICE, .when = FIX_RUNTIME, .target = "latdoc-hold.service", .want = "active", .variant = "hold" },
		{ .kind = FIX_LIBVIRT, .when = FIX_PERSISTENT, .target = "web01", .key = "/domain/cpu/@mode", .want = "host-passthrough" },
	};
	struct plan p;

	f[0].actions = low, f[0].nactions = 2;
	f[1].actions = gov, f[1].nactions = 3;
	f[2].actions = deep, f[2].nactions = 3;
	rep.findings.items = f;
	rep.findings.count = 3;
	assert_non_null(rep.root = root_open(top, &why));
	struct plan_options o = { .cstates = CSTATES_DISABLE };
	assert_int_equal(plan_build(&rep, &o, &p), 0);
	assert_int_equal(p.count, 6); /* the hold left out, the governor once */
	/* runtime first; the governor before EPP whatever the findings' order */
	assert_string_equal(p.items[0].path, "sys/devices/system/cpu/cpufreq/policy0/scaling_governor");
	assert_string_equal(p.items[0].fixes, "cpu.freq.low, cpu.governor");
	assert_string_equal(p.items[1].path,
			    "sys/devices/system/cpu/cpufreq/policy0/energy_performance_preference");
	assert_string_equal(p.items[2].path, "sys/devices/system/cpu/cpu0/cpuidle/state3/disable");
	assert_int_equal(p.items[3].state, CHANGE_BY_HAND); /* /etc/passwd is no knob */
	assert_int_equal(p.items[3].action->when, FIX_RUNTIME);
	assert_int_equal(p.items[4].action->when, FIX_PERSISTENT);
	assert_int_equal(p.items[5].state, CHANGE_NEEDS_VM);
	plan_free(&p);

	o = (struct plan_options){ .cstates = CSTATES_HOLD, .vm = "web01", .live = false };
	assert_int_equal(plan_build(&rep, &o, &p), 0);
	bool hold = false, disable = false;
	for (size_t i = 0; i < p.count; i++) {
		hold |= p.items[i].action->variant && !strcmp(p.items[i].action->variant, "hold");
		disable |= p.items[i].action->variant && !strcmp(p.items[i].action->variant, "disable");
		if (p.items[i].action->kind == FIX_SERVICE)
			assert_int_equal(p.items[i].state, CHANGE_LIVE_ONLY);
		if (p.items[i].action->kind == FIX_LIBVIRT)
			assert_int_equal(p.items[i].state, CHANGE_APPLIES);
	}
	assert_true(hold);
	assert_false(disable);
	plan_free(&p);
	root_close(rep.root);
}

static void put(const char *rel, const char *text)
{
	char path[512];
	snprintf(path, sizeof(path), "%s/%s", top, rel);
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
	chmod(path, 0600);
}

static void journal_round_trip(void **state)
{
	(void)state;
	const char *why;
	char err[512];
	struct journal_writer w;
	struct journal j;
	struct root *r = root_open(top, &why);
	const char odd[] = "a%b\nc\0d\x7f\xff";

	assert_non_null(r);
	assert_int_equal(journal_lock(r, &w, err, sizeof(err)), 0);
	struct journal_writer other;
	assert_int_equal(journal_lock(r, &other, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "another latdoc tune or revert is running"));
	assert_int_equal(journal_create(&w, "tune --apply", "host\x1b", "boot", err, sizeof(err)), 0);
	struct jentry e = { .op = J_SET, .path = "sys/kernel/mm/ksm/run", .finding = "mem.ksm",
			    .old = { .data = (char *)odd, .len = sizeof(odd) - 1, .present = true },
			    .new = { .data = "0\n", .len = 2, .present = true } };
	assert_int_equal(journal_intent(&w, &e), 0);
	assert_int_equal(e.seq, 1);
	assert_int_equal(journal_done(&w, e.seq, true), 0);
	struct jentry f = { .op = J_FILE, .path = "etc/sysctl.d/90-latdoc.conf", .mode = 0640,
			    .new = { .data = "x = 1\n", .len = 6, .present = true } };
	assert_int_equal(journal_intent(&w, &f), 0);
	struct jentry g = { .op = J_FILE, .path = "etc/modprobe.d/latdoc.conf", .mode = 0600,
			    .uid = 4000000000L, .gid = 12,
			    .old = { .data = "o\n", .len = 2, .present = true },
			    .new = { .data = "n\n", .len = 2, .present = true } };
	assert_int_equal(journal_intent(&w, &g), 0);
	/* what revert would refuse to read back is never written */
	struct jentry shadow = { .op = J_FILE, .path = "etc/shadow",
				 .new = { .data = "x", .len = 1, .present = true } };
	assert_int_equal(journal_intent(&w, &shadow), -EPERM);
	struct jentry dot = { .op = J_UNLINK, .path = "etc/systemd/system/.x.wants/ondemand.service",
			      .old = { .data = "/x", .len = 2, .present = true } };
	assert_int_equal(journal_intent(&w, &dot), -EPERM);
	assert_int_equal(journal_record(&w, "{\"end\":\"ok\"}"), 0);
	char name[96];
	snprintf(name, sizeof(name), "%s", w.name);
	journal_close(&w);

	assert_int_equal(journal_load(r, name, &j, err, sizeof(err)), 0);
	assert_string_equal(j.command, "tune --apply");
	assert_string_equal(j.host, "host\x1b");
	assert_string_equal(j.end, "ok");
	assert_int_equal(j.count, 3);
	assert_int_equal(j.entries[0].old.len, sizeof(odd) - 1);
	assert_memory_equal(j.entries[0].old.data, odd, sizeof(odd) - 1);
	assert_true(j.entries[0].done && j.entries[0].wrote);
	assert_false(j.entries[1].done);
	assert_false(j.entries[1].old.present); /* a file that was not there */
	assert_int_equal(j.entries[1].mode, 0640);
	assert_int_equal(j.entries[1].uid, -1); /* created: no owner before */
	assert_int_equal(j.entries[2].uid, 4000000000L); /* an owner's id above INT_MAX */
	assert_int_equal(j.entries[2].gid, 12);
	assert_false(j.torn);
	journal_free(&j);

	/* cut short in the last record: the rest is read, and said so */
	char path[512], *buf;
	size_t len;
	snprintf(path, sizeof(path), "%s/%s", JOURNAL_DIR, name);
	assert_int_equal(root_read(r, path, &buf, &len), 0);
	buf[len - 4] = '\0';
	char rel[200];
	snprintf(rel, sizeof(rel), "%s/tune-cut.journal", JOURNAL_DIR);
	put(rel, buf);
	assert_int_equal(journal_load(r, "tune-cut.journal", &j, err, sizeof(err)), 0);
	assert_true(j.torn);
	assert_null(j.end);
	assert_int_equal(j.count, 3);
	journal_free(&j);
	free(buf);

	static const struct {
		const char *text, *error;
	} bad[] = {
		{ "", "it is empty" },
		{ "not json\n", "is not a latdoc journal" },
		{ "{\"journal\":\"other\",\"format\":1}\n", "is not a latdoc journal" },
		{ "{\"journal\":\"latdoc\",\"format\":9}\n", "of a format this latdoc does not read" },
		{ "{\"journal\":\"latdoc\",\"format\":1}\n{\"seq\":1,\"op\":\"set\",\"path\":\"etc/passwd\"}\n",
		  "not something latdoc changes" },
		{ "{\"journal\":\"latdoc\",\"format\":1}\n{\"seq\":1,\"op\":\"rm\",\"path\":\"x\"}\n",
		  "without a known op" },
		{ "{\"journal\":\"latdoc\",\"format\":1}\n{\"done\":7}\n", "change 7, which is not there" },
		{ "{\"journal\":\"latdoc\",\"format\":1}\n{\"seq\":2,\"op\":\"set\",\"path\":\"sys/kernel/mm/ksm/run\"}\n"
		  "{\"seq\":1,\"op\":\"set\",\"path\":\"sys/kernel/mm/ksm/run\"}\n",
		  "out of order" },
		{ "{\"journal\":\"latdoc\",\"format\":1}\n{\"seq\":1,\"op\":\"set\",\"path\":\"sys/kernel/mm/ksm/run\",\"old\":\"%G0\"}\n",
		  "malformed" },
		{ "{\"journal\":\"latdoc\",\"format\":1}\nxx\n{\"end\":\"ok\"}\n", "damaged at line 2" },
		{ "{\"journal\":\"latdoc\",\"format\":1}\n{\"what\":1}\n", "a record latdoc does not write" },
		{ "{\"journal\":\"latdoc\",\"format\":1}\n{\"seq\":1,\"op\":\"domain\",\"path\":\"web01\",\"uri\":\"qemu:///system\"}\n",
		  "malformed" }, /* a domain without the uuid tune saw */
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		snprintf(rel, sizeof(rel), "%s/tune-bad.journal", JOURNAL_DIR);
		put(rel, bad[i].text);
		assert_int_equal(journal_load(r, "tune-bad.journal", &j, err, sizeof(err)), -1);
		if (!strstr(err, bad[i].error))
			fail_msg("journal %zu: '%s' does not say '%s'", i, err, bad[i].error);
	}
	assert_int_equal(journal_load(r, "../../../etc/passwd", &j, err, sizeof(err)), -1);
	assert_int_equal(journal_load(r, ".hidden", &j, err, sizeof(err)), -1);

	char **names;
	size_t n;
	assert_int_equal(journal_list(r, &names, &n), 0);
	assert_int_equal(n, 3); /* the lock is not one */
	root_free_names(names);
	root_close(r);
}

static const char dom_xml[] =
	"<domain type='kvm'><name>web01</name><cpu mode='custom'><model>qemu64</model></cpu>"
	"<devices><disk type='file'><target dev='hda' bus='ide'/><address type='drive'/></disk>"
	"<disk type='file'><target dev='hdb' bus='ide'/></disk>"
	"<interface type='bridge'><mac address='52:54:00:00:00:01'/><model type='e1000'/></interface>"
	"</devices></domain>";

static char *edit(const struct fix_action *a, size_t n, char *err, size_t errsz)
{
	const struct fix_action *list[8];
	char *out;
	for (size_t i = 0; i < n; i++)
		list[i] = &a[i];
	return domain_edit(dom_xml, strlen(dom_xml), list, n, &out, err, errsz) ? NULL : out;
}

static void domain_xml_edits(void **state)
{
	(void)state;
	char err[256];
	struct fix_action a[] = {
		{ .kind = FIX_LIBVIRT, .key = "/domain/cpu/@mode", .want = "host-passthrough" },
		{ .kind = FIX_LIBVIRT, .key = "/domain/cpu/model", .want = "" },
		{ .kind = FIX_LIBVIRT, .key = "/domain/devices/disk[target/@dev='hda']/target/@bus", .want = "virtio" },
		{ .kind = FIX_LIBVIRT, .key = "/domain/devices/disk[target/@dev='hda']/address", .want = "" },
		{ .kind = FIX_LIBVIRT, .key = "/domain/devices/interface[mac/@address=\"52:54:00:00:00:01\"]/model/@type", .want = "virtio" },
		{ .kind = FIX_LIBVIRT, .key = "/domain/cputune/vcpupin[@vcpu='0']/@cpuset", .want = "2" },
		{ .kind = FIX_LIBVIRT, .key = "/domain/iothreads", .want = "1" },
		{ .kind = FIX_LIBVIRT, .key = "/domain/memoryBacking/hugepages", .want = "" },
	};
	char *x = edit(a, sizeof(a) / sizeof(a[0]), err, sizeof(err));
	assert_non_null(x);
	assert_non_null(strstr(x, "<cpu mode=\"host-passthrough\"/>"));
	assert_non_null(strstr(x, "<target dev=\"hda\" bus=\"virtio\"/></disk>"));
	assert_non_null(strstr(x, "<target dev=\"hdb\" bus=\"ide\"/>")); /* the other disk is left */
	assert_non_null(strstr(x, "<model type=\"virtio\"/>"));
	assert_non_null(strstr(x, "<cputune><vcpupin vcpu=\"0\" cpuset=\"2\"/></cputune>"));
	assert_non_null(strstr(x, "<iothreads>1</iothreads>"));
	assert_null(strstr(x, "memoryBacking")); /* removing what is not there adds nothing */
	assert_null(strstr(x, "address type"));
	free(x);

	static const char *const bad[] = { "domain/cpu/@mode", "/domain/cpu/@", "/domain[@x=1]/cpu",
					   "/domain/cpu[@a='b'", "/domain/@type/cpu", "/other/cpu/@mode",
					   "/domain", "/domain/cpu[x/@a='1'/@mode", "/1domain/cpu" };
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct fix_action b = { .kind = FIX_LIBVIRT, .key = (char *)bad[i], .want = "v" };
		assert_null(edit(&b, 1, err, sizeof(err)));
	}
	const struct fix_action *one[] = { &a[0] };
	char *out;
	assert_int_equal(domain_edit("<domain>", 8, one, 1, &out, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "does not parse"));

	/* a device named by its child (a disk by its target, a NIC by its
	 * MAC) that is not there is never made: the XML is not the one the
	 * plan saw, and a <disk> of a target alone is no disk */
	static const char *const gone[] = {
		"/domain/devices/disk[target/@dev='vda']/target/@bus",
		"/domain/devices/disk[target/@dev='vda']/driver/@iothread",
		"/domain/devices/interface[mac/@address='52:54:00:00:00:99']/model/@type",
	};
	for (size_t i = 0; i < sizeof(gone) / sizeof(gone[0]); i++) {
		struct fix_action g = { .kind = FIX_LIBVIRT, .key = (char *)gone[i], .want = "virtio" };
		assert_null(edit(&g, 1, err, sizeof(err)));
		if (!strstr(err, "not in the domain's XML"))
			fail_msg("'%s': '%s'", gone[i], err);
	}
	/* removing what is not there is nothing to do */
	struct fix_action rm = { .kind = FIX_LIBVIRT, .key = "/domain/devices/disk[target/@dev='vda']/address",
				 .want = "" };
	char *same = edit(&rm, 1, err, sizeof(err));
	assert_non_null(same);
	free(same);
}

/* libvirt's test driver keeps test:///default's domains for the process:
 * define, judge, define back. */
static void domain_through_libvirt(void **state)
{
	(void)state;
	const char *why;
	char err[512], now[128], reason[256];
	struct journal_writer w;
	struct journal j;
	struct root *r = root_open(top, &why);
	virConnectPtr conn = virConnectOpen("test:///default");

	if (!conn)
		skip();
	assert_non_null(r);
	virDomainPtr dom = virDomainLookupByName(conn, "test");
	assert_non_null(dom);
	char *before = virDomainGetXMLDesc(dom, VIR_DOMAIN_XML_INACTIVE);
	assert_non_null(before);
	assert_null(strstr(before, "host-passthrough"));

	struct fix_action a = { .kind = FIX_LIBVIRT, .when = FIX_PERSISTENT, .needs = NEEDS_VM_RESTART,
				.target = "test", .key = "/domain/cpu/@mode", .want = "host-passthrough" };
	struct change c = { .action = &a, .state = CHANGE_APPLIES };
	snprintf(c.fixes, sizeof(c.fixes), "vm.cpu.mode");
	struct plan p = { .items = &c, .count = 1 };
	assert_int_equal(journal_lock(r, &w, err, sizeof(err)), 0);
	assert_int_equal(journal_create(&w, "tune --apply --vm test", "h", "b", err, sizeof(err)), 0);
	struct run run = { .r = r, .w = &w };
	assert_int_equal(domain_apply(&run, &p, "test:///default", "test"), 0);
	assert_int_equal(run.made, 1);
	char name[96];
	snprintf(name, sizeof(name), "%s", w.name);
	journal_close(&w);

	char *after = virDomainGetXMLDesc(dom, VIR_DOMAIN_XML_INACTIVE);
	assert_non_null(strstr(after, "host-passthrough"));
	free(after);

	assert_int_equal(journal_load(r, name, &j, err, sizeof(err)), 0);
	assert_int_equal(j.count, 1);
	assert_int_equal(j.entries[0].op, J_DOMAIN);
	assert_true(j.entries[0].kept.present);
	assert_int_equal(domain_judge(&j.entries[0], NULL, now, sizeof(now), reason, sizeof(reason)),
			 REVERT_RESTORE);
	assert_int_equal(domain_restore(&j.entries[0], NULL, reason, sizeof(reason)), 0);
	assert_int_equal(domain_judge(&j.entries[0], NULL, now, sizeof(now), reason, sizeof(reason)),
			 REVERT_ALREADY);
	after = virDomainGetXMLDesc(dom, VIR_DOMAIN_XML_INACTIVE);
	assert_string_equal(after, before);
	free(after);

	/* defined otherwise since: refused */
	struct fix_action b = a;
	b.key = "/domain/cpu/@mode";
	b.want = "host-model";
	c.action = &b;
	assert_int_equal(journal_lock(r, &w, err, sizeof(err)), 0);
	assert_int_equal(journal_create(&w, "tune", "h", "b", err, sizeof(err)), 0);
	struct run run2 = { .r = r, .w = &w };
	assert_int_equal(domain_apply(&run2, &p, "test:///default", "test"), 0);
	journal_close(&w);
	assert_int_equal(domain_judge(&j.entries[0], NULL, now, sizeof(now), reason, sizeof(reason)),
			 REVERT_REFUSE);
	assert_non_null(strstr(now, "another definition"));
	/* no such domain */
	free(j.entries[0].path);
	j.entries[0].path = strdup("nosuch");
	assert_int_equal(domain_judge(&j.entries[0], NULL, now, sizeof(now), reason, sizeof(reason)),
			 REVERT_FAIL);
	assert_non_null(strstr(reason, "has no domain nosuch"));
	journal_free(&j);
	free(before);
	virDomainFree(dom);
	virConnectClose(conn);
	root_close(r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(knobs),
		cmocka_unit_test(bytes_and_order),
		cmocka_unit_test(plan_dedupes_and_orders),
		cmocka_unit_test(journal_round_trip),
		cmocka_unit_test(domain_xml_edits),
		cmocka_unit_test(domain_through_libvirt),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}

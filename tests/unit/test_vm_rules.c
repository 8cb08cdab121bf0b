/* The VM rules on parsed domains: where vCPUs get pinned on the host there
 * is, and the fix actions for libvirt-managed domains, checked against the
 * XPath grammar of docs/JSON.md and against the parsed document itself. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <libxml/parser.h>
#include <libxml/xpath.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "parse/domain_xml.h"
#include "rules/rules.h"

/* A KVM host of NCPUS online CPUs; CPU i is on node i / PER_NODE and its
 * core is i % CORES (CORES < NCPUS: SMT siblings). */
static void host(struct facts *f, int ncpus, int per_node, int cores)
{
	memset(f, 0, sizeof(*f));
	f->nodes = (ncpus + per_node - 1) / per_node;
	strcpy(f->arch, "x86");
	f->platform.role = ROLE_BARE_METAL;
	f->platform.kvm_host = true;
	f->virt.halt_poll_ns = -1;
	f->ncpus = (size_t)ncpus;
	f->cpus = calloc((size_t)ncpus, sizeof(*f->cpus));
	assert_non_null(f->cpus);
	for (int i = 0; i < ncpus; i++) {
		f->cpus[i].id = i;
		f->cpus[i].online = true;
		f->cpus[i].node = i / per_node;
		f->cpus[i].package = i / per_node;
		f->cpus[i].core = i % cores;
		f->cpus[i].policy = -1;
		assert_int_equal(cpuset_add(&f->online, i), 0);
	}
}

/* Adds the domain XML as SOURCE of a VM. */
static void domain(struct facts *f, const char *xml, enum vm_source source)
{
	struct domain_xml d;
	char err[256];
	assert_int_equal(domain_xml_parse(xml, strlen(xml), &d, err, sizeof(err)), 0);
	assert_non_null(facts_add_vm_view(f, d.name, d.uuid, source, &d.view, "/etc/libvirt/qemu/x.xml"));
}

static const struct finding *find(const struct findings *fs, const char *id, const char *subject)
{
	for (size_t i = 0; i < fs->count; i++)
		if (!strcmp(fs->items[i].id, id) && !strcmp(fs->items[i].subject, subject))
			return &fs->items[i];
	return NULL;
}

static const struct fix_action *action(const struct finding *x, const char *key)
{
	for (size_t i = 0; x && i < x->nactions; i++)
		if (x->actions[i].key && !strcmp(x->actions[i].key, key))
			return &x->actions[i];
	return NULL;
}

/* The pin a finding's actions give vCPU N, -1 none. */
static int pin(const struct finding *x, int vcpu)
{
	char key[96];
	snprintf(key, sizeof(key), "/domain/cputune/vcpupin[@vcpu='%d']/@cpuset", vcpu);
	const struct fix_action *a = action(x, key);
	return a ? atoi(a->want) : -1;
}

static const char *want(const struct finding *x, const char *key)
{
	const struct fix_action *a = action(x, key);
	return a ? a->want : NULL;
}

static const char *now(const struct finding *x, const char *key)
{
	const struct fix_action *a = action(x, key);
	return a ? a->now : "(no action)";
}

static const char plain[] = "<domain type='kvm'><name>%s</name><vcpu>%d</vcpu>%s</domain>";

static void add_vm(struct facts *f, const char *name, int vcpus, const char *extra)
{
	char xml[2048];
	snprintf(xml, sizeof(xml), plain, name, vcpus, extra);
	domain(f, xml, VM_RUNNING);
}

/* On a 2-CPU host, the old fix said cpuset 2 and 3: CPUs that do not exist. */
static void pins_only_cpus_that_exist(void **state)
{
	(void)state;
	struct facts f;
	struct findings fs = { 0 };

	host(&f, 2, 2, 2);
	add_vm(&f, "two", 2, "");
	add_vm(&f, "one", 1, "");
	rules_run(&f, &fs, "vm.vcpu.pin");
	const struct finding *two = find(&fs, "vm.vcpu.pin", "domain:two");
	const struct finding *one = find(&fs, "vm.vcpu.pin", "domain:one");
	assert_non_null(two);
	assert_non_null(one);
	/* CPU 0 is the host's: one CPU left, for one VM of one vCPU */
	assert_int_equal(two->nactions, 0);
	assert_non_null(strstr(two->fix_persistent, "no pinning of a CPU to each vCPU fits: it has 2 "
						  "vCPUs and 1 CPU is free for them: of 2 online"));
	assert_null(strstr(two->fix_persistent, "cpuset='2'"));
	assert_int_equal(pin(one, 0), 1);
	assert_string_equal(want(one, "/domain/cputune/emulatorpin/@cpuset"), "0");
	for (size_t i = 0; i < one->nactions; i++) {
		assert_int_equal(one->actions[i].kind, FIX_LIBVIRT);
		assert_int_equal(one->actions[i].when, FIX_PERSISTENT);
		assert_int_equal(one->actions[i].needs, NEEDS_ROOT | NEEDS_VM_RESTART);
		assert_string_equal(one->actions[i].target, "one");
	}
	findings_free(&fs);
	facts_free(&f);
}

/* isolcpus: the VMs get the isolated CPUs, on the node their memory is
 * bound to, and no CPU twice; the host keeps the rest. */
static void pins_isolated_cpus_on_the_vms_node(void **state)
{
	(void)state;
	struct facts f;
	struct findings fs = { 0 };

	host(&f, 8, 4, 8);
	assert_int_equal(cmdline_parse("ro isolcpus=managed_irq,domain,2-3,6-7 quiet", &f.cmdline), 0);
	add_vm(&f, "bound1", 2, "<numatune><memory mode='strict' nodeset='1'/></numatune>");
	add_vm(&f, "free0", 2, "");
	add_vm(&f, "late", 1, "");
	rules_run(&f, &fs, "vm.vcpu.pin");
	const struct finding *b = find(&fs, "vm.vcpu.pin", "domain:bound1");
	const struct finding *a = find(&fs, "vm.vcpu.pin", "domain:free0");
	const struct finding *l = find(&fs, "vm.vcpu.pin", "domain:late");
	assert_int_equal(pin(b, 0), 6);
	assert_int_equal(pin(b, 1), 7);
	assert_int_equal(pin(a, 0), 2);
	assert_int_equal(pin(a, 1), 3);
	assert_string_equal(want(b, "/domain/cputune/emulatorpin/@cpuset"), "0-1,4-5");
	assert_non_null(strstr(b->fix_persistent, "on node 1 among those the kernel isolates"));
	assert_int_equal(pin(l, 0), -1);
	assert_non_null(strstr(l->fix_persistent, "no pinning of a CPU to each vCPU fits"));
	findings_free(&fs);
	facts_free(&f);
}

/* CPU 0's SMT sibling is the host's too, and vCPUs get a core each before
 * any gets a sibling; a VM already pinned keeps its CPUs to itself. */
static void pins_a_core_each_before_siblings(void **state)
{
	(void)state;
	struct facts f;
	struct findings fs = { 0 };

	host(&f, 8, 8, 4); /* CPU i and i + 4 share core i */
	add_vm(&f, "pinned", 1, "<cputune><vcpupin vcpu='0' cpuset='2'/></cputune>");
	add_vm(&f, "three", 3, "");
	rules_run(&f, &fs, "vm.vcpu.pin");
	assert_null(find(&fs, "vm.vcpu.pin", "domain:pinned"));
	const struct finding *x = find(&fs, "vm.vcpu.pin", "domain:three");
	assert_int_equal(pin(x, 0), 1);
	assert_int_equal(pin(x, 1), 3);
	assert_int_equal(pin(x, 2), 5); /* then a sibling: 6 is 2's, taken */
	assert_string_equal(want(x, "/domain/cputune/emulatorpin/@cpuset"), "0,4");
	findings_free(&fs);
	facts_free(&f);
}

static const char untuned[] =
	"<domain type='kvm'><name>web01</name><uuid>5f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0</uuid>"
	"<vcpu>1</vcpu><os><type arch='x86_64' machine='pc'>hvm</type></os>"
	"<cpu mode='custom'><model>qemu64</model></cpu>"
	"<clock offset='localtime'><timer name='rtc' tickpolicy='catchup'/></clock>"
	"<devices>"
	"<disk type='file' device='disk'><driver name='qemu' type='qcow2' cache='writeback'/>"
	"<source file='/var/lib/libvirt/images/web01.qcow2'/><target dev='hda' bus='ide'/>"
	"<address type='drive' controller='0' bus='0' target='0' unit='0'/></disk>"
	"<disk type='file' device='cdrom'><target dev='hdc' bus='ide'/></disk>"
	"<interface type='network'><mac address='52:54:00:1a:2b:01'/><source network='default'/>"
	"<model type='e1000'/></interface>"
	"<interface type='network'><mac address='52:54:00:1a:2b:02'/><model type='virtio'/>"
	"<driver name='qemu'/></interface>"
	"<memballoon model='virtio'/></devices></domain>";

/* Whether KEY is in the grammar of docs/JSON.md: '/'-separated steps, each
 * NAME, NAME[@ATTR='V'] or NAME[CHILD/@ATTR='V'], the last maybe @ATTR. */
static bool in_grammar(const char *key)
{
	const char *name = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-";
	const char *p = key;

	if (*p++ != '/')
		return false;
	for (;;) {
		if (*p == '@') {
			size_t n = strspn(p + 1, name);
			return n && !p[1 + n];
		}
		size_t n = strspn(p, name);
		if (!n)
			return false;
		p += n;
		if (*p == '[') {
			p++;
			size_t c = strspn(p, name);
			if (c && p[c] == '/')
				p += c + 1; /* CHILD/ */
			if (*p++ != '@' || !(c = strspn(p, name)))
				return false;
			p += c;
			if (p[0] != '=' || p[1] != '\'')
				return false;
			const char *end = strchr(p + 2, '\'');
			if (!end || end[1] != ']')
				return false;
			p = end + 2;
		}
		if (!*p)
			return true;
		if (*p++ != '/')
			return false;
	}
}

/* libxml2's XPath finds KEY in XML exactly once, with the value NOW. */
static void found_as(const char *xml, const char *key, const char *now)
{
	xmlDocPtr doc = xmlReadMemory(xml, (int)strlen(xml), NULL, NULL, XML_PARSE_NONET);
	xmlXPathContextPtr ctx = xmlXPathNewContext(doc);
	xmlXPathObjectPtr o = xmlXPathEvalExpression((const xmlChar *)key, ctx);
	assert_non_null(o);
	assert_non_null(o->nodesetval);
	assert_int_equal(o->nodesetval->nodeNr, 1);
	xmlChar *v = xmlNodeGetContent(o->nodesetval->nodeTab[0]);
	assert_string_equal((const char *)v, now);
	xmlFree(v);
	xmlXPathFreeObject(o);
	xmlXPathFreeContext(ctx);
	xmlFreeDoc(doc);
}

static void actions_of_an_untuned_domain(void **state)
{
	(void)state;
	struct facts f;
	struct findings fs = { 0 };
	static const char *const dom = "domain:web01";

	host(&f, 4, 4, 4);
	domain(&f, untuned, VM_DEFINED);
	rules_run(&f, &fs, "vm.");

	const struct finding *cpu = find(&fs, "vm.cpu.mode", dom);
	assert_string_equal(want(cpu, "/domain/cpu/@mode"), "host-passthrough");
	assert_string_equal(now(cpu, "/domain/cpu/@mode"), "custom");
	assert_string_equal(want(cpu, "/domain/cpu/model"), ""); /* "" removes it */
	assert_null(strstr(cpu->fix_persistent, "migratable='off'"));

	const struct finding *bus = find(&fs, "vm.disk.bus", dom);
	assert_string_equal(want(bus, "/domain/devices/disk[target/@dev='hda']/target/@bus"), "virtio");
	assert_string_equal(now(bus, "/domain/devices/disk[target/@dev='hda']/target/@bus"), "ide");
	assert_string_equal(want(bus, "/domain/devices/disk[target/@dev='hda']/address"), "");
	assert_null(action(bus, "/domain/devices/disk[target/@dev='hdc']/target/@bus")); /* a CD-ROM */
	assert_non_null(strstr(bus->fix_runtime, "before the change: the guest's initramfs must carry "
						 "virtio_blk"));

	/* cache and io change; the image's own type, qcow2, is kept */
	const struct finding *cache = find(&fs, "vm.disk.cache", dom);
	assert_string_equal(want(cache, "/domain/devices/disk[target/@dev='hda']/driver/@cache"), "none");
	assert_string_equal(now(cache, "/domain/devices/disk[target/@dev='hda']/driver/@cache"), "writeback");
	assert_string_equal(want(cache, "/domain/devices/disk[target/@dev='hda']/driver/@io"), "native");
	assert_null(now(cache, "/domain/devices/disk[target/@dev='hda']/driver/@io"));
	assert_non_null(strstr(cache->fix_persistent, "type='qcow2' cache='none' io='native'"));
	for (size_t i = 0; i < cache->nactions; i++)
		assert_null(strstr(cache->actions[i].key, "@type"));

	const struct finding *nic = find(&fs, "vm.nic.model", dom);
	assert_string_equal(want(nic, "/domain/devices/interface[mac/@address='52:54:00:1a:2b:01']/model/@type"),
			    "virtio");
	assert_int_equal(nic->nactions, 1);
	const struct finding *vhost = find(&fs, "vm.nic.vhost", dom);
	assert_string_equal(want(vhost, "/domain/devices/interface[mac/@address='52:54:00:1a:2b:02']/driver/@name"),
			    "vhost");

	assert_string_equal(want(find(&fs, "vm.balloon", dom), "/domain/devices/memballoon/@model"), "none");
	/* the timer goes into the <clock> there is: its localtime offset stays */
	const struct finding *hpet = find(&fs, "vm.hpet", dom);
	assert_string_equal(want(hpet, "/domain/clock/timer[@name='hpet']/@present"), "no");
	assert_int_equal(hpet->nactions, 1);
	assert_string_equal(want(find(&fs, "vm.hugepages", dom), "/domain/memoryBacking/hugepages/page/@size"),
			    "2048");
	assert_non_null(strstr(find(&fs, "vm.hugepages", dom)->fix_runtime, "does not start"));
	assert_string_equal(want(find(&fs, "vm.vcpu.pin", dom), "/domain/cputune/vcpupin[@vcpu='0']/@cpuset"),
			    "1");

	/* every key is in the grammar, and libxml2 finds each one that has a
	 * value now, with that value, in the document parsed */
	size_t checked = 0;
	for (size_t i = 0; i < fs.count; i++)
		for (size_t j = 0; j < fs.items[i].nactions; j++) {
			const struct fix_action *a = &fs.items[i].actions[j];
			assert_true(in_grammar(a->key));
			if (a->now) {
				found_as(untuned, a->key, a->now);
				checked++;
			}
		}
	assert_true(checked >= 6);
	findings_free(&fs);
	facts_free(&f);
}

/* CloudStack and OpenStack rebuild the XML at every start: no virsh edit,
 * no actions; CloudStack's details in one call, every key in details[0]. */
static void managed_domains_get_their_platforms_way(void **state)
{
	(void)state;
	struct facts f;
	struct findings fs = { 0 };

	host(&f, 4, 4, 4);
	strcpy(f.virt.manager, "cloudstack");
	domain(&f, untuned, VM_RUNNING);
	rules_run(&f, &fs, "vm.");
	for (size_t i = 0; i < fs.count; i++) {
		assert_int_equal(fs.items[i].nactions, 0);
		assert_true(!fs.items[i].fix_persistent || !strstr(fs.items[i].fix_persistent, "virsh edit"));
	}
	const char *call = "cmk update virtualmachine id=5f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0 "
			   "details[0].rootDiskController=virtio details[0].nicAdapter=virtio, and in "
			   "the same call every detail it has now";
	assert_non_null(strstr(find(&fs, "vm.disk.bus", "domain:web01")->fix_persistent, call));
	assert_non_null(strstr(find(&fs, "vm.nic.model", "domain:web01")->fix_persistent, call));
	findings_free(&fs);
	facts_free(&f);

	host(&f, 4, 4, 4);
	strcpy(f.virt.manager, "openstack");
	domain(&f, untuned, VM_RUNNING);
	rules_run(&f, &fs, "vm.");
	const struct finding *bus = find(&fs, "vm.disk.bus", "domain:web01");
	assert_int_equal(bus->nactions, 0);
	assert_non_null(strstr(bus->fix_persistent, "OpenStack: openstack image set IMAGE --property "
						     "hw_disk_bus=virtio"));
	assert_non_null(strstr(bus->fix_persistent, "only through a rebuild"));
	assert_null(strstr(bus->fix_persistent, "virsh edit"));
	findings_free(&fs);
	facts_free(&f);
}

/* Inside a CloudStack guest with an emulated disk and NIC: both findings
 * give the same one call, with both keys. */
static void cloudstack_guest_gets_one_call(void **state)
{
	(void)state;
	struct facts f;
	struct findings fs = { 0 };
	struct guest_device disk = { .name = "sda", .driver = "ata_piix" };
	struct guest_device nic = { .name = "ens3", .driver = "e1000" };

	host(&f, 2, 2, 2);
	f.platform.role = ROLE_GUEST;
	f.platform.kvm_host = false;
	strcpy(f.platform.cloud, "cloudstack");
	f.guest.disks = malloc(sizeof(disk));
	f.guest.nics = malloc(sizeof(nic));
	assert_non_null(f.guest.disks);
	assert_non_null(f.guest.nics);
	*f.guest.disks = disk;
	*f.guest.nics = nic;
	f.guest.ndisks = f.guest.nnics = 1;
	rules_run(&f, &fs, "guest.");
	const char *call = "details[0].rootDiskController=virtio details[0].nicAdapter=virtio, and "
			   "in the same call";
	assert_non_null(strstr(find(&fs, "guest.disk.driver", "disk:sda")->fix_persistent, call));
	assert_non_null(strstr(find(&fs, "guest.nic.driver", "nic:ens3")->fix_persistent, call));
	assert_null(strstr(find(&fs, "guest.nic.driver", "nic:ens3")->fix_persistent, "virsh edit"));
	findings_free(&fs);
	facts_free(&f);
}

/* A domain that runs another config than it defines: restart it, and wait
 * for "shut off" between shutdown and start. */
static void pending_config_restarts(void **state)
{
	(void)state;
	struct facts f;
	struct findings fs = { 0 };

	host(&f, 4, 4, 4);
	add_vm(&f, "db 01", 1, "<cpu mode='host-passthrough'/>");
	char xml[512];
	snprintf(xml, sizeof(xml), plain, "db 01", 1, "");
	domain(&f, xml, VM_DEFINED);
	rules_run(&f, &fs, "vm.config.pending");
	const struct finding *x = find(&fs, "vm.config.pending", "domain:db 01");
	assert_non_null(x);
	assert_int_equal(x->nactions, 1);
	assert_null(x->actions[0].key);
	assert_string_equal(x->actions[0].want, "restart");
	assert_int_equal(x->actions[0].needs, NEEDS_ROOT | NEEDS_VM_RESTART);
	assert_string_equal(x->fix_runtime,
			    "virsh shutdown 'db 01'; for i in $(seq 150); do [ \"$(virsh domstate 'db "
			    "01')\" = \"shut off\" ] && break; sleep 2; done; virsh start 'db 01' (a "
			    "reboot from inside the guest keeps the running config)");
	findings_free(&fs);
	facts_free(&f);
}

/* A hostile name or MAC must not change what a key addresses. */
static void hostile_names_make_no_keys(void **state)
{
	(void)state;
	struct facts f;
	struct findings fs = { 0 };

	host(&f, 4, 4, 4);
	add_vm(&f, "evil", 1, "<devices><disk device='disk'><target dev=\"x']/../..\" bus='ide'/></disk>"
			      "<interface type='network'><mac address=\"a'b\"/><model type='e1000'/>"
			      "</interface></devices>");
	rules_run(&f, &fs, "vm.");
	for (size_t i = 0; i < fs.count; i++)
		for (size_t j = 0; j < fs.items[i].nactions; j++)
			assert_true(in_grammar(fs.items[i].actions[j].key));
	assert_int_equal(find(&fs, "vm.disk.bus", "domain:evil")->nactions, 0);
	assert_int_equal(find(&fs, "vm.nic.model", "domain:evil")->nactions, 0);
	findings_free(&fs);
	facts_free(&f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(pins_only_cpus_that_exist),
		cmocka_unit_test(pins_isolated_cpus_on_the_vms_node),
		cmocka_unit_test(pins_a_core_each_before_siblings),
		cmocka_unit_test(actions_of_an_untuned_domain),
		cmocka_unit_test(managed_domains_get_their_platforms_way),
		cmocka_unit_test(cloudstack_guest_gets_one_call),
		cmocka_unit_test(pending_config_restarts),
		cmocka_unit_test(hostile_names_make_no_keys),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "parse/domain_xml.h"

static int parse(const char *xml, struct domain_xml *d, char *err)
{
	return domain_xml_parse(xml, strlen(xml), d, err, 256);
}

static void reads_a_tuned_domain(void **state)
{
	(void)state;
	struct domain_xml d;
	char err[256];
	assert_int_equal(parse("<domain type='kvm'><name>db</name><uuid>u-1</uuid>"
			       "<vcpu cpuset='0-7,^3'>3</vcpu><iothreads>2</iothreads>"
			       "<cputune><vcpupin vcpu='0' cpuset='4'/><vcpupin vcpu='1' cpuset='5-6'/>"
			       "<vcpupin vcpu='1' cpuset='7'/><vcpupin vcpu='9' cpuset='1'/>"
			       "<emulatorpin cpuset='0'/><iothreadpin iothread='1' cpuset='0'/></cputune>"
			       "<memoryBacking><hugepages/><locked/></memoryBacking>"
			       "<numatune><memory nodeset='1'/></numatune>"
			       "<os><type arch='x86_64' machine='pc-q35-8.0'>hvm</type></os>"
			       "<cpu mode='host-passthrough'><model>ignored</model></cpu>"
			       "<clock><timer name='hpet' present='no'/></clock>"
			       "<devices><memballoon model='none'/></devices></domain>", &d, err), 0);
	assert_string_equal(d.name, "db");
	assert_string_equal(d.uuid, "u-1");
	assert_false(d.status);
	const struct vm_view *v = &d.view;
	assert_string_equal(v->type, "kvm");
	assert_string_equal(v->machine, "pc-q35-8.0");
	assert_string_equal(v->cpu_mode, "host-passthrough");
	assert_string_equal(v->cpu_model, ""); /* a model only counts for custom */
	assert_int_equal(v->vcpus, 3);
	/* a second pin of one vCPU and a pin of a vCPU it has not are no pins */
	assert_int_equal(v->vcpus_pinned, 2);
	assert_true(cpuset_has(&v->pinned_cpus, 4) && cpuset_has(&v->pinned_cpus, 7));
	assert_int_equal(cpuset_count(&v->pinned_cpus), 4);
	/* libvirt's "^N" takes a CPU out again */
	assert_int_equal(cpuset_count(&v->vcpu_cpuset), 7);
	assert_false(cpuset_has(&v->vcpu_cpuset, 3));
	assert_true(v->emulator_pinned);
	assert_int_equal(v->iothreads, 2);
	assert_int_equal(v->iothreads_pinned, 1);
	assert_true(v->hugepages && v->locked && !v->nosharepages);
	assert_string_equal(v->numa_mode, "strict"); /* libvirt's default mode */
	assert_true(cpuset_has(&v->numa_nodes, 1));
	assert_int_equal(v->hpet, 0);
	assert_string_equal(v->memballoon, "none");
	vm_view_free(&d.view);
}

static void applies_libvirt_defaults(void **state)
{
	(void)state;
	struct domain_xml d;
	char err[256];
	assert_int_equal(parse("<domain type='kvm'><name>web</name><vcpu>2</vcpu>"
			       "<os><type arch='x86_64'>hvm</type></os><devices>"
			       "<controller type='scsi' index='0'/>"
			       "<controller type='scsi' index='1' model='virtio-scsi'><driver iothread='1'/></controller>"
			       "<disk device='disk'><target dev='hda'/></disk>"
			       "<disk device='disk'><target dev='sda'/></disk>"
			       "<disk device='disk'><target dev='sdb' bus='scsi'/><address type='drive' controller='1'/></disk>"
			       "<disk device='cdrom'><target dev='vdz'/><driver cache='writeback' io='threads'/></disk>"
			       "<interface type='network'><mac address='52:54:00:00:00:01'/></interface>"
			       "<interface type='bridge'><model type='virtio'/><driver name='qemu'/></interface>"
			       "<interface type='hostdev'><model type='rtl8139'/></interface>"
			       "</devices></domain>", &d, err), 0);
	const struct vm_view *v = &d.view;
	/* no <cpu>: custom, with the hypervisor's default model */
	assert_string_equal(v->cpu_mode, "custom");
	assert_string_equal(v->cpu_model, "");
	assert_int_equal(v->hpet, -1);
	assert_int_equal(v->ndisks, 4);
	assert_string_equal(v->disks[0].bus, "ide"); /* from the name, as libvirt does */
	assert_string_equal(v->disks[1].bus, "scsi");
	assert_string_equal(v->disks[1].controller, "lsilogic"); /* x86's default model */
	assert_false(v->disks[1].iothread);
	assert_string_equal(v->disks[2].controller, "virtio-scsi");
	assert_true(v->disks[2].iothread); /* the controller's I/O thread */
	assert_string_equal(v->disks[3].bus, "virtio");
	assert_string_equal(v->disks[3].device, "cdrom");
	assert_string_equal(v->disks[3].cache, "writeback");
	assert_string_equal(v->disks[3].io, "threads");
	assert_int_equal(v->nnics, 3);
	assert_string_equal(v->nics[0].model, "rtl8139");
	assert_true(v->nics[0].model_default);
	assert_string_equal(v->nics[0].id, "52:54:00:00:00:01");
	assert_string_equal(v->nics[1].backend, "qemu");
	assert_string_equal(v->nics[2].model, ""); /* passthrough: no model */
	vm_view_free(&d.view);

	/* off x86 the defaults are virtio */
	assert_int_equal(parse("<domain type='kvm'><name>arm</name><os><type arch='aarch64'/></os>"
			       "<devices><disk><target dev='sda'/></disk><interface type='user'/></devices>"
			       "</domain>", &d, err), 0);
	assert_int_equal(d.view.vcpus, 1);
	assert_string_equal(d.view.disks[0].controller, "virtio-scsi");
	assert_string_equal(d.view.nics[0].model, "virtio");
	vm_view_free(&d.view);
}

static void reads_domstatus(void **state)
{
	(void)state;
	struct domain_xml d;
	char err[256];
	assert_int_equal(parse("<domstatus state='running' pid='4242'><taint flag='x'/>"
			       "<domain type='kvm' id='3'><name>run</name></domain></domstatus>", &d, err), 0);
	assert_true(d.status);
	assert_int_equal(d.view.pid, 4242);
	assert_string_equal(d.name, "run");
	vm_view_free(&d.view);
}

static void refuses_what_is_not_a_domain(void **state)
{
	(void)state;
	struct domain_xml d;
	char err[256];
	assert_int_equal(parse("<disk type='file'><target dev='vda'/></disk>", &d, err), -EINVAL);
	assert_string_equal(err, "not a domain: the document is a <disk>, not a <domain>");
	assert_int_equal(parse("<domstatus pid='1'/>", &d, err), -EINVAL);
	assert_string_equal(err, "a <domstatus> with no <domain> in it");
	assert_int_equal(parse("<domain><name>a</name>", &d, err), -EINVAL);
	assert_non_null(strstr(err, "not well-formed XML: line 1: "));
	assert_int_equal(parse("<domain/><domain/>", &d, err), -EINVAL);
	assert_non_null(strstr(err, "Extra content"));
	assert_int_equal(parse("", &d, err), -EINVAL);
	assert_int_equal(parse("<!DOCTYPE domain [<!ENTITY x \"y\">]><domain><name>&x;</name></domain>",
			       &d, err), -EINVAL);
	assert_non_null(strstr(err, "DOCTYPE or entity declaration"));
	assert_int_equal(parse("<domain type='kvm'/>", &d, err), -EINVAL);
	assert_string_equal(err, "a <domain> with neither <name> nor <uuid>");
	/* a NUL inside the document is not the end of it */
	assert_int_equal(domain_xml_parse("<domain><name>a</name>\0</domain>", 31, &d, err, 256), -EINVAL);
}

/* ASCII TEXT as UTF-16LE with a byte order mark, into BUF; its length. */
static size_t utf16le(const char *text, char *buf, size_t bufsz)
{
	size_t n = 0;
	buf[n++] = (char)0xff;
	buf[n++] = (char)0xfe;
	for (const char *p = text; *p && n + 2 <= bufsz; p++) {
		buf[n++] = *p;
		buf[n++] = 0;
	}
	return n;
}

/* The DTD is refused by what libxml2 parsed, in any encoding: a UTF-16
 * document hid its DOCTYPE from a byte search, and its entities were
 * expanded into the names and numbers read. */
static void refuses_a_dtd_in_any_encoding(void **state)
{
	(void)state;
	struct domain_xml d;
	char err[256], buf[1024];
	size_t n = utf16le("<?xml version='1.0' encoding='UTF-16'?>\n"
			   "<!DOCTYPE domain [<!ENTITY x 'LEAKED'>]>\n"
			   "<domain type='kvm'><name>a&x;</name></domain>", buf, sizeof(buf));
	assert_int_equal(domain_xml_parse(buf, n, &d, err, sizeof(err)), -EINVAL);
	assert_string_equal(err, "has a DOCTYPE or entity declaration, which no libvirt document "
				 "has; not read");
	assert_null(strstr(d.name, "LEAKED"));
	n = utf16le("<!DOCTYPE domain SYSTEM 'file:///etc/shadow'><domain><name>b</name></domain>", buf,
		    sizeof(buf));
	assert_int_equal(domain_xml_parse(buf, n, &d, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "DOCTYPE"));
	/* the same document without its DTD is read, in UTF-16 too */
	n = utf16le("<?xml version='1.0' encoding='UTF-16'?>\n<domain type='kvm'><name>a&amp;b</name>"
		    "<vcpu><![CDATA[3]]></vcpu></domain>", buf, sizeof(buf));
	assert_int_equal(domain_xml_parse(buf, n, &d, err, sizeof(err)), 0);
	assert_string_equal(d.name, "a&b");
	assert_int_equal(d.view.vcpus, 3);
	vm_view_free(&d.view);
	/* an entity no DTD declares is an error, never text */
	assert_int_equal(parse("<domain><name>a&x;</name></domain>", &d, err), -EINVAL);
	assert_non_null(strstr(err, "not well-formed XML"));
}

/* libxml2's later lines quote the document's bytes, a password's maybe */
static void quotes_no_bytes_of_a_bad_document(void **state)
{
	(void)state;
	struct domain_xml d;
	char err[256];
	assert_int_equal(parse("<domain><name>a</name><devices><graphics type='vnc' passwd='s\xe9" "cr\xe9" "t'/>"
			       "</devices></domain>", &d, err), -EINVAL);
	assert_non_null(strstr(err, "not well-formed XML: line 1: "));
	assert_null(strstr(err, "Bytes"));
	assert_null(strstr(err, "0x"));
	assert_null(strchr(err, '\n'));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(reads_a_tuned_domain),
		cmocka_unit_test(applies_libvirt_defaults),
		cmocka_unit_test(reads_domstatus),
		cmocka_unit_test(refuses_what_is_not_a_domain),
		cmocka_unit_test(refuses_a_dtd_in_any_encoding),
		cmocka_unit_test(quotes_no_bytes_of_a_bad_document),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

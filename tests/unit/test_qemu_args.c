#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "parse/qemu_args.h"

/* ARGS as one string with '|' between words, the way /proc holds them with
 * NULs. */
static int parse(const char *args, struct qemu_args *q, char *err)
{
	char buf[4096];
	size_t len = strlen(args);
	memcpy(buf, args, len + 1);
	for (size_t i = 0; i < len; i++)
		if (buf[i] == '|')
			buf[i] = '\0';
	return qemu_args_parse(buf, len + 1, q, err, 256);
}

static void knows_qemu(void **state)
{
	(void)state;
	assert_true(qemu_is_binary("/usr/bin/qemu-system-x86_64"));
	assert_true(qemu_is_binary("qemu-kvm"));
	assert_true(qemu_is_binary("/usr/bin/kvm"));
	assert_false(qemu_is_binary("/usr/bin/kvmtool"));
	assert_false(qemu_is_binary("/usr/bin/qemu-img"));
}

static void reads_keyval_options(void **state)
{
	(void)state;
	struct qemu_args q;
	char err[256];
	assert_int_equal(parse("/usr/bin/kvm|-id|100|-name|vm100,debug-threads=on|-daemonize|"
			       "-smp|4,sockets=1,cores=4|-cpu|kvm64,enforce,+kvm_pv_eoi|-no-hpet|"
			       "-machine|type=pc+pve0|-accel|kvm|-device|lsi,id=scsihw0|"
			       "-drive|file=/dev/x,if=none,id=drive-scsi0|"
			       "-device|scsi-hd,bus=scsihw0.0,drive=drive-scsi0,id=scsi0|"
			       "-netdev|type=tap,id=net0,vhost=on|-device|virtio-net-pci,netdev=net0,id=net0|"
			       "-netdev|type=tap,id=net1|-device|e1000,netdev=net1,id=net1|"
			       "-device|virtio-balloon-pci,id=balloon0|-mem-path|/dev/hugepages|"
			       "-uuid|7d3c1b2a-9f8e", &q, err), 0);
	const struct vm_view *v = &q.view;
	assert_string_equal(q.name, "vm100");
	assert_string_equal(q.uuid, "7d3c1b2a-9f8e");
	assert_string_equal(v->type, "kvm");
	assert_string_equal(v->arch, ""); /* /usr/bin/kvm: the host's */
	assert_int_equal(v->vcpus, 4);
	assert_string_equal(v->cpu_mode, "custom");
	assert_string_equal(v->cpu_model, "kvm64");
	assert_int_equal(v->hpet, 0);
	assert_true(v->hugepages);
	assert_string_equal(v->memballoon, "virtio");
	assert_int_equal(v->ndisks, 1); /* if=none is a backend, not a disk */
	assert_string_equal(v->disks[0].bus, "scsi");
	assert_string_equal(v->disks[0].controller, "lsilogic");
	assert_int_equal(v->nnics, 2);
	assert_string_equal(v->nics[0].model, "virtio");
	assert_string_equal(v->nics[0].backend, "vhost");
	assert_string_equal(v->nics[1].model, "e1000");
	assert_string_equal(v->nics[1].backend, "qemu"); /* tap without vhost=on */
	vm_view_free(&q.view);
}

static void reads_json_options(void **state)
{
	(void)state;
	struct qemu_args q;
	char err[256];
	assert_int_equal(parse("/usr/bin/qemu-system-x86_64|-name|guest=a,,b,debug-threads=on|"
			       "-machine|pc-q35-8.0,hpet=off|-accel|tcg|-cpu|host,migratable=on|"
			       "-object|{\"qom-type\":\"iothread\",\"id\":\"io1\"}|"
			       "-object|{\"qom-type\":\"memory-backend-memfd\",\"id\":\"m\",\"hugetlb\":true}|"
			       "-overcommit|mem-lock=on|"
			       "-device|{\"driver\":\"virtio-blk-pci\",\"iothread\":\"io1\",\"id\":\"d0\"}|"
			       "-device|{\"driver\":\"ide-cd\",\"bus\":\"ide.2\",\"id\":\"cd0\"}|"
			       "-device|{\"driver\":\"ahci\",\"id\":\"sata0\"}|"
			       "-device|{\"driver\":\"ide-hd\",\"bus\":\"sata0.0\",\"id\":\"s0\"}|"
			       "-drive|file=x.img,if=ide|-drive|file=fw.fd,if=pflash|"
			       "-net|nic,model=rtl8139|-net|user", &q, err), 0);
	const struct vm_view *v = &q.view;
	assert_string_equal(q.name, "a,b"); /* ",," is a comma */
	assert_string_equal(v->arch, "x86_64");
	assert_string_equal(v->type, "qemu");
	assert_string_equal(v->cpu_mode, "host-passthrough");
	assert_int_equal(v->hpet, 0);
	assert_int_equal(v->iothreads, 1);
	assert_true(v->hugepages && v->locked);
	assert_int_equal(v->ndisks, 4);
	assert_string_equal(v->disks[0].bus, "virtio");
	assert_true(v->disks[0].iothread);
	/* q35's built-in IDE buses are AHCI */
	assert_string_equal(v->disks[1].bus, "sata");
	assert_string_equal(v->disks[1].device, "cdrom");
	assert_string_equal(v->disks[2].bus, "sata");
	assert_string_equal(v->disks[3].bus, "sata"); /* -drive if=ide on q35 */
	assert_int_equal(v->nnics, 1);
	assert_string_equal(v->nics[0].model, "rtl8139");
	vm_view_free(&q.view);
}

static void refuses_bad_command_lines(void **state)
{
	(void)state;
	struct qemu_args q;
	char err[256];
	assert_int_equal(parse("/bin/bash|-c|true", &q, err), -EINVAL);
	assert_string_equal(err, "not a QEMU command line");
	assert_int_equal(parse("qemu-system-x86_64|-cpu", &q, err), -EINVAL);
	assert_string_equal(err, "'-cpu' has no value");
	assert_int_equal(parse("qemu-system-x86_64|-device|{\"driver\":", &q, err), -EINVAL);
	assert_non_null(strstr(err, "-device: its JSON value is malformed"));
	assert_int_equal(parse("qemu-system-x86_64|-device|[1,2]", &q, err), 0);
	vm_view_free(&q.view);
	assert_int_equal(qemu_args_parse("qemu-kvm", 8, &q, err, sizeof(err)), -EINVAL);
	/* no -cpu: custom with the default model; no accel: TCG */
	assert_int_equal(parse("qemu-system-aarch64|-S|-nographic", &q, err), 0);
	assert_string_equal(q.view.cpu_mode, "custom");
	assert_string_equal(q.view.cpu_model, "");
	assert_string_equal(q.view.type, "qemu");
	assert_int_equal(q.view.vcpus, 1);
	vm_view_free(&q.view);
}

/* Any local user can start a process called qemu-system-x86 with these:
 * a JSON null (or a nested value) is "not given", never a crash. */
static void reads_json_null_and_nested_members(void **state)
{
	(void)state;
	struct qemu_args q;
	char err[256];
	assert_int_equal(parse("qemu-system-x86_64|-accel|kvm|-device|{\"driver\":null}|"
			       "-netdev|{\"type\":null,\"id\":null}|-object|{\"qom-type\":null}|"
			       "-device|{\"driver\":\"e1000\",\"id\":\"n1\",\"romfile\":null,"
			       "\"netdev\":\"h1\",\"x\":{\"y\":null},\"z\":[null]}|"
			       "-netdev|{\"type\":\"tap\",\"id\":\"h1\",\"vhost\":null}", &q, err), 0);
	assert_int_equal(q.view.nnics, 1);
	assert_string_equal(q.view.nics[0].id, "n1");
	assert_string_equal(q.view.nics[0].model, "e1000");
	assert_string_equal(q.view.nics[0].backend, "qemu"); /* vhost null: not on */
	assert_int_equal(q.view.iothreads, 0);
	vm_view_free(&q.view);
}

/* A malformed value may be a secret's: the message says what and where,
 * never its bytes. */
static void says_where_not_what(void **state)
{
	(void)state;
	struct qemu_args q;
	char err[256];
	assert_int_equal(parse("qemu-system-x86_64|-accel|kvm|-object|{\"qom-type\":\"secret\",\"id\":"
			       "\"s0\",\"data\":\"SECRETVALUE", &q, err), -EINVAL);
	assert_string_equal(err, "-object: its JSON value is malformed (word 4): it ends at byte 50, "
				 "inside the object");
	assert_int_equal(parse("qemu-system-x86_64|-object|{\"qom-type\":\"secret\",\"data\":SECRETVALUE}",
			       &q, err), -EINVAL);
	assert_string_equal(err, "-object: its JSON value is malformed (word 2): unexpected character "
				 "at byte 28 of 40");
	assert_int_equal(parse("qemu-system-x86_64|-object|{\"data\":\"x\"}SECRETVALUE", &q, err), -EINVAL);
	assert_string_equal(err, "-object: its JSON value is malformed (word 2): more after the object, "
				 "from byte 12 of 23");
	assert_int_equal(parse("qemu-system-x86_64|-device|{\"driver\":\"e1000\"}|-SECRET_pass", &q, err),
			 -EINVAL);
	assert_string_equal(err, "word 3, an option, has no value");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(knows_qemu),
		cmocka_unit_test(reads_keyval_options),
		cmocka_unit_test(reads_json_options),
		cmocka_unit_test(refuses_bad_command_lines),
		cmocka_unit_test(reads_json_null_and_nested_members),
		cmocka_unit_test(says_where_not_what),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

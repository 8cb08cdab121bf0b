#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "parse/passwd.h"
#include "parse/proc_status.h"

/* The buffer holds exactly the text, no NUL after it: a read past LEN is
 * an ASan report. */
static char *exact(const char *text, size_t *len)
{
	*len = strlen(text);
	char *b = malloc(*len ? *len : 1);
	assert_non_null(b);
	memcpy(b, text, *len);
	return b;
}

static void finds_fields(void **state)
{
	(void)state;
	size_t len;
	char out[64];
	char *b = exact("Name:\tCPU 0/KVM\nUid:\t107\t107\t107\t107\nCpus_allowed_list:\t2-3 \n", &len);
	assert_int_equal(proc_status_field(b, len, "Name", out, sizeof(out)), 0);
	assert_string_equal(out, "CPU 0/KVM");
	assert_int_equal(proc_status_field(b, len, "Cpus_allowed_list", out, sizeof(out)), 0);
	assert_string_equal(out, "2-3");
	assert_int_equal(proc_status_field(b, len, "Cpus_allowed", out, sizeof(out)), -ENOENT);
	assert_int_equal(proc_status_field(b, len, "Name", out, 4), -ENAMETOOLONG);
	assert_int_equal(proc_status_uid(b, len), 107);
	free(b);
}

static void stops_at_the_end(void **state)
{
	(void)state;
	size_t len;
	char out[64];
	/* cut right after the key, and cut in the middle of a value */
	char *b = exact("Name:\tCPU 0/KVM\nCpus_allowed_list:", &len);
	assert_int_equal(proc_status_field(b, len, "Cpus_allowed_list", out, sizeof(out)), 0);
	assert_string_equal(out, "");
	assert_int_equal(proc_status_uid(b, len), -1);
	free(b);
	b = exact("Uid:\t10", &len);
	assert_int_equal(proc_status_uid(b, len), 10);
	free(b);
	b = exact("Uid:", &len);
	assert_int_equal(proc_status_uid(b, len), -1);
	free(b);
	b = exact("", &len);
	assert_int_equal(proc_status_field(b, len, "Uid", out, sizeof(out)), -ENOENT);
	free(b);
}

static void refuses_bad_uids(void **state)
{
	(void)state;
	size_t len;
	static const char *const bad[] = { "Uid:\t-1\t0\t0\t0\n", "Uid:\tx\n", "Uid:\t4294967295\n",
					   "Uid:\t99999999999999999999\n", "Uid:\n" };
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		char *b = exact(bad[i], &len);
		assert_int_equal(proc_status_uid(b, len), -1);
		free(b);
	}
}

static void names_uids_from_passwd(void **state)
{
	(void)state;
	size_t len;
	char out[33];
	char *b = exact("root:x:0:0:root:/root:/bin/bash\n# a comment\n::5:5::/:\nbad line\n"
			"libvirt-qemu:x:64055:108:Libvirt Qemu,,,:/var/lib/libvirt:/usr/sbin/nologin\n"
			"x:x:1000x:1:::\nalice:x:1000:1000::/home/alice:/bin/bash", &len);
	assert_int_equal(passwd_name(b, len, 64055, out, sizeof(out)), 0);
	assert_string_equal(out, "libvirt-qemu");
	assert_int_equal(passwd_name(b, len, 0, out, sizeof(out)), 0);
	assert_string_equal(out, "root");
	/* the last line has no newline; "1000x" is not 1000 */
	assert_int_equal(passwd_name(b, len, 1000, out, sizeof(out)), 0);
	assert_string_equal(out, "alice");
	assert_int_equal(passwd_name(b, len, 5, out, sizeof(out)), -ENOENT); /* no name */
	assert_int_equal(passwd_name(b, len, 7, out, sizeof(out)), -ENOENT);
	assert_int_equal(passwd_name(b, len, 64055, out, 4), -ENAMETOOLONG);
	free(b);
	b = exact("alice:x:10", &len); /* cut in the uid */
	assert_int_equal(passwd_name(b, len, 10, out, sizeof(out)), -ENOENT);
	free(b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(finds_fields),
		cmocka_unit_test(stops_at_the_end),
		cmocka_unit_test(refuses_bad_uids),
		cmocka_unit_test(names_uids_from_passwd),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

/* The root layer: links resolved inside the root, never out of it. */
#include <errno.h>
#include <fcntl.h>
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

static char top[256];   /* holds root/ and, beside it, outside */
static char rootdir[300];

static void put(const char *rel, const char *text)
{
	char path[512];
	snprintf(path, sizeof(path), "%s/%s", rootdir, rel);
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

static void link_at(const char *target, const char *rel)
{
	char path[512];
	snprintf(path, sizeof(path), "%s/%s", rootdir, rel);
	assert_int_equal(symlink(target, path), 0);
}

static void dir(const char *rel)
{
	char path[512];
	snprintf(path, sizeof(path), "%s/%s", rootdir, rel);
	assert_int_equal(mkdir(path, 0755), 0);
}

static int setup(void **state)
{
	(void)state;
	char path[512];
	snprintf(top, sizeof(top), "/tmp/latdoc-root-XXXXXX");
	if (!mkdtemp(top))
		return -1;
	snprintf(rootdir, sizeof(rootdir), "%s/root", top);
	mkdir(rootdir, 0755);
	snprintf(path, sizeof(path), "%s/secret", top);
	FILE *f = fopen(path, "w");
	fputs("outside\n", f);
	fclose(f);
	dir("sys");
	dir("sys/devices");
	dir("sys/devices/policy0");
	put("sys/devices/policy0/scaling_governor", "powersave\n");
	dir("sys/cpu0");
	link_at("../devices/policy0", "sys/cpu0/cpufreq");
	link_at("/sys/devices/policy0", "sys/cpu0/absolute");
	link_at("../../../../../../secret", "sys/climb");
	char abs[512];
	snprintf(abs, sizeof(abs), "%s/secret", top);
	link_at(abs, "sys/absolute_out");
	link_at("loop2", "sys/loop1");
	link_at("loop1", "sys/loop2");
	put("secret", "inside\n");
	/* below sys/devices/system/cpu, which the kernel's resolution starts
	 * from: links that leave it must still land inside the root */
	dir("sys/devices/system");
	dir("sys/devices/system/cpu");
	dir("sys/devices/system/cpu/cpu0");
	link_at("/sys/devices/policy0", "sys/devices/system/cpu/cpu0/cpufreq");
	link_at("../../../../../../../secret", "sys/devices/system/cpu/climb");
	link_at("loop", "sys/devices/system/cpu/loop");
	put("sys/spaces", "  value with trailing blanks \t\nsecond line\n");
	snprintf(path, sizeof(path), "%s/sys/binary", rootdir);
	f = fopen(path, "w");
	fwrite("a\0b", 1, 3, f);
	fclose(f);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	char cmd[400];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", top);
	return system(cmd);
}

static void follows_relative_links(void **state)
{
	(void)state;
	const char *err;
	char line[64];
	struct root *r = root_open(rootdir, &err);
	assert_non_null(r);
	assert_false(root_is_live(r));
	assert_int_equal(root_read_line(r, "sys/cpu0/cpufreq/scaling_governor", line, sizeof(line)), 0);
	assert_string_equal(line, "powersave");
	/* an absolute link starts again at the root, not at this machine's / */
	assert_int_equal(root_read_line(r, "sys/cpu0/absolute/scaling_governor", line, sizeof(line)), 0);
	assert_string_equal(line, "powersave");
	root_close(r);
}

static void never_leaves_the_root(void **state)
{
	(void)state;
	const char *err;
	char line[64];
	struct root *r = root_open(rootdir, &err);
	assert_non_null(r);
	/* ".." above the root stays at the root: this reads ROOT/secret */
	assert_int_equal(root_read_line(r, "sys/climb", line, sizeof(line)), 0);
	assert_string_equal(line, "inside");
	assert_int_equal(root_read_line(r, "../../../secret", line, sizeof(line)), 0);
	assert_string_equal(line, "inside");
	/* the absolute target TOP/secret is looked up as ROOT/TOP/secret */
	assert_int_equal(root_read_line(r, "sys/absolute_out", line, sizeof(line)), -ENOENT);
	assert_int_equal(root_read_line(r, "sys/devices/system/cpu/cpu0/cpufreq/scaling_governor", line,
					sizeof(line)), 0);
	assert_string_equal(line, "powersave");
	assert_int_equal(root_read_line(r, "sys/devices/system/cpu/climb", line, sizeof(line)), 0);
	assert_string_equal(line, "inside");
	assert_int_equal(root_read_line(r, "sys/devices/system/cpu/cpu0/../climb", line, sizeof(line)), 0);
	assert_string_equal(line, "inside");
	assert_int_equal(root_read_line(r, "sys/devices/system/cpu/loop", line, sizeof(line)), -ELOOP);
	assert_int_equal(root_read_line(r, "sys/devices/system/cpu/cpu1/online", line, sizeof(line)), -ENOENT);
	root_close(r);
}

static void errors(void **state)
{
	(void)state;
	const char *err;
	char line[64], small[4];
	char *buf;
	size_t len;
	struct root *r = root_open(rootdir, &err);
	assert_non_null(r);
	assert_int_equal(root_read_line(r, "sys/loop1", line, sizeof(line)), -ELOOP);
	assert_int_equal(root_read_line(r, "sys/nosuch", line, sizeof(line)), -ENOENT);
	assert_int_equal(root_read_line(r, "sys/spaces/x", line, sizeof(line)), -ENOTDIR);
	assert_int_equal(root_read(r, "sys/devices", &buf, &len), -EISDIR);
	assert_int_equal(root_read_line(r, "sys/binary", line, sizeof(line)), -EINVAL);
	assert_int_equal(root_read_line(r, "sys/spaces", small, sizeof(small)), -ENAMETOOLONG);
	assert_int_equal(root_read_line(r, "sys/spaces", line, sizeof(line)), 0);
	assert_string_equal(line, "  value with trailing blanks");

	char path[512];
	snprintf(path, sizeof(path), "%s/fifo", rootdir);
	assert_int_equal(mkfifo(path, 0644), 0);
	assert_int_equal(root_read(r, "fifo", &buf, &len), -EINVAL);

	snprintf(path, sizeof(path), "%s/huge", rootdir);
	int fd = open(path, O_WRONLY | O_CREAT, 0644);
	assert_true(fd >= 0);
	assert_int_equal(ftruncate(fd, ROOT_MAX_FILE + 1), 0);
	close(fd);
	assert_int_equal(root_read(r, "huge", &buf, &len), -EFBIG);
	root_close(r);
}

/* ROOT_MAX_FILE bytes are read; one byte more is refused. Both ways of
 * resolving: the kernel's (openat2) and the walk a snapshot records. */
static void size_limit_is_inclusive(void **state)
{
	(void)state;
	const char *err;
	char path[512], *buf;
	size_t len;

	snprintf(path, sizeof(path), "%s/exact", rootdir);
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	assert_true(fd >= 0);
	assert_int_equal(ftruncate(fd, ROOT_MAX_FILE), 0);
	assert_int_equal(pwrite(fd, "end", 3, ROOT_MAX_FILE - 3), 3);
	close(fd);
	snprintf(path, sizeof(path), "%s/over", rootdir);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	assert_true(fd >= 0);
	assert_int_equal(ftruncate(fd, ROOT_MAX_FILE + 1), 0);
	close(fd);

	for (int recording = 0; recording < 2; recording++) {
		struct root *r = root_open(rootdir, &err);
		assert_non_null(r);
		root_record(r, recording);
		assert_int_equal(root_read(r, "exact", &buf, &len), 0);
		assert_int_equal(len, ROOT_MAX_FILE);
		assert_memory_equal(buf + ROOT_MAX_FILE - 3, "end", 3);
		assert_int_equal(buf[len], '\0');
		free(buf);
		assert_int_equal(root_read(r, "over", &buf, &len), -EFBIG);
		root_close(r);
	}
	unlink(path);
	snprintf(path, sizeof(path), "%s/exact", rootdir);
	unlink(path);
}

/* The walk by hand (taken while recording, and where openat2 is refused)
 * keeps links inside the root just as the kernel's resolution does. */
static void the_walk_agrees(void **state)
{
	(void)state;
	const char *err;
	char line[64];
	char *buf;
	size_t len;
	struct root *r = root_open(rootdir, &err);
	assert_non_null(r);
	root_record(r, true);
	assert_int_equal(root_read_line(r, "sys/cpu0/absolute/scaling_governor", line, sizeof(line)), 0);
	assert_string_equal(line, "powersave");
	assert_int_equal(root_read_line(r, "sys/climb", line, sizeof(line)), 0);
	assert_string_equal(line, "inside");
	assert_int_equal(root_read_line(r, "sys/absolute_out", line, sizeof(line)), -ENOENT);
	assert_int_equal(root_read_line(r, "sys/loop1", line, sizeof(line)), -ELOOP);
	assert_int_equal(root_read(r, "sys/devices", &buf, &len), -EISDIR);
	assert_int_equal(root_read(r, "fifo", &buf, &len), -EINVAL);
	root_close(r);

	assert_null(root_open("/nonexistent/latdoc", &err));
	/* a file that is no archive either */
	assert_null(root_open("/etc/hostname", &err));
	assert_true(!strncmp(err, "not a directory, nor a tar archive", 34));
}

/* The first entry of KIND at PATH that R recorded, or NULL. */
static const struct root_entry *find_entry(const struct root *r, enum root_entry_kind kind,
					   const char *path)
{
	size_t count;
	const struct root_entry *e = root_entries(r, &count);
	for (size_t i = 0; i < count; i++)
		if (e[i].kind == kind && !strcmp(e[i].path, path))
			return &e[i];
	return NULL;
}

static unsigned mode_of(const char *rel)
{
	char path[512];
	struct stat st;
	snprintf(path, sizeof(path), "%s/%s", rootdir, rel);
	assert_int_equal(lstat(path, &st), 0);
	return st.st_mode & 07777;
}

static void lists_sorted_and_records(void **state)
{
	(void)state;
	const char *err;
	char **names, line[64];
	size_t n, count;
	struct root *r = root_open(rootdir, &err);
	assert_non_null(r);
	root_record(r, true);
	assert_int_equal(root_list(r, "sys/cpu0", &names, &n), 0);
	assert_int_equal(n, 2);
	assert_string_equal(names[0], "absolute");
	assert_string_equal(names[1], "cpufreq");
	root_free_names(names);
	assert_int_equal(root_read_line(r, "sys/cpu0/cpufreq/scaling_governor", line, sizeof(line)), 0);
	root_record(r, false);

	const struct root_entry *e = root_entries(r, &count);
	/* the directories walked through, with their modes, then the link and
	 * the file as they were met */
	const struct root_entry *dir = find_entry(r, ROOT_DIR, "sys/cpu0");
	const struct root_entry *lnk = find_entry(r, ROOT_LINK, "sys/cpu0/cpufreq");
	const struct root_entry *file = find_entry(r, ROOT_FILE, "sys/devices/policy0/scaling_governor");
	assert_non_null(find_entry(r, ROOT_DIR, "sys/devices/policy0"));
	assert_true(dir < lnk && lnk < file);
	assert_int_equal(dir->mode, mode_of("sys/cpu0"));
	assert_int_equal(file->mode, mode_of("sys/devices/policy0/scaling_governor"));
	assert_string_equal(lnk->data, "../devices/policy0");
	assert_string_equal(file->data, "powersave\n");
	for (size_t i = 0; i < count; i++)
		if (e[i].kind == ROOT_DIR)
			assert_int_equal(e[i].mode, mode_of(e[i].path));
	/* the root itself, by its empty path, with and without the walk */
	for (int recording = 0; recording < 2; recording++) {
		root_record(r, recording);
		assert_int_equal(root_list(r, "", &names, &n), 0);
		assert_true(n >= 1);
		assert_string_equal(names[n - 1], "sys");
		root_free_names(names);
	}
	root_record(r, false);
	assert_int_equal(root_exists(r, "sys/cpu0/cpufreq"), 0);
	assert_int_equal(root_exists(r, "sys/cpu0/nothing"), -ENOENT);
	root_close(r);
}

static void live_root(void **state)
{
	(void)state;
	const char *err;
	char *buf;
	size_t len;
	struct root *r = root_open("/", &err);
	assert_non_null(r);
	assert_true(root_is_live(r));
	/* seq_file hands out whole records: a short read is not the end here,
	 * and the last mappings (vdso after the stack) must be there */
	assert_int_equal(root_read(r, "proc/self/smaps", &buf, &len), 0);
	assert_true(len > 4096);
	assert_non_null(strstr(buf, "[stack]"));
	assert_non_null(strstr(buf, "[vdso]"));
	free(buf);
	root_close(r);
}

static void slurp(const char *abs, char *out, size_t outsz)
{
	FILE *f = fopen(abs, "r");
	assert_non_null(f);
	size_t n = fread(out, 1, outsz - 1, f);
	out[n] = '\0';
	fclose(f);
}

/* The write side resolves like the read side, never follows the last
 * component, and writes only regular files in a dump. Both resolutions:
 * the kernel's, and the walk by hand (taken while recording). */
static void writes_stay_inside(void **state)
{
	(void)state;
	const char *err;
	char path[512], got[128], outside[512];
	struct stat st;

	snprintf(outside, sizeof(outside), "%s/secret", top);
	dir("w");
	link_at("../secret", "w/leaf_link");
	char abs[512];
	snprintf(abs, sizeof(abs), "%s", top);
	link_at(abs, "w/abs_dir"); /* TOP, looked up as ROOT/TOP: not there */
	link_at("../../../../..", "w/climb_dir"); /* the root itself */
	snprintf(path, sizeof(path), "%s/w/fifo", rootdir);
	assert_int_equal(mkfifo(path, 0644), 0);
	for (int recording = 0; recording < 2; recording++) {
		put("w/value", "old\n");
		snprintf(path, sizeof(path), "%s/w/value", rootdir);
		assert_int_equal(chmod(path, 0444), 0);
		struct root *r = root_open(rootdir, &err);
		assert_non_null(r);
		root_record(r, recording);
		assert_int_equal(root_write_attr(r, "w/value", "new\n", 4), 0);
		slurp(path, got, sizeof(got));
		assert_string_equal(got, "new\n");
		assert_int_equal(stat(path, &st), 0);
		assert_int_equal(st.st_mode & 07777, 0444); /* kept */
		/* a link as the last component is refused, wherever it points */
		assert_int_equal(root_write_attr(r, "w/leaf_link", "x\n", 2), -ELOOP);
		assert_int_equal(root_put_file(r, "w/leaf_link", "x\n", 2, 0644, true), -ELOOP);
		slurp(outside, got, sizeof(got));
		assert_string_equal(got, "outside\n");
		/* links on the way stay inside the root */
		assert_int_equal(root_write_attr(r, "w/abs_dir/secret", "x\n", 2), -ENOENT);
		assert_int_equal(root_write_attr(r, "w/climb_dir/secret", "in\n", 3), 0);
		slurp(outside, got, sizeof(got));
		assert_string_equal(got, "outside\n");
		put("secret", "inside\n");
		assert_int_equal(root_write_attr(r, "w/fifo", "x", 1), -EINVAL);
		assert_int_equal(root_write_attr(r, "w", "x", 1), -EISDIR);
		assert_int_equal(root_write_attr(r, "w/none", "x", 1), -ENOENT);
		assert_int_equal(root_write_attr(r, "w/..", "x", 1), -EINVAL);

		/* whole files: created with a mode, replaced keeping theirs */
		assert_int_equal(root_put_file(r, "w/conf", "a\n", 2, 0640, true), 0);
		snprintf(path, sizeof(path), "%s/w/conf", rootdir);
		assert_int_equal(stat(path, &st), 0);
		assert_int_equal(st.st_mode & 07777, 0640);
		assert_int_equal(chmod(path, 0600), 0);
		assert_int_equal(root_put_file(r, "w/conf", "bb\n", 3, 0644, true), 0);
		assert_int_equal(stat(path, &st), 0);
		assert_int_equal(st.st_mode & 07777, 0600);
		assert_int_equal(root_put_file(r, "w/conf", "bb\n", 3, 0644, false), 0);
		assert_int_equal(stat(path, &st), 0);
		assert_int_equal(st.st_mode & 07777, 0644);
		slurp(path, got, sizeof(got));
		assert_string_equal(got, "bb\n");

		/* links, directories, removal */
		assert_int_equal(root_make_link(r, "w/made", "/etc/x"), 0);
		assert_int_equal(root_make_link(r, "w/made", "/etc/y"), -EEXIST);
		assert_int_equal(root_readlink(r, "w/made", got, sizeof(got)), 0);
		assert_string_equal(got, "/etc/x");
		assert_int_equal(root_lstat(r, "w/made", &st), 0);
		assert_true(S_ISLNK(st.st_mode));
		assert_int_equal(root_remove(r, "w/made"), 0);
		assert_int_equal(root_lstat(r, "w/made", &st), -ENOENT);
		assert_int_equal(root_make_dir(r, "w/d", 0755), 0);
		assert_int_equal(root_put_file(r, "w/d/f", "", 0, 0644, true), 0);
		assert_int_equal(root_remove_dir(r, "w/d"), -ENOTEMPTY);
		assert_int_equal(root_remove(r, "w/d"), -EISDIR);
		assert_int_equal(root_remove(r, "w/d/f"), 0);
		assert_int_equal(root_remove_dir(r, "w/d"), 0);
		assert_int_equal(root_remove(r, "w/conf"), 0);

		/* appending: new only when asked, never through a link */
		int fd = root_open_append(r, "w/log", 0600, true, true);
		assert_true(fd >= 0);
		assert_int_equal(write(fd, "1\n", 2), 2);
		close(fd);
		assert_int_equal(root_open_append(r, "w/log", 0600, true, true), -EEXIST);
		fd = root_open_append(r, "w/log", 0600, false, false);
		assert_true(fd >= 0);
		assert_int_equal(write(fd, "2\n", 2), 2);
		close(fd);
		snprintf(path, sizeof(path), "%s/w/log", rootdir);
		slurp(path, got, sizeof(got));
		assert_string_equal(got, "1\n2\n");
		assert_int_equal(root_open_append(r, "w/leaf_link", 0600, true, false), -ELOOP);
		assert_int_equal(root_remove(r, "w/log"), 0);
		/* no temporary file is left behind */
		char **names;
		size_t n;
		assert_int_equal(root_list(r, "w", &names, &n), 0);
		for (size_t i = 0; i < n; i++)
			assert_null(strstr(names[i], ".latdoc-"));
		root_free_names(names);
		root_close(r);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(follows_relative_links),
		cmocka_unit_test(never_leaves_the_root),
		cmocka_unit_test(errors),
		cmocka_unit_test(size_limit_is_inclusive),
		cmocka_unit_test(the_walk_agrees),
		cmocka_unit_test(lists_sorted_and_records),
		cmocka_unit_test(live_root),
		cmocka_unit_test(writes_stay_inside),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}

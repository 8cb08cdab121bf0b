/* Writes a hostile dump under DIR: NCPUS CPUs whose files are symbolic
 * link loops (issue 11: 8,192 such CPUs once cost 576 s, 995 MB and 218 MB
 * of JSON). Made here rather than committed: it is 8,192 links.
 *
 *   mkdump_loops DIR NCPUS cpus        each cpuN is a link to itself, so
 *                                      every per-CPU file is a loop
 *   mkdump_loops DIR NCPUS states K    real cpuN/cpuidle/state0..K-1
 *                                      directories whose files are loops */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static char top[4096];

static void die(const char *what, const char *path)
{
	fprintf(stderr, "mkdump_loops: %s %s: %s\n", what, path, strerror(errno));
	exit(1);
}

static void dir(const char *rel)
{
	char path[8192];
	snprintf(path, sizeof(path), "%s/%s", top, rel);
	if (mkdir(path, 0755) && errno != EEXIST)
		die("mkdir", path);
}

static void put(const char *rel, const char *text)
{
	char path[8192];
	snprintf(path, sizeof(path), "%s/%s", top, rel);
	FILE *f = fopen(path, "w");
	if (!f || fputs(text, f) < 0 || fclose(f))
		die("write", path);
}

/* REL becomes a link to its own name: resolving it never ends */
static void loop(const char *rel)
{
	char path[8192];
	const char *name = strrchr(rel, '/');
	snprintf(path, sizeof(path), "%s/%s", top, rel);
	if (symlink(name ? name + 1 : rel, path))
		die("symlink", path);
}

int main(int argc, char **argv)
{
	static const char *const files[] = { "name", "desc", "latency", "residency",
					     "disable", "usage", "time" };
	char rel[512], list[64];

	if (argc < 4 || (strcmp(argv[3], "cpus") && (strcmp(argv[3], "states") || argc < 5))) {
		fprintf(stderr, "usage: mkdump_loops DIR NCPUS cpus | DIR NCPUS states K\n");
		return 2;
	}
	snprintf(top, sizeof(top), "%s", argv[1]);
	int ncpus = atoi(argv[2]), nstates = argc > 4 ? atoi(argv[4]) : 0;
	const char *dirs[] = { "", "proc", "sys", "sys/devices", "sys/devices/system",
			       "sys/devices/system/cpu", "sys/devices/system/cpu/cpuidle" };
	for (size_t i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++)
		dir(dirs[i]);
	snprintf(list, sizeof(list), "0-%d\n", ncpus - 1);
	put("sys/devices/system/cpu/possible", list);
	put("sys/devices/system/cpu/present", list);
	put("sys/devices/system/cpu/online", list);
	put("sys/devices/system/cpu/cpuidle/current_driver", "intel_idle\n");
	put("proc/cmdline", "root=/dev/sda1\n");
	for (int c = 0; c < ncpus; c++) {
		snprintf(rel, sizeof(rel), "sys/devices/system/cpu/cpu%d", c);
		if (!strcmp(argv[3], "cpus")) {
			loop(rel);
			continue;
		}
		dir(rel);
		snprintf(rel, sizeof(rel), "sys/devices/system/cpu/cpu%d/cpuidle", c);
		dir(rel);
		for (int s = 0; s < nstates; s++) {
			snprintf(rel, sizeof(rel), "sys/devices/system/cpu/cpu%d/cpuidle/state%d", c, s);
			dir(rel);
			for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
				snprintf(rel, sizeof(rel), "sys/devices/system/cpu/cpu%d/cpuidle/state%d/%s",
					 c, s, files[i]);
				loop(rel);
			}
		}
	}
	return 0;
}

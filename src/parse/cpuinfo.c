#include "cpuinfo.h"
#include "text.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CPUINFO_MAX_PROCS 8192

/* Keeps the kernel's text as it is, inner blanks included, as lscpu does:
 * "Intel(R) Xeon(R) CPU           X7550  @ 2.00GHz". */
static void copy_field(char *dst, size_t dstsz, const char *src)
{
	snprintf(dst, dstsz, "%s", src);
}

/* "Intel(R) Xeon(R) Gold 6148 CPU @ 2.40GHz" -> 2400 */
static double nominal_from_name(const char *name)
{
	const char *at = strrchr(name, '@');
	double v;
	char unit[4];

	if (!at || sscanf(at + 1, "%lf%3s", &v, unit) != 2 || v <= 0 || v > 100000)
		return 0;
	if (!strcmp(unit, "GHz"))
		return v * 1000;
	if (!strcmp(unit, "MHz"))
		return v;
	return 0;
}

static int add_proc(struct cpuinfo *ci, int id)
{
	if (ci->nprocs == CPUINFO_MAX_PROCS)
		return -EINVAL;
	struct cpuinfo_proc *p = realloc(ci->procs, (ci->nprocs + 1) * sizeof(*p));
	if (!p)
		return -ENOMEM;
	ci->procs = p;
	p[ci->nprocs].id = id;
	p[ci->nprocs].mhz = 0;
	ci->nprocs++;
	return 0;
}

/* Each architecture's cpuinfo has keys no other prints. */
static void guess_arch(struct cpuinfo *ci, const char *key, const char *val)
{
	static const struct {
		const char *key, *arch;
	} marks[] = {
		{ "cpu family", "x86" },    { "CPU implementer", "arm" }, { "isa", "riscv" },
		{ "CPU Family", "loongarch" }, { "ncpus probed", "sparc" }, { "timebase", "ppc" },
		{ "bogomips per cpu", "s390" },
	};
	if (ci->arch[0])
		return;
	for (size_t i = 0; i < sizeof(marks) / sizeof(marks[0]); i++)
		if (!strcmp(key, marks[i].key))
			copy_field(ci->arch, sizeof(ci->arch), marks[i].arch);
	if (!strcmp(key, "vendor_id") && !strcmp(val, "IBM/S390"))
		copy_field(ci->arch, sizeof(ci->arch), "s390");
}

static int handle(struct cpuinfo *ci, const char *key, const char *val, char *err,
		  size_t errsz, unsigned line)
{
	long n;
	double d;

	guess_arch(ci, key, val);
	if (!strcmp(key, "processor")) {
		if (parse_long(val, &n) || n < 0 || n >= CPUINFO_MAX_PROCS) {
			/* armv7 prints "Processor : ARMv7 ..." with a capital;
			 * a lowercase one must be a number */
			snprintf(err, errsz, "line %u: processor number '%.32s' is not a CPU number",
				 line, val);
			return -EINVAL;
		}
		int e = add_proc(ci, (int)n);
		if (e == -EINVAL)
			snprintf(err, errsz, "line %u: more than %d processors", line,
				 CPUINFO_MAX_PROCS);
		return e;
	}
	if (!strcmp(key, "cpu MHz") || !strcmp(key, "CPU MHz") || !strcmp(key, "clock")) {
		if (!ci->nprocs || parse_double(val, &d)) {
			/* ppc writes "3000.000000MHz"; accept the unit */
			if (ci->nprocs && sscanf(val, "%lfMHz", &d) == 1 && d >= 0)
				ci->procs[ci->nprocs - 1].mhz = d;
			return 0;
		}
		if (d >= 0 && d < 1e6)
			ci->procs[ci->nprocs - 1].mhz = d;
		return 0;
	}
	if (!strcmp(key, "vendor_id") || !strcmp(key, "CPU implementer")) {
		if (!ci->vendor[0])
			copy_field(ci->vendor, sizeof(ci->vendor), val);
		return 0;
	}
	if (!strcmp(key, "model name") || !strcmp(key, "Model Name") || !strcmp(key, "cpu") ||
	    !strcmp(key, "uarch") || !strcmp(key, "Processor")) {
		if (!ci->model_name[0])
			copy_field(ci->model_name, sizeof(ci->model_name), val);
		return 0;
	}
	if (!strcmp(key, "cpu family") && ci->family < 0 && !parse_long(val, &n) && n >= 0 &&
	    n < 1 << 16) {
		ci->family = (int)n;
		return 0;
	}
	if (!strcmp(key, "model") && ci->model < 0 && !parse_long(val, &n) && n >= 0 &&
	    n < 1 << 16) {
		ci->model = (int)n;
		return 0;
	}
	if ((!strcmp(key, "flags") || !strcmp(key, "Features") || !strcmp(key, "features")) &&
	    !ci->flags) {
		ci->flags = strdup(val);
		return ci->flags ? 0 : -ENOMEM;
	}
	return 0;
}

int cpuinfo_parse(const char *buf, size_t len, struct cpuinfo *ci, char *err, size_t errsz)
{
	unsigned line = 0, pairs = 0;
	int rc = 0;

	memset(ci, 0, sizeof(*ci));
	ci->family = ci->model = -1;
	if (!len) {
		snprintf(err, errsz, "empty file");
		return -EINVAL;
	}
	if (memchr(buf, '\0', len)) {
		snprintf(err, errsz, "binary data (a NUL byte at offset %zu)",
			 (size_t)((const char *)memchr(buf, '\0', len) - buf));
		return -EINVAL;
	}
	for (const char *p = buf; *p && !rc;) {
		const char *nl = strchr(p, '\n');
		size_t n = nl ? (size_t)(nl - p) : strlen(p);
		char text[4096];

		line++;
		if (n >= sizeof(text))
			n = sizeof(text) - 1; /* a flags line is long, never this long */
		memcpy(text, p, n);
		text[n] = '\0';
		p = nl ? nl + 1 : p + strlen(p);

		char *colon = strchr(text, ':');
		if (!colon)
			continue;
		*colon = '\0';
		char *key = trim(text), *val = trim(colon + 1);
		if (!*key)
			continue;
		pairs++;
		rc = handle(ci, key, val, err, errsz, line);
	}
	if (!rc && !pairs) {
		snprintf(err, errsz, "no 'key : value' lines in %u lines", line);
		rc = -EINVAL;
	}
	if (rc) {
		if (rc == -ENOMEM)
			snprintf(err, errsz, "out of memory");
		cpuinfo_free(ci);
		return rc;
	}
	ci->nominal_mhz = nominal_from_name(ci->model_name);
	return 0;
}

void cpuinfo_free(struct cpuinfo *ci)
{
	free(ci->flags);
	free(ci->procs);
	ci->flags = NULL;
	ci->procs = NULL;
	ci->nprocs = 0;
}

int cpuinfo_has_flag(const struct cpuinfo *ci, const char *flag)
{
	return ci->flags && word_in_list(ci->flags, flag);
}

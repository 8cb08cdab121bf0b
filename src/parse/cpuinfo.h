/* /proc/cpuinfo, across the architectures the kernel formats it for. */
#ifndef LATDOC_CPUINFO_H
#define LATDOC_CPUINFO_H

#include <stddef.h>

struct cpuinfo_proc {
	int id;     /* the "processor" number */
	double mhz; /* "cpu MHz" or its kin, 0 when not given */
};

struct cpuinfo {
	char arch[16];        /* x86, arm, s390, ppc, riscv, loongarch, sparc */
	char vendor[64];      /* vendor_id, or the Arm "CPU implementer" */
	char model_name[128]; /* model name, Model Name, cpu, uarch, Processor */
	int family, model;    /* -1 when not given */
	double nominal_mhz;   /* from "@ 2.40GHz" in the model name, else 0 */
	char *flags;          /* flags / Features of the first processor */
	struct cpuinfo_proc *procs;
	size_t nprocs;
};

/* Parses BUF (LEN bytes, NUL-terminated). On -EINVAL, ERR says what is
 * wrong and on which line. */
int cpuinfo_parse(const char *buf, size_t len, struct cpuinfo *ci, char *err, size_t errsz);
void cpuinfo_free(struct cpuinfo *ci);

int cpuinfo_has_flag(const struct cpuinfo *ci, const char *flag);

#endif

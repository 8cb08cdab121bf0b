/* What CPUs these are: vendor, model, flags, from /proc/cpuinfo. */
#include "facts.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../parse/cpuinfo.h"
#include "../root/root.h"

int collect_cpuinfo(struct root *r, struct facts *f)
{
	const char *path = "proc/cpuinfo";
	struct cpuinfo ci;
	char err[160];
	char *buf;
	size_t len;
	int rc = facts_read_file(r, f, path, &buf, &len);

	if (rc == -ENOMEM)
		return rc;
	if (rc == -ENOENT)
		facts_problem(f, path, "%s", facts_read_error(rc));
	if (rc)
		return 0;
	rc = cpuinfo_parse(buf, len, &ci, err, sizeof(err));
	free(buf);
	if (rc == -ENOMEM)
		return rc;
	if (rc) {
		facts_problem(f, path, "%s", err);
		return 0;
	}
	snprintf(f->arch, sizeof(f->arch), "%s", ci.arch);
	snprintf(f->vendor, sizeof(f->vendor), "%s", ci.vendor);
	snprintf(f->model_name, sizeof(f->model_name), "%s", ci.model_name);
	f->family = ci.family;
	f->model = ci.model;
	f->nominal_mhz = ci.nominal_mhz;
	f->flag_hypervisor = cpuinfo_has_flag(&ci, "hypervisor");
	f->flag_aperfmperf = cpuinfo_has_flag(&ci, "aperfmperf");
	f->flag_constant_tsc = cpuinfo_has_flag(&ci, "constant_tsc");
	f->flag_hwp = cpuinfo_has_flag(&ci, "hwp");
	f->flag_epb = cpuinfo_has_flag(&ci, "epb");
	f->flags = ci.flags;
	ci.flags = NULL;

	/* cpu MHz per CPU waits in the scratch list until topology has
	 * made the CPUs; keep it by processor id */
	f->cpuinfo_mhz = ci.procs;
	f->ncpuinfo_mhz = ci.nprocs;
	ci.procs = NULL;
	cpuinfo_free(&ci);
	return 0;
}

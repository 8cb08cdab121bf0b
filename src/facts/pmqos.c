/* Latency limits that keep CPUs out of deep idle states: the global
 * /dev/cpu_dma_latency request and each CPU's resume latency. */
#include "facts.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../parse/text.h"
#include "../root/root.h"

int collect_pmqos(struct root *r, struct facts *f)
{
	const char *dma = "dev/cpu_dma_latency";
	char *buf;
	size_t len;
	int err;

	/* A 4-byte read gives the effective value of all requests; our own
	 * open adds a request at the default, which constrains nothing. A
	 * snapshot keeps those 4 bytes as a plain file. */
	err = root_read(r, dma, &buf, &len);
	if (!err) {
		int32_t v;
		if (len == sizeof(v)) {
			memcpy(&v, buf, sizeof(v));
			f->dma_latency_us = v >= 0 ? v : FACT_UNKNOWN;
		} else {
			facts_problem(f, dma, "%zu bytes where a 4-byte value was expected", len);
		}
		free(buf);
	} else if (err == -ENOMEM) {
		return err;
	} else if (err != -ENOENT && err != -EACCES && err != -EPERM) {
		facts_problem(f, dma, "%s", facts_read_error(err));
	}

	for (size_t i = 0; i < f->ncpus; i++) {
		char path[128], line[32];
		long v;
		snprintf(path, sizeof(path), "sys/devices/system/cpu/cpu%d/power/pm_qos_resume_latency_us",
			 f->cpus[i].id);
		if (facts_read_line(r, f, path, line, sizeof(line)))
			continue;
		if (!strcmp(line, "n/a"))
			f->cpus[i].resume_latency_us = 0;
		else if (!parse_long(line, &v) && v >= 0)
			f->cpus[i].resume_latency_us = v == 0 ? -1 : v;
		else
			facts_problem(f, path, "'%.32s' is neither a number nor n/a", line);
	}
	return 0;
}

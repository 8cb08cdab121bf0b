/* Memory management that steals CPU time or stalls allocations:
 * transparent huge pages, KSM, automatic NUMA balancing, swappiness. */
#include "facts.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "../parse/text.h"

static void read_choice(struct root *r, struct facts *f, const char *path, char *out, size_t outsz)
{
	char line[160];

	if (facts_read_line(r, f, path, line, sizeof(line)))
		return;
	if (parse_choice(line, out, outsz))
		facts_problem(f, path, "'%.60s' has no [selected] value", line);
}

int collect_memory(struct root *r, struct facts *f)
{
	const char *thp = "sys/kernel/mm/transparent_hugepage";
	char path[96];
	long v;

	snprintf(path, sizeof(path), "%s/enabled", thp);
	read_choice(r, f, path, f->mem.thp_enabled, sizeof(f->mem.thp_enabled));
	snprintf(path, sizeof(path), "%s/defrag", thp);
	read_choice(r, f, path, f->mem.thp_defrag, sizeof(f->mem.thp_defrag));

	f->mem.ksm_run = -1;
	if (!facts_read_long(r, f, "sys/kernel/mm/ksm/run", &v)) {
		if (v >= 0 && v <= 2)
			f->mem.ksm_run = (int)v;
		else
			facts_problem(f, "sys/kernel/mm/ksm/run", "%ld is not 0, 1 or 2", v);
	}
	f->mem.ksm_pages_sharing = -1;
	if (!facts_read_long(r, f, "sys/kernel/mm/ksm/pages_sharing", &v) && v >= 0)
		f->mem.ksm_pages_sharing = v;

	f->mem.numa_balancing = -1;
	if (!facts_read_long(r, f, "proc/sys/kernel/numa_balancing", &v) && v >= 0)
		f->mem.numa_balancing = (int)(v != 0);
	f->mem.swappiness = -1;
	if (!facts_read_long(r, f, "proc/sys/vm/swappiness", &v) && v >= 0)
		f->mem.swappiness = v;
	return 0;
}

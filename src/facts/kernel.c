/* Kernel settings that shape latency: the command line, the clocksource,
 * and the steal time the hypervisor reports. */
#include "facts.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../parse/text.h"
#include "../root/root.h"

static int read_cmdline(struct root *r, struct facts *f)
{
	const char *path = "proc/cmdline";
	char *buf;
	size_t len;
	int err = facts_read_file(r, f, path, &buf, &len);

	if (err)
		return err == -ENOMEM ? err : 0;
	if (memchr(buf, '\0', len)) {
		facts_problem(f, path, "binary data");
		free(buf);
		return 0;
	}
	err = cmdline_parse(buf, &f->cmdline);
	if (err == -ENOMEM) {
		free(buf);
		return err;
	}
	if (err)
		facts_problem(f, path, "unbalanced quotes or more than %d parameters",
			      CMDLINE_MAX_PARAMS);
	f->cmdline_raw = buf;
	buf[strcspn(buf, "\n")] = '\0';
	return 0;
}

/* The "cpu" line of /proc/stat: user nice system idle iowait irq softirq
 * steal ... in clock ticks since boot. */
static void read_steal(struct root *r, struct facts *f)
{
	const char *path = "proc/stat";
	unsigned long long v[8] = { 0 }, total = 0;
	char *buf;
	size_t len;
	if (facts_read_file(r, f, path, &buf, &len))
		return;
	int n = strncmp(buf, "cpu ", 4) ? 0
					: sscanf(buf + 4, "%llu %llu %llu %llu %llu %llu %llu %llu", &v[0],
						 &v[1], &v[2], &v[3], &v[4], &v[5], &v[6], &v[7]);
	free(buf);
	if (n < 4) {
		facts_problem(f, path, "no 'cpu' line with tick counts at the top");
		return;
	}
	for (int i = 0; i < n; i++)
		total += v[i];
	if (n == 8 && total)
		f->steal_pct = 100.0 * (double)v[7] / (double)total;
}

int collect_kernel(struct root *r, struct facts *f)
{
	const char *cs = "sys/devices/system/clocksource/clocksource0";
	char path[96];
	int err = read_cmdline(r, f);

	if (err)
		return err;
	snprintf(path, sizeof(path), "%s/current_clocksource", cs);
	facts_read_line(r, f, path, f->clocksource, sizeof(f->clocksource));
	snprintf(path, sizeof(path), "%s/available_clocksource", cs);
	facts_read_line(r, f, path, f->clocksources, sizeof(f->clocksources));
	read_steal(r, f);
	return 0;
}

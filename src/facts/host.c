/* Which machine this is: host name and kernel release. */
#include "facts.h"

#include <stdio.h>

int collect_host(struct root *r, struct facts *f)
{
	if (facts_read_line(r, f, "proc/sys/kernel/hostname", f->hostname, sizeof(f->hostname)))
		facts_read_line(r, f, "etc/hostname", f->hostname, sizeof(f->hostname));
	facts_read_line(r, f, "proc/sys/kernel/osrelease", f->kernel, sizeof(f->kernel));
	return 0;
}

/* libFuzzer target: a report from another host, as latdoc fleet reads it,
 * then summarised and written both ways. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fleet/fleet.h"
#include "fleet/render.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static FILE *sink;
	struct fleet fl = { .now = 1800000000, .stale_after_s = 86400 };

	if (!sink && !(sink = fopen("/dev/null", "w")))
		return 0;
	/* twice: two reports of one host go through the duplicate path too */
	if (!fleet_add_report(&fl, "a/check.json", (const char *)data, size, 0) &&
	    !fleet_add_report(&fl, "b/check.json", (const char *)data, size, 1) && !fleet_summarise(&fl)) {
		output_fleet_text(sink, &fl);
		output_fleet_json(sink, &fl);
	}
	if (fl.nfailed + fl.nhosts != 2)
		abort(); /* every report is a host or a failure */
	fleet_free(&fl);
	return 0;
}

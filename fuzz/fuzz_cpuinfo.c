/* libFuzzer target: /proc/cpuinfo parser. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "parse/cpuinfo.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *buf = malloc(size + 1), err[160];
	struct cpuinfo ci;

	if (!buf)
		return 0;
	memcpy(buf, data, size);
	buf[size] = '\0';
	if (!cpuinfo_parse(buf, size, &ci, err, sizeof(err))) {
		cpuinfo_has_flag(&ci, "hypervisor");
		cpuinfo_free(&ci);
	}
	free(buf);
	return 0;
}

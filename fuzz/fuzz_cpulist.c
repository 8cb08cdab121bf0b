/* libFuzzer target: CPU lists ("0-3,8-11:2/4") and masks, with a
 * format/parse round trip that must give the same set back. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "lib/cpuset.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *buf = malloc(size + 1), out[65536];
	struct cpuset s = { 0 }, again = { 0 };

	if (!buf)
		return 0;
	memcpy(buf, data, size);
	buf[size] = '\0';
	if (!cpuset_parse(&s, buf) && !cpuset_format(&s, out, sizeof(out))) {
		if (cpuset_parse(&again, out) || cpuset_count(&again) != cpuset_count(&s))
			abort();
		for (int i = 0; i <= cpuset_last(&s); i++)
			if (cpuset_has(&s, i) != cpuset_has(&again, i))
				abort();
	}
	cpuset_clear(&s);
	cpuset_clear(&again);
	if (!cpuset_parse_mask(&s, buf))
		cpuset_count(&s);
	cpuset_clear(&s);
	free(buf);
	return 0;
}

/* libFuzzer target: kernel command line splitting and lookup. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "parse/cmdline.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *buf = malloc(size + 1);
	struct cmdline c;

	if (!buf)
		return 0;
	memcpy(buf, data, size);
	buf[size] = '\0';
	if (!cmdline_parse(buf, &c)) {
		cmdline_find(&c, "intel_idle.max_cstate");
		for (size_t i = 0; i < c.count; i++)
			if (cmdline_find(&c, c.params[i].name) == NULL)
				abort(); /* every parameter must be found by its name */
		cmdline_free(&c);
	}
	free(buf);
	return 0;
}

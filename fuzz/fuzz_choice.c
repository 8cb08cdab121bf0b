/* libFuzzer target: bracketed sysfs choices ("always [madvise] never") and
 * the number parsers beside them. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "parse/text.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *buf = malloc(size + 1), out[16];
	long l;
	unsigned long long u;
	double d;

	if (!buf)
		return 0;
	memcpy(buf, data, size);
	buf[size] = '\0';
	if (!parse_choice(buf, out, sizeof(out)) && (!out[0] || strlen(out) >= sizeof(out)))
		abort();
	parse_long(buf, &l);
	parse_ullong(buf, &u);
	parse_double(buf, &d);
	word_in_list(buf, "hypervisor");
	free(buf);
	return 0;
}

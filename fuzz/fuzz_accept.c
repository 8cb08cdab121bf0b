/* libFuzzer target: a scraper's Accept header and label values, as latdoc
 * serve takes them from strangers. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "output/prom.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static FILE *sink;
	char *s = malloc(size + 1);
	struct prom_set set = { 0 };

	if (!s || (!sink && !(sink = fopen("/dev/null", "w")))) {
		free(s);
		return 0;
	}
	memcpy(s, data, size);
	s[size] = '\0';
	enum prom_format f = prom_negotiate(s);
	if (f != PROM_TEXT && f != PROM_OPENMETRICS)
		abort();
	prom_add(&set, prom_family(&set, PROM_INFO, "f", NULL, "h"), 1, "a", s, NULL);
	prom_write(sink, &set, f);
	prom_set_free(&set);
	free(s);
	return 0;
}

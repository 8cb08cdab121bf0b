/* libFuzzer target: a tune journal, as revert reads it. Whatever the bytes,
 * every change read names something tune may write. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "tune/tune.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct journal j;
	char err[512];

	if (journal_parse((const char *)data, size, "fuzz.journal", &j, err, sizeof(err)))
		return 0;
	for (size_t i = 0; i < j.count; i++) {
		const struct jentry *e = &j.entries[i];
		if (e->op == J_SET && !knob_allowed(e->path))
			abort();
		if (e->op == J_FILE && !knob_owned_file(e->path))
			abort();
	}
	journal_free(&j);
	return 0;
}

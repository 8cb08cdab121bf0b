/* libFuzzer target: a domain's XML edited by a path of the small grammar.
 * The input is the path, a newline, the want (empty removes), a newline,
 * and the XML. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "tune/tune.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *buf = malloc(size + 1), *out, err[256];

	if (!buf)
		return 0;
	memcpy(buf, data, size);
	buf[size] = '\0';
	char *want = strchr(buf, '\n');
	char *xml = want ? strchr(want + 1, '\n') : NULL;
	if (xml) {
		*want++ = '\0';
		*xml++ = '\0';
		struct fix_action a = { .kind = FIX_LIBVIRT, .key = buf, .want = want, .target = "fuzz" };
		const struct fix_action *edits[] = { &a };
		if (!domain_edit(xml, size - (size_t)(xml - buf), edits, 1, &out, err, sizeof(err)))
			free(out);
	}
	free(buf);
	return 0;
}

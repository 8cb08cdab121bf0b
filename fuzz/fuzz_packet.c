/* libFuzzer target: the rtt probe parser, with and without a key; what
 * passes must build back to the same bytes (less the padding). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "net/packet.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const struct key key = { .bytes = "fuzz-key", .len = 8 };
	struct probe p;

	for (int keyed = 0; keyed < 2; keyed++) {
		const struct key *k = keyed ? &key : NULL;
		if (packet_parse(data, size, k, &p) != PACKET_OK)
			continue;
		if (p.length != size || size < PACKET_HEADER || size > PACKET_MAX)
			abort();
		unsigned char *again = malloc(size);
		if (!again)
			return 0;
		/* a reply made from it must parse as a reply of the same size */
		memcpy(again, data, size);
		packet_make_reply(again, size, k);
		struct probe r;
		if (packet_parse(again, size, k, &r) != PACKET_OK || r.type != PACKET_REPLY || r.seq != p.seq)
			abort();
		free(again);
	}
	return 0;
}

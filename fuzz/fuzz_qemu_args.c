/* libFuzzer target: a QEMU command line (NUL-separated words) to a VM view. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "parse/qemu_args.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct qemu_args q;
	char err[256] = "";
	/* a real QEMU path in front, so the fuzzer spends its time on options */
	static const char argv0[] = "/usr/bin/qemu-system-x86_64";
	char *buf = malloc(sizeof(argv0) + size);

	if (!buf)
		return 0;
	memcpy(buf, argv0, sizeof(argv0));
	memcpy(buf + sizeof(argv0), data, size);
	if (!qemu_args_parse(buf, sizeof(argv0) + size, &q, err, sizeof(err))) {
		if (q.view.vcpus < 1 || (q.view.ndisks && !q.view.disks) || (q.view.nnics && !q.view.nics))
			abort();
		vm_view_free(&q.view);
	} else if (!err[0]) {
		abort();
	}
	free(buf);
	return 0;
}

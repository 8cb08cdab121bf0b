/* libFuzzer target: libvirt domain XML to a VM view. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "parse/domain_xml.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct domain_xml d;
	char err[256];

	if (!domain_xml_parse((const char *)data, size, &d, err, sizeof(err))) {
		/* what the rules will walk must hold together */
		if (d.view.vcpus < 1 || (d.view.ndisks && !d.view.disks) || (d.view.nnics && !d.view.nics))
			abort();
		if (d.view.vcpus_pinned > d.view.vcpus)
			abort();
		vm_view_free(&d.view);
	} else if (!err[0]) {
		abort(); /* every refusal says why */
	}
	return 0;
}

/* A libvirt domain XML document, reduced to what costs a VM latency.
 * Reads <domain> (a defined config, or libvirt's live XML) and <domstatus>
 * (the running config libvirt keeps under /run/libvirt/qemu, with the QEMU
 * pid). libxml2 parses it with no network access and never substitutes an
 * entity; a document with a DOCTYPE, in whatever encoding, is refused the
 * moment libxml2 meets it, as no libvirt document has one. */
#ifndef LATDOC_DOMAIN_XML_H
#define LATDOC_DOMAIN_XML_H

#include <stddef.h>

#include "../model/vm_view.h"

struct domain_xml {
	char name[64];
	char uuid[40];
	bool status; /* a <domstatus>: the config the VM runs with */
	struct vm_view view;
};

/* Parses LEN bytes of BUF. Returns 0 and fills OUT (release it with
 * vm_view_free(&out->view)), -ENOMEM, or -EINVAL with what is wrong and on
 * which line in ERR. */
int domain_xml_parse(const char *buf, size_t len, struct domain_xml *out, char *err,
		     size_t errsz);

#endif

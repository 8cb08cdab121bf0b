/* VMs through the libvirt API: what the daemon knows, defined and running,
 * including domains whose files latdoc cannot read. Read-only connection. */
#include "facts.h"

#include <errno.h>
#include <libvirt/libvirt.h>
#include <libvirt/virterror.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../lib/lazy.h"
#include "../lib/libvirt_errors.h"
#include "../parse/domain_xml.h"

static int add_view(struct facts *f, const char *xml, const char *dom_name, enum vm_source source)
{
	struct domain_xml dx;
	char why[256], where[160];
	int err = domain_xml_parse(xml, strlen(xml), &dx, why, sizeof(why));

	snprintf(where, sizeof(where), "libvirt %s", f->virt.libvirt_uri);
	if (err == -ENOMEM)
		return err;
	if (err) {
		facts_problem(f, where, "domain %s: %s", dom_name, why);
		return 0;
	}
	return facts_add_vm_view(f, dx.name, dx.uuid, source, &dx.view, where) ? 0 : -ENOMEM;
}

static int add_domain(struct facts *f, virDomainPtr dom)
{
	const char *name = virDomainGetName(dom);
	char *xml = virDomainGetXMLDesc(dom, VIR_DOMAIN_XML_INACTIVE);
	int err = 0;

	if (!name)
		name = "?";
	if (!xml) {
		facts_problem(f, f->virt.libvirt_uri, "domain %s: %s", name, libvirt_last_error());
		return 0;
	}
	err = add_view(f, xml, name, VM_DEFINED);
	free(xml);
	if (err || virDomainIsActive(dom) != 1)
		return err;
	if (!(xml = virDomainGetXMLDesc(dom, 0))) {
		facts_problem(f, f->virt.libvirt_uri, "domain %s: %s", name, libvirt_last_error());
		return 0;
	}
	err = add_view(f, xml, name, VM_RUNNING);
	free(xml);
	return err;
}

int collect_vm_libvirt(struct facts *f, const char *uri, bool explicit)
{
	virDomainPtr *doms = NULL;
	int err = 0;

	snprintf(f->virt.libvirt_uri, sizeof(f->virt.libvirt_uri), "%s", uri);
	/* libvirt is loaded here, on first use (lib/lazy.h) */
	const char *missing = lazy_missing(&lazy_libvirt);
	if (missing) {
		if (explicit || f->platform.kvm_host)
			snprintf(f->virt.libvirt_note, sizeof(f->virt.libvirt_note),
				 "%s: VMs come from libvirt's files and QEMU processes only", missing);
		else
			f->virt.libvirt_uri[0] = '\0';
		return 0;
	}
	libvirt_quiet();
	virConnectPtr conn = virConnectOpenReadOnly(uri);
	if (!conn) {
		/* no daemon on a host that runs none is not news */
		if (explicit || f->platform.kvm_host)
			snprintf(f->virt.libvirt_note, sizeof(f->virt.libvirt_note),
				 "no answer at %s (%s)", uri, libvirt_last_error());
		else
			f->virt.libvirt_uri[0] = '\0';
		return 0;
	}
	int n = virConnectListAllDomains(conn, &doms, 0);
	if (n < 0)
		snprintf(f->virt.libvirt_note, sizeof(f->virt.libvirt_note),
			 "libvirt at %s did not list its domains (%s)", uri, libvirt_last_error());
	for (int i = 0; i < n; i++) {
		if (!err)
			err = add_domain(f, doms[i]);
		virDomainFree(doms[i]);
	}
	free(doms);
	virConnectClose(conn);
	return err;
}

/* libvirt, loaded when `check` first asks a daemon for its domains. */
#include <libvirt/libvirt.h>
#include <libvirt/virterror.h>
#include <stddef.h>

#include "lazy.h"

struct lazy_lib lazy_libvirt = { .soname = "libvirt.so.0" };

void virSetErrorFunc(void *data, virErrorFunc handler)
{
	LAZY_FN(lazy_libvirt, virSetErrorFunc);
	if (fn)
		fn(data, handler);
}

virErrorPtr virGetLastError(void)
{
	LAZY_FN(lazy_libvirt, virGetLastError);
	return fn ? fn() : NULL;
}

virConnectPtr virConnectOpenReadOnly(const char *name)
{
	LAZY_FN(lazy_libvirt, virConnectOpenReadOnly);
	return fn ? fn(name) : NULL;
}

int virConnectListAllDomains(virConnectPtr conn, virDomainPtr **domains, unsigned int flags)
{
	LAZY_FN(lazy_libvirt, virConnectListAllDomains);
	return fn ? fn(conn, domains, flags) : -1;
}

int virConnectClose(virConnectPtr conn)
{
	LAZY_FN(lazy_libvirt, virConnectClose);
	return fn ? fn(conn) : -1;
}

const char *virDomainGetName(virDomainPtr domain)
{
	LAZY_FN(lazy_libvirt, virDomainGetName);
	return fn ? fn(domain) : NULL;
}

char *virDomainGetXMLDesc(virDomainPtr domain, unsigned int flags)
{
	LAZY_FN(lazy_libvirt, virDomainGetXMLDesc);
	return fn ? fn(domain, flags) : NULL;
}

int virDomainIsActive(virDomainPtr domain)
{
	LAZY_FN(lazy_libvirt, virDomainIsActive);
	return fn ? fn(domain) : -1;
}

int virDomainFree(virDomainPtr domain)
{
	LAZY_FN(lazy_libvirt, virDomainFree);
	return fn ? fn(domain) : -1;
}

/* tune --vm: a read-write connection, to define a domain anew */
virConnectPtr virConnectOpen(const char *name)
{
	LAZY_FN(lazy_libvirt, virConnectOpen);
	return fn ? fn(name) : NULL;
}

virDomainPtr virDomainLookupByName(virConnectPtr conn, const char *name)
{
	LAZY_FN(lazy_libvirt, virDomainLookupByName);
	return fn ? fn(conn, name) : NULL;
}

virDomainPtr virDomainDefineXML(virConnectPtr conn, const char *xml)
{
	LAZY_FN(lazy_libvirt, virDomainDefineXML);
	return fn ? fn(conn, xml) : NULL;
}

int virDomainGetUUIDString(virDomainPtr domain, char *buf)
{
	LAZY_FN(lazy_libvirt, virDomainGetUUIDString);
	return fn ? fn(domain, buf) : -1;
}

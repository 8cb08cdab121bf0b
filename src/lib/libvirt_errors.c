#include "libvirt_errors.h"

#include <libvirt/libvirt.h>
#include <libvirt/virterror.h>
#include <stddef.h>

static void swallow(void *data, virErrorPtr err)
{
	(void)data;
	(void)err;
}

void libvirt_quiet(void)
{
	virSetErrorFunc(NULL, swallow);
}

const char *libvirt_last_error(void)
{
	virErrorPtr e = virGetLastError();
	return e && e->message ? e->message : "unknown error";
}

/* A QEMU command line, reduced to the same vm_view a domain XML gives, so
 * that hosts without libvirt (Proxmox, QEMU run by hand) are audited too
 * and libvirt's hosts are checked on what really runs. Reads both option
 * syntaxes: "driver,key=value" and the JSON objects libvirt passes now. */
#ifndef LATDOC_QEMU_ARGS_H
#define LATDOC_QEMU_ARGS_H

#include <stdbool.h>
#include <stddef.h>

#include "../model/vm_view.h"

/* More words than any real QEMU command line has; a longer one is refused. */
#define QEMU_ARGS_MAX 65536

struct qemu_args {
	char name[64];
	char uuid[40];
	struct vm_view view;
};

/* Whether ARGV0 runs QEMU's system emulator: qemu-system-*, qemu-kvm, kvm. */
bool qemu_is_binary(const char *argv0);

/* Parses a command line as /proc/PID/cmdline holds it: words each ended by
 * a NUL. Returns 0 and fills OUT (release with vm_view_free(&out->view)),
 * -ENOMEM, or -EINVAL with the reason in ERR. */
int qemu_args_parse(const char *cmdline, size_t len, struct qemu_args *out, char *err, size_t errsz);

#endif

/* Secret values taken out of what latdoc copies off a machine. A snapshot
 * leaves the machine, and may be read by anyone: QEMU command lines
 * and libvirt's XML carry passwords and keys beside the settings the audit
 * needs. The value is replaced by REDACT_MARKER, the key and everything
 * else kept, so the copy audits as the original does:
 *
 *   -object secret,id=s0,data=SECRET      -> data=latdoc-redacted
 *   -object {"qom-type":"secret","data":"SECRET"}
 *   file=rbd:pool/img:id=admin:key=SECRET -> key=latdoc-redacted
 *   -spice port=5900,password=SECRET, -vnc :1,password=SECRET, -iscsi ...
 *   file=http://user:SECRET@host/...      -> user:latdoc-redacted@
 *   <graphics type='vnc' passwd='SECRET'/> -> passwd='latdoc-redacted'
 *
 * A password option that is only on or off (-vnc :1,password=on) is no
 * secret and stays. */
#ifndef LATDOC_REDACT_H
#define LATDOC_REDACT_H

#include <stddef.h>

#define REDACT_MARKER "latdoc-redacted"

/* What was taken out of one text: how many values, and of which kinds
 * ("secret data, URL password"). */
struct redactions {
	unsigned count;
	char kinds[160];
};

/* Redacts the contents of the file at PATH (relative to the root): a
 * process's command line (proc/N/cmdline, arguments separated by NUL) or
 * libvirt XML (*.xml); other files are copied as they are. *OUT is a new
 * buffer of *OUTLEN bytes (NUL-terminated); R is filled in. -ENOMEM. */
int redact_file(const char *path, const char *data, size_t len, char **out, size_t *outlen,
		struct redactions *r);

#endif

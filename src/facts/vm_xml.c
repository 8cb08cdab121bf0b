/* VMs from libvirt's own files: the defined configs under etc/libvirt/qemu
 * and the running ones (<domstatus>) under run/libvirt/qemu. */
#include "facts.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../parse/domain_xml.h"
#include "../parse/text.h"
#include "../root/root.h"

static bool xml_name(const char *name)
{
	size_t n = strlen(name);
	return n > 4 && !strcmp(name + n - 4, ".xml");
}

/* Reads one file; a file that is not a domain is a problem, not an error. */
static int read_one(struct root *r, struct facts *f, const char *path, enum vm_source source)
{
	struct domain_xml dx;
	char why[256];
	char *buf;
	size_t len;
	int err = facts_read_file(r, f, path, &buf, &len);

	if (err)
		return err == -ENOMEM ? err : 0;
	err = domain_xml_parse(buf, len, &dx, why, sizeof(why));
	free(buf);
	if (err == -ENOMEM)
		return err;
	if (err) {
		facts_problem(f, path, "%s", why);
		return 0;
	}
	char where[520];
	snprintf(where, sizeof(where), "/%s", path);
	/* a <domstatus> is what runs, wherever it was found */
	return facts_add_vm_view(f, dx.name, dx.uuid, dx.status ? VM_RUNNING : source, &dx.view, where)
		       ? 0
		       : -ENOMEM;
}

static int read_dir(struct root *r, struct facts *f, const char *dir, enum vm_source source)
{
	char **names;
	size_t count;
	int err = root_list(r, dir, &names, &count);

	if (err == -ENOMEM)
		return err;
	if (err) {
		if (err != -ENOENT && err != -ENOTDIR)
			facts_problem(f, dir, "%s", facts_read_error(err));
		return 0;
	}
	for (size_t i = 0; i < count && !err; i++) {
		char path[512];
		if (!xml_name(names[i]) ||
		    snprintf(path, sizeof(path), "%s/%s", dir, names[i]) >= (int)sizeof(path))
			continue;
		err = read_one(r, f, path, source);
	}
	root_free_names(names);
	return err;
}

int collect_vm_xml(struct root *r, struct facts *f)
{
	int err = read_dir(r, f, "etc/libvirt/qemu", VM_DEFINED);
	return err ? err : read_dir(r, f, "run/libvirt/qemu", VM_RUNNING);
}

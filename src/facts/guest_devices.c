/* A guest's disks and NICs, and the driver each sits on: virtio_blk or
 * ata_piix, virtio_net or e1000. The driver is the kernel's own answer to
 * "what hardware is this", whatever the hypervisor calls it. */
#include "facts.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../parse/text.h"
#include "../root/root.h"

/* Virtual block devices with no hardware behind them. */
static bool virtual_block(const char *name)
{
	static const char *const prefixes[] = { "loop", "ram", "zram", "dm-", "md", "nbd", "sr", "fd" };
	for (size_t i = 0; i < sizeof(prefixes) / sizeof(prefixes[0]); i++)
		if (!strncmp(name, prefixes[i], strlen(prefixes[i])))
			return true;
	return false;
}

/* The driver bound to device directory DIR, "" when none. */
static void driver_of(struct root *r, const char *dir, char *out, size_t outsz)
{
	char link[600], real[PATH_MAX];

	out[0] = '\0';
	if (snprintf(link, sizeof(link), "%s/driver", dir) >= (int)sizeof(link) ||
	    root_realpath(r, link, real, sizeof(real)))
		return;
	const char *base = strrchr(real, '/');
	str_copy(out, outsz, base ? base + 1 : real);
}

/* SCSI upper-level drivers sit on every SCSI disk, whatever the controller. */
static bool upper_level(const char *driver)
{
	return !strcmp(driver, "sd") || !strcmp(driver, "sr") || !strcmp(driver, "st") ||
	       !strcmp(driver, "ses") || !strcmp(driver, "sg");
}

/* Walks up from a block device to the first driver that is a controller's:
 * sda -> 0:0:0:0 (sd) -> host0 -> ata1 -> 0000:00:01.1 (ata_piix). */
static void controller_driver(struct root *r, char *dir, char *out, size_t outsz)
{
	out[0] = '\0';
	for (char *slash; (slash = strrchr(dir, '/')) && strcmp(dir, "sys/devices"); *slash = '\0') {
		driver_of(r, dir, out, outsz);
		if (out[0] && !upper_level(out))
			return;
		out[0] = '\0';
	}
}

/* A block device with hardware behind it: not virtual, under sys/devices. */
static bool disk_with_hardware(const char *name, const char *dir)
{
	return !virtual_block(name) && !strncmp(dir, "sys/devices/", 12) &&
	       strncmp(dir, "sys/devices/virtual/", 20);
}

/* Lists CLASS (sys/block, sys/class/net) and adds each entry whose link
 * NAME/SUFFIX resolves and is kept by KEEP, with the driver DRIVER finds
 * from the resolved directory. */
static int read_class(struct root *r, const char *class, const char *suffix,
		      bool (*keep)(const char *name, const char *dir),
		      void (*driver)(struct root *, char *dir, char *out, size_t outsz),
		      struct guest_device **list, size_t *count)
{
	char **names;
	size_t n;
	int err = root_list(r, class, &names, &n);

	if (err)
		return err == -ENOMEM ? err : 0;
	for (size_t i = 0; i < n && !err; i++) {
		char link[300], dir[PATH_MAX];
		snprintf(link, sizeof(link), "%s/%s%s", class, names[i], suffix);
		/* lo, bridges, taps, loop devices: no hardware */
		if (root_realpath(r, link, dir, sizeof(dir)) || (keep && !keep(names[i], dir)))
			continue;
		struct guest_device *d = realloc(*list, (*count + 1) * sizeof(*d));
		if (!d) {
			err = -ENOMEM;
			break;
		}
		*list = d;
		d = &d[(*count)++];
		memset(d, 0, sizeof(*d));
		str_copy(d->name, sizeof(d->name), names[i]);
		d->path[0] = '/';
		str_copy(d->path + 1, sizeof(d->path) - 1, dir);
		driver(r, dir, d->driver, sizeof(d->driver));
	}
	root_free_names(names);
	return err;
}

/* A NIC's driver is bound to its device directory itself. */
static void nic_driver(struct root *r, char *dir, char *out, size_t outsz)
{
	driver_of(r, dir, out, outsz);
}

int collect_guest_devices(struct root *r, struct facts *f)
{
	int err = read_class(r, "sys/block", "", disk_with_hardware, controller_driver, &f->guest.disks,
			     &f->guest.ndisks);
	if (!err)
		err = read_class(r, "sys/class/net", "/device", NULL, nic_driver, &f->guest.nics,
				 &f->guest.nnics);
	return err;
}

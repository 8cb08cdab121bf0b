#include "qemu_args.h"

#include <errno.h>
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "text.h"

#define KV_MAX 128
#define DEVS_MAX 1024

/* One option's properties, from either syntax. Values point into BUF. */
struct kv {
	const char *key[KV_MAX], *val[KV_MAX];
	size_t n;
	char *buf;
};

static const char *kv_get(const struct kv *kv, const char *key)
{
	for (size_t i = 0; i < kv->n; i++)
		if (!strcmp(kv->key[i], key))
			return kv->val[i];
	return NULL;
}

static bool kv_on(const struct kv *kv, const char *key)
{
	const char *v = kv_get(kv, key);
	return v && (!strcmp(v, "on") || !strcmp(v, "true") || !strcmp(v, "yes") || !strcmp(v, "1"));
}

static void kv_free(struct kv *kv)
{
	free(kv->buf);
	kv->buf = NULL;
	kv->n = 0;
}

/* "value,key=value,key=value" with ",," for a comma inside a value; a first
 * item without '=' belongs to IMPLIED. */
static int kv_from_opts(const char *s, const char *implied, struct kv *kv)
{
	size_t len = strlen(s);
	char *out = malloc(len + 1), *w = out;

	kv->buf = out;
	kv->n = 0;
	if (!out)
		return -ENOMEM;
	for (const char *p = s; ; ) {
		char *item = w;
		while (*p && !(*p == ',' && p[1] != ',')) {
			if (*p == ',')
				p++; /* ",," is one comma */
			*w++ = *p++;
		}
		*w++ = '\0';
		char *eq = strchr(item, '=');
		if (kv->n < KV_MAX && *item) {
			if (eq) {
				*eq = '\0';
				kv->key[kv->n] = item;
				kv->val[kv->n++] = eq + 1;
			} else if (kv->n == 0 && implied) {
				kv->key[kv->n] = implied;
				kv->val[kv->n++] = item;
			} else {
				/* a bare flag: "key" means key=on */
				kv->key[kv->n] = item;
				kv->val[kv->n++] = "on";
			}
		}
		if (!*p)
			break;
		p++;
	}
	return 0;
}

/* A member's value as text, or NULL for what is not a scalar: null (QEMU
 * takes it as "not given"), nested objects and arrays. */
static const char *json_scalar(json_object *v)
{
	if (!v || json_object_is_type(v, json_type_object) || json_object_is_type(v, json_type_array))
		return NULL;
	if (json_object_is_type(v, json_type_boolean))
		return json_object_get_boolean(v) ? "on" : "off";
	return json_object_get_string(v);
}

/* A JSON object's scalar members, as text; the rest are skipped. When S
 * is not one JSON object, WHY says what is wrong and at which byte, never
 * with any of S's bytes: the value may be a secret's. */
static int kv_from_json(const char *s, struct kv *kv, char *why, size_t whysz)
{
	size_t len = strlen(s);
	struct json_tokener *tok = json_tokener_new();
	size_t need = 0;

	kv->buf = NULL;
	kv->n = 0;
	why[0] = '\0';
	if (!tok)
		return -ENOMEM;
	json_object *o = len <= INT32_MAX ? json_tokener_parse_ex(tok, s, (int)len) : NULL;
	enum json_tokener_error e = json_tokener_get_error(tok);
	size_t end = json_tokener_get_parse_end(tok);
	json_tokener_free(tok);
	if (!o && e == json_tokener_continue)
		snprintf(why, whysz, "it ends at byte %zu, inside the object", len);
	else if (!o)
		snprintf(why, whysz, "%s at byte %zu of %zu", json_tokener_error_desc(e), end, len);
	else if (!json_object_is_type(o, json_type_object))
		snprintf(why, whysz, "not an object");
	else if (end < len)
		snprintf(why, whysz, "more after the object, from byte %zu of %zu", end, len);
	if (why[0]) {
		json_object_put(o);
		return 0;
	}
	json_object_object_foreach(o, key, val) {
		const char *text = json_scalar(val);
		if (text)
			need += strlen(key) + 1 + strlen(text) + 1;
	}
	char *w = kv->buf = malloc(need + 1);
	if (!w) {
		json_object_put(o);
		return -ENOMEM;
	}
	json_object_object_foreach(o, k, v) {
		const char *text = json_scalar(v);
		if (kv->n == KV_MAX || !text)
			continue;
		kv->key[kv->n] = strcpy(w, k);
		w += strlen(k) + 1;
		kv->val[kv->n++] = strcpy(w, text);
		w += strlen(text) + 1;
	}
	json_object_put(o);
	return 0;
}

/* Either syntax; WHY is set (and KV empty) when a JSON value is malformed. */
static int kv_parse(const char *s, const char *implied, struct kv *kv, char *why, size_t whysz)
{
	why[0] = '\0';
	return s[0] == '{' ? kv_from_json(s, kv, why, whysz) : kv_from_opts(s, implied, kv);
}

/* What the options say, before disks and NICs can be resolved: a disk's
 * bus depends on its controller, a NIC's backend on its netdev. */
struct dev {
	char kind;      /* 'd' device, 'c' controller, 'n' netdev, 'r' legacy -drive or -net nic */
	char driver[32];
	char id[32];
	char bus[32];
	char netdev[32];
	char extra[24]; /* -drive if=, -drive media=, netdev vhost, -device mac= */
	bool iothread;
};

struct state {
	struct dev devs[DEVS_MAX];
	size_t ndevs;
	bool dropped;
	char accel[8];
};

static struct dev *new_dev(struct state *st, char kind)
{
	if (st->ndevs == DEVS_MAX) {
		st->dropped = true;
		return NULL;
	}
	struct dev *d = &st->devs[st->ndevs++];
	memset(d, 0, sizeof(*d));
	d->kind = kind;
	return d;
}

#define COPY(dst, v) str_copy(dst, sizeof(dst), v)

bool qemu_is_binary(const char *argv0)
{
	const char *base = strrchr(argv0, '/');
	base = base ? base + 1 : argv0;
	return !strncmp(base, "qemu-system-", 12) || !strcmp(base, "qemu-kvm") || !strcmp(base, "kvm");
}

/* Whether OPT looks like an option's name, and may be quoted in a message:
 * a word that does not could be a value, a secret's among them. */
static bool option_name(const char *opt)
{
	size_t n = strspn(opt, "abcdefghijklmnopqrstuvwxyz0123456789-");
	return n && n <= 32 && !opt[n];
}

/* Options that take no value; every other option takes the next word. */
static bool option_is_flag(const char *opt)
{
	static const char *const flags[] = {
		"S",	      "snapshot",     "nographic",  "no-user-config", "nodefaults",
		"no-shutdown", "no-reboot",   "no-hpet",    "no-acpi",	      "enable-kvm",
		"daemonize",  "full-screen",  "usb",	    "win2k-hack",     "no-fd-bootchk",
		"no-quit",    "enable-fips",  "preconfig",  "nodefconfig",    "s",
		"version",    "h",	      "help",	    "only-migratable", "no-frame",
		"alt-grab",   "ctrl-grab",    "rtc-td-hack", "no-kvm",	      "no-kvm-irqchip",
		"no-kvm-pit", "no-kvm-pit-reinjection", "semihosting", "singlestep", "curses",
		"portrait",   "sdl",	      "xen-attach", "enable-sync-profile",
	};
	for (size_t i = 0; i < sizeof(flags) / sizeof(flags[0]); i++)
		if (!strcmp(opt, flags[i]))
			return true;
	return false;
}

static void on_cpu(struct vm_view *v, const struct kv *kv)
{
	const char *model = kv_get(kv, "model");
	if (!model)
		return;
	if (!strcmp(model, "host")) {
		COPY(v->cpu_mode, "host-passthrough");
	} else if (!strcmp(model, "max")) {
		COPY(v->cpu_mode, "maximum");
	} else {
		COPY(v->cpu_mode, "custom");
		COPY(v->cpu_model, model);
	}
}

static void on_object(struct vm_view *v, const struct kv *kv)
{
	const char *type = kv_get(kv, "qom-type");
	const char *path = kv_get(kv, "mem-path");

	if (!type)
		return;
	if (!strcmp(type, "iothread"))
		v->iothreads++;
	else if (!strcmp(type, "memory-backend-file") && path &&
		 (strstr(path, "huge") || strstr(path, "hugetlbfs")))
		v->hugepages = true;
	else if (!strcmp(type, "memory-backend-memfd") && kv_on(kv, "hugetlb"))
		v->hugepages = true;
}

static void on_device(struct state *st, struct vm_view *v, const struct kv *kv)
{
	const char *driver = kv_get(kv, "driver");
	if (!driver)
		return;
	if (!strncmp(driver, "virtio-balloon", 14)) {
		COPY(v->memballoon, "virtio");
		return;
	}
	struct dev *d = new_dev(st, 'd');
	if (!d)
		return;
	COPY(d->driver, driver);
	COPY(d->id, kv_get(kv, "id"));
	COPY(d->bus, kv_get(kv, "bus"));
	COPY(d->netdev, kv_get(kv, "netdev"));
	COPY(d->extra, kv_get(kv, "mac"));
	d->iothread = kv_get(kv, "iothread") || kv_get(kv, "iothread-vq-mapping");
}

static void on_netdev(struct state *st, const struct kv *kv)
{
	struct dev *d = new_dev(st, 'n');
	if (!d)
		return;
	COPY(d->driver, kv_get(kv, "type"));
	COPY(d->id, kv_get(kv, "id"));
	COPY(d->extra, kv_on(kv, "vhost") ? "vhost" : "");
}

/* Legacy "-drive if=ide,..." (a disk on its own) and "-net nic,model=". */
static void on_legacy(struct state *st, const char *opt, const struct kv *kv)
{
	struct dev *d;

	if (!strcmp(opt, "drive")) {
		const char *iface = kv_get(kv, "if");
		if (iface && (!strcmp(iface, "none") || !strcmp(iface, "pflash") || !strcmp(iface, "mtd")))
			return; /* a backend for -device, or firmware */
		if (!(d = new_dev(st, 'r')))
			return;
		COPY(d->driver, "drive");
		COPY(d->bus, iface ? iface : "ide"); /* QEMU's default interface */
		COPY(d->id, kv_get(kv, "id"));
		COPY(d->extra, kv_get(kv, "media"));
	} else {
		const char *type = kv_get(kv, "type");
		const char *model = kv_get(kv, "model");
		/* "-net nic,model=X" and "-nic BACKEND,model=X" both make a NIC */
		if ((!strcmp(opt, "net") && (!type || strcmp(type, "nic"))) || !(d = new_dev(st, 'r')))
			return;
		COPY(d->driver, "nic");
		COPY(d->extra, model ? model : "");
		if (!strcmp(opt, "nic"))
			COPY(d->netdev, type && !strcmp(type, "tap") && kv_on(kv, "vhost") ? "vhost" : "qemu");
	}
}

static const struct dev *find(const struct state *st, char kind, const char *id)
{
	for (size_t i = 0; i < st->ndevs; i++)
		if (st->devs[i].kind == kind && st->devs[i].id[0] && !strcmp(st->devs[i].id, id))
			return &st->devs[i];
	return NULL;
}

static bool machine_is_q35(const struct vm_view *v)
{
	return strstr(v->machine, "q35") != NULL;
}

/* The libvirt name of a SCSI controller device. */
static const char *scsi_model(const char *driver)
{
	static const struct {
		const char *driver, *model;
	} map[] = {
		{ "lsi", "lsilogic" },		{ "lsi53c895a", "lsilogic" }, { "lsi53c810", "lsilogic" },
		{ "mptsas1068", "lsisas1068" }, { "megasas", "lsisas1078" },  { "megasas-gen2", "lsisas1078" },
		{ "pvscsi", "vmpvscsi" },	{ "spapr-vscsi", "ibmvscsi" }, { "am53c974", "am53c974" },
		{ "dc390", "dc390" },
	};
	if (!strncmp(driver, "virtio-scsi", 11))
		return "virtio-scsi";
	for (size_t i = 0; i < sizeof(map) / sizeof(map[0]); i++)
		if (!strcmp(driver, map[i].driver))
			return map[i].model;
	return NULL;
}

/* The controller a "bus" property names: "sata0.0" is controller sata0. */
static const struct dev *controller_of(const struct state *st, const char *bus)
{
	char id[32];
	snprintf(id, sizeof(id), "%.*s", (int)strcspn(bus, "."), bus);
	return find(st, 'd', id);
}

/* ide-hd sits on IDE, or on AHCI where its bus is an AHCI controller's
 * (q35's built-in one is called "ide" too). */
static const char *ide_bus(const struct state *st, const struct vm_view *v, const char *bus)
{
	const struct dev *c = *bus ? controller_of(st, bus) : NULL;
	if (c)
		return strstr(c->driver, "ahci") ? "sata" : "ide";
	return machine_is_q35(v) ? "sata" : "ide";
}

static int add_disk(struct vm_view *v, const char *id, const char *device, const char *bus,
		    const char *controller, bool iothread)
{
	struct vm_disk *disk = vm_view_add_disk(v);
	if (!disk)
		return -ENOMEM;
	COPY(disk->target, id);
	COPY(disk->device, device);
	COPY(disk->bus, bus);
	COPY(disk->controller, controller);
	disk->iothread = iothread;
	return 0;
}

static int resolve_disk(const struct state *st, struct vm_view *v, const struct dev *d)
{
	const char *drv = d->driver;

	if (!strncmp(drv, "virtio-blk", 10) || !strncmp(drv, "vhost-user-blk", 14))
		return add_disk(v, d->id, "disk", "virtio", "", d->iothread);
	if (!strcmp(drv, "ide-hd") || !strcmp(drv, "ide-cd") || !strcmp(drv, "ide-drive"))
		return add_disk(v, d->id, strcmp(drv, "ide-cd") ? "disk" : "cdrom", ide_bus(st, v, d->bus),
				"", false);
	if (!strcmp(drv, "scsi-hd") || !strcmp(drv, "scsi-cd") || !strcmp(drv, "scsi-block") ||
	    !strcmp(drv, "scsi-disk")) {
		const struct dev *c = controller_of(st, d->bus);
		const char *model = c ? scsi_model(c->driver) : NULL;
		return add_disk(v, d->id,
				!strcmp(drv, "scsi-cd") ? "cdrom" : !strcmp(drv, "scsi-block") ? "lun" : "disk",
				"scsi", model ? model : "", c && c->iothread);
	}
	if (!strcmp(drv, "floppy"))
		return add_disk(v, d->id, "floppy", "fdc", "", false);
	if (!strcmp(drv, "usb-storage"))
		return add_disk(v, d->id, "disk", "usb", "", false);
	if (!strcmp(drv, "nvme"))
		return add_disk(v, d->id, "disk", "nvme", "", false);
	return 0;
}

static const char *nic_model(const char *driver)
{
	return !strncmp(driver, "virtio-net", 10) || !strcmp(driver, "virtio") ? "virtio" : driver;
}

static int add_nic(struct vm_view *v, const char *id, const char *mac, const char *type,
		   const char *model, const char *backend)
{
	struct vm_nic *nic = vm_view_add_nic(v);
	if (!nic)
		return -ENOMEM;
	COPY(nic->id, id);
	COPY(nic->mac, mac);
	COPY(nic->type, type);
	COPY(nic->model, nic_model(model));
	COPY(nic->backend, backend);
	return 0;
}

static int resolve(const struct state *st, struct vm_view *v)
{
	int err = 0;

	for (size_t i = 0; i < st->ndevs && !err; i++) {
		const struct dev *d = &st->devs[i];
		if (d->kind == 'd' && d->netdev[0]) {
			const struct dev *n = find(st, 'n', d->netdev);
			const char *type = n ? n->driver : "";
			/* tap without vhost=on runs virtio-net in QEMU's own thread */
			const char *backend = !strcmp(type, "tap") ? (n->extra[0] ? "vhost" : "qemu") : "";
			err = add_nic(v, d->id, d->extra, type, d->driver, backend);
		} else if (d->kind == 'd') {
			err = resolve_disk(st, v, d);
		} else if (d->kind == 'r' && !strcmp(d->driver, "nic")) {
			err = add_nic(v, d->id, "", "", d->extra[0] ? d->extra : vm_default_nic_model(v->arch),
				      d->netdev);
		} else if (d->kind == 'r') {
			const char *iface = d->bus;
			const char *bus = !strcmp(iface, "ide") ? (machine_is_q35(v) ? "sata" : "ide")
					  : !strcmp(iface, "floppy") ? "fdc"
								      : iface;
			err = add_disk(v, d->id, !strcmp(d->extra, "cdrom") ? "cdrom" : "disk", bus,
				       !strcmp(iface, "scsi") ? "lsilogic" : "", false);
		}
	}
	return err;
}

/* Applies one option with its value. */
static int apply(struct state *st, struct qemu_args *out, const char *opt, const char *val,
		 size_t word, char *err, size_t errsz)
{
	static const struct {
		const char *opt, *implied;
	} implied[] = {
		{ "name", "guest" }, { "machine", "type" }, { "M", "type" },   { "accel", "accel" },
		{ "cpu", "model" },  { "smp", "cpus" },	    { "device", "driver" }, { "netdev", "type" },
		{ "object", "qom-type" }, { "drive", NULL }, { "net", "type" }, { "nic", "type" },
		{ "overcommit", NULL }, { "realtime", NULL },
	};
	struct vm_view *v = &out->view;
	const char *imp = NULL;
	bool known = false;
	char why[96];
	struct kv kv;

	if (!strcmp(opt, "uuid")) {
		COPY(out->uuid, val);
		return 0;
	}
	if (!strcmp(opt, "mem-path")) {
		v->hugepages = true;
		return 0;
	}
	for (size_t i = 0; i < sizeof(implied) / sizeof(implied[0]) && !known; i++)
		if (!strcmp(opt, implied[i].opt)) {
			known = true;
			imp = implied[i].implied;
		}
	if (!known)
		return 0;
	int rc = kv_parse(val, imp, &kv, why, sizeof(why));
	if (rc)
		return rc;
	if (why[0]) {
		snprintf(err, errsz, "-%s: its JSON value is malformed (word %zu): %s", opt, word, why);
		return -EINVAL;
	}
	if (!strcmp(opt, "name")) {
		COPY(out->name, kv_get(&kv, "guest"));
	} else if (!strcmp(opt, "machine") || !strcmp(opt, "M")) {
		const char *type = kv_get(&kv, "type"), *accel = kv_get(&kv, "accel");
		if (type)
			COPY(v->machine, type);
		if (accel)
			snprintf(st->accel, sizeof(st->accel), "%.*s", (int)strcspn(accel, ":"), accel);
		if (kv_get(&kv, "hpet"))
			v->hpet = kv_on(&kv, "hpet");
	} else if (!strcmp(opt, "accel")) {
		COPY(st->accel, kv_get(&kv, "accel"));
	} else if (!strcmp(opt, "cpu")) {
		on_cpu(v, &kv);
	} else if (!strcmp(opt, "smp")) {
		long n;
		const char *cpus = kv_get(&kv, "cpus");
		if (cpus && !parse_long(cpus, &n) && n > 0 && n <= CPUSET_MAX)
			v->vcpus = (int)n;
	} else if (!strcmp(opt, "device")) {
		on_device(st, v, &kv);
	} else if (!strcmp(opt, "netdev")) {
		on_netdev(st, &kv);
	} else if (!strcmp(opt, "object")) {
		on_object(v, &kv);
	} else if (!strcmp(opt, "drive") || !strcmp(opt, "net") || !strcmp(opt, "nic")) {
		on_legacy(st, opt, &kv);
	} else if (!strcmp(opt, "overcommit")) {
		v->locked |= kv_on(&kv, "mem-lock");
	} else if (!strcmp(opt, "realtime")) {
		v->locked |= kv_on(&kv, "mlock");
	}
	kv_free(&kv);
	return 0;
}

int qemu_args_parse(const char *cmdline, size_t len, struct qemu_args *out, char *err, size_t errsz)
{
	struct state *st = calloc(1, sizeof(*st));
	/* the last word of a truncated command line has no NUL of its own */
	char *buf = malloc(len + 1);
	const char *end = buf + len;
	int rc = 0;

	memset(out, 0, sizeof(*out));
	vm_view_init(&out->view);
	if (!st || !buf) {
		free(st);
		free(buf);
		return -ENOMEM;
	}
	memcpy(buf, cmdline, len);
	buf[len] = '\0';
	if (!len || !memchr(buf, '\0', len) || !qemu_is_binary(buf)) {
		snprintf(err, errsz, "not a QEMU command line");
		free(st);
		free(buf);
		return -EINVAL;
	}
	const char *argv0 = buf, *base = strrchr(argv0, '/');
	base = base ? base + 1 : argv0;
	if (!strncmp(base, "qemu-system-", 12))
		COPY(out->view.arch, base + 12);
	out->view.vcpus = 1;
	COPY(out->view.cpu_mode, "custom");

	size_t words = 1;
	for (const char *p = buf + strlen(buf) + 1; p < end && !rc; words++) {
		const char *w = p;
		size_t wl = strnlen(w, (size_t)(end - w));
		p = w + wl + 1;
		if (words >= QEMU_ARGS_MAX) {
			snprintf(err, errsz, "more than %d words", QEMU_ARGS_MAX);
			rc = -EINVAL;
			break;
		}
		if (w[0] != '-' || !w[1])
			continue; /* a disk image given without an option, or stray */
		const char *opt = w + 1 + (w[1] == '-');
		if (!strcmp(opt, "enable-kvm")) {
			COPY(st->accel, "kvm");
			continue;
		}
		if (!strcmp(opt, "no-hpet")) {
			out->view.hpet = 0;
			continue;
		}
		if (option_is_flag(opt))
			continue;
		if (p >= end) {
			if (option_name(opt))
				snprintf(err, errsz, "'%s' has no value", w);
			else
				snprintf(err, errsz, "word %zu, an option, has no value", words);
			rc = -EINVAL;
			break;
		}
		const char *val = p;
		p = val + strnlen(val, (size_t)(end - val)) + 1;
		words++;
		rc = apply(st, out, opt, val, words, err, errsz);
	}
	if (!rc) {
		/* QEMU runs without KVM unless told: TCG, everything emulated */
		COPY(out->view.type, !strcmp(st->accel, "kvm") ? "kvm" : "qemu");
		rc = resolve(st, &out->view);
		if (rc == -ENOMEM)
			snprintf(err, errsz, "out of memory");
		else if (st->dropped) {
			snprintf(err, errsz, "more than %d devices", DEVS_MAX);
			rc = -EINVAL;
		}
	}
	if (rc)
		vm_view_free(&out->view);
	free(st);
	free(buf);
	return rc;
}

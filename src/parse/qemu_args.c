#include "qemu_args.h"

#include <errno.h>
#include <json-c/json.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "text.h"

#define KV_MAX 128
#define DEVS_MAX 1024
/* block nodes: a libvirt disk has two (storage and format) */
#define NODES_MAX 2048

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

/* An array of small integers ("host-nodes":[0,1]) as the list "0,1" in
 * OUT; false for any other array, or one too long for OUT. */
static bool json_int_list(json_object *v, char *out, size_t outsz)
{
	size_t n = json_object_is_type(v, json_type_array) ? json_object_array_length(v) : 0, len = 0;

	out[0] = '\0';
	if (!n)
		return false;
	for (size_t i = 0; i < n; i++) {
		json_object *e = json_object_array_get_idx(v, i);
		int64_t x = json_object_is_type(e, json_type_int) ? json_object_get_int64(e) : -1;
		int w = x >= 0 && x < 1 << 20 ? snprintf(out + len, outsz - len, "%s%lld", i ? "," : "", (long long)x)
					       : -1;
		if (w < 0 || (size_t)w >= outsz - len) {
			out[0] = '\0';
			return false;
		}
		len += (size_t)w;
	}
	return true;
}

/* Room for KEY=TEXT in KV's buffer at *W (already sized): appended. */
static void kv_put(struct kv *kv, char **w, const char *key, const char *text)
{
	if (kv->n == KV_MAX)
		return;
	kv->key[kv->n] = strcpy(*w, key);
	*w += strlen(key) + 1;
	kv->val[kv->n++] = strcpy(*w, text);
	*w += strlen(text) + 1;
}

/* Calls EACH for every member of O as KEY and TEXT: scalars as they are,
 * arrays of integers as lists, and the scalars of a nested object (a
 * -blockdev's "cache":{"direct":true}) as "cache.direct", the dotted name
 * QEMU's other syntax gives them. Deeper nesting is left out. */
static void json_members(json_object *o, void (*each)(void *, const char *, const char *), void *arg)
{
	char key[80], list[64];

	json_object_object_foreach(o, k, v) {
		const char *text = json_scalar(v);
		if (text) {
			each(arg, k, text);
		} else if (json_int_list(v, list, sizeof(list))) {
			each(arg, k, list);
		} else if (json_object_is_type(v, json_type_object)) {
			json_object_object_foreach(v, k2, v2) {
				const char *t2 = json_scalar(v2);
				if (t2 && snprintf(key, sizeof(key), "%s.%s", k, k2) < (int)sizeof(key))
					each(arg, key, t2);
			}
		}
	}
}

static void count_member(void *arg, const char *key, const char *text)
{
	*(size_t *)arg += strlen(key) + 1 + strlen(text) + 1;
}

struct put_arg {
	struct kv *kv;
	char *w;
};

static void put_member(void *arg, const char *key, const char *text)
{
	struct put_arg *p = arg;
	kv_put(p->kv, &p->w, key, text);
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
	json_members(o, count_member, &need);
	struct put_arg put = { kv, kv->buf = malloc(need + 1) };
	if (!put.w) {
		json_object_put(o);
		return -ENOMEM;
	}
	json_members(o, put_member, &put);
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
 * bus depends on its controller, a NIC's backend on its netdev, its cache
 * and aio modes on the block nodes under it. */
struct dev {
	char kind;      /* 'd' device, 'n' netdev, 'r' legacy -drive or -net nic */
	char driver[32];
	char id[32];
	char bus[32];
	char netdev[32];
	char drive[32];   /* -device drive=: the block node (or -drive id) it reads */
	char mac[18];     /* -device mac= */
	char extra[24];   /* -drive if=, -drive media=, -net nic model= */
	char write_cache[8]; /* -device write-cache= */
	bool iothread, vhost;
	int queues;       /* netdev queues= or the count of its fds= */
};

/* A block node (-blockdev) or a backend -drive if=none: where a disk's
 * cache and aio modes are said. */
struct node {
	char name[32];  /* node-name, or the -drive id */
	char file[32];  /* the node under it (a format node's "file") */
	char cache[16]; /* -drive cache=: libvirt's name of the mode */
	char aio[12];
	signed char direct, no_flush; /* cache.direct, cache.no-flush: 1, 0, -1 not said */
	bool readonly;
};

struct state {
	struct dev devs[DEVS_MAX];
	size_t ndevs;
	struct node nodes[NODES_MAX];
	size_t nnodes;
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

static struct node *new_node(struct state *st)
{
	if (st->nnodes == NODES_MAX) {
		st->dropped = true;
		return NULL;
	}
	struct node *n = &st->nodes[st->nnodes++];
	memset(n, 0, sizeof(*n));
	n->direct = n->no_flush = -1;
	return n;
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

/* Whether a -cpu property turns a feature off: "-pcid", "pcid=off". */
static bool feature_turned_off(const char *key, const char *val, const char **name)
{
	bool on = !strcmp(val, "on") || !strcmp(val, "true") || !strcmp(val, "yes");
	if (key[0] == '-' || key[0] == '+') {
		*name = key + 1;
		return key[0] == '-' && on; /* "-pcid" is a bare flag: on */
	}
	*name = key;
	return !strcmp(val, "off") || !strcmp(val, "false") || !strcmp(val, "no");
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
	for (size_t i = 0; i < kv->n; i++) {
		const char *name;
		int bit;
		if (strcmp(kv->key[i], "model") && feature_turned_off(kv->key[i], kv->val[i], &name) && (bit = vm_cpu_feature_bit(name)) >= 0)
			v->cpu_features_off |= 1u << bit;
	}
}

/* A size the way QEMU reads one: a number with an optional k, M, G or T
 * suffix, DFLT_SHIFT bits when it has none (20 for -m: megabytes, 0 for a
 * backend's bytes). In KiB, -1 when malformed. */
static long long size_kib(const char *s, int dflt_shift)
{
	char *end;
	errno = 0;
	unsigned long long n = strtoull(s, &end, 10);
	int shift = dflt_shift;

	if (end == s || errno || *s == '-')
		return -1;
	if (*end) {
		static const char units[] = "kMGT";
		const char *u = strchr(units, *end == 'K' ? 'k' : *end == 'm' ? 'M' : *end == 'g' ? 'G' : *end);
		if (!u || !*u || end[1])
			return -1;
		shift = 10 * (int)(u - units + 1);
	}
	/* a hostile size past any machine's memory is no size */
	if (shift >= 10 ? n > (1ULL << 53) >> (shift - 10) : n > 1ULL << 60)
		return -1;
	return shift >= 10 ? (long long)(n << (shift - 10)) : (long long)((n + 1023) / 1024);
}

/* The huge page size of a hugetlbfs mount path, by the names libvirt and
 * distributions give the mounts (/dev/hugepages1G, /dev/hugepages2M); 0
 * for the host's default size. */
static long mount_page_kib(const char *path)
{
	if (strstr(path, "1G") || strstr(path, "1048576"))
		return 1048576;
	if (strstr(path, "2M") || strstr(path, "2048"))
		return 2048;
	return 0;
}

static void on_memory_policy(struct vm_view *v, const struct kv *kv)
{
	const char *nodes = kv_get(kv, "host-nodes"), *policy = kv_get(kv, "policy");
	struct cpuset set = { 0 };

	if (!nodes || !policy || v->numa_mode[0] || cpuset_parse(&set, nodes))
		return;
	COPY(v->numa_mode, !strcmp(policy, "bind") ? "strict" : policy);
	if (cpuset_merge(&v->numa_nodes, &set))
		v->numa_mode[0] = '\0';
	cpuset_clear(&set);
}

static void on_object(struct vm_view *v, const struct kv *kv)
{
	const char *type = kv_get(kv, "qom-type");
	const char *path = kv_get(kv, "mem-path");

	if (!type)
		return;
	if (!strcmp(type, "iothread")) {
		v->iothreads++;
	} else if (!strcmp(type, "memory-backend-file") && path &&
		   (strstr(path, "huge") || strstr(path, "hugetlbfs"))) {
		v->hugepages = true;
		if (!v->hugepage_kib)
			v->hugepage_kib = mount_page_kib(path);
	} else if (!strcmp(type, "memory-backend-memfd") && kv_on(kv, "hugetlb")) {
		const char *size = kv_get(kv, "hugetlbsize");
		long long kib = size ? size_kib(size, 0) : 0;
		v->hugepages = true;
		if (!v->hugepage_kib && kib > 0 && kib <= 16777216)
			v->hugepage_kib = (long)kib;
	}
	if (!strncmp(type, "memory-backend-", 15))
		on_memory_policy(v, kv);
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
	COPY(d->drive, kv_get(kv, "drive"));
	COPY(d->mac, kv_get(kv, "mac"));
	COPY(d->write_cache, kv_get(kv, "write-cache"));
	d->iothread = kv_get(kv, "iothread") || kv_get(kv, "iothread-vq-mapping");
}

/* Queue pairs of a tap netdev: queues=N, or as many as its fds= name
 * ("fds=23:24:25"). 0 when not said. */
static int netdev_queues(const struct kv *kv)
{
	const char *q = kv_get(kv, "queues"), *fds = kv_get(kv, "fds");
	long n;

	if (q)
		return !parse_long(q, &n) && n > 0 && n <= 1024 ? (int)n : 0;
	if (!fds || !*fds)
		return 0;
	n = 1;
	for (const char *p = fds; *p && n <= 1024; p++)
		n += *p == ':';
	return n <= 1024 ? (int)n : 0;
}

static void on_netdev(struct state *st, const struct kv *kv)
{
	struct dev *d = new_dev(st, 'n');
	if (!d)
		return;
	COPY(d->driver, kv_get(kv, "type"));
	COPY(d->id, kv_get(kv, "id"));
	/* a vhost fd handed in is vhost in use, whatever else is said */
	d->vhost = kv_on(kv, "vhost") || kv_get(kv, "vhostfd") || kv_get(kv, "vhostfds");
	d->queues = netdev_queues(kv);
}

/* A block node's cache and aio modes, from either option. */
static void node_modes(struct node *n, const struct kv *kv)
{
	const char *v;

	COPY(n->aio, kv_get(kv, "aio"));
	COPY(n->cache, kv_get(kv, "cache"));
	if ((v = kv_get(kv, "cache.direct")))
		n->direct = kv_on(kv, "cache.direct");
	if ((v = kv_get(kv, "cache.no-flush")))
		n->no_flush = kv_on(kv, "cache.no-flush");
	n->readonly = kv_on(kv, "read-only") || kv_on(kv, "readonly");
}

static void on_blockdev(struct state *st, const struct kv *kv)
{
	struct node *n = new_node(st);
	if (!n)
		return;
	COPY(n->name, kv_get(kv, "node-name"));
	/* a format node names the node under it; a nested one is not followed */
	COPY(n->file, kv_get(kv, "file"));
	node_modes(n, kv);
}

/* Legacy "-drive if=ide,..." (a disk on its own; with if=none, a backend
 * for a -device) and "-net nic,model=". */
static void on_legacy(struct state *st, const char *opt, const struct kv *kv)
{
	struct dev *d;

	if (!strcmp(opt, "drive")) {
		const char *iface = kv_get(kv, "if");
		if (iface && (!strcmp(iface, "pflash") || !strcmp(iface, "mtd")))
			return; /* firmware */
		struct node *n = new_node(st);
		if (!n)
			return;
		COPY(n->name, kv_get(kv, "id"));
		node_modes(n, kv);
		if (iface && !strcmp(iface, "none"))
			return;
		if (!(d = new_dev(st, 'r')))
			return;
		COPY(d->driver, "drive");
		COPY(d->bus, iface ? iface : "ide"); /* QEMU's default interface */
		COPY(d->id, kv_get(kv, "id"));
		COPY(d->extra, kv_get(kv, "media"));
		/* its own node: found by position, an id is optional */
		snprintf(d->drive, sizeof(d->drive), "#%zu", st->nnodes - 1);
	} else {
		const char *type = kv_get(kv, "type");
		const char *model = kv_get(kv, "model");
		/* "-net nic,model=X" and "-nic BACKEND,model=X" both make a NIC */
		if ((!strcmp(opt, "net") && (!type || strcmp(type, "nic"))) || !(d = new_dev(st, 'r')))
			return;
		COPY(d->driver, "nic");
		COPY(d->extra, model ? model : "");
		if (!strcmp(opt, "nic")) {
			COPY(d->netdev, type && !strcmp(type, "tap") && kv_on(kv, "vhost") ? "vhost" : "qemu");
			d->queues = netdev_queues(kv);
		}
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

static const struct node *find_node(const struct state *st, const char *name)
{
	if (name[0] == '#') {
		long i;
		return !parse_long(name + 1, &i) && i >= 0 && (size_t)i < st->nnodes ? &st->nodes[i] : NULL;
	}
	for (size_t i = 0; name[0] && i < st->nnodes; i++)
		if (!strcmp(st->nodes[i].name, name))
			return &st->nodes[i];
	return NULL;
}

/* libvirt's name for the cache mode QEMU's flags make (qemuDomainDiskCachemodeFlags):
 * none is direct with the write cache on, directsync direct without it,
 * writethrough neither, unsafe no flushes. "" when nothing is said. */
static const char *cache_mode(int direct, int no_flush, const char *write_cache)
{
	bool wc_off = !strcmp(write_cache, "off");
	if (direct < 0 && no_flush < 0 && !*write_cache)
		return "";
	if (no_flush == 1)
		return "unsafe";
	if (direct == 1)
		return wc_off ? "directsync" : "none";
	return wc_off ? "writethrough" : "writeback";
}

/* A disk's cache and aio modes and whether it is read-only, from the block
 * nodes under DRIVE: the format node first, then the ones it sits on. */
static void disk_modes(const struct state *st, const char *drive, const char *write_cache,
		       struct vm_disk *disk)
{
	int direct = -1, no_flush = -1;
	const char *cache = "", *aio = "";
	bool readonly = false;
	const struct node *n = *drive ? find_node(st, drive) : NULL;

	/* bounded: a hostile chain of nodes may loop */
	for (int depth = 0; n && depth < 8; depth++) {
		aio = *aio ? aio : n->aio;
		cache = *cache ? cache : n->cache;
		direct = direct >= 0 ? direct : n->direct;
		no_flush = no_flush >= 0 ? no_flush : n->no_flush;
		readonly |= n->readonly;
		n = n->file[0] ? find_node(st, n->file) : NULL;
	}
	COPY(disk->cache, *cache ? cache : cache_mode(direct, no_flush, write_cache));
	COPY(disk->io, aio);
	disk->readonly = readonly;
}

static int add_disk(const struct state *st, struct vm_view *v, const struct dev *d, const char *device,
		    const char *bus, const char *controller, bool iothread)
{
	struct vm_disk *disk = vm_view_add_disk(v);
	if (!disk)
		return -ENOMEM;
	COPY(disk->target, d->id);
	COPY(disk->device, device);
	COPY(disk->bus, bus);
	COPY(disk->controller, controller);
	disk->iothread = iothread;
	disk_modes(st, d->drive, d->write_cache, disk);
	return 0;
}

static int resolve_disk(const struct state *st, struct vm_view *v, const struct dev *d)
{
	const char *drv = d->driver;

	if (!strncmp(drv, "virtio-blk", 10) || !strncmp(drv, "vhost-user-blk", 14))
		return add_disk(st, v, d, "disk", "virtio", "", d->iothread);
	if (!strcmp(drv, "ide-hd") || !strcmp(drv, "ide-cd") || !strcmp(drv, "ide-drive"))
		return add_disk(st, v, d, strcmp(drv, "ide-cd") ? "disk" : "cdrom", ide_bus(st, v, d->bus),
				"", false);
	if (!strcmp(drv, "scsi-hd") || !strcmp(drv, "scsi-cd") || !strcmp(drv, "scsi-block") ||
	    !strcmp(drv, "scsi-disk")) {
		const struct dev *c = controller_of(st, d->bus);
		const char *model = c ? scsi_model(c->driver) : NULL;
		return add_disk(st, v, d,
				!strcmp(drv, "scsi-cd") ? "cdrom" : !strcmp(drv, "scsi-block") ? "lun" : "disk",
				"scsi", model ? model : "", c && c->iothread);
	}
	if (!strcmp(drv, "floppy"))
		return add_disk(st, v, d, "floppy", "fdc", "", false);
	if (!strcmp(drv, "usb-storage"))
		return add_disk(st, v, d, "disk", "usb", "", false);
	if (!strcmp(drv, "nvme"))
		return add_disk(st, v, d, "disk", "nvme", "", false);
	return 0;
}

static const char *nic_model(const char *driver)
{
	return !strncmp(driver, "virtio-net", 10) || !strcmp(driver, "virtio") ? "virtio" : driver;
}

static int add_nic(struct vm_view *v, const char *id, const char *mac, const char *type,
		   const char *model, const char *backend, int queues)
{
	struct vm_nic *nic = vm_view_add_nic(v);
	if (!nic)
		return -ENOMEM;
	COPY(nic->id, id);
	COPY(nic->mac, mac);
	COPY(nic->type, type);
	COPY(nic->model, nic_model(model));
	COPY(nic->backend, backend);
	nic->queues = queues;
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
			/* tap without vhost runs virtio-net in QEMU's own thread */
			const char *backend = !strcmp(type, "tap") ? (n->vhost ? "vhost" : "qemu") : "";
			err = add_nic(v, d->id, d->mac, type, d->driver, backend, n ? n->queues : 0);
		} else if (d->kind == 'd') {
			err = resolve_disk(st, v, d);
		} else if (d->kind == 'r' && !strcmp(d->driver, "nic")) {
			err = add_nic(v, d->id, "", "", d->extra[0] ? d->extra : vm_default_nic_model(v->arch),
				      d->netdev, d->queues);
		} else if (d->kind == 'r') {
			const char *iface = d->bus;
			const char *bus = !strcmp(iface, "ide") ? (machine_is_q35(v) ? "sata" : "ide")
					  : !strcmp(iface, "floppy") ? "fdc"
								      : iface;
			err = add_disk(st, v, d, !strcmp(d->extra, "cdrom") ? "cdrom" : "disk", bus,
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
		{ "overcommit", NULL }, { "realtime", NULL }, { "m", "size" }, { "blockdev", NULL },
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
	} else if (!strcmp(opt, "blockdev")) {
		on_blockdev(st, &kv);
	} else if (!strcmp(opt, "m")) {
		const char *size = kv_get(&kv, "size");
		long long kib = size ? size_kib(size, 20) : -1;
		v->memory_kib = kib > 0 ? kib : 0;
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
			snprintf(err, errsz, "more than %d devices or %d block nodes", DEVS_MAX, NODES_MAX);
			rc = -EINVAL;
		}
	}
	if (rc)
		vm_view_free(&out->view);
	free(st);
	free(buf);
	return rc;
}

#include "domain_xml.h"

#include <errno.h>
#include <libxml/parser.h>
#include <libxml/tree.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "text.h"

#define MAX_CONTROLLERS 64

/* SCSI controllers by index, for the disks that sit on them. */
struct scsi_controller {
	long index;
	char model[24];
	bool iothread;
};

struct controllers {
	struct scsi_controller scsi[MAX_CONTROLLERS];
	size_t count;
};

static bool is(const xmlNode *n, const char *name)
{
	return n->type == XML_ELEMENT_NODE && !strcmp((const char *)n->name, name);
}

static xmlNode *child(const xmlNode *n, const char *name)
{
	for (xmlNode *c = n ? n->children : NULL; c; c = c->next)
		if (is(c, name))
			return c;
	return NULL;
}

/* Copies attribute NAME of N into OUT ("" when absent); true when present. */
static bool attr(const xmlNode *n, const char *name, char *out, size_t outsz)
{
	xmlChar *v = n ? xmlGetProp(n, (const xmlChar *)name) : NULL;

	out[0] = '\0';
	if (!v)
		return false;
	snprintf(out, outsz, "%s", (const char *)v);
	xmlFree(v);
	return true;
}

/* The element's own text, up to OUTSZ: its text and CDATA children only.
 * Entity references are never expanded (a document with a DTD is refused
 * before it gets here; this keeps it so if that ever changes). */
static void text(const xmlNode *n, char *out, size_t outsz)
{
	size_t len = 0;

	out[0] = '\0';
	for (const xmlNode *c = n ? n->children : NULL; c && len + 1 < outsz; c = c->next) {
		if ((c->type != XML_TEXT_NODE && c->type != XML_CDATA_SECTION_NODE) || !c->content)
			continue;
		size_t add = strnlen((const char *)c->content, outsz - 1 - len);
		memcpy(out + len, c->content, add);
		len += add;
		out[len] = '\0';
	}
	trim(out);
}

static long attr_long(const xmlNode *n, const char *name, long dflt)
{
	char buf[32];
	long v;
	return attr(n, name, buf, sizeof(buf)) && !parse_long(buf, &v) ? v : dflt;
}

/* libvirt's cpuset syntax: a kernel list whose items may be "^N" to take
 * N out again ("0-7,^3"). */
static int libvirt_cpuset(const char *spec, struct cpuset *out)
{
	char buf[512], *save = NULL;
	struct cpuset excl = { 0 };
	int err = 0;

	snprintf(buf, sizeof(buf), "%s", spec);
	for (char *item = strtok_r(buf, ",", &save); item && !err; item = strtok_r(NULL, ",", &save)) {
		struct cpuset one = { 0 };
		err = cpuset_parse(&one, item + (*item == '^'));
		if (!err)
			err = cpuset_merge(*item == '^' ? &excl : out, &one);
		cpuset_clear(&one);
	}
	for (int i = 0; i < excl.size; i++)
		if (cpuset_has(&excl, i))
			cpuset_del(out, i);
	cpuset_clear(&excl);
	return err;
}

static void read_cpu(const xmlNode *dom, struct vm_view *v)
{
	const xmlNode *cpu = child(dom, "cpu");

	/* no <cpu>, or one without a mode: custom, with the hypervisor's
	 * default model unless it names one */
	if (!attr(cpu, "mode", v->cpu_mode, sizeof(v->cpu_mode)))
		snprintf(v->cpu_mode, sizeof(v->cpu_mode), "custom");
	if (!strcmp(v->cpu_mode, "custom"))
		text(child(cpu, "model"), v->cpu_model, sizeof(v->cpu_model));
}

static int read_cputune(const xmlNode *dom, struct vm_view *v)
{
	const xmlNode *vcpu = child(dom, "vcpu");
	char buf[512];
	struct cpuset pinned_vcpus = { 0 };
	int err = 0;

	text(vcpu, buf, sizeof(buf));
	long n;
	v->vcpus = !parse_long(buf, &n) && n > 0 && n <= CPUSET_MAX ? (int)n : 1;
	if (attr(vcpu, "cpuset", buf, sizeof(buf)))
		err = libvirt_cpuset(buf, &v->vcpu_cpuset);

	for (const xmlNode *c = child(child(dom, "cputune"), "vcpupin"); c && !err; c = c->next) {
		if (is(c, "vcpupin")) {
			long id = attr_long(c, "vcpu", -1);
			if (id < 0 || id >= v->vcpus || !attr(c, "cpuset", buf, sizeof(buf)))
				continue;
			err = libvirt_cpuset(buf, &v->pinned_cpus);
			if (!err && !cpuset_has(&pinned_vcpus, (int)id)) {
				err = cpuset_add(&pinned_vcpus, (int)id);
				v->vcpus_pinned++;
			}
		} else if (is(c, "emulatorpin")) {
			v->emulator_pinned = true;
		} else if (is(c, "iothreadpin")) {
			v->iothreads_pinned++;
		}
	}
	cpuset_clear(&pinned_vcpus);

	const xmlNode *io = child(dom, "iothreads");
	text(io, buf, sizeof(buf));
	v->iothreads = !parse_long(buf, &n) && n > 0 && n < 1 << 20 ? (int)n : 0;
	int ids = 0;
	for (const xmlNode *c = child(child(dom, "iothreadids"), "iothread"); c; c = c->next)
		ids += is(c, "iothread");
	if (ids > v->iothreads)
		v->iothreads = ids;
	return err == -ENOMEM ? err : 0;
}

static int read_memory(const xmlNode *dom, struct vm_view *v)
{
	const xmlNode *mb = child(dom, "memoryBacking");
	char buf[512];

	v->hugepages = child(mb, "hugepages") != NULL;
	v->locked = child(mb, "locked") != NULL;
	v->nosharepages = child(mb, "nosharepages") != NULL;

	const xmlNode *mem = child(child(dom, "numatune"), "memory");
	if (mem) {
		if (!attr(mem, "mode", v->numa_mode, sizeof(v->numa_mode)))
			snprintf(v->numa_mode, sizeof(v->numa_mode), "strict");
		if (attr(mem, "nodeset", buf, sizeof(buf)) && libvirt_cpuset(buf, &v->numa_nodes) == -ENOMEM)
			return -ENOMEM;
	}

	for (const xmlNode *t = child(child(dom, "clock"), "timer"); t; t = t->next) {
		char name[16], present[8];
		if (is(t, "timer") && attr(t, "name", name, sizeof(name)) && !strcmp(name, "hpet"))
			v->hpet = attr(t, "present", present, sizeof(present)) ? !strcmp(present, "yes") : 1;
	}
	return 0;
}

/* A disk without bus='' gets one from its name, as libvirt does. */
static void bus_from_target(const char *dev, char *bus, size_t sz)
{
	static const struct {
		const char *prefix, *bus;
	} by_name[] = { { "hd", "ide" }, { "sd", "scsi" }, { "vd", "virtio" },
			{ "xvd", "xen" }, { "fd", "fdc" }, { "ubd", "uml" } };
	for (size_t i = 0; i < sizeof(by_name) / sizeof(by_name[0]); i++)
		if (!strncmp(dev, by_name[i].prefix, strlen(by_name[i].prefix))) {
			snprintf(bus, sz, "%s", by_name[i].bus);
			return;
		}
}

/* Whether a disk driver element puts the disk on an I/O thread. */
static bool driver_iothread(const xmlNode *driver)
{
	char buf[16];
	return attr(driver, "iothread", buf, sizeof(buf)) || child(driver, "iothreads");
}

/* libvirt's default SCSI controller: lsilogic on x86, virtio-scsi on the
 * machines without legacy PCI devices (where the NIC default is virtio). */
static const char *default_scsi_model(const char *arch)
{
	return !strcmp(vm_default_nic_model(arch), "virtio") ? "virtio-scsi" : "lsilogic";
}

static void read_controller(const xmlNode *c, const char *arch, struct controllers *ctl)
{
	char type[16];

	if (!attr(c, "type", type, sizeof(type)) || strcmp(type, "scsi") ||
	    ctl->count == MAX_CONTROLLERS)
		return;
	struct scsi_controller *s = &ctl->scsi[ctl->count++];
	s->index = attr_long(c, "index", 0);
	s->iothread = driver_iothread(child(c, "driver"));
	if (!attr(c, "model", s->model, sizeof(s->model)))
		snprintf(s->model, sizeof(s->model), "%s", default_scsi_model(arch));
}

static int read_disk(const xmlNode *d, const struct controllers *ctl, const char *arch,
		     struct vm_view *v)
{
	struct vm_disk *disk = vm_view_add_disk(v);
	const xmlNode *target = child(d, "target"), *driver = child(d, "driver");

	if (!disk)
		return -ENOMEM;
	if (!attr(d, "device", disk->device, sizeof(disk->device)))
		snprintf(disk->device, sizeof(disk->device), "disk");
	attr(target, "dev", disk->target, sizeof(disk->target));
	if (!attr(target, "bus", disk->bus, sizeof(disk->bus)))
		bus_from_target(disk->target, disk->bus, sizeof(disk->bus));
	attr(driver, "cache", disk->cache, sizeof(disk->cache));
	attr(driver, "io", disk->io, sizeof(disk->io));
	attr(driver, "type", disk->format, sizeof(disk->format));
	disk->iothread = driver_iothread(driver);

	if (!strcmp(disk->bus, "scsi")) {
		long index = attr_long(child(d, "address"), "controller", 0);
		bool found = false;
		for (size_t i = 0; i < ctl->count && !found; i++)
			if (ctl->scsi[i].index == index) {
				snprintf(disk->controller, sizeof(disk->controller), "%s", ctl->scsi[i].model);
				disk->iothread |= ctl->scsi[i].iothread;
				found = true;
			}
		/* libvirt adds the controller a disk needs, with the default model */
		if (!found)
			snprintf(disk->controller, sizeof(disk->controller), "%s",
				 default_scsi_model(arch));
	}
	return 0;
}

static int read_interface(const xmlNode *i, const char *arch, struct vm_view *v)
{
	struct vm_nic *nic = vm_view_add_nic(v);
	const xmlNode *driver = child(i, "driver");

	if (!nic)
		return -ENOMEM;
	attr(i, "type", nic->type, sizeof(nic->type));
	attr(child(i, "mac"), "address", nic->id, sizeof(nic->id));
	str_copy(nic->mac, sizeof(nic->mac), nic->id);
	if (!strcmp(nic->type, "hostdev"))
		return 0; /* a host NIC handed to the guest: no model, no emulation */
	if (!attr(child(i, "model"), "type", nic->model, sizeof(nic->model))) {
		snprintf(nic->model, sizeof(nic->model), "%s", vm_default_nic_model(arch));
		nic->model_default = true;
	}
	attr(driver, "name", nic->backend, sizeof(nic->backend));
	return 0;
}

static int read_devices(const xmlNode *dom, struct vm_view *v)
{
	const xmlNode *devs = child(dom, "devices");
	struct controllers ctl = { .count = 0 };
	int err = 0;

	for (const xmlNode *c = devs ? devs->children : NULL; c; c = c->next)
		if (is(c, "controller"))
			read_controller(c, v->arch, &ctl);
	for (const xmlNode *c = devs ? devs->children : NULL; c && !err; c = c->next) {
		if (is(c, "disk"))
			err = read_disk(c, &ctl, v->arch, v);
		else if (is(c, "interface"))
			err = read_interface(c, v->arch, v);
		else if (is(c, "memballoon"))
			attr(c, "model", v->memballoon, sizeof(v->memballoon));
	}
	return err;
}

static int read_domain(const xmlNode *dom, struct domain_xml *out)
{
	struct vm_view *v = &out->view;
	const xmlNode *ostype = child(child(dom, "os"), "type");
	int err;

	attr(dom, "type", v->type, sizeof(v->type));
	text(child(dom, "name"), out->name, sizeof(out->name));
	text(child(dom, "uuid"), out->uuid, sizeof(out->uuid));
	attr(ostype, "arch", v->arch, sizeof(v->arch));
	attr(ostype, "machine", v->machine, sizeof(v->machine));
	read_cpu(dom, v);
	if ((err = read_cputune(dom, v)) || (err = read_memory(dom, v)) ||
	    (err = read_devices(dom, v)))
		return err;
	return 0;
}

/* A DOCTYPE is where entities are declared: stop the parser the moment
 * libxml2 meets one, whatever the document's encoding, before it reads a
 * single declaration. */
static void refuse_dtd(void *ctx, const xmlChar *name, const xmlChar *external_id,
		       const xmlChar *system_id)
{
	xmlParserCtxtPtr ctxt = ctx;
	(void)name;
	(void)external_id;
	(void)system_id;
	ctxt->_private = ctxt; /* seen */
	xmlStopParser(ctxt);
}

int domain_xml_parse(const char *buf, size_t len, struct domain_xml *out, char *err,
		     size_t errsz)
{
	memset(out, 0, sizeof(*out));
	vm_view_init(&out->view);

	if (len > INT32_MAX) {
		snprintf(err, errsz, "too large for a domain XML");
		return -EINVAL;
	}
	xmlParserCtxtPtr ctxt = xmlNewParserCtxt();
	if (!ctxt)
		return -ENOMEM;
	ctxt->sax->internalSubset = refuse_dtd;
	ctxt->_private = NULL;
	/* no XML_PARSE_NOENT: entities are never substituted */
	xmlDocPtr doc = xmlCtxtReadMemory(ctxt, buf, (int)len, NULL, NULL,
					  XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
	if (ctxt->_private || (doc && (doc->intSubset || doc->extSubset))) {
		snprintf(err, errsz, "has a DOCTYPE or entity declaration, which no libvirt "
				     "document has; not read");
		xmlFreeDoc(doc);
		xmlFreeParserCtxt(ctxt);
		return -EINVAL;
	}
	if (!doc) {
		const xmlError *e = xmlCtxtGetLastError(ctxt);
		if (e && e->message) {
			/* its first line: later ones quote the document's bytes
			 * ("Bytes: 0xE9 0x74 ..."), which may be a password's */
			char msg[160];
			snprintf(msg, sizeof(msg), "%.*s", (int)strcspn(e->message, "\n"), e->message);
			trim(msg);
			snprintf(err, errsz, "not well-formed XML: line %d: %s", e->line, msg);
		} else {
			snprintf(err, errsz, "not well-formed XML");
		}
		xmlFreeParserCtxt(ctxt);
		return -EINVAL;
	}
	int rc = 0;
	const xmlNode *root = xmlDocGetRootElement(doc);
	if (root && is(root, "domstatus")) {
		out->status = true;
		out->view.pid = attr_long(root, "pid", 0);
		root = child(root, "domain");
		if (!root) {
			snprintf(err, errsz, "a <domstatus> with no <domain> in it");
			rc = -EINVAL;
		}
	} else if (!root || !is(root, "domain")) {
		snprintf(err, errsz, "not a domain: the document is a <%s>, not a <domain>",
			 root ? (const char *)root->name : "nothing");
		rc = -EINVAL;
	}
	if (!rc) {
		rc = read_domain(root, out);
		if (rc == -ENOMEM)
			snprintf(err, errsz, "out of memory");
		else if (!rc && !out->name[0] && !out->uuid[0]) {
			snprintf(err, errsz, "a <domain> with neither <name> nor <uuid>");
			rc = -EINVAL;
		}
	}
	if (rc)
		vm_view_free(&out->view);
	xmlFreeDoc(doc);
	xmlFreeParserCtxt(ctxt);
	return rc;
}

/* A libvirt domain defined anew with its XML changes (tune --apply --vm
 * NAME), and defined back (revert). The XML is the persistent definition,
 * with its secrets (VIR_DOMAIN_XML_SECURE: defined without them, a VNC
 * password would be lost), so the journal is readable by root alone. The
 * change takes effect at the domain's next start; a running domain keeps
 * what it started with until then. */
#include "tune.h"

#include <errno.h>
#include <libvirt/libvirt.h>
#include <libvirt/virterror.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../lib/escape.h"
#include "../lib/lazy.h"
#include "../lib/libvirt_errors.h"

#define DEFINITION (VIR_DOMAIN_XML_INACTIVE | VIR_DOMAIN_XML_SECURE)

/* A read-write connection to URI and domain NAME in it. */
static int open_domain(const char *uri, const char *name, virConnectPtr *conn, virDomainPtr *dom,
		       char *why, size_t whysz)
{
	const char *missing = lazy_missing(&lazy_libvirt);
	char safe[160];

	*conn = NULL;
	*dom = NULL;
	str_escape(safe, sizeof(safe), name, false);
	if (missing) {
		snprintf(why, whysz, "%s", missing);
		return -1;
	}
	libvirt_quiet();
	if (!(*conn = virConnectOpen(uri))) {
		snprintf(why, whysz, "no read-write answer from libvirt at %s (%s)", uri, libvirt_last_error());
		return -1;
	}
	if (!(*dom = virDomainLookupByName(*conn, name))) {
		snprintf(why, whysz, "libvirt at %s has no domain %s", uri, safe);
		virConnectClose(*conn);
		*conn = NULL;
		return -1;
	}
	return 0;
}

static void close_domain(virConnectPtr conn, virDomainPtr dom)
{
	if (dom)
		virDomainFree(dom);
	if (conn)
		virConnectClose(conn);
}

int domain_apply(struct run *run, const struct plan *p, const char *uri, const char *name)
{
	const struct fix_action **edits = calloc(p->count + 1, sizeof(*edits));
	char fixes[256] = "", uuid[VIR_UUID_STRING_BUFLEN] = "", why[400];
	size_t n = 0;
	virConnectPtr conn = NULL;
	virDomainPtr dom = NULL, defined = NULL;
	char *old = NULL, *new = NULL, *kept = NULL;
	int status = -1;

	if (!edits) {
		snprintf(run->err, sizeof(run->err), "out of memory");
		return -1;
	}
	for (size_t i = 0; i < p->count; i++) {
		const struct change *c = &p->items[i];
		if (c->action->kind != FIX_LIBVIRT || c->state != CHANGE_APPLIES ||
		    strcmp(c->action->target, name))
			continue;
		edits[n++] = c->action;
		if (!strstr(fixes, c->fixes) && strlen(fixes) + strlen(c->fixes) + 3 < sizeof(fixes))
			snprintf(fixes + strlen(fixes), sizeof(fixes) - strlen(fixes), "%s%s",
				 fixes[0] ? ", " : "", c->fixes);
	}
	if (!n) {
		char what[200];
		snprintf(what, sizeof(what), "domain %s: no change planned", name);
		tune_say(run, "nothing", what, NULL, NULL);
		status = 0;
		goto out;
	}
	if (open_domain(uri, name, &conn, &dom, why, sizeof(why))) {
		snprintf(run->err, sizeof(run->err), "%s", why);
		goto out;
	}
	virDomainGetUUIDString(dom, uuid);
	if (!(old = virDomainGetXMLDesc(dom, DEFINITION))) {
		snprintf(run->err, sizeof(run->err), "libvirt did not give domain %s's XML: %s", name,
			 libvirt_last_error());
		goto out;
	}
	if (domain_edit(old, strlen(old), edits, n, &new, why, sizeof(why))) {
		snprintf(run->err, sizeof(run->err), "domain %s: %s", name, why);
		goto out;
	}
	struct jentry e = {
		.op = J_DOMAIN, .path = (char *)name, .finding = fixes, .uri = (char *)uri, .uuid = uuid,
		.old = { .data = old, .len = strlen(old), .present = true },
		.new = { .data = new, .len = strlen(new), .present = true },
	};
	int err = journal_intent(run->w, &e);
	if (err) {
		tune_journal_error(run, err);
		goto out;
	}
	if (!(defined = virDomainDefineXML(conn, new))) {
		snprintf(run->err, sizeof(run->err), "libvirt refused domain %s's new XML: %s", name,
			 libvirt_last_error());
		journal_failed(run->w, e.seq, run->err);
		goto out;
	}
	fault_point("write");
	kept = virDomainGetXMLDesc(defined, DEFINITION);
	bool wrote = !kept || strcmp(kept, old);
	if ((err = journal_done_kept(run->w, e.seq, wrote, kept ? kept : new))) {
		snprintf(run->err, sizeof(run->err), "cannot write the journal %s: %s", run->w->name,
			 strerror(-err));
		goto out;
	}
	char what[200];
	snprintf(what, sizeof(what), "domain %s (%zu change%s)", name, n, n == 1 ? "" : "s");
	tune_say(run, wrote ? "defined" : "already", what, NULL, NULL);
	if (wrote && run->out)
		fprintf(run->out, "           takes effect at its next start%s\n",
			virDomainIsActive(defined) == 1 ? " (it is running: shut it down and start it; "
							  "a reboot from inside is not enough)"
							: "");
	run->made += wrote;
	run->skipped += !wrote;
	status = 0;
out:
	free(old);
	free(new);
	free(kept);
	if (defined)
		virDomainFree(defined);
	close_domain(conn, dom);
	free(edits);
	return status;
}

enum revert_verdict domain_judge(const struct jentry *e, const char *uri, char *now, size_t nowsz,
				 char *why, size_t whysz)
{
	virConnectPtr conn;
	virDomainPtr dom;
	char uuid[VIR_UUID_STRING_BUFLEN] = "";
	enum revert_verdict v;

	if (open_domain(uri ? uri : e->uri, e->path, &conn, &dom, why, whysz))
		return REVERT_FAIL;
	virDomainGetUUIDString(dom, uuid);
	char *cur = virDomainGetXMLDesc(dom, DEFINITION);
	if (!cur) {
		snprintf(why, whysz, "libvirt did not give its XML: %s", libvirt_last_error());
		v = REVERT_FAIL;
	} else if (e->uuid && strcmp(uuid, e->uuid)) {
		snprintf(now, nowsz, "another domain of that name (uuid %.40s)", uuid);
		v = REVERT_REFUSE;
	} else if (e->old.present && !strcmp(cur, e->old.data)) {
		v = REVERT_ALREADY;
	} else if (e->kept.present ? !strcmp(cur, e->kept.data) : !strcmp(cur, e->new.data)) {
		v = REVERT_RESTORE;
	} else {
		snprintf(now, nowsz, "another definition");
		v = REVERT_REFUSE;
	}
	free(cur);
	close_domain(conn, dom);
	return v;
}

int domain_restore(const struct jentry *e, const char *uri, char *why, size_t whysz)
{
	virConnectPtr conn;
	virDomainPtr dom, defined;

	if (open_domain(uri ? uri : e->uri, e->path, &conn, &dom, why, whysz))
		return -1;
	defined = virDomainDefineXML(conn, e->old.data);
	if (!defined)
		snprintf(why, whysz, "libvirt refused the old XML: %s", libvirt_last_error());
	else
		virDomainFree(defined);
	close_domain(conn, dom);
	return defined ? 0 : -1;
}

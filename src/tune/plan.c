/* The plan: the fix actions of every finding, made once each, in the order
 * the drivers want. tune executes these actions; it never reads the
 * advice text. */
#include "tune.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../rules/rules.h"

static bool same_str(const char *a, const char *b)
{
	return a == b || (a && b && !strcmp(a, b));
}

/* Alike: the same change, whichever finding asks for it. */
static bool same_change(const struct fix_action *a, const struct fix_action *b)
{
	return a->kind == b->kind && a->when == b->when && !strcmp(a->target, b->target) &&
	       same_str(a->key, b->key);
}

static void add_fixes(struct change *c, const char *id)
{
	size_t n = strlen(c->fixes), len = strlen(id);
	/* the list holds whole ids: "cpu.freq" is not in "cpu.freq.low" */
	for (const char *p = c->fixes; (p = strstr(p, id)); p += len)
		if ((p == c->fixes || p[-1] == ' ') && (p[len] == ',' || !p[len]))
			return;
	snprintf(c->fixes + n, sizeof(c->fixes) - n, "%s%s", n ? ", " : "", id);
}

static bool debian_like(const struct facts *f)
{
	return facts_os_like(f, "debian") || facts_os_like(f, "ubuntu");
}

static void judge(struct change *c, const struct facts *f, const struct plan_options *o)
{
	const struct fix_action *a = c->action;
	bool runtime = a->when == FIX_RUNTIME;

	c->state = CHANGE_APPLIES;
	c->rank = 100 + (int)a->kind; /* persistent ones by the file they go in */
	if (a->kind != FIX_LIBVIRT && !knob_value_ok(a->want)) {
		c->state = CHANGE_BY_HAND;
		snprintf(c->note, sizeof(c->note), "tune writes only plain values");
		return;
	}
	switch (a->kind) {
	case FIX_SYSFS:
	case FIX_SYSCTL:
	case FIX_MODULE_OPTION:
		if (knob_path(a, c->path, sizeof(c->path))) {
			c->state = CHANGE_BY_HAND;
			c->path[0] = '\0';
			snprintf(c->note, sizeof(c->note), "not a knob tune writes");
		} else if (runtime) {
			c->rank = order_rank(c->path);
		}
		return;
	case FIX_MODULE:
		if (!knob_module_allowed(a->target)) {
			c->state = CHANGE_BY_HAND;
			snprintf(c->note, sizeof(c->note), "not a module tune loads");
		} else if (runtime && !o->live) {
			c->state = CHANGE_LIVE_ONLY;
			snprintf(c->note, sizeof(c->note), "loads into the running kernel: this machine only");
		}
		if (runtime)
			c->rank = 50;
		return;
	case FIX_SERVICE:
		if (!knob_service_allowed(a->target)) {
			c->state = CHANGE_BY_HAND;
			snprintf(c->note, sizeof(c->note), "not a unit tune changes");
		} else if (runtime && !o->live) {
			c->state = CHANGE_LIVE_ONLY;
			snprintf(c->note, sizeof(c->note), "starts a process: this machine only");
		}
		if (runtime)
			c->rank = 51;
		/* the hold is the one unit tune starts or enables; the others
		 * it only disables */
		bool hold = !strcmp(a->target, "latdoc-hold.service");
		if (strcmp(a->want, runtime ? (hold ? "active" : "") : hold ? "enabled" : "disabled")) {
			c->state = CHANGE_BY_HAND;
			snprintf(c->note, sizeof(c->note),
				 "tune starts and enables only latdoc-hold.service, and disables the rest");
		}
		return;
	case FIX_CMDLINE:
		if (runtime || !knob_cmdline_allowed(a->target) || !debian_like(f)) {
			char param[160];
			snprintf(param, sizeof(param), "%s=%s", a->target, a->want);
			c->state = CHANGE_BY_HAND;
			fix_cmdline_text(f, param, c->note, sizeof(c->note));
		}
		return;
	case FIX_LIBVIRT:
		c->rank = 200;
		if (!a->key) {
			/* want "restart": a running domain to start again with its
			 * definition, which tune leaves to whoever runs it */
			c->state = CHANGE_BY_HAND;
			snprintf(c->note, sizeof(c->note), "tune does not restart a domain");
		} else if (!o->vm || strcmp(o->vm, a->target)) {
			c->state = CHANGE_NEEDS_VM;
			snprintf(c->note, sizeof(c->note), "with --vm %s", a->target);
		}
		return;
	case FIX_FILE:
	case FIX_KINDS:
		break;
	}
	c->state = CHANGE_BY_HAND;
	snprintf(c->note, sizeof(c->note), "not a change tune makes");
}

static int by_order(const void *x, const void *y)
{
	const struct change *a = x, *b = y;
	if (a->action->when != b->action->when)
		return a->action->when == FIX_RUNTIME ? -1 : 1;
	if (a->rank != b->rank)
		return a->rank < b->rank ? -1 : 1;
	return a->order < b->order ? -1 : a->order > b->order;
}

int plan_build(const struct report *rep, const struct plan_options *o, struct plan *out)
{
	const char *way = o->cstates == CSTATES_HOLD ? "hold" : "disable";
	size_t cap = 0, order = 0;

	memset(out, 0, sizeof(*out));
	for (size_t i = 0; i < rep->findings.count; i++)
		cap += rep->findings.items[i].nactions;
	if (!cap)
		return 0;
	if (!(out->items = calloc(cap, sizeof(*out->items))))
		return -ENOMEM;
	for (size_t i = 0; i < rep->findings.count; i++) {
		const struct finding *x = &rep->findings.items[i];
		for (size_t k = 0; k < x->nactions; k++, order++) {
			const struct fix_action *a = &x->actions[k];
			struct change *c = NULL;
			if (a->variant && strcmp(a->variant, way))
				continue;
			for (size_t j = 0; j < out->count && !c; j++)
				if (same_change(out->items[j].action, a))
					c = &out->items[j];
			if (c) {
				add_fixes(c, x->id);
				if (strcmp(c->action->want, a->want) && !c->note[0])
					snprintf(c->note, sizeof(c->note), "%s wants %s", x->id, a->want);
				continue;
			}
			c = &out->items[out->count++];
			c->action = a;
			c->order = order;
			add_fixes(c, x->id);
			judge(c, &rep->facts, o);
		}
	}
	/* what --persist made already is no change: a second plan is empty */
	size_t kept = 0;
	for (size_t i = 0; i < out->count; i++) {
		const struct change *c = &out->items[i];
		if (c->action->when == FIX_PERSISTENT && c->state == CHANGE_APPLIES &&
		    persist_in_place(rep->root, c))
			continue;
		out->items[kept++] = *c;
	}
	out->count = kept;
	qsort(out->items, out->count, sizeof(*out->items), by_order);
	return 0;
}

void plan_free(struct plan *p)
{
	free(p->items);
	memset(p, 0, sizeof(*p));
}

size_t plan_count(const struct plan *p, enum fix_when when, enum change_state state)
{
	size_t n = 0;
	for (size_t i = 0; i < p->count; i++)
		n += p->items[i].action->when == when && p->items[i].state == state;
	return n;
}

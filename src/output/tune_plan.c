/* tune's plan for a person (one line per write: target, value now, value
 * wanted, the findings it fixes, what it needs) and for a program. */
#include "output.h"

#include <json-c/json.h>
#include <stdlib.h>
#include <string.h>

#include "../lib/escape.h"
#include "../tune/tune.h"
#include "json_util.h"

static void needs_words(unsigned needs, char *out, size_t outsz)
{
	snprintf(out, outsz, "%s%s%s%s%s", needs & NEEDS_ROOT ? "root" : "",
		 needs & NEEDS_ROOT && needs & (NEEDS_REBOOT | NEEDS_VM_RESTART) ? ", " : "",
		 needs & NEEDS_REBOOT ? "reboot" : "",
		 needs & NEEDS_REBOOT && needs & NEEDS_VM_RESTART ? ", " : "",
		 needs & NEEDS_VM_RESTART ? "VM restart" : "");
}

static const char *state_name(enum change_state s)
{
	static const char *const names[] = { [CHANGE_APPLIES] = "applies",
					      [CHANGE_LIVE_ONLY] = "this machine only",
					      [CHANGE_NEEDS_VM] = "needs --vm",
					      [CHANGE_BY_HAND] = "by hand" };
	return names[s];
}

/* The change in words, without its findings. */
static void change_words(const struct change *c, char *out, size_t outsz)
{
	const struct fix_action *a = c->action;
	char line[1024];

	if (a->when == FIX_PERSISTENT && c->state == CHANGE_APPLIES)
		persist_describe(c, line, sizeof(line));
	else
		fix_action_describe(a, a->target, line, sizeof(line));
	if (!line[0])
		fix_action_describe(a, a->target, line, sizeof(line));
	str_escape(out, outsz, line, false);
}

static void print_section(FILE *out, const struct plan *p,
			  const char *title, bool (*in)(const struct change *))
{
	bool any = false;
	for (size_t i = 0; i < p->count; i++) {
		const struct change *c = &p->items[i];
		char words[1100], needs[64], note[600], fixes[400], line[2200];
		if (!in(c))
			continue;
		if (!any)
			fprintf(out, "\n%s\n", title);
		any = true;
		change_words(c, words, sizeof(words));
		needs_words(c->action->needs, needs, sizeof(needs));
		str_escape(note, sizeof(note), c->note, false);
		str_escape(fixes, sizeof(fixes), c->fixes, false);
		/* one line per write, however long: a plan is read line by line */
		snprintf(line, sizeof(line), "%s%s%s%s  (%s%s%s)%s%s", c->action->variant ? "[" : "",
			 c->action->variant ? c->action->variant : "", c->action->variant ? "] " : "", words,
			 fixes, needs[0] ? "; " : "", needs, note[0] ? ": " : "", note);
		fprintf(out, "  %s\n", line);
	}
}

static bool runtime(const struct change *c)
{
	return c->state == CHANGE_APPLIES && c->action->when == FIX_RUNTIME &&
	       c->action->kind != FIX_LIBVIRT;
}

static bool persistent(const struct change *c)
{
	return c->state == CHANGE_APPLIES && c->action->when == FIX_PERSISTENT &&
	       c->action->kind != FIX_LIBVIRT;
}

static bool domain(const struct change *c)
{
	return c->action->kind == FIX_LIBVIRT;
}

static bool elsewhere(const struct change *c)
{
	return c->state != CHANGE_APPLIES && c->action->kind != FIX_LIBVIRT;
}

/* Findings that cost latency and that no action of theirs fixes: a BIOS
 * profile, a VM that CloudStack, OpenStack or Proxmox builds anew at each
 * start. tune does not make these; the plan says how. */
static bool by_hand(const struct finding *x)
{
	return x->severity >= SEV_WARNING && !x->nactions && (x->fix_persistent || x->fix_runtime);
}

static void print_by_hand(FILE *out, const struct report *rep)
{
	bool any = false;
	for (size_t i = 0; i < rep->findings.count; i++) {
		const struct finding *x = &rep->findings.items[i];
		char head[400];
		if (!by_hand(x))
			continue;
		if (!any)
			fprintf(out, "\nby hand: tune does not make these (the check's advice):\n");
		any = true;
		/* subject and advice were escaped when the rule made them */
		snprintf(head, sizeof(head), "%s on %s:", x->id, x->subject);
		output_wrapped(out, head, 2, 4);
		output_wrapped(out, x->fix_persistent ? x->fix_persistent : x->fix_runtime, 6, 4);
	}
}

json_object *json_by_hand(const struct report *rep)
{
	json_object *a = json_object_new_array();
	for (size_t i = 0; i < rep->findings.count; i++) {
		const struct finding *x = &rep->findings.items[i];
		if (!by_hand(x))
			continue;
		json_object *o = json_object_new_object();
		json_add(o, "id", json_object_new_string(x->id));
		json_add(o, "subject", json_object_new_string(x->subject));
		json_add(o, "advice", json_str_or_null(x->fix_persistent ? x->fix_persistent : x->fix_runtime));
		json_object_array_add(a, o);
	}
	return a;
}

void output_plan_text(FILE *out, const struct report *rep, const struct plan *p)
{
	char root[512];
	str_escape(root, sizeof(root), rep->root_dir, false);
	if (!p->count) {
		fprintf(out, "latdoc tune: nothing to change on %s\n", root);
		print_by_hand(out, rep);
		return;
	}
	fprintf(out, "latdoc tune: %zu change%s for %s; nothing changed yet\n", p->count,
		p->count == 1 ? "" : "s", root);
	print_section(out, p, "runtime, until the next boot (tune --apply):", runtime);
	print_section(out, p, "persistent, from the next boot (tune --persist):", persistent);
	print_section(out, p, "VM definitions, from each domain's next start (tune --apply --vm NAME):",
		      domain);
	print_section(out, p, "not made here:", elsewhere);
	print_by_hand(out, rep);
}

json_object *json_plan(const struct plan *p)
{
	json_object *a = json_object_new_array();
	for (size_t i = 0; i < p->count; i++) {
		const struct change *c = &p->items[i];
		const struct fix_action *x = c->action;
		json_object *o = json_object_new_object(), *fixes = json_object_new_array(),
			    *needs = json_object_new_array();
		char words[1100], ids[sizeof(c->fixes)];
		json_add(o, "kind", json_object_new_string(fix_kind_name(x->kind)));
		json_add(o, "when", json_object_new_string(x->when == FIX_RUNTIME ? "runtime" : "persistent"));
		json_add(o, "target", json_object_new_string(x->target));
		json_add(o, "path", c->path[0] ? json_object_new_string(c->path) : NULL);
		json_add(o, "key", x->key ? json_object_new_string(x->key) : NULL);
		json_add(o, "now", x->now ? json_object_new_string(x->now) : NULL);
		json_add(o, "want", json_object_new_string(x->want));
		json_add(o, "variant", x->variant ? json_object_new_string(x->variant) : NULL);
		snprintf(ids, sizeof(ids), "%s", c->fixes);
		for (char *save = NULL, *t = strtok_r(ids, ", ", &save); t; t = strtok_r(NULL, ", ", &save))
			json_object_array_add(fixes, json_object_new_string(t));
		json_add(o, "fixes", fixes);
		if (x->needs & NEEDS_ROOT)
			json_object_array_add(needs, json_object_new_string("root"));
		if (x->needs & NEEDS_REBOOT)
			json_object_array_add(needs, json_object_new_string("reboot"));
		if (x->needs & NEEDS_VM_RESTART)
			json_object_array_add(needs, json_object_new_string("vm-restart"));
		json_add(o, "needs", needs);
		json_add(o, "state", json_object_new_string(state_name(c->state)));
		json_add(o, "note", json_str_or_null(c->note));
		change_words(c, words, sizeof(words));
		json_add(o, "change", json_object_new_string(words));
		json_object_array_add(a, o);
	}
	return a;
}

/* tune --list: the journals, what each changed, and whether it has been
 * reverted. */
#include "output.h"

#include <json-c/json.h>
#include <stdlib.h>
#include <string.h>

#include "../lib/escape.h"
#include "../tune/tune.h"
#include "json_util.h"

const char *journal_state(const struct journal *j)
{
	if (j->reverts && !j->revert_end)
		return "revert did not finish: run latdoc revert again";
	if (journal_reverted(j))
		return "reverted";
	if (j->reverts)
		return "partly reverted: some values were changed since";
	if (!j->end)
		return "did not finish (a crash?): latdoc revert undoes what it began";
	if (strcmp(j->end, "ok"))
		return "stopped by an error: latdoc revert undoes what it made";
	return "in effect";
}

static size_t made(const struct journal *j)
{
	size_t n = 0;
	for (size_t i = 0; i < j->count; i++)
		n += j->entries[i].wrote || !j->entries[i].done;
	return n;
}

/* The entries as fix actions, to be grouped the way check groups them:
 * eight policies' governors are one line. */
static void print_group(const struct fix_action *a, const char *target, size_t n, void *arg)
{
	FILE *out = arg;
	char line[1200], safe[1300];
	if (!strcmp(a->variant, "set"))
		snprintf(line, sizeof(line), "set      /%s: %s -> %s", target, a->now ? a->now : "?",
			 a->want);
	else
		snprintf(line, sizeof(line), "%-8s %s%s", a->variant,
			 !strcmp(a->variant, "domain") || !strcmp(a->variant, "module") ||
				     !strcmp(a->variant, "service")
			     ? ""
			     : "/",
			 target);
	str_escape(safe, sizeof(safe), line, false);
	if (n > 1)
		fprintf(out, "    %s (%zu)\n", safe, n);
	else
		fprintf(out, "    %s\n", safe);
}

static void print_changes(FILE *out, const struct journal *j)
{
	struct finding x = { 0 };
	char (*vals)[2][128] = calloc(j->count + 1, sizeof(*vals));
	x.actions = calloc(j->count + 1, sizeof(*x.actions));
	if (!x.actions || !vals) {
		free(x.actions);
		free(vals);
		return;
	}
	for (size_t i = 0; i < j->count; i++) {
		const struct jentry *e = &j->entries[i];
		struct fix_action *a = &x.actions[x.nactions++];
		a->kind = FIX_FILE;
		a->when = FIX_RUNTIME;
		a->target = e->path;
		a->variant = jop_name(e->op);
		if (e->op == J_SET) {
			knob_value(e->old.data, e->old.len, vals[i][0], sizeof(vals[i][0]));
			knob_value(e->new.data, e->new.len, vals[i][1], sizeof(vals[i][1]));
			a->now = vals[i][0];
			a->want = vals[i][1];
		} else {
			a->want = "";
		}
	}
	fix_action_groups(&x, FIX_RUNTIME, print_group, out);
	free(x.actions);
	free(vals);
}

void output_journals_text(FILE *out, const struct journal *js, size_t n)
{
	if (!n) {
		fprintf(out, "no journals: latdoc tune --apply or --persist has not changed anything here\n");
		return;
	}
	for (size_t i = 0; i < n; i++) {
		const struct journal *j = &js[i];
		char cmd[300], name[300], started[64];
		str_escape(cmd, sizeof(cmd), j->command ? j->command : "?", false);
		str_escape(name, sizeof(name), j->name, false);
		str_escape(started, sizeof(started), j->started ? j->started : "?", false);
		fprintf(out, "%s%s  %s  %s\n    %zu change%s: %s\n", i ? "\n" : "", name, started, cmd,
			made(j), made(j) == 1 ? "" : "s", journal_state(j));
		print_changes(out, j);
	}
}

json_object *json_journals(const struct journal *js, size_t n)
{
	json_object *a = json_object_new_array();
	for (size_t i = 0; i < n; i++) {
		const struct journal *j = &js[i];
		json_object *o = json_object_new_object(), *changes = json_object_new_array();
		json_add(o, "name", json_object_new_string(j->name));
		json_add(o, "started", json_str_or_null(j->started));
		json_add(o, "command", json_str_or_null(j->command));
		json_add(o, "host", json_str_or_null(j->host));
		json_add(o, "state", json_object_new_string(journal_state(j)));
		json_add(o, "end", json_str_or_null(j->end));
		json_add(o, "reverted", json_str_or_null(j->revert_end));
		for (size_t k = 0; k < j->count; k++) {
			const struct jentry *e = &j->entries[k];
			json_object *c = json_object_new_object();
			json_add(c, "seq", json_object_new_int(e->seq));
			json_add(c, "op", json_object_new_string(jop_name(e->op)));
			json_add(c, "path", json_object_new_string(e->path));
			json_add(c, "finding", json_str_or_null(e->finding));
			if (e->op == J_SET) {
				char v[128];
				knob_value(e->old.data, e->old.len, v, sizeof(v));
				json_add(c, "old", json_object_new_string(v));
				knob_value(e->new.data, e->new.len, v, sizeof(v));
				json_add(c, "new", json_object_new_string(v));
			}
			json_add(c, "done", json_object_new_boolean(e->done));
			json_add(c, "wrote", json_object_new_boolean(e->wrote));
			json_add(c, "failed", json_str_or_null(e->failed));
			json_add(c, "reverted", json_str_or_null(e->undone));
			json_object_array_add(changes, c);
		}
		json_add(o, "changes", changes);
		if (j->prove)
			json_add(o, "prove", json_tokener_parse(j->prove));
		json_object_array_add(a, o);
	}
	return a;
}

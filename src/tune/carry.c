/* The runtime changes of earlier runs, carried into the plan as persistent
 * ones. A `tune --apply` fixes the findings until the next boot, and the
 * findings are then gone: a later `tune --persist` would find nothing to
 * keep. So the runtime changes of each journal in effect (never reverted),
 * where they still show what the run set, become persistent fix actions of
 * a finding named after the journal. */
#include "tune.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../root/root.h"

/* The persistent action that keeps what E set, if E still shows it: added
 * to X, or with X NULL only said (true) or not. */
static bool carry_entry(struct root *r, struct findings *out, struct finding *x,
			const struct jentry *e)
{
	char want[128], now[128], target[300], *cur;
	size_t len;

	if (e->op == J_MODULE) {
		snprintf(target, sizeof(target), "sys/module/%s", e->path);
		if (root_exists(r, target))
			return false;
		finding_action(out, x, FIX_MODULE, FIX_PERSISTENT, NEEDS_ROOT, e->path, NULL, NULL,
			       "loaded");
		return true;
	}
	if (e->op == J_SERVICE) {
		finding_action(out, x, FIX_SERVICE, FIX_PERSISTENT, NEEDS_ROOT, e->path, NULL, NULL,
			       "enabled");
		return true;
	}
	if (e->op != J_SET || !e->new.present || root_read(r, e->path, &cur, &len))
		return false;
	knob_value(cur, len, now, sizeof(now));
	free(cur);
	knob_value(e->new.data, e->new.len, want, sizeof(want));
	if (strcmp(now, want) || !knob_value_ok(want))
		return false; /* changed since, or back: nothing of the run's to keep */
	const char *module = "sys/module/", *params = strstr(e->path, "/parameters/");
	if (!strncmp(e->path, "proc/sys/", 9)) {
		snprintf(target, sizeof(target), "%s", e->path + 9);
		for (char *p = target; *p; p++)
			if (*p == '/')
				*p = '.';
		finding_action(out, x, FIX_SYSCTL, FIX_PERSISTENT, NEEDS_ROOT, target, NULL, NULL, want);
	} else if (!strncmp(e->path, module, strlen(module)) && params) {
		snprintf(target, sizeof(target), "%.*s.%s", (int)(params - e->path - strlen(module)),
			 e->path + strlen(module), params + strlen("/parameters/"));
		finding_action(out, x, FIX_MODULE_OPTION, FIX_PERSISTENT, NEEDS_ROOT, target, NULL, NULL,
			       want);
	} else {
		snprintf(target, sizeof(target), "/%s", e->path);
		finding_action(out, x, FIX_SYSFS, FIX_PERSISTENT, NEEDS_ROOT, target, NULL, NULL, want);
	}
	return true;
}

/* A run told to persist kept its findings' changes the rules' way. */
static bool persisted(const struct journal *j)
{
	return j->command && strstr(j->command, " --persist");
}

/* Whether E fixed a finding whose id starts with ONLY (all when NULL). */
static bool wanted(const struct jentry *e, const char *only)
{
	if (!only)
		return true;
	for (const char *p = e->finding; p && *p; p += strspn(p, ", ")) {
		if (!strncmp(p, only, strlen(only)))
			return true;
		p += strcspn(p, ", ");
	}
	return false;
}

int carry_journals(struct root *r, struct findings *out, const char *only, char ***names_out)
{
	char **names, err[512];
	size_t n;
	int e = journal_list(r, &names, &n);

	*names_out = NULL;
	if (e)
		return e == -ENOMEM ? e : 0; /* no journals to carry */
	for (size_t i = 0; i < n; i++) {
		struct journal j;
		if (journal_load(r, names[i], &j, err, sizeof(err)))
			continue; /* tune --list says what is wrong with it */
		size_t keep = 0;
		for (size_t k = 0; k < j.count && !j.reverts && !persisted(&j); k++)
			keep += j.entries[k].done && wanted(&j.entries[k], only) &&
				carry_entry(r, out, NULL, &j.entries[k]);
		if (keep) {
			struct finding *x = finding_add(out, SEV_INFO, "system",
							"runtime changes of %s, kept for the next boots",
							names[i]);
			if (x)
				x->id = names[i]; /* the caller keeps NAMES while X lives */
			finding_why(out, x, "latdoc tune --apply made them; they last until the next "
					    "boot unless persisted.");
			for (size_t k = 0; k < j.count; k++)
				if (j.entries[k].done && wanted(&j.entries[k], only))
					carry_entry(r, out, x, &j.entries[k]);
		}
		journal_free(&j);
	}
	*names_out = names;
	return out->out_of_memory ? -ENOMEM : 0;
}

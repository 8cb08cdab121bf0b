/* A finding's fix actions in words: one line per group of alike actions,
 * so 96 per-CPU writes read as one line with a count, not 96. */
#include "output.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

static bool same_str(const char *a, const char *b)
{
	return a == b || (a && b && !strcmp(a, b));
}

/* Two targets alike but for their numbers: policy3 and policy12. */
static bool same_shape(const char *a, const char *b)
{
	while (*a && *b) {
		if (isdigit((unsigned char)*a) && isdigit((unsigned char)*b)) {
			while (isdigit((unsigned char)*a))
				a++;
			while (isdigit((unsigned char)*b))
				b++;
			continue;
		}
		if (*a++ != *b++)
			return false;
	}
	return !*a && !*b;
}

static bool alike(const struct fix_action *a, const struct fix_action *b)
{
	return a->kind == b->kind && a->when == b->when && a->needs == b->needs &&
	       same_str(a->variant, b->variant) && same_str(a->now, b->now) &&
	       same_str(a->want, b->want) && same_str(a->key, b->key) &&
	       same_shape(a->target, b->target);
}

/* The targets of GROUP (alike) as one pattern: the numbers that differ
 * become '*'. */
static void target_pattern(const struct fix_action *const *group, size_t n, char *out, size_t outsz)
{
	const char *first = group[0]->target;
	size_t len = 0;
	const char **pos = malloc(n * sizeof(*pos));

	if (!pos) {
		snprintf(out, outsz, "%s", first);
		return;
	}
	for (size_t i = 0; i < n; i++)
		pos[i] = group[i]->target;
	while (*pos[0] && len + 2 < outsz) {
		if (!isdigit((unsigned char)*pos[0])) {
			out[len++] = *pos[0];
			for (size_t i = 0; i < n; i++)
				pos[i]++;
			continue;
		}
		size_t run = strspn(pos[0], "0123456789");
		bool same = true;
		for (size_t i = 1; i < n && same; i++)
			same = strspn(pos[i], "0123456789") == run && !strncmp(pos[i], pos[0], run);
		if (same) {
			size_t k = run < outsz - len - 1 ? run : outsz - len - 1;
			memcpy(out + len, pos[0], k);
			len += k;
		} else {
			out[len++] = '*';
		}
		for (size_t i = 0; i < n; i++)
			pos[i] += strspn(pos[i], "0123456789");
	}
	out[len] = '\0';
	free(pos);
}

void fix_action_describe(const struct fix_action *a, const char *target, char *out, size_t outsz)
{
	const char *now = a->now ? a->now : "";
	const char *was = a->now ? " (now " : "", *end = a->now ? ")" : "";

	switch (a->kind) {
	case FIX_SYSFS:
		if (a->when == FIX_RUNTIME)
			snprintf(out, outsz, "%s: %s%s%s", target, a->now ? a->now : "?",
				 " -> ", a->want);
		else
			snprintf(out, outsz, "at boot (tmpfiles.d): %s = %s", target, a->want);
		return;
	case FIX_SYSCTL:
		snprintf(out, outsz, "%s%s = %s%s%s%s", a->when == FIX_RUNTIME ? "sysctl " : "sysctl.d: ",
			 target, a->want, was, now, end);
		return;
	case FIX_CMDLINE:
		snprintf(out, outsz, "kernel command line: %s=%s, from the next boot", target, a->want);
		return;
	case FIX_MODULE_OPTION:
		if (a->when == FIX_RUNTIME)
			snprintf(out, outsz, "module parameter %s = %s%s%s%s", target, a->want, was, now,
				 end);
		else
			snprintf(out, outsz, "modprobe.d: %s = %s", target, a->want);
		return;
	case FIX_MODULE:
		snprintf(out, outsz, a->when == FIX_RUNTIME ? "load module %s" : "modules-load.d: %s",
			 target);
		return;
	case FIX_SERVICE: {
		/* the unit's state wanted, as the command that makes it */
		const char *verb = !strcmp(a->want, "active")	   ? "start"
				   : !strcmp(a->want, "enabled")  ? "enable"
				   : !strcmp(a->want, "disabled") ? "disable"
								  : a->want;
		snprintf(out, outsz, "systemctl %s %s%s%s%s", verb, target, was, now, end);
		return;
	}
	case FIX_LIBVIRT:
		if (!a->key)
			snprintf(out, outsz, "domain %s: %s (shut it down, wait until virsh domstate says "
				 "\"shut off\", start it)", target, a->want);
		else if (!*a->want)
			snprintf(out, outsz, "domain %s: remove %s, from its next start", target, a->key);
		else
			snprintf(out, outsz, "domain %s: %s = %s%s%s%s, from its next start", target,
				 a->key, a->want, was, now, end);
		return;
	case FIX_FILE:
	case FIX_KINDS:
		snprintf(out, outsz, "%s: %s", target, a->want);
		return;
	}
}

/* Alike actions sort next to each other: by every field, the target by its
 * shape (its numbers aside), then by place, so each group keeps the order
 * its first action had. */
static int compare_str(const char *a, const char *b)
{
	return a == b ? 0 : !a ? -1 : !b ? 1 : strcmp(a, b);
}

static int compare_shape(const char *a, const char *b)
{
	while (*a && *b) {
		bool da = isdigit((unsigned char)*a), db = isdigit((unsigned char)*b);
		if (da && db) {
			a += strspn(a, "0123456789");
			b += strspn(b, "0123456789");
			continue;
		}
		if (da != db || *a != *b)
			return da ? -1 : db ? 1 : (unsigned char)*a - (unsigned char)*b;
		a++;
		b++;
	}
	return (unsigned char)*a - (unsigned char)*b;
}

static int compare_actions(const void *pa, const void *pb, void *arg)
{
	const struct fix_action *all = arg, *a = &all[*(const size_t *)pa], *b = &all[*(const size_t *)pb];
	int c;

	if (a->kind != b->kind)
		return a->kind < b->kind ? -1 : 1;
	if (a->needs != b->needs)
		return a->needs < b->needs ? -1 : 1;
	if ((c = compare_str(a->variant, b->variant)) || (c = compare_str(a->now, b->now)) ||
	    (c = compare_str(a->want, b->want)) || (c = compare_str(a->key, b->key)) ||
	    (c = compare_shape(a->target, b->target)))
		return c;
	return *(const size_t *)pa < *(const size_t *)pb ? -1 : 1;
}

struct group {
	size_t first, start, n; /* the first action's place; its run in the sorted order */
};

static int by_first(const void *pa, const void *pb)
{
	const struct group *a = pa, *b = pb;
	return a->first < b->first ? -1 : a->first > b->first;
}

/* Calls EACH with every group of alike actions of X done WHEN, in the order
 * of each group's first action. Sorting makes it n log n: a 96-CPU host has
 * hundreds of idle-state writes. */
void fix_action_groups(const struct finding *x, enum fix_when when,
		       void (*each)(const struct fix_action *first, const char *target, size_t n,
				    void *arg),
		       void *arg)
{
	size_t *order = malloc((x->nactions + 1) * sizeof(*order)), n = 0, ngroups = 0;
	struct group *groups = malloc((x->nactions + 1) * sizeof(*groups));
	const struct fix_action **members = malloc((x->nactions + 1) * sizeof(*members));
	char target[512];

	if (!order || !groups || !members)
		goto out;
	for (size_t i = 0; i < x->nactions; i++)
		if (x->actions[i].when == when)
			order[n++] = i;
	qsort_r(order, n, sizeof(*order), compare_actions, x->actions);
	for (size_t i = 0; i < n; i++) {
		if (i && alike(&x->actions[order[i - 1]], &x->actions[order[i]])) {
			groups[ngroups - 1].n++;
			continue;
		}
		groups[ngroups++] = (struct group){ .first = order[i], .start = i, .n = 1 };
	}
	qsort(groups, ngroups, sizeof(*groups), by_first);
	for (size_t g = 0; g < ngroups; g++) {
		for (size_t k = 0; k < groups[g].n; k++)
			members[k] = &x->actions[order[groups[g].start + k]];
		target_pattern(members, groups[g].n, target, sizeof(target));
		each(members[0], target, groups[g].n, arg);
	}
out:
	free(order);
	free(groups);
	free(members);
}

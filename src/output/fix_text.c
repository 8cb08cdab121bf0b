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
		if (!*a->want)
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

/* Calls EACH with every group of alike actions of X done WHEN, in order. */
void fix_action_groups(const struct finding *x, enum fix_when when,
		       void (*each)(const struct fix_action *first, const char *target, size_t n,
				    void *arg),
		       void *arg)
{
	bool *taken = calloc(x->nactions + 1, sizeof(*taken));
	const struct fix_action **group = malloc((x->nactions + 1) * sizeof(*group));
	char target[512];

	if (!taken || !group) {
		free(taken);
		free(group);
		return;
	}
	for (size_t i = 0; i < x->nactions; i++) {
		size_t n = 0;
		if (taken[i] || x->actions[i].when != when)
			continue;
		for (size_t j = i; j < x->nactions; j++)
			if (!taken[j] && alike(&x->actions[i], &x->actions[j])) {
				taken[j] = true;
				group[n++] = &x->actions[j];
			}
		target_pattern(group, n, target, sizeof(target));
		each(group[0], target, n, arg);
	}
	free(taken);
	free(group);
}

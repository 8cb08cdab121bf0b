#include "findings.h"

#include "../lib/escape.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const names[] = { "info", "warning", "critical" };

const char *severity_name(enum severity s)
{
	return names[s];
}

const char *fix_kind_name(enum fix_kind k)
{
	static const char *const kinds[FIX_KINDS] = {
		[FIX_SYSFS] = "sysfs",		   [FIX_SYSCTL] = "sysctl",
		[FIX_CMDLINE] = "kernel-cmdline", [FIX_MODULE_OPTION] = "module-option",
		[FIX_MODULE] = "module",	   [FIX_SERVICE] = "service",
		[FIX_LIBVIRT] = "libvirt-domain", [FIX_FILE] = "file",
	};
	return kinds[k];
}

int severity_parse(const char *name, enum severity *out)
{
	for (int i = 0; i < 3; i++) {
		if (!strcmp(name, names[i])) {
			*out = (enum severity)i;
			return 0;
		}
	}
	return -EINVAL;
}

/* A finding's words quote the machine (a VM's name, a governor, a file
 * name from a dump): they are escaped here, once, so that no output can
 * carry a control byte or a line a dump forged. */
static char *vformat(const char *fmt, va_list ap)
{
	char *s = NULL;
	if (vasprintf(&s, fmt, ap) < 0)
		return NULL;
	char *safe = str_escape_dup(s, false);
	free(s);
	return safe;
}

struct finding *finding_add(struct findings *fs, enum severity sev, const char *subject,
			    const char *title_fmt, ...)
{
	va_list ap;

	if (fs->count == fs->cap) {
		size_t cap = fs->cap ? fs->cap * 2 : 16;
		struct finding *items = realloc(fs->items, cap * sizeof(*items));
		if (!items) {
			fs->out_of_memory = true;
			return NULL;
		}
		fs->items = items;
		fs->cap = cap;
	}
	struct finding *f = &fs->items[fs->count];
	memset(f, 0, sizeof(*f));
	f->severity = sev;
	f->subject = str_escape_dup(subject, false);
	va_start(ap, title_fmt);
	f->title = vformat(title_fmt, ap);
	va_end(ap);
	if (!f->subject || !f->title) {
		free(f->subject);
		free(f->title);
		fs->out_of_memory = true;
		return NULL;
	}
	fs->count++;
	return f;
}

void finding_evidence(struct findings *fs, struct finding *f, const char *source,
		      const char *value_fmt, ...)
{
	va_list ap;

	if (!f)
		return;
	struct evidence *e = realloc(f->evidence, (f->nevidence + 1) * sizeof(*e));
	if (!e) {
		fs->out_of_memory = true;
		return;
	}
	f->evidence = e;
	e = &e[f->nevidence];
	e->source = str_escape_dup(source, false);
	va_start(ap, value_fmt);
	e->value = vformat(value_fmt, ap);
	va_end(ap);
	if (!e->source || !e->value) {
		free(e->source);
		free(e->value);
		fs->out_of_memory = true;
		return;
	}
	f->nevidence++;
}

void finding_why(struct findings *fs, struct finding *f, const char *fmt, ...)
{
	va_list ap;

	if (!f)
		return;
	va_start(ap, fmt);
	free(f->why);
	f->why = vformat(fmt, ap);
	va_end(ap);
	if (!f->why)
		fs->out_of_memory = true;
}

void finding_fix(struct findings *fs, struct finding *f, const char *runtime,
		 const char *persistent)
{
	if (!f)
		return;
	free(f->fix_runtime);
	free(f->fix_persistent);
	f->fix_runtime = runtime ? str_escape_dup(runtime, true) : NULL;
	f->fix_persistent = persistent ? str_escape_dup(persistent, true) : NULL;
	if ((runtime && !f->fix_runtime) || (persistent && !f->fix_persistent))
		fs->out_of_memory = true;
}

static char *dup_or_null(const char *s, bool *failed)
{
	char *d = s ? strdup(s) : NULL;
	*failed |= s && !d;
	return d;
}

struct fix_action *finding_action(struct findings *fs, struct finding *f, enum fix_kind kind,
				  enum fix_when when, unsigned needs, const char *target,
				  const char *key, const char *now, const char *want)
{
	bool failed = false;

	if (!f)
		return NULL;
	struct fix_action *a = realloc(f->actions, (f->nactions + 1) * sizeof(*a));
	if (!a) {
		fs->out_of_memory = true;
		return NULL;
	}
	f->actions = a;
	a = &a[f->nactions];
	*a = (struct fix_action){ .kind = kind, .when = when, .needs = needs };
	a->target = dup_or_null(target, &failed);
	a->key = dup_or_null(key, &failed);
	a->now = dup_or_null(now, &failed);
	a->want = dup_or_null(want, &failed);
	if (failed || !a->target || !a->want) {
		free(a->target);
		free(a->key);
		free(a->now);
		free(a->want);
		fs->out_of_memory = true;
		return NULL;
	}
	f->nactions++;
	return a;
}

static int by_cost(const void *a, const void *b)
{
	const struct finding *x = a, *y = b;
	if (x->severity != y->severity)
		return x->severity > y->severity ? -1 : 1;
	if (x->order != y->order)
		return x->order < y->order ? -1 : 1;
	return strcmp(x->subject, y->subject);
}

void findings_sort(struct findings *fs)
{
	if (fs->count)
		qsort(fs->items, fs->count, sizeof(*fs->items), by_cost);
}

int findings_worst(const struct findings *fs)
{
	int worst = -1;
	for (size_t i = 0; i < fs->count; i++)
		if ((int)fs->items[i].severity > worst)
			worst = (int)fs->items[i].severity;
	return worst;
}

void findings_free(struct findings *fs)
{
	for (size_t i = 0; i < fs->count; i++) {
		struct finding *f = &fs->items[i];
		for (size_t j = 0; j < f->nevidence; j++) {
			free(f->evidence[j].source);
			free(f->evidence[j].value);
		}
		free(f->evidence);
		free(f->subject);
		free(f->title);
		free(f->why);
		free(f->fix_runtime);
		free(f->fix_persistent);
		for (size_t j = 0; j < f->nactions; j++) {
			free(f->actions[j].target);
			free(f->actions[j].key);
			free(f->actions[j].now);
			free(f->actions[j].want);
		}
		free(f->actions);
	}
	free(fs->items);
	memset(fs, 0, sizeof(*fs));
}

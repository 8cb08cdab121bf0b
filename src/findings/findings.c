#include "findings.h"

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

static char *vformat(const char *fmt, va_list ap)
{
	char *s = NULL;
	return vasprintf(&s, fmt, ap) < 0 ? NULL : s;
}

struct finding *finding_add(struct findings *fs, const char *id, enum severity sev,
			    const char *subject, const char *title_fmt, ...)
{
	struct finding *items = realloc(fs->items, (fs->count + 1) * sizeof(*items));
	va_list ap;

	if (!items) {
		fs->out_of_memory = true;
		return NULL;
	}
	fs->items = items;
	struct finding *f = &items[fs->count];
	memset(f, 0, sizeof(*f));
	f->id = id;
	f->severity = sev;
	f->subject = strdup(subject);
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
	e->source = strdup(source);
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
	f->fix_runtime = runtime ? strdup(runtime) : NULL;
	f->fix_persistent = persistent ? strdup(persistent) : NULL;
	if ((runtime && !f->fix_runtime) || (persistent && !f->fix_persistent))
		fs->out_of_memory = true;
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
	}
	free(fs->items);
	memset(fs, 0, sizeof(*fs));
}

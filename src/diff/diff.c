/* The diff's rows and their ranking; the findings compared. */
#include "diff.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

json_object *diff_get(json_object *doc, const char *path)
{
	char key[128];

	while (doc && *path) {
		size_t n = strcspn(path, ".");
		if (n >= sizeof(key) || !json_object_is_type(doc, json_type_object))
			return NULL;
		memcpy(key, path, n);
		key[n] = '\0';
		if (!json_object_object_get_ex(doc, key, &doc))
			return NULL;
		path += n + (path[n] == '.');
	}
	return doc;
}

static int severity_rank(const char *s)
{
	return !s ? -1 : !strcmp(s, "critical") ? 2 : !strcmp(s, "warning") ? 1 : !strcmp(s, "info") ? 0 : -1;
}

static const char *str(json_object *o, const char *key)
{
	json_object *v = diff_get(o, key);
	return json_object_is_type(v, json_type_string) ? json_object_get_string(v) : NULL;
}

int diff_check_severity(json_object *doc, const char *check)
{
	json_object *fs = diff_get(doc, "findings");
	int worst = -1;
	size_t n = json_object_is_type(fs, json_type_array) ? json_object_array_length(fs) : 0;

	for (size_t i = 0; i < n; i++) {
		json_object *x = json_object_array_get_idx(fs, i);
		const char *id = str(x, "id");
		int s = severity_rank(str(x, "severity"));
		if (id && !strncmp(id, check, strlen(check)) && s > worst)
			worst = s;
	}
	return worst;
}

static char *dup_or_null(const char *s)
{
	return s ? strdup(s) : NULL;
}

struct diff_row *diff_add(struct diff *d, enum diff_section section, const char *key,
			  const char *label, const char *a, const char *b)
{
	if (d->out_of_memory)
		return NULL;
	if (d->count == d->cap) {
		size_t cap = d->cap ? d->cap * 2 : 32;
		struct diff_row *rows = realloc(d->rows, cap * sizeof(*rows));
		if (!rows) {
			d->out_of_memory = true;
			return NULL;
		}
		d->rows = rows;
		d->cap = cap;
	}
	struct diff_row *r = &d->rows[d->count];
	memset(r, 0, sizeof(*r));
	r->section = section;
	r->key = strdup(key);
	r->label = strdup(label);
	r->a = dup_or_null(a);
	r->b = dup_or_null(b);
	if (!r->key || !r->label || (a && !r->a) || (b && !r->b)) {
		free(r->key);
		free(r->label);
		free(r->a);
		free(r->b);
		d->out_of_memory = true;
		return NULL;
	}
	d->count++;
	return r;
}

void diff_free(struct diff *d)
{
	for (size_t i = 0; i < d->count; i++) {
		free(d->rows[i].key);
		free(d->rows[i].label);
		free(d->rows[i].subject);
		free(d->rows[i].a);
		free(d->rows[i].b);
	}
	free(d->rows);
	memset(d, 0, sizeof(*d));
}

bool diff_matters(const struct diff *d)
{
	for (size_t i = 0; i < d->count; i++)
		if (d->rows[i].matters)
			return true;
	return false;
}

/* Findings are matched by id and subject; what is left of one id on each
 * side is paired in order (the same finding on a machine whose CPUs or
 * VMs are numbered otherwise). Of a pair, only a change of severity is a
 * difference: the same cost on both machines does not tell them apart. */
void diff_findings(const struct diff_side *a, const struct diff_side *b, struct diff *out)
{
	json_object *fa = diff_get(a->doc, "findings"), *fb = diff_get(b->doc, "findings");
	size_t na = json_object_array_length(fa), nb = json_object_array_length(fb);
	bool *used_b = calloc(nb + 1, sizeof(*used_b)), *used_a = calloc(na + 1, sizeof(*used_a));

	if (!used_a || !used_b) {
		out->out_of_memory = true;
		goto out;
	}
	/* two passes: the same subject first, then any of the same id */
	for (int pass = 0; pass < 2; pass++)
		for (size_t i = 0; i < na; i++) {
			json_object *x = json_object_array_get_idx(fa, i);
			const char *id = str(x, "id"), *subject = str(x, "subject");
			if (used_a[i] || !id)
				continue;
			for (size_t j = 0; j < nb; j++) {
				json_object *y = json_object_array_get_idx(fb, j);
				const char *yid = str(y, "id"), *ysubject = str(y, "subject");
				if (used_b[j] || !yid || strcmp(id, yid))
					continue;
				if (!pass && (!subject || !ysubject || strcmp(subject, ysubject)))
					continue;
				used_a[i] = used_b[j] = true;
				const char *sa = str(x, "severity"), *sb = str(y, "severity");
				if (severity_rank(sa) == severity_rank(sb))
					break;
				/* in the words of the side it costs more */
				json_object *worse = severity_rank(sa) > severity_rank(sb) ? x : y;
				const char *title = str(worse, "title");
				struct diff_row *r = diff_add(out, DIFF_FINDING, id, title ? title : "", sa, sb);
				if (r) {
					r->subject = dup_or_null(str(worse, "subject"));
					r->matters = true;
					r->worse = severity_rank(sa) > severity_rank(sb) ? 'a' : 'b';
					int hi = severity_rank(sa) > severity_rank(sb) ? severity_rank(sa) : severity_rank(sb);
					r->cost = 100 * (hi + 1) + 10;
				}
				break;
			}
		}
	for (int side = 0; side < 2; side++) {
		json_object *fs = side ? fb : fa;
		size_t n = side ? nb : na;
		bool *used = side ? used_b : used_a;
		for (size_t i = 0; i < n; i++) {
			json_object *x = json_object_array_get_idx(fs, i);
			const char *id = str(x, "id"), *sev = str(x, "severity");
			if (used[i] || !id)
				continue;
			struct diff_row *r = diff_add(out, DIFF_FINDING, id, str(x, "title") ? str(x, "title") : "",
						      side ? NULL : sev, side ? sev : NULL);
			if (r) {
				r->subject = dup_or_null(str(x, "subject"));
				r->matters = true;
				r->worse = side ? 'b' : 'a';
				r->cost = 100 * (severity_rank(sev) + 1) + 20;
			}
		}
	}
out:
	free(used_a);
	free(used_b);
}

static int by_cost(const void *x, const void *y)
{
	const struct diff_row *a = x, *b = y;
	if (a->section != b->section)
		return (int)a->section - (int)b->section;
	if (a->matters != b->matters)
		return a->matters ? -1 : 1;
	if (a->cost != b->cost)
		return b->cost - a->cost;
	return strcmp(a->key, b->key);
}

void diff_compare(const struct diff_side *a, const struct diff_side *b, struct diff *out)
{
	memset(out, 0, sizeof(*out));
	if (a->findings && b->findings)
		diff_findings(a, b, out);
	if (a->facts && b->facts)
		diff_facts(a, b, out);
	for (int i = 0; i < 2; i++) {
		const struct diff_side *s = i ? b : a;
		if (!s->facts)
			snprintf(out->note[i], sizeof(out->note[i]),
				 "%s has no settings or findings (a measurement report): only measurements "
				 "are compared",
				 i ? "B" : "A");
	}
	if (a->measurements && b->measurements)
		diff_measurements(a, b, out);
	/* ties by key: the same order every run */
	if (out->count)
		qsort(out->rows, out->count, sizeof(*out->rows), by_cost);
}

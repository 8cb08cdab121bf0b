/* The diff's rows and their ranking; the findings compared. */
#include "diff.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../findings/findings.h"
#include "../output/json_util.h"

/* enum severity's order: 2 critical, 1 warning, 0 info; -1 for none */
static int severity_rank(const char *s)
{
	enum severity v;
	return s && !severity_parse(s, &v) ? (int)v : -1;
}

int diff_check_severity(struct diff *d, json_object *doc, const char *check)
{
	for (size_t i = 0; i < d->nseverity; i++)
		if (d->severity[i].doc == doc && !strcmp(d->severity[i].check, check))
			return d->severity[i].worst;
	json_object *fs = json_at(doc, "findings");
	int worst = -1;
	size_t n = json_object_is_type(fs, json_type_array) ? json_object_array_length(fs) : 0;

	for (size_t i = 0; i < n; i++) {
		json_object *x = json_object_array_get_idx(fs, i);
		const char *id = json_string_at(x, "id");
		int s = severity_rank(json_string_at(x, "severity"));
		if (id && !strncmp(id, check, strlen(check)) && s > worst)
			worst = s;
	}
	if (d->nseverity < sizeof(d->severity) / sizeof(d->severity[0])) {
		d->severity[d->nseverity].doc = doc;
		d->severity[d->nseverity].check = check;
		d->severity[d->nseverity++].worst = worst;
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

/* A finding of one side, for matching. */
struct fkey {
	json_object *x;
	const char *id, *subject;
	bool used;
};

static int by_id_subject(const void *p, const void *q)
{
	const struct fkey *a = p, *b = q;
	int c = strcmp(a->id, b->id);
	return c ? c : strcmp(a->subject, b->subject);
}

/* The findings of DOC that have an id, sorted by id and subject: matching
 * by merging the two lists costs n log n, whatever a hostile report holds. */
static struct fkey *fkeys(json_object *doc, size_t *n)
{
	json_object *fs = json_at(doc, "findings");
	size_t len = json_object_is_type(fs, json_type_array) ? json_object_array_length(fs) : 0, k = 0;
	struct fkey *v = calloc(len + 1, sizeof(*v));

	for (size_t i = 0; v && i < len; i++) {
		json_object *x = json_object_array_get_idx(fs, i);
		const char *id = json_string_at(x, "id"), *subject = json_string_at(x, "subject");
		if (id)
			v[k++] = (struct fkey){ x, id, subject ? subject : "", false };
	}
	if (v)
		qsort(v, k, sizeof(*v), by_id_subject);
	*n = k;
	return v;
}

static void finding_row(struct diff *out, json_object *x, json_object *y)
{
	const char *sa = x ? json_string_at(x, "severity") : NULL, *sb = y ? json_string_at(y, "severity") : NULL;
	int ra = severity_rank(sa), rb = severity_rank(sb);
	/* in the words of the side it costs more */
	json_object *worse = ra > rb ? x : y;
	const char *title = json_string_at(worse, "title");
	struct diff_row *r = diff_add(out, DIFF_FINDING, json_string_at(worse, "id"), title ? title : "", sa, sb);

	if (!r)
		return;
	r->subject = dup_or_null(json_string_at(worse, "subject"));
	r->matters = true;
	r->worse = ra > rb ? 'a' : 'b';
	r->cost = 100 * ((ra > rb ? ra : rb) + 1) + (x && y ? 10 : 20);
}

/* Findings are matched by id and subject; what is left of one id on each
 * side is paired in order (the same finding on a machine whose CPUs or
 * VMs are numbered otherwise). Of a pair, only a change of severity is a
 * difference: the same cost on both machines does not tell them apart. */
void diff_findings(const struct diff_side *a, const struct diff_side *b, struct diff *out)
{
	size_t na, nb;
	struct fkey *fa = fkeys(a->doc, &na), *fb = fkeys(b->doc, &nb);

	if (!fa || !fb) {
		out->out_of_memory = true;
		goto out;
	}
	/* two merges: the same id and subject, then the same id */
	for (int pass = 0; pass < 2; pass++) {
		size_t i = 0, j = 0;
		while (i < na && j < nb) {
			if (fa[i].used) {
				i++;
				continue;
			}
			if (fb[j].used) {
				j++;
				continue;
			}
			int c = strcmp(fa[i].id, fb[j].id);
			if (!c && !pass)
				c = strcmp(fa[i].subject, fb[j].subject);
			if (c < 0) {
				i++;
			} else if (c > 0) {
				j++;
			} else {
				fa[i].used = fb[j].used = true;
				if (severity_rank(json_string_at(fa[i].x, "severity")) !=
				    severity_rank(json_string_at(fb[j].x, "severity")))
					finding_row(out, fa[i].x, fb[j].x);
				i++;
				j++;
			}
		}
	}
	for (size_t i = 0; i < na; i++)
		if (!fa[i].used)
			finding_row(out, fa[i].x, NULL);
	for (size_t j = 0; j < nb; j++)
		if (!fb[j].used)
			finding_row(out, NULL, fb[j].x);
out:
	free(fa);
	free(fb);
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

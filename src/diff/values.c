#include "values.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "diff.h"
#include "../lib/doubles.h"
#include "../output/json_util.h"

void values_add(struct values *v, const char *text, double num)
{
	for (size_t i = 0; i < v->n; i++)
		if (!strcmp(v->v[i], text))
			return;
	if (v->n == VALUES_MAX) {
		v->more++;
		return;
	}
	snprintf(v->v[v->n], sizeof(v->v[0]), "%s", text);
	v->num[v->n] = num;
	if (isnan(num))
		v->numeric = false;
	v->n++;
}

/* Calls FN with every leaf at PATH below O. A document may nest arrays
 * and objects without end: the path is the bound, one level a component. */
static void each_leaf(json_object *o, const char *path, void (*fn)(json_object *, void *), void *arg)
{
	char key[96];

	if (!o)
		return;
	if (!*path) {
		fn(o, arg);
		return;
	}
	size_t n = strcspn(path, ".");
	const char *rest = path + n + (path[n] == '.');
	bool each = n >= 2 && !strncmp(path + n - 2, "[]", 2);
	size_t kn = each ? n - 2 : n;
	if (kn >= sizeof(key))
		return;
	memcpy(key, path, kn);
	key[kn] = '\0';
	json_object *next = kn ? json_at(o, key) : o;
	if (!each)
		each_leaf(next, rest, fn, arg);
	else if (json_object_is_type(next, json_type_array))
		for (size_t i = 0, len = json_object_array_length(next); i < len; i++)
			each_leaf(json_object_array_get_idx(next, i), rest, fn, arg);
}

static bool is_number(json_object *o)
{
	return json_object_is_type(o, json_type_int) || json_object_is_type(o, json_type_double);
}

struct collect {
	double scale;
	struct values *out;
};

static void collect_leaf(json_object *o, void *arg)
{
	struct collect *c = arg;
	char text[128];

	if (json_object_is_type(o, json_type_string)) {
		values_add(c->out, json_object_get_string(o), NAN);
	} else if (json_object_is_type(o, json_type_boolean)) {
		values_add(c->out, json_object_get_boolean(o) ? "on" : "off", NAN);
	} else if (is_number(o)) {
		double x = json_object_get_double(o) * (c->scale ? c->scale : 1);
		snprintf(text, sizeof(text), "%.0f", x);
		values_add(c->out, text, x);
	}
}

void values_at(json_object *doc, const char *path, double scale, struct values *out)
{
	struct collect c = { scale, out };

	memset(out, 0, sizeof(*out));
	out->numeric = true;
	each_leaf(doc, path, collect_leaf, &c);
	if (!out->n)
		out->numeric = false;
}

void values_join(const struct values *v, const char *unit, char *out, size_t outsz)
{
	size_t len = 0;

	out[0] = '\0';
	for (size_t i = 0; i < v->n && len < outsz; i++) {
		int w = snprintf(out + len, outsz - len, "%s%s%s%s", i ? ", " : "", v->v[i],
				 unit && *unit ? " " : "", unit ? unit : "");
		len += w > 0 ? (size_t)w : 0;
	}
	if (v->more && len < outsz)
		snprintf(out + len, outsz - len, " and %zu more", v->more);
}

/* every number at PATH, not only the distinct ones */
struct numbers {
	double *x;
	size_t n, cap;
	bool oom;
};

static void gather_leaf(json_object *o, void *arg)
{
	struct numbers *nums = arg;

	if (!is_number(o) || nums->oom)
		return;
	if (nums->n == nums->cap) {
		size_t cap = nums->cap ? nums->cap * 2 : 64;
		double *x = realloc(nums->x, cap * sizeof(*x));
		if (!x) {
			nums->oom = true;
			return;
		}
		nums->x = x;
		nums->cap = cap;
	}
	nums->x[nums->n++] = json_object_get_double(o);
}

double values_median(json_object *doc, const char *path)
{
	struct numbers nums = { 0 };
	double m = NAN;

	each_leaf(doc, path, gather_leaf, &nums);
	if (!nums.oom)
		m = doubles_median(nums.x, nums.n);
	free(nums.x);
	return m;
}

/* Values out of a check --json document, as text, for the diff's tables. */
#ifndef LATDOC_DIFF_VALUES_H
#define LATDOC_DIFF_VALUES_H

#include <json-c/json.h>
#include <stdbool.h>
#include <stddef.h>

#define VALUES_MAX 12

/* The distinct values found at a path, in the order first met. */
struct values {
	char v[VALUES_MAX][128];
	size_t n, more; /* more: distinct values beyond VALUES_MAX */
	double num[VALUES_MAX];
	bool numeric;   /* every value is a number */
};

/* Collects the leaves at PATH below DOC: "a.b" is a member of a member,
 * "a[].b" the member b of every element of array a. Numbers are scaled by
 * SCALE (when not 0) and written whole; true and false are "on" and "off";
 * null is left out. */
void values_at(json_object *doc, const char *path, double scale, struct values *out);
void values_add(struct values *v, const char *text, double num);
/* "a, b, c" (and "and N more"); "" when there are none. */
void values_join(const struct values *v, const char *unit, char *out, size_t outsz);
/* The median of numbers, NAN when there are none. */
double values_median(json_object *doc, const char *path);

#endif

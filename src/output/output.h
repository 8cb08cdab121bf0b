/* Output: the findings and facts for a person (text) or a program (JSON). */
#ifndef LATDOC_OUTPUT_H
#define LATDOC_OUTPUT_H

#include <stdbool.h>
#include <stdio.h>

#include "../audit/report.h"
#include "../facts/facts.h"
#include "../findings/findings.h"
#include "../measure/measure.h"

/* The JSON layout's version: bump it when a field changes meaning or goes. */
#define JSON_SCHEMA 1

void output_text(FILE *out, const struct report *r, bool color);
/* Returns 0, or -1 when the JSON could not be built (out of memory). */
int output_json(FILE *out, const struct report *r);

/* The VMs audited on a host and the virtual hardware seen in a guest, for
 * the text report. */
void output_vms_text(FILE *out, const struct facts *f);
void output_guest_text(FILE *out, const struct facts *f);

/* A table of percentiles in us: SUMMARY_HEAD, then one summary_row() a
 * summary, with TAIL (or nothing) after it. p99 and p99.9 show only from
 * SUMMARY_P99_MIN and SUMMARY_P999_MIN samples. */
#define SUMMARY_HEAD "                         samples     min     p50     p90     p99   p99.9      max  (us)"
void summary_row(FILE *out, const char *label, const struct summary *s, const char *tail);

void output_freq_text(FILE *out, const struct freq_result *r);
void output_wake_text(FILE *out, const struct wake_result *w);

/* One fix action in words, with TARGET standing for its target (the pattern
 * of a group of alike actions). */
void fix_action_describe(const struct fix_action *a, const char *target, char *out, size_t outsz);
/* Calls EACH with every group of alike actions of X done WHEN (the same
 * change to files alike but for their numbers), its target pattern and its
 * size. */
void fix_action_groups(const struct finding *x, enum fix_when when,
		       void (*each)(const struct fix_action *first, const char *target, size_t n,
				    void *arg),
		       void *arg);

/* Prints TEXT wrapped to 80 columns: the first line from column INDENT,
 * the rest from INDENT + HANG; newlines in TEXT start new lines. */
void output_wrapped(FILE *out, const char *text, int indent, int hang);
/* As output_wrapped(), from column COL of a line already begun. */
void output_wrapped_from(FILE *out, const char *text, int col, int indent, int hang);

/* tune: the plan, and the journals (tune --list). */
struct plan;
struct journal;
void output_plan_text(FILE *out, const struct report *rep, const struct plan *p);
struct json_object;
struct json_object *json_plan(const struct plan *p);
/* The findings no action fixes, with the check's advice: {id, subject, advice}. */
struct json_object *json_by_hand(const struct report *rep);
void output_journals_text(FILE *out, const struct journal *js, size_t n);
struct json_object *json_journals(const struct journal *js, size_t n);
/* "in effect", "reverted", ... */
const char *journal_state(const struct journal *j);

const char *platform_role_name(enum platform_role role);
/* "bare metal", "KVM guest on aws", ... for one line of text */
void platform_describe(const struct facts *f, char *out, size_t outsz);

#endif
